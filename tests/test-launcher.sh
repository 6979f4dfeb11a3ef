#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
#
# The beneath launcher (shim/launcher/) end to end, in the build tree and
# installed with make install DESTDIR=..., under both resolver backends
# where the backend matters.
#
# A tree ROOT holds legitimate files and planted escapes (ROOT/abs ->
# OUT/secret, ROOT/dl -> OUT); without the launcher, cat reads the secret
# through them (shown); under it, cat gets EACCES and the legitimate files
# read as before.
#
#  0. In an ASan build (configure --enable-sanitizers): the launcher
#     leaks nothing (checked once; the other runs have leak checks off).
#  1. Confinement: escapes refused, legitimate files (and links inside)
#     served, COMMAND's status passed on.
#  2. Every option: --root (repeatable, relative, ro, nosymlinks, beneath,
#     in_root, contain, sameowner, fd=N, escaped ':' and '=', merged with
#     BENEATH_ROOTS), --audit, --deny-outside, --errno, --log (FILE
#     appended, relative FILE, stderr, fd:N), --resolver, --check-config
#     (the effective configuration; bad options, a missing root, a bad
#     errno name: status 2 and one "beneath: " line), --print-preload,
#     --version, --help, a bad option, a missing COMMAND, a COMMAND that
#     cannot be found or run.
#  3. The child's environment: a caller's LD_PRELOAD kept, ours appended
#     (once); BENEATH_* set from the options.
#  4. The report (--report, parsed with python3's json): a clean run, a
#     run with violations checked against the log the shim wrote (counts
#     by reason, call, root and exe; distinct violations with counts,
#     first_seen and first_pid, most frequent first), audit mode, a log
#     with older lines (only this run's records counted), the summary on
#     stderr, --fail-on-violation, a COMMAND killed by a signal, a COMMAND
#     that drops privileges (when run as root).
#  5. Signals sent to the launcher reach COMMAND; signals ignored by the
#     launcher's caller (nohup) stay ignored in COMMAND.
#  6. Propagation: a whole process tree (sh -c, make, xargs, env -i, a
#     double-forking daemon) appends to one log, is confined, and shows up
#     in the report by executable.
#  7. make install DESTDIR=...: the installed launcher finds the installed
#     shim, confines, reports; man pages, header, .pc and library there.
#
# Every failed assertion prints "FAIL:". The last line is
# "test-launcher: N passed, M failed"; the exit status is 1 if M > 0.
# (SC2016: the single-quoted scripts expand their own arguments.)
# shellcheck disable=SC2016
here=$(cd "$(dirname "$0")" && pwd)
. "$here/testlib.sh"

# BENEATH_TEST_LAUNCHER: another launcher binary to test (default: the
# one in the build tree).
B=${BENEATH_TEST_LAUNCHER:-$top_builddir/beneath}
need_built -s test-launcher "$B" "$SHIM"
B=$(cd "$(dirname "$B")" && pwd)/$(basename "$B")
shim_absolute -P
BACKENDS="openat2 walker"

make_tmpdir test-launcher
need_python3 -s test-launcher "it parses the JSON log and report, and is one of the programs run"

# A make check run hands its jobserver and flags to us: the makes run
# here are our own.
unset MAKEFLAGS MFLAGS MAKELEVEL GNUMAKEFLAGS
# The records of the runs below come from our own options only.
unset BENEATH_ROOTS BENEATH_MODE BENEATH_OUTSIDE BENEATH_ERRNO BENEATH_LOG BENEATH_RESOLVER
unset LD_PRELOAD

# A launcher built with ASan (configure --enable-sanitizers): its leaks
# are checked once, in leaks() below, then left out so that they cannot
# change the status of every other run; and the runs that give the
# launcher itself an LD_PRELOAD must not trip ASan's link order check.
ASAN_BUILD=
if ldd "$B" 2> /dev/null | grep -q 'libasan'; then
	ASAN_BUILD=1
	ASAN_LEAKS=${ASAN_OPTIONS:+$ASAN_OPTIONS:}detect_leaks=1
	export ASAN_OPTIONS=${ASAN_OPTIONS:+$ASAN_OPTIONS:}detect_leaks=0:verify_asan_link_order=0
fi

exe_of() { readlink -f "$(command -v "$1")"; }
CAT_EXE=$(exe_of cat)
HEAD_EXE=$(exe_of head)
SH_EXE=$(exe_of sh)
MAKE_EXE=$(exe_of make)
XARGS_EXE=$(exe_of xargs)
MKDIR_EXE=$(exe_of mkdir)
PY_EXE=$(readlink -f "$PY")

# ------------------------------------------------------------------------
# The tree
# ------------------------------------------------------------------------
R=$T/root       # the root
R2=$T/root2     # a second root
O=$T/out        # outside: the attacker's target
SECRET=$O/secret
TMPD=$T/tmpd    # TMPDIR of the launcher: its private logs go here
export TMPDIR=$TMPD
export R R2 O SECRET CAT_EXE HEAD_EXE SH_EXE MAKE_EXE XARGS_EXE MKDIR_EXE PY_EXE

mktree() {
	rm -rf "$R" "$R2" "$O" "$TMPD" "$T/co:lon" "$T/e=q" "$T/mk"
	mkdir -p "$R/data" "$R2/data" "$O" "$TMPD" "$T/co:lon/sub" "$T/e=q" "$T/mk"
	# A valid makefile line, so that make can -include it.
	printf 'STOLEN := TOPSECRET-outside\n' > "$SECRET"
	printf 'inside-data\n' > "$R/data/file"
	printf 'inside-data2\n' > "$R2/data/file"
	ln -s "$SECRET" "$R/abs"            # escapes
	ln -s "$O" "$R/dl"
	ln -s ../out/secret "$R/rel"
	ln -s "$SECRET" "$R2/abs"
	for e in sh make xargs-in xargs-cat env daemon python; do
		ln -s "$SECRET" "$R/e-$e"
	done
	ln -s data/file "$R/inlink"         # links that stay inside
	ln -s "$R/data/file" "$R/inabs"
	ln -s /data/file "$R/chr"           # inside only for in_root
	printf 'colon-data\n' > "$T/co:lon/file"
	ln -s "$SECRET" "$T/co:lon/abs"
	printf 'eq-data\n' > "$T/e=q/file"
	ln -s "$SECRET" "$T/e=q/abs"
}

# ------------------------------------------------------------------------
# Helpers
# ------------------------------------------------------------------------
# runb NAME ARG...: the launcher with ARG...; its output in $T/NAME.out
# and $T/NAME.err (OUT, ERR), its status in rc.
runb() {
	local n=$1
	shift
	OUT=$T/$n.out
	ERR=$T/$n.err
	"$B" "$@" > "$OUT" 2> "$ERR" < /dev/null
	rc=$?
}

# show FILE: its first lines, indented (after a failure).
show() {
	echo "    --- $(basename "$1"):"
	head -n 12 "$1" | sed 's/^/    | /'
}

# expect_rc DESC WANT: the last runb's status.
expect_rc() {
	if [ "$rc" = "$2" ]; then
		ok
	else
		bad "$1: exit status $rc, expected $2"
		show "$OUT"
		show "$ERR"
	fi
}

# expect_in DESC FILE STRING / expect_not_in DESC FILE STRING
expect_in() {
	if grep -qF -- "$3" "$2"; then
		ok
	else
		bad "$1: no '$3' in $(basename "$2")"
		show "$2"
	fi
}
expect_not_in() {
	if grep -qF -- "$3" "$2"; then
		bad "$1: '$3' in $(basename "$2")"
		show "$2"
	else
		ok
	fi
}

