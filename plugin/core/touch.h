/* Memory that run() will use is written, page by page, where it is
 * allocated (interface.md: "touched means written").  A zeroing memset
 * alone is not enough: the compiler may turn malloc + memset into calloc,
 * which maps the kernel's shared zero page and leaves the real page to the
 * first write, in run().  Stores through a volatile pointer cannot be
 * elided or merged into an allocation. */
#ifndef ET_TOUCH_H
#define ET_TOUCH_H

#include <stddef.h>
#include <string.h>

/* Zeroes `bytes` at p and writes each of its pages. */
static inline void
et_touch(void *p, size_t bytes)
{
	memset(p, 0, bytes);
	volatile unsigned char *v = p;
	for (size_t i = 0; i < bytes; i += 4096)
		v[i] = 0;
	if (bytes > 0)
		v[bytes - 1] = 0;
}

#endif
