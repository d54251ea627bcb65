/* Undo and redo on a loop (looper.h), and the pool they share with the
 * other loops (recorders.h): an undone overdub gives the loop back bit for
 * bit, redo brings the pass back, a clear is a step, a new take drops what
 * was undone, at most ET_LOOPER_UNDO_STEPS are kept, a step costs only
 * what its pass changed, and a take that finds the pool full lets the
 * oldest undo step of any loop go instead of ending early.  Free-running
 * loops (no transport), quantize off, in 256-frame blocks. */
#include "clock.h"
#include "looper.h"
#include "recorders.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#define RATE  48000.0
#define BLOCK 256u
#define CHUNK ET_STORE_CHUNK_FRAMES

typedef struct {
	EtLooper        *l;
	EtClock          clk;
	EtLooperControls c;
	float            in_l[BLOCK], in_r[BLOCK], out_l[BLOCK], out_r[BLOCK];
	int64_t          wall;
	float            tag; /* the input: tag + wall / 2^20 */
} Rig;

static void
rig_init(Rig *r, uint32_t capacity)
{
	memset(r, 0, sizeof *r);
	r->l = et_looper_new(RATE, capacity);
	assert_non_null(r->l);
	et_clock_init(&r->clk, RATE);
	r->c          = et_looper_default_controls();
	r->c.quantize = ET_QUANTIZE_OFF;
	r->c.monitor  = false;
	r->tag        = 1.0f;
}

static void
blocks(Rig *r, unsigned n)
{
	for (unsigned b = 0; b < n; ++b) {
		for (uint32_t i = 0; i < BLOCK; ++i) {
			r->in_l[i] =
			    r->tag + (float)(r->wall + i) / 1048576.0f;
			r->in_r[i] = -r->in_l[i];
		}
		et_clock_begin_block(&r->clk, BLOCK);
		et_looper_set_controls(r->l, &r->c);
		et_looper_process(r->l, &r->clk, r->in_l, r->in_r, r->out_l,
				  r->out_r, 0, BLOCK);
		r->wall += BLOCK;
	}
}

/* A take (overdub off) or an overdub pass (on) of n blocks. */
static void
pass(Rig *r, bool overdub, unsigned n, float tag)
{
	r->tag       = tag;
	r->c.overdub = overdub;
	r->c.arm     = true;
	blocks(r, n);
	r->c.arm = false;
	blocks(r, 1);
	assert_int_equal(et_looper_state(r->l), ET_LOOP_PLAYING);
}

typedef struct {
	uint32_t length;
	float   *left, *right;
} Snapshot;

static Snapshot
snapshot(Rig *r)
{
	Snapshot   s = { 0, NULL, NULL };
	EtLoopView v;
	if (!et_looper_view(r->l, &v))
		return s;
	s.length = v.length;
	s.left   = malloc(sizeof(float) * v.length);
	s.right  = malloc(sizeof(float) * v.length);
	et_loop_view_copy(&v, s.left, s.right);
	return s;
}

static bool
same(const Snapshot *a, const Snapshot *b)
{
	return a->length == b->length &&
	       !memcmp(a->left, b->left, sizeof(float) * a->length) &&
	       !memcmp(a->right, b->right, sizeof(float) * a->length);
}

static void
snapshot_free(Snapshot *s)
{
	free(s->left);
	free(s->right);
}

static void
undo(Rig *r)
{
	et_looper_trigger_undo(r->l);
	blocks(r, 1);
}

static void
redo(Rig *r)
{
	et_looper_trigger_redo(r->l);
	blocks(r, 1);
}

