/* The looper's state machine: controls and their edges, the loop's grid,
 * takes, overdub passes, clears and the transport's jumps, and the
 * versions they leave (looper.h says what it promises).  The audio itself
 * is rendered by looper_render.c. */
#include "looper.h"
#include "looper_private.h"
#include "touch.h"
#include "loopstore.h"
#include "ports.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

/* EV_UNIT: a take passes a quantize boundary (its whole units so far).
 * EV_FULL: a take stops because the store is full (loopstore.h: old
 * versions a save still holds), before its longest length. */
/* EV_START: an ARMED take or pass starts at its quantize point;
 * EV_START_NOW: one that would have started at once when armed, held till
 * now (et_looper_set_hold). */
typedef enum {
	EV_NONE,
	EV_START,
	EV_START_NOW,
	EV_STOP,
	EV_UNIT,
	EV_FULL,
	EV_WRITE_START, /* a lagging take's writer reaches its first frame */
	EV_WRITE_END    /* a lagging writer has written all it owed */
} EventKind;

typedef struct {
	EventKind kind;
	int64_t   ahead; /* frames from now */
	double    exact; /* exact time of the boundary it quantizes */
} Event;

/* The ports' defaults, read as the glue reads the ports.  Taken from the
 * port list as constants: the looper is also built without the port table
 * (the state fuzzer, test_host_torn). */
EtLooperControls
et_looper_default_controls(void)
{
	static const EtLooperControls c = {
		.arm      = ET_PORT_DEFAULT(LOOP_ARM) > 0.0f,
		.mute     = ET_PORT_DEFAULT(LOOP_MUTE) > 0.0f,
		.overdub  = ET_PORT_DEFAULT(LOOP_OVERDUB) > 0.0f,
		.quantize = (EtQuantize)ET_PORT_DEFAULT(LOOP_QUANTIZE),
		.bars     = (uint32_t)ET_PORT_DEFAULT(LOOP_BARS),
		.clear    = ET_PORT_DEFAULT(LOOP_CLEAR) > 0.0f,
		.level_db = ET_PORT_DEFAULT(LOOP_LEVEL),
		.monitor  = ET_PORT_DEFAULT(MONITOR) > 0.0f,
	};
	return c;
}

/* Whole frames in `seconds` at `rate`, at least `least`: NaN and tiny
 * rates give `least`; from 2^22 frames (1.05e9 Hz for the ramp; no host's:
 * the glue refuses rates above 1e6) up to infinity it saturates at 2^22
 * rather than convert a double beyond uint32_t (undefined). */
static uint32_t
frames_in(double rate, double seconds, uint32_t least)
{
	const double frames = floor(rate * seconds);
	return frames >= (double)least
		   ? (frames < 4194304.0 ? (uint32_t)frames : 4194304u)
		   : least;
}

uint32_t
et_looper_ramp_frames(double sample_rate)
{
	return frames_in(sample_rate, ET_LOOPER_RAMP_SECONDS, 1);
}

static EtLooperControls
sanitize(const EtLooperControls *c)
{
	EtLooperControls s = *c;
	if (s.quantize != ET_QUANTIZE_OFF && s.quantize != ET_QUANTIZE_BEAT)
		s.quantize = ET_QUANTIZE_BAR;
	if (s.bars > (uint32_t)ET_PORT_MAXIMUM(LOOP_BARS))
		s.bars = (uint32_t)ET_PORT_MAXIMUM(LOOP_BARS);
	if (isnan(s.level_db))
		s.level_db = ET_PORT_DEFAULT(LOOP_LEVEL);
	s.level_db = fminf(fmaxf(s.level_db, ET_LOOPER_LEVEL_MIN_DB),
			   ET_LOOPER_LEVEL_MAX_DB);
	return s;
}

static float
level_gain(float db)
{
	/* 0 dB is the common case and must be exactly unity. */
	return db == 0.0f ? 1.0f : powf(10.0f, db / 20.0f);
}

EtLooper *
et_looper_new(double sample_rate, uint32_t capacity_frames)
{
	/* Room for two whole loops: a take that replaces a full loop while
	 * that loop is still what save() writes, plus a chunk each for the
	 * partial last chunks. */
	const uint64_t two =
	    2u * ((uint64_t)capacity_frames + ET_STORE_CHUNK_FRAMES);
	const uint32_t pool = two < UINT32_MAX ? (uint32_t)two : UINT32_MAX;
	return et_looper_new_pool(sample_rate, capacity_frames, pool, pool);
}

EtLooper *
et_looper_new_pool(double sample_rate, uint32_t capacity_frames,
		   uint32_t first_frames, uint32_t limit_frames)
{
	if (capacity_frames == 0 || !(sample_rate > 0.0))
		return NULL;
	EtLoopStore *store =
	    et_store_new(capacity_frames, first_frames, limit_frames, 1);
	EtLooper *l = store ? et_looper_new_in(sample_rate, store, 0) : NULL;
	if (!l) {
		et_store_free(store);
		return NULL;
	}
	l->owns_store = true;
	return l;
}

EtLooper *
et_looper_new_in(double sample_rate, EtLoopStore *store, uint32_t loop)
{
	if (!store || loop >= et_store_loops(store) || !(sample_rate > 0.0))
		return NULL;
	EtLooper *l = calloc(1, sizeof *l);
	if (!l)
		return NULL;
	const uint32_t ramp            = et_looper_ramp_frames(sample_rate);
	l->store                       = store;
	l->loop                        = loop;
	const uint32_t capacity_frames = et_store_max_frames(store);
	/* The four seam buffers of `ramp` frames each, in one block. */
	l->hist_l = malloc(sizeof(float) * ramp * 4);
	l->cur = l->base = l->take = l->prev = l->tail_v = ET_NO_VERSION;
	if (!l->store || !l->hist_l) {
		et_looper_free(l);
		return NULL;
	}
	et_touch(l->hist_l, sizeof(float) * ramp * 4);
	l->hist_r    = l->hist_l + ramp;
	l->pre_l     = l->hist_r + ramp;
	l->pre_r     = l->pre_l + ramp;
	l->rate      = sample_rate;
	l->capacity  = capacity_frames;
	l->ramp      = ramp;
	l->ctl       = et_looper_default_controls();
	l->listening = true;
	l->state     = ET_LOOP_EMPTY;
	l->pass_end  = UINT32_MAX;
	l->level = l->level_target = 1.0f;
	return l;
}

void
et_looper_free(EtLooper *l)
{
	if (!l)
		return;
	if (l->owns_store)
		et_store_free(l->store);
	free(l->hist_l);
	free(l);
}

void
et_looper_set_controls(EtLooper *l, const EtLooperControls *c)
{
	const EtLooperControls s = sanitize(c);
	if (s.arm && !l->ctl.arm) {
		l->arm_edge    = true;
		l->disarm_edge = false;
	} else if (!s.arm && l->ctl.arm) {
		/* An arm and disarm both unseen by process() cancel out,
		 * back to what came before the arm: a disarm, if the arm was
		 * on when process() last looked (off, on, off is one off). */
		if (l->arm_edge) {
			l->arm_edge    = false;
			l->disarm_edge = l->seen_arm;
		} else {
			l->disarm_edge = true;
		}
	}
	if (s.clear && !l->ctl.clear)
		l->clear_edge = true;
	const float target = level_gain(s.level_db);
	if (target != l->level_target) {
		l->level_target = target;
		l->level_left   = l->ramp;
		l->level_step   = (target - l->level) / (float)l->ramp;
	}
	l->ctl   = s;
	l->fresh = true;
}

