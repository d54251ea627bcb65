#include "loopstore.h"

#include "touch.h"

#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>

#define CHUNK      ET_STORE_CHUNK_FRAMES
#define CHUNK_MASK (CHUNK - 1u)
#define NO_CHUNK   UINT32_MAX

typedef struct {
	uint32_t   *table;  /* the chunk of each CHUNK frames, or NO_CHUNK */
	uint32_t    used;   /* entries [0, used) may hold a chunk */
	uint32_t    holds;  /* users; the published version counts one */
	bool        live;   /* held, or waiting for a save to unpin it */
	uint32_t    serial; /* which version this slot holds now */
	EtLoopPlace place;
	/* A copy in progress: entry `front` has a chunk of its own whose
	 * frames [0, fill) are written; the rest still lies in front_old,
	 * which this version keeps a reference to until settled. */
	int32_t  front; /* -1: none */
	uint32_t fill;
	uint32_t front_old;
} Version;

/* Chunks come in segments: the first from et_store_new(), the others made
 * by et_store_segment_new() outside run().  Each is allocated and touched
 * whole, its samples on ET_STORE_ALIGN (loopstore.h). */
struct EtStoreSegment {
	struct EtStoreSegment *next;
	uint32_t               chunks;
	_Alignas(ET_STORE_ALIGN) float data[]; /* chunks * 2 * CHUNK */
};
typedef EtStoreSegment Segment;

struct EtLoopStore {
	uint32_t  max_frames;
	uint32_t  entries;     /* table entries per version */
	uint32_t  chunk_count; /* chunks run() has adopted */
	uint32_t  max_chunks;  /* the pool's limit */
	uint32_t  grow_chunks; /* a segment from et_store_grow() */
	float   **chunk; /* chunk c: CHUNK left frames, then CHUNK right */
	uint16_t *ref;   /* versions holding each chunk */
	uint32_t *free_list;
	uint32_t  free_top;
	float    *zero;      /* CHUNK frames of silence: a chunk never given */
	Segment  *segments;  /* adopted, for et_store_free() */
	bool      requested; /* a segment is on its way */
	uint32_t  deferred;  /* versions let go while pinned, not yet freed */
	bool (*reclaim)(void *);
	void    *reclaim_ctx;
	uint32_t loops;
	int32_t  slots; /* loops * ET_STORE_VERSIONS */
	Version *v;
	uint32_t serial; /* versions begun */
	/* Per loop: what save() sees, and what a save has pinned. */
	_Atomic EtVersion published[ET_STORE_MAX_LOOPS];
	_Atomic EtVersion pinned[ET_STORE_MAX_LOOPS];
	/* Bytes of audio in the pool, for any thread to read. */
	_Atomic uint64_t bytes;
};

static float *
chunk_left(const EtLoopStore *s, uint32_t c)
{
	return s->chunk[c];
}

static uint32_t
min_u32(uint32_t a, uint32_t b)
{
	return a < b ? a : b;
}

static uint32_t
chunks_for(uint64_t frames)
{
	const uint64_t c = (frames + CHUNK - 1) / CHUNK;
	return c < UINT32_MAX ? (uint32_t)c : UINT32_MAX;
}

void *
et_store_alloc(size_t bytes)
{
	void *mem = NULL;
	return posix_memalign(&mem, ET_STORE_ALIGN, bytes) ? NULL : mem;
}

Segment *
et_store_segment_new(uint32_t chunks)
{
	/* At most UINT32_MAX chunks of 32 KiB: fits size_t on 64 bits; on 32
	 * bits malloc refuses what wraps (checked in 64 bits first). */
	const uint64_t bytes =
	    sizeof(Segment) + (uint64_t)chunks * 2u * CHUNK * sizeof(float);
	if (chunks == 0 || bytes > (uint64_t)(SIZE_MAX / 2))
		return NULL;
	const size_t floats = (size_t)chunks * 2u * CHUNK;
	Segment *g = et_store_alloc(sizeof(Segment) + sizeof(float) * floats);
	if (!g)
		return NULL;
	et_touch(g->data, sizeof(float) * floats);
	g->chunks = chunks;
	g->next   = NULL;
	return g;
}

