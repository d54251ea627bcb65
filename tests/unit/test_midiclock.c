/* midiclock and control_map, driven directly: no LV2, no host. */
#include "capture_sink.h"
#include "clock.h"
#include "control_map.h"
#include "midiclock.h"

#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

/* One capture for every story, cleared by each; `room` is how many
 * messages the output takes before it is full. */
static EtCapture *
new_capture(size_t room)
{
	static EtCapture cap;
	static bool      made;
	if (!made) {
		et_capture_init(&cap, 8192);
		made = true;
	}
	et_capture_clear(&cap);
	cap.room = room;
	return &cap;
}

static EtPosition
rolling_at(int64_t frame, double beats, double bpm, double speed)
{
	EtPosition p;
	memset(&p, 0, sizeof(p));
	p.has_frame = p.has_speed = p.has_bpm = p.has_beats_per_bar = true;
	p.has_bar = p.has_bar_beat = true;
	p.frame                    = frame;
	p.speed                    = speed;
	p.bpm                      = bpm;
	p.beats_per_bar            = 4.0;
	p.bar                      = (int64_t)floor(beats / 4.0);
	p.bar_beat                 = beats - 4.0 * (double)p.bar;
	return p;
}

/* Runs one block of n frames with an optional position at `at`. */
static void
block(EtMidiClock *mc, EtClock *clock, EtCapture *cap, uint32_t n,
      const EtPosition *pos, uint32_t at)
{
	const EtSink sink = et_capture_sink(cap);
	const size_t mark = cap->n;
	cap->last_frame   = 0; /* frames count from each block's start */
	et_clock_begin_block(clock, n);
	et_midiclock_begin_block(mc);
	et_midiclock_set_enabled(mc, true, &sink);
	if (pos) {
		et_midiclock_advance(mc, clock, at, &sink);
		et_clock_apply(clock, at, pos);
	}
	et_midiclock_advance(mc, clock, n, &sink);
	/* Clock messages only, 1 to 3 bytes, in frame order. */
	assert_int_equal(cap->backwards, 0);
	for (size_t i = mark; i < cap->n; ++i) {
		assert_int_equal(cap->ev[i].track, ET_SINK_THRU);
		assert_true(cap->ev[i].size >= 1 && cap->ev[i].size <= 3);
	}
}

static void
ticks_every_1000_frames_at_120_bpm_48k_in_any_block_size(void **state)
{
	(void)state;
	const uint32_t sizes[] = { 1, 7, 64, 1000, 1024, 4096 };
	for (size_t s = 0; s < sizeof(sizes) / sizeof(sizes[0]); ++s) {
		EtClock     clock;
		EtMidiClock mc;
		EtCapture  *cap = new_capture(100000);
		et_clock_init(&clock, 48000.0);
		et_midiclock_init(&mc);
		const EtPosition start = rolling_at(0, 0.0, 120.0, 1.0);
		int64_t          wall  = 0;
		size_t           seen  = 0;
		while (wall < 48000) {
			block(&mc, &clock, cap, sizes[s],
			      wall == 0 ? &start : NULL, 0);
			for (; seen < cap->n; ++seen) {
				cap->ev[seen].frame +=
				    (uint32_t)wall; /* to absolute */
			}
			wall += sizes[s];
		}
		assert_int_equal(cap->ev[0].b[0], ET_MIDI_START);
		assert_int_equal(cap->ev[0].frame, 0);
		size_t ticks = 0;
		for (size_t i = 1; i < cap->n; ++i) {
			assert_int_equal(cap->ev[i].b[0],
					 ET_MIDI_TIMING_CLOCK);
			assert_int_equal(cap->ev[i].frame, 1000 * ticks);
			++ticks;
		}
		assert_true(ticks >= 48);
	}
}

static void
a_full_output_drops_ticks_counts_them_and_keeps_the_grid(void **state)
{
	(void)state;
	EtClock     clock;
	EtMidiClock mc;
	EtCapture  *cap = new_capture(0);
	et_clock_init(&clock, 48000.0);
	et_midiclock_init(&mc);
	const EtPosition start = rolling_at(0, 0.0, 120.0, 1.0);
	cap->room              = 0;
	block(&mc, &clock, cap, 4096, &start,
	      0); /* Start and 5 ticks refused */
	assert_int_equal(mc.dropped, 6);
	cap->room = 100;
	block(&mc, &clock, cap, 4096, NULL, 0);
	/* Ticks 5..8 at 5000..8000 = block frames 904, 1904, 2904, 3904. */
	assert_int_equal(cap->n, 4);
	assert_int_equal(cap->ev[0].frame, 904);
	assert_int_equal(cap->ev[3].frame, 3904);
}

