/* The eight recorders' story (issue 16) through lilv and the built bundle,
 * at exact frames and samples: track 1 records four bars on the bar, track
 * 2 two bars, track 3 one bar; the three play together, each from its own
 * first sample on the grid; loop 2 is muted alone, loop 3 played at -6 dB;
 * loop 1 is overdubbed, the overdub undone (loop 1 is again bit for bit
 * what it was) and redone; loop 3 is cleared while the others play; and a
 * fresh instance restored from the saved session plays the same samples.
 *
 * The transport rolls at 240 BPM in 4/4 at 48 kHz: a bar is 48000 frames.
 * Each take's input says which take it is (a tag) and which frame. */
#include "loopfile.h"
#include "lv2host.h"

#include <math.h>
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#define RATE  48000.0
#define BAR   48000
#define BLOCK 500u

typedef struct {
	EthHost *host;
	int64_t  frame; /* transport frame = frames run */
	float    tag;   /* the input: tag + (frame % 8192) / 2^16 */
} Story;

static float
input_at(const Story *s, int64_t frame)
{
	return s->tag + (float)(frame % 8192) / 65536.0f;
}

static void
story_init(Story *s)
{
	memset(s, 0, sizeof *s);
	s->host = eth_new(RATE);
	eth_set(s->host, "monitor", 0); /* hear only the loops */
	eth_set(s->host, "loop_quantize", 2);
}

/* One block: the input, the position at its frame 0, the run. */
static void
block(Story *s)
{
	float *l = eth_audio(s->host, "in_l"), *r = eth_audio(s->host, "in_r");
	for (uint32_t i = 0; i < BLOCK; ++i) {
		l[i] = input_at(s, s->frame + i);
		r[i] = -l[i];
	}
	const double beats = (double)s->frame * 4.0 / BAR;
	const double bar   = floor(beats / 4.0);
	eth_position(s->host, 0, s->frame, 1.0, 240.0, 4.0, (int64_t)bar,
		     (float)(beats - bar * 4.0));
	eth_run(s->host, BLOCK);
	s->frame += BLOCK;
}

static void
run_to(Story *s, int64_t frame)
{
	while (s->frame < frame)
		block(s);
}

static float
state_of(Story *s, int track)
{
	char name[32];
	snprintf(name, sizeof name, "track%d_loop_state", track);
	return eth_get(s->host, name);
}

static void
set_track(Story *s, const char *what, int track, float value)
{
	char name[48];
	snprintf(name, sizeof name, "track%d_%s", track, what);
	eth_set(s->host, name, value);
}

/* Arms the active track's loop mid-bar for `bars` bars, returns the bar
 * frame where the take starts, and runs until it has ended. */
static int64_t
take(Story *s, int track, int bars, float tag)
{
	eth_set(s->host, "active_track", (float)track);
	eth_set(s->host, "loop_bars", (float)bars);
	s->tag = tag;
	run_to(s, (s->frame / BAR) * BAR + BAR / 2);
	eth_set(s->host, "loop_arm", 1);
	const int64_t start = (s->frame / BAR + 1) * BAR;
	run_to(s, start + (int64_t)bars * BAR + BLOCK);
	eth_set(s->host, "loop_arm", 0);
	block(s);
	assert_int_equal(state_of(s, track), 3);
	return start;
}

/* A loop as saved: both channels, and its length. */
typedef struct {
	float   *l, *r;
	uint32_t n;
	int64_t  start;
	float    gain;
} Loop;

static void
read_loop(const char *dir, int track, Loop *out)
{
	char path[4096];
	if (track == 1)
		snprintf(path, sizeof path, "%s/loop.wav", dir);
	else
		snprintf(path, sizeof path, "%s/loop%d.wav", dir, track);
	assert_int_equal(et_loopfile_read(path, (uint32_t)RATE, 0, UINT32_MAX,
					  &out->l, &out->r, &out->n),
			 ET_LOOPFILE_OK);
}

static void
free_loop(Loop *l)
{
	free(l->l);
	free(l->r);
	l->l = l->r = NULL;
}

/* The last block's out_l is the sum of the loops given (in track order,
 * as the plugin adds them), each at its gain, from its own start. */
