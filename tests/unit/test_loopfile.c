/* Stories of a loop saved with a session and loaded back, and of the ways
 * a loop file on disk goes wrong. */

/* mkdtemp(), truncate(), setrlimit(), mkfifo(), fork() are POSIX, not C11. */
#define _POSIX_C_SOURCE 200809L

#include "loopfile.h"

#include <dirent.h>
#include <errno.h>
#include <math.h>
#include <time.h>
#include <sys/wait.h>
#include <signal.h>
#include <sndfile.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>

#include <setjmp.h>

#include <cmocka.h>

#define RATE     48000u
#define CAPACITY (RATE * 60u)

typedef struct {
	char dir[64];
	char path[128];
} Fixture;

static int
setup(void **state)
{
	Fixture *fx = calloc(1, sizeof *fx);
	assert_non_null(fx);
	strcpy(fx->dir, "/tmp/test_loopfile.XXXXXX");
	assert_non_null(mkdtemp(fx->dir));
	snprintf(fx->path, sizeof fx->path, "%s/loop.wav", fx->dir);
	*state = fx;
	return 0;
}

static int
teardown(void **state)
{
	Fixture *fx  = *state;
	DIR     *dir = opendir(fx->dir);
	assert_non_null(dir);
	for (struct dirent *e; (e = readdir(dir));) {
		if (strcmp(e->d_name, ".") && strcmp(e->d_name, "..")) {
			char p[400];
			snprintf(p, sizeof p, "%s/%s", fx->dir, e->d_name);
			assert_int_equal(unlink(p), 0);
		}
	}
	closedir(dir);
	assert_int_equal(rmdir(fx->dir), 0);
	free(fx);
	return 0;
}

static float
from_bits(uint32_t bits)
{
	float f;
	memcpy(&f, &bits, sizeof f);
	return f;
}

/* Sample i of a channel: mostly its own index, so a shifted or swapped
 * frame shows, and between them the values a lossy path would change:
 * fractions, denormals, negative zero. */
static float
sample_at(uint32_t i, uint32_t channel)
{
	switch ((i + 2 * channel) % 5) {
	case 0: return (float)i;
	case 1: return (float)i + 1.0f / 3.0f;
	case 2: return from_bits(1u + i % 0x7FFFFFu); /* a denormal */
	case 3: return -0.0f;
	default: return -(float)i / 7.0f;
	}
}

static void
make_loop(uint32_t length, float **left, float **right)
{
	*left  = malloc(sizeof(float) * length);
	*right = malloc(sizeof(float) * length);
	assert_non_null(*left);
	assert_non_null(*right);
	for (uint32_t i = 0; i < length; ++i) {
		(*left)[i]  = sample_at(i, 0);
		(*right)[i] = sample_at(i, 1);
	}
}

/* Reads path, expects status, and that a failure leaves nothing behind:
 * the outputs start as garbage so a forgotten reset shows. */
static void
expect_read_fails(const char *path, uint32_t rate, uint32_t expected_length,
		  uint32_t capacity, EtLoopfileStatus expected)
{
	float    junk   = 1.0f;
	float   *left   = &junk;
	float   *right  = &junk;
	uint32_t length = 12345;
	assert_int_equal(et_loopfile_read(path, rate, expected_length,
					  capacity, &left, &right, &length),
			 expected);
	assert_null(left);
	assert_null(right);
	assert_int_equal(length, 0);
}

/* A file made by libsndfile itself, for the shapes the plugin never
 * writes (mono, three channels, 16-bit, empty). */
static void
write_sndfile(const char *path, int channels, int rate, int format,
	      sf_count_t frames)
{
	SF_INFO info    = { 0 };
	info.samplerate = rate;
	info.channels   = channels;
	info.format     = format;
	SNDFILE *file   = sf_open(path, SFM_WRITE, &info);
	assert_non_null(file);
	float *data = calloc((size_t)(frames * channels) + 1, sizeof(float));
	assert_non_null(data);
	for (sf_count_t i = 0; i < frames * channels; ++i) {
		data[i] = 0.5f;
	}
	assert_int_equal(sf_writef_float(file, data, frames), frames);
	assert_int_equal(sf_close(file), 0);
	free(data);
}

