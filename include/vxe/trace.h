/* Trace mode: record what a program does, unrestricted, and write a VXED
 * that permits it (SPEC §1, §2 `vxe trace`).
 *
 * The supervisor calls vxe_trace_record() for every system call of the
 * program and its descendants (struct vxe_launch.on_trace). The recorder
 * aggregates as it goes, in bounded memory: per syscall a count and the
 * programs that made it, per path the access it needed, per socket address
 * the port. vxe_trace_vxed() then generalises the paths the way an
 * administrator would write them and prints a VXED in canonical form, or,
 * given an existing VXED, only what the run needed beyond it.
 *
 * vxe_policy_print() prints any loaded VXED in the same canonical form:
 * printing what it printed, loaded again, gives the same text.
 */
#ifndef VXE_TRACE_H
#define VXE_TRACE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "vxe/policy.h"
#include "vxe/supervisor.h"

struct vxe_trace;

/* How far paths are generalised (doc/trace.md). */
enum vxe_generalize {
	VXE_GEN_NONE,	/* exact paths; only what enforcement needs (/proc/PID, created files'
			   directories) */
	VXE_GEN_NORMAL, /* + temporary files, versioned libraries, > max_files files in a directory
			 */
	VXE_GEN_WIDE,	/* the same with a threshold of 3 files */
};

struct vxe_trace_opts {
	enum vxe_type type;	   /* strict or filesystem */
	enum vxe_generalize level; /* default VXE_GEN_NORMAL */
	unsigned max_files;  /* > this many files in one directory: the directory; 0: by level */
	size_t max_paths;    /* distinct paths kept before generalising harder; 0: 100 000 */
	const char *name;    /* the VXED's name; NULL: the program's base name */
	const char *program; /* absolute path of the traced program (for :activate) */
	const char *command; /* the command line, for the header comment; may be NULL */
	bool progress;	     /* a line on stderr every few seconds */
};

/* A recorder. Returns NULL with errno ENOMEM. The strings in opts are copied. */
struct vxe_trace *vxe_trace_new(const struct vxe_trace_opts *opts);
/* Accepts NULL. */
void vxe_trace_free(struct vxe_trace *t);
/* Records one call; a vxe_trace_fn (userdata is the struct vxe_trace). Never
 * fails: what does not fit is counted and reported in the VXED's comments. */
void vxe_trace_record(void *t, const struct vxe_trace_event *ev);
/* Number of calls recorded so far. */
uint64_t vxe_trace_calls(const struct vxe_trace *t);
/* The kernel counter dropped n calls (vxe_launch.counted_lost): the VXED and
 * a warning say that a harmless call may be missing. */
void vxe_trace_set_lost(struct vxe_trace *t, uint64_t n);

/* The VXED for what was recorded, as a malloc'd NUL-terminated text (the
 * caller frees), or NULL with errno set. With old (a loaded VXED whose
 * source text is old_text), returns old_text unchanged followed by a marked
 * section with only what the run needed that old does not grant; *added is
 * then the number of rules in that section (0: old_text alone). Warnings
 * for the administrator (escape-set calls seen, paths kept precise on
 * purpose) go to warn, one per line, if it is not NULL. */
char *vxe_trace_vxed(struct vxe_trace *t, const struct vxe_policy *old, const char *old_text,
		     size_t *added, FILE *warn);

/* A loaded VXED in canonical form (malloc'd; the caller frees), or NULL with
 * errno ENOMEM. Top-level forms that the policy does not keep (defun, setq,
 * comments) are not printed: see doc/trace.md. */
char *vxe_policy_print(const struct vxe_policy *p);

#endif
