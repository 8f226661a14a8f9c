#!/usr/bin/env bash
# End-to-end: a real lighttpd, running as root, confined by
# examples/lighttpd.vxed, serves the demo site (scripts/demo-site.sh) while
# hostile.cgi (tests/helpers/hostile.c) plays an exploited CGI.
#
#   production: every page byte for byte, the Perl CGI, no violation from
#               normal traffic; each attack fails and is logged "blocked" with
#               the syscall (path, arch) that did it; lighttpd keeps serving;
#               SIGTERM to vxe reaches lighttpd and vxe exits with its status.
#   soft:       the same traffic; each attack is logged "logged" and, where
#               root could do it, really happens (harmlessly, and is undone).
#
# TAP on stdout. Root only; everything on 127.0.0.1.
# VXE_E2E_KEEP=1 keeps the temporary directory with the logs.
# VXE_E2E_UNCONFINED=1 runs lighttpd without vxe and expects what soft mode
# expects, minus the log: a check of this harness and of the demo site.
set -u

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
VXE=${VXE:-$ROOT/build/vxe}
POLICY=$ROOT/examples/lighttpd.vxed
CONF=/srv/vxe-demo/lighttpd.conf
PORT=8088 # the port examples/lighttpd.vxed may bind
BASE=http://127.0.0.1:$PORT
LOGPY=$ROOT/tests/e2e/vxelog.py
PY=python3
[[ -x /usr/bin/python3 ]] && PY=/usr/bin/python3
UNCONFINED=${VXE_E2E_UNCONFINED:-}

# TAP, waits, attack_reply (its own start_listener, defined below, wins).
# shellcheck source=tests/e2e/daemons-lib.sh
. "$ROOT/tests/e2e/daemons-lib.sh"
[[ $(id -u) -eq 0 ]] || skip_all "needs root (runs lighttpd as root under vxe)"
for t in lighttpd curl "$PY" cmp; do
	command -v "$t" >/dev/null || skip_all "$t not installed (scripts/install-deps.sh)"
done
[[ -n $UNCONFINED || -x $VXE ]] || skip_all "$VXE not built (make)"

