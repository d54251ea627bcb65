/* loopstore: versions of a loop in a pool of chunks, copy-on-write.
 *
 * Why: LV2 lets save() run in another thread while run() records.  A save
 * must write one consistent loop, the last complete one (interface.md):
 * during an overdub pass, the loop as it was before the pass; during a
 * take that replaces a loop, that loop; during a first take, none.  So a
 * pass never writes into the loop that save() may be reading: it writes
 * into a new version, which shares every chunk it has not changed with the
 * version it started from, and only when the pass is complete does the
 * new version replace the old one.  The undo steps of the eight recorders
 * are such versions too.
 *
 * A version is a table of chunks of ET_STORE_CHUNK_FRAMES stereo frames
 * and the loop's place on the grid (EtLoopPlace).  Chunks are counted
 * references: a chunk that more than one version holds is never written;
 * the first write into it copies it (the frames before the write, at
 * once; the frames after it as the pass reaches them, so an overdub reads
 * each old sample once and writes each new one once, as it did in place).
 *
 * Threads: everything here except et_store_pin() / et_store_unpin() and
 * reading a pinned version belongs to one thread, the one that runs the
 * looper (run()), and is real-time safe: no allocation, lock or system
 * call; all memory is allocated and touched by et_store_new() and, for
 * later chunks, by et_store_grow() outside run().  The save
 * thread pins the published version (a hazard pointer: run() defers
 * recycling a pinned version's chunks until it is unpinned), so what it
 * reads is never changed or reused under it.
 */
#ifndef ET_LOOPSTORE_H
#define ET_LOOPSTORE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* 4096 frames: 85 ms at 48 kHz.  A copy-on-write copies at most one chunk
 * at a pass's start and end; a power of two, so a frame's chunk is a
 * shift. */
#define ET_STORE_CHUNK_SHIFT  12
#define ET_STORE_CHUNK_FRAMES (1u << ET_STORE_CHUNK_SHIFT)

/* Frames from frame k of a loop to the end of k's chunk: how far past a
 * pointer that et_store_read() or et_store_write() gave for k the memory
 * is still that chunk's (each channel of a chunk, and the silent chunk,
 * holds ET_STORE_CHUNK_FRAMES samples). */
static inline uint32_t
et_store_chunk_rest(uint32_t k)
{
	return ET_STORE_CHUNK_FRAMES - (k & (ET_STORE_CHUNK_FRAMES - 1u));
}

/* Version slots per loop: the loop, the version a pass writes, the one a
 * fade-out tail still reads, the one a replacing take may give back, one a
 * save has pinned, room to spare, and the undo and redo steps (looper.h,
 * ET_LOOPER_UNDO_STEPS each). */
#define ET_STORE_VERSIONS 24

/* Loops that may share one store (one per track). */
#define ET_STORE_MAX_LOOPS 8

/* A version: a slot number, or ET_NO_VERSION. */
typedef int32_t EtVersion;
#define ET_NO_VERSION (-1)

/* Where a loop sits in time: what it takes to play it in phase. */
typedef struct {
	uint32_t length;       /* frames */
	double   exact_length; /* fractional frames per repetition */
	bool     anchored;     /* to the transport; else free running */
	int64_t  start;        /* time of sample 0 */
	double   start_exact;  /* the exact boundary that start quantizes */
} EtLoopPlace;

typedef struct EtLoopStore EtLoopStore;

/* A store for `loops` loops (1 .. ET_STORE_MAX_LOOPS) sharing one pool of
 * chunks, whose versions hold at most max_frames frames, with chunks for
 * first_frames frames allocated and touched here, and room to grow to
 * limit_frames (see "growing" below).  Each loop has its own published
 * version and pin; version slots (ET_STORE_VERSIONS per loop) and chunks
 * are shared.  NULL on allocation failure, a size of 0, a limit below the
 * first size or a count of loops out of range.  Not real-time. */
EtLoopStore *et_store_new(uint32_t max_frames, uint32_t first_frames,
			  uint32_t limit_frames, uint32_t loops);
uint32_t     et_store_loops(const EtLoopStore *s);
void         et_store_free(EtLoopStore *s);

uint32_t et_store_max_frames(const EtLoopStore *s);

/* ---- run()'s side ------------------------------------------------------*/

/* A new version with no chunks (for a take), or one that shares every
 * chunk of base (for a pass over it), its place copied; held once by the
 * caller.  ET_NO_VERSION if every slot is in use. */
EtVersion et_store_begin(EtLoopStore *s);
EtVersion et_store_fork(EtLoopStore *s, EtVersion base);

/* Holds (counts one more user of) a version, or lets one go: a version
 * no one holds gives its chunks back, at once or, while a save has it
 * pinned, at the first et_store_collect() after the save is done.  Both
 * accept ET_NO_VERSION and do nothing. */
void et_store_hold(EtLoopStore *s, EtVersion v);
void et_store_drop(EtLoopStore *s, EtVersion v);

