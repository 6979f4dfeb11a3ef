/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Fuzz target: the shim's path matcher, shim_normalize(), shim_match()
 * and the root fds of shim_root_acquire() (shim/roots.c), against roots
 * (fixed and wildcard) from the input.
 *
 * Input: lines. The lines before the first empty line are BENEATH_ROOTS
 * entries (joined with ':', so options and escapes work as in the
 * variable); the lines after it are paths. In both, '@' stands for the
 * real path of a scratch tree built once per process, so that fixed roots
 * can exist (roots.c refuses a fixed root that is not a directory):
 *
 *   @/a @/a/b ... directories, three names deep (a, b, c)
 *   @/l -> a      @/a/l -> ../b      a symlinked root and its canonical
 *   @/b/l -> ../c                    a symlink where a "*" may match
 *   @/s -> /      @/f (a file)       @/n -> nowhere
 *   @/deep -> z/z/.../z (70 levels)  a canonical spelling > 64 components
 *   @/long -> yyy.../yyy.../... (10 levels of 200-byte names)
 *                                    a canonical spelling much longer than
 *                                    the configured one
 *
 * roots.c's state is static and shim_roots_setup() runs once per process
 * in the shim, so this file includes roots.c itself to reset that state
 * between inputs; roots-stubs.c supplies what roots.c needs from the rest
 * of the shim. shim/ is not changed.
 *
 * Checked against a reference written here from README ("Paths are
 * matched after collapsing "//" and "/./" (never ".."), by longest prefix
 * on a component boundary, against each root's configured spelling and
 * its canonical one"; "*" matches exactly one component, never "." or
 * ".."; a fixed root beats a wildcard one of the same length):
 *  - shim_normalize(): the reference's output or ENAMETOOLONG exactly when
 *    it does not fit, never longer than its input, idempotent, the same in
 *    place, no "//" or "/./" left;
 *  - shim_roots_setup(): fails exactly when the reference says a fixed
 *    root is not a directory, or a root or a canonical spelling has more
 *    than 64 components, or there are more than 8 wildcard shapes;
 *  - shim_match(): the same root, remainder and concrete length as the
 *    reference, for every path (and NULL for relative ones); when two
 *    wildcard roots match equally long, either;
 *  - shim_root_acquire(): the directory the concrete root names, or the
 *    error, with no symlink followed from the wildcard component down.
 * Bugs found and not yet fixed are named (ref_known, KNOWN_*) when an
 * input meets them; BENEATH_FUZZ_SKIP_KNOWN=1 skips such inputs.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdint.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "../../shim/roots.c"
#include "fuzz.h"

#define MAX_ROOTS 64
#define MAX_PATHS 64
#define DEEP_LEVELS 70
#define LONG_LEVELS 10
#define LONG_NAME 200

static char base[PATH_MAX];
static size_t base_len;

/* ------------------------------------------------------------------ */
/* The scratch tree                                                   */
/* ------------------------------------------------------------------ */

static void must(bool ok, const char *what)
{
	if (!ok) {
		perror(what);
		abort();
	}
}

static void make_tree(const char *dir, int depth)
{
	static const char *const names[] = { "a", "b", "c" };
	char p[PATH_MAX];

	if (depth == 3)
		return;
	for (int i = 0; i < 3; i++) {
		snprintf(p, sizeof(p), "%s/%s", dir, names[i]);
		must(mkdir(p, 0755) == 0, p);
		make_tree(p, depth + 1);
	}
}

static void remove_tree(void)
{
	char cmd[PATH_MAX + 16];

	if (!base_len)
		return;
	/* base is a mkdtemp name: no shell metacharacters */
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", base);
	if (system(cmd) != 0)
		fprintf(stderr, "fuzz-match: could not remove %s\n", base);
}

