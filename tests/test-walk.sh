#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
#
# The shim's directory walkers (shim/wrap-walk.c): scandir, scandirat,
# glob, ftw, nftw and fts, under both resolver backends, through
# tests/walk-probe built plain, fortified and fortified with 64-bit off_t
# (where it calls the *64 names).
#
# 1. Differential: on a tree of files, directories, inside links, dangling
#    links, a cycle and a link loop, every function with every flag gives
#    exactly what glibc gives without the shim, under a root that holds the
#    whole tree. As an unprivileged user (setpriv), the same with
#    unreadable and unsearchable directories; in a private mount namespace,
#    the same with a mount point (FTW_MOUNT, FTS_XDEV).
# 2. Attacks: a root with planted escapes (a symlink to a directory
#    outside, "d/dl -> ../../OUTSIDE", an absolute link to the secret).
#    Without the shim the walkers reach the outside (counted, must be > 0);
#    under the shim never, and every denial is logged as a JSON line.
# 3. Real tools (find, find -L, rm -r, cp -r, tar -h, du, grep -R) over the
#    attack tree under the shim, compared with the same tools over a copy
#    without the escape links.
# 4. With valgrind, when it is installed: fts, nftw, glob and scandir under
#    the shim make no invalid access and leak nothing.
#
# The last line is "test-walk: N passed, M failed"; exit status 1 if M > 0.
here=$(cd "$(dirname "$0")" && pwd)
. "$here/testlib.sh"
umask 022

use_probes walk-probe
need_built "$SHIM" "$PROBE_plain" "$PROBE_fortify" "$PROBE_fortify64"

# expect_same DESC EXPECTED ACTUAL: identical files, which must not be
# empty (an empty run would compare equal and prove nothing). Unlike
# testlib.sh's, one assertion for the whole file.
expect_same() {
	if [ ! -s "$2" ]; then
		bad "$1: the run without the shim printed nothing"
	elif cmp -s "$2" "$3"; then
		ok
	else
		bad "$1: differs from glibc without the shim (< without, > with):"
		diff "$2" "$3" | grep '^[<>]' | head -n 30 | sed 's/^/    /'
	fi
}

make_tmpdir test-walk
# The tests make directories unreadable: give them back before removing.
cleanup() {
	chmod -R u+rwx "$T" 2>/dev/null
	rm -rf "$T"
}
trap cleanup EXIT
# Everything an unprivileged user runs comes from here.
chmod 755 "$T"
mkdir "$T/bin"
cp "$SHIM" "$T/bin/shim.so"
for b in $BUILDS; do
	case $b in plain) s= ;; *) s=-$b ;; esac
	cp "$top_builddir/tests/walk-probe$s" "$T/bin/probe-$b"
done
SHIM=$T/bin/shim.so
chmod -R a+rX "$T/bin"

PY=$(command -v python3 2>/dev/null) || PY=
if [ -z "$PY" ]; then
	echo "FAIL: python3 is needed (it checks the JSON log)" >&2
	exit 1
fi

# The 64-bit build must really call the *64 names, the others must not.
n64=$(nm -D "$T/bin/probe-fortify64" | grep -cE ' U (nftw64|ftw64|glob64|scandir64|scandirat64|fts64_open|fts64_read|fts64_children|fts64_set|fts64_close)@')
check "fortify64 probe calls the 10 *64 walkers (found $n64)" [ "$n64" -eq 10 ]
n32=$(nm -D "$T/bin/probe-plain" | grep -cE ' U (nftw|ftw|glob|scandir|scandirat|fts_open|fts_read|fts_children|fts_set|fts_close)@')
check "plain probe calls the 10 plain walkers (found $n32)" [ "$n32" -eq 10 ]

# ------------------------------------------------------------------------
# 1. Differential
# ------------------------------------------------------------------------
D=$T/diff
mkdir -p "$D/a/sub/deeper" "$D/a/with space" "$D/b" "$D/c" "$D/cyc" "$D/lp" "$D/mnt" \
	"$D/noread" "$D/nox" "$D/long"
