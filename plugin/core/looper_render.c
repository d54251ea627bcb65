/* The looper's audio: what plays, what a take records and what a pass
 * overdubs, frame by frame (render_frame) where anything changes from one
 * frame to the next, and in block kernels over the steady stretches in
 * between, which compute the same samples (test_looper_ref compares the
 * two builds bit for bit). */
#include "looper_private.h"
#include "sample_rule.h"

#include <string.h>

/* A fade-out tail stops at the end of the buffer (a new take may be
 * writing from sample 0): it fades to silence over the last frames. */
static float
tail_end_gain(const EtLooper *l, uint32_t k, uint32_t length)
{
	const uint32_t r = seam_frames(l, length);
	return length - k <= r ? (float)(length - k) / (float)(r + 1) : 1.0f;
}

/* ---- what the loop may hold --------------------------------------------*/

/* A sample as it goes into the loop (sample_rule.h): itself if playable,
 * else +0 (-0 too, as the vector kernels' mask gives), counted as rejected
 * or denormal. */
static inline float
clean_sample(float x, uint32_t *rejected, uint32_t *denormals)
{
	const EtSampleClass c = et_sample_class(x);
	if (c == ET_SAMPLE_PLAYABLE)
		return x;
	*rejected += c == ET_SAMPLE_TOO_LOUD || c == ET_SAMPLE_NOT_FINITE;
	*denormals += c == ET_SAMPLE_DENORMAL;
	return 0.0f;
}

/* ---- rendering ---------------------------------------------------------*/

static void
step_env(EtLooper *l)
{
	if (l->ctl.mute) {
		if (l->env > 0)
			l->env--;
	} else if (l->env < l->ramp) {
		l->env++;
	}
}

/* The main voice at time t: returns its samples and, while overdubbing,
 * sums the input into the buffer after reading the old content. */
static void
play_main(EtLooper *l, int64_t t, float in_l, float in_r, float *pl, float *pr)
{
	uint32_t       span; /* (the odd extra frame is k >= length) */
	const uint32_t k = et_looper_index_at(l, t, &span);
	step_env(l);
	/* A repetition's odd extra frame holds the last sample, which the
	 * seam's cross-fade made lead into sample 0. */
	const bool     extra = k >= l->length;
	const uint32_t at    = extra ? l->length - 1 : k;
	const float    g =
            l->env < l->ramp ? (float)l->env / (float)l->ramp : 1.0f;
	const float *src_l, *src_r;
	float       *dst_l = NULL, *dst_r = NULL;
	bool write = l->state == ET_LOOP_OVERDUBBING && !extra && !l->writing;
	if (write && et_store_write(l->store, l->cur, k, 1, &src_l, &src_r,
				    &dst_l, &dst_r) == 0) {
		l->pool_full++; /* no chunk to copy into: the pass ends here */
		et_looper_end_overdub(l);
		write = false;
	}
	if (!write)
		et_store_read(l->store, l->cur, at, &src_l, &src_r);
	const float sl = *src_l, sr = *src_r;
	*pl = g == 1.0f ? sl : sl * g;
	*pr = g == 1.0f ? sr : sr * g;
	if (extra) {
		l->voice_on = l->env > 0;
		l->last_k   = at;
		return;
	}
	if (write) {
		*dst_l = sl + clean_sample(in_l, &l->rejected, &l->denormals);
		*dst_r = sr + clean_sample(in_r, &l->rejected, &l->denormals);
	}
	l->voice_on = l->env > 0;
	l->last_k   = k;
}

static void
play_tail(EtLooper *l, float *pl, float *pr)
{
	const uint32_t k = l->tail_idx;
	const float g = l->tail_gain * (float)l->tail_left / (float)l->ramp *
			tail_end_gain(l, k, l->tail_len);
	const float *tl, *tr;
	et_store_read(l->store, l->tail_v, k, &tl, &tr);
	*pl += *tl * g;
	*pr += *tr * g;
	l->tail_left--;
	if (++l->tail_idx >= l->tail_len || l->tail_left == 0)
		et_looper_end_tail(l);
}

/* The reference rendering of one frame: i in the buffers, j frames into
 * the span that started at transport frame tf.  Everything that can
 * change from one frame to the next (ramps, seams, the tail, a
 * repetition's odd frame) goes through here; et_looper_render() hands the
 * frames in between to the block kernels below, which compute the same
 * samples. */
static void
render_frame(EtLooper *l, const float *in_l, const float *in_r, float *out_l,
	     float *out_r, uint32_t i, uint32_t j, bool rolling, int64_t tf)
{
	/* Read the input first: out may be the same buffer. */
	const float il = in_l[i], ir = in_r[i];
	float       pl = 0.0f, pr = 0.0f;
	bool        voiced = l->tail_left > 0; /* anything plays */
	if (l->length > 0 && l->state != ET_LOOP_RECORDING) {
		if (!l->anchored || rolling) {
			voiced = true;
			const int64_t t =
			    l->anchored ? tf + (int64_t)j : l->counter;
			play_main(l, t, il, ir, &pl, &pr);
		} else { /* paused with the transport */
			l->env      = 0;
			l->voice_on = false;
		}
	}
	const float *sl, *sr;
	float       *dl, *dr;
	if (l->state == ET_LOOP_RECORDING && l->writing) {
		l->rec_pos++; /* the lagging writer records it */
	} else if (l->state == ET_LOOP_RECORDING &&
		   et_store_write(l->store, l->take, l->rec_pos, 1, &sl, &sr,
				  &dl, &dr) == 1) {
		*dl = clean_sample(il, &l->rejected, &l->denormals);
		*dr = clean_sample(ir, &l->rejected, &l->denormals);
		l->rec_pos++;
	}
	if (l->tail_left > 0)
		play_tail(l, &pl, &pr);
	if (l->level_left > 0) {
		l->level += l->level_step;
		if (--l->level_left == 0)
			l->level = l->level_target;
	}
	const float lvl = l->level;
	if (l->mix_add) {
		/* Where nothing plays nothing is added, as the kernels do. */
		if (voiced) {
			out_l[i] += lvl * pl;
			out_r[i] += lvl * pr;
		}
	} else {
		out_l[i] = (l->ctl.monitor ? il : 0.0f) + lvl * pl;
		out_r[i] = (l->ctl.monitor ? ir : 0.0f) + lvl * pr;
	}
	l->counter++;
}