# expect_denied DESC FILE PATH [MESSAGE]: a line of FILE names PATH (quoted
# or not) and says MESSAGE (default "Permission denied").
expect_denied() {
	local m=${4:-Permission denied}
	if awk -v p="$3" -v m="$m" 'index($0, p) && index($0, ": " m) { f = 1 } END { exit !f }' "$2"; then
		ok
	else
		bad "$1: no '$3: $m' in $(basename "$2")"
		show "$2"
	fi
}

# expect_line DESC FILE LINE: LINE is a whole line of FILE.
expect_line() {
	if grep -qxF -- "$3" "$2"; then
		ok
	else
		bad "$1: no line '$3' in $(basename "$2")"
		show "$2"
	fi
}

# expect_empty DESC FILE
expect_empty() {
	if [ -s "$2" ]; then
		bad "$1: $(basename "$2") is not empty"
		show "$2"
	else
		ok
	fi
}

# expect_one_error DESC: the last runb failed with status 2, nothing on
# stdout and exactly one line on stderr, which starts with "beneath: ".
expect_one_error() {
	expect_rc "$1" 2
	expect_empty "$1: stdout" "$OUT"
	if [ "$(wc -l < "$ERR")" = 1 ] && grep -q '^beneath: ' "$ERR"; then
		ok
	else
		bad "$1: not one 'beneath: ' line on stderr"
		show "$ERR"
	fi
}

# expect_usage_error DESC: status 2, nothing on stdout, a first line
# "beneath: ..." on stderr and a pointer to --help.
expect_usage_error() {
	expect_rc "$1" 2
	expect_empty "$1: stdout" "$OUT"
	if head -n 1 "$ERR" | grep -q '^beneath: '; then ok; else
		bad "$1: stderr does not start with 'beneath: '"
		show "$ERR"
	fi
	expect_in "$1: stderr" "$ERR" "--help"
}

# no_secret DESC FILE...: none of FILE shows the secret.
no_secret() {
	local d=$1 f
	shift
	for f in "$@"; do
		expect_not_in "$d" "$f" TOPSECRET
	done
}

# log_has DESC LOG PATH EXE [VERDICT [REASON [ERRNO]]]: LOG has at least one
# record for PATH from EXE, with that verdict (default denied), reason
# (default escape) and errno (default EACCES); every line of LOG is JSON.
log_has() {
	local res
	res=$("$PY" - "$@" << 'EOF'
import json, sys
desc, log, path, exe = sys.argv[1:5]
verdict = sys.argv[5] if len(sys.argv) > 5 else "denied"
reason = sys.argv[6] if len(sys.argv) > 6 else "escape"
err = sys.argv[7] if len(sys.argv) > 7 else "EACCES"
n = 0
try:
    for raw in open(log, "rb").read().split(b"\n")[:-1]:
        r = json.loads(raw)
        if r["path"] == path and r["exe"] == exe:
            got = (r["verdict"], r["reason"], r["errno"])
            if got == (verdict, reason, err):
                n += 1
            else:
                print("record for %s from %s is %s, expected %s" % (path, exe, got, (verdict, reason, err)))
                sys.exit(0)
except (OSError, ValueError, KeyError) as e:
    print("log %s: %r" % (log, e))
    sys.exit(0)
print("ok" if n else "no record for %s from %s" % (path, exe))
EOF
)
	if [ "$res" = ok ]; then ok; else
		bad "$1: $res"
		show "$2"
	fi
}

# The report checker. pyreport DESC REPORT [LOG START] [-- EXPR...]:
# with LOG, the report must say exactly what the records of LOG from byte
# START say (computed here, independently); each EXPR is a python
# expression that must be true, with r (the report), recs (the records
# of LOG from START), V (the environment) and base (os.path.basename).
cat > "$T/report.py" << 'EOF'
import json, os, sys
desc, report = sys.argv[1:3]
rest = sys.argv[3:]
log = start = None
if rest and rest[0] != "--":
    log, start = rest[0], int(rest[1])
    rest = rest[2:]
exprs = rest[1:] if rest and rest[0] == "--" else []
npass = 0
def res(ok, what, detail=""):
    global npass
    if ok:
        npass += 1
    else:
        print("FAIL: %s: %s%s" % (desc, what, (": " + detail) if detail else ""))
try:
    raw = open(report, "rb").read()
    r = json.loads(raw)
except (OSError, ValueError) as e:
    res(False, "the report does not parse", repr(e))
    print("pass %d" % npass)
    sys.exit(0)
res(not os.path.exists(report + ".tmp"), "REPORT.tmp left behind")
recs = []
if log is not None:
    data = open(log, "rb").read()[start:]
    for line in data.split(b"\n")[:-1]:
        recs.append(json.loads(line))
    keys = ["version", "command", "exit_status", "signal", "signal_name", "records",
            "denied", "would_deny", "malformed_lines", "by_reason", "by_call", "by_root",
            "by_exe", "violations"]
    res(sorted(r) == sorted(keys), "the report's keys", "%s" % sorted(r))
    res(r.get("version") == 1, "version 1", repr(r.get("version")))
    res(r.get("records") == len(recs), "records", "%r, the log has %d" % (r.get("records"), len(recs)))
    nd = sum(x["verdict"] == "denied" for x in recs)
    res(r.get("denied") == nd, "denied", "%r, the log has %d" % (r.get("denied"), nd))
    nw = sum(x["verdict"] == "would-deny" for x in recs)
    res(r.get("would_deny") == nw, "would_deny", "%r, the log has %d" % (r.get("would_deny"), nw))
    res(r.get("malformed_lines") == 0, "malformed_lines", repr(r.get("malformed_lines")))
    for k, f in (("by_reason", "reason"), ("by_call", "call"), ("by_root", "root"), ("by_exe", "exe")):
        c = {}
        for x in recs:
            c[x[f]] = c.get(x[f], 0) + 1
        want = sorted(c.items(), key=lambda kv: (-kv[1], kv[0]))
        got = list(r.get(k, {}).items())
        res(got == want, k + " (counts, most frequent first)", "got %s, expected %s" % (got, want))
    v = {}
    for x in recs:
        key = (x["path"], x["call"], x["exe"])
        if key not in v:
            v[key] = dict(path=x["path"], call=x["call"], exe=x["exe"], root=x["root"],
                          reason=x["reason"], verdict=x["verdict"], errno=x["errno"], count=0,
                          first_seen=x["time"], first_pid=x["pid"])
        v[key]["count"] += 1
    want = sorted(v.values(), key=lambda d: (-d["count"], d["first_seen"], d["path"]))
    got = r.get("violations", [])
    res(len(got) == len(want), "violations: one per distinct (path, call, exe)",
        "%d, expected %d" % (len(got), len(want)))
    for i, (g, w) in enumerate(zip(got, want)):
        res(g == w, "violations[%d]" % i, "got %s, expected %s" % (json.dumps(g), json.dumps(w)))
V = dict(os.environ)
base = os.path.basename
for e in exprs:
    try:
        ok = eval(e)
    except Exception as ex:
        res(False, e, repr(ex))
        continue
    res(bool(ok), e, "no")
print("pass %d" % npass)
EOF
pyreport() {
	local desc=$1
	shift
	py_checker "$desc" "$T/report.py" "$@"
}

# summary DESC ERRFILE REPORT SHOWN: the "beneath:" lines of ERRFILE are
# the summary of REPORT (named SHOWN on the command line): a first line
# "beneath: N denials (M distinct) [W would-deny in audit mode] -> SHOWN"
# (the bracket only with W > 0), then one line per violation in the
# report's order (at most 50), or "beneath: no denials".
cat > "$T/summary.py" << 'EOF'
import json, re, sys
desc, err, report, shown = sys.argv[1:5]
r = json.load(open(report))
lines = [l.rstrip("\n") for l in open(err, errors="replace") if l.startswith("beneath:")]
if r["records"] == 0:
    want = ["beneath: no denials"]
    ok = lines == want
