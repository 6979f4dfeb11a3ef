/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Which root a path is under, and the root directory fds.
 *
 * Matching is a hash lookup per component boundary of the path (longest
 * first), never a scan of the roots: a thousand per-user roots are
 * normal. Fixed roots are keyed by their text, in the configured spelling
 * and the canonical one; wildcard roots ("/home/ * /www") by their text
 * with "*" in place of the matched component, one hash per distinct
 * wildcard shape (usually one).
 *
 * Root fds live in a small cache of slots, so a thousand roots do not eat
 * a program's fd budget. A slot is only taken or refilled under a spin
 * flag that is only ever tried, never waited on without bound: a call
 * that cannot get it (a signal handler that interrupted the holder, or
 * heavy contention) opens a private root fd for itself. Every slot in use
 * is pinned by a reference count, so an fd is never closed or replaced
 * while a call resolves through it.
 */
#include <fcntl.h>
#include <limits.h>
#include <pthread.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/syscall.h>

#include "shim.h"

#define MAX_COMPONENTS 64
#define CACHE_MAX 64
#define LOCK_SPINS 2000

struct key {
	uint64_t hash;
	const char *text;      /* NUL-terminated, in the arena or config */
	uint32_t len;
	uint32_t root;         /* index into cfg.roots */
};

struct shape {
	uint64_t mask;         /* bit i: component i is a wildcard */
	uint64_t levels;       /* bit i: a pattern has i + 1 components */
};

struct slot {
	_Atomic int refs;
	int fd;
	uint64_t hash;
	uint64_t tick;
	size_t len;
	char *path;            /* PATH_MAX bytes in the mapping */
};

static bool nested_in(const char *outer, const char *inner);

static struct {
	struct key *fixed;     /* open addressing, fixed_mask + 1 entries */
	size_t fixed_mask;
	uint64_t fixed_levels; /* bit i: a fixed key with i + 1 components */
	int max_comp;          /* no root has more components: stop there */
	int *fd_roots;         /* per root: our duplicate of an fd=N root */
	const char **canon;    /* per root: its canonical spelling, or NULL */
	bool *nested_ro;       /* per root: an ro root lies inside it */
	int *canon_wdepth;     /* per wildcard root: the "*" component in the
	                        * canonical spelling of its prefix */
	bool slash_root;       /* "/" itself is a root */
	uint32_t slash_index;
	struct key *wild;
	size_t wild_mask;
	struct shape shapes[8];
	int nshapes;
	struct slot slots[CACHE_MAX];
	int nslots;
	int fd_base;
	atomic_flag lock;
	uint64_t clock;
	long pid;              /* the process whose fd table the slots are in */
} R = { .lock = ATOMIC_FLAG_INIT };

static int move_high(int fd);
static void own_close(int fd);
static void unlock(void);

static uint64_t fnv_step(uint64_t h, unsigned char c)
{
	return (h ^ c) * 0x100000001b3ull;
}

#define FNV_INIT 0xcbf29ce484222325ull

static uint64_t fnv(const char *s, size_t n)
{
	uint64_t h = FNV_INIT;

	while (n--)
		h = fnv_step(h, (unsigned char)*s++);
	return h;
}

int shim_normalize(const char *in, char *out, size_t outsz)
{
	size_t o = 0;

	/* Most paths have nothing to collapse: copy until the end, or until
	 * a "//" or "/." says the slow way is needed (IN may be OUT). */
	for (size_t i = 0; i < outsz; i++) {
		char ch = in[i];

		if (ch == '/' && (in[i + 1] == '/' || in[i + 1] == '.'))
			break;
		out[i] = ch;
		if (!ch)
			return (int)i;
	}
	for (const char *p = in; *p;) {
		if (p[0] == '/' && p[1] == '/') {
			p++;
			continue;
		}
		if (p[0] == '/' && p[1] == '.' && p[2] == '/') {
			p += 2;
			continue;
		}
		if (o + 1 >= outsz)
			return -ENAMETOOLONG;
		out[o++] = *p++;
	}
	out[o] = '\0';
	return (int)o;
}

/* ------------------------------------------------------------------ */
/* Setup                                                              */
/* ------------------------------------------------------------------ */

static void *map(size_t size)
{
	void *p = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	return p == MAP_FAILED ? NULL : p;
}

static size_t pow2_above(size_t n)
{
	size_t s = 16;

	while (s < 2 * n)
		s <<= 1;
	return s;
}

