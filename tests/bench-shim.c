/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * bench-shim: nanoseconds per libc call on a file four levels below a
 * root, as the program sees it. scripts/bench-shim runs it with and
 * without libbeneath-preload.so, interleaved, and takes the ratios: this
 * program only times calls. Not a test: it never fails on timing.
 *
 *   tests/bench-shim ROOT OUTSIDE_FILE [ITERATIONS]
 * ROOT/a/b/c/file must exist. Prints "name ns" lines, then "rss_kib N"
 * (peak RSS, for the shim's memory cost).
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

struct how { uint64_t flags, mode, resolve; };

static double now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec * 1e9 + (double)ts.tv_nsec;
}

static char file[PATH_MAX], dir[PATH_MAX];
static const char *outside;
static int rootfd;

static void op_open(void)
{
	int fd = open(file, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		abort();
	close(fd);
}

static void op_fopen(void)
{
	FILE *f = fopen(file, "re");
	if (!f)
		abort();
	fclose(f);
}

static void op_stat(void)
{
	struct stat st;
	if (stat(file, &st) < 0)
		abort();
}

static void op_opendir(void)
{
	DIR *d = opendir(dir);
	if (!d)
		abort();
	closedir(d);
}

static void op_outside(void)
{
	int fd = open(outside, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		abort();
	close(fd);
}

/* The kernel's floor for a confined stat: no stat call takes RESOLVE
 * flags, so it is openat2(O_PATH) + fstat + close. Raw system calls, so
 * the shim never sees them. */
static void op_stat_floor(void)
{
	struct how how = { O_PATH | O_CLOEXEC, 0, 0x08 /* RESOLVE_BENEATH */ };
	struct stat st;
	long fd = bsys_call4(SYS_openat2, rootfd, (long)"a/b/c/file", (long)&how, sizeof(how));

	if (fd < 0 || bsys_call2(SYS_fstat, fd, (long)&st) < 0)
		abort();
	bsys_call1(SYS_close, fd);
}

static void op_open_floor(void)
{
	struct how how = { O_RDONLY | O_CLOEXEC, 0, 0x08 };
	long fd = bsys_call4(SYS_openat2, rootfd, (long)"a/b/c/file", (long)&how, sizeof(how));

	if (fd < 0)
		abort();
	bsys_call1(SYS_close, fd);
}

/* Relative to a directory fd and to the working directory, both opened
 * (under the shim: marked) under the root. */
static int dirfd_c;

static void op_dirfd_lstat(void)
{
	struct stat st;
	if (fstatat(dirfd_c, "file", &st, AT_SYMLINK_NOFOLLOW) < 0)
		abort();
}

static void op_dirfd_open(void)
{
	int fd = openat(dirfd_c, "../c/file", O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		abort();
	close(fd);
}

static void op_cwd_open(void)
{
	int fd = open("file", O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		abort();
	close(fd);
}

static const struct { const char *name; void (*fn)(void); } ops[] = {
	{ "open+close", op_open },
	{ "fopen+fclose", op_fopen },
	{ "stat", op_stat },
	{ "opendir+closedir", op_opendir },
	{ "outside open+close", op_outside },
	{ "dirfd: fstatat(fd, name, NOFOLLOW)", op_dirfd_lstat },
	{ "dirfd: openat(fd, ../c/file)+close", op_dirfd_open },
	{ "cwd: open(file)+close", op_cwd_open },
	{ "floor: openat2 open+close", op_open_floor },
	{ "floor: openat2 O_PATH+fstat+close", op_stat_floor },
};

int main(int argc, char **argv)
{
	long n = argc > 3 ? atol(argv[3]) : 100000;
	struct rusage ru;

	if (argc < 3) {
		fprintf(stderr, "usage: bench-shim ROOT OUTSIDE_FILE [ITERATIONS]\n");
		return 2;
	}
	snprintf(file, sizeof(file), "%s/a/b/c/file", argv[1]);
	snprintf(dir, sizeof(dir), "%s/a/b/c", argv[1]);
	outside = argv[2];
	rootfd = (int)bsys_call4(SYS_openat, AT_FDCWD, (long)argv[1], O_PATH | O_DIRECTORY | O_CLOEXEC, 0);
	dirfd_c = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (rootfd < 0 || dirfd_c < 0 || chdir(dir) < 0)
		return 1;
	for (size_t i = 0; i < sizeof(ops) / sizeof(ops[0]); i++) {
		double t0;

		for (long k = 0; k < n / 10; k++)  /* warm up */
			ops[i].fn();
		t0 = now_ns();
		for (long k = 0; k < n; k++)
			ops[i].fn();
		printf("%s\t%.1f\n", ops[i].name, (now_ns() - t0) / (double)n);
	}
	getrusage(RUSAGE_SELF, &ru);
	printf("rss_kib\t%ld\n", ru.ru_maxrss);
	return 0;
}
