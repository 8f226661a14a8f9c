# Shared by the live tests (sourced, not run): TAP output, policies for the
# probe (tests/helpers/probe.c), running it under build/vxe, reading the log.
# shellcheck shell=bash
set -u

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
VXE=${VXE:-$ROOT/build/vxe}
PROBE=${PROBE:-$ROOT/build/helpers/probe}
LOGPY=$ROOT/tests/live/logcheck.py
PY=python3
[[ -x /usr/bin/python3 ]] && PY=/usr/bin/python3

n=0
failures=0
skip_all() {
	echo "1..0 # SKIP $*"
	exit 0
}
pass() { echo "ok $((n += 1)) - $*"; }
fail() {
	echo "not ok $((n += 1)) - $*"
	failures=$((failures + 1))
}
# A confirmed, reported bug: the test asserts the right behaviour.
todo() { # todo REASON DESC CMD...
	local why=$1 desc=$2
	shift 2
	if "$@"; then echo "ok $((n += 1)) - $desc # TODO $why"; else echo "not ok $((n += 1)) - $desc # TODO $why"; fi
}
skip() { echo "ok $((n += 1)) # SKIP $*"; }
diag() { sed 's/^/# /' <<<"$*"; }
check() { # check DESC CMD...
	local desc=$1
	shift
	if "$@"; then pass "$desc"; else fail "$desc"; fi
}
finish() {
	echo "1..$n"
	((failures == 0))
}

require_live() { # skips the whole file unless root, seccomp notify, the build
	[[ $(id -u) -eq 0 ]] || skip_all "needs root"
	[[ -r /proc/sys/kernel/seccomp/actions_avail ]] || skip_all "kernel without seccomp filters"
	grep -qw user_notif /proc/sys/kernel/seccomp/actions_avail ||
		skip_all "kernel without seccomp user notification"
	[[ -x $VXE && -x $PROBE ]] || skip_all "build/vxe or build/helpers/probe not built (make)"
	command -v "$PY" >/dev/null || skip_all "python3 not installed"
}

# Landlock as the kernel reports it: ABI version, 0 if absent.
landlock_abi() {
	$PY - <<'PYEOF' 2>/dev/null || echo 0
import ctypes, sys
libc = ctypes.CDLL(None, use_errno=True)
r = libc.syscall(444, None, ctypes.c_size_t(0), ctypes.c_uint32(1))
print(r if r > 0 else 0)
PYEOF
}

T=$(mktemp -d /tmp/vxe-live.XXXXXX)
chmod 755 "$T"
mkdir "$T/w" # the one writable directory of the probe policies
cleanup_live() {
	if [[ -n ${VXE_LIVE_KEEP:-} ]]; then echo "# kept $T"; else rm -rf "$T"; fi
}
trap cleanup_live EXIT

# What a dynamically linked probe needs to start and to report.
BASE_SYSCALLS="brk mmap munmap mprotect arch_prctl set_tid_address set_robust_list rseq
  prlimit64 getrandom exit_group exit close fstat newfstatat pread64 read write lseek futex
  rt_sigaction rt_sigprocmask rt_sigreturn getpid wait4 clone madvise nanosleep
  clock_nanosleep kill tgkill gettid pause"
BASE_FILES="(files (read \"/etc/ld.so.cache\" \"/usr/lib\" \"/lib\" \"/lib64\" \"/etc/hostname\" \"/dev/null\")
       (write \"$T/w\")
       (execute \"$PROBE\" \"/usr/lib\" \"/lib64\" \"/lib\"))"

# policy FILE TYPE [EXTRA-FORMS...]: a probe policy, strict or filesystem,
# in production (the tests choose the mode with --mode).
policy() {
	local file=$1 type=$2
	shift 2
	{
		echo "(vxed \"probe-$type\" :type $type :mode production)"
		if [[ $type == strict ]]; then
			echo "(unchecked $BASE_SYSCALLS)"
			echo "(permit openat access)"
		fi
		echo "$BASE_FILES"
		local f
		for f in "$@"; do echo "$f"; done
	} >"$file"
}

# run MODE POLICY ARGS...: runs the probe; stdout in $T/out, stderr in
# $T/err, log in $T/log (fresh each run), status in $rc.
run() {
	local mode=$1 pol=$2
	shift 2
	: >"$T/log"
	timeout -k 5 ${RUN_TIMEOUT:-30} "$VXE" run --mode "$mode" --log "$T/log" -q "$pol" "$PROBE" "$@" \
		>"$T/out" 2>"$T/err" </dev/null
	rc=$?
}

# result ACTION: the rest of the probe's RESULT line for ACTION ("ok ..." or "errno=E ...").
result() { sed -n "s/^RESULT $1 //p" "$T/out" | head -1; }
res_is() { # res_is ACTION WANT: the result's first word is WANT ("ok", "errno=EPERM")
	local got
	got=$(result "$1")
	[[ ${got%% *} == "$2" ]] && return 0
	diag "$1: got '${got:-<none>}' (status $rc), want '$2'; stderr: $(head -c 300 "$T/err")"
	return 1
}
# logq KEY=VALUE...: at least one log line with these fields (args.path etc.)
logq() { $PY "$LOGPY" "$T/log" "$@"; }
lognone() { $PY "$LOGPY" "$T/log" --none "$@"; }

# unconfined ACTION ARGS...: the probe's result without VXE (what soft mode
# must reproduce), first word only.
unconfined() {
	local out
	out=$("$PROBE" "$@" 2>/dev/null | head -1)
	out=${out#RESULT * }
	echo "${out%% *}"
}
