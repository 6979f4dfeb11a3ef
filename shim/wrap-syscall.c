/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * syscall(): a program that calls the kernel through glibc's syscall()
 * for a path call gets the same wrapper as for the libc function (the
 * kernel's struct stat and glibc's are one on x86_64). openat2 has no
 * glibc wrapper and is handled here. Other numbers go to libc's
 * syscall() unchanged; a raw syscall instruction in the program is
 * beyond any preload (README).
 */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sys/inotify.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "openat2-compat.h"
#include "shim.h"

#ifndef RESOLVE_CACHED
#define RESOLVE_CACHED 0x20
#endif
#ifndef SYS_faccessat2
#define SYS_faccessat2 439
#endif

#define OPENAT2_FLAGS                                                          \
	(O_ACCMODE | O_CREAT | O_EXCL | O_NOCTTY | O_TRUNC | O_APPEND | O_NONBLOCK | \
	 O_DSYNC | FASYNC | O_DIRECT | O_LARGEFILE | O_DIRECTORY | O_NOFOLLOW |  \
	 O_NOATIME | O_CLOEXEC | O_SYNC | O_PATH | __O_TMPFILE)
#define RESOLVE_ALL                                                            \
	(RESOLVE_NO_XDEV | RESOLVE_NO_MAGICLINKS | RESOLVE_NO_SYMLINKS |       \
	 RESOLVE_BENEATH | RESOLVE_IN_ROOT | RESOLVE_CACHED)

/* The caller's open_how, checked as the kernel checks it. */
static long read_how(const void *uhow, size_t size, struct open_how *how)
{
	if (!uhow)
		return -EFAULT;
	if (size < sizeof(*how))
		return -EINVAL;
	if (size > 4096)
		return -E2BIG;
	for (size_t i = sizeof(*how); i < size; i++)
		if (((const unsigned char *)uhow)[i])
			return -E2BIG;
	memcpy(how, uhow, sizeof(*how));
	if ((how->flags & ~(uint64_t)OPENAT2_FLAGS) || (how->resolve & ~(uint64_t)RESOLVE_ALL) ||
	    (how->mode & ~(uint64_t)07777) ||
	    ((how->resolve & RESOLVE_BENEATH) && (how->resolve & RESOLVE_IN_ROOT)))
		return -EINVAL;
	if (how->mode && !(how->flags & O_CREAT) &&
	    (how->flags & __O_TMPFILE) != __O_TMPFILE)
		return -EINVAL;
	return 0;
}

static unsigned int extra_rflags(const struct open_how *how)
{
	return ((how->resolve & RESOLVE_NO_XDEV) ? BENEATH_NO_XDEV : 0) |
	       ((how->resolve & RESOLVE_NO_SYMLINKS) ? BENEATH_NO_SYMLINKS : 0);
}

static long sys_openat2(int dirfd, const char *path, const void *uhow, size_t size)
{
	struct open_how how;
	struct shim_call c;
	bool scoped;
	int scope;
	long r = read_how(uhow, size, &how);
	int flags;

	if (r < 0)
		return r;
	flags = (int)how.flags;
	scoped = how.resolve & (RESOLVE_BENEATH | RESOLVE_IN_ROOT);
	shim_init();
	/* The caller's own scope, as the kernel applies it to an absolute
	 * path: out of it (BENEATH), or from DIRFD again (IN_ROOT). */
	if (scoped && path && path[0] == '/') {
		if (how.resolve & RESOLVE_BENEATH)
			return -EXDEV;
		while (*path == '/')
			path++;
		if (!*path)
			path = ".";
	}
	/*
	 * The caller scopes the lookup to DIRFD itself: when that directory
	 * is under a root, resolve beneath it as asked (it is inside the
	 * root, so that is stricter than the root), with the root's own
	 * rules added. Its EXDEV is then the caller's answer, not ours.
	 */
	scope = scoped && path && *path ? shim_dir_scope(dirfd) : SHIM_SCOPE_ANY;
	/* Neither under a root nor above one: the lookup cannot leave
	 * DIRFD, so it cannot reach a root. Matching it by name instead would
	 * climb above DIRFD where the kernel clamps ("/../b" in IN_ROOT). */
	if (scope == SHIM_SCOPE_NONE && !shim.cfg.deny_outside)
		goto pass;
	if (scope >= 0) {
		struct beneath_root here = { .fd = dirfd, .path = NULL };
		unsigned int rf;
		int root;

		switch (shim_classify(&c, "openat2", dirfd, ".",
		                     open_is_write(flags) ? OP_WRITE : OP_READ)) {
		case W_DENIED:
			return -c.err;
		case W_PASS:  /* audit mode */
			goto pass;
		case W_ROOT:
			break;
		}
		rf = (c.rflags & ~BENEATH_MODE_MASK) | extra_rflags(&how) |
		     ((how.resolve & RESOLVE_IN_ROOT) ? BENEATH_MODE_IN_ROOT : BENEATH_MODE_BENEATH);
		root = c.rindex;
		shim_done(&c);
		if (how.resolve & RESOLVE_CACHED)
			return -EAGAIN;
		r = beneath_open(&here, path, flags, (mode_t)how.mode, rf | BENEATH_CLOEXEC_AS_GIVEN);
		return shim_track_new(r, root);
	}
	switch (shim_classify(&c, "openat2", dirfd, path, open_is_write(flags) ? OP_WRITE : OP_READ)) {
	case W_DENIED:
		return -c.err;
	case W_ROOT:
		if (how.resolve & RESOLVE_CACHED) {
			shim_done(&c);
			return -EAGAIN;
		}
		r = shim_verdict(&c, beneath_open(&c.root.h, c.rest, flags, (mode_t)how.mode,
		                                  c.rflags | extra_rflags(&how) |
		                                  BENEATH_CLOEXEC_AS_GIVEN));
		shim_done(&c);
		if (r != SHIM_PASS)
			return shim_track_new(r, c.rindex);
		break;
	case W_PASS:
		break;
	}
	return shim_track_new(bsys_call4(SYS_openat2, dirfd, (long)path, (long)uhow, (long)size),
	                      c.rindex);
pass:
	return shim_track_new(bsys_call4(SYS_openat2, dirfd, (long)path, (long)uhow, (long)size), -1);
}

