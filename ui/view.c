#include "view.h"

#include "messages.h"

#include <lv2/atom/atom.h>

#include <math.h>
#include <stdio.h>
#include <string.h>

/* The grid: eight columns, shared by the header, the tracks, the loop
 * lanes and the looper's controls, so everything lines up.  Below the
 * tracks: the looper's head row (the active loop's state, UNDO, REDO, the
 * input meter), a lane for each track's loop (its name and state, its
 * waveform over five columns, its mute and its level), the looper's
 * controls, and under them the round trip's row (the active track's
 * latency and calibration, CALIBRATE, the latency offset). */
#define MARGIN     15.0
#define COL_W      86.0
#define COL_STEP   92.0
#define HEADER_Y   12.0
#define HEADER_H   32.0
#define TRACKS_Y   54.0
#define TRACKS_H   184.0
#define LOOPER_Y   248.0
#define LOOPER_H   28.0
#define LANES_Y    286.0
#define LANE_H     32.0
#define LANE_STEP  38.0
#define CONTROLS_Y (LANES_Y + ET_TRACK_COUNT * LANE_STEP + 4.0)
#define CONTROLS_H 36.0
#define LATENCY_Y  (CONTROLS_Y + CONTROLS_H + 12.0)
#define LATENCY_H  30.0
/* The meter's bars: after its name, before its reading. */
#define METER_NAME_W    44.0
#define METER_READING_W 52.0
#define METER_BAR_H     6.0
/* A lane's waveform is drawn a point a design unit across. */
#define WAVE_COLUMNS_MAX 512

/* The meter's scale: -60 dBFS (empty) to +6 dBFS (full). */
#define METER_FLOOR_DB -60.0
#define METER_TOP_DB   6.0

typedef struct {
	double r, g, b;
} Rgb;

static const Rgb c_bg      = { 0.106, 0.114, 0.129 };
static const Rgb c_panel   = { 0.149, 0.161, 0.184 };
static const Rgb c_cell    = { 0.196, 0.212, 0.239 };
static const Rgb c_edge    = { 0.290, 0.310, 0.345 };
static const Rgb c_text    = { 0.910, 0.914, 0.922 };
static const Rgb c_dim     = { 0.560, 0.585, 0.620 };
static const Rgb c_accent  = { 0.941, 0.627, 0.188 }; /* the active track */
static const Rgb c_red     = { 0.878, 0.282, 0.282 };
static const Rgb c_green   = { 0.298, 0.765, 0.416 };
static const Rgb c_amber   = { 0.878, 0.690, 0.188 };
static const Rgb c_blue    = { 0.290, 0.565, 0.886 };
static const Rgb c_wave    = { 0.373, 0.702, 0.851 };
static const Rgb c_overdub = { 0.902, 0.361, 0.208 };
static const Rgb c_well    = { 0.078, 0.086, 0.098 }; /* behind waves */

static double
col_x(unsigned col)
{
	return MARGIN + col * COL_STEP;
}

static double
lane_y(unsigned t)
{
	return LANES_Y + t * LANE_STEP;
}

void
et_view_wave_rect(unsigned t, double *x, double *y, double *w, double *h)
{
	*x = col_x(1);
	*y = lane_y(t);
	*w = col_x(5) + COL_W - col_x(1);
	*h = LANE_H;
}

void
et_view_lane_rect(unsigned t, double *x, double *y, double *w, double *h)
{
	*x = MARGIN;
	*y = lane_y(t);
	*w = col_x(7) + COL_W - MARGIN;
	*h = LANE_H;
}

void
et_view_meter_rect(double *x, double *y, double *w, double *h)
{
	*x = col_x(5) + METER_NAME_W;
	*w = col_x(7) + COL_W - METER_READING_W - *x;
	*h = 2 * METER_BAR_H + 2;
	*y = LOOPER_Y + (LOOPER_H - *h) / 2;
}

/* The readout spans columns 1 to 4, beside the row's name; CALIBRATE
 * and the offset (two columns: its name is long) follow. */
void
et_view_latency_rect(double *x, double *y, double *w, double *h)
{
	*x = col_x(1);
	*y = LATENCY_Y;
	*w = col_x(4) + COL_W - col_x(1);
	*h = LATENCY_H;
}

void
et_ui_model_init(EtUiModel *m)
{
	memset(m, 0, sizeof(*m));
	for (uint32_t i = 0; i < ET_PORT_COUNT; ++i) {
		m->value[i] = et_ports[i].fallback;
	}
	for (unsigned t = 0; t < ET_TRACK_COUNT; ++t) {
		m->position[t] = -1.0f;
	}
	m->calibrating = -1;
}

void
et_ui_model_calibration(EtUiModel *m, const EtMsg *msg)
{
	if (msg->track >= ET_TRACK_COUNT) {
		return;
	}
	/* One calibration runs at a time: any other news ends it. */
	m->calibrating =
	    msg->state == ET_MSG_CALIBRATION_RUNNING ? (int)msg->track : -1;
	if (msg->state == ET_MSG_CALIBRATION_RUNNING ||
	    msg->state == ET_MSG_CALIBRATION_NONE) {
		return; /* the last that ended stays shown */
	}
	EtUiCalibration *c = &m->calibration[msg->track];
	c->state           = msg->state;
	c->reason          = msg->reason;
	c->latency         = msg->latency;
	c->answered        = msg->answered;
	if (msg->state == ET_MSG_CALIBRATION_DONE) {
		/* A failure keeps the old value, and so its spread. */
		c->measured = true;
		c->spread   = msg->spread;
	}
}

