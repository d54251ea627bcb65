/* The UI's view without X: what a click hits, and what is drawn for a
 * given model, read back from the pixels of an image surface. */
#include "messages.h"
#include "view.h"

#include <lv2/atom/forge.h>
#include <lv2/urid/urid.h>

#include <cairo.h>
#include <fontconfig/fontconfig.h>

#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

/* The looper's controls' row (ARM ... LEVEL), and the round trip's row
 * under it (the readout, CALIBRATE, OFFSET), in design units. */
#define CONTROLS_MID 612
#define LATENCY_MID  657

typedef struct {
	cairo_surface_t *surface;
	EtLayout         layout;
	EtUiModel        model;
} View;

static int
setup(void **state)
{
	View *v    = (View *)calloc(1, sizeof(View));
	v->surface = cairo_image_surface_create(CAIRO_FORMAT_RGB24,
						ET_VIEW_WIDTH, ET_VIEW_HEIGHT);
	et_layout_init(&v->layout);
	et_ui_model_init(&v->model);
	*state = v;
	return 0;
}

static int
teardown(void **state)
{
	View *v = (View *)*state;
	cairo_surface_destroy(v->surface);
	free(v);
	return 0;
}

static void
draw(View *v)
{
	cairo_t *cr = cairo_create(v->surface);
	et_view_draw(cr, &v->layout, &v->model);
	cairo_destroy(cr);
	cairo_surface_flush(v->surface);
}

typedef struct {
	int r, g, b;
} Px;

static Px
pixel(View *v, int x, int y)
{
	const uint8_t *data   = cairo_image_surface_get_data(v->surface);
	const int      stride = cairo_image_surface_get_stride(v->surface);
	uint32_t       p;
	memcpy(&p, data + y * stride + x * 4, sizeof(p));
	return (Px){ (int)(p >> 16) & 0xff, (int)(p >> 8) & 0xff,
		     (int)p & 0xff };
}

static bool
is_orange(Px p)
{
	return p.r > 200 && p.g > 120 && p.g < 190 && p.b < 90;
}

static bool
is_green(Px p)
{
	return p.g > 150 && p.r < 120 && p.b < 140;
}

/* Pixels in a rectangle whose colour differs from bg's. */
static unsigned
inked_on(View *v, Px bg, int x0, int y0, int w, int h)
{
	unsigned n = 0;
	for (int y = y0; y < y0 + h; ++y) {
		for (int x = x0; x < x0 + w; ++x) {
			const Px p = pixel(v, x, y);
			n += abs(p.r - bg.r) + abs(p.g - bg.g) +
				 abs(p.b - bg.b) >
			     60;
		}
	}
	return n;
}

/* ... from the colour of its first pixel. */
static unsigned
inked(View *v, int x0, int y0, int w, int h)
{
	return inked_on(v, pixel(v, x0, y0), x0, y0, w, h);
}

/* ... from the empty waveform's: the inside of track t's waveform box,
 * above the middle line (away from hints), as much as a peak of 0.9
 * covers. */
static unsigned
wave_inked(View *v, unsigned t)
{
	double x, y, w, h;
	et_view_wave_rect(t, &x, &y, &w, &h);
	return inked_on(v, pixel(v, (int)x + 2, (int)y + 3), (int)x + 10,
			(int)y + 5, (int)w - 20, 5);
}