static int count_components(const char *p, size_t len)
{
	int n = 0;

	for (size_t i = 0; i < len; i++)
		if (p[i] == '/' && i + 1 < len)
			n++;
	return len > 1 ? n : 0;
}

static uint64_t wild_mask_of(const char *p, size_t len)
{
	uint64_t mask = 0;
	int comp = -1;

	for (size_t i = 0; i < len; i++) {
		if (p[i] == '/') {
			comp++;
			if (i + 2 <= len && p[i + 1] == '*' && (i + 2 == len || p[i + 2] == '/'))
				mask |= 1ull << comp;
		}
	}
	return mask;
}

static void insert(struct key *t, size_t mask, const char *text, size_t len, uint32_t root)
{
	uint64_t h = fnv(text, len);
	size_t i = h & mask;

	while (t[i].text) {
		if (t[i].len == len && memcmp(t[i].text, text, len) == 0)
			return;  /* an alias equal to another root's spelling */
		i = (i + 1) & mask;
	}
	t[i] = (struct key){ .hash = h, .text = text, .len = (uint32_t)len, .root = root };
}

static char *strings;
static size_t strings_used, strings_size;

static const char *keep(const char *s, size_t n)
{
	char *d;

	if (strings_used + n + 1 > strings_size)
		return NULL;
	d = strings + strings_used;
	memcpy(d, s, n);
	d[n] = '\0';
	strings_used += n + 1;
	return d;
}

/* The canonical spelling of an open directory, from /proc. */
void shim_proc_path(char *buf, int fd)
{
	char d[12];
	int n = 0, o = 14;

	memcpy(buf, "/proc/self/fd/", 14);
	do
		d[n++] = (char)('0' + fd % 10);
	while ((fd /= 10) > 0);
	while (n)
		buf[o++] = d[--n];
	buf[o] = '\0';
}

ssize_t shim_fd_host_path(int fd, char *buf, size_t size)
{
	char proc[32];
	ssize_t r;

	shim_proc_path(proc, fd);
	r = bsys_readlinkat(AT_FDCWD, proc, buf, size - 1);
	if (r <= 0 || (size_t)r >= size - 1 || buf[0] != '/')
		return -1;
	buf[r] = '\0';
	return r;
}

static int add_shape(uint64_t mask, int ncomp)
{
	for (int i = 0; i < R.nshapes; i++) {
		if (R.shapes[i].mask == mask) {
			R.shapes[i].levels |= 1ull << (ncomp - 1);
			return 0;
		}
	}
	if (R.nshapes == (int)(sizeof(R.shapes) / sizeof(R.shapes[0])))
		return -1;
	R.shapes[R.nshapes++] = (struct shape){ .mask = mask, .levels = 1ull << (ncomp - 1) };
	return 0;
}

/* A message for "beneath: ..." on one line: control bytes in a root's
 * path are written \xNN, as config.c writes them. */
static void put_msg(char *err, size_t errsz, const char *a, const char *b)
{
	static const char hex[] = "0123456789abcdef";
	size_t n = 0;

	for (const char *s = a; *s && n + 1 < errsz; s++)
		err[n++] = *s;
	for (const char *s = b; s && *s && n + 5 < errsz; s++) {
		unsigned char ch = (unsigned char)*s;

		if (ch < 0x20 || ch == 0x7f) {
			err[n++] = '\\';
			err[n++] = 'x';
			err[n++] = hex[ch >> 4];
			err[n++] = hex[ch & 15];
		} else {
			err[n++] = (char)ch;
		}
	}
	err[n] = '\0';
}

/* One wildcard root (or its canonical alias). */
static int add_pattern(const char *text, size_t len, uint32_t index, char *err, size_t errsz)
{
	int ncomp = count_components(text, len);

	if (ncomp > MAX_COMPONENTS) {
		put_msg(err, errsz, "BENEATH_ROOTS: root too deep: ", text);
		return -1;
	}
	if (add_shape(wild_mask_of(text, len), ncomp) < 0) {
		put_msg(err, errsz, "BENEATH_ROOTS: too many wildcard shapes at ", text);
		return -1;
	}
	insert(R.wild, R.wild_mask, text, len, index);
	return 0;
}

static int open_fixed(const struct shim_root_cfg *rc)
{
	return bsys_openat(AT_FDCWD, rc->path, O_PATH | O_DIRECTORY | O_CLOEXEC, 0);
}

