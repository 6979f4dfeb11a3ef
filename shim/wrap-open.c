/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The open family: open, openat, creat and their 64 and FORTIFY forms,
 * fopen, freopen, opendir. */
#include <dirent.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "shim.h"

int __open_2(const char *path, int flags);
int __open64_2(const char *path, int flags);
int __openat_2(int dirfd, const char *path, int flags);
int __openat64_2(int dirfd, const char *path, int flags);

/* As glibc's __OPEN_NEEDS_MODE. */
static bool needs_mode(int flags)
{
	return (flags & O_CREAT) || (flags & __O_TMPFILE) == __O_TMPFILE;
}

#define MODE_ARG(flags)                                                        \
	({                                                                     \
		mode_t m_ = 0;                                                 \
		if (needs_mode(flags)) {                                       \
			va_list ap_;                                           \
			va_start(ap_, flags);                                  \
			m_ = (mode_t)va_arg(ap_, int);                         \
			va_end(ap_);                                           \
		}                                                              \
		m_;                                                            \
	})

SHIM_EXPORT int open(const char *path, int flags, ...)
{
	return shim_open_family("open", AT_FDCWD, path, flags, MODE_ARG(flags));
}

SHIM_EXPORT int open64(const char *path, int flags, ...)
{
	return shim_open_family("open64", AT_FDCWD, path, flags, MODE_ARG(flags));
}

SHIM_EXPORT int openat(int dirfd, const char *path, int flags, ...)
{
	return shim_open_family("openat", dirfd, path, flags, MODE_ARG(flags));
}

SHIM_EXPORT int openat64(int dirfd, const char *path, int flags, ...)
{
	return shim_open_family("openat64", dirfd, path, flags, MODE_ARG(flags));
}

SHIM_EXPORT int creat(const char *path, mode_t mode)
{
	return shim_open_family("creat", AT_FDCWD, path, O_CREAT | O_WRONLY | O_TRUNC, mode);
}

SHIM_EXPORT int creat64(const char *path, mode_t mode)
{
	return shim_open_family("creat64", AT_FDCWD, path, O_CREAT | O_WRONLY | O_TRUNC, mode);
}

/* FORTIFY builds call these with no mode: a creating open is the
 * program's bug, and glibc's own __open_2 aborts on it. Let it. */
#define fortify_check(fn, ...)                                                 \
	do {                                                                   \
		if (needs_mode(flags)) {                                       \
			__typeof__(&fn) f_ = REAL(fn);                         \
			if (f_)                                                \
				f_(__VA_ARGS__);                               \
			abort();                                               \
		}                                                              \
	} while (0)

SHIM_EXPORT int __open_2(const char *path, int flags)
{
	fortify_check(__open_2, path, flags);
	return shim_open_family("__open_2", AT_FDCWD, path, flags, 0);
}

SHIM_EXPORT int __open64_2(const char *path, int flags)
{
	fortify_check(__open64_2, path, flags);
	return shim_open_family("__open64_2", AT_FDCWD, path, flags, 0);
}

SHIM_EXPORT int __openat_2(int dirfd, const char *path, int flags)
{
	fortify_check(__openat_2, dirfd, path, flags);
	return shim_open_family("__openat_2", dirfd, path, flags, 0);
}

SHIM_EXPORT int __openat64_2(int dirfd, const char *path, int flags)
{
	fortify_check(__openat64_2, dirfd, path, flags);
	return shim_open_family("__openat64_2", dirfd, path, flags, 0);
}

/*
 * fopen's mode string as glibc reads it: r, w or a, then up to six of
 * "+xbmce" until a ','. FDMODE gets what fdopen needs to know.
 */
static int stdio_flags(const char *mode, char fdmode[4])
{
	int flags, acc;

	switch (mode[0]) {
	case 'r':
		acc = O_RDONLY;
		flags = 0;
		break;
	case 'w':
		acc = O_WRONLY;
		flags = O_CREAT | O_TRUNC;
		break;
	case 'a':
		acc = O_WRONLY;
		flags = O_CREAT | O_APPEND;
		break;
	default:
		return -EINVAL;
	}
	fdmode[0] = mode[0];
	fdmode[1] = '\0';
	for (int i = 1; i < 7 && mode[i] && mode[i] != ','; i++) {
		switch (mode[i]) {
		case '+':
			acc = O_RDWR;
			fdmode[1] = '+';
			fdmode[2] = '\0';
			break;
		case 'x':
			flags |= O_EXCL;
			break;
		case 'e':
			flags |= O_CLOEXEC;
			break;
		default:
			break;
		}
	}
	return acc | flags;
}

/* Open for stdio under a root. A FILE * result, NULL with errno, or
 * (FILE *)-1 when the real call must do it. */
#define STDIO_PASS ((void *)-1)

static void *stdio_open(const char *name, const char *path, const char *mode, int extra,
                        int *fdp, char fdmode[4])
{
	struct shim_call c;
	long r;
	int flags;

	shim_init();
	if (!mode)
		return STDIO_PASS;
	flags = stdio_flags(mode, fdmode);
	if (flags < 0) {
		errno = EINVAL;
		return NULL;
	}
	flags |= extra;
	switch (shim_classify(&c, name, AT_FDCWD, path, open_is_write(flags) ? OP_WRITE : OP_READ)) {
	case W_DENIED:
		errno = c.err;
		return NULL;
	case W_ROOT:
		r = shim_verdict(&c, beneath_open(&c.root.h, c.rest, flags, 0666,
		                                  c.rflags | BENEATH_CLOEXEC_AS_GIVEN));
		shim_done(&c);
		if (r == SHIM_PASS)
			return STDIO_PASS;
		r = shim_track_new(r, c.rindex);
		if (r < 0) {
			errno = (int)-r;
			return NULL;
		}
		*fdp = (int)r;
		return NULL;
	case W_PASS:
		break;
	}
	return STDIO_PASS;
}