void
et_looper_trigger_clear(EtLooper *l)
{
	l->clear_edge = true;
	l->fresh      = true;
}

void
et_looper_set_baseline(EtLooper *l, const EtLooperControls *c)
{
	l->ctl      = sanitize(c);
	l->arm_edge = l->disarm_edge = l->clear_edge = false;
	l->seen_arm                                  = l->ctl.arm;
	l->level = l->level_target = level_gain(l->ctl.level_db);
	l->level_left              = 0;
}

/* ---- the loop's grid ---------------------------------------------------*/

/* Repetition m starts at quantize_frame(start_exact + m * exact_length);
 * m comes from t itself, so nothing accumulates over repetitions.  The
 * estimate is off by at most one; where doubles can no longer tell m from
 * m + 1 (a transport frame far beyond any real session) the steps are
 * capped and the repetition simply starts at t, so run() stays bounded. */
#define REPETITION_STEPS 8

static void
find_repetition(const EtLooper *l, int64_t t, int64_t *start, int64_t *next)
{
	const double x = l->start_exact, len = l->exact_length;
	double       m     = floor(((double)t - x) / len);
	int64_t      s     = et_clock_quantize_frame(x + m * len);
	int          steps = 0;
	while (s > t && steps++ < REPETITION_STEPS) {
		m -= 1.0;
		s = et_clock_quantize_frame(x + m * len);
	}
	int64_t n = et_clock_quantize_frame(x + (m + 1.0) * len);
	while (n <= t && steps++ < 2 * REPETITION_STEPS) {
		m += 1.0;
		s = n;
		n = et_clock_quantize_frame(x + (m + 1.0) * len);
	}
	if (s > t || n <= t) {
		s = t;
		n = t + (int64_t)l->length;
	}
	*start = s;
	*next  = n;
}

/* The index at t in the repetition [rep_start, rep_next), found again
 * only when t leaves it. */
static uint32_t
index_in(const EtLooper *l, bool *valid, int64_t *rep_start, int64_t *rep_next,
	 int64_t t, uint32_t *span)
{
	if (!*valid || t < *rep_start || t >= *rep_next) {
		find_repetition(l, t, rep_start, rep_next);
		*valid = true;
	}
	const int64_t rep_len = *rep_next - *rep_start;
	*span = rep_len < (int64_t)l->length ? (uint32_t)rep_len : l->length;
	return (uint32_t)(t - *rep_start);
}

uint32_t
et_looper_index_at(EtLooper *l, int64_t t, uint32_t *span)
{
	return index_in(l, &l->rep_valid, &l->rep_start, &l->rep_next, t,
			span);
}

uint32_t
et_looper_writer_index_at(EtLooper *l, int64_t t, uint32_t *span)
{
	return index_in(l, &l->w_rep_valid, &l->w_rep_start, &l->w_rep_next, t,
			span);
}

/* ---- versions ----------------------------------------------------------*/

/* Lets go of the version *v holds, if any. */
static void
let_go(EtLooper *l, EtVersion *v)
{
	et_store_drop(l->store, *v);
	*v = ET_NO_VERSION;
}

/* ---- undo and redo ------------------------------------------------------*/

/* Lets go of the oldest step of a stack (n > 0). */
static void
drop_oldest(EtLooper *l, EtVersion *stack, uint32_t *n)
{
	et_store_drop(l->store, stack[0]);
	memmove(stack, stack + 1, sizeof(*stack) * (*n - 1));
	--*n;
}

/* Pushes v (a hold the caller gives up) on a stack; a full stack lets its
 * oldest go. */
static void
push_step(EtLooper *l, EtVersion *stack, uint32_t *n, EtVersion v)
{
	if (*n == ET_LOOPER_UNDO_STEPS)
		drop_oldest(l, stack, n);
	stack[(*n)++] = v;
}

static void
drop_all(EtLooper *l, EtVersion *stack, uint32_t *n)
{
	while (*n > 0)
		et_store_drop(l->store, stack[--*n]);
}

static void
drop_redo(EtLooper *l)
{
	drop_all(l, l->redo, &l->redo_n);
}

/* A new take, pass or clear: what the loop was becomes an undo step (the
 * caller's hold on `before` moves to it), and what was undone is gone. */
static void
new_step(EtLooper *l, EtVersion before)
{
	push_step(l, l->undo, &l->undo_n, before);
	drop_redo(l);
}

bool
et_looper_drop_oldest_undo(EtLooper *l)
{
	if (l->undo_n == 0)
		return false;
	drop_oldest(l, l->undo, &l->undo_n);
	return true;
}

uint32_t
et_looper_oldest_undo_serial(const EtLooper *l)
{
	for (uint32_t i = 0; i < l->undo_n; ++i)
		if (l->undo[i] != ET_NO_VERSION)
			return et_store_serial(l->store, l->undo[i]);
	return 0;
}

void
et_looper_trigger_undo(EtLooper *l)
{
	l->undo_edge = true;
	l->fresh     = true;
}

void
et_looper_trigger_redo(EtLooper *l)
{
	l->redo_edge = true;
	l->fresh     = true;
}

uint32_t
et_looper_undo_steps(const EtLooper *l)
{
	return l->undo_n;
}

uint32_t
et_looper_redo_steps(const EtLooper *l)
{
	return l->redo_n;
}

uint32_t
et_looper_undo_refused(const EtLooper *l)
{
	return l->undo_refused;
}

/* The loop's place in time, kept with its version and read back. */
static void
save_place(EtLooper *l, EtVersion v)
{
	EtLoopPlace *p  = et_store_place(l->store, v);
	p->length       = l->length;
	p->exact_length = l->exact_length;
	p->anchored     = l->anchored;
	p->start        = l->start;
	p->start_exact  = l->start_exact;
}

static void
load_place(EtLooper *l, EtVersion v)
{
	const EtLoopPlace *p = et_store_place(l->store, v);
	l->length            = p->length;
	l->exact_length      = p->exact_length;
	l->anchored          = p->anchored;
	l->start             = p->start;
	l->start_exact       = p->start_exact;
	l->rep_valid         = false;
	l->w_rep_valid       = false;
}

void
et_looper_end_tail(EtLooper *l)
{
	l->tail_left = 0;
	let_go(l, &l->tail_v);
}

/* ---- state changes -----------------------------------------------------*/

/* Lets the current playback ring out over a ramp from the frame after the
 * last one played.  The tail reads ahead of any new take written from
 * sample 0 and stops at the end of the buffer, where the seam is silent. */
static void
fade_out_playback(EtLooper *l)
{
	if (!l->voice_on || l->length == 0 || l->last_k + 1 >= l->length)
		return;
	/* The tail holds what it reads: it may outlive the loop. */
	let_go(l, &l->tail_v);
	l->tail_v = l->cur;
	et_store_hold(l->store, l->tail_v);
	l->tail_idx  = l->last_k + 1;
	l->tail_len  = l->length;
	l->tail_gain = 1.0f;
	l->tail_left = l->env; /* from env/ramp at the ramp's slope: a jump in
				* a mute ramp ends when the mute would have */
}

/* Playback restarts, or pauses, from a new place: fade the old one out and
 * bring the main voice in from silence. */
