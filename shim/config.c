/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The shim's configuration parser (config.h).
 *
 * It runs once, from a constructor, before the program's allocator can be
 * trusted, and it is a fuzz target: so no malloc, no stdio, no global
 * state, and no read past the NUL of any input string. All storage comes
 * from the caller's arena, and arena->used only moves on success, so a
 * failed parse hands back everything it took.
 *
 * BENEATH_ROOTS is parsed twice by the same code. The first pass only
 * checks and measures (how many roots, how many bytes of normalised
 * paths): a syntax error then reads the same whatever the arena size, and
 * the arena is asked once for exactly what the result needs. The second
 * pass writes the roots and finds duplicates through a hash table
 * borrowed from the top of the arena and handed back at the end. Both
 * passes are linear in the length of the variable.
 *
 * Messages quote the offending text as the user wrote it, escapes
 * included, so that it can be found in the variable; control bytes are
 * shown as \xNN so that a message stays one line whatever the input.
 */
#include <errno.h>
#include <limits.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "beneath.h"
/* The shim's own config.h: a quoted include looks beside this file first,
 * before the autoconf config.h that the build forces in with -include. */
#include "config.h"

#define V_ROOTS    "BENEATH_ROOTS"
#define V_MODE     "BENEATH_MODE"
#define V_OUTSIDE  "BENEATH_OUTSIDE"
#define V_ERRNO    "BENEATH_ERRNO"
#define V_LOG      "BENEATH_LOG"
#define V_RESOLVER "BENEATH_RESOLVER"

/* ------------------------------------------------------------------ */
/* Messages                                                           */
/* ------------------------------------------------------------------ */

/* A bounded message: appends past the end are dropped, and the text is
 * NUL-terminated whenever the buffer has room for a byte at all. */
struct msg {
	char *buf;
	size_t size;
	size_t len;
};

static bool msg_full(const struct msg *m)
{
	return m->len + 1 >= m->size;
}

static void msg_putc(struct msg *m, char c)
{
	if (msg_full(m))
		return;
	m->buf[m->len++] = c;
	m->buf[m->len] = '\0';
}

static void msg_str(struct msg *m, const char *s)
{
	while (*s && !msg_full(m))
		msg_putc(m, *s++);
}

/* N bytes of user text. Control bytes become \xNN: the caller prints the
 * message as one line, and a newline in the input must not break it. */
static void msg_text(struct msg *m, const char *s, size_t n)
{
	static const char hex[] = "0123456789abcdef";
	size_t i;

	for (i = 0; i < n && !msg_full(m); i++) {
		unsigned char c = (unsigned char)s[i];

		if (c < 0x20 || c == 0x7f) {
			msg_putc(m, '\\');
			msg_putc(m, 'x');
			msg_putc(m, hex[c >> 4]);
			msg_putc(m, hex[c & 15]);
		} else {
			msg_putc(m, (char)c);
		}
	}
}

static void msg_quoted(struct msg *m, const char *s, size_t n)
{
	msg_putc(m, '\'');
	msg_text(m, s, n);
	msg_putc(m, '\'');
}

static void msg_uint(struct msg *m, size_t v)
{
	char d[24];
	size_t n = 0;

	do {
		d[n++] = (char)('0' + v % 10);
		v /= 10;
	} while (v);
	while (n)
		msg_putc(m, d[--n]);
}

/* "VAR: WHAT"; the caller appends the rest. Starts over so that the
 * message is about one problem only. */
static void msg_start(struct msg *m, const char *var, const char *what)
{
	m->len = 0;
	if (m->size)
		m->buf[0] = '\0';
	msg_str(m, var);
	msg_str(m, ": ");
	msg_str(m, what);
}

/* "VAR: WHAT 'V'HINT" for a whole variable's value. */
static int bad_value(struct msg *m, const char *var, const char *what,
                     const char *v, const char *hint)
{
	msg_start(m, var, what);
	msg_quoted(m, v, strlen(v));
	msg_str(m, hint);
	return -1;
}

/* ------------------------------------------------------------------ */
/* Arena                                                              */
/* ------------------------------------------------------------------ */

/* The arena while parsing: what the result keeps grows up from LO,
 * scratch space grows down from HI and is given back by restoring HI. */
struct region {
	char *base;
	size_t lo, hi;
};

static size_t misalign(const char *p, size_t align)
{
	return (size_t)((uintptr_t)p & (align - 1));
}

