/* Round-trip compensation through lilv (issue 17): the plugin's notes go
 * out on midi_out to a simulated hardware synth (fake_synth.h) whose sound
 * comes back into in_l/in_r L frames later.  A one-bar take of the synth
 * playing a note on every beat must then play each onset on its beat,
 * within 1 ms, at every repetition: with latency_offset set to L, and
 * (without compensation) late by L, which is what the feature is for.
 *
 * 48 kHz, 120 BPM, 4/4: a beat is 24000 frames, a bar 96000; blocks of
 * 256; L = 590 frames (12.29 ms), not a multiple of the block. */
#include "fake_synth.h"
#include "lv2host.h"

#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#define RATE       48000.0
#define BEAT       24000
#define BAR        (4 * BEAT)
#define BLOCK      256u
#define LATENCY    590u
#define ONE_MS     48
#define THRESHOLD  0.05f /* an onset: the click's first sample is 0.5 */
#define END_FRAMES (6 * BAR)

typedef struct {
	EthHost  *host;
	FakeSynth synth;
	int64_t   frame;
	bool      playing; /* the keyboard plays a note on every beat */
	float    *out;     /* out_l of every frame run */
	int64_t   out_frames;
} Rig;

static void
rig_init(Rig *r, uint32_t latency, FakeSound sound)
{
	memset(r, 0, sizeof *r);
	r->host = eth_new(RATE);
	eth_set(r->host, "monitor", 0); /* hear only the loop */
	eth_set(r->host, "loop_quantize", 2);
	eth_set(r->host, "loop_bars", 1);
	fake_synth_init(&r->synth, RATE, sound, latency);
	r->out_frames = END_FRAMES;
	r->out        = calloc((size_t)r->out_frames, sizeof(float));
	assert_non_null(r->out);
}

static void
rig_free(Rig *r)
{
	eth_free(r->host);
	free(r->out);
}

/* One block: the position at its frame 0, the keyboard's notes (on each
 * beat, 50 ms long), the synth's answer to what went out before, the
 * run. */
static void
block(Rig *r)
{
	const double beats = (double)r->frame / BEAT;
	const double bar   = floor(beats / 4.0);
	eth_position(r->host, 0, r->frame, 1.0, 120.0, 4.0, (int64_t)bar,
		     (float)(beats - bar * 4.0));
	for (uint32_t i = 0; i < BLOCK && r->playing; ++i) {
		const int64_t f = r->frame + i;
		if (f % BEAT == 0)
			eth_midi3(r->host, i, 0x90, 60, 100);
		if (f % BEAT == 2400)
			eth_midi3(r->host, i, 0x80, 60, 0);
	}
	fake_synth_play(&r->synth, r->host, BLOCK);
	eth_run(r->host, BLOCK);
	fake_synth_listen(&r->synth, r->host, BLOCK);
	const float *out = eth_audio(r->host, "out_l");
	for (uint32_t i = 0; i < BLOCK && r->frame + i < r->out_frames; ++i)
		r->out[r->frame + i] = out[i];
	r->frame += BLOCK;
}

static void
run_to(Rig *r, int64_t frame)
{
	while (r->frame < frame)
		block(r);
}

/* The keyboard plays bar 1 (frames 96000 ..) into a take of bar 1, then
 * stops: from bar 2 on only the loop sounds. */
static void
record_a_bar(Rig *r)
{
	r->playing = true;
	run_to(r, BAR / 2);
	eth_set(r->host, "loop_arm", 1);
	run_to(r, 2 * BAR - 2 * BEAT);
	eth_set(r->host, "loop_arm", 0); /* the take ends on the bar */
	run_to(r, 2 * BAR);
	r->playing = false;
	run_to(r, END_FRAMES);
	assert_int_equal((int)eth_get(r->host, "loop_state"), 3);
}

/* Each beat of bars 3 to 5 (the loop alone, every repetition), the
 * first onset after the beat's silence: where it is against the beat. */
/* $ET_ONSETS_CSV names a file that gets each onset as a line
 * "case,beat,offset_ms" (tools/plot_onsets.py draws the README's figure). */
static void
log_onset(const char *label, int64_t beat, int64_t late)
{
	const char *path = getenv("ET_ONSETS_CSV");
	FILE       *f    = path && *path ? fopen(path, "a") : NULL;
	if (!f)
		return;
	fprintf(f, "%s,%lld,%.4f\n", label, (long long)(beat / BEAT),
		(double)late * 1000.0 / RATE);
	fclose(f);
}

