/* Compiling permit predicates into the seccomp filter.
 *
 * A predicate compiles when it is a boolean combination (and, or, not) of
 * comparisons of one integer argument with constants that the filter can
 * make exactly as the kernel reads the argument:
 *   (= x C) (/= x C) (eq x C) (zerop x) (member x (list C...))
 *   (= (logand x M) C) (zerop (logand x M)) (flags-set? x M)
 *   (< x C) (<= x C) (> x C) (>= x C)
 * It is rewritten to disjunctive normal form: each conjunction becomes one
 * libseccomp rule, which allows one comparison per argument. Orderings and
 * inequalities are exact only as ranges: Lisp compares signed values, the
 * filter unsigned ones, and for an int argument the kernel reads the low 32
 * bits of a register whose upper half the caller chooses. So a range of the
 * value as Lisp sees it is cut into aligned power-of-two blocks of the raw
 * argument, each one masked equality (of the low half for an int). Anything
 * else (strings, calls to user functions, too many blocks) is left to the
 * supervisor, which runs the predicate itself; that is still exact for
 * integer arguments, since it reads them from the notification, not from the
 * process's memory.
 */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "compile/compile_internal.h"

#define MAX_CONJ 64

struct dnf {
	unsigned n;
	struct vxe_conj c[MAX_CONJ];
};

struct pc {
	const struct vxe_policy *p;
	const struct vxe_rule *r;
	vl_value *params;
	char *why;
	size_t whysz;
	int depth;
};

static int fail(struct pc *pc, const vl_value *at, const char *what)
{
	char form[64];
	vl_print(at, form, sizeof form);
	snprintf(pc->why, pc->whysz, "%s: %s", what, form);
	return -EINVAL;
}

static bool arg32(const struct vxe_rule *r, unsigned arg)
{
	if (!r->info || arg >= r->info->nargs)
		return false;
	enum vxe_argtype t = r->info->args[arg].type;
	return t == VXE_ARG_INT32 || t == VXE_ARG_FD || t == VXE_ARG_DIRFD ||
	       t == VXE_ARG_OPENFLAGS || t == VXE_ARG_MODE;
}

/* The syscall argument a parameter symbol names, or -1. */
static int param_arg(struct pc *pc, const vl_value *v)
{
	const char *name = vl_symbol_name(v);
	if (!name)
		return -1;
	unsigned i = 0;
	for (const vl_value *l = pc->params; !vl_is_nil(l); l = vl_cdr(l), i++) {
		const char *pn = vl_symbol_name(vl_car(l));
		if (pn && strcmp(pn, name) == 0)
			return pc->r->param_arg[i];
	}
	return -1;
}

/* Evaluates a constant expression: integer, named constant, or logior /
 * logand / lognot of constants. */
static bool constant(struct pc *pc, const vl_value *v, int64_t *out)
{
	switch (vl_typeof(v)) {
	case VL_INT:
		*out = vl_int(v);
		return true;
	case VL_SYMBOL: {
		if (param_arg(pc, v) >= 0)
			return false;
		const struct vxe_const *c = vxe_const_by_name(vl_symbol_name(v));
		if (!c)
			return false;
		*out = c->value;
		return true;
	}
	case VL_CONS: {
		const char *op = vl_symbol_name(vl_car(v));
		if (!op || vl_list_length(v) < 2)
			return false;
		bool ior = strcmp(op, "logior") == 0, and = strcmp(op, "logand") == 0;
		if (strcmp(op, "lognot") == 0 && vl_list_length(v) == 2) {
			int64_t x;
			if (!constant(pc, vl_car(vl_cdr(v)), &x))
				return false;
			*out = ~x;
			return true;
		}
		if (!ior && !and)
			return false;
		int64_t acc = and? -1 : 0;
		for (const vl_value *l = vl_cdr(v); !vl_is_nil(l); l = vl_cdr(l)) {
			int64_t x;
			if (!constant(pc, vl_car(l), &x))
				return false;
			acc = and? (acc & x) : (acc | x);
		}
		*out = acc;
		return true;
	}
	default:
		return false;
	}
}

static void dnf_true(struct dnf *d)
{
	d->n = 1;
	d->c[0].n = 0;
}

