/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * tests/shim-probe: call the libc entry points that libbeneath-preload.so
 * interposes, directly (never through a utility), and print one line per
 * call:
 *
 *     NAME ARG... RESULT
 *
 * RESULT is "ok", or "ok:DETAIL" (what was read: file contents, a link
 * target, a stat summary, directory entries), or the errno name of the
 * failure (EACCES, EROFS, ...). Whitespace and control bytes in DETAIL
 * become '_', so a line always splits on spaces. tests/test-shim.sh
 * compares these lines with and without the shim.
 *
 * usage: shim-probe OP ARG...
 *
 * OP is one entry point (see the table at the end; optional arguments in
 * brackets there), or a family that calls many of them on one path:
 *
 *   read FILE      every call that reads and follows the last symlink
 *   write FILE     every call that changes the object and follows
 *   lread LINK     every call that reads the last component itself
 *   lwrite LINK    every call that changes the last component itself
 *   readdir DIR    opendir, open(O_DIRECTORY)
 *   mutate DIR     create, link, rename and remove names in DIR
 *   follow FILE    read, then write
 *   inherit FILE   the open calls, saying whether the fd is close-on-exec
 *   all DIR        read DIR/f, readdir DIR/d, lread DIR/l, write DIR/f,
 *                  lwrite DIR/l, mutate DIR
 *
 * The program is built three ways by Makefile.am: plain; with -O2
 * -D_FORTIFY_SOURCE=2, where open(path, flags) with variable flags and no
 * mode compiles to __open_2 and readlink() into a buffer of known size to
 * __readlink_chk; and with -D_FILE_OFFSET_BITS=64 as well, where open,
 * stat, fopen, truncate ... compile to their *64 names. The names that no
 * glibc 2.36 header declares (__xstat, __xmknod, ...) and the fortify
 * names themselves are called through dlsym(RTLD_DEFAULT), which finds
 * the preloaded definition first, or through dlvsym with the old symbol
 * version, as a binary linked against an old glibc would bind them.
 *
 * The probe exits 0 whatever the calls return; 2 on a usage error.
 */
#include <dirent.h>
#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/statvfs.h>
#include <sys/time.h>
#include <sys/types.h>
#include <sys/xattr.h>
#include <unistd.h>
#include <utime.h>
#include <wchar.h>

#define NELEM(a) (sizeof(a) / sizeof((a)[0]))
#define MAXARGS 4

/* The detail of a successful call, printed after "ok:". */
static char detail[1024];

/* Values the optimiser must not see: the fortified wrappers pick
 * __open_2 and __readlink_chk only for non-constant arguments. */
static volatile size_t opaque_len;

static void set_detail(const char *s, size_t n)
{
	size_t i;

	if (n >= sizeof(detail))
		n = sizeof(detail) - 1;
	for (i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];
		detail[i] = (c <= ' ' || c >= 0x7f) ? '_' : (char)c;
	}
	detail[n] = '\0';
}

static void add_detail(const char *s)
{
	size_t len = strlen(detail);

	if (len + 1 < sizeof(detail))
		snprintf(detail + len, sizeof(detail) - len, "%s", s);
	for (size_t i = len; detail[i]; i++)
		if ((unsigned char)detail[i] <= ' ' || (unsigned char)detail[i] >= 0x7f)
			detail[i] = '_';
}

/* ------------------------------------------------------------------ */
/* Arguments                                                          */
/* ------------------------------------------------------------------ */

static bool has(char **a, int n, const char *word)
{
	for (int i = 0; i < n; i++)
		if (a[i] && strcmp(a[i], word) == 0)
			return true;
	return false;
}

/* Set by the letter i: say whether the fd is close-on-exec. */
static bool report_cloexec;

/* open(2) flags from letters: r (default) w b(oth) a(ppend) c(reat)
 * x t(runc) d(irectory) p(ath) n(ofollow) e (O_CLOEXEC); and i, which is
 * no flag: report whether the fd would be inherited across exec. */
static int open_flags(const char *s)
{
	int acc = O_RDONLY, fl = 0;

	report_cloexec = false;
	for (; s && *s; s++) {
		switch (*s) {
		case 'r': acc = O_RDONLY; break;
		case 'w': acc = O_WRONLY; break;
		case 'b': acc = O_RDWR; break;
		case 'a': acc = O_WRONLY; fl |= O_APPEND; break;
		case 'c': fl |= O_CREAT; break;
		case 'x': fl |= O_EXCL; break;
		case 't': fl |= O_TRUNC; break;
		case 'd': fl |= O_DIRECTORY; break;
		case 'p': fl |= O_PATH; break;
		case 'n': fl |= O_NOFOLLOW; break;
		case 'e': fl |= O_CLOEXEC; break;
		case 'i': report_cloexec = true; break;
		default: break;
		}
	}
	return acc | fl;
}

static bool needs_mode(int flags)
{
	return (flags & O_CREAT) || (flags & O_TMPFILE) == O_TMPFILE;
}

static const char *type_name(mode_t m)
{
	switch (m & S_IFMT) {
	case S_IFREG: return "f";
	case S_IFDIR: return "d";
	case S_IFLNK: return "l";
	case S_IFIFO: return "p";
	case S_IFCHR: return "c";
	case S_IFBLK: return "b";
	case S_IFSOCK: return "s";
	default: return "?";
	}
}

