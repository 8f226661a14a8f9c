# shellcheck shell=bash
# Shared by the trace-to-production tests of real Debian daemons
# (tests/e2e/popa3d.t, exim4.t, lighttpd-trace.t): TAP output, bounded
# waits, the log checks, and the hostile checks run under a generated VXED.
# Sourced, not run. Expects ROOT, VXE, TMP and PY to be set.

n=0
failures=0
pass() { echo "ok $((n += 1)) - $*"; }
fail() {
	echo "not ok $((n += 1)) - $*"
	failures=$((failures + 1))
}
skip() { echo "ok $((n += 1)) # SKIP $*"; }
# shellcheck disable=SC2001 # multi-line text
diag() { sed "s/^/# /" <<<"$*"; }
check() { # check DESC CMD...: ok when CMD succeeds
	local desc=$1
	shift
	if "$@"; then pass "$desc"; else fail "$desc"; fi
}
skip_all() {
	echo "1..0 # SKIP $*"
	exit 0
}

wait_for() { # wait_for TENTHS CMD...: until CMD succeeds, at most TENTHS/10 s
	local i
	for ((i = 0; i < $1; i++)); do
		"${@:2}" && return 0
		sleep 0.1
	done
	return 1
}

stop_pid() { # stop_pid PID: SIGTERM, 10 s bounded wait, then SIGKILL; reaps it
	local pid=$1
	[[ -n $pid ]] || return 0
	kill -TERM "$pid" 2>/dev/null
	wait_for 100 bash -c "! kill -0 $pid 2>/dev/null"
	kill -KILL "$pid" 2>/dev/null
	wait "$pid" 2>/dev/null
	return 0
}

# log_count LOG [FILTER]: the number of records (FILTER: a Python expression
# over the record r, e.g. 'r["syscall"] == "chroot"').
log_count() {
	"$PY" - "$1" "${2:-True}" <<'EOF'
import json, sys
n = 0
try:
    lines = open(sys.argv[1], encoding="utf-8", errors="replace").read().splitlines()
except FileNotFoundError:
    lines = []
for line in lines:
    try:
        r = json.loads(line)
    except ValueError:
        continue
    if isinstance(r, dict) and r.get("action") != "suppressed" and eval(sys.argv[2]):
        n += 1
print(n)
EOF
}

log_table() { # log_table LOG [MAX]: the records, briefly, as TAP diagnostics
	"$PY" - "$1" "${2:-20}" <<'EOF'
import json, sys
try:
    lines = open(sys.argv[1], encoding="utf-8", errors="replace").read().splitlines()
except FileNotFoundError:
    lines = []
for line in lines[: int(sys.argv[2])]:
    try:
        r = json.loads(line)
        print("#   %s %s %s pid=%s %s rule=%s %s" % (r.get("vxed"), r.get("action"), r.get("syscall"),
              r.get("pid"), r.get("exe", ""), r.get("rule"), json.dumps(r.get("args"))[:160]))
    except (ValueError, AttributeError):
        print("#   (not JSON) " + line[:200])
if len(lines) > int(sys.argv[2]):
    print("#   ... %d records in all" % len(lines))
EOF
}

# upgrade_all VXED LOG: `vxe upgrade --accept-all` from a soft run's log, as
# an administrator would after reviewing it; its output as diagnostics.
upgrade_all() {
	local out
	if out=$("$VXE" upgrade --accept-all "$1" "$2" 2>&1); then
		pass "upgrade --accept-all from the soft log"
	else
		fail "upgrade --accept-all from the soft log"
	fi
	diag "$out"
}

# with_exec_rule VXED PROGRAM COPY: COPY is VXED plus one rule, execute of
# PROGRAM, so that a hostile helper can be started under it; fails (and
# says why) if the copy does not load.
with_exec_rule() {
	local out
	{
		cat "$1"
		printf '\n;; added by the test: only so that the hostile helper can run\n'
		printf '(files (execute "%s"))\n' "$2"
	} >"$3"
	if ! out=$("$VXE" check "$3" 2>&1); then
		fail "the VXED plus the execute rule of $2 loads"
		diag "$out"
		return 1
	fi
}

