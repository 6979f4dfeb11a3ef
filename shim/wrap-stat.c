/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The query family: stat in all its ABIs, statx, statfs, statvfs, access,
 * readlink, and the extended attributes. Under a root each resolves the
 * object beneath the root and asks through its fd.
 */
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/statvfs.h>
#include <sys/syscall.h>
#include <sys/xattr.h>
#include <string.h>
#include <unistd.h>

#include "shim.h"

/* The kernel sets it in f_flags when the other bits are meaningful. */
#define ST_VALID_FLAG 0x0020

/* The pre-2.33 stat ABI, still exported by glibc and still called by
 * binaries built against older glibc. */
int __xstat(int ver, const char *path, struct stat *st);
int __xstat64(int ver, const char *path, struct stat64 *st);
int __lxstat(int ver, const char *path, struct stat *st);
int __lxstat64(int ver, const char *path, struct stat64 *st);
int __fxstatat(int ver, int dirfd, const char *path, struct stat *st, int flags);
int __fxstatat64(int ver, int dirfd, const char *path, struct stat64 *st, int flags);
ssize_t __readlink_chk(const char *path, char *buf, size_t len, size_t buflen);
ssize_t __readlinkat_chk(int dirfd, const char *path, char *buf, size_t len, size_t buflen);
void __chk_fail(void) __attribute__((noreturn));

/* x86_64: _STAT_VER_KERNEL 0, _STAT_VER_LINUX 1; the struct is the
 * kernel's either way, and struct stat64 is struct stat. */
#define STAT_VER_OK(v) ((v) == 0 || (v) == 1)

static long stat_flags_ok(int flags)
{
	return flags & ~(AT_SYMLINK_NOFOLLOW | AT_NO_AUTOMOUNT | AT_EMPTY_PATH) ? -EINVAL : 0;
}

/* fstatat under the shim: the one mechanism behind every stat name. */
static int stat_common(const char *name, int dirfd, const char *path, struct stat *st, int flags)
{
	long e = stat_flags_ok(flags);

	if (e < 0)
		return (int)shim_ret(e);
	SHIM_PATH_CALL(name, dirfd, path, OP_READ | NOFOLLOW_KIND(flags),
	               beneath_stat(R, P, st, flags & AT_SYMLINK_NOFOLLOW, F),
	               PASS(fstatat, bsys_fstatat(dirfd, path, st, flags), dirfd, path, st, flags));
}

SHIM_EXPORT int stat(const char *path, struct stat *st)
{
	return stat_common("stat", AT_FDCWD, path, st, 0);
}

SHIM_EXPORT int stat64(const char *path, struct stat64 *st)
{
	return stat_common("stat64", AT_FDCWD, path, (struct stat *)st, 0);
}

SHIM_EXPORT int lstat(const char *path, struct stat *st)
{
	return stat_common("lstat", AT_FDCWD, path, st, AT_SYMLINK_NOFOLLOW);
}

SHIM_EXPORT int lstat64(const char *path, struct stat64 *st)
{
	return stat_common("lstat64", AT_FDCWD, path, (struct stat *)st, AT_SYMLINK_NOFOLLOW);
}

SHIM_EXPORT int fstatat(int dirfd, const char *path, struct stat *st, int flags)
{
	return stat_common("fstatat", dirfd, path, st, flags);
}

SHIM_EXPORT int fstatat64(int dirfd, const char *path, struct stat64 *st, int flags)
{
	return stat_common("fstatat64", dirfd, path, (struct stat *)st, flags);
}

static int xstat_common(const char *name, int ver, int dirfd, const char *path,
                        struct stat *st, int flags)
{
	if (!STAT_VER_OK(ver)) {
		errno = EINVAL;
		return -1;
	}
	return stat_common(name, dirfd, path, st, flags);
}

SHIM_EXPORT int __xstat(int ver, const char *path, struct stat *st)
{
	return xstat_common("__xstat", ver, AT_FDCWD, path, st, 0);
}

SHIM_EXPORT int __xstat64(int ver, const char *path, struct stat64 *st)
{
	return xstat_common("__xstat64", ver, AT_FDCWD, path, (struct stat *)st, 0);
}

SHIM_EXPORT int __lxstat(int ver, const char *path, struct stat *st)
{
	return xstat_common("__lxstat", ver, AT_FDCWD, path, st, AT_SYMLINK_NOFOLLOW);
}

SHIM_EXPORT int __lxstat64(int ver, const char *path, struct stat64 *st)
{
	return xstat_common("__lxstat64", ver, AT_FDCWD, path, (struct stat *)st,
	                    AT_SYMLINK_NOFOLLOW);
}

SHIM_EXPORT int __fxstatat(int ver, int dirfd, const char *path, struct stat *st, int flags)
{
	return xstat_common("__fxstatat", ver, dirfd, path, st, flags);
}

SHIM_EXPORT int __fxstatat64(int ver, int dirfd, const char *path, struct stat64 *st,
                             int flags)
{
	return xstat_common("__fxstatat64", ver, dirfd, path, (struct stat *)st, flags);
}