# --- cleanup ---------------------------------------------------------------
TMP=$(mktemp -d /tmp/vxe-e2e.XXXXXX)
server_pid= # vxe (or lighttpd when unconfined)
listener_pid=
cleanup() {
	if [[ -n $server_pid ]] && kill -0 "$server_pid" 2>/dev/null; then
		kill -TERM "$server_pid" 2>/dev/null
		for _ in $(seq 50); do kill -0 "$server_pid" 2>/dev/null || break; sleep 0.1; done
		kill -KILL "$server_pid" 2>/dev/null
	fi
	# A lighttpd that outlived its vxe must not outlive the test.
	local lp
	lp=$(cat /run/vxe-demo/lighttpd.pid 2>/dev/null)
	[[ $lp =~ ^[0-9]+$ && $(cat /proc/"$lp"/comm 2>/dev/null) == lighttpd ]] && kill -KILL "$lp"
	[[ -n $listener_pid ]] && kill "$listener_pid" 2>/dev/null
	mountpoint -q "$TMP/mnt" 2>/dev/null && umount -l "$TMP/mnt"
	rm -f /etc/vxe-hostile-test
	if [[ -n ${VXE_E2E_KEEP:-} ]]; then
		echo "# kept $TMP (logs: production.log, soft.log)"
	else
		rm -rf "$TMP"
	fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# --- helpers ---------------------------------------------------------------
fetch() { # fetch PATH OUT: prints the HTTP status
	curl -s --max-time 20 -o "$2" -w '%{http_code}' "$BASE$1" 2>/dev/null || true
}

port_open() { (exec 3<>/dev/tcp/127.0.0.1/$PORT) 2>/dev/null; }

start_server() { # start_server MODE LOG
	local mode=$1 log=$2
	rm -f /run/vxe-demo/lighttpd.pid
	if [[ $mode == unconfined ]]; then
		lighttpd -D -f "$CONF" >"$TMP/server-$mode.out" 2>&1 &
	else
		"$VXE" run --mode "$mode" --log "$log" "$POLICY" \
			/usr/sbin/lighttpd -D -f "$CONF" >"$TMP/server-$mode.out" 2>&1 &
	fi
	server_pid=$!
	for _ in $(seq 100); do # 10 s
		port_open && return 0
		kill -0 "$server_pid" 2>/dev/null || break
		sleep 0.1
	done
	return 1
}

stop_server() { # stop_server: SIGTERM, bounded wait; sets stop_status
	stop_status=timeout
	kill -TERM "$server_pid" 2>/dev/null
	for _ in $(seq 100); do
		if ! kill -0 "$server_pid" 2>/dev/null; then
			wait "$server_pid"
			stop_status=$?
			server_pid=
			return 0
		fi
		sleep 0.1
	done
	return 1
}

start_listener() { # a bounded TCP listener on 127.0.0.1; sets lport
	rm -f "$TMP/listener.port" "$TMP/listener.got"
	"$PY" - "$TMP/listener.port" "$TMP/listener.got" >/dev/null 2>&1 <<'EOF' &
import socket, sys, time
s = socket.socket()
s.bind(("127.0.0.1", 0))
s.listen(4)
s.settimeout(0.5)
open(sys.argv[1] + ".tmp", "w").write(str(s.getsockname()[1]))
import os; os.rename(sys.argv[1] + ".tmp", sys.argv[1])
end = time.time() + 120
while time.time() < end:
    try:
        c, _ = s.accept()
    except socket.timeout:
        continue
    c.settimeout(2)
    try:
        data = c.recv(100)
    except OSError:
        data = b""
    with open(sys.argv[2], "ab") as f:
        f.write(b"connection " + data)
    c.close()
EOF
	listener_pid=$!
	for _ in $(seq 50); do [[ -s $TMP/listener.port ]] && break; sleep 0.1; done
	lport=$(cat "$TMP/listener.port" 2>/dev/null)
}

log_lines() { [[ -f $1 ]] && wc -l <"$1" || echo 0; }

# --- the attacks -----------------------------------------------------------
ATTACKS=(shadow etcwrite shell exec connect ptrace mount module kexec io_uring handle
	int80 int80open userfaultfd bpf userns keyctl tiocsti procmem vmwrite perf chroot)
# What root achieves without VXE: "failed" = the kernel itself refuses a
# bogus module image, a kexec without a file, TIOCSTI without a terminal.
declare -A ROOT_OUTCOME=([module]=failed [kexec]=failed [tiocsti]=failed)

run_attack() { # run_attack MODE LOG NAME EXTRA_QUERY
	local mode=$1 log=$2 a=$3 extra=$4 reply verdict err pids since
	since=$(log_lines "$log")
	if ! attack_reply "$BASE/cgi-bin/hostile.cgi?attack=$a$extra" "$a"; then
		fail "$mode: attack $a answers"
		diag "reply: ${reply:-(empty)}"
		return
	fi

	case $mode in
	production)
		if [[ $verdict == SUCCEEDED ]]; then
			fail "production: attack $a is stopped"
			diag "reply: $reply"
		else
			pass "production: attack $a is stopped ($verdict, $err)"
		fi
		;;
	soft | unconfined)
		local want=${ROOT_OUTCOME[$a]:-SUCCEEDED}
		if [[ $verdict == "$want" ]]; then
			pass "$mode: attack $a is performed ($verdict)"
		else
			fail "$mode: attack $a is performed (want $want, got $verdict)"
			diag "reply: $reply"
		fi
		;;
	esac

	if [[ $mode == unconfined ]]; then
		skip "attack $a: no log without vxe"
	else
		local action=logged errno_opt=()
		[[ $mode == production ]] && action=blocked && errno_opt=(--errno "$err")
		[[ $verdict == failed && $mode == production ]] && errno_opt=()
		local out ok=1
		for _ in $(seq 20); do # the record may land just after the reply
			if out=$("$PY" "$LOGPY" expect "$log" "$a" --action "$action" --mode "$mode" \
				--pids "$pids" --since "$since" "${errno_opt[@]}"); then
				ok=0
				break
			fi
			sleep 0.1
		done
		if ((ok == 0)); then
			pass "$mode: attack $a is in the log ($action)"
		else
			fail "$mode: attack $a is in the log ($action)"
			diag "reply: $reply"
			echo "$out"
		fi
	fi

	# Side effects, for attacks that can leave any.
	case $a in
	etcwrite) check "$mode: /etc/vxe-hostile-test does not remain" test ! -e /etc/vxe-hostile-test ;;
	mount) check "$mode: nothing stays mounted on $TMP/mnt" bash -c "! mountpoint -q '$TMP/mnt'" ;;
	connect)
		if [[ $mode == production ]]; then
			check "production: the listener got no connection" test ! -s "$TMP/listener.got"
		else
			check "$mode: the listener got the hostile connection" grep -qs exfiltrated "$TMP/listener.got"
		fi
		;;
	esac
}

