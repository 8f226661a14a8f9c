/* Named constants a VXED may use (see include/vxe/syscalls.h): one const
 * table in strcmp order, searched by bisection, values from the system headers
 * so they are what the kernel on this machine reads. Families are marked
 * where they begin; the order is by name, which keeps each family together.
 * tests/unit/test_syscalls.c checks the order and that no name repeats. */
#include "vxe/syscalls.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/kd.h>
#include <linux/vt.h>
#include <netinet/in.h>
#include <sched.h>
#include <signal.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <termios.h>
#include <unistd.h>

/* glibc defines O_LARGEFILE as 0 on x86_64, because the kernel forces it on
 * 64-bit; the bit a program may still pass is asm-generic/fcntl.h's. */
#define KERNEL_O_LARGEFILE 0100000

/* System calls newer than the installed <sys/syscall.h> (glibc 2.36 here);
 * numbers from the kernel's arch/x86/entry/syscalls/syscall_64.tbl, which
 * never change. The unit test checks every SYS_ value against libseccomp. */
#ifndef SYS_cachestat
#define SYS_cachestat 451
#endif
#ifndef SYS_fchmodat2
#define SYS_fchmodat2 452
#endif
#ifndef SYS_map_shadow_stack
#define SYS_map_shadow_stack 453
#endif
#ifndef SYS_futex_wake
#define SYS_futex_wake 454
#endif
#ifndef SYS_futex_wait
#define SYS_futex_wait 455
#endif
#ifndef SYS_futex_requeue
#define SYS_futex_requeue 456
#endif

/* Every errno name Linux defines (asm-generic/errno-base.h and errno.h), in
 * strcmp order. ALIAS marks a second name for a value that already has one
 * (EWOULDBLOCK is EAGAIN, EDEADLOCK is EDEADLK, ENOTSUP is EOPNOTSUPP): it
 * is looked up by name but never printed. */
/* clang-format off */
#define VXE_ERRNOS(E, ALIAS) \
	E(E2BIG) E(EACCES) E(EADDRINUSE) E(EADDRNOTAVAIL) E(EADV) E(EAFNOSUPPORT) E(EAGAIN) \
	E(EALREADY) E(EBADE) E(EBADF) E(EBADFD) E(EBADMSG) E(EBADR) E(EBADRQC) E(EBADSLT) \
	E(EBFONT) E(EBUSY) E(ECANCELED) E(ECHILD) E(ECHRNG) E(ECOMM) E(ECONNABORTED) \
	E(ECONNREFUSED) E(ECONNRESET) E(EDEADLK) ALIAS(EDEADLOCK) E(EDESTADDRREQ) E(EDOM) \
	E(EDOTDOT) E(EDQUOT) E(EEXIST) E(EFAULT) E(EFBIG) E(EHOSTDOWN) E(EHOSTUNREACH) \
	E(EHWPOISON) E(EIDRM) E(EILSEQ) E(EINPROGRESS) E(EINTR) E(EINVAL) E(EIO) E(EISCONN) \
	E(EISDIR) E(EISNAM) E(EKEYEXPIRED) E(EKEYREJECTED) E(EKEYREVOKED) E(EL2HLT) E(EL2NSYNC) \
	E(EL3HLT) E(EL3RST) E(ELIBACC) E(ELIBBAD) E(ELIBEXEC) E(ELIBMAX) E(ELIBSCN) E(ELNRNG) \
	E(ELOOP) E(EMEDIUMTYPE) E(EMFILE) E(EMLINK) E(EMSGSIZE) E(EMULTIHOP) E(ENAMETOOLONG) \
	E(ENAVAIL) E(ENETDOWN) E(ENETRESET) E(ENETUNREACH) E(ENFILE) E(ENOANO) E(ENOBUFS) \
	E(ENOCSI) E(ENODATA) E(ENODEV) E(ENOENT) E(ENOEXEC) E(ENOKEY) E(ENOLCK) E(ENOLINK) \
	E(ENOMEDIUM) E(ENOMEM) E(ENOMSG) E(ENONET) E(ENOPKG) E(ENOPROTOOPT) E(ENOSPC) E(ENOSR) \
	E(ENOSTR) E(ENOSYS) E(ENOTBLK) E(ENOTCONN) E(ENOTDIR) E(ENOTEMPTY) E(ENOTNAM) \
	E(ENOTRECOVERABLE) E(ENOTSOCK) ALIAS(ENOTSUP) E(ENOTTY) E(ENOTUNIQ) E(ENXIO) \
	E(EOPNOTSUPP) E(EOVERFLOW) E(EOWNERDEAD) E(EPERM) E(EPFNOSUPPORT) E(EPIPE) E(EPROTO) \
	E(EPROTONOSUPPORT) E(EPROTOTYPE) E(ERANGE) E(EREMCHG) E(EREMOTE) E(EREMOTEIO) \
	E(ERESTART) E(ERFKILL) E(EROFS) E(ESHUTDOWN) E(ESOCKTNOSUPPORT) E(ESPIPE) E(ESRCH) \
	E(ESRMNT) E(ESTALE) E(ESTRPIPE) E(ETIME) E(ETIMEDOUT) E(ETOOMANYREFS) E(ETXTBSY) \
	E(EUCLEAN) E(EUNATCH) E(EUSERS) ALIAS(EWOULDBLOCK) E(EXDEV) E(EXFULL)
