/* The loop store on its own: versions that share chunks until one is
 * written (copy on write), a pass that writes into its own version while
 * the version it started from stays as it was, chunks counted back to the
 * pool exactly once, and a pinned version that run() never changes or
 * reuses while a save reads it. */
#include "loopstore.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#define CHUNK ET_STORE_CHUNK_FRAMES

/* The value frame k of a version "tagged" t holds: exact in a float. */
static float
tagged(uint32_t t, uint32_t k, int channel)
{
	return (float)t + (float)(k % 1024) / 1024.0f +
	       (channel ? 0.5f : 0.0f) / 1024.0f;
}

/* Writes frames [from, to) of v with tag t (as a take or pass writes),
 * all of them or fails the test. */
static void
fill(EtLoopStore *s, EtVersion v, uint32_t from, uint32_t to, uint32_t t)
{
	for (uint32_t k = from; k < to;) {
		const float   *sl, *sr;
		float         *dl, *dr;
		const uint32_t n =
		    et_store_write(s, v, k, to - k, &sl, &sr, &dl, &dr);
		assert_true(n > 0);
		for (uint32_t i = 0; i < n; ++i) {
			dl[i] = tagged(t, k + i, 0);
			dr[i] = tagged(t, k + i, 1);
		}
		k += n;
	}
}

/* Frame k of v, read as run() or a save reads it. */
static float
frame_of(const EtLoopStore *s, EtVersion v, uint32_t k, int channel)
{
	const float *l, *r;
	assert_true(et_store_read(s, v, k, &l, &r) > 0);
	return channel ? *r : *l;
}

/* Frames [from, to) of v carry tag t. */
static void
assert_tagged(const EtLoopStore *s, EtVersion v, uint32_t from, uint32_t to,
	      uint32_t t)
{
	for (uint32_t k = from; k < to; ++k) {
		if (frame_of(s, v, k, 0) != tagged(t, k, 0) ||
		    frame_of(s, v, k, 1) != tagged(t, k, 1)) {
			fail_msg("frame %u: %g, expected tag %u (%g)", k,
				 (double)frame_of(s, v, k, 0), t,
				 (double)tagged(t, k, 0));
		}
	}
}

/* A pass over part of a loop (starting and ending mid-chunk, skipping a
 * few frames as a dropout does) writes only its own version: the base
 * stays as it was, the pass's version holds the base outside what the
 * pass wrote, and reads between the writes see the same. */
static void
test_a_pass_writes_its_own_version(void **state)
{
	(void)state;
	const uint32_t length = 5 * CHUNK + 100;
	EtLoopStore   *s = et_store_new(length, 4 * length, 4 * length, 1);
	assert_non_null(s);
	const uint32_t all = et_store_free_chunks(s);

	const EtVersion base = et_store_begin(s);
	fill(s, base, 0, length, 1);
	et_store_place(s, base)->length = length;
	et_store_publish(s, 0, base);
	const uint32_t used_by_base = all - et_store_free_chunks(s);
	assert_int_equal(used_by_base, 6);

	const EtVersion pass = et_store_fork(s, base);
	assert_int_equal(et_store_place(s, pass)->length, length);
	assert_int_equal(et_store_free_chunks(s), all - used_by_base);
	const uint32_t a = CHUNK + 1000, gap = CHUNK + 2000,
		       resume = CHUNK + 2100;
	const uint32_t b      = 3 * CHUNK + 17;
	fill(s, pass, a, gap, 2);
	/* Mid-copy: what is written reads new, the rest of the chunk old. */
	assert_tagged(s, pass, CHUNK, a, 1);
	assert_tagged(s, pass, a, gap, 2);
	assert_tagged(s, pass, gap, 2 * CHUNK, 1);
	fill(s, pass, resume, b, 2);
	et_store_settle(s, pass);

	assert_tagged(s, base, 0, length, 1);
	assert_tagged(s, pass, 0, a, 1);
	assert_tagged(s, pass, a, gap, 2);
	assert_tagged(s, pass, gap, resume, 1);
	assert_tagged(s, pass, resume, b, 2);
	assert_tagged(s, pass, b, length, 1);
	/* Three chunks were copied (1, 2, 3); the rest are shared. */
	assert_int_equal(all - et_store_free_chunks(s), used_by_base + 3);

	/* A second pass over the pass's own chunks writes in place. */
	et_store_publish(s, 0, pass);
	et_store_drop(s, base);
	et_store_drop(s, pass);
	assert_int_equal(all - et_store_free_chunks(s), 6);
	assert_tagged(s, pass, b, length, 1);

	/* Nothing held: every chunk is back, once. */
	et_store_publish(s, 0, ET_NO_VERSION);
	assert_int_equal(et_store_free_chunks(s), all);
	et_store_free(s);
}

