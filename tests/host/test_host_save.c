/* Saving the loop when things go wrong, through the test host's own store
 * and retrieve (lv2host.h, eth_state_*), and loading loop files that are
 * not what a save wrote (issue 14):
 * - a save that runs out of disk (at its start, in the header, halfway)
 *   fails, says so in one log line, and leaves the loop saved before in
 *   that folder as it was (Carla and jalv save into the same folder again)
 *   and nothing in a new folder (Ardour makes one per save).  The full
 *   disk is an LD_PRELOAD shim (tests/host/enospc_shim.c) that always runs,
 * and a real 64 KiB tmpfs when the test runs as root (skipped with a message
 *   otherwise; a failure when CI=true);
 * - a loop.wav that is a FIFO, or a state path that names one, is refused
 *   at once with a log line instead of blocking restore() (and the host's
 *   session load) forever;
 * - a loop file holding NaN, infinities, 1e30 or denormals loads with those
 *   samples silenced, the rest as saved, and one log line that says how
 *   many and where. */
#define _GNU_SOURCE /* unshare(), mount(), dlsym(RTLD_DEFAULT) */

#include "lv2host.h"

#include <lv2/atom/atom.h>
#include <lv2/state/state.h>

#include <dirent.h>
#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <math.h>
#include <sched.h>
#include <setjmp.h>
#include <signal.h>
#include <sndfile.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>

#define RATE        48000.0
#define BLOCK       500
#define LOOP_FRAMES (4 * BLOCK) /* 16 KB of stereo float: 4 tmpfs pages */
#define LOOP_KEY    "urn:eighttrack:state#loop"

/* The shim's controls (tests/host/enospc_shim.c), found once it is preloaded.
 */
static void (*enospc_arm)(const char *dir, long budget);
static long (*enospc_refused)(void);

/* ----------------------------------------------------------- helpers */

static float
input_at(int64_t frame)
{
	return 0.25f + (float)(frame % 1000) / 4000.0f;
}

/* A new instance playing a free loop of `blocks` blocks (quantize off, no
 * transport), recorded from input_at(). */
static EthHost *
a_loop_of(unsigned blocks)
{
	EthHost *h = eth_new(RATE);
	eth_set(h, "monitor", 0);
	eth_set(h, "loop_quantize", 0);
	int64_t wall = 0;
	for (unsigned b = 0; b < blocks + 2; ++b) {
		if (b == 1) {
			eth_set(h, "loop_arm", 1);
		} else if (b == blocks + 1) {
			eth_set(h, "loop_arm", 0);
		}
		float *l = eth_audio(h, "in_l");
		float *r = eth_audio(h, "in_r");
		for (uint32_t i = 0; i < BLOCK; ++i) {
			l[i] = input_at(wall + i);
			r[i] = -l[i];
		}
		eth_run(h, BLOCK);
		wall += BLOCK;
	}
	assert_int_equal(eth_get(h, "loop_state"), 3);
	assert_float_equal(eth_get(h, "loop_length"), blocks * BLOCK / RATE,
			   1e-6);
	return h;
}

/* The short loop: LOOP_FRAMES frames. */
static EthHost *
a_short_loop(void)
{
	return a_loop_of(LOOP_FRAMES / BLOCK);
}

static char *
temp_dir(void)
{
	return eth_temp_dir("save");
}

static void
remove_dir(char *dir)
{
	eth_remove_dir(dir);
}

static char *
path_in(const char *dir, const char *name)
{
	char *p = (char *)malloc(strlen(dir) + strlen(name) + 2);
	sprintf(p, "%s/%s", dir, name);
	return p;
}

static int
by_name(const void *a, const void *b)
{
	return strcmp((const char *)a, (const char *)b);
}

