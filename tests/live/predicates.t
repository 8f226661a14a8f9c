#!/usr/bin/env bash
# Predicates for real: an integer predicate compiled into the kernel filter
# (socket domain: AF_INET passes with no log, AF_PACKET/AF_NETLINK fail with
# EAFNOSUPPORT and are logged); a path predicate the supervisor decides and
# performs (SPEC 5.3): the allowed file opens with its real content, others,
# a symlink planted in the temp dir and a path swapped by another thread
# (TOCTOU) never reach the forbidden file.
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
require_live

echo "public-file" >"$T/goo1"
echo "SECRET-FILE" >"$T/bad1"
chmod 644 "$T/goo1" "$T/bad1"
ln -s /etc/shadow "$T/shadowlink"
ln -s "$T/bad1" "$T/badlink"

# --- socket: compiled into the filter ----------------------------------------
policy "$T/sock.vxed" strict \
	"(permit socket (domain type protocol) (member domain (list AF_INET AF_INET6)))"
sockline=$(grep -n 'permit socket' "$T/sock.vxed" | cut -d: -f1)
check "vxe check: the socket predicate is in the kernel filter" \
	bash -c "'$VXE' check '$T/sock.vxed' | grep -qE 'socket +kernel filter'"
run production "$T/sock.vxed" socket inet stream
check "socket(AF_INET): allowed" res_is socket ok
check "socket(AF_INET): no log" lognone
run production "$T/sock.vxed" socket inet6 dgram
check "socket(AF_INET6, DGRAM): allowed" res_is socket ok
for name in packet netlink; do
	run production "$T/sock.vxed" socket $name raw
	check "socket(AF_${name^^}): EAFNOSUPPORT" res_is socket errno=EAFNOSUPPORT
	check "socket(AF_${name^^}): logged blocked, rule permit:$sockline" \
		logq syscall=socket action=blocked rule="permit:$sockline" args.domain=AF_${name^^} errno=EAFNOSUPPORT
	run soft "$T/sock.vxed" socket $name raw
	check "soft socket(AF_${name^^}): performed" res_is socket ok
	check "soft socket(AF_${name^^}): logged" logq syscall=socket action=logged args.domain=AF_${name^^}
done

# --- openat: decided and performed by the supervisor -----------------------------
# No files form: the supervisor is the only guard of paths here.
cat >"$T/open.vxed" <<EOP
(vxed "open-pred" :type strict :mode production)
(unchecked $BASE_SYSCALLS)
(permit access)
(defun read-only? (flags) (= (logand flags O_ACCMODE) O_RDONLY))
(permit openat (dirfd path flags mode)
  (or (path-under? path "/usr/lib") (path-under? path "/lib") (path-under? path "/lib64")
      (string= path "/etc/ld.so.cache")
      (and (or (string= path "/etc/hostname") (string= path "$T/goo1")) (read-only? flags))))
EOP
openline=$(grep -n 'permit openat' "$T/open.vxed" | cut -d: -f1)
check "vxe check: the openat predicate is decided by the supervisor" \
	bash -c "'$VXE' check '$T/open.vxed' | grep -qE 'openat +supervisor'"
hex() { head -c 64 "$1" | od -An -tx1 | tr -d ' \n'; }
run production "$T/open.vxed" open /etc/hostname r
check "/etc/hostname read: opened by the supervisor" res_is open ok
check "/etc/hostname read: the real content" test "$(result open | sed 's/.*data=//')" == "$(hex /etc/hostname)"
check "/etc/hostname read: no log" lognone
run production "$T/open.vxed" open /etc/hostname w
check "/etc/hostname write: EPERM" res_is open errno=EPERM
check "/etc/hostname write: logged, rule permit:$openline" \
	logq syscall=openat action=blocked rule="permit:$openline" args.path=/etc/hostname errno=EPERM
