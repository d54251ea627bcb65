#include "midiclock.h"

#include <math.h>
#include <stdlib.h>

/* Song Position Pointer counts sixteenths in 14 bits. */
#define SPP_MAX 16383

/* Beyond this (and ET_CLOCK_MAX_FRAME) the transport is garbage: the
 * clock stops rather than compute ticks that doubles cannot resolve. */
#define MAX_TICKS 1e12

void
et_midiclock_init(EtMidiClock *mc)
{
	*mc = (EtMidiClock){ .enabled = false }; /* off, nothing sent yet */
}

void
et_midiclock_begin_block(EtMidiClock *mc)
{
	mc->done = 0;
}

static void
send(EtMidiClock *mc, const EtSink *sink, uint32_t frame, const uint8_t *msg,
     uint32_t size)
{
	if (!sink->emit(sink->ctx, frame, ET_SINK_THRU, msg, size)) {
		++mc->dropped;
	}
}

static void
send_byte(EtMidiClock *mc, const EtSink *sink, uint32_t frame, uint8_t status)
{
	send(mc, sink, frame, &status, 1);
}

static void
send_song_position(EtMidiClock *mc, const EtSink *sink, uint32_t frame,
		   int64_t sixteenth)
{
	const int64_t v      = sixteenth < 0         ? 0
			       : sixteenth > SPP_MAX ? SPP_MAX
						     : sixteenth;
	const uint8_t msg[3] = { ET_MIDI_SONG_POSITION, (uint8_t)(v & 0x7F),
				 (uint8_t)((v >> 7) & 0x7F) };
	send(mc, sink, frame, msg, 3);
}

static void
stop(EtMidiClock *mc, const EtSink *sink, uint32_t frame)
{
	if (mc->running) {
		send_byte(mc, sink, frame, ET_MIDI_STOP);
		mc->running = false;
		mc->located = false;
	}
}

void
et_midiclock_set_enabled(EtMidiClock *mc, bool enabled, const EtSink *sink)
{
	if (!enabled) {
		stop(mc, sink, 0);
	} else if (!mc->enabled) {
		mc->located = false; /* tell the devices where we are */
	}
	mc->enabled = enabled;
}

static double
ticks_per_beat(const EtClock *clock)
{
	return ET_MIDICLOCK_TICKS_PER_BEAT * 4.0 / clock->beat_unit;
}

/* Ticks per frame at unit speed. */
static double
ticks_per_frame(const EtClock *clock)
{
	return ticks_per_beat(clock) / et_clock_frames_per_beat(clock);
}

/* The first tick whose frame is at or after the frame where the song is
 * at `ticks`: a tick up to 0.99 frame earlier still quantizes onto it. */
static int64_t
first_tick_from(double ticks, double per_frame)
{
	const double k =
	    ceil(ticks - (1.0 - ET_CLOCK_SNAP_FRAMES) * per_frame);
	/* Only a garbage tempo or speed gets anywhere near these.  NaN is
	 * inf - inf: a speed near DBL_MAX makes the rate infinite, and the end
	 * of a span at that rate lies past every tick (the limit of a huge
	 * finite rate).  Converting NaN or anything beyond int64_t would be
	 * undefined; only [-MAX_TICKS, MAX_TICKS] reaches the cast. */
	if (isnan(k)) {
		return (int64_t)MAX_TICKS;
	}
	return k > MAX_TICKS    ? (int64_t)MAX_TICKS
	       : k < -MAX_TICKS ? (int64_t)-MAX_TICKS
				: (int64_t)k;
}

static int64_t
sixteenth_from(double ticks, double per_frame)
{
	const int64_t k = first_tick_from(ticks, per_frame);
	return k <= 0 ? 0
		      : (k + ET_MIDICLOCK_TICKS_PER_SIXTEENTH - 1) /
			    ET_MIDICLOCK_TICKS_PER_SIXTEENTH;
}