/* The names in dir, sorted, joined by spaces ("" if empty or missing). */
static void
listing(const char *dir, char *out, size_t size)
{
	char names[16][256];
	int  n = 0;
	DIR *d = opendir(dir);
	out[0] = '\0';
	if (!d) {
		return;
	}
	for (struct dirent *e; (e = readdir(d));) {
		if (strcmp(e->d_name, ".") && strcmp(e->d_name, "..") &&
		    n < 16) {
			snprintf(names[n++], sizeof(names[0]), "%s",
				 e->d_name);
		}
	}
	closedir(d);
	qsort(names, (size_t)n, sizeof(names[0]), by_name);
	for (int i = 0; i < n; ++i) {
		const size_t len = strlen(out);
		snprintf(out + len, size - len, "%s%s", i ? " " : "",
			 names[i]);
	}
}

static bool
folder_holds(const char *dir, const char *want, const char *what)
{
	char got[2048];
	listing(dir, got, sizeof(got));
	if (strcmp(got, want) != 0) {
		print_message("%s: %s holds \"%s\", want \"%s\"\n", what, dir,
			      got, want);
		return false;
	}
	return true;
}

static unsigned char *
file_bytes(const char *path, size_t *size)
{
	FILE *f = fopen(path, "rb");
	if (!f) {
		*size = 0;
		return NULL;
	}
	fseek(f, 0, SEEK_END);
	const long n = ftell(f);
	fseek(f, 0, SEEK_SET);
	unsigned char *bytes = (unsigned char *)malloc((size_t)n + 1);
	*size                = fread(bytes, 1, (size_t)n, f);
	fclose(f);
	return bytes;
}

static bool
file_is(const char *path, const unsigned char *bytes, size_t size,
	const char *what)
{
	size_t         got_size = 0;
	unsigned char *got      = file_bytes(path, &got_size);
	const bool same = got && got_size == size && !memcmp(got, bytes, size);
	if (!same) {
		print_message("%s: %s is %s (%zu bytes, was %zu)\n", what,
			      path, got ? "changed" : "gone", got_size, size);
	}
	free(got);
	return same;
}

/* The log's lines from line `from` on (counted from 0). */
static const char *
log_from(const EthHost *h, unsigned from)
{
	const char *text = eth_log_text(h);
	for (unsigned i = 0; i < from && text; ++i) {
		text = strchr(text, '\n');
		text = text ? text + 1 : NULL;
	}
	return text ? text : "";
}

/* Exactly one new log line since `before` lines, holding every phrase. */
static bool
one_new_line_with(const EthHost *h, unsigned before, const char *what, ...)
{
	const char *line = log_from(h, before);
	bool        ok   = eth_log_lines(h) == before + 1 &&
		  strncmp(line, "eighttrack: ", 12) == 0;
	va_list ap;
	va_start(ap, what);
	for (const char *p; ok && (p = va_arg(ap, const char *));) {
		ok = strstr(line, p) != NULL;
	}
	va_end(ap);
	if (!ok) {
		print_message(
		    "%s: want one log line with the phrases given, got %u "
		    "new: %s\n",
		    what, eth_log_lines(h) - before, line);
	}
	return ok;
}

/* Restores `state` into a new instance: it plays the short loop, without
 * a word. */
static bool
restores_the_short_loop(const EthState *state, const char *what)
{
	EthHost *b  = eth_new(RATE);
	bool     ok = eth_state_restore(b, state, NULL) == 0;
	eth_run(b, 64);
	ok = ok && eth_get(b, "loop_state") == 3.0f &&
	     fabsf(eth_get(b, "loop_length") - (float)(LOOP_FRAMES / RATE)) <
		 1e-6f &&
	     eth_log_lines(b) == 0;
	if (!ok) {
		print_message(
		    "%s: the saved loop does not come back: state %g, "
		    "length %g, log: %s\n",
		    what, (double)eth_get(b, "loop_state"),
		    (double)eth_get(b, "loop_length"), eth_log_text(b));
	}
	eth_free(b);
	return ok;
}

/* A save into dir with the disk full after `budget` bytes. */
static EthState *
save_with_disk_full_after(EthHost *h, const char *dir, long budget)
{
	enospc_arm(dir, budget);
	EthState  *state   = eth_state_save(h, dir);
	const long refused = enospc_refused();
	enospc_arm(NULL, 0);
	if (!state && refused == 0) {
		print_message("the save failed, but not for want of disk\n");
	}
	return state;
}

