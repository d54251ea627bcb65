/* loopfile: the recorded stereo loop on disk (see loopfile.h). */

/* open(), fstat(), fsync() and unlink() are POSIX, not C11. */
#define _POSIX_C_SOURCE 200809L

#include "loopfile.h"

#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <sndfile.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* Frames (de)interleaved per libsndfile call: memory stays bounded by this
 * chunk instead of a second, interleaved copy of the whole loop. */
#define ET_LOOPFILE_CHUNK_FRAMES 4096u

#define ET_LOOPFILE_CHANNELS 2

/* A RIFF WAV counts its size in 32 bits; 8 bytes a stereo float frame, and
 * room for the header and PEAK chunk. */
#define ET_LOOPFILE_MAX_WAV_FRAMES ((UINT32_MAX - 4096u) / 8u)

const char *
et_loopfile_strerror(EtLoopfileStatus status)
{
	switch (status) {
	case ET_LOOPFILE_OK: return "The loop file was saved or loaded.";
	case ET_LOOPFILE_ERR_OPEN:
		return "The loop file could not be opened or created (missing, "
		       "no permission, or its folder does not exist); the loop "
		       "was not saved or loaded.";
	case ET_LOOPFILE_ERR_FORMAT:
		return "The loop file is not stereo audio that can be read (it "
		       "is corrupt, not a sound file, or has another number of "
		       "channels); the loop was left empty.";
	case ET_LOOPFILE_ERR_TRUNCATED:
		return "The loop file is shorter than the saved loop (it was cut "
		       "off, perhaps by a full disk or an interrupted copy); the "
		       "loop was left empty.";
	case ET_LOOPFILE_ERR_LENGTH:
		return "The loop file is longer than the loop saved with the "
		       "session, so it is not the file that was saved; the loop "
		       "was left empty.";
	case ET_LOOPFILE_ERR_RATE:
		return "The loop file was recorded at another sample rate than "
		       "the session runs at; the loop was left empty (set the "
		       "session's rate back to load it).";
	case ET_LOOPFILE_ERR_TOO_LONG:
		return "The loop is longer than this plugin can hold; it was not "
		       "saved or loaded.";
	case ET_LOOPFILE_ERR_EMPTY:
		return "The loop file holds no audio; the loop was left empty.";
	case ET_LOOPFILE_ERR_WRITE:
		return "Writing the loop file failed (is the disk full?); the "
		       "loop was not saved.";
	case ET_LOOPFILE_ERR_NOMEM:
		return "There was not enough memory for the loop; it was not "
		       "loaded.";
	case ET_LOOPFILE_ERR_NOT_REGULAR:
		return "The loop file is not a regular file (a FIFO, a device "
		       "or a folder has its name); it was not opened and the "
		       "loop was left empty.";
	case ET_LOOPFILE_ERR_INVALID:
		return "The loop file functions were called with missing "
		       "arguments (a bug in the plugin); nothing was done.";
	}
	return "Unknown loop file error.";
}

static int64_t wav_announced_frames(int fd);

/* Records the failing step and the reason: errno if the call set it, else
 * libsndfile's message (file may be NULL: its last error). */
static void
fail_at(EtLoopfileWriteError *why, const char *step, int err, SNDFILE *file)
{
	if (!why) {
		return;
	}
	why->step = step;
	snprintf(why->reason, sizeof why->reason, "%s",
		 err ? strerror(err) : sf_strerror(file));
}

/* Creates a new file beside path, named path.tmp-<pid>-<n>, exclusively
 * (never an existing file, never through a link), with the mode a new
 * file gets (0666 less the umask), for reading too (its header is read
 * back).  Returns its descriptor, or -1. */
static int
create_temp(const char *path, char *temp, size_t size)
{
	static atomic_uint counter;
	for (int tries = 0; tries < 100; ++tries) {
		const unsigned n = atomic_fetch_add(&counter, 1u);
		const int len    = snprintf(temp, size, "%s.tmp-%ld-%u", path,
					    (long)getpid(), n);
		if (len < 0 || (size_t)len >= size) {
			errno = ENAMETOOLONG;
			return -1;
		}
		const int fd = open(
		    temp, O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW,
		    0666);
		if (fd >= 0 || errno != EEXIST) {
			return fd;
		}
	}
	return -1;
}

