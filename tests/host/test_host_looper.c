/* The loop recorder through the built bundle, loaded by lilv: a ramp
 * input whose value is its own frame number shows exactly which sample was
 * recorded and which one plays where. */
#include "loopfile.h"
#include "looper.h"
#include "lv2host.h"
#include "session.h"

#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

/* Saves the session and reads the loop file back as the plugin wrote it. */
static uint32_t
saved_loop(Session *s, const char *dir, float **left, float **right)
{
	assert_true(eth_save_state(s->host, dir));
	char path[4096];
	snprintf(path, sizeof(path), "%s/loop.wav", dir);
	uint32_t length = 0;
	assert_int_equal(et_loopfile_read(path, (uint32_t)s->rate, 0,
					  UINT32_MAX, left, right, &length),
			 ET_LOOPFILE_OK);
	return length;
}

static char *
temp_dir(void)
{
	return eth_temp_dir("test");
}

static void
remove_dir(char *dir)
{
	eth_remove_dir(dir);
}

static uint32_t
ramp_frames(double rate)
{
	return (uint32_t)ceil(0.004 * rate); /* the declick: 4 ms */
}

/* What sample k of a take of the ramp input (value = wall frame, sign
 * +1 left, -1 right) that started at wall frame `first` holds: the input,
 * its last r frames cross-faded into the r frames before `first` (the
 * seam, looper.h). */
static float
take_value(int64_t first, uint32_t length, uint32_t k, double rate, float sign)
{
	const uint32_t ramp = et_looper_ramp_frames(rate);
	const uint32_t r    = ramp < length / 4 ? ramp : length / 4;
	const float    a    = sign * ramp_at(first + (int64_t)k);
	if (k < length - r) {
		return a;
	}
	const uint32_t i      = k - (length - r);
	const int64_t  before = first - (int64_t)r + (int64_t)i;
	const float    p      = before >= 0 ? sign * ramp_at(before) : 0.0f;
	const float    w      = et_looper_seam_weight(i, r);
	return a * (1.0f - w) + p * w;
}

/* ------------------------------------------------------------ stories */

/* 120 BPM at 48 kHz: a bar is 96000 frames.  Arm mid-bar with quantize
 * on the bar and loop_bars = N: recording starts exactly on the next bar
 * and is exactly N bars long. */
static void
arm_on_the_bar_records_exactly_n_bars(void **state)
{
	(void)state;
	static const uint32_t bars[] = { 1, 2, 4 };
	for (unsigned b = 0; b < 3; ++b) {
		Session s;
		session_init(&s, 48000.0, 120.0, false);
		eth_set(s.host, "loop_bars", (float)bars[b]);
		play_until(&s, 50000, 1000);
		eth_set(s.host, "loop_arm", 1);
		play(&s, 1000);
		assert_int_equal(eth_get(s.host, "loop_state"), 1); /* armed */
		play_until(&s, 96000 + 500, 1000); /* bar 2 is mid-block */
		assert_int_equal(eth_get(s.host, "loop_state"), 2);
		play_until(&s, 96000 + 96000 * bars[b] + 1000, 1000);
		assert_int_equal(eth_get(s.host, "loop_state"), 3);
		assert_float_equal(eth_get(s.host, "loop_length"),
				   2.0 * bars[b], 1e-6);

		char          *dir = temp_dir();
		float         *left, *right;
		const uint32_t length = saved_loop(&s, dir, &left, &right);
		assert_int_equal(length, 96000 * bars[b]);
		for (uint32_t k = 0; k < length; ++k) {
			const float want =
			    take_value(96000, length, k, s.rate, 1.0f);
			if (left[k] != want || right[k] != -left[k]) {
				fail_msg("loop sample %u is %f, want %f", k,
					 left[k], want);
			}
		}
		free(left);
		free(right);
		remove_dir(dir);
		session_free(&s);
	}
}

/* 97 BPM at 44.1 kHz: a bar is 109113.40... frames, never whole.  The take
 * starts on the first frame at or after the bar, and after 500
 * repetitions each one still starts on the first frame at or after its
 * exact time: no drift. */
