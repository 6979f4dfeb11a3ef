/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * tests/exec-probe: call the exec and spawn entry points that
 * libbeneath-preload.so interposes, directly, for tests/test-exec.sh.
 *
 * usage: exec-probe OP ARG...
 *
 *   report ARG...              print "REPORT exe=EXE args=[ARG]..." (what
 *                              an exec'd copy of the probe runs)
 *   ENTRY PATH ARG...          run PATH with argv { PATH, ARG... } through
 *                              ENTRY: execve execv execvp execvpe execl
 *                              execle execlp execveat fexecve posix_spawn
 *                              posix_spawnp, or
 *                              execveat-dir DIR NAME: execveat(dirfd, NAME)
 *                              execveat-nofollow: AT_SYMLINK_NOFOLLOW
 *                              execveat-empty: open(O_PATH), AT_EMPTY_PATH
 *   empty ENTRY PATH ARG...    the same with an empty environment ({NULL})
 *   env ENTRY VAR=VAL... -- PATH ARG...   with exactly that environment
 *   nopath ENTRY PATH ARG...   the same after unsetenv("PATH")
 *   clearenv PATH ARG...       clearenv(), then execv
 *   unset PATH ARG...          unsetenv LD_PRELOAD and BENEATH_*, then execv
 *   vfork PATH ARG...          vfork, execve with an empty environment
 *   vfork2 PATH ARG...         that twice in a row, waiting for each
 *   daemon PATH ARG...         fork, setsid, fork, execve with an empty
 *                              environment from the grandchild
 *   system CMD | popen CMD     unsetenv LD_PRELOAD and BENEATH_*, then that
 *   clearenv-system CMD        clearenv(), then system
 *   addopen FILE PATH ARG...   posix_spawn PATH with FILE opened on stdin
 *                              by posix_spawn_file_actions_addopen
 *   addchdir DIR PATH ARG...   ... in DIR (posix_spawn_file_actions_addchdir_np)
 *
 * An exec that fails prints "ENTRY PATH ERRNAME"; a spawn prints
 * "ENTRY PATH ok status=N" once the child is done, or the error. Built
 * plain, fortified and fortified with 64-bit off_t by Makefile.am (the
 * exec names are the same in every build; the open behind fexecve is
 * not).
 */
#include <errno.h>
#include <fcntl.h>
#include <spawn.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

extern char **environ;

static const char *const errnames[] = {
	[EACCES] = "EACCES", [ENOENT] = "ENOENT", [ENOEXEC] = "ENOEXEC", [ELOOP] = "ELOOP",
	[EPERM] = "EPERM", [ENOTDIR] = "ENOTDIR", [EBADF] = "EBADF", [EINVAL] = "EINVAL",
	[EROFS] = "EROFS", [ENAMETOOLONG] = "ENAMETOOLONG", [E2BIG] = "E2BIG",
	[ENOMEM] = "ENOMEM", [EXDEV] = "EXDEV", [ENOSYS] = "ENOSYS", [EISDIR] = "EISDIR",
};

static const char *ename(int e)
{
	static char buf[16];

	if (e >= 0 && e < (int)(sizeof(errnames) / sizeof(errnames[0])) && errnames[e])
		return errnames[e];
	snprintf(buf, sizeof(buf), "E%d", e);
	return buf;
}

static void say(const char *entry, const char *path, const char *res)
{
	printf("%s %s %s\n", entry, path, res);
	fflush(stdout);
}

static char *empty_env[] = { NULL };

/* The environment ENTRY passes: ENVP for the forms that take one. */
static char **envp_for;

static int wait_status(pid_t pid)
{
	int st;

	while (waitpid(pid, &st, 0) < 0)
		if (errno != EINTR)
			return -1;
	return WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
}

static void spawned(const char *entry, const char *path, int e, pid_t pid)
{
	char res[32];

	if (e) {
		say(entry, path, ename(e));
		return;
	}
	snprintf(res, sizeof(res), "ok status=%d", wait_status(pid));
	say(entry, path, res);
}

/* argv is { PATH, ARG... }; returns only when the exec failed, or after
 * a spawn. */
static int run(const char *entry, char **argv, const posix_spawn_file_actions_t *fa)
{
	const char *path = argv[0];
	char **envp = envp_for ? envp_for : environ;
	int argc = 0, fd, e = 0;
	pid_t pid = 0;

	while (argv[argc])
		argc++;
	if (!strcmp(entry, "execve")) {
		execve(path, argv, envp);
	} else if (!strcmp(entry, "execv")) {
		execv(path, argv);
	} else if (!strcmp(entry, "execvp")) {
		execvp(path, argv);
	} else if (!strcmp(entry, "execvpe")) {
		execvpe(path, argv, envp);
	} else if (!strcmp(entry, "execveat")) {
		execveat(AT_FDCWD, path, argv, envp, 0);
	} else if (!strcmp(entry, "execveat-nofollow")) {
		execveat(AT_FDCWD, path, argv, envp, AT_SYMLINK_NOFOLLOW);
	} else if (!strcmp(entry, "execveat-empty") || !strcmp(entry, "fexecve")) {
		/* Not close-on-exec: a script's interpreter reads it there. */
		fd = open(path, O_PATH);
		if (fd >= 0) {
			if (entry[0] == 'f')
				fexecve(fd, argv, envp);
			else
				execveat(fd, "", argv, envp, AT_EMPTY_PATH);
		}
	} else if (!strcmp(entry, "execveat-dir")) {
		/* argv[0] is DIR, argv[1] NAME: the program sees NAME first. */
		fd = open(path, O_PATH | O_DIRECTORY);
		if (fd >= 0) {
			execveat(fd, argv[1], argv + 1, envp, 0);
		}
		path = argv[1];
	} else if (!strncmp(entry, "execl", 5)) {
		char *a[7] = { NULL };

		if (argc > 7) {
			fprintf(stderr, "exec-probe: at most 6 arguments for %s\n", entry);
			exit(2);
		}
		memcpy(a, argv, (size_t)argc * sizeof(char *));
		if (!strcmp(entry, "execl"))
			execl(path, a[0], a[1], a[2], a[3], a[4], a[5], a[6], (char *)NULL);
		else if (!strcmp(entry, "execlp"))
			execlp(path, a[0], a[1], a[2], a[3], a[4], a[5], a[6], (char *)NULL);
		else
			execle(path, a[0], a[1], a[2], a[3], a[4], a[5], a[6], (char *)NULL, envp);
	} else if (!strcmp(entry, "posix_spawn")) {
		e = posix_spawn(&pid, path, fa, NULL, argv, envp);
		spawned(entry, path, e, pid);
		return e;
	} else if (!strcmp(entry, "posix_spawnp")) {
		e = posix_spawnp(&pid, path, fa, NULL, argv, envp);
		spawned(entry, path, e, pid);
		return e;
	} else {
		fprintf(stderr, "exec-probe: unknown entry point %s\n", entry);
		exit(2);
	}
	e = errno;
	say(entry, path, ename(e));
	return e;
}

static const char *const ours[] = {
	"LD_PRELOAD", "BENEATH_ROOTS", "BENEATH_MODE", "BENEATH_OUTSIDE",
	"BENEATH_ERRNO", "BENEATH_LOG", "BENEATH_RESOLVER",
};

static void unset_ours(void)
{
	for (size_t i = 0; i < sizeof(ours) / sizeof(ours[0]); i++)
		unsetenv(ours[i]);
}

static void need(int argc, int n)
{
	if (argc < n) {
		fprintf(stderr, "exec-probe: missing arguments\n");
		exit(2);
	}
}

int main(int argc, char **argv)
{
	const char *op;
	pid_t pid;

	need(argc, 2);
	op = argv[1];
	if (!strcmp(op, "report")) {
		char exe[4096];
		ssize_t n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);

		exe[n > 0 ? n : 0] = '\0';
		printf("REPORT exe=%s args=", exe);
		for (int i = 2; i < argc; i++)
			printf("[%s]", argv[i]);
		printf("\n");
		return 0;
	}
	if (!strcmp(op, "empty")) {
		need(argc, 4);
		envp_for = empty_env;
		run(argv[2], argv + 3, NULL);
		return 0;
	}
	if (!strcmp(op, "env")) {
		int i = 3;

		need(argc, 5);
		while (i < argc && strcmp(argv[i], "--"))
			i++;
		need(argc, i + 2);
		argv[i] = NULL;
		envp_for = argv + 3;
		run(argv[2], argv + i + 1, NULL);
		return 0;
	}
	if (!strcmp(op, "nopath")) {
		need(argc, 4);
		unsetenv("PATH");
		run(argv[2], argv + 3, NULL);
		return 0;
	}
	if (!strcmp(op, "clearenv")) {
		need(argc, 3);
		clearenv();
		run("execv", argv + 2, NULL);
		return 0;
	}
	if (!strcmp(op, "unset")) {
		need(argc, 3);
		unset_ours();
		run("execv", argv + 2, NULL);
		return 0;
	}
	if (!strcmp(op, "vfork") || !strcmp(op, "vfork2")) {
		need(argc, 3);
		for (int round = 0; round < (op[5] ? 2 : 1); round++) {
			pid = vfork();
			if (pid == 0) {
				execve(argv[2], argv + 2, empty_env);
				_exit(errno == EACCES ? 13 : errno == EBADF ? 9 : 127);
			}
			spawned(op, argv[2], pid < 0 ? errno : 0, pid);
		}
		return 0;
	}
	if (!strcmp(op, "daemon")) {
		need(argc, 3);
		pid = fork();
		if (pid == 0) {
			setsid();
			if (fork() == 0) {
				execve(argv[2], argv + 2, empty_env);
				say("daemon", argv[2], ename(errno));
				_exit(127);
			}
			_exit(0);
		}
		/* The grandchild keeps stdout open: whoever reads it waits. */
		spawned(op, argv[2], pid < 0 ? errno : 0, pid);
		return 0;
	}
	if (!strcmp(op, "system") || !strcmp(op, "clearenv-system")) {
		need(argc, 3);
		if (op[0] == 'c')
			clearenv();
		else
			unset_ours();
		printf("%s status=%d\n", op, WEXITSTATUS(system(argv[2])));
		return 0;
	}
	if (!strcmp(op, "popen")) {
		char line[512];
		FILE *f;

		need(argc, 3);
		unset_ours();
		f = popen(argv[2], "r");
		if (!f) {
			say(op, argv[2], ename(errno));
			return 0;
		}
		while (fgets(line, sizeof(line), f))
			fputs(line, stdout);
		printf("popen status=%d\n", WEXITSTATUS(pclose(f)));
		return 0;
	}
	if (!strcmp(op, "addopen") || !strcmp(op, "addchdir")) {
		posix_spawn_file_actions_t fa;
		int e;

		need(argc, 4);
		posix_spawn_file_actions_init(&fa);
		if (op[3] == 'o')
			e = posix_spawn_file_actions_addopen(&fa, 0, argv[2], O_RDONLY, 0);
		else
			e = posix_spawn_file_actions_addchdir_np(&fa, argv[2]);
		if (e) {
			say(op[3] == 'o' ? "posix_spawn_file_actions_addopen" :
			                   "posix_spawn_file_actions_addchdir_np", argv[2], ename(e));
			return 0;
		}
		run("posix_spawn", argv + 3, &fa);
		posix_spawn_file_actions_destroy(&fa);
		return 0;
	}
	need(argc, 3);
	run(op, argv + 2, NULL);
	return 0;
}
