/* libFuzzer harness of the engine (plugin/core/engine.c) and the loop
 * recorders it drives: eight loopers on one shared store (recorders.c,
 * looper.c, loopstore.c) and the transport clock (clock.c), with the
 * router and MIDI clock beside them.  The engine owns the order within a
 * block; the harness copies none of it and plays only the glue's part:
 * et_engine_init_capacity(), then per block et_engine_begin() with the
 * control ports (raw floats, which the engine sanitizes; a port may be
 * disconnected), events in the order the fuzzer gives them --
 * et_engine_position(), et_engine_midi(), et_engine_other() -- and
 * et_engine_end(); the worker's part in growing the pool (et_store_request
 * after each block; the answer -- a segment made with
 * et_store_segment_new() and adopted with et_store_adopt(), or a failure
 * -- before a later block the fuzzer picks, or never); a restore, between
 * blocks, hands the engine fresh recorders of the same sizes with
 * et_engine_swap_recorders().
 *
 * The fuzzer picks the sample rate (1 Hz .. 1 MHz, as instantiate()
 * accepts), a small capacity (1..65536 frames, so that a full loop and a
 * full pool are reachable) and, before anything else, the pool's limit
 * (from the capacity, as the plugin's, to two loops' worth, as a looper of
 * its own, et_looper_new, has: the default, with which the regressions
 * were found); block sizes 0..8192 (some without the whole stereo pair:
 * the loops are left alone), positions (frame, speed, tempo, meter, bar,
 * barBeat: sane ones, or any finite value, as the glue drops non-finite
 * fields and clamps frames and bars to +-4.6e18), any port's value (the
 * loop controls and the eight loops' ports -- active track, undo, redo,
 * each track's loop mute and level -- monitor, control channel, clock out,
 * track outputs, the router's), MIDI messages of any bytes and size, notes
 * on the control channel that pick a track (36-43), arm, mute, clear, undo
 * or redo (48-52) mid-block (and their note-offs), floods of those by note
 * or by port on any track, events at frames out of order or past the
 * block, input audio (finite, |x| <= 1e4: louder input would overflow
 * float on its own in enough overdubs), how the worker answers, and the
 * restore path (et_looper_load with any length and placement into any of
 * the eight loops of fresh recorders, then the baseline; or into a loop of
 * the recorders the engine holds).  The encoding is in fuzz_common.h.
 *
 * Invariants (abort() on violation), after every span the engine renders
 * (up to a position or a control note, and to the block's end) and every
 * event:
 * - each loop's length never exceeds the capacity; its state is a valid
 *   enum; its position is finite and in [0, 1]; a loop view agrees with
 *   the length and has an exact length within a frame of it; its undo and
 *   redo steps are at most ET_LOOPER_UNDO_STEPS each;
 * - at most one loop records or overdubs at a time (the one stereo input
 *   goes into one pass);
 * - the pool: free chunks <= chunks <= the limit's, never fewer chunks
 *   than before; a request only while none of that store's is on its way,
 *   for no more than the limit holds;
 * - every output sample is finite;
 * - with monitor off and every loop muted (loop_mute, by port or by a
 *   control note, or each track's loop mute), the output is exactly zero
 *   once LOOPER_SILENT_AFTER frames have been rendered in that setting;
 * - et_looper_load() fails for a length of 0 or above the capacity, always
 *   loads a loop that fits into fresh recorders' first, and fails to load
 *   one that fits only with the pool at its limit (the loop then empty);
 * - after each block, the output controls (loop state, length, position)
 *   agree with the active track's loop, each track's loop state with its
 *   loop, and every control the engine obeys is inside its port's range;
 * - every MIDI event the engine emits lies inside its block, in frame
 *   order, from a valid track;
 * - nothing reads or writes out of bounds (ASan), no undefined behaviour
 *   (UBSan), no leak (LeakSanitizer), no hang (libFuzzer's -timeout). */
#include "fuzz_common.h"

#include "control_map.h"
#include "engine.h"
#include "looper.h"
#include "loopstore.h"
#include "recorders.h"
#include "ports.h"

#include <math.h>

#define MAX_BLOCK   8192u
#define MAX_FRAMES  (1u << 20) /* rendered per input, to bound a run */
#define AUDIO_LIMIT 1e4f
/* The envelope of the fuzzed positions.  The glue lets through frames and
 * bars up to +-4.6e18 (its to_int64() clamp), any finite barBeat, any
 * meter in (0, 1000] and rates from 1 Hz.  Far out there the looper and
 * the clock used to hang (fuzz/repro_hangs.c, now a regression test in
 * make check); the harness fuzzes that whole range.  -DFUZZ_NARROW_RANGE
 * keeps values where double precision still resolves a frame and a beat
 * (+-2^40 frames, +-2^24 bars and beats, meters of at least 1/1000 beat,
 * rates from 100 Hz), to spend the time on musical behaviour instead. */
#ifndef FUZZ_NARROW_RANGE
#define FRAME_LIMIT 4.6e18
#define BAR_LIMIT   4.6e18
#define BEAT_LIMIT  3.5e38
#define MIN_METER   0.0
#define START_SHIFT 0
#else
#define FRAME_LIMIT 1099511627776.0 /* 2^40 */
#define BAR_LIMIT   16777216.0      /* 2^24 */
#define BEAT_LIMIT  16777216.0
#define MIN_METER   1e-3
#define START_SHIFT (64 - 41) /* start frames of loaded loops: +-2^40 */
#endif

/* How long after mute (with monitor off) the output must be silent: the
 * ramp.  A locate or stop inside the mute ramp starts a fade-out tail of
 * its own, a ramp long, from the gain reached: see docs/fuzzing.md. */
#define LOOPER_SILENT_AFTER(ramp) (ramp)

static const double rates[] = { 48000.0, 44100.0, 96000.0, 8000.0,  192000.0,
				22050.0, 100.0,   1e6,     11025.5,
#ifndef FUZZ_NARROW_RANGE
				1.0
#else
				100.0
#endif
};

/* What the engine emits on one of its sinks within the block. */
typedef struct {
	uint32_t nframes;
	bool     any;
	uint32_t last; /* frame of the last event */
} Out;

/* What the worker (the glue's grow_pool() and work_response()) does with
 * the pool's next request: a segment, a failure (out of memory: the next
 * request may ask again), or no answer ever (that store asks no more). */
enum { WORKER_SEGMENT, WORKER_FAIL, WORKER_NEVER };