static void stat_detail(mode_t mode, long long size, unsigned uid, unsigned nlink)
{
	char b[128];

	/* A directory's size depends on the file system's history, not on
	 * what the call could see: leave it out. */
	if (S_ISDIR(mode))
		snprintf(b, sizeof(b), "%s,m%04o,u%u", type_name(mode), (unsigned)(mode & 07777), uid);
	else
		snprintf(b, sizeof(b), "%s,m%04o,s%lld,u%u,n%u", type_name(mode),
		         (unsigned)(mode & 07777), size, uid, nlink);
	add_detail(b);
}

/* The old ABI names: no header declares them any more. dlsym finds a
 * preloaded unversioned definition; glibc's own are compat symbols,
 * found only by their version. */
static void *sym(const char *name)
{
	static const char *const versions[] = { "GLIBC_2.2.5", "GLIBC_2.4", "GLIBC_2.3.4",
		                                "GLIBC_2.7", "GLIBC_2.33" };
	void *p = dlsym(RTLD_DEFAULT, name);

	for (size_t i = 0; !p && i < NELEM(versions); i++)
		p = dlvsym(RTLD_DEFAULT, name, versions[i]);
	return p;
}

#define SYM(var, name)                                                         \
	do {                                                                   \
		*(void **)&(var) = sym(name);                                  \
		if (!(var)) {                                                  \
			errno = ENOSYS;                                        \
			return -1;                                             \
		}                                                              \
	} while (0)

/* After a successful open: read what can be read, write what can be
 * written, and describe it. */
static int use_fd(int fd, int flags)
{
	char buf[128];
	ssize_t n;
	int e;

	if (report_cloexec) {
		int fdfl = fcntl(fd, F_GETFD);

		add_detail(fdfl < 0 ? "F_GETFD-failed" : (fdfl & FD_CLOEXEC) ? "cloexec" : "inherit");
		close(fd);
		return 0;
	}
	if (flags & (O_PATH | O_DIRECTORY)) {
		close(fd);
		return 0;
	}
	if ((flags & O_ACCMODE) == O_RDONLY || (flags & O_ACCMODE) == O_RDWR) {
		n = read(fd, buf, sizeof(buf) - 1);
		if (n < 0) {
			e = errno;
			close(fd);
			errno = e;
			return -1;
		}
		set_detail(buf, (size_t)n);
	}
	if ((flags & O_ACCMODE) == O_WRONLY || (flags & O_ACCMODE) == O_RDWR) {
		if (write(fd, "X", 1) != 1) {
			e = errno;
			close(fd);
			errno = e;
			return -1;
		}
		add_detail(detail[0] ? ",wrote" : "wrote");
	}
	close(fd);
	return 0;
}

static int use_file(FILE *f, const char *mode)
{
	char buf[128];
	size_t n;

	/* A ",ccs=" mode asks for a wide stream: say whether it is one, and
	 * do not read (glibc's freopen leaves such a stream unusable). */
	if (strstr(mode, "ccs=")) {
		add_detail(fwide(f, 0) > 0 ? "wide" : "narrow");
	} else if (mode[0] == 'r' && !strchr(mode, '+')) {
		n = fread(buf, 1, sizeof(buf) - 1, f);
		set_detail(buf, n);
	} else {
		fputs("Y", f);
		add_detail("wrote");
	}
	if (fclose(f) != 0)
		return -1;
	return 0;
}

/* ------------------------------------------------------------------ */
/* The open family                                                    */
/* ------------------------------------------------------------------ */

static int op_open(char **a, int n)
{
	int fl = open_flags(n > 1 ? a[1] : NULL);
	int fd = needs_mode(fl) ? open(a[0], fl, 0644) : open(a[0], fl);

	return fd < 0 ? -1 : use_fd(fd, fl);
}

static int op_open64(char **a, int n)
{
	int fl = open_flags(n > 1 ? a[1] : NULL);
	int fd = needs_mode(fl) ? open64(a[0], fl, 0644) : open64(a[0], fl);

	return fd < 0 ? -1 : use_fd(fd, fl);
}

static int op_openat(char **a, int n)
{
	int fl = open_flags(n > 1 ? a[1] : NULL);
	int fd = needs_mode(fl) ? openat(AT_FDCWD, a[0], fl, 0644) : openat(AT_FDCWD, a[0], fl);

	return fd < 0 ? -1 : use_fd(fd, fl);
}

static int op_openat64(char **a, int n)
{
	int fl = open_flags(n > 1 ? a[1] : NULL);
	int fd = needs_mode(fl) ? openat64(AT_FDCWD, a[0], fl, 0644)
	                        : openat64(AT_FDCWD, a[0], fl);

	return fd < 0 ? -1 : use_fd(fd, fl);
}

static int op_creat(char **a, int n)
{
	int fd = creat(a[0], 0644);

	return fd < 0 ? -1 : use_fd(fd, O_WRONLY);
}

static int op_creat64(char **a, int n)
{
	int fd = creat64(a[0], 0644);

	return fd < 0 ? -1 : use_fd(fd, O_WRONLY);
}

/* __open_2 and friends take no mode: O_CREAT is refused here, as glibc
 * would abort. */
