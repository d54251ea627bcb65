#include "notify.h"

#include "messages.h"

#include <math.h>
#include <string.h>

/* Room for the largest message: an Overview chunk. */
#define MESSAGE_CAPACITY (256 + ET_MSG_OVERVIEW_CHUNK * sizeof(float))

/* Bytes of each message as a sequence event (LV2_Atom_Event, then the
 * object's body: its id and type, and 24 bytes for each Int or Long
 * property), so that the declared buffer size is checked here. */
#define EVENT_HEAD     (sizeof(LV2_Atom_Event) + sizeof(LV2_Atom_Object_Body))
#define PROPERTY_INT   24u
#define VECTOR_HEAD    (sizeof(LV2_Atom_Property_Body) + 8u)
#define ACTIVITY_BYTES (EVENT_HEAD + PROPERTY_INT)
#define PLAYHEADS_BYTES                                                       \
	(EVENT_HEAD + VECTOR_HEAD + ET_TRACK_COUNT * sizeof(float))
#define METER_BYTES (EVENT_HEAD + VECTOR_HEAD + 2 * sizeof(float))
/* A Float property takes as much room as an Int's (its 4 bytes padded). */
#define PROPERTY_FLOAT    24u
#define CALIBRATION_BYTES (EVENT_HEAD + 4 * PROPERTY_INT + 2 * PROPERTY_FLOAT)
#define CHUNK_BYTES                                                           \
	(EVENT_HEAD + 5 * PROPERTY_INT + VECTOR_HEAD +                        \
	 ET_MSG_OVERVIEW_CHUNK * sizeof(float))
_Static_assert(CHUNK_BYTES == 424, "messages.h gives a chunk's size");
_Static_assert(sizeof(LV2_Atom_Sequence) + ACTIVITY_BYTES + PLAYHEADS_BYTES +
		       METER_BYTES + CALIBRATION_BYTES +
		       ET_NOTIFY_CHUNKS_PER_RUN * CHUNK_BYTES <=
		   ET_MSG_NOTIFY_MIN_SIZE,
	       "a full round of messages fits the declared notify size");

/* msg:Calibration passes the calibrator's own numbers on. */
_Static_assert(ET_MSG_CALIBRATION_RUNNING == ET_CALIBRATION_RUNNING &&
		   ET_MSG_CALIBRATION_DONE == ET_CALIBRATION_DONE &&
		   ET_MSG_CALIBRATION_FAILED == ET_CALIBRATION_FAILED,
	       "messages.h numbers the states as calibrate.h");
_Static_assert(ET_MSG_CALIBRATION_NO_ANSWER == ET_CALIBRATION_NO_ANSWER &&
		   ET_MSG_CALIBRATION_TOO_LATE == ET_CALIBRATION_TOO_LATE &&
		   ET_MSG_CALIBRATION_NOT_QUIET ==
		       ET_CALIBRATION_INPUT_NOT_QUIET &&
		   ET_MSG_CALIBRATION_CANCELLED == ET_CALIBRATION_CANCELLED,
	       "messages.h numbers the reasons as calibrate.h");

/* The largest input sample the meter reports: +24 dBFS, the loop's own
 * limit (sample_rule.h); an infinite input reads as that. */
#define METER_CEILING 16.0f

void
et_notify_init(EtNotify *n, const EtUris *uris, LV2_URID_Map *map, double rate)
{
	memset(n, 0, sizeof(*n));
	n->uris = uris;
	lv2_atom_forge_init(&n->forge, map);
	for (unsigned t = 0; t < ET_TRACK_COUNT; ++t) {
		et_overview_init(&n->loop[t].overview);
		n->playhead_sent[t] = -1.0f;
	}
	n->activity_due = true; /* the first run() says what sounds */
	/* rate is one instantiate() accepted (1 .. 1e6): in range. */
	n->listen_window   = (uint64_t)(ET_MSG_LISTEN_SECONDS * rate);
	n->playhead_period = (uint64_t)(ET_MSG_PLAYHEAD_SECONDS * rate);
	n->meter_period    = (uint64_t)(ET_MSG_METER_SECONDS * rate);
	n->stale           = true; /* nothing scanned yet */
	n->ms_per_frame    = 1000.0 / rate;
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
	n->listen_left     = n->listen_window;
	n->activity_due    = true;
	n->calibration_due = true;
	n->playheads_due   = true;
	n->playhead_wait   = 0; /* at once */
	for (unsigned t = 0; t < ET_TRACK_COUNT; ++t) {
		EtNotifyLoop *loop = &n->loop[t];
		loop->requested = true; /* sent even if the same as the last */
		if (n->stale) {
			/* Unwatched for a while: what was published may be
			 * old; the fresh scan publishes, and that is what goes
			 * out. */
			et_overview_restart(&loop->overview);
			loop->due = false;
		} else {
			loop->due =
			    true; /* after the one being sent, if any */
		}
	}
	if (n->stale) {
		n->stale          = false;
		n->sending_active = false; /* a send left over is not for this
					      UI */
	}
	return true;
}