/* In run()'s thread (or with run() not running): the segment's chunks
 * join the pool, on top of the free list. */
static void
adopt(EtLoopStore *s, Segment *g)
{
	for (uint32_t i = g->chunks; i-- > 0;) {
		const uint32_t c            = s->chunk_count + i;
		s->chunk[c]                 = g->data + (size_t)i * 2u * CHUNK;
		s->ref[c]                   = 0;
		s->free_list[s->free_top++] = c;
	}
	s->chunk_count += g->chunks;
	g->next     = s->segments;
	s->segments = g;
	atomic_store_explicit(
	    &s->bytes, (uint64_t)s->chunk_count * 2u * CHUNK * sizeof(float),
	    memory_order_relaxed);
}

void
et_store_segment_free(Segment *g)
{
	free(g);
}

EtLoopStore *
et_store_new(uint32_t max_frames, uint32_t first_frames, uint32_t limit_frames,
	     uint32_t loops)
{
	if (max_frames == 0 || first_frames == 0 ||
	    limit_frames < first_frames || loops == 0 ||
	    loops > ET_STORE_MAX_LOOPS)
		return NULL;
	EtLoopStore *s = calloc(1, sizeof *s);
	if (!s)
		return NULL;
	s->loops       = loops;
	s->slots       = (int32_t)(loops * ET_STORE_VERSIONS);
	s->v           = calloc((size_t)s->slots, sizeof *s->v);
	s->max_frames  = max_frames;
	s->entries     = chunks_for(max_frames);
	s->max_chunks  = chunks_for(limit_frames);
	s->grow_chunks = chunks_for(first_frames);
	s->chunk       = malloc(sizeof *s->chunk * s->max_chunks);
	s->ref         = malloc(sizeof *s->ref * s->max_chunks);
	s->free_list   = malloc(sizeof(uint32_t) * s->max_chunks);
	s->zero        = et_store_alloc(sizeof(float) * CHUNK);
	uint32_t *tables =
	    malloc(sizeof(uint32_t) * (size_t)s->entries * (size_t)s->slots);
	if (s->v)
		s->v[0].table = tables;
	Segment *first = et_store_segment_new(s->grow_chunks);
	if (!s->v || !s->chunk || !s->ref || !s->free_list || !s->zero ||
	    !tables || !first) {
		free(first);
		et_store_free(s);
		return NULL;
	}
	/* Everything run() writes or reads is touched here, for the whole
	 * limit: the chunk pointers, counts and free list (the chunks of
	 * later segments are touched by et_store_grow()), and the tables
	 * (written below). */
	et_touch(s->chunk, sizeof *s->chunk * s->max_chunks);
	et_touch(s->ref, sizeof *s->ref * s->max_chunks);
	et_touch(s->free_list, sizeof(uint32_t) * s->max_chunks);
	et_touch(s->zero, sizeof(float) * CHUNK);
	atomic_init(&s->bytes, 0);
	adopt(s, first);
	for (int32_t i = 0; i < s->slots; ++i) {
		s->v[i].table = tables + (size_t)i * s->entries;
		for (uint32_t e = 0; e < s->entries; ++e)
			s->v[i].table[e] = NO_CHUNK;
		s->v[i].front = -1;
	}
	for (uint32_t n = 0; n < ET_STORE_MAX_LOOPS; ++n) {
		atomic_init(&s->published[n], ET_NO_VERSION);
		atomic_init(&s->pinned[n], ET_NO_VERSION);
	}
	return s;
}

