#!/usr/bin/env bash
# The log's rotations are VXE's like the log itself: `vxe log` and `vxe
# upgrade` read LOG.1, LOG.2.gz ... too, so a confined program that could
# write one could forge the records an upgrade is made from. In soft mode
# (violations performed) and in production, with and without files rules
# (supervisor-performed opens, or the kernel's), in a directory of the log's
# own and in a shared one.
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
require_live

# A program that tries everything on the family and reports each result.
cat >"$T/forge.py" <<'PY'
import os, sys
d, base = sys.argv[1], sys.argv[2]
def tryit(name, f):
    try:
        f()
        print("RESULT", name, "ok")
    except OSError as e:
        print("RESULT", name, "errno=" + str(e.errno))
def append(p):
    with open(p, "a") as fh:
        fh.write('{"v":1,"forged":true}\n')
tryit("append_rot1", lambda: append(os.path.join(d, base + ".1")))
tryit("create_rot5", lambda: append(os.path.join(d, base + ".5")))
tryit("trunc_log", lambda: open(os.path.join(d, base), "w").close())
tryit("unlink_rot1", lambda: os.unlink(os.path.join(d, base + ".1")))
tryit("rename_rot1", lambda: os.rename(os.path.join(d, base + ".1"), os.path.join(d, base + ".9")))
tryit("read_rot1", lambda: open(os.path.join(d, base + ".1")).read())
other = sys.argv[3] if len(sys.argv) > 3 else None
if other:
    tryit("write_other", lambda: append(other))
PY

res() { sed -n "s/^RESULT $1 //p" "$T/out" | head -1; }
refused() { # refused NAME: failed with EACCES, EPERM, EROFS or EBUSY (a mount point)
	local r
	r=$(res "$1")
	[[ $r == errno=13 || $r == errno=1 || $r == errno=30 || $r == errno=16 ]]
}
intact() { # intact DIR: the rotations are as seeded, nothing added
	cmp -s "$1/vxe.log.1" "$T/seed.1" && [[ ! -e $1/vxe.log.5 && ! -e $1/vxe.log.9 ]]
}
seed() { # seed DIR: a log and a rotation
	mkdir -p "$1"
	: >"$1/vxe.log"
	echo '{"v":1,"seed":1}' >"$1/vxe.log.1"
	cp "$1/vxe.log.1" "$T/seed.1"
}

# VXEDs: soft, filesystem type; one with files rules that grant the log's
# directory nothing (opens go to the supervisor, which performs violations),
# one that grants write on it (production may perform a permitted open), one
# without files rules (the kernel performs; only the mounts stand).
cat >"$T/rules.vxed" <<EOF
(vxed "lg-rules" :type filesystem)
(files (read "/") (write "$T/w" "/dev/null") (execute "/usr" "/lib" "/lib64"))
EOF
cat >"$T/grant.vxed" <<EOF
(vxed "lg-grant" :type filesystem)
(files (read "/") (write "$T/w" "$T/own" "$T/shared" "/dev/null") (execute "/usr" "/lib" "/lib64"))
EOF
cat >"$T/norules.vxed" <<EOF
(vxed "lg-none" :type filesystem)
EOF
for f in rules grant norules; do
	"$VXE" check "$T/$f.vxed" >/dev/null 2>&1 || fail "setup: $f.vxed does not load"
done

run_forge() { # run_forge MODE VXED DIR [OTHER]
	"$VXE" run --mode "$1" --log "$3/vxe.log" -q "$2" "$PY" "$T/forge.py" "$3" vxe.log ${4:+"$4"} >"$T/out" 2>"$T/err"
}

