/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Unit tests of the launcher's CI report (shim/launcher/report.c): crafted
 * denial logs in, the JSON report and the summary out. Counts, dedup and
 * order, the START offset, malformed and cut lines, escapes kept as the log
 * spelled them, exit status against signal, the empty log, the atomic
 * rename (including a write that fails half way), and a 200,000-record log.
 *
 * The report's layout is checked byte for byte against what Python's
 * json.dumps(indent=2, ensure_ascii=False) makes of it, when python3 is
 * there: that proves it is valid JSON and valid UTF-8, and that "pretty
 * printed" means the one layout everybody else means. Under valgrind
 * (BENEATH_UNDER_VALGRIND, set by make check-valgrind, which traces
 * children) Python is not run; the byte-for-byte golden reports here still
 * check the layout.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE 1   /* nftw's FTW_DEPTH and FTW_PHYS */
#endif
#include <check.h>
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <limits.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "../shim/launcher/report.h"

#define NELEM(a) (sizeof(a) / sizeof((a)[0]))

static char dir[PATH_MAX];
static char log_path[PATH_MAX + 64];
static char rep_path[PATH_MAX + 64];

/* ------------------------------------------------------------------------
 * Helpers
 * ------------------------------------------------------------------------ */

static void setup(void)
{
	const char *tmp = getenv("TMPDIR");

	ck_assert_int_lt(snprintf(dir, sizeof(dir), "%s/test-report.XXXXXX",
	                          tmp && *tmp ? tmp : "/tmp"), (int)sizeof(dir));
	ck_assert_ptr_nonnull(mkdtemp(dir));
	snprintf(log_path, sizeof(log_path), "%s/denials.log", dir);
	snprintf(rep_path, sizeof(rep_path), "%s/report.json", dir);
}

static int remove_one(const char *path, const struct stat *sb, int type, struct FTW *ftw)
{
	(void)sb, (void)type, (void)ftw;
	return remove(path);
}

static void teardown(void)
{
	nftw(dir, remove_one, 16, FTW_DEPTH | FTW_PHYS);
}

static char *slurp(const char *path)
{
	FILE *f = fopen(path, "r");
	char *buf = NULL;
	size_t len = 0;
	FILE *out = open_memstream(&buf, &len);
	char chunk[65536];
	size_t n;

	ck_assert_msg(f != NULL, "%s: %s", path, strerror(errno));
	ck_assert_ptr_nonnull(out);
	while ((n = fread(chunk, 1, sizeof(chunk), f)) > 0)
		fwrite(chunk, 1, n, out);
	fclose(f);
	fclose(out);
	return buf;
}

static void spew(const char *path, const char *text, size_t len)
{
	FILE *f = fopen(path, "w");

	ck_assert_ptr_nonnull(f);
	ck_assert_uint_eq(fwrite(text, 1, len, f), len);
	ck_assert_int_eq(fclose(f), 0);
}

/* One record as shim/log.c writes it. The strings are JSON string
 * contents, already escaped; NULL takes the default. */
struct rec {
	const char *time;
	int pid;
	const char *exe, *call, *path, *root, *verdict, *reason, *err;
};

static void put_rec(FILE *f, struct rec r)
{
	fprintf(f, "{\"time\":\"%s\",\"pid\":%d,\"exe\":\"%s\",\"call\":\"%s\",\"path\":\"%s\","
	        "\"root\":\"%s\",\"verdict\":\"%s\",\"reason\":\"%s\",\"errno\":\"%s\"}\n",
	        r.time ? r.time : "2026-11-23T16:22:04.245Z", r.pid ? r.pid : 467,
	        r.exe ? r.exe : "/usr/bin/cat", r.call ? r.call : "open",
	        r.path ? r.path : "/srv/www/abs", r.root ? r.root : "/srv/www",
	        r.verdict ? r.verdict : "denied", r.reason ? r.reason : "escape",
	        r.err ? r.err : "EACCES");
}

static void write_log(const struct rec *recs, size_t n)
{
	FILE *f = fopen(log_path, "w");

	ck_assert_ptr_nonnull(f);
	for (size_t i = 0; i < n; i++)
		put_rec(f, recs[i]);
	ck_assert_int_eq(fclose(f), 0);
}

struct out {
	long ret;
	char *summary;
};

/* report_write() on log_path into rep_path, the summary caught. */
static struct out run_report(off_t start, const struct report_run *run)
{
	struct out o;
	size_t len;
	FILE *s = open_memstream(&o.summary, &len);

	ck_assert_ptr_nonnull(s);
	o.ret = report_write(log_path, start, rep_path, s, run);
	fclose(s);
	return o;
}

/* A top-level number of the report ("records": 3), by its fixed layout. */
static long long report_num(const char *report, const char *key)
{
	char pat[64];
	const char *p;

	snprintf(pat, sizeof(pat), "\n  \"%s\": ", key);
	p = strstr(report, pat);
	ck_assert_msg(p != NULL, "no %s in the report", key);
	return strtoll(p + strlen(pat), NULL, 10);
}

static bool file_exists(const char *path)
{
	struct stat sb;

	return lstat(path, &sb) == 0;
}

static bool have_python(void)
{
	return !getenv("BENEATH_UNDER_VALGRIND") &&
	       system("command -v python3 >/dev/null 2>&1") == 0;
}

/* Checks a report with Python: strict UTF-8, valid JSON, no key twice,
 * exactly the documented keys in order, counts that add up; with
 * ROUNDTRIP, also the same bytes as json.dumps(indent=2) gives back
 * (which holds when the strings have no escapes Python spells otherwise,
 * such as \u000a for \n or \u00ff for a raw ÿ). */
static const char check_py[] =
	"import json, sys\n"
	"def pairs(kv):\n"
	"    keys = [k for k, _ in kv]\n"
	"    assert len(keys) == len(set(keys)), keys\n"
	"    return dict(kv)\n"
	"text = open(sys.argv[1], encoding='utf-8', errors='strict').read()\n"
	"doc = json.loads(text, object_pairs_hook=pairs)\n"
	"assert list(doc) == ['version', 'command', 'exit_status', 'signal', 'signal_name',\n"
	"    'records', 'denied', 'would_deny', 'malformed_lines', 'by_reason', 'by_call',\n"
	"    'by_root', 'by_exe', 'violations'], list(doc)\n"
	"for v in doc['violations']:\n"
	"    assert list(v) == ['path', 'call', 'exe', 'root', 'reason', 'verdict', 'errno',\n"
	"        'count', 'first_seen', 'first_pid'], list(v)\n"
	"n = doc['records']\n"
	"assert n == doc['denied'] + doc['would_deny']\n"
	"assert n == sum(v['count'] for v in doc['violations'])\n"
	"for k in ('by_reason', 'by_call', 'by_root', 'by_exe'):\n"
	"    assert n == sum(doc[k].values()), k\n"
	"    c = list(doc[k].values())\n"
	"    assert c == sorted(c, reverse=True), k\n"
	"c = [v['count'] for v in doc['violations']]\n"
	"assert c == sorted(c, reverse=True)\n"
	"if sys.argv[2] == 'roundtrip':\n"
	"    again = json.dumps(doc, indent=2, ensure_ascii=False) + '\\n'\n"
	"    assert again == text, 'layout differs from json.dumps(indent=2)'\n";

