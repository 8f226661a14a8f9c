/* The policy compiler: a pure function from a loaded VXED and a mode to an
 * enforcement plan. It decides, syscall by syscall, the fastest layer that
 * can decide correctly:
 *   - the seccomp filter, for numbers and for predicates over integer
 *     arguments that reduce to comparisons libseccomp can express;
 *   - Landlock, for files and TCP network rules (production only: Landlock
 *     cannot log-and-allow, so soft mode asks the supervisor instead);
 *   - the supervisor, for Lisp predicates and for logging every violation.
 * Nothing here touches the kernel.
 */
#include <errno.h>
#include <linux/sched.h>
#include <netinet/in.h>
#include <seccomp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/stat.h>

#include "compile/compile_internal.h"
#include "vxe/plan.h"

const char *vxe_layer_name(enum vxe_layer l)
{
	static const char *const names[] = {
	    [VXE_LAYER_KERNEL] = "kernel filter",  [VXE_LAYER_LANDLOCK] = "landlock",
	    [VXE_LAYER_SUPERVISOR] = "supervisor", [VXE_LAYER_EMULATED] = "emulated",
	    [VXE_LAYER_ADVISORY] = "advisory",
	};
	return l < sizeof names / sizeof names[0] ? names[l] : "?";
}

/* Calls whose path argument the files rules govern, with the access each
 * needs. `landlock` says whether Landlock enforces it in the kernel; the
 * rest (metadata changes) can only be checked by the supervisor on its copy
 * of the path, so in production they are advisory. open-family access comes
 * from the flags at run time (access 0 here). */
static const struct vxe_file_call file_calls[] = {
    {"open", 0, 0, true},
    {"openat", 1, 0, true},
    {"openat2", 1, 0, true},
    {"creat", 0, VXE_FS_WRITE, true},
    {"execve", 0, VXE_FS_EXECUTE, true},
    {"execveat", 1, VXE_FS_EXECUTE, true},
    {"mkdir", 0, VXE_FS_WRITE, true},
    {"mkdirat", 1, VXE_FS_WRITE, true},
    {"mknod", 0, VXE_FS_WRITE, true},
    {"mknodat", 1, VXE_FS_WRITE, true},
    {"unlink", 0, VXE_FS_WRITE, true},
    {"unlinkat", 1, VXE_FS_WRITE, true},
    {"rmdir", 0, VXE_FS_WRITE, true},
    {"rename", 0, VXE_FS_WRITE, true},
    {"renameat", 1, VXE_FS_WRITE, true},
    {"renameat2", 1, VXE_FS_WRITE, true},
    {"link", 0, VXE_FS_WRITE, true},
    {"linkat", 1, VXE_FS_WRITE, true},
    {"symlink", 1, VXE_FS_WRITE, true},
    {"symlinkat", 2, VXE_FS_WRITE, true},
    {"truncate", 0, VXE_FS_WRITE, true},
    {"fchmodat2", 1, VXE_FS_WRITE, false},
    {"futimesat", 1, VXE_FS_WRITE, false},
    {"chmod", 0, VXE_FS_WRITE, false},
    {"fchmodat", 1, VXE_FS_WRITE, false},
    {"chown", 0, VXE_FS_WRITE, false},
    {"lchown", 0, VXE_FS_WRITE, false},
    {"fchownat", 1, VXE_FS_WRITE, false},
    {"utime", 0, VXE_FS_WRITE, false},
    {"utimes", 0, VXE_FS_WRITE, false},
    {"utimensat", 1, VXE_FS_WRITE, false},
    {"setxattr", 0, VXE_FS_WRITE, false},
    {"lsetxattr", 0, VXE_FS_WRITE, false},
    {"removexattr", 0, VXE_FS_WRITE, false},
    {"lremovexattr", 0, VXE_FS_WRITE, false},
};

const struct vxe_file_call *vxe_file_call(const char *name)
{
	if (!name)
		return NULL;
	for (size_t i = 0; i < sizeof file_calls / sizeof file_calls[0]; i++)
		if (strcmp(file_calls[i].name, name) == 0)
			return &file_calls[i];
	return NULL;
}

static int add_conj(struct vxe_plan_sys *s, const struct vxe_conj *c)
{
	struct vxe_conj *n = reallocarray(s->conj, s->nconj + 1, sizeof *n);
	if (!n)
		return -ENOMEM;
	s->conj = n;
	s->conj[s->nconj++] = *c;
	return 0;
}

