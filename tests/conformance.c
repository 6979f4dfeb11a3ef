/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The conformance runner: every row of a cases file through beneath_open()
 * against trees built from a trees file, in the shared corpus format
 * (../shared/conformance/README.md).
 *
 *   conformance [--backend=openat2|walker] TREES CASES
 *
 * Prints one line per mismatch and ends with "N passed, N failed".
 * Exit status: 0 all passed, 1 a failure (or an fd leak), 2 usage,
 * parse or setup error.
 *
 * Beyond the corpus format: the mode word "contain" (BENEATH_MODE_CONTAIN),
 * and the token @ROOT@ in a case's PATH (and in tree symlink targets),
 * replaced by the absolute real path of the tree top.
 */
#include "config.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "beneath.h"
#include "fdcount.h"
#include "tree.h"

#define ERRNO_ENTRY(e) { e, #e }
static const struct {
	int num;
	const char *name;
} errno_names[] = {
	ERRNO_ENTRY(EPERM),        ERRNO_ENTRY(ENOENT),    ERRNO_ENTRY(EINTR),
	ERRNO_ENTRY(EIO),          ERRNO_ENTRY(ENXIO),     ERRNO_ENTRY(E2BIG),
	ERRNO_ENTRY(EBADF),        ERRNO_ENTRY(EAGAIN),    ERRNO_ENTRY(ENOMEM),
	ERRNO_ENTRY(EACCES),       ERRNO_ENTRY(EFAULT),    ERRNO_ENTRY(EBUSY),
	ERRNO_ENTRY(EEXIST),       ERRNO_ENTRY(EXDEV),     ERRNO_ENTRY(ENODEV),
	ERRNO_ENTRY(ENOTDIR),      ERRNO_ENTRY(EISDIR),    ERRNO_ENTRY(EINVAL),
	ERRNO_ENTRY(ENFILE),       ERRNO_ENTRY(EMFILE),    ERRNO_ENTRY(ETXTBSY),
	ERRNO_ENTRY(EFBIG),        ERRNO_ENTRY(ENOSPC),    ERRNO_ENTRY(EROFS),
	ERRNO_ENTRY(EMLINK),       ERRNO_ENTRY(ERANGE),    ERRNO_ENTRY(ENAMETOOLONG),
	ERRNO_ENTRY(ENOSYS),       ERRNO_ENTRY(ENOTEMPTY), ERRNO_ENTRY(ELOOP),
	ERRNO_ENTRY(ENODATA),      ERRNO_ENTRY(EOVERFLOW), ERRNO_ENTRY(EBADFD),
	ERRNO_ENTRY(ENOTSOCK),     ERRNO_ENTRY(EOPNOTSUPP), ERRNO_ENTRY(ESTALE),
	ERRNO_ENTRY(EDQUOT),       ERRNO_ENTRY(ENOMEDIUM),
};

static const char *errno_name(int e, char *buf, size_t bufsz)
{
	for (size_t i = 0; i < sizeof(errno_names) / sizeof(errno_names[0]); i++)
		if (errno_names[i].num == e)
			return errno_names[i].name;
	snprintf(buf, bufsz, "errno %d", e);
	return buf;
}

static int errno_lookup(const char *name)
{
	for (size_t i = 0; i < sizeof(errno_names) / sizeof(errno_names[0]); i++)
		if (!strcmp(errno_names[i].name, name))
			return errno_names[i].num;
	/* Aliases a corpus may use for the same numbers. */
	if (!strcmp(name, "EWOULDBLOCK"))
		return EWOULDBLOCK;
	if (!strcmp(name, "ENOTSUP"))
		return ENOTSUP;
	return 0;
}

static const struct {
	const char *name;
	mode_t type;
} type_names[] = {
	{ "dir", S_IFDIR }, { "reg", S_IFREG }, { "lnk", S_IFLNK },
	{ "fifo", S_IFIFO }, { "sock", S_IFSOCK },
};

