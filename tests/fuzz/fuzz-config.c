/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Fuzz target: the shim's configuration parser, shim_config_parse()
 * (shim/config.c), on arbitrary values of the six BENEATH_* variables.
 *
 * Input: byte 0 says which variables are set (bit 0 BENEATH_ROOTS, then
 * MODE, OUTSIDE, ERRNO, LOG, RESOLVER); byte 1 picks the size of the
 * message buffer and how the arena is (mis)aligned; the rest is the
 * values of the set variables in that order, separated by NUL bytes (a
 * set variable without its field is ""). Every value is copied to a heap
 * block of its exact size and the arena and message buffer are exact
 * too, so ASan sees any read or write past one.
 *
 * Checked against a reference parser written here from README and
 * config.h (a different algorithm: decode all escapes first, then split):
 *  - accepted exactly when the reference accepts; a refusal names the
 *    first bad variable, is one line of printable bytes, NUL-terminated
 *    inside any buffer size, a prefix of the whole message when cut,
 *    leaves the defaults in CFG and the arena untouched;
 *  - an accepted configuration equals the reference's field by field
 *    (normalised root paths, components, wildcard depth, rflags, ro,
 *    sameowner, fd, and the other five variables), lives inside the
 *    part of the arena the parse took, and the invariants of config.h
 *    hold (absolute, no "//", no "." component, no trailing slash, ...);
 *  - SHIM_ARENA_SIZE() is always enough ("configuration too large" never
 *    comes with it), a smaller arena gives that error or the same
 *    configuration, never anything else, and a second parse gives the
 *    same result.
 */
#include "config.h"

#include <errno.h>
#include <limits.h>
#include <stdint.h>
#include <string.h>

#include "beneath.h"
#include "../../shim/config.h"
#include "fuzz.h"

enum { NVARS = 6 };

static const char *const var_names[NVARS] = {
	"BENEATH_ROOTS", "BENEATH_MODE", "BENEATH_OUTSIDE",
	"BENEATH_ERRNO", "BENEATH_LOG", "BENEATH_RESOLVER",
};

/* The input being checked, for reports. */
static const char *cur_vals[NVARS];

static void describe(void)
{
	fprintf(stderr, "input:\n");
	for (int i = 0; i < NVARS; i++) {
		fprintf(stderr, "  %s", var_names[i]);
		if (!cur_vals[i]) {
			fprintf(stderr, " unset\n");
			continue;
		}
		fprintf(stderr, "=\"");
		fuzz_put_escaped(stderr, cur_vals[i], strlen(cur_vals[i]));
		fprintf(stderr, "\"\n");
	}
}

/* ------------------------------------------------------------------ */
/* The reference parser                                               */
/* ------------------------------------------------------------------ */

struct ref_root {
	char *path;
	size_t len;
	int ncomp, wild;
	unsigned int rflags;
	bool ro, sameowner;
	int fd;
};

struct ref_cfg {
	struct ref_root *roots;
	size_t nroots;
	enum shim_verdict_mode mode;
	bool deny_outside;
	int deny_errno;
	enum shim_log_kind log_kind;
	int log_fd;
	const char *log_path;
	enum shim_resolver resolver;
};

/* A byte of the variable after escapes are decoded. */
struct tok {
	char c;
	bool esc;
};

static bool is_plain(const struct tok *t, char c)
{
	return !t->esc && t->c == c;
}

/* Decimal digits only, not empty, at most INT_MAX: the value or -1. */
static long ref_number(const char *s, size_t n)
{
	long v = 0;

	if (n == 0)
		return -1;
	for (size_t i = 0; i < n; i++) {
		if (s[i] < '0' || s[i] > '9')
			return -1;
		v = v * 10 + (s[i] - '0');
		if (v > INT_MAX)
			return -1;
	}
	return v;
}