static void *region_alloc(struct region *r, size_t size, size_t align)
{
	size_t pad;
	char *p;

	if (!r->base)
		return NULL;
	pad = (align - misalign(r->base + r->lo, align)) & (align - 1);
	if (pad > r->hi - r->lo || size > r->hi - r->lo - pad)
		return NULL;
	p = r->base + r->lo + pad;
	r->lo += pad + size;
	return p;
}

static void *region_alloc_top(struct region *r, size_t size, size_t align)
{
	size_t cut;

	if (!r->base || size > r->hi - r->lo)
		return NULL;
	/* Round the start down to ALIGN: cut SIZE plus the misalignment. */
	cut = size + misalign(r->base + (r->hi - size), align);
	if (cut > r->hi - r->lo)
		return NULL;
	r->hi -= cut;
	return r->base + r->hi;
}

/* ------------------------------------------------------------------ */
/* Small pieces                                                       */
/* ------------------------------------------------------------------ */

/* Decimal digits [S, E) as an int, or -1. Leading zeros are fine; a
 * sign, a space, an empty string or anything above INT_MAX is not. */
static int parse_int(const char *s, const char *e)
{
	long long v = 0;

	if (s == e)
		return -1;
	for (; s < e; s++) {
		if (*s < '0' || *s > '9')
			return -1;
		v = v * 10 + (*s - '0');
		if (v > INT_MAX)
			return -1;
	}
	return (int)v;
}

static bool is_escapable(char c)
{
	return c == ':' || c == '=' || c == ',' || c == '\\';
}

/* The byte at *P with its escape removed; moves *P past both. Only for
 * text whose escapes have been checked. */
static char next_char(const char **p)
{
	char c = *(*p)++;

	if (c == '\\')
		c = *(*p)++;
	return c;
}

/* The end of the BENEATH_ROOTS entry at S (its unescaped ':' or the
 * final NUL), for quoting an entry whose escapes are broken: it skips
 * every backslash pair without judging it, and never passes the NUL. */
static const char *entry_end(const char *s)
{
	while (*s && *s != ':') {
		if (*s == '\\' && s[1])
			s++;
		s++;
	}
	return s;
}

static bool word_is(const char *w, size_t n, const char *lit)
{
	return n == strlen(lit) && memcmp(w, lit, n) == 0;
}

/* FNV-1a: short paths, no adversary worth a keyed hash (the environment
 * is the user's own), and cheap enough to run before main(). */
static uint64_t hash_path(const char *s, size_t n)
{
	uint64_t h = 0xcbf29ce484222325ull;
	size_t i;

	for (i = 0; i < n; i++) {
		h ^= (unsigned char)s[i];
		h *= 0x100000001b3ull;
	}
	return h;
}

/* ------------------------------------------------------------------ */
/* BENEATH_ROOTS                                                      */
/* ------------------------------------------------------------------ */

/* One pass over BENEATH_ROOTS. Pass 1 has ROOTS NULL and only counts;
 * pass 2 writes, within what pass 1 counted. */
struct roots_pass {
	struct shim_root_cfg *roots;  /* pass 2: NROOTS_MAX entries */
	char *strings;                /* pass 2: STRINGS_SIZE bytes */
	uint32_t *table;              /* pass 2: MASK + 1 slots of index + 1 */
	size_t nroots_max, strings_size, mask;
	size_t nroots;                /* roots so far */
	size_t strings_used;          /* path bytes and NULs so far */
};

static int too_large(struct msg *m, const char *var)
{
	msg_start(m, var, "configuration too large for the shim's arena");
	return -1;
}

/*
 * Normalise the path [S, E) of the entry [S, ENTRY_E) into R, and into
 * OUT (CAP bytes) unless OUT is NULL. The caller has checked the
 * escapes; none of the escapable bytes is '/', '.' or '*', so components
 * are split and classified on the raw text and decoded only when copied.
 */
static int parse_path(const char *s, const char *e, const char *entry_e,
                      struct shim_root_cfg *r, char *out, size_t cap,
                      struct msg *m)
{
	const char *p = s;
	size_t len = 0;
	int ncomp = 0, wild = -1;