static void
a_bar_that_is_not_whole_frames_never_drifts(void **state)
{
	(void)state;
	Session s;
	session_init(&s, 44100.0, 97.0, false);
	s.beats_per_bar = 1.0; /* one-beat bars keep 500 repetitions short */
	eth_set(s.host, "loop_bars", 1);
	play_until(&s, 1000, 777); /* the bar at frame 0 has passed */
	const double  bar   = frames_per_bar(&s);
	const int64_t start = (int64_t)ceil(bar);
	const int64_t end   = (int64_t)ceil(2.0 * bar);
	eth_set(s.host, "loop_arm", 1);
	play_until(&s, end + 10, 777);

	char          *dir = temp_dir();
	float         *left, *right;
	const uint32_t length = saved_loop(&s, dir, &left, &right);
	assert_int_equal(length, end - start);
	assert_true(left[0] == ramp_at(start));
	remove_dir(dir);

	const uint32_t r = ramp_frames(s.rate);
	for (int m = 1; m <= 500; ++m) {
		const int64_t rep_start =
		    (int64_t)ceil(bar * (1.0 + m) - 0.01);
		/* The sample just past the seam's ramp is sample r + 5 of the
		 * loop only if the repetition started exactly at rep_start. */
		const int64_t probe = rep_start + (int64_t)r + 5;
		play_until(&s, probe, 777);
		play(&s, 1);
		assert_true(eth_audio(s.host, "out_l")[0] == left[r + 5]);
	}
	free(left);
	free(right);
	session_free(&s);
}

/* When a bar is a whole number of frames, loop sample k plays at start +
 * k + m * length, for 500 repetitions (but the seam's 4 ms cross-fade). */
static void
playback_sample_k_plays_at_start_plus_k_plus_m_lengths(void **state)
{
	(void)state;
	Session s;
	session_init(&s, 48000.0, 240.0, false); /* a bar is 48000 frames */
	eth_set(s.host, "loop_bars", 1);
	eth_set(s.host, "loop_arm", 1);
	play_until(&s, 96000, 1024); /* records bar 0 to 1 */
	assert_int_equal(eth_get(s.host, "loop_state"), 3);
	const int64_t  start = 0, length = 48000;
	const uint32_t r      = ramp_frames(s.rate);
	const int64_t  cycles = 500;
	record_output(&s, (size_t)(length * cycles));
	play_until(&s, 96000 + length * cycles, 1024);
	for (int64_t f = 96000; f < 96000 + length * cycles; ++f) {
		const int64_t k = (f - start) % length;
		if (k >= length - r) {
			continue; /* the seam's cross-fade */
		}
		const float got = s.out[f - 96000];
		if (got != ramp_at(k)) {
			fail_msg("frame %lld: got %f, want loop sample %lld",
				 (long long)f, got, (long long)k);
		}
	}
	session_free(&s);
}

/* The same performance gives the same output, sample for sample, whether
 * the host runs blocks of 64 (positions every block, like Carla), 1024
 * (positions only on change, like Ardour) or random sizes. */
static void
output_is_identical_for_any_block_size(void **state)
{
	(void)state;
	const int64_t total = 48000 * 7;
	float        *outputs[3];
	for (int run = 0; run < 3; ++run) {
		Session s;
		session_init(&s, 48000.0, 120.0, run == 0);
		eth_set(s.host, "monitor", 1);
		eth_set(s.host, "loop_quantize", 1); /* beat */
		record_output(&s, (size_t)total);
		srand(7);
		const int64_t script[][2] = { { 30000, 1 },
					      { 130000, 0 },
					      { 200000, 1 },
					      { 260000, 0 } };
		for (unsigned i = 0; i < 4; ++i) {
			while (s.wall < script[i][0]) {
				const uint32_t n =
				    run == 0   ? 64
				    : run == 1 ? 1024
					       : (uint32_t)(1 + rand() % 2000);
				const int64_t left = script[i][0] - s.wall;
				play(&s, left < n ? (uint32_t)left : n);
			}
			eth_set(s.host, "loop_arm", (float)script[i][1]);
		}
		while (s.wall < total) {
			const uint32_t n    = run == 0 ? 64
					      : run == 1
						  ? 1024
						  : (uint32_t)(1 + rand() % 2000);
			const int64_t  left = total - s.wall;
			play(&s, left < n ? (uint32_t)left : n);
		}
		outputs[run] = s.out;
		s.out        = NULL;
		session_free(&s);
	}
	/* Control changes land on the block boundary, so the script's changes
	 * are placed on frames every block size shares; the beat quantize then
	 * makes them frame-exact. */
	for (int64_t f = 0; f < total; ++f) {
		if (outputs[0][f] != outputs[1][f] ||
		    outputs[0][f] != outputs[2][f]) {
			fail_msg("frame %lld differs: %f %f %f", (long long)f,
				 outputs[0][f], outputs[1][f], outputs[2][f]);
		}
	}
	for (int run = 0; run < 3; ++run) {
		free(outputs[run]);
	}
}

