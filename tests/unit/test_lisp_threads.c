/* Reentrancy: several threads, each with its own interpreter, define the
 * same global names and host forms with different values, and none may
 * ever see another's. Run it under ASan/TSan-like builds and with
 * VXE_GC_STRESS=1 as well. */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tap.h"
#include "vxe/lisp.h"

#define NTHREADS 8

struct worker {
	int id;
	int iterations;
	int errors;
	char first_error[512];
	int special_calls;
};

/* (whoami EXPR) checks that EXPR (the thread's MY-ID constant) matches
 * the userdata this state was given, and returns it. It reaches the
 * evaluator re-entrantly through vl_eval, as the policy loader will. */
static vl_value *sf_whoami(vl_state *st, vl_value *form, void *ud)
{
	struct worker *w = ud;
	vl_value *v;
	if (vl_list_length(form) != 2)
		vl_raisef(st, form, "whoami takes one argument");
	if (vl_eval(st, vl_car(vl_cdr(form)), &v) < 0)
		vl_raisef(st, NULL, "%s", vl_error(st));
	if (vl_int(v) != w->id)
		vl_raisef(st, form, "foreign userdata: %d, MY-ID %lld", w->id,
			  (long long)vl_int(v));
	w->special_calls++;
	return v;
}

static void fail(struct worker *w, const char *what, const char *detail)
{
	if (!w->errors++)
		snprintf(w->first_error, sizeof(w->first_error), "%s: %s", what, detail);
}

static void *run(void *arg)
{
	struct worker *w = arg;
	char src[1024], check[256];
	vl_state *st = NULL;
	for (int it = 0; it < w->iterations; it++) {
		if (it % 25 == 0) { /* fresh interpreters now and then */
			vl_free(st);
			st = vl_new(NULL);
			if (!st) {
				fail(w, "vl_new", "NULL");
				return NULL;
			}
			if (vl_def_special(st, "whoami", sf_whoami, w) < 0 ||
			    vl_def_int(st, "MY-ID", w->id) < 0)
				fail(w, "define", vl_error(st));
		}
		int shared = w->id * 100000 + it;
		int n =
		    snprintf(src, sizeof(src),
			     "(setq shared %d)\n"
			     "(setq me (whoami MY-ID))\n"
			     "(defun ident (x) (list '%c x shared me))\n"
			     "(defun build (n acc) (if (= n 0) acc (build (- n 1) (cons n acc))))\n"
			     "(setq junk (build %d nil))\n"
			     "(setq tags (mapcar (lambda (s) (concat s \"-%d\")) "
			     "(split \"a,b,c\" \",\")))\n"
			     "(ident (+ shared (length junk)))\n",
			     shared, 'a' + w->id, 50 + w->id, w->id);
		if (vl_load_string(st, "thread", src, (size_t)n) < 0) {
			fail(w, "load", vl_error(st));
			continue;
		}
		n = snprintf(check, sizeof(check),
			     "(unless (and (equal (ident 0) '(%c 0 %d %d))\n"
			     "             (equal tags '(\"a-%d\" \"b-%d\" \"c-%d\"))\n"
			     "             (= (length junk) %d))\n"
			     "  (error \"saw another thread's definitions: \" (ident 0) tags))",
			     'a' + w->id, shared, w->id, w->id, w->id, w->id, 50 + w->id);
		if (vl_load_string(st, "check", check, (size_t)n) < 0)
			fail(w, "check", vl_error(st));
	}
	vl_free(st);
	return NULL;
}

int main(void)
{
	pthread_t th[NTHREADS];
	struct worker w[NTHREADS];
	int iterations = getenv("VXE_GC_STRESS") ? 40 : 400;
	for (int i = 0; i < NTHREADS; i++) {
		w[i] = (struct worker){.id = i, .iterations = iterations};
		if (pthread_create(&th[i], NULL, run, &w[i]) != 0) {
			tap_ok(0, "pthread_create");
			return tap_done();
		}
	}
	for (int i = 0; i < NTHREADS; i++)
		pthread_join(th[i], NULL);
	for (int i = 0; i < NTHREADS; i++) {
		if (!tap_ok(w[i].errors == 0 && w[i].special_calls == iterations,
			    "thread %d: %d iterations, own globals and host forms only", i,
			    iterations))
			tap_diag("%d errors, %d special calls; first: %s", w[i].errors,
				 w[i].special_calls, w[i].first_error);
	}
	return tap_done();
}
