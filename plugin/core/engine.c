/* The block of Eighttrack (see engine.h for the order it keeps). */
#include "engine.h"

#include "control_map.h"

#include <math.h>
#include <string.h>

/* rate is one et_engine_init() accepted, 1 .. 1e6 (NaN and infinities
 * fail that test): at most 1.2e8 frames, far inside uint32_t. */
uint32_t
et_loop_capacity_frames(double rate)
{
	return (uint32_t)ceil(ET_LOOP_CAPACITY_SECONDS * rate);
}

EtRecorders *
et_engine_new_recorders(double rate)
{
	const uint32_t limit = et_loop_capacity_frames(rate);
	const double   first = ceil(ET_POOL_FIRST_SECONDS * rate);
	return et_recorders_new(
	    rate, limit, first < limit ? (uint32_t)first : limit, limit);
}

EtRecorders *
et_engine_new_recorders_capacity(double rate, uint32_t capacity_frames,
				 uint32_t pool_frames)
{
	if (capacity_frames == 0 || pool_frames < capacity_frames) {
		return NULL;
	}
	/* A quarter, rounded up: at least a frame (a chunk, loopstore.h). */
	const uint32_t first = pool_frames / 4u + (pool_frames % 4u != 0);
	return et_recorders_new(rate, capacity_frames, first, pool_frames);
}

static uint32_t
float_bits(float value)
{
	uint32_t bits;
	memcpy(&bits, &value, sizeof(bits));
	return bits;
}

float
et_engine_control(const EtEngine *e, uint32_t index)
{
	return e->control_value[index];
}

/* The casts below convert in-range whole numbers: values are sanitized
 * (et_port_sanitize: never NaN, clamped, rounded on integer ports). */
void
et_engine_router_controls(const float       values[ET_PORT_COUNT],
			  EtRouterControls *out)
{
	out->auto_channel = (uint8_t)values[ET_PORT_AUTO_CHANNEL];
	out->active_track = (uint8_t)(values[ET_PORT_ACTIVE_TRACK] - 1.0f);
	out->thru         = values[ET_PORT_THRU] > 0.0f;
	for (unsigned t = 0; t < ET_TRACK_COUNT; ++t) {
		EtTrackControls *tc = &out->track[t];
		tc->channel =
		    (uint8_t)values[et_track_port(t, ET_TRACK_FIELD_CHANNEL)];
		tc->mute =
		    values[et_track_port(t, ET_TRACK_FIELD_MUTE)] > 0.0f;
		tc->transpose =
		    (int8_t)values[et_track_port(t, ET_TRACK_FIELD_TRANSPOSE)];
		tc->program =
		    (uint8_t)values[et_track_port(t, ET_TRACK_FIELD_PROGRAM)];
	}
}

void
et_engine_looper_controls(const float       values[ET_PORT_COUNT],
			  EtLooperControls *out)
{
	out->arm      = values[ET_PORT_LOOP_ARM] > 0.0f;
	out->mute     = values[ET_PORT_LOOP_MUTE] > 0.0f;
	out->overdub  = values[ET_PORT_LOOP_OVERDUB] > 0.0f;
	out->quantize = (EtQuantize)values[ET_PORT_LOOP_QUANTIZE];
	out->bars     = (uint32_t)values[ET_PORT_LOOP_BARS];
	out->clear    = values[ET_PORT_LOOP_CLEAR] > 0.0f;
	out->level_db = values[ET_PORT_LOOP_LEVEL];
	out->monitor  = values[ET_PORT_MONITOR] > 0.0f;
}