void
et_store_free(EtLoopStore *s)
{
	if (!s)
		return;
	if (s->v)
		free(s->v[0].table); /* all the tables, in one block */
	free(s->v);
	for (Segment *g = s->segments; g;) {
		Segment *next = g->next;
		free(g);
		g = next;
	}
	free(s->chunk);
	free(s->ref);
	free(s->free_list);
	free(s->zero);
	free(s);
}

/* ---- growing -----------------------------------------------------------*/

/* Chunks of the next segment: as many as the first, or what is left under
 * the limit. */
static uint32_t
next_segment(const EtLoopStore *s)
{
	return min_u32(s->grow_chunks, s->max_chunks - s->chunk_count);
}

uint32_t
et_store_request(EtLoopStore *s)
{
	/* Half a segment left: a take at the input's pace has all the time
	 * it takes the worker to make the next one. */
	if (s->requested || s->chunk_count >= s->max_chunks ||
	    s->free_top > s->grow_chunks / 2u)
		return 0;
	s->requested = true;
	return next_segment(s);
}

void
et_store_request_failed(EtLoopStore *s)
{
	s->requested = false;
}

Segment *
et_store_adopt(EtLoopStore *s, Segment *g)
{
	if (!g || g->chunks > s->max_chunks - s->chunk_count)
		return g;
	adopt(s, g);
	s->requested = false;
	return NULL;
}

bool
et_store_grow(EtLoopStore *s)
{
	Segment *g = et_store_segment_new(next_segment(s)); /* 0: NULL */
	if (!g)
		return false;
	adopt(s, g);
	return true;
}

uint64_t
et_store_bytes(const EtLoopStore *s)
{
	return atomic_load_explicit(&s->bytes, memory_order_relaxed);
}

uint32_t
et_store_chunk_count(const EtLoopStore *s)
{
	return s->chunk_count;
}

uint32_t
et_store_max_frames(const EtLoopStore *s)
{
	return s->max_frames;
}

uint32_t
et_store_free_chunks(const EtLoopStore *s)
{
	return s->free_top;
}

/* ---- chunks ------------------------------------------------------------*/

void
et_store_set_reclaim(EtLoopStore *s, bool (*reclaim)(void *), void *ctx)
{
	s->reclaim     = reclaim;
	s->reclaim_ctx = ctx;
}

/* True if a chunk is free, after letting the owner spare what it can. */
static bool
have_chunk(EtLoopStore *s)
{
	while (s->free_top == 0 && s->reclaim && s->reclaim(s->reclaim_ctx)) {
	}
	return s->free_top > 0;
}

static uint32_t
take_chunk(EtLoopStore *s)
{
	const uint32_t c = s->free_list[--s->free_top];
	s->ref[c]        = 1;
	return c;
}

static void
unref(EtLoopStore *s, uint32_t c)
{
	if (--s->ref[c] == 0)
		s->free_list[s->free_top++] = c;
}

static void
copy_frames(EtLoopStore *s, uint32_t to, uint32_t from, uint32_t first,
	    uint32_t end)
{
	if (end <= first)
		return;
	float       *d = chunk_left(s, to);
	const float *o = chunk_left(s, from);
	memcpy(d + first, o + first, sizeof(float) * (end - first));
	memcpy(d + CHUNK + first, o + CHUNK + first,
	       sizeof(float) * (end - first));
}

/* ---- versions ----------------------------------------------------------*/

/* A version some save has pinned (a loop's published one, or one that
 * stopped being published after the pin). */
static bool
is_pinned(const EtLoopStore *s, EtVersion v)
{
	for (uint32_t n = 0; n < s->loops; ++n)
		if (atomic_load(&s->pinned[n]) == v)
			return true;
	return false;
}

static void
release(EtLoopStore *s, Version *x)
{
	for (uint32_t e = 0; e < x->used; ++e) {
		if (x->table[e] != NO_CHUNK) {
			unref(s, x->table[e]);
			x->table[e] = NO_CHUNK;
		}
	}
	if (x->front >= 0)
		unref(s, x->front_old);
	x->front = -1;
	x->used  = 0;
	x->live  = false;
}