/* A request on its way: answered before block `due` begins. */
typedef struct {
	const EtLoopStore *from; /* NULL: that store was swapped out */
	uint32_t           chunks;
	uint64_t           due;
	uint8_t            kind;
	/* The store took another answer for it (a segment or failure asked
	 * for by the store a restore replaced: the store cannot tell): it may
	 * ask again. */
	bool settled;
} Request;
#define MAX_REQUESTS 16

typedef struct {
	EtEngine     engine;
	double       rate;
	uint32_t     capacity;
	uint32_t     pool; /* frames the pool may grow to */
	uint32_t     ramp;
	float        port[ET_PORT_COUNT]; /* raw values, as a host writes */
	const float *control[ET_PORT_COUNT];
	Out          out, track_out;
	bool         started; /* a block or load came: the pool is fixed */
	uint64_t     blocks;  /* begun */
	/* The worker: how it answers the next requests, and those on their
	 * way. */
	uint8_t            worker_kind;
	uint8_t            worker_delay; /* blocks */
	Request            req[MAX_REQUESTS];
	unsigned           n_req;
	const EtLoopStore *seen_store;  /* the store last checked ... */
	uint32_t           seen_chunks; /* ... and its chunks then */
	bool     silent_mode;   /* every loop muted, monitor off, now */
	uint64_t silent_frames; /* rendered since silent_mode began */
	uint64_t frames;        /* in all blocks begun */
	/* The block under way. */
	bool     open;
	uint32_t n;
	bool     dry;      /* no stereo pair: the looper is left alone */
	bool     in_place; /* the output is written over the input */
	uint32_t checked;  /* the output is checked up to this frame */
	float    in_l[MAX_BLOCK], in_r[MAX_BLOCK];
	float    out_l[MAX_BLOCK], out_r[MAX_BLOCK];
} Rig;

/* The pool: room for two whole loops and their last chunks, as a
 * looper of its own has (et_looper_new), so that a take can replace a
 * full loop and a pass overdub one; the regressions were found with that
 * room. */
static uint32_t
default_pool(uint32_t capacity)
{
	return 2u * (capacity + ET_STORE_CHUNK_FRAMES);
}

static uint32_t
chunks_for(uint32_t frames)
{
	return (frames + ET_STORE_CHUNK_FRAMES - 1u) / ET_STORE_CHUNK_FRAMES;
}

static bool
emit(void *ctx, uint32_t frame, int track, const uint8_t *msg, uint32_t size)
{
	Out *o = (Out *)ctx;
	FUZZ_CHECK(frame < o->nframes || (o->nframes == 0 && frame == 0));
	FUZZ_CHECK(!o->any || frame >= o->last);
	FUZZ_CHECK(track == ET_SINK_THRU ||
		   (track >= 0 && track < ET_TRACK_COUNT));
	FUZZ_CHECK(msg != NULL && size >= 1 && (msg[0] & 0x80));
	o->any  = true;
	o->last = frame;
	return true;
}

static void
check_loop(const Rig *rig, const EtLooper *l)
{
	const EtLoopState state = et_looper_state(l);
	FUZZ_CHECK(state >= ET_LOOP_EMPTY && state <= ET_LOOP_OVERDUBBING);
	FUZZ_CHECK(et_looper_capacity(l) == rig->capacity);
	const uint32_t length = et_looper_length(l);
	FUZZ_CHECK(length <= rig->capacity);
	const double pos = et_looper_position(l);
	FUZZ_CHECK(isfinite(pos) && pos >= 0.0 && pos <= 1.0);
	FUZZ_CHECK(et_looper_undo_steps(l) <= ET_LOOPER_UNDO_STEPS);
	FUZZ_CHECK(et_looper_redo_steps(l) <= ET_LOOPER_UNDO_STEPS);

	EtLoopView view;
	if (et_looper_view(l, &view)) {
		FUZZ_CHECK(state != ET_LOOP_EMPTY &&
			   state != ET_LOOP_RECORDING);
		FUZZ_CHECK(view.length == length && length > 0);
		FUZZ_CHECK(view.store != NULL);
		FUZZ_CHECK(isfinite(view.exact_length) &&
			   view.exact_length >= 1.0 &&
			   fabs(view.exact_length - (double)length) < 1.0);
		/* Every frame of the view can be read (ASan checks each run
		 * lies in the store's chunks). */
		uint32_t     k = 0, n;
		const float *left, *right;
		while ((n = et_loop_view_read(&view, k, &left, &right)) > 0) {
			volatile float touch = left[n - 1] + right[n - 1];
			(void)touch;
			k += n;
		}
		FUZZ_CHECK(k == length);
	} else {
		FUZZ_CHECK(state == ET_LOOP_EMPTY ||
			   state == ET_LOOP_RECORDING ||
			   state == ET_LOOP_ARMED);
	}
}

#ifdef FUZZ_TRACE
/* Each loop that is not empty (track:state/length, undo/redo steps), the
 * arm, the pool (free/chunks). */
static void
trace_loops(const Rig *rig)
{
	EtRecorders *r = rig->engine.recorders;
	fprintf(stderr, "      loops:");
	for (unsigned t = 0; t < ET_TRACK_COUNT; ++t) {
		const EtLooper *l = et_recorders_loop_const(r, t);
		if (et_looper_state(l) == ET_LOOP_EMPTY &&
		    et_looper_undo_steps(l) == 0 &&
		    et_looper_redo_steps(l) == 0) {
			continue;
		}
		fprintf(stderr, " %u:%d/%u u%u/r%u", t + 1, et_looper_state(l),
			et_looper_length(l), et_looper_undo_steps(l),
			et_looper_redo_steps(l));
	}
	const EtLoopStore *store = et_recorders_store(r);
	fprintf(stderr, "; armed %d; pool %u/%u of %u, full %u\n",
		et_recorders_armed(r) + 1, et_store_free_chunks(store),
		et_store_chunk_count(store), chunks_for(rig->pool),
		et_recorders_pool_full(r));
}
#endif

/* Every loop; one pass at a time (the one stereo input records into one
 * loop); the pool's accounting. */
static void
check_looper(Rig *rig)
{
	EtRecorders *r      = rig->engine.recorders;
	unsigned     passes = 0;
	for (unsigned t = 0; t < ET_TRACK_COUNT; ++t) {
		const EtLooper *l = et_recorders_loop_const(r, t);
		check_loop(rig, l);
		const EtLoopState state = et_looper_state(l);
		passes +=
		    state == ET_LOOP_RECORDING || state == ET_LOOP_OVERDUBBING;
	}
	FUZZ_CHECK(passes <= 1);
	const int armed = et_recorders_armed(r);
	FUZZ_CHECK(armed >= -1 && armed < ET_TRACK_COUNT);

	const EtLoopStore *store  = et_recorders_store(r);
	const uint32_t     chunks = et_store_chunk_count(store);
	FUZZ_CHECK(et_store_free_chunks(store) <= chunks);
	FUZZ_CHECK(chunks >= 1 && chunks <= chunks_for(rig->pool));
	FUZZ_CHECK(et_store_max_frames(store) == rig->capacity);
	/* The pool never shrinks. */
	FUZZ_CHECK(store != rig->seen_store || chunks >= rig->seen_chunks);
	rig->seen_store  = store;
	rig->seen_chunks = chunks;
}

