/* A save beside run(): LV2 lets a host call the state interface's save()
 * in a thread of its own while run() goes on (a session saved while it
 * plays).  interface.md (State): a save writes the last complete version
 * of the loop: during a take that replaces a loop, the loop as it was
 * before; during a first take, no loop at all; never a mix.  A save that
 * reads the loop's buffer while run() records a replacing take into it
 * from sample 0 writes a "torn" loop.wav: the new take's first frames, then
 * the rest of the old loop, under the old length.
 *
 * The main thread is the host's audio thread: it records hundreds of
 * takes, each replacing the last (loop_overdub off; loop_quantize off, so
 * that a take starts and ends at frame 0 of the block where loop_arm
 * changes), of 0.3 to 1.5 s, with the transport rolling or with none.  A
 * second thread saves the state (eth_state_save) over and over into one
 * folder, as Carla and jalv do, and checks each save.  Before each take
 * the main thread waits for a save to begin and then runs a few blocks, so
 * that takes start while saves write.
 *
 * Every input sample says where it came from, exactly (powers of two,
 * well within +-16 and far from denormal):
 *   take k, its frame i:      left  (k + 1) / 1024, right (i % 4096) / 4096;
 *   the gap before take k:    left -(k + 1) / 1024, right -1/2.
 * So a loop saved whole from take k holds, at frame i < length - r, take
 * k's frame i, and in its last r frames the seam's cross-fade of take k
 * into the gap before it (looper.h: r = et_looper_ramp_frames(), or a
 * quarter of a short loop).
 *
 * When: the main thread writes each take's blocks into a table before it
 * runs them, and counts the blocks it has begun and done.  A save that
 * began when D blocks were done and ended before block B began may hold
 * take k only if take k's last block ran before B (it may have completed
 * by the save's end) and take k + 1 had not completed within the first D
 * blocks (else k was no longer the last complete take when the save
 * began); it may hold no loop only if take 0 had not completed within the
 * first D blocks.  Both bounds lean towards the save, so a legitimate save
 * never fails.
 *
 * What the test tells: every save wrote either no loop (before the first
 * take was complete) or exactly one whole take, the last complete one at
 * some moment of the save; else it fails naming the first torn save and
 * which of its frames came from which take.  It also requires that enough
 * saves held a loop and that enough of them overlapped the start of a
 * replacing take, so it cannot pass without having tried.
 *
 * Two saves at once: nothing in LV2 keeps a host from calling save() in
 * two threads at once (an autosave beside a snapshot), and each must
 * write one whole loop.  The third test runs two saver threads, each
 * saving into a folder of its own and checking its saves as above, with
 * counts of its own.  They pause at random between saves, and the main
 * thread also wakes them: around the end of each replacing take it holds
 * one saver's save in the host's makePath (which the plugin calls once it
 * has pinned the loop it is about to write; a host's makePath may well
 * take its time) while the other saver saves, in turns
 *   - before the take ends: the same loop, whole, and unpins it;
 *   - after it ends: it begins a save, and pins the new loop;
 * then lets the held save go on one block later.  A loop store with one
 * pin for all saves loses the held save's pin either way, and run() lets
 * go of the loop that save is writing: it writes a torn loop.wav.  A lock
 * around save() keeps the other save waiting instead (the main thread
 * gives it HELD_SECONDS to get to makePath, and says how often it did).
 * Besides the checks and counts above, per saver, this test requires
 * that enough take ends had a save held, and that enough saves overlapped
 * both the other saver's and a replacing take's end. */
#include "lv2host.h"

#include "looper.h" /* et_looper_seam_weight(), et_looper_ramp_frames() */

#include <math.h>
#include <pthread.h>
#include <sched.h>
#include <setjmp.h>
#include <sndfile.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <cmocka.h>

#define RATE            48000.0
#define BPM             120.0
#define BLOCK           480 /* 10 ms */
#define ROUNDS          250 /* takes per test with one saver */
#define MAX_ROUNDS      999 /* a take's signature tells 1000 apart */
#define TAKE_MIN_BLOCKS 30  /* 0.3 s */
#define TAKE_MAX_BLOCKS 150 /* 1.5 s */
/* Gap blocks before the main thread waits for a save to begin (at least
 * one: the seam's pre-roll, 192 frames, lies in the gap), then blocks run
 * between the save's start and the take's: how far into the save's
 * writing the take starts. */
#define GAP_MAX_BLOCKS  8
#define LEAD_MAX_BLOCKS 40
#define WAIT_SECONDS    0.1 /* for a save to begin, at most */
/* Enough to say the test tried. */
#define MIN_SAVES_WITH_LOOP             50
#define MIN_SAVES_OVER_A_REPLACING_TAKE 20
/* With two savers: takes; a saver's longest pause between saves when
 * the main thread does not wake it; how long the main thread gives one
 * save to reach makePath while the other is held there (a lock around
 * save() keeps it waiting: it never does); and enough to say the test
 * tried: take ends with a save held, and saves (in total) that overlapped
 * the other saver's and a replacing take's end. */
#define TWO_SAVER_ROUNDS       60
#define PAUSE_MAX_US           30000
#define HELD_SECONDS           0.005
#define MIN_ENDS_HELD          (TWO_SAVER_ROUNDS / 2)
#define MIN_SAVES_SIDE_BY_SIDE 20

