#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
#
# The preload shim's exec, spawn and environment wrappers end to end,
# under both resolver backends, with BENEATH_LOG=PATH.
#
# A root holds a copied binary (tests/exec-probe, whose "report" mode
# prints its /proc/self/exe), scripts (nested ones too), and planted
# escapes: bin/evil -> OUTSIDE/prog, bin/rel -> ../../out/prog, a link to
# an outside script, a directory link, a script whose "#!" line goes
# through a planted link, and bin/tool -> OUTSIDE/prog for PATH searches.
#
#  1. Escapes: every exec and spawn entry point, called directly by
#     tests/exec-probe (built plain, fortified and fortified with 64-bit
#     off_t), runs the outside program without the shim (counted, each
#     entry point at least once); under the shim each call fails with
#     EACCES and is logged once, with the right call and path.
#  2. Legitimate programs under the root (binary, links inside, scripts,
#     nested scripts, ENOEXEC files) and outside it: the same output as
#     without the shim, nothing logged.
#  3. PATH searches (execvp, execvpe, execlp, posix_spawnp): order, EACCES
#     remembered, empty entries, directories, ENOEXEC and /bin/sh, PATH
#     unset: as without the shim; a planted link in PATH is denied and the
#     search goes on.
#  4. Children stay confined: env -i, sh -c, python3 subprocess with
#     env={}, clearenv+execv, unsetenv+execv, an empty envp through every
#     entry point, vfork+execve, a double-forking daemon, an envp that
#     tries to widen the configuration, system and popen after unsetenv,
#     clearenv+system: the grandchild cat reads the secret without the
#     shim, and under it is denied and logged.
#  5. The child's environment: our BENEATH_* forced, the caller's
#     preloads kept and ours added, one LD_PRELOAD entry; an unconfigured
#     shim passes the program's BENEATH_* on; a relative LD_PRELOAD.
#  6. posix_spawn file actions naming a path under a root fail closed.
#  7. Audit mode; BENEATH_OUTSIDE=deny with scripts.
#
# Every failed assertion prints "FAIL:". The last line is
# "test-exec: N passed, M failed"; the exit status is 1 if M > 0.
here=$(cd "$(dirname "$0")" && pwd)
. "$here/testlib.sh"

use_probes exec-probe
need_built "$SHIM" "$PROBE_plain" "$PROBE_fortify" "$PROBE_fortify64"
shim_absolute -P
ENV=$(command -v env)
CAT=$(command -v cat)

make_tmpdir test-exec

need_python3 "it reads the JSON log and is one of the programs tested"

# ------------------------------------------------------------------------
# The tree
# ------------------------------------------------------------------------
R=$T/root      # the root
O=$T/out       # outside: the attacker's target
O2=$T/out2     # outside: legitimately used
LOG=$T/log.json