static void
test_undo_and_redo_walk_the_takes_and_passes(void **state)
{
	(void)state;
	Rig r;
	rig_init(&r, 16 * CHUNK);
	pass(&r, false, 8, 1.0f);
	Snapshot take = snapshot(&r);
	pass(&r, true, 5, 2.0f);
	Snapshot dub = snapshot(&r);
	assert_false(same(&take, &dub));
	assert_int_equal(et_looper_undo_steps(r.l), 2);

	undo(&r); /* the overdub */
	Snapshot s = snapshot(&r);
	assert_true(same(&s, &take));
	snapshot_free(&s);
	assert_int_equal(et_looper_state(r.l), ET_LOOP_PLAYING);
	assert_int_equal(et_looper_redo_steps(r.l), 1);

	redo(&r);
	s = snapshot(&r);
	assert_true(same(&s, &dub));
	snapshot_free(&s);

	undo(&r);
	undo(&r); /* the first take: nothing left */
	assert_int_equal(et_looper_state(r.l), ET_LOOP_EMPTY);
	assert_int_equal(et_looper_length(r.l), 0);
	undo(&r); /* nothing to undo: refused, counted */
	assert_int_equal(et_looper_undo_refused(r.l), 1);
	assert_int_equal(et_looper_state(r.l), ET_LOOP_EMPTY);

	redo(&r);
	s = snapshot(&r);
	assert_true(same(&s, &take));
	snapshot_free(&s);
	redo(&r);
	s = snapshot(&r);
	assert_true(same(&s, &dub));
	snapshot_free(&s);
	redo(&r);
	assert_int_equal(et_looper_undo_refused(r.l), 2);

	/* Undo, then a new pass: what was undone cannot come back. */
	undo(&r);
	pass(&r, true, 2, 3.0f);
	assert_int_equal(et_looper_redo_steps(r.l), 0);
	redo(&r);
	assert_int_equal(et_looper_undo_refused(r.l), 3);
	undo(&r);
	s = snapshot(&r);
	assert_true(same(&s, &take));
	snapshot_free(&s);

	snapshot_free(&take);
	snapshot_free(&dub);
	et_looper_free(r.l);
}

/* A clear is a step; a take under way is given up by an undo. */
static void
test_a_clear_is_a_step_and_undo_gives_up_a_take(void **state)
{
	(void)state;
	Rig r;
	rig_init(&r, 16 * CHUNK);
	pass(&r, false, 6, 1.0f);
	Snapshot take = snapshot(&r);
	et_looper_trigger_clear(r.l);
	blocks(&r, 1);
	assert_int_equal(et_looper_state(r.l), ET_LOOP_EMPTY);
	undo(&r);
	Snapshot s = snapshot(&r);
	assert_true(same(&s, &take));
	snapshot_free(&s);

	/* A replacing take under way, undone: the loop it was replacing
	 * plays on, and the take's step is not there. */
	const uint32_t steps = et_looper_undo_steps(r.l);
	r.c.overdub          = false;
	r.c.arm              = true;
	r.tag                = 5.0f;
	blocks(&r, 3);
	assert_int_equal(et_looper_state(r.l), ET_LOOP_RECORDING);
	undo(&r);
	assert_int_equal(et_looper_state(r.l), ET_LOOP_PLAYING);
	s = snapshot(&r);
	assert_true(same(&s, &take));
	snapshot_free(&s);
	assert_int_equal(et_looper_undo_steps(r.l), steps); /* no step */
	snapshot_free(&take);
	et_looper_free(r.l);
}

/* Ten passes: the eight newest can be undone, the oldest are gone. */
static void
test_eight_steps_are_kept(void **state)
{
	(void)state;
	Rig r;
	rig_init(&r, 16 * CHUNK);
	pass(&r, false, 4, 1.0f);
	Snapshot after[11];
	after[0] = snapshot(&r);
	for (int p = 1; p <= 10; ++p) {
		pass(&r, true, 1, (float)(p + 1));
		after[p] = snapshot(&r);
	}
	assert_int_equal(et_looper_undo_steps(r.l), ET_LOOPER_UNDO_STEPS);
	for (int p = 9; p >= 10 - ET_LOOPER_UNDO_STEPS; --p) {
		undo(&r);
		Snapshot s = snapshot(&r);
		assert_true(same(&s, &after[p]));
		snapshot_free(&s);
	}
	undo(&r);
	assert_int_equal(et_looper_undo_refused(r.l), 1);
	for (int p = 0; p <= 10; ++p)
		snapshot_free(&after[p]);
	et_looper_free(r.l);
}

