/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * tests/race: race attacks on an unmodified program, with and without the
 * preload shim.
 *
 *     race [-a ATTEMPTS] [-b BATCH] [-c CONFIGS] [-s SCENARIOS] SHIM DIR
 *
 * For each scenario (below) the driver builds a small tree in DIR: a root
 * and, beside it, an outside with a secret. An attacker thread of the
 * driver (never preloaded) races the tree with renameat2 in a tight loop
 * while a victim, this same binary run as "race --victim" without
 * LD_PRELOAD ("none") and with the shim (BENEATH_ROOTS=the root,
 * BENEATH_RESOLVER=openat2 or walker, BENEATH_LOG=a file), makes plain
 * libc calls through paths under the root. CONFIGS is a comma-separated
 * subset of none,openat2,walker (default: all three); SCENARIOS a subset
 * of s1..s5.
 *
 * With two CPUs or more the attacker has the first to itself and the
 * victim the others. Each batch starts once the attacker's renames are
 * under way; every other batch the attacker pauses a random while between
 * renames, so that they do not fall into step with the victim's calls.
 *
 * The victim works in batches of BATCH attempts (default 250). After each
 * batch the attacker is paused, leaving the tree as it was built, and the
 * driver compares the whole tree with what it built: every difference
 * outside the root is an effect of the victim outside (a file created,
 * deleted, renamed, truncated, rewritten or chmod-ed there). Per-attempt
 * fixtures and created names carry the attempt's number ("u-17"), so such
 * differences are counted per attempt ("changed"). The victim itself
 * counts what it got from outside ("seen"): the secret's content read, or
 * an fd, stat or listing of an outside object (by inode). Both are lower
 * bounds on the number of attempts that escaped; a batch counts the
 * larger ("escapes"). Then the whole tree, inside and outside, is put back.
 *
 * A failed call with EACCES is a denial (the shim's answer; nothing
 * returns EACCES here otherwise); under the shim the driver also counts
 * the lines in BENEATH_LOG ("logged", each must have "reason":"escape").
 * Other failures are counted by errno: fine, as long as nothing escapes.
 *
 * Without the shim each operation runs ATTEMPTS times; with no escape it
 * goes on to 4, 16 and 64 times as many. Still none, the driver prints
 * "note sN OP: no escape without the shim: the kernel prevents ..." in s3
 * and s5, whose windows are a few instructions wide; the other attacks
 * leave a symlink or a moved directory in place half of the time, and
 * there a zero means the harness is broken (a note says so). With the
 * shim each operation runs ATTEMPTS times per backend.
 *
 * Output: "# sN: what" per scenario, then one line per operation and
 * configuration:
 *
 *     row s1 open none attempts=1000 ok=1000 denied=0 errors=0 escapes=503
 *         seen=503 changed=0 logged=- swaps=81234 errnos=-
 *
 * ok counts calls that succeeded, escapes included; swaps the attacker's
 * successful renames during the operation; errnos the other failures
 * ("ENOENT:12,ELOOP:1"). Lines starting "info" say how the run went.
 * tests/test-race.sh and scripts/race read these lines. Exit status 0
 * whatever escaped (the callers judge), or 2 when the driver itself
 * failed.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <limits.h>
#include <poll.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <spawn.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define NELEM(a) (sizeof(a) / sizeof((a)[0]))
#define BATCH_DEFAULT 250
#define BATCH_MAX 1000
#define ATTEMPTS_DEFAULT 1000
#define RETRIES 3               /* x4 each: up to 64x ATTEMPTS without the shim */
#define MAXINOS 16
#define MAXERRNO 256
#define SECRET_MARK "SECRET"
#define WATCHDOG_S 600          /* no answer from the victim for so long: stuck */
#define JITTER_MASK 1023        /* the attacker's random pause, in idle loops */

extern char **environ;

/* ------------------------------------------------------------------ */
/* The scenarios                                                       */
/* ------------------------------------------------------------------ */

/*
 * Paths are templates: a leading '@' is the scenario's base directory
 * and a '#' the attempt's number in its batch. Tree entries are relative
 * to the base; a link's target is a template.
 */
enum attack_kind {
	EXCHANGE,       /* renameat2(a, b, RENAME_EXCHANGE) again and again */
	MOVE,           /* rename a to b, and back */
};

enum vop {
	V_OPEN,         /* open O_RDONLY, read */
	V_FOPEN,        /* fopen "r", fgets */
	V_STAT,         /* stat */
	V_OPENDIR,      /* opendir, readdir to the end */
	V_CREAT,        /* open O_WRONLY|O_CREAT */
	V_UNLINK,
	V_MKDIR,
	V_RENAME,       /* rename(path, path2) */
	V_CHMOD,        /* chmod 0600 */
	V_MKDIRP,       /* mkdir of every component, as mkdir -p does */
	V_TRUNC,        /* open O_WRONLY|O_CREAT|O_TRUNC */
	V_OPENAT,       /* openat(the setup's dirfd, path, O_RDONLY), read */
};

struct op {
	const char *name;
	enum vop vop;
	const char *path, *path2;
	const char *fix_in, *fix_out;   /* per-attempt fixtures: empty files
					 * inside and (if not NULL) outside */
};

struct tmpl {
	char type;      /* 'd' (0755), 'f' (0644), 'l' */
	const char *path;
	const char *data;       /* a file's content, a link's target */
};

struct scenario {
	const char *id, *what;
	const char *root;               /* relative to the base */
	enum attack_kind kind;
	const char *a, *b;              /* the attacker's names, relative to the base */
	const char *setup;              /* the victim's: "chdir:PATH", "dirfd:PATH" */
	bool window;                    /* a few instructions wide: the kernel
					 * may win every time */
	const char *prevents;           /* what, then */
	struct tmpl tree[12];
	struct op ops[12];
};

/* c/../ twenty times: the kernel selftest's shape, lexically inside. */
#define HOPS4 "c/../c/../c/../c/../"
#define HOPS20 HOPS4 HOPS4 HOPS4 HOPS4 HOPS4