/* clang-format on */

/* The tables are laid out by hand; clang-format would break the brace macros. */
/* clang-format off */
#define CONST(name)       {#name, name}
#define SYSNR(name)       {"SYS_" #name, SYS_##name}
/* Not CONST(name): an argument passed on is expanded, and #name would be 7. */
#define ERRNO_CONST(name) {#name, name},

static const struct vxe_const consts[] = {
	/* Address families: socket() domain. */
	CONST(AF_ALG), CONST(AF_APPLETALK), CONST(AF_ATMPVC), CONST(AF_ATMSVC), CONST(AF_AX25),
	CONST(AF_BLUETOOTH), CONST(AF_BRIDGE), CONST(AF_CAIF), CONST(AF_CAN), CONST(AF_IB),
	CONST(AF_IEEE802154), CONST(AF_INET), CONST(AF_INET6), CONST(AF_IPX), CONST(AF_KCM),
	CONST(AF_KEY), CONST(AF_LLC), CONST(AF_LOCAL), CONST(AF_MCTP), CONST(AF_MPLS),
	CONST(AF_NETLINK), CONST(AF_NETROM), CONST(AF_NFC), CONST(AF_PACKET), CONST(AF_PPPOX),
	CONST(AF_QIPCRTR), CONST(AF_RDS), CONST(AF_ROSE), CONST(AF_RXRPC), CONST(AF_SMC),
	CONST(AF_TIPC), CONST(AF_UNIX), CONST(AF_UNSPEC), CONST(AF_VSOCK), CONST(AF_X25),
	CONST(AF_XDP),
	/* *at() flags, and AT_FDCWD for a dirfd. */
	CONST(AT_EACCESS), CONST(AT_EMPTY_PATH), CONST(AT_FDCWD), CONST(AT_NO_AUTOMOUNT),
	CONST(AT_RECURSIVE), CONST(AT_REMOVEDIR), CONST(AT_STATX_DONT_SYNC),
	CONST(AT_STATX_FORCE_SYNC), CONST(AT_STATX_SYNC_AS_STAT), CONST(AT_STATX_SYNC_TYPE),
	CONST(AT_SYMLINK_FOLLOW), CONST(AT_SYMLINK_NOFOLLOW),
	/* clone() and unshare() flags; CSIGNAL masks the exit signal. */
	CONST(CLONE_CHILD_CLEARTID), CONST(CLONE_CHILD_SETTID), CONST(CLONE_DETACHED),
	CONST(CLONE_FILES), CONST(CLONE_FS), CONST(CLONE_IO), CONST(CLONE_NEWCGROUP),
	CONST(CLONE_NEWIPC), CONST(CLONE_NEWNET), CONST(CLONE_NEWNS), CONST(CLONE_NEWPID),
	CONST(CLONE_NEWTIME), CONST(CLONE_NEWUSER), CONST(CLONE_NEWUTS), CONST(CLONE_PARENT),
	CONST(CLONE_PARENT_SETTID), CONST(CLONE_PIDFD), CONST(CLONE_PTRACE), CONST(CLONE_SETTLS),
	CONST(CLONE_SIGHAND), CONST(CLONE_SYSVSEM), CONST(CLONE_THREAD), CONST(CLONE_UNTRACED),
	CONST(CLONE_VFORK), CONST(CLONE_VM), CONST(CSIGNAL),
	/* Every errno name Linux defines. */
	VXE_ERRNOS(ERRNO_CONST, ERRNO_CONST)
	/* fcntl F_SETFD flag. */
	CONST(FD_CLOEXEC),
	/* ioctl requests valid on any descriptor. */
	CONST(FIOASYNC), CONST(FIOCLEX), CONST(FIONBIO), CONST(FIONCLEX), CONST(FIONREAD),
	/* fcntl commands, seals and lock types; F_OK is an access() mode. */
	CONST(F_ADD_SEALS), CONST(F_DUPFD), CONST(F_DUPFD_CLOEXEC), CONST(F_GETFD), CONST(F_GETFL),
	CONST(F_GETLEASE), CONST(F_GETLK), CONST(F_GETOWN), CONST(F_GETOWN_EX),
	CONST(F_GETPIPE_SZ), CONST(F_GETSIG), CONST(F_GET_FILE_RW_HINT), CONST(F_GET_RW_HINT),
	CONST(F_GET_SEALS), CONST(F_NOTIFY), CONST(F_OFD_GETLK), CONST(F_OFD_SETLK),
	CONST(F_OFD_SETLKW), CONST(F_OK), CONST(F_RDLCK), CONST(F_SEAL_FUTURE_WRITE),
	CONST(F_SEAL_GROW), CONST(F_SEAL_SEAL), CONST(F_SEAL_SHRINK), CONST(F_SEAL_WRITE),
	CONST(F_SETFD), CONST(F_SETFL), CONST(F_SETLEASE), CONST(F_SETLK), CONST(F_SETLKW),
	CONST(F_SETOWN), CONST(F_SETOWN_EX), CONST(F_SETPIPE_SZ), CONST(F_SETSIG),
	CONST(F_SET_FILE_RW_HINT), CONST(F_SET_RW_HINT), CONST(F_UNLCK), CONST(F_WRLCK),
	/* IP protocols: socket() protocol, setsockopt() level. */
	CONST(IPPROTO_AH), CONST(IPPROTO_BEETPH), CONST(IPPROTO_COMP), CONST(IPPROTO_DCCP),
	CONST(IPPROTO_DSTOPTS), CONST(IPPROTO_EGP), CONST(IPPROTO_ENCAP), CONST(IPPROTO_ESP),
	CONST(IPPROTO_ETHERNET), CONST(IPPROTO_FRAGMENT), CONST(IPPROTO_GRE),
	CONST(IPPROTO_HOPOPTS), CONST(IPPROTO_ICMP), CONST(IPPROTO_ICMPV6), CONST(IPPROTO_IDP),
	CONST(IPPROTO_IGMP), CONST(IPPROTO_IP), CONST(IPPROTO_IPIP), CONST(IPPROTO_IPV6),
	CONST(IPPROTO_MH), CONST(IPPROTO_MPLS), CONST(IPPROTO_MPTCP), CONST(IPPROTO_MTP),
	CONST(IPPROTO_NONE), CONST(IPPROTO_PIM), CONST(IPPROTO_PUP), CONST(IPPROTO_RAW),
	CONST(IPPROTO_ROUTING), CONST(IPPROTO_RSVP), CONST(IPPROTO_SCTP), CONST(IPPROTO_TCP),
	CONST(IPPROTO_TP), CONST(IPPROTO_UDP), CONST(IPPROTO_UDPLITE),
	/* Console and keyboard ioctl requests (linux/kd.h): the ones that set
	 * key strings, key maps or the console's mode take the console over. */
	CONST(KDFONTOP), CONST(KDGETMODE), CONST(KDGKBENT), CONST(KDGKBMODE), CONST(KDGKBSENT),
	CONST(KDSETKEYCODE), CONST(KDSETMODE), CONST(KDSIGACCEPT), CONST(KDSKBENT),
	CONST(KDSKBMODE), CONST(KDSKBSENT),
	/* mmap flags. */
	CONST(MAP_32BIT), CONST(MAP_ANON), CONST(MAP_ANONYMOUS), CONST(MAP_DENYWRITE),
	CONST(MAP_EXECUTABLE), CONST(MAP_FILE), CONST(MAP_FIXED), CONST(MAP_FIXED_NOREPLACE),
	CONST(MAP_GROWSDOWN), CONST(MAP_HUGETLB), CONST(MAP_HUGE_MASK), CONST(MAP_HUGE_SHIFT),
	CONST(MAP_LOCKED), CONST(MAP_NONBLOCK), CONST(MAP_NORESERVE), CONST(MAP_POPULATE),
	CONST(MAP_PRIVATE), CONST(MAP_SHARED), CONST(MAP_SHARED_VALIDATE), CONST(MAP_STACK),
	CONST(MAP_SYNC), CONST(MAP_TYPE),
	/* umount2 flags (and UMOUNT_NOFOLLOW below). */
	CONST(MNT_DETACH), CONST(MNT_EXPIRE), CONST(MNT_FORCE),
	/* mount flags (MS_NOUSER left out: kernel-internal, and negative as an int). */
	CONST(MS_ACTIVE), CONST(MS_BIND), CONST(MS_DIRSYNC), CONST(MS_I_VERSION),
	CONST(MS_KERNMOUNT), CONST(MS_LAZYTIME), CONST(MS_MANDLOCK), CONST(MS_MOVE),
	CONST(MS_NOATIME), CONST(MS_NODEV), CONST(MS_NODIRATIME), CONST(MS_NOEXEC),
	CONST(MS_NOSUID), CONST(MS_NOSYMFOLLOW), CONST(MS_POSIXACL),
	CONST(MS_PRIVATE), CONST(MS_RDONLY), CONST(MS_REC), CONST(MS_RELATIME), CONST(MS_REMOUNT),
	CONST(MS_SHARED), CONST(MS_SILENT), CONST(MS_SLAVE), CONST(MS_STRICTATIME),
	CONST(MS_SYNCHRONOUS), CONST(MS_UNBINDABLE),
	/* open flags; O_LARGEFILE has the kernel value (glibc says 0 on x86_64). */
	CONST(O_ACCMODE), CONST(O_APPEND), CONST(O_ASYNC), CONST(O_CLOEXEC), CONST(O_CREAT),
	CONST(O_DIRECT), CONST(O_DIRECTORY), CONST(O_DSYNC), CONST(O_EXCL),
	{"O_LARGEFILE", KERNEL_O_LARGEFILE}, CONST(O_NDELAY), CONST(O_NOATIME), CONST(O_NOCTTY),
	CONST(O_NOFOLLOW), CONST(O_NONBLOCK), CONST(O_PATH), CONST(O_RDONLY), CONST(O_RDWR),
	CONST(O_RSYNC), CONST(O_SYNC), CONST(O_TMPFILE), CONST(O_TRUNC), CONST(O_WRONLY),
	/* mmap and mprotect protection. */
	CONST(PROT_EXEC), CONST(PROT_GROWSDOWN), CONST(PROT_GROWSUP), CONST(PROT_NONE),
	CONST(PROT_READ), CONST(PROT_WRITE),
	/* prctl options. */
	CONST(PR_CAPBSET_DROP), CONST(PR_CAPBSET_READ), CONST(PR_CAP_AMBIENT),
	CONST(PR_CAP_AMBIENT_CLEAR_ALL), CONST(PR_CAP_AMBIENT_IS_SET), CONST(PR_CAP_AMBIENT_LOWER),
	CONST(PR_CAP_AMBIENT_RAISE), CONST(PR_GET_CHILD_SUBREAPER), CONST(PR_GET_DUMPABLE),
	CONST(PR_GET_IO_FLUSHER), CONST(PR_GET_KEEPCAPS), CONST(PR_GET_NAME),
	CONST(PR_GET_NO_NEW_PRIVS), CONST(PR_GET_PDEATHSIG), CONST(PR_GET_SECCOMP),
	CONST(PR_GET_SECUREBITS), CONST(PR_GET_SPECULATION_CTRL), CONST(PR_GET_THP_DISABLE),
	CONST(PR_GET_TID_ADDRESS), CONST(PR_GET_TIMERSLACK), CONST(PR_GET_TIMING),
	CONST(PR_GET_TSC), CONST(PR_MCE_KILL), CONST(PR_MCE_KILL_GET), CONST(PR_SCHED_CORE),
	CONST(PR_SET_CHILD_SUBREAPER), CONST(PR_SET_DUMPABLE), CONST(PR_SET_IO_FLUSHER),
	CONST(PR_SET_KEEPCAPS), CONST(PR_SET_MM), CONST(PR_SET_NAME), CONST(PR_SET_NO_NEW_PRIVS),
	CONST(PR_SET_PDEATHSIG), CONST(PR_SET_PTRACER), CONST(PR_SET_PTRACER_ANY),
	CONST(PR_SET_SECCOMP), CONST(PR_SET_SECUREBITS), CONST(PR_SET_SPECULATION_CTRL),
	CONST(PR_SET_SYSCALL_USER_DISPATCH), CONST(PR_SET_THP_DISABLE), CONST(PR_SET_TIMERSLACK),
	CONST(PR_SET_TIMING), CONST(PR_SET_TSC), CONST(PR_SET_VMA),
	CONST(PR_TASK_PERF_EVENTS_DISABLE), CONST(PR_TASK_PERF_EVENTS_ENABLE),
	/* renameat2 flags. */
	CONST(RENAME_EXCHANGE), CONST(RENAME_NOREPLACE), CONST(RENAME_WHITEOUT),
	/* access() modes: R_OK here, F_OK, W_OK and X_OK in their places. */
	CONST(R_OK),
	/* lseek whence. */
	CONST(SEEK_CUR), CONST(SEEK_DATA), CONST(SEEK_END), CONST(SEEK_HOLE), CONST(SEEK_SET),
	/* shutdown how. */
	CONST(SHUT_RD), CONST(SHUT_RDWR), CONST(SHUT_WR),
	/* Signals. SIGRTMIN/SIGRTMAX are left out: glibc reserves some real-time
	 * signals and computes SIGRTMIN at run time, so no constant is right. */
	CONST(SIGABRT), CONST(SIGALRM), CONST(SIGBUS), CONST(SIGCHLD), CONST(SIGCONT),
	CONST(SIGFPE), CONST(SIGHUP), CONST(SIGILL), CONST(SIGINT), CONST(SIGIO), CONST(SIGIOT),
	CONST(SIGKILL), CONST(SIGPIPE), CONST(SIGPOLL), CONST(SIGPROF), CONST(SIGPWR),
	CONST(SIGQUIT), CONST(SIGSEGV), CONST(SIGSTKFLT), CONST(SIGSTOP), CONST(SIGSYS),
	CONST(SIGTERM), CONST(SIGTRAP), CONST(SIGTSTP), CONST(SIGTTIN), CONST(SIGTTOU),
	CONST(SIGURG), CONST(SIGUSR1), CONST(SIGUSR2), CONST(SIGVTALRM), CONST(SIGWINCH),
	CONST(SIGXCPU), CONST(SIGXFSZ),
	/* Socket types and type flags. */
	CONST(SOCK_CLOEXEC), CONST(SOCK_DCCP), CONST(SOCK_DGRAM), CONST(SOCK_NONBLOCK),
	CONST(SOCK_PACKET), CONST(SOCK_RAW), CONST(SOCK_RDM), CONST(SOCK_SEQPACKET),
	CONST(SOCK_STREAM),
	/* x86_64 system call numbers. */
	SYSNR(_sysctl), SYSNR(accept), SYSNR(accept4), SYSNR(access), SYSNR(acct), SYSNR(add_key),
	SYSNR(adjtimex), SYSNR(afs_syscall), SYSNR(alarm), SYSNR(arch_prctl), SYSNR(bind),
	SYSNR(bpf), SYSNR(brk), SYSNR(cachestat), SYSNR(capget), SYSNR(capset), SYSNR(chdir),
	SYSNR(chmod), SYSNR(chown), SYSNR(chroot), SYSNR(clock_adjtime), SYSNR(clock_getres),
	SYSNR(clock_gettime), SYSNR(clock_nanosleep), SYSNR(clock_settime), SYSNR(clone),
	SYSNR(clone3), SYSNR(close), SYSNR(close_range), SYSNR(connect), SYSNR(copy_file_range),
	SYSNR(creat), SYSNR(create_module), SYSNR(delete_module), SYSNR(dup), SYSNR(dup2),
	SYSNR(dup3), SYSNR(epoll_create), SYSNR(epoll_create1), SYSNR(epoll_ctl),
	SYSNR(epoll_ctl_old), SYSNR(epoll_pwait), SYSNR(epoll_pwait2), SYSNR(epoll_wait),
	SYSNR(epoll_wait_old), SYSNR(eventfd), SYSNR(eventfd2), SYSNR(execve), SYSNR(execveat),
	SYSNR(exit), SYSNR(exit_group), SYSNR(faccessat), SYSNR(faccessat2), SYSNR(fadvise64),
	SYSNR(fallocate), SYSNR(fanotify_init), SYSNR(fanotify_mark), SYSNR(fchdir), SYSNR(fchmod),
	SYSNR(fchmodat), SYSNR(fchmodat2), SYSNR(fchown), SYSNR(fchownat), SYSNR(fcntl),
	SYSNR(fdatasync), SYSNR(fgetxattr), SYSNR(finit_module), SYSNR(flistxattr), SYSNR(flock),
	SYSNR(fork), SYSNR(fremovexattr), SYSNR(fsconfig), SYSNR(fsetxattr), SYSNR(fsmount),
	SYSNR(fsopen), SYSNR(fspick), SYSNR(fstat), SYSNR(fstatfs), SYSNR(fsync), SYSNR(ftruncate),
	SYSNR(futex), SYSNR(futex_requeue), SYSNR(futex_wait), SYSNR(futex_waitv),
	SYSNR(futex_wake), SYSNR(futimesat), SYSNR(get_kernel_syms), SYSNR(get_mempolicy),
	SYSNR(get_robust_list), SYSNR(get_thread_area), SYSNR(getcpu), SYSNR(getcwd),
	SYSNR(getdents), SYSNR(getdents64), SYSNR(getegid), SYSNR(geteuid), SYSNR(getgid),
	SYSNR(getgroups), SYSNR(getitimer), SYSNR(getpeername), SYSNR(getpgid), SYSNR(getpgrp),
	SYSNR(getpid), SYSNR(getpmsg), SYSNR(getppid), SYSNR(getpriority), SYSNR(getrandom),
	SYSNR(getresgid), SYSNR(getresuid), SYSNR(getrlimit), SYSNR(getrusage), SYSNR(getsid),
	SYSNR(getsockname), SYSNR(getsockopt), SYSNR(gettid), SYSNR(gettimeofday), SYSNR(getuid),
	SYSNR(getxattr), SYSNR(init_module), SYSNR(inotify_add_watch), SYSNR(inotify_init),
	SYSNR(inotify_init1), SYSNR(inotify_rm_watch), SYSNR(io_cancel), SYSNR(io_destroy),
	SYSNR(io_getevents), SYSNR(io_pgetevents), SYSNR(io_setup), SYSNR(io_submit),
	SYSNR(io_uring_enter), SYSNR(io_uring_register), SYSNR(io_uring_setup), SYSNR(ioctl),
	SYSNR(ioperm), SYSNR(iopl), SYSNR(ioprio_get), SYSNR(ioprio_set), SYSNR(kcmp),
	SYSNR(kexec_file_load), SYSNR(kexec_load), SYSNR(keyctl), SYSNR(kill),
	SYSNR(landlock_add_rule), SYSNR(landlock_create_ruleset), SYSNR(landlock_restrict_self),
	SYSNR(lchown), SYSNR(lgetxattr), SYSNR(link), SYSNR(linkat), SYSNR(listen),
	SYSNR(listxattr), SYSNR(llistxattr), SYSNR(lookup_dcookie), SYSNR(lremovexattr),
	SYSNR(lseek), SYSNR(lsetxattr), SYSNR(lstat), SYSNR(madvise), SYSNR(map_shadow_stack),
	SYSNR(mbind), SYSNR(membarrier), SYSNR(memfd_create), SYSNR(memfd_secret),
	SYSNR(migrate_pages), SYSNR(mincore), SYSNR(mkdir), SYSNR(mkdirat), SYSNR(mknod),
	SYSNR(mknodat), SYSNR(mlock), SYSNR(mlock2), SYSNR(mlockall), SYSNR(mmap),
	SYSNR(modify_ldt), SYSNR(mount), SYSNR(mount_setattr), SYSNR(move_mount),
	SYSNR(move_pages), SYSNR(mprotect), SYSNR(mq_getsetattr), SYSNR(mq_notify), SYSNR(mq_open),
	SYSNR(mq_timedreceive), SYSNR(mq_timedsend), SYSNR(mq_unlink), SYSNR(mremap),
	SYSNR(msgctl), SYSNR(msgget), SYSNR(msgrcv), SYSNR(msgsnd), SYSNR(msync), SYSNR(munlock),
	SYSNR(munlockall), SYSNR(munmap), SYSNR(name_to_handle_at), SYSNR(nanosleep),
	SYSNR(newfstatat), SYSNR(nfsservctl), SYSNR(open), SYSNR(open_by_handle_at),
	SYSNR(open_tree), SYSNR(openat), SYSNR(openat2), SYSNR(pause), SYSNR(perf_event_open),
	SYSNR(personality), SYSNR(pidfd_getfd), SYSNR(pidfd_open), SYSNR(pidfd_send_signal),
	SYSNR(pipe), SYSNR(pipe2), SYSNR(pivot_root), SYSNR(pkey_alloc), SYSNR(pkey_free),
	SYSNR(pkey_mprotect), SYSNR(poll), SYSNR(ppoll), SYSNR(prctl), SYSNR(pread64),
	SYSNR(preadv), SYSNR(preadv2), SYSNR(prlimit64), SYSNR(process_madvise),
	SYSNR(process_mrelease), SYSNR(process_vm_readv), SYSNR(process_vm_writev),
	SYSNR(pselect6), SYSNR(ptrace), SYSNR(putpmsg), SYSNR(pwrite64), SYSNR(pwritev),
	SYSNR(pwritev2), SYSNR(query_module), SYSNR(quotactl), SYSNR(quotactl_fd), SYSNR(read),
	SYSNR(readahead), SYSNR(readlink), SYSNR(readlinkat), SYSNR(readv), SYSNR(reboot),
	SYSNR(recvfrom), SYSNR(recvmmsg), SYSNR(recvmsg), SYSNR(remap_file_pages),
	SYSNR(removexattr), SYSNR(rename), SYSNR(renameat), SYSNR(renameat2), SYSNR(request_key),
	SYSNR(restart_syscall), SYSNR(rmdir), SYSNR(rseq), SYSNR(rt_sigaction),
	SYSNR(rt_sigpending), SYSNR(rt_sigprocmask), SYSNR(rt_sigqueueinfo), SYSNR(rt_sigreturn),
	SYSNR(rt_sigsuspend), SYSNR(rt_sigtimedwait), SYSNR(rt_tgsigqueueinfo),
	SYSNR(sched_get_priority_max), SYSNR(sched_get_priority_min), SYSNR(sched_getaffinity),
	SYSNR(sched_getattr), SYSNR(sched_getparam), SYSNR(sched_getscheduler),
	SYSNR(sched_rr_get_interval), SYSNR(sched_setaffinity), SYSNR(sched_setattr),
	SYSNR(sched_setparam), SYSNR(sched_setscheduler), SYSNR(sched_yield), SYSNR(seccomp),
	SYSNR(security), SYSNR(select), SYSNR(semctl), SYSNR(semget), SYSNR(semop),
	SYSNR(semtimedop), SYSNR(sendfile), SYSNR(sendmmsg), SYSNR(sendmsg), SYSNR(sendto),
	SYSNR(set_mempolicy), SYSNR(set_mempolicy_home_node), SYSNR(set_robust_list),
	SYSNR(set_thread_area), SYSNR(set_tid_address), SYSNR(setdomainname), SYSNR(setfsgid),
	SYSNR(setfsuid), SYSNR(setgid), SYSNR(setgroups), SYSNR(sethostname), SYSNR(setitimer),
	SYSNR(setns), SYSNR(setpgid), SYSNR(setpriority), SYSNR(setregid), SYSNR(setresgid),
	SYSNR(setresuid), SYSNR(setreuid), SYSNR(setrlimit), SYSNR(setsid), SYSNR(setsockopt),
	SYSNR(settimeofday), SYSNR(setuid), SYSNR(setxattr), SYSNR(shmat), SYSNR(shmctl),
	SYSNR(shmdt), SYSNR(shmget), SYSNR(shutdown), SYSNR(sigaltstack), SYSNR(signalfd),
	SYSNR(signalfd4), SYSNR(socket), SYSNR(socketpair), SYSNR(splice), SYSNR(stat),
	SYSNR(statfs), SYSNR(statx), SYSNR(swapoff), SYSNR(swapon), SYSNR(symlink),
	SYSNR(symlinkat), SYSNR(sync), SYSNR(sync_file_range), SYSNR(syncfs), SYSNR(sysfs),
	SYSNR(sysinfo), SYSNR(syslog), SYSNR(tee), SYSNR(tgkill), SYSNR(time), SYSNR(timer_create),
	SYSNR(timer_delete), SYSNR(timer_getoverrun), SYSNR(timer_gettime), SYSNR(timer_settime),
	SYSNR(timerfd_create), SYSNR(timerfd_gettime), SYSNR(timerfd_settime), SYSNR(times),
	SYSNR(tkill), SYSNR(truncate), SYSNR(tuxcall), SYSNR(umask), SYSNR(umount2), SYSNR(uname),
	SYSNR(unlink), SYSNR(unlinkat), SYSNR(unshare), SYSNR(uselib), SYSNR(userfaultfd),
	SYSNR(ustat), SYSNR(utime), SYSNR(utimensat), SYSNR(utimes), SYSNR(vfork), SYSNR(vhangup),
	SYSNR(vmsplice), SYSNR(vserver), SYSNR(wait4), SYSNR(waitid), SYSNR(write), SYSNR(writev),
	/* File type and mode bits. */
	CONST(S_IFBLK), CONST(S_IFCHR), CONST(S_IFDIR), CONST(S_IFIFO), CONST(S_IFLNK),
	CONST(S_IFMT), CONST(S_IFREG), CONST(S_IFSOCK), CONST(S_IRGRP), CONST(S_IROTH),
	CONST(S_IRUSR), CONST(S_IRWXG), CONST(S_IRWXO), CONST(S_IRWXU), CONST(S_ISGID),
	CONST(S_ISUID), CONST(S_ISVTX), CONST(S_IWGRP), CONST(S_IWOTH), CONST(S_IWUSR),
	CONST(S_IXGRP), CONST(S_IXOTH), CONST(S_IXUSR),
	/* Terminal ioctl requests; TIOCSTI and TIOCLINUX push input into a
	 * terminal (SPEC 5.5). */
	CONST(TCFLSH), CONST(TCGETS), CONST(TCSBRK), CONST(TCSETS), CONST(TCSETSF), CONST(TCSETSW),
	CONST(TCXONC), CONST(TIOCCONS), CONST(TIOCEXCL), CONST(TIOCGETD), CONST(TIOCGPGRP),
	CONST(TIOCGPTN), CONST(TIOCGPTPEER), CONST(TIOCGSID), CONST(TIOCGWINSZ), CONST(TIOCLINUX),
	CONST(TIOCMGET), CONST(TIOCMSET), CONST(TIOCNOTTY), CONST(TIOCNXCL), CONST(TIOCOUTQ),
	CONST(TIOCSCTTY), CONST(TIOCSETD), CONST(TIOCSIG), CONST(TIOCSPGRP), CONST(TIOCSPTLCK),
	CONST(TIOCSTI), CONST(TIOCSWINSZ), CONST(TIOCVHANGUP), CONST(UMOUNT_NOFOLLOW),
	/* Virtual terminal ioctl requests (linux/vt.h). */
	CONST(VT_ACTIVATE), CONST(VT_DISALLOCATE), CONST(VT_GETMODE), CONST(VT_GETSTATE),
	CONST(VT_LOCKSWITCH), CONST(VT_OPENQRY), CONST(VT_RELDISP), CONST(VT_RESIZE),
	CONST(VT_RESIZEX), CONST(VT_SETACTIVATE), CONST(VT_SETMODE), CONST(VT_UNLOCKSWITCH),
	CONST(VT_WAITACTIVE),
	/* wait4/waitid options. */
	CONST(WCONTINUED), CONST(WEXITED), CONST(WNOHANG), CONST(WNOWAIT), CONST(WSTOPPED),
	CONST(WUNTRACED), CONST(W_OK), CONST(X_OK),
};
/* clang-format on */