/* ---- block kernels -----------------------------------------------------
 *
 * Over a steady stretch (no tail, no level ramp, the main voice silent or
 * at a constant gain between its seam ramps) every frame is
 *   out = (monitor ? in : 0) + level * voice      (OUT_SET, OUT_MONITOR)
 *   out = out + level * voice                     (OUT_ADD, mixing loops)
 * with voice = 0, the loop sample, or the loop sample times a constant
 * gain, and the buffer gets the input (recording) or the input added to it
 * (overdub).  The kernel does exactly those operations, four frames at a
 * time: the four frames' inputs are loaded before anything is stored, so
 * in and out may be the same buffers (or in_r the same as out_l), as LV2
 * allows. */

typedef enum {
	OUT_SET,     /* out = level * voice */
	OUT_MONITOR, /* out = in + level * voice */
	OUT_ADD,     /* out += level * voice; nothing where nothing plays */
	OUT_NONE,    /* the lagging writer: only the loop is written */
} OutMode;

typedef enum {
	VOICE_NONE,  /* nothing plays: voice = 0 */
	VOICE_UNITY, /* voice = sample */
	VOICE_GAIN,  /* voice = sample * gain */
} VoiceMode;

typedef struct {
	const float *in_l, *in_r;
	float       *out_l, *out_r;
	/* The loop at the voice's sample (src), and where an overdub or a
	 * take writes (dst): the same place, or a chunk being copied on write
	 * (loopstore.h), whose old samples src reads. */
	const float *src_l, *src_r;
	float       *dst_l, *dst_r;
	uint32_t     k;    /* the voice's sample index */
	uint32_t     rest; /* samples from src_* on in their chunk */
	float        level, gain;
	uint32_t    *rejected, *denormals; /* counts of the samples cleaned */
} Kernel;

#if defined(__GNUC__)
#define ALWAYS_INLINE inline __attribute__((always_inline))
#else
#define ALWAYS_INLINE inline
#endif

static ALWAYS_INLINE void
kernel_frames(const Kernel *kp, uint32_t from, uint32_t count, VoiceMode voice,
	      bool overdub, bool record, OutMode mode)
{
	const float *in_l = kp->in_l + from, *in_r = kp->in_r + from;
	float       *out_l = kp->out_l ? kp->out_l + from : NULL;
	float       *out_r = kp->out_r ? kp->out_r + from : NULL;
	/* (NULL where nothing plays or records: no offset is applied.) */
	const float *src_l = kp->src_l ? kp->src_l + from : NULL;
	const float *src_r = kp->src_r ? kp->src_r + from : NULL;
	float       *dst_l = kp->dst_l ? kp->dst_l + from : NULL;
	float       *dst_r = kp->dst_r ? kp->dst_r + from : NULL;
	const float  lvl = kp->level, g = kp->gain;
	const float  silent = lvl * 0.0f; /* level * voice for voice = 0 */
	for (uint32_t j = 0; j < count; ++j) {
		const float il = in_l[j], ir = in_r[j];
		float       vl = silent, vr = silent;
		if (voice != VOICE_NONE) {
			const float sl = src_l[j], sr = src_r[j];
			vl = lvl * (voice == VOICE_UNITY ? sl : sl * g);
			vr = lvl * (voice == VOICE_UNITY ? sr : sr * g);
			if (overdub) {
				dst_l[j] = sl + clean_sample(il, kp->rejected,
							     kp->denormals);
				dst_r[j] = sr + clean_sample(ir, kp->rejected,
							     kp->denormals);
			}
		} else if (record) {
			dst_l[j] =
			    clean_sample(il, kp->rejected, kp->denormals);
			dst_r[j] =
			    clean_sample(ir, kp->rejected, kp->denormals);
		}
		if (mode == OUT_NONE) {
			continue;
		} else if (mode == OUT_ADD) {
			out_l[j] += vl;
			out_r[j] += vr;
		} else {
			out_l[j] = (mode == OUT_MONITOR ? il : 0.0f) + vl;
			out_r[j] = (mode == OUT_MONITOR ? ir : 0.0f) + vr;
		}
	}
}

#if defined(__GNUC__)
/* A loop of a few seconds does not fit in the L2 cache, and a block reads
 * only a kilobyte of each channel, with the rest of run() in between: the
 * hardware's prefetchers, which start afresh at every 4 KB page, leave a
 * kernel that reads and writes the loop waiting for it.  So the kernels
 * ask for the loop's samples READ_AHEAD frames ahead as they go, as far
 * as the chunk goes (rest), and a block's last steps ask for the next
 * block's first samples.  One loop overdubbing at 256 frames: 10-12%
 * less time (docs/bench.md).  The mix of plainly playing loops does
 * without: with eight loops, sixteen streams, it cost 14% more. */
#define READ_AHEAD 128u

static ALWAYS_INLINE void
read_ahead(const float *l, const float *r, uint32_t j, uint32_t rest)
{
	if (j + READ_AHEAD < rest) {
		__builtin_prefetch(l + j + READ_AHEAD);
		__builtin_prefetch(r + j + READ_AHEAD);
	}
}

