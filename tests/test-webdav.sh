#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
#
# A write-capable daemon under the shim (issue 7): lighttpd with
# mod_webdav serves HOME/alice/www read-write (webdav.activate, no auth)
# and is driven with curl. Outside alice's www, bob's HOME/bob/private
# holds a secret, a victim file, a file to delete and an empty directory.
# lighttpd runs in the foreground (lighttpd -D -f CONF) on a free loopback
# port, everything it writes (logs, pid, server.upload-dirs, mod_webdav's
# sqlite database for properties and locks) under the temporary
# directory: without the shim, then under
#   beneath --root "$T/home/*/www" --log LOG --resolver R -- lighttpd ...
# for R in openat2 and walker, and (as root) once more under openat2 with
# server.username = "nobody": lighttpd switches to nobody after binding,
# as a daemon is deployed, the trees then being nobody's. lighttpd 1.4
# itself runs as root when server.username is not set, which is how the
# other series run as uid 0. The configuration sets
# server.stat-cache-engine = "disable" (the tree is rebuilt between
# requests; a cached stat would hide the rebuild) and enables partial PUT
# (webdav.opts "deprecated-unsafe-partial-put": PUT with Content-Range
# writes into the existing file in place).
#
# Each request of the table below runs on a freshly built tree. What it
# did is its HTTP status, the change to bob's tree (sha256 of every file,
# type and link target of every entry, before and after: created, changed
# and deleted entries), whether bob's bytes reached the client or alice's
# www (a "disclosure": GET, COPY out of bob's tree, or a PROPFIND answer
# on his file), and alice's www after it (same digest).
#  - escape rows: without the shim, each one escapes (bob's tree changes,
#    or his bytes are disclosed: printed, required for every row, so the
#    count is > 0); under the shim nothing outside changes, nothing is
#    disclosed, the status is 4xx/5xx (printed; a 207 Multi-Status with a
#    failing resource counts), and the beneath log has a denial for the
#    request (reason escape, printed). lighttpd checks a COPY or MOVE
#    destination's parent with lstat, which follows every component but
#    the last: /up/x is refused, /up/empty/x escapes.
#  - link rows: requests on planted links that lighttpd itself handles
#    without escaping (PUT replaces the link, DELETE and MOVE act on the
#    link, COPY of a link and partial PUT open with O_NOFOLLOW, a COPY or
#    MOVE destination under a linked directory is refused after lstat):
#    bob's tree unchanged without the shim and under it, and under the
#    shim the same status and the same www as without it.
#  - legit rows: alice's uploads, partial PUTs, downloads, MKCOL, COPY,
#    MOVE, DELETE (files and collections), PROPFIND, PROPPATCH, LOCK (of
#    a file and of a new name), and the same through a relative and an
#    absolute link that stay in her www: 2xx without the shim; under it
#    the same status, the same www, the uploaded content, nothing logged.
# Then the race: PUT /d/upload.bin, 256 KiB at curl --limit-rate 256K,
# where www/d is a real directory at request start. lighttpd streams the
# body into an O_TMPFILE opened in www/d when the headers arrive, and at
# the end links it in by name (linkat www/d/upload.bin.PID.FD~, then
# renameat2). The test waits until lighttpd holds that O_TMPFILE (its
# /proc/PID/fd link "WWW/d/#N (deleted)"), then renames www/d away and
# plants www/d -> HOME/bob/private while the body is still in flight
# (checked after the swap: the O_TMPFILE, now in www/d.old, is still
# unnamed, so lighttpd's linkat comes after the swap). Without the shim,
# the upload lands in bob's directory in at least one of 3 tries; under
# the shim nothing in bob's tree changes in any of 2 tries per backend
# (1 in the nobody series),
# and in each try where the swap was in flight the client gets 4xx/5xx
# and the log has a denial.
# Finally lighttpd is still running (no crash) after each series.
#
# Without lighttpd or mod_webdav the test installs them with apt-get when
# run as root, and otherwise is skipped (status 77), saying why.
#
# Every failed assertion prints "FAIL:". The last line is
# "test-webdav: N passed, M failed"; the exit status is 1 if M > 0.
here=$(cd "$(dirname "$0")" && pwd)
. "$here/testlib.sh"

B=$top_builddir/beneath
need_built -s test-webdav "$B" "$SHIM"
B=$(cd "$(dirname "$B")" && pwd)/$(basename "$B")
BACKENDS="openat2 walker"
start=$(date +%s)

