#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
#
# The libFuzzer targets of tests/fuzz/ in make check: built by
# scripts/fuzz with clang (ASan + UBSan) into tests/fuzz-out of the build
# tree, then
#  1. every seed of tests/fuzz/corpus/ run on its own: no crash, no
#     sanitizer report, no disagreement with the target's reference (the
#     bug-* seeds reproduce bugs the targets found);
#  2. each target with its deliberately wrong reference
#     (BENEATH_FUZZ_MUTANT=1) over its seeds: it must report a
#     disagreement, so the checks can fail at all;
#  3. a short fuzzing run of each target from its seeds, a fixed number of
#     inputs with a fixed seed (BENEATH_FUZZ_RUNS="config match
#     differential" counts, BENEATH_FUZZ_SEED), so CI does as much work as
#     a developer's machine however loaded it is, from the same start; inputs that meet a bug a
#     target already knows of are skipped, the seeds assert those: no crash,
#     no disagreement. Longer random runs: scripts/fuzz.
# Without clang's libFuzzer runtime the whole test is skipped, saying why.
#
# The last line is "test-fuzz: N passed, M failed"; the exit status is 1
# if M > 0 (77 when skipped).
here=$(cd "$(dirname "$0")" && pwd)
. "$here/testlib.sh"

RUNS=${BENEATH_FUZZ_RUNS:-"60000 20000 600"}
SEED=${BENEATH_FUZZ_SEED:-1}
TARGETS="config match differential"
OUT=$top_builddir/tests/fuzz-out
FUZZ=$top_srcdir/scripts/fuzz
SEEDS=$top_srcdir/tests/fuzz/corpus

# The targets' scratch trees go in T, on tmpfs when there is one (a seed
# that crashes a target leaves its tree behind; T goes anyway).
if [ -d /dev/shm ] && [ -w /dev/shm ]; then
	TMPDIR=/dev/shm make_tmpdir test-fuzz
else
	make_tmpdir test-fuzz
fi
export BENEATH_FUZZ_TMPDIR=$T
export ASAN_OPTIONS=abort_on_error=1:detect_leaks=1
export UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1
unset BENEATH_FUZZ_MUTANT BENEATH_FUZZ_SKIP_KNOWN

# ------------------------------------------------------------------------
# Build
# ------------------------------------------------------------------------
rc=0
"$FUZZ" -o "$OUT" --build >"$T/build.txt" 2>&1 || rc=$?
if [ $rc -eq 77 ]; then
	echo "SKIP: $(grep -m1 SKIP "$T/build.txt" | sed 's/^fuzz: SKIP: //')"
	echo "test-fuzz: 0 passed, 0 failed"
	exit 77
fi
if [ $rc -ne 0 ]; then
	bad "scripts/fuzz --build (status $rc):"
	sed 's/^/    /' "$T/build.txt"
	echo "test-fuzz: $pass passed, $fail failed"
	exit 1
fi
ok

# why LOG: the lines of a target's output that say what went wrong.
why() {
	grep -aE '^(DISAGREEMENT|check failed|.*runtime error:|==[0-9]+==ERROR|fuzz-[a-z]+: this input)' "$1" |
		head -n 4 | cut -c1-400 | sed 's/^/    /'
}

# ------------------------------------------------------------------------
# 1. The seeds, one at a time
# ------------------------------------------------------------------------
for t in $TARGETS; do
	for seed in "$SEEDS/$t"/*; do
		name=$t/$(basename "$seed")
		if "$OUT/fuzz-$t" "$seed" >"$T/seed.log" 2>&1; then
			ok
		else
			case $name in
			*/bug-*) bad "seed $name reproduces a bug in the code under test:" ;;
			*) bad "seed $name:" ;;
			esac
			why "$T/seed.log"
		fi
	done
done

# ------------------------------------------------------------------------
# 2. The wrong references must be caught by the seeds
# ------------------------------------------------------------------------
for t in $TARGETS; do
	rc=0
	BENEATH_FUZZ_MUTANT=1 "$OUT/fuzz-$t" -runs=0 -max_len=16384 \
		-artifact_prefix="$T/mutant-" "$SEEDS/$t" >"$T/mutant.log" 2>&1 || rc=$?
	if [ $rc -ne 0 ] && grep -q '^DISAGREEMENT' "$T/mutant.log"; then
		ok
	else
		bad "fuzz-$t with its deliberately wrong reference: no disagreement on the seeds (status $rc)"
		why "$T/mutant.log"
	fi
done

# ------------------------------------------------------------------------
# 3. A short fuzzing run
# ------------------------------------------------------------------------
set -- $RUNS
for t in $TARGETS; do
	n=$1
	shift
	# what earlier runs in this build found would change the inputs tried
	rm -rf "$OUT/corpus/$t" "$OUT"/artifacts/"$t"-*
	rc=0
	"$FUZZ" -o "$OUT" -k -t "$t" -n "$n" -s "$SEED" >"$T/fuzz.txt" 2>&1 || rc=$?
	line=$(grep "^fuzz-$t: " "$T/fuzz.txt" | head -n 1)
	echo "${line:-fuzz-$t: no summary} ($n inputs, seed $SEED)"
	case $line in
	*": ok") ok ;;
	*)
		bad "fuzz-$t: $n inputs from seed $SEED (scripts/fuzz status $rc):"
		sed '1d' "$T/fuzz.txt" | head -n 30
		# the reproducer itself, for a failure seen only in CI
		for a in "$OUT"/artifacts/"$t"-*; do
			[ -f "$a" ] || continue
			echo "    reproducer $(basename "$a") (base64):"
			head -c 4096 "$a" | base64 | sed 's/^/    /'
		done
		;;
	esac
done

echo "test-fuzz: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