SHIM_EXPORT int statx(int dirfd, const char *path, int flags, unsigned int mask,
                      struct statx *stx)
{
	SHIM_PATH_CALL("statx", dirfd, path, OP_READ | NOFOLLOW_KIND(flags),
	               beneath_statx(R, P, flags, mask, stx, F),
	               PASS(statx, bsys_statx(dirfd, path, flags, mask, stx),
	                    dirfd, path, flags, mask, stx));
}

/* statfs and statvfs: the object's fd, then the fd form of the call. */
static long root_fd_call(const struct beneath_root *r, const char *p, unsigned int f,
                         int (*fn)(int, void *), void *buf)
{
	int fd = beneath_resolve(r, p, f);
	long ret;

	if (fd < 0)
		return fd;
	ret = fn(fd, buf);
	bsys_close(fd);
	return ret;
}

static int fd_statfs(int fd, void *buf)
{
	return bsys_fstatfs(fd, buf);
}

/* glibc's statvfs is statfs plus a translation; so is ours. */
static int fd_statvfs(int fd, void *buf)
{
	struct statvfs *v = buf;
	struct statfs s;
	int r = bsys_fstatfs(fd, &s);

	if (r < 0)
		return r;
	*v = (struct statvfs){
		.f_bsize = (unsigned long)s.f_bsize,
		.f_frsize = (unsigned long)(s.f_frsize ? s.f_frsize : s.f_bsize),
		.f_blocks = s.f_blocks, .f_bfree = s.f_bfree, .f_bavail = s.f_bavail,
		.f_files = s.f_files, .f_ffree = s.f_ffree, .f_favail = s.f_ffree,
		.f_namemax = (unsigned long)s.f_namelen,
		.f_flag = (unsigned long)(s.f_flags & ~ST_VALID_FLAG),
	};
	memcpy(&v->f_fsid, &s.f_fsid, sizeof(v->f_fsid) < sizeof(s.f_fsid) ?
	                               sizeof(v->f_fsid) : sizeof(s.f_fsid));
	return 0;
}

SHIM_EXPORT int statfs(const char *path, struct statfs *buf)
{
	SHIM_PATH_CALL("statfs", AT_FDCWD, path, OP_READ, root_fd_call(R, P, F, fd_statfs, buf),
	               PASS(statfs, bsys_call2(SYS_statfs, (long)path, (long)buf), path, buf));
}

SHIM_EXPORT int statfs64(const char *path, struct statfs64 *buf)
{
	SHIM_PATH_CALL("statfs64", AT_FDCWD, path, OP_READ,
	               root_fd_call(R, P, F, fd_statfs, buf),
	               PASS(statfs64, bsys_call2(SYS_statfs, (long)path, (long)buf), path, buf));
}

static long raw_statvfs(const char *path, void *buf)
{
	int fd = bsys_openat(AT_FDCWD, path, O_PATH | O_CLOEXEC, 0);
	long r;

	if (fd < 0)
		return fd;
	r = fd_statvfs(fd, buf);
	bsys_close(fd);
	return r;
}

SHIM_EXPORT int statvfs(const char *path, struct statvfs *buf)
{
	SHIM_PATH_CALL("statvfs", AT_FDCWD, path, OP_READ,
	               root_fd_call(R, P, F, fd_statvfs, buf),
	               PASS(statvfs, raw_statvfs(path, buf), path, buf));
}

SHIM_EXPORT int statvfs64(const char *path, struct statvfs64 *buf)
{
	SHIM_PATH_CALL("statvfs64", AT_FDCWD, path, OP_READ,
	               root_fd_call(R, P, F, fd_statvfs, buf),
	               PASS(statvfs64, raw_statvfs(path, buf), path, buf));
}

/* access: one mechanism, four names. */
static int access_common(const char *name, int dirfd, const char *path, int mode, int flags)
{
	SHIM_PATH_CALL(name, dirfd, path, OP_READ | NOFOLLOW_KIND(flags),
	               beneath_access(R, P, mode, flags, F),
	               PASS(faccessat, bsys_faccessat2(dirfd, path, mode, flags),
	                    dirfd, path, mode, flags));
}

SHIM_EXPORT int access(const char *path, int mode)
{
	return access_common("access", AT_FDCWD, path, mode, 0);
}

SHIM_EXPORT int faccessat(int dirfd, const char *path, int mode, int flags)
{
	return access_common("faccessat", dirfd, path, mode, flags);
}

SHIM_EXPORT int euidaccess(const char *path, int mode)
{
	return access_common("euidaccess", AT_FDCWD, path, mode, AT_EACCESS);
}

SHIM_EXPORT int eaccess(const char *path, int mode)
{
	return access_common("eaccess", AT_FDCWD, path, mode, AT_EACCESS);
}

