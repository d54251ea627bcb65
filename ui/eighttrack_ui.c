/* Eighttrack's own UI: an X11 window drawn with cairo, no toolkit.
 *
 * It embeds in the host's window (ui:parent), handles its X events and
 * redraws from the host's idle call (ui:idleInterface), and tells the
 * host its size with ui:resize when offered (not declared in the Turtle:
 * lv2lint fails a UI that lists the deprecated ui:resize feature; the
 * window's size hints say the same to hosts that read them).  Values
 * come in through port_event, the note lights and the waveform through
 * notify (see plugin/lv2/messages.h); gestures go out through write_function,
 * wrapped in ui:touch when the host offers it. */
#include "messages.h"
#include "ports.h"
#include "view.h"

#include <lv2/atom/forge.h>
#include <lv2/atom/util.h>
#include <lv2/core/lv2.h>
#include <lv2/ui/ui.h>
#include <lv2/urid/urid.h>

/* After the LV2 headers: Xlib defines Bool, a field name in forge.h. */
#include <X11/Xlib.h>
#include <X11/Xutil.h>
#include <cairo.h>

#include <math.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define ET_UI_URI "urn:eighttrack:ui"

/* A trigger (CLEAR) stays written 1 after a click at least this long, and
 * until an idle() after the release: the plugin acts on a 0->1 change
 * between two run() calls, so a 1 and a 0 that reached the host before one
 * run() would do nothing.  Once the plugin showed that it saw the 1 (a
 * cleared loop_state, a Calibration that runs or was refused, or the host
 * echoing the trigger), TRIGGER_MIN_HOLD; without such a sign
 * TRIGGER_MAX_HOLD, longer than a period of any usual JACK setup (8192
 * frames at 44.1 kHz: 186 ms). */
#define TRIGGER_MIN_HOLD 0.05
#define TRIGGER_MAX_HOLD 0.3

/* A chunk of the waveform's overview lost (one out of sequence, or the
 * rest of an overview not come within REQUEST_INTERVAL): the UI asks for
 * it again, at most once per REQUEST_INTERVAL. */
#define REQUEST_INTERVAL 1.0

/* The input meter falls back this fast (a peak meter's release), so that
 * it reads steadily between the plugin's Meters (one every
 * ET_MSG_METER_SECONDS, the peak since the last) and goes dark when they
 * stop; it rises at once. */
#define METER_FALL_DB_PER_SECOND 20.0

typedef struct {
	LV2_URID  atom_eventTransfer;
	LV2_URID  msg_Request, msg_Alive;
	EtMsgUris msg; /* what notify's messages are made of */
} UiUris;

typedef struct {
	LV2UI_Write_Function write;
	LV2UI_Controller     controller;
	LV2_URID_Map        *map;
	LV2UI_Touch         *touch; /* NULL if the host has none */
	UiUris               uris;

	Display *display;
	Window   window;
	bool     window_gone; /* destroyed with its parent */
	Visual  *visual;
	int      depth;
	GC       gc;
	int      width, height;
	bool     dirty;      /* redraw everything */
	bool     live_dirty; /* redraw the playheads and the meter */

	/* Drawn in memory, then put on the window: cairo's xlib backend keeps
	 * per-Display caches that outlive a closed Display, so a host that
	 * opens and closes the UI would leak with each.  `still` holds what
	 * changes only with the ports and the overviews; each frame is it
	 * with the playheads and the meter drawn over (et_view_draw_live), so
	 * that they can move 25 times a second for little. */
	cairo_surface_t *still;   /* RGB24, width x height */
	cairo_surface_t *surface; /* the frame: RGB24, width x height */
	XImage          *image;   /* over the frame's pixels */

	EtUiModel model;
	EtLayout  layout;

	/* The gesture under way (button 1 held on a number or a trigger). */
	const EtWidget *grab;
	double          grab_y; /* design units */
	float           grab_value;
	bool            moved;
	/* The last click on a number without a drag, for double-clicks. */
	const EtWidget *clicked;
	Time            clicked_at;

	/* A trigger written 1 (see TRIGGER_MIN_HOLD). */
	bool     trigger_on;
	uint32_t trigger_port;
	double   trigger_since;    /* monotonic seconds when 1 was written */
	bool     trigger_released; /* the button went up */
	bool     trigger_idled;    /* an idle() ended since the release */
	bool     trigger_seen;     /* the plugin showed that it saw the 1 */

	/* Asking for the overview again (see REQUEST_INTERVAL). */
	bool   request_due;
	double requested_at; /* monotonic seconds of the last Request */
	double alive_at;     /* ... of the last message (Request or Alive) */
	double chunk_at;     /* of the last chunk taken */
	double meter_at;     /* when the meter last fell back */
} EtUi;