/* Overdub adds the new take to the old one, exactly. */
static void
overdub_sums_exactly(void **state)
{
	(void)state;
	Session s;
	session_init(&s, 48000.0, 240.0, false);
	eth_set(s.host, "loop_bars", 1);
	eth_set(s.host, "loop_arm", 1);
	play_until(&s, 48000, 1000); /* take: bar 0, values 0..47999 */
	eth_set(s.host, "loop_arm", 0);
	play_until(&s, 60000, 1000);
	eth_set(s.host, "loop_arm",
		1); /* overdub bar 2 (frames 96000..143999) */
	play_until(&s, 150000, 1000);
	assert_int_equal(eth_get(s.host, "loop_state"), 3);

	char          *dir = temp_dir();
	float         *left, *right;
	const uint32_t length = saved_loop(&s, dir, &left, &right);
	assert_int_equal(length, 48000);
	for (uint32_t k = 0; k < length; ++k) {
		const float want = take_value(0, length, k, s.rate, 1.0f) +
				   ramp_at(96000 + k);
		if (left[k] != want) {
			fail_msg("sample %u: %f, want %f", k, left[k], want);
		}
	}
	free(left);
	free(right);
	remove_dir(dir);
	session_free(&s);
}

/* A loop that plays; returns the frame its first repetition started. */
static int64_t
a_playing_loop(Session *s)
{
	session_init(s, 48000.0, 240.0, false);
	eth_set(s->host, "loop_bars", 1);
	eth_set(s->host, "loop_arm", 1);
	play_until(s, 48000 + 20000, 1000);
	assert_int_equal(eth_get(s->host, "loop_state"), 3);
	return 48000;
}

static void
mute_and_clear_ramp_out_within_5_ms(void **state)
{
	(void)state;
	Session s;
	a_playing_loop(&s);
	const uint32_t five_ms = 240;
	eth_set(s.host, "loop_mute", 1);
	play(&s, 1000);
	const float *out = eth_audio(s.host, "out_l");
	assert_true(out[0] != 0.0f);
	for (uint32_t i = five_ms; i < 1000; ++i) {
		assert_true(out[i] == 0.0f);
	}
	eth_set(s.host, "loop_mute", 0);
	play(&s, 1000);
	out = eth_audio(s.host, "out_l");
	for (uint32_t i = five_ms; i < 1000; ++i) {
		assert_true(out[i] == ramp_at((s.wall - 1000 + i) % 48000));
	}
	eth_set(s.host, "loop_clear", 1);
	play(&s, 1000);
	eth_set(s.host, "loop_clear", 0);
	out = eth_audio(s.host, "out_l");
	for (uint32_t i = five_ms; i < 1000; ++i) {
		assert_true(out[i] == 0.0f);
	}
	assert_int_equal(eth_get(s.host, "loop_state"), 0);
	play(&s, 1000);
	assert_int_equal(eth_get(s.host, "loop_length"), 0);
	session_free(&s);
}

/* Stop pauses the loop in place; a locate plays the sample that belongs
 * to the new position. */
static void
stop_start_and_locate_stay_in_phase(void **state)
{
	(void)state;
	Session s;
	a_playing_loop(&s);
	const uint32_t five_ms = 240;
	s.rolling              = false;
	s.position_due         = true;
	play(&s, 1000);
	const float *out = eth_audio(s.host, "out_l");
	for (uint32_t i = five_ms; i < 1000; ++i) {
		assert_true(out[i] == 0.0f);
	}
	const float paused = eth_get(s.host, "loop_position");
	play(&s, 1000);
	assert_true(eth_get(s.host, "loop_position") == paused);

	s.rolling      = true;
	s.transport    = 48000 * 10 + 12345; /* locate, then roll */
	s.position_due = true;
	play(&s, 1000);
	out = eth_audio(s.host, "out_l");
	for (uint32_t i = five_ms; i < 1000; ++i) {
		assert_true(out[i] == ramp_at(12345 + i));
	}
	session_free(&s);
}

