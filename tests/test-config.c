/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Unit tests of the preload shim's configuration parser (shim/config.c)
 * and its errno table (shim/errnames.c): every option and default, every
 * error message, normalisation, escapes, wildcards, arena use, and a
 * seeded random run that checks the parser's invariants on whatever it
 * accepts. The parser checks syntax only, so nothing here touches the
 * filesystem.
 *
 * Arenas are malloc'd at their exact size so that ASan and valgrind see
 * any write past one.
 */
#include <check.h>
#include <errno.h>
#include <limits.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "beneath.h"
/* By relative path: in an automake build "config.h" finds the autoconf
 * header at the top of the build tree before the shim's. */
#include "../shim/config.h"

#define ARENA_SIZE (1u << 20)   /* what the shim and the fuzz target use */
#define NELEM(a) (sizeof(a) / sizeof((a)[0]))

/* ck_assert() reports every check that passes to the parent process, a
 * write(2) each; the random run makes millions of checks, so helpers it
 * uses call into Check only when one fails. */
#define REQUIRE(expr, fmt, ...)                                               \
	do {                                                                  \
		if (!(expr))                                                  \
			ck_abort_msg("'%s' failed: " fmt, #expr, __VA_ARGS__); \
	} while (0)

static char errbuf[512];
static struct shim_config cfg;
static struct shim_arena arena;

/* Fresh arena of SIZE bytes (the previous one is freed), used 0. */
static void arena_reset(size_t size)
{
	free(arena.base);
	arena.base = size ? malloc(size) : NULL;
	ck_assert(size == 0 || arena.base != NULL);
	arena.size = size;
	arena.used = 0;
}

/* Parse ENV into cfg with the current arena. cfg starts as garbage so
 * that every default has to be written by the parser. */
static int parse_in(const struct shim_env *env)
{
	memset(&cfg, 0x5a, sizeof(cfg));
	memset(errbuf, '#', sizeof(errbuf));
	return shim_config_parse(env, &cfg, &arena, errbuf, sizeof(errbuf));
}

static int parse(const struct shim_env *env)
{
	arena_reset(ARENA_SIZE);
	return parse_in(env);
}

static bool in_arena(const void *p, size_t n)
{
	const char *c = p;

	return c >= arena.base && c <= arena.base + arena.used &&
	       n <= (size_t)(arena.base + arena.used - c);
}

/* One line, naming a variable, NUL-terminated inside the buffer. */
static void check_message_shape(void)
{
	size_t len = strnlen(errbuf, sizeof(errbuf));
	size_t i;

	REQUIRE(len < sizeof(errbuf), "message of %zu bytes not NUL-terminated", len);
	REQUIRE(strncmp(errbuf, "BENEATH_", 8) == 0 && strstr(errbuf, ": "),
	        "message '%s'", errbuf);
	for (i = 0; i < len; i++)
		REQUIRE((unsigned char)errbuf[i] >= 0x20 && errbuf[i] != 0x7f,
		        "message '%s'", errbuf);
}

static void check_defaults_except_roots(void)
{
	REQUIRE(cfg.mode == SHIM_ENFORCE, "%d", cfg.mode);
	REQUIRE(!cfg.deny_outside, "%d", cfg.deny_outside);
	REQUIRE(cfg.deny_errno == EACCES, "%d", cfg.deny_errno);
	REQUIRE(cfg.log_kind == SHIM_LOG_NONE, "%d", cfg.log_kind);
	REQUIRE(cfg.log_fd == -1, "%d", cfg.log_fd);
	REQUIRE(cfg.log_path == NULL, "%p", (const void *)cfg.log_path);
	REQUIRE(cfg.resolver == SHIM_RESOLVER_AUTO, "%d", cfg.resolver);
}

static void check_defaults(void)
{
	REQUIRE(cfg.roots == NULL, "%p", (void *)cfg.roots);
	REQUIRE(cfg.nroots == 0, "%zu", cfg.nroots);
	check_defaults_except_roots();
}

/* A parse that must fail: the message contains SUB, has the right shape,
 * and nothing of the arena or the defaults was disturbed. */
static void expect_fail(const struct shim_env *env, const char *what,
                        const char *sub)
{
	size_t used = arena.used;
	int r = parse_in(env);

	ck_assert_msg(r == -1, "%s: accepted", what);
	check_message_shape();
	ck_assert_msg(strstr(errbuf, sub) != NULL,
	              "%s: message '%s' lacks '%s'", what, errbuf, sub);
	ck_assert_uint_eq(arena.used, used);
	check_defaults();
}

static void roots_ok(const char *roots)
{
	struct shim_env env = { .roots = roots };

	ck_assert_msg(parse(&env) == 0, "'%s': %s", roots, errbuf);
	ck_assert_str_eq(errbuf, "");
	check_defaults_except_roots();
}

static void roots_fail(const char *roots, const char *sub)
{
	struct shim_env env = { .roots = roots };

	arena_reset(ARENA_SIZE);
	expect_fail(&env, roots, sub);
	ck_assert_msg(strncmp(errbuf, "BENEATH_ROOTS: ", 15) == 0,
	              "'%s': message '%s'", roots, errbuf);
}

/* Exactly one root, checked field by field. */
static void one_root(const char *roots, const char *path, int ncomp, int wild,
                     unsigned int rflags, bool ro, bool sameowner, int fd)
{
	const struct shim_root_cfg *r;

	roots_ok(roots);
	ck_assert_msg(cfg.nroots == 1, "'%s': %zu roots", roots, cfg.nroots);
	r = &cfg.roots[0];
	ck_assert_msg(strcmp(r->path, path) == 0, "'%s': path '%s', expected '%s'",
	              roots, r->path, path);
	ck_assert_uint_eq(r->path_len, strlen(path));
	ck_assert_msg(r->ncomponents == ncomp, "'%s': %d components, expected %d",
	              roots, r->ncomponents, ncomp);
	ck_assert_msg(r->wildcard_depth == wild, "'%s': wildcard_depth %d, expected %d",
	              roots, r->wildcard_depth, wild);
	ck_assert_msg(r->rflags == rflags, "'%s': rflags %#x, expected %#x",
	              roots, r->rflags, rflags);
	ck_assert_msg(r->ro == ro, "'%s': ro %d", roots, r->ro);
	ck_assert_msg(r->sameowner == sameowner, "'%s': sameowner %d", roots, r->sameowner);
	ck_assert_msg(r->fd == fd, "'%s': fd %d, expected %d", roots, r->fd, fd);
	ck_assert(in_arena(r->path, r->path_len + 1));
}

/* The env with the variable number WHICH (in struct shim_env order) set. */
enum { V_ROOTS, V_MODE, V_OUTSIDE, V_ERRNO, V_LOG, V_RESOLVER };

static struct shim_env env_with(int which, const char *v)
{
	struct shim_env e = { .roots = NULL };

	switch (which) {
	case V_ROOTS: e.roots = v; break;
	case V_MODE: e.mode = v; break;
	case V_OUTSIDE: e.outside = v; break;
	case V_ERRNO: e.errno_name = v; break;
	case V_LOG: e.log = v; break;
	case V_RESOLVER: e.resolver = v; break;
	}
	return e;
}

static void var_fail(int which, const char *v, const char *sub)
{
	struct shim_env env = env_with(which, v);

	arena_reset(ARENA_SIZE);
	expect_fail(&env, v, sub);
}

/* The whole message, for the examples the specification spells out. */
static void var_fail_exact(int which, const char *v, const char *msg)
{
	var_fail(which, v, msg);
	ck_assert_str_eq(errbuf, msg);
}

static void var_ok(int which, const char *v)
{
	struct shim_env env = env_with(which, v);

	ck_assert_msg(parse(&env) == 0, "'%s': %s", v, errbuf);
	ck_assert_str_eq(errbuf, "");
}

#define CONTAIN BENEATH_MODE_CONTAIN

/* ------------------------------------------------------------------------
 * Defaults
 * ------------------------------------------------------------------------ */

START_TEST(defaults_all_unset)
{
	struct shim_env env = { .roots = NULL };

	ck_assert_int_eq(parse(&env), 0);
	ck_assert_str_eq(errbuf, "");
	check_defaults();
	ck_assert_uint_eq(arena.used, 0);
}
END_TEST

START_TEST(defaults_null_env)
{
	arena_reset(ARENA_SIZE);
	ck_assert_int_eq(parse_in(NULL), 0);
	check_defaults();
}
END_TEST

START_TEST(defaults_empty_roots)
{
	roots_ok("");
	check_defaults();
	ck_assert_uint_eq(arena.used, 0);
}
END_TEST

START_TEST(defaults_root)
{
	one_root("/srv/www", "/srv/www", 2, -1, CONTAIN, false, false, -1);
}
END_TEST

/* No roots and no log path need no arena at all. */
START_TEST(defaults_no_arena)
{
	struct shim_env env = { .mode = "audit", .log = "stderr" };

	arena_reset(0);
	ck_assert_int_eq(parse_in(&env), 0);
	ck_assert_int_eq(cfg.mode, SHIM_AUDIT);
	ck_assert_int_eq(shim_config_parse(&env, &cfg, NULL, errbuf, sizeof(errbuf)), 0);
}
END_TEST

/* ------------------------------------------------------------------------
 * Root options
 * ------------------------------------------------------------------------ */

static const struct {
	const char *roots;
	unsigned int rflags;
	bool ro, sameowner;
	int fd;
} option_cases[] = {
	{ "/r=rw",            CONTAIN, false, false, -1 },
	{ "/r=ro",            CONTAIN, true,  false, -1 },
	{ "/r=contain",       CONTAIN, false, false, -1 },
	{ "/r=beneath",       BENEATH_MODE_BENEATH, false, false, -1 },
	{ "/r=in_root",       BENEATH_MODE_IN_ROOT, false, false, -1 },
	{ "/r=nosymlinks",    CONTAIN | BENEATH_NO_SYMLINKS, false, false, -1 },
	{ "/r=sameowner",     CONTAIN, false, true, -1 },
	{ "/r=fd=3",          CONTAIN, false, false, 3 },
	{ "/r=fd=2147483647", CONTAIN, false, false, INT_MAX },
	{ "/r=fd=0042",       CONTAIN, false, false, 42 },
	{ "/r=ro,beneath,nosymlinks,sameowner,fd=9",
	  BENEATH_MODE_BENEATH | BENEATH_NO_SYMLINKS, true, true, 9 },
	{ "/r=fd=9,sameowner,nosymlinks,in_root,rw",
	  BENEATH_MODE_IN_ROOT | BENEATH_NO_SYMLINKS, false, true, 9 },
	{ "/r=nosymlinks,contain", CONTAIN | BENEATH_NO_SYMLINKS, false, false, -1 },
	/* Saying the same thing twice is harmless. */
	{ "/r=ro,ro",         CONTAIN, true, false, -1 },
	{ "/r=rw,rw",         CONTAIN, false, false, -1 },
	{ "/r=beneath,beneath", BENEATH_MODE_BENEATH, false, false, -1 },
	{ "/r=fd=5,fd=5",     CONTAIN, false, false, 5 },
	{ "/r=fd=5,fd=05",    CONTAIN, false, false, 5 },
	{ "/r=nosymlinks,nosymlinks", CONTAIN | BENEATH_NO_SYMLINKS, false, false, -1 },
	{ "/r=sameowner,sameowner", CONTAIN, false, true, -1 },
	/* Options are unescaped before they are read. */
	{ "/r=fd\\=7",        CONTAIN, false, false, 7 },
};

START_TEST(options_each)
{
	one_root(option_cases[_i].roots, "/r", 1, -1, option_cases[_i].rflags,
	         option_cases[_i].ro, option_cases[_i].sameowner, option_cases[_i].fd);
}
END_TEST

/* ------------------------------------------------------------------------
 * Escapes, normalisation, wildcards
 * ------------------------------------------------------------------------ */

START_TEST(escapes)
{
	one_root("/srv/a\\:b=ro", "/srv/a:b", 2, -1, CONTAIN, true, false, -1);
	one_root("/srv/a\\\\b", "/srv/a\\b", 2, -1, CONTAIN, false, false, -1);
	one_root("/srv/a\\=b", "/srv/a=b", 2, -1, CONTAIN, false, false, -1);
	one_root("/srv/a\\,b=ro", "/srv/a,b", 2, -1, CONTAIN, true, false, -1);
	one_root("/x\\=\\=y=ro,nosymlinks", "/x==y", 1, -1,
	         CONTAIN | BENEATH_NO_SYMLINKS, true, false, -1);
	one_root("/a\\\\\\:b", "/a\\:b", 1, -1, CONTAIN, false, false, -1);
	one_root("/a/\\\\", "/a/\\", 2, -1, CONTAIN, false, false, -1);
	one_root("/\\:", "/:", 1, -1, CONTAIN, false, false, -1);
	/* An escaped backslash does not escape the ':' after it. */
	roots_ok("/a\\\\:/b");
	ck_assert_uint_eq(cfg.nroots, 2);
	ck_assert_str_eq(cfg.roots[0].path, "/a\\");
	ck_assert_str_eq(cfg.roots[1].path, "/b");
	/* Only the first unescaped '=' starts the options. */
	one_root("/a\\=b=fd=4", "/a=b", 1, -1, CONTAIN, false, false, 4);
}
END_TEST

static const struct {
	const char *in, *out;
	int ncomp;
} norm_cases[] = {
	{ "/",           "/",        0 },
	{ "//",          "/",        0 },
	{ "///",         "/",        0 },
	{ "/.",          "/",        0 },
	{ "/./",         "/",        0 },
	{ "/./.",        "/",        0 },
	{ "/a",          "/a",       1 },
	{ "/a/",         "/a",       1 },
	{ "/a//",        "/a",       1 },
	{ "//a//b//",    "/a/b",     2 },
	{ "/a/./b",      "/a/b",     2 },
	{ "/a/.//./b/.", "/a/b",     2 },
	{ "/a/.",        "/a",       1 },
	{ "/./a",        "/a",       1 },
	{ "/a/..",       "/a/..",    2 },
	{ "/../a",       "/../a",    2 },
	{ "/a/../b/",    "/a/../b",  3 },
	{ "/..",         "/..",      1 },
	{ "/a/.b",       "/a/.b",    2 },
	{ "/a/b.",       "/a/b.",    2 },
	{ "/a/...",      "/a/...",   2 },
	{ "/a/ /b",      "/a/ /b",   3 },
	{ "/\xc3\xa9t\xc3\xa9", "/\xc3\xa9t\xc3\xa9", 1 },
};

START_TEST(normalise)
{
	one_root(norm_cases[_i].in, norm_cases[_i].out, norm_cases[_i].ncomp, -1,
	         CONTAIN, false, false, -1);
}
END_TEST

/* At most PATH_MAX - 1 bytes once normalised, whatever the raw length. */
START_TEST(normalise_length)
{
	static char buf[3 * PATH_MAX];

	memset(buf, 'a', PATH_MAX - 1);
	buf[0] = '/';
	buf[PATH_MAX - 1] = '\0';
	roots_ok(buf);
	ck_assert_uint_eq(cfg.roots[0].path_len, PATH_MAX - 1);

	buf[PATH_MAX - 1] = 'a';
	buf[PATH_MAX] = '\0';
	roots_fail(buf, "root longer than PATH_MAX '/aaaa");

	/* Slashes and dots that collapse do not count. */
	memset(buf, '/', sizeof(buf) - 3);
	strcpy(buf + sizeof(buf) - 3, "ab");
	one_root(buf, "/ab", 1, -1, CONTAIN, false, false, -1);

	/* Many short components add up. */
	for (size_t i = 0; i < 2 * PATH_MAX; i += 2)
		memcpy(buf + i, "/a", 2);
	buf[2 * PATH_MAX] = '\0';
	roots_fail(buf, "root longer than PATH_MAX");
	buf[PATH_MAX - 2] = '\0';           /* 2047 components, 4094 bytes */
	one_root(buf, buf, PATH_MAX / 2 - 1, -1, CONTAIN, false, false, -1);
}
END_TEST

START_TEST(wildcards)
{
	one_root("/home/*/www", "/home/*/www", 3, 1, CONTAIN, false, false, -1);
	one_root("/*", "/*", 1, 0, CONTAIN, false, false, -1);
	one_root("/a/b/*", "/a/b/*", 3, 2, CONTAIN, false, false, -1);
	one_root("/a/*/b/*", "/a/*/b/*", 4, 1, CONTAIN, false, false, -1);
	/* The depth is counted after normalisation. */
	one_root("//home/./*//www/", "/home/*/www", 3, 1, CONTAIN, false, false, -1);
	one_root("/a/../*", "/a/../*", 3, 2, CONTAIN, false, false, -1);
	one_root("/home/*/www=ro,beneath,nosymlinks,sameowner", "/home/*/www", 3, 1,
	         BENEATH_MODE_BENEATH | BENEATH_NO_SYMLINKS, true, true, -1);
}
END_TEST

START_TEST(several_roots)
{
	const struct shim_root_cfg *r;

	roots_ok("/a:/b=ro:/c/d=beneath,fd=3:/home/*/x");
	ck_assert_uint_eq(cfg.nroots, 4);
	r = cfg.roots;
	ck_assert_msg((uintptr_t)r % _Alignof(struct shim_root_cfg) == 0, "misaligned");
	ck_assert(in_arena(r, 4 * sizeof(*r)));
	ck_assert_str_eq(r[0].path, "/a");
	ck_assert(!r[0].ro);
	ck_assert_str_eq(r[1].path, "/b");
	ck_assert(r[1].ro);
	ck_assert_str_eq(r[2].path, "/c/d");
	ck_assert_uint_eq(r[2].rflags, BENEATH_MODE_BENEATH);
	ck_assert_int_eq(r[2].fd, 3);
	ck_assert_str_eq(r[3].path, "/home/*/x");
	ck_assert_int_eq(r[3].wildcard_depth, 1);
	for (int i = 0; i < 4; i++)
		ck_assert(in_arena(r[i].path, r[i].path_len + 1));
}
END_TEST

/* Options of 1000 roots survive in order. */
START_TEST(thousand_roots)
{
	static const char *const opts[] = {
		"", "=ro", "=beneath,nosymlinks", "=in_root,sameowner,ro", "=fd=",
	};
	size_t cap = 1000 * 64, len = 0;
	char *s = malloc(cap);

	ck_assert_ptr_nonnull(s);
	for (int i = 0; i < 1000; i++) {
		len += (size_t)snprintf(s + len, cap - len, "%s/home/user%04d/www%s",
		                        i ? ":" : "", i, opts[i % 5]);
		if (i % 5 == 4)
			len += (size_t)snprintf(s + len, cap - len, "%d", i + 3);
	}
	roots_ok(s);
	ck_assert_uint_eq(cfg.nroots, 1000);
	for (int i = 0; i < 1000; i++) {
		const struct shim_root_cfg *r = &cfg.roots[i];
		char path[64];

		snprintf(path, sizeof(path), "/home/user%04d/www", i);
		ck_assert_str_eq(r->path, path);
		ck_assert_int_eq(r->ncomponents, 3);
		ck_assert_int_eq(r->wildcard_depth, -1);
		ck_assert_int_eq(r->ro, i % 5 == 1 || i % 5 == 3);
		ck_assert_int_eq(r->sameowner, i % 5 == 3);
		ck_assert_int_eq(r->fd, i % 5 == 4 ? i + 3 : -1);
		ck_assert_uint_eq(r->rflags,
		                  i % 5 == 2 ? BENEATH_MODE_BENEATH | BENEATH_NO_SYMLINKS :
		                  i % 5 == 3 ? BENEATH_MODE_IN_ROOT : CONTAIN);
	}
	free(s);
}
END_TEST

/* 200000 roots, the last a duplicate of the first: a quadratic
 * duplicate check would take minutes. */
START_TEST(many_roots_linear)
{
	const int n = 200000;
	size_t cap = (size_t)n * 16, len = 0;
	char *s = malloc(cap);
	struct shim_env env = { .roots = s };

	ck_assert_ptr_nonnull(s);
	for (int i = 0; i < n; i++)
		len += (size_t)snprintf(s + len, cap - len, "%s/r/%d", i ? ":" : "", i);
	arena_reset(32u << 20);
	ck_assert_msg(parse_in(&env) == 0, "%s", errbuf);
	ck_assert_uint_eq(cfg.nroots, (size_t)n);
	ck_assert_str_eq(cfg.roots[n - 1].path, "/r/199999");

	snprintf(s + len, cap - len, ":/r/0/");
	expect_fail(&env, "200001 roots", "duplicate root '/r/0/' (/r/0 once normalised)");
	free(s);
}
END_TEST

/* ------------------------------------------------------------------------
 * BENEATH_ROOTS errors
 * ------------------------------------------------------------------------ */

static const struct {
	const char *roots, *msg;
} root_errors[] = {
	{ "srv/www",        "relative root 'srv/www'" },
	{ "./a",            "relative root './a'" },
	{ "/a:b=ro",        "relative root 'b'" },
	{ "*",              "relative root '*'" },
	{ ":",              "empty root entry (entry 1)" },
	{ ":/a",            "empty root entry (entry 1)" },
	{ "/a:",            "empty root entry (entry 2)" },
	{ "/a::/b",         "empty root entry (entry 2)" },
	{ "/a:/b:/c::",     "empty root entry (entry 4)" },
	{ "=ro",            "empty path in entry '=ro'" },
	{ "/a:=",           "empty path in entry '='" },
	{ "/a\\q",          "invalid escape '\\q' in '/a\\q'" },
	{ "/a\\/b=ro:/c",   "invalid escape '\\/' in '/a\\/b=ro'" },
	{ "/a\\*",          "invalid escape '\\*'" },
	{ "/a=r\\o",        "invalid escape '\\o' in '/a=r\\o'" },
	{ "/a\\:b\\n",      "invalid escape '\\n' in '/a\\:b\\n'" },
	{ "/a\\",           "trailing backslash in '/a\\'" },
	{ "/b:/a=ro\\",     "trailing backslash in '/a=ro\\'" },
	{ "/a\\\\\\",       "trailing backslash in '/a\\\\\\'" },
	{ "/home/a*",       "wildcard must be a whole component in '/home/a*'" },
	{ "/home/*a/b",     "wildcard must be a whole component in '/home/*a/b'" },
	{ "/home/**",       "wildcard must be a whole component" },
	{ "/a*b",           "wildcard must be a whole component" },
	{ "/srv/www=rx",    "unknown option 'rx' for /srv/www" },
	{ "/a=RO",          "unknown option 'RO' for /a" },
	{ "/a=ro ",         "unknown option 'ro ' for /a" },
	{ "/a= ro",         "unknown option ' ro' for /a" },
	{ "/a=fd",          "unknown option 'fd' for /a" },
	{ "/a=fd3",         "unknown option 'fd3' for /a" },
	{ "/a=nosymlinksnosymlinks", "unknown option 'nosymlinksnosymlinks' for /a" },
	{ "/a=ro=rw",       "unknown option 'ro=rw' for /a" },
	{ "/a=ro\\,rw",     "unknown option 'ro\\,rw' for /a" },
	{ "/a\\:b=x",       "unknown option 'x' for /a\\:b" },
	{ "/a=",            "empty option for /a" },
	{ "/a=ro,",         "empty option for /a" },
	{ "/a=,ro",         "empty option for /a" },
	{ "/a=ro,,rw",      "empty option for /a" },
	{ "/a=ro,rw",       "conflicting options 'ro' and 'rw' for /a" },
	{ "/a=rw,sameowner,ro", "conflicting options 'rw' and 'ro' for /a" },
	{ "/a=contain,beneath", "conflicting options 'contain' and 'beneath' for /a" },
	{ "/a=in_root,ro,beneath", "conflicting options 'in_root' and 'beneath' for /a" },
	{ "/a=beneath,in_root", "conflicting options 'beneath' and 'in_root' for /a" },
	{ "/a=fd=3,fd=4",   "conflicting options 'fd=3' and 'fd=4' for /a" },
	{ "/a=fd=",         "bad fd 'fd=' for /a (fd=N, N a decimal number from 3 to 2147483647)" },
	{ "/a=fd=x",        "bad fd 'fd=x' for /a" },
	{ "/a=fd=-3",       "bad fd 'fd=-3' for /a" },
	{ "/a=fd=+3",       "bad fd 'fd=+3' for /a" },
	{ "/a=fd= 3",       "bad fd 'fd= 3' for /a" },
	{ "/a=fd=3 ",       "bad fd 'fd=3 ' for /a" },
	{ "/a=fd=0x10",     "bad fd 'fd=0x10' for /a" },
	{ "/a=fd=2147483648", "bad fd 'fd=2147483648' for /a" },
	{ "/a=fd=99999999999999999999999", "bad fd 'fd=99999999999999999999999' for /a" },
	{ "/a=fd=3\\,",     "bad fd 'fd=3\\,' for /a" },
	{ "/a=fd=0",        "option 'fd=0' for /a names a standard stream (fd=N needs N >= 3)" },
	{ "/a=fd=1",        "option 'fd=1' for /a names a standard stream" },
	{ "/a=fd=2",        "option 'fd=2' for /a names a standard stream" },
	{ "/a=fd=000",      "option 'fd=000' for /a names a standard stream" },
	{ "/home/*/www=fd=3", "option 'fd=3' for /home/*/www on a wildcard root (one fd cannot serve many roots)" },
	{ "/*=ro,fd=7",     "option 'fd=7' for /* on a wildcard root" },
	{ "/a:/a",          "duplicate root '/a'" },
	{ "/a:/b:/a/",      "duplicate root '/a/' (/a once normalised)" },
	{ "/a/./b:/a//b",   "duplicate root '/a//b' (/a/b once normalised)" },
	{ "/a=ro:/a=rw",    "duplicate root '/a'" },
	{ "/:/.",           "duplicate root '/.' (/ once normalised)" },
	{ "/h/*/w:/h/*/w/=ro", "duplicate root '/h/*/w/'" },
	{ "/a\\:b:/a\\:b",  "duplicate root '/a\\:b' (/a:b once normalised)" },
	/* User text is quoted with control bytes escaped: one line always. */
	{ "a\nb",           "relative root 'a\\x0ab'" },
	{ "/a=\x1b[31m",    "unknown option '\\x1b[31m' for /a" },
	{ "/\x7f=x",        "unknown option 'x' for /\\x7f" },
	/* Syntax before duplicates, and the first entry's problem first. */
	{ "/a:/a:rel",      "relative root 'rel'" },
	{ "/a=x:rel",       "unknown option 'x' for /a" },
};

START_TEST(roots_errors)
{
	roots_fail(root_errors[_i].roots, root_errors[_i].msg);
}
END_TEST

/* The examples of the specification, word for word. */
START_TEST(spec_messages)
{
	var_fail_exact(V_ROOTS, "srv/www", "BENEATH_ROOTS: relative root 'srv/www'");
	var_fail_exact(V_ROOTS, "/srv/www=rx",
	               "BENEATH_ROOTS: unknown option 'rx' for /srv/www");
	var_fail_exact(V_ERRNO, "EFOO", "BENEATH_ERRNO: unknown errno name 'EFOO'");
	var_fail_exact(V_MODE, "x", "BENEATH_MODE: unknown mode 'x' (enforce or audit)");
	var_fail_exact(V_ROOTS, "/a::/b", "BENEATH_ROOTS: empty root entry (entry 2)");
}
END_TEST

/* ------------------------------------------------------------------------
 * The other variables
 * ------------------------------------------------------------------------ */

START_TEST(var_mode)
{
	var_ok(V_MODE, "enforce");
	ck_assert_int_eq(cfg.mode, SHIM_ENFORCE);
	var_ok(V_MODE, "audit");
	ck_assert_int_eq(cfg.mode, SHIM_AUDIT);
	var_fail_exact(V_MODE, "", "BENEATH_MODE: empty value");
	var_fail(V_MODE, "ENFORCE", "BENEATH_MODE: unknown mode 'ENFORCE' (enforce or audit)");
	var_fail(V_MODE, "enforce ", "unknown mode 'enforce '");
	var_fail(V_MODE, "aud", "unknown mode 'aud'");
}
END_TEST

START_TEST(var_outside)
{
	var_ok(V_OUTSIDE, "allow");
	ck_assert(!cfg.deny_outside);
	var_ok(V_OUTSIDE, "deny");
	ck_assert(cfg.deny_outside);
	var_fail_exact(V_OUTSIDE, "", "BENEATH_OUTSIDE: empty value");
	var_fail_exact(V_OUTSIDE, "refuse",
	               "BENEATH_OUTSIDE: unknown value 'refuse' (allow or deny)");
	var_fail(V_OUTSIDE, "Deny", "unknown value 'Deny'");
}
END_TEST

START_TEST(var_errno)
{
	var_ok(V_ERRNO, "EACCES");
	ck_assert_int_eq(cfg.deny_errno, EACCES);
	var_ok(V_ERRNO, "EPERM");
	ck_assert_int_eq(cfg.deny_errno, EPERM);
	var_ok(V_ERRNO, "ENOENT");
	ck_assert_int_eq(cfg.deny_errno, ENOENT);
	var_ok(V_ERRNO, "EHWPOISON");
	ck_assert_int_eq(cfg.deny_errno, EHWPOISON);
	var_ok(V_ERRNO, "EWOULDBLOCK");
	ck_assert_int_eq(cfg.deny_errno, EAGAIN);
	var_fail_exact(V_ERRNO, "", "BENEATH_ERRNO: empty value");
	var_fail(V_ERRNO, "0", "BENEATH_ERRNO: unknown errno name '0'");
	var_fail(V_ERRNO, "13", "unknown errno name '13'");
	var_fail(V_ERRNO, "eacces", "unknown errno name 'eacces'");
	var_fail(V_ERRNO, "EACCES ", "unknown errno name 'EACCES '");
	var_fail(V_ERRNO, "EACCESS", "unknown errno name 'EACCESS'");
	var_fail(V_ERRNO, "E", "unknown errno name 'E'");
}
END_TEST

START_TEST(var_log)
{
	static char longpath[PATH_MAX + 1];
	const char *v = "/var/log/beneath.log";

	var_ok(V_LOG, "stderr");
	ck_assert_int_eq(cfg.log_kind, SHIM_LOG_STDERR);
	ck_assert_int_eq(cfg.log_fd, -1);
	ck_assert_ptr_null(cfg.log_path);
	var_ok(V_LOG, "fd:0");
	ck_assert_int_eq(cfg.log_kind, SHIM_LOG_FD);
	ck_assert_int_eq(cfg.log_fd, 0);
	var_ok(V_LOG, "fd:7");
	ck_assert_int_eq(cfg.log_fd, 7);
	var_ok(V_LOG, "fd:007");
	ck_assert_int_eq(cfg.log_fd, 7);
	var_ok(V_LOG, "fd:2147483647");
	ck_assert_int_eq(cfg.log_fd, INT_MAX);

	/* Stored as written (no normalisation), in the arena, not in environ. */
	var_ok(V_LOG, v);
	ck_assert_int_eq(cfg.log_kind, SHIM_LOG_PATH);
	ck_assert_int_eq(cfg.log_fd, -1);
	ck_assert_str_eq(cfg.log_path, v);
	ck_assert(cfg.log_path != v);
	ck_assert(in_arena(cfg.log_path, strlen(v) + 1));
	var_ok(V_LOG, "//var/./log/");
	ck_assert_str_eq(cfg.log_path, "//var/./log/");
	var_ok(V_LOG, "/");
	ck_assert_str_eq(cfg.log_path, "/");

	memset(longpath, 'a', PATH_MAX - 1);
	longpath[0] = '/';
	var_ok(V_LOG, longpath);
	longpath[PATH_MAX - 1] = 'a';
	var_fail(V_LOG, longpath, "BENEATH_LOG: path longer than PATH_MAX '/aaa");

	var_fail_exact(V_LOG, "", "BENEATH_LOG: empty value");
	var_fail_exact(V_LOG, "beneath.log",
	               "BENEATH_LOG: relative path 'beneath.log' (stderr, fd:N or an absolute path)");
	var_fail(V_LOG, "./log", "relative path './log'");
	var_fail(V_LOG, "STDERR", "relative path 'STDERR'");
	var_fail(V_LOG, "fd", "relative path 'fd'");
	var_fail_exact(V_LOG, "fd:",
	               "BENEATH_LOG: bad fd 'fd:' (fd:N, N a decimal number from 0 to 2147483647)");
	var_fail(V_LOG, "fd:-1", "bad fd 'fd:-1'");
	var_fail(V_LOG, "fd: 1", "bad fd 'fd: 1'");
	var_fail(V_LOG, "fd:x", "bad fd 'fd:x'");
	var_fail(V_LOG, "fd:2147483648", "bad fd 'fd:2147483648'");
	var_fail(V_LOG, "fd:3/", "bad fd 'fd:3/'");
}
END_TEST

START_TEST(var_resolver)
{
	var_ok(V_RESOLVER, "auto");
	ck_assert_int_eq(cfg.resolver, SHIM_RESOLVER_AUTO);
	var_ok(V_RESOLVER, "openat2");
	ck_assert_int_eq(cfg.resolver, SHIM_RESOLVER_OPENAT2);
	var_ok(V_RESOLVER, "walker");
	ck_assert_int_eq(cfg.resolver, SHIM_RESOLVER_WALKER);
	var_fail_exact(V_RESOLVER, "", "BENEATH_RESOLVER: empty value");
	var_fail_exact(V_RESOLVER, "kernel",
	               "BENEATH_RESOLVER: unknown resolver 'kernel' (auto, openat2 or walker)");
	var_fail(V_RESOLVER, "Walker", "unknown resolver 'Walker'");
}
END_TEST

/* Everything at once, and the first bad variable (in struct order) wins. */
START_TEST(all_variables)
{
	struct shim_env env = {
		.roots = "/srv/www=ro:/home/*/public_html=nosymlinks",
		.mode = "audit",
		.outside = "deny",
		.errno_name = "EPERM",
		.log = "/var/log/beneath.log",
		.resolver = "walker",
	};

	ck_assert_int_eq(parse(&env), 0);
	ck_assert_uint_eq(cfg.nroots, 2);
	ck_assert_int_eq(cfg.mode, SHIM_AUDIT);
	ck_assert(cfg.deny_outside);
	ck_assert_int_eq(cfg.deny_errno, EPERM);
	ck_assert_int_eq(cfg.log_kind, SHIM_LOG_PATH);
	ck_assert_str_eq(cfg.log_path, "/var/log/beneath.log");
	ck_assert_int_eq(cfg.resolver, SHIM_RESOLVER_WALKER);

	env.resolver = "x";
	env.errno_name = "x";
	expect_fail(&env, "errno, resolver", "BENEATH_ERRNO: ");
	env.mode = "x";
	expect_fail(&env, "mode, errno", "BENEATH_MODE: ");
	env.roots = "x";
	expect_fail(&env, "roots, mode", "BENEATH_ROOTS: ");
}
END_TEST

/* ------------------------------------------------------------------------
 * Messages and arena
 * ------------------------------------------------------------------------ */

START_TEST(message_truncation)
{
	struct shim_env env = { .roots = "srv/www" };
	char small[16];

	arena_reset(ARENA_SIZE);
	memset(small, '#', sizeof(small));
	ck_assert_int_eq(shim_config_parse(&env, &cfg, &arena, small, 1), -1);
	ck_assert_str_eq(small, "");
	ck_assert_int_eq(small[1], '#');

	memset(small, '#', sizeof(small));
	ck_assert_int_eq(shim_config_parse(&env, &cfg, &arena, small, 10), -1);
	ck_assert_str_eq(small, "BENEATH_R");
	ck_assert_int_eq(small[10], '#');

	/* No buffer at all, or one of size 0 that must stay untouched. */
	memset(small, '#', sizeof(small));
	ck_assert_int_eq(shim_config_parse(&env, &cfg, &arena, small, 0), -1);
	ck_assert_int_eq(small[0], '#');
	ck_assert_int_eq(shim_config_parse(&env, &cfg, &arena, NULL, 0), -1);
	ck_assert_int_eq(shim_config_parse(&env, &cfg, &arena, NULL, 100), -1);

	/* A long quote is cut, still terminated. */
	{
		static char big[100000];

		memset(big, 'x', sizeof(big) - 1);
		env.roots = big;
		ck_assert_int_eq(parse(&env), -1);
		ck_assert_uint_eq(strlen(errbuf), sizeof(errbuf) - 1);
		ck_assert(strncmp(errbuf, "BENEATH_ROOTS: relative root 'xxx", 33) == 0);
	}

	/* Success clears a stale message. */
	env.roots = "/ok";
	strcpy(small, "stale");
	ck_assert_int_eq(shim_config_parse(&env, &cfg, &arena, small, sizeof(small)), 0);
	ck_assert_str_eq(small, "");
}
END_TEST

/* A failed parse leaves the defaults and the arena as they were. */
START_TEST(failure_leaves_nothing)
{
	struct shim_env env = { .roots = "/a:/b", .log = "/log", .resolver = "bad" };

	arena_reset(ARENA_SIZE);
	arena.used = 100;
	ck_assert_int_eq(parse_in(&env), -1);
	ck_assert_uint_eq(arena.used, 100);
	check_defaults();
	ck_assert_str_eq(errbuf, "BENEATH_RESOLVER: unknown resolver 'bad' (auto, openat2 or walker)");
}
END_TEST

/* Allocation starts at arena.used, aligned, whatever the base. */
START_TEST(arena_alignment)
{
	struct shim_env env = { .roots = "/a:/b/c", .log = "/l" };
	char *mem;

	int r;

	arena_reset(4096);
	mem = arena.base;
	memset(mem, '#', 4096);
	arena.base = mem + 1;
	arena.size = 4095;
	arena.used = 3;
	r = parse_in(&env);
	/* Back to what arena_reset() allocated before anything can fail;
	 * in_arena() below then checks against the larger whole. */
	arena.base = mem;
	arena.size = 4096;
	arena.used += 1;
	ck_assert_msg(r == 0, "%s", errbuf);
	ck_assert_msg((uintptr_t)cfg.roots % _Alignof(struct shim_root_cfg) == 0,
	              "roots at %p", (void *)cfg.roots);
	ck_assert((const char *)cfg.roots >= mem + 4);
	ck_assert(in_arena(cfg.roots, 2 * sizeof(*cfg.roots)));
	ck_assert(in_arena(cfg.roots[1].path, 5));
	ck_assert(in_arena(cfg.log_path, 3));
	ck_assert_mem_eq(mem, "####", 4);
}
END_TEST

/* Every arena too small for a configuration fails the same clean way,
 * and the smallest that works is not much more than what stays used. */
START_TEST(arena_exhaustion)
{
	struct shim_env env = { .log = "/var/log/x" };
	char roots[2048];
	size_t len = 0, size, need;

	for (int i = 0; i < 60; i++)
		len += (size_t)snprintf(roots + len, sizeof(roots) - len, "%s/r/%d=ro",
		                        i ? ":" : "", i);
	env.roots = roots;

	for (size = 0;; size++) {
		arena_reset(size);
		if (parse_in(&env) == 0)
			break;
		check_message_shape();
		ck_assert_msg(strstr(errbuf, "configuration too large"),
		              "arena of %zu: %s", size, errbuf);
		ck_assert_uint_eq(arena.used, 0);
		check_defaults();
		ck_assert_uint_lt(size, 100000);
	}
	need = arena.used;
	ck_assert_uint_le(need, size);
	ck_assert_uint_eq(cfg.nroots, 60);
	ck_assert_str_eq(cfg.log_path, "/var/log/x");
	/* The hash table borrowed during the parse: 128 slots of 4 bytes,
	 * plus alignment. */
	ck_assert_uint_le(size - need, 128 * 4 + 16);
	for (; size < need + 1024; size += 97) {
		arena_reset(size);
		ck_assert_msg(parse_in(&env) == 0, "arena of %zu: %s", size, errbuf);
		ck_assert_uint_eq(arena.used, need);
	}

	/* Without room for the log path: named after its variable. */
	env.roots = NULL;
	arena_reset(10);
	expect_fail(&env, "log", "BENEATH_LOG: configuration too large");
	arena_reset(11);
	ck_assert_int_eq(parse_in(&env), 0);

	/* No arena, a NULL base, or a used beyond the size: no room. */
	env.roots = "/a";
	ck_assert_int_eq(shim_config_parse(&env, &cfg, NULL, errbuf, sizeof(errbuf)), -1);
	ck_assert_ptr_nonnull(strstr(errbuf, "BENEATH_ROOTS: configuration too large"));
	arena_reset(0);
	arena.size = 4096;
	ck_assert_int_eq(parse_in(&env), -1);
	ck_assert_ptr_nonnull(strstr(errbuf, "configuration too large"));
	arena.size = 0;
	arena_reset(64);
	arena.used = 65;
	ck_assert_int_eq(parse_in(&env), -1);
	ck_assert_ptr_nonnull(strstr(errbuf, "configuration too large"));
	ck_assert_uint_eq(arena.used, 65);
}
END_TEST

/* Syntax errors read the same however small the arena is. */
START_TEST(syntax_before_size)
{
	struct shim_env env = { .roots = "/a:/b:rel" };

	arena_reset(0);
	expect_fail(&env, "no arena", "relative root 'rel'");
}
END_TEST

/* ------------------------------------------------------------------------
 * errno names
 * ------------------------------------------------------------------------ */

/* The same names as glibc's own table, value for value, both ways. */
START_TEST(errno_table_matches_glibc)
{
	int named = 0;

	for (int e = -10; e < 300; e++) {
		const char *ours = shim_errno_name(e);
		const char *glibc = e > 0 ? strerrorname_np(e) : NULL;

		if (!glibc) {
			ck_assert_msg(ours == NULL, "%d: '%s', glibc has none", e, ours);
			continue;
		}
		ck_assert_msg(ours && strcmp(ours, glibc) == 0, "%d: '%s', glibc '%s'",
		              e, ours ? ours : "(null)", glibc);
		ck_assert_int_eq(shim_errno_from_name(ours), e);
		named++;
	}
	ck_assert_int_eq(named, 131);   /* 1 to 133 but 41 and 58 */
}
END_TEST

START_TEST(errno_aliases)
{
	ck_assert_int_eq(shim_errno_from_name("EWOULDBLOCK"), EAGAIN);
	ck_assert_int_eq(shim_errno_from_name("EDEADLOCK"), EDEADLK);
	ck_assert_int_eq(shim_errno_from_name("ENOTSUP"), EOPNOTSUPP);
	ck_assert_str_eq(shim_errno_name(EWOULDBLOCK), "EAGAIN");
	ck_assert_str_eq(shim_errno_name(EDEADLOCK), "EDEADLK");
	ck_assert_str_eq(shim_errno_name(ENOTSUP), "EOPNOTSUPP");
	ck_assert_str_eq(shim_errno_name(EACCES), "EACCES");
	ck_assert_int_eq(shim_errno_from_name("ENOTRECOVERABLE"), ENOTRECOVERABLE);
}
END_TEST

START_TEST(errno_unknown)
{
	static const char *const bad[] = {
		"", "E", "EACCESS", "EACCES ", " EACCES", "eacces", "13", "0",
		"-1", "EACCES\n", "ENOTRECOVERABLEX",
	};

	ck_assert_int_eq(shim_errno_from_name(NULL), -1);
	for (size_t i = 0; i < NELEM(bad); i++)
		ck_assert_msg(shim_errno_from_name(bad[i]) == -1, "'%s' known", bad[i]);
	ck_assert_ptr_null(shim_errno_name(0));
	ck_assert_ptr_null(shim_errno_name(41));
	ck_assert_ptr_null(shim_errno_name(58));
	ck_assert_ptr_null(shim_errno_name(134));
	ck_assert_ptr_null(shim_errno_name(INT_MAX));
	ck_assert_ptr_null(shim_errno_name(INT_MIN));
}
END_TEST

/* ------------------------------------------------------------------------
 * Random inputs
 * ------------------------------------------------------------------------ */

static uint64_t rng_state;

static uint32_t rng(void)
{
	/* xorshift64*: reproducible from the seed in the failure message. */
	rng_state ^= rng_state >> 12;
	rng_state ^= rng_state << 25;
	rng_state ^= rng_state >> 27;
	return (uint32_t)((rng_state * 0x2545f4914f6cdd1dull) >> 32);
}

/* Pieces that reach every branch far more often than random bytes. */
static const char *const root_tokens[] = {
	"/", "/", "/", "a", "b", ".", "..", "*", "\\\\", "\\:", "\\=", "\\,",
	"\\", "\\x", ":", "=", ",", "ro", "rw", "contain", "beneath", "in_root",
	"nosymlinks", "sameowner", "fd=", "3", "0", "9", "2147483648", "/srv",
	"/home/*/www", "=ro,", "\n",
};

/* Valid values of each variable but ROOTS, and a near miss each. */
static const char *const var_values[][4] = {
	{ NULL },
	{ "enforce", "audit", "enforce", "audit " },
	{ "allow", "deny", "deny", "" },
	{ "EACCES", "EPERM", "EWOULDBLOCK", "EPERM1" },
	{ "stderr", "fd:3", "/var/log/b", "fd:" },
	{ "auto", "openat2", "walker", "walk" },
};

static const char *const good_comps[] = {
	"a", "bb", ".", "..", "*", "", "\\\\", "\\:", "\\=", "\\,", "...",
};

static const char *const good_opts[] = {
	"ro", "rw", "contain", "beneath", "in_root", "nosymlinks", "sameowner",
	"fd=3", "fd=4", "fd=\\=5",
};

/* Mostly well-formed BENEATH_ROOTS: the accepting paths get exercised
 * as well as the errors. */
static void random_roots(char *buf, size_t cap)
{
	size_t len = 0, n = 1 + rng() % 6;

#define PUT(t) do { const char *t_ = (t); size_t tl_ = strlen(t_);          \
		if (len + tl_ >= cap) goto out;                               \
		memcpy(buf + len, t_, tl_); len += tl_; } while (0)
	for (size_t i = 0; i < n; i++) {
		size_t nc = rng() % 4, no = rng() % 3;

		if (i)
			PUT(":");
		PUT("/");
		for (size_t c = 0; c < nc; c++) {
			if (c)
				PUT("/");
			PUT(good_comps[rng() % NELEM(good_comps)]);
		}
		for (size_t o = 0; o < no; o++) {
			PUT(o ? "," : "=");
			PUT(good_opts[rng() % NELEM(good_opts)]);
		}
	}
#undef PUT
out:
	buf[len] = '\0';
}

