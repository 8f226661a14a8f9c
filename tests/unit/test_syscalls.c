/* The syscall and constant tables: sorted for bisection, complete against
 * libseccomp, and right where a policy depends on them. */
#include "tap.h"
#include "vxe/syscalls.h"

#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <sched.h>
#include <seccomp.h>
#include <signal.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/socket.h>

/* Beyond the highest x86_64 number today (456), with room for growth. */
#define MAX_NR 1024

static unsigned count_syscalls(void)
{
	unsigned n = 0;
	while (vxe_syscall_at(n))
		n++;
	return n;
}

static void test_syscall_table_order(void)
{
	unsigned n = count_syscalls();
	tap_ok(n > 300, "syscall table has %u entries", n);
	int sorted = 1, complete = 1;
	for (unsigned i = 0; i < n; i++) {
		const struct vxe_syscall_info *s = vxe_syscall_at(i);
		if (!s->name) {
			/* An index in enum syscall_index without its entry. */
			tap_diag("slot %u has no entry", i);
			complete = 0;
			continue;
		}
		const struct vxe_syscall_info *prev = i ? vxe_syscall_at(i - 1) : NULL;
		if (prev && prev->name && strcmp(prev->name, s->name) >= 0) {
			tap_diag("'%s' before '%s'", prev->name, s->name);
			sorted = 0;
		}
	}
	tap_ok(complete, "every slot of the syscall table is filled");
	tap_ok(sorted, "syscall table strictly sorted by name (no duplicates)");
	int found = 1;
	for (unsigned i = 0; i < n; i++) {
		const struct vxe_syscall_info *s = vxe_syscall_at(i);
		if (s->name && vxe_syscall_by_name(s->name) != s) {
			tap_diag("by_name misses '%s'", s->name);
			found = 0;
		}
	}
	tap_ok(found, "vxe_syscall_by_name finds every entry");
	tap_ok(vxe_syscall_by_name("no_such_call") == NULL, "unknown name: NULL");
	tap_ok(vxe_syscall_by_name("") == NULL, "empty name: NULL");
	tap_ok(vxe_syscall_by_name(NULL) == NULL, "NULL name: NULL");
	tap_ok(vxe_syscall_at(n) == NULL, "vxe_syscall_at past the end: NULL");
}

static void test_syscall_table_complete(void)
{
	int all = 1, by_nr = 1;
	unsigned known = 0;
	for (int nr = 0; nr < MAX_NR; nr++) {
		char *name = seccomp_syscall_resolve_num_arch(SCMP_ARCH_X86_64, nr);
		if (!name)
			continue;
		known++;
		const struct vxe_syscall_info *s = vxe_syscall_by_name(name);
		if (!s) {
			tap_diag("no entry for %s (%d)", name, nr);
			all = 0;
		}
		if (vxe_syscall_by_nr(nr) != s) {
			tap_diag("vxe_syscall_by_nr(%d) is not %s", nr, name);
			by_nr = 0;
		}
		free(name);
	}
	tap_ok(known > 300, "libseccomp knows %u x86_64 syscalls", known);
	tap_ok(all, "every syscall libseccomp knows has an entry");
	tap_ok(by_nr, "vxe_syscall_by_nr agrees with the name lookup");
	tap_ok(vxe_syscall_by_nr(-1) == NULL, "vxe_syscall_by_nr(-1): NULL");
	tap_ok(vxe_syscall_by_nr(MAX_NR + 100000) == NULL, "vxe_syscall_by_nr(huge): NULL");

	/* And no entry that libseccomp cannot number: the filter could not use it. */
	int numbered = 1;
	for (unsigned i = 0; vxe_syscall_at(i); i++) {
		const char *name = vxe_syscall_at(i)->name;
		if (name && seccomp_syscall_resolve_name_arch(SCMP_ARCH_X86_64, name) < 0) {
			tap_diag("%s has no x86_64 number", name);
			numbered = 0;
		}
	}
	tap_ok(numbered, "every entry has an x86_64 number");
}

