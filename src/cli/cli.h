/* The command-line front end's own pieces. */
#ifndef VXE_CLI_H
#define VXE_CLI_H

#include "vxe/plan.h"
#include "vxe/policy.h"

#define VXE_VERSION "0.1.0"

/* Prints "vxe: MESSAGE" and an optional "hint: ..." and exits 125. */
__attribute__((noreturn, format(printf, 2, 3))) void vxe_die(const char *hint, const char *fmt,
							     ...);
/* Exit status (or death by signal) mirroring a wait status. */
int vxe_exit_like(int status);
int vxe_cmd_check(int argc, char **argv);
/* PROGRAM as execvp would find it, resolved to its real path; NULL with
 * errno if none (so a missing program is reported before anything runs).
 * The caller frees. */
char *vxe_find_program(const char *name);
/* The whole file, NUL-terminated, its length in *len; NULL with errno. The
 * caller frees. */
char *vxe_read_file(const char *path, size_t *len);
int vxe_cmd_trace(int argc, char **argv);   /* src/cli/trace.c */
int vxe_cmd_log(int argc, char **argv);	    /* src/cli/logview.c */
int vxe_cmd_upgrade(int argc, char **argv); /* src/cli/upgrade.c */

#endif