static const struct scenario scenarios[] = {
	{
		"s1", "a directory inside the root swapped with a symlink to outside"
		" (renameat2 RENAME_EXCHANGE of root/d and root/d-link -> out)",
		"root", EXCHANGE, "root/d", "root/d-link", NULL, false,
		"following root/d while it is a symlink",
		{
			{ 'd', "root", NULL },
			{ 'd', "root/d", NULL },
			{ 'f', "root/d/f", "inside-f\n" },
			{ 'l', "root/d-link", "@out" },
			{ 'd', "out", NULL },
			{ 'f', "out/f", "SECRET-s1-f\n" },
			{ 'f', "out/SECRET-ENTRY", "SECRET-entry\n" },
		},
		{
			{ "open", V_OPEN, "@root/d/f", NULL, NULL, NULL },
			{ "fopen", V_FOPEN, "@root/d/f", NULL, NULL, NULL },
			{ "stat", V_STAT, "@root/d/f", NULL, NULL, NULL },
			{ "opendir", V_OPENDIR, "@root/d", NULL, NULL, NULL },
			{ "creat", V_CREAT, "@root/d/c-#", NULL, NULL, NULL },
			{ "unlink", V_UNLINK, "@root/d/u-#", NULL, "root/d/u-#", "out/u-#" },
			{ "mkdir", V_MKDIR, "@root/d/m-#", NULL, NULL, NULL },
			{ "rename", V_RENAME, "@root/d/r-#", "@root/r-#.moved", "root/d/r-#", "out/r-#" },
			{ "rename-out", V_RENAME, "@root/x-#", "@root/d/x-#", "root/x-#", NULL },
			{ "chmod", V_CHMOD, "@root/d/p-#", NULL, "root/d/p-#", "out/p-#" },
			{ "mkdir-p", V_MKDIRP, "@root/d/mp-#/x/y", NULL, NULL, NULL },
		},
	},
	{
		"s2", "the final component swapped with a symlink to a secret outside"
		" (RENAME_EXCHANGE of root/f and root/f-link -> secret)",
		"root", EXCHANGE, "root/f", "root/f-link", NULL, false,
		"following root/f while it is a symlink",
		{
			{ 'd', "root", NULL },
			{ 'f', "root/f", "inside-f\n" },
			{ 'l', "root/f-link", "@secret" },
			{ 'f', "secret", "SECRET-s2-secret\n" },
		},
		{
			{ "open", V_OPEN, "@root/f", NULL, NULL, NULL },
			{ "open-trunc", V_TRUNC, "@root/f", NULL, NULL, NULL },
		},
	},
	{
		"s3", "root/a moved out of the root and back while the victim"
		" resolves root/a/b/c/../../../f",
		"root", MOVE, "root/a", "a", NULL, true,
		"the rename attack on a/b/c/../../..",
		{
			{ 'd', "root", NULL },
			{ 'd', "root/a", NULL },
			{ 'd', "root/a/b", NULL },
			{ 'd', "root/a/b/c", NULL },
			{ 'f', "root/f", "inside-f\n" },
			{ 'f', "f", "SECRET-s3-f\n" },
		},
		{
			{ "open", V_OPEN, "@root/a/b/c/../../../f", NULL, NULL, NULL },
			{ "creat", V_CREAT, "@root/a/b/c/../../../n-#", NULL, NULL, NULL },
		},
	},
	{
		"s4", "the working directory root/a/b/c, root/a moved out of the"
		" root and back; the victim opens ../../../f",
		"root", MOVE, "root/a", "a", "chdir:@root/a/b/c", false,
		"../../.. from a working directory moved out of the root",
		{
			{ 'd', "root", NULL },
			{ 'd', "root/a", NULL },
			{ 'd', "root/a/b", NULL },
			{ 'd', "root/a/b/c", NULL },
			{ 'f', "root/f", "inside-f\n" },
			{ 'f', "f", "SECRET-s4-f\n" },
		},
		{
			{ "open", V_OPEN, "../../../f", NULL, NULL, NULL },
			{ "creat", V_CREAT, "../../../n-#", NULL, NULL, NULL },
		},
	},
	{
		"s5", "the kernel selftest's rename attack (openat2 rename_attack_test):"
		" openat(root fd, \"c/../\" x20 \"f\") while root/c is exchanged"
		" with a directory outside",
		"a", EXCHANGE, "a/c", "b", "dirfd:@a", true,
		"the selftest's rename attack on c/../",
		{
			{ 'd', "a", NULL },
			{ 'd', "a/c", NULL },
			{ 'f', "a/f", "inside-f\n" },
			{ 'd', "b", NULL },
			{ 'd', "c", NULL },
			{ 'f', "f", "SECRET-s5-f\n" },
		},
		{
			{ "openat", V_OPENAT, HOPS20 "f", NULL, NULL, NULL },
		},
	},
};

static size_t tree_len(const struct scenario *sc)
{
	size_t n = 0;

	while (n < NELEM(sc->tree) && sc->tree[n].path)
		n++;
	return n;
}

static size_t ops_len(const struct scenario *sc)
{
	size_t n = 0;

	while (n < NELEM(sc->ops) && sc->ops[n].name)
		n++;
	return n;
}

/* ------------------------------------------------------------------ */
/* Helpers                                                             */
/* ------------------------------------------------------------------ */