printf 'one\n' > "$D/a/f1"
printf 'two\n' > "$D/a/f2"
printf 'hidden\n' > "$D/a/.hidden"
printf 'three\n' > "$D/a/sub/f3"
printf 'four\n' > "$D/a/sub/deeper/f4"
printf 'five\n' > "$D/a/with space/f5"
for i in $(seq -w 1 35); do printf '%s\n' "$i" > "$D/c/n$i"; done
printf 'x\n' > "$D/c/skip-me"
printf 'x\n' > "$D/noread/hidden-file"
printf 'x\n' > "$D/nox/unreachable"
mkfifo "$D/fifo"
ln -s a/f1 "$D/ln-file"
ln -s a/sub "$D/ln-dir"
ln -s "$D/a/sub/deeper" "$D/abs-in"
ln -s nowhere "$D/dangling"
ln -s .. "$D/cyc/back"
ln -s . "$D/cyc/self"
ln -s loop "$D/lp/loop"
# A path longer than fts's first path buffer (1024 + 256), so that it moves.
p=$D/long
for i in 1 2 3 4 5 6 7; do
	p=$p/$(printf "d$i%.0s" $(seq 1 95))
	mkdir "$p"
done
printf 'end\n' > "$p/leaf"
chmod 000 "$D/noread"
chmod 644 "$D/nox"