#define CONST_COUNT (sizeof consts / sizeof consts[0])

/* The errno names alone, for vxe_errno_by_name: a constant that merely starts
 * with E (EPOLLIN, say, if one is added) must not pass for an errno. */
static const struct vxe_const errnos[] = {VXE_ERRNOS(ERRNO_CONST, ERRNO_CONST)};

#define ERRNO_NAME(name) [name] = #name,
#define ERRNO_SKIP(name)
/* Indexed by value; NULL where Linux defines no errno. */
static const char *const errno_names[] = {VXE_ERRNOS(ERRNO_NAME, ERRNO_SKIP)};

static int compare_const(const void *key, const void *elem)
{
	const struct vxe_const *c = elem;
	return strcmp(key, c->name);
}

const struct vxe_const *vxe_const_at(unsigned i)
{
	return i < CONST_COUNT ? &consts[i] : NULL;
}

const struct vxe_const *vxe_const_by_name(const char *name)
{
	if (!name)
		return NULL;
	return bsearch(name, consts, CONST_COUNT, sizeof consts[0], compare_const);
}

int vxe_errno_by_name(const char *name)
{
	if (!name)
		return -1;
	const struct vxe_const *c = bsearch(name, errnos, sizeof errnos / sizeof errnos[0],
					    sizeof errnos[0], compare_const);
	return c ? (int)c->value : -1;
}

