#!/bin/sh
# The contain-mode rows (tests/contain-*.txt) through both backends; the
# openat2 backend hands contain's absolute symlinks to the walker, so both
# paths through the library are exercised.
set -u

here=$(cd "$(dirname "$0")" && pwd)
top_srcdir=${top_srcdir:-$here/..}
top_builddir=${top_builddir:-$top_srcdir}
prog=$top_builddir/tests/conformance
trees=$top_srcdir/tests/contain-trees.txt
cases=$top_srcdir/tests/contain-cases.txt

if [ ! -x "$prog" ]; then
	echo "FAIL: $prog is not built (make tests/conformance)" >&2
	exit 1
fi
status=0
for backend in openat2 walker; do
	echo "contain: backend $backend"
	"$prog" --backend="$backend" "$trees" "$cases" || status=1
done
exit $status
