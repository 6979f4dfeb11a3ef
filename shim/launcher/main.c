/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * beneath [OPTIONS] [--] COMMAND [ARG...]: run COMMAND with
 * libbeneath-preload.so and a BENEATH_* configuration made from the
 * options, wait for it, and (--report, --fail-on-violation) sum up what
 * the whole process tree was refused. The launcher itself is not
 * confined; it exits with COMMAND's status, 128+N when COMMAND was killed
 * by signal N, 2 for its own errors and 3 for --fail-on-violation.
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <limits.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

#include "../config.h"
#include "beneath.h"
#include "launcher.h"
#include "report.h"

#define EXIT_USAGE 2
#define EXIT_VIOLATION 3

static const char usage_text[] =
	"usage: beneath [OPTIONS] [--] COMMAND [ARG...]\n"
	"Run COMMAND with every path under a root resolved beneath that root.\n"
	"\n"
	"  --root PATH[=OPT,...]  a root (repeatable); OPT: ro rw contain beneath in_root\n"
	"                         nosymlinks sameowner fd=N; as in BENEATH_ROOTS\n"
	"  --audit                perform every call, log what would be denied\n"
	"  --deny-outside         refuse every path outside the roots\n"
	"  --errno NAME           errno of a denial (default EACCES)\n"
	"  --log FILE             append one JSON line per denial to FILE\n"
	"                         (or stderr, or fd:N)\n"
	"  --resolver NAME        openat2 or walker (default: openat2 when the kernel has it)\n"
	"  --report FILE          when COMMAND ends, write a JSON report of the denials\n"
	"                         of its whole process tree to FILE, and a summary on stderr\n"
	"  --fail-on-violation    exit 3 if anything was denied (or would have been)\n"
	"  --check-config         check the options and environment, print the\n"
	"                         effective configuration, exit 0 (or 2)\n"
	"  --print-preload        print the path of libbeneath-preload.so and exit\n"
	"  --version              print the version and exit\n"
	"  --help                 print this help and exit\n"
	"\n"
	"Exit status: COMMAND's, 128+N if it was killed by signal N, 2 on a usage or\n"
	"configuration error, 3 with --fail-on-violation when something was denied.\n"
	"See beneath(1).\n";

static __attribute__((noreturn)) void usage_error(const char *what, const char *arg)
{
	fprintf(stderr, "beneath: %s%s\nTry 'beneath --help'.\n", what, arg ? arg : "");
	exit(EXIT_USAGE);
}

