/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Which backend resolves: BENEATH_RESOLVER=auto|openat2|walker, read once
 * per process, overridable per call. openat2 is probed once: ENOSYS (old
 * kernels, gVisor) and EPERM (seccomp profiles) mean it is not there.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "internal.h"
#include "openat2-compat.h"

enum { UNKNOWN = 0, YES, NO };
enum { ENV_AUTO = 1, ENV_OPENAT2, ENV_WALKER };

static int env_choice;     /* 0 until read */
static int openat2_state;  /* UNKNOWN, YES or NO */

static int read_env(void)
{
	int c = __atomic_load_n(&env_choice, __ATOMIC_RELAXED);
	const char *v;

	if (c)
		return c;
	v = getenv("BENEATH_RESOLVER");
	/* An unknown value picks auto: both backends are safe, and the
	 * preload shim rejects the value before main() anyway. */
	if (v && strcmp(v, "openat2") == 0)
		c = ENV_OPENAT2;
	else if (v && strcmp(v, "walker") == 0)
		c = ENV_WALKER;
	else
		c = ENV_AUTO;
	__atomic_store_n(&env_choice, c, __ATOMIC_RELAXED);
	return c;
}

bool beneath_openat2_usable(void)
{
	int s = __atomic_load_n(&openat2_state, __ATOMIC_RELAXED);

	if (s == UNKNOWN) {
		struct open_how how = { .flags = O_PATH | O_CLOEXEC,
		                        .resolve = RESOLVE_BENEATH };
		int fd = bsys_openat2(AT_FDCWD, ".", &how, sizeof(how));

		if (fd >= 0) {
			bsys_close(fd);
			s = YES;
		} else {
			s = (fd == -ENOSYS || fd == -EPERM) ? NO : YES;
		}
		__atomic_store_n(&openat2_state, s, __ATOMIC_RELAXED);
	}
	return s == YES;
}

void beneath_openat2_unusable(void)
{
	__atomic_store_n(&openat2_state, NO, __ATOMIC_RELAXED);
}

int beneath_pick_backend(unsigned int rflags)
{
	int want;

	/* Even when openat2 is asked for: these options would be lost. */
	if (rflags & (BENEATH_BACKEND_WALKER | BENEATH_WALKER_ONLY))
		return BACKEND_WALKER;
	if (rflags & BENEATH_BACKEND_OPENAT2)
		want = ENV_OPENAT2;
	else
		want = read_env();
	if (want == ENV_WALKER)
		return BACKEND_WALKER;
	if (beneath_openat2_usable())
		return BACKEND_OPENAT2;
	return want == ENV_OPENAT2 ? -ENOSYS : BACKEND_WALKER;
}

BENEATH_API const char *beneath_backend(unsigned int rflags)
{
	int b = beneath_pick_backend(rflags);

	if (b < 0)
		return "none";
	return b == BACKEND_OPENAT2 ? "openat2" : "walker";
}
