/* The waveform overview on its own: a bounded scan per call, peaks that
 * equal a brute-force reduction of the loop, and a fresh scan whenever
 * the loop changes. */
#include "overview.h"

#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

/* A loop kept as two arrays (what the checks read and change) and as a
 * version in a store (what the overview scans): loop_update() copies the
 * arrays into the store before each update. */
typedef struct {
	float       *left, *right;
	EtLoopStore *store;
	EtLoopView   view;
} Loop;

static void
loop_new(Loop *l, uint32_t length)
{
	const uint32_t frames = length ? length : 1;
	l->left               = (float *)calloc(frames, sizeof(float));
	l->right              = (float *)calloc(frames, sizeof(float));
	l->store              = et_store_new(frames, frames, frames, 1);
	assert_non_null(l->store);
	memset(&l->view, 0, sizeof(l->view));
	l->view.store   = l->store;
	l->view.version = et_store_begin(l->store);
	l->view.serial  = et_store_serial(l->store, l->view.version);
	l->view.length  = length;
}

static void
loop_free(Loop *l)
{
	et_store_free(l->store);
	free(l->left);
	free(l->right);
}

static bool
loop_update(EtOverview *ov, const Loop *l, bool changing, uint32_t budget)
{
	for (uint32_t k = 0; k < l->view.length;) {
		const float   *src_l, *src_r;
		float         *dst_l, *dst_r;
		const uint32_t n = et_store_write(l->store, l->view.version, k,
						  l->view.length - k, &src_l,
						  &src_r, &dst_l, &dst_r);
		assert_true(n > 0);
		memcpy(dst_l, l->left + k, n * sizeof(float));
		memcpy(dst_r, l->right + k, n * sizeof(float));
		k += n;
	}
	return et_overview_update(ov, &l->view, changing, budget);
}

/* The peak of bin b, the slow way. */
static float
reference_peak(const Loop *l, uint32_t b)
{
	const uint32_t n     = l->view.length;
	const uint32_t start = et_overview_bin_start(b, n);
	const uint32_t end =
	    b + 1 < ET_OVERVIEW_BINS ? et_overview_bin_start(b + 1, n) : n;
	float peak = 0.0f;
	for (uint32_t i = start; i < end; ++i) {
		peak =
		    fmaxf(peak, fmaxf(fabsf(l->left[i]), fabsf(l->right[i])));
	}
	return peak;
}

static void
assert_peaks_match(const EtOverview *ov, const Loop *l)
{
	assert_int_equal(ov->length, l->view.length);
	for (uint32_t b = 0; b < ET_OVERVIEW_BINS; ++b) {
		if (ov->peak[b] != reference_peak(l, b)) {
			fail_msg("bin %u: %g, expected %g", b,
				 (double)ov->peak[b],
				 (double)reference_peak(l, b));
		}
	}
}

/* Calls update until it publishes; returns the number of calls. */
static unsigned
scan_to_end(EtOverview *ov, const Loop *l, bool changing, uint32_t budget)
{
	for (unsigned calls = 1; calls < 100000; ++calls) {
		if (loop_update(ov, l, changing, budget)) {
			return calls;
		}
	}
	fail_msg("the overview never finished");
	return 0;
}

/* A recorded ramp (left rising, right falling at half the size) shows as
 * exactly its peaks, after length / budget calls and not one earlier. */
static void
ramp_loop_in_bounded_slices(void **state)
{
	(void)state;
	Loop l;
	loop_new(&l, 48000);
	for (uint32_t i = 0; i < 48000; ++i) {
		l.left[i]  = (float)i / 48000.0f;
		l.right[i] = -0.5f * (float)i / 48000.0f;
	}
	EtOverview ov;
	et_overview_init(&ov);
	uint32_t last_cursor = 0;
	for (unsigned call = 1; call < 48; ++call) {
		assert_false(loop_update(&ov, &l, false, 1000));
		assert_int_equal(ov.cursor,
				 call * 1000); /* never more than asked */
		assert_true(ov.cursor > last_cursor);
		last_cursor = ov.cursor;
		assert_int_equal(ov.serial, 0);
	}
	assert_true(loop_update(&ov, &l, false, 1000));
	assert_int_equal(ov.serial, 1);
	assert_peaks_match(&ov, &l);
	/* The last bin ends at the loop's last sample. */
	assert_true(ov.peak[ET_OVERVIEW_BINS - 1] == 47999.0f / 48000.0f);

	/* Nothing changed: nothing more to do or publish. */
	for (int i = 0; i < 10; ++i) {
		assert_false(loop_update(&ov, &l, false, 1000));
	}
	assert_int_equal(ov.serial, 1);
	loop_free(&l);
}

/* No loop: one empty overview is published, once. */
static void
no_loop_publishes_empty_once(void **state)
{
	(void)state;
	EtOverview ov;
	et_overview_init(&ov);
	assert_true(et_overview_update(&ov, NULL, false, 1000));
	assert_int_equal(ov.length, 0);
	assert_int_equal(ov.serial, 1);
	assert_false(et_overview_update(&ov, NULL, false, 1000));
	assert_int_equal(ov.serial, 1);
}