/* Where the disk fills up: at the start (not even the header), inside
 * the header, halfway through the samples. */
static const long budgets[] = { 0, 20, 8 * 1024 };
#define N_BUDGETS (sizeof(budgets) / sizeof(budgets[0]))

/* ----------------------------------------------------- a full disk */

/* Carla and jalv save a session into the folder they saved it in before.
 * The disk is full: the save fails, the log says where and why, and the
 * loop saved before is still there, byte for byte, and alone. */
static void
a_save_that_runs_out_of_disk_keeps_the_loop_saved_before_in_that_folder(
    void **state)
{
	(void)state;
	EthHost  *h    = a_short_loop();
	char     *dir  = temp_dir();
	EthState *good = eth_state_save(h, dir);
	assert_non_null(good);
	char          *loop = path_in(dir, "loop.wav");
	size_t         size = 0;
	unsigned char *was  = file_bytes(loop, &size);
	assert_non_null(was);

	unsigned failures = 0;
	for (size_t i = 0; i < N_BUDGETS; ++i) {
		char what[96];
		snprintf(what, sizeof(what),
			 "same folder, disk full after %ld bytes", budgets[i]);
		const unsigned before = eth_log_lines(h);
		EthState *bad = save_with_disk_full_after(h, dir, budgets[i]);
		if (bad) {
			print_message("%s: the save succeeded\n", what);
			eth_state_free(bad);
			++failures;
			continue;
		}
		failures +=
		    !one_new_line_with(h, before, what, loop, strerror(ENOSPC),
				       "left as it was", (const char *)NULL);
		failures += !folder_holds(dir, "loop.wav", what);
		failures += !file_is(loop, was, size, what);
		failures += !restores_the_short_loop(good, what);
	}
	/* The disk has room again: the save goes through, and leaves only
	 * the loop file. */
	EthState *again = eth_state_save(h, dir);
	assert_non_null(again);
	failures += !folder_holds(dir, "loop.wav", "room again");
	failures += !restores_the_short_loop(again, "room again");
	assert_int_equal(failures, 0);

	eth_state_free(again);
	eth_state_free(good);
	free(was);
	free(loop);
	remove_dir(dir);
	eth_free(h);
}

/* Ardour saves each time into a new folder.  The disk is full: nothing is
 * left in the new one (not even an empty loop.wav), and the folder saved
 * before keeps its loop. */
static void
a_save_that_runs_out_of_disk_leaves_nothing_in_a_new_folder(void **state)
{
	(void)state;
	EthHost  *h     = a_short_loop();
	char     *top   = temp_dir();
	char     *first = path_in(top, "state-1");
	EthState *good  = eth_state_save(h, first);
	assert_non_null(good);
	char          *loop = path_in(first, "loop.wav");
	size_t         size = 0;
	unsigned char *was  = file_bytes(loop, &size);

	unsigned failures = 0;
	for (size_t i = 0; i < N_BUDGETS; ++i) {
		char what[96];
		snprintf(what, sizeof(what),
			 "new folder, disk full after %ld bytes", budgets[i]);
		char name[32];
		snprintf(name, sizeof(name), "state-%zu", i + 2);
		char          *next   = path_in(top, name);
		const unsigned before = eth_log_lines(h);
		EthState *bad = save_with_disk_full_after(h, next, budgets[i]);
		if (bad) {
			print_message("%s: the save succeeded\n", what);
			eth_state_free(bad);
			++failures;
		} else {
			failures += !one_new_line_with(h, before, what,
						       strerror(ENOSPC),
						       (const char *)NULL);
			failures += !folder_holds(next, "", what);
			failures += !file_is(loop, was, size, what);
			failures += !restores_the_short_loop(good, what);
		}
		free(next);
	}
	assert_int_equal(failures, 0);
	eth_state_free(good);
	free(was);
	free(loop);
	free(first);
	remove_dir(top);
	eth_free(h);
}

