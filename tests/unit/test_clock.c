/* The transport clock, told as what the host does and what the looper
 * must conclude from it. */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "clock.h"
#include "test_transport.h"

static EtPosition
rolling_at(int64_t frame, double bpm, int64_t bar, double bar_beat)
{
	return et_test_position(frame, 1.0, bpm, 4.0, bar, bar_beat);
}

/* A fresh instance before any host position: 120 BPM 4/4, stopped. */
static void
test_defaults(void **state)
{
	(void)state;
	EtClock c;
	et_clock_init(&c, 48000.0);
	assert_false(et_clock_rolling(&c));
	assert_false(et_clock_has_transport(&c));
	assert_true(et_clock_frames_per_beat(&c) == 24000.0);
	assert_true(et_clock_frames_per_bar(&c) == 96000.0);
	et_clock_begin_block(&c, 1024);
	assert_int_equal(et_clock_transport_frame(&c, 500), 0);
}

/* The host starts rolling at frame 5000, announced at block frame 100: the
 * clock extrapolates through this block and the following ones. */
static void
test_rolling_extrapolates_across_blocks(void **state)
{
	(void)state;
	EtClock c;
	et_clock_init(&c, 48000.0);
	et_clock_begin_block(&c, 1024);
	const EtPosition p = rolling_at(5000, 120.0, 0, 0.0);
	et_clock_apply(&c, 100, &p);
	assert_true(et_clock_rolling(&c));
	assert_true(et_clock_has_transport(&c));
	assert_int_equal(et_clock_transport_frame(&c, 100), 5000);
	assert_int_equal(et_clock_transport_frame(&c, 1023), 5923);
	et_clock_begin_block(&c, 256);
	assert_int_equal(et_clock_transport_frame(&c, 0), 5924);
	et_clock_begin_block(&c, 256);
	assert_int_equal(et_clock_transport_frame(&c, 10), 5000 + 924 + 266);
}

/* Stop: a position with speed 0 and no frame, mid-block. The transport
 * stays at the frame where it stopped, block after block. */
static void
test_stop_holds_frame(void **state)
{
	(void)state;
	EtClock c;
	et_clock_init(&c, 48000.0);
	et_clock_begin_block(&c, 1024);
	const EtPosition p = rolling_at(0, 120.0, 0, 0.0);
	et_clock_apply(&c, 0, &p);
	const EtPosition stop = { .has_speed = true, .speed = 0.0 };
	et_clock_apply(&c, 300, &stop);
	assert_false(et_clock_rolling(&c));
	assert_int_equal(et_clock_transport_frame(&c, 300), 300);
	assert_int_equal(et_clock_transport_frame(&c, 1000), 300);
	et_clock_begin_block(&c, 1024);
	assert_int_equal(et_clock_transport_frame(&c, 512), 300);
	/* Tempo stayed; musical time at the stop point is unchanged. */
	assert_true(c.bpm == 120.0);
	assert_float_equal(et_clock_beats_at(&c, 300.0), 300.0 / 24000.0,
			   1e-12);
}

/* At 120 BPM 48 kHz the bars fall every 96000 frames and the beats every
 * 24000; a boundary exactly at f is at f. */
static void
test_boundaries_on_whole_frames(void **state)
{
	(void)state;
	EtClock c;
	et_clock_init(&c, 48000.0);
	et_clock_begin_block(&c, 1024);
	const EtPosition p = rolling_at(0, 120.0, 0, 0.0);
	et_clock_apply(&c, 0, &p);
	assert_true(et_clock_boundary_at_or_after(&c, ET_QUANTIZE_BAR, 0) ==
		    0.0);
	assert_true(et_clock_boundary_at_or_after(&c, ET_QUANTIZE_BAR, 1) ==
		    96000.0);
	assert_true(et_clock_boundary_at_or_after(&c, ET_QUANTIZE_BAR,
						  96000) == 96000.0);
	assert_true(et_clock_boundary_at_or_after(&c, ET_QUANTIZE_BAR,
						  96001) == 192000.0);
	assert_true(et_clock_boundary_at_or_after(&c, ET_QUANTIZE_BEAT,
						  24001) == 48000.0);
	assert_true(et_clock_boundary_at_or_after(&c, ET_QUANTIZE_OFF,
						  24001) == 24001.0);
}

