#!/usr/bin/env bash
# vxe upgrade (issue 3): crafted logs (no root needed) for --dry-run, a
# garbage-filled log, an unparseable VXED, --accept-all leaving escape-set
# calls alone, --undo, and the one-key review on a pseudo-terminal; as root,
# the real cycle: trace, soft run doing something new, upgrade --accept-all,
# production with zero violations.
# Then the red team's findings (forged logs, /tmp/redteam-dev-report.md):
# F2 escape-set argument values (TIOCSTI) never proposed, and production
# still refuses them; F5 relative paths never a rule; F6 risky grants not
# taken by --accept-all (each class); F8 --undo refuses planted backups; F9 a
# log of 80000 distinct paths finishes; F7 no control, invalid or bidi bytes
# from a log reach the terminal (upgrade, check, log, run).
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
# The review sets the terminal raw with TCSAFLUSH, which drops what was
# typed before: wait for its first prompt (a slow start under load lost keys).
end = time.time() + 20
while b" q quit > " not in out and time.time() < end:
    if not drain(0.1):
        break
for k in keys:
    os.write(fd, k.encode())
    if not drain(0.3):
        break
drain(0.5)
# Never hang: a review still waiting for keys is ended (the pty closed,
# then SIGKILL) and reported as status 99.
code = None
end = time.time() + 20 # writing syncs to disk: slow under load
while time.time() < end:
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

# --- red team F2: escape-set argument values are never proposed ------------------------------
# rawcheck FILE: no byte a terminal acts on: C0 but newline and tab, DEL, C1,
# invalid UTF-8, bidi and invisible format characters.
rawcheck() {
	$PY - "$1" <<'PYCHK'
import sys
data = open(sys.argv[1], "rb").read()
try:
    text = data.decode("utf-8")
except UnicodeDecodeError as e:
    print("# invalid UTF-8 at byte %d" % e.start); sys.exit(1)
bad = set(range(0x20)) - {0x0a, 0x09} | {0x7f} | set(range(0x80, 0xa0)) | \
      {0x061c, 0x200b, 0x200c, 0x200d, 0x200e, 0x200f, 0x2028, 0x2029, 0x202a, 0x202b, 0x202c,
       0x202d, 0x202e, 0x2066, 0x2067, 0x2068, 0x2069, 0xfeff}
for i, ch in enumerate(text):
    if ord(ch) in bad:
        print("# raw U+%04X at character %d: %r" % (ord(ch), i, text[max(0, i - 40):i + 20]))
        sys.exit(1)
PYCHK
}
after_marker() { sed -n '/^;; vxe upgrade /,$p' "$1"; } # what an upgrade added
after_marker_ioctl() { after_marker "$1" | grep -q ioctl; }
export -f after_marker after_marker_ioctl
TP=$T/tio.vxed
printf '(vxed "tio" :type strict :mode soft)\n(unchecked read write close)\n' >"$TP"
cp "$TP" "$T/tio.orig"
{
	rec tio logged ioctl '"fd":3,"request":"TIOCSTI","arg":1' unlisted
	rec tio logged ioctl '"fd":3,"request":"TCGETS","arg":1' unlisted
	rec tio logged ioctl '"fd":3,"request":21522,"arg":1' unlisted
	rec tio logged ioctl '"fd":3,"request":4294988818,"arg":1' unlisted
} >"$T/tio.log"
"$VXE" upgrade --accept-all "$TP" "$T/tio.log" >"$T/out" 2>"$T/err"
rc=$?
check "F2: --accept-all: status 0 (got $rc)" test $rc -eq 0
check "F2: the observed TCGETS is permitted" grep -q 'member request (list TCGETS)' "$TP"
no_tiocsti() { ! after_marker "$TP" | grep -q 'TIOCSTI\|21522\|4294988818'; }
check "F2: TIOCSTI is never written (by name, number, or with a high half)" no_tiocsti
check "F2: it is reported: escape set, decide by hand" \
	grep -q 'WARNING: escape set: decide by hand: request TIOCSTI' "$T/out"
cp "$T/tio.orig" "$TP"
{
	rec tio logged ioctl '"fd":3,"request":"TIOCSTI","arg":1' unlisted
	rec tio logged ioctl '"fd":3,"request":"TIOCLINUX","arg":1' unlisted
} >"$T/tio2.log"
"$VXE" upgrade --accept-all "$TP" "$T/tio2.log" >"$T/out" 2>"$T/err"
check "F2: TIOCSTI/TIOCLINUX alone: nothing written" cmp -s "$TP" "$T/tio.orig"
check "F2: TIOCSTI/TIOCLINUX alone: only the report" \
	bash -c "grep -q 'escape set, by hand' '$T/out' && grep -q 'nothing accepted' '$T/out'"