static void
assert_onsets(const Rig *r, const char *label, int64_t want_late,
	      int64_t within)
{
	for (int64_t beat = 3 * BAR; beat < END_FRAMES - BEAT; beat += BEAT) {
		const int64_t at = fake_onset(r->out, beat - BEAT / 2,
					      beat + BEAT / 2, THRESHOLD);
		if (at < 0)
			fail_msg("no onset near the beat at %lld",
				 (long long)beat);
		const int64_t late = at - beat;
		printf("beat at %lld: onset %+lld frames (%+.2f ms)\n",
		       (long long)beat, (long long)late,
		       (double)late * 1000.0 / RATE);
		log_onset(label, beat, late);
		if (llabs(late - want_late) > within)
			fail_msg("beat at %lld: the onset is %lld frames "
				 "late, %lld expected within %lld",
				 (long long)beat, (long long)late,
				 (long long)want_late, (long long)within);
	}
}

/* Without compensation every onset lags its beat by the round trip. */
static void
test_uncompensated_onsets_lag_by_the_round_trip(void **state)
{
	(void)state;
	Rig r;
	rig_init(&r, LATENCY, FAKE_CLICK);
	record_a_bar(&r);
	assert_int_equal(r.synth.heard_count, 8); /* bars 0 and 1 */
	assert_true(eth_get(r.host, "latency") == 0.0f);
	assert_onsets(&r, "uncompensated", LATENCY, 1);
	rig_free(&r);
}

/* latency_offset set to the round trip: every onset on its beat. */
static void
test_latency_offset_puts_onsets_on_the_beat(void **state)
{
	(void)state;
	Rig r;
	rig_init(&r, LATENCY, FAKE_CLICK);
	eth_set(r.host, "latency_offset", (float)(LATENCY * 1000.0 / RATE));
	run_to(&r, BLOCK);
	assert_float_equal(eth_get(r.host, "latency"), LATENCY * 1000.0 / RATE,
			   1e-3);
	record_a_bar(&r);
	assert_onsets(&r, "latency_offset", 0, 1);
	rig_free(&r);
}

/* A soft attack (5 ms rise) is compensated the same way: the loop's onset
 * is the synth's, on the beat plus its own rise to the threshold. */
static void
test_a_soft_attack_keeps_its_place(void **state)
{
	(void)state;
	Rig r;
	rig_init(&r, LATENCY, FAKE_SOFT_ATTACK);
	eth_set(r.host, "latency_offset", (float)(LATENCY * 1000.0 / RATE));
	record_a_bar(&r);
	/* Where the rising answer itself reaches the threshold. */
	int64_t rise = 0;
	while (fabsf(fake_answer(&r.synth, rise)) < THRESHOLD)
		++rise;
	assert_true(rise > ONE_MS / 2);
	assert_onsets(&r, "soft attack", rise, 1);
	rig_free(&r);
}

/* ---- calibration -------------------------------------------------------*/

/* Triggers calibrate and runs until its log line (at most 6 s, the
 * transport rolling and nobody playing); returns the latency port. */
static float
calibrate(Rig *r)
{
	const unsigned lines = eth_log_lines(r->host);
	eth_set(r->host, "calibrate", 1);
	block(r);
	eth_set(r->host, "calibrate", 0);
	const int64_t until = r->frame + 6 * (int64_t)RATE;
	while (eth_log_lines(r->host) == lines && r->frame < until)
		block(r);
	assert_true(eth_log_lines(r->host) > lines);
	return eth_get(r->host, "latency");
}

static void
rig_init_long(Rig *r, uint32_t latency, FakeSound sound)
{
	rig_init(r, latency, sound);
	free(r->out);
	r->out_frames = 3 * END_FRAMES;
	r->out        = calloc((size_t)r->out_frames, sizeof(float));
	assert_non_null(r->out);
}

/* Calibrate finds the round trip within 1 ms, says so in the log, and a
 * take then plays every onset on the beat, at every repetition. */
static void
calibrated(FakeSound sound, float noise, float dc, float want_within_ms,
	   const char *label)
{
	Rig r;
	rig_init(&r, LATENCY, sound);
	r.synth.noise  = noise;
	r.synth.dc     = dc;
	const float ms = calibrate(&r);
	printf("%s: calibrated %.3f ms (true %.3f ms)\n%s", label, (double)ms,
	       LATENCY * 1000.0 / RATE, eth_log_text(r.host));
	assert_float_equal(ms, LATENCY * 1000.0 / RATE, want_within_ms);
	assert_non_null(strstr(eth_log_text(r.host), "track 1 round trip"));
	assert_int_equal(r.synth.heard_count, 5);
	/* The test notes have ended: nothing sounds on the track. */
	rig_free(&r);
}

static void
test_calibrate_finds_a_click(void **state)
{
	(void)state;
	calibrated(FAKE_CLICK, 0.0f, 0.0f, 0.05f, "click");
}

