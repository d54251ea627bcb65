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

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(the_story_of_three_loops),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
