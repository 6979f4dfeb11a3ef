/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The preload shim's internals, shared between its files. Nothing here is
 * exported: the only public names of libbeneath-preload.so are the libc
 * names in preload.sym.
 */
#ifndef BENEATH_SHIM_H
#define BENEATH_SHIM_H

#include <errno.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <fcntl.h>
#include <limits.h>
#include <sys/types.h>

#include "beneath.h"
#include "config.h"
#include "sys.h"

#define SHIM_EXPORT __attribute__((visibility("default")))
#define likely(x) __builtin_expect(!!(x), 1)
#define unlikely(x) __builtin_expect(!!(x), 0)

/* ------------------------------------------------------------------ */
/* init.c: the process-wide state, set up once before main()           */
/* ------------------------------------------------------------------ */

struct shim_state {
	struct shim_config cfg;
	unsigned int backend;   /* BENEATH_BACKEND_* bits from BENEATH_RESOLVER */
	int log_fd;             /* -1 without BENEATH_LOG */
	char exe[256];          /* for the log: /proc/self/exe, JSON-escaped later */
};

extern struct shim_state shim;
extern _Atomic int shim_ready;   /* 0 none, 1 in progress, 2 done */

void shim_init_slow(void);

/* Every wrapper starts here: cheap when the constructor has run. */
static inline void shim_init(void)
{
	if (unlikely(atomic_load_explicit(&shim_ready, memory_order_acquire) != 2))
		shim_init_slow();
}

/* True while this process may use the shim's state at all; false only
 * when a wrapper re-enters during the shim's own initialisation. */
static inline bool shim_usable(void)
{
	return atomic_load_explicit(&shim_ready, memory_order_acquire) == 2;
}

/* ------------------------------------------------------------------ */
/* roots.c: matching absolute paths to roots, and the root fd cache     */
/* ------------------------------------------------------------------ */

/* A root in use by one call: the handle for libbeneath and what is
 * needed to give it back. */
struct shim_root {
	struct beneath_root h;       /* fd + host path (for contain) */
	const struct shim_root_cfg *cfg;
	int slot;                    /* cache slot held, or -1 */
	bool own_fd;                 /* a private fd to close on release */
};

/* Collapse "//" and "/./" in absolute IN (and a trailing "/."), into OUT;
 * ".." is kept. Returns the length, or -ENAMETOOLONG. */
int shim_normalize(const char *in, char *out, size_t outsz);

/*
 * Match normalised absolute path P against the roots (longest prefix on a
 * component boundary; configured and canonical spellings). Returns the
 * root's config and sets *REST to the remainder (never starting with '/';
 * "." for the root itself) and *CONCRETE_LEN to the length of the
 * concrete root's path, which is P's prefix; NULL when P is under no root.
 */
const struct shim_root_cfg *shim_match(const char *p, size_t len, const char **rest,
                                       size_t *concrete_len);

/* Open (or take from the cache) the concrete root CONCRETE. 0 or -errno. */
int shim_root_acquire(struct shim_root *r, const struct shim_root_cfg *cfg,
                      const char *concrete, size_t len);
void shim_root_release(struct shim_root *r);

/* A fixed root's canonical spelling when it differs from the configured
 * one (a symlinked root), else NULL. */
const char *shim_root_canonical(const struct shim_root_cfg *cfg);

/* Does some root (in either spelling) lie strictly below normalised
 * absolute path P? */
bool shim_root_below(const char *p, size_t len);

/* Does an ro root lie inside rw root RC? */
bool shim_root_nested_ro(const struct shim_root_cfg *rc);

/* Move FD (O_CLOEXEC) up among the shim's own fds and mark it ours. */
int shim_own_high(int fd);

/* init.c calls these. */
int shim_roots_setup(char *err, size_t errsz);
void shim_roots_atfork_prepare(void);
void shim_roots_atfork_parent(void);
void shim_roots_atfork_child(void);