static void test_syscall_entries_sane(void)
{
	int nargs_ok = 1, args_ok = 1, why_ok = 1, names_ok = 1, errno_ok = 1, probe_ok = 1;
	unsigned escape = 0, harmless = 0, file = 0;
	const unsigned all_classes =
	    VXE_SC_FILE | VXE_SC_EXEC | VXE_SC_NET | VXE_SC_ESCAPE | VXE_SC_PROBE | VXE_SC_HARMLESS;
	for (unsigned i = 0; vxe_syscall_at(i); i++) {
		const struct vxe_syscall_info *s = vxe_syscall_at(i);
		if (!s->name)
			continue;
		if (s->nargs > VXE_MAX_ARGS) {
			tap_diag("%s: %u args", s->name, s->nargs);
			nargs_ok = 0;
			continue;
		}
		for (unsigned a = 0; a < VXE_MAX_ARGS; a++) {
			const struct vxe_sysarg *arg = &s->args[a];
			int used = a < s->nargs;
			if (used != (arg->name != NULL) || used != (arg->type != VXE_ARG_NONE) ||
			    arg->type > VXE_ARG_PTR) {
				tap_diag("%s: argument %u malformed", s->name, a);
				args_ok = 0;
			}
			for (unsigned b = 0; used && b < a; b++)
				if (strcmp(s->args[b].name, arg->name) == 0) {
					tap_diag("%s: two arguments named %s", s->name, arg->name);
					names_ok = 0;
				}
			if (used && vxe_syscall_arg_index(s, arg->name) != (int)a)
				names_ok = 0;
			/* A SOCKADDR is followed by its length. */
			if (used && arg->type == VXE_ARG_SOCKADDR &&
			    (a + 1 >= s->nargs || s->args[a + 1].type != VXE_ARG_INT32)) {
				tap_diag("%s: sockaddr %s without a length after it", s->name,
					 arg->name);
				args_ok = 0;
			}
		}
		if (s->classes & ~all_classes) {
			tap_diag("%s: unknown class bits %#x", s->name, s->classes);
			args_ok = 0;
		}
		if ((s->classes & VXE_SC_ESCAPE) && (!s->why || !*s->why)) {
			tap_diag("%s is ESCAPE without a why", s->name);
			why_ok = 0;
		}
		if (!(s->classes & VXE_SC_ESCAPE) && s->why) {
			tap_diag("%s has a why but is not ESCAPE", s->name);
			why_ok = 0;
		}
		if (s->refuse_errno < 0 || (s->refuse_errno && !vxe_errno_name(s->refuse_errno))) {
			tap_diag("%s: refuse_errno %d", s->name, s->refuse_errno);
			errno_ok = 0;
		}
		if ((s->classes & VXE_SC_PROBE) && s->refuse_errno != ENOSYS) {
			tap_diag("%s is PROBE but refused with %d", s->name, s->refuse_errno);
			probe_ok = 0;
		}
		if ((s->classes & VXE_SC_HARMLESS) &&
		    (s->classes & (VXE_SC_FILE | VXE_SC_EXEC | VXE_SC_NET | VXE_SC_ESCAPE))) {
			tap_diag("%s is HARMLESS and risky at once", s->name);
			probe_ok = 0;
		}
		int has_path = 0;
		for (unsigned a = 0; a < s->nargs; a++)
			has_path |= s->args[a].type == VXE_ARG_PATH;
		if (has_path && !(s->classes & VXE_SC_FILE)) {
			tap_diag("%s takes a path but is not FILE", s->name);
			probe_ok = 0;
		}
		if ((s->classes & VXE_SC_HARMLESS) && has_path)
			probe_ok = 0;
		escape += !!(s->classes & VXE_SC_ESCAPE);
		harmless += !!(s->classes & VXE_SC_HARMLESS);
		file += !!(s->classes & VXE_SC_FILE);
	}
	tap_ok(nargs_ok, "no entry has more than %d arguments", VXE_MAX_ARGS);
	tap_ok(args_ok, "arguments: exactly nargs named and typed, classes known");
	tap_ok(names_ok, "argument names unique per call and found by vxe_syscall_arg_index");
	tap_ok(why_ok, "every ESCAPE entry has a why, and only those");
	tap_ok(errno_ok, "every refuse_errno is 0 or a known errno");
	tap_ok(probe_ok, "classes consistent (PROBE->ENOSYS, paths->FILE, HARMLESS alone)");
	tap_diag("%u ESCAPE, %u HARMLESS, %u FILE", escape, harmless, file);
	tap_ok(escape >= 40, "at least 40 ESCAPE entries (%u)", escape);
}

