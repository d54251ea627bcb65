/* control_map: the fixed note map of the control channel.
 *
 * On control_channel (1..16; 0 is off) every channel-voice message is
 * consumed: it is not routed to a track.  Note-ons (velocity > 0) act;
 * everything else is swallowed, so a pad's release does nothing.  To keep
 * the no-hanging-note rule, a note-off, sustain release or CC 120/123 is
 * still shown to the router (et_router_release), which ends a note or
 * pedal (any held controller: sustain, sostenuto, soft, hold) that began
 * on that channel before it became the control channel;
 * the message itself is never routed.
 *
 *   note 36..43  (C2..G2, middle C = C4 = 60)  make track 1..8 active
 *   note 48      (C3)                          loop arm on/off (toggle)
 *   note 49      (C#3)                         loop mute on/off (toggle)
 *   note 50      (D3)                          loop clear
 *   note 51      (D#3)                         loop undo
 *   note 52      (E3)                          loop redo
 * (each loop note acts on the active track's loop)
 *
 * The map is part of the README; changing it breaks players' setups. */
#ifndef ET_CONTROL_MAP_H
#define ET_CONTROL_MAP_H

#include <stdint.h>

#define ET_CONTROL_NOTE_TRACK_FIRST 36
#define ET_CONTROL_NOTE_LOOP_ARM    48
#define ET_CONTROL_NOTE_LOOP_MUTE   49
#define ET_CONTROL_NOTE_LOOP_CLEAR  50
#define ET_CONTROL_NOTE_LOOP_UNDO   51
#define ET_CONTROL_NOTE_LOOP_REDO   52

typedef enum {
	ET_CONTROL_NOT_MINE = 0, /* route it as usual */
	ET_CONTROL_IGNORED, /* on the control channel, consumed, no action */
	ET_CONTROL_RELEASE, /* consumed; et_router_release() ends what it ends
			     */
	ET_CONTROL_SELECT_TRACK, /* make `track` (0..7) active */
	ET_CONTROL_LOOP_ARM,     /* toggle loop arm */
	ET_CONTROL_LOOP_MUTE,    /* toggle loop mute */
	ET_CONTROL_LOOP_CLEAR,   /* erase the loop */
	ET_CONTROL_LOOP_UNDO,    /* undo on the loop */
	ET_CONTROL_LOOP_REDO     /* redo on the loop */
} EtControlKind;

typedef struct {
	EtControlKind kind;
	uint8_t       track; /* for ET_CONTROL_SELECT_TRACK */
} EtControlAction;

/* What a complete MIDI message means with control_channel (0 = off). */
EtControlAction et_control_map(uint8_t control_channel, const uint8_t *msg,
			       uint32_t size);

#endif
