/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * open(2) and openat2(2) disagree on garbage: open(2) ignores unknown flag
 * bits, a mode without O_CREAT, and most flags next to O_PATH, where
 * openat2 fails with EINVAL. Callers of a varargs open() routinely pass
 * such garbage, so both backends see the flags open(2) would act on.
 */
#include "config.h"

#include <string.h>

#include "internal.h"

#ifndef O_TMPFILE
#define O_TMPFILE (020000000 | O_DIRECTORY)
#endif

/* The kernel's VALID_OPEN_FLAGS for x86_64. */
#define VALID_OPEN_FLAGS                                                      \
	(O_ACCMODE | O_CREAT | O_EXCL | O_NOCTTY | O_TRUNC | O_APPEND |       \
	 O_NONBLOCK | O_DSYNC | O_SYNC | FASYNC | O_DIRECT | O_LARGEFILE |   \
	 O_DIRECTORY | O_NOFOLLOW | O_NOATIME | O_CLOEXEC | O_PATH | O_TMPFILE)

/* With O_PATH, open(2) ignores every flag but these. */
#define O_PATH_FLAGS (O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC)

int beneath_sanitize_open(int *flags, mode_t *mode)
{
	int f = *flags & VALID_OPEN_FLAGS;

	if (f & O_PATH)
		f &= O_PATH_FLAGS;
	/* Checked before any lookup, as the kernel's build_open_flags()
	 * does, so both backends fail the same way whatever the path. */
	if ((f & O_TMPFILE & ~O_DIRECTORY) && (f & O_TMPFILE) != O_TMPFILE)
		return -EINVAL;   /* the tmpfile bit without O_DIRECTORY */
	if ((f & O_TMPFILE) == O_TMPFILE) {
		if (f & O_CREAT)
			return -EINVAL;
		if (!(f & (O_WRONLY | O_RDWR)))
			return -EINVAL;
	} else if ((f & (O_CREAT | O_DIRECTORY)) == (O_CREAT | O_DIRECTORY)) {
		return -EINVAL;
	}
	if ((f & O_CREAT) || (f & O_TMPFILE) == O_TMPFILE)
		*mode &= 07777;
	else
		*mode = 0;
	*flags = f | O_CLOEXEC;
	return 0;
}

int beneath_check_args(const struct beneath_root *root, const char *path,
                       unsigned int rflags)
{
	unsigned int must = rflags & BENEATH_MUST_BE_ANY;

	if (!root)
		return -EINVAL;
	if (root->fd < 0)
		return -EBADF;
	if (!path)
		return -EFAULT;
	if (rflags & ~BENEATH_RFLAGS_ALL)
		return -EINVAL;
	if ((rflags & BENEATH_MODE_MASK) == BENEATH_MODE_MASK)
		return -EINVAL;
	if (must & (must - 1))
		return -EINVAL;
	if ((rflags & BENEATH_BACKEND_OPENAT2) && (rflags & BENEATH_BACKEND_WALKER))
		return -EINVAL;
	return 0;
}
