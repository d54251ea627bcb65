/* The port table, generated from the list in port_list.h (see ports.h). */
#include "ports.h"

#include <math.h>
#include <stddef.h>

/* Rows in the list's order, each at its enum index. */
#define ET_PORT_ROW_(k, id, symbol, name, comment, kind, minimum, fallback,   \
		     maximum, properties, unit, group, scale)                 \
	[ET_PORT_##id] = { symbol,           name,                            \
			   comment,          ET_PORT_KIND_##kind,             \
			   (float)(minimum), (float)(fallback),               \
			   (float)(maximum), properties,                      \
			   ET_UNIT_##unit,   ET_PORT_GROUP_##group,           \
			   ET_SCALE_##scale },
const EtPortInfo et_ports[ET_PORT_COUNT] = { ET_PORT_LIST(ET_PORT_ROW_, ~) };
#undef ET_PORT_ROW_

#define ET_PORT_GROUP_ROW_(id, symbol, label, kind)                           \
	[ET_PORT_GROUP_##id] = { symbol, label, ET_GROUP_##kind },
const EtPortGroup et_port_groups[ET_PORT_GROUP_COUNT] = { ET_PORT_GROUP_LIST(
    ET_PORT_GROUP_ROW_) };
#undef ET_PORT_GROUP_ROW_

/* et_track_port() and et_track_out_port() compute where a track's ports
 * are; the list must lay them out there, track after track, each track's
 * controls in EtTrackField order. */
#define ET_CHECK_TRACK_(X, k, n)                                              \
	_Static_assert(                                                       \
	    ET_PORT_TRACK##n##_CHANNEL ==                                     \
		ET_PORT_TRACK_FIRST + (n - 1) * ET_TRACK_FIELD_COUNT +        \
		    ET_TRACK_FIELD_CHANNEL,                                   \
	    "track" #n "_channel is not where et_track_port() looks");        \
	_Static_assert(                                                       \
	    ET_PORT_TRACK##n##_MUTE == ET_PORT_TRACK_FIRST +                  \
					   (n - 1) * ET_TRACK_FIELD_COUNT +   \
					   ET_TRACK_FIELD_MUTE,               \
	    "track" #n "_mute is not where et_track_port() looks");           \
	_Static_assert(ET_PORT_TRACK##n##_TRANSPOSE ==                        \
			   ET_PORT_TRACK_FIRST +                              \
			       (n - 1) * ET_TRACK_FIELD_COUNT +               \
			       ET_TRACK_FIELD_TRANSPOSE,                      \
		       "track" #n "_transpose is not where et_track_port() "  \
		       "looks");                                              \
	_Static_assert(                                                       \
	    ET_PORT_TRACK##n##_PROGRAM ==                                     \
		ET_PORT_TRACK_FIRST + (n - 1) * ET_TRACK_FIELD_COUNT +        \
		    ET_TRACK_FIELD_PROGRAM,                                   \
	    "track" #n "_program is not where et_track_port() looks");        \
	_Static_assert(                                                       \
	    ET_PORT_TRACK##n##_OUT == ET_PORT_TRACK_OUT_FIRST + n - 1,        \
	    "track" #n "_out is not where et_track_out_port() looks");
ET_EACH_TRACK(ET_CHECK_TRACK_, ~, ~)
#undef ET_CHECK_TRACK_
#define ET_CHECK_TRACK_(X, k, n)                                              \
	_Static_assert(ET_PORT_TRACK##n##_LOOP_MUTE ==                        \
			   ET_PORT_TRACK_LOOP_MUTE_FIRST + n - 1,             \
		       "track" #n "_loop_mute is not where "                  \
		       "et_track_loop_port() looks");                         \
	_Static_assert(ET_PORT_TRACK##n##_LOOP_LEVEL ==                       \
			   ET_PORT_TRACK_LOOP_LEVEL_FIRST + n - 1,            \
		       "track" #n "_loop_level is not where "                 \
		       "et_track_loop_port() looks");                         \
	_Static_assert(ET_PORT_TRACK##n##_LOOP_STATE ==                       \
			   ET_PORT_TRACK_LOOP_STATE_FIRST + n - 1,            \
		       "track" #n "_loop_state is not where "                 \
		       "et_track_loop_port() looks");
ET_EACH_TRACK(ET_CHECK_TRACK_, ~, ~)
#undef ET_CHECK_TRACK_
_Static_assert(ET_PORT_TRACK_LAST - ET_PORT_TRACK_FIRST + 1 ==
		   ET_TRACK_COUNT * ET_TRACK_FIELD_COUNT,
	       "ET_EACH_TRACK does not count out ET_TRACK_COUNT tracks");
_Static_assert(ET_PORT_TRACK_OUT_LAST - ET_PORT_TRACK_OUT_FIRST + 1 ==
		   ET_TRACK_COUNT,
	       "ET_EACH_TRACK does not count out ET_TRACK_COUNT tracks");

const char *
et_scale_name(EtScale scale, int value)
{
	/* By value: EtQuantize and EtLoopState count the same way. */
	static const char *const quantize[]   = { "Off", "Beat", "Bar" };
	static const char *const loop_state[] = { "Empty", "Armed",
						  "Recording", "Playing",
						  "Overdubbing" };
	switch (scale) {
	case ET_SCALE_NONE:
	case ET_SCALE_TRACKS: return NULL;
	case ET_SCALE_AUTO_CHANNEL: return value == 0 ? "Omni" : NULL;
	case ET_SCALE_CONTROL_CHANNEL: return value == 0 ? "Off" : NULL;
	case ET_SCALE_QUANTIZE:
		return value >= 0 && value < 3 ? quantize[value] : NULL;
	case ET_SCALE_LOOP_STATE:
		return value >= 0 && value < 5 ? loop_state[value] : NULL;
	}
	return NULL;
}

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
