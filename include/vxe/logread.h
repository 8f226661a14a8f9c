/* Reading the violation log (the other side of vxe/log.h): a strict parser
 * for one JSON Lines record of format version 1, a reader that walks a log
 * and its rotated predecessors oldest first (and can follow the live file
 * across rotation), record filters and the time syntax of `vxe log`.
 *
 * Used by `vxe log` and meant for `vxe upgrade`: a record decodes to owned
 * byte strings equal to what the program handed the kernel (the writer's
 * \u00XX and \uDCXX escapes undone), so a path can be matched or turned into
 * a rule as it was.
 *
 * Nothing here prints except the reader, and only to opts.diag: malformed or
 * truncated lines are reported ("LOG:LINE: skipped: reason"), counted and
 * skipped, never fatal.
 */
#ifndef VXE_LOGREAD_H
#define VXE_LOGREAD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

/* Bounds of what the parser accepts. The writer's longest line is about
 * 200 KB (vxe/log.h limits), so a longer line is not ours. */
#define VXE_LOGREAD_LINE_MAX  (1u << 20) /* bytes, without the newline */
#define VXE_LOGREAD_DEPTH_MAX 16	 /* nesting of objects/arrays (unknown fields) */
#define VXE_LOGREAD_ARGS_MAX  64 /* members of "args" (the writer: at most 6) or "syscalls" (17) */

/* An owned byte string: s is NULL when the field was absent or JSON null;
 * otherwise s is malloc'd, NUL-terminated, and len bytes long (it may contain
 * NUL bytes: use len, not strlen). */
struct vxe_logstr {
	char *s;
	size_t len;
};

enum vxe_logval_kind {
	VXE_LOGVAL_NULL,  /* JSON null */
	VXE_LOGVAL_INT,	  /* an integer that fits int64_t: i */
	VXE_LOGVAL_NUM,	  /* any other number (fraction, exponent, too big): no value */
	VXE_LOGVAL_STR,	  /* a string: str */
	VXE_LOGVAL_BOOL,  /* true/false: b */
	VXE_LOGVAL_OTHER, /* an object or array (not produced by the v1 writer) */
};

struct vxe_logval {
	enum vxe_logval_kind kind;
	int64_t i;
	bool b;
	struct vxe_logstr str;
};

/* One member of "args", in the order of the line (the syscall's order). */
struct vxe_logarg {
	struct vxe_logstr name;
	struct vxe_logval val;
};

/* A decoded record. Fields the line did not have are NULL strings (or -1,
 * 0, false). The fields are those of vxe/log.h; unknown fields are ignored. */
struct vxe_logrec {
	int64_t v;		/* always VXE_LOG_VERSION after a successful parse */
	struct vxe_logstr time; /* as written: "2026-12-03T16:38:20.123Z" */
	int64_t time_ms;	/* the same, in ms since the epoch (UTC) */
	struct vxe_logstr vxed; /* NULL in a "suppressed" record for several VXEDs */
	struct vxe_logstr mode;
	struct vxe_logstr action; /* "traced" "allowed" "logged" "blocked" "suppressed" */
	int64_t pid;		  /* -1 if absent */
	struct vxe_logstr exe;
	struct vxe_logstr syscall;
	struct vxe_logstr arch;
	struct vxe_logstr rule;
	struct vxe_logstr errno_name; /* "EACCES"; NULL if none or numeric */
	int errno_num;		      /* when the writer had no name: the number; else 0 */
	unsigned nargs;
	struct vxe_logarg *args;     /* owned array of nargs */
	uint64_t count;		     /* "suppressed": the number of events not written */
	unsigned nsyscalls;	     /* "suppressed": how many of them per syscall, if the */
	struct vxe_logarg *syscalls; /* writer said: names with INT counts ("other" last) */
	bool truncated;		     /* some value is a prefix of the original */
};

/* Parses one line (len bytes, without its newline; no NUL needed) into rec,
 * which must be zeroed or hold an earlier record (freed first). Strict JSON
 * (RFC 8259) of a single object, valid UTF-8, bounded by the limits above;
 * duplicate known keys are refused. Required: "v" (must be 1), "time"
 * (RFC 3339), "action", and "syscall" unless the action is "suppressed",
 * whose "count" is then required.
 * Returns 0; -EINVAL if malformed, -EPROTONOSUPPORT if the version is not
 * 1 (err says why, with the column for syntax errors); -ENOMEM. On failure
 * rec is left zeroed. */
int vxe_logrec_parse(const char *line, size_t len, struct vxe_logrec *rec, char *err,
		     size_t errsize);
