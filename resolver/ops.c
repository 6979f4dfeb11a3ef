/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Operations other than open. Two shapes, never a rebuilt path string:
 *  - entry operations (create, remove, rename) resolve the parent and act
 *    on one name with the *at call, which never follows that name;
 *  - object operations (stat, chmod, xattr...) resolve the object itself
 *    to an O_PATH fd and act on the fd (AT_EMPTY_PATH).
 */
#include "config.h"

#include <limits.h>
#include <stdint.h>
#include <stdio.h>   /* RENAME_NOREPLACE */
#include <string.h>
#include <sys/stat.h>

#include "internal.h"

/* What the kernel answers when the last component is ".", ".." or "/"
 * (LAST_DOT, LAST_DOTDOT, LAST_ROOT) for each entry operation. */
enum entry_op { OP_CREATE, OP_UNLINK, OP_RMDIR, OP_RENAME };

static int dots_errno(enum entry_op op, const char *name)
{
	switch (op) {
	case OP_CREATE:
		return -EEXIST;
	case OP_UNLINK:
		return -EISDIR;
	case OP_RENAME:
		return -EBUSY;
	case OP_RMDIR:
		if (name[0] == '/')
			return -EBUSY;
		return name[1] == '.' ? -ENOTEMPTY : -EINVAL;
	}
	return -EINVAL;
}

static bool is_dots(const char *name)
{
	return name[0] == '/' || (name[0] == '.' && (!name[1] || (name[1] == '.' && !name[2])));
}

#define NAME_BUF (NAME_MAX + 2)

BENEATH_API int beneath_mkdir(const struct beneath_root *root, const char *path,
                              mode_t mode, unsigned int rflags)
{
	char name[NAME_BUF];
	_cleanup_close_ int dfd = beneath_resolve_parent(root, path, rflags, name, sizeof(name));

	if (dfd < 0)
		return dfd;
	if (is_dots(name))
		return dots_errno(OP_CREATE, name);
	return bsys_mkdirat(dfd, name, mode);
}

BENEATH_API int beneath_mknod(const struct beneath_root *root, const char *path,
                              mode_t mode, dev_t dev, unsigned int rflags)
{
	char name[NAME_BUF];
	_cleanup_close_ int dfd = beneath_resolve_parent(root, path, rflags, name, sizeof(name));

	if (dfd < 0)
		return dfd;
	if (is_dots(name))
		return dots_errno(OP_CREATE, name);
	return bsys_mknodat(dfd, name, mode, dev);
}

BENEATH_API int beneath_symlink(const char *target, const struct beneath_root *root,
                                const char *linkpath, unsigned int rflags)
{
	char name[NAME_BUF];
	_cleanup_close_ int dfd = -1;

	if (!target)
		return -EFAULT;
	dfd = beneath_resolve_parent(root, linkpath, rflags, name, sizeof(name));
	if (dfd < 0)
		return dfd;
	if (is_dots(name))
		return dots_errno(OP_CREATE, name);
	return bsys_symlinkat(target, dfd, name);
}

BENEATH_API int beneath_unlink(const struct beneath_root *root, const char *path,
                               int at_flags, unsigned int rflags)
{
	char name[NAME_BUF];
	_cleanup_close_ int dfd = -1;

	if (at_flags & ~AT_REMOVEDIR)
		return -EINVAL;
	dfd = beneath_resolve_parent(root, path, rflags, name, sizeof(name));
	if (dfd < 0)
		return dfd;
	if (is_dots(name))
		return dots_errno(at_flags ? OP_RMDIR : OP_UNLINK, name);
	return bsys_unlinkat(dfd, name, at_flags);
}

BENEATH_API int beneath_rename(const struct beneath_root *oldroot, const char *oldpath,
                               const struct beneath_root *newroot, const char *newpath,
                               unsigned int rename_flags, unsigned int rflags)
{
	char oname[NAME_BUF], nname[NAME_BUF];
	_cleanup_close_ int ofd = -1, nfd = -1;

	ofd = beneath_resolve_parent(oldroot, oldpath, rflags, oname, sizeof(oname));
	if (ofd < 0)
		return ofd;
	nfd = beneath_resolve_parent(newroot, newpath, rflags, nname, sizeof(nname));
	if (nfd < 0)
		return nfd;
	if (is_dots(oname))
		return dots_errno(OP_RENAME, oname);
	/* do_renameat2() decides NOREPLACE before it looks at the new name. */
	if (is_dots(nname))
		return rename_flags & RENAME_NOREPLACE ? -EEXIST : dots_errno(OP_RENAME, nname);
	return bsys_renameat2(ofd, oname, nfd, nname, rename_flags);
}