EtChunkResult
et_ui_model_overview(EtUiModel *m, unsigned track, uint32_t serial,
		     uint32_t length, uint32_t bins, uint32_t first,
		     const float *peaks, uint32_t n)
{
	if (track >= ET_TRACK_COUNT) {
		return ET_CHUNK_BAD;
	}
	EtUiLoop *l = &m->loop[track];
	if (bins == 0 || length == 0) {
		l->shown_bins      = 0;
		l->shown_length    = 0;
		l->incoming_serial = serial;
		l->incoming_next   = 0;
		l->incoming_bins   = 0;
		return ET_CHUNK_WHOLE;
	}
	if (bins > ET_OVERVIEW_BINS || first > bins || n > bins - first ||
	    n == 0) {
		return ET_CHUNK_BAD; /* not ours to draw */
	}
	if (first == 0) {
		l->incoming_serial = serial;
		l->incoming_next   = 0;
		l->incoming_bins   = bins;
	}
	if (l->incoming_bins == 0 || serial != l->incoming_serial ||
	    first != l->incoming_next || bins != l->incoming_bins) {
		/* A chunk of an overview we did not see start, or one after a
		 * chunk that went missing (which ends the one collecting). */
		if (serial == l->incoming_serial) {
			l->incoming_bins = 0;
		}
		return ET_CHUNK_LOST;
	}
	memcpy(l->incoming + first, peaks, n * sizeof(float));
	l->incoming_next = first + n;
	if (l->incoming_next < bins) {
		return ET_CHUNK_TAKEN;
	}
	memcpy(l->shown, l->incoming, bins * sizeof(float));
	l->shown_bins    = bins;
	l->shown_length  = length;
	l->incoming_bins = 0;
	return ET_CHUNK_WHOLE;
}

/* ------------------------------------------------------------ messages */

/* An Int or Long value as a uint32_t: false for another type or size, or
 * a value out of range.  `wrap`: an Int is read as the bits of a uint32_t
 * (serial, which the plugin sends as an Int and which may wrap). */
static bool
read_uint(const EtMsgUris *u, uint32_t type, uint32_t size,
	  const uint8_t *body, bool wrap, uint32_t *out)
{
	if (type == u->atom_Int && size == sizeof(int32_t)) {
		int32_t v;
		memcpy(&v, body, sizeof(v));
		if (v < 0 && !wrap) {
			return false;
		}
		*out = (uint32_t)v;
		return true;
	}
	if (type == u->atom_Long && size == sizeof(int64_t)) {
		int64_t v;
		memcpy(&v, body, sizeof(v));
		if (v < 0 || v > (int64_t)UINT32_MAX) {
			return false;
		}
		*out = (uint32_t)v;
		return true;
	}
	return false;
}

/* A Float from 0 to ET_MSG_MAX_MS (a latency or a spread); false for
 * anything else. */
static bool
read_ms(const EtMsgUris *u, uint32_t type, uint32_t size, const uint8_t *body,
	float *out)
{
	if (type != u->atom_Float || size != sizeof(float)) {
		return false;
	}
	memcpy(out, body, sizeof(*out));
	return *out >= 0.0f && *out <= ET_MSG_MAX_MS; /* false for NaN */
}

/* A Vector of Float: between `least` and `most` of them, copied to `out`,
 * their number to *n; those that are not finite are read as `bad`. */
static bool
read_floats(const EtMsgUris *u, uint32_t type, uint32_t size,
	    const uint8_t *body, uint32_t least, uint32_t most, float bad,
	    float *out, uint32_t *n)
{
	LV2_Atom_Vector_Body head;
	if (type != u->atom_Vector || size < sizeof(head)) {
		return false;
	}
	memcpy(&head, body, sizeof(head));
	const uint32_t bytes = size - (uint32_t)sizeof(head);
	if (head.child_type != u->atom_Float ||
	    head.child_size != sizeof(float) || bytes % sizeof(float) != 0 ||
	    bytes / sizeof(float) > most || bytes / sizeof(float) < least) {
		return false;
	}
	*n = bytes / (uint32_t)sizeof(float);
	memcpy(out, body + sizeof(head), bytes);
	for (uint32_t i = 0; i < *n; ++i) {
		if (!isfinite(out[i])) {
			out[i] = bad;
		}
	}
	return true;
}

