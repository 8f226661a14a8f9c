/* vxelisp state: the capped allocator, the collector, error raising and the
 * public API. Every API entry point that can raise goes through pcall(),
 * the one place where errors are caught. */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lisp/vl_internal.h"

#define DEFAULT_MEMORY ((size_t)64 << 20)
#define DEFAULT_STEPS  10000000u
#define DEFAULT_DEPTH  1000u
/* Each level of Lisp nesting costs a few C frames; this bound keeps the C
 * stack of an 8 MiB thread (ASan's bigger frames included) safe whatever
 * the host asks for. */
#define HARD_MAX_DEPTH	10000u
#define MIN_GC_INTERVAL ((size_t)256 << 10)

const vl_value vl_nil_obj = {.type = VL_NIL, .flags = VLF_STATIC};
const vl_value vl_t_obj = {.type = VL_T, .flags = VLF_STATIC};

/* ---- allocator ---------------------------------------------------------- */

/* Accounts n bytes, or says no: the test hook, then the cap. */
static bool may_alloc(vl_state *st, size_t n, bool *injected)
{
	*injected = false;
	if (st->fail_after && --st->fail_after == 0) {
		*injected = true;
		return false;
	}
	return n <= st->max_memory && st->bytes <= st->max_memory - n;
}

/* Raw, uncollected memory for the state's tables. Never collects (a caller
 * may hold an unrooted object); NULL on exhaustion. */
static void *raw_realloc(vl_state *st, void *p, size_t old, size_t n)
{
	bool injected;
	if (n > old && !may_alloc(st, n - old, &injected))
		return NULL;
	void *q = realloc(p, n);
	if (!q)
		return NULL;
	st->bytes = st->bytes - old + n;
	return q;
}

static void raw_free(vl_state *st, void *p, size_t n)
{
	if (p) {
		st->bytes -= n;
		free(p);
	}
}

void vl_oom(vl_state *st)
{
	vl_raise_loc(st, 0, 0, 0, "out of memory (limit %zu bytes)", st->max_memory);
}

void vl_grow_roots(vl_state *st)
{
	size_t cap = st->cap_roots ? st->cap_roots * 2 : 256;
	vl_value ***r = raw_realloc(st, st->roots, st->cap_roots * sizeof(*r), cap * sizeof(*r));
	if (!r)
		vl_oom(st);
	st->roots = r;
	st->cap_roots = cap;
}

/* ---- collector ---------------------------------------------------------- */

static void mark(vl_state *st, vl_value *v)
{
	if (!v || (v->flags & VLF_STATIC) || v->marked)
		return;
	v->marked = 1;
	v->gray = st->gray;
	st->gray = v;
}

static void gc(vl_state *st)
{
	for (size_t i = 0; i < st->cap_syms; i++)
		for (vl_value *s = st->symtab[i]; s; s = s->u.sym.next)
			mark(st, s);
	for (size_t i = 0; i < st->nroots; i++)
		mark(st, *st->roots[i]);
	for (size_t i = 0; i < st->cap_pins; i++)
		mark(st, st->pins[i]);
	mark(st, st->cur_form);
	mark(st, st->last);
	/* An explicit work list instead of recursion: a list built at run time
	 * may be nested far deeper than the C stack allows. */
	while (st->gray) {
		vl_value *v = st->gray;
		st->gray = v->gray;
		switch (v->type) {
		case VL_CONS:
			mark(st, v->u.cons.car);
			mark(st, v->u.cons.cdr);
			break;
		case VL_SYMBOL:
			mark(st, v->u.sym.value);
			mark(st, v->u.sym.special);
			break;
		case VL_CLOSURE:
			mark(st, v->u.clo.params);
			mark(st, v->u.clo.body);
			mark(st, v->u.clo.env);
			mark(st, v->u.clo.name);
			break;
		case VL_BUILTIN:
			mark(st, v->u.bi.name);
			break;
		}
	}
	for (vl_value **pp = &st->objects; *pp;) {
		vl_value *v = *pp;
		if (v->marked) {
			v->marked = 0;
			pp = &v->gc_next;
			continue;
		}
		*pp = v->gc_next;
		st->bytes -= v->gc_size;
		/* Poison so that a stale pointer reads garbage types even
		 * without ASan; under ASan the free alone traps it. */
		if (st->gc_stress)
			memset(v, 0xdb, v->gc_size);
		free(v);
	}
	st->gc_threshold = st->bytes < MIN_GC_INTERVAL ? MIN_GC_INTERVAL : st->bytes;
	st->gc_threshold = st->bytes + st->gc_threshold;
}