/* The options of one entry, decoded tokens [T, E); R has its path. */
static int ref_options(const struct tok *t, const struct tok *e, struct ref_root *r)
{
	int access = -1, mode = -1;
	long fd = -1;
	bool nosym = false;
	char *w = malloc((size_t)(e - t) + 1);

	if (!w)
		abort();
	for (const struct tok *o = t;;) {
		const struct tok *oe = o;
		size_t n = 0;

		while (oe < e && !is_plain(oe, ','))
			w[n++] = (oe++)->c;
		w[n] = '\0';
		if (n == 0)
			goto bad;
		if (n >= 3 && memcmp(w, "fd=", 3) == 0) {
			long v = ref_number(w + 3, n - 3);

			if (v < 3 || r->wild >= 0 || (fd >= 0 && fd != v))
				goto bad;
			fd = v;
		} else if (!strcmp(w, "rw") || !strcmp(w, "ro")) {
			int v = w[1] == 'o';

			if (access >= 0 && access != v)
				goto bad;
			access = v;
		} else if (!strcmp(w, "contain") || !strcmp(w, "beneath") ||
		           !strcmp(w, "in_root")) {
			int v = w[0] == 'c' ? BENEATH_MODE_CONTAIN :
			        w[0] == 'b' ? BENEATH_MODE_BENEATH : BENEATH_MODE_IN_ROOT;

			if (mode >= 0 && mode != v)
				goto bad;
			mode = v;
		} else if (!strcmp(w, "nosymlinks")) {
			nosym = true;
		} else if (!strcmp(w, "sameowner")) {
			r->sameowner = true;
		} else {
			goto bad;
		}
		if (oe == e)
			break;
		o = oe + 1;
	}
	r->rflags = (unsigned int)(mode >= 0 ? mode : BENEATH_MODE_CONTAIN) |
	            (nosym ? BENEATH_NO_SYMLINKS : 0);
	r->ro = access == 1;
	r->fd = (int)fd;
	free(w);
	return 0;
bad:
	free(w);
	return -1;
}

/* One entry [T, E) of decoded tokens. */
static int ref_entry(const struct tok *t, const struct tok *e, struct ref_root *r)
{
	const struct tok *eq = t, *p;
	char *out;
	size_t len = 0;

	*r = (struct ref_root){ .rflags = BENEATH_MODE_CONTAIN, .fd = -1, .wild = -1 };
	if (t == e)
		return -1;
	while (eq < e && !is_plain(eq, '='))
		eq++;
	if (eq == t || !is_plain(t, '/'))
		return -1;
	out = malloc((size_t)(eq - t) + 2);
	if (!out)
		abort();
	for (p = t; p < eq;) {
		const struct tok *c;
		size_t n = 0;
		bool star = false;

		while (p < eq && is_plain(p, '/'))
			p++;
		if (p == eq)
			break;
		for (c = p; p < eq && !is_plain(p, '/'); p++, n++)
			star |= p->c == '*';
		if (n == 1 && c->c == '.')
			continue;
		if (star && n != 1) {
			free(out);
			return -1;
		}
		if (star && r->wild < 0)
			r->wild = r->ncomp;
		out[len++] = '/';
		for (size_t i = 0; i < n; i++)
			out[len++] = c[i].c;
		r->ncomp++;
	}
	if (len == 0)
		out[len++] = '/';
	out[len] = '\0';
	r->path = out;
	r->len = len;
	if (len >= PATH_MAX)
		return -1;
	if (eq < e)
		return ref_options(eq + 1, e, r);
	return 0;
}

static void ref_free(struct ref_cfg *c)
{
	for (size_t i = 0; i < c->nroots; i++)
		free(c->roots[i].path);
	free(c->roots);
	c->roots = NULL;
	c->nroots = 0;
}

static int ref_roots(const char *v, struct ref_cfg *c)
{
	size_t n, nt = 0;
	struct tok *t;
	int r = 0;

	if (!v || !*v)
		return 0;
	n = strlen(v);
	t = malloc(n * sizeof(*t));
	c->roots = calloc(n, sizeof(*c->roots));
	if (!t || !c->roots)
		abort();
	for (size_t i = 0; i < n; i++) {
		if (v[i] != '\\') {
			t[nt++] = (struct tok){ v[i], false };
			continue;
		}
		if (i + 1 == n || !memchr(":=,\\", v[i + 1], 4)) {
			free(t);
			return -1;
		}
		t[nt++] = (struct tok){ v[++i], true };
	}
	for (size_t s = 0; r == 0;) {
		size_t e = s;

		while (e < nt && !is_plain(&t[e], ':'))
			e++;
		r = ref_entry(t + s, t + e, &c->roots[c->nroots]);
		if (c->roots[c->nroots].path)
			c->nroots++;
		if (e == nt)
			break;
		s = e + 1;
	}
	free(t);
	for (size_t i = 0; r == 0 && i < c->nroots; i++)
		for (size_t j = 0; r == 0 && j < i; j++)
			if (!strcmp(c->roots[i].path, c->roots[j].path))
				r = -1;
	return r;
}