static const char *type_name(mode_t m)
{
	for (size_t i = 0; i < sizeof(type_names) / sizeof(type_names[0]); i++)
		if ((m & S_IFMT) == type_names[i].type)
			return type_names[i].name;
	return "other";
}

struct tcase {
	int line;
	char *text;      /* the row as written, trimmed */
	char *tree;
	char *startdir;  /* NULL: the tree top */
	char *path;      /* may hold @ROOT@ */
	unsigned int rflags;
	int oflags;
	bool creates;    /* needs a private copy of its tree */
	bool expect_ok;
	char *rel;
	mode_t type;
	int err;
};

struct run {
	const char *cases_file;
	struct tree_set trees;
	struct tcase *cases;
	size_t ncases;
	struct tree_build *built;  /* one cached build per tree, lazily */
	unsigned int backend;
	unsigned int passed, failed;
};

static bool is_space(char c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\n' || c == '\v' ||
	       c == '\f';
}

static char *trim(char *s)
{
	char *e;

	while (is_space(*s))
		s++;
	e = s + strlen(s);
	while (e > s && is_space(e[-1]))
		*--e = '\0';
	return s;
}

static char *xstrdup(const char *s)
{
	char *r = strdup(s);

	if (!r) {
		perror("strdup");
		exit(2);
	}
	return r;
}

static int case_error(const struct run *run, int line, const char *what,
                      const char *text)
{
	fprintf(stderr, "%s:%d: %s: %s\n", run->cases_file, line, what, text);
	return -1;
}

/* "a/b" relative, without "..": the expectation and the start directory
 * name objects of the tree, never something beside it. */
static bool rel_ok(const char *p)
{
	if (!p[0] || p[0] == '/')
		return false;
	for (const char *c = p; *c;) {
		size_t n = strcspn(c, "/");

		if (n == 2 && c[0] == '.' && c[1] == '.')
			return false;
		c += n;
		c += strspn(c, "/");
	}
	return true;
}

static int parse_mode(const struct run *run, struct tcase *c, char *s)
{
	char *tok, *save = NULL;
	bool first = true;

	for (tok = strtok_r(s, "+", &save); tok; tok = strtok_r(NULL, "+", &save)) {
		tok = trim(tok);
		if (first) {
			if (!strcmp(tok, "in_root"))
				c->rflags = BENEATH_MODE_IN_ROOT;
			else if (!strcmp(tok, "beneath"))
				c->rflags = BENEATH_MODE_BENEATH;
			else if (!strcmp(tok, "no_symlinks"))
				c->rflags = BENEATH_MODE_BENEATH | BENEATH_NO_SYMLINKS;
			else if (!strcmp(tok, "contain"))
				c->rflags = BENEATH_MODE_CONTAIN;
			else
				return case_error(run, c->line, "unknown mode", tok);
			first = false;
		} else if (!strcmp(tok, "nofollow")) {
			c->oflags |= O_NOFOLLOW;
		} else if (!strcmp(tok, "dir")) {
			c->oflags |= O_DIRECTORY;
		} else if (!strcmp(tok, "creat")) {
			c->oflags |= O_CREAT | O_RDWR;
			c->creates = true;
		} else if (!strcmp(tok, "excl")) {
			c->oflags |= O_CREAT | O_EXCL | O_RDWR;
			c->creates = true;
		} else {
			return case_error(run, c->line, "unknown flag", tok);
		}
	}
	if (first)
		return case_error(run, c->line, "missing mode", c->text);
	/* O_PATH would make the kernel ignore O_CREAT. */
	if (!c->creates)
		c->oflags |= O_PATH;
	return 0;
}

