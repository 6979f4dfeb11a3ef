/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * tests/temp-probe: call the temporary-file functions that
 * libbeneath-preload.so re-implements (mkstemp, mkstemp64, mkostemp,
 * mkostemp64, mkstemps, mkstemps64, mkostemps, mkostemps64, mkdtemp,
 * mktemp, tempnam) directly, and print one line per call:
 *
 *     OP ARG... STATUS[,KEY=VALUE...]
 *
 * STATUS is "ok" or the errno name of the failure. The keys:
 *
 *   name=    the template after the call (tempnam: its result), as is
 *   shape=   the same with the six letters that the call may choose
 *            shown as '?': what a run without the shim must match
 *   xs=      ok when nothing but those six changed and they are letters
 *            or digits (the 62-letter alphabet), else bad
 *   errno=   kept when a success left errno as it was, else its value
 *   type= mode= acc= fl= cloexec= io=
 *            what was created: reg or dir, the permission bits, the
 *            access mode, O_APPEND/O_SYNC, FD_CLOEXEC, and whether a
 *            write read back through the fd
 *   free=    mktemp, tempnam: yes when lstat says the name does not exist
 *   empty=   mktemp: yes when it emptied the template (a failure), and
 *   tried=   the name it tried, which stays behind the first byte
 *
 * usage: temp-probe OP ARG...
 *
 *   mkstemp T | mkstemp64 T | mkdtemp T | mktemp T
 *   mkostemp T FLAGS | mkostemp64 T FLAGS
 *   mkstemps T SUFFIXLEN | mkstemps64 T SUFFIXLEN
 *   mkostemps T SUFFIXLEN FLAGS | mkostemps64 T SUFFIXLEN FLAGS
 *   tempnam DIR PFX        ("-" for NULL)
 *   all DIR                every call with a good template in DIR
 *   bad DIR                every call with templates glibc refuses (EINVAL)
 *   edge DIR               good templates at the edges of the rules
 *   threads DIR N          N threads creating files in DIR at once
 *
 * FLAGS is "-" or a comma list of cloexec, append, sync, wronly. The
 * program is built three ways by Makefile.am: plain, -O2
 * -D_FORTIFY_SOURCE=2, and that plus -D_FILE_OFFSET_BITS=64, where
 * mkstemp, mkostemp, mkstemps and mkostemps compile to their *64 names.
 * mktemp and tempnam are found with dlsym(RTLD_DEFAULT), the lookup a
 * direct call binds through (the preloaded definition first), because a
 * direct reference makes the linker print glibc's "dangerous" warning.
 *
 * The probe exits 0 whatever the calls return; 2 on a usage error.
 */
#include <ctype.h>
#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define NELEM(a) (sizeof(a) / sizeof((a)[0]))
#define XS 6
#define SENTINEL_ERRNO EDOM

enum call {
	C_MKSTEMP, C_MKSTEMP64, C_MKOSTEMP, C_MKOSTEMP64, C_MKSTEMPS, C_MKSTEMPS64,
	C_MKOSTEMPS, C_MKOSTEMPS64, C_MKDTEMP, C_MKTEMP, C_TEMPNAM,
};

struct op {
	const char *name;
	enum call call;
	bool suffix;  /* takes SUFFIXLEN */
	bool flags;   /* takes FLAGS */
};

static const struct op ops[] = {
	{ "mkstemp", C_MKSTEMP, false, false },
	{ "mkstemp64", C_MKSTEMP64, false, false },
	{ "mkostemp", C_MKOSTEMP, false, true },
	{ "mkostemp64", C_MKOSTEMP64, false, true },
	{ "mkstemps", C_MKSTEMPS, true, false },
	{ "mkstemps64", C_MKSTEMPS64, true, false },
	{ "mkostemps", C_MKOSTEMPS, true, true },
	{ "mkostemps64", C_MKOSTEMPS64, true, true },
	{ "mkdtemp", C_MKDTEMP, false, false },
	{ "mktemp", C_MKTEMP, false, false },
	{ "tempnam", C_TEMPNAM, false, false },
};

