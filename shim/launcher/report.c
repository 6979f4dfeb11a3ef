/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The launcher's CI report (report.h): read the denial log back from an
 * offset, count the records, fold them into distinct violations by (path,
 * call, exe), and write the JSON report and the one-screen summary.
 *
 * String values are copied as the log spelled them, escapes and all. The
 * shim already wrote valid JSON strings, and decoding and re-encoding would
 * not give them back: log.c writes a byte that is not UTF-8 as \u00XX,
 * which decodes to the character U+00XX, and that re-encodes as two UTF-8
 * bytes naming a different path. Every token is still validated (JSON
 * syntax, strict UTF-8, paired surrogates), because a line cut by a crashed
 * writer, or bytes a confined program wrote into the log itself, must not
 * make the report invalid JSON; such a line is counted, never fatal.
 *
 * A CI run can log a million records with a hundred thousand distinct
 * violations, so records are counted in hash tables and strings live in
 * one arena, freed at once.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

#include "report.h"

/* log.c writes at most 8 KiB a line; a longer one is not a record. */
#define LINE_MAX_BYTES (9 * 1024)
/* Violations listed in the summary; the report has them all. */
#define SUMMARY_MAX 50
/* Nesting allowed in the value of a key this reader does not know. */
#define DEPTH_MAX 16
#define ARENA_CHUNK (1u << 20)
#define TABLE_MIN 64

/* A byte string that is not NUL-terminated: a token as the log spelled it,
 * between its quotes. */
struct str {
	const char *s;
	size_t n;
};

/* ------------------------------------------------------------------------
 * Storage: an arena for strings, and hash tables whose entries each start
 * with their key
 * ------------------------------------------------------------------------ */

struct chunk {
	struct chunk *next;
	size_t used, size;
	char data[];
};

struct arena {
	struct chunk *head;
};

/* A copy of S that lives until arena_free(), or NULL. Never NULL for N = 0
 * either, so that memcmp() and fwrite() always get a real pointer. */
static const char *arena_copy(struct arena *a, const char *s, size_t n)
{
	struct chunk *c = a->head;
	char *p;

	if (!c || c->size - c->used < n) {
		size_t size = n > ARENA_CHUNK ? n : ARENA_CHUNK;

		c = malloc(sizeof(*c) + size);
		if (!c)
			return NULL;
		c->next = a->head;
		c->used = 0;
		c->size = size;
		a->head = c;
	}
	p = c->data + c->used;
	if (n)
		memcpy(p, s, n);
	c->used += n;
	return p;
}

static void arena_free(struct arena *a)
{
	while (a->head) {
		struct chunk *next = a->head->next;

		free(a->head);
		a->head = next;
	}
}

/*
 * Open addressing with linear probing over an array of entries of SIZE
 * bytes, each beginning with a struct str key. Entries stay in one array,
 * not behind pointers, so that sorting them at the end is one qsort() (after
 * which the slots are stale: sort only when done looking up). A slot holds
 * the key's 32-bit hash above the entry's index + 1, so probing compares
 * keys only on a hash match and growing never rehashes a key.
 */
struct table {
	char *items;
	size_t size, len, cap;
	uint64_t *slots;        /* 0: empty */
	size_t nslots;          /* a power of two, at least twice len */
};

/* FNV-1a, then MurmurHash3's finaliser: FNV alone leaves the low bits,
 * which pick the slot, poorly mixed for keys that differ only at the end
 * (/src/a.c, /src/b.c). */
static uint32_t hash(const char *s, size_t n)
{
	uint64_t h = 0xcbf29ce484222325u;

	for (size_t i = 0; i < n; i++) {
		h ^= (unsigned char)s[i];
		h *= 0x100000001b3u;
	}
	h ^= h >> 33;
	h *= 0xff51afd7ed558ccdu;
	h ^= h >> 33;
	return (uint32_t)h;
}

