/* libFuzzer harness of the loop-file reader (plugin/loopfile.c) and the
 * restore path that plugin/state.c builds on it: arbitrary bytes are
 * written to a file and read with et_loopfile_read() at a fuzzer-chosen
 * rate, expected length and capacity; a loop that reads is loaded into a
 * new looper with et_looper_load() (the placement also from the fuzzer, as
 * a corrupt session may hold anything) and played for a few blocks.
 *
 * The file is an unlinked temporary opened again through /proc/self/fd,
 * so nothing is left behind however the process ends.
 *
 * Invariants (abort() on violation):
 * - the status is one of EtLoopfileStatus and et_loopfile_strerror() is
 *   not NULL;
 * - on error: left and right are NULL and the length 0;
 * - on success: 0 < length <= capacity, length == expected when one was
 *   given, both arrays hold length frames (ASan checks every one is read),
 *   and et_looper_load() accepts the loop;
 * - no crash, no undefined behaviour, no leak (LeakSanitizer), no hang. */
#include "fuzz_common.h"

#include "clock.h"
#include "looper.h"
#include "loopfile.h"

#include <math.h>
#include <unistd.h>

static const uint32_t rates[] = {48000, 44100, 96000, 8000, 22050, 1};

static int  file_fd = -1;
static char file_path[64];

static void
open_scratch(void)
{
	if (file_fd >= 0) {
		return;
	}
	const char *dir = getenv("TMPDIR");
	char        name[4096];
	snprintf(name, sizeof(name), "%s/eighttrack-fuzz-XXXXXX",
	         dir && *dir ? dir : "/tmp");
	file_fd = mkstemp(name);
	FUZZ_CHECK(file_fd >= 0);
	unlink(name);
	snprintf(file_path, sizeof(file_path), "/proc/self/fd/%d", file_fd);
}

static void
write_scratch(const uint8_t *data, size_t size)
{
	FUZZ_CHECK(ftruncate(file_fd, 0) == 0);
	size_t done = 0;
	while (done < size) {
		const ssize_t w = pwrite(file_fd, data + done, size - done,
		                         (off_t)done);
		FUZZ_CHECK(w > 0);
		done += (size_t)w;
	}
}

/* Plays a loaded loop for a few blocks with a rolling transport. */
static void
play(EtLooper *looper, double rate)
{
	EtClock clock;
	et_clock_init(&clock, rate);
	static float in[256], out_l[256], out_r[256];
	const EtLooperControls c = et_looper_default_controls();
	et_looper_set_baseline(looper, &c);
	for (int b = 0; b < 3; ++b) {
		et_looper_set_controls(looper, &c);
		et_clock_begin_block(&clock, 256);
		if (b == 0) {
			const EtPosition p = {.has_frame = true, .has_speed = true,
			                      .frame = 0, .speed = 1.0};
			et_clock_apply(&clock, 0, &p);
		}
		et_looper_process(looper, &clock, in, in, out_l, out_r, 0, 256);
		FUZZ_CHECK(et_looper_length(looper) <= et_looper_capacity(looper));
	}
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	FuzzInput in = {data, size};
	const uint32_t rate = rates[fuzz_u8(&in) % (sizeof(rates) / sizeof(rates[0]))];
	const uint32_t capacity = 1u + fuzz_u16(&in);
	uint32_t       expected = fuzz_u32(&in);
	const uint8_t  flags    = fuzz_u8(&in);
	const double   exact_raw       = fuzz_f64(&in);
	/* Any int64 a corrupt session holds (far start frames used to hang the
	 * looper: fuzz/repro_hangs.c); -DFUZZ_NARROW_RANGE keeps them within
	 * +-2^40. */
#ifndef FUZZ_NARROW_RANGE
	const int64_t  start_raw       = (int64_t)fuzz_u64(&in);
#else
	const int64_t  start_raw       = (int64_t)fuzz_u64(&in) >> (64 - 41);
#endif
	const double   start_exact_raw = fuzz_f64(&in);
	if (flags & STATE_FLAG_UNKNOWN_LENGTH) {
		expected = 0;
	}
	const uint8_t *file      = size > STATE_PREFIX ? data + STATE_PREFIX : data;
	const size_t   file_size = size > STATE_PREFIX ? size - STATE_PREFIX : 0;

	open_scratch();
	write_scratch(file, file_size);

	float   *left = NULL, *right = NULL;
	uint32_t length = 12345;
	const EtLoopfileStatus st = et_loopfile_read(
	    file_path, rate, expected, capacity, &left, &right, &length);
	FUZZ_CHECK(st >= ET_LOOPFILE_OK && st <= ET_LOOPFILE_ERR_INVALID);
	FUZZ_CHECK(et_loopfile_strerror(st) != NULL);
	if (st != ET_LOOPFILE_OK) {
		FUZZ_CHECK(left == NULL && right == NULL && length == 0);
		return 0;
	}
	FUZZ_CHECK(left != NULL && right != NULL);
	FUZZ_CHECK(length > 0 && length <= capacity);
	FUZZ_CHECK(expected == 0 || length == expected);
	uint32_t bits = 0;
	for (uint32_t i = 0; i < length; ++i) {
		uint32_t a, b;
		memcpy(&a, &left[i], sizeof(a));
		memcpy(&b, &right[i], sizeof(b));
		bits ^= a ^ b;
	}
	volatile uint32_t sink = bits;
	(void)sink;

	/* What restore() does with it. */
	EtLooper *looper = et_looper_new(rate, capacity);
	FUZZ_CHECK(looper != NULL);
	const bool raw = flags & STATE_FLAG_RAW_PLACE;
	const bool ok  = et_looper_load(
        looper, left, right, length, raw ? exact_raw : (double)length,
        flags & STATE_FLAG_ANCHORED, raw ? start_raw : 0,
        raw ? start_exact_raw : 0.0);
	FUZZ_CHECK(ok);
	FUZZ_CHECK(et_looper_state(looper) == ET_LOOP_PLAYING &&
	           et_looper_length(looper) == length);
	play(looper, rate);
	et_looper_free(looper);
	free(left);
	free(right);
	return 0;
}