/* An O_PATH fd as a path the kernel reopens without a new lookup.
 * Formatted by hand: snprintf is neither async-signal-safe nor
 * guaranteed to leave errno alone. FD is one of ours, so >= 0. */
static void proc_fd_path(char buf[static 32], int fd)
{
	static const char prefix[] = "/proc/self/fd/";
	char digits[10];
	unsigned int v = (unsigned int)fd;
	size_t len = sizeof(prefix) - 1, n = 0;

	do {
		digits[n++] = (char)('0' + v % 10);
		v /= 10;
	} while (v);
	memcpy(buf, prefix, len);
	while (n)
		buf[len++] = digits[--n];
	buf[len] = '\0';
}

BENEATH_API int beneath_link(const struct beneath_root *oldroot, const char *oldpath,
                             const struct beneath_root *newroot, const char *newpath,
                             int at_flags, unsigned int rflags)
{
	char oname[NAME_BUF], nname[NAME_BUF], proc[32];
	_cleanup_close_ int ofd = -1, nfd = -1;
	int r;

	if (at_flags & ~AT_SYMLINK_FOLLOW)
		return -EINVAL;
	ofd = beneath_resolve_parent(oldroot, oldpath, rflags, oname, sizeof(oname));
	if (ofd < 0)
		return ofd;
	if (is_dots(oname) || strchr(oname, '/') || (at_flags & AT_SYMLINK_FOLLOW)) {
		/* Old names the kernel would follow: resolve the object and
		 * link the fd. Directories cannot be linked (EPERM), and a
		 * trailing slash on a non-directory is ENOTDIR. */
		bool slash = is_dots(oname) || strchr(oname, '/');
		beneath_close(ofd);
		ofd = beneath_resolve(oldroot, oldpath, rflags & ~BENEATH_NOFOLLOW);
		if (ofd < 0)
			return ofd;
		if (slash)
			return -EPERM;
	}
	nfd = beneath_resolve_parent(newroot, newpath, rflags, nname, sizeof(nname));
	if (nfd < 0)
		return nfd;
	if (is_dots(nname))
		return dots_errno(OP_CREATE, nname);
	if (!(at_flags & AT_SYMLINK_FOLLOW))
		return bsys_linkat(ofd, oname, nfd, nname, 0);
	/* AT_EMPTY_PATH needs CAP_DAC_READ_SEARCH; the /proc path does not. */
	r = bsys_linkat(ofd, "", nfd, nname, AT_EMPTY_PATH);
	if (r != -ENOENT)
		return r;
	proc_fd_path(proc, ofd);
	return bsys_linkat(AT_FDCWD, proc, nfd, nname, AT_SYMLINK_FOLLOW);
}

/* Resolve PATH for an object operation; AT_SYMLINK_NOFOLLOW and
 * AT_EMPTY_PATH ("" names the root itself) as the *at calls take them. */
static int object_fd(const struct beneath_root *root, const char *path,
                     int at_flags, unsigned int rflags)
{
	int r = beneath_check_args(root, path, rflags);

	if (r < 0)
		return r;
	if (!path[0] && (at_flags & AT_EMPTY_PATH))
		path = ".";
	if (at_flags & AT_SYMLINK_NOFOLLOW)
		rflags |= BENEATH_NOFOLLOW;
	return beneath_resolve(root, path, rflags);
}

BENEATH_API ssize_t beneath_readlink(const struct beneath_root *root, const char *path,
                                     char *buf, size_t bufsz, unsigned int rflags)
{
	_cleanup_close_ int fd = object_fd(root, path, AT_SYMLINK_NOFOLLOW, rflags);
	struct stat st;
	ssize_t n;

	if (fd < 0)
		return fd;
	if (!buf)
		return -EFAULT;
	if (bufsz == 0)
		return -EINVAL;
	n = bsys_readlinkat(fd, "", buf, bufsz);
	if (n >= 0)
		return n;
	/* On a non-link fd the empty name reads as ENOENT; readlink(2)
	 * on the path says EINVAL. */
	if (bsys_fstat(fd, &st) == 0 && !S_ISLNK(st.st_mode))
		return -EINVAL;
	return n;
}

BENEATH_API int beneath_stat(const struct beneath_root *root, const char *path,
                             struct stat *st, int at_flags, unsigned int rflags)
{
	_cleanup_close_ int fd = -1;

	if (at_flags & ~(AT_SYMLINK_NOFOLLOW | AT_EMPTY_PATH | AT_NO_AUTOMOUNT))
		return -EINVAL;
	fd = object_fd(root, path, at_flags, rflags);
	if (fd < 0)
		return fd;
	if (!st)
		return -EFAULT;
	/* fstat on the O_PATH fd: the same answer as fstatat(fd, "",
	 * AT_EMPTY_PATH), without copying a path in from user memory. */
	return bsys_fstat(fd, st);
}