/* Four frames at a time in gcc's (and clang's) generic vectors: SSE on
 * any x86-64, NEON on arm64.  Each lane does the float operations of
 * kernel_frames() for its frame. */
typedef float Vec4 __attribute__((vector_size(16)));

static inline Vec4
load4(const float *p)
{
	Vec4 v;
	memcpy(&v, p, sizeof v);
	return v;
}

static inline void
store4(float *p, Vec4 v)
{
	memcpy(p, &v, sizeof v);
}

typedef int32_t IVec4 __attribute__((vector_size(16)));

typedef uint32_t UVec4 __attribute__((vector_size(16)));

/* clean_sample() on four lanes, with the same classes of the same bits;
 * each lane of *rejected and *denormals counts its own.  Only "greater
 * than" compares of a lane with a constant, which SSE2 has as one
 * instruction (pcmpgtd): a lane is too loud above the limit, normal above
 * the least normal - 1, and a denormal where mag - 1, moved by 2^31 so
 * that 0 wraps to the top, is below the least normal - 1 moved alike. */
static inline Vec4
clean4(Vec4 v, IVec4 *rejected, IVec4 *denormals)
{
	IVec4 b;
	memcpy(&b, &v, sizeof b);
	const IVec4 mag    = b & 0x7fffffff;
	const IVec4 loud   = mag > (int32_t)ET_SAMPLE_BITS_LIMIT;
	const IVec4 normal = mag > (int32_t)(ET_SAMPLE_BITS_MIN_NORMAL - 1u);
	const IVec4 moved  = (IVec4)((UVec4)mag + 0x7fffffffu);
	*rejected -= loud;
	*denormals -=
	    (int32_t)(0x80000000u + ET_SAMPLE_BITS_MIN_NORMAL - 1u) > moved;
	b &= normal ^ loud; /* normal & ~loud: every loud lane is normal */
	memcpy(&v, &b, sizeof v);
	return v;
}

static inline uint32_t
lanes(IVec4 v)
{
	return (uint32_t)v[0] + (uint32_t)v[1] + (uint32_t)v[2] +
	       (uint32_t)v[3];
}

/* What the kernel's loop reads, in locals: the pointers as the Kernel has
 * them, and the level, gain and silence in every lane. */
typedef struct {
	const float *in_l, *in_r, *src_l, *src_r;
	float       *out_l, *out_r, *dst_l, *dst_r;
	Vec4         lvl, g, silent;
	uint32_t     rest;
} Lanes;

/* Four frames from frame j. */
static ALWAYS_INLINE void
frames4(const Lanes k, uint32_t j, VoiceMode voice, bool overdub, bool record,
	OutMode mode, IVec4 *rejected, IVec4 *denormals)
{
	const Vec4 zero = { 0.0f, 0.0f, 0.0f, 0.0f };
	/* Every load of the four frames before any store. */
	const Vec4 il = load4(k.in_l + j), ir = load4(k.in_r + j);
	Vec4       vl = k.silent, vr = k.silent;
	if (voice != VOICE_NONE) {
		read_ahead(k.src_l, k.src_r, j, k.rest);
		const Vec4 sl = load4(k.src_l + j), sr = load4(k.src_r + j);
		vl = k.lvl * (voice == VOICE_UNITY ? sl : sl * k.g);
		vr = k.lvl * (voice == VOICE_UNITY ? sr : sr * k.g);
		if (overdub) {
			store4(k.dst_l + j,
			       sl + clean4(il, rejected, denormals));
			store4(k.dst_r + j,
			       sr + clean4(ir, rejected, denormals));
		}
	} else if (record) {
		store4(k.dst_l + j, clean4(il, rejected, denormals));
		store4(k.dst_r + j, clean4(ir, rejected, denormals));
	}
	if (mode == OUT_NONE) {
		return;
	} else if (mode == OUT_ADD) {
		store4(k.out_l + j, load4(k.out_l + j) + vl);
		store4(k.out_r + j, load4(k.out_r + j) + vr);
	} else {
		store4(k.out_l + j, (mode == OUT_MONITOR ? il : zero) + vl);
		store4(k.out_r + j, (mode == OUT_MONITOR ? ir : zero) + vr);
	}
}

static ALWAYS_INLINE void
kernel(const Kernel *kp, uint32_t n, VoiceMode voice, bool overdub,
       bool record, OutMode mode)
{
	const float lvl = kp->level, g = kp->gain, s = lvl * 0.0f;
	const Lanes k = {
		kp->in_l,       kp->in_r,       kp->src_l,
		kp->src_r,      kp->out_l,      kp->out_r,
		kp->dst_l,      kp->dst_r,      { lvl, lvl, lvl, lvl },
		{ g, g, g, g }, { s, s, s, s }, kp->rest
	};
	IVec4    rejected = { 0, 0, 0, 0 }, denormals = { 0, 0, 0, 0 };
	uint32_t j = 0;
	/* Playing alone, eight frames a turn of the loop (two groups of
	 * four, one after the other): half the loop's own instructions.  An
	 * overdub or a take, which cleans the input, has too few registers
	 * left for that (SSE): four. */
	for (; !overdub && !record && n - j >= 8; j += 8) {
		frames4(k, j, voice, overdub, record, mode, &rejected,
			&denormals);
		frames4(k, j + 4, voice, overdub, record, mode, &rejected,
			&denormals);
	}
	for (; n - j >= 4; j += 4) {
		frames4(k, j, voice, overdub, record, mode, &rejected,
			&denormals);
	}
	if (overdub || record) {
		*kp->rejected += lanes(rejected);
		*kp->denormals += lanes(denormals);
	}
	kernel_frames(kp, j, n - j, voice, overdub, record, mode);
}

