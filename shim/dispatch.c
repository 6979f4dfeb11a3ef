/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Where a path goes: through the real libc call, beneath a root with
 * libbeneath, or nowhere (a denial). Every wrapper family goes through
 * shim_classify() and, under a root, shim_verdict(); the families only
 * differ in the libbeneath call they make in between.
 */
#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>

#include "shim.h"

__thread const char *shim_outer_call __attribute__((tls_model("initial-exec")));
__thread bool shim_pass_raw __attribute__((tls_model("initial-exec")));

int shim_deny(struct shim_call *c, const char *root, enum shim_reason why, int err)
{
	bool audit = shim.cfg.mode == SHIM_AUDIT;

	shim_log(c->name, c->path, root, why, err, audit);
	return audit ? SHIM_PASS : -err;
}

/*
 * Relative paths. The directory a relative path starts from (the working
 * directory or a dirfd) is named by its current host path, the path is
 * joined to it, and the result is matched like an absolute path: so a
 * relative path under a root is resolved from the root, and cannot leave
 * it through "..", whatever the directory is called now. A directory
 * that was entered or opened under a root but whose path is no longer
 * under any root (an attacker moved it out) is refused, never followed.
 */

/* What join() found besides a path length. */
#define J_OUTSIDE (-1000)  /* no usable base: a path outside every root */
#define J_PASS    (-1001)  /* a bad dirfd: the real call gives the error */
#define J_ESCAPE  (-1002)  /* the base left its root */
#define J_ESCAPE_UNKNOWN (-1003)  /* "/proc/self/../self/fd/N/": refused */

/* How far above its start relative path P climbs by name: its ".."
 * against its other components, read as the kernel would with no
 * symlink among them (a symlink outside every root is the kernel's
 * business, as for any path outside). */
static int dotdots(const char *p)
{
	int depth = 0, lowest = 0;

	while (*p) {
		const char *e = strchrnul(p, '/');
		size_t n = (size_t)(e - p);

		if (n == 2 && p[0] == '.' && p[1] == '.') {
			if (--depth < lowest)
				lowest = depth;
		} else if (n && !(n == 1 && p[0] == '.')) {
			depth++;
		}
		p = *e ? e + 1 : e;
	}
	return -lowest;
}

#define DEEP_MAX 4096  /* ancestors climbed to name a deep directory */

/*
 * A directory fd too deep to name (its path is longer than PATH_MAX), that
 * no root marked. Name its nearest ancestor that can be named, at least
 * as far up as REL climbs: when that ancestor is neither under a root nor
 * above one, REL from the fd stays outside every root (a test suite's
 * deep tree in /tmp, rm -r going back up it). Anything else is unknown.
 */
static int deep_outside(struct shim_call *c, int dirfd, const char *rel)
{
	int fd = dirfd, up = 0, need = dotdots(rel);
	const char *rest;
	size_t clen;
	ssize_t n = -1;

	while (up < DEEP_MAX) {
		int parent = bsys_openat(fd, "..", O_PATH | O_DIRECTORY | O_CLOEXEC, 0);

		if (fd != dirfd)
			bsys_close(fd);
		if (parent < 0)
			return -ENAMETOOLONG;
		fd = parent;
		up++;
		n = shim_fd_host_path(fd, c->buf, sizeof(c->buf));
		if (n > 0 && up > need)
			break;
		n = -1;
	}
	if (fd != dirfd)
		bsys_close(fd);
	if (n <= 0 || shim_match(c->buf, (size_t)n, &rest, &clen) ||
	    shim_root_below(c->buf, (size_t)n))
		return -ENAMETOOLONG;
	return J_OUTSIDE;
}

