/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Helpers shared by the Check programs (test-resolver, test-differential):
 * a per-run base directory that is removed even when forked tests die, an
 * fd-leak fixture, a tiny tree description language, and errno names for
 * readable failure messages.
 *
 * Everything is static inline: each program includes this header once and
 * uses a different subset, and unused plain statics would warn.
 */
#ifndef BENEATH_TESTUTIL_H
#define BENEATH_TESTUTIL_H

#include <check.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <limits.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include "beneath.h"
#include "fdcount.h"

#ifndef STATX_MNT_ID
#define STATX_MNT_ID 0x00001000U
#endif

/* The base directory of one run; every test makes its own subdirectory.
 * Forked tests that fail exit without their teardown, so main() removes
 * the whole base at the end. */
static char tu_base[PATH_MAX];

/* Name of an errno for messages ("EXDEV"), or "ok" for a result >= 0. */
static inline const char *tu_err(long r)
{
	const char *s;

	if (r >= 0)
		return "ok";
	s = strerrorname_np((int)-r);
	return s ? s : "E?";
}

static inline const char *tu_backend_name(unsigned int rflags)
{
	if (rflags & BENEATH_BACKEND_WALKER)
		return "walker";
	if (rflags & BENEATH_BACKEND_OPENAT2)
		return "openat2";
	return "default";
}

/* Does this kernel (or valgrind, which 3.19 does not teach openat2)
 * have openat2(2)? */
static inline bool tu_have_openat2(void)
{
	struct { uint64_t flags, mode, resolve; } how = { O_PATH | O_CLOEXEC, 0, 0 };
	long fd = syscall(437 /* SYS_openat2 */, AT_FDCWD, ".", &how, sizeof(how));

	if (fd >= 0)
		close((int)fd);
	return !(fd < 0 && errno == ENOSYS);
}

/* Loop index of tcase_add_loop_test() -> backend bit. */
static inline unsigned int tu_backend(int i)
{
	return i ? BENEATH_BACKEND_WALKER : BENEATH_BACKEND_OPENAT2;
}

/* Open descriptors of this process, not counting the one used to look. */
static inline int tu_count_fds(void)
{
	int n = tu_count_fds_raw();

	return n < 0 ? -1 : n - 1;
}

static inline int tu_rm_one(const char *p, const struct stat *st, int type,
                            struct FTW *ftw)
{
	(void)st;
	(void)ftw;
	/* Keep going on errors: a half-removed tree beats an aborted run. */
	if (type == FTW_DP || type == FTW_DNR)
		rmdir(p);
	else
		unlink(p);
	return 0;
}

/* rm -rf that never follows symlinks nor crosses mounts. */
static inline void tu_rm_rf(const char *path)
{
	nftw(path, tu_rm_one, 16, FTW_DEPTH | FTW_PHYS | FTW_MOUNT);
}

/* Create the run's base directory under $TMPDIR (or /tmp). */
static inline void tu_base_init(const char *prog)
{
	const char *t = getenv("TMPDIR");

	if (!t || !*t)
		t = "/tmp";
	if ((size_t)snprintf(tu_base, sizeof(tu_base), "%s/%s.XXXXXX", t, prog) >= sizeof(tu_base) ||
	    !mkdtemp(tu_base)) {
		perror("mkdtemp");
		exit(2);
	}
}

static inline void tu_base_cleanup(void)
{
	if (tu_base[0])
		tu_rm_rf(tu_base);
}

/* ck_assert() reports its location to the runner on every pass (one
 * write(2) each); hot loops check with this, which only talks on failure. */