static void check_json(const char *path, bool roundtrip)
{
	char script[PATH_MAX + 16], cmd[3 * PATH_MAX + 64];

	if (!have_python())
		return;
	snprintf(script, sizeof(script), "%s/check.py", dir);
	spew(script, check_py, strlen(check_py));
	snprintf(cmd, sizeof(cmd), "python3 '%s' '%s' %s", script, path,
	         roundtrip ? "roundtrip" : "valid");
	ck_assert_msg(system(cmd) == 0, "python3 rejects %s", path);
}

/* The wait status of a child that exits with CODE, or is killed by SIG.
 * Check's own SIGTERM handler, which kills the whole test's process group,
 * is inherited across fork(): the child restores the default action, and
 * says so through a pipe, before it can be killed. */
static int status_of(int code, int sig)
{
	int sync[2], status;
	pid_t pid;
	char c;

	ck_assert_int_eq(pipe(sync), 0);
	pid = fork();
	ck_assert_int_ge(pid, 0);
	if (pid == 0) {
		if (!sig)
			_exit(code);
		signal(sig, SIG_DFL);
		if (write(sync[1], "", 1) != 1)
			_exit(99);
		for (;;)
			pause();
	}
	close(sync[1]);
	if (sig) {
		ck_assert_int_eq(read(sync[0], &c, 1), 1);
		ck_assert_int_eq(kill(pid, sig), 0);
	}
	close(sync[0]);
	ck_assert_int_eq(waitpid(pid, &status, 0), pid);
	return status;
}

/* ------------------------------------------------------------------------
 * The whole report, byte for byte
 * ------------------------------------------------------------------------ */

static const char golden_report[] =
	"{\n"
	"  \"version\": 1,\n"
	"  \"command\": [\n"
	"    \"make\",\n"
	"    \"check\"\n"
	"  ],\n"
	"  \"exit_status\": 2,\n"
	"  \"signal\": null,\n"
	"  \"signal_name\": null,\n"
	"  \"records\": 3,\n"
	"  \"denied\": 2,\n"
	"  \"would_deny\": 1,\n"
	"  \"malformed_lines\": 0,\n"
	"  \"by_reason\": {\n"
	"    \"escape\": 1,\n"
	"    \"read-only\": 1,\n"
	"    \"symlink\": 1\n"
	"  },\n"
	"  \"by_call\": {\n"
	"    \"open\": 2,\n"
	"    \"unlink\": 1\n"
	"  },\n"
	"  \"by_root\": {\n"
	"    \"/srv/www\": 2,\n"
	"    \"/srv/other\": 1\n"
	"  },\n"
	"  \"by_exe\": {\n"
	"    \"/usr/bin/cat\": 2,\n"
	"    \"/usr/bin/rm\": 1\n"
	"  },\n"
	"  \"violations\": [\n"
	"    {\n"
	"      \"path\": \"/srv/www/abs\",\n"
	"      \"call\": \"open\",\n"
	"      \"exe\": \"/usr/bin/cat\",\n"
	"      \"root\": \"/srv/www\",\n"
	"      \"reason\": \"escape\",\n"
	"      \"verdict\": \"denied\",\n"
	"      \"errno\": \"EACCES\",\n"
	"      \"count\": 2,\n"
	"      \"first_seen\": \"2026-11-23T16:22:04.245Z\",\n"
	"      \"first_pid\": 467\n"
	"    },\n"
	"    {\n"
	"      \"path\": \"/srv/www/x\",\n"
	"      \"call\": \"unlink\",\n"
	"      \"exe\": \"/usr/bin/rm\",\n"
	"      \"root\": \"/srv/www\",\n"
	"      \"reason\": \"read-only\",\n"
	"      \"verdict\": \"denied\",\n"
	"      \"errno\": \"EROFS\",\n"
	"      \"count\": 1,\n"
	"      \"first_seen\": \"2026-11-23T16:22:05.000Z\",\n"
	"      \"first_pid\": 468\n"
	"    }\n"
	"  ]\n"
	"}\n";

START_TEST(golden)
{
	static const struct rec recs[] = {
		{ .pid = 467 },
		{ .time = "2026-11-23T16:22:05.000Z", .pid = 468, .exe = "/usr/bin/rm",
		  .call = "unlink", .path = "/srv/www/x", .reason = "read-only", .err = "EROFS" },
		/* The first violation again: only its count changes. */
		{ .time = "2026-11-23T16:22:06.000Z", .pid = 469, .root = "/srv/other",
		  .verdict = "would-deny", .reason = "symlink", .err = "ELOOP" },
	};
	char *const argv[] = { "make", "check", NULL };
	struct report_run run = { argv, status_of(2, 0) };
	char want[PATH_MAX + 512];
	struct out o;
	char *report;

	write_log(recs, NELEM(recs));
	o = run_report(0, &run);
	ck_assert_int_eq(o.ret, 3);
	report = slurp(rep_path);
	ck_assert_str_eq(report, golden_report);
	snprintf(want, sizeof(want),
	         "beneath: 3 denials (2 distinct) [1 would-deny in audit mode] -> %s\n"
	         "beneath:   2x escape open /srv/www/abs (/usr/bin/cat)\n"
	         "beneath:   1x read-only unlink /srv/www/x (/usr/bin/rm)\n", rep_path);
	ck_assert_str_eq(o.summary, want);
	ck_assert(!file_exists(strcat(strcpy(want, rep_path), ".tmp")));
	check_json(rep_path, true);
	free(report);
	free(o.summary);
}
END_TEST

static const char empty_report[] =
	"{\n"
	"  \"version\": 1,\n"
	"  \"command\": [],\n"
	"  \"exit_status\": null,\n"
	"  \"signal\": null,\n"
	"  \"signal_name\": null,\n"
	"  \"records\": 0,\n"
	"  \"denied\": 0,\n"
	"  \"would_deny\": 0,\n"
	"  \"malformed_lines\": 0,\n"
	"  \"by_reason\": {},\n"
	"  \"by_call\": {},\n"
	"  \"by_root\": {},\n"
	"  \"by_exe\": {},\n"
	"  \"violations\": []\n"
	"}\n";

/* An empty log, and no run at all: empty containers, nulls. */
START_TEST(empty_log)
{
	struct out o;
	char *report;

	spew(log_path, "", 0);
	o = run_report(0, NULL);
	ck_assert_int_eq(o.ret, 0);
	ck_assert_str_eq(o.summary, "beneath: no denials\n");
	report = slurp(rep_path);
	ck_assert_str_eq(report, empty_report);
	check_json(rep_path, true);
	free(report);
	free(o.summary);
}
END_TEST

