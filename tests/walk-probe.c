/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * walk-probe: calls glibc's directory walkers directly and prints one line
 * per visited entry, for tests/test-walk.sh to compare with and without
 * the preload shim. Built plain, fortified, and fortified with 64-bit
 * off_t (where the headers turn every call into its *64 name).
 *
 *   walk-probe nftw PATH [phys|mount|chdir|depth|actionretval|
 *                         skipsub=NAME|skipsib=NAME|stop=NAME|ret=N@NAME]...
 *   walk-probe ftw PATH [stop=NAME]
 *   walk-probe fts [physical|logical|comfollow|nochdir|nostat|seedot|xdev|
 *                   compar|children|nameonly|initchildren|skip=NAME|
 *                   follow=NAME|again=NAME]... -- PATH...
 *   walk-probe glob [mark|onlydir|nocheck|brace|period|err|nosort|nomagic|
 *                    noescape|append|dooffs|errfunc]... -- PATTERN...
 *   walk-probe scandir [filter] [sort] PATH
 *   walk-probe scandirat DIR|. NAME [filter] [sort]
 *
 * Paths are printed last on a line, so that names with spaces survive.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <fts.h>
#include <ftw.h>
#include <glob.h>
#include <limits.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static const char *errname(int e)
{
	const char *n = e ? strerrorname_np(e) : "0";

	return n ? n : "E?";
}

static char mode_letter(mode_t m)
{
	switch (m & S_IFMT) {
	case S_IFREG: return 'f';
	case S_IFDIR: return 'd';
	case S_IFLNK: return 'l';
	default: return 'o';
	}
}

static const char *base_of(const char *p)
{
	const char *s = strrchr(p, '/');

	return s && s[1] ? s + 1 : p;
}

/* ------------------------------------------------------------------ */
/* nftw, ftw                                                           */
/* ------------------------------------------------------------------ */

static const char *skipsub, *skipsib, *stopat, *retname;
static int retval, nftw_flags;

static const char *ftw_type(int t)
{
	switch (t) {
	case FTW_F: return "F";
	case FTW_D: return "D";
	case FTW_DNR: return "DNR";
	case FTW_NS: return "NS";
	case FTW_SL: return "SL";
	case FTW_DP: return "DP";
	case FTW_SLN: return "SLN";
	default: return "?";
	}
}

static int action(const char *path)
{
	const char *b = base_of(path);

	if (stopat && !strcmp(b, stopat))
		return (nftw_flags & FTW_ACTIONRETVAL) ? FTW_STOP : 7;
	if (skipsub && !strcmp(b, skipsub))
		return FTW_SKIP_SUBTREE;
	if (skipsib && !strcmp(b, skipsib))
		return FTW_SKIP_SIBLINGS;
	if (retname && !strcmp(b, retname))
		return retval;
	return 0;
}

static int nftw_cb(const char *path, const struct stat *st, int type, struct FTW *f)
{
	char cwd[PATH_MAX] = "";

	printf("nftw %s level=%d base=%d mode=%c", ftw_type(type), f->level, f->base,
	       type == FTW_NS ? '-' : mode_letter(st->st_mode));
	/* The base must point at the last name of the path. */
	if (f->base < 0 || (size_t)f->base > strlen(path))
		printf(" BADBASE");
	if (nftw_flags & FTW_CHDIR) {
		if (!getcwd(cwd, sizeof(cwd)))
			strcpy(cwd, "?");
		printf(" cwd=%s", cwd);
		/* The object must be reachable by its name from here, except
		 * in FTW_DP, where glibc is still in the directory itself. */
		if (type != FTW_DP && type != FTW_NS) {
			struct stat s2;
			const char *n = path + f->base;

			printf(" rel=%s", lstat(*n ? n : ".", &s2) == 0 ? "ok" : "err");
		}
	}
	printf(" %s\n", path);
	return action(path);
}

static int ftw_cb(const char *path, const struct stat *st, int type)
{
	printf("ftw %s mode=%c %s\n", ftw_type(type), type == FTW_NS ? '-' : mode_letter(st->st_mode),
	       path);
	return action(path);
}

static int opt_arg(const char *a, const char *key, const char **val)
{
	size_t n = strlen(key);

	if (strncmp(a, key, n) || a[n] != '=')
		return 0;
	*val = a + n + 1;
	return 1;
}