static void
jump_playback(EtLooper *l)
{
	fade_out_playback(l);
	l->env         = 0;
	l->voice_on    = false;
	l->rep_valid   = false;
	l->w_rep_valid = false;
}

static int64_t
time_in(const EtLooper *l, bool anchored, int64_t tf)
{
	return anchored ? tf : l->counter;
}

/* The pre-roll, oldest first, for the seam's cross-fade: the input that
 * came in just before the take's first sample was written. */
static void
take_pre_roll(EtLooper *l)
{
	const uint32_t r = l->ramp, h = l->hist_head;
	memcpy(l->pre_l, l->hist_l + h, sizeof(float) * (r - h));
	memcpy(l->pre_l + (r - h), l->hist_l, sizeof(float) * h);
	memcpy(l->pre_r, l->hist_r + h, sizeof(float) * (r - h));
	memcpy(l->pre_r + (r - h), l->hist_r, sizeof(float) * h);
}

/* ---- round-trip compensation: the lagging writer ------------------------
 *
 * A take or pass with a lag writes the input that arrives at t into its
 * place for t - lag (looper_render.c: et_looper_write_lagged), so it
 * starts writing lag frames after it starts and goes on for lag frames
 * after it ends; only then is its version complete and published. */

static void crossfade_seam(EtLooper *l, EtVersion v);

/* A take or pass starting now takes the lag set for its track. */
static void
start_writer(EtLooper *l, bool take, bool anchored)
{
	l->rec_lag     = l->lag;
	l->writing     = l->rec_lag > 0;
	l->w_take      = take;
	l->w_anchored  = anchored;
	l->w_started   = false;
	l->w_ending    = false;
	l->wr_pos      = 0;
	l->w_rep_valid = false;
}

/* Silence into frames [from, to) of version v, as far as the pool has
 * chunks for it (and the longest loop goes); returns the frame reached. */
static uint32_t
write_silence(EtLooper *l, EtVersion v, uint32_t from, uint32_t to)
{
	while (from < to) {
		const float   *sl, *sr;
		float         *dl, *dr;
		const uint32_t n = et_store_write(l->store, v, from, to - from,
						  &sl, &sr, &dl, &dr);
		if (n == 0)
			break;
		memset(dl, 0, sizeof(float) * n);
		memset(dr, 0, sizeof(float) * n);
		from += n;
	}
	return from;
}

/* Frames of silence into the take from the writer's place up to `to`
 * (the frames a dropout missed, or what a stop never let come back), as
 * far as the pool lets it. */
void
et_looper_writer_silence(EtLooper *l, uint32_t to)
{
	if (l->wr_pos >= to)
		return;
	write_silence(l, l->w_ending ? l->cur : l->take, l->wr_pos, to);
	l->wr_pos = to; /* where no chunk was, it reads as silence */
}

/* An ended take or pass whose writer still owes frames is made complete
 * now (a stop, a jump, an undo, a clear or a new take or pass on this
 * loop): a take gets silence where its input had not come back yet, its
 * seam and its place; then its version is what save() writes. */
static void
finish_writer(EtLooper *l)
{
	if (!l->writing)
		return;
	l->writing = false;
	if (!l->w_ending)
		return; /* a take or pass under way: its own end decides */
	if (l->w_take) {
		if (!l->w_started) { /* nothing came back: a silent pre-roll */
			memset(l->pre_l, 0, sizeof(float) * l->ramp * 2u);
		}
		et_looper_writer_silence(l, l->length);
		crossfade_seam(l, l->cur);
	} else {
		et_store_settle(l->store, l->cur);
	}
	et_store_publish(l->store, l->loop, l->cur);
}

void
et_looper_writer_started(EtLooper *l)
{
	take_pre_roll(l);
	l->w_started = true;
}

void
et_looper_writer_full(EtLooper *l)
{
	if (!l->w_take && l->state == ET_LOOP_OVERDUBBING) {
		l->pool_full++;
		et_looper_end_overdub(l); /* the pass ends where it is */
	} else if (l->w_ending) {
		l->pool_full++;
		finish_writer(l); /* the rest reads as silence */
	}
	/* else a take: its room is gone, so it ends (and is counted) at its
	 * next event, as a full take does */
}

void
et_looper_set_lag(EtLooper *l, uint32_t frames)
{
	const uint32_t max = et_looper_max_lag(l->rate);
	l->lag             = frames < max ? frames : max;
}

bool
et_looper_changing(const EtLooper *l)
{
	return l->state == ET_LOOP_OVERDUBBING || (l->writing && l->w_ending);
}

uint32_t
et_looper_lag(const EtLooper *l)
{
	return l->lag;
}

uint32_t
et_looper_max_lag(double rate)
{
	return frames_in(rate, ET_LOOPER_MAX_LAG_SECONDS, 0);
}

static void
begin_take(EtLooper *l, const EtClock *clk, bool anchored, int64_t tf,
	   double exact)
{
	finish_writer(l);
	const EtVersion take = et_store_begin(l->store);
	if (take == ET_NO_VERSION) { /* (never: the slots outnumber uses) */
		l->state = l->length > 0 ? ET_LOOP_PLAYING : ET_LOOP_EMPTY;
		return;
	}
	/* A replacing take: the old loop fades out as the new one starts,
	 * and stays what save() writes until the take is complete. */
	if (l->length > 0) {
		fade_out_playback(l);
		let_go(l, &l->prev);
		l->prev   = l->cur; /* the looper's hold moves with it */
		l->cur    = ET_NO_VERSION;
		l->length = 0;
	}
	l->take = take;
	start_writer(l, true, anchored);
	if (!l->writing)
		take_pre_roll(l);
	l->rec_anchored    = anchored;
	l->rec_start       = time_in(l, anchored, tf);
	l->rec_start_exact = anchored ? exact : (double)l->rec_start;
	l->rec_start_beats = et_clock_beats_at(clk, exact);
	l->rec_pos         = 0;
	l->rec_whole       = 0;
	l->rec_whole_exact = l->rec_start_exact;
	l->stop_pending    = false;
	l->state           = ET_LOOP_RECORDING;
}

/* The take's last frames cross-fade into the pre-roll, so that the frame
 * before each seam leads into sample 0 as the input did when it was
 * played; sample 0, the downbeat, is never touched.  Written into the
 * loop, so that what is saved is what plays.  The curve's slope is 0 at
 * both ends, so the fade adds no corner of its own. */
float
et_looper_seam_weight(uint32_t i, uint32_t frames)
{
	/* A smoothstep, x^2 (3 - 2x): flat at both ends like a raised cosine,
	 * with no libm call in run(). */
	const float x = (float)(i + 1) / (float)(frames + 1);
	return x * x * (3.0f - 2.0f * x);
}

void
et_looper_fade_out_end(float *left, float *right, uint32_t length,
		       double sample_rate)
{
	const uint32_t r =
	    seam_length(et_looper_ramp_frames(sample_rate), length);
	for (uint32_t i = 0; i < r; ++i) {
		const float g = 1.0f - et_looper_seam_weight(i, r);
		left[length - r + i] *= g;
		right[length - r + i] *= g;
	}
}