/* Every control is where a musician expects it, bound to its port. */
static void
clicks_hit_their_ports(void **state)
{
	View           *v = (View *)*state;
	const EtWidget *w;
	for (unsigned t = 0; t < ET_TRACK_COUNT; ++t) {
		const double cx = 15 + t * 92 + 43;
		w               = et_layout_hit(&v->layout, cx, 74);
		assert_non_null(w);
		assert_int_equal(w->kind, ET_WIDGET_TRACK);
		assert_int_equal(w->track, t);
		w = et_layout_hit(&v->layout, cx, 214);
		assert_non_null(w);
		assert_int_equal(w->port,
				 et_track_port(t, ET_TRACK_FIELD_MUTE));
		w = et_layout_hit(&v->layout, cx, 143);
		assert_int_equal(w->port,
				 et_track_port(t, ET_TRACK_FIELD_TRANSPOSE));
		w = et_layout_hit(&v->layout, cx, 108);
		assert_int_equal(w->port,
				 et_track_port(t, ET_TRACK_FIELD_CHANNEL));
		w = et_layout_hit(&v->layout, cx, 177);
		assert_int_equal(w->port,
				 et_track_port(t, ET_TRACK_FIELD_PROGRAM));
	}
	const uint32_t looper[8] = {
		ET_PORT_LOOP_ARM,   ET_PORT_LOOP_MUTE, ET_PORT_LOOP_OVERDUB,
		ET_PORT_LOOP_CLEAR, ET_PORT_MONITOR,   ET_PORT_LOOP_QUANTIZE,
		ET_PORT_LOOP_BARS,  ET_PORT_LOOP_LEVEL
	};
	for (unsigned c = 0; c < 8; ++c) {
		w = et_layout_hit(&v->layout, 15 + c * 92 + 43, CONTROLS_MID);
		assert_non_null(w);
		assert_int_equal(w->port, looper[c]);
	}
	/* UNDO and REDO, beside the active loop's state. */
	w = et_layout_hit(&v->layout, 15 + 3 * 92 + 43, 262);
	assert_non_null(w);
	assert_int_equal(w->kind, ET_WIDGET_TRIGGER);
	assert_int_equal(w->port, ET_PORT_LOOP_UNDO);
	w = et_layout_hit(&v->layout, 15 + 4 * 92 + 43, 262);
	assert_non_null(w);
	assert_int_equal(w->kind, ET_WIDGET_TRIGGER);
	assert_int_equal(w->port, ET_PORT_LOOP_REDO);
	/* Each loop's lane: its name makes its track active, its MUTE and
	 * its level are its own; its waveform is no control. */
	for (unsigned t = 0; t < ET_TRACK_COUNT; ++t) {
		double x, y, lw, lh;
		et_view_lane_rect(t, &x, &y, &lw, &lh);
		const double mid = y + lh / 2;
		w                = et_layout_hit(&v->layout, x + 43, mid);
		assert_non_null(w);
		assert_int_equal(w->kind, ET_WIDGET_LANE);
		assert_int_equal(w->port, ET_PORT_ACTIVE_TRACK);
		assert_int_equal(w->track, t);
		w = et_layout_hit(&v->layout, 15 + 6 * 92 + 43, mid);
		assert_non_null(w);
		assert_int_equal(w->kind, ET_WIDGET_TOGGLE);
		assert_int_equal(w->port,
				 et_track_loop_port(t, ET_TRACK_LOOP_MUTE));
		w = et_layout_hit(&v->layout, 15 + 7 * 92 + 43, mid);
		assert_non_null(w);
		assert_int_equal(w->kind, ET_WIDGET_NUMBER);
		assert_int_equal(w->port,
				 et_track_loop_port(t, ET_TRACK_LOOP_LEVEL));
		double wx, wy, ww, wh;
		et_view_wave_rect(t, &wx, &wy, &ww, &wh);
		assert_null(
		    et_layout_hit(&v->layout, wx + ww / 2, wy + wh / 2));
		/* The lanes' levels are dB like loop_level. */
		assert_true(et_port_is_level(w->port));
		assert_true(et_widget_drag_step(w->port) == 0.25f);
		assert_true(et_widget_wheel_step(w->port) == 0.5f);
	}
	assert_true(et_port_is_level(ET_PORT_LOOP_LEVEL));
	assert_false(et_port_is_level(ET_PORT_LOOP_BARS));
	assert_false(
	    et_port_is_level(et_track_loop_port(0, ET_TRACK_LOOP_MUTE)));
	assert_int_equal(et_layout_hit(&v->layout, 15 + 4 * 92 + 43, 28)->port,
			 ET_PORT_AUTO_CHANNEL);
	assert_int_equal(et_layout_hit(&v->layout, 15 + 6 * 92 + 43, 28)->port,
			 ET_PORT_THRU);
	assert_int_equal(et_layout_hit(&v->layout, 15 + 3 * 92 + 43, 28)->port,
			 ET_PORT_TRACK_OUTS);
	/* The round trip's row: CALIBRATE a trigger, the offset a number over
	 * two columns; the readout and the row's name are no control. */
	w = et_layout_hit(&v->layout, 15 + 5 * 92 + 43, LATENCY_MID);
	assert_non_null(w);
	assert_int_equal(w->kind, ET_WIDGET_TRIGGER);
	assert_int_equal(w->port, ET_PORT_CALIBRATE);
	for (unsigned c = 6; c < 8; ++c) {
		w = et_layout_hit(&v->layout, 15 + c * 92 + 43, LATENCY_MID);
		assert_non_null(w);
		assert_int_equal(w->kind, ET_WIDGET_NUMBER);
		assert_int_equal(w->port, ET_PORT_LATENCY_OFFSET);
	}
	assert_true(et_port_is_tenths(ET_PORT_LATENCY_OFFSET));
	assert_false(et_port_is_level(ET_PORT_LATENCY_OFFSET));
	assert_true(et_widget_drag_step(ET_PORT_LATENCY_OFFSET) == 0.25f);
	assert_true(et_widget_wheel_step(ET_PORT_LATENCY_OFFSET) == 0.5f);
	double rx, ry, rw, rh;
	et_view_latency_rect(&rx, &ry, &rw, &rh);
	assert_true(ry < LATENCY_MID && ry + rh > LATENCY_MID);
	for (double x = 0; x < rx + rw; x += 1.0) {
		assert_null(et_layout_hit(&v->layout, x, LATENCY_MID));
	}
	/* ... inside the view, clear of every widget (the looper's controls
	 * above included). */
	assert_true(rx >= 0 && ry >= 0 && rx + rw <= ET_VIEW_WIDTH &&
		    ry + rh <= ET_VIEW_HEIGHT);
	for (unsigned i = 0; i < v->layout.count; ++i) {
		const EtWidget *a = &v->layout.widget[i];
		assert_true(a->x + a->w <= rx || rx + rw <= a->x ||
			    a->y + a->h <= ry || ry + rh <= a->y);
	}
	/* Gaps, the meter and the title are not controls. */
	assert_null(et_layout_hit(&v->layout, 15 + 86 + 3, 214));
	assert_null(et_layout_hit(&v->layout, 300, 321));
	assert_null(et_layout_hit(&v->layout, 40, 28));
	assert_null(et_layout_hit(&v->layout, 600, 262));
	/* Every widget inside the view; no two overlap. */
	for (unsigned i = 0; i < v->layout.count; ++i) {
		const EtWidget *a = &v->layout.widget[i];
		assert_true(a->x >= 0 && a->y >= 0 &&
			    a->x + a->w <= ET_VIEW_WIDTH &&
			    a->y + a->h <= ET_VIEW_HEIGHT);
	}
	for (unsigned i = 0; i < v->layout.count; ++i) {
		for (unsigned j = i + 1; j < v->layout.count; ++j) {
			const EtWidget *a = &v->layout.widget[i],
				       *b = &v->layout.widget[j];
			const bool apart =
			    a->x + a->w <= b->x || b->x + b->w <= a->x ||
			    a->y + a->h <= b->y || b->y + b->h <= a->y;
			assert_true(apart);
		}
	}
}

/* The host makes track 3 active: its header turns orange, track 1's
 * does not. */
static void
active_track_is_highlighted(void **state)
{
	View *v = (View *)*state;
	draw(v);
	assert_true(is_orange(pixel(v, 25, 64)));
	assert_false(is_orange(pixel(v, 15 + 2 * 92 + 10, 64)));
	v->model.value[ET_PORT_ACTIVE_TRACK] = 3.0f;
	draw(v);
	assert_false(is_orange(pixel(v, 25, 64)));
	assert_true(is_orange(pixel(v, 15 + 2 * 92 + 10, 64)));
	/* Its loop's lane too: the name filled, the lane framed, in orange;
	 * no other lane. */
	for (unsigned t = 0; t < ET_TRACK_COUNT; ++t) {
		double x, y, w, h;
		et_view_lane_rect(t, &x, &y, &w, &h);
		const int mid = (int)(y + h / 2);
		assert_int_equal(is_orange(pixel(v, (int)x + 3, mid)), t == 2);
		/* The frame, 3 units outside the lane, left and right. */
		assert_int_equal(is_orange(pixel(v, (int)x - 3, mid)), t == 2);
		assert_int_equal(is_orange(pixel(v, (int)(x + w) + 2, mid)),
				 t == 2);
	}
}

/* Notes sounding on tracks 2 and 8 light exactly those two. */
static void
note_lights(void **state)
{
	View *v           = (View *)*state;
	v->model.sounding = (1u << 1) | (1u << 7);
	draw(v);
	for (unsigned t = 0; t < ET_TRACK_COUNT; ++t) {
		const Px p = pixel(v, 15 + (int)t * 92 + 5 + 76 - 11, 74);
		assert_int_equal(is_green(p), t == 1 || t == 7);
	}
}

/* A muted track's MUTE is lit red. */
static void
mute_lights(void **state)
{
	View *v                                               = (View *)*state;
	v->model.value[et_track_port(4, ET_TRACK_FIELD_MUTE)] = 1.0f;
	draw(v);
	const Px on  = pixel(v, 15 + 4 * 92 + 12, 205);
	const Px off = pixel(v, 15 + 3 * 92 + 12, 205);
	assert_true(on.r > 180 && on.g < 110);
	assert_false(off.r > 180 && off.g < 110);
	/* Any value above 0 is on, as the plugin reads a toggle. */
	v->model.value[et_track_port(4, ET_TRACK_FIELD_MUTE)] = 0.25f;
	draw(v);
	const Px quarter = pixel(v, 15 + 4 * 92 + 12, 205);
	assert_true(quarter.r > 180 && quarter.g < 110);
}

/* The waveform area is empty without a loop, filled once a whole
 * overview has arrived, not before, and empty again after a clear. */