/* Whether the controls, as the engine last gave them to the recorders,
 * silence the output: monitor off and every loop muted (loop_mute, the
 * master, or its own track's). */
static bool
silent_now(const Rig *rig)
{
	const EtRecorderControls *c = &rig->engine.looper_controls;
	if (c->loop.monitor) {
		return false;
	}
	for (unsigned t = 0; t < ET_TRACK_COUNT; ++t) {
		if (!c->loop.mute && !c->track_mute[t]) {
			return false;
		}
	}
	return true;
}

/* Follows the silent setting: frames count from where it began. */
static void
follow_silence(Rig *rig)
{
	const bool silent = silent_now(rig);
	if (!silent || !rig->silent_mode) {
		rig->silent_frames = 0;
	}
	rig->silent_mode = silent;
}

/* Checks what the engine rendered since the last check, which it rendered
 * with the controls it had before the call that rendered it. */
static void
check_rendered(Rig *rig)
{
	const uint32_t from = rig->checked;
	const uint32_t to   = rig->engine.rendered;
	if (to <= from) {
		return;
	}
	rig->checked = to;
	if (rig->dry) { /* nothing rendered: the looper was left alone */
		check_looper(rig);
		return;
	}
	const float *ol  = rig->in_place ? rig->in_l : rig->out_l;
	const float *or_ = rig->in_place ? rig->in_r : rig->out_r;
	for (uint32_t i = from; i < to; ++i) {
		FUZZ_CHECK(isfinite(ol[i]) && isfinite(or_[i]));
		if (rig->silent_mode) {
			if (rig->silent_frames >=
			    LOOPER_SILENT_AFTER(rig->ramp)) {
#ifdef FUZZ_TRACE
				if (ol[i] != 0.0f || or_[i] != 0.0f) {
					fprintf(
					    stderr,
					    "  sound %g %g at block frame %u, %llu "
					    "frames after mute (ramp %u), state %d\n",
					    ol[i], or_[i], i,
					    (unsigned long long)
						rig->silent_frames,
					    rig->ramp,
					    et_engine_loop_state(
						&rig->engine));
				}
#endif
				FUZZ_CHECK(ol[i] == 0.0f && or_[i] == 0.0f);
			}
			++rig->silent_frames;
		}
	}
	check_looper(rig);
}

static float
finite_audio(float v)
{
	if (!isfinite(v)) {
		return 0.0f;
	}
	return fminf(fmaxf(v, -AUDIO_LIMIT), AUDIO_LIMIT);
}

static void
fill_audio(Rig *rig, FuzzInput *in, uint32_t n)
{
	const uint8_t mode = fuzz_u8(in);
	switch (mode % 4) {
	case 0:
		memset(rig->in_l, 0, sizeof(float) * n);
		memset(rig->in_r, 0, sizeof(float) * n);
		break;
	case 1: { /* constants */
		const float a = finite_audio(fuzz_f32(in));
		const float b = finite_audio(fuzz_f32(in));
		for (uint32_t i = 0; i < n; ++i) {
			rig->in_l[i] = a;
			rig->in_r[i] = b;
		}
		break;
	}
	case 2: /* a ramp, so that every sample differs */
		for (uint32_t i = 0; i < n; ++i) {
			rig->in_l[i] = (float)(i + 1) / 8192.0f;
			rig->in_r[i] = -(float)(i + 1) / 8192.0f;
		}
		break;
	default: { /* a few raw samples, repeated */
		float          raw[8];
		const unsigned count = 1u + (mode >> 2) % 8u;
		for (unsigned k = 0; k < count; ++k) {
			raw[k] = finite_audio(fuzz_f32(in));
		}
		for (uint32_t i = 0; i < n; ++i) {
			rig->in_l[i] = raw[i % count];
			rig->in_r[i] = raw[(i + 1) % count];
		}
		break;
	}
	}
}

static double
clamp(double v, double limit)
{
	return fmax(-limit, fmin(limit, v));
}

/* A finite double, as the glue's finite_number() yields, or false. */
static bool
raw_number(FuzzInput *in, double *out)
{
	const double v = fuzz_f64(in);
	if (!isfinite(v)) {
		return false;
	}
	*out = v;
	return true;
}

static const double sane_bpm[]   = { 120.0, 60.0,    127.0, 0.0,  -5.0, 1e6,
				     1.0,   10000.0, 240.0, 90.5, 0.5,  333.3 };
static const double sane_meter[] = { 4.0,  3.0,    7.0,  0.0,
				     -1.0, 1000.0, 1e-3, 2.5 };
static const double sane_speed[] = { 1.0, 0.0, 1.0, -1.0, 0.5, 2.0 };

/* Flags: bit0..5 carry frame, speed, bpm, beatsPerBar, bar, barBeat;
 * bit6 raw (any finite value) instead of musical ones; bit7 a frame that
 * continues the transport (the common case) rather than a jump. */
static void
read_position(Rig *rig, FuzzInput *in, uint32_t block_frame, EtPosition *p)
{
	const uint8_t flags = fuzz_u8(in);
	const bool    raw   = flags & 0x40;
	memset(p, 0, sizeof(*p));
	double v = 0.0;
	if (flags & 0x01) {
		if (raw) {
			p->has_frame = raw_number(in, &v);
			p->frame     = (int64_t)clamp(v, FRAME_LIMIT);
		} else {
			const int64_t here = et_clock_transport_frame(
			    &rig->engine.clock, block_frame);
			p->has_frame = true;
			p->frame     = (flags & 0x80)
					   ? here
					   : here + (int16_t)fuzz_u16(in) * 16;
		}
	}
	if (flags & 0x02) {
		if (raw) {
			p->has_speed = raw_number(in, &p->speed);
		} else {
			p->has_speed = true;
			p->speed     = sane_speed[fuzz_u8(in) % 6];
		}
	}
	if (flags & 0x04) {
		if (raw) {
			p->has_bpm = raw_number(in, &p->bpm);
		} else {
			p->has_bpm = true;
			p->bpm     = sane_bpm[fuzz_u8(in) % 12];
		}
	}
	if (flags & 0x08) {
		if (raw) {
			p->has_beats_per_bar =
			    raw_number(in, &p->beats_per_bar);
			if (p->beats_per_bar > 0.0 &&
			    p->beats_per_bar < MIN_METER) {
				p->beats_per_bar = MIN_METER;
			}
		} else {
			p->has_beats_per_bar = true;
			p->beats_per_bar     = sane_meter[fuzz_u8(in) % 8];
		}
	}
	if (flags & 0x10) {
		if (raw) {
			p->has_bar = raw_number(in, &v);
			p->bar     = (int64_t)clamp(v, BAR_LIMIT);
		} else {
			p->has_bar = true;
			p->bar     = fuzz_u8(in);
		}
	}
	if (flags & 0x20) {
		/* A float32 on the wire. */
		const float beat =
		    raw ? fuzz_f32(in) : (float)fuzz_u8(in) / 16.0f;
		p->has_bar_beat = isfinite(beat);
		p->bar_beat = p->has_bar_beat ? clamp(beat, BEAT_LIMIT) : 0.0;
	}
}