/* Only lines that are not records: still no denials, but said so. */
START_TEST(only_malformed)
{
	struct out o;
	char *report;

	spew(log_path, "garbage\n{\"time\":\"2026-11-\n", strlen("garbage\n{\"time\":\"2026-11-\n"));
	o = run_report(0, NULL);
	ck_assert_int_eq(o.ret, 0);
	ck_assert_str_eq(o.summary, "beneath: no denials\n"
	                 "beneath: 2 malformed log lines ignored\n");
	report = slurp(rep_path);
	ck_assert_int_eq(report_num(report, "malformed_lines"), 2);
	ck_assert_int_eq(report_num(report, "records"), 0);
	check_json(rep_path, true);
	free(report);
	free(o.summary);
}
END_TEST

/* ------------------------------------------------------------------------
 * Counts, dedup, order
 * ------------------------------------------------------------------------ */

/* Violations: count descending, then first_seen, then path; first_seen
 * is the first record's in file order, even when a later one is older. */
START_TEST(violation_order)
{
	static const struct rec recs[] = {
		{ .path = "/b", .time = "2026-01-01T00:00:02.000Z" },
		{ .path = "/z", .time = "2026-01-01T00:00:01.000Z" },
		{ .path = "/a", .time = "2026-01-01T00:00:02.000Z" },
		{ .path = "/m", .time = "2026-01-01T00:00:03.000Z" },
		{ .path = "/n", .time = "2026-01-01T00:00:00.000Z" },
		{ .path = "/b", .time = "2026-01-01T00:00:09.000Z" },
		{ .path = "/z", .time = "2026-01-01T00:00:00.500Z" },
		{ .path = "/a", .time = "2026-01-01T00:00:09.000Z" },
		{ .path = "/m", .time = "2026-01-01T00:00:09.000Z" },
		{ .path = "/m", .time = "2026-01-01T00:00:09.000Z" },
		/* Same count, time and path as "/a" open: call decides. */
		{ .path = "/a", .call = "creat", .time = "2026-01-01T00:00:02.000Z" },
		{ .path = "/a", .call = "creat", .time = "2026-01-01T00:00:02.000Z" },
	};
	struct out o;
	char *report;

	write_log(recs, NELEM(recs));
	o = run_report(0, NULL);
	ck_assert_int_eq(o.ret, 12);
	ck_assert_str_eq(strchr(o.summary, '\n') + 1,
	                 "beneath:   3x escape open /m (/usr/bin/cat)\n"
	                 "beneath:   2x escape open /z (/usr/bin/cat)\n"
	                 "beneath:   2x escape creat /a (/usr/bin/cat)\n"
	                 "beneath:   2x escape open /a (/usr/bin/cat)\n"
	                 "beneath:   2x escape open /b (/usr/bin/cat)\n"
	                 "beneath:   1x escape open /n (/usr/bin/cat)\n");
	report = slurp(rep_path);
	ck_assert_ptr_nonnull(strstr(report,
	        "      \"path\": \"/z\",\n"
	        "      \"call\": \"open\",\n"
	        "      \"exe\": \"/usr/bin/cat\",\n"
	        "      \"root\": \"/srv/www\",\n"
	        "      \"reason\": \"escape\",\n"
	        "      \"verdict\": \"denied\",\n"
	        "      \"errno\": \"EACCES\",\n"
	        "      \"count\": 2,\n"
	        "      \"first_seen\": \"2026-01-01T00:00:01.000Z\",\n"));
	check_json(rep_path, true);
	free(report);
	free(o.summary);
}
END_TEST

/* Distinct by (path, call, exe) and nothing else; root, reason, verdict,
 * errno and pid come from the first record. */
START_TEST(dedup)
{
	static const struct rec recs[] = {
		{ .pid = 10 },
		{ .pid = 11, .call = "stat" },                  /* another call */
		{ .pid = 12, .exe = "/usr/bin/tac" },           /* another exe */
		{ .pid = 13, .path = "/srv/www/abs/" },         /* another spelling */
		{ .pid = 14, .root = "/srv/b", .reason = "symlink", .verdict = "would-deny",
		  .err = "ELOOP", .time = "2026-11-23T16:22:00.000Z" },
		{ .pid = 15, .verdict = "would-deny" },
	};
	struct out o;
	char *report;

	write_log(recs, NELEM(recs));
	o = run_report(0, NULL);
	ck_assert_int_eq(o.ret, 6);
	ck_assert_ptr_nonnull(strstr(o.summary, "beneath: 6 denials (4 distinct) "
	                             "[2 would-deny in audit mode] -> "));
	report = slurp(rep_path);
	ck_assert_int_eq(report_num(report, "denied"), 4);
	ck_assert_int_eq(report_num(report, "would_deny"), 2);
	ck_assert_ptr_nonnull(strstr(report,
	        "  \"violations\": [\n"
	        "    {\n"
	        "      \"path\": \"/srv/www/abs\",\n"
	        "      \"call\": \"open\",\n"
	        "      \"exe\": \"/usr/bin/cat\",\n"
	        "      \"root\": \"/srv/www\",\n"
	        "      \"reason\": \"escape\",\n"
	        "      \"verdict\": \"denied\",\n"
	        "      \"errno\": \"EACCES\",\n"
	        "      \"count\": 3,\n"
	        "      \"first_seen\": \"2026-11-23T16:22:04.245Z\",\n"
	        "      \"first_pid\": 10\n"
	        "    },\n"));
	ck_assert_ptr_nonnull(strstr(report, "  \"by_root\": {\n"
	                             "    \"/srv/www\": 5,\n"
	                             "    \"/srv/b\": 1\n"
	                             "  },\n"));
	ck_assert_ptr_nonnull(strstr(report, "  \"by_reason\": {\n"
	                             "    \"escape\": 5,\n"
	                             "    \"symlink\": 1\n"
	                             "  },\n"));
	/* Equal counts: by key, bytewise. */
	ck_assert_ptr_nonnull(strstr(report, "  \"by_call\": {\n"
	                             "    \"open\": 5,\n"
	                             "    \"stat\": 1\n"
	                             "  },\n"));
	ck_assert_ptr_nonnull(strstr(report, "  \"by_exe\": {\n"
	                             "    \"/usr/bin/cat\": 5,\n"
	                             "    \"/usr/bin/tac\": 1\n"
	                             "  },\n"));
	check_json(rep_path, true);
	free(report);
	free(o.summary);
}
END_TEST

