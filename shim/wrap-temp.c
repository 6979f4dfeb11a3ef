/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Temporary files: mkstemp and its flag, suffix and 64 forms, mkdtemp,
 * mktemp and tempnam.
 *
 * glibc creates and probes temporary names through its internal aliases
 * of open, mkdir, lstat and stat, which the shim never sees: a template
 * under a root would be created straight through a symlink planted in
 * it. So these are glibc 2.36's algorithm written again over the public
 * names that the shim defines. Each try is one confined call; a denial
 * (EACCES, EROFS) ends the loop like any error other than EEXIST, so a
 * denied template costs one try and one log line, never TMP_MAX of them.
 *
 * Every call keeps its state on the stack: no locks, no stdio, safe from
 * any thread.
 */
#include <stdio.h>  /* P_tmpdir, TMP_MAX, FILENAME_MAX and tempnam's prototype */
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <time.h>

#include "shim.h"

/* A template ends in this many Xs, before its suffix; only they change. */
#define TEMP_XS 6

/* Names tried while they exist before giving up with EEXIST: as glibc,
 * TMP_MAX, which POSIX requires, and never fewer than 62^3. */
#define TEMP_TRIES_MIN (62 * 62 * 62)
#define TEMP_TRIES (TMP_MAX > TEMP_TRIES_MIN ? TMP_MAX : TEMP_TRIES_MIN)

/* glibc's alphabet, so that names look the same with and without us. */
static const char letters[] = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";
#define NLETTERS 62

/* 62^10, the largest power of 62 in 64 bits: a random word gives ten
 * letters when it is below the largest multiple of it, and is drawn again
 * otherwise, so that no letter is likelier than another. */
#define POW62_10 UINT64_C(839299365868340224)
#define WORD_LETTERS 10
#define FAIR_LIMIT (UINT64_MAX / POW62_10 * POW62_10)

enum temp_kind {
	TEMP_FILE,  /* create a file, mode 0600, and return its fd */
	TEMP_DIR,   /* create a directory, mode 0700 */
	TEMP_NAME,  /* only find a name that does not exist now */
};

/* One call's source of letters. */
struct temp_rng {
	uint64_t word;  /* what is left of the current random word */
	int left;       /* letters left in it */
	uint64_t mix;   /* the fallback's state */
};

/*
 * A random word. getrandom with GRND_NONBLOCK never waits for the entropy
 * pool (early boot can take minutes); when it fails (no pool yet, an old
 * kernel, a seccomp filter) mix the clock and the thread id into a
 * per-call state seeded from the stack address: not secret, but distinct
 * between threads and processes, and O_EXCL still makes the create safe.
 */
static uint64_t random_word(struct temp_rng *g)
{
	struct timespec ts;
	uint64_t r, z;

	if (bsys_call3(SYS_getrandom, BSYS_P(&r), sizeof(r), GRND_NONBLOCK) == (long)sizeof(r))
		return r;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	g->mix ^= (uint64_t)ts.tv_nsec ^ ((uint64_t)ts.tv_sec << 30) ^
	          ((uint64_t)bsys_call1(SYS_gettid, 0) << 42);
	/* splitmix64: every bit of the state reaches every bit of the word. */
	z = (g->mix += UINT64_C(0x9e3779b97f4a7c15));
	z = (z ^ (z >> 30)) * UINT64_C(0xbf58476d1ce4e5b9);
	z = (z ^ (z >> 27)) * UINT64_C(0x94d049bb133111eb);
	return z ^ (z >> 31);
}

static char random_letter(struct temp_rng *g)
{
	char c;

	if (g->left == 0) {
		do
			g->word = random_word(g);
		while (g->word >= FAIR_LIMIT);
		g->left = WORD_LETTERS;
	}
	c = letters[g->word % NLETTERS];
	g->word /= NLETTERS;
	g->left--;
	return c;
}

/* One try at the name now in TMPL: an fd (TEMP_FILE) or 0, or -1 with
 * errno. The public names, so that the shim confines each of them. */
static int try_name(char *tmpl, enum temp_kind kind, int flags)
{
	struct stat64 st;

	switch (kind) {
	case TEMP_FILE:
		/* The caller's flags cannot change the access mode. */
		return open(tmpl, (flags & ~O_ACCMODE) | O_RDWR | O_CREAT | O_EXCL,
		            S_IRUSR | S_IWUSR);
	case TEMP_DIR:
		return mkdir(tmpl, S_IRWXU);
	case TEMP_NAME:
		break;
	}
	/* Only "no such file" makes a name free. EOVERFLOW means it exists;
	 * any other failure, a denial included, is the caller's error: a
	 * name is never called free when it could not be looked at. */
	if (lstat64(tmpl, &st) == 0 || errno == EOVERFLOW)
		errno = EEXIST;
	return errno == ENOENT ? 0 : -1;
}

/*
 * glibc's __gen_tempname: replace the TEMP_XS Xs before the last
 * SUFFIXLEN bytes of TMPL (in place) until a try succeeds. EINVAL,
 * leaving TMPL alone, when they are not all Xs; EEXIST after TEMP_TRIES
 * names that all existed. errno is kept on success.
 */
