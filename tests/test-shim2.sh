#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
#
# libbeneath-preload.so, part 2 core, end to end under both resolver
# backends: the working directory (chdir, fchdir, a process started inside
# a root, a working directory moved out of its root), directory fds and
# every *at call (opened with O_DIRECTORY, O_PATH, opendir, fdopendir;
# after dup, dup2, dup3, F_DUPFD, F_DUPFD_CLOEXEC; after close and reuse
# of the number; moved out of the root; an fd on an ancestor of the root),
# the shim's own fds (closed, close_range'd, closefrom'd, dup2'd over,
# reached through /proc/self/fd, close-on-exec), AF_UNIX bind/connect,
# raw syscall() and the path queries (realpath, canonicalize_file_name,
# pathconf, chroot, acct, inotify_add_watch).
#
# Every attack runs first without the shim on a fresh tree: its escapes
# are counted and printed, and must be > 0. Under the shim, every attack
# step must fail with EACCES, nothing outside the root may change, and
# each denial must be one JSON line in BENEATH_LOG with the libc name the
# build calls. Every legitimate script must print exactly what it prints
# without the shim, leave the same tree, and log nothing.
#
# The calls go through tests/shim-probe2 (built plain, fortified, and
# fortified with 64-bit off_t), and python3 for the socket case.
#
# Every failed assertion prints "FAIL:"; the last line is
# "test-shim2: N passed, M failed", and the exit status is 1 if M > 0.
here=$(cd "$(dirname "$0")" && pwd)
. "$here/testlib.sh"

use_probes shim-probe2
need_built -s test-shim2 "$SHIM" "$PROBE_plain" "$PROBE_fortify" "$PROBE_fortify64"
shim_absolute
BACKENDS="openat2 walker"

make_tmpdir test-shim2

need_python3 -s test-shim2 "it parses the JSON log and is one of the programs tested"

# ------------------------------------------------------------------------
# The tree
# ------------------------------------------------------------------------
X=$T/x          # everything the probe may touch
R=$X/root       # the root
O=$X/out        # outside: the attacker's target
O2=$X/out2      # outside: legitimately used by the program
SECRET=$X/secret
LOG=$T/log.json

mktree() {
	rm -rf "$X"
	mkdir -p "$R/sub/sub2" "$R/sub/d" "$R/work/d" "$R/data" "$R/a/b" "$O/d" "$O2/d" "$O2/data"
	printf 'TOPSECRET-x\n' > "$SECRET"
	printf 'TOPSECRET-outside\n' > "$O/f"
	ln -s f "$O/l"
	printf 'outside-ok\n' > "$O2/f"
	ln -s f "$O2/l"
	printf 'WRONG-redirected\n' > "$O2/data/file"
	printf 'inside-file\n' > "$R/inside-file"
	printf 'inside-data\n' > "$R/data/file"
	printf 'sub-f\n' > "$R/sub/f"
	ln -s f "$R/sub/l"
	printf 'work-f\n' > "$R/work/f"
	ln -s f "$R/work/l"
	printf 'ab-file\n' > "$R/a/b/file"
	# Escapes.
	ln -s "$O/f" "$R/sub/sub2/link-out"    # a file link to outside
	ln -s "$O" "$R/sub/link-out"           # a directory link to outside
	ln -s "$O" "$R/dl"
	ln -s "$O/f" "$R/abs"
	rm -f "$T/srv.sock"                    # an outside listener (not in X:
	ln -s "$T/srv.sock" "$R/sl.sock"       # a legitimate program made it)
	ln -s "$T" "$R/tl"
	ln -s "$T" "$R/sub/tl"
	# Legitimate links.
	ln -s "$R/data/file" "$R/in_abs"
	ln -s data/file "$R/in_rel"
	: > "$LOG"
}

# The outside (all of X but the root), with times: any change shows.
snap_out() {
	(cd "$X" && find . -path ./root -prune -o -printf '%p %y %s %m %u %g %l %T@ %C@\n' | sort &&
		find . -path ./root -prune -o -type f -exec md5sum {} + | sort)
}
# The root and out2, without times: what legitimate work leaves.
snap_legit() {
	(cd "$X" && find root out2 -printf '%p %y %s %m %u %g %l\n' | sort &&
		find root out2 -type f -exec md5sum {} + | sort)
}