#define STATE_KEY(k) "urn:eighttrack:state#" k
#define LOOP_KEY     STATE_KEY("loop")
#define LENGTH_KEY   STATE_KEY("length")

/* ------------------------------------------------------- the signatures */

static float
take_left(unsigned take)
{
	return (float)(take % 1000 + 1) * 0x1p-10f;
}

static float
take_right(uint32_t frame)
{
	return (float)(frame % 4096) * 0x1p-12f;
}

static float
gap_left(unsigned take)
{
	return -take_left(take);
}

#define GAP_RIGHT (-0.5f)

/* ----------------------------------------------------------- the session */

typedef struct {
	uint64_t start;  /* block whose frame 0 is the take's first frame */
	uint64_t end;    /* block at whose frame 0 it ends, complete */
	uint32_t length; /* frames */
} Take;

typedef struct Saver Saver;

/* What the main thread shares with the savers. */
typedef struct {
	EthHost *host;
	bool     rolling;
	unsigned rounds; /* takes, at most MAX_ROUNDS */

	/* Written by the main thread; takes[k] for k < planned never
	 * changes again. */
	Take                 takes[MAX_ROUNDS];
	atomic_uint          planned;
	atomic_uint_fast64_t begun, done; /* blocks */
	atomic_uint          saves_begun; /* by any saver */
	atomic_bool          stop;

	/* The two savers, or NULL with one: then the main thread holds one
	 * saver's save in makePath around the end of each replacing take
	 * while the other saves (end_take()), and counts here (its own) the
	 * ends it did that at, and at how many of them the other save got to
	 * makePath too (two saves in save() at once). */
	Saver   *savers;
	unsigned ends_held, went_on;
} Torn;

/* One saver thread: its folder, and what it found. */
struct Saver {
	Torn        *t;
	char        *dir;    /* its own: no other saver writes there */
	unsigned     number; /* 1, 2 ... when there are two; 0 alone */
	const Saver *other;  /* the other saver, or NULL alone */

	/* Written by this saver, read by the other and the main thread:
	 * saves it has begun and ended (eth_state_save() called, and
	 * returned), and the paths its saves asked for (state:makePath). */
	atomic_uint in, out, made_paths;
	/* With two savers it pauses 0 to PAUSE_MAX_US between saves, or
	 * until the main thread wakes it (wake()); and the main thread may
	 * have its next save held in makePath until it lets it go on
	 * (hold_next(), go_on()). */
	pthread_mutex_t lock;
	pthread_cond_t  cond;
	bool            woken, let_go; /* under lock */
	atomic_bool     pausing;       /* in that pause */
	atomic_bool     hold, held;    /* to hold the next save; held now */

	/* The saver's own, read by the main thread after joining it. */
	unsigned saves, with_loop, without_loop;
	unsigned over_a_start, over_a_replacing_start;
	/* Saves that overlapped one of the other saver's (at least: an
	 * overlap that begins and ends between two loads may go uncounted),
	 * and of those, how many overlapped a replacing take's start too, and
	 * how many its end. */
	unsigned beside_the_other, beside_the_other_over_a_replacing_start;
	unsigned beside_the_other_over_a_replacing_end;
	unsigned torn, stale, lost, failed;
	double   longest_save;
	char     first_torn[2048];
	char     first_other[1024];
};

static double
now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

static void
note(char *out, size_t size, const char *fmt, ...)
{
	if (out[0]) {
		return; /* the first one is kept */
	}
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(out, size, fmt, ap);
	va_end(ap);
}

/* ------------------------------------------- what a saved frame came from */

typedef enum { FROM_TAKE, FROM_GAP, FROM_NEITHER } Source;

typedef struct {
	Source   source;
	unsigned take;     /* the take, or the take the gap came before */
	bool     in_place; /* a take's frame i at frame i (mod 4096) */
} Origin;

/* x == (n + 1) / 1024 exactly for some n in 0..999. */
static bool
signature_of(float x, unsigned *n)
{
	const float scaled = x * 1024.0f;
	if (!(scaled >= 1.0f && scaled <= 1000.0f) ||
	    scaled != floorf(scaled)) {
		return false;
	}
	*n = (unsigned)scaled - 1;
	return true;
}

static Origin
origin_of(const float *frame, uint32_t i)
{
	Origin o = { FROM_NEITHER, 0, false };
	if (signature_of(frame[0], &o.take) && frame[1] >= 0.0f &&
	    frame[1] < 1.0f &&
	    frame[1] * 4096.0f == floorf(frame[1] * 4096.0f)) {
		o.source   = FROM_TAKE;
		o.in_place = frame[1] == take_right(i);
	} else if (signature_of(-frame[0], &o.take) && frame[1] == GAP_RIGHT) {
		o.source = FROM_GAP;
	}
	return o;
}

