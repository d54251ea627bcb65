/* recorders: the eight loops, one per track, and how they share the input,
 * the output and one pool of memory (interface.md, "Eight recorders").
 *
 * Each track owns a looper (looper.h) for one loop of a shared store
 * (loopstore.h): one pool of chunks that grows in the worker, so a loop may
 * use all of it and loops that are not recorded cost nothing.  The
 * loop_* ports act on the active track's loop, with these rules:
 * - The arm goes to one loop at a time: the active track's when it is
 *   switched on, and it stays with that loop, whatever track becomes
 *   active, until it is switched off (that is the pass's disarm).  So an
 *   arm while a pass runs on another track (the port or note 48 toggled)
 *   is that pass's disarm, and the next arm starts a pass on the track then
 *   active.  Only one take or overdub pass records the one stereo input:
 *   while the pass disarmed before it still runs (a take waiting for its
 *   quantize point), the armed loop is held (et_looper_set_hold) and its
 *   pass starts, at the earliest, on the frame where that one ends (a free
 *   overdub, which would start at once, starts there).
 * - Clear acts on the active track's loop.
 * - loop_mute and loop_level are the masters: a loop plays at loop_level +
 *   its track's level (dB), and is silent when either mute is on.
 * - Output = monitor * input + the sum of every loop at its level.
 *
 * Real-time safe (et_recorders_process and the setters): no allocation,
 * lock or system call.  The input is copied into a scratch buffer, in
 * pieces, only when the host hands in and out as the same buffers (the
 * loops add into out, and a take must read the input as it came). */
#ifndef ET_RECORDERS_H
#define ET_RECORDERS_H

#include "clock.h"
#include "looper.h"
#include "loopstore.h"
#include "port_list.h"

#include <stdbool.h>
#include <stdint.h>

/* What the ports say, read as their types. */
typedef struct {
	/* The loop_* ports and monitor: arm as latched (port or note),
	 * overdub, quantize and bars for the passes, mute and level_db the
	 * masters; clear is not read (et_recorders_trigger_clear). */
	EtLooperControls loop;
	uint8_t          active;     /* the active track, 0..7 */
	bool             undo, redo; /* triggers: a 0->1 edge acts */
	bool             track_mute[ET_TRACK_COUNT];
	float            track_level_db[ET_TRACK_COUNT]; /* -60 .. +6 */
} EtRecorderControls;

EtRecorderControls et_recorders_default_controls(void);

typedef struct EtRecorders EtRecorders;

/* Eight loops of up to capacity_frames each, sharing a pool that starts
 * with first_frames and grows to limit_frames (loopstore.h).  NULL on
 * allocation failure or bad sizes.  Not real-time. */
EtRecorders *et_recorders_new(double sample_rate, uint32_t capacity_frames,
			      uint32_t first_frames, uint32_t limit_frames);
void         et_recorders_free(EtRecorders *r);

/* At the start of a block and wherever a control note changes something;
 * acts at the first frame the next et_recorders_process() renders, as
 * et_looper_set_controls() does. */
void et_recorders_set_controls(EtRecorders *r, const EtRecorderControls *c);
/* Takes c as the previous values, acting on nothing (after a restore). */
void et_recorders_set_baseline(EtRecorders *r, const EtRecorderControls *c);
/* Clears, undoes on or redoes on the active track's loop at the next
 * frame rendered (a control note). */
void et_recorders_trigger_clear(EtRecorders *r);
void et_recorders_trigger_undo(EtRecorders *r);
void et_recorders_trigger_redo(EtRecorders *r);

/* Renders frames [block_offset, block_offset + n) of the block into out,
 * as et_looper_process() does; in and out may be the same buffers. */
void et_recorders_process(EtRecorders *r, const EtClock *clk,
			  const float *in_l, const float *in_r, float *out_l,
			  float *out_r, uint32_t block_offset, uint32_t n);
/* The same, but the span's last pass over the output (the loops that
 * only play, and the monitored input, mixed in one) may be left pending
 * until et_recorders_write_pending(), which the next call of either does
 * first.  run() writes it last, when the block's other work is done:
 * nothing after it waits for those stores to reach the cache.  The input
 * and output must stay as they are until then. */
void et_recorders_process_deferred(EtRecorders *r, const EtClock *clk,
				   const float *in_l, const float *in_r,
				   float *out_l, float *out_r,
				   uint32_t block_offset, uint32_t n);
void et_recorders_write_pending(EtRecorders *r);

/* Track t's looper (0..7), for its state, views, saves and loads. */
EtLooper       *et_recorders_loop(EtRecorders *r, unsigned track);
const EtLooper *et_recorders_loop_const(const EtRecorders *r, unsigned track);
/* The active track's looper (what loop_state and the others report). */
const EtLooper *et_recorders_active(const EtRecorders *r);
/* The track whose loop has the arm, or -1. */
int          et_recorders_armed(const EtRecorders *r);
EtLoopStore *et_recorders_store(EtRecorders *r);
/* A take or overdub pass is under way on some loop. */
bool et_recorders_passing(const EtRecorders *r);

/* For the test that holds the mix of loops that only play
 * (et_looper_mix) to rendering them one by one: off, every loop renders
 * itself.  On by default. */
void et_recorders_mix_plain(EtRecorders *r, bool on);
/* Spans of loops mixed in one pass so far. */
uint32_t et_recorders_mixed(const EtRecorders *r);

/* Round-trip compensation (interface.md): each track's measured round
 * trip in ms, NaN if it was never measured.  Kept here, with the loops,
 * so that a restore hands both to run() at once; set in run()'s thread
 * (or before the recorders are handed over), read from any (save()). */
void  et_recorders_set_measured(EtRecorders *r, unsigned track, float ms);
float et_recorders_measured(const EtRecorders *r, unsigned track);
/* The lag of track t's next take or pass, in frames (et_looper_set_lag).
 */
void et_recorders_set_lag(EtRecorders *r, unsigned track, uint32_t frames);

/* Every loop's state (looper.h's EtLoopState, as the output controls
 * carry it), in one call. */
void et_recorders_states(const EtRecorders *r, float state[ET_TRACK_COUNT]);

/* Counts over all loops (looper.h). */
uint32_t et_recorders_rejected(const EtRecorders *r);
uint32_t et_recorders_denormals(const EtRecorders *r);
uint32_t et_recorders_pool_full(const EtRecorders *r);
uint32_t et_recorders_undo_refused(const EtRecorders *r);

/* The four above at once (run() looks every block). */
EtLoopCounts et_recorders_counts(const EtRecorders *r);

#endif