/* Skipped (with a message) where the test cannot mount, failed in CI. */
static void
cannot_mount(const char *why)
{
	const char *ci = getenv("CI");
	if (ci && !strcmp(ci, "true")) {
		fail_msg("the tmpfs test cannot run (%s), and CI=true", why);
	}
	print_message(
	    "SKIPPED: the full tmpfs test: %s (run as root to test a "
	    "real full disk; the LD_PRELOAD test above ran)\n",
	    why);
	skip();
}

/* Fills the file system that holds dir, through dir/filler, until it is
 * full; returns how many bytes went in. */
static off_t
fill_up(const char *dir)
{
	char *filler = path_in(dir, "filler");
	int   fd     = open(filler, O_WRONLY | O_CREAT | O_APPEND, 0644);
	assert_true(fd >= 0);
	static char block[4096];
	memset(block, 0x5A, sizeof(block));
	off_t total = 0;
	for (;;) {
		const ssize_t w = write(fd, block, sizeof(block));
		if (w <= 0) {
			assert_int_equal(errno, ENOSPC);
			break;
		}
		total += w;
	}
	/* The last partial page, byte by byte. */
	while (write(fd, block, 1) == 1) {
		++total;
	}
	close(fd);
	free(filler);
	return total;
}

/* The same on a real file system that is full: a 64 KiB tmpfs, mounted in
 * this process's own mount namespace (gone with the process, whatever
 * happens).  The short loop is saved; then a longer one (24 KB) is
 * recorded, and saved with the disk full. */
static void
a_save_into_a_full_tmpfs_keeps_the_loop_saved_before(void **state)
{
	(void)state;
	if (geteuid() != 0) {
		cannot_mount("not root");
	}
	if (unshare(CLONE_NEWNS) != 0) {
		cannot_mount(strerror(errno));
	}
	if (mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) != 0) {
		cannot_mount(strerror(errno));
	}
	char *mnt = temp_dir();
	if (mount("tmpfs", mnt, "tmpfs", MS_NOSUID | MS_NODEV, "size=64k") !=
	    0) {
		const int err = errno;
		rmdir(mnt);
		free(mnt);
		cannot_mount(strerror(err));
	}

	EthHost  *h       = a_short_loop();
	char     *session = path_in(mnt, "session");
	EthState *good    = eth_state_save(h, session);
	assert_non_null(good);
	eth_free(h);
	h                       = a_loop_of(6); /* 3000 frames */
	char          *loop     = path_in(session, "loop.wav");
	char          *filler   = path_in(mnt, "filler");
	size_t         size     = 0;
	unsigned char *was      = file_bytes(loop, &size);
	unsigned       failures = 0;

	/* Full to the last byte: the same folder (Carla, jalv), then a new
	 * one (Ardour). */
	const off_t filled = fill_up(mnt);
	unsigned    before = eth_log_lines(h);
	EthState   *bad    = eth_state_save(h, session);
	failures += bad != NULL;
	eth_state_free(bad);
	failures +=
	    !one_new_line_with(h, before, "full tmpfs, same folder", loop,
			       strerror(ENOSPC), (const char *)NULL);
	failures +=
	    !folder_holds(session, "loop.wav", "full tmpfs, same folder");
	failures += !file_is(loop, was, size, "full tmpfs, same folder");
	failures += !restores_the_short_loop(good, "full tmpfs, same folder");

	char *next = path_in(mnt, "session-2");
	before     = eth_log_lines(h);
	bad        = eth_state_save(h, next);
	failures += bad != NULL;
	eth_state_free(bad);
	failures += !one_new_line_with(h, before, "full tmpfs, new folder",
				       strerror(ENOSPC), (const char *)NULL);
	failures += !folder_holds(next, "", "full tmpfs, new folder");

	/* Room for the header and a little more, not for the loop. */
	assert_int_equal(truncate(filler, filled - 8192), 0);
	before = eth_log_lines(h);
	bad    = eth_state_save(h, session);
	failures += bad != NULL;
	eth_state_free(bad);
	failures += !one_new_line_with(h, before, "tmpfs full halfway", loop,
				       strerror(ENOSPC), (const char *)NULL);
	failures += !folder_holds(session, "loop.wav", "tmpfs full halfway");
	failures += !file_is(loop, was, size, "tmpfs full halfway");
	failures += !restores_the_short_loop(good, "tmpfs full halfway");

	/* Room again: the save goes through and leaves only the loop file. */
	assert_int_equal(unlink(filler), 0);
	EthState *again = eth_state_save(h, session);
	failures += again == NULL;
	failures +=
	    !folder_holds(session, "loop.wav", "tmpfs with room again");
	eth_state_free(again);
	assert_int_equal(failures, 0);

	eth_state_free(good);
	free(was);
	free(loop);
	free(filler);
	free(next);
	free(session);
	eth_free(h);
	char cmd[4200];
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'/*", mnt);
	assert_int_equal(system(cmd), 0);
	assert_int_equal(umount2(mnt, MNT_DETACH), 0);
	remove_dir(mnt);
}