# The cases, one per line: probe arguments, @ standing for $D. Cases
# starting with "cd:" run in $T with a relative path.
cat > "$T/cases" <<'EOF'
nftw @
nftw @ phys
nftw @ depth
nftw @ mount
nftw @ chdir
nftw @ chdir depth phys
nftw @ chdir actionretval skipsub=sub
nftw @ actionretval skipsub=a
nftw @ actionretval skipsib=f1
nftw @ actionretval depth skipsib=f3
nftw @ actionretval stop=f3
nftw @ stop=f3
nftw @ depth ret=5@deeper
nftw @ actionretval ret=2@f2
nftw @/a/f1
nftw @/ln-dir
nftw @/ln-dir phys
nftw @/dangling
nftw @/dangling phys
nftw @/lp
nftw @/nonexistent
nftw @///
nftw @ badflag
nftw @/cyc
nftw @/cyc phys depth
cd: nftw diff
cd: nftw diff chdir depth
cd: nftw diff/a/ chdir
ftw @
ftw @ stop=f3
ftw @/dangling
fts physical -- @
fts physical nochdir -- @
fts physical nochdir compar -- @
fts logical -- @
fts logical compar -- @
fts physical seedot nochdir -- @/a
fts physical seedot -- @/a
fts physical comfollow nochdir -- @/ln-dir @/a @/dangling @/ln-file
fts physical nochdir -- @/ln-dir @/dangling @/a/f1 @/
fts physical nochdir compar -- @/c @/b @/a
fts physical xdev nochdir -- @
fts physical nostat nochdir -- @
fts physical nostat seedot nochdir -- @/a @/c
fts logical nostat -- @
fts physical nochdir children -- @
fts logical children compar -- @
fts physical nochdir nameonly -- @
fts physical nochdir initchildren compar -- @/a @/b @/c
fts physical nochdir skip=sub -- @
fts physical nochdir follow=ln-dir -- @
fts physical nochdir follow=dangling -- @
fts physical nochdir again=f1 -- @
fts physical nochdir -- @/cyc
fts logical -- @/cyc
fts badopt -- @
fts physical nochdir -- @/nonexistent
fts physical nochdir -- @/lp
fts logical -- @/lp
cd: fts physical -- diff
cd: fts logical -- diff/a diff/ln-dir
glob -- @/*
glob mark -- @/*
glob onlydir -- @/*
glob -- @/*/
glob mark onlydir -- @/*/*
glob nocheck -- @/nomatch*
glob -- @/nomatch*
glob nomagic -- @/nomagic
glob brace -- @/{a,b,c}/*
glob brace mark -- @/{a,ln-dir}/{f*,sub}
glob period -- @/a/*
glob -- @/a/?2 @/c/n[0-1][0-9]
glob -- @/*/f[0-9]
glob -- @/*/*/*
glob -- @/dangling @/ln-dir @/a/sub/deeper/f4 @/lp/loop @/nothere
glob mark -- @/ln-dir @/abs-in @/a/f1
glob nosort -- @/c/*
glob errfunc -- @/*/x*
glob err errfunc -- @/*/*
glob append errfunc -- @/a/* @/b/* @/c/n0*
glob dooffs -- @/a/*
glob noescape -- @/a/f\1 @/a/f[12]
glob -- @/a/f\1
glob -- @/a/with?space/*
cd: glob mark -- diff/*/*
cd: glob mark -- di*/*
scandir @
scandir @ filter sort
scandir @/c filter sort
scandir @/c
scandir @/a/f1
scandir @/nonexistent
scandir @/ln-dir sort
scandir @/noread sort
scandirat @ a filter sort
scandirat @/a ../c sort
scandirat . @/a sort
scandirat @ .
scandirat @/a/f1 x
cd: scandir diff/a sort
cd: scandirat . diff/cyc sort
EOF

# run_case OUT BUILD LINE [ENV...]: one case, without the shim when no
# ENV is given. AS is a command prefix (setpriv) or empty.
AS=
run_case() {
	local out=$1 build=$2 line=$3 dir=/ args
	shift 3
	case $line in
	cd:*) dir=$T; line=${line#cd: } ;;
	esac
	line=${line//@/$D}
	# Word splitting, no globbing: the patterns reach glob as written.
	set -f
	args=($line)
	set +f
	(cd "$dir" && $AS env ${1+"$@"} "$T/bin/probe-$build" "${args[@]}") > "$out" 2>&1
}

# differential TAG CASEFILE: every case, every build, both backends.
differential() {
	local tag=$1 cases=$2 build line n=0 be
	while IFS= read -r line; do
		n=$((n + 1))
		for build in $BUILDS; do
			run_case "$T/base" "$build" "$line"
			for be in openat2 walker; do
				run_case "$T/got" "$build" "$line" LD_PRELOAD="$SHIM" \
					BENEATH_ROOTS="$D" BENEATH_RESOLVER=$be
				expect_same "[$tag $build $be] $line" "$T/base" "$T/got"
			done
		done
	done < "$cases"
	echo "differential ($tag): $n cases x 3 builds x 2 backends"
}

differential root "$T/cases"

# The unreadable (noread, mode 000) and unsearchable (nox, 644) directories
# only mean something to an unprivileged user.
if [ "$(id -u)" -ne 0 ]; then
	AS=
	nobody_ok=1
elif command -v setpriv > /dev/null &&
	setpriv --reuid=65534 --regid=65534 --clear-groups true 2>/dev/null; then
	AS="setpriv --reuid=65534 --regid=65534 --clear-groups"
	nobody_ok=1
else
	nobody_ok=0
	skip "unreadable directories: running as root and setpriv cannot drop to uid 65534"
fi
if [ "$nobody_ok" = 1 ]; then
	# fts without FTS_NOCHDIR is left out: glibc's then cannot enter an
	# unsearchable directory and lists nothing in it, where the shim's
	# (which never changes directory) lists its names as FTS_NS.
	grep -E '^(nftw|ftw|fts|glob|scandir)' "$T/cases" |
		grep -vE '^fts (physical|comfollow|seedot|xdev|nostat|children|nameonly|skip|follow|again|initchildren|compar|[a-z]+=[^ ]*| )* -- ' > "$T/cases-user"
	run_case "$T/base" plain "nftw @"
	if grep -q '^nftw DNR .*/noread$' "$T/base" && grep -q '^nftw NS .*/nox/unreachable$' "$T/base"; then
		ok
		differential unprivileged "$T/cases-user"
	else
		bad "as an unprivileged user, nftw did not report noread as FTW_DNR and nox/unreachable as FTW_NS:"
		sed 's/^/    /' "$T/base" | head -n 20
	fi
	AS=
fi

# A mount point in the tree, in a private mount namespace that ends with
# the test: FTW_MOUNT and FTS_XDEV must stop at it.
cat > "$T/cases-mnt" <<'EOF'
nftw @
nftw @ mount
nftw @ mount phys depth
fts physical xdev nochdir -- @
fts logical xdev -- @
fts physical nochdir -- @
EOF
if [ "$(id -u)" -eq 0 ] && command -v unshare > /dev/null &&
	unshare -m --propagation private true 2>/dev/null; then
	cat > "$T/mnt.sh" <<EOF