const char *vxe_errno_name(int err)
{
	if (err <= 0 || (unsigned)err >= sizeof errno_names / sizeof errno_names[0])
		return NULL;
	return errno_names[err];
}

/* Flags in the order vxe_open_flags_str prints them, lowest bit first. A name
 * of several bits comes before its parts and is printed only when all are set:
 * O_SYNC is __O_SYNC|O_DSYNC, O_TMPFILE is __O_TMPFILE|O_DIRECTORY. */
/* clang-format off */
static const struct {
	const char *name;
	uint32_t mask;
} open_flag_names[] = {
	{"O_CREAT", O_CREAT}, {"O_EXCL", O_EXCL}, {"O_NOCTTY", O_NOCTTY}, {"O_TRUNC", O_TRUNC},
	{"O_APPEND", O_APPEND}, {"O_NONBLOCK", O_NONBLOCK}, {"O_SYNC", O_SYNC},
	{"O_DSYNC", O_DSYNC}, {"O_ASYNC", O_ASYNC}, {"O_DIRECT", O_DIRECT},
	{"O_LARGEFILE", KERNEL_O_LARGEFILE}, {"O_TMPFILE", O_TMPFILE},
	{"O_DIRECTORY", O_DIRECTORY}, {"O_NOFOLLOW", O_NOFOLLOW}, {"O_NOATIME", O_NOATIME},
	{"O_CLOEXEC", O_CLOEXEC}, {"O_PATH", O_PATH},
};
/* clang-format on */

