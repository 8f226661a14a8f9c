/* libFuzzer target for vxelisp: reads, evaluates and prints arbitrary
 * input under small limits, and calls back into whatever the input chose to
 * (keep ...). Any crash, leak, hang or sanitizer report is a bug: the
 * interpreter must turn every input into a value or a located error.
 *
 * tests/unit/test_fuzz_replay.c includes this file to replay the corpus
 * without libFuzzer. An input containing ";stress" runs with a collection
 * on every allocation. */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE /* memmem; the fuzz build does not pass -D_GNU_SOURCE */
#endif
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "vxe/lisp.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

struct fuzz_ctx {
	int pin;
	char out[512];
};

/* (keep EXPR): the value of EXPR is pinned and used after the load. */
static vl_value *fuzz_keep(vl_state *st, vl_value *form, void *ud)
{
	struct fuzz_ctx *c = ud;
	vl_value *v;
	if (vl_eval(st, vl_car(vl_cdr(form)), &v) < 0)
		vl_raisef(st, NULL, "%s", vl_error(st));
	if (c->pin >= 0)
		vl_unpin(st, c->pin);
	c->pin = vl_pin(st, v);
	return v;
}

/* (show EXPR): prints the value, like a host reporting a rule. */
static vl_value *fuzz_show(vl_state *st, vl_value *form, void *ud)
{
	struct fuzz_ctx *c = ud;
	vl_value *v;
	struct vl_loc loc;
	if (vl_eval(st, vl_car(vl_cdr(form)), &v) < 0)
		vl_raisef(st, form, "show: %s", vl_error(st));
	vl_print(v, c->out, sizeof(c->out));
	if (vl_loc(st, v, &loc) && (loc.line < 1 || loc.col < 1))
		__builtin_trap();
	return v;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct vl_limits lim = {.max_memory = 8 << 20, .max_steps = 50000, .max_depth = 200};
	struct fuzz_ctx c = {.pin = -1};
	const char *src = (const char *)data;
	size_t nforms;
	vl_state *st = vl_new(&lim);
	if (!st)
		return 0;
	if (memmem(data, size, ";stress", 7))
		vl_set_gc_stress(st, true);
	if (vl_def_special(st, "keep", fuzz_keep, &c) < 0 ||
	    vl_def_special(st, "show", fuzz_show, &c) < 0 || vl_def_int(st, "O_RDONLY", 0) < 0 ||
	    vl_def_int(st, "O_WRONLY", 1) < 0 || vl_def_int(st, "AF_INET", 2) < 0)
		__builtin_trap();

	int rc = vl_read_check(st, "fuzz", src, size, &nforms);
	if (vl_load_string(st, "fuzz", src, size) == 0 && rc < 0)
		__builtin_trap(); /* evaluation accepted what the reader refused */
	/* Every error has the promised "FILE:LINE:COL: " shape. */
	if (vl_error(st)[0] && strncmp(vl_error(st), "fuzz:", 5) != 0)
		__builtin_trap();

	vl_value *kept = vl_pinned(st, c.pin);
	vl_print(kept, c.out, sizeof(c.out));
	if (vl_typeof(kept) == VL_CLOSURE || vl_typeof(kept) == VL_BUILTIN) {
		struct vl_arg args[3] = {
		    {.kind = VL_ARG_STRING, .s = "/var/mail/x\0y", .len = 13},
		    {.kind = VL_ARG_INT, .i = 0x42},
		    {.kind = VL_ARG_NIL},
		};
		int truth;
		for (int argc = 0; argc <= 3; argc++)
			vl_call_c(st, kept, argc, args, &truth);
	}
	vl_free(st);
	return 0;
}
