/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Keeping the configuration alive in children. It travels in the
 * environment (LD_PRELOAD, which loads us, and the BENEATH_* variables),
 * and programs throw environments away: clearenv, unsetenv, `env -i`,
 * daemons that sanitise theirs, exec with an envp of their own. So the
 * values are copied at init into memory the shim owns, and every child
 * gets them back:
 *
 *   - the exec and spawn wrappers (wrap-exec.c) hand the kernel
 *     shim_env_build()'s copy of the caller's envp, with our BENEATH_*
 *     values forced (a program must not widen its children's
 *     confinement: its own BENEATH_* entries are replaced, or removed
 *     when we had none) and our library added to LD_PRELOAD;
 *   - clearenv, system and popen (below) put our values back into
 *     environ itself, for the spawners the shim cannot see (system,
 *     popen and wordexp spawn through glibc's internal posix_spawn with
 *     environ).
 *
 * In audit mode nothing is confined either, so nothing can be widened:
 * a child given a configuration of its own (a BENEATH_ROOTS other than
 * ours: a test suite that runs the shim itself, audited by an outer
 * hardening run) keeps the program's BENEATH_* entries, and the audit
 * stops at it. A child given ours, or none, still gets ours, and with
 * them the mark FORCED: a program further down that sets a BENEATH_ROOTS
 * of its own over an environment we forced (`env BENEATH_ROOTS=x prog`)
 * did not mean our BENEATH_MODE=audit, so entries equal to ours go when
 * the mark is there. A nested `beneath` clears all, mark included, and
 * sets exactly what it means.
 *
 * A process with no BENEATH_* variable at all confines nothing, so there
 * is nothing to widen: its children's BENEATH_* entries are the
 * program's own business (LD_PRELOAD=shim in a shell's environment, then
 * `BENEATH_ROOTS=/srv nginx`). LD_PRELOAD always gets our library.
 */
#include <dlfcn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/syscall.h>

#include "shim.h"

extern char **environ;

/* What init.c reads: the configuration, all of it. */
static const char *const vars[] = {
	"BENEATH_ROOTS", "BENEATH_MODE", "BENEATH_OUTSIDE",
	"BENEATH_ERRNO", "BENEATH_LOG", "BENEATH_RESOLVER",
};
#define NVARS (sizeof(vars) / sizeof(vars[0]))

#define FORCED "BENEATH_AUDIT_FORCED"
#define FORCED_LEN (sizeof(FORCED) - 1)

#define PRELOAD "LD_PRELOAD"
#define PRELOAD_LEN (sizeof(PRELOAD) - 1)

static struct {
	bool saved;                /* false: init could not save (no memory) */
	bool configured;           /* some BENEATH_* variable was set */
	bool audit;                /* BENEATH_MODE=audit */
	const char *entry[NVARS];  /* "NAME=value" as at startup, or NULL */
	const char *self;          /* the shim's absolute path */
	const char *preload;       /* "LD_PRELOAD=..." for a child without one */
} E;