/* Quantize off: recording starts at the first frame of the run() call in
 * which arm is seen, and ends at the first frame of the one that disarms. */
static void
quantize_off_acts_at_the_first_frame_of_the_call(void **state)
{
	(void)state;
	Session s;
	session_init(&s, 48000.0, 120.0, false);
	eth_set(s.host, "loop_quantize", 0);
	play_until(&s, 10007, 333);
	const int64_t start = s.wall;
	eth_set(s.host, "loop_arm", 1);
	play_until(&s, 30011, 333);
	const int64_t stop = s.wall;
	eth_set(s.host, "loop_arm", 0);
	play(&s, 333);

	char          *dir = temp_dir();
	float         *left, *right;
	const uint32_t length = saved_loop(&s, dir, &left, &right);
	assert_int_equal(length, stop - start);
	assert_true(left[0] == ramp_at(start));
	assert_true(left[length - 1] ==
		    take_value(start, length, length - 1, s.rate, 1.0f));
	assert_true(left[length - 1 - ramp_frames(s.rate)] ==
		    ramp_at(stop - 1 - ramp_frames(s.rate)));
	free(left);
	free(right);
	remove_dir(dir);
	session_free(&s);
}

/* Save the session, load it into a new instance: the same loop, bit for
 * bit, in the same phase; a session saved while armed does not record. */
static void
save_and_restore_give_the_same_loop_in_phase(void **state)
{
	(void)state;
	Session a;
	a_playing_loop(&a);
	eth_set(a.host, "loop_arm", 1); /* saved while armed */
	char *dir = temp_dir();
	assert_true(eth_save_state(a.host, dir));
	eth_set(a.host, "loop_arm", 0);

	Session b;
	session_init(&b, 48000.0, 240.0, false);
	assert_true(eth_restore_state(b.host, dir));
	assert_true(eth_get(b.host, "loop_arm") == 1.0f);
	{
		/* Saved again before any run() (a bypassed plugin): the
		 * restored loop is what gets saved, not the empty one it
		 * replaces. */
		char  *again = temp_dir();
		float *l0, *r0;
		assert_int_equal(saved_loop(&b, again, &l0, &r0), 48000);
		assert_true(l0[100] == ramp_at(100));
		free(l0);
		free(r0);
		remove_dir(again);
	}
	b.transport = a.transport;
	b.wall      = a.wall;
	for (int i = 0; i < 200; ++i) {
		play(&a, 480);
		play(&b, 480);
		if (i > 0) {
			assert_memory_equal(eth_audio(a.host, "out_l"),
					    eth_audio(b.host, "out_l"),
					    480 * sizeof(float));
			assert_memory_equal(eth_audio(a.host, "out_r"),
					    eth_audio(b.host, "out_r"),
					    480 * sizeof(float));
		}
	}
	assert_int_equal(eth_get(b.host, "loop_state"), 3); /* not recording */
	float         *l1, *r1, *l2, *r2;
	char          *dir2 = temp_dir();
	const uint32_t n1   = saved_loop(&a, dir, &l1, &r1);
	const uint32_t n2   = saved_loop(&b, dir2, &l2, &r2);
	assert_int_equal(n1, n2);
	assert_memory_equal(l1, l2, n1 * sizeof(float));
	assert_memory_equal(r1, r2, n1 * sizeof(float));
	free(l1);
	free(r1);
	free(l2);
	free(r2);
	remove_dir(dir2);
	remove_dir(dir);
	session_free(&a);
	session_free(&b);
}

/* The eight recorders' story in short: three tracks each record a loop of
 * their own length on the bar (2 bars, 1 bar, 1 bar at 240 BPM), so all
 * three play together in phase; the session is saved (loop.wav,
 * loop2.wav, loop3.wav) and a fresh instance restored from it plays the
 * same, sample for sample.  With loop2.wav gone, only track 2's loop is
 * empty, and the log names it. */
