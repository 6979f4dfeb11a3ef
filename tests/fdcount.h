/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Counting open fds for the tests' leak checks. */
#ifndef BENEATH_TESTS_FDCOUNT_H
#define BENEATH_TESTS_FDCOUNT_H

#include <dirent.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>

/* The fds counted by a leak check: all of them, or under
 * libbeneath-preload.so (a hardening run of this suite) those below half
 * the soft RLIMIT_NOFILE, since the shim keeps its own (root directories,
 * opened on first use) up there. */
static inline long tu_fd_counted_below(void)
{
	const char *pre = getenv("LD_PRELOAD");
	struct rlimit rl;

	if (!pre || !strstr(pre, "libbeneath-preload") || getrlimit(RLIMIT_NOFILE, &rl) < 0 ||
	    rl.rlim_cur == RLIM_INFINITY)
		return LONG_MAX;
	return (long)(rl.rlim_cur / 2);
}

/* Open fds (those a leak check counts), through /proc/self/fd, the
 * directory stream's own included. */
static inline int tu_count_fds_raw(void)
{
	DIR *d = opendir("/proc/self/fd");
	struct dirent *e;
	long below = tu_fd_counted_below();
	int n = 0;

	if (!d)
		return -1;
	while ((e = readdir(d)))
		if (e->d_name[0] != '.' && strtol(e->d_name, NULL, 10) < below)
			n++;
	closedir(d);
	return n;
}

#endif
