/* The UI, created and destroyed 100 times in a parent window the way a
 * host opens and closes it, with port events, notify messages, clicks,
 * drags and idle calls in between, after a few stories of its own (cmocka,
 * one test each).  Run under valgrind (make check) or LeakSanitizer
 * (SANITIZE=1): whatever the UI allocates it frees.  The library and the X
 * display are opened once by the group's setup and closed by its teardown,
 * which also drops the one-time caches of cairo and fontconfig, so that
 * only what the UI itself keeps would show as a leak.  Each test's
 * teardown closes a UI (or a parent window) its failed check left open.
 * Needs an X display (tests/ui/test_ui.sh starts Xvfb); tests/ui/test_ui.sh
 * reads the lines "test_ui_leaks: ...: ok" and "test_ui_leaks: 100 rounds".
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

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <cmocka.h>

#define ROUNDS   100
#define MAX_URIS 64

static const char *ui_path = "bundle/eighttrack.lv2/eighttrack_ui.so";

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

/* The last value logged, or -1 when there is none (for messages). */
static double
last_logged(void)
{
	return n_logged ? (double)logged[n_logged - 1] : -1.0;
}

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
	if (protocol == 0 && size == sizeof(float) &&
	    (int)port == watch_port && n_logged < LOG_MAX) {
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
	const long mask = type == MotionNotify  ? Button1MotionMask
			  : type == ButtonPress ? ButtonPressMask
						: ButtonReleaseMask;
	XSendEvent(d, w, False, mask, &e);
	XFlush(d);
}

static void
sleep_ms(long ms)
{
	const struct timespec t = { ms / 1000, (ms % 1000) * 1000000L };
	nanosleep(&t, NULL);
}

/* What the tests share: the X display with the host's window in it, the
 * UI library and its descriptor, the features a host passes. */
typedef struct {
	Display                    *display;
	Window                      parent;
	void                       *lib;
	LV2UI_DescriptorFunction    get;
	const LV2UI_Descriptor     *desc;
	const LV2UI_Idle_Interface *idle;
	LV2_URID_Map                map;
	LV2UI_Touch                 touch_f;
	LV2UI_Resize                resize_f;
	LV2_Feature                 f_parent, f_map, f_touch, f_resize, f_idle;
	const LV2_Feature          *features[6];  /* what a host gives */
	const LV2_Feature          *no_parent[3]; /* without ui:parent */
	/* Left open by a test that failed, closed by its teardown. */
	LV2UI_Handle ui;
	Window       own_parent;
} Rig;

static int
rig_setup(void **state)
{
	Rig *rig = (Rig *)calloc(1, sizeof(Rig));
	assert_non_null(rig);
	*state       = rig;
	rig->display = XOpenDisplay(NULL);
	if (!rig->display) {
		fail_msg("no X display (DISPLAY=%s)",
			 getenv("DISPLAY") ? getenv("DISPLAY") : "");
	}
	rig->parent =
	    XCreateSimpleWindow(rig->display, DefaultRootWindow(rig->display),
				0, 0, 800, 700, 0, 0, 0);
	XMapWindow(rig->display, rig->parent);
	XSync(rig->display, False);

	rig->lib = dlopen(ui_path, RTLD_NOW | RTLD_LOCAL);
	if (!rig->lib) {
		fail_msg("%s", dlerror());
	}
	rig->get = (LV2UI_DescriptorFunction)(uintptr_t)dlsym(
	    rig->lib, "lv2ui_descriptor");
	rig->desc = rig->get ? rig->get(0) : NULL;
	if (!rig->desc) {
		fail_msg("no lv2ui_descriptor(0) in %s", ui_path);
	}
	rig->idle = (const LV2UI_Idle_Interface *)rig->desc->extension_data(
	    LV2_UI__idleInterface);
	if (!rig->idle) {
		fail_msg("%s: extension_data(ui:idleInterface) is NULL",
			 ui_path);
	}

	rig->map      = (LV2_URID_Map){ NULL, map_uri };
	rig->touch_f  = (LV2UI_Touch){ NULL, touch };
	rig->resize_f = (LV2UI_Resize){ NULL, resize };
	rig->f_parent =
	    (LV2_Feature){ LV2_UI__parent, (void *)(uintptr_t)rig->parent };
	rig->f_map        = (LV2_Feature){ LV2_URID__map, &rig->map };
	rig->f_touch      = (LV2_Feature){ LV2_UI__touch, &rig->touch_f };
	rig->f_resize     = (LV2_Feature){ LV2_UI__resize, &rig->resize_f };
	rig->f_idle       = (LV2_Feature){ LV2_UI__idleInterface, NULL };
	rig->features[0]  = &rig->f_parent;
	rig->features[1]  = &rig->f_map;
	rig->features[2]  = &rig->f_touch;
	rig->features[3]  = &rig->f_resize;
	rig->features[4]  = &rig->f_idle;
	rig->features[5]  = NULL;
	rig->no_parent[0] = &rig->f_map;
	rig->no_parent[1] = &rig->f_idle;
	rig->no_parent[2] = NULL;

	request_urid  = map_uri(NULL, ET_MSG__Request);
	alive_urid    = map_uri(NULL, ET_MSG__Alive);
	transfer_urid = map_uri(NULL, LV2_ATOM__eventTransfer);
	return 0;
}