# attack_reply URL NAME: fetches a hostile CGI's answer to attack NAME; sets
# reply, verdict (blocked|failed|SUCCEEDED), err and pids (pid= and child=
# of the reply, comma-separated). Returns 1 if there is no such answer.
attack_reply() {
	reply=$(curl -s --max-time 20 "$1" 2>&1 | head -c 2000)
	local re="^attack $2: (blocked|failed|SUCCEEDED) \\(([^)]*)\\)"
	[[ $reply =~ $re ]] || return 1
	verdict=${BASH_REMATCH[1]} err=${BASH_REMATCH[2]}
	pids=$(grep -oE '(pid|child)=[0-9]+' <<<"$reply" | cut -d= -f2 | paste -sd, -)
}

no_violations() { # no_violations DESC LOG
	local c
	c=$(log_count "$2")
	if [[ $c == 0 ]]; then
		pass "$1: no violation"
	else
		fail "$1: no violation ($c records: the VXED misses something)"
		log_table "$2"
	fi
}

# A bounded TCP listener on 127.0.0.1, the target of the "connect" attack:
# writes what it receives to $TMP/listener.got; sets listener_pid, lport.
listener_pid=
start_listener() {
	rm -f "$TMP/listener.port" "$TMP/listener.got"
	"$PY" - "$TMP/listener.port" "$TMP/listener.got" >/dev/null 2>&1 <<'EOF' &
import os, socket, sys, time
s = socket.socket()
s.bind(("127.0.0.1", 0))
s.listen(4)
s.settimeout(0.5)
open(sys.argv[1] + ".tmp", "w").write(str(s.getsockname()[1]))
os.rename(sys.argv[1] + ".tmp", sys.argv[1])
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
	wait_for 50 test -s "$TMP/listener.port"
	lport=$(cat "$TMP/listener.port" 2>/dev/null)
}

# hostile_checks LABEL VXED: the hostile actions of the core issue, run by
# build/helpers/hostile under VXED in production mode. A generated VXED
# permits executing only its daemon's programs, so the helper is run under a
# copy of VXED that adds exactly one rule: (files (execute HELPER)). That the
# unmodified VXED refuses to execute the helper is checked first.
# SHADOW_EXPECTED=SUCCEEDED when the daemon itself reads /etc/shadow (PAM).
# CHROOT_EXPECTED=SUCCEEDED when chroot was granted by hand (popa3d).
HOSTILE_ATTACKS=(shadow etcwrite shell exec connect ptrace mount module kexec io_uring
	handle int80 userfaultfd bpf userns keyctl procmem vmwrite perf chroot)