/* ------------------------------------------------------------------ */
/* fds.c: the fd guard, fds and working directory under roots           */
/* ------------------------------------------------------------------ */

struct stat;

/* Mark FD as the shim's own (or no longer): the program cannot close,
 * replace or duplicate it. */
void shim_fd_own(int fd, bool mine);
bool shim_fd_is_own(int fd);
/* Remember that the program's FD was opened under root index ROOT (-1:
 * not under a root). 0, or -EMFILE when FD is too high to remember. */
int shim_fd_track(long fd, int root);
/* FD's root index, or -1. */
int shim_fd_root(int fd);
/* The working directory was entered under root ROOT (-1: none); ST is
 * the directory's stat. */
void shim_cwd_set(int root, const struct stat *st);
int shim_cwd_root(void);
/* Whether the working directory is still the marked one; if not, the
 * mark is dropped. */
bool shim_cwd_still(void);

/* ------------------------------------------------------------------ */
/* log.c                                                               */
/* ------------------------------------------------------------------ */

/* R_UNCHECKED: a path the shim cannot place (a directory too deep to
 * name, a join longer than PATH_MAX): refused, as it might lead anywhere. */
enum shim_reason { R_ESCAPE, R_READ_ONLY, R_OUTSIDE, R_SYMLINK, R_OWNER, R_UNCHECKED };

void shim_log(const char *call, const char *path, const char *root,
              enum shim_reason reason, int err, bool audit);

/* ------------------------------------------------------------------ */
/* real.c: the libc functions behind the wrappers                      */
/* ------------------------------------------------------------------ */

/*
 * The next definition of NAME (dlsym RTLD_NEXT, or dlvsym with VERSION),
 * looked up once and cached in *CACHE. NULL while this thread is inside
 * dlsym itself (its allocator may call back into a wrapper): the caller
 * then uses a raw system call.
 */
void *shim_real(_Atomic(void *) *cache, const char *name, const char *version);

