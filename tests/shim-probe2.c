/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * tests/shim-probe2: the preload shim's part 2 core, called directly: the
 * working directory, directory fds and the *at calls, the shim's own fds,
 * AF_UNIX bind/connect, raw syscall() and the path queries. Like
 * tests/shim-probe it prints one line per call,
 *
 *     OP ARG... RESULT
 *
 * RESULT being "ok", "ok:DETAIL" or the errno name of the failure. Unlike
 * shim-probe it runs a script: the steps are separated by a ";" argument,
 * and they share state, so that a directory fd opened by one step is used
 * by the next:
 *
 *     shim-probe2 dopen s /srv/www/sub \; openat s ../../secret \; fchdir s
 *
 * Directory fds live in named variables ("s" above); the name "cwd" is
 * AT_FDCWD. fd numbers are never printed, so that a run under the shim
 * (whose own fds shift nothing below them) prints the same lines as a run
 * without it. The path "EMPTY" means "" with AT_EMPTY_PATH.
 *
 * "wait" prints "wait ok" and reads one line from stdin: the test script
 * moves a directory out of the root at that point.
 *
 * Families (as in shim-probe, '@' is the path given, after VAR):
 *   atread VAR FILE    every *at call that reads FILE
 *   atwrite VAR FILE   every *at call that changes FILE
 *   atlread VAR LINK   every *at call that reads LINK itself
 *   atdir VAR DIR      openat(O_DIRECTORY), scandirat
 *   atmutate VAR DIR   create, link, rename and remove names in DIR
 *   atall VAR DIR      atread DIR/f, atdir DIR/d, atlread DIR/l,
 *                      atwrite DIR/f, atmutate DIR
 *
 * Built three ways like shim-probe (plain, fortified, fortified with
 * 64-bit off_t): there openat with variable flags is __openat_2 (or
 * __openat64_2), readlinkat into a sized buffer __readlinkat_chk,
 * realpath into a PATH_MAX buffer __realpath_chk, scandirat scandirat64.
 *
 * The probe exits 0 whatever the calls return; 2 on a usage error.
 */
#include <dirent.h>
#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <linux/openat2.h>
#include <netinet/in.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/inotify.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/time.h>
#include <sys/types.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#define NELEM(a) (sizeof(a) / sizeof((a)[0]))
#define MAXARGS 6
#define MAXVARS 32
#define MAXSHIM 64

extern char **environ;

static char detail[2048];

static volatile size_t opaque_len;

static void add_detail(const char *s)
{
	size_t len = strlen(detail);

	if (len + 1 < sizeof(detail))
		snprintf(detail + len, sizeof(detail) - len, "%s", s);
	for (size_t i = len; detail[i]; i++)
		if ((unsigned char)detail[i] <= ' ' || (unsigned char)detail[i] >= 0x7f)
			detail[i] = '_';
}

static void set_detail_n(const char *s, size_t n)
{
	char b[1024];

	if (n >= sizeof(b))
		n = sizeof(b) - 1;
	memcpy(b, s, n);
	b[n] = '\0';
	/* A NUL inside (an abstract socket name) shows as '@'. */
	for (size_t i = 0; i < n; i++)
		if (b[i] == '\0')
			b[i] = '@';
	detail[0] = '\0';
	add_detail(b);
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

static bool has(char **a, int n, const char *word)
{
	for (int i = 0; i < n; i++)
		if (a[i] && strcmp(a[i], word) == 0)
			return true;
	return false;
}

static int cmp_str(const void *x, const void *y)
{
	return strcmp(*(char *const *)x, *(char *const *)y);
}

/* ------------------------------------------------------------------ */
/* Variables: named fds                                               */
/* ------------------------------------------------------------------ */

struct var {
	char name[16];
	int fd;
	DIR *dir;     /* when the fd came from opendir/fdopendir */
};

static struct var vars[MAXVARS];

/* The fds that were open, inheritable, when main() began: given by the
 * caller, never the shim's. */
static bool inherited[1024];

static struct var *var_find(const char *name)
{
	for (size_t i = 0; i < NELEM(vars); i++)
		if (vars[i].name[0] && strcmp(vars[i].name, name) == 0)
			return &vars[i];
	return NULL;
}

static struct var *var_new(const char *name)
{
	struct var *v = var_find(name);

	for (size_t i = 0; !v && i < NELEM(vars); i++)
		if (!vars[i].name[0])
			v = &vars[i];
	if (!v) {
		fputs("shim-probe2: too many variables\n", stderr);
		exit(2);
	}
	snprintf(v->name, sizeof(v->name), "%s", name);
	v->dir = NULL;
	v->fd = -1;
	return v;
}

/* The fd of variable NAME; AT_FDCWD for "cwd". -1 (EBADF) if unknown. */
static int fd_of(const char *name)
{
	struct var *v;

	if (strcmp(name, "cwd") == 0)
		return AT_FDCWD;
	v = var_find(name);
	return v ? v->fd : -1;
}

/* "EMPTY" is "", with AT_EMPTY_PATH added to the flags. */
static const char *pth(const char *p)
{
	return strcmp(p, "EMPTY") == 0 ? "" : p;
}

static int empty_flag(const char *p)
{
	return strcmp(p, "EMPTY") == 0 ? AT_EMPTY_PATH : 0;
}

static bool is_var_fd(int fd)
{
	for (size_t i = 0; i < NELEM(vars); i++)
		if (vars[i].name[0] && vars[i].fd == fd)
			return true;
	return false;
}

/* ------------------------------------------------------------------ */
/* Describing results                                                 */
/* ------------------------------------------------------------------ */

static int open_flags(const char *s)
{
	int acc = O_RDONLY, fl = 0;

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
		default: break;
		}
	}
	return acc | fl;
}

static const char *type_name(mode_t m)
{
	switch (m & S_IFMT) {
	case S_IFREG: return "f";
	case S_IFDIR: return "d";
	case S_IFLNK: return "l";
	case S_IFIFO: return "p";
	case S_IFSOCK: return "s";
	default: return "?";
	}
}

static void stat_detail(mode_t mode, long long size, unsigned uid, unsigned nlink)
{
	char b[128];

	if (S_ISDIR(mode))
		snprintf(b, sizeof(b), "%s,m%04o,u%u", type_name(mode), (unsigned)(mode & 07777), uid);
	else
		snprintf(b, sizeof(b), "%s,m%04o,s%lld,u%u,n%u", type_name(mode),
		         (unsigned)(mode & 07777), size, uid, nlink);
	add_detail(b);
}