/* The output controls and the engine's controls after a block. */
static void
check_block_outputs(const Rig *rig)
{
	const EtEngine *e     = &rig->engine;
	const EtLooper *l     = et_engine_active_loop(e);
	const float     state = et_engine_loop_state(e);
	FUZZ_CHECK(state == (float)et_looper_state(l) &&
		   state >= (float)ET_LOOP_EMPTY &&
		   state <= (float)ET_LOOP_OVERDUBBING);
	const float position = et_engine_loop_position(e);
	FUZZ_CHECK(isfinite(position) && position >= 0.0f && position <= 1.0f);
	const float length = et_engine_loop_length(e);
	FUZZ_CHECK(isfinite(length) && length >= 0.0f &&
		   length <= (float)(rig->capacity / rig->rate));
	/* What run() writes: the same, the sleeping loops' states (read
	 * without a look at them) included. */
	EtEngineOutputs outs;
	et_engine_outputs(e, &outs);
	FUZZ_CHECK(outs.loop_state == state && outs.loop_length == length &&
		   outs.loop_position == position &&
		   outs.latency_ms == et_engine_latency_ms(e));
	for (unsigned t = 0; t < ET_TRACK_COUNT; ++t) {
		const float real = (float)et_looper_state(
		    et_recorders_loop_const(e->recorders, t));
		FUZZ_CHECK(et_engine_track_loop_state(e, t) == real &&
			   outs.track_state[t] == real);
	}
	for (uint32_t i = 0; i < ET_PORT_COUNT; ++i) {
		if (et_ports[i].kind != ET_PORT_KIND_CONTROL_IN) {
			continue;
		}
		const float v = et_engine_control(e, i);
		FUZZ_CHECK(v >= et_ports[i].minimum &&
			   v <= et_ports[i].maximum);
	}
}

static void ask_worker(Rig *rig);

/* Ends the block under way, if one is. */
static void
end_block(Rig *rig)
{
	if (!rig->open) {
		return;
	}
	rig->open = false;
	/* As run() ends it: the output controls read before the block's
	 * last pass over the audio is written. */
	et_engine_settle(&rig->engine);
	check_block_outputs(rig);
	et_engine_write_audio(&rig->engine);
	check_rendered(rig);
	ask_worker(rig);
}

/* The worker answers request k (and it leaves the queue). */
static void
answer(Rig *rig, unsigned k)
{
	const Request q     = rig->req[k];
	EtLoopStore  *store = et_recorders_store(rig->engine.recorders);
	memmove(&rig->req[k], &rig->req[k + 1],
		sizeof(Request) * (rig->n_req - k - 1));
	--rig->n_req;
#ifdef FUZZ_TRACE
	fprintf(stderr, "worker: %u chunks %s%s\n", q.chunks,
		q.kind == WORKER_FAIL ? "failed" : "adopted",
		q.from == store ? "" : " (asked by a store swapped out)");
#endif
	if (q.kind == WORKER_FAIL) {
		/* work_response() with no segment: the store may ask again. */
		et_store_request_failed(store);
	} else {
		EtStoreSegment *g = et_store_segment_new(q.chunks);
		FUZZ_CHECK(g != NULL);
		/* A restore may have swapped the store since: a segment the
		 * new one cannot take goes back to be freed. */
		EtStoreSegment *left = et_store_adopt(store, g);
		if (left) {
			et_store_segment_free(left);
			return;
		}
	}
	for (unsigned i = 0; i < rig->n_req; ++i) {
		rig->req[i].settled =
		    rig->req[i].settled || rig->req[i].from == store;
	}
}

/* run() asks the worker for more of the pool when it runs low (after each
 * block, as grow_pool() does). */
static void
ask_worker(Rig *rig)
{
	EtLoopStore   *store  = et_recorders_store(rig->engine.recorders);
	const uint32_t chunks = et_store_request(store);
	if (chunks == 0) {
		return;
	}
	/* Asked once until answered, and for no more than the limit holds. */
	for (unsigned k = 0; k < rig->n_req; ++k) {
		FUZZ_CHECK(rig->req[k].from != store || rig->req[k].settled);
	}
	FUZZ_CHECK(chunks <=
		   chunks_for(rig->pool) - et_store_chunk_count(store));
	if (rig->n_req == MAX_REQUESTS) { /* the oldest answered at once */
		unsigned k = 0;
		while (rig->req[k].kind == WORKER_NEVER) {
			++k;
		}
		answer(rig, k);
	}
	rig->req[rig->n_req++] =
	    (Request){ store, chunks, rig->blocks + rig->worker_delay,
		       rig->worker_kind, false };
}

/* Before a block: the answers due by now (work_response() comes between
 * two run()s). */
static void
answer_worker(Rig *rig)
{
	for (unsigned k = 0; k < rig->n_req;) {
		if (rig->req[k].kind != WORKER_NEVER &&
		    rig->req[k].due <= rig->blocks) {
			answer(rig, k);
		} else {
			++k;
		}
	}
}

/* The engine has other recorders (a restore): the requests on their way
 * were asked by a store that is gone; one never answered is forgotten. */
static void
forget_store(Rig *rig)
{
	for (unsigned k = 0; k < rig->n_req;) {
		rig->req[k].from = NULL;
		if (rig->req[k].kind == WORKER_NEVER) {
			memmove(&rig->req[k], &rig->req[k + 1],
				sizeof(Request) * (rig->n_req - k - 1));
			--rig->n_req;
		} else {
			++k;
		}
	}
	rig->seen_store = NULL;
}

/* Begins a block of n frames; audio: all four buffers, or (dry) the
 * stereo pair with one of them missing, when the looper is left alone. */