"$VXE" upgrade --dry-run "$TP" "$T/tio2.log" >"$T/out" 2>"$T/err"
check "F2: --dry-run: nothing to add" grep -q 'nothing to add' "$T/err"

# --- red team F5: a relative path is never a rule ------------------------------------------------
cp "$T/orig.vxed" "$T/rel.vxed"
{
	rec app logged openat '"dirfd":"AT_FDCWD","path":"../../../../../../../../var/spool/cron/crontabs/ZZZ","flags":"O_WRONLY|O_CREAT"' files
	rec app logged rename '"oldpath":"/etc/app-vxe-test/a","newpath":"b"' files
	rec app logged connect '"fd":3,"addr":"unix:run/x.sock","addrlen":12' files
} >"$T/rel.log"
(cd / && "$VXE" upgrade --accept-all "$T/rel.vxed" "$T/rel.log") >"$T/out" 2>"$T/err"
check "F5: relative paths: status 0" test $? -eq 0
check "F5: 3 records with relative paths skipped, counted" \
	grep -q 'warning: 3 records with relative paths skipped' "$T/out"
check "F5: nothing written (not resolved against the cwd)" cmp -s "$T/rel.vxed" "$T/orig.vxed"

# --- red team F6: risky grants are not taken by --accept-all -------------------------------------
# label|syscall|args|rule|what must not be written
risky_cases=(
	"crontab write|openat|\"dirfd\":\"AT_FDCWD\",\"path\":\"/var/spool/cron/crontabs/root\",\"flags\":\"O_WRONLY\"|files|crontabs"
	"shadow read|openat|\"dirfd\":\"AT_FDCWD\",\"path\":\"/etc/shadow\",\"flags\":\"O_RDONLY\"|files|shadow"
	"ssh host key read|openat|\"dirfd\":\"AT_FDCWD\",\"path\":\"/etc/ssh/ssh_host_ed25519_key\",\"flags\":\"O_RDONLY\"|files|ssh_host"
	"dpkg write|openat|\"dirfd\":\"AT_FDCWD\",\"path\":\"/var/lib/dpkg/info/x.postinst\",\"flags\":\"O_WRONLY\"|files|dpkg"
	"/var/lib itself|mkdir|\"path\":\"/var/lib/newapp\",\"mode\":\"0755\"|files|/var/lib\""
	"/run itself|mkdir|\"path\":\"/run/newapp\",\"mode\":\"0755\"|files|\"/run\""
	"systemd unit write|openat|\"dirfd\":\"AT_FDCWD\",\"path\":\"/run/systemd/system/x.service\",\"flags\":\"O_WRONLY\"|files|systemd"
	"authorized_keys write|openat|\"dirfd\":\"AT_FDCWD\",\"path\":\"/home/vxe-nobody/.ssh/authorized_keys\",\"flags\":\"O_WRONLY\"|files|.ssh"
	"core_pattern write|openat|\"dirfd\":\"AT_FDCWD\",\"path\":\"/proc/sys/kernel/core_pattern\",\"flags\":\"O_WRONLY\"|files|core_pattern"
	"/proc read|openat|\"dirfd\":\"AT_FDCWD\",\"path\":\"/proc\",\"flags\":\"O_RDONLY\"|files|\"/proc\""
	"python execute|execve|\"path\":\"/usr/bin/python3\"|files|python"
	"perl execute|execve|\"path\":\"/usr/bin/perl\"|files|perl"
	"env execute|execve|\"path\":\"/usr/bin/env\"|files|/usr/bin/env"
	"awk execute|execve|\"path\":\"/usr/bin/awk\"|files|awk"
	"AF_PACKET socket|socket|\"domain\":\"AF_PACKET\",\"type\":3,\"protocol\":0|unlisted|AF_PACKET"
	"AF_NETLINK socket|socket|\"domain\":\"AF_NETLINK\",\"type\":3,\"protocol\":0|unlisted|AF_NETLINK"
	"AF_KEY socket|socket|\"domain\":\"AF_KEY\",\"type\":3,\"protocol\":2|unlisted|AF_KEY"
	"raw socket|socket|\"domain\":\"AF_INET\",\"type\":3,\"protocol\":1|unlisted|socket"
	# R4 (red-team round 2): control sockets, devices and secrets, new write
	# trees, programs that hand work outside VXE, console ioctls
	"R4: connect to D-Bus system bus|connect|\"sockfd\":3,\"addr\":\"unix:/run/dbus/system_bus_socket\",\"addrlen\":30|files|system_bus"
	"R4: connect to docker.sock|connect|\"sockfd\":3,\"addr\":\"unix:/run/docker.sock\",\"addrlen\":30|files|docker"
	"R4: connect to containerd.sock|connect|\"sockfd\":3,\"addr\":\"unix:/run/containerd/containerd.sock\",\"addrlen\":30|files|containerd"
	"R4: connect to user bus|connect|\"sockfd\":3,\"addr\":\"unix:/run/user/0/bus\",\"addrlen\":30|files|/run/user"
	"R4: connect to snapd.socket|connect|\"sockfd\":3,\"addr\":\"unix:/run/snapd.socket\",\"addrlen\":30|files|snapd"
	"R4: connect to systemd private|connect|\"sockfd\":3,\"addr\":\"unix:/run/systemd/private\",\"addrlen\":30|files|systemd"
	"R4: read /dev/sda|openat|\"dirfd\":\"AT_FDCWD\",\"path\":\"/dev/sda\",\"flags\":\"O_RDONLY\"|files|sda"
	"R4: read /dev/mem|openat|\"dirfd\":\"AT_FDCWD\",\"path\":\"/dev/mem\",\"flags\":\"O_RDONLY\"|files|/dev/mem"
	"R4: read /proc/kcore|openat|\"dirfd\":\"AT_FDCWD\",\"path\":\"/proc/kcore\",\"flags\":\"O_RDONLY\"|files|kcore"
	"R4: read /sys/kernel/debug|openat|\"dirfd\":\"AT_FDCWD\",\"path\":\"/sys/kernel/debug\",\"flags\":\"O_RDONLY\"|files|debug"
	"R4: read /var/backups/shadow.bak|openat|\"dirfd\":\"AT_FDCWD\",\"path\":\"/var/backups/shadow.bak\",\"flags\":\"O_RDONLY\"|files|backups"
	"R4: read /etc/sudoers|openat|\"dirfd\":\"AT_FDCWD\",\"path\":\"/etc/sudoers\",\"flags\":\"O_RDONLY\"|files|sudoers"
	"R4: read /etc/security/opasswd|openat|\"dirfd\":\"AT_FDCWD\",\"path\":\"/etc/security/opasswd\",\"flags\":\"O_RDONLY\"|files|opasswd"
	"R4: write /var/www/html/x.php|openat|\"dirfd\":\"AT_FDCWD\",\"path\":\"/var/www/html/x.php\",\"flags\":\"O_WRONLY\"|files|/var/www"
	"R4: write /var/lib/sudo/ts/root|openat|\"dirfd\":\"AT_FDCWD\",\"path\":\"/var/lib/sudo/ts/root\",\"flags\":\"O_WRONLY\"|files|sudo"
	"R4: write /var/lib/polkit-1/localauthority/50-local.d/x.pkla|openat|\"dirfd\":\"AT_FDCWD\",\"path\":\"/var/lib/polkit-1/localauthority/50-local.d/x.pkla\",\"flags\":\"O_WRONLY\"|files|polkit"
	"R4: write /var/lib/systemd/linger/x|openat|\"dirfd\":\"AT_FDCWD\",\"path\":\"/var/lib/systemd/linger/x\",\"flags\":\"O_WRONLY\"|files|linger"
	"R4: write /run/user/0/systemd/x|openat|\"dirfd\":\"AT_FDCWD\",\"path\":\"/run/user/0/systemd/x\",\"flags\":\"O_WRONLY\"|files|/run/user"
	"R4: execute /usr/bin/systemd-run|execve|\"path\":\"/usr/bin/systemd-run\"|files|/usr/bin/systemd-run"
	"R4: execute /usr/bin/at|execve|\"path\":\"/usr/bin/at\"|files|/usr/bin/at"
	"R4: execute /usr/bin/crontab|execve|\"path\":\"/usr/bin/crontab\"|files|/usr/bin/crontab"
	"R4: execute /usr/bin/ssh|execve|\"path\":\"/usr/bin/ssh\"|files|/usr/bin/ssh"
	"R4: execute /usr/bin/nsenter|execve|\"path\":\"/usr/bin/nsenter\"|files|/usr/bin/nsenter"
	"R4: execute /usr/bin/unshare|execve|\"path\":\"/usr/bin/unshare\"|files|/usr/bin/unshare"
	"R4: execute /usr/sbin/chroot|execve|\"path\":\"/usr/sbin/chroot\"|files|/usr/sbin/chroot"
	"R4: execute /usr/bin/gdb|execve|\"path\":\"/usr/bin/gdb\"|files|/usr/bin/gdb"
	"R4: execute /usr/bin/strace|execve|\"path\":\"/usr/bin/strace\"|files|/usr/bin/strace"
	"R4: execute /usr/bin/socat|execve|\"path\":\"/usr/bin/socat\"|files|/usr/bin/socat"
	"R4: execute /usr/bin/curl|execve|\"path\":\"/usr/bin/curl\"|files|/usr/bin/curl"
	"R4: ioctl KDSKBSENT|ioctl|\"fd\":0,\"request\":\"KDSKBSENT\",\"arg\":1|unlisted|ioctl"
	"R4: ioctl KDSKBENT|ioctl|\"fd\":0,\"request\":\"KDSKBENT\",\"arg\":1|unlisted|ioctl"
	"R4: ioctl TIOCCONS|ioctl|\"fd\":0,\"request\":\"TIOCCONS\",\"arg\":1|unlisted|ioctl"
	"R4: ioctl TIOCSETD|ioctl|\"fd\":0,\"request\":\"TIOCSETD\",\"arg\":1|unlisted|ioctl"
	"R4: ioctl VT_ACTIVATE|ioctl|\"fd\":0,\"request\":\"VT_ACTIVATE\",\"arg\":1|unlisted|ioctl"
	"R4: ioctl KDSETMODE|ioctl|\"fd\":0,\"request\":\"KDSETMODE\",\"arg\":1|unlisted|ioctl"
	"R4: ioctl 19273|ioctl|\"fd\":0,\"request\":19273,\"arg\":1|unlisted|ioctl"
)
for c in "${risky_cases[@]}"; do
	IFS='|' read -r label sc args rule pat <<<"$c"
	cp "$T/orig.vxed" "$T/risk.vxed"
	{
		rec app logged getpid '' unlisted
		rec app logged "$sc" "$args" "$rule"
	} >"$T/risk.log"
	"$VXE" upgrade --accept-all "$T/risk.vxed" "$T/risk.log" >"$T/out" 2>"$T/err"
	ok=1
	grep -q '^(permit getpid)' "$T/risk.vxed" || ok=0
	after_marker "$T/risk.vxed" | grep -qF -- "$pat" && ok=0
	grep -q 'not taken by --accept-all (risky)' "$T/out" || ok=0
	grep -q '1 risky proposal not taken' "$T/out" || ok=0
	check "F6: $label: flagged risky, not taken by --accept-all (the rest is)" test $ok -eq 1
	[[ $ok -eq 1 ]] || diag "$(cat "$T/out" "$T/err")"
