/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Unit tests for every public libbeneath call, mode, option and error
 * path. Every test that resolves runs twice, once per backend (the loop
 * index of tcase_add_loop_test picks BENEATH_BACKEND_OPENAT2 or
 * BENEATH_BACKEND_WALKER), builds its own tree under a fresh mkdtemp
 * directory and removes it; the checked fixture also fails any test that
 * leaves a descriptor open.
 *
 * Layout of a test directory:  TOP/root  the root every call resolves in
 *                              TOP/out   "outside": must never change
 *
 * Expected values follow the kernel: where a plain *at(2) call on the same
 * relative path gives the answer, it is computed and compared too, so an
 * expectation here cannot drift from what Linux does.
 *
 * Tests marked "LIBRARY BUG" fail on purpose until the library is fixed;
 * their failure message says what is wrong.
 */
#include "config.h"

#include <sched.h>
#include <sys/mount.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <sys/xattr.h>
#include <time.h>

#include "testutil.h"

#ifndef SYS_openat2
#define SYS_openat2 437
#endif

/* ------------------------------------------------------------------------
 * Fixture
 * ------------------------------------------------------------------------ */

static struct {
	char top[PATH_MAX];
	char rootp[PATH_MAX];      /* TOP/root */
	char outp[PATH_MAX];       /* TOP/out */
	char secretp[PATH_MAX];    /* TOP/out/secret */
	int topfd;
	int rfd;                   /* O_PATH fd of the root */
	int out;
	struct beneath_root root;  /* path set, so it serves every mode */
	struct beneath_root nopath;/* contain mode without a host path */
} F;

/* A second base on another mount (/dev/shm), for EXDEV between roots;
 * empty when there is none. Removed by main() like tu_base. */
static char shm_base[PATH_MAX];

/* Backend of the running loop iteration, and its name for messages. */
static unsigned int B;
static const char *BN;

static void setup(void)
{
	tu_fd_setup();
	umask(022);
	tu_mkdtemp(F.top, NULL);
	tu_fmt(F.rootp, "%s/root", F.top);
	tu_fmt(F.outp, "%s/out", F.top);
	tu_fmt(F.secretp, "%s/secret", F.outp);
	ck_assert_int_eq(mkdir(F.rootp, 0755), 0);
	ck_assert_int_eq(mkdir(F.outp, 0755), 0);
	F.topfd = open(F.top, O_PATH | O_DIRECTORY | O_CLOEXEC);
	F.rfd = open(F.rootp, O_PATH | O_DIRECTORY | O_CLOEXEC);
	F.out = open(F.outp, O_PATH | O_DIRECTORY | O_CLOEXEC);
	ck_assert(F.topfd >= 0 && F.rfd >= 0 && F.out >= 0);
	F.root = (struct beneath_root){ .fd = F.rfd, .path = F.rootp };
	F.nopath = (struct beneath_root){ .fd = F.rfd, .path = NULL };
	tu_build(F.out, "f secret outside-data\n");
}

static void teardown(void)
{
	close(F.topfd);
	close(F.rfd);
	close(F.out);
	tu_rm_rf(F.top);
	tu_fd_teardown();
}

/* A loop test whose body sees B/BN for its backend. */
#define TEST(name)                                                             \
	static void name##_body(void);                                         \
	START_TEST(name)                                                       \
	{                                                                      \
		B = tu_backend(_i);                                            \
		BN = tu_backend_name(B);                                       \
		name##_body();                                                 \
	}                                                                      \
	END_TEST                                                               \
	static void name##_body(void)

#define BEN (BENEATH_MODE_BENEATH | B)
#define INR (BENEATH_MODE_IN_ROOT | B)
#define CON (BENEATH_MODE_CONTAIN | B)

