/* Where the core's MIDI goes: the router, the MIDI clock and the engine
 * write each complete message through an EtSink, which the LV2 glue (or a
 * test) turns into output events. */
#ifndef ET_SINK_H
#define ET_SINK_H

#include <stdbool.h>
#include <stdint.h>

/* The "track" of a message that belongs to no track: Thru, MIDI clock. */
#define ET_SINK_THRU (-1)

/* Writes one complete MIDI message at `frame`; track is 0..7, or
 * ET_SINK_THRU.  Returns false when the output is full. */
typedef bool (*EtEmitFn)(void *ctx, uint32_t frame, int track,
			 const uint8_t *msg, uint32_t size);

typedef struct {
	EtEmitFn emit;
	void    *ctx;
} EtSink;

#endif
