/* The UI, created and destroyed 100 times in a parent window the way a
 * host opens and closes it, with port events, notify messages, clicks,
 * drags and idle calls in between.  Run under valgrind (make check) or
 * LeakSanitizer (SANITIZE=1): whatever the UI allocates it frees.  Needs
 * an X display (tests/test_ui.sh starts Xvfb).
 *   test_ui_leaks [PATH_TO_eighttrack_ui.so] */
#include "messages.h"
#include "overview.h"
#include "ports.h"

#include <lv2/atom/forge.h>
#include <lv2/ui/ui.h>
#include <lv2/urid/urid.h>

#include <X11/Xlib.h>
#include <cairo.h>
#include <dlfcn.h>
#include <fontconfig/fontconfig.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define ROUNDS 100
#define MAX_URIS 64

static char    *uris[MAX_URIS];
static uint32_t n_uris;
static unsigned writes, touches_on, touches_off;
static unsigned requests; /* msg:Request objects written to midi_in */
static unsigned alives;   /* msg:Alive objects written to midi_in */
static LV2_URID request_urid, alive_urid, transfer_urid;

/* The UI's float writes to one port, in order, while `watch_port` is set. */
#define LOG_MAX 64
static int      watch_port = -1;
static float    logged[LOG_MAX];
static unsigned n_logged;

static LV2_URID
map_uri(LV2_URID_Map_Handle handle, const char *uri)
{
	(void)handle;
	for (uint32_t i = 0; i < n_uris; ++i) {
		if (!strcmp(uris[i], uri)) {
			return i + 1;
		}
	}
	if (n_uris == MAX_URIS) {
		return 0;
	}
	uris[n_uris] = strdup(uri);
	return ++n_uris;
}

static void
ui_write(LV2UI_Controller controller, uint32_t port, uint32_t size,
         uint32_t protocol, const void *buffer)
{
	(void)controller;
	++writes;
	if (port == ET_PORT_MIDI_IN && protocol == transfer_urid &&
	    size >= sizeof(LV2_Atom_Object)) {
		const LV2_Atom_Object *obj = (const LV2_Atom_Object *)buffer;
		requests += obj->body.otype == request_urid;
		alives += obj->body.otype == alive_urid;
	}
	if (protocol == 0 && size == sizeof(float) && (int)port == watch_port &&
	    n_logged < LOG_MAX) {
		memcpy(&logged[n_logged++], buffer, sizeof(float));
	}
}

static void
touch(LV2UI_Feature_Handle handle, uint32_t port, bool grabbed)
{
	(void)handle;
	(void)port;
	grabbed ? ++touches_on : ++touches_off;
}

static int
resize(LV2UI_Feature_Handle handle, int width, int height)
{
	(void)handle;
	(void)width;
	(void)height;
	return 0;
}

/* Sends a synthetic button press/release or motion to the UI's window. */
static void
pointer(Display *d, Window w, int type, unsigned button, int x, int y)
{
	XEvent e;
	memset(&e, 0, sizeof(e));
	e.type = type;
	if (type == MotionNotify) {
		e.xmotion.window = w;
		e.xmotion.x      = x;
		e.xmotion.y      = y;
		e.xmotion.state  = Button1Mask;
	} else {
		e.xbutton.window = w;
		e.xbutton.button = button;
		e.xbutton.x      = x;
		e.xbutton.y      = y;
	}
	const long mask = type == MotionNotify ? Button1MotionMask
	                  : type == ButtonPress ? ButtonPressMask
	                                        : ButtonReleaseMask;
	XSendEvent(d, w, False, mask, &e);
	XFlush(d);
}

static void
sleep_ms(long ms)
{
	const struct timespec t = {ms / 1000, (ms % 1000) * 1000000L};
	nanosleep(&t, NULL);
}

static int
failed(const char *what)
{
	fprintf(stderr, "test_ui_leaks: FAIL: %s\n", what);
	return 1;
}

