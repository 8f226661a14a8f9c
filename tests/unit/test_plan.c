/* The policy compiler as a table, libseccomp-style: (VXED, syscall, args) ->
 * what the seccomp filter does, from the plan (act, conjunctions) and
 * vxe_conj_match, which evaluates conjunctions as the filter does. No root,
 * no kernel: the live tests (tests/live) run the same filter for real. */
#include "tap.h"
#include "vxe/plan.h"
#include "vxe/policy.h"

#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <seccomp.h>
#include <signal.h>
#include <stdint.h>
#include <sys/ioctl.h>
#include <sys/socket.h>

#define HDR_STRICT "(vxed \"t\" :type strict :mode production)\n"
#define HDR_FS	   "(vxed \"t\" :type filesystem :mode production)\n"

/* What the filter answers, in one word. W_PASS: the predicate holds, and
 * the filter either allows the call or leaves it to the supervisor, which
 * runs the predicate itself (which layer is the compiler's choice). W_NOTIFY:
 * the filter must not allow it. */
enum want { W_ALLOW, W_NOTIFY, W_ENOSYS, W_ERRNO, W_PASS };
static const char *want_name[] = {"ALLOW", "NOTIFY", "ERRNO(ENOSYS)", "ERRNO(other)",
				  "ALLOW or predicate in the supervisor"};

struct tcase {
	const char *what;
	const char *policy;
	const char *syscall;
	uint64_t args[6];
	enum want want;
	unsigned why;	  /* VXE_WHY_* bits that must be set (NOTIFY), 0: not checked */
	const char *todo; /* a confirmed, reported bug: "bug: ..." */
};

/* Policies shared by several rows. */
static const char P_STRICT[] =
    HDR_STRICT "(unchecked read write)\n"
	       "(permit socket (domain type protocol)\n"
	       "  (and (member domain (list AF_INET AF_INET6)) (= (logand type 15) SOCK_STREAM)))\n"
	       "(permit fcntl (fd cmd arg) (= cmd F_GETFL))\n"
	       "(permit ioctl clone unshare ptrace)\n"
	       "(permit kill (pid sig) (< sig 5))\n"
	       "(permit dup2 (oldfd newfd) (/= newfd 0))\n"
	       "(permit execve)\n"
	       "(permit openat access)\n"
	       "(permit lseek (fd offset whence) (or (= offset 4294967297) (> offset 100)))\n"
	       "(files (read \"/etc\"))\n";

static const char P_FS[] = HDR_FS "(files (read \"/etc\") (write \"/tmp\"))\n";

/* A constant wider than the 32-bit argument it is compared with. */
static const char P_WIDE[] = HDR_STRICT "(permit fcntl (fd cmd arg) (= cmd 4294967297))\n";
static const char P_WIDE_NE[] = HDR_STRICT "(permit fcntl (fd cmd arg) (/= cmd 4294967297))\n";

static const char P_CLONE_PRED[] = HDR_STRICT "(permit clone (flags) (flags-set? flags SIGCHLD))\n"
					      "(permit ioctl (fd request arg) (= fd 0))\n";

#define HI 0xffffffff00000000ull

