/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * bench-resolve: nanoseconds per open+close of a file DEPTH components
 * below a root, for native open(2) of the same absolute path, the openat2
 * backend, the walker, and the bare system calls of a walk (the floor any
 * userspace walker pays here). Not a test: it never fails on timing.
 *
 * The methods are interleaved round by round and each figure is the
 * median over the rounds, so a noisy neighbour hits every method alike;
 * the ratios against native come from the same run.
 *
 *   tests/bench-resolve [-n ITERATIONS] [-r ROUNDS] [-m]
 * -m prints a Markdown table (as pasted into BENCHMARKS.md).
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "beneath.h"

/* FLOOR issues the walker's system calls directly (one O_PATH openat per
 * directory, the final openat, one close_range): what any walker that
 * opens every component costs on this machine, without resolver logic. */
enum method { NATIVE, OPENAT2, WALKER, FLOOR, N_METHODS };
static const char *const method_name[N_METHODS] = {
	"native open", "openat2 backend", "walker", "walk floor",
};
static const int depths[] = { 1, 4, 6, 8, 16 };
#define N_DEPTHS (sizeof(depths) / sizeof(depths[0]))
#define MAX_ROUNDS 101

static char top[PATH_MAX];

static double now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec * 1e9 + (double)ts.tv_nsec;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

/* Builds top/d/d/.../file with DEPTH components in all; REL gets the
 * relative path. */
static void build(int depth, char *rel, size_t relsz)
{
	char p[PATH_MAX];
	size_t off = 0;
	int fd;

	rel[0] = '\0';
	for (int i = 1; i < depth; i++) {
		off += (size_t)snprintf(rel + off, relsz - off, "d%d/", i);
		snprintf(p, sizeof(p), "%.2048s/%.2000s", top, rel);
		if (mkdir(p, 0755) < 0 && errno != EEXIST) {
			perror(p);
			exit(1);
		}
	}
	snprintf(rel + off, relsz - off, "file%d", depth);
	snprintf(p, sizeof(p), "%.2048s/%.2000s", top, rel);
	fd = open(p, O_CREAT | O_WRONLY | O_CLOEXEC, 0644);
	if (fd < 0) {
		perror(p);
		exit(1);
	}
	close(fd);
}