static void setup_tree(void)
{
	const char *tmp = getenv("BENEATH_FUZZ_TMPDIR");
	char t[PATH_MAX], p[PATH_MAX], deep[DEEP_LEVELS * 2];
	int fd;

	if (!tmp || !*tmp)
		tmp = getenv("TMPDIR");
	snprintf(t, sizeof(t), "%s/beneath-fuzz-match.XXXXXX", tmp && *tmp ? tmp : "/tmp");
	must(mkdtemp(t) != NULL, "mkdtemp");
	must(realpath(t, base) != NULL, "realpath");
	base_len = strlen(base);
	atexit(remove_tree);
	make_tree(base, 0);
	snprintf(p, sizeof(p), "%s/l", base);
	must(symlink("a", p) == 0, p);
	snprintf(p, sizeof(p), "%s/a/l", base);
	must(symlink("../b", p) == 0, p);
	snprintf(p, sizeof(p), "%s/b/l", base);
	must(symlink("../c", p) == 0, p);
	snprintf(p, sizeof(p), "%s/s", base);
	must(symlink("/", p) == 0, p);
	snprintf(p, sizeof(p), "%s/n", base);
	must(symlink("nowhere", p) == 0, p);
	snprintf(p, sizeof(p), "%s/f", base);
	fd = open(p, O_CREAT | O_WRONLY | O_CLOEXEC, 0644);
	must(fd >= 0, p);
	close(fd);
	deep[0] = '\0';
	snprintf(p, sizeof(p), "%s", base);
	for (int i = 0; i < DEEP_LEVELS; i++) {
		strcat(p, "/z");
		must(mkdir(p, 0755) == 0, p);
		strcat(deep, i ? "/z" : "z");
	}
	snprintf(p, sizeof(p), "%s/deep", base);
	must(symlink(deep, p) == 0, p);
	{
		char name[LONG_NAME + 1], target[LONG_LEVELS * (LONG_NAME + 1)];

		memset(name, 'y', LONG_NAME);
		name[LONG_NAME] = '\0';
		target[0] = '\0';
		snprintf(p, sizeof(p), "%s", base);
		for (int i = 0; i < LONG_LEVELS; i++) {
			strcat(strcat(p, "/"), name);
			must(mkdir(p, 0755) == 0, p);
			strcat(strcat(target, i ? "/" : ""), name);
		}
		snprintf(p, sizeof(p), "%s/long", base);
		must(symlink(target, p) == 0, p);
	}
}

/* LINE with every '@' replaced by the tree's path, in a new string. */
static char *expand(const char *line, size_t len)
{
	size_t n = 0, at = 0;
	char *s;

	for (size_t i = 0; i < len; i++)
		at += line[i] == '@';
	s = malloc(len + at * base_len + 1);
	if (!s)
		abort();
	for (size_t i = 0; i < len; i++) {
		if (line[i] == '@') {
			memcpy(s + n, base, base_len);
			n += base_len;
		} else {
			s[n++] = line[i];
		}
	}
	s[n] = '\0';
	return s;
}

/* ------------------------------------------------------------------ */
/* The input                                                          */
/* ------------------------------------------------------------------ */

struct input {
	bool in_paths;
	int nroots, npaths;
	char *roots[MAX_ROOTS];
	char *paths[MAX_PATHS];
	char *roots_var;
};

/*
 * Bugs this target found in roots.c, still there: the reference gives the
 * documented answer, and an input that meets one of them names it here.
 * BENEATH_FUZZ_SKIP_KNOWN=1 skips such inputs (a long run can then look
 * for others; the seed corpus keeps asserting them).
 */
static const char *ref_known;
static bool skip_known;

#define KNOWN_DEEP "a fixed root's canonical spelling of more than 64 components " \
	"(roots.c add_alias: no MAX_COMPONENTS check; 1ull << (n - 1) overflows " \
	"and shim_match() never looks that deep: the spelling is outside every root)"
#define KNOWN_WILD_ALIAS "a wildcard root matched by its canonical spelling, whose " \
	"\"*\" comes earlier than in the configured one (roots.c open_concrete counts " \
	"rc->wildcard_depth components of the concrete path: a symlink at the wildcard " \
	"component is followed)"
#define KNOWN_STRINGS "canonical spellings longer than roots.c's strings area " \
	"(shim_roots_setup sizes it from the configured spellings; keep() fails and " \
	"the canonical spelling is silently dropped: outside every root)"

static struct input in;
static const char *cur_path;