static double
now_seconds(void)
{
	struct timespec t;
	clock_gettime(CLOCK_MONOTONIC, &t);
	return (double)t.tv_sec + (double)t.tv_nsec * 1e-9;
}

static void
map_uris(UiUris *u, LV2_URID_Map *map)
{
	EtMsgUris *m          = &u->msg;
	u->atom_eventTransfer = map->map(map->handle, LV2_ATOM__eventTransfer);
	u->msg_Request        = map->map(map->handle, ET_MSG__Request);
	u->msg_Alive          = map->map(map->handle, ET_MSG__Alive);
	m->atom_Object        = map->map(map->handle, LV2_ATOM__Object);
	m->atom_Blank         = map->map(map->handle, LV2_ATOM__Blank);
	m->atom_Int           = map->map(map->handle, LV2_ATOM__Int);
	m->atom_Long          = map->map(map->handle, LV2_ATOM__Long);
	m->atom_Float         = map->map(map->handle, LV2_ATOM__Float);
	m->atom_Vector        = map->map(map->handle, LV2_ATOM__Vector);
	m->msg_Activity       = map->map(map->handle, ET_MSG__Activity);
	m->msg_Overview       = map->map(map->handle, ET_MSG__Overview);
	m->msg_Playheads      = map->map(map->handle, ET_MSG__Playheads);
	m->msg_Meter          = map->map(map->handle, ET_MSG__Meter);
	m->msg_Calibration    = map->map(map->handle, ET_MSG__Calibration);
	m->msg_sounding       = map->map(map->handle, ET_MSG__sounding);
	m->msg_track          = map->map(map->handle, ET_MSG__track);
	m->msg_serial         = map->map(map->handle, ET_MSG__serial);
	m->msg_length         = map->map(map->handle, ET_MSG__length);
	m->msg_binCount       = map->map(map->handle, ET_MSG__binCount);
	m->msg_first          = map->map(map->handle, ET_MSG__first);
	m->msg_peaks          = map->map(map->handle, ET_MSG__peaks);
	m->msg_positions      = map->map(map->handle, ET_MSG__positions);
	m->msg_input          = map->map(map->handle, ET_MSG__input);
	m->msg_state          = map->map(map->handle, ET_MSG__state);
	m->msg_reason         = map->map(map->handle, ET_MSG__reason);
	m->msg_latency        = map->map(map->handle, ET_MSG__latency);
	m->msg_spread         = map->map(map->handle, ET_MSG__spread);
	m->msg_answered       = map->map(map->handle, ET_MSG__answered);
}

/* ------------------------------------------------------------ to the host */

static void
touch(EtUi *ui, uint32_t port, bool grabbed)
{
	if (ui->touch) {
		ui->touch->touch(ui->touch->handle, port, grabbed);
	}
}

static void
write_value(EtUi *ui, uint32_t port, float value)
{
	value = et_port_sanitize(port, value);
	if (et_port_is_tenths(port)) {
		value = roundf(value * 10.0f) / 10.0f;
	}
	if (value == ui->model.value[port]) {
		return;
	}
	ui->model.value[port] = value;
	ui->write(ui->controller, port, sizeof(float), 0, &value);
	ui->dirty = true;
}

/* One complete gesture: touch, one value, release. */
static void
set_value(EtUi *ui, uint32_t port, float value)
{
	touch(ui, port, true);
	write_value(ui, port, value);
	touch(ui, port, false);
}

/* An empty object of type `otype` to the plugin, on midi_in. */
static void
send_message(EtUi *ui, LV2_URID otype)
{
	_Alignas(8) uint8_t  buf[64];
	LV2_Atom_Forge       forge;
	LV2_Atom_Forge_Frame frame;
	lv2_atom_forge_init(&forge, ui->map);
	lv2_atom_forge_set_buffer(&forge, buf, sizeof(buf));
	lv2_atom_forge_object(&forge, &frame, 0, otype);
	lv2_atom_forge_pop(&forge, &frame);
	const LV2_Atom *atom = (const LV2_Atom *)buf;
	ui->write(ui->controller, ET_PORT_MIDI_IN,
		  (uint32_t)sizeof(LV2_Atom) + atom->size,
		  ui->uris.atom_eventTransfer, atom);
	ui->alive_at = now_seconds(); /* any message says the UI is open */
}