static int walk_floor(int rootfd, const char *rel)
{
	char name[NAME_MAX + 1];
	int first = -1, cur = rootfd, fd;
	const char *p = rel, *slash;

	while ((slash = strchr(p, '/'))) {
		memcpy(name, p, (size_t)(slash - p));
		name[slash - p] = '\0';
		cur = openat(cur, name, O_PATH | O_NOFOLLOW | O_DIRECTORY | O_CLOEXEC);
		if (first < 0)
			first = cur;
		p = slash + 1;
	}
	fd = openat(cur, p, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
	if (first >= 0)
		close_range((unsigned int)first, (unsigned int)cur, 0);
	return fd;
}

static double run(enum method m, const struct beneath_root *root,
                  const char *abs, const char *rel, long iters)
{
	double t0 = now_ns();

	for (long i = 0; i < iters; i++) {
		int fd;

		switch (m) {
		case NATIVE:
			fd = open(abs, O_RDONLY | O_CLOEXEC);
			break;
		case OPENAT2:
			fd = beneath_open(root, rel, O_RDONLY, 0, BENEATH_BACKEND_OPENAT2);
			break;
		case WALKER:
			fd = beneath_open(root, rel, O_RDONLY, 0, BENEATH_BACKEND_WALKER);
			break;
		default:
			fd = walk_floor(root->fd, rel);
			break;
		}
		if (fd < 0) {
			fprintf(stderr, "%s: %s: %s\n", method_name[m], rel,
			        strerror(fd == -1 ? errno : -fd));
			exit(1);
		}
		close(fd);
	}
	return (now_ns() - t0) / (double)iters;
}

int main(int argc, char **argv)
{
	static double samples[N_DEPTHS][N_METHODS][MAX_ROUNDS];
	long iters = 20000;
	int rounds = 11, opt;
	bool md = false;
	const char *tmp = getenv("TMPDIR");
	struct beneath_root root;
	char rel[N_DEPTHS][PATH_MAX], abs[N_DEPTHS][PATH_MAX];

	while ((opt = getopt(argc, argv, "n:r:m")) != -1) {
		switch (opt) {
		case 'n':
			iters = strtol(optarg, NULL, 10);
			break;
		case 'r':
			rounds = atoi(optarg);
			break;
		case 'm':
			md = true;
			break;
		default:
			fprintf(stderr, "usage: %s [-n ITERATIONS] [-r ROUNDS] [-m]\n", argv[0]);
			return 2;
		}
	}
	if (iters < 1 || rounds < 1 || rounds > MAX_ROUNDS) {
		fprintf(stderr, "bad -n or -r (rounds: 1..%d)\n", MAX_ROUNDS);
		return 2;
	}
	snprintf(top, sizeof(top), "%s/bench-resolve.XXXXXX", tmp && *tmp ? tmp : "/tmp");
	if (!mkdtemp(top)) {
		perror("mkdtemp");
		return 1;
	}
	for (size_t d = 0; d < N_DEPTHS; d++) {
		build(depths[d], rel[d], sizeof(rel[d]));
		snprintf(abs[d], sizeof(abs[d]), "%.2048s/%.2000s", top, rel[d]);
	}
	root.fd = open(top, O_PATH | O_DIRECTORY | O_CLOEXEC);
	root.path = top;
	if (root.fd < 0) {
		perror(top);
		return 1;
	}
	if (strcmp(beneath_backend(BENEATH_BACKEND_OPENAT2), "openat2") != 0) {
		fprintf(stderr, "openat2 is not available on this kernel\n");
		return 1;
	}

	for (int r = 0; r < rounds; r++)
		for (size_t d = 0; d < N_DEPTHS; d++)
			for (int m = 0; m < N_METHODS; m++)
				samples[d][m][r] = run((enum method)m, &root, abs[d], rel[d],
				                       r == 0 ? iters / 10 + 1 : iters);

	if (md) {
		printf("| depth | native open (ns) | openat2 backend (ns) | ratio | walker (ns) | ratio | walk floor (ns) | ratio |\n");
		printf("|---:|---:|---:|---:|---:|---:|---:|---:|\n");
	} else {
		printf("%5s %12s %16s %7s %12s %7s %12s %7s\n", "depth", method_name[NATIVE],
		       method_name[OPENAT2], "ratio", method_name[WALKER], "ratio",
		       method_name[FLOOR], "ratio");
	}
	for (size_t d = 0; d < N_DEPTHS; d++) {
		double med[N_METHODS];

		for (int m = 0; m < N_METHODS; m++) {
			/* round 0 is warm-up */
			double *s = samples[d][m] + (rounds > 1);
			int n = rounds - (rounds > 1);
			qsort(s, (size_t)n, sizeof(*s), cmp_double);
			med[m] = s[n / 2];
		}
		printf(md ? "| %d | %.0f | %.0f | %.2fx | %.0f | %.2fx | %.0f | %.2fx |\n"
		          : "%5d %12.0f %16.0f %6.2fx %12.0f %6.2fx %12.0f %6.2fx\n",
		       depths[d], med[NATIVE], med[OPENAT2], med[OPENAT2] / med[NATIVE],
		       med[WALKER], med[WALKER] / med[NATIVE],
		       med[FLOOR], med[FLOOR] / med[NATIVE]);
	}

	close(root.fd);
	for (int d = (int)N_DEPTHS - 1; d >= 0; d--) {
		char p[PATH_MAX];
		char *slash;

		snprintf(p, sizeof(p), "%.2048s/%.2000s", top, rel[d]);
		unlink(p);
		while ((slash = strrchr(p, '/')) && slash > p + strlen(top)) {
			*slash = '\0';
			rmdir(p);
		}
	}
	rmdir(top);
	return 0;
}