static void
waveform_follows_the_overview(void **state)
{
	View  *v = (View *)*state;
	float  peaks[ET_OVERVIEW_BINS];
	double x, y, w, h;
	et_view_wave_rect(0, &x, &y, &w, &h);
	/* Only the part of the box above the middle, away from the hint text.
	 */
	const int bw = (int)w - 20, bh = 5;
	v->model.value[ET_PORT_LOOP_STATE]                         = 3.0f;
	v->model.value[et_track_loop_port(0, ET_TRACK_LOOP_STATE)] = 3.0f;
	draw(v);
	assert_int_equal(wave_inked(v, 0), 0);

	for (unsigned i = 0; i < ET_OVERVIEW_BINS; ++i) {
		peaks[i] = 0.9f;
	}
	for (unsigned first = 0; first < ET_OVERVIEW_BINS - 64; first += 64) {
		et_ui_model_overview(&v->model, 0, 7, 48000, ET_OVERVIEW_BINS,
				     first, peaks + first, 64);
	}
	draw(v);
	assert_int_equal(wave_inked(v, 0), 0); /* 448 of 512 bins */
	/* A stray chunk of another overview is ignored (a loss to ask for,
	 * but the overview collecting goes on). */
	assert_int_equal(et_ui_model_overview(&v->model, 0, 8, 48000,
					      ET_OVERVIEW_BINS, 448, peaks,
					      64),
			 ET_CHUNK_LOST);
	draw(v);
	assert_int_equal(wave_inked(v, 0), 0);
	et_ui_model_overview(&v->model, 0, 7, 48000, ET_OVERVIEW_BINS, 448,
			     peaks + 448, 64);
	draw(v);
	assert_true(wave_inked(v, 0) > (unsigned)(bw * bh) * 8 / 10);

	et_ui_model_overview(&v->model, 0, 9, 0, 0, 0, NULL, 0); /* clear */
	v->model.value[ET_PORT_LOOP_STATE]                         = 0.0f;
	v->model.value[et_track_loop_port(0, ET_TRACK_LOOP_STATE)] = 0.0f;
	draw(v);
	assert_int_equal(wave_inked(v, 0), 0);
}

/* A chunk that went missing is seen (the UI then asks again), and the
 * overview sent again from bin 0 is shown whole. */
static void
lost_chunk_then_whole(void **state)
{
	View *v = (View *)*state;
	float peaks[ET_OVERVIEW_BINS];
	for (unsigned i = 0; i < ET_OVERVIEW_BINS; ++i) {
		peaks[i] = (float)i / ET_OVERVIEW_BINS;
	}
	EtUiModel *m = &v->model;
	assert_int_equal(et_ui_model_overview(m, 0, 4, 1000, ET_OVERVIEW_BINS,
					      0, peaks, 64),
			 ET_CHUNK_TAKEN);
	/* Bins 64..127 lost: 128.. is out of sequence. */
	assert_int_equal(et_ui_model_overview(m, 0, 4, 1000, ET_OVERVIEW_BINS,
					      128, peaks + 128, 64),
			 ET_CHUNK_LOST);
	assert_int_equal(m->loop[0].incoming_bins, 0);
	/* ... and so is the rest of that overview. */
	for (unsigned first = 192; first < ET_OVERVIEW_BINS; first += 64) {
		assert_int_equal(et_ui_model_overview(m, 0, 4, 1000,
						      ET_OVERVIEW_BINS, first,
						      peaks + first, 64),
				 ET_CHUNK_LOST);
	}
	assert_int_equal(m->loop[0].shown_bins, 0);
	/* A chunk of an overview not seen from its start. */
	assert_int_equal(et_ui_model_overview(m, 0, 5, 1000, ET_OVERVIEW_BINS,
					      64, peaks + 64, 64),
			 ET_CHUNK_LOST);
	/* Nonsense is not a loss. */
	assert_int_equal(et_ui_model_overview(m, 0, 5, 1000,
					      ET_OVERVIEW_BINS + 1, 0, peaks,
					      64),
			 ET_CHUNK_BAD);
	assert_int_equal(
	    et_ui_model_overview(m, 0, 5, 1000, ET_OVERVIEW_BINS, 0, peaks, 0),
	    ET_CHUNK_BAD);
	/* The answer to the Request: the whole overview again. */
	for (unsigned first = 0; first < ET_OVERVIEW_BINS; first += 64) {
		assert_int_equal(
		    et_ui_model_overview(m, 0, 4, 1000, ET_OVERVIEW_BINS,
					 first, peaks + first, 64),
		    first + 64 < ET_OVERVIEW_BINS ? ET_CHUNK_TAKEN
						  : ET_CHUNK_WHOLE);
	}
	assert_int_equal(m->loop[0].shown_bins, ET_OVERVIEW_BINS);
	assert_int_equal(m->loop[0].shown_length, 1000);
	assert_memory_equal(m->loop[0].shown, peaks, sizeof(peaks));
	assert_int_equal(m->loop[0].incoming_bins, 0);
}

/* Each lane's playhead sits at its loop's position (msg:Playheads); a
 * loop without one (-1) shows none. */
static void
playhead_at_position(void **state)
{
	View *v                       = (View *)*state;
	float peaks[ET_OVERVIEW_BINS] = { 0 };
	for (unsigned t = 0; t < ET_TRACK_COUNT; ++t) {
		et_ui_model_overview(&v->model, t, 1, 1000, ET_OVERVIEW_BINS,
				     0, peaks, ET_OVERVIEW_BINS);
		v->model.value[et_track_loop_port(t, ET_TRACK_LOOP_STATE)] =
		    3.0f;
		v->model.position[t] = t == 3 ? -1.0f : 0.125f * (float)t;
	}
	draw(v);
	for (unsigned t = 0; t < ET_TRACK_COUNT; ++t) {
		double x, y, w, h;
		et_view_wave_rect(t, &x, &y, &w, &h);
		const int py = (int)(y + 8);
		const int px = (int)floor(x + 4 + 0.125 * (double)t * (w - 8));
		const Px  at = pixel(v, px, py);
		assert_int_equal(at.r > 200 && at.g > 200 && at.b > 200,
				 t != 3);
		const Px beside = pixel(v, px + 30, py);
		assert_true(beside.r < 60);
	}
}

/* Loops on tracks 2 and 5 only: exactly their lanes show a waveform,
 * blue while it plays, grey once the track's loop or the master loop is
 * muted; each lane's light shows its state (green playing, red
 * recording, none empty). */