EtMsgKind
et_msg_read(const EtMsgUris *u, const void *buffer, uint32_t size, EtMsg *msg)
{
	const uint8_t *const buf = (const uint8_t *)buffer;
	LV2_Atom             atom;
	LV2_Atom_Object_Body head;
	if (!buf || size < sizeof(atom) + sizeof(head)) {
		return ET_MSG_NONE;
	}
	memcpy(&atom, buf, sizeof(atom));
	if ((atom.type != u->atom_Object && atom.type != u->atom_Blank) ||
	    atom.size < sizeof(head) || atom.size > size - sizeof(atom)) {
		return ET_MSG_NONE;
	}
	memcpy(&head, buf + sizeof(atom), sizeof(head));
	EtMsgKind kind = ET_MSG_NONE;
	if (head.otype == u->msg_Activity) {
		kind = ET_MSG_ACTIVITY;
	} else if (head.otype == u->msg_Overview) {
		kind = ET_MSG_OVERVIEW;
	} else if (head.otype == u->msg_Playheads) {
		kind = ET_MSG_PLAYHEADS;
	} else if (head.otype == u->msg_Meter) {
		kind = ET_MSG_METER;
	} else if (head.otype == u->msg_Calibration) {
		kind = ET_MSG_CALIBRATION;
	} else {
		return ET_MSG_NONE;
	}

	/* The properties: each a key, a context and an atom, padded to 8. */
	enum {
		SOUNDING,
		TRACK,
		SERIAL,
		LENGTH,
		BINS,
		FIRST,
		PEAKS,
		POSITIONS,
		INPUT,
		STATE,
		REASON,
		LATENCY,
		SPREAD,
		ANSWERED,
		FIELDS
	};
	const uint32_t keys[FIELDS] = { u->msg_sounding, u->msg_track,
					u->msg_serial,   u->msg_length,
					u->msg_binCount, u->msg_first,
					u->msg_peaks,    u->msg_positions,
					u->msg_input,    u->msg_state,
					u->msg_reason,   u->msg_latency,
					u->msg_spread,   u->msg_answered };
	bool           have[FIELDS] = { false };
	const uint64_t end = sizeof(atom) + (uint64_t)atom.size; /* <= size */
	uint64_t       at  = sizeof(atom) + sizeof(head);
	uint32_t       count;
	memset(msg, 0, sizeof(*msg));
	while (at < end) {
		LV2_Atom_Property_Body prop; /* key, context, value's header */
		if (end - at < sizeof(prop)) {
			return ET_MSG_NONE; /* a cut header */
		}
		memcpy(&prop, buf + at, sizeof(prop));
		const uint64_t body = at + sizeof(prop);
		if (prop.value.size > end - body) {
			return ET_MSG_NONE; /* a value past the object's end */
		}
		const uint8_t *value = buf + body;
		const uint32_t type = prop.value.type, vsize = prop.value.size;
		unsigned       f = 0;
		while (f < FIELDS && (keys[f] != prop.key || keys[f] == 0)) {
			++f;
		}
		if (f < FIELDS && !have[f]) { /* the first of a key counts */
			bool ok;
			switch (f) {
			case SOUNDING:
				ok = read_uint(u, type, vsize, value, false,
					       &msg->sounding);
				break;
			case TRACK:
				ok = read_uint(u, type, vsize, value, false,
					       &msg->track) &&
				     msg->track >= 1 &&
				     msg->track <= ET_TRACK_COUNT;
				msg->track -= 1;
				break;
			case SERIAL:
				ok = read_uint(u, type, vsize, value, true,
					       &msg->serial);
				break;
			case LENGTH:
				ok = read_uint(u, type, vsize, value, false,
					       &msg->length);
				break;
			case BINS:
				ok = read_uint(u, type, vsize, value, false,
					       &msg->bins);
				break;
			case FIRST:
				ok = read_uint(u, type, vsize, value, false,
					       &msg->first);
				break;
			case PEAKS:
				ok = read_floats(u, type, vsize, value, 0,
						 ET_OVERVIEW_BINS, 0.0f,
						 msg->peaks, &msg->n);
				break;
			case POSITIONS:
				ok =
				    read_floats(u, type, vsize, value,
						ET_TRACK_COUNT, ET_TRACK_COUNT,
						-1.0f, msg->position, &count);
				break;
			case INPUT:
				ok = read_floats(u, type, vsize, value, 2, 2,
						 0.0f, msg->input, &count);
				break;
			case STATE:
				ok = read_uint(u, type, vsize, value, false,
					       &msg->state) &&
				     msg->state <= ET_MSG_CALIBRATION_REFUSED;
				break;
			case REASON:
				ok = read_uint(u, type, vsize, value, false,
					       &msg->reason) &&
				     msg->reason <=
					 ET_MSG_CALIBRATION_CANCELLED;
				break;
			case LATENCY:
				ok = read_ms(u, type, vsize, value,
					     &msg->latency);
				break;
			case SPREAD:
				ok = read_ms(u, type, vsize, value,
					     &msg->spread);
				break;
			default:
				ok = read_uint(u, type, vsize, value, false,
					       &msg->answered);
				break;
			}
			if (!ok) {
				return ET_MSG_NONE; /* a known key with a wrong
						       value */
			}
			have[f] = true;
		}
		at = body + (((uint64_t)prop.value.size + 7u) & ~(uint64_t)7u);
	}
	switch (kind) {
	case ET_MSG_ACTIVITY: return have[SOUNDING] ? kind : ET_MSG_NONE;
	case ET_MSG_OVERVIEW:
		return have[TRACK] && have[SERIAL] && have[LENGTH] &&
			       have[BINS] && have[FIRST] && have[PEAKS]
			   ? kind
			   : ET_MSG_NONE;
	case ET_MSG_PLAYHEADS:
		for (unsigned t = 0; t < ET_TRACK_COUNT; ++t) {
			const float p    = msg->position[t];
			msg->position[t] = p < 0.0f ? -1.0f : fminf(p, 1.0f);
		}
		return have[POSITIONS] ? kind : ET_MSG_NONE;
	case ET_MSG_METER:
		for (unsigned c = 0; c < 2; ++c) {
			msg->input[c] =
			    fminf(fmaxf(msg->input[c], 0.0f), 16.0f);
		}
		return have[INPUT] ? kind : ET_MSG_NONE;
	case ET_MSG_CALIBRATION:
		return have[TRACK] && have[STATE] && have[REASON] &&
			       have[LATENCY] && have[SPREAD] && have[ANSWERED]
			   ? kind
			   : ET_MSG_NONE;
	case ET_MSG_NONE: break;
	}
	return ET_MSG_NONE;
}

/* ------------------------------------------------------------ layout */

static void
add(EtLayout *l, EtWidgetKind kind, uint32_t port, double x, double y,
    double w, double h, const char *label, unsigned track)
{
	if (l->count < ET_VIEW_MAX_WIDGETS) {
		l->widget[l->count++] =
		    (EtWidget){ kind, port, x, y, w, h, label, track };
	}
}

