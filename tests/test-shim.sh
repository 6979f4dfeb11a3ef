#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
#
# libbeneath-preload.so end to end, under both resolver backends.
#
# A fresh tree in a temporary directory holds planted escapes (absolute,
# relative, chained, /proc and directory symlinks, "..", "//", "/./",
# dangling links) next to legitimate inside links. Each attack is first
# shown to work without the shim (the escapes are counted and printed);
# then, under the shim, every escape must fail with the configured errno,
# nothing outside may change, every denial must be logged as one JSON line
# with the right fields, and every legitimate call inside and outside the
# roots must give exactly what it gives without the shim.
#
# The attacks go through tests/shim-probe (every interposed entry point,
# called directly; built plain, fortified and fortified with 64-bit
# off_t), through coreutils and through python3. Then each option:
# ro, contain/beneath/in_root, nosymlinks, sameowner (as root), fd=N,
# wildcard roots, BENEATH_MODE=audit, BENEATH_OUTSIDE=deny, BENEATH_ERRNO,
# BENEATH_LOG=stderr|fd:N|PATH, and every kind of invalid configuration
# (exit status 127 and one "beneath: " line).
#
# Every assertion that fails prints a "FAIL:" line; the last line is
# "test-shim: N passed, M failed" and the exit status is 1 if M > 0.
# make check exports top_builddir and top_srcdir; the defaults let the
# script run by hand from an in-tree build.
here=$(cd "$(dirname "$0")" && pwd)
. "$here/testlib.sh"

use_probes shim-probe
need_built "$SHIM" "$PROBE_plain" "$PROBE_fortify" "$PROBE_fortify64"
shim_absolute

# expect_all DESC FILE RESULT: every line (one call) of FILE ends in RESULT.
expect_all() {
	local desc=$1 file=$2 want=$3 n nb
	n=$(wc -l < "$file")
	if [ "$n" -eq 0 ]; then
		bad "$desc: the probe printed nothing"
		return
	fi
	nb=$(awk -v w="$want" '$NF != w' "$file" | wc -l)
	pass=$((pass + n - nb))
	if [ "$nb" -gt 0 ]; then
		fail=$((fail + nb))
		echo "FAIL: $desc: $nb of $n calls did not give $want:"
		awk -v w="$want" '$NF != w' "$file" | head -n 40 | sed 's/^/    /'
	fi
}

# expect_same_tree DESC EXPECTED_FILE ACTUAL_FILE: one assertion for a
# whole snapshot.
expect_same_tree() {
	if cmp -s "$2" "$3"; then
		ok
	else
		bad "$1:"
		diff "$2" "$3" | grep '^[<>]' | head -n 20 | sed 's/^/    /'
	fi
}

make_tmpdir test-shim

need_python3 "it parses the JSON log and is one of the programs tested"

# ------------------------------------------------------------------------
# The JSON log checker
# ------------------------------------------------------------------------
# checklog.py OUT LOG BUILD ROOT VERDICT REASON ERRNO WHICH [EXE]
# OUT is probe output; WHICH is "denied" (every line ending in ERRNO was a
# denial) or "all" (audit: every line was a would-deny). Each such line
# must match exactly one log record with the libc name the build really
# calls and the path as given; every record must be valid JSON with all
# fields and the expected root, verdict, reason and errno ("*" = any).
# Prints "checklog: P F" last.
cat > "$T/checklog.py" <<'EOF'
import json, re, sys
out, log, build, root, verdict, reason, errno_, which = sys.argv[1:9]
exe = sys.argv[9] if len(sys.argv) > 9 else None
FORT = {"open": "__open_2", "open64": "__open64_2", "openat": "__openat_2",
        "openat64": "__openat64_2", "readlink": "__readlink_chk",
        "readlinkat": "__readlinkat_chk"}
F64 = dict(FORT, open="__open64_2", openat="__openat64_2", creat="creat64",
           fopen="fopen64", freopen="freopen64", stat="stat64", lstat="lstat64",
           fstatat="fstatat64", statfs="statfs64", statvfs="statvfs64",
           truncate="truncate64")
LFS = {"open": "open64", "openat": "openat64"}
def call_of(name, args):
    if build == "plain":
        return name
    if name in ("open", "open64", "openat", "openat64") and len(args) > 1 and "c" in args[1]:
        return LFS.get(name, name) if build == "fortify64" else name   # a mode: not fortified
    return (FORT if build == "fortify" else F64).get(name, name)
passed = failed = 0
def err(msg):
    global failed
    failed += 1
    print("FAIL: log: " + msg)
want = []
for line in open(out):
    f = line.split()
    if len(f) < 3:
        continue
    name, args, res = f[0], f[1:-1], f[-1]
    if which == "denied" and res != errno_:
        continue
    if name in ("symlink", "symlinkat"):
        paths = {args[1]}
    elif name in ("rename", "renameat", "renameat2", "link", "linkat"):
        paths = {args[0], args[1]}
    else:
        paths = {args[0]}
    want.append((call_of(name, args), paths, line.strip()))
recs = []
tre = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$")
for n, raw in enumerate(open(log, "rb").read().split(b"\n")[:-1], 1):
    try:
        r = json.loads(raw.decode("latin-1"))
    except ValueError as e:
        err("line %d is not JSON (%s): %r" % (n, e, raw[:200]))
        continue
    keys = ["time", "pid", "exe", "call", "path", "root", "verdict", "reason", "errno"]
    if list(r.keys()) != keys:
        err("line %d has fields %s, not %s" % (n, list(r.keys()), keys))
        continue
    ok = True
    if not (isinstance(r["time"], str) and tre.match(r["time"])):
        ok = False; err("line %d: bad time %r" % (n, r["time"]))
    if not (isinstance(r["pid"], int) and r["pid"] > 0):
        ok = False; err("line %d: bad pid %r" % (n, r["pid"]))
    if exe and not r["exe"].endswith("/" + exe):
        ok = False; err("line %d: exe %r is not .../%s" % (n, r["exe"], exe))
    for k, v in (("root", root), ("verdict", verdict), ("reason", reason), ("errno", errno_)):
        if v != "*" and r[k] != v:
            ok = False; err("line %d: %s is %r, expected %r: %s" % (n, k, r[k], v, raw.decode("latin-1")))
    passed += ok
    recs.append(r)
used = [False] * len(recs)
for call, paths, line in want:
    for i, r in enumerate(recs):
        if not used[i] and r["call"] == call and r["path"] in paths:
            used[i] = True
            passed += 1
            break
    else:
        err("no record with call %r for: %s" % (call, line))
for i, r in enumerate(recs):
    if not used[i]:
        err("record matches no denied call: call %r path %r" % (r["call"], r["path"]))
print("checklog: %d %d" % (passed, failed))
EOF

# checklog ARGS...: run checklog.py and add its counts.
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
# The tree
# ------------------------------------------------------------------------
R=$T/root      # the root
O=$T/out       # outside: the attacker's target
O2=$T/out2     # outside: legitimately used by the program
LOG=$T/log.json
UPS=$(printf '%s\n' "$R" | sed 's|/[^/]*|../|g; s|/$||')   # from $R up to /