static void
crossfade_seam(EtLooper *l, EtVersion v)
{
	const uint32_t r     = seam_frames(l, l->length);
	const uint32_t first = l->length - r, pre = l->ramp - r;
	for (uint32_t i = 0; i < r; ++i) {
		const float  w = et_looper_seam_weight(i, r);
		const float *sl, *sr;
		float       *a, *b;
		if (et_store_write(l->store, v, first + i, 1, &sl, &sr, &a,
				   &b) == 0)
			continue; /* (never: the take owns these frames) */
		*a = *sl * (1.0f - w) + l->pre_l[pre + i] * w;
		*b = *sr * (1.0f - w) + l->pre_r[pre + i] * w;
	}
}

/* A replacing take that kept nothing: the loop it was to replace plays
 * on (fading in where it is), as if the take had never started. */
static void
give_back(EtLooper *l)
{
	l->cur  = l->prev;
	l->prev = ET_NO_VERSION;
	load_place(l, l->cur);
	l->last_k   = 0;
	l->env      = 0;
	l->voice_on = false;
	l->state    = ET_LOOP_PLAYING;
}

/* A loop shorter than its lag plays samples before the writer gets to
 * them: silence there, not what the pool's chunks held before (at most
 * 0.5 s, once a take). */
static void
silence_ahead(EtLooper *l)
{
	write_silence(l, l->cur, l->wr_pos, l->length);
}

static void
end_take(EtLooper *l, double exact_end)
{
	l->stop_pending = false;
	/* A stop point passed during a dropout (or a lowered loop_bars): the
	 * take ends there, not where rendering has got to. */
	const int64_t end = et_clock_quantize_frame(exact_end) - l->rec_start;
	if (end >= 0 && end < (int64_t)l->rec_pos)
		l->rec_pos = (uint32_t)end;
	if (l->rec_pos == 0) {
		l->writing = false;
		let_go(l, &l->take);
		if (l->prev != ET_NO_VERSION)
			give_back(l);
		else
			l->state = ET_LOOP_EMPTY;
		return;
	}
	l->length = l->rec_pos;
	if (!l->writing)
		crossfade_seam(l, l->take);
	l->last_k =
	    0; /* not the replaced loop's place: it may lie past the end */
	l->anchored    = l->rec_anchored;
	l->start       = l->rec_start;
	l->start_exact = l->rec_start_exact;
	/* Both ends quantize to whole frames, so the exact length is always
	 * within a frame of the buffer; anything else would desync the grid.
	 */
	double exact = exact_end - l->start_exact;
	if (!(fabs(exact - (double)l->length) < 1.0))
		exact = (double)l->length;
	l->exact_length = fmax(exact, 1.0);
	l->rep_valid    = false;
	l->w_rep_valid  = false;
	l->env = l->ctl.mute ? 0 : l->ramp; /* the seam ramp fades it in */
	l->voice_on = false;
	l->state    = ET_LOOP_PLAYING;
	/* Complete: the take is now the loop, and what save() writes (a
	 * lagging writer's, once it has caught up). */
	save_place(l, l->take);
	if (!l->writing)
		et_store_publish(l->store, l->loop, l->take);
	l->w_ending = true;
	l->w_end    = l->rec_start + (int64_t)l->length;
	let_go(l, &l->cur);
	l->cur  = l->take;
	l->take = ET_NO_VERSION;
	/* The loop it replaced (or none) is an undo step. */
	new_step(l, l->prev);
	l->prev = ET_NO_VERSION;
	if (l->writing && l->wr_pos >= l->length)
		finish_writer(l); /* cut where the writer had got to */
	else if (l->writing && l->rec_lag > l->length)
		silence_ahead(l); /* plays before its input comes back */
}

static void
begin_overdub(EtLooper *l, const EtClock *clk, int64_t tf, double exact)
{
	/* The pass writes into a new version; the loop as it was stays what
	 * save() writes until the pass is complete. */
	finish_writer(l);
	const EtVersion pass = et_store_fork(l->store, l->cur);
	if (pass == ET_NO_VERSION) { /* (never: the slots outnumber uses) */
		l->state = ET_LOOP_PLAYING;
		return;
	}
	l->base            = l->cur;
	l->cur             = pass;
	l->rec_anchored    = l->anchored;
	l->rec_start       = time_in(l, l->anchored, tf);
	l->rec_start_exact = l->anchored ? exact : (double)l->rec_start;
	l->rec_start_beats = et_clock_beats_at(clk, exact);
	l->stop_pending    = false;
	l->state           = ET_LOOP_OVERDUBBING;
	start_writer(l, false, l->anchored);
}

void
et_looper_end_overdub(EtLooper *l)
{
	l->writing      = false; /* cut short: what was written stays */
	l->stop_pending = false;
	l->state        = ET_LOOP_PLAYING;
	et_store_publish(l->store, l->loop, l->cur);
	/* The loop before the pass is an undo step (sharing what the pass did
	 * not change). */
	new_step(l, l->base);
	l->base = ET_NO_VERSION;
}

/* A pass reaching its stop at time t: with a lag, its writer goes on
 * until it has written what belongs before t. */
static void
end_pass(EtLooper *l, int64_t t)
{
	if (!l->writing) {
		et_looper_end_overdub(l);
		return;
	}
	l->stop_pending = false;
	l->state        = ET_LOOP_PLAYING;
	new_step(l, l->base);
	l->base     = ET_NO_VERSION;
	l->w_ending = true;
	l->w_end    = t;
}

static void
clear_loop(EtLooper *l)
{
	finish_writer(l);
	/* A clear is a step: undo brings back the loop it erased (a pass
	 * under way is one step of its own first; a first take under way
	 * leaves nothing to bring back). */
	if (l->state == ET_LOOP_OVERDUBBING)
		et_looper_end_overdub(l);
	const EtVersion before =
	    l->state == ET_LOOP_RECORDING ? l->prev : l->cur;
	if (before != ET_NO_VERSION) {
		et_store_hold(l->store, before);
		new_step(l, before);
	}
	if (l->state != ET_LOOP_RECORDING)
		fade_out_playback(l);
	let_go(l, &l->cur);
	let_go(l, &l->base);
	let_go(l, &l->take);
	let_go(l, &l->prev);
	et_store_publish(l->store, l->loop, ET_NO_VERSION);
	l->length       = 0;
	l->rec_pos      = 0;
	l->stop_pending = false;
	l->state        = ET_LOOP_EMPTY;
}

/* Plays version v (a hold the caller gives up; ET_NO_VERSION: none) in
 * place of the loop, from now: the old playback fades out, v fades in. */
static void
switch_to(EtLooper *l, EtVersion v)
{
	fade_out_playback(l);
	l->cur = v;
	et_store_publish(l->store, l->loop, v);
	l->env      = 0;
	l->voice_on = false;
	l->last_k   = 0;
	if (v == ET_NO_VERSION) {
		l->length = 0;
		l->state  = ET_LOOP_EMPTY;
		return;
	}
	load_place(l, v);
	l->state = ET_LOOP_PLAYING;
}

/* Before an undo or redo: a pass under way ends (a step, which the undo
 * then takes back), an arm waiting for its quantize point lets go, and a
 * take under way is given up: true then, for that is the undo. */
static bool
settle_for_undo(EtLooper *l)
{
	finish_writer(l);
	if (l->state == ET_LOOP_OVERDUBBING)
		et_looper_end_overdub(l);
	if (l->state == ET_LOOP_ARMED)
		l->state = l->length > 0 ? ET_LOOP_PLAYING : ET_LOOP_EMPTY;
	if (l->state != ET_LOOP_RECORDING)
		return false;
	let_go(l, &l->take);
	l->stop_pending = false;
	if (l->prev != ET_NO_VERSION)
		give_back(l);
	else
		l->state = ET_LOOP_EMPTY;
	return true;
}

