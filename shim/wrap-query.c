/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Calls that ask about a path or hand it to the kernel to keep: realpath,
 * canonicalize_file_name, pathconf, inotify_add_watch, name_to_handle_at,
 * acct. Under a root each resolves the object with libbeneath first and
 * then works on that fd: by its /proc/self/fd link (a jump to the open
 * object, never a lookup by name) where the kernel only takes a path.
 */
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/inotify.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "shim.h"

char *__realpath_chk(const char *path, char *resolved, size_t resolvedlen);

/* The object PATH names under root R, as an O_PATH fd. */
static int object(const struct beneath_root *r, const char *p, unsigned int f, unsigned int extra)
{
	return beneath_open(r, p, O_PATH | O_CLOEXEC, 0, f | extra);
}

/* realpath under a root: the host path of what libbeneath resolved. */
static long realpath_root(const struct beneath_root *r, const char *p, unsigned int f, char *out)
{
	int fd = object(r, p, f, 0);
	char proc[32];
	long n;

	if (fd < 0)
		return fd;
	shim_proc_path(proc, fd);
	n = bsys_readlinkat(AT_FDCWD, proc, out, PATH_MAX);
	bsys_close(fd);
	if (n < 0)
		return n;
	if (n >= PATH_MAX)
		return -ENAMETOOLONG;
	out[n] = '\0';
	return 0;
}

static char *realpath_common(const char *name, const char *path, char *resolved)
{
	struct shim_call c;
	char buf[PATH_MAX], in[PATH_MAX];
	long r;

	shim_init();
	/* glibc's realpath works on the text: an input of PATH_MAX bytes or
	 * more that "//" and "/./" bring under PATH_MAX is fine there. */
	if (path && strnlen(path, PATH_MAX) == PATH_MAX && shim_normalize(path, in, sizeof(in)) >= 0)
		path = in;
	switch (shim_classify(&c, name, AT_FDCWD, path, OP_READ)) {
	case W_DENIED:
		errno = c.err;
		return NULL;
	case W_ROOT:
		r = shim_verdict(&c, realpath_root(&c.root.h, c.rest, c.rflags, buf));
		shim_done(&c);
		if (r == SHIM_PASS)
			break;
		if (r < 0) {
			errno = (int)-r;
			return NULL;
		}
		if (resolved)
			return strcpy(resolved, buf);
		return strdup(buf);
	case W_PASS:
		break;
	}
	{
		char *(*fn)(const char *, char *) = REAL(realpath);
		if (!fn) {
			errno = ENOSYS;
			return NULL;
		}
		return fn(path, resolved);
	}
}

SHIM_EXPORT char *realpath(const char *path, char *resolved)
{
	return realpath_common("realpath", path, resolved);
}

SHIM_EXPORT char *__realpath_chk(const char *path, char *resolved, size_t resolvedlen)
{
	/* glibc's own check: a buffer shorter than PATH_MAX aborts. */
	if (resolvedlen < PATH_MAX) {
		__typeof__(&__realpath_chk) fn = REAL(__realpath_chk);
		if (fn)
			fn(path, resolved, resolvedlen);
		abort();
	}
	return realpath_common("__realpath_chk", path, resolved);
}

SHIM_EXPORT char *canonicalize_file_name(const char *path)
{
	return realpath_common("canonicalize_file_name", path, NULL);
}

static long pathconf_root(const struct beneath_root *r, const char *p, unsigned int f, int name)
{
	int fd = object(r, p, f, 0);
	long v;
	int saved = errno;

	if (fd < 0)
		return fd;
	errno = 0;
	v = fpathconf(fd, name);
	if (v < 0 && errno) {
		v = -errno;
	} else if (v < 0) {
		/* -1 without errno: "no limit". Say so after the verdict. */
		v = -ENODATA;
	}
	errno = saved;
	bsys_close(fd);
	return v;
}

SHIM_EXPORT long pathconf(const char *path, int name)
{
	struct shim_call c;
	long r;

	shim_init();
	switch (shim_classify(&c, "pathconf", AT_FDCWD, path, OP_READ)) {
	case W_DENIED:
		errno = c.err;
		return -1;
	case W_ROOT:
		r = shim_verdict(&c, pathconf_root(&c.root.h, c.rest, c.rflags, name));
		shim_done(&c);
		if (r == -ENODATA)
			return -1;  /* errno untouched: indeterminate */
		if (r != SHIM_PASS)
			return shim_ret(r);
		break;
	case W_PASS:
		break;
	}
	{
		long (*fn)(const char *, int) = REAL(pathconf);
		return fn ? fn(path, name) : (errno = ENOSYS, -1);
	}
}

/* inotify on the resolved object: through its /proc link, following it
 * to the object itself (IN_DONT_FOLLOW was applied by libbeneath). */
static long watch_root(const struct beneath_root *r, const char *p, unsigned int f, int ifd,
                       uint32_t mask)
{
	unsigned int extra = 0;
	char proc[32];
	long ret;
	int fd;

	if (mask & IN_DONT_FOLLOW)
		extra |= BENEATH_NOFOLLOW;
	if (mask & IN_ONLYDIR)
		extra |= BENEATH_MUST_BE_DIR;
	fd = object(r, p, f, extra);
	if (fd < 0)
		return fd;
	shim_proc_path(proc, fd);
	ret = bsys_call3(SYS_inotify_add_watch, ifd, (long)proc, mask & ~IN_DONT_FOLLOW);
	bsys_close(fd);
	return ret;
}

SHIM_EXPORT int inotify_add_watch(int ifd, const char *path, uint32_t mask)
{
	SHIM_PATH_CALL("inotify_add_watch", AT_FDCWD, path, OP_READ,
	               watch_root(R, P, F, ifd, mask),
	               PASS(inotify_add_watch,
	                    bsys_call3(SYS_inotify_add_watch, ifd, (long)path, mask), ifd, path,
	                    mask));
}

static long handle_root(const struct beneath_root *r, const char *p, unsigned int f,
                        struct file_handle *h, int *mount_id, int flags)
{
	int fd = object(r, p, f, (flags & AT_SYMLINK_FOLLOW) ? 0 : BENEATH_NOFOLLOW);
	long ret;

	if (fd < 0)
		return fd;
	ret = bsys_call5(SYS_name_to_handle_at, fd, (long)"", (long)h, (long)mount_id,
	                 AT_EMPTY_PATH | (flags & ~(AT_SYMLINK_FOLLOW | AT_EMPTY_PATH)));
	bsys_close(fd);
	return ret;
}

SHIM_EXPORT int name_to_handle_at(int dirfd, const char *path, struct file_handle *h,
                                  int *mount_id, int flags)
{
	/* With AT_EMPTY_PATH and "", the fd alone: shim_classify passes. */
	SHIM_PATH_CALL("name_to_handle_at", dirfd, path, OP_READ,
	               handle_root(R, P, F, h, mount_id, flags),
	               PASS(name_to_handle_at,
	                    bsys_call5(SYS_name_to_handle_at, dirfd, (long)path, (long)h,
	                               (long)mount_id, flags),
	                    dirfd, path, h, mount_id, flags));
}

SHIM_EXPORT int acct(const char *path)
{
	/* NULL turns accounting off: shim_classify passes it. The kernel
	 * appends to the file: a write. */
	SHIM_PATH_CALL("acct", AT_FDCWD, path, OP_WRITE,
	               shim_proc_call1(R, P, F, 0, SYS_acct),
	               PASS(acct, bsys_call1(SYS_acct, (long)path), path));
}
