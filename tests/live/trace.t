#!/usr/bin/env bash
# vxe trace end to end: trace real programs, check that the VXED loads, run
# the same workload under it in production with zero violations; merge keeps
# the old text; printing is canonical; bad input gives a clear message and
# loses nothing.
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

# vxe check accepts the VXED (its listing is not TAP: keep it off stdout).
loads() { "$VXE" check "$1" >/dev/null; }
require_live

# trace_prod NAME CMD...: trace, check, then production with the same workload.
trace_prod() {
	local name=$1
	shift
	local out=$T/$name.vxed
	timeout 60 "$VXE" trace -o "$out" -- "$@" >"$T/tout" 2>"$T/terr"
	local trc=$?
	check "$name: traced (status $trc)" test "$trc" -eq 0
	check "$name: vxe check accepts the VXED" loads "$out"
	: >"$T/log"
	timeout 60 "$VXE" run --mode production --log "$T/log" -q "$out" "$@" >"$T/pout" 2>"$T/perr" </dev/null
	local prc=$?
	check "$name: production run succeeds (status $prc)" test "$prc" -eq 0
	if lognone; then pass "$name: zero violations in production"; else
		fail "$name: zero violations in production"
		diag "$(head -c 2000 "$T/log")"
	fi
	check "$name: same output as traced" cmp -s "$T/tout" "$T/pout"
}

trace_prod ls /bin/ls /etc
trace_prod sh sh -c "echo hi > $T/w/x; cat $T/w/x; rm $T/w/x"
# A process's own /proc entries: traced as /proc/self, which the supervisor
# must match against /proc/PID of the first process, as Landlock does.
trace_prod procself "$PY" -c 'import os; print(len(open("/proc/self/status").read()) > 0, len(open("/proc/%d/stat" % os.getpid()).read()) > 0)'
check "procself: the VXED reads /proc/self" grep -q '"/proc/self"' "$T/procself.vxed"
cat >"$T/ps.vxed" <<EOF
(vxed "ps" :type filesystem)
(files (read "/usr" "/lib" "/lib64" "/etc" "/proc/self") (execute "/usr" "/lib" "/lib64"))
EOF
: >"$T/log"
"$VXE" run --mode production --log "$T/log" -q "$T/ps.vxed" "$PY" -c '
import os
def t(name, path):
    try:
        open(path).read(); print(name, "ok")
    except OSError as e: print(name, e.errno)
t("own", "/proc/self/status")
t("own-by-pid", "/proc/%d/status" % os.getpid())
t("pid1", "/proc/1/status")' >"$T/psout" 2>&1
check "(read \"/proc/self\"): the process reads its /proc/self/status" grep -qx 'own ok' "$T/psout"
check "...and its /proc/PID/status" grep -qx 'own-by-pid ok' "$T/psout"
check "...not /proc/1/status (EACCES)" grep -qx 'pid1 13' "$T/psout"
check "...which alone is logged" test "$(grep -c '"syscall":"openat"' "$T/log")" -eq 1
cat >"$T/tcp.py" <<'PY'
import socket, threading
s = socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind(("127.0.0.1", 18779)); s.listen(1)
def srv():
    c, _ = s.accept(); c.sendall(c.recv(10)); c.close()
th = threading.Thread(target=srv); th.start()
c = socket.create_connection(("127.0.0.1", 18779)); c.sendall(b"ping"); print(c.recv(10)); th.join()
PY
trace_prod python-tcp "$PY" "$T/tcp.py"
check "python-tcp: bind and connect ports recorded" grep -q '(bind tcp 18779)' "$T/python-tcp.vxed"
check "python-tcp: socket restricted to the family seen" grep -q '(member domain (list AF_INET' "$T/python-tcp.vxed"
check "ls: activates on the program" grep -q ':activate ("/usr/bin/ls")' "$T/ls.vxed"
check "ls: the ELF interpreter may be executed" grep -q 'interpreter of /usr/bin/ls' "$T/ls.vxed"