static void die(const char *fmt, ...) __attribute__((format(printf, 1, 2), noreturn));
static void die(const char *fmt, ...)
{
	va_list ap;

	fflush(stdout);
	fputs("race: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	exit(2);
}

static const char *errname(int e)
{
	const char *n = strerrorname_np(e);

	return n ? n : "E?";
}

/* expand: the template T with '@' as BASE/ and '#' as K. */
static void expand(char *out, size_t size, const char *base, const char *t, int k)
{
	size_t len = 0;
	int n;

	if (*t == '@') {
		n = snprintf(out, size, "%s/", base);
		if (n < 0 || (size_t)n >= size)
			die("path too long: %s", base);
		len = (size_t)n;
		t++;
	}
	for (; *t; t++) {
		if (*t == '#')
			n = snprintf(out + len, size - len, "%d", k);
		else
			n = snprintf(out + len, size - len, "%c", *t);
		if (n < 0 || (size_t)n >= size - len)
			die("path too long: %s", base);
		len += (size_t)n;
	}
}

static void join(char *out, size_t size, const char *a, const char *b)
{
	int n = *b ? snprintf(out, size, "%s/%s", a, b) : snprintf(out, size, "%s", a);

	if (n < 0 || (size_t)n >= size)
		die("path too long: %s/%s", a, b);
}

static int rm_one(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	if (remove(path) < 0 && errno != ENOENT)
		die("remove %s: %s", path, strerror(errno));
	return 0;
}

static void rm_rf(const char *path)
{
	struct stat st;

	if (lstat(path, &st) < 0) {
		if (errno == ENOENT)
			return;
		die("lstat %s: %s", path, strerror(errno));
	}
	if (!S_ISDIR(st.st_mode)) {
		if (unlink(path) < 0 && errno != ENOENT)
			die("unlink %s: %s", path, strerror(errno));
		return;
	}
	if (nftw(path, rm_one, 32, FTW_DEPTH | FTW_PHYS) < 0)
		die("nftw %s: %s", path, strerror(errno));
}

/* ------------------------------------------------------------------ */
/* The tree as built, and the tree as found                            */
/* ------------------------------------------------------------------ */

struct ent {
	char *path;             /* relative to the base */
	char type;
	mode_t mode;
	char *data;
	bool seen, bad;
};

struct spec {
	const char *base;
	const char *root;       /* relative to the base */
	struct ent *e;
	size_t n, cap;
	/* differences found by the last spec_sync */
	char **extra;
	size_t nextra, capextra;
	unsigned char ids[BATCH_MAX];
};

static void spec_add(struct spec *s, char type, const char *path, const char *data)
{
	char target[PATH_MAX];

	if (s->n == s->cap) {
		s->cap = s->cap ? 2 * s->cap : 64;
		s->e = realloc(s->e, s->cap * sizeof(*s->e));
		if (!s->e)
			die("out of memory");
	}
	if (type == 'l') {
		expand(target, sizeof(target), s->base, data, 0);
		data = target;
	}
	s->e[s->n] = (struct ent){
		.path = strdup(path),
		.type = type,
		.mode = type == 'd' ? 0755 : 0644,
		.data = strdup(data ? data : ""),
	};
	if (!s->e[s->n].path || !s->e[s->n].data)
		die("out of memory");
	s->n++;
}

static int ent_cmp(const void *a, const void *b)
{
	return strcmp(((const struct ent *)a)->path, ((const struct ent *)b)->path);
}

/* spec_build: the scenario's tree, plus OP's fixtures for NFIX attempts. */
static void spec_build(struct spec *s, const struct scenario *sc, const struct op *op, int nfix)
{
	char p[PATH_MAX];

	for (size_t i = 0; i < s->n; i++) {
		free(s->e[i].path);
		free(s->e[i].data);
	}
	s->n = 0;
	for (size_t i = 0; i < tree_len(sc); i++)
		spec_add(s, sc->tree[i].type, sc->tree[i].path, sc->tree[i].data);
	for (int k = 0; op && op->fix_in && k < nfix; k++) {
		expand(p, sizeof(p), "", op->fix_in, k);
		spec_add(s, 'f', p, "");
		if (op->fix_out) {
			expand(p, sizeof(p), "", op->fix_out, k);
			spec_add(s, 'f', p, "");
		}
	}
	/* Sorted, a directory comes before what it holds. */
	qsort(s->e, s->n, sizeof(*s->e), ent_cmp);
}

static struct ent *spec_find(struct spec *s, const char *path)
{
	struct ent key = { .path = (char *)path };

	return bsearch(&key, s->e, s->n, sizeof(*s->e), ent_cmp);
}

static bool outside_root(const struct spec *s, const char *path)
{
	size_t n = strlen(s->root);

	return !(strncmp(path, s->root, n) == 0 && (path[n] == 0 || path[n] == '/'));
}

/* The attempt number a path carries ("out/mp-17/x" is 17), or -1. */
static int path_id(const char *path)
{
	for (const char *p = strchr(path, '-'); p; p = strchr(p + 1, '-')) {
		if (p[1] >= '0' && p[1] <= '9')
			return atoi(p + 1);
	}
	return -1;
}

static bool ent_matches(const struct ent *e, const struct stat *st, const char *full)
{
	char buf[256];
	size_t len = strlen(e->data);
	ssize_t n;
	int fd;

	switch (e->type) {
	case 'd':
		return S_ISDIR(st->st_mode) && (st->st_mode & 07777) == e->mode;
	case 'l':
		if (!S_ISLNK(st->st_mode))
			return false;
		n = readlink(full, buf, sizeof(buf));
		return n >= 0 && (size_t)n == len && memcmp(buf, e->data, len) == 0;
	default:
		if (!S_ISREG(st->st_mode) || (st->st_mode & 07777) != e->mode ||
		    st->st_size != (off_t)len)
			return false;
		if (len == 0)
			return true;
		fd = open(full, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
		if (fd < 0)
			return false;
		n = read(fd, buf, sizeof(buf));
		close(fd);
		return n >= 0 && (size_t)n == len && memcmp(buf, e->data, len) == 0;
	}
}

static void extra_add(struct spec *s, const char *path)
{
	if (s->nextra == s->capextra) {
		s->capextra = s->capextra ? 2 * s->capextra : 64;
		s->extra = realloc(s->extra, s->capextra * sizeof(*s->extra));
		if (!s->extra)
			die("out of memory");
	}
	s->extra[s->nextra] = strdup(path);
	if (!s->extra[s->nextra])
		die("out of memory");
	s->nextra++;
}

static void walk(struct spec *s, const char *rel)
{
	char full[PATH_MAX], r[PATH_MAX], fr[PATH_MAX];
	struct dirent *de;
	struct stat st;
	struct ent *e;
	DIR *d;

	join(full, sizeof(full), s->base, rel);
	d = opendir(full);
	if (!d)
		die("opendir %s: %s", full, strerror(errno));
	while ((de = readdir(d))) {
		if (strcmp(de->d_name, ".") == 0 || strcmp(de->d_name, "..") == 0)
			continue;
		if (*rel)
			join(r, sizeof(r), rel, de->d_name);
		else
			join(r, sizeof(r), de->d_name, "");
		join(fr, sizeof(fr), s->base, r);
		if (lstat(fr, &st) < 0)
			die("lstat %s: %s", fr, strerror(errno));
		e = spec_find(s, r);
		if (!e) {
			extra_add(s, r);
			continue;
		}
		e->seen = true;
		if (!ent_matches(e, &st, fr)) {
			e->bad = true;
			continue;
		}
		if (e->type == 'd')
			walk(s, r);
	}
	closedir(d);
}

static void ent_create(struct spec *s, const struct ent *e)
{
	char full[PATH_MAX];
	size_t len = strlen(e->data);
	int fd;

	join(full, sizeof(full), s->base, e->path);
	switch (e->type) {
	case 'd':
		if (mkdir(full, e->mode) < 0 || chmod(full, e->mode) < 0)
			die("mkdir %s: %s", full, strerror(errno));
		break;
	case 'l':
		if (symlink(e->data, full) < 0)
			die("symlink %s: %s", full, strerror(errno));
		break;
	default:
		fd = open(full, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, e->mode);
		if (fd < 0 || fchmod(fd, e->mode) < 0 ||
		    (len && write(fd, e->data, len) != (ssize_t)len))
			die("create %s: %s", full, strerror(errno));
		close(fd);
	}
}

/*
 * spec_sync: compare the tree under the base with the spec and put it
 * back. Returns the number of effects outside the root: the distinct
 * attempt numbers among the differences there, plus each difference that
 * carries none (a missing entry whose parent is itself missing or
 * replaced is the same difference, not counted again).
 */
static unsigned long spec_sync(struct spec *s)
{
	unsigned long changed = 0;
	char full[PATH_MAX];
	int id;

	memset(s->ids, 0, sizeof(s->ids));
	for (size_t i = 0; i < s->n; i++)
		s->e[i].seen = s->e[i].bad = false;
	s->nextra = 0;
	walk(s, "");

	for (size_t i = 0; i < s->nextra; i++) {
		if (!outside_root(s, s->extra[i]))
			continue;
		id = path_id(s->extra[i]);
		if (id >= 0 && id < BATCH_MAX)
			s->ids[id] = 1;
		else
			changed++;
	}
	for (size_t i = 0; i < s->n; i++) {
		struct ent *e = &s->e[i], *parent = NULL;
		char *slash;

		if ((e->seen && !e->bad) || !outside_root(s, e->path))
			continue;
		slash = strrchr(e->path, '/');
		if (slash) {
			*slash = 0;
			parent = spec_find(s, e->path);
			*slash = '/';
		}
		if (parent && (!parent->seen || parent->bad))
			continue;
		id = path_id(e->path);
		if (id >= 0 && id < BATCH_MAX)
			s->ids[id] = 1;
		else
			changed++;
	}
	for (int k = 0; k < BATCH_MAX; k++)
		changed += s->ids[k];

	/* Put it back: extras out, replaced entries and missing ones in. */
	for (size_t i = 0; i < s->nextra; i++) {
		join(full, sizeof(full), s->base, s->extra[i]);
		rm_rf(full);
		free(s->extra[i]);
	}
	for (size_t i = 0; i < s->n; i++) {
		struct ent *e = &s->e[i];

		if (e->seen && !e->bad)
			continue;
		if (e->bad) {
			join(full, sizeof(full), s->base, e->path);
			rm_rf(full);
		}
		ent_create(s, e);
	}
	return changed;
}

/* The inodes of the outside's own objects (the base and what the scenario
 * builds there): a victim that gets one of them has escaped. */
static size_t outside_inos(const struct spec *s, unsigned long *inos)
{
	char full[PATH_MAX];
	struct stat st;
	size_t n = 0;

	if (stat(s->base, &st) < 0)
		die("stat %s: %s", s->base, strerror(errno));
	inos[n++] = (unsigned long)st.st_ino;
	for (size_t i = 0; i < s->n && n < MAXINOS; i++) {
		if (!outside_root(s, s->e[i].path) || s->e[i].type == 'l' ||
		    path_id(s->e[i].path) >= 0)
			continue;
		join(full, sizeof(full), s->base, s->e[i].path);
		if (lstat(full, &st) < 0)
			die("lstat %s: %s", full, strerror(errno));
		inos[n++] = (unsigned long)st.st_ino;
	}
	return n;
}

/* ------------------------------------------------------------------ */
/* The attacker: a thread of the driver                                */
/* ------------------------------------------------------------------ */

enum { RUN, PAUSE, EXIT };

struct attacker {
	pthread_t th;
	pthread_mutex_t mu;
	pthread_cond_t cv;
	atomic_int want;
	bool paused;
	int basefd;
	enum attack_kind kind;
	const char *a, *b;
	bool out;               /* swapped, or moved out */
	atomic_uint jitter;     /* a mask: up to that many idle loops between renames */
	atomic_ulong swaps, errors;
};

static int attack_step(struct attacker *at)
{
	int r;

	if (at->kind == EXCHANGE)
		r = renameat2(at->basefd, at->a, at->basefd, at->b, RENAME_EXCHANGE);
	else if (!at->out)
		r = renameat(at->basefd, at->a, at->basefd, at->b);
	else
		r = renameat(at->basefd, at->b, at->basefd, at->a);
	if (r == 0) {
		at->out = !at->out;
		atomic_fetch_add_explicit(&at->swaps, 1, memory_order_relaxed);
	} else {
		atomic_fetch_add_explicit(&at->errors, 1, memory_order_relaxed);
	}
	return r;
}

/* With two CPUs or more, the attacker has one to itself and the victim
 * the others: time-sliced on one CPU, they would mostly take turns. */
static cpu_set_t attacker_cpus, victim_cpus;
static bool pinned;

static void pin_setup(void)
{
	cpu_set_t all;
	int first = -1;

	if (sched_getaffinity(0, sizeof(all), &all) < 0 || CPU_COUNT(&all) < 2)
		return;
	CPU_ZERO(&attacker_cpus);
	victim_cpus = all;
	for (int i = 0; i < CPU_SETSIZE && first < 0; i++) {
		if (CPU_ISSET(i, &all))
			first = i;
	}
	CPU_SET(first, &attacker_cpus);
	CPU_CLR(first, &victim_cpus);
	/* The driver's main thread and so the victims it spawns. */
	if (sched_setaffinity(0, sizeof(victim_cpus), &victim_cpus) < 0)
		return;
	pinned = true;
	printf("info attacker on CPU %d, the victim on the other %d\n", first, CPU_COUNT(&victim_cpus));
}

static void *attacker_main(void *arg)
{
	struct attacker *at = arg;
	uint32_t rnd = 2463534242u;
	int w;

	if (pinned)
		pthread_setaffinity_np(pthread_self(), sizeof(attacker_cpus), &attacker_cpus);

	for (;;) {
		w = atomic_load_explicit(&at->want, memory_order_relaxed);
		if (w == RUN) {
			unsigned int j = atomic_load_explicit(&at->jitter, memory_order_relaxed);

			attack_step(at);
			if (j) {
				/* xorshift32: a random pause, so that the renames
				 * do not fall into step with the victim's calls. */
				rnd ^= rnd << 13;
				rnd ^= rnd >> 17;
				rnd ^= rnd << 5;
				for (volatile unsigned int i = rnd & j; i; i--)
					;
			}
			continue;
		}
		/* Leave the tree as it was built before saying so. */
		while (at->out) {
			if (attack_step(at) < 0)
				die("attacker cannot put %s back: %s", at->a, strerror(errno));
		}
		pthread_mutex_lock(&at->mu);
		at->paused = true;
		pthread_cond_broadcast(&at->cv);
		while (atomic_load(&at->want) == PAUSE)
			pthread_cond_wait(&at->cv, &at->mu);
		at->paused = false;
		w = atomic_load(&at->want);
		pthread_mutex_unlock(&at->mu);
		if (w == EXIT)
			return NULL;
	}
}

static void attacker_set(struct attacker *at, int want)
{
	pthread_mutex_lock(&at->mu);
	atomic_store(&at->want, want);
	pthread_cond_broadcast(&at->cv);
	if (want == PAUSE) {
		while (!at->paused)
			pthread_cond_wait(&at->cv, &at->mu);
	}
	pthread_mutex_unlock(&at->mu);
}

static void attacker_start(struct attacker *at, int basefd, const struct scenario *sc)
{
	int e;

	memset(at, 0, sizeof(*at));
	pthread_mutex_init(&at->mu, NULL);
	pthread_cond_init(&at->cv, NULL);
	atomic_store(&at->want, PAUSE);
	at->basefd = basefd;
	at->kind = sc->kind;
	at->a = sc->a;
	at->b = sc->b;
	e = pthread_create(&at->th, NULL, attacker_main, at);
	if (e)
		die("pthread_create: %s", strerror(e));
	attacker_set(at, PAUSE);
}

static void attacker_stop(struct attacker *at)
{
	atomic_store(&at->want, EXIT);
	pthread_mutex_lock(&at->mu);
	pthread_cond_broadcast(&at->cv);
	pthread_mutex_unlock(&at->mu);
	pthread_join(at->th, NULL);
	pthread_mutex_destroy(&at->mu);
	pthread_cond_destroy(&at->cv);
}

/* ------------------------------------------------------------------ */
/* The victim: plain libc calls, run with and without the shim          */
/* ------------------------------------------------------------------ */

struct vstate {
	const char *base;
	int dirfd;
	unsigned long inos[MAXINOS];
	size_t ninos;
};

static bool outside_ino(const struct vstate *v, ino_t ino)
{
	for (size_t i = 0; i < v->ninos; i++) {
		if (v->inos[i] == (unsigned long)ino)
			return true;
	}
	return false;
}

/* An fd the victim got: from outside if it is one of the outside's
 * objects or holds the secret's mark. */
static bool fd_escaped(const struct vstate *v, int fd, bool read_it)
{
	char buf[64];
	struct stat st;
	ssize_t n;

	if (fstat(fd, &st) == 0 && outside_ino(v, st.st_ino))
		return true;
	if (!read_it)
		return false;
	n = read(fd, buf, sizeof(buf));
	return n >= (ssize_t)strlen(SECRET_MARK) &&
	       memcmp(buf, SECRET_MARK, strlen(SECRET_MARK)) == 0;
}

/* One attempt: 0 or the errno of the failure; *seen when it escaped. */
static int attempt(const struct vstate *v, const struct op *op, int k, bool *seen)
{
	char p[PATH_MAX], p2[PATH_MAX], line[64];
	struct dirent *de;
	struct stat st;
	FILE *f;
	DIR *d;
	int fd;

	*seen = false;
	expand(p, sizeof(p), v->base, op->path, k);
	if (op->path2)
		expand(p2, sizeof(p2), v->base, op->path2, k);
	switch (op->vop) {
	case V_OPEN:
	case V_CREAT:
	case V_TRUNC:
	case V_OPENAT:
		if (op->vop == V_OPEN)
			fd = open(p, O_RDONLY);
		else if (op->vop == V_CREAT)
			fd = open(p, O_WRONLY | O_CREAT, 0644);
		else if (op->vop == V_TRUNC)
			fd = open(p, O_WRONLY | O_CREAT | O_TRUNC, 0644);
		else
			fd = openat(v->dirfd, p, O_RDONLY);
		if (fd < 0)
			return errno;
		*seen = fd_escaped(v, fd, op->vop == V_OPEN || op->vop == V_OPENAT);
		close(fd);
		return 0;
	case V_FOPEN:
		f = fopen(p, "r");
		if (!f)
			return errno;
		*seen = (fstat(fileno(f), &st) == 0 && outside_ino(v, st.st_ino)) ||
			(fgets(line, sizeof(line), f) &&
			 strncmp(line, SECRET_MARK, strlen(SECRET_MARK)) == 0);
		fclose(f);
		return 0;
	case V_STAT:
		if (stat(p, &st) < 0)
			return errno;
		*seen = outside_ino(v, st.st_ino);
		return 0;
	case V_OPENDIR:
		d = opendir(p);
		if (!d)
			return errno;
		*seen = fstat(dirfd(d), &st) == 0 && outside_ino(v, st.st_ino);
		while ((de = readdir(d))) {
			if (strncmp(de->d_name, SECRET_MARK, strlen(SECRET_MARK)) == 0)
				*seen = true;
		}
		closedir(d);
		return 0;
	case V_UNLINK:
		return unlink(p) < 0 ? errno : 0;
	case V_MKDIR:
		return mkdir(p, 0755) < 0 ? errno : 0;
	case V_RENAME:
		return rename(p, p2) < 0 ? errno : 0;
	case V_CHMOD:
		return chmod(p, 0600) < 0 ? errno : 0;
	case V_MKDIRP:
		/* What mkdir -p does: every component from the top, EEXIST
		 * taken as done. */
		for (char *s = p + 1;; s++) {
			if (*s != '/' && *s)
				continue;
			char c = *s;

			*s = 0;
			if (mkdir(p, 0755) < 0 && errno != EEXIST)
				return errno;
			*s = c;
			if (!c)
				return 0;
		}
	}
	return EINVAL;
}

static int victim_main(int argc, char **argv)
{
	unsigned long errs[MAXERRNO];
	const struct scenario *sc = NULL;
	struct vstate v = { .dirfd = -1 };
	char line[1024], p[PATH_MAX], *tok, *save;
	unsigned long ok, denied, seen;
	int opi, n, e;
	bool esc;

	if (argc != 4)
		die("usage: race --victim SCENARIO BASE");
	for (size_t i = 0; i < NELEM(scenarios); i++) {
		if (strcmp(scenarios[i].id, argv[2]) == 0)
			sc = &scenarios[i];
	}
	if (!sc)
		die("no scenario %s", argv[2]);
	v.base = argv[3];

	e = 0;
	if (sc->setup && strncmp(sc->setup, "chdir:", 6) == 0) {
		expand(p, sizeof(p), v.base, sc->setup + 6, 0);
		if (chdir(p) < 0)
			e = errno;
	} else if (sc->setup && strncmp(sc->setup, "dirfd:", 6) == 0) {
		expand(p, sizeof(p), v.base, sc->setup + 6, 0);
		v.dirfd = open(p, O_PATH | O_DIRECTORY);
		if (v.dirfd < 0)
			e = errno;
	}
	if (e) {
		dprintf(1, "setup-failed %s\n", errname(e));
		return 1;
	}
	dprintf(1, "ready\n");

	while (fgets(line, sizeof(line), stdin)) {
		tok = strtok_r(line, " \n", &save);
		if (!tok || strcmp(tok, "go") != 0)
			die("victim: bad command");
		tok = strtok_r(NULL, " \n", &save);
		opi = tok ? atoi(tok) : -1;
		tok = strtok_r(NULL, " \n", &save);
		n = tok ? atoi(tok) : -1;
		if (opi < 0 || (size_t)opi >= ops_len(sc) || n < 0 || n > BATCH_MAX)
			die("victim: bad command");
		v.ninos = 0;
		while ((tok = strtok_r(NULL, " \n", &save)) && v.ninos < MAXINOS)
			v.inos[v.ninos++] = strtoul(tok, NULL, 10);

		ok = denied = seen = 0;
		memset(errs, 0, sizeof(errs));
		for (int k = 0; k < n; k++) {
			e = attempt(&v, &sc->ops[opi], k, &esc);
			if (e == 0)
				ok++;
			else if (e == EACCES)
				denied++;
			else
				errs[e < MAXERRNO ? e : 0]++;
			seen += esc;
		}
		n = snprintf(line, sizeof(line), "done %lu %lu %lu", ok, denied, seen);
		for (int i = 0; i < MAXERRNO && n < (int)sizeof(line) - 32; i++) {
			if (errs[i])
				n += snprintf(line + n, sizeof(line) - (size_t)n, " %d:%lu", i, errs[i]);
		}
		dprintf(1, "%s\n", line);
	}
	return 0;
}

/* ------------------------------------------------------------------ */
/* The driver                                                          */
/* ------------------------------------------------------------------ */

struct victim {
	pid_t pid;
	int to;
	FILE *from;
};

struct counts {
	unsigned long attempts, ok, denied, errors, seen, changed, escapes, swaps, batches;
	unsigned long errs[MAXERRNO];
};

/* A line from the victim; a watchdog, not a measure: a victim stuck in a
 * call (a deadlock) fails the run instead of hanging it. */
static bool victim_read(struct victim *vp, char *line, size_t size)
{
	struct pollfd pfd = { .fd = fileno(vp->from), .events = POLLIN };
	int r;

	do
		r = poll(&pfd, 1, WATCHDOG_S * 1000);
	while (r < 0 && errno == EINTR);
	if (r == 0) {
		kill(vp->pid, SIGKILL);
		die("the victim has answered nothing for %d s", WATCHDOG_S);
	}
	return fgets(line, (int)size, vp->from) != NULL;
}

static void victim_start(struct victim *vp, const char *scid, const char *base,
			 const char *config, const char *shim, const char *root,
			 const char *log)
{
	static char e_pre[PATH_MAX + 16], e_roots[PATH_MAX + 16], e_res[64], e_log[PATH_MAX + 16];
	char *argv[] = { "race", "--victim", (char *)scid, (char *)base, NULL };
	posix_spawn_file_actions_t fa;
	int in[2], out[2], e;
	char **envp, line[256];
	size_t n = 0, ne = 0;

	while (environ[ne])
		ne++;
	envp = calloc(ne + 5, sizeof(*envp));
	if (!envp)
		die("out of memory");
	for (size_t i = 0; i < ne; i++) {
		if (strncmp(environ[i], "LD_PRELOAD=", 11) != 0 &&
		    strncmp(environ[i], "BENEATH_", 8) != 0)
			envp[n++] = environ[i];
	}
	if (strcmp(config, "none") != 0) {
		snprintf(e_pre, sizeof(e_pre), "LD_PRELOAD=%s", shim);
		snprintf(e_roots, sizeof(e_roots), "BENEATH_ROOTS=%s", root);
		snprintf(e_res, sizeof(e_res), "BENEATH_RESOLVER=%s", config);
		snprintf(e_log, sizeof(e_log), "BENEATH_LOG=%s", log);
		envp[n++] = e_pre;
		envp[n++] = e_roots;
		envp[n++] = e_res;
		envp[n++] = e_log;
	}
	envp[n] = NULL;

	if (pipe2(in, O_CLOEXEC) < 0 || pipe2(out, O_CLOEXEC) < 0)
		die("pipe: %s", strerror(errno));
	posix_spawn_file_actions_init(&fa);
	posix_spawn_file_actions_adddup2(&fa, in[0], 0);
	posix_spawn_file_actions_adddup2(&fa, out[1], 1);
	e = posix_spawn(&vp->pid, "/proc/self/exe", &fa, NULL, argv, envp);
	if (e)
		die("posix_spawn: %s", strerror(e));
	posix_spawn_file_actions_destroy(&fa);
	free(envp);
	close(in[0]);
	close(out[1]);
	vp->to = in[1];
	vp->from = fdopen(out[0], "r");
	if (!vp->from)
		die("fdopen: %s", strerror(errno));
	if (!victim_read(vp, line, sizeof(line)))
		die("%s %s: the victim died before it was ready", scid, config);
	if (strcmp(line, "ready\n") != 0)
		die("%s %s: victim: %s", scid, config, line);
}

static void victim_stop(struct victim *vp, const char *what)
{
	int st;

	close(vp->to);
	fclose(vp->from);
	if (waitpid(vp->pid, &st, 0) < 0)
		die("waitpid: %s", strerror(errno));
	if (!WIFEXITED(st) || WEXITSTATUS(st) != 0)
		die("%s: the victim failed (status 0x%x)", what, st);
}

/* One batch: the attacker runs while the victim makes N attempts. */
static void batch(struct victim *vp, struct attacker *at, struct spec *s,
		  int opi, int n, struct counts *c)
{
	unsigned long inos[MAXINOS], ok, denied, seen, changed, before;
	unsigned long errs_before = atomic_load(&at->errors);
	char line[2048], *tok, *save;
	size_t ninos = outside_inos(s, inos);
	int len;

	len = snprintf(line, sizeof(line), "go %d %d", opi, n);
	for (size_t i = 0; i < ninos; i++)
		len += snprintf(line + len, sizeof(line) - (size_t)len, " %lu", inos[i]);
	/* Every other batch, the attacker pauses at random between renames. */
	atomic_store(&at->jitter, c->batches++ % 2 ? JITTER_MASK : 0);
	before = atomic_load(&at->swaps);
	attacker_set(at, RUN);
	/* The victim starts once the attack is under way, not while the
	 * attacker thread is still waking up. */
	while (atomic_load(&at->swaps) + atomic_load(&at->errors) < before + errs_before + 2)
		sched_yield();
	if (dprintf(vp->to, "%s\n", line) < 0)
		die("write to the victim: %s", strerror(errno));
	if (!victim_read(vp, line, sizeof(line)))
		die("the victim died during a batch");
	attacker_set(at, PAUSE);
	c->swaps += atomic_load(&at->swaps) - before;

	if (sscanf(line, "done %lu %lu %lu", &ok, &denied, &seen) != 3)
		die("bad answer from the victim: %s", line);
	strtok_r(line, " \n", &save);
	for (int i = 0; i < 3; i++)
		strtok_r(NULL, " \n", &save);
	while ((tok = strtok_r(NULL, " \n", &save))) {
		int e = atoi(tok);
		unsigned long cnt = strtoul(strchr(tok, ':') + 1, NULL, 10);

		c->errs[e] += cnt;
		c->errors += cnt;
	}
	changed = spec_sync(s);
	c->attempts += (unsigned long)n;
	c->ok += ok;
	c->denied += denied;
	c->seen += seen;
	c->changed += changed;
	c->escapes += seen > changed ? seen : changed;
}

/* Lines in the log, and those that are not an escape denial; emptied. */
static void log_count(const char *log, unsigned long *lines, unsigned long *bad)
{
	char buf[4096];
	FILE *f = fopen(log, "r");

	*lines = *bad = 0;
	if (!f)
		return;
	while (fgets(buf, sizeof(buf), f)) {
		size_t len = strlen(buf);

		if (len && buf[len - 1] != '\n')
			continue;       /* the rest of a long line */
		(*lines)++;
		if (!strstr(buf, "\"reason\":\"escape\"") || !strstr(buf, "\"verdict\":\"denied\""))
			(*bad)++;
	}
	fclose(f);
	if (truncate(log, 0) < 0)
		die("truncate %s: %s", log, strerror(errno));
}

static void print_row(const struct scenario *sc, const struct op *op, const char *config,
		      const struct counts *c, const char *log)
{
	char errs[1024] = "-", logged[64] = "-";
	unsigned long lines, bad;
	size_t len = 0;

	for (int i = 0; i < MAXERRNO; i++) {
		if (c->errs[i] && len < sizeof(errs) - 64)
			len += (size_t)snprintf(errs + len, sizeof(errs) - len, "%s%s:%lu",
						len ? "," : "", i ? errname(i) : "E?", c->errs[i]);
	}
	if (log) {
		log_count(log, &lines, &bad);
		if (bad)
			snprintf(logged, sizeof(logged), "%lu(%lu-not-escape)", lines, bad);
		else
			snprintf(logged, sizeof(logged), "%lu", lines);
	}
	printf("row %s %s %s attempts=%lu ok=%lu denied=%lu errors=%lu escapes=%lu"
	       " seen=%lu changed=%lu logged=%s swaps=%lu errnos=%s\n",
	       sc->id, op->name, config, c->attempts, c->ok, c->denied, c->errors,
	       c->escapes, c->seen, c->changed, logged, c->swaps, errs);
	fflush(stdout);
}

static void run_config(const struct scenario *sc, const char *dir, const char *config,
		       const char *shim, long attempts, int bsize)
{
	char base[PATH_MAX], root[PATH_MAX], log[PATH_MAX], what[64];
	bool shimmed = strcmp(config, "none") != 0;
	struct spec s = { 0 };
	struct attacker at;
	struct victim vp;
	int basefd;

	join(base, sizeof(base), dir, sc->id);
	join(root, sizeof(root), base, sc->root);
	if (snprintf(log, sizeof(log), "%s/log-%s-%s.json", dir, sc->id, config) >= (int)sizeof(log))
		die("path too long: %s", dir);
	snprintf(what, sizeof(what), "%s %s", sc->id, config);
	rm_rf(base);
	if (mkdir(base, 0755) < 0)
		die("mkdir %s: %s", base, strerror(errno));
	s.base = base;
	s.root = sc->root;
	spec_build(&s, sc, NULL, 0);
	spec_sync(&s);
	basefd = open(base, O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (basefd < 0)
		die("open %s: %s", base, strerror(errno));
	if (shimmed) {
		int fd = open(log, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);

		if (fd < 0)
			die("create %s: %s", log, strerror(errno));
		close(fd);
	}

	victim_start(&vp, sc->id, base, config, shim, root, log);
	attacker_start(&at, basefd, sc);
	for (size_t opi = 0; opi < ops_len(sc); opi++) {
		const struct op *op = &sc->ops[opi];
		struct counts c = { 0 };
		long target = attempts;

		spec_build(&s, sc, op, bsize);
		spec_sync(&s);
		if (shimmed)
			log_count(log, &(unsigned long){ 0 }, &(unsigned long){ 0 });
		for (int tries = 0;; tries++) {
			while (c.attempts < (unsigned long)target) {
				long left = target - (long)c.attempts;

				batch(&vp, &at, &s, (int)opi, left < bsize ? (int)left : bsize, &c);
			}
			if (shimmed || c.escapes > 0 || tries == RETRIES)
				break;
			target *= 4;
		}
		print_row(sc, op, config, &c, shimmed ? log : NULL);
		if (!shimmed && c.escapes == 0 && sc->window)
			printf("note %s %s: no escape without the shim: the kernel prevents %s"
			       " (%lu attempts)\n", sc->id, op->name, sc->prevents, c.attempts);
		else if (!shimmed && c.escapes == 0)
			printf("note %s %s: no escape without the shim in %lu attempts, where"
			       " the attack cannot miss: the harness is broken\n",
			       sc->id, op->name, c.attempts);
	}
	attacker_stop(&at);
	victim_stop(&vp, what);
	if (at.errors)
		printf("info %s %s: %lu failed renames by the attacker\n",
		       sc->id, config, (unsigned long)at.errors);
	close(basefd);
	rm_rf(base);
	if (shimmed)
		unlink(log);
	spec_build(&s, sc, NULL, 0);
	for (size_t i = 0; i < s.n; i++) {
		free(s.e[i].path);
		free(s.e[i].data);
	}
	free(s.e);
	free(s.extra);
}

static bool in_list(const char *list, const char *word)
{
	size_t n = strlen(word);

	for (const char *p = list; p; p = strchr(p, ',')) {
		if (*p == ',')
			p++;
		if (strncmp(p, word, n) == 0 && (p[n] == ',' || p[n] == 0))
			return true;
	}
	return false;
}

static void usage(int status) __attribute__((noreturn));
static void usage(int status)
{
	fputs("usage: race [-a ATTEMPTS] [-b BATCH] [-c none,openat2,walker]"
	      " [-s s1,s2,s3,s4,s5] SHIM DIR\n"
	      "  -a  attempts per call and victim (default 1000)\n"
	      "  -b  attempts per batch, 1-1000 (default 250)\n"
	      "  -c  the victims: without the shim, under it with each backend\n"
	      "  -s  the scenarios (see tests/race.c)\n"
	      "SHIM is libbeneath-preload.so; DIR an existing directory for the trees.\n",
	      status ? stderr : stdout);
	exit(status);
}

int main(int argc, char **argv)
{
	const char *configs = "none,openat2,walker", *only = NULL;
	static const char *const all_configs[] = { "none", "openat2", "walker" };
	long attempts = ATTEMPTS_DEFAULT;
	int bsize = BATCH_DEFAULT, opt;
	char dir[PATH_MAX];

	if (argc > 1 && strcmp(argv[1], "--victim") == 0)
		return victim_main(argc, argv);
	if (getenv("BENEATH_ROOTS"))
		die("run the driver without the shim (only its victim is preloaded)");

	while ((opt = getopt(argc, argv, "a:b:c:hs:")) != -1) {
		switch (opt) {
		case 'a':
			attempts = atol(optarg);
			break;
		case 'b':
			bsize = atoi(optarg);
			break;
		case 'c':
			configs = optarg;
			break;
		case 's':
			only = optarg;
			break;
		case 'h':
			usage(0);
		default:
			usage(2);
		}
	}
	if (argc - optind != 2 || attempts < 1 || bsize < 1 || bsize > BATCH_MAX)
		usage(2);
	if (!realpath(argv[optind + 1], dir))
		die("%s: %s", argv[optind + 1], strerror(errno));
	if (in_list(configs, "openat2") || in_list(configs, "walker")) {
		if (access(argv[optind], R_OK) < 0)
			die("%s: %s", argv[optind], strerror(errno));
	}
	umask(022);
	pin_setup();

	for (size_t i = 0; i < NELEM(scenarios); i++) {
		const struct scenario *sc = &scenarios[i];

		if (only && !in_list(only, sc->id))
			continue;
		printf("# %s: %s\n", sc->id, sc->what);
		fflush(stdout);
		for (size_t j = 0; j < NELEM(all_configs); j++) {
			if (in_list(configs, all_configs[j]))
				run_config(sc, dir, all_configs[j], argv[optind], attempts, bsize);
		}
	}
	return 0;
}