mktree() {
	rm -rf "$R" "$O" "$O2" "$T/rootx" "$T/src" "$T/src2" "$T/stolen" "$T/ddout"
	mkdir -p "$R/sub" "$R/data" "$R/work/d" "$R/out" "$R$O" "$O/d" "$O2/d" "$T/rootx"
	printf 'TOPSECRET-outside\n' > "$O/f"
	ln -s f "$O/l"
	printf 'outside-ok\n' > "$O2/f"
	ln -s f "$O2/l"
	printf 'inside-data\n' > "$R/data/file"
	printf 'work-file\n' > "$R/work/f"
	ln -s f "$R/work/l"
	printf 'DECOY-rel\n' > "$R/out/f"      # where in_root puts ../out/f
	printf 'DECOY-abs\n' > "$R$O/f"        # where in_root puts $O/f
	printf 'TOPSECRET-rootx\n' > "$T/rootx/f"
	printf 'source\n' > "$T/src"
	printf 'source2\n' > "$T/src2"
	# Escapes.
	ln -s "$O/f" "$R/abs"                  # absolute
	ln -s ../out/f "$R/rel"                # relative
	ln -s c2 "$R/c1"                       # chained: c1 -> c2 -> outside
	ln -s "$O/f" "$R/c2"
	ln -s c4 "$R/c3"                       # chained, relative at the end
	ln -s ../out/f "$R/c4"
	ln -s "/proc/self/root$O/f" "$R/p"     # through /proc
	ln -s "$O" "$R/dl"                     # directory, absolute
	ln -s ../out "$R/dlr"                  # directory, relative
	ln -s "$O/newfile" "$R/dang"           # dangling, outside
	ln -s "$R/../out/f" "$R/adotdot"       # absolute, the root's prefix then ..
	ln -s "$R//../out/f" "$R/aslashdotdot"
	ln -s "${R}x/f" "$R/aprefix"           # the root's name, not on a boundary
	ln -s "$UPS/proc/self/root$O/f" "$R/prel"  # relative, to / and through /proc
	ln -s "$R/.." "$R/up"                  # a directory above the root
	# Legitimate links.
	ln -s "$R/data/file" "$R/in_abs"       # absolute, under the root
	ln -s data/file "$R/in_rel"            # relative, inside
	ln -s /data/file "$R/chr"              # absolute as if the root were /
	ln -s data "$R/dli"                    # directory, inside
	ln -s "$R/data/newin" "$R/dang_in"     # dangling, inside
	ln -s "//$R/data/file" "$R/in_slashes" # absolute, spelt with // or ..
	ln -s "$R/data/../data/file" "$R/in_dotdot"
	ln -s "$R" "$R/self"                   # the root itself
	"$PROBE_plain" setxattr "$O/f" user.test outside-xattr > /dev/null
	"$PROBE_plain" setxattr "$R/data/file" user.test inside-xattr > /dev/null
	"$PROBE_plain" setxattr "$R/work/f" user.test work-xattr > /dev/null
	: > "$LOG"
}

# What a directory holds, with (snap) or without (snap_notime) times.
snap() {
	(cd "$1" && find . -printf '%p %y %s %m %u %g %l %T@ %C@\n' | sort &&
		find . -type f -exec md5sum {} + | sort)
}
snap_notime() {
	(cd "$1" && find . -printf '%p %y %s %m %u %g %l\n' | sort &&
		find . -type f -exec md5sum {} + | sort)
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

# Every planted escape, through probe $1: all of it must be denied.
escape_seq() {
	local p=$1 e
	for e in abs rel c1 c3 p dl/f dlr/f ../out/f sub/../../out/f dang adotdot aslashdotdot \
		aprefix prel up/out/f self/abs self/up/rootx/f; do
		run "$p" follow "$R/$e"
	done
	run "$p" follow "$T//root/./abs"
	run "$p" follow "$R//dl/./f"
	run "$p" follow "$R/./sub//..//../out/f"
	run "$p" readdir "$R/dl"
	run "$p" readdir "$R/sub/../../out"
	run "$p" all "$R/dl"
	run "$p" all "$R/dlr"
	run "$p" all "$R/../out"
	(cd "$R/sub" && run "$p" follow ../abs && run "$p" follow ../../out/f &&
		run "$p" all ../dl)
	(cd "$T" && run "$p" follow root/rel)
	run "$p" linkat "$R/abs" "$R/hard" follow
	run "$p" rename "$R/data/file" "$R/dl/stolen"
	run "$p" link "$R/data/file" "$R/dl/linked"
	run "$p" renameat2 "$R/data/file" "$R/dl/f" exchange
}

# Legitimate work inside and outside the root, through probe $1: must
# give what it gives without the shim.
legit_seq() {
	local p=$1
	run "$p" read "$R/data/file"
	run "$p" read "$R/in_abs"
	run "$p" read "$R/in_rel"
	run "$p" read "$R/dli/file"
	run "$p" read "$R/in_slashes"
	run "$p" read "$R/in_dotdot"
	run "$p" read "$R/self/self/in_abs"
	run "$p" read "$R/sub/../data/file"
	run "$p" read "$T//root/./data/file"
	run "$p" read "$R"
	run "$p" readdir "$R/data"
	run "$p" readdir "$R/dli"
	run "$p" readdir "$R/"
	run "$p" lread "$R/abs"
	run "$p" lread "$R/dl"
	run "$p" lread "$R/p"
	run "$p" lread "$R/in_rel"
	run "$p" lwrite "$R/abs"
	run "$p" all "$R/work"
	run "$p" write "$R/in_abs"
	run "$p" mutate "$R/sub"
	run "$p" symlink "$O/f" "$R/newsym"
	run "$p" readlink "$R/newsym"
	run "$p" linkat "$R/in_rel" "$R/hard" follow
	run "$p" link "$R/abs" "$R/hard2"
	run "$p" rename "$R/hard2" "$R/sub/moved"
	run "$p" unlink "$R/dl"
	run "$p" open "$R/dang_in" wc
	run "$p" read "$O2/f"
	run "$p" all "$O2"
	run "$p" rename "$T/src" "$R/sub/from-outside"
	(cd "$R/data" && run "$p" read file && run "$p" read ../in_rel && run "$p" mutate .)
	(cd "$T" && run "$p" read root/data/file && run "$p" read out2/f)
}

# nm: the fortified builds really reference the fortified names.
check_nm() {
	local u
	if ! command -v nm > /dev/null; then
		skip "nm not found: the symbol checks of the probe builds"
		return
	fi
	u=$(nm -u "$PROBE_plain" | sed 's/@.*//' | awk '{print $NF}')
	check "plain probe calls open, not __open_2" \
		sh -c 'printf "%s\n" "$1" | grep -qx open && ! printf "%s\n" "$1" | grep -qx __open_2' x "$u"
	u=$(nm -u "$PROBE_fortify" | sed 's/@.*//' | awk '{print $NF}')
	for s in __open_2 __open64_2 __openat_2 __openat64_2 __readlink_chk __readlinkat_chk; do
		check "fortify probe references $s (nm)" sh -c 'printf "%s\n" "$1" | grep -qx "$2"' x "$u" "$s"
	done
	u=$(nm -u "$PROBE_fortify64" | sed 's/@.*//' | awk '{print $NF}')
	for s in __open64_2 __openat64_2 __readlink_chk stat64 lstat64 fstatat64 fopen64 \
		freopen64 creat64 truncate64 statfs64 statvfs64 openat64; do
		check "fortify64 probe references $s (nm)" sh -c 'printf "%s\n" "$1" | grep -qx "$2"' x "$u" "$s"
	done
	for s in __open_2 stat fopen truncate; do
		check "fortify64 probe does not reference $s (nm)" \
			sh -c '! printf "%s\n" "$1" | grep -qx "$2"' x "$u" "$s"
	done
}

# ------------------------------------------------------------------------
# Invalid configurations: status 127 and one "beneath: " line, before main
# ------------------------------------------------------------------------
invalid_configs() {
	local v out err rc
	mktree
	printf 'file\n' > "$T/afile"
	while IFS= read -r v; do
		[ -n "$v" ] || continue
		out=$( (export LD_PRELOAD="$SHIM" "$v"; exec "$PROBE_plain" stat /) 2> "$T/err")
		rc=$?
		err=$(cat "$T/err")
		check_eq "invalid config [$v]: exit status" 127 "$rc"
		check_eq "invalid config [$v]: main must not run" "" "$out"
		check_eq "invalid config [$v]: one line on stderr" 1 "$(printf '%s\n' "$err" | grep -c .)"
		case $err in
		"beneath: "?*) ok ;;
		*) bad "invalid config [$v]: stderr is not 'beneath: ...': $err" ;;
		esac
	done <<EOF