/* 97 BPM at 44.1 kHz: a bar is 109113.40... frames; the quantize point is
 * the first whole frame after the exact boundary. */
static void
test_fractional_bar(void **state)
{
	(void)state;
	EtClock c;
	et_clock_init(&c, 44100.0);
	et_clock_begin_block(&c, 1024);
	const EtPosition p = rolling_at(0, 97.0, 0, 0.0);
	et_clock_apply(&c, 0, &p);
	const double bar = 4.0 * 60.0 * 44100.0 / 97.0;
	assert_float_equal(et_clock_frames_per_bar(&c), bar, 1e-9);
	const double x = et_clock_boundary_at_or_after(&c, ET_QUANTIZE_BAR, 1);
	assert_float_equal(x, bar, 1e-6);
	assert_int_equal(et_clock_quantize_frame(x), 109114);
	/* Asking from the quantize point itself still finds that boundary,
	 * though it lies 0.6 frame before it. */
	assert_true(
	    et_clock_boundary_at_or_after(&c, ET_QUANTIZE_BAR, 109114) == x);
	const double x3 =
	    et_clock_boundary_at_or_after(&c, ET_QUANTIZE_BAR, 109115);
	assert_float_equal(x3, 2.0 * bar, 1e-6);
}

/* The 1/100-frame rule: barBeat is a float32, so a boundary that is on a
 * frame in the host may arrive a few thousandths late. */
static void
test_hundredth_frame_rule(void **state)
{
	(void)state;
	assert_int_equal(et_clock_quantize_frame(100.0), 100);
	assert_int_equal(et_clock_quantize_frame(100.005), 100);
	assert_int_equal(et_clock_quantize_frame(100.0099), 100);
	assert_int_equal(et_clock_quantize_frame(100.011), 101);
	assert_int_equal(et_clock_quantize_frame(100.5), 101);
	assert_int_equal(et_clock_quantize_frame(-0.5), 0);

	/* A position whose barBeat puts the next bar 0.005 frame after
	 * 96000: that bar is at 96000, and asking from 96000 finds it. */
	EtClock c;
	et_clock_init(&c, 48000.0);
	et_clock_begin_block(&c, 1024);
	const EtPosition p =
	    rolling_at(1000, 120.0, 0, (1000.0 - 0.005) / 24000.0);
	et_clock_apply(&c, 0, &p);
	const double x =
	    et_clock_boundary_at_or_after(&c, ET_QUANTIZE_BAR, 96000);
	assert_float_equal(x, 96000.005, 1e-6);
	assert_int_equal(et_clock_quantize_frame(x), 96000);
	/* One frame later it is past: the next bar. */
	assert_float_equal(
	    et_clock_boundary_at_or_after(&c, ET_QUANTIZE_BAR, 96001),
	    192000.005, 1e-6);

	/* The same bar 0.02 frame late quantizes to the next frame.  (A fresh
	 * clock: on a running one, a position this close to the extrapolated
	 * time only continues it, see the next test.) */
	et_clock_init(&c, 48000.0);
	et_clock_begin_block(&c, 1024);
	const EtPosition q =
	    rolling_at(1000, 120.0, 0, (1000.0 - 0.02) / 24000.0);
	et_clock_apply(&c, 0, &q);
	assert_int_equal(et_clock_quantize_frame(et_clock_boundary_at_or_after(
			     &c, ET_QUANTIZE_BAR, 96000)),
			 96001);
}

/* The host's tempo goes from 120 to 60 BPM at bar 1 (frame 96000): bars
 * after it are 192000 frames long, counted from the position. */
