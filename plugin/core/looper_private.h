/* What the looper's two parts share: looper.c (the state machine: edges,
 * grid, takes) and looper_render.c (the audio, frame by frame and in
 * block kernels).  Not part of the looper's interface (looper.h). */
#ifndef ET_LOOPER_PRIVATE_H
#define ET_LOOPER_PRIVATE_H

#include "looper.h"
#include "loopstore.h"

#include <stdbool.h>
#include <stdint.h>

/* "Time" below is the loop's own clock: the transport frame for an anchored
 * loop or take, the looper's frame counter for a free one. */

struct EtLooper {
	double   rate;
	uint32_t capacity;
	uint32_t ramp; /* et_looper_ramp_frames(rate), >= 1 */

	/* The loop's versions (loopstore.h), each held by the looper while it
	 * is one of these: `cur` plays (while overdubbing, the version the
	 * pass writes); `base` is what a pass started from; `take` is a take
	 * being recorded; `prev` the loop a replacing take replaces, given
	 * back if the take keeps nothing; `tail_v` what the fade-out tail
	 * reads.  The store publishes the last complete one for save(). */
	EtLoopStore *store;
	uint32_t     loop;       /* which of the store's loops this is */
	bool         owns_store; /* freed with the looper */
	EtVersion    cur, base, take, prev, tail_v;

	/* Undo and redo (et_looper_trigger_undo): the loop as it was before
	 * each of its latest takes, passes and clears, newest last, each held
	 * by the looper (ET_NO_VERSION: it was empty); redo the ones undone.
	 */
	EtVersion undo[ET_LOOPER_UNDO_STEPS], redo[ET_LOOPER_UNDO_STEPS];
	uint32_t  undo_n, redo_n;
	bool      undo_edge, redo_edge;
	uint32_t  undo_refused; /* an undo or redo with nothing to act on */

	EtLooperControls ctl; /* last values seen, sanitized */
	bool mix_add;   /* adds its playback to out (et_looper_set_mixing) */
	bool listening; /* keeps the input's history (et_looper_set_listening)
			 */
	bool arm_edge, disarm_edge, clear_edge;
	bool fresh; /* controls not yet acted on in this block */

	EtLoopState state;

	/* The loop; length 0 means there is none. */
	uint32_t length;
	double   exact_length;
	bool     anchored;
	int64_t  start; /* time of sample 0 */
	double   start_exact;

	/* The repetition that contains the last time looked up. */
	bool    rep_valid;
	int64_t rep_start, rep_next;

	/* The take being recorded (RECORDING) or the overdub being layered. */
	bool     rec_anchored;
	int64_t  rec_start; /* time of its first frame */
	double   rec_start_exact;
	double   rec_start_beats; /* musical time there, to count loop_bars */
	uint32_t rec_pos;         /* frames recorded so far (takes only) */
	uint32_t rec_whole; /* of which whole quantize units (anchored) */
	double   rec_whole_exact; /* the exact boundary where they end */
	bool     stop_pending;  /* disarmed: stop at the next quantize point */
	int64_t  stop_from;     /* ... at or after this time, when disarmed */
	bool     armed_replace; /* ARMED over a loop with overdub off */
	/* Held (et_looper_set_hold): no take or pass starts.  start_held: an
	 * ARMED start that would have come at once waits for the hold to
	 * lift. */
	bool hold, start_held;
	/* ctl.arm when process() last acted on the edges: an unseen off that
	 * cancels an unseen on leaves the edge that came before them. */
	bool seen_arm;
	/* Where the pass under way at the start of the last span ended (block
	 * frame), or UINT32_MAX (et_looper_pass_end). */
	uint32_t pass_end;

	int64_t counter; /* frames rendered: the time of free loops */
	bool    seen_transport;
	bool    was_rolling;
	int64_t last_tf; /* transport frame of the last frame rendered */

	/* The last `ramp` input frames rendered (a ring, oldest at hist_head),
	 * and at a take's start a copy of them in order: the audio that came
	 * in just before the take's first sample, which its end cross-fades
	 * into so that the seam flows as the take did (interface.md). */
	float   *hist_l, *hist_r;
	uint32_t hist_head;
	float   *pre_l, *pre_r;