done
# execute of what another proposal (or the VXED) lets write
cp "$T/orig.vxed" "$T/risk.vxed"
{
	rec app logged openat '"dirfd":"AT_FDCWD","path":"/srv/vxe-up-test/spool/x","flags":"O_WRONLY|O_CREAT"' files
	rec app logged execve '"path":"/srv/vxe-up-test/spool/x"' files
} >"$T/risk.log"
"$VXE" upgrade --accept-all "$T/risk.vxed" "$T/risk.log" >"$T/out" 2>"$T/err"
check "F6: execute of what another proposal lets write: not taken" \
	bash -c "grep -q 'execute of a path another proposal lets write' '$T/out' && ! grep -q '(execute' '$T/risk.vxed' && grep -q '/srv/vxe-up-test/spool\")' '$T/risk.vxed'"
{ rec app logged execve '"path":"/srv/vxe-up-test/spool/y"' files; } >"$T/risk2.log"
"$VXE" upgrade --accept-all "$T/risk.vxed" "$T/risk2.log" >"$T/out" 2>"$T/err"
check "F6: execute of what the VXED lets write: not taken" \
	bash -c "grep -q 'execute of a path the VXED also lets write' '$T/out' && ! grep -q '(execute' '$T/risk.vxed'"
cp "$T/orig.vxed" "$T/risk.vxed"
printf '%s\n' "$(rec app logged openat '"dirfd":"AT_FDCWD","path":"/etc/shadow","flags":"O_RDONLY"' files)" >"$T/risk.log"
"$VXE" upgrade --accept-all --accept-risky "$T/risk.vxed" "$T/risk.log" >"$T/out" 2>"$T/err"
check "F6: --accept-risky takes it (with its flag shown)" \
	bash -c "grep -q '\"/etc/shadow\"' '$T/risk.vxed' && grep -q 'risky: read of /etc/shadow' '$T/out'"
