#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
#
# Real nginx serving per-user roots (/~USER/ from HOME/USER/www), without
# the shim and under the beneath launcher with each resolver backend. The
# tree, the configuration and starting and stopping nginx are in
# tests/nginx-lib.sh, shared with scripts/demo; nginx runs as one process
# (daemon off, master_process off) with every file it writes under the
# scratch directory, on a free loopback port.
#
# alice has planted in her www: an absolute link to bob's secring.gpg and
# one to his private/secret, a relative one (../../bob/private/secret),
# one from a subdirectory (docs/up -> ../../../bob/...), a relative and an
# absolute directory link to bob/private (requested as bobdir/secret and
# bobabs/secret), and a link to /etc/shadow (never printed: 200 and a
# "root:" prefix is all that is checked). Her own files, a subdirectory,
# absolute and relative links that stay inside her www, a link with "..",
# a directory link inside, and bob's public files are the legitimate
# requests; /~alice/../... requests are normalised by nginx itself.
#
#  1. Without the shim: every escape is served (200 and the outside
#     file's bytes), counted and listed; every legitimate file is served.
#  2. Under `beneath --root 'HOME/*/www' --log LOG --resolver R` for R in
#     openat2 and walker: 403 for every escape, 200 and the right bytes
#     for every legitimate file; the JSON log holds a denial of every
#     escape (exe nginx, an open call, the path nginx asked for, root
#     alice's www, reason escape, errno EACCES) and nothing else; nginx
#     logs no crit/alert/emerg and exits 0 on SIGTERM.
#  3. The same with "disable_symlinks if_not_owner", under which nginx
#     opens each path component by component with openat() from the
#     previous directory's fd (the shim's dirfd-relative paths in a real
#     program): the links all have their targets' owner, so nginx alone
#     serves the escapes, and under the shim they are refused; each
#     denial names the link nginx passed to openat() ("key", "up",
#     "bobdir"), the shim's log giving the path as the program passed it.
#  4. nginx's own normalisation (/~alice/../bob/..., /~alice/../~bob/,
#     going above "/", %2e%2e): the same status with and without the
#     shim, bob's public page for /~alice/../~bob/, never a secret.
#  5. A link swapped while requests are in flight: www/img retargeted
#     atomically between alice's img.real and bob's private directory by
#     an attacker process while curl asks for /~alice/img/secret: without
#     the shim bob's secret is served (counted, > 0), under it never (403,
#     one denial record each); nothing but alice's page, bob's or 403.
#
# Skipped (status 77), saying why, when nginx or curl is missing and
# cannot be installed (apt-get as root or with sudo -n). The last line is
# "test-nginx: N passed, M failed"; the exit status is 1 if M > 0.
here=$(cd "$(dirname "$0")" && pwd)
. "$here/testlib.sh"

BENEATH=$top_builddir/beneath
need_built -s test-nginx "$BENEATH" "$SHIM"
need_python3 -s test-nginx "it reads the JSON log"

