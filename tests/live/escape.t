#!/usr/bin/env bash
# SPEC 5.4/5.5: the indirect paths (ptrace, process_vm_writev, mount, user
# namespaces, io_uring, bpf, perf_event_open, module loading, kexec,
# open_by_handle_at, keyctl, userfaultfd, TIOCSTI, non-native ABIs) are closed
# in strict and filesystem VXEDs alike: production refuses with the expected
# errno (EPERM; ENOSYS where the syscall table says programs fall back:
# io_uring_setup, userfaultfd, non-native ABIs) and logs "blocked"; soft performs the call (the probe's result equals
# the unconfined one) and logs "logged".
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
require_live

mkdir -p "$T/mnt"
sleep 300 &
victim=$!
trap 'kill $victim 2>/dev/null; cleanup_live' EXIT

EXTRA_FILES="(files (read \"/dev/ptmx\" \"/dev/pts\" \"/proc\") (write \"/dev/ptmx\" \"/dev/pts\"))"
policy "$T/strict.vxed" strict "(permit ioctl)" "$EXTRA_FILES"
policy "$T/filesystem.vxed" filesystem "$EXTRA_FILES"

# action|args|syscall in the log|production errno|rule
cases=(
	"ptrace|$victim|ptrace|EPERM|escape"
	"vmwrite||process_vm_writev|EPERM|escape"
	"mount|$T/mnt|mount|EPERM|escape"
	"unshare_user||unshare|EPERM|escape"
	"clone_newuser||clone|EPERM|escape"
	"io_uring||io_uring_setup|ENOSYS|escape"
	"bpf||bpf|EPERM|escape"
	"perf||perf_event_open|EPERM|escape"
	"init_module||init_module|EPERM|escape"
	"finit_module||finit_module|EPERM|escape"
	"kexec_load||kexec_load|EPERM|escape"
	"open_by_handle_at||open_by_handle_at|EPERM|escape"
	"keyctl||keyctl|EPERM|escape"
	"userfaultfd||userfaultfd|ENOSYS|escape"
	"tiocsti||ioctl|EPERM|escape"
	"tiocsti_high||ioctl|EPERM|escape"
	"int80||getpid|ENOSYS|arch"
	"x32||getpid|ENOSYS|arch"
)

for type in strict filesystem; do
	for c in "${cases[@]}"; do
		IFS='|' read -r act arg sys err rule <<<"$c"
		args=("$act")
		[[ -n $arg ]] && args+=("$arg")
		arch=x86_64
		[[ $act == int80 ]] && arch=i386
		[[ $act == x32 ]] && arch=x32

		run production "$T/$type.vxed" "${args[@]}"
		check "$type production $act: fails with $err" res_is "$act" "errno=$err"
		check "$type production $act: logged blocked $sys rule $rule" \
			logq syscall="$sys" action=blocked rule="$rule" errno="$err" arch="$arch" \
			vxed="probe-$type" mode=production

		want=$(unconfined "${args[@]}")
		# Soft mode performs the call, but every VXE is a Landlock domain,
		# and a domain cannot ptrace a process outside it (the supervisor
		# among them): the kernel refuses, as it would in production.
		[[ $act == ptrace ]] && want=errno=EPERM
		soft_action=logged soft_rule=$rule
		run soft "$T/$type.vxed" "${args[@]}"
		check "$type soft $act: performed (as unconfined: $want)" res_is "$act" "$want"
		check "$type soft $act: logged $sys rule $soft_rule" \
			logq syscall="$sys" action="$soft_action" rule="$soft_rule" arch="$arch" mode=soft
		lognone action=logged errno=EPERM >/dev/null ||
			fail "$type soft $act: a logged record carries an errno"
	done
	# The log names the path of a mount and the flags of unshare/clone.
	run production "$T/$type.vxed" mount "$T/mnt"
	check "$type mount: log has the target path" logq syscall=mount args.target="$T/mnt"
	run production "$T/$type.vxed" unshare_user
	check "$type unshare: log has the flags" logq syscall=unshare args.flags=CLONE_NEWUSER
	# clone3 is refused as absent (ENOSYS) in the kernel, so libc falls back.
	run production "$T/$type.vxed" clone3
	check "$type clone3: ENOSYS" res_is clone3 errno=ENOSYS
	# An ordinary ioctl still works.
	run production "$T/$type.vxed" tiocgwinsz
	check "$type tiocgwinsz: allowed" res_is tiocgwinsz ok
	check "$type tiocgwinsz: no log" lognone
	# Another process's memory through /proc: the files rules do not grant it.
	run production "$T/$type.vxed" procmem $victim
	check "$type /proc/$victim/mem for write: refused" res_is procmem errno=EACCES
	check "$type /proc/PID/mem: logged" logq syscall=openat action=blocked args.path="/proc/$victim/mem"
done

finish