static void
write_bytes(const char *path, const void *bytes, size_t n)
{
	FILE *f = fopen(path, "wb");
	assert_non_null(f);
	assert_int_equal(fwrite(bytes, 1, n, f), n);
	assert_int_equal(fclose(f), 0);
}

static off_t
file_size(const char *path)
{
	struct stat st;
	assert_int_equal(stat(path, &st), 0);
	return st.st_size;
}

/* Save a loop, load it back: every bit of every sample comes back, and
 * the file is what other tools expect (stereo 32-bit float WAV). */
static void
round_trip(void **state, uint32_t length)
{
	Fixture *fx = *state;
	float   *left;
	float   *right;
	make_loop(length, &left, &right);

	assert_int_equal(
	    et_loopfile_write(fx->path, left, right, length, RATE),
	    ET_LOOPFILE_OK);

	SF_INFO  info = { 0 };
	SNDFILE *file = sf_open(fx->path, SFM_READ, &info);
	assert_non_null(file);
	assert_int_equal(info.format, SF_FORMAT_WAV | SF_FORMAT_FLOAT);
	assert_int_equal(info.channels, 2);
	assert_int_equal(info.samplerate, RATE);
	assert_int_equal(info.frames, length);
	sf_close(file);

	float   *got_left;
	float   *got_right;
	uint32_t got_length;
	assert_int_equal(et_loopfile_read(fx->path, RATE, length, CAPACITY,
					  &got_left, &got_right, &got_length),
			 ET_LOOPFILE_OK);
	assert_int_equal(got_length, length);
	assert_memory_equal(got_left, left, sizeof(float) * length);
	assert_memory_equal(got_right, right, sizeof(float) * length);

	/* And with the length unknown (expected 0), the same loop. */
	free(got_left);
	free(got_right);
	assert_int_equal(et_loopfile_read(fx->path, RATE, 0, CAPACITY,
					  &got_left, &got_right, &got_length),
			 ET_LOOPFILE_OK);
	assert_int_equal(got_length, length);
	assert_memory_equal(got_left, left, sizeof(float) * length);
	assert_memory_equal(got_right, right, sizeof(float) * length);

	free(got_left);
	free(got_right);
	free(left);
	free(right);
}

static void
test_one_frame_loop_round_trips_bit_exact(void **state)
{
	round_trip(state, 1);
}

/* One frame more than a chunk: the chunk seam must not lose or repeat it. */
static void
test_4097_frame_loop_round_trips_bit_exact(void **state)
{
	round_trip(state, 4097);
}

static void
test_three_second_loop_round_trips_bit_exact(void **state)
{
	round_trip(state, RATE * 3);
}

static void
test_missing_file_is_open_error(void **state)
{
	Fixture *fx = *state;
	expect_read_fails(fx->path, RATE, 0, CAPACITY, ET_LOOPFILE_ERR_OPEN);
}

/* A folder where the loop file should be cannot be loaded either. */
static void
test_directory_instead_of_file_is_not_regular(void **state)
{
	Fixture *fx = *state;
	expect_read_fails(fx->dir, RATE, 0, CAPACITY,
			  ET_LOOPFILE_ERR_NOT_REGULAR);
}

/* A device is never opened (a tape rewinds, a terminal may block). */
static void
test_device_instead_of_file_is_not_regular(void **state)
{
	(void)state;
	expect_read_fails("/dev/null", RATE, 0, CAPACITY,
			  ET_LOOPFILE_ERR_NOT_REGULAR);
}

/* Issue 14: a FIFO named loop.wav, with no one writing into it.  Opened
 * for reading, it waits for a writer forever, and the host's session load
 * with it.  The read runs in a child, so a hang fails this test after a
 * second instead of hanging make check. */
