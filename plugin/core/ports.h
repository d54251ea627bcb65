/* Eighttrack's ports, declared once: the list in port_list.h.
 *
 * The enum below and the table et_ports[] (ports.c) are both generated from
 * that list, so they cannot disagree; tools/gen_ttl.c writes every lv2:port
 * of the plugin's Turtle from the table, and tests/host/test_ports.c checks
 * the built bundle against it.  Indices are part of saved sessions: append new
 * ports at the end of the list, never reorder. */
#ifndef ET_PORTS_H
#define ET_PORTS_H

#include "port_list.h"

#include <stdbool.h>
#include <stdint.h>

/* The four control ports of one track, in the order they are laid out
 * (ports.c checks the list against it). */
typedef enum {
	ET_TRACK_FIELD_CHANNEL = 0,
	ET_TRACK_FIELD_MUTE,
	ET_TRACK_FIELD_TRANSPOSE,
	ET_TRACK_FIELD_PROGRAM,
	ET_TRACK_FIELD_COUNT
} EtTrackField;

#define ET_PORT_INDEX_(k, id, ...) ET_PORT_##id,
typedef enum {
	ET_PORT_LIST(ET_PORT_INDEX_, ~) ET_PORT_COUNT,
	/* Track t (0-based), field f: TRACK_FIRST + t * 4 + f (et_track_port);
	 * its output: TRACK_OUT_FIRST + t. */
	ET_PORT_TRACK_FIRST     = ET_PORT_TRACK1_CHANNEL,
	ET_PORT_TRACK_LAST      = ET_PORT_TRACK8_PROGRAM,
	ET_PORT_TRACK_OUT_FIRST = ET_PORT_TRACK1_OUT,
	ET_PORT_TRACK_OUT_LAST  = ET_PORT_TRACK8_OUT,
	/* Track t's loop: its mute, level and state, each TRACK..._FIRST + t
	 * (et_track_loop_port). */
	ET_PORT_TRACK_LOOP_MUTE_FIRST  = ET_PORT_TRACK1_LOOP_MUTE,
	ET_PORT_TRACK_LOOP_LEVEL_FIRST = ET_PORT_TRACK1_LOOP_LEVEL,
	ET_PORT_TRACK_LOOP_STATE_FIRST = ET_PORT_TRACK1_LOOP_STATE
} EtPortIndex;
#undef ET_PORT_INDEX_

#define ET_PORT_GROUP_INDEX_(id, ...) ET_PORT_GROUP_##id,
typedef enum {
	ET_PORT_GROUP_LIST(ET_PORT_GROUP_INDEX_) ET_PORT_GROUP_COUNT
} EtPortGroupIndex;
#undef ET_PORT_GROUP_INDEX_

static inline uint32_t
et_track_port(unsigned track, EtTrackField field)
{
	return (uint32_t)ET_PORT_TRACK_FIRST +
	       (uint32_t)(track * ET_TRACK_FIELD_COUNT) + (uint32_t)field;
}

static inline uint32_t
et_track_out_port(unsigned track)
{
	return (uint32_t)ET_PORT_TRACK_OUT_FIRST + (uint32_t)track;
}

/* The ports of track t's loop (0-based t). */
typedef enum {
	ET_TRACK_LOOP_MUTE,
	ET_TRACK_LOOP_LEVEL,
	ET_TRACK_LOOP_STATE
} EtTrackLoopField;

static inline uint32_t
et_track_loop_port(unsigned track, EtTrackLoopField field)
{
	const uint32_t first[] = { ET_PORT_TRACK_LOOP_MUTE_FIRST,
				   ET_PORT_TRACK_LOOP_LEVEL_FIRST,
				   ET_PORT_TRACK_LOOP_STATE_FIRST };
	return first[field] + (uint32_t)track;
}

typedef enum {
	ET_PORT_KIND_ATOM_IN,    /* MIDI and time:Position in */
	ET_PORT_KIND_ATOM_OUT,   /* MIDI out */
	ET_PORT_KIND_NOTIFY_OUT, /* atom:Object messages for the UI */
	ET_PORT_KIND_AUDIO_IN,
	ET_PORT_KIND_AUDIO_OUT,
	ET_PORT_KIND_CONTROL_IN,
	ET_PORT_KIND_CONTROL_OUT
} EtPortKind;

/* lv2:portProperty flags */
enum {
	ET_PROP_INTEGER     = 1u << 0,
	ET_PROP_TOGGLED     = 1u << 1,
	ET_PROP_ENUMERATION = 1u << 2,
	ET_PROP_TRIGGER     = 1u << 3
};

/* What a control port's value counts; tools/gen_ttl.c names each in the
 * Turtle (units: or the etu: units of ttl/eighttrack.ttl.in). */