/* errno names from glibc's own table (strerrorname_np), plus the three
 * aliases <errno.h> defines on Linux: independent of shim/errnames.c. */
static int ref_errno(const char *v)
{
	static const struct { const char *name; int value; } aliases[] = {
		{ "EWOULDBLOCK", EWOULDBLOCK },
		{ "EDEADLOCK", EDEADLOCK },
		{ "ENOTSUP", ENOTSUP },
	};

	for (int e = 1; e < 256; e++) {
		const char *s = strerrorname_np(e);

		if (s && !strcmp(s, v))
			return e;
	}
	for (size_t i = 0; i < sizeof(aliases) / sizeof(aliases[0]); i++)
		if (!strcmp(aliases[i].name, v))
			return aliases[i].value;
	return -1;
}

/* Returns -1 when everything is accepted, else the index of the first
 * variable the parser must refuse. */
static int ref_parse(const char *const vals[NVARS], struct ref_cfg *c)
{
	const char *v;

	*c = (struct ref_cfg){ .mode = SHIM_ENFORCE, .deny_errno = EACCES,
	                       .log_kind = SHIM_LOG_NONE, .log_fd = -1,
	                       .resolver = SHIM_RESOLVER_AUTO };
	if (ref_roots(vals[0], c) < 0)
		return 0;
	if ((v = vals[1])) {
		if (!strcmp(v, "enforce"))
			c->mode = SHIM_ENFORCE;
		else if (!strcmp(v, "audit"))
			c->mode = SHIM_AUDIT;
		else
			return 1;
	}
	if ((v = vals[2])) {
		if (!strcmp(v, "allow"))
			c->deny_outside = false;
		else if (!strcmp(v, "deny"))
			c->deny_outside = true;
		else
			return 2;
	}
	if ((v = vals[3])) {
		c->deny_errno = ref_errno(v);
		if (c->deny_errno < 0)
			return 3;
	}
	if ((v = vals[4])) {
		if (!strcmp(v, "stderr")) {
			c->log_kind = SHIM_LOG_STDERR;
		} else if (!strncmp(v, "fd:", 3)) {
			long fd = ref_number(v + 3, strlen(v + 3));

			if (fd < 0)
				return 4;
			c->log_kind = SHIM_LOG_FD;
			c->log_fd = (int)fd;
		} else if (v[0] == '/' && strlen(v) < PATH_MAX) {
			c->log_kind = SHIM_LOG_PATH;
			c->log_path = v;
		} else {
			return 4;
		}
	}
	if ((v = vals[5])) {
		if (!strcmp(v, "auto"))
			c->resolver = SHIM_RESOLVER_AUTO;
		else if (!strcmp(v, "openat2"))
			c->resolver = SHIM_RESOLVER_OPENAT2;
		else if (!strcmp(v, "walker"))
			c->resolver = SHIM_RESOLVER_WALKER;
		else
			return 5;
	}
	/* The mutant forgets that "." components are dropped. */
	if (fuzz_mutant)
		for (size_t i = 0; i < c->nroots; i++)
			if (c->roots[i].ncomp)
				c->roots[i].ncomp += !!strstr(vals[0], "/./");
	return -1;
}

/* ------------------------------------------------------------------ */
/* Checks                                                             */
/* ------------------------------------------------------------------ */

static bool inside(const void *p, size_t n, const char *lo, const char *hi)
{
	const char *c = p;

	return c >= lo && c <= hi && n <= (size_t)(hi - c);
}

static void check_defaults(const struct shim_config *c)
{
	CHECK(c->roots == NULL && c->nroots == 0, "%zu roots after a refusal", c->nroots);
	CHECK(c->mode == SHIM_ENFORCE && !c->deny_outside && c->deny_errno == EACCES &&
	      c->log_kind == SHIM_LOG_NONE && c->log_fd == -1 && c->log_path == NULL &&
	      c->resolver == SHIM_RESOLVER_AUTO, "not the defaults after a refusal");
}