static void
test_fifo_instead_of_file_is_not_regular_at_once(void **state)
{
	Fixture *fx = *state;
	assert_int_equal(mkfifo(fx->path, 0644), 0);
	const pid_t child = fork();
	assert_true(child >= 0);
	if (child == 0) {
		float   *left   = NULL;
		float   *right  = NULL;
		uint32_t length = 0;
		_exit(et_loopfile_read(fx->path, RATE, 0, CAPACITY, &left,
				       &right, &length) ==
				  ET_LOOPFILE_ERR_NOT_REGULAR &&
			      !left && !right && length == 0
			  ? 0
			  : 1);
	}
	int   status = 0;
	pid_t done   = 0;
	for (int ms = 0; ms < 1000 && done == 0; ms += 10) {
		done = waitpid(child, &status, WNOHANG);
		if (done == 0) {
			nanosleep(&(struct timespec){ 0, 10 * 1000 * 1000 },
				  NULL);
		}
	}
	if (done == 0) {
		kill(child, SIGKILL);
		waitpid(child, &status, 0);
		fail_msg(
		    "et_loopfile_read() on a FIFO still blocks after 1 s");
	}
	assert_true(WIFEXITED(status));
	assert_int_equal(WEXITSTATUS(status), 0);
}

/* A link to a loop file is followed (a host may link a file of an older
 * session into the state's folder; the fuzzer reads through
 * /proc/self/fd/N). */
static void
test_link_to_a_loop_file_loads(void **state)
{
	Fixture *fx = *state;
	char     target[200];
	snprintf(target, sizeof target, "%s/older.wav", fx->dir);
	float *left;
	float *right;
	make_loop(100, &left, &right);
	assert_int_equal(et_loopfile_write(target, left, right, 100, RATE),
			 ET_LOOPFILE_OK);
	assert_int_equal(symlink(target, fx->path), 0);
	float   *got_left;
	float   *got_right;
	uint32_t got_length;
	assert_int_equal(et_loopfile_read(fx->path, RATE, 100, CAPACITY,
					  &got_left, &got_right, &got_length),
			 ET_LOOPFILE_OK);
	assert_memory_equal(got_left, left, sizeof(float) * 100);
	free(got_left);
	free(got_right);
	free(left);
	free(right);
}

static void
test_garbage_bytes_are_format_error(void **state)
{
	Fixture      *fx = *state;
	unsigned char bytes[8192];
	srand(8);
	for (size_t i = 0; i < sizeof bytes; ++i) {
		bytes[i] = (unsigned char)(rand() & 0xFF);
	}
	write_bytes(fx->path, bytes, sizeof bytes);
	expect_read_fails(fx->path, RATE, 0, CAPACITY, ET_LOOPFILE_ERR_FORMAT);
}

/* The file exists and opens, but holds no sound file: FORMAT, not OPEN. */
static void
test_zero_byte_file_is_format_error(void **state)
{
	Fixture *fx = *state;
	write_bytes(fx->path, "", 0);
	expect_read_fails(fx->path, RATE, 0, CAPACITY, ET_LOOPFILE_ERR_FORMAT);
}

/* The disk filled up halfway through the copy of a session: the loop is
 * refused whether or not the state knows its length, since the WAV header
 * still announces the full length. */
static void
test_file_cut_in_half_is_truncated(void **state)
{
	Fixture       *fx     = *state;
	const uint32_t length = RATE * 2;
	float         *left;
	float         *right;
	make_loop(length, &left, &right);
	assert_int_equal(
	    et_loopfile_write(fx->path, left, right, length, RATE),
	    ET_LOOPFILE_OK);
	assert_int_equal(truncate(fx->path, file_size(fx->path) / 2), 0);

	expect_read_fails(fx->path, RATE, length, CAPACITY,
			  ET_LOOPFILE_ERR_TRUNCATED);
	expect_read_fails(fx->path, RATE, 0, CAPACITY,
			  ET_LOOPFILE_ERR_TRUNCATED);
	free(left);
	free(right);
}

/* Header claims 0xFFFFFFF0 data bytes (half a billion frames) but ten
 * frames follow: nothing near the claim is allocated, the lie is caught. */