skip_all() {
	echo "SKIP: $*"
	echo "test-webdav: 0 passed, 0 failed"
	exit 77
}

# lighttpd and mod_webdav (Debian: lighttpd, lighttpd-mod-webdav), curl.
find_lighttpd() {
	LIGHTTPD=$(PATH=$PATH:/usr/sbin:/sbin command -v lighttpd) || LIGHTTPD=
	MODDIR=
	local d
	for d in /usr/lib/lighttpd /usr/lib64/lighttpd /usr/local/lib/lighttpd \
		/usr/lib/x86_64-linux-gnu/lighttpd; do
		if [ -e "$d/mod_webdav.so" ]; then
			MODDIR=$d
			break
		fi
	done
	CURL=$(command -v curl) || CURL=
	[ -n "$LIGHTTPD" ] && [ -n "$MODDIR" ] && [ -n "$CURL" ]
}
if ! find_lighttpd; then
	if [ "$(id -u)" = 0 ] && command -v apt-get > /dev/null; then
		echo "# installing lighttpd, lighttpd-mod-webdav and curl with apt-get"
		DEBIAN_FRONTEND=noninteractive apt-get install -y -q \
			lighttpd lighttpd-mod-webdav curl > /dev/null 2>&1 || true
	fi
	find_lighttpd || skip_all "lighttpd, its mod_webdav or curl is missing" \
		"(lighttpd=${LIGHTTPD:-none} mod_webdav=${MODDIR:-none} curl=${CURL:-none};" \
		"apt-get install lighttpd lighttpd-mod-webdav curl)"
fi
need_python3 -s test-webdav "it hashes the trees and reads the JSON log"

make_tmpdir test-webdav

# ------------------------------------------------------------------------
# The tree
# ------------------------------------------------------------------------
H=$T/home
W=$H/alice/www          # the document root, under the root $T/home/*/www
P=$H/bob/private        # outside: bob's files
RUN=$T/run              # lighttpd's pid, logs and upload dir
LOG=$T/beneath.json     # the beneath log
CONF=$T/lighttpd.conf
mkdir -p "$W" "$RUN/upload"
chmod 755 "$T"
DROP=""                 # the user lighttpd switches to (server.username)

printf 'ALICE-BODY uploaded by curl\n' > "$T/body"
printf 'XY' > "$T/body2"
head -c 262144 /dev/urandom > "$T/big"
cat > "$T/proppatch.xml" <<'EOF'
<?xml version="1.0" encoding="utf-8"?>
<D:propertyupdate xmlns:D="DAV:" xmlns:Z="urn:beneath-test"><D:set><D:prop>
<Z:note>alice was here</Z:note></D:prop></D:set></D:propertyupdate>
EOF
cat > "$T/lock.xml" <<'EOF'
<?xml version="1.0" encoding="utf-8"?>
<D:lockinfo xmlns:D="DAV:"><D:lockscope><D:exclusive/></D:lockscope>
<D:locktype><D:write/></D:locktype><D:owner>alice</D:owner></D:lockinfo>
EOF

# Rebuilt before every request. www itself is never removed: the shim
# keeps the root directory it opened first.
mktree() {
	find "$W" -mindepth 1 -maxdepth 1 -exec rm -rf {} +
	rm -rf "$H/bob"
	mkdir -p "$P/empty" "$W/d"
	printf 'BOB-SECRET\n' > "$P/secret"
	printf 'BOB-VICTIM original\n' > "$P/victim"
	printf 'BOB-FILE to delete\n' > "$P/file"
	printf 'alice-f\n' > "$W/d/f"
	printf 'alice-mine\n' > "$W/mine.txt"
	ln -s "$P/victim" "$W/victim"           # planted file link
	ln -s "$P" "$W/up"                      # planted directory link
	ln -s d "$W/in"                         # links that stay in www
	ln -s "$W/d" "$W/inabs"
	[ -z "$DROP" ] || chown -R "$DROP" "$H" "$RUN"
}

# snap DIR: one line per entry below DIR (path, type, the start of a
# file's sha256 or a link's target), sorted.
snap() {
	(cd "$1" && {
		find . -mindepth 1 ! -type f -printf '%P %y %l\n'
		find . -mindepth 1 -type f -exec sha256sum {} + |
			awk '{ sub(/^\.\//, "", $2); print $2, "f", substr($1, 1, 16) }'
	} | LC_ALL=C sort)
}