static void
lanes_show_their_own_loops(void **state)
{
	View *v = (View *)*state;
	float peaks[ET_OVERVIEW_BINS];
	for (unsigned i = 0; i < ET_OVERVIEW_BINS; ++i) {
		peaks[i] = 0.9f;
	}
	const unsigned loops[2] = { 1, 4 };
	for (unsigned k = 0; k < 2; ++k) {
		const unsigned t = loops[k];
		et_ui_model_overview(&v->model, t, 2, 96000, ET_OVERVIEW_BINS,
				     0, peaks, ET_OVERVIEW_BINS);
		v->model.value[et_track_loop_port(t, ET_TRACK_LOOP_STATE)] =
		    3.0f;
	}
	v->model.value[et_track_loop_port(6, ET_TRACK_LOOP_STATE)] = 2.0f;
	v->model.value[ET_PORT_ACTIVE_TRACK]                       = 8.0f;
	draw(v);
	for (unsigned t = 0; t < ET_TRACK_COUNT; ++t) {
		double x, y, w, h;
		et_view_wave_rect(t, &x, &y, &w, &h);
		const unsigned ink = wave_inked(v, t);
		const bool     has = t == 1 || t == 4;
		if (has != (ink > (unsigned)(w - 20) * 5 * 8 / 10)) {
			fail_msg("lane %u: %u pixels inked", t + 1, ink);
		}
		if (has) {
			const Px p = pixel(v, (int)(x + w / 2), (int)y + 8);
			assert_true(p.b > p.r + 60); /* blue */
		}
		/* The light, at the right of the lane's name. */
		double lx, ly, lw, lh;
		et_view_lane_rect(t, &lx, &ly, &lw, &lh);
		const Px light = pixel(v, (int)lx + 86 - 11, (int)ly + 11);
		assert_int_equal(is_green(light), has);
		assert_int_equal(light.r > 180 && light.g < 110, t == 6);
	}
	/* Track 5's loop muted: its waveform turns grey; then track 2's by
	 * the master mute. */
	v->model.value[et_track_loop_port(4, ET_TRACK_LOOP_MUTE)] = 1.0f;
	draw(v);
	double x, y, w, h;
	et_view_wave_rect(4, &x, &y, &w, &h);
	Px p = pixel(v, (int)(x + w / 2), (int)y + 8);
	assert_true(abs(p.b - p.r) < 40 && p.r > 80);
	et_view_wave_rect(1, &x, &y, &w, &h);
	p = pixel(v, (int)(x + w / 2), (int)y + 8);
	assert_true(p.b > p.r + 60);
	v->model.value[ET_PORT_LOOP_MUTE] = 1.0f;
	draw(v);
	p = pixel(v, (int)(x + w / 2), (int)y + 8);
	assert_true(abs(p.b - p.r) < 40 && p.r > 80);
}

/* The input meter: nothing lit at silence; at -6 dBFS on the left green
 * to -12 dB, amber from there to -6 dB and nothing beyond; at +1 dBFS on
 * the right red past 0 dB. */
static void
meter_shows_the_input(void **state)
{
	View  *v = (View *)*state;
	double x, y, w, h;
	et_view_meter_rect(&x, &y, &w, &h);
	const int left = (int)(y + 2), right = (int)(y + h - 2);
#define AT(db) ((int)(x + ((db) + 60.0) / 66.0 * w))
	draw(v);
	assert_int_equal(inked(v, (int)x, (int)y, AT(-1.0) - (int)x, (int)h),
			 0);
	v->model.input[0] = 0.5f;   /* -6.02 dBFS */
	v->model.input[1] = 1.122f; /* +1 dBFS */
	draw(v);
	assert_true(is_green(pixel(v, AT(-40.0), left)));
	assert_true(is_green(pixel(v, AT(-13.0), left)));
	const Px amber = pixel(v, AT(-8.0), left);
	assert_true(amber.r > 180 && amber.g > 140 && amber.b < 90);
	const Px beyond = pixel(v, AT(-5.0), left);
	assert_true(beyond.r < 60 && beyond.g < 60);
	const Px red = pixel(v, AT(0.5), right);
	assert_true(red.r > 180 && red.g < 110);
	const Px over = pixel(v, AT(3.0), right);
	assert_true(over.r < 60);
#undef AT
}

/* ------------------------------------------------ the round trip's row */

/* A Calibration message's content, as et_msg_read gives it. */
static void
tell_calibration(View *v, unsigned track, uint32_t state, uint32_t reason,
		 float latency, float spread, uint32_t answered)
{
	EtMsg msg;
	memset(&msg, 0, sizeof(msg));
	msg.track    = track;
	msg.state    = state;
	msg.reason   = reason;
	msg.latency  = latency;
	msg.spread   = spread;
	msg.answered = answered;
	et_ui_model_calibration(&v->model, &msg);
}

/* Pixels of a colour in the readout's right part (its status). */
static unsigned
status_pixels(View *v, bool (*is)(Px))
{
	double x, y, w, h;
	et_view_latency_rect(&x, &y, &w, &h);
	unsigned n = 0;
	for (int py = (int)y + 4; py < (int)(y + h) - 4; ++py) {
		for (int px = (int)(x + w * 0.6); px < (int)(x + w) - 2;
		     ++px) {
			n += is(pixel(v, px, py));
		}
	}
	return n;
}

static bool
is_amber(Px p)
{
	return p.r > 180 && p.g > 130 && p.b < 90;
}

static bool
is_red(Px p)
{
	return p.r > 170 && p.g < 110 && p.b < 110;
}

/* The readout's ink between x0 and x1 (design units), on its text band. */
static unsigned
readout_inked(View *v, double x0, double x1)
{
	double x, y, w, h;
	et_view_latency_rect(&x, &y, &w, &h);
	return inked(v, (int)(x + x0), (int)y + 6, (int)(x1 - x0),
		     (int)h - 12);
}

/* The active track's latency, the spread of its calibration once one was
 * done, and the status: amber while measuring (its own or another
 * track's), red when it failed or was refused; another track's ending
 * says nothing on this one. */
static void
readout_follows_the_calibration(void **state)
{
	View *v                              = (View *)*state;
	v->model.value[ET_PORT_ACTIVE_TRACK] = 2.0f;
	v->model.value[ET_PORT_LATENCY]      = 12.29f;
	draw(v);
	assert_true(readout_inked(v, 56, 120) > 50);     /* "12.3 ms" */
	assert_int_equal(readout_inked(v, 134, 220), 0); /* no spread yet */
	assert_int_equal(status_pixels(v, is_amber), 0);
	assert_int_equal(status_pixels(v, is_red), 0);

	tell_calibration(v, 1, ET_MSG_CALIBRATION_RUNNING, 0, 0, 0, 0);
	draw(v);
	assert_true(status_pixels(v, is_amber) > 30); /* measuring... */
	tell_calibration(v, 1, ET_MSG_CALIBRATION_DONE, 0, 12.29f, 0.1f, 5);
	draw(v);
	assert_int_equal(status_pixels(v, is_amber), 0);
	assert_true(readout_inked(v, 134, 220) > 50); /* spread 0.1 ms */
	assert_true(v->model.calibration[1].measured);
	assert_true(v->model.calibration[1].spread == 0.1f);

	/* Track 5 measured: amber here too, and its end says nothing. */
	tell_calibration(v, 4, ET_MSG_CALIBRATION_RUNNING, 0, 0, 0, 0);
	draw(v);
	assert_int_equal(v->model.calibrating, 4);
	assert_true(status_pixels(v, is_amber) > 30);
	tell_calibration(v, 4, ET_MSG_CALIBRATION_FAILED,
			 ET_MSG_CALIBRATION_NO_ANSWER, 0, 0, 0);
	draw(v);
	assert_int_equal(v->model.calibrating, -1);
	assert_int_equal(status_pixels(v, is_amber), 0);
	assert_int_equal(status_pixels(v, is_red), 0);

	/* A failure on this track: red, the old spread kept. */
	tell_calibration(v, 1, ET_MSG_CALIBRATION_FAILED,
			 ET_MSG_CALIBRATION_TOO_LATE, 612.0f, 0, 3);
	draw(v);
	assert_true(status_pixels(v, is_red) > 30);
	assert_true(v->model.calibration[1].spread == 0.1f);
	tell_calibration(v, 1, ET_MSG_CALIBRATION_REFUSED, 0, 0, 0, 0);
	draw(v);
	assert_true(status_pixels(v, is_red) > 30);
	/* Track 5 active: its own failure in red, no spread. */
	v->model.value[ET_PORT_ACTIVE_TRACK] = 5.0f;
	draw(v);
	assert_true(status_pixels(v, is_red) > 30);
	assert_int_equal(readout_inked(v, 134, 220), 0);
}