/* CLEAR, in the UI window's pixels (its size is the design's, 760 x 430). */
#define CLEAR_X 334
#define CLEAR_Y 399

/* A quick click on CLEAR, press and release handled in one idle(): the
 * plugin only acts on a 1 it sees in a run(), so the UI must write 1 and
 * keep it until a later idle(), at least TRIGGER_MIN_HOLD (50 ms) after
 * the press, once the plugin showed it saw it (loop_state went to 0), or
 * TRIGGER_MAX_HOLD (300 ms) without a sign. */
static int
quick_clear(const LV2UI_Descriptor *desc, const LV2UI_Idle_Interface *idle,
            const LV2_Feature *const *features, Display *display)
{
	LV2UI_Widget widget = NULL;
	for (int seen = 1; seen >= 0; --seen) {
		LV2UI_Handle ui = desc->instantiate(desc, "urn:eighttrack:plugin",
		                                    ".", ui_write, NULL, &widget,
		                                    features);
		if (!ui) {
			return failed("instantiate for the CLEAR click");
		}
		const float playing = 3.0f, empty = 0.0f;
		desc->port_event(ui, ET_PORT_LOOP_STATE, sizeof(float), 0, &playing);
		idle->idle(ui);
		const Window w = (Window)(uintptr_t)widget;
		watch_port     = ET_PORT_LOOP_CLEAR;
		n_logged       = 0;
		const unsigned on0 = touches_on, off0 = touches_off;
		pointer(display, w, ButtonPress, Button1, CLEAR_X, CLEAR_Y);
		pointer(display, w, ButtonRelease, Button1, CLEAR_X, CLEAR_Y);
		XSync(display, False);
		idle->idle(ui);
		if (n_logged != 1 || logged[0] != 1.0f) {
			return failed("a click on CLEAR: not exactly a 1 in the idle() "
			              "that saw press and release");
		}
		idle->idle(ui); /* a later idle(), but too soon */
		if (n_logged != 1) {
			return failed("CLEAR went back to 0 within 50 ms");
		}
		if (seen) {
			/* The plugin cleared the loop: 0 follows after 50 ms. */
			desc->port_event(ui, ET_PORT_LOOP_STATE, sizeof(float), 0, &empty);
			sleep_ms(60);
			idle->idle(ui);
		} else {
			sleep_ms(60);
			idle->idle(ui);
			if (n_logged != 1) {
				return failed("CLEAR went back to 0 after 60 ms without a "
				              "sign that the plugin saw the 1");
			}
			sleep_ms(260);
			idle->idle(ui);
		}
		if (n_logged != 2 || logged[1] != 0.0f) {
			return failed("CLEAR did not go back to 0 in a later idle()");
		}
		if (touches_on != on0 + 1 || touches_off != off0 + 1) {
			return failed("CLEAR's click is not one touch gesture");
		}
		/* Held at close: cleanup() writes the 0. */
		pointer(display, w, ButtonPress, Button1, CLEAR_X, CLEAR_Y);
		XSync(display, False);
		idle->idle(ui);
		desc->cleanup(ui);
		if (n_logged != 4 || logged[2] != 1.0f || logged[3] != 0.0f ||
		    touches_on != touches_off) {
			return failed("CLEAR held while the UI closes: no 0 from cleanup()");
		}
		watch_port = -1;
	}
	printf("test_ui_leaks: a quick click on CLEAR holds 1 until a later idle(): ok\n");
	return 0;
}

/* Passes `bytes` of `src` to port_event from a heap block of exactly that
 * size, so that valgrind (or ASan) sees a read past it. */
static void
notify_exact(const LV2UI_Descriptor *desc, LV2UI_Handle ui, LV2_URID transfer,
             const uint8_t *src, uint32_t bytes)
{
	uint8_t *heap = (uint8_t *)malloc(bytes ? bytes : 1);
	memcpy(heap, src, bytes);
	desc->port_event(ui, ET_PORT_NOTIFY, bytes, transfer, heap);
	free(heap);
}