mount -t tmpfs walk-test "$D/mnt" || exit 3
mkdir "$D/mnt/inner" && printf 'mounted\n' > "$D/mnt/inner/file" || exit 3
. "$T/funcs.sh"
differential mount "$T/cases-mnt"
run_case "$T/m1" plain "nftw @"
run_case "$T/m2" plain "nftw @ mount"
grep -q '/mnt/inner/file\$' "$T/m1" && ! grep -q '/mnt/inner' "$T/m2" && ok || bad "FTW_MOUNT did not leave out the mount point's contents"
echo "counts \$pass \$fail"
EOF
	declare -f ok bad expect_same run_case differential > "$T/funcs.sh"
	res=$(pass=0 fail=0 T=$T D=$D SHIM=$SHIM BUILDS=$BUILDS AS= \
		unshare -m --propagation private bash "$T/mnt.sh" 2>&1)
	st=$?
	if [ $st -eq 3 ]; then
		skip "mount points: cannot mount a tmpfs in a private namespace: $res"
	else
		printf '%s\n' "$res" | grep -v '^counts '
		set -- $(printf '%s\n' "$res" | sed -n 's/^counts //p')
		if [ $# -eq 2 ]; then
			pass=$((pass + $1))
			fail=$((fail + $2))
		else
			bad "the mount namespace run did not finish: $res"
		fi
	fi
else
	skip "mount points (FTW_MOUNT, FTS_XDEV across one): need root and unshare -m"
fi

# ------------------------------------------------------------------------
# 2. Attacks
# ------------------------------------------------------------------------
A=$T/atk/root
O=$T/atk/OUTSIDE
LOG=$T/log.json
mkdir -p "$A/in/sub" "$A/d" "$O/outsub"
printf 'inside\n' > "$A/in/f"
printf 'inside too\n' > "$A/in/sub/g"
printf 'CANARY\n' > "$O/OUTSIDE-SECRET"
printf 'CANARY\n' > "$O/outsub/OUTSIDE-SECRET2"
ln -s "$O" "$A/escdir"                          # a directory outside
ln -s ../../OUTSIDE "$A/d/dl"                   # d/dl -> ../../OUTSIDE
ln -s "$O/OUTSIDE-SECRET" "$A/abssecret"        # the secret itself
ln -s ../in/f "$A/d/inlink"                     # a legitimate one

cat > "$T/attacks" <<'EOF'
nftw @
nftw @ depth
nftw @ chdir
nftw @ mount
nftw @/escdir
nftw @/d/dl depth
ftw @
fts logical -- @
fts logical compar children -- @
fts physical nochdir comfollow -- @/escdir @/abssecret @/d/dl
fts physical nochdir follow=escdir -- @
fts physical nochdir follow=abssecret -- @
glob -- @/*/*SECRET*
glob -- @/*/*/*SECRET*
glob -- @/d/*/*SECRET*
glob -- @/escdir/OUTSIDE-SECRET
glob -- @/escdir/outsub
glob mark -- @/*
glob onlydir -- @/*/*
glob brace -- @/{escdir,d/dl}/*
scandir @/escdir
scandir @/d/dl sort
scandir @/escdir/outsub
scandirat . @/escdir
EOF

# What came from outside: an outside name, or an escape link reported as
# what it leads to (a file or a directory, or GLOB_MARK's slash).
# (Not "glob ret=" lines: they repeat the pattern.)
escapes() {
	grep -v '^glob ret=' "$1" |
		grep -E 'OUTSIDE|outsub|mode=[fd].*/(escdir|dl|abssecret)$|(escdir|dl)/$'
}

# logcheck OUT LOG: every log record is well formed and a denial of an
# escape beneath $A; every escape link the probe reports as unreachable
# (SLN, SLNONE, NS) or refused (scandir -1) has its record.
cat > "$T/logcheck.py" <<'EOF'
import json, os, sys
out, log, root, case = sys.argv[1:5]
p = f = 0
def bad(m):
    global f
    f += 1
    print("FAIL: log [%s]: %s" % (case, m))
recs = []
for n, raw in enumerate(open(log, "rb").read().split(b"\n")[:-1], 1):
    try:
        r = json.loads(raw.decode())
    except ValueError as e:
        bad("line %d is not JSON: %r" % (n, raw[:200])); continue
    want = {"verdict": "denied", "reason": "escape", "root": root, "errno": "EACCES"}
    if not all(k in r for k in ("time", "pid", "exe", "call", "path")):
        bad("line %d lacks a field: %r" % (n, r)); continue
    if any(r.get(k) != v for k, v in want.items()):
        bad("line %d: %r" % (n, r)); continue
    p += 1
    recs.append(r)