static const struct tcase cases[] = {
    /* Numbers alone. */
    {"unchecked read", P_STRICT, "read", {0}, W_ALLOW, 0, NULL},
    {"unlisted getpid in strict", P_STRICT, "getpid", {0}, W_NOTIFY, VXE_WHY_UNLISTED, NULL},
    {"unlisted getpid in filesystem", P_FS, "getpid", {0}, W_ALLOW, 0, NULL},
    {"escape ptrace in filesystem", P_FS, "ptrace", {16}, W_NOTIFY, VXE_WHY_ESCAPE, NULL},
    {"escape mount in filesystem", P_FS, "mount", {0}, W_NOTIFY, VXE_WHY_ESCAPE, NULL},
    {"escape bpf in filesystem", P_FS, "bpf", {0}, W_NOTIFY, VXE_WHY_ESCAPE, NULL},
    {"escape io_uring_setup in filesystem",
     P_FS,
     "io_uring_setup",
     {0},
     W_NOTIFY,
     VXE_WHY_ESCAPE,
     NULL},
    {"escape unshare in filesystem", P_FS, "unshare", {0}, W_NOTIFY, VXE_WHY_ESCAPE, NULL},
    {"escape userfaultfd in strict", P_STRICT, "userfaultfd", {0}, W_NOTIFY, VXE_WHY_ESCAPE, NULL},
    {"ptrace named in strict", P_STRICT, "ptrace", {16}, W_ALLOW, 0, NULL},
    {"socket allowed in filesystem", P_FS, "socket", {AF_PACKET, SOCK_RAW}, W_ALLOW, 0, NULL},

    /* An integer predicate compiled into the filter. */
    {"socket AF_INET stream", P_STRICT, "socket", {AF_INET, SOCK_STREAM}, W_ALLOW, 0, NULL},
    {"socket AF_INET6 stream|cloexec",
     P_STRICT,
     "socket",
     {AF_INET6, SOCK_STREAM | SOCK_CLOEXEC},
     W_ALLOW,
     0,
     NULL},
    {"socket AF_INET dgram", P_STRICT, "socket", {AF_INET, SOCK_DGRAM}, W_NOTIFY, 0, NULL},
    {"socket AF_PACKET", P_STRICT, "socket", {AF_PACKET, SOCK_STREAM}, W_NOTIFY, 0, NULL},
    {"socket AF_NETLINK", P_STRICT, "socket", {AF_NETLINK, SOCK_STREAM}, W_NOTIFY, 0, NULL},
    {"socket AF_INET with garbage upper half (kernel reads AF_INET)",
     P_STRICT,
     "socket",
     {HI | AF_INET, SOCK_STREAM},
     W_ALLOW,
     0,
     NULL},
    {"socket AF_PACKET+2^32 (kernel reads AF_PACKET)",
     P_STRICT,
     "socket",
     {(1ull << 32) | AF_PACKET, SOCK_STREAM},
     W_NOTIFY,
     0,
     NULL},

    /* 32-bit arguments by their low half. */
    {"fcntl F_GETFL", P_STRICT, "fcntl", {3, F_GETFL}, W_ALLOW, 0, NULL},
    {"fcntl F_GETFL|0xffffffff00000000", P_STRICT, "fcntl", {3, HI | F_GETFL}, W_ALLOW, 0, NULL},
    {"fcntl F_SETFL", P_STRICT, "fcntl", {3, F_SETFL}, W_NOTIFY, VXE_WHY_INTCHECK, NULL},
    {"fcntl F_SETFL+2^32", P_STRICT, "fcntl", {3, (1ull << 32) | F_SETFL}, W_NOTIFY, 0, NULL},
    {"(/= newfd 0), newfd 5", P_STRICT, "dup2", {3, 5}, W_PASS, 0, NULL},
    {"(/= newfd 0), newfd 0", P_STRICT, "dup2", {3, 0}, W_NOTIFY, 0, NULL},
    {"(/= newfd 0), newfd 2^32 (kernel reads 0)",
     P_STRICT,
     "dup2",
     {3, 1ull << 32},
     W_NOTIFY,
     0,
     NULL},
    {"(/= newfd 0), newfd 0xffffffff00000000 (kernel reads 0)",
     P_STRICT,
     "dup2",
     {3, HI},
     W_NOTIFY,
     0,
     NULL},
    {"(/= newfd 0), newfd -1", P_STRICT, "dup2", {3, 0xffffffffu}, W_PASS, 0, NULL},
    /* A constant that no 32-bit value equals: the predicate is never true,
     * so the filter must not allow the value with the same low half. */
    {"(= cmd 2^32+1) never holds for a 32-bit cmd: cmd 1 refused",
     P_WIDE,
     "fcntl",
     {3, 1},
     W_NOTIFY,
     0,
     NULL},
    {"(/= cmd 2^32+1) always holds for a 32-bit cmd: cmd 1 passes",
     P_WIDE_NE,
     "fcntl",
     {3, 1},
     W_PASS,
     0,
     NULL},
    {"64-bit argument compared on all 64 bits (offset 2^32+1)",
     P_STRICT,
     "lseek",
     {3, (1ull << 32) | 1},
     W_ALLOW,
     0,
     NULL},
    {"64-bit argument compared on all 64 bits (offset 1)",
     P_STRICT,
     "lseek",
     {3, 1},
     W_NOTIFY,
     0,
     NULL},
    {"(> offset 100), offset 101", P_STRICT, "lseek", {3, 101}, W_PASS, 0, NULL},

    /* ioctl: TIOCSTI/TIOCLINUX closed, by the low 32 bits. */
    {"ioctl TIOCSTI", P_STRICT, "ioctl", {0, TIOCSTI}, W_NOTIFY, VXE_WHY_ESCAPE, NULL},
    {"ioctl TIOCLINUX", P_STRICT, "ioctl", {0, TIOCLINUX}, W_NOTIFY, 0, NULL},
    {"ioctl 0x100005412", P_STRICT, "ioctl", {0, 0x100005412ull}, W_NOTIFY, 0, NULL},
    {"ioctl 0xffffffff00005412", P_STRICT, "ioctl", {0, HI | TIOCSTI}, W_NOTIFY, 0, NULL},
    {"ioctl 0x10000541c", P_STRICT, "ioctl", {0, (1ull << 32) | TIOCLINUX}, W_NOTIFY, 0, NULL},
    {"ioctl TIOCGWINSZ", P_STRICT, "ioctl", {0, TIOCGWINSZ}, W_ALLOW, 0, NULL},
    {"ioctl FIONREAD", P_STRICT, "ioctl", {0, FIONREAD}, W_ALLOW, 0, NULL},
    {"ioctl TCGETS", P_STRICT, "ioctl", {0, TCGETS}, W_ALLOW, 0, NULL},
    {"ioctl FIONBIO (between nothing)", P_STRICT, "ioctl", {0, FIONBIO}, W_ALLOW, 0, NULL},
    {"ioctl 0xffffffffc0045401 (sign-extended)",
     P_STRICT,
     "ioctl",
     {0, 0xffffffffc0045401ull},
     W_ALLOW,
     0,
     NULL},
    {"ioctl 0xc0045401 (zero-extended)", P_STRICT, "ioctl", {0, 0xc0045401ull}, W_ALLOW, 0, NULL},
    {"ioctl TIOCSTI in filesystem", P_FS, "ioctl", {0, TIOCSTI}, W_NOTIFY, VXE_WHY_ESCAPE, NULL},
    {"ioctl TIOCGWINSZ in filesystem", P_FS, "ioctl", {0, TIOCGWINSZ}, W_ALLOW, 0, NULL},
    {"ioctl TIOCSTI, predicate on fd only (names no request)",
     P_CLONE_PRED,
     "ioctl",
     {0, TIOCSTI},
     W_NOTIFY,
     0,
     NULL},

    /* Namespace flags. */
    {"clone CLONE_NEWUSER|SIGCHLD",
     P_STRICT,
     "clone",
     {CLONE_NEWUSER | SIGCHLD},
     W_NOTIFY,
     VXE_WHY_ESCAPE,
     NULL},
    {"clone CLONE_NEWNET", P_STRICT, "clone", {CLONE_NEWNET | SIGCHLD}, W_NOTIFY, 0, NULL},
    {"clone fork flags",
     P_STRICT,
     "clone",
     {CLONE_CHILD_SETTID | CLONE_CHILD_CLEARTID | SIGCHLD},
     W_ALLOW,
     0,
     NULL},
    {"clone thread flags",
     P_STRICT,
     "clone",
     {CLONE_VM | CLONE_FS | CLONE_FILES | CLONE_SIGHAND | CLONE_THREAD | CLONE_SYSVSEM |
      CLONE_SETTLS | CLONE_PARENT_SETTID | CLONE_CHILD_CLEARTID},
     W_ALLOW,
     0,
     NULL},
    {"unshare CLONE_NEWUSER", P_STRICT, "unshare", {CLONE_NEWUSER}, W_NOTIFY, VXE_WHY_ESCAPE, NULL},
    {"unshare CLONE_FILES", P_STRICT, "unshare", {CLONE_FILES}, W_ALLOW, 0, NULL},
    {"clone CLONE_NEWUSER in filesystem",
     P_FS,
     "clone",
     {CLONE_NEWUSER | SIGCHLD},
     W_NOTIFY,
     VXE_WHY_ESCAPE,
     NULL},
    {"clone fork flags in filesystem", P_FS, "clone", {SIGCHLD}, W_ALLOW, 0, NULL},
    {"clone CLONE_NEWUSER, predicate that names no namespace flag",
     P_CLONE_PRED,
     "clone",
     {CLONE_NEWUSER | SIGCHLD},
     W_NOTIFY,
     0,
     NULL},
    {"clone SIGCHLD, own predicate", P_CLONE_PRED, "clone", {SIGCHLD}, W_ALLOW, 0, NULL},

    /* Probes and the rest. */
    {"clone3 in strict", P_STRICT, "clone3", {0}, W_ENOSYS, 0, NULL},
    {"clone3 in filesystem", P_FS, "clone3", {0}, W_ENOSYS, 0, NULL},
    {"(< sig 5), sig 1", P_STRICT, "kill", {1, 1}, W_PASS, 0, NULL},
    {"(< sig 5), sig 9", P_STRICT, "kill", {1, 9}, W_NOTIFY, 0, NULL},
    {"(< sig 5), sig 5", P_STRICT, "kill", {1, 5}, W_NOTIFY, 0, NULL},
    {"(< sig 5), sig 9+2^32 (kernel reads 9)",
     P_STRICT,
     "kill",
     {1, (1ull << 32) | 9},
     W_NOTIFY,
     0,
     NULL},
    {"(< sig 5), sig 1+2^32 (kernel reads 1)",
     P_STRICT,
     "kill",
     {1, (1ull << 32) | 1},
     W_PASS,
     0,
     NULL},
    {"(< sig 5), sig -1 (signed, as Lisp reads an int)",
     P_STRICT,
     "kill",
     {1, 0xffffffffu},
     W_PASS,
     0,
     NULL},
    {"(< sig 5), sig 0x80000000 (INT_MIN)", P_STRICT, "kill", {1, 0x80000000u}, W_PASS, 0, NULL},
    {"(< sig 5), sig 0x7fffffff", P_STRICT, "kill", {1, 0x7fffffffu}, W_NOTIFY, 0, NULL},
    {"(> offset 100) on a 64-bit argument, offset -1",
     P_STRICT,
     "lseek",
     {3, UINT64_MAX},
     W_NOTIFY,
     0,
     NULL},
    {"execve permitted: still notified", P_STRICT, "execve", {0}, W_NOTIFY, VXE_WHY_EXEC, NULL},
    {"execve in filesystem: notified", P_FS, "execve", {0}, W_NOTIFY, VXE_WHY_EXEC, NULL},
    {"openat with files rules -> supervisor",
     P_STRICT,
     "openat",
     {0},
     W_NOTIFY,
     VXE_WHY_FILES,
     NULL},
    {"openat in filesystem -> supervisor", P_FS, "openat", {0}, W_NOTIFY, VXE_WHY_FILES, NULL},
};