static int table_grow(struct table *t)
{
	size_t n = t->nslots ? t->nslots * 2 : TABLE_MIN;
	uint64_t *s = calloc(n, sizeof(*s));

	if (!s)
		return -ENOMEM;
	for (size_t i = 0; i < t->nslots; i++) {
		size_t j;

		if (!t->slots[i])
			continue;
		for (j = (t->slots[i] >> 32) & (n - 1); s[j]; j = (j + 1) & (n - 1))
			;
		s[j] = t->slots[i];
	}
	free(t->slots);
	t->slots = s;
	t->nslots = n;
	return 0;
}

/* The entry for KEY, added zero-filled (its key copied into A) if there
 * was none; NULL when out of memory. The pointer is good until the next
 * call: the array moves as it grows. */
static void *table_get(struct table *t, struct arena *a, const char *key, size_t n)
{
	uint32_t h = hash(key, n);
	struct str *k;
	char *item;
	size_t j;

	if (2 * (t->len + 1) > t->nslots && table_grow(t) < 0)
		return NULL;
	for (j = h & (t->nslots - 1); t->slots[j]; j = (j + 1) & (t->nslots - 1)) {
		if ((uint32_t)(t->slots[j] >> 32) != h)
			continue;
		item = t->items + ((uint32_t)t->slots[j] - 1) * t->size;
		k = (struct str *)item;
		if (k->n == n && memcmp(k->s, key, n) == 0)
			return item;
	}
	/* The index + 1 must fit the slot's low half. */
	if (t->len >= UINT32_MAX - 1)
		return NULL;
	if (t->len == t->cap) {
		size_t cap = t->cap ? t->cap * 2 : TABLE_MIN;
		char *items = reallocarray(t->items, cap, t->size);

		if (!items)
			return NULL;
		t->items = items;
		t->cap = cap;
	}
	item = t->items + t->len * t->size;
	memset(item, 0, t->size);
	k = (struct str *)item;
	k->s = arena_copy(a, key, n);
	if (!k->s)
		return NULL;
	k->n = n;
	t->slots[j] = (uint64_t)h << 32 | (t->len + 1);
	t->len++;
	return item;
}

static void table_free(struct table *t)
{
	free(t->items);
	free(t->slots);
}

/* ------------------------------------------------------------------------
 * Reading a record: a strict JSON object of the keys below, in any order
 * ------------------------------------------------------------------------ */

enum field { F_TIME, F_PID, F_EXE, F_CALL, F_PATH, F_ROOT, F_VERDICT, F_REASON, F_ERRNO, F_COUNT };

static const char *const field_names[F_COUNT] = {
	[F_TIME] = "time", [F_PID] = "pid", [F_EXE] = "exe", [F_CALL] = "call",
	[F_PATH] = "path", [F_ROOT] = "root", [F_VERDICT] = "verdict",
	[F_REASON] = "reason", [F_ERRNO] = "errno",
};

struct record {
	struct str f[F_COUNT];  /* string fields, escaped as in the log */
	long long pid;
	bool would_deny;
};

struct cursor {
	const unsigned char *p, *end;
};

static void skip_ws(struct cursor *c)
{
	while (c->p < c->end && (*c->p == ' ' || *c->p == '\t' || *c->p == '\r' || *c->p == '\n'))
		c->p++;
}

static bool eat(struct cursor *c, unsigned char ch)
{
	if (c->p == c->end || *c->p != ch)
		return false;
	c->p++;
	return true;
}

/* Length of the well-formed UTF-8 sequence at S (2 to 4), or 0: no
 * overlong forms, no surrogates, nothing above U+10FFFF (RFC 3629). */
static size_t utf8_len(const unsigned char *s, const unsigned char *end)
{
	unsigned char lo = 0x80, hi = 0xbf;     /* the second byte's range */
	size_t n;

	if (s[0] >= 0xc2 && s[0] <= 0xdf)
		n = 2;
	else if (s[0] >= 0xe0 && s[0] <= 0xef)
		n = 3;
	else if (s[0] >= 0xf0 && s[0] <= 0xf4)
		n = 4;
	else
		return 0;
	if (s[0] == 0xe0)
		lo = 0xa0;
	else if (s[0] == 0xed)
		hi = 0x9f;
	else if (s[0] == 0xf0)
		lo = 0x90;
	else if (s[0] == 0xf4)
		hi = 0x8f;
	if ((size_t)(end - s) < n || s[1] < lo || s[1] > hi)
		return 0;
	for (size_t i = 2; i < n; i++)
		if ((s[i] & 0xc0) != 0x80)
			return 0;
	return n;
}

