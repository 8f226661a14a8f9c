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

/* One system call seen in trace mode. Valid only during the callback. */
struct vxe_trace_event {
	pid_t pid;
	int nr;				     /* in arch's numbering */
	const char *arch;		     /* "x86_64", "i386", "x32" */
	const struct vxe_syscall_info *info; /* NULL: unknown to VXE or non-native */
	const uint64_t *args;		     /* the six raw arguments */
	unsigned ndecoded;
	const struct vxe_log_arg *decoded; /* as in the log: paths resolved, flags named */
	int path_err;			   /* 0, or -errno if a path could not be read */
};
typedef void (*vxe_trace_fn)(void *userdata, const struct vxe_trace_event *ev);

struct vxe_launch {
	const struct vxe_plan *plan; /* not owned; lives as long as the supervisor */
	struct vxe_log *log;	     /* not owned; may be NULL (nothing logged) */
	const char *path;	     /* program to exec (already resolved) */
	char *const *argv;
	char *const *envp;
	bool quiet;	       /* no warnings on stderr */
	const char *log_path;  /* made read-only for the program (root only); may be NULL */
	vxe_trace_fn on_trace; /* trace mode: called for every call, which then proceeds */
	void *trace_userdata;
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