void
et_engine_recorder_controls(const float         values[ET_PORT_COUNT],
			    EtRecorderControls *out)
{
	et_engine_looper_controls(values, &out->loop);
	out->active = (uint8_t)(values[ET_PORT_ACTIVE_TRACK] - 1.0f);
	out->undo   = values[ET_PORT_LOOP_UNDO] > 0.0f;
	out->redo   = values[ET_PORT_LOOP_REDO] > 0.0f;
	for (unsigned t = 0; t < ET_TRACK_COUNT; ++t) {
		out->track_mute[t] =
		    values[et_track_loop_port(t, ET_TRACK_LOOP_MUTE)] > 0.0f;
		out->track_level_db[t] =
		    values[et_track_loop_port(t, ET_TRACK_LOOP_LEVEL)];
	}
}

/* Written so that NaN fails it too: every frame count derived from the
 * rate (loop capacity, ramps, the UI's window) converts to its integer type
 * in range only because of this test. */
static bool
rate_ok(double rate)
{
	return rate >= 1.0 && rate <= 1e6;
}

_Static_assert(ET_PORT_COUNT <= 256, "EtEngine.control_in holds uint8_t");

/* The loops' controls from the ports, with what the latches hold. */
static void
read_loop_controls(EtEngine *e)
{
	et_engine_recorder_controls(e->control_value, &e->looper_controls);
	e->looper_controls.loop.arm  = e->latch.arm;
	e->looper_controls.loop.mute = e->latch.mute;
	e->looper_controls.active    = e->latch.active_track;
}

/* Round-trip compensation: a track's latency in effect is its measured
 * value plus latency_offset (the whole of it for a track never measured),
 * never below 0 and at most the looper's 500 ms. */
static float
latency_ms(const EtEngine *e, unsigned track)
{
	const float measured = et_recorders_measured(e->recorders, track);
	const float total    = (isnan(measured) ? 0.0f : measured) +
			    et_engine_control(e, ET_PORT_LATENCY_OFFSET);
	const float max = (float)(ET_LOOPER_MAX_LAG_SECONDS * 1000.0);
	return total > 0.0f ? (total < max ? total : max) : 0.0f;
}

/* Each loop's next take or pass gets its track's latency in frames. */
static void
update_lags(EtEngine *e)
{
	for (unsigned t = 0; t < ET_TRACK_COUNT; ++t) {
		const double frames =
		    floor((double)latency_ms(e, t) * e->rate / 1000.0 + 0.5);
		et_recorders_set_lag(e->recorders, t, (uint32_t)frames);
	}
}

float
et_engine_latency_ms(const EtEngine *e)
{
	return latency_ms(e, e->latch.active_track);
}

void
et_engine_set_measured_latency(EtEngine *e, unsigned track, float ms)
{
	et_recorders_set_measured(e->recorders, track, ms);
	update_lags(e);
}

/* capacity_frames 0: the plugin's loops (et_engine_new_recorders). */
static bool
init_engine(EtEngine *e, double rate, uint32_t capacity_frames,
	    uint32_t pool_frames)
{
	memset(e, 0, sizeof(*e));
	if (!rate_ok(rate)) {
		return false;
	}
	e->rate = rate;
	for (uint32_t i = 0; i < ET_PORT_COUNT; ++i) {
		if (et_ports[i].kind == ET_PORT_KIND_CONTROL_IN) {
			const uint32_t c   = e->control_in_count++;
			e->control_in[c]   = (uint8_t)i;
			e->control_slot[i] = (uint8_t)c;
			e->control_src[c]  = &et_ports[i].fallback;
			e->control_seen[c] = float_bits(et_ports[i].fallback);
			e->scan_stale      = true;
		}
		e->control_value[i] =
		    et_port_sanitize(i, et_ports[i].fallback);
	}
	/* The pool's first part is allocated and touched here, the rest by
	 * the worker ahead of need (et_store_request), so run() never
	 * has to. */
	e->recorders = capacity_frames
			   ? et_engine_new_recorders_capacity(
				 rate, capacity_frames, pool_frames)
			   : et_engine_new_recorders(rate);
	if (!e->recorders) {
		return false;
	}
	et_router_init(&e->router);
	et_calibrator_init(&e->calibrator, rate);
	et_clock_init(&e->clock, rate);
	et_midiclock_init(&e->midiclock);
	e->latch.port_active  = et_ports[ET_PORT_ACTIVE_TRACK].fallback;
	e->latch.port_arm     = et_ports[ET_PORT_LOOP_ARM].fallback;
	e->latch.port_mute    = et_ports[ET_PORT_LOOP_MUTE].fallback;
	e->latch.active_track = (uint8_t)(e->latch.port_active - 1.0f);
	e->latch.arm          = e->latch.port_arm > 0.0f;
	e->latch.mute         = e->latch.port_mute > 0.0f;
	read_loop_controls(e); /* the defaults, as the recorders start */
	update_lags(e);
	return true;
}

