/* The looper against its per-frame reference (looper_ref.c): the same
 * session, block for block, must give the same output samples, bit for
 * bit, and the same state, length, position and loop buffer.
 *
 * The block kernels in looper.c take the frames between seams, ramps and
 * quantize points in one go, so the sessions here put those events on the
 * first and last frame of blocks, in blocks of 1 frame, across block
 * boundaries, split by positions inside a block, in place and not: short
 * loops at 8 kHz and 240 BPM (a bar is 8000 frames, the ramp 32) so that
 * a run crosses hundreds of seams. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <float.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "clock.h"
#include "looper.h"
#include "looper_private.h" /* et_looper_use_generic_kernels */
#include "looper_ref.h"
#include "test_transport.h"

#define MAX_BLOCK 8192

typedef struct {
	double           rate, bpm, beats_per_bar;
	EtClock          clk;
	EtLooper        *lp;
	RefLooper       *ref;
	EtLooperControls ctl;
	bool             rolling;
	int64_t          tf; /* transport frame of the next frame */
	int64_t          wall;
	bool             in_place;
	uint32_t         rng;
	float            in_l[MAX_BLOCK], in_r[MAX_BLOCK];
	float            a_l[MAX_BLOCK], a_r[MAX_BLOCK]; /* looper.c */
	float            b_l[MAX_BLOCK], b_r[MAX_BLOCK]; /* looper_ref.c */
} Pair;

static unsigned
next_rand(Pair *p)
{
	return et_test_rand(&p->rng);
}

static Pair *
pair_new(double rate, double bpm, uint32_t capacity, unsigned seed)
{
	Pair *p = calloc(1, sizeof *p);
	assert_non_null(p);
	p->rate          = rate;
	p->bpm           = bpm;
	p->beats_per_bar = 4.0;
	et_clock_init(&p->clk, rate);
	p->lp  = et_looper_new(rate, capacity);
	p->ref = ref_looper_new(rate, capacity);
	assert_non_null(p->lp);
	assert_non_null(p->ref);
	p->ctl = et_looper_default_controls();
	p->rng = seed;
	return p;
}

static void
pair_free(Pair *p)
{
	et_looper_free(p->lp);
	ref_looper_free(p->ref);
	free(p);
}

static EtPosition
position(const Pair *p)
{
	return et_test_position_at(p->tf, p->rolling, p->rate, p->bpm,
				   p->beats_per_bar);
}

/* Input: mostly a signal, sometimes exact zeros of both signs, and now and
 * then what a loop must not hold (NaN, infinities, too loud, denormal). */
static float
input(Pair *p, int64_t wall, int channel)
{
	static const float poison[] = { NAN,    INFINITY, -INFINITY, 1e30f,
					-16.5f, 1e-40f,   -1e-41f,   16.0f,
					-16.0f, FLT_MIN };
	const unsigned     r        = next_rand(p);
	if (r % 61 == 0)
		return r & 1 ? 0.0f : -0.0f;
	if (r % 499 == 1)
		return poison[(r >> 9) % (sizeof poison / sizeof *poison)];
	return (float)((wall * (channel ? 7 : 3)) % 2001 - 1000) / 1024.0f;
}

static void
assert_same_state(const Pair *p, const char *where)
{
	if (et_looper_rejected(p->lp) != ref_looper_rejected(p->ref) ||
	    et_looper_denormals(p->lp) != ref_looper_denormals(p->ref) ||
	    et_looper_state(p->lp) != ref_looper_state(p->ref) ||
	    et_looper_length(p->lp) != ref_looper_length(p->ref) ||
	    et_looper_position(p->lp) != ref_looper_position(p->ref))
		fail_msg("%s, wall %lld: state %d/%d length %u/%u position "
			 "%.17g/%.17g",
			 where, (long long)p->wall, et_looper_state(p->lp),
			 ref_looper_state(p->ref), et_looper_length(p->lp),
			 ref_looper_length(p->ref), et_looper_position(p->lp),
			 ref_looper_position(p->ref));
}