#if defined(__x86_64__)
/* Eight lanes: what the AVX2 build of the kernel (run_kernel_avx2) works
 * in, one 256-bit register each; the same operations lane by lane. */
typedef float    Vec8 __attribute__((vector_size(32)));
typedef int32_t  IVec8 __attribute__((vector_size(32)));
typedef uint32_t UVec8 __attribute__((vector_size(32)));

/* Only ever called from the AVX2 build (run_kernel_avx2). */
#define AVX2 __attribute__((target("avx2")))

AVX2 static inline Vec8
load8(const float *p)
{
	Vec8 v;
	memcpy(&v, p, sizeof v);
	return v;
}

AVX2 static inline void
store8(float *p, Vec8 v)
{
	memcpy(p, &v, sizeof v);
}

/* clean4() on eight lanes. */
AVX2 static inline Vec8
clean8(Vec8 v, IVec8 *rejected, IVec8 *denormals)
{
	IVec8 b;
	memcpy(&b, &v, sizeof b);
	const IVec8 mag    = b & 0x7fffffff;
	const IVec8 loud   = mag > (int32_t)ET_SAMPLE_BITS_LIMIT;
	const IVec8 normal = mag > (int32_t)(ET_SAMPLE_BITS_MIN_NORMAL - 1u);
	const IVec8 moved  = (IVec8)((UVec8)mag + 0x7fffffffu);
	*rejected -= loud;
	*denormals -=
	    (int32_t)(0x80000000u + ET_SAMPLE_BITS_MIN_NORMAL - 1u) > moved;
	b &= normal ^ loud;
	memcpy(&v, &b, sizeof v);
	return v;
}

AVX2 static inline uint32_t
lanes8(IVec8 v)
{
	uint32_t sum = 0;
	for (int i = 0; i < 8; ++i)
		sum += (uint32_t)v[i];
	return sum;
}

/* The level, gain and silence in eight lanes. */
typedef struct {
	Vec8 lvl8, g8, silent8;
} Lanes8;

/* frames4() on eight frames from frame j, in eight lanes. */
AVX2 static ALWAYS_INLINE void
frames8(const Lanes *k, const Lanes8 *k8, uint32_t j, VoiceMode voice,
	bool overdub, bool record, OutMode mode, IVec8 *rejected,
	IVec8 *denormals)
{
	const Vec8 zero = { 0 };
	const Vec8 il = load8(k->in_l + j), ir = load8(k->in_r + j);
	Vec8       vl = k8->silent8, vr = k8->silent8;
	if (voice != VOICE_NONE) {
		read_ahead(k->src_l, k->src_r, j, k->rest);
		const Vec8 sl = load8(k->src_l + j), sr = load8(k->src_r + j);
		vl = k8->lvl8 * (voice == VOICE_UNITY ? sl : sl * k8->g8);
		vr = k8->lvl8 * (voice == VOICE_UNITY ? sr : sr * k8->g8);
		if (overdub) {
			store8(k->dst_l + j,
			       sl + clean8(il, rejected, denormals));
			store8(k->dst_r + j,
			       sr + clean8(ir, rejected, denormals));
		}
	} else if (record) {
		store8(k->dst_l + j, clean8(il, rejected, denormals));
		store8(k->dst_r + j, clean8(ir, rejected, denormals));
	}
	if (mode == OUT_NONE) {
		return;
	} else if (mode == OUT_ADD) {
		store8(k->out_l + j, load8(k->out_l + j) + vl);
		store8(k->out_r + j, load8(k->out_r + j) + vr);
	} else {
		store8(k->out_l + j, (mode == OUT_MONITOR ? il : zero) + vl);
		store8(k->out_r + j, (mode == OUT_MONITOR ? ir : zero) + vr);
	}
}

/* kernel() eight lanes a step, then the last frames one by one. */
AVX2 static ALWAYS_INLINE void
kernel8(const Kernel *kp, uint32_t n, VoiceMode voice, bool overdub,
	bool record, OutMode mode)
{
	const float  lvl = kp->level, g = kp->gain, s = lvl * 0.0f;
	const Lanes  k        = { kp->in_l,  kp->in_r,  kp->src_l, kp->src_r,
				  kp->out_l, kp->out_r, kp->dst_l, kp->dst_r,
				  { 0 },     { 0 },     { 0 },     kp->rest };
	const Lanes8 k8       = { { lvl, lvl, lvl, lvl, lvl, lvl, lvl, lvl },
				  { g, g, g, g, g, g, g, g },
				  { s, s, s, s, s, s, s, s } };
	IVec8        rejected = { 0 }, denormals = { 0 };
	uint32_t     j = 0;
	for (; n - j >= 8; j += 8)
		frames8(&k, &k8, j, voice, overdub, record, mode, &rejected,
			&denormals);
	if (overdub || record) {
		*kp->rejected += lanes8(rejected);
		*kp->denormals += lanes8(denormals);
	}
	kernel_frames(kp, j, n - j, voice, overdub, record, mode);
}
#endif
#else
static ALWAYS_INLINE void
kernel(const Kernel *kp, uint32_t n, VoiceMode voice, bool overdub,
       bool record, OutMode mode)
{
	kernel_frames(kp, 0, n, voice, overdub, record, mode);
}
#endif

/* One instance of the kernel per combination, so that each loop is
 * straight-line code: KERNELS(kernel_fn) is the dispatch over them. */
#define K(v, o, r)                                                            \
	do {                                                                  \
		if (mode == OUT_MONITOR)                                      \
			KERNEL(kp, n, v, o, r, OUT_MONITOR);                  \
		else if (mode == OUT_ADD)                                     \
			KERNEL(kp, n, v, o, r, OUT_ADD);                      \
		else                                                          \
			KERNEL(kp, n, v, o, r, OUT_SET);                      \
	} while (0)