/* Adds conjunctions that allow argument arg exactly in [lo, hi], as aligned
 * power-of-two blocks, each one masked comparison of all 64 bits. */
static int add_range(struct vxe_plan_sys *s, uint8_t arg, uint64_t lo, uint64_t hi)
{
	while (lo <= hi) {
		unsigned k = lo ? (unsigned)__builtin_ctzll(lo) : 64;
		while (k > 0 &&
		       (k >= 64 || lo + ((1ull << k) - 1) > hi || lo + ((1ull << k) - 1) < lo))
			k--;
		uint64_t size_m1 = k >= 64 ? UINT64_MAX : (1ull << k) - 1;
		struct vxe_conj c = {.n = 1,
				     .cmp = {{arg, VXE_CMP_MASKED_EQ, false, ~size_m1, lo}}};
		int rc = add_conj(s, &c);
		if (rc)
			return rc;
		if (lo + size_m1 == UINT64_MAX)
			break;
		lo += size_m1 + 1;
	}
	return 0;
}

/* Does the predicate body name one of these constants? Naming the argument
 * is not enough to open an escape: the VXED must name the very flag or
 * request, so that its author has seen it. */
static bool mentions(const vl_value *v, const char *const *names, int depth)
{
	if (depth > 64)
		return false;
	const char *sym = vl_symbol_name(v);
	for (unsigned i = 0; sym && names[i]; i++)
		if (strcmp(sym, names[i]) == 0)
			return true;
	for (; vl_typeof(v) == VL_CONS; v = vl_cdr(v))
		if (mentions(vl_car(v), names, depth + 1))
			return true;
	return false;
}

/* The filter rules that let clone/unshare or ioctl through only without
 * their escape-set arguments. */
enum closure { CLOSE_NS, CLOSE_TTY, CLOSE_DEV };

/* The escape-set arguments of otherwise ordinary calls: which argument
 * (its index in the syscall table), and the constants a predicate must name
 * to open them (see mentions). */
static const char *const dev_names[] = {"S_IFCHR", "S_IFBLK", NULL};
static const char *const ns_names[] = {"CLONE_NEWNS",	  "CLONE_NEWUSER", "CLONE_NEWPID",
				       "CLONE_NEWNET",	  "CLONE_NEWUTS",  "CLONE_NEWIPC",
				       "CLONE_NEWCGROUP", "CLONE_NEWTIME", NULL};
static const char *const tty_names[] = {"TIOCSTI", "TIOCLINUX", NULL};
static const struct escape_arg {
	const char *syscall;
	unsigned arg;
	enum closure kind;
} escape_args[] = {
    {"clone", 0, CLOSE_NS},  {"unshare", 0, CLOSE_NS},	{"ioctl", 1, CLOSE_TTY},
    {"mknod", 1, CLOSE_DEV}, {"mknodat", 2, CLOSE_DEV},
};
/* mknod: the file types that are not devices (the rest stay closed). */
static const unsigned dev_ok_types[] = {0, S_IFREG, S_IFIFO, S_IFSOCK};

static const struct escape_arg *escape_arg(const char *syscall)
{
	for (size_t i = 0; syscall && i < sizeof escape_args / sizeof escape_args[0]; i++)
		if (strcmp(escape_args[i].syscall, syscall) == 0)
			return &escape_args[i];
	return NULL;
}

bool vxe_escape_value(const char *syscall, const char *arg, int64_t v)
{
	const struct escape_arg *e = escape_arg(syscall);
	const struct vxe_syscall_info *info = e ? vxe_syscall_by_name(syscall) : NULL;
	if (!info || !arg || e->arg >= info->nargs || strcmp(info->args[e->arg].name, arg) != 0)
		return false;
	if (e->kind == CLOSE_NS)
		return ((uint64_t)v & VXE_NS_FLAGS) != 0;
	if (e->kind == CLOSE_TTY) /* the kernel reads an unsigned int */
		return (uint32_t)v == TIOCSTI || (uint32_t)v == TIOCLINUX;
	unsigned type = (unsigned)v & S_IFMT;
	for (size_t i = 0; i < sizeof dev_ok_types / sizeof dev_ok_types[0]; i++)
		if (type == dev_ok_types[i])
			return false;
	return true;
}

