/* Explicit activation: start a program inside a VXE and supervise it.
 *
 * The calling process becomes the supervisor: it forks the program, which
 * installs Landlock (production) and the seccomp filter on itself and then
 * execs; the supervisor answers every notification until the last confined
 * process is gone. It stays outside the VXE.
 */
#ifndef VXE_SUPERVISOR_H
#define VXE_SUPERVISOR_H

#include <stdbool.h>

#include "vxe/log.h"
#include "vxe/plan.h"

struct vxe_sup;

struct vxe_launch {
	const struct vxe_plan *plan; /* not owned; lives as long as the supervisor */
	struct vxe_log *log;	     /* not owned; may be NULL (nothing logged) */
	const char *path;	     /* program to exec (already resolved) */
	char *const *argv;
	char *const *envp;
	bool quiet;	      /* no warnings on stderr */
	const char *log_path; /* made read-only for the program (root only); may be NULL */
};

/* Starts the program and supervises it. When the program exits, returns its
 * wait status in *status; if other confined processes remain (a daemon that
 * forked into the background), a detached copy of the supervisor goes on
 * serving them and this call returns anyway. Returns 0, or -errno if the
 * program could not be started (with a message on stderr). Signals SIGTERM,
 * SIGINT, SIGHUP, SIGQUIT, SIGUSR1, SIGUSR2 sent to the caller are passed on
 * to the program. */
int vxe_sup_run(const struct vxe_launch *l, int *status);

#endif