/* A message in a buffer of SIZE bytes: NUL-terminated inside it, one line
 * of printable bytes. Returns its length. */
static size_t check_message(const char *err, size_t size)
{
	size_t len;

	if (!err || size == 0)
		return 0;
	len = strnlen(err, size);
	CHECK(len < size, "message not NUL-terminated in %zu bytes", size);
	for (size_t i = 0; i < len; i++)
		CHECK((unsigned char)err[i] >= 0x20 && err[i] != 0x7f,
		      "byte %#x at %zu of the message \"%s\"", (unsigned char)err[i], i, err);
	return len;
}

static void check_root(const struct shim_root_cfg *g, const struct ref_root *w,
                       size_t i, const char *lo, const char *hi)
{
	const char *p = g->path;

	CHECK(p && inside(p, g->path_len + 1, lo, hi),
	      "root %zu's path is outside what the parse took of the arena", i);
	CHECK(strlen(p) == g->path_len, "root %zu: path_len %zu for \"%s\"", i, g->path_len, p);
	CHECK(g->path_len == w->len && !memcmp(p, w->path, w->len),
	      "root %zu: path \"%s\", the reference says \"%s\"", i, p, w->path);
	/* config.h's invariants, checked on the text itself too */
	CHECK(p[0] == '/' && g->path_len < PATH_MAX, "root %zu: \"%s\"", i, p);
	CHECK(!strstr(p, "//") && !strstr(p, "/./") &&
	      (g->path_len == 1 || (p[g->path_len - 1] != '/' &&
	                            strcmp(p + g->path_len - 2, "/.") != 0)),
	      "root %zu: \"%s\" is not normalised", i, p);
	CHECK(g->ncomponents == w->ncomp, "root %zu \"%s\": ncomponents %d, reference %d", i, p,
	      g->ncomponents, w->ncomp);
	CHECK(g->wildcard_depth == w->wild, "root %zu \"%s\": wildcard_depth %d, reference %d", i,
	      p, g->wildcard_depth, w->wild);
	CHECK(g->rflags == w->rflags, "root %zu \"%s\": rflags %#x, reference %#x", i, p, g->rflags,
	      w->rflags);
	CHECK((g->rflags & BENEATH_MODE_MASK) <= BENEATH_MODE_CONTAIN &&
	      !(g->rflags & ~(unsigned int)(BENEATH_MODE_MASK | BENEATH_NO_SYMLINKS)),
	      "root %zu: rflags %#x", i, g->rflags);
	CHECK(g->ro == w->ro && g->sameowner == w->sameowner && g->fd == w->fd,
	      "root %zu \"%s\": ro %d sameowner %d fd %d, reference %d %d %d", i, p, g->ro,
	      g->sameowner, g->fd, w->ro, w->sameowner, w->fd);
	CHECK(g->fd == -1 || (g->fd >= 3 && g->wildcard_depth < 0), "root %zu: fd %d", i, g->fd);
}

/* CFG against the reference; [LO, HI) is what the parse took. */
static void check_config(const struct shim_config *c, const struct ref_cfg *w,
                         const char *lo, const char *hi)
{
	CHECK(c->nroots == w->nroots, "%zu roots, the reference has %zu", c->nroots, w->nroots);
	CHECK((c->nroots == 0) == (c->roots == NULL), "roots %p for %zu roots",
	      (const void *)c->roots, c->nroots);
	if (c->roots)
		CHECK((uintptr_t)c->roots % _Alignof(struct shim_root_cfg) == 0 &&
		      inside(c->roots, c->nroots * sizeof(*c->roots), lo, hi),
		      "the roots array is misaligned or outside the arena");
	for (size_t i = 0; i < c->nroots; i++)
		check_root(&c->roots[i], &w->roots[i], i, lo, hi);
	CHECK(c->mode == w->mode, "mode %d, reference %d", c->mode, w->mode);
	CHECK(c->deny_outside == w->deny_outside, "deny_outside %d", c->deny_outside);
	CHECK(c->deny_errno == w->deny_errno, "deny_errno %d, reference %d", c->deny_errno,
	      w->deny_errno);
	CHECK(shim_errno_name(c->deny_errno) != NULL &&
	      shim_errno_from_name(shim_errno_name(c->deny_errno)) == c->deny_errno,
	      "errno %d has no name that maps back to it", c->deny_errno);
	CHECK(c->log_kind == w->log_kind && c->log_fd == w->log_fd,
	      "log kind %d fd %d, reference %d %d", c->log_kind, c->log_fd, w->log_kind, w->log_fd);
	if (w->log_path)
		CHECK(c->log_path && !strcmp(c->log_path, w->log_path) && c->log_path != w->log_path &&
		      inside(c->log_path, strlen(c->log_path) + 1, lo, hi),
		      "log path not an arena copy of the value");
	else
		CHECK(c->log_path == NULL, "log path \"%s\" without a path", c->log_path);
	CHECK(c->resolver == w->resolver, "resolver %d, reference %d", c->resolver, w->resolver);
}