static int atom(struct pc *pc, struct dnf *d, int arg, enum vxe_cmp_op op, uint64_t mask,
		uint64_t value)
{
	/* The kernel reads an int argument by its low 32 bits, while the
	 * filter sees all 64 and the upper half is the caller's to choose: an
	 * inequality would pass 0x1_00000000|v for a refused v. Equalities are
	 * compiled masked to the low half, which is exact; inequalities on
	 * such arguments go to the supervisor, which reads the low half. */
	bool w32 = arg32(pc->r, (unsigned)arg);
	if (op == VXE_CMP_NE && w32)
		return fail(pc, pc->params, "inequality on a 32-bit argument");
	/* Lisp sees an int argument sign-extended from its low half: a
	 * constant outside the int range can never equal it, and a mask
	 * reaching into the upper half would test copies of the sign bit. */
	if (w32 && op == VXE_CMP_EQ && ((int64_t)value < INT32_MIN || (int64_t)value > INT32_MAX)) {
		d->n = 0;
		return 0;
	}
	if (w32 && op == VXE_CMP_MASKED_EQ) {
		if (mask > 0xffffffffu)
			return fail(pc, pc->params, "mask wider than a 32-bit argument");
		if (value & ~mask) {
			d->n = 0; /* bits outside the mask: never equal */
			return 0;
		}
	}
	d->n = 1;
	d->c[0].n = 1;
	d->c[0].cmp[0] = (struct vxe_cmp){.arg = (uint8_t)arg,
					  .op = (uint8_t)op,
					  .is32 = arg32(pc->r, (unsigned)arg),
					  .mask = mask,
					  .value = value};
	return 0;
}

/* ANDs conjunction b into a; false if the result is unsatisfiable, -1 if the
 * filter cannot express it. */
static int conj_and(struct vxe_conj *a, const struct vxe_conj *b)
{
	for (unsigned i = 0; i < b->n; i++) {
		const struct vxe_cmp *y = &b->cmp[i];
		struct vxe_cmp *x = NULL;
		for (unsigned k = 0; k < a->n; k++)
			if (a->cmp[k].arg == y->arg)
				x = &a->cmp[k];
		if (!x) {
			if (a->n >= VXE_MAX_CMP)
				return -1;
			a->cmp[a->n++] = *y;
			continue;
		}
		if (x->op == y->op && x->value == y->value && x->mask == y->mask)
			continue;
		if (x->op == VXE_CMP_EQ && y->op == VXE_CMP_EQ)
			return 0;
		if (x->op == VXE_CMP_EQ && y->op == VXE_CMP_NE)
			return x->value == y->value ? 0 : 1;
		if (x->op == VXE_CMP_NE && y->op == VXE_CMP_EQ) {
			if (x->value == y->value)
				return 0;
			*x = *y;
			continue;
		}
		return -1;
	}
	return 1;
}

static int dnf_or(struct pc *pc, const vl_value *at, struct dnf *a, const struct dnf *b)
{
	if (a->n + b->n > MAX_CONJ)
		return fail(pc, at, "too many alternatives for the filter");
	memcpy(&a->c[a->n], b->c, b->n * sizeof b->c[0]);
	a->n += b->n;
	return 0;
}

static int dnf_and(struct pc *pc, const vl_value *at, struct dnf *a, const struct dnf *b)
{
	static const struct dnf empty;
	struct dnf out = empty;
	for (unsigned i = 0; i < a->n; i++)
		for (unsigned k = 0; k < b->n; k++) {
			struct vxe_conj c = a->c[i];
			int rc = conj_and(&c, &b->c[k]);
			if (rc < 0)
				return fail(pc, at,
					    "two checks of one argument the filter cannot combine");
			if (rc == 0)
				continue;
			if (out.n >= MAX_CONJ)
				return fail(pc, at, "too many alternatives for the filter");
			out.c[out.n++] = c;
		}
	*a = out;
	return 0;
}

static int compile(struct pc *pc, const vl_value *e, bool neg, struct dnf *d);