/* Start or Continue at `frame`, the song being at `ticks` there. */
static void
start_at(EtMidiClock *mc, const EtSink *sink, uint32_t frame, double ticks,
	 double per_frame)
{
	if (first_tick_from(ticks, per_frame) <= 0) {
		send_byte(mc, sink, frame, ET_MIDI_START);
		mc->next_tick = 0;
	} else {
		const int64_t sixteenth = sixteenth_from(ticks, per_frame);
		send_song_position(mc, sink, frame, sixteenth);
		send_byte(mc, sink, frame, ET_MIDI_CONTINUE);
		mc->next_tick = sixteenth * ET_MIDICLOCK_TICKS_PER_SIXTEENTH;
	}
	mc->running = true;
	mc->located = false;
}

/* Whether transport frame tf is where the last span left the transport. */
static bool
continues(const EtMidiClock *mc, int64_t tf)
{
	return llabs(tf - mc->tf_end) <= 1 ||
	       fabs((double)tf - mc->tf_end_speed) <= 1.0;
}

void
et_midiclock_advance(EtMidiClock *mc, const EtClock *clock, uint32_t to,
		     const EtSink *sink)
{
	const uint32_t from = mc->done;
	if (to <= from) {
		return;
	}
	mc->done = to;
	if (!mc->enabled) {
		return;
	}

	const int64_t tf        = et_clock_transport_frame(clock, from);
	const double  unit_rate = ticks_per_frame(clock);
	const double  host_ticks =
	    et_clock_beats_at(clock, (double)tf) * ticks_per_beat(clock);
	if (!et_clock_has_transport(clock) ||
	    !(fabs((double)tf) < ET_CLOCK_MAX_FRAME) ||
	    !(fabs(host_ticks) < MAX_TICKS)) {
		stop(mc, sink, from);
		return;
	}
	if (!(clock->speed > 0.0)) { /* stopped, or running backwards */
		stop(mc, sink, from);
		if (!mc->located || mc->located_at != tf) {
			send_song_position(
			    mc, sink, from,
			    sixteenth_from(host_ticks, unit_rate));
			mc->located    = true;
			mc->located_at = tf;
		}
		return;
	}

	double ticks = mc->ticks_end;
	if (!mc->running || !continues(mc, tf) || !(fabs(ticks) < MAX_TICKS)) {
		/* A locate: devices take a pointer only while stopped. */
		stop(mc, sink, from);
		start_at(mc, sink, from, host_ticks, unit_rate);
		ticks = host_ticks;
	}

	const double   rate = unit_rate * clock->speed;
	const uint32_t n    = to - from;
	/* At most one tick per 1/rate frames, plus the one on `from`; and
	 * never more than one a frame (already 15 times what a MIDI cable
	 * carries), whatever tempo and sample rate a host claims. */
	const double most = fmin((double)n * rate, (double)n) + 2.0;
	for (double sent = 0.0;; sent += 1.0) {
		const double x =
		    (double)tf + ((double)mc->next_tick - ticks) / rate;
		const int64_t at =
		    et_clock_quantize_frame(x) - tf + (int64_t)from;
		if (at >= (int64_t)to) {
			break;
		}
		if (sent >= most) {
			mc->next_tick =
			    first_tick_from(ticks + (double)n * rate, rate);
			break;
		}
		send_byte(mc, sink, at < (int64_t)from ? from : (uint32_t)at,
			  ET_MIDI_TIMING_CLOCK);
		++mc->next_tick;
	}
	mc->ticks_end    = ticks + (double)n * rate;
	mc->tf_end       = tf + (int64_t)n;
	mc->tf_end_speed = (double)tf + (double)n * clock->speed;
}

bool
et_midiclock_replaces(const uint8_t *msg, uint32_t size)
{
	if (size < 1) {
		return false;
	}
	switch (msg[0]) {
	case ET_MIDI_TIMING_CLOCK:
	case ET_MIDI_START:
	case ET_MIDI_CONTINUE:
	case ET_MIDI_STOP:
	case ET_MIDI_SONG_POSITION: return true;
	default: return false;
	}
}
