/* The auto-channel router (see router.h for what it promises). */
#include "router.h"

#include "midi.h"

#include <string.h>

#define SLOT_THRU ET_TRACK_COUNT /* held_count index of thru notes */

enum {
	RELEASE_VELOCITY = 64, /* for the note-offs the router makes itself */
	HELD_DOWN        = 64, /* a held controller at >= 64 is down */
	RELEASE_VALUE    = 0   /* for the releases the router makes itself */
};

/* The controller number of each held controller, by its index. */
static const uint8_t held_cc_number[ET_ROUTER_HELD_CONTROLS] = {
	ET_CC_SUSTAIN, ET_CC_SOSTENUTO, ET_CC_SOFT, ET_CC_HOLD
};

/* The index of a held controller, or -1 for any other controller. */
static int
held_index(uint8_t cc)
{
	switch (cc) {
	case ET_CC_SUSTAIN: return 0;
	case ET_CC_SOSTENUTO: return 1;
	case ET_CC_SOFT: return 2;
	case ET_CC_HOLD: return 3;
	default: return -1;
	}
}

/* A port's default, from the port table. */
static float
port_default(uint32_t port)
{
	return et_ports[port].fallback;
}

/* The ports' defaults, read as the glue reads the ports. */
void
et_router_default_controls(EtRouterControls *controls)
{
	memset(controls, 0, sizeof(*controls));
	controls->auto_channel = (uint8_t)port_default(ET_PORT_AUTO_CHANNEL);
	/* The port counts tracks from 1, the router from 0. */
	controls->active_track =
	    (uint8_t)(port_default(ET_PORT_ACTIVE_TRACK) - 1.0f);
	controls->thru = port_default(ET_PORT_THRU) > 0.0f;
	for (unsigned t = 0; t < ET_TRACK_COUNT; ++t) {
		EtTrackControls *tc = &controls->track[t];
		tc->channel         = (uint8_t)port_default(
			    et_track_port(t, ET_TRACK_FIELD_CHANNEL));
		tc->mute =
		    port_default(et_track_port(t, ET_TRACK_FIELD_MUTE)) > 0.0f;
		tc->transpose = (int8_t)port_default(
		    et_track_port(t, ET_TRACK_FIELD_TRANSPOSE));
		tc->program = (uint8_t)port_default(
		    et_track_port(t, ET_TRACK_FIELD_PROGRAM));
	}
}

void
et_router_init(EtRouter *router)
{
	memset(router, 0, sizeof(*router));
	et_router_default_controls(&router->controls);
}

const char *
et_router_strerror(EtRouterStatus status)
{
	switch (status) {
	case ET_ROUTER_OK: return "ok";
	case ET_ROUTER_EMPTY: return "a MIDI event of zero bytes was dropped";
	case ET_ROUTER_NO_STATUS:
		return "a MIDI event that starts with a data byte (no status) was "
		       "dropped";
	case ET_ROUTER_BAD_LENGTH:
		return "a MIDI event that is truncated or longer than its status "
		       "allows was dropped";
	case ET_ROUTER_BAD_DATA:
		return "a MIDI event with a status byte where a data byte belongs was "
		       "dropped";
	case ET_ROUTER_UNDEFINED:
		return "a MIDI event with an undefined status byte was dropped";
	case ET_ROUTER_OUTPUT_FULL:
		return "midi_out or a track's output was full: events were dropped";
	case ET_ROUTER_STATUS_COUNT: break;
	}
	return "unknown router status";
}

/* ---------------------------------------------------------------- output */

static bool
send3(EtRouter *router, const EtSink *sink, uint32_t frame, int track,
      uint8_t b0, uint8_t b1, uint8_t b2, uint32_t size)
{
	const uint8_t msg[3] = { b0, b1, b2 };
	if (sink->emit(sink->ctx, frame, track, msg, size)) {
		return true;
	}
	++router->status_count[ET_ROUTER_OUTPUT_FULL];
	return false;
}

static int
holder_track(int8_t holder)
{
	return holder > 0 ? holder - 1 : ET_ROUTER_THRU;
}

static unsigned
holder_slot(int8_t holder)
{
	return holder > 0 ? (unsigned)(holder - 1) : SLOT_THRU;
}

/* Sends the note-off of a held note, with the status type and velocity
 * given; when the output is full the note stays held, marked pending, and
 * et_router_flush() sends it later. */
