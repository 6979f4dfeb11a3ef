/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Test trees for the conformance runner: the trees-file parser, the
 * builder and the recursive remover. Everything is done relative to
 * directory fds with O_NOFOLLOW, so a tree file (or a resolver bug that
 * left a symlink behind) can never make us write or delete outside the
 * temporary directory.
 */
#include "config.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include "tree.h"

/* ---- parsing ---------------------------------------------------------- */

static void *xrealloc(void *p, size_t n)
{
	void *r = realloc(p, n);

	if (!r) {
		perror("realloc");
		exit(2);
	}
	return r;
}

static char *xstrndup(const char *s, size_t n)
{
	char *r = strndup(s, n);

	if (!r) {
		perror("strndup");
		exit(2);
	}
	return r;
}

static bool is_space(char c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\n' || c == '\v' ||
	       c == '\f';
}

/* A '#' starts a comment at the start of a line or after white space,
 * so that names containing '#' stay possible. Trims the rest. */
static char *strip_line(char *s)
{
	char *e;

	for (e = s; *e; e++) {
		if (*e == '#' && (e == s || is_space(e[-1]))) {
			*e = '\0';
			break;
		}
	}
	while (is_space(*s))
		s++;
	e = s + strlen(s);
	while (e > s && is_space(e[-1]))
		*--e = '\0';
	return s;
}

/* Tree paths must stay below the top: relative, no "..", not empty. */
static bool path_ok(const char *p)
{
	bool named = false;

	if (!p[0] || p[0] == '/')
		return false;
	while (*p) {
		size_t n = strcspn(p, "/");

		if (n == 2 && p[0] == '.' && p[1] == '.')
			return false;
		if (n > NAME_MAX)
			return false;
		if (n > 0 && !(n == 1 && p[0] == '.'))
			named = true;
		p += n;
		while (*p == '/')
			p++;
	}
	return named;
}

static bool name_ok(const char *s)
{
	return s[0] && !strpbrk(s, "@| \t");
}

static int parse_error(const struct tree_set *set, int line, const char *what,
                       const char *text)
{
	fprintf(stderr, "%s:%d: %s: %s\n", set->file, line, what, text);
	return -1;
}

static int parse_entry(struct tree_set *set, struct tree_def *t, char *s,
                       int line)
{
	static const struct {
		const char *word;
		enum tree_kind kind;
	} words[] = {
		{ "dir", TREE_DIR },   { "file", TREE_FILE },
		{ "fifo", TREE_FIFO }, { "sock", TREE_SOCK },
		{ "symlink", TREE_SYMLINK },
	};
	struct tree_entry e = { .line = line };
	size_t wl = strcspn(s, " \t");
	char *rest = s + wl, *arrow = NULL;
	size_t i;

	for (i = 0; i < sizeof(words) / sizeof(words[0]); i++)
		if (strlen(words[i].word) == wl && !strncmp(s, words[i].word, wl))
			break;
	if (i == sizeof(words) / sizeof(words[0]) || !*rest)
		return parse_error(set, line, "bad tree entry", s);
	e.kind = words[i].kind;
	rest = strip_line(rest);

	if (e.kind == TREE_SYMLINK) {
		/* Prefer an arrow after a blank: "a->b -> c" links a->b. */
		for (char *p = strstr(rest, "->"); p; p = strstr(p + 1, "->"))
			if (p > rest && is_space(p[-1])) {
				arrow = p;
				break;
			}
		if (!arrow)
			arrow = strstr(rest, "->");
		if (!arrow)
			return parse_error(set, line, "symlink without '->'", s);
		*arrow = '\0';
		e.target = strip_line(arrow + 2);
		rest = strip_line(rest);
		if (!*e.target)
			return parse_error(set, line, "empty symlink target", s);
		if (strlen(e.target) >= PATH_MAX)
			return parse_error(set, line, "symlink target too long", s);
		e.target = xstrndup(e.target, strlen(e.target));
	}
	if (!path_ok(rest)) {
		free(e.target);
		return parse_error(set, line, "bad path (relative, no '..')", rest);
	}
	e.path = xstrndup(rest, strlen(rest));
	t->entries = xrealloc(t->entries, (t->n + 1) * sizeof(*t->entries));
	t->entries[t->n++] = e;
	return 0;
}

