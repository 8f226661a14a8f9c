#!/usr/bin/env bash
# vxe trace of hostile programs: what trace writes must not grant more than
# an administrator would (doc/trace.md, "Generalisation" and "What is
# written"). No write on /proc or on a per-process /proc entry of a child or
# another process (red-team F1); no write on a directory of a sensitive tree,
# whatever the program created there (F3); a program's name cannot stop
# --merge from warning about an escape-set call (F10); bytes a program
# chooses (its name, its paths, its command line) reach neither the VXED nor
# the terminal raw, and cannot add a rule (F7).
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

[[ -r /proc/sys/kernel/seccomp/actions_avail ]] || skip_all "kernel without seccomp filters"
grep -qw user_notif /proc/sys/kernel/seccomp/actions_avail ||
	skip_all "kernel without seccomp user notification"
[[ -x $VXE ]] || skip_all "$VXE not built (make)"
command -v "$PY" >/dev/null || skip_all "python3 not installed"
root=false
[[ $(id -u) -eq 0 ]] && root=true

loads() { "$VXE" check "$1" >/dev/null 2>&1; }

# write_rules VXED: the path of every rule with write access, one a line,
# as vxe check lists the files rules.
write_rules() {
	"$VXE" check "$1" 2>/dev/null | awk '
		/^files/ { f = 1; next }
		/^[a-z]/ { f = 0 }
		f && $2 ~ /write/ { sub(/^ *[0-9]+ +[^ ]+ +/, ""); print }'
}

write_rules_of() { write_rules "$@"; }
export -f write_rules write_rules_of
export VXE

# no_write_on VXED PATH...: no write rule is one of the paths.
no_write_on() {
	local v=$1 p bad=0
	shift
	for p in "$@"; do
		if write_rules "$v" | grep -qxF -- "$p"; then
			diag "write rule on $p"
			bad=1
		fi
	done
	return $bad
}

# no_write_on_proc VXED: no write rule on /proc or on /proc/PID/... (only
# the traced process's own /proc/self/... entries, precise, and /proc/sys).
no_write_on_proc() {
	local bad
	bad=$(write_rules "$1" | grep -E '^/proc(/[0-9]+(/.*)?)?$|^/proc/self$|^/proc/thread-self$')
	[[ -z $bad ]] && return 0
	diag "write rules: $bad"
	return 1
}