static void
three_tracks_each_keep_their_loop_through_a_save(void **state)
{
	(void)state;
	Session a;
	session_init(&a, 48000.0, 240.0, false);
	const int64_t bar     = (int64_t)frames_per_bar(&a); /* 48000 */
	const int     bars[3] = { 2, 1, 1 };
	for (int t = 0; t < 3; ++t) {
		eth_set(a.host, "active_track", (float)(t + 1));
		eth_set(a.host, "loop_bars", (float)bars[t]);
		eth_set(a.host, "loop_arm", 1);
		/* Armed mid-bar: the take starts on the next bar. */
		play_until(&a, a.wall + bar / 2, 1000);
		play_until(&a, a.wall + bar / 2 + bars[t] * bar + 1000, 1000);
		eth_set(a.host, "loop_arm", 0);
		play(&a, 1000);
		char name[32];
		snprintf(name, sizeof name, "track%d_loop_state", t + 1);
		assert_int_equal(eth_get(a.host, name), 3);
		assert_float_equal(eth_get(a.host, "loop_length"),
				   bars[t] * 1.0, 1e-9);
	}
	assert_int_equal(eth_get(a.host, "track4_loop_state"), 0);
	char *dir = temp_dir();
	assert_true(eth_save_state(a.host, dir));
	for (int t = 0; t < 3; ++t) {
		char path[4096];
		snprintf(path, sizeof path,
			 t ? "%s/loop%d.wav" : "%s/loop.wav", dir, t + 1);
		assert_int_equal(access(path, R_OK), 0);
	}

	Session b;
	session_init(&b, 48000.0, 240.0, false);
	assert_true(eth_restore_state(b.host, dir));
	b.transport = a.transport;
	b.wall      = a.wall;
	for (int i = 0; i < 300; ++i) {
		play(&a, 480);
		play(&b, 480);
		if (i > 0) { /* b fades in over its first block */
			assert_memory_equal(eth_audio(a.host, "out_l"),
					    eth_audio(b.host, "out_l"),
					    480 * sizeof(float));
		}
	}
	for (int t = 0; t < 8; ++t) {
		char name[32];
		snprintf(name, sizeof name, "track%d_loop_state", t + 1);
		assert_true(eth_get(b.host, name) == eth_get(a.host, name));
	}

	char path[4096];
	snprintf(path, sizeof path, "%s/loop2.wav", dir);
	assert_int_equal(unlink(path), 0);
	Session c;
	session_init(&c, 48000.0, 240.0, false);
	const unsigned lines = eth_log_lines(c.host);
	assert_true(eth_restore_state(c.host, dir));
	play(&c, 480);
	assert_int_equal(eth_get(c.host, "track1_loop_state"), 3);
	assert_int_equal(eth_get(c.host, "track2_loop_state"), 0);
	assert_int_equal(eth_get(c.host, "track3_loop_state"), 3);
	assert_int_equal(eth_log_lines(c.host), lines + 1);
	assert_non_null(strstr(eth_log_text(c.host), "loop of track 2"));
	remove_dir(dir);
	session_free(&a);
	session_free(&b);
	session_free(&c);
}

/* A busy machine drops a cycle while a one-bar take records (the host
 * skips a block: its transport jumps a block ahead): the take is still
 * exactly one bar, 2.000 s, on the grid, with positions every block
 * (Carla) or only on change (Ardour), at several block sizes. */
static void
a_dropped_cycle_does_not_cut_the_take(void **state)
{
	(void)state;
	static const uint32_t blocks[] = { 256, 1024, 333 };
	for (unsigned b = 0; b < 3; ++b) {
		for (int every = 0; every < 2; ++every) {
			Session s;
			session_init(&s, 48000.0, 120.0, every);
			eth_set(s.host, "loop_bars", 1);
			play_until(&s, 50000, blocks[b]);
			eth_set(s.host, "loop_arm", 1);
			play_until(&s, 130000, blocks[b]);
			assert_int_equal(eth_get(s.host, "loop_state"), 2);
			s.transport += blocks[b]; /* the dropped cycle */
			s.position_due =
			    true; /* a host says where it is now */
			play_until(&s, 192000, blocks[b]);
			assert_int_equal(eth_get(s.host, "loop_state"), 3);
			assert_float_equal(eth_get(s.host, "loop_length"), 2.0,
					   0.0);
			session_free(&s);
		}
	}
}