static int fixed_error(const struct shim_root_cfg *rc, int r, char *err, size_t errsz)
{
	if (rc->fd >= 0)
		put_msg(err, errsz, "BENEATH_ROOTS: fd= is not an open directory for ", rc->path);
	else if (r == -ENOENT)
		put_msg(err, errsz, "BENEATH_ROOTS: root does not exist: ", rc->path);
	else
		put_msg(err, errsz, "BENEATH_ROOTS: root is not a directory: ", rc->path);
	return -1;
}

/* The canonical spelling of the last parent seen: per-user roots share
 * one parent, and a thousand of them must not cost a thousand /proc
 * lookups before main(). */
struct parent_cache {
	char path[PATH_MAX];
	size_t len;
	char canon[PATH_MAX];
	ssize_t canon_len;     /* -1: unknown */
};

/* A root's canonical spelling, matched like the configured one. One we
 * could not match would be a way around the root: refuse to start. */
static int add_alias(const struct shim_root_cfg *rc, uint32_t i, const char *canon, size_t n,
                     char *err, size_t errsz)
{
	const char *t;
	int ncomp;

	if (n <= 1 || (n == rc->path_len && memcmp(canon, rc->path, n) == 0))
		return 0;
	ncomp = count_components(canon, n);
	t = ncomp <= MAX_COMPONENTS ? keep(canon, n) : NULL;
	if (!t) {
		put_msg(err, errsz, "BENEATH_ROOTS: root's real path too deep or too long: ",
		        rc->path);
		return -1;
	}
	R.canon[i] = t;
	insert(R.fixed, R.fixed_mask, t, n, i);
	R.fixed_levels |= 1ull << (ncomp - 1);
	return 0;
}

/*
 * A fixed root must exist now, as a directory: fail before main, not
 * later. Its canonical spelling is its parent's plus its own name when
 * the root itself is not a symlink; otherwise ask /proc.
 */
static int fixed_root(const struct shim_root_cfg *rc, uint32_t i, struct parent_cache *pc,
                      char *err, size_t errsz)
{
	char canon[PATH_MAX];
	struct stat st;
	ssize_t n;
	int fd, r;

	if (rc->ncomponents > MAX_COMPONENTS) {
		put_msg(err, errsz, "BENEATH_ROOTS: root too deep: ", rc->path);
		return -1;
	}
	if (rc->path_len == 1) {
		R.slash_root = true;
		R.slash_index = i;
	} else {
		insert(R.fixed, R.fixed_mask, rc->path, rc->path_len, i);
		R.fixed_levels |= 1ull << (rc->ncomponents - 1);
	}
	if (rc->path_len == 1 && rc->fd < 0)
		return 0;
	if (rc->fd < 0) {
		r = bsys_fstatat(AT_FDCWD, rc->path, &st, AT_SYMLINK_NOFOLLOW);
		if (r < 0 || !(S_ISDIR(st.st_mode) || S_ISLNK(st.st_mode)))
			return fixed_error(rc, r, err, errsz);
		/* "sub/.." or "." as the last step: the parent's spelling plus
		 * the name would be wrong, so ask /proc. */
		if (S_ISDIR(st.st_mode) && !strstr(rc->path, "/.")) {
			size_t plen = (size_t)(strrchr(rc->path, '/') - rc->path);
			if (pc->canon_len < 0 || plen != pc->len || memcmp(pc->path, rc->path, plen)) {
				memcpy(pc->path, rc->path, plen);
				pc->path[plen] = '\0';
				pc->len = plen;
				fd = bsys_openat(AT_FDCWD, plen ? pc->path : "/",
				                 O_PATH | O_DIRECTORY | O_CLOEXEC, 0);
				pc->canon_len = fd >= 0 ? shim_fd_host_path(fd, pc->canon, sizeof(pc->canon)) : -1;
				if (fd >= 0)
					bsys_close(fd);
				if (pc->canon_len == 1)
					pc->canon_len = 0;  /* "/" + name */
			}
			n = pc->canon_len;
			if (n < 0)
				return 0;  /* no parent: the root itself cannot exist */
			if ((size_t)n + rc->path_len - plen >= sizeof(canon)) {
				put_msg(err, errsz, "BENEATH_ROOTS: root's real path too long: ",
				        rc->path);
				return -1;
			}
			memcpy(canon, pc->canon, (size_t)n);
			memcpy(canon + n, rc->path + plen, rc->path_len - plen);
			return add_alias(rc, i, canon, (size_t)n + rc->path_len - plen, err, errsz);
		}
	}
	fd = rc->fd >= 0 ? bsys_fcntl(rc->fd, F_DUPFD_CLOEXEC, 3) : open_fixed(rc);
	r = fd < 0 ? fd : bsys_fstat(fd, &st);
	if (r < 0 || !S_ISDIR(st.st_mode)) {
		if (fd >= 0)
			bsys_close(fd);
		return fixed_error(rc, r, err, errsz);
	}
	n = shim_fd_host_path(fd, canon, sizeof(canon));
	if (rc->fd >= 0)
		R.fd_roots[i] = fd;  /* moved high once the slots are known */
	else
		bsys_close(fd);
	if (n > 0)
		return add_alias(rc, i, canon, (size_t)n, err, errsz);
	return 0;
}

