/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Raw system calls for the resolver.
 *
 * libbeneath is linked into an LD_PRELOAD shim that interposes open,
 * openat, fstatat, close, syscall() and the rest: a call through glibc's
 * symbol would land in the shim's own wrapper and recurse. The shim also
 * calls us before its init and from signal handlers, where errno belongs
 * to the interrupted code. So every call here is a `syscall` instruction
 * of our own and returns what the kernel returned, >= 0 or -errno,
 * without ever touching errno.
 *
 * Other architectures go through glibc's syscall() (errno saved and
 * restored), and through glibc's own function for the calls whose structs
 * or 64-bit arguments the C library translates per ABI (struct stat,
 * struct statfs, off_t on 32-bit). Only x86_64 is free of libc.
 * Defining BENEATH_SYS_GENERIC builds that fallback on x86_64 too, to
 * test it.
 */
#ifndef BENEATH_SYS_H
#define BENEATH_SYS_H

#include <errno.h>
#include <fcntl.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/syscall.h>
#include <sys/types.h>
#include <time.h>

/* Numbers newer than some C libraries' headers; since Linux 5.1 every
 * architecture but alpha shares them. */
#ifndef SYS_close_range
#define SYS_close_range 436
#endif
#ifndef SYS_openat2
#define SYS_openat2 437
#endif
#ifndef SYS_faccessat2
#define SYS_faccessat2 439
#endif
#ifndef SYS_fchmodat2
#define SYS_fchmodat2 452
#endif
#ifndef SYS_setxattrat
#define SYS_setxattrat 463
#define SYS_getxattrat 464
#define SYS_listxattrat 465
#define SYS_removexattrat 466
#endif

struct open_how;
struct statx;

/* ------------------------------------------------------------------------
 * bsys_call0..6: the kernel's return value, errno untouched.
 * ------------------------------------------------------------------------ */
#if defined(__x86_64__) && !defined(BENEATH_SYS_GENERIC)
#define BSYS_RAW 1
#endif

#ifdef BSYS_RAW

/* rax = number, then rdi rsi rdx r10 r8 r9; the instruction itself
 * overwrites rcx (return address) and r11 (flags). */
static inline long bsys_call1(long n, long a)
{
	long r;

	__asm__ volatile("syscall"
	                 : "=a"(r)
	                 : "a"(n), "D"(a)
	                 : "rcx", "r11", "memory");
	return r;
}

static inline long bsys_call2(long n, long a, long b)
{
	long r;

	__asm__ volatile("syscall"
	                 : "=a"(r)
	                 : "a"(n), "D"(a), "S"(b)
	                 : "rcx", "r11", "memory");
	return r;
}

static inline long bsys_call3(long n, long a, long b, long c)
{
	long r;

	__asm__ volatile("syscall"
	                 : "=a"(r)
	                 : "a"(n), "D"(a), "S"(b), "d"(c)
	                 : "rcx", "r11", "memory");
	return r;
}

static inline long bsys_call4(long n, long a, long b, long c, long d)
{
	register long r10 __asm__("r10") = d;
	long r;

	__asm__ volatile("syscall"
	                 : "=a"(r)
	                 : "a"(n), "D"(a), "S"(b), "d"(c), "r"(r10)
	                 : "rcx", "r11", "memory");
	return r;
}

static inline long bsys_call5(long n, long a, long b, long c, long d, long e)
{
	register long r10 __asm__("r10") = d;
	register long r8 __asm__("r8") = e;
	long r;

	__asm__ volatile("syscall"
	                 : "=a"(r)
	                 : "a"(n), "D"(a), "S"(b), "d"(c), "r"(r10), "r"(r8)
	                 : "rcx", "r11", "memory");
	return r;
}

static inline long bsys_call6(long n, long a, long b, long c, long d, long e,
                              long f)
{
	register long r10 __asm__("r10") = d;
	register long r8 __asm__("r8") = e;
	register long r9 __asm__("r9") = f;
	long r;

	__asm__ volatile("syscall"
	                 : "=a"(r)
	                 : "a"(n), "D"(a), "S"(b), "d"(c), "r"(r10), "r"(r8),
	                   "r"(r9)
	                 : "rcx", "r11", "memory");
	return r;
}

#else /* !BSYS_RAW */

#include <unistd.h>

/* glibc's -1/errno turned back into -errno; the caller's errno kept. */
static inline long bsys_unerrno(long r, int saved)
{
	if (r == -1)
		r = -errno;
	errno = saved;
	return r;
}

#define BSYS_GENERIC(...)                                                      \
	({                                                                     \
		int saved_ = errno;                                            \
		bsys_unerrno(syscall(__VA_ARGS__), saved_);                    \
	})

static inline long bsys_call1(long n, long a)
{
	return BSYS_GENERIC(n, a);
}

static inline long bsys_call2(long n, long a, long b)
{
	return BSYS_GENERIC(n, a, b);
}