static void random_text(char *buf, size_t cap, bool structured)
{
	size_t len = 0, n = rng() % 24;

	for (size_t i = 0; i < n; i++) {
		if (structured) {
			const char *t = root_tokens[rng() % NELEM(root_tokens)];
			size_t tl = strlen(t);

			if (len + tl >= cap)
				break;
			memcpy(buf + len, t, tl);
			len += tl;
		} else if (len + 1 < cap) {
			buf[len++] = (char)(1 + rng() % 255);
		}
	}
	buf[len] = '\0';
}

/* What every accepted configuration must look like. */
static void check_invariants(const char *in)
{
	REQUIRE(arena.used <= arena.size, "'%s'", in);
	REQUIRE((cfg.nroots == 0) == (cfg.roots == NULL), "'%s'", in);
	if (cfg.roots) {
		REQUIRE((uintptr_t)cfg.roots % _Alignof(struct shim_root_cfg) == 0, "'%s'", in);
		REQUIRE(in_arena(cfg.roots, cfg.nroots * sizeof(*cfg.roots)), "'%s'", in);
	}
	for (size_t i = 0; i < cfg.nroots; i++) {
		const struct shim_root_cfg *r = &cfg.roots[i];
		const char *p = r->path;
		int ncomp = 0, wild = -1;

		REQUIRE(in_arena(p, r->path_len + 1), "'%s'", in);
		REQUIRE(strlen(p) == r->path_len, "'%s': '%s'", in, p);
		REQUIRE(r->path_len < PATH_MAX, "'%s'", in);
		REQUIRE(p[0] == '/', "'%s': '%s'", in, p);
		if (r->path_len > 1) {
			REQUIRE(p[r->path_len - 1] != '/', "'%s': '%s'", in, p);
			REQUIRE(!strstr(p, "//") && !strstr(p, "/./"), "'%s': '%s'", in, p);
			REQUIRE(strcmp(p + r->path_len - 2, "/.") != 0, "'%s': '%s'", in, p);
			for (const char *c = p; *c; c = strchrnul(c + 1, '/')) {
				const char *end = strchrnul(c + 1, '/');

				if (end - c == 2 && c[1] == '*') {
					if (wild < 0)
						wild = ncomp;
				} else {
					REQUIRE(!memchr(c + 1, '*', (size_t)(end - c - 1)),
					        "'%s': '%s'", in, p);
				}
				ncomp++;
			}
		}
		REQUIRE(r->ncomponents == ncomp, "'%s': '%s' %d", in, p, r->ncomponents);
		REQUIRE(r->wildcard_depth == wild, "'%s': '%s' %d", in, p, r->wildcard_depth);
		REQUIRE((r->rflags & BENEATH_MODE_MASK) <= BENEATH_MODE_CONTAIN, "'%s'", in);
		REQUIRE((r->rflags & ~(unsigned int)(BENEATH_MODE_MASK | BENEATH_NO_SYMLINKS)) == 0,
		        "'%s'", in);
		REQUIRE(r->fd == -1 || r->fd >= 3, "'%s'", in);
		REQUIRE(r->fd == -1 || r->wildcard_depth == -1, "'%s'", in);
		for (size_t j = 0; j < i; j++)
			REQUIRE(strcmp(cfg.roots[j].path, p) != 0, "'%s': '%s' twice", in, p);
	}
	REQUIRE(shim_errno_name(cfg.deny_errno) != NULL, "%d", cfg.deny_errno);
	REQUIRE(cfg.log_kind != SHIM_LOG_FD || cfg.log_fd >= 0, "%d", cfg.log_fd);
	REQUIRE(cfg.log_kind == SHIM_LOG_PATH ?
	        cfg.log_path && cfg.log_path[0] == '/' && in_arena(cfg.log_path, 1) :
	        cfg.log_path == NULL, "%d", cfg.log_kind);
}