static void
assert_plays(Story *s, const Loop *loops, int n, const char *what)
{
	const float *out = eth_audio(s->host, "out_l");
	for (uint32_t i = 0; i < BLOCK; ++i) {
		const int64_t t    = s->frame - BLOCK + i;
		float         want = 0.0f;
		for (int k = 0; k < n; ++k) {
			const Loop    *lp = &loops[k];
			const uint32_t at =
			    (uint32_t)((t - lp->start) % lp->n);
			want += lp->gain * lp->l[at];
		}
		if (out[i] != want)
			fail_msg("%s: frame %lld plays %.9g, want %.9g", what,
				 (long long)t, (double)out[i], (double)want);
	}
}

static bool
same_loop(const Loop *a, const Loop *b)
{
	return a->n == b->n && !memcmp(a->l, b->l, sizeof(float) * a->n) &&
	       !memcmp(a->r, b->r, sizeof(float) * a->n);
}

static void
the_story_of_three_loops(void **state)
{
	(void)state;
	Story s;
	story_init(&s);
	char *dir = eth_temp_dir("story");

	/* Track 1, four bars; its MIDI track muted after. */
	const int64_t start1 = take(&s, 1, 4, 1.0f);
	eth_set(s.host, "track1_mute", 1);
	/* Track 2, two bars; track 3, one bar. */
	const int64_t start2 = take(&s, 2, 2, 2.0f);
	const int64_t start3 = take(&s, 3, 1, 3.0f);
	assert_int_equal(state_of(&s, 4), 0);
	assert_true(eth_save_state(s.host, dir));
	Loop loop[3];
	for (int t = 0; t < 3; ++t) {
		read_loop(dir, t + 1, &loop[t]);
		loop[t].gain = 1.0f;
	}
	loop[0].start = start1;
	loop[1].start = start2;
	loop[2].start = start3;
	assert_int_equal(loop[0].n, 4 * BAR);
	assert_int_equal(loop[1].n, 2 * BAR);
	assert_int_equal(loop[2].n, 1 * BAR);
	/* Each holds its own take: sample 0 is its tag at its start frame. */
	for (int t = 0; t < 3; ++t)
		assert_true(loop[t].l[0] ==
			    (float)(t + 1) +
				(float)(loop[t].start % 8192) / 65536.0f);

	/* All three in phase, over four bars. */
	for (int b = 0; b < 4 * BAR / (int)BLOCK; ++b) {
		block(&s);
		assert_plays(&s, loop, 3, "three loops");
	}

	/* Loop 2 muted alone; loop 3 at -6 dB. */
	set_track(&s, "loop_mute", 2, 1.0f);
	set_track(&s, "loop_level", 3, -6.0f);
	block(&s); /* the ramps */
	loop[2].gain      = powf(10.0f, -6.0f / 20.0f);
	const Loop mix[2] = { loop[0], loop[2] };
	for (int b = 0; b < BAR / (int)BLOCK; ++b) {
		block(&s);
		assert_plays(&s, mix, 2, "loop 2 muted, loop 3 at -6 dB");
	}
	assert_int_equal(state_of(&s, 2), 3); /* muted, not gone */

	/* Loop 1 overdubbed for four bars, undone, redone. */
	eth_set(s.host, "loop_overdub", 1);
	take(&s, 1, 4, 5.0f);
	char *dub_dir = eth_temp_dir("story-dub");
	assert_true(eth_save_state(s.host, dub_dir));
	Loop dub;
	read_loop(dub_dir, 1, &dub);
	assert_false(same_loop(&dub, &loop[0]));
	eth_set(s.host, "loop_undo", 1);
	block(&s);
	eth_set(s.host, "loop_undo", 0);
	char *undo_dir = eth_temp_dir("story-undo");
	assert_true(eth_save_state(s.host, undo_dir));
	Loop undone;
	read_loop(undo_dir, 1, &undone);
	assert_true(same_loop(&undone, &loop[0])); /* bit for bit */
	block(&s);                                 /* the fades */
	for (int b = 0; b < BAR / (int)BLOCK; ++b) {
		block(&s);
		assert_plays(&s, mix, 2, "after the undo");
	}
	eth_set(s.host, "loop_redo", 1);
	block(&s);
	eth_set(s.host, "loop_redo", 0);
	block(&s);
	dub.start            = start1;
	dub.gain             = 1.0f;
	const Loop redone[2] = { dub, loop[2] };
	for (int b = 0; b < BAR / (int)BLOCK; ++b) {
		block(&s);
		assert_plays(&s, redone, 2, "after the redo");
	}

	/* Loop 3 cleared while the others play. */
	eth_set(s.host, "active_track", 3);
	eth_set(s.host, "loop_clear", 1);
	block(&s);
	eth_set(s.host, "loop_clear", 0);
	block(&s);
	assert_int_equal(state_of(&s, 3), 0);
	assert_int_equal(state_of(&s, 1), 3);
	for (int b = 0; b < BAR / (int)BLOCK; ++b) {
		block(&s);
		assert_plays(&s, &dub, 1, "loop 3 cleared");
	}

	/* Saved, and restored in a fresh instance: the same samples. */
	char *end_dir = eth_temp_dir("story-end");
	assert_true(eth_save_state(s.host, end_dir));
	Story f;
	story_init(&f);
	assert_true(eth_restore_state(f.host, end_dir));
	f.frame = s.frame;
	block(&s);
	block(&f); /* fades in */
	for (int b = 0; b < 4 * BAR / (int)BLOCK; ++b) {
		block(&s);
		block(&f);
		assert_memory_equal(eth_audio(s.host, "out_l"),
				    eth_audio(f.host, "out_l"),
				    BLOCK * sizeof(float));
	}
	for (int t = 1; t <= 8; ++t)
		assert_true(state_of(&f, t) == state_of(&s, t));

	free_loop(&dub);
	free_loop(&undone);
	for (int t = 0; t < 3; ++t)
		free_loop(&loop[t]);
	eth_remove_dir(dir);
	eth_remove_dir(dub_dir);
	eth_remove_dir(undo_dir);
	eth_remove_dir(end_dir);
	assert_int_equal(eth_allocations_in_run(s.host), 0);
	eth_free(s.host);
	eth_free(f.host);
}

