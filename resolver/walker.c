/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The userspace resolver, for kernels without openat2 and for the
 * absolute symlinks of contain mode.
 *
 * Every component is opened with O_PATH|O_NOFOLLOW relative to the
 * directory before it, so the kernel never follows a symlink or a ".."
 * for us: symlinks are read from their own handle and spliced into the
 * remaining path, and ".." pops a stack of ancestor fds without ever
 * opening "..". Walking down is safe even into a directory an attacker
 * has just moved out of the root; only ".." could climb out, and it never
 * reaches the kernel.
 *
 * The remaining path lives right-aligned in one buffer so that splicing a
 * symlink target in front of it is a copy, not a shift.
 */
#include "config.h"

#include <limits.h>
#include <stdint.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/syscall.h>

#include "internal.h"
#include "openat2-compat.h"

/* The most components of an absolute symlink target tried as another
 * spelling of the root. */
#define MAX_ALIAS_COMPONENTS 40

#ifndef PROC_SUPER_MAGIC
#define PROC_SUPER_MAGIC 0x9fa0
#endif
#ifndef STATX_ATTR_AUTOMOUNT
#define STATX_ATTR_AUTOMOUNT 0x00001000
#endif
#ifndef STATX_MNT_ID
#define STATX_MNT_ID 0x00001000U
#endif

/* Ancestors held open for "..". Deeper levels are re-walked from the
 * deepest held one by name, which is as safe: it only walks down. */
#define STACK_DEPTH 32
/* Looks again at a final name that is being swapped under us. */
#define FINAL_RETRIES 8

struct walk {
	const struct beneath_root *root;
	unsigned int rflags;
	unsigned int mode;
	int depth;              /* 0: at the root */
	int cur;                /* fd of the current directory */
	int fds[STACK_DEPTH];   /* fds[0] is root->fd, never closed here */
	size_t deeplen;         /* names of levels >= STACK_DEPTH, '/'-joined */
	char deep[PATH_MAX];
	int links;
	uint64_t root_mnt;      /* for BENEATH_NO_XDEV, 0 until known */
	uid_t owner;            /* for BENEATH_SAME_OWNER: the root's owner */
	size_t pos;             /* start of the unresolved rest in buf */
	char buf[2 * PATH_MAX];
};

static bool cur_is_owned(const struct walk *w)
{
	return w->depth > 0;
}

static int mnt_id(int fd, uint64_t *id)
{
	struct statx stx;
	int r = bsys_statx(fd, "", AT_EMPTY_PATH | AT_SYMLINK_NOFOLLOW | AT_NO_AUTOMOUNT,
	                   STATX_MNT_ID, &stx);

	if (r < 0)
		return r;
	*id = stx.stx_mnt_id;
	return 0;
}

/* BENEATH_NO_XDEV: every object reached must be on the root's mount. */
static int check_xdev(struct walk *w, int fd)
{
	uint64_t id;
	int r;

	if (!(w->rflags & BENEATH_NO_XDEV))
		return 0;
	if (!w->root_mnt) {
		r = mnt_id(w->root->fd, &w->root_mnt);
		if (r < 0)
			return r;
	}
	r = mnt_id(fd, &id);
	if (r < 0)
		return r;
	return id == w->root_mnt ? 0 : -EXDEV;
}

/* BENEATH_SAME_OWNER: an object of another user below the root (a file
 * hard-linked in, a directory or symlink planted through a shared
 * directory) counts as outside it. uid 0 owns system files that are
 * routinely part of a user's tree, and could link them anywhere anyway. */
static bool owner_ok(const struct walk *w, uid_t uid)
{
	return uid == w->owner || uid == 0;
}

static int check_owner(const struct walk *w, int fd)
{
	struct stat st;
	int r;

	if (!(w->rflags & BENEATH_SAME_OWNER))
		return 0;
	r = bsys_fstat(fd, &st);
	if (r < 0)
		return r;
	return owner_ok(w, st.st_uid) ? 0 : -EXDEV;
}

/* The per-object options, for every object reached below the root. */
static int check_reached(struct walk *w, int fd)
{
	int r = check_xdev(w, fd);

	return r < 0 ? r : check_owner(w, fd);
}

