/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * tests/concurrency: libbeneath-preload.so under concurrent use.
 *
 * The program is its own driver. Run with no arguments (as make check
 * and make check-valgrind do), it builds a tree in a temporary directory
 * and runs itself as a worker three times: once without the shim, where
 * the escape attempts must succeed (they are counted and printed: the
 * attack works), then under the shim with BENEATH_RESOLVER=openat2 and
 * =walker, where every escape must be denied. The driver's watchdog is
 * alarm(): a worker that has not finished by then is killed and the test
 * fails (a deadlock or a hang), whatever its speed otherwise.
 *
 * A worker runs, at the same time, for a bounded number of iterations:
 *  - 16 threads that open and read (the content must be the file's),
 *    stat, create, rename, remove and mkdir under the roots, through
 *    absolute paths, directory fds and one of 100 wildcard roots
 *    (T/users/ * /www: more concrete roots than the shim's root fd
 *    cache has slots), and attempt escapes (an absolute symlink out, a
 *    directory symlink out, "..", "/proc/self/fd/N/.."), every one of
 *    which must be denied with EACCES;
 *  - one thread that forks and execs this program as a child that makes
 *    confined opens (a file under the root, ten wildcard roots) and one
 *    escape attempt and exits (status 0 when all gave the right answer),
 *    and forks children that do the same without exec, in the copy of a
 *    process whose other threads were in the middle of shim calls
 *    (holding the root cache's lock, replacing one of its slots);
 *  - an interval timer at a high rate whose SIGALRM handler opens and
 *    reads a file under the root (and attempts an escape), interrupting
 *    whichever thread it lands on, in or out of the shim;
 *  - a watchdog thread of its own that reports what each thread was
 *    doing if the work takes longer than the deadline.
 * At the end the fds the program can see must be exactly those it had
 * before (the shim's own root fds look closed to it), and the denial log
 * must hold one whole JSON line per denial.
 *
 * BENEATH_UNDER_VALGRIND=1 (make check-valgrind) makes the run smaller
 * and the deadline longer; BENEATH_CONCURRENCY_ITERS=N makes it N
 * iterations a thread (and N/5 children), for a longer run by hand. The last line is "concurrency: N passed, M
 * failed"; the exit status is 1 if M > 0, 77 if the shim is not built.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <limits.h>
#include <pthread.h>
#include <signal.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define NTHREADS 16
#define NFILES 32          /* root/fK, "content-K\n" */
#define NUSERS 100         /* users/uNN/www/index, "user-NN\n" */

extern char **environ;

/* The tree's directories are short (main checks): a path built from one
 * of them always fits in PATH_MAX. */
#define DIRSZ 1024

static const char *top;    /* the temporary directory */
static char root[DIRSZ], users[DIRSZ], secret[DIRSZ];
static bool confined;      /* the worker runs under the shim */
static bool valgrind;
static int iterations, forks;

/* ------------------------------------------------------------------ */
/* Counters                                                           */
/* ------------------------------------------------------------------ */

static atomic_long n_ok, n_wrong, n_escaped, n_denied, n_errors;
static atomic_long n_children, n_child_bad, n_sig_ok, n_sig_wrong, n_sig_escaped, n_sig_denied;

/* What a thread is doing, for the watchdog's report. */
static _Atomic(const char *) doing[NTHREADS + 2];
static atomic_int finished;

/* A wrong answer: printed (a few), counted. */
static void wrong(const char *what, const char *path, const char *detail)
{
	if (atomic_fetch_add(&n_wrong, 1) < 20)
		fprintf(stderr, "concurrency: WRONG: %s %s: %s\n", what, path, detail);
}

static void unexpected(const char *what, const char *path, int e)
{
	if (atomic_fetch_add(&n_errors, 1) < 20)
		fprintf(stderr, "concurrency: ERROR: %s %s: %s\n", what, path, strerror(e));
}

/* ------------------------------------------------------------------ */
/* Checks shared by threads, children and the signal handler          */
/* ------------------------------------------------------------------ */

/* Open PATH and compare its content with WANT: 0 right, 1 wrong, -errno.
 * Async-signal-safe (open, read, close, memcmp). */
static int read_is(const char *path, const char *want)
{
	char buf[64];
	size_t len = strlen(want);
	ssize_t n;
	int fd = open(path, O_RDONLY | O_CLOEXEC);

	if (fd < 0)
		return -errno;
	n = read(fd, buf, sizeof(buf));
	close(fd);
	return n == (ssize_t)len && memcmp(buf, want, len) == 0 ? 0 : 1;
}

/* An escape attempt: under the shim it must fail with EACCES, and
 * without it, it must work (the attack is real). 0 as expected, 1 an
 * escape under the shim, 2 something else. Async-signal-safe. */
static int escape_is_denied(int dirfd, const char *path, bool *escaped)
{
	int fd = openat(dirfd, path, O_RDONLY | O_CLOEXEC);
	int e = errno;

	*escaped = fd >= 0;
	if (fd >= 0)
		close(fd);
	if (!confined)
		return 0;
	if (fd >= 0)
		return 1;
	return e == EACCES ? 0 : 2;
}

static void escape(int dirfd, const char *path)
{
	bool escaped;
	int r = escape_is_denied(dirfd, path, &escaped);

	if (escaped)
		atomic_fetch_add(&n_escaped, 1);
	else if (r == 0)
		atomic_fetch_add(&n_denied, 1);
	if (r == 1)
		wrong("escape", path, "not denied");
	else if (r == 2)
		unexpected("escape (not EACCES)", path, errno);
}

/* DIR/PREFIXk, DIR shorter than DIRSZ + 16 */
static void path_of(char buf[PATH_MAX], const char *dir, const char *prefix, int k)
{
	snprintf(buf, PATH_MAX, "%.*s/%.32s%d", DIRSZ + 16, dir, prefix, k);
}

/* ------------------------------------------------------------------ */
/* The signal handler                                                 */
/* ------------------------------------------------------------------ */

static char sig_path[PATH_MAX], sig_escape[PATH_MAX];
static volatile sig_atomic_t sig_count;

static void on_alarm(int sig)
{
	int saved = errno, r;
	bool escaped;

	(void)sig;
	r = read_is(sig_path, "content-1\n");
	if (r == 0)
		atomic_fetch_add(&n_sig_ok, 1);
	else
		atomic_fetch_add(&n_sig_wrong, 1);
	/* every eighth time, an escape as well */
	if ((sig_count++ & 7) == 0) {
		r = escape_is_denied(AT_FDCWD, sig_escape, &escaped);
		if (escaped)
			atomic_fetch_add(&n_sig_escaped, 1);
		else if (r == 0)
			atomic_fetch_add(&n_sig_denied, 1);
		if (r != 0)
			atomic_fetch_add(&n_sig_wrong, 1);
	}
	errno = saved;
}

/* ------------------------------------------------------------------ */
/* The 16 threads                                                     */
/* ------------------------------------------------------------------ */

static unsigned int rnd(unsigned int *s)
{
	*s = *s * 1103515245u + 12345u;
	return *s >> 8;
}

static void *worker(void *arg)
{
	int id = (int)(intptr_t)arg;
	unsigned int seed = 0x9e3779b9u * (unsigned int)(id + 1);
	char mine[DIRSZ + 16], p[PATH_MAX], q[PATH_MAX], want[64];
	int dfd;

	/* This thread's own directory: what it creates, renames and
	 * removes there nobody else touches, so every answer is known. */
	snprintf(mine, sizeof(mine), "%s/t%d", root, id);
	if (mkdir(mine, 0755) < 0 && errno != EEXIST)
		unexpected("mkdir", mine, errno);
	dfd = open(mine, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (dfd < 0)
		unexpected("open dir", mine, errno);

	for (int it = 0; it < iterations; it++) {
		int k = (int)(rnd(&seed) % NFILES), u = (int)(rnd(&seed) % NUSERS), r, fd;
		struct stat st;

		/* Read a shared file by absolute path: the right content. */
		atomic_store(&doing[id], "open shared");
		path_of(p, root, "f", k);
		snprintf(want, sizeof(want), "content-%d\n", k);
		r = read_is(p, want);
		if (r == 0)
			atomic_fetch_add(&n_ok, 1);
		else if (r == 1)
			wrong("read", p, "not the file's content");
		else
			unexpected("open", p, -r);

		atomic_store(&doing[id], "stat shared");
		if (stat(p, &st) < 0)
			unexpected("stat", p, errno);
		else if (st.st_size != (off_t)strlen(want))
			wrong("stat", p, "wrong size");

		/* A wildcard root: one of more roots than cache slots. */
		atomic_store(&doing[id], "open wildcard root");
		snprintf(p, sizeof(p), "%s/u%d/www/index", users, u);
		snprintf(want, sizeof(want), "user-%d\n", u);
		r = read_is(p, want);
		if (r == 0)
			atomic_fetch_add(&n_ok, 1);
		else if (r == 1)
			wrong("read", p, "not the file's content");
		else
			unexpected("open", p, -r);

		/* Create, write, rename, read back, remove: in our own dir,
		 * by absolute path and through the dir fd. */
		atomic_store(&doing[id], "create");
		path_of(p, mine, "new", it);
		path_of(q, mine, "renamed", it);
		fd = open(p, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
		if (fd < 0) {
			unexpected("create", p, errno);
		} else {
			snprintf(want, sizeof(want), "t%d-%d\n", id, it);
			if (write(fd, want, strlen(want)) != (ssize_t)strlen(want))
				unexpected("write", p, errno);
			close(fd);
			atomic_store(&doing[id], "rename");
			if (rename(p, q) < 0)
				unexpected("rename", p, errno);
			atomic_store(&doing[id], "read renamed");
			r = read_is(q, want);
			if (r == 1)
				wrong("read", q, "not what was written");
			else if (r < 0)
				unexpected("open", q, -r);
			snprintf(p, sizeof(p), "renamed%d", it);
			atomic_store(&doing[id], "openat");
			fd = openat(dfd, p, O_RDONLY | O_CLOEXEC);
			if (fd < 0)
				unexpected("openat", p, errno);
			else
				close(fd);
			atomic_store(&doing[id], "unlink");
			if (unlinkat(dfd, p, 0) < 0)
				unexpected("unlinkat", p, errno);
		}
		atomic_store(&doing[id], "mkdir/rmdir");
		path_of(p, mine, "dir", it);
		if (mkdir(p, 0755) < 0 || rmdir(p) < 0)
			unexpected("mkdir/rmdir", p, errno);

		/* Escapes: absolute link, directory link, "..", through our
		 * dir fd, through a /proc link. */
		atomic_store(&doing[id], "escapes");
		switch (it % 5) {
		case 0:
			snprintf(p, sizeof(p), "%s/abs", root);
			escape(AT_FDCWD, p);
			break;
		case 1:
			snprintf(p, sizeof(p), "%s/dl/secret", root);
			escape(AT_FDCWD, p);
			break;
		case 2:
			snprintf(p, sizeof(p), "%s/t%d/../../secret", root, id);
			escape(AT_FDCWD, p);
			break;
		case 3:
			escape(dfd, "../../secret");
			break;
		case 4:
			snprintf(p, sizeof(p), "/proc/self/fd/%d/../../secret", dfd);
			escape(AT_FDCWD, p);
			break;
		}
		/* A wildcard user's link out of their www. */
		if (it % 7 == 0) {
			snprintf(p, sizeof(p), "%s/u%d/www/out", users, u);
			escape(AT_FDCWD, p);
		}
	}
	if (dfd >= 0)
		close(dfd);
	atomic_store(&doing[id], "done");
	atomic_fetch_add(&finished, 1);
	return NULL;
}

/* ------------------------------------------------------------------ */
/* The forking thread                                                 */
/* ------------------------------------------------------------------ */

static char self[PATH_MAX];

/* The child's work, with exec (as a new program) or without (a fork of
 * this one): an escape attempt and confined opens. Exit status 0 when
 * all are right; 2 the escape worked, 4 it failed but not with EACCES,
 * 5 it failed without the shim, 1 a wrong content under the root, 3 an
 * error there, 7 a wildcard root gave another root's file, 8 an error
 * there. Only async-signal-safe calls: it may be a fork of a
 * multi-threaded process. */
static int child_check(const char *file, const char *want, const char *esc)
{
	bool escaped;
	int r;

	/* The escape first: every child logs exactly one denial. */
	r = escape_is_denied(AT_FDCWD, esc, &escaped);
	if (r == 1)
		return 2;
	if (r == 2)
		return 4;
	if (!confined && !escaped)
		return 5;
	r = read_is(file, want);
	if (r != 0)
		return r == 1 ? 1 : 3;
	/* Every wildcard root, whose cache slots the other threads were
	 * replacing when we were forked: each its own content. */
	for (int u = 0; u < NUSERS; u++) {
		char p[PATH_MAX], w[32];

		snprintf(p, sizeof(p), "%.*s/u%d/www/index", DIRSZ, users, u);
		snprintf(w, sizeof(w), "user-%d\n", u);
		r = read_is(p, w);
		if (r != 0)
			return r == 1 ? 7 : 8;
	}
	return 0;
}

static void *forker(void *arg)
{
	char file[PATH_MAX], esc[PATH_MAX];
	int id = NTHREADS;

	(void)arg;
	snprintf(file, sizeof(file), "%s/f3", root);
	snprintf(esc, sizeof(esc), "%s/abs", root);
	for (int i = 0; i < forks; i++) {
		int status;
		pid_t pid;

		/* one in four execs; the others stay a copy of this process */
		bool ex = i % 4 == 0;

		atomic_store(&doing[id], ex ? "fork+exec" : "fork");
		pid = fork();
		if (pid == 0) {
			if (ex) {
				char *argv[] = { self, "--child", file, "content-3\n", esc, users,
				                 NULL };
				execve(self, argv, environ);
				_exit(6);
			}
			_exit(child_check(file, "content-3\n", esc));
		}
		if (pid < 0) {
			unexpected("fork", "", errno);
			continue;
		}
		atomic_store(&doing[id], "waitpid");
		while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
			;
		atomic_fetch_add(&n_children, 1);
		if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
			char d[64];
			snprintf(d, sizeof(d), "(%s): status %d signal %d", ex ? "exec" : "fork",
			         WIFEXITED(status) ? WEXITSTATUS(status) : -1,
			         WIFSIGNALED(status) ? WTERMSIG(status) : 0);
			if (atomic_fetch_add(&n_child_bad, 1) < 20)
				fprintf(stderr, "concurrency: WRONG: child %s\n", d);
		}
	}
	atomic_store(&doing[id], "done");
	atomic_fetch_add(&finished, 1);
	return NULL;
}

/* ------------------------------------------------------------------ */
/* The worker                                                         */
/* ------------------------------------------------------------------ */

static int visible_fds(void)
{
	DIR *d = opendir("/proc/self/fd");
	struct dirent *e;
	int n = 0;

	if (!d)
		return -1;
	while ((e = readdir(d)) != NULL) {
		int fd = atoi(e->d_name);
		if (e->d_name[0] != '.' && fd != dirfd(d) && fcntl(fd, F_GETFD) >= 0)
			n++;
	}
	closedir(d);
	return n;
}

static int deadline_s;

static void *watchdog(void *arg)
{
	struct timespec t;

	(void)arg;
	clock_gettime(CLOCK_MONOTONIC, &t);
	t.tv_sec += deadline_s;
	while (atomic_load(&finished) < NTHREADS + 1) {
		struct timespec now;
		clock_gettime(CLOCK_MONOTONIC, &now);
		if (now.tv_sec >= t.tv_sec) {
			fprintf(stderr, "concurrency: the worker did not finish in %d s:\n", deadline_s);
			for (int i = 0; i <= NTHREADS; i++)
				fprintf(stderr, "    thread %d: %s\n", i, atomic_load(&doing[i]));
			_exit(3);
		}
		usleep(100000);
	}
	return NULL;
}

/* Counts on stdout, one "name value" a line, for the driver. */
static int run_worker(const char *label)
{
	pthread_t th[NTHREADS + 2];
	struct itimerval it = { { 0, 0 }, { 0, 0 } };
	struct sigaction sa;
	int fds_before, fds_after;

	snprintf(sig_path, sizeof(sig_path), "%s/f1", root);
	snprintf(sig_escape, sizeof(sig_escape), "%s/abs", root);
	/* A backend this system lacks (openat2 under valgrind 3.19, gVisor,
	 * seccomp) answers ENOSYS: nothing to test there. */
	if (read_is(sig_path, "content-1\n") == -ENOSYS) {
		printf("unsupported 1\n");
		return 0;
	}
	fds_before = visible_fds();
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_alarm;
	sa.sa_flags = SA_RESTART;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGALRM, &sa, NULL);
	it.it_interval.tv_usec = it.it_value.tv_usec = valgrind ? 2000 : 200;

	pthread_create(&th[NTHREADS + 1], NULL, watchdog, NULL);
	for (int i = 0; i < NTHREADS; i++)
		pthread_create(&th[i], NULL, worker, (void *)(intptr_t)i);
	pthread_create(&th[NTHREADS], NULL, forker, NULL);
	setitimer(ITIMER_REAL, &it, NULL);
	for (int i = 0; i <= NTHREADS; i++)
		pthread_join(th[i], NULL);
	memset(&it, 0, sizeof(it));
	setitimer(ITIMER_REAL, &it, NULL);
	signal(SIGALRM, SIG_IGN);
	pthread_join(th[NTHREADS + 1], NULL);
	fds_after = visible_fds();

	(void)label;
	printf("ok %ld\nwrong %ld\nescaped %ld\ndenied %ld\nerrors %ld\n", atomic_load(&n_ok),
	       atomic_load(&n_wrong), atomic_load(&n_escaped), atomic_load(&n_denied),
	       atomic_load(&n_errors));
	printf("children %ld\nchild_bad %ld\n", atomic_load(&n_children), atomic_load(&n_child_bad));
	printf("sig_ok %ld\nsig_wrong %ld\nsig_escaped %ld\nsig_denied %ld\n", atomic_load(&n_sig_ok),
	       atomic_load(&n_sig_wrong), atomic_load(&n_sig_escaped), atomic_load(&n_sig_denied));
	printf("fds_leaked %d\n", fds_after - fds_before);
	return 0;
}

/* ------------------------------------------------------------------ */
/* The driver                                                         */
/* ------------------------------------------------------------------ */

static int pass, fail, skipped;

static void check(bool cond, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void check(bool cond, const char *fmt, ...)
{
	va_list ap;

	if (cond) {
		pass++;
		return;
	}
	fail++;
	printf("FAIL: ");
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	printf("\n");
}

static void write_file(const char *path, const char *text)
{
	FILE *f = fopen(path, "w");

	if (!f || fputs(text, f) < 0 || fclose(f) != 0) {
		fprintf(stderr, "concurrency: cannot write %s: %s\n", path, strerror(errno));
		exit(99);
	}
}

static void mkdir_or_die(const char *path)
{
	if (mkdir(path, 0755) < 0) {
		fprintf(stderr, "concurrency: cannot mkdir %s: %s\n", path, strerror(errno));
		exit(99);
	}
}

static void make_tree(void)
{
	char p[PATH_MAX + 64], q[PATH_MAX + 64];

	snprintf(root, sizeof(root), "%s/root", top);
	snprintf(users, sizeof(users), "%s/users", top);
	snprintf(secret, sizeof(secret), "%s/secret", top);
	mkdir_or_die(root);
	mkdir_or_die(users);
	write_file(secret, "TOPSECRET\n");
	snprintf(p, sizeof(p), "%s/out", top);
	mkdir_or_die(p);
	snprintf(p, sizeof(p), "%s/out/secret", top);
	write_file(p, "TOPSECRET-out\n");
	for (int k = 0; k < NFILES; k++) {
		char text[32];
		snprintf(p, sizeof(p), "%s/f%d", root, k);
		snprintf(text, sizeof(text), "content-%d\n", k);
		write_file(p, text);
	}
	snprintf(p, sizeof(p), "%s/abs", root);
	if (symlink(secret, p) < 0)
		exit(99);
	snprintf(p, sizeof(p), "%s/dl", root);
	snprintf(q, sizeof(q), "%s/out", top);
	if (symlink(q, p) < 0)
		exit(99);
	for (int u = 0; u < NUSERS; u++) {
		char text[32];
		snprintf(p, sizeof(p), "%s/u%d", users, u);
		mkdir_or_die(p);
		snprintf(p, sizeof(p), "%s/u%d/www", users, u);
		mkdir_or_die(p);
		snprintf(p, sizeof(p), "%s/u%d/www/index", users, u);
		snprintf(text, sizeof(text), "user-%d\n", u);
		write_file(p, text);
		snprintf(p, sizeof(p), "%s/u%d/www/out", users, u);
		if (symlink(secret, p) < 0)
			exit(99);
	}
}

static int rm_one(const char *p, const struct stat *st, int type, struct FTW *f)
{
	(void)st, (void)f;
	return type == FTW_DP ? rmdir(p) : unlink(p);
}

static volatile sig_atomic_t timed_out;

static void on_driver_alarm(int sig)
{
	(void)sig;
	timed_out = 1;
}

struct counts {
	long ok, wrong, escaped, denied, errors, children, child_bad;
	long sig_ok, sig_wrong, sig_escaped, sig_denied, fds_leaked, unsupported;
	bool complete;
};

static void parse_counts(const char *path, struct counts *c)
{
	FILE *f = fopen(path, "r");
	char name[32];
	long v;

	memset(c, 0, sizeof(*c));
	c->fds_leaked = -1;
	if (!f)
		return;
	while (fscanf(f, "%31s %ld", name, &v) == 2) {
#define F(x) if (strcmp(name, #x) == 0) c->x = v;
		F(ok) F(wrong) F(escaped) F(denied) F(errors) F(children) F(child_bad)
		F(sig_ok) F(sig_wrong) F(sig_escaped) F(sig_denied) F(unsupported)
#undef F
		if (strcmp(name, "fds_leaked") == 0) {
			c->fds_leaked = v;
			c->complete = true;
		}
	}
	fclose(f);
}

/* The log: one whole JSON object a line ("{...}"), each a denial. */
static long log_lines(const char *path, long *bad)
{
	FILE *f = fopen(path, "r");
	char line[16384];
	long n = 0;

	*bad = 0;
	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f)) {
		size_t len = strlen(line);
		n++;
		if (len < 3 || line[len - 1] != '\n' || strncmp(line, "{\"time\":\"", 9) != 0 ||
		    strcmp(line + len - 2, "}\n") != 0 || !strstr(line, "\"verdict\":\"denied\"") ||
		    !strstr(line, "\"errno\":\"EACCES\""))
			(*bad)++;
	}
	fclose(f);
	return n;
}

/* Run one worker: MODE "none", "openat2" or "walker". */
static void run_one(const char *mode, const char *shim, int timeout)
{
	char out[PATH_MAX], logp[PATH_MAX], roots[2 * PATH_MAX + 64], env_log[PATH_MAX + 16];
	char env_preload[PATH_MAX + 16], env_res[64];
	struct counts c;
	long nlog, badlog;
	int status = 0;
	pid_t pid;

	snprintf(out, sizeof(out), "%s/out-%s", top, mode);
	snprintf(logp, sizeof(logp), "%s/log-%s", top, mode);
	pid = fork();
	if (pid == 0) {
		int fd = open(out, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
		char *argv[] = { self, "--worker", (char *)mode, (char *)top, NULL };

		if (fd < 0 || dup2(fd, 1) < 0)
			_exit(98);
		if (strcmp(mode, "none") != 0) {
			snprintf(env_preload, sizeof(env_preload), "LD_PRELOAD=%s", shim);
			snprintf(roots, sizeof(roots), "BENEATH_ROOTS=%s:%s/*/www", root, users);
			snprintf(env_log, sizeof(env_log), "BENEATH_LOG=%s", logp);
			snprintf(env_res, sizeof(env_res), "BENEATH_RESOLVER=%s", mode);
			putenv(env_preload);
			putenv(roots);
			putenv(env_log);
			putenv(env_res);
		}
		execv(self, argv);
		_exit(97);
	}
	timed_out = 0;
	alarm((unsigned int)timeout);
	while (waitpid(pid, &status, 0) < 0) {
		if (errno == EINTR && timed_out) {
			kill(pid, SIGKILL);
			waitpid(pid, &status, 0);
			break;
		}
	}
	alarm(0);
	check(!timed_out, "[%s] the worker finished within the driver's %d s (a deadlock or a hang)",
	      mode, timeout);
	check(WIFEXITED(status) && WEXITSTATUS(status) == 0,
	      "[%s] the worker exited normally (status %d, signal %d)", mode,
	      WIFEXITED(status) ? WEXITSTATUS(status) : -1, WIFSIGNALED(status) ? WTERMSIG(status) : 0);
	parse_counts(out, &c);
	if (c.unsupported && strcmp(mode, "none") != 0) {
		printf("SKIP: [%s] this backend is not supported here (ENOSYS)\n", mode);
		skipped++;
		return;
	}
	check(c.complete, "[%s] the worker reported its counts", mode);
	printf("[%s] %ld right answers, %ld escapes denied, %ld escaped; %ld children; "
	       "signal handler: %ld right, %ld denied, %ld escaped\n",
	       mode, c.ok, c.denied, c.escaped, c.children, c.sig_ok, c.sig_denied, c.sig_escaped);
	check(c.wrong == 0, "[%s] no wrong answer (%ld)", mode, c.wrong);
	check(c.errors == 0, "[%s] no unexpected error (%ld)", mode, c.errors);
	check(c.ok >= 2L * NTHREADS * iterations, "[%s] every legitimate open was right (%ld of %d)",
	      mode, c.ok, 2 * NTHREADS * iterations);
	check(c.children == forks && c.child_bad == 0, "[%s] every child right (%ld of %d, %ld bad)",
	      mode, c.children, forks, c.child_bad);
	check(c.sig_wrong == 0, "[%s] the signal handler got only right answers (%ld wrong)", mode,
	      c.sig_wrong);
	check(c.sig_ok > 0, "[%s] the signal handler ran (%ld)", mode, c.sig_ok);
	check(c.fds_leaked == 0, "[%s] no fd left behind (%ld)", mode, c.fds_leaked);
	if (strcmp(mode, "none") == 0) {
		/* The attack is real: without the shim the escapes work. */
		check(c.escaped > 0 && c.sig_escaped > 0,
		      "without the shim the escapes work (%ld, in the handler %ld)", c.escaped,
		      c.sig_escaped);
		return;
	}
	check(c.escaped == 0 && c.sig_escaped == 0, "[%s] every escape denied (%ld escaped, %ld in "
	      "the handler)", mode, c.escaped, c.sig_escaped);
	check(c.denied > 0 && c.sig_denied > 0, "[%s] escapes were tried (%ld, %ld in the handler)",
	      mode, c.denied, c.sig_denied);
	nlog = log_lines(logp, &badlog);
	/* Every denial is one line: the threads' and the handler's, and
	 * one for each child. */
	check(badlog == 0, "[%s] every log line is one whole JSON denial (%ld bad)", mode, badlog);
	check(nlog == c.denied + c.sig_denied + c.children,
	      "[%s] one log line per denial (%ld lines for %ld + %ld + %ld)", mode, nlog, c.denied,
	      c.sig_denied, c.children);
}

int main(int argc, char **argv)
{
	const char *tb = getenv("top_builddir");
	char shim[PATH_MAX], tmpl[PATH_MAX];
	ssize_t n;

	n = readlink("/proc/self/exe", self, sizeof(self) - 1);
	if (n <= 0)
		return 99;
	self[n] = '\0';
	valgrind = getenv("BENEATH_UNDER_VALGRIND") != NULL;
	iterations = valgrind ? 40 : 300;
	forks = valgrind ? 6 : 120;
	/* BENEATH_CONCURRENCY_ITERS=N: a longer run by hand */
	if (getenv("BENEATH_CONCURRENCY_ITERS")) {
		iterations = atoi(getenv("BENEATH_CONCURRENCY_ITERS"));
		forks = iterations / 5;
	}
	deadline_s = valgrind ? 900 : 120;

	if (argc == 4 && strcmp(argv[1], "--worker") == 0) {
		if (strlen(argv[3]) >= DIRSZ - 16)
			return 99;
		top = argv[3];
		confined = strcmp(argv[2], "none") != 0;
		snprintf(root, sizeof(root), "%s/root", top);
		snprintf(users, sizeof(users), "%s/users", top);
		snprintf(secret, sizeof(secret), "%s/secret", top);
		return run_worker(argv[2]);
	}
	if (argc == 6 && strcmp(argv[1], "--child") == 0) {
		/* (an outer hardening run's audit confines nothing) */
		confined = getenv("BENEATH_ROOTS") != NULL &&
		           !(getenv("BENEATH_MODE") && strcmp(getenv("BENEATH_MODE"), "audit") == 0);
		snprintf(users, sizeof(users), "%s", argv[5]);
		return child_check(argv[2], argv[3], argv[4]);
	}
	if (argc != 1) {
		fprintf(stderr, "usage: concurrency (see the comment at the top)\n");
		return 2;
	}
	/* A clean start: the workers get exactly the configuration set
	 * below (under a hardening run's audit, whatever else it set). */
	unsetenv("BENEATH_ROOTS");
	unsetenv("BENEATH_MODE");
	unsetenv("BENEATH_OUTSIDE");
	unsetenv("BENEATH_ERRNO");
	unsetenv("BENEATH_LOG");
	unsetenv("BENEATH_RESOLVER");

	/* The shim in the build tree: top_builddir (make check), or the
	 * directory above this program's. */
	if (tb)
		snprintf(shim, sizeof(shim), "%s/shim/.libs/libbeneath-preload.so", tb);
	else
		snprintf(shim, sizeof(shim), "%.*s/../shim/.libs/libbeneath-preload.so",
		         (int)(strrchr(self, '/') - self), self);
	if (access(shim, R_OK) < 0) {
		printf("SKIP: %s is not built\n", shim);
		return 77;
	}
	snprintf(tmpl, sizeof(tmpl), "%s/concurrency.XXXXXX",
	         getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp");
	top = mkdtemp(tmpl);
	if (!top || strlen(top) >= DIRSZ - 16) {
		fprintf(stderr, "concurrency: no short temporary directory in %s\n", tmpl);
		return 99;
	}
	make_tree();
	{
		/* no SA_RESTART: the alarm must interrupt waitpid */
		struct sigaction sa;

		memset(&sa, 0, sizeof(sa));
		sa.sa_handler = on_driver_alarm;
		sigemptyset(&sa.sa_mask);
		sigaction(SIGALRM, &sa, NULL);
	}
	printf("concurrency: %d threads x %d iterations, %d children, a %s timer\n", NTHREADS,
	       iterations, forks, valgrind ? "2 ms" : "200 us");
	run_one("none", shim, deadline_s + 60);
	run_one("openat2", shim, deadline_s + 60);
	run_one("walker", shim, deadline_s + 60);
	nftw(top, rm_one, 16, FTW_DEPTH | FTW_PHYS);
	if (skipped == 2) {
		printf("SKIP: no resolver backend works under the shim here\n");
		fail++;
	}
	printf("concurrency: %d passed, %d failed\n", pass, fail);
	return fail ? 1 : 0;
}
