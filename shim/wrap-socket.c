/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * bind and connect for AF_UNIX sockets with a path. The kernel creates
 * (bind) or looks up (connect) sun_path like any other path, so under a
 * root it gets "/proc/self/fd/N/NAME" (bind: N is the resolved parent) or
 * "/proc/self/fd/N" (connect: N is the resolved socket), which jumps to
 * the open directory or socket without a lookup by name. A NAME too long
 * for that is bound as itself by a short-lived child that shares our
 * memory and fds but has its own working directory, the parent. The
 * caller's sockaddr is copied, never written. Abstract sockets
 * (sun_path[0] == 0), unnamed ones and other families pass untouched.
 *
 * The kernel keeps the string it was given: getsockname and getpeername
 * put back the path the program bound (a small table, newest first).
 */
#include <sched.h>
#include <stddef.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/un.h>
#include <sys/wait.h>

#include "shim.h"

enum sock_op { S_BIND, S_CONNECT };

#define SUN_LEN_MAX sizeof(((struct sockaddr_un *)0)->sun_path)

/* ------------------------------------------------------------------ */
/* What the program bound, and what the kernel was given               */
/* ------------------------------------------------------------------ */

#define NAMES 64

static struct {
	char given[SUN_LEN_MAX + 1];
	char bound[SUN_LEN_MAX + 1];
} names[NAMES];
static unsigned int names_next;
static atomic_flag names_lock = ATOMIC_FLAG_INIT;

/* Only ever tried: a signal handler that binds while we hold it just
 * does not get its name remembered. */
static bool names_try(void)
{
	for (int i = 0; i < 2000; i++) {
		if (!atomic_flag_test_and_set_explicit(&names_lock, memory_order_acquire))
			return true;
		__builtin_ia32_pause();
	}
	return false;
}

static void remember(const char *given, const char *bound)
{
	unsigned int i;

	if (!names_try())
		return;
	i = names_next++ % NAMES;
	strcpy(names[i].given, given);
	strcpy(names[i].bound, bound);
	atomic_flag_clear_explicit(&names_lock, memory_order_release);
}

/* The given name for BOUND into OUT, newest binding first. */
static bool recall(const char *bound, char *out)
{
	bool found = false;

	if (!names_try())
		return false;
	for (unsigned int k = 1; k <= NAMES && !found; k++) {
		unsigned int i = (names_next - k) % NAMES;
		if (names[i].bound[0] && strcmp(names[i].bound, bound) == 0) {
			strcpy(out, names[i].given);
			found = true;
		}
	}
	atomic_flag_clear_explicit(&names_lock, memory_order_release);
	return found;
}

/* The path in ADDR, NUL-terminated into PATH (sizeof sun_path + 1), or
 * false when ADDR is not a path socket address. */
static bool sun_path_of(const struct sockaddr *addr, socklen_t len, char *path)
{
	const size_t off = offsetof(struct sockaddr_un, sun_path);
	size_t n;

	/* Too long an address: the kernel's EINVAL, from the real call. */
	if (!addr || len <= off || len > sizeof(struct sockaddr_un) || addr->sa_family != AF_UNIX)
		return false;
	n = len - off;
	if (n > sizeof(((struct sockaddr_un *)0)->sun_path))
		n = sizeof(((struct sockaddr_un *)0)->sun_path);
	memcpy(path, (const char *)addr + off, n);
	path[n] = '\0';
	return path[0] != '\0';
}

/* A sockaddr_un holding "/proc/self/fd/FD" plus "/NAME" when NAME. */
static long proc_addr(struct sockaddr_un *sa, int fd, const char *name, socklen_t *len)
{
	size_t n;

	memset(sa, 0, sizeof(*sa));
	sa->sun_family = AF_UNIX;
	shim_proc_path(sa->sun_path, fd);
	n = strlen(sa->sun_path);
	if (name) {
		size_t m = strlen(name);
		if (n + 1 + m + 1 > sizeof(sa->sun_path))
			return -ENAMETOOLONG;
		sa->sun_path[n++] = '/';
		memcpy(sa->sun_path + n, name, m + 1);
		n += m;
	}
	*len = (socklen_t)(offsetof(struct sockaddr_un, sun_path) + n + 1);
	return 0;
}

struct bind_child {
	int dirfd, sfd;
	struct sockaddr_un sa;
	socklen_t len;
	long ret;
};

/* In the child: raw system calls only (it shares our memory and TLS). */
static int bind_child_fn(void *arg)
{
	struct bind_child *b = arg;
	long r = bsys_call1(SYS_fchdir, b->dirfd);

	if (r == 0)
		r = bsys_call3(SYS_bind, b->sfd, (long)&b->sa, b->len);
	b->ret = r;
	return 0;
}

/* Bind SFD to NAME in directory DIRFD by that name alone: a child without
 * CLONE_FS enters DIRFD, so our working directory never moves. No exit
 * signal: the program never sees the child. */
static long bind_in(int dirfd, int sfd, const char *name)
{
	char stack[8192] __attribute__((aligned(16)));
	struct bind_child b = { .dirfd = dirfd, .sfd = sfd, .ret = -ENOSYS };
	size_t n = strlen(name);
	siginfo_t si;
	int pid, saved = errno;

	if (n >= SUN_LEN_MAX + 1)
		return -ENAMETOOLONG;
	b.sa.sun_family = AF_UNIX;
	memcpy(b.sa.sun_path, name, n);
	b.len = (socklen_t)(offsetof(struct sockaddr_un, sun_path) + n);
	pid = clone(bind_child_fn, stack + sizeof(stack), CLONE_VM | CLONE_VFORK, &b);
	if (pid < 0) {
		long e = -errno;
		errno = saved;
		return e;
	}
	bsys_call5(SYS_waitid, P_PID, pid, (long)&si, WEXITED | __WCLONE, 0);
	return b.ret;
}

