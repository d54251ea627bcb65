/* make bench: what the built bundle costs, beside a plain reference
 * measured in the same run on the same machine (issue 6).
 *
 * Routing: ns per MIDI event at 1, 64 and 1000 events per 256-frame block,
 * beside an event-by-event copy of the same atom sequence.  Looper: ns per
 * frame idle, recording, playing and overdubbing (one loop), and with
 * eight 2 s loops playing ("eight"), at 48 kHz in blocks of 32, 256 and
 * 1024 frames, beside a plain stereo gain (out = g * in, two
 * channels) of the same block; then, at 256 frames, play and overdub
 * against the loop's length and the undo steps behind it, and the first
 * second of a pass (where the undo step's copies are made) on its own.
 * Page faults: the minor faults that run() takes while recording 20 s and
 * while playing it (getrusage).  Each figure is the median of REPS
 * repetitions; the looper table's are the medians of PASSES such figures,
 * taken PASS_GAP_S seconds apart, with the range of the ratio over the
 * passes.
 *
 * Only the plugin's run() is timed (lv2host brackets each call with
 * clock_gettime); the cost of that bracket itself, measured here the same
 * way with nothing inside, is subtracted, so a 32-frame block is not
 * charged for the timer.  The references are timed over whole batches and
 * end in a compiler barrier, so the copies cannot be elided.  Each
 * repetition of the plugin is followed by one of its reference, so that
 * both see the same load on a shared machine.
 *
 *   build/bench                       the whole table
 *   build/bench looper MODE BLOCK     one repetition of one looper case
 *                                     (48000 frames) for callgrind:
 *                                     --toggle-collect=looper_reps
 *   build/bench looper MODE BLOCK N   the medians of N (up to 9) of them,
 *                                     to compare two builds
 *   build/bench routing EVENTS        the same for routing (200 blocks):
 *                                     --toggle-collect=router_reps
 */
#define _GNU_SOURCE /* RUSAGE_THREAD */
#include "lv2host.h"

#include <lv2/atom/atom.h>
#include <lv2/atom/util.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>

#define REPS       9
#define PASSES     5 /* of the looper table: its figures are their medians */
#define PASS_GAP_S 2 /* seconds between two passes */
#define RATE       48000.0

/* The optimizer must assume that the memory behind p is read. */
#define USE_MEMORY(p) __asm__ __volatile__("" : : "r"(p) : "memory")

static size_t allocations; /* inside run(), over the whole bench */
static double timer_ns;    /* one empty clock_gettime bracket */

static uint64_t
now_ns(void)
{
	struct timespec t;
	clock_gettime(CLOCK_MONOTONIC, &t);
	return (uint64_t)t.tv_sec * 1000000000u + (uint64_t)t.tv_nsec;
}

static int
compare(const void *a, const void *b)
{
	const double x = *(const double *)a, y = *(const double *)b;
	return (x > y) - (x < y);
}

static double
median(double *v, int n)
{
	qsort(v, (size_t)n, sizeof(double), compare);
	return v[n / 2];
}

/* What lv2host's bracket around run() costs by itself, as it does it. */
static double
measure_timer_ns(void)
{
	double per_rep[REPS];
	for (int r = 0; r < REPS; ++r) {
		uint64_t total = 0;
		for (int i = 0; i < 20000; ++i) {
			struct timespec t0, t1;
			clock_gettime(CLOCK_MONOTONIC, &t0);
			clock_gettime(CLOCK_MONOTONIC, &t1);
			total +=
			    (uint64_t)(t1.tv_sec - t0.tv_sec) * 1000000000u +
			    (uint64_t)(t1.tv_nsec - t0.tv_nsec);
		}
		per_rep[r] = (double)total / 20000.0;
	}
	return median(per_rep, REPS);
}

/* run()'s own time, without the bracket. */
static double
run_ns(EthHost *host)
{
	return (double)eth_last_run_ns(host) - timer_ns;
}

static void
count_allocations(EthHost *host)
{
	const size_t n = eth_allocations_in_run(host);
	if (n) {
		printf("!! %zu allocations in run()\n", n);
	}
	allocations += n;
}

/* ------------------------------------------------------------------ MIDI */

#define ROUTING_BLOCK 256
#define ROUTING_LOOPS 200

static void
note(unsigned e, uint32_t *frame, uint8_t msg[3])
{
	*frame =
	    (uint32_t)((uint64_t)e * ROUTING_BLOCK / 1000u); /* ascending */
	msg[0] = (e & 1) ? 0x80 : 0x90;
	msg[1] = (uint8_t)(60 + (e / 2) % 24);
	msg[2] = 100;
}