/* Flushes the folder that holds path, so that the rename lasts a crash.
 * Best effort: some file systems cannot sync a folder, and the file itself
 * is already on disk. */
static void
sync_folder_of(const char *path)
{
	char *dir = strdup(path);
	if (!dir) {
		return;
	}
	char *slash = strrchr(dir, '/');
	if (slash == dir) {
		slash[1] = '\0';
	} else if (slash) {
		*slash = '\0';
	} else {
		strcpy(dir, ".");
	}
	const int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd >= 0) {
		(void)fsync(fd);
		close(fd);
	}
	free(dir);
}

/* Interleaves frames [done, done + n) of the source into chunk; false if
 * the source ends early. */
static bool
interleave(const EtLoopfileSource *src, uint32_t done, uint32_t n,
	   float *chunk)
{
	for (uint32_t i = 0; i < n;) {
		const float *left, *right;
		uint32_t run = src->read(src->ctx, done + i, &left, &right);
		if (run == 0) {
			return false;
		}
		if (run > n - i) {
			run = n - i;
		}
		for (uint32_t j = 0; j < run; ++j, ++i) {
			chunk[2 * i]     = left[j];
			chunk[2 * i + 1] = right[j];
		}
	}
	return true;
}

/* Writes the loop into fd (a new, empty file) and flushes it to disk. */
static EtLoopfileStatus
write_into(int fd, const EtLoopfileSource *src, uint32_t length,
	   uint32_t sample_rate, EtLoopfileWriteError *why)
{
	float *chunk = malloc(sizeof(float) * ET_LOOPFILE_CHANNELS *
			      ET_LOOPFILE_CHUNK_FRAMES);
	if (!chunk) {
		fail_at(why, "allocating", ENOMEM, NULL);
		return ET_LOOPFILE_ERR_NOMEM;
	}

	SF_INFO info    = { 0 };
	info.samplerate = (int)sample_rate;
	info.channels   = ET_LOOPFILE_CHANNELS;
	info.format     = SF_FORMAT_WAV | SF_FORMAT_FLOAT;
	/* Opening writes the header: a disk already full fails here. */
	errno         = 0;
	SNDFILE *file = sf_open_fd(fd, SFM_WRITE, &info, SF_FALSE);
	if (!file) {
		fail_at(why, "writing the header", errno, NULL);
		free(chunk);
		return ET_LOOPFILE_ERR_WRITE;
	}

	EtLoopfileStatus status = ET_LOOPFILE_OK;
	for (uint32_t done = 0; done < length;) {
		uint32_t n = length - done;
		if (n > ET_LOOPFILE_CHUNK_FRAMES) {
			n = ET_LOOPFILE_CHUNK_FRAMES;
		}
		if (!interleave(src, done, n, chunk)) {
			fail_at(why, "reading the loop", EINVAL, NULL);
			status = ET_LOOPFILE_ERR_INVALID;
			break;
		}
		errno = 0;
		if (sf_writef_float(file, chunk, n) != (sf_count_t)n) {
			fail_at(why, "writing the samples", errno, file);
			status = ET_LOOPFILE_ERR_WRITE;
			break;
		}
		done += n;
	}
	free(chunk);

	/* sf_close() writes the final header sizes: a failure here leaves a
	 * file whose header lies, so it counts as a failed write.  Whether it
	 * reports one differs between libsndfile versions: the header is read
	 * back to be sure. */
	errno = 0;
	if (sf_close(file) != 0 && status == ET_LOOPFILE_OK) {
		fail_at(why, "finishing the header", errno, NULL);
		status = ET_LOOPFILE_ERR_WRITE;
	}
	if (status == ET_LOOPFILE_OK &&
	    wav_announced_frames(fd) != (int64_t)length) {
		fail_at(why, "finishing the header", EIO, NULL);
		status = ET_LOOPFILE_ERR_WRITE;
	}
	/* Delayed allocation (ext4, XFS, network file systems) may report a
	 * full disk only here. */
	if (status == ET_LOOPFILE_OK && fsync(fd) != 0) {
		fail_at(why, "flushing to disk", errno, NULL);
		status = ET_LOOPFILE_ERR_WRITE;
	}
	return status;
}