/* The meter's reading: the peak of x and what came before, at most
 * METER_CEILING. */
static float
meter_peak(const float *x, uint32_t n, float peak)
{
	const float p = et_overview_peak(x, n, peak);
	return p < METER_CEILING ? p : METER_CEILING;
}

void
et_notify_input(EtNotify *n, const float *in_l, const float *in_r,
		uint32_t nframes)
{
	if (n->listen_left == 0) {
		return; /* nobody to show it to */
	}
	if (in_l) {
		n->input_peak[0] = meter_peak(in_l, nframes, n->input_peak[0]);
	}
	if (in_r) {
		n->input_peak[1] = meter_peak(in_r, nframes, n->input_peak[1]);
	}
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

/* An object of type `otype` with one property: `key`, a vector of
 * `count` floats. */
static bool
send_floats(EtNotify *n, EtSeqOut *out, LV2_URID otype, LV2_URID key,
	    const float *values, uint32_t count)
{
	_Alignas(8) uint8_t  buf[MESSAGE_CAPACITY];
	LV2_Atom_Forge_Frame frame;
	lv2_atom_forge_set_buffer(&n->forge, buf, MESSAGE_CAPACITY);
	lv2_atom_forge_object(&n->forge, &frame, 0, otype);
	lv2_atom_forge_key(&n->forge, key);
	lv2_atom_forge_vector(&n->forge, sizeof(float), n->uris->atom_Float,
			      count, values);
	lv2_atom_forge_pop(&n->forge, &frame);
	return send(n, out, buf);
}

/* What the UI is told of the latest calibration that ended. */
static EtNotifyCalibration
ended_calibration(const EtNotify *n, const EtCalibrationReport *last)
{
	const EtCalibrationResult *r = &last->result;
	EtNotifyCalibration        c = { .track = last->track };
	if (last->serial == 0) {
		c.state = ET_MSG_CALIBRATION_NONE;
	} else if (last->refused) {
		/* The result is an earlier calibration's: nothing of it. */
		c.state = ET_MSG_CALIBRATION_REFUSED;
	} else {
		c.state      = (uint8_t)r->state;
		c.reason     = (uint8_t)r->reason;
		c.latency_ms = (float)(r->latency_frames * n->ms_per_frame);
		c.spread_ms  = (float)(r->spread_frames * n->ms_per_frame);
		c.answered   = r->notes_answered;
	}
	return c;
}

void
et_notify_calibration(EtNotify *n, const EtCalibrationReport *last,
		      bool running, unsigned running_track)
{
	if (last->serial == n->calibration_serial &&
	    running == n->calibration_running) {
		return; /* most blocks: what it holds is still true */
	}
	n->calibration_due     = true;
	n->calibration_serial  = last->serial;
	n->calibration_running = running;
	if (running) {
		n->calibration =
		    (EtNotifyCalibration){ .track = (uint8_t)running_track,
					   .state =
					       ET_MSG_CALIBRATION_RUNNING };
	} else {
		n->calibration = ended_calibration(n, last);
	}
}

static void
forge_int_property(LV2_Atom_Forge *forge, LV2_URID key, int32_t value)
{
	lv2_atom_forge_key(forge, key);
	lv2_atom_forge_int(forge, value);
}

static bool
send_calibration(EtNotify *n, EtSeqOut *out)
{
	_Alignas(8) uint8_t        buf[MESSAGE_CAPACITY];
	const EtUris              *u = n->uris;
	const EtNotifyCalibration *c = &n->calibration;
	LV2_Atom_Forge_Frame       frame;
	lv2_atom_forge_set_buffer(&n->forge, buf, MESSAGE_CAPACITY);
	lv2_atom_forge_object(&n->forge, &frame, 0, u->msg_Calibration);
	forge_int_property(&n->forge, u->msg_track, (int32_t)c->track + 1);
	forge_int_property(&n->forge, u->msg_state, c->state);
	forge_int_property(&n->forge, u->msg_reason, c->reason);
	lv2_atom_forge_key(&n->forge, u->msg_latency);
	lv2_atom_forge_float(&n->forge, c->latency_ms);
	lv2_atom_forge_key(&n->forge, u->msg_spread);
	lv2_atom_forge_float(&n->forge, c->spread_ms);
	forge_int_property(&n->forge, u->msg_answered, (int32_t)c->answered);
	lv2_atom_forge_pop(&n->forge, &frame);
	return send(n, out, buf);
}

static void
build_overview_chunk(EtNotify *n, uint8_t *buf, uint32_t count)
{
	const EtUris        *u    = n->uris;
	const EtNotifyLoop  *loop = &n->loop[n->sending_track];
	LV2_Atom_Forge_Frame frame;
	/* MESSAGE_CAPACITY holds the largest chunk, so no write fails (a
	 * failed push would leave the forge writing before buf). */
	lv2_atom_forge_set_buffer(&n->forge, buf, MESSAGE_CAPACITY);
	lv2_atom_forge_object(&n->forge, &frame, 0, u->msg_Overview);
	lv2_atom_forge_key(&n->forge, u->msg_track);
	lv2_atom_forge_int(&n->forge, (int32_t)n->sending_track + 1);
	lv2_atom_forge_key(&n->forge, u->msg_serial);
	lv2_atom_forge_int(&n->forge, (int32_t)n->sending_serial);
	lv2_atom_forge_key(&n->forge, u->msg_length);
	lv2_atom_forge_long(&n->forge, loop->sent_length);
	lv2_atom_forge_key(&n->forge, u->msg_binCount);
	lv2_atom_forge_int(&n->forge, (int32_t)n->sending_bins);
	lv2_atom_forge_key(&n->forge, u->msg_first);
	lv2_atom_forge_int(&n->forge, (int32_t)n->next_bin);
	lv2_atom_forge_key(&n->forge, u->msg_peaks);
	lv2_atom_forge_vector(&n->forge, sizeof(float), u->atom_Float, count,
			      loop->sent + n->next_bin);
	lv2_atom_forge_pop(&n->forge, &frame);
}

/* The next chunk of the overview being sent: up to ET_MSG_OVERVIEW_CHUNK
 * bins, as many as fit when the port has less room left. */
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
		if (count == 0 || !out->open) {
			return false; /* not even the empty chunk fits */
		}
		/* As many bins fewer as the event is too large, and one more
		 * when the padding of an odd count is what does not fit. */
		const uint32_t size = ((const LV2_Atom *)buf)->size;
		const uint64_t need = sizeof(LV2_Atom_Event) +
				      (((uint64_t)size + 7u) & ~(uint64_t)7u);
		const uint64_t room = out->size - out->offset;
		const uint64_t drop =
		    need > room ? (need - room + 3u) / 4u : 1u;
		if (drop >= count) {
			return false; /* not even one bin fits: next block */
		}
		count -= (uint32_t)drop;
	}
	n->next_bin += count;
	n->sending_active = n->next_bin < n->sending_bins;
	return true;
}

