/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Fuzz target: libbeneath's two backends against each other, on trees and
 * paths from the input (tests/test-differential.c does the same with
 * random trees; this one lets libFuzzer steer them).
 *
 * Input: lines.
 *   d PATH            a directory      f PATH   a file (one byte)
 *   p PATH            a FIFO           s PATH   a socket inode
 *   l PATH TARGET     a symlink; TARGET is the rest of the line, '@' in it
 *                     stands for the copy's absolute path (contain mode)
 *   >PATH             a path to resolve ('@' likewise)
 * Entries need their parent directory earlier in the input; any other
 * line is ignored.
 *
 * The tree is built in a scratch directory (tmpfs /dev/shm when there is
 * one) as "c", next to a directory "out" that no resolution may reach.
 * Every path is resolved in the three modes, with and without
 * BENEATH_NO_SYMLINKS, by BENEATH_BACKEND_WALKER and by
 * BENEATH_BACKEND_OPENAT2 (which in contain mode hands EXDEV to the
 * walker, as it does for every caller):
 *  - beneath_open with flag sets that do not change the tree, the two
 *    backends one after the other: the same errno, or fds of the same
 *    object (dev/ino) with the same access flags, inside the tree;
 *  - beneath_resolve (NOFOLLOW, MUST_BE_DIR) and beneath_resolve_parent
 *    (the same directory and last name), beneath_stat, beneath_statx,
 *    beneath_readlink, beneath_access;
 *  - beneath_open with O_CREAT / O_TRUNC, beneath_mkdir, beneath_unlink,
 *    beneath_symlink, beneath_rename, beneath_link, beneath_mknod,
 *    beneath_chmod, beneath_truncate and beneath_mkdir_p change the tree:
 *    the whole input runs them with the walker, the tree is built again
 *    at the same place, and the input runs them with openat2. The two
 *    runs must give the same answers (objects by their path in the tree)
 *    and leave the same tree after each path; nothing may appear in
 *    "out" or next to the tree. (Two copies side by side would not do:
 *    '@' would name a different directory in each, and a path can climb
 *    out of '@' with ".." and name the other copy.)
 *
 * Excluded explicitly, because README and tests/test-resolver.c document
 * them (bug_nested_long_symlinks, bug_deep_names_via_symlinks): the
 * walker's ENAMETOOLONG where openat2 resolves, when the path and the
 * symlink targets it may splice (at most 40) could exceed the walker's
 * 2 * PATH_MAX buffer. Such an answer is counted, not reported, and as the
 * trees of the two runs may then differ, the rest of that input's
 * changing operations is not compared.
 */
#include "config.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdint.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <linux/stat.h>
#include <unistd.h>

#include "beneath.h"
#include "fuzz.h"

#define MAX_ENTRIES 48
#define MAX_PATHS 6
#define MAX_LINKS 40   /* the kernel's and the walker's limit */

static const struct {
	const char *name;
	unsigned int rflags;
} modes[] = {
	{ "beneath", BENEATH_MODE_BENEATH },
	{ "in_root", BENEATH_MODE_IN_ROOT },
	{ "contain", BENEATH_MODE_CONTAIN },
	{ "beneath|NO_SYMLINKS", BENEATH_MODE_BENEATH | BENEATH_NO_SYMLINKS },
	{ "in_root|NO_SYMLINKS", BENEATH_MODE_IN_ROOT | BENEATH_NO_SYMLINKS },
	{ "contain|NO_SYMLINKS", BENEATH_MODE_CONTAIN | BENEATH_NO_SYMLINKS },
};
#define N_MODES (sizeof(modes) / sizeof(modes[0]))

/* O_NONBLOCK everywhere: a FIFO must not block. */
static const struct {
	const char *name;
	int flags;
} reads[] = {
	{ "O_PATH", O_PATH },
	{ "O_PATH|O_NOFOLLOW", O_PATH | O_NOFOLLOW },
	{ "O_PATH|O_DIRECTORY", O_PATH | O_DIRECTORY },
	{ "O_RDONLY", O_RDONLY | O_NONBLOCK },
	{ "O_RDONLY|O_DIRECTORY", O_RDONLY | O_DIRECTORY | O_NONBLOCK },
	{ "O_RDONLY|O_NOFOLLOW", O_RDONLY | O_NOFOLLOW | O_NONBLOCK },
	{ "O_WRONLY|O_APPEND", O_WRONLY | O_APPEND | O_NONBLOCK },
	{ "O_TMPFILE|O_RDWR", O_TMPFILE | O_RDWR | O_NONBLOCK },
};
#define N_READS (sizeof(reads) / sizeof(reads[0]))