# The configuration names the tree too: no character nginx would need
# quoted either.
make_tmpdir test-nginx "BENEATH_ROOTS or nginx's configuration"
case $T in
*[\;\{\}\"\'\$\#]*)
	stop_early test-nginx "temporary directory $T has a character nginx's configuration would need quoted" ;;
esac
NGX_DIR=$T
. "$here/nginx-lib.sh"

# A make check run may hand us a configuration of its own.
unset BENEATH_ROOTS BENEATH_MODE BENEATH_OUTSIDE BENEATH_ERRNO BENEATH_LOG BENEATH_RESOLVER
unset LD_PRELOAD
# A launcher built with ASan (configure --enable-sanitizers) must not trip
# over its own leaks here: tests/test-launcher.sh checks those.
if ldd "$BENEATH" 2> /dev/null | grep -q libasan; then
	export ASAN_OPTIONS=${ASAN_OPTIONS:+$ASAN_OPTIONS:}detect_leaks=0
fi

if ! nginx_find; then
	echo "SKIP: $NGX_WHY"
	echo "test-nginx: 0 passed, 0 failed"
	exit 77
fi
NGINX_EXE=$(readlink -f "$NGINX")

nginx_tree
REQUESTS=$NGX_REQUESTS
if [ ! -r /etc/shadow ]; then
	skip "/~alice/shadow: /etc/shadow is not readable by uid $(id -u), so nginx could not serve it anyway"
	REQUESTS=$(printf '%s\n' "$REQUESTS" | grep -v ' /etc/shadow$')
fi
ALICE_WWW=$NGX_HOME/alice/www
LOG=$T/beneath.log

# no_secret: the body holds none of bob's private bytes.
no_secret() {
	! grep -q -e "BOB'S SECRET KEY" -e 'BOB PRIVATE' -e '^root:' "$NGX_BODY"
}

# start LABEL [WRAPPER...]: nginx, or stop the test.
start() {
	local label=$1
	shift
	if nginx_start "$@"; then
		ok
	else
		bad "$label: nginx did not start: $NGX_WHY"
		echo "test-nginx: $pass passed, $fail failed"
		exit 1
	fi
}

# stop LABEL: nginx exits 0 on SIGTERM, having logged nothing worse
# than an error (a refused open is one).
stop() {
	local worse
	nginx_stop
	check_eq "$1: nginx's exit status after SIGTERM" 0 "$NGX_EXIT"
	worse=$(grep -E '\[(crit|alert|emerg)\]' "$NGX_PREFIX/logs/error.log")
	check_eq "$1: nginx's error log has no crit, alert or emerg line" "" "$worse"
}

# requests LABEL MODE: every request; MODE plain (escapes served) or
# shim (escapes refused).
requests() {
	local label=$1 mode=$2 kind path exp want file escaped=0 n=0
	while read -r kind path exp; do
		[ -n "$kind" ] || continue
		nginx_get "$path"
		case $kind in
		legit)
			if [ "$NGX_STATUS" = 200 ] && nginx_served "$exp"; then
				ok
			else
				bad "$label: GET $path: expected 200 and the bytes of $exp, got $NGX_STATUS," \
					"$(head -c 40 "$NGX_BODY" | tr -c '[:print:]' .)"
			fi ;;
		escape)
			n=$((n + 1))
			file=$exp
			if [ "$mode" = plain ]; then
				if [ "$NGX_STATUS" = 200 ] && nginx_served "$file"; then
					escaped=$((escaped + 1))
					echo "    $label: GET $path escaped: 200 with the bytes of $file"
					ok
				else
					bad "$label: GET $path: the planted link did not reach $file (status $NGX_STATUS)"
				fi
			else
				if [ "$NGX_STATUS" = 403 ] && no_secret; then
					ok
				else
					bad "$label: GET $path: expected 403, got $NGX_STATUS" \
						"$(nginx_served "$file" && echo "and the bytes of $file")"
				fi
			fi ;;
		nginx)
			want=${exp%%,*}
			file=
			[ "$want" = "$exp" ] || file=${exp#*,}
			if [ "$NGX_STATUS" = "$want" ] && no_secret &&
				{ [ -z "$file" ] || nginx_served "$file"; }; then
				ok
			else
				bad "$label: GET $path (normalised by nginx): expected $want${file:+ and the bytes of $file}, got $NGX_STATUS"
			fi ;;
		esac
	done <<< "$REQUESTS"
	if [ "$mode" = plain ]; then
		echo "    $label: $escaped of $n planted links served outside alice's www"
		check "$label: the escapes work without the shim (count > 0)" [ "$escaped" -gt 0 ]
	fi
}

# first_link REL: the first component of REL (under alice's www) that is
# a symlink: the name nginx passes to openat() when it walks the path.
first_link() {
	local rest=$1 at=$ALICE_WWW c
	while [ -n "$rest" ]; do
		c=${rest%%/*}
		[ "$c" = "$rest" ] && rest= || rest=${rest#*/}
		[ -L "$at/$c" ] && { echo "$c"; return; }
		at=$at/$c
	done
}