hostile_checks() {
	local label=$1 vxed=$2 helper=$ROOT/build/helpers/hostile
	local log=$TMP/hostile-$label.log copy=$TMP/hostile-$label.vxed
	: >"$log"
	if [[ ! -x $helper ]]; then
		skip "$label: hostile actions ($helper not built: make)"
		return
	fi
	# 1. The VXED as it is: the helper cannot even be executed.
	local out rc
	out=$(QUERY_STRING=attack=shadow timeout 30 "$VXE" run --mode production --log "$log" "$vxed" "$helper" 2>&1)
	rc=$?
	# The first exec is vxe's own (Landlock refuses it; vxe says so, exit 127).
	if [[ $rc == 127 && $out == *"cannot execute $helper"* && $out != *SUCCEEDED* ]]; then
		pass "$label: the VXED itself refuses to execute a program it never saw (exit $rc)"
	else
		fail "$label: the VXED itself refuses to execute a program it never saw (exit $rc)"
		diag "output: $out"
		log_table "$log"
	fi
	# 2. A copy that adds only the helper's execute rule.
	with_exec_rule "$vxed" "$helper" "$copy" || return
	mkdir -p "$TMP/mnt"
	start_listener
	local a q want verdict re since
	for a in "${HOSTILE_ATTACKS[@]}"; do
		q="attack=$a"
		[[ $a == connect ]] && q+="&port=$lport"
		[[ $a == mount ]] && q+="&dir=$TMP/mnt"
		# A real process outside (the listener), not getppid(): a traced
		# VXED need not permit getppid, and pid -1 would fail for the
		# wrong reason.
		[[ $a == procmem || $a == ptrace ]] && q+="&pid=$listener_pid"
		since=$(wc -l <"$log")
		out=$(cd "$TMP/mnt" && QUERY_STRING=$q timeout 30 "$VXE" run --mode production --log "$log" "$copy" "$helper" 2>&1 | head -c 2000)
		re="attack $a: (blocked|failed|SUCCEEDED) \\(([^)]*)\\)"
		if [[ ! $out =~ $re ]]; then
			fail "$label: attack $a answers"
			diag "output: ${out:-(empty)}"
			continue
		fi
		verdict=${BASH_REMATCH[1]}
		want=stopped
		[[ $a == shadow && ${SHADOW_EXPECTED:-} == SUCCEEDED ]] && want=SUCCEEDED
		[[ $a == chroot && ${CHROOT_EXPECTED:-} == SUCCEEDED ]] && want=SUCCEEDED
		if [[ $want == stopped ]]; then
			if [[ $verdict != SUCCEEDED ]]; then
				pass "$label: attack $a is stopped ($verdict, ${BASH_REMATCH[2]})"
			else
				fail "$label: attack $a is stopped"
				diag "output: $out"
			fi
		else
			if [[ $verdict == SUCCEEDED ]]; then
				pass "$label: attack $a succeeds, as expected: the daemon itself needs it (${BASH_REMATCH[2]})"
			else
				fail "$label: attack $a succeeds, as the daemon's own needs grant it (got $verdict)"
				diag "output: $out"
			fi
		fi
		if [[ $verdict == blocked ]]; then
			local recs
			recs=$("$PY" - "$log" "$since" <<'EOF'
import json, sys
lines = open(sys.argv[1], encoding="utf-8", errors="replace").read().splitlines()[int(sys.argv[2]):]
print(sum(1 for l in lines if '"action":"blocked"' in l))
EOF
			)
			check "$label: attack $a is logged as blocked" test "${recs:-0}" -ge 1
		fi
	done
	check "$label: the listener got no connection" test ! -s "$TMP/listener.got"
	check "$label: /etc/vxe-hostile-test does not remain" test ! -e /etc/vxe-hostile-test
	check "$label: nothing stays mounted on $TMP/mnt" bash -c "! mountpoint -q '$TMP/mnt'"
	stop_pid "$listener_pid"
	listener_pid=
}

# vxed_static_checks LABEL VXED: what a generated VXED must not grant.
vxed_static_checks() {
	local label=$1 vxed=$2 out
	# Only what is loaded counts: the canonical form drops comments.
	if ! out=$("$VXE" trace --print "$vxed" 2>&1); then
		fail "$label: vxe trace --print loads it"
		diag "$out"
		return
	fi
	local shells
	shells=$(grep -oE '"(/usr)?/bin/(sh|bash|dash|zsh|busybox)"' <<<"$out" | sort -u | paste -sd" " -)
	check "$label: no shell is named${shells:+ (has $shells)}" test -z "$shells"
	if grep -q '"/etc/shadow"\|(read "/etc"' <<<"$out"; then
		diag "$label: /etc/shadow is readable under it (see the test's header for why)"
	fi
	# CONNECT_EXPECTED: what the daemon itself connected to (exim4: DNS).
	local want=${CONNECT_EXPECTED:-(connect none)}
	if grep -qF "$want" <<<"$out" && [[ $(grep -cE '\(connect ' <<<"$out") == 1 ]]; then
		pass "$label: no outbound connection beyond what it used is permitted: $want"
	else
		fail "$label: no outbound connection beyond what it used is permitted: $want"
		diag "$(grep -oE '\((bind|connect) [^)]*\)' <<<"$out")"
	fi
}