bool
et_engine_init(EtEngine *e, double rate)
{
	return init_engine(e, rate, 0, 0);
}

bool
et_engine_init_capacity(EtEngine *e, double rate, uint32_t capacity_frames,
			uint32_t pool_frames)
{
	if (capacity_frames == 0) {
		memset(e, 0, sizeof(*e));
		return false;
	}
	return init_engine(e, rate, capacity_frames, pool_frames);
}

void
et_engine_free(EtEngine *e)
{
	et_recorders_free(e->recorders);
	e->recorders = NULL;
}

EtRecorders *
et_engine_swap_recorders(EtEngine *e, EtRecorders *recorders)
{
	EtRecorders *old = e->recorders;
	e->recorders     = recorders;
	e->restored      = true;
	return old;
}

void
et_engine_connect_control(EtEngine *e, uint32_t index, const float *value)
{
	if (index < ET_PORT_COUNT &&
	    et_ports[index].kind == ET_PORT_KIND_CONTROL_IN) {
		const float  *src  = value ? value : &et_ports[index].fallback;
		const float **slot = &e->control_src[e->control_slot[index]];
		if (*slot != src) {
			*slot         = src;
			e->scan_stale = true;
		}
	}
}

/* At least this many control inputs side by side in the host's memory are
 * compared as one block of bytes. */
#define SCAN_RUN_MIN 4u

/* Plans the scan for a change (controls_differ) from where the values
 * are: most hosts keep their control values in one array, so the inputs
 * of a stretch of ports lie side by side, and a stretch is compared with
 * what was seen in one memcmp; the rest are read one by one. */
static void
plan_scan(EtEngine *e)
{
	const uint32_t n = e->control_in_count;
	e->scan_runs     = 0;
	e->scan_lone     = 0;
	for (uint32_t c = 0; c < n;) {
		const uintptr_t first = (uintptr_t)e->control_src[c];
		uint32_t        len   = 1;
		while (c + len < n && (uintptr_t)e->control_src[c + len] ==
					  first + len * sizeof(float))
			++len;
		if (len >= SCAN_RUN_MIN) {
			e->scan_run_first[e->scan_runs] = (uint8_t)c;
			e->scan_run_len[e->scan_runs++] = (uint8_t)len;
		} else {
			for (uint32_t k = 0; k < len; ++k)
				e->scan_lone_slot[e->scan_lone++] =
				    (uint8_t)(c + k);
		}
		c += len;
	}
	e->scan_stale = false;
}

/* Whether any control input's bits differ from what was last seen: the
 * runs plan_scan() found, then the others four at a time. */
static bool
controls_differ(EtEngine *e)
{
	if (e->scan_stale)
		plan_scan(e);
	const float *const *src  = e->control_src;
	const uint32_t     *seen = e->control_seen;
	for (uint32_t r = 0; r < e->scan_runs; ++r) {
		const uint32_t c = e->scan_run_first[r];
		if (memcmp(src[c], &seen[c],
			   sizeof(float) * e->scan_run_len[r]))
			return true;
	}
	const uint8_t *lone = e->scan_lone_slot;
	const uint8_t *end  = lone + e->scan_lone;
	uint32_t       diff = 0;
	for (; end - lone >= 4; lone += 4) {
		diff |= (float_bits(*src[lone[0]]) ^ seen[lone[0]]) |
			(float_bits(*src[lone[1]]) ^ seen[lone[1]]) |
			(float_bits(*src[lone[2]]) ^ seen[lone[2]]) |
			(float_bits(*src[lone[3]]) ^ seen[lone[3]]);
	}
	for (; lone < end; ++lone) {
		diff |= float_bits(*src[*lone]) ^ seen[*lone];
	}
	return diff != 0;
}