# Filesystem type.
"$VXE" trace --type filesystem -o "$T/fs.vxed" -- /bin/ls /etc >/dev/null 2>&1
check "filesystem: VXED loads" loads "$T/fs.vxed"
check "filesystem: no syscall lists" bash -c "! grep -q '^(unchecked\|^(permit' '$T/fs.vxed'"
: >"$T/log"
"$VXE" run --mode production --log "$T/log" -q "$T/fs.vxed" /bin/ls /etc >/dev/null 2>&1
check "filesystem: zero violations in production" lognone

# Canonical printing: print(load(x)) is a fixed point, also of a generated VXED.
"$VXE" trace --print "$T/python-tcp.vxed" >"$T/p1.vxed"
"$VXE" trace --print "$T/p1.vxed" >"$T/p2.vxed"
check "print is a fixed point" cmp -s "$T/p1.vxed" "$T/p2.vxed"

# Past --max-paths, a created file is recorded as write on its directory,
# not on the directory above it.
mkdir -p "$T/w/cap/d"
"$VXE" trace --force --generalize none --max-paths 16 -o "$T/cap.vxed" -- sh -c "for i in $(seq -s " " 40); do : > $T/w/cap/d/f\$i; done" >/dev/null 2>&1
check "over the path cap: write on the files' directory" grep -q "\"$T/w/cap/d\"" "$T/cap.vxed"
check "...not on the one above" bash -c "! grep -q '\"$T/w/cap\"' '$T/cap.vxed'"

# Merge: the old text verbatim, hand-written comments kept, only what is new.
cp "$T/ls.vxed" "$T/m.vxed"
echo ';; hand-written: keep me' >>"$T/m.vxed"
"$VXE" trace --merge "$T/m.vxed" -o "$T/m.vxed" -- sh -c "echo hi > $T/w/y" >/dev/null 2>"$T/merr"
check "merge: the result loads" loads "$T/m.vxed"
check "merge: the old text comes first, unchanged" cmp -s "$T/ls.vxed" <(head -c "$(stat -c %s "$T/ls.vxed")" "$T/m.vxed")
check "merge: hand-written comment kept" grep -q 'hand-written: keep me' "$T/m.vxed"
check "merge: a marked section" grep -q 'added by `vxe trace --merge`' "$T/m.vxed"
: >"$T/log"
"$VXE" run --mode production --log "$T/log" -q "$T/m.vxed" sh -c "echo hi > $T/w/y" >/dev/null 2>&1
check "merge: the new run has zero violations" lognone
cp "$T/m.vxed" "$T/m2.vxed"
"$VXE" trace --merge "$T/m2.vxed" -o "$T/m2.vxed" -- sh -c "echo hi > $T/w/y" >/dev/null 2>&1
check "merge: the same run again adds nothing" cmp -s "$T/m.vxed" "$T/m2.vxed"
# An escape-set call is written commented out once, not again by each merge.
if [[ $(id -u) -eq 0 ]]; then
	chr=(/usr/bin/python3 -c 'import os; os.chroot("/")')
	"$VXE" trace -o "$T/e.vxed" -- "${chr[@]}" >/dev/null 2>&1
	"$VXE" trace --merge "$T/e.vxed" -o "$T/e.vxed" -- "${chr[@]}" >/dev/null 2>&1
	"$VXE" trace --merge "$T/e.vxed" -o "$T/e.vxed" -- "${chr[@]}" >/dev/null 2>&1
	c=$(grep -c '^;; *(permit chroot)' "$T/e.vxed")
	check "merge: the commented (permit chroot) is written once in three runs (got $c)" test "$c" -eq 1
	check "...and the VXED loads" loads "$T/e.vxed"
else
	skip "merge of an escape-set call: chroot needs root"
fi

# Output safety.
"$VXE" trace -o "$T/ls.vxed" -- /bin/true >/dev/null 2>"$T/err"
rc=$?
check "an existing OUT is refused without --force (status $rc)" test "$rc" -eq 125
check "...and kept" cmp -s "$T/ls.vxed" <(head -c "$(stat -c %s "$T/ls.vxed")" "$T/m.vxed")
"$VXE" trace --force -o "$T/ls.vxed" -- /bin/true >/dev/null 2>&1
check "--force replaces it" grep -q '"true"' "$T/ls.vxed"

