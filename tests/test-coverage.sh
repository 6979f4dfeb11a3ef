#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
#
# Coverage: every glibc entry point that ../shared/docs/prior-art.md
# (section 2, "glibc entry points a complete shim must cover") names in
# backquotes must be exported by libbeneath-preload.so (nm -D
# --defined-only), except the names in the allowlist below, each of which
# prints why it is not an entry point to interpose.
#
# The document is found next to the conformance corpus (CONFORMANCE_DIR,
# which make check exports: ../shared/conformance) or at
# top_srcdir/../shared/docs. Without it, or without nm, the test is
# skipped (status 77) and says why.
#
# The last line is "test-coverage: N passed, M failed"; the exit status is
# 1 if M > 0.
here=$(cd "$(dirname "$0")" && pwd)
. "$here/testlib.sh"

finish_skip() {
	echo "SKIP: $*"
	echo "test-coverage: 0 passed, 0 failed"
	exit 77
}

need_built -s test-coverage "$SHIM"
DOC=
for d in ${CONFORMANCE_DIR:+"$CONFORMANCE_DIR/../docs"} "$top_srcdir/../shared/docs"; do
	if [ -f "$d/prior-art.md" ]; then
		DOC=$d/prior-art.md
		break
	fi
done
[ -n "$DOC" ] || finish_skip "prior-art.md not found (CONFORMANCE_DIR=${CONFORMANCE_DIR:-unset}, top_srcdir=$top_srcdir)"
command -v nm > /dev/null || finish_skip "nm not found"
PY=$(command -v python3) || finish_skip "python3 not found (it parses the document)"

EXPORTED=$(nm -D --defined-only "$SHIM" | awk '$2 ~ /^[TtWwiV]$/ { sub(/@.*/, "", $3); print $3 }' | sort -u)
if [ -z "$EXPORTED" ]; then
	echo "FAIL: nm -D --defined-only $SHIM lists nothing"
	echo "test-coverage: 0 passed, 1 failed"
	exit 1
fi

# The names in section 2, one per line: "name" for an entry point, or
# "-name reason" for something that is not a name to look up (a pattern,
# a compiler flag). The document's shorthands are spelt out: the xattr
# calls ("get/set/list/remove with and without l") and "(+ 64)" after a
# list of names.
NAMES=$("$PY" - "$DOC" <<'EOF'
import re, sys
text = open(sys.argv[1]).read()
start = text.find("\n## 2.")
end = text.find("\n## 3.", start)
if start < 0 or end < 0:
    print("!section 2 not found")
    sys.exit(0)
spans = re.findall(r"`([^`]*)`", text[start:end], re.S)
out, prev = [], []
i = 0
while i < len(spans):
    s = spans[i].strip()
    i += 1
    if s == "get/set/list/remove":
        names = [p + "xattr" for p in ("get", "set", "list", "remove")]
        if i < len(spans) and spans[i].strip() == "l":   # "with and without `l`"
            i += 1
            names += ["l" + n for n in names]
        out += names
        prev = names
        continue
    if s == "64":                                          # "(+ `64`)"
        out += [n + "64" for n in prev]
        continue
    m = re.match(r"^([A-Za-z_]\w*)\(", s)                 # fstatat(fd, "", ...), syscall()
    if m:
        out.append(m.group(1))
        prev = [m.group(1)]
        continue
    words = s.split()
    prev = []
    for w in words:
        if re.fullmatch(r"[A-Za-z_]\w*", w):
            out.append(w)
            prev.append(w)
        else:
            out.append("-%s a pattern or a compiler flag, not a name (its names are listed one by one)" % w)
seen = set()
for n in out:
    if n not in seen:
        seen.add(n)
        print(n)
EOF
)

# Names in section 2 that are not entry points the shim interposes.
allow_reason() {
	case $1 in
	getcwd | __getcwd_chk)
		echo "outputs only: the kernel already reports the host path of the working directory" ;;
	sun_path)
		echo "a field of struct sockaddr_un, which bind and connect read" ;;
	SYS_*)
		echo "a system call number: syscall() is the entry point" ;;
	dlsym | dlvsym)
		echo "how the shim finds libc's definitions, never one to interpose" ;;
	*)
		return 1 ;;
	esac
}

listed=0
exported=0
allowed=0
while IFS= read -r n; do
	[ -n "$n" ] || continue
	case $n in
	!*)
		echo "FAIL: $DOC: ${n#!}"
		fail=$((fail + 1))
		continue ;;
	-*)
		n=${n#-}
		echo "not a name: \`${n%% *}\`: ${n#* }"
		continue ;;
	esac
	listed=$((listed + 1))
	if reason=$(allow_reason "$n"); then
		echo "allowed: $n: $reason"
		allowed=$((allowed + 1))
		pass=$((pass + 1))
		# An allowed name must really be absent or harmless; say if the
		# shim exports it anyway.
		if printf '%s\n' "$EXPORTED" | grep -qx -- "$n"; then
			echo "    (exported all the same)"
		fi
		continue
	fi
	if printf '%s\n' "$EXPORTED" | grep -qx -- "$n"; then
		exported=$((exported + 1))
		pass=$((pass + 1))
	else
		echo "FAIL: $n is listed in prior-art.md section 2 but not exported by libbeneath-preload.so"
		fail=$((fail + 1))
	fi
done <<< "$NAMES"

if [ "$listed" -lt 50 ]; then
	echo "FAIL: only $listed names found in section 2 of $DOC: the document's format changed?"
	fail=$((fail + 1))
fi
echo "test-coverage: $listed names listed in section 2 of prior-art.md; $exported exported, $allowed allowed without export, $((listed - exported - allowed)) missing"
echo "test-coverage: libbeneath-preload.so exports $(printf '%s\n' "$EXPORTED" | wc -l) names"
echo "test-coverage: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