/* Before dlsym can answer: fopen is open plus fdopen. */
static FILE *fopen_raw(const char *path, const char *mode)
{
	char fdmode[4];
	int flags = stdio_flags(mode, fdmode), fd;
	FILE *f;

	if (flags < 0) {
		errno = EINVAL;
		return NULL;
	}
	fd = (int)shim_ret(bsys_openat(AT_FDCWD, path, flags, 0666));
	if (fd < 0)
		return NULL;
	f = fdopen(fd, fdmode);
	if (!f)
		bsys_close(fd);
	return f;
}

/* Close our fd FD; the stream F (if any) has the same file open again. */
static void forget_close(int fd, FILE *f)
{
	if (f)
		shim_fd_track(fileno(f), shim_fd_root(fd));
	shim_fd_track(fd, -1);
	bsys_close(fd);
}

static FILE *fopen_common(const char *name, const char *path, const char *mode)
{
	char fdmode[4];
	int fd = -1;
	void *p = stdio_open(name, path, mode, 0, &fd, fdmode);
	FILE *f;

	if (p == STDIO_PASS) {
		FILE *(*fn)(const char *, const char *) = REAL(fopen);
		return fn ? fn(path, mode) : fopen_raw(path, mode);
	}
	if (fd < 0)
		return NULL;
	if (strchr(mode, ',')) {
		/* ",ccs=": only fopen sets up the conversion; let it open
		 * our file again through its /proc link (no lookup by name). */
		FILE *(*fn)(const char *, const char *) = REAL(fopen);
		char proc[32], nomode[64];
		size_t n = 0;

		for (const char *m = mode; *m && n < sizeof(nomode) - 1; m++)
			if (*m != 'x')
				nomode[n++] = *m;
		nomode[n] = '\0';
		shim_proc_path(proc, fd);
		f = fn ? fn(proc, nomode) : NULL;
	} else {
		f = fdopen(fd, fdmode);
		if (f)
			return f;
	}
	{
		int e = errno;
		forget_close(fd, f);
		errno = e;
	}
	return f;
}

SHIM_EXPORT FILE *fopen(const char *path, const char *mode)
{
	return fopen_common("fopen", path, mode);
}

SHIM_EXPORT FILE *fopen64(const char *path, const char *mode)
{
	return fopen_common("fopen64", path, mode);
}

/*
 * freopen under a root: open the file beneath the root, then have stdio
 * reopen that very file through its /proc/self/fd link (a jump to the
 * open file, no lookup by name), without O_EXCL, which our open did.
 */
static FILE *freopen_common(const char *name, const char *path, const char *mode, FILE *stream)
{
	FILE *(*fn)(const char *, const char *, FILE *) = REAL(freopen);
	char fdmode[4], proc[32], nomode[64];
	int fd = -1, n = 0, e;
	void *p;
	FILE *f;

	if (!path || !fn)
		return fn ? fn(path, mode, stream) : (errno = ENOSYS, NULL);
	p = stdio_open(name, path, mode, 0, &fd, fdmode);
	if (p == STDIO_PASS) {
		f = fn(path, mode, stream);
		if (f)
			shim_fd_track(fileno(f), -1);
		return f;
	}
	if (fd < 0) {
		e = errno;
		fclose(stream);
		errno = e;
		return NULL;
	}
	shim_proc_path(proc, fd);
	for (int i = 0; mode[i]; i++) {
		if (n == (int)sizeof(nomode) - 1) {
			forget_close(fd, NULL);
			fclose(stream);
			errno = EINVAL;
			return NULL;
		}
		if (mode[i] != 'x')
			nomode[n++] = mode[i];
	}
	nomode[n] = '\0';
	f = fn(proc, nomode, stream);
	e = errno;
	forget_close(fd, f);
	errno = e;
	return f;
}

SHIM_EXPORT FILE *freopen(const char *path, const char *mode, FILE *stream)
{
	return freopen_common("freopen", path, mode, stream);
}

SHIM_EXPORT FILE *freopen64(const char *path, const char *mode, FILE *stream)
{
	return freopen_common("freopen64", path, mode, stream);
}

SHIM_EXPORT DIR *opendir(const char *path)
{
	struct shim_call c;
	DIR *(*fn)(const char *);
	DIR *d;
	long r;

	shim_init();
	switch (shim_classify(&c, "opendir", AT_FDCWD, path, OP_READ)) {
	case W_DENIED:
		errno = c.err;
		return NULL;
	case W_ROOT:
		r = shim_verdict(&c, beneath_open(&c.root.h, c.rest,
		                                  O_RDONLY | O_NONBLOCK | O_DIRECTORY | O_CLOEXEC,
		                                  0, c.rflags));
		shim_done(&c);
		if (r == SHIM_PASS)
			break;
		r = shim_track_new(r, c.rindex);
		if (r < 0) {
			errno = (int)-r;
			return NULL;
		}
		d = fdopendir((int)r);
		if (!d) {
			int e = errno;
			bsys_close((int)r);
			errno = e;
		}
		return d;
	case W_PASS:
		break;
	}
	fn = REAL(opendir);
	if (fn) {
		d = fn(path);
		if (d)
			shim_fd_track(dirfd(d), -1);
		return d;
	}
	r = bsys_openat(AT_FDCWD, path, O_RDONLY | O_NONBLOCK | O_DIRECTORY | O_CLOEXEC, 0);
	if (r < 0) {
		errno = (int)-r;
		return NULL;
	}
	d = fdopendir((int)r);
	if (!d)
		bsys_close((int)r);
	return d;
}
