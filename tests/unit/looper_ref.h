/* The per-frame build of plugin/core/looper.c (ET_LOOPER_PER_FRAME: every
 * frame through render_frame(), no block kernels): the API of looper.h under
 * the prefix ref_looper_ (looper_per_frame.h renames it). */
#ifndef ET_LOOPER_REF_H
#define ET_LOOPER_REF_H

#include "looper.h"

typedef struct RefLooper RefLooper;

/* Only what test_looper_ref calls (the rest is renamed, not declared). */
RefLooper *ref_looper_new(double sample_rate, uint32_t capacity_frames);
void       ref_looper_free(RefLooper *l);
void       ref_looper_set_controls(RefLooper *l, const EtLooperControls *c);
void ref_looper_process(RefLooper *l, const EtClock *clk, const float *in_l,
			const float *in_r, float *out_l, float *out_r,
			uint32_t block_offset, uint32_t n);
EtLoopState ref_looper_state(const RefLooper *l);
uint32_t    ref_looper_length(const RefLooper *l);
double      ref_looper_position(const RefLooper *l);
bool        ref_looper_view(const RefLooper *l, EtLoopView *out);
/* Samples written as 0 (looper.h). */
uint32_t ref_looper_rejected(const RefLooper *l);
uint32_t ref_looper_denormals(const RefLooper *l);
void     ref_looper_set_lag(RefLooper *l, uint32_t frames);

#endif