/* Reads every control input; a port sanitizes only when its bits changed.
 * True if any did.  The first pass only looks for a change (most blocks
 * have none); the second finds it. */
static bool
refresh_controls(EtEngine *e)
{
	const uint32_t n = e->control_in_count;
	if (!controls_differ(e)) {
		return false;
	}
	bool changed = false;
	for (uint32_t c = 0; c < n; ++c) {
		const float    raw  = *e->control_src[c];
		const uint32_t bits = float_bits(raw);
		if (bits != e->control_seen[c]) {
			const uint32_t i    = e->control_in[c];
			e->control_seen[c]  = bits;
			e->control_value[i] = et_port_sanitize(i, raw);
			changed             = true;
		}
	}
	return changed;
}

/* Follows the track_outs port.  Turned off, the track outputs fall silent
 * at once: each ends there, at frame 0, the notes its track has sounding
 * and releases the held controllers it holds down, on every channel (they
 * go on, and end later, on the merged output), so nothing hangs on a
 * synth wired to a track output. */
static void
update_track_outs(EtEngine *e)
{
	const bool on = et_engine_control(e, ET_PORT_TRACK_OUTS) > 0.0f;
	if (on == e->track_outs) {
		return;
	}
	e->track_outs = on;
	if (!on) {
		et_router_tell_releases(&e->router, 0, &e->track_sink);
	}
}

/* A port that changed since the last block takes over from the notes that
 * moved the same thing (and, after a restore, the restored values do). */
static void
update_latches(EtEngine *e, bool restored)
{
	const float active = et_engine_control(e, ET_PORT_ACTIVE_TRACK);
	const float arm    = et_engine_control(e, ET_PORT_LOOP_ARM);
	const float mute   = et_engine_control(e, ET_PORT_LOOP_MUTE);
	if (restored || active != e->latch.port_active) {
		e->latch.port_active  = active;
		e->latch.active_track = (uint8_t)(active - 1.0f);
	}
	if (restored || arm != e->latch.port_arm) {
		e->latch.port_arm = arm;
		e->latch.arm      = arm > 0.0f;
	}
	if (restored || mute != e->latch.port_mute) {
		e->latch.port_mute = mute;
		e->latch.mute      = mute > 0.0f;
	}
}

/* Looper audio up to frame `to` of the block, written out.  The block's
 * last span (et_engine_settle) may leave its last pass over the output
 * to et_engine_write_audio(); every span before it is written at once,
 * so that what an event finds rendered is in the output. */
static void
render_to(EtEngine *e, uint32_t to, bool last)
{
	if (to > e->rendered && e->audio.out_l) {
		if (last) {
			et_recorders_process_deferred(
			    e->recorders, &e->clock, e->audio.in_l,
			    e->audio.in_r, e->audio.out_l, e->audio.out_r,
			    e->rendered, to - e->rendered);
		} else {
			et_recorders_process(e->recorders, &e->clock,
					     e->audio.in_l, e->audio.in_r,
					     e->audio.out_l, e->audio.out_r,
					     e->rendered, to - e->rendered);
		}
	}
	if (to > e->rendered) {
		e->rendered = to;
	}
}

/* ---- round-trip calibration ---------------------------------------------*/

/* Sends the block's test notes up to and including frame `to`, on the
 * track being measured, through the router's books (they never hang). */
