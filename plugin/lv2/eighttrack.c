/* Eighttrack's LV2 glue: maps ports and atoms onto the core's engine.
 *
 * Nothing musical happens here.  run() opens the output sequences, reads
 * the control ports and walks midi_in, decoding each atom into a call of
 * the engine (plugin/core/engine.h: MIDI, a transport position, or an
 * event that only holds its place), and writes back what comes out: MIDI
 * into midi_out and the track outputs (never past the capacity the host
 * gave), the output controls, and the UI's notify messages.  Problems seen
 * in run() are counted there and logged by the worker, never from the
 * audio thread. */
#include "instance.h"

#include "denormals.h"

#include <lv2/atom/util.h>
#include <lv2/core/lv2.h>
#include <lv2/core/lv2_util.h>
#include <lv2/state/state.h>

#include <math.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The router's and the clock's output: one MIDI event into midi_out, and,
 * while track_outs is on, into its track's own output.  False when it would
 * not fit whole in both (a half-written event would corrupt a sequence, and
 * an event on one output only would break the note-off guarantee on the
 * other). */
static bool
emit_midi(void *ctx, uint32_t frame, int track, const uint8_t *msg,
	  uint32_t size)
{
	Eighttrack *self = (Eighttrack *)ctx;
	EtSeqOut   *solo = self->engine.track_outs && track >= 0 &&
                                 track < ET_TRACK_COUNT &&
                                 self->track_out[track].open
			       ? &self->track_out[track]
			       : NULL;
	if (!et_seq_out_fits(&self->midi_out, size) ||
	    (solo && !et_seq_out_fits(solo, size))) {
		return false;
	}
	const LV2_URID type = self->uris.midi_MidiEvent;
	et_seq_out_write(&self->midi_out, frame, type, msg, size);
	if (solo) {
		et_seq_out_write(solo, frame, type, msg, size);
	}
	return true;
}

/* What et_router_tell_releases() says goes to the track outputs alone. */
static bool
emit_to_track_out(void *ctx, uint32_t frame, int track, const uint8_t *msg,
		  uint32_t size)
{
	Eighttrack *self = (Eighttrack *)ctx;
	EtSeqOut   *out  = &self->track_out[track];
	if (!et_seq_out_fits(out, size)) {
		return false;
	}
	et_seq_out_write(out, frame, self->uris.midi_MidiEvent, msg, size);
	return true;
}

static LV2_Handle
instantiate(const LV2_Descriptor *descriptor, double rate,
	    const char *bundle_path, const LV2_Feature *const *features)
{
	(void)descriptor;
	(void)bundle_path;

	Eighttrack *self = (Eighttrack *)calloc(1, sizeof(Eighttrack));
	if (!self) {
		return NULL;
	}

	LV2_Log_Log *log = NULL;
	/* Only urid:map is required; its absence is logged just below. */
	lv2_features_query(features, LV2_URID__map, &self->map, false,
			   LV2_LOG__log, &log, false, LV2_WORKER__schedule,
			   &self->schedule, false, NULL);
	lv2_log_logger_init(&self->logger, self->map, log);
	if (!self->map) {
		lv2_log_error(
		    &self->logger,
		    "eighttrack: the host does not provide urid:map; "
		    "cannot run\n");
		free(self);
		return NULL;
	}
	/* The engine refuses a rate that is NaN, infinite or beyond 1 .. 1e6,
	 * and allocates and touches the first part of the loop memory here;
	 * the worker adds the rest ahead of need, so run() never has to. */
	if (!et_engine_init(&self->engine, rate)) {
		lv2_log_error(
		    &self->logger,
		    "eighttrack: cannot run at sample rate %f (1 Hz to "
		    "1 MHz), or cannot allocate %.0f s of loop audio\n",
		    rate, ET_POOL_FIRST_SECONDS);
		free(self);
		return NULL;
	}
	if (pthread_mutex_init(&self->state_lock, NULL) != 0) {
		lv2_log_error(&self->logger,
			      "eighttrack: cannot create a lock\n");
		et_engine_free(&self->engine);
		free(self);
		return NULL;
	}
	if (!self->schedule) {
		lv2_log_warning(
		    &self->logger,
		    "eighttrack: the host has no worker (LV2 worker:schedule): "
		    "the loop memory stays at its first %.0f s and cannot grow "
		    "to %.0f s\n",
		    ET_POOL_FIRST_SECONDS, ET_LOOP_CAPACITY_SECONDS);
	}
	self->rate = rate;
	/* (rate is 1 .. 1e6: et_engine_init refused any other above.)  The
	 * first block looks at once. */
	self->report_every = (uint32_t)(rate * 0.02) + 1u;
	self->report_wait  = self->report_every;
	self->saved        = self->engine.recorders;
	atomic_init(&self->incoming, NULL);
	atomic_init(&self->retired, NULL);

	et_uris_map(&self->uris, self->map);
	et_seq_out_init(&self->midi_out, self->uris.atom_Sequence);
	et_seq_out_init(&self->notify, self->uris.atom_Sequence);
	et_notify_init(&self->ui, &self->uris, self->map, rate);
	for (unsigned t = 0; t < ET_TRACK_COUNT; ++t) {
		et_seq_out_init(&self->track_out[t], self->uris.atom_Sequence);
	}
	return (LV2_Handle)self;
}