EtLoopfileStatus
et_loopfile_write_from(const char *path, const EtLoopfileSource *src,
		       uint32_t length, uint32_t sample_rate,
		       EtLoopfileWriteError *why)
{
	if (why) {
		why->step      = NULL;
		why->reason[0] = '\0';
	}
	if (!path || !src || !src->read || sample_rate == 0 ||
	    sample_rate > INT32_MAX) {
		return ET_LOOPFILE_ERR_INVALID;
	}
	if (length == 0) {
		return ET_LOOPFILE_ERR_EMPTY;
	}
	if (length > ET_LOOPFILE_MAX_WAV_FRAMES) {
		return ET_LOOPFILE_ERR_TOO_LONG;
	}

	const size_t temp_size = strlen(path) + 48;
	char        *temp      = malloc(temp_size);
	if (!temp) {
		fail_at(why, "allocating", ENOMEM, NULL);
		return ET_LOOPFILE_ERR_NOMEM;
	}
	const int fd = create_temp(path, temp, temp_size);
	if (fd < 0) {
		fail_at(why, "creating a new file beside it", errno, NULL);
		free(temp);
		return ET_LOOPFILE_ERR_OPEN;
	}

	EtLoopfileStatus status =
	    write_into(fd, src, length, sample_rate, why);
	/* close() may report what a network file system could not write. */
	if (close(fd) != 0 && status == ET_LOOPFILE_OK) {
		fail_at(why, "closing the new file", errno, NULL);
		status = ET_LOOPFILE_ERR_WRITE;
	}
	if (status == ET_LOOPFILE_OK && rename(temp, path) != 0) {
		fail_at(why, "renaming the new file over it", errno, NULL);
		status = ET_LOOPFILE_ERR_WRITE;
	}
	if (status != ET_LOOPFILE_OK) {
		unlink(temp);
	} else {
		sync_folder_of(path);
	}
	free(temp);
	return status;
}

/* Two arrays as a source: one run from k to the end. */
typedef struct {
	const float *left, *right;
	uint32_t     length;
} Arrays;

static uint32_t
read_arrays(const void *ctx, uint32_t k, const float **left,
	    const float **right)
{
	const Arrays *a = (const Arrays *)ctx;
	if (k >= a->length) {
		return 0;
	}
	*left  = a->left + k;
	*right = a->right + k;
	return a->length - k;
}

EtLoopfileStatus
et_loopfile_write_why(const char *path, const float *left, const float *right,
		      uint32_t length, uint32_t sample_rate,
		      EtLoopfileWriteError *why)
{
	if (!left || !right) {
		if (why) {
			why->step      = NULL;
			why->reason[0] = '\0';
		}
		return ET_LOOPFILE_ERR_INVALID;
	}
	const Arrays           arrays = { left, right, length };
	const EtLoopfileSource src    = { read_arrays, &arrays };
	return et_loopfile_write_from(path, &src, length, sample_rate, why);
}

EtLoopfileStatus
et_loopfile_write(const char *path, const float *left, const float *right,
		  uint32_t length, uint32_t sample_rate)
{
	return et_loopfile_write_why(path, left, right, length, sample_rate,
				     NULL);
}

static uint32_t
le32(const unsigned char *b)
{
	return (uint32_t)b[0] | (uint32_t)b[1] << 8 | (uint32_t)b[2] << 16 |
	       (uint32_t)b[3] << 24;
}

/* The frame count a RIFF WAV's data chunk announces, or -1 if it is not a
 * plain RIFF WAV or the chunks cannot be walked.  libsndfile silently trims
 * its frame count to the bytes present, so a file cut short (a full disk,
 * an interrupted copy) is only seen as truncated by reading the header
 * ourselves.  pread() leaves the descriptor's offset to libsndfile. */