# --- one phase: start, serve, attack, serve, stop --------------------------
phase() { # phase MODE
	local mode=$1 log=$TMP/$1.log
	echo "# ---- $mode ----"
	: >"$log"
	if ! start_server "$mode" "$log"; then
		fail "$mode: lighttpd listens on 127.0.0.1:$PORT"
		diag "$(head -c 3000 "$TMP/server-$mode.out")"
		[[ -s $log ]] && diag "log: $(head -c 3000 "$log")"
		stop_server
		return
	fi
	pass "$mode: lighttpd listens on 127.0.0.1:$PORT"
	local lpid
	lpid=$(cat /run/vxe-demo/lighttpd.pid 2>/dev/null)
	if [[ $mode != unconfined ]]; then
		local sc
		sc=$(awk '/^Seccomp:/ {print $2}' /proc/"$lpid"/status 2>/dev/null)
		check "$mode: lighttpd (pid ${lpid:-?}) runs under a seccomp filter" test "$sc" = 2
	fi

	# Static pages, byte for byte: text, UTF-8, CSS, PNG, random bytes, 1.4 MB.
	local f code
	for f in /srv/vxe-demo/htdocs/*; do
		f=${f##*/}
		code=$(fetch "/$f" "$TMP/got")
		if [[ $code == 200 ]] && cmp -s "$TMP/got" "/srv/vxe-demo/htdocs/$f"; then
			pass "$mode: /$f is served byte for byte ($(stat -c %s "$TMP/got") bytes)"
		else
			fail "$mode: /$f is served byte for byte"
			diag "status $code, $(stat -c %s "$TMP/got" 2>/dev/null || echo 0) bytes of $(stat -c %s "/srv/vxe-demo/htdocs/$f")"
		fi
	done
	code=$(fetch / "$TMP/got")
	check "$mode: / gives index.html" bash -c "[[ $code == 200 ]] && cmp -s '$TMP/got' /srv/vxe-demo/htdocs/index.html"
	code=$(fetch /no-such-page.html "$TMP/got")
	check "$mode: a missing page is 404 (got $code)" test "$code" = 404
	code=$(fetch "/cgi-bin/hello.cgi?name=e2e&x=1" "$TMP/got")
	if [[ $code == 200 ]] && grep -qx 'hello, e2e' "$TMP/got" && grep -qx 'query: name=e2e&x=1' "$TMP/got" &&
		grep -q "on port $PORT" "$TMP/got" && grep -q ', uid 0$' "$TMP/got"; then
		pass "$mode: the Perl CGI answers"
	else
		fail "$mode: the Perl CGI answers"
		diag "status $code: $(head -c 1000 "$TMP/got")"
	fi
	if [[ $mode != unconfined ]]; then
		local count
		count=$("$PY" "$LOGPY" count "$log")
		if [[ $count == 0 ]]; then
			pass "$mode: normal traffic causes no violation"
		else
			fail "$mode: normal traffic causes no violation ($count records: the VXED misses something)"
			"$PY" "$LOGPY" table "$log" | head -20 | sed 's/^/# /'
		fi
	fi

	# The attacks.
	mkdir -p "$TMP/mnt"
	local lport=
	start_listener
	local a extra
	for a in "${ATTACKS[@]}"; do
		extra=
		case $a in
		connect) extra="&port=$lport" ;;
		mount) extra="&dir=$TMP/mnt" ;;
		esac
		run_attack "$mode" "$log" "$a" "$extra"
	done
	kill "$listener_pid" 2>/dev/null
	wait "$listener_pid" 2>/dev/null
	listener_pid=

	# Still serving, still the same lighttpd.
	code=$(fetch /about.html "$TMP/got")
	check "$mode: lighttpd still serves after the attacks" bash -c "[[ $code == 200 ]] && cmp -s '$TMP/got' /srv/vxe-demo/htdocs/about.html"
	check "$mode: it is the same lighttpd process ($lpid)" test "$(cat /run/vxe-demo/lighttpd.pid 2>/dev/null)" = "$lpid"
	if [[ $mode != unconfined ]]; then
		local out
		if out=$("$PY" "$LOGPY" validate "$log"); then
			pass "$mode: every log line is a v1 JSON record ($(log_lines "$log") lines)"
		else
			fail "$mode: every log line is a v1 JSON record"
			echo "$out" | head -10
		fi
	fi

	# SIGTERM to vxe must reach lighttpd; vxe exits with lighttpd's status (0).
	if stop_server; then
		check "$mode: SIGTERM stops it, exit status 0 (got $stop_status)" test "$stop_status" = 0
	else
		fail "$mode: SIGTERM stops it within 10 s"
		diag "$(ps -o pid,ppid,stat,cmd --ppid "$server_pid" 2>/dev/null)"
		kill -KILL "$server_pid" 2>/dev/null
		wait "$server_pid" 2>/dev/null
		server_pid=
	fi
	sleep 0.2
	check "$mode: lighttpd ($lpid) is gone" bash -c "! kill -0 '${lpid:-0}' 2>/dev/null"
	check "$mode: port $PORT is closed" bash -c "! (exec 3<>/dev/tcp/127.0.0.1/$PORT) 2>/dev/null"
	if [[ -s $TMP/server-$mode.out ]]; then
		diag "$mode: output of the server: $(head -c 2000 "$TMP/server-$mode.out")"
	fi
}