static void
send_request(EtUi *ui)
{
	send_message(ui, ui->uris.msg_Request);
	ui->request_due  = false;
	ui->requested_at = now_seconds();
}

/* ------------------------------------------------------------ from the host
 */

static void
read_message(EtUi *ui, const void *buffer, uint32_t size)
{
	EtMsg msg;
	switch (et_msg_read(&ui->uris.msg, buffer, size, &msg)) {
	case ET_MSG_ACTIVITY:
		if (msg.sounding != ui->model.sounding) {
			ui->model.sounding = msg.sounding;
			ui->dirty          = true;
		}
		break;
	case ET_MSG_OVERVIEW:
		switch (et_ui_model_overview(&ui->model, msg.track, msg.serial,
					     msg.length, msg.bins, msg.first,
					     msg.peaks, msg.n)) {
		case ET_CHUNK_LOST: ui->request_due = true; break;
		case ET_CHUNK_TAKEN:
			ui->chunk_at = now_seconds();
			if (msg.first == 0) {
				ui->request_due =
				    false; /* a new one starts whole */
			}
			break;
		case ET_CHUNK_WHOLE:
			ui->request_due = false;
			ui->dirty       = true;
			break;
		case ET_CHUNK_BAD: break;
		}
		break;
	case ET_MSG_PLAYHEADS:
		if (memcmp(msg.position, ui->model.position,
			   sizeof(msg.position)) != 0) {
			memcpy(ui->model.position, msg.position,
			       sizeof(msg.position));
			ui->live_dirty = true;
		}
		break;
	case ET_MSG_METER:
		for (unsigned c = 0; c < 2; ++c) {
			if (msg.input[c] > ui->model.input[c]) {
				ui->model.input[c] = msg.input[c];
				ui->live_dirty     = true;
			}
		}
		break;
	case ET_MSG_CALIBRATION:
		et_ui_model_calibration(&ui->model, &msg);
		/* Running or refused: the plugin saw CALIBRATE's 1 (what a
		 * Request brings back may be older, but a calibration that
		 * runs cannot be started again anyway). */
		if (ui->trigger_on && ui->trigger_port == ET_PORT_CALIBRATE &&
		    (msg.state == ET_MSG_CALIBRATION_RUNNING ||
		     msg.state == ET_MSG_CALIBRATION_REFUSED)) {
			ui->trigger_seen = true;
		}
		ui->dirty = true;
		break;
	case ET_MSG_NONE: break;
	}
}

static void
port_event(LV2UI_Handle handle, uint32_t port, uint32_t size, uint32_t format,
	   const void *buffer)
{
	EtUi *ui = (EtUi *)handle;
	if (format == 0 && size == sizeof(float) && port < ET_PORT_COUNT) {
		float v;
		memcpy(&v, buffer, sizeof(v));
		if (ui->trigger_on &&
		    ((port == ET_PORT_LOOP_STATE && v == 0.0f &&
		      ui->model.value[port] != 0.0f) ||
		     (port == ui->trigger_port && v > 0.0f))) {
			ui->trigger_seen = true;
		}
		if (port == ui->trigger_port && ui->trigger_on) {
			return; /* ours stays 1 until trigger_off() */
		}
		if (v != ui->model.value[port]) {
			ui->model.value[port] = v;
			if (et_view_port_is_live(port)) {
				ui->live_dirty = true;
			} else {
				ui->dirty = true;
			}
		}
	} else if (format == ui->uris.atom_eventTransfer &&
		   port == ET_PORT_NOTIFY) {
		read_message(ui, buffer, size);
	}
}

/* ------------------------------------------------------------ X11 */

/* Xlib's default error handler exits the process, and the host's window
 * (our parent, so our window too) can be destroyed before cleanup() or
 * between two idle() calls.  Requests that may name a window gone are
 * made inside trap_begin() .. trap_end(), which installs a handler that
 * swallows errors on our own Display (each UI has its own connection)
 * and passes any other on to the handler it replaced, then restores it.
 * Hosts call a UI from one thread, and the handler is only in place
 * during one call of ours. */
static Display      *trap_display;
static XErrorHandler trap_previous;
static int           trap_error; /* first error code caught, or 0 */

