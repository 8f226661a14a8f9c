#!/usr/bin/env bash
# End-to-end, from trace to production: Debian's exim4 (exim4-daemon-light,
# Debian's default "local" configuration), run as its init script runs it but
# in the foreground (-bdf instead of -bd, so that vxe supervises the daemon
# itself), listening on 127.0.0.1:2525 (-oX; Debian's configuration binds
# 127.0.0.1 and ::1). Delivery is exim's own: the daemon forks, re-executes
# exim4 to deliver, and appends to /var/mail/USER as that user.
#
#   trace       `vxe trace` of the daemon while an SMTP client
#               (tests/e2e/mailclient.py) delivers two messages to a test
#               user's mailbox; SIGINT ends it and writes the VXED.
#   production  the same traffic under the traced VXED: every reply right,
#               the messages in the mailbox, no violation.
#   new         mail to a second user (a new mailbox) in soft mode; `vxe
#               upgrade --accept-all` from that log; production delivers to
#               both users with no violation.
#   hostile     the core issue's hostile actions (build/helpers/hostile) under
#               the generated VXED and under examples/exim4.vxed (a copy that
#               adds only the helper's execute rule; that the VXED itself
#               refuses to execute the helper is checked first).
#
# exim4 4.96's daemon runs as Debian-exim and regains root for delivery by
# re-executing its setuid-root binary. That needs no_new_privs off: `vxe
# trace` leaves it off when run as root, and writes `:setuid allow` into the
# VXED when a traced program was setuid (the filter and Landlock still hold
# across the exec).
#
# exim names each delivery's lock file after the host, the time and the pid
# (/var/mail/USER.lock.HOST.TIME.PID): only write on /var/mail itself lets
# it create them, and `vxe trace` grants that (with a comment to review)
# because the program created files there. Production straight after the
# trace is checked like every other phase.
set -u

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
VXE=${VXE:-$ROOT/build/vxe}
EXAMPLE=$ROOT/examples/exim4.vxed
MC=$ROOT/tests/e2e/mailclient.py
EXIM=/usr/sbin/exim4
PORT=2525
PY=python3
[[ -x /usr/bin/python3 ]] && PY=/usr/bin/python3
. "$ROOT/tests/e2e/daemons-lib.sh"

[[ $(id -u) -eq 0 ]] || skip_all "needs root (exim4 delivers as the mailbox's owner)"
[[ -x $EXIM ]] || skip_all "exim4 not installed (scripts/install-deps.sh)"
for t in "$PY" useradd userdel exiqgrep; do
	command -v "$t" >/dev/null || skip_all "$t not installed"
done
[[ -x $VXE ]] || skip_all "$VXE not built (make)"

