/* vxelisp evaluator: eval/apply and the special forms.
 *
 * Environments are association lists ((sym . value) ...) in front of the
 * globals, which live in the symbols themselves. A closure keeps the list it
 * was made in, so setq on a binding it captured is visible to it. */
#include <string.h>

#include "lisp/vl_internal.h"

static vl_value *car(vl_value *v)
{
	return v->type == VL_CONS ? v->u.cons.car : NIL;
}

static vl_value *cdr(vl_value *v)
{
	return v->type == VL_CONS ? v->u.cons.cdr : NIL;
}

/* The name used in "malformed 'NAME'": the special form heading the form,
 * or "lambda" when vl_make_lambda points at a bare parameter list. */
static const char *form_name(vl_value *form)
{
	vl_value *h = car(form);
	return h->type == VL_SYMBOL && h->u.sym.special ? h->u.sym.name : "lambda";
}

static size_t proper_length(vl_state *st, vl_value *form, vl_value *l)
{
	size_t n = 0;
	for (; l->type == VL_CONS; l = l->u.cons.cdr)
		n++;
	if (l->type != VL_NIL)
		vl_raisef(st, form, "malformed '%s' (dotted list)", form_name(form));
	return n;
}

static void check_nargs(vl_state *st, vl_value *form, size_t min, size_t max)
{
	size_t n = proper_length(st, form, cdr(form));
	if (n < min || n > max)
		vl_raisef(st, form, "malformed '%s' (wrong number of arguments)", form_name(form));
}

static vl_value *lookup(vl_state *st, vl_value *sym, vl_value *env, vl_value *at)
{
	if (sym->flags & VLF_KEYWORD)
		return sym;
	for (vl_value *e = env; e->type == VL_CONS; e = e->u.cons.cdr)
		if (e->u.cons.car->u.cons.car == sym)
			return e->u.cons.car->u.cons.cdr;
	if (!sym->u.sym.value)
		vl_raisef(st, at, "unbound variable '%s'", sym->u.sym.name);
	return sym->u.sym.value;
}

/* Evaluates the car of a list cell. The reader gives every cell the
 * location of its element, so an unbound symbol is reported where it is
 * written rather than at the enclosing form. */
static vl_value *eval_car(vl_state *st, vl_value *cell, vl_value *env)
{
	if (cell->type != VL_CONS)
		return vl_eval_in(st, NIL, env);
	vl_value *x = cell->u.cons.car;
	if (x->type == VL_SYMBOL)
		return lookup(st, x, env, cell);
	return vl_eval_in(st, x, env);
}

static vl_value *progn(vl_state *st, vl_value *body, vl_value *env)
{
	vl_value *r = NIL;
	for (; body->type == VL_CONS; body = body->u.cons.cdr)
		r = eval_car(st, body, env);
	return r;
}

static vl_value *eval_list(vl_state *st, vl_value *l, vl_value *env)
{
	vl_value *head = NIL, *tail = NIL;
	size_t top = st->nroots;
	vl_root(st, &head);
	vl_root(st, &tail);
	for (; l->type == VL_CONS; l = l->u.cons.cdr) {
		vl_value *cell = vl_cons(st, eval_car(st, l, env), NIL);
		if (head == NIL)
			head = cell;
		else
			tail->u.cons.cdr = cell;
		tail = cell;
	}
	st->nroots = top;
	return head;
}

vl_value *vl_eval_in(vl_state *st, vl_value *x, vl_value *env)
{
	if (x->type == VL_SYMBOL)
		return lookup(st, x, env, NULL);
	if (x->type != VL_CONS)
		return x;

	vl_value *saved = st->cur_form;
	size_t top = st->nroots;
	vl_root(st, &x);
	vl_root(st, &env);
	if (x->u.cons.file)
		st->cur_form = x;
	if (++st->depth > st->max_depth)
		vl_raisef(st, x, "nesting too deep (limit %u)", st->max_depth);
	vl_charge(st, 1);

	vl_value *head = x->u.cons.car, *r;
	if (head->type == VL_SYMBOL && head->u.sym.special) {
		vl_value *sp = head->u.sym.special;
		if (sp->u.bi.def)
			r = sp->u.bi.def->sf(st, x, env);
		else
			r = sp->u.bi.host(st, x, sp->u.bi.ud);
		if (!r)
			r = NIL;
	} else {
		vl_value *fn = eval_car(st, x, env), *args;
		vl_root(st, &fn);
		args = eval_list(st, x->u.cons.cdr, env);
		vl_root(st, &args);
		if (x->u.cons.file)
			st->cur_form = x; /* argument errors point at the call */
		vl_value *l = x->u.cons.cdr;
		while (l->type == VL_CONS)
			l = l->u.cons.cdr;
		if (l->type != VL_NIL)
			vl_raisef(st, x, "malformed '%s' (dotted list)",
				  head->type == VL_SYMBOL ? head->u.sym.name : "call");
		r = vl_apply(st, fn, args);
	}
	st->depth--;
	st->cur_form = saved;
	st->nroots = top;
	return r;
}