static int do_nftw(int argc, char **argv, int is_ftw)
{
	int r, e;

	if (argc < 1)
		return 2;
	for (int i = 1; i < argc; i++) {
		const char *a = argv[i], *v;

		if (!strcmp(a, "phys"))
			nftw_flags |= FTW_PHYS;
		else if (!strcmp(a, "mount"))
			nftw_flags |= FTW_MOUNT;
		else if (!strcmp(a, "chdir"))
			nftw_flags |= FTW_CHDIR;
		else if (!strcmp(a, "depth"))
			nftw_flags |= FTW_DEPTH;
		else if (!strcmp(a, "actionretval"))
			nftw_flags |= FTW_ACTIONRETVAL;
		else if (!strcmp(a, "badflag"))
			nftw_flags |= 0x1000;
		else if (opt_arg(a, "skipsub", &skipsub) || opt_arg(a, "skipsib", &skipsib) ||
		         opt_arg(a, "stop", &stopat))
			;
		else if (opt_arg(a, "ret", &v)) {
			retval = atoi(v);
			retname = strchr(v, '@') ? strchr(v, '@') + 1 : "";
		} else {
			fprintf(stderr, "walk-probe: unknown nftw option %s\n", a);
			return 2;
		}
	}
	errno = 0;
	r = is_ftw ? ftw(argv[0], ftw_cb, 4) : nftw(argv[0], nftw_cb, 4, nftw_flags);
	e = errno;
	printf("%s ret=%d errno=%s\n", is_ftw ? "ftw" : "nftw", r, r == -1 ? errname(e) : "-");
	return 0;
}

/* ------------------------------------------------------------------ */
/* fts                                                                 */
/* ------------------------------------------------------------------ */

static const char *fts_info(int i)
{
	static const char *const n[] = {
		[FTS_D] = "D", [FTS_DC] = "DC", [FTS_DEFAULT] = "DEFAULT", [FTS_DNR] = "DNR",
		[FTS_DOT] = "DOT", [FTS_DP] = "DP", [FTS_ERR] = "ERR", [FTS_F] = "F",
		[FTS_INIT] = "INIT", [FTS_NS] = "NS", [FTS_NSOK] = "NSOK", [FTS_SL] = "SL",
		[FTS_SLNONE] = "SLNONE", [FTS_W] = "W",
	};

	return i >= 0 && i < (int)(sizeof(n) / sizeof(n[0])) && n[i] ? n[i] : "?";
}

static int by_name(const FTSENT **a, const FTSENT **b)
{
	return strcmp((*a)->fts_name, (*b)->fts_name);
}

static void print_list(const char *what, FTSENT *p)
{
	int n = 0;

	for (FTSENT *q = p; q; q = q->fts_link)
		n++;
	printf("%s n=%d errno=%s", what, n, errname(p ? 0 : errno));
	for (; p; p = p->fts_link)
		printf(" %s:%s", p->fts_name, fts_info(p->fts_info));
	printf("\n");
}

