#include "seq_out.h"

#include <lv2/atom/atom.h>
#include <lv2/atom/util.h>

#include <stddef.h>
#include <string.h>

/* Buffers may be only 4-byte aligned (jalv 1.6.6): every field is written
 * with memcpy. */

void
et_seq_out_init(EtSeqOut *out, LV2_URID sequence)
{
	memset(out, 0, sizeof(*out));
	out->sequence = sequence;
}

bool
et_seq_out_fits(const EtSeqOut *out, uint32_t size)
{
	const uint32_t need =
	    (uint32_t)sizeof(LV2_Atom_Event) + lv2_atom_pad_size(size);
	return out->open && size <= out->size && need <= out->size &&
	       out->offset <= out->size - need;
}

void
et_seq_out_write(EtSeqOut *out, uint32_t frame, LV2_URID type,
		 const void *body, uint32_t size)
{
	uint8_t *const       at   = out->buf + out->offset;
	const LV2_Atom_Event head = { .time = { .frames = frame },
				      .body = { size, type } };
	if (size - 1u < 3u) {
		/* MIDI (1 to 3 bytes): the event, padded, in one 24-byte copy.
		 */
		const uint8_t *from                    = (const uint8_t *)body;
		uint8_t        event[sizeof(head) + 8] = { 0 };
		memcpy(event, &head, sizeof(head));
		switch (size) {
		case 3: event[sizeof(head) + 2] = from[2]; /* fall through */
		case 2: event[sizeof(head) + 1] = from[1]; /* fall through */
		case 1: event[sizeof(head)] = from[0]; break;
		default: break;
		}
		memcpy(at, event, sizeof(event));
		out->offset += (uint32_t)sizeof(event);
	} else {
		const uint32_t padded = lv2_atom_pad_size(size);
		memcpy(at, &head, sizeof(head));
		memcpy(at + sizeof(head), body, size);
		memset(at + sizeof(head) + size, 0, padded - size);
		out->offset += (uint32_t)sizeof(head) + padded;
	}
}
