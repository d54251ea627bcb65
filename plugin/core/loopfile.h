/* loopfile: the recorded stereo loop on disk, for LV2 State save/restore.
 *
 * Called from save() and restore(), never from run(): these functions
 * allocate, open files and may block.  They include no LV2 header, so the
 * glue decides where the path comes from (state:makePath) and how errors
 * reach the user (log:log with et_loopfile_strerror()).
 *
 * On disk the loop is a 2-channel, 32-bit float WAV, so a save/restore round
 * trip is bit-exact (denormals and negative zero included).
 */
#ifndef ET_LOOPFILE_H
#define ET_LOOPFILE_H

#include "sample_rule.h"

#include <stdint.h>

typedef enum {
	ET_LOOPFILE_OK = 0,
	ET_LOOPFILE_ERR_OPEN,   /* the file could not be opened or created */
	ET_LOOPFILE_ERR_FORMAT, /* not stereo audio libsndfile can decode */
	ET_LOOPFILE_ERR_TRUNCATED, /* fewer frames than expected / announced */
	ET_LOOPFILE_ERR_LENGTH,    /* more frames than the saved length says */
	ET_LOOPFILE_ERR_RATE,     /* sample rate differs from the instance's */
	ET_LOOPFILE_ERR_TOO_LONG, /* more frames than the loop capacity */
	ET_LOOPFILE_ERR_EMPTY,    /* zero frames: there is no loop */
	ET_LOOPFILE_ERR_WRITE,    /* writing or finishing the file failed */
	ET_LOOPFILE_ERR_NOMEM,    /* out of memory */
	ET_LOOPFILE_ERR_NOT_REGULAR, /* a FIFO, device or folder, not a file */
	ET_LOOPFILE_ERR_INVALID /* a NULL pointer or zero rate was passed */
} EtLoopfileStatus;

/* A sentence for the user that says what happened and what the plugin did
 * (the loop is left empty on any read error).  Never NULL. */
const char *et_loopfile_strerror(EtLoopfileStatus status);

/* Where a failed write stopped, for the log line. */
typedef struct {
	const char *step; /* "creating", "writing", ...; NULL: no failure */
	char        reason[128]; /* the system's (strerror) or libsndfile's */
} EtLoopfileWriteError;

/* Writes left/right (length frames) at sample_rate to path as a 2-channel
 * 32-bit float WAV, creating or replacing it.
 *
 * The file is written under a new name in path's folder, flushed to disk
 * (fsync) and only then renamed over path: whatever fails (a full disk at
 * the start or halfway, a failed sync, the rename), the temporary file is
 * removed and what was at path before is left as it was, so a failed save
 * never destroys the last good loop, and leaves nothing behind.  A path that
 * is a symbolic link is replaced, never written through (a host may link a
 * file of an older session there).
 *
 * length 0 is ERR_EMPTY (nothing is written: save no loop instead).
 * why (may be NULL) says on failure which step failed and why. */
EtLoopfileStatus et_loopfile_write_why(const char *path, const float *left,
				       const float *right, uint32_t length,
				       uint32_t              sample_rate,
				       EtLoopfileWriteError *why);
/* Where et_loopfile_write_from() takes the samples: read() gives frames
 * [k, k + n) as two contiguous runs, n > 0 while k < the length written
 * (a loop kept in chunks, loopstore.h, gives a chunk at a time). */
typedef struct {
	uint32_t (*read)(const void *ctx, uint32_t k, const float **left,
			 const float **right);
	const void *ctx;
} EtLoopfileSource;

/* et_loopfile_write_why() from a source. */
EtLoopfileStatus et_loopfile_write_from(const char             *path,
					const EtLoopfileSource *src,
					uint32_t length, uint32_t sample_rate,
					EtLoopfileWriteError *why);

/* The same without the details. */
EtLoopfileStatus et_loopfile_write(const char *path, const float *left,
				   const float *right, uint32_t length,
				   uint32_t sample_rate);

/* Reads the loop at path.
 *
 * Only a regular file (or a symbolic link to one) is opened: a FIFO, a
 * device or a folder is ERR_NOT_REGULAR, found without blocking (a FIFO
 * opened for reading would wait for a writer forever, and the host's
 * session load with it).
 *
 * expected_length: the length saved in the plugin state, 0 if unknown.
 *   A file with fewer frames is ERR_TRUNCATED, one with more ERR_LENGTH.
 * capacity: the most frames the instance accepts; more is ERR_TOO_LONG
 *   (checked before anything is allocated, whatever the header claims).
 * sample_rate: the instance's rate; a file at another rate is ERR_RATE
 *   (the loop is not resampled: it would no longer fit the bars it spans).
 *
 * Only 2-channel files are accepted: mono and 3+ channels are ERR_FORMAT,
 * since the plugin only ever writes stereo and anything else is not a loop
 * it saved.  Any sample format libsndfile decodes is read (converted to
 * float); only float files are bit-exact.
 *
 * On success *left and *right are malloc()ed arrays of *length frames that
 * the caller releases with free().  On any error nothing stays allocated,
 * *left and *right are NULL and *length is 0.
 *
 * The samples are returned as they are in the file (bit-exact): the caller
 * makes them playable with et_loopfile_clean(). */
EtLoopfileStatus et_loopfile_read(const char *path, uint32_t sample_rate,
				  uint32_t expected_length, uint32_t capacity,
				  float **left, float **right,
				  uint32_t *length);

/* The largest magnitude a loop sample may have: +24 dBFS. */
#define ET_LOOPFILE_MAX_SAMPLE ET_SAMPLE_LIMIT /* sample_rule.h */

/* What et_loopfile_clean() replaced. */
typedef struct {
	uint32_t replaced;    /* samples set to 0, both channels */
	uint32_t not_finite;  /* NaN, +Inf, -Inf */
	uint32_t too_loud;    /* finite, beyond +-ET_LOOPFILE_MAX_SAMPLE */
	uint32_t denormal;    /* subnormal */
	uint32_t first_frame; /* the frame of the first one (if replaced) */
} EtLoopfileCleaned;

/* Sets to +0 every sample that is NaN, infinite, beyond
 * +-ET_LOOPFILE_MAX_SAMPLE or denormal, in both channels: interface.md
 * (Eight recorders) asks the same of the looper's input, and of samples
 * loaded from a file.  ET_LOOPFILE_MAX_SAMPLE itself, -0
 * and every other sample are kept bit for bit.  report may be NULL. */
void et_loopfile_clean(float *left, float *right, uint32_t length,
		       EtLoopfileCleaned *report);

#endif