/* Starts sending loop t's published overview: a copy, so that a newer one
 * its scan publishes meanwhile cannot change it half sent.  False if it is
 * the one last sent and nobody asked for it again. */
static bool
start_overview(EtNotify *n, unsigned t)
{
	EtNotifyLoop     *loop = &n->loop[t];
	const EtOverview *ov   = &loop->overview;
	loop->due              = false;
	if (!loop->requested && loop->sent_any &&
	    ov->length == loop->sent_length &&
	    (ov->length == 0 ||
	     memcmp(ov->peak, loop->sent, sizeof(loop->sent)) == 0)) {
		return false;
	}
	loop->requested   = false;
	loop->sent_any    = true;
	loop->sent_length = ov->length;
	if (ov->length) {
		memcpy(loop->sent, ov->peak, sizeof(loop->sent));
	}
	n->sending_track  = t;
	n->sending_serial = ov->serial;
	n->sending_bins   = ov->length ? ET_OVERVIEW_BINS : 0;
	n->next_bin       = 0;
	n->sending_active = true;
	return true;
}

/* The next loop, in turn, whose overview is due and worth sending. */
static bool
start_next_overview(EtNotify *n)
{
	for (unsigned i = 0; i < ET_TRACK_COUNT; ++i) {
		const unsigned t = (n->send_turn + i) % ET_TRACK_COUNT;
		if (n->loop[t].due && start_overview(n, t)) {
			n->send_turn = (t + 1) % ET_TRACK_COUNT;
			return true;
		}
	}
	return false;
}

static bool
overview_pending(const EtNotify *n)
{
	if (n->sending_active) {
		return true;
	}
	for (unsigned t = 0; t < ET_TRACK_COUNT; ++t) {
		if (n->loop[t].due) {
			return true;
		}
	}
	return false;
}

/* Overview chunks, as many as fit (up to a whole overview of each loop);
 * how many went out. */
static unsigned
send_overviews(EtNotify *n, EtSeqOut *out)
{
	unsigned sent = 0;
	while (sent < ET_NOTIFY_CHUNKS_PER_RUN) {
		if (!n->sending_active && !start_next_overview(n)) {
			break;
		}
		if (!send_overview_chunk(n, out)) {
			break; /* the port is full: the rest next block */
		}
		++sent;
	}
	return sent;
}