static void
test_header_claiming_huge_length_is_refused(void **state)
{
	Fixture       *fx     = *state;
	const uint32_t length = 10;
	float         *left;
	float         *right;
	make_loop(length, &left, &right);
	assert_int_equal(
	    et_loopfile_write(fx->path, left, right, length, RATE),
	    ET_LOOPFILE_OK);

	FILE *f = fopen(fx->path, "r+b");
	assert_non_null(f);
	unsigned char  bytes[256];
	size_t         n    = fread(bytes, 1, sizeof bytes, f);
	unsigned char *data = NULL;
	for (size_t i = 12; i + 8 <= n; ++i) {
		if (memcmp(bytes + i, "data", 4) == 0) {
			data = bytes + i;
			break;
		}
	}
	assert_non_null(data);
	memcpy(data + 4, "\xF0\xFF\xFF\xFF", 4);
	assert_int_equal(fseek(f, 0, SEEK_SET), 0);
	assert_int_equal(fwrite(bytes, 1, n, f), n);
	assert_int_equal(fclose(f), 0);

	expect_read_fails(fx->path, RATE, 0, CAPACITY,
			  ET_LOOPFILE_ERR_TRUNCATED);
	expect_read_fails(fx->path, RATE, 0, UINT32_MAX,
			  ET_LOOPFILE_ERR_TRUNCATED);
	free(left);
	free(right);
}

/* Documented choice: only stereo is a loop the plugin saved. */
static void
test_mono_file_is_format_error(void **state)
{
	Fixture *fx = *state;
	write_sndfile(fx->path, 1, RATE, SF_FORMAT_WAV | SF_FORMAT_FLOAT, 100);
	expect_read_fails(fx->path, RATE, 0, CAPACITY, ET_LOOPFILE_ERR_FORMAT);
}

static void
test_three_channel_file_is_format_error(void **state)
{
	Fixture *fx = *state;
	write_sndfile(fx->path, 3, RATE, SF_FORMAT_WAV | SF_FORMAT_FLOAT, 100);
	expect_read_fails(fx->path, RATE, 0, CAPACITY, ET_LOOPFILE_ERR_FORMAT);
}

/* A stereo 16-bit file decodes (16384 is exactly 0.5): only the channel
 * count and rate are demanded, not the plugin's own sample format. */
static void
test_stereo_16_bit_file_loads_as_float(void **state)
{
	Fixture *fx = *state;
	write_sndfile(fx->path, 2, RATE, SF_FORMAT_WAV | SF_FORMAT_PCM_16,
		      100);
	float   *left;
	float   *right;
	uint32_t length;
	assert_int_equal(et_loopfile_read(fx->path, RATE, 100, CAPACITY, &left,
					  &right, &length),
			 ET_LOOPFILE_OK);
	assert_int_equal(length, 100);
	for (uint32_t i = 0; i < length; ++i) {
		assert_true(left[i] == 0.5f);
		assert_true(right[i] == 0.5f);
	}
	free(left);
	free(right);
}

/* A session saved at 44.1 kHz, opened at 48 kHz: not resampled, refused. */
static void
test_44100_file_in_48000_instance_is_rate_error(void **state)
{
	Fixture *fx = *state;
	float   *left;
	float   *right;
	make_loop(441, &left, &right);
	assert_int_equal(et_loopfile_write(fx->path, left, right, 441, 44100),
			 ET_LOOPFILE_OK);
	expect_read_fails(fx->path, 48000, 441, CAPACITY,
			  ET_LOOPFILE_ERR_RATE);
	free(left);
	free(right);
}

/* Exactly the capacity loads; one frame more is refused. */
static void
test_file_longer_than_capacity_is_too_long(void **state)
{
	Fixture *fx = *state;
	float   *left;
	float   *right;
	make_loop(1000, &left, &right);
	assert_int_equal(et_loopfile_write(fx->path, left, right, 1000, RATE),
			 ET_LOOPFILE_OK);
	expect_read_fails(fx->path, RATE, 0, 999, ET_LOOPFILE_ERR_TOO_LONG);
	expect_read_fails(fx->path, RATE, 1000, 999, ET_LOOPFILE_ERR_TOO_LONG);

	float   *got_left;
	float   *got_right;
	uint32_t got_length;
	assert_int_equal(et_loopfile_read(fx->path, RATE, 1000, 1000,
					  &got_left, &got_right, &got_length),
			 ET_LOOPFILE_OK);
	assert_int_equal(got_length, 1000);
	free(got_left);
	free(got_right);
	free(left);
	free(right);
}

/* A valid WAV with no frames is no loop; if the state says there was
 * one, the file lost it. */