#define tu_require(expr)                                                       \
	do {                                                                   \
		if (!(expr))                                                   \
			ck_abort_msg("%s:%d: assertion failed: %s", __FILE__,  \
			             __LINE__, #expr);                         \
	} while (0)

/* snprintf into an array; a path that does not fit fails the test. */
#define tu_fmt(buf, ...)                                                       \
	ck_assert_msg((size_t)snprintf(buf, sizeof(buf), __VA_ARGS__) < sizeof(buf), \
	              "%s does not fit in " #buf, #__VA_ARGS__)

/* A fresh directory under the base (or under PARENT when non-NULL). */
static inline void tu_mkdtemp(char out[PATH_MAX], const char *parent)
{
	ck_assert((size_t)snprintf(out, PATH_MAX, "%s/t.XXXXXX", parent ? parent : tu_base) < PATH_MAX);
	ck_assert_msg(mkdtemp(out) != NULL, "mkdtemp(%s): %s", out, strerror(errno));
}

/* fd-leak fixture: every test must leave the fd table as it found it. */
static int tu_fds_before = -1;

static inline void tu_fd_setup(void)
{
	tu_fds_before = tu_count_fds();
	ck_assert_int_ge(tu_fds_before, 0);
}

static inline void tu_fd_teardown(void)
{
	int now = tu_count_fds();

	ck_assert_msg(now == tu_fds_before,
	              "fd leak: %d descriptors open before the test, %d after",
	              tu_fds_before, now);
}

/*
 * Build a tree under DFD from a description, one entry a line:
 *   d PATH            directory (0755)
 *   f PATH [TEXT]     regular file (0644) holding TEXT
 *   l PATH TARGET     symlink, TARGET stored verbatim
 *   p PATH            FIFO
 *   s PATH            socket inode (mknod S_IFSOCK)
 * Parents must come first. Tests read like the tree they use.
 */
static inline void tu_build(int dfd, const char *spec)
{
	char line[PATH_MAX * 2];

	while (*spec) {
		const char *nl = strchrnul(spec, '\n');
		size_t n = (size_t)(nl - spec);
		char *path, *arg = NULL, *sp;
		int r = 0;

		ck_assert_msg(n < sizeof(line), "tree line too long");
		memcpy(line, spec, n);
		line[n] = '\0';
		spec = *nl ? nl + 1 : nl;
		if (n == 0)
			continue;
		ck_assert_msg(n > 2 && line[1] == ' ', "bad tree line '%s'", line);
		path = line + 2;
		sp = strchr(path, ' ');
		if (sp) {
			*sp = '\0';
			arg = sp + 1;
		}
		switch (line[0]) {
		case 'd':
			r = mkdirat(dfd, path, 0755);
			break;
		case 'f': {
			int fd = openat(dfd, path, O_CREAT | O_EXCL | O_WRONLY | O_CLOEXEC, 0644);
			r = fd;
			if (fd >= 0) {
				size_t len = arg ? strlen(arg) : 0;
				if (len && write(fd, arg, len) != (ssize_t)len)
					r = -1;
				close(fd);
			}
			break;
		}
		case 'l':
			ck_assert_msg(arg != NULL, "symlink without target: '%s'", line);
			r = symlinkat(arg, dfd, path);
			break;
		case 'p':
			r = mknodat(dfd, path, S_IFIFO | 0644, 0);
			break;
		case 's':
			r = mknodat(dfd, path, S_IFSOCK | 0644, 0);
			break;
		default:
			ck_abort_msg("bad tree line type '%c'", line[0]);
		}
		ck_assert_msg(r >= 0, "building tree entry '%c %s': %s", line[0], path,
		              strerror(errno));
	}
}

/* Is FD the object REL names (not following a final symlink) under DFD? */
static inline bool tu_same(int fd, int dfd, const char *rel)
{
	struct stat a, b;

	if (fstat(fd, &a) < 0 || fstatat(dfd, rel, &b, AT_SYMLINK_NOFOLLOW | AT_EMPTY_PATH) < 0)
		return false;
	return a.st_dev == b.st_dev && a.st_ino == b.st_ino;
}

/* Read a whole small file under DFD into BUF ("" if missing). */
static inline const char *tu_read(int dfd, const char *rel, char *buf, size_t sz)
{
	int fd = openat(dfd, rel, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
	ssize_t n = 0;

	buf[0] = '\0';
	if (fd < 0)
		return buf;
	n = read(fd, buf, sz - 1);
	close(fd);
	buf[n > 0 ? n : 0] = '\0';
	return buf;
}

static inline bool tu_exists(int dfd, const char *rel)
{
	struct stat st;

	return fstatat(dfd, rel, &st, AT_SYMLINK_NOFOLLOW) == 0;
}

/* Mount id of PATH (not following a final symlink), 0 if unknown. */
static inline uint64_t tu_mnt_id(int dfd, const char *path)
{
	struct statx stx;

	if (statx(dfd, path, AT_SYMLINK_NOFOLLOW | AT_NO_AUTOMOUNT | AT_EMPTY_PATH,
	          STATX_MNT_ID, &stx) < 0 || !(stx.stx_mask & STATX_MNT_ID))
		return 0;
	return stx.stx_mnt_id;
}

/* Run SUITE the way every program here does; returns the exit status. */
static inline int tu_run(Suite *s)
{
	SRunner *sr = srunner_create(s);
	int failed;

	srunner_run_all(sr, CK_ENV);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? 1 : 0;
}

#endif /* BENEATH_TESTUTIL_H */