/* BASE is a /proc magic link naming another process's fd, cwd or root. */
static int join(struct shim_call *c, int dirfd, const char *base, const char *rel,
                int *tracked)
{
	size_t rlen = strlen(rel);
	long n;

	*tracked = -1;
	if (base) {
		n = bsys_readlinkat(AT_FDCWD, base, c->buf, sizeof(c->buf) - 1);
		if (n < 0)
			return n == -ENOENT ? J_PASS : -ENAMETOOLONG;
		if (n >= (long)sizeof(c->buf) - 1)
			return -ENAMETOOLONG;
	} else if (dirfd == AT_FDCWD) {
		*tracked = shim_cwd_root();
		n = bsys_call2(SYS_getcwd, (long)c->buf, sizeof(c->buf));
		/* No working directory we can name (deleted, or outside our
		 * view: "(unreachable)/..."). */
		if (n <= 1 || c->buf[0] != '/')
			return *tracked >= 0 && shim_cwd_still() ? J_ESCAPE : J_OUTSIDE;
		n--;  /* the NUL */
	} else {
		char proc[32];

		if (shim_fd_is_own(dirfd))
			return -EBADF;
		*tracked = shim_fd_root(dirfd);
		shim_proc_path(proc, dirfd);
		n = bsys_readlinkat(AT_FDCWD, proc, c->buf, sizeof(c->buf) - 1);
		/* No such fd: the real call says EBADF. A directory whose
		 * path is too long to name (deeper than PATH_MAX) cannot be
		 * matched against the roots: refused, unless an ancestor
		 * shows it is outside them all. */
		if (n == -ENOENT)
			return J_PASS;
		if (n < 0 || n >= (long)sizeof(c->buf) - 1)
			return *tracked >= 0 ? J_ESCAPE : deep_outside(c, dirfd, rel);
		/* Not a directory of any file system ("socket:[...]"): the
		 * real call says ENOTDIR. */
		if (n == 0 || c->buf[0] != '/')
			return *tracked >= 0 ? J_ESCAPE : J_PASS;
	}
	if ((size_t)n + 1 + rlen + 1 > sizeof(c->buf)) {
		const char *rest;
		size_t clen;

		/* Too long to join. A path that cannot climb, from a directory
		 * that is neither under a root nor above one, stays outside
		 * them all (a test suite's deep tree in /tmp): the real call
		 * takes it, as it would without us. */
		if (*tracked < 0 && !dotdots(rel) && !shim_match(c->buf, (size_t)n, &rest, &clen) &&
		    !shim_root_below(c->buf, (size_t)n))
			return J_OUTSIDE;
		return -ENAMETOOLONG;
	}
	if (c->buf[n - 1] != '/')
		c->buf[n++] = '/';
	memcpy(c->buf + n, rel, rlen + 1);
	return shim_normalize(c->buf, c->buf, sizeof(c->buf));
}

static bool digits(const char *s, size_t n, long *v)
{
	*v = 0;
	if (n == 0 || n > 9)
		return false;
	for (size_t i = 0; i < n; i++) {
		if (s[i] < '0' || s[i] > '9')
			return false;
		*v = *v * 10 + (s[i] - '0');
	}
	return true;
}

/* The next component of *P (which starts after a '/'), and its length. */
static size_t comp(const char **p, const char **start)
{
	size_t n = 0;

	*start = *p;
	while ((*p)[n] && (*p)[n] != '/')
		n++;
	*p += n + ((*p)[n] == '/');
	return n;
}

#define IS(s, n, lit) ((n) == sizeof(lit) - 1 && memcmp((s), lit, (n)) == 0)

/*
 * "/proc/self/fd/N/rest", "/proc/PID/cwd/rest", "/dev/fd/N/rest" and the
 * like: the kernel jumps through the magic link and goes on from there,
 * so the rest is relative to that fd, working directory or root. Sets
 * *FD (or AT_FDCWD), or LINK (another process's link, or a root) to the
 * prefix to read, and *REST. False for anything else, including the link
 * itself with nothing after it (that names the open object: fd-only).
 */
enum magic { M_NONE, M_LINK, M_DOTDOT, M_FD_ONLY };

/* The next component of the prefix, which must not be "..": the kernel
 * would take it before the magic link, which we would have to follow by
 * hand; no program needs to spell a /proc path that way. */
#define NEXT()                                                                 \
	do {                                                                   \
		n = comp(&q, &s);                                              \
		if (IS(s, n, ".."))                                            \
			return M_DOTDOT;                                       \
	} while (0)