static bool hex4(const unsigned char *p, const unsigned char *end, unsigned *out)
{
	unsigned v = 0;

	if (end - p < 4)
		return false;
	for (int i = 0; i < 4; i++) {
		unsigned char ch = p[i];

		v <<= 4;
		if (ch >= '0' && ch <= '9')
			v |= ch - '0';
		else if ((ch | 0x20) >= 'a' && (ch | 0x20) <= 'f')
			v |= (ch | 0x20) - 'a' + 10;
		else
			return false;
	}
	*out = v;
	return true;
}

/* A JSON string token; OUT gets its bytes between the quotes, still
 * escaped. Lone surrogate escapes are refused although the JSON grammar
 * allows them: they are not characters, so strict readers reject the
 * report and lenient ones turn them into U+FFFD. */
static bool parse_string(struct cursor *c, struct str *out)
{
	const unsigned char *p = c->p, *start;
	unsigned u, lo;

	if (p == c->end || *p != '"')
		return false;
	start = ++p;
	while (p < c->end) {
		if (*p == '"') {
			out->s = (const char *)start;
			out->n = (size_t)(p - start);
			c->p = p + 1;
			return true;
		}
		if (*p < 0x20)
			return false;
		if (*p >= 0x80) {
			size_t n = utf8_len(p, c->end);

			if (!n)
				return false;
			p += n;
			continue;
		}
		if (*p != '\\') {
			p++;
			continue;
		}
		if (++p == c->end)
			return false;
		switch (*p) {
		case '"': case '\\': case '/': case 'b': case 'f': case 'n': case 'r': case 't':
			p++;
			break;
		case 'u':
			if (!hex4(p + 1, c->end, &u) || (u >= 0xdc00 && u <= 0xdfff))
				return false;
			p += 5;
			if (u >= 0xd800 && u <= 0xdbff) {
				if (c->end - p < 6 || p[0] != '\\' || p[1] != 'u' ||
				    !hex4(p + 2, c->end, &lo) || lo < 0xdc00 || lo > 0xdfff)
					return false;
				p += 6;
			}
			break;
		default:
			return false;
		}
	}
	return false;   /* cut inside the string */
}

static const unsigned char *skip_digits(const unsigned char *p, const unsigned char *end)
{
	while (p < end && *p >= '0' && *p <= '9')
		p++;
	return p;
}

/* A JSON number (RFC 8259 grammar: no leading zeros, no bare '.'). */
static bool skip_number(struct cursor *c)
{
	const unsigned char *p = c->p, *q;

	if (p < c->end && *p == '-')
		p++;
	if (p == c->end || *p < '0' || *p > '9')
		return false;
	p = *p == '0' ? p + 1 : skip_digits(p, c->end);
	if (p < c->end && *p == '.') {
		q = skip_digits(p + 1, c->end);
		if (q == p + 1)
			return false;
		p = q;
	}
	if (p < c->end && (*p == 'e' || *p == 'E')) {
		p++;
		if (p < c->end && (*p == '+' || *p == '-'))
			p++;
		q = skip_digits(p, c->end);
		if (q == p)
			return false;
		p = q;
	}
	c->p = p;
	return true;
}

/* The pid: digits only, as log.c writes it, and few enough to fit. */
static bool parse_pid(struct cursor *c, long long *out)
{
	const unsigned char *p = c->p, *q = skip_digits(p, c->end);
	long long v = 0;

	if (q == p || q - p > 18 || (*p == '0' && q - p > 1))
		return false;
	for (; p < q; p++)
		v = v * 10 + (*p - '0');
	/* "12.5" or "1e3" is a number, but not a pid. */
	if (q < c->end && (*q == '.' || *q == 'e' || *q == 'E'))
		return false;
	c->p = q;
	*out = v;
	return true;
}