static void
test_calibrate_finds_a_soft_attack(void **state)
{
	(void)state;
	calibrated(FAKE_SOFT_ATTACK, 0.0f, 0.0f, 1.0f, "soft attack");
}

static void
test_calibrate_finds_a_click_in_noise_and_dc(void **state)
{
	(void)state;
	calibrated(FAKE_CLICK, 0.001f, 0.0f, 0.1f, "noise -60 dBFS");
	calibrated(FAKE_CLICK, 0.01f, 0.2f, 0.1f, "noise -40 dBFS, DC 0.2");
	calibrated(FAKE_SOFT_ATTACK, 0.001f, 0.0f, 1.0f,
		   "soft attack, noise -60 dBFS");
}

/* The whole story: calibrate, record a bar of the synth on every beat,
 * and the loop plays each onset on its beat. */
static void
test_a_calibrated_take_lands_on_the_beat(void **state)
{
	(void)state;
	Rig r;
	rig_init_long(&r, LATENCY, FAKE_CLICK);
	calibrate(&r);
	/* Start the take's story from the next bar 0 of a fresh count. */
	const int64_t shift = (r.frame / BAR + 1) * BAR;
	run_to(&r, shift);
	r.playing = true;
	run_to(&r, shift + BAR / 2);
	eth_set(r.host, "loop_arm", 1);
	run_to(&r, shift + 2 * BAR - 2 * BEAT);
	eth_set(r.host, "loop_arm", 0);
	run_to(&r, shift + 2 * BAR);
	r.playing = false;
	run_to(&r, shift + 6 * BAR);
	/* Bars 3 to 5 after the shift: the loop alone. */
	Rig view = r;
	view.out = r.out + shift;
	assert_onsets(&view, "calibrated", 0, 1);
	rig_free(&r);
}

/* A synth that never answers (or one on another channel): a clear log
 * line, and the old value stays. */
static void
test_no_answer_keeps_the_old_value(void **state)
{
	(void)state;
	Rig r;
	rig_init(&r, LATENCY, FAKE_SILENT);
	eth_set(r.host, "latency_offset", 3.0f);
	assert_true(calibrate(&r) == 3.0f);
	assert_non_null(strstr(eth_log_text(r.host), "calibrating track 1"));
	assert_true(r.synth.heard_count >= 1);
	rig_free(&r);

	rig_init(&r, LATENCY, FAKE_CLICK);
	r.synth.channel = 5; /* the synth listens elsewhere */
	assert_true(calibrate(&r) == 0.0f);
	assert_non_null(strstr(eth_log_text(r.host), "calibrating track 1"));
	rig_free(&r);
}

/* A round trip beyond 500 ms is measured, logged, and not used. */
static void
test_a_round_trip_beyond_the_limit_is_not_used(void **state)
{
	(void)state;
	Rig r;
	rig_init_long(&r, (uint32_t)(0.6 * RATE), FAKE_CLICK);
	assert_true(calibrate(&r) == 0.0f);
	assert_non_null(strstr(eth_log_text(r.host), "beyond the 500 ms"));
	rig_free(&r);
}

/* While a take records, calibrate is refused (its test notes would be
 * recorded), and the log says so. */
static void
test_calibrate_while_recording_is_refused(void **state)
{
	(void)state;
	Rig r;
	rig_init(&r, LATENCY, FAKE_CLICK);
	eth_set(r.host, "loop_quantize", 0);
	eth_set(r.host, "loop_bars", 0);
	eth_set(r.host, "loop_arm", 1);
	run_to(&r, 4 * BLOCK);
	assert_int_equal((int)eth_get(r.host, "loop_state"), 2);
	calibrate(&r);
	assert_non_null(strstr(eth_log_text(r.host), "refused"));
	assert_int_equal(r.synth.heard_count, 0);
	rig_free(&r);
}

/* A block, counting the note-ons and note-offs on midi_out. */
static void
counted_block(Rig *r, int *on, int *off)
{
	block(r);
	for (size_t i = 0; i < eth_out_count(r->host); ++i) {
		const EthEvent *e    = eth_out(r->host, i);
		const uint8_t   type = e->bytes[0] & 0xf0;
		*on += type == 0x90 && e->bytes[2] > 0;
		*off += type == 0x80 || (type == 0x90 && !e->bytes[2]);
	}
}

/* A take armed while a calibration runs cancels it (its test notes would
 * be recorded): logged, the old value kept, every test note ended. */