static void
end_note(EtRouter *router, const EtSink *sink, uint32_t frame,
	 EtHeldNote *note, uint8_t type, uint8_t velocity)
{
	if (!note->holder || note->off_pending) {
		return;
	}
	const uint8_t status = (uint8_t)(type | (note->out_status & 0x0F));
	if (send3(router, sink, frame, holder_track(note->holder), status,
		  note->out_note, velocity, 3)) {
		--router->held_count[holder_slot(note->holder)];
		memset(note, 0, sizeof(*note));
	} else {
		note->off_pending   = true;
		router->any_pending = true;
	}
}

/* Ends every held note that matches: a track's or thru slot, and/or an
 * input channel (-1 = any). */
static void
end_notes(EtRouter *router, const EtSink *sink, uint32_t frame, int slot,
	  int in_channel)
{
	for (unsigned ch = 0; ch < 16; ++ch) {
		if (in_channel >= 0 && (unsigned)in_channel != ch) {
			continue;
		}
		for (unsigned n = 0; n < 128; ++n) {
			EtHeldNote *note = &router->held[ch][n];
			if (note->holder &&
			    (slot < 0 ||
			     holder_slot(note->holder) == (unsigned)slot)) {
				end_note(router, sink, frame, note,
					 ET_MIDI_NOTE_OFF, RELEASE_VELOCITY);
			}
		}
	}
}

static int
slot_track(unsigned slot)
{
	return slot < ET_TRACK_COUNT ? (int)slot : ET_ROUTER_THRU;
}

/* Sends the release of held controller k (from the input channel of
 * `held`) to output channel `out_ch` of `slot`, and forgets it; when the
 * output is full it stays held, marked pending, for et_router_flush(). */
static void
release_one(EtRouter *router, const EtSink *sink, uint32_t frame,
	    EtHeldControl *held, unsigned k, unsigned slot, unsigned out_ch,
	    uint8_t value)
{
	const uint16_t bit = (uint16_t)(1u << out_ch);
	if (send3(router, sink, frame, slot_track(slot),
		  (uint8_t)(ET_MIDI_CONTROL_CHANGE | out_ch),
		  held_cc_number[k], value, 3)) {
		held->reached[slot] &= (uint16_t)~bit;
		held->pending[slot] &= (uint16_t)~bit;
	} else {
		held->pending[slot] |= bit;
		router->any_pending = true;
	}
}

/* Releases, with `value`, every output channel that held controller k from
 * input channel `in_ch` reached on `slot` (-1 = every track and thru).
 * Returns the output channels it sent a release to, as a mask. */
static uint16_t
release_held(EtRouter *router, const EtSink *sink, uint32_t frame,
	     unsigned in_ch, unsigned k, int slot, uint8_t value)
{
	EtHeldControl *held = &router->held_cc[in_ch][k];
	uint16_t       sent = 0;
	for (unsigned s = 0; s < ET_ROUTER_SLOTS; ++s) {
		if (slot >= 0 && (unsigned)slot != s) {
			continue;
		}
		const uint16_t mask = held->reached[s];
		for (unsigned c = 0; mask >> c; ++c) {
			if (mask & (1u << c)) {
				release_one(router, sink, frame, held, k, s, c,
					    value);
				sent |= (uint16_t)(1u << c);
			}
		}
	}
	return sent;
}

/* Releases (with 0) every held controller that matches: a track's or thru
 * slot (-1 = any), and an input channel (-1 = any). */
static void
release_all_held(EtRouter *router, const EtSink *sink, uint32_t frame,
		 int slot, int in_channel)
{
	for (unsigned ch = 0; ch < 16; ++ch) {
		if (in_channel >= 0 && (unsigned)in_channel != ch) {
			continue;
		}
		for (unsigned k = 0; k < ET_ROUTER_HELD_CONTROLS; ++k) {
			release_held(router, sink, frame, ch, k, slot,
				     RELEASE_VALUE);
		}
	}
}

