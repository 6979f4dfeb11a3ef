/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * What shim/roots.c needs from the rest of the shim, so that the matcher
 * can be fuzzed without the preload library around it (no wrappers, no
 * constructor, no LD_PRELOAD): the process-wide state of init.c, which
 * the fuzz target fills in itself, and the two helpers roots.c calls from
 * fds.c and dispatch.c. Nothing else of the shim is linked.
 */
#include "config.h"

#include "shim.h"

/* init.c */
struct shim_state shim = { .log_fd = -1 };
_Atomic int shim_ready = 2;

void shim_init_slow(void)
{
}

/* fds.c: the fd guard. The target only uses fixed and wildcard roots
 * without fd=, whose fds roots.c opens on acquire (never here), so
 * nothing needs marking. */
void shim_fd_own(int fd, bool mine)
{
	(void)fd;
	(void)mine;
}