static _Alignas(8) uint8_t ref_in[1 << 16], ref_out[1 << 16];

/* The reference's input: the same notes the plugin gets, as an atom
 * sequence. */
static void
make_reference_sequence(unsigned events)
{
	LV2_Atom_Sequence *seq = (LV2_Atom_Sequence *)ref_in;
	seq->atom.type         = 1;
	seq->atom.size         = sizeof(LV2_Atom_Sequence_Body);
	for (unsigned e = 0; e < events; ++e) {
		LV2_Atom_Event *ev =
		    (LV2_Atom_Event *)(ref_in + sizeof(LV2_Atom) +
				       seq->atom.size);
		uint32_t frame;
		note(e, &frame, (uint8_t *)(ev + 1));
		ev->time.frames = frame;
		ev->body.size   = 3;
		ev->body.type   = 2;
		seq->atom.size += sizeof(LV2_Atom_Event) + 8;
	}
}

/* One repetition of the reference: an event-by-event copy of that
 * sequence, the least a MIDI plugin that forwards its input can do. */
static double
reference_event_copy_ns(unsigned events)
{
	const LV2_Atom_Sequence *seq = (const LV2_Atom_Sequence *)ref_in;
	const uint64_t           t0  = now_ns();
	for (int loop = 0; loop < ROUTING_LOOPS; ++loop) {
		USE_MEMORY(ref_in); /* the input is new every time */
		LV2_Atom_Sequence *dst = (LV2_Atom_Sequence *)ref_out;
		memcpy(dst, seq, sizeof(LV2_Atom_Sequence));
		uint32_t offset = sizeof(LV2_Atom_Sequence);
		LV2_ATOM_SEQUENCE_FOREACH(seq, ev)
		{
			const uint32_t size =
			    (uint32_t)sizeof(LV2_Atom_Event) +
			    lv2_atom_pad_size(ev->body.size);
			if (offset + size > sizeof(ref_out)) {
				break;
			}
			memcpy(ref_out + offset, ev,
			       sizeof(LV2_Atom_Event) + ev->body.size);
			offset += size;
		}
		dst->atom.size = offset - (uint32_t)sizeof(LV2_Atom);
		USE_MEMORY(ref_out);
	}
	return (double)(now_ns() - t0) / (ROUTING_LOOPS * (double)events);
}

/* One repetition of the plugin. */
static double
router_rep_ns(EthHost *host, unsigned events)
{
	double total = 0.0;
	for (int loop = 0; loop < ROUTING_LOOPS; ++loop) {
		for (unsigned e = 0; e < events; ++e) {
			uint32_t frame;
			uint8_t  msg[3];
			note(e, &frame, msg);
			eth_midi3(host, frame, msg[0], msg[1], msg[2]);
		}
		eth_run(host, ROUTING_BLOCK);
		total += run_ns(host);
	}
	return total / (ROUTING_LOOPS * (double)events);
}

/* The medians of reps repetitions of the plugin and of the reference,
 * taken in turn so that both see the same load on the machine.  The
 * callgrind entry point: --toggle-collect=router_reps. */
__attribute__((noinline)) static void
router_reps(EthHost *host, unsigned events, int reps, double *got, double *ref)
{
	double g[REPS], f[REPS];
	make_reference_sequence(events);
	for (int r = 0; r < reps; ++r) {
		g[r] = router_rep_ns(host, events);
		f[r] = reference_event_copy_ns(events);
	}
	*got = median(g, reps);
	*ref = median(f, reps);
}

static void
routing(unsigned events, int reps, double *got, double *ref)
{
	EthHost *host = eth_new(RATE);
	router_reps(host, events, reps, got, ref);
	count_allocations(host);
	eth_free(host);
}

/* ----------------------------------------------------------------- audio */

#define MAX_BLOCK  1024
#define REP_FRAMES 48000 /* 1 s a repetition: 9 s of a take */

/* One repetition of the reference: a plain stereo gain (out = g * in,
 * two channels) of the same number of frames in the same blocks. */