static int
trap_handler(Display *display, XErrorEvent *e)
{
	if (display == trap_display) {
		if (!trap_error) {
			trap_error = e->error_code;
		}
		return 0;
	}
	return trap_previous ? trap_previous(display, e) : 0;
}

static void
trap_begin(Display *display)
{
	trap_display  = display;
	trap_error    = 0;
	trap_previous = XSetErrorHandler(trap_handler);
}

/* Waits for the replies to what was sent since trap_begin(): the error
 * code of the first that failed, or 0. */
static int
trap_end(Display *display)
{
	XSync(display, False);
	XSetErrorHandler(trap_previous);
	trap_display  = NULL;
	trap_previous = NULL;
	return trap_error;
}

static void
view_transform(const EtUi *ui, double *scale, double *ox, double *oy)
{
	*scale = fmin((double)ui->width / ET_VIEW_WIDTH,
		      (double)ui->height / ET_VIEW_HEIGHT);
	if (*scale <= 0.0) {
		*scale = 1.0;
	}
	*ox = floor((ui->width - ET_VIEW_WIDTH * *scale) / 2);
	*oy = floor((ui->height - ET_VIEW_HEIGHT * *scale) / 2);
}

static void
free_canvas(EtUi *ui)
{
	if (ui->image) {
		ui->image->data = NULL; /* the surface owns the pixels */
		XDestroyImage(ui->image);
		ui->image = NULL;
	}
	if (ui->surface) {
		cairo_surface_destroy(ui->surface);
		ui->surface = NULL;
	}
	if (ui->still) {
		cairo_surface_destroy(ui->still);
		ui->still = NULL;
	}
}

/* Two image surfaces of the window's size, and an XImage over the
 * frame's pixels. */
static bool
make_canvas(EtUi *ui)
{
	free_canvas(ui);
	ui->still   = cairo_image_surface_create(CAIRO_FORMAT_RGB24, ui->width,
						 ui->height);
	ui->surface = cairo_image_surface_create(CAIRO_FORMAT_RGB24, ui->width,
						 ui->height);
	if (cairo_surface_status(ui->still) != CAIRO_STATUS_SUCCESS ||
	    cairo_surface_status(ui->surface) != CAIRO_STATUS_SUCCESS) {
		return false;
	}
	ui->image =
	    XCreateImage(ui->display, ui->visual, (unsigned)ui->depth, ZPixmap,
			 0, (char *)cairo_image_surface_get_data(ui->surface),
			 (unsigned)ui->width, (unsigned)ui->height, 32,
			 cairo_image_surface_get_stride(ui->surface));
	ui->dirty = true; /* a new `still` */
	return ui->image != NULL;
}

/* A cairo context on `surface`, in design units. */
static cairo_t *
design_context(const EtUi *ui, cairo_surface_t *surface)
{
	double s, ox, oy;
	view_transform(ui, &s, &ox, &oy);
	cairo_t *cr = cairo_create(surface);
	cairo_translate(cr, ox, oy);
	cairo_scale(cr, s, s);
	return cr;
}

static void
draw(EtUi *ui)
{
	if (!ui->image && !make_canvas(ui)) {
		return;
	}
	cairo_t *cr;
	if (ui->dirty) {
		cr = design_context(ui, ui->still);
		et_view_draw_static(cr, &ui->layout, &ui->model);
		cairo_destroy(cr);
		cairo_surface_flush(ui->still);
	}
	cr = cairo_create(ui->surface);
	cairo_set_source_surface(cr, ui->still, 0, 0);
	cairo_set_operator(cr, CAIRO_OPERATOR_SOURCE);
	cairo_paint(cr);
	cairo_destroy(cr);
	cr = design_context(ui, ui->surface);
	et_view_draw_live(cr, &ui->model);
	cairo_destroy(cr);
	cairo_surface_flush(ui->surface);
	trap_begin(ui->display);
	XPutImage(ui->display, ui->window, ui->gc, ui->image, 0, 0, 0, 0,
		  (unsigned)ui->width, (unsigned)ui->height);
	if (trap_end(ui->display)) {
		ui->window_gone = true; /* BadWindow, BadDrawable: destroyed */
	}
	ui->dirty      = false;
	ui->live_dirty = false;
}

