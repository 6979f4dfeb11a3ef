/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The public resolution entry points: argument checks, backend choice,
 * and the contain-mode handover from openat2 to the walker.
 */
#include "config.h"

#include <limits.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>

#include "internal.h"

/* 0 if ST is of the type MUST asks for, else the error to give. */
static int type_error(const struct stat *st, unsigned int must)
{
	if (must == BENEATH_MUST_BE_DIR && !S_ISDIR(st->st_mode))
		return -ENOTDIR;
	if (must == BENEATH_MUST_BE_SOCK && !S_ISSOCK(st->st_mode))
		return -ENOTSOCK;
	if (must == BENEATH_MUST_BE_REG && !S_ISREG(st->st_mode))
		return S_ISDIR(st->st_mode) ? -EISDIR : S_ISLNK(st->st_mode) ? -ELOOP : -EBADFD;
	return 0;
}

int beneath_check_type(int fd, unsigned int rflags)
{
	unsigned int must = rflags & BENEATH_MUST_BE_ANY;
	struct stat st;
	int r;

	if (!must)
		return fd;
	r = bsys_fstat(fd, &st);
	if (r == 0)
		r = type_error(&st, must);
	if (r < 0) {
		beneath_close(fd);
		return r;
	}
	return fd;
}

/* openat2 first; contain mode hands an EXDEV (an absolute symlink, maybe
 * pointing back inside) and exhausted EAGAIN retries to the walker. */
static bool walker_retry(int r, unsigned int rflags)
{
	if (r == -EAGAIN)
		return true;
	return r == -EXDEV && (rflags & BENEATH_MODE_MASK) == BENEATH_MODE_CONTAIN;
}

int beneath_open_internal(const struct beneath_root *root, const char *path,
                          int flags, mode_t mode, unsigned int rflags)
{
	int backend = beneath_pick_backend(rflags);
	/* (beneath_open() leaves this set only when FLAGS lacks O_CLOEXEC) */
	bool inherit = rflags & BENEATH_CLOEXEC_AS_GIVEN;
	bool walked = true;
	int fd;

	if (backend < 0)
		return backend;
	if (backend == BACKEND_OPENAT2) {
		/* One openat2 call opens the final object or nothing: it can
		 * leave close-on-exec off itself. The walker opens other fds
		 * with these flags on the way: it keeps O_CLOEXEC. */
		fd = beneath_openat2(root, path, inherit ? flags & ~O_CLOEXEC : flags, mode, rflags);
		walked = false;
		if (walker_retry(fd, rflags)) {
			fd = beneath_walk(root, path, flags, mode, rflags, NULL);
			walked = true;
		}
	} else {
		fd = beneath_walk(root, path, flags, mode, rflags, NULL);
	}
	if (fd < 0)
		return fd;
	if (inherit && walked)
		bsys_fcntl(fd, F_SETFD, 0);
	return beneath_check_type(fd, rflags);
}

BENEATH_API int beneath_open(const struct beneath_root *root, const char *path,
                             int flags, mode_t mode, unsigned int rflags)
{
	int r = beneath_check_args(root, path, rflags);

	if (r < 0)
		return r;
	if (rflags & BENEATH_NOFOLLOW)
		flags |= O_NOFOLLOW;
	if (flags & O_CLOEXEC)
		rflags &= ~BENEATH_CLOEXEC_AS_GIVEN;
	r = beneath_sanitize_open(&flags, &mode);
	if (r < 0)
		return r;
	return beneath_open_internal(root, path, flags, mode, rflags);
}

BENEATH_API int beneath_resolve(const struct beneath_root *root, const char *path,
                                unsigned int rflags)
{
	int flags = O_PATH | O_CLOEXEC;

	if (rflags & BENEATH_NOFOLLOW)
		flags |= O_NOFOLLOW;
	if (rflags & BENEATH_MUST_BE_DIR)
		flags |= O_DIRECTORY;
	return beneath_open(root, path, flags, 0, rflags & ~BENEATH_NOFOLLOW);
}

/*
 * openat2 cannot stop before the last component, so the parent is split
 * off lexically and resolved as a directory: every component but the
 * last is followed anyway, exactly as the kernel does.
 */
static int parent_openat2(const struct beneath_root *root, const char *path,
                          unsigned int rflags, struct beneath_last *last)
{
	char parent[PATH_MAX];
	size_t len = strlen(path), end = len, start;
	const char *name;
	bool dots;
	int fd;

	if (len >= PATH_MAX)
		return -ENAMETOOLONG;
	while (end > 0 && path[end - 1] == '/')
		end--;
	if (end == 0)   /* slashes only */
		return -EXDEV;  /* beneath; in_root and contain take the walker */
	start = end;
	while (start > 0 && path[start - 1] != '/')
		start--;
	name = path + start;
	dots = (end - start == 1 && name[0] == '.') ||
	       (end - start == 2 && name[0] == '.' && name[1] == '.');
	if (end - start > NAME_MAX)
		return -ENAMETOOLONG;
	if (dots) {
		/* The directory the whole path names. */
		memcpy(parent, path, end);
		parent[end] = '\0';
	} else if (start == 0) {
		strcpy(parent, ".");
	} else {
		memcpy(parent, path, start);
		parent[start] = '\0';
	}
	fd = beneath_openat2(root, parent, O_PATH | O_DIRECTORY | O_CLOEXEC, 0, rflags);
	if (fd < 0)
		return fd;
	if (dots) {
		len = end - start;
	} else {
		len -= start;   /* keeps one or more trailing slashes */
		if (len > end - start + 1)
			len = end - start + 1;
	}
	if (len + 1 > last->namesz) {
		beneath_close(fd);
		return -ENAMETOOLONG;
	}
	memcpy(last->name, name, len);
	last->name[len] = '\0';
	return fd;
}

BENEATH_API int beneath_resolve_parent(const struct beneath_root *root,
                                       const char *path, unsigned int rflags,
                                       char *name, size_t namesz)
{
	struct beneath_last last = { .dirfd = -1, .name = name, .namesz = namesz };
	int r = beneath_check_args(root, path, rflags);
	int backend;

	if (r < 0)
		return r;
	if (!name || namesz == 0)
		return -EINVAL;
	if (!path[0])
		return -ENOENT;
	/* Options that constrain the final object mean nothing here. */
	rflags &= ~(BENEATH_MUST_BE_ANY | BENEATH_NOFOLLOW);
	backend = beneath_pick_backend(rflags);
	if (backend < 0)
		return backend;
	if (backend == BACKEND_OPENAT2 &&
	    !(path[0] == '/' && (rflags & BENEATH_MODE_MASK) != BENEATH_MODE_BENEATH)) {
		r = parent_openat2(root, path, rflags, &last);
		if (!walker_retry(r, rflags))
			return r;
	}
	return beneath_walk(root, path, O_PATH | O_CLOEXEC, 0, rflags, &last);
}