int tree_set_load(struct tree_set *set, const char *file)
{
	FILE *f = fopen(file, "re");
	struct tree_def *cur = NULL;
	char *buf = NULL;
	size_t bufsz = 0;
	int line = 0, r = 0;

	set->file = file;
	set->trees = NULL;
	set->n = 0;
	if (!f) {
		fprintf(stderr, "%s: %s\n", file, strerror(errno));
		return -1;
	}
	while (r == 0 && getline(&buf, &bufsz, f) >= 0) {
		char *s = strip_line(buf);
		size_t wl;

		line++;
		if (!*s)
			continue;
		wl = strcspn(s, " \t");
		if (wl == 4 && !strncmp(s, "tree", 4)) {
			char *name = strip_line(s + 4);

			if (cur)
				r = parse_error(set, line, "'tree' inside a tree (missing 'end')", s);
			else if (!name_ok(name))
				r = parse_error(set, line, "bad tree name", s);
			else if (tree_set_find(set, name))
				r = parse_error(set, line, "duplicate tree", name);
			if (r)
				break;
			set->trees = xrealloc(set->trees, (set->n + 1) * sizeof(*set->trees));
			cur = &set->trees[set->n++];
			cur->name = xstrndup(name, strlen(name));
			cur->line = line;
			cur->entries = NULL;
			cur->n = 0;
		} else if (wl == 3 && !strncmp(s, "end", 3) && !s[3]) {
			if (!cur)
				r = parse_error(set, line, "'end' outside a tree", s);
			cur = NULL;
		} else if (!cur) {
			r = parse_error(set, line, "entry outside a tree", s);
		} else {
			r = parse_entry(set, cur, s, line);
		}
	}
	if (r == 0 && ferror(f)) {
		fprintf(stderr, "%s: read error\n", file);
		r = -1;
	}
	if (r == 0 && cur) {
		fprintf(stderr, "%s:%d: tree '%s' has no 'end'\n", file, cur->line,
		        cur->name);
		r = -1;
	}
	free(buf);
	fclose(f);
	if (r)
		tree_set_free(set);
	return r;
}

void tree_set_free(struct tree_set *set)
{
	for (size_t i = 0; i < set->n; i++) {
		struct tree_def *t = &set->trees[i];

		for (size_t j = 0; j < t->n; j++) {
			free(t->entries[j].path);
			free(t->entries[j].target);
		}
		free(t->entries);
		free(t->name);
	}
	free(set->trees);
	set->trees = NULL;
	set->n = 0;
}

const struct tree_def *tree_set_find(const struct tree_set *set,
                                     const char *name)
{
	for (size_t i = 0; i < set->n; i++)
		if (!strcmp(set->trees[i].name, name))
			return &set->trees[i];
	return NULL;
}

char *tree_subst_root(const char *s, const char *root)
{
	size_t tl = strlen(TREE_ROOT_TOKEN), rl = strlen(root), n = 0;
	const char *p, *q;
	char *r, *o;

	for (p = s; (q = strstr(p, TREE_ROOT_TOKEN)); p = q + tl)
		n++;
	r = xrealloc(NULL, strlen(s) + n * rl + 1);
	for (o = r, p = s; (q = strstr(p, TREE_ROOT_TOKEN)); p = q + tl) {
		memcpy(o, p, (size_t)(q - p));
		o += q - p;
		memcpy(o, root, rl);
		o += rl;
	}
	strcpy(o, p);
	return r;
}

/* ---- building --------------------------------------------------------- */

/*
 * mkdir -p the parents of PATH below TOPFD, never following a symlink.
 * Returns an fd of the parent directory and points *NAME at the last
 * component (PATH is modified), or -errno.
 */
