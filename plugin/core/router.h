/* The auto-channel MIDI router: eight tracks, merged to one output.
 *
 * Plain C, no LV2: the glue hands it complete MIDI messages with their
 * frame, and it answers through an EtEmitFn.  It remembers where every
 * note-on went, so every note-off follows its note-on whatever changes in
 * between, and where every press of a held controller (sustain and the
 * like) went, so its release reaches every channel the press reached:
 * nothing is ever left hanging. */
#ifndef ET_ROUTER_H
#define ET_ROUTER_H

#include "ports.h"
#include "sink.h"

#include <stdbool.h>
#include <stdint.h>

#define ET_ROUTER_THRU ET_SINK_THRU /* the "track" of what no track took */

typedef struct {
	uint8_t channel; /* 1..16 */
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
	ET_ROUTER_EMPTY,      /* a zero-size event */
	ET_ROUTER_NO_STATUS,  /* starts with a data byte */
	ET_ROUTER_BAD_LENGTH, /* truncated, or longer than its status allows */
	ET_ROUTER_BAD_DATA,   /* a data byte with the high bit set */
	ET_ROUTER_UNDEFINED,  /* an undefined status (0xF4, 0xF5, lone 0xF7) */
	ET_ROUTER_OUTPUT_FULL, /* the output refused an event */
	ET_ROUTER_STATUS_COUNT
} EtRouterStatus;

/* Where a sounding note went.  holder 0 = not sounding. */
typedef struct {
	int8_t  holder;     /* 1..8 = track, -1 = thru, 0 = free */
	uint8_t out_status; /* 0x80|channel it was sent on */
	uint8_t out_note;
	bool    off_pending; /* its note-off could not be written yet */
} EtHeldNote;

/* The controllers that a synth latches, tracked like notes: sustain (CC
 * 64), sostenuto (66), soft (67) and hold (69). */
#define ET_ROUTER_HELD_CONTROLS 4
#define ET_ROUTER_SLOTS         (ET_TRACK_COUNT + 1) /* tracks, then thru */

/* Where the presses of one held controller from one input channel went:
 * for each track (0..7) and thru (8), a bit per output channel (bit c =
 * channel c + 1) that a press reached and no release has reached since. */
typedef struct {
	uint16_t reached[ET_ROUTER_SLOTS];
	uint16_t
	    pending[ET_ROUTER_SLOTS]; /* its release could not be written */
} EtHeldControl;

/* Decisions about held controllers (sustain 64, sostenuto 66, soft 67,
 * hold 69; interface.md, "Routing rules"):
 * - A value >= 64 is down, < 64 is a release (the switch-pedal
 *   convention).  Every down value is routed like any CC, to the track
 *   that takes it (or Thru) now, and the output channel it reached joins
 *   the set held for its input channel and controller.  A channel already
 *   in the set is not added twice: a continuous (half-)pedal at 80, 96,
 *   112 holds each channel once.
 * - Down values after a change (the track's channel, the active track,
 *   the auto channel, Thru) go only where the message is routed now; the
 *   channels pressed before keep the value they last got until the
 *   release.  One input drives one destination, as the routing rules say.
 * - A release goes, with the player's own value (0, or a half-pedal's 40),
 *   to every channel of every track and of Thru that a press from its
 *   input channel reached, once each, whatever changed in between (Thru
 *   off, the auto channel, a channel, the active track).  It is also
 *   routed like any CC, unless a release of this message already went to
 *   that output channel: a pedal-up where no press went is harmless and
 *   lets a player release a pedal pressed before the plugin started.
 * - Presses are kept per track and Thru: two tracks that play one channel
 *   and both got the press both get the release (each track output got a
 *   press); presses from two input channels are kept apart, and each
 *   input's release releases its own.
 * - Muting a track, et_router_all_off() (panic) and the router's own
 *   releases send 0.  Muting releases what the track holds; CC 120 and
 *   123 release what came in on their channel, wherever it went, and what
 *   the track that takes them holds; et_router_all_off() releases all,
 *   Thru included; et_router_release() (the control channel) releases
 *   what a release from that channel would, without routing it.
 * - A release that a full output refuses waits, like a note-off, for
 *   et_router_flush(); it is then sent with 0.  A new press that reaches
 *   the channel first cancels it.
 * - CC 121 (reset all controllers) is routed like any CC and releases
 *   nothing in the router's books: a later release only repeats an up. */

typedef struct {
	EtRouterControls controls;      /* as last applied */
	bool             started;       /* the first control update has run */
	EtHeldNote       held[16][128]; /* by input channel, input note */
	uint16_t         held_count[ET_TRACK_COUNT + 1]; /* [8] = thru */
	bool             any_pending; /* a note-off or a release waits */
	/* By input channel and controller (64, 66, 67, 69). */
	EtHeldControl held_cc[16][ET_ROUTER_HELD_CONTROLS];
	EtHeldNote    test_note; /* calibration's (et_router_test_note_on) */
	uint32_t      status_count[ET_ROUTER_STATUS_COUNT];
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
 * held note of a note-off, the held controller (64, 66, 67, 69) that came
 * from its channel for a release (< 64), every note and held controller
 * from its channel for CC 120/123.  For the
 * control channel: it consumes its messages, yet a note that began on that
 * channel before it became the control channel must still end. */
void et_router_release(EtRouter *router, uint32_t frame, const uint8_t *msg,
		       uint32_t size, const EtSink *sink);

/* Retries the note-offs and releases that a full output refused earlier. */
void et_router_flush(EtRouter *router, uint32_t frame, const EtSink *sink);

/* Ends every sounding note and releases every held controller, on every
 * track and Thru (used by tests and by hosts' panic); returns the number
 * of note-offs sent. */
unsigned et_router_all_off(EtRouter *router, uint32_t frame,
			   const EtSink *sink);

/* Tells `sink`, at `frame`, the note-off of every note and the release (0)
 * of every held controller that the tracks hold, once per track, output
 * channel and controller, each with its track, without
 * forgetting them: for an output that stops carrying the tracks (the
 * track outputs switched off) while the merged output goes on. */
void et_router_tell_releases(const EtRouter *router, uint32_t frame,
			     const EtSink *sink);

/* Calibration's test notes (interface.md, "Round-trip compensation"): a
 * note on track's channel (0..7), as it is, not transposed, sent even if
 * the track is muted (the user asked for it) and never to another track.
 * It is kept like a held note: its note-off goes where it went whatever
 * changes, a full output retries it (et_router_flush), and
 * et_router_all_off() and et_router_tell_releases() end it.  One at a
 * time: a new one ends the one before.  False if the output refused it
 * (nothing is then held). */
bool et_router_test_note_on(EtRouter *router, unsigned track, uint32_t frame,
			    uint8_t note, uint8_t velocity,
			    const EtSink *sink);
void et_router_test_note_off(EtRouter *router, uint32_t frame,
			     const EtSink *sink);

/* Number of notes currently sounding on a track (0..7) or thru (8). */
unsigned et_router_sounding(const EtRouter *router, unsigned slot);
/* Bit t set: notes are sounding on track t (0..7); one call a block. */
uint32_t et_router_sounding_tracks(const EtRouter *router);

/* Number of held controllers that a track (0..7) or thru (8) holds down:
 * one per input channel, controller and output channel. */
unsigned et_router_held_controls(const EtRouter *router, unsigned slot);

const char *et_router_strerror(EtRouterStatus status);

#endif