static int escape_closure(struct vxe_plan_sys *s, enum closure kind, unsigned arg)
{
	s->act = VXE_F_ALLOW_IF;
	if (kind == CLOSE_DEV) {
		/* mknod: any file type but character and block devices. */
		int rc = 0;
		for (size_t i = 0; i < sizeof dev_ok_types / sizeof dev_ok_types[0] && rc == 0;
		     i++) {
			struct vxe_conj c = {.n = 1,
					     .cmp = {{(uint8_t)arg, VXE_CMP_MASKED_EQ, true, S_IFMT,
						      dev_ok_types[i]}}};
			rc = add_conj(s, &c);
		}
		return rc;
	}
	if (kind == CLOSE_NS) {
		struct vxe_conj c = {.n = 1,
				     .cmp = {{0, VXE_CMP_MASKED_EQ, true, VXE_NS_FLAGS, 0}}};
		return add_conj(s, &c);
	}
	/* TIOCSTI and TIOCLINUX push input into a terminal that another
	 * process reads (CVE-2017-5226). The kernel reads the request as an
	 * unsigned int, but the filter sees 64 bits whose upper half the
	 * caller chooses, so "request != TIOCSTI" would pass 0x1_00005412.
	 * Only sound ranges are allowed in the filter: below TIOCSTI, each
	 * value between the pair, above TIOCLINUX with a zero upper half, and
	 * sign-extended negative ints. The rest (garbage upper halves) reaches
	 * the supervisor, which reads the low half. */
	struct vxe_conj c = {.n = 1, .cmp = {{1, VXE_CMP_LT, false, 0, TIOCSTI}}};
	int rc = add_conj(s, &c);
	for (unsigned v = TIOCSTI + 1; v < TIOCLINUX && rc == 0; v++) {
		c.cmp[0] = (struct vxe_cmp){1, VXE_CMP_EQ, false, 0, v};
		rc = add_conj(s, &c);
	}
	if (rc == 0)
		rc = add_range(s, 1, TIOCLINUX + 1, 0xffffffffu);
	if (rc == 0)
		rc = add_range(s, 1, 0xffffffff80000000u, UINT64_MAX);
	return rc;
}

/* ANDs one comparison into a conjunction: 1, 0 if unsatisfiable, -1 if one
 * filter rule cannot express it. Two masked equalities on one argument
 * merge exactly when they agree where their masks overlap; an equality
 * absorbs a masked equality it satisfies. */
static int conj_add(struct vxe_conj *c, const struct vxe_cmp *y)
{
	for (unsigned k = 0; k < c->n; k++) {
		struct vxe_cmp *x = &c->cmp[k];
		if (x->arg != y->arg)
			continue;
		if (x->is32 != y->is32)
			return -1;
		uint64_t w = x->is32 ? 0xffffffffu : UINT64_MAX;
		if (x->op == VXE_CMP_MASKED_EQ && y->op == VXE_CMP_MASKED_EQ) {
			if (((x->value & y->mask) ^ (y->value & x->mask)) & w)
				return 0;
			x->mask |= y->mask;
			x->value |= y->value;
			return 1;
		}
		if (x->op == VXE_CMP_EQ && y->op == VXE_CMP_MASKED_EQ)
			return ((x->value & y->mask) & w) == (y->value & w) ? 1 : 0;
		if (x->op == VXE_CMP_MASKED_EQ && y->op == VXE_CMP_EQ) {
			if (((y->value & x->mask) & w) != (x->value & w))
				return 0;
			*x = *y;
			return 1;
		}
		return -1;
	}
	if (c->n >= VXE_MAX_CMP)
		return -1;
	c->cmp[c->n++] = *y;
	return 1;
}

/* s := s AND b, both sets of conjunctions over different arguments.
 * -E2BIG when the product would be too large for a filter. */
static int conj_product(struct vxe_plan_sys *s, const struct vxe_plan_sys *b)
{
	if (s->act == VXE_F_ALLOW) {
		s->conj = malloc(b->nconj * sizeof *s->conj);
		if (!s->conj)
			return -ENOMEM;
		memcpy(s->conj, b->conj, b->nconj * sizeof *s->conj);
		s->nconj = b->nconj;
		s->act = VXE_F_ALLOW_IF;
		return 0;
	}
	size_t n = (size_t)s->nconj * b->nconj;
	if (n > 512)
		return -E2BIG;
	struct vxe_conj *out = calloc(n ? n : 1, sizeof *out);
	if (!out)
		return -ENOMEM;
	size_t k = 0;
	for (unsigned i = 0; i < s->nconj; i++)
		for (unsigned j = 0; j < b->nconj; j++) {
			struct vxe_conj c = s->conj[i];
			int rc = 1;
			for (unsigned m = 0; m < b->conj[j].n && rc > 0; m++)
				rc = conj_add(&c, &b->conj[j].cmp[m]);
			if (rc < 0) {
				free(out);
				return -E2BIG;
			}
			if (rc > 0)
				out[k++] = c;
		}
	free(s->conj);
	s->conj = out;
	s->nconj = (unsigned)k;
	return 0;
}

