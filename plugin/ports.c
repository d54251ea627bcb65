/* The port table: one row per port, in index order (see ports.h). */
#include "ports.h"

#include <math.h>
#include <stddef.h>

#define TRACK_PORTS(n)                                                        \
	{"track" #n "_channel", "Track " #n " channel",                           \
	 "MIDI channel (1-16) on which track " #n " sends everything it plays.",  \
	 ET_PORT_KIND_CONTROL_IN, 1.0f, (float)(n), 16.0f, ET_PROP_INTEGER,       \
	 "etu:channel", "track" #n, ET_SCALE_NONE},                                \
	{"track" #n "_mute", "Track " #n " mute",                                 \
	 "Silences track " #n ": it sends nothing new and ends the notes it has " \
	 "sounding.",                                                             \
	 ET_PORT_KIND_CONTROL_IN, 0.0f, 0.0f, 1.0f, ET_PROP_TOGGLED, "etu:switch", \
	 "track" #n, ET_SCALE_NONE},                                              \
	{"track" #n "_transpose", "Track " #n " transpose",                       \
	 "Semitones added to the notes of track " #n ".",                         \
	 ET_PORT_KIND_CONTROL_IN, -48.0f, 0.0f, 48.0f, ET_PROP_INTEGER,           \
	 "units:semitone12TET", "track" #n, ET_SCALE_NONE},                       \
	{"track" #n "_program", "Track " #n " program",                           \
	 "0 sends no program change; N sends Program Change N-1 on the track's "  \
	 "channel when it changes and when track " #n " becomes active.",         \
	 ET_PORT_KIND_CONTROL_IN, 0.0f, 0.0f, 128.0f, ET_PROP_INTEGER,            \
	 "etu:program", "track" #n, ET_SCALE_NONE}

const EtPortInfo et_ports[ET_PORT_COUNT] = {
	{"midi_in", "MIDI in",
	 "Controller MIDI to route, and the host's transport position.",
	 ET_PORT_KIND_ATOM_IN, 0, 0, 0, 0, NULL, "midi", ET_SCALE_NONE},
	{"midi_out", "MIDI out",
	 "All eight tracks merged, each on its own channel, plus what passes "
	 "thru.",
	 ET_PORT_KIND_ATOM_OUT, 0, 0, 0, 0, NULL, "midi", ET_SCALE_NONE},
	{"auto_channel", "Auto channel",
	 "Input channel that plays the active track; Omni lets every channel "
	 "play it.",
	 ET_PORT_KIND_CONTROL_IN, 0.0f, 0.0f, 16.0f,
	 ET_PROP_INTEGER | ET_PROP_ENUMERATION, "etu:channel", "routing",
	 ET_SCALE_AUTO_CHANNEL},
	{"active_track", "Active track",
	 "The track that the auto channel plays.",
	 ET_PORT_KIND_CONTROL_IN, 1.0f, 1.0f, 8.0f,
	 ET_PROP_INTEGER | ET_PROP_ENUMERATION, "etu:track", "routing",
	 ET_SCALE_TRACKS},
	{"thru", "Thru",
	 "Pass on, unchanged, what no track takes (other channels, system "
	 "messages); off drops it.",
	 ET_PORT_KIND_CONTROL_IN, 0.0f, 1.0f, 1.0f, ET_PROP_TOGGLED, "etu:switch",
	 "routing", ET_SCALE_NONE},
	TRACK_PORTS(1),
	TRACK_PORTS(2),
	TRACK_PORTS(3),
	TRACK_PORTS(4),
	TRACK_PORTS(5),
	TRACK_PORTS(6),
	TRACK_PORTS(7),
	TRACK_PORTS(8),
};

const EtPortGroup et_port_groups[] = {
	{"midi", "MIDI", "pg:Group"},
	{"routing", "Routing", "pg:Group"},
	{"track1", "Track 1", "pg:Group"},
	{"track2", "Track 2", "pg:Group"},
	{"track3", "Track 3", "pg:Group"},
	{"track4", "Track 4", "pg:Group"},
	{"track5", "Track 5", "pg:Group"},
	{"track6", "Track 6", "pg:Group"},
	{"track7", "Track 7", "pg:Group"},
	{"track8", "Track 8", "pg:Group"},
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