static int fortify_open(const char *name, bool at, char **a, int n)
{
	int fl = open_flags(n > 1 ? a[1] : NULL), fd;

	if (needs_mode(fl)) {
		errno = EINVAL;
		return -1;
	}
	if (at) {
		int (*fn)(int, const char *, int);
		SYM(fn, name);
		fd = fn(AT_FDCWD, a[0], fl);
	} else {
		int (*fn)(const char *, int);
		SYM(fn, name);
		fd = fn(a[0], fl);
	}
	return fd < 0 ? -1 : use_fd(fd, fl);
}

static int op___open_2(char **a, int n) { return fortify_open("__open_2", false, a, n); }
static int op___open64_2(char **a, int n) { return fortify_open("__open64_2", false, a, n); }
static int op___openat_2(char **a, int n) { return fortify_open("__openat_2", true, a, n); }
static int op___openat64_2(char **a, int n) { return fortify_open("__openat64_2", true, a, n); }

static const char *fmode(char **a, int n)
{
	return n > 1 ? a[1] : "r";
}

static int op_fopen(char **a, int n)
{
	FILE *f = fopen(a[0], fmode(a, n));

	return f ? use_file(f, fmode(a, n)) : -1;
}

static int op_fopen64(char **a, int n)
{
	FILE *f = fopen64(a[0], fmode(a, n));

	return f ? use_file(f, fmode(a, n)) : -1;
}

/* freopen needs a stream to reopen: a duplicate of stdout, so that
 * finding one makes no path call of its own. */
static FILE *spare_stream(void)
{
	int fd = dup(1);
	FILE *f = fd >= 0 ? fdopen(fd, "w") : NULL;

	if (!f && fd >= 0)
		close(fd);
	return f;
}

static int op_freopen(char **a, int n)
{
	FILE *s = spare_stream(), *f;

	if (!s)
		return -1;
	f = freopen(a[0], fmode(a, n), s);
	return f ? use_file(f, fmode(a, n)) : -1;
}

static int op_freopen64(char **a, int n)
{
	FILE *s = spare_stream(), *f;

	if (!s)
		return -1;
	f = freopen64(a[0], fmode(a, n), s);
	return f ? use_file(f, fmode(a, n)) : -1;
}

static int cmp_str(const void *x, const void *y)
{
	return strcmp(*(char *const *)x, *(char *const *)y);
}

static int op_opendir(char **a, int n)
{
	DIR *d = opendir(a[0]);
	struct dirent *e;
	char *names[256];
	size_t k = 0;

	if (!d)
		return -1;
	while ((e = readdir(d)) != NULL && k < NELEM(names)) {
		if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
			continue;
		names[k++] = strdup(e->d_name);
	}
	closedir(d);
	qsort(names, k, sizeof(names[0]), cmp_str);
	detail[0] = '\0';
	for (size_t i = 0; i < k; i++) {
		if (i)
			add_detail(",");
		add_detail(names[i] ? names[i] : "?");
		free(names[i]);
	}
	if (!k)
		add_detail("empty");
	return 0;
}

/* ------------------------------------------------------------------ */
/* stat, statx, statfs, statvfs, access                               */
/* ------------------------------------------------------------------ */

static int nofollow(char **a, int n)
{
	return has(a + 1, n - 1, "nofollow") ? AT_SYMLINK_NOFOLLOW : 0;
}

/* Flag words of the stat calls: nofollow, noautomount, and statx's
 * dontsync and forcesync. */
static int statx_flags(char **a, int n)
{
	int fl = nofollow(a, n);

	if (has(a + 1, n - 1, "dontsync"))
		fl |= AT_STATX_DONT_SYNC;
	if (has(a + 1, n - 1, "forcesync"))
		fl |= AT_STATX_FORCE_SYNC;
	if (has(a + 1, n - 1, "noautomount"))
		fl |= AT_NO_AUTOMOUNT;
	return fl;
}

#define STAT_OP(opname, call, type)                                            \
	static int opname(char **a, int n)                                     \
	{                                                                      \
		type st;                                                       \
		if ((call) < 0)                                                \
			return -1;                                             \
		stat_detail(st.st_mode, (long long)st.st_size, (unsigned)st.st_uid, \
		            (unsigned)st.st_nlink);                            \
		return 0;                                                      \
	}

STAT_OP(op_stat, stat(a[0], &st), struct stat)
STAT_OP(op_stat64, stat64(a[0], &st), struct stat64)
STAT_OP(op_lstat, lstat(a[0], &st), struct stat)
STAT_OP(op_lstat64, lstat64(a[0], &st), struct stat64)
STAT_OP(op_fstatat, fstatat(AT_FDCWD, a[0], &st, statx_flags(a, n)), struct stat)
STAT_OP(op_fstatat64, fstatat64(AT_FDCWD, a[0], &st, statx_flags(a, n)), struct stat64)

/* _STAT_VER_LINUX on x86_64. */
#define STAT_VER 1

static int xstat_op(const char *name, char **a, int n, bool at)
{
	struct stat st;
	int r;

	if (at) {
		int (*fn)(int, int, const char *, struct stat *, int);
		SYM(fn, name);
		r = fn(STAT_VER, AT_FDCWD, a[0], &st, nofollow(a, n));
	} else {
		int (*fn)(int, const char *, struct stat *);
		SYM(fn, name);
		r = fn(STAT_VER, a[0], &st);
	}
	if (r < 0)
		return -1;
	stat_detail(st.st_mode, (long long)st.st_size, (unsigned)st.st_uid, (unsigned)st.st_nlink);
	return 0;
}