/* --------------------------------------------------------- FIFOs */

static void
on_alarm(int sig)
{
	(void)sig;
	static const char msg[] =
	    "test_host_save: restore() still blocks on a FIFO after 5 s\n";
	if (write(2, msg, sizeof(msg) - 1) < 0) {
		/* nothing more to say */
	}
	_exit(1);
}

static double
now(void)
{
	struct timespec t;
	clock_gettime(CLOCK_MONOTONIC, &t);
	return (double)t.tv_sec + 1e-9 * (double)t.tv_nsec;
}

/* Restores `state` (whose loop path names a FIFO) into a new instance:
 * within a second, an empty loop that still records, one log line. */
static bool
restore_is_quick_and_empty(const EthState *state, const char *fifo,
			   const char *what)
{
	EthHost *b = eth_new(RATE);
	signal(SIGALRM, on_alarm);
	alarm(5);
	const double t0     = now();
	const int    status = eth_state_restore(b, state, NULL);
	const double took   = now() - t0;
	alarm(0);
	bool ok = status == 0 && took < 1.0;
	if (!ok) {
		print_message("%s: restore() returned %d after %.3f s\n", what,
			      status, took);
	}
	eth_run(b, 64);
	if (eth_get(b, "loop_state") != 0.0f) {
		print_message("%s: loop_state %g, want 0\n", what,
			      (double)eth_get(b, "loop_state"));
		ok = false;
	}
	ok = one_new_line_with(b, 0, what, fifo, "not a regular file",
			       (const char *)NULL) &&
	     ok;
	eth_set(b, "loop_quantize", 0);
	eth_set(b, "loop_arm", 1);
	eth_run(b, 64);
	if (eth_get(b, "loop_state") != 2.0f) {
		print_message("%s: arming gives state %g, want 2\n", what,
			      (double)eth_get(b, "loop_state"));
		ok = false;
	}
	eth_free(b);
	return ok;
}

/* A loop.wav that is a FIFO (nobody writes into it): opened for reading it
 * would wait for a writer forever, and the host's session load with it. */
static void
a_loop_file_that_is_a_fifo_is_refused_at_once(void **state)
{
	(void)state;
	EthHost  *h    = a_short_loop();
	char     *dir  = temp_dir();
	EthState *good = eth_state_save(h, dir);
	assert_non_null(good);
	char *loop = path_in(dir, "loop.wav");
	assert_int_equal(unlink(loop), 0);
	assert_int_equal(mkfifo(loop, 0644), 0);
	assert_true(
	    restore_is_quick_and_empty(good, loop, "loop.wav is a FIFO"));
	eth_state_free(good);
	free(loop);
	remove_dir(dir);
	eth_free(h);
}

/* A state whose loop path names a FIFO elsewhere (an absolute path). */
static void
a_state_path_that_names_a_fifo_is_refused_at_once(void **state)
{
	(void)state;
	EthHost  *h    = a_short_loop();
	char     *dir  = temp_dir();
	char     *far  = temp_dir();
	EthState *good = eth_state_save(h, dir);
	assert_non_null(good);
	char *fifo = path_in(far, "pipe");
	assert_int_equal(mkfifo(fifo, 0644), 0);
	eth_state_set(good, LOOP_KEY, LV2_ATOM__Path, LV2_STATE_IS_POD, fifo,
		      (uint32_t)strlen(fifo) + 1);
	assert_true(restore_is_quick_and_empty(
	    good, fifo, "the state's path names a FIFO"));
	eth_state_free(good);
	free(fifo);
	remove_dir(far);
	remove_dir(dir);
	eth_free(h);
}

