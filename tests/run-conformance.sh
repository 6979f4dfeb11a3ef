#!/bin/sh
# Run the shared resolver conformance corpus through tests/conformance with
# one backend. usage: run-conformance.sh openat2|walker
#
# make check exports top_builddir, top_srcdir and CONFORMANCE_DIR; the
# defaults let the script run by hand from the source tree too. A missing
# corpus is a failure, not a skip: a green run must mean the corpus ran.
set -u

if [ $# -ne 1 ]; then
	echo "usage: $0 openat2|walker" >&2
	exit 2
fi
backend=$1
here=$(cd "$(dirname "$0")" && pwd)
top_srcdir=${top_srcdir:-$here/..}
top_builddir=${top_builddir:-$top_srcdir}
dir=${CONFORMANCE_DIR:-$top_srcdir/../shared/conformance}

for f in trees.txt cases.txt; do
	if [ ! -r "$dir/$f" ]; then
		echo "FAIL: conformance corpus missing: $dir/$f not found" >&2
		echo "(configure --with-conformance-dir=DIR, or set CONFORMANCE_DIR)" >&2
		exit 1
	fi
done
prog=$top_builddir/tests/conformance
if [ ! -x "$prog" ]; then
	echo "FAIL: $prog is not built (make tests/conformance)" >&2
	exit 1
fi

echo "conformance: backend $backend, corpus $dir"
exec "$prog" --backend="$backend" "$dir/trees.txt" "$dir/cases.txt"