static void
connect_port(LV2_Handle instance, uint32_t port, void *data)
{
	Eighttrack *self = (Eighttrack *)instance;
	if (port < ET_PORT_COUNT) {
		self->port[port] = data;
		et_engine_connect_control(&self->engine, port,
					  (const float *)data);
	}
}

static void
activate(LV2_Handle instance)
{
	(void)instance;
}

static bool
schedule(Eighttrack *self, const EtWorkMessage *message)
{
	return self->schedule && self->schedule->schedule_work(
				     self->schedule->handle, sizeof(*message),
				     message) == LV2_WORKER_SUCCESS;
}

/* Asks the worker to log a problem the first time it happens. */
static void
report(Eighttrack *self, EtReport what, uint32_t count, uint32_t detail)
{
	if (count == 0 || self->reported[what]) {
		return;
	}
	const EtWorkMessage message = { .kind   = ET_WORK_REPORT,
					.report = (uint32_t)what,
					.count  = count,
					.detail = detail };
	if (schedule(self, &message)) {
		self->reported[what] = true;
	}
}

/* Asks the worker to log the problems counted so far (run() calls it
 * after a block with events, and every 20 ms). */
static void
report_problems(Eighttrack *self)
{
	for (unsigned s = 1; s < ET_ROUTER_STATUS_COUNT; ++s) {
		report(self, (EtReport)(ET_REPORT_ROUTER_FIRST + s),
		       self->engine.router.status_count[s],
		       s == ET_ROUTER_OUTPUT_FULL ? self->out_capacity : 0);
	}
	report(self, ET_REPORT_LATE_EVENT, self->engine.late_events, 0);
	report(self, ET_REPORT_NON_MIDI, self->non_midi_events, 0);
	report(self, ET_REPORT_CLOCK_DROPPED, self->engine.midiclock.dropped,
	       self->out_capacity);
	const EtRecorders *loops = self->engine.recorders;
	const EtLoopCounts n     = et_recorders_counts(loops);
	report(self, ET_REPORT_REJECTED_SAMPLES, n.rejected, 0);
	report(self, ET_REPORT_DENORMAL_SAMPLES, n.denormals, 0);
	report(self, ET_REPORT_POOL_FULL, n.pool_full, 0);
	report(self, ET_REPORT_UNDO_REFUSED, n.undo_refused, 0);
	/* Each calibration's end goes to the log (not once: a user asked). */
	const EtCalibrationReport *c = et_engine_calibration(&self->engine);
	if (c->serial != self->calibration_logged) {
		EtWorkMessage m = { .kind        = ET_WORK_CALIBRATION,
				    .calibration = *c,
				    .measured_ms = et_recorders_measured(
					loops, c->track) };
		if (schedule(self, &m)) {
			self->calibration_logged = c->serial;
		}
	}
}

/* Asks the worker for more loop memory when the pool runs low
 * (loopstore.h); the answer comes back through work_response(), in this
 * thread.  Without a worker the pool keeps its first size.  `nframes`:
 * the frames since the last look. */