static enum magic magic(const char *p, int *fd, char *link, size_t linksz, const char **rest)
{
	const char *q, *s;
	size_t n;
	long v, pid;
	bool self = false;

	link[0] = '\0';
	*fd = AT_FDCWD;
	if (strncmp(p, "/dev/", 5) == 0) {
		q = p + 5;
		NEXT();
		if (IS(s, n, "stdin") || IS(s, n, "stdout") || IS(s, n, "stderr")) {
			*fd = s[3] == 'i' ? 0 : s[3] == 'o' ? 1 : 2;
		} else if (IS(s, n, "fd")) {
			NEXT();
			if (!digits(s, n, &v))
				return M_NONE;
			*fd = (int)v;
		} else {
			return M_NONE;
		}
		*rest = q;
		if (*q == '\0')
			return M_FD_ONLY;
		return s[n] == '/' ? M_LINK : M_NONE;
	}
	if (strncmp(p, "/proc/", 6) != 0)
		return M_NONE;
	q = p + 6;
	NEXT();
	if (IS(s, n, "self") || IS(s, n, "thread-self")) {
		self = true;
	} else if (!digits(s, n, &pid)) {
		return M_NONE;
	} else {
		self = pid == bsys_call1(SYS_getpid, 0);
	}
	NEXT();
	if (IS(s, n, "task")) {
		NEXT();
		if (!digits(s, n, &v))
			return M_NONE;
		NEXT();
	}
	if (IS(s, n, "fd")) {
		NEXT();
		if (!digits(s, n, &v))
			return M_NONE;
		*fd = (int)v;
	} else if (IS(s, n, "cwd")) {
		*fd = AT_FDCWD;
	} else if (IS(s, n, "root")) {
		self = false;
	} else {
		return M_NONE;
	}
	if (s[n] != '/' || *q == '\0')
		return self && (*fd != AT_FDCWD || IS(s, n, "cwd")) ? M_FD_ONLY : M_NONE;
	*rest = q;
	if (!self) {
		size_t len = (size_t)(s + n - p);
		if (len >= linksz)
			return M_NONE;
		memcpy(link, p, len);
		link[len] = '\0';
	}
	return M_LINK;
}

#define MAGIC_HOPS 8

/* C->buf holds absolute path of length LEN: follow magic prefixes. */
static int unmagic(struct shim_call *c, int len, int *tracked)
{
	char link[64], rest[PATH_MAX];
	const char *r;
	enum magic m;
	int fd;

	for (int hop = 0; hop < MAGIC_HOPS; hop++) {
		if ((strncmp(c->buf, "/proc/", 6) != 0 && strncmp(c->buf, "/dev/", 5) != 0))
			return len;
		m = magic(c->buf, &fd, link, sizeof(link), &r);
		if (m == M_NONE)
			return (int)strlen(c->buf);
		if (m == M_DOTDOT)
			return J_ESCAPE_UNKNOWN;
		/* Through one of the shim's own fds: by its path like any
		 * other, so that a root fd confines to that root. */
		if (!link[0] && fd != AT_FDCWD && shim_fd_is_own(fd))
			shim_proc_path(link, fd);
		/* The program's own open fd (or working directory) again:
		 * nothing is looked up. */
		if (m == M_FD_ONLY)
			return J_PASS;
		memmove(rest, r, strlen(r) + 1);
		len = join(c, fd, link[0] ? link : NULL, rest, tracked);
		if (len < 0)
			return len;
	}
	return -ELOOP;
}

/* Where the first ".." component of P ends, or -1. */
static int first_dotdot(const char *p)
{
	for (const char *q = p; (q = strstr(q, "/..")) != NULL; q += 3)
		if (q[3] == '/' || q[3] == '\0')
			return (int)(q + 3 - p);
	return -1;
}

/*
 * A path outside every root that climbs with "..", where the kernel may
 * come back down into a root ("/srv/other/../www/abs"). Let the kernel
 * take the path up to its first ".." (no root is on that stretch, or the
 * path would have matched one), and go on from the directory that it
 * reaches, by that directory's host path. Returns the new length, or the
 * kernel's error for the stretch, which the real call would meet too.
 */
