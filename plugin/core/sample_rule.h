/* What a loop may hold (interface.md): finite samples within +-16
 * (+24 dBFS), no denormals.  One rule for what is recorded (looper.c) and
 * what is loaded from a file (loopfile.c).
 *
 * Classified on the float's bits: with the sign cleared they order as the
 * magnitude (the infinities, then NaN, above every finite value), so the
 * answer does not depend on the FPU's denormal mode (DAZ), and the looper's
 * vector kernels can make the same integer compares four lanes at a time. */
#ifndef ET_SAMPLE_RULE_H
#define ET_SAMPLE_RULE_H

#include <stdint.h>
#include <string.h>

#define ET_SAMPLE_LIMIT           16.0f
#define ET_SAMPLE_BITS_MIN_NORMAL 0x00800000u /* FLT_MIN */
#define ET_SAMPLE_BITS_LIMIT      0x41800000u /* ET_SAMPLE_LIMIT */
#define ET_SAMPLE_BITS_INFINITY   0x7f800000u

typedef enum {
	ET_SAMPLE_PLAYABLE, /* a normal float within the limit */
	ET_SAMPLE_ZERO,     /* +0 or -0 */
	ET_SAMPLE_DENORMAL,
	ET_SAMPLE_TOO_LOUD,  /* finite, beyond the limit */
	ET_SAMPLE_NOT_FINITE /* NaN or an infinity */
} EtSampleClass;

/* A sample's bits without the sign. */
static inline uint32_t
et_sample_magnitude_bits(float x)
{
	uint32_t b;
	memcpy(&b, &x, sizeof b);
	return b & 0x7fffffffu;
}

static inline EtSampleClass
et_sample_class(float x)
{
	const uint32_t mag = et_sample_magnitude_bits(x);
	if (mag >= ET_SAMPLE_BITS_MIN_NORMAL && mag <= ET_SAMPLE_BITS_LIMIT) {
		return ET_SAMPLE_PLAYABLE;
	}
	if (mag == 0) {
		return ET_SAMPLE_ZERO;
	}
	if (mag < ET_SAMPLE_BITS_MIN_NORMAL) {
		return ET_SAMPLE_DENORMAL;
	}
	return mag < ET_SAMPLE_BITS_INFINITY ? ET_SAMPLE_TOO_LOUD
					     : ET_SAMPLE_NOT_FINITE;
}

#endif
