/* Landlock back end: turns a VXED's files and network rules into a Landlock
 * domain for the calling process (used in the confined child just before
 * exec). Probes the kernel's ABI and degrades feature by feature, saying what
 * is lost. */
#ifndef VXE_LANDLOCK_H
#define VXE_LANDLOCK_H

#include <stddef.h>
#include <stdint.h>

/* VXED access classes of a `files` rule. */
enum {
	VXE_FS_READ = 1u << 0,	  /* read files, list directories */
	VXE_FS_WRITE = 1u << 1,	  /* write, truncate, create, remove, rename, link */
	VXE_FS_EXECUTE = 1u << 2, /* execute */
};

struct vxe_ll_path {
	const char *path; /* absolute; a directory grants its whole hierarchy */
	unsigned access;  /* VXE_FS_* */
};

enum { VXE_LL_BIND = 1u << 0, VXE_LL_CONNECT = 1u << 1 };

struct vxe_ll_spec {
	int handle_fs; /* restrict the filesystem at all */
	const struct vxe_ll_path *paths;
	size_t npaths;
	int handle_net;		  /* restrict TCP bind/connect at all */
	const uint16_t *bind_tcp; /* permitted TCP ports for bind */
	size_t nbind;
	const uint16_t *connect_tcp; /* permitted TCP ports for connect */
	size_t nconnect;
	int scope_signal;	 /* forbid signals to processes outside the domain */
	int scope_abstract_unix; /* forbid connecting to abstract unix sockets outside */
	unsigned net_unhandled;	 /* VXE_LL_BIND / VXE_LL_CONNECT: leave that operation
				  * unrestricted by Landlock (a rule says "any") */
};

/* Landlock ABI version of the running kernel, 0 if Landlock is unavailable. */
int vxe_landlock_abi(void);

/* Restricts the calling thread (and its future children) to spec. Requires
 * no_new_privs or CAP_SYS_ADMIN. On success returns 0 and, if the kernel
 * could not enforce everything, writes one line per lost feature into warn
 * (e.g. "landlock: ABI 3 < 4: TCP bind/connect rules not enforced by the
 * kernel"). Paths that do not exist are skipped with a warning. Returns
 * -errno if Landlock could not be applied at all (-EOPNOTSUPP when the kernel
 * has none). Allocates nothing that outlives the call. */
int vxe_landlock_apply(const struct vxe_ll_spec *spec, char *warn, size_t warnsz);

#endif