static void
hostile_tempo_and_rate_stay_bounded(void **state)
{
	(void)state;
	EtClock     clock;
	EtMidiClock mc;
	EtCapture  *cap = new_capture(1u << 30);
	et_clock_init(&clock, 1.0); /* 1 Hz: 10000 BPM is 4000 ticks a frame */
	et_midiclock_init(&mc);
	const EtPosition fast = rolling_at(0, 0.0, 10000.0, 1.0);
	block(&mc, &clock, cap, 64, &fast, 0);
	block(&mc, &clock, cap, 64, NULL, 0);
	/* Start, then at most one tick a frame plus one per span. */
	assert_true(cap->n <= 1 + 64 + 2 + 64 + 2);
	assert_true(cap->n >= 64);

	/* A transport beyond what doubles resolve stops the clock and sends
	 * nothing else, rolling or not. */
	et_clock_init(&clock, 48000.0);
	et_midiclock_init(&mc);
	et_capture_clear(cap);
	cap->room            = 1u << 30;
	const EtPosition far = rolling_at((int64_t)4.5e18, 0.0, 120.0, 1.0);
	block(&mc, &clock, cap, 512, &far, 0);
	EtPosition far_bar = rolling_at(0, 0.0, 120.0, 1.0);
	far_bar.bar        = (int64_t)4e18;
	block(&mc, &clock, cap, 512, &far_bar, 0);
	far_bar.speed = 0.0;
	block(&mc, &clock, cap, 512, &far_bar, 0);
	assert_int_equal(cap->n, 0);
}

/* The stream stays well formed: clocks only between Start or Continue
 * and Stop, a pointer only while stopped. */
static void
assert_well_formed(const EtCapture *cap, size_t from, bool *running)
{
	for (size_t i = from; i < cap->n; ++i) {
		switch (cap->ev[i].b[0]) {
		case ET_MIDI_TIMING_CLOCK: assert_true(*running); break;
		case ET_MIDI_START:
		case ET_MIDI_CONTINUE:
			assert_false(*running);
			*running = true;
			break;
		case ET_MIDI_STOP:
			assert_true(*running);
			*running = false;
			break;
		case ET_MIDI_SONG_POSITION: assert_false(*running); break;
		default: fail_msg("status %02x", cap->ev[i].b[0]);
		}
	}
}

/* fuzz_clock (issue 14): at 8 kHz, 10000 BPM with beat unit 1 is 2 ticks
 * a frame, and a speed of 1.7e308 makes the tick rate infinite; where the
 * one-a-frame cap cut the span short, the next tick was ceil(inf - inf),
 * NaN, converted to int64_t (undefined: the SANITIZE build aborts).  Every
 * finite speed a host can send, at the extremes of tempo, beat unit and
 * sample rate, keeps the stream well formed and bounded. */
static void
garbage_speeds_keep_the_clock_defined_and_bounded(void **state)
{
	(void)state;
	const double rates[]  = { 8000.0, 1.0, 1e6 };
	const double speeds[] = { 1.7e308, 1.7976931348623157e308,
				  1e300,   4.9e-324,
				  1e-300,  1e-12 };
	const double bpms[]   = { 10000.0, 1.0 };
	const double units[]  = { 1.0, 64.0 };
	EtCapture   *cap      = new_capture(0);
	for (size_t r = 0; r < 3; ++r) {
		for (size_t s = 0; s < 6; ++s) {
			for (size_t b = 0; b < 2; ++b) {
				for (size_t u = 0; u < 2; ++u) {
					EtClock     clock;
					EtMidiClock mc;
					et_capture_clear(cap);
					cap->room = 1u << 30;
					et_clock_init(&clock, rates[r]);
					et_midiclock_init(&mc);
					EtPosition p = rolling_at(
					    0, 0.0, bpms[b], speeds[s]);
					p.has_beat_unit = true;
					p.beat_unit     = units[u];
					bool running    = false;
					for (int i = 0; i < 4; ++i) {
						const size_t mark = cap->n;
						block(&mc, &clock, cap, 64,
						      i == 0 ? &p : NULL, 0);
						/* One clock a frame, plus
						 * those on the span's first
						 * frame, and Stop, pointer,
						 * Continue. */
						assert_true(cap->n - mark <=
							    64 + 2 + 3);
						assert_well_formed(cap, mark,
								   &running);
					}
					if (rates[r] == 8000.0 && s == 0 &&
					    b == 0 && u == 0) {
						/* The finding itself: Start,
						 * then clocks. */
						assert_int_equal(
						    cap->ev[0].b[0],
						    ET_MIDI_START);
						assert_int_equal(
						    cap->ev[1].b[0],
						    ET_MIDI_TIMING_CLOCK);
					}
				}
			}
		}
	}
}