#define KERNELS                                                               \
	switch (voice) {                                                      \
	case VOICE_NONE:                                                      \
		if (record)                                                   \
			K(VOICE_NONE, false, true);                           \
		else                                                          \
			K(VOICE_NONE, false, false);                          \
		break;                                                        \
	case VOICE_UNITY:                                                     \
		if (overdub)                                                  \
			K(VOICE_UNITY, true, false);                          \
		else                                                          \
			K(VOICE_UNITY, false, false);                         \
		break;                                                        \
	case VOICE_GAIN:                                                      \
		if (overdub)                                                  \
			K(VOICE_GAIN, true, false);                           \
		else                                                          \
			K(VOICE_GAIN, false, false);                          \
		break;                                                        \
	}

#if defined(__GNUC__) && defined(__x86_64__)
/* The same kernels built for AVX2, eight lanes a step, chosen at run time
 * where the CPU has it (every x86-64 of the last ten years): half the
 * instructions of the SSE build, and the same IEEE operations lane by lane
 * (AVX2 alone has no fused multiply-add, so a * b + c rounds twice as in
 * the SSE build: test_looper_ref holds them to the per-frame build bit
 * for bit on the machine that runs it). */
__attribute__((target("avx2"))) static void
run_kernel_avx2(const Kernel *kp, uint32_t n, VoiceMode voice, bool overdub,
		bool record, OutMode mode)
{
#define KERNEL(kp, n, v, o, r, m) kernel8(kp, n, v, o, r, m)
	KERNELS
#undef KERNEL
}

static int avx2_known; /* 0 not asked yet, 1 no, 2 yes */

static bool
have_avx2(void)
{
	if (!avx2_known) {
		__builtin_cpu_init();
		avx2_known = __builtin_cpu_supports("avx2") ? 2 : 1;
	}
	return avx2_known == 2;
}
#endif

void
et_looper_use_generic_kernels(bool generic)
{
#if defined(__GNUC__) && defined(__x86_64__)
	avx2_known = generic ? 1 : 0;
#else
	(void)generic;
#endif
}

/* The lagging writer's two kernels (a take, an overdub pass; nothing to
 * the output), in the build the CPU runs best. */
#if defined(__GNUC__) && defined(__x86_64__)
AVX2 static void
write_kernels_avx2(const Kernel *kp, uint32_t n, bool overdub)
{
	if (overdub)
		kernel8(kp, n, VOICE_UNITY, true, false, OUT_NONE);
	else
		kernel8(kp, n, VOICE_NONE, false, true, OUT_NONE);
}
#endif

static void
write_kernel(const Kernel *kp, uint32_t n, bool overdub)
{
#if defined(__GNUC__) && defined(__x86_64__)
	if (have_avx2()) {
		write_kernels_avx2(kp, n, overdub);
		return;
	}
#endif
	if (overdub)
		kernel(kp, n, VOICE_UNITY, true, false, OUT_NONE);
	else
		kernel(kp, n, VOICE_NONE, false, true, OUT_NONE);
}

static void
run_kernel(const Kernel *kp, uint32_t n, VoiceMode voice, bool overdub,
	   bool record, OutMode mode)
{
#if defined(__GNUC__) && defined(__x86_64__)
	if (have_avx2()) {
		run_kernel_avx2(kp, n, voice, overdub, record, mode);
		return;
	}
#endif
#define KERNEL(kp, n, v, o, r, m) kernel(kp, n, v, o, r, m)
	KERNELS
#undef KERNEL
}
#undef KERNELS
#undef K

/* ---- several loops' plain spans in one pass (et_looper_mix) ------------*/

/* What the first loop writes at frame j of channel c, as its kernel does:
 * (monitor ? in : 0) + level * (its sample, or 0 when it plays nothing). */
static inline float
base_frame(const EtLoopMix *base, uint32_t j, int c)
{
	const float *in  = c ? base->in_r : base->in_l;
	const float *src = c ? base->r : base->l;
	return (in ? in[j] : 0.0f) +
	       (src ? base->level * src[j] : base->level * 0.0f);
}

/* Frames [from, n) one at a time. */
static void
mix_frames(float *out_l, float *out_r, uint32_t from, uint32_t n,
	   const EtLoopMix *base, const EtLoopMix *mix, unsigned count)
{
	for (uint32_t j = from; j < n; ++j) {
		float a = base ? base_frame(base, j, 0) : out_l[j];
		float b = base ? base_frame(base, j, 1) : out_r[j];
		for (unsigned s = 0; s < count; ++s) {
			a = a + mix[s].level * mix[s].l[j];
			b = b + mix[s].level * mix[s].r[j];
		}
		out_l[j] = a;
		out_r[j] = b;
	}
}

#if defined(__GNUC__)
/* Four frames a step: the output is loaded (or the first loop's part
 * made) and stored once for all the loops, each adding its samples in
 * turn. */
static void
mix_generic(float *out_l, float *out_r, uint32_t n, const EtLoopMix *base,
	    const EtLoopMix *mix, unsigned count)
{
	const Vec4  zero = { 0.0f, 0.0f, 0.0f, 0.0f };
	const float bl = base ? base->level : 0.0f, bs = bl * 0.0f;
	const Vec4  blvl = { bl, bl, bl, bl }, bsilent = { bs, bs, bs, bs };
	uint32_t    j = 0;
	for (; n - j >= 4; j += 4) {
		Vec4 a, b;
		if (base) {
			a = (base->in_l ? load4(base->in_l + j) : zero) +
			    (base->l ? blvl * load4(base->l + j) : bsilent);
			b = (base->in_r ? load4(base->in_r + j) : zero) +
			    (base->r ? blvl * load4(base->r + j) : bsilent);
		} else {
			a = load4(out_l + j);
			b = load4(out_r + j);
		}
		for (unsigned s = 0; s < count; ++s) {
			const float lv  = mix[s].level;
			const Vec4  lvl = { lv, lv, lv, lv };
			a               = a + lvl * load4(mix[s].l + j);
			b               = b + lvl * load4(mix[s].r + j);
		}
		store4(out_l + j, a);
		store4(out_r + j, b);
	}
	mix_frames(out_l, out_r, j, n, base, mix, count);
}
#endif