/* A glitching synth: NaN every 1000 frames, +Inf and 1e30 between. */
static float
glitching_synth(int64_t wall)
{
	switch (wall % 1000) {
	case 10: return NAN;
	case 20: return INFINITY;
	case 30: return 1e30f;
	default: return ramp_at(wall);
	}
}

/* The synth glitches while the musician records: the loop keeps none of
 * it (0 there, the rest exact), plays nothing but finite samples, the
 * saved loop is clean, and the host's log says so once. */
static void
a_glitching_synth_leaves_no_poison_in_the_loop(void **state)
{
	(void)state;
	Session s;
	session_init(&s, 48000.0, 120.0, false);
	s.input = glitching_synth;
	eth_set(s.host, "loop_bars", 1);
	play_until(&s, 50000, 1000);
	eth_set(s.host, "loop_arm", 1);
	play_until(&s, 192000 + 500, 1000);
	eth_set(s.host, "loop_arm", 0);
	s.input = NULL;
	record_output(&s, 96000);
	const int64_t from = s.wall;
	play_until(&s, from + 96000, 1000);
	for (size_t i = 0; i < s.out_len; ++i) {
		assert_true(isfinite(s.out[i]));
	}
	char          *dir = temp_dir();
	float         *left, *right;
	const uint32_t length = saved_loop(&s, dir, &left, &right);
	assert_int_equal(length, 96000);
	for (uint32_t k = 0; k + ramp_frames(s.rate) < length; ++k) {
		const int64_t w = 96000 + k;
		const float   want =
                    w % 1000 == 10 || w % 1000 == 20 || w % 1000 == 30
			  ? 0.0f
			  : ramp_at(w);
		if (left[k] != want || right[k] != -want) {
			fail_msg("loop sample %u is %g, want %g", k,
				 (double)left[k], (double)want);
		}
	}
	assert_int_equal(eth_log_lines(s.host), 1);
	assert_non_null(
	    strstr(eth_log_text(s.host), "NaN, infinite or beyond"));
	free(left);
	free(right);
	remove_dir(dir);
	session_free(&s);
}

/* A session saved by the first release (state version 1) holds a loop
 * whose end was never cross-faded: it opens with its last 4 ms faded out
 * with the seam's curve, every other sample as saved. */
static void
a_version_1_session_opens_with_its_end_faded_out(void **state)
{
	(void)state;
	Session a;
	a_playing_loop(&a);
	char *dir = temp_dir();
	assert_true(eth_save_state(a.host, dir));
	float         *l1, *r1;
	char          *again = temp_dir();
	const uint32_t n1    = saved_loop(&a, again, &l1, &r1);
	char           cmd[4400];
	snprintf(cmd, sizeof(cmd),
		 "grep -q 'state#version> \"2\"' '%s/state.ttl' && "
		 "sed -i 's/state#version> \"2\"/state#version> \"1\"/' "
		 "'%s/state.ttl'",
		 dir, dir);
	assert_int_equal(system(cmd), 0);

	Session b;
	session_init(&b, 48000.0, 240.0, false);
	assert_true(eth_restore_state(b.host, dir));
	play(&b, 256);
	assert_int_equal(eth_get(b.host, "loop_state"), 3);
	float         *l2, *r2;
	char          *dir2 = temp_dir();
	const uint32_t n2   = saved_loop(&b, dir2, &l2, &r2);
	assert_int_equal(n1, n2);
	const uint32_t r = et_looper_ramp_frames(48000.0);
	for (uint32_t k = 0; k < n1; ++k) {
		const float g =
		    k < n1 - r ? 1.0f
			       : 1.0f - et_looper_seam_weight(k - (n1 - r), r);
		if (l2[k] != l1[k] * g || r2[k] != r1[k] * g) {
			fail_msg("sample %u: %g, saved %g, gain %g", k,
				 (double)l2[k], (double)l1[k], (double)g);
		}
	}
	assert_true(l2[n1 - 1] < 0.001f * l1[n1 - 1]);
	free(l1);
	free(r1);
	free(l2);
	free(r2);
	remove_dir(dir);
	remove_dir(again);
	remove_dir(dir2);
	session_free(&a);
	session_free(&b);
}