# log_path HOW REL: the path a denial of /~alice/REL names, the path as
# nginx passed it: the whole path (HOW full), or the name of the link in
# its walk with openat() (HOW walk).
log_path() {
	if [ "$1" = full ]; then
		echo "$ALICE_WWW/$2"
	else
		first_link "$2"
	fi
}

# log_check LABEL FROM WANT: the log's records after its first FROM lines
# are denials of the paths in WANT (lines "PATH COUNT"), each as many
# times as COUNT, and nothing else.
log_check() {
	local label=$1 from=$2 want=$3 out
	out=$("$PY" - "$LOG" "$NGINX_EXE" "$ALICE_WWW" "$from" <<-'EOF' 3<<< "$want"
		import json, os, sys
		log, exe, www, start = sys.argv[1:]
		want, seen = {}, {}
		for line in os.fdopen(3):
		    if line.strip():
		        p, n = line.rsplit(None, 1)
		        want[p], seen[p] = int(n), 0
		try:
		    lines = open(log).read().splitlines()[int(start):]
		except FileNotFoundError:
		    lines = []
		for line in lines:
		    try:
		        r = json.loads(line)
		    except ValueError:
		        print("not JSON: %r" % line)
		        continue
		    p = r.get("path")
		    if p not in want:
		        print("unexpected record: %s" % line)
		        continue
		    bad = [k for k, v in (("exe", exe), ("root", www), ("verdict", "denied"),
		                          ("reason", "escape"), ("errno", "EACCES"))
		           if r.get(k) != v]
		    if r.get("call") not in ("open", "open64", "openat", "openat64"):
		        bad.append("call")
		    if bad:
		        print("record for %s: wrong %s: %s" % (p, ", ".join(bad), line))
		    seen[p] += 1
		for p, n in want.items():
		    if seen[p] == n:
		        print("%s: ok" % p)
		    else:
		        print("%s: %d denial record(s), expected %d" % (p, seen[p], n))
	EOF
	)
	local got ok_lines
	ok_lines=$(printf '%s\n' "$out" | grep -c ': ok$')
	got=$(printf '%s\n' "$out" | grep -v ': ok$')
	pass=$((pass + ok_lines))
	if [ -n "$got" ]; then
		bad "$label: the denial log (BENEATH_LOG):"
		printf '%s\n' "$got" | sed 's/^/    /'
	fi
}

# ------------------------------------------------------------------------
# A link swapped while requests are in flight: www/img is retargeted, each
# time atomically (a new link renamed over it), between img.real (alice's
# directory, inside) and ../../bob/private, by an attacker process, while
# curl makes keep-alive requests for /~alice/img/secret.
# Allowed: 200 with alice's bytes, and without the shim 200 with bob's
# (counted, > 0 required), under it 403; nothing else.
# ------------------------------------------------------------------------
RACE_REQUESTS=300
RACE_BATCHES=20
ATTACKER=

race_setup() {
	mkdir -p "$ALICE_WWW/img.real"
	printf "alice's picture page\n" > "$ALICE_WWW/img.real/secret"
	ln -sfn img.real "$ALICE_WWW/img"
}

# attacker_start: the attacker, once it has swapped both ways (it says so
# by creating $T/attacking).
attacker_start() {
	rm -f "$T/attacking"
	"$PY" - "$ALICE_WWW" "$T/attacking" <<-'EOF' &
		import os, sys
		www, ready = sys.argv[1:]
		targets = ("img.real", "../../bob/private")
		i = 0
		while True:
		    i += 1
		    os.symlink(targets[i % 2], www + "/img.new")
		    os.rename(www + "/img.new", www + "/img")
		    if i == 2:
		        open(ready, "w").close()
	EOF
	ATTACKER=$!
	while [ ! -e "$T/attacking" ] && kill -0 "$ATTACKER" 2> /dev/null; do
		sleep 0.01
	done
}