static const struct {
	const char *name;
	int flags;
} writes[] = {
	{ "O_CREAT|O_RDWR", O_CREAT | O_RDWR | O_NONBLOCK },
	{ "O_CREAT|O_EXCL|O_WRONLY", O_CREAT | O_EXCL | O_WRONLY | O_NONBLOCK },
	{ "O_CREAT|O_WRONLY|O_NOFOLLOW", O_CREAT | O_WRONLY | O_NOFOLLOW | O_NONBLOCK },
	{ "O_WRONLY|O_TRUNC", O_WRONLY | O_TRUNC | O_NONBLOCK },
};
#define N_WRITES (sizeof(writes) / sizeof(writes[0]))

/* ------------------------------------------------------------------ */
/* The scratch directory                                              */
/* ------------------------------------------------------------------ */

static char top[PATH_MAX];       /* real path of the scratch directory */
static int topfd = -1;
static long n_limit;             /* documented walker limits met */
static bool diverged;            /* ... in a changing operation: stop comparing */

struct copy {
	char path[PATH_MAX];
	int fd;
	struct beneath_root root;
};

static struct copy C;   /* the tree, "c" in the scratch directory */

static void must(bool ok, const char *what)
{
	if (!ok) {
		perror(what);
		abort();
	}
}

/* Remove NAME in DFD and everything under it, by fds: an in_root path
 * full of '@' makes trees too deep for any path to name. */