vl_value *vl_new_obj(vl_state *st, int type, size_t extra)
{
	size_t n = sizeof(vl_value) + extra;
	bool injected;
	if (extra > SIZE_MAX / 2)
		vl_oom(st);
	if (st->gc_stress || st->bytes >= st->gc_threshold)
		gc(st);
	if (!may_alloc(st, n, &injected)) {
		if (injected)
			vl_oom(st);
		gc(st);
		if (!may_alloc(st, n, &injected))
			vl_oom(st);
	}
	vl_value *v = malloc(n);
	if (!v)
		vl_oom(st);
	st->bytes += n;
	memset(v, 0, sizeof(*v));
	v->type = (uint8_t)type;
	v->gc_size = n;
	v->gc_next = st->objects;
	st->objects = v;
	return v;
}

vl_value *vl_cons(vl_state *st, vl_value *car, vl_value *cdr)
{
	size_t top = st->nroots;
	vl_root(st, &car);
	vl_root(st, &cdr);
	vl_value *v = vl_new_obj(st, VL_CONS, 0);
	st->nroots = top;
	v->u.cons.car = car;
	v->u.cons.cdr = cdr;
	return v;
}

vl_value *vl_make_int(vl_state *st, int64_t i)
{
	vl_value *v = vl_new_obj(st, VL_INT, 0);
	v->u.i = i;
	return v;
}

/* s may be NULL to get len uninitialised bytes to fill; s must not point
 * into the Lisp heap (a collection may free it). */
vl_value *vl_make_string(vl_state *st, const char *s, size_t len)
{
	if (len > SIZE_MAX / 4)
		vl_oom(st);
	vl_value *v = vl_new_obj(st, VL_STRING, len + 1);
	v->u.str.len = len;
	v->u.str.bytes = (char *)(v + 1);
	if (s && len)
		memcpy(v->u.str.bytes, s, len);
	v->u.str.bytes[len] = 0;
	return v;
}

static uint32_t hash_bytes(const char *s, size_t n)
{
	uint32_t h = 2166136261u; /* FNV-1a */
	for (size_t i = 0; i < n; i++)
		h = (h ^ (unsigned char)s[i]) * 16777619u;
	return h;
}

vl_value *vl_intern(vl_state *st, const char *name, size_t len)
{
	uint32_t h = hash_bytes(name, len);
	if (st->cap_syms) {
		for (vl_value *s = st->symtab[h % st->cap_syms]; s; s = s->u.sym.next)
			if (s->u.sym.hash == h && s->u.sym.len == len &&
			    memcmp(s->u.sym.name, name, len) == 0)
				return s;
	}
	if (st->nsyms >= st->cap_syms) {
		size_t cap = st->cap_syms ? st->cap_syms * 2 : 256;
		vl_value **tab = raw_realloc(st, NULL, 0, cap * sizeof(*tab));
		if (!tab)
			vl_oom(st);
		memset(tab, 0, cap * sizeof(*tab));
		for (size_t i = 0; i < st->cap_syms; i++) {
			for (vl_value *s = st->symtab[i], *next; s; s = next) {
				next = s->u.sym.next;
				s->u.sym.next = tab[s->u.sym.hash % cap];
				tab[s->u.sym.hash % cap] = s;
			}
		}
		raw_free(st, st->symtab, st->cap_syms * sizeof(*tab));
		st->symtab = tab;
		st->cap_syms = cap;
	}
	vl_value *s = vl_new_obj(st, VL_SYMBOL, len + 1);
	s->u.sym.hash = h;
	s->u.sym.len = len;
	s->u.sym.name = (char *)(s + 1);
	memcpy(s->u.sym.name, name, len);
	s->u.sym.name[len] = 0;
	if (len > 0 && name[0] == ':')
		s->flags |= VLF_KEYWORD;
	s->u.sym.next = st->symtab[h % st->cap_syms];
	st->symtab[h % st->cap_syms] = s;
	st->nsyms++;
	return s;
}

