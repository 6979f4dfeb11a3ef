/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * chdir: a working directory under a root is entered through the
 * directory libbeneath resolved, so "cd dl" where dl leads out of the
 * root is refused like any other escape, and relative paths after it are
 * confined (dispatch.c joins them to the working directory).
 */
#include <sys/syscall.h>
#include <unistd.h>

#include "shim.h"

static long chdir_root(const struct beneath_root *r, const char *p, unsigned int f)
{
	int fd = beneath_open(r, p, O_PATH | O_DIRECTORY | O_CLOEXEC, 0, f);
	long ret;

	if (fd < 0)
		return fd;
	ret = bsys_call1(SYS_fchdir, fd);
	bsys_close(fd);
	return ret;
}

SHIM_EXPORT int chdir(const char *path)
{
	SHIM_PATH_CALL("chdir", AT_FDCWD, path, OP_READ, chdir_root(R, P, F),
	               PASS(chdir, bsys_call1(SYS_chdir, (long)path), path));
}
