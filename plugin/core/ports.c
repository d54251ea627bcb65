/* The port table: one row per port, in index order (see ports.h). */
#include "ports.h"

#include <math.h>
#include <stddef.h>

#define TRACK_OUT(n)                                                          \
	{"track" #n "_out", "Track " #n " out",                                   \
	 "What track " #n " plays, alone, while Track outputs is on, with the "   \
	 "same note-off guarantees as the merged output.",                        \
	 ET_PORT_KIND_ATOM_OUT, 0, 0, 0, 0, ET_UNIT_NONE, "track_outs",           \
	 ET_SCALE_NONE}

#define TRACK_PORTS(n)                                                        \
	{"track" #n "_channel", "Track " #n " channel",                           \
	 "MIDI channel (1-16) on which track " #n " sends everything it plays.",  \
	 ET_PORT_KIND_CONTROL_IN, 1.0f, (float)(n), 16.0f, ET_PROP_INTEGER,       \
	 ET_UNIT_CHANNEL, "track" #n, ET_SCALE_NONE},                             \
	{"track" #n "_mute", "Track " #n " mute",                                 \
	 "Silences track " #n ": it sends nothing new and ends the notes it has " \
	 "sounding.",                                                             \
	 ET_PORT_KIND_CONTROL_IN, 0.0f, 0.0f, 1.0f, ET_PROP_TOGGLED,              \
	 ET_UNIT_SWITCH, "track" #n, ET_SCALE_NONE},                              \
	{"track" #n "_transpose", "Track " #n " transpose",                       \
	 "Semitones added to the notes of track " #n ".",                         \
	 ET_PORT_KIND_CONTROL_IN, -48.0f, 0.0f, 48.0f, ET_PROP_INTEGER,           \
	 ET_UNIT_SEMITONE, "track" #n, ET_SCALE_NONE},                            \
	{"track" #n "_program", "Track " #n " program",                           \
	 "0 sends no program change; N sends Program Change N-1 on the track's "  \
	 "channel when it changes and when track " #n " becomes active.",         \
	 ET_PORT_KIND_CONTROL_IN, 0.0f, 0.0f, 128.0f, ET_PROP_INTEGER,            \
	 ET_UNIT_PROGRAM, "track" #n, ET_SCALE_NONE}

const EtPortInfo et_ports[ET_PORT_COUNT] = {
	{"midi_in", "MIDI in",
	 "Controller MIDI to route, and the host's transport position.",
	 ET_PORT_KIND_ATOM_IN, 0, 0, 0, 0, ET_UNIT_NONE, "midi", ET_SCALE_NONE},
	{"midi_out", "MIDI out",
	 "All eight tracks merged, each on its own channel, plus what passes "
	 "thru.",
	 ET_PORT_KIND_ATOM_OUT, 0, 0, 0, 0, ET_UNIT_NONE, "midi", ET_SCALE_NONE},
	{"auto_channel", "Auto channel",
	 "Input channel that plays the active track; Omni lets every channel "
	 "play it.",
	 ET_PORT_KIND_CONTROL_IN, 0.0f, 0.0f, 16.0f,
	 ET_PROP_INTEGER | ET_PROP_ENUMERATION, ET_UNIT_CHANNEL, "routing",
	 ET_SCALE_AUTO_CHANNEL},
	{"active_track", "Active track",
	 "The track that the auto channel plays.",
	 ET_PORT_KIND_CONTROL_IN, 1.0f, 1.0f, 8.0f,
	 ET_PROP_INTEGER | ET_PROP_ENUMERATION, ET_UNIT_TRACK, "routing",
	 ET_SCALE_TRACKS},
	{"thru", "Thru",
	 "Pass on, unchanged, what no track takes (other channels, system "
	 "messages); off drops it.",
	 ET_PORT_KIND_CONTROL_IN, 0.0f, 1.0f, 1.0f, ET_PROP_TOGGLED, ET_UNIT_SWITCH,
	 "routing", ET_SCALE_NONE},
	TRACK_PORTS(1),
	TRACK_PORTS(2),
	TRACK_PORTS(3),
	TRACK_PORTS(4),
	TRACK_PORTS(5),
	TRACK_PORTS(6),
	TRACK_PORTS(7),
	TRACK_PORTS(8),
	{"in_l", "In left", "Left audio input: the synth, into the loop recorder.",
	 ET_PORT_KIND_AUDIO_IN, 0, 0, 0, 0, ET_UNIT_NONE,
	 "audio_in", ET_SCALE_NONE},
	{"in_r", "In right", "Right audio input: the synth, into the loop "
	 "recorder.",
	 ET_PORT_KIND_AUDIO_IN, 0, 0, 0, 0, ET_UNIT_NONE,
	 "audio_in", ET_SCALE_NONE},
	{"out_l", "Out left", "Left audio output: monitor plus loop playback.",
	 ET_PORT_KIND_AUDIO_OUT, 0, 0, 0, 0, ET_UNIT_NONE,
	 "audio_out", ET_SCALE_NONE},
	{"out_r", "Out right", "Right audio output: monitor plus loop playback.",
	 ET_PORT_KIND_AUDIO_OUT, 0, 0, 0, 0, ET_UNIT_NONE,
	 "audio_out", ET_SCALE_NONE},
	{"loop_arm", "Loop arm",
	 "On arms recording (it starts at the next quantize point); off ends it "
	 "(at the next quantize point).",
	 ET_PORT_KIND_CONTROL_IN, 0.0f, 0.0f, 1.0f, ET_PROP_TOGGLED, ET_UNIT_SWITCH,
	 "looper", ET_SCALE_NONE},
	{"loop_mute", "Loop mute",
	 "Silences loop playback; the loop keeps its place in time.",
	 ET_PORT_KIND_CONTROL_IN, 0.0f, 0.0f, 1.0f, ET_PROP_TOGGLED, ET_UNIT_SWITCH,
	 "looper", ET_SCALE_NONE},
	{"loop_overdub", "Loop overdub",
	 "When a loop exists, arming layers onto it instead of replacing it.",
	 ET_PORT_KIND_CONTROL_IN, 0.0f, 1.0f, 1.0f, ET_PROP_TOGGLED, ET_UNIT_SWITCH,
	 "looper", ET_SCALE_NONE},
	{"loop_quantize", "Loop quantize",
	 "Where recording starts and stops: at once, on the next beat, or on "
	 "the next bar of the host's transport.",
	 ET_PORT_KIND_CONTROL_IN, 0.0f, 2.0f, 2.0f,
	 ET_PROP_INTEGER | ET_PROP_ENUMERATION, ET_UNIT_MODE, "looper",
	 ET_SCALE_QUANTIZE},
	{"loop_bars", "Loop bars",
	 "0: the loop is as long as you hold arm; N: recording ends by itself "
	 "after N bars.",
	 ET_PORT_KIND_CONTROL_IN, 0.0f, 0.0f, 64.0f, ET_PROP_INTEGER, ET_UNIT_BAR,
	 "looper", ET_SCALE_NONE},
	{"loop_clear", "Loop clear", "Erases the loop.",
	 ET_PORT_KIND_CONTROL_IN, 0.0f, 0.0f, 1.0f,
	 ET_PROP_TOGGLED | ET_PROP_TRIGGER, ET_UNIT_SWITCH, "looper",
	 ET_SCALE_NONE},
	{"loop_level", "Loop level", "Loop playback gain.",
	 ET_PORT_KIND_CONTROL_IN, -60.0f, 0.0f, 6.0f, 0, ET_UNIT_DB, "looper",
	 ET_SCALE_NONE},
	{"monitor", "Monitor", "Input audio goes to the output.",
	 ET_PORT_KIND_CONTROL_IN, 0.0f, 1.0f, 1.0f, ET_PROP_TOGGLED, ET_UNIT_SWITCH,
	 "looper", ET_SCALE_NONE},
	{"loop_state", "Loop state",
	 "Empty, armed (waiting for the quantize point), recording, playing or "
	 "overdubbing.",
	 ET_PORT_KIND_CONTROL_OUT, 0.0f, 0.0f, 4.0f,
	 ET_PROP_INTEGER | ET_PROP_ENUMERATION, ET_UNIT_MODE, "looper",
	 ET_SCALE_LOOP_STATE},
	{"loop_length", "Loop length",
	 "Length of the loop (while recording: of what is recorded so far).",
	 ET_PORT_KIND_CONTROL_OUT, 0.0f, 0.0f, 3600.0f, 0, ET_UNIT_SECOND, "looper",
	 ET_SCALE_NONE},
	{"loop_position", "Loop position", "Playback phase through the loop.",
	 ET_PORT_KIND_CONTROL_OUT, 0.0f, 0.0f, 1.0f, 0, ET_UNIT_COEF, "looper",
	 ET_SCALE_NONE},
	{"notify", "Notify",
	 "Feedback for the plugin's UI: notes sounding per track and the loop's "
	 "waveform overview.",
	 ET_PORT_KIND_NOTIFY_OUT, 0, 0, 0, 0, ET_UNIT_NONE, "midi", ET_SCALE_NONE},
	{"clock_out", "Clock out",
	 "Sends MIDI clock (24 per quarter note), Start, Stop, Continue and Song "
	 "Position Pointer on the MIDI output, following the host's transport.",
	 ET_PORT_KIND_CONTROL_IN, 0.0f, 0.0f, 1.0f, ET_PROP_TOGGLED, ET_UNIT_SWITCH,
	 "routing", ET_SCALE_NONE},
	{"control_channel", "Control channel",
	 "Off, or the input channel whose notes select the active track and "
	 "drive the looper at the note's own frame (see the README's note map); "
	 "they are not routed.",
	 ET_PORT_KIND_CONTROL_IN, 0.0f, 0.0f, 16.0f,
	 ET_PROP_INTEGER | ET_PROP_ENUMERATION, ET_UNIT_CHANNEL, "routing",
	 ET_SCALE_CONTROL_CHANNEL},
	TRACK_OUT(1),
	TRACK_OUT(2),
	TRACK_OUT(3),
	TRACK_OUT(4),
	TRACK_OUT(5),
	TRACK_OUT(6),
	TRACK_OUT(7),
	TRACK_OUT(8),
	{"track_outs", "Track outputs",
	 "Also write each track's events to its own output (track1_out ...). "
	 "Off by default: Carla's rack merges every MIDI output into one "
	 "stream, so the next plugin would get every event twice; turn it on "
	 "where the track outputs are wired apart (Ardour with widened pins, "
	 "Carla's patchbay, jalv).",
	 ET_PORT_KIND_CONTROL_IN, 0.0f, 0.0f, 1.0f, ET_PROP_TOGGLED, ET_UNIT_SWITCH,
	 "track_outs", ET_SCALE_NONE},
};

const EtPortGroup et_port_groups[] = {
	{"midi", "MIDI", ET_GROUP_PLAIN},
	{"routing", "Routing", ET_GROUP_PLAIN},
	{"track1", "Track 1", ET_GROUP_PLAIN},
	{"track2", "Track 2", ET_GROUP_PLAIN},
	{"track3", "Track 3", ET_GROUP_PLAIN},
	{"track4", "Track 4", ET_GROUP_PLAIN},
	{"track5", "Track 5", ET_GROUP_PLAIN},
	{"track6", "Track 6", ET_GROUP_PLAIN},
	{"track7", "Track 7", ET_GROUP_PLAIN},
	{"track8", "Track 8", ET_GROUP_PLAIN},
	{"audio_in", "Audio in", ET_GROUP_STEREO_IN},
	{"audio_out", "Audio out", ET_GROUP_STEREO_OUT},
	{"looper", "Looper", ET_GROUP_PLAIN},
	{"track_outs", "Track outputs", ET_GROUP_PLAIN},
};

const unsigned et_port_group_count =
    sizeof(et_port_groups) / sizeof(et_port_groups[0]);

float
et_port_sanitize(uint32_t index, float value)
{
	if (index >= ET_PORT_COUNT) {
		return 0.0f;
	}

	const EtPortInfo *port = &et_ports[index];
	if (isnan(value)) {
		return port->fallback;
	}

	/* Comparisons also catch +-inf. */
	if (value < port->minimum) {
		value = port->minimum;
	} else if (value > port->maximum) {
		value = port->maximum;
	}

	if (port->properties & ET_PROP_TOGGLED) {
		/* lv2:toggled: anything above zero is on. */
		value = value > 0.0f ? 1.0f : 0.0f;
	} else if (port->properties & ET_PROP_INTEGER) {
		value = roundf(value);
	}
	return value;
}