static int64_t
wav_announced_frames(int fd)
{
	unsigned char b[16];
	if (pread(fd, b, 12, 0) != 12 || memcmp(b, "RIFF", 4) != 0 ||
	    memcmp(b + 8, "WAVE", 4) != 0) {
		return -1;
	}
	uint32_t block_align = 0;
	off_t    pos         = 12;
	/* A loop file has three or four chunks; the bound stops a loop over
	 * a corrupt chain. */
	for (int chunks = 0; chunks < 64; ++chunks) {
		if (pread(fd, b, 8, pos) != 8) {
			return -1;
		}
		uint32_t size = le32(b + 4);
		if (memcmp(b, "fmt ", 4) == 0) {
			if (size < 16 || pread(fd, b, 16, pos + 8) != 16) {
				return -1;
			}
			block_align = (uint32_t)b[12] | (uint32_t)b[13] << 8;
		} else if (memcmp(b, "data", 4) == 0) {
			return block_align ? (int64_t)(size / block_align)
					   : -1;
		}
		pos += 8 + (off_t)size + (size & 1u);
	}
	return -1;
}

/* Checks what the header says before a single frame is allocated. */
static EtLoopfileStatus
check_header(const SF_INFO *info, int64_t announced, uint32_t sample_rate,
	     uint32_t expected_length, uint32_t capacity)
{
	if (info->channels != ET_LOOPFILE_CHANNELS || info->frames < 0) {
		return ET_LOOPFILE_ERR_FORMAT;
	}
	if (info->samplerate <= 0 ||
	    (uint32_t)info->samplerate != sample_rate) {
		return ET_LOOPFILE_ERR_RATE;
	}
	if (info->frames < (sf_count_t)expected_length ||
	    info->frames < announced) {
		return ET_LOOPFILE_ERR_TRUNCATED;
	}
	if (info->frames == 0) {
		return ET_LOOPFILE_ERR_EMPTY;
	}
	/* A corrupt or hostile header may claim billions of frames: the
	 * capacity bounds what gets allocated. */
	if (info->frames > (sf_count_t)capacity) {
		return ET_LOOPFILE_ERR_TOO_LONG;
	}
	if (expected_length != 0 &&
	    info->frames > (sf_count_t)expected_length) {
		return ET_LOOPFILE_ERR_LENGTH;
	}
	return ET_LOOPFILE_OK;
}

/* Reads exactly length frames into left/right, through a bounded chunk. */
static EtLoopfileStatus
read_frames(SNDFILE *file, float *left, float *right, uint32_t length)
{
	float *chunk = malloc(sizeof(float) * ET_LOOPFILE_CHANNELS *
			      ET_LOOPFILE_CHUNK_FRAMES);
	if (!chunk) {
		return ET_LOOPFILE_ERR_NOMEM;
	}
	EtLoopfileStatus status = ET_LOOPFILE_OK;
	for (uint32_t done = 0; done < length;) {
		uint32_t n = length - done;
		if (n > ET_LOOPFILE_CHUNK_FRAMES) {
			n = ET_LOOPFILE_CHUNK_FRAMES;
		}
		/* Fewer frames than the header announced: the data ends early.
		 */
		if (sf_readf_float(file, chunk, n) != (sf_count_t)n) {
			status = ET_LOOPFILE_ERR_TRUNCATED;
			break;
		}
		for (uint32_t i = 0; i < n; ++i) {
			left[done + i]  = chunk[2 * i];
			right[done + i] = chunk[2 * i + 1];
		}
		done += n;
	}
	free(chunk);
	return status;
}