/* Renders [from, to) of the block in both. */
static void
span(Pair *p, uint32_t from, uint32_t to)
{
	if (to <= from)
		return;
	float *al = p->a_l, *ar = p->a_r, *bl = p->b_l, *br = p->b_r;
	if (p->in_place) { /* each gets its own copy of the input */
		memcpy(al + from, p->in_l + from, (to - from) * sizeof(float));
		memcpy(ar + from, p->in_r + from, (to - from) * sizeof(float));
		memcpy(bl + from, p->in_l + from, (to - from) * sizeof(float));
		memcpy(br + from, p->in_r + from, (to - from) * sizeof(float));
		et_looper_process(p->lp, &p->clk, al, ar, al, ar, from,
				  to - from);
		ref_looper_process(p->ref, &p->clk, bl, br, bl, br, from,
				   to - from);
	} else {
		et_looper_process(p->lp, &p->clk, p->in_l, p->in_r, al, ar,
				  from, to - from);
		ref_looper_process(p->ref, &p->clk, p->in_l, p->in_r, bl, br,
				   from, to - from);
	}
	for (uint32_t i = from; i < to; ++i) {
		if (memcmp(&al[i], &bl[i], sizeof(float)) ||
		    memcmp(&ar[i], &br[i], sizeof(float)))
			fail_msg("wall %lld (block frame %u, state %d): "
				 "%a %a, reference %a %a",
				 (long long)(p->wall + (i - from)), i,
				 et_looper_state(p->lp), (double)al[i],
				 (double)ar[i], (double)bl[i], (double)br[i]);
	}
	p->wall += to - from;
	if (p->rolling)
		p->tf += to - from;
}

/* One block of n frames; cut > 0 puts a position at that block frame,
 * which locates to jump_to if that is >= 0. */
static void
block(Pair *p, uint32_t n, uint32_t cut, int64_t jump_to)
{
	assert_true(n >= 1 && n <= MAX_BLOCK);
	for (uint32_t i = 0; i < n; ++i) {
		p->in_l[i] = input(p, p->wall + i, 0);
		p->in_r[i] = input(p, p->wall + i, 1);
	}
	et_clock_begin_block(&p->clk, n);
	et_looper_set_controls(p->lp, &p->ctl);
	ref_looper_set_controls(p->ref, &p->ctl);
	if (cut > 0 && cut < n) {
		span(p, 0, cut);
		if (jump_to >= 0)
			p->tf = jump_to;
		const EtPosition pos = position(p);
		et_clock_apply(&p->clk, cut, &pos);
		span(p, cut, n);
	} else {
		span(p, 0, n);
	}
	assert_same_state(p, "after a block");
}

static void
blocks(Pair *p, int64_t frames, uint32_t n)
{
	for (int64_t done = 0; done < frames; done += n)
		block(p, n, 0, -1);
}

static void
start_transport(Pair *p, int64_t tf)
{
	p->rolling           = true;
	p->tf                = tf;
	const EtPosition pos = position(p);
	et_clock_begin_block(&p->clk, 0);
	et_clock_apply(&p->clk, 0, &pos);
}

static void
assert_same_loop(const Pair *p)
{
	EtLoopView a, b;
	const bool has_a = et_looper_view(p->lp, &a);
	assert_int_equal(has_a, ref_looper_view(p->ref, &b));
	if (!has_a)
		return;
	assert_int_equal(a.length, b.length);
	assert_int_equal(a.anchored, b.anchored);
	assert_true(a.start_frame == b.start_frame);
	assert_true(memcmp(&a.exact_length, &b.exact_length, sizeof(double)) ==
		    0);
	/* Both are versions in a store, read the same way. */
	float *al = malloc(4 * sizeof(float) * a.length);
	assert_non_null(al);
	float *ar = al + a.length, *bl = ar + a.length, *br = bl + a.length;
	et_loop_view_copy(&a, al, ar);
	et_loop_view_copy(&b, bl, br);
	assert_true(memcmp(al, bl, a.length * sizeof(float)) == 0);
	assert_true(memcmp(ar, br, a.length * sizeof(float)) == 0);
	free(al);
}