# 1. A directory of the log's own (the default /var/log/vxe is one).
for v in rules grant norules; do
	for mode in soft production; do
		[[ $v == rules && $mode == production ]] && continue # refused by the rules anyway
		D=$T/own
		rm -rf "$D"
		seed "$D"
		run_forge $mode "$T/$v.vxed" "$D"
		for a in append_rot1 create_rot5 trunc_log unlink_rot1 rename_rot1; do
			check "own dir, $v, $mode: $a refused ($(res $a))" refused $a
		done
		check "own dir, $v, $mode: reading a rotation still works" test "$(res read_rot1)" = ok
		check "own dir, $v, $mode: the rotations are intact" intact "$D"
	done
done
# The supervisor's refusal is logged as an attack on VXE.
D=$T/own
rm -rf "$D"
seed "$D"
run_forge soft "$T/rules.vxed" "$D"
check "own dir, rules, soft: the refusal is logged with rule vxe" \
	grep -q '"rule":"vxe"' "$D/vxe.log"

# 2. A directory shared with the program's own files: the log and the
# rotations present at the start are protected; other files are not.
D=$T/shared
for v in grant norules; do
	for mode in soft production; do
		rm -rf "$D"
		seed "$D"
		echo x >"$D/other"
		run_forge $mode "$T/$v.vxed" "$D" "$D/other"
		for a in append_rot1 trunc_log unlink_rot1 rename_rot1; do
			check "shared dir, $v, $mode: $a refused ($(res $a))" refused $a
		done
		check "shared dir, $v, $mode: the program's own file there stays writable" \
			test "$(res write_other)" = ok
		check "shared dir, $v, $mode: the rotation is intact" cmp -s "$D/vxe.log.1" "$T/seed.1"
	done
done
# With files rules, a new rotation-like name is refused by the supervisor
# too (without them, only a directory of the log's own stops that).
rm -rf "$D"
seed "$D"
run_forge soft "$T/grant.vxed" "$D" "$D/other"
check "shared dir, grant, soft: creating vxe.log.5 refused ($(res create_rot5))" refused create_rot5
check "...nothing made" test ! -e "$D/vxe.log.5"

# 3. Names that reach the family indirectly (dev-system red team, round 2):
# /proc/self is the program, not the supervisor; a dangling symlink is
# followed by O_CREAT; ".." goes up from where a symlink led, not as text.
cat >"$T/ind.py" <<'PY'
import ctypes, os, sys
libc = ctypes.CDLL(None, use_errno=True)
op = sys.argv[1]
def res(name, ok, err=0):
    print("RESULT", name, "ok" if ok else "errno=%d" % err, flush=True)
def write(name, path, flags=os.O_WRONLY | os.O_CREAT | os.O_APPEND):
    try:
        fd = os.open(path, flags, 0o600)
        os.write(fd, b'{"v":1,"forged":true}\n'); os.close(fd); res(name, True)
    except OSError as e:
        res(name, False, e.errno)
if op == "umount":            # chdir(LOGDIR); umount2("/proc/self/cwd"); write via /proc/self/fd
    os.chdir(sys.argv[2])
    r = libc.umount2(b"/proc/self/cwd", 2)
    res("umount_cwd", r == 0, ctypes.get_errno())
    d = os.open(sys.argv[2], os.O_PATH | os.O_DIRECTORY)
    write("trunc_via_fd", "/proc/self/fd/%d/vxe.log" % d, os.O_WRONLY | os.O_TRUNC)
elif op == "rename":          # rename an ancestor of the log's directory
    try:
        os.rename(sys.argv[2], sys.argv[3]); res("rename_ancestor", True)
    except OSError as e:
        res("rename_ancestor", False, e.errno)
elif op == "procfd":
    d = os.open(sys.argv[2], os.O_PATH | os.O_DIRECTORY)
    write("procfd_rot", "/proc/self/fd/%d/vxe.log.1" % d)
elif op == "dangle":          # chdir("/"); a relative symlink; O_CREAT through it
    os.chdir("/")
    os.symlink(sys.argv[3], sys.argv[2])
    write("dangle_rot", sys.argv[2])
elif op == "dotdot":
    write(sys.argv[2], sys.argv[3])
