/* seq_out: an atom:Sequence output port that is never overrun.
 *
 * Each run() opens the port's buffer with the capacity the host put in its
 * atom size.  A caller asks et_seq_out_fits() first, so that an event that
 * goes to several outputs is written to all of them or to none.  Written
 * by hand, without a forge: ten outputs are opened every block, and MIDI
 * events are the bulk of what run() writes. */
#ifndef ET_SEQ_OUT_H
#define ET_SEQ_OUT_H

#include <lv2/atom/atom.h>
#include <lv2/urid/urid.h>

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

typedef struct {
	uint8_t *buf;      /* the port's LV2_Atom_Sequence */
	uint32_t size;     /* bytes of it we may write */
	uint32_t offset;   /* bytes written: header and events */
	bool     open;     /* connected, and its header fits */
	uint32_t capacity; /* bytes the host offered */
	LV2_URID sequence; /* atom:Sequence */
} EtSeqOut;

/* sequence: the URID of atom:Sequence. */
void et_seq_out_init(EtSeqOut *out, LV2_URID sequence);

/* The bytes the host offered in `port` (0 if it is NULL, unconnected),
 * with an empty sequence written there if its header fits.  Hosts differ
 * on whether the offered size counts the 8-byte atom header; reading it
 * as the whole buffer is safe with all of them. */
static inline uint32_t
et_seq_out_write_empty(void *port, LV2_URID sequence)
{
	uint32_t offered = 0;
	if (port) {
		memcpy(&offered, (uint8_t *)port + offsetof(LV2_Atom, size),
		       sizeof(offered));
	}
	if (offered >= sizeof(LV2_Atom_Sequence)) {
		const uint32_t          empty = sizeof(LV2_Atom_Sequence_Body);
		const LV2_Atom_Sequence head  = { { empty, sequence },
						  { 0, 0 } };
		memcpy(port, &head, sizeof(head));
	}
	return offered;
}

/* Starts an empty sequence in `port` (an LV2_Atom_Sequence, or NULL for a
 * port the host left unconnected).  Inline: run() opens ten every block. */
static inline void
et_seq_out_begin(EtSeqOut *out, void *port)
{
	const uint32_t offered = et_seq_out_write_empty(port, out->sequence);
	out->buf               = (uint8_t *)port;
	out->capacity          = offered;
	out->size              = offered;
	out->offset            = (uint32_t)sizeof(LV2_Atom_Sequence);
	/* Unconnected, or not even room for the header: closed. */
	out->open = offered >= sizeof(LV2_Atom_Sequence);
}

/* An empty sequence in `port`, for an output that carries nothing this
 * block: out is left closed (no event fits, et_seq_out_end() does
 * nothing), without the bookkeeping of et_seq_out_begin(). */
static inline void
et_seq_out_empty(EtSeqOut *out, void *port)
{
	out->open = false;
	et_seq_out_write_empty(port, out->sequence);
}

/* Whether an event with a body of `size` bytes fits. */
bool et_seq_out_fits(const EtSeqOut *out, uint32_t size);

/* Writes an event; the caller checked et_seq_out_fits(). */
void et_seq_out_write(EtSeqOut *out, uint32_t frame, LV2_URID type,
		      const void *body, uint32_t size);

/* Finishes the sequence: its atom size counts the events written (once a
 * block rather than at every event; the buffer may be only 4-byte
 * aligned, so the size is copied in). */
static inline void
et_seq_out_end(EtSeqOut *out)
{
	if (out->open) {
		const uint32_t size = out->offset - (uint32_t)sizeof(LV2_Atom);
		memcpy(out->buf + offsetof(LV2_Atom, size), &size,
		       sizeof(size));
	}
}

#endif
