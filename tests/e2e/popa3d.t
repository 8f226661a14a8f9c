#!/usr/bin/env bash
# End-to-end, from trace to production: Debian's popa3d (POP3), run the way
# popa3d(8) assumes by default — one process per connection, the socket on
# its standard input and output, as inetd runs it (tests/e2e/inetd.py, on
# 127.0.0.1; Debian's standalone -D mode binds 0.0.0.0:110 and detaches).
#
#   trace       `vxe trace` (one run per connection, --merge) while a POP3
#               client (tests/e2e/mailclient.py) reads, then reads and
#               deletes, the mail of a test user in /var/mail.
#   as traced   production under the traced VXED fails: popa3d chroots its
#               unprivileged AUTHORIZATION child into /var/lib/popa3d, and
#               chroot is in VXE's escape set, which `vxe trace` writes
#               commented out ("decide by hand") and `vxe upgrade
#               --accept-all` never takes. The test checks exactly that.
#   by hand     the administrator's one decision: uncomment (permit chroot).
#   production  the same traffic: every reply right, no violation.
#   new         a second user's mailbox in soft mode; `vxe upgrade
#               --accept-all` from that log; production serves both users
#               with no violation.
#   hostile     the core issue's hostile actions (build/helpers/hostile) under
#               the generated VXED and under examples/popa3d.vxed: a copy
#               that adds only the helper's execute rule (the VXED itself
#               refuses to execute it, which is checked too). Expected to
#               succeed, and reported: reading /etc/shadow (popa3d
#               authenticates through PAM, and pam_unix, as root, reads
#               /etc/shadow itself) and chroot (granted by hand above).
#
# TAP on stdout. Root only. Test users vxe-e2e-pop1/2 and their mailboxes
# are created and removed. VXE_E2E_KEEP=1 keeps the temporary directory.
set -u

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
VXE=${VXE:-$ROOT/build/vxe}
EXAMPLE=$ROOT/examples/popa3d.vxed
MC=$ROOT/tests/e2e/mailclient.py
INETD=$ROOT/tests/e2e/inetd.py
PY=python3
[[ -x /usr/bin/python3 ]] && PY=/usr/bin/python3
# shellcheck source=tests/e2e/daemons-lib.sh
. "$ROOT/tests/e2e/daemons-lib.sh"

[[ $(id -u) -eq 0 ]] || skip_all "needs root (popa3d authenticates users and switches to them)"
[[ -x /usr/sbin/popa3d ]] || skip_all "popa3d not installed (scripts/install-deps.sh)"
for t in "$PY" useradd userdel chpasswd; do
	command -v "$t" >/dev/null || skip_all "$t not installed"
done
[[ -x $VXE ]] || skip_all "$VXE not built (make)"

