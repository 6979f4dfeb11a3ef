/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The fd guard: which fds are the shim's own, which of the program's
 * fds were opened under a root, and which root the working directory was
 * entered under.
 *
 * The shim's own fds (root cache slots, fd=N duplicates, the log) must
 * never become something the program chose: close, dup2, dup3, fcntl and
 * close_range treat them as not open (EBADF), and close_range/closefrom
 * close around them. They are all O_CLOEXEC and never reach a child.
 *
 * A directory fd or working directory obtained under a root stays
 * confined to that root even after an attacker moves the directory out
 * of it: dispatch.c resolves "*at(fd, rel)" by the directory's current
 * host path from the root, and a directory that we know came from a root
 * but whose path is no longer under any root is refused, never followed.
 * For that, every fd the shim hands out is marked with its root here, and
 * every other fd a wrapper hands out is unmarked; dup and close carry the
 * marks along.
 */
#include <dirent.h>
#include <sched.h>
#include <stdarg.h>
#include <stdio.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "shim.h"

/* ------------------------------------------------------------------ */
/* The shim's own fds: one bit each (they all sit below 65536)         */
/* ------------------------------------------------------------------ */

#define OWN_MAX 65536

static _Atomic uint64_t own[OWN_MAX / 64];

void shim_fd_own(int fd, bool mine)
{
	uint64_t bit;

	if (fd < 0 || fd >= OWN_MAX)
		return;
	bit = 1ull << (fd % 64);
	if (mine)
		atomic_fetch_or_explicit(&own[fd / 64], bit, memory_order_release);
	else
		atomic_fetch_and_explicit(&own[fd / 64], ~bit, memory_order_release);
}

bool shim_fd_is_own(int fd)
{
	if (fd < 0 || fd >= OWN_MAX)
		return false;
	return atomic_load_explicit(&own[fd / 64], memory_order_acquire) >> (fd % 64) & 1;
}

/* ------------------------------------------------------------------ */
/* Program fds opened under a root: root index + 1 per fd              */
/* ------------------------------------------------------------------ */

/* Two levels of 1024, mapped on first use: the kernel's nr_open is at
 * most 2^20 by default. */
#define CHUNK 1024
#define NCHUNKS 1024

static _Atomic(_Atomic uint32_t *) chunks[NCHUNKS];