/* A kick exactly on the bar at frame 96000, over a quiet hum that was
 * playing before the take began and goes on across its end. */
static float
kick_on_the_bar(int64_t wall)
{
	const float hum = 0.05f * (float)sin((double)wall * 0.0123);
	return wall == 96000 ? 0.9f + hum : hum;
}

/* The musician records a kick on the one: at every repetition it comes
 * back at its full height, on the bar; the seam does not click (no step
 * larger than the hum's own, but for the cross-fade's bend); and what is
 * saved with the session is, sample for sample, what plays. */
static void
the_downbeat_keeps_its_attack_and_the_saved_loop_is_what_plays(void **state)
{
	(void)state;
	static const uint32_t blocks[] = { 1000, 256, 64 };
	for (unsigned b = 0; b < 3; ++b) {
		Session s;
		session_init(&s, 48000.0, 120.0, b == 1);
		s.input = kick_on_the_bar;
		eth_set(s.host, "loop_bars", 1);
		play_until(&s, 50000, blocks[b]);
		eth_set(s.host, "loop_arm", 1);
		play_until(&s, 192000 + 64, blocks[b]);
		eth_set(s.host, "loop_arm", 0);
		assert_int_equal(eth_get(s.host, "loop_state"), 3);
		s.input = NULL;
		record_output(&s, 12 * 96000);
		const int64_t from = s.wall;
		play_until(&s, 12 * 96000, blocks[b]);

		char          *dir = temp_dir();
		float         *left, *right;
		const uint32_t length = saved_loop(&s, dir, &left, &right);
		assert_int_equal(length, 96000);
		assert_true(left[0] == kick_on_the_bar(96000));
		/* out[w] is out_l at wall frame from + w; monitor is off. */
		double step = 0.0;
		for (int64_t w = from; w < 12 * 96000; ++w) {
			const float got  = s.out[w - from];
			const float want = left[(w - 96000) % 96000];
			if (got != want) {
				fail_msg(
				    "blocks of %u: frame %lld plays %g, the saved "
				    "loop has %g",
				    blocks[b], (long long)w, (double)got,
				    (double)want);
			}
			if ((w - 96000) % 96000 == 0 &&
			    got != kick_on_the_bar(96000)) {
				fail_msg("the kick at %lld plays at %g",
					 (long long)w, (double)got);
			}
			const int64_t k = (w - 96000) % 96000;
			if (w > from && k != 0 &&
			    k != 1) { /* not into or out of the kick */
				step = fmax(step,
					    fabs((double)got -
						 (double)s.out[w - from - 1]));
			}
		}
		/* The hum's largest step is 0.05 * 0.0123; the cross-fade
		 * bends it by at most 3 * 0.05 / (r + 1) (test_looper.c). */
		const double bend =
		    3.0 * 0.05 / (double)(et_looper_ramp_frames(48000.0) + 1);
		assert_true(step <= 0.05 * 0.0123 + bend);
		free(left);
		free(right);
		remove_dir(dir);
		session_free(&s);
	}
}

typedef enum {
	BAD_MISSING,
	BAD_TRUNCATED,
	BAD_GARBAGE,
	BAD_RATE,
	BAD_FAR_START /* a start frame no session can hold (1e17) */
} BadFile;