static bool skip_value(struct cursor *c, int depth);

static bool skip_container(struct cursor *c, int depth)
{
	unsigned char close = *c->p == '{' ? '}' : ']';
	struct str key;

	if (depth >= DEPTH_MAX)
		return false;
	c->p++;
	skip_ws(c);
	if (eat(c, close))
		return true;
	for (;;) {
		if (close == '}') {
			if (!parse_string(c, &key))
				return false;
			skip_ws(c);
			if (!eat(c, ':'))
				return false;
			skip_ws(c);
		}
		if (!skip_value(c, depth + 1))
			return false;
		skip_ws(c);
		if (!eat(c, ','))
			return eat(c, close);
		skip_ws(c);
	}
}

static bool skip_word(struct cursor *c, const char *word)
{
	size_t n = strlen(word);

	if ((size_t)(c->end - c->p) < n || memcmp(c->p, word, n) != 0)
		return false;
	c->p += n;
	return true;
}

/* Any JSON value: the value of a key that a newer shim may add. */
static bool skip_value(struct cursor *c, int depth)
{
	struct str s;

	if (c->p == c->end)
		return false;
	switch (*c->p) {
	case '"':
		return parse_string(c, &s);
	case '{':
	case '[':
		return skip_container(c, depth);
	case 't':
		return skip_word(c, "true");
	case 'f':
		return skip_word(c, "false");
	case 'n':
		return skip_word(c, "null");
	default:
		return skip_number(c);
	}
}

static bool str_is(struct str s, const char *lit)
{
	return s.n == strlen(lit) && memcmp(s.s, lit, s.n) == 0;
}

static int field_of(struct str key)
{
	for (int i = 0; i < F_COUNT; i++)
		if (str_is(key, field_names[i]))
			return i;
	return -1;
}

/* One line (without its newline) as a record. Every field is required
 * and a repeated one refused: which of two values would count? Keys are
 * matched as spelled, so "p\u0061th" is some other key. */
static bool parse_record(const char *line, size_t n, struct record *r)
{
	struct cursor c = { (const unsigned char *)line, (const unsigned char *)line + n };
	unsigned seen = 0;
	struct str key;

	skip_ws(&c);
	if (!eat(&c, '{'))
		return false;
	skip_ws(&c);
	do {
		int f;

		skip_ws(&c);
		if (!parse_string(&c, &key))
			return false;
		skip_ws(&c);
		if (!eat(&c, ':'))
			return false;
		skip_ws(&c);
		f = field_of(key);
		if (f < 0) {
			if (!skip_value(&c, 0))
				return false;
		} else {
			if (seen & 1u << f)
				return false;
			seen |= 1u << f;
			if (f == F_PID ? !parse_pid(&c, &r->pid) : !parse_string(&c, &r->f[f]))
				return false;
		}
		skip_ws(&c);
	} while (eat(&c, ','));
	if (!eat(&c, '}'))
		return false;
	skip_ws(&c);
	if (c.p != c.end || seen != (1u << F_COUNT) - 1)
		return false;
	if (str_is(r->f[F_VERDICT], "would-deny"))
		r->would_deny = true;
	else if (str_is(r->f[F_VERDICT], "denied"))
		r->would_deny = false;
	else
		return false;
	return true;
}

/* ------------------------------------------------------------------------
 * Counting
 * ------------------------------------------------------------------------ */

/* An entry of by_reason, by_call, by_root or by_exe. */
struct count {
	struct str key;
	long long n;
};

/* A distinct (path, call, exe); the rest is from its first record. */
struct violation {
	struct str key;         /* path NUL call NUL exe: a valid token has no NUL */
	struct str path, call, exe, root, reason, err, first_seen;
	long long count, first_pid;
	bool would_deny;
};

struct state {
	struct arena arena;
	struct table by_reason, by_call, by_root, by_exe, violations;
	long long records, denied, would_deny, malformed;
	char key[LINE_MAX_BYTES + 2];   /* a violation's key being looked up */
};

