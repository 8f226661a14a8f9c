/* The enforcement plan: a pure function of a loaded VXED and a mode that says,
 * for every syscall, which layer decides and how. The kernel back ends
 * (seccomp filter, Landlock) and the supervisor only execute a plan; `vxe
 * check` prints it. */
#ifndef VXE_PLAN_H
#define VXE_PLAN_H

#include <stdbool.h>
#include <stdint.h>

#include "vxe/landlock.h"
#include "vxe/policy.h"

/* Where a decision is made, fastest first. */
enum vxe_layer {
	VXE_LAYER_KERNEL,     /* seccomp filter: number and integer arguments */
	VXE_LAYER_LANDLOCK,   /* paths and TCP ports, decided by the kernel */
	VXE_LAYER_SUPERVISOR, /* Lisp predicate; the supervisor performs the call itself */
	VXE_LAYER_EMULATED,   /* refused with a probe errno so libc falls back (clone3) */
	VXE_LAYER_ADVISORY,   /* pointer check by check-then-continue: logs, cannot enforce */
};

/* What the seccomp filter does with a syscall. */
enum vxe_filter_act {
	VXE_F_NOTIFY = 0, /* ask the supervisor (the default: 0 means not decided in the kernel) */
	VXE_F_ALLOW,	  /* always */
	VXE_F_ALLOW_IF,	  /* allow when one of the conjunctions holds, else notify */
	VXE_F_ERRNO,	  /* fail with errno in the kernel, not logged (probes) */
};

enum vxe_cmp_op {
	VXE_CMP_EQ,
	VXE_CMP_NE,
	VXE_CMP_LT,
	VXE_CMP_LE,
	VXE_CMP_GT,
	VXE_CMP_GE,
	VXE_CMP_MASKED_EQ
};

struct vxe_cmp {
	uint8_t arg;   /* 0..5 */
	uint8_t op;    /* enum vxe_cmp_op */
	bool is32;     /* compare the low 32 bits, as the kernel reads an int */
	uint64_t mask; /* VXE_CMP_MASKED_EQ */
	uint64_t value;
};

#define VXE_MAX_CMP 6
struct vxe_conj {
	unsigned n;
	struct vxe_cmp cmp[VXE_MAX_CMP];
};

/* Why the supervisor is asked about a syscall (bit set). */
enum {
	VXE_WHY_UNLISTED = 1u << 0,  /* strict VXED does not list it */
	VXE_WHY_ESCAPE = 1u << 1,    /* in the escape set and not named */
	VXE_WHY_PREDICATE = 1u << 2, /* a Lisp predicate decides */
	VXE_WHY_FILES = 1u << 3,     /* path checked against files rules */
	VXE_WHY_NETWORK = 1u << 4,   /* address checked against network rules */
	VXE_WHY_EXEC = 1u << 5,	     /* execve: always seen, for the start-up hand-over and rules */
	VXE_WHY_INTCHECK = 1u << 6,  /* kernel check failed: the supervisor logs and refuses */
};

#define VXE_NR_MAX 512

struct vxe_plan_sys {
	enum vxe_filter_act act;
	int err;			     /* VXE_F_ERRNO, and the errno the supervisor uses */
	unsigned why;			     /* VXE_WHY_* when the supervisor may be asked */
	enum vxe_layer layer;		     /* for `vxe check` */
	const struct vxe_rule *rule;	     /* NULL when not named */
	const struct vxe_syscall_info *info; /* NULL: unknown to VXE */
	unsigned nconj;
	struct vxe_conj *conj; /* owned; VXE_F_ALLOW_IF */
};

struct vxe_plan {
	enum vxe_mode mode;
	const struct vxe_policy *policy; /* not owned */
	struct vxe_plan_sys sys[VXE_NR_MAX];
	/* Landlock part: production only. Arrays owned. */
	struct vxe_ll_spec ll;
	/* Notes for `vxe check` (one per line, owned). */
	char *notes;
	/* Trace: the calls let through unseen are counted by the kernel
	 * (vxe_plan_trace_counted); the supervisor must start its counter. */
	bool counted;
};

/* Builds the plan for p in mode. Returns NULL with errno (ENOMEM) or, for a
 * predicate the compiler rejects, EINVAL with a message in err. */
struct vxe_plan *vxe_plan_new(const struct vxe_policy *p, enum vxe_mode mode, char *err,
			      size_t errsz);
void vxe_plan_free(struct vxe_plan *plan);

const char *vxe_layer_name(enum vxe_layer l);

/* Trace mode, when the kernel can count calls for the supervisor
 * (vxe_kcount_available): the harmless calls, whose arguments the recorder
 * does not read, go through the filter unseen too, and are recorded from
 * the kernel's tracepoint instead of a notification each. */
void vxe_plan_trace_counted(struct vxe_plan *plan);

/* Does the filter let this call through without asking the supervisor? */
bool vxe_plan_unseen(const struct vxe_plan *plan, int nr, const uint64_t args[6]);

/* Does the conjunction set accept these argument values (as the filter
 * would)? For tests and for the supervisor's re-check of kernel-failed calls. */
bool vxe_conj_match(const struct vxe_conj *c, unsigned n, const uint64_t args[6]);

/* seccomp back end (src/compile/bpf.c): loads the plan's filter into the
 * calling thread with a new user-notification listener and returns the
 * listener fd, or -errno. no_new_privs must already be set. */
int vxe_bpf_load(const struct vxe_plan *plan);
/* Exports the filter as BPF to fd (for `vxe check --bpf`). */
int vxe_bpf_export(const struct vxe_plan *plan, int fd);

#endif