uint32_t vl_file_index(vl_state *st, const char *name)
{
	if (!name)
		name = "<string>";
	for (size_t i = 0; i < st->nfiles; i++)
		if (strcmp(st->files[i], name) == 0)
			return (uint32_t)i + 1;
	size_t n = strlen(name) + 1;
	char **f =
	    raw_realloc(st, st->files, st->nfiles * sizeof(*f), (st->nfiles + 1) * sizeof(*f));
	if (!f)
		vl_oom(st);
	st->files = f;
	char *copy = raw_realloc(st, NULL, 0, n);
	if (!copy)
		vl_oom(st);
	memcpy(copy, name, n);
	st->files[st->nfiles++] = copy;
	return (uint32_t)st->nfiles;
}

void vl_charge(vl_state *st, uint64_t steps)
{
	st->steps += steps;
	if (st->steps > st->max_steps)
		vl_raise_loc(st, 0, 0, 0, "step limit exceeded (%" PRIu64 " steps)", st->max_steps);
}

/* ---- errors ------------------------------------------------------------- */

__attribute__((noreturn, format(printf, 5, 0))) static void
vraise(vl_state *st, uint32_t file, uint32_t line, uint32_t col, const char *fmt, va_list ap)
{
	char msg[sizeof(st->err)];
	vsnprintf(msg, sizeof(msg), fmt, ap);
	/* A host that re-raises vl_error() after a nested vl_eval failed
	 * passes the located message back: keep it as it is. */
	if (strcmp(msg, st->err) != 0) {
		if (!file && st->cur_form && st->cur_form->type == VL_CONS) {
			file = st->cur_form->u.cons.file;
			line = st->cur_form->u.cons.line;
			col = st->cur_form->u.cons.col;
		}
		if (!file) { /* e.g. a top-level atom: no cons to point at */
			file = st->top_file;
			line = st->top_line;
			col = st->top_col;
		}
		const char *fname = file && file <= st->nfiles ? st->files[file - 1] : "?";
		/* Truncating an overlong message is acceptable. */
		if (snprintf(st->err, sizeof(st->err), "%s:%u:%u: %s", fname, line, col, msg) < 0)
			st->err[0] = 0;
	}
	if (!st->handler)
		abort(); /* vl_raisef outside the interpreter: a host bug */
	longjmp(st->handler->jb, 1);
}

void vl_raise_loc(vl_state *st, uint32_t file, uint32_t line, uint32_t col, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vraise(st, file, line, col, fmt, ap);
}

void vl_raisef(vl_state *st, const vl_value *at, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	if (at && at->type == VL_CONS && at->u.cons.file)
		vraise(st, at->u.cons.file, at->u.cons.line, at->u.cons.col, fmt, ap);
	vraise(st, 0, 0, 0, fmt, ap);
}

void vl_argerror(vl_state *st, int n, const char *what)
{
	vl_raise_loc(st, 0, 0, 0, "bad argument #%d to '%s' (%s)", n, st->cur_name, what);
}

typedef void (*pfn)(vl_state *st, void *ud);

/* The one place errors are caught. Everything a longjmp may leave
 * half-done in the state is restored here. */
