/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Differential test: the userspace walker against the kernel.
 *
 * From one seed, generate random small trees (dirs, files, FIFOs, socket
 * inodes, symlinks whose targets mix relative and absolute paths, "..",
 * ".", "//", trailing slashes, dangling names and loops) and random paths
 * over their names. Every tree is built twice, as copies A and B; every
 * path is opened in every mode with every flag set by the walker on copy A
 * (beneath_open with BENEATH_BACKEND_WALKER) and by openat2(2) itself on
 * copy B. The answers must agree: the same errno, or objects at the same
 * relative path of their copy with the same type and open flags. Creating
 * opens change the copies, so after each one the two trees are compared
 * entry by entry too. Contain mode has no kernel counterpart: not here.
 *
 * Also compared, on one copy: the library's openat2 backend against raw
 * openat2 (flag sanitising, NO_MAGICLINKS), and beneath_resolve_parent()
 * of the two backends (its openat2 path splits the path lexically).
 *
 * Usage: test-differential [SEED]; or BENEATH_SEED=N. BENEATH_DIFF_ITERS
 * sets the number of trees (default 300, 40 paths each).
 */
#include "config.h"

#include <inttypes.h>
#include <sched.h>
#include <sys/syscall.h>
#include <time.h>

#include "testutil.h"

#ifndef SYS_openat2
#define SYS_openat2 437
#endif

/* openat2(2) ABI, spelled out so that no header is needed. */
struct k_open_how {
	uint64_t flags;
	uint64_t mode;
	uint64_t resolve;
};
#define K_RESOLVE_NO_XDEV       0x01
#define K_RESOLVE_NO_MAGICLINKS 0x02
#define K_RESOLVE_NO_SYMLINKS   0x04
#define K_RESOLVE_BENEATH       0x08
#define K_RESOLVE_IN_ROOT       0x10

#define PATHS_PER_TREE 40
#define DEFAULT_TREES 300
#define DEFAULT_SEED 20240601u
#define MAX_REPORTS 30

static uint64_t seed = DEFAULT_SEED;
static long n_trees = DEFAULT_TREES;

/* ------------------------------------------------------------------------
 * Randomness: splitmix64, one stream per tree so that tree K is the same
 * whatever the iteration count.
 * ------------------------------------------------------------------------ */

static uint64_t rng;