#if defined(__GNUC__) && defined(__x86_64__)
/* How a pass starts each group of frames: from the output, or from the
 * first loop's part (its monitored input or 0, plus its samples or its
 * silence). */
typedef enum { FROM_OUT, FROM_BASE_IN, FROM_BASE } MixStart;

/* count sources and the start, constants where it is inlined: the levels
 * and pointers stay in registers and the loop over the sources unrolls. */
AVX2 static ALWAYS_INLINE void
mix8_of(float *out_l, float *out_r, uint32_t n, const EtLoopMix *base,
	const EtLoopMix *mix, unsigned count, MixStart start, bool base_plays)
{
	Vec8         lvl[ET_LOOP_MIX_MAX];
	const float *sl[ET_LOOP_MIX_MAX], *sr[ET_LOOP_MIX_MAX];
	for (unsigned s = 0; s < count; ++s) {
		const float lv = mix[s].level;
		lvl[s]         = (Vec8){ lv, lv, lv, lv, lv, lv, lv, lv };
		sl[s]          = mix[s].l;
		sr[s]          = mix[s].r;
	}
	const Vec8   zero = { 0 };
	const float  bl = base ? base->level : 0.0f, bs = bl * 0.0f;
	const Vec8   blvl    = { bl, bl, bl, bl, bl, bl, bl, bl };
	const Vec8   bsilent = { bs, bs, bs, bs, bs, bs, bs, bs };
	const float *il      = base ? base->in_l : NULL,
		    *ir      = base ? base->in_r : NULL;
	const float *bsl = base ? base->l : NULL, *bsr = base ? base->r : NULL;
	uint32_t     j = 0;
	for (; n - j >= 8; j += 8) {
		Vec8 a, b;
		if (start == FROM_OUT) {
			a = load8(out_l + j);
			b = load8(out_r + j);
		} else {
			a = start == FROM_BASE_IN ? load8(il + j) : zero;
			b = start == FROM_BASE_IN ? load8(ir + j) : zero;
			a = a + (base_plays ? blvl * load8(bsl + j) : bsilent);
			b = b + (base_plays ? blvl * load8(bsr + j) : bsilent);
		}
#pragma GCC unroll 8
		for (unsigned s = 0; s < count; ++s) {
			a = a + lvl[s] * load8(sl[s] + j);
			b = b + lvl[s] * load8(sr[s] + j);
		}
		store8(out_l + j, a);
		store8(out_r + j, b);
	}
	mix_frames(out_l, out_r, j, n, base, mix, count);
}

/* One instance per start, for counts 0 to ET_LOOP_MIX_MAX. */
#define MIX_COUNTS(start, plays)                                              \
	switch (count) {                                                      \
	case 0: mix8_of(out_l, out_r, n, base, mix, 0, start, plays); break;  \
	case 1: mix8_of(out_l, out_r, n, base, mix, 1, start, plays); break;  \
	case 2: mix8_of(out_l, out_r, n, base, mix, 2, start, plays); break;  \
	case 3: mix8_of(out_l, out_r, n, base, mix, 3, start, plays); break;  \
	case 4: mix8_of(out_l, out_r, n, base, mix, 4, start, plays); break;  \
	case 5: mix8_of(out_l, out_r, n, base, mix, 5, start, plays); break;  \
	case 6: mix8_of(out_l, out_r, n, base, mix, 6, start, plays); break;  \
	case 7: mix8_of(out_l, out_r, n, base, mix, 7, start, plays); break;  \
	default:                                                              \
		mix8_of(out_l, out_r, n, base, mix, ET_LOOP_MIX_MAX, start,   \
			plays);                                               \
		break;                                                        \
	}

AVX2 static void
mix_avx2(float *out_l, float *out_r, uint32_t n, const EtLoopMix *base,
	 const EtLoopMix *mix, unsigned count)
{
	if (!base) {
		MIX_COUNTS(FROM_OUT, false)
	} else if (base->in_l && base->l) {
		MIX_COUNTS(FROM_BASE_IN, true)
	} else if (base->in_l) {
		MIX_COUNTS(FROM_BASE_IN, false)
	} else if (base->l) {
		MIX_COUNTS(FROM_BASE, true)
	} else {
		MIX_COUNTS(FROM_BASE, false)
	}
}
#undef MIX_COUNTS
#endif

void
et_looper_mix(float *out_l, float *out_r, uint32_t n, const EtLoopMix *base,
	      const EtLoopMix *mix, unsigned count)
{
	if (!base && count == 0)
		return;
#if defined(__GNUC__) && defined(__x86_64__)
	if (have_avx2()) {
		mix_avx2(out_l, out_r, n, base, mix, count);
		return;
	}
#endif
#if defined(__GNUC__)
	mix_generic(out_l, out_r, n, base, mix, count);
#else
	mix_frames(out_l, out_r, 0, n, base, mix, count);
#endif
}

/* How many frames from frame j of the span on are steady (0 if this one
 * is not), at most left; fills *kp's voice part for them. */
