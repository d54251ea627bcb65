#include "control_map.h"

#include "ports.h"

EtControlAction
et_control_map(uint8_t control_channel, const uint8_t *msg, uint32_t size)
{
	EtControlAction action = {ET_CONTROL_NOT_MINE, 0};
	if (control_channel < 1 || control_channel > 16 || size < 1 ||
	    msg[0] < 0x80 || msg[0] >= 0xF0 ||
	    (msg[0] & 0x0F) != control_channel - 1) {
		return action;
	}

	const uint8_t type = msg[0] & 0xF0;
	if (size < 3 || (msg[1] & 0x80) || (msg[2] & 0x80)) {
		action.kind = ET_CONTROL_IGNORED;
		return action;
	}
	if (type == 0x80 || (type == 0x90 && msg[2] == 0) ||
	    (type == 0xB0 &&
	     ((msg[1] == 64 && msg[2] < 64) || msg[1] == 120 || msg[1] == 123))) {
		action.kind = ET_CONTROL_RELEASE;
		return action;
	}
	action.kind = ET_CONTROL_IGNORED;
	if (type != 0x90) {
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
	}
	return action;
}