/* Drop everything above the root. */
static void walk_reset(struct walk *w)
{
	int top = w->depth < STACK_DEPTH ? w->depth : STACK_DEPTH - 1;
	bool contiguous = top > 1;

	if (w->depth >= STACK_DEPTH)
		beneath_close(w->cur);
	/* The ancestors were opened one after another, so they usually
	 * hold consecutive numbers: then one close_range() releases them
	 * all, which matters when every component costs a syscall. A
	 * range made only of our own numbers closes nothing of anyone
	 * else's. */
	for (int i = 2; i <= top && contiguous; i++)
		contiguous = w->fds[i] == w->fds[1] + (i - 1);
	if (contiguous && bsys_close_range((unsigned int)w->fds[1],
	                                   (unsigned int)w->fds[top], 0) == 0)
		top = 0;
	for (int i = top; i > 0; i--)
		beneath_close(w->fds[i]);
	w->depth = 0;
	w->cur = w->root->fd;
	w->deeplen = 0;
}

static int walk_push(struct walk *w, int fd, const char *name, size_t len)
{
	if (w->depth + 1 < STACK_DEPTH) {
		w->fds[++w->depth] = fd;
		w->cur = fd;
		return 0;
	}
	if (w->deeplen + len + 1 >= sizeof(w->deep)) {
		beneath_close(fd);
		return -ENAMETOOLONG;
	}
	if (w->deeplen)
		w->deep[w->deeplen++] = '/';
	memcpy(w->deep + w->deeplen, name, len);
	w->deeplen += len;
	w->deep[w->deeplen] = '\0';
	if (w->depth >= STACK_DEPTH)
		beneath_close(w->cur);
	w->depth++;
	w->cur = fd;
	return 0;
}

/* ".." below the root. */
static int walk_pop(struct walk *w)
{
	char *slash;
	int fd;

	if (w->depth < STACK_DEPTH) {
		beneath_close(w->fds[w->depth]);
		w->cur = w->fds[--w->depth];
		return 0;
	}
	beneath_close(w->cur);
	w->depth--;
	slash = memrchr(w->deep, '/', w->deeplen);
	w->deeplen = slash ? (size_t)(slash - w->deep) : 0;
	w->deep[w->deeplen] = '\0';
	fd = w->fds[STACK_DEPTH - 1];
	w->cur = fd;
	if (w->depth < STACK_DEPTH)
		return 0;
	/* Re-walk the recorded names down from the deepest held ancestor.
	 * These were directories a moment ago; if one is a symlink or gone
	 * now, the tree is being raced and we give up rather than guess. */
	for (char *p = w->deep, *end = w->deep + w->deeplen; p < end;) {
		char *q = memchr(p, '/', (size_t)(end - p));
		int nfd;

		if (q)
			*q = '\0';
		nfd = bsys_openat(fd, p, O_PATH | O_NOFOLLOW | O_DIRECTORY | O_CLOEXEC, 0);
		if (q)
			*q = '/';
		if (fd != w->fds[STACK_DEPTH - 1])
			beneath_close(fd);
		if (nfd >= 0) {
			/* a rename since the push may have put another here */
			int r = check_reached(w, nfd);
			if (r < 0) {
				beneath_close(nfd);
				nfd = r;
			}
		}
		if (nfd < 0) {
			/* leave a state walk_reset() can clean */
			w->depth = STACK_DEPTH - 1;
			w->cur = w->fds[STACK_DEPTH - 1];
			w->deeplen = 0;
			return nfd == -ENOTDIR || nfd == -ENOENT ? -EAGAIN : nfd;
		}
		fd = nfd;
		p = q ? q + 1 : end;
	}
	w->cur = fd;
	return 0;
}

/*
 * An absolute path or symlink target at w->pos, LEN bytes long. beneath:
 * EXDEV. in_root: back to the root. contain: only if the target itself
 * names the root's host path (a link to "/" followed by the root's path
 * already stepped out), and then the rest is resolved beneath the root.
 */
/*
 * An absolute target that does not start with the root's path may still
 * name the root by another spelling (the root is /srv/www and the link
 * says /var/www/..., a symlink or bind mount of it). Find the shortest
 * prefix of P..END that is the root directory itself, by dev and inode,
 * and return where the rest starts; NULL if none is. Only compared,
 * never used: the walk goes on from the root fd.
 */