PY
frun() { # frun MODE VXED LOG ARGS...
	local mode=$1 vxed=$2 log=$3
	shift 3
	"$VXE" run --mode "$mode" --log "$log" -q "$vxed" "$PY" "$T/ind.py" "$@" >"$T/out" 2>"$T/err"
}
cat >"$T/ind.vxed" <<EOF
(vxed "lg-ind" :type filesystem)
(files (read "/") (write "$T/w" "$T/S" "/dev/null") (execute "/usr" "/lib" "/lib64"))
EOF

D=$T/own
rm -rf "$D"
seed "$D"
echo '{"v":1,"seed":"log"}' >"$D/vxe.log"
cp "$D/vxe.log" "$T/seed.log"
frun soft "$T/ind.vxed" "$D/vxe.log" umount "$D"
check "soft: umount2(\"/proc/self/cwd\") from the log's directory refused ($(res umount_cwd))" refused umount_cwd
check "soft: the log truncated through /proc/self/fd/N refused ($(res trunc_via_fd))" refused trunc_via_fd
check "...the log still starts with its own record" bash -c "head -1 '$D/vxe.log' | cmp -s - '$T/seed.log'"

mkdir -p "$T/R/log/vxe"
: >"$T/R/log/vxe/vxe.log"
frun soft "$T/ind.vxed" "$T/R/log/vxe/vxe.log" rename "$T/R/log" "$T/R/log.x"
check "soft: renaming an ancestor of the log's directory refused ($(res rename_ancestor))" refused rename_ancestor
check "...it is still there" test -d "$T/R/log/vxe"

S=$T/S
rm -rf "$S" "$T/w/up" "$T/w/s2"
seed "$S"
echo x >"$S/other"
mkdir -p "$S/sub"
ln -s "$S/sub" "$T/w/up"
frun production "$T/ind.vxed" "$S/vxe.log" procfd "$S"
check "production, shared dir: vxe.log.1 through /proc/self/fd/N refused ($(res procfd_rot))" refused procfd_rot
rm -f "$S/vxe.log.2"
frun production "$T/ind.vxed" "$S/vxe.log" dangle "$T/w/s2" ../S/vxe.log.2
check "production, shared dir: vxe.log.2 made through a dangling relative symlink refused ($(res dangle_rot))" refused dangle_rot
check "...not made" test ! -e "$S/vxe.log.2"
frun production "$T/ind.vxed" "$S/vxe.log" dotdot dotdot_rot "$T/w/up/../vxe.log.3"
check "production, shared dir: up/../vxe.log.3 (up a symlink into it) refused ($(res dotdot_rot))" refused dotdot_rot
check "...not made" test ! -e "$S/vxe.log.3"
check "...and logged, as the file the kernel would reach" grep -q "\"path\":\"$S/vxe.log.3\"" "$S/vxe.log"

# ".." after a symlink, away from the log: decided (and logged) as the file
# the kernel reaches, not as the text.
mkdir -p "$T/outside/sub"
rm -f "$T/w/up2" "$T/outside/evil"
ln -s "$T/outside/sub" "$T/w/up2"
: >"$T/lx.log"
frun production "$T/ind.vxed" "$T/lx.log" dotdot dotdot_out "$T/w/up2/../evil"
check "production: w/up2/../evil (up2 -> outside/sub) refused ($(res dotdot_out))" refused dotdot_out
check "...logged as $T/outside/evil" grep -q "\"path\":\"$T/outside/evil\"" "$T/lx.log"
: >"$T/lx.log"
frun soft "$T/ind.vxed" "$T/lx.log" dotdot dotdot_soft "$T/w/up2/../evil"
check "soft: the same is logged as $T/outside/evil" grep -q "\"path\":\"$T/outside/evil\",.*\"action\":\"logged\"\|\"action\":\"logged\".*\"path\":\"$T/outside/evil\"" "$T/lx.log"

finish
