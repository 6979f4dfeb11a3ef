/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The preload shim's configuration: the BENEATH_* environment, parsed once
 * before main(). Parsing allocates nothing from malloc: everything lives
 * in one caller-supplied arena (the shim maps it with mmap), so it can run
 * from a constructor before the program's allocator is usable.
 */
#ifndef BENEATH_SHIM_CONFIG_H
#define BENEATH_SHIM_CONFIG_H

#include <stdbool.h>
#include <stddef.h>
#include <string.h>

enum shim_verdict_mode { SHIM_ENFORCE, SHIM_AUDIT };
enum shim_log_kind { SHIM_LOG_NONE, SHIM_LOG_STDERR, SHIM_LOG_FD, SHIM_LOG_PATH };
enum shim_resolver { SHIM_RESOLVER_AUTO, SHIM_RESOLVER_OPENAT2, SHIM_RESOLVER_WALKER };

struct shim_root_cfg {
	/* Absolute, "//" and "/./" collapsed, no trailing slash ("/" stays
	 * "/"); ".." is kept as written. Escapes removed. */
	const char *path;
	size_t path_len;
	unsigned int rflags;     /* BENEATH_MODE_* | BENEATH_NO_SYMLINKS */
	bool ro;                 /* "ro" (default "rw") */
	bool sameowner;
	int fd;                  /* "fd=N", or -1 */
	int wildcard_depth;      /* component index (0-based) of the first
	                          * "*" component, or -1 when there is none */
	int ncomponents;         /* components in path ("/" has 0) */
};

struct shim_config {
	struct shim_root_cfg *roots;
	size_t nroots;
	enum shim_verdict_mode mode;      /* BENEATH_MODE, default enforce */
	bool deny_outside;                /* BENEATH_OUTSIDE=deny */
	int deny_errno;                   /* BENEATH_ERRNO, default EACCES */
	enum shim_log_kind log_kind;      /* BENEATH_LOG */
	int log_fd;                       /* fd:N */
	const char *log_path;             /* PATH (absolute) */
	enum shim_resolver resolver;      /* BENEATH_RESOLVER */
};

/* A bump allocator over a fixed buffer. */
struct shim_arena {
	char *base;
	size_t size;
	size_t used;
};

/* The raw values of the variables; NULL when unset. */
struct shim_env {
	const char *roots;     /* BENEATH_ROOTS */
	const char *mode;      /* BENEATH_MODE */
	const char *outside;   /* BENEATH_OUTSIDE */
	const char *errno_name;/* BENEATH_ERRNO */
	const char *log;       /* BENEATH_LOG */
	const char *resolver;  /* BENEATH_RESOLVER */
};

/* The variables as this process's environment has them. */
struct shim_env shim_env_from_environ(void);

/* The space shim_config_parse() needs for ENV. */
#define SHIM_ARENA_SIZE(env) (65536 + ((env)->roots ? 16 * strlen((env)->roots) : 0))

/*
 * Parse ENV into CFG. Returns 0, or -1 with a one-line description of the
 * first problem in ERR (without the "beneath: " prefix or newline), e.g.
 * "BENEATH_ROOTS: relative root 'srv/www'". Checks syntax only: whether a
 * fixed root exists is the caller's to check when it opens it. Arena
 * exhaustion is an error too ("configuration too large").
 */
int shim_config_parse(const struct shim_env *env, struct shim_config *cfg,
                      struct shim_arena *arena, char *err, size_t errsz);

/* errno value of a name such as "EACCES", or -1. */
int shim_errno_from_name(const char *name);
/* The name of an errno value, or NULL. */
const char *shim_errno_name(int e);

#endif /* BENEATH_SHIM_CONFIG_H */