static uint64_t rnd(void)
{
	uint64_t z = (rng += 0x9e3779b97f4a7c15ULL);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

static unsigned int rn(unsigned int n)
{
	return (unsigned int)(rnd() % n);
}

/* ------------------------------------------------------------------------
 * Modes and flags under test
 * ------------------------------------------------------------------------ */

static const struct {
	const char *name;
	unsigned int rflags;
	uint64_t resolve;
} modes[] = {
	{ "beneath", BENEATH_MODE_BENEATH, K_RESOLVE_BENEATH },
	{ "in_root", BENEATH_MODE_IN_ROOT, K_RESOLVE_IN_ROOT },
	{ "beneath|NO_SYMLINKS", BENEATH_MODE_BENEATH | BENEATH_NO_SYMLINKS,
	  K_RESOLVE_BENEATH | K_RESOLVE_NO_SYMLINKS },
	{ "in_root|NO_SYMLINKS", BENEATH_MODE_IN_ROOT | BENEATH_NO_SYMLINKS,
	  K_RESOLVE_IN_ROOT | K_RESOLVE_NO_SYMLINKS },
};
#define N_MODES (sizeof(modes) / sizeof(modes[0]))

/* O_NONBLOCK on every non-O_PATH open: a FIFO must not block the test. */
static const struct {
	const char *name;
	int flags;
	bool creates;   /* may change the tree: compare the copies after it */
} flagsets[] = {
	{ "O_PATH", O_PATH, false },
	{ "O_PATH|O_NOFOLLOW", O_PATH | O_NOFOLLOW, false },
	{ "O_RDONLY", O_RDONLY | O_NONBLOCK, false },
	{ "O_RDONLY|O_DIRECTORY", O_RDONLY | O_DIRECTORY | O_NONBLOCK, false },
	{ "O_RDONLY|O_NOFOLLOW", O_RDONLY | O_NOFOLLOW | O_NONBLOCK, false },
	{ "O_PATH|O_DIRECTORY", O_PATH | O_DIRECTORY, false },
	{ "O_CREAT|O_RDWR", O_CREAT | O_RDWR | O_NONBLOCK, true },
	{ "O_CREAT|O_EXCL|O_RDWR", O_CREAT | O_EXCL | O_RDWR | O_NONBLOCK, true },
	{ "O_CREAT|O_WRONLY|O_NOFOLLOW", O_CREAT | O_WRONLY | O_NOFOLLOW | O_NONBLOCK, true },
	/* not creating, but it changes the tree: compared like the others */
	{ "O_WRONLY|O_TRUNC", O_WRONLY | O_TRUNC | O_NONBLOCK, true },
};
#define N_FLAGS (sizeof(flagsets) / sizeof(flagsets[0]))

/* ------------------------------------------------------------------------
 * Tree generation
 * ------------------------------------------------------------------------ */

/* Few names, so that random paths often meet real entries; "x" and "zz"
 * never exist and make dangling links and ENOENT paths. */
static const char *const names[] = { "a", "b", "c", "d", "e" };
#define N_NAMES (sizeof(names) / sizeof(names[0]))

#define MAX_ENTRIES 40
#define REL_MAX 256

struct gen {
	int n;
	char type[MAX_ENTRIES];
	char path[MAX_ENTRIES][REL_MAX];
	int ndirs;
	int dirs[MAX_ENTRIES];     /* indices of directories; -1 is the root */
};

static bool gen_has(const struct gen *g, const char *path)
{
	for (int i = 0; i < g->n; i++)
		if (!strcmp(g->path[i], path))
			return true;
	return false;
}

/* A new entry of TYPE in a random directory; false if none was free. */
static bool gen_add(struct gen *g, char type)
{
	for (int tries = 0; tries < 8 && g->n < MAX_ENTRIES; tries++) {
		int d = g->dirs[rn((unsigned int)g->ndirs)];
		char p[REL_MAX];

		snprintf(p, sizeof(p), "%s%s%s", d < 0 ? "" : g->path[d], d < 0 ? "" : "/",
		         names[rn(N_NAMES)]);
		if (gen_has(g, p))
			continue;
		strcpy(g->path[g->n], p);
		g->type[g->n] = type;
		if (type == 'd')
			g->dirs[g->ndirs++] = g->n;
		g->n++;
		return true;
	}
	return false;
}

/* A symlink target for the entry at LINKPATH. */
static void gen_target(const struct gen *g, const char *linkpath, char *out, size_t sz)
{
	static const char *const extra[] = { ".", "..", "..", "x", "zz", "" };
	size_t len = 0;
	int n;

	switch (rn(12)) {
	case 0: /* itself: a loop */
		snprintf(out, sz, "%s", strrchr(linkpath, '/') ? strrchr(linkpath, '/') + 1 : linkpath);
		return;
	case 1: /* an existing entry by its root-relative path, maybe absolute */
		snprintf(out, sz, "%s%s", rn(2) ? "/" : "", g->path[rn((unsigned int)g->n)]);
		return;
	case 2:
		snprintf(out, sz, "%s", rn(2) ? "/" : rn(2) ? "." : "..");
		return;
	default:
		break;
	}
	out[0] = '\0';
	if (rn(4) == 0)
		out[len++] = '/';
	n = 1 + (int)rn(4);
	for (int i = 0; i < n; i++) {
		const char *c = rn(10) < 6 ? names[rn(N_NAMES)] : extra[rn(sizeof(extra) / sizeof(extra[0]))];

		if (i)
			len += (size_t)snprintf(out + len, sz - len, rn(6) ? "/" : "//");
		len += (size_t)snprintf(out + len, sz - len, "%s", c);
	}
	if (rn(6) == 0)
		len += (size_t)snprintf(out + len, sz - len, "/");
	if (len == 0)
		snprintf(out, sz, ".");
}

/* A tree description in tu_build() syntax. */
static void gen_tree(char *spec, size_t sz)
{
	struct gen g = { .n = 0, .ndirs = 1, .dirs = { -1 } };
	size_t len = 0;
	int nd = 1 + (int)rn(5), nf = 1 + (int)rn(4), np = (int)rn(2), ns = (int)rn(2);
	int nl = 2 + (int)rn(7);

	for (int i = 0; i < nd; i++)
		gen_add(&g, 'd');
	for (int i = 0; i < nf; i++)
		gen_add(&g, 'f');
	for (int i = 0; i < np; i++)
		gen_add(&g, 'p');
	for (int i = 0; i < ns; i++)
		gen_add(&g, 's');
	for (int i = 0; i < nl; i++)
		gen_add(&g, 'l');
	spec[0] = '\0';
	for (int i = 0; i < g.n; i++) {
		char target[REL_MAX];

		if (g.type[i] == 'l')
			gen_target(&g, g.path[i], target, sizeof(target));
		else if (g.type[i] == 'f')
			snprintf(target, sizeof(target), "%d", i);
		else
			target[0] = '\0';
		len += (size_t)snprintf(spec + len, sz - len, "%c %s%s%s\n", g.type[i], g.path[i],
		                        target[0] ? " " : "", target);
	}
}

static void gen_path(char *out, size_t sz)
{
	static const char *const extra[] = { ".", "..", "..", "", "x" };
	size_t len = 0;
	int n;

	if (rn(100) == 0) {
		out[0] = '\0';
		return;
	}
	out[0] = '\0';
	if (rn(7) == 0)
		out[len++] = '/';
	n = 1 + (int)rn(5);
	for (int i = 0; i < n; i++) {
		const char *c = rn(10) < 7 ? names[rn(N_NAMES)] : extra[rn(sizeof(extra) / sizeof(extra[0]))];

		if (i)
			len += (size_t)snprintf(out + len, sz - len, "/");
		len += (size_t)snprintf(out + len, sz - len, "%s", c);
	}
	if (rn(7) == 0)
		snprintf(out + len, sz - len, "/");
	out[sz - 1] = '\0';
}

/* ------------------------------------------------------------------------
 * Snapshots: every entry of a copy by relative path, for identifying the
 * object an fd names (by st_dev/st_ino) and for comparing two copies.
 * ------------------------------------------------------------------------ */

#define SNAP_MAX 256

struct snap_ent {
	char rel[REL_MAX];
	dev_t dev;
	ino_t ino;
	mode_t mode;
	off_t size;
	char target[REL_MAX];
};

struct snap {
	int n;
	struct snap_ent e[SNAP_MAX];
};

static void snap_dir(struct snap *s, int dfd, const char *prefix)
{
	int fd = openat(dfd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	DIR *d = fd >= 0 ? fdopendir(fd) : NULL;
	struct dirent *de;

	tu_require(d != NULL);
	while ((de = readdir(d))) {
		struct snap_ent *e;
		struct stat st;

		if (!strcmp(de->d_name, ".") || !strcmp(de->d_name, ".."))
			continue;
		tu_require(s->n < SNAP_MAX);
		tu_require(fstatat(dirfd(d), de->d_name, &st, AT_SYMLINK_NOFOLLOW) == 0);
		e = &s->e[s->n++];
		tu_require((size_t)snprintf(e->rel, sizeof(e->rel), "%s%s%s", prefix, *prefix ? "/" : "",
		                           de->d_name) < sizeof(e->rel));
		e->dev = st.st_dev;
		e->ino = st.st_ino;
		e->mode = st.st_mode;
		e->size = S_ISREG(st.st_mode) ? st.st_size : 0;
		e->target[0] = '\0';
		if (S_ISLNK(st.st_mode)) {
			ssize_t n = readlinkat(dirfd(d), de->d_name, e->target, sizeof(e->target) - 1);
			e->target[n > 0 ? n : 0] = '\0';
		} else if (S_ISDIR(st.st_mode)) {
			int sub = openat(dirfd(d), de->d_name, O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
			char rel[REL_MAX];

			tu_require(sub >= 0);
			snprintf(rel, sizeof(rel), "%s", e->rel);
			snap_dir(s, sub, rel);
			close(sub);
		}
	}
	closedir(d);
}

static int snap_cmp(const void *a, const void *b)
{
	return strcmp(((const struct snap_ent *)a)->rel, ((const struct snap_ent *)b)->rel);
}

static void snap_take(struct snap *s, int rootfd)
{
	struct stat st;

	tu_require(fstat(rootfd, &st) == 0);
	s->n = 1;
	strcpy(s->e[0].rel, ".");
	s->e[0].dev = st.st_dev;
	s->e[0].ino = st.st_ino;
	s->e[0].mode = st.st_mode;
	s->e[0].size = 0;
	s->e[0].target[0] = '\0';
	snap_dir(s, rootfd, "");
	qsort(s->e + 1, (size_t)s->n - 1, sizeof(s->e[0]), snap_cmp);
}

/* First difference between two copies, or NULL. */
static const char *snap_diff(const struct snap *a, const struct snap *b, char *buf, size_t sz)
{
	for (int i = 0; i < a->n || i < b->n; i++) {
		const struct snap_ent *x = i < a->n ? &a->e[i] : NULL, *y = i < b->n ? &b->e[i] : NULL;

		if (!x || !y || strcmp(x->rel, y->rel)) {
			snprintf(buf, sz, "entry \"%s\" in A vs \"%s\" in B", x ? x->rel : "(none)",
			         y ? y->rel : "(none)");
			return buf;
		}
		if (x->mode != y->mode || x->size != y->size || strcmp(x->target, y->target)) {
			snprintf(buf, sz, "\"%s\": mode %o size %jd in A, mode %o size %jd in B", x->rel,
			         x->mode, (intmax_t)x->size, y->mode, (intmax_t)y->size);
			return buf;
		}
	}
	return NULL;
}

/* The tree in tu_build() syntax, indented, for reports. */
static void snap_print(const struct snap *s)
{
	for (int i = 1; i < s->n; i++) {
		const struct snap_ent *e = &s->e[i];
		char t = S_ISDIR(e->mode) ? 'd' : S_ISLNK(e->mode) ? 'l' : S_ISFIFO(e->mode) ? 'p'
		       : S_ISSOCK(e->mode) ? 's' : 'f';

		printf("      %c %s%s%s\n", t, e->rel, t == 'l' ? " " : "", t == 'l' ? e->target : "");
	}
}

/* ------------------------------------------------------------------------
 * Results
 * ------------------------------------------------------------------------ */

struct result {
	long err;              /* -errno, or 0 with the fields below */
	char rel[REL_MAX];     /* relative path of the object in its copy */
	mode_t type;
	int fl;                /* F_GETFL bits that must match */
};

/* Turn a return value into a result and close the fd. */
static struct result describe(long r, const struct snap *s)
{
	struct result res = { .err = r < 0 ? r : 0 };
	struct stat st;

	if (r < 0)
		return res;
	tu_require(fstat((int)r, &st) == 0);
	res.type = st.st_mode & S_IFMT;
	res.fl = fcntl((int)r, F_GETFL) & (O_ACCMODE | O_PATH | O_NONBLOCK | O_APPEND);
	snprintf(res.rel, sizeof(res.rel), "<outside the copy: dev %ju ino %ju>",
	         (uintmax_t)st.st_dev, (uintmax_t)st.st_ino);
	for (int i = 0; i < s->n; i++) {
		if (s->e[i].dev == st.st_dev && s->e[i].ino == st.st_ino) {
			snprintf(res.rel, sizeof(res.rel), "%s", s->e[i].rel);
			break;
		}
	}
	close((int)r);
	return res;
}

static bool same_result(const struct result *a, const struct result *b)
{
	if (a->err || b->err)
		return a->err == b->err;
	/* an object outside both copies is an escape even if both agree */
	return a->rel[0] != '<' && !strcmp(a->rel, b->rel) && a->type == b->type && a->fl == b->fl;
}

static const char *result_str(const struct result *r, char *buf, size_t sz)
{
	if (r->err)
		snprintf(buf, sz, "%s", tu_err(r->err));
	else
		snprintf(buf, sz, "fd of \"%s\" (type %o, flags %#x)", r->rel, r->type, r->fl);
	return buf;
}

/* The reference: openat2(2) itself, retried on EAGAIN. The kernel says
 * EAGAIN for a ".." during any rename on the system: under another test's
 * rename storm (tests/race runs beside this one under make -j), 128 tries
 * are not enough for an answer, so keep trying, yielding. */
static long kernel_open(int rootfd, const char *path, int flags, uint64_t resolve)
{
	struct k_open_how how = {
		.flags = (uint64_t)(unsigned int)(flags | O_CLOEXEC),
		.mode = (flags & O_CREAT) ? 0644 : 0,
		.resolve = resolve | K_RESOLVE_NO_MAGICLINKS,
	};
	long r = -EAGAIN;

	for (int i = 0; i < 1000000 && r == -EAGAIN; i++) {
		r = syscall(SYS_openat2, rootfd, path, &how, sizeof(how));
		if (r < 0)
			r = -errno;
		if (r == -EAGAIN && i >= 128)
			sched_yield();
	}
	return r;
}

/* ------------------------------------------------------------------------
 * The run
 * ------------------------------------------------------------------------ */

struct stats {
	long compared;
	long failed;
	long outcome[200];   /* kernel answers: [0] fds, [e] -e; shows coverage */
};

static void count_outcome(struct stats *st, const struct result *k)
{
	long e = -k->err;

	if (e >= 0 && e < (long)(sizeof(st->outcome) / sizeof(st->outcome[0])))
		st->outcome[e]++;
}

struct copy {
	char path[PATH_MAX];
	int fd;
	struct beneath_root root;
	struct snap snap;
};

static struct copy A, B;   /* static: snapshots are large */

static void copy_make(struct copy *c, const char *top, const char *name, const char *spec)
{
	ck_assert((size_t)snprintf(c->path, sizeof(c->path), "%s/%s", top, name) < sizeof(c->path));
	ck_assert_int_eq(mkdir(c->path, 0755), 0);
	c->fd = open(c->path, O_PATH | O_DIRECTORY | O_CLOEXEC);
	ck_assert(c->fd >= 0);
	c->root.fd = c->fd;
	c->root.path = c->path;
	tu_build(c->fd, spec);
	snap_take(&c->snap, c->fd);
}

static void copy_drop(struct copy *c)
{
	close(c->fd);
	tu_rm_rf(c->path);
}

/* One disagreement, with all it takes to reproduce it. A and B may be
 * NULL when only the trees differ. */
static void report(struct stats *st, long tree, const char *what, const char *path,
                   const char *mode, const char *flags, const char *lhs, const struct result *a,
                   const char *rhs, const struct result *b, const struct snap *before,
                   const char *extra)
{
	char ba[REL_MAX + 64], bb[REL_MAX + 64];

	st->failed++;
	if (st->failed > MAX_REPORTS) {
		if (st->failed == MAX_REPORTS + 1)
			printf("(further disagreements are counted, not shown)\n");
		return;
	}
	printf("DISAGREEMENT (%s): seed=%" PRIu64 " tree=%ld path=\"%s\" mode=%s flags=%s\n", what,
	       seed, tree, path, mode, flags);
	if (a && b)
		printf("    %s: %s\n    %s: %s\n", lhs, result_str(a, ba, sizeof(ba)), rhs,
		       result_str(b, bb, sizeof(bb)));
	if (extra)
		printf("    %s\n", extra);
	printf("    tree before (tu_build syntax):\n");
	snap_print(before);
}

/* beneath_resolve_parent(): the two backends on one copy. */
static void compare_parent(struct stats *st, long tree, const char *path, size_t m)
{
	char nw[NAME_MAX + 2], nk[NAME_MAX + 2];
	long w = beneath_resolve_parent(&A.root, path, modes[m].rflags | BENEATH_BACKEND_WALKER,
	                                nw, sizeof(nw));
	long k = beneath_resolve_parent(&A.root, path, modes[m].rflags | BENEATH_BACKEND_OPENAT2,
	                                nk, sizeof(nk));
	struct result rw = describe(w, &A.snap), rk = describe(k, &A.snap);

	st->compared++;
	if (!same_result(&rw, &rk) || (!rw.err && strcmp(nw, nk))) {
		char extra[2 * NAME_MAX + 64];

		snprintf(extra, sizeof(extra), "names: walker \"%s\", openat2 \"%s\"",
		         rw.err ? "" : nw, rk.err ? "" : nk);
		report(st, tree, "resolve_parent", path, modes[m].name, "-", "walker backend", &rw,
		       "openat2 backend", &rk, &A.snap, extra);
	}
}

/* Does the snapshot already know FD's object, at its current size? */
static bool snap_knows(const struct snap *s, int fd)
{
	struct stat st;

	tu_require(fstat(fd, &st) == 0);
	for (int i = 0; i < s->n; i++)
		if (s->e[i].dev == st.st_dev && s->e[i].ino == st.st_ino)
			return !S_ISREG(st.st_mode) || s->e[i].size == st.st_size;
	return false;
}

static struct snap prev;   /* the tree before a changing open, for reports */

static void compare_open(struct stats *st, long tree, const char *path, size_t m, size_t f)
{
	const int fl = flagsets[f].flags;
	const mode_t mode = (fl & O_CREAT) ? 0644 : 0;
	const struct snap *before = &A.snap;
	struct result rw, rk;
	long w, k;

	w = beneath_open(&A.root, path, fl, mode, modes[m].rflags | BENEATH_BACKEND_WALKER);
	k = kernel_open(B.fd, path, fl, modes[m].resolve);
	/* Snapshots are the slow part: retake them only when an fd shows a
	 * new or truncated object. Changes nobody reported are caught by
	 * the comparison of the copies after each path (run_tree). */
	if (flagsets[f].creates && ((w >= 0 && !snap_knows(&A.snap, (int)w)) ||
	                            (k >= 0 && !snap_knows(&B.snap, (int)k)))) {
		char diff[2 * REL_MAX + 64];

		memcpy(&prev, &A.snap, sizeof(prev));
		before = &prev;
		snap_take(&A.snap, A.fd);
		snap_take(&B.snap, B.fd);
		rw = describe(w, &A.snap);
		rk = describe(k, &B.snap);
		count_outcome(st, &rk);
		st->compared++;
		if (!same_result(&rw, &rk))
			report(st, tree, "open", path, modes[m].name, flagsets[f].name, "walker  on A", &rw,
			       "openat2 on B", &rk, before, NULL);
		else if (snap_diff(&A.snap, &B.snap, diff, sizeof(diff)))
			report(st, tree, "tree after open", path, modes[m].name, flagsets[f].name, "walker  on A",
			       &rw, "openat2 on B", &rk, before, diff);
		return;
	}
	rw = describe(w, &A.snap);
	rk = describe(k, &B.snap);
	count_outcome(st, &rk);
	st->compared++;
	if (!same_result(&rw, &rk))
		report(st, tree, "open", path, modes[m].name, flagsets[f].name, "walker  on A", &rw,
		       "openat2 on B", &rk, before, NULL);
	if (flagsets[f].creates)
		return;   /* a third copy would be needed */

	/* the library's openat2 backend is the kernel's answer, too */
	w = beneath_open(&B.root, path, fl, mode, modes[m].rflags | BENEATH_BACKEND_OPENAT2);
	rw = describe(w, &B.snap);
	st->compared++;
	if (!same_result(&rw, &rk))
		report(st, tree, "open", path, modes[m].name, flagsets[f].name, "library openat2 backend on B",
		       &rw, "raw openat2 on B", &rk, &B.snap, NULL);
}

static void run_tree(struct stats *st, long tree)
{
	char top[PATH_MAX], spec[MAX_ENTRIES * (2 * REL_MAX + 8)];
	char diff[2 * REL_MAX + 64];

	rng = seed ^ ((uint64_t)tree * 0xd1342543de82ef95ULL);
	gen_tree(spec, sizeof(spec));
	tu_mkdtemp(top, NULL);
	copy_make(&A, top, "A", spec);
	copy_make(&B, top, "B", spec);
	ck_assert_msg(!snap_diff(&A.snap, &B.snap, diff, sizeof(diff)), "copies differ: %s", diff);

	for (int p = 0; p < PATHS_PER_TREE; p++) {
		char path[REL_MAX];

		gen_path(path, sizeof(path));
		for (size_t m = 0; m < N_MODES; m++) {
			compare_parent(st, tree, path, m);
			for (size_t f = 0; f < N_FLAGS; f++)
				compare_open(st, tree, path, m, f);
		}
		/* the copies must still be identical, whatever the answers */
		memcpy(&prev, &A.snap, sizeof(prev));
		snap_take(&A.snap, A.fd);
		snap_take(&B.snap, B.fd);
		st->compared++;
		if (snap_diff(&A.snap, &B.snap, diff, sizeof(diff))) {
			report(st, tree, "copies diverged after all opens of the path", path, "(all)",
			       "(all)", NULL, NULL, NULL, NULL, &prev, diff);
			/* start again from identical copies */
			copy_drop(&A);
			copy_drop(&B);
			copy_make(&A, top, "A", spec);
			copy_make(&B, top, "B", spec);
		}
	}
	copy_drop(&A);
	copy_drop(&B);
	/* nothing may have appeared next to the copies */
	{
		int fd = open(top, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
		DIR *d = fdopendir(fd);
		struct dirent *de;
		int n = 0;

		ck_assert(d != NULL);
		while ((de = readdir(d)))
			if (strcmp(de->d_name, ".") && strcmp(de->d_name, ".."))
				n++;
		closedir(d);
		ck_assert_msg(n == 0, "seed=%" PRIu64 " tree=%ld: %d entries created outside the copies",
		              seed, tree, n);
	}
	rmdir(top);
}

START_TEST(differential)
{
	static struct stats st;
	struct timespec t0, t1;

	clock_gettime(CLOCK_MONOTONIC, &t0);
	for (long t = 0; t < n_trees; t++)
		run_tree(&st, t);
	clock_gettime(CLOCK_MONOTONIC, &t1);
	printf("differential: seed=%" PRIu64 ", %ld trees x %d paths x %zu modes, %.1f s\n", seed,
	       n_trees, PATHS_PER_TREE, N_MODES,
	       (double)(t1.tv_sec - t0.tv_sec) + (double)(t1.tv_nsec - t0.tv_nsec) / 1e9);
	printf("kernel answers:");
	for (size_t e = 0; e < sizeof(st.outcome) / sizeof(st.outcome[0]); e++)
		if (st.outcome[e])
			printf(" %s %ld", e ? tu_err(-(long)e) : "fd", st.outcome[e]);
	printf("\n%ld passed, %ld failed\n", st.compared - st.failed, st.failed);
	fflush(stdout);
	ck_assert_msg(st.failed == 0, "%ld of %ld comparisons disagree (seed %" PRIu64 ")", st.failed,
	              st.compared, seed);
}
END_TEST

static void setup(void)
{
	tu_fd_setup();
	umask(022);
}

static void teardown(void)
{
	tu_fd_teardown();
}

static Suite *differential_suite(void)
{
	Suite *s = suite_create("differential");
	TCase *tc = tcase_create("walker-vs-openat2");

	tcase_add_checked_fixture(tc, setup, teardown);
	/* one long test; CK_DEFAULT_TIMEOUT still wins when set */
	if (!getenv("CK_DEFAULT_TIMEOUT"))
		tcase_set_timeout(tc, 600);
	tcase_add_test(tc, differential);
	suite_add_tcase(s, tc);
	return s;
}

static bool parse_u64(const char *s, uint64_t *out)
{
	char *end;

	errno = 0;
	*out = strtoull(s, &end, 0);
	return s[0] && !*end && !errno;
}

int main(int argc, char **argv)
{
	const char *s = argc > 1 ? argv[1] : getenv("BENEATH_SEED");
	const char *it = getenv("BENEATH_DIFF_ITERS");
	uint64_t v;
	int r;

	if (s && *s) {
		if (!parse_u64(s, &seed)) {
			fprintf(stderr, "usage: %s [SEED]  (bad seed '%s')\n", argv[0], s);
			return 2;
		}
	}
	if (it && *it) {
		if (!parse_u64(it, &v) || v == 0 || v > 1000000) {
			fprintf(stderr, "%s: bad BENEATH_DIFF_ITERS '%s'\n", argv[0], it);
			return 2;
		}
		n_trees = (long)v;
	}
	printf("test-differential: seed %" PRIu64 " (rerun with BENEATH_SEED=%" PRIu64
	       "), %ld trees\n", seed, seed, n_trees);
	fflush(stdout);
	if (!tu_have_openat2()) {
		printf("SKIP: openat2(2) is unavailable here (ENOSYS; valgrind 3.19 does not "
		       "know it): there is no kernel answer to compare the walker with\n");
		return 77;
	}
	tu_base_init("test-differential");
	r = tu_run(differential_suite());
	tu_base_cleanup();
	return r;
}