static void
begin_block(Rig *rig, uint32_t n, bool dry, unsigned missing)
{
	EtEngine *e = &rig->engine;
	end_block(rig);
	answer_worker(rig);
	rig->started = true;
	++rig->blocks;
	rig->n        = n;
	rig->in_place = n & 1; /* hosts may alias in and out */
	rig->dry      = dry;
	rig->checked  = 0;
	rig->open     = true;
	rig->frames += n;
	rig->out = rig->track_out = (Out){ n, false, 0 };

	EtEngineAudio audio = { rig->in_l, rig->in_r,
				rig->in_place ? rig->in_l : rig->out_l,
				rig->in_place ? rig->in_r : rig->out_r };
	if (dry) {
		switch (missing % 4u) {
		case 0: audio.in_l = NULL; break;
		case 1: audio.in_r = NULL; break;
		case 2: audio.out_l = NULL; break;
		default: audio.out_r = NULL; break;
		}
	}
	const EtSink sink       = { emit, &rig->out };
	const EtSink track_sink = { emit, &rig->track_out };
#ifdef FUZZ_TRACE
	const bool baseline = e->restored;
#endif
	et_engine_begin(e, rig->control, n, &audio, &sink, &track_sink);
#ifdef FUZZ_TRACE
	const EtLooperControls *c = &e->looper_controls.loop;
	fprintf(stderr,
		"%sblock %u (after %llu frames): arm %d mute %d overdub %d "
		"quantize %d bars %u clear %d level %g monitor %d%s; "
		"control channel %g; state %d length %u\n",
		dry ? "dry " : "", n, (unsigned long long)(rig->frames - n),
		c->arm, c->mute, c->overdub, c->quantize, c->bars, c->clear,
		c->level_db, c->monitor, baseline ? " (baseline)" : "",
		et_engine_control(e, ET_PORT_CONTROL_CHANNEL),
		et_looper_state(et_engine_active_loop(e)),
		et_looper_length(et_engine_active_loop(e)));
	trace_loops(rig);
#endif
	follow_silence(rig);
}

/* After an event: what the engine rendered up to it, with the controls it
 * had before, then the controls the event may have changed. */
static void
after_event(Rig *rig)
{
	check_rendered(rig);
	follow_silence(rig);
	check_looper(rig);
#ifdef FUZZ_TRACE
	const EtLooper *l = et_engine_active_loop(&rig->engine);
	fprintf(stderr, "    at %u, rendered to %u: state %d length %u%s%s\n",
		rig->engine.at, rig->engine.rendered, et_looper_state(l),
		et_looper_length(l), rig->silent_mode ? ", silent" : "",
		rig->engine.looper_controls.loop.arm ? ", arm" : "");
	trace_loops(rig);
#endif
}

/* A position at block frame `at` (the engine moves it into the block, in
 * order, if it is not). */
static void
position_at(Rig *rig, FuzzInput *in, int64_t at)
{
	EtEngine      *e    = &rig->engine;
	const uint32_t last = rig->n ? rig->n - 1 : 0;
	/* Where the transport is there, for a position that continues it. */
	const uint32_t here = at < (int64_t)e->at  ? e->at
			      : at > (int64_t)last ? last
						   : (uint32_t)at;
	EtPosition     p;
	read_position(rig, in, here, &p);
#ifdef FUZZ_TRACE
	fprintf(stderr,
		"  position at %lld: frame %d:%lld speed %d:%g bpm %d:%g "
		"bpb %d:%g bar %d:%lld beat %d:%g\n",
		(long long)at, p.has_frame, (long long)p.frame, p.has_speed,
		p.speed, p.has_bpm, p.bpm, p.has_beats_per_bar,
		p.beats_per_bar, p.has_bar, (long long)p.bar, p.has_bar_beat,
		p.bar_beat);
#endif
	et_engine_position(e, at, &p);
	after_event(rig);
}

static void
op_block(Rig *rig, FuzzInput *in)
{
	end_block(rig); /* before its input is overwritten */
	const uint32_t n = fuzz_u16(in) % (MAX_BLOCK + 1);
	fill_audio(rig, in, n);
	begin_block(rig, n, false, 0);

	const unsigned positions = fuzz_u8(in) % 4u;
	const uint32_t last      = n ? n - 1 : 0;
	for (unsigned k = 0; k < positions; ++k) {
		const uint32_t t = rig->engine.at + fuzz_u16(in);
		position_at(rig, in, t > last ? last : t);
	}
}

static void
op_dry_block(Rig *rig, FuzzInput *in)
{
	const uint32_t n = fuzz_u16(in) % (MAX_BLOCK + 1);
	begin_block(rig, n, true, fuzz_u8(in));
}

/* An event's frame: a step from the latest event's frame, backwards too
 * (a late event, which the engine moves up). */
static int64_t
event_frame(const Rig *rig, FuzzInput *in)
{
	return (int64_t)rig->engine.at + (int16_t)fuzz_u16(in);
}

static void
op_position(Rig *rig, FuzzInput *in)
{
	const int64_t at = event_frame(rig, in);
	if (!rig->open) {
		EtPosition p;
		read_position(rig, in, 0, &p); /* read, and dropped */
		return;
	}
	position_at(rig, in, at);
}

static void
send_midi(Rig *rig, int64_t at, const uint8_t *msg, uint32_t size)
{
#ifdef FUZZ_TRACE
	fprintf(stderr, "  midi at %lld:", (long long)at);
	for (uint32_t i = 0; i < size; ++i) {
		fprintf(stderr, " %02x", msg[i]);
	}
	fprintf(stderr, "%s\n", rig->open ? "" : " (no block: dropped)");
#endif
	if (rig->open) {
		et_engine_midi(&rig->engine, at, msg, size);
		after_event(rig);
	}
}

/* Any MIDI message, well formed or not (the router's and the control
 * map's to judge). */
static void
op_midi(Rig *rig, FuzzInput *in)
{
	const int64_t at = event_frame(rig, in);
	uint32_t      size;
	uint8_t      *msg = fuzz_midi_message(in, &size);
	send_midi(rig, at, size ? msg : msg + 1, size);
	free(msg);
}

/* A note on the control channel (channel 16 while it is off): one of the
 * keys that act (loop arm, mute, clear, a track), or any key; a note-on,
 * or with bit 7 of the velocity byte a note-off. */