BENEATH_ROOTS=relative/root
BENEATH_ROOTS=$R=bogus
BENEATH_ROOTS=$R=ro,rw
BENEATH_ROOTS=$R=fd=1
BENEATH_ROOTS=$T/no-such-dir
BENEATH_ROOTS=$T/afile
BENEATH_ROOTS=$T/ro\\ot
BENEATH_ROOTS=$R\\
BENEATH_ROOTS=$R::$O2
BENEATH_ROOTS=$R=fd=987
BENEATH_ROOTS=$T/*/x=fd=5
BENEATH_ROOTS=$T/x*/y
BENEATH_ERRNO=ENOSUCHERRNO
BENEATH_ERRNO=13
BENEATH_ERRNO=
BENEATH_MODE=strict
BENEATH_MODE=
BENEATH_OUTSIDE=maybe
BENEATH_OUTSIDE=
BENEATH_LOG=relative.log
BENEATH_LOG=fd:x
BENEATH_LOG=fd:987
BENEATH_LOG=$T/no-such-dir/log
BENEATH_LOG=
BENEATH_RESOLVER=fastest
EOF
	# A utility too, not only the probe.
	out=$(env LD_PRELOAD="$SHIM" BENEATH_ROOTS=relative cat "$O2/f" 2> "$T/err")
	rc=$?
	check_eq "invalid config: cat exits 127" 127 "$rc"
	check_eq "invalid config: cat's main must not run" "" "$out"
	check "invalid config: cat says 'beneath: '" grep -q '^beneath: ' "$T/err"
}

# ------------------------------------------------------------------------
# The probe: escapes and legitimate calls, each build
# ------------------------------------------------------------------------
# Every entry point the shim interposes.
ENTRY_POINTS="open open64 openat openat64 creat creat64 __open_2 __open64_2 __openat_2
__openat64_2 fopen fopen64 freopen freopen64 opendir stat stat64 lstat lstat64 fstatat
fstatat64 __xstat __xstat64 __lxstat __lxstat64 __fxstatat __fxstatat64 statx statfs
statfs64 statvfs statvfs64 access faccessat euidaccess eaccess unlink unlinkat rmdir remove
rename renameat renameat2 mkdir mkdirat mknod mknodat __xmknod __xmknodat mkfifo mkfifoat
link linkat symlink symlinkat truncate truncate64 chmod fchmodat lchmod chown lchown
fchownat utime utimes lutimes futimesat utimensat readlink readlinkat __readlink_chk
__readlinkat_chk getxattr lgetxattr setxattr lsetxattr listxattr llistxattr removexattr
lremovexattr"
export ENTRY_POINTS
# python3 -c "$COVERS" FILE 0|1: FILE (probe output, or with 1 a JSON
# log's "call" fields) names every entry point.
COVERS='import json, os, sys
f, log = sys.argv[1], sys.argv[2] == "1"
seen = {json.loads(l)["call"] if log else l.split()[0] for l in open(f) if l.strip()}
missing = sorted(set(os.environ["ENTRY_POINTS"].split()) - seen)
if missing:
    print("    not called:", " ".join(missing))
sys.exit(bool(missing))'

# Without the shim, once: the attacks work, and what legitimate calls give.
baselines() {
	local b p n s changed
	SHIMENV=()
	for b in $BUILDS; do
		eval "p=\$PROBE_$b"
		mktree
		snap "$O" > "$T/before"
		escape_seq "$p" > "$T/base-esc-$b" 2>&1
		snap "$O" > "$T/after"
		n=$(awk '$NF ~ /^ok/' "$T/base-esc-$b" | wc -l)
		s=$(grep -c 'TOPSECRET' "$T/base-esc-$b")
		changed=$(diff "$T/before" "$T/after" | grep -c '^>')
		echo "without the shim ($b probe): $n of $(wc -l < "$T/base-esc-$b") escaping calls succeeded," \
			"$s read the secret, $changed entries outside changed"
		check "without the shim the escapes work ($b probe)" test "$n" -gt 0 -a "$s" -gt 0 -a "$changed" -gt 0
		check "the escape run calls every interposed entry point ($b probe)" \
			"$PY" -c "$COVERS" "$T/base-esc-$b" 0
		mktree
		legit_seq "$p" > "$T/base-legit-$b" 2>&1
		snap_notime "$R" > "$T/base-legit-tree-$b"
		snap_notime "$O2" >> "$T/base-legit-tree-$b"
	done
}

probe_escapes() {
	local b p err=$1 errname=$2
	for b in $BUILDS; do
		eval "p=\$PROBE_$b"
		mktree
		snap "$O" > "$T/before"
		SHIMENV=(BENEATH_ROOTS="$R" BENEATH_LOG="$LOG" ${err:+BENEATH_ERRNO=$err})
		escape_seq "$p" > "$T/esc" 2>&1
		SHIMENV=()
		snap "$O" > "$T/after"
		expect_all "[$BACKEND] $b probe: escapes denied with $errname" "$T/esc" "$errname"
		expect_same_tree "[$BACKEND] $b probe: nothing outside changed" "$T/before" "$T/after"
		check_eq "[$BACKEND] $b probe: one log line per denial" "$(wc -l < "$T/esc")" "$(wc -l < "$LOG")"
		checklog "$T/esc" "$LOG" "$b" "$R" denied escape "$errname" denied "$(basename "$p")"
		if [ $b = plain ]; then
			check "[$BACKEND] the shim logged a denial from every entry point" \
				"$PY" -c "$COVERS" "$LOG" 1
		fi
		echo "[$BACKEND] $b probe, BENEATH_ERRNO=${err:-default}: $(grep -c " $errname\$" "$T/esc") escaping calls denied, $(wc -l < "$LOG") logged"
	done
}

probe_legit() {
	local b p
	for b in $BUILDS; do
		eval "p=\$PROBE_$b"
		mktree
		SHIMENV=(BENEATH_ROOTS="$R" BENEATH_LOG="$LOG")
		legit_seq "$p" > "$T/legit" 2>&1
		SHIMENV=()
		expect_same "[$BACKEND] $b probe: legitimate calls unchanged" "$T/base-legit-$b" "$T/legit"
		snap_notime "$R" > "$T/tree"
		snap_notime "$O2" >> "$T/tree"
		expect_same_tree "[$BACKEND] $b probe: the trees after the legitimate calls" \
			"$T/base-legit-tree-$b" "$T/tree"
		check_eq "[$BACKEND] $b probe: legitimate calls log nothing" "" "$(head -c 300 "$LOG")"
	done
}

# BENEATH_MODE=audit: every escape logged as would-deny and performed.
probe_audit() {
	mktree
	snap "$O" > "$T/before"
	SHIMENV=(BENEATH_ROOTS="$R" BENEATH_LOG="$LOG" BENEATH_MODE=audit)
	escape_seq "$PROBE_plain" > "$T/esc" 2>&1
	SHIMENV=()
	snap "$O" > "$T/after"
	expect_same "[$BACKEND] audit: every call performed as without the shim" "$T/base-esc-plain" "$T/esc"
	check "[$BACKEND] audit: the outside did change" sh -c '! cmp -s "$1" "$2"' x "$T/before" "$T/after"
	checklog "$T/esc" "$LOG" plain "$R" would-deny escape EACCES all shim-probe
	echo "[$BACKEND] audit: $(wc -l < "$LOG") would-deny records for $(wc -l < "$T/esc") calls"
	# Audit of a read-only root: the write happens, the log says EROFS.
	mktree
	SHIMENV=(BENEATH_ROOTS="$R=ro" BENEATH_LOG="$LOG" BENEATH_MODE=audit)
	run "$PROBE_plain" write "$R/data/file" > "$T/res" 2>&1
	SHIMENV=()
	check "[$BACKEND] audit ro: writes performed" sh -c '! grep -v " ok" "$1"' x "$T/res"
	checklog "$T/res" "$LOG" plain "$R" would-deny read-only EROFS all
}

