/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * bind and connect for AF_UNIX sockets with a path. The kernel creates
 * (bind) or looks up (connect) sun_path like any other path, so under a
 * root it gets "/proc/self/fd/N/NAME" (bind: N is the resolved parent) or
 * "/proc/self/fd/N" (connect: N is the resolved socket), which jumps to
 * the open directory or socket without a lookup by name. The caller's
 * sockaddr is copied, never written. Abstract sockets (sun_path[0] ==
 * 0), unnamed ones and other families pass untouched.
 */
#include <stddef.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/un.h>

#include "shim.h"

enum sock_op { S_BIND, S_CONNECT };

/* The path in ADDR, NUL-terminated into PATH (sizeof sun_path + 1), or
 * false when ADDR is not a path socket address. */
static bool sun_path_of(const struct sockaddr *addr, socklen_t len, char *path)
{
	const size_t off = offsetof(struct sockaddr_un, sun_path);
	size_t n;

	if (!addr || len <= off || addr->sa_family != AF_UNIX)
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

static long sock_root(enum sock_op op, int sfd, const struct beneath_root *r, const char *p,
                      unsigned int f)
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
		if (name[0] == '/' || strcmp(name, ".") == 0 || strcmp(name, "..") == 0)
			ret = -EADDRINUSE;
		else
			ret = proc_addr(&sa, fd, name, &len);
		if (ret == 0)
			ret = bsys_call3(SYS_bind, sfd, (long)&sa, len);
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
	char path[sizeof(((struct sockaddr_un *)0)->sun_path) + 1];
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
		r = shim_verdict(&c, sock_root(op, sfd, &c.root.h, c.rest, c.rflags));
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
