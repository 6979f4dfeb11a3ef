/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * tests/badinput-probe: bad input for the preload shim and for libbeneath
 * (tests/test-badinput.sh). One OP per run; every call prints one line
 *
 *     CALL ARG RESULT
 *
 * RESULT being "ok", "ok:DETAIL" (what was read), the errno name of the
 * failure, or "crash:SIGNAME" for a call that killed the child it ran in.
 * Paths are printed with every byte that is not printable ASCII (and
 * space and backslash) as \xNN; a path longer than 96 bytes is printed as
 * "<len=N>" and its last 32 bytes. Lines that end an op:
 *
 *     fds visible=+N total=+M
 *
 * N counts the fds the program can see (fcntl(F_GETFD) works: the
 * shim's own fds look closed), M every entry of /proc/self/fd, between
 * the start of the op (after one warming open, so the shim's root fd
 * cache is filled) and its end.
 *
 * Shim ops (run with and without LD_PRELOAD; the test compares):
 *   calls PATH...        the read-only calls on each PATH
 *   writes DIR NAME...   a fixed sequence of creating, renaming and
 *                        removing calls on DIR/NAME (trailing slashes,
 *                        "." and ".." in NAME)
 *   nullcalls DIR        every path entry point with a NULL path and
 *                        with "" (each call in its own child); DIR is
 *                        a writable directory for the other argument
 *   long BASE LEN KIND   one path of exactly LEN bytes made from BASE:
 *                        KIND dot ("/./" padding), slash ("//"), name
 *                        (one long last component), deep (BASE/d/d/...
 *                        /f, the tree made by the caller)
 *   flags FILE DIR       open FILE with unknown flag bits and garbage
 *                        modes; create in DIR with garbage modes
 *   rlimit N PATH...     RLIMIT_NOFILE soft limit N, then calls (opens
 *                        that use up the table first), limit restored
 *   lowlimit N PATH      lower RLIMIT_NOFILE to N, close 0, open PATH,
 *                        dup2 /dev/null onto 0
 *   closed012 OUT F1 F2 ESCAPE  started with fds 0-2 closed: open OUT,
 *                        F1, F2 (they get 0, 1 and 2), attempt ESCAPE,
 *                        write to each, report into OUT
 *   rootgone R WAITFILE  open, chdir and opendir under root R, wait
 *                        until WAITFILE exists (the test removes or
 *                        renames R meanwhile), then calls on R again
 *   deepfd R DEPTH NAME...  from R down DEPTH directories "d" by
 *                        openat(O_NOFOLLOW), then *at calls on NAME
 *   heldfd DIR WAIT NAME...  a dirfd and the working directory on DIR,
 *                        *at calls on NAME before and after WAIT
 *                        exists (the test moves DIR meanwhile)
 *   shimfds R            find the shim's fds (open in /proc/self/fd
 *                        but never opened by the probe), then path
 *                        shapes through /proc/self/fd/N and /dev/fd/N
 *   sock DIR             bind/connect with bad lengths and addresses
 *   sysbad DIR           syscall(SYS_openat2) with a bad open_how
 *
 * Built a second time as tests/badinput-lib with -DBADINPUT_LIB, linked
 * with libbeneath (and the sanitizers when configured), for:
 *   lib ROOT             libbeneath's entry points with bad arguments,
 *                        both backends; each line also gives the
 *                        kernel's answer where the path stays inside
 *
 * The probe exits 0 whatever the calls return; 2 on a usage error.
 */
#include <dirent.h>
#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <fts.h>
#include <ftw.h>
#include <glob.h>
#include <limits.h>
#include <linux/openat2.h>
#include <signal.h>
#include <spawn.h>
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
#include <sys/statfs.h>
#include <sys/statvfs.h>
#include <sys/syscall.h>
#include <sys/time.h>
#include <sys/types.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <sys/xattr.h>
#include <unistd.h>
#include <utime.h>

#ifdef BADINPUT_LIB
#include "beneath.h"
#endif

#define NELEM(a) (sizeof(a) / sizeof((a)[0]))

extern char **environ;

/* ------------------------------------------------------------------ */
/* Printing                                                           */
/* ------------------------------------------------------------------ */

static const char *errname(int e)
{
	static char b[16];
	const char *s = strerrorname_np(e);

	if (s)
		return s;
	snprintf(b, sizeof(b), "E%d", e);
	return b;
}

/* P with unprintable bytes as \xNN; long paths shortened. */
static const char *pp(const char *p)
{
	static char b[2][512];
	static int which;
	char *o = b[which ^= 1];
	size_t n = 0, len;
	const unsigned char *s = (const unsigned char *)p;

	if (!p)
		return "NULL";
	if (!*p)
		return "EMPTY";
	len = strlen(p);
	if (len > 96) {
		n = (size_t)snprintf(o, 64, "<len=%zu>", len);
		s += len - 32;
	}
	for (; *s && n + 5 < sizeof(b[0]); s++) {
		if (*s <= ' ' || *s >= 0x7f || *s == '\\')
			n += (size_t)snprintf(o + n, 5, "\\x%02x", *s);
		else
			o[n++] = (char)*s;
	}
	o[n] = '\0';
	return o;
}

/* What was read, on one line: bytes that would split it become '_'. */
static const char *clean(const char *s, size_t n)
{
	static char b[128];

	if (n >= sizeof(b))
		n = sizeof(b) - 1;
	for (size_t i = 0; i < n; i++)
		b[i] = ((unsigned char)s[i] <= ' ' || (unsigned char)s[i] >= 0x7f) ? '_' : s[i];
	b[n] = '\0';
	return b;
}

static void result(const char *call, const char *arg, long r, const char *detail)
{
	if (r < 0)
		printf("%s %s %s\n", call, arg, errname(errno));
	else if (detail && *detail)
		printf("%s %s ok:%s\n", call, arg, detail);
	else
		printf("%s %s ok\n", call, arg);
	fflush(stdout);
}

/* The fds that were open when main() began (the shim's own look closed,
 * so they are not among them). */
#define NINHERITED 4096
static bool inherited[NINHERITED];

/* ------------------------------------------------------------------ */
/* Counting fds                                                       */
/* ------------------------------------------------------------------ */

struct fdcount {
	int visible, total;
};

static struct fdcount count_fds(void)
{
	struct fdcount c = { 0, 0 };
	DIR *d = opendir("/proc/self/fd");
	struct dirent *e;

	if (!d) {
		c.visible = c.total = -1000000;
		return c;
	}
	while ((e = readdir(d)) != NULL) {
		int fd;

		if (e->d_name[0] == '.')
			continue;
		fd = atoi(e->d_name);
		if (fd == dirfd(d))
			continue;
		c.total++;
		if (fcntl(fd, F_GETFD) >= 0)
			c.visible++;
	}
	closedir(d);
	return c;
}

static struct fdcount fds_start;

static void fds_begin(void)
{
	fds_start = count_fds();
}

static void fds_end(void)
{
	struct fdcount c = count_fds();

	printf("fds visible=%+d total=%+d\n", c.visible - fds_start.visible,
	       c.total - fds_start.total);
	fflush(stdout);
}

/* Open and close PATH once, so that the shim's root fd is cached before
 * the fds are counted. */
static void warm(const char *path)
{
	int fd = open(path, O_PATH | O_CLOEXEC);

	if (fd >= 0)
		close(fd);
}

/* ------------------------------------------------------------------ */
/* The read-only calls                                                */
/* ------------------------------------------------------------------ */

static char det[256];

static int read_fd(int fd)
{
	char b[64];
	ssize_t n = read(fd, b, sizeof(b));

	if (n < 0)
		snprintf(det, sizeof(det), "read=%s", errname(errno));
	else
		snprintf(det, sizeof(det), "%s", clean(b, (size_t)n));
	return 0;
}

static const char *stat_detail(const struct stat *st)
{
	char t = S_ISREG(st->st_mode) ? 'f' : S_ISDIR(st->st_mode) ? 'd' :
	         S_ISLNK(st->st_mode) ? 'l' : S_ISSOCK(st->st_mode) ? 's' : '?';

	if (S_ISREG(st->st_mode))
		snprintf(det, sizeof(det), "%c,%lld", t, (long long)st->st_size);
	else
		snprintf(det, sizeof(det), "%c", t);
	return det;
}

static long c_open(const char *p)
{
	int fd = open(p, O_RDONLY);

	if (fd < 0)
		return -1;
	read_fd(fd);
	close(fd);
	return 0;
}

static long c_open_dir(const char *p)
{
	int fd = open(p, O_RDONLY | O_DIRECTORY);

	if (fd >= 0)
		close(fd);
	return fd;
}

static long c_open_path(const char *p)
{
	struct stat st;
	int fd = open(p, O_PATH);

	if (fd < 0)
		return -1;
	fstat(fd, &st);
	stat_detail(&st);
	close(fd);
	return 0;
}

