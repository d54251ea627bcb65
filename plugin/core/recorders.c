/* The eight loops behind one output (see recorders.h for the rules). */
#include "recorders.h"

#include "ports.h"
#include "touch.h"

#include <math.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>

/* Frames of input copied at a time when in and out are the same buffers:
 * 8 KiB of stack-free scratch, touched at creation. */
#define SCRATCH_FRAMES 1024u

struct EtRecorders {
	EtLoopStore *store;
	EtLooper    *loop[ET_TRACK_COUNT];
	/* The last controls seen: the edges of arm, clear, undo and redo are
	 * found against them. */
	EtRecorderControls ctl;
	int                armed; /* the track whose loop has the arm, or -1 */
	bool listening[ET_TRACK_COUNT]; /* keeps the input's history */
	int  listener; /* the active track when last looked, or -1 */
	int  held; /* the armed loop, held while another's pass ends, or -1 */
	float *scratch_l, *scratch_r;
	/* Loops that only play are mixed in one pass (render_in_order);
	 * off only in the test that holds it to loop by loop. */
	/* Bit t: loop t was idle (et_looper_idle) when last rendered, and
	 * nothing has been asked of it since: skipped without a look.  Any
	 * control, trigger or outside access clears it. */
	uint8_t asleep;
	bool    mix_plain;
	/* The plain spans gathered for one pass over the output
	 * (render_in_order), written by write_pending(): at once, or, for
	 * et_recorders_process_deferred(), when the block's other work is
	 * done. */
	struct {
		EtLoopMix base, mix[ET_LOOP_MIX_MAX];
		bool      has_base;
		unsigned  count;
		float    *out_l, *out_r;
		uint32_t  n;
	} pending;
	uint32_t mixed; /* spans of loops mixed so, for the test */
	/* Each track's measured round trip, a float's bits (NaN: never
	 * measured): run() writes it, save() reads it from its thread. */
	_Atomic uint32_t measured_ms[ET_TRACK_COUNT];
};

static void update_listening(EtRecorders *r);

EtRecorderControls
et_recorders_default_controls(void)
{
	EtRecorderControls c = { .loop = et_looper_default_controls() };
	c.active             = (uint8_t)(ET_PORT_DEFAULT(ACTIVE_TRACK) - 1.0f);
	for (unsigned t = 0; t < ET_TRACK_COUNT; ++t) {
		c.track_mute[t]     = ET_PORT_DEFAULT_AT(et_track_loop_port(
					  t, ET_TRACK_LOOP_MUTE)) > 0.0f;
		c.track_level_db[t] = ET_PORT_DEFAULT_AT(
		    et_track_loop_port(t, ET_TRACK_LOOP_LEVEL));
	}
	return c;
}

/* The store has no free chunk: the oldest undo step of any loop goes
 * (interface.md: undo steps go before a take is cut short). */
static bool
reclaim_oldest_step(void *ctx)
{
	EtRecorders *r      = ctx;
	EtLooper    *oldest = NULL;
	uint32_t     serial = 0;
	for (unsigned t = 0; t < ET_TRACK_COUNT; ++t) {
		const uint32_t s = et_looper_oldest_undo_serial(r->loop[t]);
		if (s != 0 && (!oldest || s < serial)) {
			oldest = r->loop[t];
			serial = s;
		}
	}
	return oldest && et_looper_drop_oldest_undo(oldest);
}

EtRecorders *
et_recorders_new(double sample_rate, uint32_t capacity_frames,
		 uint32_t first_frames, uint32_t limit_frames)
{
	EtRecorders *r = calloc(1, sizeof *r);
	if (!r)
		return NULL;
	r->store = et_store_new(capacity_frames, first_frames, limit_frames,
				ET_TRACK_COUNT);
	/* Aligned as the loops' chunks are: the kernels read the input from
	 * here when the host runs in place. */
	r->scratch_l = et_store_alloc(2u * SCRATCH_FRAMES * sizeof(float));
	if (!r->store || !r->scratch_l) {
		et_recorders_free(r);
		return NULL;
	}
	r->scratch_r = r->scratch_l + SCRATCH_FRAMES;
	r->mix_plain = true;
	for (unsigned t = 0; t < ET_TRACK_COUNT; ++t)
		et_recorders_set_measured(r, t, NAN);
	et_touch(r->scratch_l, 2u * SCRATCH_FRAMES * sizeof(float));
	et_store_set_reclaim(r->store, reclaim_oldest_step, r);
	for (unsigned t = 0; t < ET_TRACK_COUNT; ++t) {
		r->loop[t] = et_looper_new_in(sample_rate, r->store, t);
		if (!r->loop[t]) {
			et_recorders_free(r);
			return NULL;
		}
		/* Loop 1 renders first, with the monitor; the others add. */
		et_looper_set_mixing(r->loop[t], t > 0);
	}
	r->ctl      = et_recorders_default_controls();
	r->armed    = -1;
	r->listener = -1;
	r->held     = -1;
	update_listening(r);
	return r;
}