/* Undo: the newest undo step plays, and the loop as it was goes on the
 * redo stack; redo the other way round. */
static void
step_back_or_forth(EtLooper *l, bool undo)
{
	if (settle_for_undo(l) && undo)
		return;
	EtVersion *from = undo ? l->undo : l->redo;
	uint32_t  *n    = undo ? &l->undo_n : &l->redo_n;
	if (*n == 0) {
		l->undo_refused++;
		return;
	}
	const EtVersion v   = from[--*n];
	const EtVersion now = l->cur; /* the looper's hold moves to the step */
	if (undo)
		push_step(l, l->redo, &l->redo_n, now);
	else
		push_step(l, l->undo, &l->undo_n, now);
	switch_to(l, v); /* the tail reads `now`, still in l->cur */
}

/* Whether an arm now starts a take or pass at once: a take without a
 * rolling transport (free), or an overdub on a free loop. */
static bool
starts_at_once(const EtLooper *l, bool rolling)
{
	return l->length == 0 || l->armed_replace ? !rolling : !l->anchored;
}

static void
begin_now(EtLooper *l, const EtClock *clk, int64_t tf)
{
	l->start_held = false;
	if (l->length == 0 || l->armed_replace)
		begin_take(l, clk, false, tf, (double)tf);
	else
		begin_overdub(l, clk, tf, (double)tf);
}

/* Control edges act at the first frame rendered in the block. */
static void
apply_edges(EtLooper *l, const EtClock *clk, bool rolling, int64_t tf)
{
	if (l->undo_edge || l->redo_edge) {
		if (l->undo_edge)
			step_back_or_forth(l, true);
		if (l->redo_edge)
			step_back_or_forth(l, false);
		l->undo_edge = l->redo_edge = false;
	}
	if (l->clear_edge)
		clear_loop(l);
	if (l->arm_edge) {
		switch (l->state) {
		case ET_LOOP_EMPTY:
		case ET_LOOP_PLAYING:
			l->armed_replace = l->length > 0 && !l->ctl.overdub;
			l->state         = ET_LOOP_ARMED;
			/* Without a rolling transport a take starts now, free;
			 * an overdub on a free loop does too (unless held:
			 * then as soon as the hold lifts).  Everything else
			 * waits for next_event(). */
			l->start_held = starts_at_once(l, rolling) && l->hold;
			if (starts_at_once(l, rolling) && !l->hold)
				begin_now(l, clk, tf);
			break;
		case ET_LOOP_RECORDING:
		case ET_LOOP_OVERDUBBING:
			l->stop_pending = false; /* re-armed before the stop */
			break;
		case ET_LOOP_ARMED: break;
		}
	}
	if (l->disarm_edge) {
		if (l->state == ET_LOOP_ARMED)
			l->state =
			    l->length > 0 ? ET_LOOP_PLAYING : ET_LOOP_EMPTY;
		else if (l->state == ET_LOOP_RECORDING ||
			 l->state == ET_LOOP_OVERDUBBING) {
			l->stop_pending = true;
			l->stop_from    = time_in(l, l->rec_anchored, tf);
		}
	}
	l->arm_edge = l->disarm_edge = l->clear_edge = false;
	l->seen_arm                                  = l->ctl.arm;
}

/* Frames in one quantize unit at the current tempo; 0 with quantize off. */
static double
unit_frames(const EtLooper *l, const EtClock *clk)
{
	switch (l->ctl.quantize) {
	case ET_QUANTIZE_BEAT: return et_clock_frames_per_beat(clk);
	case ET_QUANTIZE_BAR: return et_clock_frames_per_bar(clk);
	case ET_QUANTIZE_OFF: break;
	}
	return 0.0;
}

/* Writes `frames` frames of silence into the take, as far as it has room:
 * the frames a dropout missed, so the take stays on the grid. */
static uint32_t take_room(const EtLooper *l);

static void
record_silence(EtLooper *l, int64_t frames)
{
	if (l->writing) { /* the writer writes the silence when it gets there
			   */
		const uint32_t room = take_room(l);
		l->rec_pos += frames < (int64_t)room ? (uint32_t)frames : room;
		return;
	}
	if (frames <= 0)
		return;
	/* As far as the pool (or the longest loop) lets it. */
	const uint32_t left = UINT32_MAX - l->rec_pos;
	const uint32_t to =
	    l->rec_pos + (frames < (int64_t)left ? (uint32_t)frames : left);
	l->rec_pos = write_silence(l, l->take, l->rec_pos, to);
}

/* The last `frames` frames of a take's pre-roll were never heard (a
 * dropout before its first sample): they are silence. */
static void
silent_pre_roll(EtLooper *l, int64_t frames)
{
	const uint32_t r = l->ramp;
	/* frames < 0: a garbage grid (a meter of 1e-311, a frame beyond 4e18)
	 * puts the take's start before the gap; never a negative cast. */
	const uint32_t k = frames <= 0           ? 0u
			   : frames < (int64_t)r ? (uint32_t)frames
						 : r;
	memmove(l->pre_l, l->pre_l + k, sizeof(float) * (r - k));
	memmove(l->pre_r, l->pre_r + k, sizeof(float) * (r - k));
	memset(l->pre_l + (r - k), 0, sizeof(float) * k);
	memset(l->pre_r + (r - k), 0, sizeof(float) * k);
}

/* The transport jumped forward by less than one quantize unit while it
 * rolled: a dropped cycle, not a locate.  A take goes on along the grid,
 * silent where the cycle was missed; one that was due to start in it
 * starts there; an overdub goes on.  Stop points passed in the gap are
 * met by the next events, at their own frames. */
static void
cover_dropout(EtLooper *l, const EtClock *clk, int64_t tf)
{
	const int64_t missed_from = l->last_tf + 1;
	if (l->state == ET_LOOP_ARMED) {
		const double x = et_clock_boundary_at_or_after(
		    clk, l->ctl.quantize, missed_from);
		const int64_t p = et_clock_quantize_frame(x);
		if (p < tf) {
			if (l->length == 0 || l->armed_replace) {
				begin_take(l, clk, true, p, x);
				if (l->state == ET_LOOP_RECORDING) {
					if (!l->writing)
						silent_pre_roll(
						    l, p - missed_from);
					record_silence(l, tf - p);
				}
			} else {
				begin_overdub(l, clk, p, x);
			}
		}
	} else if (l->state == ET_LOOP_RECORDING && l->rec_anchored) {
		record_silence(l, tf - missed_from);
	}
	if (l->length > 0 && l->anchored)
		jump_playback(l); /* the output skipped: declick it */
}

/* A stop, a backward jump or a jump of a quantize unit or more ends an
 * anchored take, keeping the whole units it recorded (with quantize off,
 * all of it); with none, nothing is kept. */
static void
end_take_at_a_jump(EtLooper *l)
{
	if (l->ctl.quantize == ET_QUANTIZE_OFF) {
		end_take(l, (double)(l->rec_start + (int64_t)l->rec_pos));
		return;
	}
	l->rec_pos = l->rec_whole;
	end_take(l, l->rec_whole_exact);
}

