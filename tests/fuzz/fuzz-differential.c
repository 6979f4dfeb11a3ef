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
 * line is ignored, and so is an input that spells out the scratch
 * directory's path (it would name copy A from copy B too).
 *
 * The tree is built twice, as copies A and B, in a scratch directory
 * (tmpfs /dev/shm when there is one) next to a directory "out" that no
 * resolution may reach. Every path is resolved in the three modes, with
 * and without BENEATH_NO_SYMLINKS, by BENEATH_BACKEND_WALKER and by
 * BENEATH_BACKEND_OPENAT2 (which in contain mode hands EXDEV to the
 * walker, as it does for every caller):
 *  - beneath_open with flag sets that do not change the tree, the
 *    two backends on copy A: the same errno, or fds of the same object
 *    (dev/ino) with the same access flags, and inside the copy;
 *  - beneath_resolve (NOFOLLOW, MUST_BE_DIR) and beneath_resolve_parent
 *    (the same directory and last name), beneath_stat, beneath_statx,
 *    beneath_readlink, beneath_access;
 *  - beneath_open with O_CREAT / O_TRUNC, beneath_mkdir, beneath_unlink,
 *    beneath_symlink, beneath_rename, beneath_link, beneath_mknod,
 *    beneath_chmod, beneath_truncate and beneath_mkdir_p: the walker on
 *    copy A, openat2 on copy B, the same answer (objects by their path in
 *    the copy); after each path, the two copies must be identical, and
 *    nothing may have appeared in "out" or next to the copies.
 *
 * Excluded explicitly, because README and tests/test-resolver.c document
 * them (bug_nested_long_symlinks, bug_deep_names_via_symlinks): the
 * walker's ENAMETOOLONG where openat2 resolves, when the path and the
 * symlink targets it may splice (at most 40) could exceed the walker's
 * 2 * PATH_MAX buffer. Such an answer is counted, not reported.
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
static bool copies_stale;        /* ... by an operation that changes a copy */
static bool changing;            /* the operation compared changes the copies */

struct copy {
	char path[PATH_MAX];
	int fd;
	struct beneath_root root;
};

static struct copy A, B;

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
	rm_at(topfd, c == &A ? "A" : "B");
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

/* Every NEEDLE in BUF (of SIZE bytes) written as '@': in in_root mode a
 * path with '@' makes the copy's own path inside the copy, which must
 * compare equal between A and B. */
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
 * copy's path written back as '@'; sorted. */