void
et_recorders_free(EtRecorders *r)
{
	if (!r)
		return;
	for (unsigned t = 0; t < ET_TRACK_COUNT; ++t)
		et_looper_free(r->loop[t]);
	et_store_free(r->store);
	free(r->scratch_l);
	free(r);
}

/* What loop t is told: the arm only if it has it, the masters combined
 * with its track's mute and level, the monitor only on the first. */
static EtLooperControls
loop_controls(const EtRecorders *r, unsigned t)
{
	const EtRecorderControls *c  = &r->ctl;
	EtLooperControls          lc = c->loop;
	lc.arm                       = r->armed == (int)t;
	lc.mute                      = c->loop.mute || c->track_mute[t];
	lc.level_db                  = c->loop.level_db + c->track_level_db[t];
	lc.clear                     = false;
	return lc;
}

/* The loops that may start a take keep the input's history: the active
 * track's (an arm goes there) and the one that has the arm.  One that
 * starts listening takes the history of one that was. */
static void
update_listening(EtRecorders *r)
{
	const unsigned active = r->ctl.active % ET_TRACK_COUNT;
	for (unsigned t = 0; t < ET_TRACK_COUNT; ++t) {
		const bool on = t == active || r->armed == (int)t;
		if (on && !r->listening[t] && r->listener >= 0)
			et_looper_copy_history(r->loop[t],
					       r->loop[r->listener]);
		r->listening[t] = on;
		et_looper_set_listening(r->loop[t], on);
	}
	r->listener = (int)active;
}

/* The arm follows the latched value (it was `was`): on, it goes to the
 * active track's loop; off, the loop that has it lets it go (its
 * disarm). */
static void
follow_arm(EtRecorders *r, bool was)
{
	if (r->ctl.loop.arm == was)
		return;
	r->armed = r->ctl.loop.arm ? (int)r->ctl.active % ET_TRACK_COUNT : -1;
}

static bool
same_controls(const EtRecorderControls *a, const EtRecorderControls *b)
{
	const EtLooperControls *x = &a->loop, *y = &b->loop;
	if (x->arm != y->arm || x->mute != y->mute ||
	    x->overdub != y->overdub || x->quantize != y->quantize ||
	    x->bars != y->bars || x->clear != y->clear ||
	    x->level_db != y->level_db || x->monitor != y->monitor ||
	    a->active != b->active || a->undo != b->undo || a->redo != b->redo)
		return false;
	for (unsigned t = 0; t < ET_TRACK_COUNT; ++t)
		if (a->track_mute[t] != b->track_mute[t] ||
		    a->track_level_db[t] != b->track_level_db[t])
			return false;
	return true;
}

void
et_recorders_set_controls(EtRecorders *r, const EtRecorderControls *c)
{
	/* Most blocks change nothing: eight loopers need not hear it. */
	if (same_controls(c, &r->ctl))
		return;
	const EtRecorderControls was = r->ctl;
	r->ctl                       = *c;
	r->asleep                    = 0;
	follow_arm(r, was.loop.arm);
	update_listening(r);
	for (unsigned t = 0; t < ET_TRACK_COUNT; ++t) {
		const EtLooperControls lc = loop_controls(r, t);
		et_looper_set_controls(r->loop[t], &lc);
	}
	/* loop_clear's 0->1 edge clears the active track's loop. */
	if (c->loop.clear && !was.loop.clear)
		et_recorders_trigger_clear(r);
	if (c->undo && !was.undo)
		et_recorders_trigger_undo(r);
	if (c->redo && !was.redo)
		et_recorders_trigger_redo(r);
}