BENEATH_API int beneath_statx(const struct beneath_root *root, const char *path,
                              int at_flags, unsigned int mask, void *statxbuf,
                              unsigned int rflags)
{
	_cleanup_close_ int fd = -1;

	if (at_flags & ~(AT_SYMLINK_NOFOLLOW | AT_EMPTY_PATH | AT_NO_AUTOMOUNT |
	                 AT_STATX_SYNC_TYPE))
		return -EINVAL;
	fd = object_fd(root, path, at_flags, rflags);
	if (fd < 0)
		return fd;
	if (!statxbuf)
		return -EFAULT;
	return bsys_statx(fd, "", AT_EMPTY_PATH | (at_flags & AT_STATX_SYNC_TYPE),
	                  mask, statxbuf);
}

BENEATH_API int beneath_access(const struct beneath_root *root, const char *path,
                               int amode, int at_flags, unsigned int rflags)
{
	_cleanup_close_ int fd = -1;
	char proc[32];
	int r;

	if (at_flags & ~(AT_SYMLINK_NOFOLLOW | AT_EMPTY_PATH | AT_EACCESS))
		return -EINVAL;
	fd = object_fd(root, path, at_flags, rflags);
	if (fd < 0)
		return fd;
	r = bsys_faccessat2(fd, "", amode, AT_EMPTY_PATH | (at_flags & AT_EACCESS));
	if (r != -ENOSYS || (at_flags & AT_EACCESS))
		return r;
	/* Before Linux 5.8 (and under valgrind 3.19): the fd's /proc path
	 * with the real ids. AT_EACCESS has no such fallback. */
	proc_fd_path(proc, fd);
	return bsys_faccessat(AT_FDCWD, proc, amode);
}

BENEATH_API int beneath_chmod(const struct beneath_root *root, const char *path,
                              mode_t mode, int at_flags, unsigned int rflags)
{
	_cleanup_close_ int fd = -1;
	char proc[32];
	struct stat st;
	int r;

	if (at_flags & ~(AT_SYMLINK_NOFOLLOW | AT_EMPTY_PATH))
		return -EINVAL;
	fd = object_fd(root, path, at_flags, rflags);
	if (fd < 0)
		return fd;
	/* Linux cannot change a symlink's mode; glibc's lchmod says so. */
	if ((at_flags & AT_SYMLINK_NOFOLLOW) && bsys_fstat(fd, &st) == 0 && S_ISLNK(st.st_mode))
		return -EOPNOTSUPP;
	r = bsys_fchmodat2(fd, "", mode, AT_EMPTY_PATH);
	if (r != -ENOSYS && r != -EINVAL)
		return r;
	proc_fd_path(proc, fd);   /* before Linux 6.6 */
	return bsys_fchmodat(AT_FDCWD, proc, mode);
}

BENEATH_API int beneath_chown(const struct beneath_root *root, const char *path,
                              uid_t uid, gid_t gid, int at_flags, unsigned int rflags)
{
	_cleanup_close_ int fd = -1;

	if (at_flags & ~(AT_SYMLINK_NOFOLLOW | AT_EMPTY_PATH))
		return -EINVAL;
	fd = object_fd(root, path, at_flags, rflags);
	if (fd < 0)
		return fd;
	return bsys_fchownat(fd, "", uid, gid, AT_EMPTY_PATH);
}

BENEATH_API int beneath_utimens(const struct beneath_root *root, const char *path,
                                const struct timespec times[2], int at_flags,
                                unsigned int rflags)
{
	_cleanup_close_ int fd = -1;

	if (at_flags & ~(AT_SYMLINK_NOFOLLOW | AT_EMPTY_PATH))
		return -EINVAL;
	fd = object_fd(root, path, at_flags, rflags);
	if (fd < 0)
		return fd;
	return bsys_utimensat(fd, "", times, AT_EMPTY_PATH);
}

BENEATH_API int beneath_truncate(const struct beneath_root *root, const char *path,
                                 off_t length, unsigned int rflags)
{
	_cleanup_close_ int fd = -1;
	struct stat st;

	int r = beneath_check_args(root, path, rflags);

	if (r < 0)
		return r;
	if (length < 0)
		return -EINVAL;
	/* O_NONBLOCK: a FIFO must not block us (truncate(2) says EINVAL). */
	fd = beneath_open(root, path, O_WRONLY | O_NONBLOCK | O_NOCTTY, 0,
	                  rflags & ~BENEATH_MUST_BE_ANY);
	if (fd == -ENXIO)
		return -EINVAL;
	if (fd < 0)
		return fd;
	r = bsys_fstat(fd, &st);
	if (r < 0)
		return r;
	if (!S_ISREG(st.st_mode))
		return -EINVAL;
	return bsys_ftruncate(fd, length);
}