static long c_open_nofollow(const char *p)
{
	int fd = open(p, O_RDONLY | O_NOFOLLOW);

	if (fd < 0)
		return -1;
	read_fd(fd);
	close(fd);
	return 0;
}

static long c_openat(const char *p)
{
	int fd = openat(AT_FDCWD, p, O_RDONLY | O_CLOEXEC);

	if (fd < 0)
		return -1;
	read_fd(fd);
	close(fd);
	return 0;
}

static long c_stat(const char *p)
{
	struct stat st;

	if (stat(p, &st) < 0)
		return -1;
	stat_detail(&st);
	return 0;
}

static long c_lstat(const char *p)
{
	struct stat st;

	if (lstat(p, &st) < 0)
		return -1;
	stat_detail(&st);
	return 0;
}

static long c_access(const char *p)
{
	return access(p, R_OK);
}

static long c_readlink(const char *p)
{
	char b[256];
	ssize_t n = readlink(p, b, sizeof(b));

	if (n < 0)
		return -1;
	snprintf(det, sizeof(det), "%s", pp((b[n] = '\0', b)));
	return 0;
}

static long c_opendir(const char *p)
{
	DIR *d = opendir(p);
	struct dirent *e;
	int n = 0;

	if (!d)
		return -1;
	while ((e = readdir(d)) != NULL)
		n++;
	closedir(d);
	snprintf(det, sizeof(det), "%d", n);
	return 0;
}

static long c_realpath(const char *p)
{
	char b[PATH_MAX];

	if (!realpath(p, b))
		return -1;
	snprintf(det, sizeof(det), "%s", pp(b));
	return 0;
}

static long c_fopen(const char *p)
{
	FILE *f = fopen(p, "re");
	char b[64];
	size_t n;

	if (!f)
		return -1;
	n = fread(b, 1, sizeof(b), f);
	snprintf(det, sizeof(det), "%s", ferror(f) ? "read-error" : clean(b, n));
	fclose(f);
	return 0;
}

static long c_statfs(const char *p)
{
	struct statfs s;

	return statfs(p, &s);
}

static long c_getxattr(const char *p)
{
	char b[64];

	return getxattr(p, "user.nothere", b, sizeof(b));
}

/* Where c_chdir() goes back to: the starting directory, or (rootgone)
 * the working directory the op set up. */
static int home_fd = -1;

static long c_chdir(const char *p)
{
	char b[PATH_MAX];
	int r = chdir(p);

	if (r < 0)
		return -1;
	snprintf(det, sizeof(det), "%s", getcwd(b, sizeof(b)) ? pp(b) : errname(errno));
	if (fchdir(home_fd) < 0)
		snprintf(det, sizeof(det), "cannot-return");
	return 0;
}

static long c_pathconf(const char *p)
{
	errno = 0;
	return pathconf(p, _PC_NAME_MAX) < 0 && errno ? -1 : 0;
}

static const struct {
	const char *name;
	long (*fn)(const char *);
} reads[] = {
	{ "open", c_open },
	{ "open_dir", c_open_dir },
	{ "open_path", c_open_path },
	{ "open_nofollow", c_open_nofollow },
	{ "openat", c_openat },
	{ "stat", c_stat },
	{ "lstat", c_lstat },
	{ "access", c_access },
	{ "readlink", c_readlink },
	{ "opendir", c_opendir },
	{ "realpath", c_realpath },
	{ "fopen", c_fopen },
	{ "statfs", c_statfs },
	{ "getxattr", c_getxattr },
	{ "chdir", c_chdir },
	{ "pathconf", c_pathconf },
};

static void calls_on(const char *p, const char *label)
{
	for (size_t i = 0; i < NELEM(reads); i++) {
		long r;

		det[0] = '\0';
		errno = 0;
		r = reads[i].fn(p);
		result(reads[i].name, label ? label : pp(p), r, det);
	}
}

static int op_calls(char **a, int n)
{
	if (n > 0)
		warm(a[0]);
	fds_begin();
	for (int i = 0; i < n; i++)
		calls_on(a[i], NULL);
	fds_end();
	return 0;
}

/* ------------------------------------------------------------------ */
/* Creating, renaming, removing                                       */
/* ------------------------------------------------------------------ */

static char *join2(const char *dir, const char *name, const char *suffix)
{
	static char b[4][PATH_MAX + 64];
	static int which;
	char *o = b[which = (which + 1) % 4];

	snprintf(o, sizeof(b[0]), "%s/%s%s", dir, name, suffix);
	return o;
}

static int op_writes(char **a, int n)
{
	const char *dir = a[0];
	char label[600];

	warm(dir);
	fds_begin();
	for (int i = 1; i < n; i++) {
		/* Q is P's sibling-to-be: every call names P or Q, so an
		 * escaping NAME makes every one of them an escape. */
		const char *p = join2(dir, a[i], "");
		const char *q = join2(dir, a[i], "-o");
		const char *l = pp(a[i]);
		int fd;

		snprintf(label, sizeof(label), "%s", l);
#define W(call, expr) result(call, label, (long)(expr), NULL)
		W("mkdir", mkdir(p, 0755));
		W("rename_to", rename(p, q));
		W("rename_back", rename(q, p));
		W("rmdir", rmdir(p));
		fd = open(p, O_WRONLY | O_CREAT | O_EXCL, 0644);
		W("creat_excl", fd);
		if (fd >= 0)
			close(fd);
		fd = open(p, O_WRONLY | O_CREAT | O_TRUNC, 0644);
		W("creat", fd);
		if (fd >= 0)
			close(fd);
		W("truncate", truncate(p, 3));
		W("chmod", chmod(p, 0600));
		W("utimes", utimes(p, NULL));
		W("link", link(p, q));
		W("unlink_other", unlink(q));
		W("symlink", symlink("target", q));
		W("rename_over", rename(q, p));
		W("unlink", unlink(p));
		W("mknod_fifo", mknod(p, S_IFIFO | 0644, 0));
		W("remove", remove(p));
		W("remove_again", remove(p));
		unlink(q);
#undef W
	}
	fds_end();
	return 0;
}

/* ------------------------------------------------------------------ */
/* NULL and ""                                                        */
/* ------------------------------------------------------------------ */

static int nftw_cb(const char *p, const struct stat *st, int t, struct FTW *f)
{
	(void)p, (void)st, (void)t, (void)f;
	return 0;
}

static int ftw_cb(const char *p, const struct stat *st, int t)
{
	(void)p, (void)st, (void)t;
	return 0;
}

/* Each entry point with path P (NULL or ""); O is a valid path inside
 * the tree for the other argument of two-path calls. Returns the
 * result (< 0 with errno); only for the child. */