/* Clear after a loop: the peaks go to zero at once. */
static void
clear_empties_it(void **state)
{
	(void)state;
	Loop l;
	loop_new(&l, 5000);
	for (uint32_t i = 0; i < 5000; ++i) {
		l.left[i] = 0.75f;
	}
	EtOverview ov;
	et_overview_init(&ov);
	scan_to_end(&ov, &l, false, 100000);
	assert_true(ov.peak[0] == 0.75f);
	const uint32_t serial = ov.serial;
	assert_true(et_overview_update(&ov, NULL, false, 1000));
	assert_int_equal(ov.serial, serial + 1);
	assert_int_equal(ov.length, 0);
	for (uint32_t b = 0; b < ET_OVERVIEW_BINS; ++b) {
		assert_true(ov.peak[b] == 0.0f);
	}
	loop_free(&l);
}

/* A new take of another length starts a new scan from its frame 0. */
static void
new_length_rescans(void **state)
{
	(void)state;
	Loop a, b;
	loop_new(&a, 20000);
	loop_new(&b, 30000);
	for (uint32_t i = 0; i < 30000; ++i) {
		if (i < 20000) {
			a.left[i] = 0.25f;
		}
		b.right[i] = sinf((float)i * 0.01f) * 0.9f;
	}
	EtOverview ov;
	et_overview_init(&ov);
	scan_to_end(&ov, &a, false, 4096);
	assert_peaks_match(&ov, &a);
	/* Half-way through b, a's peaks are still what is published. */
	loop_update(&ov, &b, false, 15000);
	assert_int_equal(ov.length, 20000);
	assert_int_equal(scan_to_end(&ov, &b, false, 15000), 1);
	assert_peaks_match(&ov, &b);
	loop_free(&a);
	loop_free(&b);
}

/* Overdub writes into the loop while it is scanned: the pass that saw
 * the change publishes, then another pass shows what was layered. */
static void
overdub_is_seen_in_the_next_pass(void **state)
{
	(void)state;
	Loop l;
	loop_new(&l, 10000);
	for (uint32_t i = 0; i < 10000; ++i) {
		l.left[i] = 0.1f;
	}
	EtOverview ov;
	et_overview_init(&ov);
	scan_to_end(&ov, &l, false, 100000);
	assert_peaks_match(&ov, &l);

	/* Overdub: half of the scan, then a layer near the start (already
	 * scanned in this pass), then the end of the pass. */
	assert_false(loop_update(&ov, &l, true, 5000));
	for (uint32_t i = 0; i < 100; ++i) {
		l.left[i] = 0.9f;
	}
	assert_true(loop_update(&ov, &l, true, 5000));
	assert_true(ov.peak[0] == 0.1f); /* this pass missed it */
	/* The overdub ends; the next pass catches up and then it rests. */
	assert_true(scan_to_end(&ov, &l, false, 5000) <= 2);
	assert_peaks_match(&ov, &l);
	assert_true(ov.peak[0] == 0.9f);
	for (int i = 0; i < 5; ++i) {
		assert_false(loop_update(&ov, &l, false, 5000));
	}
	loop_free(&l);
}

/* A loop shorter than the bins: each sample sits in its own bin, the
 * bins between them stay empty, and NaN never becomes a peak. */
static void
short_loop_and_nan(void **state)
{
	(void)state;
	Loop l;
	loop_new(&l, 100);
	for (uint32_t i = 0; i < 100; ++i) {
		l.left[i] = (float)(i + 1) / 100.0f;
	}
	l.right[50] = NAN;
	l.left[50]  = NAN;
	EtOverview ov;
	et_overview_init(&ov);
	assert_int_equal(scan_to_end(&ov, &l, false, 7), 15);
	unsigned nonzero = 0;
	for (uint32_t b = 0; b < ET_OVERVIEW_BINS; ++b) {
		assert_false(isnan(ov.peak[b]));
		nonzero += ov.peak[b] > 0.0f;
	}
	assert_int_equal(nonzero, 99);
	loop_free(&l);
}

/* A 120 s loop at 192 kHz: bin arithmetic does not overflow 32 bits. */
static void
longest_loop_bins(void **state)
{
	(void)state;
	const uint32_t n = 120u * 192000u;
	assert_int_equal(et_overview_bin_start(ET_OVERVIEW_BINS, n), n);
	assert_int_equal(et_overview_bin_start(1, n), n / ET_OVERVIEW_BINS);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(ramp_loop_in_bounded_slices),
		cmocka_unit_test(no_loop_publishes_empty_once),
		cmocka_unit_test(clear_empties_it),
		cmocka_unit_test(new_length_rescans),
		cmocka_unit_test(overdub_is_seen_in_the_next_pass),
		cmocka_unit_test(short_loop_and_nan),
		cmocka_unit_test(longest_loop_bins),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
