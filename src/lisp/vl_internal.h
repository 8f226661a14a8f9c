/* vxelisp internals shared by the interpreter's source files.
 *
 * Memory discipline (read this before touching anything that allocates):
 * every allocation of a Lisp object may run the collector, which frees
 * everything not reachable from the roots. The roots are the symbol table,
 * the host pins, st->last, st->cur_form, and the root stack: addresses of C
 * locals pushed with vl_root(). A function that holds a fresh object in a C
 * local across another allocation must root that local first. vl_cons() and
 * the other constructors root their own arguments, so cons(st, x, y) is
 * always safe. Run the tests with VXE_GC_STRESS=1 to catch a missed root.
 */
#ifndef VL_INTERNAL_H
#define VL_INTERNAL_H

#include <setjmp.h>
#include <stdarg.h>

#include "vxe/lisp.h"

/* A builtin receives its evaluated arguments both as a list (for variadic
 * ones) and, for convenience, the first VL_MAXA of them in a[]. */
#define VL_MAXA 4
typedef vl_value *(*vl_cfn)(vl_state *st, int argc, vl_value **a, vl_value *args);
/* An internal special form receives the whole form, unevaluated. */
typedef vl_value *(*vl_sfn)(vl_state *st, vl_value *form, vl_value *env);

struct vl_builtin {
	const char *name;
	vl_cfn fn;	/* ordinary builtin, or NULL */
	vl_sfn sf;	/* internal special form, or NULL */
	short min, max; /* argument count; max < 0: any number */
};

enum { VLF_STATIC = 1, VLF_KEYWORD = 2 };

struct vl_value {
	uint8_t type;
	uint8_t marked;
	uint8_t flags;
	size_t gc_size;		  /* bytes accounted for this object */
	struct vl_value *gc_next; /* list of all heap objects, for the sweep */
	struct vl_value *gray;	  /* mark work list: marking never recurses */
	union {
		int64_t i;
		struct {
			vl_value *car, *cdr;
			uint32_t file, line, col; /* file 0: no location */
		} cons;
		struct {
			size_t len;
			char *bytes; /* inline after the struct, NUL-terminated */
		} str;
		struct {
			vl_value *value;   /* global value, NULL if unbound */
			vl_value *special; /* special form builtin, or NULL */
			vl_value *next;	   /* hash chain */
			uint32_t hash;
			size_t len;
			char *name; /* inline, NUL-terminated */
		} sym;
		struct {
			vl_value *params, *body, *env, *name;
		} clo;
		struct {
			const struct vl_builtin *def; /* NULL for a host special */
			vl_special_fn host;
			void *ud;
			vl_value *name; /* symbol */
		} bi;
	} u;
};

struct vl_handler {
	jmp_buf jb;
	struct vl_handler *prev;
};

struct vl_state {
	/* allocator */
	size_t bytes, max_memory, gc_threshold;
	uint64_t fail_after; /* test hook countdown; 0: off */
	bool gc_stress;

	/* limits */
	uint64_t steps, max_steps;
	unsigned depth, max_depth;

	/* heap */
	vl_value *objects; /* every collectable object */
	vl_value *gray;
	vl_value ***roots; /* owned; addresses of rooted C locals */
	size_t nroots, cap_roots;
	vl_value **symtab; /* owned; buckets of interned symbols */
	size_t nsyms, cap_syms;
	vl_value **pins; /* owned; NULL slots are free */
	size_t cap_pins;
	char **files; /* owned; file names, index+1 is a cons's file */
	size_t nfiles;

	/* evaluation */
	struct vl_handler *handler;
	vl_value *cur_form;		      /* innermost located form being evaluated */
	const char *cur_name;		      /* builtin being applied, for argument errors */
	vl_value *last;			      /* value of the last top-level form loaded */
	uint32_t top_file, top_line, top_col; /* where the current top-level form starts */
	vl_value *sym_quote, *sym_optional, *sym_rest, *sym_lambda;

	char err[1024];
};

/* The two constants are shared, immutable, and never collected. */
extern const vl_value vl_nil_obj, vl_t_obj;
#define NIL ((vl_value *)&vl_nil_obj)
#define T   ((vl_value *)&vl_t_obj)

void vl_grow_roots(vl_state *st);

static inline void vl_root(vl_state *st, vl_value **p)
{
	if (st->nroots == st->cap_roots)
		vl_grow_roots(st);
	st->roots[st->nroots++] = p;
}

/* allocation (vl_state.c); these raise on exhaustion */
vl_value *vl_new_obj(vl_state *st, int type, size_t extra);
vl_value *vl_cons(vl_state *st, vl_value *car, vl_value *cdr);
vl_value *vl_make_int(vl_state *st, int64_t i);
vl_value *vl_make_string(vl_state *st, const char *s, size_t len);
vl_value *vl_intern(vl_state *st, const char *name, size_t len);
void vl_charge(vl_state *st, uint64_t steps);
uint32_t vl_file_index(vl_state *st, const char *name);

/* errors (vl_state.c) */
__attribute__((noreturn, format(printf, 5, 6))) void
vl_raise_loc(vl_state *st, uint32_t file, uint32_t line, uint32_t col, const char *fmt, ...);
__attribute__((noreturn)) void vl_argerror(vl_state *st, int n, const char *what);
__attribute__((noreturn)) void vl_oom(vl_state *st);

/* reader (vl_read.c) */
int vl_parse_int(const char *s, size_t n, int base, int64_t *out);
typedef void (*vl_form_fn)(vl_state *st, vl_value **form, void *ud);
size_t vl_read_all(vl_state *st, uint32_t file, const char *src, size_t len, vl_form_fn fn,
		   void *ud);

/* evaluator (vl_eval.c) */
vl_value *vl_eval_in(vl_state *st, vl_value *x, vl_value *env);
vl_value *vl_apply(vl_state *st, vl_value *fn, vl_value *args);
extern const struct vl_builtin vl_special_forms[];

/* builtins (vl_builtins.c) */
extern const struct vl_builtin vl_builtins[];
bool vl_equal(vl_state *st, vl_value *a, vl_value *b, unsigned depth);

/* Test hook: the value of the last top-level form vl_load_string evaluated
 * (NIL if none). Valid until the next API call. */
const vl_value *vl_last_result(const vl_state *st);

static inline bool vl_truthy(const vl_value *v)
{
	return v->type != VL_NIL;
}

#endif