	if (s == e) {
		msg_start(m, V_ROOTS, "empty path in entry ");
		msg_quoted(m, s, (size_t)(entry_e - s));
		return -1;
	}
	if (*s != '/') {
		msg_start(m, V_ROOTS, "relative root ");
		msg_quoted(m, s, (size_t)(e - s));
		return -1;
	}
	while (p < e) {
		const char *c;
		size_t clen = 0, i;
		bool star = false;

		while (p < e && *p == '/')
			p++;
		if (p == e)
			break;
		c = p;
		while (p < e && *p != '/') {
			if (next_char(&p) == '*')
				star = true;
			clen++;
		}
		if (clen == 1 && *c == '.')
			continue;
		if (star && clen != 1) {
			msg_start(m, V_ROOTS, "wildcard must be a whole component in ");
			msg_quoted(m, s, (size_t)(e - s));
			return -1;
		}
		/* The kernel refuses longer paths (ENAMETOOLONG), and the
		 * bound keeps ncomponents far from INT_MAX. */
		if (clen >= PATH_MAX || len + 1 + clen >= PATH_MAX) {
			msg_start(m, V_ROOTS, "root longer than PATH_MAX ");
			msg_quoted(m, s, (size_t)(e - s));
			return -1;
		}
		if (star && wild < 0)
			wild = ncomp;
		if (out) {
			/* Pass 1 measured this; only an input changed under
			 * us could get here without room. */
			if (len + 1 + clen + 1 > cap)
				return too_large(m, V_ROOTS);
			out[len] = '/';
			for (i = 1; i <= clen; i++)
				out[len + i] = next_char(&c);
		}
		len += 1 + clen;
		ncomp++;
	}
	if (len == 0) {
		if (out) {
			if (cap < 2)
				return too_large(m, V_ROOTS);
			out[0] = '/';
		}
		len = 1;
	}
	if (out)
		out[len] = '\0';
	r->path = out;
	r->path_len = len;
	r->ncomponents = ncomp;
	r->wildcard_depth = wild;
	return 0;
}

/* A setting of one entry and the option that made it, so that a second,
 * different one can be reported next to it. */
struct setting {
	int value;
	const char *opt;
	size_t optlen;
};

static int set_once(struct setting *st, int value, const char *o, const char *oe,
                    const char *ps, const char *pe, struct msg *m)
{
	if (st->opt && st->value != value) {
		msg_start(m, V_ROOTS, "conflicting options ");
		msg_quoted(m, st->opt, st->optlen);
		msg_str(m, " and ");
		msg_quoted(m, o, (size_t)(oe - o));
		msg_str(m, " for ");
		msg_text(m, ps, (size_t)(pe - ps));
		return -1;
	}
	st->value = value;
	st->opt = o;
	st->optlen = (size_t)(oe - o);
	return 0;
}

/* "OPT 'o' for PATH" and a hint: most option errors read this way. */
static int bad_option(struct msg *m, const char *what, const char *o,
                      const char *oe, const char *ps, const char *pe,
                      const char *hint)
{
	msg_start(m, V_ROOTS, what);
	msg_quoted(m, o, (size_t)(oe - o));
	msg_str(m, " for ");
	msg_text(m, ps, (size_t)(pe - ps));
	msg_str(m, hint);
	return -1;
}

/* The options [S, E) of the root whose raw path is [PS, PE); R holds the
 * parsed path already (the fd option needs its wildcard_depth). Repeating
 * an option is harmless; two different values for one setting are not. */
static int parse_options(const char *s, const char *e, const char *ps,
                         const char *pe, struct shim_root_cfg *r,
                         struct msg *m)
{
	struct setting access = { 0, NULL, 0 }, mode = { 0, NULL, 0 },
	               fd = { -1, NULL, 0 };
	bool nosymlinks = false;
	const char *o = s;

