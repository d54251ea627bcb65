/* libFuzzer harness of the looper and the transport clock
 * (plugin/core/looper.c, plugin/core/clock.c), driven as the glue's run()
 * drives them: controls once per block (sanitized like the ports),
 * et_clock_begin_block(), then the block rendered span by span with
 * et_clock_apply() at each position's frame.  The fuzzer picks the sample rate
 * (1 Hz .. 1 MHz, as instantiate() accepts), a small capacity (1..65536
 * frames, so that a full buffer is reachable), block sizes 0..8192, positions
 * (frame, speed, tempo, meter, bar, barBeat: sane ones, or any finite value,
 * as the glue drops non-finite fields and clamps frames and bars to +-4.6e18),
 * control changes, input audio (finite, |x| <= 1e4: louder input would
 * overflow float on its own in enough overdubs) and the restore path
 * (et_looper_load with any length and placement, then the baseline).
 *
 * Invariants (abort() on violation), after every span:
 * - the loop length never exceeds the capacity; the state is a valid enum;
 *   the position is finite and in [0, 1]; a loop view agrees with the
 *   length and has an exact length within a frame of it;
 * - every output sample is finite;
 * - with monitor off and mute on, the output is exactly zero once
 *   LOOPER_SILENT_AFTER frames have been rendered in that setting;
 * - et_looper_load() succeeds exactly for 0 < length <= capacity;
 * - nothing reads or writes out of bounds (ASan), no undefined behaviour
 *   (UBSan), no hang (libFuzzer's -timeout). */
#include "fuzz_common.h"

#include "clock.h"
#include "engine.h"
#include "looper.h"
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

typedef struct {
	EtLooper *looper;
	EtClock   clock;
	double    rate;
	uint32_t  capacity;
	uint32_t  ramp;
	float     port[ET_PORT_COUNT];
	bool      restored; /* the next block takes its controls as baseline */
	bool      silent_mode;   /* mute on and monitor off in this block */
	uint64_t  silent_frames; /* rendered since silent_mode began */
	uint64_t  frames;        /* rendered in all */
	float     in_l[MAX_BLOCK], in_r[MAX_BLOCK];
	float     out_l[MAX_BLOCK], out_r[MAX_BLOCK];
} Rig;

/* The looper's controls as the engine reads them from the ports
 * (et_engine_looper_controls), each port sanitized as run() does it. */
static EtLooperControls
read_controls(const Rig *rig)
{
	float values[ET_PORT_COUNT];
	for (uint32_t i = 0; i < ET_PORT_COUNT; ++i) {
		values[i] = et_port_sanitize(i, rig->port[i]);
	}
	EtLooperControls c;
	et_engine_looper_controls(values, &c);
	return c;
}

static void
check_looper(const Rig *rig)
{
	const EtLooper   *l     = rig->looper;
	const EtLoopState state = et_looper_state(l);
	FUZZ_CHECK(state >= ET_LOOP_EMPTY && state <= ET_LOOP_OVERDUBBING);
	FUZZ_CHECK(et_looper_capacity(l) == rig->capacity);
	const uint32_t length = et_looper_length(l);
	FUZZ_CHECK(length <= rig->capacity);
	const double pos = et_looper_position(l);
	FUZZ_CHECK(isfinite(pos) && pos >= 0.0 && pos <= 1.0);

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

static void
process(Rig *rig, uint32_t from, uint32_t to, bool in_place)
{
	if (to <= from) {
		return;
	}
	float *ol  = in_place ? rig->in_l : rig->out_l;
	float *or_ = in_place ? rig->in_r : rig->out_r;
	et_looper_process(rig->looper, &rig->clock, rig->in_l, rig->in_r, ol,
			  or_, from, to - from);
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
					    et_looper_state(rig->looper));
				}
#endif
				FUZZ_CHECK(ol[i] == 0.0f && or_[i] == 0.0f);
			}
			++rig->silent_frames;
		}
	}
	rig->frames += to - from;
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
			const int64_t here =
			    et_clock_transport_frame(&rig->clock, block_frame);
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