/* Truncated and lying notify atoms: the UI must not read past them (the
 * reviewer's case first: a peaks vector claiming 512 floats in an object
 * that ends after the vector's header). */
static int
hostile_atoms(const LV2UI_Descriptor *desc, const LV2UI_Idle_Interface *idle,
              const LV2_Feature *const *features, LV2_URID_Map *map)
{
	LV2UI_Widget widget = NULL;
	LV2UI_Handle ui     = desc->instantiate(desc, "urn:eighttrack:plugin", ".",
	                                        ui_write, NULL, &widget, features);
	if (!ui) {
		return failed("instantiate for the hostile atoms");
	}
	const LV2_URID transfer = map->map(NULL, LV2_ATOM__eventTransfer);
	_Alignas(8) uint8_t  msg[4096];
	LV2_Atom_Forge       forge;
	LV2_Atom_Forge_Frame frame;
	float                peaks[ET_OVERVIEW_BINS] = {0};
	lv2_atom_forge_init(&forge, map);
	lv2_atom_forge_set_buffer(&forge, msg, sizeof(msg));
	lv2_atom_forge_object(&forge, &frame, 0, map->map(NULL, ET_MSG__Overview));
	lv2_atom_forge_key(&forge, map->map(NULL, ET_MSG__serial));
	lv2_atom_forge_int(&forge, 1);
	lv2_atom_forge_key(&forge, map->map(NULL, ET_MSG__length));
	lv2_atom_forge_long(&forge, 48000);
	lv2_atom_forge_key(&forge, map->map(NULL, ET_MSG__binCount));
	lv2_atom_forge_int(&forge, ET_OVERVIEW_BINS);
	lv2_atom_forge_key(&forge, map->map(NULL, ET_MSG__first));
	lv2_atom_forge_int(&forge, 0);
	lv2_atom_forge_key(&forge, map->map(NULL, ET_MSG__peaks));
	lv2_atom_forge_vector(&forge, sizeof(float), map->map(NULL, LV2_ATOM__Float),
	                      ET_OVERVIEW_BINS, peaks);
	lv2_atom_forge_pop(&forge, &frame);
	LV2_Atom      *obj  = (LV2_Atom *)msg;
	const uint32_t full = obj->size;
	/* The object cut after the vector's 8-byte atom header. */
	obj->size = full - (uint32_t)(sizeof(LV2_Atom_Vector_Body) + ET_OVERVIEW_BINS * sizeof(float));
	notify_exact(desc, ui, transfer, msg, (uint32_t)sizeof(LV2_Atom) + obj->size);
	/* Every cut of the buffer, the object's size left whole. */
	obj->size = full;
	for (uint32_t cut = 0; cut < sizeof(LV2_Atom) + full; cut += 7) {
		notify_exact(desc, ui, transfer, msg, cut);
	}
	/* A vector claiming more than the object holds. */
	LV2_Atom *vec = (LV2_Atom *)(msg + sizeof(LV2_Atom) + sizeof(LV2_Atom_Object_Body) + 4 * 24 + 8);
	vec->size += 4096;
	notify_exact(desc, ui, transfer, msg, (uint32_t)sizeof(LV2_Atom) + full);
	idle->idle(ui);
	desc->cleanup(ui);
	printf("test_ui_leaks: truncated and lying notify atoms: ok\n");
	return 0;
}

/* A toggle at 0.25 is on (the plugin reads > 0 as on): a click turns it
 * off. */
