/* make bench: what the built bundle costs, beside a plain reference
 * measured in the same run on the same machine.  Times only the plugin's
 * run() (lv2host measures around it); reports the median of REPS. */
#include "lv2host.h"

#include <lv2/atom/atom.h>
#include <lv2/atom/util.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define REPS 9
#define RATE 48000.0

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

static volatile float sink; /* keeps the reference copies alive */

/* ------------------------------------------------------------------ MIDI */

/* The reference: an event-by-event copy of an atom sequence, the least a
 * MIDI plugin that forwards its input can do. */
static double
reference_event_copy_ns(unsigned events)
{
	static uint8_t in[1 << 16], out[1 << 16];
	LV2_Atom_Sequence *seq = (LV2_Atom_Sequence *)in;
	seq->atom.size = sizeof(LV2_Atom_Sequence_Body);
	for (unsigned e = 0; e < events; ++e) {
		LV2_Atom_Event *ev = (LV2_Atom_Event *)((uint8_t *)seq + sizeof(LV2_Atom) + seq->atom.size);
		ev->time.frames = e % 256;
		ev->body.size = 3;
		ev->body.type = 1;
		uint8_t *msg = (uint8_t *)(ev + 1);
		msg[0] = (e & 1) ? 0x80 : 0x90;
		msg[1] = (uint8_t)(60 + (e / 2) % 24);
		msg[2] = 100;
		seq->atom.size += sizeof(LV2_Atom_Event) + 8;
	}
	double per_rep[REPS];
	for (int r = 0; r < REPS; ++r) {
		const uint64_t t0 = now_ns();
		for (int loop = 0; loop < 200; ++loop) {
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
			sink = out[offset - 1];
		}
		per_rep[r] = (double)(now_ns() - t0) / (200.0 * events);
	}
	return median(per_rep, REPS);
}

static double
router_ns_per_event(unsigned events)
{
	EthHost *host = eth_new(RATE);
	double   per_rep[REPS];
	for (int r = 0; r < REPS; ++r) {
		uint64_t total = 0;
		for (int loop = 0; loop < 200; ++loop) {
			for (unsigned e = 0; e < events; ++e) {
				eth_midi3(host, e % 256, (e & 1) ? 0x80 : 0x90,
				          (uint8_t)(60 + (e / 2) % 24), 100);
			}
			eth_run(host, 256);
			total += eth_last_run_ns(host);
		}
		per_rep[r] = (double)total / (200.0 * events);
	}
	if (eth_allocations_in_run(host)) {
		printf("!! %zu allocations in run()\n", eth_allocations_in_run(host));
	}
	eth_free(host);
	return median(per_rep, REPS);
}

/* ----------------------------------------------------------------- audio */

static double
reference_stereo_copy_ns(uint32_t block)
{
	static float in_l[8192], in_r[8192], out_l[8192], out_r[8192];
	for (uint32_t i = 0; i < block; ++i) {
		in_l[i] = (float)i;
		in_r[i] = -(float)i;
	}
	double per_rep[REPS];
	const int blocks = (int)(48000 * 2 / block);
	for (int r = 0; r < REPS; ++r) {
		const uint64_t t0 = now_ns();
		for (int b = 0; b < blocks; ++b) {
			memcpy(out_l, in_l, block * sizeof(float));
			memcpy(out_r, in_r, block * sizeof(float));
			sink = out_l[b % block] + out_r[0];
		}
		per_rep[r] = (double)(now_ns() - t0) / ((double)blocks * block);
	}
	return median(per_rep, REPS);
}

typedef enum { IDLE, RECORD, PLAY, OVERDUB } Mode;
static const char *const mode_names[] = {"idle", "record", "play", "overdub"};

static void
run_blocks(EthHost *host, uint32_t block, int64_t frames, uint64_t *ns)
{
	float *in_l = eth_audio(host, "in_l"), *in_r = eth_audio(host, "in_r");
	for (uint32_t i = 0; i < block; ++i) {
		in_l[i] = 0.25f * (float)(i % 100);
		in_r[i] = -in_l[i];
	}
	for (int64_t done = 0; done < frames; done += block) {
		eth_run(host, block);
		if (ns) {
			*ns += eth_last_run_ns(host);
		}
	}
}

static double
looper_ns_per_frame(Mode mode, uint32_t block)
{
	EthHost *host = eth_new(RATE);
	eth_set(host, "loop_quantize", 0);
	if (mode != IDLE) {
		eth_set(host, "loop_arm", 1);
	}
	if (mode == PLAY || mode == OVERDUB) {
		run_blocks(host, block, 96000, NULL); /* a 2 s take */
		eth_set(host, "loop_arm", 0);
		run_blocks(host, block, block, NULL);
		if (mode == OVERDUB) {
			eth_set(host, "loop_arm", 1);
		}
	}
	double per_rep[REPS];
	const int64_t frames = 48000; /* 1 s a repetition: 9 s of a take */
	for (int r = 0; r < REPS; ++r) {
		uint64_t ns = 0;
		run_blocks(host, block, frames, &ns);
		per_rep[r] = (double)ns / (double)frames;
	}
	const float state = eth_get(host, "loop_state");
	static const float want[] = {0, 2, 3, 4};
	if (state != want[mode]) {
		printf("!! looper in state %.0f, expected %.0f\n", state, want[mode]);
	}
	if (eth_allocations_in_run(host)) {
		printf("!! %zu allocations in run()\n", eth_allocations_in_run(host));
	}
	eth_free(host);
	return median(per_rep, REPS);
}

int
main(void)
{
	printf("Eighttrack bench: median of %d repetitions, 48 kHz; the plugin's\n"
	       "run() timed through lilv, beside a plain reference in the same run.\n\n",
	       REPS);
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
	static const uint32_t blocks[] = {32, 64, 256, 1024};
	for (unsigned b = 0; b < 4; ++b) {
		const double ref = reference_stereo_copy_ns(blocks[b]);
		for (int m = IDLE; m <= OVERDUB; ++m) {
			const double got = looper_ns_per_frame((Mode)m, blocks[b]);
			printf("| %s | %u | %.2f | %.2f | %.1f |\n", mode_names[m], blocks[b],
			       got, ref, got / ref);
		}
	}
	printf("\nallocations in run(): 0 unless flagged with !! above\n");
	return 0;
}