else:
    w = r["would_deny"]
    head = re.compile(r"beneath: %d denials? \(%d distinct\)%s -> %s$" % (
        r["records"], len(r["violations"]),
        re.escape(" [%d would-deny in audit mode]" % w) if w else "", re.escape(shown)))
    want = ["beneath: %d denials (%d distinct)%s -> %s" % (
        r["records"], len(r["violations"]), " [%d would-deny in audit mode]" % w if w else "", shown)]
    want += ["beneath:   %dx %s %s %s (%s)" % (v["count"], v["reason"], v["call"], v["path"], v["exe"])
             for v in r["violations"][:50]]
    ok = len(lines) == len(want) and bool(head.match(lines[0])) and lines[1:] == want[1:]
if ok:
    print("ok")
else:
    print("FAIL: %s: the summary on stderr" % desc)
    for l in want:
        print("    expected: " + l)
    for l in lines:
        print("    actual:   " + l)
EOF
summary() {
	local res
	res=$("$PY" "$T/summary.py" "$@" 2>&1)
	if [ "$res" = ok ]; then ok; else
		fail=$((fail + 1))
		printf '%s\n' "$res" | head -n 60
	fi
}

# expect_no_tmplog DESC: the launcher left no private log in TMPDIR.
expect_no_tmplog() {
	local left
	left=$(ls -A "$TMPD")
	check_eq "$1: no private log left in TMPDIR" "" "$left"
}

# ------------------------------------------------------------------------
# 0. ASan builds: the launcher leaks nothing
# ------------------------------------------------------------------------
leaks() {
	local args
	mktree
	if [ -z "$ASAN_BUILD" ]; then
		echo "(the launcher is not built with ASan: no leak check)"
		return
	fi
	for args in "--check-config" "-- true" "--log $T/leak.log --report $T/leak.json -- cat $R/abs" \
		"--fail-on-violation -- cat $R/abs"; do
		# shellcheck disable=SC2086
		ASAN_OPTIONS=$ASAN_LEAKS "$B" --root "$R" $args > "$T/leak.out" 2> "$T/leak.err"
		if grep -q 'LeakSanitizer' "$T/leak.err"; then
			bad "ASan build: beneath --root ROOT $args leaks"
			grep -E '^(Direct|Indirect) leak|^    #[12] ' "$T/leak.err" | head -n 12 | sed 's/^/    | /'
		else
			ok
		fi
	done
}

# ------------------------------------------------------------------------
# 1. Confinement
# ------------------------------------------------------------------------
confinement() {
	local b
	mktree
	# Without the launcher: the escapes work.
	cat "$R/abs" > "$T/base.out" 2>&1
	echo "without the launcher, cat $R/abs prints: $(cat "$T/base.out")"
	expect_in "without the launcher: cat through the absolute link reads the secret" \
		"$T/base.out" TOPSECRET
	cat "$R/dl/secret" "$R/rel" > "$T/base2.out" 2>&1
	check_eq "without the launcher: cat through the directory and relative links reads the secret twice" \
		2 "$(grep -c TOPSECRET "$T/base2.out")"
	for b in default $BACKENDS; do
		if [ "$b" = default ]; then set --; else set -- --resolver "$b"; fi
		runb conf "$@" --root "$R" -- cat "$R/abs"
		expect_rc "cat $R/abs ($b)" 1
		expect_in "cat $R/abs ($b)" "$ERR" "cat: $R/abs: Permission denied"
		no_secret "cat $R/abs ($b)" "$OUT" "$ERR"
		for f in dl/secret rel; do
			runb conf "$@" --root "$R" -- cat "$R/$f"
			expect_rc "cat $R/$f ($b)" 1
			expect_in "cat $R/$f ($b)" "$ERR" "cat: $R/$f: Permission denied"
			no_secret "cat $R/$f ($b)" "$OUT" "$ERR"
		done
		runb conf "$@" --root "$R" -- cat "$R/data/file" "$R/inlink" "$R/inabs"
		expect_rc "legitimate files ($b)" 0
		check_eq "legitimate files ($b): read" "inside-data
inside-data
inside-data" "$(cat "$OUT")"
		expect_empty "legitimate files ($b): stderr" "$ERR"
		runb conf "$@" --root "$R" -- sh -c 'cat "$1" || exit 5' sh "$R/abs"
		expect_rc "COMMAND's own status ($b)" 5
		runb conf "$@" --root "$R" -- sh -c 'kill -KILL $$'
		expect_rc "COMMAND killed by SIGKILL ($b): 128+9" 137
	done
	# Options after COMMAND are COMMAND's.
	runb after --root "$R" printf '%s\n' --help --version
	expect_rc "options after COMMAND" 0
	check_eq "options after COMMAND are COMMAND's" "--help
--version" "$(cat "$OUT")"
	# No roots: a warning, and the command runs.
	runb noroots -- cat "$R/abs"
	expect_rc "no roots" 0
	expect_in "no roots: nothing confined" "$OUT" TOPSECRET
	expect_in "no roots: a warning" "$ERR" "beneath: warning: no roots"
}