static int
rig_teardown(void **state)
{
	Rig *rig = (Rig *)*state;
	if (!rig) {
		return 0;
	}
	if (rig->lib) {
		dlclose(rig->lib);
	}
	if (rig->display) {
		XDestroyWindow(rig->display, rig->parent);
		XCloseDisplay(rig->display);
	}
	for (uint32_t i = 0; i < n_uris; ++i) {
		free(uris[i]);
	}
	n_uris = 0;
	free(rig);
	/* One-time caches of cairo and fontconfig, so that only what the UI
	 * itself keeps would show as a leak. */
	cairo_debug_reset_static_data();
	FcFini();
	return 0;
}

/* After each test: what a failed check left open is closed, so that the
 * failure, not a leak it caused, is what the run reports. */
static int
close_leftovers(void **state)
{
	Rig *rig   = (Rig *)*state;
	watch_port = -1;
	if (rig->ui) {
		rig->desc->cleanup(rig->ui);
		rig->ui = NULL;
	}
	if (rig->own_parent) {
		XDestroyWindow(rig->display, rig->own_parent);
		XSync(rig->display, False);
		rig->own_parent = 0;
	}
	return 0;
}

/* A UI in the window `features` names; failing names `what`. */
static LV2UI_Handle
open_ui(Rig *rig, const LV2_Feature *const *features, LV2UI_Widget *widget,
	const char *what)
{
	*widget = NULL;
	rig->ui =
	    rig->desc->instantiate(rig->desc, "urn:eighttrack:plugin", ".",
				   ui_write, NULL, widget, features);
	if (!rig->ui) {
		fail_msg("instantiate returned NULL %s", what);
	}
	return rig->ui;
}

static void
close_ui(Rig *rig)
{
	rig->desc->cleanup(rig->ui);
	rig->ui = NULL;
}

/* The library holds one UI, ours, and answers only for the idle
 * interface. */
static void
test_the_library_holds_one_ui_with_an_idle_interface(void **state)
{
	Rig *rig = (Rig *)*state;
	if (strcmp(rig->desc->URI, "urn:eighttrack:ui")) {
		fail_msg(
		    "lv2ui_descriptor(0) in %s is <%s>, want <urn:eighttrack:ui>",
		    ui_path, rig->desc->URI);
	}
	if (rig->get(1)) {
		fail_msg(
		    "lv2ui_descriptor(1) in %s is <%s>, want NULL (one UI)",
		    ui_path, rig->get(1)->URI);
	}
	if (rig->desc->extension_data("urn:nothing")) {
		fail_msg("extension_data(\"urn:nothing\") is not NULL");
	}
}

/* A host that gives no window to live in gets no UI. */
static void
test_no_ui_without_a_parent(void **state)
{
	Rig         *rig    = (Rig *)*state;
	LV2UI_Widget widget = NULL;
	rig->ui =
	    rig->desc->instantiate(rig->desc, "urn:eighttrack:plugin", ".",
				   ui_write, NULL, &widget, rig->no_parent);
	if (rig->ui) {
		fail_msg("instantiated without ui:parent");
	}
}

/* Where the UI's controls are, in its window's pixels (its size is the
 * design's, 760 x 680): CLEAR, UNDO and REDO; the lanes' names, mutes and
 * levels, lane t at LANE_Y(t); CALIBRATE and the latency offset. */
#define CLEAR_X     334
#define CLEAR_Y     611
#define UNDO_X      334
#define REDO_X      426
#define UNDO_Y      262
#define LANE_X      58
#define MUTE_X      610
#define LEVEL_X     702
#define LANE_Y(t)   (302 + 38 * (int)(t))
#define CALIBRATE_X 518
#define OFFSET_X    656
#define LATENCY_Y   657

/* A quick click on CLEAR, press and release handled in one idle(): the
 * plugin only acts on a 1 it sees in a run(), so the UI must write 1 and
 * keep it until a later idle(), at least TRIGGER_MIN_HOLD (50 ms) after
 * the press, once the plugin showed it saw it (loop_state went to 0), or
 * TRIGGER_MAX_HOLD (300 ms) without a sign. */