START_TEST(random_inputs)
{
	static char vals[6][256];
	uint64_t seed = 0x9e3779b97f4a7c15ull * (uint64_t)(_i + 1);
	int accepted = 0;

	rng_state = seed;
	arena_reset(ARENA_SIZE);
	for (int it = 0; it < 20000; it++) {
		struct shim_env env;
		const char **f[6] = { &env.roots, &env.mode, &env.outside,
		                      &env.errno_name, &env.log, &env.resolver };
		int r;

		for (int v = 0; v < 6; v++) {
			uint32_t k = rng() % 16;

			if (k < 7) {
				*f[v] = NULL;
			} else if (k < 13) {
				if (v == 0) {
					random_roots(vals[v], sizeof(vals[v]));
					*f[v] = vals[v];
				} else {
					*f[v] = var_values[v][rng() % (k < 12 ? 3 : 4)];
				}
			} else {
				/* token soup for ROOTS, random bytes for all */
				random_text(vals[v], sizeof(vals[v]), v == 0 && k < 15);
				*f[v] = vals[v];
			}
		}
		arena.used = rng() % 64;
		{
			size_t used = arena.used;

			r = parse_in(&env);
			REQUIRE(r == 0 || r == -1, "seed %#llx it %d: %d",
			        (unsigned long long)seed, it, r);
			if (r == 0) {
				accepted++;
				REQUIRE(errbuf[0] == '\0', "'%s'", errbuf);
				check_invariants(env.roots ? env.roots : "(unset)");
			} else {
				check_message_shape();
				REQUIRE(arena.used == used, "seed %#llx it %d",
				        (unsigned long long)seed, it);
				check_defaults();
			}
		}
	}
	/* The generator must reach the accepting paths too. */
	ck_assert_int_gt(accepted, 100);
}
END_TEST