static int settle_dotdot(struct shim_call *c, int cut)
{
	char rest[PATH_MAX];
	int fd, len, tracked;
	size_t n = strlen(c->buf + cut);

	memcpy(rest, c->buf + cut + (n > 0), n + 1 - (n > 0));
	c->buf[cut] = '\0';
	fd = bsys_openat(AT_FDCWD, c->buf, O_PATH | O_DIRECTORY | O_CLOEXEC, 0);
	if (fd < 0)
		return fd;
	len = join(c, fd, NULL, rest[0] ? rest : ".", &tracked);
	bsys_close(fd);
	return len;
}

/* Each step takes one ".." off the path: no path has more. */
#define SETTLE_MAX (PATH_MAX / 3 + 1)

static enum shim_where deny_where(struct shim_call *c, const char *root, enum shim_reason why,
                                  int err)
{
	int r = shim_deny(c, root, why, err);

	if (r == SHIM_PASS)
		return W_PASS;
	c->err = -r;
	return c->where = W_DENIED;
}

/*
 * One name in a directory fd (or working directory) that was opened
 * under a root, for a call that does not follow it: directory walkers
 * (fts: fstatat(fd, name, AT_SYMLINK_NOFOLLOW), unlinkat, openat with
 * O_NOFOLLOW) make these by the thousand. The call touches one entry of
 * that directory and nothing beyond it, wherever the directory is now,
 * so the real call is the confined one. Roots whose options look at the
 * entry itself (sameowner, nosymlinks, noxdev, ro for a write) take the
 * full path.
 */
static bool one_entry(struct shim_call *c, int dirfd, const char *path, enum shim_op_kind kind)
{
	const struct shim_root_cfg *rc;
	int root;

	if (strchr(path, '/') || (path[0] == '.' && path[1] == '.' && !path[2]))
		return false;
	root = dirfd == AT_FDCWD ? shim_cwd_root() : shim_fd_root(dirfd);
	if (root < 0)
		return false;
	rc = &shim.cfg.roots[root];
	if (rc->sameowner || (rc->rflags & (BENEATH_NO_SYMLINKS | BENEATH_NO_XDEV)) ||
	    (rc->ro && (kind & OP_WRITE)))
		return false;
	if (dirfd == AT_FDCWD && !shim_cwd_still())
		return false;
	c->rindex = root;  /* what the program opens here is under it too */
	return true;
}

/*
 * A write under a root that holds an ro root lands where its resolution
 * beneath the outer root ends, however it was spelled ("../src/f" from a
 * build directory, a symlink to src): inside the ro root, it is EROFS.
 * Checked by the host path of what the path resolves to (its parent and
 * name when the call does not follow, or the object does not exist yet).
 * A swap made between this check and the call can still land there: the
 * ro root's own spelling is the guarded one.
 */
static bool lands_ro(struct shim_call *c, enum shim_op_kind kind)
{
	char host[PATH_MAX], name[NAME_MAX + 1];
	const struct shim_root_cfg *rc;
	const char *rest;
	size_t clen, nl;
	long n;
	int fd;

	if (!(kind & OP_NOFOLLOW)) {
		fd = beneath_resolve(&c->root.h, c->rest, c->rflags);
		if (fd >= 0) {
			n = shim_fd_host_path(fd, host, sizeof(host));
			bsys_close(fd);
			if (n < 0)
				return true;  /* cannot place it: refused */
			rc = shim_match(host, (size_t)n, &rest, &clen);
			return rc && rc->ro;
		}
	}
	fd = beneath_resolve_parent(&c->root.h, c->rest, c->rflags, name, sizeof(name));
	if (fd < 0)
		return false;  /* the call meets the same error */
	/* A dangling symlink that the call would follow to create its
	 * target: where that lands is not checked here, so refused. */
	if (!(kind & OP_NOFOLLOW) && strcmp(name, ".") && strcmp(name, "..") && strcmp(name, "/")) {
		struct stat st;

		if (bsys_call4(SYS_newfstatat, fd, (long)name, (long)&st, AT_SYMLINK_NOFOLLOW) == 0 &&
		    S_ISLNK(st.st_mode)) {
			bsys_close(fd);
			return true;
		}
	}
	n = shim_fd_host_path(fd, host, sizeof(host));
	bsys_close(fd);
	if (n < 0)
		return true;
	nl = strlen(name);
	if (strcmp(name, ".") && strcmp(name, "..") && strcmp(name, "/")) {
		if ((size_t)n + 1 + nl + 1 > sizeof(host))
			return true;
		if (host[n - 1] != '/')
			host[n++] = '/';
		memcpy(host + n, name, nl + 1);
		n += (long)nl;
	}
	rc = shim_match(host, (size_t)n, &rest, &clen);
	return rc && rc->ro;
}