/* Which arguments of system call N are paths (bit i: argument i), for
 * the numbers routed to a wrapper. */
static unsigned int path_args(long n)
{
	switch (n) {
	case SYS_open: case SYS_creat: case SYS_stat: case SYS_lstat: case SYS_access:
	case SYS_readlink: case SYS_mkdir: case SYS_mknod: case SYS_unlink: case SYS_rmdir:
	case SYS_chmod: case SYS_chown: case SYS_lchown: case SYS_truncate: case SYS_chdir:
	case SYS_chroot: case SYS_execve: case SYS_acct:
		return 1u << 0;
	case SYS_openat: case SYS_newfstatat: case SYS_statx: case SYS_faccessat:
	case SYS_faccessat2: case SYS_readlinkat: case SYS_mkdirat: case SYS_mknodat:
	case SYS_unlinkat: case SYS_fchmodat: case SYS_fchownat: case SYS_inotify_add_watch:
	case SYS_name_to_handle_at: case SYS_utimensat:
		return 1u << 1;
	case SYS_rename: case SYS_link: case SYS_symlink:
		return 1u << 0 | 1u << 1;
	case SYS_renameat: case SYS_renameat2: case SYS_linkat:
		return 1u << 1 | 1u << 3;
	case SYS_symlinkat:
		return 1u << 0 | 1u << 2;
	default:
		return 0;
	}
}

/* A libc call's -1/errno as syscall() returns it. */
#define LIBC(call) ((long)(call))

