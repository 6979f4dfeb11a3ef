/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Shared between the resolver's files; nothing here is exported. */
#ifndef BENEATH_INTERNAL_H
#define BENEATH_INTERNAL_H

#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>

#include "beneath.h"
#include "sys.h"

#define BENEATH_API __attribute__((visibility("default")))

/* The kernel's MAXSYMLINKS: the 41st symlink in one resolution is ELOOP. */
#define BENEATH_MAX_SYMLINKS 40
/* openat2 returns EAGAIN when a rename or mount raced a scoped "..";
 * libpathrs found 128 tries keep failures rare and bounded in time. */
#define BENEATH_EAGAIN_TRIES 128

#define BENEATH_RFLAGS_ALL                                                    \
	(BENEATH_MODE_MASK | BENEATH_NO_SYMLINKS | BENEATH_NO_XDEV |          \
	 BENEATH_NO_AUTOMOUNT | BENEATH_MUST_BE_REG | BENEATH_MUST_BE_DIR |    \
	 BENEATH_MUST_BE_SOCK | BENEATH_NOFOLLOW | BENEATH_BACKEND_OPENAT2 |   \
	 BENEATH_BACKEND_WALKER | BENEATH_SAME_OWNER | BENEATH_CLOEXEC_AS_GIVEN)
#define BENEATH_MUST_BE_ANY                                                   \
	(BENEATH_MUST_BE_REG | BENEATH_MUST_BE_DIR | BENEATH_MUST_BE_SOCK)
/* Options openat2 cannot honour: no resolve flag keeps automounts
 * untriggered, and it shows us no directory on the way. */
#define BENEATH_WALKER_ONLY (BENEATH_NO_AUTOMOUNT | BENEATH_SAME_OWNER)

/* Close for cleanup paths; a raw call, so errno is never touched. */
static inline void beneath_close(int fd)
{
	if (fd >= 0)
		bsys_close(fd);
}

static inline void beneath_closep(int *fd)
{
	beneath_close(*fd);
}
#define _cleanup_close_ __attribute__((cleanup(beneath_closep)))

/* Steal an fd out of a cleanup variable. */
static inline int beneath_steal_fd(int *fd)
{
	int r = *fd;
	*fd = -1;
	return r;
}

/* flags.c: make open(2) flags acceptable to openat2 and the walker
 * while keeping open(2)'s results. Returns 0 or -EINVAL. */
int beneath_sanitize_open(int *flags, mode_t *mode);

/* Validates a root and rflags; -EINVAL / -EBADF. */
int beneath_check_args(const struct beneath_root *root, const char *path,
                       unsigned int rflags);

/* A parent resolution: the dirfd plus the last component. */
struct beneath_last {
	int dirfd;
	char *name;
	size_t namesz;
};

/* backend.c */
enum beneath_backend_id { BACKEND_OPENAT2, BACKEND_WALKER };
int beneath_pick_backend(unsigned int rflags);  /* backend id or -ENOSYS */
bool beneath_openat2_usable(void);
void beneath_openat2_unusable(void);

/* openat2.c: -EXDEV or the kernel's error; -ENOSYS when unavailable. */
int beneath_openat2(const struct beneath_root *root, const char *path,
                    int flags, mode_t mode, unsigned int rflags);

/*
 * walker.c: the userspace resolver. With LAST non-NULL it stops before the
 * last component (resolve_parent); otherwise it opens the final object
 * with FLAGS/MODE. FLAGS must have been through beneath_sanitize_open().
 */
int beneath_walk(const struct beneath_root *root, const char *path,
                 int flags, mode_t mode, unsigned int rflags,
                 struct beneath_last *last);

/* resolve.c: the dispatcher used by every public entry point. */
int beneath_open_internal(const struct beneath_root *root, const char *path,
                          int flags, mode_t mode, unsigned int rflags);

/* Check a final fd against BENEATH_MUST_BE_*; closes it on mismatch. */
int beneath_check_type(int fd, unsigned int rflags);

#endif /* BENEATH_INTERNAL_H */
