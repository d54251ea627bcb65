/* midiclock: MIDI clock out, following the host's transport.
 *
 * While enabled it sends, on the merged output, Timing Clock (0xF8) at 24
 * per quarter note, Start (0xFA), Stop (0xFC), Continue (0xFB) and Song
 * Position Pointer (0xF2), each at its exact frame.  It reads the transport
 * from the EtClock the looper uses.
 *
 * Where the ticks fall: when the clock (re)starts, the song position comes
 * from the host's musical time (bar, barBeat, beatsPerBar, beatUnit); from
 * then on the ticks run continuously at the host's tempo times its speed,
 * so a change of tempo or meter moves no tick that has been sent, and the
 * float barBeat of every-block positions (Carla) cannot jitter them.  Tick
 * k falls on the first frame at or after its exact time, a tick less than
 * 1/100 frame late counting as on time (et_clock_quantize_frame).
 *
 * What it sends:
 * - transport starts at or before the song start: Start, then tick 0 on
 *   beat 0;
 * - transport starts (or clock out is switched on) anywhere else: Song
 *   Position Pointer of the next sixteenth, Continue, then ticks from that
 *   sixteenth;
 * - transport stops (or runs backwards): Stop; while stopped, a Song
 *   Position Pointer whenever the transport is moved, so devices follow;
 * - locate while rolling (the transport frame is not where the last one,
 *   at unit or at the host's speed, puts it): Stop, then as for a start;
 * - switched off while running: Stop.
 *
 * A Song Position Pointer counts sixteenths from the start as if the
 * meter at that point had held from bar 0: hosts send bar and barBeat, not
 * absolute beats.  The glue calls et_midiclock_advance() up to just past
 * the frame of each MIDI event before routing it, so clock messages come
 * before what is routed at the same frame.  Plain C, no LV2, no
 * allocation, bounded work per call. */
#ifndef ET_MIDICLOCK_H
#define ET_MIDICLOCK_H

#include "clock.h"
#include "midi.h"
#include "sink.h"

#include <stdbool.h>
#include <stdint.h>

#define ET_MIDICLOCK_TICKS_PER_BEAT      24
#define ET_MIDICLOCK_TICKS_PER_SIXTEENTH 6

typedef struct {
	bool    enabled;
	bool    running;   /* Start or Continue sent, no Stop since */
	int64_t next_tick; /* index of the next tick to send (while running) */
	double
	    ticks_end;   /* song position in ticks where the last span ended */
	int64_t  tf_end; /* transport frame there, at unit speed */
	double   tf_end_speed; /* ... and at the host's speed */
	bool     located; /* a Song Position Pointer went out while stopped */
	int64_t  located_at; /* ... for this transport frame */
	uint32_t done;       /* block frames [0, done) are handled */
	uint32_t dropped;    /* messages the output refused */
} EtMidiClock;

void et_midiclock_init(EtMidiClock *mc);

/* Called at the start of every run(), after et_clock_begin_block(). */
void et_midiclock_begin_block(EtMidiClock *mc);

/* clock_out as read at the start of the block.  Turning it off while
 * running sends Stop at frame 0. */
void et_midiclock_set_enabled(EtMidiClock *mc, bool enabled,
			      const EtSink *sink);

/* Sends what falls in block frames [done, to), by the clock as it is now. */
void et_midiclock_advance(EtMidiClock *mc, const EtClock *clock, uint32_t to,
			  const EtSink *sink);

/* True for the real-time messages that clock out replaces: incoming ones
 * are dropped while it is enabled, never doubled. */
bool et_midiclock_replaces(const uint8_t *msg, uint32_t size);

#endif
