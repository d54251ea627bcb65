/* looper: the stereo loop recorder behind the loop_* ports.
 *
 * Per run() the glue calls et_looper_set_controls() at the start of the
 * block, then renders the block span by span: et_looper_process() for the
 * frames up to the next time:Position or control-channel note,
 * et_clock_apply() or another et_looper_set_controls() at that frame, and
 * so on.  Control changes (arm, disarm, clear, quantize off) act at the
 * first frame rendered after they were set, with the clock as it is
 * there, so a position at frame 0 counts and a note mid-block lands on
 * its own frame.
 *
 * Time: a loop recorded while the transport rolled is anchored to the
 * transport frame; one recorded without a rolling transport runs free on the
 * looper's own frame counter and ignores the transport.  Repetition m of a
 * loop starts at et_clock_quantize_frame(start_exact + m * exact_length),
 * computed from the frame directly, so it never drifts.
 *
 * Whole units (interface.md): while the transport rolls, a forward jump
 * shorter than one quantize unit is a dropout: a take goes on along the
 * grid with the missed frames silent, an overdub goes on, and a start or
 * stop point that fell in the gap still counts.  A stop, a backward jump
 * or a longer jump ends an anchored take on its last whole unit (with
 * quantize off, where it was), and an anchored overdub where it was.
 *
 * Decisions beyond interface.md (see also the README):
 * - A disarm's stop point is the quantize point at or after the frame where
 *   the disarm was seen, fixed then; a quantized take that fills the buffer
 *   ends on its last whole unit; a replacing take (overdub off) cut before
 *   its first whole unit changes nothing: the loop it was to replace plays
 *   on, fading in where it is.
 * - A take that starts inside a dropout cross-fades its end into silence:
 *   what came before its first sample was never heard.
 * - A free recording or overdub ignores the transport, so its disarm acts at
 *   frame 0 of the block even with quantize on.
 * - Arming an overdub on an anchored loop while the transport is stopped
 *   waits (ARMED) until it rolls, then starts at the quantize point (or the
 *   first rolling frame with quantize off).
 * - Arming while a disarm is pending keeps the recording going.
 * - Clear makes the state EMPTY at once; the old loop fades out over
 *   et_looper_ramp_frames() on its own, from a buffer a new take cannot
 *   reach in time.  A replacing take fades the old loop out the same way.
 *
 * Versions (loopstore.h): a take records into a new version of the loop,
 * and an overdub pass writes into a copy-on-write version of it; either
 * replaces the loop only when it is complete.  So the loop that save()
 * writes, from another thread, is always one complete loop: during a pass
 * the loop as it was before it, during a replacing take the loop it
 * replaces, during a first take none.
 *
 * et_looper_process() and et_looper_set_controls() are real-time safe: no
 * allocation, lock, print or system call.  The audio buffers are allocated
 * and touched only in et_looper_new(): room for two whole loops of
 * capacity_frames (a take replacing a full loop while save() may still
 * write that loop).
 */
#ifndef ET_LOOPER_H
#define ET_LOOPER_H

#include "clock.h"
#include "loopstore.h"

#include <stdbool.h>
#include <stdint.h>

/* Values match the loop_state port. */
typedef enum {
	ET_LOOP_EMPTY       = 0,
	ET_LOOP_ARMED       = 1,
	ET_LOOP_RECORDING   = 2,
	ET_LOOP_PLAYING     = 3,
	ET_LOOP_OVERDUBBING = 4
} EtLoopState;

/* The loop_* and monitor ports, already read as their types. */
typedef struct {
	bool       arm;
	bool       mute;
	bool       overdub;
	EtQuantize quantize;
	uint32_t   bars;     /* clamped to loop_bars' range (0..64) */
	bool       clear;    /* a trigger: its 0->1 edge erases */
	float      level_db; /* clamped to ET_LOOPER_LEVEL_MIN_DB .. _MAX_DB;
			      * NaN reads as loop_level's default (0 dB) */
	bool monitor;
} EtLooperControls;

/* The range of level_db: a loop's level is loop_level (the master, -60 ..
 * +6 dB) plus its track's trackN_loop_level (-60 .. +6 dB). */
#define ET_LOOPER_LEVEL_MIN_DB (-120.0f)
#define ET_LOOPER_LEVEL_MAX_DB 12.0f

/* The ports' defaults, the baseline of a new looper. */
EtLooperControls et_looper_default_controls(void);