/* ORs into d the blocks covering raw values [lo, hi] (unsigned, inclusive). */
static int add_blocks(struct pc *pc, const vl_value *e, struct dnf *d, int arg, bool w32,
		      uint64_t lo, uint64_t hi)
{
	uint64_t width = w32 ? 0xffffffffu : UINT64_MAX;
	while (lo <= hi) {
		unsigned k = lo ? (unsigned)__builtin_ctzll(lo) : 64;
		if (w32 && k > 32)
			k = 32;
		uint64_t span = k >= 64 ? UINT64_MAX : (1ull << k) - 1;
		while (span && (lo + span < lo || lo + span > hi))
			span >>= 1;
		if (d->n >= MAX_CONJ)
			return fail(pc, e, "range needs too many filter rules");
		d->c[d->n].n = 1;
		d->c[d->n].cmp[0] = (struct vxe_cmp){.arg = (uint8_t)arg,
						     .op = VXE_CMP_MASKED_EQ,
						     .is32 = w32,
						     .mask = width & ~span,
						     .value = lo};
		d->n++;
		if (lo + span >= hi)
			break;
		lo += span + 1;
	}
	return 0;
}

/* The argument lies in the signed interval [lo, hi] as Lisp sees it (an int
 * argument sign-extended from its low 32 bits). */
static int range(struct pc *pc, const vl_value *e, struct dnf *d, int arg, int64_t lo, int64_t hi)
{
	bool w32 = arg32(pc->r, (unsigned)arg);
	d->n = 0;
	if (w32) {
		lo = lo < INT32_MIN ? INT32_MIN : lo;
		hi = hi > INT32_MAX ? INT32_MAX : hi;
	}
	if (lo > hi)
		return 0;
	uint64_t mask = w32 ? 0xffffffffu : UINT64_MAX;
	int rc = 0;
	if (lo < 0) /* negative values are the top of the unsigned range */
		rc = add_blocks(pc, e, d, arg, w32, (uint64_t)lo & mask,
				(uint64_t)(hi < 0 ? hi : -1) & mask);
	if (rc == 0 && hi >= 0)
		rc = add_blocks(pc, e, d, arg, w32, (uint64_t)(lo > 0 ? lo : 0), (uint64_t)hi);
	return rc;
}

/* (OP x C) with OP one of < <= > >=, negated or not, as an interval. */
static int ordering(struct pc *pc, const vl_value *e, const char *op, const vl_value *a,
		    const vl_value *b, bool neg, struct dnf *d)
{
	int64_t c;
	int arg = param_arg(pc, a);
	bool flip = false;
	if (arg < 0) {
		arg = param_arg(pc, b);
		flip = true;
		if (arg < 0 || !constant(pc, a, &c))
			return fail(pc, e, "not a comparison of an argument with a constant");
	} else if (!constant(pc, b, &c)) {
		return fail(pc, e, "not a comparison of an argument with a constant");
	}
	/* Normalise to x < c, x <= c, x > c or x >= c. */
	bool less = op[0] == '<', eq = op[1] == '=';
	if (flip)
		less = !less;
	if (neg) {
		less = !less;
		eq = !eq;
	}
	if (less)
		return eq ? range(pc, e, d, arg, INT64_MIN, c)
			  : (c == INT64_MIN ? (d->n = 0, 0)
					    : range(pc, e, d, arg, INT64_MIN, c - 1));
	return eq ? range(pc, e, d, arg, c, INT64_MAX)
		  : (c == INT64_MAX ? (d->n = 0, 0) : range(pc, e, d, arg, c + 1, INT64_MAX));
}

/* x = c (want_eq) or x /= c. On an int argument an inequality is the two
 * ranges around c. */
static int arg_vs_const(struct pc *pc, const vl_value *e, int arg, int64_t c, bool want_eq,
			struct dnf *d)
{
	if (want_eq || !arg32(pc->r, (unsigned)arg))
		return atom(pc, d, arg, want_eq ? VXE_CMP_EQ : VXE_CMP_NE, 0, (uint64_t)c);
	if (c < INT32_MIN || c > INT32_MAX) {
		dnf_true(d); /* never equal: always different */
		return 0;
	}
	struct dnf above;
	int rc = c == INT32_MIN ? (d->n = 0, 0) : range(pc, e, d, arg, INT64_MIN, c - 1);
	if (rc == 0 && c != INT32_MAX) {
		rc = range(pc, e, &above, arg, c + 1, INT64_MAX);
		if (rc == 0)
			rc = dnf_or(pc, e, d, &above);
	}
	return rc;
}