/* Extended attributes: the *xattrat calls (Linux 6.13) act on the fd;
 * before them, the fd's /proc path. Some kernels refuse an O_PATH fd
 * there with EBADF; the /proc path takes it. */
static bool xattrat_missing(long r)
{
	return r == -ENOSYS || r == -EBADF;
}

static int xattr_fd(const struct beneath_root *root, const char *path,
                    int at_flags, unsigned int rflags)
{
	if (at_flags & ~AT_SYMLINK_NOFOLLOW)
		return -EINVAL;
	return object_fd(root, path, at_flags, rflags);
}

BENEATH_API ssize_t beneath_getxattr(const struct beneath_root *root, const char *path,
                                     const char *name, void *value, size_t size,
                                     int at_flags, unsigned int rflags)
{
	_cleanup_close_ int fd = xattr_fd(root, path, at_flags, rflags);
	struct bsys_xattr_args args = { .value = (uintptr_t)value, .size = (uint32_t)size };
	char proc[32];
	ssize_t r;

	if (fd < 0)
		return fd;
	r = bsys_getxattrat(fd, "", AT_EMPTY_PATH, name, &args);
	if (!xattrat_missing(r))
		return r;
	proc_fd_path(proc, fd);
	return bsys_getxattr(proc, name, value, size);
}

BENEATH_API int beneath_setxattr(const struct beneath_root *root, const char *path,
                                 const char *name, const void *value, size_t size,
                                 int xflags, int at_flags, unsigned int rflags)
{
	_cleanup_close_ int fd = xattr_fd(root, path, at_flags, rflags);
	struct bsys_xattr_args args = { .value = (uintptr_t)value, .size = (uint32_t)size,
	                                .flags = (uint32_t)xflags };
	char proc[32];
	int r;

	if (fd < 0)
		return fd;
	r = bsys_setxattrat(fd, "", AT_EMPTY_PATH, name, &args);
	if (!xattrat_missing(r))
		return r;
	proc_fd_path(proc, fd);
	return bsys_setxattr(proc, name, value, size, xflags);
}

BENEATH_API ssize_t beneath_listxattr(const struct beneath_root *root, const char *path,
                                      char *list, size_t size, int at_flags,
                                      unsigned int rflags)
{
	_cleanup_close_ int fd = xattr_fd(root, path, at_flags, rflags);
	char proc[32];
	ssize_t r;

	if (fd < 0)
		return fd;
	r = bsys_listxattrat(fd, "", AT_EMPTY_PATH, list, size);
	if (!xattrat_missing(r))
		return r;
	proc_fd_path(proc, fd);
	return bsys_listxattr(proc, list, size);
}

BENEATH_API int beneath_removexattr(const struct beneath_root *root, const char *path,
                                    const char *name, int at_flags, unsigned int rflags)
{
	_cleanup_close_ int fd = xattr_fd(root, path, at_flags, rflags);
	char proc[32];
	int r;

	if (fd < 0)
		return fd;
	r = bsys_removexattrat(fd, "", AT_EMPTY_PATH, name);
	if (!xattrat_missing(r))
		return r;
	proc_fd_path(proc, fd);
	return bsys_removexattr(proc, name);
}

BENEATH_API int beneath_mkdir_p(const struct beneath_root *root, const char *path,
                                mode_t mode, unsigned int rflags)
{
	char buf[PATH_MAX];
	size_t len;
	int r = beneath_check_args(root, path, rflags);

	if (r < 0)
		return r;
	len = strlen(path);
	if (len == 0)
		return -ENOENT;
	if (len >= sizeof(buf))
		return -ENAMETOOLONG;
	memcpy(buf, path, len + 1);
	rflags &= ~(BENEATH_MUST_BE_ANY | BENEATH_NOFOLLOW);
	/* Each prefix is created through its own resolved parent, so a
	 * component swapped for a symlink mid-way is resolved again,
	 * beneath the root, never followed out of it. */
	for (size_t i = 1; i <= len; i++) {
		if (i < len && (buf[i] != '/' || buf[i - 1] == '/'))
			continue;
		buf[i] = '\0';
		r = beneath_mkdir(root, buf, mode, rflags);
		if (i < len)
			buf[i] = '/';
		if (r < 0 && r != -EEXIST)
			return r;
	}
	return beneath_resolve(root, path, rflags | BENEATH_MUST_BE_DIR);
}