/* After a successful open: read or write, describe, close. */
static int use_fd(int fd, int flags)
{
	char buf[128];
	ssize_t n;
	int e;

	if (flags & (O_PATH | O_DIRECTORY)) {
		struct stat st;

		if (fstat(fd, &st) == 0)
			stat_detail(st.st_mode, st.st_size, (unsigned)st.st_uid, (unsigned)st.st_nlink);
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
		set_detail_n(buf, (size_t)n);
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

/*
 * libc's own syscall(), found in libc itself: the probe's bookkeeping
 * (reference stats, fd flags, the exec of the fd lister) must reach the
 * kernel as written, not the shim's syscall() (which confines path
 * system calls and logs them).
 */
static long rawsys(long nr, long a, long b, long c, long d)
{
	static long (*fn)(long, ...);

	if (!fn) {
		void *h = dlopen("libc.so.6", RTLD_NOW | RTLD_NOLOAD);

		*(void **)&fn = h ? dlsym(h, "syscall") : NULL;
		if (!fn) {
			fputs("shim-probe2: libc's syscall() not found\n", stderr);
			exit(2);
		}
	}
	return fn(nr, a, b, c, d);
}

static int raw_stat(int dirfd, const char *path, struct stat *st, int flags)
{
	return (int)rawsys(SYS_newfstatat, dirfd, (long)path, (long)st, flags);
}

/* ------------------------------------------------------------------ */
/* Plain path calls (relative paths against the working directory)    */
/* ------------------------------------------------------------------ */

static int op_open(char **a, int n)
{
	int fl = open_flags(n > 1 ? a[1] : NULL);
	int fd = (fl & O_CREAT) ? open(a[0], fl, 0644) : open(a[0], fl);

	return fd < 0 ? -1 : use_fd(fd, fl);
}

static int op_stat(char **a, int n)
{
	struct stat st;

	(void)n;
	if (stat(a[0], &st) < 0)
		return -1;
	stat_detail(st.st_mode, st.st_size, (unsigned)st.st_uid, (unsigned)st.st_nlink);
	return 0;
}

static int op_mkdir(char **a, int n)
{
	(void)n;
	return mkdir(a[0], 0755);
}

static int op_chdir(char **a, int n)
{
	(void)n;
	return chdir(a[0]);
}

static int op_getcwd(char **a, int n)
{
	char buf[PATH_MAX];

	(void)a;
	(void)n;
	if (!getcwd(buf, sizeof(buf)))
		return -1;
	add_detail(buf);
	return 0;
}

/* The working directory as the kernel sees it (not getcwd). */
static int op_cwdino(char **a, int n)
{
	struct stat st, want;

	(void)n;
	if (raw_stat(AT_FDCWD, ".", &st, 0) < 0 || raw_stat(AT_FDCWD, a[0], &want, 0) < 0)
		return -1;
	add_detail(st.st_dev == want.st_dev && st.st_ino == want.st_ino ? "same" : "different");
	return 0;
}

static int op_mark(char **a, int n)
{
	(void)a;
	(void)n;
	return 0;
}

static int op_wait(char **a, int n)
{
	char line[64];

	(void)a;
	(void)n;
	printf("wait ok\n");
	fflush(stdout);
	if (!fgets(line, sizeof(line), stdin)) {
		errno = EIO;
		return -1;
	}
	detail[0] = '\0';
	add_detail("resumed");
	return 0;
}

/* ------------------------------------------------------------------ */
/* Directory fds                                                      */
/* ------------------------------------------------------------------ */

/* dopen VAR PATH [FLAGS]: open(PATH, O_DIRECTORY | FLAGS). */
static int op_dopen(char **a, int n)
{
	int fl = open_flags(n > 2 ? a[2] : "") | O_DIRECTORY;
	int fd = open(a[1], fl);
	struct var *v;

	if (fd < 0)
		return -1;
	v = var_new(a[0]);
	v->fd = fd;
	return 0;
}

/* fopen VAR PATH [FLAGS]: any open, kept (for the inheritance check). */
static int op_fdopen(char **a, int n)
{
	int fl = open_flags(n > 2 ? a[2] : "");
	int fd = open(a[1], fl);
	struct var *v;

	if (fd < 0)
		return -1;
	v = var_new(a[0]);
	v->fd = fd;
	return 0;
}

static int op_opendir(char **a, int n)
{
	DIR *d = opendir(a[1]);
	struct var *v;

	(void)n;
	if (!d)
		return -1;
	v = var_new(a[0]);
	v->dir = d;
	v->fd = dirfd(d);
	return 0;
}

/* fdopendir VAR PATH: open(O_DIRECTORY), then fdopendir on that fd. */
static int op_fdopendir(char **a, int n)
{
	int fd = open(a[1], O_RDONLY | O_DIRECTORY);
	struct var *v;
	DIR *d;

	(void)n;
	if (fd < 0)
		return -1;
	d = fdopendir(fd);
	if (!d) {
		int e = errno;
		close(fd);
		errno = e;
		return -1;
	}
	v = var_new(a[0]);
	v->dir = d;
	v->fd = dirfd(d);
	return 0;
}

static int src_fd(const char *name)
{
	int fd = fd_of(name);

	if (fd < 0 && fd != AT_FDCWD)
		errno = EBADF;
	return fd;
}

static int keep(const char *name, int fd)
{
	struct var *v;

	if (fd < 0)
		return -1;
	v = var_new(name);
	v->fd = fd;
	return 0;
}

static int op_dup(char **a, int n)
{
	(void)n;
	return keep(a[0], dup(src_fd(a[1])));
}

static int num_arg(char **a, int n, int i, int dflt)
{
	return i < n ? atoi(a[i]) : dflt;
}

static int op_dup2(char **a, int n)
{
	return keep(a[0], dup2(src_fd(a[1]), num_arg(a, n, 2, 100)));
}

static int op_dup3(char **a, int n)
{
	return keep(a[0], dup3(src_fd(a[1]), num_arg(a, n, 2, 101), O_CLOEXEC));
}

static int op_dupfd(char **a, int n)
{
	return keep(a[0], fcntl(src_fd(a[1]), F_DUPFD, num_arg(a, n, 2, 10)));
}

static int op_dupfd_cloexec(char **a, int n)
{
	return keep(a[0], fcntl(src_fd(a[1]), F_DUPFD_CLOEXEC, num_arg(a, n, 2, 10)));
}

static int op_close(char **a, int n)
{
	struct var *v = var_find(a[0]);
	int r;

	(void)n;
	if (!v) {
		errno = EBADF;
		return -1;
	}
	r = v->dir ? closedir(v->dir) : close(v->fd);
	v->name[0] = '\0';
	return r;
}

/* dup2over VAR SRC: dup2(SRC, VAR): VAR's number now names SRC's file. */
static int op_dup2over(char **a, int n)
{
	int to = fd_of(a[0]);

	(void)n;
	return dup2(src_fd(a[1]), to) == to ? 0 : -1;
}

/* reuse VAR PATH: close VAR's fd and open directory PATH on that very
 * number (the lowest free one, or dup2 onto it). */
static int op_reuse(char **a, int n)
{
	struct var *v = var_find(a[0]);
	int old, fd;

	(void)n;
	if (!v) {
		errno = EBADF;
		return -1;
	}
	old = v->fd;
	if ((v->dir ? closedir(v->dir) : close(old)) < 0)
		return -1;
	v->dir = NULL;
	fd = open(a[1], O_RDONLY | O_DIRECTORY);
	if (fd < 0)
		return -1;
	if (fd != old) {
		if (dup2(fd, old) != old)
			return -1;
		close(fd);
		add_detail("dup2");
	} else {
		add_detail("same-number");
	}
	return 0;
}

static int op_fchdir(char **a, int n)
{
	(void)n;
	return fchdir(src_fd(a[0]));
}

/* Is VAR the directory PATH (same dev and inode)? */
static int op_samefile(char **a, int n)
{
	struct stat x, y;

	(void)n;
	if (fstat(src_fd(a[0]), &x) < 0 || raw_stat(AT_FDCWD, a[1], &y, 0) < 0)
		return -1;
	add_detail(x.st_dev == y.st_dev && x.st_ino == y.st_ino ? "same" : "different");
	return 0;
}

/* ------------------------------------------------------------------ */
/* The *at calls: VAR PATH ...                                        */
/* ------------------------------------------------------------------ */

static int nofollow(char **a, int n, int from)
{
	return has(a + from, n - from, "nofollow") ? AT_SYMLINK_NOFOLLOW : 0;
}

static int op_openat(char **a, int n)
{
	int fl = open_flags(n > 2 ? a[2] : NULL);
	int fd = (fl & O_CREAT) ? openat(src_fd(a[0]), a[1], fl, 0644) : openat(src_fd(a[0]), a[1], fl);

	return fd < 0 ? -1 : use_fd(fd, fl);
}

static int op_fstatat(char **a, int n)
{
	struct stat st;

	if (fstatat(src_fd(a[0]), pth(a[1]), &st, nofollow(a, n, 2) | empty_flag(a[1])) < 0)
		return -1;
	stat_detail(st.st_mode, st.st_size, (unsigned)st.st_uid, (unsigned)st.st_nlink);
	return 0;
}

static int op_faccessat(char **a, int n)
{
	return faccessat(src_fd(a[0]), a[1], R_OK, nofollow(a, n, 2));
}

static int op_statx(char **a, int n)
{
	struct statx stx;

	if (statx(src_fd(a[0]), pth(a[1]), nofollow(a, n, 2) | empty_flag(a[1]),
	          STATX_BASIC_STATS, &stx) < 0)
		return -1;
	stat_detail(stx.stx_mode, (long long)stx.stx_size, stx.stx_uid, stx.stx_nlink);
	return 0;
}

static int op_readlinkat(char **a, int n)
{
	char buf[512];
	ssize_t r;

	opaque_len = n > 2 ? (size_t)atoi(a[2]) : sizeof(buf);
	if (opaque_len > sizeof(buf))
		opaque_len = sizeof(buf);
	r = readlinkat(src_fd(a[0]), a[1], buf, opaque_len);
	if (r < 0)
		return -1;
	set_detail_n(buf, (size_t)r);
	return 0;
}

static int op_unlinkat(char **a, int n)
{
	return unlinkat(src_fd(a[0]), a[1], has(a + 2, n - 2, "dir") ? AT_REMOVEDIR : 0);
}

static int op_mkdirat(char **a, int n)
{
	(void)n;
	return mkdirat(src_fd(a[0]), a[1], 0755);
}

static int op_mknodat(char **a, int n)
{
	(void)n;
	return mknodat(src_fd(a[0]), a[1], S_IFREG | 0644, 0);
}

static int op_mkfifoat(char **a, int n)
{
	(void)n;
	return mkfifoat(src_fd(a[0]), a[1], 0644);
}

/* symlinkat TARGET VAR PATH */
static int op_symlinkat(char **a, int n)
{
	(void)n;
	return symlinkat(a[0], src_fd(a[1]), a[2]);
}

/* linkat VAR1 OLD VAR2 NEW [follow] */
static int op_linkat(char **a, int n)
{
	return linkat(src_fd(a[0]), a[1], src_fd(a[2]), a[3],
	              has(a + 4, n - 4, "follow") ? AT_SYMLINK_FOLLOW : 0);
}

static int op_renameat(char **a, int n)
{
	(void)n;
	return renameat(src_fd(a[0]), a[1], src_fd(a[2]), a[3]);
}

static int op_renameat2(char **a, int n)
{
	unsigned int fl = 0;

	if (has(a + 4, n - 4, "noreplace"))
		fl |= RENAME_NOREPLACE;
	if (has(a + 4, n - 4, "exchange"))
		fl |= RENAME_EXCHANGE;
	return renameat2(src_fd(a[0]), a[1], src_fd(a[2]), a[3], fl);
}

static int op_fchmodat(char **a, int n)
{
	return fchmodat(src_fd(a[0]), a[1], (mode_t)(n > 2 ? strtol(a[2], NULL, 8) : 0640), 0);
}

static int op_fchownat(char **a, int n)
{
	return fchownat(src_fd(a[0]), pth(a[1]), getuid(), getgid(),
	                nofollow(a, n, 2) | empty_flag(a[1]));
}

static int op_utimensat(char **a, int n)
{
	const struct timespec ts[2] = { { 1000000004, 0 }, { 1000000005, 0 } };

	return utimensat(src_fd(a[0]), a[1], ts, nofollow(a, n, 2));
}

static int op_futimesat(char **a, int n)
{
	const struct timeval tv[2] = { { 1000000002, 0 }, { 1000000003, 0 } };

	(void)n;
	return futimesat(src_fd(a[0]), a[1], tv);
}

/* name_to_handle_at VAR PATH|EMPTY [nofollow]: follows the last symlink
 * (AT_SYMLINK_FOLLOW) unless told not to. The detail is the handle's
 * type and size, and whether it is the handle of the object a raw
 * openat(2) (which no wrapper sees) reaches by the same path: a handle of
 * some other file would be wrong, whatever it looks like. */
static int op_name_to_handle_at(char **a, int n)
{
	union fh {
		struct file_handle fh;
		char b[sizeof(struct file_handle) + MAX_HANDLE_SZ];
	} u, ref;
	bool nofol = has(a + 2, n - 2, "nofollow"), same = false;
	int mnt, rfd, fl = empty_flag(a[1]) | (nofol ? 0 : AT_SYMLINK_FOLLOW);
	char b[64];

	u.fh.handle_bytes = MAX_HANDLE_SZ;
	if (name_to_handle_at(src_fd(a[0]), pth(a[1]), &u.fh, &mnt, fl) < 0)
		return -1;
	rfd = empty_flag(a[1]) ? (int)rawsys(SYS_fcntl, src_fd(a[0]), F_DUPFD_CLOEXEC, 3, 0)
	                       : (int)rawsys(SYS_openat, src_fd(a[0]), (long)a[1],
	                                     O_PATH | O_CLOEXEC | (nofol ? O_NOFOLLOW : 0), 0);
	ref.fh.handle_bytes = MAX_HANDLE_SZ;
	if (rfd >= 0 && name_to_handle_at(rfd, "", &ref.fh, &mnt, AT_EMPTY_PATH) == 0)
		same = ref.fh.handle_type == u.fh.handle_type &&
		       ref.fh.handle_bytes == u.fh.handle_bytes &&
		       memcmp(ref.fh.f_handle, u.fh.f_handle, u.fh.handle_bytes) == 0;
	if (rfd >= 0)
		close(rfd);
	snprintf(b, sizeof(b), "t%d,len%u,%s", u.fh.handle_type, u.fh.handle_bytes,
	         same ? "same" : "OTHER-OBJECT");
	add_detail(b);
	return 0;
}

static int no_dots(const struct dirent *e)
{
	return strcmp(e->d_name, ".") != 0 && strcmp(e->d_name, "..") != 0;
}

static int op_scandirat(char **a, int n)
{
	struct dirent **list;
	int k = scandirat(src_fd(a[0]), a[1], &list, no_dots, alphasort);

	(void)n;
	if (k < 0)
		return -1;
	for (int i = 0; i < k; i++) {
		if (i)
			add_detail(",");
		add_detail(list[i]->d_name);
		free(list[i]);
	}
	free(list);
	if (!k)
		add_detail("empty");
	return 0;
}

/* ------------------------------------------------------------------ */
/* The shim's own fds                                                 */
/* ------------------------------------------------------------------ */

static int shimfd[MAXSHIM];
static int nshim;

static void fd_target(int fd, char *buf, size_t size)
{
	char p[64];
	ssize_t r;

	/* Past the shim, which may hide its own fds' links. */
	snprintf(p, sizeof(p), "/proc/self/fd/%d", fd);
	r = rawsys(SYS_readlinkat, AT_FDCWD, (long)p, (long)buf, (long)size - 1);
	buf[r < 0 ? 0 : r] = '\0';
}

/* Every fd above 2 that this program did not open: not a variable, not
 * inherited from the caller, not the one listing /proc/self/fd. */
static int list_foreign(int *out, int max)
{
	DIR *d = opendir("/proc/self/fd");
	struct dirent *e;
	int k = 0;

	if (!d)
		return -1;
	while ((e = readdir(d)) != NULL) {
		int fd = atoi(e->d_name);

		if (e->d_name[0] < '0' || e->d_name[0] > '9' || fd <= 2 || fd == dirfd(d))
			continue;
		if (is_var_fd(fd) || (fd < (int)NELEM(inherited) && inherited[fd]))
			continue;
		if (k < max)
			out[k++] = fd;
	}
	closedir(d);
	return k;
}

/* shimfds: find the shim's fds (remembered for the steps below); the
 * detail is their count and what they point at. */
static int op_shimfds(char **a, int n)
{
	char t[PATH_MAX], *names[MAXSHIM];
	char b[16];

	(void)a;
	(void)n;
	nshim = list_foreign(shimfd, MAXSHIM);
	if (nshim < 0)
		return -1;
	snprintf(b, sizeof(b), "%d", nshim);
	add_detail(b);
	for (int i = 0; i < nshim; i++) {
		fd_target(shimfd[i], t, sizeof(t));
		names[i] = strdup(t);
	}
	qsort(names, (size_t)nshim, sizeof(names[0]), cmp_str);
	for (int i = 0; i < nshim; i++) {
		add_detail(i ? "," : ":");
		add_detail(names[i] ? names[i] : "?");
		free(names[i]);
	}
	return 0;
}

/* cloexec: every shim fd has O_CLOEXEC in /proc/self/fdinfo and
 * FD_CLOEXEC by a raw fcntl(2) (the shim's fcntl may hide its fds). */
static int op_cloexec(char **a, int n)
{
	int bad = 0;

	(void)a;
	(void)n;
	for (int i = 0; i < nshim; i++) {
		char p[64], line[256];
		unsigned long flags = 0;
		bool found = false;
		FILE *f;
		int fd, fdfl = (int)rawsys(SYS_fcntl, shimfd[i], F_GETFD, 0, 0);

		snprintf(p, sizeof(p), "/proc/self/fdinfo/%d", shimfd[i]);
		fd = (int)rawsys(SYS_openat, AT_FDCWD, (long)p, O_RDONLY | O_CLOEXEC, 0);
		f = fd >= 0 ? fdopen(fd, "r") : NULL;
		while (f && fgets(line, sizeof(line), f))
			if (sscanf(line, "flags: %lo", &flags) == 1)
				found = true;
		if (f)
			fclose(f);
		if (!found || !(flags & O_CLOEXEC) || fdfl < 0 || !(fdfl & FD_CLOEXEC)) {
			char t[PATH_MAX], b[PATH_MAX + 64];

			fd_target(shimfd[i], t, sizeof(t));
			snprintf(b, sizeof(b), "%sINHERITABLE=%s", bad++ ? "," : "", t);
			add_detail(b);
		}
	}
	if (!bad)
		add_detail(nshim ? "all-cloexec" : "none");
	return 0;
}

static int op_closeall(char **a, int n)
{
	struct rlimit rl;

	(void)a;
	(void)n;
	if (getrlimit(RLIMIT_NOFILE, &rl) < 0)
		return -1;
	for (int fd = 3; fd < (int)rl.rlim_cur; fd++)
		close(fd);
	memset(vars, 0, sizeof(vars));
	return 0;
}

static int op_close_range(char **a, int n)
{
	(void)a;
	(void)n;
	if (close_range(3, ~0U, 0) < 0)
		return -1;
	memset(vars, 0, sizeof(vars));
	return 0;
}

static int op_closefrom(char **a, int n)
{
	(void)a;
	(void)n;
	closefrom(3);
	memset(vars, 0, sizeof(vars));
	return 0;
}

/* dup2shim VAR / dup3shim VAR: put VAR's file on every shim fd, as a
 * program that does not know them would. The detail says how many
 * numbers then held the program's file and how many calls failed (the
 * shim may treat its fds as not open: EBADF). */
static int dup_onto_shim(char **a, bool three)
{
	int src = src_fd(a[0]), taken = 0, refused = 0, other = 0, err = 0;
	struct stat want, got;
	char b[96];

	if (fstat(src, &want) < 0)
		return -1;
	for (int i = 0; i < nshim; i++) {
		int r = three ? dup3(src, shimfd[i], O_CLOEXEC) : dup2(src, shimfd[i]);

		if (r != shimfd[i]) {
			refused++;
			err = errno;
		} else if (fstat(shimfd[i], &got) == 0 && got.st_dev == want.st_dev &&
		           got.st_ino == want.st_ino) {
			taken++;
		} else {
			other++;
		}
	}
	snprintf(b, sizeof(b), "taken=%d,refused=%d%s%s,other=%d", taken, refused,
	         err ? "/" : "", err ? errname(err) : "", other);
	add_detail(b);
	return 0;
}

static int op_dup2shim(char **a, int n)
{
	(void)n;
	return dup_onto_shim(a, false);
}

static int op_dup3shim(char **a, int n)
{
	(void)n;
	return dup_onto_shim(a, true);
}

/* procshim SUFFIX: open /proc/self/fd/N SUFFIX for each shim fd N and
 * count the outcomes: opened (and whether a secret was read), denied
 * (EACCES), other errors (ENOTDIR after the log file's fd, say). */
static int op_procshim(char **a, int n)
{
	int denied = 0, okn = 0, other = 0, secret = 0;
	char b[128], errs[256] = "";

	(void)n;
	for (int i = 0; i < nshim; i++) {
		char p[PATH_MAX];
		int fd;

		snprintf(p, sizeof(p), "/proc/self/fd/%d%s", shimfd[i], a[0]);
		fd = open(p, O_RDONLY);
		if (fd >= 0) {
			char buf[128];
			ssize_t r = read(fd, buf, sizeof(buf) - 1);

			close(fd);
			okn++;
			if (r > 0 && memmem(buf, (size_t)r, "TOPSECRET", 9))
				secret++;
		} else if (errno == EACCES) {
			denied++;
		} else {
			other++;
			if (strlen(errs) + 20 < sizeof(errs)) {
				strcat(errs, "/");
				strcat(errs, errname(errno));
			}
		}
	}
	snprintf(b, sizeof(b), "opened=%d,secret=%d,denied=%d,other=%d%s", okn, secret, denied,
	         other, errs);
	add_detail(b);
	return 0;
}

/* procfd VAR SUFFIX [FLAGS]: open /proc/self/fd/<VAR's fd> SUFFIX. */
static int op_procfd(char **a, int n)
{
	char p[PATH_MAX];
	int fl = open_flags(n > 2 ? a[2] : NULL), fd;

	snprintf(p, sizeof(p), "/proc/self/fd/%d%s", src_fd(a[0]), a[1]);
	fd = (fl & O_CREAT) ? open(p, fl, 0644) : open(p, fl);
	return fd < 0 ? -1 : use_fd(fd, fl);
}

/* How many of the fds in LIST ("3,7,9" or "-") are open here. */
static int count_open(const char *list)
{
	int k = 0;

	for (const char *p = list; *p && *p != '-'; p = strchr(p, ',') ? strchr(p, ',') + 1 : "")
		if (fcntl(atoi(p), F_GETFD) >= 0)
			k++;
	return k;
}

/* fdlist [SHIMFDS [PROGFDS]]: run in the child of execcheck, which has
 * neither the shim nor any fd but those it inherited. Says how many of
 * the parent's shim fds and of its own inheritable fds are open here, and
 * what every fd above 2 points at. */
static int op_fdlist(char **a, int n)
{
	int fds[256], k;
	char *names[256], t[PATH_MAX], b[64];

	memset(inherited, 0, sizeof(inherited));
	if (n > 0) {
		snprintf(b, sizeof(b), "shim-held=%d,", count_open(a[0]));
		add_detail(b);
	}
	if (n > 1) {
		snprintf(b, sizeof(b), "prog-held=%d,", count_open(a[1]));
		add_detail(b);
	}
	k = list_foreign(fds, (int)NELEM(fds));
	if (k < 0)
		return -1;
	for (int i = 0; i < k; i++) {
		fd_target(fds[i], t, sizeof(t));
		names[i] = strdup(t);
	}
	qsort(names, (size_t)k, sizeof(names[0]), cmp_str);
	add_detail("fds=");
	for (int i = 0; i < k; i++) {
		add_detail(i ? "," : "");
		add_detail(names[i] ? names[i] : "?");
		free(names[i]);
	}
	return 0;
}

static void fd_list(char *buf, size_t size, const int *fds, int k)
{
	size_t o = 0;

	buf[0] = '\0';
	for (int i = 0; i < k && o + 16 < size; i++)
		o += (size_t)snprintf(buf + o, size - o, "%s%d", i ? "," : "", fds[i]);
	if (!k)
		snprintf(buf, size, "-");
}

/* execcheck: fork, and exec this program in the child with every
 * LD_PRELOAD and BENEATH_ variable removed (a raw execve system call, so
 * that no exec wrapper puts them back: libc's syscall(), not the shim's): what the child holds came from
 * us. The child prints the line (fdlist). */
static int op_execcheck(char **a, int n)
{
	char shims[1024], progs[1024], *argv[] = { "shim-probe2", "fdlist", shims, progs, NULL };
	int prog[MAXVARS], np = 0;
	char *env[256];
	int k = 0, st;
	pid_t pid;

	(void)a;
	(void)n;
	for (size_t i = 0; i < NELEM(vars); i++) {
		int fl;

		if (!vars[i].name[0] || vars[i].fd < 0)
			continue;
		fl = fcntl(vars[i].fd, F_GETFD);
		if (fl >= 0 && !(fl & FD_CLOEXEC))
			prog[np++] = vars[i].fd;
	}
	fd_list(shims, sizeof(shims), shimfd, nshim);
	fd_list(progs, sizeof(progs), prog, np);
	for (char **e = environ; *e && k < (int)NELEM(env) - 1; e++)
		if (strncmp(*e, "LD_PRELOAD=", 11) != 0 && strncmp(*e, "BENEATH_", 8) != 0)
			env[k++] = *e;
	env[k] = NULL;
	fflush(stdout);
	pid = fork();
	if (pid < 0)
		return -1;
	if (pid == 0) {
		rawsys(SYS_execve, (long)"/proc/self/exe", (long)argv, (long)env, 0);
		_exit(127);
	}
	if (waitpid(pid, &st, 0) < 0)
		return -1;
	if (!WIFEXITED(st) || WEXITSTATUS(st) != 0) {
		errno = ECHILD;
		return -1;
	}
	return 0;
}

/* ------------------------------------------------------------------ */
/* AF_UNIX                                                            */
/* ------------------------------------------------------------------ */

/* Fill SA with PATH ('@' first: abstract). "exact" lengths leave out the
 * NUL and put a stray byte after the name, which the kernel never reads. */
static socklen_t fill_sun(struct sockaddr_un *sa, const char *path, bool exact)
{
	size_t len = strlen(path);

	memset(sa, 'Z', sizeof(*sa));
	sa->sun_family = AF_UNIX;
	if (len > sizeof(sa->sun_path))
		len = sizeof(sa->sun_path);
	memcpy(sa->sun_path, path, len);
	if (path[0] == '@')
		sa->sun_path[0] = '\0';
	if (len < sizeof(sa->sun_path) && !exact)
		sa->sun_path[len] = '\0';
	if (exact || path[0] == '@')
		return (socklen_t)(offsetof(struct sockaddr_un, sun_path) + len);
	return sizeof(*sa);
}

static void name_detail(int s)
{
	struct sockaddr_un got;
	socklen_t gl = sizeof(got);

	memset(&got, 0, sizeof(got));
	if (getsockname(s, (struct sockaddr *)&got, &gl) == 0 && gl > offsetof(struct sockaddr_un, sun_path)) {
		size_t len = gl - offsetof(struct sockaddr_un, sun_path);

		if (got.sun_path[0] && len && got.sun_path[len - 1] == '\0')
			len--;
		add_detail(",name=");
		{
			char b[sizeof(got.sun_path) + 1];

			memcpy(b, got.sun_path, len);
			b[len] = '\0';
			if (len && b[0] == '\0')
				b[0] = '@';
			add_detail(b);
		}
	}
}

/* bind PATH [exact]: the caller's sockaddr must come back unchanged,
 * whatever the result ("CHANGED-EACCES" if it did not). */
static int op_bind(char **a, int n)
{
	struct sockaddr_un sa, copy;
	socklen_t len = fill_sun(&sa, a[0], has(a + 1, n - 1, "exact"));
	int s = socket(AF_UNIX, SOCK_STREAM, 0), r, e;
	bool changed;

	if (s < 0)
		return -1;
	memcpy(&copy, &sa, sizeof(sa));
	r = bind(s, (struct sockaddr *)&sa, len);
	e = errno;
	changed = memcmp(&copy, &sa, sizeof(sa)) != 0;
	if (r < 0) {
		close(s);
		if (changed) {
			add_detail("CHANGED-");
			add_detail(errname(e));
			return 0;
		}
		errno = e;
		return -1;
	}
	add_detail(changed ? "CHANGED" : "unchanged");
	name_detail(s);
	close(s);
	return 0;
}

/* listen VAR PATH: a listening, non-blocking socket bound at PATH. */
static int op_listen(char **a, int n)
{
	struct sockaddr_un sa;
	socklen_t len = fill_sun(&sa, a[1], false);
	int s = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK, 0);

	(void)n;
	if (s < 0)
		return -1;
	if (bind(s, (struct sockaddr *)&sa, len) < 0 || listen(s, 8) < 0) {
		int e = errno;
		close(s);
		errno = e;
		return -1;
	}
	return keep(a[0], s);
}

/* Connect to PATH; if LISTENER >= 0, accept there and pass a byte, which
 * shows whose socket we reached. */
static int connect_xchg(const char *path, bool exact, int listener)
{
	struct sockaddr_un sa, copy;
	socklen_t len = fill_sun(&sa, path, exact);
	int c = socket(AF_UNIX, SOCK_STREAM, 0), r, e;
	char ch = 0;

	if (c < 0)
		return -1;
	memcpy(&copy, &sa, sizeof(sa));
	r = connect(c, (struct sockaddr *)&sa, len);
	e = errno;
	add_detail(memcmp(&copy, &sa, sizeof(sa)) != 0 ? "CHANGED" : "unchanged");
	if (r < 0) {
		close(c);
		if (strcmp(detail, "CHANGED") == 0) {
			add_detail("-");
			add_detail(errname(e));
			return 0;
		}
		errno = e;
		return -1;
	}
	if (listener >= 0) {
		int s = accept4(listener, NULL, NULL, SOCK_CLOEXEC);

		if (s < 0) {
			add_detail(",not-our-listener");
		} else {
			if (write(c, "z", 1) == 1 && read(s, &ch, 1) == 1 && ch == 'z')
				add_detail(",exchanged");
			else
				add_detail(",no-byte");
			close(s);
		}
	}
	close(c);
	return 0;
}

/* connect PATH [VAR] [exact] */
static int op_connect(char **a, int n)
{
	int l = -1;

	if (n > 1 && strcmp(a[1], "exact") != 0) {
		l = fd_of(a[1]);
		if (l < 0) {
			errno = EBADF;
			return -1;
		}
	}
	return connect_xchg(a[0], has(a + 1, n - 1, "exact"), l);
}

/* echo PATH [exact]: listen at PATH, connect to it, pass a byte. */
static int op_echo(char **a, int n)
{
	struct sockaddr_un sa;
	bool exact = has(a + 1, n - 1, "exact");
	socklen_t len = fill_sun(&sa, a[0], exact);
	int s = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK, 0), r;

	if (s < 0)
		return -1;
	if (bind(s, (struct sockaddr *)&sa, len) < 0 || listen(s, 8) < 0) {
		int e = errno;
		close(s);
		errno = e;
		return -1;
	}
	r = connect_xchg(a[0], exact, s);
	close(s);
	return r;
}