START_TEST(by_ties)
{
	static const struct rec recs[] = {
		{ .reason = "symlink" }, { .reason = "outside" }, { .reason = "owner" },
		{ .reason = "read-only" }, { .reason = "read-only" }, { .reason = "escape" },
	};
	struct out o;
	char *report;

	write_log(recs, NELEM(recs));
	o = run_report(0, NULL);
	ck_assert_int_eq(o.ret, 6);
	report = slurp(rep_path);
	ck_assert_ptr_nonnull(strstr(report, "  \"by_reason\": {\n"
	                             "    \"read-only\": 2,\n"
	                             "    \"escape\": 1,\n"
	                             "    \"outside\": 1,\n"
	                             "    \"owner\": 1,\n"
	                             "    \"symlink\": 1\n"
	                             "  },\n"));
	free(report);
	free(o.summary);
}
END_TEST

/* At most 50 violations in the summary, then how many more; singular. */
START_TEST(summary_cap)
{
	FILE *f = fopen(log_path, "w");
	char path[32], *line, *save = NULL;
	struct out o;
	int n = 0;

	ck_assert_ptr_nonnull(f);
	for (int i = 0; i < 60; i++)
		for (int j = 0; j <= 60 - i; j++) {
			snprintf(path, sizeof(path), "/srv/www/%02d", i);
			put_rec(f, (struct rec){ .path = path });
		}
	fclose(f);
	o = run_report(0, NULL);
	ck_assert_int_eq(o.ret, 61 * 62 / 2 - 1);
	for (line = strtok_r(o.summary, "\n", &save); line; line = strtok_r(NULL, "\n", &save), n++) {
		if (n == 0)
			ck_assert_ptr_nonnull(strstr(line, "beneath: 1890 denials (60 distinct) -> "));
		else if (n == 1)
			ck_assert_str_eq(line, "beneath:   61x escape open /srv/www/00 (/usr/bin/cat)");
		else if (n == 50)
			ck_assert_str_eq(line, "beneath:   12x escape open /srv/www/49 (/usr/bin/cat)");
		else if (n == 51)
			ck_assert_str_eq(line, "beneath:   ... and 10 more");
	}
	ck_assert_int_eq(n, 52);
	free(o.summary);

	write_log((const struct rec[]){ { .verdict = "would-deny" } }, 1);
	o = run_report(0, NULL);
	ck_assert_int_eq(o.ret, 1);
	ck_assert_ptr_nonnull(strstr(o.summary, "beneath: 1 denial (1 distinct) "
	                             "[1 would-deny in audit mode] -> "));
	free(o.summary);
}
END_TEST

/* ------------------------------------------------------------------------
 * The offset: bytes after START only
 * ------------------------------------------------------------------------ */

START_TEST(start_offset)
{
	static const struct rec recs[] = {
		{ .path = "/before" }, { .path = "/after1" }, { .path = "/after2" },
	};
	char *log, *first_nl;
	off_t first, size;
	struct out o;

	write_log(recs, NELEM(recs));
	log = slurp(log_path);
	first_nl = strchr(log, '\n');
	first = first_nl + 1 - log;
	size = (off_t)strlen(log);

	o = run_report(first, NULL);
	ck_assert_int_eq(o.ret, 2);
	ck_assert_ptr_null(strstr(o.summary, "/before"));
	ck_assert_ptr_nonnull(strstr(o.summary, "/after1"));
	free(o.summary);

	/* In the middle of a line: that line's tail is not a record. */
	o = run_report(5, NULL);
	ck_assert_int_eq(o.ret, 2);
	ck_assert_ptr_nonnull(strstr(o.summary, "beneath: 1 malformed log line ignored\n"));
	free(o.summary);

	o = run_report(size, NULL);
	ck_assert_int_eq(o.ret, 0);
	ck_assert_str_eq(o.summary, "beneath: no denials\n");
	free(o.summary);

	o = run_report(size + 4096, NULL);
	ck_assert_int_eq(o.ret, 0);
	free(o.summary);

	unlink(rep_path);
	o = run_report(-1, NULL);
	ck_assert_int_eq(o.ret, -EINVAL);
	ck_assert_str_eq(o.summary, "");
	ck_assert(!file_exists(rep_path));
	free(o.summary);
	free(log);
}
END_TEST

/* ------------------------------------------------------------------------
 * Lines that are records and lines that are not
 * ------------------------------------------------------------------------ */

#define HEAD "{\"time\":\"2026-11-23T16:22:04.245Z\",\"pid\":467,\"exe\":\"/usr/bin/cat\"," \
	"\"call\":\"open\","
#define TAIL ",\"root\":\"/srv/www\",\"verdict\":\"denied\",\"reason\":\"escape\"," \
	"\"errno\":\"EACCES\"}"
#define GOOD HEAD "\"path\":\"/srv/www/p\"" TAIL

struct line_case {
	const char *name;
	const char *text;       /* without the newline */
	size_t len;             /* 0: strlen(text) */
	bool record;
};

