/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * exec and spawn. glibc's execv, execvp, execl* and posix_spawn* reach the
 * kernel through its internal __execve, which no preload sees, so each
 * entry point is re-implemented here over one function, exec_path():
 *
 *   - a program under a root is resolved beneath it by libbeneath to an
 *     O_PATH fd, and that very file is executed (execveat AT_EMPTY_PATH):
 *     no second lookup by name that a planted link could redirect; a
 *     "#!" script's interpreter is run the same way (exec_interp);
 *   - a program outside every root is executed as given;
 *   - either way with the child's environment from shim_env_build()
 *     (env.c), so that the child is confined too.
 *
 * posix_spawn resolves in the parent and spawns /proc/self/fd/N; PATH
 * searches (execvp, posix_spawnp) follow glibc 2.36 step by step, each
 * candidate through the same path.
 *
 * No malloc anywhere here: exec runs in vfork children, whose memory is
 * the parent's. Argument and environment arrays live on the stack (one
 * mmap when they are huge). The denial, when there is one, is the one
 * shim_classify()/shim_verdict() logged, with the errno the shim uses.
 */
#include <spawn.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "shim.h"

extern char **environ;

/* glibc's defaults: confstr(_CS_PATH) and _PATH_BSHELL. */
#define DEFAULT_PATH "/bin:/usr/bin"
#define BSHELL "/bin/sh"

/* Arguments for execl* and the /bin/sh fallback fit in this many
 * pointers on the stack; longer lists get one mmap. */
#define STACK_ARGS 256

/* An array of N pointers: STACK (NSTACK long) when it fits, else an
 * mmap. In a vfork child a successful exec leaves the mapping to the
 * parent: a leak, for giant argument lists only. */