int shim_roots_setup(char *err, size_t errsz)
{
	const struct shim_config *cfg = &shim.cfg;
	size_t nfixed = 0, nwild = 0;
	struct rlimit rl;
	char canon[PATH_MAX];
	static struct parent_cache pc = { .canon_len = -1 };

	for (size_t i = 0; i < cfg->nroots; i++) {
		if (cfg->roots[i].wildcard_depth >= 0)
			nwild++;
		else
			nfixed++;
	}
	R.fixed_mask = pow2_above(2 * nfixed) - 1;
	R.wild_mask = pow2_above(2 * nwild) - 1;
	R.fixed = map((R.fixed_mask + 1) * sizeof(struct key));
	R.wild = map((R.wild_mask + 1) * sizeof(struct key));
	/* Canonical spellings: at most one per root, each up to PATH_MAX
	 * (untouched pages of the mapping cost nothing). */
	strings_size = cfg->nroots * (size_t)PATH_MAX + 1;
	strings = map(strings_size);
	R.fd_roots = map(cfg->nroots * sizeof(int) + 1);
	R.canon = map(cfg->nroots * sizeof(char *) + 1);
	R.canon_wdepth = map(cfg->nroots * sizeof(int) + 1);
	R.nested_ro = map(cfg->nroots * sizeof(bool) + 1);
	if (!R.fixed || !R.wild || !strings || !R.fd_roots || !R.canon || !R.canon_wdepth ||
	    !R.nested_ro) {
		put_msg(err, errsz, "out of memory", NULL);
		return -1;
	}

	for (uint32_t i = 0; i < cfg->nroots; i++) {
		const struct shim_root_cfg *rc = &cfg->roots[i];
		ssize_t n;
		int fd;

		if (rc->wildcard_depth >= 0) {
			const char *star = rc->path;
			size_t plen;

			if (add_pattern(rc->path, rc->path_len, i, err, errsz) < 0)
				return -1;
			/* The canonical spelling of the part before the first
			 * "*", when it exists now. */
			for (int c = 0; c <= rc->wildcard_depth; c++)
				star = strchr(star, '/') + 1;
			plen = (size_t)(star - rc->path) - 1;
			memcpy(canon, rc->path, plen);
			canon[plen ? plen : 1] = '\0';
			if (!plen)
				canon[0] = '/';
			fd = bsys_openat(AT_FDCWD, canon, O_PATH | O_DIRECTORY | O_CLOEXEC, 0);
			if (fd >= 0) {
				n = shim_fd_host_path(fd, canon, sizeof(canon));
				bsys_close(fd);
				if (n > 0 && ((size_t)n != plen || memcmp(canon, rc->path, plen))) {
					const char *t = NULL;

					if ((size_t)n == 1)
						n = 0;
					/* The "*" sits this many components in,
					 * in the canonical spelling. */
					R.canon_wdepth[i] = count_components(canon, (size_t)n);
					if ((size_t)n + rc->path_len - plen < sizeof(canon)) {
						memcpy(canon + n, rc->path + plen, rc->path_len - plen);
						n += (ssize_t)(rc->path_len - plen);
						t = keep(canon, (size_t)n);
					}
					if (!t) {
						put_msg(err, errsz, "BENEATH_ROOTS: root's real path too "
						        "long: ", rc->path);
						return -1;
					}
					R.canon[i] = t;
					if (add_pattern(t, (size_t)n, i, err, errsz) < 0)
						return -1;
				}
			}
			continue;
		}

		if (rc->ncomponents > MAX_COMPONENTS) {
			put_msg(err, errsz, "BENEATH_ROOTS: root too deep: ", rc->path);
			return -1;
		}
		if (fixed_root(rc, i, &pc, err, errsz) < 0)
			return -1;
	}

	{
		uint64_t all = R.fixed_levels;

		for (int sh = 0; sh < R.nshapes; sh++)
			all |= R.shapes[sh].levels;
		R.max_comp = all ? 64 - __builtin_clzll(all) : 0;
	}

	/* Root fds sit high, below the soft limit, out of the program's way
	 * (and below 65536: a huge limit must not grow the fd table). */
	if (getrlimit(RLIMIT_NOFILE, &rl) < 0)
		rl.rlim_cur = 1024;
	if (rl.rlim_cur > 65536)
		rl.rlim_cur = 65536;
	R.nslots = (int)(rl.rlim_cur / 16);
	if (R.nslots > CACHE_MAX)
		R.nslots = CACHE_MAX;
	if (R.nslots < 2)
		R.nslots = 2;
	R.fd_base = (int)rl.rlim_cur - R.nslots - 16;
	if (R.fd_base < 3)
		R.fd_base = 3;
	/* fd=N roots: the program may dup2 over N or close it; our own
	 * duplicate, high and O_CLOEXEC, is what we resolve through. */
	for (size_t i = 0; i < cfg->nroots; i++)
		if (cfg->roots[i].fd >= 0 && cfg->roots[i].wildcard_depth < 0)
			R.fd_roots[i] = move_high(R.fd_roots[i]);
	char *paths = map((size_t)R.nslots * PATH_MAX);
	if (!paths) {
		put_msg(err, errsz, "out of memory", NULL);
		return -1;
	}
	for (int i = 0; i < R.nslots; i++) {
		R.slots[i].fd = -1;
		R.slots[i].path = paths + (size_t)i * PATH_MAX;
	}
	/* An ro root inside an rw one: writes that reach it through the
	 * outer root are checked by where they land (shim_classify). */
	for (uint32_t i = 0; i < cfg->nroots; i++)
		for (uint32_t j = 0; j < cfg->nroots; j++)
			if (cfg->roots[j].ro && !cfg->roots[i].ro &&
			    (nested_in(cfg->roots[i].path, cfg->roots[j].path) ||
			     (R.canon[j] && nested_in(cfg->roots[i].path, R.canon[j])) ||
			     (R.canon[i] && nested_in(R.canon[i], cfg->roots[j].path))))
				R.nested_ro[i] = true;
	R.pid = bsys_call1(SYS_getpid, 0);
	return 0;
}