static int pcall(vl_state *st, pfn f, void *ud)
{
	struct vl_handler h;
	size_t nroots = st->nroots;
	unsigned depth = st->depth;
	vl_value *cur = st->cur_form;
	const char *name = st->cur_name;

	if (!st->handler) {
		st->steps = 0; /* a fresh budget per outermost call */
		st->top_file = 0;
	}
	st->err[0] = 0;
	h.prev = st->handler;
	st->handler = &h;
	if (setjmp(h.jb) == 0) {
		f(st, ud);
		st->handler = h.prev;
		return 0;
	}
	st->handler = h.prev;
	st->nroots = nroots;
	st->depth = depth;
	st->cur_form = cur;
	st->cur_name = name;
	st->gray = NULL;
	return -1;
}

/* ---- creation ----------------------------------------------------------- */

static void def_builtin(vl_state *st, const struct vl_builtin *b, bool special)
{
	vl_value *sym = vl_intern(st, b->name, strlen(b->name));
	vl_root(st, &sym);
	vl_value *v = vl_new_obj(st, VL_BUILTIN, 0);
	v->u.bi.def = b;
	v->u.bi.name = sym;
	if (special)
		sym->u.sym.special = v;
	else
		sym->u.sym.value = v;
	st->nroots--;
}

static void init_body(vl_state *st, void *ud)
{
	for (const struct vl_builtin *b = vl_special_forms; b->name; b++)
		def_builtin(st, b, true);
	for (const struct vl_builtin *b = vl_builtins; b->name; b++)
		def_builtin(st, b, false);
	st->sym_quote = vl_intern(st, "quote", 5);
	st->sym_optional = vl_intern(st, "&optional", 9);
	st->sym_rest = vl_intern(st, "&rest", 5);
	st->sym_lambda = vl_intern(st, "lambda", 6);
}

vl_state *vl_new(const struct vl_limits *lim)
{
	vl_state *st = calloc(1, sizeof(*st));
	if (!st) {
		errno = ENOMEM;
		return NULL;
	}
	st->max_memory = lim && lim->max_memory ? lim->max_memory : DEFAULT_MEMORY;
	st->max_steps = lim && lim->max_steps ? lim->max_steps : DEFAULT_STEPS;
	st->max_depth = lim && lim->max_depth ? lim->max_depth : DEFAULT_DEPTH;
	if (st->max_depth > HARD_MAX_DEPTH)
		st->max_depth = HARD_MAX_DEPTH;
	st->bytes = sizeof(*st);
	st->gc_threshold = MIN_GC_INTERVAL;
	st->last = NIL;
	const char *stress = getenv("VXE_GC_STRESS");
	st->gc_stress = stress && strcmp(stress, "1") == 0;
	if (pcall(st, init_body, NULL) < 0) {
		vl_free(st);
		errno = ENOMEM;
		return NULL;
	}
	return st;
}

void vl_free(vl_state *st)
{
	if (!st)
		return;
	for (vl_value *v = st->objects, *next; v; v = next) {
		next = v->gc_next;
		free(v);
	}
	for (size_t i = 0; i < st->nfiles; i++)
		free(st->files[i]);
	free(st->files);
	free(st->roots);
	free(st->symtab);
	free(st->pins);
	free(st);
}

void vl_set_gc_stress(vl_state *st, bool on)
{
	st->gc_stress = on;
}

void vl_fail_alloc_after(vl_state *st, uint64_t n)
{
	st->fail_after = n;
}

const char *vl_error(const vl_state *st)
{
	return st->err;
}

const vl_value *vl_last_result(const vl_state *st)
{
	return st->last;
}

/* ---- loading and evaluation --------------------------------------------- */

struct load_args {
	const char *name, *src;
	size_t len, nforms;
	bool eval;
};

static void eval_form(vl_state *st, vl_value **form, void *ud)
{
	st->last = vl_eval_in(st, *form, NIL);
}

