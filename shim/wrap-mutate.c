/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Calls that change one name or one object: create, remove, chmod, chown,
 * utime, truncate. Under a root, libbeneath acts through the parent's fd
 * and one name, or through the object's own fd; never a path string.
 */
#include <stdio.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/time.h>
#include <unistd.h>
#include <utime.h>

#include "shim.h"

int __xmknod(int ver, const char *path, mode_t mode, dev_t *dev);
int __xmknodat(int ver, int dirfd, const char *path, mode_t mode, dev_t *dev);
int lchmod(const char *path, mode_t mode);

/* ---- create ---- */

static int mkdir_common(const char *name, int dirfd, const char *path, mode_t mode)
{
	SHIM_PATH_CALL(name, dirfd, path, OP_WRITE | OP_NOFOLLOW, beneath_mkdir(R, P, mode, F),
	               PASS(mkdirat, bsys_mkdirat(dirfd, path, mode), dirfd, path, mode));
}

SHIM_EXPORT int mkdir(const char *path, mode_t mode)
{
	return mkdir_common("mkdir", AT_FDCWD, path, mode);
}

SHIM_EXPORT int mkdirat(int dirfd, const char *path, mode_t mode)
{
	return mkdir_common("mkdirat", dirfd, path, mode);
}

static int mknod_common(const char *name, int dirfd, const char *path, mode_t mode, dev_t dev)
{
	SHIM_PATH_CALL(name, dirfd, path, OP_WRITE | OP_NOFOLLOW, beneath_mknod(R, P, mode, dev, F),
	               PASS(mknodat, bsys_mknodat(dirfd, path, mode, dev), dirfd, path, mode, dev));
}

SHIM_EXPORT int mknod(const char *path, mode_t mode, dev_t dev)
{
	return mknod_common("mknod", AT_FDCWD, path, mode, dev);
}

SHIM_EXPORT int mknodat(int dirfd, const char *path, mode_t mode, dev_t dev)
{
	return mknod_common("mknodat", dirfd, path, mode, dev);
}

/* The old ABI: VER is _MKNOD_VER (0), DEV a pointer. */
SHIM_EXPORT int __xmknod(int ver, const char *path, mode_t mode, dev_t *dev)
{
	if (ver != 0) {
		errno = EINVAL;
		return -1;
	}
	return mknod_common("__xmknod", AT_FDCWD, path, mode, *dev);
}

SHIM_EXPORT int __xmknodat(int ver, int dirfd, const char *path, mode_t mode, dev_t *dev)
{
	if (ver != 0) {
		errno = EINVAL;
		return -1;
	}
	return mknod_common("__xmknodat", dirfd, path, mode, *dev);
}

SHIM_EXPORT int mkfifo(const char *path, mode_t mode)
{
	return mknod_common("mkfifo", AT_FDCWD, path, S_IFIFO | (mode & 07777), 0);
}

SHIM_EXPORT int mkfifoat(int dirfd, const char *path, mode_t mode)
{
	return mknod_common("mkfifoat", dirfd, path, S_IFIFO | (mode & 07777), 0);
}

/* Only the link's own path is resolved: TARGET is an opaque string. */
static int symlink_common(const char *name, const char *target, int dirfd, const char *path)
{
	SHIM_PATH_CALL(name, dirfd, path, OP_WRITE | OP_NOFOLLOW, beneath_symlink(target, R, P, F),
	               PASS(symlinkat, bsys_symlinkat(target, dirfd, path), target, dirfd, path));
}

SHIM_EXPORT int symlink(const char *target, const char *path)
{
	return symlink_common("symlink", target, AT_FDCWD, path);
}

SHIM_EXPORT int symlinkat(const char *target, int dirfd, const char *path)
{
	return symlink_common("symlinkat", target, dirfd, path);
}

/* ---- remove ---- */

static int unlink_common(const char *name, int dirfd, const char *path, int flags)
{
	SHIM_PATH_CALL(name, dirfd, path, OP_WRITE | OP_NOFOLLOW, beneath_unlink(R, P, flags, F),
	               PASS(unlinkat, bsys_unlinkat(dirfd, path, flags), dirfd, path, flags));
}

SHIM_EXPORT int unlink(const char *path)
{
	return unlink_common("unlink", AT_FDCWD, path, 0);
}

SHIM_EXPORT int unlinkat(int dirfd, const char *path, int flags)
{
	return unlink_common("unlinkat", dirfd, path, flags);
}

SHIM_EXPORT int rmdir(const char *path)
{
	return unlink_common("rmdir", AT_FDCWD, path, AT_REMOVEDIR);
}

/* remove(3): unlink, or rmdir when it is a directory, as glibc does. */
static long remove_root(const struct beneath_root *r, const char *p, unsigned int f)
{
	int ret = beneath_unlink(r, p, 0, f);

	return ret == -EISDIR ? beneath_unlink(r, p, AT_REMOVEDIR, f) : ret;
}

static long remove_raw(const char *path)
{
	long r = bsys_unlinkat(AT_FDCWD, path, 0);

	return r == -EISDIR ? bsys_unlinkat(AT_FDCWD, path, AT_REMOVEDIR) : r;
}

SHIM_EXPORT int remove(const char *path)
{
	SHIM_PATH_CALL("remove", AT_FDCWD, path, OP_WRITE, remove_root(R, P, F),
	               PASS(remove, remove_raw(path), path));
}

/* ---- change an object ---- */