static int do_fts(int argc, char **argv)
{
	const char *skip = NULL, *follow = NULL, *again = NULL;
	int opts = 0, i, children = 0, nameonly = 0, initchildren = 0, compar = 0;
	int again_done = 0, follow_done = 0;
	FTSENT *p;
	FTS *fts;

	for (i = 0; i < argc && strcmp(argv[i], "--"); i++) {
		const char *a = argv[i];

		if (!strcmp(a, "physical"))
			opts |= FTS_PHYSICAL;
		else if (!strcmp(a, "logical"))
			opts |= FTS_LOGICAL;
		else if (!strcmp(a, "comfollow"))
			opts |= FTS_COMFOLLOW;
		else if (!strcmp(a, "nochdir"))
			opts |= FTS_NOCHDIR;
		else if (!strcmp(a, "nostat"))
			opts |= FTS_NOSTAT;
		else if (!strcmp(a, "seedot"))
			opts |= FTS_SEEDOT;
		else if (!strcmp(a, "xdev"))
			opts |= FTS_XDEV;
		else if (!strcmp(a, "badopt"))
			opts |= 0x1000;
		else if (!strcmp(a, "compar"))
			compar = 1;
		else if (!strcmp(a, "children"))
			children = 1;
		else if (!strcmp(a, "nameonly"))
			nameonly = 1;
		else if (!strcmp(a, "initchildren"))
			initchildren = 1;
		else if (opt_arg(a, "skip", &skip) || opt_arg(a, "follow", &follow) ||
		         opt_arg(a, "again", &again))
			;
		else {
			fprintf(stderr, "walk-probe: unknown fts option %s\n", a);
			return 2;
		}
	}
	if (i == argc)
		return 2;
	fts = fts_open(argv + i + 1, opts, compar ? by_name : NULL);
	if (!fts) {
		printf("fts_open NULL errno=%s\n", errname(errno));
		return 0;
	}
	if (initchildren)
		print_list("fts-initchildren", fts_children(fts, 0));
	while ((p = fts_read(fts)) != NULL) {
		struct stat s2;
		int nost = p->fts_info == FTS_NS || p->fts_info == FTS_NSOK || (opts & FTS_NOSTAT);

		printf("fts %s level=%d errno=%s name=%s namelen=%d pathlen=%d mode=%c acc=%s",
		       fts_info(p->fts_info), p->fts_level, errname(p->fts_errno), p->fts_name,
		       p->fts_namelen, p->fts_pathlen,
		       nost ? '-' : mode_letter(p->fts_statp->st_mode),
		       lstat(p->fts_accpath, &s2) == 0 ? "ok" : "err");
		if (strlen(p->fts_path) != p->fts_pathlen || strlen(p->fts_name) != p->fts_namelen)
			printf(" BADLEN");
		if (p->fts_parent == NULL)
			printf(" NOPARENT");
		/* Without chdir glibc's fts_accpath is the path; with it, the
		 * name, which only that run can print. */
		if (opts & (FTS_NOCHDIR | FTS_LOGICAL))
			printf(" accpath=%s", p->fts_accpath);
		if (p->fts_info == FTS_DC)
			printf(" cycle=%s", p->fts_cycle ? p->fts_cycle->fts_name : "NULL");
		printf(" %s\n", p->fts_path);

		if (p->fts_info == FTS_D && children)
			print_list("fts-children", fts_children(fts, 0));
		if (p->fts_info == FTS_D && nameonly)
			print_list("fts-nameonly", fts_children(fts, FTS_NAMEONLY));
		if (p->fts_info == FTS_D && skip && !strcmp(p->fts_name, skip))
			fts_set(fts, p, FTS_SKIP);
		if ((p->fts_info == FTS_SL || p->fts_info == FTS_SLNONE) && follow &&
		    !strcmp(p->fts_name, follow) && !follow_done++)
			fts_set(fts, p, FTS_FOLLOW);
		if (again && !strcmp(p->fts_name, again) && !again_done++)
			fts_set(fts, p, FTS_AGAIN);
	}
	printf("fts end errno=%s\n", errname(errno));
	if (fts_set(fts, NULL, 99) != 1 || errno != EINVAL)
		printf("fts_set accepted a bad instruction\n");
	printf("fts_close %d\n", fts_close(fts));
	return 0;
}

/* ------------------------------------------------------------------ */
/* glob                                                                */
/* ------------------------------------------------------------------ */

static int glob_err(const char *path, int e)
{
	printf("glob-err errno=%s %s\n", errname(e), path);
	return 0;
}

static int do_glob(int argc, char **argv)
{
	int flags = 0, i, r, use_errfunc = 0;
	void *sentinel = (void *)&do_glob;
	glob_t g;

	for (i = 0; i < argc && strcmp(argv[i], "--"); i++) {
		static const struct { const char *n; int f; } fl[] = {
			{ "mark", GLOB_MARK }, { "onlydir", GLOB_ONLYDIR },
			{ "nocheck", GLOB_NOCHECK }, { "brace", GLOB_BRACE },
			{ "period", GLOB_PERIOD }, { "err", GLOB_ERR },
			{ "nosort", GLOB_NOSORT }, { "nomagic", GLOB_NOMAGIC },
			{ "noescape", GLOB_NOESCAPE }, { "append", GLOB_APPEND },
			{ "dooffs", GLOB_DOOFFS },
		};
		size_t k;

		if (!strcmp(argv[i], "errfunc")) {
			use_errfunc = 1;
			continue;
		}
		for (k = 0; k < sizeof(fl) / sizeof(fl[0]); k++)
			if (!strcmp(argv[i], fl[k].n))
				break;
		if (k == sizeof(fl) / sizeof(fl[0])) {
			fprintf(stderr, "walk-probe: unknown glob flag %s\n", argv[i]);
			return 2;
		}
		flags |= fl[k].f;
	}
	if (i == argc)
		return 2;
	memset(&g, 0, sizeof(g));
	g.gl_offs = 2;
	/* Not ours to set: the shim must give them back as they were. */
	g.gl_opendir = sentinel;
	g.gl_readdir = sentinel;
	g.gl_closedir = sentinel;
	g.gl_stat = sentinel;
	g.gl_lstat = sentinel;
	for (int n = 0; ++i < argc; n++) {
		/* GLOB_APPEND only from the second pattern on. */
		int f = n ? flags : flags & ~GLOB_APPEND;

		r = glob(argv[i], f, use_errfunc ? glob_err : NULL, &g);
		printf("glob ret=%d pathc=%zu flags=%#x %s\n", r, g.gl_pathc, (unsigned)g.gl_flags,
		       argv[i]);
		if (g.gl_opendir != sentinel || g.gl_readdir != sentinel ||
		    g.gl_closedir != sentinel || g.gl_stat != sentinel || g.gl_lstat != sentinel)
			printf("glob CHANGED gl_* callbacks\n");
		if (!(flags & GLOB_APPEND) && r == 0) {
			for (size_t k = 0; k < g.gl_pathc + ((flags & GLOB_DOOFFS) ? g.gl_offs : 0); k++)
				printf("glob-path %s\n", g.gl_pathv[k] ? g.gl_pathv[k] : "(null)");
			globfree(&g);
			g.gl_pathc = 0;
			g.gl_pathv = NULL;
		}
	}
	if (flags & GLOB_APPEND) {
		for (size_t k = 0; k < g.gl_pathc; k++)
			printf("glob-path %s\n", g.gl_pathv[k]);
		globfree(&g);
	}
	return 0;
}