	/* Declick: env is the main voice's gain in ramp steps, the tail a copy
	 * of the old playback fading out after a jump, a clear or a replace.
	 */
	uint32_t env;
	bool     voice_on; /* the main voice was audible on the last frame */
	uint32_t last_k;
	uint32_t tail_left, tail_idx, tail_len;
	float    tail_gain;

	float    level, level_target, level_step;
	uint32_t level_left;

	/* Input samples written as 0 while recording or overdubbing: NaN,
	 * infinite or beyond the limit (rejected), and denormals. */
	uint32_t rejected, denormals;
	/* Takes and overdub passes cut short because the store had no free
	 * chunk (old versions a save still held). */
	uint32_t pool_full;

	/* Round-trip compensation (interface.md): the input that belongs to
	 * time t of a take or pass arrives at t + lag, so a take or pass with
	 * rec_lag > 0 writes through a writer that follows its time rec_lag
	 * frames late, and goes on for rec_lag frames after its end (w_ending)
	 * before the version it writes is complete and published.  With
	 * rec_lag 0 the take or pass writes as it plays, as always. */
	uint32_t lag;     /* for the next take or pass (et_looper_set_lag) */
	uint32_t rec_lag; /* the running or finishing one's */
	bool     writing; /* a writer owes frames to its version */
	bool     w_take;  /* to a take (l->take, then l->cur); else a pass */
	bool     w_anchored; /* its time is the transport's, else counter's */
	bool     w_started;  /* a take's writer has begun: pre-roll taken */
	bool     w_ending;   /* the take or pass ended at time w_end */
	int64_t  w_end;
	uint32_t wr_pos; /* a take's frames written so far */
	/* The repetition of the writer's time (the overdub's place for t -
	 * rec_lag), kept apart from playback's. */
	bool    w_rep_valid;
	int64_t w_rep_start, w_rep_next;
};

/* The seam's cross-fade lasts the ramp, or a quarter of a short loop. */
static inline uint32_t
seam_length(uint32_t ramp, uint32_t length)
{
	return ramp < length / 4 ? ramp : length / 4;
}

static inline uint32_t
seam_frames(const EtLooper *l, uint32_t length)
{
	return seam_length(l->ramp, length);
}

/* ---- looper.c, for the renderer ----------------------------------------*/

/* Sample index at time t (>= length in a repetition's odd extra frame),
 * and in *span the frames of that repetition the buffer covers. */
uint32_t et_looper_index_at(EtLooper *l, int64_t t, uint32_t *span);
/* The same for the writer's time (a lagged overdub's place). */
uint32_t et_looper_writer_index_at(EtLooper *l, int64_t t, uint32_t *span);
/* An overdub pass ends here: its version becomes the loop. */
void et_looper_end_overdub(EtLooper *l);
/* The fade-out tail is done: what it read is let go. */
void et_looper_end_tail(EtLooper *l);

/* The lagging writer (looper.c): a take's writer reaches its first frame
 * (its pre-roll is the input just before it); the pool had no chunk for
 * the writer (the rest reads as silence). */
void et_looper_writer_started(EtLooper *l);
void et_looper_writer_full(EtLooper *l);
/* Silence into a lagging take from the writer's place up to frame `to`
 * (what a dropout missed). */
void et_looper_writer_silence(EtLooper *l, uint32_t to);

/* ---- looper_render.c, for the state machine ----------------------------*/

/* Keeps the last `ramp` input frames of [from, from + count) for the
 * seam's pre-roll (a listening loop); read before out is written. */
void et_looper_remember_input(EtLooper *l, const float *in_l,
			      const float *in_r, uint32_t from,
			      uint32_t count);

/* The tests' way to the SSE (generic) build of the kernels on a machine
 * that has AVX2 (false: back to what the CPU has).  Not thread-safe: for
 * tests only. */
void et_looper_use_generic_kernels(bool generic);

/* Renders frames [from, from + count) of the block, a span with no event
 * inside whose first frame is transport frame tf: the input is remembered
 * for the seam's pre-roll, the loop plays, the take records or the pass
 * overdubs. */
void et_looper_render(EtLooper *l, const float *in_l, const float *in_r,
		      float *out_l, float *out_r, uint32_t from,
		      uint32_t count, bool rolling, int64_t tf);

#endif
