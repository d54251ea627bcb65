/* A hardware synth as the round trip makes it sound, for the tests of
 * round-trip compensation: the notes the plugin sends on midi_out come
 * back into in_l/in_r `latency` frames later as a sound, through whatever
 * the kind of synth says (a percussive click, a soft attack, noise, DC, or
 * nothing at all).  Frames are counted from the first block on, so a
 * latency need not be a multiple of the block size (it must be at least a
 * block: a real answer never comes back inside the block that sent it). */
#ifndef ET_FAKE_SYNTH_H
#define ET_FAKE_SYNTH_H

#include "lv2host.h"

#include <stdbool.h>
#include <stdint.h>

typedef enum {
	FAKE_CLICK,       /* full level at once, decaying over ~20 ms */
	FAKE_SOFT_ATTACK, /* rises over 5 ms, then decays */
	FAKE_SILENT,      /* never answers */
} FakeSound;

#define FAKE_MAX_VOICES 64

typedef struct {
	FakeSound sound;
	double    rate;
	uint32_t  latency; /* frames from a note-on to its sound */
	float     noise;   /* peak of the white noise always on the input */
	float     dc;      /* offset always on the input */
	uint32_t  jitter;  /* each answer up to this many frames later */
	uint8_t   channel; /* answers notes on this channel (0-15) only */
	int64_t   now;     /* frame of the next block */
	int64_t   onset[FAKE_MAX_VOICES]; /* when each answer starts */
	int       voices;
	uint32_t  rng;
	/* The note-ons it heard and when, for the tests to compare. */
	int64_t heard[FAKE_MAX_VOICES];
	int     heard_count;
} FakeSynth;

void fake_synth_init(FakeSynth *s, double rate, FakeSound sound,
		     uint32_t latency);
/* Fills in_l/in_r of the host for the next block of n frames. */
void fake_synth_play(FakeSynth *s, EthHost *host, uint32_t n);
/* After eth_run(): hears the block's midi_out and moves on by n frames. */
void fake_synth_listen(FakeSynth *s, const EthHost *host, uint32_t n);
/* One answer's sample t frames after it began (no noise, no DC). */
float fake_answer(const FakeSynth *s, int64_t t);
/* The first frame at or after `from` (and before `to`) where |x| of the
 * samples reaches `threshold`, or -1. */
int64_t fake_onset(const float *x, int64_t from, int64_t to, float threshold);

#endif