/* The meter falls back by METER_FALL_DB_PER_SECOND since the last call. */
static void
meter_fall(EtUi *ui, double now)
{
	const double seconds = now - ui->meter_at;
	ui->meter_at         = now;
	const float factor =
	    (float)pow(10.0, -METER_FALL_DB_PER_SECOND * seconds / 20.0);
	for (unsigned c = 0; c < 2; ++c) {
		float *v = &ui->model.input[c];
		if (*v > 0.0f) {
			*v *= factor;
			if (*v < 0.001f) { /* -60 dBFS: the meter's floor */
				*v = 0.0f;
			}
			ui->live_dirty = true;
		}
	}
}

static void
to_design(const EtUi *ui, int x, int y, double *dx, double *dy)
{
	double s, ox, oy;
	view_transform(ui, &s, &ox, &oy);
	*dx = (x - ox) / s;
	*dy = (y - oy) / s;
}

static void
press(EtUi *ui, const XButtonEvent *e)
{
	double x, y;
	to_design(ui, e->x, e->y, &x, &y);
	const EtWidget *w = et_layout_hit(&ui->layout, x, y);
	if (!w || ui->grab) {
		return;
	}
	const float v = ui->model.value[w->port];
	if (e->button == Button4 || e->button == Button5) {
		if (w->kind == ET_WIDGET_NUMBER) {
			const float step = et_widget_wheel_step(w->port);
			set_value(ui, w->port,
				  v + (e->button == Button4 ? step : -step));
		}
		return;
	}
	if (e->button != Button1) {
		return;
	}
	switch (w->kind) {
	case ET_WIDGET_TRACK:
	case ET_WIDGET_LANE:
		set_value(ui, w->port, (float)(w->track + 1));
		return;
	/* On is > 0, as the plugin reads a toggle. */
	case ET_WIDGET_TOGGLE:
		set_value(ui, w->port, v > 0.0f ? 0.0f : 1.0f);
		return;
	case ET_WIDGET_TRIGGER:
		if (ui->trigger_on) {
			return; /* the last click's 1 is still held */
		}
		touch(ui, w->port, true);
		ui->model.value[w->port] =
		    0.0f; /* write 1 whatever the host said */
		write_value(ui, w->port, 1.0f);
		ui->trigger_on       = true;
		ui->trigger_port     = w->port;
		ui->trigger_since    = now_seconds();
		ui->trigger_released = false;
		ui->trigger_idled    = false;
		ui->trigger_seen     = false;
		break;
	case ET_WIDGET_NUMBER:
		if (w == ui->clicked && e->time - ui->clicked_at < 350) {
			/* A double-click puts the port back to its default. */
			ui->clicked = NULL;
			set_value(ui, w->port, et_ports[w->port].fallback);
			return;
		}
		touch(ui, w->port, true);
		break;
	}
	ui->grab       = w;
	ui->grab_y     = y;
	ui->grab_value = v;
	ui->moved      = false;
}

static void
motion(EtUi *ui, int px, int py)
{
	if (!ui->grab || ui->grab->kind != ET_WIDGET_NUMBER) {
		return;
	}
	double x, y;
	to_design(ui, px, py, &x, &y);
	const double dy = ui->grab_y - y;
	if (fabs(dy) >= 3.0) {
		ui->moved = true;
	}
	if (ui->moved) {
		write_value(ui, ui->grab->port,
			    ui->grab_value + (float)dy * et_widget_drag_step(
							     ui->grab->port));
	}
}

static void
release(EtUi *ui, const XButtonEvent *e)
{
	if (e->button != Button1 || !ui->grab) {
		return;
	}
	const EtWidget *w = ui->grab;
	ui->clicked       = NULL;
	if (w->kind == ET_WIDGET_TRIGGER) {
		/* 0, and the end of the touch, follow in a later idle(). */
		ui->trigger_released = true;
		ui->grab             = NULL;
		return;
	} else if (!ui->moved && w->port == ET_PORT_LOOP_QUANTIZE) {
		/* A click steps through Off, Beat, Bar, and round again. */
		write_value(ui, w->port,
			    fmodf(ui->grab_value + 1.0f,
				  ET_PORT_MAXIMUM(LOOP_QUANTIZE) + 1.0f));
	} else if (!ui->moved) {
		ui->clicked    = w;
		ui->clicked_at = e->time;
	}
	touch(ui, w->port, false);
	ui->grab = NULL;
}

