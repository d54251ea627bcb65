#include "notify.h"

#include "messages.h"

#include <string.h>

/* Room for the largest message: an Overview chunk. */
#define MESSAGE_CAPACITY (256 + ET_MSG_OVERVIEW_CHUNK * sizeof(float))

void
et_notify_init(EtNotify *n, const EtUris *uris, LV2_URID_Map *map, double rate)
{
	memset(n, 0, sizeof(*n));
	n->uris = uris;
	lv2_atom_forge_init(&n->forge, map);
	et_overview_init(&n->overview);
	n->activity_due = true; /* the first run() says what sounds */
	/* rate is one instantiate() accepted (1 .. 1e6): in range. */
	n->listen_window = (uint64_t)(ET_MSG_LISTEN_SECONDS * rate);
	n->stale         = true; /* nothing scanned yet */
}

bool
et_notify_take_request(EtNotify *n, const LV2_Atom_Object *obj)
{
	if (obj->body.otype == n->uris->msg_Alive && !n->stale) {
		n->listen_left = n->listen_window;
		return true;
	}
	/* A Request, or an Alive after a silence (the UI's idle() was held up
	 * for seconds): both get a fresh, whole answer. */
	if (obj->body.otype != n->uris->msg_Request &&
	    obj->body.otype != n->uris->msg_Alive) {
		return false;
	}
	n->listen_left  = n->listen_window;
	n->activity_due = true;
	n->requested    = true; /* sent even if the same as the last */
	if (n->stale) {
		/* Unwatched for a while: what was published may be old; the
		 * fresh scan publishes, and that is what goes out. */
		et_overview_restart(&n->overview);
		n->stale        = false;
		n->overview_due = false;
		n->sending_active =
		    false; /* a send left over is not for this UI */
	} else {
		n->overview_due = true; /* after the one being sent, if any */
	}
	return true;
}

/* Writes the object the forge built in `buf` as one event, if it fits. */
static bool
send(EtNotify *n, EtSeqOut *out, const uint8_t *buf)
{
	if (n->forge.offset == 0 || n->forge.offset > MESSAGE_CAPACITY) {
		return false; /* the forge ran out of room: never happens */
	}
	const LV2_Atom *atom = (const LV2_Atom *)buf;
	if (!et_seq_out_fits(out, atom->size)) {
		return false;
	}
	et_seq_out_write(out, 0, atom->type, atom + 1, atom->size);
	return true;
}

static bool
send_activity(EtNotify *n, EtSeqOut *out, uint32_t sounding)
{
	_Alignas(8) uint8_t  buf[MESSAGE_CAPACITY];
	const EtUris        *u = n->uris;
	LV2_Atom_Forge_Frame frame;
	lv2_atom_forge_set_buffer(&n->forge, buf, MESSAGE_CAPACITY);
	lv2_atom_forge_object(&n->forge, &frame, 0, u->msg_Activity);
	lv2_atom_forge_key(&n->forge, u->msg_sounding);
	lv2_atom_forge_int(&n->forge, (int32_t)sounding);
	lv2_atom_forge_pop(&n->forge, &frame);
	return send(n, out, buf);
}

static void
build_overview_chunk(EtNotify *n, uint8_t *buf, uint32_t count)
{
	const EtUris        *u = n->uris;
	LV2_Atom_Forge_Frame frame;
	/* MESSAGE_CAPACITY holds the largest chunk, so no write fails (a
	 * failed push would leave the forge writing before buf). */
	lv2_atom_forge_set_buffer(&n->forge, buf, MESSAGE_CAPACITY);
	lv2_atom_forge_object(&n->forge, &frame, 0, u->msg_Overview);
	lv2_atom_forge_key(&n->forge, u->msg_serial);
	lv2_atom_forge_int(&n->forge, (int32_t)n->sending_serial);
	lv2_atom_forge_key(&n->forge, u->msg_length);
	lv2_atom_forge_long(&n->forge, n->sending_length);
	lv2_atom_forge_key(&n->forge, u->msg_binCount);
	lv2_atom_forge_int(&n->forge, (int32_t)n->sending_bins);
	lv2_atom_forge_key(&n->forge, u->msg_first);
	lv2_atom_forge_int(&n->forge, (int32_t)n->next_bin);
	lv2_atom_forge_key(&n->forge, u->msg_peaks);
	lv2_atom_forge_vector(&n->forge, sizeof(float), u->atom_Float, count,
			      n->sending + n->next_bin);
	lv2_atom_forge_pop(&n->forge, &frame);
}

