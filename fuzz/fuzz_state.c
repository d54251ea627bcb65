/* libFuzzer harness of the loop-file reader (plugin/core/loopfile.c) and the
 * restore path that plugin/lv2/state.c builds on it: arbitrary bytes are
 * written to a file and read with et_loopfile_read() at a fuzzer-chosen
 * rate, expected length and capacity; a loop that reads is made playable
 * with et_loopfile_clean(), as restore() does, and loaded into a new looper
 * with et_looper_load() (the placement also from the fuzzer, as a corrupt
 * session may hold anything) and played for a few blocks.  With
 * STATE_FLAG_FIFO the path read is a FIFO instead; with STATE_FLAG_SAVE
 * the loop is saved again, as save() does, over what the input puts at
 * the path (nothing, an older loop file, a FIFO, a folder), and read back.
 *
 * The file is an unlinked temporary opened again through /proc/self/fd,
 * so nothing is left behind however the process ends; the FIFO and the
 * save's folder live in a scratch folder removed at exit.
 *
 * Invariants (abort() on violation):
 * - the status is one of EtLoopfileStatus and et_loopfile_strerror() is
 *   not NULL;
 * - on error: left and right are NULL and the length 0;
 * - a FIFO is ERR_NOT_REGULAR, at once (a hang is a failure);
 * - on success: 0 < length <= capacity, length == expected when one was
 *   given, both arrays hold length frames (ASan checks every one is read),
 *   and et_looper_load() accepts the loop;
 * - after et_loopfile_clean(): every sample finite, within +-16, not
 *   denormal; the others bit for bit as read; the report's counts add up
 *   and its first frame holds a replaced sample;
 * - a save succeeds, but over a folder, where it fails and the folder
 *   stays; either way the folder then holds loop.wav alone (no temporary
 *   file), and a saved loop reads back bit for bit;
 * - no crash, no undefined behaviour, no leak (LeakSanitizer), no hang. */
#include "fuzz_common.h"

#include "clock.h"
#include "looper.h"
#include "loopfile.h"

#include <dirent.h>
#include <errno.h>
#include <math.h>
#include <sys/stat.h>
#include <unistd.h>

static const uint32_t rates[] = { 48000, 44100, 96000, 8000, 22050, 1 };

static int  file_fd = -1;
static char file_path[64];
static char scratch[4096]; /* a folder: "fifo", and "save/" */
static char fifo_path[4200];
static char save_dir[4200];
static char save_path[4300];

static void
remove_scratch(void)
{
	char cmd[4200];
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", scratch);
	if (system(cmd) != 0) {
		fprintf(stderr, "fuzz_state: could not remove %s\n", scratch);
	}
}

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

	snprintf(scratch, sizeof(scratch), "%s/eighttrack-fuzz-XXXXXX",
		 dir && *dir ? dir : "/tmp");
	FUZZ_CHECK(mkdtemp(scratch) != NULL);
	atexit(remove_scratch);
	snprintf(fifo_path, sizeof(fifo_path), "%s/fifo", scratch);
	FUZZ_CHECK(mkfifo(fifo_path, 0600) == 0);
	snprintf(save_dir, sizeof(save_dir), "%s/save", scratch);
	FUZZ_CHECK(mkdir(save_dir, 0700) == 0);
	snprintf(save_path, sizeof(save_path), "%s/loop.wav", save_dir);
}