SHIM_EXPORT long syscall(long n, ...)
{
	long a, b, c, d, e, f;
	va_list ap;

	va_start(ap, n);
	a = va_arg(ap, long);
	b = va_arg(ap, long);
	c = va_arg(ap, long);
	d = va_arg(ap, long);
	e = va_arg(ap, long);
	f = va_arg(ap, long);
	va_end(ap);

#define S(x) ((const char *)(x))
	/* A NULL path: the kernel's own answer (libc's functions declare
	 * their paths nonnull). */
	{
		long args[4] = { a, b, c, d };
		unsigned int m = path_args(n);

		for (int i = 0; i < 4; i++)
			if ((m >> i & 1) && !args[i])
				goto raw;
	}
	switch (n) {
	case SYS_openat2:
		return shim_ret(sys_openat2((int)a, S(b), (const void *)c, (size_t)d));
	case SYS_open:
		return LIBC(open(S(a), (int)b, (mode_t)c));
	case SYS_openat:
		return LIBC(openat((int)a, S(b), (int)c, (mode_t)d));
	case SYS_creat:
		return LIBC(creat(S(a), (mode_t)b));
	case SYS_close:
		return LIBC(close((int)a));
	case SYS_close_range:
		return LIBC(close_range((unsigned int)a, (unsigned int)b, (int)c));
	case SYS_dup:
		return LIBC(dup((int)a));
	case SYS_dup2:
		return LIBC(dup2((int)a, (int)b));
	case SYS_dup3:
		return LIBC(dup3((int)a, (int)b, (int)c));
	case SYS_fcntl:
		return LIBC(fcntl((int)a, (int)b, c));
	case SYS_stat:
		return LIBC(stat(S(a), (struct stat *)b));
	case SYS_lstat:
		return LIBC(lstat(S(a), (struct stat *)b));
	case SYS_newfstatat:
		return LIBC(fstatat((int)a, S(b), (struct stat *)c, (int)d));
	case SYS_statx:
		return LIBC(statx((int)a, S(b), (int)c, (unsigned int)d, (struct statx *)e));
	case SYS_access:
		return LIBC(access(S(a), (int)b));
	case SYS_faccessat:
		return LIBC(faccessat((int)a, S(b), (int)c, 0));
	case SYS_faccessat2:
		return LIBC(faccessat((int)a, S(b), (int)c, (int)d));
	case SYS_readlink:
		return LIBC(readlink(S(a), (char *)b, (size_t)c));
	case SYS_readlinkat:
		return LIBC(readlinkat((int)a, S(b), (char *)c, (size_t)d));
	case SYS_mkdir:
		return LIBC(mkdir(S(a), (mode_t)b));
	case SYS_mkdirat:
		return LIBC(mkdirat((int)a, S(b), (mode_t)c));
	case SYS_mknod:
		return LIBC(mknod(S(a), (mode_t)b, (dev_t)c));
	case SYS_mknodat:
		return LIBC(mknodat((int)a, S(b), (mode_t)c, (dev_t)d));
	case SYS_unlink:
		return LIBC(unlink(S(a)));
	case SYS_unlinkat:
		return LIBC(unlinkat((int)a, S(b), (int)c));
	case SYS_rmdir:
		return LIBC(rmdir(S(a)));
	case SYS_rename:
		return LIBC(rename(S(a), S(b)));
	case SYS_renameat:
		return LIBC(renameat((int)a, S(b), (int)c, S(d)));
	case SYS_renameat2:
		return LIBC(renameat2((int)a, S(b), (int)c, S(d), (unsigned int)e));
	case SYS_link:
		return LIBC(link(S(a), S(b)));
	case SYS_linkat:
		return LIBC(linkat((int)a, S(b), (int)c, S(d), (int)e));
	case SYS_symlink:
		return LIBC(symlink(S(a), S(b)));
	case SYS_symlinkat:
		return LIBC(symlinkat(S(a), (int)b, S(c)));
	case SYS_chmod:
		return LIBC(chmod(S(a), (mode_t)b));
	case SYS_fchmodat:
		return LIBC(fchmodat((int)a, S(b), (mode_t)c, 0));
	case SYS_chown:
		return LIBC(chown(S(a), (uid_t)b, (gid_t)c));
	case SYS_lchown:
		return LIBC(lchown(S(a), (uid_t)b, (gid_t)c));
	case SYS_fchownat:
		return LIBC(fchownat((int)a, S(b), (uid_t)c, (gid_t)d, (int)e));
	case SYS_truncate:
		return LIBC(truncate(S(a), (off_t)b));
	case SYS_utimensat:
		/* A NULL path is the fd alone, which glibc refuses. */
		if (!b)
			break;
		return LIBC(utimensat((int)a, S(b), (const struct timespec *)c, (int)d));
	case SYS_chdir:
		return LIBC(chdir(S(a)));
	case SYS_fchdir:
		return LIBC(fchdir((int)a));
	case SYS_chroot:
		return LIBC(chroot(S(a)));
	case SYS_execve:
		return LIBC(execve(S(a), (char *const *)b, (char *const *)c));
	case SYS_inotify_add_watch:
		return LIBC(inotify_add_watch((int)a, S(b), (uint32_t)c));
	case SYS_name_to_handle_at:
		return LIBC(name_to_handle_at((int)a, S(b), (struct file_handle *)c, (int *)d, (int)e));
	case SYS_acct:
		return LIBC(acct(S(a)));
	case SYS_bind:
		return LIBC(bind((int)a, (const struct sockaddr *)b, (socklen_t)c));
	case SYS_connect:
		return LIBC(connect((int)a, (const struct sockaddr *)b, (socklen_t)c));
	default:
		break;
	}
#undef S
raw:
	{
		long (*fn)(long, ...) = REAL(syscall);
		if (fn)
			return fn(n, a, b, c, d, e, f);
		long r = bsys_call6(n, a, b, c, d, e, f);
		if ((unsigned long)r >= -4095ul) {
			errno = (int)-r;
			return -1;
		}
		return r;
	}
}