mktree() {
	rm -rf "$R" "$O" "$O2" "$T"/p? "$T/cwd"
	mkdir -p "$R/bin" "$R/data" "$O" "$O2" "$T/p1" "$T/p2" "$T/p3" "$T/p4" "$T/pd/tool" \
		"$T/pe" "$T/cwd"
	cp "$PROBE_plain" "$R/bin/legit"
	cp "$PROBE_plain" "$O/prog"
	cp "$PROBE_plain" "$O2/prog"
	printf '#!/bin/sh\necho LEGIT-SCRIPT "[$0]" "$@"\n' > "$R/bin/script"
	printf '#!/bin/sh -e\necho LEGIT-SCRIPT2 "[$0]" "$@"\n' > "$R/bin/script2"
	printf '#!%s opt\n' "$R/bin/script2" > "$R/bin/nested"
	printf 'echo NOEXEC-RAN "[$0]" "$@"\n' > "$R/bin/noexec"
	printf '#!/bin/sh\necho OUTSIDE-SCRIPT-RAN\n' > "$O/script"
	printf '#!%s\n' "$R/bin/evils" > "$R/bin/badinterp"
	chmod +x "$R"/bin/* "$O/script"
	# Escapes.
	ln -s "$O/prog" "$R/bin/evil"
	ln -s ../../out/prog "$R/bin/rel"
	ln -s "$O/script" "$R/bin/evils"
	ln -s "$O" "$R/bin/dl"
	ln -s "$O/prog" "$R/bin/tool"
	printf 'TOPSECRET-outside\n' > "$O/f"
	ln -s "$O/f" "$R/abs"
	# Legitimate.
	ln -s legit "$R/bin/inlink"
	ln -s "$R/bin/legit" "$R/bin/inabs"
	printf 'inside-data\n' > "$R/data/file"
	printf 'outside-ok\n' > "$O2/f"
	# PATH search.
	printf '#!/bin/sh\necho P1-TOOL\n' > "$T/p1/tool"      # not executable
	printf '#!/bin/sh\necho P2-TOOL "$@"\n' > "$T/p2/tool"
	printf '#!/bin/sh\necho P3-TOOL "$@"\n' > "$T/p3/tool"
	printf 'echo NOEXEC2-RAN "$@"\n' > "$T/p4/noexec2"
	printf '#!/bin/sh\necho CWD-TOOL "$@"\n' > "$T/cwd/tool"
	chmod +x "$T/p2/tool" "$T/p3/tool" "$T/p4/noexec2" "$T/cwd/tool"
	: > "$LOG"
}

# run COMMAND...: without the shim when SHIMENV is empty, else under it
# with the environment in SHIMENV and the backend in BACKEND.
SHIMENV=()
BACKEND=
run() {
	if [ ${#SHIMENV[@]} -gt 0 ]; then
		"$ENV" LD_PRELOAD="$SHIM" BENEATH_RESOLVER="$BACKEND" "${SHIMENV[@]}" "$@"
	else
		"$@"
	fi
}
shim_on() {
	BACKEND=$1
	SHIMENV=(BENEATH_ROOTS="$R" BENEATH_LOG="$LOG")
}
shim_off() {
	SHIMENV=()
}

# The log records with PATH from a program whose exe ends in /NAME.
records() {
	"$PY" - "$LOG" "$1" "$2" <<'EOF'
import json, sys
log, path, exe = sys.argv[1:4]
n = 0
for raw in open(log, "rb").read().split(b"\n")[:-1]:
    r = json.loads(raw.decode("latin-1"))
    if r["path"] == path and r["exe"].endswith("/" + exe) and r["verdict"] == "denied":
        n += 1
print(n)
EOF
}

# ------------------------------------------------------------------------
# The escape checker: OUT holds blocks, each after a header
# "## ENTRY ARG CALL LOGPATH" (CALL "open*": the open family).
# ------------------------------------------------------------------------
cat > "$T/escapes.py" <<'EOF'
import json, sys
mode, out, log, root, outside = sys.argv[1:6]
markers = ["exe=" + outside + "/", "OUTSIDE-SCRIPT-RAN"]
OPEN = {"open", "open64", "__open_2", "__open64_2", "openat", "openat64"}
blocks, cur = [], None
for line in open(out, errors="replace"):
    line = line.rstrip("\n")
    if line.startswith("## "):
        f = line.split(" ")
        cur = {"entry": f[1], "arg": f[2], "call": f[3], "path": f[4], "lines": []}
        blocks.append(cur)
    elif cur is not None:
        cur["lines"].append(line)
def escaped(b):
    return any(m in l for l in b["lines"] for m in markers)
if mode == "base":
    per = {}
    for b in blocks:
        c = per.setdefault(b["entry"], [0, 0])
        c[0] += escaped(b)
        c[1] += 1
    for e, (n, m) in sorted(per.items()):
        print("escaped: %s %d %d" % (e, n, m))
    sys.exit(0)
passed = failed = 0
def err(msg):
    global failed
    failed += 1
    print("FAIL: " + msg)
recs = []
for n, raw in enumerate(open(log, "rb").read().split(b"\n")[:-1], 1):
    try:
        recs.append(json.loads(raw.decode("latin-1")))
    except ValueError as e:
        err("log line %d is not JSON (%s)" % (n, e))
used = [False] * len(recs)
for b in blocks:
    what = "%s %s" % (b["entry"], b["arg"])
    if escaped(b):
        err("escaped under the shim: %s: %s" % (what, " | ".join(b["lines"])))
        continue
    last = b["lines"][-1] if b["lines"] else ""
    if not last.endswith(" EACCES"):
        err("%s: not EACCES: %s" % (what, " | ".join(b["lines"])))
        continue
    passed += 1
    for i, r in enumerate(recs):
        call_ok = r["call"] in OPEN if b["call"] == "open*" else r["call"] == b["call"]
        if not used[i] and call_ok and r["path"] == b["path"]:
            used[i] = True
            want = {"root": root, "verdict": "denied", "reason": "escape", "errno": "EACCES"}
            bad = {k: r[k] for k in want if r[k] != want[k]}
            if bad:
                err("%s: log record has %s" % (what, bad))
            else:
                passed += 1
            break
    else:
        err("%s: no log record with call %s and path %s" % (what, b["call"], b["path"]))
for i, r in enumerate(recs):
    if not used[i]:
        err("log record matches no denied call: call %r path %r" % (r["call"], r["path"]))
print("check: %d %d" % (passed, failed))
EOF

# escapes OUT MODE: add the checker's counts.
escapes() {
	local res
	res=$("$PY" "$T/escapes.py" "$2" "$1" "$LOG" "$R" "$O" 2>&1)
	printf '%s\n' "$res" | grep -v '^check: ' | head -n 40
	set -- $(printf '%s\n' "$res" | sed -n 's/^check: //p')
	if [ $# -ne 2 ]; then
		bad "escape checker did not run: $res"
		return
	fi
	pass=$((pass + $1))
	fail=$((fail + $2))
}

ENTRIES="execve execv execvp execvpe execl execle execlp execveat execveat-empty fexecve
posix_spawn posix_spawnp"
SEARCHING="execvp execvpe execlp posix_spawnp"

# h ENTRY ARG CALL LOGPATH: a block header.
h() { echo "## $*"; }

# Every escape through probe $1.
escape_seq() {
	local p=$1 e t call
	for e in $ENTRIES; do
		for t in evil rel evils dl/prog badinterp; do
			call=$e
			case $e in
			execveat-empty | fexecve)
				# The program opens the file: the open is what is
				# denied. A "#!" line in a file the program opened
				# itself is the kernel's (see the README).
				call="open*"
				[ "$t" = badinterp ] && continue ;;
			esac
			if [ "$t" = badinterp ]; then
				h "$e" "$R/bin/$t" "$call" "$R/bin/evils"
			else
				h "$e" "$R/bin/$t" "$call" "$R/bin/$t"
			fi
			run "$p" "$e" "$R/bin/$t" report x 2>&1
		done
	done
	for e in $SEARCHING; do
		h "$e" tool "$e" "$R/bin/tool"
		PATH=$R/bin run "$p" "$e" tool report x 2>&1
	done
	h execveat-dir evil execveat evil
	run "$p" execveat-dir "$R/bin" evil report x 2>&1
	(
		cd "$R/bin" || exit
		h execve ./evil execve ./evil
		run "$p" execve ./evil report x 2>&1
		h execv rel execv rel
		run "$p" execv rel report x 2>&1
		h posix_spawn ../bin/evils posix_spawn ../bin/evils
		run "$p" posix_spawn ../bin/evils report x 2>&1
		h execvp ./dl/prog execvp ./dl/prog
		run "$p" execvp ./dl/prog report x 2>&1
	)
}

# Legitimate programs through probe $1: as without the shim. The fd
# number in a script's /dev/fd/N name (a file the program opened and
# executed by fd) is the resolver's business, not ours.
legit_seq() {
	legit_runs "$@" | sed 's|/dev/fd/[0-9]*|/dev/fd/N|g'
}
legit_runs() {
	local p=$1 e t
	for e in $ENTRIES; do
		for t in legit inlink inabs script nested noexec; do
			run "$p" "$e" "$R/bin/$t" report a 'b c' 2>&1
		done
		run "$p" "$e" "$O2/prog" report outside 2>&1
		run "$p" "$e" /bin/echo outside 'b c' 2>&1
	done
	for t in legit inlink evil script; do
		run "$p" execveat-nofollow "$R/bin/$t" report a 2>&1
	done
	for t in legit inlink script nested; do
		run "$p" execveat-dir "$R/bin" "$t" report a 2>&1
	done
	(
		cd "$R/bin" || exit
		run "$p" execve ./legit report rel 2>&1
		run "$p" execve script rel 2>&1
		run "$p" posix_spawn ./nested rel 2>&1
		run "$p" execvp ./script rel 2>&1
		run "$p" execv ../bin/inlink report rel 2>&1
	)
}

# PATH searches through probe $1: as without the shim.
path_seq() {
	local p=$1 e
	for e in $SEARCHING; do
		PATH=$T/p2:$T/p3 run "$p" "$e" tool a 2>&1
		PATH=$T/p1:$T/p3 run "$p" "$e" tool a 2>&1
		PATH=$T/p1 run "$p" "$e" tool a 2>&1
		PATH=$T/pe run "$p" "$e" tool a 2>&1
		PATH=$T/pd:$T/p3 run "$p" "$e" tool a 2>&1
		PATH=$T/p4 run "$p" "$e" noexec2 a 2>&1
		PATH=$R/bin run "$p" "$e" legit report a 2>&1
		PATH=$R/bin run "$p" "$e" script a 2>&1
		PATH=$R/bin run "$p" "$e" nested a 2>&1
		PATH=$T/pe:$R/bin run "$p" "$e" noexec a 2>&1
		run "$p" nopath "$e" echo no-path 2>&1
		run "$p" "$e" "" a 2>&1
		(
			cd "$T/cwd" || exit
			PATH=:$T/p3 run "$p" "$e" tool a 2>&1
			PATH=$T/pe: run "$p" "$e" tool a 2>&1
			PATH=$T/pe::$T/p3 run "$p" "$e" tool a 2>&1
			PATH=$T/p3 run "$p" "$e" ./tool a 2>&1
		)
	done
}

# ------------------------------------------------------------------------
# 1-3: escapes, legitimate programs, PATH searches
# ------------------------------------------------------------------------
probe_runs() {
	local b p backend
	for b in $BUILDS; do
		eval "p=\$PROBE_$b"
		mktree
		shim_off
		escape_seq "$p" > "$T/base-esc" 2>&1
		legit_seq "$p" > "$T/base-legit" 2>&1
		path_seq "$p" > "$T/base-path" 2>&1
		"$PY" "$T/escapes.py" base "$T/base-esc" "$LOG" "$R" "$O" > "$T/base-count"
		echo "without the shim ($b probe), outside programs run by entry point (escaped of tried):"
		sed 's/^escaped: /    /' "$T/base-count"
		check "without the shim ($b): some escape works" \
			awk '$3 > 0 { n++ } END { exit !(n > 0) }' "$T/base-count"
		while read -r _ e n m; do
			check "without the shim ($b): $e runs an outside program ($n of $m)" [ "$n" -gt 0 ]
		done < "$T/base-count"
		check "without the shim ($b): the legitimate programs ran" grep -q 'LEGIT-SCRIPT2' "$T/base-legit"
		for backend in openat2 walker; do
			mktree
			shim_on "$backend"
			escape_seq "$p" > "$T/esc" 2>&1
			escapes "$T/esc" shim
			: > "$LOG"
			legit_seq "$p" > "$T/legit" 2>&1
			expect_same "legitimate programs ($b, $backend)" "$T/base-legit" "$T/legit"
			path_seq "$p" > "$T/path" 2>&1
			expect_same "PATH searches ($b, $backend)" "$T/base-path" "$T/path"
			check_eq "legitimate programs and searches ($b, $backend): nothing logged" \
				"" "$(cat "$LOG")"
		done
	done
}

# A planted link early in PATH: denied, logged, and the search goes on
# (EACCES is what glibc skips); alone in PATH: EACCES.
planted_path() {
	local backend e out
	mktree
	shim_off
	for e in $SEARCHING; do
		out=$(PATH=$R/bin:$T/p3 run "$PROBE_plain" "$e" tool report x 2>&1)
		case $out in
		*"exe=$O/prog"*) ok ;;
		*) bad "without the shim, $e finds the planted $R/bin/tool: $out" ;;
		esac
	done
	for backend in openat2 walker; do
		shim_on "$backend"
		for e in $SEARCHING; do
			: > "$LOG"
			out=$(PATH=$R/bin:$T/p3 run "$PROBE_plain" "$e" tool report x 2>&1)
			case $out in
			*"exe=$O/"*) bad "$e ($backend): the planted link in PATH ran: $out" ;;
			"P3-TOOL report x"*) ok ;;
			*) bad "$e ($backend): the search did not go on to $T/p3: $out" ;;
			esac
			check_eq "$e ($backend): the planted link is logged" 1 \
				"$(records "$R/bin/tool" "$(basename "$PROBE_plain")")"
		done
	done
}

# ------------------------------------------------------------------------
# 4: children stay confined
# ------------------------------------------------------------------------
# Each prints what a grandchild cat read from the escape link $R/abs.
CHILDREN="envi sh sh2 python clearenv unset empty-execve empty-execle empty-execvpe
empty-execveat empty-fexecve empty-posix_spawn empty-posix_spawnp empty-execvp vfork daemon widen
system popen clearenv-system"
child() {
	local p=$PROBE_plain
	case $1 in
	envi) run "$ENV" -i "$CAT" "$R/abs" ;;
	sh) run /bin/sh -c 'unset LD_PRELOAD BENEATH_ROOTS BENEATH_LOG BENEATH_RESOLVER; '"$CAT"' "$1"' \
		sh "$R/abs" ;;
	sh2) run /bin/sh -c "$ENV -i /bin/sh -c '$CAT $R/abs'" ;;
	python) run "$PY" -c 'import subprocess, sys; subprocess.run(sys.argv[1:], env={})' \
		"$CAT" "$R/abs" ;;
	clearenv | unset | vfork | daemon) run "$p" "$1" "$CAT" "$R/abs" ;;
	empty-execvp) run "$p" empty execvp cat "$R/abs" ;;
	empty-execvpe | empty-posix_spawnp) run "$p" empty "${1#empty-}" cat "$R/abs" ;;
	empty-*) run "$p" empty "${1#empty-}" "$CAT" "$R/abs" ;;
	widen) run "$p" env execve LD_PRELOAD="$T/other.so" BENEATH_MODE=audit \
		BENEATH_ROOTS="$T/nonexistent" BENEATH_LOG=/dev/null -- "$CAT" "$R/abs" ;;
	system | popen | clearenv-system) run "$p" "$1" "$CAT $R/abs" ;;
	esac
}

children() {
	local c n backend out
	mktree
	shim_off
	n=0
	for c in $CHILDREN; do
		out=$(child "$c" 2> /dev/null)
		case $out in
		*TOPSECRET*) n=$((n + 1)) ;;
		*) bad "without the shim, the child ($c) did not read the secret: $out" ;;
		esac
	done
	echo "without the shim: $n of $(echo $CHILDREN | wc -w) children read the secret"
	check "without the shim: children read the secret" [ "$n" -gt 0 ]
	for backend in openat2 walker; do
		shim_on "$backend"
		for c in $CHILDREN; do
			: > "$LOG"
			out=$(child "$c" 2> /dev/null)
			case $out in
			*TOPSECRET*) bad "child ($c, $backend) read the secret under the shim" ;;
			*) ok ;;
			esac
			check "child ($c, $backend): cat's denial is logged" \
				[ "$(records "$R/abs" cat)" -ge 1 ]
		done
	done
}

# ------------------------------------------------------------------------
# 5: the child's environment
# ------------------------------------------------------------------------
# envof ARGS...: the environment a child of the probe sees, one per line.
envof() {
	run "$PROBE_plain" "$@" 2> /dev/null
}
# has NAME=VALUE FILE: exactly one NAME= line, which is NAME=VALUE.
has() {
	local name=${1%%=*}
	[ "$(grep -c "^$name=" "$2")" = 1 ] && grep -qxF -- "$1" "$2"
}

child_env() {
	local backend e out
	mktree
	for backend in openat2 walker; do
		shim_on "$backend"
		envof env execve LD_PRELOAD="$T/other.so" FOO=bar BENEATH_MODE=audit \
			BENEATH_ROOTS="$T/x" BENEATH_LOG=/dev/null -- "$ENV" > "$T/e1"
		check "env ($backend): ours added to the caller's LD_PRELOAD" \
			has "LD_PRELOAD=$T/other.so:$SHIM" "$T/e1"
		check "env ($backend): BENEATH_ROOTS forced" has "BENEATH_ROOTS=$R" "$T/e1"
		check "env ($backend): BENEATH_LOG forced" has "BENEATH_LOG=$LOG" "$T/e1"
		check "env ($backend): BENEATH_RESOLVER forced" has "BENEATH_RESOLVER=$backend" "$T/e1"
		check "env ($backend): BENEATH_MODE, unset at startup, removed" \
			sh -c '! grep -q "^BENEATH_MODE=" "$1"' x "$T/e1"
		check "env ($backend): the program's own variables kept" has FOO=bar "$T/e1"
		envof env execve LD_PRELOAD="$SHIM:$T/other.so" -- "$ENV" > "$T/e2"
		check "env ($backend): an LD_PRELOAD naming us is kept as it is" \
			has "LD_PRELOAD=$SHIM:$T/other.so" "$T/e2"
		envof env execve "LD_PRELOAD=$T/other.so $SHIM" -- "$ENV" > "$T/e3"
		check "env ($backend): LD_PRELOAD separated by spaces" \
			has "LD_PRELOAD=$T/other.so $SHIM" "$T/e3"
		envof env execve LD_PRELOAD="$SHIM" LD_PRELOAD="$T/other.so" -- "$ENV" > "$T/e4"
		check "env ($backend): two LD_PRELOAD entries become the loader's last plus ours" \
			has "LD_PRELOAD=$T/other.so:$SHIM" "$T/e4"
		envof env execve LD_PRELOAD= -- "$ENV" > "$T/e5"
		check "env ($backend): an empty LD_PRELOAD gets ours" has "LD_PRELOAD=$SHIM" "$T/e5"
		for e in execve execle execvpe execveat posix_spawn posix_spawnp; do
			envof empty "$e" "$ENV" > "$T/e6"
			check "env ($backend): empty envp through $e gets LD_PRELOAD" \
				has "LD_PRELOAD=$SHIM" "$T/e6"
			check "env ($backend): empty envp through $e gets BENEATH_ROOTS" \
				has "BENEATH_ROOTS=$R" "$T/e6"
			check_eq "env ($backend): empty envp through $e: nothing else" 4 \
				"$(grep -c '^[A-Za-z_]*=' "$T/e6")"
		done
		for e in system popen; do
			envof "$e" "$ENV" > "$T/e7"
			check "env ($backend): $e after unsetenv restores LD_PRELOAD" \
				has "LD_PRELOAD=$SHIM" "$T/e7"
			check "env ($backend): $e after unsetenv restores BENEATH_ROOTS" \
				has "BENEATH_ROOTS=$R" "$T/e7"
		done
		envof clearenv-system "$ENV" > "$T/e8"
		check "env ($backend): clearenv, then system: LD_PRELOAD back" \
			has "LD_PRELOAD=$SHIM" "$T/e8"
		check "env ($backend): clearenv, then system: BENEATH_LOG back" \
			has "BENEATH_LOG=$LOG" "$T/e8"
		check "env ($backend): clearenv, then system: the rest cleared" \
			sh -c '! grep -q "^HOME=\|^PATH=" "$1"' x "$T/e8"
		# Audit mode is forced too.
		SHIMENV+=(BENEATH_MODE=audit)
		envof empty execve "$ENV" > "$T/e9"
		check "env ($backend): BENEATH_MODE=audit forced" has BENEATH_MODE=audit "$T/e9"
	done
	shim_off
	# An unconfigured shim: the program's BENEATH_* are its own business.
	: > "$LOG"
	out=$("$ENV" LD_PRELOAD="$SHIM" "$PROBE_plain" env execve BENEATH_ROOTS="$R" \
		BENEATH_LOG="$LOG" -- "$CAT" "$R/abs" 2> /dev/null)
	case $out in
	*TOPSECRET*) bad "unconfigured shim: the program's BENEATH_ROOTS for its child was lost" ;;
	*) ok ;;
	esac
	check_eq "unconfigured shim: the child's denial is logged" 1 "$(records "$R/abs" cat)"
	# A relative LD_PRELOAD: the child, elsewhere, gets our absolute path.
	out=$(cd "$(dirname "$SHIM")" && "$ENV" LD_PRELOAD=./"$(basename "$SHIM")" \
		BENEATH_ROOTS="$R" "$PROBE_plain" empty execve "$ENV" 2> /dev/null | grep '^LD_PRELOAD=')
	check_eq "relative LD_PRELOAD: ours added, absolute" \
		"LD_PRELOAD=./$(basename "$SHIM"):$SHIM" "$out"
}

# ------------------------------------------------------------------------
# 6: posix_spawn file actions
# ------------------------------------------------------------------------
file_actions() {
	local backend out
	mktree
	shim_off
	out=$(run "$PROBE_plain" addopen "$R/abs" "$CAT" 2>&1)
	check "without the shim: addopen of an escape link reads the secret" \
		sh -c 'case $1 in *TOPSECRET*) exit 0;; esac; exit 1' x "$out"
	out=$(run "$PROBE_plain" addchdir "$R/bin/dl" "$CAT" f 2>&1)
	check "without the shim: addchdir through a link reads the secret" \
		sh -c 'case $1 in *TOPSECRET*) exit 0;; esac; exit 1' x "$out"
	run "$PROBE_plain" addopen "$O2/f" "$CAT" > "$T/fa-base" 2>&1
	run "$PROBE_plain" addchdir "$O2" "$CAT" f >> "$T/fa-base" 2>&1
	for backend in openat2 walker; do
		shim_on "$backend"
		: > "$LOG"
		out=$(run "$PROBE_plain" addopen "$R/abs" "$CAT" 2>&1)
		check_eq "addopen ($backend): escape link refused" \
			"posix_spawn_file_actions_addopen $R/abs EACCES" "$out"
		out=$(run "$PROBE_plain" addopen "$R/data/file" "$CAT" 2>&1)
		check_eq "addopen ($backend): any path under a root fails closed" \
			"posix_spawn_file_actions_addopen $R/data/file EACCES" "$out"
		out=$(run "$PROBE_plain" addchdir "$R/bin/dl" "$CAT" f 2>&1)
		check_eq "addchdir ($backend): a directory under a root fails closed" \
			"posix_spawn_file_actions_addchdir_np $R/bin/dl EACCES" "$out"
		"$PY" - "$LOG" "$R" > "$T/fa-log" <<'EOF'
import json, sys
for raw in open(sys.argv[1], "rb").read().split(b"\n")[:-1]:
    r = json.loads(raw)
    print(r["call"], r["path"], r["root"] == sys.argv[2], r["verdict"], r["errno"])
EOF
		printf '%s\n' \
			"posix_spawn_file_actions_addopen $R/abs True denied EACCES" \
			"posix_spawn_file_actions_addopen $R/data/file True denied EACCES" \
			"posix_spawn_file_actions_addchdir_np $R/bin/dl True denied EACCES" > "$T/fa-want"
		expect_same "file actions ($backend): the log" "$T/fa-want" "$T/fa-log"
		run "$PROBE_plain" addopen "$O2/f" "$CAT" > "$T/fa" 2>&1
		run "$PROBE_plain" addchdir "$O2" "$CAT" f >> "$T/fa" 2>&1
		expect_same "file actions outside the roots ($backend)" "$T/fa-base" "$T/fa"
	done
}

# ------------------------------------------------------------------------
# 7: audit mode, BENEATH_OUTSIDE=deny, vfork
# ------------------------------------------------------------------------
modes() {
	local backend out base e
	mktree
	for backend in openat2 walker; do
		shim_on "$backend"
		SHIMENV+=(BENEATH_MODE=audit)
		: > "$LOG"
		out=$(run "$PROBE_plain" execve "$R/bin/evil" report x 2>&1)
		check_eq "audit ($backend): the call is made" "REPORT exe=$O/prog args=[x]" "$out"
		check "audit ($backend): a would-deny record" grep -q '"verdict":"would-deny"' "$LOG"
	done
	# A sandbox: scripts under the root still run, with their $0.
	shim_off
	base=$(for e in execve execvp posix_spawn posix_spawnp; do
		run "$PROBE_plain" "$e" "$R/bin/nested" a 2>&1; done)
	for backend in openat2 walker; do
		shim_on "$backend"
		SHIMENV=(BENEATH_ROOTS="$R:/usr=ro:/bin=ro:/lib=ro:/lib64=ro:/etc=ro" BENEATH_OUTSIDE=deny)
		out=$(for e in execve execvp posix_spawn posix_spawnp; do
			run "$PROBE_plain" "$e" "$R/bin/nested" a 2> /dev/null; done)
		check_eq "BENEATH_OUTSIDE=deny ($backend): nested scripts under the root" "$base" "$out"
	done
	# vfork children run programs under a root one after another (dash
	# does it for every command): a vfork child shares the parent's
	# memory, not its fd table, so it must not fill the root fd cache.
	for backend in openat2 walker; do
		shim_on "$backend"
		out=$(run "$PROBE_plain" vfork2 "$R/bin/legit" report v 2>&1 | grep -c 'ok status=0')
		check "vfork twice ($backend): both children run $R/bin/legit" [ "$out" = 2 ]
		out=$(run /bin/sh -c "$R/bin/legit report 1; $R/bin/legit report 2" 2>&1 | grep -c REPORT)
		check "sh -c ($backend): two programs under a root in a row" [ "$out" = 2 ]
	done
}

probe_runs
planted_path
children
child_env
file_actions
modes

echo "test-exec: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