/* ------------------------------------------- samples that cannot play */

typedef struct {
	uint32_t frame;
	int      channel;
	float    value;
} BadSample;

static float
denormal(void)
{
	const uint32_t bits = 0x00000400u;
	float          f;
	memcpy(&f, &bits, sizeof(f));
	return f;
}

/* Reads a stereo float file into frames (malloc'd, interleaved). */
static float *
read_interleaved(const char *path, SF_INFO *info)
{
	memset(info, 0, sizeof(*info));
	SNDFILE *f = sf_open(path, SFM_READ, info);
	assert_non_null(f);
	float *x = (float *)malloc(sizeof(float) * 2 * (size_t)info->frames);
	assert_int_equal(sf_readf_float(f, x, info->frames), info->frames);
	sf_close(f);
	return x;
}

/* Someone edits the saved loop.wav: NaN, infinities, 1e30 and a denormal
 * in it.  The loop loads, those samples play as silence (never NaN on
 * every repetition), every other sample as saved, and one log line says
 * how many there were and where the first one is. */
static void
a_loop_file_with_samples_that_cannot_play_loads_them_as_silence(void **state)
{
	(void)state;
	EthHost  *h    = a_short_loop();
	char     *dir  = temp_dir();
	EthState *good = eth_state_save(h, dir);
	assert_non_null(good);
	char   *loop = path_in(dir, "loop.wav");
	SF_INFO info;
	float  *x = read_interleaved(loop, &info);
	assert_int_equal(info.frames, LOOP_FRAMES);
	const BadSample bad[] = {
		{ 100, 0, NAN },        { 200, 1, INFINITY },
		{ 300, 0, 1e30f },      { 301, 1, -INFINITY },
		{ 400, 0, denormal() }, { 401, 1, -16.5f },
	};
	const size_t n_bad = sizeof(bad) / sizeof(bad[0]);
	for (size_t i = 0; i < n_bad; ++i) {
		x[2 * bad[i].frame + (uint32_t)bad[i].channel] = bad[i].value;
	}
	SNDFILE *f = sf_open(loop, SFM_WRITE, &info); /* sets frames to 0 */
	assert_non_null(f);
	assert_int_equal(sf_writef_float(f, x, LOOP_FRAMES), LOOP_FRAMES);
	sf_close(f);

	EthHost *b = eth_new(RATE);
	eth_set(b, "monitor", 0);
	assert_int_equal(eth_state_restore(b, good, NULL), 0);
	unsigned failures = 0;
	/* Two repetitions: every output sample finite and within the loop's
	 * range. */
	for (int rep = 0; rep < 2 * LOOP_FRAMES / BLOCK; ++rep) {
		eth_run(b, BLOCK);
		const float *out[2] = { eth_audio(b, "out_l"),
					eth_audio(b, "out_r") };
		for (int c = 0; c < 2; ++c) {
			for (uint32_t i = 0; i < BLOCK; ++i) {
				if (!(fabsf(out[c][i]) <= 1.0f)) {
					if (failures++ < 5) {
						print_message(
						    "output %d, block %d, frame %u: %g\n",
						    c, rep, i,
						    (double)out[c][i]);
					}
				}
			}
		}
	}
	if (eth_get(b, "loop_state") != 3.0f) {
		fail_msg("loop_state %g; log: %s",
			 (double)eth_get(b, "loop_state"), eth_log_text(b));
	}
	failures += !one_new_line_with(
	    b, 0, "samples that cannot play", loop, "held 6 samples",
	    "3 NaN or infinite", "2 beyond", "1 denormal",
	    "first at frame 100", (const char *)NULL);

	/* What plays is what a save writes: those six are 0, the rest as
	 * saved. */
	char     *dir2    = temp_dir();
	EthState *resaved = eth_state_save(b, dir2);
	assert_non_null(resaved);
	char   *loop2 = path_in(dir2, "loop.wav");
	SF_INFO info2;
	float  *y = read_interleaved(loop2, &info2);
	assert_int_equal(info2.frames, LOOP_FRAMES);
	for (uint32_t k = 0; k < 2 * LOOP_FRAMES; ++k) {
		bool was_bad = false;
		for (size_t i = 0; i < n_bad; ++i) {
			was_bad |=
			    k == 2 * bad[i].frame + (uint32_t)bad[i].channel;
		}
		const float want = was_bad ? 0.0f : x[k];
		if (memcmp(&y[k], &want, sizeof(float)) != 0) {
			if (failures++ < 10) {
				print_message(
				    "saved again, sample %u (frame %u): %g, want %g\n",
				    k, k / 2, (double)y[k], (double)want);
			}
		}
	}
	assert_int_equal(failures, 0);

	free(y);
	free(loop2);
	eth_state_free(resaved);
	remove_dir(dir2);
	free(x);
	free(loop);
	eth_state_free(good);
	remove_dir(dir);
	eth_free(b);
	eth_free(h);
}