enum shim_where shim_classify(struct shim_call *c, const char *name, int dirfd,
                              const char *path, enum shim_op_kind kind)
{
	const struct shim_root_cfg *rc;
	size_t clen;
	int len, r, tracked = -1;

	c->name = shim_outer_call ? shim_outer_call : name;
	c->path = path;
	c->root.slot = -1;
	c->root.own_fd = false;
	c->where = W_PASS;
	c->rindex = -1;
	if (!shim_usable() || !path || !*path)
		return W_PASS;  /* the real call gives EFAULT / ENOENT */
	/* The kernel refuses a path of PATH_MAX bytes or more before it
	 * looks at it, however much of it "/./" would collapse. */
	if (strnlen(path, PATH_MAX) == PATH_MAX) {
		c->err = ENAMETOOLONG;
		return c->where = W_DENIED;
	}
	if (path[0] == '/')
		len = shim_normalize(path, c->buf, sizeof(c->buf));
	else if ((kind & OP_NOFOLLOW) && one_entry(c, dirfd, path, kind))
		return W_PASS;
	else
		len = join(c, dirfd, NULL, path, &tracked);
	if (len >= 0 && (c->buf[1] == 'p' || c->buf[1] == 'd'))
		len = unmagic(c, len, &tracked);
	switch (len) {
	case J_PASS:
		return W_PASS;
	case J_OUTSIDE:
		goto outside;
	case J_ESCAPE:
		goto escape;
	case J_ESCAPE_UNKNOWN:
		return deny_where(c, "", R_ESCAPE, shim.cfg.deny_errno);
	default:
		break;
	}
	if (len == -EBADF) {  /* one of our own fds: closed, to the program */
		c->err = EBADF;
		return c->where = W_DENIED;
	}
	if (len < 0)
		/* Too long to match: the real call may well work (a long
		 * relative path), but we cannot tell where it goes. A denial
		 * like any other (logged; audit mode lets it through). */
		return deny_where(c, tracked >= 0 ? shim.cfg.roots[tracked].path : "", R_UNCHECKED,
		                  -len);
	rc = shim_match(c->buf, (size_t)len, &c->rest, &clen);
	for (int i = 0, cut; !rc && (cut = first_dotdot(c->buf)) >= 0; i++) {
		len = i < SETTLE_MAX ? settle_dotdot(c, cut) : -ELOOP;
		if (len < 0) {
			c->err = len < -4095 ? EACCES : -len;
			return c->where = W_DENIED;
		}
		rc = shim_match(c->buf, (size_t)len, &c->rest, &clen);
	}
	if (!rc) {
		if (tracked >= 0 && (dirfd != AT_FDCWD || shim_cwd_still()))
			goto escape;
outside:
		if (!shim.cfg.deny_outside)
			return W_PASS;
		return deny_where(c, "", R_OUTSIDE, shim.cfg.deny_errno);
	}
	/* The root's own path, NUL-terminated in place. */
	if (clen == 0) {
		c->root.h.path = "/";
	} else {
		c->buf[clen] = '\0';
		c->root.h.path = c->buf;
	}
	c->logroot = c->root.h.path;  /* the log names the root as matched */
	c->rindex = (int)(rc - shim.cfg.roots);
	if (rc->ro && (kind & OP_WRITE))
		return deny_where(c, c->logroot, R_READ_ONLY, EROFS);
	r = shim_root_acquire(&c->root, rc, c->buf, clen);
	/* contain compares absolute link targets with the root's path: use
	 * the spelling the kernel resolves to, whichever one matched, so
	 * that both spellings of a symlinked root give the same answers. */
	if (rc->wildcard_depth < 0 && shim_root_canonical(rc))
		c->root.h.path = shim_root_canonical(rc);
	if (r < 0) {
		/* A wildcard root reached through a symlink is refused; any
		 * other failure (no such user directory) is the real answer. */
		if (r == -ELOOP)
			return deny_where(c, c->logroot, R_SYMLINK, shim.cfg.deny_errno);
		c->err = -r;
		return c->where = W_DENIED;
	}
	c->rflags = rc->rflags | shim.backend | (rc->sameowner ? BENEATH_SAME_OWNER : 0);
	if ((kind & OP_WRITE) && shim_root_nested_ro(rc) && lands_ro(c, kind)) {
		shim_root_release(&c->root);
		return deny_where(c, c->logroot, R_READ_ONLY, EROFS);
	}
	return c->where = W_ROOT;
escape:
	/* A directory from a root that is no longer under it. */
	return deny_where(c, shim.cfg.roots[tracked].path, R_ESCAPE, shim.cfg.deny_errno);
}

