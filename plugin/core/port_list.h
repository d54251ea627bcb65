/* Every port of the plugin, declared once, in index order.
 *
 * ET_PORT_LIST(X, k) calls, for each port from index 0 on,
 *   X(k, id, symbol, name, comment, kind, minimum, default, maximum,
 *     properties, unit, group, scale)
 * ports.h makes the enum EtPortIndex (ET_PORT_<id>) and the constant
 * lookups ET_PORT_DEFAULT(id) ... of it, ports.c the table et_ports[], and
 * tools/gen_ttl.c the plugin's Turtle from that table.  k is handed to X
 * untouched: a lookup passes the index it looks for.
 *
 * The columns are plain data; the generator says them in LV2's terms.
 *   id          the port's C name: its symbol in capitals (test_port_list)
 *   symbol      lv2:symbol, published (interface.md): never changes
 *   name        what hosts show
 *   comment     what hosts show as the port's help
 *   kind        an EtPortKind without ET_PORT_KIND_
 *   minimum, default, maximum
 *               numbers (0, 0, 0 for ports that are not controls)
 *   properties  ET_PROP_* flags, or 0
 *   unit        an EtUnit without ET_UNIT_
 *   group       an entry of ET_PORT_GROUP_LIST, by its id
 *   scale       an EtScale without ET_SCALE_
 *
 * Indices are in saved sessions and published: a new port goes at the end,
 * nothing is moved or inserted (test_port_list holds the published order). */
#ifndef ET_PORT_LIST_H
#define ET_PORT_LIST_H

#define ET_TRACK_COUNT 8

/* The rows below are a table, aligned by hand. */
/* clang-format off */

/* M(X, k, n) for each track number n, 1 to ET_TRACK_COUNT: the one place
 * the tracks are counted out (ports.c checks that they are all there). */
#define ET_EACH_TRACK(M, X, k)                                                \
	M(X, k, 1) M(X, k, 2) M(X, k, 3) M(X, k, 4)                               \
	M(X, k, 5) M(X, k, 6) M(X, k, 7) M(X, k, 8)