/* ------------------------------------------------------------------ */
/* scandir                                                             */
/* ------------------------------------------------------------------ */

/* Errno set on success must not make scandir fail. */
static int no_dots(const struct dirent *d)
{
	errno = EINVAL;
	return strcmp(d->d_name, ".") && strcmp(d->d_name, "..") && !strstr(d->d_name, "skip");
}

static void print_scan(const char *what, int n, struct dirent **list, int e)
{
	printf("%s ret=%d errno=%s\n", what, n, n < 0 ? errname(e) : "-");
	for (int i = 0; i < n; i++) {
		/* glibc copies d_reclen bytes: the name must be whole. */
		if (list[i]->d_reclen < offsetof(struct dirent, d_name) + strlen(list[i]->d_name) + 1)
			printf("%s-entry SHORT\n", what);
		printf("%s-entry type=%d %s\n", what, list[i]->d_type, list[i]->d_name);
		free(list[i]);
	}
	if (n >= 0)
		free(list);
}

static int do_scandir(int argc, char **argv, int at)
{
	int filter = 0, sort = 0, n, e, fd = AT_FDCWD;
	struct dirent **list = NULL;
	const char *path;

	if (argc < 1 + at)
		return 2;
	for (int i = 1 + at; i < argc; i++) {
		if (!strcmp(argv[i], "filter"))
			filter = 1;
		else if (!strcmp(argv[i], "sort"))
			sort = 1;
		else
			return 2;
	}
	if (at && strcmp(argv[0], ".")) {
		fd = open(argv[0], O_RDONLY | O_DIRECTORY | O_CLOEXEC);
		if (fd < 0) {
			printf("scandirat open %s errno=%s\n", argv[0], errname(errno));
			return 0;
		}
	}
	path = argv[at];
	errno = 0;
	if (at)
		n = scandirat(fd, path, &list, filter ? no_dots : NULL, sort ? alphasort : NULL);
	else
		n = scandir(path, &list, filter ? no_dots : NULL, sort ? alphasort : NULL);
	e = errno;
	print_scan(at ? "scandirat" : "scandir", n, list, e);
	if (n >= 0 && e != 0)
		printf("errno changed by a successful call: %s\n", errname(e));
	if (fd >= 0)
		close(fd);
	return 0;
}

int main(int argc, char **argv)
{
	int r = 2;

	setvbuf(stdout, NULL, _IOLBF, 0);
	if (argc >= 3) {
		const char *cmd = argv[1];

		if (!strcmp(cmd, "nftw"))
			r = do_nftw(argc - 2, argv + 2, 0);
		else if (!strcmp(cmd, "ftw"))
			r = do_nftw(argc - 2, argv + 2, 1);
		else if (!strcmp(cmd, "fts"))
			r = do_fts(argc - 2, argv + 2);
		else if (!strcmp(cmd, "glob"))
			r = do_glob(argc - 2, argv + 2);
		else if (!strcmp(cmd, "scandir"))
			r = do_scandir(argc - 2, argv + 2, 0);
		else if (!strcmp(cmd, "scandirat"))
			r = do_scandir(argc - 2, argv + 2, 1);
	}
	if (r == 2)
		fprintf(stderr, "usage: see tests/walk-probe.c\n");
	return r;
}