static uint32_t
steady_frames(EtLooper *l, Kernel *kp, VoiceMode *voice, uint32_t j,
	      uint32_t left, bool rolling, int64_t tf)
{
	if (l->tail_left > 0 || l->level_left > 0)
		return 0;
	*voice    = VOICE_NONE;
	kp->src_l = kp->src_r = NULL;
	kp->dst_l = kp->dst_r = NULL;
	kp->k                 = 0;
	kp->rest              = 0;
	if (l->state == ET_LOOP_RECORDING && l->writing)
		return left; /* the lagging writer records */
	if (l->state == ET_LOOP_RECORDING) {
		/* As far as the take's chunk goes; 0 (no free chunk) cannot
		 * happen, as the take ends where its room does. */
		const float *sl, *sr;
		return et_store_write(l->store, l->take, l->rec_pos, left, &sl,
				      &sr, &kp->dst_l, &kp->dst_r);
	}
	if (l->length == 0)
		return left;
	if (l->anchored && !rolling) { /* paused: what render_frame does */
		l->env      = 0;
		l->voice_on = false;
		return left;
	}
	/* The voice's envelope must be at rest (step_env a no-op), within one
	 * repetition and not on its odd extra frame. */
	if (l->ctl.mute ? l->env != 0 : l->env != l->ramp)
		return 0;
	const int64_t  t = l->anchored ? tf + (int64_t)j : l->counter;
	uint32_t       span;
	const uint32_t k = et_looper_index_at(l, t, &span);
	if (k >= span)
		return 0;
	/* At rest the gain is 1, or 0 while muted. */
	const float g =
	    l->env < l->ramp ? (float)l->env / (float)l->ramp : 1.0f;
	*voice     = g == 1.0f ? VOICE_UNITY : VOICE_GAIN;
	kp->gain   = g;
	kp->k      = k;
	kp->rest   = et_store_chunk_rest(k);
	uint32_t n = span - k < left ? span - k : left;
	/* Within one chunk of the loop's version: the frames an overdub makes
	 * writable (the caller writes them all), else those it may read. */
	if (l->state == ET_LOOP_OVERDUBBING && !l->writing) {
		n = et_store_write(l->store, l->cur, k, n, &kp->src_l,
				   &kp->src_r, &kp->dst_l, &kp->dst_r);
		if (n > 0)
			return n;
		l->pool_full++; /* no chunk to copy into: the pass ends here */
		et_looper_end_overdub(l);
		n = span - k < left ? span - k : left;
	}
	const uint32_t run =
	    et_store_read(l->store, l->cur, k, &kp->src_l, &kp->src_r);
	return n < run ? n : run;
}

/* Keeps the last `ramp` input frames for the seam's pre-roll: read before
 * the span is rendered, as out may be the same buffer as in. */
void
et_looper_remember_input(EtLooper *l, const float *in_l, const float *in_r,
			 uint32_t from, uint32_t count)
{
	const uint32_t r = l->ramp;
	if (count >= r) {
		memcpy(l->hist_l, in_l + from + count - r, sizeof(float) * r);
		memcpy(l->hist_r, in_r + from + count - r, sizeof(float) * r);
		l->hist_head = 0;
		return;
	}
	for (uint32_t i = 0; i < count; ++i) {
		l->hist_l[l->hist_head] = in_l[from + i];
		l->hist_r[l->hist_head] = in_r[from + i];
		if (++l->hist_head == r)
			l->hist_head = 0;
	}
}

/* ET_LOOPER_PER_FRAME builds the same renderer without the block
 * kernels: every frame through render_frame().  test_looper_ref runs the
 * two builds side by side and requires the same output, bit for bit. */
#ifdef ET_LOOPER_PER_FRAME
#define STEADY_FRAMES(l, kp, voice, j, left, rolling, tf)                     \
	((void)steady_frames, 0u)
#else
#define STEADY_FRAMES steady_frames
#endif

/* ---- the lagging writer (round-trip compensation, looper.h) -------------*/

static void
write_take(EtLooper *l, const float *in_l, const float *in_r, uint32_t n,
	   uint32_t *done)
{
	const float    *sl, *sr;
	Kernel          kp = { .in_l = in_l, .in_r = in_r };
	const EtVersion v  = l->w_ending ? l->cur : l->take;
	n = et_store_write(l->store, v, l->wr_pos, n, &sl, &sr, &kp.dst_l,
			   &kp.dst_r);
	if (n == 0) {
		et_looper_writer_full(l);
		return;
	}
	kp.rejected  = &l->rejected;
	kp.denormals = &l->denormals;
	/* Not run_kernel(): that one's single call site keeps it inlined
	 * into et_looper_render(). */
	write_kernel(&kp, n, false);
	l->wr_pos += n;
	*done = n;
}

static void
write_pass(EtLooper *l, const float *in_l, const float *in_r, uint32_t k,
	   uint32_t n, uint32_t *done)
{
	Kernel kp = { .in_l  = in_l,
		      .in_r  = in_r,
		      .level = 1.0f,
		      .gain  = 1.0f,
		      .rest  = et_store_chunk_rest(k) };
	n = et_store_write(l->store, l->cur, k, n, &kp.src_l, &kp.src_r,
			   &kp.dst_l, &kp.dst_r);
	if (n == 0) {
		et_looper_writer_full(l);
		return;
	}
	kp.rejected  = &l->rejected;
	kp.denormals = &l->denormals;
	write_kernel(&kp, n, true);
	*done = n;
}

/* Writes the input of frames [from, from + count), the first of which
 * came in at time t0 of the writer's clock, to the places of the take or
 * pass for t - rec_lag: from the take's (or pass's) start on, up to its
 * end when it has ended (an event there completes it). */
