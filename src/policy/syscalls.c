/* What VXE knows about each x86_64 system call (see include/vxe/syscalls.h).
 *
 * One entry for every syscall libseccomp knows on x86_64; the numbers stay in
 * libseccomp. The table is written in groups from least to most risky, as in
 * OpenBSD's kern_pledge.c, with one line saying why each group is where it is.
 * It is stored in strcmp order of the names all the same: each entry is placed
 * by its index in enum syscall_index below (a designated initialiser), so the
 * lookup by name is a binary search over a const array and nothing is built at
 * run time. tests/unit/test_syscalls.c checks that the order holds, that no
 * slot is empty and that every syscall libseccomp knows has its entry; the
 * compiler refuses a name given twice (-Woverride-init) or one with no index.
 *
 * Argument types follow the kernel's SYSCALL_DEFINE (what the kernel reads),
 * not the libc prototype, because the filter must compare a value as the kernel
 * reads it (SPEC 5.6): int, unsigned int, pid_t, uid_t, u32 are INT32; long,
 * unsigned long, size_t, loff_t are INT64, and so are addresses the kernel
 * takes as unsigned long and never dereferences (mmap's addr); __user pointers
 * are PTR, except path names (PATH), other strings (STR) and socket addresses
 * the caller passes in (SOCKADDR). A sockaddr the kernel writes back (accept,
 * recvfrom, getsockname) is PTR: it holds nothing before the call and is
 * followed by a pointer, not a length. Names follow the man pages, except that
 * a path argument is called path (oldpath/newpath, target/linkpath when there
 * are two) so that one files rule reads the same for every call.
 *
 * Classes:
 *   FILE     names a path and reaches the file system. Landlock covers opening,
 *            creating, removing, renaming, linking, truncating and executing;
 *            it does not cover stat, access, readlink, chdir, statfs, xattrs,
 *            chmod, chown or utimes, which are FILE too so that the supervisor
 *            checks their paths against the files rules (soft mode logs them).
 *   EXEC     execve, execveat.
 *   NET      every call on a socket: network rules.
 *   ESCAPE   SPEC 5.5, the indirect ways out; closed even by a filesystem
 *            VXED unless it names them; why says what each would give.
 *   PROBE    newer calls that libc and common libraries try and then fall back
 *            from when they get ENOSYS, so they are refused with ENOSYS.
 *   HARMLESS cannot reach anything outside the process: no path, no socket
 *            address, no other process, no credentials, no change to the host.
 *            Calls on a descriptor the process already holds count as harmless
 *            (the check was made when it was opened), except ioctl, fcntl and
 *            flock, which can reach a terminal, locks or leases.
 *   (none)   ordinary: permitted when a VXED lists it.
 */
#include "vxe/syscalls.h"

#include <errno.h>
#include <seccomp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The tables below are laid out by hand, one entry a line where it fits;
 * clang-format would break the brace macros and spread the enum. */
/* clang-format off */