# run COMMAND...: without the shim when SHIMENV is empty, else under it.
SHIMENV=()
BACKEND=
run() {
	if [ ${#SHIMENV[@]} -gt 0 ]; then
		env LD_PRELOAD="$SHIM" BENEATH_RESOLVER="$BACKEND" "${SHIMENV[@]}" "$@"
	else
		"$@"
	fi
}
shim_on() { SHIMENV=(BENEATH_ROOTS="$R" BENEATH_LOG="$LOG" "$@"); }
shim_off() { SHIMENV=(); }

# ------------------------------------------------------------------------
# The JSON log checker
# ------------------------------------------------------------------------
# checklog.py OUT LOG BUILD ROOT: every line of OUT (probe output) ending
# in EACCES must match one log record with the
# libc name that build calls and the path as given (or the absolute path
# it was joined to); a procshim line with denied=N must match N records.
# Every record must be valid JSON with all fields, ROOT, verdict denied,
# reason escape, errno EACCES, and match some denied call. Prints
# "checklog: P F" last.
cat > "$T/checklog.py" <<'EOF'
import json, re, sys
out, log, build, root = sys.argv[1:5]
passed = failed = 0
def err(msg):
    global failed
    failed += 1
    print("FAIL: log: " + msg)
# Which argument holds a path, per op (default: the first).
PATHARGS = {"symlinkat": [2], "linkat": [1, 3], "renameat": [1, 3], "renameat2": [1, 3],
            "sys_renameat2": [0, 1], "sys_openat2": [1], "procfd": [1]}
for op in ("dopen", "fdopen", "opendir", "fdopendir", "listen", "openat", "fstatat",
           "faccessat", "statx", "readlinkat", "unlinkat", "mkdirat", "mknodat", "mkfifoat",
           "fchmodat", "fchownat", "utimensat", "futimesat", "name_to_handle_at", "scandirat"):
    PATHARGS[op] = [1]
def flags_of(op, args):
    i = {"open": 1, "procfd": 2, "openat": 2}.get(op)
    return args[i] if i is not None and len(args) > i else ""
def calls_of(op, args):
    """The names the shim may log for this line."""
    f64 = build == "fortify64"
    fort = build != "plain"
    if op.startswith("sys_"):
        # syscall(SYS_x) may be logged as syscall, x, SYS_x, or the libc
        # function over that system call (faccessat over faccessat2).
        return {"syscall", op[4:], "SYS_" + op[4:], op[4:].rstrip("2")}
    if op in ("open", "procfd", "dopen", "fdopen"):
        creat = "c" in flags_of(op, args)
        if not fort:
            return {"open"}
        if creat:
            return {"open64" if f64 else "open"}
        return {"__open64_2" if f64 else "__open_2"}
    if op in ("fdopendir", "procshim"):      # constant flags: never fortified
        return {"open64" if f64 else "open"}
    if op == "openat":
        creat = "c" in flags_of(op, args)
        if not fort:
            return {"openat"}
        if creat:
            return {"openat64" if f64 else "openat"}
        return {"__openat64_2" if f64 else "__openat_2"}
    if op in ("stat", "fstatat", "scandirat") and f64:
        return {op + "64"}
    if op == "readlinkat" and fort:
        return {"__readlinkat_chk"}
    if op == "realpath" and fort:
        return {"__realpath_chk"}
    if op == "realpath_null":
        return {"realpath"}
    if op in ("echo", "listen"):
        return {"bind"}
    return {op}
def path_ok(rec_path, p):
    if rec_path == p:
        return True
    suffix = p if p.startswith("/") else "/" + p
    return rec_path.startswith("/") and rec_path.endswith(suffix)
want = []
for line in open(out):
    f = line.split()
    if len(f) < 2:
        continue
    op, args, res = f[0], f[1:-1], f[-1]
    if op == "procshim":
        m = re.search(r"denied=(\d+)", res)
        for _ in range(int(m.group(1)) if m else 0):
            want.append((calls_of(op, args), [args[0]], line.strip()))
        continue
    if res != "EACCES":
        continue
    paths = [args[i] for i in PATHARGS.get(op, [0]) if i < len(args)]
    want.append((calls_of(op, args), paths, line.strip()))
recs = []
tre = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$")
for n, raw in enumerate(open(log, "rb").read().split(b"\n")[:-1], 1):
    try:
        r = json.loads(raw.decode("utf-8", "replace"))
    except ValueError as e:
        err("line %d is not JSON (%s): %r" % (n, e, raw[:200]))
        continue
    keys = ["time", "pid", "exe", "call", "path", "root", "verdict", "reason", "errno"]
    if list(r.keys()) != keys:
        err("line %d has fields %s, not %s" % (n, list(r.keys()), keys))
        continue
    good = True
    if not (isinstance(r["time"], str) and tre.match(r["time"])):
        good = False; err("line %d: bad time %r" % (n, r["time"]))
    if not (isinstance(r["pid"], int) and r["pid"] > 0):
        good = False; err("line %d: bad pid %r" % (n, r["pid"]))
    for k, v in (("root", root), ("verdict", "denied"), ("reason", "escape"), ("errno", "EACCES")):
        if v != "*" and r[k] != v:
            good = False
            err("line %d: %s is %r, expected %r: %s" % (n, k, r[k], v, raw.decode("utf-8", "replace")))
    passed += good
    recs.append(r)
used = [False] * len(recs)
for calls, paths, line in want:
    for i, r in enumerate(recs):
        if not used[i] and r["call"] in calls and any(path_ok(r["path"], p) for p in paths):
            used[i] = True
            passed += 1
            break
    else:
        near = [(r["call"], r["path"]) for i, r in enumerate(recs) if not used[i]][:3]
        err("no record with call %s for: %s (unmatched records: %s)" % ("|".join(sorted(calls)), line, near))
for i, r in enumerate(recs):
    if not used[i]:
        err("record matches no denied call: call %r path %r" % (r["call"], r["path"]))
print("checklog: %d %d" % (passed, failed))
EOF

checklog() {
	local res
	res=$("$PY" "$T/checklog.py" "$@" 2>&1)
	printf '%s\n' "$res" | grep -v '^checklog: ' | head -n 30
	set -- $(printf '%s\n' "$res" | sed -n 's/^checklog: //p')
	if [ $# -ne 2 ]; then
		bad "log checker did not run: $res"
		return
	fi
	pass=$((pass + $1))
	fail=$((fail + $2))
}

# ------------------------------------------------------------------------
# Running probe scripts
# ------------------------------------------------------------------------
# Steps that set up state: under the shim they must succeed (print "ok"),
# and they are not attack steps.
SETUP_OPS=" dopen fdopen opendir fdopendir dup dup2 dup3 dupfd dupfd_cloexec close dup2over"
SETUP_OPS="$SETUP_OPS reuse fchdir chdir wait getcwd shimfds listen samefile cwdino mark cloexec"
SETUP_OPS="$SETUP_OPS closeall close_range closefrom dup2shim dup3shim execcheck fdlist "

# The attack lines of probe output FILE (up to "mark info"); ALLLINES=1:
# every line is one.
attack_lines() {
	awk -v setup="$SETUP_OPS" -v all="${ALLLINES:-0}" '
		$1 == "mark" && $2 == "info" { exit }
		all == 1 || index(setup, " " $1 " ") == 0 { print }' "$1"
}
setup_lines() {
	[ "${ALLLINES:-0}" = 1 ] && return
	awk -v setup="$SETUP_OPS" '
		$1 == "mark" && $2 == "info" { exit }
		index(setup, " " $1 " ") > 0 { print }' "$1"
}
info_lines() {
	awk 'f { print } $1 == "mark" && $2 == "info" { f = 1 }' "$1"
}

# Join a probe script given as words with ";" separators: the arguments
# of the probe. Scripts are written as one string with " ; " between steps
# and no other quoting (paths here have no spaces).
probe_args() {
	printf '%s\n' "$1" | sed 's/ ; /\n;\n/g' | tr ' ' '\n' | grep -v '^$'
}

# probe BUILD SCRIPT: run the probe (under SHIMENV) with SCRIPT.
probe() {
	local p
	eval "p=\$PROBE_$1"
	local -a args
	mapfile -t args < <(probe_args "$2")
	run "$p" "${args[@]}"
}

# attack DESC SCRIPT: without the shim on a fresh tree (the escapes are
# counted: steps that succeeded, secrets read, outside entries changed;
# > 0 required), then under the shim with each backend.
attack() {
	local desc=$1 script=$2 b n m s changed
	for b in $BUILDS; do
		mktree
		shim_off
		snap_out > "$T/before"
		probe "$b" "$script" > "$T/base" 2>&1
		snap_out > "$T/after"
		attack_lines "$T/base" > "$T/base-att"
		m=$(wc -l < "$T/base-att")
		n=$(awk '$NF ~ /^ok/' "$T/base-att" | wc -l)
		s=$(grep -c TOPSECRET "$T/base-att")
		changed=$(diff "$T/before" "$T/after" | grep -c '^>')
		if [ "$b" = plain ]; then
			echo "without the shim: $desc: $n of $m attack steps succeeded, $s read a secret," \
				"$changed entries outside changed"
		fi
		check "without the shim the attack works ($b): $desc" test "$((n + s + changed))" -gt 0
		for BACKEND in $ACTIVE_BACKENDS; do
			mktree
			shim_on
			snap_out > "$T/before"
			probe "$b" "$script" > "$T/res" 2>&1
			shim_off
			snap_out > "$T/after"
			judge_attack "[$BACKEND] $b: $desc" "$T/res" "$b"
			if cmp -s "$T/before" "$T/after"; then
				ok
			else
				bad "[$BACKEND] $b: $desc: something outside changed:"
				diff "$T/before" "$T/after" | grep '^[<>]' | head -n 10 | sed 's/^/    /'
			fi
		done
	done
}

# judge_attack DESC FILE BUILD: setup steps ok, attack steps EACCES, one
# log record per denial.
judge_attack() {
	local desc=$1 f=$2 b=$3 n nb
	setup_lines "$f" > "$T/j-setup"
	attack_lines "$f" > "$T/j-att"
	nb=$(awk '$NF !~ /^ok/' "$T/j-setup" | wc -l)
	n=$(wc -l < "$T/j-setup")
	pass=$((pass + n - nb))
	if [ "$nb" -gt 0 ]; then
		fail=$((fail + nb))
		echo "FAIL: $desc: $nb setup steps failed:"
		awk '$NF !~ /^ok/' "$T/j-setup" | head -n 10 | sed 's/^/    /'
	fi
	n=$(wc -l < "$T/j-att")
	if [ "$n" -eq 0 ]; then
		bad "$desc: the probe printed no attack step"
		sed 's/^/    /' "$f" | head -n 10
		return
	fi
	nb=$(awk '$1 != "procshim" && $NF != "EACCES"' "$T/j-att" | wc -l)
	pass=$((pass + n - nb))
	if [ "$nb" -gt 0 ]; then
		fail=$((fail + nb))
		echo "FAIL: $desc: $nb of $n attack steps were not denied with EACCES:"
		awk '$1 != "procshim" && $NF != "EACCES"' "$T/j-att" | head -n 40 | sed 's/^/    /'
	fi
	checklog "$f" "$LOG" "$b" "$R"
}

# legit DESC SCRIPT: the same output and tree as without the shim, and
# nothing logged. LEGIT_NOTREE=1: the output only (the kernel writes
# into an accounting file whatever the shim does).
legit() {
	local desc=$1 script=$2 b n nd
	for b in $BUILDS; do
		mktree
		shim_off
		probe "$b" "$script" > "$T/exp" 2>&1
		[ "${LEGIT_NOTREE:-0}" = 1 ] || snap_legit >> "$T/exp"
		for BACKEND in $ACTIVE_BACKENDS; do
			mktree
			shim_on
			probe "$b" "$script" > "$T/res" 2>&1
			shim_off
			[ "${LEGIT_NOTREE:-0}" = 1 ] || snap_legit >> "$T/res"
			expect_same "[$BACKEND] $b: $desc" "$T/exp" "$T/res"
			check_eq "[$BACKEND] $b: $desc: logs nothing" "" "$(head -c 300 "$LOG")"
		done
	done
}

# line_of FILE OP ARG1: the result (last field) of the first line that
# starts with "OP ARG1".
result_of() {
	awk -v op="$2" -v a="${3:-}" '$1 == op && (a == "" || $2 == a) { print $NF; exit }' "$1"
}

# ------------------------------------------------------------------------
# 1. The working directory
# ------------------------------------------------------------------------
# The probe stops at "wait"; MOVE (a shell command) runs then, and the
# probe goes on. Output in FILE.
run_moved() {
	local b=$1 script=$2 move=$3 out=$4 line p in wr pid
	eval "p=\$PROBE_$b"
	local -a args
	mapfile -t args < <(probe_args "$script")
	coproc PRB { run "$p" "${args[@]}" 2>&1; }
	# bash forgets PRB once the coprocess exits: keep what we need now.
	pid=$PRB_PID
	exec {in}<&"${PRB[0]}" {wr}>&"${PRB[1]}"
	: > "$out"
	while IFS= read -r line <&"$in"; do
		printf '%s\n' "$line" >> "$out"
		[ "$line" = "wait ok" ] && break
	done
	eval "$move"
	# In a subshell: if the probe died early, SIGPIPE ends only that.
	(echo go >&"$wr") 2> /dev/null
	cat <&"$in" >> "$out"
	exec {in}<&- {wr}>&-
	wait "$pid" 2> /dev/null
}

# moved DESC SCRIPT: SCRIPT enters $R/a/b (chdir, fchdir or a dirfd),
# waits while $R/a is moved to $O/a, then opens "../../f" and so on:
# from the new place that is $O/f. Lines after "mark info" are reported,
# not judged.
moved() {
	local desc=$1 script=$2 b n s
	for b in $BUILDS; do
		mktree
		shim_off
		run_moved "$b" "$script" 'mv "$R/a" "$O/a"; snap_out > "$T/before"' "$T/base"
		attack_lines "$T/base" > "$T/base-att"
		n=$(awk '$NF ~ /^ok/' "$T/base-att" | wc -l)
		s=$(grep -c TOPSECRET "$T/base-att")
		[ "$b" = plain ] && echo "without the shim: $desc: $n of $(wc -l < "$T/base-att")" \
			"steps after the move succeeded, $s read a secret"
		check "without the shim the moved-directory attack works ($b): $desc" test "$s" -gt 0
		for BACKEND in $ACTIVE_BACKENDS; do
			mktree
			shim_on
			run_moved "$b" "$script" 'mv "$R/a" "$O/a"; snap_out > "$T/before"' "$T/res"
			shim_off
			snap_out > "$T/after"
			judge_attack "[$BACKEND] $b: $desc" "$T/res" "$b"
			expect_same "[$BACKEND] $b: $desc: nothing outside changed after the move" \
				"$T/before" "$T/after"
			if [ "$b" = plain ]; then
				info_lines "$T/res" | sed "s|^|    [$BACKEND] info, after the move: |"
			fi
			check "[$BACKEND] $b: $desc: never a secret" sh -c '! grep -q TOPSECRET "$1"' x "$T/res"
		done
	done
}

section_cwd() {
	local b got
	echo "=== 1. the working directory"
	attack "chdir into the root, then relative escapes" \
		"chdir $R/sub ; open ../../secret ; open sub2/link-out ; open link-out/f ; open ../abs ; stat ../../secret ; mkdir link-out/made ; open ../../secret-new wc"
	legit "chdir into the root, then relative paths that stay inside" \
		"chdir $R/sub ; open ../inside-file ; open f ; open l ; open ../in_abs ; open ./sub2/../f ; stat ../data ; getcwd ; mkdir newdir ; open newdir/n wc ; chdir .. ; getcwd ; open inside-file ; chdir $O2 ; open f ; open ../root/data/file ; getcwd"
	ALLLINES=1 attack "chdir into a directory link to outside" "chdir $R/dl"
	ALLLINES=1 attack "chdir through a link then .." "chdir $R/sub/link-out/d"
	for BACKEND in $ACTIVE_BACKENDS; do
		mktree
		shim_on
		probe plain "chdir $R/sub ; chdir $R/dl ; cwdino $R/sub ; open ../inside-file" > "$T/res" 2>&1
		shim_off
		check_eq "[$BACKEND] a refused chdir leaves the working directory where it was" \
			"chdir $R/sub ok|chdir $R/dl EACCES|cwdino $R/sub ok:same|open ../inside-file ok:inside-file_" \
			"$(paste -sd'|' "$T/res")"
	done
	legit "getcwd reports the host path" "chdir $R/sub/sub2 ; getcwd ; chdir $R/sub/d ; getcwd"
	attack "fchdir into a directory fd under the root" \
		"dopen s $R/sub ; fchdir s ; open ../../secret ; open sub2/link-out ; open link-out/f ; stat ../abs"
	attack "fchdir into an O_PATH directory fd" \
		"dopen s $R/sub p ; fchdir s ; open ../../secret ; open sub2/link-out"
	legit "fchdir, then relative paths inside" \
		"dopen s $R/sub ; fchdir s ; open ../inside-file ; open f ; getcwd ; dopen o $O2 ; fchdir o ; open f ; open ../secret ; getcwd"
	# A process that starts with its working directory inside the root.
	for b in $BUILDS; do
		mktree
		shim_off
		(cd "$R/sub" && probe "$b" "open ../../secret ; open sub2/link-out ; open link-out/f") > "$T/base" 2>&1
		check "without the shim, started in the root ($b): escapes work" grep -q TOPSECRET "$T/base"
		(cd "$R/sub" && probe "$b" "open ../inside-file ; open f ; getcwd") > "$T/exp" 2>&1
		for BACKEND in $ACTIVE_BACKENDS; do
			mktree
			shim_on
			(cd "$R/sub" && probe "$b" "open ../../secret ; open sub2/link-out ; open link-out/f") > "$T/res" 2>&1
			shim_off
			judge_attack "[$BACKEND] $b: started with the working directory in the root" "$T/res" "$b"
			shim_on
			(cd "$R/sub" && probe "$b" "open ../inside-file ; open f ; getcwd") > "$T/res" 2>&1
			shim_off
			expect_same "[$BACKEND] $b: started in the root, legitimate relative paths" "$T/exp" "$T/res"
		done
	done
	# The working directory moved out of the root while the program is
	# in it: ".." from there is outside.
	moved "chdir into \$R/a/b, \$R/a moved out" \
		"chdir $R/a/b ; wait ; open ../../f ; open ../../../secret ; stat ../../f ; mark info ; open file ; open ./file ; getcwd"
	moved "fchdir into \$R/a/b, \$R/a moved out" \
		"dopen v $R/a/b ; fchdir v ; wait ; open ../../f ; open ../../../secret ; mark info ; open file ; getcwd"
	moved "a dirfd on \$R/a/b, \$R/a moved out, then fchdir" \
		"dopen v $R/a/b ; wait ; openat v ../../f ; mark info ; fchdir v ; open ../../f ; open ../../../secret ; open file"
	# getcwd after the move is what the kernel says: the new host path.
	for BACKEND in $ACTIVE_BACKENDS; do
		mktree
		shim_on
		run_moved plain "chdir $R/a/b ; wait ; getcwd" 'mv "$R/a" "$O/a"' "$T/res"
		shim_off
		check_eq "[$BACKEND] getcwd after the move reports the host path" "ok:$O/a/b" \
			"$(result_of "$T/res" getcwd)"
	done
	# A shell's cd (bash calls chdir).
	for BACKEND in $ACTIVE_BACKENDS; do
		mktree
		shim_on
		got=$(run bash -c 'cd "$1" 2>/dev/null && echo entered || echo refused' x "$R/dl")
		check_eq "[$BACKEND] bash: cd \$R/dl refused" refused "$got"
		got=$(run bash -c 'cd "$1" && cat ../../secret 2>/dev/null || echo refused' x "$R/sub")
		check_eq "[$BACKEND] bash: cd \$R/sub; cat ../../secret refused" refused "$got"
		got=$(run bash -c 'cd "$1" && cat ../inside-file' x "$R/sub")
		check_eq "[$BACKEND] bash: cd \$R/sub; cat ../inside-file" inside-file "$got"
		shim_off
	done
}

# ------------------------------------------------------------------------
# 2. Directory fds and the *at calls
# ------------------------------------------------------------------------
# The attack steps through variable V, a directory fd on $R/sub.
at_attacks() {
	local v=$1
	printf '%s' "atall $v ../../out ; atall $v link-out ; atread $v ../../secret ; openat $v sub2/link-out ; atlread $v ../../out/l ; atlread $v link-out/l ; linkat $v ../sub/f $v link-out/hx ; linkat $v link-out/f $v ../sub/stolen ; renameat $v link-out/f $v ../sub/stolen2 ; renameat2 $v ../sub/f $v link-out/f exchange ; symlinkat x $v link-out/sx ; unlinkat $v link-out/l ; unlinkat $v ../../secret ; mkdirat $v ../../newdir ; openat $v ../../secret-new wc"
}
# The legitimate steps through V.
at_legit() {
	local v=$1
	printf '%s' "atall $v ../work ; atread $v ../sub/f ; atread $v f ; atlread $v l ; atlread $v link-out ; atlread $v sub2/link-out ; atdir $v d ; atdir $v . ; atdir $v .. ; atread $v ../in_abs ; atread $v ../in_rel ; fstatat $v EMPTY ; statx $v EMPTY ; fchownat $v EMPTY ; name_to_handle_at $v EMPTY ; linkat $v f $v ../work/hard ; renameat $v ../work/hard $v ../data/moved ; unlinkat $v ../data/moved"
}

section_dirfd() {
	local setup
	echo "=== 2. directory fds and the *at calls"
	# The ways of getting a directory fd on $R/sub into variable s: opened,
	# or duplicated (the duplicate is used alone, after closing s0).
	while IFS= read -r setup; do
		attack "fd from [$setup]: escapes" "$setup ; $(at_attacks s)"
		legit "fd from [$setup]: legitimate *at calls" "$setup ; $(at_legit s)"
	done <<EOF
dopen s $R/sub
dopen s $R/sub p
opendir s $R/sub
fdopendir s $R/sub
dopen s0 $R/sub ; dup s s0 ; close s0
dopen s0 $R/sub ; dup2 s s0 77 ; close s0
dopen s0 $R/sub ; dup3 s s0 78 ; close s0
dopen s0 $R/sub ; dupfd s s0 20 ; close s0
dopen s0 $R/sub ; dupfd_cloexec s s0 21 ; close s0
opendir s0 $R/sub ; dup s s0 ; close s0
dopen s0 $R/sub p ; dup2 s s0 79 ; close s0
EOF
	# close(fd), and the number reused for an outside directory: *at on
	# it is plain libc (../out/f from out2 is legitimate there).
	legit "close and reuse of the number for an outside directory" \
		"dopen s $R/sub ; reuse s $O2 ; openat s f ; openat s l ; openat s ../out/f ; openat s ../secret ; atall s d/.. ; fstatat s ../root/sub/f ; readlinkat s ../root/abs"
	legit "dup2 of an outside directory over a root dirfd" \
		"dopen s $R/sub ; dopen o $O2 ; dup2over s o ; openat s f ; openat s ../out/f ; atread s ../secret ; samefile s $O2"
	attack "dup2 of a root dirfd over an outside dirfd" \
		"dopen o $O2 ; dopen s $R/sub ; dup2over o s ; openat o ../../secret ; openat o link-out/f ; atread o ../../out/f"
	# An fd opened outside every root, on an ancestor of the root: a path
	# from it that enters the root is confined.
	attack "fd on the root's parent, paths entering the root" \
		"dopen t $X ; openat t root/abs ; openat t root/dl/f ; openat t root/sub/link-out/f ; atread t root/sub/sub2/link-out ; openat t root/sub/../../secret"
	legit "fd on the root's parent, legitimate paths" \
		"dopen t $X ; openat t root/data/file ; openat t root/in_abs ; openat t out2/f ; openat t secret ; atread t root/sub/f"
	attack "fd on the root's parent, a path that enters the root through .." \
		"dopen t $O2 ; openat t ../root/abs ; openat t ../root/dl/f ; openat t ../root/sub/link-out/f"
	attack "working directory outside, a path that enters the root through .." \
		"chdir $O2 ; open ../root/abs ; open ../root/dl/f ; stat ../root/sub/link-out/f"
	attack "an absolute path that enters the root through .." \
		"open $O2/../root/abs ; open $O2/../root/dl/f ; stat $O2/../root/sub/link-out/f"
	# The directory of a dirfd moved out of the root.
	moved "a dirfd on \$R/a/b, \$R/a moved out" \
		"dopen v $R/a/b ; wait ; openat v ../../f ; openat v ../../../secret ; atread v ../../f ; mark info ; openat v file ; openat v ./file"
	moved "an O_PATH dirfd on \$R/a/b, \$R/a moved out" \
		"dopen v $R/a/b p ; wait ; openat v ../../f ; fstatat v ../../f ; mark info ; openat v file"
}

# ------------------------------------------------------------------------
# 3. The shim's own fds
# ------------------------------------------------------------------------
ABS_ATTACKS="open $R/abs ; open $R/dl/f ; open $R/sub/../../secret ; stat $R/abs ; dopen s $R/sub ; openat s ../../secret ; openat s link-out/f"
ABS_LEGIT="open $R/data/file ; open $R/in_abs ; stat $R/data/file ; dopen s2 $R/sub ; openat s2 f ; openat s2 ../data/file ; open $O2/f"

section_shimfds() {
	local b how res got
	echo "=== 3. the shim's own fds"
	for BACKEND in $ACTIVE_BACKENDS; do
		mktree
		shim_on
		probe plain "dopen w $R/data ; shimfds" > "$T/res" 2>&1
		shim_off
		got=$(result_of "$T/res" shimfds)
		echo "[$BACKEND] the shim's fds after one call under the root: $got"
		check "[$BACKEND] the probe finds the shim's fds (one on the root, one on the log): $got" \
			sh -c 'case "$1" in ok:0*|ok:1:*) exit 1 ;; esac
			       printf "%s" "$1" | grep -q "[:,]$2\(,\|$\)" && printf "%s" "$1" | grep -q "[:,]$3\(,\|$\)"' \
			x "$got" "$R" "$LOG"
	done
	# (a) to (d): the program closes or clobbers every fd it did not open;
	# the attacks are still denied and legitimate calls still reach the
	# root, not the program's fds.
	for how in closeall close_range closefrom "dopen o $O2 ; dup2shim o" "dopen o $O2 ; dup3shim o"; do
		for b in $BUILDS; do
			mktree
			shim_off
			probe "$b" "dopen w $R/data ; shimfds ; $how ; mark legit ; $ABS_LEGIT" > "$T/exp" 2>&1
			sed -n '/^mark legit/,$p' "$T/exp" > "$T/exp-legit"
			for BACKEND in $ACTIVE_BACKENDS; do
				mktree
				shim_on
				probe "$b" "dopen w $R/data ; shimfds ; $how ; $ABS_ATTACKS ; mark legit ; $ABS_LEGIT" > "$T/res" 2>&1
				shim_off
				sed '/^mark legit/,$d' "$T/res" > "$T/res-att"
				sed -n '/^mark legit/,$p' "$T/res" > "$T/res-legit"
				judge_attack "[$BACKEND] $b: after [$how]: escapes" "$T/res-att" "$b"
				expect_same "[$BACKEND] $b: after [$how]: legitimate calls" "$T/exp-legit" "$T/res-legit"
				check "[$BACKEND] $b: after [$how]: never the redirected file" \
					sh -c '! grep -q WRONG-redirected "$1"' x "$T/res"
				case $how in
				*dup?shim*)
					[ "$b" = plain ] && echo "    [$BACKEND] $how: $(awk '$1 ~ /^dup.shim$/ { print $NF }' "$T/res")" ;;
				esac
			done
		done
	done
	# (e) /proc/self/fd/<shim fd>/..., /proc/self/fd/<own fd>/..., and
	# /proc/self/cwd/... with the working directory in the root.
	for BACKEND in $ACTIVE_BACKENDS; do
		mktree
		shim_on
		probe plain "dopen w $R/data ; shimfds ; procshim /../secret ; procshim /../out/f ; procshim /dl/f ; procshim /abs ; procshim /sub/link-out/f ; procshim /./../secret" > "$T/res" 2>&1
		shim_off
		judge_attack "[$BACKEND] /proc/self/fd/<shim fd>/...: escapes" "$T/res" plain
		got=$(awk '$1 == "procshim"' "$T/res")
		check "[$BACKEND] /proc/self/fd/<shim fd>/...: nothing opened through a shim fd:
$(printf '%s\n' "$got" | sed 's/^/    /')" \
			sh -c '! printf "%s\n" "$1" | grep -qv " ok:opened=0,secret=0,"' x "$got"
		check "[$BACKEND] /proc/self/fd/<shim fd>/...: denied (EACCES) through the root's fd" \
			sh -c '! printf "%s\n" "$1" | grep -qv ",denied=[1-9]"' x "$got"
	done
	attack "/proc/self/fd/<own fd under the root>/..." \
		"dopen s $R/sub ; procfd s /../../secret ; procfd s /link-out/f ; procfd s /sub2/link-out ; procfd s /../abs ; procfd s /../dl/f"
	attack "/proc/self/fd/<own O_PATH fd under the root>/..." \
		"dopen s $R/sub p ; procfd s /../../secret ; procfd s /link-out/f"
	legit "/proc/self/fd/<own fd under the root>/ legitimate" \
		"dopen s $R/sub ; procfd s /f ; procfd s /../data/file ; procfd s /../in_abs ; procfd s /d d"
	attack "/proc/self/cwd/... with the working directory in the root" \
		"chdir $R/sub ; open /proc/self/cwd/../../secret ; open /proc/self/cwd/link-out/f ; open /proc/self/cwd/sub2/link-out ; open /proc/self/cwd/../abs"
	legit "/proc/self/cwd/... legitimate" \
		"chdir $R/sub ; open /proc/self/cwd/f ; open /proc/self/cwd/../data/file ; chdir $O2 ; open /proc/self/cwd/f"
	# (f) close-on-exec, and a child after exec (without the shim's
	# environment) holds none of them, but does hold the program's own
	# inheritable fd.
	for BACKEND in $ACTIVE_BACKENDS; do
		mktree
		shim_on
		probe plain "dopen s $R/sub e ; openat s f ; shimfds ; cloexec ; fdopen mine $R/data/file ; execcheck" > "$T/res" 2>&1
		shim_off
		check_eq "[$BACKEND] every shim fd is close-on-exec" "ok:all-cloexec" "$(result_of "$T/res" cloexec)"
		got=$(awk '$1 == "fdlist"' "$T/res")
		check "[$BACKEND] a child after exec holds no shim fd, and the program's own inheritable fd: $got" \
			sh -c 'printf "%s" "$1" | grep -q " ok:shim-held=0,prog-held=1,"' x "$got"
		check "[$BACKEND] a child after exec holds nothing on the root or the log: $got" \
			sh -c '! printf "%s" "$1" | grep -q "[=,]\($2\|$3\)\(,\|$\)"' x "$got" "$R" "$LOG"
		check_eq "[$BACKEND] execcheck ran" "ok" "$(result_of "$T/res" execcheck)"
	done
}

# ------------------------------------------------------------------------
# 4. AF_UNIX
# ------------------------------------------------------------------------
section_unix() {
	local long longdl pad b got rel
	echo "=== 4. AF_UNIX bind and connect"
	# A 107-byte sun_path under the root (and one through dl).
	pad=$((107 - ${#R} - 1))
	long=$R/$(printf '%*s' "$pad" '' | tr ' ' 'L')
	pad=$((107 - ${#R} - 4))
	longdl=$R/dl/$(printf '%*s' "$pad" '' | tr ' ' 'D')
	if [ "${#long}" -ne 107 ] || [ "${#longdl}" -ne 107 ] || [ "$pad" -lt 1 ]; then
		skip "107-byte sun_path: the temporary directory's name is too long (${#R} bytes)"
		long= longdl=
	fi
	legit "bind and connect under the root" \
		"echo $R/s.sock ; bind $R/b.sock ; listen l $R/l.sock ; connect $R/l.sock l ; bind $R/sub/../sub/c.sock ; chdir $R/sub ; bind rel.sock ; echo rel2.sock ; echo ../rel3.sock ; bind @beneath-abstract-$$ ; echo @beneath-echo-$$ ; inet ; bind $O2/out.sock ; echo $O2/out2.sock"
	attack "bind through a link to outside" \
		"bind $R/dl/s.sock ; bind $R/sub/link-out/s2.sock ; echo $R/dl/e.sock ; bind $R/sub/../../s3.sock ; chdir $R/sub ; bind link-out/r.sock ; bind ../dl/r2.sock ; bind ../../r3.sock ; bind link-out/r4.sock exact"
	attack "connect through a link to an outside socket" \
		"listen o $T/srv.sock ; connect $R/sl.sock o ; connect $R/tl/srv.sock o ; connect $R/sub/tl/srv.sock o exact ; chdir $R/sub ; connect tl/srv.sock o ; connect ../sl.sock o"
	if [ -n "$long" ]; then
		legit "a 107-byte sun_path (NUL-terminated, and exact length)" \
			"bind $long ; connect $long ; echo ${long%?}E ; echo ${long%?}X exact"
		rel=$(printf '%*s' 107 '' | tr ' ' 'N')
		legit "a relative 107-byte sun_path with the working directory in the root" \
			"chdir $R ; bind $rel ; echo ${rel%?}E ; echo ${rel%?}X exact ; chdir $R/sub ; echo ../${rel%???}"
		attack "a 107-byte sun_path through dl" "bind $longdl ; bind ${longdl%?}X exact"
	fi
	# Nothing created outside, under the shim; without it the socket is
	# created there (shown by attack above, as an outside change).
	for BACKEND in $ACTIVE_BACKENDS; do
		mktree
		shim_on
		probe plain "bind $R/dl/s.sock ; bind $R/sub/link-out/s2.sock" > /dev/null 2>&1
		shim_off
		check "[$BACKEND] no socket created outside" test ! -e "$O/s.sock" -a ! -e "$O/s2.sock"
	done
	mktree
	probe plain "bind $R/dl/s.sock" > /dev/null 2>&1
	check "without the shim, bind through dl creates the socket outside" test -S "$O/s.sock"
	# python3
	cat > "$T/py-sock.py" <<'EOF'
import errno, socket, sys
for p in sys.argv[1:]:
    s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    try:
        s.bind(p)
        s.listen(1)
        c = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        c.connect(p)
        a, _ = s.accept()
        c.sendall(b"q")
        print("bind", p, "ok:" + a.recv(1).decode())
    except OSError as e:
        print("bind", p, errno.errorcode.get(e.errno, str(e.errno)))
EOF
	mktree
	"$PY" "$T/py-sock.py" "$R/py.sock" > "$T/exp" 2>&1
	"$PY" "$T/py-sock.py" "$R/dl/py.sock" > "$T/base" 2>&1
	check "without the shim, python3 binds through dl" test -S "$O/py.sock"
	for BACKEND in $ACTIVE_BACKENDS; do
		mktree
		shim_on
		run "$PY" "$T/py-sock.py" "$R/py.sock" > "$T/res" 2>&1
		expect_same "[$BACKEND] python3: bind, connect, exchange under the root" "$T/exp" "$T/res"
		check "[$BACKEND] python3: the socket is in the root" test -S "$R/py.sock"
		: > "$LOG"
		run "$PY" "$T/py-sock.py" "$R/dl/py.sock" > "$T/res" 2>&1
		shim_off
		check_eq "[$BACKEND] python3: bind through dl denied" "bind $R/dl/py.sock EACCES" "$(cat "$T/res")"
		check "[$BACKEND] python3: nothing created outside" test ! -e "$O/py.sock"
		check "[$BACKEND] python3: the denial is logged as bind" \
			grep -q "\"call\":\"bind\",\"path\":\"$R/dl/py.sock\"" "$LOG"
	done
}

# ------------------------------------------------------------------------
# 5. Raw syscall()
# ------------------------------------------------------------------------
section_syscall() {
	echo "=== 5. raw syscall()"
	attack "syscall(SYS_openat2 / renameat2 / statx / faccessat2) through escapes" \
		"sys_openat2 cwd $R/abs ; sys_openat2 cwd $R/dl/f ; sys_openat2 cwd $R/sub/../../secret ; sys_openat2 cwd $R/dl/new wc ; sys_renameat2 $R/data/file $R/dl/stolen ; sys_renameat2 $R/dl/f $R/data/stolen ; sys_statx $R/abs ; sys_statx $R/dl/f nofollow ; sys_faccessat2 $R/abs ; sys_faccessat2 $R/dl/f ; dopen s $R/sub ; sys_openat2 s ../../secret ; sys_openat2 s link-out/f ; chdir $R/sub ; sys_statx ../abs ; sys_faccessat2 link-out/f"
	legit "syscall() legitimate calls, and other numbers untouched" \
		"sys_openat2 cwd $R/data/file ; sys_openat2 cwd $R/in_abs ; sys_openat2 cwd $R/sub/new wc ; sys_statx $R/data/file ; sys_statx $R/abs nofollow ; sys_faccessat2 $R/in_rel ; sys_renameat2 $R/sub/f $R/sub/g ; sys_openat2 cwd $O2/f ; sys_openat2 cwd $R/data/file r beneath ; sys_getpid ; sys_pipe2 ; dopen s $R/sub ; sys_openat2 s g ; sys_openat2 s ../data/file r beneath"
}

# ------------------------------------------------------------------------
# 6. Queries
# ------------------------------------------------------------------------
section_queries() {
	local b got base
	echo "=== 6. queries"
	attack "realpath, canonicalize_file_name, pathconf, inotify through escapes" \
		"realpath $R/abs ; realpath_null $R/abs ; realpath $R/dl/f ; realpath $R/sub/../../secret ; realpath_null $R/sub/sub2/link-out ; canonicalize_file_name $R/abs ; canonicalize_file_name $R/dl ; pathconf $R/dl/f ; pathconf $R/abs ; inotify_add_watch $R/dl ; inotify_add_watch $R/abs ; chdir $R/sub ; realpath link-out/f ; realpath ../../secret ; canonicalize_file_name sub2/link-out ; pathconf link-out ; inotify_add_watch link-out"
	legit "realpath, canonicalize_file_name, pathconf, inotify legitimate" \
		"realpath $R/in_abs ; realpath $R/in_rel ; realpath_null $R/data/file ; realpath $R/sub/../data/file ; realpath $R ; realpath $R/nonexistent ; canonicalize_file_name $R/in_abs ; pathconf $R/data/file ; pathconf $R/sub ; inotify_add_watch $R/sub ; inotify_add_watch $R/in_abs ; realpath $O2/l ; chdir $R/sub ; realpath ../in_abs ; realpath f ; canonicalize_file_name l ; pathconf . ; inotify_add_watch ."
	# chroot and acct need root.
	if [ "$(id -u)" != 0 ]; then
		skip "chroot and acct: not running as root (both need CAP_SYS_CHROOT / CAP_SYS_PACCT)"
		return
	fi
	ALLLINES=1 attack "chroot through a link to outside" "chroot $R/dl"
	ALLLINES=1 attack "chroot through .. out of the root" "chroot $R/sub/../.."
	legit "chroot into a directory under the root" "chroot $R/sub"
	mktree
	base=$(probe plain "acct $R/data/file" 2>&1)
	case $base in
	*" ok") ;;
	*)
		skip "acct: the kernel refuses process accounting here ($base)"
		return ;;
	esac
	ALLLINES=1 attack "acct through escapes" "acct $R/abs ; acct $R/dl/f ; acct $R/sub/sub2/link-out"
	LEGIT_NOTREE=1 legit "acct on a file under the root" "acct $R/data/file ; acct $R/in_abs"
}

# ------------------------------------------------------------------------
# The probe builds
# ------------------------------------------------------------------------
check_nm() {
	local u s
	if ! command -v nm > /dev/null; then
		skip "nm not found: the symbol checks of the probe2 builds"
		return
	fi
	u=$(nm -u "$PROBE_plain" | sed 's/@.*//' | awk '{print $NF}')
	for s in openat realpath readlinkat scandirat fstatat; do
		check "plain probe2 references $s (nm)" sh -c 'printf "%s\n" "$1" | grep -qx "$2"' x "$u" "$s"
	done
	u=$(nm -u "$PROBE_fortify" | sed 's/@.*//' | awk '{print $NF}')
	for s in __open_2 __openat_2 __readlinkat_chk __realpath_chk realpath; do
		check "fortify probe2 references $s (nm)" sh -c 'printf "%s\n" "$1" | grep -qx "$2"' x "$u" "$s"
	done
	u=$(nm -u "$PROBE_fortify64" | sed 's/@.*//' | awk '{print $NF}')
	for s in __open64_2 __openat64_2 __readlinkat_chk __realpath_chk fstatat64 scandirat64 stat64; do
		check "fortify64 probe2 references $s (nm)" sh -c 'printf "%s\n" "$1" | grep -qx "$2"' x "$u" "$s"
	done
}

# ------------------------------------------------------------------------
# Main
# ------------------------------------------------------------------------
start=$(date +%s)
check_nm
ACTIVE_BACKENDS=
for BACKEND in $BACKENDS; do
	mktree
	got=$(env LD_PRELOAD="$SHIM" BENEATH_RESOLVER="$BACKEND" BENEATH_ROOTS="$R" \
		"$PROBE_plain" open "$R/data/file" 2>&1)
	if [ "$got" = "open $R/data/file ENOSYS" ]; then
		skip "backend $BACKEND: not supported by this kernel"
		continue
	fi
	ACTIVE_BACKENDS="$ACTIVE_BACKENDS $BACKEND"
done
if [ -z "$ACTIVE_BACKENDS" ]; then
	bad "no resolver backend works"
fi
SECTIONS=${SHIM2_SECTIONS:-cwd dirfd shimfds unix syscall queries}
for s in $SECTIONS; do
	"section_$s"
done

echo "test-shim2: $(( $(date +%s) - start ))s${skipped:+, skipped:$skipped}"
echo "test-shim2: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
