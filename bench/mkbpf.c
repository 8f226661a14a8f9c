/* bench/mkbpf: writes a classic-BPF seccomp program for `bwrap --seccomp FD`,
 * so that the bubblewrap peer is measured with a filter of the usual kind:
 * default allow, a block list like Flatpak's (the escape routes a container
 * closes), refused with EPERM. Not VXE's filter: a peer's.
 *
 * With a second file, also writes the smallest filter libseccomp makes
 * (check the architecture, allow everything): the cost of having any
 * seccomp filter at all, the floor under every confined figure.
 *
 * usage: mkbpf OUT.bpf [ALLOW.bpf]
 */
#include <errno.h>
#include <fcntl.h>
#include <seccomp.h>
#include <stdio.h>
#include <unistd.h>

static const char *const blocked[] = {
    "syslog",
    "uselib",
    "acct",
    "quotactl",
    "add_key",
    "keyctl",
    "request_key",
    "move_pages",
    "mbind",
    "get_mempolicy",
    "set_mempolicy",
    "migrate_pages",
    "unshare",
    "setns",
    "mount",
    "umount2",
    "pivot_root",
    "chroot",
    "clone3",
    "open_tree",
    "move_mount",
    "fsopen",
    "fsconfig",
    "fsmount",
    "fspick",
    "perf_event_open",
    "ptrace",
    "process_vm_readv",
    "process_vm_writev",
    "personality",
    "bpf",
    "userfaultfd",
    "init_module",
    "finit_module",
    "delete_module",
    "kexec_load",
    "kexec_file_load",
    "reboot",
    "swapon",
    "swapoff",
    "io_uring_setup",
    "io_uring_enter",
    "io_uring_register",
    "open_by_handle_at",
    "name_to_handle_at",
    "lookup_dcookie",
    "vhangup",
    "nfsservctl",
    "iopl",
    "ioperm",
    "settimeofday",
    "clock_settime",
    "adjtimex",
    "clock_adjtime",
    "sethostname",
    "setdomainname",
    "kcmp",
};

int main(int argc, char **argv)
{
	if (argc != 2 && argc != 3) {
		fprintf(stderr, "usage: mkbpf OUT.bpf [ALLOW.bpf]\n");
		return 2;
	}
	scmp_filter_ctx ctx = seccomp_init(SCMP_ACT_ALLOW);
	if (!ctx)
		return 1;
	for (size_t i = 0; i < sizeof blocked / sizeof blocked[0]; i++) {
		int nr = seccomp_syscall_resolve_name(blocked[i]);
		if (nr == __NR_SCMP_ERROR)
			continue;
		if (seccomp_rule_add(ctx, SCMP_ACT_ERRNO(EPERM), nr, 0) < 0) {
			fprintf(stderr, "mkbpf: cannot add %s\n", blocked[i]);
			return 1;
		}
	}
	int fd = open(argv[1], O_WRONLY | O_CREAT | O_TRUNC, 0644);
	if (fd < 0 || seccomp_export_bpf(ctx, fd) < 0) {
		perror(argv[1]);
		return 1;
	}
	close(fd);
	seccomp_release(ctx);
	if (argc == 3) {
		ctx = seccomp_init(SCMP_ACT_ALLOW);
		fd = open(argv[2], O_WRONLY | O_CREAT | O_TRUNC, 0644);
		if (!ctx || fd < 0 || seccomp_export_bpf(ctx, fd) < 0) {
			perror(argv[2]);
			return 1;
		}
		close(fd);
		seccomp_release(ctx);
	}
	return 0;
}