/* ------------------------------------------------------------------------ */

static Suite *config_suite(void)
{
	Suite *s = suite_create("config");
	TCase *tc;

	tc = tcase_create("defaults");
	tcase_add_test(tc, defaults_all_unset);
	tcase_add_test(tc, defaults_null_env);
	tcase_add_test(tc, defaults_empty_roots);
	tcase_add_test(tc, defaults_root);
	tcase_add_test(tc, defaults_no_arena);
	suite_add_tcase(s, tc);

	tc = tcase_create("roots");
	tcase_add_loop_test(tc, options_each, 0, NELEM(option_cases));
	tcase_add_test(tc, escapes);
	tcase_add_loop_test(tc, normalise, 0, NELEM(norm_cases));
	tcase_add_test(tc, normalise_length);
	tcase_add_test(tc, wildcards);
	tcase_add_test(tc, several_roots);
	tcase_add_test(tc, thousand_roots);
	suite_add_tcase(s, tc);

	tc = tcase_create("scale");
	/* Generous for valgrind; a quadratic parser would still miss it. */
	tcase_set_timeout(tc, 120);
	tcase_add_test(tc, many_roots_linear);
	tcase_add_loop_test(tc, random_inputs, 0, 4);
	suite_add_tcase(s, tc);

	tc = tcase_create("errors");
	tcase_add_loop_test(tc, roots_errors, 0, NELEM(root_errors));
	tcase_add_test(tc, spec_messages);
	tcase_add_test(tc, message_truncation);
	tcase_add_test(tc, failure_leaves_nothing);
	tcase_add_test(tc, syntax_before_size);
	suite_add_tcase(s, tc);

	tc = tcase_create("variables");
	tcase_add_test(tc, var_mode);
	tcase_add_test(tc, var_outside);
	tcase_add_test(tc, var_errno);
	tcase_add_test(tc, var_log);
	tcase_add_test(tc, var_resolver);
	tcase_add_test(tc, all_variables);
	suite_add_tcase(s, tc);

	tc = tcase_create("arena");
	tcase_add_test(tc, arena_alignment);
	tcase_add_test(tc, arena_exhaustion);
	suite_add_tcase(s, tc);

	tc = tcase_create("errno");
	tcase_add_test(tc, errno_table_matches_glibc);
	tcase_add_test(tc, errno_aliases);
	tcase_add_test(tc, errno_unknown);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(config_suite());
	int failed;

	srunner_run_all(sr, CK_ENV);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	free(arena.base);
	return failed ? 1 : 0;
}