/* Track n's controls, in EtTrackField order (ports.c checks it). */
#define ET_TRACK_CONTROL_ROWS(X, k, n)                                        \
	X(k, TRACK##n##_CHANNEL, "track" #n "_channel", "Track " #n " channel",   \
	  "MIDI channel (1-16) on which track " #n " sends everything it plays.", \
	  CONTROL_IN, 1, n, 16, ET_PROP_INTEGER, CHANNEL, TRACK##n, NONE)         \
	X(k, TRACK##n##_MUTE, "track" #n "_mute", "Track " #n " mute",            \
	  "Silences track " #n ": it sends nothing new and ends the notes it "    \
	  "has sounding.",                                                        \
	  CONTROL_IN, 0, 0, 1, ET_PROP_TOGGLED, SWITCH, TRACK##n, NONE)           \
	X(k, TRACK##n##_TRANSPOSE, "track" #n "_transpose",                       \
	  "Track " #n " transpose",                                               \
	  "Semitones added to the notes of track " #n ".",                        \
	  CONTROL_IN, -48, 0, 48, ET_PROP_INTEGER, SEMITONE, TRACK##n, NONE)      \
	X(k, TRACK##n##_PROGRAM, "track" #n "_program", "Track " #n " program",   \
	  "0 sends no program change; N sends Program Change N-1 on the track's " \
	  "channel when it changes and when track " #n " becomes active.",        \
	  CONTROL_IN, 0, 0, 128, ET_PROP_INTEGER, PROGRAM, TRACK##n, NONE)

/* Track n's own MIDI output. */
#define ET_TRACK_OUT_ROW(X, k, n)                                             \
	X(k, TRACK##n##_OUT, "track" #n "_out", "Track " #n " out",               \
	  "What track " #n " plays, alone, while Track outputs is on, with the "  \
	  "same note-off guarantees as the merged output.",                       \
	  ATOM_OUT, 0, 0, 0, 0, NONE, TRACK_OUTS, NONE)

/* Track n's loop (issue 16, "Eight recorders" in interface.md). */
#define ET_TRACK_LOOP_MUTE_ROW(X, k, n)                                       \
	X(k, TRACK##n##_LOOP_MUTE, "track" #n "_loop_mute",                       \
	  "Track " #n " loop mute",                                               \
	  "Silences the loop of track " #n "; it keeps its place in time.",       \
	  CONTROL_IN, 0, 0, 1, ET_PROP_TOGGLED, SWITCH, TRACK##n, NONE)
#define ET_TRACK_LOOP_LEVEL_ROW(X, k, n)                                      \
	X(k, TRACK##n##_LOOP_LEVEL, "track" #n "_loop_level",                     \
	  "Track " #n " loop level",                                              \
	  "Playback gain of the loop of track " #n " (Loop level applies on "     \
	  "top).",                                                                \
	  CONTROL_IN, -60, 0, 6, 0, DB, TRACK##n, NONE)
#define ET_TRACK_LOOP_STATE_ROW(X, k, n)                                      \
	X(k, TRACK##n##_LOOP_STATE, "track" #n "_loop_state",                     \
	  "Track " #n " loop state",                                              \
	  "What the loop of track " #n " does: empty, armed, recording, "         \
	  "playing or overdubbing.",                                              \
	  CONTROL_OUT, 0, 0, 4, ET_PROP_INTEGER | ET_PROP_ENUMERATION, MODE,      \
	  TRACK##n, LOOP_STATE)

#define ET_PORT_LIST(X, k)                                                    \
	X(k, MIDI_IN, "midi_in", "MIDI in",                                       \
	  "Controller MIDI to route, and the host's transport position.",         \
	  ATOM_IN, 0, 0, 0, 0, NONE, MIDI, NONE)                                  \
	X(k, MIDI_OUT, "midi_out", "MIDI out",                                    \
	  "All eight tracks merged, each on its own channel, plus what passes "   \
	  "thru.",                                                                \
	  ATOM_OUT, 0, 0, 0, 0, NONE, MIDI, NONE)                                 \
	X(k, AUTO_CHANNEL, "auto_channel", "Auto channel",                        \
	  "Input channel that plays the active track; Omni lets every channel "   \
	  "play it.",                                                             \
	  CONTROL_IN, 0, 0, 16, ET_PROP_INTEGER | ET_PROP_ENUMERATION, CHANNEL,   \
	  ROUTING, AUTO_CHANNEL)                                                  \
	X(k, ACTIVE_TRACK, "active_track", "Active track",                        \
	  "The track that the auto channel plays.",                               \
	  CONTROL_IN, 1, 1, ET_TRACK_COUNT,                                       \
	  ET_PROP_INTEGER | ET_PROP_ENUMERATION, TRACK, ROUTING, TRACKS)          \
	X(k, THRU, "thru", "Thru",                                                \
	  "Pass on, unchanged, what no track takes (other channels, system "      \
	  "messages); off drops it.",                                             \
	  CONTROL_IN, 0, 1, 1, ET_PROP_TOGGLED, SWITCH, ROUTING, NONE)            \
	ET_EACH_TRACK(ET_TRACK_CONTROL_ROWS, X, k)                                \
	X(k, IN_L, "in_l", "In left",                                             \
	  "Left audio input: the synth, into the loop recorder.",                 \
	  AUDIO_IN, 0, 0, 0, 0, NONE, AUDIO_IN, NONE)                             \
	X(k, IN_R, "in_r", "In right",                                            \
	  "Right audio input: the synth, into the loop recorder.",                \
	  AUDIO_IN, 0, 0, 0, 0, NONE, AUDIO_IN, NONE)                             \
	X(k, OUT_L, "out_l", "Out left",                                          \
	  "Left audio output: monitor plus loop playback.",                       \
	  AUDIO_OUT, 0, 0, 0, 0, NONE, AUDIO_OUT, NONE)                           \
	X(k, OUT_R, "out_r", "Out right",                                         \
	  "Right audio output: monitor plus loop playback.",                      \
	  AUDIO_OUT, 0, 0, 0, 0, NONE, AUDIO_OUT, NONE)                           \
	X(k, LOOP_ARM, "loop_arm", "Loop arm",                                    \
	  "On arms recording (it starts at the next quantize point); off ends "   \
	  "it (at the next quantize point).",                                     \
	  CONTROL_IN, 0, 0, 1, ET_PROP_TOGGLED, SWITCH, LOOPER, NONE)             \
	X(k, LOOP_MUTE, "loop_mute", "Loop mute",                                 \
	  "Silences loop playback; the loop keeps its place in time.",            \
	  CONTROL_IN, 0, 0, 1, ET_PROP_TOGGLED, SWITCH, LOOPER, NONE)             \
	X(k, LOOP_OVERDUB, "loop_overdub", "Loop overdub",                        \
	  "When a loop exists, arming layers onto it instead of replacing it.",   \
	  CONTROL_IN, 0, 1, 1, ET_PROP_TOGGLED, SWITCH, LOOPER, NONE)             \
	X(k, LOOP_QUANTIZE, "loop_quantize", "Loop quantize",                     \
	  "Where recording starts and stops: at once, on the next beat, or on "   \
	  "the next bar of the host's transport.",                                \
	  CONTROL_IN, 0, 2, 2, ET_PROP_INTEGER | ET_PROP_ENUMERATION, MODE,       \
	  LOOPER, QUANTIZE)                                                       \
	X(k, LOOP_BARS, "loop_bars", "Loop bars",                                 \
	  "0: the loop is as long as you hold arm; N: recording ends by itself "  \
	  "after N bars.",                                                        \
	  CONTROL_IN, 0, 0, 64, ET_PROP_INTEGER, BAR, LOOPER, NONE)               \
	X(k, LOOP_CLEAR, "loop_clear", "Loop clear", "Erases the loop.",          \
	  CONTROL_IN, 0, 0, 1, ET_PROP_TOGGLED | ET_PROP_TRIGGER, SWITCH, LOOPER, \
	  NONE)                                                                   \
	X(k, LOOP_LEVEL, "loop_level", "Loop level", "Loop playback gain.",       \
	  CONTROL_IN, -60, 0, 6, 0, DB, LOOPER, NONE)                             \
	X(k, MONITOR, "monitor", "Monitor", "Input audio goes to the output.",    \
	  CONTROL_IN, 0, 1, 1, ET_PROP_TOGGLED, SWITCH, LOOPER, NONE)             \
	X(k, LOOP_STATE, "loop_state", "Loop state",                              \
	  "Empty, armed (waiting for the quantize point), recording, playing or " \
	  "overdubbing.",                                                         \
	  CONTROL_OUT, 0, 0, 4, ET_PROP_INTEGER | ET_PROP_ENUMERATION, MODE,      \
	  LOOPER, LOOP_STATE)                                                     \
	X(k, LOOP_LENGTH, "loop_length", "Loop length",                           \
	  "Length of the loop (while recording: of what is recorded so far).",    \
	  CONTROL_OUT, 0, 0, 3600, 0, SECOND, LOOPER, NONE)                       \
	X(k, LOOP_POSITION, "loop_position", "Loop position",                     \
	  "Playback phase through the loop.",                                     \
	  CONTROL_OUT, 0, 0, 1, 0, COEF, LOOPER, NONE)                            \
	/* Added with the UI and the "beyond the Octatrack" work. */              \
	X(k, NOTIFY, "notify", "Notify",                                          \
	  "Feedback for the plugin's UI: notes sounding per track, each loop's "  \
	  "waveform overview and playhead, and the input meter.",                 \
	  NOTIFY_OUT, 0, 0, 0, 0, NONE, MIDI, NONE)                               \
	X(k, CLOCK_OUT, "clock_out", "Clock out",                                 \
	  "Sends MIDI clock (24 per quarter note), Start, Stop, Continue and "    \
	  "Song Position Pointer on the MIDI output, following the host's "       \
	  "transport.",                                                           \
	  CONTROL_IN, 0, 0, 1, ET_PROP_TOGGLED, SWITCH, ROUTING, NONE)            \
	X(k, CONTROL_CHANNEL, "control_channel", "Control channel",               \
	  "Off, or the input channel whose notes select the active track and "    \
	  "drive the looper at the note's own frame (see the README's note "      \
	  "map); they are not routed.",                                           \
	  CONTROL_IN, 0, 0, 16, ET_PROP_INTEGER | ET_PROP_ENUMERATION, CHANNEL,   \
	  ROUTING, CONTROL_CHANNEL)                                               \
	ET_EACH_TRACK(ET_TRACK_OUT_ROW, X, k)                                     \
	/* Added for Carla's rack (issue 13): the track outputs carry events      \
	 * only while this is on. */                                              \
	X(k, TRACK_OUTS, "track_outs", "Track outputs",                           \
	  "Also write each track's events to its own output (track1_out ...). "   \
	  "Off by default: Carla's rack merges every MIDI output into one "       \
	  "stream, so the next plugin would get every event twice; turn it on "   \
	  "where the track outputs are wired apart (Ardour with widened pins, "   \
	  "Carla's patchbay, jalv).",                                             \
	  CONTROL_IN, 0, 0, 1, ET_PROP_TOGGLED, SWITCH, TRACK_OUTS, NONE)      \
	/* Added with the eight recorders (issue 16). */                          \
	ET_EACH_TRACK(ET_TRACK_LOOP_MUTE_ROW, X, k)                               \
	ET_EACH_TRACK(ET_TRACK_LOOP_LEVEL_ROW, X, k)                              \
		ET_EACH_TRACK(ET_TRACK_LOOP_STATE_ROW, X, k)                              \
	X(k, LOOP_UNDO, "loop_undo", "Loop undo",                                 \
	  "Puts the active track's loop back as it was before its latest take, " \
	  "overdub or clear.",                                                    \
	  CONTROL_IN, 0, 0, 1, ET_PROP_TOGGLED | ET_PROP_TRIGGER, SWITCH, LOOPER, \
	  NONE)                                                                   \
	X(k, LOOP_REDO, "loop_redo", "Loop redo",                                 \
	  "Brings back what the last undo on the active track's loop took "       \
	  "away.",                                                                \
	  CONTROL_IN, 0, 0, 1, ET_PROP_TOGGLED | ET_PROP_TRIGGER, SWITCH, LOOPER, \
	  NONE)                                                                   \
	/* Added with round-trip compensation (issue 17). */                      \
	X(k, CALIBRATE, "calibrate", "Calibrate",                                 \
	  "Measures the active track's round trip: sends a few short test "       \
	  "notes on its channel and times the synth's answer at the audio "       \
	  "input.",                                                               \
	  CONTROL_IN, 0, 0, 1, ET_PROP_TOGGLED | ET_PROP_TRIGGER, SWITCH, LOOPER, \
	  NONE)                                                                   \
	X(k, LATENCY_OFFSET, "latency_offset", "Latency offset",                  \
	  "Milliseconds added to every track's measured round trip (for a "       \
	  "track never calibrated, its whole round trip).",                       \
	  CONTROL_IN, -50, 0, 250, 0, MS, LOOPER, NONE)                           \
	X(k, LATENCY, "latency", "Latency",                                       \
	  "The round trip the active track's takes are compensated by, in "       \
	  "milliseconds.",                                                        \
	  CONTROL_OUT, 0, 0, 500, 0, MS, LOOPER, NONE)


/* The groups that ports name, in the order the Turtle lists them:
 * G(id, symbol, label, kind), kind an EtGroupKind without ET_GROUP_. */
#define ET_TRACK_GROUP_ROW(G, k, n) G(TRACK##n, "track" #n, "Track " #n, PLAIN)

#define ET_PORT_GROUP_LIST(G)                                                 \
	G(MIDI, "midi", "MIDI", PLAIN)                                            \
	G(ROUTING, "routing", "Routing", PLAIN)                                   \
	ET_EACH_TRACK(ET_TRACK_GROUP_ROW, G, ~)                                   \
	G(AUDIO_IN, "audio_in", "Audio in", STEREO_IN)                            \
	G(AUDIO_OUT, "audio_out", "Audio out", STEREO_OUT)                        \
	G(LOOPER, "looper", "Looper", PLAIN)                                      \
	G(TRACK_OUTS, "track_outs", "Track outputs", PLAIN)

/* clang-format on */

#endif