static long null_call(int i, const char *p, const char *o, const char **name, bool dry)
{
	static char tmpl[64];
	char buf[256];
	struct stat st;
	struct statx stx;
	struct statfs sfs;
	struct statvfs svfs;
	struct timeval tv[2] = { { 0, 0 }, { 0, 0 } };
	struct timespec ts[2] = { { 0, 0 }, { 0, 0 } };
	struct utimbuf ub = { 0, 0 };
	char *argv[] = { "true", NULL };
	char *const fts_argv[] = { (char *)p, NULL };
	pid_t pid;
	glob_t g;
	FTS *fts;
	FILE *f;
	DIR *d;
	char *s;
	int ifd, r;

#define N(label, expr)                                                         \
	case __COUNTER__ - base:                                               \
		*name = label;                                                 \
		return dry ? 0 : (long)(expr)
	enum { base = __COUNTER__ + 1 };
	switch (i) {
	N("open", open(p, O_RDONLY));
	N("open_creat", open(p, O_WRONLY | O_CREAT, 0644));
	N("openat", openat(AT_FDCWD, p, O_RDONLY));
	N("creat", creat(p, 0644));
	N("fopen", (f = fopen(p, "r")) ? 0 : -1);
	N("fopen_w", (f = fopen(p, "w")) ? 0 : -1);
	N("opendir", (d = opendir(p)) ? 0 : -1);
	N("stat", stat(p, &st));
	N("lstat", lstat(p, &st));
	N("fstatat", fstatat(AT_FDCWD, p, &st, 0));
	N("fstatat_empty", fstatat(AT_FDCWD, p, &st, AT_EMPTY_PATH));
	N("statx", statx(AT_FDCWD, p, 0, STATX_BASIC_STATS, &stx));
	N("statfs", statfs(p, &sfs));
	N("statvfs", statvfs(p, &svfs));
	N("access", access(p, F_OK));
	N("faccessat", faccessat(AT_FDCWD, p, F_OK, 0));
	N("euidaccess", euidaccess(p, F_OK));
	N("unlink", unlink(p));
	N("unlinkat", unlinkat(AT_FDCWD, p, 0));
	N("rmdir", rmdir(p));
	N("remove", remove(p));
	N("rename_old", rename(p, o));
	N("rename_new", rename(o, p));
	N("renameat2_old", renameat2(AT_FDCWD, p, AT_FDCWD, o, RENAME_NOREPLACE));
	N("mkdir", mkdir(p, 0755));
	N("mkdirat", mkdirat(AT_FDCWD, p, 0755));
	N("mknod", mknod(p, S_IFIFO | 0644, 0));
	N("mkfifo", mkfifo(p, 0644));
	N("link_old", link(p, o));
	N("link_new", link(o, p));
	N("linkat_follow", linkat(AT_FDCWD, p, AT_FDCWD, o, AT_SYMLINK_FOLLOW));
	N("symlink_target", symlink(p, o));
	N("symlink_link", symlink("t", p));
	N("truncate", truncate(p, 0));
	N("chmod", chmod(p, 0644));
	N("fchmodat", fchmodat(AT_FDCWD, p, 0644, 0));
	N("chown", chown(p, (uid_t)-1, (gid_t)-1));
	N("lchown", lchown(p, (uid_t)-1, (gid_t)-1));
	N("fchownat", fchownat(AT_FDCWD, p, (uid_t)-1, (gid_t)-1, 0));
	N("utime", utime(p, &ub));
	N("utimes", utimes(p, tv));
	N("lutimes", lutimes(p, tv));
	N("utimensat", utimensat(AT_FDCWD, p, ts, 0));
	N("readlink", readlink(p, buf, sizeof(buf)));
	N("readlinkat", readlinkat(AT_FDCWD, p, buf, sizeof(buf)));
	N("getxattr", getxattr(p, "user.x", buf, sizeof(buf)));
	N("lgetxattr", lgetxattr(p, "user.x", buf, sizeof(buf)));
	N("setxattr", setxattr(p, "user.x", "v", 1, 0));
	N("listxattr", listxattr(p, buf, sizeof(buf)));
	N("removexattr", removexattr(p, "user.x"));
	N("chdir", chdir(p));
	N("realpath", (s = realpath(p, NULL)) ? 0 : -1);
	N("canonicalize_file_name", (s = canonicalize_file_name(p)) ? 0 : -1);
	N("pathconf", pathconf(p, _PC_NAME_MAX));
	N("chroot", chroot(p));
	N("inotify_add_watch", ({
		int w_, e_;
		ifd = inotify_init1(IN_CLOEXEC);
		w_ = ifd < 0 ? -1 : inotify_add_watch(ifd, p, IN_MODIFY);
		e_ = errno;
		if (ifd >= 0)
			close(ifd);
		errno = e_;
		w_;
	}));
	N("name_to_handle_at", ({
		struct { struct file_handle h; char b[128]; } fh = { .h.handle_bytes = 128 };
		int mnt;
		name_to_handle_at(AT_FDCWD, p, &fh.h, &mnt, 0);
	}));
	N("execve", execve(p, argv, environ));
	N("execv", execv(p, argv));
	N("execvp", execvp(p, argv));
	N("execl", execl(p, "true", (char *)NULL));
	N("execlp", execlp(p, "true", (char *)NULL));
	N("posix_spawn", (r = posix_spawn(&pid, p, NULL, NULL, argv, environ)) ?
	                 (errno = r, -1) : (waitpid(pid, NULL, 0), 0));
	N("posix_spawnp", (r = posix_spawnp(&pid, p, NULL, NULL, argv, environ)) ?
	                  (errno = r, -1) : (waitpid(pid, NULL, 0), 0));
	N("scandir", ({
		struct dirent **nl;
		scandir(p, &nl, NULL, alphasort);
	}));
	N("glob", (r = glob(p, 0, NULL, &g)) ? (errno = r == GLOB_NOMATCH ? ENOENT : EIO, -1) : 0);
	N("ftw", ftw(p, ftw_cb, 4));
	N("nftw", nftw(p, nftw_cb, 4, FTW_PHYS));
	N("fts_open", (fts = fts_open(fts_argv, FTS_PHYSICAL, NULL)) ?
	              (fts_read(fts), fts_close(fts)) : -1);
	N("mkstemp", mkstemp(p ? strcpy(tmpl, p) : (char *)(uintptr_t)p));
	N("mkdtemp", mkdtemp(p ? strcpy(tmpl, p) : (char *)(uintptr_t)p) ? 0 : -1);
	/* tempnam by dlsym, as temp-probe calls it: the linker warns
	 * about every direct reference. */
	N("tempnam_dir", ({
		char *(*tn)(const char *, const char *) =
			(char *(*)(const char *, const char *))dlsym(RTLD_DEFAULT, "tempnam");
		(s = tn(p, "bi")) ? 0 : -1;
	}));
	N("system", system(p) < 0 ? -1 : 0);
	N("popen", (f = popen(p, "r")) ? (pclose(f), 0) : -1);
	N("syscall_open", syscall(SYS_open, p, O_RDONLY, 0));
	N("syscall_openat2", ({
		struct open_how how = { .flags = O_RDONLY, .resolve = RESOLVE_BENEATH };
		syscall(SYS_openat2, AT_FDCWD, p, &how, sizeof(how));
	}));
	default:
		*name = NULL;
		return 0;
	}
#undef N
}

/* Each call in a child: a crash is a result, and a successful exec or
 * chroot ends only the child. The child reports through a pipe, so that
 * what an exec'd program prints does not land in the report. */
static int op_nullcalls(char **a, int n)
{
	const char *o = n > 0 ? a[0] : "/nonexistent";
	const char *ps[2] = { NULL, "" };
	const char *name;

	warm(o);
	for (int k = 0; k < 2; k++) {
		for (int i = 0; null_call(i, NULL, NULL, &name, true), name; i++) {
			char line[512] = "", err[512] = "";
			int pfd[2], efd[2], status;
			pid_t pid;
			ssize_t m;

			if (pipe2(pfd, O_CLOEXEC) < 0 || pipe2(efd, O_CLOEXEC) < 0)
				return 2;
			fflush(stdout);
			pid = fork();
			if (pid == 0) {
				struct fdcount before, after;
				long r;
				int e;

				close(pfd[0]);
				close(efd[0]);
				/* stderr to the parent, who shows it when the call
				 * did not return (a sanitizer's report); what a
				 * shell started by system() or popen() says about
				 * its empty command is of no interest. */
				if (dup2(strcmp(name, "system") == 0 || strcmp(name, "popen") == 0 ?
				         open("/dev/null", O_WRONLY | O_CLOEXEC) : efd[1], 2) < 0)
					_exit(5);
				before = count_fds();
				errno = 0;
				r = null_call(i, ps[k], o, &name, false);
				e = errno;
				after = count_fds();
				if (r < 0)
					m = snprintf(line, sizeof(line), "%s %s %s%s\n", name, pp(ps[k]),
					             errname(e), after.visible != before.visible ?
					             " LEAK" : "");
				else
					m = snprintf(line, sizeof(line), "%s %s ok\n", name, pp(ps[k]));
				if (write(pfd[1], line, (size_t)m) < 0)
					_exit(4);
				_exit(0);
			}
			close(pfd[1]);
			close(efd[1]);
			m = read(pfd[0], line, sizeof(line) - 1);
			line[m > 0 ? m : 0] = '\0';
			close(pfd[0]);
			m = read(efd[0], err, sizeof(err) - 1);
			err[m > 0 ? m : 0] = '\0';
			err[strcspn(err, "\n")] = '\0';
			close(efd[0]);
			if (pid < 0 || waitpid(pid, &status, 0) < 0)
				return 2;
			if (WIFSIGNALED(status))
				printf("%s %s crash:%s %s\n", name, pp(ps[k]),
				       sigabbrev_np(WTERMSIG(status)) ? sigabbrev_np(WTERMSIG(status)) : "?",
				       err);
			else if (line[0])
				printf("%s", line);
			else
				printf("%s %s noresult:%d %s\n", name, pp(ps[k]), WEXITSTATUS(status), err);
			fflush(stdout);
		}
	}
	return 0;
}

/* ------------------------------------------------------------------ */
/* Long paths                                                         */
/* ------------------------------------------------------------------ */

static char *long_path(const char *base, size_t len, const char *kind)
{
	char *p = malloc(len + 1);
	size_t n = strlen(base);

	if (!p || n + 2 > len)
		return NULL;
	memcpy(p, base, n);
	if (strcmp(kind, "name") == 0) {
		/* BASE/xxxx...x */
		p[n++] = '/';
		while (n < len)
			p[n++] = 'x';
	} else if (strcmp(kind, "deep") == 0) {
		/* BASE/d/d/.../d/f or .../d/ff */
		while (n + 4 <= len) {
			memcpy(p + n, "/d", 2);
			n += 2;
		}
		memcpy(p + n, len - n == 2 ? "/f" : "/ff", len - n);
		n = len;
	} else {
		/* BASE/././.../f or BASE//////f: padding, then "/f" */
		const char *pad = strcmp(kind, "dot") == 0 ? "/." : "//";

		while (n + 2 + 2 <= len) {
			memcpy(p + n, pad, 2);
			n += 2;
		}
		if (len - n == 3)
			p[n++] = '/';
		memcpy(p + n, "/f", 2);
		n += 2;
	}
	p[n] = '\0';
	return strlen(p) == len ? p : NULL;
}