const char *shim_root_canonical(const struct shim_root_cfg *cfg)
{
	return R.canon[cfg - shim.cfg.roots];
}

/* The next component of *P (advanced past it), its length in *N; false at
 * the end. */
static bool next_comp(const char **p, const char *end, const char **c, size_t *n)
{
	const char *q = *p;

	while (q < end && *q == '/')
		q++;
	if (q == end)
		return false;
	*c = q;
	while (q < end && *q != '/')
		q++;
	*n = (size_t)(q - *c);
	*p = q;
	return true;
}

/* P a proper ancestor of ROOT, by components ("*" matches any one). */
static bool is_above(const char *p, size_t len, const char *root)
{
	const char *a = p, *aend = p + len, *b = root, *bend = root + strlen(root);
	const char *ca, *cb;
	size_t na, nb;

	while (next_comp(&a, aend, &ca, &na)) {
		if (!next_comp(&b, bend, &cb, &nb))
			return false;  /* P is the root or below it */
		if (!(nb == 1 && cb[0] == '*') && (na != nb || memcmp(ca, cb, na)))
			return false;
	}
	return next_comp(&b, bend, &cb, &nb);
}

/* INNER strictly inside OUTER, by components ("*" on either side matches
 * any one). */
static bool nested_in(const char *outer, const char *inner)
{
	const char *a = outer, *aend = outer + strlen(outer), *b = inner, *bend = inner + strlen(inner);
	const char *ca, *cb;
	size_t na, nb;

	while (next_comp(&a, aend, &ca, &na)) {
		if (!next_comp(&b, bend, &cb, &nb))
			return false;
		if (!(na == 1 && ca[0] == '*') && !(nb == 1 && cb[0] == '*') &&
		    (na != nb || memcmp(ca, cb, na)))
			return false;
	}
	return next_comp(&b, bend, &cb, &nb);
}

