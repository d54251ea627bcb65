#include "midiclock.h"

#include <math.h>

/* Song Position Pointer counts sixteenths in 14 bits. */
#define SPP_MAX 16383

/* A span this long cannot hold more ticks than this (10000 BPM at 1 Hz is
 * garbage, but must not spin): beyond it the clock resynchronises. */
#define MAX_TICKS_PER_SPAN 65536

void
et_midiclock_init(EtMidiClock *mc)
{
	mc->enabled    = false;
	mc->running    = false;
	mc->next_tick  = 0;
	mc->located    = false;
	mc->located_at = 0;
	mc->done       = 0;
	mc->dropped    = 0;
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
	if (!sink->emit(sink->ctx, frame, ET_ROUTER_THRU, msg, size)) {
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
	const int64_t  v     = sixteenth < 0 ? 0
	                       : sixteenth > SPP_MAX ? SPP_MAX
	                                             : sixteenth;
	const uint8_t msg[3] = {ET_MIDI_SONG_POSITION, (uint8_t)(v & 0x7F),
	                        (uint8_t)((v >> 7) & 0x7F)};
	send(mc, sink, frame, msg, 3);
}

void
et_midiclock_set_enabled(EtMidiClock *mc, bool enabled, const EtSink *sink)
{
	if (!enabled && mc->running) {
		send_byte(mc, sink, 0, ET_MIDI_STOP);
		mc->running = false;
	}
	if (enabled && !mc->enabled) {
		mc->located = false; /* tell the devices where we are */
	}
	mc->enabled = enabled;
}

/* The transport frame on which tick n (of `per_beat` per beat) falls. */
static int64_t
tick_frame(const EtClock *clock, int64_t n, int per_beat)
{
	return et_clock_quantize_frame(
	    et_clock_frame_at_beats(clock, (double)n / (double)per_beat));
}

/* The first tick (of `per_beat` per beat) whose frame is at or after
 * transport frame tf. */
static int64_t
first_tick_at_or_after(const EtClock *clock, int64_t tf, int per_beat)
{
	const double beats = et_clock_beats_at(clock, (double)tf);
	double       n     = ceil(beats * per_beat);
	if (!(fabs(n) < 4e15)) {
		return n < 0 ? (int64_t)-4e15 : (int64_t)4e15;
	}
	int64_t k = (int64_t)n;
	while (tick_frame(clock, k, per_beat) < tf) {
		++k;
	}
	while (tick_frame(clock, k - 1, per_beat) >= tf) {
		--k;
	}
	return k;
}

/* Song Position Pointer and Continue at `frame`: ticks resume at the next
 * sixteenth, which is where the pointer says the song is. */
static void
resume_at(EtMidiClock *mc, const EtClock *clock, const EtSink *sink,
          uint32_t frame, int64_t tf)
{
	const int64_t sixteenth = first_tick_at_or_after(clock, tf, 4);
	send_song_position(mc, sink, frame, sixteenth);
	send_byte(mc, sink, frame, ET_MIDI_CONTINUE);
	mc->next_tick = sixteenth * ET_MIDICLOCK_TICKS_PER_SIXTEENTH;
}

/* Rolling, and the ticks sent so far still agree with the transport: the
 * next tick is not before the previous one's frame, and not more than half
 * a tick behind (the slack absorbs the float barBeat of Carla's positions). */
static bool
in_step(const EtMidiClock *mc, const EtClock *clock, int64_t tf)
{
	const double ticks =
	    et_clock_beats_at(clock, (double)tf) * ET_MIDICLOCK_TICKS_PER_BEAT;
	const double d = ticks - (double)mc->next_tick;
	return d > -1.5 && d <= 0.5;
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

	const int64_t tf = et_clock_transport_frame(clock, from);
	if (!et_clock_has_transport(clock) || !et_clock_rolling(clock)) {
		if (mc->running) {
			send_byte(mc, sink, from, ET_MIDI_STOP);
			mc->running = false;
			mc->located = false;
		}
		if (et_clock_has_transport(clock) &&
		    (!mc->located || mc->located_at != tf)) {
			send_song_position(mc, sink, from,
			                   first_tick_at_or_after(clock, tf, 4));
			mc->located    = true;
			mc->located_at = tf;
		}
		return;
	}

	if (!mc->running) {
		if (first_tick_at_or_after(clock, tf, ET_MIDICLOCK_TICKS_PER_BEAT) <=
		    0) {
			send_byte(mc, sink, from, ET_MIDI_START);
			mc->next_tick = 0;
		} else {
			resume_at(mc, clock, sink, from, tf);
		}
		mc->running = true;
		mc->located = false;
	} else if (!in_step(mc, clock, tf)) {
		/* A locate: devices take a pointer only while stopped. */
		send_byte(mc, sink, from, ET_MIDI_STOP);
		resume_at(mc, clock, sink, from, tf);
	}

	for (unsigned sent = 0;; ++sent) {
		const int64_t at =
		    tick_frame(clock, mc->next_tick, ET_MIDICLOCK_TICKS_PER_BEAT) -
		    tf + (int64_t)from;
		if (at >= (int64_t)to) {
			break;
		}
		if (sent == MAX_TICKS_PER_SPAN) {
			mc->next_tick = first_tick_at_or_after(
			    clock, tf + (int64_t)(to - from), ET_MIDICLOCK_TICKS_PER_BEAT);
			break;
		}
		send_byte(mc, sink, at < (int64_t)from ? from : (uint32_t)at,
		          ET_MIDI_TIMING_CLOCK);
		++mc->next_tick;
	}
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
