/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The kernel backend: one openat2(2) call, retried on EAGAIN. */
#include "config.h"

#include "internal.h"
#include "openat2-compat.h"

static uint64_t resolve_flags(unsigned int rflags)
{
	uint64_t r = RESOLVE_NO_MAGICLINKS;

	/* contain goes through RESOLVE_BENEATH: everything it accepts
	 * that beneath does not starts with an EXDEV, which the caller
	 * hands to the walker. */
	r |= (rflags & BENEATH_MODE_MASK) == BENEATH_MODE_IN_ROOT
	             ? RESOLVE_IN_ROOT : RESOLVE_BENEATH;
	if (rflags & BENEATH_NO_SYMLINKS)
		r |= RESOLVE_NO_SYMLINKS;
	if (rflags & BENEATH_NO_XDEV)
		r |= RESOLVE_NO_XDEV;
	return r;
}

int beneath_openat2(const struct beneath_root *root, const char *path,
                    int flags, mode_t mode, unsigned int rflags)
{
	struct open_how how = {
		.flags = (uint64_t)(unsigned int)flags,
		.mode = mode,
		.resolve = resolve_flags(rflags),
	};
	int r = -EAGAIN;

	for (int i = 0; i < BENEATH_EAGAIN_TRIES && r == -EAGAIN; i++)
		r = bsys_openat2(root->fd, path, &how, sizeof(how));
	if (r == -ENOSYS)
		beneath_openat2_unusable();
	return r;
}