paths = {r["path"] for r in recs}
bases = {os.path.basename(r["path"].rstrip("/")) for r in recs}
need = []
for line in open(out):
    w = line.split()
    if not w:
        continue
    path = line.rstrip("\n").rsplit(" ", 1)[-1]
    if w[0] in ("nftw", "ftw", "fts") and len(w) > 2 and w[1] in ("SLN", "SLNONE", "NS"):
        need.append(path)
    elif w[0] in ("scandir", "scandirat") and "ret=-1" in line:
        need.append([a for a in sys.argv[5].split() if a.startswith("/")][0])
for path in need:
    if path in paths or os.path.basename(path) in bases:
        p += 1
    else:
        bad("no record for %s" % path)
if not recs:
    bad("nothing was logged")
print("logcheck: %d %d" % (p, f))
EOF

D=$A   # run_case's @
while IFS= read -r line; do
	for build in $BUILDS; do
		run_case "$T/base" "$build" "$line"
		n=$(escapes "$T/base" | wc -l)
		if [ "$n" -gt 0 ]; then
			ok
		else
			bad "[attack $build] without the shim, '$line' did not reach outside (the test proves nothing)"
			sed 's/^/    /' "$T/base" | head -n 10
		fi
		[ "$build" = plain ] && echo "attack without the shim: $n escapes: $line"
		for be in openat2 walker; do
			: > "$LOG"
			run_case "$T/got" "$build" "$line" LD_PRELOAD="$SHIM" BENEATH_ROOTS="$A" \
				BENEATH_RESOLVER=$be BENEATH_LOG="$LOG"
			n=$(escapes "$T/got" | wc -l)
			if [ "$n" -eq 0 ]; then
				ok
			else
				bad "[attack $build $be] '$line' reached outside the root $n times:"
				escapes "$T/got" | head -n 10 | sed 's/^/    /'
			fi
			arg=${line//@/$A}
			res=$("$PY" "$T/logcheck.py" "$T/got" "$LOG" "$A" "$build $be $line" \
				"$arg" 2>&1)
			printf '%s\n' "$res" | grep -v '^logcheck: '
			set -- $(printf '%s\n' "$res" | sed -n 's/^logcheck: //p')
			if [ $# -eq 2 ]; then
				pass=$((pass + $1))
				fail=$((fail + $2))
			else
				bad "log checker did not run: $res"
			fi
		done
	done
done < "$T/attacks"

# scandirat with a directory fd and a relative name is confined only when
# the shim confines relative *at() calls (shim/dispatch.c): checked here,
# reported as a skip until then.
run_case "$T/base" plain "scandirat @ escdir"
run_case "$T/got" plain "scandirat @ escdir" LD_PRELOAD="$SHIM" BENEATH_ROOTS="$A"
check "without the shim, scandirat(dirfd, \"escdir\") reaches outside" grep -q OUTSIDE "$T/base"
if grep -q OUTSIDE "$T/got"; then
	skip "scandirat(dirfd, relative): the shim does not confine relative *at(dirfd) yet"
	dirfd_confined=0
else
	ok
	dirfd_confined=1
fi

# ------------------------------------------------------------------------
# 3. Real tools
# ------------------------------------------------------------------------
# C is A without the escape links: what each tool must see of A under the
# shim (outputs are compared with $C spelt $A, and with the lines that
# name an escape link itself taken out: they are in A and not in C).
C=$T/atk/copy
cp -a "$A" "$C"
rm "$C/escdir" "$C/d/dl" "$C/abssecret"
under() { env LD_PRELOAD="$SHIM" BENEATH_ROOTS="$A" BENEATH_RESOLVER=$BE "$@"; }
nolinks() { sed "s|$C|$A|g" | grep -vE "(^|[/ ])(escdir|dl|abssecret)([/: ]|$)" | sort; }
outside_snap() { (cd "$O" && find . -printf '%p %y %s\n' | sort && md5sum OUTSIDE-SECRET); }
outside_snap > "$T/outside-before"

tools() {
	local what=$1 dir=$2
	case $what in
	find) find "$dir" ;;
	find-L) find -L "$dir" ;;
	du) du -a --inodes -L "$dir" ;;
	grep) grep -R CANARY "$dir"; grep -R inside "$dir" ;;
	tar) tar -h -cf "$T/x.tar" -C "$(dirname "$dir")" "$(basename "$dir")" 2>/dev/null
		tar -tf "$T/x.tar" | sed "s|^$(basename "$dir")/|$dir/|; s|/$||" ;;
	cp) rm -rf "$T/cp-dst"
		cp -r "$dir" "$T/cp-dst" 2>/dev/null
		(cd "$T/cp-dst" && find . -printf '%p %y\n' && cat in/f in/sub/g) | sed "s|^\.|$dir|" ;;
	cpL) rm -rf "$T/cp-dst"
		cp -rL "$dir" "$T/cp-dst" 2>/dev/null
		(cd "$T/cp-dst" && find . -printf '%p %y\n' && grep -r CANARY .) | sed "s|^\.|$dir|" ;;
	esac
}