static void
test_zero_frame_file_is_empty(void **state)
{
	Fixture *fx = *state;
	write_sndfile(fx->path, 2, RATE, SF_FORMAT_WAV | SF_FORMAT_FLOAT, 0);
	expect_read_fails(fx->path, RATE, 0, CAPACITY, ET_LOOPFILE_ERR_EMPTY);
	expect_read_fails(fx->path, RATE, 100, CAPACITY,
			  ET_LOOPFILE_ERR_TRUNCATED);
}

/* The state says 1000 frames but the file has 1001: not the file that was
 * saved, so it is not played at a length the session does not expect. */
static void
test_file_longer_than_saved_length_is_length_error(void **state)
{
	Fixture *fx = *state;
	float   *left;
	float   *right;
	make_loop(1001, &left, &right);
	assert_int_equal(et_loopfile_write(fx->path, left, right, 1001, RATE),
			 ET_LOOPFILE_OK);
	expect_read_fails(fx->path, RATE, 1000, CAPACITY,
			  ET_LOOPFILE_ERR_LENGTH);
	expect_read_fails(fx->path, RATE, 1002, CAPACITY,
			  ET_LOOPFILE_ERR_TRUNCATED);
	free(left);
	free(right);
}

static void
test_write_into_missing_directory_is_open_error(void **state)
{
	Fixture *fx = *state;
	char     path[200];
	snprintf(path, sizeof path, "%s/no-such-dir/loop.wav", fx->dir);
	float left[4]  = { 0 };
	float right[4] = { 0 };
	assert_int_equal(et_loopfile_write(path, left, right, 4, RATE),
			 ET_LOOPFILE_ERR_OPEN);
}

/* Saving with no loop recorded writes no file. */
static void
test_write_of_empty_loop_is_empty_and_makes_no_file(void **state)
{
	Fixture *fx     = *state;
	float    sample = 0.0f;
	assert_int_equal(
	    et_loopfile_write(fx->path, &sample, &sample, 0, RATE),
	    ET_LOOPFILE_ERR_EMPTY);
	assert_int_equal(access(fx->path, F_OK), -1);
}

/* The disk fills up during a save (a file size limit stands in for it):
 * WRITE, and no half-written file is left for a later restore to trip on. */
static void
test_disk_full_during_write_is_write_error(void **state)
{
	Fixture *fx = *state;
	float   *left;
	float   *right;
	make_loop(RATE * 3, &left, &right);

	struct rlimit old;
	assert_int_equal(getrlimit(RLIMIT_FSIZE, &old), 0);
	struct rlimit small      = old;
	small.rlim_cur           = 64 * 1024;
	void (*old_handler)(int) = signal(SIGXFSZ, SIG_IGN);
	assert_int_equal(setrlimit(RLIMIT_FSIZE, &small), 0);

	EtLoopfileStatus status =
	    et_loopfile_write(fx->path, left, right, RATE * 3, RATE);

	assert_int_equal(setrlimit(RLIMIT_FSIZE, &old), 0);
	signal(SIGXFSZ, old_handler);

	assert_int_equal(status, ET_LOOPFILE_ERR_WRITE);
	assert_int_equal(access(fx->path, F_OK), -1);
	free(left);
	free(right);
}

/* The names in the fixture's folder, sorted, joined by spaces. */
static void
folder_names(const Fixture *fx, char *out, size_t size)
{
	char names[16][256];
	int  n   = 0;
	DIR *dir = opendir(fx->dir);
	assert_non_null(dir);
	for (struct dirent *e; (e = readdir(dir));) {
		if (strcmp(e->d_name, ".") && strcmp(e->d_name, "..") &&
		    n < 16) {
			snprintf(names[n++], sizeof names[0], "%s", e->d_name);
		}
	}
	closedir(dir);
	for (int i = 1; i < n; ++i) {
		for (int j = i; j > 0 && strcmp(names[j - 1], names[j]) > 0;
		     --j) {
			char t[256];
			memcpy(t, names[j], sizeof t);
			memcpy(names[j], names[j - 1], sizeof t);
			memcpy(names[j - 1], t, sizeof t);
		}
	}
	out[0] = '\0';
	for (int i = 0; i < n; ++i) {
		const size_t len = strlen(out);
		snprintf(out + len, size - len, "%s%s", i ? " " : "",
			 names[i]);
	}
}