/* Frees what rec owns and zeroes it. */
void vxe_logrec_free(struct vxe_logrec *rec);
/* True for the record a rate-limited burst ends with. */
bool vxe_logrec_is_suppressed(const struct vxe_logrec *rec);
/* The argument called name, or NULL. */
const struct vxe_logarg *vxe_logrec_arg(const struct vxe_logrec *rec, const char *name);

/* ---- Reading a log and its rotations -------------------------------------- */

struct vxe_logreader;

struct vxe_logreader_opts {
	const char *path;     /* the live log; "-" reads standard input (no rotation) */
	bool rotated;	      /* first read PATH.N, PATH.N.gz ... PATH.1, oldest first */
	bool follow;	      /* keep an unterminated last line of the live file until its
			       * newline arrives, and tolerate a live file that does not
			       * exist yet (see vxe_logreader_check_rotation) */
	FILE *diag;	      /* skipped lines and unreadable files reported here; NULL: silent */
	unsigned max_reports; /* lines reported one by one before only counting; 0: 5 */
};

/* Finds the files (PATH.N.gz are read through `gzip -dc`, run from PATH;
 * when gzip cannot be run the file is reported and skipped). Returns NULL
 * with errno set (ENOENT: neither PATH nor a rotation exists and not
 * following). */
struct vxe_logreader *vxe_logreader_open(const struct vxe_logreader_opts *opts);
/* The next well-formed record, in file order: returns 1 and fills rec (freed
 * first, as for vxe_logrec_parse) and *line, *len (the raw bytes without the
 * newline, valid until the next call; either may be NULL); 0 when no more
 * lines are available now (the end, unless following); -errno on a read
 * error of the live file (rotations that fail are reported and skipped).
 * Malformed lines are reported, counted and skipped inside. */
int vxe_logreader_next(struct vxe_logreader *r, struct vxe_logrec *rec, const char **line,
		       size_t *len);
/* For --follow, after next() returned 0: if the live path now names another
 * file (rotated: renamed and re-created) the rest of the old one is read
 * first and then the new one is opened from its start; if the file shrank
 * (truncated), reading restarts at its start; if it was missing, it is opened
 * once it exists. Returns 1 if anything changed (call next() again), 0 if
 * not, -errno on error. */
int vxe_logreader_check_rotation(struct vxe_logreader *r);
/* Where the last line returned or skipped came from. */
const char *vxe_logreader_file(const struct vxe_logreader *r);
unsigned long vxe_logreader_lineno(const struct vxe_logreader *r);
/* Malformed lines skipped so far. */
unsigned long vxe_logreader_skipped(const struct vxe_logreader *r);
/* Writes "vxe: log: N malformed lines skipped" to diag if more were skipped
 * than were reported one by one. */
void vxe_logreader_summary(const struct vxe_logreader *r);
/* Closes everything (and reaps gzip). Accepts NULL. */
void vxe_logreader_close(struct vxe_logreader *r);

/* ---- Filters and times ------------------------------------------------------ */

/* Records `vxe log` shows. Each string is a comma-separated list of values
 * (any may match), NULL for no condition. Bounds: since <= time < until. */
struct vxe_logfilter {
	const char *vxed;
	const char *syscall;
	const char *action;
	const char *program; /* a value with '/' is compared with exe, else with its basename */
	int64_t since_ms;    /* INT64_MIN: no bound */
	int64_t until_ms;    /* INT64_MAX: no bound */
};
/* A filter that lets everything through. */
void vxe_logfilter_init(struct vxe_logfilter *f);
/* True if rec passes. A "suppressed" record stands for events that could
 * have been anything: it is subject to the time bounds and to the VXED (a
 * record for several VXEDs, vxed null, passes any), to the syscall list only
 * if it has per-syscall counts (a name asked for, or "other"), and not to
 * program or action, unless the action list names "suppressed" (then only
 * those). */
bool vxe_logfilter_match(const struct vxe_logfilter *f, const struct vxe_logrec *rec);

/* RFC 3339 date-time ("2026-12-03T16:00:00Z", "...16:00:00.5+01:00"; 't',
 * ' ' and 'z' accepted too) to ms since the epoch. Returns 0 or -EINVAL. */
int vxe_log_parse_rfc3339(const char *s, size_t len, int64_t *ms);
/* TIME as `vxe log --since/--until` takes it: RFC 3339; a local date
 * "2026-12-03" (its midnight) or local "2026-12-03 16:00[:00]" (also with T);
 * "now"; or a span ago: "90s", "10m", "2h", "1d", "1w". now_ms is the present.
 * Returns 0 or -EINVAL. */
int vxe_log_parse_when(const char *s, int64_t now_ms, int64_t *ms);

#endif