static void
test_tempo_change_takes_effect_at_its_position(void **state)
{
	(void)state;
	EtClock c;
	et_clock_init(&c, 48000.0);
	et_clock_begin_block(&c, 1024);
	const EtPosition p = rolling_at(0, 120.0, 0, 0.0);
	et_clock_apply(&c, 0, &p);
	const EtPosition slow = rolling_at(96000, 60.0, 1, 0.0);
	et_clock_apply(&c, 512, &slow);
	assert_true(et_clock_frames_per_bar(&c) == 192000.0);
	assert_true(et_clock_boundary_at_or_after(&c, ET_QUANTIZE_BAR,
						  96001) == 288000.0);
	assert_true(et_clock_boundary_at_or_after(&c, ET_QUANTIZE_BEAT,
						  96001) == 144000.0);
	/* A tempo-only position mid-bar keeps the beat grid continuous. */
	const EtPosition faster = { .has_bpm = true, .bpm = 120.0 };
	et_clock_apply(&c, 512 + 48000, &faster); /* on beat 1.25 of bar 1 */
	assert_int_equal(et_clock_transport_frame(&c, 512 + 48000), 144000);
	assert_float_equal(et_clock_beats_at(&c, 144000.0), 5.0, 1e-12);
	assert_float_equal(
	    et_clock_boundary_at_or_after(&c, ET_QUANTIZE_BAR, 144001),
	    144000.0 + 3.0 * 24000.0, 1e-6);
}

/* Locate: Ardour sends a new position with another frame; the clock
 * re-anchors there and the grid follows the position's bar and beat. */
static void
test_locate_reanchors(void **state)
{
	(void)state;
	EtClock c;
	et_clock_init(&c, 48000.0);
	et_clock_begin_block(&c, 1024);
	const EtPosition p = rolling_at(0, 120.0, 0, 0.0);
	et_clock_apply(&c, 0, &p);
	const EtPosition loc = rolling_at(500000, 120.0, 10, 2.0);
	et_clock_apply(&c, 700, &loc);
	assert_int_equal(et_clock_transport_frame(&c, 700), 500000);
	assert_int_equal(et_clock_transport_frame(&c, 701), 500001);
	assert_true(et_clock_boundary_at_or_after(&c, ET_QUANTIZE_BAR,
						  500000) == 548000.0);
	/* A frame-only locate keeps the frame-to-beats mapping. */
	const EtPosition jump = { .has_frame = true, .frame = 96000 };
	et_clock_apply(&c, 800, &jump);
	assert_int_equal(et_clock_transport_frame(&c, 800), 96000);
	assert_float_equal(et_clock_beats_at(&c, 96000.0),
			   42.0 - (500000.0 - 96000.0) / 24000.0, 1e-9);
}

/* Garbage tempo from a host is ignored, not divided by. */
/* Ardour: a position every 1024-frame cycle, barBeat rounded to 1/1920
 * beat.  The bar boundaries stay on the exact frames of the first
 * position's grid, instead of wandering by up to half a tick. */
static void
test_rounded_positions_every_cycle_keep_the_grid(void **state)
{
	(void)state;
	EtClock c;
	et_clock_init(&c, 48000.0);
	for (int64_t block = 0; block < 400; ++block) {
		const int64_t frame   = block * 1024;
		const double  beats   = (double)frame / 24000.0;
		const double  rounded = floor(beats * 1920.0 + 0.5) / 1920.0;
		const int64_t bar     = (int64_t)floor(rounded / 4.0);
		et_clock_begin_block(&c, 1024);
		const EtPosition p = rolling_at(frame, 120.0, bar,
						(float)(rounded - 4.0 * bar));
		et_clock_apply(&c, 0, &p);
		const double x = et_clock_boundary_at_or_after(
		    &c, ET_QUANTIZE_BAR, frame + 1);
		const int64_t want = (frame / 96000 + 1) * 96000;
		if (et_clock_quantize_frame(x) != want)
			fail_msg("block %lld: bar at %.3f, want %lld",
				 (long long)block, x, (long long)want);
	}

	/* A real change of musical time at the same frame is still taken. */
	et_clock_begin_block(&c, 1024);
	const EtPosition moved = rolling_at(400 * 1024, 120.0, 7, 0.0);
	et_clock_apply(&c, 0, &moved);
	assert_true(et_clock_beats_at(&c, 400.0 * 1024) == 28.0);
}