void
et_router_flush(EtRouter *router, uint32_t frame, const EtSink *sink)
{
	if (!router->any_pending) {
		return;
	}
	router->any_pending = false;
	for (unsigned ch = 0; ch < 16; ++ch) {
		for (unsigned n = 0; n < 128; ++n) {
			EtHeldNote *note = &router->held[ch][n];
			if (note->off_pending) {
				note->off_pending = false;
				end_note(router, sink, frame, note,
					 ET_MIDI_NOTE_OFF, RELEASE_VELOCITY);
			}
		}
	}
	if (router->test_note.off_pending) {
		router->test_note.off_pending = false;
		end_note(router, sink, frame, &router->test_note,
			 ET_MIDI_NOTE_OFF, RELEASE_VELOCITY);
	}
	for (unsigned ch = 0; ch < 16; ++ch) {
		for (unsigned k = 0; k < ET_ROUTER_HELD_CONTROLS; ++k) {
			EtHeldControl *held = &router->held_cc[ch][k];
			for (unsigned s = 0; s < ET_ROUTER_SLOTS; ++s) {
				const uint16_t mask = held->pending[s];
				for (unsigned c = 0; mask >> c; ++c) {
					if (mask & (1u << c)) {
						release_one(router, sink,
							    frame, held, k, s,
							    c, RELEASE_VALUE);
					}
				}
			}
		}
	}
}

unsigned
et_router_all_off(EtRouter *router, uint32_t frame, const EtSink *sink)
{
	unsigned before = 0;
	for (unsigned s = 0; s <= SLOT_THRU; ++s) {
		before += router->held_count[s];
	}
	end_notes(router, sink, frame, -1, -1);
	end_note(router, sink, frame, &router->test_note, ET_MIDI_NOTE_OFF,
		 RELEASE_VELOCITY);
	release_all_held(router, sink, frame, -1, -1);
	unsigned after = 0;
	for (unsigned s = 0; s <= SLOT_THRU; ++s) {
		after += router->held_count[s];
	}
	return before - after;
}

/* The note-off of a held note, told to `sink` without forgetting it. */
static void
tell_note_off(const EtHeldNote *note, uint32_t frame, const EtSink *sink)
{
	if (note->holder < 1 || note->holder > ET_TRACK_COUNT)
		return;
	const uint8_t off[3] = { (uint8_t)(ET_MIDI_NOTE_OFF |
					   (note->out_status & 0x0F)),
				 note->out_note, RELEASE_VELOCITY };
	sink->emit(sink->ctx, frame, note->holder - 1, off, 3);
}

bool
et_router_test_note_on(EtRouter *router, unsigned track, uint32_t frame,
		       uint8_t note, uint8_t velocity, const EtSink *sink)
{
	et_router_test_note_off(router, frame, sink);
	if (router->test_note.holder || track >= ET_TRACK_COUNT)
		return false; /* the last one's note-off still waits */
	const uint8_t channel =
	    (uint8_t)(router->controls.track[track].channel - 1u) & 0x0F;
	const uint8_t status = (uint8_t)(ET_MIDI_NOTE_ON | channel);
	if (!send3(router, sink, frame, (int)track, status, note & 0x7F,
		   velocity & 0x7F, 3))
		return false;
	router->test_note.holder     = (int8_t)(track + 1);
	router->test_note.out_status = status;
	router->test_note.out_note   = note & 0x7F;
	++router->held_count[track];
	return true;
}

void
et_router_test_note_off(EtRouter *router, uint32_t frame, const EtSink *sink)
{
	end_note(router, sink, frame, &router->test_note, ET_MIDI_NOTE_OFF,
		 RELEASE_VELOCITY);
}

void
et_router_tell_releases(const EtRouter *router, uint32_t frame,
			const EtSink *sink)
{
	tell_note_off(&router->test_note, frame, sink);
	for (unsigned ch = 0; ch < 16; ++ch) {
		for (unsigned n = 0; n < 128; ++n) {
			tell_note_off(&router->held[ch][n], frame, sink);
		}
	}
	/* Once per track, controller and output channel, however many input
	 * channels pressed it there. */
	for (unsigned t = 0; t < ET_TRACK_COUNT; ++t) {
		for (unsigned k = 0; k < ET_ROUTER_HELD_CONTROLS; ++k) {
			uint16_t mask = 0;
			for (unsigned ch = 0; ch < 16; ++ch) {
				mask |= router->held_cc[ch][k].reached[t];
			}
			for (unsigned c = 0; c < 16; ++c) {
				if (mask & (1u << c)) {
					const uint8_t up[3] = {
						(uint8_t)(ET_MIDI_CONTROL_CHANGE |
							  c),
						held_cc_number[k],
						RELEASE_VALUE
					};
					sink->emit(sink->ctx, frame, (int)t,
						   up, 3);
				}
			}
		}
	}
}