/* The next chunk of the overview being sent: up to ET_MSG_OVERVIEW_CHUNK
 * bins, fewer when the port has less room left. */
static bool
send_overview_chunk(EtNotify *n, EtSeqOut *out)
{
	_Alignas(8) uint8_t buf[MESSAGE_CAPACITY];
	const uint32_t      left = n->sending_bins - n->next_bin;
	uint32_t            count =
            left < ET_MSG_OVERVIEW_CHUNK ? left : ET_MSG_OVERVIEW_CHUNK;
	for (;;) {
		build_overview_chunk(n, buf, count);
		if (send(n, out, buf)) {
			break;
		}
		if (count <= 1) {
			return false; /* not even one bin fits: next block */
		}
		count /= 2;
	}
	n->next_bin += count;
	n->sending_active = n->next_bin < n->sending_bins;
	return true;
}

/* Starts sending the published overview: a copy, so that a newer one the
 * scan publishes meanwhile cannot change it half sent.  False if it is the
 * one last sent and nobody asked for it again. */
static bool
start_overview(EtNotify *n)
{
	const EtOverview *ov = &n->overview;
	n->overview_due      = false;
	if (!n->requested && n->sent_any && ov->length == n->sending_length &&
	    (ov->length == 0 ||
	     memcmp(ov->peak, n->sending, sizeof(n->sending)) == 0)) {
		return false;
	}
	n->requested      = false;
	n->sent_any       = true;
	n->sending_serial = ov->serial;
	n->sending_length = ov->length;
	n->sending_bins   = ov->length ? ET_OVERVIEW_BINS : 0;
	if (n->sending_bins) {
		memcpy(n->sending, ov->peak, sizeof(n->sending));
	}
	n->next_bin       = 0;
	n->sending_active = true;
	return true;
}

void
et_notify_run(EtNotify       *n,
	      EtSeqOut       *out,
	      const EtLooper *looper,
	      const EtRouter *router,
	      uint32_t        nframes)
{
	EtLoopView view;
	const bool has_loop = et_looper_view(looper, &view);
	const bool overdub  = et_looper_state(looper) == ET_LOOP_OVERDUBBING;
	const uint32_t ratio =
	    overdub ? ET_NOTIFY_OVERDUB_SCAN_RATIO : ET_NOTIFY_SCAN_RATIO;
	const uint32_t least =
	    overdub ? ET_NOTIFY_OVERDUB_SCAN_MIN : ET_NOTIFY_SCAN_MIN;
	const uint64_t wanted    = (uint64_t)nframes * ratio;
	const uint32_t budget    = wanted < least        ? least
				   : wanted > UINT32_MAX ? UINT32_MAX
							 : (uint32_t)wanted;
	const bool     listening = n->listen_left > 0;
	n->listen_left -= n->listen_left < nframes ? n->listen_left : nframes;
	if (!listening) {
		n->stale = true; /* no UI: no scan, no overview */
	} else if (et_overview_update(&n->overview, has_loop ? &view : NULL,
				      overdub, budget)) {
		/* Sent once the one going out (if any) is finished. */
		n->overview_due = true;
	}

	uint32_t sounding = 0;
	for (unsigned t = 0; t < ET_TRACK_COUNT; ++t) {
		if (et_router_sounding(router, t) > 0) {
			sounding |= 1u << t;
		}
	}

	if (!out->open) {
		return; /* nobody listens; what is due waits */
	}
	if ((sounding != n->sounding || n->activity_due) &&
	    send_activity(n, out, sounding)) {
		n->sounding     = sounding;
		n->activity_due = false;
	}
	for (unsigned c = 0; c < ET_NOTIFY_CHUNKS_PER_RUN; ++c) {
		if (!n->sending_active &&
		    (!n->overview_due || !start_overview(n))) {
			break;
		}
		if (!send_overview_chunk(n, out)) {
			break; /* the port is full: the rest next block */
		}
	}
}