static inline long bsys_call3(long n, long a, long b, long c)
{
	return BSYS_GENERIC(n, a, b, c);
}

static inline long bsys_call4(long n, long a, long b, long c, long d)
{
	return BSYS_GENERIC(n, a, b, c, d);
}

static inline long bsys_call5(long n, long a, long b, long c, long d, long e)
{
	return BSYS_GENERIC(n, a, b, c, d, e);
}

static inline long bsys_call6(long n, long a, long b, long c, long d, long e,
                              long f)
{
	return BSYS_GENERIC(n, a, b, c, d, e, f);
}

#endif /* BSYS_RAW */

/* Pointers and ints as syscall arguments. */
#define BSYS_P(p) ((long)(uintptr_t)(p))

/* ------------------------------------------------------------------------
 * Descriptors
 * ------------------------------------------------------------------------ */
static inline int bsys_openat(int dfd, const char *path, int flags, mode_t mode)
{
	return (int)bsys_call4(SYS_openat, dfd, BSYS_P(path), flags, (long)mode);
}

static inline int bsys_openat2(int dfd, const char *path,
                               const struct open_how *how, size_t size)
{
	return (int)bsys_call4(SYS_openat2, dfd, BSYS_P(path), BSYS_P(how),
	                       (long)size);
}

static inline int bsys_close(int fd)
{
	return (int)bsys_call1(SYS_close, fd);
}

static inline int bsys_close_range(unsigned int first, unsigned int last,
                                   unsigned int flags)
{
	return (int)bsys_call3(SYS_close_range, (long)first, (long)last,
	                       (long)flags);
}

/* Integer-argument commands only (F_DUPFD_CLOEXEC, F_GETFL...). */
static inline int bsys_fcntl(int fd, int cmd, long arg)
{
	return (int)bsys_call3(SYS_fcntl, fd, cmd, arg);
}

/* ------------------------------------------------------------------------
 * Status
 * ------------------------------------------------------------------------ */
#ifdef BSYS_RAW
/* The x86_64 kernel's struct stat and struct statfs are glibc's. */
static inline int bsys_fstat(int fd, struct stat *st)
{
	return (int)bsys_call2(SYS_fstat, fd, BSYS_P(st));
}

static inline int bsys_fstatat(int dfd, const char *path, struct stat *st,
                               int flags)
{
	return (int)bsys_call4(SYS_newfstatat, dfd, BSYS_P(path), BSYS_P(st),
	                       flags);
}

static inline int bsys_fstatfs(int fd, struct statfs *sfs)
{
	return (int)bsys_call2(SYS_fstatfs, fd, BSYS_P(sfs));
}

static inline int bsys_ftruncate(int fd, off_t length)
{
	return (int)bsys_call2(SYS_ftruncate, fd, (long)length);
}
#else
static inline int bsys_fstat(int fd, struct stat *st)
{
	int saved = errno;

	return (int)bsys_unerrno(fstat(fd, st), saved);
}

static inline int bsys_fstatat(int dfd, const char *path, struct stat *st,
                               int flags)
{
	int saved = errno;

	return (int)bsys_unerrno(fstatat(dfd, path, st, flags), saved);
}

static inline int bsys_fstatfs(int fd, struct statfs *sfs)
{
	int saved = errno;

	return (int)bsys_unerrno(fstatfs(fd, sfs), saved);
}

static inline int bsys_ftruncate(int fd, off_t length)
{
	int saved = errno;

	return (int)bsys_unerrno(ftruncate(fd, length), saved);
}
#endif

static inline int bsys_statx(int dfd, const char *path, int flags,
                             unsigned int mask, struct statx *stx)
{
	return (int)bsys_call5(SYS_statx, dfd, BSYS_P(path), flags, (long)mask,
	                       BSYS_P(stx));
}

static inline ssize_t bsys_readlinkat(int dfd, const char *path, char *buf,
                                      size_t size)
{
	return bsys_call4(SYS_readlinkat, dfd, BSYS_P(path), BSYS_P(buf),
	                  (long)size);
}

/* ------------------------------------------------------------------------
 * Directory entries
 * ------------------------------------------------------------------------ */
static inline int bsys_mkdirat(int dfd, const char *path, mode_t mode)
{
	return (int)bsys_call3(SYS_mkdirat, dfd, BSYS_P(path), (long)mode);
}

static inline int bsys_mknodat(int dfd, const char *path, mode_t mode,
                               dev_t dev)
{
	/* The kernel takes a 32-bit dev_t; glibc refuses wider ones. */
	if (dev != (dev_t)(unsigned int)dev)
		return -EINVAL;
	return (int)bsys_call4(SYS_mknodat, dfd, BSYS_P(path), (long)mode,
	                       (long)(unsigned int)dev);
}

static inline int bsys_symlinkat(const char *target, int dfd, const char *path)
{
	return (int)bsys_call3(SYS_symlinkat, BSYS_P(target), dfd, BSYS_P(path));
}