static void check_arg(const char *call, unsigned i, const char *name, enum vxe_argtype type)
{
	const struct vxe_syscall_info *s = vxe_syscall_by_name(call);
	int ok = s && i < s->nargs && strcmp(s->args[i].name, name) == 0 && s->args[i].type == type;
	tap_ok(ok, "%s argument %u is %s of type %d", call, i, name, type);
	if (!ok && s && i < s->nargs)
		tap_diag("got %s of type %d", s->args[i].name, s->args[i].type);
}

static void check_class(const char *call, unsigned cls, int refuse_errno)
{
	const struct vxe_syscall_info *s = vxe_syscall_by_name(call);
	int ok = s && (s->classes & cls) == cls && s->refuse_errno == refuse_errno;
	tap_ok(ok, "%s has classes %#x, refused with %d", call, cls, refuse_errno);
	if (!ok && s)
		tap_diag("got classes %#x, refuse_errno %d", s->classes, s->refuse_errno);
}

static void test_syscall_spot_checks(void)
{
	const struct vxe_syscall_info *openat = vxe_syscall_by_name("openat");
	tap_ok(openat && openat->nargs == 4, "openat has 4 arguments");
	check_arg("openat", 0, "dirfd", VXE_ARG_DIRFD);
	check_arg("openat", 1, "path", VXE_ARG_PATH);
	check_arg("openat", 2, "flags", VXE_ARG_OPENFLAGS);
	check_arg("openat", 3, "mode", VXE_ARG_MODE);
	tap_ok(vxe_syscall_arg_index(openat, "flags") == 2, "arg_index(openat, flags) == 2");
	tap_ok(vxe_syscall_arg_index(openat, "nope") == -1, "arg_index of unknown name: -1");
	tap_ok(vxe_syscall_arg_index(NULL, "flags") == -1, "arg_index(NULL, ...): -1");
	check_arg("open", 0, "path", VXE_ARG_PATH);
	check_arg("open", 1, "flags", VXE_ARG_OPENFLAGS);
	check_arg("socket", 0, "domain", VXE_ARG_INT32);
	check_arg("socket", 1, "type", VXE_ARG_INT32);
	check_arg("socket", 2, "protocol", VXE_ARG_INT32);
	check_arg("connect", 0, "sockfd", VXE_ARG_FD);
	check_arg("connect", 1, "addr", VXE_ARG_SOCKADDR);
	check_arg("connect", 2, "addrlen", VXE_ARG_INT32);
	check_arg("sendto", 4, "dest_addr", VXE_ARG_SOCKADDR);
	check_arg("accept", 1, "addr", VXE_ARG_PTR);
	check_arg("clone", 0, "flags", VXE_ARG_INT32);
	check_arg("clone", 1, "stack", VXE_ARG_PTR);
	check_arg("clone", 2, "parent_tid", VXE_ARG_PTR);
	check_arg("clone", 3, "child_tid", VXE_ARG_PTR);
	check_arg("clone", 4, "tls", VXE_ARG_INT64);
	check_arg("ioctl", 0, "fd", VXE_ARG_FD);
	check_arg("ioctl", 1, "request", VXE_ARG_INT32);
	check_arg("ioctl", 2, "arg", VXE_ARG_INT64);
	check_arg("mmap", 0, "addr", VXE_ARG_INT64);
	check_arg("mmap", 2, "prot", VXE_ARG_INT64);
	check_arg("mmap", 4, "fd", VXE_ARG_FD);
	check_arg("mmap", 5, "offset", VXE_ARG_INT64);
	check_arg("execve", 0, "path", VXE_ARG_PATH);
	check_arg("execve", 1, "argv", VXE_ARG_PTR);
	check_arg("execve", 2, "envp", VXE_ARG_PTR);
	check_arg("renameat2", 1, "oldpath", VXE_ARG_PATH);
	check_arg("renameat2", 3, "newpath", VXE_ARG_PATH);
	check_arg("renameat2", 4, "flags", VXE_ARG_INT32);
	check_arg("symlinkat", 0, "target", VXE_ARG_PATH);
	check_arg("symlinkat", 2, "linkpath", VXE_ARG_PATH);
	check_arg("readlink", 2, "bufsiz", VXE_ARG_INT32);
	/* preadv2's flags sit after the unused high half of the offset. */
	check_arg("preadv2", 5, "flags", VXE_ARG_INT32);
	check_arg("unshare", 0, "flags", VXE_ARG_INT64);
	check_arg("mount", 1, "target", VXE_ARG_PATH);
	check_arg("mount", 2, "filesystemtype", VXE_ARG_STR);
	tap_ok(vxe_syscall_by_name("getpid")->nargs == 0, "getpid takes no arguments");

	check_class("socket", VXE_SC_NET, EAFNOSUPPORT);
	check_class("connect", VXE_SC_NET, 0);
	check_class("clone3", VXE_SC_PROBE, ENOSYS);
	check_class("read", VXE_SC_HARMLESS, 0);
	check_class("getpid", VXE_SC_HARMLESS, 0);
	check_class("ptrace", VXE_SC_ESCAPE, 0);
	check_class("io_uring_setup", VXE_SC_ESCAPE, ENOSYS);
	check_class("userfaultfd", VXE_SC_ESCAPE, ENOSYS);
	check_class("open_by_handle_at", VXE_SC_ESCAPE, 0);
	check_class("mount", VXE_SC_ESCAPE | VXE_SC_FILE, 0);
	check_class("unshare", VXE_SC_ESCAPE, 0);
	check_class("execve", VXE_SC_EXEC | VXE_SC_FILE, 0);
	check_class("openat", VXE_SC_FILE, 0);
	check_class("openat2", VXE_SC_FILE | VXE_SC_PROBE, ENOSYS);
	check_class("newfstatat", VXE_SC_FILE, 0);
	check_class("chmod", VXE_SC_FILE, 0);
	check_class("afs_syscall", 0, ENOSYS);

	static const char *const escapes[] = {"io_uring_setup",
					      "io_uring_enter",
					      "io_uring_register",
					      "ptrace",
					      "process_vm_writev",
					      "process_vm_readv",
					      "bpf",
					      "perf_event_open",
					      "init_module",
					      "finit_module",
					      "delete_module",
					      "kexec_load",
					      "kexec_file_load",
					      "mount",
					      "umount2",
					      "pivot_root",
					      "chroot",
					      "move_mount",
					      "open_tree",
					      "fsopen",
					      "fsmount",
					      "fsconfig",
					      "fspick",
					      "mount_setattr",
					      "setns",
					      "unshare",
					      "open_by_handle_at",
					      "name_to_handle_at",
					      "keyctl",
					      "add_key",
					      "request_key",
					      "userfaultfd",
					      "iopl",
					      "ioperm",
					      "swapon",
					      "swapoff",
					      "reboot",
					      "acct",
					      "pidfd_getfd",
					      "kcmp",
					      "lookup_dcookie",
					      "quotactl",
					      "quotactl_fd",
					      "vhangup",
					      "settimeofday",
					      "clock_settime",
					      "adjtimex",
					      "clock_adjtime",
					      "syslog",
					      "nfsservctl"};
	int all = 1;
	for (size_t i = 0; i < sizeof escapes / sizeof escapes[0]; i++) {
		const struct vxe_syscall_info *s = vxe_syscall_by_name(escapes[i]);
		if (!s || !(s->classes & VXE_SC_ESCAPE)) {
			tap_diag("%s is not ESCAPE", escapes[i]);
			all = 0;
		}
	}
	tap_ok(all, "SPEC 5.5 calls are all ESCAPE");

	/* Harmless means harmless: none of these may be listed as unchecked. */
	static const char *const risky[] = {
	    "ioctl",   "fcntl",	  "kill", "tgkill", "clone", "setuid",		"prctl",
	    "socket",  "connect", "open", "stat",   "wait4", "process_madvise", "sched_setaffinity",
	    "mlockall"};
	int none = 1;
	for (size_t i = 0; i < sizeof risky / sizeof risky[0]; i++) {
		const struct vxe_syscall_info *s = vxe_syscall_by_name(risky[i]);
		if (!s || (s->classes & VXE_SC_HARMLESS)) {
			tap_diag("%s is HARMLESS", risky[i]);
			none = 0;
		}
	}
	tap_ok(none, "calls that reach outside the process are not HARMLESS");
}

