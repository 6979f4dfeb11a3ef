# SPDX-License-Identifier: LGPL-2.1-or-later
#
# The preamble the shell tests share. A test sets here (the directory it
# lives in) and sources this file:
#
#	here=$(cd "$(dirname "$0")" && pwd)
#	. "$here/testlib.sh"
#
# It provides:
#  - set -u and LC_ALL=C, and no BENEATH_* variable (a hardening run of
#    this suite under an outer `beneath --audit` leaves its own: each test
#    sets exactly the configuration it means);
#  - top_srcdir and top_builddir (make check exports them; the defaults
#    let a test run by hand from an in-tree build), SHIM (the preload
#    shim in the build tree) and BUILDS (the three ways a probe is built);
#  - use_probes NAME: PROBE_plain, PROBE_fortify, PROBE_fortify64;
#  - need_built, need_python3, py_checker, shim_absolute, make_tmpdir;
#  - the counters pass, fail and skipped, and ok, bad, skip, check,
#    check_eq, expect_lines and expect_same (a test may define its own
#    expect_same after sourcing this file).
# Each test still prints its own last line, "NAME: N passed, M failed",
# and ends with [ "$fail" -eq 0 ].
# (SC2034: the variables set here are used by the tests that source it.)
# shellcheck shell=bash disable=SC2034
set -u
export LC_ALL=C
unset BENEATH_ROOTS BENEATH_MODE BENEATH_OUTSIDE BENEATH_ERRNO BENEATH_LOG BENEATH_RESOLVER

top_srcdir=${top_srcdir:-$here/..}
top_builddir=${top_builddir:-$top_srcdir}

SHIM=$top_builddir/shim/.libs/libbeneath-preload.so
BUILDS="plain fortify fortify64"

# use_probes NAME: PROBE_plain, PROBE_fortify and PROBE_fortify64 are
# tests/NAME built plain, fortified, and fortified with 64-bit off_t.
use_probes() {
	PROBE_plain=$top_builddir/tests/$1
	PROBE_fortify=$top_builddir/tests/$1-fortify
	PROBE_fortify64=$top_builddir/tests/$1-fortify64
}

# stop_early SUMMARY MESSAGE: "FAIL: MESSAGE" on stderr, then, when
# SUMMARY (a test's name) is not empty, "SUMMARY: 0 passed, 1 failed";
# exit status 1.
stop_early() {
	echo "FAIL: $2" >&2
	[ -z "$1" ] || echo "$1: 0 passed, 1 failed"
	exit 1
}

# need_built [-s NAME] FILE...: stop (stop_early, with NAME as the
# summary after -s) at the first FILE that does not exist.
need_built() {
	local summary="" f
	if [ "$1" = -s ]; then
		summary=$2
		shift 2
	fi
	for f in "$@"; do
		[ -e "$f" ] || stop_early "$summary" "$f is not built (make check builds it)"
	done
}

# need_python3 [-s NAME] WHY: PY, the python3 interpreter's absolute
# path; without one, stop (stop_early) saying "python3 is needed (WHY)".
need_python3() {
	local summary=""
	if [ "$1" = -s ]; then
		summary=$2
		shift 2
	fi
	PY=$(python3 -c 'import sys; print(sys.executable)' 2>/dev/null) || PY=
	if [ -z "$PY" ] || [ ! -x "$PY" ]; then
		stop_early "$summary" "python3 is needed ($1)"
	fi
}

# py_checker DESC SCRIPT [ARG...]: run the Python checker SCRIPT (under
# need_python3's PY) with DESC and the ARGs; it prints one "FAIL: ..."
# line per failed check and "pass N" last. Shows its output, adds its
# counts to pass and fail.
py_checker() {
	local desc=$1 script=$2 res n
	shift 2
	res=$("$PY" "$script" "$desc" "$@" 2>&1)
	n=$(printf '%s\n' "$res" | sed -n 's/^pass //p')
	printf '%s\n' "$res" | grep -v '^pass ' | head -n 30
	if [ -z "$n" ]; then
		bad "$desc: the report checker did not run"
		return
	fi
	pass=$((pass + n))
	fail=$((fail + $(printf '%s\n' "$res" | grep -c '^FAIL: ')))
}

# shim_absolute [-P]: SHIM as an absolute path (-P: its directory with
# symlinks resolved, as by pwd -P).
shim_absolute() {
	SHIM=$(cd "$(dirname "$SHIM")" && pwd ${1:+"$1"})/$(basename "$SHIM")
}

# make_tmpdir NAME [WHAT]: T, a fresh directory NAME.XXXXXX under TMPDIR
# (symlinks resolved), removed on exit. The test stops when T's path has
# a character that WHAT (default: BENEATH_ROOTS) would need escaped.
make_tmpdir() {
	T=$(mktemp -d "${TMPDIR:-/tmp}/$1.XXXXXX") || exit 1
	T=$(cd "$T" && pwd -P)
	trap 'rm -rf "$T"' EXIT
	trap 'exit 1' HUP INT TERM
	case $T in
	*[:=,\\\ ]*)
		echo "FAIL: temporary directory $T has a character that ${2:-BENEATH_ROOTS} would need escaped" >&2
		exit 1 ;;
	esac
}

pass=0
fail=0
skipped=""

ok() { pass=$((pass + 1)); }
bad() {
	fail=$((fail + 1))
	echo "FAIL: $*"
}
skip() {
	echo "SKIP: $*"
	skipped="$skipped
  $*"
}

# check DESC COMMAND...: COMMAND succeeds.
check() {
	local desc=$1
	shift
	if "$@"; then ok; else bad "$desc"; fi
}

# check_eq DESC EXPECTED ACTUAL
check_eq() {
	if [ "$2" = "$3" ]; then
		ok
	else
		bad "$1"
		echo "    expected: $2"
		echo "    actual:   $3"
	fi
}

# expect_lines DESC EXPECTED_FILE ACTUAL_FILE [LEGEND]: line for line, one
# assertion per line of the expected output (one for an empty file). A
# difference is shown after the line "FAIL: DESC${LEGEND}:", LEGEND being
# by default ": differs from the run without the shim (< without, > with)".
expect_lines() {
	local desc=$1 exp=$2 act=$3 n nd
	local legend=${4-": differs from the run without the shim (< without, > with)"}
	n=$(wc -l < "$exp")
	if cmp -s "$exp" "$act"; then
		pass=$((pass + (n > 0 ? n : 1)))
		return
	fi
	nd=$(diff "$exp" "$act" | grep -c '^<')
	[ "$nd" -gt 0 ] || nd=1
	pass=$((pass + (n > nd ? n - nd : 0)))
	fail=$((fail + nd))
	echo "FAIL: $desc$legend:"
	diff "$exp" "$act" | grep '^[<>]' | head -n 40 | sed 's/^/    /'
}

# expect_same DESC EXPECTED_FILE ACTUAL_FILE: expect_lines with its
# default legend (a test may define its own expect_same after sourcing).
expect_same() { expect_lines "$1" "$2" "$3"; }