/* ------------------------------------------------------------- main */

/* Runs this test again with the shim preloaded, if it is not. */
static int
preload_the_shim(char **argv)
{
	if (getenv("ET_ENOSPC_REEXEC")) {
		fprintf(stderr, "test_host_save: the shim is preloaded but "
				"et_enospc_arm is not found\n");
		return 1;
	}
	char          exe[PATH_MAX];
	const ssize_t n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
	if (n <= 0) {
		perror("test_host_save: /proc/self/exe");
		return 1;
	}
	exe[n]      = '\0';
	char *slash = strrchr(exe, '/');
	*slash      = '\0';
	char shim[PATH_MAX + 32];
	snprintf(shim, sizeof(shim), "%s/enospc_shim.so", exe);
	if (access(shim, R_OK) != 0) {
		fprintf(stderr, "test_host_save: %s: %s (make builds it)\n",
			shim, strerror(errno));
		return 1;
	}
	/* After what is preloaded already (the sanitizers' runtimes). */
	const char *old = getenv("LD_PRELOAD");
	char        preload[2 * PATH_MAX + 64];
	snprintf(preload, sizeof(preload), "%s%s%s", old ? old : "",
		 old && *old ? " " : "", shim);
	const char *asan = getenv("ASAN_OPTIONS");
	char        asan_options[1024];
	snprintf(asan_options, sizeof(asan_options),
		 "%s%sverify_asan_link_order=0", asan ? asan : "",
		 asan && *asan ? ":" : "");
	setenv("LD_PRELOAD", preload, 1);
	setenv("ASAN_OPTIONS", asan_options, 1);
	setenv("ET_ENOSPC_REEXEC", "1", 1);
	execv("/proc/self/exe", argv);
	perror("test_host_save: execv");
	return 1;
}

int
main(int argc, char **argv)
{
	(void)argc;
	*(void **)&enospc_arm     = dlsym(RTLD_DEFAULT, "et_enospc_arm");
	*(void **)&enospc_refused = dlsym(RTLD_DEFAULT, "et_enospc_refused");
	if (!enospc_arm || !enospc_refused) {
		return preload_the_shim(argv);
	}
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(
		    a_save_that_runs_out_of_disk_keeps_the_loop_saved_before_in_that_folder),
		cmocka_unit_test(
		    a_save_that_runs_out_of_disk_leaves_nothing_in_a_new_folder),
		cmocka_unit_test(
		    a_save_into_a_full_tmpfs_keeps_the_loop_saved_before),
		cmocka_unit_test(
		    a_loop_file_that_is_a_fifo_is_refused_at_once),
		cmocka_unit_test(
		    a_state_path_that_names_a_fifo_is_refused_at_once),
		cmocka_unit_test(
		    a_loop_file_with_samples_that_cannot_play_loads_them_as_silence),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