static const char *errname(int e)
{
	static __thread char b[16];
	const char *s = strerrorname_np(e);

	if (s)
		return s;
	snprintf(b, sizeof(b), "E%d", e);
	return b;
}

static int parse_flags(const char *s)
{
	char buf[256], *save = NULL, *w;
	int f = 0;

	if (strcmp(s, "-") == 0)
		return 0;
	snprintf(buf, sizeof(buf), "%s", s);
	for (w = strtok_r(buf, ",", &save); w; w = strtok_r(NULL, ",", &save)) {
		if (strcmp(w, "cloexec") == 0)
			f |= O_CLOEXEC;
		else if (strcmp(w, "append") == 0)
			f |= O_APPEND;
		else if (strcmp(w, "sync") == 0)
			f |= O_SYNC;
		else if (strcmp(w, "wronly") == 0)
			f |= O_WRONLY;
		else
			return -1;
	}
	return f;
}

/* The calls themselves; in the fortify64 build the headers turn the
 * plain names into the *64 ones. */
static char *(*mktemp_fn)(char *);
static char *(*tempnam_fn)(const char *, const char *);

static int call_fd(enum call c, char *t, int suf, int fl)
{
	switch (c) {
	case C_MKSTEMP:
		return mkstemp(t);
	case C_MKSTEMP64:
		return mkstemp64(t);
	case C_MKOSTEMP:
		return mkostemp(t, fl);
	case C_MKOSTEMP64:
		return mkostemp64(t, fl);
	case C_MKSTEMPS:
		return mkstemps(t, suf);
	case C_MKSTEMPS64:
		return mkstemps64(t, suf);
	case C_MKOSTEMPS:
		return mkostemps(t, suf, fl);
	case C_MKOSTEMPS64:
		return mkostemps64(t, suf, fl);
	default:
		abort();
	}
}

/* An output line, built up. */
struct line {
	char s[16384];
	size_t n;
};