void
et_layout_init(EtLayout *l)
{
	l->count = 0;
	add(l, ET_WIDGET_TOGGLE, ET_PORT_TRACK_OUTS, col_x(3), HEADER_Y, COL_W,
	    HEADER_H, "TRACK OUTS", 0);
	add(l, ET_WIDGET_NUMBER, ET_PORT_AUTO_CHANNEL, col_x(4), HEADER_Y,
	    COL_W, HEADER_H, "AUTO CH", 0);
	add(l, ET_WIDGET_NUMBER, ET_PORT_CONTROL_CHANNEL, col_x(5), HEADER_Y,
	    COL_W, HEADER_H, "CTRL CH", 0);
	add(l, ET_WIDGET_TOGGLE, ET_PORT_THRU, col_x(6), HEADER_Y, COL_W,
	    HEADER_H, "THRU", 0);
	add(l, ET_WIDGET_TOGGLE, ET_PORT_CLOCK_OUT, col_x(7), HEADER_Y, COL_W,
	    HEADER_H, "CLOCK OUT", 0);

	for (unsigned t = 0; t < ET_TRACK_COUNT; ++t) {
		const double x = col_x(t) + 5.0, w = COL_W - 10.0;
		add(l, ET_WIDGET_TRACK, ET_PORT_ACTIVE_TRACK, x,
		    TRACKS_Y + 5.0, w, 30.0, "TRACK", t);
		add(l, ET_WIDGET_NUMBER,
		    et_track_port(t, ET_TRACK_FIELD_CHANNEL), x,
		    TRACKS_Y + 41.0, w, 28.0, "CH", t);
		add(l, ET_WIDGET_NUMBER,
		    et_track_port(t, ET_TRACK_FIELD_TRANSPOSE), x,
		    TRACKS_Y + 75.0, w, 28.0, "TRANS", t);
		add(l, ET_WIDGET_NUMBER,
		    et_track_port(t, ET_TRACK_FIELD_PROGRAM), x,
		    TRACKS_Y + 109.0, w, 28.0, "PROG", t);
		add(l, ET_WIDGET_TOGGLE, et_track_port(t, ET_TRACK_FIELD_MUTE),
		    x, TRACKS_Y + 145.0, w, 30.0, "MUTE", t);
	}

	/* The looper's head row, and a lane for each loop. */
	add(l, ET_WIDGET_TRIGGER, ET_PORT_LOOP_UNDO, col_x(3), LOOPER_Y, COL_W,
	    LOOPER_H, "UNDO", 0);
	add(l, ET_WIDGET_TRIGGER, ET_PORT_LOOP_REDO, col_x(4), LOOPER_Y, COL_W,
	    LOOPER_H, "REDO", 0);
	for (unsigned t = 0; t < ET_TRACK_COUNT; ++t) {
		const double y = lane_y(t);
		add(l, ET_WIDGET_LANE, ET_PORT_ACTIVE_TRACK, col_x(0), y,
		    COL_W, LANE_H, "LOOP", t);
		add(l, ET_WIDGET_TOGGLE,
		    et_track_loop_port(t, ET_TRACK_LOOP_MUTE), col_x(6), y,
		    COL_W, LANE_H, "MUTE", t);
		add(l, ET_WIDGET_NUMBER,
		    et_track_loop_port(t, ET_TRACK_LOOP_LEVEL), col_x(7), y,
		    COL_W, LANE_H, NULL, t);
	}

	static const struct {
		EtWidgetKind kind;
		uint32_t     port;
		const char  *label;
	} looper[8] = {
		{ ET_WIDGET_TOGGLE, ET_PORT_LOOP_ARM, "ARM" },
		{ ET_WIDGET_TOGGLE, ET_PORT_LOOP_MUTE, "MUTE" },
		{ ET_WIDGET_TOGGLE, ET_PORT_LOOP_OVERDUB, "OVERDUB" },
		{ ET_WIDGET_TRIGGER, ET_PORT_LOOP_CLEAR, "CLEAR" },
		{ ET_WIDGET_TOGGLE, ET_PORT_MONITOR, "MONITOR" },
		{ ET_WIDGET_NUMBER, ET_PORT_LOOP_QUANTIZE, "QUANTIZE" },
		{ ET_WIDGET_NUMBER, ET_PORT_LOOP_BARS, "BARS" },
		{ ET_WIDGET_NUMBER, ET_PORT_LOOP_LEVEL, "LEVEL" },
	};
	for (unsigned c = 0; c < 8; ++c) {
		add(l, looper[c].kind, looper[c].port, col_x(c), CONTROLS_Y,
		    COL_W, CONTROLS_H, looper[c].label, 0);
	}

	/* The round trip's row: the readout (drawn, no control) first. */
	add(l, ET_WIDGET_TRIGGER, ET_PORT_CALIBRATE, col_x(5), LATENCY_Y,
	    COL_W, LATENCY_H, "CALIBRATE", 0);
	add(l, ET_WIDGET_NUMBER, ET_PORT_LATENCY_OFFSET, col_x(6), LATENCY_Y,
	    COL_W + COL_STEP, LATENCY_H, "OFFSET", 0);
}

const EtWidget *
et_layout_hit(const EtLayout *l, double x, double y)
{
	for (unsigned i = 0; i < l->count; ++i) {
		const EtWidget *w = &l->widget[i];
		if (x >= w->x && x < w->x + w->w && y >= w->y &&
		    y < w->y + w->h) {
			return w;
		}
	}
	return NULL;
}

bool
et_port_is_level(uint32_t port)
{
	return port == ET_PORT_LOOP_LEVEL ||
	       (port >= et_track_loop_port(0, ET_TRACK_LOOP_LEVEL) &&
		port <= et_track_loop_port(ET_TRACK_COUNT - 1,
					   ET_TRACK_LOOP_LEVEL));
}

bool
et_port_is_tenths(uint32_t port)
{
	return et_port_is_level(port) || port == ET_PORT_LATENCY_OFFSET;
}

float
et_widget_drag_step(uint32_t port)
{
	/* The offset: 0.25 ms a unit, its 300 ms in 1200 units (four drags
	 * of the window's height at its design size). */
	if (et_port_is_tenths(port)) {
		return 0.25f;
	}
	if (port == ET_PORT_LOOP_QUANTIZE) {
		return 1.0f / 20.0f;
	}
	if (port >= ET_PORT_TRACK_FIRST && port <= ET_PORT_TRACK_LAST &&
	    (port - ET_PORT_TRACK_FIRST) % ET_TRACK_FIELD_COUNT ==
		ET_TRACK_FIELD_PROGRAM) {
		return 1.0f / 3.0f;
	}
	return 1.0f / 6.0f;
}