/* Comparison of (x) or (logand x M) with a constant. */
static int compare(struct pc *pc, const vl_value *e, const vl_value *lhs, const vl_value *rhs,
		   bool ne, bool neg, struct dnf *d)
{
	int64_t c;
	if (!constant(pc, rhs, &c)) {
		const vl_value *t = lhs;
		lhs = rhs;
		rhs = t;
		if (!constant(pc, rhs, &c))
			return fail(pc, e, "no constant side");
	}
	bool want_eq = ne == neg;
	int arg = param_arg(pc, lhs);
	if (arg >= 0)
		return arg_vs_const(pc, e, arg, c, want_eq, d);
	const char *op = vl_symbol_name(vl_car(lhs));
	int64_t m;
	if (op && strcmp(op, "logand") == 0 && vl_list_length(lhs) == 3) {
		const vl_value *a = vl_car(vl_cdr(lhs)), *b = vl_car(vl_cdr(vl_cdr(lhs)));
		if (param_arg(pc, a) < 0) {
			const vl_value *t = a;
			a = b;
			b = t;
		}
		arg = param_arg(pc, a);
		if (arg >= 0 && constant(pc, b, &m)) {
			if (!want_eq)
				return fail(pc, e, "the filter cannot negate a masked comparison");
			return atom(pc, d, arg, VXE_CMP_MASKED_EQ, (uint64_t)m, (uint64_t)c);
		}
	}
	return fail(pc, e, "not a comparison of an argument");
}

