/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Calls with two paths: rename and link. Each side under a root becomes
 * its parent's fd plus one name; a side outside every root (allowed)
 * stays as the program gave it; then one raw system call does the work.
 * Two different roots are EXDEV, as two file systems would be.
 */
#include <stdio.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "shim.h"

struct side {
	struct shim_call c;
	int dirfd;               /* what the system call gets */
	const char *name;
	int own;                 /* an fd of ours to close */
	char nbuf[NAME_MAX + 2];
	char proc[32];
};


/*
 * Resolve one side under its root: the parent and the last name, or, for
 * a link source that must be followed, the object itself as a /proc link.
 * Returns 0, -errno, or SHIM_PASS (audit: let the real call run).
 */
static long side_resolve(struct side *s, bool object)
{
	long r;

	if (object) {
		r = shim_verdict(&s->c, beneath_resolve(&s->c.root.h, s->c.rest, s->c.rflags));
		if (r < 0)
			return r;
		s->own = (int)r;
		shim_proc_path(s->proc, s->own);
		s->dirfd = AT_FDCWD;
		s->name = s->proc;
		return 0;
	}
	r = shim_verdict(&s->c, beneath_resolve_parent(&s->c.root.h, s->c.rest, s->c.rflags,
	                                              s->nbuf, sizeof(s->nbuf)));
	if (r < 0)
		return r;
	/* "/" would be absolute to the kernel: the root itself, busy. */
	if (s->nbuf[0] == '/') {
		bsys_close((int)r);
		return -EBUSY;
	}
	s->own = (int)r;
	s->dirfd = s->own;
	s->name = s->nbuf;
	return 0;
}

static void side_done(struct side *s)
{
	if (s->own >= 0)
		bsys_close(s->own);
	shim_done(&s->c);
}

enum two_op { T_RENAME, T_LINK };

static long two_call(enum two_op op, struct side *a, struct side *b, unsigned int flags)
{
	if (op == T_RENAME)
		return bsys_renameat2(a->dirfd, a->name, b->dirfd, b->name, flags);
	return bsys_linkat(a->dirfd, a->name, b->dirfd, b->name, (int)flags);
}

static int two_path(const char *name, enum two_op op, int odfd, const char *old, int ndfd,
                    const char *new, unsigned int flags)
{
	struct side a = { .dirfd = odfd, .name = old, .own = -1 };
	struct side b = { .dirfd = ndfd, .name = new, .own = -1 };
	enum shim_where wa, wb;
	bool follow = op == T_LINK && (flags & AT_SYMLINK_FOLLOW);
	long r = 0;

	shim_init();
	/* A rename changes its source; a link gives a read-only file a new,
	 * perhaps writable, name: both are writes to the source's root. One
	 * denial, one log record: the second path is not looked at. */
	wa = shim_classify(&a.c, name, odfd, old, OP_WRITE);
	if (wa == W_DENIED) {
		r = -a.c.err;
		goto out;
	}
	wb = shim_classify(&b.c, name, ndfd, new, OP_WRITE);
	if (wb == W_DENIED) {
		r = -b.c.err;
		goto out;
	}
	if (wa == W_PASS && wb == W_PASS)
		goto real;
	if (wa == W_ROOT && wb == W_ROOT &&
	    (a.c.root.cfg != b.c.root.cfg || strcmp(a.c.root.h.path, b.c.root.h.path) != 0)) {
		r = -EXDEV;
		goto out;
	}
	if (wa == W_ROOT) {
		r = side_resolve(&a, follow);
		if (r < 0)
			goto out;
		if (follow)
			flags = AT_SYMLINK_FOLLOW;
	}
	if (wb == W_ROOT && (r = side_resolve(&b, false)) < 0)
		goto out;
	r = two_call(op, &a, &b, flags);
out:
	side_done(&a);
	side_done(&b);
	if (r == SHIM_PASS)
		goto real_only;
	return (int)shim_ret(r);
real:
	side_done(&a);
	side_done(&b);
real_only:
	if (op == T_RENAME)
		return PASS(renameat2, bsys_renameat2(odfd, old, ndfd, new, flags),
		            odfd, old, ndfd, new, flags);
	return PASS(linkat, bsys_linkat(odfd, old, ndfd, new, (int)flags),
	            odfd, old, ndfd, new, (int)flags);
}

SHIM_EXPORT int rename(const char *old, const char *new)
{
	return two_path("rename", T_RENAME, AT_FDCWD, old, AT_FDCWD, new, 0);
}

SHIM_EXPORT int renameat(int odfd, const char *old, int ndfd, const char *new)
{
	return two_path("renameat", T_RENAME, odfd, old, ndfd, new, 0);
}

SHIM_EXPORT int renameat2(int odfd, const char *old, int ndfd, const char *new,
                          unsigned int flags)
{
	return two_path("renameat2", T_RENAME, odfd, old, ndfd, new, flags);
}

SHIM_EXPORT int link(const char *old, const char *new)
{
	return two_path("link", T_LINK, AT_FDCWD, old, AT_FDCWD, new, 0);
}

SHIM_EXPORT int linkat(int odfd, const char *old, int ndfd, const char *new, int flags)
{
	return two_path("linkat", T_LINK, odfd, old, ndfd, new, (unsigned int)flags);
}