bool shim_root_nested_ro(const struct shim_root_cfg *rc)
{
	return R.nested_ro[rc - shim.cfg.roots];
}

bool shim_root_below(const char *p, size_t len)
{
	for (size_t i = 0; i < shim.cfg.nroots; i++)
		if (is_above(p, len, shim.cfg.roots[i].path) ||
		    (R.canon[i] && is_above(p, len, R.canon[i])))
			return true;
	return false;
}

/*
 * fork copies the fd table and the memory at two different moments while
 * the other threads run on: a slot refilled in between would name, in the
 * child, an fd that is not open there, or is another root. So the cache
 * is locked across fork. The wait is bounded: if the lock is this very
 * thread's (a signal handler that forks inside a wrapper), the child
 * trusts no slot instead.
 */
#define FORK_SPINS 100000

static bool fork_locked;

void shim_roots_atfork_prepare(void)
{
	for (int i = 0; i < FORK_SPINS; i++) {
		if (!atomic_flag_test_and_set_explicit(&R.lock, memory_order_acquire)) {
			fork_locked = true;
			return;
		}
		if (i % 64 == 63)
			bsys_call1(SYS_sched_yield, 0);
		else
			__builtin_ia32_pause();
	}
	fork_locked = false;
}

void shim_roots_atfork_parent(void)
{
	if (fork_locked)
		unlock();
}

void shim_roots_atfork_child(void)
{
	/* Only the forking thread survives, and it holds no slot (fork is
	 * never called from inside a wrapper). */
	for (int i = 0; i < R.nslots; i++) {
		atomic_store(&R.slots[i].refs, 0);
		if (!fork_locked && R.slots[i].fd >= 0) {
			/* Not closed: the number may be anything here. */
			shim_fd_own(R.slots[i].fd, false);
			R.slots[i].fd = -1;
		}
	}
	atomic_flag_clear(&R.lock);
	R.pid = bsys_call1(SYS_getpid, 0);
}

/* ------------------------------------------------------------------ */
/* Matching                                                           */
/* ------------------------------------------------------------------ */

static const struct key *lookup(const struct key *t, size_t mask, uint64_t h,
                                const char *p, size_t len, bool wild)
{
	for (size_t i = h & mask; t[i].text; i = (i + 1) & mask) {
		const char *k = t[i].text, *q = p;

		if (t[i].hash != h)
			continue;
		if (!wild) {
			if (t[i].len == len && memcmp(k, p, len) == 0)
				return &t[i];
			continue;
		}
		/* Compare component-wise, "*" matching one component. */
		while (*k && q < p + len) {
			if (k[0] == '*' && k[-1] == '/' && (k[1] == '/' || !k[1])) {
				k++;
				while (q < p + len && *q != '/')
					q++;
				continue;
			}
			if (*k++ != *q++)
				break;
		}
		if (!*k && q == p + len)
			return &t[i];
	}
	return NULL;
}

/* A component that "*" may stand for. */
static bool wild_ok(const char *c, size_t n)
{
	return n > 0 && !(c[0] == '.' && (n == 1 || (n == 2 && c[1] == '.')));
}