static void
grow_pool(Eighttrack *self, uint32_t nframes)
{
	for (unsigned i = 0; i < ET_STRAYS; ++i) {
		const EtWorkMessage back = { .kind    = ET_WORK_FREE,
					     .segment = self->stray[i] };
		if (self->stray[i] && schedule(self, &back)) {
			self->stray[i] = NULL;
		}
	}
	if (self->grow_wait > 0) {
		self->grow_wait -=
		    self->grow_wait < nframes ? self->grow_wait : nframes;
		return;
	}
	EtLoopStore        *store = et_recorders_store(self->engine.recorders);
	const uint32_t      chunks = et_store_request(store);
	const EtWorkMessage grow   = { .kind = ET_WORK_GROW, .count = chunks };
	if (chunks > 0 && !schedule(self, &grow)) {
		et_store_request_failed(store);
	}
}

/* Hands the engine the loops that restore() built, if there are any and
 * the last replaced ones have been freed. */
static void
take_restored_loops(Eighttrack *self)
{
	const EtWorkMessage reap = { .kind = ET_WORK_REAP };
	if (atomic_load(&self->retired)) {
		/* A full worker queue must not strand the old loops. */
		if (self->reap_due && schedule(self, &reap)) {
			self->reap_due = false;
		}
		return;
	}
	/* A plain load first: the exchange (a locked instruction, a full
	 * barrier on x86) only when restore() has handed something over. */
	if (!atomic_load_explicit(&self->incoming, memory_order_relaxed)) {
		return;
	}
	EtRecorders *incoming = atomic_exchange(&self->incoming, NULL);
	if (!incoming) {
		return;
	}
	atomic_store(&self->retired,
		     et_engine_swap_recorders(&self->engine, incoming));
	self->reap_due = !schedule(self, &reap);
}

/* A finite number from an Int, Long, Float or Double atom; false for a
 * missing atom, another type, a short body, NaN or infinity.  Bodies are
 * read with memcpy: jalv 1.6.6 hands over atom buffers that are only
 * 4-byte aligned. */
static bool
finite_number(const Eighttrack *self, const LV2_Atom *atom, double *out)
{
	if (!atom) {
		return false;
	}
	const EtUris *u    = &self->uris;
	const void   *body = atom + 1;
	double        value;
	if (atom->type == u->atom_Float && atom->size >= sizeof(float)) {
		float v;
		memcpy(&v, body, sizeof(v));
		value = v;
	} else if (atom->type == u->atom_Double &&
		   atom->size >= sizeof(double)) {
		memcpy(&value, body, sizeof(value));
	} else if (atom->type == u->atom_Int &&
		   atom->size >= sizeof(int32_t)) {
		int32_t v;
		memcpy(&v, body, sizeof(v));
		value = v;
	} else if (atom->type == u->atom_Long &&
		   atom->size >= sizeof(int64_t)) {
		int64_t v;
		memcpy(&v, body, sizeof(v));
		value = (double)v;
	} else {
		return false;
	}
	if (!isfinite(value)) {
		return false;
	}
	*out = value;
	return true;
}

/* A transport frame beyond ET_CLOCK_MAX_FRAME or a bar beyond 2^31 cannot
 * be real.  Clamping keeps the conversion to int64_t defined and every
 * later computation exact in double precision. */
#define MAX_POSITION_BAR 2147483647.0

static int64_t
to_int64(double value, double limit)
{
	return (int64_t)fmax(-limit, fmin(limit, value));
}

/* Decodes a time:Position (Ardour and jalv send atom:Object, Carla
 * atom:Blank); fields that are missing or not numbers are left out. */
