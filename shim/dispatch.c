/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Where a path goes: through the real libc call, beneath a root with
 * libbeneath, or nowhere (a denial). Every wrapper family goes through
 * shim_classify() and, under a root, shim_verdict(); the families only
 * differ in the libbeneath call they make in between.
 */
#include <fcntl.h>
#include <string.h>
#include <sys/syscall.h>

#include "shim.h"

int shim_deny(struct shim_call *c, const char *root, enum shim_reason why, int err)
{
	bool audit = shim.cfg.mode == SHIM_AUDIT;

	shim_log(c->name, c->path, root, why, err, audit);
	return audit ? SHIM_PASS : -err;
}

/* A relative path against the working directory, made absolute: the
 * working directory may be under a root. */
static int absolute(struct shim_call *c, const char *path)
{
	long n = bsys_call2(SYS_getcwd, (long)c->buf, sizeof(c->buf));
	size_t plen = strlen(path);

	/* No usable working directory (deleted, or outside our view, which
	 * getcwd spells "(unreachable)..."): nothing to confine. */
	if (n <= 1 || c->buf[0] != '/')
		return -ENOENT;
	n--;  /* the NUL */
	if ((size_t)n + 1 + plen + 1 > sizeof(c->buf))
		return -ENAMETOOLONG;
	if (c->buf[n - 1] != '/')
		c->buf[n++] = '/';
	memcpy(c->buf + n, path, plen + 1);
	return shim_normalize(c->buf, c->buf, sizeof(c->buf));
}

enum shim_where shim_classify(struct shim_call *c, const char *name, int dirfd,
                              const char *path, enum shim_op_kind kind)
{
	const struct shim_root_cfg *rc;
	size_t clen;
	int len, r;

	c->name = name;
	c->path = path;
	c->root.slot = -1;
	c->root.own_fd = false;
	c->where = W_PASS;
	if (!shim_usable() || !path || !*path)
		return W_PASS;  /* the real call gives EFAULT / ENOENT */
	if (path[0] == '/') {
		len = shim_normalize(path, c->buf, sizeof(c->buf));
	} else {
		/* A relative path against another dirfd is part 2's. */
		if (dirfd != AT_FDCWD)
			return W_PASS;
		len = absolute(c, path);
		if (len == -ENOENT)
			goto outside;
	}
	if (len < 0) {
		/* Too long to match: the real call may well work (a long
		 * relative path), but we cannot tell where it goes. */
		c->err = -len;
		return c->where = W_DENIED;
	}
	rc = shim_match(c->buf, (size_t)len, &c->rest, &clen);
	if (!rc) {
outside:
		if (!shim.cfg.deny_outside)
			return W_PASS;
		r = shim_deny(c, "", R_OUTSIDE, shim.cfg.deny_errno);
		if (r == SHIM_PASS)
			return W_PASS;
		c->err = -r;
		return c->where = W_DENIED;
	}
	/* The root's own path, NUL-terminated in place. */
	if (clen == 0) {
		c->root.h.path = "/";
	} else {
		c->buf[clen] = '\0';
		c->root.h.path = c->buf;
	}
	c->logroot = c->root.h.path;  /* the log names the root as matched */
	if (rc->ro && kind == OP_WRITE) {
		r = shim_deny(c, c->logroot, R_READ_ONLY, EROFS);
		if (r == SHIM_PASS)
			return W_PASS;
		c->err = EROFS;
		return c->where = W_DENIED;
	}
	r = shim_root_acquire(&c->root, rc, c->buf, clen);
	/* contain compares absolute link targets with the root's path: use
	 * the spelling the kernel resolves to, whichever one matched, so
	 * that both spellings of a symlinked root give the same answers. */
	if (rc->wildcard_depth < 0 && shim_root_canonical(rc))
		c->root.h.path = shim_root_canonical(rc);
	if (r < 0) {
		/* A wildcard root reached through a symlink is refused; any
		 * other failure (no such user directory) is the real answer. */
		if (r == -ELOOP) {
			r = shim_deny(c, c->logroot, R_SYMLINK, shim.cfg.deny_errno);
			if (r == SHIM_PASS)
				return W_PASS;
		}
		c->err = -r;
		return c->where = W_DENIED;
	}
	c->rflags = rc->rflags | shim.backend | (rc->sameowner ? BENEATH_SAME_OWNER : 0);
	return c->where = W_ROOT;
}

/* Was this EXDEV an owner check or a step out of the root? Only asked on
 * a denial, so the second resolution costs nothing on the hot path. */
static enum shim_reason exdev_reason(struct shim_call *c, const char *rest)
{
	int fd;

	if (!(c->rflags & BENEATH_SAME_OWNER))
		return R_ESCAPE;
	fd = beneath_resolve(&c->root.h, rest, c->rflags & ~BENEATH_SAME_OWNER);
	if (fd >= 0)
		bsys_close(fd);
	return fd == -EXDEV ? R_ESCAPE : R_OWNER;
}

long shim_verdict_at(struct shim_call *c, const char *rest, long r)
{
	if (r >= 0)
		return r;
	if (r == -EXDEV)
		return shim_deny(c, c->logroot, exdev_reason(c, rest), shim.cfg.deny_errno);
	if (r == -ELOOP && (c->rflags & BENEATH_NO_SYMLINKS))
		return shim_deny(c, c->logroot, R_SYMLINK, shim.cfg.deny_errno);
	return r;
}

long shim_verdict(struct shim_call *c, long r)
{
	return shim_verdict_at(c, c->rest, r);
}

void shim_done(struct shim_call *c)
{
	if (c->where == W_ROOT)
		shim_root_release(&c->root);
}

void shim_proc_path(char *buf, int fd)
{
	char d[12];
	int n = 0, o = 14;

	memcpy(buf, "/proc/self/fd/", 14);
	do
		d[n++] = (char)('0' + fd % 10);
	while ((fd /= 10) > 0);
	while (n)
		buf[o++] = d[--n];
	buf[o] = '\0';
}

/* libbeneath hands out O_CLOEXEC fds; the program gets the flag it asked
 * for, so that its fd survives exec when it meant it to. */
void shim_fix_cloexec(long fd, int flags)
{
	if (fd >= 0 && !(flags & O_CLOEXEC))
		bsys_fcntl((int)fd, F_SETFD, 0);
}

/* ------------------------------------------------------------------ */
/* The open family                                                    */
/* ------------------------------------------------------------------ */

static int real_openat(int dirfd, const char *path, int flags, mode_t mode)
{
	int (*fn)(int, const char *, int, ...) = REAL(openat);

	if (fn)
		return fn(dirfd, path, flags, mode);
	return (int)shim_ret(bsys_openat(dirfd, path, flags, mode));
}

int shim_open_family(const char *name, int dirfd, const char *path, int flags, mode_t mode)
{
	struct shim_call c;
	long r;

	shim_init();
	switch (shim_classify(&c, name, dirfd, path, open_is_write(flags) ? OP_WRITE : OP_READ)) {
	case W_DENIED:
		errno = c.err;
		return -1;
	case W_ROOT:
		r = shim_verdict(&c, beneath_open(&c.root.h, c.rest, flags, mode, c.rflags));
		shim_done(&c);
		shim_fix_cloexec(r, flags);
		if (r != SHIM_PASS)
			return (int)shim_ret(r);
		break;
	case W_PASS:
		break;
	}
	return real_openat(dirfd, path, flags, mode);
}