static int gen_temp_try(char *tmpl, int suffixlen, int flags, enum temp_kind kind)
{
	int saved = errno, r;
	size_t len = strlen(tmpl);
	struct temp_rng g = { .left = 0 };
	char *xs;

	if (suffixlen < 0 || len < TEMP_XS + (size_t)suffixlen ||
	    strspn(tmpl + len - TEMP_XS - suffixlen, "X") < TEMP_XS) {
		errno = EINVAL;
		return -1;
	}
	xs = tmpl + len - TEMP_XS - suffixlen;
	g.mix = (uint64_t)(uintptr_t)&g;  /* the fallback's seed: ASLR */
	for (unsigned int n = 0; n < TEMP_TRIES; n++) {
		for (int i = 0; i < TEMP_XS; i++)
			xs[i] = random_letter(&g);
		r = try_name(tmpl, kind, flags);
		if (r >= 0) {
			errno = saved;
			return r;
		}
		if (errno != EEXIST)
			return -1;
	}
	errno = EEXIST;
	return -1;
}

/* Denials are logged under the name the program called. */
#define gen_temp(tmpl, suffixlen, flags, kind)                                 \
	SHIM_AS(__func__, gen_temp_try(tmpl, suffixlen, flags, kind))

/* ------------------------------------------------------------------ */
/* The exported names                                                  */
/* ------------------------------------------------------------------ */

/* The 64 forms add O_LARGEFILE, as glibc's do (0 on 64-bit ABIs). */
SHIM_EXPORT int mkstemp(char *tmpl)
{
	return gen_temp(tmpl, 0, 0, TEMP_FILE);
}

SHIM_EXPORT int mkstemp64(char *tmpl)
{
	return gen_temp(tmpl, 0, O_LARGEFILE, TEMP_FILE);
}

SHIM_EXPORT int mkostemp(char *tmpl, int flags)
{
	return gen_temp(tmpl, 0, flags, TEMP_FILE);
}

SHIM_EXPORT int mkostemp64(char *tmpl, int flags)
{
	return gen_temp(tmpl, 0, flags | O_LARGEFILE, TEMP_FILE);
}

SHIM_EXPORT int mkstemps(char *tmpl, int suffixlen)
{
	return gen_temp(tmpl, suffixlen, 0, TEMP_FILE);
}

SHIM_EXPORT int mkstemps64(char *tmpl, int suffixlen)
{
	return gen_temp(tmpl, suffixlen, O_LARGEFILE, TEMP_FILE);
}

SHIM_EXPORT int mkostemps(char *tmpl, int suffixlen, int flags)
{
	return gen_temp(tmpl, suffixlen, flags, TEMP_FILE);
}

SHIM_EXPORT int mkostemps64(char *tmpl, int suffixlen, int flags)
{
	return gen_temp(tmpl, suffixlen, flags | O_LARGEFILE, TEMP_FILE);
}

SHIM_EXPORT char *mkdtemp(char *tmpl)
{
	return gen_temp(tmpl, 0, 0, TEMP_DIR) < 0 ? NULL : tmpl;
}

/* The name only. glibc returns the template emptied, never NULL, on
 * failure, with errno set. */
SHIM_EXPORT char *mktemp(char *tmpl)
{
	if (gen_temp(tmpl, 0, 0, TEMP_NAME) < 0)
		tmpl[0] = '\0';
	return tmpl;
}

/* glibc's direxists: stat follows a final symlink, as glibc's does. */
static bool is_dir(const char *path)
{
	struct stat64 st;

	return SHIM_AS("tempnam", stat64(path, &st)) == 0 && S_ISDIR(st.st_mode);
}

/*
 * glibc's __path_search with try_tmpdir set, then a free name: the
 * directory is $TMPDIR (secure_getenv: not for a setuid program), else
 * DIR, else P_tmpdir, else /tmp, the first that is a directory; then "/",
 * up to five bytes of PFX ("file" when none) and six letters. A malloc'd
 * string, or NULL with errno.
 */
SHIM_EXPORT char *tempnam(const char *dir, const char *pfx)
{
	char buf[FILENAME_MAX];
	const char *env;
	size_t dlen, plen;

	if (!pfx || !*pfx)
		pfx = "file";
	plen = strnlen(pfx, 5);
	env = secure_getenv("TMPDIR");
	if (env && is_dir(env))
		dir = env;
	else if (dir && !is_dir(dir))
		dir = NULL;
	if (!dir) {
		if (is_dir(P_tmpdir)) {
			dir = P_tmpdir;
		} else if (strcmp(P_tmpdir, "/tmp") != 0 && is_dir("/tmp")) {
			dir = "/tmp";
		} else {
			errno = ENOENT;
			return NULL;
		}
	}
	dlen = strlen(dir);
	while (dlen > 1 && dir[dlen - 1] == '/')
		dlen--;
	if (sizeof(buf) < dlen + 1 + plen + TEMP_XS + 1) {
		errno = EINVAL;
		return NULL;
	}
	memcpy(buf, dir, dlen);
	buf[dlen] = '/';
	memcpy(buf + dlen + 1, pfx, plen);
	memset(buf + dlen + 1 + plen, 'X', TEMP_XS);
	buf[dlen + 1 + plen + TEMP_XS] = '\0';
	if (gen_temp(buf, 0, 0, TEMP_NAME) < 0)
		return NULL;
	return strdup(buf);
}