/* Makes v (complete, held by the caller, never written again) what save()
 * sees of loop `loop`, holding it for as long as it stays published;
 * ET_NO_VERSION: no loop.  Lets the previously published version go. */
void      et_store_publish(EtLoopStore *s, uint32_t loop, EtVersion v);
EtVersion et_store_published(const EtLoopStore *s, uint32_t loop);

/* Recycles what waited for a save to finish.  Cheap: call once a block. */
void et_store_collect(EtLoopStore *s);

EtLoopPlace *et_store_place(EtLoopStore *s, EtVersion v);
/* Tells versions apart over time: a slot's serial changes whenever it is
 * begun again. */
uint32_t et_store_serial(const EtLoopStore *s, EtVersion v);

/* Bytes the pool's samples are aligned to (a cache line): every chunk
 * starts on one, so the kernels' vector loads do not split across lines
 * (eight loops at 1024 frames took twice as long where malloc put the
 * pool off a line).  Buffers the kernels read beside the loops use it
 * too. */
#define ET_STORE_ALIGN 64

/* `bytes` of memory on ET_STORE_ALIGN, or NULL; free() lets it go. */
void *et_store_alloc(size_t bytes);

/* Frames [k, k + n) of v as two contiguous runs (left, right), n > 0 and
 * at most to the end of k's chunk; a chunk the version never had reads
 * as 0.  k < max_frames. */
uint32_t et_store_read(const EtLoopStore *s, EtVersion v, uint32_t k,
		       const float **left, const float **right);

/* Makes frames [k, k + n) of v writable, 0 < n <= want, within k's chunk:
 * *dst_* is where they go, *src_* what they hold now (the same place, or
 * the shared chunk being copied).  The caller must then write every one
 * of the n frames.  Returns 0 if the pool has no free chunk (or
 * k >= max_frames): nothing was changed. */
uint32_t et_store_write(EtLoopStore *s, EtVersion v, uint32_t k, uint32_t want,
			const float **src_l, const float **src_r,
			float **dst_l, float **dst_r);

/* Finishes a copy left half-done by et_store_write() (the rest of the
 * chunk it was writing), so that v is complete: call when a pass ends. */
void et_store_settle(EtLoopStore *s, EtVersion v);

/* How many frames from frame k on a take can still write into v: to
 * max_frames, as far as the free chunks reach. */
uint32_t et_store_room(const EtLoopStore *s, EtVersion v, uint32_t k);

/* When a write finds no free chunk, the store calls reclaim(ctx) until
 * one is free or it returns false: the owner lets go of versions it can
 * spare (the oldest undo steps).  In run()'s thread. */
void et_store_set_reclaim(EtLoopStore *s, bool (*reclaim)(void *), void *ctx);
/* Reclaims until et_store_room(s, v, k) is at least want, or nothing is
 * left to reclaim. */
void et_store_make_room(EtLoopStore *s, EtVersion v, uint32_t k,
			uint32_t want);

/* Free chunks left in the pool, and chunks in it (free or not). */
uint32_t et_store_free_chunks(const EtLoopStore *s);
uint32_t et_store_chunk_count(const EtLoopStore *s);

/* ---- growing: the pool grows outside run(), ahead of need ------------
 *
 * Once a block run()'s thread calls et_store_request(): when the free
 * chunks run low it returns how many more to make (else 0, and 0 until
 * that request is answered).  Another thread (the worker) makes them with
 * et_store_segment_new(), which allocates and touches them, and hands the
 * segment back to run()'s thread, where et_store_adopt() adds it to the
 * pool: no allocation, lock or page fault there.  The pool never shrinks
 * and stops at limit_frames. */
typedef struct EtStoreSegment EtStoreSegment;

uint32_t et_store_request(EtLoopStore *s);
/* The request could not be sent or answered: the next et_store_request()
 * may ask again. */
void et_store_request_failed(EtLoopStore *s);

/* Not real-time, any thread.  NULL when out of memory. */
EtStoreSegment *et_store_segment_new(uint32_t chunks);
void            et_store_segment_free(EtStoreSegment *g);

/* run()'s thread, real-time.  Takes the segment into the pool and returns
 * NULL, or returns it untouched if it does not fit under the limit (a
 * segment made for another store): the caller frees it outside run(). */
EtStoreSegment *et_store_adopt(EtLoopStore *s, EtStoreSegment *g);

/* Not real-time, and not beside run(): makes and adopts one more segment
 * at once (loading a loop before the store is handed to run()).  False at
 * the limit or out of memory. */
bool et_store_grow(EtLoopStore *s);

/* Bytes of audio in the pool, from any thread. */
uint64_t et_store_bytes(const EtLoopStore *s);

/* ---- the save thread's side --------------------------------------------*/

/* Pins loop `loop`'s published version (ET_NO_VERSION: none complete):
 * until et_store_unpin(), its place and samples stay as they are, and
 * et_store_read() may be called on it from this thread.  One pin per
 * loop at a time. */
EtVersion et_store_pin(EtLoopStore *s, uint32_t loop);
void      et_store_unpin(EtLoopStore *s, uint32_t loop);

#endif