static void test_const_table(void)
{
	unsigned n = 0;
	int sorted = 1;
	for (; vxe_const_at(n); n++) {
		const struct vxe_const *c = vxe_const_at(n);
		if (n && strcmp(vxe_const_at(n - 1)->name, c->name) >= 0) {
			tap_diag("'%s' before '%s'", vxe_const_at(n - 1)->name, c->name);
			sorted = 0;
		}
	}
	tap_ok(n > 600, "constant table has %u entries", n);
	tap_ok(sorted, "constant table strictly sorted by name (no duplicates)");
	int found = 1;
	for (unsigned i = 0; i < n; i++)
		if (vxe_const_by_name(vxe_const_at(i)->name) != vxe_const_at(i))
			found = 0;
	tap_ok(found, "vxe_const_by_name finds every entry");
	tap_ok(vxe_const_by_name("O_NOPE") == NULL, "unknown constant: NULL");
	tap_ok(vxe_const_by_name(NULL) == NULL, "NULL constant name: NULL");

	struct {
		const char *name;
		int64_t value;
	} spot[] = {
	    {"O_RDONLY", O_RDONLY},
	    {"O_WRONLY", O_WRONLY},
	    {"O_RDWR", O_RDWR},
	    {"O_ACCMODE", 3},
	    {"O_CREAT", 0100},
	    {"O_CLOEXEC", 02000000},
	    {"O_TMPFILE", O_TMPFILE},
	    {"O_LARGEFILE", 0100000},
	    {"AT_FDCWD", -100},
	    {"AT_SYMLINK_NOFOLLOW", 0x100},
	    {"AT_EMPTY_PATH", 0x1000},
	    {"AT_REMOVEDIR", 0x200},
	    {"AF_UNIX", 1},
	    {"AF_INET", 2},
	    {"AF_INET6", 10},
	    {"AF_NETLINK", 16},
	    {"SOCK_STREAM", 1},
	    {"SOCK_DGRAM", 2},
	    {"SOCK_NONBLOCK", 04000},
	    {"SOCK_CLOEXEC", 02000000},
	    {"IPPROTO_TCP", 6},
	    {"IPPROTO_UDP", 17},
	    {"PROT_EXEC", 4},
	    {"MAP_ANONYMOUS", 0x20},
	    {"MAP_FIXED", 0x10},
	    {"CLONE_NEWUSER", 0x10000000},
	    {"CLONE_NEWNS", 0x20000},
	    {"CLONE_THREAD", 0x10000},
	    {"MS_BIND", 4096},
	    {"MS_RDONLY", 1},
	    {"TIOCSTI", 0x5412},
	    {"TIOCLINUX", 0x541C},
	    {"FIONREAD", 0x541B},
	    {"F_SETFL", 4},
	    {"F_DUPFD_CLOEXEC", 1030},
	    {"S_IFREG", 0100000},
	    {"S_ISUID", 04000},
	    {"SIGKILL", 9},
	    {"SIGSYS", 31},
	    {"PR_SET_NO_NEW_PRIVS", 38},
	    {"SEEK_END", 2},
	    {"R_OK", 4},
	    {"X_OK", 1},
	    {"F_OK", 0},
	    {"EPERM", 1},
	    {"EAFNOSUPPORT", 97},
	    {"EWOULDBLOCK", 11},
	    {"SYS_read", 0},
	    {"SYS_openat", 257},
	    {"SYS_clone3", 435},
	    {"SYS_futex_requeue", 456},
	    {"SYS__sysctl", 156},
	};
	for (size_t i = 0; i < sizeof spot / sizeof spot[0]; i++) {
		const struct vxe_const *c = vxe_const_by_name(spot[i].name);
		tap_ok(c && c->value == spot[i].value, "%s == %lld", spot[i].name,
		       (long long)spot[i].value);
	}

	/* Every SYS_ constant is the number libseccomp gives, and every syscall
	 * in the table has one. */
	int sys_ok = 1;
	for (unsigned i = 0; i < n; i++) {
		const struct vxe_const *c = vxe_const_at(i);
		if (strncmp(c->name, "SYS_", 4) != 0)
			continue;
		int nr = seccomp_syscall_resolve_name_arch(SCMP_ARCH_X86_64, c->name + 4);
		if (nr != c->value) {
			tap_diag("%s is %lld, libseccomp says %d", c->name, (long long)c->value,
				 nr);
			sys_ok = 0;
		}
	}
	for (unsigned i = 0; vxe_syscall_at(i); i++) {
		char name[64];
		snprintf(name, sizeof name, "SYS_%s", vxe_syscall_at(i)->name);
		if (!vxe_const_by_name(name)) {
			tap_diag("no %s", name);
			sys_ok = 0;
		}
	}
	tap_ok(sys_ok, "SYS_* constants match libseccomp and cover the syscall table");
}