void
et_recorders_set_baseline(EtRecorders *r, const EtRecorderControls *c)
{
	r->asleep = 0;
	r->ctl    = *c;
	r->armed  = c->loop.arm ? (int)c->active % ET_TRACK_COUNT : -1;
	update_listening(r);
	for (unsigned t = 0; t < ET_TRACK_COUNT; ++t) {
		const EtLooperControls lc = loop_controls(r, t);
		et_looper_set_baseline(r->loop[t], &lc);
	}
}

void
et_recorders_trigger_clear(EtRecorders *r)
{
	r->asleep = 0;
	et_looper_trigger_clear(r->loop[r->ctl.active % ET_TRACK_COUNT]);
}

/* Holds loop t (or none, -1) and lets the one held before go. */
static void
hold(EtRecorders *r, int t)
{
	if (r->held == t)
		return;
	if (r->held >= 0)
		et_looper_set_hold(r->loop[r->held], false);
	if (t >= 0)
		et_looper_set_hold(r->loop[t], true);
	r->held = t;
}

/* The loops not asleep, a bit each (loop t is bit t): most blocks have one
 * or none, and an asleep loop is empty and idle, so it neither renders nor
 * has a pass under way. */
static unsigned
awake(const EtRecorders *r)
{
	return ~(unsigned)r->asleep & ((1u << ET_TRACK_COUNT) - 1u);
}

/* The lowest loop of a set of awake() bits (not empty). */
static unsigned
lowest(unsigned bits)
{
#if defined(__GNUC__)
	return (unsigned)__builtin_ctz(bits);
#else
	unsigned t = 0;
	while (!(bits >> t & 1u))
		++t;
	return t;
#endif
}

/* The loop other than the armed one whose pass is still under way (a
 * disarmed take or pass waiting for its quantize point), or -1. */
static int
finishing(const EtRecorders *r)
{
	for (unsigned bits = awake(r); bits; bits &= bits - 1u) {
		const unsigned t = lowest(bits);
		if ((int)t != r->armed && et_looper_passing(r->loop[t]))
			return (int)t;
	}
	return -1;
}

static void
flush_pending(EtRecorders *r)
{
	et_looper_mix(r->pending.out_l, r->pending.out_r, r->pending.n,
		      r->pending.has_base ? &r->pending.base : NULL,
		      r->pending.mix, r->pending.count);
	r->pending.has_base = false;
	r->pending.count    = 0;
}

/* Writes the plain spans gathered so far, if there are any (a look, in
 * line, where there are none: three times a block). */
static inline void
write_pending(EtRecorders *r)
{
	if (r->pending.has_base || r->pending.count > 0)
		flush_pending(r);
}

/* Every loop in turn, the first writing the output and the others adding
 * to it.  Loops whose span is plain (et_looper_plain_span: empty, or
 * playing at rest) are mixed together in one pass over the output
 * (et_looper_mix), in their order: before a loop that renders itself,
 * what the ones before it play goes out first, so every frame gets the
 * same sums in the same order as loop by loop.  The last such pass is
 * left pending, for the caller to write (write_pending). */
static void
render_in_order(EtRecorders *r, const EtClock *clk, uint32_t block_offset,
		const float *in_l, const float *in_r, float *out_l,
		float *out_r, uint32_t n)
{
	r->pending.out_l = out_l;
	r->pending.out_r = out_r;
	r->pending.n     = n;
	/* What a finished save held (the loopers that render do it too, but
	 * plain ones do not). */
	et_store_collect(r->store);
	/* In the loops' order; one that falls asleep here only clears its
	 * own bit. */
	for (unsigned bits = awake(r); bits; bits &= bits - 1u) {
		const unsigned t   = lowest(bits);
		EtLooper      *l   = r->loop[t];
		const uint8_t  bit = (uint8_t)(1u << t);
		if (et_looper_idle(l)) {
			r->asleep |= bit;
			continue;
		}
		/* A plain span's part goes straight to its place: loop 0
		 * writes the output (the base), the others add to it.  (A copy
		 * of it, read wider than its fields were just written, would
		 * wait for them to reach the cache.) */
		EtLoopMix *part = t == 0 ? &r->pending.base
					 : &r->pending.mix[r->pending.count];
		if (r->mix_plain &&
		    et_looper_plain_span(l, clk, block_offset, in_l, in_r, n,
					 part)) {
			++r->mixed;
			if (part->sets) {
				if (part != &r->pending.base) /* never so */
					r->pending.base = *part;
				r->pending.has_base = true;
			} else if (part->l)
				++r->pending.count;
			continue;
		}
		write_pending(r);
		et_looper_process_span(l, clk, block_offset, in_l, in_r, out_l,
				       out_r, n);
	}
	/* The last pass is left for the caller to write. */
}