/* The loop's frames, run by run of one origin, into out. */
static void
describe(char *out, size_t size, const float *lr, uint32_t frames)
{
	size_t   used = 0;
	unsigned runs = 0;
	for (uint32_t a = 0; a < frames && used < size;) {
		const Origin o = origin_of(lr + 2 * a, a);
		uint32_t     b = a + 1;
		while (b < frames) {
			const Origin p = origin_of(lr + 2 * b, b);
			if (p.source != o.source || p.take != o.take ||
			    p.in_place != o.in_place) {
				break;
			}
			++b;
		}
		if (++runs > 6) {
			snprintf(out + used, size - used,
				 "\n      ... (more)");
			return;
		}
		int n = 0;
		if (o.source == FROM_TAKE) {
			n = snprintf(out + used, size - used,
				     "\n      frames %u..%u: take %u's%s", a,
				     b - 1, o.take,
				     o.in_place
					 ? " (its own frames there)"
					 : " (frames from elsewhere in it)");
		} else if (o.source == FROM_GAP) {
			n = snprintf(
			    out + used, size - used,
			    "\n      frames %u..%u: the input before take %u",
			    a, b - 1, o.take);
		} else {
			n = snprintf(
			    out + used, size - used,
			    "\n      frames %u..%u: neither (a cross-fade?), "
			    "first %.9g %.9g",
			    a, b - 1, (double)lr[2 * a],
			    (double)lr[2 * a + 1]);
		}
		used += n > 0 ? (size_t)n : 0;
		a = b;
	}
}

/* ------------------------------------------------------------- the saver */

/* loop.wav as interleaved stereo floats (malloc'd), or NULL. */
static float *
read_loop(const char *path, uint32_t *frames)
{
	SF_INFO info;
	memset(&info, 0, sizeof(info));
	SNDFILE *file = sf_open(path, SFM_READ, &info);
	if (!file) {
		return NULL;
	}
	float *lr = NULL;
	if (info.channels == 2 && info.samplerate == (int)RATE &&
	    info.frames > 0 && info.frames <= 100 * (sf_count_t)RATE) {
		lr = (float *)malloc(sizeof(float) * 2 * (size_t)info.frames);
		if (lr &&
		    sf_readf_float(file, lr, info.frames) != info.frames) {
			free(lr);
			lr = NULL;
		}
	}
	sf_close(file);
	*frames = lr ? (uint32_t)info.frames : 0;
	return lr;
}

/* Whether lr is take k whole: its length, every frame before the seam
 * exactly, and the seam's cross-fade into the gap before it.  Else why
 * not, into why. */
static bool
is_whole_take(const Torn *t, unsigned k, const float *lr, uint32_t frames,
	      char *why, size_t size)
{
	const uint32_t length = t->takes[k].length;
	if (frames != length) {
		snprintf(why, size, "it holds %u frames; take %u was %u long",
			 frames, k, length);
		return false;
	}
	const uint32_t ramp = et_looper_ramp_frames(RATE);
	const uint32_t r    = ramp < length / 4 ? ramp : length / 4;
	for (uint32_t i = 0; i < length - r; ++i) {
		if (lr[2 * i] != take_left(k) ||
		    lr[2 * i + 1] != take_right(i)) {
			snprintf(why, size,
				 "frame %u is not take %u's frame %u", i, k,
				 i);
			return false;
		}
	}
	for (uint32_t i = 0; i < r; ++i) {
		const uint32_t j = length - r + i;
		const float    w = et_looper_seam_weight(i, r);
		const float    l = take_left(k) * (1.0f - w) + gap_left(k) * w;
		const float    rr = take_right(j) * (1.0f - w) + GAP_RIGHT * w;
		if (fabsf(lr[2 * j] - l) > 1e-6f ||
		    fabsf(lr[2 * j + 1] - rr) > 1e-6f) {
			snprintf(
			    why, size,
			    "frame %u (the seam's %u of %u) is %.9g %.9g, "
			    "want take %u's cross-fade %.9g %.9g",
			    j, i, r, (double)lr[2 * j], (double)lr[2 * j + 1],
			    k, (double)l, (double)rr);
			return false;
		}
	}
	return true;
}

/* The last take complete within the first `blocks` blocks, or -1. */
static int
last_complete(const Torn *t, unsigned planned, uint64_t blocks)
{
	int last = -1;
	for (unsigned k = 0; k < planned && t->takes[k].end < blocks; ++k) {
		last = (int)k;
	}
	return last;
}