static void
send_test_notes(EtEngine *e, uint32_t to)
{
	const EtCalibratorNotes *n = &e->test_notes;
	while (e->test_notes_sent < n->count &&
	       n->note[e->test_notes_sent].frame <= to) {
		const EtCalibratorNote *note = &n->note[e->test_notes_sent++];
		if (e->midiclock.enabled) /* the output stays in frame order */
			et_midiclock_advance(&e->midiclock, &e->clock,
					     note->frame + 1, &e->sink);
		if (note->on)
			et_router_test_note_on(&e->router, e->calibrating,
					       note->frame, note->note,
					       note->velocity, &e->sink);
		else
			et_router_test_note_off(&e->router, note->frame,
						&e->sink);
	}
}

static void
calibration_ended(EtEngine *e, bool refused, uint8_t track)
{
	EtCalibrationReport *r = &e->calibration;
	r->serial++;
	r->track   = track;
	r->refused = refused;
	r->result  = et_calibrator_result(&e->calibrator);
	if (!refused && r->result.state == ET_CALIBRATION_DONE)
		et_engine_set_measured_latency(
		    e, track,
		    (float)((double)r->result.latency_frames * 1000.0 /
			    e->rate));
}

/* The trigger's edge starts a calibration of the active track, unless a
 * take or pass runs (its test notes would be recorded) or the block has
 * no audio input to time the answers in; a trigger while one runs is
 * ignored.  Each block of a running one reads the input first (out may
 * be the same buffer) and gets the test notes that fall in it. */
static void
calibrate_block(EtEngine *e, uint32_t nframes)
{
	const bool on      = et_engine_control(e, ET_PORT_CALIBRATE) > 0.0f;
	const bool edge    = on && !e->calibrate_port;
	const bool running = et_calibrator_running(&e->calibrator);
	e->calibrate_port  = on;
	if (!edge && !running) {
		return; /* most blocks (the last test notes were all sent) */
	}
	e->test_notes.count = 0;
	e->test_notes_sent  = 0;
	if (edge && !running) {
		if (et_recorders_passing(e->recorders) || !e->audio.out_l) {
			calibration_ended(e, true, e->latch.active_track);
			return;
		}
		et_calibrator_start(&e->calibrator);
		e->calibrating = e->latch.active_track;
	} else if (!running) {
		return;
	}
	/* The input went away, or a take or pass started (a take armed
	 * during the calibration): give up, as its test notes would be
	 * recorded. */
	if (!e->audio.out_l || et_recorders_passing(e->recorders)) {
		EtCalibratorNote off;
		if (et_calibrator_cancel(&e->calibrator, &off))
			et_router_test_note_off(&e->router, 0, &e->sink);
		calibration_ended(e, false, e->calibrating);
		return;
	}
	const EtCalibrationState state =
	    et_calibrator_process(&e->calibrator, e->audio.in_l, e->audio.in_r,
				  nframes, &e->test_notes);
	if (state != ET_CALIBRATION_RUNNING)
		calibration_ended(e, false, e->calibrating);
}

const EtCalibrationReport *
et_engine_calibration(const EtEngine *e)
{
	return &e->calibration;
}