/* inet: bind and connect on 127.0.0.1 (never a path). */
static int op_inet(char **a, int n)
{
	struct sockaddr_in sa = { .sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
	socklen_t sl = sizeof(sa);
	int s = socket(AF_INET, SOCK_STREAM, 0), c = socket(AF_INET, SOCK_STREAM, 0), r = -1;

	(void)a;
	(void)n;
	if (s >= 0 && c >= 0 && bind(s, (struct sockaddr *)&sa, sizeof(sa)) == 0 &&
	    listen(s, 1) == 0 && getsockname(s, (struct sockaddr *)&sa, &sl) == 0 &&
	    connect(c, (struct sockaddr *)&sa, sizeof(sa)) == 0)
		r = 0;
	if (s >= 0)
		close(s);
	if (c >= 0)
		close(c);
	return r;
}

/* ------------------------------------------------------------------ */
/* Raw syscall()                                                      */
/* ------------------------------------------------------------------ */

/* syscall() returns -1 and sets errno; anything below -1 is a wrapper
 * that handed back the raw -errno. */
static int sys_result(long r)
{
	char b[32];

	if (r < -1) {
		snprintf(b, sizeof(b), "RAW%ld", r);
		add_detail(b);
		return 0;
	}
	return r < 0 ? -1 : 0;
}

/* sys_openat2 VAR PATH [FLAGS [beneath]] */
static int op_sys_openat2(char **a, int n)
{
	struct open_how how = { .flags = (unsigned long long)open_flags(n > 2 ? a[2] : NULL) };
	long fd;

	if (has(a + 2, n - 2, "beneath"))
		how.resolve = RESOLVE_BENEATH;
	if (how.flags & O_CREAT)
		how.mode = 0644;
	fd = syscall(SYS_openat2, src_fd(a[0]), a[1], &how, sizeof(how));
	if (fd < 0)
		return sys_result(fd);
	return use_fd((int)fd, (int)how.flags);
}

/* sys_renameat2 OLD NEW (AT_FDCWD) */
static int op_sys_renameat2(char **a, int n)
{
	(void)n;
	return sys_result(syscall(SYS_renameat2, AT_FDCWD, a[0], AT_FDCWD, a[1], 0));
}

static int op_sys_statx(char **a, int n)
{
	struct statx stx;
	long r = syscall(SYS_statx, AT_FDCWD, a[0], nofollow(a, n, 1), STATX_BASIC_STATS, &stx);

	if (r != 0)
		return sys_result(r);
	stat_detail(stx.stx_mode, (long long)stx.stx_size, stx.stx_uid, stx.stx_nlink);
	return 0;
}

static int op_sys_faccessat2(char **a, int n)
{
	return sys_result(syscall(SYS_faccessat2, AT_FDCWD, a[0], R_OK, nofollow(a, n, 1)));
}

static int op_sys_getpid(char **a, int n)
{
	long r = syscall(SYS_getpid);

	(void)a;
	(void)n;
	add_detail(r == (long)getpid() ? "same" : "DIFFERENT");
	return 0;
}

/* A six-argument call that is none of the four: the arguments must reach
 * the kernel as given. pipe2 writes two fds into the array. */
static int op_sys_pipe2(char **a, int n)
{
	int p[2] = { -1, -1 };
	long r = syscall(SYS_pipe2, p, O_CLOEXEC);

	(void)a;
	(void)n;
	if (r != 0)
		return sys_result(r);
	add_detail(p[0] >= 0 && p[1] >= 0 && fcntl(p[0], F_GETFD) == FD_CLOEXEC ? "fds,cloexec" : "BAD");
	close(p[0]);
	close(p[1]);
	return 0;
}

/* ------------------------------------------------------------------ */
/* Queries                                                            */
/* ------------------------------------------------------------------ */

/* realpath PATH: into a PATH_MAX buffer (fortified: __realpath_chk). */
static int op_realpath(char **a, int n)
{
	char buf[PATH_MAX];

	(void)n;
	if (!realpath(a[0], buf))
		return -1;
	add_detail(buf);
	return 0;
}

/* realpath_null PATH: realpath(PATH, NULL), never fortified. */
static int op_realpath_null(char **a, int n)
{
	char *p = realpath(a[0], NULL);

	(void)n;
	if (!p)
		return -1;
	add_detail(p);
	free(p);
	return 0;
}

static int op_canonicalize_file_name(char **a, int n)
{
	char *p = canonicalize_file_name(a[0]);

	(void)n;
	if (!p)
		return -1;
	add_detail(p);
	free(p);
	return 0;
}

static int op_pathconf(char **a, int n)
{
	char b[32];
	long r;

	(void)n;
	errno = 0;
	r = pathconf(a[0], _PC_NAME_MAX);
	if (r < 0 && errno)
		return -1;
	snprintf(b, sizeof(b), "%ld", r);
	add_detail(b);
	return 0;
}

/* chroot PATH: then say whether "/" is PATH's directory. */
static int op_chroot(char **a, int n)
{
	struct stat want, root;

	(void)n;
	if (raw_stat(AT_FDCWD, a[0], &want, 0) < 0)
		want.st_ino = 0;
	if (chroot(a[0]) < 0)
		return -1;
	if (raw_stat(AT_FDCWD, "/", &root, 0) == 0 && root.st_ino == want.st_ino &&
	    root.st_dev == want.st_dev)
		add_detail("root=path");
	else
		add_detail("root=ELSEWHERE");
	return 0;
}

/* acct PATH: switch accounting on, then off again. */
static int op_acct(char **a, int n)
{
	(void)n;
	if (acct(a[0]) < 0)
		return -1;
	acct(NULL);
	return 0;
}

static int op_inotify_add_watch(char **a, int n)
{
	int in = inotify_init1(IN_CLOEXEC), w, e;

	(void)n;
	if (in < 0)
		return -1;
	w = inotify_add_watch(in, a[0], IN_ALL_EVENTS);
	e = errno;
	close(in);
	errno = e;
	return w < 0 ? -1 : 0;
}

/* ------------------------------------------------------------------ */
/* The table                                                          */
/* ------------------------------------------------------------------ */

struct op {
	const char *name;
	int min, max;
	int (*fn)(char **a, int n);
	const char *usage;
};

#define OP(name, min, max, usage) { #name, min, max, op_##name, usage }

static const struct op ops[] = {
	OP(open, 1, 2, "PATH [FLAGS: r w b a c x t d p n e]"),
	OP(stat, 1, 1, "PATH"),
	OP(mkdir, 1, 1, "PATH"),
	OP(chdir, 1, 1, "PATH"),
	OP(getcwd, 0, 0, ""),
	OP(cwdino, 1, 1, "PATH (is the working directory PATH?)"),
	OP(wait, 0, 0, "(print 'wait ok', read a line)"),
	OP(mark, 1, 1, "WORD (a line that separates parts of the output)"),
	OP(dopen, 2, 3, "VAR PATH [FLAGS]"),
	OP(fdopen, 2, 3, "VAR PATH [FLAGS]"),
	OP(opendir, 2, 2, "VAR PATH"),
	OP(fdopendir, 2, 2, "VAR PATH"),
	OP(dup, 2, 2, "VAR SRC"),
	OP(dup2, 2, 3, "VAR SRC [N]"),
	OP(dup3, 2, 3, "VAR SRC [N]"),
	OP(dupfd, 2, 3, "VAR SRC [MIN]"),
	OP(dupfd_cloexec, 2, 3, "VAR SRC [MIN]"),
	OP(close, 1, 1, "VAR"),
	OP(dup2over, 2, 2, "VAR SRC"),
	OP(reuse, 2, 2, "VAR DIR"),
	OP(fchdir, 1, 1, "VAR"),
	OP(samefile, 2, 2, "VAR PATH"),
	OP(openat, 2, 3, "VAR PATH [FLAGS]"),
	OP(fstatat, 2, 3, "VAR PATH|EMPTY [nofollow]"),
	OP(faccessat, 2, 3, "VAR PATH [nofollow]"),
	OP(statx, 2, 3, "VAR PATH|EMPTY [nofollow]"),
	OP(readlinkat, 2, 3, "VAR PATH [BUFSIZE]"),
	OP(unlinkat, 2, 3, "VAR PATH [dir]"),
	OP(mkdirat, 2, 2, "VAR PATH"),
	OP(mknodat, 2, 2, "VAR PATH"),
	OP(mkfifoat, 2, 2, "VAR PATH"),
	OP(symlinkat, 3, 3, "TARGET VAR PATH"),
	OP(linkat, 4, 5, "VAR1 OLD VAR2 NEW [follow]"),
	OP(renameat, 4, 4, "VAR1 OLD VAR2 NEW"),
	OP(renameat2, 4, 5, "VAR1 OLD VAR2 NEW [noreplace|exchange]"),
	OP(fchmodat, 2, 3, "VAR PATH [OCTAL]"),
	OP(fchownat, 2, 3, "VAR PATH|EMPTY [nofollow]"),
	OP(utimensat, 2, 3, "VAR PATH [nofollow]"),
	OP(futimesat, 2, 2, "VAR PATH"),
	OP(name_to_handle_at, 2, 3, "VAR PATH|EMPTY [nofollow]"),
	OP(scandirat, 2, 2, "VAR PATH"),
	OP(shimfds, 0, 0, "(find the shim's fds)"),
	OP(cloexec, 0, 0, "(are the shim's fds close-on-exec?)"),
	OP(closeall, 0, 0, "(close 3 .. RLIMIT_NOFILE-1)"),
	OP(close_range, 0, 0, "(close_range(3, ~0U, 0))"),
	OP(closefrom, 0, 0, "(closefrom(3))"),
	OP(dup2shim, 1, 1, "VAR (dup2 VAR onto each shim fd)"),
	OP(dup3shim, 1, 1, "VAR (dup3 VAR onto each shim fd)"),
	OP(procshim, 1, 1, "SUFFIX (open /proc/self/fd/<shim fd>SUFFIX)"),
	OP(procfd, 2, 3, "VAR SUFFIX [FLAGS]"),
	OP(fdlist, 0, 2, "[SHIMFDS [PROGFDS]] (the fds this process holds)"),
	OP(execcheck, 0, 0, "(exec fdlist without the shim's environment)"),
	OP(bind, 1, 2, "PATH [exact]"),
	OP(listen, 2, 2, "VAR PATH"),
	OP(connect, 1, 3, "PATH [VAR] [exact]"),
	OP(echo, 1, 2, "PATH [exact]"),
	OP(inet, 0, 0, ""),
	OP(sys_openat2, 2, 4, "VAR PATH [FLAGS [beneath]]"),
	OP(sys_renameat2, 2, 2, "OLD NEW"),
	OP(sys_statx, 1, 2, "PATH [nofollow]"),
	OP(sys_faccessat2, 1, 2, "PATH [nofollow]"),
	OP(sys_getpid, 0, 0, ""),
	OP(sys_pipe2, 0, 0, ""),
	OP(realpath, 1, 1, "PATH"),
	OP(realpath_null, 1, 1, "PATH"),
	OP(canonicalize_file_name, 1, 1, "PATH"),
	OP(pathconf, 1, 1, "PATH"),
	OP(chroot, 1, 1, "PATH"),
	OP(acct, 1, 1, "PATH"),
	OP(inotify_add_watch, 1, 1, "PATH"),
};

/* Families: '@' is the path, '%' the variable. */
static const char *const fam_atread[] = {
	"openat % @", "fstatat % @", "faccessat % @", "statx % @", "name_to_handle_at % @",
	NULL
};

static const char *const fam_atwrite[] = {
	"openat % @ a", "openat % @ b", "fchmodat % @ 600", "fchownat % @",
	"utimensat % @", "futimesat % @",
	NULL
};

static const char *const fam_atlread[] = {
	"readlinkat % @", "fstatat % @ nofollow", "statx % @ nofollow",
	"faccessat % @ nofollow", "openat % @ pn", "name_to_handle_at % @ nofollow",
	"fchownat % @ nofollow", "utimensat % @ nofollow",
	NULL
};

static const char *const fam_atdir[] = {
	"openat % @ d", "scandirat % @",
	NULL
};

static const char *const fam_atmutate[] = {
	"openat % @/n1 wcx", "openat % @/n2 wcx",
	"mkdirat % @/m1", "mkdirat % @/m2",
	"mknodat % @/k1", "mkfifoat % @/k2",
	"symlinkat n1 % @/s1",
	"linkat % @/n1 % @/h1", "linkat % @/s1 % @/h2 follow",
	"renameat % @/h1 % @/r1", "renameat2 % @/h2 % @/r2 noreplace",
	"renameat2 % @/r1 % @/n2 exchange",
	"unlinkat % @/m1 dir", "unlinkat % @/k1", "unlinkat % @/k2",
	"unlinkat % @/r1", "unlinkat % @/r2", "unlinkat % @/s1",
	NULL
};

struct family {
	const char *name;
	const char *const *steps[6];
	const char *sub[6];
};

static const struct family families[] = {
	{ "atread", { fam_atread }, { NULL } },
	{ "atwrite", { fam_atwrite }, { NULL } },
	{ "atlread", { fam_atlread }, { NULL } },
	{ "atdir", { fam_atdir }, { NULL } },
	{ "atmutate", { fam_atmutate }, { NULL } },
	{ "atall", { fam_atread, fam_atdir, fam_atlread, fam_atwrite, fam_atmutate },
	  { "/f", "/d", "/l", "/f", "" } },
};

static const struct op *find_op(const char *name)
{
	for (size_t i = 0; i < NELEM(ops); i++)
		if (strcmp(ops[i].name, name) == 0)
			return &ops[i];
	return NULL;
}

static void run(const struct op *op, char **a, int n)
{
	int r, e;

	detail[0] = '\0';
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

static void run_family(const struct family *f, const char *var, const char *path)
{
	for (size_t part = 0; part < NELEM(f->steps) && f->steps[part]; part++) {
		char base[PATH_MAX];

		snprintf(base, sizeof(base), "%s%s", path, f->sub[part] ? f->sub[part] : "");
		for (const char *const *s = f->steps[part]; *s; s++) {
			char words[MAXARGS][PATH_MAX], *a[MAXARGS];
			char step[256], *save = NULL, *w;
			const struct op *op;
			int n = 0;

			snprintf(step, sizeof(step), "%s", *s);
			op = find_op(strtok_r(step, " ", &save));
			if (!op)
				abort();
			while ((w = strtok_r(NULL, " ", &save)) != NULL && n < MAXARGS) {
				if (w[0] == '%')
					snprintf(words[n], sizeof(words[n]), "%s", var);
				else
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
	fputs("usage: shim-probe2 STEP [';' STEP]...\n"
	      "  STEP is OP ARG..., or a family: atread|atwrite|atlread|atdir|atmutate|atall VAR PATH\n"
	      "ops:\n", stderr);
	for (size_t i = 0; i < NELEM(ops); i++)
		fprintf(stderr, "  %s %s\n", ops[i].name, ops[i].usage);
	exit(2);
}

/* One step: argv[0] is the op or family. DRY: only check it. */
static void step(char **argv, int argc, bool dry)
{
	const struct op *op;

	for (size_t i = 0; i < NELEM(families); i++) {
		if (strcmp(argv[0], families[i].name) == 0) {
			if (argc != 3)
				usage();
			if (!dry)
				run_family(&families[i], argv[1], argv[2]);
			return;
		}
	}
	op = find_op(argv[0]);
	if (!op || argc - 1 < op->min || argc - 1 > op->max)
		usage();
	if (!dry)
		run(op, argv + 1, argc - 1);
}

/* The fds the caller gave us, inheritable: never the shim's. */
static void note_inherited(void)
{
	for (int fd = 3; fd < (int)NELEM(inherited); fd++) {
		int fl = fcntl(fd, F_GETFD);

		inherited[fd] = fl >= 0 && !(fl & FD_CLOEXEC);
	}
}

int main(int argc, char **argv)
{
	int i, start;

	setvbuf(stdout, NULL, _IOLBF, 0);
	if (argc < 2)
		usage();
	note_inherited();
	/* Check the whole script before running any of it. */
	for (int dry = 1; dry >= 0; dry--) {
		for (start = i = 1; i <= argc; i++) {
			if (i == argc || strcmp(argv[i], ";") == 0) {
				if (i == start)
					usage();
				step(argv + start, i - start, dry);
				start = i + 1;
			}
		}
	}
	return 0;
}
