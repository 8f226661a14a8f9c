#!/usr/bin/env bash
# The second red-team round's escapes (R2-1..R2-10, closed by "Second red-team
# round: performed calls act as the program, never as the supervisor"), each
# attempted for real by tests/helpers/escape2.c inside a VXE: the escape must
# fail, and be logged where VXE logs it, and the permitted counterpart must
# still work, so that each check is shown to be specific. Outside services
# (unix stream and datagram sockets, a UDP port on 127.0.0.1) are played by a
# small python server in the temp dir, which records who reached it.
#
# Every escape below was open when found and is closed now: each
# test attempts it and asserts that it fails.
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
require_live

ESCAPE2=${ESCAPE2:-$ROOT/build/helpers/escape2}
ESCAPE=${ESCAPE:-$ROOT/build/helpers/escape}
[[ -x $ESCAPE2 && -x $ESCAPE ]] || skip_all "build/helpers/escape2 or escape not built (make)"
abi=$(landlock_abi)
((abi >= 6)) || skip_all "Landlock ABI $abi < 6 (scopes needed)"
SETPRIV=$(command -v setpriv) || skip_all "setpriv (util-linux) not installed"
NOBODY=("$SETPRIV" --reuid 65534 --regid 65534 --clear-groups)

SRV=$T/srv     # the outside: its sockets, what reached them
OUT=$T/outside # outside the VXED's files rules
mkdir -p "$SRV" "$OUT" "$T/L" "$T/m"
srv_pid=
cleanup_redteam2() {
	[[ -n $srv_pid ]] && kill "$srv_pid" 2>/dev/null && wait "$srv_pid" 2>/dev/null
	# Soft mode mounts only in the program's own mount namespace; should one
	# ever show here, it goes before the temp dir does.
	while grep -q " $T/m " /proc/self/mountinfo 2>/dev/null; do
		umount -l "$T/m" 2>/dev/null || break
	done
	cleanup_live
}
trap cleanup_redteam2 EXIT

# --- helpers ---------------------------------------------------------------------------