static int
toggle_above_zero(const LV2UI_Descriptor *desc, const LV2UI_Idle_Interface *idle,
                  const LV2_Feature *const *features, Display *display)
{
	LV2UI_Widget widget = NULL;
	LV2UI_Handle ui     = desc->instantiate(desc, "urn:eighttrack:plugin", ".",
	                                        ui_write, NULL, &widget, features);
	if (!ui) {
		return failed("instantiate for the toggle");
	}
	const uint32_t port    = et_track_port(1, ET_TRACK_FIELD_MUTE);
	const float    quarter = 0.25f;
	desc->port_event(ui, port, sizeof(float), 0, &quarter);
	idle->idle(ui);
	watch_port = (int)port;
	n_logged   = 0;
	pointer(display, (Window)(uintptr_t)widget, ButtonPress, Button1, 150, 214);
	pointer(display, (Window)(uintptr_t)widget, ButtonRelease, Button1, 150, 214);
	XSync(display, False);
	idle->idle(ui);
	watch_port = -1;
	desc->cleanup(ui);
	if (n_logged != 1 || logged[0] != 0.0f) {
		return failed("a click on a mute at 0.25 does not turn it off");
	}
	printf("test_ui_leaks: a toggle above 0 is on: ok\n");
	return 0;
}

/* An Overview chunk of overview `serial`, bins first..first+63. */
static void
send_chunk(const LV2UI_Descriptor *desc, LV2UI_Handle ui, LV2_URID_Map *map,
           uint32_t serial, uint32_t first)
{
	_Alignas(8) uint8_t  msg[1024];
	LV2_Atom_Forge       forge;
	LV2_Atom_Forge_Frame frame;
	float                peaks[ET_MSG_OVERVIEW_CHUNK] = {0.5f};
	lv2_atom_forge_init(&forge, map);
	lv2_atom_forge_set_buffer(&forge, msg, sizeof(msg));
	lv2_atom_forge_object(&forge, &frame, 0, map->map(NULL, ET_MSG__Overview));
	lv2_atom_forge_key(&forge, map->map(NULL, ET_MSG__serial));
	lv2_atom_forge_int(&forge, (int32_t)serial);
	lv2_atom_forge_key(&forge, map->map(NULL, ET_MSG__length));
	lv2_atom_forge_long(&forge, 48000);
	lv2_atom_forge_key(&forge, map->map(NULL, ET_MSG__binCount));
	lv2_atom_forge_int(&forge, ET_OVERVIEW_BINS);
	lv2_atom_forge_key(&forge, map->map(NULL, ET_MSG__first));
	lv2_atom_forge_int(&forge, (int32_t)first);
	lv2_atom_forge_key(&forge, map->map(NULL, ET_MSG__peaks));
	lv2_atom_forge_vector(&forge, sizeof(float), map->map(NULL, LV2_ATOM__Float),
	                      ET_MSG_OVERVIEW_CHUNK, peaks);
	lv2_atom_forge_pop(&forge, &frame);
	const LV2_Atom *atom = (const LV2_Atom *)msg;
	desc->port_event(ui, ET_PORT_NOTIFY, sizeof(LV2_Atom) + atom->size,
	                 transfer_urid, atom);
}

/* A lost chunk: the UI asks for the overview again, at most once a second
 * (the Request it sent when it opened counts); so does the rest of an
 * overview that stops coming. */
