#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
#
# A CI hardening run of a real autotools project (issue 7): the fixture
# tests/hardening/ (configure.ac, Makefile.am with a check_PROGRAMS C
# program and a TESTS shell test under automake's parallel harness; the
# program makes directories, writes, renames and reads files, follows a
# relative and an absolute symlink that stay inside, renames a mkstemp
# file into place, runs scandir and an fts walk, and writes a result into
# data/out; the test reads data/cfg) is copied to a temporary directory
# COPY and its whole CI job
#
#	autoreconf -fi && ./configure && make && make check
#
# runs under `beneath --root COPY`, so that autoreconf, configure, make,
# gcc, the test harness and the project's own program all run under the
# shim.
#
#  1. The clean project. The job without beneath is the reference. Under
#     --audit --report (openat2) and in enforce mode with
#     --fail-on-violation (walker): status 0, the test passes, configure
#     finds the same things (its output, config.h), the program prints the
#     same, the tree holds the same files; the report is valid JSON and says
#     no records, nothing denied or would-deny, no violations; no log line.
#     make check again under --audit --fail-on-violation, each backend:
#     still status 0.
#  2. The project with planted escapes: data/cfg -> OUTSIDE/secret (which
#     the test reads with cat) and data/out -> OUTSIDE/dir (into which the
#     program writes result.txt with fopen). Without beneath, make check
#     passes and both escapes happen (counted, shown). Under --audit (the
#     whole job once, then make check per backend): make check still
#     passes, its output is the same as without beneath, the secret is read
#     and OUTSIDE/dir/result.txt is really written; the report lists
#     exactly those two accesses (path, call, exe, root, reason, verdict,
#     errno, count, first_pid and first_seen from the log) and nothing
#     else; with --fail-on-violation the status is 3. In enforce mode,
#     each backend: the project's test fails on exactly those two accesses
#     (EACCES: "Permission denied"), every other step of it passes, the
#     report says the same two as denied, and nothing under OUTSIDE changed.
#  3. The sources read-only inside the workspace: --root W --root
#     W/src=ro, a VPATH build in W/build (../src/configure): the job
#     passes with no denial (both backends); a write into W/src is EROFS
#     whether it is spelled W/src/..., ../src/... from W/build or
#     W/srclink/... (srclink -> src), and writes nothing; without beneath
#     all three are written.
#  4. The workspace through a symlinked spelling: make check of the clean
#     tree entered as T/alias (-> the tree) under --root T/alias, enforce,
#     each backend: the program's absolute symlink made from $(pwd) (the
#     configured spelling of the root) stays inside and is followed; the
#     test passes, nothing is denied.
#
# The summary beneath prints for each run is shown, indented.
# The last line is "test-hardening: N passed, M failed"; the exit status
# is 1 if M > 0 (77 when skipped: no autoreconf, automake, make or cc).
here=$(cd "$(dirname "$0")" && pwd)
. "$here/testlib.sh"

B=$top_builddir/beneath
FIX=$top_srcdir/tests/hardening
need_built -s test-hardening "$B" "$SHIM" "$FIX/configure.ac"
B=$(cd "$(dirname "$B")" && pwd)/$(basename "$B")
make_tmpdir test-hardening
need_python3 -s test-hardening "it checks the JSON report and log"

for tool in autoreconf autoconf automake aclocal make cc; do
	if ! command -v "$tool" > /dev/null; then
		echo "SKIP: $tool is not installed (scripts/install-deps installs the autotools)"
		echo "test-hardening: 0 passed, 0 failed"
		exit 77
	fi
done

# The make check running this test hands its jobserver and flags down:
# the makes here are the fixture's own. The configuration comes from our
# options only.
unset MAKEFLAGS MFLAGS MAKELEVEL GNUMAKEFLAGS
unset BENEATH_ROOTS BENEATH_MODE BENEATH_OUTSIDE BENEATH_ERRNO BENEATH_LOG BENEATH_RESOLVER
unset LD_PRELOAD CONFIG_SITE
# A launcher built with ASan: no leak check here (test-launcher has it).
export ASAN_OPTIONS=${ASAN_OPTIONS:+$ASAN_OPTIONS:}detect_leaks=0:verify_asan_link_order=0

