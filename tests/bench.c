/* make bench: what the built bundle costs, beside a plain reference
 * measured in the same run on the same machine (issue 6).
 *
 * Routing: ns per MIDI event at 1, 64 and 1000 events per 256-frame block,
 * beside an event-by-event copy of the same atom sequence.  Looper: ns per
 * frame idle, recording, playing and overdubbing at 48 kHz in blocks of
 * 32, 256 and 1024 frames, beside a plain stereo buffer copy (two memcpy)
 * of the same block.  Each figure is the median of REPS repetitions.
 *
 * Only the plugin's run() is timed (lv2host brackets each call with
 * clock_gettime); the cost of that bracket itself, measured here the same
 * way with nothing inside, is subtracted, so a 32-frame block is not
 * charged for the timer.  The references are timed over whole batches and
 * end in a compiler barrier, so the copies cannot be elided.
 *
 *   build/bench                       the whole table
 *   build/bench looper MODE BLOCK     one looper case, one repetition of
 *                                     48000 frames (for callgrind with
 *                                     --toggle-collect=timed_reps)
 *   build/bench routing EVENTS        one routing case
 */
#include "lv2host.h"

#include <lv2/atom/atom.h>
#include <lv2/atom/util.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define REPS 9
#define RATE 48000.0

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
			total += (uint64_t)(t1.tv_sec - t0.tv_sec) * 1000000000u +
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
	*frame = (uint32_t)((uint64_t)e * ROUTING_BLOCK / 1000u); /* ascending */
	msg[0] = (e & 1) ? 0x80 : 0x90;
	msg[1] = (uint8_t)(60 + (e / 2) % 24);
	msg[2] = 100;
}

/* The reference: an event-by-event copy of the same atom sequence the
 * plugin gets, the least a MIDI plugin that forwards its input can do. */
static double
reference_event_copy_ns(unsigned events)
{
	static _Alignas(8) uint8_t in[1 << 16], out[1 << 16];
	LV2_Atom_Sequence *seq = (LV2_Atom_Sequence *)in;
	seq->atom.type = 1;
	seq->atom.size = sizeof(LV2_Atom_Sequence_Body);
	for (unsigned e = 0; e < events; ++e) {
		LV2_Atom_Event *ev =
		    (LV2_Atom_Event *)(in + sizeof(LV2_Atom) + seq->atom.size);
		uint32_t frame;
		note(e, &frame, (uint8_t *)(ev + 1));
		ev->time.frames = frame;
		ev->body.size   = 3;
		ev->body.type   = 2;
		seq->atom.size += sizeof(LV2_Atom_Event) + 8;
	}
	double per_rep[REPS];
	for (int r = 0; r < REPS; ++r) {
		const uint64_t t0 = now_ns();
		for (int loop = 0; loop < ROUTING_LOOPS; ++loop) {
			USE_MEMORY(in); /* the input is new every time */
			LV2_Atom_Sequence *dst = (LV2_Atom_Sequence *)out;
			memcpy(dst, seq, sizeof(LV2_Atom_Sequence));
			uint32_t offset = sizeof(LV2_Atom_Sequence);
			LV2_ATOM_SEQUENCE_FOREACH (seq, ev) {
				const uint32_t size = (uint32_t)sizeof(LV2_Atom_Event) +
				                      lv2_atom_pad_size(ev->body.size);
				if (offset + size > sizeof(out)) {
					break;
				}
				memcpy(out + offset, ev, sizeof(LV2_Atom_Event) + ev->body.size);
				offset += size;
			}
			dst->atom.size = offset - (uint32_t)sizeof(LV2_Atom);
			USE_MEMORY(out);
		}
		per_rep[r] = (double)(now_ns() - t0) / (ROUTING_LOOPS * (double)events);
	}
	return median(per_rep, REPS);
}

static double
router_ns_per_event(unsigned events)
{
	EthHost *host = eth_new(RATE);
	double   per_rep[REPS];
	for (int r = 0; r < REPS; ++r) {
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
		per_rep[r] = total / (ROUTING_LOOPS * (double)events);
	}
	count_allocations(host);
	eth_free(host);
	return median(per_rep, REPS);
}

/* ----------------------------------------------------------------- audio */

#define MAX_BLOCK 1024
#define REF_FRAMES 480000 /* 10 s a repetition */

static double
reference_stereo_copy_ns(uint32_t block)
{
	static float in_l[MAX_BLOCK], in_r[MAX_BLOCK], out_l[MAX_BLOCK],
	    out_r[MAX_BLOCK];
	for (uint32_t i = 0; i < block; ++i) {
		in_l[i] = 0.25f * (float)(i % 100);
		in_r[i] = -in_l[i];
	}
	double    per_rep[REPS];
	const int blocks = (int)(REF_FRAMES / block);
	for (int r = 0; r < REPS; ++r) {
		const uint64_t t0 = now_ns();
		for (int b = 0; b < blocks; ++b) {
			USE_MEMORY(in_l); /* new input every block */
			USE_MEMORY(in_r);
			memcpy(out_l, in_l, block * sizeof(float));
			memcpy(out_r, in_r, block * sizeof(float));
			USE_MEMORY(out_l); /* and the output is read */
			USE_MEMORY(out_r);
		}
		per_rep[r] = (double)(now_ns() - t0) / ((double)blocks * block);
	}
	return median(per_rep, REPS);
}