static void describe(void)
{
	fprintf(stderr, "scratch tree @ = %s\nBENEATH_ROOTS=\"", base);
	if (in.roots_var)
		fuzz_put_escaped(stderr, in.roots_var, strlen(in.roots_var));
	fprintf(stderr, "\"\n");
	for (size_t i = 0; i < shim.cfg.nroots; i++) {
		fprintf(stderr, "  root %zu \"", i);
		fuzz_put_escaped(stderr, shim.cfg.roots[i].path, shim.cfg.roots[i].path_len);
		fprintf(stderr, "\"\n");
	}
	for (int i = 0; i < R.nshapes; i++)
		fprintf(stderr, "  roots.c shape %d: mask %#llx levels %#llx\n", i,
		        (unsigned long long)R.shapes[i].mask, (unsigned long long)R.shapes[i].levels);
	if (ref_known)
		fprintf(stderr, "this input meets a known bug: %s\n", ref_known);
	if (cur_path) {
		fprintf(stderr, "path \"");
		fuzz_put_escaped(stderr, cur_path, strlen(cur_path));
		fprintf(stderr, "\"\n");
	}
}

static void add_line(const char *line, size_t len, void *arg)
{
	(void)arg;
	if (!in.in_paths) {
		if (len == 0)
			in.in_paths = true;
		else if (in.nroots < MAX_ROOTS)
			in.roots[in.nroots++] = expand(line, len);
	} else if (in.npaths < MAX_PATHS) {
		in.paths[in.npaths++] = expand(line, len);
	}
}

static void input_free(void)
{
	for (int i = 0; i < in.nroots; i++)
		free(in.roots[i]);
	for (int i = 0; i < in.npaths; i++)
		free(in.paths[i]);
	free(in.roots_var);
	memset(&in, 0, sizeof(in));
}

/* ------------------------------------------------------------------ */
/* The reference                                                      */
/* ------------------------------------------------------------------ */

/* shim_normalize() as README words it: "//" and "/./" collapse; the first
 * component and the last (a trailing "." or slash) stay as written. */
static size_t ref_normalize(const char *s, char *out)
{
	size_t n = 0;
	const char *c = s, *e;

	e = strchrnul(c, '/');
	memcpy(out, c, (size_t)(e - c));
	n = (size_t)(e - c);
	while (*e) {
		c = e + 1;
		e = strchrnul(c, '/');
		if (*e && (e == c || (e - c == 1 && c[0] == '.')))
			continue;  /* an empty or "." component with more after it */
		out[n++] = '/';
		memcpy(out + n, c, (size_t)(e - c));
		n += (size_t)(e - c);
	}
	out[n] = '\0';
	return n;
}

/* A key: a spelling of root ROOT, as components. */
struct ref_key {
	const char *text;
	size_t len;
	int root;
	bool wild;
	int shape;           /* wild: index of its wildcard shape */
	int ncomp;
	const char *comp[PATH_MAX / 2];
	size_t clen[PATH_MAX / 2];
};

#define MAX_KEYS (2 * MAX_ROOTS)

static struct ref_key keys[MAX_KEYS];
static int nkeys;
static char alias_text[MAX_ROOTS][PATH_MAX];
static uint64_t shape_mask[MAX_KEYS];
static int nshape;
static int slash_root;

/* Components of absolute TEXT [0, LEN) into K; false when more than fit. */
static void split(struct ref_key *k, const char *text, size_t len)
{
	size_t i = 1;

	k->text = text;
	k->len = len;
	k->ncomp = 0;
	if (len <= 1)
		return;
	while (i <= len) {
		size_t s = i;

		while (i < len && text[i] != '/')
			i++;
		k->comp[k->ncomp] = text + s;
		k->clen[k->ncomp++] = i - s;
		i++;
	}
}

static bool is_star(const char *c, size_t n)
{
	return n == 1 && c[0] == '*';
}

/* Add a key unless its table (fixed or wild) has that text already.
 * Returns false when the setup must fail (too deep, too many shapes). */
static bool add_key(const char *text, size_t len, int root, bool wild)
{
	struct ref_key *k = &keys[nkeys];
	uint64_t mask = 0;

	split(k, text, len);
	k->root = root;
	k->wild = wild;
	if (k->ncomp > MAX_COMPONENTS)
		return false;
	for (int i = 0; i < nkeys; i++)
		if (keys[i].wild == wild && keys[i].len == len && !memcmp(keys[i].text, text, len))
			return true;
	if (wild) {
		for (int c = 0; c < k->ncomp; c++)
			if (is_star(k->comp[c], k->clen[c]))
				mask |= 1ull << c;
		for (k->shape = 0; k->shape < nshape && shape_mask[k->shape] != mask; k->shape++)
			;
		if (k->shape == nshape) {
			if (nshape == 8)
				return false;
			shape_mask[nshape++] = mask;
		}
	}
	nkeys++;
	return true;
}