/* Every name libseccomp knows on x86_64, in strcmp order (LC_ALL=C sort). */
enum syscall_index {
	IX__sysctl, IX_accept, IX_accept4, IX_access, IX_acct, IX_add_key, IX_adjtimex,
	IX_afs_syscall, IX_alarm, IX_arch_prctl, IX_bind, IX_bpf, IX_brk, IX_cachestat, IX_capget,
	IX_capset, IX_chdir, IX_chmod, IX_chown, IX_chroot, IX_clock_adjtime, IX_clock_getres,
	IX_clock_gettime, IX_clock_nanosleep, IX_clock_settime, IX_clone, IX_clone3, IX_close,
	IX_close_range, IX_connect, IX_copy_file_range, IX_creat, IX_create_module,
	IX_delete_module, IX_dup, IX_dup2, IX_dup3, IX_epoll_create, IX_epoll_create1,
	IX_epoll_ctl, IX_epoll_ctl_old, IX_epoll_pwait, IX_epoll_pwait2, IX_epoll_wait,
	IX_epoll_wait_old, IX_eventfd, IX_eventfd2, IX_execve, IX_execveat, IX_exit, IX_exit_group,
	IX_faccessat, IX_faccessat2, IX_fadvise64, IX_fallocate, IX_fanotify_init,
	IX_fanotify_mark, IX_fchdir, IX_fchmod, IX_fchmodat, IX_fchmodat2, IX_fchown, IX_fchownat,
	IX_fcntl, IX_fdatasync, IX_fgetxattr, IX_finit_module, IX_flistxattr, IX_flock, IX_fork,
	IX_fremovexattr, IX_fsconfig, IX_fsetxattr, IX_fsmount, IX_fsopen, IX_fspick, IX_fstat,
	IX_fstatfs, IX_fsync, IX_ftruncate, IX_futex, IX_futex_requeue, IX_futex_wait,
	IX_futex_waitv, IX_futex_wake, IX_futimesat, IX_get_kernel_syms, IX_get_mempolicy,
	IX_get_robust_list, IX_get_thread_area, IX_getcpu, IX_getcwd, IX_getdents, IX_getdents64,
	IX_getegid, IX_geteuid, IX_getgid, IX_getgroups, IX_getitimer, IX_getpeername, IX_getpgid,
	IX_getpgrp, IX_getpid, IX_getpmsg, IX_getppid, IX_getpriority, IX_getrandom, IX_getresgid,
	IX_getresuid, IX_getrlimit, IX_getrusage, IX_getsid, IX_getsockname, IX_getsockopt,
	IX_gettid, IX_gettimeofday, IX_getuid, IX_getxattr, IX_init_module, IX_inotify_add_watch,
	IX_inotify_init, IX_inotify_init1, IX_inotify_rm_watch, IX_io_cancel, IX_io_destroy,
	IX_io_getevents, IX_io_pgetevents, IX_io_setup, IX_io_submit, IX_io_uring_enter,
	IX_io_uring_register, IX_io_uring_setup, IX_ioctl, IX_ioperm, IX_iopl, IX_ioprio_get,
	IX_ioprio_set, IX_kcmp, IX_kexec_file_load, IX_kexec_load, IX_keyctl, IX_kill,
	IX_landlock_add_rule, IX_landlock_create_ruleset, IX_landlock_restrict_self, IX_lchown,
	IX_lgetxattr, IX_link, IX_linkat, IX_listen, IX_listxattr, IX_llistxattr,
	IX_lookup_dcookie, IX_lremovexattr, IX_lseek, IX_lsetxattr, IX_lstat, IX_madvise,
	IX_map_shadow_stack, IX_mbind, IX_membarrier, IX_memfd_create, IX_memfd_secret,
	IX_migrate_pages, IX_mincore, IX_mkdir, IX_mkdirat, IX_mknod, IX_mknodat, IX_mlock,
	IX_mlock2, IX_mlockall, IX_mmap, IX_modify_ldt, IX_mount, IX_mount_setattr, IX_move_mount,
	IX_move_pages, IX_mprotect, IX_mq_getsetattr, IX_mq_notify, IX_mq_open, IX_mq_timedreceive,
	IX_mq_timedsend, IX_mq_unlink, IX_mremap, IX_msgctl, IX_msgget, IX_msgrcv, IX_msgsnd,
	IX_msync, IX_munlock, IX_munlockall, IX_munmap, IX_name_to_handle_at, IX_nanosleep,
	IX_newfstatat, IX_nfsservctl, IX_open, IX_open_by_handle_at, IX_open_tree, IX_openat,
	IX_openat2, IX_pause, IX_perf_event_open, IX_personality, IX_pidfd_getfd, IX_pidfd_open,
	IX_pidfd_send_signal, IX_pipe, IX_pipe2, IX_pivot_root, IX_pkey_alloc, IX_pkey_free,
	IX_pkey_mprotect, IX_poll, IX_ppoll, IX_prctl, IX_pread64, IX_preadv, IX_preadv2,
	IX_prlimit64, IX_process_madvise, IX_process_mrelease, IX_process_vm_readv,
	IX_process_vm_writev, IX_pselect6, IX_ptrace, IX_putpmsg, IX_pwrite64, IX_pwritev,
	IX_pwritev2, IX_query_module, IX_quotactl, IX_quotactl_fd, IX_read, IX_readahead,
	IX_readlink, IX_readlinkat, IX_readv, IX_reboot, IX_recvfrom, IX_recvmmsg, IX_recvmsg,
	IX_remap_file_pages, IX_removexattr, IX_rename, IX_renameat, IX_renameat2, IX_request_key,
	IX_restart_syscall, IX_rmdir, IX_rseq, IX_rt_sigaction, IX_rt_sigpending,
	IX_rt_sigprocmask, IX_rt_sigqueueinfo, IX_rt_sigreturn, IX_rt_sigsuspend,
	IX_rt_sigtimedwait, IX_rt_tgsigqueueinfo, IX_sched_get_priority_max,
	IX_sched_get_priority_min, IX_sched_getaffinity, IX_sched_getattr, IX_sched_getparam,
	IX_sched_getscheduler, IX_sched_rr_get_interval, IX_sched_setaffinity, IX_sched_setattr,
	IX_sched_setparam, IX_sched_setscheduler, IX_sched_yield, IX_seccomp, IX_security,
	IX_select, IX_semctl, IX_semget, IX_semop, IX_semtimedop, IX_sendfile, IX_sendmmsg,
	IX_sendmsg, IX_sendto, IX_set_mempolicy, IX_set_mempolicy_home_node, IX_set_robust_list,
	IX_set_thread_area, IX_set_tid_address, IX_setdomainname, IX_setfsgid, IX_setfsuid,
	IX_setgid, IX_setgroups, IX_sethostname, IX_setitimer, IX_setns, IX_setpgid,
	IX_setpriority, IX_setregid, IX_setresgid, IX_setresuid, IX_setreuid, IX_setrlimit,
	IX_setsid, IX_setsockopt, IX_settimeofday, IX_setuid, IX_setxattr, IX_shmat, IX_shmctl,
	IX_shmdt, IX_shmget, IX_shutdown, IX_sigaltstack, IX_signalfd, IX_signalfd4, IX_socket,
	IX_socketpair, IX_splice, IX_stat, IX_statfs, IX_statx, IX_swapoff, IX_swapon, IX_symlink,
	IX_symlinkat, IX_sync, IX_sync_file_range, IX_syncfs, IX_sysfs, IX_sysinfo, IX_syslog,
	IX_tee, IX_tgkill, IX_time, IX_timer_create, IX_timer_delete, IX_timer_getoverrun,
	IX_timer_gettime, IX_timer_settime, IX_timerfd_create, IX_timerfd_gettime,
	IX_timerfd_settime, IX_times, IX_tkill, IX_truncate, IX_tuxcall, IX_umask, IX_umount2,
	IX_uname, IX_unlink, IX_unlinkat, IX_unshare, IX_uselib, IX_userfaultfd, IX_ustat,
	IX_utime, IX_utimensat, IX_utimes, IX_vfork, IX_vhangup, IX_vmsplice, IX_vserver, IX_wait4,
	IX_waitid, IX_write, IX_writev,
	SYSCALL_COUNT
};

/* Arguments: name as a VXED writes it, and how the kernel reads it. */
#define INT(n)      {#n, VXE_ARG_INT32}
#define LONG(n)     {#n, VXE_ARG_INT64}
#define FD(n)       {#n, VXE_ARG_FD}
#define DIRFD(n)    {#n, VXE_ARG_DIRFD}
#define OFLAGS(n)   {#n, VXE_ARG_OPENFLAGS}
#define MODE(n)     {#n, VXE_ARG_MODE}
#define PATH(n)     {#n, VXE_ARG_PATH}
#define STR(n)      {#n, VXE_ARG_STR}
#define SOCKADDR(n) {#n, VXE_ARG_SOCKADDR}
#define PTR(n)      {#n, VXE_ARG_PTR}

/* Counts the arguments; {0} keeps the compound literal non-empty for calls
 * that take none. More than VXE_MAX_ARGS fails to compile (excess elements). */
