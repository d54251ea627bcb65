/* Eighttrack's LV2 glue: maps ports and atoms onto the core modules.
 *
 * Nothing musical happens here.  run() reads and sanitizes the controls,
 * walks midi_in in frame order and hands each event to the router (or, on
 * the control channel, acts on it at its frame), renders the looper span
 * by span between transport positions, lets the MIDI clock catch up before
 * each event, and writes what they emit into midi_out and the track
 * outputs, never past the capacity the host gave.  Problems seen in run() are
 * counted there and logged by the worker, never from the audio thread. */
#include "instance.h"

#include "control_map.h"
#include "denormals.h"

#include <lv2/atom/util.h>
#include <lv2/core/lv2.h>
#include <lv2/state/state.h>

#include <math.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static uint32_t
float_bits(float value)
{
	uint32_t bits;
	memcpy(&bits, &value, sizeof(bits));
	return bits;
}

/* Reads every control input; a port sanitizes (et_port_sanitize) only
 * when its bits changed.  True if any did: most blocks change nothing. */
static bool
refresh_controls(Eighttrack *self)
{
	bool changed = false;
	for (uint32_t i = 0; i < ET_PORT_COUNT; ++i) {
		if (et_ports[i].kind != ET_PORT_KIND_CONTROL_IN) {
			continue;
		}
		const float   *port = (const float *)self->port[i];
		const float    raw  = port ? *port : et_ports[i].fallback;
		const uint32_t bits = float_bits(raw);
		if (bits != self->control_bits[i]) {
			self->control_bits[i]  = bits;
			self->control_value[i] = et_port_sanitize(i, raw);
			changed                = true;
		}
	}
	return changed;
}

/* A control port's value as the plugin obeys it, as refresh_controls()
 * last read it: never NaN, clamped to the port's range and rounded on
 * integer ports (et_port_sanitize), so the casts to uint8_t, int8_t,
 * uint32_t and EtQuantize below convert in-range whole numbers. */
static float
control(const Eighttrack *self, uint32_t index)
{
	return self->control_value[index];
}

static void
read_router_controls(const Eighttrack *self, EtRouterControls *controls)
{
	controls->auto_channel = (uint8_t)control(self, ET_PORT_AUTO_CHANNEL);
	controls->active_track =
	    (uint8_t)(control(self, ET_PORT_ACTIVE_TRACK) - 1.0f);
	controls->thru = control(self, ET_PORT_THRU) > 0.0f;
	for (unsigned t = 0; t < ET_TRACK_COUNT; ++t) {
		EtTrackControls *tc = &controls->track[t];
		tc->channel =
		    (uint8_t)control(self, et_track_port(t, ET_TRACK_FIELD_CHANNEL));
		tc->mute =
		    control(self, et_track_port(t, ET_TRACK_FIELD_MUTE)) > 0.0f;
		tc->transpose =
		    (int8_t)control(self, et_track_port(t, ET_TRACK_FIELD_TRANSPOSE));
		tc->program =
		    (uint8_t)control(self, et_track_port(t, ET_TRACK_FIELD_PROGRAM));
	}
}

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
	EtSeqOut   *solo = self->track_outs && track >= 0 &&
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

/* Follows the track_outs port.  Turned off, the track outputs fall silent
 * at once: each ends there, at frame 0, the notes its track has sounding
 * and releases the held controllers (sustain, sostenuto, soft, hold) it
 * holds down, on every channel (they go on, and end later, on midi_out),
 * so nothing hangs on a synth wired to a track output. */
static void
update_track_outs(Eighttrack *self)
{
	const bool on = control(self, ET_PORT_TRACK_OUTS) > 0.0f;
	if (on == self->track_outs) {
		return;
	}
	self->track_outs = on;
	if (!on) {
		const EtSink sink = {emit_to_track_out, self};
		et_router_tell_releases(&self->router, 0, &sink);
	}
}

/* rate is one instantiate() accepted, 1 .. 1e6 (NaN and infinities
 * fail that test): at most 1.2e8 frames, far inside uint32_t. */