/* Appends to buf as far as it goes; *len counts what was wanted, so the
 * caller can tell truncation, and buf stays NUL-terminated. */
__attribute__((format(printf, 4, 5))) static void append(char *buf, unsigned long size,
							 unsigned long *len, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	unsigned long off = *len < size ? *len : size;
	int n = vsnprintf(buf + off, size - off, fmt, ap);
	va_end(ap);
	if (n > 0)
		*len += (unsigned long)n;
}

void vxe_open_flags_str(int64_t flags, char *buf, unsigned long size)
{
	if (!buf || size == 0)
		return;
	buf[0] = '\0';
	/* The kernel reads open flags as an int: the high half means nothing. */
	uint32_t f = (uint32_t)flags;
	static const char *const access_modes[] = {"O_RDONLY", "O_WRONLY", "O_RDWR", "O_ACCMODE"};
	unsigned long len = 0;
	append(buf, size, &len, "%s", access_modes[f & O_ACCMODE]);
	f &= ~(uint32_t)O_ACCMODE;
	for (size_t i = 0; i < sizeof open_flag_names / sizeof open_flag_names[0]; i++) {
		uint32_t m = open_flag_names[i].mask;
		if ((f & m) == m) {
			append(buf, size, &len, "|%s", open_flag_names[i].name);
			f &= ~m;
		}
	}
	if (f)
		append(buf, size, &len, "|0x%x", (unsigned)f);
}