/* Checks one save, made while blocks done0 .. begun1 - 1 may have run. */
static void
check_save(Saver *s, const EthState *state, uint64_t done0, uint64_t begun1,
	   unsigned planned, bool beside_the_other)
{
	const Torn    *t            = s->t;
	const unsigned n            = ++s->saves;
	bool over_a_replacing_start = false, over_a_replacing_end = false;
	for (unsigned k = 0; k < planned; ++k) {
		if (t->takes[k].start >= done0 && t->takes[k].start < begun1) {
			++s->over_a_start;
			s->over_a_replacing_start += k > 0;
			over_a_replacing_start |= k > 0;
		}
		over_a_replacing_end |= k > 0 && t->takes[k].end >= done0 &&
					t->takes[k].end < begun1;
	}
	if (beside_the_other) {
		++s->beside_the_other;
		s->beside_the_other_over_a_replacing_start +=
		    over_a_replacing_start;
		s->beside_the_other_over_a_replacing_end +=
		    over_a_replacing_end;
	}
	if (!state) {
		++s->failed;
		note(s->first_other, sizeof(s->first_other),
		     "save %u failed (the log says why)", n);
		return;
	}

	/* The last complete take when the save began (or before), and the
	 * last that may have completed by its end. */
	const int   before = last_complete(t, planned, done0);
	const int   after  = last_complete(t, planned, begun1);
	const char *abstract =
	    (const char *)eth_state_get(state, LOOP_KEY, NULL, NULL, NULL);
	if (!abstract) {
		++s->without_loop;
		if (before >= 0) {
			++s->lost;
			note(
			    s->first_other, sizeof(s->first_other),
			    "save %u (blocks %llu..%llu) holds no loop, though take %d "
			    "was complete before it began",
			    n, (unsigned long long)done0,
			    (unsigned long long)begun1 - 1, before);
		}
		return;
	}
	++s->with_loop;

	uint32_t       size   = 0;
	const int64_t *stored = (const int64_t *)eth_state_get(
	    state, LENGTH_KEY, &size, NULL, NULL);
	char path[4096];
	if (abstract[0] == '/') {
		snprintf(path, sizeof(path), "%s", abstract);
	} else {
		snprintf(path, sizeof(path), "%s/%s", s->dir, abstract);
	}
	uint32_t frames = 0;
	float   *lr     = read_loop(path, &frames);
	if (!lr || !stored || size != sizeof(int64_t)) {
		++s->failed;
		note(s->first_other, sizeof(s->first_other), "save %u: %s", n,
		     !lr ? "loop.wav cannot be read as a 48 kHz "
			   "stereo file"
			 : "no length stored");
		free(lr);
		return;
	}

	char     why[256] = "";
	unsigned k        = 0;
	bool     whole    = false;
	if ((int64_t)frames != *stored) {
		snprintf(why, sizeof(why),
			 "it holds %u frames under a stored "
			 "length of %lld",
			 frames, (long long)*stored);
	} else if (!signature_of(lr[0], &k) || lr[1] != 0.0f) {
		snprintf(why, sizeof(why),
			 "its frame 0 (%.9g %.9g) is no take's "
			 "first frame",
			 (double)lr[0], (double)lr[1]);
	} else if (k >= planned) {
		snprintf(why, sizeof(why),
			 "its frame 0 is take %u's, a take not "
			 "planned yet",
			 k);
	} else if ((int)k > after) {
		snprintf(why, sizeof(why),
			 "it begins with take %u, which was still "
			 "recording when the save ended",
			 k);
	} else {
		whole = is_whole_take(t, k, lr, frames, why, sizeof(why));
	}
	if (!whole) {
		++s->torn;
		if (!s->first_torn[0]) {
			char runs[1024] = "";
			describe(runs, sizeof(runs), lr, frames);
			note(
			    s->first_torn, sizeof(s->first_torn),
			    "save %u (while blocks %llu..%llu ran; the last complete "
			    "take was %d when it began, %d at most when it ended) is "
			    "torn: %s.  Its %u frames:%s",
			    n, (unsigned long long)done0,
			    (unsigned long long)begun1 - 1, before, after, why,
			    frames, runs);
		}
	} else if ((int)k < before) {
		++s->stale;
		note(
		    s->first_other, sizeof(s->first_other),
		    "save %u (blocks %llu..%llu) holds take %u whole, but take %d "
		    "was complete before the save began",
		    n, (unsigned long long)done0,
		    (unsigned long long)begun1 - 1, k, before);
	}
	free(lr);
}

static uint32_t
next_random(uint32_t *x)
{
	/* xorshift32: the same takes every run; only the threads' timing
	 * differs. */
	*x ^= *x << 13;
	*x ^= *x >> 17;
	*x ^= *x << 5;
	return *x;
}

/* Pauses this saver for `us` microseconds, or until woken. */
static void
pause_or_wake(Saver *s, unsigned us)
{
	struct timespec until;
	clock_gettime(CLOCK_MONOTONIC, &until);
	until.tv_nsec += (long)us * 1000;
	until.tv_sec += until.tv_nsec / 1000000000;
	until.tv_nsec %= 1000000000;
	pthread_mutex_lock(&s->lock);
	atomic_store(&s->pausing, true);
	while (!s->woken && !atomic_load(&s->t->stop) &&
	       pthread_cond_timedwait(&s->cond, &s->lock, &until) == 0) {
	}
	s->woken = false;
	atomic_store(&s->pausing, false);
	pthread_mutex_unlock(&s->lock);
}

/* state:makePath, in save()'s thread: the plugin has pinned the loop it
 * is about to write.  Holds the save here if the main thread asked. */
static void
at_make_path(void *data)
{
	Saver *s = (Saver *)data;
	atomic_fetch_add(&s->made_paths, 1);
	if (!atomic_exchange(&s->hold, false)) {
		return;
	}
	pthread_mutex_lock(&s->lock);
	atomic_store(&s->held, true);
	while (!s->let_go && !atomic_load(&s->t->stop)) {
		pthread_cond_wait(&s->cond, &s->lock);
	}
	s->let_go = false;
	atomic_store(&s->held, false);
	pthread_mutex_unlock(&s->lock);
}