static void load_body(vl_state *st, void *ud)
{
	struct load_args *a = ud;
	st->last = NIL;
	uint32_t file = vl_file_index(st, a->name);
	a->nforms = vl_read_all(st, file, a->src, a->len, a->eval ? eval_form : NULL, NULL);
}

int vl_load_string(vl_state *st, const char *name, const char *src, size_t len)
{
	struct load_args a = {.name = name, .src = src, .len = len, .eval = true};
	return pcall(st, load_body, &a);
}

int vl_read_check(vl_state *st, const char *name, const char *src, size_t len, size_t *nforms)
{
	struct load_args a = {.name = name, .src = src, .len = len, .eval = false};
	int rc = pcall(st, load_body, &a);
	if (nforms)
		*nforms = rc == 0 ? a.nforms : 0;
	return rc;
}

struct eval_args {
	vl_value *form, *out;
};

static void eval_body(vl_state *st, void *ud)
{
	struct eval_args *a = ud;
	a->out = vl_eval_in(st, a->form, NIL);
}

int vl_eval(vl_state *st, vl_value *form, vl_value **out)
{
	struct eval_args a = {.form = form ? form : NIL, .out = NIL};
	int rc = pcall(st, eval_body, &a);
	if (out)
		*out = rc == 0 ? a.out : NIL;
	return rc;
}

struct call_args {
	vl_value *fn;
	int argc;
	const struct vl_arg *argv;
	int truth;
};

static void call_body(vl_state *st, void *ud)
{
	struct call_args *a = ud;
	vl_value *args = NIL, *fn = a->fn;
	vl_root(st, &fn);
	vl_root(st, &args);
	/* Build the list back to front so each new cell holds the rest. */
	for (int i = a->argc - 1; i >= 0; i--) {
		const struct vl_arg *g = &a->argv[i];
		vl_value *v = NIL;
		if (g->kind == VL_ARG_INT)
			v = vl_make_int(st, g->i);
		else if (g->kind == VL_ARG_STRING)
			v = vl_make_string(st, g->s, g->s ? g->len : 0);
		args = vl_cons(st, v, args);
	}
	if (fn->type != VL_CLOSURE && fn->type != VL_BUILTIN)
		vl_raise_loc(st, 0, 0, 0, "attempt to call a non-function");
	if (fn->type == VL_CLOSURE && !st->cur_form)
		st->cur_form = fn->u.clo.body;
	a->truth = vl_truthy(vl_apply(st, fn, args));
	st->nroots -= 2;
}

int vl_call_c(vl_state *st, vl_value *fn, int argc, const struct vl_arg *argv, int *truth)
{
	struct call_args a = {.fn = fn ? fn : NIL, .argc = argc < 0 ? 0 : argc, .argv = argv};
	vl_value *cur = st->cur_form;
	int rc = pcall(st, call_body, &a);
	st->cur_form = cur;
	if (truth)
		*truth = rc == 0 ? a.truth : 0;
	return rc;
}

/* ---- host roots and definitions ----------------------------------------- */

int vl_pin(vl_state *st, vl_value *v)
{
	for (size_t i = 0; i < st->cap_pins; i++) {
		if (!st->pins[i]) {
			st->pins[i] = v ? v : NIL;
			return (int)i;
		}
	}
	size_t cap = st->cap_pins ? st->cap_pins * 2 : 16;
	if (cap > INT32_MAX)
		return -1;
	vl_value **p = raw_realloc(st, st->pins, st->cap_pins * sizeof(*p), cap * sizeof(*p));
	if (!p)
		return -1;
	memset(p + st->cap_pins, 0, (cap - st->cap_pins) * sizeof(*p));
	int h = (int)st->cap_pins;
	st->pins = p;
	st->cap_pins = cap;
	st->pins[h] = v ? v : NIL;
	return h;
}