static const char *root_prefix(const struct walk *w, const char *p, const char *end)
{
	struct open_how how = {
		.flags = O_PATH | O_DIRECTORY | O_CLOEXEC,
		.resolve = RESOLVE_NO_MAGICLINKS,
	};
	char pre[PATH_MAX];
	struct stat rst, st;
	const char *q = p;

	if (bsys_fstat(w->root->fd, &rst) < 0)
		return NULL;
	for (int n = 0; n < MAX_ALIAS_COMPONENTS; n++) {
		int fd;

		while (q < end && *q == '/')
			q++;
		if (q == end)
			return NULL;
		while (q < end && *q != '/')
			q++;
		if ((size_t)(q - p) >= sizeof(pre))
			return NULL;
		memcpy(pre, p, (size_t)(q - p));
		pre[q - p] = '\0';
		/* never through a /proc magic link (/proc/self/fd/N names
		 * any directory at all); without openat2, no alias at all */
		fd = bsys_openat2(AT_FDCWD, pre, &how, sizeof(how));
		if (fd == -ENOSYS)
			return NULL;
		if (fd < 0)
			continue;
		if (bsys_fstat(fd, &st) == 0 && st.st_dev == rst.st_dev && st.st_ino == rst.st_ino) {
			bsys_close(fd);
			return q;
		}
		bsys_close(fd);
	}
	return NULL;
}

static int walk_absolute(struct walk *w, size_t len)
{
	const char *p = w->buf + w->pos;
	const char *end = p + len;
	const char *rp;

	switch (w->mode) {
	case BENEATH_MODE_IN_ROOT:
		walk_reset(w);
		return 0;
	case BENEATH_MODE_CONTAIN:
		break;
	default:
		return -EXDEV;
	}
	rp = w->root->path;
	if (!rp || rp[0] != '/')
		return -EXDEV;
	/* Compare component by component; "//" and "/./" are the same
	 * directory to the kernel, ".." is not collapsed. */
	for (;;) {
		const char *rc, *pc;
		size_t rl, pl;

		while (*rp == '/' || (rp[0] == '.' && (rp[1] == '/' || !rp[1])))
			rp++;
		if (!*rp)
			break;
		rc = rp;
		rl = strchrnul(rp, '/') - rp;
		rp += rl;
		for (;;) {
			while (p < end && *p == '/')
				p++;
			if (p < end && p[0] == '.' && (p + 1 == end || p[1] == '/'))
				p++;
			else
				break;
		}
		pc = p;
		while (p < end && *p != '/')
			p++;
		pl = (size_t)(p - pc);
		if (pl != rl || memcmp(pc, rc, rl) != 0) {
			p = root_prefix(w, w->buf + w->pos, end);
			if (!p)
				return -EXDEV;
			break;
		}
	}
	walk_reset(w);
	w->pos = (size_t)(p - w->buf);
	return 0;
}

/*
 * LFD is a symlink met in w->cur; SEP says whether a '/' followed it.
 * Splice its target in front of the rest.
 */
static int walk_symlink(struct walk *w, int lfd, bool sep)
{
	struct statfs sfs;
	size_t room;
	ssize_t n;
	int r;

	if (w->rflags & BENEATH_NO_SYMLINKS)
		return -ELOOP;
	if (++w->links > BENEATH_MAX_SYMLINKS)
		return -ELOOP;
	/* A link of another user's would steer us to objects that are
	 * ours but that the caller did not name: the symlink attack. */
	r = check_owner(w, lfd);
	if (r < 0)
		return r;
	r = bsys_fstatfs(lfd, &sfs);
	if (r < 0)
		return r;
	room = w->pos - (sep ? 1 : 0);
	if (room > PATH_MAX)
		room = PATH_MAX;
	n = bsys_readlinkat(lfd, "", w->buf, room);
	if (n < 0)
		return (int)n;
	if ((size_t)n >= room)
		return -ENAMETOOLONG;
	if (n == 0)
		return -ENOENT;
	/*
	 * The walker only ever splices link text, so even a magic link could
	 * not make it jump; but the kernel refuses magic links (ELOOP) and so
	 * must we. procfs renders a magic link's target with d_path(), which
	 * is absolute or "type:[id]"; its plain links (self, thread-self,
	 * mounts, net) are relative names.
	 */
	if (sfs.f_type == PROC_SUPER_MAGIC &&
	    (w->buf[0] == '/' || memchr(w->buf, ':', (size_t)n)))
		return -ELOOP;
	if (sep)
		w->buf[--w->pos] = '/';
	w->pos -= (size_t)n;
	memmove(w->buf + w->pos, w->buf, (size_t)n);
	if (w->buf[w->pos] == '/')
		return walk_absolute(w, (size_t)n);
	return 0;
}

