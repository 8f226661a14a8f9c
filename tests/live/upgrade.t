#!/usr/bin/env bash
# vxe upgrade (issue 3): crafted logs (no root needed) for --dry-run, a
# garbage-filled log, an unparseable VXED, --accept-all leaving escape-set
# calls alone, --undo, and the one-key review on a pseudo-terminal; as root,
# the real cycle: trace, soft run doing something new, upgrade --accept-all,
# production with zero violations.
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

[[ -x $VXE ]] || skip_all "$VXE not built (make)"
command -v "$PY" >/dev/null || skip_all "python3 not installed"

rec() { # rec VXED ACTION SYSCALL ARGS RULE
	printf '{"v":1,"time":"2026-12-03T16:54:42.937Z","vxed":"%s","mode":"soft","action":"%s","pid":7,"exe":"/usr/bin/app","syscall":"%s","arch":"x86_64","args":{%s},"rule":"%s"}\n' "$@"
}
P=$T/app.vxed
cat >"$P" <<'VXED'
; hand-written: kept verbatim
(vxed "app" :type strict :mode soft)
(unchecked read write close)
(permit openat)
(files (read "/usr/lib"))
(network (bind tcp 8080) (connect none))
VXED
cp "$P" "$T/orig.vxed"
L=$T/app.log
{
	rec app logged getpid '' unlisted
	rec app logged getpid '' unlisted
	rec app logged openat '"dirfd":"AT_FDCWD","path":"/etc/app-vxe-test/conf","flags":"O_RDONLY"' files
	rec app logged openat '"dirfd":"AT_FDCWD","path":"/usr/lib/os-release","flags":"O_RDONLY"' files
	rec app logged ptrace '"request":16,"pid":9' escape
	rec app logged connect '"fd":3,"addr":"inet:10.0.0.1:25","addrlen":16' network
	rec other logged uname '' unlisted
	echo '{"v":1,"time":"2026-12-03T17:20:00.000Z","vxed":"app","action":"suppressed","count":5}'
} >"$L"
G=$T/garbage.log
{
	echo 'this is not JSON'
	head -c 300 /dev/urandom | tr -d '\n'
	echo
	rec app logged getpid '' unlisted
	echo '{"v":2,"time":"2026-12-03T17:20:00.000Z","action":"logged","syscall":"x"}'
	echo '{"v":1,"time":"2026-12-03T17:20:00.000Z","vxed":"app","action":"logged","sysc'
} >"$G"
nbackups() { find "$T" -maxdepth 1 -name 'app.vxed.2*' | wc -l; }

# --- --dry-run -------------------------------------------------------------------------
"$VXE" upgrade --dry-run "$P" "$L" >"$T/out" 2>"$T/err"
rc=$?
check "--dry-run: status 0" test $rc -eq 0
check "--dry-run: the VXED is untouched" cmp -s "$P" "$T/orig.vxed"
check "--dry-run: no backup made" test "$(nbackups)" -eq 0
check "--dry-run: a unified diff on stdout" grep -q '^+++ .*app.vxed (upgraded)' "$T/out"
check "--dry-run: the diff adds (permit getpid)" grep -q '^+(permit getpid)' "$T/out"
check "--dry-run: the diff adds the path" grep -q '^+ *(read "/etc/app-vxe-test/conf")' "$T/out"
check "--dry-run: the diff adds the port" grep -q '^+ *(connect tcp 25)' "$T/out"
check "--dry-run: covered record not proposed (/usr/lib)" bash -c "! grep -q os-release '$T/out'"
check "--dry-run: the escape-set call is not in the diff" bash -c "! grep -q '^+.*ptrace' '$T/out'"
check "--dry-run: the escape-set call is shown with a warning" grep -q 'WARNING: ESCAPE SET' "$T/err"
check "--dry-run: counts per proposal" grep -q 'permit getpid)   2 events' "$T/err"
check "--dry-run: suppressed events reported" grep -q '5 events of "app" not logged' "$T/err"
check "--dry-run: risky grant flagged (/etc)" bash -c "grep -A3 'app-vxe-test/conf' '$T/err' | grep -q 'a whole top-level\|system directory' || grep -q 'ladder: \[/etc/app-vxe-test/conf\]' '$T/err'"