"$VXE" check "$T/risk.vxed" >"$T/out" 2>&1
check "F6: vxe check warns about the shadow read" grep -q 'warning: risky: (read "/etc/shadow"): read of /etc/shadow' "$T/out"
"$VXE" upgrade "$T/risk.vxed" "$T/risk.log" --accept-risky </dev/null >"$T/out" 2>&1
check "F6: --accept-risky alone (a review) is refused" test $? -eq 125

# R4: a plain (permit ioctl) after a console request was seen is risky too.
cp "$T/orig.vxed" "$T/risk.vxed"
{
	rec app logged ioctl '"fd":0,"request":"TCGETS","arg":1' unlisted
	rec app logged ioctl '"fd":0,"request":"0xdead","arg":1' unlisted
	rec app logged ioctl '"fd":0,"request":"KDSKBSENT","arg":1' unlisted
} >"$T/risk.log"
"$VXE" upgrade --accept-all "$T/risk.vxed" "$T/risk.log" >"$T/out" 2>"$T/err"
check "R4: plain (permit ioctl) with KDSKBSENT seen: risky, not taken" \
	bash -c "grep -q 'risky: ioctl KDSKBSENT' '$T/out' && ! after_marker_ioctl '$T/risk.vxed'"
# R4: vxe check lists the same grants.
cat >"$T/r4.vxed" <<'VXED'
(vxed "r4" :type strict :mode soft)
(permit ioctl (request) (member request (list TCGETS KDSKBSENT)))
(files
  (read "/dev/sda" "/etc/sudoers" "/proc/kcore" "/var/backups")
  (write "/run/dbus/system_bus_socket" "/run/docker.sock" "/var/www/html" "/var/lib/sudo"
         "/run/user/0/bus" "/run/systemd/journal/stdout")
  (execute "/usr/bin/systemd-run" "/usr/bin/nsenter" "/usr/bin/ssh"))
