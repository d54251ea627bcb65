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
 * replacing take, so it cannot pass without having tried. */
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

#define RATE 48000.0
#define BPM 120.0
#define BLOCK 480 /* 10 ms */
#define ROUNDS 250 /* takes per test */
#define TAKE_MIN_BLOCKS 30  /* 0.3 s */
#define TAKE_MAX_BLOCKS 150 /* 1.5 s */
/* Gap blocks before the main thread waits for a save to begin (at least
 * one: the seam's pre-roll, 192 frames, lies in the gap), then blocks run
 * between the save's start and the take's: how far into the save's
 * writing the take starts. */
#define GAP_MAX_BLOCKS 8
#define LEAD_MAX_BLOCKS 40
#define WAIT_SECONDS 0.1 /* for a save to begin, at most */
/* Enough to say the test tried. */
#define MIN_SAVES_WITH_LOOP 50
#define MIN_SAVES_OVER_A_REPLACING_TAKE 20

#define STATE_KEY(k) "urn:eighttrack:state#" k
#define LOOP_KEY STATE_KEY("loop")
#define LENGTH_KEY STATE_KEY("length")

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

/* What the main thread shares with the saver. */
typedef struct {
	EthHost *host;
	bool     rolling;

	/* Written by the main thread; takes[k] for k < planned never
	 * changes again. */
	Take                 takes[ROUNDS];
	atomic_uint          planned;
	atomic_uint_fast64_t begun, done; /* blocks */
	atomic_uint          saves_begun;
	atomic_bool          stop;
} Torn;

/* The saver thread: its folder, and what it found. */
typedef struct {
	Torn *t;
	char *dir;

	/* The saver's own, read by the main thread after joining it. */
	unsigned saves, with_loop, without_loop;
	unsigned over_a_start, over_a_replacing_start;
	unsigned torn, stale, lost, failed;
	double   longest_save;
	char     first_torn[2048];
	char     first_other[1024];
} Saver;

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
	if (!(scaled >= 1.0f && scaled <= 1000.0f) || scaled != floorf(scaled)) {
		return false;
	}
	*n = (unsigned)scaled - 1;
	return true;
}