# ------------------------------------------------------------------------
# 2. Every option
# ------------------------------------------------------------------------
opt_root() {
	local b
	mktree
	# Repeatable: both roots confined.
	for b in $BACKENDS; do
		runb two --resolver "$b" --root "$R" --root "$R2" -- cat "$R/abs" "$R2/abs" "$R2/data/file"
		expect_rc "two --root ($b)" 1
		expect_in "two --root ($b): first root" "$ERR" "cat: $R/abs: Permission denied"
		expect_in "two --root ($b): second root" "$ERR" "cat: $R2/abs: Permission denied"
		expect_in "two --root ($b): a legitimate file" "$OUT" inside-data2
		no_secret "two --root ($b)" "$OUT" "$ERR"
	done
	runb two --root "$R" --root "$R2" --check-config
	expect_rc "two --root --check-config" 0
	expect_line "two --root --check-config" "$OUT" "root $R rw contain"
	expect_line "two --root --check-config" "$OUT" "root $R2 rw contain"
	# Added after BENEATH_ROOTS.
	BENEATH_ROOTS=$R2=ro runb env --root "$R" --check-config
	expect_rc "BENEATH_ROOTS and --root" 0
	check_eq "BENEATH_ROOTS and --root: both, the environment's first" "root $R2 ro contain
root $R rw contain" "$(grep '^root ' "$OUT")"
	# Relative: made absolute against the working directory.
	(cd "$T" && "$B" --root root --check-config > "$T/rel.out" 2> "$T/rel.err")
	check_eq "relative --root: made absolute" "root $R rw contain" "$(grep '^root ' "$T/rel.out")"
	for b in $BACKENDS; do
		(cd "$T" && "$B" --resolver "$b" --root root -- sh -c 'cd / && cat "$1"' sh "$R/abs" \
			> "$T/rel.out" 2> "$T/rel.err")
		expect_in "relative --root ($b): confined" "$T/rel.err" "cat: $R/abs: Permission denied"
		no_secret "relative --root ($b)" "$T/rel.out"
		(cd "$T/co:lon/sub" && "$B" --resolver "$b" --root ../../root -- cat "$R/abs" \
			> "$T/rel.out" 2> "$T/rel.err")
		expect_in "relative --root with '..' ($b): confined" "$T/rel.err" \
			"cat: $R/abs: Permission denied"
		no_secret "relative --root with '..' ($b)" "$T/rel.out"
	done
	# A working directory with ':' in its name: escaped in BENEATH_ROOTS.
	(cd "$T/co:lon" && "$B" --root sub --check-config > "$T/rel.out" 2> "$T/rel.err")
	check_eq "relative --root in a directory named with ':'" "root $T/co:lon/sub rw contain" \
		"$(grep '^root ' "$T/rel.out")"
	show_if_err "$T/rel.err"
	# Escaped ':' and '=' in PATH.
	runb colon --root "$T/co\\:lon" --root "$T/e\\=q=ro" --check-config
	expect_rc "escaped ':' and '=' in --root" 0
	expect_line "escaped ':' in --root" "$OUT" "root $T/co:lon rw contain"
	expect_line "escaped '=' in --root, then an option" "$OUT" "root $T/e=q ro contain"
	for b in $BACKENDS; do
		runb colon --resolver "$b" --root "$T/co\\:lon" --root "$T/e\\=q=ro" -- \
			cat "$T/co:lon/abs" "$T/e=q/abs" "$T/co:lon/file" "$T/e=q/file"
		expect_denied "escaped ':' ($b): confined" "$ERR" "$T/co:lon/abs"
		expect_denied "escaped '=' ($b): confined" "$ERR" "$T/e=q/abs"
		check_eq "escaped ':' and '=' ($b): legitimate files" "colon-data
eq-data" "$(cat "$OUT")"
		(cd "$T" && "$B" --resolver "$b" --root 'co\:lon' -- cat "$T/co:lon/abs" \
			> "$T/rel.out" 2> "$T/rel.err")
		expect_denied "relative escaped ':' ($b): confined" "$T/rel.err" "$T/co:lon/abs"
	done
	# The options.
	runb opts --root "$R=ro,nosymlinks,beneath" --root "$R2=in_root,sameowner" \
		--root "$T/co\\:lon=rw,contain" --check-config
	expect_rc "root options: --check-config" 0
	expect_line "root options: ro,nosymlinks,beneath" "$OUT" "root $R ro beneath nosymlinks"
	expect_line "root options: in_root,sameowner" "$OUT" "root $R2 rw in_root sameowner"
	expect_line "root options: rw,contain" "$OUT" "root $T/co:lon rw contain"
	for b in $BACKENDS; do
		# ro: reads work, writes are EROFS.
		runb ro --resolver "$b" --root "$R=ro" -- sh -c \
			'cat "$1/data/file"; echo x > "$1/data/new"; rm "$1/data/file"; mkdir "$1/d"' sh "$R"
		check_eq "ro ($b): reads" inside-data "$(cat "$OUT")"
		check_eq "ro ($b): three writes refused" 3 "$(grep -c 'Read-only file system' "$ERR")"
		check "ro ($b): nothing written" test ! -e "$R/data/new" -a -e "$R/data/file" \
			-a ! -e "$R/d"
		# The modes, by how they take links inside the root.
		mode_case "$b" contain inabs inside-data
		mode_case "$b" contain chr denied
		mode_case "$b" beneath inabs denied
		mode_case "$b" beneath inlink inside-data
		mode_case "$b" beneath chr denied
		mode_case "$b" in_root chr inside-data
		mode_case "$b" in_root abs "No such file"
		mode_case "$b" nosymlinks inlink denied
		mode_case "$b" nosymlinks data/file inside-data
		# fd=N: an inherited directory fd.
		"$B" --resolver "$b" --root "$R=fd=7" --log "$T/fd.log" -- \
			cat "$R/abs" "$R/data/file" > "$T/fd.out" 2> "$T/fd.err" 7< "$R"
		check_eq "fd=7 ($b): legitimate file" inside-data "$(cat "$T/fd.out")"
		expect_in "fd=7 ($b): escape refused" "$T/fd.err" "cat: $R/abs: Permission denied"
		rm -f "$T/fd.log"
	done
	"$B" --root "$R=fd=7" --check-config > "$T/fd.out" 2> "$T/fd.err" 7< "$R"
	expect_line "fd=7: --check-config" "$T/fd.out" "root $R rw contain fd=7"
	runb fd --root "$R=fd=7" --check-config
	expect_one_error "fd=7 not open"
	# sameowner: needs a file of another owner (root can chown).
	if [ "$(id -u)" = 0 ]; then
		printf 'other-owner\n' > "$R/data/other"
		chown 12345:12345 "$R/data/other"
		for b in $BACKENDS; do
			runb owner --resolver "$b" --root "$R=sameowner" --log "$T/owner.log" -- \
				cat "$R/data/other" "$R/data/file"
			check_eq "sameowner ($b): own file read, other owner's refused" inside-data \
				"$(cat "$OUT")"
			expect_in "sameowner ($b)" "$ERR" "cat: $R/data/other: Permission denied"
			log_has "sameowner ($b): logged" "$T/owner.log" "$R/data/other" "$CAT_EXE" \
				denied owner
			rm -f "$T/owner.log"
		done
		rm -f "$R/data/other"
	else
		skip "sameowner: not root, cannot make a file of another owner"
	fi
	# Errors: status 2, one line, nothing run.
	runb err --root "$R=bogus" --check-config
	expect_one_error "--root with a bad option"
	runb err --root "$T/missing" --check-config
	expect_one_error "--root naming a missing directory"
	runb err --root "$R/data/file" --check-config
	expect_one_error "--root naming a file"
	runb err --root "$R=bogus" -- touch "$T/ran"
	expect_one_error "--root with a bad option, with a COMMAND"
	check "--root with a bad option: COMMAND not run" [ ! -e "$T/ran" ]
	runb err --root "$T/missing" -- touch "$T/ran"
	expect_one_error "a missing root, with a COMMAND"
	check "a missing root: COMMAND not run" [ ! -e "$T/ran" ]
	BENEATH_ROOTS=relative/root runb err --root "$R" --check-config
	expect_one_error "a bad BENEATH_ROOTS in the environment"
}

show_if_err() { [ ! -s "$1" ] || show "$1"; }

# mode_case BACKEND OPTION LINK WANT: cat ROOT/LINK under --root ROOT=OPTION
# prints WANT, or is refused with EACCES (WANT "denied"), or fails with
# WANT in its message.
mode_case() {
	runb mode --resolver "$1" --root "$R=$2" -- cat "$R/$3"
	case $4 in
	denied)
		expect_in "$2 ($1): $3 refused" "$ERR" "cat: $R/$3: Permission denied"
		no_secret "$2 ($1): $3" "$OUT" ;;
	inside-data)
		check_eq "$2 ($1): $3 read" inside-data "$(cat "$OUT")" ;;
	*)
		expect_in "$2 ($1): $3" "$ERR" "$4"
		no_secret "$2 ($1): $3" "$OUT" ;;
	esac
}