# erun MODE POLICY ARGS...: runs escape2 (or $PROG, or the command in $WRAP
# before it) in a VXE; the log ($LOGF, default $T/log) is emptied first unless
# KEEP_LOG is set. Extra environment: ERUN_ENV.
LOGF=$T/log
erun() {
	local mode=$1 pol=$2
	shift 2
	[[ -n ${KEEP_LOG:-} ]] || : >"$LOGF"
	env ${ERUN_ENV:-} timeout -k 5 "${RUN_TIMEOUT:-30}" \
		"$VXE" run --mode "$mode" --log "$LOGF" -q "$pol" ${WRAP:-} "${PROG:-$ESCAPE2}" "$@" \
		>"$T/out" 2>"$T/err" </dev/null
	rc=$?
}
llogq() { $PY "$LOGPY" "$LOGF" "$@"; }
llognone() { $PY "$LOGPY" "$LOGF" --none "$@"; }
got() { cat "$SRV/$1.got" 2>/dev/null; }
port() { cat "$SRV/$1.port"; }
nothing_reached() { # nothing_reached NAME
	[[ ! -s $SRV/$1.got ]] && return 0
	diag "$1 received: $(head -c 120 "$SRV/$1.got" | tr '\n' ' ')"
	return 1
}
field() { # field ACTION KEY [DEFAULT]: KEY=VALUE from the RESULT line for ACTION
	local v
	v=$(result "$1" | tr ' ' '\n' | sed -n "s/^$2=//p" | head -1)
	echo "${v:-${3:-}}"
}
is() { # is WHAT GOT WANT: equal, or a diagnostic
	[[ $2 == "$3" ]] && return 0
	diag "$1: got '$2', want '$3'"
	return 1
}
gt() { # gt WHAT GOT LIMIT: a number above LIMIT
	[[ $2 =~ ^[0-9]+$ ]] && (($2 > $3)) && return 0
	diag "$1: got '$2', want > $3"
	return 1
}
mode_of() { stat -c %a "$1"; }
settle() { sleep 0.3; }
forget() { settle; : >"$SRV/$1.got"; }
rc_is_0() { # vxe (and so the supervisor) finished normally
	[[ $rc == 0 ]] && return 0
	diag "status $rc; stderr: $(head -c 300 "$T/err")"
	return 1
}
unconfined_nobody() { # the first word of escape2's result as unconfined nobody
	local out
	out=$("${NOBODY[@]}" "$T/bin/escape2" "$@" 2>/dev/null | head -1)
	out=${out#RESULT * }
	echo "${out%% *}"
}

# escape2 as a file nobody may run (the build dir may not be reachable).
mkdir -p "$T/bin"
cp "$ESCAPE2" "$T/bin/escape2"
chmod 755 "$T/bin" "$T/bin/escape2"
ESCAPE2=$T/bin/escape2

# --- the outside services ------------------------------------------------------------
cat >"$T/srv.py" <<'PYEOF'
# srv.py DIR SPEC...: services recording who reaches each in DIR/NAME.got.
# SPEC: stream:NAME:MODE:PATH (a unix stream listener, socket file mode MODE:
# each peer's SO_PEERCRED uid is recorded as "uid=N" and answered the same,
# after its first bytes), dgram:NAME:MODE:PATH (a unix datagram socket: each
# datagram's SCM_CREDENTIALS uid), udp:NAME (127.0.0.1, port in
# DIR/NAME.port: each datagram). DIR/ready once all listen.
import os, socket, struct, sys, threading
d = sys.argv[1]
def got(name, data):
    with open(os.path.join(d, name + ".got"), "ab") as f:
        f.write(data)
def stream(name, s):
    s.listen(64)
    while True:
        c, _ = s.accept()
        uid = struct.unpack("3i", c.getsockopt(socket.SOL_SOCKET, socket.SO_PEERCRED, 12))[1]
        got(name, b"uid=%d\n" % uid)
        c.settimeout(2)
        try:
            c.recv(16)
            c.sendall(b"uid=%d" % uid)
        except OSError:
            pass
        c.close()
def dgram(name, s):
    s.setsockopt(socket.SOL_SOCKET, socket.SO_PASSCRED, 1)
    while True:
        _, anc, _, _ = s.recvmsg(100, socket.CMSG_SPACE(12))
        uid = -1
        for _, _, c in anc:
            uid = struct.unpack("3i", c[:12])[1]
        got(name, b"uid=%d\n" % uid)
def udp(name, s):
    while True:
        got(name, s.recvfrom(100)[0])
for spec in sys.argv[2:]:
    kind, name, *rest = spec.split(":", 3)
    if kind == "udp":
        s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        s.bind(("127.0.0.1", 0))
        with open(os.path.join(d, name + ".port"), "w") as f:
            f.write(str(s.getsockname()[1]))
        fn = udp
    else:
        s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM if kind == "dgram" else socket.SOCK_STREAM)
        s.bind(rest[1])
        os.chmod(rest[1], int(rest[0], 8))
        fn = dgram if kind == "dgram" else stream
    threading.Thread(target=fn, args=(name, s), daemon=True).start()
open(os.path.join(d, "ready"), "w").close()
threading.Event().wait(900)
PYEOF
$PY "$T/srv.py" "$SRV" "stream:priv:600:$T/w/priv.sock" "dgram:dpriv:600:$T/w/dpriv.sock" \
	"stream:pub:666:$T/w/pub.sock" "dgram:dpub:666:$T/w/dpub.sock" \
	"stream:out:777:$SRV/out.sock" udp:udp \
	>"$T/srv.log" 2>&1 &
srv_pid=$!
for _ in $(seq 100); do [[ -e $SRV/ready ]] && break; sleep 0.05; done
[[ -e $SRV/ready ]] || skip_all "the outside services did not start: $(head -c 200 "$T/srv.log")"

