/* The auto-channel MIDI router: eight tracks, merged to one output.
 *
 * Plain C, no LV2: the glue hands it complete MIDI messages with their
 * frame, and it answers through an EtEmitFn.  It remembers where every
 * note-on went, so every note-off follows its note-on whatever changes in
 * between, and nothing is ever left hanging. */
#ifndef ET_ROUTER_H
#define ET_ROUTER_H

#include "ports.h"

#include <stdbool.h>
#include <stdint.h>

#define ET_ROUTER_THRU (-1) /* the "track" of a message that no track took */

typedef struct {
	uint8_t channel;   /* 1..16 */
	bool    mute;
	int8_t  transpose; /* -48..48 */
	uint8_t program;   /* 0 = none, N = Program Change N-1 */
} EtTrackControls;

typedef struct {
	uint8_t         auto_channel; /* 0 = Omni, 1..16 */
	uint8_t         active_track; /* 0-based, 0..7 */
	bool            thru;
	EtTrackControls track[ET_TRACK_COUNT];
} EtRouterControls;

typedef enum {
	ET_ROUTER_OK = 0,
	ET_ROUTER_EMPTY,         /* a zero-size event */
	ET_ROUTER_NO_STATUS,     /* starts with a data byte */
	ET_ROUTER_BAD_LENGTH,    /* truncated, or longer than its status allows */
	ET_ROUTER_BAD_DATA,      /* a data byte with the high bit set */
	ET_ROUTER_UNDEFINED,     /* an undefined status (0xF4, 0xF5, lone 0xF7) */
	ET_ROUTER_OUTPUT_FULL,   /* the output refused an event */
	ET_ROUTER_STATUS_COUNT
} EtRouterStatus;

/* Writes one complete MIDI message at `frame`; track is 0..7, or
 * ET_ROUTER_THRU.  Returns false when the output is full. */
typedef bool (*EtEmitFn)(void *ctx, uint32_t frame, int track,
                         const uint8_t *msg, uint32_t size);

typedef struct {
	EtEmitFn emit;
	void    *ctx;
} EtSink;

/* Where a sounding note went.  holder 0 = not sounding. */
typedef struct {
	int8_t  holder;     /* 1..8 = track, -1 = thru, 0 = free */
	uint8_t out_status; /* 0x80|channel it was sent on */
	uint8_t out_note;
	bool    off_pending; /* its note-off could not be written yet */
} EtHeldNote;

/* A sustain pedal that a track has pressed on its synth. */
typedef struct {
	bool    down;
	uint8_t out_channel; /* 0..15, where the pedal-down went */
	uint8_t in_channel;  /* 0..15, where it came from */
} EtSustain;

typedef struct {
	EtRouterControls controls;   /* as last applied */
	bool             started;    /* the first control update has run */
	EtHeldNote       held[16][128]; /* by input channel, input note */
	uint16_t         held_count[ET_TRACK_COUNT + 1]; /* [8] = thru */
	bool             any_pending;
	EtSustain        sustain[ET_TRACK_COUNT];
	uint32_t         status_count[ET_ROUTER_STATUS_COUNT];
} EtRouter;

/* The controls as a new instance has them: the ports' defaults. */
void et_router_default_controls(EtRouterControls *controls);

void et_router_init(EtRouter *router);

/* Applies new control values at `frame`, emitting what the change calls
 * for: note-offs of a track being muted, program changes.  The first call
 * compares against the defaults, and sends the active track's program. */
void et_router_set_controls(EtRouter *router, const EtRouterControls *controls,
                            uint32_t frame, const EtSink *sink);

/* Routes one MIDI message received at `frame`.  Malformed input is
 * dropped, counted in status_count, and reported as the return value. */
EtRouterStatus et_router_process(EtRouter *router, uint32_t frame,
                                 const uint8_t *msg, uint32_t size,
                                 const EtSink *sink);

/* Ends what a message would end, without routing the message itself: the
 * held note of a note-off, the pedals that came from its channel for a
 * sustain release, every note from its channel for CC 120/123.  For the
 * control channel: it consumes its messages, yet a note that began on that
 * channel before it became the control channel must still end. */
void et_router_release(EtRouter *router, uint32_t frame, const uint8_t *msg,
                       uint32_t size, const EtSink *sink);

/* Retries the note-offs that a full output refused earlier. */
void et_router_flush(EtRouter *router, uint32_t frame, const EtSink *sink);

/* Ends every sounding note and pedal on every track (used by tests and by
 * hosts' panic); returns the number of note-offs sent. */
unsigned et_router_all_off(EtRouter *router, uint32_t frame,
                           const EtSink *sink);

/* Tells `sink`, at `frame`, the note-off of every note and the release of
 * every sustain pedal that the tracks hold, each with its track, without
 * forgetting them: for an output that stops carrying the tracks (the
 * track outputs switched off) while the merged output goes on. */
void et_router_tell_releases(const EtRouter *router, uint32_t frame,
                             const EtSink *sink);

/* Number of notes currently sounding on a track (0..7) or thru (8). */
unsigned et_router_sounding(const EtRouter *router, unsigned slot);

const char *et_router_strerror(EtRouterStatus status);

#endif