static int plan_syscall(struct vxe_plan *plan, const struct vxe_policy *p, int nr, char *err,
			size_t errsz)
{
	struct vxe_plan_sys *s = &plan->sys[nr];
	const struct vxe_syscall_info *info = s->info;
	const struct vxe_rule *r = vxe_policy_rule(p, nr);
	unsigned classes = info ? info->classes : 0;
	const char *name = info ? info->name : NULL;
	bool production = plan->mode == VXE_MODE_PRODUCTION;

	s->rule = r;
	s->info = info;
	s->err = info && info->refuse_errno ? info->refuse_errno : p->err;
	if (!info) {
		/* Unknown to VXE (or newer than it): refuse as if absent. */
		s->act = r ? VXE_F_ALLOW : VXE_F_ERRNO;
		s->err = ENOSYS;
		s->layer = r ? VXE_LAYER_KERNEL : VXE_LAYER_EMULATED;
		return 0;
	}

	if (strcmp(info->name, "exit") == 0 || strcmp(info->name, "exit_group") == 0) {
		/* Ending is never a violation: refusing it would only leave a
		 * process that cannot stop (and a trace cut short by a signal
		 * never sees it). */
		s->act = VXE_F_ALLOW;
		s->layer = VXE_LAYER_KERNEL;
		return 0;
	}
	if (r && (r->kind == VXE_RULE_UNCHECKED || r->pred < 0)) {
		s->act = VXE_F_ALLOW;
		s->layer = VXE_LAYER_KERNEL;
	} else if (r) {
		char why[160];
		int rc = vxe_compile_predicate(p, r, s, why, sizeof why);
		if (rc == -ENOMEM)
			return rc;
		if (rc == 0) {
			s->layer = VXE_LAYER_KERNEL;
			s->why |= VXE_WHY_INTCHECK;
		} else {
			s->act = VXE_F_NOTIFY;
			s->why |= VXE_WHY_PREDICATE;
			bool pointer = false;
			for (unsigned i = 0; i < r->nparams; i++) {
				enum vxe_argtype t = info->args[r->param_arg[i]].type;
				pointer |=
				    t == VXE_ARG_PATH || t == VXE_ARG_STR || t == VXE_ARG_SOCKADDR;
			}
			const struct vxe_file_call *fc = vxe_file_call(name);
			/* Open-family: the supervisor opens and injects the fd, so the
			 * decision and the action see the same bytes. Any other pointer
			 * predicate is check-then-continue. */
			bool performs = fc && fc->access == 0;
			s->layer = pointer && !performs ? VXE_LAYER_ADVISORY : VXE_LAYER_SUPERVISOR;
		}
	} else if ((classes & VXE_SC_PROBE) &&
		   (p->type == VXE_TYPE_STRICT || strcmp(name, "clone3") == 0)) {
		/* Refused as absent so libc falls back; in a filesystem VXED
		 * only clone3, whose flags sit behind a pointer the filter
		 * cannot read (namespace flags would pass unseen). */
		s->act = VXE_F_ERRNO;
		s->err = ENOSYS;
		s->layer = VXE_LAYER_EMULATED;
	} else if (p->type == VXE_TYPE_STRICT || (classes & VXE_SC_ESCAPE)) {
		s->act = VXE_F_NOTIFY;
		s->why |= (classes & VXE_SC_ESCAPE) ? VXE_WHY_ESCAPE : VXE_WHY_UNLISTED;
		s->layer = VXE_LAYER_KERNEL; /* refused: the supervisor only logs */
	} else {
		s->act = VXE_F_ALLOW;
		s->layer = VXE_LAYER_KERNEL;
	}

	/* Escape-set arguments of otherwise permitted calls stay closed unless
	 * the VXED's own predicate examines that very argument. */
	const struct escape_arg *ea = escape_arg(name);
	int crit = ea ? (int)ea->arg : -1;
	enum closure kind = ea ? ea->kind : CLOSE_NS;
	bool named = crit >= 0 && r && r->pred >= 0 &&
		     mentions(vl_pinned(p->lisp, r->pred_body),
			      kind == CLOSE_NS	  ? ns_names
			      : kind == CLOSE_TTY ? tty_names
						  : dev_names,
			      0);
	if (crit >= 0 && !named && s->act != VXE_F_ERRNO) {
		s->why |= VXE_WHY_ESCAPE;
		if (s->act == VXE_F_ALLOW || s->act == VXE_F_ALLOW_IF) {
			struct vxe_plan_sys closed = {0};
			int rc = escape_closure(&closed, kind, (unsigned)crit);
			if (rc == 0)
				rc = conj_product(s, &closed);
			free(closed.conj);
			if (rc == -E2BIG) {
				/* Too many rules: the supervisor evaluates both. */
				free(s->conj);
				s->conj = NULL;
				s->nconj = 0;
				s->act = VXE_F_NOTIFY;
				s->layer = VXE_LAYER_SUPERVISOR;
			} else if (rc) {
				return rc;
			}
		}
	}

	/* Files and network overlays: the filter alone cannot see paths or
	 * addresses, so such calls reach the supervisor whenever the VXED has
	 * those rules; in production Landlock is what enforces them. */
	const struct vxe_file_call *fc = vxe_file_call(name);
	if (p->has_files && fc && s->act != VXE_F_NOTIFY && s->act != VXE_F_ERRNO) {
		s->why |= VXE_WHY_FILES;
		s->act = VXE_F_NOTIFY;
		s->layer = fc->landlock && production ? VXE_LAYER_LANDLOCK
			   : production		      ? VXE_LAYER_ADVISORY
						      : VXE_LAYER_SUPERVISOR;
	} else if (p->has_files && fc && s->act == VXE_F_NOTIFY && !(s->why & VXE_WHY_UNLISTED)) {
		s->why |= VXE_WHY_FILES;
	}
	/* Under network rules socket() is seen too: only the kinds of IP
	 * socket the rules can hold may be made (see check_network). */
	if (p->has_network && strcmp(name, "socket") == 0 && s->act == VXE_F_NOTIFY &&
	    !(s->why & VXE_WHY_UNLISTED))
		s->why |= VXE_WHY_NETWORK; /* a Lisp predicate runs there anyway */
	if (p->has_network && strcmp(name, "socket") == 0 && s->act != VXE_F_ERRNO &&
	    s->act != VXE_F_NOTIFY) {
		if (s->act == VXE_F_ALLOW_IF)
			s->why |= VXE_WHY_INTCHECK; /* the supervisor re-runs the predicate */
		free(s->conj);
		s->conj = NULL;
		s->nconj = 0;
		s->act = VXE_F_NOTIFY;
		s->why |= VXE_WHY_NETWORK;
		s->layer = VXE_LAYER_SUPERVISOR;
	}
	/* Sends that name an address are connects for the rules. sendto with
	 * no address (arg 4 NULL: a connected socket, the common case) stays
	 * in the kernel; sendmsg keeps its address behind a pointer. */
	if ((p->has_network || p->has_files) && s->act != VXE_F_ERRNO && s->act != VXE_F_NOTIFY &&
	    (strcmp(name, "sendto") == 0 || strcmp(name, "sendmsg") == 0 ||
	     strcmp(name, "sendmmsg") == 0)) {
		s->why |= VXE_WHY_NETWORK;
		s->layer = VXE_LAYER_SUPERVISOR;
		if (strcmp(name, "sendto") == 0) {
			struct vxe_plan_sys none = {.act = VXE_F_ALLOW_IF};
			struct vxe_conj c = {.n = 1, .cmp = {{4, VXE_CMP_EQ, false, 0, 0}}};
			int rc = add_conj(&none, &c);
			if (rc == 0)
				rc = conj_product(s, &none);
			free(none.conj);
			if (rc == -E2BIG) {
				free(s->conj);
				s->conj = NULL;
				s->nconj = 0;
				s->act = VXE_F_NOTIFY;
			} else if (rc) {
				return rc;
			}
		} else {
			s->act = VXE_F_NOTIFY;
			if (production)
				s->layer = VXE_LAYER_ADVISORY;
		}
	}
	/* connect also names unix socket paths, which the files rules govern. */
	if (((p->has_network && strcmp(name, "bind") == 0) ||
	     ((p->has_network || p->has_files) && strcmp(name, "connect") == 0)) &&
	    s->act != VXE_F_ERRNO) {
		if (s->act != VXE_F_NOTIFY)
			s->layer = production ? VXE_LAYER_LANDLOCK : VXE_LAYER_SUPERVISOR;
		s->act = VXE_F_NOTIFY;
		s->why |= VXE_WHY_NETWORK;
	}
	/* execve is always seen: the supervisor hands over at the first one
	 * (VXE's own start-up) and checks execute rules on the others. */
	if (classes & VXE_SC_EXEC) {
		if (s->act == VXE_F_ALLOW || s->act == VXE_F_ALLOW_IF)
			s->act = VXE_F_NOTIFY;
		s->why |= VXE_WHY_EXEC;
	}
	if (s->act != VXE_F_ALLOW_IF) {
		free(s->conj);
		s->conj = NULL;
		s->nconj = 0;
	}
	return 0;
}

