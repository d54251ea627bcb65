/* A host session for the tests through lilv: the transport (rolling or
 * not, positions on change or every block), an input "synth" (by default
 * a ramp whose value names its frame) and what came out. */
#ifndef ET_TEST_SESSION_H
#define ET_TEST_SESSION_H

#include "lv2host.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* The ramp: frame n is n * 2^-17, exact in a float, and within the +-16 a
 * loop holds for the first 2^21 frames (44 s at 48 kHz). */
#define SESSION_RAMP_STEP (1.0f / 131072.0f)

static inline float
ramp_at(int64_t wall)
{
	return (float)wall * SESSION_RAMP_STEP;
}

typedef struct {
	EthHost *host;
	double   rate, bpm, beats_per_bar;
	bool     rolling;
	int64_t  transport; /* transport frame at the next block */
	int64_t  wall;      /* frames run so far: the input ramp's value */
	bool     position_due;
	bool position_every_block; /* Carla: every block; Ardour: on change */
	float (*input)(int64_t wall); /* in_l (in_r = -in_l); NULL: the ramp */
	float *out; /* out_l of every frame run, if recorded */
	size_t out_len, out_cap;
} Session;

/* A new instance at `rate`, 4/4 at `bpm`, rolling from frame 0, monitor
 * off (only the loop is heard). */
void session_init(Session *s, double rate, double bpm, bool every_block);
/* Frees it, after checking that run() never allocated. */
void   session_free(Session *s);
double frames_per_bar(const Session *s);
/* A position at frame `at` of the next block, from the transport. */
void send_position(Session *s, uint32_t at);
/* One block of n frames. */
void play(Session *s, uint32_t n);
/* Blocks of `block` until the wall clock reaches `until`. */
void play_until(Session *s, int64_t until, uint32_t block);
/* The transport jumps to `transport`; the next block says so. */
void locate(Session *s, int64_t transport);
/* Keeps out_l of the next `frames` frames run in s->out. */
void record_output(Session *s, size_t frames);

#endif