# BENEATH_OUTSIDE=deny
probe_outside_deny() {
	mktree
	snap "$O" > "$T/before"
	SHIMENV=(BENEATH_ROOTS="$R" BENEATH_LOG="$LOG" BENEATH_OUTSIDE=deny)
	{
		run "$PROBE_plain" all "$O"
		run "$PROBE_plain" follow "$O2/f"
		run "$PROBE_plain" follow "$T/rootx/f"
		run "$PROBE_plain" read "$T/root-not/f"
		(cd "$T" && run "$PROBE_plain" follow out2/f && run "$PROBE_plain" mutate out)
		run "$PROBE_plain" rename "$R/data/file" "$O2/moved"
		run "$PROBE_plain" symlink "$R/data/file" "$O2/sym"
	} > "$T/res" 2>&1
	snap "$O" > "$T/after"
	expect_all "[$BACKEND] outside=deny: outside paths denied" "$T/res" EACCES
	expect_same_tree "[$BACKEND] outside=deny: nothing outside changed" "$T/before" "$T/after"
	checklog "$T/res" "$LOG" plain "*" denied outside EACCES denied
	check "[$BACKEND] outside=deny: outside records have root \"\"" \
		sh -c '! grep -v "\"root\":\"\",\"verdict\":\"denied\",\"reason\":\"outside\"" "$1"' x "$LOG"
	# Inside, all as usual; escapes still escapes.
	: > "$LOG"
	run "$PROBE_plain" read "$R/data/file" > "$T/res" 2>&1
	SHIMENV=()
	head -n "$(wc -l < "$T/res")" "$T/base-legit-plain" > "$T/exp"
	expect_same "[$BACKEND] outside=deny: inside reads unchanged" "$T/exp" "$T/res"
	SHIMENV=(BENEATH_ROOTS="$R" BENEATH_LOG="$LOG" BENEATH_OUTSIDE=deny BENEATH_ERRNO=EPERM)
	: > "$LOG"
	run "$PROBE_plain" follow "$R/abs" > "$T/res" 2>&1
	run "$PROBE_plain" stat "$O/f" >> "$T/res" 2>&1
	SHIMENV=()
	expect_all "[$BACKEND] outside=deny, ERRNO=EPERM: escape and outside denied" "$T/res" EPERM
	checklog "$T/res" "$LOG" plain "*" denied "*" EPERM denied
}

# ro: reads as usual, every write EROFS whatever BENEATH_ERRNO says.
probe_ro() {
	local b p err
	for b in $BUILDS; do
		eval "p=\$PROBE_$b"
		for err in "" ENOENT; do
			mktree
			SHIMENV=(BENEATH_ROOTS="$R=ro" BENEATH_LOG="$LOG" ${err:+BENEATH_ERRNO=$err})
			{
				run "$p" read "$R/data/file"
				run "$p" read "$R/in_abs"
				run "$p" readdir "$R/data"
				run "$p" lread "$R/in_rel"
			} > "$T/res" 2>&1
			{
				"$p" read "$R/data/file"
				"$p" read "$R/in_abs"
				"$p" readdir "$R/data"
				"$p" lread "$R/in_rel"
			} > "$T/exp" 2>&1
			check_eq "[$BACKEND] ro $b: reads log nothing" "" "$(head -c 300 "$LOG")"
			snap "$R" > "$T/before"
			{
				run "$p" write "$R/data/file"
				run "$p" write "$R/abs"
				run "$p" lwrite "$R/in_rel"
				run "$p" mutate "$R/sub"
				run "$p" rename "$R/data/file" "$O2/moved"
				run "$p" rename "$O2/f" "$R/moved-in"
				run "$p" symlink x "$R/newsym"
				run "$p" link "$O2/f" "$R/linked-in"
				run "$p" fopen "$R/data/file" r+
				run "$p" open "$R/data/file" rt
			} > "$T/wr" 2>&1
			SHIMENV=()
			snap "$R" > "$T/after"
			expect_same "[$BACKEND] ro $b${err:+ ERRNO=$err}: reads unchanged" "$T/exp" "$T/res"
			expect_all "[$BACKEND] ro $b${err:+ ERRNO=$err}: writes give EROFS" "$T/wr" EROFS
			expect_same_tree "[$BACKEND] ro $b${err:+ ERRNO=$err}: the root did not change" "$T/before" "$T/after"
			checklog "$T/wr" "$LOG" "$b" "$R" denied read-only EROFS denied
		done
	done
	# A hard link out of a read-only root is a writable name for a file in
	# it: link is a write-like call, so it must fail too.
	mktree
	SHIMENV=(BENEATH_ROOTS="$R=ro" BENEATH_LOG="$LOG")
	run "$PROBE_plain" link "$R/data/file" "$O2/alias" > "$T/res" 2>&1
	run "$PROBE_plain" linkat "$R/in_abs" "$O2/alias2" follow >> "$T/res" 2>&1
	SHIMENV=()
	expect_all "[$BACKEND] ro: link out of a read-only root" "$T/res" EROFS
	check "[$BACKEND] ro: no writable alias of a read-only file outside" \
		test ! -e "$O2/alias" -a ! -e "$O2/alias2"
}

# Resolution modes, option nosymlinks.
probe_modes() {
	local mode x want got
	mktree
	while read -r mode x want; do
		: > "$LOG"
		got=$(env LD_PRELOAD="$SHIM" BENEATH_RESOLVER="$BACKEND" BENEATH_ROOTS="$R=$mode" \
			BENEATH_LOG="$LOG" "$PROBE_plain" open "$R/$x" 2>&1)
		check_eq "[$BACKEND] $mode: open $x" "open $R/$x $want" "$got"
		case $want in
		EACCES)
			case $mode in *nosymlinks*) reason=symlink ;; *) reason=escape ;; esac
			check "[$BACKEND] $mode: open $x logged as $reason" \
				grep -q "\"reason\":\"$reason\",\"errno\":\"EACCES\"}" "$LOG" ;;
		*)
			check_eq "[$BACKEND] $mode: open $x logs nothing" "" "$(cat "$LOG")" ;;
		esac
	done <<EOF
contain in_abs ok:inside-data_
contain in_rel ok:inside-data_
contain chr EACCES
contain abs EACCES
contain rel EACCES
contain c1 EACCES
contain ../out/f EACCES
contain sub/../../out/f EACCES
contain sub/../data/file ok:inside-data_
beneath in_abs EACCES
beneath in_rel ok:inside-data_
beneath chr EACCES
beneath abs EACCES
beneath rel EACCES
beneath c1 EACCES
beneath ../out/f EACCES
beneath sub/../data/file ok:inside-data_
in_root in_abs ENOENT
in_root in_rel ok:inside-data_
in_root chr ok:inside-data_
in_root abs ok:DECOY-abs_
in_root rel ok:DECOY-rel_
in_root c1 ok:DECOY-abs_
in_root c3 ok:DECOY-rel_
in_root ../out/f ok:DECOY-rel_
in_root sub/../../out/f ok:DECOY-rel_
nosymlinks data/file ok:inside-data_
nosymlinks in_rel EACCES
nosymlinks in_abs EACCES
nosymlinks dli/file EACCES
nosymlinks c1 EACCES
beneath,nosymlinks in_rel EACCES
in_root,nosymlinks chr EACCES
in_root,nosymlinks data/file ok:inside-data_
EOF
	# Whole families: beneath refuses the inside absolute link through
	# every entry point, in_root reads the decoy through every one.
	SHIMENV=(BENEATH_ROOTS="$R=beneath" BENEATH_LOG="$LOG")
	: > "$LOG"
	run "$PROBE_plain" follow "$R/in_abs" > "$T/res" 2>&1
	expect_all "[$BACKEND] beneath: every call on an inside absolute link" "$T/res" EACCES
	checklog "$T/res" "$LOG" plain "$R" denied escape EACCES denied
	SHIMENV=(BENEATH_ROOTS="$R=in_root" BENEATH_LOG="$LOG")
	: > "$LOG"
	run "$PROBE_plain" read "$R/abs" > "$T/res" 2>&1
	SHIMENV=()
	"$PROBE_plain" read "$R$O/f" | sed "s|$R$O/f|$R/abs|" > "$T/exp"
	expect_same "[$BACKEND] in_root: an absolute link resolves in the root" "$T/exp" "$T/res"
	check "[$BACKEND] in_root: never the secret" sh -c '! grep -q TOPSECRET "$1"' x "$T/res"
	SHIMENV=(BENEATH_ROOTS="$R=nosymlinks" BENEATH_LOG="$LOG")
	: > "$LOG"
	run "$PROBE_plain" follow "$R/in_rel" > "$T/res" 2>&1
	SHIMENV=()
	expect_all "[$BACKEND] nosymlinks: every call through an inside link" "$T/res" EACCES
	checklog "$T/res" "$LOG" plain "$R" denied symlink EACCES denied
}