float
et_widget_wheel_step(uint32_t port)
{
	return et_port_is_tenths(port) ? 0.5f : 1.0f;
}

/* ------------------------------------------------------------ drawing */

static void
set(cairo_t *cr, Rgb c)
{
	cairo_set_source_rgb(cr, c.r, c.g, c.b);
}

static void
rounded(cairo_t *cr, double x, double y, double w, double h, double r)
{
	cairo_new_sub_path(cr);
	cairo_arc(cr, x + w - r, y + r, r, -M_PI / 2, 0);
	cairo_arc(cr, x + w - r, y + h - r, r, 0, M_PI / 2);
	cairo_arc(cr, x + r, y + h - r, r, M_PI / 2, M_PI);
	cairo_arc(cr, x + r, y + r, r, M_PI, 3 * M_PI / 2);
	cairo_close_path(cr);
}

static void
box(cairo_t *cr, double x, double y, double w, double h, Rgb fill, Rgb edge)
{
	rounded(cr, x + 0.5, y + 0.5, w - 1.0, h - 1.0, 4.0);
	set(cr, fill);
	cairo_fill_preserve(cr);
	set(cr, edge);
	cairo_set_line_width(cr, 1.0);
	cairo_stroke(cr);
}

typedef enum { ALIGN_LEFT, ALIGN_CENTER, ALIGN_RIGHT } Align;

/* Text with its vertical middle at y. */
static void
text(cairo_t *cr, const char *s, double x, double y, double size, bool bold,
     Align align, Rgb c)
{
	cairo_select_font_face(cr, "DejaVu Sans", CAIRO_FONT_SLANT_NORMAL,
			       bold ? CAIRO_FONT_WEIGHT_BOLD
				    : CAIRO_FONT_WEIGHT_NORMAL);
	cairo_set_font_size(cr, size);
	cairo_text_extents_t e;
	cairo_text_extents(cr, s, &e);
	double tx = x - e.x_bearing;
	if (align == ALIGN_CENTER) {
		tx = x - e.width / 2 - e.x_bearing;
	} else if (align == ALIGN_RIGHT) {
		tx = x - e.width - e.x_bearing;
	}
	/* Centre on the height of capitals, not of this string, so that a row
	 * of labels shares one baseline. */
	const double cap = size * 0.72;
	set(cr, c);
	cairo_move_to(cr, tx, y + cap / 2);
	cairo_show_text(cr, s);
	cairo_new_path(cr); /* show_text leaves a current point behind */
}

static void
format_value(uint32_t port, float v, char *buf, size_t size)
{
	const int n = (int)lrintf(v);
	/* Named as hosts name it (Omni, Off, Beat ...), for the value the
	 * plugin obeys. */
	const char *name = et_scale_name(
	    et_ports[port].scale, (int)lrintf(et_port_sanitize(port, v)));
	if (name) {
		snprintf(buf, size, "%s", name);
	} else if (port == ET_PORT_LOOP_BARS) {
		n == 0 ? snprintf(buf, size, "Free")
		       : snprintf(buf, size, "%d", n);
	} else if (et_port_is_level(port)) {
		snprintf(buf, size, "%+.1f dB",
			 v <= -0.05f || v >= 0.05f ? (double)v : 0.0);
	} else if (port == ET_PORT_LATENCY_OFFSET) {
		snprintf(buf, size, "%+.1f ms",
			 v <= -0.05f || v >= 0.05f ? (double)v : 0.0);
	} else if (port >= ET_PORT_TRACK_FIRST && port <= ET_PORT_TRACK_LAST) {
		const unsigned field =
		    (port - ET_PORT_TRACK_FIRST) % ET_TRACK_FIELD_COUNT;
		if (field == ET_TRACK_FIELD_TRANSPOSE && n != 0) {
			snprintf(buf, size, "%+d", n);
		} else if (field == ET_TRACK_FIELD_PROGRAM && n == 0) {
			snprintf(buf, size,
				 "\xe2\x80\x94"); /* em dash: none */
		} else {
			snprintf(buf, size, "%d", n);
		}
	} else {
		snprintf(buf, size, "%d", n);
	}
}

static Rgb
toggle_color(uint32_t port)
{
	switch (port) {
	case ET_PORT_LOOP_ARM: return c_red;
	case ET_PORT_LOOP_OVERDUB: return c_amber;
	case ET_PORT_MONITOR:
	case ET_PORT_THRU: return c_green;
	case ET_PORT_CLOCK_OUT:
	case ET_PORT_TRACK_OUTS: return c_blue;
	default: return c_red; /* mutes */
	}
}

static const char *
state_name(int state, Rgb *color)
{
	switch (state) {
	case 1: *color = c_amber; return "ARMED";
	case 2: *color = c_red; return "RECORDING";
	case 3: *color = c_green; return "PLAYING";
	case 4: *color = c_overdub; return "OVERDUBBING";
	default: *color = c_dim; return "EMPTY";
	}
}

static bool
is_active(const EtUiModel *m, unsigned track)
{
	return lrintf(m->value[ET_PORT_ACTIVE_TRACK]) == (long)track + 1;
}

/* A light: a dot of `fill`, or of `off` when it is not lit. */
static void
light(cairo_t *cr, double x, double y, bool lit, Rgb fill, Rgb off)
{
	cairo_arc(cr, x, y, 4.5, 0, 2 * M_PI);
	set(cr, lit ? fill : off);
	cairo_fill_preserve(cr);
	set(cr, lit ? (Rgb){ fill.r * 0.6 + 0.4, fill.g * 0.6 + 0.4,
			     fill.b * 0.6 + 0.4 }
		    : c_edge);
	cairo_set_line_width(cr, 1.0);
	cairo_stroke(cr);
}