unsigned
et_router_sounding(const EtRouter *router, unsigned slot)
{
	return slot <= SLOT_THRU ? router->held_count[slot] : 0;
}

uint32_t
et_router_sounding_tracks(const EtRouter *router)
{
	uint32_t tracks = 0;
	for (unsigned t = 0; t < ET_TRACK_COUNT; ++t) {
		tracks |= (uint32_t)(router->held_count[t] > 0) << t;
	}
	return tracks;
}

unsigned
et_router_held_controls(const EtRouter *router, unsigned slot)
{
	if (slot >= ET_ROUTER_SLOTS) {
		return 0;
	}
	unsigned n = 0;
	for (unsigned ch = 0; ch < 16; ++ch) {
		for (unsigned k = 0; k < ET_ROUTER_HELD_CONTROLS; ++k) {
			for (unsigned c = 0; c < 16; ++c) {
				n += (router->held_cc[ch][k].reached[slot] >>
				      c) &
				     1u;
			}
		}
	}
	return n;
}

/* -------------------------------------------------------------- controls */

static void
send_program(EtRouter *router, const EtSink *sink, uint32_t frame,
	     const EtRouterControls *controls, unsigned track)
{
	const EtTrackControls *tc = &controls->track[track];
	if (tc->program && !tc->mute) {
		send3(router, sink, frame, (int)track,
		      (uint8_t)(ET_MIDI_PROGRAM_CHANGE | (tc->channel - 1)),
		      (uint8_t)(tc->program - 1), 0, 2);
	}
}

void
et_router_set_controls(EtRouter *router, const EtRouterControls *controls,
		       uint32_t frame, const EtSink *sink)
{
	EtRouterControls old;
	if (router->started) {
		old = router->controls;
	} else {
		et_router_default_controls(&old);
	}

	for (unsigned t = 0; t < ET_TRACK_COUNT; ++t) {
		if (controls->track[t].mute && !old.track[t].mute) {
			end_notes(router, sink, frame, (int)t, -1);
			release_all_held(router, sink, frame, (int)t, -1);
		}
	}

	const unsigned active = controls->active_track;
	const bool activated  = !router->started || active != old.active_track;
	for (unsigned t = 0; t < ET_TRACK_COUNT; ++t) {
		const bool changed =
		    controls->track[t].program != old.track[t].program;
		if (changed || (activated && t == active)) {
			send_program(router, sink, frame, controls, t);
		}
	}

	router->controls = *controls;
	router->started  = true;
}

/* ----------------------------------------------------------------- input */

/* The size a message with this status must have: 0 = SysEx (variable),
 * -1 = no status, -2 = undefined. */
static int
expected_size(uint8_t status)
{
	if (status < 0x80) {
		return -1;
	}
	switch (status & 0xF0) {
	case ET_MIDI_PROGRAM_CHANGE:
	case ET_MIDI_CHANNEL_PRESSURE: return 2;
	case ET_MIDI_SYSEX: break;
	default: return 3;
	}
	switch (status) {
	case ET_MIDI_SYSEX: return 0;
	case 0xF1:
	case 0xF3: return 2;
	case 0xF2: return 3;
	case 0xF4:
	case 0xF5:
	case ET_MIDI_SYSEX_END: return -2;
	default: return 1; /* tune request and real-time */
	}
}

static EtRouterStatus
validate(const uint8_t *msg, uint32_t size)
{
	if (size == 0) {
		return ET_ROUTER_EMPTY;
	}
	const int expected = expected_size(msg[0]);
	if (expected == -1) {
		return ET_ROUTER_NO_STATUS;
	}
	if (expected == -2) {
		return ET_ROUTER_UNDEFINED;
	}
	uint32_t data_end = size;
	if (expected == 0) {
		if (size < 2 || msg[size - 1] != ET_MIDI_SYSEX_END) {
			return ET_ROUTER_BAD_LENGTH;
		}
		data_end = size - 1;
	} else if (size != (uint32_t)expected) {
		return ET_ROUTER_BAD_LENGTH;
	}
	for (uint32_t i = 1; i < data_end; ++i) {
		if (msg[i] & 0x80) {
			return ET_ROUTER_BAD_DATA;
		}
	}
	return ET_ROUTER_OK;
}

/* The track that takes a channel-voice message from input channel `ch`
 * (0-based), or -1. */