static void *map(size_t len)
{
	long p = bsys_call6(SYS_mmap, 0, (long)len, PROT_READ | PROT_WRITE,
	                    MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	return p < 0 && p > -4096 ? NULL : (void *)p;
}

/* ENTRY is NAME=... (or NAME alone, which getenv ignores but we drop). */
static bool is_var(const char *entry, const char *name, size_t len)
{
	return strncmp(entry, name, len) == 0 && (entry[len] == '=' || entry[len] == '\0');
}

/* ENTRY ("NAME=value") exactly one of ours? */
static bool same_as_ours(const char *entry)
{
	for (size_t i = 0; i < NVARS; i++)
		if (E.entry[i] && strcmp(entry, E.entry[i]) == 0)
			return true;
	return false;
}

static bool is_ours(const char *entry)
{
	for (size_t i = 0; i < NVARS; i++)
		if (is_var(entry, vars[i], strlen(vars[i])))
			return true;
	return false;
}

/* Does the LD_PRELOAD value V name our library? The loader splits it on
 * spaces and colons. Another spelling of our path does not count: it
 * may be relative, and one library loaded twice is loaded once. */
static bool names_self(const char *v)
{
	size_t n = strlen(E.self);

	while (*v) {
		size_t t = strcspn(v, " :");

		if (t == n && memcmp(v, E.self, n) == 0)
			return true;
		v += t;
		v += *v != '\0';
	}
	return false;
}

/* "LD_PRELOAD=V:self" (no colon after an empty V) into OUT; its size
 * with the NUL is preload_size(V). */
static size_t preload_size(const char *v)
{
	return PRELOAD_LEN + 1 + strlen(v) + 1 + strlen(E.self) + 1;
}

static char *preload_join(char *out, const char *v)
{
	char *o = out;
	size_t n = strlen(v);

	memcpy(o, PRELOAD "=", PRELOAD_LEN + 1);
	o += PRELOAD_LEN + 1;
	memcpy(o, v, n);
	o += n;
	if (n)
		*o++ = ':';
	strcpy(o, E.self);
	return out;
}

/*
 * The shim's own path, absolute: the loader records an LD_PRELOAD entry
 * as it was spelt, and a relative one would stop working in a child that
 * starts elsewhere. The working directory now is the one the loader
 * resolved it against (no code of the program has run yet).
 */
static size_t self_path(char *out, size_t size)
{
	Dl_info info;
	long n = 0;

	if (!dladdr((void *)shim_env_save, &info) || !info.dli_fname || !*info.dli_fname)
		return 0;
	if (info.dli_fname[0] != '/') {
		n = bsys_call2(SYS_getcwd, (long)out, (long)size);
		if (n <= 1 || out[0] != '/')
			return 0;
		out[n - 1] = '/';
	}
	if ((size_t)n + strlen(info.dli_fname) + 1 > size)
		return 0;
	strcpy(out + n, info.dli_fname);
	n = shim_normalize(out, out, size);
	return n > 0 ? (size_t)n : 0;
}

void shim_env_save(void)
{
	const char *val[NVARS], *pre = getenv(PRELOAD);
	char self[PATH_MAX];
	size_t slen = self_path(self, sizeof(self)), size, len;
	char *p;

	if (!slen)
		return;  /* E.saved stays false: children are refused, not freed */
	size = slen + 1 + PRELOAD_LEN + 1 + (pre ? strlen(pre) : 0) + 1 + slen + 1;
	for (size_t i = 0; i < NVARS; i++) {
		val[i] = getenv(vars[i]);
		if (val[i])
			size += strlen(vars[i]) + 1 + strlen(val[i]) + 1;
	}
	p = map(size);
	if (!p)
		return;
	memcpy(p, self, slen + 1);
	E.self = p;
	p += slen + 1;
	for (size_t i = 0; i < NVARS; i++) {
		if (!val[i])
			continue;
		len = strlen(vars[i]);
		memcpy(p, vars[i], len);
		p[len] = '=';
		strcpy(p + len + 1, val[i]);
		E.entry[i] = p;
		E.configured = true;
		p += len + 1 + strlen(val[i]) + 1;
	}
	E.audit = val[1] && strcmp(val[1], "audit") == 0;
	if (pre && names_self(pre)) {
		memcpy(p, PRELOAD "=", PRELOAD_LEN + 1);
		strcpy(p + PRELOAD_LEN + 1, pre);
		E.preload = p;
	} else {
		E.preload = preload_join(p, pre ? pre : "");
	}
	E.saved = true;
}

/* Audit mode only: does ROOTS (a BENEATH_ROOTS value, or NULL) give a
 * child a configuration of its own? */
static bool own_config(const char *roots)
{
	const char *ours = E.entry[0] ? E.entry[0] + sizeof("BENEATH_ROOTS") : NULL;

	return E.audit && roots && (!ours || strcmp(roots, ours) != 0);
}

int shim_env_build(struct shim_child_env *ce, char *const envp[])
{
	const char *last = NULL, *pre = NULL, *roots = NULL;
	size_t n = 0, nptr, need = 0, k = 0;
	char **v = ce->ptrs, *str = ce->preload;
	bool force, forced = false, drop;

	ce->map = NULL;
	ce->maplen = 0;
	ce->envp = NULL;
	if (!E.saved)
		return -ENOMEM;
	/* The loader takes the last LD_PRELOAD entry; so do we. */
	for (; envp && envp[n]; n++) {
		if (is_var(envp[n], PRELOAD, PRELOAD_LEN) && envp[n][PRELOAD_LEN] == '=')
			last = envp[n] + PRELOAD_LEN + 1;
		else if (is_var(envp[n], "BENEATH_ROOTS", sizeof("BENEATH_ROOTS") - 1) &&
		         envp[n][sizeof("BENEATH_ROOTS") - 1] == '=')
			roots = envp[n] + sizeof("BENEATH_ROOTS");
		else if (is_var(envp[n], FORCED, FORCED_LEN))
			forced = true;
	}
	force = E.configured && !own_config(roots);
	/* its own configuration over one we forced: ours is not meant */
	drop = !force && E.configured && forced;
	if (!last)
		pre = E.preload;
	else if (names_self(last))
		pre = last - PRELOAD_LEN - 1;
	else
		need = preload_size(last);
	nptr = n + NVARS + 3;
	if (nptr > SHIM_ENV_PTRS || need > sizeof(ce->preload)) {
		/* A vfork child's mapping is its parent's too, and a
		 * successful exec leaves it there: a leak, for huge
		 * environments only, where malloc would be worse. */
		ce->maplen = nptr * sizeof(char *) + need;
		ce->map = map(ce->maplen);
		if (!ce->map)
			return -ENOMEM;
		v = ce->map;
		str = (char *)(v + nptr);
	}
	if (need)
		pre = preload_join(str, last);
	for (size_t i = 0; i < n; i++) {
		if (is_var(envp[i], PRELOAD, PRELOAD_LEN) || (force && is_ours(envp[i])) ||
		    ((force || drop) && is_var(envp[i], FORCED, FORCED_LEN)) ||
		    (drop && same_as_ours(envp[i])))
			continue;
		v[k++] = envp[i];
	}
	for (size_t i = 0; force && i < NVARS; i++)
		if (E.entry[i])
			v[k++] = (char *)E.entry[i];
	if (force && E.audit)
		v[k++] = (char *)FORCED "=1";
	v[k++] = (char *)pre;
	v[k] = NULL;
	ce->envp = v;
	return 0;
}

void shim_env_release(struct shim_child_env *ce)
{
	if (ce->map)
		bsys_call2(SYS_munmap, (long)ce->map, (long)ce->maplen);
	ce->map = NULL;
}

/*
 * environ made to say what our children must get, for the spawners the
 * shim cannot see. Like setenv itself, not safe against other threads
 * reading the environment meanwhile; nothing is written when nothing
 * changed, which is the usual case.
 */
static void env_sync(void)
{
	const char *last = NULL;
	char *val;
	int saved = errno, count = 0;

	if (!E.saved)
		return;
	if (E.configured && own_config(getenv("BENEATH_ROOTS"))) {
		/* as shim_env_build(): ours goes if we forced it */
		if (getenv(FORCED)) {
			for (size_t i = 0; i < NVARS; i++) {
				const char *cur = getenv(vars[i]);

				if (cur && E.entry[i] &&
				    strcmp(cur, E.entry[i] + strlen(vars[i]) + 1) == 0)
					unsetenv(vars[i]);
			}
			unsetenv(FORCED);
		}
	} else if (E.configured && E.audit && !getenv(FORCED)) {
		setenv(FORCED, "1", 1);
	}
	for (size_t i = 0; E.configured && !own_config(getenv("BENEATH_ROOTS")) && i < NVARS; i++) {
		const char *cur = getenv(vars[i]);
		const char *want = E.entry[i] ? E.entry[i] + strlen(vars[i]) + 1 : NULL;

		if (want && (!cur || strcmp(cur, want) != 0))
			setenv(vars[i], want, 1);
		else if (!want && cur)
			unsetenv(vars[i]);
	}
	for (char **e = environ; e && *e; e++) {
		if (is_var(*e, PRELOAD, PRELOAD_LEN) && (*e)[PRELOAD_LEN] == '=') {
			last = *e + PRELOAD_LEN + 1;
			count++;
		}
	}
	if (count == 1 && names_self(last)) {
		errno = saved;
		return;
	}
	/* Two entries: getenv and setenv see the first, the loader the
	 * last; leave one. The new value is built before unsetenv. */
	if (!last)
		val = strdup(E.preload);
	else if (names_self(last))
		val = strdup(last - PRELOAD_LEN - 1);
	else if ((val = malloc(preload_size(last))))
		preload_join(val, last);
	if (val) {
		unsetenv(PRELOAD);
		setenv(PRELOAD, val + PRELOAD_LEN + 1, 1);
		free(val);
	}
	errno = saved;
}

SHIM_EXPORT int clearenv(void)
{
	int (*fn)(void) = REAL(clearenv);

	shim_init();
	if (fn)
		fn();
	else
		environ = NULL;
	env_sync();
	return 0;
}

SHIM_EXPORT int system(const char *command)
{
	int (*fn)(const char *) = REAL(system);

	shim_init();
	env_sync();
	if (!fn) {
		errno = ENOSYS;
		return -1;
	}
	return fn(command);
}

SHIM_EXPORT FILE *popen(const char *command, const char *mode)
{
	FILE *(*fn)(const char *, const char *) = REAL(popen);

	shim_init();
	env_sync();
	if (!fn) {
		errno = ENOSYS;
		return NULL;
	}
	return fn(command, mode);
}