#define EXPECT(call, exp)                                                      \
	do {                                                                   \
		long r_ = (long)(call), e_ = (long)(exp);                      \
		ck_assert_msg(r_ == e_, "[%s] %s = %ld (%s), expected %ld (%s)", \
		              BN, #call, r_, tu_err(r_), e_, tu_err(e_));      \
	} while (0)

#define EXPECT_FD(call)                                                        \
	({                                                                     \
		long r_ = (long)(call);                                        \
		ck_assert_msg(r_ >= 0, "[%s] %s = %ld (%s), expected an fd",   \
		              BN, #call, r_, tu_err(r_));                      \
		(int)r_;                                                       \
	})

/* CALL returns an fd of the object REL names under the root; closed. */
#define EXPECT_OBJ(call, rel)                                                  \
	do {                                                                   \
		int fd_ = EXPECT_FD(call);                                     \
		bool same_ = tu_same(fd_, F.rfd, rel);                         \
		close(fd_);                                                    \
		ck_assert_msg(same_, "[%s] %s: the fd is not root/%s", BN,     \
		              #call, rel);                                     \
	} while (0)

/* The kernel's own answer, as 0 / -errno (fds are closed). */
static long kret(long r)
{
	return r < 0 ? -errno : r;
}

static long kopen(const char *path, int flags)
{
	int fd = openat(F.rfd, path, flags | O_CLOEXEC, 0644);

	if (fd < 0)
		return -errno;
	close(fd);
	return 0;
}

#define EXPECT_KERNEL(kcall, exp)                                              \
	do {                                                                   \
		long k_ = kret((long)(kcall)), e_ = (long)(exp);               \
		ck_assert_msg(k_ == e_, "kernel: %s = %ld (%s), the test expected %s", \
		              #kcall, k_, tu_err(k_), tu_err(e_));             \
	} while (0)

static mode_t mode_of(int dfd, const char *rel)
{
	struct stat st;

	ck_assert_msg(fstatat(dfd, rel, &st, AT_SYMLINK_NOFOLLOW) == 0, "lstat %s: %s",
	              rel, strerror(errno));
	return st.st_mode;
}

static struct stat lstat_of(int dfd, const char *rel)
{
	struct stat st;

	ck_assert_msg(fstatat(dfd, rel, &st, AT_SYMLINK_NOFOLLOW) == 0, "lstat %s: %s",
	              rel, strerror(errno));
	return st;
}

static int count_entries(int dfd)
{
	int fd = openat(dfd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	DIR *d = fd >= 0 ? fdopendir(fd) : NULL;
	struct dirent *e;
	int n = 0;

	ck_assert(d != NULL);
	while ((e = readdir(d)))
		if (strcmp(e->d_name, ".") && strcmp(e->d_name, ".."))
			n++;
	closedir(d);
	return n;
}

/* HEAD UNIT*N TAIL into BUF (of PATH_MAX * 2). */
static char *repeat(char *buf, const char *head, const char *unit, int n, const char *tail)
{
	size_t len = strlen(head);

	memcpy(buf, head, len + 1);
	for (int i = 0; i < n; i++) {
		ck_assert(len + strlen(unit) < PATH_MAX * 2);
		strcpy(buf + len, unit);
		len += strlen(unit);
	}
	ck_assert(len + strlen(tail) < PATH_MAX * 2);
	strcpy(buf + len, tail);
	return buf;
}

/* mkdir a chain of N directories called NAME under DFD/AT. */
static void mkdir_chain(int dfd, const char *name, int n)
{
	int cur = fcntl(dfd, F_DUPFD_CLOEXEC, 0);

	for (int i = 0; i < n; i++) {
		int next;
		ck_assert_msg(mkdirat(cur, name, 0755) == 0 || errno == EEXIST, "mkdir: %s",
		              strerror(errno));
		next = openat(cur, name, O_PATH | O_DIRECTORY | O_CLOEXEC);
		ck_assert(next >= 0);
		close(cur);
		cur = next;
	}
	close(cur);
}

static void outside_intact(void)
{
	char buf[64];

	ck_assert_str_eq(tu_read(F.out, "secret", buf, sizeof(buf)), "outside-data");
	ck_assert_int_eq(count_entries(F.out), 1);
}

/* ------------------------------------------------------------------------
 * API: one test per public call
 * ------------------------------------------------------------------------ */

TEST(open_basic)
{
	char buf[64];
	int fd;

	tu_build(F.rfd, "d a\nf a/f hello\nl lf a/f\nd a/b\n");
	fd = EXPECT_FD(beneath_open(&F.root, "a/f", O_RDONLY, 0, BEN));
	ck_assert_int_eq(read(fd, buf, sizeof(buf)), 5);
	/* every fd handed out is O_CLOEXEC */
	ck_assert(fcntl(fd, F_GETFD) & FD_CLOEXEC);
	ck_assert_int_eq(fcntl(fd, F_GETFL) & O_ACCMODE, O_RDONLY);
	close(fd);
	EXPECT_OBJ(beneath_open(&F.root, "lf", O_RDONLY, 0, BEN), "a/f");
	EXPECT_OBJ(beneath_open(&F.root, "a/b", O_RDONLY | O_DIRECTORY, 0, BEN), "a/b");
	EXPECT_OBJ(beneath_open(&F.root, ".", O_RDONLY | O_DIRECTORY, 0, BEN), ".");
	EXPECT_OBJ(beneath_open(&F.root, "a//b/./", O_PATH, 0, BEN), "a/b");
	EXPECT(beneath_open(&F.root, "a/f", O_RDONLY | O_DIRECTORY, 0, BEN), -ENOTDIR);
	EXPECT(beneath_open(&F.root, "missing", O_RDONLY, 0, BEN), -ENOENT);
	EXPECT(beneath_open(&F.root, "missing/x", O_RDONLY, 0, BEN), -ENOENT);

	/* O_CREAT applies MODE through the umask, as open(2) does */
	EXPECT_OBJ(beneath_open(&F.root, "a/new", O_CREAT | O_WRONLY, 0666, BEN), "a/new");
	ck_assert_int_eq(mode_of(F.rfd, "a/new"), S_IFREG | 0644);
	EXPECT(beneath_open(&F.root, "a/new", O_CREAT | O_EXCL | O_WRONLY, 0644, BEN), -EEXIST);
	EXPECT_OBJ(beneath_open(&F.root, "a/new", O_CREAT | O_WRONLY, 0644, BEN), "a/new");

	fd = EXPECT_FD(beneath_open(&F.root, "a/f", O_WRONLY | O_TRUNC, 0, BEN));
	close(fd);
	ck_assert_str_eq(tu_read(F.rfd, "a/f", buf, sizeof(buf)), "");

	/* O_TMPFILE: an unnamed file in the directory */
	fd = EXPECT_FD(beneath_open(&F.root, "a/b", O_TMPFILE | O_RDWR, 0600, BEN));
	close(fd);
	ck_assert_int_eq(count_entries(F.rfd), 2);
	EXPECT(beneath_open(&F.root, "a/b", O_TMPFILE | O_RDONLY, 0600, BEN), -EINVAL);
	EXPECT(beneath_open(&F.root, "a/b", O_TMPFILE | O_CREAT | O_RDWR, 0600, BEN), -EINVAL);
}
END_TEST

/* BENEATH_CLOEXEC_AS_GIVEN: close-on-exec as FLAGS says, in every mode
 * (contain's absolute link goes through the walker even under openat2). */
TEST(open_cloexec_as_given)
{
	static const unsigned int modes[] = {
		BENEATH_MODE_BENEATH, BENEATH_MODE_IN_ROOT, BENEATH_MODE_CONTAIN,
	};
	char target[PATH_MAX], spec[PATH_MAX + 32];
	int fd;

	tu_fmt(target, "%s/a/f", F.root.path);
	tu_fmt(spec, "d a\nf a/f x\nl abs %s\n", target);
	tu_build(F.rfd, spec);
	for (size_t i = 0; i < sizeof(modes) / sizeof(modes[0]); i++) {
		unsigned int rf = modes[i] | B;

		fd = EXPECT_FD(beneath_open(&F.root, "a/f", O_RDONLY, 0, rf | BENEATH_CLOEXEC_AS_GIVEN));
		ck_assert_int_eq(fcntl(fd, F_GETFD) & FD_CLOEXEC, 0);
		close(fd);
		fd = EXPECT_FD(beneath_open(&F.root, "a/f", O_RDONLY | O_CLOEXEC, 0,
		                            rf | BENEATH_CLOEXEC_AS_GIVEN));
		ck_assert(fcntl(fd, F_GETFD) & FD_CLOEXEC);
		close(fd);
		fd = EXPECT_FD(beneath_open(&F.root, "a/f", O_RDONLY, 0, rf));
		ck_assert(fcntl(fd, F_GETFD) & FD_CLOEXEC);
		close(fd);
	}
	fd = EXPECT_FD(beneath_open(&F.root, "abs", O_RDONLY, 0,
	                            BENEATH_MODE_CONTAIN | B | BENEATH_CLOEXEC_AS_GIVEN));
	ck_assert_int_eq(fcntl(fd, F_GETFD) & FD_CLOEXEC, 0);
	close(fd);
}
END_TEST

TEST(open_flags_like_open2)
{
	/* Garbage that open(2) ignores: flags meaningless next to O_PATH,
	 * unknown bits, and a mode without O_CREAT. */
	const int garbage = O_CREAT | O_EXCL | O_TRUNC | O_RDWR | O_APPEND | 0x40000000;
	char buf[64];
	int fd;

	tu_build(F.rfd, "f f data\nd d\n");
	EXPECT_KERNEL(kopen("f", O_PATH | garbage), 0);
	fd = EXPECT_FD(beneath_open(&F.root, "f", O_PATH | garbage, 0xfffff, BEN));
	ck_assert(fcntl(fd, F_GETFL) & O_PATH);
	ck_assert(tu_same(fd, F.rfd, "f"));
	close(fd);
	ck_assert_str_eq(tu_read(F.rfd, "f", buf, sizeof(buf)), "data");
	/* O_CREAT is among the ignored flags: nothing is created */
	EXPECT_KERNEL(kopen("kmissing", O_PATH | garbage), -ENOENT);
	EXPECT(beneath_open(&F.root, "missing", O_PATH | garbage, 0777, BEN), -ENOENT);
	ck_assert(!tu_exists(F.rfd, "missing"));

	EXPECT_OBJ(beneath_open(&F.root, "f", O_RDONLY, 0xfffff, BEN), "f");
	EXPECT_OBJ(beneath_open(&F.root, "f", O_RDONLY | 0x40000000, 0, BEN), "f");
	EXPECT_OBJ(beneath_open(&F.root, "d", O_PATH | O_DIRECTORY | O_CREAT, 0777, BEN), "d");

	/* O_CREAT|O_DIRECTORY: EINVAL since Linux 6.4, before any lookup */
	EXPECT_KERNEL(kopen("d", O_CREAT | O_DIRECTORY | O_RDONLY), -EINVAL);
	EXPECT(beneath_open(&F.root, "d", O_CREAT | O_DIRECTORY | O_RDONLY, 0644, BEN), -EINVAL);
	EXPECT(beneath_open(&F.root, "newx", O_CREAT | O_DIRECTORY | O_RDWR, 0644, BEN), -EINVAL);
	EXPECT(beneath_open(&F.root, "../nope/x", O_CREAT | O_DIRECTORY, 0644, BEN), -EINVAL);
	ck_assert(!tu_exists(F.rfd, "newx"));
}
END_TEST

TEST(open_creat_excl_symlink)
{
	static const unsigned int modes[] = { BENEATH_MODE_BENEATH, BENEATH_MODE_IN_ROOT,
	                                      BENEATH_MODE_CONTAIN };

	tu_build(F.rfd, "f f x\nl lf f\nl dang nowhere\nl dabs /nowhere2\n");
	EXPECT_KERNEL(kopen("dang", O_CREAT | O_EXCL | O_WRONLY), -EEXIST);
	for (size_t m = 0; m < 3; m++) {
		/* O_EXCL never follows a final symlink, even a dangling one */
		EXPECT(beneath_open(&F.root, "lf", O_CREAT | O_EXCL | O_WRONLY, 0644, modes[m] | B), -EEXIST);
		EXPECT(beneath_open(&F.root, "dang", O_CREAT | O_EXCL | O_WRONLY, 0644, modes[m] | B), -EEXIST);
		EXPECT(beneath_open(&F.root, "dabs", O_CREAT | O_EXCL | O_RDWR, 0644, modes[m] | B), -EEXIST);
	}
	ck_assert(!tu_exists(F.rfd, "nowhere"));
	ck_assert(!tu_exists(F.rfd, "nowhere2"));
}
END_TEST

TEST(open_creat_dangling_inside)
{
	char spec[PATH_MAX * 2];

	tu_fmt(spec,
	         "d sub\nl rel sub/new1\nl abs /sub/new2\nl up sub/../sub/new3\n"
	         "l cabs %s/sub/new4\nl chain rel2\nl rel2 sub/new5\n", F.rootp);
	tu_build(F.rfd, spec);
	EXPECT_OBJ(beneath_open(&F.root, "rel", O_CREAT | O_WRONLY, 0644, BEN), "sub/new1");
	ck_assert(S_ISREG(mode_of(F.rfd, "sub/new1")));
	EXPECT_OBJ(beneath_open(&F.root, "up", O_CREAT | O_WRONLY, 0644, BEN), "sub/new3");
	EXPECT_OBJ(beneath_open(&F.root, "chain", O_CREAT | O_RDWR, 0644, BEN), "sub/new5");
	/* absolute: outside in beneath, the root's /sub in in_root */
	EXPECT(beneath_open(&F.root, "abs", O_CREAT | O_WRONLY, 0644, BEN), -EXDEV);
	ck_assert(!tu_exists(F.rfd, "sub/new2"));
	EXPECT_OBJ(beneath_open(&F.root, "abs", O_CREAT | O_WRONLY, 0644, INR), "sub/new2");
	/* contain: an absolute link under root->path is followed inside */
	EXPECT(beneath_open(&F.root, "cabs", O_CREAT | O_WRONLY, 0644, BEN), -EXDEV);
	EXPECT(beneath_open(&F.nopath, "cabs", O_CREAT | O_WRONLY, 0644, CON), -EXDEV);
	ck_assert(!tu_exists(F.rfd, "sub/new4"));
	EXPECT_OBJ(beneath_open(&F.root, "cabs", O_CREAT | O_WRONLY, 0644, CON), "sub/new4");
	ck_assert_int_eq(count_entries(F.rfd), 7);
}
END_TEST

TEST(open_creat_dangling_outside)
{
	static const char *const links[] = { "esc", "abs", "deep", "sub/esc2" };
	char spec[PATH_MAX * 2];

	tu_fmt(spec,
	         "d sub\nl esc ../out/new\nl abs %s/new\nl deep sub/../../out/new\n"
	         "l sub/esc2 ../../out/new\n", F.outp);
	tu_build(F.rfd, spec);
	for (size_t i = 0; i < 4; i++) {
		EXPECT(beneath_open(&F.root, links[i], O_CREAT | O_WRONLY, 0644, BEN), -EXDEV);
		EXPECT(beneath_open(&F.root, links[i], O_CREAT | O_RDWR | O_TRUNC, 0600, CON), -EXDEV);
		EXPECT(beneath_open(&F.nopath, links[i], O_CREAT | O_WRONLY, 0644, CON), -EXDEV);
		/* in_root: "/" and ".." stay at the root, whose out/ does
		 * not exist */
		EXPECT(beneath_open(&F.root, links[i], O_CREAT | O_WRONLY, 0644, INR), -ENOENT);
	}
	outside_intact();
	ck_assert_int_eq(count_entries(F.rfd), 4);
	ck_assert_int_eq(count_entries(F.topfd), 2);
}
END_TEST

TEST(open_trunc_outside)
{
	static const char *const links[] = { "l", "abs", "sub/l2" };
	char spec[PATH_MAX * 2];

	tu_fmt(spec, "d sub\nl l ../out/secret\nl abs %s\nl sub/l2 ../l\n",
	         F.secretp);
	tu_build(F.rfd, spec);
	for (size_t i = 0; i < 3; i++) {
		EXPECT(beneath_open(&F.root, links[i], O_WRONLY | O_TRUNC, 0, BEN), -EXDEV);
		EXPECT(beneath_open(&F.root, links[i], O_RDWR | O_TRUNC | O_CREAT, 0644, BEN), -EXDEV);
		EXPECT(beneath_open(&F.root, links[i], O_WRONLY | O_TRUNC, 0, CON), -EXDEV);
		EXPECT(beneath_open(&F.nopath, links[i], O_WRONLY | O_TRUNC, 0, CON), -EXDEV);
		EXPECT(beneath_open(&F.root, links[i], O_RDONLY, 0, BEN), -EXDEV);
		EXPECT(beneath_open(&F.root, links[i], O_WRONLY | O_TRUNC, 0, INR), -ENOENT);
	}
	outside_intact();
}
END_TEST

TEST(resolve_basic)
{
	int fd;

	tu_build(F.rfd, "d d\nf d/f\nl l d/f\nl ld d\nl dang nowhere\n");
	fd = EXPECT_FD(beneath_resolve(&F.root, "d/f", BEN));
	ck_assert(fcntl(fd, F_GETFL) & O_PATH);
	ck_assert(fcntl(fd, F_GETFD) & FD_CLOEXEC);
	ck_assert(tu_same(fd, F.rfd, "d/f"));
	close(fd);
	EXPECT_OBJ(beneath_resolve(&F.root, "l", BEN), "d/f");
	EXPECT_OBJ(beneath_resolve(&F.root, "l", BEN | BENEATH_NOFOLLOW), "l");
	EXPECT_OBJ(beneath_resolve(&F.root, "ld/", BEN | BENEATH_NOFOLLOW), "d");
	EXPECT_OBJ(beneath_resolve(&F.root, "ld/f", BEN | BENEATH_NOFOLLOW), "d/f");
	EXPECT_OBJ(beneath_resolve(&F.root, ".", BEN), ".");
	EXPECT_OBJ(beneath_resolve(&F.root, "d/..", BEN), ".");
	EXPECT_OBJ(beneath_resolve(&F.root, "dang", BEN | BENEATH_NOFOLLOW), "dang");
	EXPECT(beneath_resolve(&F.root, "dang", BEN), -ENOENT);
	EXPECT(beneath_resolve(&F.root, "", BEN), -ENOENT);
	EXPECT(beneath_resolve(&F.root, "d/f/", BEN), -ENOTDIR);
	EXPECT(beneath_resolve(&F.root, "d/f/..", BEN), -ENOTDIR);
}
END_TEST

/* resolve_parent must give the directory REL and the name NAME. */
#define EXPECT_PARENT(rootp, path, rflags, rel, want)                          \
	do {                                                                   \
		char n_[NAME_MAX + 2];                                         \
		int fd_ = EXPECT_FD(beneath_resolve_parent(rootp, path, rflags, n_, sizeof(n_))); \
		bool same_ = tu_same(fd_, F.rfd, rel);                         \
		int fl_ = fcntl(fd_, F_GETFL);                                 \
		close(fd_);                                                    \
		ck_assert_msg(same_, "[%s] resolve_parent(\"%s\"): dir is not root/%s", BN, path, rel); \
		ck_assert_msg(fl_ & O_PATH, "[%s] resolve_parent(\"%s\"): not O_PATH", BN, path); \
		ck_assert_msg(!strcmp(n_, want), "[%s] resolve_parent(\"%s\"): name \"%s\", expected \"%s\"", \
		              BN, path, n_, want);                             \
	} while (0)

TEST(resolve_parent)
{
	char name[NAME_MAX + 2], path[PATH_MAX * 2], want[NAME_MAX + 2];

	tu_build(F.rfd, "d a\nd a/b\nf a/f\nl la a\nl lf a/f\n");
	EXPECT_PARENT(&F.root, "a/b/c", BEN, "a/b", "c");
	EXPECT_PARENT(&F.root, "a/b/", BEN, "a", "b/");
	EXPECT_PARENT(&F.root, "a/b///", BEN, "a", "b/");
	EXPECT_PARENT(&F.root, "a//b", BEN, "a", "b");
	EXPECT_PARENT(&F.root, "x", BEN, ".", "x");
	EXPECT_PARENT(&F.root, "./x", BEN, ".", "x");
	EXPECT_PARENT(&F.root, "a/.", BEN, "a", ".");
	EXPECT_PARENT(&F.root, "a/b/..", BEN, "a", "..");
	EXPECT_PARENT(&F.root, "a/..", BEN, ".", "..");
	EXPECT_PARENT(&F.root, ".", BEN, ".", ".");
	EXPECT_PARENT(&F.root, "la/b", BEN, "a", "b");
	/* the last component is never followed */
	EXPECT_PARENT(&F.root, "la", BEN, ".", "la");
	EXPECT_PARENT(&F.root, "la/", BEN, ".", "la/");
	/* options about the final object mean nothing here */
	EXPECT_PARENT(&F.root, "a/f", BEN | BENEATH_MUST_BE_DIR | BENEATH_NOFOLLOW, "a", "f");

	EXPECT_PARENT(&F.root, "/", INR, ".", "/");
	EXPECT_PARENT(&F.root, "//", INR, ".", "/");
	EXPECT_PARENT(&F.root, "/x", INR, ".", "x");
	EXPECT_PARENT(&F.root, "/a/b/c", INR, "a/b", "c");
	EXPECT_PARENT(&F.root, "../x", INR, ".", "x");
	EXPECT_PARENT(&F.root, "/..", INR, ".", "..");

	EXPECT(beneath_resolve_parent(&F.root, "/", BEN, name, sizeof(name)), -EXDEV);
	EXPECT(beneath_resolve_parent(&F.root, "/x", BEN, name, sizeof(name)), -EXDEV);
	EXPECT(beneath_resolve_parent(&F.root, "../x", BEN, name, sizeof(name)), -EXDEV);
	EXPECT(beneath_resolve_parent(&F.root, "..", BEN, name, sizeof(name)), -EXDEV);
	EXPECT(beneath_resolve_parent(&F.root, "nope/x", BEN, name, sizeof(name)), -ENOENT);
	EXPECT(beneath_resolve_parent(&F.root, "a/f/x", BEN, name, sizeof(name)), -ENOTDIR);
	EXPECT(beneath_resolve_parent(&F.root, "lf/x", BEN, name, sizeof(name)), -ENOTDIR);
	EXPECT(beneath_resolve_parent(&F.root, "", BEN, name, sizeof(name)), -ENOENT);
	EXPECT(beneath_resolve_parent(&F.root, "x", BEN, NULL, sizeof(name)), -EINVAL);
	EXPECT(beneath_resolve_parent(&F.root, "x", BEN, name, 0), -EINVAL);

	/* NAME_MAX + 2 holds the longest name plus its trailing slash */
	memset(want, 'n', NAME_MAX);
	strcpy(want + NAME_MAX, "/");
	tu_fmt(path, "a/%s", want);
	EXPECT_PARENT(&F.root, path, BEN, "a", want);
	/* one byte more is a name the kernel refuses */
	tu_fmt(path, "a/n%s", want);
	EXPECT(beneath_resolve_parent(&F.root, path, BEN, name, sizeof(name)), -ENAMETOOLONG);
	/* a buffer too small for the name */
	EXPECT(beneath_resolve_parent(&F.root, "a/abcdef", BEN, name, 4), -ENAMETOOLONG);
}
END_TEST

TEST(mkdir_p)
{
	int fd;

	tu_build(F.rfd, "f file\nd d\nl ld d\nl lout ../out\nl dang nowhere\n");
	fd = EXPECT_FD(beneath_mkdir_p(&F.root, "x/y/z", 0755, BEN));
	ck_assert(fcntl(fd, F_GETFL) & O_PATH);
	ck_assert(tu_same(fd, F.rfd, "x/y/z"));
	close(fd);
	ck_assert(S_ISDIR(mode_of(F.rfd, "x/y/z")));
	/* idempotent, like mkdir -p */
	EXPECT_OBJ(beneath_mkdir_p(&F.root, "x/y/z", 0755, BEN), "x/y/z");
	EXPECT_OBJ(beneath_mkdir_p(&F.root, "x", 0755, BEN), "x");
	EXPECT_OBJ(beneath_mkdir_p(&F.root, "ld/n1/n2", 0755, BEN), "d/n1/n2");
	EXPECT_OBJ(beneath_mkdir_p(&F.root, "x//y2/./y3/", 0755, BEN), "x/y2/y3");
	EXPECT_OBJ(beneath_mkdir_p(&F.root, "x/../x/y4", 0755, BEN), "x/y4");
	EXPECT_OBJ(beneath_mkdir_p(&F.root, "m1/m2", 0700, BEN), "m1/m2");
	ck_assert_int_eq(mode_of(F.rfd, "m1"), S_IFDIR | 0700);
	ck_assert_int_eq(mode_of(F.rfd, "m1/m2"), S_IFDIR | 0700);
	/* beneath.h: a component that exists and is not a directory is
	 * reported as mkdir -p reports it, ENOTDIR */
	EXPECT(beneath_mkdir_p(&F.root, "file", 0755, BEN), -ENOTDIR);
	EXPECT(beneath_mkdir_p(&F.root, "file/sub", 0755, BEN), -ENOTDIR);
	EXPECT(beneath_mkdir_p(&F.root, "lout/evil/deeper", 0755, BEN), -EXDEV);
	EXPECT(beneath_mkdir_p(&F.root, "../evil", 0755, BEN), -EXDEV);
	EXPECT(beneath_mkdir_p(&F.root, "/abs", 0755, BEN), -EXDEV);
	EXPECT(beneath_mkdir_p(&F.root, "", 0755, BEN), -ENOENT);
	outside_intact();
	EXPECT_OBJ(beneath_mkdir_p(&F.root, "/abs/q", 0755, INR), "abs/q");
	EXPECT_OBJ(beneath_mkdir_p(&F.root, "../../abs/r", 0755, INR), "abs/r");
	EXPECT_OBJ(beneath_mkdir_p(&F.root, "/", 0755, INR), ".");
	ck_assert(!tu_exists(F.rfd, "nowhere"));
}
END_TEST

TEST(op_mkdir)
{
	tu_build(F.rfd, "d d\nf f\nl dang nowhere\nl lout ../out\nl ld d\n");
	EXPECT(beneath_mkdir(&F.root, "n", 0777, BEN), 0);
	ck_assert_int_eq(mode_of(F.rfd, "n"), S_IFDIR | 0755);
	EXPECT(beneath_mkdir(&F.root, "n", 0777, BEN), -EEXIST);
	EXPECT_KERNEL(mkdirat(F.rfd, "knew/", 0755), 0);
	EXPECT(beneath_mkdir(&F.root, "new/", 0755, BEN), 0);
	EXPECT(beneath_mkdir(&F.root, "new2//", 0755, BEN), 0);
	EXPECT(beneath_mkdir(&F.root, "ld/sub", 0755, BEN), 0);
	ck_assert(S_ISDIR(mode_of(F.rfd, "d/sub")));
	EXPECT_KERNEL(mkdirat(F.rfd, "d/..", 0755), -EEXIST);
	EXPECT(beneath_mkdir(&F.root, "d/..", 0755, BEN), -EEXIST);
	EXPECT(beneath_mkdir(&F.root, ".", 0755, BEN), -EEXIST);
	EXPECT(beneath_mkdir(&F.root, "d/.", 0755, BEN), -EEXIST);
	EXPECT(beneath_mkdir(&F.root, "nope/x", 0755, BEN), -ENOENT);
	EXPECT(beneath_mkdir(&F.root, "f/x", 0755, BEN), -ENOTDIR);
	/* the last component is not followed: the link exists */
	EXPECT_KERNEL(mkdirat(F.rfd, "dang", 0755), -EEXIST);
	EXPECT(beneath_mkdir(&F.root, "dang", 0755, BEN), -EEXIST);
	ck_assert(!tu_exists(F.rfd, "nowhere"));
	EXPECT(beneath_mkdir(&F.root, "lout/x", 0755, BEN), -EXDEV);
	EXPECT(beneath_mkdir(&F.root, "../x", 0755, BEN), -EXDEV);
	EXPECT(beneath_mkdir(&F.root, "/x", 0755, BEN), -EXDEV);
	EXPECT(beneath_mkdir(&F.root, "/", 0755, INR), -EEXIST);
	EXPECT(beneath_mkdir(&F.root, "/n2", 0755, INR), 0);
	EXPECT(beneath_mkdir(&F.root, "../n3", 0755, INR), 0);
	ck_assert(S_ISDIR(mode_of(F.rfd, "n2")) && S_ISDIR(mode_of(F.rfd, "n3")));
	outside_intact();
}
END_TEST

TEST(op_mknod)
{
	long kr;

	tu_build(F.rfd, "d d\nl lout ../out\n");
	EXPECT(beneath_mknod(&F.root, "fifo", S_IFIFO | 0640, 0, BEN), 0);
	ck_assert_int_eq(mode_of(F.rfd, "fifo"), S_IFIFO | 0640);
	EXPECT(beneath_mknod(&F.root, "d/reg", S_IFREG | 0600, 0, BEN), 0);
	ck_assert_int_eq(mode_of(F.rfd, "d/reg"), S_IFREG | 0600);
	EXPECT(beneath_mknod(&F.root, "sock", S_IFSOCK | 0600, 0, BEN), 0);
	ck_assert(S_ISSOCK(mode_of(F.rfd, "sock")));
	EXPECT(beneath_mknod(&F.root, "fifo", S_IFIFO | 0640, 0, BEN), -EEXIST);
	EXPECT(beneath_mknod(&F.root, ".", S_IFIFO | 0640, 0, BEN), -EEXIST);
	EXPECT(beneath_mknod(&F.root, "d/..", S_IFIFO | 0640, 0, BEN), -EEXIST);
	EXPECT(beneath_mknod(&F.root, "lout/x", S_IFIFO | 0640, 0, BEN), -EXDEV);
	EXPECT(beneath_mknod(&F.root, "/x", S_IFIFO | 0640, 0, BEN), -EXDEV);
	EXPECT(beneath_mknod(&F.root, "/x", S_IFIFO | 0640, 0, INR), 0);
	/* a trailing slash asks for a directory: the kernel says ENOENT */
	EXPECT_KERNEL(mknodat(F.rfd, "knew/", S_IFIFO | 0640, 0), -ENOENT);
	EXPECT(beneath_mknod(&F.root, "new/", S_IFIFO | 0640, 0, BEN), -ENOENT);
	/* devices: whatever the kernel lets us do here (containers may not) */
	kr = kret(mknodat(F.rfd, "knull", S_IFCHR | 0600, makedev(1, 3)));
	EXPECT(beneath_mknod(&F.root, "null", S_IFCHR | 0600, makedev(1, 3), BEN), kr);
	outside_intact();
}
END_TEST

TEST(op_unlink)
{
	tu_build(F.rfd, "d d\nd e\nf e/f\nf f\nl lf f\nl lout ../out/secret\nl ld d\n");
	EXPECT(beneath_unlink(&F.root, "f/", 0, BEN), -ENOTDIR);
	EXPECT(beneath_unlink(&F.root, "lf/", 0, BEN), -ENOTDIR);
	EXPECT(beneath_unlink(&F.root, "d", 0, BEN), -EISDIR);
	EXPECT(beneath_unlink(&F.root, "e", AT_REMOVEDIR, BEN), -ENOTEMPTY);
	EXPECT(beneath_unlink(&F.root, "f", AT_REMOVEDIR, BEN), -ENOTDIR);
	EXPECT_KERNEL(unlinkat(F.rfd, "ld/", AT_REMOVEDIR), -ENOTDIR);
	EXPECT(beneath_unlink(&F.root, "ld/", AT_REMOVEDIR, BEN), -ENOTDIR);
	EXPECT(beneath_unlink(&F.root, "missing", 0, BEN), -ENOENT);
	EXPECT(beneath_unlink(&F.root, "f", AT_SYMLINK_NOFOLLOW, BEN), -EINVAL);
	EXPECT(beneath_unlink(&F.root, "../out/secret", 0, BEN), -EXDEV);
	EXPECT(beneath_unlink(&F.root, "ld/../../out/secret", 0, BEN), -EXDEV);
	/* a symlink is removed, never what it points to */
	EXPECT(beneath_unlink(&F.root, "lout", 0, BEN), 0);
	EXPECT(beneath_unlink(&F.root, "lf", 0, BEN), 0);
	ck_assert(!tu_exists(F.rfd, "lout") && !tu_exists(F.rfd, "lf") && tu_exists(F.rfd, "f"));
	outside_intact();
	EXPECT(beneath_unlink(&F.root, "f", 0, BEN), 0);
	EXPECT(beneath_unlink(&F.root, "ld/", 0, BEN), -ENOTDIR);
	EXPECT(beneath_unlink(&F.root, "ld", 0, BEN), 0);
	EXPECT(beneath_unlink(&F.root, "d/", AT_REMOVEDIR, BEN), 0);
	EXPECT(beneath_unlink(&F.root, "/e/f", 0, INR), 0);
	EXPECT(beneath_unlink(&F.root, "../e", AT_REMOVEDIR, INR), 0);
	ck_assert_int_eq(count_entries(F.rfd), 0);
	/* the root itself */
	EXPECT(beneath_unlink(&F.root, "/", AT_REMOVEDIR, INR), -EBUSY);
	EXPECT(beneath_unlink(&F.root, "/", 0, INR), -EISDIR);
	EXPECT(beneath_unlink(&F.root, "..", AT_REMOVEDIR, INR), -ENOTEMPTY);
	EXPECT(beneath_unlink(&F.root, "..", AT_REMOVEDIR, BEN), -EXDEV);
}
END_TEST

TEST(op_rename)
{
	char buf[64], root2p[PATH_MAX];
	struct beneath_root root2;
	struct stat st;

	tu_build(F.rfd, "f a A\nf b B\nd d\nf d/x X\nl lout ../out/secret\n");
	EXPECT(beneath_rename(&F.root, "a", &F.root, "c", 0, BEN), 0);
	ck_assert(!tu_exists(F.rfd, "a"));
	ck_assert_str_eq(tu_read(F.rfd, "c", buf, sizeof(buf)), "A");
	EXPECT(beneath_rename(&F.root, "c", &F.root, "b", 0, BEN), 0);
	ck_assert_str_eq(tu_read(F.rfd, "b", buf, sizeof(buf)), "A");
	tu_build(F.rfd, "f a2 A2\n");
	EXPECT(beneath_rename(&F.root, "a2", &F.root, "b", RENAME_NOREPLACE, BEN), -EEXIST);
	EXPECT(beneath_rename(&F.root, "a2", &F.root, "new", RENAME_NOREPLACE, BEN), 0);
	EXPECT(beneath_rename(&F.root, "new", &F.root, "b", RENAME_EXCHANGE, BEN), 0);
	ck_assert_str_eq(tu_read(F.rfd, "b", buf, sizeof(buf)), "A2");
	ck_assert_str_eq(tu_read(F.rfd, "new", buf, sizeof(buf)), "A");
	EXPECT(beneath_rename(&F.root, "new", &F.root, "missing", RENAME_EXCHANGE, BEN), -ENOENT);
	EXPECT_KERNEL(renameat2(F.rfd, "new", F.rfd, "b", RENAME_EXCHANGE | RENAME_NOREPLACE), -EINVAL);
	EXPECT(beneath_rename(&F.root, "new", &F.root, "b", RENAME_EXCHANGE | RENAME_NOREPLACE, BEN), -EINVAL);
	EXPECT(beneath_rename(&F.root, "missing", &F.root, "z", 0, BEN), -ENOENT);
	EXPECT(beneath_rename(&F.root, "b/", &F.root, "z", 0, BEN), -ENOTDIR);
	EXPECT(beneath_rename(&F.root, "d/", &F.root, "d2", 0, BEN), 0);
	EXPECT(beneath_rename(&F.root, "d2", &F.root, "d3/", 0, BEN), 0);
	ck_assert_str_eq(tu_read(F.rfd, "d3/x", buf, sizeof(buf)), "X");
	/* a symlink moves, its target stays */
	EXPECT(beneath_rename(&F.root, "lout", &F.root, "d3/moved", 0, BEN), 0);
	ck_assert(S_ISLNK(mode_of(F.rfd, "d3/moved")));
	EXPECT(beneath_rename(&F.root, "d3/x", &F.root, "../out/x", 0, BEN), -EXDEV);
	/* rename never follows the old name; a slash on a non-directory */
	EXPECT_KERNEL(renameat2(F.rfd, "d3/moved/", F.rfd, "y", 0), -ENOTDIR);
	EXPECT(beneath_rename(&F.root, "d3/moved/", &F.root, "y", 0, BEN), -ENOTDIR);
	EXPECT(beneath_rename(&F.root, "../out/secret", &F.root, "y", 0, BEN), -EXDEV);
	EXPECT(beneath_rename(&F.root, "/b", &F.root, "/b2", 0, INR), 0);
	outside_intact();

	/* two roots on one file system */
	tu_fmt(root2p, "%s/root2", F.top);
	ck_assert_int_eq(mkdir(root2p, 0755), 0);
	root2.fd = open(root2p, O_PATH | O_DIRECTORY | O_CLOEXEC);
	root2.path = root2p;
	EXPECT(beneath_rename(&F.root, "b2", &root2, "from1", 0, BEN), 0);
	EXPECT(fstatat(root2.fd, "from1", &st, 0), 0);
	EXPECT(beneath_rename(&root2, "from1", &F.root, "back", RENAME_NOREPLACE, BEN), 0);
	EXPECT(beneath_rename(&F.root, "back", &root2, "../root/x", 0, BEN), -EXDEV);
	ck_assert(tu_exists(F.rfd, "back"));
	close(root2.fd);

	/* two roots on different mounts: the kernel's EXDEV */
	if (shm_base[0]) {
		char shmp[PATH_MAX];
		struct beneath_root shm;

		tu_mkdtemp(shmp, shm_base);
		shm.fd = open(shmp, O_PATH | O_DIRECTORY | O_CLOEXEC);
		shm.path = shmp;
		EXPECT(beneath_rename(&F.root, "back", &shm, "x", 0, BEN), -EXDEV);
		EXPECT(beneath_link(&F.root, "back", &shm, "x", 0, BEN), -EXDEV);
		close(shm.fd);
		tu_rm_rf(shmp);
	} else {
		printf("rename: no tmpfs at /dev/shm on another mount; cross-mount EXDEV not tested\n");
	}
}
END_TEST

TEST(op_link)
{
	char root2p[PATH_MAX];
	struct beneath_root root2;
	struct stat f, s;

	tu_build(F.rfd, "f f data\nl lf f\nl lout ../out/secret\nd d\n");
	EXPECT(beneath_link(&F.root, "f", &F.root, "h", 0, BEN), 0);
	f = lstat_of(F.rfd, "f");
	s = lstat_of(F.rfd, "h");
	ck_assert(f.st_ino == s.st_ino && f.st_nlink == 2);
	/* without AT_SYMLINK_FOLLOW the symlink itself is linked */
	EXPECT(beneath_link(&F.root, "lf", &F.root, "h2", 0, BEN), 0);
	ck_assert(S_ISLNK(mode_of(F.rfd, "h2")));
	EXPECT(beneath_link(&F.root, "lf", &F.root, "h3", AT_SYMLINK_FOLLOW, BEN), 0);
	ck_assert(lstat_of(F.rfd, "h3").st_ino == f.st_ino);
	EXPECT(beneath_link(&F.root, "lout", &F.root, "h4", AT_SYMLINK_FOLLOW, BEN), -EXDEV);
	ck_assert(!tu_exists(F.rfd, "h4"));
	EXPECT(beneath_link(&F.root, "lout", &F.root, "h5", 0, BEN), 0);
	ck_assert(S_ISLNK(mode_of(F.rfd, "h5")));
	ck_assert_int_eq(lstat_of(F.out, "secret").st_nlink, 1);
	EXPECT(beneath_link(&F.root, "d", &F.root, "h6", 0, BEN), -EPERM);
	EXPECT(beneath_link(&F.root, "d/", &F.root, "h6", 0, BEN), -EPERM);
	EXPECT(beneath_link(&F.root, ".", &F.root, "h6", 0, BEN), -EPERM);
	EXPECT(beneath_link(&F.root, "f/", &F.root, "h7", 0, BEN), -ENOTDIR);
	EXPECT(beneath_link(&F.root, "f", &F.root, "h", 0, BEN), -EEXIST);
	EXPECT(beneath_link(&F.root, "f", &F.root, ".", 0, BEN), -EEXIST);
	EXPECT(beneath_link(&F.root, "missing", &F.root, "h8", 0, BEN), -ENOENT);
	EXPECT(beneath_link(&F.root, "f", &F.root, "h9", AT_EMPTY_PATH, BEN), -EINVAL);
	EXPECT(beneath_link(&F.root, "f", &F.root, "../out/x", 0, BEN), -EXDEV);
	EXPECT(beneath_link(&F.root, "../out/secret", &F.root, "x", 0, BEN), -EXDEV);
	EXPECT(beneath_link(&F.root, "/f", &F.root, "/d/x", AT_SYMLINK_FOLLOW, INR), 0);
	outside_intact();

	tu_fmt(root2p, "%s/root2", F.top);
	ck_assert_int_eq(mkdir(root2p, 0755), 0);
	root2.fd = open(root2p, O_PATH | O_DIRECTORY | O_CLOEXEC);
	root2.path = root2p;
	EXPECT(beneath_link(&F.root, "f", &root2, "g", 0, BEN), 0);
	ck_assert(lstat_of(root2.fd, "g").st_ino == f.st_ino);
	EXPECT(beneath_link(&root2, "g", &F.root, "g", AT_SYMLINK_FOLLOW, BEN), 0);
	ck_assert(lstat_of(F.rfd, "g").st_ino == f.st_ino);
	close(root2.fd);
}
END_TEST

TEST(op_symlink_readlink)
{
	char buf[64];

	tu_build(F.rfd, "d d\nf f\nl ld d\nl lout ../out/secret\n");
	/* the target is stored verbatim, never resolved */
	EXPECT(beneath_symlink("../../escape/../x", &F.root, "s1", BEN), 0);
	EXPECT(beneath_symlink("/abs//path/", &F.root, "ld/s2", BEN), 0);
	EXPECT(beneath_readlink(&F.root, "s1", buf, sizeof(buf), BEN), 17);
	ck_assert(memcmp(buf, "../../escape/../x", 17) == 0);
	EXPECT(beneath_readlink(&F.root, "ld/s2", buf, sizeof(buf), BEN), 11);
	ck_assert(memcmp(buf, "/abs//path/", 11) == 0);
	EXPECT(beneath_readlink(&F.root, "/d/s2", buf, sizeof(buf), INR), 11);
	/* reading a link never follows it, wherever it points */
	EXPECT(beneath_readlink(&F.root, "lout", buf, sizeof(buf), BEN), 13);
	/* truncation, as readlink(2) */
	memset(buf, 0, sizeof(buf));
	EXPECT(beneath_readlink(&F.root, "s1", buf, 3, BEN), 3);
	ck_assert_str_eq(buf, "../");
	EXPECT(beneath_readlink(&F.root, "s1", buf, 0, BEN), -EINVAL);
	EXPECT(beneath_readlink(&F.root, "s1", NULL, 10, BEN), -EFAULT);
	EXPECT(beneath_readlink(&F.root, "f", buf, sizeof(buf), BEN), -EINVAL);
	EXPECT_KERNEL(readlinkat(F.rfd, "ld/", buf, sizeof(buf)), -EINVAL);
	EXPECT(beneath_readlink(&F.root, "ld/", buf, sizeof(buf), BEN), -EINVAL);
	EXPECT(beneath_readlink(&F.root, "missing", buf, sizeof(buf), BEN), -ENOENT);
	EXPECT(beneath_readlink(&F.root, "lout/x", buf, sizeof(buf), BEN), -EXDEV);

	EXPECT(beneath_symlink(NULL, &F.root, "s3", BEN), -EFAULT);
	EXPECT(beneath_symlink("t", &F.root, "s1", BEN), -EEXIST);
	EXPECT(beneath_symlink("t", &F.root, ".", BEN), -EEXIST);
	EXPECT(beneath_symlink("t", &F.root, "d/..", BEN), -EEXIST);
	EXPECT(beneath_symlink("t", &F.root, "nodir/s", BEN), -ENOENT);
	EXPECT(beneath_symlink("t", &F.root, "../s", BEN), -EXDEV);
	EXPECT(beneath_symlink("t", &F.root, "lout/s", BEN), -EXDEV);
	EXPECT_KERNEL(symlinkat("t", F.rfd, "k3/"), -ENOENT);
	EXPECT(beneath_symlink("t", &F.root, "s3/", BEN), -ENOENT);
	EXPECT(beneath_symlink("t", &F.root, "/s4", INR), 0);
	ck_assert(S_ISLNK(mode_of(F.rfd, "s4")));
	outside_intact();
}
END_TEST

TEST(op_stat_statx)
{
	struct stat st, ref;
	struct statx stx;

	tu_build(F.rfd, "f f hello\nl lf f\nl lout ../out/secret\nd d\n");
	ref = lstat_of(F.rfd, "f");
	EXPECT(beneath_stat(&F.root, "f", &st, 0, BEN), 0);
	ck_assert(st.st_ino == ref.st_ino && st.st_size == 5);
	EXPECT(beneath_stat(&F.root, "lf", &st, 0, BEN), 0);
	ck_assert(st.st_ino == ref.st_ino);
	EXPECT(beneath_stat(&F.root, "lf", &st, AT_SYMLINK_NOFOLLOW, BEN), 0);
	ck_assert(S_ISLNK(st.st_mode));
	EXPECT(beneath_stat(&F.root, "lout", &st, 0, BEN), -EXDEV);
	EXPECT(beneath_stat(&F.root, "lout", &st, AT_SYMLINK_NOFOLLOW, BEN), 0);
	ck_assert(S_ISLNK(st.st_mode));
	EXPECT(beneath_stat(&F.root, "", &st, AT_EMPTY_PATH, BEN), 0);
	ck_assert(st.st_ino == lstat_of(F.rfd, ".").st_ino);
	EXPECT(beneath_stat(&F.root, "", &st, 0, BEN), -ENOENT);
	EXPECT(beneath_stat(&F.root, "f", NULL, 0, BEN), -EFAULT);
	EXPECT(beneath_stat(&F.root, "f", &st, AT_REMOVEDIR, BEN), -EINVAL);
	EXPECT(beneath_stat(&F.root, "/f", &st, 0, INR), 0);
	ck_assert(st.st_ino == ref.st_ino);
	EXPECT(beneath_stat(&F.root, "/f", &st, 0, BEN), -EXDEV);
	EXPECT(beneath_stat(&F.root, "d/../f", &st, AT_NO_AUTOMOUNT, BEN), 0);

	memset(&stx, 0, sizeof(stx));
	EXPECT(beneath_statx(&F.root, "lf", 0, STATX_BASIC_STATS, &stx, BEN), 0);
	ck_assert(stx.stx_ino == ref.st_ino && stx.stx_size == 5 && S_ISREG(stx.stx_mode));
	EXPECT(beneath_statx(&F.root, "lf", AT_SYMLINK_NOFOLLOW, STATX_TYPE, &stx, BEN), 0);
	ck_assert(S_ISLNK(stx.stx_mode));
	EXPECT(beneath_statx(&F.root, "f", AT_STATX_FORCE_SYNC, STATX_SIZE, &stx, BEN), 0);
	EXPECT(beneath_statx(&F.root, "", AT_EMPTY_PATH, STATX_INO, &stx, BEN), 0);
	EXPECT(beneath_statx(&F.root, "lout", 0, STATX_INO, &stx, BEN), -EXDEV);
	EXPECT(beneath_statx(&F.root, "f", 0, STATX_INO, NULL, BEN), -EFAULT);
	EXPECT(beneath_statx(&F.root, "f", AT_REMOVEDIR, STATX_INO, &stx, BEN), -EINVAL);
	EXPECT(beneath_statx(&F.root, "missing", 0, STATX_INO, &stx, BEN), -ENOENT);
}
END_TEST

TEST(op_access)
{
	tu_build(F.rfd, "f f\nf x\nl dang nowhere\nl lout ../out/secret\n");
	ck_assert_int_eq(fchmodat(F.rfd, "x", 0755, 0), 0);
	EXPECT(beneath_access(&F.root, "f", F_OK, 0, BEN), 0);
	EXPECT(beneath_access(&F.root, "f", R_OK | W_OK, 0, BEN), 0);
	/* even root needs some x bit to execute */
	EXPECT_KERNEL(faccessat(F.rfd, "f", X_OK, 0), -EACCES);
	EXPECT(beneath_access(&F.root, "f", X_OK, 0, BEN), -EACCES);
	EXPECT(beneath_access(&F.root, "x", X_OK, 0, BEN), 0);
	EXPECT(beneath_access(&F.root, "x", X_OK, AT_EACCESS, BEN), 0);
	EXPECT(beneath_access(&F.root, "dang", F_OK, 0, BEN), -ENOENT);
	EXPECT(beneath_access(&F.root, "dang", F_OK, AT_SYMLINK_NOFOLLOW, BEN), 0);
	EXPECT(beneath_access(&F.root, "lout", F_OK, 0, BEN), -EXDEV);
	EXPECT(beneath_access(&F.root, "missing", F_OK, 0, BEN), -ENOENT);
	EXPECT(beneath_access(&F.root, "", F_OK, AT_EMPTY_PATH, BEN), 0);
	/* (AT_REMOVEDIR is AT_EACCESS, so another bit) */
	EXPECT(beneath_access(&F.root, "f", F_OK, AT_SYMLINK_FOLLOW, BEN), -EINVAL);
}
END_TEST

TEST(op_chmod)
{
	tu_build(F.rfd, "f f\nl lf f\nd d\n");
	EXPECT(beneath_chmod(&F.root, "f", 0600, 0, BEN), 0);
	ck_assert_int_eq(mode_of(F.rfd, "f"), S_IFREG | 0600);
	EXPECT(beneath_chmod(&F.root, "lf", 0640, 0, BEN), 0);
	ck_assert_int_eq(mode_of(F.rfd, "f"), S_IFREG | 0640);
	/* Linux cannot change a symlink's mode */
	EXPECT_KERNEL(fchmodat(F.rfd, "lf", 0600, AT_SYMLINK_NOFOLLOW), -EOPNOTSUPP);
	EXPECT(beneath_chmod(&F.root, "lf", 0600, AT_SYMLINK_NOFOLLOW, BEN), -EOPNOTSUPP);
	ck_assert_int_eq(mode_of(F.rfd, "f"), S_IFREG | 0640);
	EXPECT(beneath_chmod(&F.root, "f", 0604, AT_SYMLINK_NOFOLLOW, BEN), 0);
	ck_assert_int_eq(mode_of(F.rfd, "f"), S_IFREG | 0604);
	EXPECT(beneath_chmod(&F.root, "d", 01700, 0, BEN), 0);
	ck_assert_int_eq(mode_of(F.rfd, "d"), S_IFDIR | 01700);
	EXPECT(beneath_chmod(&F.root, "", 0711, AT_EMPTY_PATH, BEN), 0);
	ck_assert_int_eq(mode_of(F.rfd, "."), S_IFDIR | 0711);
	EXPECT(beneath_chmod(&F.root, "f", 0600, AT_REMOVEDIR, BEN), -EINVAL);
	EXPECT(beneath_chmod(&F.root, "missing", 0600, 0, BEN), -ENOENT);
}
END_TEST

TEST(op_chown)
{
	/* Unprivileged runs can only "change" to their own ids. */
	uid_t u1 = geteuid() ? geteuid() : 1234, u2 = geteuid() ? geteuid() : 4321;
	gid_t g1 = geteuid() ? getegid() : 5678, g2 = geteuid() ? getegid() : 8765;
	struct stat f, l;

	tu_build(F.rfd, "f f\nl lf f\n");
	EXPECT(beneath_chown(&F.root, "f", u1, g1, 0, BEN), 0);
	f = lstat_of(F.rfd, "f");
	ck_assert(f.st_uid == u1 && f.st_gid == g1);
	EXPECT(beneath_chown(&F.root, "lf", u2, g2, AT_SYMLINK_NOFOLLOW, BEN), 0);
	l = lstat_of(F.rfd, "lf");
	f = lstat_of(F.rfd, "f");
	ck_assert(l.st_uid == u2 && l.st_gid == g2);
	ck_assert(f.st_uid == u1 && f.st_gid == g1);
	EXPECT(beneath_chown(&F.root, "lf", (uid_t)-1, g2, 0, BEN), 0);
	f = lstat_of(F.rfd, "f");
	ck_assert(f.st_uid == u1 && f.st_gid == g2);
	EXPECT(beneath_chown(&F.root, "f", (uid_t)-1, (gid_t)-1, 0, BEN), 0);
	EXPECT(beneath_chown(&F.root, "f", u1, g1, AT_REMOVEDIR, BEN), -EINVAL);
	EXPECT(beneath_chown(&F.root, "missing", u1, g1, 0, BEN), -ENOENT);
}
END_TEST

TEST(op_utimens)
{
	const struct timespec t1[2] = { { 1000000000, 5 }, { 1100000000, 7 } };
	const struct timespec t2[2] = { { 1200000000, 0 }, { 0, UTIME_OMIT } };
	struct stat f, l;
	time_t now = time(NULL);

	tu_build(F.rfd, "f f\nl lf f\n");
	EXPECT(beneath_utimens(&F.root, "f", t1, 0, BEN), 0);
	f = lstat_of(F.rfd, "f");
	ck_assert(f.st_atim.tv_sec == 1000000000 && f.st_atim.tv_nsec == 5);
	ck_assert(f.st_mtim.tv_sec == 1100000000 && f.st_mtim.tv_nsec == 7);
	EXPECT(beneath_utimens(&F.root, "lf", t2, 0, BEN), 0);
	f = lstat_of(F.rfd, "f");
	ck_assert(f.st_atim.tv_sec == 1200000000 && f.st_mtim.tv_sec == 1100000000);
	EXPECT(beneath_utimens(&F.root, "lf", t1, AT_SYMLINK_NOFOLLOW, BEN), 0);
	l = lstat_of(F.rfd, "lf");
	ck_assert(l.st_mtim.tv_sec == 1100000000);
	ck_assert(lstat_of(F.rfd, "f").st_atim.tv_sec == 1200000000);
	EXPECT(beneath_utimens(&F.root, "f", NULL, 0, BEN), 0);
	ck_assert(lstat_of(F.rfd, "f").st_mtim.tv_sec >= now);
	EXPECT(beneath_utimens(&F.root, "f", t1, AT_REMOVEDIR, BEN), -EINVAL);
	EXPECT(beneath_utimens(&F.root, "missing", t1, 0, BEN), -ENOENT);
}
END_TEST

TEST(op_truncate)
{
	char buf[64], host[PATH_MAX * 2];

	tu_build(F.rfd, "f f 0123456789\nd d\np fifo\nl lf f\n");
	EXPECT(beneath_truncate(&F.root, "f", 4, BEN), 0);
	ck_assert_str_eq(tu_read(F.rfd, "f", buf, sizeof(buf)), "0123");
	EXPECT(beneath_truncate(&F.root, "lf", 100, BEN), 0);
	ck_assert_int_eq(lstat_of(F.rfd, "f").st_size, 100);
	EXPECT(beneath_truncate(&F.root, "f", -1, BEN), -EINVAL);
	tu_fmt(host, "%s/d", F.rootp);
	EXPECT_KERNEL(truncate(host, 0), -EISDIR);
	EXPECT(beneath_truncate(&F.root, "d", 0, BEN), -EISDIR);
	tu_fmt(host, "%s/fifo", F.rootp);
	EXPECT_KERNEL(truncate(host, 0), -EINVAL);
	EXPECT(beneath_truncate(&F.root, "fifo", 0, BEN), -EINVAL);
	EXPECT(beneath_truncate(&F.root, "missing", 0, BEN), -ENOENT);
	EXPECT(beneath_truncate(&F.root, "f/", 0, BEN), -ENOTDIR);
	EXPECT(beneath_truncate(&F.root, "/f", 0, BEN), -EXDEV);
	EXPECT(beneath_truncate(&F.root, "/f", 1, INR), 0);
	ck_assert_int_eq(lstat_of(F.rfd, "f").st_size, 1);
}
END_TEST

/*
 * FIXED BUG (fails until fixed): on Linux >= 6.13 every xattr call
 * returns -EBADF. ops.c calls the *xattrat() syscalls with AT_EMPTY_PATH
 * on the O_PATH fd of the object; the kernel looks such an fd up with
 * fdget(), which refuses O_PATH files (EBADF), and the library only falls
 * back to the /proc/self/fd path on ENOSYS.
 */
TEST(op_xattr)
{
	char buf[256], host[PATH_MAX * 2];
	ssize_t n;
	long r;
	int fd;

	tu_build(F.rfd, "f f\nl lf f\nd d\n");
	/* Does this file system take user xattrs at all? */
	fd = openat(F.rfd, "f", O_RDONLY | O_CLOEXEC);
	ck_assert(fd >= 0);
	r = kret(fsetxattr(fd, "user.probe", "p", 1, 0));
	if (r == 0)
		fremovexattr(fd, "user.probe");
	close(fd);
	if (r == -EOPNOTSUPP) {
		printf("xattr: %s refuses user.* xattrs (EOPNOTSUPP); only that error is checked\n",
		       F.rootp);
		EXPECT(beneath_setxattr(&F.root, "f", "user.test", "v1", 2, 0, 0, BEN), -EOPNOTSUPP);
		return;
	}
	ck_assert_msg(r == 0, "fsetxattr probe: %s", tu_err(r));

	r = beneath_setxattr(&F.root, "f", "user.test", "v1", 2, 0, 0, BEN);
	ck_assert_msg(r == 0,
	              "[%s] beneath_setxattr(\"f\", \"user.test\") = %s, expected ok "
	              "(the fs takes user xattrs: fsetxattr() worked). ops.c uses "
	              "setxattrat(O_PATH fd, \"\", AT_EMPTY_PATH), which Linux >= 6.13 refuses "
	              "with EBADF, and falls back to /proc/self/fd only on ENOSYS",
	              BN, tu_err(r));
	EXPECT(beneath_getxattr(&F.root, "f", "user.test", NULL, 0, 0, BEN), 2);
	memset(buf, 0, sizeof(buf));
	EXPECT(beneath_getxattr(&F.root, "lf", "user.test", buf, sizeof(buf), 0, BEN), 2);
	ck_assert_str_eq(buf, "v1");
	EXPECT(beneath_getxattr(&F.root, "f", "user.test", buf, 1, 0, BEN), -ERANGE);
	EXPECT(beneath_setxattr(&F.root, "lf", "user.test", "v2", 2, XATTR_CREATE, 0, BEN), -EEXIST);
	EXPECT(beneath_setxattr(&F.root, "f", "user.none", "v", 1, XATTR_REPLACE, 0, BEN), -ENODATA);
	EXPECT(beneath_setxattr(&F.root, "d", "user.dir", "dv", 2, 0, 0, BEN), 0);
	n = beneath_listxattr(&F.root, "f", buf, sizeof(buf), 0, BEN);
	ck_assert_msg(n > 0, "[%s] listxattr: %s", BN, tu_err(n));
	ck_assert(memmem(buf, (size_t)n, "user.test", 10) != NULL);
	EXPECT(beneath_listxattr(&F.root, "f", NULL, 0, 0, BEN), n);
	/* user xattrs are not allowed on symlinks */
	tu_fmt(host, "%s/lf", F.rootp);
	EXPECT_KERNEL(lsetxattr(host, "user.l", "v", 1, 0), -EPERM);
	EXPECT(beneath_setxattr(&F.root, "lf", "user.l", "v", 1, 0, AT_SYMLINK_NOFOLLOW, BEN), -EPERM);
	EXPECT(beneath_getxattr(&F.root, "lf", "user.test", buf, sizeof(buf), AT_SYMLINK_NOFOLLOW, BEN),
	       -ENODATA);
	EXPECT(beneath_getxattr(&F.root, "f", "user.none", buf, sizeof(buf), 0, BEN), -ENODATA);
	EXPECT(beneath_removexattr(&F.root, "lf", "user.test", 0, BEN), 0);
	EXPECT(beneath_removexattr(&F.root, "f", "user.test", 0, BEN), -ENODATA);
	EXPECT(beneath_getxattr(&F.root, "f", "user.test", buf, sizeof(buf), 0, BEN), -ENODATA);
	EXPECT(beneath_getxattr(&F.root, "f", "user.test", buf, sizeof(buf), AT_EMPTY_PATH, BEN), -EINVAL);
	EXPECT(beneath_getxattr(&F.root, "missing", "user.test", buf, sizeof(buf), 0, BEN), -ENOENT);
}
END_TEST

static int openat2_present(void)
{
	struct {
		uint64_t flags, mode, resolve;
	} how = { O_PATH | O_CLOEXEC, 0, 0 };
	long fd = syscall(SYS_openat2, AT_FDCWD, "/", &how, sizeof(how));

	if (fd >= 0)
		close((int)fd);
	return fd >= 0;
}

START_TEST(backend)
{
	pid_t pid;
	int status;

	ck_assert_str_eq(beneath_backend(BENEATH_BACKEND_WALKER), "walker");
	ck_assert_str_eq(beneath_backend(BENEATH_BACKEND_OPENAT2),
	                 openat2_present() ? "openat2" : "none");
	/* no openat2 flag keeps automounts untriggered */
	ck_assert_str_eq(beneath_backend(BENEATH_BACKEND_OPENAT2 | BENEATH_NO_AUTOMOUNT), "walker");
	ck_assert_str_eq(beneath_backend(BENEATH_NO_AUTOMOUNT), "walker");
	/* BENEATH_RESOLVER is read once per process: try it in a child that
	 * has not called the library yet (also right with CK_FORK=no) */
	pid = fork();
	ck_assert(pid >= 0);
	if (pid == 0) {
		int bad = 0;
		setenv("BENEATH_RESOLVER", "walker", 1);
		bad |= strcmp(beneath_backend(0), "walker") != 0;
		/* the per-call bit still wins */
		bad |= strcmp(beneath_backend(BENEATH_BACKEND_OPENAT2),
		              openat2_present() ? "openat2" : "none") != 0;
		_exit(bad);
	}
	ck_assert_int_eq(waitpid(pid, &status, 0), pid);
	ck_assert_msg(WIFEXITED(status) && WEXITSTATUS(status) == 0,
	              "BENEATH_RESOLVER=walker was not honoured");
	pid = fork();
	ck_assert(pid >= 0);
	if (pid == 0) {
		setenv("BENEATH_RESOLVER", "openat2", 1);
		_exit(strcmp(beneath_backend(0), openat2_present() ? "openat2" : "none") != 0 ||
		      strcmp(beneath_backend(BENEATH_BACKEND_WALKER), "walker") != 0);
	}
	ck_assert_int_eq(waitpid(pid, &status, 0), pid);
	ck_assert_msg(WIFEXITED(status) && WEXITSTATUS(status) == 0,
	              "BENEATH_RESOLVER=openat2 was not honoured");
}
END_TEST

/* ------------------------------------------------------------------------
 * Modes
 * ------------------------------------------------------------------------ */

static void build_mode_tree(void)
{
	char spec[PATH_MAX * 4];

	tu_fmt(spec,
	         "d a\nd a/b\nf a/f\nf top\n"
	         "l a/rel_in ../top\nl a/rel_out ../../out/secret\n"
	         "l abs_in %s/top\nl abs_top /top\nl abs_root /\nl dotdot ..\n"
	         "l a/abs_up /../a/f\nl abs_out %s\nl abs_sib %sx/top\n"
	         "l abs_updown %s/../root/top\nl abs_self %s\nl abs_new %s/a/created\n",
	         F.rootp, F.secretp, F.rootp, F.rootp, F.rootp, F.rootp);
	tu_build(F.rfd, spec);
}

TEST(mode_beneath)
{
	char abs[PATH_MAX * 2];

	build_mode_tree();
	EXPECT_OBJ(beneath_resolve(&F.root, "a/b/../f", BEN), "a/f");
	EXPECT_OBJ(beneath_resolve(&F.root, "a/rel_in", BEN), "top");
	EXPECT_OBJ(beneath_resolve(&F.root, "a/..", BEN), ".");
	EXPECT(beneath_resolve(&F.root, "/top", BEN), -EXDEV);
	EXPECT(beneath_resolve(&F.root, "/", BEN), -EXDEV);
	EXPECT(beneath_resolve(&F.root, "..", BEN), -EXDEV);
	EXPECT(beneath_resolve(&F.root, "a/../..", BEN), -EXDEV);
	/* leaving and coming back is still leaving */
	EXPECT(beneath_resolve(&F.root, "../root/top", BEN), -EXDEV);
	EXPECT(beneath_resolve(&F.root, "a/rel_out", BEN), -EXDEV);
	EXPECT(beneath_resolve(&F.root, "abs_in", BEN), -EXDEV);
	EXPECT(beneath_resolve(&F.root, "abs_root", BEN), -EXDEV);
	EXPECT(beneath_resolve(&F.root, "dotdot", BEN), -EXDEV);
	EXPECT(beneath_resolve(&F.root, "a/abs_up", BEN), -EXDEV);
	tu_fmt(abs, "%s/top", F.rootp);
	EXPECT(beneath_resolve(&F.root, abs, BEN), -EXDEV);
	EXPECT_OBJ(beneath_resolve(&F.root, "abs_in", BEN | BENEATH_NOFOLLOW), "abs_in");
}
END_TEST

TEST(mode_in_root)
{
	build_mode_tree();
	EXPECT_OBJ(beneath_resolve(&F.root, "/top", INR), "top");
	EXPECT_OBJ(beneath_resolve(&F.root, "/", INR), ".");
	EXPECT_OBJ(beneath_resolve(&F.root, "..", INR), ".");
	EXPECT_OBJ(beneath_resolve(&F.root, "../../../top", INR), "top");
	EXPECT_OBJ(beneath_resolve(&F.root, "a/../../top", INR), "top");
	EXPECT_OBJ(beneath_resolve(&F.root, "abs_top", INR), "top");
	EXPECT_OBJ(beneath_resolve(&F.root, "abs_root", INR), ".");
	EXPECT_OBJ(beneath_resolve(&F.root, "dotdot", INR), ".");
	EXPECT_OBJ(beneath_resolve(&F.root, "a/abs_up", INR), "a/f");
	EXPECT_OBJ(beneath_resolve(&F.root, "a/rel_in", INR), "top");
	/* host paths mean nothing inside: the root has no such dirs */
	EXPECT(beneath_resolve(&F.root, "abs_in", INR), -ENOENT);
	EXPECT(beneath_resolve(&F.root, "abs_out", INR), -ENOENT);
	EXPECT(beneath_resolve(&F.root, "a/rel_out", INR), -ENOENT);
}
END_TEST

TEST(mode_contain)
{
	char abs[PATH_MAX * 2], dots[PATH_MAX * 2];
	size_t j = 0;

	build_mode_tree();
	/* root.path with "//" and "/./" spelled in: still the root */
	for (const char *p = F.rootp; *p; p++) {
		dots[j++] = *p;
		if (*p == '/') {
			memcpy(dots + j, "./", 2);
			j += 2;
		}
	}
	strcpy(dots + j, "//a/./f");
	tu_build(F.rfd, "l a/abs_dots PLACEHOLDER\n");
	ck_assert_int_eq(unlinkat(F.rfd, "a/abs_dots", 0), 0);
	ck_assert_int_eq(symlinkat(dots, F.rfd, "a/abs_dots"), 0);

	EXPECT_OBJ(beneath_resolve(&F.root, "abs_in", CON), "top");
	EXPECT_OBJ(beneath_resolve(&F.root, "a/abs_dots", CON), "a/f");
	EXPECT_OBJ(beneath_resolve(&F.root, "abs_self", CON), ".");
	EXPECT_OBJ(beneath_resolve(&F.root, "a/rel_in", CON), "top");
	EXPECT_OBJ(beneath_resolve(&F.root, "a/b/../f", CON), "a/f");
	/* an absolute path naming something under root->path */
	tu_fmt(abs, "%s/a/f", F.rootp);
	EXPECT_OBJ(beneath_resolve(&F.root, abs, CON), "a/f");
	EXPECT_OBJ(beneath_open(&F.root, "abs_new", O_CREAT | O_WRONLY, 0644, CON), "a/created");
	EXPECT(beneath_mkdir(&F.root, abs, 0755, CON), -EEXIST);
	tu_fmt(abs, "%s/newdir", F.rootp);
	EXPECT(beneath_mkdir(&F.root, abs, 0755, CON), 0);
	ck_assert(S_ISDIR(mode_of(F.rfd, "newdir")));

	EXPECT(beneath_resolve(&F.root, "abs_out", CON), -EXDEV);
	EXPECT(beneath_resolve(&F.root, "abs_sib", CON), -EXDEV);
	EXPECT(beneath_resolve(&F.root, "abs_updown", CON), -EXDEV);
	EXPECT(beneath_resolve(&F.root, "abs_root", CON), -EXDEV);
	EXPECT(beneath_resolve(&F.root, "abs_top", CON), -EXDEV);
	EXPECT(beneath_resolve(&F.root, "a/abs_up", CON), -EXDEV);
	EXPECT(beneath_resolve(&F.root, "/top", CON), -EXDEV);
	EXPECT(beneath_resolve(&F.root, "..", CON), -EXDEV);
	EXPECT(beneath_resolve(&F.root, "dotdot", CON), -EXDEV);
	EXPECT(beneath_resolve(&F.root, "a/rel_out", CON), -EXDEV);
	outside_intact();
}
END_TEST

TEST(mode_contain_nopath)
{
	static const char *const paths[] = {
		"a/f", "a/rel_in", "a/rel_out", "abs_in", "abs_top", "abs_root", "dotdot",
		"a/abs_up", "abs_out", "abs_self", "/top", "/", "..", "a/../..", ".", "a/b/..",
		"missing", "a/f/", "abs_new",
	};
	char abs[PATH_MAX * 2];

	/* without a host path contain has nothing to recognise: beneath */
	build_mode_tree();
	for (size_t i = 0; i < sizeof(paths) / sizeof(paths[0]); i++) {
		int b = beneath_resolve(&F.root, paths[i], BEN);
		int c = beneath_resolve(&F.nopath, paths[i], CON);
		bool same = (b < 0 && c == b) || (b >= 0 && c >= 0 &&
		            tu_same(c, F.rfd, ".") == tu_same(b, F.rfd, "."));

		if (b >= 0 && c >= 0) {
			struct stat sb, sc;
			fstat(b, &sb);
			fstat(c, &sc);
			same = sb.st_ino == sc.st_ino && sb.st_dev == sc.st_dev;
		}
		if (b >= 0)
			close(b);
		if (c >= 0)
			close(c);
		ck_assert_msg(same, "[%s] \"%s\": beneath %s, contain without path %s", BN,
		              paths[i], tu_err(b), tu_err(c));
	}
	EXPECT(beneath_resolve(&F.nopath, "abs_in", CON), -EXDEV);
	tu_fmt(abs, "%s/a/f", F.rootp);
	EXPECT(beneath_resolve(&F.nopath, abs, CON), -EXDEV);
	EXPECT(beneath_open(&F.nopath, "abs_new", O_CREAT | O_WRONLY, 0644, CON), -EXDEV);
	ck_assert(!tu_exists(F.rfd, "a/created"));
}
END_TEST

TEST(mode_ops)
{
	char abs[PATH_MAX * 2], abs2[PATH_MAX * 2], buf[64];
	struct stat st;

	/* entry and object operations take the mode like resolution does */
	tu_build(F.rfd, "d d\nf d/f data\n");
	EXPECT(beneath_mkdir(&F.root, "/d/in", 0755, INR), 0);
	EXPECT(beneath_symlink("/d/f", &F.root, "/d/in/l", INR), 0);
	EXPECT(beneath_stat(&F.root, "/d/in/l", &st, 0, INR), 0);
	EXPECT(beneath_stat(&F.root, "d/in/l", &st, 0, BEN), -EXDEV);
	EXPECT(beneath_readlink(&F.root, "/../d/in/l", buf, sizeof(buf), INR), 4);
	EXPECT(beneath_rename(&F.root, "/d/in/l", &F.root, "/../l2", 0, INR), 0);
	ck_assert(S_ISLNK(mode_of(F.rfd, "l2")));
	EXPECT(beneath_unlink(&F.root, "/l2", 0, INR), 0);
	tu_fmt(abs, "%s/d/f", F.rootp);
	tu_fmt(abs2, "%s/d/g", F.rootp);
	EXPECT(beneath_link(&F.root, abs, &F.root, abs2, 0, CON), 0);
	EXPECT(beneath_chmod(&F.root, abs2, 0600, 0, CON), 0);
	ck_assert_int_eq(mode_of(F.rfd, "d/f"), S_IFREG | 0600);
	EXPECT(beneath_truncate(&F.root, abs2, 2, CON), 0);
	ck_assert_str_eq(tu_read(F.rfd, "d/f", buf, sizeof(buf)), "da");
	EXPECT(beneath_unlink(&F.root, abs2, 0, CON), 0);
	EXPECT(beneath_unlink(&F.root, abs2, 0, BEN), -EXDEV);
	EXPECT(beneath_unlink(&F.nopath, abs, 0, CON), -EXDEV);
	EXPECT(beneath_rename(&F.root, abs, &F.root, F.secretp, 0, CON), -EXDEV);
	outside_intact();
}
END_TEST


/* ------------------------------------------------------------------------
 * Options
 * ------------------------------------------------------------------------ */

TEST(opt_no_symlinks)
{
	static const unsigned int modes[] = { BENEATH_MODE_BENEATH, BENEATH_MODE_IN_ROOT,
	                                      BENEATH_MODE_CONTAIN };
	struct stat st;

	tu_build(F.rfd, "d d\nf d/f\nl l d/f\nl ld d\nl d/up ..\n");
	for (size_t m = 0; m < 3; m++) {
		unsigned int rf = modes[m] | B | BENEATH_NO_SYMLINKS;

		EXPECT_OBJ(beneath_resolve(&F.root, "d/f", rf), "d/f");
		EXPECT_OBJ(beneath_resolve(&F.root, "d/../d/./f", rf), "d/f");
		EXPECT(beneath_resolve(&F.root, "l", rf), -ELOOP);
		EXPECT(beneath_resolve(&F.root, "ld/f", rf), -ELOOP);
		EXPECT(beneath_resolve(&F.root, "ld/", rf), -ELOOP);
		EXPECT(beneath_resolve(&F.root, "d/up/d", rf), -ELOOP);
		EXPECT(beneath_open(&F.root, "l", O_RDONLY, 0, rf), -ELOOP);
		EXPECT(beneath_open(&F.root, "l", O_RDONLY | O_NOFOLLOW, 0, rf), -ELOOP);
		/* a final symlink that is not followed is no symlink met */
		EXPECT_OBJ(beneath_resolve(&F.root, "l", rf | BENEATH_NOFOLLOW), "l");
		EXPECT_OBJ(beneath_open(&F.root, "l", O_PATH | O_NOFOLLOW, 0, rf), "l");
		EXPECT(beneath_stat(&F.root, "l", &st, AT_SYMLINK_NOFOLLOW, rf), 0);
		EXPECT(beneath_stat(&F.root, "l", &st, 0, rf), -ELOOP);
		EXPECT(beneath_mkdir(&F.root, "ld/x", 0755, rf), -ELOOP);
	}
	ck_assert(!tu_exists(F.rfd, "d/x"));
}
END_TEST

TEST(opt_no_xdev)
{
	struct beneath_root slash = { .fd = -1, .path = "/" };
	uint64_t m_root = tu_mnt_id(AT_FDCWD, "/");
	uint64_t m_proc = tu_mnt_id(AT_FDCWD, "/proc");
	uint64_t m_dev = tu_mnt_id(AT_FDCWD, "/dev");
	char name[NAME_MAX + 2];
	int fd;

	/* on the temp dir's own mount nothing changes */
	tu_build(F.rfd, "d d\nf d/f\nl l d/f\n");
	EXPECT_OBJ(beneath_resolve(&F.root, "l", BEN | BENEATH_NO_XDEV), "d/f");
	EXPECT_OBJ(beneath_resolve(&F.root, "d/../d/f", INR | BENEATH_NO_XDEV), "d/f");
	EXPECT_OBJ(beneath_resolve(&F.root, ".", BEN | BENEATH_NO_XDEV), ".");

	if (!m_root || !m_proc || !m_dev || m_root == m_proc || m_root == m_dev) {
		printf("opt_no_xdev: /proc or /dev is not a separate mount here; "
		       "mount crossing not tested\n");
		return;
	}
	slash.fd = open("/", O_PATH | O_DIRECTORY | O_CLOEXEC);
	ck_assert(slash.fd >= 0);
	EXPECT(beneath_resolve(&slash, "proc/self", BEN | BENEATH_NO_XDEV), -EXDEV);
	EXPECT(beneath_resolve(&slash, "proc", BEN | BENEATH_NO_XDEV), -EXDEV);
	EXPECT(beneath_resolve(&slash, "dev/null", BEN | BENEATH_NO_XDEV), -EXDEV);
	EXPECT(beneath_open(&slash, "dev/null", O_RDONLY, 0, BEN | BENEATH_NO_XDEV), -EXDEV);
	EXPECT(beneath_resolve(&slash, "/dev/null", INR | BENEATH_NO_XDEV), -EXDEV);
	EXPECT(beneath_resolve(&slash, "dev/null", CON | BENEATH_NO_XDEV), -EXDEV);
	EXPECT(beneath_resolve_parent(&slash, "dev/x", BEN | BENEATH_NO_XDEV, name, sizeof(name)), -EXDEV);
	EXPECT(beneath_mkdir(&slash, "dev/x", 0755, BEN | BENEATH_NO_XDEV), -EXDEV);
	/* without the option the same paths resolve */
	fd = EXPECT_FD(beneath_open(&slash, "dev/null", O_RDONLY, 0, BEN));
	close(fd);
	/* the root's own mount is fine: "." and ".." within it */
	fd = EXPECT_FD(beneath_resolve(&slash, ".", BEN | BENEATH_NO_XDEV));
	close(fd);
	close(slash.fd);
}
END_TEST

TEST(opt_no_automount)
{
	const unsigned int rf = BEN | BENEATH_NO_AUTOMOUNT;
	int fd;

	/* openat2 has no flag for it: the walker always takes these calls */
	ck_assert_str_eq(beneath_backend(B | BENEATH_NO_AUTOMOUNT), "walker");
	tu_build(F.rfd, "d d\nf d/f x\nl l d/f\nl ld d\nl dang nowhere\n");
	EXPECT_OBJ(beneath_resolve(&F.root, "d/f", rf), "d/f");
	EXPECT_OBJ(beneath_resolve(&F.root, "l", rf), "d/f");
	EXPECT_OBJ(beneath_resolve(&F.root, "ld/f", rf), "d/f");
	EXPECT_OBJ(beneath_resolve(&F.root, "ld/", rf), "d");
	EXPECT_OBJ(beneath_resolve(&F.root, "d/../d/./f", rf), "d/f");
	EXPECT_OBJ(beneath_resolve(&F.root, ".", rf), ".");
	EXPECT_OBJ(beneath_resolve(&F.root, "l", rf | BENEATH_NOFOLLOW), "l");
	EXPECT_OBJ(beneath_resolve(&F.root, "/ld/f", INR | BENEATH_NO_AUTOMOUNT), "d/f");
	fd = EXPECT_FD(beneath_open(&F.root, "l", O_RDONLY, 0, rf));
	close(fd);
	EXPECT_OBJ(beneath_open(&F.root, "ld/new", O_CREAT | O_WRONLY, 0644, rf), "d/new");
	EXPECT(beneath_resolve(&F.root, "missing", rf), -ENOENT);
	EXPECT(beneath_resolve(&F.root, "dang", rf), -ENOENT);
	EXPECT(beneath_resolve(&F.root, "d/f/", rf), -ENOTDIR);
	EXPECT(beneath_resolve(&F.root, "..", rf), -EXDEV);
	EXPECT(beneath_mkdir(&F.root, "ld/sub", 0755, rf), 0);
}
END_TEST

TEST(opt_must_be)
{
	const unsigned int reg = BEN | BENEATH_MUST_BE_REG, dir = BEN | BENEATH_MUST_BE_DIR,
	                   sock = BEN | BENEATH_MUST_BE_SOCK;

	tu_build(F.rfd, "d d\nf f\nl lf f\nl ld d\np fifo\ns sock\nl lsock sock\n");
	EXPECT_OBJ(beneath_resolve(&F.root, "f", reg), "f");
	EXPECT_OBJ(beneath_resolve(&F.root, "lf", reg), "f");
	EXPECT(beneath_resolve(&F.root, "d", reg), -EISDIR);
	EXPECT(beneath_resolve(&F.root, "lf", reg | BENEATH_NOFOLLOW), -ELOOP);
	EXPECT(beneath_resolve(&F.root, "fifo", reg), -EBADFD);
	EXPECT(beneath_resolve(&F.root, "sock", reg), -EBADFD);
	EXPECT_OBJ(beneath_open(&F.root, "f", O_RDONLY, 0, reg), "f");
	EXPECT(beneath_open(&F.root, "d", O_RDONLY, 0, reg), -EISDIR);
	EXPECT(beneath_open(&F.root, "fifo", O_RDONLY | O_NONBLOCK, 0, reg), -EBADFD);

	EXPECT_OBJ(beneath_resolve(&F.root, "d", dir), "d");
	EXPECT_OBJ(beneath_resolve(&F.root, "ld", dir), "d");
	EXPECT_OBJ(beneath_resolve(&F.root, ".", dir), ".");
	EXPECT(beneath_resolve(&F.root, "f", dir), -ENOTDIR);
	EXPECT(beneath_resolve(&F.root, "ld", dir | BENEATH_NOFOLLOW), -ENOTDIR);
	EXPECT(beneath_resolve(&F.root, "fifo", dir), -ENOTDIR);
	EXPECT(beneath_open(&F.root, "f", O_RDONLY, 0, dir), -ENOTDIR);

	EXPECT_OBJ(beneath_resolve(&F.root, "sock", sock), "sock");
	EXPECT_OBJ(beneath_resolve(&F.root, "lsock", sock), "sock");
	EXPECT(beneath_resolve(&F.root, "f", sock), -ENOTSOCK);
	EXPECT(beneath_resolve(&F.root, "d", sock), -ENOTSOCK);
	EXPECT(beneath_resolve(&F.root, "lsock", sock | BENEATH_NOFOLLOW), -ENOTSOCK);

	EXPECT(beneath_resolve(&F.root, "f", BEN | BENEATH_MUST_BE_REG | BENEATH_MUST_BE_DIR), -EINVAL);
	EXPECT(beneath_resolve(&F.root, "f", BEN | BENEATH_MUST_BE_REG | BENEATH_MUST_BE_SOCK), -EINVAL);
	EXPECT(beneath_resolve(&F.root, "f", BEN | BENEATH_MUST_BE_DIR | BENEATH_MUST_BE_SOCK), -EINVAL);
}
END_TEST

TEST(opt_nofollow)
{
	const unsigned int nf = BEN | BENEATH_NOFOLLOW;

	tu_build(F.rfd, "d d\nf d/f\nl l d/f\nl ld d\nl dang nowhere\nl lout ../out/secret\n");
	EXPECT_OBJ(beneath_resolve(&F.root, "l", nf), "l");
	EXPECT_OBJ(beneath_resolve(&F.root, "lout", nf), "lout");
	/* only the final component is not followed */
	EXPECT_OBJ(beneath_resolve(&F.root, "ld/f", nf), "d/f");
	/* a trailing slash makes it a directory lookup: followed */
	EXPECT_OBJ(beneath_resolve(&F.root, "ld/", nf), "d");
	EXPECT_OBJ(beneath_resolve(&F.root, "ld/.", nf), "d");
	EXPECT_OBJ(beneath_resolve(&F.root, "dang", nf), "dang");
	EXPECT(beneath_resolve(&F.root, "dang", BEN), -ENOENT);
	EXPECT(beneath_open(&F.root, "l", O_RDONLY, 0, nf), -ELOOP);
	EXPECT(beneath_open(&F.root, "l", O_RDONLY | O_NOFOLLOW, 0, BEN), -ELOOP);
	EXPECT(beneath_open(&F.root, "ld", O_RDONLY | O_DIRECTORY, 0, nf), -ENOTDIR);
	EXPECT_OBJ(beneath_open(&F.root, "l", O_PATH, 0, nf), "l");
	EXPECT_OBJ(beneath_open(&F.root, "d/f", O_RDONLY, 0, nf), "d/f");
	EXPECT(beneath_open(&F.root, "lout", O_WRONLY | O_TRUNC, 0, nf), -ELOOP);
	outside_intact();
}
END_TEST

/*
 * BENEATH_SAME_OWNER. The root belongs to OWNER; FOREIGN is another user.
 * Root-only: the tree needs objects of other uids. The caller is root, so
 * what the calls create belongs to uid 0, which the option accepts.
 */
enum { OWNER = 1000, FOREIGN = 1234 };

static bool same_owner_runnable(const char *test)
{
	if (geteuid() == 0)
		return true;
	printf("%s: not running as root, cannot chown to other uids; skipped\n", test);
	return false;
}

/* chown REL (not following it; "" is DFD itself) to UID. */
static void own(int dfd, const char *rel, uid_t uid)
{
	ck_assert_msg(fchownat(dfd, rel, uid, (gid_t)-1, AT_SYMLINK_NOFOLLOW | AT_EMPTY_PATH) == 0,
	              "chown %s to %u: %s", rel, (unsigned int)uid, strerror(errno));
}

/*
 *   root            OWNER          x               FOREIGN
 *   own, own/sub    OWNER          x/f             OWNER (under a foreign dir)
 *   own/f, own/lf   OWNER          own/xf, own/xt  FOREIGN files
 *   own/rootf       uid 0          own/xfifo       FOREIGN FIFO
 *   own/lx -> ../x  OWNER link     own/xl -> f     FOREIGN link
 *   own/hl          hard link of out/secret, made FOREIGN
 */
static void same_owner_tree(void)
{
	static const char *const owner_objs[] = {
		"own", "own/sub", "own/sub/f", "own/f", "own/lf", "own/lx", "x/f",
	};
	static const char *const foreign_objs[] = {
		"x", "own/xf", "own/xt", "own/xfifo", "own/xl",
	};

	tu_build(F.rfd, "d own\nd own/sub\nf own/sub/f\nf own/f data\nf own/rootf data\n"
	                "l own/lf f\nl own/lx ../x\nd x\nf x/f\nf own/xf\nf own/xt data\n"
	                "p own/xfifo\nl own/xl f\n");
	ck_assert_int_eq(linkat(F.out, "secret", F.rfd, "own/hl", 0), 0);
	own(F.rfd, "", OWNER);
	for (size_t i = 0; i < sizeof(owner_objs) / sizeof(owner_objs[0]); i++)
		own(F.rfd, owner_objs[i], OWNER);
	for (size_t i = 0; i < sizeof(foreign_objs) / sizeof(foreign_objs[0]); i++)
		own(F.rfd, foreign_objs[i], FOREIGN);
	own(F.out, "secret", FOREIGN);
}

TEST(opt_same_owner)
{
	const unsigned int so = BEN | BENEATH_SAME_OWNER;
	char buf[64];

	if (!same_owner_runnable("opt_same_owner"))
		return;
	/* openat2 shows no directory on the way: the walker always */
	ck_assert_str_eq(beneath_backend(B | BENEATH_SAME_OWNER), "walker");
	same_owner_tree();

	/* the owner's and uid 0's objects */
	EXPECT_OBJ(beneath_resolve(&F.root, "own/f", so), "own/f");
	EXPECT_OBJ(beneath_open(&F.root, "own/f", O_RDONLY, 0, so), "own/f");
	EXPECT_OBJ(beneath_resolve(&F.root, "own/rootf", so), "own/rootf");
	EXPECT_OBJ(beneath_resolve(&F.root, "own/sub/../lf", so), "own/f");
	EXPECT_OBJ(beneath_resolve(&F.root, "own/lx", so | BENEATH_NOFOLLOW), "own/lx");
	EXPECT_OBJ(beneath_resolve(&F.root, ".", so), ".");
	EXPECT_OBJ(beneath_resolve(&F.root, "/own/f", INR | BENEATH_SAME_OWNER), "own/f");
	EXPECT_OBJ(beneath_resolve(&F.root, "own/f", CON | BENEATH_SAME_OWNER), "own/f");

	/* a foreign final object: file, directory, hard link from outside */
	EXPECT(beneath_resolve(&F.root, "own/xf", so), -EXDEV);
	EXPECT(beneath_open(&F.root, "own/xf", O_RDONLY, 0, so), -EXDEV);
	EXPECT(beneath_resolve(&F.root, "x", so), -EXDEV);
	EXPECT(beneath_resolve(&F.root, "own/hl", so), -EXDEV);
	EXPECT(beneath_open(&F.root, "own/hl", O_WRONLY | O_TRUNC, 0, so), -EXDEV);
	outside_intact();
	/* refused before open(2) acts: no truncation, no blocking FIFO */
	EXPECT(beneath_open(&F.root, "own/xt", O_WRONLY | O_TRUNC, 0, so), -EXDEV);
	ck_assert_str_eq(tu_read(F.rfd, "own/xt", buf, sizeof(buf)), "data");
	EXPECT(beneath_open(&F.root, "own/xfifo", O_RDONLY, 0, so), -EXDEV);

	/* a foreign directory on the way, also when left again with ".." */
	EXPECT(beneath_resolve(&F.root, "x/f", so), -EXDEV);
	EXPECT(beneath_resolve(&F.root, "x/../own/f", so), -EXDEV);
	EXPECT(beneath_resolve(&F.root, "/x/f", INR | BENEATH_SAME_OWNER), -EXDEV);
	EXPECT(beneath_open(&F.root, "x/new", O_CREAT | O_WRONLY, 0644, so), -EXDEV);
	ck_assert(!tu_exists(F.rfd, "x/new"));

	/* symlinks: to a foreign directory, and a foreign link itself */
	EXPECT(beneath_resolve(&F.root, "own/lx", so), -EXDEV);
	EXPECT(beneath_resolve(&F.root, "own/lx/f", so), -EXDEV);
	EXPECT(beneath_resolve(&F.root, "own/lx/", so | BENEATH_NOFOLLOW), -EXDEV);
	EXPECT(beneath_resolve(&F.root, "own/xl", so), -EXDEV);
	EXPECT(beneath_resolve(&F.root, "own/xl", so | BENEATH_NOFOLLOW), -EXDEV);

	/* O_TRUNC still truncates what the option accepts */
	close(EXPECT_FD(beneath_open(&F.root, "own/f", O_WRONLY | O_TRUNC, 0, so)));
	ck_assert_str_eq(tu_read(F.rfd, "own/f", buf, sizeof(buf)), "");
	close(EXPECT_FD(beneath_open(&F.root, "own/rootf", O_RDWR | O_TRUNC | O_APPEND, 0, so)));
	ck_assert_str_eq(tu_read(F.rfd, "own/rootf", buf, sizeof(buf)), "");
	/* created by the caller, uid 0 */
	EXPECT_OBJ(beneath_open(&F.root, "own/new", O_CREAT | O_WRONLY | O_TRUNC, 0644, so), "own/new");
}
END_TEST

TEST(opt_same_owner_parent)
{
	const unsigned int so = BEN | BENEATH_SAME_OWNER;
	char name[NAME_MAX + 2];
	int fd;

	if (!same_owner_runnable("opt_same_owner_parent"))
		return;
	same_owner_tree();

	/* the directories leading to the last name are checked ... */
	EXPECT(beneath_resolve_parent(&F.root, "x/new", so, name, sizeof(name)), -EXDEV);
	EXPECT(beneath_resolve_parent(&F.root, "own/lx/new", so, name, sizeof(name)), -EXDEV);
	EXPECT(beneath_resolve_parent(&F.root, "x/..", so, name, sizeof(name)), -EXDEV);
	EXPECT(beneath_mkdir(&F.root, "x/d", 0755, so), -EXDEV);
	EXPECT(beneath_unlink(&F.root, "x/f", 0, so), -EXDEV);
	EXPECT(beneath_mkdir_p(&F.root, "own/lx/a/b", 0755, so), -EXDEV);
	ck_assert(!tu_exists(F.rfd, "x/d") && tu_exists(F.rfd, "x/f") && !tu_exists(F.rfd, "x/a"));
	/* ... the name itself is not: the *at call does not follow it */
	fd = EXPECT_FD(beneath_resolve_parent(&F.root, "own/xf", so, name, sizeof(name)));
	ck_assert(tu_same(fd, F.rfd, "own"));
	close(fd);
	ck_assert_str_eq(name, "xf");
	fd = EXPECT_FD(beneath_resolve_parent(&F.root, "own/sub/f", so, name, sizeof(name)));
	close(fd);
	EXPECT(beneath_mkdir(&F.root, "own/d", 0755, so), 0);
	EXPECT_OBJ(beneath_mkdir_p(&F.root, "own/sub/a/b", 0755, so), "own/sub/a/b");
	/* object operations resolve the object: checked */
	EXPECT(beneath_chmod(&F.root, "own/xf", 0600, 0, so), -EXDEV);
	ck_assert_int_eq(mode_of(F.rfd, "own/xf") & 07777, 0644);
	EXPECT(beneath_truncate(&F.root, "own/xt", 0, so), -EXDEV);
	EXPECT(beneath_link(&F.root, "own/xl", &F.root, "own/h", AT_SYMLINK_FOLLOW, so), -EXDEV);
	EXPECT(beneath_unlink(&F.root, "own/xf", 0, so), 0);
}
END_TEST

/* The same tree without the option: every call above succeeds. */
TEST(opt_same_owner_off)
{
	static const char *const paths[] = {
		"own/xf", "x", "x/f", "x/../own/f", "own/lx", "own/lx/f", "own/xl", "own/hl",
	};
	char name[NAME_MAX + 2];
	struct stat st;

	if (!same_owner_runnable("opt_same_owner_off"))
		return;
	same_owner_tree();
	for (size_t i = 0; i < sizeof(paths) / sizeof(paths[0]); i++) {
		close(EXPECT_FD(beneath_resolve(&F.root, paths[i], BEN)));
		EXPECT(beneath_stat(&F.root, paths[i], &st, 0, BEN), 0);
	}
	close(EXPECT_FD(beneath_open(&F.root, "own/xfifo", O_RDONLY | O_NONBLOCK, 0, BEN)));
	close(EXPECT_FD(beneath_resolve(&F.root, "own/xl", BEN | BENEATH_NOFOLLOW)));
	close(EXPECT_FD(beneath_resolve(&F.root, "/x/f", INR)));
	close(EXPECT_FD(beneath_resolve_parent(&F.root, "x/new", BEN, name, sizeof(name))));
	close(EXPECT_FD(beneath_resolve_parent(&F.root, "own/lx/new", BEN, name, sizeof(name))));
	close(EXPECT_FD(beneath_open(&F.root, "x/new", O_CREAT | O_WRONLY, 0644, BEN)));
	EXPECT(beneath_mkdir(&F.root, "x/d", 0755, BEN), 0);
	EXPECT(beneath_chmod(&F.root, "own/xf", 0600, 0, BEN), 0);
	EXPECT(beneath_truncate(&F.root, "own/xt", 0, BEN), 0);
	ck_assert_str_eq(beneath_backend(B), BN);
}
END_TEST

/* ------------------------------------------------------------------------
 * Error paths
 * ------------------------------------------------------------------------ */

/* Every public call that takes a root and a path, in one shape. */
typedef long (*api_fn)(const struct beneath_root *root, const char *path, unsigned int rflags);

static long fd_ok(long r)
{
	if (r >= 0)
		close((int)r);
	return r >= 0 ? 0 : r;
}

static long w_open(const struct beneath_root *r, const char *p, unsigned int f)
{
	return fd_ok(beneath_open(r, p, O_RDONLY, 0, f));
}
static long w_resolve(const struct beneath_root *r, const char *p, unsigned int f)
{
	return fd_ok(beneath_resolve(r, p, f));
}
static long w_parent(const struct beneath_root *r, const char *p, unsigned int f)
{
	char n[NAME_MAX + 2];
	return fd_ok(beneath_resolve_parent(r, p, f, n, sizeof(n)));
}
static long w_mkdir_p(const struct beneath_root *r, const char *p, unsigned int f)
{
	return fd_ok(beneath_mkdir_p(r, p, 0755, f));
}
static long w_mkdir(const struct beneath_root *r, const char *p, unsigned int f)
{
	return beneath_mkdir(r, p, 0755, f);
}
static long w_mknod(const struct beneath_root *r, const char *p, unsigned int f)
{
	return beneath_mknod(r, p, S_IFIFO | 0644, 0, f);
}
static long w_unlink(const struct beneath_root *r, const char *p, unsigned int f)
{
	return beneath_unlink(r, p, 0, f);
}
static long w_rmdir(const struct beneath_root *r, const char *p, unsigned int f)
{
	return beneath_unlink(r, p, AT_REMOVEDIR, f);
}
static long w_rename_old(const struct beneath_root *r, const char *p, unsigned int f)
{
	return beneath_rename(r, p, &F.root, "zz_new", 0, f);
}
static long w_rename_new(const struct beneath_root *r, const char *p, unsigned int f)
{
	return beneath_rename(&F.root, "zz_src", r, p, 0, f);
}
static long w_link_old(const struct beneath_root *r, const char *p, unsigned int f)
{
	return beneath_link(r, p, &F.root, "zz_new", 0, f);
}
static long w_link_new(const struct beneath_root *r, const char *p, unsigned int f)
{
	return beneath_link(&F.root, "zz_src", r, p, 0, f);
}
static long w_symlink(const struct beneath_root *r, const char *p, unsigned int f)
{
	return beneath_symlink("t", r, p, f);
}
static long w_readlink(const struct beneath_root *r, const char *p, unsigned int f)
{
	char buf[16];
	return beneath_readlink(r, p, buf, sizeof(buf), f);
}
static long w_stat(const struct beneath_root *r, const char *p, unsigned int f)
{
	struct stat st;
	return beneath_stat(r, p, &st, 0, f);
}
static long w_statx(const struct beneath_root *r, const char *p, unsigned int f)
{
	struct statx stx;
	return beneath_statx(r, p, 0, STATX_BASIC_STATS, &stx, f);
}
static long w_access(const struct beneath_root *r, const char *p, unsigned int f)
{
	return beneath_access(r, p, F_OK, 0, f);
}
static long w_chmod(const struct beneath_root *r, const char *p, unsigned int f)
{
	return beneath_chmod(r, p, 0600, 0, f);
}
static long w_chown(const struct beneath_root *r, const char *p, unsigned int f)
{
	return beneath_chown(r, p, (uid_t)-1, (gid_t)-1, 0, f);
}
static long w_utimens(const struct beneath_root *r, const char *p, unsigned int f)
{
	return beneath_utimens(r, p, NULL, 0, f);
}
static long w_truncate(const struct beneath_root *r, const char *p, unsigned int f)
{
	return beneath_truncate(r, p, 0, f);
}
static long w_getxattr(const struct beneath_root *r, const char *p, unsigned int f)
{
	char buf[16];
	return beneath_getxattr(r, p, "user.x", buf, sizeof(buf), 0, f);
}
static long w_setxattr(const struct beneath_root *r, const char *p, unsigned int f)
{
	return beneath_setxattr(r, p, "user.x", "v", 1, 0, 0, f);
}
static long w_listxattr(const struct beneath_root *r, const char *p, unsigned int f)
{
	char buf[64];
	return beneath_listxattr(r, p, buf, sizeof(buf), 0, f);
}
static long w_removexattr(const struct beneath_root *r, const char *p, unsigned int f)
{
	return beneath_removexattr(r, p, "user.x", 0, f);
}

static const struct {
	const char *name;
	api_fn fn;
} api_calls[] = {
	{ "open", w_open },           { "resolve", w_resolve },
	{ "resolve_parent", w_parent }, { "mkdir_p", w_mkdir_p },
	{ "mkdir", w_mkdir },         { "mknod", w_mknod },
	{ "unlink", w_unlink },       { "unlink(AT_REMOVEDIR)", w_rmdir },
	{ "rename(old)", w_rename_old }, { "rename(new)", w_rename_new },
	{ "link(old)", w_link_old },  { "link(new)", w_link_new },
	{ "symlink", w_symlink },     { "readlink", w_readlink },
	{ "stat", w_stat },           { "statx", w_statx },
	{ "access", w_access },       { "chmod", w_chmod },
	{ "chown", w_chown },         { "utimens", w_utimens },
	{ "truncate", w_truncate },   { "getxattr", w_getxattr },
	{ "setxattr", w_setxattr },   { "listxattr", w_listxattr },
	{ "removexattr", w_removexattr },
};

#define N_API (sizeof(api_calls) / sizeof(api_calls[0]))

/* The argument checks come before any lookup, for every call. */
TEST(err_args)
{
	const struct beneath_root badfd = { .fd = -1, .path = F.rootp };
	const struct {
		const struct beneath_root *root;
		const char *path;
		unsigned int rflags;
		long want;
		const char *what;
	} cases[] = {
		{ NULL, "nx", BEN, -EINVAL, "NULL root" },
		{ &badfd, "nx", BEN, -EBADF, "root.fd = -1" },
		{ &F.root, NULL, BEN, -EFAULT, "NULL path" },
		{ &F.root, "", BEN, -ENOENT, "empty path" },
		{ &F.root, "nx", BEN | (1u << 20), -EINVAL, "unknown rflags bit 20" },
		{ &F.root, "nx", BEN | (1u << 31), -EINVAL, "unknown rflags bit 31" },
		{ &F.root, "nx", BENEATH_BACKEND_OPENAT2 | BENEATH_BACKEND_WALKER, -EINVAL,
		  "both backend bits" },
		{ &F.root, "nx", BEN | BENEATH_MUST_BE_REG | BENEATH_MUST_BE_DIR, -EINVAL,
		  "two MUST_BE bits" },
		{ &F.root, "nx", BEN | BENEATH_MUST_BE_DIR | BENEATH_MUST_BE_SOCK, -EINVAL,
		  "two MUST_BE bits" },
		{ &F.root, "nx", B | BENEATH_MODE_MASK, -EINVAL, "mode 3" },
	};

	tu_build(F.rfd, "f zz_src\n");
	for (size_t c = 0; c < sizeof(cases) / sizeof(cases[0]); c++) {
		for (size_t i = 0; i < N_API; i++) {
			long r;

			r = api_calls[i].fn(cases[c].root, cases[c].path, cases[c].rflags);

			ck_assert_msg(r == cases[c].want, "[%s] beneath_%s with %s: got %s, expected %s",
			              BN, api_calls[i].name, cases[c].what, tu_err(r),
			              tu_err(cases[c].want));
		}
	}
	/* nothing may have been created by a call that should have failed */
	ck_assert_int_eq(count_entries(F.rfd), 1);
}
END_TEST

TEST(err_path_max)
{
	char p[PATH_MAX * 2];

	tu_build(F.rfd, "d d\n");
	/* PATH_MAX - 1 bytes: the longest path the kernel takes */
	repeat(p, "d", "/.", (PATH_MAX - 2) / 2, "");
	ck_assert_int_eq(strlen(p), PATH_MAX - 1);
	EXPECT_KERNEL(kopen(p, O_PATH), 0);
	EXPECT_OBJ(beneath_resolve(&F.root, p, BEN), "d");
	EXPECT_OBJ(beneath_resolve(&F.root, p, INR), "d");
	/* PATH_MAX bytes (with the NUL, one more than fits) */
	strcat(p, "/");
	ck_assert_int_eq(strlen(p), PATH_MAX);
	EXPECT_KERNEL(kopen(p, O_PATH), -ENAMETOOLONG);
	EXPECT(beneath_resolve(&F.root, p, BEN), -ENAMETOOLONG);
	EXPECT(beneath_open(&F.root, p, O_RDONLY, 0, INR), -ENAMETOOLONG);
	EXPECT(w_parent(&F.root, p, BEN), -ENAMETOOLONG);
	EXPECT(beneath_mkdir_p(&F.root, p, 0755, BEN), -ENAMETOOLONG);
	repeat(p, "d", "/.", 2500, "");
	EXPECT_KERNEL(kopen(p, O_PATH), -ENAMETOOLONG);
	EXPECT(beneath_resolve(&F.root, p, BEN), -ENAMETOOLONG);
	EXPECT(beneath_stat(&F.root, p, &(struct stat){ 0 }, 0, BEN), -ENAMETOOLONG);
	/* the same limits for an entry operation */
	repeat(p, "d", "/.", (PATH_MAX - 6) / 2, "/nnn");
	ck_assert_int_eq(strlen(p), PATH_MAX - 1);
	EXPECT(beneath_mkdir(&F.root, p, 0755, BEN), 0);
	ck_assert(tu_exists(F.rfd, "d/nnn"));
	repeat(p, "d", "/.", (PATH_MAX - 6) / 2, "/nnnn");
	EXPECT(beneath_mkdir(&F.root, p, 0755, BEN), -ENAMETOOLONG);
	EXPECT(beneath_unlink(&F.root, p, 0, BEN), -ENAMETOOLONG);
	ck_assert(!tu_exists(F.rfd, "d/nnnn"));
}
END_TEST

TEST(err_name_max)
{
	char n255[NAME_MAX + 1], n256[NAME_MAX + 2], p[PATH_MAX];

	memset(n255, 'n', NAME_MAX);
	n255[NAME_MAX] = '\0';
	memset(n256, 'm', NAME_MAX + 1);
	n256[NAME_MAX + 1] = '\0';
	tu_build(F.rfd, "d d\n");
	EXPECT_OBJ(beneath_open(&F.root, n255, O_CREAT | O_WRONLY, 0644, BEN), n255);
	EXPECT_KERNEL(kopen(n256, O_CREAT | O_WRONLY), -ENAMETOOLONG);
	EXPECT(beneath_open(&F.root, n256, O_CREAT | O_WRONLY, 0644, BEN), -ENAMETOOLONG);
	EXPECT(beneath_resolve(&F.root, n256, BEN), -ENAMETOOLONG);
	tu_fmt(p, "d/%s/x", n256);
	EXPECT_KERNEL(kopen(p, O_PATH), -ENAMETOOLONG);
	EXPECT(beneath_resolve(&F.root, p, BEN), -ENAMETOOLONG);
	EXPECT(beneath_mkdir(&F.root, n256, 0755, BEN), -ENAMETOOLONG);
	EXPECT(beneath_mkdir_p(&F.root, p, 0755, BEN), -ENAMETOOLONG);
	tu_fmt(p, "d/%s", n256);
	EXPECT(beneath_mkdir(&F.root, p, 0755, BEN), -ENAMETOOLONG);
	/* a long name reached through a symlink */
	ck_assert_int_eq(symlinkat(n256, F.rfd, "l"), 0);
	EXPECT_KERNEL(kopen("l", O_PATH), -ENAMETOOLONG);
	EXPECT(beneath_resolve(&F.root, "l", BEN), -ENAMETOOLONG);
	ck_assert_int_eq(count_entries(F.rfd), 3);
}
END_TEST

TEST(err_symlink_loops)
{
	static const unsigned int modes[] = { BENEATH_MODE_BENEATH, BENEATH_MODE_IN_ROOT,
	                                      BENEATH_MODE_CONTAIN };

	tu_build(F.rfd, "l self self\nl a b\nl b a\nd d\nl d/up ../d/up\nl slash self/\n"
	                "l abs /abs\n");
	EXPECT_KERNEL(kopen("self", O_PATH), -ELOOP);
	for (size_t m = 0; m < 3; m++) {
		unsigned int rf = modes[m] | B;

		EXPECT(beneath_resolve(&F.root, "self", rf), -ELOOP);
		EXPECT(beneath_resolve(&F.root, "a", rf), -ELOOP);
		EXPECT(beneath_resolve(&F.root, "self/x", rf), -ELOOP);
		EXPECT(beneath_resolve(&F.root, "d/up", rf), -ELOOP);
		EXPECT(beneath_resolve(&F.root, "slash", rf), -ELOOP);
		EXPECT(beneath_open(&F.root, "a", O_CREAT | O_WRONLY, 0644, rf), -ELOOP);
		EXPECT(beneath_mkdir(&F.root, "b/x", 0755, rf), -ELOOP);
		EXPECT_OBJ(beneath_resolve(&F.root, "self", rf | BENEATH_NOFOLLOW), "self");
	}
	EXPECT(beneath_resolve(&F.root, "abs", INR), -ELOOP);
	EXPECT(beneath_resolve(&F.root, "abs", BEN), -EXDEV);
}
END_TEST

TEST(err_symlink_40_41)
{
	char name[32], target[32], p[64];

	/* s40 -> f, s39 -> s40, ..., s0 -> s1: resolving sK follows 41 - K
	 * links; the kernel allows 40 (MAXSYMLINKS) */
	tu_build(F.rfd, "d d\nf d/f\n");
	for (int i = 0; i <= 40; i++) {
		tu_fmt(name, "s%d", i);
		tu_fmt(target, i == 40 ? "d/f" : "s%d", i + 1);
		ck_assert_int_eq(symlinkat(target, F.rfd, name), 0);
		tu_fmt(name, "t%d", i);
		tu_fmt(target, i == 40 ? "d" : "t%d", i + 1);
		ck_assert_int_eq(symlinkat(target, F.rfd, name), 0);
	}
	EXPECT_KERNEL(kopen("s1", O_PATH), 0);
	EXPECT_KERNEL(kopen("s0", O_PATH), -ELOOP);
	EXPECT_OBJ(beneath_resolve(&F.root, "s1", BEN), "d/f");
	EXPECT_OBJ(beneath_open(&F.root, "s1", O_RDONLY, 0, INR), "d/f");
	EXPECT(beneath_resolve(&F.root, "s0", BEN), -ELOOP);
	EXPECT(beneath_open(&F.root, "s0", O_RDONLY, 0, INR), -ELOOP);
	/* the same count for links met in the middle of a path */
	EXPECT_OBJ(beneath_resolve(&F.root, "t1/f", BEN), "d/f");
	EXPECT(beneath_resolve(&F.root, "t0/f", BEN), -ELOOP);
	EXPECT(beneath_mkdir(&F.root, "t1/new", 0755, BEN), 0);
	EXPECT(beneath_mkdir(&F.root, "t0/new2", 0755, BEN), -ELOOP);
	/* and summed over one resolution: 20 + 21 */
	EXPECT_OBJ(beneath_resolve(&F.root, "t21/../s21", BEN), "d/f");
	tu_fmt(p, "t20/../s21");
	EXPECT(beneath_resolve(&F.root, p, BEN), -ELOOP);
}
END_TEST

TEST(err_magic_links)
{
	static const unsigned int modes[] = { BENEATH_MODE_BENEATH, BENEATH_MODE_IN_ROOT,
	                                      BENEATH_MODE_CONTAIN };
	struct beneath_root pr = { .path = "/proc/self" }, slash = { .path = "/" };
	char fdp[64], spec[PATH_MAX * 2], p[PATH_MAX * 2];
	struct stat st;

	/* the test's own /proc/<pid>, so fd/N names our descriptors */
	pr.fd = open("/proc/self", O_PATH | O_DIRECTORY | O_CLOEXEC);
	slash.fd = open("/", O_PATH | O_DIRECTORY | O_CLOEXEC);
	ck_assert(pr.fd >= 0 && slash.fd >= 0);
	tu_fmt(fdp, "fd/%d", F.rfd);
	for (size_t m = 0; m < 3; m++) {
		unsigned int rf = modes[m] | B;

		/* never followed, even to a directory inside the root */
		EXPECT(beneath_resolve(&pr, fdp, rf), -ELOOP);
		EXPECT(beneath_open(&pr, fdp, O_RDONLY | O_DIRECTORY, 0, rf), -ELOOP);
		tu_fmt(p, "%s/.", fdp);
		EXPECT(beneath_resolve(&pr, p, rf), -ELOOP);
		EXPECT(beneath_resolve(&pr, "root", rf), -ELOOP);
		EXPECT(beneath_resolve(&pr, "root/etc", rf), -ELOOP);
		EXPECT(beneath_resolve(&pr, "cwd", rf), -ELOOP);
		EXPECT(beneath_resolve(&pr, "exe", rf), -ELOOP);
		EXPECT(beneath_stat(&pr, "exe", &st, 0, rf), -ELOOP);
		/* not following a final magic link is allowed: the link */
		EXPECT(beneath_stat(&pr, fdp, &st, AT_SYMLINK_NOFOLLOW, rf), 0);
		ck_assert(S_ISLNK(st.st_mode));
	}
	/* from "/", through the real /proc */
	EXPECT(beneath_resolve(&slash, "proc/self/root", BEN), -ELOOP);
	EXPECT(beneath_resolve(&slash, "/proc/self/root/etc", INR), -ELOOP);
	tu_fmt(p, "/proc/self/%s", fdp);
	EXPECT(beneath_resolve(&slash, p, INR), -ELOOP);

	/* symlinks planted in the tree that aim at magic links */
	tu_fmt(spec,
	         "l pr /proc/self/root\nl pfd /proc/self/%s\nl rel ../../../../../../../../../proc/self/root\n"
	         "l prc /proc/self/cwd/\n", fdp);
	tu_build(F.rfd, spec);
	/* in_root: /proc is the root's own proc, which does not exist */
	EXPECT(beneath_resolve(&F.root, "pr", INR), -ENOENT);
	EXPECT(beneath_resolve(&F.root, "pr/etc", INR), -ENOENT);
	EXPECT(beneath_resolve(&F.root, "pfd", INR), -ENOENT);
	EXPECT(beneath_resolve(&F.root, "rel", INR), -ENOENT);
	EXPECT(beneath_resolve(&F.root, "prc", INR), -ENOENT);
	/* beneath and contain: an absolute target outside */
	EXPECT(beneath_resolve(&F.root, "pr", BEN), -EXDEV);
	EXPECT(beneath_resolve(&F.root, "pfd", CON), -EXDEV);
	EXPECT(beneath_resolve(&F.nopath, "pr", CON), -EXDEV);
	EXPECT(beneath_resolve(&F.root, "rel", BEN), -EXDEV);
	EXPECT(beneath_resolve(&F.root, "rel", CON), -EXDEV);
	/* with a root of "/" the same links do reach /proc: refused */
	tu_fmt(p, "%s/pr", F.rootp + 1);
	EXPECT(beneath_resolve(&slash, p, INR), -ELOOP);
	tu_fmt(p, "%s/pfd", F.rootp + 1);
	EXPECT(beneath_resolve(&slash, p, INR), -ELOOP);
	close(pr.fd);
	close(slash.fd);
}
END_TEST

/* Highest open fd of this process. */
static int highest_fd(void)
{
	DIR *d = opendir("/proc/self/fd");
	struct dirent *e;
	int hi = -1, self = dirfd(d);

	while ((e = readdir(d))) {
		int n = atoi(e->d_name);
		if (e->d_name[0] != '.' && n != self && n > hi)
			hi = n;
	}
	closedir(d);
	return hi;
}

TEST(err_emfile)
{
	char deep[PATH_MAX * 2];
	struct rlimit old, lim;
	long r_none, r_mk, r_parent, r_few;
	bool few_same = false;
	int dups[1100], nd = 0, hi;

	if (getenv("BENEATH_UNDER_VALGRIND")) {
		printf("err_emfile: skipped under valgrind, which keeps descriptors of its "
		       "own near RLIMIT_NOFILE\n");
		return;
	}
	if (getenv("LD_PRELOAD") && strstr(getenv("LD_PRELOAD"), "libbeneath-preload")) {
		printf("err_emfile: skipped under libbeneath-preload.so (a hardening run), which "
		       "keeps descriptors of its own near RLIMIT_NOFILE\n");
		return;
	}

	/* 50 levels: the walker holds up to 32 ancestors open */
	mkdir_chain(F.rfd, "d", 50);
	repeat(deep, "", "d/", 50, "f");
	ck_assert_int_eq(openat(F.rfd, deep, O_CREAT | O_WRONLY | O_CLOEXEC, 0644) >= 0 ? 0 : -1, 0);
	/* (closed below: find it as the highest fd) */
	hi = highest_fd();
	close(hi);
	hi = highest_fd();

	ck_assert_int_eq(getrlimit(RLIMIT_NOFILE, &old), 0);
	lim = old;
	lim.rlim_cur = (rlim_t)hi + 1 + 4;
	/* No ck_assert while the limit is low: a failure report may need
	 * descriptors of its own. */
	setrlimit(RLIMIT_NOFILE, &lim);
	/* no descriptor left at all */
	while (nd < (int)(sizeof(dups) / sizeof(dups[0]))) {
		int d = fcntl(F.rfd, F_DUPFD_CLOEXEC, 0);
		if (d < 0)
			break;
		dups[nd++] = d;
	}
	r_none = beneath_open(&F.root, deep, O_RDONLY, 0, BEN);
	r_mk = beneath_mkdir(&F.root, "d/d/newdir", 0755, BEN);
	r_parent = w_parent(&F.root, deep, BEN);
	for (int i = 0; i < nd; i++)
		close(dups[i]);
	/* four left: enough for openat2, not for the walker's ancestors */
	r_few = beneath_open(&F.root, deep, O_RDONLY, 0, BEN);
	if (r_few >= 0) {
		few_same = tu_same((int)r_few, F.rfd, deep);
		close((int)r_few);
	}
	setrlimit(RLIMIT_NOFILE, &old);

	ck_assert_msg(nd > 0, "could not fill the descriptor table");
	ck_assert_msg(r_none == -EMFILE, "[%s] open with no free fd: %s, expected EMFILE", BN,
	              tu_err(r_none));
	ck_assert_msg(r_mk == -EMFILE, "[%s] mkdir with no free fd: %s, expected EMFILE", BN,
	              tu_err(r_mk));
	ck_assert_msg(r_parent == -EMFILE, "[%s] resolve_parent with no free fd: %s", BN,
	              tu_err(r_parent));
	ck_assert(!tu_exists(F.rfd, "d/d/newdir"));
	if (B == BENEATH_BACKEND_OPENAT2)
		ck_assert_msg(r_few >= 0 && few_same, "[%s] open with 4 free fds: %s", BN, tu_err(r_few));
	else
		ck_assert_msg((r_few >= 0 && few_same) || r_few == -EMFILE,
		              "[%s] open with 4 free fds: %s, expected the file or EMFILE", BN,
		              tu_err(r_few));
}
END_TEST

TEST(trailing_slashes)
{
	tu_build(F.rfd, "d d\nf f\nl ld d\nl lf f\nd e\n");
	EXPECT_KERNEL(kopen("f/", O_RDONLY), -ENOTDIR);
	EXPECT(beneath_open(&F.root, "f/", O_RDONLY, 0, BEN), -ENOTDIR);
	EXPECT(beneath_open(&F.root, "f/", O_PATH, 0, BEN), -ENOTDIR);
	EXPECT(beneath_open(&F.root, "f//", O_PATH | O_NOFOLLOW, 0, INR), -ENOTDIR);
	EXPECT(beneath_open(&F.root, "lf/", O_RDONLY, 0, BEN), -ENOTDIR);
	EXPECT_OBJ(beneath_open(&F.root, "d/", O_RDONLY, 0, BEN), "d");
	EXPECT_OBJ(beneath_open(&F.root, "d//", O_PATH, 0, BEN), "d");
	EXPECT_OBJ(beneath_open(&F.root, "ld/", O_RDONLY, 0, BEN), "d");
	EXPECT_OBJ(beneath_open(&F.root, "ld/", O_PATH | O_NOFOLLOW, 0, BEN), "d");
	/* O_CREAT with a trailing slash: the kernel's EISDIR */
	EXPECT_KERNEL(kopen("knew/", O_CREAT | O_WRONLY), -EISDIR);
	EXPECT(beneath_open(&F.root, "new/", O_CREAT | O_WRONLY, 0644, BEN), -EISDIR);
	EXPECT(beneath_open(&F.root, "d/", O_CREAT | O_WRONLY, 0644, BEN), -EISDIR);
	ck_assert(!tu_exists(F.rfd, "new"));
	EXPECT(beneath_mkdir(&F.root, "new/", 0755, BEN), 0);
	ck_assert(S_ISDIR(mode_of(F.rfd, "new")));
	EXPECT(beneath_unlink(&F.root, "f/", 0, BEN), -ENOTDIR);
	EXPECT(beneath_unlink(&F.root, "lf/", 0, BEN), -ENOTDIR);
	EXPECT(beneath_unlink(&F.root, "ld/", AT_REMOVEDIR, BEN), -ENOTDIR);
	EXPECT(beneath_stat(&F.root, "f/", &(struct stat){ 0 }, 0, BEN), -ENOTDIR);
	EXPECT(beneath_stat(&F.root, "ld/", &(struct stat){ 0 }, AT_SYMLINK_NOFOLLOW, BEN), 0);
	EXPECT(beneath_unlink(&F.root, "new/", AT_REMOVEDIR, BEN), 0);
	EXPECT(beneath_unlink(&F.root, "e//", AT_REMOVEDIR, BEN), 0);
	ck_assert(tu_exists(F.rfd, "f") && tu_exists(F.rfd, "lf") && tu_exists(F.rfd, "ld"));
	ck_assert(!tu_exists(F.rfd, "e"));
}
END_TEST

TEST(dots)
{
	tu_build(F.rfd, "d a\nd a/b\nf a/f\n");
	EXPECT_KERNEL(mkdirat(F.rfd, "a/..", 0755), -EEXIST);
	EXPECT(beneath_mkdir(&F.root, "a/..", 0755, BEN), -EEXIST);
	EXPECT(beneath_mkdir(&F.root, "a/b/..", 0755, BEN), -EEXIST);
	EXPECT(beneath_mkdir(&F.root, ".", 0755, BEN), -EEXIST);
	EXPECT(beneath_mkdir(&F.root, "a/.", 0755, BEN), -EEXIST);
	EXPECT_KERNEL(unlinkat(F.rfd, ".", AT_REMOVEDIR), -EINVAL);
	EXPECT(beneath_unlink(&F.root, ".", AT_REMOVEDIR, BEN), -EINVAL);
	EXPECT(beneath_unlink(&F.root, "a/.", AT_REMOVEDIR, BEN), -EINVAL);
	EXPECT_KERNEL(unlinkat(F.rfd, "a/b/..", AT_REMOVEDIR), -ENOTEMPTY);
	EXPECT(beneath_unlink(&F.root, "a/b/..", AT_REMOVEDIR, BEN), -ENOTEMPTY);
	EXPECT(beneath_unlink(&F.root, "a/..", AT_REMOVEDIR, BEN), -ENOTEMPTY);
	EXPECT(beneath_unlink(&F.root, "..", AT_REMOVEDIR, INR), -ENOTEMPTY);
	EXPECT(beneath_unlink(&F.root, ".", 0, BEN), -EISDIR);
	EXPECT(beneath_unlink(&F.root, "a/..", 0, BEN), -EISDIR);
	EXPECT_KERNEL(renameat2(F.rfd, ".", F.rfd, "x", 0), -EBUSY);
	EXPECT(beneath_rename(&F.root, ".", &F.root, "x", 0, BEN), -EBUSY);
	EXPECT(beneath_rename(&F.root, "a/..", &F.root, "x", 0, BEN), -EBUSY);
	EXPECT(beneath_rename(&F.root, "a/f", &F.root, ".", 0, BEN), -EBUSY);
	EXPECT(beneath_rename(&F.root, "a/f", &F.root, "a/b/..", 0, BEN), -EBUSY);
	EXPECT(beneath_rename(&F.root, "a/f", &F.root, "/", 0, INR), -EBUSY);
	EXPECT(beneath_symlink("t", &F.root, "a/..", BEN), -EEXIST);
	EXPECT(beneath_mknod(&F.root, ".", S_IFIFO | 0644, 0, BEN), -EEXIST);
	EXPECT(beneath_link(&F.root, "a/f", &F.root, ".", 0, BEN), -EEXIST);
	EXPECT_KERNEL(kopen(".", O_CREAT | O_WRONLY), -EISDIR);
	EXPECT(beneath_open(&F.root, ".", O_CREAT | O_WRONLY, 0644, BEN), -EISDIR);
	EXPECT(beneath_open(&F.root, "a/..", O_CREAT | O_RDWR, 0644, BEN), -EISDIR);
	EXPECT_OBJ(beneath_open(&F.root, "a/b/../..", O_RDONLY | O_DIRECTORY, 0, BEN), ".");
	ck_assert(tu_exists(F.rfd, "a/f") && tu_exists(F.rfd, "a/b"));
	ck_assert_int_eq(count_entries(F.rfd), 1);
}
END_TEST

/* Object operations through a planted symlink to an outside file must
 * fail with EXDEV and leave the file exactly as it was. */
TEST(outside_unchanged)
{
	static const char *const links[] = { "l", "d/l2", "abs" };
	const struct beneath_root *roots[] = { &F.root, &F.root, &F.nopath };
	const unsigned int modes[] = { BEN, CON, CON };
	const struct timespec ts[2] = { { 1, 0 }, { 2, 0 } };
	char spec[PATH_MAX * 2], buf[16];
	struct stat before, after;
	int fd;

	tu_fmt(spec, "l l ../out/secret\nd d\nl d/l2 ../../out/secret\nl abs %s\n",
	         F.secretp);
	tu_build(F.rfd, spec);
	before = lstat_of(F.out, "secret");
	for (size_t i = 0; i < 3; i++) {
		for (size_t m = 0; m < 3; m++) {
			const struct beneath_root *r = roots[m];
			const char *l = links[i];

			EXPECT(beneath_chmod(r, l, 0777, 0, modes[m]), -EXDEV);
			EXPECT(beneath_chown(r, l, 1, 1, 0, modes[m]), -EXDEV);
			EXPECT(beneath_utimens(r, l, ts, 0, modes[m]), -EXDEV);
			EXPECT(beneath_utimens(r, l, NULL, 0, modes[m]), -EXDEV);
			EXPECT(beneath_truncate(r, l, 0, modes[m]), -EXDEV);
			EXPECT(beneath_setxattr(r, l, "user.evil", "x", 1, 0, 0, modes[m]), -EXDEV);
			EXPECT(beneath_removexattr(r, l, "user.evil", 0, modes[m]), -EXDEV);
			EXPECT(beneath_access(r, l, F_OK, 0, modes[m]), -EXDEV);
			EXPECT(beneath_link(r, l, r, "hard", AT_SYMLINK_FOLLOW, modes[m]), -EXDEV);
			EXPECT(beneath_open(r, l, O_WRONLY | O_TRUNC, 0, modes[m]), -EXDEV);
			EXPECT(beneath_open(r, l, O_WRONLY | O_APPEND | O_CREAT, 0644, modes[m]), -EXDEV);
			/* what AT_SYMLINK_NOFOLLOW names is the link, inside */
			EXPECT(beneath_utimens(r, l, ts, AT_SYMLINK_NOFOLLOW, modes[m]), 0);
		}
		/* in_root reads the targets as paths inside the root */
		EXPECT(beneath_chmod(&F.root, links[i], 0777, 0, INR), -ENOENT);
		EXPECT(beneath_truncate(&F.root, links[i], 0, INR), -ENOENT);
	}
	after = lstat_of(F.out, "secret");
	ck_assert(before.st_mode == after.st_mode && before.st_uid == after.st_uid &&
	          before.st_gid == after.st_gid && before.st_size == after.st_size &&
	          before.st_nlink == after.st_nlink &&
	          before.st_mtim.tv_sec == after.st_mtim.tv_sec &&
	          before.st_mtim.tv_nsec == after.st_mtim.tv_nsec &&
	          before.st_atim.tv_sec == after.st_atim.tv_sec);
	fd = openat(F.out, "secret", O_RDONLY | O_CLOEXEC);
	ck_assert(fd >= 0);
	ck_assert_int_eq(kret(fgetxattr(fd, "user.evil", buf, sizeof(buf))), -ENODATA);
	close(fd);
	outside_intact();
	ck_assert(!tu_exists(F.rfd, "hard"));
}
END_TEST

TEST(deep_dotdot)
{
	char p[PATH_MAX * 2], name[NAME_MAX + 2];
	int fd;

	/* 50 levels; the walker holds 32 ancestors and re-walks the rest */
	mkdir_chain(F.rfd, "d", 70);
	tu_build(F.rfd, "f f\n");
	repeat(p, "", "d/", 5, "g");
	tu_build(F.rfd, "f d/d/d/d/d/g\n");
	repeat(p, "", "d/", 30, "g2");
	fd = openat(F.rfd, p, O_CREAT | O_WRONLY | O_CLOEXEC, 0644);
	ck_assert(fd >= 0);
	close(fd);

	repeat(p, "", "d/", 50, "");
	strcat(repeat(p + strlen(p), "", "../", 45, "g"), "");
	repeat(p, "", "d/", 50, "");
	repeat(p + strlen(p), "", "../", 45, "g");
	EXPECT_OBJ(beneath_resolve(&F.root, p, BEN), "d/d/d/d/d/g");
	EXPECT_OBJ(beneath_open(&F.root, p, O_RDONLY, 0, INR), "d/d/d/d/d/g");
	repeat(p, "", "d/", 50, "");
	repeat(p + strlen(p), "", "../", 50, "f");
	EXPECT_OBJ(beneath_resolve(&F.root, p, BEN), "f");
	repeat(p, "", "d/", 50, "");
	repeat(p + strlen(p), "", "../", 51, "f");
	EXPECT(beneath_resolve(&F.root, p, BEN), -EXDEV);
	EXPECT_OBJ(beneath_resolve(&F.root, p, INR), "f");
	/* up and down across the 32nd level, several times */
	repeat(p, "", "d/", 40, "");
	for (int i = 0; i < 3; i++) {
		repeat(p + strlen(p), "", "../", 10, "");
		repeat(p + strlen(p), "", "d/", 10, "");
	}
	repeat(p + strlen(p), "", "../", 40, "f");
	EXPECT_OBJ(beneath_resolve(&F.root, p, BEN), "f");
	/* ".." right at the boundary */
	repeat(p, "", "d/", 33, "..");
	repeat(name, "", "d/", 31, "d");
	EXPECT_OBJ(beneath_resolve(&F.root, p, BEN), name);
	repeat(p, "", "d/", 70, "");
	repeat(p + strlen(p), "", "../", 40, "g2");
	repeat(name, "", "d/", 30, "g2");
	EXPECT_OBJ(beneath_resolve(&F.root, p, BEN), name);
	/* a symlink deep down climbing back up */
	repeat(p, "", "d/", 40, "up");
	repeat(name, "", "../", 10, "g2");
	ck_assert_int_eq(symlinkat(name, F.rfd, p), 0);
	repeat(name, "", "d/", 30, "g2");
	EXPECT_OBJ(beneath_resolve(&F.root, p, BEN), name);
	/* entry operations on deep paths */
	repeat(p, "", "d/", 50, "");
	repeat(p + strlen(p), "", "../", 45, "newdir");
	EXPECT(beneath_mkdir(&F.root, p, 0755, BEN), 0);
	ck_assert(S_ISDIR(mode_of(F.rfd, "d/d/d/d/d/newdir")));
	EXPECT_PARENT(&F.root, p, BEN, "d/d/d/d/d", "newdir");
	EXPECT(beneath_unlink(&F.root, p, AT_REMOVEDIR, BEN), 0);
	repeat(p, "", "d/", 60, "");
	repeat(p + strlen(p), "", "../", 5, "..");
	repeat(name, "", "d/", 53, "d");
	EXPECT_PARENT(&F.root, p, BEN, name, "..");
}
END_TEST

/* ------------------------------------------------------------------------
 * Regressions: each of these found a library bug once (now fixed), except
 * the two walker limits, which must fail closed.
 * ------------------------------------------------------------------------ */

/*
 * FIXED BUG (walker): every symlink on procfs is refused as a magic
 * link. /proc/self, /proc/thread-self and /proc/mounts are plain symlinks
 * (their targets are strings: "<pid>", "self/mounts"), which openat2 with
 * RESOLVE_NO_MAGICLINKS follows. walk_symlink() checks only the fs type.
 */
TEST(bug_procfs_plain_symlinks)
{
	struct beneath_root proc = { .path = "/proc" }, slash = { .path = "/" };
	long r;
	int fd;

	proc.fd = open("/proc", O_PATH | O_DIRECTORY | O_CLOEXEC);
	slash.fd = open("/", O_PATH | O_DIRECTORY | O_CLOEXEC);
	ck_assert(proc.fd >= 0 && slash.fd >= 0);
	fd = openat(proc.fd, "self/status", O_RDONLY | O_CLOEXEC);
	ck_assert(fd >= 0);
	close(fd);
	r = fd_ok(beneath_open(&proc, "self/status", O_RDONLY, 0, BEN));
	ck_assert_msg(r == 0, "[%s] root /proc, open(\"self/status\") = %s, expected ok: "
	              "/proc/self is a plain symlink (openat2 with RESOLVE_NO_MAGICLINKS follows it), "
	              "but the walker refuses every procfs symlink as magic", BN, tu_err(r));
	r = fd_ok(beneath_resolve(&slash, "proc/self", BEN));
	ck_assert_msg(r == 0, "[%s] root /, resolve(\"proc/self\") = %s, expected ok",
	              BN, tu_err(r));
	r = fd_ok(beneath_resolve(&slash, "/proc/thread-self/status", INR));
	ck_assert_msg(r == 0, "[%s] root /, in_root resolve(\"/proc/thread-self/status\") "
	              "= %s, expected ok", BN, tu_err(r));
	/* and the real magic links are still refused */
	EXPECT(beneath_resolve(&slash, "proc/self/root", BEN), -ELOOP);
	close(proc.fd);
	close(slash.fd);
}
END_TEST

/*
 * FIXED BUG (ops.c, both backends): renameat2() with RENAME_NOREPLACE
 * and a new name of "." or ".." gives EEXIST (do_renameat2 sets EEXIST
 * before checking new_type); beneath_rename() maps every dot name to
 * EBUSY.
 */
TEST(bug_rename_noreplace_dot)
{
	long k, r;

	tu_build(F.rfd, "f f\nd d\nf kf\n");
	k = kret(renameat2(F.rfd, "kf", F.rfd, ".", RENAME_NOREPLACE));
	ck_assert_int_eq(k, -EEXIST);
	r = beneath_rename(&F.root, "f", &F.root, ".", RENAME_NOREPLACE, BEN);
	ck_assert_msg(r == k, "[%s] beneath_rename(\"f\", \".\", RENAME_NOREPLACE) = %s, "
	              "the kernel's renameat2() gives %s", BN, tu_err(r), tu_err(k));
	r = beneath_rename(&F.root, "f", &F.root, "d/..", RENAME_NOREPLACE, BEN);
	ck_assert_msg(r == -EEXIST, "[%s] beneath_rename(\"f\", \"d/..\", "
	              "RENAME_NOREPLACE) = %s, expected EEXIST", BN, tu_err(r));
	/* the old name is checked first: EBUSY */
	EXPECT(beneath_rename(&F.root, ".", &F.root, "x", RENAME_NOREPLACE, BEN), -EBUSY);
}
END_TEST

/*
 * FIXED BUG (walker): beneath_resolve_parent() needs one byte more of
 * NAME than the name and its NUL when the walker resolves (finish_parent
 * checks len + 2 even without a trailing slash); the openat2 backend
 * takes the exact size. Same call, different answer per backend.
 */
TEST(bug_resolve_parent_namesz)
{
	char name[3];
	long r;

	r = fd_ok(beneath_resolve_parent(&F.root, "ab", BEN, name, sizeof(name)));
	ck_assert_msg(r == 0, "[%s] resolve_parent(\"ab\", namesz 3) = %s, expected ok "
	              "(\"ab\" and its NUL fit; the openat2 backend agrees)", BN, tu_err(r));
	ck_assert_str_eq(name, "ab");
}
END_TEST

/*
 * WALKER LIMIT, fails closed: the walker records the names of levels >= 32 in
 * one PATH_MAX buffer (walk_push), so a directory deeper than 32 levels
 * whose names beyond level 31 add up to PATH_MAX is ENAMETOOLONG, though
 * symlinks let a short path reach it and the kernel resolves it.
 */
TEST(bug_deep_names_via_symlinks)
{
	char name[NAME_MAX + 1], tgt[PATH_MAX];
	int cur, next;
	long k, r;

	memset(name, 'n', NAME_MAX);
	name[NAME_MAX] = '\0';
	/* 4 hops of 15 levels of 255-byte names: 60 levels, 15 KiB of names */
	tgt[0] = '\0';
	for (int i = 0; i < 15; i++)
		strcat(strcat(tgt, i ? "/" : ""), name);
	cur = fcntl(F.rfd, F_DUPFD_CLOEXEC, 0);
	for (int hop = 0; hop < 4; hop++) {
		char ln[8];

		tu_fmt(ln, "s%d", hop);
		ck_assert_int_eq(symlinkat(tgt, cur, ln), 0);
		for (int i = 0; i < 15; i++) {
			ck_assert_int_eq(mkdirat(cur, name, 0755), 0);
			next = openat(cur, name, O_PATH | O_DIRECTORY | O_CLOEXEC);
			ck_assert(next >= 0);
			close(cur);
			cur = next;
		}
	}
	next = openat(cur, "file", O_CREAT | O_WRONLY | O_CLOEXEC, 0644);
	ck_assert(next >= 0);
	close(next);
	close(cur);
	k = kopen("s0/s1/s2/s3/file", O_RDONLY);
	ck_assert_int_eq(k, 0);
	r = fd_ok(beneath_open(&F.root, "s0/s1/s2/s3/file", O_RDONLY, 0, BEN));
	if (B & BENEATH_BACKEND_WALKER)
		ck_assert_msg(r == 0 || r == -ENAMETOOLONG, "[%s] open 60 levels deep = %s, "
		              "expected the file or the documented ENAMETOOLONG", BN, tu_err(r));
	else
		ck_assert_msg(r == 0, "[%s] open(\"s0/s1/s2/s3/file\") 60 levels deep = %s, "
		              "openat(2) opens it", BN, tu_err(r));
}
END_TEST

/*
 * WALKER LIMIT, fails closed: the unresolved rest of the path and every spliced
 * symlink target share one 2 * PATH_MAX buffer, so symlinks whose long
 * targets nest (A -> "B/<4000 bytes>", B -> "C/<4000 bytes>", C -> ...)
 * give ENAMETOOLONG; the kernel keeps a stack of links and only limits
 * each target to PATH_MAX.
 */
TEST(bug_nested_long_symlinks)
{
	char t[PATH_MAX * 2];
	long k, r;

	tu_build(F.rfd, "f f\nl D .\n");
	ck_assert_int_eq(symlinkat(repeat(t, "B/", "./", 2000, "f"), F.rfd, "A"), 0);
	ck_assert_int_eq(symlinkat(repeat(t, "C/", "./", 2000, "."), F.rfd, "B"), 0);
	ck_assert_int_eq(symlinkat(repeat(t, "D/", "./", 2000, "."), F.rfd, "C"), 0);
	k = kopen("A", O_RDONLY);
	ck_assert_int_eq(k, 0);
	r = fd_ok(beneath_open(&F.root, "A", O_RDONLY, 0, BEN));
	if (B & BENEATH_BACKEND_WALKER)
		ck_assert_msg(r == 0 || r == -ENAMETOOLONG, "[%s] nested 4 KiB symlink targets = %s, "
		              "expected root/f or the documented ENAMETOOLONG", BN, tu_err(r));
	else
		ck_assert_msg(r == 0, "[%s] open(\"A\") through three nested 4 KiB symlink "
		              "targets = %s, openat(2) opens root/f", BN, tu_err(r));
}
END_TEST

/*
 * FIXED BUG (ops.c, both backends): beneath_truncate() clears the
 * BENEATH_MUST_BE_* bits before beneath_open() validates RFLAGS, so two
 * MUST_BE bits are accepted; every other call rejects them with EINVAL.
 */
TEST(bug_truncate_rflags)
{
	long r;

	tu_build(F.rfd, "f f 0123\n");
	r = beneath_truncate(&F.root, "f", 1, BEN | BENEATH_MUST_BE_REG | BENEATH_MUST_BE_DIR);
	ck_assert_msg(r == -EINVAL, "[%s] beneath_truncate(\"f\") with MUST_BE_REG|"
	              "MUST_BE_DIR = %s, expected EINVAL like every other call (the file was %s)",
	              BN, tu_err(r), lstat_of(F.rfd, "f").st_size == 1 ? "truncated" : "kept");
}
END_TEST

/* ------------------------------------------------------------------------ */

static TCase *tcase(Suite *s, const char *name)
{
	TCase *tc = tcase_create(name);

	tcase_add_checked_fixture(tc, setup, teardown);
	suite_add_tcase(s, tc);
	return tc;
}

/* Both backends for every resolution test; only the walker where
 * openat2(2) is missing (main() says so). */
static int first_backend;
#define ADD(tc, t) tcase_add_loop_test(tc, t, first_backend, 2)

static Suite *resolver_suite(void)
{
	Suite *s = suite_create("resolver");
	TCase *tc;

	tc = tcase(s, "api");
	ADD(tc, open_basic);
	ADD(tc, open_flags_like_open2);
	ADD(tc, open_cloexec_as_given);
	ADD(tc, open_creat_excl_symlink);
	ADD(tc, open_creat_dangling_inside);
	ADD(tc, open_creat_dangling_outside);
	ADD(tc, open_trunc_outside);
	ADD(tc, resolve_basic);
	ADD(tc, resolve_parent);
	ADD(tc, mkdir_p);
	ADD(tc, op_mkdir);
	ADD(tc, op_mknod);
	ADD(tc, op_unlink);
	ADD(tc, op_rename);
	ADD(tc, op_link);
	ADD(tc, op_symlink_readlink);
	ADD(tc, op_stat_statx);
	ADD(tc, op_access);
	ADD(tc, op_chmod);
	ADD(tc, op_chown);
	ADD(tc, op_utimens);
	ADD(tc, op_truncate);
	ADD(tc, op_xattr);
	tcase_add_test(tc, backend);

	tc = tcase(s, "modes");
	ADD(tc, mode_beneath);
	ADD(tc, mode_in_root);
	ADD(tc, mode_contain);
	ADD(tc, mode_contain_nopath);
	ADD(tc, mode_ops);

	tc = tcase(s, "options");
	ADD(tc, opt_no_symlinks);
	ADD(tc, opt_no_xdev);
	ADD(tc, opt_no_automount);
	ADD(tc, opt_must_be);
	ADD(tc, opt_nofollow);
	ADD(tc, opt_same_owner);
	ADD(tc, opt_same_owner_parent);
	ADD(tc, opt_same_owner_off);

	tc = tcase(s, "errors");
	ADD(tc, err_args);
	ADD(tc, err_path_max);
	ADD(tc, err_name_max);
	ADD(tc, err_symlink_loops);
	ADD(tc, err_symlink_40_41);
	ADD(tc, err_magic_links);
	ADD(tc, err_emfile);
	ADD(tc, trailing_slashes);
	ADD(tc, dots);
	ADD(tc, outside_unchanged);
	ADD(tc, deep_dotdot);

	tc = tcase(s, "regressions");
	ADD(tc, bug_procfs_plain_symlinks);
	ADD(tc, bug_rename_noreplace_dot);
	ADD(tc, bug_resolve_parent_namesz);
	ADD(tc, bug_deep_names_via_symlinks);
	ADD(tc, bug_nested_long_symlinks);
	ADD(tc, bug_truncate_rflags);
	return s;
}

int main(void)
{
	uint64_t shm_mnt = tu_mnt_id(AT_FDCWD, "/dev/shm");
	int r;

	tu_base_init("test-resolver");
	if (!tu_have_openat2()) {
		first_backend = 1;
		printf("test-resolver: openat2(2) is unavailable here (ENOSYS; valgrind 3.19 "
		       "does not know it): the openat2-backend half of every test is skipped, "
		       "the walker half runs\n");
		fflush(stdout);
	}
	/* a second temp base on another mount, when there is one */
	if (shm_mnt && shm_mnt != tu_mnt_id(AT_FDCWD, tu_base)) {
		strcpy(shm_base, "/dev/shm/test-resolver.XXXXXX");
		if (!mkdtemp(shm_base))
			shm_base[0] = '\0';
	}
	r = tu_run(resolver_suite());
	if (shm_base[0])
		tu_rm_rf(shm_base);
	tu_base_cleanup();
	return r;
}
