/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The directory walkers: scandir, glob, ftw/nftw and fts.
 *
 * glibc's own walkers call glibc-internal opendir, stat, openat and chdir,
 * which no wrapper sees, so a walk through a root would follow a planted
 * symlink out of it. Here scandir, nftw and fts are written again over the
 * public opendir, readdir, stat, lstat, chdir and fchdir (this library
 * defines those names, so the calls below are the shim's own wrappers), and
 * glob is glibc's, run with GLOB_ALTDIRFUNC callbacks that are those same
 * functions. What a caller sees follows glibc 2.36: the same entries in the
 * same order with the same type codes, the same callback protocol, the same
 * allocations and the same errors.
 *
 * Every access is by a path the shim confines: the whole path from where
 * the walk started, or (nftw FTW_CHDIR) a name relative to a working
 * directory that chdir entered through the shim. No directory stream stays
 * open while a walk goes down, so a walk holds at most two fds of its own
 * however deep it goes. The kernel's own PATH_MAX still bounds each call.
 */
#include <dirent.h>
#include <fts.h>
#include <ftw.h>
#include <glob.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "shim.h"

/* x86_64: the 64 forms are the same functions on the same layouts. */
_Static_assert(sizeof(struct stat) == sizeof(struct stat64), "stat64");
_Static_assert(sizeof(struct dirent) == sizeof(struct dirent64), "dirent64");
_Static_assert(sizeof(glob_t) == sizeof(glob64_t), "glob64_t");
_Static_assert(sizeof(FTS) == sizeof(FTS64), "FTS64");
_Static_assert(sizeof(FTSENT) == sizeof(FTSENT64) &&
               offsetof(FTSENT, fts_name) == offsetof(FTSENT64, fts_name), "FTSENT64");

/* A callback pointer seen with the other, layout-identical, argument types
 * (through void (*)(void), which -Wcast-function-type accepts). */
#define FN_CAST(type, fn) ((type)(void (*)(void))(fn))

/* Close a stream without letting its errno replace the one being reported. */
static void closedir_keep_errno(DIR *d)
{
	int e = errno;

	closedir(d);
	errno = e;
}

/* ------------------------------------------------------------------ */
/* scandir                                                             */
/* ------------------------------------------------------------------ */

typedef int (*scan_filter)(const struct dirent *);
typedef int (*scan_compar)(const struct dirent **, const struct dirent **);

/* glibc's scandir tail: copy each selected entry (d_reclen bytes, as glibc
 * does), sort, close. A readdir or allocation failure frees everything. */
static int scan_tail(DIR *dp, struct dirent ***namelist, scan_filter sel, scan_compar cmp)
{
	struct dirent **v = NULL, **nv, *d, *copy;
	size_t n = 0, cap = 0;
	int saved;

	if (!dp)
		return -1;
	saved = errno;
	errno = 0;
	while ((d = readdir(dp)) != NULL) {
		if (sel) {
			int keep = sel(d);

			/* The filter may leave errno set on success; only
			 * readdir's and malloc's count. */
			errno = 0;
			if (!keep)
				continue;
		}
		if (n == cap) {
			cap = cap ? 2 * cap : 10;
			nv = realloc(v, cap * sizeof(*v));
			if (!nv)
				break;
			v = nv;
		}
		copy = malloc(d->d_reclen);
		if (!copy)
			break;
		v[n++] = memcpy(copy, d, d->d_reclen);
		errno = 0;
	}
	if (errno != 0) {
		int e = errno;

		while (n)
			free(v[--n]);
		free(v);
		closedir(dp);
		errno = e;
		return -1;
	}
	closedir(dp);
	if (cmp && n > 0)  /* qsort(NULL, 0) is undefined */
		qsort(v, n, sizeof(*v), FN_CAST(int (*)(const void *, const void *), cmp));
	*namelist = v;
	errno = saved;
	return (int)n;
}

/* glibc's __opendirat, over the public openat. */
static DIR *opendir_at(int dirfd, const char *path)
{
	DIR *d;
	int fd;

	if (!*path) {
		errno = ENOENT;
		return NULL;
	}
	fd = openat(dirfd, path, O_RDONLY | O_NONBLOCK | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0)
		return NULL;
	d = fdopendir(fd);
	if (!d) {
		int e = errno;

		close(fd);
		errno = e;
	}
	return d;
}

SHIM_EXPORT int scandir(const char *path, struct dirent ***namelist, scan_filter sel,
                        scan_compar cmp)
{
	return scan_tail(SHIM_AS("scandir", opendir(path)), namelist, sel, cmp);
}

SHIM_EXPORT int scandir64(const char *path, struct dirent64 ***namelist,
                          int (*sel)(const struct dirent64 *),
                          int (*cmp)(const struct dirent64 **, const struct dirent64 **))
{
	return scan_tail(SHIM_AS("scandir64", opendir(path)), (struct dirent ***)namelist,
	                 FN_CAST(scan_filter, sel), FN_CAST(scan_compar, cmp));
}

SHIM_EXPORT int scandirat(int dirfd, const char *path, struct dirent ***namelist,
                          scan_filter sel, scan_compar cmp)
{
	return scan_tail(SHIM_AS("scandirat", opendir_at(dirfd, path)), namelist, sel, cmp);
}

SHIM_EXPORT int scandirat64(int dirfd, const char *path, struct dirent64 ***namelist,
                            int (*sel)(const struct dirent64 *),
                            int (*cmp)(const struct dirent64 **, const struct dirent64 **))
{
	return scan_tail(SHIM_AS("scandirat64", opendir_at(dirfd, path)),
	                 (struct dirent ***)namelist,
	                 FN_CAST(scan_filter, sel), FN_CAST(scan_compar, cmp));
}

/* ------------------------------------------------------------------ */
/* glob                                                                */
/* ------------------------------------------------------------------ */

/*
 * With GLOB_ALTDIRFUNC, glibc 2.36's glob makes every access through the
 * gl_* callbacks: gl_opendir/gl_readdir/gl_closedir for each directory,
 * gl_stat for GLOB_MARK, GLOB_ONLYDIR and the directory part of a
 * pattern, gl_lstat for the existence check of a name without wildcards.
 * (It also calls dirfd() on the stream, which our gl_opendir makes a real
 * DIR.) The caller's own GLOB_ALTDIRFUNC functions are theirs to confine:
 * their calls to opendir or stat come here anyway.
 */
static void *glob_opendir(const char *path)
{
	return opendir(path);
}

static struct dirent *glob_readdir(void *dir)
{
	return readdir(dir);
}

static void glob_closedir(void *dir)
{
	closedir(dir);
}

static int glob_stat(const char *restrict path, struct stat *restrict st)
{
	return stat(path, st);
}

static int glob_lstat(const char *restrict path, struct stat *restrict st)
{
	return lstat(path, st);
}

typedef int (*glob_errfunc)(const char *, int);

static int glob_common(const char *pattern, int flags, glob_errfunc errfunc, glob_t *g)
{
	/* glob64 is glob on x86_64 (one address, two names). */
	int (*real)(const char *, int, glob_errfunc, glob_t *) = REAL(glob);
	glob_t saved;
	int r;

	if (!real) {
		errno = ENOSYS;
		return GLOB_NOSYS;
	}
	if (!pattern || !g || (flags & GLOB_ALTDIRFUNC))
		return real(pattern, flags, errfunc, g);
	saved = *g;
	g->gl_opendir = glob_opendir;
	g->gl_readdir = glob_readdir;
	g->gl_closedir = glob_closedir;
	g->gl_stat = glob_stat;
	g->gl_lstat = glob_lstat;
	r = real(pattern, flags | GLOB_ALTDIRFUNC, errfunc, g);
	/* Give back what the caller would have seen: glob sets gl_flags to
	 * the flags it ran with, or leaves it alone. */
	if (g->gl_flags != saved.gl_flags)
		g->gl_flags &= ~GLOB_ALTDIRFUNC;
	g->gl_opendir = saved.gl_opendir;
	g->gl_readdir = saved.gl_readdir;
	g->gl_closedir = saved.gl_closedir;
	g->gl_stat = saved.gl_stat;
	g->gl_lstat = saved.gl_lstat;
	return r;
}

SHIM_EXPORT int glob(const char *restrict pattern, int flags, glob_errfunc errfunc,
                     glob_t *restrict g)
{
	return glob_common(pattern, flags, errfunc, g);
}

SHIM_EXPORT int glob64(const char *restrict pattern, int flags, glob_errfunc errfunc,
                       glob64_t *restrict g)
{
	return glob_common(pattern, flags, errfunc, (glob_t *)g);
}

/* ------------------------------------------------------------------ */
/* ftw and nftw                                                        */
/* ------------------------------------------------------------------ */

/* The directories already walked, when symlinks are followed: an open
 * addressing hash set of (dev, ino). */
struct seen_slot {
	dev_t dev;
	ino_t ino;
	bool used;
};

struct seen {
	struct seen_slot *slot;
	size_t cap, n;   /* cap: 0 or a power of two */
};

static size_t seen_hash(dev_t dev, ino_t ino)
{
	uint64_t h = (uint64_t)ino * 0x9e3779b97f4a7c15u ^ (uint64_t)dev * 0xc2b2ae3d27d4eb4fu;

	return (size_t)(h ^ (h >> 29));
}

static struct seen_slot *seen_find(struct seen_slot *slot, size_t cap, dev_t dev, ino_t ino)
{
	size_t i = seen_hash(dev, ino) & (cap - 1);

	while (slot[i].used && !(slot[i].dev == dev && slot[i].ino == ino))
		i = (i + 1) & (cap - 1);
	return &slot[i];
}

/* Add (dev, ino): 0 if it is new, 1 if it was there, -1 (ENOMEM). */
static int seen_add(struct seen *t, dev_t dev, ino_t ino)
{
	struct seen_slot *s;

	if (2 * (t->n + 1) > t->cap) {
		size_t cap = t->cap ? 2 * t->cap : 64;
		struct seen_slot *slot = calloc(cap, sizeof(*slot));

		if (!slot)
			return -1;
		for (size_t i = 0; i < t->cap; i++)
			if (t->slot[i].used)
				*seen_find(slot, cap, t->slot[i].dev, t->slot[i].ino) = t->slot[i];
		free(t->slot);
		t->slot = slot;
		t->cap = cap;
	}
	s = seen_find(t->slot, t->cap, dev, ino);
	if (s->used)
		return 1;
	*s = (struct seen_slot){ .dev = dev, .ino = ino, .used = true };
	t->n++;
	return 0;
}

struct walk {
	char *buf;             /* the path being reported, grown as needed */
	size_t bufsz;
	struct FTW ftw;
	int flags;
	__nftw_func_t nfn;     /* nftw's callback, or */
	__ftw_func_t fn;       /* ftw's */
	dev_t dev;             /* FTW_MOUNT: the starting directory's */
	struct seen seen;
	int cwdfd;             /* FTW_CHDIR: where the walk started, or */
	char *cwd;             /* its name when it cannot be opened */
};

/* ftw knows fewer type codes than nftw: map them as glibc does. */
static int report(struct walk *w, const struct stat *st, int flag)
{
	if (w->nfn)
		return w->nfn(w->buf, st, flag, &w->ftw);
	if (flag == FTW_SL)
		flag = FTW_F;
	else if (flag == FTW_DP)
		flag = FTW_D;
	else if (flag == FTW_SLN)
		flag = FTW_NS;
	return w->fn(w->buf, st, flag);
}

static int walk_fit(struct walk *w, size_t need)
{
	char *p;

	if (need <= w->bufsz)
		return 0;
	p = realloc(w->buf, 2 * need);
	if (!p)
		return -1;
	w->buf = p;
	w->bufsz = 2 * need;
	return 0;
}

/* Where the object being reported is found from the working directory:
 * its name after FTW_CHDIR entered its directory, else its whole path. */
static const char *walk_name(const struct walk *w)
{
	if (!(w->flags & FTW_CHDIR))
		return w->buf;
	return w->buf[w->ftw.base] ? w->buf + w->ftw.base : ".";
}

static int walk_stat(const struct walk *w, struct stat *st, bool follow)
{
	return follow ? stat(walk_name(w), st) : lstat(walk_name(w), st);
}

/*
 * FTW_CHDIR, leaving a directory whose name starts at BASE: back to its
 * parent. glibc goes back through the parent's open stream; holding one
 * per level would cost fds without bound, so the parent is entered again
 * by its path from where the walk started (which also keeps the right
 * parent when the walk came down through a symlink, as chdir("..") would
 * not).
 */
static int walk_back(struct walk *w, int base)
{
	char *slash = w->buf + base - 1;
	int r;

	if (w->buf[0] != '/' &&
	    (w->cwdfd >= 0 ? fchdir(w->cwdfd) : chdir(w->cwd)) < 0)
		return -1;
	if (slash == w->buf)
		return chdir("/");
	*slash = '\0';
	r = chdir(w->buf);
	*slash = '/';
	return r;
}

/* All of D's names but "." and "..", as "a\0b\0\0": the walk reads a
 * directory whole and closes it before it goes down. */
static char *read_names(DIR *d)
{
	size_t len = 0, cap = 1024;
	char *b = malloc(cap), *nb;
	struct dirent *e;

	if (!b)
		return NULL;
	while ((e = readdir(d)) != NULL) {
		size_t n = strlen(e->d_name);

		if (e->d_name[0] == '.' && (n == 1 || (n == 2 && e->d_name[1] == '.')))
			continue;
		if (len + n + 2 > cap) {
			cap = 2 * cap + n;
			nb = realloc(b, cap);
			if (!nb) {
				free(b);
				return NULL;
			}
			b = nb;
		}
		memcpy(b + len, e->d_name, n + 1);
		len += n + 1;
	}
	b[len] = '\0';
	return b;
}

static int walk_entry(struct walk *w, const char *name);

/* Walk the directory whose path is in w->buf and whose stat is ST; CHILD
 * when it was entered from a parent (FTW_CHDIR then goes back there). */
static int walk_dir(struct walk *w, const struct stat *st, bool child)
{
	int prev_base = w->ftw.base, result = 0;
	char *names, *end;
	DIR *d;

	d = opendir(walk_name(w));
	if (!d)
		return errno == EACCES ? report(w, st, FTW_DNR) : -1;
	if (!(w->flags & FTW_DEPTH)) {
		result = report(w, st, FTW_D);
		if (result != 0) {
			closedir_keep_errno(d);
			return result;
		}
	}
	if ((w->flags & FTW_CHDIR) && fchdir(dirfd(d)) < 0) {
		closedir_keep_errno(d);
		return -1;
	}
	names = read_names(d);
	closedir_keep_errno(d);
	if (!names)
		return -1;

	w->ftw.level++;
	end = strchr(w->buf, '\0');
	if (end[-1] != '/')
		*end++ = '/';
	w->ftw.base = (int)(end - w->buf);
	for (const char *p = names; result == 0 && *p; p += strlen(p) + 1)
		result = walk_entry(w, p);
	{
		int e = errno;
		free(names);
		errno = e;
	}
	if ((w->flags & FTW_ACTIONRETVAL) && result == FTW_SKIP_SIBLINGS)
		result = 0;
	w->buf[w->ftw.base - 1] = '\0';
	w->ftw.level--;
	w->ftw.base = prev_base;

	if (result == 0 && (w->flags & FTW_DEPTH))
		result = report(w, st, FTW_DP);
	if (child && (w->flags & FTW_CHDIR) &&
	    (result == 0 || ((w->flags & FTW_ACTIONRETVAL) && result != -1 &&
	                     result != FTW_STOP)) &&
	    walk_back(w, prev_base) < 0)
		result = -1;
	return result;
}

static int walk_entry(struct walk *w, const char *name)
{
	size_t n = strlen(name);
	struct stat st;
	int flag, result;

	if (walk_fit(w, (size_t)w->ftw.base + n + 2) < 0)
		return -1;
	memcpy(w->buf + w->ftw.base, name, n + 1);
	if (walk_stat(w, &st, !(w->flags & FTW_PHYS)) < 0) {
		/* Anything but "cannot" or "gone" ends the walk, as in glibc;
		 * a refused escape is EACCES (unless BENEATH_ERRNO says else). */
		if (errno != EACCES && errno != ENOENT)
			return -1;
		if (w->flags & FTW_PHYS)
			flag = FTW_NS;
		else if (walk_stat(w, &st, false) == 0 && S_ISLNK(st.st_mode))
			flag = FTW_SLN;
		else
			flag = FTW_NS;
	} else if (S_ISDIR(st.st_mode)) {
		flag = FTW_D;
	} else {
		flag = S_ISLNK(st.st_mode) ? FTW_SL : FTW_F;
	}

	if (flag != FTW_NS && (w->flags & FTW_MOUNT) && st.st_dev != w->dev)
		return 0;
	if (flag == FTW_D) {
		if (!(w->flags & FTW_PHYS)) {
			int r = seen_add(&w->seen, st.st_dev, st.st_ino);

			if (r != 0)
				return r < 0 ? -1 : 0;  /* walked already: silence */
		}
		result = walk_dir(w, &st, true);
	} else {
		result = report(w, &st, flag);
	}
	if ((w->flags & FTW_ACTIONRETVAL) && result == FTW_SKIP_SUBTREE)
		result = 0;
	return result;
}

static int walk_start(const char *dir, __nftw_func_t nfn, __ftw_func_t fn, int flags)
{
	struct walk w = { .flags = flags, .nfn = nfn, .fn = fn, .cwdfd = -1 };
	size_t len = strlen(dir);
	struct stat st;
	int result = 0, e;
	char *cp;

	if (len == 0) {
		errno = ENOENT;
		return -1;
	}
	w.bufsz = 2 * len > PATH_MAX ? 2 * len : PATH_MAX;
	w.buf = malloc(w.bufsz);
	if (!w.buf)
		return -1;
	cp = stpcpy(w.buf, dir);
	while (cp > w.buf + 1 && cp[-1] == '/')
		--cp;
	*cp = '\0';
	while (cp > w.buf && cp[-1] != '/')
		--cp;
	w.ftw.base = (int)(cp - w.buf);

	if (flags & FTW_CHDIR) {
		w.cwdfd = open(".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
		if (w.cwdfd < 0) {
			/* A working directory we may search but not read. */
			if (errno == EACCES)
				w.cwd = getcwd(NULL, 0);
			/* (glibc returns 0 here, with nothing walked) */
			if (!w.cwd) {
				result = -1;
				goto out;
			}
		}
		if (w.ftw.base == 1) {
			result = chdir("/");
		} else if (w.ftw.base > 1) {
			char ch = w.buf[w.ftw.base - 1];

			w.buf[w.ftw.base - 1] = '\0';
			result = chdir(w.buf);
			w.buf[w.ftw.base - 1] = ch;
		}
	}

	if (result == 0) {
		bool phys = flags & FTW_PHYS;

		if (walk_stat(&w, &st, !phys) < 0) {
			if (!phys && errno == ENOENT && walk_stat(&w, &st, false) == 0 &&
			    S_ISLNK(st.st_mode))
				result = report(&w, &st, FTW_SLN);
			else
				result = -1;  /* nothing to say about it */
		} else if (S_ISDIR(st.st_mode)) {
			w.dev = st.st_dev;
			if (!phys && seen_add(&w.seen, st.st_dev, st.st_ino) < 0)
				result = -1;
			if (result == 0)
				result = walk_dir(&w, &st, false);
		} else {
			result = report(&w, &st, S_ISLNK(st.st_mode) ? FTW_SL : FTW_F);
		}
		if ((flags & FTW_ACTIONRETVAL) &&
		    (result == FTW_SKIP_SUBTREE || result == FTW_SKIP_SIBLINGS))
			result = 0;
	}

	/* Back where it started; if that fails there is nowhere better to
	 * go, and glibc does not say either. */
	e = errno;
	if (w.cwdfd >= 0) {
		(void)fchdir(w.cwdfd);
		close(w.cwdfd);
	} else if (w.cwd) {
		(void)chdir(w.cwd);
		free(w.cwd);
	}
	errno = e;
out:
	e = errno;
	free(w.seen.slot);
	free(w.buf);
	errno = e;
	return result;
}

#define NFTW_FLAGS (FTW_PHYS | FTW_MOUNT | FTW_CHDIR | FTW_DEPTH | FTW_ACTIONRETVAL)

/*
 * One definition catches both symbol versions of nftw: this is the
 * GLIBC_2.3.3 one, which refuses unknown flags (GLIBC_2.1's ignored them).
 */
static int nftw_common(const char *dir, __nftw_func_t fn, int flags)
{
	if (flags & ~NFTW_FLAGS) {
		errno = EINVAL;
		return -1;
	}
	return walk_start(dir, fn, NULL, flags);
}

SHIM_EXPORT int nftw(const char *dir, __nftw_func_t fn, int nopenfd, int flags)
{
	return nftw_common(dir, fn, flags);
}

SHIM_EXPORT int nftw64(const char *dir, __nftw64_func_t fn, int nopenfd, int flags)
{
	return nftw_common(dir, FN_CAST(__nftw_func_t, fn), flags);
}

SHIM_EXPORT int ftw(const char *dir, __ftw_func_t fn, int nopenfd)
{
	return walk_start(dir, NULL, fn, 0);
}

SHIM_EXPORT int ftw64(const char *dir, __ftw64_func_t fn, int nopenfd)
{
	return walk_start(dir, NULL, FN_CAST(__ftw_func_t, fn), 0);
}

/* ------------------------------------------------------------------ */
/* fts                                                                 */
/* ------------------------------------------------------------------ */

/*
 * glibc's fts (4.4BSD's) with FTS_NOCHDIR always on: it never changes
 * directory, so fts_accpath is fts_path and every access is by the whole
 * path, which the shim confines. FTSENTs and the FTS handle are glibc's
 * structures: every fts_path points into the handle's one path buffer,
 * entries are allocated with their name and stat buffer in one block, and
 * an entry is freed when fts_read moves past it.
 */

/* fts_build's callers */
enum { BUILD_CHILD = 1, BUILD_NAMES, BUILD_READ };

#define FTS_ALIGN (__alignof__(long double) - 1)
#define ISSET(sp, opt) ((sp)->fts_options & (opt))
#define ISDOT(a) ((a)[0] == '.' && (!(a)[1] || ((a)[1] == '.' && !(a)[2])))

/* The length of P's path to append a name to (no doubled '/'). */
static size_t fts_append_at(const FTSENT *p)
{
	return p->fts_path[p->fts_pathlen - 1] == '/' ? p->fts_pathlen - 1u : p->fts_pathlen;
}

/* An entry with room for its name and, after it, its stat buffer. glibc
 * leaves fts_statp dangling under FTS_NOSTAT; here it points at zeros,
 * so that a program that reads it anyway reads nothing worse. */
static FTSENT *fts_new(FTS *sp, const char *name, size_t namelen)
{
	size_t len = sizeof(FTSENT) + namelen + sizeof(struct stat) + FTS_ALIGN;
	FTSENT *p;

	p = malloc(len);
	if (!p)
		return NULL;
	memset(p, 0, offsetof(FTSENT, fts_name));
	memcpy(p->fts_name, name, namelen);
	p->fts_name[namelen] = '\0';
	p->fts_statp = (struct stat *)(((uintptr_t)(p->fts_name + namelen + 1) + FTS_ALIGN) &
	                               ~(uintptr_t)FTS_ALIGN);
	if (ISSET(sp, FTS_NOSTAT))
		memset(p->fts_statp, 0, sizeof(*p->fts_statp));
	p->fts_namelen = (unsigned short)namelen;
	p->fts_path = sp->fts_path;
	p->fts_instr = FTS_NOINSTR;
	return p;
}

static void fts_free_list(FTSENT *p)
{
	while (p) {
		FTSENT *next = p->fts_link;

		free(p);
		p = next;
	}
}

/* Grow the path buffer by MORE (and some); it stays below USHRT_MAX, the
 * limit of an FTSENT's fts_pathlen. 0 or -1 with errno. */
static int fts_grow(FTS *sp, size_t more)
{
	size_t len = (size_t)sp->fts_pathlen + more + 256;
	char *p;

	if (len >= USHRT_MAX) {
		free(sp->fts_path);
		sp->fts_path = NULL;
		errno = ENAMETOOLONG;
		return -1;
	}
	p = realloc(sp->fts_path, len);
	if (!p) {
		free(sp->fts_path);
		sp->fts_path = NULL;
		return -1;
	}
	sp->fts_path = p;
	sp->fts_pathlen = (int)len;
	return 0;
}

/* The path buffer moved: point the pending entries at the new one. */
static void fts_moved(FTS *sp, FTSENT *head)
{
	char *addr = sp->fts_path;

#define FTS_ADJUST(p)                                                          \
	do {                                                                   \
		if ((p)->fts_accpath != (p)->fts_name)                         \
			(p)->fts_accpath = addr;                               \
		(p)->fts_path = addr;                                          \
	} while (0)
	for (FTSENT *p = sp->fts_child; p; p = p->fts_link)
		FTS_ADJUST(p);
	for (FTSENT *p = head; p && p->fts_level >= FTS_ROOTLEVEL;) {
		FTS_ADJUST(p);
		p = p->fts_link ? p->fts_link : p->fts_parent;
	}
#undef FTS_ADJUST
}

static unsigned short fts_stat1(FTS *sp, FTSENT *p, bool follow)
{
	struct stat sb, *sbp = ISSET(sp, FTS_NOSTAT) ? &sb : p->fts_statp;

	if (ISSET(sp, FTS_LOGICAL) || follow) {
		if (stat(p->fts_accpath, sbp) < 0) {
			int e = errno;

			/* A link that leads nowhere, or nowhere we may go. */
			if (lstat(p->fts_accpath, sbp) == 0) {
				errno = 0;
				return FTS_SLNONE;
			}
			p->fts_errno = e;
			memset(sbp, 0, sizeof(*sbp));
			return FTS_NS;
		}
	} else if (lstat(p->fts_accpath, sbp) < 0) {
		p->fts_errno = errno;
		memset(sbp, 0, sizeof(*sbp));
		return FTS_NS;
	}

	if (S_ISDIR(sbp->st_mode)) {
		p->fts_dev = sbp->st_dev;
		p->fts_ino = sbp->st_ino;
		p->fts_nlink = sbp->st_nlink;
		if (ISDOT(p->fts_name))
			return FTS_DOT;
		for (FTSENT *t = p->fts_parent; t && t->fts_level >= FTS_ROOTLEVEL; t = t->fts_parent)
			if (t->fts_ino == p->fts_ino && t->fts_dev == p->fts_dev) {
				p->fts_cycle = t;
				return FTS_DC;
			}
		return FTS_D;
	}
	if (S_ISLNK(sbp->st_mode))
		return FTS_SL;
	if (S_ISREG(sbp->st_mode))
		return FTS_F;
	return FTS_DEFAULT;
}

/* Order N entries with the caller's compar; unsorted if memory is short. */
static FTSENT *fts_sort(FTS *sp, FTSENT *head, int n)
{
	FTSENT **ap, *p;

	if (n > sp->fts_nitems) {
		FTSENT **a;

		sp->fts_nitems = n + 40;
		a = realloc(sp->fts_array, (size_t)sp->fts_nitems * sizeof(*a));
		if (!a) {
			free(sp->fts_array);
			sp->fts_array = NULL;
			sp->fts_nitems = 0;
			return head;
		}
		sp->fts_array = a;
	}
	for (ap = sp->fts_array, p = head; p; p = p->fts_link)
		*ap++ = p;
	qsort(sp->fts_array, (size_t)n, sizeof(FTSENT *), sp->fts_compar);
	for (head = *(ap = sp->fts_array); --n; ++ap)
		ap[0]->fts_link = ap[1];
	ap[0]->fts_link = NULL;
	return head;
}

/* Stop the walk: an error it cannot report on an entry. */
static FTSENT *fts_fail(FTS *sp, FTSENT *cur, FTSENT *head, DIR *d, int err)
{
	fts_free_list(head);
	closedir(d);
	cur->fts_info = FTS_ERR;
	sp->fts_options |= FTS_STOP;
	errno = err;
	return NULL;
}

/* The entries of the current directory, in readdir order or sorted. */
static FTSENT *fts_build(FTS *sp, int type)
{
	FTSENT *cur = sp->fts_cur, *p, *head = NULL, *tail = NULL;
	size_t len, maxlen;
	int nitems = 0, nlinks;
	bool nostat = false, moved = false;
	struct dirent *dp;
	char *cp;
	DIR *d;

	d = opendir(cur->fts_accpath);
	if (!d) {
		if (type == BUILD_READ) {
			cur->fts_info = FTS_DNR;
			cur->fts_errno = errno;
		}
		return NULL;
	}
	/* How many subdirectories may still come when stat is skipped
	 * (FTS_NOSTAT: the link count says), 0 for no stat at all, -1 for
	 * a stat of everything. */
	if (type == BUILD_NAMES) {
		nlinks = 0;
	} else if (ISSET(sp, FTS_NOSTAT) && ISSET(sp, FTS_PHYSICAL)) {
		nlinks = (int)cur->fts_nlink - (ISSET(sp, FTS_SEEDOT) ? 0 : 2);
		nostat = true;
	} else {
		nlinks = -1;
	}

	len = fts_append_at(cur);
	cp = sp->fts_path + len;
	*cp++ = '/';
	len++;
	maxlen = (size_t)sp->fts_pathlen - len;

	while ((dp = readdir(d)) != NULL) {
		size_t nlen = strlen(dp->d_name);

		if (!ISSET(sp, FTS_SEEDOT) && ISDOT(dp->d_name))
			continue;
		p = fts_new(sp, dp->d_name, nlen);
		if (!p)
			return fts_fail(sp, cur, head, d, errno);
		if (nlen >= maxlen) {
			char *old = sp->fts_path;

			if (fts_grow(sp, nlen + len + 1) < 0) {
				free(p);
				return fts_fail(sp, cur, head, d, errno);
			}
			if (old != sp->fts_path) {
				moved = true;
				cp = sp->fts_path + len;
			}
			maxlen = (size_t)sp->fts_pathlen - len;
		}
		if (len + nlen >= USHRT_MAX) {
			free(p);
			return fts_fail(sp, cur, head, d, ENAMETOOLONG);
		}
		p->fts_level = (short)(cur->fts_level + 1);
		p->fts_parent = cur;
		p->fts_pathlen = (unsigned short)(len + nlen);
		p->fts_path = p->fts_accpath = sp->fts_path;
		if (nlinks == 0 ||
		    (nostat && dp->d_type != DT_DIR && dp->d_type != DT_UNKNOWN)) {
			p->fts_info = FTS_NSOK;
		} else {
			memcpy(cp, p->fts_name, nlen + 1);
			p->fts_info = fts_stat1(sp, p, false);
			if (nlinks > 0 && (p->fts_info == FTS_D || p->fts_info == FTS_DC ||
			                   p->fts_info == FTS_DOT))
				nlinks--;
		}
		if (tail)
			tail->fts_link = p;
		else
			head = p;
		tail = p;
		nitems++;
	}
	closedir(d);
	if (moved)
		fts_moved(sp, head);
	/* The path buffer back to the directory's own path (glibc leaves the
	 * '/' when there were entries). */
	if (len == (size_t)sp->fts_pathlen || nitems == 0)
		--cp;
	*cp = '\0';

	if (nitems == 0) {
		if (type == BUILD_READ)
			cur->fts_info = FTS_DP;
		return NULL;
	}
	if (sp->fts_compar && nitems > 1)
		head = fts_sort(sp, head, nitems);
	return head;
}

/* Make root P the current path: its name becomes its last component. */
static void fts_load(FTS *sp, FTSENT *p)
{
	size_t len = p->fts_namelen;
	char *cp;

	p->fts_pathlen = (unsigned short)len;
	memmove(sp->fts_path, p->fts_name, len + 1);
	cp = strrchr(p->fts_name, '/');
	if (cp && (cp != p->fts_name || cp[1])) {
		len = strlen(++cp);
		memmove(p->fts_name, cp, len + 1);
		p->fts_namelen = (unsigned short)len;
	}
	p->fts_accpath = p->fts_path = sp->fts_path;
	sp->fts_dev = p->fts_dev;
}

SHIM_EXPORT FTS *fts_open(char *const *argv, int options,
                          int (*compar)(const FTSENT **, const FTSENT **))
{
	FTSENT *p, *root = NULL, *tail = NULL, *parent = NULL;
	size_t maxarg = 0;
	int nitems = 0, e;
	FTS *sp;

	if (options & ~FTS_OPTIONMASK) {
		errno = EINVAL;
		return NULL;
	}
	sp = calloc(1, sizeof(*sp));
	if (!sp)
		return NULL;
	sp->fts_compar = FN_CAST(int (*)(const void *, const void *), compar);
	/* Never chdir: the walk goes by whole paths, which the shim confines. */
	sp->fts_options = options | FTS_NOCHDIR;

	for (char *const *a = argv; *a; a++)
		if (strlen(*a) + 1 > maxarg)
			maxarg = strlen(*a) + 1;
	if (fts_grow(sp, maxarg > 1024 ? maxarg : 1024) < 0)
		goto fail;
	sp->fts_path[0] = '\0';

	if (*argv) {
		parent = fts_new(sp, "", 0);
		if (!parent)
			goto fail;
		parent->fts_level = FTS_ROOTPARENTLEVEL;
	}
	for (; *argv; argv++, nitems++) {
		size_t len = strlen(*argv);

		if (len == 0) {
			errno = ENOENT;
			goto fail;
		}
		p = fts_new(sp, *argv, len);
		if (!p)
			goto fail;
		p->fts_level = FTS_ROOTLEVEL;
		p->fts_parent = parent;
		p->fts_accpath = p->fts_name;
		p->fts_info = fts_stat1(sp, p, ISSET(sp, FTS_COMFOLLOW));
		/* "." and ".." named by the caller are directories to walk. */
		if (p->fts_info == FTS_DOT)
			p->fts_info = FTS_D;
		if (compar) {
			p->fts_link = root;
			root = p;
		} else {
			if (tail)
				tail->fts_link = p;
			else
				root = p;
			tail = p;
		}
	}
	if (compar && nitems > 1)
		root = fts_sort(sp, root, nitems);

	/* A node "before" the roots, so that fts_read starts with them. */
	sp->fts_cur = fts_new(sp, "", 0);
	if (!sp->fts_cur)
		goto fail;
	sp->fts_cur->fts_link = root;
	sp->fts_cur->fts_info = FTS_INIT;
	return sp;

fail:
	e = errno;
	fts_free_list(root);
	free(parent);
	free(sp->fts_array);
	free(sp->fts_path);
	free(sp);
	errno = e;
	return NULL;
}

/* The path buffer holds P's path: its parent's, '/', its name. */
static void fts_set_path(FTS *sp, const FTSENT *p)
{
	char *t = sp->fts_path + fts_append_at(p->fts_parent);

	*t++ = '/';
	memmove(t, p->fts_name, (size_t)p->fts_namelen + 1);
}

SHIM_EXPORT FTSENT *fts_read(FTS *sp)
{
	FTSENT *p, *tmp;
	int instr;

	if (!sp->fts_cur || ISSET(sp, FTS_STOP))
		return NULL;
	p = sp->fts_cur;
	instr = p->fts_instr;
	p->fts_instr = FTS_NOINSTR;

	if (instr == FTS_AGAIN) {
		p->fts_info = fts_stat1(sp, p, false);
		return p;
	}
	if (instr == FTS_FOLLOW && (p->fts_info == FTS_SL || p->fts_info == FTS_SLNONE)) {
		p->fts_info = fts_stat1(sp, p, true);
		return p;
	}

	if (p->fts_info == FTS_D) {
		/* Skipped, or on another device under FTS_XDEV: straight to
		 * the post-order visit. */
		if (instr == FTS_SKIP || (ISSET(sp, FTS_XDEV) && p->fts_dev != sp->fts_dev)) {
			fts_free_list(sp->fts_child);
			sp->fts_child = NULL;
			p->fts_info = FTS_DP;
			return p;
		}
		/* fts_children(FTS_NAMEONLY) read names only: read again. */
		if (sp->fts_child && ISSET(sp, FTS_NAMEONLY)) {
			sp->fts_options &= ~FTS_NAMEONLY;
			fts_free_list(sp->fts_child);
			sp->fts_child = NULL;
		}
		if (!sp->fts_child) {
			sp->fts_child = fts_build(sp, BUILD_READ);
			if (!sp->fts_child)
				return ISSET(sp, FTS_STOP) ? NULL : p;
		}
		/* The first entry: an FTS_FOLLOW set on it through
		 * fts_children is seen by the next fts_read, as in glibc. */
		p = sp->fts_child;
		sp->fts_child = NULL;
		sp->fts_cur = p;
		fts_set_path(sp, p);
		return p;
	}

next:
	tmp = p;
	p = p->fts_link;
	if (p) {
		sp->fts_cur = p;
		free(tmp);
		if (p->fts_level == FTS_ROOTLEVEL) {
			fts_load(sp, p);
			return p;
		}
		if (p->fts_instr == FTS_SKIP)
			goto next;
		fts_set_path(sp, p);
		/* (glibc stats it before its path is in place, which works
		 * only when it has changed directory) */
		if (p->fts_instr == FTS_FOLLOW) {
			p->fts_info = fts_stat1(sp, p, true);
			p->fts_instr = FTS_NOINSTR;
		}
		return p;
	}

	/* Up to the parent. */
	p = tmp->fts_parent;
	sp->fts_cur = p;
	free(tmp);
	if (!p || p->fts_level == FTS_ROOTPARENTLEVEL) {
		/* Done: errno 0 tells the end from an error. */
		free(p);
		errno = 0;
		return sp->fts_cur = NULL;
	}
	sp->fts_path[p->fts_pathlen] = '\0';
	p->fts_info = p->fts_errno ? FTS_ERR : FTS_DP;
	return p;
}

SHIM_EXPORT int fts_set(FTS *sp, FTSENT *p, int instr)
{
	if (instr != 0 && instr != FTS_AGAIN && instr != FTS_FOLLOW && instr != FTS_NOINSTR &&
	    instr != FTS_SKIP) {
		errno = EINVAL;
		return 1;
	}
	p->fts_instr = (unsigned short)instr;
	return 0;
}

SHIM_EXPORT FTSENT *fts_children(FTS *sp, int instr)
{
	FTSENT *p = sp->fts_cur;

	if (instr != 0 && instr != FTS_NAMEONLY) {
		errno = EINVAL;
		return NULL;
	}
	/* errno 0 tells an empty directory from an error. */
	errno = 0;
	if (!p || ISSET(sp, FTS_STOP))
		return NULL;
	if (p->fts_info == FTS_INIT)
		return p->fts_link;
	if (p->fts_info != FTS_D)
		return NULL;
	fts_free_list(sp->fts_child);
	sp->fts_child = NULL;
	if (instr == FTS_NAMEONLY) {
		sp->fts_options |= FTS_NAMEONLY;
		instr = BUILD_NAMES;
	} else {
		instr = BUILD_CHILD;
	}
	return sp->fts_child = fts_build(sp, instr);
}

SHIM_EXPORT int fts_close(FTS *sp)
{
	FTSENT *p = sp->fts_cur;

	/* The current entry, what is left of its directory and of each
	 * directory above it, up to the roots' parent. */
	while (p && p->fts_level >= FTS_ROOTLEVEL) {
		FTSENT *freep = p;

		p = p->fts_link ? p->fts_link : p->fts_parent;
		free(freep);
	}
	free(p);
	fts_free_list(sp->fts_child);
	free(sp->fts_array);
	free(sp->fts_path);
	free(sp);
	return 0;
}

/* x86_64: FTS64 and FTSENT64 are FTS and FTSENT. */
SHIM_EXPORT FTS64 *fts64_open(char *const *argv, int options,
                              int (*compar)(const FTSENT64 **, const FTSENT64 **))
{
	return (FTS64 *)fts_open(argv, options,
	                         FN_CAST(int (*)(const FTSENT **, const FTSENT **), compar));
}

SHIM_EXPORT FTSENT64 *fts64_read(FTS64 *sp)
{
	return (FTSENT64 *)fts_read((FTS *)sp);
}

SHIM_EXPORT int fts64_set(FTS64 *sp, FTSENT64 *p, int instr)
{
	return fts_set((FTS *)sp, (FTSENT *)p, instr);
}

SHIM_EXPORT FTSENT64 *fts64_children(FTS64 *sp, int instr)
{
	return (FTSENT64 *)fts_children((FTS *)sp, instr);
}

SHIM_EXPORT int fts64_close(FTS64 *sp)
{
	return fts_close((FTS *)sp);
}