/* Open NAME in the current directory as a non-final step; or, on
 * ENOTDIR, find out whether it is a symlink (returned in *lfd). */
static int step_dir(struct walk *w, const char *name, int *lfd)
{
	int flags = O_PATH | O_NOFOLLOW | O_CLOEXEC;
	struct statx stx;
	int fd, r;

	*lfd = -1;
	if (!(w->rflags & BENEATH_NO_AUTOMOUNT)) {
		fd = bsys_openat(w->cur, name, flags | O_DIRECTORY, 0);
		if (fd != -ENOTDIR)
			return fd;
	}
	/* A symlink (or a non-directory): look at it without following. */
	fd = bsys_openat(w->cur, name, flags, 0);
	if (fd < 0)
		return fd;
	r = bsys_statx(fd, "", AT_EMPTY_PATH | AT_SYMLINK_NOFOLLOW | AT_NO_AUTOMOUNT,
	               STATX_TYPE, &stx);
	if (r < 0) {
		beneath_close(fd);
		return r;
	}
	if (S_ISLNK(stx.stx_mode)) {
		*lfd = fd;
		return -ELOOP;
	}
	if (S_ISDIR(stx.stx_mode)) {
		if ((w->rflags & BENEATH_NO_AUTOMOUNT) &&
		    (stx.stx_attributes & STATX_ATTR_AUTOMOUNT)) {
			beneath_close(fd);
			return -EXDEV;
		}
		return fd;
	}
	beneath_close(fd);
	return -ENOTDIR;
}

/* Is the final object FD a symlink? Only asked for O_PATH opens, the one
 * case where O_NOFOLLOW hands back the link instead of failing. */
static int is_symlink_fd(int fd)
{
	struct stat st;
	int r = bsys_fstat(fd, &st);

	if (r < 0)
		return r;
	return S_ISLNK(st.st_mode);
}

/* Open NAME as the final object. Returns an fd, -errno, or -ELOOP with
 * *lfd set when it is a symlink to follow. */
static int step_final(struct walk *w, const char *name, int flags,
                      mode_t mode, bool follow, int *lfd)
{
	int fd, err;

	*lfd = -1;
	if (w->rflags & BENEATH_NO_AUTOMOUNT) {
		int dummy;
		/* Look before opening: a plain open triggers the mount. */
		fd = step_dir(w, name, &dummy);
		if (dummy >= 0) {
			if (follow) {
				*lfd = dummy;
				return -ELOOP;
			}
			beneath_close(dummy);
		}
		if (fd == -EXDEV)
			return fd;
		beneath_close(fd);
	}
	for (int tries = 0;; tries++) {
		fd = bsys_openat(w->cur, name, flags | O_NOFOLLOW, mode);
		if (fd >= 0) {
			if (follow && (flags & O_PATH)) {
				int l = is_symlink_fd(fd);
				if (l < 0) {
					beneath_close(fd);
					return l;
				}
				if (l) {
					*lfd = fd;
					return -ELOOP;
				}
			}
			return fd;
		}
		err = fd;
		if (!follow || (err != -ELOOP && err != -ENOTDIR))
			return err;
		/* O_NOFOLLOW refused a symlink (ELOOP, or ENOTDIR with
		 * O_DIRECTORY): take a handle on the link itself. */
		fd = bsys_openat(w->cur, name, O_PATH | O_NOFOLLOW | O_CLOEXEC, 0);
		if (fd < 0)
			return err;
		if (is_symlink_fd(fd) == 1) {
			*lfd = fd;
			return -ELOOP;
		}
		{
			/* No symlink now: the name was swapped between the two
			 * looks (a link a moment ago, or ENOTDIR from what is a
			 * directory now). Look again rather than report a link or
			 * a type that is not there; a real ENOTDIR stays. */
			struct stat st;
			bool raced = err == -ELOOP ||
			             (bsys_fstat(fd, &st) == 0 && S_ISDIR(st.st_mode));

			beneath_close(fd);
			if (!raced || tries == FINAL_RETRIES)
				return err;
		}
	}
}

