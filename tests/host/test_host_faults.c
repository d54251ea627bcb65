/* "Touched means written": recording must take no more minor page faults
 * inside run() than playing does.  The loop buffer is written page by page
 * at instantiate; a calloc (or a malloc + memset that the compiler turns
 * into one) maps the kernel's zero page, and the first write of each page
 * while recording then faults on the audio thread.  Counted with
 * getrusage(RUSAGE_THREAD) around each run(), through lilv and the built
 * bundle: a count, not a time. */
#define _GNU_SOURCE /* RUSAGE_THREAD */
#include "lv2host.h"

#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <sys/resource.h>

#include <cmocka.h>

#define RATE          48000.0
#define BLOCK         256u
#define BPM           120.0
#define BEATS_PER_BAR 4.0
/* 20 s of stereo float is 1875 pages of 4 KiB per channel pair: the
 * count the defect cost. */
#define TAKE_SECONDS 20.0

typedef struct {
	EthHost *host;
	int64_t  transport;
	long     faults; /* minor faults taken inside run() so far */
} Rig;

static long
minor_faults(void)
{
	struct rusage usage;
	assert_int_equal(getrusage(RUSAGE_THREAD, &usage), 0);
	return usage.ru_minflt;
}

/* One block with the transport rolling; a noisy input, so that both the
 * take and the playback are real audio. */
static void
block(Rig *r)
{
	float *in_l = eth_audio(r->host, "in_l");
	float *in_r = eth_audio(r->host, "in_r");
	for (uint32_t i = 0; i < BLOCK; ++i) {
		const double t = (double)(r->transport + i);
		in_l[i]        = (float)sin(t * 0.01);
		in_r[i]        = (float)cos(t * 0.013);
	}
	const double beats = (double)r->transport * BPM / (60.0 * RATE);
	const double bar   = floor(beats / BEATS_PER_BAR);
	eth_position(r->host, 0, r->transport, 1.0, BPM, BEATS_PER_BAR,
		     (int64_t)bar, (float)(beats - bar * BEATS_PER_BAR));
	const long before = minor_faults();
	eth_run(r->host, BLOCK);
	r->faults += minor_faults() - before;
	r->transport += BLOCK;
}

static long
faults_over(Rig *r, double seconds)
{
	const long    before = r->faults;
	const int64_t blocks = (int64_t)(seconds * RATE / BLOCK);
	for (int64_t b = 0; b < blocks; ++b) {
		block(r);
	}
	return r->faults - before;
}

/* A musician records a 20-second take (ten bars, ended by loop_bars), then
 * lets it play for as long: the take costs no more page faults in run()
 * than the playback does. */
static void
a_long_take_faults_no_more_than_playing_it(void **state)
{
	(void)state;
	Rig r = { eth_new(RATE), 0, 0 };
	/* A short take first, cleared: every code path of recording and
	 * playing has run once, so what is counted below is the loop's
	 * memory, not the first call into a page of code. */
	eth_set(r.host, "loop_bars", 1.0f);
	eth_set(r.host, "loop_arm", 1.0f);
	faults_over(&r, 6.5);
	assert_float_equal(eth_get(r.host, "loop_state"), 3.0f, 0.0f);
	eth_set(r.host, "loop_arm", 0.0f);
	eth_set(r.host, "loop_clear", 1.0f);
	faults_over(&r, 0.1);
	eth_set(r.host, "loop_clear", 0.0f);
	faults_over(&r, 1.0);
	assert_float_equal(eth_get(r.host, "loop_state"), 0.0f, 0.0f);

	eth_set(r.host, "loop_bars",
		(float)(TAKE_SECONDS * BPM / 60.0 / BEATS_PER_BAR));

	eth_set(r.host, "loop_arm", 1.0f);
	const long recording = faults_over(&r, TAKE_SECONDS + 2.0);
	assert_float_equal(eth_get(r.host, "loop_state"), 3.0f, 0.0f);
	assert_float_equal(eth_get(r.host, "loop_length"), TAKE_SECONDS, 1e-6);

	eth_set(r.host, "loop_arm", 0.0f);
	const long playing = faults_over(&r, TAKE_SECONDS + 2.0);
	printf("minor page faults in run(): recording %ld, playing %ld "
	       "(over %.0f s each)\n",
	       recording, playing, TAKE_SECONDS + 2.0);
	assert_true(recording <= playing);
	eth_free(r.host);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(a_long_take_faults_no_more_than_playing_it),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