/* Count KEY in T; its interned copy in *OUT, which outlives the table's
 * moves because the bytes are in the arena. */
static int count_in(struct state *st, struct table *t, struct str key, struct str *out)
{
	struct count *e = table_get(t, &st->arena, key.s, key.n);

	if (!e)
		return -ENOMEM;
	e->n++;
	*out = e->key;
	return 0;
}

static int add_record(struct state *st, const struct record *r)
{
	struct str path = r->f[F_PATH], call, exe, root, reason;
	struct violation *v;
	size_t n = 0;

	if (count_in(st, &st->by_reason, r->f[F_REASON], &reason) < 0 ||
	    count_in(st, &st->by_call, r->f[F_CALL], &call) < 0 ||
	    count_in(st, &st->by_root, r->f[F_ROOT], &root) < 0 ||
	    count_in(st, &st->by_exe, r->f[F_EXE], &exe) < 0)
		return -ENOMEM;
	st->records++;
	if (r->would_deny)
		st->would_deny++;
	else
		st->denied++;

	/* The three tokens came from one line, so the key fits. */
	memcpy(st->key + n, path.s, path.n);
	n += path.n;
	st->key[n++] = '\0';
	memcpy(st->key + n, call.s, call.n);
	n += call.n;
	st->key[n++] = '\0';
	memcpy(st->key + n, exe.s, exe.n);
	n += exe.n;
	v = table_get(&st->violations, &st->arena, st->key, n);
	if (!v)
		return -ENOMEM;
	if (v->count++ == 0) {
		v->path = (struct str){ v->key.s, path.n };
		v->call = (struct str){ v->key.s + path.n + 1, call.n };
		v->exe = (struct str){ v->key.s + path.n + 1 + call.n + 1, exe.n };
		v->root = root;
		v->reason = reason;
		v->first_pid = r->pid;
		v->would_deny = r->would_deny;
		v->err.n = r->f[F_ERRNO].n;
		v->err.s = arena_copy(&st->arena, r->f[F_ERRNO].s, v->err.n);
		v->first_seen.n = r->f[F_TIME].n;
		v->first_seen.s = arena_copy(&st->arena, r->f[F_TIME].s, v->first_seen.n);
		if (!v->err.s || !v->first_seen.s)
			return -ENOMEM;
	}
	return 0;
}

static int read_line(struct state *st, const char *line, size_t n)
{
	struct record r;

	/* A last line without its newline is kept if it is a whole object:
	 * a writer cut short almost never stops right after the '}'. */
	if (n > 0 && line[n - 1] == '\n')
		n--;
	if (n >= LINE_MAX_BYTES || !parse_record(line, n, &r)) {
		st->malformed++;
		return 0;
	}
	return add_record(st, &r);
}

/* ------------------------------------------------------------------------
 * Order: most frequent first, ties broken so that the report of the same
 * log is the same bytes every time
 * ------------------------------------------------------------------------ */

static int cmp_str(struct str a, struct str b)
{
	int r = memcmp(a.s, b.s, a.n < b.n ? a.n : b.n);

	return r ? r : (a.n > b.n) - (a.n < b.n);
}

static int cmp_count(const void *pa, const void *pb)
{
	const struct count *a = pa, *b = pb;

	if (a->n != b->n)
		return a->n > b->n ? -1 : 1;
	return cmp_str(a->key, b->key);
}

/* The timestamps are fixed-width ISO 8601 in UTC, so bytes order them.
 * path, call, exe last: they make the order total, which qsort needs to
 * be deterministic. */
static int cmp_violation(const void *pa, const void *pb)
{
	const struct violation *a = pa, *b = pb;
	int r;

	if (a->count != b->count)
		return a->count > b->count ? -1 : 1;
	if ((r = cmp_str(a->first_seen, b->first_seen)) ||
	    (r = cmp_str(a->path, b->path)) ||
	    (r = cmp_str(a->call, b->call)))
		return r;
	return cmp_str(a->exe, b->exe);
}