/* A loop shorter than a chunk: a pass that wraps round to its start
 * finishes the copy first, then writes in place. */
static void
test_a_pass_wraps_round_a_short_loop(void **state)
{
	(void)state;
	const uint32_t length = 1000;
	EtLoopStore   *s      = et_store_new(CHUNK, 4 * CHUNK, 4 * CHUNK, 1);
	assert_non_null(s);
	const EtVersion base = et_store_begin(s);
	fill(s, base, 0, length, 1);
	const EtVersion pass = et_store_fork(s, base);
	fill(s, pass, 600, length, 2);
	fill(s, pass, 0, 300, 3);
	assert_tagged(s, pass, 0, 300, 3);
	assert_tagged(s, pass, 300, 600, 1);
	assert_tagged(s, pass, 600, length, 2);
	assert_tagged(s, base, 0, length, 1);
	et_store_drop(s, base);
	et_store_drop(s, pass);
	assert_int_equal(et_store_free_chunks(s), 4);
	et_store_free(s);
}

/* A save pins the published version: run() may publish another and let
 * the old one go, but its chunks are neither written nor given to a new
 * take until the save unpins it and run() collects. */
static void
test_a_pinned_version_outlives_its_release(void **state)
{
	(void)state;
	const uint32_t length = 2 * CHUNK;
	EtLoopStore   *s = et_store_new(length, 3 * length, 3 * length, 1);
	assert_non_null(s);
	const EtVersion a = et_store_begin(s);
	fill(s, a, 0, length, 1);
	et_store_publish(s, 0, a);
	assert_int_equal(et_store_pin(s, 0), a);

	/* run(): a replacing take, complete, published; the old loop let go.
	 */
	const EtVersion b = et_store_begin(s);
	fill(s, b, 0, length, 2);
	et_store_publish(s, 0, b);
	et_store_drop(s, a);
	et_store_collect(s);
	/* Two takes' chunks in use, two free: a third take gets only those. */
	assert_int_equal(et_store_free_chunks(s), 2);
	const EtVersion c = et_store_begin(s);
	assert_int_equal(et_store_room(s, c, 0), 2 * CHUNK);
	fill(s, c, 0, length, 3);
	const float *sl, *sr;
	float       *dl, *dr;
	assert_int_equal(et_store_write(s, c, length, 1, &sl, &sr, &dl, &dr),
			 0);
	assert_int_equal(et_store_room(s, c, length), 0);
	assert_tagged(s, a, 0, length, 1); /* what the save reads */

	et_store_unpin(s, 0);
	assert_int_equal(et_store_free_chunks(s), 0);
	et_store_collect(s);
	assert_int_equal(et_store_free_chunks(s), 2);
	/* The pin is the published version, always. */
	assert_int_equal(et_store_pin(s, 0), b);
	et_store_unpin(s, 0);
	et_store_drop(s, b);
	et_store_drop(s, c);
	et_store_publish(s, 0, ET_NO_VERSION);
	assert_int_equal(et_store_free_chunks(s), 6);
	et_store_free(s);
}

/* A pass cannot copy a shared chunk when the pool is full: the write
 * says so and changes nothing. */
static void
test_a_full_pool_refuses_a_copy(void **state)
{
	(void)state;
	EtLoopStore *s = et_store_new(2 * CHUNK, 2 * CHUNK, 2 * CHUNK, 1);
	assert_non_null(s);
	const EtVersion base = et_store_begin(s);
	fill(s, base, 0, 2 * CHUNK, 1);
	const EtVersion pass = et_store_fork(s, base);
	const float    *sl, *sr;
	float          *dl, *dr;
	assert_int_equal(et_store_write(s, pass, 10, 5, &sl, &sr, &dl, &dr),
			 0);
	assert_tagged(s, pass, 0, 2 * CHUNK, 1);
	/* Beyond the longest loop: refused too. */
	assert_int_equal(
	    et_store_write(s, base, 2 * CHUNK, 1, &sl, &sr, &dl, &dr), 0);
	et_store_drop(s, pass);
	et_store_drop(s, base);
	assert_int_equal(et_store_free_chunks(s), 2);
	et_store_free(s);
}