run production "$T/open.vxed" open /etc/passwd r
check "/etc/passwd: EPERM" res_is open errno=EPERM
check "/etc/passwd: logged" logq syscall=openat action=blocked args.path=/etc/passwd
run production "$T/open.vxed" open "$T/shadowlink" r
check "symlink in the temp dir to /etc/shadow: refused" res_is open errno=EPERM
check "symlink to /etc/shadow: logged" logq syscall=openat action=blocked
# A symlink whose name the predicate would allow: the check is made on the
# real path too.
mv "$T/goo1" "$T/goo1.real"
ln -s "$T/bad1" "$T/goo1"
run production "$T/open.vxed" open "$T/goo1" r
check "allowed name, symlink to a forbidden file: refused" res_is open errno=EPERM
check "...and the secret was not read" bash -c "! grep -q '$(hex "$T/bad1")' '$T/out'"
rm "$T/goo1"
mv "$T/goo1.real" "$T/goo1"
run soft "$T/open.vxed" open /etc/passwd r
check "soft /etc/passwd: performed" res_is open ok
check "soft /etc/passwd: logged" logq syscall=openat action=logged args.path=/etc/passwd

# --- TOCTOU: another thread flips the path between the allowed and a forbidden file.
# (clone3 stays ENOSYS; glibc's pthread_create falls back to clone.)
RUN_TIMEOUT=120 run production "$T/open.vxed" race "$T/goo1" "$T/bad1" 20000
r=$(result race)
diag "race: $r"
check "race: the probe ran (status $rc)" res_is race ok
check "race: some opens of the allowed file succeeded" bash -c "[[ '$r' =~ opened=([0-9]+) ]] && (( BASH_REMATCH[1] > 0 ))"
check "race: the forbidden file was never read (leaked=0)" bash -c "[[ '$r' == *' leaked=0 '* ]]"
check "race: every refusal logged names the forbidden file" lognone syscall=openat args.path="$T/goo1"

# --- escape-set arguments stay closed under a VXED's own predicate ----------------
# SPEC 5.5: TIOCSTI and namespace flags are closed unless the VXED names them;
# a predicate about something else (the fd, SIGCHLD) does not name them.
policy "$T/ownpred.vxed" strict \
	"(permit ioctl (fd request arg) (>= fd 0))" \
	"(permit unshare (flags) (>= flags 0))" \
	"(files (read \"/dev/ptmx\" \"/dev/pts\") (write \"/dev/ptmx\" \"/dev/pts\"))"
sed -i 's/ clone / /' "$T/ownpred.vxed" # clone gets its own rule below
echo "(permit clone (flags) (flags-set? flags SIGCHLD))" >>"$T/ownpred.vxed"
run production "$T/ownpred.vxed" tiocgwinsz
check "own ioctl predicate: TIOCGWINSZ allowed" res_is tiocgwinsz ok
run production "$T/ownpred.vxed" tiocsti
check "own ioctl predicate (fd >= 0): TIOCSTI still refused" res_is tiocsti errno=EPERM
run production "$T/ownpred.vxed" tiocsti_high
check "own ioctl predicate (fd >= 0): TIOCSTI|2^32 still refused" res_is tiocsti_high errno=EPERM
run production "$T/ownpred.vxed" fork50
check "own clone predicate: fork works" bash -c "[[ '$(result fork50)' == 'ok '*' lost=0' ]]"
run production "$T/ownpred.vxed" clone_newuser
check "own clone predicate (SIGCHLD set): CLONE_NEWUSER still refused" res_is clone_newuser errno=EPERM
run production "$T/ownpred.vxed" unshare_user
check "own unshare predicate (flags >= 0): CLONE_NEWUSER still refused" res_is unshare_user errno=EPERM

# --- :errno sets the answer of refused calls -----------------------------------------
policy "$T/eacces.vxed" strict
sed -i 's/:mode production)/:mode production :errno EACCES)/' "$T/eacces.vxed"
run production "$T/eacces.vxed" nnp_off
check ":errno EACCES: an unlisted call fails with EACCES" res_is nnp_off errno=EACCES
check ":errno EACCES: logged with EACCES" logq syscall=prctl errno=EACCES

finish