static bool
read_position(const Eighttrack *self, const LV2_Atom_Object *obj,
	      EtPosition *pos)
{
	const EtUris *u = &self->uris;
	if (obj->body.otype != u->time_Position) {
		return false;
	}
	const LV2_Atom *frame = NULL, *speed = NULL, *bpm = NULL, *bpb = NULL,
		       *bar = NULL, *beat = NULL, *unit = NULL;
	lv2_atom_object_get(obj, u->time_frame, &frame, u->time_speed, &speed,
			    u->time_beatsPerMinute, &bpm, u->time_beatsPerBar,
			    &bpb, u->time_bar, &bar, u->time_barBeat, &beat,
			    u->time_beatUnit, &unit, 0);
	memset(pos, 0, sizeof(*pos));
	double frames = 0.0, bars = 0.0;
	pos->has_frame         = finite_number(self, frame, &frames);
	pos->frame             = to_int64(frames, ET_CLOCK_MAX_FRAME);
	pos->has_speed         = finite_number(self, speed, &pos->speed);
	pos->has_bpm           = finite_number(self, bpm, &pos->bpm);
	pos->has_beats_per_bar = finite_number(self, bpb, &pos->beats_per_bar);
	pos->has_bar           = finite_number(self, bar, &bars);
	pos->bar               = to_int64(bars, MAX_POSITION_BAR);
	pos->has_bar_beat      = finite_number(self, beat, &pos->bar_beat);
	pos->has_beat_unit     = finite_number(self, unit, &pos->beat_unit);
	return true;
}

static void
write_control_out(Eighttrack *self, uint32_t index, float value)
{
	float *port = (float *)self->port[index];
	if (port) {
		*port = value;
	}
}

/* One event of midi_in (ev, its header copied out in *head), decoded for
 * the engine. */
static void
handle_event(Eighttrack *self, const uint8_t *ev, const LV2_Atom_Event *head)
{
	const uint8_t *body  = ev + sizeof(LV2_Atom_Event);
	const EtUris  *u     = &self->uris;
	const int64_t  frame = head->time.frames;
	const uint32_t size  = head->body.size;
	if (head->body.type == u->midi_MidiEvent) { /* the common case first */
		et_engine_midi(&self->engine, frame, body, size);
		return;
	}
	uint32_t   otype  = 0;
	const bool object = (head->body.type == u->atom_Object ||
			     head->body.type == u->atom_Blank) &&
			    size >= sizeof(LV2_Atom_Object_Body);
	if (object) {
		memcpy(&otype, body + offsetof(LV2_Atom_Object_Body, otype),
		       sizeof(otype));
	}
	const LV2_Atom_Object *obj =
	    (const LV2_Atom_Object *)(ev + offsetof(LV2_Atom_Event, body));
	EtPosition pos;
	if (object && read_position(self, obj, &pos)) {
		et_engine_position(&self->engine, frame, &pos);
	} else if (object) {
		/* The UI's Request or Alive (they carry no time: jalv stamps
		 * them at the end of the block); other objects are ignored. */
		et_engine_other(&self->engine, frame, false);
		et_notify_take_request(&self->ui, obj);
	} else {
		et_engine_other(&self->engine, frame, true);
		if (head->body.type != u->atom_Object &&
		    head->body.type != u->atom_Blank) {
			++self->non_midi_events; /* (an object too short is
						    ignored) */
		}
	}
}