static int parse_expected(const struct run *run, struct tcase *c, char *s)
{
	char *w[4], *save = NULL;
	int n = 0;

	for (char *t = strtok_r(s, " \t", &save); t; t = strtok_r(NULL, " \t", &save)) {
		if (n == 4)
			return case_error(run, c->line, "too many words in EXPECTED", c->text);
		w[n++] = t;
	}
	if (n == 3 && !strcmp(w[0], "ok")) {
		size_t i;

		if (!rel_ok(w[1]))
			return case_error(run, c->line, "bad expected path", w[1]);
		for (i = 0; i < sizeof(type_names) / sizeof(type_names[0]); i++)
			if (!strcmp(w[2], type_names[i].name))
				break;
		if (i == sizeof(type_names) / sizeof(type_names[0]))
			return case_error(run, c->line, "unknown type", w[2]);
		c->expect_ok = true;
		c->rel = xstrdup(w[1]);
		c->type = type_names[i].type;
		return 0;
	}
	if (n == 2 && !strcmp(w[0], "err")) {
		c->err = errno_lookup(w[1]);
		if (!c->err)
			return case_error(run, c->line, "unknown errno name", w[1]);
		return 0;
	}
	return case_error(run, c->line, "EXPECTED is 'ok PATH TYPE' or 'err ERRNO'",
	                  c->text);
}

/* TREE[@STARTDIR] | PATH | MODE[+FLAG...] | EXPECTED [# note] */
static int parse_case(struct run *run, struct tcase *c, char *s)
{
	char *f[4], *p = s, *at;
	size_t n;

	/* PATH is verbatim and may hold '#'; a note can only follow the
	 * fourth field, which is the rest of the line. */
	for (int i = 0; i < 3; i++) {
		char *bar = strchr(p, '|');

		if (!bar)
			return case_error(run, c->line, "expected 4 '|'-separated fields",
			                  c->text);
		*bar = '\0';
		f[i] = trim(p);
		p = bar + 1;
	}
	f[3] = p;
	f[3][strcspn(f[3], "#")] = '\0';
	f[3] = trim(f[3]);

	at = strchr(f[0], '@');
	if (at) {
		*at = '\0';
		at = trim(at + 1);
		if (!rel_ok(at))
			return case_error(run, c->line, "bad start directory", at);
		c->startdir = xstrdup(at);
	}
	f[0] = trim(f[0]);
	if (!tree_set_find(&run->trees, f[0]))
		return case_error(run, c->line, "unknown tree", f[0]);
	c->tree = xstrdup(f[0]);

	/* "" is the empty string; quotes also keep outer blanks. */
	n = strlen(f[1]);
	if (n >= 2 && f[1][0] == '"' && f[1][n - 1] == '"') {
		f[1][n - 1] = '\0';
		f[1]++;
	}
	c->path = xstrdup(f[1]);

	if (parse_mode(run, c, f[2]) < 0)
		return -1;
	return parse_expected(run, c, f[3]);
}

static int load_cases(struct run *run, const char *file)
{
	FILE *fp = fopen(file, "re");
	char *buf = NULL;
	size_t bufsz = 0;
	int line = 0, r = 0;

	run->cases_file = file;
	if (!fp) {
		fprintf(stderr, "%s: %s\n", file, strerror(errno));
		return -1;
	}
	while (r == 0 && getline(&buf, &bufsz, fp) >= 0) {
		char *s = trim(buf);
		struct tcase *c;

		line++;
		if (!*s || *s == '#')
			continue;
		run->cases = realloc(run->cases, (run->ncases + 1) * sizeof(*run->cases));
		if (!run->cases) {
			perror("realloc");
			exit(2);
		}
		c = &run->cases[run->ncases++];
		memset(c, 0, sizeof(*c));
		c->line = line;
		c->text = xstrdup(s);
		r = parse_case(run, c, s);
	}
	if (r == 0 && ferror(fp)) {
		fprintf(stderr, "%s: read error\n", file);
		r = -1;
	}
	free(buf);
	fclose(fp);
	return r;
}

static void free_cases(struct run *run)
{
	for (size_t i = 0; i < run->ncases; i++) {
		struct tcase *c = &run->cases[i];

		free(c->text);
		free(c->tree);
		free(c->startdir);
		free(c->path);
		free(c->rel);
	}
	free(run->cases);
}

/* Open fds (the count includes the directory stream's own fd, the same
 * every time). */