USERS=(vxe-e2e-smtp1 vxe-e2e-smtp2)
TMP=$(mktemp -d /tmp/vxe-e2e-exim4.XXXXXX)
server_pid=
made_users=()
cleanup() {
	stop_pid "$server_pid"
	local u id
	for id in $(exiqgrep -i -r 'vxe-e2e-smtp' 2>/dev/null); do
		"$EXIM" -Mrm "$id" >/dev/null 2>&1
	done
	for u in "${made_users[@]}"; do
		userdel "$u" 2>/dev/null
		rm -f "/var/mail/$u" "/var/mail/$u.lock"*
	done
	rm -f /etc/vxe-hostile-test
	if [[ -n ${VXE_E2E_KEEP:-} ]]; then
		echo "# kept $TMP"
	else
		rm -rf "$TMP"
	fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM

port_open() { (exec 3<>/dev/tcp/127.0.0.1/$PORT) 2>/dev/null; }

make_user() { # make_user NAME: no shell, an empty mailbox; home / (exim chdirs there)
	if id "$1" >/dev/null 2>&1; then
		userdel "$1" 2>/dev/null # a leftover of a killed run
	fi
	useradd -M -d / -s /usr/sbin/nologin "$1" || return 1
	made_users+=("$1")
	install -m 660 -o "$1" -g mail /dev/null "/var/mail/$1"
}

ARGS=(-bdf -q30m -oX "$PORT" -oP "$TMP/exim.pid")

start_server() { # start_server CMD...: sets server_pid
	"$@" >"$TMP/server.out" 2>&1 &
	server_pid=$!
	wait_for 100 port_open
}

stop_server() { # SIGINT (Ctrl-C: how a trace is ended), bounded wait
	local sig=${1:-TERM}
	kill -"$sig" "$server_pid" 2>/dev/null
	if ! wait_for 150 bash -c "! kill -0 $server_pid 2>/dev/null"; then
		fail "the server ends on SIG$sig within 15 s"
		stop_pid "$server_pid"
	fi
	wait "$server_pid" 2>/dev/null
	server_pid=
	wait_for 50 bash -c "! (exec 3<>/dev/tcp/127.0.0.1/$PORT) 2>/dev/null"
}

subjects() { "$PY" "$MC" mbox "/var/mail/$1" 2>/dev/null | tail -n +2 | sort | paste -sd'|' -; }

# traffic LABEL USER: two messages by SMTP; both must land in the mailbox.
traffic() {
	local label=$1 u=$2 out s want got
	: >"/var/mail/$u" 2>/dev/null
	chown "$u:mail" "/var/mail/$u" 2>/dev/null
	for s in "first for $u" "second for $u"; do
		out=$(timeout 60 "$PY" "$MC" smtp "$PORT" e2e@localhost "$u@localhost" "$s" 2>&1)
		check "$label: $u: '$s' is accepted (${out//$'\n'/ })" test "$out" = sent
	done
	want="first for $u|second for $u"
	wait_for 100 bash -c "[[ \$('$PY' '$MC' mbox '/var/mail/$u' 2>/dev/null | head -1) == 'count 2' ]]"
	got=$(subjects "$u")
	check "$label: $u: both are delivered to /var/mail/$u (got: ${got:-nothing})" test "$got" = "$want"
	[[ $got == "$want" ]] || diag "$(grep -F "$u" /var/log/exim4/mainlog 2>/dev/null | tail -1)"
}

no_violations_quiet() { # the log holds no blocked or logged record
	! grep -q '"action":"\(blocked\|logged\)"' "$1"
}

run_phase() { # run_phase LABEL MODE VXED USER...
	local label=$1 mode=$2 vxed=$3 u
	shift 3
	: >"$TMP/$label.log"
	if ! start_server "$VXE" run --mode "$mode" --log "$TMP/$label.log" "$vxed" "$EXIM" "${ARGS[@]}"; then
		fail "$label: exim4 listens on 127.0.0.1:$PORT"
		diag "$(head -c 2000 "$TMP/server.out")"
		log_table "$TMP/$label.log"
		stop_pid "$server_pid"
		server_pid=
		return 1
	fi
	pass "$label: exim4 listens on 127.0.0.1:$PORT"
	for u in "$@"; do traffic "$label" "$u"; done
	sleep 0.5 # the delivery processes end after the mailbox is written
	stop_server TERM
	local q
	q=$(exiqgrep -i -r 'vxe-e2e-smtp' 2>/dev/null | wc -l)
	check "$label: nothing for the test users stays queued ($q)" test "$q" = 0
	# What one phase left deferred must not be delivered in the next.
	local id
	for id in $(exiqgrep -i -r 'vxe-e2e-smtp' 2>/dev/null); do
		"$EXIM" -Mrm "$id" >/dev/null 2>&1
	done
}

# --- main ------------------------------------------------------------------
if port_open; then
	fail "port $PORT is free"
	echo "1..$n"
	exit 1
fi
for u in "${USERS[@]}"; do
	if ! make_user "$u"; then
		fail "test user $u created"
		echo "1..$n"
		exit 1
	fi
done
pass "test users ${USERS[*]}"
U1=${USERS[0]} U2=${USERS[1]}
GEN=$TMP/exim4.vxed
export CONNECT_EXPECTED="(connect udp 53)" # the resolver: exim looks up the host names it sees

echo "# ---- trace ----"
if start_server "$VXE" trace -o "$GEN" -- "$EXIM" "${ARGS[@]}"; then
	pass "trace: exim4 listens on 127.0.0.1:$PORT"
	traffic trace "$U1"
	sleep 0.5
	stop_server INT
else
	fail "trace: exim4 listens on 127.0.0.1:$PORT"
	stop_pid "$server_pid"
fi
if [[ -s $GEN ]] && out=$("$VXE" check "$GEN" 2>&1); then
	pass "trace: the VXED is written and loads ($(grep -c . "$GEN") lines)"
else
	fail "trace: the VXED is written and loads"
	diag "${out:-}"
	diag "$(head -c 2000 "$TMP/server.out")"
	echo "1..$n"
	exit 1
fi
check "trace: exim4 may bind port $PORT" grep -q "(bind tcp $PORT)" "$GEN"
vxed_static_checks trace "$GEN"
cp "$GEN" "$TMP/exim4.traced.vxed"

echo "# ---- production ----"
run_phase production production "$GEN" "$U1"
check "production: no violation" no_violations_quiet "$TMP/production.log"

echo "# ---- soft: a new mailbox ----"
run_phase soft soft "$GEN" "$U2"
c=$(log_count "$TMP/soft.log" "r[\"action\"] == \"logged\" and \"/var/mail/$U2\" in json.dumps(r[\"args\"])")
check "soft: the new mailbox /var/mail/$U2 is logged ($c records)" test "$c" -ge 1
log_table "$TMP/soft.log" 12
upgrade_all "$GEN" "$TMP/soft.log"
check "upgrade: there was something to add; the previous version is kept" bash -c "ls '$GEN'.[0-9]* >/dev/null 2>&1"

echo "# ---- production after the upgrade ----"
run_phase upgraded production "$GEN" "$U1" "$U2"
no_violations "production after the upgrade" "$TMP/upgraded.log"
vxed_static_checks upgraded "$GEN"

echo "# ---- hostile ----"
hostile_checks generated "$GEN"
if [[ -f $EXAMPLE ]]; then
	echo "# ---- examples/exim4.vxed ----"
	run_phase example production "$EXAMPLE" "$U1" "$U2"
	no_violations "examples/exim4.vxed" "$TMP/example.log"
	vxed_static_checks example "$EXAMPLE"
	hostile_checks example "$EXAMPLE"
else
	skip "examples/exim4.vxed: not there"
fi
[[ -n ${VXE_E2E_SAVE:-} ]] && cp "$GEN" "$VXE_E2E_SAVE"

echo "1..$n"
((failures == 0))