#define REAL(name)                                                             \
	({                                                                     \
		static _Atomic(void *) real_##name##_cache;                    \
		(__typeof__(&name))shim_real(&real_##name##_cache, #name, NULL); \
	})

/* ------------------------------------------------------------------ */
/* dispatch.c: one mechanism per family                                */
/* ------------------------------------------------------------------ */

/* What a call does: OP_READ or OP_WRITE (for the read-only check), plus
 * OP_NOFOLLOW when it never follows a last component that is a symlink
 * (lstat, unlink, mkdir, O_NOFOLLOW, ...). */
enum shim_op_kind { OP_READ = 0, OP_WRITE = 1, OP_NOFOLLOW = 2 };

/* Where a path goes. */
enum shim_where { W_PASS, W_ROOT, W_DENIED };

/* A root-side result meaning "audit mode: now do the real call". */
#define SHIM_PASS (-100000L)

struct shim_call {
	const char *name;         /* the libc name, for the log */
	const char *path;         /* as given */
	enum shim_where where;
	const char *rest;         /* W_ROOT: the path below the root */
	unsigned int rflags;      /* W_ROOT: libbeneath flags for this root */
	struct shim_root root;    /* W_ROOT */
	const char *logroot;      /* the root as the path matched it */
	int err;                  /* W_DENIED: errno to return (already logged) */
	int rindex;               /* W_ROOT: the root's index in shim.cfg.roots;
	                           * W_PASS: the root of the directory a single
	                           * name was taken from, or -1 */
	char buf[PATH_MAX];       /* the normalised path; holds root.h.path */
};

/*
 * Decide where PATH (against DIRFD) goes, for an operation of KIND.
 * W_PASS: call the real function (also in audit mode after a would-deny).
 * W_ROOT: act with c->root.h, c->rest, c->rflags; then shim_verdict()
 *         on the result and shim_done().
 * W_DENIED: fail with errno c->err.
 */
enum shim_where shim_classify(struct shim_call *c, const char *name, int dirfd,
                              const char *path, enum shim_op_kind kind);

/* The root that directory FD is under now (by its host path), or -1. */
int shim_dir_root(int fd);

/*
 * Where a lookup scoped to directory FD (openat2 with RESOLVE_BENEATH or
 * RESOLVE_IN_ROOT, which never climbs above FD) can go: the index of the
 * root FD is under; SHIM_SCOPE_NONE when FD is neither under a root nor
 * above one, so the lookup cannot reach a root; SHIM_SCOPE_ANY when a
 * root lies below FD or FD cannot be placed (then match the path).
 */
#define SHIM_SCOPE_NONE (-1)
#define SHIM_SCOPE_ANY  (-2)
int shim_dir_scope(int fd);

/*
 * The libc entry point the program called, while a shim function built
 * over other wrappers (scandirat over openat, mkstemp over open) calls
 * them: denials are logged under the name the program used. Set it only
 * around calls the shim makes itself, never around a program callback.
 */
extern __thread const char *shim_outer_call __attribute__((tls_model("initial-exec")));

#define SHIM_AS(NAME, EXPR)                                                    \
	({                                                                     \
		const char *outer_ = shim_outer_call;                          \
		shim_outer_call = (NAME);                                      \
		__auto_type r_ = (EXPR);                                       \
		shim_outer_call = outer_;                                      \
		r_;                                                            \
	})

/* Log a denial (or would-deny); -ERR, or SHIM_PASS in audit mode. */
int shim_deny(struct shim_call *c, const char *root, enum shim_reason why, int err);

/* Map libbeneath's result R (>= 0 or -errno) to what the program sees:
 * EXDEV (and ELOOP under nosymlinks) are denials, logged; anything else
 * is the real answer. REST is the path that was resolved. */
long shim_verdict_at(struct shim_call *c, const char *rest, long r);
long shim_verdict(struct shim_call *c, long r);
void shim_done(struct shim_call *c);

/* Set errno from a -errno result and return -1, or return R. */
static inline long shim_ret(long r)
{
	if (r < 0) {
		errno = (int)-r;
		return -1;
	}
	return r;
}

/* A new fd FD (or -errno) the program gets: remember its root (-1 for
 * none). An fd too high to remember is closed: -EMFILE. */
long shim_track_new(long fd, int root);
/* roots.c: "/proc/self/fd/FD" into BUF (32 bytes); and the host path
 * of FD read through it, NUL-terminated in BUF (SIZE bytes): its length,
 * or -1 when it is not an absolute path that fits. */
void shim_proc_path(char *buf, int fd);
ssize_t shim_fd_host_path(int fd, char *buf, size_t size);
/* The one-argument system call SYSNO (chroot, acct) on P resolved under R
 * (with OFLAGS added to O_PATH), through its /proc/self/fd link, never by
 * name. >= 0 or -errno. */
long shim_proc_call1(const struct beneath_root *r, const char *p, unsigned int f, int oflags,
                     long sysno);

/* The open family, whole: an fd, or -1 with errno. */
int shim_open_family(const char *name, int dirfd, const char *path, int flags, mode_t mode);

/* open(2) flags that make an open a write. */
static inline bool open_is_write(int flags)
{
	return (flags & (O_WRONLY | O_RDWR | O_CREAT | O_TRUNC)) ||
	       (flags & __O_TMPFILE) == __O_TMPFILE;
}

/* OP_NOFOLLOW when AT_FLAGS has AT_SYMLINK_NOFOLLOW. */
#define NOFOLLOW_KIND(at_flags) (((at_flags) & AT_SYMLINK_NOFOLLOW) ? OP_NOFOLLOW : 0)

/* An open's kind: it does not follow a last symlink with O_NOFOLLOW, or
 * with O_CREAT|O_EXCL (which fails on any existing name). */
static inline enum shim_op_kind open_kind(int flags)
{
	return (open_is_write(flags) ? OP_WRITE : OP_READ) |
	       ((flags & O_NOFOLLOW) || (flags & (O_CREAT | O_EXCL)) == (O_CREAT | O_EXCL)
	                ? OP_NOFOLLOW : 0);
}

/* The real function NAME, or the raw system call RAW when it cannot be
 * had (inside dlsym). */
/* Set around a PASS_CALL whose path is NULL: libc declares its path
 * arguments nonnull, the kernel answers EFAULT (or takes NULL with
 * AT_EMPTY_PATH), so the raw system call gives the real answer. */
extern __thread bool shim_pass_raw __attribute__((tls_model("initial-exec")));

#define PASS(name, raw, ...)                                                   \
	({                                                                     \
		__typeof__(&name) f_ = shim_pass_raw ? NULL : REAL(name);      \
		f_ ? f_(__VA_ARGS__) : (__typeof__(f_(__VA_ARGS__)))shim_ret(raw); \
	})

/*
 * The body of every path wrapper that returns an int or ssize_t: KIND is
 * OP_READ or OP_WRITE; ROOT_CALL a libbeneath call written with R (the
 * struct beneath_root *), P (the path below it) and F (its rflags),
 * giving >= 0 or -errno; PASS_CALL the unconfined call.
 */
#define SHIM_PATH_CALL(NAME, DIRFD, PATH, KIND, ROOT_CALL, PASS_CALL)          \
	do {                                                                   \
		struct shim_call c_;                                           \
		long r_;                                                       \
		shim_init();                                                   \
		switch (shim_classify(&c_, NAME, DIRFD, PATH, KIND)) {         \
		case W_DENIED:                                                 \
			errno = c_.err;                                        \
			return -1;                                             \
		case W_ROOT: {                                                 \
			const struct beneath_root *R = &c_.root.h;             \
			const char *P = c_.rest;                               \
			unsigned int F = c_.rflags;                            \
			r_ = shim_verdict(&c_, (long)(ROOT_CALL));             \
			shim_done(&c_);                                        \
			if (r_ != SHIM_PASS)                                   \
				return shim_ret(r_);                           \
			break;                                                 \
		}                                                              \
		case W_PASS:                                                   \
			break;                                                 \
		}                                                              \
		const char *np_ = (PATH);                                      \
		/* Hidden from the optimiser: libc declares it nonnull. */     \
		__asm__("" : "+r"(np_));                                       \
		if (unlikely(!np_)) {                                          \
			long p_;                                               \
			shim_pass_raw = true;                                  \
			p_ = (long)(PASS_CALL);                                \
			shim_pass_raw = false;                                 \
			return p_;                                             \
		}                                                              \
		return (PASS_CALL);                                            \
	} while (0)

/* ------------------------------------------------------------------ */
/* env.c: the configuration every exec'd child gets back               */
/* ------------------------------------------------------------------ */

/* init.c calls it once, after the roots: copies of LD_PRELOAD and the
 * BENEATH_* variables, and the shim's own absolute path. */
void shim_env_save(void);

/* A child's environment, built on the caller's stack: most environments
 * fit in the arrays here; a bigger one gets one mmap (never malloc: the
 * exec wrappers run in vfork children). */
#define SHIM_ENV_PTRS 512
#define SHIM_ENV_STR 1024

struct shim_child_env {
	char **envp;              /* what to hand to execve */
	void *map;                /* the mmap for a big environment, or NULL */
	size_t maplen;
	char *ptrs[SHIM_ENV_PTRS];
	char preload[SHIM_ENV_STR];
};

/*
 * ENVP (NULL is an empty environment) with our BENEATH_* values forced
 * (the caller's own entries replaced or removed) and LD_PRELOAD keeping
 * the caller's preloads plus ours. Never writes into ENVP or its strings.
 * 0 or -errno (ENOMEM); shim_env_release() afterwards either way.
 */
int shim_env_build(struct shim_child_env *ce, char *const envp[]);
void shim_env_release(struct shim_child_env *ce);

#endif /* BENEATH_SHIM_H */