static void
write_scratch(const uint8_t *data, size_t size)
{
	FUZZ_CHECK(ftruncate(file_fd, 0) == 0);
	size_t done = 0;
	while (done < size) {
		const ssize_t w =
		    pwrite(file_fd, data + done, size - done, (off_t)done);
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
	static float           in[256], out_l[256], out_r[256];
	const EtLooperControls c = et_looper_default_controls();
	et_looper_set_baseline(looper, &c);
	for (int b = 0; b < 3; ++b) {
		et_looper_set_controls(looper, &c);
		et_clock_begin_block(&clock, 256);
		if (b == 0) {
			const EtPosition p = { .has_frame = true,
					       .has_speed = true,
					       .frame     = 0,
					       .speed     = 1.0 };
			et_clock_apply(&clock, 0, &p);
		}
		et_looper_process(looper, &clock, in, in, out_l, out_r, 0,
				  256);
		FUZZ_CHECK(et_looper_length(looper) <=
			   et_looper_capacity(looper));
	}
}

/* What restore() does to what it read: every sample playable, the rest
 * untouched, and a report that adds up. */
static void
clean_and_check(float *left, float *right, uint32_t length)
{
	float *was_l = (float *)malloc(sizeof(float) * length);
	float *was_r = (float *)malloc(sizeof(float) * length);
	FUZZ_CHECK(was_l && was_r);
	memcpy(was_l, left, sizeof(float) * length);
	memcpy(was_r, right, sizeof(float) * length);
	EtLoopfileCleaned r;
	et_loopfile_clean(left, right, length, &r);
	FUZZ_CHECK(r.replaced == r.not_finite + r.too_loud + r.denormal);
	FUZZ_CHECK(r.replaced <= 2 * length);
	uint32_t changed = 0;
	for (uint32_t i = 0; i < length; ++i) {
		const float *now[2] = { &left[i], &right[i] };
		const float *was[2] = { &was_l[i], &was_r[i] };
		for (int c = 0; c < 2; ++c) {
			const float x = *now[c];
			FUZZ_CHECK(isfinite(x) &&
				   fabsf(x) <= ET_LOOPFILE_MAX_SAMPLE);
			FUZZ_CHECK(fpclassify(x) != FP_SUBNORMAL);
			if (memcmp(now[c], was[c], sizeof(float)) != 0) {
				FUZZ_CHECK(x == 0.0f && !signbit(x));
				++changed;
			}
		}
	}
	FUZZ_CHECK(changed == r.replaced);
	if (r.replaced) {
		FUZZ_CHECK(r.first_frame < length);
		FUZZ_CHECK(memcmp(&left[r.first_frame], &was_l[r.first_frame],
				  sizeof(float)) != 0 ||
			   memcmp(&right[r.first_frame], &was_r[r.first_frame],
				  sizeof(float)) != 0);
		for (uint32_t i = 0; i < r.first_frame; ++i) {
			FUZZ_CHECK(
			    !memcmp(&left[i], &was_l[i], sizeof(float)) &&
			    !memcmp(&right[i], &was_r[i], sizeof(float)));
		}
	}
	free(was_l);
	free(was_r);
}

/* The entries of the save's folder: exactly loop.wav, or none. */
static bool
save_dir_holds_only_the_loop(void)
{
	DIR *d = opendir(save_dir);
	FUZZ_CHECK(d != NULL);
	bool ok = true;
	for (struct dirent *e; (e = readdir(d));) {
		if (strcmp(e->d_name, ".") && strcmp(e->d_name, "..") &&
		    strcmp(e->d_name, "loop.wav")) {
			fprintf(stderr,
				"fuzz_state: %s left in the save's folder\n",
				e->d_name);
			ok = false;
		}
	}
	closedir(d);
	return ok;
}

/* What save() does with a loop: written over what `over` puts at the
 * path first, then read back. */
static void
save_and_check(const float *left, const float *right, uint32_t length,
	       uint32_t rate, unsigned over)
{
	static const float older[4] = { 0.5f, -0.5f, 0.25f, -0.25f };
	switch (over) {
	case STATE_SAVE_OVER_OLDER:
		FUZZ_CHECK(et_loopfile_write(save_path, older, older + 2, 2,
					     rate) == ET_LOOPFILE_OK);
		break;
	case STATE_SAVE_OVER_FIFO:
		FUZZ_CHECK(mkfifo(save_path, 0600) == 0);
		break;
	case STATE_SAVE_OVER_FOLDER:
		FUZZ_CHECK(mkdir(save_path, 0700) == 0);
		break;
	default: break;
	}
	EtLoopfileWriteError   why;
	const EtLoopfileStatus st =
	    et_loopfile_write_why(save_path, left, right, length, rate, &why);
	FUZZ_CHECK(save_dir_holds_only_the_loop());
	struct stat info;
	if (over == STATE_SAVE_OVER_FOLDER) {
		FUZZ_CHECK(st == ET_LOOPFILE_ERR_WRITE && why.step != NULL);
		FUZZ_CHECK(stat(save_path, &info) == 0 &&
			   S_ISDIR(info.st_mode));
		FUZZ_CHECK(rmdir(save_path) == 0);
		return;
	}
	FUZZ_CHECK(st == ET_LOOPFILE_OK && why.step == NULL);
	FUZZ_CHECK(lstat(save_path, &info) == 0 && S_ISREG(info.st_mode));
	float   *l = NULL, *r = NULL;
	uint32_t n = 0;
	FUZZ_CHECK(et_loopfile_read(save_path, rate, length, length, &l, &r,
				    &n) == ET_LOOPFILE_OK);
	FUZZ_CHECK(n == length && !memcmp(l, left, sizeof(float) * length) &&
		   !memcmp(r, right, sizeof(float) * length));
	free(l);
	free(r);
	FUZZ_CHECK(unlink(save_path) == 0);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	FuzzInput      in = { data, size };
	const uint32_t rate =
	    rates[fuzz_u8(&in) % (sizeof(rates) / sizeof(rates[0]))];
	const uint32_t capacity  = 1u + fuzz_u16(&in);
	uint32_t       expected  = fuzz_u32(&in);
	const uint8_t  flags     = fuzz_u8(&in);
	const double   exact_raw = fuzz_f64(&in);
	/* Any int64 a corrupt session holds (far start frames used to hang the
	 * looper: fuzz/repro_hangs.c); -DFUZZ_NARROW_RANGE keeps them within
	 * +-2^40. */
#ifndef FUZZ_NARROW_RANGE
	const int64_t start_raw = (int64_t)fuzz_u64(&in);
#else
	const int64_t start_raw = (int64_t)fuzz_u64(&in) >> (64 - 41);
#endif
	const double start_exact_raw = fuzz_f64(&in);
	if (flags & STATE_FLAG_UNKNOWN_LENGTH) {
		expected = 0;
	}
	const uint8_t *file = size > STATE_PREFIX ? data + STATE_PREFIX : data;
	const size_t file_size = size > STATE_PREFIX ? size - STATE_PREFIX : 0;

	open_scratch();
	write_scratch(file, file_size);

	const bool             fifo = flags & STATE_FLAG_FIFO;
	float                 *left = NULL, *right = NULL;
	uint32_t               length = 12345;
	const EtLoopfileStatus st =
	    et_loopfile_read(fifo ? fifo_path : file_path, rate, expected,
			     capacity, &left, &right, &length);
	FUZZ_CHECK(st >= ET_LOOPFILE_OK && st <= ET_LOOPFILE_ERR_INVALID);
	FUZZ_CHECK(et_loopfile_strerror(st) != NULL);
	FUZZ_CHECK(!fifo || st == ET_LOOPFILE_ERR_NOT_REGULAR);
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

	clean_and_check(left, right, length);
	if (flags & STATE_FLAG_SAVE) {
		save_and_check(left, right, length, rate,
			       (flags >> STATE_SAVE_OVER_SHIFT) & 3u);
	}

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
