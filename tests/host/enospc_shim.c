/* A full disk, for the tests, preloaded (LD_PRELOAD) into a test process:
 * once armed with et_enospc_arm(dir, budget), writes into files under dir
 * succeed for `budget` bytes in all, the one that crosses it is cut short
 * there, and every one after it fails with ENOSPC, as on a file system
 * that has run out of space.  Writes elsewhere (the test's own output) are
 * never touched.  write, pwrite, pwrite64 and writev are covered: what
 * libsndfile and the C library's stdio call. */
#define _GNU_SOURCE

#include <dlfcn.h>
#include <errno.h>
#include <limits.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <sys/types.h>
#include <sys/uio.h>
#include <unistd.h>

/* Exported: the test finds it with dlsym(RTLD_DEFAULT, ...). */
void et_enospc_arm(const char *dir, long budget);
long et_enospc_refused(void);

static char dir_prefix[PATH_MAX];
static long bytes_left = -1; /* -1: disarmed */
static long refused;         /* writes failed with ENOSPC since armed */

void
et_enospc_arm(const char *dir, long budget)
{
	if (!dir) {
		bytes_left = -1;
		return;
	}
	snprintf(dir_prefix, sizeof dir_prefix, "%s/", dir);
	bytes_left = budget;
	refused    = 0;
}

long
et_enospc_refused(void)
{
	return refused;
}

static bool
watched(int fd)
{
	if (bytes_left < 0) {
		return false;
	}
	char link[64];
	char path[PATH_MAX];
	snprintf(link, sizeof link, "/proc/self/fd/%d", fd);
	const ssize_t n = readlink(link, path, sizeof path - 1);
	if (n <= 0) {
		return false;
	}
	path[n] = '\0';
	return strncmp(path, dir_prefix, strlen(dir_prefix)) == 0;
}

/* How many of n bytes may be written to fd now; 0 with errno = ENOSPC if
 * none (n > 0). */
static size_t
allowed(int fd, size_t n, bool *counted)
{
	*counted = n > 0 && watched(fd);
	if (!*counted) {
		return n;
	}
	if (bytes_left == 0) {
		++refused;
		errno = ENOSPC;
		return 0;
	}
	return (size_t)bytes_left < n ? (size_t)bytes_left : n;
}

static void
spent(bool counted, ssize_t w)
{
	if (counted && w > 0) {
		bytes_left -= w;
	}
}

typedef ssize_t (*WriteFn)(int, const void *, size_t);
typedef ssize_t (*PwriteFn)(int, const void *, size_t, off_t);
typedef ssize_t (*Pwrite64Fn)(int, const void *, size_t, off64_t);
typedef ssize_t (*WritevFn)(int, const struct iovec *, int);

/* The C library's function of that name, the first time it is needed. */
#define REAL(name, type)                                                      \
	static type real_##name;                                              \
	if (!real_##name) {                                                   \
		*(void **)&real_##name = dlsym(RTLD_NEXT, #name);             \
	}

ssize_t
write(int fd, const void *buf, size_t n)
{
	REAL(write, WriteFn);
	bool         counted;
	const size_t ok = allowed(fd, n, &counted);
	if (n > 0 && ok == 0) {
		return -1;
	}
	const ssize_t w = real_write(fd, buf, ok);
	spent(counted, w);
	return w;
}

ssize_t
pwrite(int fd, const void *buf, size_t n, off_t at)
{
	REAL(pwrite, PwriteFn);
	bool         counted;
	const size_t ok = allowed(fd, n, &counted);
	if (n > 0 && ok == 0) {
		return -1;
	}
	const ssize_t w = real_pwrite(fd, buf, ok, at);
	spent(counted, w);
	return w;
}

ssize_t
pwrite64(int fd, const void *buf, size_t n, off64_t at)
{
	REAL(pwrite64, Pwrite64Fn);
	bool         counted;
	const size_t ok = allowed(fd, n, &counted);
	if (n > 0 && ok == 0) {
		return -1;
	}
	const ssize_t w = real_pwrite64(fd, buf, ok, at);
	spent(counted, w);
	return w;
}

/* All or nothing: enough for the tests, never more than the budget. */
ssize_t
writev(int fd, const struct iovec *iov, int count)
{
	REAL(writev, WritevFn);
	size_t n = 0;
	for (int i = 0; i < count; ++i) {
		n += iov[i].iov_len;
	}
	bool         counted;
	const size_t ok = allowed(fd, n, &counted);
	if (n > 0 && ok < n) {
		if (counted) {
			++refused;
		}
		errno = ENOSPC;
		return -1;
	}
	const ssize_t w = real_writev(fd, iov, count);
	spent(counted, w);
	return w;
}