# snap_home: snap of HOME split in two, bob's entries in T/bob.after and
# alice's www in T/www.after.
snap_home() {
	snap "$H" | awk -v b="$T/bob.after" -v w="$T/www.after" '
		/^bob\// { print > b }
		/^alice\/www\// { print > w }'
}

# bob_changes BEFORE AFTER: "created X", "changed X", "deleted X", one a
# line.
bob_changes() {
	awk 'NR == FNR { a[$1] = $0; next }
	     { b[$1] = $0 }
	     END {
		for (k in a)
			if (!(k in b)) print "deleted", k
			else if (a[k] != b[k]) print "changed", k
		for (k in b)
			if (!(k in a)) print "created", k
	     }' "$1" "$2" | LC_ALL=C sort
}

# disclosed FILE...: bob's bytes ("BOB-") or a PROPFIND answer on his
# file (size, times) in FILE, or his bytes anywhere in www.
disclosed() {
	grep -qs 'BOB-\|/up/secret<' "$@" && return 0
	grep -rqs 'BOB-' "$W"
}

# log_since N: the log records after line N, "call path verdict reason"
# each (check_log parses the whole log as JSON).
log_since() {
	tail -n "+$(($1 + 1))" "$LOG" |
		sed -n 's/.*"call":"\([^"]*\)","path":"\([^"]*\)".*"verdict":"\([^"]*\)","reason":"\([^"]*\)".*/\1 \2 \3 \4/p'
}
# check_log DESC: every line of the log is a JSON object with the fields.
check_log() {
	check "$1: the beneath log is JSON lines" "$PY" -c '
import json, sys
for raw in open(sys.argv[1], "rb").read().split(b"\n")[:-1]:
    r = json.loads(raw.decode("latin-1"))
    assert r["verdict"] == "denied" and r["reason"] == "escape", r
    assert r["exe"].endswith("/lighttpd"), r
' "$LOG"
}
log_lines() {
	if [ -e "$LOG" ]; then wc -l < "$LOG"; else echo 0; fi
}