static void
op_note(Rig *rig, FuzzInput *in)
{
	static const uint8_t keys[LOOPER_KEY_COUNT] = {
		[LOOPER_KEY_ARM]    = ET_CONTROL_NOTE_LOOP_ARM,
		[LOOPER_KEY_MUTE]   = ET_CONTROL_NOTE_LOOP_MUTE,
		[LOOPER_KEY_CLEAR]  = ET_CONTROL_NOTE_LOOP_CLEAR,
		[LOOPER_KEY_TRACK1] = ET_CONTROL_NOTE_TRACK_FIRST,
		[LOOPER_KEY_TRACK2] = ET_CONTROL_NOTE_TRACK_FIRST + 1,
		[LOOPER_KEY_TRACK8] = ET_CONTROL_NOTE_TRACK_FIRST + 7,
		[LOOPER_KEY_UNDO]   = ET_CONTROL_NOTE_LOOP_UNDO,
		[LOOPER_KEY_REDO]   = ET_CONTROL_NOTE_LOOP_REDO,
		[LOOPER_KEY_TRACK3] = ET_CONTROL_NOTE_TRACK_FIRST + 2,
		[LOOPER_KEY_TRACK4] = ET_CONTROL_NOTE_TRACK_FIRST + 3,
		[LOOPER_KEY_TRACK5] = ET_CONTROL_NOTE_TRACK_FIRST + 4,
		[LOOPER_KEY_TRACK6] = ET_CONTROL_NOTE_TRACK_FIRST + 5,
		[LOOPER_KEY_TRACK7] = ET_CONTROL_NOTE_TRACK_FIRST + 6
	};
	const int64_t at       = event_frame(rig, in);
	const uint8_t sel      = fuzz_u8(in);
	const uint8_t velocity = fuzz_u8(in);
	const uint8_t channel =
	    (uint8_t)et_engine_control(&rig->engine, ET_PORT_CONTROL_CHANNEL);
	const uint8_t key    = sel < 0xF0 ? keys[sel % LOOPER_KEY_COUNT]
					  : (uint8_t)((sel & 0x0F) * 8 + 7);
	const uint8_t msg[3] = { (uint8_t)(((velocity & 0x80) ? 0x80 : 0x90) |
					   (channel ? channel - 1 : 15)),
				 key, (uint8_t)(velocity & 0x7F) };
	send_midi(rig, at, msg, 3);
}

/* Another event that holds a place in the order (a UI message: untimed). */
static void
op_other(Rig *rig, FuzzInput *in)
{
	const int64_t at    = event_frame(rig, in);
	const bool    timed = fuzz_u8(in) & 1;
	if (rig->open) {
		et_engine_other(&rig->engine, at, timed);
		after_event(rig);
	}
}

/* A port by its index: any value (a control input's is read at the next
 * block's start; another port's never is), or disconnected (a control
 * input reads as its default). */
static void
op_port(Rig *rig, FuzzInput *in)
{
	const uint32_t index = fuzz_u8(in) % ET_PORT_COUNT;
	const uint8_t  mode  = fuzz_u8(in);
	if (mode & 2) {
		rig->control[index] = NULL;
		return;
	}
	rig->control[index] = &rig->port[index];
	rig->port[index] =
	    (mode & 1) ? fuzz_f32(in) : (float)(int8_t)fuzz_u8(in);
}

/* A loop as a session holds it (see op_load). */
typedef struct {
	uint32_t length;
	double   exact;
	bool     anchored;
	int64_t  start;
	double   start_exact;
	bool     fresh; /* into fresh recorders, as restore() does it */
} LoadSpec;

static void
read_load(const Rig *rig, FuzzInput *in, LoadSpec *spec)
{
	const uint8_t mode = fuzz_u8(in);
	switch (mode & 3) {
	case 0: spec->length = fuzz_u8(in); break;
	case 1: spec->length = rig->capacity - (fuzz_u8(in) % 4u) + 1u; break;
	default: spec->length = fuzz_u32(in) % (rig->capacity + 2u); break;
	}
	spec->exact    = (mode & 4)
			     ? fuzz_f64(in)
			     : (double)spec->length + (int8_t)fuzz_u8(in) / 64.0;
	spec->anchored = mode & 8;
	/* state.c hands over any int64 a session holds; kept in the envelope
	 * (START_SHIFT) for the known bug of far frames. */
	spec->start       = (mode & 16) ? (int64_t)fuzz_u64(in) >> START_SHIFT
					: (int64_t)(int16_t)fuzz_u16(in);
	spec->start_exact = (mode & 32)
				? fuzz_f64(in)
				: (double)spec->start - fuzz_u8(in) / 512.0;
	spec->fresh       = mode & 64;
}

/* Loads the loop into track t's looper of `loops`; true if it loaded.  A
 * loop that fits (0 < length <= capacity) fails to load only when the
 * other loops hold the pool, at its limit: the looper is then empty.  One
 * that does not fit leaves the looper as it was. */
static bool
load_into(const Rig *rig, EtRecorders *loops, unsigned t, const LoadSpec *sp)
{
	EtLooper *looper = et_recorders_loop(loops, t);
	/* Buffers of exactly the frames the looper may read. */
	const uint32_t have = sp->length <= rig->capacity ? sp->length : 1;
	float         *l    = (float *)malloc(sizeof(float) * have);
	float         *r    = (float *)malloc(sizeof(float) * have);
	FUZZ_CHECK(l && r);
	for (uint32_t i = 0; i < have; ++i) {
		l[i] = (float)((i + t) % 97) / 97.0f;
		r[i] = -l[i];
	}
#ifdef FUZZ_TRACE
	fprintf(stderr,
		"load %u frames, exact %.17g, anchored %d, start %lld, "
		"start exact %.17g%s",
		sp->length, sp->exact, sp->anchored, (long long)sp->start,
		sp->start_exact, sp->fresh ? ", fresh recorders" : "");
	if (t > 0) {
		fprintf(stderr, " (track %u)", t + 1);
	}
	fprintf(stderr, "\n");
#endif
	const EtLoopState before = et_looper_state(looper);
	const bool        fits = sp->length > 0 && sp->length <= rig->capacity;
	const bool        ok =
	    et_looper_load(looper, l, r, sp->length, sp->exact, sp->anchored,
			   sp->start, sp->start_exact);
	FUZZ_CHECK(!ok || fits);
	if (ok) {
		FUZZ_CHECK(et_looper_state(looper) == ET_LOOP_PLAYING);
		FUZZ_CHECK(et_looper_length(looper) == sp->length);
		FUZZ_CHECK(et_looper_undo_steps(looper) == 0 &&
			   et_looper_redo_steps(looper) == 0);
	} else if (fits) {
		FUZZ_CHECK(et_store_chunk_count(et_recorders_store(loops)) ==
			   chunks_for(rig->pool));
		FUZZ_CHECK(et_looper_state(looper) == ET_LOOP_EMPTY);
	} else {
		FUZZ_CHECK(et_looper_state(looper) == before);
	}
	free(l);
	free(r);
	return ok;
}

