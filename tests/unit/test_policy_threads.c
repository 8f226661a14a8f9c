/* Many VXEDs loaded and evaluated at once from several threads never see
 * each other (SPEC 3: reentrant). Each thread loads its own VXED, defining
 * the same function name with its own constant, then runs the permit
 * predicate that calls it: the answer must be its own, every time. */
#include <pthread.h>
#include <stdio.h>
#include <string.h>

#include "tap.h"
#include "vxe/policy.h"

#define THREADS 8
#define ROUNDS	150

struct job {
	int id;
	int failures;
	char first_error[512];
};

static void *worker(void *arg)
{
	struct job *j = arg;
	char src[512], err[256], name[32];
	snprintf(name, sizeof name, "t%d.vxed", j->id);
	snprintf(src, sizeof src,
		 "(vxed \"thread%d\" :type strict)\n"
		 "(defun mine () %d)\n"
		 "(setq shared (* %d 1000))\n"
		 "(permit kill (pid sig) (and (= pid (mine)) (= sig (/ shared 1000))))\n",
		 j->id, j->id, j->id);
	for (int r = 0; r < ROUNDS; r++) {
		struct vxe_policy *p;
		if (vxe_policy_load_string(name, src, strlen(src), &p, err, sizeof err) < 0) {
			if (!j->failures++)
				snprintf(j->first_error, sizeof j->first_error, "load: %s", err);
			continue;
		}
		char want[16];
		snprintf(want, sizeof want, "thread%d", j->id);
		const struct vxe_rule *rule = &p->rules[0];
		struct vl_arg yes[2] = {{.kind = VL_ARG_INT, .i = j->id},
					{.kind = VL_ARG_INT, .i = j->id}};
		struct vl_arg no[2] = {{.kind = VL_ARG_INT, .i = (j->id + 1) % THREADS},
				       {.kind = VL_ARG_INT, .i = j->id}};
		int t1 = -1, t2 = -1;
		int rc1 = vl_call_c(p->lisp, vl_pinned(p->lisp, rule->pred), 2, yes, &t1);
		int rc2 = vl_call_c(p->lisp, vl_pinned(p->lisp, rule->pred), 2, no, &t2);
		if (strcmp(p->name, want) != 0 || rc1 || rc2 || t1 != 1 || t2 != 0) {
			if (!j->failures++)
				snprintf(j->first_error, sizeof j->first_error,
					 "name %s rc %d/%d truth %d/%d %s", p->name, rc1, rc2, t1,
					 t2, vl_error(p->lisp));
		}
		vxe_policy_free(p);
	}
	return NULL;
}

int main(void)
{
	pthread_t th[THREADS];
	struct job jobs[THREADS];
	for (int i = 0; i < THREADS; i++) {
		jobs[i] = (struct job){.id = i};
		pthread_create(&th[i], NULL, worker, &jobs[i]);
	}
	for (int i = 0; i < THREADS; i++)
		pthread_join(th[i], NULL);
	for (int i = 0; i < THREADS; i++)
		if (!tap_ok(jobs[i].failures == 0, "thread %d: %d VXEDs, each saw only its own", i,
			    ROUNDS))
			tap_diag("%d failures; first: %s", jobs[i].failures, jobs[i].first_error);
	return tap_done();
}