vl_value *vl_pinned(const vl_state *st, int handle)
{
	if (handle < 0 || (size_t)handle >= st->cap_pins || !st->pins[handle])
		return NIL;
	return st->pins[handle];
}

void vl_unpin(vl_state *st, int handle)
{
	if (handle >= 0 && (size_t)handle < st->cap_pins)
		st->pins[handle] = NULL;
}

struct def_args {
	const char *name;
	int64_t i;
	vl_special_fn fn;
	void *ud;
};

static void def_int_body(vl_state *st, void *ud)
{
	struct def_args *a = ud;
	vl_value *sym = vl_intern(st, a->name, strlen(a->name));
	vl_root(st, &sym);
	sym->u.sym.value = vl_make_int(st, a->i);
	st->nroots--;
}

static void def_special_body(vl_state *st, void *ud)
{
	struct def_args *a = ud;
	vl_value *sym = vl_intern(st, a->name, strlen(a->name));
	vl_root(st, &sym);
	vl_value *v = vl_new_obj(st, VL_BUILTIN, 0);
	v->u.bi.host = a->fn;
	v->u.bi.ud = a->ud;
	v->u.bi.name = sym;
	sym->u.sym.special = v;
	st->nroots--;
}

/* Inside evaluation an exhaustion must unwind the caller too; outside,
 * there is nobody to unwind to, so report it. */
static int run_def(vl_state *st, pfn f, struct def_args *a)
{
	if (!a->name)
		return -1;
	if (st->handler) {
		f(st, a);
		return 0;
	}
	return pcall(st, f, a);
}

int vl_def_int(vl_state *st, const char *name, int64_t value)
{
	struct def_args a = {.name = name, .i = value};
	return run_def(st, def_int_body, &a);
}

int vl_def_special(vl_state *st, const char *name, vl_special_fn fn, void *userdata)
{
	struct def_args a = {.name = name, .fn = fn, .ud = userdata};
	if (!fn)
		return -1;
	return run_def(st, def_special_body, &a);
}

/* ---- inspection --------------------------------------------------------- */

enum vl_type vl_typeof(const vl_value *v)
{
	return v ? (enum vl_type)v->type : VL_NIL;
}

bool vl_is_nil(const vl_value *v)
{
	return !v || v->type == VL_NIL;
}

int64_t vl_int(const vl_value *v)
{
	return v && v->type == VL_INT ? v->u.i : 0;
}

const char *vl_string(const vl_value *v, size_t *len)
{
	if (!v || v->type != VL_STRING)
		return NULL;
	if (len)
		*len = v->u.str.len;
	return v->u.str.bytes;
}

const char *vl_symbol_name(const vl_value *v)
{
	return v && v->type == VL_SYMBOL ? v->u.sym.name : NULL;
}

bool vl_symbol_bound(const vl_value *v)
{
	return v && v->type == VL_SYMBOL &&
	       (v->u.sym.value || v->u.sym.special || (v->flags & VLF_KEYWORD));
}

vl_value *vl_car(const vl_value *v)
{
	return v && v->type == VL_CONS ? v->u.cons.car : NIL;
}

vl_value *vl_cdr(const vl_value *v)
{
	return v && v->type == VL_CONS ? v->u.cons.cdr : NIL;
}

size_t vl_list_length(const vl_value *v)
{
	size_t n = 0;
	for (; v && v->type == VL_CONS; v = v->u.cons.cdr)
		n++;
	return v && v->type == VL_NIL ? n : 0;
}

bool vl_loc(const vl_state *st, const vl_value *v, struct vl_loc *loc)
{
	if (!v || v->type != VL_CONS || !v->u.cons.file || v->u.cons.file > st->nfiles)
		return false;
	if (loc) {
		loc->file = st->files[v->u.cons.file - 1];
		loc->line = (int)v->u.cons.line;
		loc->col = (int)v->u.cons.col;
	}
	return true;
}
