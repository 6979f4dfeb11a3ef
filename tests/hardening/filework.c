/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * filework DATADIR: the file work of an ordinary program, under DATADIR:
 * mkdir -p, write, rename and read back, a relative and an absolute symlink
 * that stay inside (followed), a temporary file from mkstemp renamed into
 * place, a scandir and an fts walk, and a result written to DATADIR/out.
 * One line per step on stdout; a failed step is a message on stderr and
 * exit status 1 (after the remaining steps).
 */
#include "config.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <fts.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static const char *data;
static int status;

static void fail(const char *what, const char *path)
{
	fprintf(stderr, "filework: %s %s: %s\n", what, path, strerror(errno));
	status = 1;
}

/* path: DATADIR/rel, in a static buffer per slot. */
static const char *at(int slot, const char *rel)
{
	static char buf[4][4096];

	snprintf(buf[slot], sizeof buf[slot], "%s/%s", data, rel);
	return buf[slot];
}

/* mkdir -p DATADIR/rel, one component at a time from DATADIR (which a
 * build outside the source tree has yet to make). */
static int mkdir_p(const char *rel)
{
	char path[4096];
	size_t n = strlen(data);

	snprintf(path, sizeof path, "%s/%s", data, rel);
	if (mkdir(data, 0755) < 0 && errno != EEXIST) {
		fail("mkdir", data);
		return -1;
	}
	for (char *p = path + n + 1;; p++) {
		if (*p == '/' || *p == '\0') {
			char c = *p;

			*p = '\0';
			if (mkdir(path, 0755) < 0 && errno != EEXIST) {
				fail("mkdir", path);
				return -1;
			}
			*p = c;
			if (c == '\0')
				return 0;
		}
	}
}

static int put(const char *path, const char *text)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);

	if (fd < 0) {
		fail("open", path);
		return -1;
	}
	if (write(fd, text, strlen(text)) != (ssize_t)strlen(text)) {
		fail("write", path);
		close(fd);
		return -1;
	}
	return close(fd);
}

/* The first line of path, without its newline, into buf. */
static int get(const char *path, char *buf, size_t size)
{
	FILE *f = fopen(path, "r");

	buf[0] = '\0';
	if (!f) {
		fail("fopen", path);
		return -1;
	}
	if (!fgets(buf, (int)size, f))
		buf[0] = '\0';
	fclose(f);
	buf[strcspn(buf, "\n")] = '\0';
	return 0;
}

static int cmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static void walk(void)
{
	char *argv[] = { (char *)data, NULL };
	char *lines[256];
	size_t n = 0, dl = strlen(data);
	FTS *fts = fts_open(argv, FTS_PHYSICAL, NULL);
	FTSENT *e;

	if (!fts) {
		fail("fts_open", data);
		return;
	}
	while ((e = fts_read(fts)) && n < 256) {
		const char *type;

		if (e->fts_level == 0)
			continue;
		switch (e->fts_info) {
		case FTS_D: type = "D"; break;
		case FTS_DP: continue;
		case FTS_F: type = "F"; break;
		case FTS_SL: case FTS_SLNONE: type = "SL"; break;
		default: type = "?"; break;
		}
		if (asprintf(&lines[n], "fts: %s %s", type, e->fts_path + dl + 1) < 0)
			break;
		n++;
	}
	if (errno && !e)
		fail("fts_read", data);
	fts_close(fts);
	qsort(lines, n, sizeof lines[0], cmp);
	for (size_t i = 0; i < n; i++) {
		puts(lines[i]);
		free(lines[i]);
	}
}

static int notdot(const struct dirent *d)
{
	return d->d_name[0] != '.';
}

int main(int argc, char **argv)
{
	char buf[256], tmpl[4096];
	struct dirent **names;
	struct stat st;
	FILE *f;
	int fd, n;

	if (argc != 2 || argv[1][0] != '/') {
		fprintf(stderr, "usage: filework /ABSOLUTE/DATADIR\n");
		return 2;
	}
	data = argv[1];

	if (mkdir_p("sub/deep") == 0 && mkdir_p("tmp") == 0 && mkdir_p("out") == 0)
		puts("mkdir-p: ok");

	put(at(0, "sub/deep/file.txt"), "hello\n");

	if (put(at(0, "a.txt"), "hello-b\n") == 0) {
		if (rename(at(0, "a.txt"), at(1, "b.txt")) < 0)
			fail("rename", at(0, "a.txt"));
		else if (get(at(1, "b.txt"), buf, sizeof buf) == 0)
			printf("rename: %s\n", buf);
	}

	/* A relative symlink and an absolute one, both inside. */
	unlink(at(0, "link"));
	if (symlink("sub/deep/file.txt", at(0, "link")) < 0)
		fail("symlink", at(0, "link"));
	else if ((n = (int)readlink(at(0, "link"), buf, sizeof buf - 1)) < 0)
		fail("readlink", at(0, "link"));
	else if (buf[n] = '\0', strcmp(buf, "sub/deep/file.txt") != 0)
		fprintf(stderr, "filework: link reads %s\n", buf), status = 1;
	else if (get(at(0, "link"), buf, sizeof buf) == 0)
		printf("symlink: %s\n", buf);
	unlink(at(0, "abslink"));
	if (symlink(at(1, "sub/deep/file.txt"), at(0, "abslink")) < 0)
		fail("symlink", at(0, "abslink"));
	else if (get(at(0, "abslink"), buf, sizeof buf) == 0)
		printf("abslink: %s\n", buf);

	/* A temporary file, renamed into place. */
	snprintf(tmpl, sizeof tmpl, "%s/tmp/fw.XXXXXX", data);
	if ((fd = mkstemp(tmpl)) < 0) {
		fail("mkstemp", tmpl);
	} else {
		if (write(fd, "stamp\n", 6) != 6)
			fail("write", tmpl);
		close(fd);
		if (rename(tmpl, at(0, "tmp/stamp")) < 0)
			fail("rename", tmpl);
		else if (stat(at(0, "tmp/stamp"), &st) < 0)
			fail("stat", at(0, "tmp/stamp"));
		else if (st.st_size == 6)
			puts("mkstemp: ok");
	}

	n = scandir(at(0, "sub/deep"), &names, notdot, alphasort);
	if (n < 0) {
		fail("scandir", at(0, "sub/deep"));
	} else {
		for (int i = 0; i < n; i++) {
			printf("scandir: %s\n", names[i]->d_name);
			free(names[i]);
		}
		free(names);
	}

	errno = 0;
	walk();

	/* The result, written into out/. */
	if (!(f = fopen(at(0, "out/result.txt"), "w"))) {
		fail("fopen", at(0, "out/result.txt"));
	} else {
		fprintf(f, "result of filework\n");
		if (fclose(f) == 0)
			puts("out: ok");
		else
			fail("fclose", at(0, "out/result.txt"));
	}
	return status;
}