/* Every declick ramp (mute, clear, transport stop/start/locate, replace,
 * and the seam's cross-fade) lasts this long: 4 ms, so at most 192 frames
 * at 48 kHz.  The seam's cross-fade shrinks to a quarter of the loop for
 * loops shorter than four ramps. */
#define ET_LOOPER_RAMP_SECONDS 0.004
uint32_t et_looper_ramp_frames(double sample_rate);

/* The seam: the downbeat keeps its attack, sample 0 plays as recorded at
 * every repetition.  When a take ends, its last r frames (r = the ramp, or
 * a quarter of a short loop) are cross-faded into the r input frames that
 * came in just before its first sample (silence if none did): frame
 * length - r + i becomes take * (1 - w) + pre-roll * w, with
 * w = et_looper_seam_weight(i, r), rising from near 0 to near 1.  This is
 * written into the loop, so a saved loop is what plays. */
float et_looper_seam_weight(uint32_t i, uint32_t frames);

/* For a loop saved before the seam was cross-faded (state version 1), which
 * has no pre-roll to fade into: fades its last r frames out, with the
 * seam's curve (gain 1 - et_looper_seam_weight(i, r)), so that its seam
 * does not click now that playback no longer fades each repetition. */
void et_looper_fade_out_end(float *left, float *right, uint32_t length,
			    double sample_rate);

typedef struct EtLooper EtLooper;

/* Allocates and touches the loop's store: loops of up to capacity_frames,
 * room for two, all of it at once.  NULL on allocation failure or capacity
 * 0.  Not real-time. */
EtLooper *et_looper_new(double sample_rate, uint32_t capacity_frames);
/* The same with a pool that starts with first_frames (allocated and
 * touched here) and grows to limit_frames by et_looper_grow(). */
EtLooper *et_looper_new_pool(double sample_rate, uint32_t capacity_frames,
			     uint32_t first_frames, uint32_t limit_frames);

/* A looper for loop `loop` of a store that several loopers share (one pool
 * of memory for all, loopstore.h); the store is not freed with it.  NULL
 * on allocation failure or a loop the store does not have.  Not
 * real-time. */
EtLooper *et_looper_new_in(double sample_rate, EtLoopStore *store,
			   uint32_t loop);

/* The loop's store, whose pool the glue grows ahead of need (loopstore.h:
 * et_store_request in run(), a segment made by the worker, et_store_adopt
 * in run()). */
EtLoopStore *et_looper_store(EtLooper *l);
/* Bytes of audio memory in the pool, from any thread. */
uint64_t et_looper_pool_bytes(const EtLooper *l);
void     et_looper_free(EtLooper *l);

/* Called at the start of every run(), and again mid-block where a control
 * note changes something.  Edges (arm 0->1, arm 1->0, clear 0->1) are found
 * against the previous call, the first call against the defaults, and act
 * at the first frame the next et_looper_process() renders. */
void et_looper_set_controls(EtLooper *l, const EtLooperControls *c);

/* A clear at the first frame the next et_looper_process() renders,
 * whatever loop_clear's port holds (a control-channel note: the port may
 * be held on, which would hide a second 0->1 edge). */
void et_looper_trigger_clear(EtLooper *l);

/* Undo puts the loop back as it was before its latest take, overdub pass
 * or clear (undoing the first take empties it); redo brings back what undo
 * took away, until a new take, pass or clear drops the redo steps.  Both
 * act at the first frame the next et_looper_process() renders, at once
 * (not at a quantize point), declicked: the old loop fades out, the other
 * fades in.  An undo during a take gives the take up (as if it had not
 * started: that is the undo); a pass under way ends there and is then
 * undone; an arm still waiting for its quantize point lets go.  Steps are
 * versions (loopstore.h): an overdub's step costs only the chunks it changed.
 */
#define ET_LOOPER_UNDO_STEPS 8
void     et_looper_trigger_undo(EtLooper *l);
void     et_looper_trigger_redo(EtLooper *l);
uint32_t et_looper_undo_steps(const EtLooper *l);
uint32_t et_looper_redo_steps(const EtLooper *l);
/* Undos and redos that found nothing to act on, since the looper was
 * made. */
uint32_t et_looper_undo_refused(const EtLooper *l);
/* Lets go of the oldest undo step; false if there is none.  Its serial
 * (et_store_serial) tells the oldest of several loopers' steps: 0 if
 * none. */
bool     et_looper_drop_oldest_undo(EtLooper *l);
uint32_t et_looper_oldest_undo_serial(const EtLooper *l);

/* Makes c the previous values without acting on any difference (after a
 * state restore, so a session saved while armed does not start recording).
 * Also drops edges seen but not yet acted on. */