static void *
saver(void *arg)
{
	Saver       *s     = (Saver *)arg;
	Torn        *t     = s->t;
	const Saver *other = s->other;
	uint32_t     rng   = 0x9E3779B9u * (s->number + 1);
	while (!atomic_load(&t->stop)) {
		if (other) {
			pause_or_wake(s,
				      next_random(&rng) % (PAUSE_MAX_US + 1));
		}
		const uint64_t done0 = atomic_load(&t->done);
		atomic_fetch_add(&t->saves_begun, 1);
		/* Whether the other saver is saving now, or begins before this
		 * save ends: its count of ends is loaded after its count of
		 * beginnings, so in0 > out0 means it was inside a save then.
		 */
		atomic_fetch_add(&s->in, 1);
		const unsigned in0  = other ? atomic_load(&other->in) : 0;
		const unsigned out0 = other ? atomic_load(&other->out) : 0;
		const double   t0   = now();
		EthState *state = other ? eth_state_save_with(t->host, s->dir,
							      at_make_path, s)
					: eth_state_save(t->host, s->dir);
		const double   took = now() - t0;
		const unsigned in1  = other ? atomic_load(&other->in) : 0;
		atomic_fetch_add(&s->out, 1);
		const uint64_t begun1 = atomic_load(&t->begun);
		/* Read after the save: every take it can hold is planned. */
		const unsigned planned = atomic_load(&t->planned);
		if (took > s->longest_save) {
			s->longest_save = took;
		}
		check_save(s, state, done0, begun1, planned,
			   other && (in0 > out0 || in1 > in0));
		eth_state_free(state);
	}
	return NULL;
}

/* ------------------------------------------------------- the main thread */

/* One block of input: take k's frames from `pos` on, or (take false) the
 * gap before take k. */
static void
play(Torn *t, uint64_t *block, bool take, unsigned k, uint32_t pos)
{
	float *l = eth_audio(t->host, "in_l");
	float *r = eth_audio(t->host, "in_r");
	for (uint32_t i = 0; i < BLOCK; ++i) {
		l[i] = take ? take_left(k) : gap_left(k);
		r[i] = take ? take_right(pos + i) : GAP_RIGHT;
	}
	if (t->rolling) {
		/* As hosts do, a position every block: the transport rolls on
		 * without a jump. */
		const int64_t frame = (int64_t)*block * BLOCK;
		const double  beats = (double)frame * BPM / (60.0 * RATE);
		const double  bar   = floor(beats / 4.0);
		eth_position(t->host, 0, frame, 1.0, BPM, 4.0, (int64_t)bar,
			     (float)(beats - bar * 4.0));
	}
	atomic_store(&t->begun, *block + 1);
	eth_run(t->host, BLOCK);
	atomic_store(&t->done, *block + 1);
	++*block;
}

/* Until a saver begins another save (or WAIT_SECONDS): false if none
 * did. */
static bool
wait_for_a_save(Torn *t)
{
	const unsigned seen     = atomic_load(&t->saves_begun);
	const double   deadline = now() + WAIT_SECONDS;
	while (atomic_load(&t->saves_begun) == seen) {
		if (now() > deadline) {
			return false;
		}
		sched_yield();
	}
	return true;
}

/* ---- the main thread's side of the savers, with two */

/* Ends the saver's pause now (or its next one, if it is not pausing). */
static void
wake(Saver *s)
{
	pthread_mutex_lock(&s->lock);
	s->woken = true;
	pthread_cond_signal(&s->cond);
	pthread_mutex_unlock(&s->lock);
}

/* Its next save that asks for a path will be held in makePath. */
static void
hold_next(Saver *s)
{
	pthread_mutex_lock(&s->lock);
	s->let_go = false;
	pthread_mutex_unlock(&s->lock);
	atomic_store(&s->hold, true);
}

/* A save held in makePath goes on (or the next one will not stop). */
static void
go_on(Saver *s)
{
	atomic_store(&s->hold, false);
	pthread_mutex_lock(&s->lock);
	s->let_go = true;
	pthread_cond_signal(&s->cond);
	pthread_mutex_unlock(&s->lock);
}

/* Yields until *count is no longer `seen` (or `seconds`): false if it
 * stayed. */
static bool
wait_for_change(atomic_uint *count, unsigned seen, double seconds)
{
	const double deadline = now() + seconds;
	while (atomic_load(count) == seen) {
		if (now() > deadline) {
			return false;
		}
		sched_yield();
	}
	return true;
}

/* Yields until a save of s is held (or WAIT_SECONDS): false if none
 * was. */
static bool
wait_until_held(const Saver *s)
{
	const double deadline = now() + WAIT_SECONDS;
	while (!atomic_load(&s->held)) {
		if (now() > deadline) {
			return false;
		}
		sched_yield();
	}
	return true;
}

/* Yields until both savers pause (or WAIT_SECONDS), so that waking one
 * starts a save at once: false if they never did together. */
static bool
wait_until_both_pause(const Torn *t)
{
	const Saver *s        = t->savers;
	const double deadline = now() + WAIT_SECONDS;
	while (!atomic_load(&s[0].pausing) || !atomic_load(&s[1].pausing)) {
		if (now() > deadline) {
			return false;
		}
		sched_yield();
	}
	return true;
}