int shim_dir_scope(int fd)
{
	struct shim_call c;
	const struct shim_root_cfg *rc;
	const char *rest;
	size_t clen;
	int tracked, len;

	if (!shim_usable())
		return SHIM_SCOPE_NONE;
	len = join(&c, fd, NULL, ".", &tracked);
	if (len == J_PASS)
		return SHIM_SCOPE_NONE;  /* no such fd: the kernel says so */
	if (len < 0)
		return SHIM_SCOPE_ANY;
	rc = shim_match(c.buf, (size_t)len, &rest, &clen);
	if (rc)
		return (int)(rc - shim.cfg.roots);
	return shim_root_below(c.buf, (size_t)len) ? SHIM_SCOPE_ANY : SHIM_SCOPE_NONE;
}

int shim_dir_root(int fd)
{
	int scope = shim_dir_scope(fd);

	return scope >= 0 ? scope : -1;
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

long shim_track_new(long fd, int root)
{
	if (fd >= 0 && shim_fd_track(fd, root) < 0) {
		bsys_close((int)fd);
		return root >= 0 ? -EMFILE : fd;
	}
	return fd;
}

long shim_proc_call1(const struct beneath_root *r, const char *p, unsigned int f, int oflags,
                     long sysno)
{
	int fd = beneath_open(r, p, O_PATH | O_CLOEXEC | oflags, 0, f);
	char proc[32];
	long ret;

	if (fd < 0)
		return fd;
	shim_proc_path(proc, fd);
	ret = bsys_call1(sysno, (long)proc);
	bsys_close(fd);
	return ret;
}

/* ------------------------------------------------------------------ */
/* The open family                                                    */
/* ------------------------------------------------------------------ */

static int real_openat(int dirfd, const char *path, int flags, mode_t mode)
{
	int (*fn)(int, const char *, int, ...) = REAL(openat);

	__asm__("" : "+r"(path));  /* libc's path is nonnull: NULL goes raw */
	if (fn && path)
		return fn(dirfd, path, flags, mode);
	return (int)shim_ret(bsys_openat(dirfd, path, flags, mode));
}

int shim_open_family(const char *name, int dirfd, const char *path, int flags, mode_t mode)
{
	struct shim_call c;
	long r;

	shim_init();
	switch (shim_classify(&c, name, dirfd, path, open_kind(flags))) {
	case W_DENIED:
		errno = c.err;
		return -1;
	case W_ROOT:
		r = shim_verdict(&c, beneath_open(&c.root.h, c.rest, flags, mode,
		                                  c.rflags | BENEATH_CLOEXEC_AS_GIVEN));
		shim_done(&c);
		if (r != SHIM_PASS)
			return (int)shim_ret(shim_track_new(r, c.rindex));
		break;
	case W_PASS:
		break;
	}
	return (int)shim_track_new(real_openat(dirfd, path, flags, mode), c.rindex);
}