static void
test_bad_values_ignored(void **state)
{
	(void)state;
	EtClock c;
	et_clock_init(&c, 48000.0);
	et_clock_begin_block(&c, 64);
	const EtPosition p = { .has_bpm           = true,
			       .bpm               = 0.0,
			       .has_beats_per_bar = true,
			       .beats_per_bar     = -3.0 };
	et_clock_apply(&c, 0, &p);
	assert_true(c.bpm == 120.0);
	assert_true(c.beats_per_bar == 4.0);
	assert_false(et_clock_has_transport(&c));
}

/* Issue 14: NaN, infinities and 1e300 reach et_clock_quantize_frame()
 * from garbage tempos, speeds and rates; it saturates at +-4e18 rather
 * than convert them (undefined), and the clock's other answers stay
 * defined at any sample rate, tempo or position the API takes. */
static void
test_hostile_values_convert_defined(void **state)
{
	(void)state;
	const double nan = NAN, inf = INFINITY;
	assert_true(et_clock_quantize_frame(nan) == (int64_t)-4e18);
	assert_true(et_clock_quantize_frame(-inf) == (int64_t)-4e18);
	assert_true(et_clock_quantize_frame(-1e300) == (int64_t)-4e18);
	assert_true(et_clock_quantize_frame(inf) == (int64_t)4e18);
	assert_true(et_clock_quantize_frame(1e300) == (int64_t)4e18);
	assert_true(et_clock_quantize_frame(9.3e18) == (int64_t)4e18);
	assert_true(et_clock_quantize_frame(3.9e18) == (int64_t)3.9e18);

	const double rates[]   = { nan, -1.0,    0.0,   4.9e-324,
				   1.0, 48000.0, 1e300, inf };
	const double garbage[] = { nan,     inf,      -inf,   1e300, -1e300,
				   1.7e308, 4.9e-324, 1e-300, -0.0,  0.5 };
	const size_t ng        = sizeof(garbage) / sizeof(garbage[0]);
	for (size_t r = 0; r < sizeof(rates) / sizeof(rates[0]); ++r) {
		for (size_t g = 0; g < ng; ++g) {
			EtClock c;
			et_clock_init(&c, rates[r]);
			et_clock_begin_block(&c, 64);
			EtPosition p = {
				.has_frame = true,
				.frame = g % 2 ? (int64_t)4503599627370496.0
					       : -(int64_t)g,
				.has_speed = true,
				.speed     = garbage[g],
				.has_bpm   = true,
				.bpm = g % 3 ? 10000.0 : garbage[(g + 1) % ng],
				.has_beats_per_bar = true,
				.beats_per_bar     = garbage[(g + 2) % ng],
				.has_bar           = true,
				.bar = g % 2 ? 2147483647 : -2147483647,
				.has_bar_beat  = true,
				.bar_beat      = garbage[(g + 3) % ng],
				.has_beat_unit = true,
				.beat_unit     = g % 2 ? 64.0 : 1.0
			};
			et_clock_apply(&c, 3, &p);
			for (uint32_t b = 0; b < 4; ++b) {
				et_clock_begin_block(&c, 64);
				const int64_t tf =
				    et_clock_transport_frame(&c, 10);
				for (int q = 0; q < 3; ++q) {
					const double x =
					    et_clock_boundary_at_or_after(
						&c, (EtQuantize)q, tf);
					const int64_t at =
					    et_clock_quantize_frame(x);
					assert_true(at >= (int64_t)-4e18 &&
						    at <= (int64_t)4e18);
				}
				(void)et_clock_quantize_frame(
				    et_clock_frame_at_beats(&c, garbage[b]));
				(void)et_clock_quantize_frame(
				    et_clock_beats_at(&c, (double)tf));
			}
		}
	}
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_defaults),
		cmocka_unit_test(test_rolling_extrapolates_across_blocks),
		cmocka_unit_test(test_stop_holds_frame),
		cmocka_unit_test(test_boundaries_on_whole_frames),
		cmocka_unit_test(test_fractional_bar),
		cmocka_unit_test(test_hundredth_frame_rule),
		cmocka_unit_test(
		    test_tempo_change_takes_effect_at_its_position),
		cmocka_unit_test(test_locate_reanchors),
		cmocka_unit_test(
		    test_rounded_positions_every_cycle_keep_the_grid),
		cmocka_unit_test(test_bad_values_ignored),
		cmocka_unit_test(test_hostile_values_convert_defined),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
