/* midiclock: MIDI clock out, following the host's transport.
 *
 * While enabled it sends, on the merged output, Timing Clock (0xF8) at 24
 * per quarter note, Start (0xFA), Stop (0xFC), Continue (0xFB) and Song
 * Position Pointer (0xF2), each at its exact frame.  It reads the transport
 * from the EtClock the looper uses, so it follows tempo changes, stop,
 * start and locate exactly as the loop does.
 *
 * Tick n falls on the quantize point (et_clock_quantize_frame) of musical
 * time n/24 beats, counted from beat 0 of the song.  What it sends:
 * - transport starts at or before beat 0: Start, then tick 0 at beat 0;
 * - transport starts (or clock is switched on) anywhere else: Song Position
 *   Pointer of the next sixteenth, Continue, then ticks from that sixteenth;
 * - transport stops: Stop; while stopped, a Song Position Pointer whenever
 *   the transport is moved, so devices follow a locate;
 * - locate while rolling: Stop, Song Position Pointer, Continue at the
 *   frame of the new position, then ticks from the next sixteenth;
 * - switched off while running: Stop.
 *
 * The glue calls et_midiclock_advance() up to the frame of each input
 * event before handling it, so clock messages interleave with routed MIDI
 * in frame order.  Plain C, no LV2, no allocation. */
#ifndef ET_MIDICLOCK_H
#define ET_MIDICLOCK_H

#include "clock.h"
#include "router.h"

#include <stdbool.h>
#include <stdint.h>

#define ET_MIDICLOCK_TICKS_PER_BEAT 24
#define ET_MIDICLOCK_TICKS_PER_SIXTEENTH 6

enum {
	ET_MIDI_TIMING_CLOCK = 0xF8,
	ET_MIDI_START        = 0xFA,
	ET_MIDI_CONTINUE     = 0xFB,
	ET_MIDI_STOP         = 0xFC,
	ET_MIDI_SONG_POSITION = 0xF2
};

typedef struct {
	bool     enabled;
	bool     running;   /* Start or Continue sent, no Stop since */
	int64_t  next_tick; /* index of the next tick to send (while running) */
	bool     located;   /* a Song Position Pointer went out while stopped */
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