/* Loop t's view for the scan, and its scan budget for this block. */
static const EtLoopView *
view_of(const EtRecorders *loops, unsigned t, uint32_t nframes,
	EtLoopView *view, bool *changing, uint32_t *budget)
{
	const EtLooper *looper = et_recorders_loop_const(loops, t);
	const bool      has    = et_looper_view(looper, view);
	*changing              = et_looper_changing(looper);
	const uint32_t ratio =
	    *changing ? ET_NOTIFY_OVERDUB_SCAN_RATIO : ET_NOTIFY_SCAN_RATIO;
	const uint32_t least =
	    *changing ? ET_NOTIFY_OVERDUB_SCAN_MIN : ET_NOTIFY_SCAN_MIN;
	const uint64_t wanted = (uint64_t)nframes * ratio;
	*budget               = wanted < least        ? least
				: wanted > UINT32_MAX ? UINT32_MAX
						      : (uint32_t)wanted;
	return has ? view : NULL;
}

/* Every loop's overview sees what changed (a clear publishes an empty one
 * at once); then one loop that scans, in turn, gets the block's budget. */
static void
scan(EtNotify *n, const EtRecorders *loops, uint32_t nframes)
{
	EtLoopView view;
	bool       changing;
	uint32_t   budget;
	for (unsigned t = 0; t < ET_TRACK_COUNT; ++t) {
		const EtLoopView *v =
		    view_of(loops, t, nframes, &view, &changing, &budget);
		if (et_overview_update(&n->loop[t].overview, v, changing, 0)) {
			n->loop[t].due = true;
		}
	}
	for (unsigned i = 0; i < ET_TRACK_COUNT; ++i) {
		const unsigned t  = (n->scan_turn + i) % ET_TRACK_COUNT;
		EtOverview    *ov = &n->loop[t].overview;
		if (!ov->scanning) {
			continue;
		}
		const EtLoopView *v =
		    view_of(loops, t, nframes, &view, &changing, &budget);
		if (et_overview_update(ov, v, changing, budget)) {
			n->loop[t].due = true;
		}
		n->scan_turn = (t + 1) % ET_TRACK_COUNT;
		break;
	}
}

static void
count_down(uint64_t *left, uint32_t nframes)
{
	*left -= *left < nframes ? *left : nframes;
}

/* The Playheads and the Meter, when their time came. */
static void
send_periodic(EtNotify *n, EtSeqOut *out, const EtRecorders *loops)
{
	if (n->playhead_wait == 0) {
		float      position[ET_TRACK_COUNT];
		bool       changed = n->playheads_due;
		EtLoopView view;
		for (unsigned t = 0; t < ET_TRACK_COUNT; ++t) {
			const EtLooper *l = et_recorders_loop_const(loops, t);
			position[t]       = et_looper_view(l, &view)
						? (float)et_looper_position(l)
						: -1.0f;
			changed =
			    changed || position[t] != n->playhead_sent[t];
		}
		if (changed && send_floats(n, out, n->uris->msg_Playheads,
					   n->uris->msg_positions, position,
					   ET_TRACK_COUNT)) {
			memcpy(n->playhead_sent, position, sizeof(position));
			n->playheads_due = false;
			n->playhead_wait = n->playhead_period;
		}
	}
	if (n->meter_wait == 0 &&
	    send_floats(n, out, n->uris->msg_Meter, n->uris->msg_input,
			n->input_peak, 2)) {
		n->input_peak[0] = n->input_peak[1] = 0.0f;
		n->meter_wait                       = n->meter_period;
	}
}

void
et_notify_run(EtNotify *n, EtSeqOut *out, const EtRecorders *loops,
	      const EtRouter *router, uint32_t nframes)
{
	const bool listening = n->listen_left > 0;
	count_down(&n->listen_left, nframes);
	if (!listening) {
		/* No UI: no scan, no overview, no meter. */
		n->stale         = true;
		n->input_peak[0] = n->input_peak[1] = 0.0f;
	} else {
		scan(n, loops, nframes);
		count_down(&n->playhead_wait, nframes);
		count_down(&n->meter_wait, nframes);
	}

	if (!listening || !out->open) {
		/* Nobody listens; what is due waits (a UI that opens asks for
		 * everything with a Request). */
		return;
	}
	const uint32_t sounding = et_router_sounding_tracks(router);
	if ((sounding != n->sounding || n->activity_due) &&
	    send_activity(n, out, sounding)) {
		n->sounding     = sounding;
		n->activity_due = false;
	}
	if (n->calibration_due && send_calibration(n, out)) {
		n->calibration_due = false;
	}
	const bool chunks_first = n->chunks_first;
	if (!chunks_first) {
		send_periodic(n, out, loops);
	}
	const unsigned chunks = send_overviews(n, out);
	if (chunks_first) {
		send_periodic(n, out, loops);
	}
	n->chunks_first = chunks == 0 && overview_pending(n);
}