static vl_value *bind_params(vl_state *st, vl_value *fn, vl_value *args)
{
	vl_value *env = fn->u.clo.env, *p = fn->u.clo.params, *a = args;
	size_t top = st->nroots;
	int mode = 0; /* 0 required, 1 optional, 2 rest */
	vl_root(st, &env);
	for (; p->type == VL_CONS; p = p->u.cons.cdr) {
		vl_value *sym = p->u.cons.car, *v = NIL;
		if (sym == st->sym_optional) {
			mode = 1;
			continue;
		}
		if (sym == st->sym_rest) {
			mode = 2;
			continue;
		}
		if (mode == 2) {
			v = a;
			a = NIL;
		} else if (a->type == VL_CONS) {
			v = a->u.cons.car;
			a = a->u.cons.cdr;
		} else if (mode == 0) {
			goto bad;
		}
		env = vl_cons(st, vl_cons(st, sym, v), env);
	}
	if (a->type != VL_NIL)
		goto bad;
	st->nroots = top;
	return env;
bad:
	vl_raisef(st, NULL, "wrong number of arguments to '%s' (got %zu)",
		  fn->u.clo.name->type == VL_SYMBOL ? fn->u.clo.name->u.sym.name : "lambda",
		  vl_list_length(args));
}

vl_value *vl_apply(vl_state *st, vl_value *fn, vl_value *args)
{
	if (fn->type == VL_BUILTIN && fn->u.bi.def && fn->u.bi.def->fn) {
		const struct vl_builtin *b = fn->u.bi.def;
		vl_value *a[VL_MAXA] = {NIL, NIL, NIL, NIL};
		int argc = 0;
		uint64_t bytes = 0;
		for (vl_value *l = args; l->type == VL_CONS; l = l->u.cons.cdr, argc++) {
			if (argc < VL_MAXA)
				a[argc] = l->u.cons.car;
			if (l->u.cons.car->type == VL_STRING)
				bytes += l->u.cons.car->u.str.len;
		}
		/* String builtins do work in proportion to their inputs: charge
		 * for it, or a loop over a large string would outrun the step
		 * limit's intent. */
		if (bytes >= 64)
			vl_charge(st, bytes / 64);
		if (argc < b->min || (b->max >= 0 && argc > b->max)) {
			if (b->max < 0)
				vl_raisef(st, NULL,
					  "wrong number of arguments to '%s' (expected at least "
					  "%d, got %d)",
					  b->name, b->min, argc);
			else if (b->min == b->max)
				vl_raisef(st, NULL,
					  "wrong number of arguments to '%s' (expected %d, got %d)",
					  b->name, b->min, argc);
			vl_raisef(st, NULL,
				  "wrong number of arguments to '%s' (expected %d to %d, got %d)",
				  b->name, b->min, b->max, argc);
		}
		const char *saved = st->cur_name;
		size_t top = st->nroots;
		vl_root(st, &args);
		st->cur_name = b->name;
		vl_value *r = b->fn(st, argc, a, args);
		st->cur_name = saved;
		st->nroots = top;
		return r;
	}
	if (fn->type != VL_CLOSURE) {
		static const char *const names[] = {"nil",    "t",    "integer", "symbol",
						    "string", "cons", "closure", "special form"};
		vl_raisef(st, NULL, "attempt to call a non-function (%s)", names[fn->type]);
	}
	size_t top = st->nroots;
	vl_root(st, &fn);
	vl_root(st, &args);
	vl_value *env = bind_params(st, fn, args);
	vl_root(st, &env);
	vl_value *r = progn(st, fn->u.clo.body, env);
	st->nroots = top;
	return r;
}

/* ---- special forms ------------------------------------------------------ */

static vl_value *sf_quote(vl_state *st, vl_value *form, vl_value *env)
{
	check_nargs(st, form, 1, 1);
	return car(cdr(form));
}