static void table_sort(struct table *t, int (*cmp)(const void *, const void *))
{
	if (t->len > 1)
		qsort(t->items, t->len, t->size, cmp);
}

/* ------------------------------------------------------------------------
 * The JSON report: laid out as Python's json.dumps(indent=2) would, a
 * member a line, so that it diffs and greps well
 * ------------------------------------------------------------------------ */

static void put_token(FILE *f, struct str s)
{
	putc('"', f);
	fwrite(s.s, 1, s.n, f);
	putc('"', f);
}

/* Bytes we did not read from the log (the command's arguments), encoded as
 * log.c encodes a path, so that both read back the same way. */
static void put_bytes(FILE *f, const char *s)
{
	const unsigned char *p = (const unsigned char *)s, *end = p + strlen(s);

	putc('"', f);
	while (p < end) {
		size_t n = *p >= 0x80 ? utf8_len(p, end) : 0;

		if (n) {
			fwrite(p, 1, n, f);
			p += n;
			continue;
		}
		if (*p == '"' || *p == '\\')
			fprintf(f, "\\%c", *p);
		else if (*p < 0x20 || *p >= 0x7f)
			fprintf(f, "\\u%04x", *p);
		else
			putc(*p, f);
		p++;
	}
	putc('"', f);
}

struct signame {
	int sig;
	char name[12];
};

/* By macro, not number, as in shim/errnames.c: the numbers differ on
 * some architectures. Aliases (SIGIOT, SIGPOLL) left out. */
static const struct signame signames[] = {
	{ SIGHUP, "SIGHUP" }, { SIGINT, "SIGINT" }, { SIGQUIT, "SIGQUIT" },
	{ SIGILL, "SIGILL" }, { SIGTRAP, "SIGTRAP" }, { SIGABRT, "SIGABRT" },
	{ SIGBUS, "SIGBUS" }, { SIGFPE, "SIGFPE" }, { SIGKILL, "SIGKILL" },
	{ SIGUSR1, "SIGUSR1" }, { SIGSEGV, "SIGSEGV" }, { SIGUSR2, "SIGUSR2" },
	{ SIGPIPE, "SIGPIPE" }, { SIGALRM, "SIGALRM" }, { SIGTERM, "SIGTERM" },
#ifdef SIGSTKFLT
	{ SIGSTKFLT, "SIGSTKFLT" },
#endif
	{ SIGCHLD, "SIGCHLD" }, { SIGCONT, "SIGCONT" }, { SIGSTOP, "SIGSTOP" },
	{ SIGTSTP, "SIGTSTP" }, { SIGTTIN, "SIGTTIN" }, { SIGTTOU, "SIGTTOU" },
	{ SIGURG, "SIGURG" }, { SIGXCPU, "SIGXCPU" }, { SIGXFSZ, "SIGXFSZ" },
	{ SIGVTALRM, "SIGVTALRM" }, { SIGPROF, "SIGPROF" }, { SIGWINCH, "SIGWINCH" },
	{ SIGIO, "SIGIO" },
#ifdef SIGPWR
	{ SIGPWR, "SIGPWR" },
#endif
	{ SIGSYS, "SIGSYS" },
};

static void put_signal_name(FILE *f, int sig)
{
	for (size_t i = 0; i < sizeof(signames) / sizeof(signames[0]); i++)
		if (signames[i].sig == sig) {
			fprintf(f, "\"%s\"", signames[i].name);
			return;
		}
	/* SIGRTMIN is a function call in glibc (it reserves some for itself). */
	if (sig >= SIGRTMIN && sig <= SIGRTMAX)
		fprintf(f, "\"SIGRTMIN+%d\"", sig - SIGRTMIN);
	else
		fputs("null", f);
}