static _Atomic uint32_t *chunk_for(int fd, bool create)
{
	_Atomic uint32_t *c, *expected = NULL;

	if (fd < 0 || fd >= CHUNK * NCHUNKS)
		return NULL;
	c = atomic_load_explicit(&chunks[fd / CHUNK], memory_order_acquire);
	if (c || !create)
		return c;
	c = mmap(NULL, CHUNK * sizeof(*c), PROT_READ | PROT_WRITE,
	         MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (c == MAP_FAILED)
		return NULL;
	if (!atomic_compare_exchange_strong(&chunks[fd / CHUNK], &expected, c)) {
		munmap(c, CHUNK * sizeof(*c));
		c = expected;
	}
	return c;
}

int shim_fd_track(long fd, int root)
{
	_Atomic uint32_t *c = chunk_for((int)fd, root >= 0);

	if (!c)
		return root >= 0 && fd >= 0 ? -EMFILE : 0;
	atomic_store_explicit(&c[fd % CHUNK], (uint32_t)(root + 1), memory_order_release);
	return 0;
}

int shim_fd_root(int fd)
{
	_Atomic uint32_t *c = chunk_for(fd, false);

	if (!c)
		return -1;
	return (int)atomic_load_explicit(&c[fd % CHUNK], memory_order_acquire) - 1;
}

/* ------------------------------------------------------------------ */
/* The working directory                                               */
/* ------------------------------------------------------------------ */

/* Its root (index + 1, 0 for none) and identity when it was entered:
 * glibc's own chdir calls (daemon(), say) do not come through here, and
 * a different directory means the mark is stale. */
static struct {
	_Atomic int root;
	_Atomic uint64_t dev, ino;
} cwd;

void shim_cwd_set(int root, const struct stat *st)
{
	atomic_store_explicit(&cwd.root, 0, memory_order_release);
	if (root < 0 || !st)
		return;
	atomic_store_explicit(&cwd.dev, st->st_dev, memory_order_relaxed);
	atomic_store_explicit(&cwd.ino, st->st_ino, memory_order_relaxed);
	atomic_store_explicit(&cwd.root, root + 1, memory_order_release);
}

int shim_cwd_root(void)
{
	return atomic_load_explicit(&cwd.root, memory_order_acquire) - 1;
}

/* Is the working directory still the one we marked? If not, forget the
 * mark: it was changed behind our back. */
bool shim_cwd_still(void)
{
	struct stat st;

	if (bsys_fstatat(AT_FDCWD, "", &st, AT_EMPTY_PATH) < 0)
		return true;  /* cannot tell: keep refusing */
	if (st.st_dev == atomic_load_explicit(&cwd.dev, memory_order_relaxed) &&
	    st.st_ino == atomic_load_explicit(&cwd.ino, memory_order_relaxed))
		return true;
	atomic_store_explicit(&cwd.root, 0, memory_order_release);
	return false;
}

/* ------------------------------------------------------------------ */
/* Wrappers                                                            */
/* ------------------------------------------------------------------ */

static int ebadf(void)
{
	errno = EBADF;
	return -1;
}

SHIM_EXPORT int close(int fd)
{
	if (unlikely(shim_fd_is_own(fd)))
		return ebadf();
	shim_fd_track(fd, -1);
	return (int)PASS(close, bsys_close(fd), fd);
}

/* close_range over [lo, hi] minus our own fds: one call per gap. */
static long close_gaps(unsigned int lo, unsigned int hi, unsigned int flags)
{
	unsigned int first = lo;
	bool unshared = !(flags & CLOSE_RANGE_UNSHARE);
	long r = 0;

	/* CLOSE_RANGE_CLOEXEC only sets the flag ours already have. */
	if (flags & CLOSE_RANGE_CLOEXEC)
		return bsys_call3(SYS_close_range, lo, hi, flags);
	for (unsigned int fd = lo; fd <= hi && fd < OWN_MAX; fd++) {
		if (fd % 64 == 0 && !atomic_load(&own[fd / 64])) {
			fd += 63;
			continue;
		}
		if (!shim_fd_is_own((int)fd))
			continue;
		if (fd > first) {
			r = bsys_call3(SYS_close_range, first, fd - 1,
			               unshared ? 0 : CLOSE_RANGE_UNSHARE);
			if (r < 0)
				return r;
			unshared = true;
		}
		first = fd + 1;
	}
	if (first <= hi && first >= lo)
		r = bsys_call3(SYS_close_range, first, hi, unshared ? 0 : CLOSE_RANGE_UNSHARE);
	else if (!unshared)
		r = bsys_call1(SYS_unshare, CLONE_FILES);
	return r;
}

static void forget_range(unsigned int lo, unsigned int hi)
{
	for (unsigned int fd = lo; fd <= hi && fd < CHUNK * NCHUNKS;) {
		_Atomic uint32_t *c = chunk_for((int)fd, false);
		unsigned int end = (fd / CHUNK + 1) * CHUNK;

		if (c)
			for (; fd < end && fd <= hi; fd++)
				atomic_store_explicit(&c[fd % CHUNK], 0, memory_order_relaxed);
		else
			fd = end;
	}
}

SHIM_EXPORT int close_range(unsigned int lo, unsigned int hi, int flags)
{
	long r;

	if (lo > hi) {
		errno = EINVAL;
		return -1;
	}
	r = close_gaps(lo, hi, (unsigned int)flags);
	if (r == 0 && !(flags & CLOSE_RANGE_CLOEXEC))
		forget_range(lo, hi);
	return (int)shim_ret(r);
}

SHIM_EXPORT void closefrom(int lowfd)
{
	unsigned int lo = lowfd < 0 ? 0 : (unsigned int)lowfd;

	if (close_gaps(lo, ~0u, 0) == 0) {
		forget_range(lo, ~0u);
		return;
	}
	/* No close_range: one close per fd, as glibc falls back to. */
	for (long fd = lo, max = sysconf(_SC_OPEN_MAX); fd < max; fd++)
		close((int)fd);
}

/* The new fd inherits the old one's root. */
static long dup_result(int oldfd, long r)
{
	if (r >= 0 && shim_fd_track(r, shim_fd_root(oldfd)) < 0) {
		bsys_close((int)r);
		return -EMFILE;
	}
	return r;
}

SHIM_EXPORT int dup(int oldfd)
{
	if (unlikely(shim_fd_is_own(oldfd)))
		return ebadf();
	return (int)shim_ret(dup_result(oldfd, bsys_call1(SYS_dup, oldfd)));
}

SHIM_EXPORT int dup3(int oldfd, int newfd, int flags)
{
	if (unlikely(shim_fd_is_own(oldfd) || shim_fd_is_own(newfd)))
		return ebadf();
	return (int)shim_ret(dup_result(oldfd, bsys_call3(SYS_dup3, oldfd, newfd, flags)));
}

SHIM_EXPORT int dup2(int oldfd, int newfd)
{
	if (unlikely(shim_fd_is_own(oldfd) || shim_fd_is_own(newfd)))
		return ebadf();
	if (oldfd == newfd)  /* dup3 refuses this; dup2 checks oldfd is open */
		return (int)shim_ret(bsys_fcntl(oldfd, F_GETFD, 0) < 0 ? -EBADF : newfd);
	return (int)shim_ret(dup_result(oldfd, bsys_call3(SYS_dup3, oldfd, newfd, 0)));
}

static int fcntl_common(int (*real)(int, int, ...), int fd, int cmd, void *arg)
{
	long r;

	if (unlikely(shim_fd_is_own(fd)))
		return ebadf();
	if (cmd != F_DUPFD && cmd != F_DUPFD_CLOEXEC)
		return real ? real(fd, cmd, arg) : (int)shim_ret(bsys_fcntl(fd, cmd, (long)arg));
	r = bsys_fcntl(fd, cmd, (long)arg);
	return (int)shim_ret(dup_result(fd, r));
}

SHIM_EXPORT int fcntl(int fd, int cmd, ...)
{
	va_list ap;
	void *arg;

	va_start(ap, cmd);
	arg = va_arg(ap, void *);
	va_end(ap);
	return fcntl_common(REAL(fcntl), fd, cmd, arg);
}

SHIM_EXPORT int fcntl64(int fd, int cmd, ...)
{
	va_list ap;
	void *arg;

	va_start(ap, cmd);
	arg = va_arg(ap, void *);
	va_end(ap);
	return fcntl_common(REAL(fcntl64), fd, cmd, arg);
}

/* stdio and dirent close their fds inside libc, past close(). */
SHIM_EXPORT int fclose(FILE *f)
{
	if (f) {
		int fd = fileno(f);
		if (fd >= 0)
			shim_fd_track(fd, -1);
	}
	/* Inside dlsym (see real.c) there is no fclose to call: leak. */
	return REAL(fclose) ? REAL(fclose)(f) : 0;
}

SHIM_EXPORT int closedir(DIR *d)
{
	shim_fd_track(dirfd(d), -1);
	return REAL(closedir) ? REAL(closedir)(d) : 0;
}