uint32_t
et_loop_capacity_frames(double rate)
{
	return (uint32_t)ceil(ET_LOOP_CAPACITY_SECONDS * rate);
}

static void
read_looper_controls(const Eighttrack *self, EtLooperControls *controls)
{
	controls->arm      = control(self, ET_PORT_LOOP_ARM) > 0.0f;
	controls->mute     = control(self, ET_PORT_LOOP_MUTE) > 0.0f;
	controls->overdub  = control(self, ET_PORT_LOOP_OVERDUB) > 0.0f;
	controls->quantize = (EtQuantize)control(self, ET_PORT_LOOP_QUANTIZE);
	controls->bars     = (uint32_t)control(self, ET_PORT_LOOP_BARS);
	controls->clear    = control(self, ET_PORT_LOOP_CLEAR) > 0.0f;
	controls->level_db = control(self, ET_PORT_LOOP_LEVEL);
	controls->monitor  = control(self, ET_PORT_MONITOR) > 0.0f;
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
	for (unsigned i = 0; features && features[i]; ++i) {
		if (!strcmp(features[i]->URI, LV2_URID__map)) {
			self->map = (LV2_URID_Map *)features[i]->data;
		} else if (!strcmp(features[i]->URI, LV2_LOG__log)) {
			log = (LV2_Log_Log *)features[i]->data;
		} else if (!strcmp(features[i]->URI, LV2_WORKER__schedule)) {
			self->schedule = (LV2_Worker_Schedule *)features[i]->data;
		}
	}
	lv2_log_logger_init(&self->logger, self->map, log);
	if (!self->map) {
		lv2_log_error(&self->logger,
		              "eighttrack: the host does not provide urid:map; "
		              "cannot run\n");
		free(self);
		return NULL;
	}
	/* Written so that NaN fails it too: every frame count derived from
	 * the rate (loop capacity, ramps, the UI's window) converts to its
	 * integer type in range only because of this test. */
	if (!(rate >= 1.0 && rate <= 1e6)) {
		lv2_log_error(&self->logger,
		              "eighttrack: unusable sample rate %f; cannot run\n", rate);
		free(self);
		return NULL;
	}

	self->rate = rate;
	for (uint32_t i = 0; i < ET_PORT_COUNT; ++i) {
		self->control_bits[i]  = float_bits(et_ports[i].fallback);
		self->control_value[i] = et_port_sanitize(i, et_ports[i].fallback);
	}
	/* The whole loop buffer is allocated and touched here, so run() never
	 * has to. */
	self->looper = et_looper_new(rate, et_loop_capacity_frames(rate));
	if (!self->looper) {
		lv2_log_error(&self->logger,
		              "eighttrack: cannot allocate %.0f s of loop audio\n",
		              ET_LOOP_CAPACITY_SECONDS);
		free(self);
		return NULL;
	}
	self->saved = self->looper;
	atomic_init(&self->incoming, NULL);
	atomic_init(&self->retired, NULL);

	et_uris_map(&self->uris, self->map);
	et_seq_out_init(&self->midi_out, self->map);
	et_seq_out_init(&self->notify, self->map);
	et_notify_init(&self->ui, self->map, rate);
	for (unsigned t = 0; t < ET_TRACK_COUNT; ++t) {
		et_seq_out_init(&self->track_out[t], self->map);
	}
	et_router_init(&self->router);
	et_clock_init(&self->clock, rate);
	et_midiclock_init(&self->midiclock);
	self->latch.port_active  = et_ports[ET_PORT_ACTIVE_TRACK].fallback;
	self->latch.port_arm     = et_ports[ET_PORT_LOOP_ARM].fallback;
	self->latch.port_mute    = et_ports[ET_PORT_LOOP_MUTE].fallback;
	self->latch.active_track = (uint8_t)(self->latch.port_active - 1.0f);
	self->latch.arm          = self->latch.port_arm > 0.0f;
	self->latch.mute         = self->latch.port_mute > 0.0f;
	return (LV2_Handle)self;
}