static int
lost_chunks(const LV2UI_Descriptor *desc, const LV2UI_Idle_Interface *idle,
            const LV2_Feature *const *features, LV2_URID_Map *map)
{
	LV2UI_Widget widget = NULL;
	const unsigned before = requests;
	LV2UI_Handle ui     = desc->instantiate(desc, "urn:eighttrack:plugin", ".",
	                                        ui_write, NULL, &widget, features);
	if (!ui) {
		return failed("instantiate for the lost chunks");
	}
	if (requests != before + 1) {
		return failed("no Request when the UI opens");
	}
	send_chunk(desc, ui, map, 3, 0);
	send_chunk(desc, ui, map, 3, 128); /* 64..127 lost */
	idle->idle(ui);
	if (requests != before + 1) {
		return failed("a second Request within a second of the first");
	}
	sleep_ms(1050);
	idle->idle(ui);
	if (requests != before + 2) {
		return failed("no Request a second after a chunk went missing");
	}
	idle->idle(ui);
	if (requests != before + 2) {
		return failed("more than one Request for one lost chunk");
	}
	/* The answer starts; its rest never comes. */
	send_chunk(desc, ui, map, 3, 0);
	send_chunk(desc, ui, map, 3, 64);
	idle->idle(ui);
	sleep_ms(1050);
	idle->idle(ui);
	if (requests != before + 3) {
		return failed("no Request a second after an overview stopped coming");
	}
	/* A whole overview: nothing more to ask; but the UI still says,
	 * once a second, that it is open (the plugin scans only then). */
	for (uint32_t first = 0; first < ET_OVERVIEW_BINS; first += 64) {
		send_chunk(desc, ui, map, 4, first);
	}
	const unsigned alive_before = alives;
	idle->idle(ui);
	idle->idle(ui);
	if (alives != alive_before) {
		return failed("msg:Alive more than once a second");
	}
	sleep_ms(1050);
	idle->idle(ui);
	desc->cleanup(ui);
	if (requests != before + 3) {
		return failed("a Request after a whole overview");
	}
	if (alives != alive_before + 1) {
		return failed("no msg:Alive a second after the last message");
	}
	printf("test_ui_leaks: lost chunks are asked for again, once a second: ok\n");
	return 0;
}

/* The host destroys its window, our parent, before it calls cleanup()
 * (or idle()): Xlib's default error handler would exit the process on the
 * BadWindow of destroying ours; the UI must trap it and go on. */
static int
parent_gone(const LV2UI_Descriptor *desc, const LV2UI_Idle_Interface *idle,
            const LV2_Feature *const *features, Display *display)
{
	LV2_Feature        f_parent = {LV2_UI__parent, NULL};
	const LV2_Feature *with[16];
	unsigned           n = 0;
	for (; features[n] && n < 14; ++n) {
		with[n] = strcmp(features[n]->URI, LV2_UI__parent) ? features[n]
		                                                   : &f_parent;
	}
	with[n] = NULL;
	for (int then_idle = 0; then_idle < 3; ++then_idle) {
		const Window parent = XCreateSimpleWindow(
		    display, DefaultRootWindow(display), 0, 0, 800, 480, 0, 0, 0);
		XMapWindow(display, parent);
		XSync(display, False);
		f_parent.data       = (void *)(uintptr_t)parent;
		LV2UI_Widget widget = NULL;
		LV2UI_Handle ui = desc->instantiate(desc, "urn:eighttrack:plugin", ".",
		                                    ui_write, NULL, &widget, with);
		if (!ui) {
			return failed("instantiate in a parent of its own");
		}
		idle->idle(ui);
		if (then_idle == 2) {
			/* A redraw due as the window goes, the server maybe not done
			 * destroying it when the UI draws (not synced): the XPutImage
			 * may fail, and must not end the process. */
			const float v = 5.0f;
			desc->port_event(ui, ET_PORT_ACTIVE_TRACK, sizeof(float), 0, &v);
			XDestroyWindow(display, parent);
			XFlush(display);
			idle->idle(ui);
		}
		if (then_idle < 2) {
			XDestroyWindow(display, parent);
		}
		XSync(display, False);
		if (then_idle >= 1 && idle->idle(ui) != 1) {
			return failed("idle() does not ask to close once the parent is gone");
		}
		desc->cleanup(ui);
		/* A parent that is no window at all: instantiate fails, the
		 * process stays. */
		if (then_idle == 0) {
			ui = desc->instantiate(desc, "urn:eighttrack:plugin", ".",
			                       ui_write, NULL, &widget, with);
			if (ui) {
				return failed("instantiated in a destroyed parent");
			}
		}
	}
	printf("test_ui_leaks: parent destroyed before cleanup() or idle(): ok\n");
	return 0;
}