USERS=(vxe-e2e-pop1 vxe-e2e-pop2)
PASS=Vxe-e2e-Pop3-pw
TMP=$(mktemp -d /tmp/vxe-e2e-popa3d.XXXXXX)
inetd_pid=
made_users=()
cleanup() {
	stop_pid "$inetd_pid"
	stop_pid "$listener_pid"
	local u
	for u in "${made_users[@]}"; do
		userdel "$u" 2>/dev/null
		rm -f "/var/mail/$u"
	done
	mountpoint -q "$TMP/mnt" 2>/dev/null && umount -l "$TMP/mnt"
	rm -f /etc/vxe-hostile-test
	if [[ -n ${VXE_E2E_KEEP:-} ]]; then
		echo "# kept $TMP"
	else
		rm -rf "$TMP"
	fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# --- helpers ---------------------------------------------------------------
make_user() { # make_user NAME: no home, no shell, a password, an empty mailbox
	if id "$1" >/dev/null 2>&1; then
		userdel "$1" 2>/dev/null # a leftover of a killed run
	fi
	useradd -M -d /nonexistent -s /usr/sbin/nologin "$1" || return 1
	made_users+=("$1")
	echo "$1:$PASS" | chpasswd || return 1
	install -m 660 -o "$1" -g mail /dev/null "/var/mail/$1"
}

fill() { # fill USER SUBJECT...: append one message per subject to the mailbox
	local u=$1 s
	shift
	for s in "$@"; do
		printf 'From e2e@localhost Thu Jan  1 00:00:00 2026\nFrom: e2e@localhost\nTo: %s@localhost\nSubject: %s\n\nThe body of %s.\n\n' \
			"$u" "$s" "$s" >>"/var/mail/$u"
	done
}

start_inetd() { # start_inetd CMD...: sets inetd_pid and PORT
	rm -f "$TMP/port"
	"$PY" "$INETD" "$TMP/port" "$TMP/stderr" --max-seconds 300 -- "$@" &
	inetd_pid=$!
	wait_for 100 test -s "$TMP/port" || return 1
	PORT=$(cat "$TMP/port")
}

stop_inetd() {
	stop_pid "$inetd_pid"
	inetd_pid=
}

# traffic LABEL USER: two messages; read them, read and delete them, see the
# mailbox empty. Every reply is compared.
traffic() {
	local label=$1 u=$2 out want
	fill "$u" "first for $u" "second for $u"
	want=$(printf 'count 2\nmessage 1: first for %s\nmessage 2: second for %s' "$u" "$u")
	out=$(timeout 60 "$PY" "$MC" pop "$PORT" "$u" "$PASS" 2>&1)
	check "$label: $u: LIST and RETR give both messages" test "$out" = "$want" || diag "got: $out"
	out=$(timeout 60 "$PY" "$MC" pop "$PORT" "$u" "$PASS" --delete 2>&1)
	check "$label: $u: RETR and DELE of both" test "$out" = "$want" || diag "got: $out"
	out=$(timeout 60 "$PY" "$MC" pop "$PORT" "$u" "$PASS" 2>&1)
	check "$label: $u: the mailbox is then empty" test "$out" = "count 0" || diag "got: $out"
	check "$label: $u: /var/mail/$u is empty on disk" test ! -s "/var/mail/$u"
	out=$(timeout 60 "$PY" "$MC" pop "$PORT" "$u" "wrong-$PASS" 2>&1)
	if [[ $out == error:* ]]; then
		pass "$label: $u: a wrong password is refused"
	else
		fail "$label: $u: a wrong password is refused"
		diag "got: $out"
	fi
}

run_phase() { # run_phase LABEL MODE VXED USER...: inetd runs popa3d under VXED
	local label=$1 mode=$2 vxed=$3 u
	shift 3
	: >"$TMP/$label.log"
	if ! start_inetd "$VXE" run --mode "$mode" --log "$TMP/$label.log" "$vxed" /usr/sbin/popa3d; then
		fail "$label: the inetd listens"
		return 1
	fi
	for u in "$@"; do traffic "$label" "$u"; done
	stop_inetd
}

# --- main ------------------------------------------------------------------
for u in "${USERS[@]}"; do
	if ! make_user "$u"; then
		fail "test user $u created"
		echo "1..$n"
		exit 1
	fi
done
pass "test users ${USERS[*]} with mailboxes in /var/mail"
U1=${USERS[0]} U2=${USERS[1]}
GEN=$TMP/popa3d.vxed

# 1. Trace, one `vxe trace` per connection, each merged into the same VXED.
cat >"$TMP/trace-one.sh" <<EOF
#!/bin/sh
if [ -s '$GEN' ]; then
	exec '$VXE' trace --merge '$GEN' -o '$GEN' -- /usr/sbin/popa3d
fi
exec '$VXE' trace -o '$GEN' -- /usr/sbin/popa3d
EOF
chmod +x "$TMP/trace-one.sh"
echo "# ---- trace ----"
if start_inetd "$TMP/trace-one.sh"; then
	traffic trace "$U1"
	stop_inetd
else
	fail "trace: the inetd listens"
fi
if [[ -s $GEN ]] && out=$("$VXE" check "$GEN" 2>&1); then
	pass "trace: the VXED is written and loads ($(grep -c . "$GEN") lines)"
else
	fail "trace: the VXED is written and loads"
	diag "${out:-}"
	diag "$(head -c 2000 "$TMP/stderr")"
	echo "1..$n"
	exit 1
fi
check "trace: vxe warned that chroot (escape set) was left out" grep -q 'chroot was used' "$TMP/stderr"
check "trace: chroot is written commented out" grep -q '^;; (permit chroot)' "$GEN"
vxed_static_checks trace "$GEN"
cp "$GEN" "$TMP/popa3d.traced.vxed"

# 2. Production under the VXED as traced: popa3d cannot chroot.
echo "# ---- production, the VXED as traced ----"
: >"$TMP/as-traced.log"
if start_inetd "$VXE" run --mode production --log "$TMP/as-traced.log" "$GEN" /usr/sbin/popa3d; then
	fill "$U1" "before chroot"
	out=$(timeout 60 "$PY" "$MC" pop "$PORT" "$U1" "$PASS" 2>&1)
	stop_inetd
	if [[ $out == error:* ]]; then pass "as traced: the POP3 session fails ($out)"; else fail "as traced: the POP3 session fails (got: ${out//$'\n'/ })"; fi
	c=$(log_count "$TMP/as-traced.log" 'r["syscall"] == "chroot" and r["rule"] == "escape" and r["action"] == "blocked" and r["args"].get("path") == "/var/lib/popa3d"')
	check "as traced: the log says why: chroot(\"/var/lib/popa3d\") blocked, rule escape ($c)" test "$c" -ge 1
	: >"/var/mail/$U1"
else
	fail "as traced: the inetd listens"
fi

# 3. The administrator's decision: popa3d's chroot is its own privilege
# separation, so it is granted.
# (Each merged section repeats the commented line: the first one is taken.)
sed -i '0,/^;; (permit chroot) .*/s//(permit chroot) ; granted by hand: popa3d chroots its AUTHORIZATION child/' "$GEN"
check "by hand: (permit chroot) uncommented, the VXED loads" bash -c "\"$VXE\" check \"$GEN\" >/dev/null"

echo "# ---- production ----"
run_phase production production "$GEN" "$U1"
no_violations production "$TMP/production.log"

# 4. Something new: a second user's mailbox, in soft mode; then upgrade.
echo "# ---- soft: a new mailbox ----"
run_phase soft soft "$GEN" "$U2"
c=$(log_count "$TMP/soft.log" "r[\"action\"] == \"logged\" and \"/var/mail/$U2\" in json.dumps(r[\"args\"])")
check "soft: the new mailbox /var/mail/$U2 is logged ($c records)" test "$c" -ge 1
log_table "$TMP/soft.log" 10
upgrade_all "$GEN" "$TMP/soft.log"
check "upgrade: the previous version is kept" bash -c "ls '$GEN'.[0-9]* >/dev/null 2>&1"
check "upgrade: the new VXED grants /var/mail/$U2" grep -q "\"/var/mail/$U2\"" "$GEN"
echo "# ---- production after the upgrade ----"
run_phase upgraded production "$GEN" "$U1" "$U2"
no_violations "production after the upgrade" "$TMP/upgraded.log"
vxed_static_checks upgraded "$GEN"

# 5. Hostile actions under the generated VXED and under the shipped example.
echo "# ---- hostile ----"
export SHADOW_EXPECTED=SUCCEEDED CHROOT_EXPECTED=SUCCEEDED
hostile_checks generated "$GEN"
if [[ -f $EXAMPLE ]]; then
	echo "# ---- examples/popa3d.vxed ----"
	run_phase example production "$EXAMPLE" "$U1" "$U2"
	no_violations "examples/popa3d.vxed" "$TMP/example.log"
	vxed_static_checks example "$EXAMPLE"
	hostile_checks example "$EXAMPLE"
else
	skip "examples/popa3d.vxed: not there"
fi
[[ -n ${VXE_E2E_SAVE:-} ]] && cp "$GEN" "$VXE_E2E_SAVE"

echo "1..$n"
((failures == 0))