static void
connect_port(LV2_Handle instance, uint32_t port, void *data)
{
	Eighttrack *self = (Eighttrack *)instance;
	if (port < ET_PORT_COUNT) {
		self->port[port] = data;
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
	return self->schedule &&
	       self->schedule->schedule_work(self->schedule->handle,
	                                     sizeof(*message), message) ==
	           LV2_WORKER_SUCCESS;
}

/* Asks the worker to log a problem the first time it happens. */
static void
report(Eighttrack *self, EtReport what, uint32_t count, uint32_t detail)
{
	if (count == 0 || self->reported[what]) {
		return;
	}
	const EtWorkMessage message = {ET_WORK_REPORT, (uint32_t)what, count,
	                               detail};
	if (schedule(self, &message)) {
		self->reported[what] = true;
	}
}

static void
report_problems(Eighttrack *self)
{
	for (unsigned s = 1; s < ET_ROUTER_STATUS_COUNT; ++s) {
		report(self, (EtReport)(ET_REPORT_ROUTER_FIRST + s),
		       self->router.status_count[s],
		       s == ET_ROUTER_OUTPUT_FULL ? self->out_capacity : 0);
	}
	report(self, ET_REPORT_LATE_EVENT, self->late_events, 0);
	report(self, ET_REPORT_NON_MIDI, self->non_midi_events, 0);
	report(self, ET_REPORT_CLOCK_DROPPED, self->midiclock.dropped,
	       self->out_capacity);
	report(self, ET_REPORT_REJECTED_SAMPLES, et_looper_rejected(self->looper),
	       0);
	report(self, ET_REPORT_DENORMAL_SAMPLES,
	       et_looper_denormals(self->looper), 0);
	report(self, ET_REPORT_POOL_FULL, et_looper_pool_full(self->looper), 0);
}

/* Takes over a looper that restore() built, if there is one and the last
 * replaced one has been freed; true if it did. */
static bool
take_restored_looper(Eighttrack *self)
{
	const EtWorkMessage reap = {ET_WORK_REAP, 0, 0, 0};
	if (atomic_load(&self->retired)) {
		/* A full worker queue must not strand the old looper. */
		if (self->reap_due && schedule(self, &reap)) {
			self->reap_due = false;
		}
		return false;
	}
	EtLooper *incoming = atomic_exchange(&self->incoming, NULL);
	if (!incoming) {
		return false;
	}
	atomic_store(&self->retired, self->looper);
	self->looper   = incoming;
	self->reap_due = !schedule(self, &reap);
	return true;
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
	} else if (atom->type == u->atom_Double && atom->size >= sizeof(double)) {
		memcpy(&value, body, sizeof(value));
	} else if (atom->type == u->atom_Int && atom->size >= sizeof(int32_t)) {
		int32_t v;
		memcpy(&v, body, sizeof(v));
		value = v;
	} else if (atom->type == u->atom_Long && atom->size >= sizeof(int64_t)) {
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
	pos->has_frame = finite_number(self, frame, &frames);
	pos->frame     = to_int64(frames, ET_CLOCK_MAX_FRAME);
	pos->has_speed = finite_number(self, speed, &pos->speed);
	pos->has_bpm   = finite_number(self, bpm, &pos->bpm);
	pos->has_beats_per_bar = finite_number(self, bpb, &pos->beats_per_bar);
	pos->has_bar   = finite_number(self, bar, &bars);
	pos->bar       = to_int64(bars, MAX_POSITION_BAR);
	pos->has_bar_beat = finite_number(self, beat, &pos->bar_beat);
	pos->has_beat_unit = finite_number(self, unit, &pos->beat_unit);
	return true;
}

typedef struct {
	const float *in_l, *in_r;
	float       *out_l, *out_r;
} AudioPorts;

static void
render(Eighttrack *self, const AudioPorts *audio, uint32_t from, uint32_t to)
{
	if (to > from && audio->out_l) {
		et_looper_process(self->looper, &self->clock, audio->in_l, audio->in_r,
		                  audio->out_l, audio->out_r, from, to - from);
	}
}

static void
write_control_out(Eighttrack *self, uint32_t index, float value)
{
	float *port = (float *)self->port[index];
	if (port) {
		*port = value;
	}
}

/* Follows the ports that notes on control_channel can also move: a port
 * that changed since the last block takes over (and, after a restore, the
 * restored values do). */
static void
update_latches(Eighttrack *self, bool restored)
{
	const float active = control(self, ET_PORT_ACTIVE_TRACK);
	const float arm    = control(self, ET_PORT_LOOP_ARM);
	const float mute   = control(self, ET_PORT_LOOP_MUTE);
	if (restored || active != self->latch.port_active) {
		self->latch.port_active  = active;
		self->latch.active_track = (uint8_t)(active - 1.0f);
	}
	if (restored || arm != self->latch.port_arm) {
		self->latch.port_arm = arm;
		self->latch.arm      = arm > 0.0f;
	}
	if (restored || mute != self->latch.port_mute) {
		self->latch.port_mute = mute;
		self->latch.mute      = mute > 0.0f;
	}
}

/* What one run() works with, beside the instance. */
typedef struct {
	AudioPorts       audio;
	EtSink           sink;
	EtLooperControls looper;
	uint32_t         rendered; /* looper audio is done up to this frame */
	uint8_t          control_channel;
	bool             clock_out;
} Block;

/* Acts on a note of the control channel at its own frame: the looper
 * renders up to it first, so a change with quantize off lands exactly. */
static void
act_on_control(Eighttrack *self, Block *b, uint32_t at, EtControlAction act)
{
	if (act.kind == ET_CONTROL_SELECT_TRACK) {
		self->latch.active_track           = act.track;
		self->router_controls.active_track = act.track;
		et_router_set_controls(&self->router, &self->router_controls, at,
		                       &b->sink);
		return;
	}

	render(self, &b->audio, b->rendered, at);
	b->rendered = at;
	if (act.kind == ET_CONTROL_LOOP_ARM) {
		self->latch.arm = !self->latch.arm;
		b->looper.arm   = self->latch.arm;
	} else if (act.kind == ET_CONTROL_LOOP_MUTE) {
		self->latch.mute = !self->latch.mute;
		b->looper.mute   = self->latch.mute;
	} else if (act.kind == ET_CONTROL_LOOP_CLEAR) {
		/* A fresh 0->1 edge, even while the loop_clear port is held on. */
		b->looper.clear = false;
		et_looper_set_controls(self->looper, &b->looper);
		b->looper.clear = true;
	}
	et_looper_set_controls(self->looper, &b->looper);
}

static void
handle_midi(Eighttrack *self, Block *b, uint32_t at, const uint8_t *msg,
            uint32_t size)
{
	if (b->clock_out && et_midiclock_replaces(msg, size)) {
		return; /* ours replace them: never doubled */
	}
	const EtControlAction act =
	    b->control_channel ? et_control_map(b->control_channel, msg, size)
	                       : (EtControlAction){ET_CONTROL_NOT_MINE, 0};
	switch (act.kind) {
	case ET_CONTROL_NOT_MINE:
		et_router_process(&self->router, at, msg, size, &b->sink);
		return;
	case ET_CONTROL_RELEASE:
		et_router_release(&self->router, at, msg, size, &b->sink);
		return;
	case ET_CONTROL_IGNORED: return;
	default: act_on_control(self, b, at, act); return;
	}
}

static void
run(LV2_Handle instance, uint32_t nframes)
{
	Eighttrack              *self = (Eighttrack *)instance;
	const EtFpuMode          host_fpu = et_flush_denormals();
	const LV2_Atom_Sequence *in =
	    (const LV2_Atom_Sequence *)self->port[ET_PORT_MIDI_IN];

	et_seq_out_begin(&self->midi_out, self->port[ET_PORT_MIDI_OUT]);
	self->out_capacity = self->midi_out.capacity;
	for (unsigned t = 0; t < ET_TRACK_COUNT; ++t) {
		et_seq_out_begin(&self->track_out[t],
		                 self->port[et_track_out_port(t)]);
	}
	et_seq_out_begin(&self->notify, self->port[ET_PORT_NOTIFY]);

	const bool controls_changed = refresh_controls(self);
	update_track_outs(self);
	Block b;
	b.sink     = (EtSink){emit_midi, self};
	b.rendered = 0;
	b.control_channel = (uint8_t)control(self, ET_PORT_CONTROL_CHANNEL);
	b.clock_out       = control(self, ET_PORT_CLOCK_OUT) > 0.0f;

	/* Without all four audio ports (a host must connect them) the looper
	 * is left alone rather than fed half a stereo pair. */
	b.audio = (AudioPorts){self->port[ET_PORT_IN_L], self->port[ET_PORT_IN_R],
	                       self->port[ET_PORT_OUT_L], self->port[ET_PORT_OUT_R]};
	if (!b.audio.in_l || !b.audio.in_r || !b.audio.out_l || !b.audio.out_r) {
		b.audio.out_l = NULL;
	}

	/* A restored looper takes the controls as they are as its baseline:
	 * a session saved while armed does not start recording on load. */
	const bool restored = take_restored_looper(self);
	update_latches(self, restored);
	read_looper_controls(self, &b.looper);
	b.looper.arm  = self->latch.arm;
	b.looper.mute = self->latch.mute;
	if (restored) {
		et_looper_set_baseline(self->looper, &b.looper);
	} else {
		et_looper_set_controls(self->looper, &b.looper);
	}
	et_clock_begin_block(&self->clock, nframes);
	et_midiclock_begin_block(&self->midiclock);
	if (nframes > 0) { /* a Stop needs a frame to land on */
		et_midiclock_set_enabled(&self->midiclock, b.clock_out, &b.sink);
	}

	/* The router's controls are rebuilt, and diffed, only when a port
	 * changed or a restore reset the latches to the ports (a control
	 * note changes them itself, at its frame). */
	et_router_flush(&self->router, 0, &b.sink);
	if (controls_changed || restored || !self->router.started) {
		read_router_controls(self, &self->router_controls);
		self->router_controls.active_track = self->latch.active_track;
		et_router_set_controls(&self->router, &self->router_controls, 0,
		                       &b.sink);
	}

	/* Output frames must lie inside the block and never go backwards,
	 * whatever the input claims. */
	const uint32_t last_frame = nframes ? nframes - 1 : 0;
	uint32_t       at         = 0;
	/* The sequence is walked by hand: each event header is copied out,
	 * because jalv 1.6.6 hands over buffers that are only 4-byte aligned,
	 * and every event is checked to lie inside the sequence. */
	const uint8_t *ev  = in ? (const uint8_t *)(in + 1) : NULL;
	const uint8_t *end = in ? (const uint8_t *)in + sizeof(LV2_Atom) + in->atom.size
	                        : NULL;
	while (ev && ev + sizeof(LV2_Atom_Event) <= end) {
		LV2_Atom_Event head;
		memcpy(&head, ev, sizeof(head));
		const uint8_t *body = ev + sizeof(LV2_Atom_Event);
		if (head.body.size > (size_t)(end - body)) {
			++self->non_midi_events; /* an event that runs past the end */
			break;
		}

		/* Messages from the UI carry no time (jalv stamps them at the
		 * end of the block): only MIDI and positions can be late. */
		uint32_t otype = 0;
		const bool object = (head.body.type == self->uris.atom_Object ||
		                     head.body.type == self->uris.atom_Blank) &&
		                    head.body.size >= sizeof(LV2_Atom_Object_Body);
		if (object) {
			memcpy(&otype, body + offsetof(LV2_Atom_Object_Body, otype),
			       sizeof(otype));
		}
		int64_t t = head.time.frames;
		if (t < (int64_t)at || t > (int64_t)last_frame) {
			if (!object || otype == self->uris.time_Position) {
				++self->late_events;
			}
			t = t < (int64_t)at ? at : last_frame;
		}
		at = (uint32_t)t;
		/* Clock messages go out before what this event causes: those of
		 * its own frame too for MIDI, only earlier ones for a position,
		 * which changes what falls on its frame. */
		if (self->midiclock.enabled) {
			et_midiclock_advance(&self->midiclock, &self->clock,
			                     head.body.type == self->uris.midi_MidiEvent
			                         ? at + 1
			                         : at,
			                     &b.sink);
		}

		const LV2_Atom_Object *obj =
		    (const LV2_Atom_Object *)(ev + offsetof(LV2_Atom_Event, body));
		EtPosition pos;
		if (head.body.type == self->uris.midi_MidiEvent) {
			handle_midi(self, &b, at, body, head.body.size);
		} else if (object && otype == self->uris.time_Position) {
			if (read_position(self, obj, &pos)) {
				/* Audio up to the position plays by the old one. */
				const uint32_t until = at < nframes ? at : nframes;
				render(self, &b.audio, b.rendered, until);
				b.rendered = until;
				et_clock_apply(&self->clock, until, &pos);
			}
		} else if (object) {
			/* The UI's Request or Alive; other objects are ignored. */
			et_notify_take_request(&self->ui, obj);
		} else if (head.body.type != self->uris.atom_Object &&
		           head.body.type != self->uris.atom_Blank) {
			++self->non_midi_events; /* (an object too short is ignored) */
		}
		ev = body + lv2_atom_pad_size(head.body.size);
	}
	render(self, &b.audio, b.rendered, nframes);
	et_midiclock_advance(&self->midiclock, &self->clock, nframes, &b.sink);

	write_control_out(self, ET_PORT_LOOP_STATE,
	                  (float)et_looper_state(self->looper));
	write_control_out(self, ET_PORT_LOOP_LENGTH,
	                  (float)(et_looper_length(self->looper) / self->rate));
	write_control_out(self, ET_PORT_LOOP_POSITION,
	                  (float)et_looper_position(self->looper));
	et_notify_run(&self->ui, &self->notify, self->looper, &self->router,
	              nframes);
	report_problems(self);
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
	et_looper_free(self->looper);
	et_looper_free(atomic_load(&self->incoming));
	et_looper_free(atomic_load(&self->retired));
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
		return "an overdub pass ended early: the loop memory was full "
		       "(older versions of the loop were still being saved); "
		       "what it recorded until then is kept";
	default: return "unknown problem";
	}
}

