/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * bench-shim: nanoseconds per libc call on files under a root, as the
 * program sees it. scripts/bench-shim runs it with and without
 * libbeneath-preload.so, interleaved, and takes the ratios: this program
 * only times calls. Not a test: it never fails on timing.
 *
 *   tests/bench-shim ROOT OUTSIDE_FILE [ITERATIONS [KEYS]]
 *
 * ROOT/a/b/c/file must exist (four components below the root), and for
 * the depth rows ROOT/file, ROOT/d/d/d/file, ROOT/d/.../file (7 "d") and
 * ROOT/d/.../file (15 "d"): a file 1, 4, 8 and 16 components below the
 * root. KEYS, a comma-separated list of the first column's keys, runs only
 * those. Prints "key<TAB>description<TAB>ns" lines, then "rss_kib" (peak
 * RSS, for the shim's memory cost) when every key ran.
 *
 * The "floor" keys are what a program that already holds the root's fd
 * pays at least for the same confined call: openat2(RESOLVE_BENEATH) from
 * that fd, issued as a raw system call so that the shim never sees it
 * (the shim interposes syscall() too). Under the shim they must read the
 * same as without it: they show the machine's noise between runs.
 */
#include "config.h"

#include <dirent.h>
#include <fcntl.h>
#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/syscall.h>

#include "sys.h"  /* raw system calls: the floor must not go through the shim's syscall() */
#include <time.h>
#include <unistd.h>

#ifndef SYS_openat2
#define SYS_openat2 437
#endif
#define RESOLVE_BENEATH_ 0x08

struct how { uint64_t flags, mode, resolve; };

static double now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec * 1e9 + (double)ts.tv_nsec;
}

static const char *outside;
static int rootfd;
static int dirfd_c;  /* ROOT/a/b/c, opened (under the shim: marked) under the root */

/* What one operation works on: the absolute path and the path relative to
 * the root (for the floors). */
struct target {
	char abs[PATH_MAX];
	char rel[PATH_MAX];
};

static void die(const char *what, const char *path)
{
	fprintf(stderr, "bench-shim: %s %s failed\n", what, path);
	exit(1);
}