/* Runs `blocks` blocks of n frames with a position at frame 0 of each,
 * made by `pos_at(block index)`; returns the messages in absolute frames. */
typedef EtPosition (*PositionFn)(int64_t block, uint32_t n);

static void
run_with_positions(EtCapture *cap, double rate, int64_t blocks, uint32_t n,
		   PositionFn pos_at)
{
	EtClock     clock;
	EtMidiClock mc;
	et_capture_clear(cap);
	cap->room = 8192;
	et_clock_init(&clock, rate);
	et_midiclock_init(&mc);
	size_t seen = 0;
	for (int64_t i = 0; i < blocks; ++i) {
		const EtPosition p = pos_at(i, n);
		block(&mc, &clock, cap, n, p.has_frame ? &p : NULL, 0);
		for (; seen < cap->n; ++seen) {
			cap->ev[seen].frame += (uint32_t)(i * n);
		}
	}
}

static size_t
count(const EtCapture *cap, uint8_t status)
{
	size_t n = 0;
	for (size_t i = 0; i < cap->n; ++i) {
		n += cap->ev[i].b[0] == status;
	}
	return n;
}

/* Carla: a position at frame 0 of every block, barBeat a float. */
static EtPosition
carla_120(int64_t i, uint32_t n)
{
	const int64_t frame = i * n;
	EtPosition    p     = rolling_at(frame, frame / 24000.0, 120.0, 1.0);
	p.bar_beat          = (float)p.bar_beat;
	return p;
}

static void
positions_every_block_with_float_bar_beat_keep_the_grid(void **state)
{
	(void)state;
	EtCapture *cap = new_capture(0);
	run_with_positions(cap, 48000.0, 470, 1024, carla_120); /* 10 s */
	assert_int_equal(cap->ev[0].b[0], ET_MIDI_START);
	assert_int_equal(count(cap, ET_MIDI_STOP), 0);
	assert_int_equal(count(cap, ET_MIDI_TIMING_CLOCK), cap->n - 1);
	for (size_t i = 1; i < cap->n; ++i) {
		assert_int_equal(cap->ev[i].frame, 1000 * (i - 1));
	}
}

/* 4/4 for 8 bars, then 3/4: Ardour's bar counts bars, so the beats that
 * bar * beatsPerBar gives jump; the clock must not take it for a locate. */
static EtPosition
meter_change(int64_t i, uint32_t n)
{
	EtPosition p;
	memset(&p, 0, sizeof(p));
	const int64_t frame = i * n;
	if (frame == 768000) { /* bar 8 at 120 BPM, 4/4 */
		p               = rolling_at(frame, 0.0, 120.0, 1.0);
		p.beats_per_bar = 3.0;
		p.bar           = 8;
		p.bar_beat      = 0.0;
	} else if (i == 0) {
		p = rolling_at(0, 0.0, 120.0, 1.0);
	}
	return p;
}

static void
a_meter_change_is_not_a_locate(void **state)
{
	(void)state;
	EtCapture *cap = new_capture(0);
	run_with_positions(cap, 48000.0, 1000, 1000, meter_change);
	assert_int_equal(count(cap, ET_MIDI_STOP), 0);
	assert_int_equal(count(cap, ET_MIDI_SONG_POSITION), 0);
	for (size_t i = 1; i < cap->n; ++i) {
		assert_int_equal(cap->ev[i].frame, 1000 * (i - 1));
	}
}

/* Varispeed 1.5, positions every block (the host's frame runs at 1.5). */
static EtPosition
varispeed(int64_t i, uint32_t n)
{
	const double frame = 1.5 * (double)(i * n);
	return rolling_at((int64_t)frame, frame / 24000.0, 120.0, 1.5);
}