# sameowner: as root, give parts of the tree to other users.
probe_sameowner() {
	local x want got
	if [ "$(id -u)" != 0 ]; then
		skip "sameowner: not root, cannot chown files to another uid"
		return
	fi
	mktree
	mkdir -p "$R/fdir"
	printf 'mine\n' > "$R/data/mine"
	printf 'foreign\n' > "$R/data/foreign"
	printf 'foreign-out\n' > "$O/foreign"
	printf 'x\n' > "$R/fdir/x"
	ln "$O/foreign" "$R/data/hl"           # another user's file hard-linked in
	ln -s mine "$R/data/flink"
	chown 1000 "$R" "$R/data" "$R/data/mine"
	chown 4242 "$R/data/foreign" "$O/foreign" "$R/fdir"
	chown -h 4242 "$R/data/flink"
	while read -r x want; do
		: > "$LOG"
		got=$(env LD_PRELOAD="$SHIM" BENEATH_RESOLVER="$BACKEND" BENEATH_ROOTS="$R=sameowner" \
			BENEATH_LOG="$LOG" "$PROBE_plain" open "$R/$x" 2>&1)
		check_eq "[$BACKEND] sameowner: open $x" "open $R/$x $want" "$got"
		if [ "$want" = EACCES ]; then
			check "[$BACKEND] sameowner: $x logged with reason owner" \
				grep -q '"reason":"owner","errno":"EACCES"}' "$LOG"
		fi
	done <<EOF
data/mine ok:mine_
data/file ok:inside-data_
data/foreign EACCES
data/hl EACCES
fdir/x EACCES
data/flink EACCES
EOF
	SHIMENV=(BENEATH_ROOTS="$R=sameowner" BENEATH_LOG="$LOG")
	: > "$LOG"
	run "$PROBE_plain" follow "$R/data/hl" > "$T/res" 2>&1
	SHIMENV=()
	expect_all "[$BACKEND] sameowner: every call on a foreign hard link" "$T/res" EACCES
	checklog "$T/res" "$LOG" plain "$R" denied owner EACCES denied
}