static void add(struct line *l, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void add(struct line *l, const char *fmt, ...)
{
	va_list ap;
	int r;

	va_start(ap, fmt);
	r = vsnprintf(l->s + l->n, sizeof(l->s) - l->n, fmt, ap);
	va_end(ap);
	if (r > 0)
		l->n = l->n + (size_t)r < sizeof(l->s) ? l->n + (size_t)r : sizeof(l->s) - 1;
}

static bool alnum62(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
}

/* name= shape= xs= for template BEFORE, now AFTER, with SUF suffix bytes. */
static void add_shape(struct line *l, const char *before, const char *after, long suf)
{
	size_t len = strlen(before), start = 0;
	bool valid = suf >= 0 && len >= XS + (size_t)suf, ok = true;
	char shape[8192];

	if (valid) {
		start = len - XS - (size_t)suf;
		for (size_t i = start; i < start + XS; i++)
			valid = valid && before[i] == 'X';
	}
	if (strlen(after) != len || len >= sizeof(shape)) {
		add(l, ",name=%s,shape=%s,xs=bad", after, after);
		return;
	}
	for (size_t i = 0; i < len; i++) {
		if (valid && i >= start && i < start + XS) {
			shape[i] = '?';
			ok = ok && alnum62(after[i]);
		} else {
			shape[i] = after[i];
			ok = ok && after[i] == before[i];
		}
	}
	shape[len] = '\0';
	add(l, ",name=%s,shape=%s,xs=%s", after, shape, ok ? "ok" : "bad");
}

static void add_errno(struct line *l, int e)
{
	if (e == SENTINEL_ERRNO)
		add(l, ",errno=kept");
	else
		add(l, ",errno=%s", errname(e));
}

static void add_mode(struct line *l, const struct stat *st)
{
	add(l, ",type=%s,mode=%04o", S_ISREG(st->st_mode) ? "reg" : S_ISDIR(st->st_mode) ? "dir" : "other",
	    (unsigned int)(st->st_mode & 07777));
}

/* What the fd is, then close it. */
static void add_fd(struct line *l, int fd)
{
	static const char msg[] = "temp-probe\n";
	char back[sizeof(msg)];
	struct stat st;
	int fl = fcntl(fd, F_GETFL), fdf = fcntl(fd, F_GETFD), acc = fl & O_ACCMODE;
	bool io;

	if (fstat(fd, &st) == 0)
		add_mode(l, &st);
	else
		add(l, ",type=%s", errname(errno));
	add(l, ",acc=%s", acc == O_RDWR ? "rdwr" : acc == O_WRONLY ? "wronly" : "rdonly");
	add(l, ",fl=%s%s%s", (fl & O_APPEND) ? "append" : "",
	    (fl & O_APPEND) && (fl & O_SYNC) == O_SYNC ? "+" : "",
	    (fl & O_SYNC) == O_SYNC ? "sync" : (fl & O_APPEND) ? "" : "-");
	add(l, ",cloexec=%d", (fdf & FD_CLOEXEC) ? 1 : 0);
	io = write(fd, msg, sizeof(msg) - 1) == (ssize_t)sizeof(msg) - 1 &&
	     pread(fd, back, sizeof(msg) - 1, 0) == (ssize_t)sizeof(msg) - 1 &&
	     memcmp(back, msg, sizeof(msg) - 1) == 0;
	add(l, ",io=%s", io ? "ok" : "fail");
	close(fd);
}

static void add_free(struct line *l, const char *name)
{
	struct stat st;

	if (lstat(name, &st) == 0)
		add(l, ",free=no");
	else
		add(l, ",free=%s", errno == ENOENT ? "yes" : errname(errno));
}

static void print_line(struct line *l)
{
	add(l, "\n");
	fputs(l->s, stdout);
	fflush(stdout);
}

/* Run OP on the N arguments A and print the line. */
static int run(const struct op *op, char **a, int n)
{
	struct line l = { .n = 0 };
	char tmpl[8192];
	long suf = 0;
	int fl = 0, e, want = op->call == C_TEMPNAM ? 2 : 1 + op->suffix + op->flags;

	if (n != want)
		return -1;
	if (op->suffix) {
		char *end;

		suf = strtol(a[1], &end, 10);
		if (*end || !*a[1])
			return -1;
	}
	if (op->flags && (fl = parse_flags(a[n - 1])) < 0)
		return -1;
	add(&l, "%s", op->name);
	for (int i = 0; i < n; i++)
		add(&l, " %s", a[i]);
	add(&l, " ");
	if (op->call == C_TEMPNAM) {
		const char *dir = strcmp(a[0], "-") ? a[0] : NULL;
		const char *pfx = strcmp(a[1], "-") ? a[1] : NULL;
		char *r;

		errno = SENTINEL_ERRNO;
		r = tempnam_fn(dir, pfx);
		e = errno;
		if (!r) {
			add(&l, "%s", errname(e));
		} else {
			size_t len = strlen(r);
			bool ok = len >= XS;
			char shape[8192];

			snprintf(shape, sizeof(shape), "%s", r);
			for (size_t i = len >= XS ? len - XS : 0; i < len && i < sizeof(shape); i++) {
				ok = ok && alnum62(r[i]);
				shape[i] = '?';
			}
			add(&l, "ok,name=%s,shape=%s,xs=%s", r, shape, ok ? "ok" : "bad");
			add_free(&l, r);
			free(r);
		}
		print_line(&l);
		return 0;
	}
	snprintf(tmpl, sizeof(tmpl), "%s", a[0]);
	errno = SENTINEL_ERRNO;
	if (op->call == C_MKDTEMP) {
		char *r = mkdtemp(tmpl);
		struct stat st;

		e = errno;
		add(&l, "%s", r ? (r == tmpl ? "ok" : "wrongptr") : errname(e));
		add_shape(&l, a[0], tmpl, 0);
		if (r) {
			add_errno(&l, e);
			if (lstat(tmpl, &st) == 0)
				add_mode(&l, &st);
			else
				add(&l, ",type=%s", errname(errno));
		}
	} else if (op->call == C_MKTEMP) {
		char *r = mktemp_fn(tmpl);

		e = errno;
		add(&l, "%s", r != tmpl ? "wrongptr" : tmpl[0] ? "ok" : errname(e));
		if (tmpl[0]) {
			add_shape(&l, a[0], tmpl, 0);
			add_errno(&l, e);
			add_free(&l, tmpl);
		} else {
			/* glibc empties the string by its first byte: the
			 * rest is still the name that was tried. */
			add(&l, ",name=,empty=yes");
			if (a[0][0] && strlen(tmpl + 1) == strlen(a[0]) - 1)
				add(&l, ",tried=%c%s", a[0][0], tmpl + 1);
		}
	} else {
		int fd = call_fd(op->call, tmpl, (int)suf, fl);

		e = errno;
		add(&l, "%s", fd >= 0 ? "ok" : errname(e));
		add_shape(&l, a[0], tmpl, suf);
		if (fd >= 0) {
			add_errno(&l, e);
			add_fd(&l, fd);
		}
	}
	print_line(&l);
	return 0;
}

static const struct op *find_op(const char *name)
{
	for (size_t i = 0; i < NELEM(ops); i++)
		if (strcmp(ops[i].name, name) == 0)
			return &ops[i];
	return NULL;
}

/* A family: lines "OP ARG..." where '@' stands for the directory. */
static const char *const fam_all[] = {
	"mkstemp @/fooXXXXXX",
	"mkstemp64 @/fooXXXXXX",
	"mkostemp @/fooXXXXXX cloexec",
	"mkostemp64 @/fooXXXXXX append,sync",
	"mkstemps @/fooXXXXXX.txt 4",
	"mkstemps64 @/fooXXXXXX.txt 4",
	"mkostemps @/fooXXXXXX.c 2 cloexec,append",
	"mkostemps64 @/fooXXXXXXsuffix 6 wronly",
	"mkdtemp @/dirXXXXXX",
	"mktemp @/nameXXXXXX",
	NULL,
};

static const char *const fam_bad[] = {
	"mkstemp @/fooXXXXX",
	"mkstemp @/foo",
	"mkstemp @/fooxxxxxx",
	"mkstemp @/fooXXXXXX.txt",
	"mkstemp @/XXXaXXX",
	"mkstemp XXXXX",
	"mkstemp64 @/fooXXXXX",
	"mkostemp @/fooXXXXX cloexec",
	"mkostemp64 @/fooXXXXXX/ -",
	"mkstemps @/fooXXXXXX.txt 5",
	"mkstemps @/fooXXXXXX.txt -1",
	"mkstemps @/fooXXXXXX.txt 1000",
	"mkstemps @/fooXXXXXX.txt 0",
	"mkstemps64 @/fooXXXXXX.txt 3",
	"mkostemps @/XXXXX.txt 4 cloexec",
	"mkostemps64 @/f 0 -",
	"mkdtemp @/dirXXXXX",
	"mkdtemp @/",
	"mktemp @/nameXXXXX",
	"mktemp @/name.XXXXXX.x",
	NULL,
};

static const char *const fam_edge[] = {
	"mkstemp @/XXXXXXXXXX",
	"mkstemps @/aXXXXXXXX.x 2",
	"mkstemps @/XXXXXXXXXXXX 6",
	"mkostemps64 @/XXXXXX 0 cloexec,sync",
	"mkostemp @/eXXXXXX wronly,cloexec",
	"mkdtemp @/XXXXXXX",
	"mktemp @/XXXXXX",
	NULL,
};

static int run_family(const char *const *steps, const char *dir)
{
	for (const char *const *s = steps; *s; s++) {
		char words[4][8192], step[256], *a[4], *save = NULL, *w;
		const struct op *op;
		int n = 0;

		snprintf(step, sizeof(step), "%s", *s);
		op = find_op(strtok_r(step, " ", &save));
		if (!op)
			abort();
		while ((w = strtok_r(NULL, " ", &save)) != NULL && n < 4) {
			snprintf(words[n], sizeof(words[n]), "%s%s", w[0] == '@' ? dir : "",
			         w[0] == '@' ? w + 1 : w);
			a[n] = words[n];
			n++;
		}
		if (run(op, a, n) < 0)
			abort();
	}
	return 0;
}

/* threads: every thread creates files at once; all must succeed, with
 * distinct names. */
#define PER_THREAD 25
#define MAX_THREADS 64

struct worker {
	pthread_t t;
	const char *dir;
	char names[PER_THREAD][4096];
	int made, err;
};

static void *work(void *p)
{
	struct worker *w = p;

	for (int i = 0; i < PER_THREAD; i++) {
		char *t = w->names[i];
		int fd;

		snprintf(t, sizeof(w->names[i]), "%s/tXXXXXX", w->dir);
		fd = mkstemp(t);
		if (fd < 0) {
			w->err = errno;
			return NULL;
		}
		close(fd);
		w->made++;
	}
	return NULL;
}

static int cmp_names(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static int run_threads(const char *dir, int n)
{
	static struct worker w[MAX_THREADS];
	static char *all[MAX_THREADS * PER_THREAD];
	int made = 0, distinct = 0, err = 0;

	if (n < 1 || n > MAX_THREADS)
		return -1;
	for (int i = 0; i < n; i++) {
		w[i].dir = dir;
		if (pthread_create(&w[i].t, NULL, work, &w[i]) != 0)
			return -1;
	}
	for (int i = 0; i < n; i++) {
		pthread_join(w[i].t, NULL);
		for (int j = 0; j < w[i].made; j++)
			all[made++] = w[i].names[j];
		if (w[i].err && !err)
			err = w[i].err;
	}
	qsort(all, (size_t)made, sizeof(all[0]), cmp_names);
	for (int i = 0; i < made; i++)
		distinct += i == 0 || strcmp(all[i - 1], all[i]) != 0;
	printf("threads %s %d %s,made=%d,distinct=%d\n", dir, n, err ? errname(err) : "ok",
	       made, distinct);
	return 0;
}

static void usage(void)
{
	fputs("usage: temp-probe OP ARG...\n"
	      "  mkstemp T | mkstemp64 T | mkdtemp T | mktemp T\n"
	      "  mkostemp T FLAGS | mkostemp64 T FLAGS\n"
	      "  mkstemps T SUFFIXLEN | mkstemps64 T SUFFIXLEN\n"
	      "  mkostemps T SUFFIXLEN FLAGS | mkostemps64 T SUFFIXLEN FLAGS\n"
	      "  tempnam DIR PFX   (- for NULL)\n"
	      "  all DIR | bad DIR | edge DIR | threads DIR N\n"
	      "FLAGS: - or a comma list of cloexec, append, sync, wronly\n", stderr);
}

int main(int argc, char **argv)
{
	const struct op *op;

	umask(022);
	mktemp_fn = (char *(*)(char *))dlsym(RTLD_DEFAULT, "mktemp");
	tempnam_fn = (char *(*)(const char *, const char *))dlsym(RTLD_DEFAULT, "tempnam");
	if (!mktemp_fn || !tempnam_fn) {
		fputs("temp-probe: dlsym: no mktemp or tempnam\n", stderr);
		return 2;
	}
	if (argc == 3 && strcmp(argv[1], "all") == 0)
		return run_family(fam_all, argv[2]);
	if (argc == 3 && strcmp(argv[1], "bad") == 0)
		return run_family(fam_bad, argv[2]);
	if (argc == 3 && strcmp(argv[1], "edge") == 0)
		return run_family(fam_edge, argv[2]);
	if (argc == 4 && strcmp(argv[1], "threads") == 0) {
		if (run_threads(argv[2], atoi(argv[3])) == 0)
			return 0;
		usage();
		return 2;
	}
	op = argc >= 2 ? find_op(argv[1]) : NULL;
	if (!op || run(op, argv + 2, argc - 2) < 0) {
		usage();
		return 2;
	}
	return 0;
}