attacker_stop() {
	[ -n "$ATTACKER" ] || return 0
	kill "$ATTACKER" 2> /dev/null
	wait "$ATTACKER" 2> /dev/null
	ATTACKER=
	rm -f "$ALICE_WWW/img.new"
	ln -sfn img.real "$ALICE_WWW/img"
}

# race LABEL MODE: MODE plain or shim, as for requests; RACE_DENIED, the
# number of 403 answers. Batches of RACE_REQUESTS until both of the link's
# states have been seen (at most RACE_BATCHES: a loaded machine may
# deschedule the attacker for a whole batch).
race() {
	local label=$1 mode=$2 url i urls=() alice=0 bob=0 denied=0 other=0 n=0 out
	url=http://127.0.0.1:$NGX_PORT/~alice/img/secret
	for i in $(seq "$RACE_REQUESTS"); do urls+=("$url"); done
	attacker_start
	for i in $(seq "$RACE_BATCHES"); do
		# Each body, then a line "@@STATUS".
		out=$(curl -s --max-time 60 -w '\n@@%{http_code}\n' "${urls[@]}")
		n=$((n + RACE_REQUESTS))
		while read -r status body; do
			case $status/$body in
			200/"alice's picture page") alice=$((alice + 1)) ;;
			"200/BOB PRIVATE: the payroll") bob=$((bob + 1)) ;;
			403/*) denied=$((denied + 1)) ;;
			*) other=$((other + 1)) ;;
			esac
		done < <(printf '%s\n' "$out" | awk '
			/^@@/ { print substr($0, 3), (body ~ /^<html>/ ? "html" : body); body = ""; next }
			body == "" && $0 != "" { body = $0 }')
		[ "$alice" -gt 0 ] && [ $((bob + denied)) -gt 0 ] && break
	done
	attacker_stop
	echo "    $label, img swapped in flight: $n requests: $alice alice's page," \
		"$bob bob's secret, $denied 403, $other other"
	check_eq "$label, img swapped in flight: every request answered" \
		"$n" "$((alice + bob + denied + other))"
	check_eq "$label, img swapped in flight: no answer other than alice's page, bob's secret or 403" \
		0 "$other"
	if [ "$mode" = plain ]; then
		check "$label, img swapped in flight: bob's secret served without the shim (count > 0)" \
			[ "$bob" -gt 0 ]
		check_eq "$label, img swapped in flight: no 403 without the shim" 0 "$denied"
	else
		check_eq "$label, img swapped in flight: bob's secret never served under the shim" 0 "$bob"
		check "$label, img swapped in flight: some requests denied (the link was out)" \
			[ "$denied" -gt 0 ]
	fi
	check "$label, img swapped in flight: alice's page served some of the time" [ "$alice" -gt 0 ]
	RACE_DENIED=$denied
}

# scenario LABEL HOW: without the shim, then under it with each backend
# (HOW: what the log's paths are, for log_path).
scenario() {
	local label=$1 how=$2 r l kind path exp want= from
	while read -r kind path exp; do
		[ "$kind" = escape ] || continue
		want="$want$(log_path "$how" "${path#/~alice/}") 1
"
	done <<< "$REQUESTS"
	start "$label, without the shim"
	requests "$label, without the shim" plain
	race "$label, without the shim" plain
	stop "$label, without the shim"
	for r in openat2 walker; do
		l="$label, beneath --resolver $r"
		rm -f "$LOG"
		start "$l" "$BENEATH" --resolver "$r" --root "$NGX_HOME/*/www" --log "$LOG" --
		requests "$l" shim
		log_check "$l" 0 "$want"
		from=$(cat "$LOG" 2> /dev/null | wc -l)
		race "$l" shim
		log_check "$l, img swapped in flight" "$from" \
			"$(log_path "$how" img/secret) $RACE_DENIED"
		stop "$l"
	done
}

trap 'attacker_stop; nginx_stop; rm -rf "$T"' EXIT
race_setup
NGX_LOCATION_EXTRA=
scenario "nginx" full
NGX_LOCATION_EXTRA="disable_symlinks if_not_owner;"
scenario "nginx, disable_symlinks if_not_owner" walk

echo "test-nginx: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