EtVersion
et_store_begin(EtLoopStore *s)
{
	for (int32_t i = 0; i < s->slots; ++i) {
		Version *x = &s->v[i];
		if (x->live)
			continue;
		x->live   = true;
		x->holds  = 1;
		x->used   = 0;
		x->front  = -1;
		x->serial = ++s->serial;
		memset(&x->place, 0, sizeof x->place);
		return i;
	}
	return ET_NO_VERSION;
}

EtVersion
et_store_fork(EtLoopStore *s, EtVersion base)
{
	et_store_settle(s, base);
	const EtVersion v = et_store_begin(s);
	if (v == ET_NO_VERSION)
		return v;
	const Version *b = &s->v[base];
	Version       *x = &s->v[v];
	for (uint32_t e = 0; e < b->used; ++e) {
		x->table[e] = b->table[e];
		if (b->table[e] != NO_CHUNK)
			s->ref[b->table[e]]++;
	}
	x->used  = b->used;
	x->place = b->place;
	return v;
}

void
et_store_hold(EtLoopStore *s, EtVersion v)
{
	if (v != ET_NO_VERSION)
		s->v[v].holds++;
}

void
et_store_drop(EtLoopStore *s, EtVersion v)
{
	if (v == ET_NO_VERSION || --s->v[v].holds > 0)
		return;
	/* The hazard check: a save that pinned v before it stopped being
	 * published is still reading it (et_store_pin). */
	if (!is_pinned(s, v))
		release(s, &s->v[v]);
	else
		s->deferred++;
}

void
et_store_collect(EtLoopStore *s)
{
	/* Every looper of a store calls this each block: nothing to do is
	 * the common case. */
	if (s->deferred == 0)
		return;
	for (int32_t i = 0; i < s->slots; ++i) {
		Version *x = &s->v[i];
		if (x->live && x->holds == 0 && !is_pinned(s, i)) {
			release(s, x);
			s->deferred--;
		}
	}
}

void
et_store_publish(EtLoopStore *s, uint32_t loop, EtVersion v)
{
	if (v != ET_NO_VERSION) {
		et_store_settle(s, v);
		et_store_hold(s, v);
	}
	/* seq_cst: a save that pins the old version either sees this store
	 * and tries again, or has pinned it before et_store_drop() looks. */
	et_store_drop(s, atomic_exchange(&s->published[loop], v));
}

EtVersion
et_store_published(const EtLoopStore *s, uint32_t loop)
{
	return atomic_load(&s->published[loop]);
}

EtLoopPlace *
et_store_place(EtLoopStore *s, EtVersion v)
{
	return &s->v[v].place;
}

uint32_t
et_store_serial(const EtLoopStore *s, EtVersion v)
{
	return s->v[v].serial;
}

/* ---- samples -----------------------------------------------------------*/

uint32_t
et_store_read(const EtLoopStore *s, EtVersion v, uint32_t k,
	      const float **left, const float **right)
{
	const Version *x = &s->v[v];
	const uint32_t e = k >> ET_STORE_CHUNK_SHIFT, off = k & CHUNK_MASK;
	uint32_t       c   = e < s->entries ? x->table[e] : NO_CHUNK;
	uint32_t       end = CHUNK;
	if (x->front == (int32_t)e) {
		if (off >= x->fill)
			c = x->front_old; /* not copied yet */
		else
			end = x->fill;
	}
	if (c == NO_CHUNK) {
		*left = *right = s->zero + off;
		return CHUNK - off;
	}
	const float *p = chunk_left(s, c);
	*left          = p + off;
	*right         = p + CHUNK + off;
	return end - off;
}

void
et_store_settle(EtLoopStore *s, EtVersion v)
{
	Version *x = &s->v[v];
	if (x->front < 0)
		return;
	copy_frames(s, x->table[x->front], x->front_old, x->fill, CHUNK);
	unref(s, x->front_old);
	x->front = -1;
}