EtLoopfileStatus
et_loopfile_read(const char *path, uint32_t sample_rate,
		 uint32_t expected_length, uint32_t capacity, float **left,
		 float **right, uint32_t *length)
{
	if (left) {
		*left = NULL;
	}
	if (right) {
		*right = NULL;
	}
	if (length) {
		*length = 0;
	}
	if (!path || !left || !right || !length || sample_rate == 0) {
		return ET_LOOPFILE_ERR_INVALID;
	}

	/* Opening the file ourselves separates "cannot open" (OPEN) from
	 * "opened but not audio" (FORMAT), which sf_open() alone blurs; and
	 * without a file name libsndfile guesses nothing from an extension.
	 *
	 * Only a regular file is opened: a FIFO opened for reading waits for
	 * a writer, forever, and a device may do anything.  stat() first, so
	 * that no device is opened at all; O_NONBLOCK and fstat() after, so
	 * that a FIFO put there in between cannot block the open either (on a
	 * regular file O_NONBLOCK changes nothing). */
	struct stat st;
	if (stat(path, &st) != 0) {
		return ET_LOOPFILE_ERR_OPEN;
	}
	if (!S_ISREG(st.st_mode)) {
		return ET_LOOPFILE_ERR_NOT_REGULAR;
	}
	int fd = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC | O_NOCTTY);
	if (fd < 0) {
		return ET_LOOPFILE_ERR_OPEN;
	}
	if (fstat(fd, &st) != 0) {
		close(fd);
		return ET_LOOPFILE_ERR_OPEN;
	}
	if (!S_ISREG(st.st_mode)) {
		close(fd);
		return ET_LOOPFILE_ERR_NOT_REGULAR;
	}

	SF_INFO info = { 0 };
	/* SF_FALSE: we close fd ourselves, on every path, exactly once. */
	SNDFILE *file = sf_open_fd(fd, SFM_READ, &info, SF_FALSE);
	if (!file) {
		close(fd);
		return ET_LOOPFILE_ERR_FORMAT;
	}

	EtLoopfileStatus status =
	    check_header(&info, wav_announced_frames(fd), sample_rate,
			 expected_length, capacity);
	float   *l      = NULL;
	float   *r      = NULL;
	uint32_t frames = 0;
	if (status == ET_LOOPFILE_OK) {
		frames = (uint32_t)info.frames;
#if SIZE_MAX / 4 < UINT32_MAX
		/* Only where size_t is narrower than a frame count times 4. */
		if (frames > SIZE_MAX / sizeof(float)) {
			status = ET_LOOPFILE_ERR_NOMEM;
		}
#endif
	}
	if (status == ET_LOOPFILE_OK) {
		l = malloc(sizeof(float) * frames);
		r = malloc(sizeof(float) * frames);
		if (!l || !r) {
			status = ET_LOOPFILE_ERR_NOMEM;
		}
	}
	if (status == ET_LOOPFILE_OK) {
		status = read_frames(file, l, r, frames);
	}
	sf_close(file);
	close(fd);

	if (status != ET_LOOPFILE_OK) {
		free(l);
		free(r);
		return status;
	}
	*left   = l;
	*right  = r;
	*length = frames;
	return ET_LOOPFILE_OK;
}

void
et_loopfile_clean(float *left, float *right, uint32_t length,
		  EtLoopfileCleaned *report)
{
	EtLoopfileCleaned r                              = { 0 };
	float *const      channels[ET_LOOPFILE_CHANNELS] = { left, right };
	for (int c = 0; c < ET_LOOPFILE_CHANNELS; ++c) {
		float *x = channels[c];
		if (!x) {
			continue;
		}
		for (uint32_t i = 0; i < length; ++i) {
			const EtSampleClass kind = et_sample_class(x[i]);
			if (kind == ET_SAMPLE_PLAYABLE ||
			    kind == ET_SAMPLE_ZERO) {
				continue;
			}
			if (kind == ET_SAMPLE_NOT_FINITE) {
				++r.not_finite;
			} else if (kind == ET_SAMPLE_DENORMAL) {
				++r.denormal;
			} else {
				++r.too_loud;
			}
			/* The right channel's may come before the left's. */
			if (r.replaced == 0 || i < r.first_frame) {
				r.first_frame = i;
			}
			++r.replaced;
			x[i] = 0.0f;
		}
	}
	if (report) {
		*report = r;
	}
}