static bool rm_at(int dfd, const char *name)
{
	struct stat st;

	if (fstatat(dfd, name, &st, AT_SYMLINK_NOFOLLOW) < 0)
		return errno == ENOENT;
	if (S_ISDIR(st.st_mode)) {
		int fd = openat(dfd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
		DIR *d = fd >= 0 ? fdopendir(fd) : NULL;
		struct dirent *de;
		bool more = d != NULL;

		while (more) {
			more = false;
			rewinddir(d);
			while ((de = readdir(d))) {
				if (!strcmp(de->d_name, ".") || !strcmp(de->d_name, ".."))
					continue;
				/* again while something went: readdir may
				 * skip entries of a directory that changes */
				more |= rm_at(dirfd(d), de->d_name);
			}
		}
		if (d)
			closedir(d);
		return unlinkat(dfd, name, AT_REMOVEDIR) == 0;
	}
	return unlinkat(dfd, name, 0) == 0;
}

static long n_compared;

static void remove_top(void)
{
	if (top[0])
		rm_at(AT_FDCWD, top);
	fprintf(stderr, "fuzz-differential: %ld comparisons, %ld documented walker limits met\n",
	        n_compared, n_limit);
}

static void setup_top(void)
{
	const char *tmp = getenv("BENEATH_FUZZ_TMPDIR");
	char t[PATH_MAX];

	/* tmpfs keeps thousands of trees a second cheap */
	if (!tmp || !*tmp)
		tmp = access("/dev/shm", W_OK | X_OK) == 0 ? "/dev/shm" : getenv("TMPDIR");
	snprintf(t, sizeof(t), "%s/beneath-fuzz-diff.XXXXXX", tmp && *tmp ? tmp : "/tmp");
	must(mkdtemp(t) != NULL, "mkdtemp");
	must(realpath(t, top) != NULL, "realpath");
	atexit(remove_top);
	topfd = open(top, O_PATH | O_DIRECTORY | O_CLOEXEC);
	must(topfd >= 0, top);
	must(mkdirat(topfd, "out", 0755) == 0, "out");
	/* what an escape would find */
	must(symlinkat("../out", topfd, "out/up") == 0, "out/up");
	{
		int fd = openat(topfd, "out/secret", O_CREAT | O_WRONLY | O_CLOEXEC, 0600);
		must(fd >= 0, "out/secret");
		close(fd);
	}
	umask(022);
}

/* ------------------------------------------------------------------ */
/* The input                                                          */
/* ------------------------------------------------------------------ */

struct entry {
	char type;
	char *path;
	char *target;
};

static struct {
	int n, npaths;
	struct entry e[MAX_ENTRIES];
	char *paths[MAX_PATHS];
	size_t max_target;       /* the longest symlink target, '@' expanded */
} in;

/* Context of the comparison being made, for reports. */
static const char *cur_path, *cur_what, *cur_mode;

static void describe(void)
{
	fprintf(stderr, "scratch directory %s, copies A and B in it\ntree:\n", top);
	for (int i = 0; i < in.n; i++) {
		fprintf(stderr, "  %c ", in.e[i].type);
		fuzz_put_escaped(stderr, in.e[i].path, strlen(in.e[i].path));
		if (in.e[i].target) {
			fputc(' ', stderr);
			fuzz_put_escaped(stderr, in.e[i].target, strlen(in.e[i].target));
		}
		fputc('\n', stderr);
	}
	if (cur_path) {
		fprintf(stderr, "path \"");
		fuzz_put_escaped(stderr, cur_path, strlen(cur_path));
		fprintf(stderr, "\" %s, mode %s\n", cur_what ? cur_what : "", cur_mode ? cur_mode : "");
	}
}

static char *dup_n(const char *s, size_t n)
{
	char *d = malloc(n + 1);

	if (!d)
		abort();
	memcpy(d, s, n);
	d[n] = '\0';
	return d;
}

static void add_line(const char *line, size_t len, void *arg)
{
	(void)arg;
	if (len >= 1 && line[0] == '>') {
		if (in.npaths < MAX_PATHS)
			in.paths[in.npaths++] = dup_n(line + 1, len - 1);
		return;
	}
	if (len < 3 || line[1] != ' ' || !strchr("dfpsl", line[0]) || in.n == MAX_ENTRIES)
		return;
	{
		struct entry *e = &in.e[in.n];
		const char *p = line + 2, *end = line + len, *sp = end;

		if (line[0] == 'l') {
			sp = memchr(p, ' ', (size_t)(end - p));
			if (!sp)
				return;
			e->target = dup_n(sp + 1, (size_t)(end - sp - 1));
		} else {
			e->target = NULL;
		}
		e->type = line[0];
		e->path = dup_n(p, (size_t)(sp - p));
		in.n++;
	}
}

static void input_free(void)
{
	for (int i = 0; i < in.n; i++) {
		free(in.e[i].path);
		free(in.e[i].target);
	}
	for (int i = 0; i < in.npaths; i++)
		free(in.paths[i]);
	memset(&in, 0, sizeof(in));
}

/* S with '@' replaced by the copy's path. */
static char *expand(const struct copy *c, const char *s)
{
	size_t n = strlen(s), at = 0, o = 0, cl = strlen(c->path);
	char *d;

	for (size_t i = 0; i < n; i++)
		at += s[i] == '@';
	d = malloc(n + at * cl + 1);
	if (!d)
		abort();
	for (size_t i = 0; i < n; i++) {
		if (s[i] == '@') {
			memcpy(d + o, c->path, cl);
			o += cl;
		} else {
			d[o++] = s[i];
		}
	}
	d[o] = '\0';
	return d;
}

/* The parent directory of entry path P in the copy, walked without
 * following anything; -1 if it is not a directory of the tree. *NAME is
 * the last component. */
static int entry_parent(const struct copy *c, char *p, char **name)
{
	int fd = fcntl(c->fd, F_DUPFD_CLOEXEC, 0);
	char *s = p, *slash;

	while ((slash = strchr(s, '/'))) {
		int next;

		*slash = '\0';
		next = (*s && strcmp(s, ".") && strcmp(s, ".."))
		       ? openat(fd, s, O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC) : -1;
		*slash = '/';
		close(fd);
		if (next < 0)
			return -1;
		fd = next;
		s = slash + 1;
	}
	if (!*s || !strcmp(s, ".") || !strcmp(s, "..")) {
		close(fd);
		return -1;
	}
	*name = s;
	return fd;
}

static void build(struct copy *c, const char *name)
{
	snprintf(c->path, sizeof(c->path), "%s/%s", top, name);
	must(mkdirat(topfd, name, 0755) == 0, c->path);
	c->fd = openat(topfd, name, O_PATH | O_DIRECTORY | O_CLOEXEC);
	must(c->fd >= 0, c->path);
	c->root = (struct beneath_root){ .fd = c->fd, .path = c->path };
	for (int i = 0; i < in.n; i++) {
		const struct entry *e = &in.e[i];
		char *p = dup_n(e->path, strlen(e->path)), *n, *t;
		int dfd = entry_parent(c, p, &n), fd;

		if (dfd < 0) {
			free(p);
			continue;
		}
		switch (e->type) {
		case 'd':
			mkdirat(dfd, n, 0755);
			break;
		case 'f':
			fd = openat(dfd, n, O_CREAT | O_EXCL | O_WRONLY | O_NOFOLLOW | O_CLOEXEC, 0644);
			if (fd >= 0) {
				if (write(fd, "x", 1) != 1)
					abort();
				close(fd);
			}
			break;
		case 'p':
			mknodat(dfd, n, S_IFIFO | 0644, 0);
			break;
		case 's':
			mknodat(dfd, n, S_IFSOCK | 0644, 0);
			break;
		case 'l':
			t = expand(c, e->target);
			if (strlen(t) > in.max_target)
				in.max_target = strlen(t);
			symlinkat(t, dfd, n);
			free(t);
			break;
		}
		close(dfd);
		free(p);
	}
}

static void drop(struct copy *c)
{
	close(c->fd);
	rm_at(topfd, "c");
}

/* ------------------------------------------------------------------ */
/* Snapshots: the copies must stay identical                          */
/* ------------------------------------------------------------------ */

struct snap {
	char *text;    /* one line per entry, sorted */
	size_t len, cap;
};

static void snap_add(struct snap *s, const char *line)
{
	size_t n = strlen(line);

	if (s->len + n + 1 > s->cap) {
		s->cap = (s->len + n + 1) * 2;
		s->text = realloc(s->text, s->cap);
		if (!s->text)
			abort();
	}
	memcpy(s->text + s->len, line, n + 1);
	s->len += n;
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Every NEEDLE in BUF (of SIZE bytes) written as '@'. */
static void at_for(char *buf, size_t size, const char *needle)
{
	size_t nl = strlen(needle);
	char *at, tmp[3 * PATH_MAX];

	while (nl && (at = strstr(buf, needle))) {
		snprintf(tmp, sizeof(tmp), "%.*s@%s", (int)(at - buf), buf, at + nl);
		snprintf(buf, size, "%s", tmp);
	}
}

/* Every entry under DFD as "TYPE REL SIZE TARGET" lines, targets with the
 * tree's path written back as '@'. REL (SIZE bytes, LEN used) is the
 * directory's path in the tree; the frames stay small, as an in_root path
 * full of '@' makes trees hundreds of levels deep. */
static void snap_dir(const struct copy *c, int dfd, char *rel, size_t len, size_t size,
                     char ***lines, size_t *n)
{
	static char tgt[PATH_MAX], line[6 * PATH_MAX];
	int fd = openat(dfd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	DIR *d = fd >= 0 ? fdopendir(fd) : NULL;
	struct dirent *de;

	must(d != NULL, "opendir");
	while ((de = readdir(d))) {
		size_t nl = strlen(de->d_name), l = len;
		struct stat st;

		if (!strcmp(de->d_name, ".") || !strcmp(de->d_name, ".."))
			continue;
		must(fstatat(dirfd(d), de->d_name, &st, AT_SYMLINK_NOFOLLOW) == 0, "fstatat");
		must(l + nl + 2 <= size, "a tree too deep for the snapshot");
		if (l)
			rel[l++] = '/';
		memcpy(rel + l, de->d_name, nl + 1);
		tgt[0] = '\0';
		if (S_ISLNK(st.st_mode)) {
			ssize_t k = readlinkat(dirfd(d), de->d_name, tgt, sizeof(tgt) - 1);

			tgt[k > 0 ? k : 0] = '\0';
			at_for(tgt, sizeof(tgt), c->path);
		}
		snprintf(line, sizeof(line), "%o %s %jd %s\n", st.st_mode, rel,
		         S_ISREG(st.st_mode) ? (intmax_t)st.st_size : 0, tgt);
		*lines = realloc(*lines, (*n + 1) * sizeof(**lines));
		(*lines)[(*n)++] = dup_n(line, strlen(line));
		if (S_ISDIR(st.st_mode)) {
			int sub = openat(dirfd(d), de->d_name, O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);

			must(sub >= 0, "a directory of the tree");
			snap_dir(c, sub, rel, l + nl, size, lines, n);
			close(sub);
		}
		rel[len] = '\0';
	}
	closedir(d);
}

static void snap_take(const struct copy *c, struct snap *s)
{
	static char rel[16 * PATH_MAX];
	char **lines = NULL;
	size_t n = 0;

	s->len = 0;
	snap_add(s, "");
	rel[0] = '\0';
	snap_dir(c, c->fd, rel, 0, sizeof(rel), &lines, &n);
	if (n)
		qsort(lines, n, sizeof(*lines), cmp_str);
	for (size_t i = 0; i < n; i++) {
		snap_add(s, lines[i]);
		free(lines[i]);
	}
	free(lines);
}

/* Names in DIR (relative to the scratch directory), "." and ".." aside. */
static int count_entries(const char *dir)
{
	int fd = openat(topfd, dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC), n = 0;
	DIR *d = fd >= 0 ? fdopendir(fd) : NULL;
	struct dirent *de;

	must(d != NULL, dir);
	while ((de = readdir(d)))
		n += strcmp(de->d_name, ".") && strcmp(de->d_name, "..");
	closedir(d);
	return n;
}

/* ------------------------------------------------------------------ */
/* Results                                                            */
/* ------------------------------------------------------------------ */

struct result {
	long err;                /* -errno, or 0 with the rest */
	dev_t dev;
	ino_t ino;
	mode_t type;
	int fl;
	char rel[4 * PATH_MAX];  /* path in its copy, or where it is */
	bool outside;            /* not in its copy (nor an O_TMPFILE file) */
	char name[NAME_MAX + 2]; /* resolve_parent's last name */
};

/* Where DEV/INO is in the tree under DFD: its path, after the LEN bytes
 * of BUF (SIZE bytes) already used. For objects too deep for
 * /proc/self/fd to name (an in_root path full of '@' makes them). */
static bool find_ino(int dfd, char *buf, size_t len, size_t size, dev_t dev, ino_t ino)
{
	int fd = openat(dfd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	DIR *d = fd >= 0 ? fdopendir(fd) : NULL;
	struct dirent *de;
	bool found = false;

	if (!d)
		return false;
	while (!found && (de = readdir(d))) {
		size_t n = strlen(de->d_name), l = len;
		struct stat st;

		if (!strcmp(de->d_name, ".") || !strcmp(de->d_name, "..") || l + n + 2 > size ||
		    fstatat(dirfd(d), de->d_name, &st, AT_SYMLINK_NOFOLLOW) < 0)
			continue;
		if (l)
			buf[l++] = '/';
		memcpy(buf + l, de->d_name, n + 1);
		if (st.st_dev == dev && st.st_ino == ino) {
			found = true;
		} else if (S_ISDIR(st.st_mode)) {
			int sub = openat(dirfd(d), de->d_name, O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);

			found = sub >= 0 && find_ino(sub, buf, l + n, size, dev, ino);
			if (sub >= 0)
				close(sub);
		}
	}
	closedir(d);
	return found;
}

/* R (an fd or -errno) as a result, in copy C; closes the fd. */
static struct result describe_fd(long r, const struct copy *c)
{
	struct result res = { .err = r < 0 ? r : 0 };
	char proc[64], link[PATH_MAX + 1];
	size_t cl = strlen(c->path);
	struct stat st, top_st;
	ssize_t n;

	if (r < 0)
		return res;
	must(fstat((int)r, &st) == 0, "fstat");
	res.dev = st.st_dev;
	res.ino = st.st_ino;
	res.type = st.st_mode & S_IFMT;
	res.fl = fcntl((int)r, F_GETFL) & (O_ACCMODE | O_PATH | O_NONBLOCK | O_APPEND);
	CHECK(fcntl((int)r, F_GETFD) & FD_CLOEXEC, "an fd without FD_CLOEXEC");
	snprintf(proc, sizeof(proc), "/proc/self/fd/%ld", r);
	n = readlink(proc, link, sizeof(link) - 1);
	link[n > 0 ? n : 0] = '\0';
	must(fstat(c->fd, &top_st) == 0, "fstat");
	if (n < 0 || (size_t)n >= sizeof(link) - 1) {
		/* too long a path for /proc: look for it */
		res.rel[0] = '\0';
		if (st.st_dev == top_st.st_dev && st.st_ino == top_st.st_ino)
			strcpy(res.rel, ".");
		else if (S_ISREG(st.st_mode) && st.st_nlink == 0)
			/* O_TMPFILE: no name to look for, no way to tell */
			strcpy(res.rel, "(an unnamed file in a directory too deep to name)");
		else if (!find_ino(c->fd, res.rel, 0, sizeof(res.rel), st.st_dev, st.st_ino))
			res.outside = true;
	} else if (!strcmp(link, c->path)) {
		strcpy(res.rel, ".");
	} else if (!strncmp(link, c->path, cl) && link[cl] == '/') {
		snprintf(res.rel, sizeof(res.rel), "%s", link + cl + 1);
	} else {
		snprintf(res.rel, sizeof(res.rel), "%s", link);
		res.outside = true;
	}
	close((int)r);
	return res;
}

static const char *errname(long e)
{
	const char *s = e < 0 ? strerrorname_np((int)-e) : NULL;

	return e >= 0 ? "ok" : s ? s : "E?";
}

static void show(const char *who, const struct result *r)
{
	if (r->err)
		fprintf(stderr, "  %s: %s\n", who, errname(r->err));
	else
		fprintf(stderr, "  %s: fd of \"%s\" (type %o, flags %#x, dev/ino %ju/%ju)%s%s\n", who,
		        r->rel, r->type, r->fl, (uintmax_t)r->dev, (uintmax_t)r->ino,
		        r->name[0] ? " name " : "", r->name);
}

/* Could the walker's documented buffer limit explain an ENAMETOOLONG for
 * PATH? Its rest-of-path buffer holds 2 * PATH_MAX bytes: the path plus
 * every spliced target not yet consumed (at most MAX_LINKS of them). */
static bool walker_limit_possible(const char *path)
{
	return strlen(path) + (MAX_LINKS + 1) * (in.max_target + 1) >= 2 * PATH_MAX;
}

/* W (walker) against K (openat2). SAME_RUN: both on the tree as it is,
 * so objects compare by dev/ino; otherwise (a changing operation, one in
 * each run) by their path in the tree. Returns false for a documented
 * walker limit, which is counted instead. */
static bool compare(const struct result *w, const struct result *k, bool same_run,
                    const char *path)
{
	bool ok;

	n_compared++;
	if (w->err == -ENAMETOOLONG && k->err != -ENAMETOOLONG && walker_limit_possible(path)) {
		n_limit++;
		return false;
	}
	if (w->err || k->err)
		ok = w->err == k->err;
	else
		ok = w->type == k->type && w->fl == k->fl && !strcmp(w->name, k->name) &&
		     (same_run ? w->dev == k->dev && w->ino == k->ino : !strcmp(w->rel, k->rel));
	if (!ok) {
		fprintf(stderr, "\n%s, mode %s: the backends disagree\n", cur_what, cur_mode);
		show("walker ", w);
		show("openat2", k);
		FAIL("walker and openat2 backends disagree");
	}
	if (!w->err) {
		CHECK(!w->outside, "%s, mode %s: the walker reached an object outside the tree: %s",
		      cur_what, cur_mode, w->rel);
		CHECK(!k->outside, "%s, mode %s: openat2 reached an object outside the tree: %s",
		      cur_what, cur_mode, k->rel);
	}
	return true;
}

/* A return value that is not an fd (0, a length) as a result. */
static struct result ret_result(long r)
{
	struct result res = { .err = r < 0 ? r : 0, .ino = r > 0 ? (ino_t)r : 0 };

	strcpy(res.rel, r > 0 ? "(a length)" : ".");
	return res;
}

static void compare_ret(long w, long k, const char *path)
{
	struct result rw = ret_result(w), rk = ret_result(k);

	compare(&rw, &rk, true, path);
}

/* ------------------------------------------------------------------ */
/* One path                                                           */
/* ------------------------------------------------------------------ */

#define WALK(m) (modes[m].rflags | BENEATH_BACKEND_WALKER)
#define KERN(m) (modes[m].rflags | BENEATH_BACKEND_OPENAT2)

/* The mutant resolves BENEATH_MODE_BENEATH as IN_ROOT on the walker side. */
static unsigned int walk_flags(size_t m)
{
	unsigned int f = WALK(m);

	if (fuzz_mutant && (f & BENEATH_MODE_MASK) == BENEATH_MODE_BENEATH)
		f |= BENEATH_MODE_IN_ROOT;
	return f;
}

/* The operations that leave the tree as it is: both backends now. */
static void reads_of(const char *p, size_t m)
{
	const struct beneath_root *R = &C.root;
	struct result w, k;
	char what[128];

	for (size_t f = 0; f < N_READS; f++) {
		snprintf(what, sizeof(what), "beneath_open(%s)", reads[f].name);
		cur_what = what;
		w = describe_fd(beneath_open(R, p, reads[f].flags, 0600, walk_flags(m)), &C);
		k = describe_fd(beneath_open(R, p, reads[f].flags, 0600, KERN(m)), &C);
		if (reads[f].flags & O_TMPFILE) {
			/* two new unnamed files: only their kind can agree */
			w.dev = k.dev;
			w.ino = k.ino;
		}
		compare(&w, &k, true, p);
	}

	cur_what = "beneath_resolve(NOFOLLOW)";
	w = describe_fd(beneath_resolve(R, p, walk_flags(m) | BENEATH_NOFOLLOW), &C);
	k = describe_fd(beneath_resolve(R, p, KERN(m) | BENEATH_NOFOLLOW), &C);
	compare(&w, &k, true, p);
	cur_what = "beneath_resolve(MUST_BE_DIR)";
	w = describe_fd(beneath_resolve(R, p, walk_flags(m) | BENEATH_MUST_BE_DIR), &C);
	k = describe_fd(beneath_resolve(R, p, KERN(m) | BENEATH_MUST_BE_DIR), &C);
	compare(&w, &k, true, p);

	cur_what = "beneath_resolve_parent";
	{
		char nw[NAME_MAX + 2], nk[NAME_MAX + 2];
		long rw = beneath_resolve_parent(R, p, walk_flags(m), nw, sizeof(nw));
		long rk = beneath_resolve_parent(R, p, KERN(m), nk, sizeof(nk));

		w = describe_fd(rw, &C);
		k = describe_fd(rk, &C);
		if (rw >= 0)
			snprintf(w.name, sizeof(w.name), "%s", nw);
		if (rk >= 0)
			snprintf(k.name, sizeof(k.name), "%s", nk);
		compare(&w, &k, true, p);
	}

	{
		struct stat sw, sk;
		struct statx xw, xk;
		char bw[PATH_MAX], bk[PATH_MAX];
		long rw, rk;

		for (int nofollow = 0; nofollow < 2; nofollow++) {
			int at = nofollow ? AT_SYMLINK_NOFOLLOW : 0;

			cur_what = nofollow ? "beneath_stat(AT_SYMLINK_NOFOLLOW)" : "beneath_stat";
			rw = beneath_stat(R, p, &sw, at, walk_flags(m));
			rk = beneath_stat(R, p, &sk, at, KERN(m));
			compare_ret(rw, rk, p);
			if (rw == 0 && rk == 0)
				CHECK(sw.st_dev == sk.st_dev && sw.st_ino == sk.st_ino,
				      "%s, mode %s: stat of different objects", cur_what, cur_mode);
		}
		cur_what = "beneath_readlink";
		rw = beneath_readlink(R, p, bw, sizeof(bw), walk_flags(m));
		rk = beneath_readlink(R, p, bk, sizeof(bk), KERN(m));
		compare_ret(rw, rk, p);
		if (rw > 0 && rk > 0)
			CHECK(!memcmp(bw, bk, (size_t)rw), "%s, mode %s: different link text",
			      cur_what, cur_mode);
		cur_what = "beneath_access(W_OK, AT_SYMLINK_NOFOLLOW)";
		compare_ret(beneath_access(R, p, W_OK, AT_SYMLINK_NOFOLLOW, walk_flags(m)),
		            beneath_access(R, p, W_OK, AT_SYMLINK_NOFOLLOW, KERN(m)), p);
		cur_what = "beneath_statx";
		rw = beneath_statx(R, p, 0, STATX_INO, &xw, walk_flags(m));
		rk = beneath_statx(R, p, 0, STATX_INO, &xk, KERN(m));
		compare_ret(rw, rk, p);
		if (rw == 0 && rk == 0)
			CHECK(xw.stx_ino == xk.stx_ino, "%s, mode %s: different objects", cur_what,
			      cur_mode);
	}
}

/*
 * The answers of the changing operations in the walker's run, compared
 * one by one as the openat2 run gives them: the same sequence of
 * operations on the same tree at the same place.
 */
struct rec {
	struct result *r;
	char *tree;      /* a snapshot after a path, or NULL */
};

static struct {
	struct rec *v;
	size_t n, cap, next;
	int run;         /* 0: the walker's, recording; 1: openat2's */
} log_;

static void rec_push(struct result *r, char *tree)
{
	if (log_.n == log_.cap) {
		log_.cap = log_.cap ? 2 * log_.cap : 256;
		log_.v = realloc(log_.v, log_.cap * sizeof(*log_.v));
		if (!log_.v)
			abort();
	}
	log_.v[log_.n++] = (struct rec){ r, tree };
}

static void rec_free(void)
{
	for (size_t i = 0; i < log_.n; i++) {
		free(log_.v[i].r);
		free(log_.v[i].tree);
	}
	log_.n = log_.next = 0;
}

/* One changing operation's answer R (for path P) in this run. */
static void answer(const struct result *r, const char *p)
{
	if (log_.run == 0) {
		struct result *c = malloc(sizeof(*c));

		if (!c)
			abort();
		*c = *r;
		rec_push(c, NULL);
		return;
	}
	if (diverged)
		return;
	CHECK(log_.next < log_.n && log_.v[log_.next].r, "the two runs went differently");
	if (!compare(log_.v[log_.next++].r, r, false, p))
		diverged = true;
}

static struct snap snapshot;

/* The tree after a path's changing operations, in this run. */
static void answer_tree(void)
{
	snap_take(&C, &snapshot);
	if (log_.run == 0) {
		rec_push(NULL, strdup(snapshot.text));
		return;
	}
	if (diverged)
		return;
	CHECK(log_.next < log_.n && log_.v[log_.next].tree, "the two runs went differently");
	if (strcmp(log_.v[log_.next].tree, snapshot.text)) {
		fprintf(stderr, "\ntree after the walker's run:\n%stree after openat2's run:\n%s",
		        log_.v[log_.next].tree, snapshot.text);
		FAIL("the trees differ after the changing operations of path \"%s\"", cur_path);
	}
	log_.next++;
}

static unsigned int flags_of_run(size_t m)
{
	return log_.run == 0 ? walk_flags(m) : KERN(m);
}

static void writes_of(const char *p, const char *q, size_t m)
{
	const struct beneath_root *R = &C.root;
	unsigned int rf = flags_of_run(m);
	struct result r;
	char what[128];

	for (size_t f = 0; f < N_WRITES; f++) {
		snprintf(what, sizeof(what), "beneath_open(%s)", writes[f].name);
		cur_what = what;
		r = describe_fd(beneath_open(R, p, writes[f].flags, 0644, rf), &C);
		answer(&r, p);
	}
#define OP(what, call)                                                         \
	do {                                                                   \
		cur_what = (what);                                             \
		r = ret_result(call);                                          \
		answer(&r, p);                                                 \
	} while (0)
	OP("beneath_mkdir", beneath_mkdir(R, p, 0755, rf));
	OP("beneath_symlink", beneath_symlink("x", R, p, rf));
	OP("beneath_link(path, next path)", beneath_link(R, p, R, q, 0, rf));
	OP("beneath_rename(path, next path)", beneath_rename(R, p, R, q, 0, rf));
	OP("beneath_unlink", beneath_unlink(R, p, 0, rf));
	OP("beneath_unlink(AT_REMOVEDIR)", beneath_unlink(R, p, AT_REMOVEDIR, rf));
	OP("beneath_mknod(S_IFIFO)", beneath_mknod(R, p, S_IFIFO | 0600, 0, rf));
	OP("beneath_chmod(0640)", beneath_chmod(R, p, 0640, 0, rf));
	OP("beneath_truncate(0)", beneath_truncate(R, p, 0, rf));
#undef OP
	cur_what = "beneath_mkdir_p";
	r = describe_fd(beneath_mkdir_p(R, p, 0755, rf), &C);
	answer(&r, p);
}

/* Nothing may have appeared outside the tree. */
static void check_outside(void)
{
	CHECK(count_entries("out") == 2, "something appeared in %s/out", top);
	CHECK(count_entries(".") == 2, "something appeared next to the tree in %s", top);
}

/* One run over every path: RUN 0 the walker's (and the comparisons that
 * leave the tree alone), RUN 1 openat2's. */
static void run(int r)
{
	log_.run = r;
	log_.next = 0;
	build(&C, "c");
	check_outside();
	for (int i = 0; i < in.npaths; i++) {
		const char *next = in.paths[(i + 1) % in.npaths];
		char *p = expand(&C, in.paths[i]), *q = expand(&C, next);

		cur_path = in.paths[i];
		for (size_t m = 0; m < N_MODES; m++) {
			cur_mode = modes[m].name;
			if (r == 0)
				reads_of(p, m);
			writes_of(p, q, m);
		}
		cur_mode = "(all)";
		cur_what = "after all operations";
		answer_tree();
		check_outside();
		free(p);
		free(q);
	}
	cur_path = cur_what = cur_mode = NULL;
	drop(&C);
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	fuzz_init_common();
	fuzz_describe = describe;
	setup_top();
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	fuzz_lines(data, size, add_line, NULL);
	diverged = false;
	run(0);
	run(1);
	rec_free();
	input_free();
	return 0;
}