static void
varispeed_ticks_faster_and_is_not_a_locate(void **state)
{
	(void)state;
	EtCapture *cap = new_capture(0);
	run_with_positions(cap, 48000.0, 480, 1000, varispeed); /* 10 s */
	assert_int_equal(count(cap, ET_MIDI_STOP), 0);
	assert_int_equal(count(cap, ET_MIDI_CONTINUE), 0);
	/* 1.5 x 480 beats... 10 s at 120 BPM x 1.5 = 30 beats = 720 ticks. */
	assert_int_equal(count(cap, ET_MIDI_TIMING_CLOCK), 720);
	for (size_t i = 2; i < cap->n; ++i) {
		const uint32_t gap = cap->ev[i].frame - cap->ev[i - 1].frame;
		assert_true(gap == 666 || gap == 667);
	}
}

static EtPosition
backwards(int64_t i, uint32_t n)
{
	if (i < 10) {
		return rolling_at(i * n, (double)(i * n) / 24000.0, 120.0,
				  1.0);
	}
	const int64_t frame = 10 * (int64_t)n - (i - 10) * n;
	return rolling_at(frame, (double)frame / 24000.0, 120.0, -1.0);
}

static void
running_backwards_is_stopped(void **state)
{
	(void)state;
	EtCapture *cap = new_capture(0);
	run_with_positions(cap, 48000.0, 20, 1000, backwards);
	assert_int_equal(count(cap, ET_MIDI_STOP), 1);
	assert_int_equal(count(cap, ET_MIDI_CONTINUE), 0);
	assert_int_equal(count(cap, ET_MIDI_TIMING_CLOCK), 10);
}

/* Locating to before the song start while rolling: Start, tick 0 on
 * beat 0 (never a tick for negative time). */
static EtPosition
preroll(int64_t i, uint32_t n)
{
	EtPosition p;
	memset(&p, 0, sizeof(p));
	if (i == 0) {
		p = rolling_at(0, 0.0, 120.0, 1.0);
	} else if (i == 5) {
		p = rolling_at(-24000, -1.0, 120.0,
			       1.0); /* one beat of pre-roll */
		(void)n;
	}
	return p;
}

static void
a_locate_before_the_start_sends_start_and_waits_for_beat_0(void **state)
{
	(void)state;
	EtCapture *cap = new_capture(0);
	run_with_positions(cap, 48000.0, 40, 1000, preroll);
	/* Start, ticks at 0..4000, then Stop and Start at 5000. */
	assert_int_equal(cap->ev[6].b[0], ET_MIDI_STOP);
	assert_int_equal(cap->ev[6].frame, 5000);
	assert_int_equal(cap->ev[7].b[0], ET_MIDI_START);
	assert_int_equal(cap->ev[7].frame, 5000);
	/* Beat 0 is 24000 frames later. */
	assert_int_equal(cap->ev[8].b[0], ET_MIDI_TIMING_CLOCK);
	assert_int_equal(cap->ev[8].frame, 29000);
	assert_int_equal(count(cap, ET_MIDI_SONG_POSITION), 0);
}

/* 6/8 with the beat an eighth note: 12 clocks a beat. */
static EtPosition
six_eight(int64_t i, uint32_t n)
{
	EtPosition p;
	memset(&p, 0, sizeof(p));
	if (i == 0) {
		p               = rolling_at(0, 0.0, 120.0, 1.0);
		p.beats_per_bar = 6.0;
		p.has_beat_unit = true;
		p.beat_unit     = 8.0;
	}
	(void)n;
	return p;
}

static void
clocks_count_quarter_notes_whatever_the_beat_unit(void **state)
{
	(void)state;
	EtCapture *cap = new_capture(0);
	run_with_positions(cap, 48000.0, 24, 1000, six_eight);
	/* An eighth-note beat at 120 BPM lasts 24000 frames: 2000 a clock. */
	for (size_t i = 1; i < cap->n; ++i) {
		assert_int_equal(cap->ev[i].b[0], ET_MIDI_TIMING_CLOCK);
		assert_int_equal(cap->ev[i].frame, 2000 * (i - 1));
	}
	assert_int_equal(cap->n, 13);
}