# ------------------------------------------------------------------------
# lighttpd
# ------------------------------------------------------------------------
free_port() {
	"$PY" -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

write_conf() {
	cat > "$CONF" <<EOF
server.modules = ( "mod_webdav" )
server.document-root = "$W"
server.bind = "127.0.0.1"
server.port = $PORT
server.pid-file = "$RUN/lighttpd.pid"
server.errorlog = "$RUN/error.log"
server.upload-dirs = ( "$RUN/upload" )
server.stat-cache-engine = "disable"
webdav.activate = "enable"
webdav.sqlite-db-name = "$RUN/webdav.db"
webdav.opts += ( "deprecated-unsafe-partial-put" => "enable" )
EOF
	if [ -n "$DROP" ]; then
		printf 'server.username = "%s"\nserver.groupname = "%s"\n' \
			"$DROP" "$(id -gn "$DROP")" >> "$CONF"
	fi
}

# start_server MODE: lighttpd without the shim (MODE "none") or under the
# launcher with backend MODE; SPID is what we started, LPID lighttpd's
# own pid (its pid file), U the base URL. A port taken between
# free_port and the bind is retried with another one.
start_server() {
	local mode=$1 try
	for try in 1 2 3 4 5; do
		PORT=$(free_port)
		U=http://127.0.0.1:$PORT
		write_conf
		rm -f "$RUN/lighttpd.pid" "$RUN/error.log" "$RUN/webdav.db"
		if [ "$mode" = none ]; then
			"$LIGHTTPD" -D -m "$MODDIR" -f "$CONF" > "$RUN/stdout" 2>&1 &
		else
			"$B" --root "$H/*/www" --log "$LOG" --resolver "$mode" -- \
				"$LIGHTTPD" -D -m "$MODDIR" -f "$CONF" > "$RUN/stdout" 2>&1 &
		fi
		SPID=$!
		for _ in $(seq 200); do
			kill -0 "$SPID" 2>/dev/null || break
			if [ -s "$RUN/lighttpd.pid" ] &&
			   [ "$("$CURL" -s -o /dev/null -w '%{http_code}' "$U/mine.txt")" != 000 ]; then
				LPID=$(cat "$RUN/lighttpd.pid")
				return 0
			fi
			sleep 0.05
		done
		kill "$SPID" 2>/dev/null
		wait "$SPID" 2>/dev/null
		grep -q "can't bind" "$RUN/error.log" 2>/dev/null || break
	done
	echo "lighttpd ($mode) did not start:"
	cat "$RUN/stdout" "$RUN/error.log" 2>/dev/null | sed 's/^/    /'
	return 1
}

stop_server() {
	check "$1: lighttpd still running after the requests (no crash)" kill -0 "$LPID"
	kill "$SPID" 2>/dev/null
	wait "$SPID" 2>/dev/null
	if [ -s "$RUN/error.log" ] && grep -qv 'server st' "$RUN/error.log"; then
		echo "# $1: lighttpd's error log:"
		grep -v 'server st' "$RUN/error.log" | head -n 20 | sed 's/^/#    /'
	fi
}

# ------------------------------------------------------------------------
# The requests: KIND METHOD PATH ARG [EXPECT]
#   ARG: a Destination path for COPY and MOVE, "body" for PUT (T/body),
#   "big" (T/big, 256 KiB), "range" for a partial PUT of T/body2 at
#   offset 0, "-" otherwise.
#   EXPECT (legit rows): a file in www that must hold what was uploaded.
# ------------------------------------------------------------------------
cat > "$T/requests" <<'EOF'
escape PUT      /up/new           body
escape PUT      /up/victim        range
escape DELETE   /up/file          -
escape DELETE   /up/empty/        -
escape MKCOL    /up/dir           -
escape MOVE     /up/file          /mine
escape MOVE     /mine.txt         /up/empty/x
escape COPY     /mine.txt         /up/empty/copy
escape COPY     /d/               /up/empty/d/
escape COPY     /up/secret        /stolen
escape GET      /up/secret        -
escape GET      /victim           -
escape PROPFIND /up/secret        -
escape LOCK     /up/locked        -
link   PUT      /victim           body
link   PUT      /victim           range
link   DELETE   /victim           -
link   MOVE     /victim           /moved
link   COPY     /victim           /stolen
link   MOVE     /mine.txt         /up/x
link   COPY     /mine.txt         /up/copy
link   DELETE   /up               -
legit  PUT      /d/new            body   d/new
legit  PUT      /d/f              body   d/f
legit  PUT      /d/f              range
legit  PUT      /new.txt          body   new.txt
legit  PUT      /d/big            big    d/big
legit  GET      /d/f              -
legit  MKCOL    /d/sub            -
legit  COPY     /d/f              /d/g
legit  MOVE     /d/f              /h
legit  MOVE     /d/               /e/
legit  COPY     /d/               /e/
legit  DELETE   /d/f              -
legit  DELETE   /d/               -
legit  PROPFIND /d/               -
legit  PROPPATCH /d/f             -
legit  LOCK     /d/f              -
legit  LOCK     /d/lockme         -
legit  PUT      /in/x             body   d/x
legit  PUT      /inabs/y          body   d/y
legit  GET      /inabs/f          -
legit  MOVE     /in/f             /z
legit  DELETE   /inabs/f          -
EOF

# request METHOD PATH ARG: curl, the status in STATUS, the body in T/resp.
request() {
	local m=$1 p=$2 a=$3
	local args=(-s -o "$T/resp" -w '%{http_code}' --max-time 20)
	case $m in
	PUT)
		case $a in
		range) SENT=$T/body2; args+=(-H 'Content-Range: bytes 0-1/*') ;;
		big) SENT=$T/big ;;
		*) SENT=$T/body ;;
		esac
		args+=(-T "$SENT") ;;
	COPY|MOVE)
		args+=(-X "$m" -H "Destination: $U$a") ;;
	PROPFIND)
		args+=(-X PROPFIND -H 'Depth: 1') ;;
	PROPPATCH)
		args+=(-X PROPPATCH -H 'Content-Type: application/xml' --data-binary @"$T/proppatch.xml") ;;
	LOCK)
		args+=(-X LOCK -H 'Content-Type: application/xml' -H 'Timeout: Second-600' \
			--data-binary @"$T/lock.xml") ;;
	*)
		args+=(-X "$m") ;;
	esac
	STATUS=$("$CURL" "${args[@]}" "$U$p" < /dev/null) || true
	# A 207 Multi-Status carries the status of each resource: the first
	# failing one is appended (207:403).
	local inner
	if [ "$STATUS" = 207 ]; then
		inner=$(grep -o 'HTTP/1\.1 [45][0-9][0-9]' "$T/resp" | head -n 1)
		[ -z "$inner" ] || STATUS=207:${inner#HTTP/1.1 }
	fi
}

