/* A sink that keeps what the router, the MIDI clock or the engine emit,
 * for tests to read back: one helper instead of a copy in each test. */
#ifndef ET_CAPTURE_SINK_H
#define ET_CAPTURE_SINK_H

#include "sink.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define ET_CAPTURE_MAX_SIZE 16 /* bytes kept of each message */

typedef struct {
	uint32_t frame;
	int      track; /* 0..7, or ET_SINK_THRU */
	uint32_t size;
	uint8_t  b[ET_CAPTURE_MAX_SIZE];
} EtCaptured;

typedef struct {
	EtCaptured *ev;
	size_t      n;
	size_t      max;    /* room in ev */
	size_t      room;   /* events still accepted before the sink reports
			     * full (a full output); SIZE_MAX: never */
	size_t   backwards; /* events whose frame was before the last one's */
	uint32_t last_frame;
} EtCapture;

/* A capture of up to max events (aborts if it cannot allocate). */
void et_capture_init(EtCapture *c, size_t max);
void et_capture_free(EtCapture *c);
/* Forgets what was captured (room and the frame order check too). */
void   et_capture_clear(EtCapture *c);
EtSink et_capture_sink(EtCapture *c);

/* The events captured, one per line ("frame track: b0 b1 b2"), into a
 * static buffer: for failure messages. */
const char *et_capture_text(const EtCapture *c);

#endif