/* Two accepted configurations are the same (paths by text). */
static bool same_config(const struct shim_config *a, const struct shim_config *b)
{
	if (a->nroots != b->nroots || a->mode != b->mode || a->deny_outside != b->deny_outside ||
	    a->deny_errno != b->deny_errno || a->log_kind != b->log_kind ||
	    a->log_fd != b->log_fd || a->resolver != b->resolver ||
	    !a->log_path != !b->log_path || (a->log_path && strcmp(a->log_path, b->log_path)))
		return false;
	for (size_t i = 0; i < a->nroots; i++) {
		const struct shim_root_cfg *x = &a->roots[i], *y = &b->roots[i];

		if (x->path_len != y->path_len || strcmp(x->path, y->path) ||
		    x->rflags != y->rflags || x->ro != y->ro || x->sameowner != y->sameowner ||
		    x->fd != y->fd || x->wildcard_depth != y->wildcard_depth ||
		    x->ncomponents != y->ncomponents)
			return false;
	}
	return true;
}

/* ------------------------------------------------------------------ */

/* Message buffer sizes; 0 stands for a NULL buffer. */
static const size_t err_sizes[16] = {
	512, 0, 1, 2, 3, 9, 15, 16, 17, 24, 40, 64, 100, 255, 1024, 4096,
};

struct parse {
	char *block;              /* malloc'd arena block */
	struct shim_arena arena;
	struct shim_config cfg;
	char *err;
	size_t errsz;
	int r;
};

/* One parse of ENV with an arena of SIZE bytes after OFFSET bytes of
 * misalignment, USED of them already taken, and an ERRSZ-byte message
 * buffer (0: none). */
static void parse_with(struct parse *p, const struct shim_env *env, size_t size,
                       size_t offset, size_t used, size_t errsz)
{
	p->block = malloc(offset + size + 1);
	p->err = errsz ? malloc(errsz) : NULL;
	if (!p->block || (errsz && !p->err))
		abort();
	p->errsz = errsz;
	p->arena = (struct shim_arena){ .base = p->block + offset, .size = size, .used = used };
	if (p->err)
		memset(p->err, '#', errsz);
	memset(&p->cfg, 0x5a, sizeof(p->cfg));
	p->r = shim_config_parse(env, &p->cfg, &p->arena, p->err, errsz ? errsz : 100);
}

static void parse_free(struct parse *p)
{
	free(p->block);
	free(p->err);
}

/* "BENEATH_ROOTS: configuration too large ..." or the same for LOG. */
static bool is_too_large(const char *err)
{
	static const char tl[] = "configuration too large for the shim's arena";

	return (!strncmp(err, "BENEATH_ROOTS: ", 15) && !strcmp(err + 15, tl)) ||
	       (!strncmp(err, "BENEATH_LOG: ", 13) && !strcmp(err + 13, tl));
}