static void put_status(FILE *f, const struct report_run *run)
{
	if (run && WIFEXITED(run->wait_status)) {
		fprintf(f, "  \"exit_status\": %d,\n  \"signal\": null,\n  \"signal_name\": null,\n",
		        WEXITSTATUS(run->wait_status));
	} else if (run && WIFSIGNALED(run->wait_status)) {
		fprintf(f, "  \"exit_status\": null,\n  \"signal\": %d,\n  \"signal_name\": ",
		        WTERMSIG(run->wait_status));
		put_signal_name(f, WTERMSIG(run->wait_status));
		fputs(",\n", f);
	} else {
		fputs("  \"exit_status\": null,\n  \"signal\": null,\n  \"signal_name\": null,\n", f);
	}
}

static void put_counts(FILE *f, const char *name, const struct table *t)
{
	fprintf(f, "  \"%s\": {", name);
	for (size_t i = 0; i < t->len; i++) {
		const struct count *e = (const struct count *)(t->items + i * t->size);

		fputs(i ? ",\n    " : "\n    ", f);
		put_token(f, e->key);
		fprintf(f, ": %lld", e->n);
	}
	fputs(t->len ? "\n  },\n" : "},\n", f);
}

static void put_member(FILE *f, const char *name, struct str value)
{
	fprintf(f, "      \"%s\": ", name);
	put_token(f, value);
	fputs(",\n", f);
}

static void put_report(FILE *f, const struct state *st, const struct report_run *run)
{
	const struct table *t = &st->violations;
	size_t i;

	fputs("{\n  \"version\": 1,\n  \"command\": [", f);
	for (i = 0; run && run->argv && run->argv[i]; i++) {
		fputs(i ? ",\n    " : "\n    ", f);
		put_bytes(f, run->argv[i]);
	}
	fputs(i ? "\n  ],\n" : "],\n", f);
	put_status(f, run);
	fprintf(f, "  \"records\": %lld,\n  \"denied\": %lld,\n  \"would_deny\": %lld,\n"
	        "  \"malformed_lines\": %lld,\n",
	        st->records, st->denied, st->would_deny, st->malformed);
	put_counts(f, "by_reason", &st->by_reason);
	put_counts(f, "by_call", &st->by_call);
	put_counts(f, "by_root", &st->by_root);
	put_counts(f, "by_exe", &st->by_exe);
	fputs("  \"violations\": [", f);
	for (i = 0; i < t->len; i++) {
		const struct violation *v = (const struct violation *)(t->items + i * t->size);

		fputs(i ? ",\n    {\n" : "\n    {\n", f);
		put_member(f, "path", v->path);
		put_member(f, "call", v->call);
		put_member(f, "exe", v->exe);
		put_member(f, "root", v->root);
		put_member(f, "reason", v->reason);
		fprintf(f, "      \"verdict\": \"%s\",\n", v->would_deny ? "would-deny" : "denied");
		put_member(f, "errno", v->err);
		fprintf(f, "      \"count\": %lld,\n", v->count);
		put_member(f, "first_seen", v->first_seen);
		fprintf(f, "      \"first_pid\": %lld\n    }", v->first_pid);
	}
	fputs(t->len ? "\n  ]\n}\n" : "]\n}\n", f);
}

/* Write to REPORT.tmp, fsync, rename: a reader (or a crash) sees the old
 * report or the new one, never part of one. Returns 0 or -errno. */
static int write_report(const struct state *st, const char *report, const struct report_run *run)
{
	size_t n = strlen(report);
	char *tmp = malloc(n + sizeof(".tmp"));
	FILE *f = NULL;
	int fd, err = 0;

	if (!tmp)
		return -ENOMEM;
	memcpy(tmp, report, n);
	memcpy(tmp + n, ".tmp", sizeof(".tmp"));
	fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0666);
	if (fd < 0) {
		err = errno;
		free(tmp);
		return -err;
	}
	f = fdopen(fd, "w");
	if (!f) {
		err = errno;
		close(fd);
		goto out;
	}
	put_report(f, st, run);
	/* stdio keeps errno from the write that failed. */
	if (fflush(f) == EOF || ferror(f))
		err = errno ? errno : EIO;
	if (!err && fsync(fileno(f)) < 0)
		err = errno;
	if (fclose(f) == EOF && !err)
		err = errno;
	if (!err && rename(tmp, report) < 0)
		err = errno;