static void
song_position_pointer_sends_both_bytes(void **state)
{
	(void)state;
	EtClock     clock;
	EtMidiClock mc;
	EtCapture  *cap = new_capture(100);
	et_clock_init(&clock, 48000.0);
	et_midiclock_init(&mc);
	/* Stopped at beat 100 = sixteenth 400 = 3 * 128 + 16. */
	const EtPosition p = rolling_at(2400000, 100.0, 120.0, 0.0);
	block(&mc, &clock, cap, 64, &p, 0);
	assert_int_equal(cap->n, 1);
	assert_int_equal(cap->ev[0].b[0], ET_MIDI_SONG_POSITION);
	assert_int_equal(cap->ev[0].b[1], 16);
	assert_int_equal(cap->ev[0].b[2], 3);
}

static void
control_map_is_the_documented_note_map(void **state)
{
	(void)state;
	uint8_t msg[3] = { 0x9F, 36, 100 };
	for (uint8_t t = 0; t < 8; ++t) {
		msg[1]                  = (uint8_t)(36 + t);
		const EtControlAction a = et_control_map(16, msg, 3);
		assert_int_equal(a.kind, ET_CONTROL_SELECT_TRACK);
		assert_int_equal(a.track, t);
	}
	msg[1] = 48;
	assert_int_equal(et_control_map(16, msg, 3).kind, ET_CONTROL_LOOP_ARM);
	msg[1] = 49;
	assert_int_equal(et_control_map(16, msg, 3).kind,
			 ET_CONTROL_LOOP_MUTE);
	msg[1] = 50;
	assert_int_equal(et_control_map(16, msg, 3).kind,
			 ET_CONTROL_LOOP_CLEAR);
	msg[1] = 60;
	assert_int_equal(et_control_map(16, msg, 3).kind, ET_CONTROL_IGNORED);

	/* Other channels, off, and system messages are not its business. */
	msg[1] = 48;
	assert_int_equal(et_control_map(15, msg, 3).kind, ET_CONTROL_NOT_MINE);
	assert_int_equal(et_control_map(0, msg, 3).kind, ET_CONTROL_NOT_MINE);
	assert_int_equal(et_control_map(17, msg, 3).kind, ET_CONTROL_NOT_MINE);
	const uint8_t clock = 0xF8;
	assert_int_equal(et_control_map(16, &clock, 1).kind,
			 ET_CONTROL_NOT_MINE);

	/* Releases reach the router; velocity 0 is a release; short or
	 * malformed messages are swallowed. */
	const uint8_t off[3] = { 0x8F, 48, 0 }, zero[3] = { 0x9F, 48, 0 },
		      pedal[3] = { 0xBF, 64, 0 }, panic[3] = { 0xBF, 123, 0 },
		      bad[3] = { 0x9F, 0x80, 1 };
	assert_int_equal(et_control_map(16, off, 3).kind, ET_CONTROL_RELEASE);
	assert_int_equal(et_control_map(16, zero, 3).kind, ET_CONTROL_RELEASE);
	assert_int_equal(et_control_map(16, pedal, 3).kind,
			 ET_CONTROL_RELEASE);
	assert_int_equal(et_control_map(16, panic, 3).kind,
			 ET_CONTROL_RELEASE);
	assert_int_equal(et_control_map(16, bad, 3).kind, ET_CONTROL_IGNORED);
	assert_int_equal(et_control_map(16, msg, 2).kind, ET_CONTROL_IGNORED);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(
		    ticks_every_1000_frames_at_120_bpm_48k_in_any_block_size),
		cmocka_unit_test(
		    a_full_output_drops_ticks_counts_them_and_keeps_the_grid),
		cmocka_unit_test(hostile_tempo_and_rate_stay_bounded),
		cmocka_unit_test(
		    garbage_speeds_keep_the_clock_defined_and_bounded),
		cmocka_unit_test(
		    positions_every_block_with_float_bar_beat_keep_the_grid),
		cmocka_unit_test(a_meter_change_is_not_a_locate),
		cmocka_unit_test(varispeed_ticks_faster_and_is_not_a_locate),
		cmocka_unit_test(running_backwards_is_stopped),
		cmocka_unit_test(
		    a_locate_before_the_start_sends_start_and_waits_for_beat_0),
		cmocka_unit_test(
		    clocks_count_quarter_notes_whatever_the_beat_unit),
		cmocka_unit_test(song_position_pointer_sends_both_bytes),
		cmocka_unit_test(control_map_is_the_documented_note_map),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