static EtRecorders *
fresh_recorders(const Rig *rig)
{
	EtRecorders *loops = et_engine_new_recorders_capacity(
	    rig->rate, rig->capacity, rig->pool);
	FUZZ_CHECK(loops != NULL);
	return loops;
}

/* Hands the engine recorders restore() built; the old ones are freed once
 * run() no longer reads them: here, at once. */
static void
hand_over(Rig *rig, EtRecorders *loops)
{
	et_recorders_free(et_engine_swap_recorders(&rig->engine, loops));
	forget_store(rig);
	FUZZ_CHECK(rig->engine.recorders == loops);
	check_looper(rig);
}

/* The restore path, between blocks.  restore() builds fresh recorders
 * (here of the harness's sizes), loads each saved loop into its track's
 * looper with et_looper_load() and hands them to the engine; the next
 * block takes its controls as baseline.  The harness also loads into a
 * loop of the recorders the engine holds, in place, between blocks
 * (et_looper_load()'s own contract: it lets go of whatever that looper
 * held, a take under way included), and the engine goes on with them.
 * (It no longer hands them back for a baseline, as it did with one
 * looper: a baseline with the arm off over recorders where another loop
 * still records leaves that take without its disarm, a state restore()'s
 * fresh recorders never have.)  LOOPER_OP_LOAD loads into track 1's loop,
 * LOOPS_LOAD into any. */
static void
load_track(Rig *rig, FuzzInput *in, unsigned t)
{
	EtEngine *e = &rig->engine;
	end_block(rig);
	rig->started = true;
	LoadSpec spec;
	read_load(rig, in, &spec);
	if (spec.fresh) {
		EtRecorders *loops = fresh_recorders(rig);
		/* Into fresh recorders a loop that fits always loads. */
		FUZZ_CHECK(load_into(rig, loops, t, &spec) ==
			   (spec.length > 0 && spec.length <= rig->capacity));
		hand_over(rig, loops);
	} else {
		load_into(rig, e->recorders, t, &spec);
		check_looper(rig);
	}
}

static void
op_load(Rig *rig, FuzzInput *in)
{
	load_track(rig, in, 0);
}

/* restore() of a session with a loop on each track of `mask`: fresh
 * recorders, the loops loaded in track order (the first that fits always
 * loads; a later one may find the pool at its limit), handed over. */
static void
op_restore(Rig *rig, FuzzInput *in)
{
	end_block(rig);
	rig->started        = true;
	const uint8_t mask  = fuzz_u8(in);
	EtRecorders  *loops = fresh_recorders(rig);
	bool          first = true;
	for (unsigned t = 0; t < ET_TRACK_COUNT; ++t) {
		if (!(mask & (1u << t))) {
			continue;
		}
		LoadSpec spec;
		read_load(rig, in, &spec);
		const bool fits =
		    spec.length > 0 && spec.length <= rig->capacity;
		const bool ok = load_into(rig, loops, t, &spec);
		FUZZ_CHECK(!(first && fits) || ok);
		first = first && !fits;
	}
	hand_over(rig, loops);
}

/* Before any block or load, the pool's limit: from the capacity (the
 * plugin's: one full loop fills it) to the default two loops' worth. */
static void
op_pool(Rig *rig, FuzzInput *in)
{
	const uint16_t v = fuzz_u16(in);
	if (rig->started) {
		return;
	}
	const uint32_t most = default_pool(rig->capacity);
	rig->pool           = rig->capacity +
		    (uint32_t)((uint64_t)v * (most - rig->capacity) / 65535u);
	/* Nothing has happened to the engine yet: built again, it is the same
	 * but for its pool. */
	et_engine_free(&rig->engine);
	FUZZ_CHECK(et_engine_init_capacity(&rig->engine, rig->rate,
					   rig->capacity, rig->pool));
	rig->seen_store = NULL;
	check_looper(rig);
}

/* The ports of the eight loops: the active track, undo and redo, the
 * master mute and each track's loop mute and level; any value. */
static void
op_loop_port(Rig *rig, FuzzInput *in)
{
	const unsigned sel = fuzz_u8(in) % (7u + 2u * ET_TRACK_COUNT);
	uint32_t       index;
	switch (sel) {
	case 0: index = ET_PORT_ACTIVE_TRACK; break;
	case 1: index = ET_PORT_LOOP_UNDO; break;
	case 2: index = ET_PORT_LOOP_REDO; break;
	case 3: index = ET_PORT_LOOP_MUTE; break;
	case 4: index = ET_PORT_LATENCY_OFFSET; break;
	case 6: index = ET_PORT_CALIBRATE; break; /* test notes, any input */
	case 5: { /* a measured round trip, as calibration or a state gives */
		const unsigned track = fuzz_u8(in) % ET_TRACK_COUNT;
		et_engine_set_measured_latency(&rig->engine, track,
					       fuzz_f32(in));
		return;
	}
	default:
		index = sel < 7u + ET_TRACK_COUNT
			    ? et_track_loop_port(sel - 7u, ET_TRACK_LOOP_MUTE)
			    : et_track_loop_port(sel - 7u - ET_TRACK_COUNT,
						 ET_TRACK_LOOP_LEVEL);
		break;
	}
	const uint8_t mode  = fuzz_u8(in);
	rig->control[index] = &rig->port[index];
	rig->port[index] =
	    (mode & 1) ? fuzz_f32(in) : (float)(int8_t)fuzz_u8(in);
}

/* What a flood does at each step. */
enum {
	FLOOD_TRACK = 0, /* twice as likely */
	FLOOD_ARM   = 2, /* twice as likely */
	FLOOD_UNDO  = 4,
	FLOOD_REDO,
	FLOOD_CLEAR,
	FLOOD_MUTE,
	FLOOD_KINDS
};

/* A flood of loop actions on any track: count u8 (1..32), step u8, mode
 * u8 (bit0: by ports, each followed by a block of `step` frames; else by
 * notes on the control channel, `step` frames apart in the open block;
 * bit1: on the active track alone, arms in place of track changes, so that
 * passes pile up undo steps on one loop), seed u16: a small generator
 * picks each action (a track, arm, undo, redo, clear, mute). */
