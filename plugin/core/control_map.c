#include "control_map.h"

#include "midi.h"
#include "ports.h"

#include <stdbool.h>

/* The controllers a synth latches (sustain, sostenuto, soft, hold): their
 * release on the control channel still ends what began there before it
 * became the control channel, as a note-off does. */
static bool
is_held_controller(uint8_t cc)
{
	return cc == ET_CC_SUSTAIN || cc == ET_CC_SOSTENUTO ||
	       cc == ET_CC_SOFT || cc == ET_CC_HOLD;
}

EtControlAction
et_control_map(uint8_t control_channel, const uint8_t *msg, uint32_t size)
{
	EtControlAction action = { ET_CONTROL_NOT_MINE, 0 };
	if (control_channel < 1 || control_channel > 16 || size < 1 ||
	    msg[0] < ET_MIDI_NOTE_OFF || msg[0] >= ET_MIDI_SYSEX ||
	    (msg[0] & 0x0F) != control_channel - 1) {
		return action;
	}

	const uint8_t type = msg[0] & 0xF0;
	if (size < 3 || (msg[1] & 0x80) || (msg[2] & 0x80)) {
		action.kind = ET_CONTROL_IGNORED;
		return action;
	}
	if (type == ET_MIDI_NOTE_OFF ||
	    (type == ET_MIDI_NOTE_ON && msg[2] == 0) ||
	    (type == ET_MIDI_CONTROL_CHANGE &&
	     ((is_held_controller(msg[1]) && msg[2] < 64) ||
	      msg[1] == ET_CC_ALL_SOUND_OFF ||
	      msg[1] == ET_CC_ALL_NOTES_OFF))) {
		action.kind = ET_CONTROL_RELEASE;
		return action;
	}
	action.kind = ET_CONTROL_IGNORED;
	if (type != ET_MIDI_NOTE_ON) {
		return action;
	}

	const uint8_t note = msg[1];
	if (note >= ET_CONTROL_NOTE_TRACK_FIRST &&
	    note < ET_CONTROL_NOTE_TRACK_FIRST + ET_TRACK_COUNT) {
		action.kind  = ET_CONTROL_SELECT_TRACK;
		action.track = (uint8_t)(note - ET_CONTROL_NOTE_TRACK_FIRST);
	} else if (note == ET_CONTROL_NOTE_LOOP_ARM) {
		action.kind = ET_CONTROL_LOOP_ARM;
	} else if (note == ET_CONTROL_NOTE_LOOP_MUTE) {
		action.kind = ET_CONTROL_LOOP_MUTE;
	} else if (note == ET_CONTROL_NOTE_LOOP_CLEAR) {
		action.kind = ET_CONTROL_LOOP_CLEAR;
	} else if (note == ET_CONTROL_NOTE_LOOP_UNDO) {
		action.kind = ET_CONTROL_LOOP_UNDO;
	} else if (note == ET_CONTROL_NOTE_LOOP_REDO) {
		action.kind = ET_CONTROL_LOOP_REDO;
	}
	return action;
}