static double
reference_stereo_gain_ns(uint32_t block)
{
	static float in_l[MAX_BLOCK], in_r[MAX_BLOCK], out_l[MAX_BLOCK],
	    out_r[MAX_BLOCK];
	for (uint32_t i = 0; i < block; ++i) {
		in_l[i] = 0.25f * (float)(i % 100);
		in_r[i] = -in_l[i];
	}
	volatile float gain   = 0.5f; /* a control port: read every block */
	const int      blocks = (int)(REP_FRAMES / block);
	const uint64_t t0     = now_ns();
	for (int b = 0; b < blocks; ++b) {
		USE_MEMORY(in_l); /* new input every block */
		USE_MEMORY(in_r);
		const float g = gain;
		for (uint32_t i = 0; i < block; ++i) {
			out_l[i] = g * in_l[i];
			out_r[i] = g * in_r[i];
		}
		USE_MEMORY(out_l); /* and the output is read */
		USE_MEMORY(out_r);
	}
	return (double)(now_ns() - t0) / ((double)blocks * block);
}

typedef enum { IDLE, RECORD, PLAY, OVERDUB, EIGHT } Mode;
static const char *const mode_names[] = { "idle", "record", "play", "overdub",
					  "eight" };

/* The input of the looper cases: a plain signal, or denormals only. */
static bool denormal_input;
/* The take that play and overdub start from (2 s, or longer), and the
 * overdub passes laid over it before (each an undo step). */
static int64_t take_frames = 96000;
static int     passes_before;
/* Overdubbing, each repetition a new pass (its first second, where each
 * chunk it reaches is copied for the undo step) rather than one pass on. */
static bool new_pass_each_rep;

static double
run_blocks(EthHost *host, uint32_t block, int64_t frames)
{
	float *in_l = eth_audio(host, "in_l"), *in_r = eth_audio(host, "in_r");
	for (uint32_t i = 0; i < block; ++i) {
		in_l[i] = denormal_input ? 1e-40f * (float)(i % 100 + 1)
					 : 0.25f * (float)(i % 100);
		in_r[i] = -in_l[i];
	}
	double ns = 0.0;
	for (int64_t done = 0; done < frames; done += block) {
		eth_run(host, block);
		ns += run_ns(host);
	}
	return ns;
}

/* As router_reps(), for the looper: --toggle-collect=looper_reps. */
__attribute__((noinline)) static void
looper_reps(EthHost *host, uint32_t block, int reps, double *got, double *ref)
{
	double g[REPS], f[REPS];
	for (int r = 0; r < reps; ++r) {
		/* Untimed: the pass ends, and a new one begins. */
		if (new_pass_each_rep) {
			eth_set(host, "loop_arm", 0);
			eth_run(host, block);
			eth_set(host, "loop_arm", 1);
		}
		g[r] =
		    run_blocks(host, block, REP_FRAMES) / (double)REP_FRAMES;
		f[r] = reference_stereo_gain_ns(block);
	}
	*got = median(g, reps);
	*ref = median(f, reps);
}

static void
looper(Mode mode, uint32_t block, int reps, double *got, double *ref)
{
	EthHost *host = eth_new(RATE);
	eth_set(host, "loop_quantize", 0);
	if (mode != IDLE) {
		eth_set(host, "loop_arm", 1);
	}
	if (mode == PLAY || mode == OVERDUB) {
		run_blocks(host, block, take_frames); /* the take */
		eth_set(host, "loop_arm", 0);
		run_blocks(host, block, block);
		for (int p = 0; p < passes_before; ++p) { /* 0.5 s each */
			eth_set(host, "loop_arm", 1);
			run_blocks(host, block, 24000);
			eth_set(host, "loop_arm", 0);
			run_blocks(host, block, block);
		}
		if (mode == OVERDUB) {
			eth_set(host, "loop_arm", 1);
		}
	}
	if (mode == EIGHT) { /* a 2 s take on each track */
		for (int t = 1; t <= 8; ++t) {
			eth_set(host, "active_track", (float)t);
			eth_set(host, "loop_arm", 1);
			run_blocks(host, block, 96000);
			eth_set(host, "loop_arm", 0);
			run_blocks(host, block, block);
		}
	}
	looper_reps(host, block, reps, got, ref);
	const float        state  = eth_get(host, "loop_state");
	static const float want[] = { 0, 2, 3, 4, 3 };
	if (state != want[mode]) {
		printf("!! looper in state %.0f, expected %.0f\n", state,
		       want[mode]);
	}
	count_allocations(host);
	eth_free(host);
}

/* ---------------------------------------------------------------- memory */

static double
resident_mb(void)
{
	FILE *f = fopen("/proc/self/status", "r");
	if (!f)
		return 0.0;
	char   line[256];
	double kb = 0.0;
	while (fgets(line, sizeof line, f))
		if (!strncmp(line, "VmRSS:", 6))
			kb = strtod(line + 6, NULL);
	fclose(f);
	return kb / 1024.0;
}

