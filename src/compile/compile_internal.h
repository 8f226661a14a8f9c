/* Shared inside the policy compiler. */
#ifndef VXE_COMPILE_INTERNAL_H
#define VXE_COMPILE_INTERNAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <linux/sched.h>

#include "vxe/plan.h"

/* Namespace flags: creating namespaces is in the escape set (SPEC 5.5), so a
 * clone or unshare permitted without a predicate on its flags still may not
 * set them. All lie in the low 32 bits, which is what clone reads. */
#define VXE_NS_FLAGS                                                                               \
	(CLONE_NEWNS | CLONE_NEWUSER | CLONE_NEWPID | CLONE_NEWNET | CLONE_NEWUTS | CLONE_NEWIPC | \
	 CLONE_NEWCGROUP | CLONE_NEWTIME)

/* Is v, the value of argument arg of syscall, in the escape set the plan
 * keeps closed unless a predicate names it: namespace flags of clone and
 * unshare, ioctl TIOCSTI and TIOCLINUX, mknod/mknodat modes of device nodes
 * (any file type but regular, FIFO and socket)? Used by vxe upgrade, which
 * must never propose a predicate naming one. */
bool vxe_escape_value(const char *syscall, const char *arg, int64_t v);

/* A call whose path argument the files rules govern. */
struct vxe_file_call {
	const char *name;
	unsigned path_arg; /* index of the (first) path argument */
	unsigned access;   /* VXE_FS_* it needs; 0: from open flags at run time */
	bool landlock;	   /* Landlock enforces it in the kernel */
};

/* The entry for a syscall name, or NULL if files rules do not govern it. */
const struct vxe_file_call *vxe_file_call(const char *name);

/* Tries to turn r's predicate into comparisons the seccomp filter can make:
 * on success sets s->act (VXE_F_ALLOW_IF, or VXE_F_ALLOW / VXE_F_NOTIFY for
 * a predicate that is constant) and s->conj, and returns 0. Returns -EINVAL
 * with the reason in why when the predicate needs the supervisor, -ENOMEM
 * on allocation failure. */
int vxe_compile_predicate(const struct vxe_policy *p, const struct vxe_rule *r,
			  struct vxe_plan_sys *s, char *why, size_t whysz);

#endif
