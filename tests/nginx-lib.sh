# SPDX-License-Identifier: LGPL-2.1-or-later
#
# The per-user nginx scenario that tests/test-nginx.sh checks and
# scripts/demo shows: nginx serves /~USER/... from HOME/USER/www, HOME
# being a scratch directory, and alice has planted links to bob's private
# files (and /etc/shadow) in her www. Sourced by bash scripts that set
# NGX_DIR (an empty scratch directory with no character that nginx's
# configuration or BENEATH_ROOTS would need quoted) first.
#
# It provides:
#  - nginx_find: NGINX, the nginx binary, installing nginx-light and curl
#    as scripts/install-deps does when they are missing; status 1 with
#    NGX_WHY set when that cannot be done;
#  - nginx_tree: the users' directories under NGX_HOME (NGX_DIR/home);
#  - NGX_REQUESTS: one row per request, "KIND PATH EXPECTED", KIND being
#    escape (EXPECTED: the outside file the link reaches), legit (EXPECTED:
#    the file under a www whose bytes are served) or nginx (a request that
#    nginx itself normalises before any file is opened; EXPECTED: the
#    status, then after a comma the file served, if any);
#  - nginx_start [WRAPPER...]: nginx as one process (daemon off,
#    master_process off), everything under NGX_DIR/prefix, on a free
#    loopback port (NGX_PORT), through WRAPPER (e.g. the beneath launcher
#    and its options) when given; waits for it to answer; status 1 with
#    NGX_WHY and the error log shown on failure;
#    NGX_LOCATION_EXTRA, when set, is added to the /~USER/ location;
#  - nginx_get PATH: NGX_STATUS and NGX_BODY (a file) for one GET;
#    nginx_served FILE: NGX_BODY holds FILE's bytes;
#  - nginx_stop: stops it, NGX_EXIT its exit status (the caller's EXIT
#    trap calls it too).

NGX_HOME=$NGX_DIR/home
NGX_PREFIX=$NGX_DIR/prefix
NGX_PID=
NGX_PORT=
NGX_BODY=$NGX_DIR/body
NGX_STATUS=
NGX_WHY=
NGX_EXIT=

nginx_find() {
	local sudo=
	NGINX=$(PATH=$PATH:/usr/sbin:/sbin command -v nginx) || NGINX=
	if [ -n "$NGINX" ] && command -v curl > /dev/null; then
		return 0
	fi
	if ! command -v apt-get > /dev/null; then
		NGX_WHY="nginx or curl is missing, and there is no apt-get to install them"
		return 1
	fi
	if [ "$(id -u)" -ne 0 ]; then
		if ! sudo -n true 2> /dev/null; then
			NGX_WHY="nginx or curl is missing, and installing them needs root or sudo without a password"
			return 1
		fi
		sudo=sudo
	fi
	echo "nginx-lib: installing nginx-light and curl" >&2
	# shellcheck disable=SC2086
	DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y --no-install-recommends \
		nginx-light curl > /dev/null 2>&1 ||
		{ $sudo apt-get update > /dev/null 2>&1 &&
		  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y \
			--no-install-recommends nginx-light curl > /dev/null 2>&1; }
	NGINX=$(PATH=$PATH:/usr/sbin:/sbin command -v nginx) || NGINX=
	if [ -z "$NGINX" ] || ! command -v curl > /dev/null; then
		NGX_WHY="installing nginx-light and curl with apt-get failed"
		return 1
	fi
}

# The users' files. alice's www holds her own pages, links that stay
# inside it, and the planted escapes; bob's www his public page.
nginx_tree() {
	local h=$NGX_HOME
	rm -rf "$h"
	mkdir -p "$h/alice/www/docs" "$h/bob/www" "$h/bob/private" "$h/bob/.gnupg"
	printf "BOB'S SECRET KEY\n" > "$h/bob/.gnupg/secring.gpg"
	printf 'BOB PRIVATE: the payroll\n' > "$h/bob/private/secret"
	printf "bob's public page\n" > "$h/bob/www/index.html"
	printf "alice's home page\n" > "$h/alice/www/index.html"
	printf "alice's docs page\n" > "$h/alice/www/docs/page.html"
	# Inside alice's www: absolute and relative links, a link with "..",
	# a directory link.
	ln -s "$h/alice/www/docs/page.html" "$h/alice/www/self-abs"
	ln -s docs/page.html "$h/alice/www/self-rel"
	ln -s ../index.html "$h/alice/www/docs/home"
	ln -s docs "$h/alice/www/docslink"
	# The escapes alice plants.
	ln -s "$h/bob/.gnupg/secring.gpg" "$h/alice/www/key"
	ln -s "$h/bob/private/secret" "$h/alice/www/abs"
	ln -s ../../bob/private/secret "$h/alice/www/rel"
	ln -s ../../../bob/private/secret "$h/alice/www/docs/up"
	ln -s ../../bob/private "$h/alice/www/bobdir"
	ln -s "$h/bob/private" "$h/alice/www/bobabs"
	ln -s /etc/shadow "$h/alice/www/shadow"
}

# KIND PATH EXPECTED (paths relative to NGX_HOME; /etc/shadow absolute).
NGX_REQUESTS="\
legit /~alice/ alice/www/index.html
legit /~alice/index.html alice/www/index.html
legit /~alice/docs/page.html alice/www/docs/page.html
legit /~alice/self-abs alice/www/docs/page.html
legit /~alice/self-rel alice/www/docs/page.html
legit /~alice/docs/home alice/www/index.html
legit /~alice/docslink/page.html alice/www/docs/page.html
legit /~bob/ bob/www/index.html
legit /~bob/index.html bob/www/index.html
escape /~alice/key bob/.gnupg/secring.gpg
escape /~alice/abs bob/private/secret
escape /~alice/rel bob/private/secret
escape /~alice/docs/up bob/private/secret
escape /~alice/bobdir/secret bob/private/secret
escape /~alice/bobabs/secret bob/private/secret
escape /~alice/shadow /etc/shadow
nginx /~alice/../bob/private/secret 404
nginx /~alice/../bob/.gnupg/secring.gpg 404
nginx /~alice/../~bob/index.html 200,bob/www/index.html
nginx /~alice/../../bob/private/secret 400
nginx /~alice/%2e%2e/%2e%2e/bob/private/secret 400
"