static int count_fds(void)
{
	return tu_count_fds_raw();
}

/* What an fd turned out to be, named by its place in the tree. */
static void describe_fd(const struct tree_build *b, int fd, char *buf,
                        size_t bufsz)
{
	char rel[PATH_MAX];
	struct stat st;

	if (fstat(fd, &st) < 0) {
		snprintf(buf, bufsz, "ok (fstat: %s)", strerror(errno));
		return;
	}
	if (tree_find_inode(b, st.st_dev, st.st_ino, rel, sizeof(rel)) == 0)
		snprintf(buf, bufsz, "ok %s %s", rel, type_name(st.st_mode));
	else
		snprintf(buf, bufsz, "ok <outside the tree, dev %ju ino %ju> %s",
		         (uintmax_t)st.st_dev, (uintmax_t)st.st_ino,
		         type_name(st.st_mode));
}

/* Compare the result R of beneath_open() with the row. Returns true on a
 * match; otherwise GOT says what happened. */
static bool check_result(const struct tcase *c, const struct tree_build *b,
                         int r, char *got, size_t gotsz)
{
	char ebuf[32];
	struct stat want, have;

	if (r < 0) {
		snprintf(got, gotsz, "err %s", errno_name(-r, ebuf, sizeof(ebuf)));
		return !c->expect_ok && -r == c->err;
	}
	describe_fd(b, r, got, gotsz);
	/* beneath.h promises O_CLOEXEC on every fd it returns. */
	if (!(fcntl(r, F_GETFD) & FD_CLOEXEC)) {
		size_t n = strlen(got);

		snprintf(got + n, gotsz - n, " without O_CLOEXEC");
		return false;
	}
	if (!c->expect_ok)
		return false;
	if (fstat(r, &have) < 0)
		return false;
	/* After the call: a creating row's file exists only now. */
	if (fstatat(b->topfd, c->rel, &want, AT_SYMLINK_NOFOLLOW) < 0) {
		size_t n = strlen(got);

		snprintf(got + n, gotsz - n, " (expected object: %s)", strerror(errno));
		return false;
	}
	return have.st_dev == want.st_dev && have.st_ino == want.st_ino &&
	       (have.st_mode & S_IFMT) == c->type;
}

static const struct tree_build *cached_build(struct run *run,
                                             const struct tree_def *def)
{
	struct tree_build *b = &run->built[def - run->trees.trees];

	if (!b->tmpdir && tree_build(def, b) < 0)
		return NULL;
	return b;
}