static void test_errno_names(void)
{
	tap_ok(vxe_errno_by_name("EPERM") == EPERM, "errno EPERM");
	tap_ok(vxe_errno_by_name("EACCES") == EACCES, "errno EACCES");
	tap_ok(vxe_errno_by_name("ENOSYS") == ENOSYS, "errno ENOSYS");
	tap_ok(vxe_errno_by_name("EHWPOISON") == 133, "errno EHWPOISON (the highest)");
	tap_ok(vxe_errno_by_name("EWOULDBLOCK") == EAGAIN, "alias EWOULDBLOCK");
	tap_ok(vxe_errno_by_name("ENOTSUP") == EOPNOTSUPP, "alias ENOTSUP");
	tap_ok(vxe_errno_by_name("O_RDONLY") == -1, "O_RDONLY is no errno");
	tap_ok(vxe_errno_by_name("ENOPE") == -1, "unknown errno: -1");
	tap_ok(vxe_errno_by_name(NULL) == -1, "NULL errno name: -1");
	TAP_STREQ(vxe_errno_name(EACCES), "EACCES", "name of EACCES");
	TAP_STREQ(vxe_errno_name(EAGAIN), "EAGAIN", "EAGAIN, not its alias");
	TAP_STREQ(vxe_errno_name(EDEADLK), "EDEADLK", "EDEADLK, not its alias");
	TAP_STREQ(vxe_errno_name(EOPNOTSUPP), "EOPNOTSUPP", "EOPNOTSUPP, not ENOTSUP");
	tap_ok(vxe_errno_name(0) == NULL, "no name for 0");
	tap_ok(vxe_errno_name(-1) == NULL, "no name for -1");
	tap_ok(vxe_errno_name(41) == NULL, "no name for 41 (Linux skips it)");
	tap_ok(vxe_errno_name(4096) == NULL, "no name for 4096");
	/* Every errno from 1 to 133 but the two Linux never assigned (41, 58). */
	int all = 1;
	for (int e = 1; e <= 133; e++) {
		const char *name = vxe_errno_name(e);
		if ((name != NULL) != (e != 41 && e != 58)) {
			tap_diag("errno %d: %s", e, name ? name : "(none)");
			all = 0;
		} else if (name && (vxe_errno_by_name(name) != e || !vxe_const_by_name(name))) {
			all = 0;
		}
	}
	tap_ok(all, "errno 1..133 named, round trip through name and constant");
	/* Every constant starting with E is an errno, and the other way round. */
	int consistent = 1;
	for (unsigned i = 0; vxe_const_at(i); i++) {
		const struct vxe_const *c = vxe_const_at(i);
		if (c->name[0] == 'E' && vxe_errno_by_name(c->name) != c->value)
			consistent = 0;
	}
	tap_ok(consistent, "every E* constant is an errno with the same value");
}

