/* "Touched means written": recording must take no more minor page faults
 * inside run() than playing does.  The loop buffer is written page by page
 * at instantiate; a calloc (or a malloc + memset that the compiler turns
 * into one) maps the kernel's zero page, and the first write of each page
 * while recording then faults on the audio thread.  Counted with
 * getrusage(RUSAGE_THREAD) around each run() (eth_last_run_faults),
 * through lilv and the built bundle: a count, not a time. */
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

#define RATE          48000.0
#define BLOCK         256u
#define BPM           120.0
#define BEATS_PER_BAR 4.0
/* 20 s of stereo float is 1875 pages of 4 KiB per channel pair: the
 * count the defect cost.  40 s: longer than the loop pool's first part
 * (ET_POOL_FIRST_SECONDS, 16 s), so the worker grows it twice during the
 * take, and what it adds must be touched too. */
#define TAKE_SECONDS 40.0
/* A new instance may add this much resident memory before its first take
 * (issue 16: 16 MB at 48 kHz). */
#define NEW_INSTANCE_BYTES (16.0 * 1024 * 1024)

typedef struct {
	EthHost *host;
	int64_t  transport;
	long     faults; /* minor faults taken inside run() so far */
} Rig;

/* Resident memory of this process, from /proc/self/status. */
static double
resident_bytes(void)
{
	FILE *f = fopen("/proc/self/status", "r");
	assert_non_null(f);
	char   line[256];
	double kb = -1.0;
	while (fgets(line, sizeof line, f)) {
		if (!strncmp(line, "VmRSS:", 6)) {
			kb = strtod(line + 6, NULL);
		}
	}
	fclose(f);
	assert_true(kb > 0.0);
	return kb * 1024.0;
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
	eth_run(r->host, BLOCK);
	r->faults += eth_last_run_faults(r->host);
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

/* A new instance takes little memory: the loop pool starts small and
 * grows with the loops (in the worker), so an instance that never records
 * costs little more than its code.  Measured as the resident memory the
 * process gains from instantiating and running a second of blocks (a
 * first instance, kept alive so that the second cannot reuse its memory,
 * has loaded lilv's world and the plugin's code). */
static void
a_new_instance_adds_at_most_16_mb(void **state)
{
	(void)state;
	Rig warm = { eth_new(RATE), 0, 0 };
	faults_over(&warm, 0.1);

	const double before = resident_bytes();
	Rig          r      = { eth_new(RATE), 0, 0 };
	faults_over(&r, 1.0);
	const double added = resident_bytes() - before;
	printf("a new instance at %.0f Hz added %.1f MB of resident memory "
	       "before its first take (at most %.0f MB)\n",
	       RATE, added / 1048576.0, NEW_INSTANCE_BYTES / 1048576.0);
	assert_true(added <= NEW_INSTANCE_BYTES);
	eth_free(r.host);
	eth_free(warm.host);
}

/* A host without the worker feature: the pool keeps its first size, the
 * log says so once, and a take longer than it ends on its last whole bar
 * and plays. */
static void
without_a_worker_the_pool_keeps_its_first_size(void **state)
{
	(void)state;
	Rig r = { eth_new_with(RATE, false, true), 0, 0 };
	assert_non_null(strstr(eth_log_text(r.host), "no worker"));
	const unsigned lines = eth_log_lines(r.host);
	eth_set(r.host, "loop_bars",
		(float)(TAKE_SECONDS * BPM / 60.0 / BEATS_PER_BAR));
	eth_set(r.host, "loop_arm", 1.0f);
	faults_over(&r, TAKE_SECONDS + 2.0);
	assert_float_equal(eth_get(r.host, "loop_state"), 3.0f, 0.0f);
	const float  length = eth_get(r.host, "loop_length");
	const double bar    = 60.0 / BPM * BEATS_PER_BAR;
	printf("without a worker a %.0f s take kept %.3f s\n", TAKE_SECONDS,
	       length);
	assert_true(length > 8.0f && length <= 16.0f);
	assert_float_equal(fmod(length, bar), 0.0, 1e-4);
	assert_int_equal(eth_log_lines(r.host), lines); /* no worker to log */
	eth_free(r.host);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(a_long_take_faults_no_more_than_playing_it),
		cmocka_unit_test(a_new_instance_adds_at_most_16_mb),
		cmocka_unit_test(
		    without_a_worker_the_pool_keeps_its_first_size),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
