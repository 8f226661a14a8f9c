/* Inside the supervisor: reading a notified process's memory and arguments. */
#ifndef VXE_SUPERVISOR_INTERNAL_H
#define VXE_SUPERVISOR_INTERNAL_H

#include <limits.h>
#include <linux/seccomp.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "vxe/log.h"
#include "vxe/syscalls.h"

/* Reads a NUL-terminated string of at most size-1 bytes from pid's memory at
 * addr, page by page so that a string ending just before an unmapped page is
 * still read. Returns its length, -EFAULT if unreadable, -ENAMETOOLONG if no
 * NUL within size. Never reads more than size bytes. */
ssize_t vxe_mem_read_str(pid_t pid, uint64_t addr, char *buf, size_t size);
/* Reads exactly len bytes; 0 or -EFAULT. */
int vxe_mem_read(pid_t pid, uint64_t addr, void *buf, size_t len);

/* Makes an absolute, lexically normalised path of `path` as pid would
 * resolve it relative to dirfd (AT_FDCWD: its working directory) and its
 * root. Returns 0 or -errno (-ENOENT if the dirfd is not open). */
int vxe_resolve_path(pid_t pid, int dirfd, const char *path, bool check_root, char *out,
		     size_t size);

/* Decoded arguments of one notification, for predicates and the log. */
struct vxe_decoded {
	unsigned n;
	struct vxe_log_arg arg[VXE_MAX_ARGS];
	char text[VXE_MAX_ARGS][96]; /* names, hex pointers, sockaddrs */
	char path[2][PATH_MAX];	     /* resolved path arguments */
	int npath;
	int path_err;	 /* 0, or -errno if a path could not be read */
	bool check_root; /* the VXED permits chroot: resolve below the process root */
	bool bare;	 /* integers and pointers as numbers, no names (trace) */
};

/* Decodes the arguments of a native syscall as info describes them.
 * Paths are read and resolved; other pointers are shown, never followed. */
void vxe_decode_args(pid_t pid, const struct vxe_syscall_info *info, const uint64_t args[6],
		     struct vxe_decoded *d);

/* Formats a socket address read from pid into buf ("inet:127.0.0.1:80",
 * "inet6:[::1]:80", "unix:/run/x", "unix:@abstract", "family:N"); sets
 * *family and *port (0 if none). Returns 0 or -errno. */
/* The same for an address already read (len bytes of ss). */
struct sockaddr_storage;
void vxe_sockaddr_text(const struct sockaddr_storage *ss, size_t len, char *buf, size_t size,
		       int *family, unsigned *port);
int vxe_decode_sockaddr(pid_t pid, uint64_t addr, uint64_t len, char *buf, size_t size, int *family,
			unsigned *port);

/* Trace mode's kernel counter (kcount.c): per-CPU perf events on the
 * raw_syscalls:sys_enter tracepoint of pid and everything it makes, for the
 * call numbers nr < nwant with want[nr] set. vxe_kcount_fd is readable when
 * a buffer is a quarter full (or its tasks are gone): then drain.
 * vxe_kcount_open returns NULL with the reason in why. */
struct vxe_kcount;
typedef void (*vxe_kcount_fn)(void *userdata, pid_t tid, int64_t nr, const uint64_t args[6]);
struct vxe_kcount *vxe_kcount_open(pid_t pid, const bool *want, unsigned nwant, char *why,
				   size_t whysz);
void vxe_kcount_free(struct vxe_kcount *k);
int vxe_kcount_fd(const struct vxe_kcount *k);
/* Calls fn for every sample written since the last drain, in each CPU's order. */
void vxe_kcount_drain(struct vxe_kcount *k, vxe_kcount_fn fn, void *userdata);
/* Samples the kernel dropped because a buffer was full. */
uint64_t vxe_kcount_lost(const struct vxe_kcount *k);
/* In a forked copy of the caller: the buffers are not mapped there; stop
 * draining, keep only the cgroup for vxe_kcount_free. */
void vxe_kcount_forget(struct vxe_kcount *k);

#endif