static vl_value *sf_if(vl_state *st, vl_value *form, vl_value *env)
{
	check_nargs(st, form, 2, (size_t)-1);
	vl_value *a = cdr(form);
	if (vl_truthy(eval_car(st, a, env)))
		return eval_car(st, cdr(a), env);
	return progn(st, cdr(cdr(a)), env);
}

static vl_value *sf_cond(vl_state *st, vl_value *form, vl_value *env)
{
	proper_length(st, form, cdr(form));
	for (vl_value *c = cdr(form); c->type == VL_CONS; c = c->u.cons.cdr) {
		vl_value *clause = c->u.cons.car;
		if (clause->type != VL_CONS)
			vl_raisef(st, c, "malformed 'cond' (clause is not a list)");
		proper_length(st, clause, clause);
		vl_value *v = eval_car(st, clause, env);
		if (vl_truthy(v))
			return clause->u.cons.cdr->type == VL_NIL
				   ? v
				   : progn(st, clause->u.cons.cdr, env);
	}
	return NIL;
}

static vl_value *sf_and(vl_state *st, vl_value *form, vl_value *env)
{
	proper_length(st, form, cdr(form));
	vl_value *r = T;
	for (vl_value *l = cdr(form); l->type == VL_CONS; l = l->u.cons.cdr)
		if (!vl_truthy(r = eval_car(st, l, env)))
			return NIL;
	return r;
}

static vl_value *sf_or(vl_state *st, vl_value *form, vl_value *env)
{
	proper_length(st, form, cdr(form));
	for (vl_value *l = cdr(form); l->type == VL_CONS; l = l->u.cons.cdr) {
		vl_value *r = eval_car(st, l, env);
		if (vl_truthy(r))
			return r;
	}
	return NIL;
}

static vl_value *sf_progn(vl_state *st, vl_value *form, vl_value *env)
{
	proper_length(st, form, cdr(form));
	return progn(st, cdr(form), env);
}

static vl_value *sf_when(vl_state *st, vl_value *form, vl_value *env)
{
	check_nargs(st, form, 1, (size_t)-1);
	if (vl_truthy(eval_car(st, cdr(form), env)))
		return progn(st, cdr(cdr(form)), env);
	return NIL;
}

static vl_value *sf_unless(vl_state *st, vl_value *form, vl_value *env)
{
	check_nargs(st, form, 1, (size_t)-1);
	if (!vl_truthy(eval_car(st, cdr(form), env)))
		return progn(st, cdr(cdr(form)), env);
	return NIL;
}

static void check_var(vl_state *st, vl_value *form, vl_value *at, vl_value *sym)
{
	if (sym->type != VL_SYMBOL || (sym->flags & VLF_KEYWORD))
		vl_raisef(st, at, "malformed '%s' (variable name expected)", form_name(form));
}

static vl_value *sf_setq(vl_state *st, vl_value *form, vl_value *env)
{
	size_t n = proper_length(st, form, cdr(form));
	if (n % 2)
		vl_raisef(st, form, "malformed 'setq' (odd number of arguments)");
	vl_value *v = NIL;
	for (vl_value *l = cdr(form); l->type == VL_CONS; l = cdr(cdr(l))) {
		vl_value *sym = l->u.cons.car, *e;
		check_var(st, form, l, sym);
		v = eval_car(st, cdr(l), env);
		for (e = env; e->type == VL_CONS; e = e->u.cons.cdr)
			if (e->u.cons.car->u.cons.car == sym)
				break;
		if (e->type == VL_CONS)
			e->u.cons.car->u.cons.cdr = v;
		else
			sym->u.sym.value = v;
	}
	return v;
}

static vl_value *sf_let_common(vl_state *st, vl_value *form, vl_value *env, bool sequential)
{
	check_nargs(st, form, 1, (size_t)-1);
	vl_value *bindings = car(cdr(form)), *newenv = env;
	size_t top = st->nroots;
	if (bindings->type != VL_NIL && bindings->type != VL_CONS)
		vl_raisef(st, form, "malformed '%s' (binding list expected)", form_name(form));
	proper_length(st, form, bindings);
	vl_root(st, &newenv);
	for (vl_value *b = bindings; b->type == VL_CONS; b = b->u.cons.cdr) {
		vl_value *sym = b->u.cons.car, *init = NIL;
		if (sym->type == VL_CONS) {
			if (proper_length(st, form, sym) > 2)
				vl_raisef(st, b, "malformed '%s' (binding has more than one value)",
					  form_name(form));
			init = cdr(sym);
			sym = sym->u.cons.car;
		}
		check_var(st, form, b, sym);
		vl_value *v = eval_car(st, init, sequential ? newenv : env);
		newenv = vl_cons(st, vl_cons(st, sym, v), newenv);
	}
	vl_value *r = progn(st, cdr(cdr(form)), newenv);
	st->nroots = top;
	return r;
}

