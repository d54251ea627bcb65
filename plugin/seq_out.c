#include "seq_out.h"

#include <lv2/atom/util.h>

#include <string.h>

void
et_seq_out_init(EtSeqOut *out, LV2_URID_Map *map)
{
	lv2_atom_forge_init(&out->forge, map);
	out->open     = false;
	out->capacity = 0;
}

void
et_seq_out_begin(EtSeqOut *out, void *port)
{
	out->open     = false;
	out->capacity = 0;
	if (!port) {
		return;
	}
	/* Hosts differ on whether the offered size counts the 8-byte atom
	 * header; reading it as the whole buffer is safe with all of them. */
	LV2_Atom_Sequence *seq = (LV2_Atom_Sequence *)port;
	out->capacity          = seq->atom.size;
	lv2_atom_forge_set_buffer(&out->forge, (uint8_t *)port, seq->atom.size);
	out->open =
	    lv2_atom_forge_sequence_head(&out->forge, &out->frame, 0) != 0;
}

bool
et_seq_out_fits(const EtSeqOut *out, uint32_t size)
{
	const uint32_t need =
	    (uint32_t)sizeof(LV2_Atom_Event) + lv2_atom_pad_size(size);
	return out->open && need <= out->forge.size &&
	       out->forge.offset <= out->forge.size - need;
}

/* Written by hand rather than with three forge calls: MIDI events are
 * the bulk of run()'s output, and this is a fixed-size copy for them.  The
 * sequence's size is updated in the buffer itself, where the forge keeps
 * it too, so forge writes may follow.  Buffers may be only 4-byte aligned
 * (jalv 1.6.6), hence memcpy for every field. */
void
et_seq_out_write(EtSeqOut *out, uint32_t frame, LV2_URID type,
                 const void *body, uint32_t size)
{
	uint8_t *const       at   = out->forge.buf + out->forge.offset;
	const LV2_Atom_Event head = {.time = {.frames = frame},
	                             .body = {size, type}};
	const uint32_t       padded = lv2_atom_pad_size(size);
	memcpy(at, &head, sizeof(head));
	if (size <= 8) {
		uint8_t small[8] = {0};
		memcpy(small, body, size);
		memcpy(at + sizeof(head), small, 8);
	} else {
		memcpy(at + sizeof(head), body, size);
		memset(at + sizeof(head) + size, 0, padded - size);
	}
	const uint32_t total = (uint32_t)sizeof(head) + padded;
	out->forge.offset += total;

	uint32_t seq_size;
	memcpy(&seq_size, out->forge.buf, sizeof(seq_size));
	seq_size += total;
	memcpy(out->forge.buf, &seq_size, sizeof(seq_size));
}