/* Where the transport frame did not advance by one: a dropout (above), or
 * a stop or a locate, which pauses or moves anchored playback, ends an
 * anchored take and an anchored overdub. */
static void
follow_transport(EtLooper *l, const EtClock *clk, bool rolling, int64_t tf)
{
	if (!l->seen_transport) {
		l->seen_transport = true;
		l->was_rolling    = rolling;
		l->last_tf        = rolling ? tf - 1 : tf;
		return;
	}
	if (!l->was_rolling || (rolling && tf == l->last_tf + 1))
		return;
	const int64_t gap = tf - (l->last_tf + 1);
	if (rolling && gap > 0 && (double)gap < unit_frames(l, clk)) {
		cover_dropout(l, clk, tf);
		return;
	}
	if (l->state == ET_LOOP_RECORDING && l->rec_anchored)
		end_take_at_a_jump(l);
	if (l->state == ET_LOOP_OVERDUBBING && l->anchored)
		et_looper_end_overdub(l);
	/* What had not come back by the stop is silence. */
	if (l->writing && l->w_anchored)
		finish_writer(l);
	if (l->length > 0 && l->anchored)
		jump_playback(l);
}

static Event
make_event(EventKind kind, int64_t ahead, double exact)
{
	const Event ev = { kind, ahead < 0 ? 0 : ahead, exact };
	return ev;
}

static Event
earlier(Event a, Event b)
{
	return b.kind != EV_NONE && (a.kind == EV_NONE || b.ahead < a.ahead)
		   ? b
		   : a;
}

/* When the running take or overdub stops: at the quantize point after a
 * disarm (or now, if its time is not a rolling transport or quantize is
 * off), or at the quantize point loop_bars after its start. */
static Event
stop_event(const EtLooper *l, const EtClock *clk, bool rolling, int64_t t)
{
	Event            ev = make_event(EV_NONE, 0, 0.0);
	const EtQuantize q  = l->ctl.quantize;
	if (l->stop_pending) {
		if (l->rec_anchored && rolling && q != ET_QUANTIZE_OFF) {
			/* The point the disarm asked for, even if a dropout
			 * has skipped past it since (end_take cuts there). */
			double x = et_clock_boundary_at_or_after(clk, q,
								 l->stop_from);
			if (et_clock_quantize_frame(x) <= l->rec_start)
				x = et_clock_boundary_at_or_after(
				    clk, q, l->rec_start + 1);
			ev = make_event(EV_STOP,
					et_clock_quantize_frame(x) - t, x);
		} else {
			ev = make_event(EV_STOP, 0, (double)t);
		}
	}
	if (l->ctl.bars > 0) {
		const double  bars = (double)l->ctl.bars;
		double        y    = l->rec_anchored
					 ? et_clock_frame_at_beats(
					       clk, l->rec_start_beats +
							bars * clk->beats_per_bar)
					 : l->rec_start_exact +
                                     bars * et_clock_frames_per_bar(clk);
		const int64_t p    = et_clock_quantize_frame(y);
		/* Passed: in a dropout, or loop_bars lowered below what is
		 * recorded; the take ends there (end_take), or now if that is
		 * not after its start. */
		if (p < t && p <= l->rec_start)
			y = (double)t;
		ev = earlier(ev, make_event(EV_STOP, p - t, y));
	}
	return ev;
}

/* The next quantize boundary an anchored take passes, after the last one
 * it noted.  One a dropout skipped is noted at once, as the latest
 * boundary at or before now, so a jump never costs a step per unit. */
static Event
unit_event(const EtLooper *l, const EtClock *clk, int64_t t)
{
	const EtQuantize q    = l->ctl.quantize;
	const int64_t    last = l->rec_start + (int64_t)l->rec_whole;
	double           x = et_clock_boundary_at_or_after(clk, q, last + 1);
	int64_t          p = et_clock_quantize_frame(x);
	if (p < t) {
		x = et_clock_boundary_at_or_after(clk, q, t);
		p = et_clock_quantize_frame(x);
		if (p > t) {
			x -= unit_frames(l, clk);
			p = et_clock_quantize_frame(x);
		}
	}
	/* Only a boundary the recording reaches: within the store's room,
	 * and not past what is recorded by then (a take the store cut short
	 * during a dropout lags its time; act() could not count the unit, and
	 * would be asked again and again). */
	if (p <= last || p > t + (int64_t)take_room(l) ||
	    p - l->rec_start > (int64_t)l->rec_pos + (p - t))
		return make_event(EV_NONE, 0, 0.0);
	return make_event(EV_UNIT, p - t, x);
}

/* How many more frames the take can record: with a lagging writer, less
 * what it still owes. */
static uint32_t
take_room(const EtLooper *l)
{
	if (!l->writing)
		return et_store_room(l->store, l->take, l->rec_pos);
	const uint32_t owed = l->rec_pos - l->wr_pos;
	const uint32_t room = et_store_room(l->store, l->take, l->wr_pos);
	return room > owed ? room - owed : 0;
}

/* When a lagging writer starts (a take's pre-roll is taken there) or has
 * caught up with the end of its take or pass. */
static Event
writer_event(const EtLooper *l, int64_t tf)
{
	if (!l->writing)
		return make_event(EV_NONE, 0, 0.0);
	const int64_t t = time_in(l, l->w_anchored, tf);
	if (l->w_take && !l->w_started)
		return make_event(EV_WRITE_START,
				  l->rec_start + (int64_t)l->rec_lag - t, 0.0);
	if (l->w_ending)
		return make_event(EV_WRITE_END,
				  l->w_end + (int64_t)l->rec_lag - t, 0.0);
	return make_event(EV_NONE, 0, 0.0);
}

static Event state_event(const EtLooper *l, const EtClock *clk, bool rolling,
			 int64_t tf);

static Event
next_event(const EtLooper *l, const EtClock *clk, bool rolling, int64_t tf)
{
	return earlier(writer_event(l, tf), state_event(l, clk, rolling, tf));
}

static Event
state_event(const EtLooper *l, const EtClock *clk, bool rolling, int64_t tf)
{
	switch (l->state) {
	case ET_LOOP_ARMED: {
		if (l->hold) /* another loop's pass has the input */
			return make_event(EV_NONE, 0, 0.0);
		/* A start held when it would have come at once comes now (a
		 * take whose transport has started rolling since waits for its
		 * quantize point instead). */
		if (l->start_held && starts_at_once(l, rolling))
			return make_event(EV_START_NOW, 0, (double)tf);
		if (!rolling) /* the transport stopped: wait for it */
			return make_event(EV_NONE, 0, 0.0);
		const double x =
		    et_clock_boundary_at_or_after(clk, l->ctl.quantize, tf);
		return make_event(EV_START, et_clock_quantize_frame(x) - tf,
				  x);
	}
	case ET_LOOP_RECORDING: {
		const int64_t  t     = time_in(l, l->rec_anchored, tf);
		const uint32_t room  = take_room(l);
		const bool     units = l->rec_anchored && rolling &&
				   l->ctl.quantize != ET_QUANTIZE_OFF;
		/* A full store ends a quantized take on its last whole unit
		 * (end_take cuts there; with none it keeps nothing), any other
		 * where it is full. */
		const double full_end = !units ? (double)(t + (int64_t)room)
					: l->rec_whole > 0
					    ? l->rec_whole_exact
					    : l->rec_start_exact;
		const bool   pool     = room < l->capacity - l->rec_pos;
		const Event  full =
		    make_event(pool ? EV_FULL : EV_STOP, room, full_end);
		const Event stop =
		    earlier(full, stop_event(l, clk, rolling, t));
		/* A unit boundary counts before a stop on the same frame: a
		 * full store there still keeps the unit just completed. */
		return units ? earlier(unit_event(l, clk, t), stop) : stop;
	}
	case ET_LOOP_OVERDUBBING:
		return stop_event(l, clk, rolling,
				  time_in(l, l->anchored, tf));
	case ET_LOOP_EMPTY:
	case ET_LOOP_PLAYING: break;
	}
	return make_event(EV_NONE, 0, 0.0);
}