/* The widest readout (750 ms, a spread of 99.9 ms, another track being
 * measured) keeps its four parts apart and inside its box: on the text
 * band, the inked columns form four groups (track, latency, spread,
 * status) separated by at least 6 units, none within 4 units of the
 * box's edges. */
static void
widest_readout_fits(void **state)
{
	View *v                              = (View *)*state;
	v->model.value[ET_PORT_ACTIVE_TRACK] = 8.0f;
	v->model.value[ET_PORT_LATENCY]      = 750.0f;
	tell_calibration(v, 7, ET_MSG_CALIBRATION_DONE, 0, 500.0f, 99.9f, 5);
	tell_calibration(v, 6, ET_MSG_CALIBRATION_RUNNING, 0, 0, 0, 0);
	draw(v);
	double x, y, w, h;
	et_view_latency_rect(&x, &y, &w, &h);
	const Px bg     = pixel(v, (int)x + 3, (int)(y + h / 2));
	unsigned groups = 0, gap = 99;
	int      first = -1, last = -1;
	for (int px = (int)x + 2; px < (int)(x + w) - 2; ++px) {
		const bool ink =
		    inked_on(v, bg, px, (int)y + 6, 1, (int)h - 12) > 0;
		if (ink) {
			groups += gap >= 6;
			gap   = 0;
			first = first < 0 ? px : first;
			last  = px;
		} else {
			++gap;
		}
	}
	assert_int_equal(groups, 4);
	assert_true(first >= (int)x + 4);
	assert_true(last <= (int)(x + w) - 5);
}

/* ------------------------------------------------ reading notify's atoms */

static const char *const msg_uris[] = {
	LV2_ATOM__Object, LV2_ATOM__Blank,    LV2_ATOM__Int,
	LV2_ATOM__Long,   LV2_ATOM__Float,    LV2_ATOM__Vector,
	ET_MSG__Activity, ET_MSG__Overview,   ET_MSG__sounding,
	ET_MSG__serial,   ET_MSG__length,     ET_MSG__binCount,
	ET_MSG__first,    ET_MSG__peaks,      LV2_ATOM__Double,
	LV2_ATOM__String, LV2_ATOM__Sequence, LV2_ATOM__Tuple,
	ET_MSG__track,    ET_MSG__Playheads,  ET_MSG__positions,
	ET_MSG__Meter,    ET_MSG__input,      ET_MSG__Calibration,
	ET_MSG__state,    ET_MSG__reason,     ET_MSG__latency,
	ET_MSG__spread,   ET_MSG__answered
};

static LV2_URID
map_uri(LV2_URID_Map_Handle handle, const char *uri)
{
	(void)handle;
	for (unsigned i = 0; i < sizeof(msg_uris) / sizeof(msg_uris[0]); ++i) {
		if (!strcmp(msg_uris[i], uri)) {
			return i + 1;
		}
	}
	return 99;
}

static LV2_URID_Map msg_map = { NULL, map_uri };

static EtMsgUris
msg_uris_mapped(void)
{
	EtMsgUris u;
	u.atom_Object     = map_uri(NULL, LV2_ATOM__Object);
	u.atom_Blank      = map_uri(NULL, LV2_ATOM__Blank);
	u.atom_Int        = map_uri(NULL, LV2_ATOM__Int);
	u.atom_Long       = map_uri(NULL, LV2_ATOM__Long);
	u.atom_Float      = map_uri(NULL, LV2_ATOM__Float);
	u.atom_Vector     = map_uri(NULL, LV2_ATOM__Vector);
	u.msg_Activity    = map_uri(NULL, ET_MSG__Activity);
	u.msg_Overview    = map_uri(NULL, ET_MSG__Overview);
	u.msg_sounding    = map_uri(NULL, ET_MSG__sounding);
	u.msg_serial      = map_uri(NULL, ET_MSG__serial);
	u.msg_length      = map_uri(NULL, ET_MSG__length);
	u.msg_binCount    = map_uri(NULL, ET_MSG__binCount);
	u.msg_first       = map_uri(NULL, ET_MSG__first);
	u.msg_peaks       = map_uri(NULL, ET_MSG__peaks);
	u.msg_track       = map_uri(NULL, ET_MSG__track);
	u.msg_Playheads   = map_uri(NULL, ET_MSG__Playheads);
	u.msg_positions   = map_uri(NULL, ET_MSG__positions);
	u.msg_Meter       = map_uri(NULL, ET_MSG__Meter);
	u.msg_input       = map_uri(NULL, ET_MSG__input);
	u.msg_Calibration = map_uri(NULL, ET_MSG__Calibration);
	u.msg_state       = map_uri(NULL, ET_MSG__state);
	u.msg_reason      = map_uri(NULL, ET_MSG__reason);
	u.msg_latency     = map_uri(NULL, ET_MSG__latency);
	u.msg_spread      = map_uri(NULL, ET_MSG__spread);
	u.msg_answered    = map_uri(NULL, ET_MSG__answered);
	return u;
}

/* An Overview chunk as notify builds it, with `n` peaks i / 100 claiming
 * `claim` of them in the vector's header (claim == n: well formed), in
 * `buf`; its size in bytes with the atom header. */
static uint32_t
forge_overview(uint8_t *buf, uint32_t cap, uint32_t serial, uint32_t first,
	       uint32_t n)
{
	float peaks[ET_OVERVIEW_BINS + 8];
	for (uint32_t i = 0; i < n; ++i) {
		peaks[i] = (float)(first + i) / 1000.0f;
	}
	LV2_Atom_Forge       forge;
	LV2_Atom_Forge_Frame frame;
	lv2_atom_forge_init(&forge, &msg_map);
	lv2_atom_forge_set_buffer(&forge, buf, cap);
	lv2_atom_forge_object(&forge, &frame, 0,
			      map_uri(NULL, ET_MSG__Overview));
	lv2_atom_forge_key(&forge, map_uri(NULL, ET_MSG__track));
	lv2_atom_forge_int(&forge, 3);
	lv2_atom_forge_key(&forge, map_uri(NULL, ET_MSG__serial));
	lv2_atom_forge_int(&forge, (int32_t)serial);
	lv2_atom_forge_key(&forge, map_uri(NULL, ET_MSG__length));
	lv2_atom_forge_long(&forge, 48000);
	lv2_atom_forge_key(&forge, map_uri(NULL, ET_MSG__binCount));
	lv2_atom_forge_int(&forge, ET_OVERVIEW_BINS);
	lv2_atom_forge_key(&forge, map_uri(NULL, ET_MSG__first));
	lv2_atom_forge_int(&forge, (int32_t)first);
	lv2_atom_forge_key(&forge, map_uri(NULL, ET_MSG__peaks));
	lv2_atom_forge_vector(&forge, sizeof(float),
			      map_uri(NULL, LV2_ATOM__Float), n, peaks);
	lv2_atom_forge_pop(&forge, &frame);
	assert_true(forge.offset > 0);
	return (uint32_t)(sizeof(LV2_Atom) + ((LV2_Atom *)buf)->size);
}

/* Reads `bytes` of `src` from a heap block of exactly that size, so that
 * ASan (SANITIZE=1) sees any read past it. */