static vl_value *sf_let(vl_state *st, vl_value *form, vl_value *env)
{
	return sf_let_common(st, form, env, false);
}

static vl_value *sf_letstar(vl_state *st, vl_value *form, vl_value *env)
{
	return sf_let_common(st, form, env, true);
}

static vl_value *make_closure(vl_state *st, vl_value *form, vl_value *name, vl_value *params,
			      vl_value *body, vl_value *env)
{
	int rest = 0;
	if (params->type != VL_NIL && params->type != VL_CONS)
		vl_raisef(st, form, "malformed '%s' (parameter list expected)", form_name(form));
	proper_length(st, form, params);
	for (vl_value *p = params; p->type == VL_CONS; p = p->u.cons.cdr) {
		check_var(st, form, p, p->u.cons.car);
		if (rest && (rest++ > 1 || p->u.cons.car == st->sym_optional ||
			     p->u.cons.car == st->sym_rest))
			vl_raisef(st, form, "malformed '%s' (one name must follow &rest)",
				  form_name(form));
		if (p->u.cons.car == st->sym_rest)
			rest = 1;
	}
	if (rest == 1)
		vl_raisef(st, form, "malformed '%s' (one name must follow &rest)", form_name(form));
	/* Quadratic, so charged: a parameter list is as long as its source. */
	size_t n = proper_length(st, form, params);
	vl_charge(st, (uint64_t)n * n / 64);
	for (vl_value *p = params; p->type == VL_CONS; p = p->u.cons.cdr)
		for (vl_value *q = p->u.cons.cdr; q->type == VL_CONS; q = q->u.cons.cdr)
			if (p->u.cons.car == q->u.cons.car && p->u.cons.car != st->sym_optional)
				vl_raisef(st, q, "malformed '%s' (duplicate parameter '%s')",
					  form_name(form), q->u.cons.car->u.sym.name);
	size_t top = st->nroots;
	vl_root(st, &env); /* the rest are parts of the rooted form */
	vl_value *c = vl_new_obj(st, VL_CLOSURE, 0);
	c->u.clo.name = name;
	c->u.clo.params = params;
	c->u.clo.body = body;
	c->u.clo.env = env;
	st->nroots = top;
	return c;
}

static vl_value *sf_lambda(vl_state *st, vl_value *form, vl_value *env)
{
	check_nargs(st, form, 1, (size_t)-1);
	return make_closure(st, form, NIL, car(cdr(form)), cdr(cdr(form)), env);
}

static vl_value *sf_defun(vl_state *st, vl_value *form, vl_value *env)
{
	check_nargs(st, form, 2, (size_t)-1);
	vl_value *name = car(cdr(form)), *rest = cdr(cdr(form));
	check_var(st, form, cdr(form), name);
	name->u.sym.value = make_closure(st, form, name, car(rest), cdr(rest), env);
	return name;
}

const struct vl_builtin vl_special_forms[] = {
    {"quote", NULL, sf_quote, 0, 0},   {"if", NULL, sf_if, 0, 0},
    {"cond", NULL, sf_cond, 0, 0},     {"and", NULL, sf_and, 0, 0},
    {"or", NULL, sf_or, 0, 0},	       {"let", NULL, sf_let, 0, 0},
    {"let*", NULL, sf_letstar, 0, 0},  {"lambda", NULL, sf_lambda, 0, 0},
    {"defun", NULL, sf_defun, 0, 0},   {"setq", NULL, sf_setq, 0, 0},
    {"progn", NULL, sf_progn, 0, 0},   {"when", NULL, sf_when, 0, 0},
    {"unless", NULL, sf_unless, 0, 0}, {NULL, NULL, NULL, 0, 0},
};

/* Host API (include/vxe/lisp.h): a closure over the global environment. The
 * form for error locations is the parameter list itself. */
vl_value *vl_make_lambda(vl_state *st, vl_value *params, vl_value *body)
{
	vl_value *at = params->type == VL_CONS ? params : body;
	if (params->type != VL_NIL && params->type != VL_CONS)
		vl_raisef(st, params, "parameter list expected");
	return make_closure(st, at, NIL, params, body, NIL);
}