static void
draw_widget(cairo_t *cr, const EtWidget *w, const EtUiModel *m)
{
	const float  v = m->value[w->port];
	char         buf[32];
	const double mid = w->y + w->h / 2;
	switch (w->kind) {
	case ET_WIDGET_TRACK: {
		const bool active = is_active(m, w->track);
		box(cr, w->x, w->y, w->w, w->h, active ? c_accent : c_cell,
		    active ? c_accent : c_edge);
		const Rgb ink = active ? c_bg : c_text;
		snprintf(buf, sizeof(buf), "%u", w->track + 1);
		text(cr, "TRACK", w->x + 7, mid, 8.5, false, ALIGN_LEFT,
		     active ? c_bg : c_dim);
		text(cr, buf, w->x + 41, mid, 14, true, ALIGN_LEFT, ink);
		/* The note light. */
		light(cr, w->x + w->w - 11, mid,
		      m->sounding & (1u << w->track), c_green,
		      active ? (Rgb){ 0.55, 0.36, 0.10 } : c_bg);
		return;
	}
	case ET_WIDGET_LANE: {
		/* The loop's name and state; orange for the active track's. */
		const bool  active = is_active(m, w->track);
		const int   state  = (int)lrintf(m->value[et_track_loop_port(
		       w->track, ET_TRACK_LOOP_STATE)]);
		Rgb         sc;
		const char *name = state_name(state, &sc);
		box(cr, w->x, w->y, w->w, w->h, active ? c_accent : c_cell,
		    active ? c_accent : c_edge);
		snprintf(buf, sizeof(buf), "%u", w->track + 1);
		const double top = w->y + 11, bottom = w->y + w->h - 9;
		text(cr, w->label, w->x + 7, top, 8.5, false, ALIGN_LEFT,
		     active ? c_bg : c_dim);
		text(cr, buf, w->x + 37, top, 13, true, ALIGN_LEFT,
		     active ? c_bg : c_text);
		text(cr, name, w->x + 7, bottom, 7.5, true, ALIGN_LEFT,
		     active ? c_bg : sc);
		light(cr, w->x + w->w - 11, top, state != 0, sc,
		      active ? (Rgb){ 0.55, 0.36, 0.10 } : c_bg);
		return;
	}
	case ET_WIDGET_NUMBER:
		box(cr, w->x, w->y, w->w, w->h, c_cell, c_edge);
		format_value(w->port, v, buf, sizeof(buf));
		if (!w->label) { /* the value alone */
			text(cr, buf, w->x + w->w / 2, mid, 12.5, true,
			     ALIGN_CENTER, c_text);
		} else if (w->h >= 32) { /* label above, value below */
			text(cr, w->label, w->x + w->w / 2, w->y + 10, 8.5,
			     false, ALIGN_CENTER, c_dim);
			text(cr, buf, w->x + w->w / 2, w->y + w->h - 11, 12.5,
			     true, ALIGN_CENTER, c_text);
		} else {
			text(cr, w->label, w->x + 8, mid, 9, false, ALIGN_LEFT,
			     c_dim);
			text(cr, buf, w->x + w->w - 8, mid, 12.5, true,
			     ALIGN_RIGHT, c_text);
		}
		return;
	case ET_WIDGET_TOGGLE:
	case ET_WIDGET_TRIGGER: {
		const bool on = v > 0.0f; /* as the plugin reads a toggle */
		const Rgb  fill =
                    on ? (w->kind == ET_WIDGET_TRIGGER ? c_text
							: toggle_color(w->port))
			: c_cell;
		box(cr, w->x, w->y, w->w, w->h, fill, on ? fill : c_edge);
		text(cr, w->label, w->x + w->w / 2, mid, 11, true,
		     ALIGN_CENTER, on ? c_bg : c_text);
		return;
	}
	}
}

/* The looper's head row: its name and the meter's (the active loop's
 * state, the meter itself, UNDO and REDO are drawn apart). */
static void
draw_looper_head(cairo_t *cr)
{
	const double mid = LOOPER_Y + LOOPER_H / 2;
	text(cr, "LOOPER", MARGIN, mid, 12, true, ALIGN_LEFT, c_dim);
	text(cr, "INPUT", col_x(5), mid, 8.5, false, ALIGN_LEFT, c_dim);
}

/* The active track, 0..7 (the port as the plugin obeys it). */
static unsigned
active_index(const EtUiModel *m)
{
	const long t = lrintf(et_port_sanitize(
	    ET_PORT_ACTIVE_TRACK, m->value[ET_PORT_ACTIVE_TRACK]));
	return t >= 1 && t <= ET_TRACK_COUNT ? (unsigned)t - 1 : 0;
}

/* What the calibration readout says on its right for track t: a
 * calibration running (on it, or on another track), or how its last one
 * ended; "" when there is nothing to say. */
static const char *
calibration_status(const EtUiModel *m, unsigned t, char *buf, size_t size,
		   Rgb *color)
{
	const EtUiCalibration *c = &m->calibration[t];
	*color                   = c_red;
	buf[0]                   = '\0';
	if (m->calibrating >= 0) {
		*color = c_amber;
		if ((unsigned)m->calibrating == t) {
			return "measuring...";
		}
		snprintf(buf, size, "measuring track %d...",
			 m->calibrating + 1);
		return buf;
	}
	switch (c->state) {
	case ET_MSG_CALIBRATION_DONE:
		*color = c_dim;
		snprintf(buf, size, "%u answer%s", c->answered,
			 c->answered == 1 ? "" : "s");
		return buf;
	case ET_MSG_CALIBRATION_REFUSED: return "refused while recording";
	case ET_MSG_CALIBRATION_FAILED: break;
	default: return buf;
	}
	switch (c->reason) {
	case ET_MSG_CALIBRATION_NO_ANSWER: return "no answer";
	case ET_MSG_CALIBRATION_TOO_LATE:
		snprintf(buf, size, "too late: %.0f ms", (double)c->latency);
		return buf;
	case ET_MSG_CALIBRATION_NOT_QUIET: return "input not quiet";
	default: return "cancelled";
	}
}