static void
op_flood(Rig *rig, FuzzInput *in)
{
	const unsigned count = 1u + fuzz_u8(in) % 32u;
	const uint8_t  step  = fuzz_u8(in);
	const uint8_t  mode  = fuzz_u8(in);
	const bool     ports = mode & 1;
	const bool     one   = mode & 2;
	uint32_t       x     = fuzz_u16(in);
	const uint8_t  channel =
	    (uint8_t)et_engine_control(&rig->engine, ET_PORT_CONTROL_CHANNEL);
	for (unsigned k = 0; k < count; ++k) {
		x             = x * 1103515245u + 12345u;
		unsigned kind = (x >> 16) % FLOOD_KINDS;
		if (one && kind < FLOOD_ARM) {
			kind = FLOOD_ARM;
		}
		const unsigned track = (x >> 24) % ET_TRACK_COUNT;
		if (!ports) {
			static const uint8_t keys[FLOOD_KINDS] = {
				0,
				0,
				ET_CONTROL_NOTE_LOOP_ARM,
				ET_CONTROL_NOTE_LOOP_ARM,
				ET_CONTROL_NOTE_LOOP_UNDO,
				ET_CONTROL_NOTE_LOOP_REDO,
				ET_CONTROL_NOTE_LOOP_CLEAR,
				ET_CONTROL_NOTE_LOOP_MUTE
			};
			const uint8_t key =
			    kind < FLOOD_ARM
				? (uint8_t)(ET_CONTROL_NOTE_TRACK_FIRST +
					    track)
				: keys[kind];
			const uint8_t msg[3] = {
				(uint8_t)(0x90 | (channel ? channel - 1 : 15)),
				key, 100
			};
			send_midi(rig, (int64_t)rig->engine.at + step, msg, 3);
			continue;
		}
		uint32_t index;
		switch (kind) {
		case FLOOD_UNDO: index = ET_PORT_LOOP_UNDO; break;
		case FLOOD_REDO: index = ET_PORT_LOOP_REDO; break;
		case FLOOD_CLEAR: index = ET_PORT_LOOP_CLEAR; break;
		case FLOOD_MUTE: index = ET_PORT_LOOP_MUTE; break;
		default:
			index = kind < FLOOD_ARM ? ET_PORT_ACTIVE_TRACK
						 : ET_PORT_LOOP_ARM;
			break;
		}
		rig->control[index] = &rig->port[index];
		if (index == ET_PORT_ACTIVE_TRACK) {
			rig->port[index] = (float)(track + 1);
		} else { /* toggled: arm's edges, and the triggers' */
			rig->port[index] =
			    rig->port[index] > 0.0f ? 0.0f : 1.0f;
		}
		end_block(rig); /* before its input is overwritten */
		for (uint32_t i = 0; i < step; ++i) {
			rig->in_l[i] = (float)(k + 1) / 64.0f;
			rig->in_r[i] = -(float)(i + 1) / 256.0f;
		}
		begin_block(rig, step, false, 0);
	}
}

/* How the worker answers the next requests: mode u8, bits 0-5 the
 * blocks it takes (0: before the next block), bits 6-7 what it does (0
 * and 1 a segment, 2 a failure, 3 no answer ever). */
static void
op_worker(Rig *rig, FuzzInput *in)
{
	const uint8_t mode = fuzz_u8(in);
	rig->worker_delay  = mode & 0x3F;
	switch (mode >> 6) {
	case 2: rig->worker_kind = WORKER_FAIL; break;
	case 3: rig->worker_kind = WORKER_NEVER; break;
	default: rig->worker_kind = WORKER_SEGMENT; break;
	}
}

static void
op_loops(Rig *rig, FuzzInput *in)
{
	switch (fuzz_u8(in) % LOOPS_OP_COUNT) {
	case LOOPS_OP_PORT: op_loop_port(rig, in); break;
	case LOOPS_OP_FLOOD: op_flood(rig, in); break;
	case LOOPS_OP_LOAD: {
		const unsigned t = fuzz_u8(in) % ET_TRACK_COUNT;
		load_track(rig, in, t);
		break;
	}
	case LOOPS_OP_RESTORE: op_restore(rig, in); break;
	case LOOPS_OP_POOL: op_pool(rig, in); break;
	}
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static Rig rig; /* 128 KB of audio and the engine: not on the stack */
	FuzzInput  in = { data, size };
	rig.rate = rates[fuzz_u8(&in) % (sizeof(rates) / sizeof(rates[0]))];
	rig.capacity = 1u + fuzz_u16(&in);
	rig.ramp     = et_looper_ramp_frames(rig.rate);
	rig.pool     = default_pool(rig.capacity);
	FUZZ_CHECK(et_engine_init_capacity(&rig.engine, rig.rate, rig.capacity,
					   rig.pool));
	for (uint32_t i = 0; i < ET_PORT_COUNT; ++i) {
		rig.port[i]    = et_ports[i].fallback;
		rig.control[i] = &rig.port[i];
	}
	rig.started       = false;
	rig.blocks        = 0;
	rig.worker_kind   = WORKER_SEGMENT;
	rig.worker_delay  = 0;
	rig.n_req         = 0;
	rig.seen_store    = NULL;
	rig.silent_mode   = false;
	rig.silent_frames = 0;
	rig.frames        = 0;
	rig.open          = false;
	check_looper(&rig);

	while (!fuzz_done(&in) && rig.frames < MAX_FRAMES) {
		switch (looper_op(fuzz_u8(&in))) {
		case LOOPER_OP_CONTROL: {
			static const uint32_t ports[] = {
				ET_PORT_LOOP_ARM,     ET_PORT_LOOP_MUTE,
				ET_PORT_LOOP_OVERDUB, ET_PORT_LOOP_QUANTIZE,
				ET_PORT_LOOP_BARS,    ET_PORT_LOOP_CLEAR,
				ET_PORT_LOOP_LEVEL,   ET_PORT_MONITOR
			};
			const uint32_t index = ports[fuzz_u8(&in) % 8u];
			const uint8_t  mode  = fuzz_u8(&in);
			rig.port[index]      = (mode & 1)
						   ? fuzz_f32(&in)
						   : (float)(int8_t)fuzz_u8(&in);
			break;
		}
		case LOOPER_OP_BLOCK: op_block(&rig, &in); break;
		case LOOPER_OP_LOAD: op_load(&rig, &in); break;
		case LOOPER_OP_MIDI: op_midi(&rig, &in); break;
		case LOOPER_OP_NOTE: op_note(&rig, &in); break;
		case LOOPER_OP_POSITION: op_position(&rig, &in); break;
		case LOOPER_OP_PORT: op_port(&rig, &in); break;
		case LOOPER_OP_OTHER: op_other(&rig, &in); break;
		case LOOPER_OP_DRY_BLOCK: op_dry_block(&rig, &in); break;
		case LOOPER_OP_LOOPS: op_loops(&rig, &in); break;
		case LOOPER_OP_WORKER: op_worker(&rig, &in); break;
		}
	}
	end_block(&rig);
	et_engine_free(&rig.engine);
	return 0;
}
