#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
#
# Temporary files under libbeneath-preload.so (shim/wrap-temp.c), under
# both resolver backends, through tests/temp-probe built plain, fortified
# and fortified with 64-bit off_t (where mkstemp is mkstemp64), and
# through python3's tempfile.
#
# A root holds a directory d and two symlinks to a directory outside it
# (dl absolute, dlr relative). Inside the root, every function must work
# as glibc's does (the same names, modes, flags and errors: the expected
# lines below are first checked against glibc alone). The attacks
# (templates through dl, dlr and "..", absolute and relative) are first
# shown to work without the shim (files created outside, free names
# reported through the link); under the shim each call must fail with
# EACCES after one try, nothing may appear outside, and each denial must
# be one JSON line in BENEATH_LOG. Then: a read-only root (EROFS), paths
# outside every root, and several threads at once.
#
# Every assertion that fails prints a "FAIL:" line; the last line is
# "test-temp: N passed, M failed" and the exit status is 1 if M > 0.
here=$(cd "$(dirname "$0")" && pwd)
. "$here/testlib.sh"

use_probes temp-probe
need_built "$SHIM" "$PROBE_plain" "$PROBE_fortify" "$PROBE_fortify64"
shim_absolute

# expect_same DESC EXPECTED_FILE ACTUAL_FILE: line for line, one assertion
# per expected line (testlib.sh's expect_lines), but an empty
# EXPECTED_FILE is a failure (a broken test), and a difference is shown as
# expected/actual.
expect_same() {
	if [ "$(wc -l < "$2")" -eq 0 ]; then
		bad "$1: nothing expected (a broken test)"
		return
	fi
	expect_lines "$1" "$2" "$3" " (< expected, > actual)"
}

# count_in DIR: how many names DIR holds, at any depth.
count_in() {
	find "$1" -mindepth 1 2> /dev/null | wc -l
}

make_tmpdir test-temp "BENEATH_ROOTS or the probe's output"
# tempnam reads TMPDIR: each call that wants it sets it.
unset TMPDIR

need_python3 "it parses the JSON log and its tempfile is tested"

R=$T/root      # the root
O=$T/out       # outside: where the attacks lead
E=$T/elsewhere # outside: legitimately used by the program
LOG=$T/log.json

mktree() {
	rm -rf "$R" "$O" "$E"
	mkdir -p "$R/d" "$O" "$E"
	ln -s "$O" "$R/dl"     # a directory outside, absolute
	ln -s ../out "$R/dlr"  # the same, relative
	: > "$LOG"
}

