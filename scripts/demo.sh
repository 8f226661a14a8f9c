#!/usr/bin/env bash
# The VXE demo, start to finish, in under a minute: `sudo scripts/demo.sh`
#
# Builds VXE, serves a small site with lighttpd *running as root* but confined
# by examples/lighttpd.vxed in production mode, fetches some pages, then plays
# an attacker who has taken over a CGI (tests/helpers/hostile.c) and shows,
# attack by attack, what happened and what VXE logged. Everything listens on
# 127.0.0.1 only and is stopped at the end. Exits non-zero if a step fails or
# an attack gets through.
set -uo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$ROOT" || exit 1
PORT=8088
BASE=http://127.0.0.1:$PORT
CONF=/srv/vxe-demo/lighttpd.conf
POLICY=examples/lighttpd.vxed
# Not under /var/log/vxe-demo: the confined lighttpd may write there, and
# nothing inside a VXE may write VXE's log.
LOG=/var/log/vxe/demo.log

if [[ -t 1 ]]; then
	B=$'\e[1m' G=$'\e[32m' R=$'\e[31m' N=$'\e[0m'
else
	B='' G='' R='' N=''
fi
step=0
heading() { printf '\n%s== %d. %s ==%s\n' "$B" $((step += 1)) "$*" "$N"; }
die() {
	printf '%sdemo: %s%s\n' "$R" "$*" "$N" >&2
	exit 1
}

[[ $(id -u) -eq 0 ]] || die "run as root: sudo $0 (lighttpd runs as root, on purpose)"

heading "dependencies (scripts/install-deps.sh)"
scripts/install-deps.sh || die "installing the dependencies failed"

heading "build (make)"
make -s -j2 all || die "the build failed"
echo "built build/vxe and build/helpers/hostile"

heading "demo site (scripts/demo-site.sh)"
(exec 3<>/dev/tcp/127.0.0.1/$PORT) 2>/dev/null &&
	die "port $PORT is in use (an earlier demo still running? try: ss -ltnp 'sport = :$PORT')"
scripts/demo-site.sh "$PORT" || die "setting up the site failed"

heading "start lighttpd confined, production mode"
mkdir -p "${LOG%/*}"
: >"$LOG"
out=$(mktemp /tmp/vxe-demo.XXXXXX)
vxe_pid=
cleanup() {
	if [[ -n $vxe_pid ]] && kill -0 "$vxe_pid" 2>/dev/null; then
		kill -TERM "$vxe_pid"
		sleep 1
		kill -KILL "$vxe_pid" 2>/dev/null
	fi
	rm -f "$out"
}
trap cleanup EXIT
echo "\$ build/vxe run --mode production --log $LOG $POLICY /usr/sbin/lighttpd -D -f $CONF"
rm -f /run/vxe-demo/lighttpd.pid
build/vxe run --mode production --log "$LOG" "$POLICY" /usr/sbin/lighttpd -D -f "$CONF" >"$out" 2>&1 &
vxe_pid=$!
for _ in $(seq 100); do
	(exec 3<>/dev/tcp/127.0.0.1/$PORT) 2>/dev/null && break
	kill -0 "$vxe_pid" 2>/dev/null || break
	sleep 0.1
done
if ! (exec 3<>/dev/tcp/127.0.0.1/$PORT) 2>/dev/null; then
	cat "$out" >&2
	die "lighttpd did not start under vxe"
fi
lpid=$(cat /run/vxe-demo/lighttpd.pid 2>/dev/null)
echo "vxe pid $vxe_pid, lighttpd pid $lpid, uid $(awk '/^Uid:/ {print $2}' /proc/"$lpid"/status)," \
	"seccomp mode $(awk '/^Seccomp:/ {print $2}' /proc/"$lpid"/status) (2 = filter)"

heading "normal traffic: pages and a Perl CGI"
failed=0
printf '%-34s %6s %9s  %s\n' URL status bytes type
for u in / /about.html /big.html /logo.png /random.bin /no-such-page.html "/cgi-bin/hello.cgi?name=demo"; do
	res=$(curl -s --max-time 10 -o /dev/null -w '%{http_code} %{size_download} %{content_type}' "$BASE$u")
	read -r code size type <<<"$res"
	printf '%-34s %6s %9s  %s\n' "$u" "$code" "$size" "$type"
	want=200
	[[ $u == /no-such-page.html ]] && want=404
	[[ $code == "$want" ]] || failed=1
done
echo
echo "the Perl CGI says:"
curl -s --max-time 10 "$BASE/cgi-bin/hello.cgi?name=demo" | sed 's/^/    /'
((failed == 0)) || die "a page was not served as expected"

heading "attacks from an exploited CGI (uid 0) — /cgi-bin/hostile.cgi?attack=NAME"
mnt=$(mktemp -d /tmp/vxe-demo-mnt.XXXXXX)
through=()
for a in shadow etcwrite shell exec connect ptrace mount module io_uring handle int80 \
	userfaultfd bpf userns keyctl tiocsti procmem vmwrite perf chroot kexec; do
	extra=
	[[ $a == mount ]] && extra="&dir=$mnt"
	[[ $a == connect ]] && extra="&port=$PORT" # lighttpd itself listens there
	reply=$(curl -s --max-time 10 "$BASE/cgi-bin/hostile.cgi?attack=$a$extra" | head -1)
	reply=${reply% pid=*}
	case $reply in
	*SUCCEEDED*)
		printf '  %s✗ %s%s\n' "$R" "$reply" "$N"
		through+=("$a")
		;;
	"attack $a: "*) printf '  %s✓%s %s\n' "$G" "$N" "$reply" ;;
	*)
		printf '  %s? attack %s: no answer%s\n' "$R" "$a" "$N"
		through+=("$a")
		;;
	esac
done
rmdir "$mnt" 2>/dev/null
code=$(curl -s --max-time 10 -o /dev/null -w '%{http_code}' "$BASE/about.html")
echo
echo "after all that, lighttpd (pid $(cat /run/vxe-demo/lighttpd.pid 2>/dev/null)) still serves: HTTP $code"

heading "what VXE logged: build/vxe log --file $LOG"
sleep 0.2
build/vxe log --file "$LOG" --no-rotated -n 1000
echo
echo "one record in full:"
head -1 "$LOG" | python3 -m json.tool 2>/dev/null | sed 's/^/    /'

heading "stop: SIGTERM to vxe reaches lighttpd"
kill -TERM "$vxe_pid"
status=timeout
for _ in $(seq 100); do
	if ! kill -0 "$vxe_pid" 2>/dev/null; then
		wait "$vxe_pid"
		status=$?
		break
	fi
	sleep 0.1
done
vxe_pid=
echo "vxe exited with status $status (lighttpd's)"

echo
if ((${#through[@]})); then
	die "attacks that got through: ${through[*]}"
fi
[[ $code == 200 && $status == 0 ]] || die "lighttpd did not survive or stop cleanly"
printf '%sEvery attack was stopped and logged; the site kept working.%s\n' "$B" "$N"
echo "Try soft mode (violations logged, calls performed): build/vxe run --mode soft ..."