static const struct line_case line_cases[] = {
	{ "empty line", "", 0, false },
	{ "blank line", "   \t", 0, false },
	{ "not JSON", "make: *** [check] Error 2", 0, false },
	{ "an array", "[]", 0, false },
	{ "empty object", "{}", 0, false },
	{ "cut by a crashed writer", HEAD "\"path\":\"/srv/ww", 0, false },
	{ "cut, then the next record", HEAD "\"path\":\"/srv/ww" GOOD, 0, false },
	{ "two records on a line", GOOD GOOD, 0, false },
	{ "key missing", HEAD "\"path\":\"/p\",\"root\":\"/\",\"verdict\":\"denied\","
	  "\"reason\":\"escape\"}", 0, false },
	{ "key twice", HEAD "\"path\":\"/p\",\"path\":\"/q\"" TAIL, 0, false },
	{ "unknown verdict", "{\"time\":\"t\",\"pid\":1,\"exe\":\"e\",\"call\":\"c\",\"path\":\"p\","
	  "\"root\":\"r\",\"verdict\":\"allowed\",\"reason\":\"escape\",\"errno\":\"E\"}", 0, false },
	{ "verdict spelled with an escape", "{\"time\":\"t\",\"pid\":1,\"exe\":\"e\",\"call\":\"c\","
	  "\"path\":\"p\",\"root\":\"r\",\"verdict\":\"would\\u002ddeny\",\"reason\":\"escape\","
	  "\"errno\":\"E\"}", 0, false },
	{ "path not a string", HEAD "\"path\":42" TAIL, 0, false },
	{ "pid negative", "{\"time\":\"t\",\"pid\":-1,\"exe\":\"e\",\"call\":\"c\",\"path\":\"p\","
	  "\"root\":\"r\",\"verdict\":\"denied\",\"reason\":\"escape\",\"errno\":\"E\"}", 0, false },
	{ "pid leading zero", "{\"time\":\"t\",\"pid\":01,\"exe\":\"e\",\"call\":\"c\",\"path\":\"p\","
	  "\"root\":\"r\",\"verdict\":\"denied\",\"reason\":\"escape\",\"errno\":\"E\"}", 0, false },
	{ "pid fraction", "{\"time\":\"t\",\"pid\":1.5,\"exe\":\"e\",\"call\":\"c\",\"path\":\"p\","
	  "\"root\":\"r\",\"verdict\":\"denied\",\"reason\":\"escape\",\"errno\":\"E\"}", 0, false },
	{ "pid a string", "{\"time\":\"t\",\"pid\":\"1\",\"exe\":\"e\",\"call\":\"c\",\"path\":\"p\","
	  "\"root\":\"r\",\"verdict\":\"denied\",\"reason\":\"escape\",\"errno\":\"E\"}", 0, false },
	{ "pid too large", "{\"time\":\"t\",\"pid\":1234567890123456789012,\"exe\":\"e\",\"call\":\"c\","
	  "\"path\":\"p\",\"root\":\"r\",\"verdict\":\"denied\",\"reason\":\"escape\","
	  "\"errno\":\"E\"}", 0, false },
	{ "raw control byte", HEAD "\"path\":\"/a\x01" "b\"" TAIL, 0, false },
	{ "raw tab", HEAD "\"path\":\"/a\tb\"" TAIL, 0, false },
	{ "NUL byte", HEAD "\"path\":\"/a\0b\"" TAIL, sizeof(HEAD "\"path\":\"/a\0b\"" TAIL) - 1,
	  false },
	{ "byte 0xff", HEAD "\"path\":\"/a\xff\"" TAIL, 0, false },
	{ "overlong '/'", HEAD "\"path\":\"/a\xc0\xaf\"" TAIL, 0, false },
	{ "overlong 3-byte", HEAD "\"path\":\"/a\xe0\x80\xaf\"" TAIL, 0, false },
	{ "overlong 4-byte", HEAD "\"path\":\"/a\xf0\x8f\xbf\xbf\"" TAIL, 0, false },
	{ "UTF-8 surrogate", HEAD "\"path\":\"/a\xed\xa0\x80\"" TAIL, 0, false },
	{ "above U+10FFFF", HEAD "\"path\":\"/a\xf4\x90\x80\x80\"" TAIL, 0, false },
	{ "lead byte 0xf5", HEAD "\"path\":\"/a\xf5\x80\x80\x80\"" TAIL, 0, false },
	{ "UTF-8 cut by the quote", HEAD "\"path\":\"/a\xe2\x82\"" TAIL, 0, false },
	{ "unknown escape", HEAD "\"path\":\"/a\\x41\"" TAIL, 0, false },
	{ "short \\u", HEAD "\"path\":\"/a\\u12\"" TAIL, 0, false },
	{ "lone high surrogate", HEAD "\"path\":\"/a\\ud800\"" TAIL, 0, false },
	{ "lone low surrogate", HEAD "\"path\":\"/a\\udc00\"" TAIL, 0, false },
	{ "high surrogate, then no low", HEAD "\"path\":\"/a\\ud800\\u0041\"" TAIL, 0, false },
	{ "garbage after the object", GOOD "x", 0, false },
	{ "comma after the object", GOOD ",", 0, false },
	{ "trailing comma", HEAD "\"path\":\"/p\"," TAIL, 0, false },
	{ "no colon", HEAD "\"path\" \"/p\"" TAIL, 0, false },
	{ "single quotes", HEAD "'path':'/p'" TAIL, 0, false },
	{ "unknown key, bad value", HEAD "\"x\":tru,\"path\":\"/p\"" TAIL, 0, false },
	{ "unknown key, number 01", HEAD "\"x\":01,\"path\":\"/p\"" TAIL, 0, false },
	{ "unknown key, nested too deep", HEAD "\"x\":[[[[[[[[[[[[[[[[[[1]]]]]]]]]]]]]]]]]],"
	  "\"path\":\"/p\"" TAIL, 0, false },

	{ "a record", GOOD, 0, true },
	{ "unknown keys", HEAD "\"tid\":12,\"x\":{\"a\":[1,-2.5e+3,true,false,null,\"s\",{}],"
	  "\"b\":[]},\"path\":\"/p\"" TAIL, 0, true },
	{ "keys in another order", "{\"errno\":\"E\",\"reason\":\"owner\",\"verdict\":\"denied\","
	  "\"root\":\"/r\",\"path\":\"/p\",\"call\":\"open\",\"exe\":\"/e\",\"pid\":0,\"time\":\"t\"}",
	  0, true },
	{ "whitespace between tokens", " { \"time\" : \"t\" , \"pid\" : 7 , \"exe\" : \"e\" ,\t"
	  "\"call\":\"c\",\"path\":\"p\",\"root\":\"r\",\"verdict\":\"denied\",\"reason\":\"escape\","
	  "\"errno\":\"E\" } \r", 0, true },
	{ "surrogate pair", HEAD "\"path\":\"/a\\ud83d\\ude00\"" TAIL, 0, true },
	{ "all the short escapes", HEAD "\"path\":\"/a\\\"\\\\\\/\\b\\f\\n\\r\\t\"" TAIL, 0, true },
	{ "UTF-8 of every length", HEAD "\"path\":\"/\xc3\xa9\xe2\x82\xac\xf0\x9f\x98\x80"
	  "\xf4\x8f\xbf\xbf\"" TAIL, 0, true },
	{ "empty strings", "{\"time\":\"\",\"pid\":1,\"exe\":\"\",\"call\":\"\",\"path\":\"\","
	  "\"root\":\"\",\"verdict\":\"would-deny\",\"reason\":\"\",\"errno\":\"?\"}", 0, true },
};

/* Each line between two good ones: counted as a record, or as one
 * malformed line that costs neither neighbour. */
START_TEST(lines)
{
	const struct line_case *c = &line_cases[_i];
	size_t len = c->len ? c->len : strlen(c->text);
	FILE *f = fopen(log_path, "w");
	struct out o;
	char *report;

	ck_assert_ptr_nonnull(f);
	fputs(GOOD "\n", f);
	fwrite(c->text, 1, len, f);
	fputs("\n" GOOD "\n", f);
	fclose(f);
	o = run_report(0, NULL);
	report = slurp(rep_path);
	ck_assert_msg(o.ret == (c->record ? 3 : 2), "%s: %ld records", c->name, o.ret);
	ck_assert_msg(report_num(report, "malformed_lines") == !c->record, "%s", c->name);
	check_json(rep_path, false);
	free(report);
	free(o.summary);
}
END_TEST

/* log.c writes at most 8 KiB; a line past 9 KiB is not a record, however
 * well-formed, and one just under is. */
START_TEST(long_lines)
{
	static char path[9300];
	FILE *f = fopen(log_path, "w");
	struct out o;
	char *report;

	memset(path, 'a', sizeof(path) - 1);
	path[0] = '/';
	ck_assert_ptr_nonnull(f);
	put_rec(f, (struct rec){ .path = path });
	path[8000] = '\0';
	put_rec(f, (struct rec){ .path = path });
	fclose(f);
	o = run_report(0, NULL);
	ck_assert_int_eq(o.ret, 1);
	report = slurp(rep_path);
	ck_assert_int_eq(report_num(report, "malformed_lines"), 1);
	free(report);
	free(o.summary);
}
END_TEST