# run COMMAND...: without the shim when SHIMENV is empty, else under it
# with the environment in SHIMENV and the backend in BACKEND.
SHIMENV=()
BACKEND=
run() {
	if [ ${#SHIMENV[@]} -gt 0 ]; then
		env LD_PRELOAD="$SHIM" BENEATH_RESOLVER="$BACKEND" "${SHIMENV[@]}" "$@"
	else
		"$@"
	fi
}

# The probe's lines without the random names, for comparisons.
masked() {
	sed -e 's/,name=[^,]*//' -e 's/,tried=[^,]*//' "$1"
}

# The names (name= and tried=) in probe output $1, one a line.
names_of() {
	tr ',' '\n' < "$1" | sed -n 's/^name=\(..*\)$/\1/p'
}

# ------------------------------------------------------------------------
# What glibc 2.36 gives (checked against glibc itself below)
# ------------------------------------------------------------------------
# expect_all DIR: temp-probe all DIR, masked.
expect_all() {
	local d=$1 f="xs=ok,errno=kept,type=reg,mode=0600,acc=rdwr"
	cat <<EOF
mkstemp $d/fooXXXXXX ok,shape=$d/foo??????,$f,fl=-,cloexec=0,io=ok
mkstemp64 $d/fooXXXXXX ok,shape=$d/foo??????,$f,fl=-,cloexec=0,io=ok
mkostemp $d/fooXXXXXX cloexec ok,shape=$d/foo??????,$f,fl=-,cloexec=1,io=ok
mkostemp64 $d/fooXXXXXX append,sync ok,shape=$d/foo??????,$f,fl=append+sync,cloexec=0,io=ok
mkstemps $d/fooXXXXXX.txt 4 ok,shape=$d/foo??????.txt,$f,fl=-,cloexec=0,io=ok
mkstemps64 $d/fooXXXXXX.txt 4 ok,shape=$d/foo??????.txt,$f,fl=-,cloexec=0,io=ok
mkostemps $d/fooXXXXXX.c 2 cloexec,append ok,shape=$d/foo??????.c,$f,fl=append,cloexec=1,io=ok
mkostemps64 $d/fooXXXXXXsuffix 6 wronly ok,shape=$d/foo??????suffix,$f,fl=-,cloexec=0,io=ok
mkdtemp $d/dirXXXXXX ok,shape=$d/dir??????,xs=ok,errno=kept,type=dir,mode=0700
mktemp $d/nameXXXXXX ok,shape=$d/name??????,xs=ok,errno=kept,free=yes
EOF
}

# expect_denied DIR ERRNO: every call fails with ERRNO after one try.
expect_denied() {
	expect_all "$1" | sed -e "s/ ok,\(shape=[^,]*,xs=ok\).*/ $2,\1/" \
		-e "s/^\(mktemp .*\) $2,.*/\1 $2,empty=yes/"
}

# expect_ro DIR: creating is EROFS; mktemp only looks, and works.
expect_ro() {
	expect_all "$1" | sed -e "/^mktemp /!s/ ok,\(shape=[^,]*,xs=ok\).*/ EROFS,\1/"
}

# The tempnam calls: "ENV DIR PFX" with "-" for none.
TEMPNAM_LEGIT="- $R/d pfx
- $R/d/ abcdefgh
- $R/d// -
TMPDIR=$R/d /nonexistent x
TMPDIR=/nonexistent $R/d -
- /nonexistent -
- $E q
TMPDIR=$E $R/d q"
TEMPNAM_ATTACK="- $R/dl foo
- $R/dlr/ foo
TMPDIR=$R/dl - foo
TMPDIR=$R/dlr $R/dl foo"

# tempnam_seq PROBE LIST: each tempnam call in LIST.
tempnam_seq() {
	local p=$1 env dir pfx
	printf '%s\n' "$2" | while read -r env dir pfx; do
		if [ "$env" = - ]; then
			run "$p" tempnam "$dir" "$pfx"
		else
			run env "$env" "$p" tempnam "$dir" "$pfx"
		fi
	done
}

# The attacks on probe $1: templates that lead out of the root.
attack_seq() {
	local p=$1
	run "$p" all "$R/dl"
	run "$p" all "$R/dlr"
	run "$p" all "$R/../out"
	run "$p" all "$R/d/../../out"
	run "$p" all "$R//dl/."
	(cd "$R" && run "$p" all dl)
	(cd "$R/d" && run "$p" all ../dlr)
}

attack_expected() {
	local e=$1
	expect_denied "$R/dl" "$e"
	expect_denied "$R/dlr" "$e"
	expect_denied "$R/../out" "$e"
	expect_denied "$R/d/../../out" "$e"
	expect_denied "$R//dl/." "$e"
	expect_denied dl "$e"
	expect_denied ../dlr "$e"
}

# ------------------------------------------------------------------------
# The JSON log
# ------------------------------------------------------------------------
# checklog.py OUT LOG ROOT REASON ERRNO [CALL PATH]...: every line of
# probe output OUT that failed with ERRNO must match exactly one record
# (the function the program called; the path tried), and so
# must each extra CALL PATH; every record must be well-formed JSON with
# the expected root, verdict "denied", REASON and ERRNO, and match one of
# them. Prints "checklog: P F" last.
cat > "$T/checklog.py" <<'EOF'
import json, re, sys
out, log, root, reason, errno_ = sys.argv[1:6]
extra = sys.argv[6:]
passed = failed = 0
def err(msg):
    global failed
    failed += 1
    print("FAIL: log: " + msg)
want = []
for line in open(out):
    f = line.split()
    if len(f) < 3 or f[0] == "tempnam":
        continue
    res = f[-1].split(",")
    if res[0] != errno_:
        continue
    kv = dict(x.split("=", 1) for x in res[1:])
    path = kv.get("tried" if f[0] == "mktemp" else "name")
    if not path:
        err("no name tried in: " + line.strip())
        continue
    want.append((f[0], path, line.strip()))
for i in range(0, len(extra) - 1, 2):
    want.append((extra[i], extra[i + 1], "extra: %s %s" % (extra[i], extra[i + 1])))
recs = []
tre = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$")
keys = ["time", "pid", "exe", "call", "path", "root", "verdict", "reason", "errno"]
for n, raw in enumerate(open(log, "rb").read().split(b"\n")[:-1], 1):
    try:
        r = json.loads(raw.decode("latin-1"))
    except ValueError as e:
        err("line %d is not JSON (%s): %r" % (n, e, raw[:200]))
        continue
    if list(r.keys()) != keys:
        err("line %d has fields %s, not %s" % (n, list(r.keys()), keys))
        continue
    good = isinstance(r["time"], str) and tre.match(r["time"]) is not None
    good = good and isinstance(r["pid"], int) and r["pid"] > 0 and "temp-probe" in r["exe"]
    for k, v in (("root", root), ("verdict", "denied"), ("reason", reason), ("errno", errno_)):
        good = good and r[k] == v
    if good:
        passed += 1
    else:
        err("line %d: unexpected fields: %s" % (n, raw.decode("latin-1")))
    recs.append(r)
used = [False] * len(recs)
for call, path, line in want:
    for i, r in enumerate(recs):
        # the fortify64 probe calls the *64 names
        if not used[i] and r["call"] in (call, call + "64") and r["path"] == path:
            used[i] = True
            passed += 1
            break
    else:
        err("no record with call %r path %r for: %s" % (call, path, line))
for i, r in enumerate(recs):
    if not used[i]:
        err("record matches no denied call (a second try?): call %r path %r"
            % (r["call"], r["path"]))
print("checklog: %d %d" % (passed, failed))
EOF

checklog() {
	local res
	res=$("$PY" "$T/checklog.py" "$@" 2>&1)
	printf '%s\n' "$res" | grep -v '^checklog: ' | head -n 40
	set -- $(printf '%s\n' "$res" | sed -n 's/^checklog: //p')
	if [ $# -ne 2 ]; then
		bad "log checker did not run: $res"
		return
	fi
	pass=$((pass + $1))
	fail=$((fail + $2))
}

# ------------------------------------------------------------------------
# The probe builds bind the names they should (nm)
# ------------------------------------------------------------------------
check_nm() {
	local u s
	if ! command -v nm > /dev/null; then
		skip "nm not found: the symbol checks of the probe builds"
		return
	fi
	u=$(nm -D --defined-only "$SHIM" | awk '{print $NF}' | sed 's/@.*//')
	for s in mkstemp mkstemp64 mkostemp mkostemp64 mkstemps mkstemps64 mkostemps \
		mkostemps64 mkdtemp mktemp tempnam; do
		check "the shim exports $s (nm -D)" sh -c 'printf "%s\n" "$1" | grep -qx "$2"' x "$u" "$s"
	done
	for b in plain fortify; do
		eval p=\$PROBE_$b
		u=$(nm -u "$p" | sed 's/@.*//' | awk '{print $NF}')
		for s in mkstemp mkstemp64 mkostemp mkostemp64 mkstemps mkstemps64 mkostemps \
			mkostemps64 mkdtemp; do
			check "$b probe references $s (nm)" sh -c 'printf "%s\n" "$1" | grep -qx "$2"' x "$u" "$s"
		done
	done
	u=$(nm -u "$PROBE_fortify64" | sed 's/@.*//' | awk '{print $NF}')
	for s in mkstemp64 mkostemp64 mkstemps64 mkostemps64 mkdtemp; do
		check "fortify64 probe references $s (nm)" sh -c 'printf "%s\n" "$1" | grep -qx "$2"' x "$u" "$s"
	done
	for s in mkstemp mkostemp mkstemps mkostemps; do
		check "fortify64 probe does not reference $s: it calls ${s}64 (nm)" \
			sh -c '! printf "%s\n" "$1" | grep -qx "$2"' x "$u" "$s"
	done
}

# ------------------------------------------------------------------------
# Without the shim: the expectations are glibc's, and the attacks work
# ------------------------------------------------------------------------
baselines() {
	local b p n esc names
	SHIMENV=()
	for b in $BUILDS; do
		eval p=\$PROBE_$b
		mktree
		run "$p" all "$R/d" > "$T/run.txt"
		masked "$T/run.txt" > "$T/res"
		expect_all "$R/d" > "$T/exp"
		expect_same "[glibc $b] good templates: the expected lines are glibc's" "$T/exp" "$T/res"
		run "$p" bad "$R/d" > "$T/base-bad-$b"
		n=$(grep -vc ' EINVAL,' "$T/base-bad-$b")
		check_eq "[glibc $b] bad templates: all EINVAL" 0 "$n"
		run "$p" edge "$R/d" > "$T/run.txt"
		masked "$T/run.txt" > "$T/base-edge-$b"
		n=$(grep -vc ' ok,.*xs=ok' "$T/base-edge-$b")
		check_eq "[glibc $b] templates at the edges of the rules: all good" 0 "$n"
		tempnam_seq "$p" "$TEMPNAM_LEGIT" > "$T/run.txt"
		masked "$T/run.txt" > "$T/base-tempnam-$b"
		n=$(grep -vc ' ok,.*xs=ok,free=yes' "$T/base-tempnam-$b")
		check_eq "[glibc $b] tempnam: all good" 0 "$n"
	done
	check_eq "glibc's tempnam: the shapes this test expects" \
		"$R/d/pfx?????? $R/d/abcde?????? $R/d/file?????? $R/d/x?????? $R/d/file?????? /tmp/file?????? $E/q?????? $E/q??????" \
		"$(sed 's/.*,shape=\([^,]*\),.*/\1/' "$T/base-tempnam-plain" | tr '\n' ' ' | sed 's/ $//')"

	# The attacks, without protection: created outside, or a name
	# through the link called free.
	mktree
	attack_seq "$PROBE_plain" > "$T/run.txt"
	tempnam_seq "$PROBE_plain" "$TEMPNAM_ATTACK" >> "$T/run.txt"
	names=$(grep -c -e "^mktemp .* ok," -e "^tempnam .* ok,name=$R/dl" "$T/run.txt")
	esc=$(( $(count_in "$O") + names ))
	echo "without the shim: $esc escapes ($(count_in "$O") files and directories created in $O," \
		"$names free names reported through the links)"
	check "without the shim the template attacks escape (escapes: $esc)" [ "$esc" -gt 0 ]
	check "without the shim mktemp and tempnam name free files through the links ($names)" \
		[ "$names" -gt 0 ]

	# python3's tempfile, its own code over os.open and os.mkdir.
	mktree
	"$PY" -c 'import sys, tempfile; tempfile.mkstemp(dir=sys.argv[1]); tempfile.mkdtemp(dir=sys.argv[1])' \
		"$R/dl" 2> /dev/null
	esc=$(count_in "$O")
	echo "without the shim: python3 tempfile: $esc escapes"
	check "without the shim python3's tempfile escapes through $R/dl ($esc)" [ "$esc" -eq 2 ]
}

# ------------------------------------------------------------------------
# Under the shim
# ------------------------------------------------------------------------
# Inside the root, per build: glibc's results, created inside.
shim_legit() {
	local b p n name bad_names
	for b in $BUILDS; do
		eval p=\$PROBE_$b
		mktree
		SHIMENV=(BENEATH_ROOTS="$R" BENEATH_LOG="$LOG")
		run "$p" all "$R/d" > "$T/run.txt"
		masked "$T/run.txt" > "$T/res"
		expect_all "$R/d" > "$T/exp"
		expect_same "[$BACKEND $b] good templates inside the root" "$T/exp" "$T/res"
		bad_names=0
		grep -v '^mktemp ' "$T/run.txt" > "$T/made.txt"
		for name in $(names_of "$T/made.txt"); do
			case $name in
			"$R"/d/*) [ -e "$name" ] && [ "$(cd "$(dirname "$name")" && pwd -P)" = "$R/d" ] ||
				bad_names=$((bad_names + 1)) ;;
			*) bad_names=$((bad_names + 1)) ;;
			esac
		done
		check_eq "[$BACKEND $b] every name made is in $R/d and exists" 0 "$bad_names"
		check_eq "[$BACKEND $b] $R/d holds what was made (8 files, 1 directory)" 9 "$(count_in "$R/d")"

		run "$p" bad "$R/d" > "$T/run.txt"
		expect_same "[$BACKEND $b] bad templates: the same EINVAL as glibc, template untouched" \
			"$T/base-bad-$b" "$T/run.txt"
		run "$p" edge "$R/d" > "$T/run.txt"
		masked "$T/run.txt" > "$T/res"
		expect_same "[$BACKEND $b] templates at the edges of the rules, as glibc" \
			"$T/base-edge-$b" "$T/res"

		# Relative templates, the working directory inside the root.
		(cd "$R/d" && run "$p" all .) > "$T/run.txt"
		masked "$T/run.txt" > "$T/res"
		expect_all . > "$T/exp"
		expect_same "[$BACKEND $b] relative templates inside the root" "$T/exp" "$T/res"

		tempnam_seq "$p" "$TEMPNAM_LEGIT" > "$T/run.txt"
		masked "$T/run.txt" > "$T/res"
		expect_same "[$BACKEND $b] tempnam inside and outside the root, as glibc" \
			"$T/base-tempnam-$b" "$T/res"

		# Outside every root: glibc's behaviour, untouched.
		run "$p" all "$E" > "$T/run.txt"
		masked "$T/run.txt" > "$T/res"
		expect_all "$E" > "$T/exp"
		expect_same "[$BACKEND $b] good templates outside every root" "$T/exp" "$T/res"
		check_eq "[$BACKEND $b] outside every root: made there" 9 "$(count_in "$E")"
		check_eq "[$BACKEND $b] legitimate work logs nothing" "" "$(head -c 300 "$LOG")"
	done
	SHIMENV=()
}

# The attacks, per build: EACCES after one try, nothing outside, logged.
shim_attacks() {
	local b p
	for b in $BUILDS; do
		eval p=\$PROBE_$b
		mktree
		SHIMENV=(BENEATH_ROOTS="$R" BENEATH_LOG="$LOG")
		attack_seq "$p" > "$T/run.txt"
		masked "$T/run.txt" > "$T/res"
		attack_expected EACCES > "$T/exp"
		expect_same "[$BACKEND $b] templates through symlinks and .. are denied (EACCES)" \
			"$T/exp" "$T/res"
		tempnam_seq "$p" "$TEMPNAM_ATTACK" > "$T/tn"
		# stat says the linked directory is not one: tempnam goes on
		# to P_tmpdir, as glibc does for a directory that is not there.
		masked "$T/tn" | sed 's/.*,shape=\([^,]*\),.*/\1/' > "$T/res"
		printf '/tmp/foo??????\n/tmp/foo??????\n/tmp/foo??????\n/tmp/foo??????\n' > "$T/exp"
		if [ -d /tmp ] && [ ! -L /tmp ]; then
			expect_same "[$BACKEND $b] tempnam does not name files through the links" \
				"$T/exp" "$T/res"
		else
			skip "[$BACKEND $b] /tmp is not a plain directory: tempnam's fallback"
		fi
		check_eq "[$BACKEND $b] nothing was made outside" 0 "$(count_in "$O")"
		check_eq "[$BACKEND $b] the probe survived every call (lines)" \
			"$(attack_expected EACCES | wc -l) 4" \
			"$(wc -l < "$T/run.txt") $(wc -l < "$T/tn")"
		cat "$T/run.txt" "$T/tn" > "$T/all"
		checklog "$T/all" "$LOG" "$R" escape EACCES tempnam "$R/dl" tempnam "$R/dlr/" \
			tempnam "$R/dl" tempnam "$R/dlr" tempnam "$R/dl"
	done
	SHIMENV=()
}

# A read-only root: creating is EROFS, looking works.
shim_ro() {
	local b p
	for b in $BUILDS; do
		eval p=\$PROBE_$b
		mktree
		SHIMENV=(BENEATH_ROOTS="$R=ro" BENEATH_LOG="$LOG")
		run "$p" all "$R/d" > "$T/run.txt"
		masked "$T/run.txt" > "$T/res"
		expect_ro "$R/d" > "$T/exp"
		expect_same "[$BACKEND $b] read-only root: EROFS" "$T/exp" "$T/res"
		check_eq "[$BACKEND $b] read-only root: nothing made" 0 "$(count_in "$R/d")"
		checklog "$T/run.txt" "$LOG" "$R" read-only EROFS
	done
	SHIMENV=()
}

# Threads creating at once: all succeed, all names distinct.
shim_threads() {
	mktree
	SHIMENV=(BENEATH_ROOTS="$R" BENEATH_LOG="$LOG")
	check_eq "[$BACKEND] 8 threads, 25 files each" "threads $R/d 8 ok,made=200,distinct=200" \
		"$(run "$PROBE_plain" threads "$R/d" 8)"
	check_eq "[$BACKEND] 8 threads: 200 files in $R/d" 200 "$(count_in "$R/d")"
	SHIMENV=()
}

# python3's tempfile: its open and mkdir are the shim's.
shim_python() {
	local out rc n
	mktree
	out=$(env LD_PRELOAD="$SHIM" BENEATH_RESOLVER="$BACKEND" BENEATH_ROOTS="$R" \
		BENEATH_LOG="$LOG" "$PY" -c 'import sys, tempfile; tempfile.mkstemp(dir=sys.argv[1])' \
		"$R/dl" 2>&1)
	rc=$?
	check "[$BACKEND] python3 tempfile.mkstemp through $R/dl fails" [ "$rc" -ne 0 ]
	case $out in
	*PermissionError*) ok ;;
	*) bad "[$BACKEND] python3 tempfile.mkstemp: no PermissionError: $out" ;;
	esac
	out=$(env LD_PRELOAD="$SHIM" BENEATH_RESOLVER="$BACKEND" BENEATH_ROOTS="$R" \
		BENEATH_LOG="$LOG" "$PY" -c 'import sys, tempfile; tempfile.mkdtemp(dir=sys.argv[1])' \
		"$R/dlr" 2>&1)
	rc=$?
	check "[$BACKEND] python3 tempfile.mkdtemp through $R/dlr fails" [ "$rc" -ne 0 ]
	case $out in
	*PermissionError*) ok ;;
	*) bad "[$BACKEND] python3 tempfile.mkdtemp: no PermissionError: $out" ;;
	esac
	check_eq "[$BACKEND] python3: nothing made outside" 0 "$(count_in "$O")"
	n=$("$PY" - "$LOG" "$R" <<'EOF'
import json, sys
log, root = sys.argv[1:3]
n = 0
for raw in open(log):
    r = json.loads(raw)
    if (r["root"] == root and r["verdict"] == "denied" and r["reason"] == "escape"
            and r["errno"] == "EACCES" and r["call"] in ("open", "open64", "mkdir")
            and (r["path"].startswith(root + "/dl/") or r["path"].startswith(root + "/dlr/"))):
        n += 1
print(n)
EOF
)
	check_eq "[$BACKEND] python3: both denials logged" 2 "$n"
	out=$(env LD_PRELOAD="$SHIM" BENEATH_RESOLVER="$BACKEND" BENEATH_ROOTS="$R" \
		"$PY" -c 'import sys, tempfile; print(tempfile.mkstemp(dir=sys.argv[1])[1])' \
		"$R/d" 2>&1)
	case $out in
	"$R"/d/tmp*) check "[$BACKEND] python3 tempfile.mkstemp inside the root works" [ -f "$out" ] ;;
	*) bad "[$BACKEND] python3 tempfile.mkstemp inside the root: $out" ;;
	esac
}

# ------------------------------------------------------------------------
# Main
# ------------------------------------------------------------------------
start=$(date +%s)
check_nm
baselines

for BACKEND in openat2 walker; do
	# A kernel without openat2 cannot run the forced openat2 backend.
	mktree
	got=$(env LD_PRELOAD="$SHIM" BENEATH_RESOLVER="$BACKEND" BENEATH_ROOTS="$R" \
		"$PROBE_plain" mkstemp "$R/d/fooXXXXXX" 2>&1)
	case $got in
	*" ENOSYS,"*)
		skip "backend $BACKEND: not supported by this kernel"
		continue ;;
	esac
	echo "=== backend $BACKEND"
	shim_legit
	shim_attacks
	shim_ro
	shim_threads
	shim_python
done

echo "test-temp: $(( $(date +%s) - start ))s${skipped:+, skipped:$skipped}"
echo "test-temp: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