/* ---- scripted sessions at fixed block sizes ----------------------------*/

/* A take of one bar (8000 frames, quantize bar), played, overdubbed for a
 * bar, muted and unmuted, level changed, cleared, with the transport
 * stopped and located: in blocks of n.  With n dividing 8000 every seam
 * and quantize point is a block's first frame; with n = 1 every frame is
 * its own block; 7999, 8001 and 127 walk them across the block. */
static void
scripted(uint32_t n, bool in_place)
{
	Pair *p     = pair_new(8000.0, 240.0, 8000 * 30, 1u);
	p->in_place = in_place;
	start_transport(p, 0);
	p->ctl.bars = 1;
	blocks(p, 3000, n);
	p->ctl.arm = true; /* starts at 8000, ends by itself at 16000 */
	blocks(p, 20000, n);
	p->ctl.arm = false;
	blocks(p, 9000, n);
	assert_int_equal(et_looper_state(p->lp), ET_LOOP_PLAYING);
	p->ctl.arm = true; /* overdub for a bar from the next one */
	blocks(p, 20000, n);
	p->ctl.arm  = false;
	p->ctl.mute = true;
	blocks(p, 5000, n);
	p->ctl.mute     = false;
	p->ctl.level_db = -6.0f;
	blocks(p, 5000, n);
	p->ctl.monitor  = false;
	p->ctl.level_db = 3.0f;
	blocks(p, 9000, n);
	block(p, n, n / 2, 123457); /* a locate inside a block */
	blocks(p, 9000, n);
	p->rolling = false; /* stop */
	block(p, n, n > 1 ? 1 : 0, -1);
	blocks(p, 3000, n);
	p->rolling = true;
	block(p, n, n > 2 ? n - 1 : 0, 200000);
	blocks(p, 9000, n);
	assert_same_loop(p);
	p->ctl.overdub  = false; /* replace the loop with a free take */
	p->ctl.quantize = ET_QUANTIZE_OFF;
	p->ctl.bars     = 0;
	p->ctl.arm      = true;
	blocks(p, 3001, n);
	p->ctl.arm = false;
	blocks(p, 9000, n);
	assert_same_loop(p);
	p->ctl.clear = true;
	blocks(p, 100, n);
	p->ctl.clear = false;
	blocks(p, 1000, n);
	assert_int_equal(et_looper_state(p->lp), ET_LOOP_EMPTY);
	pair_free(p);
}

static void
test_blocks_dividing_the_bar(void **state)
{
	(void)state;
	scripted(1000, false);
	scripted(32, true);
	scripted(8000, false);
}

static void
test_blocks_across_the_bar(void **state)
{
	(void)state;
	scripted(127, false);
	scripted(7999, true);
	scripted(8001, false);
	scripted(33, false);
}

static void
test_blocks_of_one_frame(void **state)
{
	(void)state;
	scripted(1, false);
	scripted(1, true);
}

/* Tiny loops (a few frames, shorter than four ramps) recorded and
 * overdubbed with quantize off, free running, in odd blocks. */
static void
test_tiny_free_loops(void **state)
{
	(void)state;
	for (uint32_t len = 1; len <= 140; len += 13) {
		for (uint32_t n = 1; n <= 9; n += 4) {
			Pair *p =
			    pair_new(8000.0, 240.0, 8000 * 4, len * 31 + n);
			p->ctl.quantize = ET_QUANTIZE_OFF;
			p->ctl.arm      = true;
			blocks(p, len, n > len ? len : n);
			p->ctl.arm = false;
			blocks(p, 500, n);
			p->ctl.arm = true; /* overdub */
			blocks(p, 300, n);
			p->ctl.arm  = false;
			p->ctl.mute = true;
			blocks(p, 50, n);
			p->ctl.mute = false;
			blocks(p, 400, n);
			assert_same_loop(p);
			pair_free(p);
		}
	}
}

/* ---- random sessions ---------------------------------------------------*/

