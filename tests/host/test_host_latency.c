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
	r->out = calloc(END_FRAMES, sizeof(float));
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
	for (uint32_t i = 0; i < BLOCK && r->frame + i < END_FRAMES; ++i)
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
static void
assert_onsets(const Rig *r, int64_t want_late, int64_t within)
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
	assert_onsets(&r, LATENCY, 1);
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
	assert_onsets(&r, 0, 1);
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
	assert_onsets(&r, rise, 1);
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
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