static int op_long(char **a, int n)
{
	char label[128];
	size_t len = strtoul(a[1], NULL, 10);
	char *p = long_path(a[0], len, a[2]);

	(void)n;
	if (!p) {
		fprintf(stderr, "badinput-probe: cannot make a %s path of %zu bytes from %s\n",
		        a[2], len, a[0]);
		return 2;
	}
	snprintf(label, sizeof(label), "<%s:%zu>", a[2], len);
	warm(a[0]);
	fds_begin();
	calls_on(p, label);
	fds_end();
	free(p);
	return 0;
}

/* ------------------------------------------------------------------ */
/* Open flags and modes                                               */
/* ------------------------------------------------------------------ */

static int op_flags(char **a, int n)
{
	static const struct {
		const char *name;
		int flags;
		unsigned int mode;
	} rd[] = {
		{ "rdonly_garbage_mode", O_RDONLY, 0xdeadbeef },
		{ "unknown_bits", O_RDONLY | 0x40000000 | 0x08000000, 0 },
		{ "all_bits", ~(O_CREAT | O_TRUNC | O_DIRECTORY | __O_TMPFILE | O_WRONLY | O_RDWR | O_PATH | O_EXCL), 0777 },
		{ "accmode3", O_ACCMODE, 0 },
		{ "path_rdwr", O_PATH | O_RDWR, 0 },
		{ "path_trunc_noctty", O_PATH | O_TRUNC | O_NOCTTY | O_LARGEFILE, 0x1ff },
		{ "path_garbage", O_PATH | 0x40000000, 0xffff },
		{ "directory_on_file", O_RDONLY | O_DIRECTORY, 0 },
		{ "tmpfile_rdonly", O_RDONLY | __O_TMPFILE, 0600 },
		{ "tmpfile_bit_alone", O_WRONLY | (__O_TMPFILE & ~O_DIRECTORY), 0600 },
		{ "creat_directory", O_RDWR | O_CREAT | O_DIRECTORY, 0600 },
		{ "nofollow_nonblock", O_RDONLY | O_NOFOLLOW | O_NONBLOCK, 0 },
		{ "negative", -1 & ~(O_CREAT | O_TRUNC | __O_TMPFILE | O_DIRECTORY), 0 },
	};
	static const struct {
		const char *name;
		int flags;
		unsigned int mode;
	} cr[] = {
		{ "creat_mode_garbage", O_WRONLY | O_CREAT | O_EXCL, 0xfffff1ed },
		{ "creat_mode_suid", O_WRONLY | O_CREAT | O_EXCL, 07777 },
		{ "creat_mode_zero", O_WRONLY | O_CREAT | O_EXCL, 0 },
		{ "creat_unknown_bits", O_WRONLY | O_CREAT | O_EXCL | 0x40000000, 0640 },
		{ "creat_accmode3", O_ACCMODE | O_CREAT | O_EXCL, 0640 },
		{ "tmpfile", O_WRONLY | __O_TMPFILE, 0xffff },
	};
	const char *file = a[0], *dir = a[1];

	(void)n;
	umask(022);
	warm(file);
	fds_begin();
	for (size_t i = 0; i < NELEM(rd); i++) {
		int fd = open(file, rd[i].flags, rd[i].mode);

		det[0] = '\0';
		if (fd >= 0) {
			int fl = fcntl(fd, F_GETFL);
			char rb[64];
			ssize_t m = read(fd, rb, sizeof(rb));
			snprintf(det, sizeof(det), "acc=%d,read=%s", fl & O_ACCMODE,
			         m < 0 ? errname(errno) : clean(rb, (size_t)m));
			close(fd);
		}
		result(rd[i].name, "FILE", fd, det);
		/* openat and the dir as well: the flags go the same way */
		fd = openat(AT_FDCWD, dir, rd[i].flags, rd[i].mode);
		if (fd >= 0)
			close(fd);
		result(rd[i].name, "DIR", fd, NULL);
	}
	for (size_t i = 0; i < NELEM(cr); i++) {
		const char *p = strcmp(cr[i].name, "tmpfile") == 0 ? dir : join2(dir, cr[i].name, "");
		int fd = open(p, cr[i].flags, cr[i].mode);
		struct stat st;

		det[0] = '\0';
		if (fd >= 0) {
			if (fstat(fd, &st) == 0)
				snprintf(det, sizeof(det), "mode=%04o", (unsigned int)st.st_mode & 07777);
			close(fd);
		}
		result(cr[i].name, "DIR", fd, det);
	}
	fds_end();
	return 0;
}

/* ------------------------------------------------------------------ */
/* A tiny RLIMIT_NOFILE                                               */
/* ------------------------------------------------------------------ */

static int op_rlimit(char **a, int n)
{
	struct rlimit old, rl;
	rlim_t lim = strtoul(a[0], NULL, 10);
	int filler[64], nf = 0;

	if (n > 1)
		warm(a[1]);
	fds_begin();
	if (getrlimit(RLIMIT_NOFILE, &old) < 0)
		return 2;
	rl = old;
	rl.rlim_cur = lim;
	if (setrlimit(RLIMIT_NOFILE, &rl) < 0) {
		printf("setrlimit %s\n", errname(errno));
		return 0;
	}
	/* Every path at the limit and with a little room: fill the table
	 * below the limit, leaving 0, 1, 2, ... free slots. */
	for (int room = 0; room <= 3; room++) {
		int fd;

		while (nf > 0)
			close(filler[--nf]);
		while (nf < (int)NELEM(filler) && (fd = open("/dev/null", O_RDONLY)) >= 0)
			filler[nf++] = fd;
		for (int k = 0; k < room && nf > 0; k++)
			close(filler[--nf]);
		printf("room %d\n", room);
		for (int i = 1; i < n; i++) {
			int fdr = open(a[i], O_RDONLY);
			struct stat st;
			char lbl[600];

			snprintf(lbl, sizeof(lbl), "%s", pp(a[i]));
			det[0] = '\0';
			if (fdr >= 0) {
				read_fd(fdr);
				close(fdr);
			}
			result("open", lbl, fdr, det);
			result("stat", lbl, stat(a[i], &st), NULL);
		}
	}
	while (nf > 0)
		close(filler[--nf]);
	if (setrlimit(RLIMIT_NOFILE, &old) < 0)
		printf("setrlimit-restore %s\n", errname(errno));
	/* and everything works again */
	for (int i = 1; i < n; i++) {
		int fdr = open(a[i], O_RDONLY);

		det[0] = '\0';
		if (fdr >= 0) {
			read_fd(fdr);
			close(fdr);
		}
		result("open_after", pp(a[i]), fdr, det);
	}
	fds_end();
	return 0;
}

/* lowlimit N PATH: lower the soft RLIMIT_NOFILE to N (a program that
 * uses select() does), close fd 0, open PATH (the first call under its
 * root) and /dev/null, and dup2 the latter onto 0: the fd numbers and
 * results, which must be what they are without the shim. */
static int op_lowlimit(char **a, int n)
{
	struct rlimit rl;
	int fd, nul, r;

	(void)n;
	if (getrlimit(RLIMIT_NOFILE, &rl) < 0)
		return 2;
	rl.rlim_cur = strtoul(a[0], NULL, 10);
	if (setrlimit(RLIMIT_NOFILE, &rl) < 0) {
		printf("setrlimit %s\n", errname(errno));
		return 0;
	}
	close(0);
	fd = open(a[1], O_RDONLY);
	printf("open fd=%d%s\n", fd, fd < 0 ? errname(errno) : "");
	nul = open("/dev/null", O_RDONLY);
	printf("open /dev/null fd=%d\n", nul);
	r = dup2(nul, 0);
	printf("dup2 onto 0: %s\n", r < 0 ? errname(errno) : "ok");
	r = fcntl(0, F_GETFD);
	printf("fd 0 %s\n", r < 0 ? errname(errno) : "open");
	return 0;
}

/* ------------------------------------------------------------------ */
/* Started with fds 0, 1 and 2 closed                                 */
/* ------------------------------------------------------------------ */