/* A TAP TODO line: reported, expected to fail until fixed; not counted as a
 * failure in the exit status. */
static int todo_ok(int cond, const char *name, const char *why)
{
	printf("%sok %d - %s # TODO %s\n", cond ? "" : "not ", ++tap_n, name, why);
	fflush(stdout);
	return cond;
}

static struct vxe_plan *plan_of(const char *src, enum vxe_mode mode, struct vxe_policy **pp)
{
	char err[512];
	if (vxe_policy_load_string("t.vxed", src, strlen(src), pp, err, sizeof err) < 0) {
		tap_diag("load: %s", err);
		return NULL;
	}
	struct vxe_plan *plan = vxe_plan_new(*pp, mode, err, sizeof err);
	if (!plan)
		tap_diag("plan: %s", err);
	return plan;
}

static enum want decide(const struct vxe_plan *plan, int nr, const uint64_t args[6])
{
	const struct vxe_plan_sys *s = &plan->sys[nr];
	switch (s->act) {
	case VXE_F_ALLOW:
		return W_ALLOW;
	case VXE_F_ALLOW_IF:
		return vxe_conj_match(s->conj, s->nconj, args) ? W_ALLOW : W_NOTIFY;
	case VXE_F_ERRNO:
		return s->err == ENOSYS ? W_ENOSYS : W_ERRNO;
	case VXE_F_NOTIFY:
	default:
		return W_NOTIFY;
	}
}

