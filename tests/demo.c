/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The demonstration: a "user" plants symlinks in a web root that point at
 * another user's secret. A naive daemon opens root + "/" + name and serves
 * the secret; the same opens through libbeneath are refused.
 *
 * Exit status 0 only if every naive open of a planted link escaped and
 * every libbeneath open of one was denied, while the legitimate files
 * were served both ways.
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
#include <unistd.h>

#include "beneath.h"

static char top[PATH_MAX];

static void die(const char *what)
{
	perror(what);
	exit(2);
}

/* snprintf into a PATH_MAX buffer; the demo tree never needs more. */
#define FMT(buf, ...)                                                   \
	do {                                                            \
		int n_ = snprintf(buf, sizeof(buf), __VA_ARGS__);       \
		if (n_ < 0 || (size_t)n_ >= sizeof(buf))                \
			die("path too long");                           \
	} while (0)

static void put(const char *rel, const char *text)
{
	char p[PATH_MAX];
	FILE *f;

	FMT(p, "%s/%s", top, rel);
	f = fopen(p, "w");
	if (!f || fputs(text, f) < 0 || fclose(f) != 0)
		die(p);
}

static void mk(const char *rel, mode_t mode)
{
	char p[PATH_MAX];

	FMT(p, "%s/%s", top, rel);
	if (mkdir(p, mode) < 0)
		die(p);
}

static void plant(const char *target, const char *rel)
{
	char p[PATH_MAX];

	FMT(p, "%s/%s", top, rel);
	if (symlink(target, p) < 0)
		die(p);
}

/* Read the first line of FD into BUF; the fd is closed. */
static const char *first_line(int fd, char *buf, size_t len)
{
	ssize_t n = read(fd, buf, len - 1);

	close(fd);
	if (n < 0)
		return "(read error)";
	buf[n] = '\0';
	buf[strcspn(buf, "\n")] = '\0';
	return buf;
}

int main(void)
{
	static const struct {
		const char *name;
		bool planted;
	} reqs[] = {
		{ "index.html", false },
		{ "docs/../index.html", false },
		{ "alias.html", false },       /* www/alias.html -> index.html */
		{ "home.html", false },        /* absolute symlink back inside */
		{ "key", true },               /* absolute symlink to bob's key */
		{ "up", true },                /* ../../bob/.gnupg/key */
		{ "docs/dirlink/key", true },  /* symlinked directory */
		{ "../../bob/.gnupg/key", true },
	};
	const char *tmp = getenv("TMPDIR");
	char www[PATH_MAX], secret[PATH_MAX];
	struct beneath_root root;
	int escaped = 0, denied = 0, served = 0, wrong = 0;

	FMT(top, "%s/beneath-demo.XXXXXX", tmp && *tmp ? tmp : "/tmp");
	if (!mkdtemp(top))
		die("mkdtemp");
	FMT(www, "%s/alice/www", top);
	FMT(secret, "%s/bob/.gnupg/key", top);
	mk("alice", 0755);
	mk("alice/www", 0755);
	mk("alice/www/docs", 0755);
	mk("bob", 0700);
	mk("bob/.gnupg", 0700);
	put("alice/www/index.html", "alice's home page\n");
	put("bob/.gnupg/key", "BOB'S PRIVATE KEY\n");
	/* What alice plants in her own web root: */
	plant("index.html", "alice/www/alias.html");
	plant(secret, "alice/www/key");
	{
		char inside[PATH_MAX];
		FMT(inside, "%s/index.html", www);
		plant(inside, "alice/www/home.html");
	}
	plant("../../bob/.gnupg/key", "alice/www/up");
	*strrchr(secret, '/') = '\0';
	plant(secret, "alice/www/docs/dirlink");
	strcat(secret, "/key");

	root.fd = open(www, O_PATH | O_DIRECTORY | O_CLOEXEC);
	root.path = www;
	if (root.fd < 0)
		die(www);

	printf("web root: %s\nsecret:   %s (another user's)\nbackend:  %s\n\n",
	       www, secret, beneath_backend(BENEATH_MODE_CONTAIN));
	printf("%-24s  %-34s  %s\n", "request", "naive open(root/name)", "beneath_open(root, name)");
	for (size_t i = 0; i < sizeof(reqs) / sizeof(reqs[0]); i++) {
		char path[PATH_MAX], a[128], b[128];
		const char *naive, *safe;
		int fd;

		FMT(path, "%s/%s", www, reqs[i].name);
		fd = open(path, O_RDONLY | O_CLOEXEC);
		naive = fd < 0 ? strerror(errno) : first_line(fd, a, sizeof(a));
		fd = beneath_open(&root, reqs[i].name, O_RDONLY, 0, BENEATH_MODE_CONTAIN);
		safe = fd == -EXDEV ? "EXDEV: refused, leaves the root"
		       : fd < 0 ? strerror(-fd) : first_line(fd, b, sizeof(b));
		if (reqs[i].planted) {
			bool leak = strstr(naive, "PRIVATE") != NULL;
			escaped += leak;
			denied += fd < 0;
			wrong += !leak || fd >= 0;
			printf("%-24s  %-34s  %s\n", reqs[i].name,
			       leak ? "ESCAPED: \"BOB'S PRIVATE KEY\"" : naive,
			       fd < 0 ? safe : "SERVED (bug!)");
		} else {
			served += fd >= 0;
			wrong += fd < 0;
			printf("%-24s  %-34s  %s\n", reqs[i].name, naive, safe);
		}
	}
	printf("\nnaive: %d of 4 planted links escaped; libbeneath: %d of 4 denied, "
	       "%d of 4 legitimate files served\n", escaped, denied, served);
	close(root.fd);
	{
		/* Best effort cleanup of the demo tree. */
		char cmd[PATH_MAX + 16];
		FMT(cmd, "rm -rf '%s'", top);
		if (system(cmd) != 0)
			fprintf(stderr, "could not remove %s\n", top);
	}
	return wrong ? 1 : 0;
}