	for (;;) {
		const char *oe = o, *q;
		/* Every known word is shorter; longer text is just unknown. */
		char w[16];
		size_t n = 0;
		int v;

		/* Escapes are checked, so a pair never straddles E. */
		while (oe < e && *oe != ',')
			oe += *oe == '\\' ? 2 : 1;
		if (oe == o) {
			msg_start(m, V_ROOTS, "empty option for ");
			msg_text(m, ps, (size_t)(pe - ps));
			return -1;
		}
		for (q = o; q < oe; n++) {
			char c = next_char(&q);

			if (n < sizeof(w))
				w[n] = c;
		}

		if (n >= 3 && memcmp(w, "fd=", 3) == 0) {
			/* The digits, raw: "fd=" was 3 raw bytes or 4 with
			 * "\=", and an escaped byte is never a digit. */
			const char *d = o + (o[2] == '\\' ? 4 : 3);

			v = parse_int(d, oe);
			if (v < 0)
				return bad_option(m, "bad fd ", o, oe, ps, pe,
				                  " (fd=N, N a decimal number from 3 to 2147483647)");
			if (v <= 2)
				return bad_option(m, "option ", o, oe, ps, pe,
				                  " names a standard stream (fd=N needs N >= 3)");
			if (r->wildcard_depth >= 0)
				return bad_option(m, "option ", o, oe, ps, pe,
				                  " on a wildcard root (one fd cannot serve many roots)");
			if (set_once(&fd, v, o, oe, ps, pe, m) < 0)
				return -1;
		} else if (n < sizeof(w) && (word_is(w, n, "rw") || word_is(w, n, "ro"))) {
			if (set_once(&access, w[1] == 'o', o, oe, ps, pe, m) < 0)
				return -1;
		} else if (n < sizeof(w) && (word_is(w, n, "contain") ||
		                             word_is(w, n, "beneath") ||
		                             word_is(w, n, "in_root"))) {
			v = w[0] == 'c' ? BENEATH_MODE_CONTAIN :
			    w[0] == 'b' ? BENEATH_MODE_BENEATH : BENEATH_MODE_IN_ROOT;
			if (set_once(&mode, v, o, oe, ps, pe, m) < 0)
				return -1;
		} else if (n < sizeof(w) && word_is(w, n, "nosymlinks")) {
			nosymlinks = true;
		} else if (n < sizeof(w) && word_is(w, n, "sameowner")) {
			r->sameowner = true;
		} else {
			return bad_option(m, "unknown option ", o, oe, ps, pe, "");
		}

		if (oe == e)
			break;
		o = oe + 1;
	}
	if (mode.opt)
		r->rflags = (unsigned int)mode.value;
	if (nosymlinks)
		r->rflags |= BENEATH_NO_SYMLINKS;
	r->ro = access.opt && access.value;
	r->fd = fd.value;
	return 0;
}

/* In pass 2: fail if R's path is in the table already, else add it as
 * root number RP->nroots. The table has at least twice as many slots as
 * there are roots, so probing always ends. */
static int check_duplicate(struct roots_pass *rp, const struct shim_root_cfg *r,
                           const char *ps, const char *pe, struct msg *m)
{
	size_t i = (size_t)hash_path(r->path, r->path_len) & rp->mask;

	for (;; i = (i + 1) & rp->mask) {
		const struct shim_root_cfg *o;

		if (!rp->table[i]) {
			rp->table[i] = (uint32_t)(rp->nroots + 1);
			return 0;
		}
		o = &rp->roots[rp->table[i] - 1];
		if (o->path_len == r->path_len &&
		    memcmp(o->path, r->path, r->path_len) == 0)
			break;
	}
	msg_start(m, V_ROOTS, "duplicate root ");
	msg_quoted(m, ps, (size_t)(pe - ps));
	if ((size_t)(pe - ps) != r->path_len ||
	    memcmp(ps, r->path, r->path_len) != 0) {
		msg_str(m, " (");
		msg_text(m, r->path, r->path_len);
		msg_str(m, " once normalised)");
	}
	return -1;
}

/* The entry [S, E), escapes checked, EQ its first unescaped '=' or E. */
static int parse_entry(const char *s, const char *eq, const char *e,
                       struct roots_pass *rp, struct msg *m)
{
	struct shim_root_cfg r = {
		.path = NULL,
		.rflags = BENEATH_MODE_CONTAIN,
		.fd = -1,
		.wildcard_depth = -1,
	};
	char *out = NULL;
	size_t cap = 0;

	if (rp->roots) {
		if (rp->nroots >= rp->nroots_max)
			return too_large(m, V_ROOTS);
		out = rp->strings + rp->strings_used;
		cap = rp->strings_size - rp->strings_used;
	}
	if (parse_path(s, eq, e, &r, out, cap, m) < 0)
		return -1;
	if (eq < e && parse_options(eq + 1, e, s, eq, &r, m) < 0)
		return -1;
	if (rp->roots) {
		if (check_duplicate(rp, &r, s, eq, m) < 0)
			return -1;
		rp->roots[rp->nroots] = r;
	}
	rp->nroots++;
	rp->strings_used += r.path_len + 1;
	return 0;
}

/* One pass over the whole of V: split it into entries, checking every
 * escape on the way, and parse each. */