CAT_EXE=$(readlink -f "$(command -v cat)")
OUTSIDE=$T/outside
SECRET=$OUTSIDE/secret
mkdir -p "$OUTSIDE/dir"
# A line the project's test accepts as a configuration, so that the job
# passes when the secret is read.
printf 'mode=TOPSECRET-outside\n' > "$SECRET"
CI='autoreconf -fi && ./configure && make && make check'

# ------------------------------------------------------------------------
# Helpers
# ------------------------------------------------------------------------
# copy DIR: a fresh, writable copy of the fixture (the source tree may be
# read-only, as under make distcheck).
copy() {
	rm -rf "$1"
	cp -R "$FIX" "$1" && chmod -R u+w "$1"
}

# plant DIR: the two escapes.
plant() {
	rm -rf "$1/data/cfg" "$1/data/out"
	ln -s "$SECRET" "$1/data/cfg"
	ln -s "$OUTSIDE/dir" "$1/data/out"
}

# job NAME DIR SCRIPT [BENEATH OPTIONS...]: SCRIPT run by sh -c in DIR,
# under beneath with the options given (none: without beneath); its output
# in $T/NAME.out (OUT), its stderr and beneath's in $T/NAME.err (ERR), the status
# in rc. The "beneath:" summary is shown.
job() {
	local n=$1 d=$2 s=$3
	shift 3
	OUT=$T/$n.out
	ERR=$T/$n.err
	if [ $# -eq 0 ]; then
		(cd "$d" && sh -c "$s") > "$OUT" 2> "$ERR" < /dev/null
		rc=$?
	else
		(cd "$d" && "$B" "$@" -- sh -c "$s") > "$OUT" 2> "$ERR" < /dev/null
		rc=$?
		if grep -q '^beneath:' "$ERR"; then
			echo "  $n:"
			grep '^beneath:' "$ERR" | sed 's/^/    /'
		fi
	fi
}

# show FILE: its last lines, indented (after a failure).
show() {
	echo "    --- $(basename "$1"):"
	tail -n 25 "$1" | sed 's/^/    | /'
}

expect_rc() {
	if [ "$rc" = "$2" ]; then
		ok
	else
		bad "$1: exit status $rc, expected $2"
		show "$OUT"
		show "$ERR"
	fi
}

# expect_line DESC FILE LINE: LINE is a whole line of FILE.
expect_line() {
	if [ -f "$2" ] && grep -qxF -- "$3" "$2"; then
		ok
	else
		bad "$1: no line '$3' in $2"
		[ -f "$2" ] && show "$2"
	fi
}

# same_state DESC REFERENCE STATE: one assertion; the difference shown.
same_state() {
	if cmp -s "$2" "$3"; then
		ok
	else
		bad "$1: differs from the job without beneath (< without, > with):"
		diff "$2" "$3" | grep '^[<>]' | head -n 40 | sed 's/^/    /'
	fi
}

# state DIR NAME: what the job NAME left in DIR: configure's output, config.h, the
# program's output, the test's verdict, and every file (type and name).
state() {
	(
		cd "$1" || exit 1
		echo "== configure"
		sed -n '/^checking\|^configure:/p' "$T/$2.out"
		echo "== config.h"
		cat config.h
		echo "== filework.out"
		cat filework.out
		echo "== filework.sh.trs"
		cat filework.sh.trs
		echo "== files"
		find . -printf '%y %p\n' | sort
	) > "$T/$2.state" 2>&1
}

# checkreport DESC REPORT LOG EXIT VERDICT ROOT [PATH CALL EXE]...: the
# report is valid JSON with exactly the keys of beneath(1); exit_status
# EXIT; LOG (may be missing: no denial) has one line per PATH CALL EXE and
# nothing else; the report's counts, by_* tables and violations say
# exactly those accesses, each once, with reason escape, verdict VERDICT,
# root ROOT, errno EACCES and the pid and time of its log line.
cat > "$T/checkreport.py" << 'EOF'
import json, os, sys
desc, report, log, exit_status, verdict, root = sys.argv[1:7]
rest = sys.argv[7:]
want = [tuple(rest[i:i + 3]) for i in range(0, len(rest), 3)]
npass = 0
def res(ok, what, detail=""):
    global npass
    if ok:
        npass += 1
    else:
        print("FAIL: %s: %s%s" % (desc, what, (": " + detail) if detail else ""))
try:
    r = json.load(open(report))
except (OSError, ValueError) as e:
    res(False, "the report does not parse", repr(e))
    print("pass %d" % npass)
    sys.exit(0)
keys = ["version", "command", "exit_status", "signal", "signal_name", "records", "denied",
        "would_deny", "malformed_lines", "by_reason", "by_call", "by_root", "by_exe",
        "violations"]
res(sorted(r) == sorted(keys), "the report's keys", "%s" % sorted(r))
res(r.get("version") == 1, "version", repr(r.get("version")))
res(r.get("command", [None])[0] == "sh", "command", repr(r.get("command")))
res(r.get("exit_status") == int(exit_status), "exit_status %s" % exit_status,
    repr(r.get("exit_status")))
res(r.get("signal") is None and r.get("signal_name") is None, "no signal")
recs = []
if os.path.exists(log):
    for line in open(log, "rb").read().split(b"\n")[:-1]:
        try:
            recs.append(json.loads(line))
        except ValueError:
            res(False, "a log line does not parse", repr(line))
got = sorted((x.get("path"), x.get("call"), x.get("exe")) for x in recs)
res(got == sorted(want), "the log has exactly the expected accesses",
    "got %s, expected %s" % (got, sorted(want)))
n = len(want)
res(r.get("records") == n, "records == %d" % n, repr(r.get("records")))
res(r.get("denied") == (n if verdict == "denied" else 0), "denied", repr(r.get("denied")))
res(r.get("would_deny") == (n if verdict == "would-deny" else 0), "would_deny",
    repr(r.get("would_deny")))
res(r.get("malformed_lines") == 0, "malformed_lines", repr(r.get("malformed_lines")))
def count(i):
    c = {}
    for w in want:
        c[w[i]] = c.get(w[i], 0) + 1
    return c
res(r.get("by_reason") == ({"escape": n} if n else {}), "by_reason", repr(r.get("by_reason")))
res(r.get("by_call") == count(1), "by_call", "%r, expected %r" % (r.get("by_call"), count(1)))
res(r.get("by_root") == ({root: n} if n else {}), "by_root", repr(r.get("by_root")))
res(r.get("by_exe") == count(2), "by_exe", "%r, expected %r" % (r.get("by_exe"), count(2)))
v = r.get("violations", [])
res(sorted((x.get("path"), x.get("call"), x.get("exe")) for x in v) == sorted(want),
    "violations: exactly the expected (path, call, exe)",
    "got %s" % [(x.get("path"), x.get("call"), x.get("exe")) for x in v])
for x in v:
    k = (x.get("path"), x.get("call"), x.get("exe"))
    rec = [y for y in recs if (y.get("path"), y.get("call"), y.get("exe")) == k]
    exp = dict(path=k[0], call=k[1], exe=k[2], root=root, reason="escape", verdict=verdict,
               errno="EACCES", count=1)
    if rec:
        exp.update(first_seen=rec[0].get("time"), first_pid=rec[0].get("pid"))
    res(x == exp, "violation %s %s" % (k[1], k[0]),
        "got %s, expected %s" % (json.dumps(x), json.dumps(exp)))
print("pass %d" % npass)
EOF
checkreport() {
	local desc=$1
	shift
	py_checker "$desc" "$T/checkreport.py" "$@"
}

# snapshot: every file under OUTSIDE with its type, size, mode, mtime and
# contents' checksum.
snapshot() {
	(cd "$OUTSIDE" && find . -printf '%y %s %m %T@ %p\n' | sort &&
		find . -type f -exec sha256sum {} + | sort -k 2)
}

# ------------------------------------------------------------------------
# 1. The clean project
# ------------------------------------------------------------------------
echo "1. the clean project: $CI"
P=$T/plain
copy "$P"
job plain "$P" "$CI"
expect_rc "clean, without beneath" 0
expect_line "clean, without beneath: the project's test passes" "$P/filework.sh.trs" ":test-result: PASS"
state "$P" plain

C=$T/clean
copy "$C"
job clean-audit "$C" "$CI" --audit --resolver openat2 --root "$C" \
	--report "$T/clean-audit.json" --log "$T/clean-audit.log"
expect_rc "clean, --audit (openat2)" 0
expect_line "clean, --audit (openat2): the project's test passes" "$C/filework.sh.trs" ":test-result: PASS"
checkreport "clean, --audit (openat2)" "$T/clean-audit.json" "$T/clean-audit.log" 0 would-deny "$C"
expect_line "clean, --audit (openat2): the summary" "$ERR" "beneath: no denials"
state "$C" clean-audit
sed -i "s|$C|$P|g" "$T/clean-audit.state"
same_state "clean, --audit (openat2): configure, config.h, the program's output, the files" \
	"$T/plain.state" "$T/clean-audit.state"

E=$T/clean-enforce
copy "$E"
job clean-enforce "$E" "$CI" --fail-on-violation --resolver walker --root "$E" \
	--report "$T/clean-enforce.json" --log "$T/clean-enforce.log"
expect_rc "clean, enforce, --fail-on-violation (walker)" 0
expect_line "clean, enforce (walker): the project's test passes" "$E/filework.sh.trs" ":test-result: PASS"
checkreport "clean, enforce (walker)" "$T/clean-enforce.json" "$T/clean-enforce.log" 0 denied "$E"
state "$E" clean-enforce
sed -i "s|$E|$P|g" "$T/clean-enforce.state"
same_state "clean, enforce (walker): configure, config.h, the program's output, the files" \
	"$T/plain.state" "$T/clean-enforce.state"

# make check again in the audited tree, --fail-on-violation, each backend.
for b in openat2 walker; do
	job "clean-fov-$b" "$C" 'make check' --audit --fail-on-violation --resolver "$b" --root "$C" \
		--report "$T/clean-fov-$b.json" --log "$T/clean-fov-$b.log"
	expect_rc "clean, make check, --audit --fail-on-violation ($b)" 0
	expect_line "clean, --audit --fail-on-violation ($b): the project's test passes" \
		"$C/filework.sh.trs" ":test-result: PASS"
	checkreport "clean, --audit --fail-on-violation ($b)" "$T/clean-fov-$b.json" \
		"$T/clean-fov-$b.log" 0 would-deny "$C"
done

# ------------------------------------------------------------------------
# 2. The project with planted escapes
# ------------------------------------------------------------------------
echo "2. planted: data/cfg -> $SECRET (read by cat), data/out -> $OUTSIDE/dir (written by filework)"

# Without beneath (the tree built in 1): both escapes happen.
plant "$P"
job attack "$P" 'make check'
expect_rc "planted, without beneath: make check passes" 0
n=0
grep -qxF "cfg: mode=TOPSECRET-outside" "$P/filework.sh.log" && n=$((n + 1))
grep -qxF "result of filework" "$OUTSIDE/dir/result.txt" 2> /dev/null && n=$((n + 1))
echo "  without beneath: $n escapes (the secret read: $(grep -c TOPSECRET "$P/filework.sh.log")," \
	"$OUTSIDE/dir/result.txt written: $([ -f "$OUTSIDE/dir/result.txt" ] && echo yes || echo no))"
check_eq "planted, without beneath: both escapes happen" 2 "$n"
ATTACK_LOG=$T/attack.filework.log
cp "$P/filework.sh.log" "$ATTACK_LOG"

# want DIR: the two accesses, as checkreport takes them.
want() {
	WANT="$1/data/out/result.txt fopen $1/filework $1/data/cfg open $CAT_EXE"
}

# audited NAME DIR DESC: what an audited run of make check must show: the
# test passes with the same output as without beneath, the outside file is
# really written, the secret really read.
audited() {
	expect_line "$3: the project's test passes" "$2/filework.sh.trs" ":test-result: PASS"
	expect_line "$3: the secret is read (audit performs the call)" "$2/filework.sh.log" \
		"cfg: mode=TOPSECRET-outside"
	expect_line "$3: $OUTSIDE/dir/result.txt is written (audit performs the call)" \
		"$OUTSIDE/dir/result.txt" "result of filework"
	sed "s|$2|$P|g" "$2/filework.sh.log" > "$T/$1.filework.log"
	same_state "$3: the test's output" "$ATTACK_LOG" "$T/$1.filework.log"
}

# The whole job, audited (openat2).
A=$T/planted
copy "$A"
plant "$A"
rm -f "$OUTSIDE/dir/result.txt"
job planted-audit "$A" "$CI" --audit --resolver openat2 --root "$A" \
	--report "$T/planted-audit.json" --log "$T/planted-audit.log"
expect_rc "planted, --audit (openat2): the job passes" 0
audited planted-audit "$A" "planted, --audit (openat2)"
want "$A"
# shellcheck disable=SC2086
checkreport "planted, --audit (openat2)" "$T/planted-audit.json" "$T/planted-audit.log" 0 \
	would-deny "$A" $WANT

# make check again, audited, --fail-on-violation, each backend.
for b in openat2 walker; do
	rm -f "$OUTSIDE/dir/result.txt" "$T/planted-fov-$b.log"
	job "planted-fov-$b" "$A" 'make check' --audit --fail-on-violation --resolver "$b" --root "$A" \
		--report "$T/planted-fov-$b.json" --log "$T/planted-fov-$b.log"
	expect_rc "planted, --audit --fail-on-violation ($b)" 3
	audited "planted-fov-$b" "$A" "planted, --audit --fail-on-violation ($b)"
	# shellcheck disable=SC2086
	checkreport "planted, --audit --fail-on-violation ($b)" "$T/planted-fov-$b.json" \
		"$T/planted-fov-$b.log" 0 would-deny "$A" $WANT
done

# Enforce, each backend: the test fails on exactly those two accesses.
rm -f "$OUTSIDE/dir/result.txt"
before=$(snapshot)
for b in openat2 walker; do
	job "planted-enforce-$b" "$A" 'make check' --resolver "$b" --root "$A" \
		--report "$T/planted-enforce-$b.json" --log "$T/planted-enforce-$b.log"
	expect_rc "planted, enforce ($b): make check fails" 2
	L=$A/filework.sh.log
	expect_line "planted, enforce ($b): the project's test fails" "$A/filework.sh.trs" ":test-result: FAIL"
	expect_line "planted, enforce ($b): the write is refused" "$L" \
		"filework: fopen $A/data/out/result.txt: Permission denied"
	expect_line "planted, enforce ($b): the read is refused" "$L" \
		"cat: $A/data/cfg: Permission denied"
	# Every other step of the test passed: its only complaints are the two
	# refusals and what follows from them.
	grep -v -x -F -e "filework: fopen $A/data/out/result.txt: Permission denied" \
		-e "cat: $A/data/cfg: Permission denied" -e "filework failed" \
		-e "missing: out: ok" -e "cannot read data/cfg" "$L" |
		grep -E 'denied|missing|failed|cannot|bad|filework:|cat:' > "$T/other.txt"
	expect_lines "planted, enforce ($b): nothing else fails" /dev/null "$T/other.txt" \
		": other failures in filework.sh.log"
	# shellcheck disable=SC2086
	checkreport "planted, enforce ($b)" "$T/planted-enforce-$b.json" "$T/planted-enforce-$b.log" \
		2 denied "$A" $WANT
	check_eq "planted, enforce ($b): nothing under $OUTSIDE changed" "$before" "$(snapshot)"
done

# ------------------------------------------------------------------------
# 3. The sources read-only inside the workspace
# ------------------------------------------------------------------------
# A common CI configuration: the workspace W is a root, its source tree
# W/src a read-only root inside it, and the build happens in W/build
# (../src/configure, a VPATH build). The job passes; a write into W/src is
# EROFS however it is spelled: directly, through ../src from the build
# directory, or through a symlink W/srclink -> src. Without beneath all
# three writes happen.
echo "3. a VPATH build, --root W --root W/src=ro"
W=$T/ws
mkdir -p "$W/build"
copy "$W/src"
(cd "$W/src" && autoreconf -fi) > "$T/ws-autoreconf.out" 2>&1
check "autoreconf in $W/src" [ -x "$W/src/configure" ]
ln -s src "$W/srclink"
job vpath "$W/build" '../src/configure && make && make check' --resolver openat2 \
	--root "$W" --root "$W/src=ro" --fail-on-violation --report "$T/vpath.json" --log "$T/vpath.log"
expect_rc "VPATH build, src read-only (openat2)" 0
expect_line "VPATH build, src read-only (openat2): the project's test passes" \
	"$W/build/filework.sh.trs" ":test-result: PASS"
checkreport "VPATH build, src read-only (openat2)" "$T/vpath.json" "$T/vpath.log" 0 denied "$W"
job vpath-walker "$W/build" 'make check' --resolver walker \
	--root "$W" --root "$W/src=ro" --fail-on-violation --report "$T/vpath-walker.json"
expect_rc "VPATH build, src read-only, make check (walker)" 0

WRITES="$W/src/data/direct ../src/data/dotdot $W/srclink/data/link"
n=0
for f in $WRITES; do
	(cd "$W/build" && echo x > "$f") 2> /dev/null && n=$((n + 1))
done
echo "  without beneath: $n of 3 writes into $W/src"
check_eq "writes into the sources, without beneath: all three happen" 3 "$n"
rm -f "$W/src/data/direct" "$W/src/data/dotdot" "$W/src/data/link"
for b in openat2 walker; do
	for f in $WRITES; do
		job "ro-$b-$(basename "$f")" "$W/build" "echo x > $f" --resolver "$b" \
			--root "$W" --root "$W/src=ro"
		expect_line "write into the read-only sources as $f ($b): EROFS" "$ERR" \
			"sh: 1: cannot create $f: Read-only file system"
	done
	left=$(cd "$W/src/data" && ls)
	check_eq "write into the read-only sources ($b): nothing written" cfg "$left"
	rm -f "$W/src/data/direct" "$W/src/data/dotdot" "$W/src/data/link"
done

# ------------------------------------------------------------------------
# 4. The workspace through a symlinked spelling
# ------------------------------------------------------------------------
# CI often reaches its workspace through a symlink (a home directory on
# another volume); --root "$PWD" then names the root by that spelling.
# make check of the clean tree of 1, entered as T/alias -> clean with
# --root T/alias: the program's absolute symlink data/abslink, made from
# $(pwd), names the root by its configured spelling and stays inside. The
# test passes, nothing is denied, in enforce mode with each backend.
echo "4. make check through a symlinked spelling of the root"
ln -s clean "$T/alias"
for b in openat2 walker; do
	job "alias-$b" "$T/alias" 'make check' --resolver "$b" --root "$T/alias" \
		--fail-on-violation --report "$T/alias-$b.json" --log "$T/alias-$b.log"
	# One bug, three assertions: the status, the step, the report.
	if [ "$rc" = 0 ]; then ok; else bad "make check in T/alias, enforce ($b): exit status $rc, expected 0"; fi
	expect_line "make check in T/alias ($b): the symlink made from \$(pwd) is followed" \
		"$C/filework.sh.log" "abslink: hello"
	n=$("$PY" -c 'import json, sys; print(json.load(open(sys.argv[1]))["records"])' "$T/alias-$b.json")
	check_eq "make check in T/alias ($b): the report's records" 0 "$n"
done

if [ -n "$skipped" ]; then
	echo "skipped:$skipped"
fi
echo "test-hardening: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