/* readlink */
static ssize_t readlink_common(const char *name, int dirfd, const char *path, char *buf,
                               size_t len)
{
	SHIM_PATH_CALL(name, dirfd, path, OP_READ | OP_NOFOLLOW,
	               beneath_readlink(R, P, buf, len, F),
	               PASS(readlinkat, bsys_readlinkat(dirfd, path, buf, len),
	                    dirfd, path, buf, len));
}

SHIM_EXPORT ssize_t readlink(const char *path, char *buf, size_t len)
{
	return readlink_common("readlink", AT_FDCWD, path, buf, len);
}

SHIM_EXPORT ssize_t readlinkat(int dirfd, const char *path, char *buf, size_t len)
{
	return readlink_common("readlinkat", dirfd, path, buf, len);
}

SHIM_EXPORT ssize_t __readlink_chk(const char *path, char *buf, size_t len, size_t buflen)
{
	if (len > buflen)
		__chk_fail();
	return readlink_common("__readlink_chk", AT_FDCWD, path, buf, len);
}

SHIM_EXPORT ssize_t __readlinkat_chk(int dirfd, const char *path, char *buf, size_t len,
                                     size_t buflen)
{
	if (len > buflen)
		__chk_fail();
	return readlink_common("__readlinkat_chk", dirfd, path, buf, len);
}

/* Extended attributes: the l forms do not follow the last symlink. */
#define NOFOLLOW_IF(l) ((l) ? AT_SYMLINK_NOFOLLOW : 0)

static ssize_t getxattr_common(const char *name, bool l, const char *path, const char *attr,
                               void *value, size_t size)
{
	SHIM_PATH_CALL(name, AT_FDCWD, path, OP_READ,
	               beneath_getxattr(R, P, attr, value, size, NOFOLLOW_IF(l), F),
	               l ? PASS(lgetxattr, bsys_call4(SYS_lgetxattr, (long)path, (long)attr,
	                                              (long)value, (long)size),
	                        path, attr, value, size)
	                 : PASS(getxattr, bsys_getxattr(path, attr, value, size),
	                        path, attr, value, size));
}

SHIM_EXPORT ssize_t getxattr(const char *path, const char *attr, void *value, size_t size)
{
	return getxattr_common("getxattr", false, path, attr, value, size);
}

SHIM_EXPORT ssize_t lgetxattr(const char *path, const char *attr, void *value, size_t size)
{
	return getxattr_common("lgetxattr", true, path, attr, value, size);
}

static int setxattr_common(const char *name, bool l, const char *path, const char *attr,
                           const void *value, size_t size, int xflags)
{
	SHIM_PATH_CALL(name, AT_FDCWD, path, OP_WRITE,
	               beneath_setxattr(R, P, attr, value, size, xflags, NOFOLLOW_IF(l), F),
	               l ? PASS(lsetxattr, bsys_call5(SYS_lsetxattr, (long)path, (long)attr,
	                                              (long)value, (long)size, xflags),
	                        path, attr, value, size, xflags)
	                 : PASS(setxattr, bsys_setxattr(path, attr, value, size, xflags),
	                        path, attr, value, size, xflags));
}

SHIM_EXPORT int setxattr(const char *path, const char *attr, const void *value, size_t size,
                         int xflags)
{
	return setxattr_common("setxattr", false, path, attr, value, size, xflags);
}

SHIM_EXPORT int lsetxattr(const char *path, const char *attr, const void *value, size_t size,
                          int xflags)
{
	return setxattr_common("lsetxattr", true, path, attr, value, size, xflags);
}

static ssize_t listxattr_common(const char *name, bool l, const char *path, char *list,
                                size_t size)
{
	SHIM_PATH_CALL(name, AT_FDCWD, path, OP_READ,
	               beneath_listxattr(R, P, list, size, NOFOLLOW_IF(l), F),
	               l ? PASS(llistxattr, bsys_call3(SYS_llistxattr, (long)path, (long)list,
	                                               (long)size),
	                        path, list, size)
	                 : PASS(listxattr, bsys_listxattr(path, list, size), path, list, size));
}

SHIM_EXPORT ssize_t listxattr(const char *path, char *list, size_t size)
{
	return listxattr_common("listxattr", false, path, list, size);
}

SHIM_EXPORT ssize_t llistxattr(const char *path, char *list, size_t size)
{
	return listxattr_common("llistxattr", true, path, list, size);
}

static int removexattr_common(const char *name, bool l, const char *path, const char *attr)
{
	SHIM_PATH_CALL(name, AT_FDCWD, path, OP_WRITE,
	               beneath_removexattr(R, P, attr, NOFOLLOW_IF(l), F),
	               l ? PASS(lremovexattr, bsys_call2(SYS_lremovexattr, (long)path, (long)attr),
	                        path, attr)
	                 : PASS(removexattr, bsys_removexattr(path, attr), path, attr));
}

SHIM_EXPORT int removexattr(const char *path, const char *attr)
{
	return removexattr_common("removexattr", false, path, attr);
}

SHIM_EXPORT int lremovexattr(const char *path, const char *attr)
{
	return removexattr_common("lremovexattr", true, path, attr);
}