# run_requests MODE: every row on a fresh tree; one line per row in
# T/result.MODE: "N STATUS ESCAPED WWW-DIGEST", with the details in
# T/detail.MODE.N.
run_requests() {
	local mode=$1 n=0 kind m p a e ch esc www
	: > "$T/result.$mode"
	while read -r kind m p a e; do
		n=$((n + 1))
		mktree
		rm -f "$T/resp"
		local l0
		l0=$(log_lines)
		request "$m" "$p" "$a"
		snap_home
		ch=$(bob_changes "$T/bob.before" "$T/bob.after")
		esc=no
		[ -z "$ch" ] || esc=yes
		if disclosed "$T/resp"; then
			esc=yes
			ch="${ch:+$ch
}disclosed bob's data"
		fi
		www=$(sha256sum < "$T/www.after" | cut -c1-16)
		{
			printf '%s\n' "$ch"
			[ "$mode" = none ] || log_since "$l0"
		} > "$T/detail.$mode.$n"
		if [ -n "$e" ] && ! cmp -s "$SENT" "$W/$e"; then
			www="$www:$e-wrong"
		fi
		echo "$n $STATUS $esc $www" >> "$T/result.$mode"
	done < "$T/requests"
}

# ------------------------------------------------------------------------
# The race
# ------------------------------------------------------------------------
# tmpfile_in DIR: lighttpd holds an O_TMPFILE opened in DIR and not yet
# linked in ("DIR/#INODE (deleted)").
tmpfile_in() {
	find "/proc/$LPID/fd" -mindepth 1 -maxdepth 1 -printf '%l\n' 2>/dev/null |
		grep -q "^$1/#[0-9]* (deleted)\$"
}

# race_try: one PUT with the swap in flight. RACE is "escaped",
# "contained" or "missed" (the swap did not happen while the body was in
# flight); STATUS the client's status; RACE_WHAT the change in bob's tree.
race_try() {
	local cpid found="" inflight=""
	mktree
	"$CURL" -s -o /dev/null -w '%{http_code}' --max-time 30 --limit-rate 256K \
		-T "$T/big" "$U/d/upload.bin" > "$T/race.status" &
	cpid=$!
	for _ in $(seq 400); do
		if tmpfile_in "$W/d"; then
			found=1
			break
		fi
		kill -0 "$cpid" 2>/dev/null || break
		sleep 0.02
	done
	if [ -n "$found" ]; then
		mv "$W/d" "$W/d.old"
		ln -s "$P" "$W/d"
		# Still unnamed after the swap: the linkat comes after it.
		tmpfile_in "$W/d.old" && inflight=1
	fi
	wait "$cpid"
	STATUS=$(cat "$T/race.status")
	snap_home
	RACE_WHAT=$(bob_changes "$T/bob.before" "$T/bob.after" | tr '\n' ' ')
	if [ -n "$RACE_WHAT" ]; then
		RACE=escaped
	elif [ -z "$inflight" ]; then
		RACE=missed
	else
		RACE=contained
	fi
}

# ------------------------------------------------------------------------
# Without the shim
# ------------------------------------------------------------------------
# bob's tree as mktree builds it, the "before" of every request.
mktree
snap_home
mv "$T/bob.after" "$T/bob.before"
: > "$LOG"
if ! start_server none; then
	bad "lighttpd does not start without the shim"
	echo "test-webdav: $pass passed, $fail failed"
	exit 1
fi
run_requests none
escapes=0
n=0
while read -r kind m p a e; do
	n=$((n + 1))
	read -r _ st esc _ < <(sed -n "${n}p" "$T/result.none")
	what=$(tr '\n' ';' < "$T/detail.none.$n" | sed 's/;$//; s/;/; /g')
	case $kind in
	escape)
		if [ "$esc" = yes ]; then
			ok
			escapes=$((escapes + 1))
			echo "# without the shim: $m $p ${a#-} -> $st, escaped: $what"
		else
			bad "without the shim, $m $p ${a#-} did not escape (status $st): the attack is not shown"
		fi ;;
	link)
		if [ "$esc" = no ]; then
			ok
			echo "# without the shim: $m $p ${a#-} -> $st, no escape (lighttpd acts on the link itself)"
		else
			bad "without the shim, $m $p ${a#-} escaped ($what): expected lighttpd to act on the link"
		fi ;;
	legit)
		case $st in
		2??) ok ;;
		*) bad "without the shim, legit $m $p ${a#-} -> $st" ;;
		esac
		check_eq "without the shim, legit $m $p ${a#-}: bob unchanged" no "$esc" ;;
	esac