/* The last line without its newline: a whole object counts, a cut one
 * does not. */
START_TEST(last_line)
{
	struct out o;

	spew(log_path, GOOD "\n" GOOD, strlen(GOOD "\n" GOOD));
	o = run_report(0, NULL);
	ck_assert_int_eq(o.ret, 2);
	ck_assert_ptr_null(strstr(o.summary, "malformed"));
	free(o.summary);

	spew(log_path, GOOD "\n" GOOD, strlen(GOOD "\n" GOOD) - 9);
	o = run_report(0, NULL);
	ck_assert_int_eq(o.ret, 1);
	ck_assert_ptr_nonnull(strstr(o.summary, "beneath: 1 malformed log line ignored\n"));
	free(o.summary);
}
END_TEST

/* ------------------------------------------------------------------------
 * Escapes: kept in the report as the log spelled them; \" and \\ shown
 * plain in the summary, other escapes left as they are
 * ------------------------------------------------------------------------ */

START_TEST(escapes)
{
	static const struct rec recs[] = {
		{ .path = "/srv/www/q\\\"uote", .exe = "/usr/bin/\\\"cat\\\"" },
		{ .path = "/srv/www/back\\\\slash" },
		{ .path = "/srv/www/ctl\\u0001x" },
		{ .path = "/srv/www/caf\xc3\xa9" },
		{ .path = "/srv/www/\xf0\x9f\x98\x80", .root = "/srv/\xe2\x82\xac" },
		/* The same character spelled another way is another token. */
		{ .path = "/srv/www/caf\\u00e9" },
	};
	struct out o;
	char *report;

	write_log(recs, NELEM(recs));
	o = run_report(0, NULL);
	ck_assert_int_eq(o.ret, 6);
	ck_assert_ptr_nonnull(strstr(o.summary, "beneath: 6 denials (6 distinct) -> "));
	ck_assert_ptr_nonnull(strstr(o.summary,
	        "beneath:   1x escape open /srv/www/q\"uote (/usr/bin/\"cat\")\n"));
	ck_assert_ptr_nonnull(strstr(o.summary,
	        "beneath:   1x escape open /srv/www/back\\slash (/usr/bin/cat)\n"));
	ck_assert_ptr_nonnull(strstr(o.summary,
	        "beneath:   1x escape open /srv/www/ctl\\u0001x (/usr/bin/cat)\n"));
	ck_assert_ptr_nonnull(strstr(o.summary,
	        "beneath:   1x escape open /srv/www/caf\xc3\xa9 (/usr/bin/cat)\n"));
	ck_assert_ptr_nonnull(strstr(o.summary,
	        "beneath:   1x escape open /srv/www/\xf0\x9f\x98\x80 (/usr/bin/cat)\n"));
	ck_assert_ptr_nonnull(strstr(o.summary,
	        "beneath:   1x escape open /srv/www/caf\\u00e9 (/usr/bin/cat)\n"));

	report = slurp(rep_path);
	ck_assert_ptr_nonnull(strstr(report, "\"path\": \"/srv/www/q\\\"uote\",\n"
	                             "      \"call\": \"open\",\n"
	                             "      \"exe\": \"/usr/bin/\\\"cat\\\"\",\n"));
	ck_assert_ptr_nonnull(strstr(report, "\"path\": \"/srv/www/back\\\\slash\",\n"));
	ck_assert_ptr_nonnull(strstr(report, "\"path\": \"/srv/www/ctl\\u0001x\",\n"));
	ck_assert_ptr_nonnull(strstr(report, "\"path\": \"/srv/www/caf\xc3\xa9\",\n"));
	ck_assert_ptr_nonnull(strstr(report, "\"path\": \"/srv/www/caf\\u00e9\",\n"));
	ck_assert_ptr_nonnull(strstr(report, "\"path\": \"/srv/www/\xf0\x9f\x98\x80\",\n"
	                             "      \"call\": \"open\",\n"
	                             "      \"exe\": \"/usr/bin/cat\",\n"
	                             "      \"root\": \"/srv/\xe2\x82\xac\",\n"));
	ck_assert_ptr_nonnull(strstr(report, "    \"/usr/bin/\\\"cat\\\"\": 1\n"));
	check_json(rep_path, false);
	free(report);
	free(o.summary);

	/* Without the \u00e9, Python writes back exactly these bytes. */
	write_log(recs, NELEM(recs) - 1);
	o = run_report(0, NULL);
	ck_assert_int_eq(o.ret, 5);
	check_json(rep_path, true);
	free(o.summary);
}
END_TEST

/* Escapes that stay escaped in the summary: a control byte cannot break
 * the line, and \u00ff (a byte that was not UTF-8) is not shown as ÿ. */
START_TEST(escapes_shown)
{
	static const struct rec recs[] = {
		{ .path = "/a\\u000ab\\nc\\u00ff\\/d" },
	};
	struct out o;

	write_log(recs, NELEM(recs));
	o = run_report(0, NULL);
	ck_assert_int_eq(o.ret, 1);
	ck_assert_ptr_nonnull(strstr(o.summary, "beneath:   1x escape open "
	                             "/a\\u000ab\\nc\\u00ff/d (/usr/bin/cat)\n"));
	check_json(rep_path, false);
	free(o.summary);
}
END_TEST

/* The command's own bytes, which come from no log, encoded as log.c
 * encodes a path. */
START_TEST(command_bytes)
{
	char *const argv[] = { "sh", "-c", "echo \"hi\" \\ \n\t", "caf\xc3\xa9", "\xff\x7f", "", NULL };
	struct report_run run = { argv, status_of(0, 0) };
	struct out o;
	char *report;

	spew(log_path, "", 0);
	o = run_report(0, &run);
	ck_assert_int_eq(o.ret, 0);
	report = slurp(rep_path);
	ck_assert_ptr_nonnull(strstr(report,
	        "  \"command\": [\n"
	        "    \"sh\",\n"
	        "    \"-c\",\n"
	        "    \"echo \\\"hi\\\" \\\\ \\u000a\\u0009\",\n"
	        "    \"caf\xc3\xa9\",\n"
	        "    \"\\u00ff\\u007f\",\n"
	        "    \"\"\n"
	        "  ],\n"
	        "  \"exit_status\": 0,\n"));
	check_json(rep_path, false);
	free(report);
	free(o.summary);
}
END_TEST

/* ------------------------------------------------------------------------
 * Exit status against signal
 * ------------------------------------------------------------------------ */

struct status_case {
	int code, sig;          /* sig < 0: SIGRTMIN - sig - 1 */
	const char *want;
};

