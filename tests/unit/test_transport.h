/* What the unit tests of the clock and the looper say as a host would:
 * time:Position fields and a small random generator.  Header-only, for
 * tests/unit. */
#ifndef ET_TEST_TRANSPORT_H
#define ET_TEST_TRANSPORT_H

#include "clock.h"

#include <math.h>
#include <stdbool.h>
#include <stdint.h>

/* Every field of a position, as Ardour and Carla send it. */
static inline EtPosition
et_test_position(int64_t frame, double speed, double bpm, double beats_per_bar,
		 int64_t bar, double bar_beat)
{
	EtPosition p = { .frame         = frame,
			 .speed         = speed,
			 .bpm           = bpm,
			 .beats_per_bar = beats_per_bar,
			 .bar           = bar,
			 .bar_beat      = bar_beat };
	p.has_frame = p.has_speed = p.has_bpm = true;
	p.has_beats_per_bar = p.has_bar = p.has_bar_beat = true;
	return p;
}

/* The position of a host whose bar 0 starts at transport frame 0, with
 * barBeat rounded to a float as hosts send it. */
static inline EtPosition
et_test_position_at(int64_t frame, bool rolling, double rate, double bpm,
		    double beats_per_bar)
{
	const double beats = (double)frame * bpm / (60.0 * rate);
	const double bar   = floor(beats / beats_per_bar);
	return et_test_position(frame, rolling ? 1.0 : 0.0, bpm, beats_per_bar,
				(int64_t)bar,
				(double)(float)(beats - bar * beats_per_bar));
}

/* 16 random bits: the same sequence from the same seed on any machine. */
static inline unsigned
et_test_rand(uint32_t *state)
{
	*state = *state * 1103515245u + 12345u;
	return (*state >> 8) & 0xffffu;
}

#endif