static EtMsgKind
read_exact(const uint8_t *src, uint32_t bytes, uint32_t size_given, EtMsg *msg)
{
	const EtMsgUris u    = msg_uris_mapped();
	uint8_t        *heap = (uint8_t *)malloc(bytes ? bytes : 1);
	memcpy(heap, src, bytes);
	const EtMsgKind kind = et_msg_read(&u, heap, size_given, msg);
	free(heap);
	return kind;
}

/* Offset of the peaks property's value (its vector atom) in an overview
 * forged by forge_overview: six properties of 16-byte headers, the first
 * five with 8-byte bodies (Int and Long padded to 8). */
#define PEAKS_AT (sizeof(LV2_Atom) + sizeof(LV2_Atom_Object_Body) + 5 * 24 + 8)

static void
msg_read_well_formed(void **state)
{
	(void)state;
	_Alignas(8) uint8_t buf[4096];
	EtMsg               msg;
	const uint32_t bytes = forge_overview(buf, sizeof(buf), 7, 64, 64);
	assert_int_equal(read_exact(buf, bytes, bytes, &msg), ET_MSG_OVERVIEW);
	assert_int_equal(msg.track, 2); /* track 3 */
	assert_int_equal(msg.serial, 7);
	assert_int_equal(msg.length, 48000);
	assert_int_equal(msg.bins, ET_OVERVIEW_BINS);
	assert_int_equal(msg.first, 64);
	assert_int_equal(msg.n, 64);
	assert_true(msg.peaks[63] == 127.0f / 1000.0f);
	/* The vector atom is where PEAKS_AT says. */
	LV2_Atom vec;
	memcpy(&vec, buf + PEAKS_AT, sizeof(vec));
	assert_int_equal(vec.type, map_uri(NULL, LV2_ATOM__Vector));
	assert_int_equal(vec.size,
			 sizeof(LV2_Atom_Vector_Body) + 64 * sizeof(float));
	/* Unaligned, in a buffer with room to spare. */
	_Alignas(8) uint8_t odd[4097];
	memcpy(odd + 1, buf, bytes);
	const EtMsgUris u = msg_uris_mapped();
	assert_int_equal(et_msg_read(&u, odd + 1, bytes + 3, &msg),
			 ET_MSG_OVERVIEW);
	assert_int_equal(msg.first, 64);

	/* An Activity. */
	LV2_Atom_Forge       forge;
	LV2_Atom_Forge_Frame frame;
	lv2_atom_forge_init(&forge, &msg_map);
	lv2_atom_forge_set_buffer(&forge, buf, sizeof(buf));
	lv2_atom_forge_object(&forge, &frame, 0,
			      map_uri(NULL, ET_MSG__Activity));
	lv2_atom_forge_key(&forge, map_uri(NULL, ET_MSG__sounding));
	lv2_atom_forge_int(&forge, 0x81);
	lv2_atom_forge_pop(&forge, &frame);
	const uint32_t a =
	    (uint32_t)sizeof(LV2_Atom) + ((LV2_Atom *)buf)->size;
	assert_int_equal(read_exact(buf, a, a, &msg), ET_MSG_ACTIVITY);
	assert_int_equal(msg.sounding, 0x81);
	/* Without its property: nothing. */
	lv2_atom_forge_set_buffer(&forge, buf, sizeof(buf));
	lv2_atom_forge_object(&forge, &frame, 0,
			      map_uri(NULL, ET_MSG__Activity));
	lv2_atom_forge_pop(&forge, &frame);
	assert_int_equal(read_exact(buf, 16, 16, &msg), ET_MSG_NONE);
}

/* A Calibration as notify builds it, with `latency` and `state` as given,
 * and its answered count left out if `whole` is false; its size with the
 * atom header. */
static uint32_t
forge_calibration(uint8_t *buf, uint32_t cap, int32_t state, float latency,
		  bool whole)
{
	LV2_Atom_Forge       forge;
	LV2_Atom_Forge_Frame frame;
	lv2_atom_forge_init(&forge, &msg_map);
	lv2_atom_forge_set_buffer(&forge, buf, cap);
	lv2_atom_forge_object(&forge, &frame, 0,
			      map_uri(NULL, ET_MSG__Calibration));
	lv2_atom_forge_key(&forge, map_uri(NULL, ET_MSG__track));
	lv2_atom_forge_int(&forge, 8);
	lv2_atom_forge_key(&forge, map_uri(NULL, ET_MSG__state));
	lv2_atom_forge_int(&forge, state);
	lv2_atom_forge_key(&forge, map_uri(NULL, ET_MSG__reason));
	lv2_atom_forge_int(&forge, 0);
	lv2_atom_forge_key(&forge, map_uri(NULL, ET_MSG__latency));
	lv2_atom_forge_float(&forge, latency);
	lv2_atom_forge_key(&forge, map_uri(NULL, ET_MSG__spread));
	lv2_atom_forge_float(&forge, 0.25f);
	if (whole) {
		lv2_atom_forge_key(&forge, map_uri(NULL, ET_MSG__answered));
		lv2_atom_forge_int(&forge, 4);
	}
	lv2_atom_forge_pop(&forge, &frame);
	assert_true(forge.offset > 0);
	return (uint32_t)(sizeof(LV2_Atom) + ((LV2_Atom *)buf)->size);
}

/* A Calibration is read whole; a state or a latency out of range, or one
 * missing property, is nothing; so is every cut of it. */
static void
msg_read_calibration(void **state)
{
	(void)state;
	_Alignas(8) uint8_t buf[512];
	EtMsg               msg;
	uint32_t            bytes = forge_calibration(
		       buf, sizeof(buf), ET_MSG_CALIBRATION_DONE, 12.5f, true);
	assert_int_equal(read_exact(buf, bytes, bytes, &msg),
			 ET_MSG_CALIBRATION);
	assert_int_equal(msg.track, 7);
	assert_int_equal(msg.state, ET_MSG_CALIBRATION_DONE);
	assert_int_equal(msg.reason, 0);
	assert_true(msg.latency == 12.5f && msg.spread == 0.25f);
	assert_int_equal(msg.answered, 4);
	for (uint32_t cut = 0; cut < bytes; ++cut) {
		assert_int_equal(read_exact(buf, cut, cut, &msg), ET_MSG_NONE);
	}
	bytes = forge_calibration(buf, sizeof(buf), 5, 12.5f, true);
	assert_int_equal(read_exact(buf, bytes, bytes, &msg), ET_MSG_NONE);
	bytes = forge_calibration(buf, sizeof(buf), -1, 12.5f, true);
	assert_int_equal(read_exact(buf, bytes, bytes, &msg), ET_MSG_NONE);
	bytes = forge_calibration(buf, sizeof(buf), 2, NAN, true);
	assert_int_equal(read_exact(buf, bytes, bytes, &msg), ET_MSG_NONE);
	bytes = forge_calibration(buf, sizeof(buf), 2, -1.0f, true);
	assert_int_equal(read_exact(buf, bytes, bytes, &msg), ET_MSG_NONE);
	bytes = forge_calibration(buf, sizeof(buf), 2, 12.5f, false);
	assert_int_equal(read_exact(buf, bytes, bytes, &msg), ET_MSG_NONE);
}

/* Every cut of a whole overview, and every lie about its size, is read
 * as nothing, and never past what the host gave (ASan checks). */