/* The round trip's row: its name, and the active track's latency in
 * effect (the latency port), the spread of its last calibration (if one
 * was done since the UI opened) and the calibration's status. */
static void
draw_latency(cairo_t *cr, const EtUiModel *m)
{
	double x, y, w, h;
	et_view_latency_rect(&x, &y, &w, &h);
	const double mid = y + h / 2;
	text(cr, "LATENCY", MARGIN, mid, 12, true, ALIGN_LEFT, c_dim);
	box(cr, x, y, w, h, c_panel, c_edge);
	const unsigned t = active_index(m);
	char           buf[48];
	snprintf(buf, sizeof(buf), "TRACK %u", t + 1);
	text(cr, buf, x + 9, mid, 8.5, false, ALIGN_LEFT, c_dim);
	const float ms = m->value[ET_PORT_LATENCY];
	if (isfinite(ms)) {
		snprintf(buf, sizeof(buf), "%.1f ms", (double)ms);
	} else {
		snprintf(buf, sizeof(buf), "\xe2\x80\x94");
	}
	text(cr, buf, x + 58, mid, 12, true, ALIGN_LEFT, c_text);
	const EtUiCalibration *c = &m->calibration[t];
	if (c->measured) {
		snprintf(buf, sizeof(buf), "spread %.1f ms",
			 (double)c->spread);
		text(cr, buf, x + 136, mid, 9.5, false, ALIGN_LEFT, c_dim);
	}
	Rgb         sc;
	const char *status = calibration_status(m, t, buf, sizeof(buf), &sc);
	text(cr, status, x + w - 9, mid, 9.5, true, ALIGN_RIGHT, sc);
}

/* The active loop's state and length, beside the looper's name. */
static void
draw_state(cairo_t *cr, const EtUiModel *m)
{
	const double mid   = LOOPER_Y + LOOPER_H / 2;
	const int    state = (int)lrintf(m->value[ET_PORT_LOOP_STATE]);
	Rgb          sc;
	const char  *name = state_name(state, &sc);
	const double px = col_x(1), pw = COL_W + COL_STEP;
	box(cr, px, LOOPER_Y + 2, pw, LOOPER_H - 4, c_panel, sc);
	cairo_arc(cr, px + 12, mid, 4.0, 0, 2 * M_PI);
	set(cr, sc);
	cairo_fill(cr);
	text(cr, name, px + 22, mid, 10.5, true, ALIGN_LEFT, sc);
	char        buf[32];
	const float length = m->value[ET_PORT_LOOP_LENGTH];
	if (length > 0.0f) {
		snprintf(buf, sizeof(buf), "%.2f s", (double)length);
	} else {
		snprintf(buf, sizeof(buf), "\xe2\x80\x94");
	}
	text(cr, buf, px + pw - 9, mid, 11, true, ALIGN_RIGHT, c_text);
}

/* The input meter (its name is drawn with the head row): left above
 * right, -60 to +6 dBFS, green up to -12 dB, amber to -3 dB, red above; a
 * tick at 0 dBFS; the louder channel's reading, red from 0 dBFS on. */
static void
draw_meter(cairo_t *cr, const EtUiModel *m)
{
	const double mid = LOOPER_Y + LOOPER_H / 2;
	char         buf[32];
	double       x, y, w, h;
	et_view_meter_rect(&x, &y, &w, &h);
	const double span      = METER_TOP_DB - METER_FLOOR_DB;
	const double stops[3]  = { -12.0, -3.0, METER_TOP_DB };
	const Rgb    colors[3] = { c_green, c_amber, c_red };
	double       loudest   = 0.0;
	for (unsigned c = 0; c < 2; ++c) {
		const double by   = y + c * (METER_BAR_H + 2);
		const double peak = (double)m->input[c];
		loudest           = fmax(loudest, peak);
		set(cr, c_well);
		cairo_rectangle(cr, x, by, w, METER_BAR_H);
		cairo_fill(cr);
		const double db = peak > 0.0 ? 20.0 * log10(peak) : -INFINITY;
		const double f =
		    fmin(1.0, fmax(0.0, (db - METER_FLOOR_DB) / span));
		double from = METER_FLOOR_DB;
		for (unsigned k = 0; k < 3; ++k) {
			const double to = stops[k];
			const double x0 =
			    x + (from - METER_FLOOR_DB) / span * w;
			const double xend =
			    x + (to - METER_FLOOR_DB) / span * w;
			const double x1 = fmin(xend, x + f * w);
			if (x1 > x0) {
				set(cr, colors[k]);
				cairo_rectangle(cr, x0, by, x1 - x0,
						METER_BAR_H);
				cairo_fill(cr);
			}
			from = to;
		}
	}
	const double zero = floor(x + (0.0 - METER_FLOOR_DB) / span * w) + 0.5;
	set(cr, c_text);
	cairo_set_line_width(cr, 1.0);
	cairo_move_to(cr, zero, y - 2);
	cairo_line_to(cr, zero, y + h + 2);
	cairo_stroke(cr);
	if (loudest >= 0.001) {
		snprintf(buf, sizeof(buf), "%+.1f dB", 20.0 * log10(loudest));
	} else {
		snprintf(buf, sizeof(buf), "\xe2\x80\x94");
	}
	text(cr, buf, col_x(7) + COL_W, mid, 10, true, ALIGN_RIGHT,
	     loudest >= 1.0 ? c_red : c_text);
}