static const struct status_case status_cases[] = {
	{ 0, 0, "  \"exit_status\": 0,\n  \"signal\": null,\n  \"signal_name\": null,\n" },
	{ 2, 0, "  \"exit_status\": 2,\n  \"signal\": null,\n  \"signal_name\": null,\n" },
	{ 255, 0, "  \"exit_status\": 255,\n  \"signal\": null,\n  \"signal_name\": null,\n" },
	{ 0, SIGTERM, "  \"exit_status\": null,\n  \"signal\": 15,\n"
	  "  \"signal_name\": \"SIGTERM\",\n" },
	{ 0, SIGKILL, "  \"exit_status\": null,\n  \"signal\": 9,\n"
	  "  \"signal_name\": \"SIGKILL\",\n" },
	{ 0, SIGUSR1, "  \"exit_status\": null,\n  \"signal\": 10,\n"
	  "  \"signal_name\": \"SIGUSR1\",\n" },
	{ 0, -3, NULL },        /* SIGRTMIN+2: the number depends on the libc */
};

START_TEST(exit_or_signal)
{
	const struct status_case *c = &status_cases[_i];
	int sig = c->sig < 0 ? SIGRTMIN - c->sig - 1 : c->sig;
	char *const argv[] = { "make", NULL };
	struct report_run run = { argv, status_of(c->code, sig) };
	char want[256];
	struct out o;
	char *report;

	spew(log_path, GOOD "\n", strlen(GOOD "\n"));
	o = run_report(0, &run);
	ck_assert_int_eq(o.ret, 1);
	report = slurp(rep_path);
	if (c->want)
		snprintf(want, sizeof(want), "%s", c->want);
	else
		snprintf(want, sizeof(want), "  \"exit_status\": null,\n  \"signal\": %d,\n"
		         "  \"signal_name\": \"SIGRTMIN+2\",\n", sig);
	ck_assert_ptr_nonnull(strstr(report, want));
	check_json(rep_path, true);
	free(report);
	free(o.summary);
}
END_TEST

/* A status that is neither (stopped: waitpid without WUNTRACED never
 * gives one, but the field is an int): nulls, not garbage. */
START_TEST(status_neither)
{
	char *const argv[] = { "make", NULL };
	struct report_run run = { argv, 0x137f };       /* stopped by SIGSTOP */
	struct out o;
	char *report;

	ck_assert(WIFSTOPPED(run.wait_status));
	spew(log_path, "", 0);
	o = run_report(0, &run);
	ck_assert_int_eq(o.ret, 0);
	report = slurp(rep_path);
	ck_assert_ptr_nonnull(strstr(report, "  \"exit_status\": null,\n  \"signal\": null,\n"
	                             "  \"signal_name\": null,\n"));
	free(report);
	free(o.summary);
}
END_TEST

/* ------------------------------------------------------------------------
 * Writing the report: renamed into place, never half-written
 * ------------------------------------------------------------------------ */

static char tmp_path[PATH_MAX + 96];

static void old_report(void)
{
	spew(rep_path, "old\n", 4);
	snprintf(tmp_path, sizeof(tmp_path), "%s.tmp", rep_path);
}

/* A new inode renamed over the old report, and no REPORT.tmp left. */
START_TEST(atomic_replace)
{
	struct stat before, after;
	struct out o;
	char *report;
	int fd;

	old_report();
	/* Held open, as a reader of the old report would: it must keep
	 * seeing the old bytes. */
	fd = open(rep_path, O_RDONLY);
	ck_assert_int_ge(fd, 0);
	ck_assert_int_eq(fstat(fd, &before), 0);
	write_log((const struct rec[]){ { .pid = 1 } }, 1);
	o = run_report(0, NULL);
	ck_assert_int_eq(o.ret, 1);
	ck_assert_int_eq(stat(rep_path, &after), 0);
	ck_assert(before.st_ino != after.st_ino);
	ck_assert_int_eq(fstat(fd, &before), 0);
	ck_assert_int_eq(before.st_size, 4);
	close(fd);
	ck_assert(!file_exists(tmp_path));
	report = slurp(rep_path);
	ck_assert_int_eq(report_num(report, "records"), 1);
	free(report);
	free(o.summary);

	/* A stale REPORT.tmp from a crash is overwritten, not appended to. */
	spew(tmp_path, "stale stale stale\n", 18);
	o = run_report(0, NULL);
	ck_assert_int_eq(o.ret, 1);
	ck_assert(!file_exists(tmp_path));
	check_json(rep_path, true);
	free(o.summary);
}
END_TEST

/* REPORT.tmp cannot be created: an error, the old report untouched, and
 * the summary still printed, without "-> REPORT". */
START_TEST(atomic_cannot_create)
{
	struct out o;
	char *report;

	old_report();
	ck_assert_int_eq(mkdir(tmp_path, 0700), 0);
	write_log((const struct rec[]){ { .pid = 1 } }, 1);
	o = run_report(0, NULL);
	ck_assert_int_eq(o.ret, -EISDIR);
	ck_assert_str_eq(o.summary, "beneath: 1 denial (1 distinct)\n"
	                 "beneath:   1x escape open /srv/www/abs (/usr/bin/cat)\n");
	report = slurp(rep_path);
	ck_assert_str_eq(report, "old\n");
	free(report);
	free(o.summary);
}
END_TEST

/* The write fails half way (the file size limit; a full disk alike):
 * the old report untouched, REPORT.tmp removed. */
START_TEST(atomic_write_fails)
{
	struct rlimit saved, small = { 4096, 0 };
	char path[32];
	struct out o;
	char *report;
	FILE *f, *s;
	size_t len;
	int err;

	old_report();
	f = fopen(log_path, "w");
	ck_assert_ptr_nonnull(f);
	for (int i = 0; i < 200; i++) {
		snprintf(path, sizeof(path), "/srv/www/%d", i);
		put_rec(f, (struct rec){ .path = path });
	}
	fclose(f);
	signal(SIGXFSZ, SIG_IGN);
	ck_assert_int_eq(getrlimit(RLIMIT_FSIZE, &saved), 0);
	small.rlim_max = saved.rlim_max;
	s = open_memstream(&o.summary, &len);
	ck_assert_ptr_nonnull(s);
	/* No ck_assert() until the limit is lifted: Check writes its own
	 * files, which the limit would cut as well. */
	err = setrlimit(RLIMIT_FSIZE, &small);
	o.ret = report_write(log_path, 0, rep_path, s, NULL);
	ck_assert_int_eq(setrlimit(RLIMIT_FSIZE, &saved), 0);
	ck_assert_int_eq(err, 0);
	fclose(s);
	ck_assert_int_eq(o.ret, -EFBIG);
	ck_assert(!file_exists(tmp_path));
	report = slurp(rep_path);
	ck_assert_str_eq(report, "old\n");
	ck_assert_ptr_nonnull(strstr(o.summary, "beneath: 200 denials (200 distinct)\n"));
	free(report);
	free(o.summary);
}
END_TEST