static int open_parent(int topfd, char *path, char **name)
{
	int fd = topfd;
	char *p = path;

	for (;;) {
		size_t n;
		int nfd;

		while (*p == '/')
			p++;
		n = strcspn(p, "/");
		if (!p[n] || !p[n + strspn(p + n, "/")]) {
			p[n] = '\0';  /* drop trailing slashes */
			*name = p;
			break;
		}
		p[n] = '\0';
		if (!(n == 1 && p[0] == '.')) {
			if (mkdirat(fd, p, 0755) < 0 && errno != EEXIST)
				goto fail;
			nfd = openat(fd, p, O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
			if (nfd < 0)
				goto fail;
			if (fd != topfd)
				close(fd);
			fd = nfd;
		}
		p += n + 1;
	}
	if (fd == topfd) {
		fd = fcntl(topfd, F_DUPFD_CLOEXEC, 0);
		if (fd < 0)
			return -errno;
	}
	return fd;
fail:
	{
		int r = -errno;

		if (fd != topfd)
			close(fd);
		return r;
	}
}

/* bind() takes a path no longer than sun_path, so bind the short last
 * component from inside its directory and restore the cwd. */
static int make_socket(int dfd, const char *name)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	int s, cwd, r = 0;

	if (strlen(name) >= sizeof(sa.sun_path))
		return -ENAMETOOLONG;
	strcpy(sa.sun_path, name);
	cwd = open(".", O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (cwd < 0)
		return -errno;
	s = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (s < 0) {
		r = -errno;
	} else {
		if (fchdir(dfd) < 0 || bind(s, (struct sockaddr *)&sa, sizeof(sa)) < 0)
			r = -errno;
		close(s);
	}
	if (fchdir(cwd) < 0 && r == 0)
		r = -errno;
	close(cwd);
	return r;
}

static int make_entry(const struct tree_build *b, const struct tree_entry *e)
{
	char *path = xstrndup(e->path, strlen(e->path));
	char *name = NULL, *target;
	struct stat st;
	int dfd, fd, r = 0;

	dfd = open_parent(b->topfd, path, &name);
	if (dfd < 0) {
		free(path);
		return dfd;
	}
	switch (e->kind) {
	case TREE_DIR:
		/* Implicit parents may already have made it. */
		if (mkdirat(dfd, name, 0755) < 0) {
			r = -errno;
			if (r == -EEXIST && fstatat(dfd, name, &st, AT_SYMLINK_NOFOLLOW) == 0 &&
			    S_ISDIR(st.st_mode))
				r = 0;
		}
		break;
	case TREE_FILE:
		fd = openat(dfd, name, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC,
		            0644);
		if (fd < 0)
			r = -errno;
		else
			close(fd);
		break;
	case TREE_FIFO:
		if (mkfifoat(dfd, name, 0644) < 0)
			r = -errno;
		break;
	case TREE_SOCK:
		r = make_socket(dfd, name);
		break;
	case TREE_SYMLINK:
		target = tree_subst_root(e->target, b->top);
		if (strlen(target) >= PATH_MAX)
			r = -ENAMETOOLONG;
		else if (symlinkat(target, dfd, name) < 0)
			r = -errno;
		free(target);
		break;
	}
	close(dfd);
	free(path);
	return r;
}

static void build_free(struct tree_build *b)
{
	if (b->topfd >= 0)
		close(b->topfd);
	free(b->tmpdir);
	free(b->top);
	b->tmpdir = b->top = NULL;
	b->topfd = -1;
}

int tree_build(const struct tree_def *def, struct tree_build *b)
{
	const char *tmp = getenv("TMPDIR");
	char *tmpl;
	size_t n;

	b->tmpdir = b->top = NULL;
	b->topfd = -1;
	if (!tmp || !*tmp)
		tmp = "/tmp";
	n = strlen(tmp) + sizeof("/beneath-conformance.XXXXXX");
	tmpl = xrealloc(NULL, n);
	snprintf(tmpl, n, "%s/beneath-conformance.XXXXXX", tmp);
	if (!mkdtemp(tmpl)) {
		fprintf(stderr, "mkdtemp %s: %s\n", tmpl, strerror(errno));
		free(tmpl);
		return -1;
	}
	/* Real paths: contain mode compares them with symlink targets,
	 * and removal needs an absolute one. */
	b->tmpdir = realpath(tmpl, NULL);
	if (!b->tmpdir) {
		fprintf(stderr, "realpath %s: %s\n", tmpl, strerror(errno));
		rmdir(tmpl);
		free(tmpl);
		return -1;
	}
	free(tmpl);
	n = strlen(b->tmpdir) + sizeof("/tree");
	b->top = xrealloc(NULL, n);
	snprintf(b->top, n, "%s/tree", b->tmpdir);
	if (mkdir(b->top, 0755) < 0)
		goto fail_errno;
	b->topfd = open(b->top, O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (b->topfd < 0)
		goto fail_errno;

	for (size_t i = 0; i < def->n; i++) {
		const struct tree_entry *e = &def->entries[i];
		int r = make_entry(b, e);

		if (r < 0) {
			fprintf(stderr, "tree %s, line %d: cannot create %s: %s\n",
			        def->name, e->line, e->path, strerror(-r));
			tree_destroy(b);
			return -1;
		}
	}
	return 0;

fail_errno:
	fprintf(stderr, "tree %s: %s: %s\n", def->name, b->top, strerror(errno));
	tree_destroy(b);
	return -1;
}

/* ---- removal ---------------------------------------------------------- */

static int remove_at(int dfd, const char *name)
{
	struct dirent *de;
	DIR *d;
	int fd, r = 0;

	if (unlinkat(dfd, name, 0) == 0)
		return 0;
	if (errno != EISDIR && errno != EPERM)
		return -errno;
	fd = openat(dfd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	d = fdopendir(fd);
	if (!d) {
		r = -errno;
		close(fd);
		return r;
	}
	while ((errno = 0, de = readdir(d))) {
		int e;

		if (!strcmp(de->d_name, ".") || !strcmp(de->d_name, ".."))
			continue;
		e = remove_at(dirfd(d), de->d_name);
		if (e < 0 && r == 0)
			r = e;
	}
	if (errno && r == 0)
		r = -errno;
	closedir(d);
	if (unlinkat(dfd, name, AT_REMOVEDIR) < 0 && r == 0)
		r = -errno;
	return r;
}

int tree_destroy(struct tree_build *b)
{
	char *slash;
	int r = 0, pfd;

	if (!b->tmpdir)
		return 0;
	if (b->topfd >= 0) {
		close(b->topfd);
		b->topfd = -1;
	}
	/* tmpdir is a real absolute path, so it has a parent. */
	slash = strrchr(b->tmpdir, '/');
	*slash = '\0';
	pfd = open(slash == b->tmpdir ? "/" : b->tmpdir,
	           O_PATH | O_DIRECTORY | O_CLOEXEC);
	r = pfd < 0 ? -errno : remove_at(pfd, slash + 1);
	*slash = '/';
	if (r < 0)
		fprintf(stderr, "cannot remove %s: %s\n", b->tmpdir, strerror(-r));
	if (pfd >= 0)
		close(pfd);
	build_free(b);
	return r < 0 ? -1 : 0;
}

/* ---- identity lookup -------------------------------------------------- */

static int find_in(int dfd, dev_t dev, ino_t ino, char *buf, size_t len,
                   size_t bufsz)
{
	struct dirent *de;
	DIR *d;
	int fd, r = -1;

	fd = openat(dfd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0)
		return -1;
	d = fdopendir(fd);
	if (!d) {
		close(fd);
		return -1;
	}
	while (r < 0 && (de = readdir(d))) {
		size_t n = strlen(de->d_name);
		struct stat st;
		int sub;

		if (!strcmp(de->d_name, ".") || !strcmp(de->d_name, ".."))
			continue;
		if (len + n + 2 > bufsz ||
		    fstatat(dirfd(d), de->d_name, &st, AT_SYMLINK_NOFOLLOW) < 0)
			continue;
		if (len)
			buf[len] = '/';
		memcpy(buf + len + !!len, de->d_name, n + 1);
		if (st.st_dev == dev && st.st_ino == ino) {
			r = 0;
		} else if (S_ISDIR(st.st_mode)) {
			sub = openat(dirfd(d), de->d_name,
			             O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
			if (sub >= 0) {
				r = find_in(sub, dev, ino, buf, len + !!len + n, bufsz);
				close(sub);
			}
		}
		if (r < 0)
			buf[len] = '\0';
	}
	closedir(d);
	return r;
}

int tree_find_inode(const struct tree_build *b, dev_t dev, ino_t ino,
                    char *buf, size_t bufsz)
{
	struct stat st;

	if (bufsz < 2 || fstat(b->topfd, &st) < 0)
		return -1;
	if (st.st_dev == dev && st.st_ino == ino) {
		strcpy(buf, ".");
		return 0;
	}
	buf[0] = '\0';
	return find_in(b->topfd, dev, ino, buf, 0, bufsz);
}