static void
restore_bad_file(BadFile how)
{
	Session a;
	a_playing_loop(&a);
	char *dir = temp_dir();
	assert_true(eth_save_state(a.host, dir));
	char path[4096];
	snprintf(path, sizeof(path), "%s/loop.wav", dir);
	switch (how) {
	case BAD_MISSING: assert_int_equal(unlink(path), 0); break;
	case BAD_TRUNCATED: assert_int_equal(truncate(path, 5000), 0); break;
	case BAD_GARBAGE: {
		FILE *f = fopen(path, "wb");
		for (int i = 0; i < 10000; ++i) {
			fputc((i * 7919) & 0xFF, f);
		}
		fclose(f);
		break;
	}
	case BAD_RATE: break;
	case BAD_FAR_START: {
		char cmd[8192];
		snprintf(
		    cmd, sizeof(cmd),
		    "sed -i 's/\\(state#startFrame> \\)\"[-0-9]*\"/\\1\"100000000000000000\"/' "
		    "'%s/state.ttl' && grep -q 100000000000000000 '%s/state.ttl'",
		    dir, dir);
		assert_int_equal(system(cmd), 0);
		break;
	}
	}

	Session b;
	session_init(&b, how == BAD_RATE ? 44100.0 : 48000.0, 240.0, false);
	assert_true(eth_restore_state(b.host, dir));
	play(&b, 1000);
	assert_int_equal(eth_get(b.host, "loop_state"),
			 0); /* empty, working */
	assert_int_equal(eth_log_lines(b.host), 1);
	assert_non_null(strstr(eth_log_text(b.host),
			       how == BAD_FAR_START
				   ? "incomplete or invalid"
				   : "eighttrack: restoring the loop"));
	/* Saved while armed (a_playing_loop leaves arm on): loading did not
	 * start a take.  And it still records. */
	assert_true(eth_get(b.host, "loop_arm") == 1.0f);
	eth_set(b.host, "loop_quantize", 0);
	eth_set(b.host, "loop_arm", 0);
	play(&b, 1000);
	eth_set(b.host, "loop_arm", 1);
	play(&b, 1000);
	if (eth_get(b.host, "loop_state") != 2.0f) {
		fail_msg("state %f; log: %s", eth_get(b.host, "loop_state"),
			 eth_log_text(b.host));
	}
	remove_dir(dir);
	session_free(&a);
	session_free(&b);
}

static void
a_missing_loop_file_leaves_an_empty_loop_and_a_log_line(void **state)
{
	(void)state;
	restore_bad_file(BAD_MISSING);
}

static void
a_truncated_loop_file_leaves_an_empty_loop(void **state)
{
	(void)state;
	restore_bad_file(BAD_TRUNCATED);
}

static void
a_corrupt_loop_file_leaves_an_empty_loop(void **state)
{
	(void)state;
	restore_bad_file(BAD_GARBAGE);
}

static void
a_loop_file_at_another_rate_leaves_an_empty_loop(void **state)
{
	(void)state;
	restore_bad_file(BAD_RATE);
}

static void
a_loop_start_beyond_any_session_leaves_an_empty_loop(void **state)
{
	(void)state;
	restore_bad_file(BAD_FAR_START);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(arm_on_the_bar_records_exactly_n_bars),
		cmocka_unit_test(a_bar_that_is_not_whole_frames_never_drifts),
		cmocka_unit_test(
		    playback_sample_k_plays_at_start_plus_k_plus_m_lengths),
		cmocka_unit_test(output_is_identical_for_any_block_size),
		cmocka_unit_test(overdub_sums_exactly),
		cmocka_unit_test(mute_and_clear_ramp_out_within_5_ms),
		cmocka_unit_test(stop_start_and_locate_stay_in_phase),
		cmocka_unit_test(
		    quantize_off_acts_at_the_first_frame_of_the_call),
		cmocka_unit_test(save_and_restore_give_the_same_loop_in_phase),
		cmocka_unit_test(
		    three_tracks_each_keep_their_loop_through_a_save),
		cmocka_unit_test(
		    the_downbeat_keeps_its_attack_and_the_saved_loop_is_what_plays),
		cmocka_unit_test(
		    a_version_1_session_opens_with_its_end_faded_out),
		cmocka_unit_test(a_dropped_cycle_does_not_cut_the_take),
		cmocka_unit_test(
		    a_glitching_synth_leaves_no_poison_in_the_loop),
		cmocka_unit_test(
		    a_missing_loop_file_leaves_an_empty_loop_and_a_log_line),
		cmocka_unit_test(a_truncated_loop_file_leaves_an_empty_loop),
		cmocka_unit_test(a_corrupt_loop_file_leaves_an_empty_loop),
		cmocka_unit_test(
		    a_loop_start_beyond_any_session_leaves_an_empty_loop),
		cmocka_unit_test(
		    a_loop_file_at_another_rate_leaves_an_empty_loop),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