/* REPORT in a directory that does not exist; REPORT a directory. */
START_TEST(atomic_bad_target)
{
	struct out o;
	size_t len;
	FILE *s;

	write_log((const struct rec[]){ { .pid = 1 } }, 1);
	s = open_memstream(&o.summary, &len);
	snprintf(rep_path, sizeof(rep_path), "%s/no/such/dir/report.json", dir);
	ck_assert_int_eq(report_write(log_path, 0, rep_path, s, NULL), -ENOENT);
	fclose(s);
	free(o.summary);

	snprintf(rep_path, sizeof(rep_path), "%s/adir", dir);
	ck_assert_int_eq(mkdir(rep_path, 0700), 0);
	ck_assert_int_eq(report_write(log_path, 0, rep_path, NULL, NULL), -EISDIR);
	snprintf(tmp_path, sizeof(tmp_path), "%s.tmp", rep_path);
	ck_assert(!file_exists(tmp_path));
}
END_TEST

/* No REPORT: nothing written, no "->"; no SUMMARY: nothing printed. */
START_TEST(no_report_no_summary)
{
	size_t len;
	char *text;
	FILE *s;

	write_log((const struct rec[]){ { .pid = 1 } }, 1);
	s = open_memstream(&text, &len);
	ck_assert_int_eq(report_write(log_path, 0, NULL, s, NULL), 1);
	fclose(s);
	ck_assert_str_eq(text, "beneath: 1 denial (1 distinct)\n"
	                 "beneath:   1x escape open /srv/www/abs (/usr/bin/cat)\n");
	free(text);
	ck_assert(!file_exists(rep_path));
	ck_assert_int_eq(report_write(log_path, 0, rep_path, NULL, NULL), 1);
	ck_assert(file_exists(rep_path));
}
END_TEST

/* The log cannot be read: -errno, nothing printed, nothing written. */
START_TEST(log_unreadable)
{
	struct out o;

	snprintf(log_path, sizeof(log_path), "%s/no-such.log", dir);
	o = run_report(0, NULL);
	ck_assert_int_eq(o.ret, -ENOENT);
	ck_assert_str_eq(o.summary, "");
	ck_assert(!file_exists(rep_path));
	free(o.summary);

	snprintf(log_path, sizeof(log_path), "%s", dir);
	o = run_report(0, NULL);
	ck_assert_int_eq(o.ret, -EISDIR);
	ck_assert_str_eq(o.summary, "");
	ck_assert(!file_exists(rep_path));
	free(o.summary);
}
END_TEST

/* ------------------------------------------------------------------------
 * Scale: 200,000 records, 19,981 distinct (a sanity run; the time is
 * printed, not asserted)
 * ------------------------------------------------------------------------ */

START_TEST(scale)
{
	static const char *const exes[] = { "/usr/bin/cc1", "/usr/bin/ld", "/usr/bin/as",
	                                    "/usr/bin/make", "/bin/sh" };
	static const char *const calls[] = { "open", "stat", "unlink", "rename" };
	struct timespec t0, t1;
	char path[64], stamp[32], *report;
	FILE *f = fopen(log_path, "w");
	struct out o;

	ck_assert_ptr_nonnull(f);
	for (int i = 0; i < 200000; i++) {
		struct rec r = { .time = stamp, .pid = 1000 + i % 97 };

		snprintf(stamp, sizeof(stamp), "2026-11-23T16:%02d:%02d.%03dZ",
		         i / 60000 % 60, i / 1000 % 60, i % 1000);
		if (i % 1000 == 0) {
			r.path = "/srv/www/hot";
		} else {
			snprintf(path, sizeof(path), "/srv/www/src/dir%d/file%d.c", i % 20000 / 100,
			         i % 20000);
			r.path = path;
			r.exe = exes[i % 5];
			r.call = calls[i % 4];
			r.reason = i % 3 ? "escape" : "read-only";
			r.verdict = i % 2 ? "denied" : "would-deny";
		}
		put_rec(f, r);
	}
	fclose(f);
	clock_gettime(CLOCK_MONOTONIC, &t0);
	o = run_report(0, NULL);
	clock_gettime(CLOCK_MONOTONIC, &t1);
	printf("test-report: 200000 records in %.3f s\n",
	       (double)(t1.tv_sec - t0.tv_sec) + (double)(t1.tv_nsec - t0.tv_nsec) / 1e9);
	ck_assert_int_eq(o.ret, 200000);
	ck_assert_ptr_nonnull(strstr(o.summary, "beneath: 200000 denials (19981 distinct) "
	                             "[99800 would-deny in audit mode] -> "));
	ck_assert_ptr_nonnull(strstr(o.summary,
	        "\nbeneath:   200x escape open /srv/www/hot (/usr/bin/cat)\n"
	        "beneath:   10x escape stat /srv/www/src/dir0/file1.c (/usr/bin/ld)\n"));
	ck_assert_ptr_nonnull(strstr(o.summary, "beneath:   ... and 19931 more\n"));
	report = slurp(rep_path);
	ck_assert_int_eq(report_num(report, "would_deny"), 99800);
	check_json(rep_path, true);
	free(report);
	free(o.summary);
}
END_TEST

/* ------------------------------------------------------------------------ */

static Suite *report_suite(void)
{
	Suite *s = suite_create("report");
	TCase *tc;

	tc = tcase_create("format");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, golden);
	tcase_add_test(tc, empty_log);
	tcase_add_test(tc, only_malformed);
	tcase_add_test(tc, command_bytes);
	suite_add_tcase(s, tc);

	tc = tcase_create("counting");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, violation_order);
	tcase_add_test(tc, dedup);
	tcase_add_test(tc, by_ties);
	tcase_add_test(tc, summary_cap);
	tcase_add_test(tc, start_offset);
	suite_add_tcase(s, tc);

	tc = tcase_create("lines");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_loop_test(tc, lines, 0, NELEM(line_cases));
	tcase_add_test(tc, long_lines);
	tcase_add_test(tc, last_line);
	tcase_add_test(tc, escapes);
	tcase_add_test(tc, escapes_shown);
	suite_add_tcase(s, tc);

	tc = tcase_create("status");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_loop_test(tc, exit_or_signal, 0, NELEM(status_cases));
	tcase_add_test(tc, status_neither);
	suite_add_tcase(s, tc);

	tc = tcase_create("files");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, atomic_replace);
	tcase_add_test(tc, atomic_cannot_create);
	tcase_add_test(tc, atomic_write_fails);
	tcase_add_test(tc, atomic_bad_target);
	tcase_add_test(tc, no_report_no_summary);
	tcase_add_test(tc, log_unreadable);
	suite_add_tcase(s, tc);

	tc = tcase_create("scale");
	tcase_add_checked_fixture(tc, setup, teardown);
	/* Generous for valgrind: a quadratic reader would still miss it. */
	tcase_set_timeout(tc, 300);
	tcase_add_test(tc, scale);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(report_suite());
	int failed;

	srunner_run_all(sr, CK_ENV);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? 1 : 0;
}
