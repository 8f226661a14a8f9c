#!/usr/bin/env bash
# How examples/lighttpd.vxed was written: run the demo's lighttpd unconfined
# under `strace -f`, exercise it the way tests/e2e/lighttpd.t does (static
# pages, a 404, a range request, the Perl CGI by GET and POST, the hostile CGI
# without an attack: its libc start-up only), stop it with SIGTERM, and print
# the system calls used (with counts) and the paths opened or executed.
#
# usage: scripts/trace-lighttpd.sh [OUT.strace]    (root; after scripts/demo-site.sh)
# Once `vxe trace` exists, it is the better tool for this job.
set -euo pipefail

out=${1:-/tmp/vxe-lighttpd.strace}
conf=/srv/vxe-demo/lighttpd.conf
port=$(sed -n 's/^server.port *= *\([0-9]*\).*/\1/p' "$conf")
[[ -r $conf ]] || {
	echo "trace-lighttpd.sh: run scripts/demo-site.sh first" >&2
	exit 1
}

strace -f -qq -s 120 -o "$out" lighttpd -D -f "$conf" &
strace_pid=$!
trap 'kill $strace_pid 2>/dev/null || true' EXIT
for _ in $(seq 100); do
	curl -s -o /dev/null "http://127.0.0.1:$port/" && break
	sleep 0.1
done
base=http://127.0.0.1:$port
for u in / index.html about.html big.html logo.png random.bin style.css nope.html \
	"cgi-bin/hello.cgi?name=trace" cgi-bin/hostile.cgi cgi-bin/nope.cgi; do
	curl -s -o /dev/null -w "%{http_code} %{size_download} /$u\n" "$base/$u"
done
curl -s -o /dev/null -d 'a=b' "$base/cgi-bin/hello.cgi"
curl -s -o /dev/null -H 'Range: bytes=10-100' "$base/big.html"
curl -s -o /dev/null -H 'If-Modified-Since: Thu, 01 Jan 2099 00:00:00 GMT' "$base/about.html"
kill -TERM "$(cat /run/vxe-demo/lighttpd.pid)"
wait "$strace_pid" || true
trap - EXIT

echo "== system calls (count, name) =="
# "PID name(" or "PID <... name resumed>"
sed -nE 's/^[0-9]+ +(<\.\.\. )?([a-z0-9_]+)[( ].*/\2/p' "$out" | sort | uniq -c | sort -rn
echo "== paths opened or executed =="
grep -oE '(openat|execve)\((AT_FDCWD, )?"[^"]*"[^)]*\)? = -?[0-9A-Z]+' "$out" |
	sed -E 's/^(openat|execve)\((AT_FDCWD, )?"([^"]*)".*= (-?[0-9A-Z]+)$/\1 \3 \4/' | sort | uniq -c