static void
expect_folder_holds(const Fixture *fx, const char *names)
{
	char got[1024];
	folder_names(fx, got, sizeof got);
	assert_string_equal(got, names);
}

static unsigned char *
read_whole(const char *path, size_t *size)
{
	FILE *f = fopen(path, "rb");
	assert_non_null(f);
	assert_int_equal(fseek(f, 0, SEEK_END), 0);
	const long n = ftell(f);
	assert_true(n >= 0);
	assert_int_equal(fseek(f, 0, SEEK_SET), 0);
	unsigned char *bytes = malloc((size_t)n + 1);
	assert_non_null(bytes);
	assert_int_equal(fread(bytes, 1, (size_t)n, f), (size_t)n);
	fclose(f);
	*size = (size_t)n;
	return bytes;
}

/* Runs et_loopfile_write_why() under a file size limit of `limit` bytes
 * (a full disk, as the test above). */
static EtLoopfileStatus
write_with_limit(const char *path, const float *left, const float *right,
		 uint32_t length, rlim_t limit, EtLoopfileWriteError *why)
{
	struct rlimit old;
	assert_int_equal(getrlimit(RLIMIT_FSIZE, &old), 0);
	struct rlimit small      = old;
	small.rlim_cur           = limit;
	void (*old_handler)(int) = signal(SIGXFSZ, SIG_IGN);
	assert_int_equal(setrlimit(RLIMIT_FSIZE, &small), 0);
	const EtLoopfileStatus status =
	    et_loopfile_write_why(path, left, right, length, RATE, why);
	assert_int_equal(setrlimit(RLIMIT_FSIZE, &old), 0);
	signal(SIGXFSZ, old_handler);
	return status;
}

/* Issue 14: Carla and jalv save into the same folder again.  The second
 * save runs out of disk halfway: it fails, says where and why, and the
 * loop saved before is still there, byte for byte, alone. */
static void
test_disk_full_during_a_save_keeps_the_loop_saved_before(void **state)
{
	Fixture *fx = *state;
	float   *left;
	float   *right;
	make_loop(RATE * 3, &left, &right);
	assert_int_equal(et_loopfile_write(fx->path, left, right, 1000, RATE),
			 ET_LOOPFILE_OK);
	size_t         before_size;
	unsigned char *before = read_whole(fx->path, &before_size);

	EtLoopfileWriteError why;
	assert_int_equal(
	    write_with_limit(fx->path, left, right, RATE * 3, 64 * 1024, &why),
	    ET_LOOPFILE_ERR_WRITE);
	assert_non_null(why.step);
	assert_string_equal(why.step, "writing the samples");
	assert_string_equal(why.reason, strerror(EFBIG));

	expect_folder_holds(fx, "loop.wav");
	size_t         after_size;
	unsigned char *after = read_whole(fx->path, &after_size);
	assert_int_equal(after_size, before_size);
	assert_memory_equal(after, before, before_size);
	free(before);
	free(after);
	free(left);
	free(right);
}

/* Issue 14: a disk already full when the save starts: nothing is left,
 * not even an empty file (a later restore would trip on it). */
static void
test_disk_full_at_the_start_of_a_save_leaves_nothing(void **state)
{
	Fixture *fx = *state;
	float   *left;
	float   *right;
	make_loop(1000, &left, &right);
	EtLoopfileWriteError why;
	assert_int_not_equal(
	    write_with_limit(fx->path, left, right, 1000, 0, &why),
	    ET_LOOPFILE_OK);
	assert_non_null(why.step);
	expect_folder_holds(fx, "");
	free(left);
	free(right);
}

/* A save that succeeds over an older loop leaves that one file, with the
 * new loop, and no temporary file beside it. */
static void
test_a_save_over_an_older_loop_leaves_only_the_new_one(void **state)
{
	Fixture *fx = *state;
	float   *left;
	float   *right;
	make_loop(2000, &left, &right);
	assert_int_equal(et_loopfile_write(fx->path, left, right, 2000, RATE),
			 ET_LOOPFILE_OK);
	assert_int_equal(et_loopfile_write(fx->path, right, left, 1500, RATE),
			 ET_LOOPFILE_OK);
	expect_folder_holds(fx, "loop.wav");
	float   *got_left;
	float   *got_right;
	uint32_t got_length;
	assert_int_equal(et_loopfile_read(fx->path, RATE, 1500, CAPACITY,
					  &got_left, &got_right, &got_length),
			 ET_LOOPFILE_OK);
	assert_memory_equal(got_left, right, sizeof(float) * 1500);
	assert_memory_equal(got_right, left, sizeof(float) * 1500);
	free(got_left);
	free(got_right);
	free(left);
	free(right);
}

