#!/usr/bin/env bash
# vxe trace's kernel counter (src/supervisor/kcount.c): as root, the
# harmless calls go through the filter unseen and are recorded from the
# kernel's raw_syscalls:sys_enter tracepoint instead of a notification each.
# Asserts that nothing is lost that way: the calls of a forked child, of its
# thread and of a vfork child are in the VXED; a burst of 200 000 calls is
# counted exactly; the rules are those of a trace that stops for every call
# (--no-kernel-count), but for exit/exit_group, which only the counter sees;
# the VXED passes production; the host's mount table is not changed by the
# tracefs the counter may mount for itself.
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
require_live
KC=$ROOT/build/helpers/kcount
[[ -x $KC ]] || skip_all "build/helpers/kcount not built (make)"

mounts_before=$(wc -l </proc/self/mountinfo)
cgroups() { find /sys/fs/cgroup -maxdepth 4 -type d -name 'vxe-trace-*' 2>/dev/null | wc -l; }
cgroups_before=$(cgroups)
if ! "$VXE" trace -o "$T/k.vxed" -- "$KC" 200000 >"$T/out" 2>"$T/err"; then
	fail "trace of the helper succeeds"
	diag "$(cat "$T/err")"
	finish
	exit
fi
pass "trace of the helper succeeds"
if ! grep -q 'counted by the kernel' "$T/k.vxed"; then
	# The tracepoint is missing (no tracefs, no CONFIG_FTRACE_SYSCALLS):
	# trace falls back to a notification per call, which trace.t covers.
	skip_all "this kernel cannot count calls for vxe trace (no raw_syscalls tracepoint)"
fi
check "the mount table is as before (tracefs mounted only in a private namespace)" \
	test "$(wc -l </proc/self/mountinfo)" = "$mounts_before"
for call in getcpu getitimer timerfd_create getresgid times exit_group; do
	check "unchecked lists $call" grep -Eq "^[ (]*(unchecked )?.*\\b$call\\b" "$T/k.vxed"
done
check "clone (fork and thread) is permitted" grep -Eq '^ +clone +; 2 calls: kcount' "$T/k.vxed"
check "vfork is permitted" grep -Eq '^ +vfork +; 1 call: kcount' "$T/k.vxed"
counted=$(sed -n 's/^;; \([0-9]*\) of them (the harmless ones) counted.*/\1/p' "$T/k.vxed")
check "the burst of 200000 times() calls is counted (counted: ${counted:-none})" \
	test "${counted:-0}" -ge 200000
check "no counted call was dropped" bash -c "! grep -q 'counter dropped' '$T/k.vxed' '$T/err'"
check "vxe check accepts the VXED" bash -c "'$VXE' check '$T/k.vxed' >/dev/null"

# The same rules as a trace that stops for every call.
"$VXE" trace --no-kernel-count -o "$T/n.vxed" -- "$KC" 1000 >"$T/out2" 2>"$T/err2"
check "--no-kernel-count: no counter" bash -c "! grep -q 'counted by the kernel' '$T/n.vxed'"
rules() { grep -v '^;;' "$1" | sed 's/;.*//' | tr -s ' \n' '\n' | grep -Ev '^(exit|exit_group)\)?$' | sort; }
if diff <(rules "$T/k.vxed") <(rules "$T/n.vxed") >"$T/diff"; then
	pass "the counted trace writes the rules of the notified one"
else
	fail "the counted trace writes the rules of the notified one"
	diag "$(cat "$T/diff")"
fi

# Production under the counted VXED: the helper works, nothing logged.
: >"$T/log"
if "$VXE" run --mode production --log "$T/log" -q "$T/k.vxed" "$KC" 10 >"$T/pout" 2>&1 </dev/null &&
	grep -q 'kcount done' "$T/pout"; then
	pass "production under the counted VXED: the helper works"
else
	fail "production under the counted VXED: the helper works"
	diag "$(head -c 1500 "$T/pout")"
fi
check "production: zero violations" test ! -s "$T/log"