static void
act(EtLooper *l, const EtClock *clk, const Event *ev, int64_t tf)
{
	if (ev->kind == EV_WRITE_START) {
		et_looper_writer_started(l);
	} else if (ev->kind == EV_WRITE_END) {
		finish_writer(l);
	} else if (ev->kind == EV_START_NOW) {
		begin_now(l, clk, tf);
	} else if (ev->kind == EV_START) {
		l->start_held = false;
		if (l->length == 0 || l->armed_replace)
			begin_take(l, clk, true, tf, ev->exact);
		else
			begin_overdub(l, clk, tf, ev->exact);
	} else if (ev->kind == EV_STOP || ev->kind == EV_FULL) {
		if (ev->kind == EV_FULL)
			l->pool_full++;
		if (l->state == ET_LOOP_RECORDING)
			end_take(l, ev->exact);
		else
			end_pass(l, time_in(l, l->anchored, tf));
	} else if (ev->kind == EV_UNIT) {
		const int64_t whole =
		    et_clock_quantize_frame(ev->exact) - l->rec_start;
		if (whole <=
		    (int64_t)l->rec_pos) { /* (not past a full buffer) */
			l->rec_whole       = (uint32_t)whole;
			l->rec_whole_exact = ev->exact;
		}
	}
}

/* A mixing looper with no loop, no take to start, nothing fading and no
 * need of the input's history renders nothing: what the full path would
 * do for it comes down to keeping time. */
bool
et_looper_idle(const EtLooper *l)
{
	return l->mix_add && !l->listening && !l->writing &&
	       l->state == ET_LOOP_EMPTY && l->length == 0 &&
	       l->tail_left == 0 && l->level_left == 0 && !l->arm_edge &&
	       !l->undo_edge && !l->redo_edge;
}

static void
skip(EtLooper *l, const EtClock *clk, uint32_t block_offset, uint32_t n)
{
	const bool rolling =
	    et_clock_has_transport(clk) && et_clock_rolling(clk);
	const int64_t tf0 = et_clock_transport_frame(clk, block_offset);
	/* A disarm or a clear of nothing does nothing. */
	l->disarm_edge = l->clear_edge = false;
	l->seen_arm                    = l->ctl.arm;
	l->fresh                       = false;
	l->seen_transport              = true;
	l->counter += (int64_t)n;
	l->was_rolling = rolling;
	l->last_tf     = rolling ? tf0 + (int64_t)n - 1 : tf0;
}

void
et_looper_process_span(EtLooper *l, const EtClock *clk, uint32_t block_offset,
		       const float *in_l, const float *in_r, float *out_l,
		       float *out_r, uint32_t n)
{
	if (n == 0)
		return;
	l->pass_end = UINT32_MAX;
	et_store_collect(l->store); /* what a finished save held */
	if (et_looper_idle(l)) {
		skip(l, clk, block_offset, n);
		return;
	}
	/* A take that is running out of free chunks first lets the oldest
	 * undo steps go (of any loop sharing the store). */
	if (l->state == ET_LOOP_RECORDING)
		et_store_make_room(
		    l->store, l->take, l->writing ? l->wr_pos : l->rec_pos,
		    n + ET_STORE_CHUNK_FRAMES +
			(l->writing ? l->rec_pos - l->wr_pos : 0));
	const bool rolling =
	    et_clock_has_transport(clk) && et_clock_rolling(clk);
	const int64_t tf0     = et_clock_transport_frame(clk, block_offset);
	const bool    passing = et_looper_passing(l);
	follow_transport(l, clk, rolling, tf0);
	if (l->fresh) {
		apply_edges(l, clk, rolling, tf0);
		l->fresh = false;
	}
	if (passing && !et_looper_passing(l))
		l->pass_end = block_offset;
	uint32_t done = 0;
	while (done < n) {
		const int64_t tf = rolling ? tf0 + (int64_t)done : tf0;
		const Event   ev = next_event(l, clk, rolling, tf);
		if (ev.kind != EV_NONE && ev.ahead == 0) {
			act(l, clk, &ev, tf);
			if (passing && !et_looper_passing(l) &&
			    l->pass_end == UINT32_MAX)
				l->pass_end = block_offset + done;
			continue;
		}
		uint32_t count = n - done;
		if (ev.kind != EV_NONE && ev.ahead < (int64_t)count)
			count = (uint32_t)ev.ahead;
		et_looper_render(l, in_l, in_r, out_l, out_r, done, count,
				 rolling, tf);
		done += count;
	}
	l->was_rolling = rolling;
	l->last_tf     = rolling ? tf0 + (int64_t)n - 1 : tf0;
}

/* What et_looper_plain_span() finds playing: the samples of a loop at
 * rest, unmuted, inside one repetition and one run of them, with no stop,
 * jump or dropout to follow; false for anything else. */
static bool
plain_play(EtLooper *l, uint32_t n, bool rolling, int64_t tf0, EtLoopMix *part)
{
	if (l->state != ET_LOOP_PLAYING || l->ctl.mute || l->env != l->ramp ||
	    !l->seen_transport)
		return false;
	/* follow_transport() would do nothing, and it is not paused. */
	if (l->was_rolling && !(rolling && tf0 == l->last_tf + 1))
		return false;
	if (l->anchored && !rolling)
		return false;
	const int64_t  t = l->anchored ? tf0 : l->counter;
	uint32_t       span;
	const uint32_t k = et_looper_index_at(l, t, &span);
	if (k >= span || span - k < n)
		return false;
	if (et_store_read(l->store, l->cur, k, &part->l, &part->r) < n)
		return false;
	l->last_k   = k + n - 1;
	l->voice_on = true;
	return true;
}

bool
et_looper_plain_span(EtLooper *l, const EtClock *clk, uint32_t block_offset,
		     const float *in_l, const float *in_r, uint32_t n,
		     EtLoopMix *part)
{
	/* Nothing to act on, no writer, nothing fading; empty or playing. */
	const bool empty = l->state == ET_LOOP_EMPTY && l->length == 0;
	if (n == 0 || l->fresh || l->writing || l->tail_left > 0 ||
	    l->level_left > 0 || (!empty && l->state != ET_LOOP_PLAYING))
		return false;
	const bool rolling =
	    et_clock_has_transport(clk) && et_clock_rolling(clk);
	const int64_t tf0 = et_clock_transport_frame(clk, block_offset);
	part->l = part->r = NULL;
	if (!empty && !plain_play(l, n, rolling, tf0, part))
		return false;
	part->level = l->level;
	part->sets  = !l->mix_add;
	part->in_l  = part->sets && l->ctl.monitor ? in_l : NULL;
	part->in_r  = part->sets && l->ctl.monitor ? in_r : NULL;
	/* What rendering it would have done and left behind: the input's
	 * history kept (the active track's loop listens), the time kept. */
	if (l->listening)
		et_looper_remember_input(l, in_l, in_r, 0, n);
	l->pass_end       = UINT32_MAX;
	l->seen_transport = true;
	l->counter += (int64_t)n;
	l->was_rolling = rolling;
	l->last_tf     = rolling ? tf0 + (int64_t)n - 1 : tf0;
	return true;
}