void
et_engine_begin(EtEngine *e, const float *const controls[ET_PORT_COUNT],
		uint32_t nframes, const EtEngineAudio *audio,
		const EtSink *sink, const EtSink *track_sink)
{
	e->nframes = nframes;
	/* Field by field: the caller has just stored these a pointer at a
	 * time, and a wider load over narrower stores still in flight cannot
	 * take its data from them; it would wait until they, and every store
	 * before them, reach the cache. */
	e->sink.emit       = sink->emit;
	e->sink.ctx        = sink->ctx;
	e->track_sink.emit = track_sink->emit;
	e->track_sink.ctx  = track_sink->ctx;
	e->last_frame      = nframes ? nframes - 1 : 0;
	e->rendered        = 0;
	e->at              = 0;
	e->audio.in_l      = audio->in_l;
	e->audio.in_r      = audio->in_r;
	e->audio.out_l     = audio->out_l;
	e->audio.out_r     = audio->out_r;
	if (!e->audio.in_l || !e->audio.in_r || !e->audio.out_l ||
	    !e->audio.out_r) {
		e->audio.out_l = NULL;
	}

	if (controls) {
		for (uint32_t c = 0; c < e->control_in_count; ++c) {
			const uint32_t i = e->control_in[c];
			et_engine_connect_control(e, i, controls[i]);
		}
	}
	const bool changed  = refresh_controls(e);
	const bool restored = e->restored;
	e->restored         = false;
	/* What follows the control values alone changes only with them (and
	 * is set from them on the first block). */
	if (changed || restored || !e->controls_read) {
		e->controls_read = true;
		update_track_outs(e);
		e->control_channel =
		    (uint8_t)et_engine_control(e, ET_PORT_CONTROL_CHANNEL);
		e->clock_out = et_engine_control(e, ET_PORT_CLOCK_OUT) > 0.0f;
		update_latches(e, restored);
	}
	/* The loops' controls are rebuilt only when a port changed (or a
	 * restore reset the latches): a control note changes them itself, at
	 * its frame, and most blocks change nothing. */
	if (changed || restored) {
		update_lags(e);
		read_loop_controls(e);
		if (restored) {
			et_recorders_set_baseline(e->recorders,
						  &e->looper_controls);
		} else {
			et_recorders_set_controls(e->recorders,
						  &e->looper_controls);
		}
	}
	et_clock_begin_block(&e->clock, nframes);
	et_midiclock_begin_block(&e->midiclock);
	if (nframes > 0) { /* a Stop needs a frame to land on */
		et_midiclock_set_enabled(&e->midiclock, e->clock_out,
					 &e->sink);
	}

	/* The router's controls are rebuilt, and diffed, only when a port
	 * changed or a restore reset the latches to the ports (a control note
	 * changes them itself, at its frame). */
	et_router_flush(&e->router, 0, &e->sink);
	if (changed || restored || !e->router.started) {
		et_engine_router_controls(e->control_value,
					  &e->router_controls);
		e->router_controls.active_track = e->latch.active_track;
		et_router_set_controls(&e->router, &e->router_controls, 0,
				       &e->sink);
	}
	calibrate_block(e, nframes);
	if (e->test_notes_sent < e->test_notes.count)
		send_test_notes(e, 0);
}

/* Places an event in the block: frames never go backwards and stay inside
 * it, whatever the input claims.  Then MIDI clock catches up: up to and
 * including the event's frame for MIDI (clock first), only up to it for
 * anything else (a position changes what falls on its own frame). */
static inline uint32_t
place(EtEngine *e, int64_t frame, bool timed, bool midi)
{
	if (frame < (int64_t)e->at || frame > (int64_t)e->last_frame) {
		if (timed) {
			++e->late_events;
		}
		frame = frame < (int64_t)e->at ? e->at : e->last_frame;
	}
	e->at = (uint32_t)frame;
	if (e->test_notes_sent < e->test_notes.count)
		send_test_notes(e, e->at);
	if (e->midiclock.enabled) {
		et_midiclock_advance(&e->midiclock, &e->clock,
				     midi ? e->at + 1 : e->at, &e->sink);
	}
	return e->at;
}

/* Acts on a note of the control channel at its own frame: the looper
 * renders up to it first, so a change with quantize off lands exactly. */