opt_modes() {
	local b
	mktree
	for b in $BACKENDS; do
		# --audit: the escape works, and is logged as would-deny.
		rm -f "$T/audit.log"
		runb audit --resolver "$b" --root "$R" --audit --log "$T/audit.log" -- cat "$R/abs"
		expect_rc "--audit ($b)" 0
		expect_in "--audit ($b): the call is made" "$OUT" TOPSECRET
		log_has "--audit ($b)" "$T/audit.log" "$R/abs" "$CAT_EXE" would-deny
		# --deny-outside: outside the roots refused, inside served.
		rm -f "$T/deny.log"
		runb deny --resolver "$b" --root "$R" --deny-outside --log "$T/deny.log" -- \
			cat "$SECRET" "$R/data/file"
		expect_rc "--deny-outside ($b)" 1
		check_eq "--deny-outside ($b): inside served" inside-data "$(cat "$OUT")"
		expect_in "--deny-outside ($b): outside refused" "$ERR" "cat: $SECRET: Permission denied"
		log_has "--deny-outside ($b)" "$T/deny.log" "$SECRET" "$CAT_EXE" denied outside
		runb deny --resolver "$b" --root "$R" -- cat "$SECRET"
		expect_in "without --deny-outside ($b): outside served" "$OUT" TOPSECRET
		# --errno ENOENT
		rm -f "$T/errno.log"
		runb errno --resolver "$b" --root "$R" --errno ENOENT --log "$T/errno.log" -- cat "$R/abs"
		expect_rc "--errno ENOENT ($b)" 1
		expect_in "--errno ENOENT ($b)" "$ERR" "cat: $R/abs: No such file or directory"
		log_has "--errno ENOENT ($b)" "$T/errno.log" "$R/abs" "$CAT_EXE" denied escape ENOENT
		# --resolver
		runb resolver --resolver "$b" --root "$R" --check-config
		expect_line "--resolver $b: --check-config" "$OUT" "resolver $b"
		runb resolver --resolver "$b" --root "$R" -- sh -c 'echo "$BENEATH_RESOLVER"'
		check_eq "--resolver $b: in the child's environment" "$b" "$(cat "$OUT")"
	done
	runb err --errno EBOGUS --root "$R" --check-config
	expect_one_error "--errno EBOGUS"
	runb err --errno EBOGUS --root "$R" -- touch "$T/ran"
	expect_one_error "--errno EBOGUS, with a COMMAND"
	check "--errno EBOGUS: COMMAND not run" [ ! -e "$T/ran" ]
	runb err --resolver bogus --root "$R" --check-config
	expect_one_error "--resolver bogus"
	runb resolver --root "$R" --check-config
	expect_line "no --resolver: --check-config" "$OUT" "resolver auto"
}

opt_log() {
	local b
	mktree
	for b in $BACKENDS; do
		# FILE: appended to, one JSON line per denial.
		printf '{"old":"line"}\n' > "$T/app.log"
		runb log --resolver "$b" --root "$R" --log "$T/app.log" -- sh -c \
			'cat "$1/abs"; cat "$1/dl/secret"' sh "$R"
		check_eq "--log FILE ($b): the old line kept, first" '{"old":"line"}' \
			"$(head -n 1 "$T/app.log")"
		check_eq "--log FILE ($b): two records appended" 3 "$(wc -l < "$T/app.log")"
		sed 1d "$T/app.log" > "$T/app2.log"
		log_has "--log FILE ($b)" "$T/app2.log" "$R/abs" "$CAT_EXE"
		log_has "--log FILE ($b)" "$T/app2.log" "$R/dl/secret" "$CAT_EXE"
		# A relative FILE: the launcher's working directory, wherever
		# the child goes.
		rm -f "$T/rel.log"
		(cd "$T" && "$B" --resolver "$b" --root "$R" --log rel.log -- \
			sh -c 'cd / && cat "$1"' sh "$R/abs" > /dev/null 2>&1)
		log_has "--log relative ($b)" "$T/rel.log" "$R/abs" "$CAT_EXE"
		(cd "$T" && "$B" --root "$R" --log rel.log --check-config > "$T/rel.out" 2>&1)
		expect_line "--log relative: --check-config" "$T/rel.out" "log $T/rel.log"
		# stderr
		runb logerr --resolver "$b" --root "$R" --log stderr -- cat "$R/abs"
		grep '^{' "$ERR" > "$T/logerr.log"
		log_has "--log stderr ($b)" "$T/logerr.log" "$R/abs" "$CAT_EXE"
		check_eq "--log stderr ($b): one record" 1 "$(wc -l < "$T/logerr.log")"
		# fd:N
		"$B" --resolver "$b" --root "$R" --log fd:7 -- cat "$R/abs" > /dev/null 2>&1 7> "$T/fd7.log"
		log_has "--log fd:7 ($b)" "$T/fd7.log" "$R/abs" "$CAT_EXE"
	done
	runb log --root "$R" --log stderr --check-config
	expect_line "--log stderr: --check-config" "$OUT" "log stderr"
	runb log --root "$R" --check-config
	expect_line "no --log: --check-config" "$OUT" "log none"
}

opt_misc() {
	local version o
	mktree
	# --check-config: the whole effective configuration; COMMAND not run.
	(cd "$T" && "$B" --root "$R=ro" --root root2 --audit --deny-outside --errno ENOENT \
		--log l.log --resolver walker --check-config -- touch "$T/ran" > "$T/cc.out" 2> "$T/cc.err")
	rc=$?
	check_eq "--check-config: status" 0 "$rc"
	printf '%s\n' "preload $SHIM" "mode audit" "outside deny" "errno ENOENT" "log $T/l.log" \
		"resolver walker" "root $R ro contain" "root $R2 rw contain" > "$T/cc.want"
	expect_lines "--check-config" "$T/cc.want" "$T/cc.out" ": the printed configuration differs (< expected, > actual)"
	check "--check-config: COMMAND not run" [ ! -e "$T/ran" ]
	check "--check-config: the log not created" [ ! -e "$T/l.log" ]
	runb cc --check-config
	expect_rc "--check-config without roots" 0
	expect_line "--check-config without roots" "$OUT" "(no roots: nothing is confined)"
	# --print-preload
	runb pp --print-preload
	expect_rc "--print-preload" 0
	check_eq "--print-preload: the build tree's shim" "$SHIM" "$(cat "$OUT")"
	o=$(cat "$OUT")
	check "--print-preload: absolute" [ "${o#/}" != "$o" ]
	check "--print-preload: exists" [ -f "$o" ]
	# --version
	version=$(sed -n 's/^#define PACKAGE_VERSION "\(.*\)"$/\1/p' "$top_builddir/config.h")
	runb version --version
	expect_rc "--version" 0
	check_eq "--version" "beneath $version" "$(cat "$OUT")"
	# --help: every option listed.
	runb help --help
	expect_rc "--help" 0
	check_eq "--help: first line" "usage: beneath [OPTIONS] [--] COMMAND [ARG...]" \
		"$(head -n 1 "$OUT")"
	for o in --root --audit --deny-outside --errno --log --resolver --report \
		--fail-on-violation --check-config --print-preload --version --help; do
		expect_in "--help lists $o" "$OUT" "  $o"
	done
	# Usage errors.
	runb usage --bogus -- true
	expect_usage_error "a bad option"
	expect_in "a bad option: named" "$ERR" "--bogus"
	runb usage --root
	expect_usage_error "--root without its argument"
	runb usage --root "$R"
	expect_usage_error "no COMMAND"
	expect_in "no COMMAND: said" "$ERR" "COMMAND"
	runb usage --root "$R" --
	expect_usage_error "no COMMAND after --"
	runb usage
	expect_usage_error "no arguments"
	# A COMMAND that cannot be found, or run.
	runb nf --root "$R" -- "$T/no-such-command"
	expect_rc "a COMMAND that does not exist" 127
	expect_in "a COMMAND that does not exist: said" "$ERR" "beneath: $T/no-such-command"
	runb nf --root "$R" -- no-such-command-beneath-test
	expect_rc "a COMMAND not in PATH" 127
	runb nx --root "$R" -- "$R/data/file"
	expect_rc "a COMMAND that is not executable" 126
}