static int plan_landlock(struct vxe_plan *plan, const struct vxe_policy *p)
{
	struct vxe_ll_spec *ll = &plan->ll;
	ll->scope_signal = 1;
	ll->scope_abstract_unix = 1;
	if (p->has_files) {
		struct vxe_ll_path *paths = calloc(p->npaths ? p->npaths : 1, sizeof *paths);
		if (!paths)
			return -ENOMEM;
		for (size_t i = 0; i < p->npaths; i++) {
			paths[i].path = p->paths[i].path;
			paths[i].access = p->paths[i].access;
		}
		ll->handle_fs = 1;
		ll->paths = paths;
		ll->npaths = p->npaths;
	}
	if (p->has_network) {
		uint16_t *bind = calloc(p->nnet + 1, sizeof *bind);
		uint16_t *conn = calloc(p->nnet + 1, sizeof *conn);
		if (!bind || !conn) {
			free(bind);
			free(conn);
			return -ENOMEM;
		}
		ll->bind_tcp = bind;
		ll->connect_tcp = conn;
		ll->handle_net = 1;
		for (size_t i = 0; i < p->nnet; i++) {
			const struct vxe_net_rule *r = &p->net[i];
			if (r->proto != IPPROTO_TCP || r->none)
				continue;
			if (r->any_port) {
				/* "any" cannot be listed port by port: Landlock leaves
				 * this one operation alone; the other stays handled. */
				if (r->op == VXE_NET_CONNECT)
					ll->net_unhandled |= VXE_LL_CONNECT;
				else if (r->op == VXE_NET_BIND)
					ll->net_unhandled |= VXE_LL_BIND;
				continue;
			}
			if (r->op == VXE_NET_BIND)
				bind[ll->nbind++] = r->port;
			else if (r->op == VXE_NET_CONNECT)
				conn[ll->nconnect++] = r->port;
		}
	}
	return 0;
}