/* A new story with eight loops of one bar each, one per track, recorded in
 * turn, and its state saved into a new folder (*dir). */
static EthState *
eight_loops_saved(Story *s, char **dir)
{
	story_init(s);
	for (int t = 1; t <= 8; ++t)
		take(s, t, 1, (float)t);
	for (int t = 1; t <= 8; ++t)
		assert_int_equal(state_of(s, t), 3);
	*dir            = eth_temp_dir("eight");
	EthState *saved = eth_state_save(s->host, *dir);
	assert_non_null(saved);
	return saved;
}

/* Only one loop may record the one stereo input at a time. */
static void
assert_one_pass_at_most(Story *s)
{
	int passes = 0;
	for (int t = 1; t <= 8; ++t) {
		const float st = state_of(s, t);
		passes += st == 2.0f || st == 4.0f;
	}
	assert_true(passes <= 1);
}

/* Control notes flooded in one block: every track picked and armed, and
 * arm, undo, redo, clear and mute pads, hundreds of times in one block,
 * block after block.  Nothing crashes, at most one loop records, no note
 * is routed from the control channel, and the output stays finite. */
static void
a_flood_of_control_notes(void **state)
{
	(void)state;
	Story s;
	story_init(&s);
	eth_set(s.host, "control_channel", 16);
	eth_set(s.host, "loop_quantize", 0);
	eth_set(s.host, "loop_bars", 0);
	eth_set(s.host, "thru", 1);
	static const uint8_t pads[] = { 48, 51, 52, 50, 49, 48 };
	uint32_t             rng    = 12345;
	for (int b = 0; b < 400; ++b) {
		for (uint32_t i = 0; i < 300; ++i) {
			rng = rng * 1103515245u + 12345u;
			const uint8_t k =
			    (rng >> 16) % 2 ? (uint8_t)(36 + (rng >> 8) % 8)
					    : pads[(rng >> 20) % sizeof pads];
			eth_midi3(s.host, i * BLOCK / 300, 0x9F, k, 100);
		}
		block(&s);
		assert_one_pass_at_most(&s);
		for (size_t e = 0; e < eth_out_count(s.host); ++e)
			assert_int_not_equal(
			    eth_out(s.host, e)->bytes[0] & 0x0f, 15);
		const float *out = eth_audio(s.host, "out_l");
		for (uint32_t i = 0; i < BLOCK; ++i)
			assert_true(isfinite(out[i]));
	}
	assert_int_equal(eth_allocations_in_run(s.host), 0);
	eth_free(s.host);
}

