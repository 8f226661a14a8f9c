/* seccomp back end: the plan's filter, built with libseccomp.
 *
 * The default action is to notify the supervisor, so anything the plan does
 * not explicitly allow (including numbers VXE has never heard of) is seen
 * and decided there, and fails closed if the supervisor is gone: the kernel
 * answers ENOSYS to a notification nobody can receive.
 */
#include <errno.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <seccomp.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <sys/types.h>
#include <unistd.h>

#ifndef SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV
#define SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV (1UL << 5)
#endif

#include "vxe/plan.h"

static enum scmp_compare scmp_op(enum vxe_cmp_op op)
{
	switch (op) {
	case VXE_CMP_EQ:
		return SCMP_CMP_EQ;
	case VXE_CMP_NE:
		return SCMP_CMP_NE;
	case VXE_CMP_LT:
		return SCMP_CMP_LT;
	case VXE_CMP_LE:
		return SCMP_CMP_LE;
	case VXE_CMP_GT:
		return SCMP_CMP_GT;
	case VXE_CMP_GE:
		return SCMP_CMP_GE;
	case VXE_CMP_MASKED_EQ:
		return SCMP_CMP_MASKED_EQ;
	}
	return _SCMP_CMP_MIN;
}

/* A comparison as the kernel reads the argument. For a 32-bit argument the
 * upper half of the register is the caller's to choose and the kernel
 * ignores it, so equality becomes a masked comparison of the low half. The
 * compiler never emits an ordering or inequality on a 32-bit argument. */
static struct scmp_arg_cmp to_scmp(const struct vxe_cmp *c)
{
	struct scmp_arg_cmp a = {.arg = c->arg, .op = scmp_op(c->op)};
	if (c->op == VXE_CMP_MASKED_EQ) {
		a.datum_a = c->is32 ? c->mask & 0xffffffffu : c->mask;
		a.datum_b = c->is32 ? c->value & 0xffffffffu : c->value;
	} else if (c->is32 && c->op == VXE_CMP_EQ) {
		a.op = SCMP_CMP_MASKED_EQ;
		a.datum_a = 0xffffffffu;
		a.datum_b = c->value & 0xffffffffu;
	} else {
		a.datum_a = c->value;
	}
	return a;
}

static void ctx_release(scmp_filter_ctx *ctx)
{
	if (*ctx)
		seccomp_release(*ctx);
}

static int build(const struct vxe_plan *plan, scmp_filter_ctx *out)
{
	scmp_filter_ctx ctx = seccomp_init(SCMP_ACT_NOTIFY);
	if (!ctx)
		return -ENOMEM;
	int rc = 0;
	/* Non-native ABIs (i386 int 0x80, x32) are refused unless permitted:
	 * the supervisor sees them, logs them with their own numbering and
	 * answers. libseccomp adds the x32-bit check for x86_64 itself. */
	if (!rc)
		rc = seccomp_attr_set(ctx, SCMP_FLTATR_ACT_BADARCH, SCMP_ACT_NOTIFY);
	if (!rc)
		rc = seccomp_attr_set(ctx, SCMP_FLTATR_CTL_NNP, 1);
	/* A binary tree over syscall numbers keeps the common case short. */
	if (!rc)
		rc = seccomp_attr_set(ctx, SCMP_FLTATR_CTL_OPTIMIZE, 2);
	if (!rc)
		rc = seccomp_attr_set(ctx, SCMP_FLTATR_API_SYSRAWRC, 1);
	for (int nr = 0; nr < VXE_NR_MAX && !rc; nr++) {
		const struct vxe_plan_sys *s = &plan->sys[nr];
		switch (s->act) {
		case VXE_F_NOTIFY:
			break;
		case VXE_F_ALLOW:
			rc = seccomp_rule_add_exact(ctx, SCMP_ACT_ALLOW, nr, 0);
			break;
		case VXE_F_ERRNO:
			rc = seccomp_rule_add_exact(ctx, SCMP_ACT_ERRNO((uint32_t)s->err), nr, 0);
			break;
		case VXE_F_ALLOW_IF:
			for (unsigned i = 0; i < s->nconj && !rc; i++) {
				struct scmp_arg_cmp cmp[VXE_MAX_CMP];
				for (unsigned k = 0; k < s->conj[i].n; k++)
					cmp[k] = to_scmp(&s->conj[i].cmp[k]);
				rc = seccomp_rule_add_exact_array(ctx, SCMP_ACT_ALLOW, nr,
								  s->conj[i].n, cmp);
			}
			break;
		}
		/* libseccomp refuses numbers that do not exist on this ABI. */
		if (rc == -EDOM || rc == -EFAULT)
			rc = 0;
	}
	if (rc) {
		seccomp_release(ctx);
		return rc;
	}
	*out = ctx;
	return 0;
}

/* libseccomp builds the program; VXE installs it itself, because the flag
 * it needs is newer than this libseccomp (2.5.4): WAIT_KILLABLE_RECV
 * (Linux 5.19) keeps a call the supervisor has received from being torn
 * down by an ordinary signal (and asked again, or failed with EINTR). It
 * does not cover the time before the supervisor receives the call: a
 * signal then still makes the call fail with EINTR when its handler lacks
 * SA_RESTART, whatever the call. Hence calls that must never fail are not
 * notified where that can be avoided (trace mode: plan_trace). Older
 * kernels refuse the flag with EINVAL, and the filter goes in without it. */
int vxe_bpf_load(const struct vxe_plan *plan)
{
	__attribute__((cleanup(ctx_release))) scmp_filter_ctx ctx = NULL;
	int rc = build(plan, &ctx);
	if (rc)
		return rc;
	int mfd = memfd_create("vxe-bpf", MFD_CLOEXEC);
	if (mfd < 0)
		return -errno;
	rc = seccomp_export_bpf(ctx, mfd);
	off_t size = rc == 0 ? lseek(mfd, 0, SEEK_END) : -1;
	if (rc == 0 && (size <= 0 || size % (off_t)sizeof(struct sock_filter) ||
			size > (off_t)(BPF_MAXINSNS * sizeof(struct sock_filter))))
		rc = -E2BIG;
	struct sock_filter *insns = rc == 0 ? malloc((size_t)size) : NULL;
	if (rc == 0 && (!insns || pread(mfd, insns, (size_t)size, 0) != size))
		rc = insns ? -EIO : -ENOMEM;
	close(mfd);
	if (rc) {
		free(insns);
		return rc;
	}
	struct sock_fprog prog = {.len = (unsigned short)(size / (off_t)sizeof *insns),
				  .filter = insns};
	unsigned long flags = SECCOMP_FILTER_FLAG_NEW_LISTENER;
	int fd = (int)syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER,
			      flags | SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV, &prog);
	if (fd < 0 && errno == EINVAL)
		fd = (int)syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, flags, &prog);
	int err = errno;
	free(insns);
	return fd < 0 ? -err : fd;
}

int vxe_bpf_export(const struct vxe_plan *plan, int fd)
{
	__attribute__((cleanup(ctx_release))) scmp_filter_ctx ctx = NULL;
	int rc = build(plan, &ctx);
	if (rc)
		return rc;
	return seccomp_export_bpf(ctx, fd);
}