static int compile(struct pc *pc, const vl_value *e, bool neg, struct dnf *d)
{
	if (++pc->depth > 64)
		return fail(pc, e, "nested too deeply");
	int rc = 0;
	d->n = 0;
	enum vl_type t = vl_typeof(e);
	if (t == VL_NIL || t == VL_T || t == VL_INT || t == VL_STRING) {
		bool truth = t != VL_NIL;
		if (truth != neg)
			dnf_true(d);
		goto out;
	}
	if (t != VL_CONS) {
		rc = fail(pc, e, "not a constant condition");
		goto out;
	}
	const char *op = vl_symbol_name(vl_car(e));
	const vl_value *args = vl_cdr(e);
	size_t n = vl_list_length(args);
	if (!op) {
		rc = fail(pc, e, "not a known form");
	} else if (strcmp(op, "not") == 0 || strcmp(op, "null") == 0) {
		rc = n == 1 ? compile(pc, vl_car(args), !neg, d) : fail(pc, e, "bad not");
	} else if (strcmp(op, "and") == 0 || strcmp(op, "or") == 0) {
		/* De Morgan: under negation and and or swap. */
		bool conj = (strcmp(op, "and") == 0) != neg;
		if (conj)
			dnf_true(d);
		for (const vl_value *l = args; !vl_is_nil(l) && rc == 0; l = vl_cdr(l)) {
			struct dnf sub;
			rc = compile(pc, vl_car(l), neg, &sub);
			if (rc == 0)
				rc = conj ? dnf_and(pc, e, d, &sub) : dnf_or(pc, e, d, &sub);
		}
	} else if ((strcmp(op, "=") == 0 || strcmp(op, "eq") == 0 || strcmp(op, "/=") == 0) &&
		   n == 2) {
		rc = compare(pc, e, vl_car(args), vl_car(vl_cdr(args)), op[0] == '/', neg, d);
	} else if ((strcmp(op, "<") == 0 || strcmp(op, "<=") == 0 || strcmp(op, ">") == 0 ||
		    strcmp(op, ">=") == 0) &&
		   n == 2) {
		rc = ordering(pc, e, op, vl_car(args), vl_car(vl_cdr(args)), neg, d);
	} else if (strcmp(op, "zerop") == 0 && n == 1) {
		const vl_value *x = vl_car(args);
		int arg = param_arg(pc, x);
		if (arg >= 0) {
			rc = arg_vs_const(pc, e, arg, 0, !neg, d);
		} else if (vl_symbol_name(vl_car(x)) &&
			   strcmp(vl_symbol_name(vl_car(x)), "logand") == 0 &&
			   vl_list_length(x) == 3) {
			int64_t m;
			const vl_value *a = vl_car(vl_cdr(x)), *b = vl_car(vl_cdr(vl_cdr(x)));
			if (param_arg(pc, a) < 0) {
				const vl_value *tmp = a;
				a = b;
				b = tmp;
			}
			arg = param_arg(pc, a);
			if (arg < 0 || !constant(pc, b, &m) || neg)
				rc = fail(pc, e, "cannot compile");
			else
				rc = atom(pc, d, arg, VXE_CMP_MASKED_EQ, (uint64_t)m, 0);
		} else {
			rc = fail(pc, e, "zerop of something other than an argument");
		}
	} else if (strcmp(op, "flags-set?") == 0 && n == 2) {
		int arg = param_arg(pc, vl_car(args));
		int64_t m;
		if (arg < 0 || !constant(pc, vl_car(vl_cdr(args)), &m) || neg)
			rc = fail(pc, e, "cannot compile");
		else
			rc = atom(pc, d, arg, VXE_CMP_MASKED_EQ, (uint64_t)m, (uint64_t)m);
	} else if (strcmp(op, "member") == 0 && n == 2) {
		int arg = param_arg(pc, vl_car(args));
		const vl_value *set = vl_car(vl_cdr(args));
		const char *sop = vl_symbol_name(vl_car(set));
		if (arg < 0 || !sop || (strcmp(sop, "list") != 0 && strcmp(sop, "quote") != 0)) {
			rc = fail(pc, e, "member needs an argument and (list C...)");
			goto out;
		}
		if (strcmp(sop, "quote") == 0)
			set = vl_car(vl_cdr(set));
		else
			set = vl_cdr(set);
		/* (member x (list a b)) is x = a or x = b; negated, x /= a and x /= b. */
		if (neg)
			dnf_true(d);
		for (; !vl_is_nil(set) && rc == 0; set = vl_cdr(set)) {
			int64_t c;
			struct dnf one;
			if (!constant(pc, vl_car(set), &c)) {
				rc = fail(pc, vl_car(set), "member: not a constant");
				break;
			}
			rc = arg_vs_const(pc, e, arg, c, !neg, &one);
			if (rc == 0)
				rc = neg ? dnf_and(pc, e, d, &one) : dnf_or(pc, e, d, &one);
		}
	} else {
		rc = fail(pc, e, "needs the supervisor");
	}
out:
	pc->depth--;
	return rc;
}

int vxe_compile_predicate(const struct vxe_policy *p, const struct vxe_rule *r,
			  struct vxe_plan_sys *s, char *why, size_t whysz)
{
	vl_value *body = vl_pinned(p->lisp, r->pred_body);
	if (vl_list_length(body) != 1) {
		snprintf(why, whysz, "predicate has more than one form");
		return -EINVAL;
	}
	struct dnf *d = calloc(1, sizeof *d);
	if (!d)
		return -ENOMEM;
	struct pc pc = {.p = p, .r = r, .why = why, .whysz = whysz};
	pc.params = vl_pinned(p->lisp, r->pred_params);
	int rc = compile(&pc, vl_car(body), false, d);
	if (rc == 0) {
		free(s->conj);
		s->conj = NULL;
		s->nconj = 0;
		bool always = false;
		for (unsigned i = 0; i < d->n; i++)
			always |= d->c[i].n == 0;
		if (d->n == 0) {
			s->act = VXE_F_NOTIFY; /* never true */
		} else if (always) {
			s->act = VXE_F_ALLOW; /* always true */
		} else {
			s->conj = calloc(d->n, sizeof *s->conj);
			if (!s->conj) {
				free(d);
				return -ENOMEM;
			}
			memcpy(s->conj, d->c, d->n * sizeof *s->conj);
			s->nconj = d->n;
			s->act = VXE_F_ALLOW_IF;
		}
	}
	free(d);
	return rc;
}
