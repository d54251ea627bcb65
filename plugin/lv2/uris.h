/* Every URID the plugin needs, mapped once in instantiate(). */
#ifndef ET_URIS_H
#define ET_URIS_H

#include <lv2/atom/atom.h>
#include <lv2/log/log.h>
#include <lv2/midi/midi.h>
#include <lv2/time/time.h>
#include <lv2/urid/urid.h>

#include "port_list.h"

#include <stdio.h>

#include "messages.h"

#define ET_URI       "urn:eighttrack:plugin"
#define ET_STATE_URI "urn:eighttrack:state#"

/* The state keys of one loop. */
typedef struct {
	LV2_URID loop;         /* Path: the loop audio (WAV, float) */
	LV2_URID length;       /* Long: loop length in frames */
	LV2_URID exact_length; /* Double: exact frames per repetition */
	LV2_URID anchored;     /* Bool: locked to the transport */
	LV2_URID start_frame;  /* Long: transport frame of sample 0 */
	LV2_URID start_exact;  /* Double: exact musical start, in frames */
} EtLoopKeys;

typedef struct {
	LV2_URID atom_Blank;
	LV2_URID atom_Bool;
	LV2_URID atom_Path;
	LV2_URID atom_Object;
	LV2_URID atom_Float;
	LV2_URID atom_Double;
	LV2_URID atom_Int;
	LV2_URID atom_Long;
	LV2_URID atom_Sequence;
	LV2_URID midi_MidiEvent;
	LV2_URID time_Position;
	LV2_URID time_bar;
	LV2_URID time_barBeat;
	LV2_URID time_beatUnit;
	LV2_URID time_beatsPerBar;
	LV2_URID time_beatsPerMinute;
	LV2_URID time_frame;
	LV2_URID time_speed;
	LV2_URID state_version; /* Int: format of what save() wrote */
	/* Each track's loop: track 1's keys are version 1's (loop, length,
	 * ...), so an older build opens a newer session with loop 1; track n's
	 * add n (loop2, length2, ...). */
	EtLoopKeys state_loops[ET_TRACK_COUNT];
	/* Each track's measured round trip, a Float in ms (measuredLatency,
	 * measuredLatency2, ...); none for a track never measured. */
	LV2_URID state_latency[ET_TRACK_COUNT];
	/* The messages between the plugin and its UI (messages.h). */
	LV2_URID atom_Vector;
	LV2_URID msg_Request, msg_Alive, msg_Activity, msg_Overview,
	    msg_Playheads, msg_Meter, msg_Calibration;
	LV2_URID msg_sounding, msg_track, msg_serial, msg_length, msg_binCount,
	    msg_first, msg_peaks, msg_positions, msg_input;
	LV2_URID msg_state, msg_reason, msg_latency, msg_spread, msg_answered;
} EtUris;

/* Composes a state key: ET_STATE_URI, name, and n unless it is 1. */
static inline LV2_URID
et_state_key(LV2_URID_Map *map, const char *name, unsigned n)
{
	char uri[96];
	if (n == 1)
		snprintf(uri, sizeof uri, "%s%s", ET_STATE_URI, name);
	else
		snprintf(uri, sizeof uri, "%s%s%u", ET_STATE_URI, name, n);
	return map->map(map->handle, uri);
}

static inline void
et_uris_map(EtUris *uris, LV2_URID_Map *map)
{
	uris->atom_Blank       = map->map(map->handle, LV2_ATOM__Blank);
	uris->atom_Bool        = map->map(map->handle, LV2_ATOM__Bool);
	uris->atom_Path        = map->map(map->handle, LV2_ATOM__Path);
	uris->atom_Object      = map->map(map->handle, LV2_ATOM__Object);
	uris->atom_Float       = map->map(map->handle, LV2_ATOM__Float);
	uris->atom_Double      = map->map(map->handle, LV2_ATOM__Double);
	uris->atom_Int         = map->map(map->handle, LV2_ATOM__Int);
	uris->atom_Long        = map->map(map->handle, LV2_ATOM__Long);
	uris->atom_Sequence    = map->map(map->handle, LV2_ATOM__Sequence);
	uris->midi_MidiEvent   = map->map(map->handle, LV2_MIDI__MidiEvent);
	uris->time_Position    = map->map(map->handle, LV2_TIME__Position);
	uris->time_bar         = map->map(map->handle, LV2_TIME__bar);
	uris->time_barBeat     = map->map(map->handle, LV2_TIME__barBeat);
	uris->time_beatUnit    = map->map(map->handle, LV2_TIME__beatUnit);
	uris->time_beatsPerBar = map->map(map->handle, LV2_TIME__beatsPerBar);
	uris->time_beatsPerMinute =
	    map->map(map->handle, LV2_TIME__beatsPerMinute);
	uris->time_frame    = map->map(map->handle, LV2_TIME__frame);
	uris->time_speed    = map->map(map->handle, LV2_TIME__speed);
	uris->state_version = map->map(map->handle, ET_STATE_URI "version");
	for (unsigned t = 0; t < ET_TRACK_COUNT; ++t) {
		EtLoopKeys *k   = &uris->state_loops[t];
		k->loop         = et_state_key(map, "loop", t + 1);
		k->length       = et_state_key(map, "length", t + 1);
		k->exact_length = et_state_key(map, "exactLength", t + 1);
		k->anchored     = et_state_key(map, "anchored", t + 1);
		k->start_frame  = et_state_key(map, "startFrame", t + 1);
		k->start_exact  = et_state_key(map, "startExact", t + 1);
		uris->state_latency[t] =
		    et_state_key(map, "measuredLatency", t + 1);
	}
	uris->atom_Vector     = map->map(map->handle, LV2_ATOM__Vector);
	uris->msg_Request     = map->map(map->handle, ET_MSG__Request);
	uris->msg_Alive       = map->map(map->handle, ET_MSG__Alive);
	uris->msg_Activity    = map->map(map->handle, ET_MSG__Activity);
	uris->msg_Overview    = map->map(map->handle, ET_MSG__Overview);
	uris->msg_Playheads   = map->map(map->handle, ET_MSG__Playheads);
	uris->msg_Meter       = map->map(map->handle, ET_MSG__Meter);
	uris->msg_track       = map->map(map->handle, ET_MSG__track);
	uris->msg_sounding    = map->map(map->handle, ET_MSG__sounding);
	uris->msg_serial      = map->map(map->handle, ET_MSG__serial);
	uris->msg_length      = map->map(map->handle, ET_MSG__length);
	uris->msg_binCount    = map->map(map->handle, ET_MSG__binCount);
	uris->msg_first       = map->map(map->handle, ET_MSG__first);
	uris->msg_peaks       = map->map(map->handle, ET_MSG__peaks);
	uris->msg_positions   = map->map(map->handle, ET_MSG__positions);
	uris->msg_input       = map->map(map->handle, ET_MSG__input);
	uris->msg_Calibration = map->map(map->handle, ET_MSG__Calibration);
	uris->msg_state       = map->map(map->handle, ET_MSG__state);
	uris->msg_reason      = map->map(map->handle, ET_MSG__reason);
	uris->msg_latency     = map->map(map->handle, ET_MSG__latency);
	uris->msg_spread      = map->map(map->handle, ET_MSG__spread);
	uris->msg_answered    = map->map(map->handle, ET_MSG__answered);
}

#endif