static void
msg_read_truncated(void **state)
{
	(void)state;
	_Alignas(8) uint8_t buf[4096];
	EtMsg               msg;
	const uint32_t      bytes =
	    forge_overview(buf, sizeof(buf), 1, 0, ET_OVERVIEW_BINS);
	for (uint32_t cut = 0; cut < bytes; ++cut) {
		/* The buffer cut short, the object's size unchanged ... */
		assert_int_equal(read_exact(buf, cut, cut, &msg), ET_MSG_NONE);
		/* ... and the object's size cut to fit the buffer. */
		if (cut >= sizeof(LV2_Atom)) {
			_Alignas(8) uint8_t cut_buf[4096];
			memcpy(cut_buf, buf, cut);
			((LV2_Atom *)cut_buf)->size =
			    cut - (uint32_t)sizeof(LV2_Atom);
			assert_int_equal(read_exact(cut_buf, cut, cut, &msg),
					 ET_MSG_NONE);
		}
	}
	/* The reviewer's case: the vector claims 512 floats, the object ends
	 * after the vector's header. */
	_Alignas(8) uint8_t lie[4096];
	memcpy(lie, buf, bytes);
	const uint32_t head_end = (uint32_t)(PEAKS_AT + sizeof(LV2_Atom));
	((LV2_Atom *)lie)->size = head_end - (uint32_t)sizeof(LV2_Atom);
	assert_int_equal(read_exact(lie, head_end, head_end, &msg),
			 ET_MSG_NONE);
	/* A port_event size smaller than the atom says. */
	assert_int_equal(read_exact(buf, bytes, bytes - 1, &msg), ET_MSG_NONE);
	assert_int_equal(read_exact(buf, bytes, 0, &msg), ET_MSG_NONE);
	const EtMsgUris u = msg_uris_mapped();
	assert_int_equal(et_msg_read(&u, NULL, 0, &msg), ET_MSG_NONE);
}

/* Properties of the wrong type or size, too many peaks, and objects of
 * another kind are read as nothing. */
static void
msg_read_wrong_types(void **state)
{
	(void)state;
	_Alignas(8) uint8_t buf[4096], bad[4096];
	EtMsg               msg;
	const uint32_t      bytes = forge_overview(buf, sizeof(buf), 3, 0, 64);
	const size_t        track_at =
	    sizeof(LV2_Atom) + sizeof(LV2_Atom_Object_Body) + 8;
	const size_t    serial_at = track_at + 24;
	LV2_Atom *const atom      = (LV2_Atom *)bad;
#define BAD(edit)                                                             \
	do {                                                                  \
		memcpy(bad, buf, bytes);                                      \
		edit;                                                         \
		assert_int_equal(read_exact(bad, bytes, bytes, &msg),         \
				 ET_MSG_NONE);                                \
	} while (0)
	/* The atom and the object. */
	BAD(atom->type = map_uri(NULL, LV2_ATOM__Tuple));
	BAD(((LV2_Atom_Object *)bad)->body.otype =
		map_uri(NULL, LV2_ATOM__String));
	BAD(atom->size = 0);
	BAD(atom->size = 4);
	BAD(atom->size = UINT32_MAX);
	/* serial: a Float, an Int of 8 bytes, of 0 bytes, of 2^32-1 bytes. */
	BAD(((LV2_Atom *)(bad + serial_at))->type =
		map_uri(NULL, LV2_ATOM__Float));
	BAD(((LV2_Atom *)(bad + serial_at))->size = 8);
	BAD(((LV2_Atom *)(bad + serial_at))->size = 0);
	BAD(((LV2_Atom *)(bad + serial_at))->size = UINT32_MAX);
	/* A track of 0, 9, or a Float. */
	BAD(memcpy(bad + track_at + 8, &(int32_t){ 0 }, 4));
	BAD(memcpy(bad + track_at + 8, &(int32_t){ 9 }, 4));
	BAD(((LV2_Atom *)(bad + track_at))->type =
		map_uri(NULL, LV2_ATOM__Float));
	/* No track: its key changed. */
	BAD(memcpy(bad + track_at - 8, &(uint32_t){ 77 }, 4));
	/* A negative first. */
	BAD(memcpy(bad + serial_at + 3 * 24 + 8, &(int32_t){ -64 }, 4));
	/* peaks: not a vector, of doubles, of ints, claiming 65 floats, a body
	 * that is not a whole number of floats, or a header only. */
	LV2_Atom_Vector *const vec = (LV2_Atom_Vector *)(bad + PEAKS_AT);
	BAD(vec->atom.type = map_uri(NULL, LV2_ATOM__Tuple));
	BAD(vec->body.child_type = map_uri(NULL, LV2_ATOM__Double));
	BAD(vec->body.child_type = map_uri(NULL, LV2_ATOM__Int));
	BAD(vec->body.child_size = 8);
	BAD(vec->atom.size += 4);
	BAD(vec->atom.size -= 2);
	BAD(vec->atom.size = 4);
	/* A missing field: the key of first changed. */
	BAD(memcpy(bad + serial_at - 8 + 3 * 24, &(uint32_t){ 77 }, 4));
#undef BAD
	/* More than ET_OVERVIEW_BINS floats. */
	const uint32_t big =
	    forge_overview(buf, sizeof(buf), 3, 0, ET_OVERVIEW_BINS + 1);
	assert_int_equal(read_exact(buf, big, big, &msg), ET_MSG_NONE);
	/* Non-finite peaks are read as 0. */
	const uint32_t n   = forge_overview(buf, sizeof(buf), 3, 0, 4);
	const float    inf = INFINITY, nan = NAN;
	memcpy(buf + PEAKS_AT + sizeof(LV2_Atom_Vector), &inf, 4);
	memcpy(buf + PEAKS_AT + sizeof(LV2_Atom_Vector) + 4, &nan, 4);
	assert_int_equal(read_exact(buf, n, n, &msg), ET_MSG_OVERVIEW);
	assert_true(msg.peaks[0] == 0.0f && msg.peaks[1] == 0.0f);
	assert_true(msg.peaks[3] == 3.0f / 1000.0f);
}

/* What moves all the time (playheads, the meter, the active loop's state
 * and length) is drawn by et_view_draw_live() alone, over a still picture
 * of everything else, which the ports it shows need not redraw. */