static void snap_dir(const struct copy *c, int dfd, const char *prefix, char ***lines, size_t *n)
{
	int fd = openat(dfd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	DIR *d = fd >= 0 ? fdopendir(fd) : NULL;
	struct dirent *de;

	must(d != NULL, "opendir");
	while ((de = readdir(d))) {
		char rel[PATH_MAX + 8], tgt[PATH_MAX], line[3 * PATH_MAX];
		struct stat st;

		if (!strcmp(de->d_name, ".") || !strcmp(de->d_name, ".."))
			continue;
		must(fstatat(dirfd(d), de->d_name, &st, AT_SYMLINK_NOFOLLOW) == 0, "fstatat");
		snprintf(rel, sizeof(rel), "%s%s%s", prefix, *prefix ? "/" : "", de->d_name);
		tgt[0] = '\0';
		if (S_ISLNK(st.st_mode)) {
			ssize_t k = readlinkat(dirfd(d), de->d_name, tgt, sizeof(tgt) - 1);

			tgt[k > 0 ? k : 0] = '\0';
			at_for(tgt, sizeof(tgt), c->path);
		}
		snprintf(line, sizeof(line), "%o %s %jd %s\n", st.st_mode, rel,
		         S_ISREG(st.st_mode) ? (intmax_t)st.st_size : 0, tgt);
		at_for(line, sizeof(line), c->path + 1);
		*lines = realloc(*lines, (*n + 1) * sizeof(**lines));
		(*lines)[(*n)++] = dup_n(line, strlen(line));
		if (S_ISDIR(st.st_mode)) {
			int sub = openat(dirfd(d), de->d_name, O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);

			must(sub >= 0, rel);
			snap_dir(c, sub, rel, lines, n);
			close(sub);
		}
	}
	closedir(d);
}

static void snap_take(const struct copy *c, struct snap *s)
{
	char **lines = NULL;
	size_t n = 0;

	s->len = 0;
	snap_add(s, "");
	snap_dir(c, c->fd, "", &lines, &n);
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
		at_for(res.rel, sizeof(res.rel), c->path + 1);
	} else if (!strcmp(link, c->path)) {
		strcpy(res.rel, ".");
	} else if (!strncmp(link, c->path, cl) && link[cl] == '/') {
		snprintf(res.rel, sizeof(res.rel), "%s", link + cl + 1);
		at_for(res.rel, sizeof(res.rel), c->path + 1);
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

/* W (walker) against K (openat2). SAME_COPY: both on copy A, so objects
 * compare by dev/ino; otherwise by their path in the copy. */
static void compare(const struct result *w, const struct result *k, bool same_copy,
                    const char *path)
{
	bool ok;

	n_compared++;
	if (w->err == -ENAMETOOLONG && k->err != -ENAMETOOLONG && walker_limit_possible(path)) {
		/* openat2 may have changed copy B where the walker did not
		 * change A: start the next path from fresh copies */
		n_limit++;
		copies_stale |= changing;
		return;
	}
	if (w->err || k->err)
		ok = w->err == k->err;
	else
		ok = w->type == k->type && w->fl == k->fl && !strcmp(w->name, k->name) &&
		     (same_copy ? w->dev == k->dev && w->ino == k->ino : !strcmp(w->rel, k->rel));
	if (!ok) {
		fprintf(stderr, "\n%s, mode %s: the backends disagree\n", cur_what, cur_mode);
		show("walker ", w);
		show("openat2", k);
		FAIL("walker and openat2 backends disagree");
	}
	if (!w->err) {
		CHECK(!w->outside, "%s, mode %s: the walker reached an object outside the copy: %s",
		      cur_what, cur_mode, w->rel);
		CHECK(!k->outside, "%s, mode %s: openat2 reached an object outside the copy: %s",
		      cur_what, cur_mode, k->rel);
	}
}

static void compare_ret(long w, long k, const char *path)
{
	struct result rw = { .err = w < 0 ? w : 0 }, rk = { .err = k < 0 ? k : 0 };

	if (w >= 0 && k >= 0 && w != k) {
		fprintf(stderr, "\n%s, mode %s: walker returned %ld, openat2 %ld\n", cur_what,
		        cur_mode, w, k);
		FAIL("walker and openat2 backends disagree");
	}
	strcpy(rw.rel, ".");
	strcpy(rk.rel, ".");
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

static void reads_of(const char *pa, size_t m)
{
	struct result w, k;
	char what[128];

	for (size_t f = 0; f < N_READS; f++) {
		snprintf(what, sizeof(what), "beneath_open(%s)", reads[f].name);
		cur_what = what;
		w = describe_fd(beneath_open(&A.root, pa, reads[f].flags, 0600, walk_flags(m)), &A);
		k = describe_fd(beneath_open(&A.root, pa, reads[f].flags, 0600, KERN(m)), &A);
		if (reads[f].flags & O_TMPFILE) {
			/* two new unnamed files: only their kind can agree */
			w.dev = k.dev;
			w.ino = k.ino;
		}
		compare(&w, &k, true, pa);
	}

	cur_what = "beneath_resolve(NOFOLLOW)";
	w = describe_fd(beneath_resolve(&A.root, pa, walk_flags(m) | BENEATH_NOFOLLOW), &A);
	k = describe_fd(beneath_resolve(&A.root, pa, KERN(m) | BENEATH_NOFOLLOW), &A);
	compare(&w, &k, true, pa);
	cur_what = "beneath_resolve(MUST_BE_DIR)";
	w = describe_fd(beneath_resolve(&A.root, pa, walk_flags(m) | BENEATH_MUST_BE_DIR), &A);
	k = describe_fd(beneath_resolve(&A.root, pa, KERN(m) | BENEATH_MUST_BE_DIR), &A);
	compare(&w, &k, true, pa);

	cur_what = "beneath_resolve_parent";
	{
		char nw[NAME_MAX + 2], nk[NAME_MAX + 2];
		long rw = beneath_resolve_parent(&A.root, pa, walk_flags(m), nw, sizeof(nw));
		long rk = beneath_resolve_parent(&A.root, pa, KERN(m), nk, sizeof(nk));

		w = describe_fd(rw, &A);
		k = describe_fd(rk, &A);
		if (rw >= 0)
			snprintf(w.name, sizeof(w.name), "%s", nw);
		if (rk >= 0)
			snprintf(k.name, sizeof(k.name), "%s", nk);
		compare(&w, &k, true, pa);
	}

	{
		struct stat sw, sk;
		char bw[PATH_MAX], bk[PATH_MAX];
		long rw, rk;

		for (int nofollow = 0; nofollow < 2; nofollow++) {
			int at = nofollow ? AT_SYMLINK_NOFOLLOW : 0;

			cur_what = nofollow ? "beneath_stat(AT_SYMLINK_NOFOLLOW)" : "beneath_stat";
			rw = beneath_stat(&A.root, pa, &sw, at, walk_flags(m));
			rk = beneath_stat(&A.root, pa, &sk, at, KERN(m));
			compare_ret(rw, rk, pa);
			if (rw == 0 && rk == 0)
				CHECK(sw.st_dev == sk.st_dev && sw.st_ino == sk.st_ino,
				      "%s, mode %s: stat of different objects", cur_what, cur_mode);
		}
		cur_what = "beneath_readlink";
		rw = beneath_readlink(&A.root, pa, bw, sizeof(bw), walk_flags(m));
		rk = beneath_readlink(&A.root, pa, bk, sizeof(bk), KERN(m));
		compare_ret(rw, rk, pa);
		if (rw > 0 && rk > 0)
			CHECK(!memcmp(bw, bk, (size_t)rw), "%s, mode %s: different link text",
			      cur_what, cur_mode);
		cur_what = "beneath_access(W_OK, AT_SYMLINK_NOFOLLOW)";
		compare_ret(beneath_access(&A.root, pa, W_OK, AT_SYMLINK_NOFOLLOW, walk_flags(m)),
		            beneath_access(&A.root, pa, W_OK, AT_SYMLINK_NOFOLLOW, KERN(m)), pa);
		cur_what = "beneath_statx";
		{
			struct statx xw, xk;

			rw = beneath_statx(&A.root, pa, 0, STATX_INO, &xw, walk_flags(m));
			rk = beneath_statx(&A.root, pa, 0, STATX_INO, &xk, KERN(m));
			compare_ret(rw, rk, pa);
			if (rw == 0 && rk == 0)
				CHECK(xw.stx_ino == xk.stx_ino, "%s, mode %s: different objects",
				      cur_what, cur_mode);
		}
	}
}

/* The operations that change the tree: walker on A, openat2 on B. Once
 * a documented walker limit has let the copies differ, the rest would
 * compare different trees: they wait for fresh copies. */
static void writes_of(const char *pa, const char *pb, const char *qa, const char *qb, size_t m)
{
	struct result w, k;
	char what[128];

	changing = true;
	for (size_t f = 0; f < N_WRITES && !copies_stale; f++) {
		snprintf(what, sizeof(what), "beneath_open(%s)", writes[f].name);
		cur_what = what;
		w = describe_fd(beneath_open(&A.root, pa, writes[f].flags, 0644, walk_flags(m)), &A);
		k = describe_fd(beneath_open(&B.root, pb, writes[f].flags, 0644, KERN(m)), &B);
		compare(&w, &k, false, pa);
	}
#define OP(what, call_a, call_b)                                               \
	do {                                                                   \
		if (copies_stale)                                              \
			goto done;                                             \
		cur_what = (what);                                             \
		compare_ret((call_a), (call_b), pa);                           \
	} while (0)
	OP("beneath_mkdir", beneath_mkdir(&A.root, pa, 0755, walk_flags(m)),
	   beneath_mkdir(&B.root, pb, 0755, KERN(m)));
	OP("beneath_symlink", beneath_symlink("x", &A.root, pa, walk_flags(m)),
	   beneath_symlink("x", &B.root, pb, KERN(m)));
	OP("beneath_link(path, next path)", beneath_link(&A.root, pa, &A.root, qa, 0, walk_flags(m)),
	   beneath_link(&B.root, pb, &B.root, qb, 0, KERN(m)));
	OP("beneath_rename(path, next path)",
	   beneath_rename(&A.root, pa, &A.root, qa, 0, walk_flags(m)),
	   beneath_rename(&B.root, pb, &B.root, qb, 0, KERN(m)));
	OP("beneath_unlink", beneath_unlink(&A.root, pa, 0, walk_flags(m)),
	   beneath_unlink(&B.root, pb, 0, KERN(m)));
	OP("beneath_unlink(AT_REMOVEDIR)", beneath_unlink(&A.root, pa, AT_REMOVEDIR, walk_flags(m)),
	   beneath_unlink(&B.root, pb, AT_REMOVEDIR, KERN(m)));
	OP("beneath_mknod(S_IFIFO)", beneath_mknod(&A.root, pa, S_IFIFO | 0600, 0, walk_flags(m)),
	   beneath_mknod(&B.root, pb, S_IFIFO | 0600, 0, KERN(m)));
	OP("beneath_chmod(0640)", beneath_chmod(&A.root, pa, 0640, 0, walk_flags(m)),
	   beneath_chmod(&B.root, pb, 0640, 0, KERN(m)));
	OP("beneath_truncate(0)", beneath_truncate(&A.root, pa, 0, walk_flags(m)),
	   beneath_truncate(&B.root, pb, 0, KERN(m)));
	if (copies_stale)
		goto done;
	cur_what = "beneath_mkdir_p";
	w = describe_fd(beneath_mkdir_p(&A.root, pa, 0755, walk_flags(m)), &A);
	k = describe_fd(beneath_mkdir_p(&B.root, pb, 0755, KERN(m)), &B);
	compare(&w, &k, false, pa);
#undef OP
done:
	changing = false;
}

static struct snap sa, sb;

static void check_copies(void)
{
	if (copies_stale) {
		drop(&A);
		drop(&B);
		build(&A, "A");
		build(&B, "B");
		copies_stale = false;
	}
	snap_take(&A, &sa);
	snap_take(&B, &sb);
	if (strcmp(sa.text, sb.text)) {
		fprintf(stderr, "\ncopy A (walker):\n%scopy B (openat2):\n%s", sa.text, sb.text);
		FAIL("the copies differ after the changing operations of path \"%s\"", cur_path);
	}
	CHECK(count_entries("out") == 2, "something appeared in %s/out", top);
	CHECK(count_entries(".") == 3, "something appeared next to the copies in %s", top);
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
	/* The copies' own paths spelt out (libFuzzer learns them from the
	 * comparisons above) would name copy A on both sides: '@' is the
	 * way to name a copy. */
	if (memmem(data, size, top + 1, strlen(top + 1)))
		return 0;
	fuzz_lines(data, size, add_line, NULL);
	build(&A, "A");
	build(&B, "B");
	cur_path = "(none: the copies as built)";
	check_copies();
	for (int i = 0; i < in.npaths; i++) {
		const char *next = in.paths[(i + 1) % in.npaths];
		char *pa = expand(&A, in.paths[i]), *pb = expand(&B, in.paths[i]);
		char *qa = expand(&A, next), *qb = expand(&B, next);

		cur_path = in.paths[i];
		for (size_t m = 0; m < N_MODES; m++) {
			cur_mode = modes[m].name;
			reads_of(pa, m);
			writes_of(pa, pb, qa, qb, m);
		}
		cur_mode = "(all)";
		cur_what = "after all operations";
		check_copies();
		free(pa);
		free(pb);
		free(qa);
		free(qb);
	}
	cur_path = cur_what = cur_mode = NULL;
	drop(&A);
	drop(&B);
	input_free();
	return 0;
}