# nginx_conf PORT TOKEN: the configuration. Every file nginx writes is
# under the prefix; the temporary paths compiled into Debian's nginx
# (/var/lib/nginx/...) are moved there too, for the modules it has.
nginx_conf() {
	local p=$NGX_PREFIX m temps="client_body" v
	v=$("$NGINX" -V 2>&1)
	for m in proxy fastcgi uwsgi scgi; do
		case $v in
		*--without-http_${m}_module*) ;;
		*) temps="$temps $m" ;;
		esac
	done
	{
		cat <<-EOF
		daemon off;
		master_process off;
		worker_processes 1;
		error_log $p/logs/error.log info;
		pid $p/logs/nginx.pid;
		events { worker_connections 64; }
		http {
		    access_log $p/logs/access.log;
		    default_type text/plain;
		EOF
		for m in $temps; do
			echo "    ${m}_temp_path $p/tmp/$m;"
		done
		cat <<-EOF
		    server {
		        listen 127.0.0.1:$1;
		        location = /__ready { return 200 "$2\n"; }
		        location ~ ^/~([^/]+)(/.*)?\$ {
		            alias $NGX_HOME/\$1/www\$2;
		            ${NGX_LOCATION_EXTRA:-}
		        }
		        location / { return 404; }
		    }
		}
		EOF
	} > "$p/conf/nginx.conf"
}

nginx_alive() { [ -n "$NGX_PID" ] && kill -0 "$NGX_PID" 2> /dev/null; }

# nginx_start [WRAPPER...]: a random port in 20000-59999; when nginx
# exits because another program has it, the next try takes another.
nginx_start() {
	local try i token answer
	nginx_stop
	rm -rf "$NGX_PREFIX"
	mkdir -p "$NGX_PREFIX/conf" "$NGX_PREFIX/logs" "$NGX_PREFIX/tmp"
	for try in 1 2 3 4 5 6 7 8; do
		NGX_PORT=$((20000 + (RANDOM * 32768 + RANDOM) % 40000))
		token=ready-$$-$RANDOM
		nginx_conf "$NGX_PORT" "$token"
		: > "$NGX_PREFIX/logs/error.log"
		"$@" "$NGINX" -p "$NGX_PREFIX/" -c "$NGX_PREFIX/conf/nginx.conf" \
			-e "$NGX_PREFIX/logs/error.log" < /dev/null > "$NGX_PREFIX/logs/stdout" 2>&1 &
		NGX_PID=$!
		# Poll until it answers with our token (not another server's
		# page), it exits, or 20 s go by.
		for i in $(seq 200); do
			answer=$(curl -s --max-time 2 "http://127.0.0.1:$NGX_PORT/__ready" 2> /dev/null) || answer=
			[ "$answer" = "$token" ] && return 0
			nginx_alive || break
			sleep 0.1
		done
		if nginx_alive; then
			nginx_stop
			NGX_WHY="nginx did not answer on port $NGX_PORT within 20 s"
			break
		fi
		wait "$NGX_PID" 2> /dev/null
		NGX_PID=
		grep -q 'Address already in use' "$NGX_PREFIX/logs/error.log" \
			"$NGX_PREFIX/logs/stdout" || {
			NGX_WHY="nginx exited at startup"
			break
		}
		NGX_WHY="no free port after $try tries"
	done
	echo "nginx-lib: $NGX_WHY; its output and error log:" >&2
	cat "$NGX_PREFIX/logs/stdout" "$NGX_PREFIX/logs/error.log" | tail -n 20 | sed 's/^/    /' >&2
	return 1
}

# nginx_stop: SIGTERM (a launcher passes it on), then SIGKILL to it and to
# the nginx in the pid file when they are still there after 10 s.
nginx_stop() {
	local i npid
	[ -n "$NGX_PID" ] || return 0
	kill -TERM "$NGX_PID" 2> /dev/null
	for i in $(seq 100); do
		nginx_alive || break
		sleep 0.1
	done
	if nginx_alive; then
		npid=$(cat "$NGX_PREFIX/logs/nginx.pid" 2> /dev/null)
		[ -z "$npid" ] || kill -KILL "$npid" 2> /dev/null
		kill -KILL "$NGX_PID" 2> /dev/null
	fi
	wait "$NGX_PID" 2> /dev/null
	NGX_EXIT=$?
	NGX_PID=
	return 0
}

# nginx_served FILE: the last body is FILE's bytes (FILE under NGX_HOME, or
# absolute). For /etc/shadow only a "root:" prefix is compared: its
# content is never read here.
nginx_served() {
	local f=$1
	case $f in /*) ;; *) f=$NGX_HOME/$f ;; esac
	if [ "$f" = /etc/shadow ]; then
		[ "$(head -c 5 "$NGX_BODY")" = "root:" ]
	else
		cmp -s "$f" "$NGX_BODY"
	fi
}

# nginx_get PATH: sent as written (curl would otherwise resolve "..").
nginx_get() {
	NGX_STATUS=$(curl -s --path-as-is --max-time 10 -o "$NGX_BODY" -w '%{http_code}' \
		"http://127.0.0.1:$NGX_PORT$1") || NGX_STATUS=000
}