out:
	if (err)
		unlink(tmp);
	free(tmp);
	return -err;
}

/* ------------------------------------------------------------------------
 * The summary
 * ------------------------------------------------------------------------ */

/* A token for people: \" and \\ (and \/) shown as the character; other
 * escapes stay, so that a control byte cannot break the line and a
 * \u00XX that stands for a non-UTF-8 byte is not mistaken for U+00XX. */
static void put_display(FILE *f, struct str s)
{
	for (size_t i = 0; i < s.n; i++) {
		if (s.s[i] == '\\' && i + 1 < s.n &&
		    (s.s[i + 1] == '"' || s.s[i + 1] == '\\' || s.s[i + 1] == '/'))
			i++;
		putc(s.s[i], f);
	}
}

static void put_summary(FILE *f, const struct state *st, const char *report)
{
	const struct table *t = &st->violations;

	if (st->records == 0) {
		fputs("beneath: no denials\n", f);
	} else {
		fprintf(f, "beneath: %lld denial%s (%zu distinct)", st->records,
		        st->records == 1 ? "" : "s", t->len);
		if (st->would_deny)
			fprintf(f, " [%lld would-deny in audit mode]", st->would_deny);
		if (report)
			fprintf(f, " -> %s", report);
		putc('\n', f);
	}
	for (size_t i = 0; i < t->len && i < SUMMARY_MAX; i++) {
		const struct violation *v = (const struct violation *)(t->items + i * t->size);

		fprintf(f, "beneath:   %lldx ", v->count);
		put_display(f, v->reason);
		putc(' ', f);
		put_display(f, v->call);
		putc(' ', f);
		put_display(f, v->path);
		fputs(" (", f);
		put_display(f, v->exe);
		fputs(")\n", f);
	}
	if (t->len > SUMMARY_MAX)
		fprintf(f, "beneath:   ... and %zu more\n", t->len - SUMMARY_MAX);
	if (st->malformed)
		fprintf(f, "beneath: %lld malformed log line%s ignored\n", st->malformed,
		        st->malformed == 1 ? "" : "s");
	fflush(f);
}

/* ------------------------------------------------------------------------ */

long report_write(const char *log, off_t start, const char *report, FILE *summary,
                  const struct report_run *run)
{
	struct state *st;
	FILE *in = NULL;
	char *line = NULL;
	size_t cap = 0;
	ssize_t n;
	long ret;
	int err;

	if (start < 0)
		return -EINVAL;
	st = calloc(1, sizeof(*st));
	if (!st)
		return -ENOMEM;
	st->by_reason.size = st->by_call.size = sizeof(struct count);
	st->by_root.size = st->by_exe.size = sizeof(struct count);
	st->violations.size = sizeof(struct violation);

	in = fopen(log, "re");
	if (!in || (start > 0 && fseeko(in, start, SEEK_SET) < 0)) {
		ret = -errno;
		goto out;
	}
	while ((n = getline(&line, &cap, in)) > 0) {
		err = read_line(st, line, (size_t)n);
		if (err < 0) {
			ret = err;
			goto out;
		}
	}
	/* getline() returns -1 at the end and on an error alike. */
	if (!feof(in)) {
		ret = errno ? -errno : -EIO;
		goto out;
	}

	table_sort(&st->by_reason, cmp_count);
	table_sort(&st->by_call, cmp_count);
	table_sort(&st->by_root, cmp_count);
	table_sort(&st->by_exe, cmp_count);
	table_sort(&st->violations, cmp_violation);
	err = report ? write_report(st, report, run) : 0;
	if (summary)
		put_summary(summary, st, err ? NULL : report);
	ret = err ? err : st->records > LONG_MAX ? LONG_MAX : (long)st->records;
out:
	if (in)
		fclose(in);
	free(line);
	table_free(&st->by_reason);
	table_free(&st->by_call);
	table_free(&st->by_root);
	table_free(&st->by_exe);
	table_free(&st->violations);
	arena_free(&st->arena);
	free(st);
	return ret;
}