# --- garbage log ------------------------------------------------------------------------
"$VXE" upgrade --dry-run "$P" "$G" >"$T/out" 2>"$T/err"
rc=$?
check "garbage log: status 0" test $rc -eq 0
check "garbage log: bad lines reported with their line numbers" grep -q 'garbage.log:1: skipped' "$T/err"
check "garbage log: counted" grep -q 'malformed log line' "$T/err"
check "garbage log: the good record still proposed" grep -q '^+(permit getpid)' "$T/out"
check "garbage log: the VXED is untouched" cmp -s "$P" "$T/orig.vxed"

# --- a VXED that does not load -----------------------------------------------------------
B=$T/bad.vxed
printf '(vxed "app" :type strict)\n(permit no_such_call\n' >"$B"
cp "$B" "$T/bad.orig"
"$VXE" upgrade --accept-all "$B" "$L" >"$T/out" 2>"$T/err"
rc=$?
check "bad VXED: exit status 2 (got $rc)" test $rc -eq 2
check "bad VXED: a clear message with the location" grep -q 'cannot parse the VXED: .*bad.vxed:[0-9]' "$T/err"
check "bad VXED: file untouched, no backup" bash -c "cmp -s '$B' '$T/bad.orig' && ! ls '$T'/bad.vxed.2* 2>/dev/null"
"$VXE" upgrade --accept-all "$P" "$T/missing.log" >"$T/out" 2>"$T/err"
check "missing log: exit 125 with the name" bash -c "test $? -eq 125 && grep -q missing.log '$T/err'"
"$VXE" upgrade "$P" "$L" </dev/null >"$T/out" 2>"$T/err"
check "no terminal, no --accept-all/--dry-run: refused (125)" bash -c "test $? -eq 125 && grep -q 'needs a terminal' '$T/err'"

# --- --accept-all, then --undo -------------------------------------------------------------
"$VXE" upgrade --accept-all "$P" "$L" >"$T/out" 2>"$T/err"
rc=$?
check "--accept-all: status 0" test $rc -eq 0
check "--accept-all: old text kept verbatim at the top" \
	bash -c "head -c $(wc -c <"$T/orig.vxed") '$P' | cmp -s - '$T/orig.vxed'"
check "--accept-all: marked section" grep -q '^;; vxe upgrade .*: 3 proposals accepted from' "$P"
check "--accept-all: getpid permitted" grep -q '^(permit getpid)' "$P"
check "--accept-all: escape-set call NOT taken" bash -c "! grep -q ptrace '$P'"
check "--accept-all: the new VXED loads" bash -c "\"\$1\" check \"\$2\" >/dev/null" _ "$VXE" "$P"
check "--accept-all: one dated backup, the old version" \
	bash -c "test $(nbackups) -eq 1 && cmp -s '$T'/app.vxed.2* '$T/orig.vxed'"
cp "$P" "$T/v2.vxed"
"$VXE" upgrade --dry-run "$P" "$L" >"$T/out" 2>"$T/err"
check "second run: everything covered, nothing to add" grep -q 'nothing to add' "$T/err"
"$VXE" upgrade --undo "$P" >"$T/out" 2>"$T/err"
rc=$?
check "--undo: status 0" test $rc -eq 0
check "--undo: the previous version is back" cmp -s "$P" "$T/orig.vxed"
check "--undo: the replaced version kept as another backup" test "$(nbackups)" -eq 2
check "--undo: the replaced version is among the backups" \
	bash -c "for f in '$T'/app.vxed.2*; do cmp -s \"\$f\" '$T/v2.vxed' && exit 0; done; exit 1"