static Origin
origin_of(const float *frame, uint32_t i)
{
	Origin o = {FROM_NEITHER, 0, false};
	if (signature_of(frame[0], &o.take) && frame[1] >= 0.0f &&
	    frame[1] < 1.0f && frame[1] * 4096.0f == floorf(frame[1] * 4096.0f)) {
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
			snprintf(out + used, size - used, "\n      ... (more)");
			return;
		}
		int n = 0;
		if (o.source == FROM_TAKE) {
			n = snprintf(out + used, size - used,
			             "\n      frames %u..%u: take %u's%s", a, b - 1, o.take,
			             o.in_place ? " (its own frames there)"
			                        : " (frames from elsewhere in it)");
		} else if (o.source == FROM_GAP) {
			n = snprintf(out + used, size - used,
			             "\n      frames %u..%u: the input before take %u", a,
			             b - 1, o.take);
		} else {
			n = snprintf(out + used, size - used,
			             "\n      frames %u..%u: neither (a cross-fade?), "
			             "first %.9g %.9g", a, b - 1, (double)lr[2 * a],
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
	SF_INFO  info;
	memset(&info, 0, sizeof(info));
	SNDFILE *file = sf_open(path, SFM_READ, &info);
	if (!file) {
		return NULL;
	}
	float *lr = NULL;
	if (info.channels == 2 && info.samplerate == (int)RATE &&
	    info.frames > 0 && info.frames <= 100 * (sf_count_t)RATE) {
		lr = (float *)malloc(sizeof(float) * 2 * (size_t)info.frames);
		if (lr && sf_readf_float(file, lr, info.frames) != info.frames) {
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
		if (lr[2 * i] != take_left(k) || lr[2 * i + 1] != take_right(i)) {
			snprintf(why, size, "frame %u is not take %u's frame %u", i, k, i);
			return false;
		}
	}
	for (uint32_t i = 0; i < r; ++i) {
		const uint32_t j   = length - r + i;
		const float    w   = et_looper_seam_weight(i, r);
		const float    l   = take_left(k) * (1.0f - w) + gap_left(k) * w;
		const float    rr  = take_right(j) * (1.0f - w) + GAP_RIGHT * w;
		if (fabsf(lr[2 * j] - l) > 1e-6f || fabsf(lr[2 * j + 1] - rr) > 1e-6f) {
			snprintf(why, size, "frame %u (the seam's %u of %u) is %.9g %.9g, "
			         "want take %u's cross-fade %.9g %.9g", j, i, r,
			         (double)lr[2 * j], (double)lr[2 * j + 1], k, (double)l,
			         (double)rr);
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
           unsigned planned)
{
	const Torn    *t = s->t;
	const unsigned n = ++s->saves;
	for (unsigned k = 0; k < planned; ++k) {
		if (t->takes[k].start >= done0 && t->takes[k].start < begun1) {
			++s->over_a_start;
			s->over_a_replacing_start += k > 0;
		}
	}
	if (!state) {
		++s->failed;
		note(s->first_other, sizeof(s->first_other),
		     "save %u failed (the log says why)", n);
		return;
	}

	/* The last complete take when the save began (or before), and the
	 * last that may have completed by its end. */
	const int before = last_complete(t, planned, done0);
	const int after  = last_complete(t, planned, begun1);
	const char *abstract =
	    (const char *)eth_state_get(state, LOOP_KEY, NULL, NULL, NULL);
	if (!abstract) {
		++s->without_loop;
		if (before >= 0) {
			++s->lost;
			note(s->first_other, sizeof(s->first_other),
			     "save %u (blocks %llu..%llu) holds no loop, though take %d "
			     "was complete before it began", n,
			     (unsigned long long)done0, (unsigned long long)begun1 - 1,
			     before);
		}
		return;
	}
	++s->with_loop;

	uint32_t       size   = 0;
	const int64_t *stored =
	    (const int64_t *)eth_state_get(state, LENGTH_KEY, &size, NULL, NULL);
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
		note(s->first_other, sizeof(s->first_other),
		     "save %u: %s", n, !lr ? "loop.wav cannot be read as a 48 kHz "
		                             "stereo file"
		                           : "no length stored");
		free(lr);
		return;
	}

	char     why[256] = "";
	unsigned k        = 0;
	bool     whole    = false;
	if ((int64_t)frames != *stored) {
		snprintf(why, sizeof(why), "it holds %u frames under a stored "
		         "length of %lld", frames, (long long)*stored);
	} else if (!signature_of(lr[0], &k) || lr[1] != 0.0f) {
		snprintf(why, sizeof(why), "its frame 0 (%.9g %.9g) is no take's "
		         "first frame", (double)lr[0], (double)lr[1]);
	} else if (k >= planned) {
		snprintf(why, sizeof(why), "its frame 0 is take %u's, a take not "
		         "planned yet", k);
	} else if ((int)k > after) {
		snprintf(why, sizeof(why), "it begins with take %u, which was still "
		         "recording when the save ended", k);
	} else {
		whole = is_whole_take(t, k, lr, frames, why, sizeof(why));
	}
	if (!whole) {
		++s->torn;
		if (!s->first_torn[0]) {
			char runs[1024] = "";
			describe(runs, sizeof(runs), lr, frames);
			note(s->first_torn, sizeof(s->first_torn),
			     "save %u (while blocks %llu..%llu ran; the last complete "
			     "take was %d when it began, %d at most when it ended) is "
			     "torn: %s.  Its %u frames:%s", n,
			     (unsigned long long)done0, (unsigned long long)begun1 - 1,
			     before, after, why, frames, runs);
		}
	} else if ((int)k < before) {
		++s->stale;
		note(s->first_other, sizeof(s->first_other),
		     "save %u (blocks %llu..%llu) holds take %u whole, but take %d "
		     "was complete before the save began", n,
		     (unsigned long long)done0, (unsigned long long)begun1 - 1, k,
		     before);
	}
	free(lr);
}

static void *
saver(void *arg)
{
	Saver *s = (Saver *)arg;
	Torn  *t = s->t;
	while (!atomic_load(&t->stop)) {
		const uint64_t done0 = atomic_load(&t->done);
		atomic_fetch_add(&t->saves_begun, 1);
		const double   t0     = now();
		EthState      *state  = eth_state_save(t->host, s->dir);
		const double   took   = now() - t0;
		const uint64_t begun1 = atomic_load(&t->begun);
		/* Read after the save: every take it can hold is planned. */
		const unsigned planned = atomic_load(&t->planned);
		if (took > s->longest_save) {
			s->longest_save = took;
		}
		check_save(s, state, done0, begun1, planned);
		eth_state_free(state);
	}
	return NULL;
}

/* ------------------------------------------------------- the main thread */

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

/* Until the saver begins another save (or WAIT_SECONDS): false if none
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

/* The loop as the ports show it after take k ended; into problem if it is
 * not take k, playing. */
static bool
take_is_the_loop(Torn *t, unsigned k, char *problem, size_t size)
{
	const float state  = eth_get(t->host, "loop_state");
	const float length = eth_get(t->host, "loop_length");
	const double want  = t->takes[k].length / RATE;
	if (state != 3.0f || fabs(length - want) > 1e-6) {
		snprintf(problem, size, "after take %u: loop_state %g, loop_length "
		         "%.6f s; want 3 (playing), %.6f s", k, (double)state,
		         (double)length, want);
		return false;
	}
	return true;
}

/* Records ROUNDS takes, each replacing the last, while the saver saves;
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
	for (unsigned k = 0; k < ROUNDS; ++k) {
		const unsigned gap  = 1 + next_random(&rng) % GAP_MAX_BLOCKS;
		const unsigned lead = next_random(&rng) % (LEAD_MAX_BLOCKS + 1);
		const unsigned take =
		    TAKE_MIN_BLOCKS +
		    next_random(&rng) % (TAKE_MAX_BLOCKS - TAKE_MIN_BLOCKS + 1);
		Take *tk   = &t->takes[k];
		tk->start  = block + gap + lead;
		tk->end    = tk->start + take;
		tk->length = take * BLOCK;
		atomic_store(&t->planned, k + 1);

		/* The gap's first block ends the take before (loop_arm went to 0
		 * before it). */
		play(t, &block, false, k, 0);
		if (k > 0 && !take_is_the_loop(t, k - 1, problem, size)) {
			return;
		}
		for (unsigned b = 1; b < gap; ++b) {
			play(t, &block, false, k, 0);
		}
		*waits_missed += !wait_for_a_save(t);
		for (unsigned b = 0; b < lead; ++b) {
			play(t, &block, false, k, 0);
		}
		eth_set(h, "loop_arm", 1);
		for (unsigned b = 0; b < take; ++b) {
			play(t, &block, true, k, b * BLOCK);
			if (b == 0 && eth_get(h, "loop_state") != 2.0f) {
				snprintf(problem, size, "take %u did not start: loop_state "
				         "%g after its first block with loop_arm on, want 2 "
				         "(recording); %u saves had begun by then", k,
				         (double)eth_get(h, "loop_state"),
				         atomic_load(&t->saves_begun));
				return;
			}
		}
		eth_set(h, "loop_arm", 0);
	}
	play(t, &block, false, ROUNDS, 0);
	if (!take_is_the_loop(t, ROUNDS - 1, problem, size)) {
		return;
	}
	for (unsigned b = 0; b < 10; ++b) { /* a last save or two of it */
		play(t, &block, false, ROUNDS, 0);
	}
}

static void
takes_and_saves(bool rolling, uint32_t seed)
{
	Torn *t    = (Torn *)calloc(1, sizeof(Torn));
	t->rolling = rolling;
	t->host    = eth_new(RATE);
	Saver *s   = (Saver *)calloc(1, sizeof(Saver));
	s->t       = t;
	s->dir     = eth_temp_dir("torn");
	atomic_init(&t->planned, 0);
	atomic_init(&t->begun, 0);
	atomic_init(&t->done, 0);
	atomic_init(&t->saves_begun, 0);
	atomic_init(&t->stop, false);

	const double start = now();
	pthread_t    thread;
	assert_int_equal(pthread_create(&thread, NULL, saver, s), 0);
	char     problem[512] = "";
	unsigned waits_missed = 0;
	record_takes(t, seed, &waits_missed, problem, sizeof(problem));
	/* No cmocka assertion before the saver is joined: it uses the host. */
	atomic_store(&t->stop, true);
	pthread_join(thread, NULL);
	const double took = now() - start;

	print_message("%s: %u takes in %.1f s; %u saves (longest %.1f ms): %u "
	              "with a loop, %u without; %u overlapped a take's start, "
	              "%u a replacing take's; torn %u, stale %u, lost %u, "
	              "failed %u; %u takes began with no save under way\n",
	              rolling ? "transport rolling" : "no transport",
	              atomic_load(&t->planned), took, s->saves,
	              s->longest_save * 1e3, s->with_loop, s->without_loop,
	              s->over_a_start, s->over_a_replacing_start, s->torn,
	              s->stale, s->lost, s->failed, waits_missed);
	if (s->failed) {
		print_message("the log: %s\n", eth_log_text(t->host));
	}
	char torn[sizeof(s->first_torn)];
	char other[sizeof(s->first_other)];
	snprintf(torn, sizeof(torn), "%s", s->first_torn);
	snprintf(other, sizeof(other), "%s", s->first_other);
	const unsigned n_torn  = s->torn;
	const unsigned n_other = s->stale + s->lost + s->failed;
	const unsigned with    = s->with_loop;
	const unsigned over    = s->over_a_replacing_start;
	eth_free(t->host);
	eth_remove_dir(s->dir);
	free(s);
	free(t);

	if (problem[0]) {
		fail_msg("the looper did not record as asked: %s", problem);
	}
	if (n_torn) {
		fail_msg("%u torn saves; the first: %s", n_torn, torn);
	}
	if (n_other) {
		fail_msg("%u saves did not hold the last complete loop; the first: "
		         "%s", n_other, other);
	}
	if (with < MIN_SAVES_WITH_LOOP || over < MIN_SAVES_OVER_A_REPLACING_TAKE) {
		fail_msg("too few saves to tell: %u held a loop (want %u), %u "
		         "overlapped a replacing take's start (want %u)", with,
		         MIN_SAVES_WITH_LOOP, over, MIN_SAVES_OVER_A_REPLACING_TAKE);
	}
}

/* ----------------------------------------------------------------- tests */

static void
saves_beside_takes_with_the_transport_rolling_hold_one_whole_take(void **state)
{
	(void)state;
	takes_and_saves(true, 0x2545F491u);
}

static void
saves_beside_free_takes_hold_one_whole_take(void **state)
{
	(void)state;
	takes_and_saves(false, 0x9E3779B9u);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(saves_beside_takes_with_the_transport_rolling_hold_one_whole_take),
	    cmocka_unit_test(saves_beside_free_takes_hold_one_whole_take),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