# A program that exits at once, and one that is not there: the counter
# comes and goes with it.
"$VXE" trace -o "$T/t.vxed" -- /bin/true 2>"$T/err3"
check "/bin/true: traced, status 0" test $? -eq 0
check "/bin/true: counted" grep -q 'counted by the kernel' "$T/t.vxed"
"$VXE" trace -o "$T/x.vxed" -- /nonexistent/prog 2>"$T/err4"
check "a missing program: 127" test $? -eq 127
# 32-bit calls reach the tracepoint numbered as i386 numbers them: 20 is
# getpid there and writev here, 56 is nothing there and clone here. None
# may turn into a native call, however many come between two drains.
if "$KC" i386 1 >/dev/null 2>&1; then
	"$VXE" trace -o "$T/i3.vxed" -- "$KC" i386 200 >/dev/null 2>"$T/i3.err"
	check "i386: 400 32-bit calls are reported as such" grep -q '^;; 400 32-bit' "$T/i3.vxed"
	# The rules only, without their strings: the paths may say "clone".
	sed -e '/^;;/d' -e 's/;.*//' -e 's/"[^"]*"//g' "$T/i3.vxed" >"$T/i3.rules"
	check "i386: no writev was made, none is written" bash -c "! grep -Eq '\\bwritev\\b' '$T/i3.rules'"
	check "i386: no clone was made, none is written" bash -c "! grep -Eq '\\bclone\\b' '$T/i3.rules'"
else
	skip "i386: this kernel runs no 32-bit code (int 0x80)"
fi

# A daemon that detaches: the supervisor goes on serving it from a forked
# copy (where the kernel does not map the counter's buffers).
rm -f "$T/daemon.out"
"$VXE" trace -o "$T/d.vxed" -- "$KC" daemon "$T/daemon.out" >/dev/null 2>"$T/d.err"
for _ in $(seq 50); do
	[[ -s $T/daemon.out ]] && break
	sleep 0.1
done
check "daemon: its open, a second after the trace ended, is served ($(cat "$T/daemon.out" 2>/dev/null))" \
	grep -q 'open ok' "$T/daemon.out"

# Dropped samples are reported even when the buffers stay full to the end:
# the program stops the supervisor, floods, and exits.
"$VXE" trace -o "$T/f.vxed" -- "$KC" flood 300000 >/dev/null 2>"$T/f.err" &
v=$!
sleep 2
kill -CONT "$v"
wait "$v"
check "flood: the VXED says calls were dropped" grep -q 'kernel counter dropped' "$T/f.vxed"
check "flood: vxe warns about it" grep -q 'kernel counter dropped' "$T/f.err"

# Ending a trace: a second SIGTERM that comes while the program is going or
# the VXED is being written must not kill vxe before the file is there.
for i in 1 2 3; do
	rm -f "$T/s$i.vxed"
	"$VXE" trace -o "$T/s$i.vxed" -- sh -c 'for i in 1 2 3; do sleep 1; done' 2>/dev/null &
	v=$!
	sleep 0.5
	kill -TERM "$v"
	kill -TERM "$v"
	kill -TERM "$v"
	wait "$v"
	check "SIGTERM three times ($i): the VXED is written all the same" test -s "$T/s$i.vxed"
done
# Each trace's cgroup is removed, also when an orphan outlived the trace
# (the killed shell's sleep): then as soon as it has ended.
for _ in $(seq 50); do
	[[ $(cgroups) -le $cgroups_before ]] && break
	sleep 0.1
done
check "no cgroup of the traces is left ($(cgroups) now, $cgroups_before before)" test "$(cgroups)" -le "$cgroups_before"
# A vxe trace killed outright cannot remove its cgroup: the next trace
# sweeps what is empty and older than ten seconds.
"$VXE" trace -o "$T/kill.vxed" -- /bin/sleep 1 2>/dev/null &
v=$!
sleep 0.3
kill -KILL "$v"
wait "$v" 2>/dev/null
sleep 11.5
left=$(cgroups)
"$VXE" trace -o "$T/after.vxed" -- /bin/true 2>/dev/null
check "a killed trace's cgroup is swept by the next ($left before it, $(cgroups) after)" \
	test "$(cgroups)" -le "$cgroups_before"
finish