/* Slots run out rather than overflow; a chunk never written reads as 0. */
static void
test_slots_and_silence(void **state)
{
	(void)state;
	EtLoopStore *s = et_store_new(CHUNK, CHUNK, CHUNK, 1);
	assert_non_null(s);
	EtVersion v[ET_STORE_VERSIONS];
	for (int i = 0; i < ET_STORE_VERSIONS; ++i) {
		v[i] = et_store_begin(s);
		assert_true(v[i] != ET_NO_VERSION);
	}
	assert_int_equal(et_store_begin(s), ET_NO_VERSION);
	assert_true(frame_of(s, v[0], 7, 0) == 0.0f);
	const uint32_t serial = et_store_serial(s, v[3]);
	et_store_drop(s, v[3]);
	assert_int_equal(et_store_begin(s), v[3]);
	assert_true(et_store_serial(s, v[3]) != serial);
	for (int i = 0; i < ET_STORE_VERSIONS; ++i) {
		et_store_drop(s, v[i]);
	}
	assert_null(et_store_new(0, CHUNK, CHUNK, 1));
	assert_null(et_store_new(CHUNK, 0, CHUNK, 1));
	et_store_free(s);
}

/* et_store_chunk_rest(k) frames from the pointers a read or a write
 * gives for frame k are that chunk's samples, side by side (the kernels
 * read ahead that far), in a written version and in silence alike. */
static void
test_the_rest_of_a_chunk_is_in_one_place(void **state)
{
	(void)state;
	EtLoopStore *s = et_store_new(3 * CHUNK, 4 * CHUNK, 4 * CHUNK, 1);
	assert_non_null(s);
	const EtVersion written = et_store_begin(s);
	const EtVersion silent  = et_store_begin(s);
	fill(s, written, 0, 3 * CHUNK, 1);
	static const uint32_t at[] = { 0,         1,
				       CHUNK - 1, CHUNK,
				       CHUNK + 5, 2 * CHUNK - 1,
				       2 * CHUNK, 3 * CHUNK - 2 };
	for (size_t i = 0; i < sizeof(at) / sizeof(at[0]); ++i) {
		const uint32_t k    = at[i];
		const uint32_t rest = et_store_chunk_rest(k);
		assert_true(rest >= 1 && rest <= CHUNK);
		assert_int_equal((k + rest) % CHUNK, 0);
		const EtVersion vs[] = { written, silent };
		for (int w = 0; w < 2; ++w) {
			const float *l, *r, *last_l, *last_r;
			assert_int_equal(et_store_read(s, vs[w], k, &l, &r),
					 rest);
			et_store_read(s, vs[w], k + rest - 1, &last_l,
				      &last_r);
			assert_ptr_equal(last_l, l + rest - 1);
			assert_ptr_equal(last_r, r + rest - 1);
		}
		const float *sl, *sr;
		float       *dl, *dr;
		assert_int_equal(
		    et_store_write(s, written, k, CHUNK, &sl, &sr, &dl, &dr),
		    rest);
	}
	et_store_drop(s, written);
	et_store_drop(s, silent);
	et_store_free(s);
}

/* The pool grows: it starts with the first segment, asks for more when
 * half a segment is left (once, until answered), takes a segment made
 * elsewhere, stops at its limit, and refuses one that would pass it.  A
 * take writes across segments and reads back whole. */
static void
test_the_pool_grows_to_its_limit(void **state)
{
	(void)state;
	/* Longest loop 7 chunks; first 2 chunks; limit 5. */
	EtLoopStore *s = et_store_new(7 * CHUNK, 2 * CHUNK, 5 * CHUNK, 1);
	assert_non_null(s);
	assert_int_equal(et_store_chunk_count(s), 2);
	assert_int_equal(et_store_bytes(s), 2u * 2u * CHUNK * sizeof(float));
	assert_int_equal(et_store_request(s), 0); /* two free: enough */
	const EtVersion take = et_store_begin(s);
	fill(s, take, 0, CHUNK + 1, 1);
	assert_int_equal(et_store_free_chunks(s), 0);
	assert_int_equal(et_store_room(s, take, CHUNK + 1), CHUNK - 1);
	assert_int_equal(et_store_request(s), 2); /* a segment's worth */
	assert_int_equal(et_store_request(s), 0); /* already asked */
	et_store_request_failed(s);
	assert_int_equal(et_store_request(s), 2); /* may ask again */

	EtStoreSegment *g = et_store_segment_new(2);
	assert_non_null(g);
	assert_null(et_store_adopt(s, g));
	assert_int_equal(et_store_chunk_count(s), 4);
	assert_int_equal(et_store_free_chunks(s), 2);
	fill(s, take, CHUNK + 1, 3 * CHUNK + 5, 1);
	assert_int_equal(et_store_request(s), 1); /* one left to the limit */
	/* A segment bigger than what is left under the limit (one made for
	 * another store) is handed back untouched. */
	EtStoreSegment *big = et_store_segment_new(2);
	assert_ptr_equal(et_store_adopt(s, big), big);
	et_store_segment_free(big);
	assert_null(et_store_adopt(s, et_store_segment_new(1)));
	assert_int_equal(et_store_chunk_count(s), 5);
	assert_int_equal(et_store_request(s), 0); /* at the limit */
	fill(s, take, 3 * CHUNK + 5, 5 * CHUNK, 1);
	assert_int_equal(et_store_room(s, take, 5 * CHUNK), 0);
	assert_tagged(s, take, 0, 5 * CHUNK, 1);
	assert_false(et_store_grow(s)); /* nothing left to grow */
	assert_int_equal(et_store_bytes(s), 5u * 2u * CHUNK * sizeof(float));
	et_store_drop(s, take);
	assert_int_equal(et_store_free_chunks(s), 5);
	et_store_free(s);

	/* Growing at once (a load before run() has the store). */
	s = et_store_new(4 * CHUNK, CHUNK, 4 * CHUNK, 1);
	assert_true(et_store_grow(s));
	assert_int_equal(et_store_chunk_count(s), 2);
	assert_null(
	    et_store_new(CHUNK, 2 * CHUNK, CHUNK, 1)); /* limit < first */
	et_store_free(s);
}