# --- policies --------------------------------------------------------------------------
# Like /tmp/redteam2/pol/wfiles.vxed: a filesystem VXED in production; $T/w
# is the one writable (and readable) directory; $OUT, $SRV and the log are
# outside.
FILES="(files (read \"/usr\" \"/lib\" \"/lib64\" \"/etc\" \"/proc\" \"/dev/null\" \"$T/w\")
       (write \"$T/w\" \"/dev/null\")
       (execute \"/usr\" \"/lib\" \"/lib64\" \"$ESCAPE2\" \"$ESCAPE\"))"
printf '(vxed "rt2-fs" :type filesystem :mode production)\n%s\n' "$FILES" >"$T/fs.vxed"
printf '(vxed "rt2-net" :type filesystem :mode production)\n%s\n(network (connect none))\n' \
	"$FILES" >"$T/net.vxed"
# Like /tmp/redteam2/pol/procpred.vxed: only an openat predicate (no files
# form), one that covers /proc and the whole temp dir, the log's directory.
cat >"$T/pred.vxed" <<EOP
(vxed "rt2-pred" :type filesystem :mode production)
(permit openat (dirfd path flags mode)
  (or (path-under? path "/usr") (path-under? path "/lib") (path-under? path "/etc")
      (path-under? path "/proc") (path-under? path "$T")))
EOP

# --- R2-1: /proc through an openat predicate is the program's own --------------------
erun production "$T/pred.vxed" open r /proc/self/status /proc/thread-self/status /proc/PPID/status /proc/1/status
check "R2-1 open /proc/self/status through the predicate: allowed" res_is open_1 ok
check "R2-1 ...it is the program's own (Pid: is getpid())" \
	is "Pid" "$(field open_1 pid)" "$(field open_1 self x)"
check "R2-1 open /proc/thread-self/status: the program's own too" \
	is "Pid" "$(field open_2 pid)" "$(field open_2 self x)"
sup_status=$(field open_3 path)
check "R2-1 open /proc/PPID/status (the supervisor): EACCES" res_is open_3 errno=EACCES
check "R2-1 ...logged blocked openat rule files" \
	llogq syscall=openat action=blocked rule=files errno=EACCES args.path="$sup_status"
check "R2-1 open /proc/1/status: EACCES" res_is open_4 errno=EACCES
check "R2-1 ...logged blocked openat rule files" \
	llogq syscall=openat action=blocked rule=files errno=EACCES args.path=/proc/1/status
erun production "$T/pred.vxed" open rw /proc/PPID/mem /proc/self/mem
sup_mem=$(field open_1 path)
check "R2-1 open /proc/PPID/mem (the supervisor's memory) read-write: EACCES" res_is open_1 errno=EACCES
check "R2-1 ...logged blocked openat rule files" \
	llogq syscall=openat action=blocked rule=files errno=EACCES args.path="$sup_mem"
check "R2-1 open /proc/self/mem read-write (the program's own): allowed" res_is open_2 ok
erun production "$T/pred.vxed" open r /proc/PPID/mem "/proc/self/root/proc/PPID/status" /proc/1/environ
check "R2-1 open /proc/PPID/mem read-only: EACCES" res_is open_1 errno=EACCES
check "R2-1 open /proc/self/root/proc/PPID/status: EACCES" res_is open_2 errno=EACCES
check "R2-1 open /proc/1/environ: EACCES" res_is open_3 errno=EACCES
check "R2-1 vxe finished normally" rc_is_0
# From a second thread the kernel's /proc/self is still the process (the
# thread group); the notification names the thread.
ERUN_ENV=ESCAPE2_THREAD=1 erun production "$T/pred.vxed" open r /proc/self/status /proc/PPID/status
check "R2-1 from a thread: open /proc/self/status allowed" res_is open_1 ok
check "R2-1 from a thread: /proc/self/status is the process's (Pid: is getpid())" \
	is "Pid" "$(field open_1 pid)" "$(field open_1 self x)"
check "R2-1 from a thread: /proc/PPID/status refused" res_is open_2 errno=EACCES

# --- R2-2: unix connect/sendto act as the program, not as root -------------------------
check "R2-2 unconfined nobody: connect to the root-owned 0600 socket is EACCES (baseline)" \
	is connect "$(unconfined_nobody unix "$T/w/priv.sock")" errno=EACCES
check "R2-2 unconfined nobody: sendto the root-owned 0600 datagram socket is EACCES (baseline)" \
	is sendto "$(unconfined_nobody unix "$T/w/dpriv.sock" dgram)" errno=EACCES
forget priv
forget dpriv
WRAP="${NOBODY[*]}" erun production "$T/fs.vxed" unix "$T/w/priv.sock"
check "R2-2 confined nobody: connect to the 0600 socket in the writable dir: EACCES" res_is unix errno=EACCES
check "R2-2 ...the program really was nobody" is uid "$(field unix uid)" 65534
WRAP="${NOBODY[*]}" erun production "$T/fs.vxed" unix "$T/w/dpriv.sock" dgram
check "R2-2 confined nobody: sendto the 0600 datagram socket: EACCES" res_is unix errno=EACCES
settle
check "R2-2 ...nothing reached the stream socket" nothing_reached priv
check "R2-2 ...nothing reached the datagram socket" nothing_reached dpriv
erun production "$T/fs.vxed" unix "$T/w/priv.sock"
check "R2-2 confined root: connect to the 0600 socket works" res_is unix ok
check "R2-2 ...the server's SO_PEERCRED uid is 0" is peercred "$(got priv)" uid=0
check "R2-2 ...and the program got the reply" is reply "$(field unix reply)" uid=0
check "R2-2 ...and it is not logged" llognone
erun production "$T/fs.vxed" unix "$T/w/dpriv.sock" dgram
check "R2-2 confined root: sendto the 0600 datagram socket works" res_is unix ok
settle
check "R2-2 ...SCM_CREDENTIALS uid 0" is scm "$(got dpriv)" uid=0
forget pub
forget dpub
WRAP="${NOBODY[*]}" erun production "$T/fs.vxed" unix "$T/w/pub.sock"
check "R2-2 confined nobody: connect to a 0666 socket works" res_is unix ok
check "R2-2 ...the server's SO_PEERCRED uid is 65534, not 0" is peercred "$(got pub)" uid=65534
check "R2-2 ...and it is not logged" llognone
WRAP="${NOBODY[*]}" erun production "$T/fs.vxed" unix "$T/w/dpub.sock" dgram
check "R2-2 confined nobody: sendto a 0666 datagram socket works" res_is unix ok
settle
check "R2-2 ...SCM_CREDENTIALS uid 65534, not 0" is scm "$(got dpub)" uid=65534

# --- R2-3: a unix address longer than sockaddr_un --------------------------------------
for len in 111 128; do
	check "R2-3 unconfined: connect with addrlen $len is EINVAL (baseline)" \
		is len "$("$ESCAPE2" unix_len "$len" "$T/w/pub.sock" | sed -n 's/^RESULT unix_len //p' | cut -d' ' -f1)" errno=EINVAL
	erun production "$T/fs.vxed" unix_len "$len" "$T/w/pub.sock" "$SRV/out.sock"
	check "R2-3 connect with addrlen $len: EINVAL" res_is unix_len errno=EINVAL
	check "R2-3 ...logged blocked connect errno EINVAL" \
		llogq syscall=connect action=blocked errno=EINVAL args.addrlen="$len"
	check "R2-3 ...the supervisor survived: a later connect outside is answered (EACCES)" \
		res_is unix_after errno=EACCES
	check "R2-3 ...and logged blocked connect rule files" \
		llogq syscall=connect action=blocked rule=files errno=EACCES args.addr="unix:$SRV/out.sock"
	check "R2-3 ...vxe finished normally" rc_is_0
done
forget pub
erun production "$T/fs.vxed" unix_len 110 "$T/w/pub.sock"
check "R2-3 connect with addrlen 110 (sizeof sockaddr_un) inside: works" res_is unix_len ok
check "R2-3 ...not logged" llognone

# --- R2-4: sun_path[0] flipped between '\0' and '/' during the check -----------------
forget out
RUN_TIMEOUT=120 erun production "$T/fs.vxed" unix_flip "$SRV/out.sock" 2000
diag "R2-4 flip to the outside: $(result unix_flip)"
check "R2-4 flip race ran to its end" res_is unix_flip ok
check "R2-4 never connected to the outside socket (connected=0)" is connected "$(field unix_flip connected)" 0
settle
check "R2-4 ...the outside server counted 0" nothing_reached out
check "R2-4 ...refusals logged blocked connect rule files" \
	llogq syscall=connect action=blocked rule=files errno=EACCES
forget pub
RUN_TIMEOUT=120 erun production "$T/fs.vxed" unix_flip "$T/w/pub.sock" 2000
diag "R2-4 flip to the inside: $(result unix_flip)"
check "R2-4 the same race on a socket in the writable dir connects (connected>0)" \
	gt connected "$(field unix_flip connected)" 0
forget pub
# Any thread but the first: the supervisor cannot duplicate the socket
# through the thread's id, and lets the call through unchecked.
forget out
ERUN_ENV=ESCAPE2_THREAD=1 erun production "$T/fs.vxed" unix "$SRV/out.sock"
check "R2-4 from a thread: connect to the outside socket is EACCES" res_is unix errno=EACCES
settle
check "R2-4 from a thread: nothing reached the outside socket" \
	nothing_reached out
forget out
ERUN_ENV=ESCAPE2_THREAD=1 erun production "$T/net.vxed" udp "$(port udp)"
check "R2-4 from a thread: no UDP socket under (connect none)" \
	llogq syscall=socket action=blocked rule=network errno=EPROTONOSUPPORT
settle
check "R2-4 from a thread: no datagram reached the listener" \
	nothing_reached udp
forget udp
erun production "$T/net.vxed" udp "$(port udp)"
check "R2-4 no UDP socket under (connect none) from the main thread" \
	llogq syscall=socket action=blocked rule=network errno=EPROTONOSUPPORT
settle
check "R2-4 ...no datagram reached the listener" nothing_reached udp

# --- R2-5: the log through an openat predicate covering its directory ---------------
earlier='{"v":1,"time":"2026-01-01T00:00:00.000Z","vxed":"earlier","mode":"soft","action":"logged","syscall":"getpid","rule":"unlisted"}'
log_intact() { # the earlier record is there, nothing forged
	llogq vxed=earlier || return 1
	llognone action=FORGED-BY-CONFINED
}
echo "$earlier" >"$LOGF"
echo other >"$T/w/other"
KEEP_LOG=1 erun production "$T/pred.vxed" open wt "$T/log" "/proc/self/root$T/log" "$T/w/other"
check "R2-5 open(log, O_WRONLY|O_TRUNC) through the predicate: EACCES" res_is open_1 errno=EACCES
check "R2-5 open(/proc/self/root + log, O_WRONLY|O_TRUNC): EACCES" res_is open_2 errno=EACCES
check "R2-5 the log is intact: the earlier record is there, nothing forged" log_intact
check "R2-5 another file in the same tree, O_WRONLY|O_TRUNC: allowed and written" \
	is written "$(field open_3 written)" 54
diag "R2-5 records of the refusals: $(grep -c '"syscall":"openat"' "$LOGF") (not asserted: the fix does not log them)"

# --- R2-6: chmod through a name that is missing at the check --------------------------
echo victim >"$OUT/victim"
chmod 600 "$OUT/victim"
before=$(mode_of "$OUT/victim")
RUN_TIMEOUT=120 erun production "$T/fs.vxed" chmod_race "$T/w/race" "$OUT/victim" 20000
diag "R2-6 chmod race: $(result chmod_race)"
check "R2-6 chmod race ran to its end" res_is chmod_race ok
check "R2-6 the victim's mode never changes" is mode "$(mode_of "$OUT/victim")" "$before"
check "R2-6 ...the program never saw it changed (changed=0)" is changed "$(field chmod_race changed)" 0
chmod 600 "$OUT/victim"
rm -f "$T/w/race"
echo inside >"$T/w/f"
chmod 644 "$T/w/f"
PROG=$ESCAPE erun production "$T/fs.vxed" chmod "$T/w/f" 600
check "R2-6 chmod of a file inside the writable dir: allowed" res_is chmod ok
check "R2-6 ...and done (mode 600)" is mode "$(mode_of "$T/w/f")" 600
check "R2-6 ...and not logged" llognone

# --- R2-8: device nodes in a VXED with only a predicate -----------------------------------
for t in c b; do
	erun production "$T/pred.vxed" mknodat "$T/w/node$t" $t
	check "R2-8 mknodat S_IF$([[ $t == c ]] && echo CHR || echo BLK) (predicate only): EPERM" \
		res_is mknodat errno=EPERM
	check "R2-8 ...logged blocked mknodat rule escape" \
		llogq syscall=mknodat action=blocked rule=escape errno=EPERM args.path="$T/w/node$t"
	check "R2-8 ...no node made" test ! -e "$T/w/node$t"
done
rm -f "$T/w/nodec" "$T/w/nodeb" "$T/w/fifo"
erun production "$T/pred.vxed" mknodat "$T/w/fifo" p
check "R2-8 mknodat of a FIFO: allowed" res_is mknodat ok
check "R2-8 ...a FIFO is there" test -p "$T/w/fifo"
check "R2-8 ...and not logged" llognone

# --- R2-9: a full backlog does not hold the supervisor ------------------------------------
start=$(date +%s)
RUN_TIMEOUT=30 erun production "$T/fs.vxed" stall "$T/w/stall.sock" "$T/w/f" "$OUT/victim"
secs=$(($(date +%s) - start))
diag "R2-9 stall: $(grep RESULT "$T/out" | tr '\n' ' ')in ${secs}s, status $rc"
check "R2-9 vxe finished in time (status 0, not the timeout's 124)" rc_is_0
check "R2-9 the first connect (the backlog's one place) works" res_is connect_1 ok
check "R2-9 the second connect returns ETIMEDOUT" res_is connect_2 errno=ETIMEDOUT
check "R2-9 a sibling's checked open meanwhile is answered (allowed)" res_is sibling_1 ok
check "R2-9 the sibling's refused open is answered (EACCES)" res_is sibling_2 errno=EACCES
check "R2-9 ...and logged blocked openat rule files" \
	llogq syscall=openat action=blocked rule=files args.path="$OUT/victim"

# --- R2-10: soft mode against the log: bind mounts and file handles -------------------
LOGF=$T/L/vxe.log
echo "$earlier" >"$LOGF"
KEEP_LOG=1 erun soft "$T/fs.vxed" bind_mount "$T/L" "$T/m" vxe.log
check "R2-10 soft mount --bind of the log's directory: EPERM" res_is bind_mount errno=EPERM
check "R2-10 ...logged blocked mount rule vxe" \
	llogq syscall=mount action=blocked rule=vxe errno=EPERM args.source="$T/L"
KEEP_LOG=1 erun soft "$T/fs.vxed" bind_mount "$T" "$T/m" L/vxe.log
check "R2-10 soft mount --bind of a directory above the log's: EPERM" res_is bind_mount errno=EPERM
check "R2-10 the log is intact: the earlier record is there, nothing forged" log_intact
# A file handle reaches any inode ("shocker"). Soft mode performs it, as the
# issue asks of every escape-set call: soft mode is documented as no
# boundary for a confined root (doc/vxed.md, Modes); production refuses it.
KEEP_LOG=1 erun soft "$T/fs.vxed" handle "$LOGF" "$T"
check "R2-10 soft open_by_handle_at on a writable mount: performed (soft mode is no boundary)" res_is handle ok
# The log's directory holds only the log: it is a read-only mount as a whole.
echo "$earlier" >"$LOGF"
KEEP_LOG=1 erun soft "$T/fs.vxed" handle "$LOGF" "$T/L"
check "R2-10 soft open_by_handle_at on the log's own directory: EROFS" res_is handle errno=EROFS written=-1
echo "$earlier" >"$LOGF"
erun production "$T/fs.vxed" handle "$LOGF" "$T/L"
check "R2-10 production name_to_handle_at/open_by_handle_at: EPERM" res_is handle_name errno=EPERM
echo "$earlier" >"$LOGF"
# The same bind, the source named relative to the working directory.
(cd "$T" && KEEP_LOG=1 erun soft "$T/fs.vxed" bind_mount L "$T/m" vxe.log)
result_rel=$(sed -n 's/^RESULT bind_mount //p' "$T/out")
check "R2-10 soft mount --bind of the log's directory named relatively (L): EPERM" \
	is bind_mount "${result_rel%% *}" errno=EPERM
check "R2-10 ...the log is intact after it" log_intact
echo "$earlier" >"$LOGF"
KEEP_LOG=1 erun soft "$T/fs.vxed" bind_mount "$T/w" "$T/m" f
check "R2-10 soft mount --bind of another directory: performed" res_is bind_mount ok
check "R2-10 ...and logged (action logged, rule escape)" \
	llogq syscall=mount action=logged rule=escape args.source="$T/w"
check "R2-10 ...the log is intact" log_intact
check "R2-10 nothing of the temp dir is mounted here afterwards" \
	bash -c "! grep -q ' $T' /proc/self/mountinfo"

finish