/* Writes the held trigger back to 0. */
static void
trigger_off(EtUi *ui)
{
	const float zero                  = 0.0f;
	ui->trigger_on                    = false;
	ui->model.value[ui->trigger_port] = zero;
	ui->write(ui->controller, ui->trigger_port, sizeof(float), 0, &zero);
	touch(ui, ui->trigger_port, false);
	ui->dirty = true;
}

/* At the end of idle(): 0 once the plugin must have seen the 1. */
static void
trigger_idle(EtUi *ui)
{
	if (!ui->trigger_on || !ui->trigger_released) {
		return;
	}
	if (!ui->trigger_idled) {
		ui->trigger_idled = true; /* the idle() that saw the release */
		return;
	}
	const double held = now_seconds() - ui->trigger_since;
	if (held >= TRIGGER_MAX_HOLD ||
	    (ui->trigger_seen && held >= TRIGGER_MIN_HOLD)) {
		trigger_off(ui);
	}
}

static void
handle_event(EtUi *ui, const XEvent *e)
{
	switch (e->type) {
	case Expose: ui->dirty = true; break;
	case ConfigureNotify:
		if (e->xconfigure.width != ui->width ||
		    e->xconfigure.height != ui->height) {
			ui->width  = e->xconfigure.width;
			ui->height = e->xconfigure.height;
			free_canvas(
			    ui); /* the next draw makes one of the new size */
			ui->dirty = true;
		}
		break;
	case ButtonPress: press(ui, &e->xbutton); break;
	case ButtonRelease: release(ui, &e->xbutton); break;
	case MotionNotify: motion(ui, e->xmotion.x, e->xmotion.y); break;
	case DestroyNotify:
		if (e->xdestroywindow.window == ui->window) {
			ui->window_gone = true;
		}
		break;
	default: break;
	}
}

static int
idle(LV2UI_Handle handle)
{
	EtUi *ui = (EtUi *)handle;
	while (!ui->window_gone && XPending(ui->display) > 0) {
		XEvent e;
		XNextEvent(ui->display, &e);
		handle_event(ui, &e);
	}
	if (ui->window_gone) {
		return 1;
	}
	trigger_idle(ui);
	const double now = now_seconds();
	for (unsigned t = 0; t < ET_TRACK_COUNT; ++t) {
		EtUiLoop *l = &ui->model.loop[t];
		if (l->incoming_bins &&
		    now - ui->chunk_at >= REQUEST_INTERVAL) {
			l->incoming_bins = 0; /* its rest went missing */
			ui->request_due  = true;
		}
	}
	meter_fall(ui, now);
	if (ui->request_due && now - ui->requested_at >= REQUEST_INTERVAL) {
		send_request(ui);
	}
	/* The plugin computes the waveform only while the UI says it is open.
	 */
	if (now - ui->alive_at >= ET_MSG_ALIVE_SECONDS) {
		send_message(ui, ui->uris.msg_Alive);
	}
	if (ui->dirty || ui->live_dirty) {
		draw(ui);
	}
	return 0;
}

/* ------------------------------------------------------------ lifecycle */

static void
cleanup(LV2UI_Handle handle)
{
	EtUi *ui = (EtUi *)handle;
	if (ui->grab && ui->grab->kind != ET_WIDGET_TRIGGER) {
		/* Closed mid-gesture: the host must not wait for the release.
		 */
		touch(ui, ui->grab->port, false);
	}
	ui->grab = NULL;
	if (ui->trigger_on) {
		trigger_off(ui); /* never leave the plugin's trigger held */
	}
	free_canvas(ui);
	if (ui->display) {
		/* The window may be gone with the host's, unknown to us yet.
		 */
		trap_begin(ui->display);
		if (ui->gc) {
			XFreeGC(ui->display, ui->gc);
		}
		if (ui->window && !ui->window_gone) {
			XDestroyWindow(ui->display, ui->window);
		}
		trap_end(ui->display);
		XCloseDisplay(ui->display);
	}
	free(ui);
}