void et_looper_set_baseline(EtLooper *l, const EtLooperControls *c);

/* Renders frames [block_offset, block_offset + n) of the current block; the
 * clock must describe that span.  in and out may be the same buffers.
 * out gets (monitor ? in : 0) + playback * level; while mixing
 * (et_looper_set_mixing), out gets playback * level added to what it holds
 * where the loop plays, and in and out must be different buffers. */
void et_looper_process(EtLooper *l, const EtClock *clk, const float *in_l,
		       const float *in_r, float *out_l, float *out_r,
		       uint32_t block_offset, uint32_t n);

/* The same with buffers that start at the span's first frame (frame
 * block_offset of the block, as the clock counts). */
void et_looper_process_span(EtLooper *l, const EtClock *clk,
			    uint32_t block_offset, const float *in_l,
			    const float *in_r, float *out_l, float *out_r,
			    uint32_t n);

/* A loop's part of a span it renders plainly (et_looper_plain_span): its
 * samples and level (l NULL: it plays nothing), and, for the first loop,
 * which writes the output rather than adding to it (sets), the input it
 * monitors (NULL: not monitored). */
typedef struct {
	const float *l, *r;
	float        level;
	bool         sets;
	const float *in_l, *in_r;
} EtLoopMix;
#define ET_LOOP_MIX_MAX 8

/* A span a loop renders plainly, with nothing to act on: an empty loop
 * (no edge, take or fade), or one that plays at rest, unmuted, inside one
 * repetition and one run of its samples, with no stop, jump or writer.
 * True: *part says what it plays (et_looper_mix adds it, in the loops'
 * order), its input (at the span's first frame) is kept if it listens,
 * and the looper is left as rendering the span would leave it.  False,
 * and nothing changed, for any other span: render it with
 * et_looper_process_span(). */
bool et_looper_plain_span(EtLooper *l, const EtClock *clk,
			  uint32_t block_offset, const float *in_l,
			  const float *in_r, uint32_t n, EtLoopMix *part);

/* Plain spans of several loops mixed in one pass: the output is the first
 * loop's part (base; NULL: what out holds), then each of mix[] adds
 * level * sample in turn, frame by frame: the operations of the loops'
 * own kernels in the same order, so the output is the same to the bit. */
void et_looper_mix(float *out_l, float *out_r, uint32_t n,
		   const EtLoopMix *base, const EtLoopMix *mix,
		   unsigned count);

/* Mixing: several loopers render into one output, the first as usual
 * (with the monitor), the others adding to it.  Off by default. */
void et_looper_set_mixing(EtLooper *l, bool add);

/* Held, no take or overdub pass starts: an arm waits (ARMED), and one
 * that would have started at once (a free overdub, a take with the
 * transport stopped) starts at the first frame rendered after the hold is
 * lifted; one waiting for its quantize point takes the first one after
 * that.  The recorders hold the loop that has the arm while another loop's
 * pass is still running (one pass at a time: recorders.h).  Off by
 * default. */
void et_looper_set_hold(EtLooper *l, bool hold);
/* An empty loop, mixing, not listening, with nothing fading, no edge or
 * trigger waiting and no writer: rendering it only keeps time, and
 * nothing it will do depends on that time (an arm, a load or a control
 * change makes it something else first), so the recorders skip it. */
bool et_looper_idle(const EtLooper *l);
/* A take or overdub pass is under way (RECORDING or OVERDUBBING). */
bool et_looper_passing(const EtLooper *l);
/* Where a pass under way when the last et_looper_process_span() began
 * ended in it (the block's frame), or UINT32_MAX if none did. */
uint32_t et_looper_pass_end(const EtLooper *l);

/* Listening, the looper keeps the last few milliseconds of input, which a
 * take's end cross-fades into (the seam); only a loop that may start a
 * take needs it.  On by default.  When one starts listening in another's
 * place, it takes over that one's history (et_looper_copy_history). */
void et_looper_set_listening(EtLooper *l, bool on);
void et_looper_copy_history(EtLooper *to, const EtLooper *from);

/* Round-trip compensation (interface.md): the input that belongs to time
 * t arrives at t + lag.  A take or overdub pass that starts after this
 * call records, for each of its frames t, the input that arrives at
 * t + lag (a take: the frames lag after its span; a pass: what is heard at
 * t goes to its place for t - lag), and keeps writing for lag frames
 * after it ends; the loop plays on the grid from its end as ever, and is
 * complete (what save() writes) once the writer has caught up.  A stop,
 * jump, undo, clear or new take before then completes it with silence for
 * what had not come back.  Playback and the monitor are not delayed.
 * Clamped to et_looper_max_lag() (0.5 s); 0 by default. */