/*
 * BENEATH_SAME_OWNER and the final open: open(2) acts before we can look
 * at what it opened (O_TRUNC empties the file, a FIFO blocks), so a
 * foreign object is refused from an O_PATH handle first. A symlink is
 * checked when followed; a missing name is the real open's business.
 */
static int look_before_open(const struct walk *w, const char *name, int flags)
{
	struct stat st;
	int fd, r;

	if (!(w->rflags & BENEATH_SAME_OWNER) || (flags & O_PATH) ||
	    (flags & (O_CREAT | O_EXCL)) == (O_CREAT | O_EXCL))
		return 0;
	fd = bsys_openat(w->cur, name, O_PATH | O_NOFOLLOW | O_CLOEXEC, 0);
	if (fd < 0)
		return 0;
	r = bsys_fstat(fd, &st);
	beneath_close(fd);
	if (r < 0 || S_ISLNK(st.st_mode) || owner_ok(w, st.st_uid))
		return 0;
	return -EXDEV;
}

/* The look above races a rename of the name. O_TRUNC is therefore held
 * back and done on the opened fd once its owner is checked; O_RDONLY
 * cannot ftruncate and keeps it (the look still catches a planted link). */
static bool defer_trunc(const struct walk *w, int flags)
{
	return (w->rflags & BENEATH_SAME_OWNER) && (flags & O_TRUNC) &&
	       (flags & O_ACCMODE) != O_RDONLY;
}

static int truncate_reg(int fd)
{
	struct stat st;
	int r = bsys_fstat(fd, &st);

	if (r < 0)
		return r;
	/* open(2) ignores O_TRUNC on anything but a regular file. */
	return S_ISREG(st.st_mode) ? bsys_ftruncate(fd, 0) : 0;
}

/* The final fd: the per-object checks, then a held-back O_TRUNC. */
static int check_final(struct walk *w, int fd, int flags)
{
	int r = check_reached(w, fd);

	if (r == 0 && defer_trunc(w, flags))
		r = truncate_reg(fd);
	if (r < 0) {
		beneath_close(fd);
		return r;
	}
	return fd;
}

/* The walk ended on a directory (".", "..", "/" or a symlink to one). */
static int finish_dot(struct walk *w, int flags, mode_t mode,
                      struct beneath_last *last, const char *dotname)
{
	int fd;

	if (last) {
		size_t n = strlen(dotname) + 1;
		if (n > last->namesz)
			return -ENAMETOOLONG;
		memcpy(last->name, dotname, n);
		if (cur_is_owned(w) && w->depth < STACK_DEPTH) {
			/* hand over the held fd */
			fd = w->cur;
			w->cur = w->fds[--w->depth];
			return fd;
		}
		return bsys_fcntl(w->cur, F_DUPFD_CLOEXEC, 0);
	}
	return bsys_openat(w->cur, ".", flags, mode);
}

static int finish_parent(struct walk *w, const char *name, size_t len,
                         bool trailing, struct beneath_last *last)
{
	if (len + (trailing ? 2 : 1) > last->namesz)
		return -ENAMETOOLONG;
	memcpy(last->name, name, len);
	if (trailing)
		last->name[len++] = '/';
	last->name[len] = '\0';
	return finish_dot(w, 0, 0, last, last->name);
}

static int walk_run(struct walk *w, const char *path, int flags, mode_t mode,
                    struct beneath_last *last)
{
	const char *end = w->buf + sizeof(w->buf);
	size_t len = strlen(path);
	bool saw_slash_only = true;
	char name[NAME_MAX + 1];
	int r;

	if (len == 0)
		return -ENOENT;
	if (len >= PATH_MAX)
		return -ENAMETOOLONG;
	w->pos = sizeof(w->buf) - len;
	memcpy(w->buf + w->pos, path, len);
	if (path[0] == '/') {
		r = walk_absolute(w, len);
		if (r < 0)
			return r;
	}