# --- main ------------------------------------------------------------------
if port_open; then
	fail "port $PORT is free (something else listens there)"
	diag "$(ss -ltnp "sport = :$PORT" 2>/dev/null)"
	echo "1..$n"
	exit 1
fi
if ! out=$("$ROOT/scripts/demo-site.sh" "$PORT" 2>&1); then
	fail "demo site set up"
	diag "$out"
	echo "1..$n"
	exit 1
fi
pass "demo site set up"

if [[ -n $UNCONFINED ]]; then
	phase unconfined
else
	# Exit statuses: the program's (0, and lighttpd's 255 for a missing
	# config), or 125 with one line ("vxe: ...", maybe a "hint:") when vxe
	# itself fails.
	for args in "-v" "-tt -f /srv/vxe-demo/no-such.conf"; do
		# shellcheck disable=SC2086 # args are split on purpose
		lighttpd $args >/dev/null 2>&1
		want=$?
		# shellcheck disable=SC2086
		"$VXE" run --log "$TMP/misc.log" "$POLICY" /usr/sbin/lighttpd $args >/dev/null 2>&1
		got=$?
		check "vxe run ... lighttpd $args exits with lighttpd's status $want (got $got)" test "$got" = "$want"
	done
	"$VXE" run --log "$TMP/misc.log" "$TMP/no-such.vxed" /bin/true >/dev/null 2>"$TMP/err"
	got=$?
	lines=$(grep -vc '^hint:' "$TMP/err")
	if [[ $got == 125 && $lines == 1 ]]; then
		pass "vxe's own failure (missing VXED) exits 125 with one error line"
	else
		fail "vxe's own failure (missing VXED) exits 125 with one error line (got $got, $lines lines)"
		diag "$(head -c 1000 "$TMP/err")"
	fi
	phase production
	phase soft
fi

echo "1..$n"
((failures == 0))