done < "$T/requests"
check "without the shim: escapes counted ($escapes) > 0" [ "$escapes" -gt 0 ]

# The race, up to 3 tries, until one escapes.
race_escapes=0
for try in 1 2 3; do
	race_try
	echo "# without the shim, race try $try: PUT /d/upload.bin -> $STATUS, $RACE${RACE_WHAT:+: $RACE_WHAT}"
	if [ "$RACE" = escaped ]; then
		race_escapes=$((race_escapes + 1))
		break
	fi
done
check "without the shim: the directory swap during a PUT escapes (escapes: $race_escapes in $try tries)" \
	[ "$race_escapes" -gt 0 ]
stop_server "without the shim"

# ------------------------------------------------------------------------
# Under the shim
# ------------------------------------------------------------------------
# As root, the openat2 series again with lighttpd switching to nobody
# after it binds (server.username), as a daemon is deployed; the trees
# are then nobody's.
SERIES=$BACKENDS
if [ "$(id -u)" = 0 ] && id nobody > /dev/null 2>&1; then
	SERIES="$SERIES openat2:nobody"
else
	skip "lighttpd switching to nobody (server.username): needs root and a user nobody"
fi
for series in $SERIES; do
	be=${series%%:*}
	DROP=""
	case $series in
	*:*) DROP=${series#*:} ;;
	esac
	: > "$LOG"
	mktree
	if ! start_server "$be"; then
		bad "$series: lighttpd does not start under the shim"
		continue
	fi
	if [ -n "$DROP" ]; then
		check_eq "$series: lighttpd runs as $DROP" "$DROP" \
			"$(ps -o user= -p "$LPID" | tr -d ' ')"
	fi
	be=$series
	run_requests "$be"
	n=0
	while read -r kind m p a e; do
		n=$((n + 1))
		read -r _ st0 _ www0 < <(sed -n "${n}p" "$T/result.none")
		read -r _ st esc www < <(sed -n "${n}p" "$T/result.$be")
		req="$be: $m $p ${a#-}"
		denials=$(grep -c ' denied ' "$T/detail.$be.$n")
		case $kind in
		escape)
			check_eq "$req: nothing outside changed, nothing disclosed" no "$esc"
			case $st in
			[45]??|207:[45]??) ok ;;
			*) bad "$req: status $st, expected 4xx/5xx" ;;
			esac
			if [ "$denials" -gt 0 ]; then
				ok
				echo "# $req -> $st; logged: $(grep -m1 ' denied ' "$T/detail.$be.$n")"
			else
				bad "$req: no denial in the beneath log"
			fi ;;
		link|legit)
			check_eq "$req: nothing outside changed" no "$esc"
			check_eq "$req: the status without the shim" "$st0" "$st"
			check_eq "$req: alice's www as without the shim" "$www0" "$www"
			if [ "$kind" = legit ]; then
				check_eq "$req: nothing logged" 0 "$denials"
			fi ;;
		esac
		if [ "$esc" = yes ]; then
			sed 's/^/    /' "$T/detail.$be.$n"
		fi
	done < "$T/requests"

	tries="1 2"
	[ -z "$DROP" ] || tries=1
	for try in $tries; do
		l0=$(log_lines)
		race_try
		echo "# $be, race try $try: PUT /d/upload.bin -> $STATUS, $RACE${RACE_WHAT:+: $RACE_WHAT}"
		check "$be, race try $try: nothing in bob's tree changed ($RACE_WHAT)" [ "$RACE" != escaped ]
		if [ "$RACE" = contained ]; then
			case $STATUS in
			[45]??) ok ;;
			*) bad "$be, race try $try: status $STATUS, expected 4xx/5xx" ;;
			esac
			log_since "$l0" > "$T/race.log"
			d=$(grep -m1 ' denied ' "$T/race.log")
			if [ -n "$d" ]; then
				ok
				echo "#    logged: $d"
			else
				bad "$be, race try $try: no denial in the beneath log"
			fi
		else
			echo "# $be, race try $try: the swap was not in flight, no status or log asserted"
		fi
	done
	check_log "$be"
	stop_server "$be"
done

echo "test-webdav: $(( $(date +%s) - start ))s${skipped:+, skipped:$skipped}"
echo "test-webdav: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