# Bad input.
"$VXE" trace -o "$T/none.vxed" -- /nonexistent/prog >/dev/null 2>"$T/err"
rc=$?
check "missing program: status 127 (got $rc)" test "$rc" -eq 127
check "missing program: a clear message" grep -q '/nonexistent/prog: No such file or directory' "$T/err"
check "missing program: nothing written" test ! -e "$T/none.vxed"
"$VXE" trace -o "$T/false.vxed" -- /bin/false >/dev/null 2>"$T/err"
rc=$?
check "program that fails at once: its status (1, got $rc)" test "$rc" -eq 1
check "...said so" grep -q 'exited with status 1' "$T/err"
check "...and the VXED is written and loads" loads "$T/false.vxed"
timeout 120 "$VXE" trace -o "$T/fork.vxed" -- "$PY" -c '
import os
for i in range(1000):
    if os.fork() == 0:
        os._exit(0)
for i in range(1000):
    os.wait()' >/dev/null 2>"$T/err"
rc=$?
check "a thousand children: traced (status $rc)" test "$rc" -eq 0
check "...the VXED loads" loads "$T/fork.vxed"
check "...every fork counted" grep -Eq 'clone +; (100[0-9]|10[1-9][0-9]) calls' "$T/fork.vxed"
# Signal handlers without SA_RESTART (a shell's SIGCHLD, every Python
# handler): a notified call that a signal interrupts before the supervisor
# has received it fails with EINTR, whatever the call. fork said "Cannot
# fork", exit_group returned (glibc's _exit then crashes, SIGSEGV), and a
# returning rt_sigreturn ran on past the restorer (SIGSEGV). Trace mode lets
# clone, vfork, exit, exit_group and rt_sigreturn through unseen
# (src/compile/plan.c plan_trace) and records them otherwise.
trace_prod sh-jobs sh -c 'for i in $(seq 1000); do /bin/true & done; wait'
check "sh-jobs: each background job counted as a clone" \
	grep -Eq 'clone +; 100[0-9] calls' "$T/sh-jobs.vxed"
check "sh: the foreground commands' vfork recorded" grep -Eq '(^|[( ])vfork( |$)' "$T/sh.vxed"
cat >"$T/sig.py" <<'PY'
import os, signal
def h(sig, frame): pass
for s in (signal.SIGUSR1, signal.SIGUSR2, signal.SIGCHLD):
    signal.signal(s, h)  # no SA_RESTART, none blocks the others
me, busy = os.getpid(), []
for i in range(2):  # keeps the supervisor busy
    pid = os.fork()
    if pid == 0:
        for k in range(20000): os.getppid()
        os._exit(0)
    busy.append(pid)
sender = os.fork()
if sender == 0:
    for k in range(20000):
        os.kill(me, signal.SIGUSR1); os.kill(me, signal.SIGUSR2)
    os._exit(0)
forks = 0
for k in range(300):
    if os.fork() == 0:
        os._exit(0)
    forks += 1
for pid in busy + [sender]:
    os.waitpid(pid, 0)
while True:
    try:
        os.wait()
    except ChildProcessError:
        break
print("forks", forks)
PY
trace_prod py-signals "$PY" "$T/sig.py"
check "py-signals: rt_sigreturn recorded" grep -Eq '(^|[( ])rt_sigreturn( |$|\))' "$T/py-signals.vxed"
junk=$(printf '%s/w/j\001\377\n"x' "$T")
"$VXE" trace -o "$T/junk.vxed" -- "$PY" -c "
import os
p = os.fsencode('$T/w/j') + bytes([1, 255, 10, 34]) + b'x'
open(p, 'wb').close(); os.unlink(p)" >/dev/null 2>"$T/err"
rc=$?
check "binary junk paths: traced (status $rc)" test "$rc" -eq 0
check "...the VXED loads" loads "$T/junk.vxed"
check "...and stays printable ASCII" bash -c "! LC_ALL=C grep -q '[^[:print:][:space:]]' '$T/junk.vxed'"
finish