static void
write_lagged(EtLooper *l, const float *in_l, const float *in_r, uint32_t from,
	     uint32_t count, int64_t t0)
{
	uint32_t j = 0;
	while (j < count && l->writing) {
		const int64_t tau  = t0 + (int64_t)j - (int64_t)l->rec_lag;
		int64_t       left = (int64_t)(count - j);
		if (l->w_ending) {
			if (tau >= l->w_end)
				return;
			if (l->w_end - tau < left)
				left = l->w_end - tau;
		}
		if (tau < l->rec_start) { /* not yet come back */
			j += (uint32_t)(l->rec_start - tau < left
					    ? l->rec_start - tau
					    : left);
			continue;
		}
		uint32_t done = 0;
		if (l->w_take) {
			const int64_t idx = tau - l->rec_start;
			if (idx > (int64_t)l->wr_pos) /* a dropout: silence */
				et_looper_writer_silence(
				    l, idx < (int64_t)UINT32_MAX
					   ? (uint32_t)idx
					   : UINT32_MAX);
			if (idx < (int64_t)l->wr_pos) { /* written already */
				const int64_t skip = (int64_t)l->wr_pos - idx;
				j += (uint32_t)(skip < left ? skip : left);
				continue;
			}
			write_take(l, in_l + from + j, in_r + from + j,
				   (uint32_t)left, &done);
		} else {
			uint32_t       span;
			const uint32_t k =
			    et_looper_writer_index_at(l, tau, &span);
			if (k >= span) { /* a repetition's odd extra frame */
				++j;
				continue;
			}
			const uint32_t n = span - k < (uint64_t)left
					       ? span - k
					       : (uint32_t)left;
			write_pass(l, in_l + from + j, in_r + from + j, k, n,
				   &done);
		}
		if (done == 0)
			return; /* the pool is full */
		j += done;
	}
}

/* The longest piece of a span whose input the writer may write before
 * the piece plays: no frame t of it may hear the input of a later frame
 * of it, which goes to the place for that frame - lag.  Two frames of a
 * piece fall on one place when they are lag apart modulo a repetition
 * (length frames, or length + 1 on a repetition's odd extra frame): so a
 * piece is shorter than lag modulo either.  Unbounded while the writer
 * writes a take that does not play yet. */
static uint32_t
writer_piece(const EtLooper *l)
{
	if ((l->w_take && !l->w_ending) || l->length == 0)
		return UINT32_MAX;
	const uint32_t a = l->rec_lag % l->length;
	const uint32_t b =
	    (uint32_t)((uint64_t)l->rec_lag % (l->length + 1ull));
	const uint32_t p = a ? a : l->length;
	const uint32_t q = b ? b : l->length + 1u;
	return p < q ? p : q;
}

static void render_span(EtLooper *l, const float *in_l, const float *in_r,
			float *out_l, float *out_r, uint32_t from,
			uint32_t count, bool rolling, int64_t tf);

void
et_looper_render(EtLooper *l, const float *in_l, const float *in_r,
		 float *out_l, float *out_r, uint32_t from, uint32_t count,
		 bool rolling, int64_t tf)
{
	if (!l->writing || (!rolling && l->w_anchored)) {
		render_span(l, in_l, in_r, out_l, out_r, from, count, rolling,
			    tf);
		return;
	}
	/* The writer reads each piece's input first (out may be the same
	 * buffer), then the piece plays. */
	const uint32_t piece = writer_piece(l);
	for (uint32_t j = 0; j < count;) {
		const uint32_t p   = count - j < piece ? count - j : piece;
		const int64_t  ptf = rolling ? tf + (int64_t)j : tf;
		write_lagged(l, in_l, in_r, from + j, p,
			     l->w_anchored ? ptf : l->counter);
		render_span(l, in_l, in_r, out_l, out_r, from + j, p, rolling,
			    ptf);
		j += p;
	}
}

/* A span, as et_looper_render() says, once the writer has had its input.
 */
static void
render_span(EtLooper *l, const float *in_l, const float *in_r, float *out_l,
	    float *out_r, uint32_t from, uint32_t count, bool rolling,
	    int64_t tf)
{
	if (l->listening || (l->writing && l->w_take && !l->w_started))
		et_looper_remember_input(l, in_l, in_r, from, count);
	uint32_t j = 0;
	while (j < count) {
		Kernel         kp;
		VoiceMode      voice;
		const uint32_t n =
		    STEADY_FRAMES(l, &kp, &voice, j, count - j, rolling, tf);
		if (n == 0) {
			render_frame(l, in_l, in_r, out_l, out_r, from + j, j,
				     rolling, tf);
			++j;
			continue;
		}
		kp.in_l      = in_l + from + j;
		kp.in_r      = in_r + from + j;
		kp.out_l     = out_l + from + j;
		kp.out_r     = out_r + from + j;
		kp.level     = l->level;
		kp.rejected  = &l->rejected;
		kp.denormals = &l->denormals;
		const bool overdub =
		    l->state == ET_LOOP_OVERDUBBING && !l->writing;
		const bool    take   = l->state == ET_LOOP_RECORDING;
		const bool    record = take && !l->writing;
		const OutMode mode   = l->mix_add       ? OUT_ADD
				       : l->ctl.monitor ? OUT_MONITOR
							: OUT_SET;
		/* Mixing, a loop that plays nothing adds nothing (a take
		 * still records). */
		if (mode != OUT_ADD || voice != VOICE_NONE || record)
			run_kernel(&kp, n, voice, overdub, record, mode);
		if (voice != VOICE_NONE) {
			l->last_k   = kp.k + n - 1;
			l->voice_on = l->env > 0;
		}
		if (take)
			l->rec_pos += n;
		l->counter += (int64_t)n;
		j += n;
	}
}