	for (;;) {
		const char *c, *p = w->buf + w->pos;
		size_t clen;
		bool is_last, trailing, follow;
		int fd, lfd;

		while (p < end && *p == '/')
			p++;
		if (p == end) {
			/* Nothing left: "/" itself, or a symlink to it. */
			if (last && !saw_slash_only)
				return finish_dot(w, flags, mode, last, ".");
			return finish_dot(w, flags, mode, last, "/");
		}
		saw_slash_only = false;
		c = p;
		while (p < end && *p != '/')
			p++;
		clen = (size_t)(p - c);
		trailing = p < end;
		while (p < end && *p == '/')
			p++;
		is_last = p == end;
		w->pos = (size_t)(p - w->buf);
		if (clen > NAME_MAX)
			return -ENAMETOOLONG;
		memcpy(name, c, clen);
		name[clen] = '\0';

		/* The kernel looks up "." and ".." in the current directory
		 * too, which takes search permission on it; we never ask it
		 * to, so check. */
		if ((clen == 1 && name[0] == '.') || (clen == 2 && name[0] == '.' && name[1] == '.')) {
			r = bsys_faccessat2(w->cur, "", X_OK, AT_EMPTY_PATH | AT_EACCESS);
			if (r == -EACCES) {
				struct stat st;

				if (bsys_fstat(w->cur, &st) == 0 && !S_ISDIR(st.st_mode))
					return -ENOTDIR;
				return r;
			}
		}
		if (clen == 1 && name[0] == '.') {
			if (is_last)
				return finish_dot(w, flags, mode, last, ".");
			continue;
		}
		if (clen == 2 && name[0] == '.' && name[1] == '.') {
			if (w->depth == 0) {
				if (w->mode != BENEATH_MODE_IN_ROOT)
					return -EXDEV;
			} else {
				r = walk_pop(w);
				if (r < 0)
					return r;
			}
			if (is_last)
				return finish_dot(w, flags, mode, last, "..");
			continue;
		}
		if (is_last && last)
			return finish_parent(w, name, clen, trailing, last);

		if (!is_last) {
			fd = step_dir(w, name, &lfd);
		} else {
			int f = flags;
			if (trailing) {
				/* The kernel: "name/" must be a directory and
				 * is followed; creating it with O_CREAT is
				 * EISDIR before the lookup. */
				if (f & O_CREAT)
					return -EISDIR;
				f |= O_DIRECTORY;
			}
			follow = trailing || !(f & O_NOFOLLOW);
			if ((f & (O_CREAT | O_EXCL)) == (O_CREAT | O_EXCL))
				follow = false;
			r = look_before_open(w, name, f);
			if (r < 0)
				return r;
			fd = step_final(w, name, defer_trunc(w, f) ? f & ~O_TRUNC : f,
			                mode, follow, &lfd);
			if (fd >= 0)
				return check_final(w, fd, f);
		}
		if (lfd >= 0) {
			r = walk_symlink(w, lfd, trailing);
			beneath_close(lfd);
			if (r < 0)
				return r;
			continue;
		}
		if (fd < 0)
			return fd;
		r = check_reached(w, fd);
		if (r == 0)
			r = walk_push(w, fd, name, clen);
		else
			beneath_close(fd);
		if (r < 0)
			return r;
	}
}

int beneath_walk(const struct beneath_root *root, const char *path,
                 int flags, mode_t mode, unsigned int rflags,
                 struct beneath_last *last)
{
	struct walk w;
	int r;

	w.root = root;
	w.rflags = rflags;
	w.mode = rflags & BENEATH_MODE_MASK;
	w.depth = 0;
	w.cur = root->fd;
	w.fds[0] = root->fd;
	w.deeplen = 0;
	w.links = 0;
	w.root_mnt = 0;
	w.owner = 0;
	if (rflags & BENEATH_SAME_OWNER) {
		struct stat st;

		r = bsys_fstat(root->fd, &st);
		if (r < 0)
			return r;
		w.owner = st.st_uid;
	}
	r = walk_run(&w, path, flags, mode, last);
	walk_reset(&w);
	return r;
}