static int op___xstat(char **a, int n) { return xstat_op("__xstat", a, n, false); }
static int op___xstat64(char **a, int n) { return xstat_op("__xstat64", a, n, false); }
static int op___lxstat(char **a, int n) { return xstat_op("__lxstat", a, n, false); }
static int op___lxstat64(char **a, int n) { return xstat_op("__lxstat64", a, n, false); }
static int op___fxstatat(char **a, int n) { return xstat_op("__fxstatat", a, n, true); }
static int op___fxstatat64(char **a, int n) { return xstat_op("__fxstatat64", a, n, true); }

static int op_statx(char **a, int n)
{
	struct statx stx;

	if (statx(AT_FDCWD, a[0], statx_flags(a, n), STATX_BASIC_STATS, &stx) < 0)
		return -1;
	stat_detail(stx.stx_mode, (long long)stx.stx_size, stx.stx_uid, stx.stx_nlink);
	return 0;
}

static int op_statfs(char **a, int n)
{
	struct statfs s;
	char b[32];

	if (statfs(a[0], &s) < 0)
		return -1;
	snprintf(b, sizeof(b), "t%lx", (unsigned long)s.f_type);
	add_detail(b);
	return 0;
}

static int op_statfs64(char **a, int n)
{
	struct statfs64 s;
	char b[32];

	if (statfs64(a[0], &s) < 0)
		return -1;
	snprintf(b, sizeof(b), "t%lx", (unsigned long)s.f_type);
	add_detail(b);
	return 0;
}

static int op_statvfs(char **a, int n)
{
	struct statvfs s;
	char b[32];

	if (statvfs(a[0], &s) < 0)
		return -1;
	snprintf(b, sizeof(b), "n%lu", (unsigned long)s.f_namemax);
	add_detail(b);
	return 0;
}

static int op_statvfs64(char **a, int n)
{
	struct statvfs64 s;
	char b[32];

	if (statvfs64(a[0], &s) < 0)
		return -1;
	snprintf(b, sizeof(b), "n%lu", (unsigned long)s.f_namemax);
	add_detail(b);
	return 0;
}

static int op_access(char **a, int n) { return access(a[0], R_OK); }
static int op_faccessat(char **a, int n) { return faccessat(AT_FDCWD, a[0], R_OK, nofollow(a, n)); }
static int op_euidaccess(char **a, int n) { return euidaccess(a[0], R_OK); }
static int op_eaccess(char **a, int n) { return eaccess(a[0], R_OK); }

/* ------------------------------------------------------------------ */
/* Remove, rename, create                                             */
/* ------------------------------------------------------------------ */

static int op_unlink(char **a, int n) { return unlink(a[0]); }
static int op_unlinkat(char **a, int n)
{
	return unlinkat(AT_FDCWD, a[0], has(a + 1, n - 1, "dir") ? AT_REMOVEDIR : 0);
}
static int op_rmdir(char **a, int n) { return rmdir(a[0]); }
static int op_remove(char **a, int n) { return remove(a[0]); }
static int op_rename(char **a, int n) { return rename(a[0], a[1]); }
static int op_renameat(char **a, int n) { return renameat(AT_FDCWD, a[0], AT_FDCWD, a[1]); }
static int op_renameat2(char **a, int n)
{
	unsigned int fl = 0;

	if (has(a + 2, n - 2, "noreplace"))
		fl |= RENAME_NOREPLACE;
	if (has(a + 2, n - 2, "exchange"))
		fl |= RENAME_EXCHANGE;
	return renameat2(AT_FDCWD, a[0], AT_FDCWD, a[1], fl);
}

static int op_mkdir(char **a, int n) { return mkdir(a[0], 0755); }
static int op_mkdirat(char **a, int n) { return mkdirat(AT_FDCWD, a[0], 0755); }
static int op_mknod(char **a, int n) { return mknod(a[0], S_IFREG | 0644, 0); }
static int op_mknodat(char **a, int n) { return mknodat(AT_FDCWD, a[0], S_IFREG | 0644, 0); }
static int op_mkfifo(char **a, int n) { return mkfifo(a[0], 0644); }
static int op_mkfifoat(char **a, int n) { return mkfifoat(AT_FDCWD, a[0], 0644); }

/* _MKNOD_VER_LINUX */
static int op___xmknod(char **a, int n)
{
	int (*fn)(int, const char *, mode_t, dev_t *);
	dev_t dev = 0;

	SYM(fn, "__xmknod");
	return fn(0, a[0], S_IFREG | 0644, &dev);
}

static int op___xmknodat(char **a, int n)
{
	int (*fn)(int, int, const char *, mode_t, dev_t *);
	dev_t dev = 0;

	SYM(fn, "__xmknodat");
	return fn(0, AT_FDCWD, a[0], S_IFREG | 0644, &dev);
}