/* Trace mode: every call reaches the supervisor to be recorded, except
 *   - the probes libc falls back from (clone3): refused as in enforcement,
 *     so that the trace shows the fallback the VXED will need;
 *   - the calls that must never fail. A notified call that a signal
 *     interrupts before the supervisor has received it fails with EINTR
 *     when the handler lacks SA_RESTART (WAIT_KILLABLE_RECV only protects
 *     it once received), whatever the call. A shell's SIGCHLD handler has
 *     no SA_RESTART: with background jobs ending, its fork failed ("Cannot
 *     fork") and its exit_group returned, which glibc's _exit answers with
 *     hlt (SIGSEGV); a returning rt_sigreturn runs on past the restorer.
 *     So these go through unseen: exit and exit_group (never refused in
 *     any mode, nothing to record); clone without namespace flags and
 *     vfork, reported by the supervisor for each task they made when it
 *     first makes a notified call; rt_sigreturn, reported when a handler
 *     is installed (only a handler's return makes it). fork stays
 *     notified: glibc's fork is clone, and for the rest (musl, raw calls)
 *     a new process could not tell fork from clone. */
static int plan_trace(struct vxe_plan *plan)
{
	for (int nr = 0; nr < VXE_NR_MAX; nr++) {
		struct vxe_plan_sys *s = &plan->sys[nr];
		const char *name = s->info ? s->info->name : "";
		s->act = VXE_F_NOTIFY;
		if (strcmp(name, "clone3") == 0) {
			s->act = VXE_F_ERRNO;
			s->err = ENOSYS;
		} else if (strcmp(name, "exit") == 0 || strcmp(name, "exit_group") == 0 ||
			   strcmp(name, "vfork") == 0 || strcmp(name, "rt_sigreturn") == 0) {
			s->act = VXE_F_ALLOW;
		} else if (strcmp(name, "clone") == 0) {
			/* Namespace flags stay seen: the escape set. */
			int rc = escape_closure(s, CLOSE_NS, 0);
			if (rc < 0)
				return rc;
		}
	}
	return 0;
}

