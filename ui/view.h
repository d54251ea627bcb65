/* view: what the Eighttrack UI shows and where, drawn with cairo.
 *
 * The model holds what the UI knows of the plugin (control values from
 * port_event, note activity and the waveform overview from notify).  The
 * layout is a fixed design of ET_VIEW_WIDTH x ET_VIEW_HEIGHT units, scaled
 * to fit the window; every control is a widget bound to one port.  Nothing
 * here knows X11, nor LV2 beyond port indices and the atoms of notify's
 * messages (et_msg_read). */
#ifndef ET_VIEW_H
#define ET_VIEW_H

#include "overview_bins.h"
#include "ports.h"

#include <cairo.h>

#include <stdbool.h>
#include <stdint.h>

#define ET_VIEW_WIDTH  760
#define ET_VIEW_HEIGHT 680

/* One loop's waveform overview: `shown` is the last complete one; chunks
 * of a newer one collect in `incoming` until it is whole. */
typedef struct {
	float    shown[ET_OVERVIEW_BINS];
	uint32_t shown_bins;   /* 0: no loop */
	uint32_t shown_length; /* frames */
	float    incoming[ET_OVERVIEW_BINS];
	uint32_t incoming_serial, incoming_next;
	uint32_t incoming_bins; /* of the overview collecting; 0: none */
} EtUiLoop;

/* What the plugin last said of a track's round-trip calibration
 * (msg:Calibration). */
typedef struct {
	uint32_t state;   /* ET_MSG_CALIBRATION_* of the last that ended */
	uint32_t reason;  /* why it failed */
	float    latency; /* ms: what it measured (done, or too late) */
	uint32_t answered;
	bool     measured; /* one was done since the UI opened: */
	float    spread;   /* ... the spread of the latest, ms */
} EtUiCalibration;

typedef struct {
	float    value[ET_PORT_COUNT]; /* control ports, as last known */
	uint32_t sounding; /* bit t: track t+1 has notes sounding */
	EtUiLoop loop[ET_TRACK_COUNT];
	float    position[ET_TRACK_COUNT]; /* playheads 0..1; < 0: none */
	float    input[2]; /* the input meter's peaks, linear */
	EtUiCalibration calibration[ET_TRACK_COUNT];
	int             calibrating; /* the track being measured; -1: none */
} EtUiModel;

typedef enum {
	ET_WIDGET_NUMBER,  /* drag or scroll; enumerations also cycle on click
			    */
	ET_WIDGET_TOGGLE,  /* click flips 0/1 */
	ET_WIDGET_TRIGGER, /* 1 while held */
	ET_WIDGET_TRACK,   /* click makes the track active */
	ET_WIDGET_LANE     /* a loop lane's name: the same, drawn as a lane */
} EtWidgetKind;

typedef struct {
	EtWidgetKind kind;
	uint32_t     port;
	double       x, y, w, h;
	const char  *label; /* NULL: a number shows its value alone */
	unsigned     track; /* ET_WIDGET_TRACK, ET_WIDGET_LANE: 0..7 */
} EtWidget;

#define ET_VIEW_MAX_WIDGETS 96

typedef struct {
	EtWidget widget[ET_VIEW_MAX_WIDGETS];
	unsigned count;
} EtLayout;

void et_ui_model_init(EtUiModel *m);

typedef enum {
	ET_CHUNK_TAKEN, /* part of the overview collecting */
	ET_CHUNK_WHOLE, /* it completed an overview (or said there is none) */
	ET_CHUNK_LOST,  /* out of sequence: one before it went missing */
	ET_CHUNK_BAD    /* makes no sense (too many bins ...): ignored */
} EtChunkResult;

/* An Overview message's chunk: bins first..first+n-1 of overview `serial`
 * of track `track`'s loop (0..7), with `bins` bins in all, for a loop of
 * `length` frames.  After ET_CHUNK_LOST the UI should ask for the
 * overviews again (msg:Request). */
EtChunkResult et_ui_model_overview(EtUiModel *m, unsigned track,
				   uint32_t serial, uint32_t length,
				   uint32_t bins, uint32_t first,
				   const float *peaks, uint32_t n);

/* ------------------------------------------------ messages from the plugin
 * What notify says (plugin/lv2/messages.h), read from the atom a host passes
 * to port_event.  The reader trusts nothing: every property header and
 * value must lie inside the object, which must lie inside the buffer, and
 * have the type and size messages.h gives it; anything else is
 * ET_MSG_NONE.  It reads with memcpy, so the buffer needs no alignment. */