static int op_closed012(char **a, int n)
{
	int fds[3], out;
	char line[256];

	(void)n;
	/* OUT first: it gets the lowest free number. */
	out = open(a[0], O_WRONLY | O_CREAT | O_TRUNC | O_APPEND, 0644);
	if (out < 0)
		_exit(5);
	fds[0] = out;
	fds[1] = open(a[1], O_WRONLY | O_TRUNC | O_APPEND);
	fds[2] = open(a[2], O_WRONLY | O_TRUNC | O_APPEND);
	snprintf(line, sizeof(line), "fds %d %d %d\n", fds[0], fds[1], fds[2]);
	if (write(out, line, strlen(line)) < 0)
		_exit(6);
	/* The escape: the shim logs it (BENEATH_LOG) and refuses it. */
	{
		int fd = open(a[3], O_RDONLY);
		int e = errno;
		snprintf(line, sizeof(line), "escape %s\n", fd >= 0 ? "ok" : errname(e));
		if (write(out, line, strlen(line)) < 0)
			_exit(6);
		if (fd >= 0)
			close(fd);
	}
	for (int i = 1; i < 3; i++) {
		snprintf(line, sizeof(line), "program wrote this to fd %d\n", i);
		if (fds[i] >= 0 && write(fds[i], line, strlen(line)) < 0)
			_exit(7);
	}
	/* A library writing its errors to stderr (now F2). */
	fprintf(stderr, "stderr line\n");
	fflush(stderr);
	{
		struct fdcount c = count_fds();
		snprintf(line, sizeof(line), "visible %d\n", c.visible);
		if (write(out, line, strlen(line)) < 0)
			_exit(6);
	}
	return 0;
}

/* ------------------------------------------------------------------ */
/* The root removed or renamed while the program runs                 */
/* ------------------------------------------------------------------ */

static int op_rootgone(char **a, int n)
{
	const char *r = a[0], *waitfile = a[1];
	int dfd, keep, start_fd;
	DIR *d;
	struct stat st;

	(void)n;
	calls_on(join2(r, "f", ""), "before:R/f");
	fds_begin();
	dfd = open(r, O_RDONLY | O_DIRECTORY);
	result("dopen", "R", dfd, NULL);
	d = opendir(join2(r, "sub", ""));
	result("opendir", "R/sub", d ? 0 : -1, NULL);
	keep = open(join2(r, "f", ""), O_RDONLY);
	result("open_keep", "R/f", keep, NULL);
	result("chdir", "R/sub", chdir(join2(r, "sub", "")), NULL);
	/* calls_on's chdir comes back here, not to where we started */
	start_fd = home_fd;
	home_fd = open(".", O_PATH | O_DIRECTORY | O_CLOEXEC);
	printf("waiting\n");
	fflush(stdout);
	for (int i = 0; i < 20000 && stat(waitfile, &st) < 0; i++)
		usleep(1000);
	printf("going on\n");
	fflush(stdout);
	calls_on(join2(r, "f", ""), "after:R/f");
	calls_on(join2(r, "sub/g", ""), "after:R/sub/g");
	calls_on(r, "after:R");
	calls_on("g", "after:cwd/g");
	calls_on("../f", "after:cwd/../f");
	{
		int fd = open(join2(r, "new", ""), O_WRONLY | O_CREAT | O_EXCL, 0644);
		result("creat", "after:R/new", fd, NULL);
		if (fd >= 0)
			close(fd);
		fd = openat(dfd, "new2", O_WRONLY | O_CREAT | O_EXCL, 0644);
		result("creat_at", "after:dfd/new2", fd, NULL);
		if (fd >= 0)
			close(fd);
		fd = openat(dfd, "f", O_RDONLY);
		det[0] = '\0';
		if (fd >= 0) {
			read_fd(fd);
			close(fd);
		}
		result("openat", "after:dfd/f", fd, det);
		fd = openat(dfd, "../secret", O_RDONLY);
		det[0] = '\0';
		if (fd >= 0) {
			read_fd(fd);
			close(fd);
		}
		result("openat", "after:dfd/../secret", fd, det);
		fd = open("new3", O_WRONLY | O_CREAT | O_EXCL, 0644);
		result("creat", "after:cwd/new3", fd, NULL);
		if (fd >= 0)
			close(fd);
		result("mkdir", "after:R/newdir", mkdir(join2(r, "newdir", ""), 0755), NULL);
		result("rename", "after:R/f->R/f2", rename(join2(r, "f", ""), join2(r, "f2", "")), NULL);
	}
	if (d)
		closedir(d);
	if (keep >= 0)
		close(keep);
	if (dfd >= 0)
		close(dfd);
	if (home_fd >= 0)
		close(home_fd);
	home_fd = start_fd;
	result("fchdir_home", "", fchdir(home_fd), NULL);
	fds_end();
	return 0;
}

/* ------------------------------------------------------------------ */
/* Directory fds whose host path is longer than PATH_MAX              */
/* ------------------------------------------------------------------ */

/* The *at calls on NAME from directory fd FD (AT_FDCWD: the working
 * directory), labelled WHERE. The write appends "PWNED" to what it
 * opens: the test checks that nothing outside the root changed. */
static void at_calls(int fd, const char *where, const char *name)
{
	char label[600];
	struct stat st;
	int r;

	snprintf(label, sizeof(label), "%s:%s", where, pp(name));
	r = openat(fd, name, O_RDONLY | O_CLOEXEC);
	det[0] = '\0';
	if (r >= 0) {
		read_fd(r);
		close(r);
	}
	result("openat", label, r, det);
	r = fstatat(fd, name, &st, 0);
	result("fstatat", label, r, r == 0 ? stat_detail(&st) : NULL);
	result("faccessat", label, faccessat(fd, name, R_OK, 0), NULL);
	r = openat(fd, name, O_WRONLY | O_APPEND | O_CLOEXEC);
	if (r >= 0) {
		if (write(r, "PWNED\n", 6) != 6)
			r = -1;
		close(r);
	}
	result("openat_append", label, r, NULL);
}

/* deepfd R DEPTH NAME...: from R down DEPTH directories "d" one
 * openat(O_NOFOLLOW|O_DIRECTORY) at a time, as fts does, then the *at
 * calls on each NAME there. */