static void
render(EtRecorders *r, const EtClock *clk, uint32_t block_offset,
       const float *in_l, const float *in_r, float *out_l, float *out_r,
       uint32_t n)
{
	const int p = r->armed >= 0 ? finishing(r) : -1;
	hold(r, p >= 0 ? r->armed : -1);
	if (p < 0) {
		render_in_order(r, clk, block_offset, in_l, in_r, out_l, out_r,
				n);
		return;
	}
	/* One pass at a time: the armed loop waits until the pass under way
	 * ends, and may start on that very frame.  So that pass is rendered
	 * first; the output (the monitor) is laid down here and every loop
	 * adds to it. */
	const bool monitor = r->ctl.loop.monitor;
	for (uint32_t i = 0; i < n; ++i) {
		out_l[i] = monitor ? in_l[i] : 0.0f;
		out_r[i] = monitor ? in_r[i] : 0.0f;
	}
	et_looper_set_mixing(r->loop[0], true);
	et_looper_process_span(r->loop[p], clk, block_offset, in_l, in_r,
			       out_l, out_r, n);
	const uint32_t end = et_looper_pass_end(r->loop[p]);
	const uint32_t at  = end < block_offset + n ? end - block_offset : n;
	for (unsigned t = 0; t < ET_TRACK_COUNT; ++t) {
		if ((int)t == p)
			continue;
		if ((int)t != r->held || at == n) {
			et_looper_process_span(r->loop[t], clk, block_offset,
					       in_l, in_r, out_l, out_r, n);
			continue;
		}
		et_looper_process_span(r->loop[t], clk, block_offset, in_l,
				       in_r, out_l, out_r, at);
		hold(r, -1); /* the pass ended here: the input is free */
		et_looper_process_span(r->loop[t], clk, block_offset + at,
				       in_l + at, in_r + at, out_l + at,
				       out_r + at, n - at);
	}
	et_looper_set_mixing(r->loop[0], false);
}

void
et_recorders_process(EtRecorders *r, const EtClock *clk, const float *in_l,
		     const float *in_r, float *out_l, float *out_r,
		     uint32_t block_offset, uint32_t n)
{
	et_recorders_process_deferred(r, clk, in_l, in_r, out_l, out_r,
				      block_offset, n);
	write_pending(r);
}

void
et_recorders_write_pending(EtRecorders *r)
{
	write_pending(r);
}

void
et_recorders_process_deferred(EtRecorders *r, const EtClock *clk,
			      const float *in_l, const float *in_r,
			      float *out_l, float *out_r,
			      uint32_t block_offset, uint32_t n)
{
	/* What the span before left pending goes out first: this one adds
	 * to it. */
	write_pending(r);
	in_l += block_offset;
	in_r += block_offset;
	out_l += block_offset;
	out_r += block_offset;
	/* The first loop writes out; the others add to it, and a take on any
	 * of them reads the input: in must survive the first. */
	const bool shared =
	    in_l == out_l || in_l == out_r || in_r == out_l || in_r == out_r;
	if (!shared) {
		render(r, clk, block_offset, in_l, in_r, out_l, out_r, n);
		return;
	}
	for (uint32_t done = 0; done < n;) {
		const uint32_t m =
		    n - done < SCRATCH_FRAMES ? n - done : SCRATCH_FRAMES;
		/* The last piece's pending pass reads the scratch copy. */
		write_pending(r);
		memcpy(r->scratch_l, in_l + done, sizeof(float) * m);
		memcpy(r->scratch_r, in_r + done, sizeof(float) * m);
		render(r, clk, block_offset + done, r->scratch_l, r->scratch_r,
		       out_l + done, out_r + done, m);
		done += m;
	}
}