static char **args_get(char **stack, size_t nstack, size_t n, size_t *maplen)
{
	long p;

	*maplen = 0;
	if (n <= nstack)
		return stack;
	p = bsys_call6(SYS_mmap, 0, (long)(n * sizeof(char *)), PROT_READ | PROT_WRITE,
	               MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (p < 0 && p > -4096)
		return NULL;
	*maplen = n * sizeof(char *);
	return (char **)p;
}

static void args_put(char **v, size_t maplen)
{
	if (maplen)
		bsys_call2(SYS_munmap, (long)v, (long)maplen);
}

/* ------------------------------------------------------------------ */
/* "#!" scripts under a root                                          */
/* ------------------------------------------------------------------ */
/*
 * A script is a second lookup by name: the kernel opens its interpreter
 * by the path on the "#!" line, and the interpreter opens the script by
 * the path it is handed. Executed from our fd, the kernel would hand it
 * /dev/fd/N, which close-on-exec closes first (so it refuses: ENOENT),
 * and kept open it would still be the script's $0 ("dirname $0" in every
 * script) and a path BENEATH_OUTSIDE=deny refuses. So for a script under
 * a root we do what the kernel's binfmt_script does, through the shim:
 * read the "#!" line from the file we resolved, run the interpreter
 * through exec_path() (confined like any program), and hand it the
 * script's path as given, which the interpreter opens through its own
 * copy of the shim (confined again: a link swapped in meanwhile is
 * refused, unless the interpreter is a static binary).
 */

/* The kernel's BINPRM_BUF_SIZE, and its interpreter nesting limit. */
#define SHEBANG_MAX 256
#define INTERP_DEPTH 5

struct shebang {
	char buf[SHEBANG_MAX + 1];
	char *interp, *arg;  /* arg: NULL when there is none */
};

static bool spacetab(char c)
{
	return c == ' ' || c == '\t';
}

/* binfmt_script's helpers, LAST included. */
static char *next_non_spacetab(char *p, char *last)
{
	for (; p <= last; p++)
		if (!spacetab(*p))
			return p;
	return NULL;
}

static char *next_terminator(char *p, char *last)
{
	for (; p <= last; p++)
		if (spacetab(*p) || !*p)
			return p;
	return NULL;
}

/*
 * Is the regular file open at FD (O_PATH) a "#!" script? 1 with SB
 * parsed as binfmt_script parses it; -ENOEXEC for a "#!" line the kernel
 * refuses; 0 for anything else, including a file we cannot read (an
 * interpreter could not read it either).
 */
static int read_shebang(int fd, struct shebang *sb)
{
	char proc[32], *b = sb->buf, *last = b + SHEBANG_MAX - 1, *end, *name, *sep;
	struct stat st;
	long n;
	int rfd;

	if (bsys_fstat(fd, &st) < 0 || !S_ISREG(st.st_mode))
		return 0;
	shim_proc_path(proc, fd);
	rfd = bsys_openat(AT_FDCWD, proc, O_RDONLY | O_NONBLOCK | O_NOCTTY | O_CLOEXEC, 0);
	if (rfd < 0)
		return 0;
	n = bsys_call4(SYS_pread64, rfd, (long)b, SHEBANG_MAX, 0);
	bsys_close(rfd);
	if (n < 2 || b[0] != '#' || b[1] != '!')
		return 0;
	memset(b + n, 0, sizeof(sb->buf) - (size_t)n);
	/* No newline: only a line whose interpreter name ends in the
	 * buffer is run (its argument may be cut short). */
	end = memchr(b, '\n', SHEBANG_MAX);
	if (!end) {
		end = next_non_spacetab(b + 2, last);
		if (!end || !next_terminator(end, last))
			return -ENOEXEC;
		end = last;
	}
	while (spacetab(end[-1]))
		end--;
	name = next_non_spacetab(b + 2, end);
	if (!name || name == end)
		return -ENOEXEC;
	sb->arg = NULL;
	sep = next_terminator(name, end);
	if (sep && *sep)
		sb->arg = next_non_spacetab(sep, end);
	*end = '\0';
	if (sb->arg)
		*sep = '\0';
	sb->interp = name;
	return 1;
}

/* The interpreter's argv, as binfmt_script makes it: the interpreter,
 * its optional argument, the script's PATH, then ARGV after argv[0]. */
#define SCRIPT_STACK 64

static char **script_argv(const struct shebang *sb, const char *path, char *const argv[],
                          char **stack, size_t *maplen)
{
	size_t argc = 0, k = 0;
	char **v;

	while (argv && argv[argc])
		argc++;
	v = args_get(stack, SCRIPT_STACK, argc + 4, maplen);
	if (!v)
		return NULL;
	v[k++] = sb->interp;
	if (sb->arg)
		v[k++] = sb->arg;
	v[k++] = (char *)path;
	for (size_t i = 1; i < argc; i++)
		v[k++] = argv[i];
	v[k] = NULL;
	return v;
}

/* ------------------------------------------------------------------ */
/* The one exec                                                       */
/* ------------------------------------------------------------------ */

static long sys_execveat(int dirfd, const char *path, char *const argv[], char *const envp[],
                         int flags)
{
	/* Plain execve when it is one: some seccomp filters allow only it. */
	if (dirfd == AT_FDCWD && !flags)
		return bsys_call3(SYS_execve, (long)path, (long)argv, (long)envp);
	return bsys_call5(SYS_execveat, dirfd, (long)path, (long)argv, (long)envp, flags);
}

/* Execute the file open at FD, an fd of the caller's (fexecve) or one of
 * ours. Returns only on failure, -errno. */
static long exec_fd(int fd, char *const argv[], char *const envp[])
{
	char proc[32];
	long r = sys_execveat(fd, "", argv, envp, AT_EMPTY_PATH);

	if (r == -ENOSYS) {
		/* Before Linux 3.19: the kernel opens this before
		 * close-on-exec applies. */
		shim_proc_path(proc, fd);
		r = sys_execveat(AT_FDCWD, proc, argv, envp, 0);
	}
	return r;
}

static long exec_path(const char *name, int dirfd, const char *path, char *const argv[],
                      char *const envp[], int flags, int depth);

/* Run script PATH, whose "#!" line SB is, through its interpreter. */
static long exec_interp(const char *name, const struct shebang *sb, const char *path,
                        char *const argv[], char *const envp[], int depth)
{
	char *stack[SCRIPT_STACK], **v;
	size_t maplen;
	long r;

	if (depth >= INTERP_DEPTH)
		return -ELOOP;
	v = script_argv(sb, path, argv, stack, &maplen);
	if (!v)
		return -ENOMEM;
	r = exec_path(name, AT_FDCWD, sb->interp, v, envp, 0, depth + 1);
	args_put(v, maplen);
	return r;
}

/*
 * Execute our own O_PATH fd FD of PATH, then close FD (only reached on
 * failure). The kernel refuses a script from a close-on-exec fd with
 * ENOENT, after checking that it may be executed: we run it ourselves
 * (above), unless GONE (the kernel's "/dev/fd/DIRFD/NAME" with DIRFD
 * close-on-exec: the kernel's ENOENT is the answer). When the script
 * cannot be read (or PATH is NULL), FD is kept open across the exec
 * instead, as fexecve users do, and the interpreter is handed /dev/fd/FD.
 */
static long exec_ours(const char *name, int fd, const char *path, bool gone,
                      char *const argv[], char *const envp[], int depth)
{
	struct shebang sb;
	long r = exec_fd(fd, argv, envp);
	int s;

	if (r == -ENOENT) {
		s = path ? read_shebang(fd, &sb) : 0;
		if (s != 0) {
			bsys_close(fd);
			if (s < 0 || gone)
				return s < 0 ? s : -ENOENT;
			return exec_interp(name, &sb, path, argv, envp, depth);
		}
		bsys_fcntl(fd, F_SETFD, 0);
		r = exec_fd(fd, argv, envp);
	}
	bsys_close(fd);
	return r;
}

/* "/dev/fd/DIRFD/PATH" into BUF (PATH_MAX): what the kernel calls a file
 * executed relative to a dirfd. False when it does not fit. */
static bool dirfd_name(char *buf, int dirfd, const char *path)
{
	size_t n = strlen(path);
	char proc[32];
	int o;

	shim_proc_path(proc, dirfd);  /* "/proc/self/fd/N" */
	o = (int)strlen(proc + 14);
	if (8 + (size_t)o + 1 + n + 1 > PATH_MAX)
		return false;
	memcpy(buf, "/dev/fd/", 8);
	memcpy(buf + 8, proc + 14, (size_t)o);
	buf[8 + o] = '/';
	memcpy(buf + 8 + o + 1, path, n + 1);
	return true;
}

/*
 * PATH against DIRFD, with execveat's FLAGS and ENVP already rebuilt;
 * DEPTH counts the script interpreters on the way. Returns only on
 * failure, -errno.
 */
static long exec_path(const char *name, int dirfd, const char *path, char *const argv[],
                      char *const envp[], int flags, int depth)
{
	struct shim_call c;
	struct stat st;
	long r;

	if (path && !*path && (flags & AT_EMPTY_PATH))
		return exec_fd(dirfd, argv, envp);  /* fd-only: nothing to resolve */
	switch (shim_classify(&c, name, dirfd, path, OP_READ)) {
	case W_DENIED:
		return -c.err;
	case W_ROOT:
		r = beneath_open(&c.root.h, c.rest,
		                 O_PATH | O_CLOEXEC | (flags & AT_SYMLINK_NOFOLLOW ? O_NOFOLLOW : 0),
		                 0, c.rflags);
		r = shim_verdict(&c, r);
		shim_done(&c);
		if (r == SHIM_PASS)
			break;
		if (r < 0)
			return r;
		/* execveat(AT_SYMLINK_NOFOLLOW) on a symlink is ELOOP. */
		if ((flags & AT_SYMLINK_NOFOLLOW) && bsys_fstat((int)r, &st) == 0 &&
		    S_ISLNK(st.st_mode)) {
			bsys_close((int)r);
			return -ELOOP;
		}
		if (dirfd == AT_FDCWD || path[0] == '/')
			return exec_ours(name, (int)r, path, false, argv, envp, depth);
		{
			char buf[PATH_MAX];
			int fl = bsys_fcntl(dirfd, F_GETFD, 0);
			bool ok = dirfd_name(buf, dirfd, path);

			return exec_ours(name, (int)r, ok ? buf : NULL, fl < 0 || (fl & FD_CLOEXEC),
			                 argv, envp, depth);
		}
	case W_PASS:
		break;
	}
	return sys_execveat(dirfd, path, argv, envp, flags);
}

/* glibc's maybe_script_execute: a file the kernel would not run
 * (ENOEXEC) is handed to /bin/sh, with the caller's arguments. */
static long exec_script(const char *name, const char *file, char *const argv[],
                        char *const envp[])
{
	char *stack[STACK_ARGS], **v;
	size_t argc = 0, maplen;
	long r;

	while (argv && argv[argc])
		if (++argc == INT_MAX - 1)
			return -E2BIG;
	v = args_get(stack, STACK_ARGS, argc > 1 ? argc + 2 : 3, &maplen);
	if (!v)
		return -ENOMEM;
	v[0] = (char *)BSHELL;
	v[1] = (char *)file;
	if (argc > 1)
		memcpy(v + 2, argv + 1, argc * sizeof(char *));
	else
		v[2] = NULL;
	r = exec_path(name, AT_FDCWD, BSHELL, v, envp, 0, 0);
	args_put(v, maplen);
	return r;
}

/* The errors after which execvp tries the next PATH entry: the file is
 * not there, or not ours to run (EACCES, remembered). glibc's list. */
static bool search_goes_on(long e)
{
	switch (e) {
	case EACCES:
	case ENOENT:
	case ESTALE:
	case ENOTDIR:
	case ENODEV:
	case ETIMEDOUT:
		return true;
	default:
		return false;
	}
}

/* A PATH search: the call, its arguments, and how to try a candidate. */
struct search {
	const char *name;
	char *const *argv;
	char *const *envp;
	bool script;        /* ENOEXEC: run the file with /bin/sh */
	/* NULL: exec it. posix_spawnp: spawn it, 0 or -errno. */
	long (*try)(const struct search *s, const char *path);
	void *arg;
};

static long try_one(const struct search *s, const char *path)
{
	long r;

	if (s->try)
		return s->try(s, path);
	r = exec_path(s->name, AT_FDCWD, path, s->argv, s->envp, 0, 0);
	if (r == -ENOEXEC && s->script)
		r = exec_script(s->name, path, s->argv, s->envp);
	return r;
}

/*
 * The PATH search of glibc 2.36's __execvpe_common: a FILE with a '/' is
 * not searched; PATH unset means DEFAULT_PATH; an empty entry is the
 * working directory; EACCES is remembered and the search goes on, as
 * after the other search_goes_on() errors; any other error ends it.
 * -errno (the search failed) or 0 (a spawn succeeded).
 */
static long search_path(const struct search *s, const char *file)
{
	char buf[PATH_MAX + NAME_MAX + 2];
	const char *path, *p, *end;
	size_t flen;
	bool eacces = false;
	long r = -ENOENT;

	if (!*file)
		return -ENOENT;
	if (strchr(file, '/'))
		return try_one(s, file);
	path = getenv("PATH");
	if (!path)
		path = DEFAULT_PATH;
	flen = strlen(file);
	if (flen > NAME_MAX)
		return -ENAMETOOLONG;
	for (p = path;; p = end + 1) {
		size_t dlen;

		end = strchrnul(p, ':');
		dlen = (size_t)(end - p);
		/* An entry too long to be a directory is skipped (glibc
		 * skips it too, then oddly tries FILE in the working
		 * directory). */
		if (dlen < PATH_MAX) {
			memcpy(buf, p, dlen);
			if (dlen)
				buf[dlen++] = '/';
			memcpy(buf + dlen, file, flen + 1);
			r = try_one(s, buf);
			if (r >= 0)
				return r;
			if (r == -EACCES)
				eacces = true;
			else if (!search_goes_on(-r))
				return r;
		}
		if (!*end)
			break;
	}
	return eacces ? -EACCES : r;
}

/* ------------------------------------------------------------------ */
/* The exec entry points                                              */
/* ------------------------------------------------------------------ */

static int exec_common(const char *name, int dirfd, const char *path, char *const argv[],
                       char *const envp[], int flags)
{
	struct shim_child_env ce;
	long r;

	shim_init();
	r = shim_env_build(&ce, envp);
	if (r == 0)
		r = exec_path(name, dirfd, path, argv, ce.envp, flags, 0);
	shim_env_release(&ce);
	return (int)shim_ret(r);
}

static int execvp_common(const char *name, const char *file, char *const argv[],
                         char *const envp[])
{
	struct shim_child_env ce;
	struct search s = { .name = name, .argv = argv, .script = true };
	long r;

	shim_init();
	r = shim_env_build(&ce, envp);
	if (r == 0) {
		s.envp = ce.envp;
		r = search_path(&s, file);
	}
	shim_env_release(&ce);
	return (int)shim_ret(r);
}

SHIM_EXPORT int execve(const char *path, char *const argv[], char *const envp[])
{
	return exec_common("execve", AT_FDCWD, path, argv, envp, 0);
}

SHIM_EXPORT int execv(const char *path, char *const argv[])
{
	return exec_common("execv", AT_FDCWD, path, argv, environ, 0);
}

SHIM_EXPORT int execveat(int dirfd, const char *path, char *const argv[], char *const envp[],
                         int flags)
{
	return exec_common("execveat", dirfd, path, argv, envp, flags);
}

/* glibc declares argv nonnull, yet checks it: so do we, out of the
 * compiler's sight. */
static bool is_null(const void *p)
{
	return p == NULL;
}

/* An fd the program opened (through the shim when under a root): only
 * the environment is ours to fix. A "#!" line in that file is the
 * kernel's to follow, as for any file outside every root. */
SHIM_EXPORT int fexecve(int fd, char *const argv[], char *const envp[])
{
	if (fd < 0 || is_null(argv) || is_null(envp)) {
		errno = EINVAL;
		return -1;
	}
	return exec_common("fexecve", fd, "", argv, envp, AT_EMPTY_PATH);
}

SHIM_EXPORT int execvp(const char *file, char *const argv[])
{
	return execvp_common("execvp", file, argv, environ);
}

SHIM_EXPORT int execvpe(const char *file, char *const argv[], char *const envp[])
{
	return execvp_common("execvpe", file, argv, envp);
}

/*
 * The execl forms: the arguments up to the NULL into an array, as glibc
 * does (on the stack: no malloc between vfork and exec); execle's envp
 * follows the NULL.
 */
enum { L_PATH, L_ENV, L_SEARCH };

static int execl_common(const char *name, int kind, const char *path, const char *arg,
                        va_list count, va_list ap)
{
	char *stack[STACK_ARGS], **v, *const *envp = environ;
	size_t argc = 1, maplen;
	int r;

	while (va_arg(count, const char *))
		if (++argc == INT_MAX) {
			errno = E2BIG;
			return -1;
		}
	v = args_get(stack, STACK_ARGS, argc + 1, &maplen);
	if (!v) {
		errno = ENOMEM;
		return -1;
	}
	v[0] = (char *)arg;
	for (size_t i = 1; i <= argc; i++)
		v[i] = va_arg(ap, char *);
	if (kind == L_ENV)
		envp = va_arg(ap, char *const *);
	if (kind == L_SEARCH)
		r = execvp_common(name, path, v, envp);
	else
		r = exec_common(name, AT_FDCWD, path, v, envp, 0);
	{
		int e = errno;
		args_put(v, maplen);
		errno = e;
	}
	return r;
}

#define EXECL(name, kind, path, arg)                                           \
	({                                                                     \
		va_list c_, a_;                                                \
		int r_;                                                        \
		va_start(c_, arg);                                             \
		va_start(a_, arg);                                             \
		r_ = execl_common(name, kind, path, arg, c_, a_);              \
		va_end(a_);                                                    \
		va_end(c_);                                                    \
		r_;                                                            \
	})

SHIM_EXPORT int execl(const char *path, const char *arg, ...)
{
	return EXECL("execl", L_PATH, path, arg);
}

SHIM_EXPORT int execle(const char *path, const char *arg, ...)
{
	return EXECL("execle", L_ENV, path, arg);
}

SHIM_EXPORT int execlp(const char *file, const char *arg, ...)
{
	return EXECL("execlp", L_SEARCH, file, arg);
}

/* ------------------------------------------------------------------ */
/* posix_spawn                                                        */
/* ------------------------------------------------------------------ */

typedef int spawn_fn(pid_t *, const char *, const posix_spawn_file_actions_t *,
                     const posix_spawnattr_t *, char *const[], char *const[]);

struct spawn {
	pid_t *pid;
	const posix_spawn_file_actions_t *fa;
	const posix_spawnattr_t *attr;
};

/* FD moved up, out of the way of the dup2 actions a program adds for its
 * child (fds 3, 4, ... for socket activation and the like), which would
 * replace the file the child executes. */
static int fd_high(int fd)
{
	struct rlimit rl;
	int hi;

	if (getrlimit(RLIMIT_NOFILE, &rl) < 0 || rl.rlim_cur < 64)
		return fd;
	hi = bsys_fcntl(fd, F_DUPFD_CLOEXEC, (long)(rl.rlim_cur > 65536 ? 32768 : rl.rlim_cur / 2));
	if (hi < 0)
		return fd;
	bsys_close(fd);
	return hi;
}

/* What the kernel checks before it looks inside a file: may we execute
 * it (permission bits, noexec mounts)? 0 or -errno. */
static long may_exec(int fd)
{
	char proc[32];
	long r = bsys_faccessat2(fd, "", X_OK, AT_EMPTY_PATH | AT_EACCESS);

	if (r == -ENOSYS || r == -EINVAL) {
		/* Before Linux 5.8: real ids rather than effective ones. */
		shim_proc_path(proc, fd);
		r = bsys_faccessat(AT_FDCWD, proc, X_OK);
	}
	return r;
}

static int spawn_path(const char *name, const struct spawn *sp, const char *path,
                      char *const argv[], char *const envp[], bool check, int depth);

/* Spawn script PATH, whose "#!" line SB is, through its interpreter. */
static int spawn_interp(const char *name, const struct spawn *sp, const struct shebang *sb,
                        const char *path, char *const argv[], char *const envp[], int depth)
{
	char *stack[SCRIPT_STACK], **v;
	size_t maplen;
	int e;

	if (depth >= INTERP_DEPTH)
		return ELOOP;
	v = script_argv(sb, path, argv, stack, &maplen);
	if (!v)
		return ENOMEM;
	e = spawn_path(name, sp, sb->interp, v, envp, false, depth + 1);
	args_put(v, maplen);
	return e;
}

/*
 * One posix_spawn of PATH, ENVP rebuilt. glibc's child calls its
 * internal execve, so a program under a root is resolved here, in the
 * parent, and the child is given /proc/self/fd/N: the kernel opens that
 * (the very file we resolved) before close-on-exec closes N. A file
 * action that closes N (addclosefrom_np) makes the spawn fail with
 * ENOENT: closed, not unconfined. A script under a root is spawned as
 * exec_interp() runs it. A relative PATH is resolved against our working
 * directory, before any addchdir action of the child's.
 *
 * CHECK (posix_spawnp's candidates): a file outside every root that
 * does not exist is reported without spawning a child for it.
 */
static int spawn_path(const char *name, const struct spawn *sp, const char *path,
                      char *const argv[], char *const envp[], bool check, int depth)
{
	spawn_fn *fn = (spawn_fn *)REAL(posix_spawn);
	struct shebang sb;
	struct shim_call c;
	struct stat st;
	char proc[32];
	long r;
	int fd, e;

	if (!fn)
		return ENOSYS;
	switch (shim_classify(&c, name, AT_FDCWD, path, OP_READ)) {
	case W_DENIED:
		return c.err;
	case W_ROOT:
		r = shim_verdict(&c, beneath_open(&c.root.h, c.rest, O_PATH | O_CLOEXEC, 0,
		                                  c.rflags));
		shim_done(&c);
		if (r == SHIM_PASS)
			break;
		if (r < 0)
			return (int)-r;
		fd = (int)r;
		e = read_shebang(fd, &sb);
		if (e != 0) {
			r = e < 0 ? e : may_exec(fd);
			bsys_close(fd);
			if (r < 0)
				return (int)-r;
			return spawn_interp(name, sp, &sb, path, argv, envp, depth);
		}
		fd = fd_high(fd);
		shim_proc_path(proc, fd);
		e = fn(sp->pid, proc, sp->fa, sp->attr, argv, envp);
		bsys_close(fd);
		return e;
	case W_PASS:
		break;
	}
	if (check) {
		r = bsys_fstatat(AT_FDCWD, path, &st, 0);
		if (r < 0 && search_goes_on(-r))
			return (int)-r;
	}
	return fn(sp->pid, path, sp->fa, sp->attr, argv, envp);
}

static long spawn_try(const struct search *s, const char *path)
{
	int e = spawn_path(s->name, s->arg, path, s->argv, s->envp, true, 0);

	return e ? -e : 0;
}

static int spawn_common(const char *name, bool search, pid_t *pid, const char *path,
                        const posix_spawn_file_actions_t *fa, const posix_spawnattr_t *attr,
                        char *const argv[], char *const envp[])
{
	struct shim_child_env ce;
	struct spawn sp = { pid, fa, attr };
	struct search s = { .name = name, .argv = argv, .try = spawn_try, .arg = &sp };
	int saved = errno, e;
	long r;

	shim_init();
	__asm__("" : "+r"(path));
	if (!path) {
		/* Nothing to resolve; glibc's own answer for it. */
		int (*fn)(pid_t *, const char *, const posix_spawn_file_actions_t *,
		          const posix_spawnattr_t *, char *const[], char *const[]) =
			search ? REAL(posix_spawnp) : REAL(posix_spawn);
		return fn ? fn(pid, path, fa, attr, argv, envp) : EFAULT;
	}
	r = shim_env_build(&ce, envp);
	if (r < 0) {
		e = (int)-r;
	} else if (search) {
		/* As glibc's child does (__execvpex): no /bin/sh fallback. */
		s.envp = ce.envp;
		e = (int)-search_path(&s, path);
	} else {
		e = spawn_path(name, &sp, path, argv, ce.envp, false, 0);
	}
	shim_env_release(&ce);
	errno = saved;
	return e;
}

/* One definition for both of glibc's versions; the real one we call is
 * the default (GLIBC_2.15), which never falls back to /bin/sh on ENOEXEC,
 * where the old GLIBC_2.2.5 one did. */
SHIM_EXPORT int posix_spawn(pid_t *pid, const char *path, const posix_spawn_file_actions_t *fa,
                            const posix_spawnattr_t *attr, char *const argv[],
                            char *const envp[])
{
	return spawn_common("posix_spawn", false, pid, path, fa, attr, argv, envp);
}

SHIM_EXPORT int posix_spawnp(pid_t *pid, const char *file, const posix_spawn_file_actions_t *fa,
                             const posix_spawnattr_t *attr, char *const argv[],
                             char *const envp[])
{
	return spawn_common("posix_spawnp", true, pid, file, fa, attr, argv, envp);
}

/*
 * File actions that name a path: glibc's child opens it, or enters it,
 * itself, after the fork, where nothing can confine the lookup, and the
 * file behind the name may change before the spawn (or between two
 * spawns with the same actions). So a path under a root fails closed
 * here, when the action is added, with the shim's errno and a log
 * record (reason "escape": the lookup would escape the shim); outside
 * every root it passes. A relative path is judged against today's
 * working directory. Open the file in the parent and add a dup2 action
 * instead: that open is confined.
 */
static int spawn_action_check(const char *name, const char *path, enum shim_op_kind kind)
{
	struct shim_call c;
	int r;

	shim_init();
	switch (shim_classify(&c, name, AT_FDCWD, path, kind)) {
	case W_DENIED:
		return c.err;
	case W_ROOT:
		r = shim_deny(&c, c.logroot, R_ESCAPE, shim.cfg.deny_errno);
		shim_done(&c);
		return r == SHIM_PASS ? 0 : -r;
	case W_PASS:
		break;
	}
	return 0;
}

SHIM_EXPORT int posix_spawn_file_actions_addopen(posix_spawn_file_actions_t *fa, int fd,
                                                 const char *path, int oflag, mode_t mode)
{
	__typeof__(&posix_spawn_file_actions_addopen) fn = REAL(posix_spawn_file_actions_addopen);
	int saved = errno;
	int e = spawn_action_check("posix_spawn_file_actions_addopen", path,
	                           open_is_write(oflag) ? OP_WRITE : OP_READ);

	errno = saved;
	if (e)
		return e;
	return fn ? fn(fa, fd, path, oflag, mode) : ENOSYS;
}

SHIM_EXPORT int posix_spawn_file_actions_addchdir_np(posix_spawn_file_actions_t *fa,
                                                     const char *path)
{
	__typeof__(&posix_spawn_file_actions_addchdir_np) fn =
		REAL(posix_spawn_file_actions_addchdir_np);
	int saved = errno;
	int e = spawn_action_check("posix_spawn_file_actions_addchdir_np", path, OP_READ);

	errno = saved;
	if (e)
		return e;
	return fn ? fn(fa, path) : ENOSYS;
}