static uint32_t
random_block(Pair *p)
{
	static const uint32_t sizes[] = { 1,   2,    3,    7,    8,    9,
					  31,  32,   33,   64,   255,  256,
					  257, 1000, 1023, 1024, 1025, 2048 };
	const unsigned        r       = next_rand(p);
	if (r % 4 == 0)
		return 1 + next_rand(p) % MAX_BLOCK;
	return sizes[r % (sizeof sizes / sizeof sizes[0])];
}

/* lagged: the round-trip lag changes now and then (up to its 500 ms). */
static void
random_session(unsigned seed, double bpm, bool in_place, bool lagged)
{
	Pair *p     = pair_new(8000.0, bpm, 8000 * 20, seed);
	p->in_place = in_place;
	start_transport(p, (int64_t)(next_rand(p) % 20000));
	while (p->wall < 400000) {
		const unsigned r = next_rand(p) % 1000;
		if (r < 40)
			p->ctl.arm = !p->ctl.arm;
		else if (r < 55)
			p->ctl.mute = !p->ctl.mute;
		else if (r < 60)
			p->ctl.clear = true;
		else if (r < 80)
			p->ctl.clear = false;
		else if (r < 90)
			p->ctl.overdub = !p->ctl.overdub;
		else if (r < 100)
			p->ctl.quantize = (EtQuantize)(next_rand(p) % 3);
		else if (r < 110)
			p->ctl.bars = next_rand(p) % 3;
		else if (r < 125) {
			static const float levels[] = { 0.0f,   -6.0f, 3.0f,
							-60.0f, 6.0f,  -0.5f };
			p->ctl.level_db             = levels[next_rand(p) % 6];
		} else if (r < 135) {
			p->ctl.monitor = !p->ctl.monitor;
		} else if (r < 150 && lagged) {
			const uint32_t lag = next_rand(p) % 4200;
			et_looper_set_lag(p->lp, lag);
			ref_looper_set_lag(p->ref, lag);
		}
		const uint32_t n    = random_block(p);
		uint32_t       cut  = 0;
		int64_t        jump = -1;
		const unsigned t    = next_rand(p) % 100;
		if (t < 10 && n > 1) { /* a position inside the block */
			cut = 1 + next_rand(p) % (n - 1);
			if (t < 2)
				jump = (int64_t)(next_rand(p) % 50000);
			else if (t < 3)
				p->rolling = !p->rolling;
			else if (t < 4)
				p->bpm = 180.0 + (double)(next_rand(p) % 120);
		}
		block(p, n, cut, jump);
	}
	assert_same_loop(p);
	pair_free(p);
}

static void
test_random_sessions(void **state)
{
	(void)state;
	for (unsigned seed = 1; seed <= 12; ++seed) {
		/* 240 BPM: whole-frame bars; 127: the seam absorbs a frame. */
		random_session(seed, seed % 2 ? 240.0 : 127.0, seed % 3 == 0,
			       false);
	}
}

/* The same with a round-trip lag: the lagging writer (looper.h) is one
 * code path in both builds, but what it writes is played by both. */
static void
test_random_lagged_sessions(void **state)
{
	(void)state;
	for (unsigned seed = 101; seed <= 112; ++seed)
		random_session(seed, seed % 2 ? 240.0 : 127.0, seed % 3 == 0,
			       true);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_blocks_dividing_the_bar),
		cmocka_unit_test(test_blocks_across_the_bar),
		cmocka_unit_test(test_blocks_of_one_frame),
		cmocka_unit_test(test_tiny_free_loops),
		cmocka_unit_test(test_random_sessions),
		cmocka_unit_test(test_random_lagged_sessions),
	};
	/* The kernels this CPU runs (AVX2 on most x86-64), then the generic
	 * (SSE) build: both must match the per-frame build bit for bit. */
	int failed = cmocka_run_group_tests(tests, NULL, NULL);
	et_looper_use_generic_kernels(true);
	failed += cmocka_run_group_tests(tests, NULL, NULL);
	return failed;
}