void
et_recorders_trigger_undo(EtRecorders *r)
{
	r->asleep = 0;
	et_looper_trigger_undo(r->loop[r->ctl.active % ET_TRACK_COUNT]);
}

void
et_recorders_trigger_redo(EtRecorders *r)
{
	r->asleep = 0;
	et_looper_trigger_redo(r->loop[r->ctl.active % ET_TRACK_COUNT]);
}

EtLooper *
et_recorders_loop(EtRecorders *r, unsigned track)
{
	r->asleep = 0; /* whoever asks may change it */
	return r->loop[track % ET_TRACK_COUNT];
}

const EtLooper *
et_recorders_loop_const(const EtRecorders *r, unsigned track)
{
	return r->loop[track % ET_TRACK_COUNT];
}

const EtLooper *
et_recorders_active(const EtRecorders *r)
{
	return r->loop[r->ctl.active % ET_TRACK_COUNT];
}

int
et_recorders_armed(const EtRecorders *r)
{
	return r->armed;
}

bool
et_recorders_passing(const EtRecorders *r)
{
	for (unsigned t = 0; t < ET_TRACK_COUNT; ++t)
		if (et_looper_passing(r->loop[t]))
			return true;
	return false;
}

EtLoopStore *
et_recorders_store(EtRecorders *r)
{
	return r->store;
}

void
et_recorders_states(const EtRecorders *r, float state[ET_TRACK_COUNT])
{
	/* An asleep loop was empty and idle, and nothing has touched it
	 * since: it need not be looked at (one cache line fewer each).  The
	 * floats are written here, not converted from an array of states by
	 * the caller: its wider loads over these narrow stores could not take
	 * their data from them (they would wait for the stores to reach the
	 * cache, behind every store before them). */
	for (unsigned t = 0; t < ET_TRACK_COUNT; ++t)
		state[t] = (r->asleep >> t) & 1u
			       ? (float)ET_LOOP_EMPTY
			       : (float)et_looper_state(r->loop[t]);
}

EtLoopCounts
et_recorders_counts(const EtRecorders *r)
{
	EtLoopCounts n = { 0, 0, 0, 0 };
	for (unsigned t = 0; t < ET_TRACK_COUNT; ++t) {
		const EtLoopCounts c = et_looper_counts(r->loop[t]);
		n.rejected += c.rejected;
		n.denormals += c.denormals;
		n.pool_full += c.pool_full;
		n.undo_refused += c.undo_refused;
	}
	return n;
}

#define SUM_OVER_LOOPS(name, fn)                                              \
	uint32_t name(const EtRecorders *r)                                   \
	{                                                                     \
		uint32_t sum = 0;                                             \
		for (unsigned t = 0; t < ET_TRACK_COUNT; ++t)                 \
			sum += fn(r->loop[t]);                                \
		return sum;                                                   \
	}
SUM_OVER_LOOPS(et_recorders_rejected, et_looper_rejected)
SUM_OVER_LOOPS(et_recorders_denormals, et_looper_denormals)
SUM_OVER_LOOPS(et_recorders_pool_full, et_looper_pool_full)
SUM_OVER_LOOPS(et_recorders_undo_refused, et_looper_undo_refused)
#undef SUM_OVER_LOOPS

void
et_recorders_set_measured(EtRecorders *r, unsigned track, float ms)
{
	uint32_t bits;
	memcpy(&bits, &ms, sizeof bits);
	atomic_store(&r->measured_ms[track], bits);
}

float
et_recorders_measured(const EtRecorders *r, unsigned track)
{
	const uint32_t bits = atomic_load(&r->measured_ms[track]);
	float          ms;
	memcpy(&ms, &bits, sizeof ms);
	return ms;
}

void
et_recorders_set_lag(EtRecorders *r, unsigned track, uint32_t frames)
{
	et_looper_set_lag(r->loop[track], frames);
}

void
et_recorders_mix_plain(EtRecorders *r, bool on)
{
	r->mix_plain = on;
}

uint32_t
et_recorders_mixed(const EtRecorders *r)
{
	return r->mixed;
}