static void
act_on_control(EtEngine *e, uint32_t at, EtControlAction act)
{
	render_to(e, at, false);
	EtRecorderControls *c = &e->looper_controls;
	if (act.kind == ET_CONTROL_SELECT_TRACK) {
		e->latch.active_track           = act.track;
		e->router_controls.active_track = act.track;
		et_router_set_controls(&e->router, &e->router_controls, at,
				       &e->sink);
		c->active = act.track;
	} else if (act.kind == ET_CONTROL_LOOP_ARM) {
		e->latch.arm = !e->latch.arm;
		c->loop.arm  = e->latch.arm;
	} else if (act.kind == ET_CONTROL_LOOP_MUTE) {
		e->latch.mute = !e->latch.mute;
		c->loop.mute  = e->latch.mute;
	} else if (act.kind == ET_CONTROL_LOOP_CLEAR) {
		et_recorders_trigger_clear(e->recorders);
		return;
	} else if (act.kind == ET_CONTROL_LOOP_UNDO) {
		et_recorders_trigger_undo(e->recorders);
		return;
	} else if (act.kind == ET_CONTROL_LOOP_REDO) {
		et_recorders_trigger_redo(e->recorders);
		return;
	}
	et_recorders_set_controls(e->recorders, c);
}

void
et_engine_midi(EtEngine *e, int64_t frame, const uint8_t *msg, uint32_t size)
{
	const uint32_t at = place(e, frame, true, true);
	if (e->clock_out && et_midiclock_replaces(msg, size)) {
		return; /* ours replace them: never doubled */
	}
	const EtControlAction act =
	    e->control_channel ? et_control_map(e->control_channel, msg, size)
			       : (EtControlAction){ ET_CONTROL_NOT_MINE, 0 };
	switch (act.kind) {
	case ET_CONTROL_NOT_MINE:
		et_router_process(&e->router, at, msg, size, &e->sink);
		return;
	case ET_CONTROL_RELEASE:
		et_router_release(&e->router, at, msg, size, &e->sink);
		return;
	case ET_CONTROL_IGNORED: return;
	default: act_on_control(e, at, act); return;
	}
}

void
et_engine_position(EtEngine *e, int64_t frame, const EtPosition *pos)
{
	const uint32_t at = place(e, frame, true, false);
	/* Audio up to the position plays by the old one. */
	const uint32_t until = at < e->nframes ? at : e->nframes;
	render_to(e, until, false);
	et_clock_apply(&e->clock, until, pos);
}

void
et_engine_other(EtEngine *e, int64_t frame, bool timed)
{
	place(e, frame, timed, false);
}

void
et_engine_settle(EtEngine *e)
{
	if (e->test_notes_sent < e->test_notes.count)
		send_test_notes(e, UINT32_MAX);
	render_to(e, e->nframes, true);
	et_midiclock_advance(&e->midiclock, &e->clock, e->nframes, &e->sink);
}

void
et_engine_write_audio(EtEngine *e)
{
	et_recorders_write_pending(e->recorders);
}

void
et_engine_end(EtEngine *e)
{
	et_engine_settle(e);
	et_engine_write_audio(e);
}

const EtLooper *
et_engine_active_loop(const EtEngine *e)
{
	return et_recorders_active(e->recorders);
}

float
et_engine_loop_state(const EtEngine *e)
{
	return (float)et_looper_state(et_engine_active_loop(e));
}

float
et_engine_loop_length(const EtEngine *e)
{
	return (float)(et_looper_length(et_engine_active_loop(e)) / e->rate);
}

float
et_engine_loop_position(const EtEngine *e)
{
	return (float)et_looper_position(et_engine_active_loop(e));
}

float
et_engine_track_loop_state(const EtEngine *e, unsigned track)
{
	return (float)et_looper_state(
	    et_recorders_loop_const(e->recorders, track));
}

void
et_engine_outputs(const EtEngine *e, EtEngineOutputs *out)
{
	out->loop_state    = et_engine_loop_state(e);
	out->loop_length   = et_engine_loop_length(e);
	out->loop_position = et_engine_loop_position(e);
	out->latency_ms    = et_engine_latency_ms(e);
	et_engine_track_loop_states(e, out->track_state);
}

void
et_engine_track_loop_states(const EtEngine *e, float state[ET_TRACK_COUNT])
{
	et_recorders_states(e->recorders, state);
}