#define ET_LOOPER_MAX_LAG_SECONDS 0.5
void     et_looper_set_lag(EtLooper *l, uint32_t frames);
uint32_t et_looper_lag(const EtLooper *l);
uint32_t et_looper_max_lag(double sample_rate);
/* The loop's samples are being written: an overdub pass, or a lagging
 * writer still catching up after its take or pass ended. */
bool et_looper_changing(const EtLooper *l);

EtLoopState et_looper_state(const EtLooper *l);
/* Frames in the loop; while a take is recorded, the frames it has so far. */
uint32_t et_looper_length(const EtLooper *l);
/* Playback phase 0..1 of the last frame played (held while paused). */
double   et_looper_position(const EtLooper *l);
uint32_t et_looper_capacity(const EtLooper *l);

/* What goes into a loop is finite and bounded (interface.md,
 * sample_rule.h): an input sample that is NaN, infinite or beyond +-16
 * (+24 dBFS) is recorded, or overdubbed, as 0, and so is a denormal.  The
 * monitor path passes the input as it is.  These count the samples written
 * as 0 since the looper was made: rejected (NaN, infinite, too loud) and
 * denormal. */
uint32_t et_looper_rejected(const EtLooper *l);
uint32_t et_looper_denormals(const EtLooper *l);
/* Takes and overdub passes ended early because the store had no chunk
 * left (a save held old versions while loops filled it): a take ends as a
 * full one does (a quantized take on its last whole unit, none: nothing
 * changes), a pass where it is. */
uint32_t et_looper_pool_full(const EtLooper *l);
/* The four counts above (with et_looper_undo_refused) in one call, for
 * the look taken every block. */
typedef struct {
	uint32_t rejected, denormals, pool_full, undo_refused;
} EtLoopCounts;
EtLoopCounts et_looper_counts(const EtLooper *l);

/* A version of the loop, and what state save needs to play it back in
 * phase.  Its samples are read with et_loop_view_read(). */
typedef struct {
	const EtLoopStore *store;
	EtVersion          version;
	uint32_t serial; /* another serial: another version (a new take, a
			  * pass, a load) */
	uint32_t length;
	double   exact_length; /* fractional frames per repetition */
	bool     anchored;     /* to the transport; else free running */
	int64_t  start_frame;  /* transport frame of sample 0 (anchored) */
	double   start_exact;  /* exact boundary that start_frame quantizes */
} EtLoopView;

/* In run()'s thread: fills *out with the loop as it plays and returns
 * true if a loop exists (PLAYING, or ARMED or OVERDUBBING over one).
 * Valid until the next process/load call; an overdub pass changes the
 * samples of the version it writes. */
bool et_looper_view(const EtLooper *l, EtLoopView *out);

/* In any other thread (save()): fills *out with the last complete loop
 * (during a pass the loop before it, during a replacing take the loop it
 * replaces) and pins it: until et_looper_unpin(), run() neither changes
 * nor reuses what it holds.  Returns false (nothing pinned) if there is
 * none: empty, or a first take still recording.  Lock-free; one pin at a
 * time. */
bool et_looper_pin(EtLooper *l, EtLoopView *out);
void et_looper_unpin(EtLooper *l);

/* Frames [k, k + n) of the view's loop as two contiguous runs (left,
 * right), n as far as one run goes (to the end of a chunk or the loop);
 * 0 at or past the end. */
uint32_t et_loop_view_read(const EtLoopView *v, uint32_t k, const float **left,
			   const float **right);
/* The whole loop into left and right (length frames each). */
void et_loop_view_copy(const EtLoopView *v, float *left, float *right);

/* Copies a loop into the preallocated store and plays it (PLAYING),
 * instead of whatever the looper held or was recording.
 * A free loop (anchored false) restarts from its sample 0; start_frame and
 * start_exact are then ignored.  An exact_length not within a frame of
 * length is replaced by length.  Returns false, and leaves the looper
 * unchanged, if length is 0 or above the capacity or a pointer is NULL.
 * NOT real-time (copies up to the whole capacity), and not concurrent with
 * et_looper_process(): the glue hands it over outside run() or swaps
 * whole loopers. */
bool et_looper_load(EtLooper *l, const float *left, const float *right,
		    uint32_t length, double exact_length, bool anchored,
		    int64_t start_frame, double start_exact);

#endif