static __attribute__((noreturn, format(printf, 1, 2))) void die(const char *fmt, ...)
{
	va_list ap;

	fputs("beneath: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	exit(EXIT_USAGE);
}

/* ------------------------------------------------------------------ */
/* The configuration                                                   */
/* ------------------------------------------------------------------ */

struct opts {
	char *roots;             /* the --root entries, ':'-joined */
	const char *log;
	const char *errno_name;
	const char *resolver;
	const char *report;
	bool audit, deny_outside, fail, check, print_preload;
};

/* S with ':', '=', ',' and '\' escaped, as BENEATH_ROOTS spells a path. */
static char *escape_path(const char *s)
{
	char *out = malloc(2 * strlen(s) + 1), *o = out;

	if (!out)
		die("out of memory");
	for (; *s; s++) {
		if (strchr(":=,\\", *s))
			*o++ = '\\';
		*o++ = *s;
	}
	*o = '\0';
	return out;
}

/* A --root entry, made absolute against the working directory (a root
 * is a trusted directory named by the operator: no symlink is resolved). */
static void add_root(struct opts *o, const char *entry)
{
	char cwd[PATH_MAX], *prefix = NULL, *joined;
	size_t need;

	if (!*entry)
		usage_error("--root needs a path", NULL);
	if (entry[0] != '/') {
		if (!getcwd(cwd, sizeof(cwd)))
			die("--root %s: cannot name the working directory: %s", entry,
			    strerror(errno));
		prefix = escape_path(cwd);
	}
	need = (o->roots ? strlen(o->roots) + 1 : 0) + (prefix ? strlen(prefix) + 1 : 0) +
	       strlen(entry) + 1;
	joined = malloc(need);
	if (!joined)
		die("out of memory");
	snprintf(joined, need, "%s%s%s%s%s", o->roots ? o->roots : "", o->roots ? ":" : "",
	         prefix ? prefix : "", prefix ? "/" : "", entry);
	free(o->roots);
	free(prefix);
	o->roots = joined;
}

/* Is a beneath shim loaded in this very process? */
static bool shim_loaded(void)
{
	FILE *f = fopen("/proc/self/maps", "re");
	char *line = NULL;
	size_t n = 0;
	bool found = false;

	if (!f)
		return false;
	while (!found && getline(&line, &n, f) > 0)
		found = strstr(line, "libbeneath-preload.so") != NULL;
	free(line);
	fclose(f);
	return found;
}

static void set(const char *name, const char *value)
{
	if (setenv(name, value, 1) < 0)
		die("cannot set %s: %s", name, strerror(errno));
}

/* A log FILE as BENEATH_LOG wants it: stderr, fd:N, or an absolute path. */
static char *log_value(const char *log)
{
	char cwd[PATH_MAX], *v;

	if (strcmp(log, "stderr") == 0 || strncmp(log, "fd:", 3) == 0 || log[0] == '/')
		return strdup(log);
	if (!getcwd(cwd, sizeof(cwd)))
		die("--log %s: cannot name the working directory: %s", log, strerror(errno));
	if (asprintf(&v, "%s/%s", cwd, log) < 0)
		die("out of memory");
	return v;
}

/* LD_PRELOAD with PRELOAD added after whatever is there already. */
static void set_preload(const char *preload)
{
	const char *old = getenv("LD_PRELOAD");
	char *v;

	if (old && *old) {
		/* Already there (a nested launcher): keep it as it is. */
		for (const char *p = strstr(old, preload); p; p = strstr(p + 1, preload)) {
			char after = p[strlen(preload)];
			if ((p == old || p[-1] == ':' || p[-1] == ' ') &&
			    (after == '\0' || after == ':' || after == ' '))
				return;
		}
		if (asprintf(&v, "%s:%s", old, preload) < 0)
			die("out of memory");
		set("LD_PRELOAD", v);
		free(v);
		return;
	}
	set("LD_PRELOAD", preload);
}

/* Parse the configuration the child will see, as the shim will; fail
 * here, with a message, rather than in every child with status 127. */
static void check_env(struct shim_config *cfg)
{
	struct shim_env env = shim_env_from_environ();
	static struct shim_arena arena;  /* CFG points into it until exit */
	char err[512];

	arena.size = SHIM_ARENA_SIZE(&env);
	arena.base = malloc(arena.size);
	if (!arena.base)
		die("out of memory");
	if (shim_config_parse(&env, cfg, &arena, err, sizeof(err)) < 0)
		die("%s", err);
	for (size_t i = 0; i < cfg->nroots; i++) {
		const struct shim_root_cfg *r = &cfg->roots[i];
		struct stat st;

		if (r->fd >= 0) {
			if (fcntl(r->fd, F_GETFD) < 0)
				die("root %s: fd %d is not open", r->path, r->fd);
		} else if (r->wildcard_depth < 0) {
			if (stat(r->path, &st) < 0)
				die("root %s: %s", r->path, strerror(errno));
			if (!S_ISDIR(st.st_mode))
				die("root %s: not a directory", r->path);
		}
	}
}

static void print_config(const struct shim_config *cfg, const char *preload)
{
	static const char *const modes[] = {
		[BENEATH_MODE_BENEATH] = "beneath",
		[BENEATH_MODE_IN_ROOT] = "in_root",
		[BENEATH_MODE_CONTAIN] = "contain",
	};

	printf("preload %s\n", preload);
	printf("mode %s\n", cfg->mode == SHIM_AUDIT ? "audit" : "enforce");
	printf("outside %s\n", cfg->deny_outside ? "deny" : "allow");
	printf("errno %s\n", shim_errno_name(cfg->deny_errno));
	switch (cfg->log_kind) {
	case SHIM_LOG_NONE:
		printf("log none\n");
		break;
	case SHIM_LOG_STDERR:
		printf("log stderr\n");
		break;
	case SHIM_LOG_FD:
		printf("log fd:%d\n", cfg->log_fd);
		break;
	case SHIM_LOG_PATH:
		printf("log %s\n", cfg->log_path);
		break;
	}
	printf("resolver %s\n", cfg->resolver == SHIM_RESOLVER_OPENAT2 ? "openat2"
	                        : cfg->resolver == SHIM_RESOLVER_WALKER ? "walker"
	                                                                 : "auto");
	for (size_t i = 0; i < cfg->nroots; i++) {
		const struct shim_root_cfg *r = &cfg->roots[i];
		unsigned int m = r->rflags & BENEATH_MODE_MASK;

		printf("root %s %s %s", r->path, r->ro ? "ro" : "rw",
		       m < 3 ? modes[m] : "?");
		if (r->rflags & BENEATH_NO_SYMLINKS)
			printf(" nosymlinks");
		if (r->sameowner)
			printf(" sameowner");
		if (r->fd >= 0)
			printf(" fd=%d", r->fd);
		putchar('\n');
	}
	if (cfg->nroots == 0)
		printf("(no roots: nothing is confined)\n");
}

/* ------------------------------------------------------------------ */
/* Running COMMAND                                                     */
/* ------------------------------------------------------------------ */

static volatile pid_t child;

/* A signal sent to the launcher (kill, systemd, a CI runner) goes on to
 * COMMAND. One the kernel made for the terminal's process group
 * (Ctrl-C) has reached COMMAND already: not twice. */
static void forward(int sig, siginfo_t *si, void *uc)
{
	(void)uc;
	if (child > 0 && si->si_code <= 0)
		kill(child, sig);
}

static const int forwarded[] = {
	SIGHUP, SIGINT, SIGQUIT, SIGTERM, SIGUSR1, SIGUSR2, SIGWINCH, SIGCONT, SIGALRM,
};

#define NFORWARDED (sizeof(forwarded) / sizeof(forwarded[0]))

static int run(char **argv)
{
	struct sigaction sa = { .sa_sigaction = forward, .sa_flags = SA_SIGINFO | SA_RESTART };
	bool ignored[NFORWARDED];
	sigset_t block, old_mask;
	int status;
	pid_t r;

	/* A signal we were started with ignored (nohup, a background job's
	 * SIGINT) stays ignored, for us and for COMMAND. */
	sigemptyset(&sa.sa_mask);
	for (size_t i = 0; i < NFORWARDED; i++) {
		struct sigaction old;

		ignored[i] = sigaction(forwarded[i], NULL, &old) == 0 && old.sa_handler == SIG_IGN;
		if (!ignored[i])
			sigaction(forwarded[i], &sa, NULL);
	}
	/* Held from before fork until CHILD is set: a signal that came in
	 * between (COMMAND signalling us at once) was lost. */
	sigemptyset(&block);
	for (size_t i = 0; i < NFORWARDED; i++)
		sigaddset(&block, forwarded[i]);
	sigprocmask(SIG_BLOCK, &block, &old_mask);
	child = fork();
	if (child < 0)
		die("fork: %s", strerror(errno));
	if (child == 0) {
		struct sigaction dfl = { .sa_handler = SIG_DFL };

		for (size_t i = 0; i < NFORWARDED; i++)
			if (!ignored[i])
				sigaction(forwarded[i], &dfl, NULL);
		sigprocmask(SIG_SETMASK, &old_mask, NULL);
		execvp(argv[0], argv);
		fprintf(stderr, "beneath: %s: %s\n", argv[0], strerror(errno));
		_exit(errno == ENOENT ? 127 : 126);
	}
	sigprocmask(SIG_SETMASK, &old_mask, NULL);
	do
		r = waitpid(child, &status, 0);
	while (r < 0 && errno == EINTR);
	if (r < 0)
		die("waitpid: %s", strerror(errno));
	return status;
}

static int exit_code(int status)
{
	if (WIFSIGNALED(status))
		return 128 + WTERMSIG(status);
	return WEXITSTATUS(status);
}

/*
 * A private log for --report and --fail-on-violation, when the operator
 * gave none. Processes of the tree that drop privileges (a daemon's
 * workers, su) must still append to it, or the shim in them fails closed:
 * the file is writable by all but readable by us alone, in a directory
 * that others can pass through but not list, under a random name only the
 * process tree knows (from its environment).
 */
static char tmpdir[PATH_MAX];

static char *temp_log(void)
{
	const char *dir = getenv("TMPDIR");
	char *path;
	int fd;

	if (!dir || dir[0] != '/')
		dir = "/tmp";
	if ((size_t)snprintf(tmpdir, sizeof(tmpdir), "%s/beneath.XXXXXX", dir) >= sizeof(tmpdir) ||
	    !mkdtemp(tmpdir))
		die("cannot create a directory in %s: %s", dir, strerror(errno));
	if (chmod(tmpdir, 0711) < 0 || asprintf(&path, "%s/log", tmpdir) < 0)
		die("cannot prepare %s: %s", tmpdir, strerror(errno));
	fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
	if (fd < 0 || fchmod(fd, 0622) < 0)
		die("cannot create %s: %s", path, strerror(errno));
	close(fd);
	return path;
}

static void temp_log_remove(const char *path)
{
	unlink(path);
	rmdir(tmpdir);
}

int main(int argc, char **argv)
{
	enum { O_ROOT = 256, O_AUDIT, O_DENY, O_ERRNO, O_LOG, O_RESOLVER, O_REPORT, O_FAIL,
	       O_CHECK, O_PRINT, O_VERSION, O_HELP };
	static const struct option longopts[] = {
		{ "root", required_argument, NULL, O_ROOT },
		{ "audit", no_argument, NULL, O_AUDIT },
		{ "deny-outside", no_argument, NULL, O_DENY },
		{ "errno", required_argument, NULL, O_ERRNO },
		{ "log", required_argument, NULL, O_LOG },
		{ "resolver", required_argument, NULL, O_RESOLVER },
		{ "report", required_argument, NULL, O_REPORT },
		{ "fail-on-violation", no_argument, NULL, O_FAIL },
		{ "check-config", no_argument, NULL, O_CHECK },
		{ "print-preload", no_argument, NULL, O_PRINT },
		{ "version", no_argument, NULL, O_VERSION },
		{ "help", no_argument, NULL, O_HELP },
		{ NULL, 0, NULL, 0 },
	};
	/* Static: what main keeps until exit stays reachable (LeakSanitizer). */
	static struct opts o;
	static char *log, *tmplog;
	struct shim_config cfg;
	char preload[PATH_MAX];
	off_t start = 0;
	int c, status, code;

	opterr = 0;
	while ((c = getopt_long(argc, argv, "+", longopts, NULL)) != -1) {
		switch (c) {
		case O_ROOT:
			add_root(&o, optarg);
			break;
		case O_AUDIT:
			o.audit = true;
			break;
		case O_DENY:
			o.deny_outside = true;
			break;
		case O_ERRNO:
			o.errno_name = optarg;
			break;
		case O_LOG:
			o.log = optarg;
			break;
		case O_RESOLVER:
			o.resolver = optarg;
			break;
		case O_REPORT:
			o.report = optarg;
			break;
		case O_FAIL:
			o.fail = true;
			break;
		case O_CHECK:
			o.check = true;
			break;
		case O_PRINT:
			o.print_preload = true;
			break;
		case O_VERSION:
			printf("beneath %s\n", PACKAGE_VERSION);
			return 0;
		case O_HELP:
			fputs(usage_text, stdout);
			return 0;
		case '?':
		default:
			usage_error("unknown option, or one without its argument: ",
			            argv[optind - 1]);
		}
	}
	if (locate_preload(preload, sizeof(preload)) < 0)
		die("cannot find libbeneath-preload.so (looked beside %s and in %s)", "this program",
		    LAUNCHER_PKGLIBDIR);
	if (o.print_preload) {
		puts(preload);
		return 0;
	}
	if (!o.check && optind >= argc)
		usage_error("no COMMAND to run", NULL);
	/* Under an outer beneath, the shim in this process hands COMMAND the
	 * outer configuration whatever we set: a program cannot change its
	 * children's confinement, not even this one. Except under an outer
	 * audit, which confines nothing: then COMMAND gets exactly this
	 * configuration (a test suite that runs beneath, audited by a
	 * hardening run), and the outer audit does not see into it. */
	if (shim_loaded() && (o.roots || o.audit || o.deny_outside || o.errno_name ||
	                        o.resolver || o.log)) {
		const char *mode = getenv("BENEATH_MODE");

		if (mode && strcmp(mode, "audit") == 0) {
			static const char *const vars[] = { "BENEATH_ROOTS", "BENEATH_MODE",
				"BENEATH_OUTSIDE", "BENEATH_ERRNO", "BENEATH_LOG", "BENEATH_RESOLVER",
				"BENEATH_AUDIT_FORCED" };

			for (size_t i = 0; i < sizeof(vars) / sizeof(vars[0]); i++)
				unsetenv(vars[i]);
		} else {
			fputs("beneath: warning: already running under beneath: COMMAND keeps the "
			      "outer configuration; these options do not change it\n", stderr);
		}
	}
	if ((o.report || o.fail) && o.log && o.log[0] != '/' && strchr(o.log, '/') == NULL &&
	    (strcmp(o.log, "stderr") == 0 || strncmp(o.log, "fd:", 3) == 0))
		fprintf(stderr, "beneath: warning: --log %s: the records go to a private file for "
		        "the report instead\n", o.log);

	/* The environment COMMAND gets: ours on top of what is there. */
	if (o.roots) {
		const char *old = getenv("BENEATH_ROOTS");
		char *v;

		if (old && *old) {
			if (asprintf(&v, "%s:%s", old, o.roots) < 0)
				die("out of memory");
		} else {
			v = strdup(o.roots);
		}
		set("BENEATH_ROOTS", v);
		free(v);
	}
	if (o.audit)
		set("BENEATH_MODE", "audit");
	if (o.deny_outside)
		set("BENEATH_OUTSIDE", "deny");
	if (o.errno_name)
		set("BENEATH_ERRNO", o.errno_name);
	if (o.resolver)
		set("BENEATH_RESOLVER", o.resolver);
	if (o.log) {
		log = log_value(o.log);
		set("BENEATH_LOG", log);
	} else if (getenv("BENEATH_LOG")) {
		log = strdup(getenv("BENEATH_LOG"));
	}
	if ((o.report || o.fail) && (!log || log[0] != '/')) {
		/* The records must come back to us: a file every process
		 * appends to. A log on stderr or an fd is replaced. */
		tmplog = temp_log();
		free(log);
		log = strdup(tmplog);
		set("BENEATH_LOG", log);
	}
	check_env(&cfg);
	if (o.check) {
		print_config(&cfg, preload);
		return 0;
	}
	if (cfg.nroots == 0)
		fputs("beneath: warning: no roots (--root or BENEATH_ROOTS): nothing is confined\n",
		      stderr);
	set_preload(preload);
	if ((o.report || o.fail) && !tmplog) {
		/* The operator's log: this run's records are those after its
		 * present end. Create it, so that a run nothing was logged in
		 * (a static COMMAND) still has a log to report from. */
		struct stat st;
		int fd = open(log, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC | O_NOCTTY, 0644);

		if (fd < 0 || fstat(fd, &st) < 0)
			die("--log %s: %s", log, strerror(errno));
		start = st.st_size;
		close(fd);
	}

	status = run(argv + optind);
	code = exit_code(status);
	if (o.report || o.fail) {
		struct report_run rr = { .argv = argv + optind, .wait_status = status };
		long n = report_write(log, start, o.report, stderr, &rr);

		if (tmplog)
			temp_log_remove(tmplog);
		if (n < 0) {
			fprintf(stderr, "beneath: cannot %s: %s\n",
			        o.report ? "write the report" : "read the log", strerror((int)-n));
			return EXIT_USAGE;
		}
		if (o.fail && n > 0)
			return EXIT_VIOLATION;
	}
	return code;
}