typedef enum { IDLE, RECORD, PLAY, OVERDUB } Mode;
static const char *const mode_names[] = {"idle", "record", "play", "overdub"};

static double
run_blocks(EthHost *host, uint32_t block, int64_t frames)
{
	float *in_l = eth_audio(host, "in_l"), *in_r = eth_audio(host, "in_r");
	for (uint32_t i = 0; i < block; ++i) {
		in_l[i] = 0.25f * (float)(i % 100);
		in_r[i] = -in_l[i];
	}
	double ns = 0.0;
	for (int64_t done = 0; done < frames; done += block) {
		eth_run(host, block);
		ns += run_ns(host);
	}
	return ns;
}

/* The measured part alone, so that callgrind can count just it:
 * valgrind --tool=callgrind --toggle-collect=timed_reps build/bench ... */
__attribute__((noinline)) static void
timed_reps(EthHost *host, uint32_t block, int reps, double *per_rep)
{
	const int64_t frames = 48000; /* 1 s a repetition: 9 s of a take */
	for (int r = 0; r < reps; ++r) {
		per_rep[r] = run_blocks(host, block, frames) / (double)frames;
	}
}

static double
looper_ns_per_frame(Mode mode, uint32_t block, int reps)
{
	EthHost *host = eth_new(RATE);
	eth_set(host, "loop_quantize", 0);
	if (mode != IDLE) {
		eth_set(host, "loop_arm", 1);
	}
	if (mode == PLAY || mode == OVERDUB) {
		run_blocks(host, block, 96000); /* a 2 s take */
		eth_set(host, "loop_arm", 0);
		run_blocks(host, block, block);
		if (mode == OVERDUB) {
			eth_set(host, "loop_arm", 1);
		}
	}
	double per_rep[REPS];
	timed_reps(host, block, reps, per_rep);
	const float        state  = eth_get(host, "loop_state");
	static const float want[] = {0, 2, 3, 4};
	if (state != want[mode]) {
		printf("!! looper in state %.0f, expected %.0f\n", state, want[mode]);
	}
	count_allocations(host);
	eth_free(host);
	return median(per_rep, reps);
}

static int
one_case(int argc, char **argv)
{
	if (argc == 4 && !strcmp(argv[1], "looper")) {
		for (int m = IDLE; m <= OVERDUB; ++m) {
			if (!strcmp(argv[2], mode_names[m])) {
				const uint32_t block = (uint32_t)atoi(argv[3]);
				if (block < 1 || block > MAX_BLOCK) {
					break;
				}
				printf("%s %u: %.2f ns/frame\n", argv[2], block,
				       looper_ns_per_frame((Mode)m, block, 1));
				return 0;
			}
		}
	} else if (argc == 3 && !strcmp(argv[1], "routing")) {
		const unsigned events = (unsigned)atoi(argv[2]);
		if (events >= 1 && events <= 1000) {
			printf("routing %u: %.1f ns/event\n", events,
			       router_ns_per_event(events));
			return 0;
		}
	}
	fprintf(stderr, "usage: %s [looper idle|record|play|overdub BLOCK | "
	                "routing EVENTS]\n", argv[0]);
	return 2;
}

int
main(int argc, char **argv)
{
	timer_ns = measure_timer_ns();
	if (argc > 1) {
		return one_case(argc, argv);
	}
	printf("Eighttrack bench: median of %d repetitions, 48 kHz; the plugin's\n"
	       "run() timed through lilv (less the %.1f ns its timer takes),\n"
	       "beside a plain reference in the same run.\n\n",
	       REPS, timer_ns);
	printf("| routing | events/block | ns/event | plain event copy ns/event | ratio |\n");
	printf("|---|---|---|---|---|\n");
	static const unsigned counts[] = {1, 64, 1000};
	for (unsigned i = 0; i < 3; ++i) {
		const double ref = reference_event_copy_ns(counts[i]);
		const double got = router_ns_per_event(counts[i]);
		printf("| notes | %u | %.1f | %.1f | %.1f |\n", counts[i], got, ref,
		       got / ref);
	}
	printf("\n| looper | block | ns/frame | plain stereo copy ns/frame | ratio |\n");
	printf("|---|---|---|---|---|\n");
	static const uint32_t blocks[] = {32, 256, 1024};
	for (unsigned b = 0; b < 3; ++b) {
		const double ref = reference_stereo_copy_ns(blocks[b]);
		for (int m = IDLE; m <= OVERDUB; ++m) {
			const double got = looper_ns_per_frame((Mode)m, blocks[b], REPS);
			printf("| %s | %u | %.2f | %.3f | %.1f |\n", mode_names[m],
			       blocks[b], got, ref, got / ref);
		}
	}
	printf("\nallocations in run(): %zu\n", allocations);
	return allocations != 0;
}