typedef enum {
	ET_UNIT_NONE = 0,
	ET_UNIT_SWITCH,  /* off or on */
	ET_UNIT_CHANNEL, /* a MIDI channel */
	ET_UNIT_TRACK,   /* one of the eight tracks */
	ET_UNIT_PROGRAM, /* a program number, 0 for none */
	ET_UNIT_MODE,    /* one of a few named modes */
	ET_UNIT_SEMITONE,
	ET_UNIT_BAR,
	ET_UNIT_DB,
	ET_UNIT_SECOND,
	ET_UNIT_COEF, /* a fraction, 0..1 */
	ET_UNIT_MS
} EtUnit;

/* How a port's values are called (its lv2:scalePoint, one for each value
 * of its range): by name (et_scale_name), or else "Channel N", "Track N". */
typedef enum {
	ET_SCALE_NONE = 0,
	ET_SCALE_AUTO_CHANNEL,    /* 0 "Omni", 1..16 "Channel N" */
	ET_SCALE_CONTROL_CHANNEL, /* 0 "Off", 1..16 "Channel N" */
	ET_SCALE_TRACKS,          /* 1..8 "Track N" */
	ET_SCALE_QUANTIZE,        /* 0 "Off", 1 "Beat", 2 "Bar" */
	ET_SCALE_LOOP_STATE       /* 0 "Empty" ... 4 "Overdubbing" */
} EtScale;

typedef struct {
	const char      *symbol;  /* lv2:symbol, fixed by interface.md */
	const char      *name;    /* lv2:name shown in hosts */
	const char      *comment; /* rdfs:comment */
	EtPortKind       kind;
	float            minimum;
	float            fallback; /* lv2:default; also what NaN reads as */
	float            maximum;
	unsigned         properties; /* ET_PROP_* */
	EtUnit           unit;
	EtPortGroupIndex group; /* into et_port_groups */
	EtScale          scale;
} EtPortInfo;

/* What a group of ports is, beyond a heading in a host's list. */
typedef enum {
	ET_GROUP_PLAIN = 0,
	ET_GROUP_STEREO_IN, /* a left and a right input */
	ET_GROUP_STEREO_OUT /* a left and a right output */
} EtGroupKind;

typedef struct {
	const char *symbol;
	const char *label;
	EtGroupKind kind;
} EtPortGroup;

extern const EtPortInfo  et_ports[ET_PORT_COUNT];
extern const EtPortGroup et_port_groups[ET_PORT_GROUP_COUNT];

/* A port's default, minimum and maximum as constant expressions, for
 * static initializers and for code built without ports.c (the looper):
 * ET_PORT_DEFAULT(LOOP_OVERDUB) is 1.0f.  The _AT forms take an index, and
 * are constant when it is.  Each compares the index with every row of the
 * list; the compiler folds that to the one number. */
#define ET_PORT_DEFAULT(id) ET_PORT_DEFAULT_AT(ET_PORT_##id)
#define ET_PORT_MINIMUM(id) ET_PORT_MINIMUM_AT(ET_PORT_##id)
#define ET_PORT_MAXIMUM(id) ET_PORT_MAXIMUM_AT(ET_PORT_##id)
#define ET_PORT_DEFAULT_AT(index)                                             \
	(ET_PORT_LIST(ET_PORT_PICK_DEFAULT_, (uint32_t)(index)) 0.0f)
#define ET_PORT_MINIMUM_AT(index)                                             \
	(ET_PORT_LIST(ET_PORT_PICK_MINIMUM_, (uint32_t)(index)) 0.0f)
#define ET_PORT_MAXIMUM_AT(index)                                             \
	(ET_PORT_LIST(ET_PORT_PICK_MAXIMUM_, (uint32_t)(index)) 0.0f)
/* One row's part of a lookup; the columns after the one it takes do not
 * matter to it. */
#define ET_PORT_PICK_MINIMUM_(k, id, symbol, name, comment, kind, min, ...)   \
	(uint32_t) ET_PORT_##id == (k) ? (float)(min):
#define ET_PORT_PICK_DEFAULT_(k, id, symbol, name, comment, kind, min, def,   \
			      ...)                                            \
	(uint32_t) ET_PORT_##id == (k) ? (float)(def):
#define ET_PORT_PICK_MAXIMUM_(k, id, symbol, name, comment, kind, min, def,   \
			      max, ...)                                       \
	(uint32_t) ET_PORT_##id == (k) ? (float)(max):

/* The name of `value` on a port with this scale, as hosts list it and the
 * UI shows it, or NULL where the value goes by its number. */
const char *et_scale_name(EtScale scale, int value);

/* A control value as the plugin must see it: NaN reads as the default,
 * anything else is clamped to the port's range, and integer and toggled
 * ports are rounded to the nearest whole value. */
float et_port_sanitize(uint32_t index, float value);

#endif