static void
run(LV2_Handle instance, uint32_t nframes)
{
	Eighttrack     *self     = (Eighttrack *)instance;
	EtEngine       *engine   = &self->engine;
	const EtFpuMode host_fpu = et_flush_denormals();

	et_seq_out_begin(&self->midi_out, self->port[ET_PORT_MIDI_OUT]);
	self->out_capacity = self->midi_out.capacity;
	/* The track outputs carry events while track_outs is on, and in the
	 * block that turns it off (the releases, at frame 0).  Off, as it is
	 * by default, each is only an empty sequence: written without the
	 * bookkeeping of an open one (5% of an idle block, 7% of one loop
	 * overdubbing: docs/bench.md). */
	const float *track_outs = self->port[ET_PORT_TRACK_OUTS];
	const bool   tracks_open =
	    engine->track_outs || (track_outs && *track_outs > 0.0f);
	for (unsigned t = 0; t < ET_TRACK_COUNT; ++t) {
		if (tracks_open)
			et_seq_out_begin(&self->track_out[t],
					 self->port[et_track_out_port(t)]);
		else
			et_seq_out_empty(&self->track_out[t],
					 self->port[et_track_out_port(t)]);
	}
	et_seq_out_begin(&self->notify, self->port[ET_PORT_NOTIFY]);

	take_restored_loops(self);
	/* The input meter reads the input before the engine writes the
	 * output, which may be the same buffers. */
	et_notify_input(&self->ui, self->port[ET_PORT_IN_L],
			self->port[ET_PORT_IN_R], nframes);
	const EtEngineAudio audio      = { self->port[ET_PORT_IN_L],
					   self->port[ET_PORT_IN_R],
					   self->port[ET_PORT_OUT_L],
					   self->port[ET_PORT_OUT_R] };
	const EtSink        sink       = { emit_midi, self };
	const EtSink        track_sink = { emit_to_track_out, self };
	et_engine_begin(engine, NULL, nframes, &audio, &sink, &track_sink);

	/* The sequence is walked by hand: each event header is copied out,
	 * because jalv 1.6.6 hands over buffers that are only 4-byte aligned,
	 * and every event is checked to lie inside the sequence. */
	const LV2_Atom_Sequence *in =
	    (const LV2_Atom_Sequence *)self->port[ET_PORT_MIDI_IN];
	const uint8_t *ev = in ? (const uint8_t *)(in + 1) : NULL;
	const uint8_t *end =
	    in ? (const uint8_t *)in + sizeof(LV2_Atom) + in->atom.size : NULL;
	const bool had_events = ev && ev + sizeof(LV2_Atom_Event) <= end;
	while (ev && ev + sizeof(LV2_Atom_Event) <= end) {
		LV2_Atom_Event head;
		memcpy(&head, ev, sizeof(head));
		const uint8_t *body = ev + sizeof(LV2_Atom_Event);
		if (head.body.size > (size_t)(end - body)) {
			++self->non_midi_events; /* an event that runs past the
						    end */
			break;
		}
		handle_event(self, ev, &head);
		ev = body + lv2_atom_pad_size(head.body.size);
	}
	et_engine_settle(engine);

	EtEngineOutputs outs;
	et_engine_outputs(engine, &outs);
	write_control_out(self, ET_PORT_LOOP_STATE, outs.loop_state);
	write_control_out(self, ET_PORT_LOOP_LENGTH, outs.loop_length);
	write_control_out(self, ET_PORT_LOOP_POSITION, outs.loop_position);
	write_control_out(self, ET_PORT_LATENCY, outs.latency_ms);
	for (unsigned t = 0; t < ET_TRACK_COUNT; ++t) {
		write_control_out(self,
				  et_track_loop_port(t, ET_TRACK_LOOP_STATE),
				  outs.track_state[t]);
	}
	et_notify_calibration(&self->ui, et_engine_calibration(engine),
			      et_calibrator_running(&engine->calibrator),
			      engine->calibrating);
	et_notify_run(&self->ui, &self->notify, engine->recorders,
		      &engine->router, nframes);
	et_seq_out_end(&self->midi_out);
	for (unsigned t = 0; tracks_open && t < ET_TRACK_COUNT; ++t) {
		et_seq_out_end(&self->track_out[t]);
	}
	et_seq_out_end(&self->notify);
	/* The problem counts and the pool are looked at after a block with
	 * events (where the router's and the reader's problems come from),
	 * and every 20 ms: a log line or a pool request that much later
	 * says and does the same, and most blocks touch none of it. */
	if (had_events || nframes >= self->report_every - self->report_wait) {
		const uint32_t waited = self->report_wait + nframes;
		self->report_wait     = 0;
		report_problems(self);
		grow_pool(self, waited < nframes ? UINT32_MAX : waited);
	} else {
		self->report_wait += nframes;
	}
	/* Last: the audio output's stores (et_engine_settle). */
	et_engine_write_audio(engine);
	et_restore_fpu(host_fpu);
}

static void
deactivate(LV2_Handle instance)
{
	(void)instance;
}

static void
cleanup(LV2_Handle instance)
{
	Eighttrack *self = (Eighttrack *)instance;
	pthread_mutex_destroy(&self->state_lock);
	et_engine_free(&self->engine);
	et_recorders_free(atomic_load(&self->incoming));
	et_recorders_free(atomic_load(&self->retired));
	for (unsigned i = 0; i < ET_STRAYS; ++i) {
		et_store_segment_free(self->stray[i]);
	}
	free(self);
}