static int op_deepfd(char **a, int n)
{
	int depth = atoi(a[1]), fd, i;

	warm(a[0]);
	fds_begin();
	fd = open(a[0], O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	for (i = 0; fd >= 0 && i < depth; i++) {
		int next = openat(fd, "d", O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
		int e = errno;

		close(fd);
		fd = next;
		errno = e;
	}
	printf("descend %d %s\n", i, fd >= 0 ? "ok" : errname(errno));
	if (fd >= 0) {
		for (int k = 2; k < n; k++)
			at_calls(fd, "deep", a[k]);
		close(fd);
	}
	fds_end();
	return 0;
}

/* heldfd DIR WAITFILE NAME...: a directory fd and the working directory
 * on DIR; the *at calls on each NAME; wait until WAITFILE exists (the
 * test moves DIR elsewhere meanwhile); the calls again. */
static int op_heldfd(char **a, int n)
{
	struct stat st;
	int fd;

	warm(a[0]);
	fds_begin();
	fd = open(a[0], O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	result("dopen", "DIR", fd, NULL);
	result("chdir", "DIR", chdir(a[0]), NULL);
	for (int k = 2; k < n; k++) {
		at_calls(fd, "before-fd", a[k]);
		at_calls(AT_FDCWD, "before-cwd", a[k]);
	}
	printf("waiting\n");
	fflush(stdout);
	for (int i = 0; i < 20000 && stat(a[1], &st) < 0; i++)
		usleep(1000);
	for (int k = 2; k < n; k++) {
		at_calls(fd, "after-fd", a[k]);
		at_calls(AT_FDCWD, "after-cwd", a[k]);
	}
	close(fd);
	result("fchdir_home", "", fchdir(home_fd), NULL);
	fds_end();
	return 0;
}

/* ------------------------------------------------------------------ */
/* Paths through the shim's own fds                                   */
/* ------------------------------------------------------------------ */

static int op_shimfds(char **a, int n)
{
	static const char *const shapes[] = {
		"", "/", "//", "/.", "/./", "/..", "/../", "/f", "/f/", "/f//", "/./f", "//f",
		"/sub/../f", "/sub/..", "/sub/../..", "/../secret", "/./../secret",
		"/sub/../../secret", "/sub//..//..//secret", "/../root/f", "/abs", "/abs/",
		"/dl/", "/dl/f", "/nonexistent/..", "/f/..",
	};
	const char *r = a[0];
	bool mine[NINHERITED] = { false };
	int shim[16], ns = 0;
	DIR *d;
	struct dirent *e;

	(void)n;
	warm(join2(r, "f", ""));
	/* Everything open now that the probe did not open itself and did
	 * not inherit (a test harness passes pipes down, make its jobserver). */
	memcpy(mine, inherited, sizeof(mine));
	mine[home_fd] = true;
	d = opendir("/proc/self/fd");
	if (!d)
		return 2;
	mine[dirfd(d)] = true;
	while ((e = readdir(d)) != NULL) {
		int fd = atoi(e->d_name);
		if (e->d_name[0] != '.' && (fd >= (int)NELEM(mine) || !mine[fd]) &&
		    ns < (int)NELEM(shim))
			shim[ns++] = fd;
	}
	closedir(d);
	printf("shimfds %d\n", ns);
	fds_begin();
	for (int i = 0; i < ns; i++) {
		char target[PATH_MAX] = "", lnk[64], kind[16];
		ssize_t m;

		snprintf(lnk, sizeof(lnk), "/proc/self/fd/%d", shim[i]);
		m = readlink(lnk, target, sizeof(target) - 1);
		target[m > 0 ? m : 0] = '\0';
		snprintf(kind, sizeof(kind), "%s", strcmp(target, r) == 0 ? "root" : "other");
		printf("shimfd %s visible=%s\n", kind, fcntl(shim[i], F_GETFD) >= 0 ? "yes" : "no");
		for (int pfx = 0; pfx < 3; pfx++) {
			for (size_t k = 0; k < NELEM(shapes); k++) {
				char path[PATH_MAX], label[128];

				if (pfx == 2)
					snprintf(path, sizeof(path), "/proc/%d/fd/%d%s", (int)getpid(),
					         shim[i], shapes[k]);
				else if (pfx == 1)
					snprintf(path, sizeof(path), "/dev/fd/%d%s", shim[i], shapes[k]);
				else
					snprintf(path, sizeof(path), "/proc/self/fd/%d%s", shim[i],
					         shapes[k]);
				snprintf(label, sizeof(label), "%s:%s%s", kind,
				         pfx == 0 ? "proc" : pfx == 1 ? "devfd" : "procpid", shapes[k]);
				/* the fd itself with nothing after it is the
				 * open object, not a path beneath it */
				calls_on(path, label);
			}
		}
	}
	fds_end();
	return 0;
}

/* ------------------------------------------------------------------ */
/* Sockets                                                            */
/* ------------------------------------------------------------------ */

static int op_sock(char **a, int n)
{
	const char *dir = a[0];
	const size_t off = offsetof(struct sockaddr_un, sun_path);
	struct {
		struct sockaddr_un sa;
		char more[256];
	} big;
	const struct {
		const char *name;
		socklen_t len;
		bool full;    /* sun_path filled to the end, no NUL */
	} cases[] = {
		{ "len_over_sizeof", (socklen_t)sizeof(struct sockaddr_un) + 1, false },
		{ "len_way_over", (socklen_t)sizeof(big), false },
		{ "len_family_only", (socklen_t)off, false },
		{ "len_zero", 0, false },
		{ "len_short", 1, false },   /* DIR/sN without its last byte */
		{ "len_exact_nonul", 0, true },
		{ "len_sizeof_full_nonul", (socklen_t)sizeof(struct sockaddr_un), true },
	};

	(void)n;
	warm(dir);
	fds_begin();
	for (size_t i = 0; i < NELEM(cases); i++) {
		for (int op = 0; op < 2; op++) {
			int s = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
			char name[32];
			socklen_t len = cases[i].len;
			int r;

			memset(&big, 0, sizeof(big));
			big.sa.sun_family = AF_UNIX;
			snprintf(name, sizeof(name), "s%zu", i);
			if (cases[i].full) {
				/* DIR/sN then 'x' to the end of sun_path */
				size_t m = (size_t)snprintf(big.sa.sun_path, sizeof(big.sa.sun_path),
				                            "%s/%s", dir, name);
				memset(big.sa.sun_path + m, 'x', sizeof(big.sa.sun_path) - m);
				if (!len)
					len = (socklen_t)sizeof(struct sockaddr_un);
			} else {
				size_t m = (size_t)snprintf(big.sa.sun_path, sizeof(big.sa.sun_path),
				                            "%s/%s", dir, name);
				if (len == 1)
					len = (socklen_t)(off + m - 1);
			}
			if (op == 0) {
				r = bind(s, (struct sockaddr *)&big, len);
				result("bind", cases[i].name, r, NULL);
			} else {
				r = connect(s, (struct sockaddr *)&big, len);
				result("connect", cases[i].name, r, NULL);
			}
			close(s);
		}
	}
	{
		int s = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
		result("bind", "null_addr_len0", bind(s, NULL, 0), NULL);
		result("bind", "null_addr_len110", bind(s, NULL, 110), NULL);
		result("connect", "null_addr_len110", connect(s, NULL, 110), NULL);
		close(s);
	}
	fds_end();
	return 0;
}

/* ------------------------------------------------------------------ */
/* syscall(SYS_openat2) with a bad open_how                            */
/* ------------------------------------------------------------------ */

static int op_sysbad(char **a, int n)
{
	const char *file = a[0];
	struct {
		struct open_how how;
		char pad[8192];
	} b;
	const struct {
		const char *name;
		bool null;
		size_t size;
		uint64_t flags, mode, resolve;
		char padbyte;
	} cases[] = {
		{ "null_how", true, sizeof(struct open_how), 0, 0, 0, 0 },
		{ "size_zero", false, 0, 0, 0, 0, 0 },
		{ "size_small", false, sizeof(struct open_how) - 1, 0, 0, 0, 0 },
		{ "size_big_zeros", false, 4096, 0, 0, 0, 0 },
		{ "size_big_nonzero", false, 64, 0, 0, 0, 1 },
		{ "size_huge", false, 8192, 0, 0, 0, 0 },
		{ "unknown_flag", false, sizeof(struct open_how), 1ull << 40, 0, 0, 0 },
		{ "unknown_resolve", false, sizeof(struct open_how), 0, 0, 1ull << 30, 0 },
		{ "mode_no_creat", false, sizeof(struct open_how), O_RDONLY, 0644, 0, 0 },
		{ "mode_garbage", false, sizeof(struct open_how), O_WRONLY | O_CREAT, 0x10000, 0, 0 },
		{ "beneath_in_root", false, sizeof(struct open_how), 0, 0,
		  RESOLVE_BENEATH | RESOLVE_IN_ROOT, 0 },
		{ "plain", false, sizeof(struct open_how), O_RDONLY, 0, 0, 0 },
	};

	(void)n;
	warm(file);
	fds_begin();
	for (size_t i = 0; i < NELEM(cases); i++) {
		long r;

		memset(&b, 0, sizeof(b));
		b.how.flags = cases[i].flags;
		b.how.mode = cases[i].mode;
		b.how.resolve = cases[i].resolve;
		if (cases[i].padbyte)
			b.pad[8] = cases[i].padbyte;
		r = syscall(SYS_openat2, AT_FDCWD, file, cases[i].null ? NULL : &b, cases[i].size);
		det[0] = '\0';
		if (r >= 0) {
			read_fd((int)r);
			close((int)r);
		}
		result("openat2", cases[i].name, r, det);
	}
	fds_end();
	return 0;
}

#ifdef BADINPUT_LIB
/* ------------------------------------------------------------------ */
/* libbeneath with bad arguments                                      */
/* ------------------------------------------------------------------ */

/* One libbeneath call of the table, with path P, on ROOT. */
enum { LIB_OPEN, LIB_RESOLVE, LIB_PARENT, LIB_STAT, LIB_READLINK, LIB_ACCESS, LIB_MKDIR_P,
       LIB_NCALLS };
static const char *const lib_names[] = { "open", "resolve", "resolve_parent", "stat",
                                         "readlink", "access", "mkdir_p" };

static long lib_call(int call, const struct beneath_root *root, const char *p, unsigned int rf)
{
	char name[NAME_MAX + 2], buf[256];
	struct stat st;
	long r;

	switch (call) {
	case LIB_OPEN:
		r = beneath_open(root, p, O_RDONLY, 0, rf);
		break;
	case LIB_RESOLVE:
		r = beneath_resolve(root, p, rf);
		break;
	case LIB_PARENT:
		r = beneath_resolve_parent(root, p, rf, name, sizeof(name));
		break;
	case LIB_STAT:
		return beneath_stat(root, p, &st, 0, rf);
	case LIB_READLINK:
		r = beneath_readlink(root, p, buf, sizeof(buf), rf);
		return r < 0 ? r : 0;
	case LIB_ACCESS:
		return beneath_access(root, p, F_OK, 0, rf);
	case LIB_MKDIR_P:
		r = beneath_mkdir_p(root, p, 0755, rf);
		break;
	default:
		return -EINVAL;
	}
	if (r >= 0)
		close((int)r);
	return r < 0 ? r : 0;
}

/* The kernel's answer for the same call from the root's fd, by plain
 * *at calls (only meaningful for paths that stay inside). */
static long kernel_call(int call, int rootfd, const char *p)
{
	char buf[256];
	struct stat st;
	int fd;

	switch (call) {
	case LIB_OPEN:
		fd = openat(rootfd, p, O_RDONLY | O_CLOEXEC);
		break;
	case LIB_RESOLVE:
		fd = openat(rootfd, p, O_PATH | O_CLOEXEC);
		break;
	case LIB_STAT:
		return fstatat(rootfd, p, &st, 0) < 0 ? -errno : 0;
	case LIB_READLINK:
		return readlinkat(rootfd, p, buf, sizeof(buf)) < 0 ? -errno : 0;
	case LIB_ACCESS:
		return faccessat(rootfd, p, F_OK, 0) < 0 ? -errno : 0;
	default:
		return 1;  /* no single kernel call to compare with */
	}
	if (fd < 0)
		return -errno;
	close(fd);
	return 0;
}

static const char *res(long r)
{
	return r == 1 ? "-" : r < 0 ? errname((int)-r) : "ok";
}

static const struct {
	const char *name;
	unsigned int rf;
} lib_backends[] = {
	{ "openat2", BENEATH_BACKEND_OPENAT2 },
	{ "walker", BENEATH_BACKEND_WALKER },
};

/* Every call on path P (LABEL), each backend and each mode, plus the
 * kernel's answer: "lib CALL LABEL MODE openat2=R walker=R kernel=R". */
static void lib_paths(const struct beneath_root *root, const char *p, const char *label)
{
	static const struct {
		const char *name;
		unsigned int rf;
	} modes[] = {
		{ "beneath", BENEATH_MODE_BENEATH },
		{ "in_root", BENEATH_MODE_IN_ROOT },
		{ "contain", BENEATH_MODE_CONTAIN },
	};

	for (int call = 0; call < LIB_NCALLS; call++) {
		if (call == LIB_MKDIR_P)
			continue;  /* it creates: see lib_mkdir */
		for (size_t m = 0; m < NELEM(modes); m++) {
			long r[NELEM(lib_backends)];

			for (size_t b = 0; b < NELEM(lib_backends); b++)
				r[b] = lib_call(call, root, p, modes[m].rf | lib_backends[b].rf);
			printf("lib %s %s %s openat2=%s walker=%s", lib_names[call], label,
			       modes[m].name, res(r[0]), res(r[1]));
			printf(" kernel=%s\n", res(p ? kernel_call(call, root->fd, p) : 1));
		}
	}
	fflush(stdout);
}

/* The argument checks: what each entry point says to nonsense. */
static void lib_args(const struct beneath_root *root, int filefd)
{
	const struct beneath_root noroot = { .fd = -1, .path = "/" };
	const struct beneath_root closed = { .fd = 1000000, .path = "/" };
	const struct beneath_root fileroot = { .fd = filefd, .path = "/" };
	char name[NAME_MAX + 2], buf[64];
	struct stat st;
	struct statx stx;

/* L: a call that returns 0 or -errno; LFD: one that returns an fd. */
#define L(what, expr) printf("libarg %s %s\n", what, res((long)(expr) < 0 ? (long)(expr) : 0))
#define LFD(what, expr)                                                        \
	do {                                                                   \
		long r_ = (long)(expr);                                        \
		if (r_ >= 0)                                                   \
			close((int)r_);                                        \
		printf("libarg %s %s\n", what, res(r_ < 0 ? r_ : 0));          \
	} while (0)
	for (size_t b = 0; b < NELEM(lib_backends); b++) {
		unsigned int B = lib_backends[b].rf;

		printf("backend %s\n", lib_backends[b].name);
		LFD("open_null_root", beneath_open(NULL, "f", O_RDONLY, 0, B));
		LFD("open_fd_minus1", beneath_open(&noroot, "f", O_RDONLY, 0, B));
		LFD("open_fd_closed", beneath_open(&closed, "f", O_RDONLY, 0, B));
		LFD("open_fd_file", beneath_open(&fileroot, "f", O_RDONLY, 0, B));
		LFD("open_fd_file_dot", beneath_open(&fileroot, ".", O_RDONLY, 0, B));
		LFD("open_null_path", beneath_open(root, NULL, O_RDONLY, 0, B));
		LFD("open_empty_path", beneath_open(root, "", O_RDONLY, 0, B));
		LFD("open_rflags_unknown", beneath_open(root, "f", O_RDONLY, 0, B | (1u << 30)));
		LFD("open_rflags_mode3", beneath_open(root, "f", O_RDONLY, 0, B | BENEATH_MODE_MASK));
		LFD("open_rflags_two_must", beneath_open(root, "f", O_RDONLY, 0,
		                                       B | BENEATH_MUST_BE_REG | BENEATH_MUST_BE_DIR));
		LFD("open_both_backends", beneath_open(root, "f", O_RDONLY, 0,
		                                     BENEATH_BACKEND_OPENAT2 | BENEATH_BACKEND_WALKER));
		LFD("open_garbage_flags", beneath_open(root, "f", O_RDONLY | 0x40000000, 0xdeadbeef, B));
		LFD("open_creat_directory", beneath_open(root, "newd", O_CREAT | O_DIRECTORY | O_RDWR, 0600, B));
		LFD("open_tmpfile_rdonly", beneath_open(root, ".", __O_TMPFILE | O_RDONLY, 0600, B));
		LFD("resolve_null_path", beneath_resolve(root, NULL, B));
		LFD("resolve_empty", beneath_resolve(root, "", B));
		LFD("parent_null_name", beneath_resolve_parent(root, "f", B, NULL, 10));
		LFD("parent_namesz0", beneath_resolve_parent(root, "f", B, name, 0));
		LFD("parent_namesz1", beneath_resolve_parent(root, "f", B, name, 1));
		LFD("parent_namesz2", beneath_resolve_parent(root, "f", B, name, 2));
		LFD("parent_empty", beneath_resolve_parent(root, "", B, name, sizeof(name)));
		LFD("parent_null_path", beneath_resolve_parent(root, NULL, B, name, sizeof(name)));
		L("readlink_null_buf", beneath_readlink(root, "l", NULL, 10, B));
		L("readlink_size0", beneath_readlink(root, "l", buf, 0, B));
		L("readlink_not_link", beneath_readlink(root, "f", buf, sizeof(buf), B));
		L("stat_null_st", beneath_stat(root, "f", NULL, 0, B));
		L("stat_bad_atflags", beneath_stat(root, "f", &st, 0x40000000, B));
		L("stat_empty_no_flag", beneath_stat(root, "", &st, 0, B));
		L("stat_empty_path_flag", beneath_stat(root, "", &st, AT_EMPTY_PATH, B));
		L("statx_null_buf", beneath_statx(root, "f", 0, STATX_BASIC_STATS, NULL, B));
		L("statx_bad_atflags", beneath_statx(root, "f", 0x40000000, STATX_BASIC_STATS, &stx, B));
		L("access_bad_mode", beneath_access(root, "f", 0x100, 0, B));
		L("access_bad_atflags", beneath_access(root, "f", F_OK, 0x40000000, B));
		L("chmod_bad_atflags", beneath_chmod(root, "f", 0644, 0x40000000, B));
		L("chown_bad_atflags", beneath_chown(root, "f", (uid_t)-1, (gid_t)-1, 0x40000000, B));
		L("utimens_bad_atflags", beneath_utimens(root, "f", NULL, 0x40000000, B));
		L("utimens_bad_times", beneath_utimens(root, "f",
		                                       (struct timespec[2]){ { 0, 2000000000 }, { 0, 0 } }, 0, B));
		L("truncate_negative", beneath_truncate(root, "f", -1, B));
		L("truncate_dir", beneath_truncate(root, "sub", 0, B));
		L("unlink_bad_atflags", beneath_unlink(root, "nothere", 0x40000000, B));
		L("unlink_dot", beneath_unlink(root, ".", 0, B));
		L("rmdir_dot", beneath_unlink(root, ".", AT_REMOVEDIR, B));
		L("rmdir_dotdot_inside", beneath_unlink(root, "sub/..", AT_REMOVEDIR, B));
		L("mkdir_dot", beneath_mkdir(root, ".", 0755, B));
		L("mkdir_empty", beneath_mkdir(root, "", 0755, B));
		L("mkdir_null", beneath_mkdir(root, NULL, 0755, B));
		LFD("mkdir_p_empty", beneath_mkdir_p(root, "", 0755, B));
		LFD("mkdir_p_null", beneath_mkdir_p(root, NULL, 0755, B));
		L("mknod_bad_type", beneath_mknod(root, "nod", 0170000 | 0644, 0, B));
		L("symlink_null_target", beneath_symlink(NULL, root, "newlink", B));
		L("symlink_empty_target", beneath_symlink("", root, "newlink", B));
		L("symlink_null_path", beneath_symlink("t", root, NULL, B));
		L("rename_null_newroot", beneath_rename(root, "f", NULL, "g", 0, B));
		L("rename_null_oldpath", beneath_rename(root, NULL, root, "g", 0, B));
		L("rename_bad_flags", beneath_rename(root, "f", root, "g", 0x80000000u, B));
		L("rename_exchange_missing", beneath_rename(root, "f", root, "nothere", RENAME_EXCHANGE, B));
		L("rename_noreplace_dotdot", beneath_rename(root, "f", root, "sub/..", RENAME_NOREPLACE, B));
		L("link_bad_atflags", beneath_link(root, "f", root, "g", 0x40000000, B));
		L("link_null_newpath", beneath_link(root, "f", root, NULL, 0, B));
		L("getxattr_null_name", beneath_getxattr(root, "f", NULL, buf, sizeof(buf), 0, B));
		L("getxattr_bad_atflags", beneath_getxattr(root, "f", "user.x", buf, sizeof(buf), AT_EMPTY_PATH, B));
		L("setxattr_bad_flags", beneath_setxattr(root, "f", "user.x", "v", 1, 0x40, 0, B));
		L("setxattr_empty_name", beneath_setxattr(root, "f", "", "v", 1, 0, 0, B));
		L("listxattr_null_list", beneath_listxattr(root, "f", NULL, 0, 0, B));
		L("removexattr_null_name", beneath_removexattr(root, "f", NULL, 0, B));
		L("backend_name_garbage", beneath_backend(0xffffffffu) ? 0 : -EINVAL);
	}
#undef L
#undef LFD
	fflush(stdout);
}

/* mkdir_p on every shape, in a fresh subdirectory per backend. */
static void lib_mkdir(const struct beneath_root *root, const char *label, const char *p)
{
	for (size_t b = 0; b < NELEM(lib_backends); b++) {
		long r = beneath_mkdir_p(root, p, 0755, BENEATH_MODE_CONTAIN | lib_backends[b].rf);

		if (r >= 0)
			close((int)r);
		printf("libmkdir %s %s %s\n", label, lib_backends[b].name, res(r < 0 ? r : 0));
	}
}

static int op_lib(char **a, int n)
{
	static const char *const shapes[] = {
		".", "./", "..", "../", "/", "//", "f", "f/", "f//", "f/.", "f/..", "./f", ".//f",
		"sub", "sub/", "sub//", "sub/.", "sub/./", "sub/..", "sub/../", "sub/../f",
		"sub/../..", "sub/../../", "//f", "/sub/../f", "/..", "l", "l/", "dl", "dl/",
		"dl/f", "abs", "nothere", "nothere/", "nothere/..", "f/nothere",
		"sub/\xff\xfe", "\xc3\x28", "sub/\x01\x02\n",
	};
	const char *rootpath = a[0];
	struct beneath_root root;
	int filefd;
	char *p;

	(void)n;
	root.fd = open(rootpath, O_PATH | O_DIRECTORY | O_CLOEXEC);
	root.path = rootpath;
	filefd = open(join2(rootpath, "f", ""), O_PATH | O_CLOEXEC);
	if (root.fd < 0 || filefd < 0)
		return 2;
	fds_begin();
	lib_args(&root, filefd);
	for (size_t i = 0; i < NELEM(shapes); i++)
		lib_paths(&root, shapes[i], pp(shapes[i]));
	/* PATH_MAX - 1, PATH_MAX, longer: "./" padding before "f", "//"
	 * padding, a long name, and the deep tree the caller made
	 * (deep/d/d/.../f). */
	{
		static const size_t lens[] = { PATH_MAX - 2, PATH_MAX - 1, PATH_MAX, PATH_MAX + 1,
		                               2 * PATH_MAX };
		static const char *const kinds[] = { "dot", "slash", "name", "deep" };

		for (size_t k = 0; k < NELEM(kinds); k++) {
			for (size_t i = 0; i < NELEM(lens); i++) {
				char label[64];

				p = long_path(strcmp(kinds[k], "deep") == 0 ? "deep" : ".", lens[i], kinds[k]);
				if (!p)
					return 2;
				snprintf(label, sizeof(label), "<%s:%zu>", kinds[k], lens[i]);
				lib_paths(&root, p, label);
				free(p);
			}
		}
	}
	/* Thousands of components that stay inside: "./" and "sub/.." */
	{
		static const char *const units[] = { "./", "sub/../", "sub/./../" };
		for (size_t u = 0; u < NELEM(units); u++) {
			size_t ul = strlen(units[u]), reps = (PATH_MAX - 3) / ul;
			char label[64];

			p = malloc(reps * ul + 2);
			for (size_t i = 0; i < reps; i++)
				memcpy(p + i * ul, units[u], ul);
			strcpy(p + reps * ul, "f");
			snprintf(label, sizeof(label), "<%zux%s>f", reps, units[u]);
			lib_paths(&root, p, label);
			free(p);
		}
		/* 100 levels down, 101 ".." up, then "f": ROOT/f; one ".."
		 * more leaves the root. (Not deeper: the walker re-walks from
		 * its 32nd ancestor for every ".." below it, so 600 levels
		 * cost it some 160000 openat calls per lookup.) */
		p = malloc(PATH_MAX * 2);
		for (int up = 101; up <= 102; up++) {
			char label[64];

			strcpy(p, "deep");
			for (int i = 0; i < 100; i++)
				strcat(p, "/d");
			for (int i = 0; i < up; i++)
				strcat(p, "/..");
			strcat(p, "/f");
			snprintf(label, sizeof(label), "<deep100/..%d/f>", up);
			lib_paths(&root, p, label);
		}
		free(p);
	}
	/* mkdir_p */
	{
		static const char *const mk[] = { "mk/a/b", "mk/a//b//", "mk/./c/./d", "mk/e/../f",
		                                  "mk/f/x", "mk/../../escape", "/mk/abs", "dl/x",
		                                  "f/x", "mk/g/" };
		for (size_t i = 0; i < NELEM(mk); i++)
			lib_mkdir(&root, pp(mk[i]), mk[i]);
		/* 150 levels: each is a mkdir, and mkdir_p resolves every
		 * prefix from the root again */
		p = long_path("mk", 300, "deep");
		lib_mkdir(&root, "<deep:300>", p);
		free(p);
	}
	/* Tiny RLIMIT_NOFILE: the walker needs fds for the walk; EMFILE,
	 * never a crash or a leak. */
	{
		struct rlimit old, rl;
		int fill[64], nf = 0, fd;

		getrlimit(RLIMIT_NOFILE, &old);
		rl = old;
		rl.rlim_cur = 24;
		if (setrlimit(RLIMIT_NOFILE, &rl) == 0) {
			for (int room = 0; room <= 4; room += 2) {
				while (nf > 0)
					close(fill[--nf]);
				while (nf < 64 && (fd = open("/dev/null", O_RDONLY | O_CLOEXEC)) >= 0)
					fill[nf++] = fd;
				for (int k = 0; k < room && nf > 0; k++)
					close(fill[--nf]);
				p = long_path("deep", 200, "deep");
				for (size_t b = 0; b < NELEM(lib_backends); b++) {
					long r = beneath_open(&root, p, O_RDONLY, 0,
					                      BENEATH_MODE_CONTAIN | lib_backends[b].rf);
					if (r >= 0)
						close((int)r);
					printf("librlimit room=%d %s %s\n", room, lib_backends[b].name,
					       res(r < 0 ? r : 0));
					r = beneath_open(&root, "sub/../abs", O_RDONLY, 0,
					                 BENEATH_MODE_CONTAIN | lib_backends[b].rf);
					if (r >= 0)
						close((int)r);
					printf("librlimit-escape room=%d %s %s\n", room,
					       lib_backends[b].name, res(r < 0 ? r : 0));
				}
				free(p);
			}
			while (nf > 0)
				close(fill[--nf]);
			setrlimit(RLIMIT_NOFILE, &old);
		}
	}
	fds_end();
	close(filefd);
	close(root.fd);
	return 0;
}
#endif

/* ------------------------------------------------------------------ */

static const struct {
	const char *name;
	int min;
	int (*fn)(char **, int);
} ops[] = {
	{ "calls", 1, op_calls },
	{ "writes", 2, op_writes },
	{ "nullcalls", 1, op_nullcalls },
	{ "long", 3, op_long },
	{ "flags", 2, op_flags },
	{ "rlimit", 2, op_rlimit },
	{ "lowlimit", 2, op_lowlimit },
	{ "closed012", 4, op_closed012 },
	{ "rootgone", 2, op_rootgone },
	{ "shimfds", 1, op_shimfds },
	{ "deepfd", 3, op_deepfd },
	{ "heldfd", 3, op_heldfd },
	{ "sock", 1, op_sock },
	{ "sysbad", 1, op_sysbad },
#ifdef BADINPUT_LIB
	{ "lib", 1, op_lib },
#endif
};

int main(int argc, char **argv)
{
	DIR *d = opendir("/proc/self/fd");
	struct dirent *e;

	/* The fds open (and visible) before main: not the shim's. */
	while (d && (e = readdir(d)) != NULL) {
		int fd = atoi(e->d_name);
		if (e->d_name[0] != '.' && fd != dirfd(d) && fd < NINHERITED &&
		    fcntl(fd, F_GETFD) >= 0)
			inherited[fd] = true;
	}
	if (d)
		closedir(d);
	if (argc < 2)
		goto usage;
	for (size_t i = 0; i < NELEM(ops); i++) {
		if (strcmp(argv[1], ops[i].name) != 0)
			continue;
		if (argc - 2 < ops[i].min)
			goto usage;
		if (strcmp(argv[1], "closed012") != 0) {
			home_fd = open(".", O_PATH | O_DIRECTORY | O_CLOEXEC);
			if (home_fd < 0) {
				perror("badinput-probe: .");
				return 2;
			}
		}
		return ops[i].fn(argv + 2, argc - 2);
	}
usage:
	fprintf(stderr, "usage: badinput-probe OP ARG... (see the comment at the top)\n");
	return 2;
}
