#!/bin/sh
# SPDX-License-Identifier: LGPL-2.1-or-later
# The project's test: the program does its file work in data/ and prints
# what it did; this checks that, and reads data/cfg (from the source tree)
# itself.
data=$(pwd)/data
cfgfile=$(cd "${srcdir:-.}" && pwd)/data/cfg
out=filework.out
status=0
./filework "$data" > "$out" || { echo "filework failed"; status=1; }
cat "$out"
for want in "mkdir-p: ok" "rename: hello-b" "symlink: hello" "abslink: hello" \
	"mkstemp: ok" "scandir: file.txt" "fts: D sub/deep" "fts: F sub/deep/file.txt" \
	"fts: SL link" "fts: SL abslink" "fts: F tmp/stamp" "out: ok"; do
	grep -qxF "$want" "$out" || { echo "missing: $want"; status=1; }
done
# The configuration, read by the test itself.
if cfg=$(cat "$cfgfile"); then
	case $cfg in
	mode=*) echo "cfg: $cfg" ;;
	*) echo "bad cfg: $cfg"; status=1 ;;
	esac
else
	echo "cannot read data/cfg"
	status=1
fi
exit $status