static bool is_dir(const char *p)
{
	struct stat st;

	return stat(p, &st) == 0 && S_ISDIR(st.st_mode);
}

/* roots.c's keep(): does a spelling of LEN bytes fit in what is left? */
static bool keeps(size_t *used, size_t room, size_t len)
{
	if (*used + len + 1 > room)
		return false;
	*used += len + 1;
	return true;
}

/* The keys of the configuration; false when shim_roots_setup() must fail. */
static bool ref_setup(const struct shim_config *cfg)
{
	char canon[PATH_MAX];
	size_t room = PATH_MAX, used = 0;

	nkeys = 0;
	nshape = 0;
	slash_root = -1;
	ref_known = NULL;
	/* what roots.c allows for canonical spellings, to see it overflow */
	for (size_t i = 0; i < cfg->nroots; i++)
		room += 2 * (cfg->roots[i].path_len + 1);
	for (int i = 0; i < (int)cfg->nroots; i++) {
		const struct shim_root_cfg *rc = &cfg->roots[i];
		char *a = alias_text[i];

		a[0] = '\0';
		if (rc->wildcard_depth < 0 && rc->path_len == 1) {
			slash_root = i;
			continue;
		}
		if (rc->wildcard_depth < 0) {
			if (rc->ncomponents > MAX_COMPONENTS || !is_dir(rc->path))
				return false;
			if (!add_key(rc->path, rc->path_len, i, false))
				return false;
			if (!realpath(rc->path, canon) || strlen(canon) <= 1 || !strcmp(canon, rc->path))
				continue;
			strcpy(a, canon);
			if (!keeps(&used, room, strlen(a)) && !ref_known)
				ref_known = KNOWN_STRINGS;
			if (fuzz_mutant)
				continue;
			/* a canonical spelling too deep to match refuses the
			 * configuration, as a too deep wildcard one does */
			if (!add_key(a, strlen(a), i, false)) {
				ref_known = KNOWN_DEEP;
				return false;
			}
			continue;
		}
		if (!add_key(rc->path, rc->path_len, i, true))
			return false;
		/* the part before the first "*", canonical when it exists */
		{
			const char *star = rc->path;
			size_t plen;
			char prefix[PATH_MAX];

			for (int c = 0; c <= rc->wildcard_depth; c++)
				star = strchr(star, '/') + 1;
			plen = (size_t)(star - rc->path) - 1;
			memcpy(prefix, rc->path, plen);
			strcpy(plen ? prefix + plen : prefix, plen ? "" : "/");
			if (!is_dir(prefix) || !realpath(prefix, canon))
				continue;
			if (strlen(canon) == plen && !memcmp(canon, rc->path, plen))
				continue;
			if (strlen(canon) + rc->path_len - plen >= PATH_MAX)
				continue;
			if (!strcmp(canon, "/"))
				canon[0] = '\0';
			snprintf(a, PATH_MAX, "%s%s", canon, rc->path + plen);
			if (!keeps(&used, room, strlen(a)) && !ref_known)
				ref_known = KNOWN_STRINGS;
			if (!fuzz_mutant && !add_key(a, strlen(a), i, true))
				return false;
		}
	}
	return true;
}

/* Does key K match the first K->ncomp components of P (normalised,
 * LEN bytes)? Sets *END to the end of the last one. */
static bool key_matches(const struct ref_key *k, const char *p, size_t len, size_t *end)
{
	size_t i = 0;

	for (int c = 0; c < k->ncomp; c++) {
		size_t s = i + 1, e = s;

		if (i >= len || p[i] != '/')
			return false;
		while (e < len && p[e] != '/')
			e++;
		if (e == s)
			return false;  /* trailing slash: no more components */
		if (k->wild && is_star(k->comp[c], k->clen[c])) {
			if ((e - s == 1 && p[s] == '.') || (e - s == 2 && p[s] == '.' && p[s + 1] == '.'))
				return false;
		} else if (k->clen[c] != e - s || memcmp(k->comp[c], p + s, e - s)) {
			return false;
		}
		i = e;
	}
	*end = i;
	return true;
}