/* Track t's loop lane: its waveform (grey while muted, by its own mute or
 * the master's; the playhead is drawn live); its name, mute and level are
 * widgets. */
static void
draw_lane(cairo_t *cr, const EtUiModel *m, unsigned t)
{
	double x, y, w, h;
	et_view_wave_rect(t, &x, &y, &w, &h);
	const int state =
	    (int)lrintf(m->value[et_track_loop_port(t, ET_TRACK_LOOP_STATE)]);
	const bool muted =
	    m->value[et_track_loop_port(t, ET_TRACK_LOOP_MUTE)] > 0.0f ||
	    m->value[ET_PORT_LOOP_MUTE] > 0.0f;
	box(cr, x, y, w, h, c_well, c_edge);
	const EtUiLoop *l   = &m->loop[t];
	const double    mid = y + h / 2, half = h / 2 - 3;
	if (l->shown_bins == 0) {
		const char *hint = state == 2   ? "recording the first take..."
				   : state == 1 ? "armed: recording starts on "
						  "the quantize point"
				   : is_active(m, t)
				       ? "no loop: press ARM to record here"
				       : NULL;
		if (hint) {
			text(cr, hint, x + w / 2, mid, 10, false, ALIGN_CENTER,
			     state == 2   ? c_red
			     : state == 1 ? c_amber
					  : c_dim);
		}
		return;
	}
	set(cr, c_edge);
	cairo_move_to(cr, x + 4, mid + 0.5);
	cairo_line_to(cr, x + w - 4, mid + 0.5);
	cairo_set_line_width(cr, 1.0);
	cairo_stroke(cr);

	/* One point a design unit across (a bin is less than one: each point
	 * is the largest of the bins under it), which halves what cairo has to
	 * fill. */
	const double   inner = w - 8, x0 = x + 4;
	const unsigned cols =
	    inner < WAVE_COLUMNS_MAX ? (unsigned)inner : WAVE_COLUMNS_MAX;
	float top[WAVE_COLUMNS_MAX];
	for (unsigned c = 0; c < cols; ++c) {
		const uint32_t from = c * l->shown_bins / cols;
		const uint32_t to   = (c + 1) * l->shown_bins / cols;
		float          p    = l->shown[from];
		for (uint32_t b = from + 1; b < to; ++b) {
			p = fmaxf(p, l->shown[b]);
		}
		top[c] = fminf(1.0f, fmaxf(0.0f, p));
	}
	cairo_move_to(cr, x0, mid);
	for (unsigned c = 0; c < cols; ++c) {
		cairo_line_to(cr, x0 + c + 0.5, mid - top[c] * half);
	}
	cairo_line_to(cr, x0 + cols, mid);
	for (unsigned c = cols; c-- > 0;) {
		cairo_line_to(cr, x0 + c + 0.5, mid + top[c] * half);
	}
	cairo_close_path(cr);
	const Rgb wc = muted ? c_dim : state == 4 ? c_overdub : c_wave;
	cairo_set_source_rgba(cr, wc.r, wc.g, wc.b, 0.85);
	cairo_fill(cr);
}

/* Track t's playhead, over its waveform. */
static void
draw_playhead(cairo_t *cr, const EtUiModel *m, unsigned t)
{
	const double pos = (double)m->position[t];
	if (pos < 0.0 || m->loop[t].shown_bins == 0) {
		return;
	}
	double x, y, w, h;
	et_view_wave_rect(t, &x, &y, &w, &h);
	const double px = floor(x + 4 + fmin(pos, 1.0) * (w - 8)) + 0.5;
	set(cr, c_text);
	cairo_set_line_width(cr, 2.0);
	cairo_move_to(cr, px, y + 2);
	cairo_line_to(cr, px, y + h - 2);
	cairo_stroke(cr);
}

void
et_view_draw_static(cairo_t *cr, const EtLayout *layout, const EtUiModel *m)
{
	set(cr, c_bg);
	cairo_paint(cr);

	text(cr, "EIGHTTRACK", MARGIN, HEADER_Y + HEADER_H / 2, 20, true,
	     ALIGN_LEFT, c_text);
	text(cr, "8 tracks, 8 loops", MARGIN + 160, HEADER_Y + HEADER_H / 2,
	     10, false, ALIGN_LEFT, c_dim);

	for (unsigned t = 0; t < ET_TRACK_COUNT; ++t) {
		box(cr, col_x(t), TRACKS_Y, COL_W, TRACKS_H, c_panel,
		    is_active(m, t) ? c_accent : c_edge);
	}
	draw_looper_head(cr);
	draw_latency(cr, m);
	for (unsigned t = 0; t < ET_TRACK_COUNT; ++t) {
		draw_lane(cr, m, t);
		if (is_active(m, t)) {
			/* The active track's lane, framed in orange. */
			double x, y, w, h;
			et_view_lane_rect(t, &x, &y, &w, &h);
			rounded(cr, x - 3, y - 3, w + 6, h + 6, 5.0);
			set(cr, c_accent);
			cairo_set_line_width(cr, 2.0);
			cairo_stroke(cr);
		}
	}
	for (unsigned i = 0; i < layout->count; ++i) {
		draw_widget(cr, &layout->widget[i], m);
	}
}

bool
et_view_port_is_live(uint32_t port)
{
	return port == ET_PORT_LOOP_STATE || port == ET_PORT_LOOP_LENGTH ||
	       port == ET_PORT_LOOP_POSITION;
}

void
et_view_draw_live(cairo_t *cr, const EtUiModel *m)
{
	draw_state(cr, m);
	for (unsigned t = 0; t < ET_TRACK_COUNT; ++t) {
		draw_playhead(cr, m, t);
	}
	draw_meter(cr, m);
}

void
et_view_draw(cairo_t *cr, const EtLayout *layout, const EtUiModel *m)
{
	et_view_draw_static(cr, layout, m);
	et_view_draw_live(cr, m);
}