typedef struct {
	uint32_t atom_Object, atom_Blank, atom_Int, atom_Long, atom_Float,
	    atom_Vector;
	uint32_t msg_Activity, msg_Overview, msg_Playheads, msg_Meter,
	    msg_Calibration;
	uint32_t msg_sounding, msg_track, msg_serial, msg_length, msg_binCount,
	    msg_first, msg_peaks, msg_positions, msg_input, msg_state,
	    msg_reason, msg_latency, msg_spread, msg_answered;
} EtMsgUris;

typedef enum {
	ET_MSG_NONE,
	ET_MSG_ACTIVITY,
	ET_MSG_OVERVIEW,
	ET_MSG_PLAYHEADS,
	ET_MSG_METER,
	ET_MSG_CALIBRATION
} EtMsgKind;

typedef struct {
	uint32_t sounding; /* ET_MSG_ACTIVITY */
	/* ET_MSG_OVERVIEW: track 0..7 (the message says 1..8) */
	uint32_t track, serial, length, bins, first;
	uint32_t n; /* peaks given, <= ET_OVERVIEW_BINS */
	float    peaks[ET_OVERVIEW_BINS]; /* finite, n of them */
	/* ET_MSG_PLAYHEADS: 0..1, or -1 (none, or not a finite number) */
	float position[ET_TRACK_COUNT];
	float input[2]; /* ET_MSG_METER: finite, 0 .. 16 */
	/* ET_MSG_CALIBRATION (and track): state and reason in range,
	 * latency and spread finite, 0 .. ET_MSG_MAX_MS */
	uint32_t state, reason, answered;
	float    latency, spread;
} EtMsg;

/* The largest latency or spread a Calibration may carry, in ms: a bound
 * for the reader, far above the second a median can be late
 * (calibrate.h). */
#define ET_MSG_MAX_MS 10000.0f

EtMsgKind et_msg_read(const EtMsgUris *u, const void *buffer, uint32_t size,
		      EtMsg *msg);

/* What an ET_MSG_CALIBRATION says, into the model. */
void et_ui_model_calibration(EtUiModel *m, const EtMsg *msg);

void et_layout_init(EtLayout *layout);

/* The widget under design coordinates (x, y), or NULL. */
const EtWidget *et_layout_hit(const EtLayout *layout, double x, double y);

/* How much a drag of one design unit upwards changes a port, and a wheel
 * notch. */
float et_widget_drag_step(uint32_t port);
float et_widget_wheel_step(uint32_t port);

/* loop_level or a track's loop level (dB, written to 0.1 dB). */
bool et_port_is_level(uint32_t port);
/* A port written to 0.1 (a level, or latency_offset in ms). */
bool et_port_is_tenths(uint32_t port);

/* Draws everything, in design units (the caller scales): what changes
 * with the ports and the overviews (et_view_draw_static), then what moves
 * all the time over it (et_view_draw_live: the playheads, the input meter,
 * the active loop's state and its length, which grows during a take), so
 * that a caller may keep the first and redraw only the second when only
 * those changed. */
void et_view_draw(cairo_t *cr, const EtLayout *layout, const EtUiModel *m);
void et_view_draw_static(cairo_t *cr, const EtLayout *layout,
			 const EtUiModel *m);
void et_view_draw_live(cairo_t *cr, const EtUiModel *m);

/* Whether a port shows only in what et_view_draw_live() draws (the active
 * loop's state and length; loop_position, which the playheads replace,
 * nowhere): its changes need not redraw the rest. */
bool et_view_port_is_live(uint32_t port);

/* Design areas, for tests: the waveform of track t's loop lane (0..7),
 * the whole lane (its name, waveform, mute and level), and the input
 * meter's two bars (left above right, each h / 2 high at most). */
void et_view_wave_rect(unsigned t, double *x, double *y, double *w, double *h);
void et_view_lane_rect(unsigned t, double *x, double *y, double *w, double *h);
void et_view_meter_rect(double *x, double *y, double *w, double *h);
/* The calibration's readout (the active track's latency, spread and
 * status), in the row under the looper's controls. */
void et_view_latency_rect(double *x, double *y, double *w, double *h);

#endif
