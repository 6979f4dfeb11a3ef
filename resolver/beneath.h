/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * libbeneath: resolve paths strictly beneath a directory fd.
 *
 * Every function returns a non-negative value (an fd, a length, or 0) on
 * success and a negative errno value on failure; errno itself is never
 * read or written: system calls are made directly, not through libc. Every fd returned is O_CLOEXEC and owned by the
 * caller. All functions are thread-safe, take no locks and do not
 * allocate memory.
 *
 * A path is always resolved relative to a root. The root is a plain
 * descriptor that the caller fills in: the directory fd (opened with
 * O_PATH or O_DIRECTORY) and, for BENEATH_MODE_CONTAIN, the absolute host
 * path it was opened from. The library never closes root->fd.
 */
#ifndef BENEATH_H
#define BENEATH_H

#include <stddef.h>
#include <sys/stat.h>
#include <sys/types.h>

#ifdef __cplusplus
extern "C" {
#endif

struct beneath_root {
	int fd;            /* directory fd; trusted, never re-checked */
	const char *path;  /* host path of fd (absolute), or NULL; read only in
	                    * BENEATH_MODE_CONTAIN to recognise absolute
	                    * symlinks that point back inside the root */
};

/* Resolution flags: one mode plus any number of options, per call. */
enum {
	/* Kernel RESOLVE_BENEATH: anything that would leave the root,
	 * including every absolute path or symlink, fails with EXDEV. */
	BENEATH_MODE_BENEATH   = 0,
	/* Kernel RESOLVE_IN_ROOT: the root acts as "/" (like chroot). */
	BENEATH_MODE_IN_ROOT   = 1,
	/* What the kernel would resolve from root->path, except that any
	 * step leaving the root fails with EXDEV. An absolute symlink
	 * whose target lies under root->path is followed beneath the root. */
	BENEATH_MODE_CONTAIN   = 2,
	BENEATH_MODE_MASK      = 3,

	BENEATH_NO_SYMLINKS    = 1u << 2,  /* any symlink met: ELOOP */
	BENEATH_NO_XDEV        = 1u << 3,  /* crossing a mount point: EXDEV */
	BENEATH_NO_AUTOMOUNT   = 1u << 4,  /* an untriggered automount point: EXDEV */
	BENEATH_MUST_BE_REG    = 1u << 5,  /* final object: EISDIR, ELOOP or EBADFD otherwise */
	BENEATH_MUST_BE_DIR    = 1u << 6,  /* final object: ENOTDIR otherwise */
	BENEATH_MUST_BE_SOCK   = 1u << 7,  /* final object: ENOTSOCK otherwise */
	BENEATH_NOFOLLOW       = 1u << 8,  /* beneath_resolve(): do not follow a final symlink */

	/* Pick the backend for this call, overriding BENEATH_RESOLVER.
	 * Forcing openat2 where the kernel lacks it gives ENOSYS. */
	BENEATH_BACKEND_OPENAT2 = 1u << 9,
	BENEATH_BACKEND_WALKER  = 1u << 10,

	/* Every object reached below the root (each directory on the way,
	 * each symlink followed, the final object; not the root itself)
	 * must be owned by the root's owner or by uid 0, else EXDEV: it is
	 * treated as outside the root. The classic defence against another
	 * user's file hard-linked into a user's tree. beneath_resolve_parent()
	 * and the entry operations check the directories, not the last
	 * name. Objects the call creates belong to the caller, who should
	 * therefore be the root's owner or root. Uses the walker. */
	BENEATH_SAME_OWNER      = 1u << 11,

	/* beneath_open(): the fd is close-on-exec only if FLAGS has
	 * O_CLOEXEC, as with open(2), set by the open itself where it can
	 * be (the openat2 backend), else by a fcntl after it. Without this
	 * flag every fd libbeneath returns is O_CLOEXEC. */
	BENEATH_CLOEXEC_AS_GIVEN = 1u << 12,
};

/* Magic links (procfs fd, exe, cwd, root links) are refused in every
 * mode with ELOOP, as RESOLVE_NO_MAGICLINKS does. */

/*
 * Open PATH beneath ROOT with open(2) FLAGS and MODE. Flags are sanitised
 * so the result matches open(2): MODE is ignored without O_CREAT or
 * O_TMPFILE, unknown bits are dropped, O_CLOEXEC is always added
 * (unless RFLAGS has BENEATH_CLOEXEC_AS_GIVEN).
 * Returns an fd or -errno: EXDEV (would leave the root), ELOOP (too many
 * symlinks, a magic link, or a symlink under BENEATH_NO_SYMLINKS), EINVAL
 * (bad RFLAGS), ENAMETOOLONG, EMFILE, and whatever open(2) returns.
 */
int beneath_open(const struct beneath_root *root, const char *path,
                 int flags, mode_t mode, unsigned int rflags);

/* Resolve PATH to an O_PATH fd, following a final symlink unless
 * BENEATH_NOFOLLOW is set. */
int beneath_resolve(const struct beneath_root *root, const char *path,
                    unsigned int rflags);

/*
 * Resolve every component of PATH but the last; return an O_PATH fd of
 * that directory and copy the last component into NAME (NAMESZ bytes,
 * NAME_MAX + 2 is always enough). A trailing slash is kept in NAME
 * ("dir/"): the *at calls that create, remove or rename act on one
 * component without following it and give the kernel's answer for it.
 * Paths ending in "." or ".." return the fd of the directory they name
 * and NAME "." or ".."; a path of slashes alone (in_root, contain)
 * returns the root and NAME "/". Such NAMEs must not be handed to the
 * kernel as they are: the beneath_*at operations below map them to the
 * errors the kernel gives.
 */
int beneath_resolve_parent(const struct beneath_root *root, const char *path,
                           unsigned int rflags, char *name, size_t namesz);

/* mkdir -p: create every missing directory of PATH with MODE. Returns an
 * O_PATH fd of the final directory, or -errno (EEXIST if a component
 * exists and is not a directory, as mkdir -p reports it: ENOTDIR). */
int beneath_mkdir_p(const struct beneath_root *root, const char *path,
                    mode_t mode, unsigned int rflags);

/*
 * Operations, each through a resolved directory fd and one name (or the
 * resolved object's own O_PATH fd), never through a rebuilt path string.
 * AT_FLAGS takes the same AT_* flags as the matching *at(2) call. Each
 * returns 0 (or a length) or -errno.
 */
int beneath_mkdir(const struct beneath_root *root, const char *path,
                  mode_t mode, unsigned int rflags);
int beneath_mknod(const struct beneath_root *root, const char *path,
                  mode_t mode, dev_t dev, unsigned int rflags);
int beneath_unlink(const struct beneath_root *root, const char *path,
                   int at_flags, unsigned int rflags);
int beneath_rename(const struct beneath_root *oldroot, const char *oldpath,
                   const struct beneath_root *newroot, const char *newpath,
                   unsigned int rename_flags, unsigned int rflags);
int beneath_link(const struct beneath_root *oldroot, const char *oldpath,
                 const struct beneath_root *newroot, const char *newpath,
                 int at_flags, unsigned int rflags);
/* TARGET is stored verbatim; only LINKPATH is resolved. */
int beneath_symlink(const char *target, const struct beneath_root *root,
                    const char *linkpath, unsigned int rflags);
ssize_t beneath_readlink(const struct beneath_root *root, const char *path,
                         char *buf, size_t bufsz, unsigned int rflags);
int beneath_stat(const struct beneath_root *root, const char *path,
                 struct stat *st, int at_flags, unsigned int rflags);
/* STATXBUF is a struct statx; declared void to keep <linux/stat.h> out. */
int beneath_statx(const struct beneath_root *root, const char *path,
                  int at_flags, unsigned int mask, void *statxbuf,
                  unsigned int rflags);
int beneath_access(const struct beneath_root *root, const char *path,
                   int amode, int at_flags, unsigned int rflags);
int beneath_chmod(const struct beneath_root *root, const char *path,
                  mode_t mode, int at_flags, unsigned int rflags);
int beneath_chown(const struct beneath_root *root, const char *path,
                  uid_t uid, gid_t gid, int at_flags, unsigned int rflags);
int beneath_utimens(const struct beneath_root *root, const char *path,
                    const struct timespec times[2], int at_flags,
                    unsigned int rflags);
int beneath_truncate(const struct beneath_root *root, const char *path,
                     off_t length, unsigned int rflags);

/* Extended attributes: AT_SYMLINK_NOFOLLOW in AT_FLAGS gives the l*
 * variants. */
ssize_t beneath_getxattr(const struct beneath_root *root, const char *path,
                         const char *name, void *value, size_t size,
                         int at_flags, unsigned int rflags);
int beneath_setxattr(const struct beneath_root *root, const char *path,
                     const char *name, const void *value, size_t size,
                     int xflags, int at_flags, unsigned int rflags);
ssize_t beneath_listxattr(const struct beneath_root *root, const char *path,
                          char *list, size_t size, int at_flags,
                          unsigned int rflags);
int beneath_removexattr(const struct beneath_root *root, const char *path,
                        const char *name, int at_flags, unsigned int rflags);

/* Which backend a call with RFLAGS would use: "openat2" or "walker". */
const char *beneath_backend(unsigned int rflags);

#ifdef __cplusplus
}
#endif

#endif /* BENEATH_H */