int
main(int argc, char **argv)
{
	const char *path =
	    argc > 1 ? argv[1] : "bundle/eighttrack.lv2/eighttrack_ui.so";
	Display *display = XOpenDisplay(NULL);
	if (!display) {
		fprintf(stderr, "test_ui_leaks: no X display (DISPLAY=%s)\n",
		        getenv("DISPLAY") ? getenv("DISPLAY") : "");
		return 1;
	}
	const Window parent = XCreateSimpleWindow(
	    display, DefaultRootWindow(display), 0, 0, 800, 480, 0, 0, 0);
	XMapWindow(display, parent);
	XSync(display, False);

	void *lib = dlopen(path, RTLD_NOW | RTLD_LOCAL);
	if (!lib) {
		fprintf(stderr, "test_ui_leaks: %s\n", dlerror());
		return 1;
	}
	LV2UI_DescriptorFunction get =
	    (LV2UI_DescriptorFunction)(uintptr_t)dlsym(lib, "lv2ui_descriptor");
	const LV2UI_Descriptor *desc = get ? get(0) : NULL;
	if (!desc || strcmp(desc->URI, "urn:eighttrack:ui") || get(1)) {
		fprintf(stderr, "test_ui_leaks: no urn:eighttrack:ui in %s\n", path);
		return 1;
	}
	const LV2UI_Idle_Interface *idle =
	    (const LV2UI_Idle_Interface *)desc->extension_data(LV2_UI__idleInterface);
	if (!idle || desc->extension_data("urn:nothing")) {
		fprintf(stderr, "test_ui_leaks: bad extension_data\n");
		return 1;
	}

	LV2_URID_Map  map      = {NULL, map_uri};
	LV2UI_Touch   touch_f  = {NULL, touch};
	LV2UI_Resize  resize_f = {NULL, resize};
	LV2_Feature   f_parent = {LV2_UI__parent, (void *)(uintptr_t)parent};
	LV2_Feature   f_map    = {LV2_URID__map, &map};
	LV2_Feature   f_touch  = {LV2_UI__touch, &touch_f};
	LV2_Feature   f_resize = {LV2_UI__resize, &resize_f};
	LV2_Feature   f_idle   = {LV2_UI__idleInterface, NULL};
	const LV2_Feature *features[] = {&f_parent, &f_map, &f_touch, &f_resize,
	                                 &f_idle, NULL};
	const LV2_Feature *no_parent[] = {&f_map, &f_idle, NULL};

	/* A whole one-chunk overview and a note light, as notify sends them. */
	_Alignas(8) uint8_t  msg[1024];
	LV2_Atom_Forge       forge;
	LV2_Atom_Forge_Frame frame;
	lv2_atom_forge_init(&forge, &map);
	const LV2_URID transfer = map.map(NULL, LV2_ATOM__eventTransfer);
	float          peaks[ET_MSG_OVERVIEW_CHUNK];
	for (unsigned i = 0; i < ET_MSG_OVERVIEW_CHUNK; ++i) {
		peaks[i] = (float)i / ET_MSG_OVERVIEW_CHUNK;
	}

	LV2UI_Widget widget = NULL;
	if (desc->instantiate(desc, "urn:eighttrack:plugin", ".", ui_write, NULL,
	                      &widget, no_parent)) {
		fprintf(stderr, "test_ui_leaks: instantiated without ui:parent\n");
		return 1;
	}


	request_urid  = map.map(NULL, ET_MSG__Request);
	alive_urid    = map.map(NULL, ET_MSG__Alive);
	transfer_urid = map.map(NULL, LV2_ATOM__eventTransfer);
	if (quick_clear(desc, idle, features, display) ||
	    lost_chunks(desc, idle, features, &map) ||
	    toggle_above_zero(desc, idle, features, display) ||
	    hostile_atoms(desc, idle, features, &map) ||
	    parent_gone(desc, idle, features, display)) {
		return 1;
	}

	for (unsigned round = 0; round < ROUNDS; ++round) {
		LV2UI_Handle ui = desc->instantiate(desc, "urn:eighttrack:plugin",
		                                    ".", ui_write, NULL, &widget,
		                                    features);
		if (!ui || !widget) {
			fprintf(stderr, "test_ui_leaks: instantiate failed (round %u)\n",
			        round);
			return 1;
		}
		const float values[] = {3.0f, 1.0f, 2.0f, 0.4f};
		desc->port_event(ui, ET_PORT_ACTIVE_TRACK, sizeof(float), 0, &values[0]);
		desc->port_event(ui, ET_PORT_LOOP_STATE, sizeof(float), 0, &values[2]);
		desc->port_event(ui, ET_PORT_LOOP_POSITION, sizeof(float), 0, &values[3]);

		lv2_atom_forge_set_buffer(&forge, msg, sizeof(msg));
		lv2_atom_forge_object(&forge, &frame, 0, map.map(NULL, ET_MSG__Overview));
		lv2_atom_forge_key(&forge, map.map(NULL, ET_MSG__serial));
		lv2_atom_forge_int(&forge, 1);
		lv2_atom_forge_key(&forge, map.map(NULL, ET_MSG__length));
		lv2_atom_forge_long(&forge, 48000);
		lv2_atom_forge_key(&forge, map.map(NULL, ET_MSG__binCount));
		lv2_atom_forge_int(&forge, ET_MSG_OVERVIEW_CHUNK);
		lv2_atom_forge_key(&forge, map.map(NULL, ET_MSG__first));
		lv2_atom_forge_int(&forge, 0);
		lv2_atom_forge_key(&forge, map.map(NULL, ET_MSG__peaks));
		lv2_atom_forge_vector(&forge, sizeof(float),
		                      map.map(NULL, LV2_ATOM__Float),
		                      ET_MSG_OVERVIEW_CHUNK, peaks);
		lv2_atom_forge_pop(&forge, &frame);
		const LV2_Atom *atom = (const LV2_Atom *)msg;
		desc->port_event(ui, ET_PORT_NOTIFY, sizeof(LV2_Atom) + atom->size,
		                 transfer, atom);

		const Window w = (Window)(uintptr_t)widget;
		idle->idle(ui);
		/* Mute track 2, drag track 1's transpose up, click CLEAR. */
		pointer(display, w, ButtonPress, Button1, 150, 214);
		pointer(display, w, ButtonRelease, Button1, 150, 214);
		pointer(display, w, ButtonPress, Button1, 58, 143);
		pointer(display, w, MotionNotify, 0, 58, 120);
		pointer(display, w, ButtonRelease, Button1, 58, 120);
		pointer(display, w, ButtonPress, Button1, 334, 399);
		pointer(display, w, ButtonRelease, Button1, 334, 399);
		XSync(display, False);
		for (int i = 0; i < 3; ++i) {
			if (idle->idle(ui) != 0) {
				fprintf(stderr, "test_ui_leaks: idle asked to close\n");
				return 1;
			}
		}
		desc->cleanup(ui);
	}

	dlclose(lib);
	XDestroyWindow(display, parent);
	XCloseDisplay(display);
	for (uint32_t i = 0; i < n_uris; ++i) {
		free(uris[i]);
	}
	/* One-time caches of cairo and fontconfig, so that only what the UI
	 * itself keeps would show as a leak. */
	cairo_debug_reset_static_data();
	FcFini();

	if (writes == 0 || touches_on != touches_off || touches_on == 0) {
		fprintf(stderr,
		        "test_ui_leaks: gestures did not reach the host "
		        "(%u writes, %u touch on, %u touch off)\n",
		        writes, touches_on, touches_off);
		return 1;
	}
	printf("test_ui_leaks: %d rounds, %u writes, %u touch gestures: ok\n",
	       ROUNDS, writes, touches_on);
	return 0;
}
