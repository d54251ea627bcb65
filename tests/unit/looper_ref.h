/* The per-frame build of plugin/core/looper.c (ET_LOOPER_PER_FRAME: every
 * frame through render_frame(), no block kernels): the API of looper.h under
 * the prefix ref_looper_ (looper_per_frame.h renames it). */
#ifndef ET_LOOPER_REF_H
#define ET_LOOPER_REF_H

#include "looper.h"

typedef struct RefLooper RefLooper;

EtLooperControls ref_looper_default_controls(void);
uint32_t         ref_looper_ramp_frames(double sample_rate);
float            ref_looper_seam_weight(uint32_t i, uint32_t frames);
RefLooper       *ref_looper_new(double sample_rate, uint32_t capacity_frames);
void             ref_looper_free(RefLooper *l);
void ref_looper_set_controls(RefLooper *l, const EtLooperControls *c);
void ref_looper_set_baseline(RefLooper *l, const EtLooperControls *c);
void ref_looper_process(RefLooper *l, const EtClock *clk, const float *in_l,
			const float *in_r, float *out_l, float *out_r,
			uint32_t block_offset, uint32_t n);
EtLoopState ref_looper_state(const RefLooper *l);
uint32_t    ref_looper_length(const RefLooper *l);
double      ref_looper_position(const RefLooper *l);
uint32_t    ref_looper_capacity(const RefLooper *l);
uint32_t    ref_looper_rejected(const RefLooper *l);
uint32_t    ref_looper_denormals(const RefLooper *l);
bool        ref_looper_view(const RefLooper *l, EtLoopView *out);
bool ref_looper_load(RefLooper *l, const float *left, const float *right,
		     uint32_t length, double exact_length, bool anchored,
		     int64_t start_frame, double start_exact);

#endif