VXED
"$VXE" check "$T/r4.vxed" >"$T/out" 2>&1
for w in '(read "/dev/sda")' '(read "/etc/sudoers")' '(read "/proc/kcore")' '(read "/var/backups")' \
	'(write "/run/dbus/system_bus_socket")' '(write "/run/docker.sock")' '(write "/var/www/html")' \
	'(write "/var/lib/sudo")' '(write "/run/user/0/bus")' '(execute "/usr/bin/systemd-run")' \
	'(execute "/usr/bin/nsenter")' '(execute "/usr/bin/ssh")' 'ioctl: ioctl KDSKBSENT'; do
	check "R4: vxe check warns: $w" grep -qF "warning: risky: $w" "$T/out"
done
check "R4: vxe check: journald's stdout socket is not a risk" \
	bash -c "! grep -q 'risky: (write \"/run/systemd/journal/stdout\")' '$T/out'"

# --- red team F8: --undo restores only a backup upgrade could have written -----------------------
U8=$T/u8
mkdir "$U8"
chmod 755 "$U8"
cp "$T/orig.vxed" "$U8/app.vxed"
"$VXE" upgrade --accept-all "$U8/app.vxed" "$L" >/dev/null 2>&1
cp "$U8/app.vxed" "$T/u8-v2.vxed"
real_backup=$(ls "$U8"/app.vxed.2* | head -1)
stamp=${real_backup##*/app.vxed.}
printf '(vxed "app" :type filesystem :mode production)\n(permit ptrace mount unshare)\n' >"$T/evil.vxed"
undo_refused() { # undo_refused LABEL FILE REASON: --undo refuses, names FILE and REASON, changes nothing
	"$VXE" upgrade --undo "$U8/app.vxed" >"$T/out" 2>"$T/err"
	local rc=$?
	if [[ $rc -eq 125 ]] && grep -qF "refusing $2" "$T/err" && grep -q "$3" "$T/err" &&
		cmp -s "$U8/app.vxed" "$T/u8-v2.vxed"; then
		pass "F8: $1: refused, the file and the reason named"
	else
		fail "F8: $1: refused, the file and the reason named"
		diag "status $rc: $(cat "$T/out" "$T/err")"
	fi
}
cp "$T/evil.vxed" "$U8/app.vxed.29991231-235959"
undo_refused "a planted backup dated in the future" "$U8/app.vxed.29991231-235959" 'future'
rm -f "$U8/app.vxed.29991231-235959"
ln -s "$T/evil.vxed" "$U8/app.vxed.$stamp-5"
undo_refused "a symbolic link" "$U8/app.vxed.$stamp-5" 'symbolic link'
rm -f "$U8/app.vxed.$stamp-5"
cp "$T/evil.vxed" "$U8/app.vxed.$stamp-6"
chmod 664 "$U8/app.vxed.$stamp-6"
undo_refused "a group-writable file" "$U8/app.vxed.$stamp-6" 'writable by its group'
rm -f "$U8/app.vxed.$stamp-6"
echo '(this is not a vxed' >"$U8/app.vxed.$stamp-7"
undo_refused "a file that does not load" "$U8/app.vxed.$stamp-7" 'does not load'
rm -f "$U8/app.vxed.$stamp-7"
printf '(vxed "other" :type strict :mode soft)\n' >"$U8/app.vxed.$stamp-8"
undo_refused "another VXED's text" "$U8/app.vxed.$stamp-8" 'is VXED "other"'
rm -f "$U8/app.vxed.$stamp-8"
mkfifo "$U8/app.vxed.$stamp-9"
undo_refused "a FIFO" "$U8/app.vxed.$stamp-9" 'not a regular file'
rm -f "$U8/app.vxed.$stamp-9"
if [[ $(id -u) -eq 0 ]]; then
	cp "$T/evil.vxed" "$U8/app.vxed.$stamp-10"
	chown 65534 "$U8/app.vxed.$stamp-10"
	undo_refused "a file of another owner" "$U8/app.vxed.$stamp-10" 'owned by uid 65534'
	rm -f "$U8/app.vxed.$stamp-10"
else
	skip "F8: a file of another owner: needs root"
fi
chmod 777 "$U8"
"$VXE" upgrade --undo "$U8/app.vxed" >"$T/out" 2>"$T/err"
rc=$?
chmod 755 "$U8"
check "F8: the real backup is restored, and named (status $rc)" \
	bash -c "test $rc -eq 0 && cmp -s '$U8/app.vxed' '$T/orig.vxed' && grep -qF 'restoring $U8/app.vxed from $real_backup' '$T/out'"
check "F8: a directory writable by others is warned about" grep -q 'is writable by anyone' "$T/err"

# --- red team F9: many distinct forged paths ---------------------------------------------------
$PY - "$T/big.log" <<'PYBIG'
import json, sys
with open(sys.argv[1], "w") as f:
    for i in range(80000):
        r = {"v": 1, "time": "2026-12-03T16:54:42.937Z", "vxed": "app", "mode": "soft",
             "action": "logged", "pid": 7, "exe": "/usr/bin/app", "syscall": "openat",
             "arch": "x86_64", "rule": "files",
             "args": {"dirfd": "AT_FDCWD", "path": "/nonexistent-f9/d%d/f" % i, "flags": "O_RDONLY"}}
        f.write(json.dumps(r, separators=(",", ":")) + "\n")
PYBIG
cp "$T/orig.vxed" "$T/big.vxed"
timeout 600 "$VXE" upgrade --dry-run "$T/big.vxed" "$T/big.log" >"$T/out" 2>"$T/err"
rc=$?
check "F9: 80000 distinct forged paths: --dry-run finishes (status $rc)" \
	bash -c "test $rc -ne 124 && grep -q '80000 records of \"app\"' '$T/err'"
timeout 600 "$VXE" upgrade --accept-all "$T/big.vxed" "$T/big.log" >"$T/out" 2>"$T/err"
rc=$?
check "F9: --accept-all finishes; a VXED that large is not written (status $rc)" \
	bash -c "test $rc -eq 2 && grep -q 'a VXED may have at most' '$T/err' && cmp -s '$T/big.vxed' '$T/orig.vxed'"

# --- red team F7: nothing from a log reaches the terminal raw ------------------------------------
E7='\u001b[2J\u001b[1A\r\u202eHIDDEN\u200e\u2028\ufeff\u0007\u009b31m'
cp "$T/orig.vxed" "$T/esc.vxed"
{
	printf '{"v":1,"time":"2026-12-03T16:54:42.937Z","vxed":"app","mode":"soft","action":"logged","pid":7,"exe":"/tmp/x%s","syscall":"openat","arch":"x86_64","args":{"dirfd":"AT_FDCWD","path":"/srv/vxe-up-test/a%s/f","flags":"O_RDONLY"},"rule":"files"}\n' "$E7" "$E7"
	printf '{"v":1,"time":"2026-12-03T16:54:42.937Z","vxed":"app","mode":"soft","action":"logged","pid":7,"exe":"/tmp/y%s","syscall":"connect","arch":"x86_64","args":{"fd":3,"addr":"unix:/srv/vxe-up-test/s%s","addrlen":40},"rule":"files"}\n' "$E7" "$E7"
	printf '{"v":1,"time":"2026-12-03T16:54:42.937Z","vxed":"app","mode":"soft","action":"logged","pid":7,"exe":"/tmp/z","syscall":"kill","arch":"x86_64","args":{"pid":1,"sig":"x%s"},"rule":"permit:9"}\n' "$E7"
	rec app logged getpid '' vxe
} >"$T/esc.log"
"$VXE" upgrade --dry-run "$T/esc.vxed" "$T/esc.log" >"$T/out" 2>"$T/err"
check "F7: upgrade --dry-run: the forged path is shown" grep -q 'srv/vxe-up-test/a' "$T/err"
check "F7: upgrade --dry-run: nothing raw on stderr" rawcheck "$T/err"
check "F7: upgrade --dry-run: nothing raw on stdout" rawcheck "$T/out"
"$VXE" upgrade --accept-all "$T/esc.vxed" "$T/esc.log" >"$T/out" 2>"$T/err"
check "F7: upgrade --accept-all: the path is escaped (\\x1b shown)" grep -q 'a\\x1b\[2J' "$T/out"
check "F7: upgrade --accept-all: nothing raw on stdout" rawcheck "$T/out"
check "F7: upgrade --accept-all: nothing raw on stderr" rawcheck "$T/err"
check "F7: the written VXED is plain text" rawcheck "$T/esc.vxed"
"$VXE" check "$T/esc.vxed" >"$T/out" 2>&1
check "F7: vxe check lists the path escaped" bash -c "grep -q 'vxe-up-test/a' '$T/out' && ! grep -q \$'\\x1b' '$T/out'"
check "F7: vxe check: nothing raw" rawcheck "$T/out"
{
	printf '{"v":1,"time":"2026-12-03T16:54:42.937Z","vxed":"app","mode":"soft","action":"logged","pid":7,"exe":"/tmp/x","syscall":"openat","arch":"x86_64","args":{"dirfd":"AT_FDCWD","path":"/tmp/a\\u200eb\\u200fc\\u061cd\\u2028e\\ufefff\\u2029g\\u2066h","flags":"O_RDONLY"},"rule":"files"}\n'
} >"$T/bidi.log"
"$VXE" log --file "$T/bidi.log" --no-rotated >"$T/out" 2>"$T/err"
check "F7: vxe log's table escapes U+200E U+200F U+061C U+2028 U+FEFF" \
	bash -c "grep -q 'a\\\\u200eb\\\\u200fc\\\\u061cd\\\\u2028e\\\\ufefff' '$T/out'"
check "F7: vxe log's table: nothing raw" rawcheck "$T/out"

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
	# F2 for real: the probe pushes a character into a pty (TIOCSTI) in soft
	# mode; upgrade --accept-all; production still refuses it.
	EXTRA_FILES="(files (read \"/dev/ptmx\" \"/dev/pts\") (write \"/dev/ptmx\" \"/dev/pts\"))"
	policy "$T/tioreal.vxed" strict "$EXTRA_FILES"
	run soft "$T/tioreal.vxed" tiocsti
	cp "$T/log" "$T/tioreal.log"
	check "F2 real: soft mode performed TIOCSTI and logged it" \
		logq syscall=ioctl action=logged args.request=TIOCSTI
	"$VXE" upgrade --accept-all "$T/tioreal.vxed" "$T/tioreal.log" >"$T/out" 2>"$T/err"
	rc=$?
	check "F2 real: upgrade --accept-all (status $rc)" test $rc -eq 0
	check "F2 real: the VXED permits the pty's other ioctls" grep -q '(permit ioctl' "$T/tioreal.vxed"
	check "F2 real: ... and never names TIOCSTI" bash -c "! grep -q TIOCSTI '$T/tioreal.vxed'"
	check "F2 real: TIOCSTI reported: decide by hand" grep -q 'escape set: decide by hand: request TIOCSTI' "$T/out"
	run production "$T/tioreal.vxed" tiocsti
	check "F2 real: production refuses TIOCSTI (EPERM)" res_is tiocsti errno=EPERM
	check "F2 real: the refused call is the TIOCSTI ioctl itself" \
		bash -c "grep -q 'request=0x5412' '$T/out' && $PY '$LOGPY' '$T/log' syscall=ioctl action=blocked args.request=TIOCSTI"
	run production "$T/tioreal.vxed" tiocsti_high
	check "F2 real: production refuses TIOCSTI with a high half too" res_is tiocsti_high errno=EPERM

	# F7 for real: vxe run's Landlock warning names a missing path escaped.
	printf '(vxed "lw" :type filesystem :mode production)\n(files (read "/usr" "/lib" "/lib64" "/etc" "/nonexistent-vxe\\x1b[31mRED\\xe2\\x80\\xae") (execute "/usr" "/lib" "/lib64"))\n' >"$T/lw.vxed"
	timeout 60 "$VXE" run --mode production --log "$T/log" "$T/lw.vxed" /usr/bin/true >"$T/out" 2>"$T/err"
	if grep -q 'does not exist' "$T/err"; then
		check "F7 real: vxe run's Landlock warning: nothing raw" rawcheck "$T/err"
	else
		skip "F7 real: no Landlock warning printed (Landlock absent?)"
	fi
fi

# A forked child reading its own /proc/self entries is refused (the rule is
# anchored in the first process), so upgrade must not call it covered: it
# proposes (read "/proc"), flagged as risky, as trace writes it.
if [[ $(id -u) -eq 0 ]]; then
	printf '(vxed "ps" :type filesystem :mode soft)\n(files (read "/usr" "/lib" "/lib64" "/etc" "/proc/self") (execute "/usr" "/lib" "/lib64"))\n' >"$T/pself.vxed"
	: >"$T/pself.log"
	"$VXE" run --mode soft --log "$T/pself.log" "$T/pself.vxed" "$(command -v python3)" -c 'import os
if os.fork() == 0:
    open("/proc/self/status").read(); os._exit(0)
os.wait()' >/dev/null 2>&1
	check "a child's /proc/self read is logged" grep -q '"path":"/proc/self/status"' "$T/pself.log"
	"$VXE" upgrade --dry-run "$T/pself.vxed" "$T/pself.log" >"$T/pself.out" 2>&1
	check "upgrade does not call it covered" bash -c "! grep -q '1 already covered' '$T/pself.out'"
	check "upgrade proposes (read \"/proc\"), flagged risky" \
		bash -c "grep -q '(files (read \"/proc\"))' '$T/pself.out' && grep -q 'risky' '$T/pself.out'"
	# The first process's own /proc/self, not covered: proposed as written,
	# never as vxe upgrade's own /proc/PID; another process's is risky.
	printf '(vxed "ps2" :type filesystem :mode soft)\n(files (read "/usr" "/lib" "/lib64" "/etc") (execute "/usr" "/lib" "/lib64"))\n' >"$T/pself2.vxed"
	: >"$T/pself2.log"
	"$VXE" run --mode soft --log "$T/pself2.log" "$T/pself2.vxed" "$(command -v python3)" \
		-c 'open("/proc/self/status").read(); open("/proc/1/environ").read()' >/dev/null 2>&1
	"$VXE" upgrade --dry-run "$T/pself2.vxed" "$T/pself2.log" >"$T/pself2.out" 2>&1
	check "upgrade proposes /proc/self/status as written" grep -q '(files (read "/proc/self/status"))' "$T/pself2.out"
	check "upgrade never proposes a /proc/PID of its own" bash -c "! grep -Eq 'read \"/proc/[0-9]+/status' '$T/pself2.out'"
	check "another process's /proc entries are risky" \
		bash -c "grep -A3 '/proc/1/environ' '$T/pself2.out' | grep -q risky"
fi

finish