/* The reference answer: the root index or -1, the remainder's offset
 * (-1 for "."), the concrete length; and, when the longest match is a
 * tie between wildcard roots, which of them would do. README does not
 * rank two wildcard roots of the same length ("/home/ * /www" and
 * "/ * /alice/www"), and roots.c answers with the first wildcard shape
 * whose running hash finds a key, which a component literally named "*"
 * can make a key of another shape: any of them is accepted. */
struct answer {
	int root;
	long rest;
	size_t clen;
	bool tied[MAX_ROOTS];
};

static struct answer ref_match(const char *p, size_t len)
{
	struct answer a = { .root = -1, .rest = -1 };
	const struct ref_key *best = NULL;
	size_t best_end = 0;

	if (len == 0 || p[0] != '/')
		return a;
	for (int i = 0; i < nkeys; i++) {
		const struct ref_key *k = &keys[i];
		size_t end;

		if (!key_matches(k, p, len, &end))
			continue;
		if (!best || end > best_end ||
		    (end == best_end && best->wild && !k->wild)) {
			best = k;
			best_end = end;
		}
	}
	if (!best) {
		if (slash_root < 0)
			return a;
		a.root = slash_root;
		a.tied[slash_root] = true;
		a.rest = len > 1 ? 1 : -1;
		return a;
	}
	a.root = best->root;
	a.tied[best->root] = true;
	a.clen = best_end;
	a.rest = best_end + 1 < len ? (long)best_end + 1 : -1;
	for (int i = 0; i < nkeys && best->wild; i++) {
		size_t end;

		if (keys[i].wild && key_matches(&keys[i], p, len, &end) && end == best_end)
			a.tied[keys[i].root] = true;
	}
	return a;
}

/* ------------------------------------------------------------------ */
/* roots.c's state, reset between inputs                              */
/* ------------------------------------------------------------------ */

static size_t setup_nroots;

static void roots_reset(void)
{
	if (R.fixed)
		munmap(R.fixed, (R.fixed_mask + 1) * sizeof(struct key));
	if (R.wild)
		munmap(R.wild, (R.wild_mask + 1) * sizeof(struct key));
	if (R.fd_roots)
		munmap(R.fd_roots, setup_nroots * sizeof(int) + 1);
	if (R.canon)
		munmap((void *)R.canon, setup_nroots * sizeof(char *) + 1);
	if (R.nslots && R.slots[0].path)
		munmap(R.slots[0].path, (size_t)R.nslots * PATH_MAX);
	for (int i = 0; i < R.nslots; i++)
		if (R.slots[i].fd >= 0 && R.slots[i].path)
			close(R.slots[i].fd);
	if (strings)
		munmap(strings, strings_size);
	memset(&R, 0, sizeof(R));
	atomic_flag_clear(&R.lock);
	strings = NULL;
	strings_used = strings_size = 0;
	setup_nroots = 0;
}

/* ------------------------------------------------------------------ */

static void check_normalize(const char *s)
{
	size_t len = strlen(s);
	char *want = malloc(len + 1), *out, *again;
	size_t wlen = ref_normalize(s, want);
	int r;

	CHECK(wlen <= len, "the reference grew \"%s\"", s);
	/* exactly big enough, one byte short, and in place */
	out = malloc(wlen + 1);
	r = shim_normalize(s, out, wlen + 1);
	CHECK(r >= 0 && (size_t)r == wlen && !strcmp(out, want),
	      "shim_normalize() = %d \"%s\", reference \"%s\"", r, r >= 0 ? out : "", want);
	CHECK(!strstr(out, "//") && !strstr(out, "/./"), "\"%s\" is not normalised", out);
	free(out);
	if (wlen > 0) {
		out = malloc(wlen);
		r = shim_normalize(s, out, wlen);
		CHECK(r == -ENAMETOOLONG, "shim_normalize() into %zu bytes = %d, needs %zu", wlen, r,
		      wlen + 1);
		free(out);
	}
	out = malloc(len + 1);
	memcpy(out, s, len + 1);
	r = shim_normalize(out, out, len + 1);
	CHECK(r >= 0 && !strcmp(out, want), "in place: %d \"%s\", reference \"%s\"", r,
	      r >= 0 ? out : "", want);
	again = malloc(wlen + 1);
	r = shim_normalize(out, again, wlen + 1);
	CHECK(r >= 0 && !strcmp(again, out), "not idempotent: \"%s\" -> \"%s\"", out,
	      r >= 0 ? again : "");
	free(again);
	free(out);
	free(want);
}