/* ---------------------------------------------------------------- worker */

static const char *
report_text(uint32_t report)
{
	if (report < ET_ROUTER_STATUS_COUNT) {
		return et_router_strerror((EtRouterStatus)report);
	}
	switch ((EtReport)report) {
	case ET_REPORT_LATE_EVENT:
		return "midi_in had events out of order or past the end of the "
		       "block; they were moved to the nearest valid frame";
	case ET_REPORT_NON_MIDI:
		return "midi_in had events that are neither MIDI nor a "
		       "time:Position; they were ignored";
	case ET_REPORT_CLOCK_DROPPED:
		return "midi_out is full: MIDI clock messages were dropped";
	case ET_REPORT_REJECTED_SAMPLES:
		return "the audio input had samples that are NaN, infinite or "
		       "beyond +-16 (+24 dBFS) while recording or overdubbing; "
		       "they were recorded as silence";
	case ET_REPORT_DENORMAL_SAMPLES:
		return "the audio input had denormal samples while recording or "
		       "overdubbing; they were recorded as 0";
	case ET_REPORT_POOL_FULL:
		return "a take or an overdub pass ended early: the loop memory "
		       "was full (8 minutes of stereo audio in all, counting "
		       "versions a save still held; less if the host has no "
		       "worker or memory ran out); a take keeps its whole bars "
		       "or beats (with none, the loop it was replacing plays "
		       "on), a pass what it recorded until then";
	case ET_REPORT_UNDO_REFUSED:
		return "an undo or redo found nothing to undo or redo on the "
		       "active track's loop; the loop was left as it was";
	default: return "unknown problem";
	}
}

/* In the worker: what a calibration found, or why it found nothing. */
static void
log_calibration(Eighttrack *self, const EtWorkMessage *m)
{
	const EtCalibrationReport *c  = &m->calibration;
	const EtCalibrationResult *r  = &c->result;
	const unsigned             n  = c->track + 1u;
	const double               ms = 1000.0 / self->rate;
	if (c->refused) {
		lv2_log_warning(
		    &self->logger,
		    "eighttrack: calibrate on track %u refused: a "
		    "take or overdub pass is running (or the audio "
		    "input is not connected); nothing was sent\n",
		    n);
	} else if (r->state == ET_CALIBRATION_DONE) {
		lv2_log_note(&self->logger,
			     "eighttrack: track %u round trip %.2f ms (%u "
			     "frames), spread %.2f ms over %u of %u test "
			     "notes; its takes are compensated by it (plus "
			     "latency_offset)\n",
			     n, r->latency_frames * ms, r->latency_frames,
			     r->spread_frames * ms, r->notes_answered,
			     r->notes_sent);
	} else if (r->reason == ET_CALIBRATION_CANCELLED) {
		lv2_log_warning(
		    &self->logger,
		    "eighttrack: calibrating track %u: cancelled, "
		    "a take or overdub started (its test notes "
		    "would be recorded) or the audio input went "
		    "away; it keeps %.2f ms\n",
		    n, isnan(m->measured_ms) ? 0.0 : (double)m->measured_ms);
	} else if (r->reason == ET_CALIBRATION_TOO_LATE) {
		lv2_log_error(&self->logger,
			      "eighttrack: calibrating track %u: %s (%.1f ms, "
			      "beyond the 500 ms that can be compensated); "
			      "it keeps %.2f ms\n",
			      n, et_calibrator_strerror(r->reason),
			      r->latency_frames * ms,
			      isnan(m->measured_ms) ? 0.0
						    : (double)m->measured_ms);
	} else {
		lv2_log_error(
		    &self->logger,
		    "eighttrack: calibrating track %u: %s (%u test "
		    "notes sent); it keeps %.2f ms\n",
		    n, et_calibrator_strerror(r->reason), r->notes_sent,
		    isnan(m->measured_ms) ? 0.0 : (double)m->measured_ms);
	}
}