# ------------------------------------------------------------------------
# 3. The child's environment
# ------------------------------------------------------------------------
child_env() {
	local libm="" f
	mktree
	for f in /lib/x86_64-linux-gnu/libm.so.6 /lib64/libm.so.6 /usr/lib64/libm.so.6 \
		/lib/*/libm.so.6 /usr/lib/*/libm.so.6; do
		if [ -f "$f" ]; then
			libm=$f
			break
		fi
	done
	if [ -n "$libm" ]; then
		LD_PRELOAD=$libm runb env --root "$R" -- env
		check_eq "a caller's LD_PRELOAD: kept, ours appended" "LD_PRELOAD=$libm:$SHIM" \
			"$(grep '^LD_PRELOAD=' "$OUT")"
		LD_PRELOAD=$libm runb env --root "$R" -- cat "$R/abs"
		expect_in "a caller's LD_PRELOAD: still confined" "$ERR" "cat: $R/abs: Permission denied"
		no_secret "a caller's LD_PRELOAD" "$OUT"
		LD_PRELOAD="$libm $SHIM" runb env --root "$R" -- env
		check_eq "an LD_PRELOAD that has ours already: kept as it is" \
			"LD_PRELOAD=$libm $SHIM" "$(grep '^LD_PRELOAD=' "$OUT")"
	else
		skip "no libm.so.6 found to put in LD_PRELOAD"
	fi
	LD_PRELOAD='' runb env --root "$R" -- env
	check_eq "an empty LD_PRELOAD: ours" "LD_PRELOAD=$SHIM" "$(grep '^LD_PRELOAD=' "$OUT")"
	(cd "$T" && FOO=bar "$B" --root root --audit --deny-outside --errno ENOENT \
		--log l.log --resolver walker -- env > "$T/env.out" 2> "$T/env.err")
	for f in "LD_PRELOAD=$SHIM" "BENEATH_ROOTS=$R" BENEATH_MODE=audit BENEATH_OUTSIDE=deny \
		BENEATH_ERRNO=ENOENT "BENEATH_LOG=$T/l.log" BENEATH_RESOLVER=walker FOO=bar; do
		check_eq "the child's environment: ${f%%=*}" "$f" "$(grep "^${f%%=*}=" "$T/env.out")"
	done
}

# ------------------------------------------------------------------------
# 4. The report
# ------------------------------------------------------------------------
report_tests() {
	local b st
	mktree
	# A clean run.
	runb clean --root "$R" --report "$T/clean.json" -- cat "$R/data/file"
	expect_rc "clean run" 0
	check_eq "clean run: COMMAND's output" inside-data "$(cat "$OUT")"
	pyreport "clean run" "$T/clean.json" -- 'r["records"] == 0' 'r["denied"] == 0' \
		'r["would_deny"] == 0' 'r["violations"] == []' 'r["exit_status"] == 0' \
		'r["signal"] is None' 'r["signal_name"] is None' 'r["version"] == 1' \
		'r["command"] == ["cat", V["R"] + "/data/file"]' 'r["malformed_lines"] == 0' \
		'all(r[k] == {} for k in ("by_reason", "by_call", "by_root", "by_exe"))'
	summary "clean run" "$ERR" "$T/clean.json" "$T/clean.json"
	expect_no_tmplog "clean run"
	# A relative report path.
	rm -f "$T/relrep.json"
	(cd "$T" && "$B" --root "$R" --report relrep.json -- true 2> /dev/null)
	check "a relative --report FILE: written in the working directory" [ -f "$T/relrep.json" ]

	for b in $BACKENDS; do
		# Violations: 3x cat abs, 2x head abs, 2x cat dl/secret, 1x
		# sh's own redirect, 1x mkdir under a read-only second root;
		# exit 4.
		rm -f "$T/v.log" "$T/v.json"
		runb viol --resolver "$b" --root "$R" --root "$R2=ro" --log "$T/v.log" \
			--report "$T/v.json" -- sh -c '
				cat "$1/abs"; cat "$1/abs"; cat "$1/abs"
				head -n 1 "$1/abs"; head -n 1 "$1/abs"
				cat "$1/dl/secret"; cat "$1/dl/secret"
				cat < "$1/rel"
				mkdir "$2/data/new"
				exit 4' sh "$R" "$R2"
		expect_rc "violations ($b)" 4
		no_secret "violations ($b)" "$OUT" "$ERR"
		pyreport "violations ($b)" "$T/v.json" "$T/v.log" 0 -- \
			'r["exit_status"] == 4' 'r["signal"] is None' 'r["command"][:2] == ["sh", "-c"]' \
			'r["records"] == 9' 'r["denied"] == 9' 'r["would_deny"] == 0' \
			'len(r["violations"]) == 5' \
			'r["by_reason"] == {"escape": 8, "read-only": 1}' \
			'r["by_call"].get("mkdir") == 1 and sum(r["by_call"].values()) == 9' \
			'r["by_root"] == {V["R"]: 8, V["R2"]: 1}' \
			'r["by_exe"].get(V["CAT_EXE"]) == 5' 'r["by_exe"].get(V["HEAD_EXE"]) == 2' \
			'r["by_exe"].get(V["SH_EXE"]) == 1' 'r["by_exe"].get(V["MKDIR_EXE"]) == 1' \
			'list(r["by_exe"])[0] == V["CAT_EXE"]' \
			'[(v["path"], base(v["exe"]), v["count"]) for v in r["violations"][:3]] == [(V["R"] + "/abs", "cat", 3), (V["R"] + "/abs", "head", 2), (V["R"] + "/dl/secret", "cat", 2)]' \
			'[v["count"] for v in r["violations"]] == [3, 2, 2, 1, 1]' \
			'all(v["verdict"] == "denied" for v in r["violations"])' \
			'r["violations"][0]["first_seen"] == recs[0]["time"] and r["violations"][0]["first_pid"] == recs[0]["pid"]' \
			'r["violations"][0]["first_pid"] != [x for x in recs if x["path"] == V["R"] + "/abs" and x["exe"] == V["CAT_EXE"]][-1]["pid"]' \
			'[v for v in r["violations"] if v["reason"] == "read-only"][0]["errno"] == "EROFS"'
		summary "violations ($b)" "$ERR" "$T/v.json" "$T/v.json"

		# Audit mode: would-deny.
		rm -f "$T/a.json"
		runb aud --resolver "$b" --root "$R" --audit --report "$T/a.json" -- \
			sh -c 'cat "$1"; cat "$1"' sh "$R/abs"
		expect_rc "audit report ($b)" 0
		check_eq "audit report ($b): the calls are made" 2 "$(grep -c TOPSECRET "$OUT")"
		pyreport "audit report ($b)" "$T/a.json" -- 'r["records"] == 2' 'r["denied"] == 0' \
			'r["would_deny"] == 2' 'len(r["violations"]) == 1' \
			'r["violations"][0]["verdict"] == "would-deny"' 'r["violations"][0]["count"] == 2' \
			'r["violations"][0]["path"] == V["R"] + "/abs"' 'r["exit_status"] == 0'
		summary "audit report ($b)" "$ERR" "$T/a.json" "$T/a.json"
		expect_no_tmplog "audit report ($b)"

		# A log with older lines (one malformed, the last cut): only
		# this run's records count.
		cp "$T/v.log" "$T/old.log"
		printf 'not a record\n{"time":"2026-01-01T00:00:00.000Z","pid":1,"exe":"/x' >> "$T/old.log"
		st=$(wc -c < "$T/old.log")
		runb old --resolver "$b" --root "$R" --log "$T/old.log" --report "$T/old.json" -- \
			cat "$R/abs"
		expect_rc "old log lines ($b)" 1
		pyreport "old log lines ($b)" "$T/old.json" "$T/old.log" "$st" -- 'r["records"] == 1' \
			'r["malformed_lines"] == 0' 'r["violations"][0]["count"] == 1' \
			'r["violations"][0]["first_pid"] == recs[0]["pid"]'
		summary "old log lines ($b)" "$ERR" "$T/old.json" "$T/old.json"
		# The same through BENEATH_LOG in the environment.
		cp "$T/v.log" "$T/envlog.log"
		st=$(wc -c < "$T/envlog.log")
		BENEATH_LOG=$T/envlog.log runb envlog --resolver "$b" --root "$R" \
			--report "$T/envlog.json" -- cat "$R/abs"
		pyreport "BENEATH_LOG with old lines ($b)" "$T/envlog.json" "$T/envlog.log" "$st" -- \
			'r["records"] == 1'
	done

	# --fail-on-violation
	runb fov --root "$R" --fail-on-violation -- cat "$R/abs"
	expect_rc "--fail-on-violation with a violation" 3
	expect_no_tmplog "--fail-on-violation"
	runb fov --root "$R" --fail-on-violation -- sh -c 'cat "$1"; exit 5' sh "$R/abs"
	expect_rc "--fail-on-violation with a violation, COMMAND exits 5" 3
	runb fov --root "$R" --fail-on-violation --audit -- cat "$R/abs"
	expect_rc "--fail-on-violation with a would-deny" 3
	expect_in "--fail-on-violation --audit: the call is made" "$OUT" TOPSECRET
	runb fov --root "$R" --fail-on-violation -- cat "$R/data/file"
	expect_rc "--fail-on-violation, clean, status 0" 0
	runb fov --root "$R" --fail-on-violation -- sh -c 'cat "$1"; exit 5' sh "$R/data/file"
	expect_rc "--fail-on-violation, clean, status 5" 5
	runb fov --root "$R" --fail-on-violation --report "$T/fov.json" -- sh -c 'exit 5'
	expect_rc "--fail-on-violation --report, clean, status 5" 5
	pyreport "--fail-on-violation --report, clean" "$T/fov.json" -- 'r["exit_status"] == 5' \
		'r["records"] == 0'
	rm -f "$T/fov.log"
	runb fov --root "$R" --fail-on-violation --log "$T/fov.log" --report "$T/fov.json" -- \
		cat "$R/abs"
	expect_rc "--fail-on-violation --log --report, a violation" 3
	log_has "--fail-on-violation --log FILE: the log is the operator's" "$T/fov.log" "$R/abs" \
		"$CAT_EXE"
	check "--fail-on-violation --log FILE: the operator's log kept" [ -s "$T/fov.log" ]
	runb fov --root "$R" --fail-on-violation -- sh -c 'kill -TERM $$'
	expect_rc "--fail-on-violation, COMMAND killed by SIGTERM" 143

	# COMMAND killed by a signal.
	runb sig --root "$R" --report "$T/sig.json" -- sh -c 'kill -TERM $$'
	expect_rc "COMMAND killed by SIGTERM, --report" 143
	pyreport "COMMAND killed by SIGTERM" "$T/sig.json" -- 'r["exit_status"] is None' \
		'r["signal"] == 15' 'r["signal_name"] == "SIGTERM"' 'r["records"] == 0'
	expect_no_tmplog "COMMAND killed by a signal"

	# A report that cannot be written: the run happens, the summary is
	# printed, status 2 with a message.
	runb norep --root "$R" --report "$T/no-dir/r.json" -- cat "$R/abs"
	expect_rc "an unwritable --report" 2
	expect_in "an unwritable --report: said" "$ERR" "beneath: cannot write the report"
	expect_in "an unwritable --report: the summary still printed" "$ERR" "beneath: 1 denial"
	expect_no_tmplog "an unwritable --report"

	# A COMMAND that drops privileges (a daemon's workers, su, setpriv):
	# --report must not change what runs, and the denials of the
	# unprivileged processes must be counted.
	if [ "$(id -u)" != 0 ]; then
		skip "privilege drop under --report: not root"
	elif ! command -v setpriv > /dev/null; then
		skip "privilege drop under --report: no setpriv"
	else
		chmod 755 "$T" "$R" "$O" "$TMPD"
		chmod 644 "$SECRET"
		runb priv --root "$R" -- setpriv --reuid=65534 --regid=65534 --clear-groups cat "$R/abs"
		expect_rc "setpriv cat (uid 65534)" 1
		expect_in "setpriv cat (uid 65534): refused" "$ERR" "cat: $R/abs: Permission denied"
		runb priv --root "$R" --report "$T/priv.json" -- \
			setpriv --reuid=65534 --regid=65534 --clear-groups cat "$R/abs"
		expect_rc "setpriv cat (uid 65534) with --report: as without" 1
		expect_in "setpriv cat (uid 65534) with --report: refused by the shim" "$ERR" \
			"cat: $R/abs: Permission denied"
		pyreport "setpriv cat (uid 65534) with --report" "$T/priv.json" -- 'r["records"] == 1'
		runb priv --root "$R" --fail-on-violation -- \
			setpriv --reuid=65534 --regid=65534 --clear-groups cat "$R/abs"
		expect_rc "setpriv cat (uid 65534) with --fail-on-violation" 3
		chmod 700 "$T"
	fi
}

