/* The UI's view without X: what a click hits, and what is drawn for a
 * given model, read back from the pixels of an image surface. */
#include "view.h"

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

typedef struct {
	cairo_surface_t *surface;
	EtLayout         layout;
	EtUiModel        model;
} View;

static int
setup(void **state)
{
	View *v    = (View *)calloc(1, sizeof(View));
	v->surface = cairo_image_surface_create(CAIRO_FORMAT_RGB24, ET_VIEW_WIDTH,
	                                        ET_VIEW_HEIGHT);
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
	return (Px){(int)(p >> 16) & 0xff, (int)(p >> 8) & 0xff, (int)p & 0xff};
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

/* Pixels in a rectangle whose colour differs from the background's. */
static unsigned
inked(View *v, int x0, int y0, int w, int h)
{
	const Px bg = pixel(v, x0, y0);
	unsigned n  = 0;
	for (int y = y0; y < y0 + h; ++y) {
		for (int x = x0; x < x0 + w; ++x) {
			const Px p = pixel(v, x, y);
			n += abs(p.r - bg.r) + abs(p.g - bg.g) + abs(p.b - bg.b) > 60;
		}
	}
	return n;
}

/* Every control is where a musician expects it, bound to its port. */
static void
clicks_hit_their_ports(void **state)
{
	View           *v = (View *)*state;
	const EtWidget *w;
	for (unsigned t = 0; t < ET_TRACK_COUNT; ++t) {
		const double cx = 15 + t * 92 + 43;
		w = et_layout_hit(&v->layout, cx, 74);
		assert_non_null(w);
		assert_int_equal(w->kind, ET_WIDGET_TRACK);
		assert_int_equal(w->track, t);
		w = et_layout_hit(&v->layout, cx, 214);
		assert_non_null(w);
		assert_int_equal(w->port, et_track_port(t, ET_TRACK_FIELD_MUTE));
		w = et_layout_hit(&v->layout, cx, 143);
		assert_int_equal(w->port, et_track_port(t, ET_TRACK_FIELD_TRANSPOSE));
		w = et_layout_hit(&v->layout, cx, 108);
		assert_int_equal(w->port, et_track_port(t, ET_TRACK_FIELD_CHANNEL));
		w = et_layout_hit(&v->layout, cx, 177);
		assert_int_equal(w->port, et_track_port(t, ET_TRACK_FIELD_PROGRAM));
	}
	const uint32_t looper[8] = {ET_PORT_LOOP_ARM,      ET_PORT_LOOP_MUTE,
	                            ET_PORT_LOOP_OVERDUB,  ET_PORT_LOOP_CLEAR,
	                            ET_PORT_MONITOR,       ET_PORT_LOOP_QUANTIZE,
	                            ET_PORT_LOOP_BARS,     ET_PORT_LOOP_LEVEL};
	for (unsigned c = 0; c < 8; ++c) {
		w = et_layout_hit(&v->layout, 15 + c * 92 + 43, 400);
		assert_non_null(w);
		assert_int_equal(w->port, looper[c]);
	}
	assert_int_equal(et_layout_hit(&v->layout, 15 + 4 * 92 + 43, 28)->port,
	                 ET_PORT_AUTO_CHANNEL);
	assert_int_equal(et_layout_hit(&v->layout, 15 + 6 * 92 + 43, 28)->port,
	                 ET_PORT_THRU);
	/* Gaps, the waveform and the title are not controls. */
	assert_null(et_layout_hit(&v->layout, 15 + 86 + 3, 214));
	assert_null(et_layout_hit(&v->layout, 300, 320));
	assert_null(et_layout_hit(&v->layout, 40, 28));
	/* No two widgets overlap. */
	for (unsigned i = 0; i < v->layout.count; ++i) {
		for (unsigned j = i + 1; j < v->layout.count; ++j) {
			const EtWidget *a = &v->layout.widget[i], *b = &v->layout.widget[j];
			const bool apart = a->x + a->w <= b->x || b->x + b->w <= a->x ||
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
}

/* Notes sounding on tracks 2 and 8 light exactly those two. */
static void
note_lights(void **state)
{
	View *v          = (View *)*state;
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
	View *v = (View *)*state;
	v->model.value[et_track_port(4, ET_TRACK_FIELD_MUTE)] = 1.0f;
	draw(v);
	const Px on  = pixel(v, 15 + 4 * 92 + 12, 205);
	const Px off = pixel(v, 15 + 3 * 92 + 12, 205);
	assert_true(on.r > 180 && on.g < 110);
	assert_false(off.r > 180 && off.g < 110);
}

/* The waveform area is empty without a loop, filled once a whole
 * overview has arrived, not before, and empty again after a clear. */
static void
waveform_follows_the_overview(void **state)
{
	View  *v = (View *)*state;
	float  peaks[ET_OVERVIEW_BINS];
	double x, y, w, h;
	et_view_wave_rect(&x, &y, &w, &h);
	/* Only the part of the box above the middle, away from the hint text. */
	const int bx = (int)x + 10, by = (int)y + 8, bw = (int)w - 20, bh = 20;
	v->model.value[ET_PORT_LOOP_STATE] = 3.0f;
	draw(v);
	assert_int_equal(inked(v, bx, by, bw, bh), 0);

	for (unsigned i = 0; i < ET_OVERVIEW_BINS; ++i) {
		peaks[i] = 0.9f;
	}
	for (unsigned first = 0; first < ET_OVERVIEW_BINS - 64; first += 64) {
		et_ui_model_overview(&v->model, 7, 48000, ET_OVERVIEW_BINS, first,
		                     peaks + first, 64);
	}
	draw(v);
	assert_int_equal(inked(v, bx, by, bw, bh), 0); /* 448 of 512 bins */
	/* A stray chunk of another overview is ignored. */
	et_ui_model_overview(&v->model, 8, 48000, ET_OVERVIEW_BINS, 448, peaks, 64);
	draw(v);
	assert_int_equal(inked(v, bx, by, bw, bh), 0);
	et_ui_model_overview(&v->model, 7, 48000, ET_OVERVIEW_BINS, 448,
	                     peaks + 448, 64);
	draw(v);
	assert_true(inked(v, bx, by, bw, bh) > (unsigned)(bw * bh) * 8 / 10);

	et_ui_model_overview(&v->model, 9, 0, 0, 0, NULL, 0); /* clear */
	v->model.value[ET_PORT_LOOP_STATE] = 0.0f;
	draw(v);
	assert_int_equal(inked(v, bx, by, bw, bh), 0);
}

/* The playhead sits at loop_position across the waveform. */
static void
playhead_at_position(void **state)
{
	View  *v = (View *)*state;
	float  peaks[ET_OVERVIEW_BINS] = {0};
	double x, y, w, h;
	et_view_wave_rect(&x, &y, &w, &h);
	et_ui_model_overview(&v->model, 1, 1000, ET_OVERVIEW_BINS, 0, peaks,
	                     ET_OVERVIEW_BINS);
	v->model.value[ET_PORT_LOOP_STATE]    = 3.0f;
	v->model.value[ET_PORT_LOOP_POSITION] = 0.5f;
	draw(v);
	const int px = (int)floor(x + 4 + 0.5 * (w - 8));
	const int py = (int)(y + 10);
	const Px  at = pixel(v, px, py);
	assert_true(at.r > 200 && at.g > 200 && at.b > 200);
	const Px beside = pixel(v, px + 30, py);
	assert_true(beside.r < 60);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_setup_teardown(clicks_hit_their_ports, setup, teardown),
	    cmocka_unit_test_setup_teardown(active_track_is_highlighted, setup, teardown),
	    cmocka_unit_test_setup_teardown(note_lights, setup, teardown),
	    cmocka_unit_test_setup_teardown(mute_lights, setup, teardown),
	    cmocka_unit_test_setup_teardown(waveform_follows_the_overview, setup, teardown),
	    cmocka_unit_test_setup_teardown(playhead_at_position, setup, teardown),
	};
	const int failed = cmocka_run_group_tests(tests, NULL, NULL);
	/* cairo's and fontconfig's one-time caches, for LeakSanitizer. */
	cairo_debug_reset_static_data();
	FcFini();
	return failed;
}