/* Runs one row. Returns 0, or -1 on a setup error (already reported). */
static int run_case(struct run *run, const struct tcase *c)
{
	const struct tree_def *def = tree_set_find(&run->trees, c->tree);
	const struct tree_build *b;
	struct tree_build private = { .topfd = -1 };
	struct beneath_root root = { .fd = -1 };
	char got[PATH_MAX + 128], expected[PATH_MAX + 32], ebuf[32];
	char *rootpath = NULL, *realroot = NULL, *path = NULL;
	bool ok = false;
	int before, after, r;

	/* Rows that create files get a tree of their own, so that no
	 * result depends on the order of the rows. */
	if (c->creates) {
		if (tree_build(def, &private) < 0)
			return -1;
		b = &private;
	} else {
		b = cached_build(run, def);
		if (!b)
			return -1;
	}
	if (c->expect_ok)
		snprintf(expected, sizeof(expected), "ok %s %s", c->rel, type_name(c->type));
	else
		snprintf(expected, sizeof(expected), "err %s",
		         errno_name(c->err, ebuf, sizeof(ebuf)));

	before = count_fds();
	if (c->startdir) {
		if (asprintf(&rootpath, "%s/%s", b->top, c->startdir) < 0) {
			perror("asprintf");
			exit(2);
		}
	}
	/* contain mode needs the real host path of the root handle. */
	realroot = realpath(rootpath ? rootpath : b->top, NULL);
	if (realroot)
		root.fd = open(realroot, O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (!realroot || root.fd < 0) {
		snprintf(got, sizeof(got), "no start directory %s: %s",
		         rootpath ? rootpath : b->top, strerror(errno));
	} else {
		root.path = realroot;
		path = tree_subst_root(c->path, b->top);
		r = beneath_open(&root, path, c->oflags, 0644, c->rflags | run->backend);
		ok = check_result(c, b, r, got, sizeof(got));
		if (r >= 0)
			close(r);
	}
	if (root.fd >= 0)
		close(root.fd);
	after = count_fds();
	if (ok && after != before) {
		ok = false;
		snprintf(got, sizeof(got), "%d fds leaked", after - before);
	}
	if (ok) {
		run->passed++;
	} else {
		run->failed++;
		printf("%s:%d: %s: expected %s, got %s\n", run->cases_file, c->line,
		       c->text, expected, got);
	}
	free(path);
	free(realroot);
	free(rootpath);
	if (c->creates && tree_destroy(&private) < 0)
		return -1;
	return 0;
}

static void usage(void)
{
	fprintf(stderr, "usage: conformance [--backend=openat2|walker] TREES CASES\n");
}

int main(int argc, char **argv)
{
	struct run run = { 0 };
	const char *backend = NULL;
	int fds_start = count_fds(), fds_end, status = 0, i;

	for (i = 1; i < argc && argv[i][0] == '-' && argv[i][1]; i++) {
		if (!strcmp(argv[i], "--")) {
			i++;
			break;
		} else if (!strncmp(argv[i], "--backend=", 10)) {
			backend = argv[i] + 10;
		} else if (!strcmp(argv[i], "--backend") && i + 1 < argc) {
			backend = argv[++i];
		} else if (!strcmp(argv[i], "--help") || !strcmp(argv[i], "-h")) {
			usage();
			return 0;
		} else {
			fprintf(stderr, "conformance: unknown option %s\n", argv[i]);
			usage();
			return 2;
		}
	}
	if (argc - i != 2) {
		usage();
		return 2;
	}
	if (!backend)
		run.backend = 0;
	else if (!strcmp(backend, "openat2"))
		run.backend = BENEATH_BACKEND_OPENAT2;
	else if (!strcmp(backend, "walker"))
		run.backend = BENEATH_BACKEND_WALKER;
	else {
		fprintf(stderr, "conformance: unknown backend %s\n", backend);
		usage();
		return 2;
	}
	/* Not a skip: a forced backend that is missing is a failure, but
	 * say why before a page of ENOSYS rows. */
	if (run.backend && !strcmp(beneath_backend(run.backend), "none"))
		fprintf(stderr, "conformance: the %s backend is not available here\n",
		        backend);
	/* Tree names are checked while the cases are read. */
	if (tree_set_load(&run.trees, argv[i]) < 0)
		return 2;
	if (load_cases(&run, argv[i + 1]) < 0) {
		free_cases(&run);
		tree_set_free(&run.trees);
		return 2;
	}

	run.built = calloc(run.trees.n ? run.trees.n : 1, sizeof(*run.built));
	if (!run.built) {
		perror("calloc");
		return 2;
	}
	for (size_t k = 0; k < run.ncases && status == 0; k++)
		if (run_case(&run, &run.cases[k]) < 0)
			status = 2;
	for (size_t k = 0; k < run.trees.n; k++)
		if (tree_destroy(&run.built[k]) < 0)
			status = 2;
	free(run.built);
	free_cases(&run);
	tree_set_free(&run.trees);

	fds_end = count_fds();
	if (fds_start < 0) {
		printf("cannot check for fd leaks: /proc/self/fd unreadable\n");
		run.failed++;
	} else if (fds_end != fds_start) {
		printf("fd leak: %d fds open at start, %d at the end\n", fds_start, fds_end);
		run.failed++;
	}
	printf("%u passed, %u failed\n", run.passed, run.failed);
	if (status)
		return status;
	return run.failed ? 1 : 0;
}