const struct shim_root_cfg *shim_match(const char *p, size_t len, const char **rest,
                                       size_t *concrete_len)
{
	const struct shim_config *cfg = &shim.cfg;
	uint64_t hf = FNV_INIT, hw[8];
	const struct key *best = NULL;
	size_t best_len = 0;
	int comp = 0;
	bool wild_dead[8] = { false };

	if (len == 0 || p[0] != '/')
		return NULL;
	for (int s = 0; s < R.nshapes; s++)
		hw[s] = FNV_INIT;
	/* One pass: running hashes, a lookup at each boundary a root has. */
	for (size_t i = 0; i <= len && comp < R.max_comp; ) {
		size_t start = i + 1, end = start;

		if (i == len)
			break;
		while (end < len && p[end] != '/')
			end++;
		if (end == start)  /* trailing slash */
			break;
		hf = fnv_step(hf, '/');
		for (size_t j = start; j < end; j++)
			hf = fnv_step(hf, (unsigned char)p[j]);
		if ((R.fixed_levels >> comp) & 1) {
			const struct key *k = lookup(R.fixed, R.fixed_mask, hf, p, end, false);
			if (k) {
				best = k;
				best_len = end;
			}
		}
		for (int s = 0; s < R.nshapes; s++) {
			if (wild_dead[s])
				continue;
			hw[s] = fnv_step(hw[s], '/');
			if ((R.shapes[s].mask >> comp) & 1) {
				if (!wild_ok(p + start, end - start))
					wild_dead[s] = true;
				hw[s] = fnv_step(hw[s], '*');
			} else {
				for (size_t j = start; j < end; j++)
					hw[s] = fnv_step(hw[s], (unsigned char)p[j]);
			}
			if (!wild_dead[s] && ((R.shapes[s].levels >> comp) & 1)) {
				const struct key *k = lookup(R.wild, R.wild_mask, hw[s], p, end, true);
				/* The longer match wins; a fixed root of the same
				 * length is more specific. */
				if (k && end > best_len) {
					best = k;
					best_len = end;
				}
			}
		}
		comp++;
		i = end;
	}
	if (!best) {
		if (!R.slash_root)
			return NULL;
		*concrete_len = 0;
		*rest = p[1] ? p + 1 : ".";
		return &cfg->roots[R.slash_index];
	}
	*concrete_len = best_len;
	*rest = best_len + 1 < len ? p + best_len + 1 : ".";
	return &cfg->roots[best->root];
}

/* ------------------------------------------------------------------ */
/* Root fds                                                           */
/* ------------------------------------------------------------------ */

static bool lock_try(void)
{
	for (int i = 0; i < LOCK_SPINS; i++) {
		if (!atomic_flag_test_and_set_explicit(&R.lock, memory_order_acquire))
			return true;
		__builtin_ia32_pause();
	}
	return false;
}

static void unlock(void)
{
	atomic_flag_clear_explicit(&R.lock, memory_order_release);
}

/* ENOTDIR from an O_NOFOLLOW|O_DIRECTORY open: a symlink reads as ELOOP. */
static int nofollow_errno(int dfd, const char *name, int r)
{
	struct stat st;

	if (r == -ENOTDIR && bsys_fstatat(dfd, name, &st, AT_SYMLINK_NOFOLLOW) == 0 &&
	    S_ISLNK(st.st_mode))
		return -ELOOP;
	return r;
}

/*
 * Open a concrete wildcard root: the fixed part before the first "*" by
 * name, then one component at a time with O_NOFOLLOW, so that no symlink
 * between the wildcard and the root is followed.
 */
static int open_concrete(const struct shim_root_cfg *rc, const char *path, size_t len)
{
	char name[NAME_MAX + 1];
	size_t i = 0;
	int fd, comp = 0, depth = rc->wildcard_depth;

	if (rc->wildcard_depth < 0) {
		char buf[PATH_MAX];

		memcpy(buf, path, len);
		buf[len ? len : 1] = '\0';
		if (!len)
			buf[0] = '/';
		return bsys_openat(AT_FDCWD, buf, O_PATH | O_DIRECTORY | O_CLOEXEC, 0);
	}
	/* A path in the canonical spelling has its "*" elsewhere: the
	 * components after it are opened one by one without following. */
	{
		const char *star = strstr(rc->path, "/*");
		size_t plen = star ? (size_t)(star - rc->path) : 0;

		if (!(len > plen && memcmp(path, rc->path, plen) == 0 && path[plen] == '/'))
			depth = R.canon_wdepth[rc - shim.cfg.roots];
	}
	/* The prefix ends before component number DEPTH. */
	for (i = 0; i < len; i++)
		if (path[i] == '/' && comp++ == depth)
			break;
	{
		char buf[PATH_MAX];

		memcpy(buf, path, i);
		buf[i ? i : 1] = '\0';
		if (!i)
			buf[0] = '/';
		fd = bsys_openat(AT_FDCWD, buf, O_PATH | O_DIRECTORY | O_CLOEXEC, 0);
	}
	while (fd >= 0 && i < len) {
		size_t s = ++i, n;
		int next;

		while (i < len && path[i] != '/')
			i++;
		n = i - s;
		if (n > NAME_MAX) {
			bsys_close(fd);
			return -ENAMETOOLONG;
		}
		memcpy(name, path + s, n);
		name[n] = '\0';
		next = bsys_openat(fd, name, O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC, 0);
		if (next < 0)
			next = nofollow_errno(fd, name, next);
		bsys_close(fd);
		fd = next;
	}
	return fd;
}