# --- the review on a terminal --------------------------------------------------------------
# keys: proposals in log order: getpid, the path, ptrace, the port.
pty_run() { # pty_run KEYS POLICY LOG: runs vxe upgrade on a pty, typing KEYS one by one
	$PY - "$VXE" "$@" <<'PYEOF'
import os, pty, sys, time, select
vxe, keys, pol, log = sys.argv[1:5]
pid, fd = pty.fork()
if pid == 0:
    os.execv(vxe, [vxe, "upgrade", pol, log])
out = b""
def drain(t):
    global out
    end = time.time() + t
    while time.time() < end:
        r, _, _ = select.select([fd], [], [], 0.05)
        if r:
            try:
                d = os.read(fd, 4096)
            except OSError:
                return False
            if not d:
                return False
            out += d
    return True
drain(0.5)
for k in keys:
    os.write(fd, k.encode())
    if not drain(0.3):
        break
drain(0.5)
# Never hang: a review still waiting for keys is ended (the pty closed,
# then SIGKILL) and reported as status 99.
code = None
for _ in range(40):
    p, st = os.waitpid(pid, os.WNOHANG)
    if p:
        code = os.waitstatus_to_exitcode(st)
        break
    drain(0.05)
if code is None:
    os.close(fd)
    time.sleep(0.2)
    p, st = os.waitpid(pid, os.WNOHANG)
    if not p:
        os.kill(pid, 9)
        os.waitpid(pid, 0)
    code = 99
sys.stdout.write(out.decode("utf-8", "replace"))
sys.exit(code)
PYEOF
}
cp "$T/orig.vxed" "$P"
n0=$(nbackups)
pty_run "q" "$P" "$L" >"$T/out" 2>&1
check "review: q writes nothing" bash -c "cmp -s '$P' '$T/orig.vxed' && test $(nbackups) -eq $n0 && grep -q 'nothing was written' '$T/out'"
# getpid: a; path: b (to /etc/app-vxe-test) then a; ptrace: a then n (refused), then r; port: r
pty_run "abaanrr" "$P" "$L" >"$T/out" 2>&1
rc=$?
check "review: status 0 (got $rc)" test $rc -eq 0
check "review: shows the ladder" grep -q 'ladder: \[/etc/app-vxe-test/conf\] /etc/app-vxe-test' "$T/out"
check "review: getpid accepted" grep -q '^(permit getpid)' "$P"
check "review: the broadened path written" grep -q '"/etc/app-vxe-test")' "$P"
check "review: the escape-set call asked for a confirmation" grep -q 'Type y to grant it anyway' "$T/out"
check "review: ptrace not granted without y" bash -c "! grep -q ptrace '$P'"
check "review: the rejected port not written" bash -c "! grep -q 'connect tcp 25' '$P'"
cp "$T/orig.vxed" "$P"
# pass 1: getpid s, path s, ptrace a + y, port r; pass 2: getpid a, path a
pty_run "ssayraa" "$P" "$L" >"$T/out" 2>&1
check "review: status 0 after skipping and coming back" test $? -eq 0
check "review: skipped ones come back; escape-set accepted with y" \
	bash -c "grep -q '^ *ptrace)\|(permit ptrace)' '$P' && grep -q 'once more' '$T/out'"
check "review: the result loads" bash -c "\"\$1\" check \"\$2\" >/dev/null" _ "$VXE" "$P"

# --- the real cycle (root) -----------------------------------------------------------------------
if [[ $(id -u) -ne 0 ]] || ! grep -qw user_notif /proc/sys/kernel/seccomp/actions_avail 2>/dev/null; then
	skip "real cycle: needs root and seccomp user notification"
else
	mkdir -p "$T/a" "$T/b"
	echo one >"$T/a/f"
	echo two >"$T/b/g"
	R=$T/real.vxed
	timeout 60 "$VXE" trace --name real -o "$R" -- sh -c "cat $T/a/f" >/dev/null 2>"$T/terr"
	check "real: traced" test -s "$R"
	work="cat $T/a/f; ls $T/b; cat $T/b/g; id -u"
	: >"$T/real.log"
	timeout 60 "$VXE" run --mode soft --log "$T/real.log" -q "$R" sh -c "$work" >"$T/s1" 2>&1 </dev/null
	check "real: the soft run logged violations" test -s "$T/real.log"
	"$VXE" upgrade --accept-all "$R" "$T/real.log" >"$T/out" 2>"$T/err"
	rc=$?
	check "real: upgrade --accept-all (status $rc)" test $rc -eq 0
	[[ $rc -eq 0 ]] || diag "$(cat "$T/err")"
	: >"$T/log"
	timeout 60 "$VXE" run --mode production --log "$T/log" -q "$R" sh -c "$work" >"$T/p1" 2>&1 </dev/null
	prc=$?
	check "real: production run succeeds (status $prc)" test $prc -eq 0
	if lognone; then pass "real: zero violations in production"; else
		fail "real: zero violations in production"
		diag "$(head -c 2000 "$T/log")"
	fi
	check "real: same output as in soft mode" cmp -s "$T/s1" "$T/p1"
fi

finish