static void check_flags(int64_t flags, const char *want)
{
	char buf[256];
	vxe_open_flags_str(flags, buf, sizeof buf);
	TAP_STREQ(buf, want, want);
}

static void test_open_flags_str(void)
{
	check_flags(O_RDONLY, "O_RDONLY");
	check_flags(O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, "O_WRONLY|O_CREAT|O_TRUNC|O_CLOEXEC");
	check_flags(O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | 0x40000000,
		    "O_WRONLY|O_CREAT|O_TRUNC|O_CLOEXEC|0x40000000");
	check_flags(O_RDWR | O_APPEND | O_NONBLOCK, "O_RDWR|O_APPEND|O_NONBLOCK");
	check_flags(O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC,
		    "O_RDONLY|O_DIRECTORY|O_NOFOLLOW|O_CLOEXEC");
	check_flags(O_RDONLY | O_PATH | O_CLOEXEC, "O_RDONLY|O_CLOEXEC|O_PATH");
	check_flags(O_WRONLY | O_SYNC, "O_WRONLY|O_SYNC");
	check_flags(O_WRONLY | O_DSYNC, "O_WRONLY|O_DSYNC");
	check_flags(O_RDWR | O_TMPFILE, "O_RDWR|O_TMPFILE");
	check_flags(O_RDWR | 0100000, "O_RDWR|O_LARGEFILE");
	check_flags(3, "O_ACCMODE");
	/* Only the low 32 bits count: the kernel reads an int. */
	check_flags((int64_t)1 << 40 | O_WRONLY, "O_WRONLY");
	check_flags((int64_t)-1, "O_ACCMODE|O_CREAT|O_EXCL|O_NOCTTY|O_TRUNC|O_APPEND|O_NONBLOCK|"
				 "O_SYNC|O_ASYNC|O_DIRECT|O_LARGEFILE|O_TMPFILE|O_NOFOLLOW|"
				 "O_NOATIME|O_CLOEXEC|O_PATH|0xff80003c");

	char small[9];
	vxe_open_flags_str(O_WRONLY | O_CREAT, small, sizeof small);
	TAP_STREQ(small, "O_WRONLY", "truncated to the buffer, NUL-terminated");
	char one[1] = {'x'};
	vxe_open_flags_str(O_WRONLY, one, sizeof one);
	tap_ok(one[0] == '\0', "size 1: empty string");
	vxe_open_flags_str(O_WRONLY, NULL, 0);
	tap_ok(1, "NULL buffer of size 0 is left alone");
}

int main(void)
{
	test_syscall_table_order();
	test_syscall_table_complete();
	test_syscall_entries_sane();
	test_syscall_spot_checks();
	test_const_table();
	test_errno_names();
	test_open_flags_str();
	return tap_done();
}