static LV2_Worker_Status
work(LV2_Handle instance, LV2_Worker_Respond_Function respond,
     LV2_Worker_Respond_Handle handle, uint32_t size, const void *data)
{
	(void)respond;
	(void)handle;
	Eighttrack *self = (Eighttrack *)instance;
	if (size != sizeof(EtWorkMessage)) {
		return LV2_WORKER_ERR_UNKNOWN;
	}
	EtWorkMessage message;
	memcpy(&message, data, sizeof(message));
	if (message.kind == ET_WORK_REAP) {
		et_looper_free(atomic_exchange(&self->retired, NULL));
	} else if (message.report ==
	               ET_REPORT_ROUTER_FIRST + ET_ROUTER_OUTPUT_FULL ||
	           message.report == ET_REPORT_CLOCK_DROPPED) {
		lv2_log_warning(&self->logger,
		                "eighttrack: %s (capacity %u bytes); reported once\n",
		                report_text(message.report), message.detail);
	} else {
		lv2_log_warning(&self->logger,
		                "eighttrack: %s (%u so far); reported once\n",
		                report_text(message.report), message.count);
	}
	return LV2_WORKER_SUCCESS;
}

static LV2_Worker_Status
work_response(LV2_Handle instance, uint32_t size, const void *data)
{
	(void)instance;
	(void)size;
	(void)data;
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
	static const LV2_Worker_Interface worker = {work, work_response, end_run};
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
