/* Orderings and inequalities in predicates compile into filter rules that
 * decide exactly as the predicate would, as the kernel reads the argument:
 * signed, and for an int only its low 32 bits, whatever the upper half of
 * the register holds. Checked against the plan's rules without root. */
#include <fcntl.h>
#include <sys/syscall.h>

#include "tap.h"
#include "vxe/plan.h"

static const char policy[] =
    "(vxed \"ord\" :type strict)\n"
    "(permit kill (pid sig) (> pid 0))\n"
    "(permit fcntl (fd cmd arg) (/= cmd F_SETFL))\n"
    "(permit lseek (fd offset whence) (and (< whence 3) (>= offset 0)))\n"
    "(permit dup (oldfd) (< oldfd 5))\n"
    "(permit dup2 (oldfd newfd) (not (<= 10 newfd)))\n"
    "(permit dup3 (oldfd newfd flags) (not (member flags (list O_CLOEXEC))))\n";

static const struct {
	int nr;
	uint64_t a0, a1, a2;
	int want;
	const char *what;
} cases[] = {
    {SYS_kill, 1, 0, 0, 1, "kill pid 1"},
    {SYS_kill, 0, 0, 0, 0, "kill pid 0 (process group)"},
    {SYS_kill, 0x7fffffff, 0, 0, 1, "kill INT32_MAX"},
    {SYS_kill, 0xffffffff, 0, 0, 0, "kill -1 (every process)"},
    {SYS_kill, 0x1ffffffffull, 0, 0, 0, "kill -1 with upper garbage"},
    {SYS_kill, 0x100000001ull, 0, 0, 1, "kill 1 with upper garbage"},
    {SYS_kill, 0x80000000, 0, 0, 0, "kill INT32_MIN"},
    {SYS_fcntl, 0, 4, 0, 0, "fcntl F_SETFL refused"},
    {SYS_fcntl, 0, 0x100000004ull, 0, 0, "fcntl F_SETFL with upper garbage refused"},
    {SYS_fcntl, 0, 3, 0, 1, "fcntl F_GETFL"},
    {SYS_fcntl, 0, 5, 0, 1, "fcntl 5"},
    {SYS_fcntl, 0, UINT64_MAX, 0, 1, "fcntl -1"},
    {SYS_lseek, 0, 0, 2, 1, "lseek SEEK_END at 0"},
    {SYS_lseek, 0, 0, 3, 0, "lseek SEEK_DATA refused"},
    {SYS_lseek, 0, (uint64_t)-1, 0, 0, "lseek negative 64-bit offset refused"},
    {SYS_lseek, 0, 1ull << 40, 0, 1, "lseek large offset"},
    {SYS_lseek, 0, 0, (uint64_t)-1, 1, "lseek whence -1 (< 3 signed)"},
    {SYS_dup, 4, 0, 0, 1, "dup 4"},
    {SYS_dup, 5, 0, 0, 0, "dup 5 refused"},
    {SYS_dup, 0x100000005ull, 0, 0, 0, "dup 5 with upper garbage refused"},
    {SYS_dup2, 0, 9, 0, 1, "dup2 to 9"},
    {SYS_dup2, 0, 10, 0, 0, "dup2 to 10 refused"},
    {SYS_dup3, 0, 1, 0, 1, "dup3 without flags"},
    {SYS_dup3, 0, 1, O_CLOEXEC, 0, "dup3 O_CLOEXEC refused (negated member)"},
    {SYS_dup3, 0, 1, O_CLOEXEC | 0x100000000ull, 0, "dup3 O_CLOEXEC with upper garbage refused"},
};

int main(void)
{
	char err[256];
	struct vxe_policy *p;
	if (!tap_ok(vxe_policy_load_string("ord", policy, sizeof policy - 1, &p, err, sizeof err) ==
			0,
		    "policy loads"))
		return tap_diag("%s", err), tap_done();
	struct vxe_plan *plan = vxe_plan_new(p, VXE_MODE_PRODUCTION, err, sizeof err);
	tap_ok(plan != NULL, "plan builds");
	for (int nr = 0; plan && nr < VXE_NR_MAX; nr++)
		if (plan->sys[nr].rule && plan->sys[nr].rule->pred >= 0)
			tap_ok(plan->sys[nr].act == VXE_F_ALLOW_IF, "%s compiles into the filter",
			       plan->sys[nr].rule->syscall);
	for (unsigned i = 0; plan && i < sizeof cases / sizeof cases[0]; i++) {
		const struct vxe_plan_sys *s = &plan->sys[cases[i].nr];
		uint64_t a[6] = {cases[i].a0, cases[i].a1, cases[i].a2};
		int got = s->act == VXE_F_ALLOW ||
			  (s->act == VXE_F_ALLOW_IF && vxe_conj_match(s->conj, s->nconj, a));
		tap_ok(got == cases[i].want, "%s: %s", cases[i].what,
		       cases[i].want ? "allowed" : "not allowed");
	}
	vxe_plan_free(plan);
	vxe_policy_free(p);
	return tap_done();
}