uint32_t
et_store_write(EtLoopStore *s, EtVersion v, uint32_t k, uint32_t want,
	       const float **src_l, const float **src_r, float **dst_l,
	       float **dst_r)
{
	if (k >= s->max_frames || want == 0)
		return 0;
	Version       *x = &s->v[v];
	const uint32_t e = k >> ET_STORE_CHUNK_SHIFT, off = k & CHUNK_MASK;
	/* A copy in progress elsewhere, or behind this frame (a loop shorter
	 * than a chunk wrapped): finish it first. */
	if (x->front >= 0 && (x->front != (int32_t)e || off < x->fill))
		et_store_settle(s, v);
	const uint32_t n =
	    min_u32(min_u32(want, CHUNK - off), s->max_frames - k);
	uint32_t c = x->table[e];
	if (x->front != (int32_t)e) {
		if (c == NO_CHUNK) { /* a take reaching a new chunk */
			if (!have_chunk(s))
				return 0;
			c           = take_chunk(s);
			x->table[e] = c;
			if (e >= x->used)
				x->used = e + 1;
			float *p = chunk_left(s, c);
			memset(p, 0, sizeof(float) * off);
			memset(p + CHUNK, 0, sizeof(float) * off);
		} else if (s->ref[c] > 1) { /* shared: copy on write */
			if (!have_chunk(s))
				return 0;
			const uint32_t own = take_chunk(s);
			copy_frames(s, own, c, 0, off);
			x->table[e]  = own;
			x->front     = (int32_t)e;
			x->fill      = off;
			x->front_old = c; /* keeps the reference it had */
		}
	}
	if (x->front == (int32_t)e) {
		/* Frames the pass skipped keep what they held. */
		copy_frames(s, x->table[e], x->front_old, x->fill, off);
		const float *o = chunk_left(s, x->front_old);
		*src_l         = o + off;
		*src_r         = o + CHUNK + off;
		x->fill        = off + n;
	} else {
		const float *p = chunk_left(s, c);
		*src_l         = p + off;
		*src_r         = p + CHUNK + off;
	}
	float *d = chunk_left(s, x->table[e]);
	*dst_l   = d + off;
	*dst_r   = d + CHUNK + off;
	return n;
}

uint32_t
et_store_room(const EtLoopStore *s, EtVersion v, uint32_t k)
{
	if (k >= s->max_frames)
		return 0;
	const Version *x = &s->v[v];
	const uint32_t e = k >> ET_STORE_CHUNK_SHIFT, off = k & CHUNK_MASK;
	uint64_t       room = (uint64_t)s->free_top * CHUNK;
	if (off > 0 && x->table[e] != NO_CHUNK)
		room += CHUNK - off;
	else if (off > 0 && room > 0)
		room -= off; /* a new chunk there starts at its frame 0 */
	const uint32_t left = s->max_frames - k;
	return room < left ? (uint32_t)room : left;
}

void
et_store_make_room(EtLoopStore *s, EtVersion v, uint32_t k, uint32_t want)
{
	while (et_store_room(s, v, k) < want && s->reclaim &&
	       s->reclaim(s->reclaim_ctx)) {
	}
}

/* ---- the save thread ---------------------------------------------------*/

EtVersion
et_store_pin(EtLoopStore *s, uint32_t loop)
{
	for (;;) {
		const EtVersion v = atomic_load(&s->published[loop]);
		atomic_store(&s->pinned[loop], v);
		/* Still published after the pin is visible: run() cannot have
		 * let it go unseen (et_store_drop checks the pin). */
		if (atomic_load(&s->published[loop]) == v)
			return v;
	}
}

void
et_store_unpin(EtLoopStore *s, uint32_t loop)
{
	atomic_store(&s->pinned[loop], ET_NO_VERSION);
}

uint32_t
et_store_loops(const EtLoopStore *s)
{
	return s->loops;
}