#define NARGS(...) \
	(sizeof((struct vxe_sysarg[]){{0}, ##__VA_ARGS__}) / sizeof(struct vxe_sysarg) - 1)

#define ENTRY(nm, cls, err, why_, ...)                                                             \
	[IX_##nm] = {.name = #nm,                                                                  \
		     .nargs = NARGS(__VA_ARGS__),                                                  \
		     .args = {__VA_ARGS__},                                                        \
		     .classes = (cls),                                                             \
		     .refuse_errno = (err),                                                        \
		     .why = (why_)}

#define HARMLESS(nm, ...)         ENTRY(nm, VXE_SC_HARMLESS, 0, NULL, __VA_ARGS__)
#define ORDINARY(nm, ...)         ENTRY(nm, 0, 0, NULL, __VA_ARGS__)
#define FILES(nm, ...)            ENTRY(nm, VXE_SC_FILE, 0, NULL, __VA_ARGS__)
#define NET(nm, ...)              ENTRY(nm, VXE_SC_NET, 0, NULL, __VA_ARGS__)
#define ESCAPE(nm, why, ...)      ENTRY(nm, VXE_SC_ESCAPE, 0, why, __VA_ARGS__)
/* An escape that names a path: the supervisor can decode and log it. */
#define ESCAPE_FILE(nm, why, ...) ENTRY(nm, VXE_SC_ESCAPE | VXE_SC_FILE, 0, why, __VA_ARGS__)
/* A newer call with an older fallback: PROBE plus its other classes, ENOSYS. */
#define PROBE(nm, cls, ...)       ENTRY(nm, VXE_SC_PROBE | (cls), ENOSYS, NULL, __VA_ARGS__)
/* Not implemented by Linux on x86_64 (or removed): refused the way the kernel
 * itself would answer, so a VXE changes nothing for the program. */
#define ENOSYS_STUB(nm, ...)      ENTRY(nm, 0, ENOSYS, NULL, __VA_ARGS__)

static const struct vxe_syscall_info syscalls[SYSCALL_COUNT] = {
	/* Harmless: memory, time, signals and identity of the process itself. */
	HARMLESS(brk, LONG(addr)),
	HARMLESS(mmap, LONG(addr), LONG(length), LONG(prot), LONG(flags), FD(fd), LONG(offset)),
	HARMLESS(mprotect, LONG(addr), LONG(len), LONG(prot)),
	HARMLESS(munmap, LONG(addr), LONG(length)),
	HARMLESS(mremap, LONG(old_address), LONG(old_size), LONG(new_size), LONG(flags),
	         LONG(new_address)),
	HARMLESS(madvise, LONG(addr), LONG(length), INT(advice)),
	HARMLESS(msync, LONG(addr), LONG(length), INT(flags)),
	HARMLESS(pkey_mprotect, LONG(addr), LONG(len), LONG(prot), INT(pkey)),
	HARMLESS(pkey_alloc, LONG(flags), LONG(access_rights)),
	HARMLESS(pkey_free, INT(pkey)),
	HARMLESS(arch_prctl, INT(option), LONG(addr)),
	HARMLESS(set_tid_address, PTR(tidptr)),
	HARMLESS(set_robust_list, PTR(head), LONG(len)),
	HARMLESS(futex, PTR(uaddr), INT(futex_op), INT(val), PTR(timeout), PTR(uaddr2), INT(val3)),
	HARMLESS(exit, INT(status)),
	HARMLESS(exit_group, INT(status)),
	HARMLESS(restart_syscall),
	HARMLESS(sched_yield),
	HARMLESS(pause),
	HARMLESS(nanosleep, PTR(req), PTR(rem)),
	HARMLESS(clock_nanosleep, INT(clockid), INT(flags), PTR(request), PTR(remain)),
	HARMLESS(clock_gettime, INT(clockid), PTR(tp)),
	HARMLESS(clock_getres, INT(clockid), PTR(res)),
	HARMLESS(gettimeofday, PTR(tv), PTR(tz)),
	HARMLESS(time, PTR(tloc)),
	HARMLESS(times, PTR(buf)),
	HARMLESS(alarm, INT(seconds)),
	HARMLESS(getitimer, INT(which), PTR(curr_value)),
	HARMLESS(setitimer, INT(which), PTR(new_value), PTR(old_value)),
	HARMLESS(timer_create, INT(clockid), PTR(sevp), PTR(timerid)),
	HARMLESS(timer_settime, INT(timerid), INT(flags), PTR(new_value), PTR(old_value)),
	HARMLESS(timer_gettime, INT(timerid), PTR(curr_value)),
	HARMLESS(timer_getoverrun, INT(timerid)),
	HARMLESS(timer_delete, INT(timerid)),
	HARMLESS(rt_sigaction, INT(signum), PTR(act), PTR(oldact), LONG(sigsetsize)),
	HARMLESS(rt_sigprocmask, INT(how), PTR(set), PTR(oldset), LONG(sigsetsize)),
	HARMLESS(rt_sigreturn),
	HARMLESS(rt_sigpending, PTR(set), LONG(sigsetsize)),
	HARMLESS(rt_sigtimedwait, PTR(set), PTR(info), PTR(timeout), LONG(sigsetsize)),
	HARMLESS(rt_sigsuspend, PTR(mask), LONG(sigsetsize)),
	HARMLESS(sigaltstack, PTR(ss), PTR(old_ss)),
	HARMLESS(getpid),
	HARMLESS(getppid),
	HARMLESS(gettid),
	HARMLESS(getpgrp),
	HARMLESS(getuid),
	HARMLESS(geteuid),
	HARMLESS(getgid),
	HARMLESS(getegid),
	HARMLESS(getresuid, PTR(ruid), PTR(euid), PTR(suid)),
	HARMLESS(getresgid, PTR(rgid), PTR(egid), PTR(sgid)),
	HARMLESS(getgroups, INT(size), PTR(list)),
	HARMLESS(getrlimit, INT(resource), PTR(rlim)),
	HARMLESS(getrusage, INT(who), PTR(usage)),
	HARMLESS(getcpu, PTR(cpu), PTR(node), PTR(tcache)),
	HARMLESS(uname, PTR(buf)),
	HARMLESS(sysinfo, PTR(info)),
	HARMLESS(umask, MODE(mask)),
	HARMLESS(getcwd, PTR(buf), LONG(size)),

	/* Harmless: I/O on descriptors the process already holds. */
	HARMLESS(read, FD(fd), PTR(buf), LONG(count)),
	HARMLESS(write, FD(fd), PTR(buf), LONG(count)),
	HARMLESS(readv, FD(fd), PTR(iov), LONG(iovcnt)),
	HARMLESS(writev, FD(fd), PTR(iov), LONG(iovcnt)),
	HARMLESS(pread64, FD(fd), PTR(buf), LONG(count), LONG(offset)),
	HARMLESS(pwrite64, FD(fd), PTR(buf), LONG(count), LONG(offset)),
	/* offset_hi: the kernel's pos_h, unused on 64-bit but it moves flags to a5. */
	HARMLESS(preadv, FD(fd), PTR(iov), LONG(iovcnt), LONG(offset), LONG(offset_hi)),
	HARMLESS(pwritev, FD(fd), PTR(iov), LONG(iovcnt), LONG(offset), LONG(offset_hi)),
	HARMLESS(lseek, FD(fd), LONG(offset), INT(whence)),
	HARMLESS(close, FD(fd)),
	HARMLESS(dup, FD(oldfd)),
	HARMLESS(dup2, FD(oldfd), FD(newfd)),
	HARMLESS(dup3, FD(oldfd), FD(newfd), INT(flags)),
	HARMLESS(fstat, FD(fd), PTR(statbuf)),
	HARMLESS(fstatfs, FD(fd), PTR(buf)),
	HARMLESS(fgetxattr, FD(fd), STR(name), PTR(value), LONG(size)),
	HARMLESS(flistxattr, FD(fd), PTR(list), LONG(size)),
	HARMLESS(getdents, FD(fd), PTR(dirp), INT(count)),
	HARMLESS(getdents64, FD(fd), PTR(dirp), INT(count)),
	HARMLESS(fchdir, FD(fd)),
	HARMLESS(fsync, FD(fd)),
	HARMLESS(fdatasync, FD(fd)),
	HARMLESS(sync_file_range, FD(fd), LONG(offset), LONG(nbytes), INT(flags)),
	HARMLESS(ftruncate, FD(fd), LONG(length)),
	HARMLESS(fallocate, FD(fd), INT(mode), LONG(offset), LONG(len)),
	HARMLESS(fadvise64, FD(fd), LONG(offset), LONG(len), INT(advice)),
	HARMLESS(readahead, FD(fd), LONG(offset), LONG(count)),
	HARMLESS(sendfile, FD(out_fd), FD(in_fd), PTR(offset), LONG(count)),
	HARMLESS(splice, FD(fd_in), PTR(off_in), FD(fd_out), PTR(off_out), LONG(len), INT(flags)),
	HARMLESS(tee, FD(fd_in), FD(fd_out), LONG(len), INT(flags)),
	HARMLESS(vmsplice, FD(fd), PTR(iov), LONG(nr_segs), INT(flags)),
	HARMLESS(poll, PTR(fds), INT(nfds), INT(timeout)),
	HARMLESS(ppoll, PTR(fds), INT(nfds), PTR(tmo_p), PTR(sigmask), LONG(sigsetsize)),
	HARMLESS(select, INT(nfds), PTR(readfds), PTR(writefds), PTR(exceptfds), PTR(timeout)),
	HARMLESS(pselect6, INT(nfds), PTR(readfds), PTR(writefds), PTR(exceptfds), PTR(timeout),
	         PTR(sigmask)),
	HARMLESS(epoll_create, INT(size)),
	HARMLESS(epoll_create1, INT(flags)),
	HARMLESS(epoll_ctl, FD(epfd), INT(op), FD(fd), PTR(event)),
	HARMLESS(epoll_wait, FD(epfd), PTR(events), INT(maxevents), INT(timeout)),
	HARMLESS(epoll_pwait, FD(epfd), PTR(events), INT(maxevents), INT(timeout), PTR(sigmask),
	         LONG(sigsetsize)),

	/* Harmless: new descriptors that name nothing outside the process. */
	HARMLESS(pipe, PTR(pipefd)),
	HARMLESS(pipe2, PTR(pipefd), INT(flags)),
	HARMLESS(eventfd, INT(initval)),
	HARMLESS(eventfd2, INT(initval), INT(flags)),
	HARMLESS(signalfd, FD(fd), PTR(mask), LONG(sizemask)),
	HARMLESS(signalfd4, FD(fd), PTR(mask), LONG(sizemask), INT(flags)),
	HARMLESS(timerfd_create, INT(clockid), INT(flags)),
	HARMLESS(timerfd_settime, FD(fd), INT(flags), PTR(new_value), PTR(old_value)),
	HARMLESS(timerfd_gettime, FD(fd), PTR(curr_value)),
	HARMLESS(inotify_init),
	HARMLESS(inotify_init1, INT(flags)),
	HARMLESS(inotify_rm_watch, FD(fd), INT(wd)),

	/* Harmless and newer, with a fallback: glibc and common libraries (OpenSSL,
	 * coreutils, Rust std, libuv) take ENOSYS as "old kernel" and carry on. */
	PROBE(getrandom, VXE_SC_HARMLESS, PTR(buf), LONG(buflen), INT(flags)),
	PROBE(rseq, VXE_SC_HARMLESS, PTR(rseq), INT(rseq_len), INT(flags), INT(sig)),
	PROBE(membarrier, VXE_SC_HARMLESS, INT(cmd), INT(flags), INT(cpu_id)),
	PROBE(memfd_create, VXE_SC_HARMLESS, STR(name), INT(flags)),
	PROBE(close_range, VXE_SC_HARMLESS, INT(first), INT(last), INT(flags)),
	PROBE(copy_file_range, VXE_SC_HARMLESS, FD(fd_in), PTR(off_in), FD(fd_out), PTR(off_out),
	      LONG(len), INT(flags)),
	PROBE(preadv2, VXE_SC_HARMLESS, FD(fd), PTR(iov), LONG(iovcnt), LONG(offset),
	      LONG(offset_hi), INT(flags)),
	PROBE(pwritev2, VXE_SC_HARMLESS, FD(fd), PTR(iov), LONG(iovcnt), LONG(offset),
	      LONG(offset_hi), INT(flags)),
	PROBE(epoll_pwait2, VXE_SC_HARMLESS, FD(epfd), PTR(events), INT(maxevents), PTR(timeout),
	      PTR(sigmask), LONG(sigsetsize)),
	PROBE(futex_waitv, VXE_SC_HARMLESS, PTR(waiters), INT(nr_futexes), INT(flags), PTR(timeout),
	      INT(clockid)),
	PROBE(futex_wake, VXE_SC_HARMLESS, PTR(uaddr), LONG(mask), INT(nr), INT(flags)),
	PROBE(futex_wait, VXE_SC_HARMLESS, PTR(uaddr), LONG(val), LONG(mask), INT(flags),
	      PTR(timeout), INT(clockid)),
	PROBE(futex_requeue, VXE_SC_HARMLESS, PTR(waiters), INT(flags), INT(nr_wake),
	      INT(nr_requeue)),
	PROBE(map_shadow_stack, VXE_SC_HARMLESS, LONG(addr), LONG(size), INT(flags)),

	/* Newer calls that programs probe: clone3 (glibc 2.34 falls back to clone),
	 * pidfd_* (Python, systemd), landlock_* (a program that sandboxes itself
	 * skips it on an old kernel); cachestat, mlock2 likewise. */
	PROBE(clone3, 0, PTR(cl_args), LONG(size)),
	PROBE(pidfd_open, 0, INT(pid), INT(flags)),
	PROBE(pidfd_send_signal, 0, FD(pidfd), INT(sig), PTR(info), INT(flags)),
	PROBE(landlock_create_ruleset, 0, PTR(attr), LONG(size), INT(flags)),
	PROBE(landlock_add_rule, 0, FD(ruleset_fd), INT(rule_type), PTR(rule_attr), INT(flags)),
	PROBE(landlock_restrict_self, 0, FD(ruleset_fd), INT(flags)),
	PROBE(cachestat, 0, FD(fd), PTR(cstat_range), PTR(cstat), INT(flags)),
	PROBE(mlock2, 0, LONG(addr), LONG(len), INT(flags)),

	/* Ordinary: descriptor control that can reach a terminal (TIOCSTI), file
	 * locks, leases or signal routing; a VXED checks their arguments. */
	ORDINARY(ioctl, FD(fd), INT(request), LONG(arg)),
	ORDINARY(fcntl, FD(fd), INT(cmd), LONG(arg)),
	ORDINARY(flock, FD(fd), INT(operation)),
	ORDINARY(fchmod, FD(fd), MODE(mode)),
	ORDINARY(fchown, FD(fd), INT(owner), INT(group)),
	ORDINARY(fsetxattr, FD(fd), STR(name), PTR(value), LONG(size), INT(flags)),
	ORDINARY(fremovexattr, FD(fd), STR(name)),
	ORDINARY(syncfs, FD(fd)),
	ORDINARY(sync),

	/* Ordinary: memory beyond the process's own pages (locking pins host
	 * memory, mincore reveals page-cache state, NUMA policy moves pages). */
	ORDINARY(mincore, LONG(addr), LONG(length), PTR(vec)),
	ORDINARY(mlock, LONG(addr), LONG(len)),
	ORDINARY(munlock, LONG(addr), LONG(len)),
	ORDINARY(mlockall, INT(flags)),
	ORDINARY(munlockall),
	ORDINARY(remap_file_pages, LONG(addr), LONG(size), LONG(prot), LONG(pgoff), LONG(flags)),
	ORDINARY(mbind, LONG(addr), LONG(len), LONG(mode), PTR(nodemask), LONG(maxnode),
	         INT(flags)),
	ORDINARY(set_mempolicy, INT(mode), PTR(nodemask), LONG(maxnode)),
	ORDINARY(get_mempolicy, PTR(mode), PTR(nodemask), LONG(maxnode), LONG(addr), LONG(flags)),
	ORDINARY(set_mempolicy_home_node, LONG(start), LONG(len), LONG(home_node), LONG(flags)),
	ORDINARY(memfd_secret, INT(flags)),
	ORDINARY(set_thread_area, PTR(u_info)),
	ORDINARY(get_thread_area, PTR(u_info)),
	/* Kernel attack surface (CVE-2015-5157 and friends); rarely needed. */
	ORDINARY(modify_ldt, INT(func), PTR(ptr), LONG(bytecount)),

	/* Ordinary: asynchronous I/O on held descriptors; io_uring is ESCAPE. */
	ORDINARY(io_setup, INT(nr_events), PTR(ctx_idp)),
	ORDINARY(io_destroy, LONG(ctx_id)),
	ORDINARY(io_submit, LONG(ctx_id), LONG(nr), PTR(iocbpp)),
	ORDINARY(io_cancel, LONG(ctx_id), PTR(iocb), PTR(result)),
	ORDINARY(io_getevents, LONG(ctx_id), LONG(min_nr), LONG(nr), PTR(events), PTR(timeout)),
	ORDINARY(io_pgetevents, LONG(ctx_id), LONG(min_nr), LONG(nr), PTR(events), PTR(timeout),
	         PTR(usig)),

	/* Ordinary: processes. clone's flags are read by their low 32 bits (the
	 * kernel takes lower_32_bits(clone_flags)), so they are INT32; CLONE_NEW*
	 * in them is for the VXED's check of clone to refuse. */
	ORDINARY(clone, INT(flags), PTR(stack), PTR(parent_tid), PTR(child_tid), LONG(tls)),
	ORDINARY(fork),
	ORDINARY(vfork),
	ORDINARY(wait4, INT(pid), PTR(wstatus), INT(options), PTR(rusage)),
	ORDINARY(waitid, INT(idtype), INT(id), PTR(infop), INT(options), PTR(rusage)),
	ORDINARY(kill, INT(pid), INT(sig)),
	ORDINARY(tkill, INT(tid), INT(sig)),
	ORDINARY(tgkill, INT(tgid), INT(tid), INT(sig)),
	ORDINARY(rt_sigqueueinfo, INT(tgid), INT(sig), PTR(info)),
	ORDINARY(rt_tgsigqueueinfo, INT(tgid), INT(tid), INT(sig), PTR(info)),
	ORDINARY(get_robust_list, INT(pid), PTR(head_ptr), PTR(len_ptr)),
	ORDINARY(getpgid, INT(pid)),
	ORDINARY(getsid, INT(pid)),
	ORDINARY(setpgid, INT(pid), INT(pgid)),
	ORDINARY(setsid),
	ORDINARY(getpriority, INT(which), INT(who)),
	ORDINARY(setpriority, INT(which), INT(who), INT(prio)),
	ORDINARY(ioprio_get, INT(which), INT(who)),
	ORDINARY(ioprio_set, INT(which), INT(who), INT(ioprio)),
	ORDINARY(sched_setparam, INT(pid), PTR(param)),
	ORDINARY(sched_getparam, INT(pid), PTR(param)),
	ORDINARY(sched_setscheduler, INT(pid), INT(policy), PTR(param)),
	ORDINARY(sched_getscheduler, INT(pid)),
	ORDINARY(sched_get_priority_max, INT(policy)),
	ORDINARY(sched_get_priority_min, INT(policy)),
	ORDINARY(sched_rr_get_interval, INT(pid), PTR(tp)),
	ORDINARY(sched_setaffinity, INT(pid), INT(cpusetsize), PTR(mask)),
	ORDINARY(sched_getaffinity, INT(pid), INT(cpusetsize), PTR(mask)),
	ORDINARY(sched_setattr, INT(pid), PTR(attr), INT(flags)),
	ORDINARY(sched_getattr, INT(pid), PTR(attr), INT(size), INT(flags)),
	ORDINARY(migrate_pages, INT(pid), LONG(maxnode), PTR(old_nodes), PTR(new_nodes)),
	ORDINARY(move_pages, INT(pid), LONG(count), PTR(pages), PTR(nodes), PTR(status),
	         INT(flags)),
	ORDINARY(process_madvise, FD(pidfd), PTR(iovec), LONG(vlen), INT(advice), INT(flags)),
	ORDINARY(process_mrelease, FD(pidfd), INT(flags)),
	ORDINARY(prlimit64, INT(pid), INT(resource), PTR(new_limit), PTR(old_limit)),
	ORDINARY(setrlimit, INT(resource), PTR(rlim)),
	ORDINARY(personality, INT(persona)),
	ORDINARY(prctl, INT(option), LONG(arg2), LONG(arg3), LONG(arg4), LONG(arg5)),
	/* A filter can only narrow what the process may do; VXE's own stays. */
	ORDINARY(seccomp, INT(operation), INT(flags), PTR(args)),

	/* Ordinary: credentials. */
	ORDINARY(setuid, INT(uid)),
	ORDINARY(setgid, INT(gid)),
	ORDINARY(setreuid, INT(ruid), INT(euid)),
	ORDINARY(setregid, INT(rgid), INT(egid)),
	ORDINARY(setresuid, INT(ruid), INT(euid), INT(suid)),
	ORDINARY(setresgid, INT(rgid), INT(egid), INT(sgid)),
	ORDINARY(setfsuid, INT(fsuid)),
	ORDINARY(setfsgid, INT(fsgid)),
	ORDINARY(setgroups, INT(size), PTR(list)),
	ORDINARY(capget, PTR(hdrp), PTR(datap)),
	ORDINARY(capset, PTR(hdrp), PTR(datap)),

	/* Ordinary: System V and POSIX IPC, shared with other processes by key or
	 * name (a message queue name is not a file system path). */
	ORDINARY(shmget, INT(key), LONG(size), INT(shmflg)),
	ORDINARY(shmat, INT(shmid), PTR(shmaddr), INT(shmflg)),
	ORDINARY(shmctl, INT(shmid), INT(cmd), PTR(buf)),
	ORDINARY(shmdt, PTR(shmaddr)),
	ORDINARY(semget, INT(key), INT(nsems), INT(semflg)),
	ORDINARY(semop, INT(semid), PTR(sops), INT(nsops)),
	ORDINARY(semtimedop, INT(semid), PTR(sops), INT(nsops), PTR(timeout)),
	ORDINARY(semctl, INT(semid), INT(semnum), INT(cmd), LONG(arg)),
	ORDINARY(msgget, INT(key), INT(msgflg)),
	ORDINARY(msgsnd, INT(msqid), PTR(msgp), LONG(msgsz), INT(msgflg)),
	ORDINARY(msgrcv, INT(msqid), PTR(msgp), LONG(msgsz), LONG(msgtyp), INT(msgflg)),
	ORDINARY(msgctl, INT(msqid), INT(cmd), PTR(buf)),
	ORDINARY(mq_open, STR(name), OFLAGS(oflag), MODE(mode), PTR(attr)),
	ORDINARY(mq_unlink, STR(name)),
	ORDINARY(mq_timedsend, INT(mqdes), PTR(msg_ptr), LONG(msg_len), INT(msg_prio),
	         PTR(abs_timeout)),
	ORDINARY(mq_timedreceive, INT(mqdes), PTR(msg_ptr), LONG(msg_len), PTR(msg_prio),
	         PTR(abs_timeout)),
	ORDINARY(mq_notify, INT(mqdes), PTR(sevp)),
	ORDINARY(mq_getsetattr, INT(mqdes), PTR(newattr), PTR(oldattr)),

	/* Ordinary: host information and notification; fanotify_init needs
	 * CAP_SYS_ADMIN and watches whole mounts, its marks are FILE below. */
	ORDINARY(ustat, INT(dev), PTR(ubuf)),
	ORDINARY(sysfs, INT(option), LONG(arg1), LONG(arg2)),
	ORDINARY(fanotify_init, INT(flags), OFLAGS(event_f_flags)),

	/* Not implemented on x86_64, or removed: the kernel answers ENOSYS. */
	ENOSYS_STUB(afs_syscall),
	ENOSYS_STUB(epoll_ctl_old),
	ENOSYS_STUB(epoll_wait_old),
	ENOSYS_STUB(getpmsg),
	ENOSYS_STUB(putpmsg),
	ENOSYS_STUB(security),
	ENOSYS_STUB(tuxcall),
	ENOSYS_STUB(vserver),

	/* Files: read metadata. Landlock does not see these; the supervisor checks
	 * the path against the files rules. */
	FILES(stat, PATH(path), PTR(statbuf)),
	FILES(lstat, PATH(path), PTR(statbuf)),
	FILES(newfstatat, DIRFD(dirfd), PATH(path), PTR(statbuf), INT(flags)),
	PROBE(statx, VXE_SC_FILE, DIRFD(dirfd), PATH(path), INT(flags), INT(mask), PTR(statxbuf)),
	FILES(access, PATH(path), INT(mode)),
	FILES(faccessat, DIRFD(dirfd), PATH(path), INT(mode)),
	PROBE(faccessat2, VXE_SC_FILE, DIRFD(dirfd), PATH(path), INT(mode), INT(flags)),
	FILES(readlink, PATH(path), PTR(buf), INT(bufsiz)),
	FILES(readlinkat, DIRFD(dirfd), PATH(path), PTR(buf), INT(bufsiz)),
	FILES(statfs, PATH(path), PTR(buf)),
	FILES(getxattr, PATH(path), STR(name), PTR(value), LONG(size)),
	FILES(lgetxattr, PATH(path), STR(name), PTR(value), LONG(size)),
	FILES(listxattr, PATH(path), PTR(list), LONG(size)),
	FILES(llistxattr, PATH(path), PTR(list), LONG(size)),
	FILES(chdir, PATH(path)),
	FILES(inotify_add_watch, FD(fd), PATH(path), INT(mask)),
	FILES(fanotify_mark, FD(fanotify_fd), INT(flags), LONG(mask), DIRFD(dirfd), PATH(path)),

	/* Files: open and create; Landlock covers these where the kernel has it. */
	FILES(open, PATH(path), OFLAGS(flags), MODE(mode)),
	FILES(openat, DIRFD(dirfd), PATH(path), OFLAGS(flags), MODE(mode)),
	PROBE(openat2, VXE_SC_FILE, DIRFD(dirfd), PATH(path), PTR(how), LONG(size)),
	FILES(creat, PATH(path), MODE(mode)),
	FILES(mkdir, PATH(path), MODE(mode)),
	FILES(mkdirat, DIRFD(dirfd), PATH(path), MODE(mode)),
	FILES(mknod, PATH(path), MODE(mode), INT(dev)),
	FILES(mknodat, DIRFD(dirfd), PATH(path), MODE(mode), INT(dev)),
	FILES(symlink, PATH(target), PATH(linkpath)),
	FILES(symlinkat, PATH(target), DIRFD(newdirfd), PATH(linkpath)),
	FILES(link, PATH(oldpath), PATH(newpath)),
	FILES(linkat, DIRFD(olddirfd), PATH(oldpath), DIRFD(newdirfd), PATH(newpath), INT(flags)),
	FILES(truncate, PATH(path), LONG(length)),

	/* Files: remove and rename. */
	FILES(unlink, PATH(path)),
	FILES(unlinkat, DIRFD(dirfd), PATH(path), INT(flags)),
	FILES(rmdir, PATH(path)),
	FILES(rename, PATH(oldpath), PATH(newpath)),
	FILES(renameat, DIRFD(olddirfd), PATH(oldpath), DIRFD(newdirfd), PATH(newpath)),
	FILES(renameat2, DIRFD(olddirfd), PATH(oldpath), DIRFD(newdirfd), PATH(newpath),
	      INT(flags)),

	/* Files: change metadata. Landlock has no right for these either. */
	FILES(chmod, PATH(path), MODE(mode)),
	FILES(fchmodat, DIRFD(dirfd), PATH(path), MODE(mode)),
	PROBE(fchmodat2, VXE_SC_FILE, DIRFD(dirfd), PATH(path), MODE(mode), INT(flags)),
	FILES(chown, PATH(path), INT(owner), INT(group)),
	FILES(lchown, PATH(path), INT(owner), INT(group)),
	FILES(fchownat, DIRFD(dirfd), PATH(path), INT(owner), INT(group), INT(flags)),
	FILES(utime, PATH(path), PTR(times)),
	FILES(utimes, PATH(path), PTR(times)),
	FILES(futimesat, DIRFD(dirfd), PATH(path), PTR(times)),
	FILES(utimensat, DIRFD(dirfd), PATH(path), PTR(times), INT(flags)),
	FILES(setxattr, PATH(path), STR(name), PTR(value), LONG(size), INT(flags)),
	FILES(lsetxattr, PATH(path), STR(name), PTR(value), LONG(size), INT(flags)),
	FILES(removexattr, PATH(path), STR(name)),
	FILES(lremovexattr, PATH(path), STR(name)),

	/* Exec: a new program image in the VXE (the filter is inherited). */
	ENTRY(execve, VXE_SC_EXEC | VXE_SC_FILE, 0, NULL, PATH(path), PTR(argv), PTR(envp)),
	ENTRY(execveat, VXE_SC_EXEC | VXE_SC_FILE, 0, NULL, DIRFD(dirfd), PATH(path), PTR(argv),
	      PTR(envp), INT(flags)),

	/* Network: every call on a socket. A refused socket() fails with
	 * EAFNOSUPPORT, which programs take as "no such family here" (glibc's
	 * getaddrinfo skips IPv6, for one) rather than as a fatal error. */
	ENTRY(socket, VXE_SC_NET, EAFNOSUPPORT, NULL, INT(domain), INT(type), INT(protocol)),
	ENTRY(socketpair, VXE_SC_NET, EAFNOSUPPORT, NULL, INT(domain), INT(type), INT(protocol),
	      PTR(sv)),
	NET(bind, FD(sockfd), SOCKADDR(addr), INT(addrlen)),
	NET(connect, FD(sockfd), SOCKADDR(addr), INT(addrlen)),
	NET(listen, FD(sockfd), INT(backlog)),
	NET(accept, FD(sockfd), PTR(addr), PTR(addrlen)),
	NET(accept4, FD(sockfd), PTR(addr), PTR(addrlen), INT(flags)),
	NET(getsockname, FD(sockfd), PTR(addr), PTR(addrlen)),
	NET(getpeername, FD(sockfd), PTR(addr), PTR(addrlen)),
	NET(setsockopt, FD(sockfd), INT(level), INT(optname), PTR(optval), INT(optlen)),
	NET(getsockopt, FD(sockfd), INT(level), INT(optname), PTR(optval), PTR(optlen)),
	NET(shutdown, FD(sockfd), INT(how)),
	NET(sendto, FD(sockfd), PTR(buf), LONG(len), INT(flags), SOCKADDR(dest_addr), INT(addrlen)),
	NET(recvfrom, FD(sockfd), PTR(buf), LONG(len), INT(flags), PTR(src_addr), PTR(addrlen)),
	NET(sendmsg, FD(sockfd), PTR(msg), INT(flags)),
	NET(recvmsg, FD(sockfd), PTR(msg), INT(flags)),
	NET(sendmmsg, FD(sockfd), PTR(msgvec), INT(vlen), INT(flags)),
	NET(recvmmsg, FD(sockfd), PTR(msgvec), INT(vlen), INT(flags), PTR(timeout)),

	/* Host identity and clock: change what every process on the host sees. */
	ESCAPE(sethostname, "changes the host name for every process in the UTS namespace",
	       STR(name), INT(len)),
	ESCAPE(setdomainname, "changes the NIS domain name for the whole UTS namespace", STR(name),
	       INT(len)),
	ESCAPE(settimeofday, "sets the host's wall clock", PTR(tv), PTR(tz)),
	ESCAPE(clock_settime, "sets a host clock", INT(clockid), PTR(tp)),
	ESCAPE(adjtimex, "adjusts the host clock (time, frequency, leap seconds)", PTR(buf)),
	ESCAPE(clock_adjtime, "adjusts a host clock (time, frequency, leap seconds)", INT(clockid),
	       PTR(buf)),

	/* Kernel state readable or writable from user space. */
	ESCAPE(syslog, "reads or clears the kernel log, which leaks kernel addresses", INT(type),
	       PTR(bufp), INT(len)),
	ESCAPE(vhangup, "hangs up the terminal, cutting off other sessions on it"),
	ESCAPE_FILE(acct, "makes the kernel write process accounting records to a file",
	            PATH(path)),
	ESCAPE_FILE(quotactl, "changes disk quotas of a host file system", INT(cmd), PATH(special),
	            INT(id), PTR(addr)),
	ESCAPE(quotactl_fd, "changes disk quotas of a host file system", FD(fd), INT(cmd), INT(id),
	       PTR(addr)),
	ESCAPE_FILE(swapon, "gives the kernel a file or device to swap to", PATH(path),
	            INT(swapflags)),
	ESCAPE_FILE(swapoff, "takes swap space away from the host", PATH(path)),
	ESCAPE(reboot, "reboots, halts or powers off the host, or arms kexec", INT(magic),
	       INT(magic2), INT(cmd), PTR(arg)),
	ESCAPE(keyctl, "works on kernel keyrings, which are not namespaced: other users' keys",
	       INT(operation), LONG(arg2), LONG(arg3), LONG(arg4), LONG(arg5)),
	ESCAPE(add_key, "adds keys to kernel keyrings, which are not namespaced", STR(type),
	       STR(description), PTR(payload), LONG(plen), INT(keyring)),
	ESCAPE(request_key, "asks for a key, which may run /sbin/request-key as root", STR(type),
	       STR(description), STR(callout_info), INT(dest_keyring)),

	/* Other processes: read, write or steal from them. */
	ESCAPE(ptrace, "controls another process: its memory, registers and system calls",
	       LONG(request), INT(pid), LONG(addr), LONG(data)),
	ESCAPE(process_vm_readv, "reads another process's memory", INT(pid), PTR(local_iov),
	       LONG(liovcnt), PTR(remote_iov), LONG(riovcnt), LONG(flags)),
	ESCAPE(process_vm_writev, "writes another process's memory", INT(pid), PTR(local_iov),
	       LONG(liovcnt), PTR(remote_iov), LONG(riovcnt), LONG(flags)),
	ESCAPE(pidfd_getfd, "copies a descriptor out of another process", FD(pidfd), INT(targetfd),
	       INT(flags)),
	ESCAPE(kcmp, "compares kernel objects of other processes, revealing kernel pointer order",
	       INT(pid1), INT(pid2), INT(type), LONG(idx1), LONG(idx2)),

	/* File system view: mounts, roots and namespaces. */
	ESCAPE_FILE(chroot,
	            "changes the root directory; with a descriptor kept open, a way out of it",
	            PATH(path)),
	ESCAPE_FILE(pivot_root, "swaps the root file system of the mount namespace", PATH(new_root),
	            PATH(put_old)),
	ESCAPE_FILE(mount,
	            "mounts a file system over any path, hiding or replacing what rules refer to",
	            STR(source), PATH(target), STR(filesystemtype), LONG(mountflags), PTR(data)),
	ESCAPE_FILE(umount2, "unmounts a file system, uncovering what was under it", PATH(target),
	            INT(flags)),
	ESCAPE_FILE(open_tree, "clones a mount tree into a descriptor (new mount API)",
	            DIRFD(dirfd), PATH(path), INT(flags)),
	ESCAPE_FILE(move_mount, "attaches or moves a mount anywhere (new mount API)",
	            DIRFD(from_dirfd), PATH(from_path), DIRFD(to_dirfd), PATH(to_path), INT(flags)),
	ESCAPE_FILE(fspick, "reopens a mounted file system for reconfiguration (new mount API)",
	            DIRFD(dirfd), PATH(path), INT(flags)),
	ESCAPE_FILE(mount_setattr,
	            "changes mount flags such as read-only or noexec, or idmaps a mount",
	            DIRFD(dirfd), PATH(path), INT(flags), PTR(attr), LONG(size)),
	ESCAPE(fsopen, "creates a file system context to mount (new mount API)", STR(fsname),
	       INT(flags)),
	ESCAPE(fsconfig, "configures a file system context (new mount API)", FD(fd), INT(cmd),
	       STR(key), PTR(value), INT(aux)),
	ESCAPE(fsmount, "turns a file system context into a mount (new mount API)", FD(fd),
	       INT(flags), INT(attr_flags)),
	ESCAPE(setns, "joins another namespace: mount, pid, network, user...", FD(fd), INT(nstype)),
	/* unshare_flags is unsigned long and checked in full by the kernel. */
	ESCAPE(unshare, "creates namespaces; a user namespace grants capabilities inside it",
	       LONG(flags)),
	/* "Shocker" (2014): open_by_handle_at with a guessed handle opened any
	 * file of the host's root file system from inside a container. */
	ESCAPE(open_by_handle_at, "opens any file of a mount by handle, with no path to check",
	       FD(mount_fd), PTR(handle), OFLAGS(flags)),
	ESCAPE_FILE(name_to_handle_at,
	            "makes the file handles that open_by_handle_at opens without a path check",
	            DIRFD(dirfd), PATH(path), PTR(handle), PTR(mount_id), INT(flags)),

	/* Kernel code and hardware. */
	ESCAPE(init_module, "loads code into the kernel", PTR(module_image), LONG(len),
	       STR(param_values)),
	ESCAPE(finit_module, "loads code into the kernel from a file", FD(fd), STR(param_values),
	       INT(flags)),
	ESCAPE(delete_module, "unloads a kernel module", STR(name), INT(flags)),
	ESCAPE(kexec_load, "replaces the running kernel", LONG(entry), LONG(nr_segments),
	       PTR(segments), LONG(flags)),
	ESCAPE(kexec_file_load, "replaces the running kernel", FD(kernel_fd), FD(initrd_fd),
	       LONG(cmdline_len), STR(cmdline), LONG(flags)),
	ESCAPE(bpf, "loads programs into the kernel and reads or writes kernel maps", INT(cmd),
	       PTR(attr), INT(size)),
	ESCAPE(perf_event_open, "observes the kernel and other processes; a large attack surface",
	       PTR(attr), INT(pid), INT(cpu), FD(group_fd), LONG(flags)),
	ESCAPE(iopl, "gives raw access to all hardware I/O ports", INT(level)),
	ESCAPE(ioperm, "gives raw access to hardware I/O ports", LONG(from), LONG(num),
	       INT(turn_on)),

	/* io_uring runs I/O in kernel workers the seccomp filter never sees. A
	 * refused io_uring_setup says ENOSYS: liburing users (libuv, QEMU,
	 * RocksDB...) then fall back to epoll and threads. */
	ENTRY(io_uring_setup, VXE_SC_ESCAPE, ENOSYS,
	      "creates an io_uring, whose I/O the seccomp filter never sees", INT(entries), PTR(p)),
	ESCAPE(io_uring_enter, "submits io_uring I/O that the seccomp filter never sees", FD(fd),
	       INT(to_submit), INT(min_complete), INT(flags), PTR(argp), LONG(argsz)),
	ESCAPE(io_uring_register, "registers files and buffers with an io_uring", FD(fd),
	       INT(opcode), PTR(arg), INT(nr_args)),
	/* userfaultfd: ENOSYS, what a kernel without it says; QEMU, CRIU and
	 * garbage collectors take it as "not available" and do without. */
	ENTRY(userfaultfd, VXE_SC_ESCAPE, ENOSYS,
	      "stalls kernel page faults at will, widening kernel race windows", INT(flags)),

	/* Removed from Linux; kept ESCAPE for what they did, ENOSYS as today. */
	ENTRY(_sysctl, VXE_SC_ESCAPE, ENOSYS, "wrote kernel parameters (removed in Linux 5.5)",
	      PTR(args)),
	ENTRY(create_module, VXE_SC_ESCAPE, ENOSYS, "loaded kernel modules (removed in 2.6)",
	      STR(name), LONG(size)),
	ENTRY(get_kernel_syms, VXE_SC_ESCAPE, ENOSYS, "listed kernel symbols (removed in 2.6)",
	      PTR(table)),
	ENTRY(query_module, VXE_SC_ESCAPE, ENOSYS, "queried kernel modules (removed in 2.6)",
	      STR(name), INT(which), PTR(buf), LONG(bufsize), PTR(ret)),
	ENTRY(nfsservctl, VXE_SC_ESCAPE, ENOSYS, "controlled the NFS server (removed in 3.1)",
	      INT(cmd), PTR(argp), PTR(resp)),
	ENTRY(uselib, VXE_SC_ESCAPE | VXE_SC_FILE, ENOSYS,
	      "mapped an a.out library into the process (a.out support is gone)", PATH(path)),
	ENTRY(lookup_dcookie, VXE_SC_ESCAPE, ENOSYS,
	      "turned profiling cookies into kernel path names (removed in 6.7)", LONG(cookie),
	      PTR(buffer), LONG(len)),
};
/* clang-format on */

static int compare_name(const void *key, const void *elem)
{
	const struct vxe_syscall_info *info = elem;
	return strcmp(key, info->name);
}

const struct vxe_syscall_info *vxe_syscall_by_name(const char *name)
{
	if (!name)
		return NULL;
	return bsearch(name, syscalls, SYSCALL_COUNT, sizeof syscalls[0], compare_name);
}

const struct vxe_syscall_info *vxe_syscall_by_nr(int nr)
{
	if (nr < 0)
		return NULL;
	/* libseccomp returns a copy the caller frees. */
	char *name = seccomp_syscall_resolve_num_arch(SCMP_ARCH_X86_64, nr);
	if (!name)
		return NULL;
	const struct vxe_syscall_info *info = vxe_syscall_by_name(name);
	free(name);
	return info;
}

const struct vxe_syscall_info *vxe_syscall_at(unsigned i)
{
	return i < SYSCALL_COUNT ? &syscalls[i] : NULL;
}

int vxe_syscall_arg_index(const struct vxe_syscall_info *info, const char *name)
{
	if (!info || !name)
		return -1;
	for (unsigned i = 0; i < info->nargs && i < VXE_MAX_ARGS; i++)
		if (strcmp(info->args[i].name, name) == 0)
			return (int)i;
	return -1;
}

int vxe_syscall_nr(const char *name)
{
	char sys[64];
	if ((size_t)snprintf(sys, sizeof sys, "SYS_%s", name) >= sizeof sys)
		return -1;
	const struct vxe_const *c = vxe_const_by_name(sys);
	return c ? (int)c->value : -1;
}