for BE in openat2 walker; do
	for what in find find-L du grep tar cp cpL; do
		tools "$what" "$C" 2>/dev/null | nolinks > "$T/tool-base"
		tools "$what" "$A" 2>/dev/null > "$T/tool-raw0"
		under bash -c "$(declare -f tools); T=$T tools $what $A" 2>/dev/null > "$T/tool-raw"
		n0=$(grep -c -E 'OUTSIDE|CANARY' "$T/tool-raw0")
		n=$(grep -c -E 'OUTSIDE|CANARY' "$T/tool-raw")
		[ "$BE" = openat2 ] && echo "$what without the shim: $n0 lines from outside"
		if [ "$n" -ne 0 ]; then
			if [ "$dirfd_confined" = 0 ]; then
				skip "[$BE] $what reaches outside under the shim: relative *at(dirfd) is not confined yet"
			else
				bad "[$BE] $what reached outside under the shim:"
				grep -E 'OUTSIDE|CANARY' "$T/tool-raw" | head -n 5 | sed 's/^/    /'
			fi
			continue
		fi
		ok
		nolinks < "$T/tool-raw" > "$T/tool-got"
		expect_same "[$BE] $what over the root, as over a copy without the escapes" \
			"$T/tool-base" "$T/tool-got"
	done
	# rm -r: removes the tree, links and all, and nothing outside.
	rm -rf "$T/atk/rmroot"
	cp -a "$A" "$T/atk/rmroot"
	env LD_PRELOAD="$SHIM" BENEATH_ROOTS="$T/atk/rmroot" BENEATH_RESOLVER=$BE \
		rm -r "$T/atk/rmroot/d" "$T/atk/rmroot/escdir" "$T/atk/rmroot/in"
	check "[$BE] rm -r under the shim removed what it was given" \
		[ ! -e "$T/atk/rmroot/d" -a ! -L "$T/atk/rmroot/escdir" -a ! -e "$T/atk/rmroot/in" ]
	outside_snap > "$T/outside-after"
	check "[$BE] tools under the shim left the outside alone" cmp -s "$T/outside-before" "$T/outside-after"
done
# The tools that follow links do reach the outside without the shim.
for what in find-L du grep tar cpL; do
	n0=$(tools "$what" "$A" 2>/dev/null | grep -c -E 'OUTSIDE|CANARY')
	check "$what without the shim reaches outside ($n0 lines)" [ "$n0" -gt 0 ]
done

# ------------------------------------------------------------------------
# 4. Memory: valgrind over the probe under the shim
# ------------------------------------------------------------------------
if command -v valgrind > /dev/null; then
	D=$T/diff
	while IFS= read -r line; do
		# (valgrind does not know openat2)
		run_case "$T/vg" plain "$line" LD_PRELOAD="$SHIM" BENEATH_ROOTS="$D" \
			BENEATH_RESOLVER=walker valgrind --quiet --error-exitcode=99 --leak-check=full \
			--errors-for-leak-kinds=definite
		if grep -q '^==[0-9]*==' "$T/vg"; then
			bad "valgrind: $line"
			grep '^==[0-9]*==' "$T/vg" | head -n 20 | sed 's/^/    /'
		else
			ok
		fi
	done <<'EOF'
fts physical nochdir compar children -- @ @/a
fts logical nameonly -- @
fts physical nochdir skip=sub follow=ln-dir again=f1 -- @
nftw @ chdir depth
nftw @ actionretval skipsib=f1
glob brace mark -- @/{a,c,ln-dir}/*
scandir @/c filter sort
EOF
else
	skip "memory checks: valgrind is not installed"
fi

echo "test-walk: skipped:${skipped:- nothing}"
echo "test-walk: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