static inline int bsys_unlinkat(int dfd, const char *path, int flags)
{
	return (int)bsys_call3(SYS_unlinkat, dfd, BSYS_P(path), flags);
}

static inline int bsys_renameat2(int odfd, const char *opath, int ndfd,
                                 const char *npath, unsigned int flags)
{
	return (int)bsys_call5(SYS_renameat2, odfd, BSYS_P(opath), ndfd,
	                       BSYS_P(npath), (long)flags);
}

static inline int bsys_linkat(int odfd, const char *opath, int ndfd,
                              const char *npath, int flags)
{
	return (int)bsys_call5(SYS_linkat, odfd, BSYS_P(opath), ndfd,
	                       BSYS_P(npath), flags);
}

/* ------------------------------------------------------------------------
 * Attributes
 * ------------------------------------------------------------------------ */
/* The original call has no flags argument (AT_EACCESS is glibc's). */
static inline int bsys_faccessat(int dfd, const char *path, int amode)
{
	return (int)bsys_call3(SYS_faccessat, dfd, BSYS_P(path), amode);
}

static inline int bsys_faccessat2(int dfd, const char *path, int amode,
                                  int flags)
{
	return (int)bsys_call4(SYS_faccessat2, dfd, BSYS_P(path), amode, flags);
}

/* No flags argument either: AT_SYMLINK_NOFOLLOW needs fchmodat2. */
static inline int bsys_fchmodat(int dfd, const char *path, mode_t mode)
{
	return (int)bsys_call3(SYS_fchmodat, dfd, BSYS_P(path), (long)mode);
}

static inline int bsys_fchmodat2(int dfd, const char *path, mode_t mode,
                                 int flags)
{
	return (int)bsys_call4(SYS_fchmodat2, dfd, BSYS_P(path), (long)mode,
	                       flags);
}

static inline int bsys_fchownat(int dfd, const char *path, uid_t uid,
                                gid_t gid, int flags)
{
	return (int)bsys_call5(SYS_fchownat, dfd, BSYS_P(path), (long)uid,
	                       (long)gid, flags);
}

static inline int bsys_utimensat(int dfd, const char *path,
                                 const struct timespec times[2], int flags)
{
	return (int)bsys_call4(SYS_utimensat, dfd, BSYS_P(path), BSYS_P(times),
	                       flags);
}

/* ------------------------------------------------------------------------
 * Extended attributes: the path forms (for /proc/self/fd/N) and the
 * *xattrat calls of Linux 6.13, whose value travels in struct xattr_args.
 * ------------------------------------------------------------------------ */
struct bsys_xattr_args {
	uint64_t value;
	uint32_t size;
	uint32_t flags;
};

static inline ssize_t bsys_getxattr(const char *path, const char *name,
                                    void *value, size_t size)
{
	return bsys_call4(SYS_getxattr, BSYS_P(path), BSYS_P(name),
	                  BSYS_P(value), (long)size);
}

static inline int bsys_setxattr(const char *path, const char *name,
                                const void *value, size_t size, int flags)
{
	return (int)bsys_call5(SYS_setxattr, BSYS_P(path), BSYS_P(name),
	                       BSYS_P(value), (long)size, flags);
}

static inline ssize_t bsys_listxattr(const char *path, char *list, size_t size)
{
	return bsys_call3(SYS_listxattr, BSYS_P(path), BSYS_P(list), (long)size);
}

static inline int bsys_removexattr(const char *path, const char *name)
{
	return (int)bsys_call2(SYS_removexattr, BSYS_P(path), BSYS_P(name));
}

static inline ssize_t bsys_getxattrat(int dfd, const char *path,
                                      unsigned int at_flags, const char *name,
                                      struct bsys_xattr_args *args)
{
	return bsys_call6(SYS_getxattrat, dfd, BSYS_P(path), (long)at_flags,
	                  BSYS_P(name), BSYS_P(args), (long)sizeof(*args));
}

static inline int bsys_setxattrat(int dfd, const char *path,
                                  unsigned int at_flags, const char *name,
                                  const struct bsys_xattr_args *args)
{
	return (int)bsys_call6(SYS_setxattrat, dfd, BSYS_P(path),
	                       (long)at_flags, BSYS_P(name), BSYS_P(args),
	                       (long)sizeof(*args));
}

static inline ssize_t bsys_listxattrat(int dfd, const char *path,
                                       unsigned int at_flags, char *list,
                                       size_t size)
{
	return bsys_call5(SYS_listxattrat, dfd, BSYS_P(path), (long)at_flags,
	                  BSYS_P(list), (long)size);
}

static inline int bsys_removexattrat(int dfd, const char *path,
                                     unsigned int at_flags, const char *name)
{
	return (int)bsys_call4(SYS_removexattrat, dfd, BSYS_P(path),
	                       (long)at_flags, BSYS_P(name));
}

#endif /* BENEATH_SYS_H */
