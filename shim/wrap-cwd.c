/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The working directory: chdir, fchdir, chroot. A directory under a root
 * is entered through the fd libbeneath resolved, so "cd dl" where dl
 * leads out of the root is refused like any other escape, and the
 * working directory is marked with its root (fds.c): relative paths from
 * it stay confined to that root even if the directory is later moved out
 * of it (dispatch.c).
 */
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "shim.h"

/* Enter the directory FD, marking the working directory with ROOT. */
static long enter(int fd, int root)
{
	struct stat st;
	long r = bsys_fstat(fd, &st);

	if (r == 0)
		r = bsys_call1(SYS_fchdir, fd);
	if (r == 0)
		shim_cwd_set(root, &st);
	return r;
}

static long chdir_root(struct shim_call *c)
{
	int fd = beneath_open(&c->root.h, c->rest, O_PATH | O_DIRECTORY | O_CLOEXEC, 0, c->rflags);
	long r;

	if (fd < 0)
		return fd;
	r = enter(fd, c->rindex);
	bsys_close(fd);
	return r;
}

SHIM_EXPORT int chdir(const char *path)
{
	struct shim_call c;
	long r;

	shim_init();
	switch (shim_classify(&c, "chdir", AT_FDCWD, path, OP_READ)) {
	case W_DENIED:
		errno = c.err;
		return -1;
	case W_ROOT:
		r = shim_verdict(&c, chdir_root(&c));
		shim_done(&c);
		if (r != SHIM_PASS)
			return (int)shim_ret(r);
		break;
	case W_PASS:
		break;
	}
	r = PASS(chdir, bsys_call1(SYS_chdir, (long)path), path);
	if (r == 0)
		shim_cwd_set(-1, NULL);
	return (int)r;
}

/*
 * fchdir: the fd's root if it was opened under one; otherwise whichever
 * root its directory is under now (it may have been opened through a
 * path outside every root that leads into one).
 */
SHIM_EXPORT int fchdir(int fd)
{
	int root;

	shim_init();
	if (shim_fd_is_own(fd)) {
		errno = EBADF;
		return -1;
	}
	root = shim_fd_root(fd);
	if (root < 0)
		root = shim_dir_root(fd);
	return (int)shim_ret(enter(fd, root));
}

/*
 * chroot into a directory under a root: through the resolved fd's /proc
 * link, never by name. Afterwards absolute paths name things inside the
 * new root and no longer match the configured roots; the kernel's chroot
 * is then the confinement (see README).
 */
SHIM_EXPORT int chroot(const char *path)
{
	SHIM_PATH_CALL("chroot", AT_FDCWD, path, OP_READ,
	               shim_proc_call1(R, P, F, O_DIRECTORY, SYS_chroot),
	               PASS(chroot, bsys_call1(SYS_chroot, (long)path), path));
}