static void run_case(const struct tcase *c, enum vxe_mode mode)
{
	struct vxe_policy *p = NULL;
	struct vxe_plan *plan = plan_of(c->policy, mode, &p);
	int nr = seccomp_syscall_resolve_name_arch(SCMP_ARCH_X86_64, c->syscall);
	const char *m = vxe_mode_name(mode);
	char name[256];
	snprintf(name, sizeof name, "%s [%s]: %s", c->what, m, want_name[c->want]);
	if (!plan || nr < 0 || nr >= VXE_NR_MAX) {
		tap_ok(0, "%s (no plan or syscall %s)", name, c->syscall);
		vxe_plan_free(plan);
		vxe_policy_free(p);
		return;
	}
	enum want got = decide(plan, nr, c->args);
	const struct vxe_plan_sys *s = &plan->sys[nr];
	bool ok = got == c->want;
	if (c->want == W_PASS)
		ok = got == W_ALLOW || (got == W_NOTIFY && (s->why & VXE_WHY_PREDICATE) &&
					!(s->why & VXE_WHY_INTCHECK));
	if (ok && c->want == W_NOTIFY && c->why && (s->why & c->why) != c->why)
		ok = false;
	if (!(c->todo ? todo_ok(ok, name, c->todo) : tap_ok(ok, "%s", name)))
		tap_diag(
		    "%s args[0]=%#llx args[1]=%#llx: got %s (act %d, why %#x, err %d, %u conj)",
		    c->syscall, (unsigned long long)c->args[0], (unsigned long long)c->args[1],
		    want_name[got], s->act, s->why, s->err, s->nconj);
	vxe_plan_free(plan);
	vxe_policy_free(p);
}