/* What a new instance adds to the process's resident memory (a first one,
 * kept, has loaded lilv's world and the code), and what it holds after a
 * 60 s take on the bar-free grid. */
static void
pool_memory(double *fresh, double *after_take)
{
	EthHost     *warm   = eth_new(RATE);
	const double before = resident_mb();
	EthHost     *host   = eth_new(RATE);
	eth_set(host, "loop_quantize", 0);
	run_blocks(host, 256, 48000);
	*fresh = resident_mb() - before;
	eth_set(host, "loop_arm", 1);
	run_blocks(host, 256, 60 * 48000);
	eth_set(host, "loop_arm", 0);
	run_blocks(host, 256, 256);
	*after_take = resident_mb() - before;
	eth_free(host);
	eth_free(warm);
}

/* ----------------------------------------------------------- page faults */

/* Inside run() alone: the test host runs the worker (which grows the loop
 * pool, touching what it adds) after run(), in the same thread. */
static long
faults_in_run(EthHost *host, int64_t frames)
{
	long faults = 0;
	for (int64_t done = 0; done < frames; done += 256) {
		eth_run(host, 256);
		faults += eth_last_run_faults(host);
	}
	return faults;
}

/* The minor faults run() takes while recording a 20 s take (quantize
 * off) and while playing it as long. */
static void
page_faults(long *recording, long *playing)
{
	EthHost *host = eth_new(RATE);
	eth_set(host, "loop_quantize", 0);
	faults_in_run(host, 48000);
	eth_set(host, "loop_arm", 1);
	*recording = faults_in_run(host, 20 * 48000);
	eth_set(host, "loop_arm", 0);
	*playing = faults_in_run(host, 20 * 48000);
	count_allocations(host);
	eth_free(host);
}

static int
one_case(int argc, char **argv)
{
	double got, ref;
	if ((argc == 4 || argc == 5) && !strcmp(argv[1], "looper")) {
		/* An optional repetition count: the medians of that many. */
		const int reps = argc == 5 ? atoi(argv[4]) : 1;
		if (reps < 1 || reps > REPS) {
			goto usage;
		}
		for (int m = IDLE; m <= EIGHT; ++m) {
			if (!strcmp(argv[2], mode_names[m])) {
				const uint32_t block = (uint32_t)atoi(argv[3]);
				if (block < 1 || block > MAX_BLOCK) {
					break;
				}
				looper((Mode)m, block, reps, &got, &ref);
				printf("%s %u: %.2f ns/frame, gain %.3f\n",
				       argv[2], block, got, ref);
				return 0;
			}
		}
	} else if (argc == 3 && !strcmp(argv[1], "routing")) {
		const unsigned events = (unsigned)atoi(argv[2]);
		if (events >= 1 && events <= 1000) {
			routing(events, 1, &got, &ref);
			printf("routing %u: %.1f ns/event, copy %.1f\n",
			       events, got, ref);
			return 0;
		}
	}
usage:
	fprintf(
	    stderr,
	    "usage: %s [looper idle|record|play|overdub|eight BLOCK [REPS] | "
	    "routing EVENTS]\n",
	    argv[0]);
	return 2;
}

