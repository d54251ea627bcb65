/* notify: what the plugin tells its UI on the notify port (see
 * messages.h for the format).
 *
 * Per run() the glue calls et_notify_run() once, after the block is
 * rendered: it advances the waveform overview by a bounded slice, then
 * writes at most one Activity message (when the sounding tracks changed, or
 * after a request) and up to ET_NOTIFY_CHUNKS_PER_RUN Overview chunks, each
 * only if it fits in what is left of the port's capacity (else it waits for
 * the next block).  An overview is copied when its sending starts and is
 * always sent to its end: a newer one (or a request) waits for its turn,
 * so that the UI gets whole overviews even when the scan publishes them
 * faster than they go out.  A published overview the same as the one last
 * sent (the rescan after an overdub) is not sent again, unless asked.
 * The overview is scanned and sent only while a UI listens: for
 * ET_MSG_LISTEN_SECONDS after its last Request or Alive.  A UI that asks
 * after a silence gets a fresh scan, not what was published before.
 * Real-time safe: no allocation; messages are built in a fixed buffer. */
#ifndef ET_NOTIFY_H
#define ET_NOTIFY_H

#include "looper.h"
#include "overview.h"
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
 * layers show every quarter of the loop's length, for about 3 ns a frame. */
#define ET_NOTIFY_SCAN_RATIO         16u
#define ET_NOTIFY_SCAN_MIN           1024u
#define ET_NOTIFY_OVERDUB_SCAN_RATIO 4u
#define ET_NOTIFY_OVERDUB_SCAN_MIN   256u

/* Overview chunks per run() at most: a whole overview, about 3.3 KB. */
#define ET_NOTIFY_CHUNKS_PER_RUN (ET_OVERVIEW_BINS / 64u)

typedef struct {
	const EtUris  *uris;  /* the instance's */
	LV2_Atom_Forge forge; /* URIDs mapped once; buffers set per message */
	EtOverview     overview;
	uint32_t       sounding;     /* last Activity sent */
	bool           activity_due; /* send Activity even if unchanged */

	/* The overview being sent: a copy of the published one. */
	float    sending[ET_OVERVIEW_BINS];
	uint32_t sending_serial, sending_length;
	uint32_t sending_bins;   /* ET_OVERVIEW_BINS, or 0 for no loop */
	uint32_t next_bin;       /* next bin of it to send */
	bool     sending_active; /* its bins (or its empty chunk) remain */
	bool     overview_due; /* the published overview is to be sent next */
	bool     requested;    /* ... even if it is the one last sent */
	bool     sent_any;     /* `sending` holds the overview last sent */

	/* A UI listens while listen_left > 0 (frames). */
	uint64_t listen_window; /* ET_MSG_LISTEN_SECONDS at the session rate */
	uint64_t listen_left;
	bool     stale; /* the overview went unwatched: rescan first */
} EtNotify;

/* uris: the instance's (mapped once, kept as long as n); map: for the
 * forge. */
void et_notify_init(EtNotify     *n,
		    const EtUris *uris,
		    LV2_URID_Map *map,
		    double        rate);

/* True if obj is the UI's msg:Request (a full answer is scheduled) or
 * msg:Alive (the UI still listens; after a silence it also gets a full,
 * fresh answer). */
bool et_notify_take_request(EtNotify *n, const LV2_Atom_Object *obj);

void et_notify_run(EtNotify       *n,
		   EtSeqOut       *out,
		   const EtLooper *looper,
		   const EtRouter *router,
		   uint32_t        nframes);

#endif