static void
live_layer_holds_what_moves(void **state)
{
	View *v                       = (View *)*state;
	float peaks[ET_OVERVIEW_BINS] = { 0 };
	et_ui_model_overview(&v->model, 0, 1, 1000, ET_OVERVIEW_BINS, 0, peaks,
			     ET_OVERVIEW_BINS);
	v->model.value[et_track_loop_port(0, ET_TRACK_LOOP_STATE)] = 3.0f;
	v->model.value[ET_PORT_LOOP_STATE]                         = 3.0f;
	v->model.position[0]                                       = 0.5f;
	v->model.input[0]                                          = 0.5f;
	double x, y, w, h, mx, my, mw, mh;
	et_view_wave_rect(0, &x, &y, &w, &h);
	et_view_meter_rect(&mx, &my, &mw, &mh);
	const int px = (int)floor(x + 4 + 0.5 * (w - 8)), py = (int)y + 8;
	const int mpx = (int)(mx + 20.0 / 66.0 * mw), mpy = (int)my + 2;
	/* The state's light in the head row, green for PLAYING. */
	const int sx = 15 + 92 + 12, sy = 262;

	cairo_t *cr = cairo_create(v->surface);
	et_view_draw_static(cr, &v->layout, &v->model);
	cairo_destroy(cr);
	cairo_surface_flush(v->surface);
	assert_false(pixel(v, px, py).r > 200);
	assert_false(is_green(pixel(v, mpx, mpy)));
	assert_false(is_green(pixel(v, sx, sy)));

	cr = cairo_create(v->surface);
	et_view_draw_live(cr, &v->model);
	cairo_destroy(cr);
	cairo_surface_flush(v->surface);
	assert_true(pixel(v, px, py).r > 200);
	assert_true(is_green(pixel(v, mpx, mpy)));
	assert_true(is_green(pixel(v, sx, sy)));

	assert_true(et_view_port_is_live(ET_PORT_LOOP_STATE));
	assert_true(et_view_port_is_live(ET_PORT_LOOP_LENGTH));
	assert_true(et_view_port_is_live(ET_PORT_LOOP_POSITION));
	assert_false(et_view_port_is_live(ET_PORT_ACTIVE_TRACK));
	assert_false(
	    et_view_port_is_live(et_track_loop_port(0, ET_TRACK_LOOP_STATE)));
	assert_false(et_view_port_is_live(ET_PORT_LOOP_MUTE));
}

/* A msg:Playheads or msg:Meter object: one property `key`, a vector of
 * `n` floats; its size in bytes with the atom header. */
static uint32_t
forge_floats(uint8_t *buf, const char *otype, const char *key,
	     const float *values, uint32_t n)
{
	LV2_Atom_Forge       forge;
	LV2_Atom_Forge_Frame frame;
	lv2_atom_forge_init(&forge, &msg_map);
	lv2_atom_forge_set_buffer(&forge, buf, 1024);
	lv2_atom_forge_object(&forge, &frame, 0, map_uri(NULL, otype));
	lv2_atom_forge_key(&forge, map_uri(NULL, key));
	lv2_atom_forge_vector(&forge, sizeof(float),
			      map_uri(NULL, LV2_ATOM__Float), n, values);
	lv2_atom_forge_pop(&forge, &frame);
	assert_true(forge.offset > 0);
	return (uint32_t)(sizeof(LV2_Atom) + ((LV2_Atom *)buf)->size);
}

/* The playheads: exactly eight, each 0..1 or -1 (below 0 or not a
 * number: none; past 1: 1); the meter: exactly two, 0..16 (NaN: 0). Any
 * other count, a missing key, and every cut are nothing. */
static void
msg_read_playheads_and_meter(void **state)
{
	(void)state;
	_Alignas(8) uint8_t buf[1024];
	EtMsg               msg;
	const float         pos[9] = { 0.0f, 0.5f,     -1.0f, 1.5f, -0.25f,
				       NAN,  INFINITY, 0.99f, 0.1f };
	uint32_t            bytes =
	    forge_floats(buf, ET_MSG__Playheads, ET_MSG__positions, pos, 8);
	assert_int_equal(read_exact(buf, bytes, bytes, &msg),
			 ET_MSG_PLAYHEADS);
	const float want[8] = { 0.0f,  0.5f,  -1.0f, 1.0f,
				-1.0f, -1.0f, -1.0f, 0.99f };
	assert_memory_equal(msg.position, want, sizeof(want));
	for (uint32_t cut = 0; cut < bytes; ++cut) {
		assert_int_equal(read_exact(buf, cut, cut, &msg), ET_MSG_NONE);
	}
	bytes =
	    forge_floats(buf, ET_MSG__Playheads, ET_MSG__positions, pos, 7);
	assert_int_equal(read_exact(buf, bytes, bytes, &msg), ET_MSG_NONE);
	bytes =
	    forge_floats(buf, ET_MSG__Playheads, ET_MSG__positions, pos, 9);
	assert_int_equal(read_exact(buf, bytes, bytes, &msg), ET_MSG_NONE);
	bytes = forge_floats(buf, ET_MSG__Playheads, ET_MSG__input, pos, 8);
	assert_int_equal(read_exact(buf, bytes, bytes, &msg), ET_MSG_NONE);

	const float in[3] = { 0.5f, 100.0f, 0.25f };
	bytes = forge_floats(buf, ET_MSG__Meter, ET_MSG__input, in, 2);
	assert_int_equal(read_exact(buf, bytes, bytes, &msg), ET_MSG_METER);
	assert_true(msg.input[0] == 0.5f && msg.input[1] == 16.0f);
	const float odd[2] = { NAN, -3.0f };
	bytes = forge_floats(buf, ET_MSG__Meter, ET_MSG__input, odd, 2);
	assert_int_equal(read_exact(buf, bytes, bytes, &msg), ET_MSG_METER);
	assert_true(msg.input[0] == 0.0f && msg.input[1] == 0.0f);
	for (uint32_t cut = 0; cut < bytes; ++cut) {
		assert_int_equal(read_exact(buf, cut, cut, &msg), ET_MSG_NONE);
	}
	bytes = forge_floats(buf, ET_MSG__Meter, ET_MSG__input, in, 3);
	assert_int_equal(read_exact(buf, bytes, bytes, &msg), ET_MSG_NONE);
	bytes = forge_floats(buf, ET_MSG__Meter, ET_MSG__input, in, 1);
	assert_int_equal(read_exact(buf, bytes, bytes, &msg), ET_MSG_NONE);
	bytes = forge_floats(buf, ET_MSG__Meter, ET_MSG__positions, in, 2);
	assert_int_equal(read_exact(buf, bytes, bytes, &msg), ET_MSG_NONE);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(clicks_hit_their_ports, setup,
						teardown),
		cmocka_unit_test_setup_teardown(active_track_is_highlighted,
						setup, teardown),
		cmocka_unit_test_setup_teardown(note_lights, setup, teardown),
		cmocka_unit_test_setup_teardown(mute_lights, setup, teardown),
		cmocka_unit_test_setup_teardown(waveform_follows_the_overview,
						setup, teardown),
		cmocka_unit_test_setup_teardown(playhead_at_position, setup,
						teardown),
		cmocka_unit_test_setup_teardown(lost_chunk_then_whole, setup,
						teardown),
		cmocka_unit_test_setup_teardown(lanes_show_their_own_loops,
						setup, teardown),
		cmocka_unit_test_setup_teardown(meter_shows_the_input, setup,
						teardown),
		cmocka_unit_test_setup_teardown(live_layer_holds_what_moves,
						setup, teardown),
		cmocka_unit_test_setup_teardown(
		    readout_follows_the_calibration, setup, teardown),
		cmocka_unit_test_setup_teardown(widest_readout_fits, setup,
						teardown),
		cmocka_unit_test(msg_read_well_formed),
		cmocka_unit_test(msg_read_calibration),
		cmocka_unit_test(msg_read_truncated),
		cmocka_unit_test(msg_read_wrong_types),
		cmocka_unit_test(msg_read_playheads_and_meter),
	};
	const int failed = cmocka_run_group_tests(tests, NULL, NULL);
	/* cairo's and fontconfig's one-time caches, for LeakSanitizer. */
	cairo_debug_reset_static_data();
	FcFini();
	return failed;
}