/* loop.wav is a link to an older session's loop (hosts link files they
 * did not copy): the save replaces the link and leaves that loop alone. */
static void
test_a_save_replaces_a_link_not_the_file_it_names(void **state)
{
	Fixture *fx = *state;
	char     older[200];
	snprintf(older, sizeof older, "%s/older.wav", fx->dir);
	float *left;
	float *right;
	make_loop(1000, &left, &right);
	assert_int_equal(et_loopfile_write(older, left, right, 1000, RATE),
			 ET_LOOPFILE_OK);
	size_t         before_size;
	unsigned char *before = read_whole(older, &before_size);
	assert_int_equal(symlink(older, fx->path), 0);

	assert_int_equal(et_loopfile_write(fx->path, right, left, 10, RATE),
			 ET_LOOPFILE_OK);
	struct stat st;
	assert_int_equal(lstat(fx->path, &st), 0);
	assert_true(S_ISREG(st.st_mode));
	size_t         after_size;
	unsigned char *after = read_whole(older, &after_size);
	assert_int_equal(after_size, before_size);
	assert_memory_equal(after, before, before_size);
	expect_folder_holds(fx, "loop.wav older.wav");
	free(before);
	free(after);
	free(left);
	free(right);
}

static float
with_bits(uint32_t bits)
{
	float f;
	memcpy(&f, &bits, sizeof f);
	return f;
}

/* Issue 14: a loop file with NaN, infinities, 1e30 and denormals (edited
 * by hand, or by a broken tool) loads as finite, bounded samples: each of
 * those is silence, everything else bit for bit, and the report says how
 * many of each and where the first one is. */
static void
test_clean_silences_what_cannot_be_played_and_keeps_the_rest(void **state)
{
	(void)state;
	float left[12]  = { 0.5f,  -0.0f, 16.0f, -16.0f, 1.0f,  NAN,
			    0.25f, 1e30f, 3.0f,  0.0f,   -1.0f, 2.0f };
	float right[12] = { 0.5f,          0.5f,      0.5f,
			    with_bits(1u), -INFINITY, 0.5f,
			    16.000002f,    0.5f,      -1e30f,
			    INFINITY,      0.5f,      with_bits(0x807FFFFFu) };
	float want_left[12];
	float want_right[12];
	memcpy(want_left, left, sizeof left);
	memcpy(want_right, right, sizeof right);
	want_left[5] = want_left[7] = 0.0f;
	want_right[3] = want_right[4] = want_right[6] = want_right[8] =
	    want_right[9] = want_right[11] = 0.0f;

	EtLoopfileCleaned report;
	memset(&report, 0xA5, sizeof report);
	et_loopfile_clean(left, right, 12, &report);
	assert_memory_equal(left, want_left, sizeof left); /* bits: -0 kept */
	assert_memory_equal(right, want_right, sizeof right); /* +0 written */
	assert_int_equal(report.replaced, 8);
	assert_int_equal(report.not_finite, 3);
	assert_int_equal(report.too_loud, 3);
	assert_int_equal(report.denormal, 2);
	assert_int_equal(report.first_frame, 3);
}

static void
test_clean_of_a_clean_loop_reports_nothing(void **state)
{
	(void)state;
	float *left;
	float *right;
	make_loop(1000, &left, &right);
	for (uint32_t i = 0; i < 1000; ++i) { /* sample_at() has denormals */
		left[i]  = (float)i / 1000.0f;
		right[i] = -left[i];
	}
	EtLoopfileCleaned report;
	memset(&report, 0xA5, sizeof report);
	et_loopfile_clean(left, right, 1000, &report);
	assert_int_equal(report.replaced, 0);
	assert_int_equal(report.not_finite + report.too_loud + report.denormal,
			 0);
	for (uint32_t i = 0; i < 1000; ++i) {
		assert_true(left[i] == (float)i / 1000.0f);
	}
	et_loopfile_clean(left, right, 0, NULL); /* nothing to do */
	free(left);
	free(right);
}