static int roots_pass(const char *v, struct roots_pass *rp, struct msg *m)
{
	const char *s = v;
	size_t entry = 1;

	for (;;) {
		const char *p = s, *eq = NULL;

		while (*p && *p != ':') {
			if (*p == '\\') {
				if (!p[1]) {
					msg_start(m, V_ROOTS, "trailing backslash in ");
					msg_quoted(m, s, (size_t)(p + 1 - s));
					return -1;
				}
				if (!is_escapable(p[1])) {
					msg_start(m, V_ROOTS, "invalid escape ");
					msg_quoted(m, p, 2);
					msg_str(m, " in ");
					msg_quoted(m, s, (size_t)(entry_end(s) - s));
					msg_str(m, " (\\ escapes only ':', '=', ',' and itself)");
					return -1;
				}
				p += 2;
				continue;
			}
			if (*p == '=' && !eq)
				eq = p;
			p++;
		}
		if (p == s) {
			msg_start(m, V_ROOTS, "empty root entry (entry ");
			msg_uint(m, entry);
			msg_str(m, ")");
			return -1;
		}
		if (parse_entry(s, eq ? eq : p, p, rp, m) < 0)
			return -1;
		if (!*p)
			return 0;
		s = p + 1;
		entry++;
	}
}

static int parse_roots(const char *v, struct shim_config *cfg,
                       struct region *rg, struct msg *m)
{
	struct roots_pass rp = { .roots = NULL };
	size_t n, slots, rootsz, hi = rg->hi;

	/* Unset or empty: no roots, which is a valid configuration. */
	if (!v || !*v)
		return 0;
	if (roots_pass(v, &rp, m) < 0)
		return -1;

	n = rp.nroots;
	/* Table slots hold a uint32_t index + 1, at most half of them used. */
	if (n > UINT32_MAX / 4 ||
	    __builtin_mul_overflow(n, sizeof(struct shim_root_cfg), &rootsz))
		return too_large(m, V_ROOTS);
	for (slots = 16; slots < 2 * n; slots *= 2)
		;
	rp.roots = region_alloc(rg, rootsz, _Alignof(struct shim_root_cfg));
	rp.strings = rp.roots ? region_alloc(rg, rp.strings_used, 1) : NULL;
	rp.table = rp.strings ? region_alloc_top(rg, slots * sizeof(uint32_t),
	                                         _Alignof(uint32_t)) : NULL;
	if (!rp.table)
		return too_large(m, V_ROOTS);
	memset(rp.table, 0, slots * sizeof(uint32_t));
	rp.nroots_max = n;
	rp.strings_size = rp.strings_used;
	rp.mask = slots - 1;
	rp.nroots = 0;
	rp.strings_used = 0;

	if (roots_pass(v, &rp, m) < 0)
		return -1;
	rg->hi = hi;
	cfg->roots = rp.roots;
	cfg->nroots = rp.nroots;
	return 0;
}

/* ------------------------------------------------------------------ */
/* The other variables                                                */
/* ------------------------------------------------------------------ */

/* NULL is unset and keeps the default. "" is an error rather than unset:
 * "BENEATH_MODE=" in a unit file is a mistake, and silently enforcing or
 * auditing in its place would hide it. */
static bool empty_value(const char *var, const char *v, struct msg *m)
{
	if (*v)
		return false;
	msg_start(m, var, "empty value");
	return true;
}

static int parse_mode(const char *v, struct shim_config *cfg, struct msg *m)
{
	if (!v)
		return 0;
	if (empty_value(V_MODE, v, m))
		return -1;
	if (strcmp(v, "enforce") == 0)
		cfg->mode = SHIM_ENFORCE;
	else if (strcmp(v, "audit") == 0)
		cfg->mode = SHIM_AUDIT;
	else
		return bad_value(m, V_MODE, "unknown mode ", v, " (enforce or audit)");
	return 0;
}

static int parse_outside(const char *v, struct shim_config *cfg, struct msg *m)
{
	if (!v)
		return 0;
	if (empty_value(V_OUTSIDE, v, m))
		return -1;
	if (strcmp(v, "allow") == 0)
		cfg->deny_outside = false;
	else if (strcmp(v, "deny") == 0)
		cfg->deny_outside = true;
	else
		return bad_value(m, V_OUTSIDE, "unknown value ", v, " (allow or deny)");
	return 0;
}

/* Names only: a number would mean one thing on x86_64 and another on
 * other architectures, and 0 would make refusals look like success. */
static int parse_errno(const char *v, struct shim_config *cfg, struct msg *m)
{
	int e;

	if (!v)
		return 0;
	if (empty_value(V_ERRNO, v, m))
		return -1;
	e = shim_errno_from_name(v);
	if (e < 0)
		return bad_value(m, V_ERRNO, "unknown errno name ", v, "");
	cfg->deny_errno = e;
	return 0;
}