static int chmod_common(const char *name, int dirfd, const char *path, mode_t mode, int flags)
{
	SHIM_PATH_CALL(name, dirfd, path, OP_WRITE | NOFOLLOW_KIND(flags),
	               beneath_chmod(R, P, mode, flags, F),
	               PASS(fchmodat, bsys_fchmodat2(dirfd, path, mode, flags),
	                    dirfd, path, mode, flags));
}

SHIM_EXPORT int chmod(const char *path, mode_t mode)
{
	return chmod_common("chmod", AT_FDCWD, path, mode, 0);
}

SHIM_EXPORT int lchmod(const char *path, mode_t mode)
{
	return chmod_common("lchmod", AT_FDCWD, path, mode, AT_SYMLINK_NOFOLLOW);
}

SHIM_EXPORT int fchmodat(int dirfd, const char *path, mode_t mode, int flags)
{
	return chmod_common("fchmodat", dirfd, path, mode, flags);
}

static int chown_common(const char *name, int dirfd, const char *path, uid_t uid, gid_t gid,
                        int flags)
{
	SHIM_PATH_CALL(name, dirfd, path, OP_WRITE | NOFOLLOW_KIND(flags),
	               beneath_chown(R, P, uid, gid, flags, F),
	               PASS(fchownat, bsys_fchownat(dirfd, path, uid, gid, flags),
	                    dirfd, path, uid, gid, flags));
}

SHIM_EXPORT int chown(const char *path, uid_t uid, gid_t gid)
{
	return chown_common("chown", AT_FDCWD, path, uid, gid, 0);
}

SHIM_EXPORT int lchown(const char *path, uid_t uid, gid_t gid)
{
	return chown_common("lchown", AT_FDCWD, path, uid, gid, AT_SYMLINK_NOFOLLOW);
}

SHIM_EXPORT int fchownat(int dirfd, const char *path, uid_t uid, gid_t gid, int flags)
{
	return chown_common("fchownat", dirfd, path, uid, gid, flags);
}

/* Every utime flavour is utimensat with converted times. */
static int utimens_common(const char *name, int dirfd, const char *path,
                          const struct timespec ts[2], int flags)
{
	/* utime, utimes, lutimes(NULL): glibc hands NULL to the kernel. */
	__asm__("" : "+r"(path));
	if (!path) {
		errno = EFAULT;
		return -1;
	}
	SHIM_PATH_CALL(name, dirfd, path, OP_WRITE | NOFOLLOW_KIND(flags),
	               beneath_utimens(R, P, ts, flags, F),
	               PASS(utimensat, bsys_utimensat(dirfd, path, ts, flags),
	                    dirfd, path, ts, flags));
}

SHIM_EXPORT int utimensat(int dirfd, const char *path, const struct timespec ts[2], int flags)
{
	/* A NULL path is futimens(dirfd): no path at all. glibc declares
	 * PATH nonnull, so hide it from the optimiser before asking. */
	__asm__("" : "+r"(path));
	if (!path) {
		errno = EINVAL;  /* glibc's answer: futimens is the call for that */
		return -1;
	}
	return utimens_common("utimensat", dirfd, path, ts, flags);
}

static const struct timespec *from_timeval(const struct timeval tv[2], struct timespec ts[2])
{
	if (!tv)
		return NULL;
	for (int i = 0; i < 2; i++) {
		if (tv[i].tv_usec < 0 || tv[i].tv_usec >= 1000000)
			return (const struct timespec *)-1;
		ts[i].tv_sec = tv[i].tv_sec;
		ts[i].tv_nsec = tv[i].tv_usec * 1000;
	}
	return ts;
}

static int utimes_common(const char *name, int dirfd, const char *path,
                         const struct timeval tv[2], int flags)
{
	struct timespec ts[2];
	const struct timespec *t = from_timeval(tv, ts);

	if (t == (const struct timespec *)-1) {
		errno = EINVAL;
		return -1;
	}
	return utimens_common(name, dirfd, path, t, flags);
}

SHIM_EXPORT int utimes(const char *path, const struct timeval tv[2])
{
	return utimes_common("utimes", AT_FDCWD, path, tv, 0);
}

SHIM_EXPORT int lutimes(const char *path, const struct timeval tv[2])
{
	return utimes_common("lutimes", AT_FDCWD, path, tv, AT_SYMLINK_NOFOLLOW);
}

SHIM_EXPORT int futimesat(int dirfd, const char *path, const struct timeval tv[2])
{
	struct timespec ts[2];
	const struct timespec *t;

	__asm__("" : "+r"(path));
	if (!path)
		return PASS(futimesat, bsys_call3(SYS_futimesat, dirfd, 0, (long)tv), dirfd, path, tv);
	t = from_timeval(tv, ts);
	if (t == (const struct timespec *)-1) {
		errno = EINVAL;
		return -1;
	}
	return utimens_common("futimesat", dirfd, path, t, 0);
}

SHIM_EXPORT int utime(const char *path, const struct utimbuf *ub)
{
	struct timespec ts[2];

	if (ub) {
		ts[0] = (struct timespec){ .tv_sec = ub->actime };
		ts[1] = (struct timespec){ .tv_sec = ub->modtime };
	}
	return utimens_common("utime", AT_FDCWD, path, ub ? ts : NULL, 0);
}

static int truncate_common(const char *name, const char *path, off_t len)
{
	SHIM_PATH_CALL(name, AT_FDCWD, path, OP_WRITE, beneath_truncate(R, P, len, F),
	               PASS(truncate, bsys_call2(SYS_truncate, (long)path, len), path, len));
}

SHIM_EXPORT int truncate(const char *path, off_t len)
{
	return truncate_common("truncate", path, len);
}

SHIM_EXPORT int truncate64(const char *path, off64_t len)
{
	return truncate_common("truncate64", path, len);
}