/* The message is "VAR: ..." for variable VAR. */
static void check_names(const char *err, int var)
{
	size_t n = strlen(var_names[var]);

	CHECK(!strncmp(err, var_names[var], n) && err[n] == ':' && err[n + 1] == ' ',
	      "message \"%s\" does not name %s first", err, var_names[var]);
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	fuzz_init_common();
	fuzz_describe = describe;
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *vals[NVARS] = { NULL };
	struct shim_env env;
	struct ref_cfg ref;
	struct parse a, full, again;
	unsigned int set, knobs;
	size_t pos = 2, base_used, delta, errsz, slots;
	int bad;

	if (size < 2)
		return 0;
	set = data[0];
	knobs = data[1];
	for (int i = 0; i < NVARS; i++) {
		size_t s = pos;

		if (!(set & (1u << i)))
			continue;
		while (pos < size && data[pos])
			pos++;
		vals[i] = malloc(pos - s + 1);
		if (!vals[i])
			abort();
		memcpy(vals[i], data + s, pos - s);
		vals[i][pos - s] = '\0';
		if (pos < size)
			pos++;
	}
	for (int i = 0; i < NVARS; i++)
		cur_vals[i] = vals[i];
	env = (struct shim_env){ vals[0], vals[1], vals[2], vals[3], vals[4], vals[5] };

	bad = ref_parse((const char *const *)vals, &ref);
	errsz = err_sizes[knobs & 15];
	base_used = (knobs >> 4) & 7;

	/* The parse as the shim makes it, plus the whole message. */
	parse_with(&a, &env, SHIM_ARENA_SIZE(&env) + base_used, (knobs >> 7) * 3, base_used,
	           errsz);
	parse_with(&full, &env, SHIM_ARENA_SIZE(&env), 0, 0, 8192);
	CHECK(a.r == full.r, "the result depends on the message buffer (%d, %d)", a.r, full.r);
	check_message(full.err, full.errsz);
	check_message(a.err, a.errsz);
	if (bad >= 0) {
		CHECK(a.r == -1, "accepted, the reference refuses %s", var_names[bad]);
		check_names(full.err, bad);
		CHECK(!is_too_large(full.err),
		      "SHIM_ARENA_SIZE() was not enough: \"%s\"", full.err);
		if (a.err)
			CHECK(!strncmp(a.err, full.err, strlen(a.err)) &&
			      strlen(a.err) == (strlen(full.err) < a.errsz - 1 ? strlen(full.err)
			                                                     : a.errsz - 1),
			      "message cut to %zu bytes: \"%s\", whole: \"%s\"", a.errsz, a.err,
			      full.err);
		CHECK(a.arena.used == base_used, "a refusal took %zu bytes of the arena",
		      a.arena.used - base_used);
		check_defaults(&a.cfg);
		goto out;
	}
	CHECK(a.r == 0, "refused (\"%s\"); the reference accepts", full.err);
	CHECK(!a.err || a.err[0] == '\0', "accepted with a message \"%s\"", a.err);
	CHECK(a.arena.used >= base_used && a.arena.used <= a.arena.size,
	      "arena used %zu of %zu, was %zu", a.arena.used, a.arena.size, base_used);
	check_config(&a.cfg, &ref, a.arena.base + base_used, a.arena.base + a.arena.used);
	CHECK(same_config(&a.cfg, &full.cfg), "the result depends on the arena's alignment");

	/* Smaller arenas: "too large" or the same configuration. Pass 2
	 * borrows its hash table (SLOTS 4-byte slots, aligned) from the top. */
	delta = a.arena.used - base_used;
	for (slots = 16; slots < 2 * ref.nroots; slots *= 2)
		;
	for (int k = 0; k < 3; k++) {
		size_t room = k == 0 ? (delta ? delta - 1 - (knobs & 3) % delta : 0)
		            : k == 1 ? delta : delta + (ref.nroots ? 4 * slots + 3 : 0);

		parse_with(&again, &env, base_used + room, (knobs >> 7) * 3, base_used, 512);
		if (again.r == 0) {
			CHECK(room >= delta, "accepted in %zu bytes, needs %zu", room, delta);
			CHECK(same_config(&again.cfg, &a.cfg), "another result in %zu bytes", room);
			CHECK(again.arena.used - base_used == delta, "took %zu bytes, then %zu",
			      delta, again.arena.used - base_used);
		} else {
			CHECK(is_too_large(again.err),
			      "in %zu bytes (%zu needed): \"%s\"", room, delta, again.err);
			CHECK(again.arena.used == base_used, "a refusal took arena space");
			check_defaults(&again.cfg);
			/* room for the result and the table must do */
			CHECK(k < 2, "refused in %zu bytes, %zu needed: \"%s\"",
			      room, delta, again.err);
		}
		parse_free(&again);
	}
out:
	parse_free(&a);
	parse_free(&full);
	ref_free(&ref);
	for (int i = 0; i < NVARS; i++) {
		free(vals[i]);
		cur_vals[i] = NULL;
	}
	return 0;
}