static int op_link(char **a, int n) { return link(a[0], a[1]); }
static int op_linkat(char **a, int n)
{
	return linkat(AT_FDCWD, a[0], AT_FDCWD, a[1],
	              has(a + 2, n - 2, "follow") ? AT_SYMLINK_FOLLOW : 0);
}
static int op_symlink(char **a, int n) { return symlink(a[0], a[1]); }
static int op_symlinkat(char **a, int n) { return symlinkat(a[0], AT_FDCWD, a[1]); }

/* ------------------------------------------------------------------ */
/* Change an object                                                   */
/* ------------------------------------------------------------------ */

static long long num(char **a, int n, int i, long long dflt, int base)
{
	char *end;
	long long v;

	if (i >= n || !a[i] || strcmp(a[i], "nofollow") == 0)
		return dflt;
	v = strtoll(a[i], &end, base);
	return *end ? dflt : v;
}

static int op_truncate(char **a, int n) { return truncate(a[0], (off_t)num(a, n, 1, 100, 10)); }
static int op_truncate64(char **a, int n)
{
	return truncate64(a[0], (off64_t)num(a, n, 1, 200, 10));
}
static int op_chmod(char **a, int n) { return chmod(a[0], (mode_t)num(a, n, 1, 0600, 8)); }
static int op_fchmodat(char **a, int n)
{
	return fchmodat(AT_FDCWD, a[0], (mode_t)num(a, n, 1, 0640, 8), nofollow(a, n));
}
static int op_lchmod(char **a, int n) { return lchmod(a[0], (mode_t)num(a, n, 1, 0700, 8)); }

static uid_t uid_arg(char **a, int n) { return (uid_t)num(a, n, 1, (long long)getuid(), 10); }
static gid_t gid_arg(char **a, int n) { return (gid_t)num(a, n, 2, (long long)getgid(), 10); }

static int op_chown(char **a, int n) { return chown(a[0], uid_arg(a, n), gid_arg(a, n)); }
static int op_lchown(char **a, int n) { return lchown(a[0], uid_arg(a, n), gid_arg(a, n)); }
static int op_fchownat(char **a, int n)
{
	return fchownat(AT_FDCWD, a[0], getuid(), getgid(), nofollow(a, n));
}

/* Fixed times, far in the past: a change is visible. */
static int op_utime(char **a, int n)
{
	struct utimbuf ub = { .actime = 1000000000, .modtime = 1000000001 };

	return utime(a[0], &ub);
}

static const struct timeval tv_fixed[2] = { { 1000000002, 0 }, { 1000000003, 0 } };
static int op_utimes(char **a, int n) { return utimes(a[0], tv_fixed); }
static int op_lutimes(char **a, int n) { return lutimes(a[0], tv_fixed); }
static int op_futimesat(char **a, int n) { return futimesat(AT_FDCWD, a[0], tv_fixed); }
static int op_utimensat(char **a, int n)
{
	const struct timespec ts[2] = { { 1000000004, 0 }, { 1000000005, 0 } };

	return utimensat(AT_FDCWD, a[0], ts, nofollow(a, n));
}

/* ------------------------------------------------------------------ */
/* readlink                                                           */
/* ------------------------------------------------------------------ */

static int link_detail(ssize_t r, const char *buf)
{
	if (r < 0)
		return -1;
	set_detail(buf, (size_t)r);
	return 0;
}

/* A buffer of known size and a length the compiler cannot see: with
 * _FORTIFY_SOURCE these are __readlink_chk and __readlinkat_chk. */
static size_t len_arg(char **a, int n, size_t max)
{
	long long v = n > 1 ? strtoll(a[1], NULL, 10) : (long long)max;

	return v < 0 || (size_t)v > max ? max : (size_t)v;
}

static int op_readlink(char **a, int n)
{
	char buf[512];

	opaque_len = len_arg(a, n, sizeof(buf));
	return link_detail(readlink(a[0], buf, opaque_len), buf);
}

static int op_readlinkat(char **a, int n)
{
	char buf[512];

	opaque_len = len_arg(a, n, sizeof(buf));
	return link_detail(readlinkat(AT_FDCWD, a[0], buf, opaque_len), buf);
}

static int op___readlink_chk(char **a, int n)
{
	ssize_t (*fn)(const char *, char *, size_t, size_t);
	char buf[512];

	SYM(fn, "__readlink_chk");
	return link_detail(fn(a[0], buf, len_arg(a, n, sizeof(buf)), sizeof(buf)), buf);
}

static int op___readlinkat_chk(char **a, int n)
{
	ssize_t (*fn)(int, const char *, char *, size_t, size_t);
	char buf[512];

	SYM(fn, "__readlinkat_chk");
	return link_detail(fn(AT_FDCWD, a[0], buf, len_arg(a, n, sizeof(buf)), sizeof(buf)), buf);
}

/* ------------------------------------------------------------------ */
/* Extended attributes                                                */
/* ------------------------------------------------------------------ */

static const char *xname(char **a, int n)
{
	return n > 1 ? a[1] : "user.beneath";
}

static const char *xvalue(char **a, int n)
{
	return n > 2 ? a[2] : "probe";
}

/* A size of 0 asks for the length only. */
static int size_detail(ssize_t r, char *buf, size_t size)
{
	char b[32];

	if (r < 0)
		return -1;
	if (size) {
		set_detail(buf, (size_t)r);
		return 0;
	}
	snprintf(b, sizeof(b), "len=%zd", r);
	add_detail(b);
	return 0;
}