static unsigned int bind_seq;

static long sock_root(enum sock_op op, int sfd, const struct beneath_root *r, const char *p,
                      unsigned int f, const char *given)
{
	struct sockaddr_un sa;
	char name[NAME_MAX + 2];
	socklen_t len;
	long ret;
	int fd;

	if (op == S_BIND) {
		fd = beneath_resolve_parent(r, p, f, name, sizeof(name));
		if (fd < 0)
			return fd;
		/* ".", ".." or the root itself: names that exist. */
		if (name[0] == '/' || strcmp(name, ".") == 0 || strcmp(name, "..") == 0) {
			ret = -EADDRINUSE;
		} else {
			/* A different fd number for each bind, so the string
			 * the kernel keeps tells the sockets apart. */
			int alt = bsys_fcntl(fd, F_DUPFD_CLOEXEC,
			                     64 + (int)(__atomic_fetch_add(&bind_seq, 1,
			                                                   __ATOMIC_RELAXED) % 512));
			if (alt >= 0) {
				bsys_close(fd);
				fd = alt;
			}
			ret = proc_addr(&sa, fd, name, &len);
			if (ret == 0) {
				ret = bsys_call3(SYS_bind, sfd, (long)&sa, len);
				if (ret == 0)
					remember(given, sa.sun_path);
			} else if (ret == -ENAMETOOLONG) {
				ret = bind_in(fd, sfd, name);
				if (ret == 0)
					remember(given, name);
			}
		}
	} else {
		fd = beneath_open(r, p, O_PATH | O_CLOEXEC, 0, f);
		if (fd < 0)
			return fd;
		ret = proc_addr(&sa, fd, NULL, &len);
		/* connect can block: not the raw call, so it stays a
		 * cancellation point and EINTR reaches the program as usual. */
		if (ret == 0) {
			int (*fn)(int, const struct sockaddr *, socklen_t) = REAL(connect);
			int saved = errno;
			ret = fn ? fn(sfd, (struct sockaddr *)&sa, len)
			         : bsys_call3(SYS_connect, sfd, (long)&sa, len);
			if (fn && ret < 0)
				ret = -errno;
			errno = saved;
		}
	}
	bsys_close(fd);
	return ret;
}

static int sock_common(enum sock_op op, int sfd, const struct sockaddr *addr, socklen_t alen)
{
	char path[SUN_LEN_MAX + 1];
	const char *name = op == S_BIND ? "bind" : "connect";
	struct shim_call c;
	long r;

	shim_init();
	if (!sun_path_of(addr, alen, path))
		goto pass;
	switch (shim_classify(&c, name, AT_FDCWD, path, op == S_BIND ? OP_WRITE : OP_READ)) {
	case W_DENIED:
		errno = c.err;
		return -1;
	case W_ROOT:
		r = shim_verdict(&c, sock_root(op, sfd, &c.root.h, c.rest, c.rflags, path));
		shim_done(&c);
		if (r != SHIM_PASS)
			return (int)shim_ret(r);
		break;
	case W_PASS:
		break;
	}
pass:
	if (op == S_BIND)
		return (int)PASS(bind, bsys_call3(SYS_bind, sfd, (long)addr, alen), sfd, addr, alen);
	return (int)PASS(connect, bsys_call3(SYS_connect, sfd, (long)addr, alen), sfd, addr, alen);
}

SHIM_EXPORT int bind(int sfd, const struct sockaddr *addr, socklen_t len)
{
	return sock_common(S_BIND, sfd, addr, len);
}

SHIM_EXPORT int connect(int sfd, const struct sockaddr *addr, socklen_t len)
{
	return sock_common(S_CONNECT, sfd, addr, len);
}

/* getsockname and getpeername: the path the program bound. */
static int name_back(int r, struct sockaddr *addr, socklen_t *len, socklen_t in)
{
	const size_t off = offsetof(struct sockaddr_un, sun_path);
	char bound[SUN_LEN_MAX + 1], given[SUN_LEN_MAX + 1];
	struct sockaddr_un sa;
	size_t n, want;

	if (r != 0 || !addr || !len || *len <= off || in <= off || addr->sa_family != AF_UNIX)
		return r;
	/* What the kernel wrote: its length, cut to the caller's buffer. */
	n = (*len < in ? *len : in) - off;
	if (n > SUN_LEN_MAX)
		n = SUN_LEN_MAX;
	memcpy(bound, (char *)addr + off, n);
	bound[n] = '\0';
	if (!bound[0] || !recall(bound, given))
		return r;
	/* What the kernel reports for a path: the bytes and their NUL. */
	memset(&sa, 0, sizeof(sa));
	sa.sun_family = AF_UNIX;
	n = strlen(given);
	memcpy(sa.sun_path, given, n);
	want = off + n + (n < SUN_LEN_MAX);
	memcpy(addr, &sa, in < want ? in : want);
	*len = (socklen_t)want;
	return r;
}

SHIM_EXPORT int getsockname(int sfd, struct sockaddr *addr, socklen_t *len)
{
	socklen_t in = len ? *len : 0;
	int r = (int)PASS(getsockname, bsys_call3(SYS_getsockname, sfd, (long)addr, (long)len),
	                  sfd, addr, len);

	return name_back(r, addr, len, in);
}

SHIM_EXPORT int getpeername(int sfd, struct sockaddr *addr, socklen_t *len)
{
	socklen_t in = len ? *len : 0;
	int r = (int)PASS(getpeername, bsys_call3(SYS_getpeername, sfd, (long)addr, (long)len),
	                  sfd, addr, len);

	return name_back(r, addr, len, in);
}