/* Whether either saver is inside a save. */
static bool
a_save_under_way(const Torn *t)
{
	const Saver *s = t->savers;
	return atomic_load(&s[0].in) != atomic_load(&s[0].out) ||
	       atomic_load(&s[1].in) != atomic_load(&s[1].out);
}

/* Plays the first block of the gap before take `next`, which ends take
 * next - 1.  With two savers, if take next - 1 replaced a loop: one
 * saver's save is held in makePath over that block, the old loop pinned
 * and about to be written, while the other saver saves, in turns
 *   - before it: that same loop, whole, and unpins it (the first save's
 *     unpin, as the review found it),
 *   - after it: it begins, and pins the new loop (the second save's pin).
 * The held saver is returned, for the caller to let go on (go_on()) after
 * one block more: without a lock around save(), run() may have let go of
 * the loop it is writing by then.  With one, the other save waits for
 * the held one instead, and gets to makePath only after HELD_SECONDS. */
static Saver *
end_take(Torn *t, uint64_t *block, unsigned next)
{
	if (!t->savers || next < 2 || !wait_until_both_pause(t)) {
		play(t, block, false, next, 0);
		return NULL;
	}
	Saver     *held         = &t->savers[next % 2];
	Saver     *other        = &t->savers[1 - next % 2];
	const bool first_unpins = next / 2 % 2 == 0;
	hold_next(held);
	wake(held);
	if (!wait_until_held(held)) {
		go_on(held); /* (it never asked for a path: no loop?) */
		play(t, block, false, next, 0);
		return NULL;
	}
	++t->ends_held;
	const unsigned paths = atomic_load(&other->made_paths);
	const unsigned outs  = atomic_load(&other->out);
	if (first_unpins) {
		wake(other);
		if (wait_for_change(&other->made_paths, paths, HELD_SECONDS)) {
			++t->went_on;
			wait_for_change(&other->out, outs, WAIT_SECONDS);
		}
	}
	play(t, block, false, next, 0);
	if (!first_unpins) {
		wake(other);
		t->went_on +=
		    wait_for_change(&other->made_paths, paths, HELD_SECONDS);
	}
	return held;
}

/* The loop as the ports show it after take k ended; into problem if it is
 * not take k, playing. */
static bool
take_is_the_loop(Torn *t, unsigned k, char *problem, size_t size)
{
	const float  state  = eth_get(t->host, "loop_state");
	const float  length = eth_get(t->host, "loop_length");
	const double want   = t->takes[k].length / RATE;
	if (state != 3.0f || fabs(length - want) > 1e-6) {
		snprintf(problem, size,
			 "after take %u: loop_state %g, loop_length "
			 "%.6f s; want 3 (playing), %.6f s",
			 k, (double)state, (double)length, want);
		return false;
	}
	return true;
}

/* Records t->rounds takes, each replacing the last, while the savers save;
 * into problem if the looper does not do as asked. */
static void
record_takes(Torn *t, uint32_t seed, unsigned *waits_missed, char *problem,
	     size_t size)
{
	EthHost *h     = t->host;
	uint64_t block = 0;
	uint32_t rng   = seed;
	eth_set(h, "monitor", 0);
	eth_set(h, "loop_overdub", 0);
	eth_set(h, "loop_quantize", 0);
	/* With two savers, a block between end_take() and go_on(): the gap
	 * has two at least. */
	const unsigned gap_min = t->savers ? 2 : 1;
	for (unsigned k = 0; k < t->rounds; ++k) {
		const unsigned gap =
		    gap_min +
		    next_random(&rng) % (GAP_MAX_BLOCKS - gap_min + 1);
		const unsigned lead =
		    next_random(&rng) % (LEAD_MAX_BLOCKS + 1);
		const unsigned take =
		    TAKE_MIN_BLOCKS +
		    next_random(&rng) %
			(TAKE_MAX_BLOCKS - TAKE_MIN_BLOCKS + 1);
		Take *tk   = &t->takes[k];
		tk->start  = block + gap + lead;
		tk->end    = tk->start + take;
		tk->length = take * BLOCK;
		atomic_store(&t->planned, k + 1);

		/* The gap's first block ends the take before (loop_arm went to
		 * 0 before it). */
		Saver *held = end_take(t, &block, k);
		if (k > 0 && !take_is_the_loop(t, k - 1, problem, size)) {
			return; /* (the savers are let go when they stop) */
		}
		for (unsigned b = 1; b < gap; ++b) {
			play(t, &block, false, k, 0);
		}
		if (held) {
			go_on(held);
		}
		if (t->savers) {
			/* The held save, and most often the other, write on.
			 */
			*waits_missed += !a_save_under_way(t);
		} else {
			*waits_missed += !wait_for_a_save(t);
		}
		for (unsigned b = 0; b < lead; ++b) {
			play(t, &block, false, k, 0);
		}
		eth_set(h, "loop_arm", 1);
		for (unsigned b = 0; b < take; ++b) {
			play(t, &block, true, k, b * BLOCK);
			if (b == 0 && eth_get(h, "loop_state") != 2.0f) {
				snprintf(
				    problem, size,
				    "take %u did not start: loop_state "
				    "%g after its first block with loop_arm on, want 2 "
				    "(recording); %u saves had begun by then",
				    k, (double)eth_get(h, "loop_state"),
				    atomic_load(&t->saves_begun));
				return;
			}
		}
		eth_set(h, "loop_arm", 0);
	}
	Saver *held = end_take(t, &block, t->rounds);
	if (!take_is_the_loop(t, t->rounds - 1, problem, size)) {
		return;
	}
	for (unsigned b = 0; b < 10; ++b) { /* a last save or two of it */
		play(t, &block, false, t->rounds, 0);
		if (b == 0 && held) {
			go_on(held);
		}
	}
}

