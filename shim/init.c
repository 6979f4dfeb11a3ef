/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Reading the configuration, once, before main(). A constructor does it;
 * a wrapper called earlier (from another library's constructor) does it
 * first. Anything wrong ends the process with status 127: a program must
 * never run unconfined because its configuration was bad.
 */
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "shim.h"

struct shim_state shim = { .log_fd = -1 };
_Atomic int shim_ready;
static _Atomic long init_tid;

static void put(const char *s)
{
	bsys_call3(SYS_write, 2, (long)s, (long)strlen(s));
}

static __attribute__((noreturn)) void die(const char *msg)
{
	put("beneath: ");
	put(msg);
	put("\n");
	bsys_call1(SYS_exit_group, 127);
	__builtin_unreachable();
}

static void open_log(void)
{
	int fd;

	switch (shim.cfg.log_kind) {
	case SHIM_LOG_NONE:
		return;
	case SHIM_LOG_STDERR:
	case SHIM_LOG_FD:
		/* Keep our own handle: daemons close or redirect fd 2, and a
		 * program may dup2 its own file over fd N. */
		fd = bsys_fcntl(shim.cfg.log_kind == SHIM_LOG_FD ? shim.cfg.log_fd : 2,
		                F_DUPFD_CLOEXEC, 3);
		if (fd < 0 && shim.cfg.log_kind == SHIM_LOG_FD)
			die("BENEATH_LOG: fd is not open");
		break;
	case SHIM_LOG_PATH:
		fd = bsys_openat(AT_FDCWD, shim.cfg.log_path,
		                 O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC | O_NOCTTY, 0600);
		if (fd < 0)
			die("BENEATH_LOG: cannot open the log file");
		break;
	default:
		return;
	}
	shim.log_fd = fd >= 0 ? shim_own_high(fd) : fd;
}

/* A process that starts inside a root stays confined to it. */
static void mark_cwd(void)
{
	char buf[PATH_MAX];
	const struct shim_root_cfg *rc;
	const char *rest;
	size_t clen;
	struct stat st;
	long n = bsys_call2(SYS_getcwd, (long)buf, sizeof(buf));
	int len;

	if (n <= 1 || buf[0] != '/')
		return;
	len = shim_normalize(buf, buf, sizeof(buf));
	if (len < 0 || bsys_fstatat(AT_FDCWD, "", &st, AT_EMPTY_PATH) < 0)
		return;
	rc = shim_match(buf, (size_t)len, &rest, &clen);
	if (rc)
		shim_cwd_set((int)(rc - shim.cfg.roots), &st);
}

static void atfork_prepare(void)
{
	shim_roots_atfork_prepare();
}

static void atfork_parent(void)
{
	shim_roots_atfork_parent();
}

static void atfork_child(void)
{
	shim_roots_atfork_child();
}

static void do_init(void)
{
	struct shim_env env = shim_env_from_environ();
	size_t size = SHIM_ARENA_SIZE(&env);
	struct shim_arena arena = { .size = size };
	char err[512];
	ssize_t n;

	arena.base = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (arena.base == MAP_FAILED)
		die("out of memory");
	if (shim_config_parse(&env, &shim.cfg, &arena, err, sizeof(err)) < 0)
		die(err);
	if (shim.cfg.resolver == SHIM_RESOLVER_OPENAT2)
		shim.backend = BENEATH_BACKEND_OPENAT2;
	else if (shim.cfg.resolver == SHIM_RESOLVER_WALKER)
		shim.backend = BENEATH_BACKEND_WALKER;
	if (shim_roots_setup(err, sizeof(err)) < 0)
		die(err);
	shim_env_save();
	open_log();
	mark_cwd();
	n = bsys_readlinkat(AT_FDCWD, "/proc/self/exe", shim.exe, sizeof(shim.exe) - 1);
	shim.exe[n > 0 ? n : 0] = '\0';
	pthread_atfork(atfork_prepare, atfork_parent, atfork_child);
}

void shim_init_slow(void)
{
	long me = bsys_call1(SYS_gettid, 0);
	int expected = 0;

	if (atomic_compare_exchange_strong(&shim_ready, &expected, 1)) {
		atomic_store(&init_tid, me);
		do_init();
		atomic_store_explicit(&shim_ready, 2, memory_order_release);
		return;
	}
	/* Our own initialisation calling back into a wrapper: let it pass
	 * (shim_usable() is false). Another thread: wait for us. */
	if (atomic_load(&init_tid) == me)
		return;
	while (atomic_load_explicit(&shim_ready, memory_order_acquire) != 2)
		bsys_call1(SYS_sched_yield, 0);
}

__attribute__((constructor(101))) static void shim_constructor(void)
{
	shim_init();
}
