/* What VXE knows about each x86_64 system call: its arguments, their names and
 * kernel types, and the class of risk it belongs to. Numbers come from
 * libseccomp (seccomp_syscall_resolve_name); this table adds the meaning. */
#ifndef VXE_SYSCALLS_H
#define VXE_SYSCALLS_H

#include <stdint.h>

/* How the kernel reads an argument; decides how the filter compares it and
 * how the supervisor decodes it. */
enum vxe_argtype {
	VXE_ARG_NONE = 0,
	VXE_ARG_INT32,	   /* int/unsigned int/pid_t/uid_t...: compared by low 32 bits */
	VXE_ARG_INT64,	   /* long, size_t, off_t, unsigned long flags */
	VXE_ARG_FD,	   /* int fd (32-bit) */
	VXE_ARG_DIRFD,	   /* int dirfd, AT_FDCWD allowed (32-bit) */
	VXE_ARG_OPENFLAGS, /* int flags of open/openat (32-bit), decoded by name */
	VXE_ARG_MODE,	   /* mode_t (32-bit) */
	VXE_ARG_PATH,	   /* const char * path name, read from the target */
	VXE_ARG_STR,	   /* other NUL-terminated string (e.g. fs type, key type) */
	VXE_ARG_SOCKADDR,  /* const struct sockaddr *, length in the next argument */
	VXE_ARG_PTR,	   /* any other pointer: never decoded, never compared */
};

/* Classes, least to most risky; a call may be in several. */
enum {
	VXE_SC_FILE = 1u << 0,	   /* names a path: subject to files rules */
	VXE_SC_EXEC = 1u << 1,	   /* execve/execveat */
	VXE_SC_NET = 1u << 2,	   /* bind/connect/accept/listen/sendto...: network rules */
	VXE_SC_ESCAPE = 1u << 3,   /* SPEC 5.5: closed even in filesystem VXEDs unless named */
	VXE_SC_PROBE = 1u << 4,	   /* libc probes and falls back (clone3...): refused with ENOSYS */
	VXE_SC_HARMLESS = 1u << 5, /* trace may list it as unchecked (getpid, brk, ...) */
};

#define VXE_MAX_ARGS 6

struct vxe_sysarg {
	const char *name; /* as a VXED names it in (permit NAME (ARGS...) ...) */
	enum vxe_argtype type;
};

struct vxe_syscall_info {
	const char *name;
	unsigned nargs;
	struct vxe_sysarg args[VXE_MAX_ARGS];
	unsigned classes; /* VXE_SC_* */
	int refuse_errno; /* errno a refused call returns when the VXED says nothing:
			   * one programs already handle for this call (EAFNOSUPPORT for
			   * socket, ENOSYS for probes); 0 means EPERM */
	const char *why;  /* one line for VXE_SC_ESCAPE members: what it would allow */
};

/* Looks a syscall up by name; NULL if VXE has no entry (the caller may still
 * accept a name that libseccomp knows, with generic args a0..a5). */
const struct vxe_syscall_info *vxe_syscall_by_name(const char *name);
/* Looks up by x86_64 number (via libseccomp); NULL if unknown. */
const struct vxe_syscall_info *vxe_syscall_by_nr(int nr);
/* Iterates the table: returns entry i, or NULL past the end. */
const struct vxe_syscall_info *vxe_syscall_at(unsigned i);
/* x86_64 number of a syscall name (from the SYS_ constants, no libseccomp
 * look-up), or -1. */
int vxe_syscall_nr(const char *name);
/* Index of the argument called name in info, or -1. */
int vxe_syscall_arg_index(const struct vxe_syscall_info *info, const char *name);

/* Named constants a policy may use (O_*, AF_*, SOCK_*, PROT_*, MAP_*,
 * CLONE_*, IPPROTO_*, AT_*, errno names E*, TIOC*, ...). */
struct vxe_const {
	const char *name;
	int64_t value;
};
const struct vxe_const *vxe_const_at(unsigned i); /* NULL past the end */
const struct vxe_const *vxe_const_by_name(const char *name);
/* Errno value for a name like "EPERM", or -1. */
int vxe_errno_by_name(const char *name);
/* Name of an errno value ("EACCES"), or NULL. */
const char *vxe_errno_name(int err);
/* Writes open(2) flags by name, "O_WRONLY|O_CREAT|O_CLOEXEC", into buf. */
void vxe_open_flags_str(int64_t flags, char *buf, unsigned long size);

#endif