/* Plan details that are not one filter decision. */
static void test_details(void)
{
	struct vxe_policy *p = NULL;
	struct vxe_plan *plan = plan_of(P_STRICT, VXE_MODE_PRODUCTION, &p);
	if (!plan) {
		tap_ok(0, "P_STRICT compiles");
		return;
	}
	int sock = seccomp_syscall_resolve_name("socket");
	tap_ok(plan->sys[sock].err == EAFNOSUPPORT, "refused socket answers EAFNOSUPPORT (got %d)",
	       plan->sys[sock].err);
	int gp = seccomp_syscall_resolve_name("getpid");
	tap_ok(plan->sys[gp].err == EPERM, "refused getpid answers EPERM (got %d)",
	       plan->sys[gp].err);
	int oa = seccomp_syscall_resolve_name("openat");
	tap_ok(plan->sys[oa].layer == VXE_LAYER_LANDLOCK, "openat with files: landlock layer");
	/* Every conjunction the plan emits is one libseccomp can take: at most
	 * one comparison per argument, no ordering on a 32-bit argument. */
	bool sound = true;
	for (int nr = 0; nr < VXE_NR_MAX; nr++) {
		const struct vxe_plan_sys *s = &plan->sys[nr];
		for (unsigned i = 0; i < s->nconj; i++) {
			unsigned seen = 0;
			for (unsigned k = 0; k < s->conj[i].n; k++) {
				const struct vxe_cmp *c = &s->conj[i].cmp[k];
				if (seen & (1u << c->arg))
					sound = false;
				seen |= 1u << c->arg;
				if (c->is32 && c->op != VXE_CMP_EQ && c->op != VXE_CMP_MASKED_EQ)
					sound = false;
			}
		}
	}
	tap_ok(sound, "conjunctions: one comparison per argument, no 32-bit ordering");
	vxe_plan_free(plan);
	vxe_policy_free(p);

	/* Soft mode: the same filter decisions; files go to the supervisor. */
	plan = plan_of(P_STRICT, VXE_MODE_SOFT, &p);
	if (plan) {
		tap_ok(plan->sys[oa].act == VXE_F_NOTIFY &&
			   plan->sys[oa].layer == VXE_LAYER_SUPERVISOR,
		       "soft: openat with files: supervisor");
		tap_ok(plan->ll.handle_fs == 0 && plan->ll.npaths == 0, "soft: no Landlock part");
	}
	vxe_plan_free(plan);
	vxe_policy_free(p);
}

int main(void)
{
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		run_case(&cases[i], VXE_MODE_PRODUCTION);
		run_case(&cases[i], VXE_MODE_SOFT);
	}
	test_details();
	return tap_done();
}