/* The star's component index in key K, or -1. */
static int star_index(const struct ref_key *k)
{
	for (int c = 0; c < k->ncomp; c++)
		if (k->wild && is_star(k->comp[c], k->clen[c]))
			return c;
	return -1;
}

/*
 * What opening the concrete root P[0, CLEN) of root ROOT must give, as
 * README says: "each concrete root is opened on first use ..., and no
 * symlink is allowed from the wildcard component down to the root". The
 * wildcard component is where the key that matched P has its "*" (the
 * configured spelling or the canonical one). Returns 0 and *ST, or
 * -errno.
 */
static int acquire_star;   /* the star's index in the key ref_acquire used */

static int ref_acquire(int root, const char *p, size_t clen, struct stat *st)
{
	char path[PATH_MAX + 1];
	const struct ref_key *k = NULL;
	int star = -1, fd;
	size_t i = 0, end;

	for (int j = 0; j < nkeys && !k; j++)
		if (keys[j].root == root && key_matches(&keys[j], p, clen ? clen : 1, &end) &&
		    end == clen)
			k = &keys[j];
	if (k)
		star = star_index(k);
	acquire_star = star;
	/* the prefix, by name: the path up to the star's component */
	for (int c = 0; star >= 0 && i < clen; i++)
		if (p[i] == '/' && c++ == star)
			break;
	if (star < 0)
		i = clen;
	memcpy(path, p, i);
	strcpy(i ? path + i : path, i ? "" : "/");
	fd = open(path, O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	close(fd);
	/* then one component at a time, no symlink allowed */
	while (i < clen) {
		size_t s = i + 1;

		for (i = s; i < clen && p[i] != '/'; i++)
			;
		memcpy(path, p, i);
		path[i] = '\0';
		if (lstat(path, st) < 0)
			return -errno;
		if (S_ISLNK(st->st_mode))
			return -ELOOP;
		if (!S_ISDIR(st->st_mode))
			return -ENOTDIR;
	}
	return stat(path, st) < 0 ? -errno : 0;
}

static void check_acquire(const struct shim_root_cfg *rc, const struct shim_config *cfg,
                          const char *p, size_t clen)
{
	struct shim_root r;
	struct stat want, got;
	int w = ref_acquire((int)(rc - cfg->roots), p, clen, &want), g;
	const char *known = acquire_star >= 0 && acquire_star < rc->wildcard_depth
	                    ? KNOWN_WILD_ALIAS : NULL;

	if (known && skip_known)
		return;
	g = shim_root_acquire(&r, rc, p, clen);

	if (g == 0) {
		CHECK(fstat(r.h.fd, &got) == 0, "shim_root_acquire() gave a bad fd %d", r.h.fd);
		CHECK(fcntl(r.h.fd, F_GETFD) & FD_CLOEXEC, "a root fd without FD_CLOEXEC");
		shim_root_release(&r);
	}
	CHECK(g == w && (g < 0 || (got.st_dev == want.st_dev && got.st_ino == want.st_ino)),
	      "opening the concrete root \"%.*s\" of \"%s\" (alias \"%s\"): %s, reference %s%s%s",
	      (int)clen, p, rc->path, alias_text[rc - cfg->roots],
	      g < 0 ? strerrorname_np(-g) : "a directory",
	      w < 0 ? strerrorname_np(-w) : g == 0 ? "another directory" : "a directory",
	      known ? "; known bug: " : "", known ? known : "");
}

static void check_match(const char *s, const struct shim_config *cfg)
{
	size_t len = strlen(s);
	char *p = malloc(len + 1);
	const struct shim_root_cfg *rc;
	const char *rest = NULL;
	size_t clen = 12345;
	struct answer want;
	int n;

	n = shim_normalize(s, p, len + 1);
	CHECK(n >= 0, "shim_normalize(\"%s\") = %d", s, n);
	want = ref_match(p, (size_t)n);
	rc = shim_match(p, (size_t)n, &rest, &clen);
	if (want.root < 0) {
		CHECK(rc == NULL, "\"%s\" matched root %d \"%s\" (rest \"%s\"), the reference none", p,
		      (int)(rc - cfg->roots), rc->path, rest);
		free(p);
		return;
	}
	CHECK(rc != NULL, "\"%s\" matched nothing, the reference root %d \"%s\" (alias \"%s\")", p,
	      want.root, cfg->roots[want.root].path, alias_text[want.root]);
	CHECK(want.tied[rc - cfg->roots],
	      "\"%s\" matched root %d \"%s\", the reference root %d \"%s\" (alias \"%s\")", p,
	      (int)(rc - cfg->roots), rc->path, want.root, cfg->roots[want.root].path,
	      alias_text[want.root]);
	CHECK(clen == want.clen, "\"%s\" under \"%s\": concrete length %zu, reference %zu", p,
	      rc->path, clen, want.clen);
	if (want.rest < 0)
		CHECK(rest && !strcmp(rest, "."), "\"%s\" under \"%s\": rest \"%s\", reference \".\"",
		      p, rc->path, rest);
	else
		CHECK(rest == p + want.rest, "\"%s\" under \"%s\": rest \"%s\", reference \"%s\"", p,
		      rc->path, rest, p + want.rest);
	check_acquire(rc, cfg, p, clen);
	free(p);
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	const char *k = getenv("BENEATH_FUZZ_SKIP_KNOWN");

	fuzz_init_common();
	fuzz_describe = describe;
	skip_known = k && !strcmp(k, "1");
	setup_tree();
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct shim_arena arena = { NULL, 0, 0 };
	struct shim_env env = { .roots = NULL };
	char err[512];
	size_t vlen = 0;
	bool want_ok;
	int r;

	fuzz_lines(data, size, add_line, NULL);
	for (int i = 0; i < in.npaths; i++) {
		cur_path = in.paths[i];
		check_normalize(in.paths[i]);
	}
	cur_path = NULL;
	for (int i = 0; i < in.nroots; i++)
		vlen += strlen(in.roots[i]) + 1;
	in.roots_var = malloc(vlen + 1);
	in.roots_var[0] = '\0';
	for (int i = 0; i < in.nroots; i++) {
		if (i)
			strcat(in.roots_var, ":");
		strcat(in.roots_var, in.roots[i]);
	}
	env.roots = in.roots_var;
	arena.size = SHIM_ARENA_SIZE(&env);
	arena.base = malloc(arena.size);
	if (shim_config_parse(&env, &shim.cfg, &arena, err, sizeof(err)) < 0)
		goto out;  /* fuzz-config's business */
	for (size_t i = 0; i < shim.cfg.nroots; i++)
		if (shim.cfg.roots[i].fd >= 0)
			goto out;  /* fd=N: not opened by path, not matched here */

	want_ok = ref_setup(&shim.cfg);
	if (ref_known && skip_known)
		goto out;
	if (ref_known)
		fprintf(stderr, "fuzz-match: this input meets a known bug: %s\n", ref_known);
	setup_nroots = shim.cfg.nroots;
	r = shim_roots_setup(err, sizeof(err));
	CHECK((r == 0) == want_ok, "shim_roots_setup() = %d (\"%s\"), the reference %s%s%s", r,
	      r ? err : "", want_ok ? "accepts" : "refuses",
	      ref_known ? "; known bug: " : "", ref_known ? ref_known : "");
	if (r < 0)
		goto reset;
	for (int i = 0; i < in.npaths; i++) {
		cur_path = in.paths[i];
		check_match(in.paths[i], &shim.cfg);
	}
	cur_path = NULL;
	{
		const char *rest;
		size_t clen;

		CHECK(shim_match("", 0, &rest, &clen) == NULL, "the empty path matched");
		CHECK(shim_match("a/b", 3, &rest, &clen) == NULL, "a relative path matched");
	}
reset:
	roots_reset();
out:
	memset(&shim.cfg, 0, sizeof(shim.cfg));
	free(arena.base);
	input_free();
	return 0;
}