static size_t xsize(char **a, int n, size_t max)
{
	return n > 2 ? (size_t)strtoull(a[2], NULL, 10) % (max + 1) : max;
}

static int op_getxattr(char **a, int n)
{
	char buf[256];
	size_t size = xsize(a, n, sizeof(buf));

	return size_detail(getxattr(a[0], xname(a, n), size ? buf : NULL, size), buf, size);
}

static int op_lgetxattr(char **a, int n)
{
	char buf[256];
	size_t size = xsize(a, n, sizeof(buf));

	return size_detail(lgetxattr(a[0], xname(a, n), size ? buf : NULL, size), buf, size);
}

static int list_detail(ssize_t r, char *buf)
{
	char *names[64];
	size_t k = 0;

	if (r < 0)
		return -1;
	for (ssize_t i = 0; i < r && k < NELEM(names); i += (ssize_t)strlen(buf + i) + 1)
		names[k++] = buf + i;
	qsort(names, k, sizeof(names[0]), cmp_str);
	detail[0] = '\0';
	for (size_t i = 0; i < k; i++) {
		if (i)
			add_detail(",");
		add_detail(names[i]);
	}
	if (!k)
		add_detail("none");
	return 0;
}

static int op_listxattr(char **a, int n)
{
	char buf[1024];

	if (n > 1 && strcmp(a[1], "0") == 0)
		return size_detail(listxattr(a[0], NULL, 0), buf, 0);
	return list_detail(listxattr(a[0], buf, sizeof(buf)), buf);
}

static int op_llistxattr(char **a, int n)
{
	char buf[1024];

	if (n > 1 && strcmp(a[1], "0") == 0)
		return size_detail(llistxattr(a[0], NULL, 0), buf, 0);
	return list_detail(llistxattr(a[0], buf, sizeof(buf)), buf);
}

static int op_setxattr(char **a, int n)
{
	return setxattr(a[0], xname(a, n), xvalue(a, n), strlen(xvalue(a, n)), 0);
}

static int op_lsetxattr(char **a, int n)
{
	return lsetxattr(a[0], xname(a, n), xvalue(a, n), strlen(xvalue(a, n)), 0);
}

static int op_removexattr(char **a, int n) { return removexattr(a[0], xname(a, n)); }
static int op_lremovexattr(char **a, int n) { return lremovexattr(a[0], xname(a, n)); }

/* ------------------------------------------------------------------ */
/* The table                                                          */
/* ------------------------------------------------------------------ */

struct op {
	const char *name;
	int min, max;   /* arguments */
	int (*fn)(char **a, int n);
	const char *usage;
};

#define OP(name, min, max, usage) { #name, min, max, op_##name, usage }