static void op_open(const struct target *t)
{
	int fd = open(t->abs, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		die("open", t->abs);
	close(fd);
}

/* Without O_CLOEXEC, as nginx and most servers open the files they serve. */
static void op_open_inherit(const struct target *t)
{
	int fd = open(t->abs, O_RDONLY);
	if (fd < 0)
		die("open", t->abs);
	close(fd);
}

static void op_fopen(const struct target *t)
{
	FILE *f = fopen(t->abs, "re");
	if (!f)
		die("fopen", t->abs);
	fclose(f);
}

static void op_stat(const struct target *t)
{
	struct stat st;
	if (stat(t->abs, &st) < 0)
		die("stat", t->abs);
}

static void op_opendir(const struct target *t)
{
	DIR *d = opendir(t->abs);
	if (!d)
		die("opendir", t->abs);
	closedir(d);
}

static long floor_openat2(const struct target *t, uint64_t flags)
{
	struct how how = { flags | O_CLOEXEC, 0, RESOLVE_BENEATH_ };
	long fd = bsys_call4(SYS_openat2, rootfd, (long)t->rel, (long)&how, sizeof(how));

	if (fd < 0)
		die("openat2", t->rel);
	return fd;
}

/* open+close: openat2 + close. */
static void op_open_floor(const struct target *t)
{
	bsys_call1(SYS_close, floor_openat2(t, O_RDONLY));
}

/* stat: no stat call takes RESOLVE flags, so openat2(O_PATH) + fstat + close. */
static void op_stat_floor(const struct target *t)
{
	struct stat st;
	long fd = floor_openat2(t, O_PATH);

	if (bsys_call2(SYS_fstat, fd, (long)&st) < 0)
		abort();
	bsys_call1(SYS_close, fd);
}

/* fopen+fclose: openat2 + fdopen + fclose (neither is a path call). */
static void op_fopen_floor(const struct target *t)
{
	FILE *f = fdopen((int)floor_openat2(t, O_RDONLY), "r");
	if (!f)
		abort();
	fclose(f);
}

/* opendir+closedir: openat2(O_DIRECTORY) + fdopendir + closedir;
 * fdopendir adds an fstat and an fcntl(F_GETFL) that opendir does not
 * make, so this floor is a little above the least possible. */
static void op_opendir_floor(const struct target *t)
{
	DIR *d = fdopendir((int)floor_openat2(t, O_RDONLY | O_DIRECTORY));
	if (!d)
		abort();
	closedir(d);
}

static void op_dirfd_lstat(const struct target *t)
{
	struct stat st;
	(void)t;
	if (fstatat(dirfd_c, "file", &st, AT_SYMLINK_NOFOLLOW) < 0)
		die("fstatat", "file");
}

static void op_dirfd_open(const struct target *t)
{
	int fd = openat(dirfd_c, "../c/file", O_RDONLY | O_CLOEXEC);
	(void)t;
	if (fd < 0)
		die("openat", "../c/file");
	close(fd);
}

/* Relative to the working directory, ROOT/a/b/c. */
static void op_cwd_open(const struct target *t)
{
	int fd = open("file", O_RDONLY | O_CLOEXEC);
	(void)t;
	if (fd < 0)
		die("open", "file");
	close(fd);
}

enum { T_FILE, T_DIR, T_OUTSIDE, T_D1, T_D4, T_D8, T_D16, T_NONE, T_COUNT };
static struct target targets[T_COUNT];

static const struct op {
	const char *key, *name;
	void (*fn)(const struct target *);
	int target;
} ops[] = {
	{ "open", "open+close", op_open, T_FILE },
	{ "open-inherit", "open+close, no O_CLOEXEC", op_open_inherit, T_FILE },
	{ "fopen", "fopen+fclose", op_fopen, T_FILE },
	{ "stat", "stat", op_stat, T_FILE },
	{ "opendir", "opendir+closedir", op_opendir, T_DIR },
	{ "outside", "outside open+close", op_open, T_OUTSIDE },
	{ "dirfd-lstat", "dirfd: fstatat(fd, name, NOFOLLOW)", op_dirfd_lstat, T_NONE },
	{ "dirfd-open", "dirfd: openat(fd, ../c/file)+close", op_dirfd_open, T_NONE },
	{ "cwd-open", "cwd: open(file)+close", op_cwd_open, T_NONE },
	{ "floor-open", "floor: openat2 open+close", op_open_floor, T_FILE },
	{ "floor-stat", "floor: openat2 O_PATH+fstat+close", op_stat_floor, T_FILE },
	{ "floor-fopen", "floor: openat2+fdopen+fclose", op_fopen_floor, T_FILE },
	{ "floor-opendir", "floor: openat2(O_DIRECTORY)+fdopendir+closedir", op_opendir_floor, T_DIR },
	{ "open-d1", "open+close, depth 1", op_open, T_D1 },
	{ "open-d4", "open+close, depth 4", op_open, T_D4 },
	{ "open-d8", "open+close, depth 8", op_open, T_D8 },
	{ "open-d16", "open+close, depth 16", op_open, T_D16 },
	{ "stat-d1", "stat, depth 1", op_stat, T_D1 },
	{ "stat-d4", "stat, depth 4", op_stat, T_D4 },
	{ "stat-d8", "stat, depth 8", op_stat, T_D8 },
	{ "stat-d16", "stat, depth 16", op_stat, T_D16 },
	{ "floor-open-d1", "floor: openat2 open+close, depth 1", op_open_floor, T_D1 },
	{ "floor-open-d4", "floor: openat2 open+close, depth 4", op_open_floor, T_D4 },
	{ "floor-open-d8", "floor: openat2 open+close, depth 8", op_open_floor, T_D8 },
	{ "floor-open-d16", "floor: openat2 open+close, depth 16", op_open_floor, T_D16 },
	{ "floor-stat-d1", "floor: openat2 O_PATH+fstat+close, depth 1", op_stat_floor, T_D1 },
	{ "floor-stat-d4", "floor: openat2 O_PATH+fstat+close, depth 4", op_stat_floor, T_D4 },
	{ "floor-stat-d8", "floor: openat2 O_PATH+fstat+close, depth 8", op_stat_floor, T_D8 },
	{ "floor-stat-d16", "floor: openat2 O_PATH+fstat+close, depth 16", op_stat_floor, T_D16 },
};

static void set_target(int i, const char *root, const char *rel)
{
	snprintf(targets[i].rel, sizeof(targets[i].rel), "%s", rel);
	snprintf(targets[i].abs, sizeof(targets[i].abs), "%s/%s", root, rel);
}

/* The file DEPTH components below the root: DEPTH - 1 directories "d". */
static void set_depth(int i, const char *root, int depth)
{
	char rel[PATH_MAX] = "";

	for (int k = 1; k < depth; k++)
		strcat(rel, "d/");
	strcat(rel, "file");
	set_target(i, root, rel);
}

static int selected(const char *keys, const char *key)
{
	size_t n = strlen(key);

	for (const char *p = keys; p && *p; ) {
		const char *e = strchr(p, ',');
		size_t len = e ? (size_t)(e - p) : strlen(p);

		if (len == n && !memcmp(p, key, n))
			return 1;
		p = e ? e + 1 : NULL;
	}
	return 0;
}

int main(int argc, char **argv)
{
	long n = argc > 3 ? atol(argv[3]) : 100000;
	const char *keys = argc > 4 ? argv[4] : NULL;
	struct rusage ru;

	if (argc < 3 || n <= 0) {
		fprintf(stderr, "usage: bench-shim ROOT OUTSIDE_FILE [ITERATIONS [KEYS]]\n");
		return 2;
	}
	set_target(T_FILE, argv[1], "a/b/c/file");
	set_target(T_DIR, argv[1], "a/b/c");
	snprintf(targets[T_OUTSIDE].abs, PATH_MAX, "%s", argv[2]);
	set_depth(T_D1, argv[1], 1);
	set_depth(T_D4, argv[1], 4);
	set_depth(T_D8, argv[1], 8);
	set_depth(T_D16, argv[1], 16);
	outside = argv[2];
	rootfd = (int)bsys_call4(SYS_openat, AT_FDCWD, (long)argv[1], O_PATH | O_DIRECTORY | O_CLOEXEC, 0);
	dirfd_c = open(targets[T_DIR].abs, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (rootfd < 0 || dirfd_c < 0 || chdir(targets[T_DIR].abs) < 0) {
		fprintf(stderr, "bench-shim: %s/a/b/c: cannot open\n", argv[1]);
		return 1;
	}
	for (size_t i = 0; i < sizeof(ops) / sizeof(ops[0]); i++) {
		const struct op *op = &ops[i];
		const struct target *t = &targets[op->target];
		double t0;

		if (keys && !selected(keys, op->key))
			continue;
		for (long k = 0; k < n / 10; k++)  /* warm up */
			op->fn(t);
		t0 = now_ns();
		for (long k = 0; k < n; k++)
			op->fn(t);
		printf("%s\t%s\t%.1f\n", op->key, op->name, (now_ns() - t0) / (double)n);
	}
	if (!keys) {
		getrusage(RUSAGE_SELF, &ru);
		printf("rss_kib\tpeak RSS (KiB)\t%ld\n", ru.ru_maxrss);
	}
	return 0;
}
