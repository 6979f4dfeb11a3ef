#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
#
# Race attacks on an unmodified program (prior-art.md section 4), a short
# run of tests/race (its header says how it works; scripts/race is the
# long run, SECURITY.md its figures). An attacker thread renames in a
# tight loop while the victim makes plain libc calls through paths under
# the root:
#
#  s1  root/d swapped with a symlink to outside (RENAME_EXCHANGE): open,
#      fopen, stat, opendir/readdir, open O_CREAT, unlink, mkdir, rename
#      (a file out of root/d, and one into it), chmod, mkdir -p;
#  s2  the final component swapped with a symlink to a secret: open, and
#      open O_CREAT|O_TRUNC (the secret must never be truncated);
#  s3  root/a moved out of the root and back during a/b/c/../../../f
#      (open, and O_CREAT of a new name there);
#  s4  the working directory under root/a, moved out and back, while the
#      victim opens (and creates) ../../../NAME;
#  s5  the kernel selftest's rename attack: "c/../" twenty times from a
#      root fd while root/c is exchanged with a directory outside.
#
# For each operation: without the shim the attack must escape (secret
# read, an outside object got, or something outside created, deleted,
# renamed, truncated or chmod-ed), except where the driver reports that
# the kernel prevented it (it does only in s3 and s5, whose windows are a
# few instructions wide: a skip). Under the shim, with BENEATH_RESOLVER
# openat2 and walker: zero escapes, every denial logged once with reason
# "escape", and the victim still gets its own files (ok > 0). Denials
# and other errors are printed; they are fine, escapes are not.
#
# RACE_ATTEMPTS (default 1000) attempts per call and victim in s1 (eleven
# calls), three times as many in s2-s5 (one or two): at least 3000 per
# scenario and victim.
# Every failed assertion prints "FAIL:"; the last line is
# "test-race: N passed, M failed", and the exit status is 1 if M > 0.
here=$(cd "$(dirname "$0")" && pwd)
. "$here/testlib.sh"

RACE=$top_builddir/tests/race
need_built -s test-race "$SHIM" "$RACE"
shim_absolute
ATTEMPTS=${RACE_ATTEMPTS:-1000}
CONFIGS="none openat2 walker"
# Every operation of every scenario, as tests/race names them.
OPS="s1:open s1:fopen s1:stat s1:opendir s1:creat s1:unlink s1:mkdir
     s1:rename s1:rename-out s1:chmod s1:mkdir-p
     s2:open s2:open-trunc
     s3:open s3:creat
     s4:open s4:creat
     s5:openat"

make_tmpdir test-race

echo "$(nproc) CPUs, $(uname -sr), the trees in $T"
# race SCENARIOS ATTEMPTS: tests/race's lines added to $T/out.
race() {
	local status=0
	echo "tests/race -a $2 -s $1"
	"$RACE" -a "$2" -s "$1" "$SHIM" "$T" >> "$T/out" 2> "$T/err" || status=$?
	sed 's/^/stderr: /' "$T/err"
	check_eq "tests/race -s $1: exit status" 0 "$status"
}
race s1 "$ATTEMPTS"
race s2,s3,s4,s5 $((3 * ATTEMPTS))
cat "$T/out"

# field LINE KEY: the value of KEY=VALUE in LINE.
field() {
	local w
	for w in $1; do
		case $w in
		"$2"=*) echo "${w#*=}"; return ;;
		esac
	done
}

# is_num VALUE: a decimal number.
is_num() { case $1 in '' | *[!0-9]*) return 1 ;; esac; }

echo
for so in $OPS; do
	sc=${so%%:*}
	op=${so#*:}
	for cfg in $CONFIGS; do
		line=$(grep -E "^row $sc $op $cfg " "$T/out")
		if [ -z "$line" ] || [ "$(printf '%s\n' "$line" | wc -l)" -ne 1 ]; then
			bad "$sc $op $cfg: no result row"
			continue
		fi
		esc=$(field "$line" escapes)
		seen=$(field "$line" seen)
		changed=$(field "$line" changed)
		okc=$(field "$line" ok)
		denied=$(field "$line" denied)
		errors=$(field "$line" errors)
		logged=$(field "$line" logged)
		att=$(field "$line" attempts)
		if ! is_num "$esc" || ! is_num "$okc" || ! is_num "$denied" || ! is_num "$att"; then
			bad "$sc $op $cfg: unreadable row: $line"
			continue
		fi
		if [ "$cfg" = none ]; then
			if [ "$esc" -gt 0 ]; then
				ok
				echo "$sc $op without the shim: $esc escapes in $att attempts" \
					"($seen seen by the victim, $changed changes outside)"
			elif grep -q "^note $sc $op: no escape without the shim: the kernel prevents" "$T/out"; then
				skip "$sc $op: $(grep "^note $sc $op: " "$T/out" | sed 's/^note [^:]*: //')"
			else
				bad "$sc $op without the shim: no escape in $att attempts (the attack is broken)"
			fi
			continue
		fi
		check_eq "$sc $op $cfg: escapes under the shim" 0 "$esc"
		check_eq "$sc $op $cfg: outside objects got or read by the victim" 0 "$seen"
		check_eq "$sc $op $cfg: changes outside the root" 0 "$changed"
		check_eq "$sc $op $cfg: denials logged (one line each, reason escape)" "$denied" "$logged"
		# The victim keeps working between the renames: some of its
		# calls of this scenario and backend succeed. Per scenario, not
		# per call: on a loaded machine the attacker may win every round
		# of one slow call (the walker's mkdir through the swapped
		# directory), which is a denial, not a failure.
		eval "live_${sc}_$cfg=\$(( \${live_${sc}_$cfg:-0} + okc ))"
		echo "$sc $op $cfg: 0 escapes in $att attempts; ok=$okc denied=$denied errors=$errors" \
			"($(field "$line" errnos))"
	done
done

for sc in $(awk '/^row / { print $2 }' "$T/out" | sort -u); do
	for cfg in openat2 walker; do
		eval "n=\${live_${sc}_$cfg:-}"
		[ -n "$n" ] || continue
		if [ "$n" -gt 0 ]; then ok; else bad "$sc $cfg: the victim never got its own files"; fi
	done
done

[ -z "$skipped" ] || printf 'skipped:%s\n' "$skipped"
echo "test-race: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
