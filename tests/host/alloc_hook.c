/* Counts heap calls made while counting is on, by interposing the C
 * allocator in the test executable (the plugin's calls resolve here too).
 * Left out of sanitizer builds, which bring their own allocator. */
#include "lv2host.h"

#include <stddef.h>

#ifndef ET_NO_ALLOC_HOOK
extern void *__libc_malloc(size_t size);
extern void *__libc_calloc(size_t n, size_t size);
extern void *__libc_realloc(void *ptr, size_t size);
extern void *__libc_memalign(size_t alignment, size_t size);
extern void  __libc_free(void *ptr);

/* Per thread: what a save running in another thread beside run()
 * allocates (test_host_torn) is not run()'s, and the flag is not shared
 * between threads.  Only the counting thread touches count.
 * initial-exec: reaching the flag must not itself allocate (the general
 * TLS model may call __tls_get_addr, which can call malloc). */
static _Thread_local volatile int counting
    __attribute__((tls_model("initial-exec")));
static volatile size_t count;

void
eth_count_allocations(bool on)
{
	counting = on;
}

size_t
eth_allocation_count(void)
{
	return count;
}

void *
malloc(size_t size)
{
	if (counting) {
		++count;
	}
	return __libc_malloc(size);
}

void *
calloc(size_t n, size_t size)
{
	if (counting) {
		++count;
	}
	return __libc_calloc(n, size);
}

void *
realloc(void *ptr, size_t size)
{
	if (counting) {
		++count;
	}
	return __libc_realloc(ptr, size);
}

int
posix_memalign(void **out, size_t alignment, size_t size)
{
	if (counting) {
		++count;
	}
	*out = __libc_memalign(alignment, size);
	return *out ? 0 : 12 /* ENOMEM */;
}

void
free(void *ptr)
{
	if (counting && ptr) {
		++count;
	}
	__libc_free(ptr);
}
#else
void
eth_count_allocations(bool on)
{
	(void)on;
}

size_t
eth_allocation_count(void)
{
	return 0;
}
#endif