# fd=N: the root is the directory open on fd 9, not whatever PATH names.
probe_fd() {
	local got
	mktree
	rm -rf "$T/fdreal" "$T/fdnamed"
	mkdir -p "$T/fdreal" "$T/fdnamed"
	printf 'via-fd\n' > "$T/fdreal/file"
	printf 'via-path\n' > "$T/fdnamed/file"
	ln -s "$O/f" "$T/fdreal/abs"
	got=$(exec 9< "$T/fdreal"
		env LD_PRELOAD="$SHIM" BENEATH_RESOLVER="$BACKEND" BENEATH_ROOTS="$T/fdnamed=fd=9" \
			"$PROBE_plain" open "$T/fdnamed/file" 2>&1)
	check_eq "[$BACKEND] fd=9: the fd, not the path" "open $T/fdnamed/file ok:via-fd_" "$got"
	got=$(exec 9< "$T/fdreal"
		env LD_PRELOAD="$SHIM" BENEATH_RESOLVER="$BACKEND" BENEATH_ROOTS="$T/fdghost=fd=9" \
			"$PROBE_plain" open "$T/fdghost/file" 2>&1)
	check_eq "[$BACKEND] fd=9: PATH need not exist" "open $T/fdghost/file ok:via-fd_" "$got"
	(exec 9< "$T/fdreal"
		env LD_PRELOAD="$SHIM" BENEATH_RESOLVER="$BACKEND" BENEATH_ROOTS="$T/fdnamed=fd=9" \
			BENEATH_LOG="$LOG" "$PROBE_plain" follow "$T/fdnamed/abs") > "$T/res" 2>&1
	expect_all "[$BACKEND] fd=9: escapes denied" "$T/res" EACCES
	checklog "$T/res" "$LOG" plain "$T/fdnamed" denied escape EACCES denied
	(exec 9< "$T/fdreal"
		env LD_PRELOAD="$SHIM" BENEATH_RESOLVER="$BACKEND" BENEATH_ROOTS="$T/fdnamed=fd=9" \
			"$PROBE_plain" mkdir "$T/fdnamed/made") > /dev/null 2>&1
	check "[$BACKEND] fd=9: mkdir lands in the fd's directory" \
		test -d "$T/fdreal/made" -a ! -e "$T/fdnamed/made"
	got=$( (exec 9< "$T/fdreal/file"
		env LD_PRELOAD="$SHIM" BENEATH_ROOTS="$T/fdnamed=fd=9" "$PROBE_plain" stat /) 2>&1)
	check_eq "[$BACKEND] fd=9 on a regular file: exit 127" \
		"beneath: BENEATH_ROOTS: fd= is not an open directory for $T/fdnamed" "$got"
	# The root is the directory that was on fd 9 when the program started:
	# a program that later puts another directory on fd 9 (dup2, or close
	# and reopen) must not move its root there.
	got=$( (exec 9< "$T/fdreal"
		env LD_PRELOAD="$SHIM" BENEATH_RESOLVER="$BACKEND" BENEATH_ROOTS="$T/fdnamed=fd=9" \
			"$PY" -c 'import os, sys
fd = os.open(sys.argv[1], os.O_RDONLY | os.O_DIRECTORY)
os.dup2(fd, 9)
try:
    print(open(sys.argv[2]).read().strip())
except OSError as e:
    print("error", e.errno)' "$O" "$T/fdnamed/f") 2>&1)
	check "[$BACKEND] fd=9: dup2 of another directory onto fd 9 does not move the root (got: $got)" \
		sh -c '! printf "%s" "$1" | grep -q TOPSECRET' x "$got"
}

# Wildcard roots: one root per user; a user directory (or www) that is a
# symlink is refused.
probe_wildcard() {
	local x want got H=$T/home
	rm -rf "$H"
	mkdir -p "$H/alice/www/sub" "$H/bob/www" "$H/carol" "$H/dave"
	printf 'alice\n' > "$H/alice/www/index"
	printf 'BOBSECRET\n' > "$H/bob/www/secret"
	ln -s "$H/alice" "$H/mallory"                    # a user dir that is a symlink
	ln -s ../alice/www "$H/carol/www"                # www itself a symlink
	printf 'not a dir\n' > "$H/dave/www"
	ln -s "$H/bob/www/secret" "$H/alice/www/steal"   # into another user's root
	ln -s "$H/alice/www/index" "$H/alice/www/self"   # absolute, own root
	ln -s ../../bob/www/secret "$H/alice/www/rsteal"
	SHIMENV=(BENEATH_ROOTS="$H/*/www" BENEATH_LOG="$LOG")
	while read -r x want; do
		: > "$LOG"
		got=$(run "$PROBE_plain" open "$H/$x" 2>&1)
		check_eq "[$BACKEND] wildcard: open $x" "open $H/$x $want" "$got"
	done <<EOF
alice/www/index ok:alice_
alice/www/self ok:alice_
alice/www/steal EACCES
alice/www/rsteal EACCES
alice/www/sub/../../../bob/www/secret EACCES
bob/www/secret ok:BOBSECRET_
mallory/www/index EACCES
carol/www/index EACCES
nobody/www/index ENOENT
dave/www/index ENOTDIR
EOF
	: > "$LOG"
	{
		run "$PROBE_plain" follow "$H/mallory/www/index"
		run "$PROBE_plain" mutate "$H/carol/www"
	} > "$T/res" 2>&1
	expect_all "[$BACKEND] wildcard: a symlinked user directory refused" "$T/res" EACCES
	checklog "$T/res" "$LOG" plain "*" denied symlink EACCES denied
	check "[$BACKEND] wildcard: the symlinked user's root is logged as such" \
		grep -q "\"root\":\"$H/mallory/www\"" "$LOG"
	check "[$BACKEND] wildcard: nothing created through the symlinked www" test ! -e "$H/alice/www/n1"
	: > "$LOG"
	run "$PROBE_plain" follow "$H/alice/www/steal" > "$T/res" 2>&1
	expect_all "[$BACKEND] wildcard: alice's link into bob's root" "$T/res" EACCES
	checklog "$T/res" "$LOG" plain "$H/alice/www" denied escape EACCES denied
	{
		run "$PROBE_plain" rename "$H/alice/www/index" "$H/bob/www/index"
		run "$PROBE_plain" link "$H/alice/www/index" "$H/bob/www/index"
		run "$PROBE_plain" renameat2 "$H/alice/www/index" "$H/bob/www/secret" exchange
	} > "$T/res" 2>&1
	expect_all "[$BACKEND] wildcard: rename and link between two users' roots" "$T/res" EXDEV
	SHIMENV=()
}

# Several roots: cross-root calls are EXDEV, the longest prefix wins, a
# root's name is matched on component boundaries, escapes in the root
# spelling are understood.
probe_roots() {
	local got E="$T/we:ird=na,me\\x"
	mktree
	mkdir -p "$T/root2" "$R/data/ro"
	printf 'in-ro\n' > "$R/data/ro/f"
	SHIMENV=(BENEATH_ROOTS="$R:$T/root2:$R/data/ro=ro" BENEATH_LOG="$LOG")
	{
		run "$PROBE_plain" rename "$R/data/file" "$T/root2/x"
		run "$PROBE_plain" renameat "$T/root2" "$R/sub/root2"
		run "$PROBE_plain" link "$R/data/file" "$T/root2/x"
		run "$PROBE_plain" linkat "$R/in_abs" "$T/root2/x" follow
	} > "$T/res" 2>&1
	expect_all "[$BACKEND] roots: rename and link across roots" "$T/res" EXDEV
	got=$(run "$PROBE_plain" open "$R/data/ro/f" a 2>&1)
	check_eq "[$BACKEND] roots: the longest prefix (ro) wins" "open $R/data/ro/f a EROFS" "$got"
	got=$(run "$PROBE_plain" open "$R/work/f" a 2>&1)
	check_eq "[$BACKEND] roots: the shorter root is rw" "open $R/work/f a ok:wrote" "$got"
	SHIMENV=(BENEATH_ROOTS="$R" BENEATH_OUTSIDE=deny)
	got=$(run "$PROBE_plain" open "$T/rootx/f" 2>&1)
	check_eq "[$BACKEND] roots: rootx is not under root" "open $T/rootx/f EACCES" "$got"
	got=$(run "$PROBE_plain" open "//$R///data//./file" 2>&1)
	check_eq "[$BACKEND] roots: // and /./ collapse" "open //$R///data//./file ok:inside-data_" "$got"
	# A root whose name needs every escape.
	rm -rf "$E"
	mkdir -p "$E"
	printf 'weird\n' > "$E/f"
	ln -s "$O/f" "$E/abs"
	SHIMENV=(BENEATH_ROOTS="$T/we\\:ird\\=na\\,me\\\\x=ro,contain" BENEATH_LOG="$LOG")
	: > "$LOG"
	{
		run "$PROBE_plain" open "$E/f"
		run "$PROBE_plain" open "$E/f" a
		run "$PROBE_plain" open "$E/abs"
	} > "$T/res" 2>&1
	check_eq "[$BACKEND] roots: an escaped root name" \
		"open $E/f ok:weird_|open $E/f a EROFS|open $E/abs EACCES" "$(paste -sd'|' "$T/res")"
	check "[$BACKEND] roots: the log quotes the root name as JSON" \
		"$PY" -c 'import json,sys; r=[json.loads(l) for l in open(sys.argv[1])]; sys.exit(not (len(r)==2 and all(x["root"]==sys.argv[2] for x in r)))' "$LOG" "$E"
	# However BENEATH_ROOTS spells a root (through a symlinked parent, with
	# ".." in it), a path in the canonical spelling is under it.
	ln -sfn "$T" "$T/tlink"
	for x in "$T/tlink/root" "$T/out/../root" "$R/sub/.." "$R/sub/../"; do
		SHIMENV=(BENEATH_ROOTS="$x")
		got=$(run "$PROBE_plain" open "$R/abs" 2>&1)
		check_eq "[$BACKEND] roots: a root spelt $x confines $R/abs" "open $R/abs EACCES" "$got"
		got=$(run "$PROBE_plain" open "$x/abs" 2>&1)
		check_eq "[$BACKEND] roots: a root spelt $x confines $x/abs" "open $x/abs EACCES" "$got"
	done
	# A root configured through a symlink is the same directory under
	# either spelling: an absolute link to a path under the root (in its
	# canonical spelling) must be followed however the root was reached.
	ln -sfn "$R" "$T/rootlink"
	SHIMENV=(BENEATH_ROOTS="$T/rootlink" BENEATH_LOG="$LOG")
	{
		run "$PROBE_plain" open "$R/in_abs"
		run "$PROBE_plain" open "$T/rootlink/in_abs"
		run "$PROBE_plain" open "$T/rootlink/data/file"
	} > "$T/res" 2>&1
	check_eq "[$BACKEND] roots: a symlinked root spelling, contain" \
		"open $R/in_abs ok:inside-data_|open $T/rootlink/in_abs ok:inside-data_|open $T/rootlink/data/file ok:inside-data_" \
		"$(paste -sd'|' "$T/res")"
	: > "$LOG"
	{
		run "$PROBE_plain" open "$R/abs"
		run "$PROBE_plain" open "$T/rootlink/abs"
	} > "$T/res" 2>&1
	expect_all "[$BACKEND] roots: escapes under either spelling" "$T/res" EACCES
	SHIMENV=()
}

# stdio: the mode string reaches glibc whole.
probe_stdio() {
	local m
	mktree
	for m in "r,ccs=UTF-8" "w,ccs=UTF-8" "a+,ccs=UTF-8"; do
		"$PROBE_plain" fopen "$R/data/file" "$m"
	done > "$T/exp" 2>&1
	"$PROBE_plain" freopen "$R/data/file" "r,ccs=UTF-8" >> "$T/exp" 2>&1
	"$PROBE_plain" freopen "$R/data/file" "rbe" >> "$T/exp" 2>&1
	mktree
	SHIMENV=(BENEATH_ROOTS="$R")
	{
		for m in "r,ccs=UTF-8" "w,ccs=UTF-8" "a+,ccs=UTF-8"; do
			run "$PROBE_plain" fopen "$R/data/file" "$m"
		done
		run "$PROBE_plain" freopen "$R/data/file" "r,ccs=UTF-8"
		run "$PROBE_plain" freopen "$R/data/file" "rbe"
	} > "$T/res" 2>&1
	SHIMENV=()
	expect_same "[$BACKEND] stdio: fopen/freopen modes with ,ccs=" "$T/exp" "$T/res"
}

# An fd opened without O_CLOEXEC is inherited across exec: the shim must
# not add the flag (a daemon hands such fds to its children; a shell's
# "exec 3<file" must reach the commands it runs).
probe_cloexec() {
	local b p got
	mktree
	for b in $BUILDS; do
		eval "p=\$PROBE_$b"
		"$p" inherit "$R/data/file" > "$T/exp" 2>&1
		SHIMENV=(BENEATH_ROOTS="$R")
		run "$p" inherit "$R/data/file" > "$T/res" 2>&1
		SHIMENV=()
		expect_same "[$BACKEND] $b probe: close-on-exec only when asked for" "$T/exp" "$T/res"
	done
	# bash opens the file and, when open returns some other number, dup2s
	# it onto 3 (which clears FD_CLOEXEC): free fd 3 first so that open
	# itself returns 3.
	printf 'top\n' > "$R/top"
	got=$(env LD_PRELOAD="$SHIM" BENEATH_RESOLVER="$BACKEND" BENEATH_ROOTS="$R" \
		bash -c 'exec 3<&- 4<&- 5<&- 6<&- 7<&- 8<&- 9<&-; exec 3< "$1" && cat /proc/self/fd/3' \
		x "$R/top" 2>&1)
	check_eq "[$BACKEND] bash: exec 3<file inside the root reaches the next command" "top" "$got"
}

# BENEATH_LOG=stderr and fd:N
probe_log_targets() {
	local n
	mktree
	env LD_PRELOAD="$SHIM" BENEATH_RESOLVER="$BACKEND" BENEATH_ROOTS="$R" BENEATH_LOG=stderr \
		"$PROBE_plain" follow "$R/abs" > "$T/res" 2> "$T/stderr"
	check_eq "[$BACKEND] BENEATH_LOG=stderr: one line per denial" \
		"$(wc -l < "$T/res")" "$(wc -l < "$T/stderr")"
	checklog "$T/res" "$T/stderr" plain "$R" denied escape EACCES denied
	env LD_PRELOAD="$SHIM" BENEATH_RESOLVER="$BACKEND" BENEATH_ROOTS="$R" BENEATH_LOG=fd:7 \
		"$PROBE_plain" follow "$R/dl/f" > "$T/res" 2> "$T/stderr" 7> "$T/fd7"
	check_eq "[$BACKEND] BENEATH_LOG=fd:7: one line per denial" \
		"$(wc -l < "$T/res")" "$(wc -l < "$T/fd7")"
	check_eq "[$BACKEND] BENEATH_LOG=fd:7: nothing on stderr" "" "$(cat "$T/stderr")"
	checklog "$T/res" "$T/fd7" plain "$R" denied escape EACCES denied
	# Appending, not truncating: records of several processes add up.
	: > "$LOG"
	for n in 1 2 3; do
		env LD_PRELOAD="$SHIM" BENEATH_RESOLVER="$BACKEND" BENEATH_ROOTS="$R" BENEATH_LOG="$LOG" \
			"$PROBE_plain" open "$R/abs" > /dev/null 2>&1
	done
	check_eq "[$BACKEND] BENEATH_LOG=PATH appends" 3 "$(wc -l < "$LOG")"
	# A path that needs JSON escaping.
	mkdir -p "$R/q\"uo\\te"
	ln -s "$O/f" "$R/q\"uo\\te/l"
	: > "$LOG"
	env LD_PRELOAD="$SHIM" BENEATH_RESOLVER="$BACKEND" BENEATH_ROOTS="$R" BENEATH_LOG="$LOG" \
		"$PROBE_plain" open "$R/q\"uo\\te/l" > /dev/null 2>&1
	check "[$BACKEND] log: a path with quote and backslash is valid JSON and exact" \
		"$PY" -c 'import json,sys; r=json.loads(open(sys.argv[1]).read()); sys.exit(r["path"]!=sys.argv[2])' \
		"$LOG" "$R/q\"uo\\te/l"
	# A UTF-8 name (e with acute accent) must read back as the same text,
	# and a control byte must keep the record on one line.
	mkdir -p "$R/caf$(printf '\303\251')" "$R/tab$(printf '\t')x"
	ln -s "$O/f" "$R/caf$(printf '\303\251')/l"
	ln -s "$O/f" "$R/tab$(printf '\t')x/l"
	: > "$LOG"
	env LD_PRELOAD="$SHIM" BENEATH_RESOLVER="$BACKEND" BENEATH_ROOTS="$R" BENEATH_LOG="$LOG" \
		"$PROBE_plain" open "$R/tab$(printf '\t')x/l" > /dev/null 2>&1
	check "[$BACKEND] log: a path with a tab is one valid JSON line and exact" \
		"$PY" -c 'import json,sys; l=open(sys.argv[1],"rb").read().split(b"\n"); r=json.loads(l[0]); sys.exit(len(l)!=2 or r["path"]!=sys.argv[2])' \
		"$LOG" "$R/tab$(printf '\t')x/l"
	: > "$LOG"
	env LD_PRELOAD="$SHIM" BENEATH_RESOLVER="$BACKEND" BENEATH_ROOTS="$R" BENEATH_LOG="$LOG" \
		"$PROBE_plain" open "$R/caf$(printf '\303\251')/l" > /dev/null 2>&1
	check "[$BACKEND] log: a UTF-8 path reads back as the same text (got $(grep -o '"path":"[^"]*"' "$LOG"))" \
		"$PY" -c 'import json,sys; r=json.loads(open(sys.argv[1],"rb").read()); sys.exit(r["path"]!=sys.argv[2])' \
		"$LOG" "$R/caf$(printf '\303\251')/l"
}

# ------------------------------------------------------------------------
# coreutils and python3
# ------------------------------------------------------------------------
# One attack per line: each must fail under the shim, print no secret,
# leave the outside alone, and be logged by that very program.
COREUTILS_ATTACKS='cat $R/abs
cat $R/rel
cat $R/c1
cat $R/p
cat $R/dl/f
ls $R/dl/
ls -l $R/dlr/
stat -L $R/abs
stat $R/dl/f
cp $R/abs $T/stolen
cp $T/src $R/dl/new
cp $T/src $R/abs
cp -r $R/dl/ $T/stolen
mv $R/dl/f $R/dl/g
mv $T/src2 $R/dl/
mv $R/data/file $R/dl/
rm $R/dl/f
rm -r $R/dl/d
mkdir $R/dl/nd
mkdir -p $R/dl/pdir/sub
ln -s x $R/dl/lnk
ln -L $R/abs $R/hard
touch $R/abs
touch $R/dl/newf
chmod 777 $R/abs
chmod 777 $R/dl/f
truncate -s 0 $R/abs
truncate -s 0 $R/dl/f
dd if=$R/abs of=$T/ddout status=none
dd if=/dev/zero of=$R/abs bs=1 count=1 conv=notrunc status=none'

COREUTILS_LEGIT='cat $R/data/file
cat $R/in_abs
cat $R/in_rel
cat $O2/f
ls $R/data
ls $R/dli/
ls -d $R/abs
stat -c %n:%s:%a:%F $R/data/file $R/in_abs $R/abs $R/dl
stat -L -c %n:%s $R/in_abs
cp $R/data/file $R/sub/copy
cp $T/src $R/sub/from-outside
cp $R/data/file $O2/copied
cp -r $R/data $R/sub/datacopy
mv $R/sub/copy $R/sub/moved
rm $R/sub/moved
mkdir -p $R/sub/a/b/c
ln -s ../data/file $R/sub/lnk
ln $R/data/file $R/sub/hard
ln -L $R/in_abs $R/sub/hard2
touch $R/sub/touched
chmod 600 $R/data/file
truncate -s 5 $R/data/file
dd if=$R/in_abs of=$R/sub/dd status=none
ls -R $R/sub
cat $R/sub/lnk'

coreutils_attacks() {
	local cmd prog rc n=0 esc=0 secret changed
	mktree
	while IFS= read -r cmd; do
		[ -n "$cmd" ] || continue
		eval "set -- $cmd"
		prog=$1
		rm -rf "$T/stolen" "$T/ddout"
		[ -e "$T/src2" ] || printf 'source2\n' > "$T/src2"
		snap "$O" > "$T/before"
		: > "$LOG"
		run "$@" > "$T/res" 2> "$T/err"
		rc=$?
		snap "$O" > "$T/after"
		secret=no
		cat "$T/res" "$T/stolen" "$T/ddout" 2> /dev/null | grep -q TOPSECRET && secret=yes
		[ -d "$T/stolen" ] && grep -rq TOPSECRET "$T/stolen" && secret=yes
		changed=no
		cmp -s "$T/before" "$T/after" || changed=yes
		n=$((n + 1))
		if [ ${#SHIMENV[@]} -eq 0 ]; then
			if [ $rc = 0 ] || [ $secret = yes ] || [ $changed = yes ]; then
				esc=$((esc + 1))
			fi
			mktree
			continue
		fi
		check_eq "[$BACKEND] $cmd: fails" "fails" "$([ $rc != 0 ] && echo fails || echo "exit 0")"
		check_eq "[$BACKEND] $cmd: no secret read" no $secret
		check_eq "[$BACKEND] $cmd: nothing outside changed" no $changed
		check "[$BACKEND] $cmd: denial logged by $prog" \
			grep -q "\"exe\":\"[^\"]*/$prog\".*\"verdict\":\"denied\",\"reason\":\"escape\",\"errno\":\"EACCES\"" "$LOG"
		if [ $changed = yes ]; then
			diff "$T/before" "$T/after" | grep '^>' | head -n 5 | sed 's/^/    /'
		fi
		mktree
	done <<< "$(eval "printf '%s\n' \"$COREUTILS_ATTACKS\"")"
	if [ ${#SHIMENV[@]} -eq 0 ]; then
		echo "without the shim: $esc of $n coreutils attacks escaped"
		check "without the shim the coreutils attacks work" test "$esc" -gt 0
	fi
}

coreutils_legit() {
	local cmd
	mktree
	while IFS= read -r cmd; do
		[ -n "$cmd" ] || continue
		eval "set -- $cmd"
		run "$@" 2>&1
		echo "exit $?"
	done <<< "$(eval "printf '%s\n' \"$COREUTILS_LEGIT\"")"
	snap_notime "$R"
	snap_notime "$O2"
}

cat > "$T/py-attack.py" <<'EOF'
import errno, os, sys
R, T = sys.argv[1], sys.argv[2]
def t(name, fn, path, *rest):
    try:
        r = fn(path, *rest)
        print(name, path, "ok" + (":" + r.strip().replace(" ", "_") if isinstance(r, str) else ""))
    except OSError as e:
        print(name, path, errno.errorcode.get(e.errno, str(e.errno)))
def wr(p):
    with open(p, "a") as f:
        f.write("x")
def st(p):
    s = os.stat(p)
    return "%o:%d" % (s.st_mode, s.st_size)
for p in (R + "/abs", R + "/rel", R + "/c1", R + "/p", R + "/dl/f", R + "/../out/f"):
    t("open", lambda p: open(p).read(), p)
    t("open-a", wr, p)
    t("os.stat", st, p)
for p in (R + "/dl", R + "/dlr/d", R + "/sub/../../out"):
    t("os.listdir", lambda p: ",".join(sorted(os.listdir(p))), p)
t("os.rename", os.rename, R + "/dl/f", R + "/dl/g")
t("os.rename", os.rename, R + "/data/file", R + "/dl/stolen")
t("os.unlink", os.unlink, R + "/dl/l")
t("os.unlink", os.unlink, R + "/dlr/f")
t("os.mkdir", os.mkdir, R + "/dl/newdir")
t("os.symlink", lambda p: os.symlink("x", p), R + "/dl/newlink")
EOF

cat > "$T/py-legit.py" <<'EOF'
import errno, os, sys
R, T = sys.argv[1], sys.argv[2]
def t(name, fn, path, *rest):
    try:
        r = fn(path, *rest)
        print(name, path, "ok" + (":" + r.strip().replace(" ", "_") if isinstance(r, str) else ""))
    except OSError as e:
        print(name, path, errno.errorcode.get(e.errno, str(e.errno)))
def st(p):
    s = os.stat(p)
    return "%o:%d:%d" % (s.st_mode, s.st_size, s.st_nlink)
for p in (R + "/data/file", R + "/in_abs", R + "/in_rel", R + "/dli/file", T + "/out2/f", R + "/nonexistent"):
    t("open", lambda p: open(p).read(), p)
    t("os.stat", st, p)
for p in (R + "/data", R + "/dli", R, T + "/out2"):
    t("os.listdir", lambda p: ",".join(sorted(os.listdir(p))), p)
t("os.mkdir", os.mkdir, R + "/sub/newdir")
t("os.symlink", lambda p: os.symlink(T + "/out/f", p), R + "/sub/sym")
t("open-w", lambda p: open(p, "w").write("new") and None, R + "/sub/newdir/f")
t("os.rename", os.rename, R + "/sub/newdir/f", R + "/sub/renamed")
t("os.rename", os.rename, T + "/src", R + "/sub/from-outside")
t("os.rename", os.rename, R + "/sub/from-outside", T + "/out2/back-outside")
t("os.unlink", os.unlink, R + "/sub/renamed")
t("os.unlink", os.unlink, R + "/dl")
t("os.mkdir", os.mkdir, T + "/out2/made")
t("os.listdir", lambda p: ",".join(sorted(os.listdir(p))), R + "/sub")
EOF

python_checks() {
	local n s
	mktree
	snap "$O" > "$T/before"
	SHIMENV=()
	"$PY" "$T/py-attack.py" "$R" "$T" > "$T/base-py" 2>&1
	n=$(awk '$NF ~ /^ok/' "$T/base-py" | wc -l)
	s=$(grep -c TOPSECRET "$T/base-py")
	echo "without the shim: $n of $(wc -l < "$T/base-py") python3 escapes succeeded, $s read the secret"
	check "without the shim the python3 escapes work" test "$n" -gt 0 -a "$s" -gt 0
	mktree
	snap "$O" > "$T/before"
	SHIMENV=(BENEATH_ROOTS="$R" BENEATH_LOG="$LOG")
	run "$PY" "$T/py-attack.py" "$R" "$T" > "$T/res" 2>&1
	SHIMENV=()
	snap "$O" > "$T/after"
	expect_all "[$BACKEND] python3: escapes denied" "$T/res" EACCES
	expect_same_tree "[$BACKEND] python3: nothing outside changed" "$T/before" "$T/after"
	check_eq "[$BACKEND] python3: one log line per denial" "$(wc -l < "$T/res")" "$(wc -l < "$LOG")"
	check "[$BACKEND] python3: log records valid, from python" "$PY" -c '
import json, sys
for l in open(sys.argv[1]):
    r = json.loads(l)
    assert r["verdict"] == "denied" and r["reason"] == "escape" and r["errno"] == "EACCES", r
    assert r["root"] == sys.argv[2] and "python" in r["exe"].rsplit("/", 1)[-1], r
    assert r["call"] in ("open", "open64", "stat", "stat64", "fstatat", "fstatat64", "statx",
                         "opendir", "rename", "renameat", "unlink", "unlinkat", "mkdir",
                         "mkdirat", "symlink", "symlinkat", "__xstat", "__xstat64"), r
' "$LOG" "$R"
	# BENEATH_ERRNO reaches python as the exception it raises.
	mktree
	SHIMENV=(BENEATH_ROOTS="$R" BENEATH_ERRNO=ENOENT)
	run "$PY" "$T/py-attack.py" "$R" "$T" > "$T/res" 2>&1
	SHIMENV=()
	expect_all "[$BACKEND] python3: BENEATH_ERRNO=ENOENT" "$T/res" ENOENT
	# Legitimate work.
	mktree
	"$PY" "$T/py-legit.py" "$R" "$T" > "$T/exp" 2>&1
	snap_notime "$R" >> "$T/exp"
	snap_notime "$O2" >> "$T/exp"
	mktree
	SHIMENV=(BENEATH_ROOTS="$R" BENEATH_LOG="$LOG")
	run "$PY" "$T/py-legit.py" "$R" "$T" > "$T/res" 2>&1
	SHIMENV=()
	snap_notime "$R" >> "$T/res"
	snap_notime "$O2" >> "$T/res"
	expect_same "[$BACKEND] python3: legitimate work unchanged" "$T/exp" "$T/res"
	check_eq "[$BACKEND] python3: legitimate work logs nothing" "" "$(head -c 300 "$LOG")"
}

# ------------------------------------------------------------------------
# Main
# ------------------------------------------------------------------------
start=$(date +%s)
check_nm
invalid_configs
baselines
SHIMENV=()
coreutils_attacks
coreutils_legit > "$T/base-coreutils" 2>&1

for BACKEND in openat2 walker; do
	# A kernel without openat2 cannot run the forced openat2 backend.
	mktree
	got=$(env LD_PRELOAD="$SHIM" BENEATH_RESOLVER="$BACKEND" BENEATH_ROOTS="$R" \
		"$PROBE_plain" open "$R/data/file" 2>&1)
	if [ "$got" = "open $R/data/file ENOSYS" ]; then
		skip "backend $BACKEND: not supported by this kernel"
		continue
	fi
	echo "=== backend $BACKEND"
	probe_escapes "" EACCES
	probe_escapes ENOENT ENOENT
	probe_legit
	probe_audit
	probe_outside_deny
	probe_ro
	probe_modes
	probe_sameowner
	probe_fd
	probe_wildcard
	probe_roots
	probe_stdio
	probe_cloexec
	probe_log_targets
	SHIMENV=(BENEATH_ROOTS="$R" BENEATH_LOG="$LOG")
	coreutils_attacks
	SHIMENV=(BENEATH_ROOTS="$R" BENEATH_LOG="$LOG")
	coreutils_legit > "$T/coreutils" 2>&1
	SHIMENV=()
	expect_same "[$BACKEND] coreutils: legitimate work unchanged" "$T/base-coreutils" "$T/coreutils"
	check_eq "[$BACKEND] coreutils: legitimate work logs nothing" "" "$(head -c 300 "$LOG")"
	python_checks
done

echo "test-shim: $(( $(date +%s) - start ))s${skipped:+, skipped:$skipped}"
echo "test-shim: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