int
main(int argc, char **argv)
{
	timer_ns = measure_timer_ns();
	if (argc > 1) {
		return one_case(argc, argv);
	}
	/* Memory first, while no instance has been freed in this process
	 * (whose pages the allocator would hand the next one). */
	double fresh_mb, take_mb;
	pool_memory(&fresh_mb, &take_mb);
	long rec_faults, play_faults;
	page_faults(&rec_faults, &play_faults);
	printf(
	    "Eighttrack bench: median of %d repetitions, 48 kHz; the plugin's\n"
	    "run() timed through lilv (less the %.1f ns its timer takes),\n"
	    "each repetition beside one of a plain reference.\n\n",
	    REPS, timer_ns);
	printf(
	    "| routing | events/block | ns/event | plain event copy ns/event | ratio |\n");
	printf("|---|---|---|---|---|\n");
	static const unsigned counts[] = { 1, 64, 1000 };
	for (unsigned i = 0; i < 3; ++i) {
		double got, ref;
		routing(counts[i], REPS, &got, &ref);
		printf("| notes | %u | %.1f | %.1f | %.1f |\n", counts[i], got,
		       ref, got / ref);
	}
	/* The whole looper table PASSES times, PASS_GAP_S seconds apart: a
	 * burst of load from elsewhere on the machine (a shared VM has them,
	 * seconds long, and they slow the plugin's memory more than the
	 * gain's four buffers) falls on a pass or two, which the median over
	 * the passes leaves out; the range shows them. */
	static const uint32_t blocks[] = { 32, 256, 1024 };
	static double         pass_got[PASSES][3][EIGHT + 1],
	    pass_ref[PASSES][3][EIGHT + 1];
	for (int p = 0; p < PASSES; ++p) {
		if (p > 0) {
			const struct timespec gap = { PASS_GAP_S, 0 };
			nanosleep(&gap, NULL);
		}
		for (unsigned b = 0; b < 3; ++b) {
			for (int m = IDLE; m <= EIGHT; ++m) {
				looper((Mode)m, blocks[b], REPS,
				       &pass_got[p][b][m], &pass_ref[p][b][m]);
			}
		}
	}
	printf("\n| looper | block | ns/frame | plain stereo gain ns/frame | "
	       "ratio | ratio, lowest and highest of %d passes |\n",
	       PASSES);
	printf("|---|---|---|---|---|---|\n");
	for (unsigned b = 0; b < 3; ++b) {
		for (int m = IDLE; m <= EIGHT; ++m) {
			double g[PASSES], f[PASSES], r[PASSES];
			for (int p = 0; p < PASSES; ++p) {
				g[p] = pass_got[p][b][m];
				f[p] = pass_ref[p][b][m];
				r[p] = g[p] / f[p];
			}
			const double mid = median(r, PASSES); /* sorts r */
			printf(
			    "| %s | %u | %.2f | %.3f | %.1f | %.1f-%.1f |\n",
			    mode_names[m], blocks[b], median(g, PASSES),
			    median(f, PASSES), mid, r[0], r[PASSES - 1]);
		}
	}
	printf("\n| denormal input (1e-40 ...), 256-frame blocks | ns/frame | "
	       "plain stereo gain ns/frame | ratio |\n|---|---|---|---|\n");
	denormal_input = true;
	for (int m = RECORD; m <= OVERDUB; ++m) {
		double got, ref;
		looper((Mode)m, 256, REPS, &got, &ref);
		printf("| %s | %.2f | %.3f | %.1f |\n", mode_names[m], got,
		       ref, got / ref);
	}
	denormal_input = false;

	/* What a block costs must not grow with the loop's length or with the
	 * undo steps behind it (issue 16).  A minute of loop does not fit in
	 * the caches, as two seconds do: that costs what the memory does. */
	printf("\n| looper, 256-frame blocks | ns/frame | plain stereo gain "
	       "ns/frame | ratio |\n|---|---|---|---|\n");
	static const struct {
		const char *name;
		Mode        mode;
		int64_t     take;
		int         passes;
		bool        new_pass;
	} longer[] = {
		{ "play a 2 s loop", PLAY, 96000, 0, false },
		{ "play a 60 s loop", PLAY, 60 * 48000, 0, false },
		{ "overdub a 2 s loop, 8 undo steps behind", OVERDUB, 96000, 8,
		  false },
		{ "first second of a pass over a 2 s loop", OVERDUB, 96000, 8,
		  true },
		{ "first second of a pass over a 60 s loop", OVERDUB,
		  60 * 48000, 8, true },
	};
	for (size_t i = 0; i < sizeof(longer) / sizeof(longer[0]); ++i) {
		double got, ref;
		take_frames       = longer[i].take;
		passes_before     = longer[i].passes;
		new_pass_each_rep = longer[i].new_pass;
		looper(longer[i].mode, 256, REPS, &got, &ref);
		printf("| %s | %.2f | %.3f | %.1f |\n", longer[i].name, got,
		       ref, got / ref);
	}
	take_frames       = 96000;
	passes_before     = 0;
	new_pass_each_rep = false;

	printf("\nresident memory a new instance adds: %.1f MB; after a 60 s "
	       "take: %.1f MB (60 s of stereo float is %.1f MB: the pool grew "
	       "in the worker)\n",
	       fresh_mb, take_mb, 60.0 * RATE * 8.0 / 1048576.0);

	printf(
	    "\nminor page faults in run(), 256-frame blocks: recording 20 s "
	    "%ld, playing it 20 s %ld\n",
	    rec_faults, play_faults);
	printf("allocations in run(): %zu\n", allocations);
	return allocations != 0;
}