static int
taking_track(const EtRouterControls *controls, unsigned ch)
{
	const unsigned active = controls->active_track;
	if (controls->auto_channel == 0 || controls->auto_channel == ch + 1 ||
	    controls->track[active].channel == ch + 1) {
		return (int)active;
	}
	return -1;
}

static void
note_on(EtRouter *router, const EtSink *sink, uint32_t frame,
	const uint8_t *msg, int track)
{
	const unsigned          ch       = msg[0] & 0x0F;
	EtHeldNote             *held     = &router->held[ch][msg[1]];
	const EtRouterControls *controls = &router->controls;

	if (held->holder) {
		/* A second note-on for a key still down: end the first, so
		 * every note-on keeps exactly one note-off. */
		end_note(router, sink, frame, held, ET_MIDI_NOTE_OFF,
			 RELEASE_VELOCITY);
		if (held->holder) {
			return; /* its note-off is waiting for room: drop this
				   one */
		}
	}

	if (track < 0) {
		if (controls->thru &&
		    send3(router, sink, frame, ET_ROUTER_THRU, msg[0], msg[1],
			  msg[2], 3)) {
			held->holder     = -1;
			held->out_status = (uint8_t)(ET_MIDI_NOTE_OFF | ch);
			held->out_note   = msg[1];
			++router->held_count[SLOT_THRU];
		}
		return;
	}

	const EtTrackControls *tc       = &controls->track[track];
	const int              out_note = msg[1] + tc->transpose;
	if (tc->mute || out_note < 0 || out_note > 127) {
		return;
	}
	const uint8_t out_ch = (uint8_t)(tc->channel - 1);
	if (send3(router, sink, frame, track,
		  (uint8_t)(ET_MIDI_NOTE_ON | out_ch), (uint8_t)out_note,
		  msg[2], 3)) {
		held->holder     = (int8_t)(track + 1);
		held->out_status = (uint8_t)(ET_MIDI_NOTE_OFF | out_ch);
		held->out_note   = (uint8_t)out_note;
		++router->held_count[track];
	}
}

static void
note_off(EtRouter *router, const EtSink *sink, uint32_t frame,
	 const uint8_t *msg)
{
	/* Goes where its note-on went; a note-off for a note nobody holds (a
	 * host's repeated note-offs on stop) is a stray and is dropped. */
	EtHeldNote *held = &router->held[msg[0] & 0x0F][msg[1]];
	end_note(router, sink, frame, held, (uint8_t)(msg[0] & 0xF0), msg[2]);
}

static void
control_change(EtRouter *router, const EtSink *sink, uint32_t frame,
	       const uint8_t *msg, int track)
{
	const unsigned          ch       = msg[0] & 0x0F;
	const uint8_t           cc       = msg[1];
	const uint8_t           value    = msg[2];
	const EtRouterControls *controls = &router->controls;
	const bool              sends =
            track >= 0 ? !controls->track[track].mute : controls->thru;
	const uint8_t out_ch =
	    track >= 0 ? (uint8_t)(controls->track[track].channel - 1)
		       : (uint8_t)ch;

	const int held     = held_index(cc);
	uint16_t  released = 0; /* output channels a release went to */
	if (held >= 0 && value < HELD_DOWN) {
		/* The release follows each press that came from this input
		 * channel, wherever it went, once. */
		released = release_held(router, sink, frame, ch,
					(unsigned)held, -1, value);
	} else if (cc == ET_CC_ALL_NOTES_OFF || cc == ET_CC_ALL_SOUND_OFF) {
		/* Every note and held controller that came in on this channel,
		 * and every one of the track that takes the message, ends. */
		end_notes(router, sink, frame, -1, (int)ch);
		if (track >= 0) {
			end_notes(router, sink, frame, track, -1);
		}
		release_all_held(router, sink, frame, -1, (int)ch);
		if (track >= 0) {
			release_all_held(router, sink, frame, track, -1);
		}
	}

	if (!sends || (released & (1u << out_ch)) ||
	    !send3(router, sink, frame, track,
		   (uint8_t)(ET_MIDI_CONTROL_CHANGE | out_ch), cc, value, 3)) {
		return;
	}
	if (held >= 0 && value >= HELD_DOWN) {
		/* Pressed there: its release will follow (a channel already
		 * held stays one hold; a release still waiting for room is
		 * moot). */
		EtHeldControl *h    = &router->held_cc[ch][held];
		const unsigned slot = track >= 0 ? (unsigned)track : SLOT_THRU;
		const uint16_t bit  = (uint16_t)(1u << out_ch);
		h->reached[slot] |= bit;
		h->pending[slot] &= (uint16_t)~bit;
	}
}

