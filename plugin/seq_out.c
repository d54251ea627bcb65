#include "seq_out.h"

#include <lv2/atom/util.h>

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

void
et_seq_out_write(EtSeqOut *out, uint32_t frame, LV2_URID type,
                 const void *body, uint32_t size)
{
	lv2_atom_forge_frame_time(&out->forge, frame);
	lv2_atom_forge_atom(&out->forge, size, type);
	lv2_atom_forge_write(&out->forge, body, size);
}
