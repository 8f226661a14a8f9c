/* vxelisp: the small, bounded, reentrant Lisp that evaluates VXEDs.
 *
 * All interpreter state lives in one vl_state; there is no mutable
 * file-scope state, so any number of interpreters may run at once, one per
 * thread at a time. Every allocation goes through the state's allocator,
 * which enforces a hard memory cap. Errors inside the interpreter are raised
 * with longjmp and caught in exactly one place per API entry point
 * (vl_load_string, vl_eval, vl_call_c): those return -1 and leave a message
 * "FILE:LINE:COL: text" in vl_error(). Nothing here ever exits the host or
 * aborts on bad input or on hitting a limit.
 *
 * The interpreter knows nothing of seccomp or of policies: the policy loader
 * adds its declarative forms with vl_def_special() and its constants with
 * vl_def_int().
 */
#ifndef VXE_LISP_H
#define VXE_LISP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef struct vl_state vl_state;
typedef struct vl_value vl_value;

enum vl_type {
	VL_NIL,	    /* the empty list, also false */
	VL_T,	    /* the canonical true */
	VL_INT,	    /* 64-bit signed integer */
	VL_SYMBOL,  /* interned; names starting with ':' are keywords and evaluate to themselves */
	VL_STRING,  /* bigstring: any length, any bytes including NUL */
	VL_CONS,    /* pair; lists made by the reader carry a source location */
	VL_CLOSURE, /* lambda with its lexical environment */
	VL_BUILTIN, /* C function (including host special forms) */
};

struct vl_limits {
	size_t max_memory;  /* bytes of heap the state may hold; 0: default (64 MiB) */
	uint64_t max_steps; /* evaluation steps per API call; 0: default (10 000 000) */
	unsigned max_depth; /* nesting of reader and evaluator; 0: default (1000) */
};

struct vl_loc {
	const char *file; /* owned by the state; valid while the state lives */
	int line;	  /* 1-based; 0 if unknown */
	int col;	  /* 1-based, in bytes */
};

/* Creates an interpreter. lim may be NULL for defaults. Returns NULL with
 * errno ENOMEM. If the environment variable VXE_GC_STRESS is "1" the state
 * collects garbage on every allocation (see vl_set_gc_stress). */
vl_state *vl_new(const struct vl_limits *lim);
/* Frees everything the state owns. Accepts NULL. */
void vl_free(vl_state *st);
/* Collect on every allocation and poison freed objects, so that a value held
 * without being rooted is caught at once. For tests. */
void vl_set_gc_stress(vl_state *st, bool on);
/* Test hook: make the n-th allocation from now fail as if the memory cap were
 * reached (0 disables). Lets a test fail every allocation in turn. */
void vl_fail_alloc_after(vl_state *st, uint64_t n);

/* The message of the last error: "FILE:LINE:COL: text", or "" if none. Owned
 * by the state, valid until the next API call. */
const char *vl_error(const vl_state *st);

/* Reads and evaluates every top-level form of a source text in order, in the
 * state's global environment. name is used in locations. Returns 0, or -1 with
 * vl_error() set (the first error stops evaluation; forms before it keep their
 * effect). Input is rejected, with a location, when it is not valid UTF-8
 * outside string escapes, nests deeper than max_depth, or exceeds limits. */
int vl_load_string(vl_state *st, const char *name, const char *src, size_t len);

/* Reads only (no evaluation): parses src and returns the number of top-level
 * forms in *nforms, or -1 with vl_error() set. For the fuzzer and `vxe check`. */
int vl_read_check(vl_state *st, const char *name, const char *src, size_t len, size_t *nforms);

/* Evaluates one form (already rooted, e.g. an argument given to a special
 * form) in the global environment; *out receives the result. 0 or -1. */
int vl_eval(vl_state *st, vl_value *form, vl_value **out);

/* Arguments passed from C into Lisp without exposing unrooted values. */
enum vl_arg_kind { VL_ARG_NIL, VL_ARG_INT, VL_ARG_STRING };
struct vl_arg {
	enum vl_arg_kind kind;
	int64_t i;     /* VL_ARG_INT */
	const char *s; /* VL_ARG_STRING: bytes, not necessarily NUL-terminated */
	size_t len;    /* VL_ARG_STRING */
};

/* Calls fn (a closure or builtin, e.g. one kept with vl_pin) with argc
 * arguments under a fresh step budget. *truth is set to 1 if the result is
 * non-nil, 0 if nil. Returns 0, or -1 with vl_error() set (limit hit, type
 * error, ...): the caller must then treat the check as failed. */
int vl_call_c(vl_state *st, vl_value *fn, int argc, const struct vl_arg *argv, int *truth);

/* Keeps v alive across collections until vl_unpin. Returns a handle >= 0, or
 * -1 (memory cap). */
int vl_pin(vl_state *st, vl_value *v);
vl_value *vl_pinned(const vl_state *st, int handle);
void vl_unpin(vl_state *st, int handle);

/* Defines (or redefines) a global variable. Raises on memory exhaustion only
 * when called from inside evaluation; from outside returns -1. */
int vl_def_int(vl_state *st, const char *name, int64_t value);

/* A host special form: receives its arguments unevaluated (the whole form is
 * passed, so args == cdr of form) and returns a value. It runs inside the
 * interpreter's protected call, so it may call vl_raisef() to report an error
 * at a form's location. It must not keep heap values across its return
 * without vl_pin. userdata is given back unchanged. */
typedef vl_value *(*vl_special_fn)(vl_state *st, vl_value *form, void *userdata);
int vl_def_special(vl_state *st, const char *name, vl_special_fn fn, void *userdata);
/* A special form may return NULL for nil. */

/* Inside a special form: makes a closure over the global environment, as
 * (lambda params . body) would, after checking that params is a list of
 * distinct symbols. Raises on error. The result is unrooted: pin it. */
vl_value *vl_make_lambda(vl_state *st, vl_value *params, vl_value *body);

/* Raises an error at the location of `at` (or the form being evaluated when
 * at is NULL or has no location). Only valid inside a special form or while
 * the interpreter is running. Does not return. */
__attribute__((noreturn, format(printf, 3, 4))) void vl_raisef(vl_state *st, const vl_value *at,
							       const char *fmt, ...);

/* Inspection. These never allocate and accept any value. */
enum vl_type vl_typeof(const vl_value *v);
bool vl_is_nil(const vl_value *v);
int64_t vl_int(const vl_value *v); /* 0 if not an integer */
const char *vl_string(const vl_value *v,
		      size_t *len); /* NULL if not a string; NUL-terminated copy */
const char *vl_symbol_name(const vl_value *v);
/* Has the symbol a global value (a variable, a function, a special form), or
 * is it a keyword? For checking a body before it runs. */
bool vl_symbol_bound(const vl_value *v);  /* NULL if not a symbol */
vl_value *vl_car(const vl_value *v);	  /* nil if not a cons */
vl_value *vl_cdr(const vl_value *v);	  /* nil if not a cons */
size_t vl_list_length(const vl_value *v); /* length of a proper list, else 0 */
bool vl_loc(const vl_state *st, const vl_value *v, struct vl_loc *loc); /* false if no location */
/* Writes a printed form of v into buf (truncated, always NUL-terminated when
 * size > 0, strings escaped so the output is printable ASCII). Returns the
 * length the full text would have. */
size_t vl_print(const vl_value *v, char *buf, size_t size);

#endif