typedef struct {
	EthHost        *host;
	const EthState *saved;
	int             rounds;
	int             failed;
} Restorer;

static void *
restore_again_and_again(void *arg)
{
	Restorer *r = arg;
	for (int i = 0; i < r->rounds; ++i)
		if (eth_state_restore(r->host, r->saved, NULL) != 0)
			r->failed++;
	return NULL;
}

/* Restores of eight loops in another thread while eight loops play (LV2
 * lets a host restore beside run()): run() swaps each restored set in
 * whole and never reads what a restore frees (ASan in make check
 * SANITIZE=1 would say); after the last one all eight loops play. */
static void
restores_beside_eight_playing_loops(void **state)
{
	(void)state;
	Story     s;
	char     *dir;
	EthState *saved = eight_loops_saved(&s, &dir);
	Restorer  r     = { s.host, saved, 60, 0 };
	pthread_t thread;
	assert_int_equal(
	    pthread_create(&thread, NULL, restore_again_and_again, &r), 0);
	for (int b = 0; b < 600; ++b) {
		block(&s);
		const float *out = eth_audio(s.host, "out_l");
		for (uint32_t i = 0; i < BLOCK; ++i)
			assert_true(isfinite(out[i]));
	}
	pthread_join(thread, NULL);
	assert_int_equal(r.failed, 0);
	for (int b = 0; b < 4; ++b)
		block(&s);
	for (int t = 1; t <= 8; ++t)
		assert_int_equal(state_of(&s, t), 3);
	eth_state_free(saved);
	eth_remove_dir(dir);
	eth_free(s.host);
}

/* What a state of eight loops may hold that is wrong, one loop at a time:
 * its file at another rate, a length beyond the pool, the path of another
 * loop's file.  Only that loop is touched: a wrong one is empty with one
 * log line naming its track, the others come back. */
static void
a_bad_loop_in_the_state_empties_that_loop_only(void **state)
{
	(void)state;
	Story     s;
	char     *dir;
	EthState *saved = eight_loops_saved(&s, &dir);

	/* Track 2's file at 44.1 kHz. */
	char path[4096];
	snprintf(path, sizeof path, "%s/loop2.wav", dir);
	float one[64] = { 0 };
	assert_int_equal(et_loopfile_write(path, one, one, 64, 44100),
			 ET_LOOPFILE_OK);
	/* Track 3 claims more frames than the pool can ever hold. */
	const int64_t huge = (int64_t)1 << 40;
	eth_state_set(saved, "urn:eighttrack:state#length3",
		      "http://lv2plug.in/ns/ext/atom#Long", 0, &huge,
		      sizeof huge);
	/* Track 4 names track 5's file (both come back, the same loop). */
	uint32_t    size;
	const char *type;
	uint32_t    flags;
	const void *p5 = eth_state_get(saved, "urn:eighttrack:state#loop5",
				       &size, &type, &flags);
	assert_non_null(p5);
	char *path5 = malloc(size);
	memcpy(path5, p5, size);
	eth_state_set(saved, "urn:eighttrack:state#loop4", type, flags, path5,
		      size);
	const unsigned lines = eth_log_lines(s.host);
	assert_int_equal(eth_state_restore(s.host, saved, NULL), 0);
	block(&s);
	assert_int_equal(state_of(&s, 2), 0);
	assert_int_equal(state_of(&s, 3), 0);
	for (int t = 1; t <= 8; ++t)
		if (t != 2 && t != 3)
			assert_int_equal(state_of(&s, t), 3);
	const char *log = eth_log_text(s.host);
	assert_non_null(strstr(log, "loop of track 2"));
	assert_non_null(strstr(log, "loop of track 3"));
	assert_int_equal(eth_log_lines(s.host), lines + 2);
	free(path5);
	eth_state_free(saved);
	eth_remove_dir(dir);
	eth_free(s.host);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(the_story_of_three_loops),
		cmocka_unit_test(a_flood_of_control_notes),
		cmocka_unit_test(restores_beside_eight_playing_loops),
		cmocka_unit_test(
		    a_bad_loop_in_the_state_empties_that_loop_only),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
