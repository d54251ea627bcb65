/* The plugin instance, shared by the LV2 glue files (eighttrack.c for
 * run(), state.c for save/restore).  Not part of any public interface. */
#ifndef ET_INSTANCE_H
#define ET_INSTANCE_H

#include "engine.h"
#include "notify.h"
#include "seq_out.h"
#include "uris.h"

#include <lv2/atom/forge.h>
#include <lv2/log/logger.h>
#include <lv2/worker/worker.h>

#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>

/* What run() can notice and the worker reports, once each. */
typedef enum {
	ET_REPORT_ROUTER_FIRST = 0, /* + EtRouterStatus */
	ET_REPORT_LATE_EVENT   = ET_ROUTER_STATUS_COUNT,
	ET_REPORT_NON_MIDI,
	ET_REPORT_CLOCK_DROPPED,
	ET_REPORT_REJECTED_SAMPLES, /* NaN, infinite or too loud, recorded as 0
				     */
	ET_REPORT_DENORMAL_SAMPLES, /* denormals, recorded as 0 */
	ET_REPORT_POOL_FULL,        /* a take or pass found no free chunk */
	ET_REPORT_UNDO_REFUSED,     /* an undo or redo with nothing to do */
	ET_REPORT_COUNT
} EtReport;

/* Messages from run() to the worker. */
typedef enum {
	ET_WORK_REPORT = 1, /* log a problem */
	ET_WORK_REAP,       /* free the loops that a restore replaced */
	ET_WORK_GROW,       /* make `count` chunks for the loop pool; the
			     * answer (the same kind) carries the segment */
	ET_WORK_FREE,       /* free a segment no store could take */
	ET_WORK_CALIBRATION /* log how a calibration ended */
} EtWorkKind;

typedef struct {
	uint32_t        kind; /* EtWorkKind */
	uint32_t        report;
	uint32_t        count;
	uint32_t        detail;
	EtStoreSegment *segment;
	/* ET_WORK_CALIBRATION: the report, and the track's measured value
	 * (ms, NaN: none) after it. */
	EtCalibrationReport calibration;
	float               measured_ms;
} EtWorkMessage;

#define ET_STRAYS 4

typedef struct {
	double               rate;
	LV2_URID_Map        *map;
	LV2_Log_Logger       logger;
	LV2_Worker_Schedule *schedule;
	EtUris               uris;
	EtSeqOut             midi_out;
	EtSeqOut             track_out[ET_TRACK_COUNT];
	EtSeqOut             notify;
	EtNotify             ui; /* what notify tells the UI (notify.c) */

	void *port[ET_PORT_COUNT]; /* (control inputs: also the engine's) */

	/* Everything musical: router, clocks, looper, latches (core/engine.h).
	 */
	EtEngine engine;

	/* The engine's loops (recorders.h) are what run() plays.  restore()
	 * builds a whole new set and hands it over through `incoming`; run()
	 * swaps it in at the start of a block and leaves the old one in
	 * `retired` for the worker (or the next restore) to free.  Nothing
	 * run() reads is ever freed under it. */
	_Atomic(EtRecorders *) incoming;
	_Atomic(EtRecorders *) retired;
	bool reap_due; /* run(): `retired` still needs a reap */
	/* The newest loops: what save() writes.  Only instantiate() and
	 * restore() set it, and loops are freed only after a later restore
	 * replaced it, so save() never reads one run() or the worker frees. */
	EtRecorders *saved;
	/* save() and restore() one at a time (state.c). */
	pthread_mutex_t state_lock;

	/* Growing the loop pool (grow_pool() in eighttrack.c): frames to
	 * wait before asking again after the worker could not allocate, and
	 * segments swapped loops could not take, still to be sent back
	 * to the worker to be freed. */
	uint32_t        grow_wait;
	EtStoreSegment *stray[ET_STRAYS];
	bool            grow_failed_logged; /* the worker's */

	uint32_t calibration_logged; /* the last calibration sent to the log */
	/* Frames since the problem counts and the pool were last looked at,
	 * and how many to wait between looks (about 20 ms). */
	uint32_t report_wait, report_every;
	uint32_t non_midi_events;
	uint32_t out_capacity; /* of midi_out, in the current run() */
	bool     reported[ET_REPORT_COUNT];
} Eighttrack;

/* state.c */
const void *et_state_interface(void);

#endif