# no_write_on_dirs VXED: no write rule names an existing directory other
# than a temporary one or the test's own.
no_write_on_dirs() {
	local p bad=0
	while IFS= read -r p; do
		case $p in /tmp | /tmp/* | /var/tmp | /dev/shm | "$T"*) continue ;; esac
		if [[ -d $p ]]; then
			diag "write rule on the directory $p"
			bad=1
		fi
	done < <(write_rules "$1")
	return $bad
}

# clean FILE: no C0 control but newline, no DEL, valid UTF-8, no C1, no
# bidi or invisible format character.
clean() {
	$PY - "$1" <<'PYEOF'
import sys
b = open(sys.argv[1], "rb").read()
bad = [c for c in b if (c < 0x20 and c != 0x0a) or c == 0x7f]
try:
    s = b.decode("utf-8")
except UnicodeDecodeError as e:
    print("# not UTF-8:", e); sys.exit(1)
fmt = set([0x61c, 0x200e, 0x200f, 0x2028, 0x2029, 0xfeff] + list(range(0x202a, 0x202f)) +
          list(range(0x2066, 0x206a)))
bad += [ord(c) for c in s if 0x80 <= ord(c) < 0xa0 or ord(c) in fmt]
if bad:
    print("# raw characters:", sorted(set(bad))); sys.exit(1)
PYEOF
}

# ---- F1: /proc ------------------------------------------------------------

# The program writes its own /proc/PID/oom_score_adj by number (daemons do).
"$VXE" trace -o "$T/own.vxed" -- "$PY" -c '
import os
open("/proc/%d/oom_score_adj" % os.getpid(), "w").write("0")' >/dev/null 2>"$T/own.err"
rc=$?
check "own /proc/PID write: traced (status $rc)" test "$rc" -eq 0
check "...the VXED loads" loads "$T/own.vxed"
check "...vxe check shows no write on /proc or /proc/PID" no_write_on_proc "$T/own.vxed"
check "...the entry itself, as /proc/self/oom_score_adj" \
	bash -c "'$VXE' check '$T/own.vxed' | grep -Eq ' write +/proc/self/oom_score_adj\$'"

# A forked child writes its own entries (by number and as /proc/self) and
# reads its own /proc/self: a rule cannot name a child's entries.
"$VXE" trace -o "$T/child.vxed" -- "$PY" -c '
import os
pid = os.fork()
if pid == 0:
    open("/proc/%d/oom_score_adj" % os.getpid(), "w").write("0")
    open("/proc/self/oom_score_adj", "w").write("0")
    open("/proc/self/status").read()
    os._exit(0)
os.waitpid(pid, 0)' >/dev/null 2>"$T/child.err"
rc=$?
check "child's /proc writes: traced (status $rc)" test "$rc" -eq 0
check "...the VXED loads" loads "$T/child.vxed"
check "...vxe check shows no write on /proc, /proc/PID or /proc/self" no_write_on_proc "$T/child.vxed"
check "...nor on any /proc entry at all" bash -c "! '$VXE' check '$T/child.vxed' | grep -Eq ' write +/proc'"
check "...the writes are listed under Not granted" \
	grep -Eq '^;; write "/proc/[0-9]+/oom_score_adj" by python' "$T/child.vxed"
check "...and /proc/self/oom_score_adj too" grep -q '^;; write "/proc/self/oom_score_adj" by' "$T/child.vxed"
check "...a warning on stderr for each" \
	bash -c "grep -c 'not granted.*oom_score_adj' '$T/child.err' | grep -qx 2"
check "...and a warning that (read \"/proc\") reads every process's entries" \
	grep -q "read \"/proc\".*every process" "$T/child.err"

# ---- F3: sensitive directories --------------------------------------------

if $root; then
	name=.vxe-hostile-$$.tmp
	dirs=(/etc/systemd/system /etc/profile.d /etc/cron.d /etc/ld.so.conf.d /usr/local/bin
		/root/.ssh /var/spool/cron/crontabs /var/lib/dpkg)
	# Create then remove a scratch name in each (nothing remains; a
	# missing directory fails, and the attempt is recorded all the same),
	# make and remove a directory in /etc, open /etc/cron.d for writing.
	"$VXE" trace -o "$T/dirs.vxed" -- "$PY" -c '
import os, sys
name = sys.argv[1]
for d in sys.argv[2:]:
    p = os.path.join(d, name)
    try:
        os.close(os.open(p, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600))
        os.unlink(p)
    except OSError:
        pass
try:
    os.mkdir("/etc/" + name); os.rmdir("/etc/" + name)
except OSError:
    pass
try:
    os.open("/etc/cron.d", os.O_WRONLY)
except OSError:
    pass' "$name" "${dirs[@]}" >/dev/null 2>"$T/dirs.err"
	rc=$?
	check "sensitive directories: traced (status $rc)" test "$rc" -eq 0
	left=$(ls -d "${dirs[@]/%//$name}" "/etc/$name" 2>/dev/null)
	check "...nothing left behind${left:+: $left}" test -z "$left"
	check "...the VXED loads" loads "$T/dirs.vxed"
	check "...vxe check shows no write on any of them" no_write_on "$T/dirs.vxed" "${dirs[@]}" \
		/etc /etc/systemd /usr /usr/local /root /var/spool/cron /var/lib
	check "...no write rule on any existing directory" no_write_on_dirs "$T/dirs.vxed"
	for d in "${dirs[@]}"; do
		check "...$d: the created name stays a precise rule" \
			bash -c "'$VXE' check '$T/dirs.vxed' | grep -Eq ' write +$d/$name\$'"
		check "...$d: a warning on stderr" grep -q "write on $d would be needed and is not granted" "$T/dirs.err"
	done
	check "...the directory made and removed in /etc: precise, warned" \
		grep -q "/etc/$name was created or removed; write on /etc would be needed" "$T/dirs.err"
	check "...opening /etc/cron.d for writing: not granted, warned" \
		grep -q 'not granted.*write "/etc/cron.d"' "$T/dirs.err"
	rm -f "${dirs[@]/%//$name}" 2>/dev/null
	rmdir "/etc/$name" 2>/dev/null
else
	skip "sensitive directories: creating names in /etc, /usr/local/bin, /root needs root"
fi

# ---- F10: a program's name on --merge -------------------------------------

# A copy of python named "a (permit ptrace)": its name is in every comment of
# the first VXED; the second run calls ptrace (an invalid request, EIO).
pt="$T/a (permit ptrace)"
cp "$(readlink -f "$PY")" "$pt"
"$VXE" trace -o "$T/m.vxed" -- "$pt" -c 'pass' >/dev/null 2>&1
check "a program named \"a (permit ptrace)\": traced, its name in the comments" \
	grep -q '; .*a (permit ptrace)' "$T/m.vxed"
ptrace='import ctypes; ctypes.CDLL(None).ptrace(0x4242, 0, 0, 0)'
"$VXE" trace --merge "$T/m.vxed" -o "$T/m.vxed" -- "$pt" -c "$ptrace" >/dev/null 2>"$T/m.err"
check "...--merge of a run calling ptrace: warned on stderr" grep -q 'ptrace was used' "$T/m.err"
check "...and written commented out" grep -Eq '^;; \(permit ptrace\)  ; ' "$T/m.vxed"
check "...the result loads" loads "$T/m.vxed"
"$VXE" trace --merge "$T/m.vxed" -o "$T/m.vxed" -- "$pt" -c "$ptrace" >/dev/null 2>&1
c=$(grep -Ec '^;; \(permit ptrace\)' "$T/m.vxed")
check "...written once, not again by the next merge (got $c)" test "$c" -eq 1

# ---- F7: attacker bytes ---------------------------------------------------

# A copy of python whose name erases the line, moves the cursor, starts new
# lines that look like rules, hides text and reverses it; it calls unshare
# (escape set: a warning naming it), makes a file whose name has the same
# bytes, and its command line has them too.
evil=$(printf '%s/x\r\033[2K\033[1A\n(permit mount)\n;; (permit ptrace)\n\033[8m\342\200\256\302\233z' "$T")
cp "$(readlink -f "$PY")" "$evil"
script=$(printf '# \033[2K\r\nx = "(permit kexec_load)"\nimport ctypes, os, sys\nctypes.CDLL(None).unshare(0)\np = os.path.join(sys.argv[1], "e\\033[8mX\\nY\\r\\u202e")\nopen(p, "w").close(); os.unlink(p)\n')
"$VXE" trace -o "$T/evil.vxed" -- "$evil" -c "$script" "$T/w" >/dev/null 2>"$T/evil.err"
rc=$?
check "hostile name and paths: traced (status $rc)" test "$rc" -eq 0
check "...the escape-set warning is there" grep -q 'unshare was used' "$T/evil.err"
check "...stderr has no raw control or bidi character" clean "$T/evil.err"
check "...the VXED has none" clean "$T/evil.vxed"
check "...the VXED loads" loads "$T/evil.vxed"
check "...the name is shown escaped" grep -q 'x\\x0d\\x1b\[2K\\x1b\[1A\\x0a(permit mount)' "$T/evil.vxed"
# The rules, as loaded, outside string literals: mount, ptrace, kexec_load
# are in the name and the command line only, never a rule.
"$VXE" trace --print "$T/evil.vxed" >"$T/evil.p" 2>/dev/null
check "...no rule the program did not cause (mount, ptrace, kexec_load)" \
	bash -c "test -s '$T/evil.p' && ! sed 's/\"\\([^\"\\\\]\\|\\\\.\\)*\"//g' '$T/evil.p' | grep -Ewq 'mount|ptrace|kexec_load'"
check "...no line of the VXED starts with a name's text" \
	bash -c "! grep -Eq '^(\(permit (mount|kexec_load)|;; \(permit ptrace\))' '$T/evil.vxed'"
check "...unshare itself stays commented out" bash -c "! sed 's/\"[^\"]*\"//g' '$T/evil.p' | grep -wq unshare"

# ---- R5 (round 2): more sensitive trees, precise writes, the symlink swap ----

if $root; then
	name=.vxe-hostile2-$$.tmp
	# Create then remove a name in each tree that exists here.
	r5dirs=()
	for d in /run/systemd /run/systemd/system /run/user /var/lib/systemd /var/lib/sudo \
		/var/lib/polkit-1 /var/lib/polkit-1/localauthority /var/www /var/www/html; do
		[[ -d $d ]] && r5dirs+=("$d")
	done
	if ((${#r5dirs[@]})); then
		"$VXE" trace -o "$T/r5.vxed" -- "$PY" -c '
import os, sys
name = sys.argv[1]
for d in sys.argv[2:]:
    p = os.path.join(d, name)
    try:
        os.close(os.open(p, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600))
        os.unlink(p)
    except OSError:
        pass' "$name" "${r5dirs[@]}" >/dev/null 2>"$T/r5.err"
		rc=$?
		check "R5: new sensitive trees: traced (status $rc)" test "$rc" -eq 0
		left=$(ls -d "${r5dirs[@]/%//$name}" 2>/dev/null)
		check "R5: ...nothing left behind${left:+: $left}" test -z "$left"
		check "R5: ...the VXED loads" loads "$T/r5.vxed"
		check "R5: ...no write on any of them (${r5dirs[*]})" no_write_on "$T/r5.vxed" "${r5dirs[@]}"
		check "R5: ...no write rule on any existing directory" no_write_on_dirs "$T/r5.vxed"
		for d in "${r5dirs[@]}"; do
			check "R5: ...$d: precise, and warned" \
				bash -c "'$VXE' check '$T/r5.vxed' | grep -Eq ' write +$d/$name\$' && grep -q 'write on $d would be needed and is not granted' '$T/r5.err'"
		done
	else
		skip "R5: none of the new sensitive trees exists here"
	fi

	# An existing file opened for writing: precise, and a warning.
	"$VXE" trace -o "$T/w5.vxed" -- "$PY" -c '
import os
for p in ("/root/.bashrc", "/root/.profile"):
    try:
        os.close(os.open(p, os.O_WRONLY))
    except OSError:
        pass' >/dev/null 2>"$T/w5.err"
	for f in /root/.bashrc /root/.profile; do
		if [[ -f $f ]]; then
			check "R5: write of $f: granted precisely with a warning on stderr" \
				grep -q "(write \"$f\") is granted precisely" "$T/w5.err"
		else
			skip "R5: $f does not exist"
		fi
	done

	# The symlink swap: the program's directory is replaced at exit by a
	# symlink into a sensitive tree (and, second, into an ordinary one).
	for target in /etc/cron.d /var/www /run/systemd; do
		[[ -d $target ]] || { skip "R5: swap into $target: no such directory"; continue; }
		app=$T/swapapp
		rm -rf "$app"
		"$VXE" trace --force -o "$T/sw.vxed" -- "$PY" -c '
import os, sys
app, target = sys.argv[1], sys.argv[2]
os.mkdir(app); os.mkdir(app + "/spool")
open(app + "/spool/job", "w").close(); os.unlink(app + "/spool/job")
os.rmdir(app + "/spool"); os.symlink(target, app + "/spool")' "$app" "$target" >/dev/null 2>"$T/sw.err"
		check "R5: swap into $target: no write rule on it or under it" \
			bash -c "! write_rules_of '$T/sw.vxed' | grep -q '^$target'"
		check "R5: swap into $target: in the Not granted tail, naming the symlink" \
			grep -q "^;; .*\"$target.*symlink $app/spool" "$T/sw.vxed"
		check "R5: swap into $target: warned on stderr" grep -q "not granted.*$target.*symlink" "$T/sw.err"
		rm -rf "$app"
	done
	app=$T/swapapp
	# Not a temporary directory (those are granted whole).
	elsewhere=$(mktemp -d /var/lib/vxe-hostile.XXXXXX)
	"$VXE" trace --force -o "$T/sw.vxed" -- "$PY" -c '
import os, sys
app, target = sys.argv[1], sys.argv[2]
os.mkdir(app); os.mkdir(app + "/spool")
open(app + "/spool/job", "w").close()
os.rename(app + "/spool/job", target + "/job")
os.rmdir(app + "/spool"); os.symlink(target, app + "/spool")' "$app" "$elsewhere" >/dev/null 2>"$T/sw.err"
	check "R5: swap into an ordinary directory: the rule's comment says it was a symlink" \
		grep -q "written as its real path $elsewhere.*the program named $app/spool.*a symlink" "$T/sw.vxed"
	check "R5: ...and a warning naming both" \
		grep -q "real path $elsewhere.*the program named $app/spool" "$T/sw.err"
	rm -rf "$app" "$elsewhere"
else
	skip "R5: creating names in /run/systemd, /var/www... needs root"
fi

# ---- R4 trace side: a connect to a unix socket is recorded ---------------

"$PY" -c '
import socket, sys, os, time
s = socket.socket(socket.AF_UNIX); s.bind(sys.argv[1]); s.listen(1)
time.sleep(30)' "$T/u.sock" &
lpid=$!
for _ in 1 2 3 4 5 6 7 8 9 10; do [[ -S $T/u.sock ]] && break; sleep 0.2; done
"$VXE" trace -o "$T/cn.vxed" -- "$PY" -c '
import socket, sys
c = socket.socket(socket.AF_UNIX); c.connect(sys.argv[1])' "$T/u.sock" >/dev/null 2>&1
kill "$lpid" 2>/dev/null
wait "$lpid" 2>/dev/null
check "R4: a connect to a unix socket: the VXED grants write on it" \
	bash -c "write_rules_of '$T/cn.vxed' | grep -qxF '$T/u.sock'"

# ---- R6 (round 2): clone with namespace flags ----------------------------

if $root; then
	"$VXE" trace -o "$T/ns.vxed" -- "$PY" -c '
import ctypes, os, signal
libc = ctypes.CDLL(None, use_errno=True)
CLONE_NEWUTS = 0x04000000
pid = libc.syscall(56, CLONE_NEWUTS | signal.SIGCHLD, 0, 0, 0, 0)
if pid == 0:
    os._exit(0)
if pid > 0:
    os.waitpid(pid, 0)' >/dev/null 2>"$T/ns.err"
	rc=$?
	check "R6: clone(CLONE_NEWUTS): traced (status $rc)" test "$rc" -eq 0
	check "R6: ...a warning on stderr" grep -q 'clone was used with CLONE_NEWUTS' "$T/ns.err"
	check "R6: ...a line of the Not granted tail" \
		grep -q '^;; clone with CLONE_NEWUTS (1 call.*namespaces, escape set' "$T/ns.vxed"
	check "R6: ...the VXED loads" loads "$T/ns.vxed"
else
	skip "R6: clone with CLONE_NEWUTS needs root"
fi

finish
