/* The MIDI bytes the core reads and writes, named once (the MIDI 1.0
 * specification's): status bytes, and the controllers it treats
 * specially. */
#ifndef ET_MIDI_H
#define ET_MIDI_H

enum {
	/* Channel voice messages: the high nibble; the channel is the low. */
	ET_MIDI_NOTE_OFF         = 0x80,
	ET_MIDI_NOTE_ON          = 0x90,
	ET_MIDI_POLY_PRESSURE    = 0xA0,
	ET_MIDI_CONTROL_CHANGE   = 0xB0,
	ET_MIDI_PROGRAM_CHANGE   = 0xC0,
	ET_MIDI_CHANNEL_PRESSURE = 0xD0,
	ET_MIDI_PITCH_BEND       = 0xE0,
	/* System messages. */
	ET_MIDI_SYSEX         = 0xF0,
	ET_MIDI_SONG_POSITION = 0xF2,
	ET_MIDI_SYSEX_END     = 0xF7,
	ET_MIDI_TIMING_CLOCK  = 0xF8,
	ET_MIDI_START         = 0xFA,
	ET_MIDI_CONTINUE      = 0xFB,
	ET_MIDI_STOP          = 0xFC
};

/* Controllers. */
enum {
	ET_CC_SUSTAIN       = 64,
	ET_CC_SOSTENUTO     = 66,
	ET_CC_SOFT          = 67,
	ET_CC_HOLD          = 69,
	ET_CC_ALL_SOUND_OFF = 120,
	ET_CC_ALL_NOTES_OFF = 123
};

#endif