static LV2_Worker_Status
work(LV2_Handle instance, LV2_Worker_Respond_Function respond,
     LV2_Worker_Respond_Handle handle, uint32_t size, const void *data)
{
	Eighttrack *self = (Eighttrack *)instance;
	if (size != sizeof(EtWorkMessage)) {
		return LV2_WORKER_ERR_UNKNOWN;
	}
	EtWorkMessage message;
	memcpy(&message, data, sizeof(message));
	if (message.kind == ET_WORK_REAP) {
		et_recorders_free(atomic_exchange(&self->retired, NULL));
	} else if (message.kind == ET_WORK_FREE) {
		et_store_segment_free(message.segment);
	} else if (message.kind == ET_WORK_GROW) {
		message.segment = et_store_segment_new(message.count);
		if (!message.segment && !self->grow_failed_logged) {
			self->grow_failed_logged = true;
			lv2_log_error(
			    &self->logger,
			    "eighttrack: cannot allocate %u more chunks of "
			    "loop memory (%.1f MB); loops are limited to what "
			    "is there (tried again each second, reported "
			    "once)\n",
			    message.count,
			    (double)message.count * 2.0 *
				ET_STORE_CHUNK_FRAMES * sizeof(float) / 1e6);
		}
		return respond(handle, sizeof(message), &message);
	} else if (message.kind == ET_WORK_CALIBRATION) {
		log_calibration(self, &message);
	} else if (message.report ==
		       ET_REPORT_ROUTER_FIRST + ET_ROUTER_OUTPUT_FULL ||
		   message.report == ET_REPORT_CLOCK_DROPPED) {
		lv2_log_warning(
		    &self->logger,
		    "eighttrack: %s (capacity %u bytes); reported once\n",
		    report_text(message.report), message.detail);
	} else {
		lv2_log_warning(&self->logger,
				"eighttrack: %s (%u so far); reported once\n",
				report_text(message.report), message.count);
	}
	return LV2_WORKER_SUCCESS;
}

/* In run()'s thread: a segment for the pool, or none (out of memory). */
static LV2_Worker_Status
work_response(LV2_Handle instance, uint32_t size, const void *data)
{
	Eighttrack *self = (Eighttrack *)instance;
	if (size != sizeof(EtWorkMessage)) {
		return LV2_WORKER_ERR_UNKNOWN;
	}
	EtWorkMessage message;
	memcpy(&message, data, sizeof(message));
	if (message.kind != ET_WORK_GROW) {
		return LV2_WORKER_SUCCESS;
	}
	EtLoopStore *store = et_recorders_store(self->engine.recorders);
	if (!message.segment) {
		et_store_request_failed(store);
		self->grow_wait = (uint32_t)self->rate; /* a second */
		return LV2_WORKER_SUCCESS;
	}
	/* A restore may have swapped the loops since the request: a
	 * segment the new store cannot take goes back to the worker. */
	EtStoreSegment *left = et_store_adopt(store, message.segment);
	for (unsigned i = 0; left && i < ET_STRAYS; ++i) {
		if (!self->stray[i]) {
			self->stray[i] = left; /* grow_pool() sends it back */
			left           = NULL;
		}
	}
	/* Every slot taken (several restores between two blocks, each
	 * leaving a request of the old loops on its way): send it back now.
	 * Should the worker's queue be full as well, the segment is lost
	 * (never freed) rather than freed here, in the audio thread. */
	const EtWorkMessage back = { .kind = ET_WORK_FREE, .segment = left };
	if (left) {
		schedule(self, &back);
	}
	return LV2_WORKER_SUCCESS;
}

static LV2_Worker_Status
end_run(LV2_Handle instance)
{
	(void)instance;
	return LV2_WORKER_SUCCESS;
}

static const void *
extension_data(const char *uri)
{
	static const LV2_Worker_Interface worker = { work, work_response,
						     end_run };
	if (!strcmp(uri, LV2_WORKER__interface)) {
		return &worker;
	}
	if (!strcmp(uri, LV2_STATE__interface)) {
		return et_state_interface();
	}
	return NULL;
}

static const LV2_Descriptor descriptor = {
	ET_URI, instantiate, connect_port, activate,
	run,    deactivate,  cleanup,      extension_data,
};

LV2_SYMBOL_EXPORT const LV2_Descriptor *
lv2_descriptor(uint32_t index)
{
	return index == 0 ? &descriptor : NULL;
}