static void
op_block(Rig *rig, FuzzInput *in)
{
	const uint32_t n        = fuzz_u16(in) % (MAX_BLOCK + 1);
	const bool     in_place = n & 1; /* hosts may alias in and out */
	fill_audio(rig, in, n);

	const EtLooperControls c = read_controls(rig);
	if (rig->restored) {
		et_looper_set_baseline(rig->looper, &c);
		rig->restored = false;
	} else {
		et_looper_set_controls(rig->looper, &c);
	}
#ifdef FUZZ_TRACE
	fprintf(stderr,
		"block %u (after %llu frames): arm %d mute %d overdub %d "
		"quantize %d bars %u clear %d level %g monitor %d%s; state %d "
		"length %u\n",
		n, (unsigned long long)rig->frames, c.arm, c.mute, c.overdub,
		c.quantize, c.bars, c.clear, c.level_db, c.monitor,
		rig->restored ? " (baseline)" : "",
		et_looper_state(rig->looper), et_looper_length(rig->looper));
#endif
	const bool silent = c.mute && !c.monitor;
	if (!silent || !rig->silent_mode) {
		rig->silent_frames = 0;
	}
	rig->silent_mode = silent;

	et_clock_begin_block(&rig->clock, n);
	const unsigned positions = fuzz_u8(in) % 4u;
	const uint32_t last      = n ? n - 1 : 0;
	uint32_t       at = 0, rendered = 0;
	for (unsigned k = 0; k < positions; ++k) {
		uint32_t t = at + fuzz_u16(in);
		at         = t > last ? last : t;
		EtPosition p;
		read_position(rig, in, at, &p);
		const uint32_t until = at < n ? at : n;
#ifdef FUZZ_TRACE
		fprintf(
		    stderr,
		    "  position at %u: frame %d:%lld speed %d:%g bpm %d:%g "
		    "bpb %d:%g bar %d:%lld beat %d:%g\n",
		    until, p.has_frame, (long long)p.frame, p.has_speed,
		    p.speed, p.has_bpm, p.bpm, p.has_beats_per_bar,
		    p.beats_per_bar, p.has_bar, (long long)p.bar,
		    p.has_bar_beat, p.bar_beat);
#endif
		process(rig, rendered, until, in_place);
		rendered = until;
		et_clock_apply(&rig->clock, until, &p);
	}
	process(rig, rendered, n, in_place);
}

/* The restore path: state.c reads a loop and hands it to a new looper
 * through et_looper_load(); run() then takes its controls as baseline. */
static void
op_load(Rig *rig, FuzzInput *in)
{
	const uint8_t mode = fuzz_u8(in);
	uint32_t      length;
	switch (mode & 3) {
	case 0: length = fuzz_u8(in); break;
	case 1: length = rig->capacity - (fuzz_u8(in) % 4u) + 1u; break;
	default: length = fuzz_u32(in) % (rig->capacity + 2u); break;
	}
	const double exact    = (mode & 4)
				    ? fuzz_f64(in)
				    : (double)length + (int8_t)fuzz_u8(in) / 64.0;
	const bool   anchored = mode & 8;
	/* state.c hands over any int64 a session holds; kept in the envelope
	 * (START_SHIFT) for the known bug of far frames. */
	const int64_t start = (mode & 16)
				  ? (int64_t)fuzz_u64(in) >> START_SHIFT
				  : (int64_t)(int16_t)fuzz_u16(in);
	const double  start_exact =
            (mode & 32) ? fuzz_f64(in) : (double)start - fuzz_u8(in) / 512.0;

	if (mode & 64) { /* a fresh looper, as restore() builds */
		et_looper_free(rig->looper);
		rig->looper = et_looper_new(rig->rate, rig->capacity);
		FUZZ_CHECK(rig->looper != NULL);
	}
	/* Buffers of exactly the frames the looper may read. */
	const uint32_t have = length <= rig->capacity ? length : 1;
	float         *l    = (float *)malloc(sizeof(float) * have);
	float         *r    = (float *)malloc(sizeof(float) * have);
	FUZZ_CHECK(l && r);
	for (uint32_t i = 0; i < have; ++i) {
		l[i] = (float)(i % 97) / 97.0f;
		r[i] = -l[i];
	}
#ifdef FUZZ_TRACE
	fprintf(stderr,
		"load %u frames, exact %.17g, anchored %d, start %lld, "
		"start exact %.17g%s\n",
		length, exact, anchored, (long long)start, start_exact,
		(mode & 64) ? ", fresh looper" : "");
#endif
	const EtLoopState before = et_looper_state(rig->looper);
	const bool        ok = et_looper_load(rig->looper, l, r, length, exact,
					      anchored, start, start_exact);
	FUZZ_CHECK(ok == (length > 0 && length <= rig->capacity));
	if (ok) {
		FUZZ_CHECK(et_looper_state(rig->looper) == ET_LOOP_PLAYING);
		FUZZ_CHECK(et_looper_length(rig->looper) == length);
		rig->restored = true;
	} else {
		FUZZ_CHECK(et_looper_state(rig->looper) == before);
	}
	free(l);
	free(r);
	check_looper(rig);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static Rig rig; /* 128 KB of audio: not on the stack */
	FuzzInput  in = { data, size };
	rig.rate = rates[fuzz_u8(&in) % (sizeof(rates) / sizeof(rates[0]))];
	rig.capacity = 1u + fuzz_u16(&in);
	rig.ramp     = et_looper_ramp_frames(rig.rate);
	rig.looper   = et_looper_new(rig.rate, rig.capacity);
	FUZZ_CHECK(rig.looper != NULL);
	et_clock_init(&rig.clock, rig.rate);
	for (uint32_t i = 0; i < ET_PORT_COUNT; ++i) {
		rig.port[i] = et_ports[i].fallback;
	}
	rig.restored      = false;
	rig.silent_mode   = false;
	rig.silent_frames = 0;
	rig.frames        = 0;
	check_looper(&rig);

	while (!fuzz_done(&in) && rig.frames < MAX_FRAMES) {
		switch (fuzz_u8(&in) % LOOPER_OP_COUNT) {
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
		}
	}
	et_looper_free(rig.looper);
	rig.looper = NULL;
	return 0;
}