/* An overdub of one block on a loop of eight chunks: its undo step shares
 * the seven chunks the pass did not write. */
static void
test_a_step_costs_only_what_its_pass_changed(void **state)
{
	(void)state;
	Rig r;
	rig_init(&r, 8 * CHUNK);
	EtLoopStore *store = et_looper_store(r.l);
	r.c.arm            = true;
	r.c.overdub        = false;
	blocks(&r, 8 * CHUNK / BLOCK);
	r.c.arm = false;
	blocks(&r, 1);
	const uint32_t free_before = et_store_free_chunks(store);
	pass(&r, true, 1, 2.0f); /* one block: within at most two chunks */
	const uint32_t used = free_before - et_store_free_chunks(store);
	assert_true(used >= 1 && used <= 2);
	et_looper_free(r.l);
}

/* Two loops in a pool of 12 chunks.  Loop 1: a take of 4 chunks and a
 * pass over all of it (its undo step holds the 4 old chunks: 8 in use).
 * Loop 2's take of 5 chunks finds 4 free: the oldest undo step (loop 1's)
 * goes, and the take is whole. */
static void
test_a_full_pool_lets_the_oldest_undo_step_go(void **state)
{
	(void)state;
	EtRecorders *rec =
	    et_recorders_new(RATE, 12 * CHUNK, 12 * CHUNK, 12 * CHUNK);
	assert_non_null(rec);
	EtClock clk;
	et_clock_init(&clk, RATE);
	EtRecorderControls c = et_recorders_default_controls();
	c.loop.quantize      = ET_QUANTIZE_OFF;
	c.loop.monitor       = false;
	float in_l[BLOCK], in_r[BLOCK], out_l[BLOCK], out_r[BLOCK];
	for (uint32_t i = 0; i < BLOCK; ++i)
		in_l[i] = in_r[i] = 0.25f;
	const struct {
		uint8_t  track;
		bool     overdub;
		unsigned blocks;
	} steps[] = { { 0, false, 4 * CHUNK / BLOCK },
		      { 0, true, 4 * CHUNK / BLOCK + 2 },
		      { 1, false, 5 * CHUNK / BLOCK } };
	for (size_t s = 0; s < sizeof steps / sizeof *steps; ++s) {
		c.active       = steps[s].track;
		c.loop.overdub = steps[s].overdub;
		for (unsigned b = 0; b <= steps[s].blocks; ++b) {
			c.loop.arm = b < steps[s].blocks;
			et_clock_begin_block(&clk, BLOCK);
			et_recorders_set_controls(rec, &c);
			et_recorders_process(rec, &clk, in_l, in_r, out_l,
					     out_r, 0, BLOCK);
		}
	}
	EtLooper *one = et_recorders_loop(rec, 0),
		 *two = et_recorders_loop(rec, 1);
	assert_int_equal(et_looper_state(two), ET_LOOP_PLAYING);
	assert_int_equal(et_looper_length(two), 5 * CHUNK);
	assert_int_equal(et_recorders_pool_full(rec), 0);
	assert_int_equal(et_looper_state(one), ET_LOOP_PLAYING);
	/* Loop 1's undo steps went first (its take's "empty" step, then the
	 * loop before the pass); loop 2's own stays. */
	assert_int_equal(et_looper_undo_steps(one), 0);
	assert_int_equal(et_looper_undo_steps(two), 1);
	et_recorders_free(rec);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_undo_and_redo_walk_the_takes_and_passes),
		cmocka_unit_test(
		    test_a_clear_is_a_step_and_undo_gives_up_a_take),
		cmocka_unit_test(test_eight_steps_are_kept),
		cmocka_unit_test(test_a_step_costs_only_what_its_pass_changed),
		cmocka_unit_test(
		    test_a_full_pool_lets_the_oldest_undo_step_go),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
