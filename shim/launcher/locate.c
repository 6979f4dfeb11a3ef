/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Where libbeneath-preload.so is, for a launcher that may run from the
 * build tree, from its installed place, or from an installed tree that
 * was staged somewhere else (make install DESTDIR=...).
 */
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "launcher.h"

#define PRELOAD_NAME "libbeneath-preload.so"

static bool readable(const char *p)
{
	return access(p, R_OK) == 0;
}

/* The directory this executable is in, or false. */
static bool exe_dir(char *buf, size_t size)
{
	ssize_t n = readlink("/proc/self/exe", buf, size - 1);
	char *slash;

	if (n <= 0)
		return false;
	buf[n] = '\0';
	slash = strrchr(buf, '/');
	if (!slash)
		return false;
	*slash = '\0';
	return true;
}

int locate_preload(char *out, size_t size)
{
	char dir[PATH_MAX];
	size_t dlen, blen = strlen(LAUNCHER_BINDIR);

	if (exe_dir(dir, sizeof(dir))) {
		/* The build tree: ./beneath beside shim/.libs/. */
		if ((size_t)snprintf(out, size, "%s/shim/.libs/" PRELOAD_NAME, dir) < size &&
		    readable(out))
			return 0;
		/* An installed tree, possibly staged under DESTDIR: the same
		 * way from bindir to pkglibdir as configured. */
		dlen = strlen(dir);
		if (dlen >= blen && strcmp(dir + dlen - blen, LAUNCHER_BINDIR) == 0 &&
		    (size_t)snprintf(out, size, "%.*s%s/" PRELOAD_NAME, (int)(dlen - blen), dir,
		                     LAUNCHER_PKGLIBDIR) < size &&
		    readable(out))
			return 0;
	}
	if ((size_t)snprintf(out, size, "%s/" PRELOAD_NAME, LAUNCHER_PKGLIBDIR) < size &&
	    readable(out))
		return 0;
	return -1;
}
