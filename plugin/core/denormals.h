/* Denormals flushed to zero for the duration of run().
 *
 * A denormal in the loop or the input makes every float operation on it
 * some 10-25 times slower on x86 (measured: play 22 ns a frame instead of
 * 2.2).  On x86-64, run() sets the SSE control register's flush-to-zero
 * and denormals-are-zero bits and puts the host's value back before it
 * returns; the looper keeps denormals out of the loop as well (looper.h),
 * which is all other processors get. */
#ifndef ET_DENORMALS_H
#define ET_DENORMALS_H

#if defined(__x86_64__) && defined(__SSE__)
#include <xmmintrin.h>

typedef struct {
	unsigned int csr;
} EtFpuMode;

#define ET_CSR_FLUSH_TO_ZERO      0x8000u
#define ET_CSR_DENORMALS_ARE_ZERO 0x0040u
#define ET_CSR_FLUSH              (ET_CSR_FLUSH_TO_ZERO | ET_CSR_DENORMALS_ARE_ZERO)

/* Writing the register waits for the floating-point work in flight, so
 * it is written only when the host has not set both bits already (Ardour
 * does, on its process threads). */
static inline EtFpuMode
et_flush_denormals(void)
{
	const EtFpuMode host = { _mm_getcsr() };
	if ((host.csr & ET_CSR_FLUSH) != ET_CSR_FLUSH) {
		_mm_setcsr(host.csr | ET_CSR_FLUSH);
	}
	return host;
}

static inline void
et_restore_fpu(EtFpuMode host)
{
	if ((host.csr & ET_CSR_FLUSH) != ET_CSR_FLUSH) {
		_mm_setcsr(host.csr);
	}
}
#else
typedef struct {
	int unused;
} EtFpuMode;

static inline EtFpuMode
et_flush_denormals(void)
{
	const EtFpuMode host = { 0 };
	return host;
}

static inline void
et_restore_fpu(EtFpuMode host)
{
	(void)host;
}
#endif

#endif