static void
test_a_quick_click_on_clear_holds_1_until_a_later_idle(void **state)
{
	Rig                        *rig     = (Rig *)*state;
	const LV2UI_Descriptor     *desc    = rig->desc;
	const LV2UI_Idle_Interface *idle    = rig->idle;
	Display                    *display = rig->display;
	LV2UI_Widget                widget  = NULL;
	for (int seen = 1; seen >= 0; --seen) {
		LV2UI_Handle ui      = open_ui(rig, rig->features, &widget,
					       "for the CLEAR click");
		const float  playing = 3.0f, empty = 0.0f;
		desc->port_event(ui, ET_PORT_LOOP_STATE, sizeof(float), 0,
				 &playing);
		idle->idle(ui);
		const Window w     = (Window)(uintptr_t)widget;
		watch_port         = ET_PORT_LOOP_CLEAR;
		n_logged           = 0;
		const unsigned on0 = touches_on, off0 = touches_off;
		pointer(display, w, ButtonPress, Button1, CLEAR_X, CLEAR_Y);
		pointer(display, w, ButtonRelease, Button1, CLEAR_X, CLEAR_Y);
		XSync(display, False);
		idle->idle(ui);
		if (n_logged != 1 || logged[0] != 1.0f) {
			fail_msg(
			    "a click on CLEAR: not exactly a 1 in the idle() that saw "
			    "press and release (%u writes to loop_clear, the first %g)",
			    n_logged, n_logged ? (double)logged[0] : -1.0);
		}
		idle->idle(ui); /* a later idle(), but too soon */
		if (n_logged != 1) {
			fail_msg(
			    "CLEAR went back to 0 within 50 ms (%u writes, the last "
			    "%g)",
			    n_logged, last_logged());
		}
		if (seen) {
			/* The plugin cleared the loop: 0 follows after 50 ms.
			 */
			desc->port_event(ui, ET_PORT_LOOP_STATE, sizeof(float),
					 0, &empty);
			sleep_ms(60);
			idle->idle(ui);
		} else {
			sleep_ms(60);
			idle->idle(ui);
			if (n_logged != 1) {
				fail_msg(
				    "CLEAR went back to 0 after 60 ms without a sign that "
				    "the plugin saw the 1 (%u writes, the last %g)",
				    n_logged, last_logged());
			}
			sleep_ms(260);
			idle->idle(ui);
		}
		if (n_logged != 2 || logged[1] != 0.0f) {
			fail_msg(
			    "CLEAR did not go back to 0 in a later idle() (%s: %u "
			    "writes to loop_clear, the last %g)",
			    seen ? "the plugin saw it"
				 : "no sign from the plugin",
			    n_logged, last_logged());
		}
		if (touches_on != on0 + 1 || touches_off != off0 + 1) {
			fail_msg(
			    "CLEAR's click is not one touch gesture (%u grabs, %u "
			    "releases)",
			    touches_on - on0, touches_off - off0);
		}
		/* Held at close: cleanup() writes the 0. */
		pointer(display, w, ButtonPress, Button1, CLEAR_X, CLEAR_Y);
		XSync(display, False);
		idle->idle(ui);
		close_ui(rig);
		if (n_logged != 4 || logged[2] != 1.0f || logged[3] != 0.0f ||
		    touches_on != touches_off) {
			fail_msg(
			    "CLEAR held while the UI closes: no 0 from cleanup() (%u "
			    "writes to loop_clear, the last %g, want 1, 0, 1, 0; %u "
			    "grabs, %u releases)",
			    n_logged, last_logged(), touches_on, touches_off);
		}
		watch_port = -1;
	}
	printf(
	    "test_ui_leaks: a quick click on CLEAR holds 1 until a later idle(): ok\n");
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
 * that ends after the vector's header).  What fails here is valgrind's or
 * ASan's report of a read past the heap block. */
static void
test_truncated_and_lying_notify_atoms(void **state)
{
	Rig                    *rig    = (Rig *)*state;
	const LV2UI_Descriptor *desc   = rig->desc;
	LV2_URID_Map           *map    = &rig->map;
	LV2UI_Widget            widget = NULL;
	LV2UI_Handle            ui =
	    open_ui(rig, rig->features, &widget, "for the hostile atoms");
	const LV2_URID      transfer = map->map(NULL, LV2_ATOM__eventTransfer);
	_Alignas(8) uint8_t msg[4096];
	LV2_Atom_Forge      forge;
	LV2_Atom_Forge_Frame frame;
	float                peaks[ET_OVERVIEW_BINS] = { 0 };
	lv2_atom_forge_init(&forge, map);
	lv2_atom_forge_set_buffer(&forge, msg, sizeof(msg));
	lv2_atom_forge_object(&forge, &frame, 0,
			      map->map(NULL, ET_MSG__Overview));
	lv2_atom_forge_key(&forge, map->map(NULL, ET_MSG__track));
	lv2_atom_forge_int(&forge, 1);
	lv2_atom_forge_key(&forge, map->map(NULL, ET_MSG__serial));
	lv2_atom_forge_int(&forge, 1);
	lv2_atom_forge_key(&forge, map->map(NULL, ET_MSG__length));
	lv2_atom_forge_long(&forge, 48000);
	lv2_atom_forge_key(&forge, map->map(NULL, ET_MSG__binCount));
	lv2_atom_forge_int(&forge, ET_OVERVIEW_BINS);
	lv2_atom_forge_key(&forge, map->map(NULL, ET_MSG__first));
	lv2_atom_forge_int(&forge, 0);
	lv2_atom_forge_key(&forge, map->map(NULL, ET_MSG__peaks));
	lv2_atom_forge_vector(&forge, sizeof(float),
			      map->map(NULL, LV2_ATOM__Float),
			      ET_OVERVIEW_BINS, peaks);
	lv2_atom_forge_pop(&forge, &frame);
	LV2_Atom      *obj  = (LV2_Atom *)msg;
	const uint32_t full = obj->size;
	/* The object cut after the vector's 8-byte atom header. */
	obj->size = full - (uint32_t)(sizeof(LV2_Atom_Vector_Body) +
				      ET_OVERVIEW_BINS * sizeof(float));
	notify_exact(desc, ui, transfer, msg,
		     (uint32_t)sizeof(LV2_Atom) + obj->size);
	/* Every cut of the buffer, the object's size left whole. */
	obj->size = full;
	for (uint32_t cut = 0; cut < sizeof(LV2_Atom) + full; cut += 7) {
		notify_exact(desc, ui, transfer, msg, cut);
	}
	/* A vector claiming more than the object holds. */
	LV2_Atom *vec =
	    (LV2_Atom *)(msg + sizeof(LV2_Atom) +
			 sizeof(LV2_Atom_Object_Body) + 5 * 24 + 8);
	vec->size += 4096;
	notify_exact(desc, ui, transfer, msg,
		     (uint32_t)sizeof(LV2_Atom) + full);
	rig->idle->idle(ui);
	close_ui(rig);
	printf("test_ui_leaks: truncated and lying notify atoms: ok\n");
}

/* A toggle at 0.25 is on (the plugin reads > 0 as on): a click turns it
 * off. */
static void
test_a_toggle_above_0_is_on(void **state)
{
	Rig                    *rig     = (Rig *)*state;
	const LV2UI_Descriptor *desc    = rig->desc;
	Display                *display = rig->display;
	LV2UI_Widget            widget  = NULL;
	LV2UI_Handle            ui =
	    open_ui(rig, rig->features, &widget, "for the toggle");
	const uint32_t port    = et_track_port(1, ET_TRACK_FIELD_MUTE);
	const float    quarter = 0.25f;
	desc->port_event(ui, port, sizeof(float), 0, &quarter);
	rig->idle->idle(ui);
	watch_port = (int)port;
	n_logged   = 0;
	pointer(display, (Window)(uintptr_t)widget, ButtonPress, Button1, 150,
		214);
	pointer(display, (Window)(uintptr_t)widget, ButtonRelease, Button1,
		150, 214);
	XSync(display, False);
	rig->idle->idle(ui);
	watch_port = -1;
	close_ui(rig);
	if (n_logged != 1 || logged[0] != 0.0f) {
		fail_msg(
		    "a click on a mute at 0.25 does not turn it off (%u writes to "
		    "track 2's mute, the first %g; want one 0)",
		    n_logged, n_logged ? (double)logged[0] : -1.0);
	}
	printf("test_ui_leaks: a toggle above 0 is on: ok\n");
}

/* An Overview chunk of overview `serial`, bins first..first+63. */
static void
send_chunk(const LV2UI_Descriptor *desc, LV2UI_Handle ui, LV2_URID_Map *map,
	   uint32_t serial, uint32_t first)
{
	_Alignas(8) uint8_t  msg[1024];
	LV2_Atom_Forge       forge;
	LV2_Atom_Forge_Frame frame;
	float                peaks[ET_MSG_OVERVIEW_CHUNK] = { 0.5f };
	lv2_atom_forge_init(&forge, map);
	lv2_atom_forge_set_buffer(&forge, msg, sizeof(msg));
	lv2_atom_forge_object(&forge, &frame, 0,
			      map->map(NULL, ET_MSG__Overview));
	lv2_atom_forge_key(&forge, map->map(NULL, ET_MSG__track));
	lv2_atom_forge_int(&forge, 1);
	lv2_atom_forge_key(&forge, map->map(NULL, ET_MSG__serial));
	lv2_atom_forge_int(&forge, (int32_t)serial);
	lv2_atom_forge_key(&forge, map->map(NULL, ET_MSG__length));
	lv2_atom_forge_long(&forge, 48000);
	lv2_atom_forge_key(&forge, map->map(NULL, ET_MSG__binCount));
	lv2_atom_forge_int(&forge, ET_OVERVIEW_BINS);
	lv2_atom_forge_key(&forge, map->map(NULL, ET_MSG__first));
	lv2_atom_forge_int(&forge, (int32_t)first);
	lv2_atom_forge_key(&forge, map->map(NULL, ET_MSG__peaks));
	lv2_atom_forge_vector(&forge, sizeof(float),
			      map->map(NULL, LV2_ATOM__Float),
			      ET_MSG_OVERVIEW_CHUNK, peaks);
	lv2_atom_forge_pop(&forge, &frame);
	const LV2_Atom *atom = (const LV2_Atom *)msg;
	desc->port_event(ui, ET_PORT_NOTIFY, sizeof(LV2_Atom) + atom->size,
			 transfer_urid, atom);
}

/* A lost chunk: the UI asks for the overview again, at most once a second
 * (the Request it sent when it opened counts); so does the rest of an
 * overview that stops coming. */
static void
test_lost_chunks_are_asked_for_again_once_a_second(void **state)
{
	Rig                        *rig    = (Rig *)*state;
	const LV2UI_Descriptor     *desc   = rig->desc;
	const LV2UI_Idle_Interface *idle   = rig->idle;
	LV2_URID_Map               *map    = &rig->map;
	LV2UI_Widget                widget = NULL;
	const unsigned              before = requests;
	LV2UI_Handle                ui =
	    open_ui(rig, rig->features, &widget, "for the lost chunks");
	if (requests != before + 1) {
		fail_msg("no Request when the UI opens (%u Requests)",
			 requests - before);
	}
	send_chunk(desc, ui, map, 3, 0);
	send_chunk(desc, ui, map, 3, 128); /* 64..127 lost */
	idle->idle(ui);
	if (requests != before + 1) {
		fail_msg("a second Request within a second of the first (%u "
			 "Requests, want 1)",
			 requests - before);
	}
	sleep_ms(1050);
	idle->idle(ui);
	if (requests != before + 2) {
		fail_msg("no Request a second after a chunk went missing (%u "
			 "Requests, want 2)",
			 requests - before);
	}
	idle->idle(ui);
	if (requests != before + 2) {
		fail_msg(
		    "more than one Request for one lost chunk (%u Requests, "
		    "want 2)",
		    requests - before);
	}
	/* The answer starts; its rest never comes. */
	send_chunk(desc, ui, map, 3, 0);
	send_chunk(desc, ui, map, 3, 64);
	idle->idle(ui);
	sleep_ms(1050);
	idle->idle(ui);
	if (requests != before + 3) {
		fail_msg(
		    "no Request a second after an overview stopped coming (%u "
		    "Requests, want 3)",
		    requests - before);
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
		fail_msg(
		    "msg:Alive more than once a second (%u right after the "
		    "last message)",
		    alives - alive_before);
	}
	sleep_ms(1050);
	idle->idle(ui);
	close_ui(rig);
	if (requests != before + 3) {
		fail_msg(
		    "a Request after a whole overview (%u Requests, want 3)",
		    requests - before);
	}
	if (alives != alive_before + 1) {
		fail_msg(
		    "no msg:Alive a second after the last message (%u, want 1)",
		    alives - alive_before);
	}
	printf(
	    "test_ui_leaks: lost chunks are asked for again, once a second: ok\n");
}

/* A msg:Playheads or msg:Meter with `n` floats, as notify sends them. */
static void
send_floats(const LV2UI_Descriptor *desc, LV2UI_Handle ui, LV2_URID_Map *map,
	    const char *otype, const char *key, const float *values,
	    uint32_t n)
{
	_Alignas(8) uint8_t  msg[256];
	LV2_Atom_Forge       forge;
	LV2_Atom_Forge_Frame frame;
	lv2_atom_forge_init(&forge, map);
	lv2_atom_forge_set_buffer(&forge, msg, sizeof(msg));
	lv2_atom_forge_object(&forge, &frame, 0, map->map(NULL, otype));
	lv2_atom_forge_key(&forge, map->map(NULL, key));
	lv2_atom_forge_vector(&forge, sizeof(float),
			      map->map(NULL, LV2_ATOM__Float), n, values);
	lv2_atom_forge_pop(&forge, &frame);
	const LV2_Atom *atom = (const LV2_Atom *)msg;
	desc->port_event(ui, ET_PORT_NOTIFY, sizeof(LV2_Atom) + atom->size,
			 transfer_urid, atom);
}

/* A click at (x, y) with `button`, handled in one idle(); what the UI
 * wrote to `port` since is in logged[]. */
static void
click_watching(Rig *rig, LV2UI_Handle ui, Window w, uint32_t port, int x,
	       int y, unsigned button)
{
	watch_port = (int)port;
	n_logged   = 0;
	pointer(rig->display, w, ButtonPress, button, x, y);
	pointer(rig->display, w, ButtonRelease, button, x, y);
	XSync(rig->display, False);
	rig->idle->idle(ui);
}

/* Each loop lane writes its own track's ports: its MUTE that track's
 * loop mute, its name the active track, a wheel notch on its level
 * 0.5 dB; UNDO and REDO write 1, then 0 in a later idle() (as CLEAR). */
static void
test_lanes_undo_and_redo_write_their_ports(void **state)
{
	Rig         *rig    = (Rig *)*state;
	LV2UI_Widget widget = NULL;
	LV2UI_Handle ui =
	    open_ui(rig, rig->features, &widget, "for the lanes");
	const Window w                         = (Window)(uintptr_t)widget;
	const float  positions[ET_TRACK_COUNT] = { 0.5f, -1, -1, -1,
						   -1,   -1, -1, 0.25f };
	const float  input[2]                  = { 0.5f, 0.7f };
	send_floats(rig->desc, ui, &rig->map, ET_MSG__Playheads,
		    ET_MSG__positions, positions, ET_TRACK_COUNT);
	send_floats(rig->desc, ui, &rig->map, ET_MSG__Meter, ET_MSG__input,
		    input, 2);
	rig->idle->idle(ui);
	/* From lane 8 up: each name clicked is a track not yet active. */
	for (unsigned t = ET_TRACK_COUNT; t-- > 0;) {
		const uint32_t mute =
		    et_track_loop_port(t, ET_TRACK_LOOP_MUTE);
		click_watching(rig, ui, w, mute, MUTE_X, LANE_Y(t), Button1);
		if (n_logged != 1 || logged[0] != 1.0f) {
			fail_msg("a click on lane %u's MUTE: %u writes to "
				 "track%u_loop_mute, the last %g; want one 1",
				 t + 1, n_logged, t + 1, last_logged());
		}
		click_watching(rig, ui, w, ET_PORT_ACTIVE_TRACK, LANE_X,
			       LANE_Y(t), Button1);
		if (n_logged != 1 || logged[0] != (float)(t + 1)) {
			fail_msg("a click on lane %u's name: %u writes to "
				 "active_track, the last %g; want one %u",
				 t + 1, n_logged, last_logged(), t + 1);
		}
		const uint32_t level =
		    et_track_loop_port(t, ET_TRACK_LOOP_LEVEL);
		click_watching(rig, ui, w, level, LEVEL_X, LANE_Y(t), Button4);
		if (n_logged != 1 || logged[0] != 0.5f) {
			fail_msg(
			    "a wheel notch up on lane %u's level: %u writes "
			    "to track%u_loop_level, the last %g; want one "
			    "0.5",
			    t + 1, n_logged, t + 1, last_logged());
		}
	}
	const struct {
		uint32_t    port;
		int         x;
		const char *name;
	} triggers[2] = { { ET_PORT_LOOP_UNDO, UNDO_X, "UNDO" },
			  { ET_PORT_LOOP_REDO, REDO_X, "REDO" } };
	for (unsigned k = 0; k < 2; ++k) {
		click_watching(rig, ui, w, triggers[k].port, triggers[k].x,
			       UNDO_Y, Button1);
		if (n_logged != 1 || logged[0] != 1.0f) {
			fail_msg("a click on %s: %u writes, the last %g; want "
				 "one 1",
				 triggers[k].name, n_logged, last_logged());
		}
		sleep_ms(320); /* TRIGGER_MAX_HOLD: no sign from a plugin */
		rig->idle->idle(ui);
		if (n_logged != 2 || logged[1] != 0.0f) {
			fail_msg(
			    "%s did not go back to 0 in a later idle() (%u "
			    "writes, the last %g)",
			    triggers[k].name, n_logged, last_logged());
		}
	}
	watch_port = -1;
	close_ui(rig);
	printf("test_ui_leaks: lanes, UNDO and REDO write their ports: ok\n");
}

/* A msg:Calibration saying that track 1 is being measured. */
static void
send_calibration_running(const LV2UI_Descriptor *desc, LV2UI_Handle ui,
			 LV2_URID_Map *map)
{
	_Alignas(8) uint8_t  msg[256];
	LV2_Atom_Forge       forge;
	LV2_Atom_Forge_Frame frame;
	lv2_atom_forge_init(&forge, map);
	lv2_atom_forge_set_buffer(&forge, msg, sizeof(msg));
	lv2_atom_forge_object(&forge, &frame, 0,
			      map->map(NULL, ET_MSG__Calibration));
	const char *const ints[]   = { ET_MSG__track, ET_MSG__state,
				       ET_MSG__reason, ET_MSG__answered };
	const int32_t     values[] = { 1, ET_MSG_CALIBRATION_RUNNING, 0, 0 };
	for (unsigned i = 0; i < 4; ++i) {
		lv2_atom_forge_key(&forge, map->map(NULL, ints[i]));
		lv2_atom_forge_int(&forge, values[i]);
	}
	lv2_atom_forge_key(&forge, map->map(NULL, ET_MSG__latency));
	lv2_atom_forge_float(&forge, 0.0f);
	lv2_atom_forge_key(&forge, map->map(NULL, ET_MSG__spread));
	lv2_atom_forge_float(&forge, 0.0f);
	lv2_atom_forge_pop(&forge, &frame);
	const LV2_Atom *atom = (const LV2_Atom *)msg;
	desc->port_event(ui, ET_PORT_NOTIFY, sizeof(LV2_Atom) + atom->size,
			 transfer_urid, atom);
}

/* CALIBRATE writes 1, and 0 in an idle() TRIGGER_MIN_HOLD (50 ms) after
 * the plugin said a calibration runs (well before the 300 ms it waits
 * without a sign); a wheel notch on the offset writes 0.5 ms, a drag
 * tenths of a ms. */
static void
test_calibrate_and_offset_write_their_ports(void **state)
{
	Rig         *rig    = (Rig *)*state;
	LV2UI_Widget widget = NULL;
	LV2UI_Handle ui =
	    open_ui(rig, rig->features, &widget, "for CALIBRATE");
	const Window w = (Window)(uintptr_t)widget;
	rig->idle->idle(ui);
	click_watching(rig, ui, w, ET_PORT_CALIBRATE, CALIBRATE_X, LATENCY_Y,
		       Button1);
	if (n_logged != 1 || logged[0] != 1.0f) {
		fail_msg("a click on CALIBRATE: %u writes, the last %g; want "
			 "one 1",
			 n_logged, last_logged());
	}
	send_calibration_running(rig->desc, ui, &rig->map);
	rig->idle->idle(ui); /* the one that saw the release */
	sleep_ms(80);
	rig->idle->idle(ui);
	if (n_logged != 2 || logged[1] != 0.0f) {
		fail_msg("CALIBRATE not back to 0 80 ms after the plugin "
			 "said it runs (%u writes, the last %g)",
			 n_logged, last_logged());
	}
	click_watching(rig, ui, w, ET_PORT_LATENCY_OFFSET, OFFSET_X, LATENCY_Y,
		       Button4);
	if (n_logged != 1 || logged[0] != 0.5f) {
		fail_msg("a wheel notch up on the offset: %u writes, the last "
			 "%g; want one 0.5",
			 n_logged, last_logged());
	}
	watch_port = -1;
	close_ui(rig);
	printf("test_ui_leaks: CALIBRATE and the offset write their ports: "
	       "ok\n");
}

/* The host destroys its window, our parent, before it calls cleanup()
 * (or idle()): Xlib's default error handler would exit the process on the
 * BadWindow of destroying ours; the UI must trap it and go on. */
static void
test_a_parent_destroyed_before_cleanup_or_idle(void **state)
{
	Rig                        *rig      = (Rig *)*state;
	const LV2UI_Descriptor     *desc     = rig->desc;
	const LV2UI_Idle_Interface *idle     = rig->idle;
	Display                    *display  = rig->display;
	const LV2_Feature *const   *features = rig->features;
	LV2_Feature                 f_parent = { LV2_UI__parent, NULL };
	const LV2_Feature          *with[16];
	unsigned                    n = 0;
	for (; features[n] && n < 14; ++n) {
		with[n] = strcmp(features[n]->URI, LV2_UI__parent)
			      ? features[n]
			      : &f_parent;
	}
	with[n] = NULL;
	for (int then_idle = 0; then_idle < 3; ++then_idle) {
		const Window parent =
		    XCreateSimpleWindow(display, DefaultRootWindow(display), 0,
					0, 800, 700, 0, 0, 0);
		rig->own_parent = parent;
		XMapWindow(display, parent);
		XSync(display, False);
		f_parent.data       = (void *)(uintptr_t)parent;
		LV2UI_Widget widget = NULL;
		LV2UI_Handle ui =
		    open_ui(rig, with, &widget, "in a parent of its own");
		idle->idle(ui);
		if (then_idle == 2) {
			/* A redraw due as the window goes, the server maybe
			 * not done destroying it when the UI draws (not
			 * synced): the XPutImage may fail, and must not end
			 * the process. */
			const float v = 5.0f;
			desc->port_event(ui, ET_PORT_ACTIVE_TRACK,
					 sizeof(float), 0, &v);
			XDestroyWindow(display, parent);
			rig->own_parent = 0;
			XFlush(display);
			idle->idle(ui);
		}
		if (then_idle < 2) {
			XDestroyWindow(display, parent);
			rig->own_parent = 0;
		}
		XSync(display, False);
		if (then_idle >= 1) {
			const int asked = idle->idle(ui);
			if (asked != 1) {
				fail_msg(
				    "idle() does not ask to close once the parent is gone "
				    "(it returned %d%s)",
				    asked,
				    then_idle == 2
					? ", a redraw due as it went"
					: "");
			}
		}
		close_ui(rig);
		/* A parent that is no window at all: instantiate fails, the
		 * process stays. */
		if (then_idle == 0) {
			rig->ui = desc->instantiate(
			    desc, "urn:eighttrack:plugin", ".", ui_write, NULL,
			    &widget, with);
			if (rig->ui) {
				fail_msg("instantiated in a destroyed parent");
			}
		}
	}
	printf(
	    "test_ui_leaks: parent destroyed before cleanup() or idle(): ok\n");
}

/* The story: a host opens the UI, feeds it ports and an overview, the
 * player mutes, drags and clicks, idle() runs, the host closes it; 100
 * times.  Every gesture reaches the host as writes and touches that end. */
static void
test_100_rounds_of_open_play_and_close(void **state)
{
	Rig                        *rig     = (Rig *)*state;
	const LV2UI_Descriptor     *desc    = rig->desc;
	const LV2UI_Idle_Interface *idle    = rig->idle;
	Display                    *display = rig->display;
	LV2_URID_Map               *map     = &rig->map;

	/* A whole one-chunk overview and a note light, as notify sends them.
	 */
	_Alignas(8) uint8_t  msg[1024];
	LV2_Atom_Forge       forge;
	LV2_Atom_Forge_Frame frame;
	lv2_atom_forge_init(&forge, map);
	const LV2_URID transfer = map->map(NULL, LV2_ATOM__eventTransfer);
	float          peaks[ET_MSG_OVERVIEW_CHUNK];
	for (unsigned i = 0; i < ET_MSG_OVERVIEW_CHUNK; ++i) {
		peaks[i] = (float)i / ET_MSG_OVERVIEW_CHUNK;
	}
	const unsigned writes0 = writes, on0 = touches_on, off0 = touches_off;

	for (unsigned round = 0; round < ROUNDS; ++round) {
		LV2UI_Widget widget = NULL;
		char         what[32];
		snprintf(what, sizeof(what), "(round %u)", round);
		LV2UI_Handle ui = open_ui(rig, rig->features, &widget, what);
		if (!widget) {
			fail_msg("instantiate gave no widget (round %u)",
				 round);
		}
		const float values[] = { 3.0f, 1.0f, 2.0f, 0.4f };
		desc->port_event(ui, ET_PORT_ACTIVE_TRACK, sizeof(float), 0,
				 &values[0]);
		desc->port_event(ui, ET_PORT_LOOP_STATE, sizeof(float), 0,
				 &values[2]);
		desc->port_event(ui, ET_PORT_LOOP_POSITION, sizeof(float), 0,
				 &values[3]);

		lv2_atom_forge_set_buffer(&forge, msg, sizeof(msg));
		lv2_atom_forge_object(&forge, &frame, 0,
				      map->map(NULL, ET_MSG__Overview));
		lv2_atom_forge_key(&forge, map->map(NULL, ET_MSG__track));
		lv2_atom_forge_int(&forge, 3);
		lv2_atom_forge_key(&forge, map->map(NULL, ET_MSG__serial));
		lv2_atom_forge_int(&forge, 1);
		lv2_atom_forge_key(&forge, map->map(NULL, ET_MSG__length));
		lv2_atom_forge_long(&forge, 48000);
		lv2_atom_forge_key(&forge, map->map(NULL, ET_MSG__binCount));
		lv2_atom_forge_int(&forge, ET_MSG_OVERVIEW_CHUNK);
		lv2_atom_forge_key(&forge, map->map(NULL, ET_MSG__first));
		lv2_atom_forge_int(&forge, 0);
		lv2_atom_forge_key(&forge, map->map(NULL, ET_MSG__peaks));
		lv2_atom_forge_vector(&forge, sizeof(float),
				      map->map(NULL, LV2_ATOM__Float),
				      ET_MSG_OVERVIEW_CHUNK, peaks);
		lv2_atom_forge_pop(&forge, &frame);
		const LV2_Atom *atom = (const LV2_Atom *)msg;
		desc->port_event(ui, ET_PORT_NOTIFY,
				 sizeof(LV2_Atom) + atom->size, transfer,
				 atom);

		const float positions[ET_TRACK_COUNT] = { 0.1f,  -1.0f, 0.4f,
							  -1.0f, -1.0f, -1.0f,
							  -1.0f, 0.9f };
		const float input[2] = { 0.3f, (float)round / ROUNDS };
		send_floats(desc, ui, map, ET_MSG__Playheads,
			    ET_MSG__positions, positions, ET_TRACK_COUNT);
		send_floats(desc, ui, map, ET_MSG__Meter, ET_MSG__input, input,
			    2);

		const Window w = (Window)(uintptr_t)widget;
		idle->idle(ui);
		/* Mute track 2, drag track 1's transpose up, click CLEAR. */
		pointer(display, w, ButtonPress, Button1, 150, 214);
		pointer(display, w, ButtonRelease, Button1, 150, 214);
		pointer(display, w, ButtonPress, Button1, 58, 143);
		pointer(display, w, MotionNotify, 0, 58, 120);
		pointer(display, w, ButtonRelease, Button1, 58, 120);
		pointer(display, w, ButtonPress, Button1, CLEAR_X, CLEAR_Y);
		pointer(display, w, ButtonRelease, Button1, CLEAR_X, CLEAR_Y);
		/* Lane 3's mute, lane 5's level dragged, lane 2 made active,
		 * UNDO. */
		pointer(display, w, ButtonPress, Button1, MUTE_X, LANE_Y(2));
		pointer(display, w, ButtonRelease, Button1, MUTE_X, LANE_Y(2));
		pointer(display, w, ButtonPress, Button1, LEVEL_X, LANE_Y(4));
		pointer(display, w, MotionNotify, 0, LEVEL_X, LANE_Y(4) - 20);
		pointer(display, w, ButtonRelease, Button1, LEVEL_X,
			LANE_Y(4) - 20);
		pointer(display, w, ButtonPress, Button1, LANE_X, LANE_Y(1));
		pointer(display, w, ButtonRelease, Button1, LANE_X, LANE_Y(1));
		pointer(display, w, ButtonPress, Button1, UNDO_X, UNDO_Y);
		pointer(display, w, ButtonRelease, Button1, UNDO_X, UNDO_Y);
		XSync(display, False);
		for (int i = 0; i < 3; ++i) {
			const int asked = idle->idle(ui);
			if (asked != 0) {
				fail_msg(
				    "idle asked to close (it returned %d, round %u, call "
				    "%d)",
				    asked, round, i + 1);
			}
		}
		close_ui(rig);
	}

	/* The rounds' own gestures reached the host, and every touch the UI
	 * began, in any test so far, it ended. */
	if (writes == writes0 || touches_on == on0 ||
	    touches_on != touches_off ||
	    touches_off - off0 != touches_on - on0) {
		fail_msg(
		    "gestures did not reach the host (%u writes, %u touch on, "
		    "%u touch off in the rounds; %u writes, %u touch on, %u "
		    "touch off in all)",
		    writes - writes0, touches_on - on0, touches_off - off0,
		    writes, touches_on, touches_off);
	}
	printf("test_ui_leaks: %d rounds, %u writes, %u touch gestures: ok\n",
	       ROUNDS, writes, touches_on);
}

int
main(int argc, char **argv)
{
	if (argc > 1) {
		ui_path = argv[1];
	}
	/* The "test_ui_leaks: ...: ok" lines and cmocka's, in their order,
	 * in the log test_ui.sh keeps. */
	setvbuf(stdout, NULL, _IOLBF, 0);
#define T(f) cmocka_unit_test_teardown(f, close_leftovers)
	const struct CMUnitTest tests[] = {
		T(test_the_library_holds_one_ui_with_an_idle_interface),
		T(test_no_ui_without_a_parent),
		T(test_a_quick_click_on_clear_holds_1_until_a_later_idle),
		T(test_lost_chunks_are_asked_for_again_once_a_second),
		T(test_a_toggle_above_0_is_on),
		T(test_lanes_undo_and_redo_write_their_ports),
		T(test_calibrate_and_offset_write_their_ports),
		T(test_truncated_and_lying_notify_atoms),
		T(test_a_parent_destroyed_before_cleanup_or_idle),
		T(test_100_rounds_of_open_play_and_close),
	};
#undef T
	return cmocka_run_group_tests(tests, rig_setup, rig_teardown);
}
