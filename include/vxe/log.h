/* The violation log: JSON Lines (SPEC §6), written only by the supervisor.
 *
 * One object per line, format version 1:
 *   {"v":1,"time":"2026-12-03T16:38:20.123Z","vxed":"lighttpd","mode":"production",
 *    "action":"blocked","pid":1234,"exe":"/usr/sbin/lighttpd","syscall":"openat",
 *    "arch":"x86_64","args":{"dirfd":"AT_FDCWD","path":"/etc/shadow","flags":"O_RDONLY"},
 *    "rule":"files","errno":"EACCES"}
 * A rate-limited burst ends with a record whose action is "suppressed" and
 * whose "count" is the exact number of events not written.
 * Strings are escaped so every line is valid JSON and printable: control
 * characters as \u00XX, and each byte of invalid UTF-8 as \uDCXX (the
 * "surrogateescape" convention), which keeps the original bytes recoverable.
 */
#ifndef VXE_LOG_H
#define VXE_LOG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#define VXE_LOG_DEFAULT "/var/log/vxe/vxe.log"
#define VXE_LOG_VERSION 1

struct vxe_log;

struct vxe_log_opts {
	const char *path;    /* NULL: VXE_LOG_DEFAULT; "-": standard error */
	bool syslog;	     /* also send each record to syslog (LOG_AUTHPRIV) */
	unsigned burst;	     /* records allowed at once; 0: default 200 */
	unsigned per_second; /* sustained records per second; 0: default 50 */
};

enum vxe_log_argkind { VXE_LOGARG_INT, VXE_LOGARG_STR, VXE_LOGARG_NAME };
struct vxe_log_arg {
	const char *name;
	enum vxe_log_argkind kind; /* INT: number; STR: escaped bytes; NAME: a symbolic
				    * value such as "O_RDONLY|O_CLOEXEC", also a string */
	int64_t i;
	const char *s;
	size_t len;
};

struct vxe_event {
	const char *vxed;
	const char *mode;   /* "trace" | "soft" | "production" */
	const char *action; /* "traced" | "allowed" | "logged" | "blocked" */
	pid_t pid;
	const char *exe;     /* may be NULL */
	const char *syscall; /* name, or "syscall_NNN" */
	const char *arch;    /* "x86_64", "i386", "x32" */
	const char *rule;    /* what decided: "unlisted", "files", "escape", "permit:LINE"... */
	int err;	     /* errno returned to the program, 0 if none */
	unsigned nargs;
	const struct vxe_log_arg *args;
};

/* Opens (creating 0600, and the directory 0700, if missing) the log for
 * appending, with O_CLOEXEC. Returns NULL with errno set. */
struct vxe_log *vxe_log_open(const struct vxe_log_opts *opts);
/* Flushes any pending suppression count and closes. Accepts NULL. */
void vxe_log_close(struct vxe_log *log);
/* Writes one record as a single write(2) of a whole line (so concurrent
 * writers never interleave), or counts it as suppressed when the rate limit
 * is exceeded. Returns 0, 1 if suppressed, or -errno on a write error. */
int vxe_log_event(struct vxe_log *log, const struct vxe_event *ev);

/* Appends s (len bytes) to out as the inside of a JSON string, escaped as
 * described above. Returns the number of bytes written, or the number needed
 * if size is too small (like snprintf; out is NUL-terminated when size > 0). */
size_t vxe_json_escape(char *out, size_t size, const char *s, size_t len);

#endif