/* The log path is copied into the arena: the program may rewrite its
 * environment once main() runs, and the shim logs long after that. */
static int parse_log(const char *v, struct shim_config *cfg,
                     struct region *rg, struct msg *m)
{
	size_t len;
	char *p;
	int fd;

	if (!v)
		return 0;
	if (empty_value(V_LOG, v, m))
		return -1;
	len = strlen(v);
	if (strcmp(v, "stderr") == 0) {
		cfg->log_kind = SHIM_LOG_STDERR;
	} else if (strncmp(v, "fd:", 3) == 0) {
		fd = parse_int(v + 3, v + len);
		if (fd < 0)
			return bad_value(m, V_LOG, "bad fd ", v,
			                 " (fd:N, N a decimal number from 0 to 2147483647)");
		cfg->log_kind = SHIM_LOG_FD;
		cfg->log_fd = fd;
	} else if (v[0] == '/') {
		if (len >= PATH_MAX)
			return bad_value(m, V_LOG, "path longer than PATH_MAX ", v, "");
		p = region_alloc(rg, len + 1, 1);
		if (!p)
			return too_large(m, V_LOG);
		memcpy(p, v, len + 1);
		cfg->log_kind = SHIM_LOG_PATH;
		cfg->log_path = p;
	} else {
		return bad_value(m, V_LOG, "relative path ", v,
		                 " (stderr, fd:N or an absolute path)");
	}
	return 0;
}

static int parse_resolver(const char *v, struct shim_config *cfg, struct msg *m)
{
	if (!v)
		return 0;
	if (empty_value(V_RESOLVER, v, m))
		return -1;
	if (strcmp(v, "auto") == 0)
		cfg->resolver = SHIM_RESOLVER_AUTO;
	else if (strcmp(v, "openat2") == 0)
		cfg->resolver = SHIM_RESOLVER_OPENAT2;
	else if (strcmp(v, "walker") == 0)
		cfg->resolver = SHIM_RESOLVER_WALKER;
	else
		return bad_value(m, V_RESOLVER, "unknown resolver ", v,
		                 " (auto, openat2 or walker)");
	return 0;
}

/* ------------------------------------------------------------------ */

static void set_defaults(struct shim_config *cfg)
{
	cfg->roots = NULL;
	cfg->nroots = 0;
	cfg->mode = SHIM_ENFORCE;
	cfg->deny_outside = false;
	cfg->deny_errno = EACCES;
	cfg->log_kind = SHIM_LOG_NONE;
	cfg->log_fd = -1;
	cfg->log_path = NULL;
	cfg->resolver = SHIM_RESOLVER_AUTO;
}

/*
 * On failure CFG holds the defaults with no roots (nothing in it points
 * into the arena), and ARENA->used is as it was. A NULL ENV is all unset;
 * a NULL ARENA, or one with a NULL base, has no room.
 */
struct shim_env shim_env_from_environ(void)
{
	return (struct shim_env){
		.roots = getenv("BENEATH_ROOTS"),
		.mode = getenv("BENEATH_MODE"),
		.outside = getenv("BENEATH_OUTSIDE"),
		.errno_name = getenv("BENEATH_ERRNO"),
		.log = getenv("BENEATH_LOG"),
		.resolver = getenv("BENEATH_RESOLVER"),
	};
}

int shim_config_parse(const struct shim_env *env, struct shim_config *cfg,
                      struct shim_arena *arena, char *err, size_t errsz)
{
	const struct shim_env unset = { .roots = NULL };
	struct msg m = { err, err ? errsz : 0, 0 };
	struct region rg = { NULL, 0, 0 };
	struct shim_config c;

	if (m.size)
		err[0] = '\0';
	if (!env)
		env = &unset;
	if (arena && arena->base && arena->used <= arena->size) {
		rg.base = arena->base;
		rg.lo = arena->used;
		rg.hi = arena->size;
	}
	set_defaults(&c);
	if (parse_roots(env->roots, &c, &rg, &m) < 0 ||
	    parse_mode(env->mode, &c, &m) < 0 ||
	    parse_outside(env->outside, &c, &m) < 0 ||
	    parse_errno(env->errno_name, &c, &m) < 0 ||
	    parse_log(env->log, &c, &rg, &m) < 0 ||
	    parse_resolver(env->resolver, &c, &m) < 0) {
		set_defaults(cfg);
		return -1;
	}
	if (arena && rg.base)
		arena->used = rg.lo;
	*cfg = c;
	return 0;
}
