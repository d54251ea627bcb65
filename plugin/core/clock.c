#include "clock.h"

#include <math.h>

#define SETTLE_STEPS 8

void
et_clock_init(EtClock *c, double sample_rate)
{
	/* 120 BPM 4/4, stopped, no transport seen; everything else 0. */
	*c = (EtClock){ .sample_rate =
			    sample_rate > 0.0 ? sample_rate : 48000.0,
			.bpm           = 120.0,
			.beats_per_bar = 4.0,
			.beat_unit     = 4.0 };
}

void
et_clock_begin_block(EtClock *c, uint32_t nframes)
{
	/* Keep the anchor where it was in absolute time: the new block starts
	 * block_frames after the old one. */
	c->anchor_offset -= (int64_t)c->block_frames;
	c->block_frames = nframes;
}

/* Bounds that keep every frame count far inside int64_t; a host sending
 * anything outside them is sending garbage, which is ignored. */
static bool
usable_bpm(double v)
{
	return isfinite(v) && v >= 1.0 && v <= 10000.0;
}

static bool
usable_meter(double v)
{
	return isfinite(v) && v > 0.0 && v <= 1000.0;
}

void
et_clock_apply(EtClock *c, uint32_t block_frame, const EtPosition *p)
{
	/* Where the old anchor puts this block frame, in frames and beats. */
	const int64_t old_frame   = et_clock_transport_frame(c, block_frame);
	const int64_t frame       = p->has_frame ? p->frame : old_frame;
	const double  old_beats   = et_clock_beats_at(c, (double)frame);
	const bool    was_rolling = et_clock_rolling(c) && c->has_transport;
	const double  old_bpm = c->bpm, old_meter = c->beats_per_bar,
		     old_speed = c->speed;

	if (p->has_bpm && usable_bpm(p->bpm))
		c->bpm = p->bpm;
	if (p->has_beats_per_bar && usable_meter(p->beats_per_bar))
		c->beats_per_bar = p->beats_per_bar;
	if (p->has_beat_unit && isfinite(p->beat_unit) &&
	    p->beat_unit >= 1.0 && p->beat_unit <= 64.0)
		c->beat_unit = p->beat_unit;
	if (p->has_speed && isfinite(p->speed))
		c->speed = p->speed;

	double beats = old_beats;
	if (p->has_bar || (p->has_bar_beat && isfinite(p->bar_beat))) {
		const double bar = p->has_bar
				       ? (double)p->bar
				       : floor(old_beats / c->beats_per_bar);
		const double bar_beat =
		    (p->has_bar_beat && isfinite(p->bar_beat)) ? p->bar_beat
							       : 0.0;
		beats = bar * c->beats_per_bar + bar_beat;
	}

	/* Ardour sends a position every cycle, its barBeat rounded to 1/1920
	 * beat.  When the transport only went on, at the same tempo, meter and
	 * speed, the mapping already held is the exact one: taking the rounded
	 * beat would move every quantize point by up to half a tick (6 frames
	 * at 120 BPM, 48 kHz). */
	if (was_rolling && frame == old_frame && c->bpm == old_bpm &&
	    c->beats_per_bar == old_meter && c->speed == old_speed &&
	    fabs(beats - old_beats) <= ET_CLOCK_CONTINUITY_BEATS)
		return;

	c->anchor_frame  = frame;
	c->anchor_offset = (int64_t)block_frame;
	c->anchor_beats  = beats;
	if (p->has_frame)
		c->has_transport = true;
}

bool
et_clock_rolling(const EtClock *c)
{
	return c->speed != 0.0;
}

bool
et_clock_has_transport(const EtClock *c)
{
	return c->has_transport;
}

int64_t
et_clock_transport_frame(const EtClock *c, uint32_t block_frame)
{
	if (!et_clock_rolling(c))
		return c->anchor_frame;
	return c->anchor_frame + ((int64_t)block_frame - c->anchor_offset);
}

double
et_clock_frames_per_beat(const EtClock *c)
{
	return 60.0 * c->sample_rate / c->bpm;
}

double
et_clock_frames_per_bar(const EtClock *c)
{
	return et_clock_frames_per_beat(c) * c->beats_per_bar;
}

double
et_clock_beats_at(const EtClock *c, double frame)
{
	return c->anchor_beats +
	       (frame - (double)c->anchor_frame) / et_clock_frames_per_beat(c);
}

double
et_clock_frame_at_beats(const EtClock *c, double beats)
{
	return (double)c->anchor_frame +
	       (beats - c->anchor_beats) * et_clock_frames_per_beat(c);
}

int64_t
et_clock_quantize_frame(double x)
{
	/* Saturate rather than convert an out-of-range double (undefined). */
	if (!(x > -4e18))
		return (int64_t)-4e18;
	if (!(x < 4e18))
		return (int64_t)4e18;
	const double whole = floor(x);
	if (x - whole < ET_CLOCK_SNAP_FRAMES)
		return (int64_t)whole;
	return (int64_t)whole + 1;
}

double
et_clock_boundary_at_or_after(const EtClock *c, EtQuantize q, int64_t f)
{
	if (q != ET_QUANTIZE_BEAT && q != ET_QUANTIZE_BAR)
		return (double)f;
	const double unit = q == ET_QUANTIZE_BAR ? c->beats_per_bar : 1.0;
	const double fpb  = et_clock_frames_per_beat(c);

	/* The earliest boundary that still quantizes to f lies just under a
	 * frame before f; estimate its index, then settle it with the same
	 * rounding et_clock_quantize_frame() uses, so the two never disagree.
	 */
	const double earliest =
	    (double)(f - c->anchor_frame) - 1.0 + ET_CLOCK_SNAP_FRAMES;
	double n = ceil((c->anchor_beats + earliest / fpb) / unit);
	double x = et_clock_frame_at_beats(c, n * unit);
	/* The estimate is off by at most one either way; the caps only matter
	 * where doubles cannot tell n from n + 1 (garbage positions), and
	 * keep run() bounded there. */
	for (int i = 0; i < SETTLE_STEPS && et_clock_quantize_frame(x) < f;
	     ++i) {
		n += 1.0;
		x = et_clock_frame_at_beats(c, n * unit);
	}
	for (int i = 0; i < SETTLE_STEPS; ++i) {
		const double before =
		    et_clock_frame_at_beats(c, (n - 1.0) * unit);
		if (et_clock_quantize_frame(before) < f)
			break;
		n -= 1.0;
		x = before;
	}
	return x;
}