static void
forward(EtRouter *router, const EtSink *sink, uint32_t frame,
	const uint8_t *msg, uint32_t size, int track)
{
	const EtRouterControls *controls = &router->controls;
	if (track < 0) {
		if (controls->thru) {
			if (!sink->emit(sink->ctx, frame, ET_ROUTER_THRU, msg,
					size)) {
				++router->status_count[ET_ROUTER_OUTPUT_FULL];
			}
		}
		return;
	}

	const EtTrackControls *tc = &controls->track[track];
	if (tc->mute) {
		return;
	}
	uint8_t out[3] = { (uint8_t)((msg[0] & 0xF0) | (tc->channel - 1)),
			   size > 1 ? msg[1] : 0, size > 2 ? msg[2] : 0 };
	if ((msg[0] & 0xF0) == ET_MIDI_POLY_PRESSURE) {
		const int out_note = msg[1] + tc->transpose;
		if (out_note < 0 || out_note > 127) {
			return;
		}
		out[1] = (uint8_t)out_note;
	}
	send3(router, sink, frame, track, out[0], out[1], out[2], size);
}

static void
poly_pressure(EtRouter *router, const EtSink *sink, uint32_t frame,
	      const uint8_t *msg, int track)
{
	/* Pressure on a sounding key goes where that key's note went. */
	const EtHeldNote *held = &router->held[msg[0] & 0x0F][msg[1]];
	if (held->holder && !held->off_pending) {
		send3(router, sink, frame, holder_track(held->holder),
		      (uint8_t)(ET_MIDI_POLY_PRESSURE |
				(held->out_status & 0x0F)),
		      held->out_note, msg[2], 3);
		return;
	}
	forward(router, sink, frame, msg, 3, track);
}

EtRouterStatus
et_router_process(EtRouter *router, uint32_t frame, const uint8_t *msg,
		  uint32_t size, const EtSink *sink)
{
	const EtRouterStatus status = validate(msg, size);
	if (status != ET_ROUTER_OK) {
		++router->status_count[status];
		return status;
	}

	if (msg[0] >= ET_MIDI_SYSEX) {
		forward(router, sink, frame, msg, size, -1);
		return ET_ROUTER_OK;
	}

	const int track = taking_track(&router->controls, msg[0] & 0x0F);
	switch (msg[0] & 0xF0) {
	case ET_MIDI_NOTE_ON:
		if (msg[2] > 0) {
			note_on(router, sink, frame, msg, track);
		} else {
			note_off(router, sink, frame, msg);
		}
		break;
	case ET_MIDI_NOTE_OFF: note_off(router, sink, frame, msg); break;
	case ET_MIDI_POLY_PRESSURE:
		poly_pressure(router, sink, frame, msg, track);
		break;
	case ET_MIDI_CONTROL_CHANGE:
		control_change(router, sink, frame, msg, track);
		break;
	default: forward(router, sink, frame, msg, size, track); break;
	}
	return ET_ROUTER_OK;
}

void
et_router_release(EtRouter *router, uint32_t frame, const uint8_t *msg,
		  uint32_t size, const EtSink *sink)
{
	if (validate(msg, size) != ET_ROUTER_OK || msg[0] >= ET_MIDI_SYSEX) {
		return;
	}
	const unsigned ch   = msg[0] & 0x0F;
	const unsigned type = msg[0] & 0xF0;
	if (type == ET_MIDI_NOTE_OFF ||
	    (type == ET_MIDI_NOTE_ON && msg[2] == 0)) {
		note_off(router, sink, frame, msg);
	} else if (type == ET_MIDI_CONTROL_CHANGE && held_index(msg[1]) >= 0 &&
		   msg[2] < HELD_DOWN) {
		release_held(router, sink, frame, ch,
			     (unsigned)held_index(msg[1]), -1, msg[2]);
	} else if (type == ET_MIDI_CONTROL_CHANGE &&
		   (msg[1] == ET_CC_ALL_NOTES_OFF ||
		    msg[1] == ET_CC_ALL_SOUND_OFF)) {
		end_notes(router, sink, frame, -1, (int)ch);
		release_all_held(router, sink, frame, -1, (int)ch);
	}
}
