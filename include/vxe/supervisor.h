/* Explicit activation: start a program inside a VXE and supervise it.
 *
 * The calling process becomes the supervisor: it forks the program, which
 * installs Landlock (production) and the seccomp filter on itself and then
 * execs; the supervisor answers every notification until the last confined
 * process is gone. It stays outside the VXE.
 */
#ifndef VXE_SUPERVISOR_H
#define VXE_SUPERVISOR_H

#include <signal.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

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
	bool counted; /* from the kernel counter, after the call: nothing decoded, and
			 the process may be gone (vxe_plan_trace_counted) */
};
typedef void (*vxe_trace_fn)(void *userdata, const struct vxe_trace_event *ev);

/* Can trace mode count the calls it need not read in the kernel (perf's
 * raw_syscalls:sys_enter tracepoint, src/supervisor/kcount.c) instead of
 * a notification each? Needs root (or CAP_PERFMON) and a kernel with
 * syscall tracepoints. If not, says why in why. See vxe_plan_trace_counted. */
bool vxe_kcount_available(char *why, size_t whysz);

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
	uint64_t *counted_lost; /* trace with a counted plan: set to the calls the kernel
				   counter had to drop (its buffer was full); may be NULL */
	/* If set: on return the signals passed on to the program stay blocked
	 * and the mask they had is stored here, for a caller whose work after
	 * the program must not be cut short by a late Ctrl-C or SIGTERM
	 * (trace writing its VXED). The caller restores it. */
	sigset_t *hold_signals;
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