static const struct op ops[] = {
	OP(open, 1, 2, "PATH [FLAGS: r w b a c x t d p n e, i: report FD_CLOEXEC]"),
	OP(open64, 1, 2, "PATH [FLAGS]"),
	OP(openat, 1, 2, "PATH [FLAGS]"),
	OP(openat64, 1, 2, "PATH [FLAGS]"),
	OP(creat, 1, 1, "PATH"),
	OP(creat64, 1, 1, "PATH"),
	OP(__open_2, 1, 2, "PATH [FLAGS]"),
	OP(__open64_2, 1, 2, "PATH [FLAGS]"),
	OP(__openat_2, 1, 2, "PATH [FLAGS]"),
	OP(__openat64_2, 1, 2, "PATH [FLAGS]"),
	OP(fopen, 1, 2, "PATH [MODE]"),
	OP(fopen64, 1, 2, "PATH [MODE]"),
	OP(freopen, 1, 2, "PATH [MODE]"),
	OP(freopen64, 1, 2, "PATH [MODE]"),
	OP(opendir, 1, 1, "PATH"),
	OP(stat, 1, 1, "PATH"),
	OP(stat64, 1, 1, "PATH"),
	OP(lstat, 1, 1, "PATH"),
	OP(lstat64, 1, 1, "PATH"),
	OP(fstatat, 1, 3, "PATH [nofollow] [noautomount]"),
	OP(fstatat64, 1, 3, "PATH [nofollow] [noautomount]"),
	OP(__xstat, 1, 1, "PATH"),
	OP(__xstat64, 1, 1, "PATH"),
	OP(__lxstat, 1, 1, "PATH"),
	OP(__lxstat64, 1, 1, "PATH"),
	OP(__fxstatat, 1, 2, "PATH [nofollow]"),
	OP(__fxstatat64, 1, 2, "PATH [nofollow]"),
	OP(statx, 1, 4, "PATH [nofollow] [noautomount] [dontsync|forcesync]"),
	OP(statfs, 1, 1, "PATH"),
	OP(statfs64, 1, 1, "PATH"),
	OP(statvfs, 1, 1, "PATH"),
	OP(statvfs64, 1, 1, "PATH"),
	OP(access, 1, 1, "PATH"),
	OP(faccessat, 1, 2, "PATH [nofollow]"),
	OP(euidaccess, 1, 1, "PATH"),
	OP(eaccess, 1, 1, "PATH"),
	OP(unlink, 1, 1, "PATH"),
	OP(unlinkat, 1, 2, "PATH [dir]"),
	OP(rmdir, 1, 1, "PATH"),
	OP(remove, 1, 1, "PATH"),
	OP(rename, 2, 2, "OLD NEW"),
	OP(renameat, 2, 2, "OLD NEW"),
	OP(renameat2, 2, 3, "OLD NEW [noreplace|exchange]"),
	OP(mkdir, 1, 1, "PATH"),
	OP(mkdirat, 1, 1, "PATH"),
	OP(mknod, 1, 1, "PATH"),
	OP(mknodat, 1, 1, "PATH"),
	OP(__xmknod, 1, 1, "PATH"),
	OP(__xmknodat, 1, 1, "PATH"),
	OP(mkfifo, 1, 1, "PATH"),
	OP(mkfifoat, 1, 1, "PATH"),
	OP(link, 2, 2, "OLD NEW"),
	OP(linkat, 2, 3, "OLD NEW [follow]"),
	OP(symlink, 2, 2, "TARGET PATH"),
	OP(symlinkat, 2, 2, "TARGET PATH"),
	OP(truncate, 1, 2, "PATH [LENGTH]"),
	OP(truncate64, 1, 2, "PATH [LENGTH]"),
	OP(chmod, 1, 2, "PATH [OCTAL]"),
	OP(fchmodat, 1, 3, "PATH [OCTAL] [nofollow]"),
	OP(lchmod, 1, 2, "PATH [OCTAL]"),
	OP(chown, 1, 3, "PATH [UID [GID]]"),
	OP(lchown, 1, 3, "PATH [UID [GID]]"),
	OP(fchownat, 1, 2, "PATH [nofollow]"),
	OP(utime, 1, 1, "PATH"),
	OP(utimes, 1, 1, "PATH"),
	OP(lutimes, 1, 1, "PATH"),
	OP(futimesat, 1, 1, "PATH"),
	OP(utimensat, 1, 2, "PATH [nofollow]"),
	OP(readlink, 1, 2, "PATH [BUFSIZE]"),
	OP(readlinkat, 1, 2, "PATH [BUFSIZE]"),
	OP(__readlink_chk, 1, 2, "PATH [BUFSIZE]"),
	OP(__readlinkat_chk, 1, 2, "PATH [BUFSIZE]"),
	OP(getxattr, 1, 3, "PATH [NAME [SIZE]]"),
	OP(lgetxattr, 1, 3, "PATH [NAME [SIZE]]"),
	OP(setxattr, 1, 3, "PATH [NAME [VALUE]]"),
	OP(lsetxattr, 1, 3, "PATH [NAME [VALUE]]"),
	OP(listxattr, 1, 2, "PATH [0]"),
	OP(llistxattr, 1, 2, "PATH [0]"),
	OP(removexattr, 1, 2, "PATH [NAME]"),
	OP(lremovexattr, 1, 2, "PATH [NAME]"),
};

/*
 * Families: each step is "OP ARG...", '@' standing for the path given
 * (so "@/f" is PATH/f).
 */
static const char *const fam_read[] = {
	"open @", "open64 @", "openat @", "openat64 @",
	"__open_2 @", "__open64_2 @", "__openat_2 @", "__openat64_2 @",
	"fopen @ r", "fopen64 @ r", "freopen @ r", "freopen64 @ r",
	"stat @", "stat64 @", "fstatat @", "fstatat64 @",
	"__xstat @", "__xstat64 @", "__fxstatat @", "__fxstatat64 @", "statx @",
	"statfs @", "statfs64 @", "statvfs @", "statvfs64 @",
	"access @", "faccessat @", "euidaccess @", "eaccess @",
	"getxattr @ user.test", "listxattr @",
	NULL
};

static const char *const fam_write[] = {
	"open @ a", "open64 @ a", "openat @ a", "openat64 @ a",
	"__open_2 @ a", "__open64_2 @ a", "__openat_2 @ a", "__openat64_2 @ a",
	"open @ w", "open @ b", "open @ wt",
	"fopen @ a", "fopen64 @ a", "freopen @ a", "freopen64 @ a",
	"truncate @ 100", "truncate64 @ 200",
	"chmod @ 600", "fchmodat @ 640", "chown @", "fchownat @",
	"utime @", "utimes @", "utimensat @", "futimesat @",
	"setxattr @ user.beneath probe", "removexattr @ user.beneath",
	"creat @", "creat64 @",
	NULL
};

static const char *const fam_lread[] = {
	"lstat @", "lstat64 @", "__lxstat @", "__lxstat64 @",
	"fstatat @ nofollow", "fstatat64 @ nofollow",
	"__fxstatat @ nofollow", "__fxstatat64 @ nofollow", "statx @ nofollow",
	"faccessat @ nofollow", "open @ pn",
	"readlink @", "readlinkat @", "__readlink_chk @", "__readlinkat_chk @",
	"lgetxattr @ user.test", "llistxattr @",
	NULL
};

static const char *const fam_lwrite[] = {
	"lchown @", "fchownat @ nofollow", "lutimes @", "utimensat @ nofollow",
	"lchmod @ 700", "fchmodat @ 700 nofollow",
	"lsetxattr @ user.beneath probe", "lremovexattr @ user.beneath",
	NULL
};

static const char *const fam_readdir[] = {
	"opendir @", "open @ d",
	NULL
};