static void
test_null_arguments_are_invalid(void **state)
{
	Fixture *fx     = *state;
	float    sample = 0.0f;
	assert_int_equal(et_loopfile_write(NULL, &sample, &sample, 1, RATE),
			 ET_LOOPFILE_ERR_INVALID);
	assert_int_equal(et_loopfile_write(fx->path, NULL, &sample, 1, RATE),
			 ET_LOOPFILE_ERR_INVALID);
	assert_int_equal(et_loopfile_write(fx->path, &sample, &sample, 1, 0),
			 ET_LOOPFILE_ERR_INVALID);
	expect_read_fails(NULL, RATE, 0, CAPACITY, ET_LOOPFILE_ERR_INVALID);
	expect_read_fails(fx->path, 0, 0, CAPACITY, ET_LOOPFILE_ERR_INVALID);

	float   *left   = &sample;
	uint32_t length = 7;
	assert_int_equal(et_loopfile_read(fx->path, RATE, 0, CAPACITY, &left,
					  NULL, &length),
			 ET_LOOPFILE_ERR_INVALID);
	assert_null(left);
	assert_int_equal(length, 0);
}

/* Every status has its own sentence, ending in a full stop. */
static void
test_every_status_has_a_message(void **state)
{
	(void)state;
	for (int s = ET_LOOPFILE_OK; s <= ET_LOOPFILE_ERR_INVALID; ++s) {
		const char *msg = et_loopfile_strerror((EtLoopfileStatus)s);
		assert_non_null(msg);
		assert_true(strlen(msg) > 10);
		assert_int_equal(msg[strlen(msg) - 1], '.');
		for (int t = ET_LOOPFILE_OK; t < s; ++t) {
			assert_string_not_equal(
			    msg, et_loopfile_strerror((EtLoopfileStatus)t));
		}
	}
	assert_non_null(et_loopfile_strerror((EtLoopfileStatus)999));
}

#define STORY(f) cmocka_unit_test_setup_teardown(f, setup, teardown)

int
main(void)
{
	const struct CMUnitTest tests[] = {
		STORY(test_one_frame_loop_round_trips_bit_exact),
		STORY(test_4097_frame_loop_round_trips_bit_exact),
		STORY(test_three_second_loop_round_trips_bit_exact),
		STORY(test_missing_file_is_open_error),
		STORY(test_directory_instead_of_file_is_not_regular),
		STORY(test_device_instead_of_file_is_not_regular),
		STORY(test_fifo_instead_of_file_is_not_regular_at_once),
		STORY(test_link_to_a_loop_file_loads),
		STORY(test_garbage_bytes_are_format_error),
		STORY(test_zero_byte_file_is_format_error),
		STORY(test_file_cut_in_half_is_truncated),
		STORY(test_header_claiming_huge_length_is_refused),
		STORY(test_mono_file_is_format_error),
		STORY(test_three_channel_file_is_format_error),
		STORY(test_stereo_16_bit_file_loads_as_float),
		STORY(test_44100_file_in_48000_instance_is_rate_error),
		STORY(test_file_longer_than_capacity_is_too_long),
		STORY(test_zero_frame_file_is_empty),
		STORY(test_file_longer_than_saved_length_is_length_error),
		STORY(test_write_into_missing_directory_is_open_error),
		STORY(test_write_of_empty_loop_is_empty_and_makes_no_file),
		STORY(test_disk_full_during_write_is_write_error),
		STORY(
		    test_disk_full_during_a_save_keeps_the_loop_saved_before),
		STORY(test_disk_full_at_the_start_of_a_save_leaves_nothing),
		STORY(test_a_save_over_an_older_loop_leaves_only_the_new_one),
		STORY(test_a_save_replaces_a_link_not_the_file_it_names),
		STORY(
		    test_clean_silences_what_cannot_be_played_and_keeps_the_rest),
		STORY(test_clean_of_a_clean_loop_reports_nothing),
		STORY(test_null_arguments_are_invalid),
		STORY(test_every_status_has_a_message),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