# ------------------------------------------------------------------------
# 5. Signals
# ------------------------------------------------------------------------
# wait_for FILE: up to 60 s for FILE to appear (readiness, not timing).
wait_for() {
	local i=0
	while [ ! -e "$1" ] && [ $i -lt 600 ]; do
		sleep 0.1
		i=$((i + 1))
	done
	[ -e "$1" ]
}

signals() {
	local bpid sig want code
	mktree
	# (Not SIGINT: a background job starts with it ignored.)
	for sig in TERM HUP USR1 USR2; do
		code=$(kill -l "$sig")
		want=$((code + 100))
		rm -f "$T/ready"
		"$B" --root "$R" -- sh -c 'trap "echo got; exit $2" '"$sig"'; : > "$1"
			while :; do sleep 0.1; done' sh "$T/ready" "$want" > "$T/sig.out" 2> "$T/sig.err" &
		bpid=$!
		if ! wait_for "$T/ready"; then
			bad "SIG$sig: COMMAND never got ready"
			kill -KILL "$bpid" 2> /dev/null
			wait "$bpid" 2> /dev/null
			continue
		fi
		kill -"$sig" "$bpid"
		wait "$bpid"
		rc=$?
		OUT=$T/sig.out
		ERR=$T/sig.err
		expect_rc "SIG$sig sent to the launcher: COMMAND's trap ran and exited" "$want"
		check_eq "SIG$sig sent to the launcher: COMMAND's trap ran" got "$(cat "$T/sig.out")"
	done
	# No trap: COMMAND dies of it, the launcher says so.
	rm -f "$T/ready"
	"$B" --root "$R" -- sh -c ': > "$1"; while :; do sleep 0.1; done' sh "$T/ready" \
		> "$T/sig.out" 2> "$T/sig.err" &
	bpid=$!
	if wait_for "$T/ready"; then
		kill -TERM "$bpid"
		wait "$bpid"
		rc=$?
		OUT=$T/sig.out
		ERR=$T/sig.err
		expect_rc "SIGTERM sent to the launcher, no trap: 128+15" 143
	else
		bad "SIGTERM, no trap: COMMAND never got ready"
		kill -KILL "$bpid" 2> /dev/null
		wait "$bpid" 2> /dev/null
	fi
	# A signal the launcher's caller ignores (nohup, a background job's
	# SIGINT) stays ignored in COMMAND, as it would without the launcher.
	for sig in HUP INT; do
		(trap '' "$sig"; sh -c 'kill -'"$sig"' $$; echo survived') > "$T/ign0.out" 2>&1
		check_eq "SIG$sig ignored by the caller, without the launcher" survived \
			"$(cat "$T/ign0.out")"
		(trap '' "$sig"; exec "$B" --root "$R" -- sh -c 'kill -'"$sig"' $$; echo survived') \
			> "$T/ign.out" 2> "$T/ign.err"
		rc=$?
		OUT=$T/ign.out
		ERR=$T/ign.err
		expect_rc "SIG$sig ignored by the launcher's caller: still ignored in COMMAND" 0
		check_eq "SIG$sig ignored by the launcher's caller: COMMAND survived" survived \
			"$(cat "$T/ign.out")"
	done
}