/* What a saver found, as one line's worth (after "N saves"). */
static void
print_saver(const Saver *s)
{
	print_message(
	    "%u saves (longest %.1f ms): %u with a loop, %u without; "
	    "%u overlapped a take's start, %u a replacing take's; ",
	    s->saves, s->longest_save * 1e3, s->with_loop, s->without_loop,
	    s->over_a_start, s->over_a_replacing_start);
	if (s->other) {
		print_message("%u overlapped the other saver's, %u of them a "
			      "replacing take's start too, %u its end; ",
			      s->beside_the_other,
			      s->beside_the_other_over_a_replacing_start,
			      s->beside_the_other_over_a_replacing_end);
	}
	print_message("torn %u, stale %u, lost %u, failed %u", s->torn,
		      s->stale, s->lost, s->failed);
}

/* Records `rounds` takes while n_savers savers (1 or 2) save beside run(),
 * each into a folder of its own, and fails if any save was torn or not
 * the last complete loop, or if too few saves were made to tell. */
static void
takes_and_saves(bool rolling, uint32_t seed, unsigned n_savers,
		unsigned rounds)
{
	assert_true(n_savers >= 1 && n_savers <= 2);
	assert_true(rounds >= 1 && rounds <= MAX_ROUNDS);
	Torn *t    = (Torn *)calloc(1, sizeof(Torn));
	t->rolling = rolling;
	t->rounds  = rounds;
	t->host    = eth_new(RATE);
	atomic_init(&t->planned, 0);
	atomic_init(&t->begun, 0);
	atomic_init(&t->done, 0);
	atomic_init(&t->saves_begun, 0);
	atomic_init(&t->stop, false);
	Saver *savers = (Saver *)calloc(n_savers, sizeof(Saver));
	for (unsigned i = 0; i < n_savers; ++i) {
		Saver *s  = &savers[i];
		s->t      = t;
		s->dir    = eth_temp_dir("torn");
		s->number = n_savers > 1 ? i + 1 : 0;
		s->other  = n_savers > 1 ? &savers[1 - i] : NULL;
		atomic_init(&s->in, 0);
		atomic_init(&s->out, 0);
		atomic_init(&s->made_paths, 0);
		atomic_init(&s->pausing, false);
		atomic_init(&s->hold, false);
		atomic_init(&s->held, false);
		pthread_mutex_init(&s->lock, NULL);
		pthread_condattr_t
		    attr; /* its pause is timed by CLOCK_MONOTONIC */
		pthread_condattr_init(&attr);
		pthread_condattr_setclock(&attr, CLOCK_MONOTONIC);
		pthread_cond_init(&s->cond, &attr);
		pthread_condattr_destroy(&attr);
	}
	t->savers = n_savers > 1 ? savers : NULL;

	const double start = now();
	pthread_t    threads[2];
	unsigned     started = 0;
	while (started < n_savers &&
	       pthread_create(&threads[started], NULL, saver,
			      &savers[started]) == 0) {
		++started;
	}
	char     problem[512] = "";
	unsigned waits_missed = 0;
	if (started == n_savers) {
		record_takes(t, seed, &waits_missed, problem, sizeof(problem));
	}
	/* No cmocka assertion before the savers are joined: they use the
	 * host. */
	atomic_store(&t->stop, true);
	for (unsigned i = 0; i < started; ++i) {
		wake(&savers[i]);
		go_on(&savers[i]);
		pthread_join(threads[i], NULL);
	}
	const double took = now() - start;
	assert_int_equal(started, n_savers);

	const char *transport = rolling ? "transport rolling" : "no transport";
	if (n_savers == 1) {
		print_message("%s: %u takes in %.1f s; ", transport,
			      atomic_load(&t->planned), took);
		print_saver(&savers[0]);
		print_message("; %u takes began with no save under way\n",
			      waits_missed);
	} else {
		print_message(
		    "two savers, %s: %u takes in %.1f s; %u takes began "
		    "with no save under way; %u ended with a save held in "
		    "makePath, and at %u of them the other save got to "
		    "makePath too\n",
		    transport, atomic_load(&t->planned), took, waits_missed,
		    t->ends_held, t->went_on);
		for (unsigned i = 0; i < n_savers; ++i) {
			print_message("  saver %u: ", savers[i].number);
			print_saver(&savers[i]);
			print_message("\n");
		}
	}
	unsigned failed = 0;
	for (unsigned i = 0; i < n_savers; ++i) {
		failed += savers[i].failed;
	}
	if (failed) {
		print_message("the log: %s\n", eth_log_text(t->host));
	}

	/* The verdicts: the first torn save and the first other failure (of
	 * the lowest-numbered saver that has one), and the counts, in total
	 * and per saver. */
	char torn[sizeof(savers[0].first_torn) + 32]   = "";
	char other[sizeof(savers[0].first_other) + 32] = "";
	char torn_each[128] = "", other_each[128] = "", tried_each[256] = "";
	unsigned n_torn = 0, n_other = 0, too_few = 0, side_by_side = 0;
	for (unsigned i = 0; i < n_savers; ++i) {
		const Saver   *s         = &savers[i];
		const unsigned o         = s->stale + s->lost + s->failed;
		char           whose[32] = "";
		if (n_savers > 1) {
			snprintf(whose, sizeof(whose),
				 "saver %u's: ", s->number);
		}
		if (s->torn && !torn[0]) {
			snprintf(torn, sizeof(torn), "%s%s", whose,
				 s->first_torn);
		}
		if (o && !other[0]) {
			snprintf(other, sizeof(other), "%s%s", whose,
				 s->first_other);
		}
		n_torn += s->torn;
		n_other += o;
		side_by_side += s->beside_the_other_over_a_replacing_end;
		const size_t te = strlen(torn_each), oe = strlen(other_each),
			     ye = strlen(tried_each);
		snprintf(torn_each + te, sizeof(torn_each) - te,
			 "%ssaver %u %u", i ? ", " : "", s->number, s->torn);
		snprintf(other_each + oe, sizeof(other_each) - oe,
			 "%ssaver %u %u", i ? ", " : "", s->number, o);
		snprintf(
		    tried_each + ye, sizeof(tried_each) - ye,
		    "%ssaver %u: %u held a loop, %u overlapped a replacing "
		    "take's start",
		    i ? "; " : "", s->number, s->with_loop,
		    s->over_a_replacing_start);
		too_few += s->with_loop < MIN_SAVES_WITH_LOOP ||
			   s->over_a_replacing_start <
			       MIN_SAVES_OVER_A_REPLACING_TAKE;
	}
	const unsigned with      = savers[0].with_loop;
	const unsigned over      = savers[0].over_a_replacing_start;
	const unsigned ends_held = t->ends_held;
	for (unsigned i = 0; i < n_savers; ++i) {
		eth_remove_dir(savers[i].dir);
		pthread_cond_destroy(&savers[i].cond);
		pthread_mutex_destroy(&savers[i].lock);
	}
	eth_free(t->host);
	free(savers);
	free(t);

	if (problem[0]) {
		fail_msg("the looper did not record as asked: %s", problem);
	}
	if (n_torn && n_savers == 1) {
		fail_msg("%u torn saves; the first: %s", n_torn, torn);
	}
	if (n_torn) {
		fail_msg("%u torn saves (%s); the first: %s", n_torn,
			 torn_each, torn);
	}
	if (n_other && n_savers == 1) {
		fail_msg(
		    "%u saves did not hold the last complete loop; the first: "
		    "%s",
		    n_other, other);
	}
	if (n_other) {
		fail_msg(
		    "%u saves did not hold the last complete loop (%s); the "
		    "first: %s",
		    n_other, other_each, other);
	}
	if (too_few && n_savers == 1) {
		fail_msg("too few saves to tell: %u held a loop (want %u), %u "
			 "overlapped a replacing take's start (want %u)",
			 with, MIN_SAVES_WITH_LOOP, over,
			 MIN_SAVES_OVER_A_REPLACING_TAKE);
	}
	if (too_few) {
		fail_msg("too few saves to tell: %s (want %u and %u of each)",
			 tried_each, MIN_SAVES_WITH_LOOP,
			 MIN_SAVES_OVER_A_REPLACING_TAKE);
	}
	if (n_savers > 1 && (side_by_side < MIN_SAVES_SIDE_BY_SIDE ||
			     ends_held < MIN_ENDS_HELD)) {
		fail_msg(
		    "too few saves to tell: %u overlapped both the other "
		    "saver's and a replacing take's end (want %u); %u take "
		    "ends had a save held in makePath (want %u)",
		    side_by_side, MIN_SAVES_SIDE_BY_SIDE, ends_held,
		    MIN_ENDS_HELD);
	}
}

/* ----------------------------------------------------------------- tests */

static void
saves_beside_takes_with_the_transport_rolling_hold_one_whole_take(void **state)
{
	(void)state;
	takes_and_saves(true, 0x2545F491u, 1, ROUNDS);
}

static void
saves_beside_free_takes_hold_one_whole_take(void **state)
{
	(void)state;
	takes_and_saves(false, 0x9E3779B9u, 1, ROUNDS);
}

static void
two_saves_at_once_beside_takes_each_hold_one_whole_take(void **state)
{
	(void)state;
	takes_and_saves(true, 0x6C8E9CF5u, 2, TWO_SAVER_ROUNDS);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(
		    saves_beside_takes_with_the_transport_rolling_hold_one_whole_take),
		cmocka_unit_test(saves_beside_free_takes_hold_one_whole_take),
		cmocka_unit_test(
		    two_saves_at_once_beside_takes_each_hold_one_whole_take),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