/* Loops of one store share its chunks and version slots, but each has its
 * own published version and pin: a save pinning loop 1 keeps loop 1's old
 * version alive, not loop 0's, and a take on either loop draws on the one
 * pool. */
static void
test_loops_share_the_pool_and_publish_apart(void **state)
{
	(void)state;
	const uint32_t length = CHUNK;
	EtLoopStore   *s = et_store_new(4 * CHUNK, 4 * CHUNK, 4 * CHUNK, 2);
	assert_non_null(s);
	assert_int_equal(et_store_loops(s), 2);
	const EtVersion a = et_store_begin(s), b = et_store_begin(s);
	fill(s, a, 0, length, 1);
	fill(s, b, 0, length, 2);
	et_store_publish(s, 0, a);
	et_store_publish(s, 1, b);
	et_store_drop(s, a);
	et_store_drop(s, b);
	assert_int_equal(et_store_published(s, 0), a);
	assert_int_equal(et_store_published(s, 1), b);
	assert_int_equal(et_store_free_chunks(s), 2);

	assert_int_equal(et_store_pin(s, 1), b);
	/* Both loops replaced: loop 0's old take goes back at once, loop 1's
	 * (pinned) only after the save unpins it. */
	const EtVersion c = et_store_begin(s), d = et_store_begin(s);
	fill(s, c, 0, length, 3);
	fill(s, d, 0, length, 4);
	assert_int_equal(et_store_free_chunks(s), 0);
	et_store_publish(s, 0, c);
	et_store_publish(s, 1, d);
	et_store_drop(s, c);
	et_store_drop(s, d);
	et_store_collect(s);
	assert_int_equal(et_store_free_chunks(s), 1);
	assert_tagged(s, b, 0, length, 2);
	et_store_unpin(s, 1);
	et_store_collect(s);
	assert_int_equal(et_store_free_chunks(s), 2);
	assert_int_equal(et_store_pin(s, 0), c);
	assert_int_equal(et_store_pin(s, 1), d);
	et_store_unpin(s, 0);
	et_store_unpin(s, 1);
	/* Slots are shared: two loops have 2 * ET_STORE_VERSIONS. */
	EtVersion v[2 * ET_STORE_VERSIONS];
	int       n = 0;
	while ((v[n] = et_store_begin(s)) != ET_NO_VERSION)
		++n;
	assert_int_equal(n, 2 * ET_STORE_VERSIONS - 2);
	while (n-- > 0)
		et_store_drop(s, v[n]);
	et_store_publish(s, 0, ET_NO_VERSION);
	et_store_publish(s, 1, ET_NO_VERSION);
	assert_int_equal(et_store_free_chunks(s), 4);
	assert_null(et_store_new(CHUNK, CHUNK, CHUNK, 0));
	assert_null(et_store_new(CHUNK, CHUNK, CHUNK, ET_STORE_MAX_LOOPS + 1));
	et_store_free(s);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_a_pass_writes_its_own_version),
		cmocka_unit_test(test_a_pass_wraps_round_a_short_loop),
		cmocka_unit_test(test_a_pinned_version_outlives_its_release),
		cmocka_unit_test(test_a_full_pool_refuses_a_copy),
		cmocka_unit_test(test_slots_and_silence),
		cmocka_unit_test(test_the_rest_of_a_chunk_is_in_one_place),
		cmocka_unit_test(test_the_pool_grows_to_its_limit),
		cmocka_unit_test(test_loops_share_the_pool_and_publish_apart),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