# ------------------------------------------------------------------------
# 6. Propagation
# ------------------------------------------------------------------------
propagation() {
	local b
	mktree
	printf -- '-include %s\nall:\n\t@echo "make sees [$(STOLEN)]"\n\tcat %s\n' \
		"$R/e-make" "$R/e-make" > "$T/mk/Makefile"
	cat > "$T/daemon.py" << 'EOF'
# A daemon: fork, setsid, fork, exec cat. The grandchild holds the write
# end of a pipe, so the parent returns only once it is gone; the parent
# tries the escape itself too.
import os, sys
r, w = os.pipe()
os.set_inheritable(w, True)
if os.fork() == 0:
    os.close(r)
    os.setsid()
    if os.fork() == 0:
        os.execvp("cat", ["cat", sys.argv[1]])
    os._exit(0)
os.close(w)
os.read(r, 1)
os.wait()
try:
    print(open(sys.argv[2]).read(), end="")
except OSError as e:
    print("python:", e.strerror, file=sys.stderr)
EOF
	cat > "$T/tree.sh" << 'EOF'
R=$1 T=$2 PY=$3
cat "$R/e-sh"
cat < "$R/e-sh"
make -s -C "$T/mk"
echo "$R/e-xargs-cat" | xargs cat
xargs -a "$R/e-xargs-in" echo
env -i cat "$R/e-env"
"$PY" "$T/daemon.py" "$R/e-daemon" "$R/e-python"
exit 0
EOF
	# Without the launcher, every one of them reads the secret.
	sh "$T/tree.sh" "$R" "$T" "$PY" > "$T/tree0.out" 2>&1
	echo "without the launcher, the process tree read the secret $(grep -c TOPSECRET "$T/tree0.out") times"
	check_eq "without the launcher: every process of the tree reads the secret" 9 \
		"$(grep -c TOPSECRET "$T/tree0.out")"
	for b in $BACKENDS; do
		rm -f "$T/tree.log" "$T/tree.json"
		runb tree --resolver "$b" --root "$R" --log "$T/tree.log" --report "$T/tree.json" -- \
			sh "$T/tree.sh" "$R" "$T" "$PY"
		expect_rc "process tree ($b)" 0
		no_secret "process tree ($b)" "$OUT" "$ERR"
		expect_in "process tree ($b): make ran" "$OUT" "make sees []"
		log_has "sh -c ($b): cat" "$T/tree.log" "$R/e-sh" "$CAT_EXE"
		log_has "sh -c ($b): sh's own redirect" "$T/tree.log" "$R/e-sh" "$SH_EXE"
		log_has "make ($b): make's -include" "$T/tree.log" "$R/e-make" "$MAKE_EXE"
		log_has "make ($b): the recipe's cat" "$T/tree.log" "$R/e-make" "$CAT_EXE"
		log_has "xargs cat ($b)" "$T/tree.log" "$R/e-xargs-cat" "$CAT_EXE"
		log_has "xargs -a ($b)" "$T/tree.log" "$R/e-xargs-in" "$XARGS_EXE"
		log_has "env -i cat ($b)" "$T/tree.log" "$R/e-env" "$CAT_EXE"
		log_has "double-forked daemon ($b): cat" "$T/tree.log" "$R/e-daemon" "$CAT_EXE"
		log_has "double-forked daemon ($b): python" "$T/tree.log" "$R/e-python" "$PY_EXE"
		pyreport "process tree ($b)" "$T/tree.json" "$T/tree.log" 0 -- \
			'{(base(v["path"]), v["exe"]) for v in r["violations"]} >= {("e-sh", V["CAT_EXE"]), ("e-sh", V["SH_EXE"]), ("e-make", V["MAKE_EXE"]), ("e-make", V["CAT_EXE"]), ("e-xargs-cat", V["CAT_EXE"]), ("e-xargs-in", V["XARGS_EXE"]), ("e-env", V["CAT_EXE"]), ("e-daemon", V["CAT_EXE"]), ("e-python", V["PY_EXE"])}' \
			'set(r["by_exe"]) == {V[k] for k in ("CAT_EXE", "SH_EXE", "MAKE_EXE", "XARGS_EXE", "PY_EXE")}' \
			'r["by_exe"][V["CAT_EXE"]] == 5' 'len(set(x["pid"] for x in recs)) >= 7'
	done
}

# ------------------------------------------------------------------------
# 7. Installed
# ------------------------------------------------------------------------
installed() {
	local inst=$T/inst ib pre f name
	mktree
	if ! make -C "$top_builddir" install DESTDIR="$inst" > "$T/install.log" 2>&1; then
		bad "make install DESTDIR=$inst failed"
		tail -n 20 "$T/install.log" | sed 's/^/    | /'
		return
	fi
	ok
	ib=$(find "$inst" -path '*/bin/beneath' -type f | head -n 1)
	if [ -z "$ib" ] || [ ! -x "$ib" ]; then
		bad "make install: no executable bin/beneath under $inst"
		return
	fi
	ok
	pre=$("$ib" --print-preload)
	rc=$?
	check_eq "installed --print-preload: status" 0 "$rc"
	case $pre in
	"$inst"/*) ok ;;
	*) bad "installed --print-preload: $pre is not under $inst" ;;
	esac
	check "installed --print-preload: $pre exists" [ -f "$pre" ]
	check "installed --print-preload: the installed shim, not the build tree's" \
		[ "$pre" != "$SHIM" ]
	OUT=$T/inst.out
	ERR=$T/inst.err
	"$ib" --root "$R" --report "$T/inst.json" -- cat "$R/abs" "$R/data/file" > "$OUT" 2> "$ERR"
	rc=$?
	expect_rc "installed launcher: a confined run" 1
	check_eq "installed launcher: legitimate file" inside-data "$(cat "$OUT")"
	expect_in "installed launcher: escape refused" "$ERR" "cat: $R/abs: Permission denied"
	pyreport "installed launcher" "$T/inst.json" -- 'r["records"] == 1' \
		'r["violations"][0]["path"] == V["R"] + "/abs"'
	"$ib" --root "$R" -- env > "$OUT" 2> "$ERR"
	check_eq "installed launcher: the installed shim preloaded" "LD_PRELOAD=$pre" \
		"$(grep '^LD_PRELOAD=' "$OUT")"
	for f in man1/beneath.1 man3/libbeneath.3 include/beneath.h pkgconfig/libbeneath.pc \
		libbeneath.so; do
		name=$(find "$inst" -path "*/$f" \( -type f -o -type l \) | head -n 1)
		if [ -n "$name" ] && [ -e "$name" ]; then
			ok
		else
			bad "make install: no $f under $inst"
		fi
	done
}

leaks
confinement
opt_root
opt_modes
opt_log
opt_misc
child_env
report_tests
signals
propagation
installed

if [ -n "$skipped" ]; then
	echo "skipped:$skipped"
fi
echo "test-launcher: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