static void
test_a_take_during_calibration_cancels_it(void **state)
{
	(void)state;
	Rig r;
	rig_init(&r, LATENCY, FAKE_CLICK);
	eth_set(r.host, "loop_quantize", 0);
	const unsigned lines = eth_log_lines(r.host);
	int            on = 0, off = 0;
	eth_set(r.host, "calibrate", 1);
	/* Until the first test note has gone out and come back. */
	while (r.synth.heard_count == 0 && r.frame < (int64_t)RATE)
		counted_block(&r, &on, &off);
	run_to(&r, r.frame + 2 * LATENCY);
	eth_set(r.host, "loop_arm", 1); /* a free take, at once */
	const int64_t until = r.frame + 2 * (int64_t)RATE;
	while (eth_log_lines(r.host) == lines && r.frame < until)
		counted_block(&r, &on, &off);
	for (int b = 0; b < 40; ++b)
		counted_block(&r, &on, &off);
	assert_non_null(strstr(eth_log_text(r.host), "cancelled"));
	assert_true(eth_get(r.host, "latency") == 0.0f);
	assert_int_equal((int)eth_get(r.host, "loop_state"), 2);
	assert_true(on >= 1);
	assert_int_equal(on, off);
	rig_free(&r);
}

/* The trigger flooded (on and off every block): one calibration at a
 * time, five test notes each, nothing hanging, on track 3's channel
 * only. */
static void
test_a_flooded_trigger_runs_one_calibration_at_a_time(void **state)
{
	(void)state;
	Rig r;
	rig_init(&r, LATENCY, FAKE_CLICK);
	eth_set(r.host, "active_track", 3);
	r.synth.channel = 2; /* track 3 plays channel 3 */
	eth_set(r.host, "track_outs", 1);
	int on = 0, off = 0, elsewhere = 0;
	for (int b = 0; b < 2 * (int)(RATE / BLOCK); ++b) {
		eth_set(r.host, "calibrate", (float)(b & 1));
		block(&r);
		for (size_t i = 0; i < eth_out_count(r.host); ++i) {
			const EthEvent *e    = eth_out(r.host, i);
			const uint8_t   type = e->bytes[0] & 0xf0;
			if ((e->bytes[0] & 0x0f) != 2)
				++elsewhere;
			on += type == 0x90 && e->bytes[2] > 0;
			off += type == 0x80 || (type == 0x90 && !e->bytes[2]);
		}
		for (int t = 1; t <= 8; ++t) {
			char name[16];
			snprintf(name, sizeof name, "track%d_out", t);
			if (t != 3)
				elsewhere +=
				    (int)eth_port_out_count(r.host, name);
		}
	}
	eth_set(r.host, "calibrate", 0);
	run_to(&r, r.frame + 5 * (int64_t)RATE);
	assert_int_equal(elsewhere, 0);
	assert_int_equal(on, off);
	assert_true(on >= 5);
	assert_float_equal(eth_get(r.host, "latency"), LATENCY * 1000.0 / RATE,
			   0.05);
	rig_free(&r);
}

/* The offset is bounded: -50 .. 250 ms on the port, a total below 0 acts
 * as 0, and what the latency port reports is what a take uses. */
static void
test_the_offset_is_clamped(void **state)
{
	(void)state;
	EthHost *host = eth_new(RATE);
	eth_set(host, "latency_offset", -30.0f);
	eth_run(host, BLOCK);
	assert_true(eth_get(host, "latency") == 0.0f);
	eth_set(host, "latency_offset", 1e9f);
	eth_run(host, BLOCK);
	assert_float_equal(eth_get(host, "latency"), 250.0, 1e-3);
	eth_set(host, "latency_offset", NAN);
	eth_run(host, BLOCK);
	assert_true(eth_get(host, "latency") == 0.0f);
	eth_free(host);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(
		    test_uncompensated_onsets_lag_by_the_round_trip),
		cmocka_unit_test(test_latency_offset_puts_onsets_on_the_beat),
		cmocka_unit_test(test_a_soft_attack_keeps_its_place),
		cmocka_unit_test(test_the_offset_is_clamped),
		cmocka_unit_test(test_calibrate_finds_a_click),
		cmocka_unit_test(test_calibrate_finds_a_soft_attack),
		cmocka_unit_test(test_calibrate_finds_a_click_in_noise_and_dc),
		cmocka_unit_test(test_a_calibrated_take_lands_on_the_beat),
		cmocka_unit_test(test_no_answer_keeps_the_old_value),
		cmocka_unit_test(
		    test_a_round_trip_beyond_the_limit_is_not_used),
		cmocka_unit_test(test_calibrate_while_recording_is_refused),
		cmocka_unit_test(
		    test_a_flooded_trigger_runs_one_calibration_at_a_time),
		cmocka_unit_test(test_a_take_during_calibration_cancels_it),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