static LV2UI_Handle
instantiate(const LV2UI_Descriptor *descriptor, const char *plugin_uri,
	    const char *bundle_path, LV2UI_Write_Function write_function,
	    LV2UI_Controller controller, LV2UI_Widget *widget,
	    const LV2_Feature *const *features)
{
	(void)descriptor;
	(void)bundle_path;
	if (strcmp(plugin_uri, "urn:eighttrack:plugin") != 0) {
		return NULL;
	}

	void         *parent = NULL;
	LV2UI_Resize *resize = NULL;
	EtUi         *ui     = (EtUi *)calloc(1, sizeof(EtUi));
	if (!ui) {
		return NULL;
	}
	for (unsigned i = 0; features && features[i]; ++i) {
		const char *uri = features[i]->URI;
		if (!strcmp(uri, LV2_UI__parent)) {
			parent = features[i]->data;
		} else if (!strcmp(uri, LV2_URID__map)) {
			ui->map = (LV2_URID_Map *)features[i]->data;
		} else if (!strcmp(uri, LV2_UI__touch)) {
			ui->touch = (LV2UI_Touch *)features[i]->data;
		} else if (!strcmp(uri, LV2_UI__resize)) {
			resize = (LV2UI_Resize *)features[i]->data;
		}
	}
	/* ui:idleInterface is a required feature, but not checked for: hosts
	 * that call idle() without passing it (lv2lint's UI test) exist. */
	if (!parent || !ui->map || !(ui->display = XOpenDisplay(NULL))) {
		cleanup(ui);
		return NULL;
	}

	ui->write      = write_function;
	ui->controller = controller;
	ui->width      = ET_VIEW_WIDTH;
	ui->height     = ET_VIEW_HEIGHT;
	map_uris(&ui->uris, ui->map);
	et_ui_model_init(&ui->model);
	et_layout_init(&ui->layout);

	/* A parent that is not (or no longer) a window fails instantiate. */
	trap_begin(ui->display);
	ui->window = XCreateSimpleWindow(
	    ui->display, (Window)(uintptr_t)parent, 0, 0, (unsigned)ui->width,
	    (unsigned)ui->height, 0, 0, 0x1b1d21);
	XSelectInput(ui->display, ui->window,
		     ExposureMask | StructureNotifyMask | ButtonPressMask |
			 ButtonReleaseMask | Button1MotionMask);
	/* A class name, so that tests (xdotool) and tools can find it. */
	XClassHint *class_hint = XAllocClassHint();
	if (class_hint) {
		class_hint->res_name  = (char *)"eighttrack-ui";
		class_hint->res_class = (char *)"Eighttrack";
		XSetClassHint(ui->display, ui->window, class_hint);
		XFree(class_hint);
	}
	/* Resizable, with a floor under which text would not fit. */
	XSizeHints *hints = XAllocSizeHints();
	if (hints) {
		hints->flags = PSize | PMinSize | PBaseSize;
		hints->width = hints->base_width = ui->width;
		hints->height = hints->base_height = ui->height;
		hints->min_width                   = ET_VIEW_WIDTH / 2;
		hints->min_height                  = ET_VIEW_HEIGHT / 2;
		XSetWMNormalHints(ui->display, ui->window, hints);
		XFree(hints);
	}
	XWindowAttributes attrs;
	const Status      got =
	    XGetWindowAttributes(ui->display, ui->window, &attrs);
	if (got) {
		ui->gc = XCreateGC(ui->display, ui->window, 0, NULL);
		XMapRaised(ui->display, ui->window);
	}
	if (trap_end(ui->display) || !got) {
		ui->window_gone = true; /* nothing to destroy */
		cleanup(ui);
		return NULL;
	}
	ui->visual = attrs.visual;
	ui->depth  = attrs.depth;
	/* cairo's RGB24 is the X TrueColor layout of depth 24 and 32. */
	if ((ui->depth != 24 && ui->depth != 32) ||
	    ui->visual->red_mask != 0xff0000 ||
	    ui->visual->green_mask != 0xff00 ||
	    ui->visual->blue_mask != 0xff) {
		cleanup(ui);
		return NULL;
	}
	if (resize) {
		resize->ui_resize(resize->handle, ui->width, ui->height);
	}
	ui->dirty = true;
	*widget   = (LV2UI_Widget)(uintptr_t)ui->window;
	send_request(ui);
	return (LV2UI_Handle)ui;
}

static const void *
extension_data(const char *uri)
{
	static const LV2UI_Idle_Interface idle_interface = { idle };
	if (!strcmp(uri, LV2_UI__idleInterface)) {
		return &idle_interface;
	}
	return NULL;
}

static const LV2UI_Descriptor descriptor = {
	ET_UI_URI, instantiate, cleanup, port_event, extension_data,
};

LV2_SYMBOL_EXPORT const LV2UI_Descriptor *
lv2ui_descriptor(uint32_t index)
{
	return index == 0 ? &descriptor : NULL;
}
