/* notify: what the plugin tells its UI on the notify port (see
 * messages.h for the format).
 *
 * Per run() the glue calls et_notify_input() with the block's input before
 * the engine renders it (the host may run in place), and et_notify_run()
 * once after.  et_notify_run() advances the eight loops' waveform
 * overviews by a bounded slice, then writes what is due, each message only
 * if it fits in what is left of the port's capacity (else it waits for the
 * next block): an Activity (when the sounding tracks changed, or after a
 * request), a Calibration (when one started or ended, or after a request,
 * while a UI listens), the Playheads and the Meter (when their time came),
 * and up to
 * ET_NOTIFY_CHUNKS_PER_RUN Overview chunks.  When a block had no room for a
 * chunk of an overview under way, the next block sends chunks before the
 * Playheads and the Meter, so that neither can starve the other.
 *
 * Overviews: each loop has its own (overview.h), scanned only while its
 * loop changed; the scan budget of a block goes to one loop at a time, in
 * turn.  An overview is copied when its sending starts and is always sent
 * to its end: another (of any loop) waits for its turn, and the loops whose
 * overview changed take turns, so that the UI gets whole overviews even
 * when scans publish them faster than they go out.  A published overview
 * the same as the one last sent for its loop (the rescan after an overdub)
 * is not sent again, unless asked.
 *
 * Everything is scanned, measured and sent only while a UI listens: for
 * ET_MSG_LISTEN_SECONDS after its last Request or Alive.  A UI that asks
 * after a silence gets fresh scans, not what was published before.
 * Real-time safe: no allocation; messages are built in a fixed buffer. */
#ifndef ET_NOTIFY_H
#define ET_NOTIFY_H

#include "engine.h" /* EtCalibrationReport */
#include "looper.h"
#include "overview.h"
#include "recorders.h"
#include "router.h"
#include "seq_out.h"
#include "uris.h"

#include <lv2/atom/atom.h>
#include <lv2/atom/forge.h>
#include <lv2/urid/urid.h>

#include <stdbool.h>
#include <stdint.h>

/* Frames of loop audio the overview scans per frame of the block, and at
 * least per run().  The scan is memory bound, about 0.7 ns a loop frame.
 * After a take or a clear: 16, so the new overview follows a sixteenth of
 * the loop's length later, for about 11 ns a frame while it scans.
 * During an overdub, which rescans the loop over and over: 4, so the
 * layers show every quarter of the loop's length, for about 3 ns a frame.
 * One loop scans per block: when several changed at once (a restore, a UI
 * that opens), they take turns. */
#define ET_NOTIFY_SCAN_RATIO         16u
#define ET_NOTIFY_SCAN_MIN           1024u
#define ET_NOTIFY_OVERDUB_SCAN_RATIO 4u
#define ET_NOTIFY_OVERDUB_SCAN_MIN   256u

/* Overview chunks per run() at most: a whole overview of every loop,
 * about 27 KB (messages.h: ET_MSG_NOTIFY_MIN_SIZE). */
#define ET_NOTIFY_CHUNKS_PER_RUN                                              \
	(ET_TRACK_COUNT * (ET_OVERVIEW_BINS / ET_MSG_OVERVIEW_CHUNK))

/* A msg:Calibration's content (messages.h). */
typedef struct {
	uint8_t  track; /* 0..7 */
	uint8_t  state; /* ET_MSG_CALIBRATION_* */
	uint8_t  reason;
	float    latency_ms, spread_ms;
	uint32_t answered; /* test notes that came back */
} EtNotifyCalibration;

/* One loop's overview, and what was last sent of it. */
typedef struct {
	EtOverview overview;
	float      sent[ET_OVERVIEW_BINS]; /* the overview last sent (or
					    * being sent) */
	uint32_t sent_length;
	bool     sent_any;  /* `sent` holds an overview */
	bool     due;       /* the published overview is to be sent */
	bool     requested; /* ... even if it is the one last sent */
} EtNotifyLoop;

typedef struct {
	const EtUris  *uris;  /* the instance's */
	LV2_Atom_Forge forge; /* URIDs mapped once; buffers set per message */
	uint32_t       sounding;     /* last Activity sent */
	bool           activity_due; /* send Activity even if unchanged */

	EtNotifyLoop loop[ET_TRACK_COUNT];
	unsigned     scan_turn; /* the loop to look at first for the scan */
	unsigned     send_turn; /* ... for the next overview to send */

	/* The overview going out: loop[sending_track].sent. */
	unsigned sending_track;
	uint32_t sending_serial;
	uint32_t sending_bins;   /* ET_OVERVIEW_BINS, or 0 for no loop */
	uint32_t next_bin;       /* next bin of it to send */
	bool     sending_active; /* its bins (or its empty chunk) remain */
	bool     chunks_first;   /* the last block had no room for a chunk */

	/* Playheads: what was last sent, and frames until the next may go. */
	float    playhead_sent[ET_TRACK_COUNT];
	bool     playheads_due; /* send them even if unchanged */
	uint64_t playhead_period, playhead_wait;

	/* The input meter: the peaks since the last Meter. */
	float    input_peak[2];
	uint64_t meter_period, meter_wait;

	/* The calibration as last looked at (et_notify_calibration), and
	 * whether the UI is yet to hear of it. */
	EtNotifyCalibration calibration;
	uint32_t            calibration_serial; /* the report's */
	bool                calibration_running;
	bool                calibration_due;
	double              ms_per_frame;

	/* A UI listens while listen_left > 0 (frames). */
	uint64_t listen_window; /* ET_MSG_LISTEN_SECONDS at the session rate */
	uint64_t listen_left;
	bool     stale; /* the overviews went unwatched: rescan first */
} EtNotify;

/* uris: the instance's (mapped once, kept as long as n); map: for the
 * forge. */
void et_notify_init(EtNotify *n, const EtUris *uris, LV2_URID_Map *map,
		    double rate);

/* True if obj is the UI's msg:Request (a full answer is scheduled) or
 * msg:Alive (the UI still listens; after a silence it also gets a full,
 * fresh answer). */
bool et_notify_take_request(EtNotify *n, const LV2_Atom_Object *obj);

/* The block's input, before anything writes the output (which may be the
 * same buffers): its peaks go into the meter, while a UI listens.  Either
 * may be NULL (unconnected). */
void et_notify_input(EtNotify *n, const float *in_l, const float *in_r,
		     uint32_t nframes);

/* Before et_notify_run(), each block: how the latest calibration ended
 * (et_engine_calibration), and whether one runs now, on track
 * `running_track`.  A change (one started, or the report's serial moved)
 * makes a Calibration due. */
void et_notify_calibration(EtNotify *n, const EtCalibrationReport *last,
			   bool running, unsigned running_track);

void et_notify_run(EtNotify *n, EtSeqOut *out, const EtRecorders *loops,
		   const EtRouter *router, uint32_t nframes);

#endif
