/* overview: the loop's waveform, reduced to a fixed number of peak bins for
 * the UI, computed a bounded slice at a time inside run().
 *
 * Bin b covers loop frames [b * length / BINS, (b + 1) * length / BINS) and
 * holds the largest absolute sample of either channel there.  Each call to
 * et_overview_update() scans at most `budget` frames into a work copy; when
 * a scan reaches the end of the loop the work copy is published in `peak`
 * and `serial` counts up.  A scan restarts from frame 0 when the loop's
 * length or version changes; while the loop is being changed (overdub) the
 * scanner keeps going round, so every layer shows within one pass after
 * it is recorded.  No allocation, no system call: real-time safe.
 *
 * Includes looper.h for the EtLoopView type only. */
#ifndef ET_OVERVIEW_H
#define ET_OVERVIEW_H

#include "looper.h"
#include "overview_bins.h"

#include <stdbool.h>
#include <stdint.h>

typedef struct {
	float peak[ET_OVERVIEW_BINS]; /* published: complete, for `length` */
	uint32_t length;              /* frames the published peaks cover */
	uint32_t serial;              /* counts publications (and clears) */

	/* The scan under way. */
	float      work[ET_OVERVIEW_BINS];
	EtLoopView scan;        /* the loop being scanned */
	uint32_t   scan_length; /* 0: none */
	uint32_t   cursor;      /* next frame to scan */
	bool       scanning;
	bool       again;  /* the loop changed during this scan */
	bool       forced; /* publish the next result whatever it is */
} EtOverview;

void et_overview_init(EtOverview *ov);

/* Advances the overview by at most `budget` frames.  `view` is the loop as
 * et_looper_view() gives it, or NULL when there is none (empty, or a first
 * take still recording); `changing` is true while its samples are being
 * written (overdub).  Returns true when it published new peaks (or, with
 * no loop, an empty overview) in this call. */
bool et_overview_update(EtOverview *ov, const EtLoopView *view, bool changing,
			uint32_t budget);

/* Forgets what was scanned: the next update starts a new scan from
 * frame 0 and publishes its result (an empty overview too), even if it is
 * the same as the last.  For when the loop went unwatched for a while. */
void et_overview_restart(EtOverview *ov);

/* The largest of `peak` and every |x[i]| (NaN is skipped): the scan's
 * own reduction, for whoever else measures peaks (the UI's input meter). */
float et_overview_peak(const float *x, uint32_t n, float peak);

/* The first frame of bin `bin` of a loop of `length` frames. */
uint32_t et_overview_bin_start(uint32_t bin, uint32_t length);

#endif