bool
et_looper_passing(const EtLooper *l)
{
	return l->state == ET_LOOP_RECORDING ||
	       l->state == ET_LOOP_OVERDUBBING;
}

uint32_t
et_looper_pass_end(const EtLooper *l)
{
	return l->pass_end;
}

void
et_looper_set_hold(EtLooper *l, bool hold)
{
	l->hold = hold;
}

void
et_looper_set_mixing(EtLooper *l, bool add)
{
	l->mix_add = add;
}

void
et_looper_set_listening(EtLooper *l, bool on)
{
	l->listening = on;
}

void
et_looper_copy_history(EtLooper *to, const EtLooper *from)
{
	if (to->ramp != from->ramp)
		return;
	memcpy(to->hist_l, from->hist_l, sizeof(float) * to->ramp);
	memcpy(to->hist_r, from->hist_r, sizeof(float) * to->ramp);
	to->hist_head = from->hist_head;
}

void
et_looper_process(EtLooper *l, const EtClock *clk, const float *in_l,
		  const float *in_r, float *out_l, float *out_r,
		  uint32_t block_offset, uint32_t n)
{
	et_looper_process_span(l, clk, block_offset, in_l + block_offset,
			       in_r + block_offset, out_l + block_offset,
			       out_r + block_offset, n);
}

/* ---- queries and state -------------------------------------------------*/

EtLoopState
et_looper_state(const EtLooper *l)
{
	return l->state;
}

uint32_t
et_looper_length(const EtLooper *l)
{
	return l->state == ET_LOOP_RECORDING ? l->rec_pos : l->length;
}

double
et_looper_position(const EtLooper *l)
{
	if (l->length == 0 || l->state == ET_LOOP_RECORDING)
		return 0.0;
	return (double)l->last_k / (double)l->length;
}

EtLoopStore *
et_looper_store(EtLooper *l)
{
	return l->store;
}

uint64_t
et_looper_pool_bytes(const EtLooper *l)
{
	return et_store_bytes(l->store);
}

uint32_t
et_looper_capacity(const EtLooper *l)
{
	return l->capacity;
}

uint32_t
et_looper_rejected(const EtLooper *l)
{
	return l->rejected;
}

uint32_t
et_looper_denormals(const EtLooper *l)
{
	return l->denormals;
}

uint32_t
et_looper_pool_full(const EtLooper *l)
{
	return l->pool_full;
}

EtLoopCounts
et_looper_counts(const EtLooper *l)
{
	const EtLoopCounts n = { l->rejected, l->denormals, l->pool_full,
				 l->undo_refused };
	return n;
}

static void
view_of(EtLooper *l, EtVersion v, EtLoopView *out)
{
	const EtLoopPlace *p = et_store_place(l->store, v);
	out->store           = l->store;
	out->version         = v;
	out->serial          = et_store_serial(l->store, v);
	out->length          = p->length;
	out->exact_length    = p->exact_length;
	out->anchored        = p->anchored;
	out->start_frame     = p->start;
	out->start_exact     = p->start_exact;
}

bool
et_looper_view(const EtLooper *l, EtLoopView *out)
{
	if (l->length == 0 || l->state == ET_LOOP_RECORDING ||
	    l->cur == ET_NO_VERSION)
		return false;
	view_of((EtLooper *)l, l->cur, out);
	return true;
}

bool
et_looper_pin(EtLooper *l, EtLoopView *out)
{
	const EtVersion v = et_store_pin(l->store, l->loop);
	if (v == ET_NO_VERSION) {
		et_store_unpin(l->store, l->loop);
		return false;
	}
	view_of(l, v, out);
	return true;
}

void
et_looper_unpin(EtLooper *l)
{
	et_store_unpin(l->store, l->loop);
}

uint32_t
et_loop_view_read(const EtLoopView *v, uint32_t k, const float **left,
		  const float **right)
{
	if (k >= v->length)
		return 0;
	const uint32_t n = et_store_read(v->store, v->version, k, left, right);
	return n < v->length - k ? n : v->length - k;
}

void
et_loop_view_copy(const EtLoopView *v, float *left, float *right)
{
	uint32_t     k = 0, n;
	const float *l, *r;
	while ((n = et_loop_view_read(v, k, &l, &r)) > 0) {
		memcpy(left + k, l, sizeof(float) * n);
		memcpy(right + k, r, sizeof(float) * n);
		k += n;
	}
}

bool
et_looper_load(EtLooper *l, const float *left, const float *right,
	       uint32_t length, double exact_length, bool anchored,
	       int64_t start_frame, double start_exact)
{
	if (!left || !right || length == 0 || length > l->capacity)
		return false;
	/* What the looper held goes first, so that the store has room for
	 * the new loop whatever was under way (a take replacing a loop holds
	 * two already). */
	l->writing = false;
	let_go(l, &l->cur);
	let_go(l, &l->base);
	let_go(l, &l->take);
	let_go(l, &l->prev);
	drop_all(l, l->undo, &l->undo_n); /* a loaded loop has no history */
	drop_redo(l);
	et_looper_end_tail(l);
	et_store_publish(l->store, l->loop, ET_NO_VERSION);
	et_store_collect(l->store);
	l->length   = 0;
	l->state    = ET_LOOP_EMPTY;
	EtVersion v = et_store_begin(l->store);
	for (uint32_t k = 0; v != ET_NO_VERSION && k < length;) {
		const float   *sl, *sr;
		float         *dl, *dr;
		const uint32_t n = et_store_write(l->store, v, k, length - k,
						  &sl, &sr, &dl, &dr);
		if (n == 0 && et_store_grow(l->store)) {
			continue;    /* not beside run(): grown at once */
		} else if (n == 0) { /* the pool is at its limit */
			let_go(l, &v);
		} else {
			memcpy(dl, left + k, sizeof(float) * n);
			memcpy(dr, right + k, sizeof(float) * n);
			k += n;
		}
	}
	if (v == ET_NO_VERSION) /* (never: all but a saved version is free) */
		return false;
	l->cur          = v;
	l->length       = length;
	l->exact_length = fabs(exact_length - (double)length) < 1.0
			      ? fmax(exact_length, 1.0)
			      : (double)length;
	l->anchored     = anchored;
	if (anchored) {
		l->start = start_frame;
		l->start_exact =
		    isfinite(start_exact) &&
			    et_clock_quantize_frame(start_exact) == start_frame
			? start_exact
			: (double)start_frame;
	} else {
		l->start       = l->counter;
		l->start_exact = (double)l->counter;
	}
	save_place(l, v);
	et_store_publish(l->store, l->loop, v);
	l->rep_valid    = false;
	l->w_rep_valid  = false;
	l->rec_pos      = 0;
	l->stop_pending = false;
	l->env          = 0; /* fades in */
	l->voice_on     = false;
	l->last_k       = 0;
	l->state        = ET_LOOP_PLAYING;
	return true;
}