/* Every root fd is marked as ours (fds.c): the program cannot close it
 * or dup2 over it. */
static int move_high(int fd)
{
	int hi = bsys_fcntl(fd, F_DUPFD_CLOEXEC, R.fd_base);

	if (hi < 0) {
		/* The program lowered its fd limit below our base: as high
		 * as the limit it has now lets us, out of the way of the
		 * numbers its next opens get. */
		struct rlimit rl;

		if (bsys_call4(SYS_prlimit64, 0, RLIMIT_NOFILE, 0, (long)&rl) == 0 && rl.rlim_cur > 8)
			hi = bsys_fcntl(fd, F_DUPFD_CLOEXEC, (long)(rl.rlim_cur / 2));
	}
	if (hi < 0)
		hi = fd;  /* a low fd still works; it is O_CLOEXEC */
	else if (hi != fd)
		bsys_close(fd);
	shim_fd_own(hi, true);
	return hi;
}

int shim_own_high(int fd)
{
	return move_high(fd);
}

static void own_close(int fd)
{
	shim_fd_own(fd, false);
	bsys_close(fd);
}

static int slot_find(uint64_t h, const char *path, size_t len)
{
	for (int i = 0; i < R.nslots; i++) {
		struct slot *s = &R.slots[i];
		if (s->fd >= 0 && s->hash == h && s->len == len && memcmp(s->path, path, len) == 0)
			return i;
	}
	return -1;
}

static void slot_take(struct shim_root *r, int i)
{
	atomic_fetch_add_explicit(&R.slots[i].refs, 1, memory_order_relaxed);
	R.slots[i].tick = ++R.clock;
	r->slot = i;
	r->h.fd = R.slots[i].fd;
}

int shim_root_acquire(struct shim_root *r, const struct shim_root_cfg *cfg,
                      const char *concrete, size_t len)
{
	uint64_t h = fnv(concrete, len);
	int fd, victim = -1, old = -1;

	r->cfg = cfg;
	r->slot = -1;
	r->own_fd = false;
	if (cfg->fd >= 0) {
		r->h.fd = R.fd_roots[cfg - shim.cfg.roots];
		return 0;
	}
	if (lock_try()) {
		int i = slot_find(h, concrete, len);
		if (i >= 0)
			slot_take(r, i);
		unlock();
		if (i >= 0)
			return 0;
	}
	fd = open_concrete(cfg, concrete, len);
	if (fd < 0)
		return fd;
	fd = move_high(fd);
	/* A vfork child (posix_spawn, dash) shares our memory but not our
	 * fd table: an fd it opened must not go into the cache, where the
	 * parent would find it closed, or worse, reused. Cache hits are
	 * fine: the child has a copy of every slot fd. */
	/* An fd that could not go high (the program lowered its fd limit)
	 * is used for this call only: a cached one would sit on a number the
	 * program expects to get from its next open. */
	if (fd < R.fd_base || len >= PATH_MAX || bsys_call1(SYS_getpid, 0) != R.pid ||
	    !lock_try())
		goto private;
	{
		int i = slot_find(h, concrete, len);
		if (i >= 0) {
			slot_take(r, i);
			unlock();
			own_close(fd);
			return 0;
		}
	}
	for (int i = 0; i < R.nslots; i++) {
		struct slot *s = &R.slots[i];
		if (atomic_load_explicit(&s->refs, memory_order_acquire) != 0)
			continue;
		if (s->fd < 0) {
			victim = i;
			break;
		}
		if (victim < 0 || s->tick < R.slots[victim].tick)
			victim = i;
	}
	if (victim < 0) {
		unlock();
		goto private;
	}
	old = R.slots[victim].fd;
	memcpy(R.slots[victim].path, concrete, len);
	R.slots[victim].len = len;
	R.slots[victim].hash = h;
	R.slots[victim].fd = fd;
	slot_take(r, victim);
	unlock();
	if (old >= 0)
		own_close(old);
	return 0;
private:
	r->own_fd = true;
	r->h.fd = fd;
	return 0;
}

void shim_root_release(struct shim_root *r)
{
	if (r->own_fd)
		own_close(r->h.fd);
	else if (r->slot >= 0)
		atomic_fetch_sub_explicit(&R.slots[r->slot].refs, 1, memory_order_release);
	r->slot = -1;
	r->own_fd = false;
}