void vxe_plan_trace_counted(struct vxe_plan *plan)
{
	if (plan->mode != VXE_MODE_TRACE)
		return;
	plan->counted = true;
	for (int nr = 0; nr < VXE_NR_MAX; nr++) {
		struct vxe_plan_sys *s = &plan->sys[nr];
		if (s->info && (s->info->classes & VXE_SC_HARMLESS) && s->act == VXE_F_NOTIFY)
			s->act = VXE_F_ALLOW;
	}
}

bool vxe_plan_unseen(const struct vxe_plan *plan, int nr, const uint64_t args[6])
{
	if (nr < 0 || nr >= VXE_NR_MAX)
		return false;
	const struct vxe_plan_sys *s = &plan->sys[nr];
	return s->act == VXE_F_ALLOW ||
	       (s->act == VXE_F_ALLOW_IF && vxe_conj_match(s->conj, s->nconj, args));
}

void vxe_plan_free(struct vxe_plan *plan)
{
	if (!plan)
		return;
	for (unsigned i = 0; i < VXE_NR_MAX; i++)
		free(plan->sys[i].conj);
	free((void *)plan->ll.paths);
	free((void *)plan->ll.bind_tcp);
	free((void *)plan->ll.connect_tcp);
	free(plan->notes);
	free(plan);
}

struct vxe_plan *vxe_plan_new(const struct vxe_policy *p, enum vxe_mode mode, char *err,
			      size_t errsz)
{
	struct vxe_plan *plan = calloc(1, sizeof *plan);
	if (!plan) {
		errno = ENOMEM;
		return NULL;
	}
	plan->mode = mode;
	plan->policy = p;
	/* Number to table entry, from VXE's own table: a libseccomp look-up
	 * per number would be most of the start-up time. */
	for (unsigned i = 0; vxe_syscall_at(i); i++) {
		int nr = vxe_syscall_nr(vxe_syscall_at(i)->name);
		if (nr >= 0 && nr < VXE_NR_MAX)
			plan->sys[nr].info = vxe_syscall_at(i);
	}
	if (mode == VXE_MODE_TRACE) {
		int rc = plan_trace(plan);
		if (rc < 0) {
			vxe_plan_free(plan);
			errno = -rc;
			return NULL;
		}
		return plan;
	}
	for (int nr = 0; nr < VXE_NR_MAX; nr++) {
		int rc = plan_syscall(plan, p, nr, err, errsz);
		if (rc < 0) {
			vxe_plan_free(plan);
			errno = -rc;
			return NULL;
		}
	}
	if (mode == VXE_MODE_PRODUCTION && plan_landlock(plan, p) < 0) {
		vxe_plan_free(plan);
		errno = ENOMEM;
		return NULL;
	}
	return plan;
}

static bool cmp_match(const struct vxe_cmp *c, uint64_t v)
{
	uint64_t want = c->value;
	if (c->is32) {
		v &= 0xffffffffu;
		want &= 0xffffffffu;
	}
	switch (c->op) {
	case VXE_CMP_EQ:
		return v == want;
	case VXE_CMP_NE:
		return v != want;
	case VXE_CMP_LT:
		return v < want;
	case VXE_CMP_LE:
		return v <= want;
	case VXE_CMP_GT:
		return v > want;
	case VXE_CMP_GE:
		return v >= want;
	case VXE_CMP_MASKED_EQ:
		return (v & (c->is32 ? c->mask & 0xffffffffu : c->mask)) == want;
	}
	return false;
}

bool vxe_conj_match(const struct vxe_conj *c, unsigned n, const uint64_t args[6])
{
	for (unsigned i = 0; i < n; i++) {
		bool all = true;
		for (unsigned k = 0; k < c[i].n && all; k++)
			all = cmp_match(&c[i].cmp[k], args[c[i].cmp[k].arg]);
		if (all)
			return true;
	}
	return false;
}