static const char *const fam_mutate[] = {
	"creat @/n1", "creat64 @/n2",
	"open @/n3 wcx", "open64 @/n4 wcx", "openat @/n5 wcx", "openat64 @/n6 wcx",
	"fopen @/n7 w", "fopen64 @/n8 w",
	"mkdir @/m1", "mkdirat @/m2", "mkdir @/m3",
	"mknod @/k1", "mknodat @/k2", "__xmknod @/k3", "__xmknodat @/k4",
	"mkfifo @/k5", "mkfifoat @/k6",
	"symlink n1 @/s1", "symlinkat n2 @/s2",
	"link @/n1 @/h1", "linkat @/n2 @/h2", "linkat @/s1 @/h3 follow",
	"rename @/h1 @/r1", "renameat @/h2 @/r2", "renameat2 @/n3 @/r3 noreplace",
	"rmdir @/m1", "unlinkat @/m2 dir", "remove @/m3", "remove @/k1", "unlinkat @/k2",
	"unlink @/n1", "unlinkat @/n2",
	NULL
};

static const char *const fam_inherit[] = {
	"open @ ri", "open64 @ ri", "openat @ ri", "openat64 @ ri",
	"__open_2 @ ri", "__open64_2 @ ri", "__openat_2 @ ri", "__openat64_2 @ ri",
	"open @ wi", "open @ wci", "open @ rei",
	NULL
};

struct family {
	const char *name;
	const char *const *steps[6];
	const char *sub[6];   /* appended to the path for each part, or NULL */
};

static const struct family families[] = {
	{ "read", { fam_read }, { NULL } },
	{ "write", { fam_write }, { NULL } },
	{ "lread", { fam_lread }, { NULL } },
	{ "lwrite", { fam_lwrite }, { NULL } },
	{ "readdir", { fam_readdir }, { NULL } },
	{ "mutate", { fam_mutate }, { NULL } },
	{ "follow", { fam_read, fam_write }, { NULL, NULL } },
	{ "inherit", { fam_inherit }, { NULL } },
	{ "all", { fam_read, fam_readdir, fam_lread, fam_write, fam_lwrite, fam_mutate },
	  { "/f", "/d", "/l", "/f", "/l", "" } },
};

static const struct op *find_op(const char *name)
{
	for (size_t i = 0; i < NELEM(ops); i++)
		if (strcmp(ops[i].name, name) == 0)
			return &ops[i];
	return NULL;
}

static const char *errname(int e)
{
	static char b[16];
	const char *s = strerrorname_np(e);

	if (s)
		return s;
	snprintf(b, sizeof(b), "E%d", e);
	return b;
}

/* Call OP with its N arguments and print the line. */
static void run(const struct op *op, char **a, int n)
{
	int r, e;

	detail[0] = '\0';
	report_cloexec = false;
	errno = 0;
	r = op->fn(a, n);
	e = errno;
	fputs(op->name, stdout);
	for (int i = 0; i < n; i++)
		printf(" %s", a[i]);
	if (r < 0)
		printf(" %s\n", errname(e));
	else if (detail[0])
		printf(" ok:%s\n", detail);
	else
		printf(" ok\n");
	fflush(stdout);
}

static void run_family(const struct family *f, const char *path)
{
	for (size_t part = 0; part < NELEM(f->steps) && f->steps[part]; part++) {
		char base[4096];

		snprintf(base, sizeof(base), "%s%s", path, f->sub[part] ? f->sub[part] : "");
		for (const char *const *s = f->steps[part]; *s; s++) {
			char words[4][4096], *a[MAXARGS];
			char step[256], *save = NULL, *w;
			const struct op *op;
			int n = 0;

			snprintf(step, sizeof(step), "%s", *s);
			op = find_op(strtok_r(step, " ", &save));
			if (!op)
				abort();
			while ((w = strtok_r(NULL, " ", &save)) != NULL && n < MAXARGS) {
				/* '@' is the path (the part's base). */
				snprintf(words[n], sizeof(words[n]), "%s%s",
				         w[0] == '@' ? base : "", w[0] == '@' ? w + 1 : w);
				a[n] = words[n];
				n++;
			}
			run(op, a, n);
		}
	}
}

static void usage(void)
{
	fputs("usage: shim-probe OP ARG...\n"
	      "families: read FILE | write FILE | lread LINK | lwrite LINK | readdir DIR |\n"
	      "          mutate DIR | follow FILE | inherit FILE | all DIR\n"
	      "entry points:\n", stderr);
	for (size_t i = 0; i < NELEM(ops); i++)
		fprintf(stderr, "  %s %s\n", ops[i].name, ops[i].usage);
}

int main(int argc, char **argv)
{
	const struct op *op;

	setvbuf(stdout, NULL, _IOLBF, 0);
	if (argc < 2) {
		usage();
		return 2;
	}
	for (size_t i = 0; i < NELEM(families); i++) {
		if (strcmp(argv[1], families[i].name) == 0) {
			if (argc != 3) {
				usage();
				return 2;
			}
			run_family(&families[i], argv[2]);
			return 0;
		}
	}
	op = find_op(argv[1]);
	if (!op || argc - 2 < op->min || argc - 2 > op->max) {
		usage();
		return 2;
	}
	run(op, argv + 2, argc - 2);
	return 0;
}
