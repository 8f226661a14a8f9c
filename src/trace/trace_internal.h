/* Inside trace: the growable text buffer, the document the printer prints,
 * and the generaliser's interface. */
#ifndef VXE_TRACE_INTERNAL_H
#define VXE_TRACE_INTERNAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include <sys/types.h>

#include "vxe/policy.h"
#include "vxe/trace.h"

/* Access a path needed, as recorded: VXE_FS_* plus CREATE (a name was made
 * or removed in its directory: Landlock wants write on the directory). */
#define VXE_TR_CREATE (1u << 3)

/* A growable string; on allocation failure it sets oom and stops growing. */
struct vxe_buf {
	char *s; /* owned */
	size_t len, cap;
	bool oom;
};
void vxe_buf_add(struct vxe_buf *b, const char *s, size_t n);
void vxe_buf_puts(struct vxe_buf *b, const char *s);
__attribute__((format(printf, 2, 3))) void vxe_buf_printf(struct vxe_buf *b, const char *fmt, ...);
/* s as a vxelisp string literal: printable ASCII, other bytes as \xHH. */
void vxe_buf_lisp_string(struct vxe_buf *b, const char *s);
/* Attacker-controlled text (program names, paths, the command line) made
 * safe for a ';' comment and for a terminal: at most max bytes of s (then
 * "..."), on one line, with C0 controls (newline, CR, ESC), DEL and bytes
 * that are not UTF-8 as \xHH, C1 controls and the bidi and invisible format
 * characters (U+200E, U+202E, U+2066, U+2028, U+FEFF...) as \uHHHH. Other
 * text, printable UTF-8 included, is kept. Escaping twice changes nothing. */
void vxe_buf_comment_text(struct vxe_buf *b, const char *s, size_t max);
/* A warning for the administrator on f (NULL: none): the formatted text
 * escaped as by vxe_buf_comment_text, then one newline. Every line trace
 * prints about what the program did goes through here. */
__attribute__((format(printf, 2, 3))) void vxe_trace_warnf(FILE *f, const char *fmt, ...);

/* What the printer prints. Every string is owned by the document. */
struct vxe_doc_name {
	char *name;
	char *comment; /* may be NULL */
};
struct vxe_doc_pred {
	char *name;
	char *params; /* "(domain type protocol)" */
	char *body;   /* body forms, one per line */
	char *comment;
};
struct vxe_doc_path {
	unsigned bit; /* one of VXE_FS_READ, VXE_FS_WRITE, VXE_FS_EXECUTE */
	char *path;
	char *comment;
};
struct vxe_doc_net {
	enum vxe_net_op op;
	int proto; /* IPPROTO_TCP / IPPROTO_UDP */
	int port;  /* 0..65535; -1: none (proto ignored); -2: any */
	char *comment;
};
struct vxe_doc {
	char *name;
	enum vxe_type type;
	enum vxe_mode mode;
	int err; /* 0 or EPERM: not printed */
	char **activate;
	size_t nactivate;
	bool setuid;  /* a setuid/setgid program was executed: :setuid allow */
	char *header; /* comment lines before the vxed form, may be NULL */
	char *unchecked_comment, *permit_comment, *files_comment, *network_comment;
	char *tail; /* comment lines at the end (commented-out rules), may be NULL */
	struct vxe_doc_name *unchecked, *permit;
	size_t nunchecked, npermit;
	struct vxe_doc_pred *preds;
	size_t npreds;
	bool has_files;
	struct vxe_doc_path *paths;
	size_t npaths;
	bool has_network;
	struct vxe_doc_net *net;
	size_t nnet;
	bool no_header; /* merge: print only the rule forms */
};

void vxe_doc_free(struct vxe_doc *d); /* frees the contents, not d */
/* Appends to the document; false on allocation failure. comment may be NULL. */
bool vxe_doc_add_name(struct vxe_doc *d, bool unchecked, const char *name, const char *comment);
bool vxe_doc_add_pred(struct vxe_doc *d, const char *name, const char *params, const char *body,
		      const char *comment);
bool vxe_doc_add_path(struct vxe_doc *d, unsigned bit, const char *path, const char *comment);
bool vxe_doc_add_net(struct vxe_doc *d, enum vxe_net_op op, int proto, int port,
		     const char *comment);
/* Prints in canonical order and layout (sorted names, paths, ports). */
void vxe_doc_print(struct vxe_doc *d, struct vxe_buf *out);
/* Fills d from a loaded policy. false on allocation failure. */
bool vxe_doc_from_policy(struct vxe_doc *d, const struct vxe_policy *p);

/* One recorded path, the generaliser's input. */
struct vxe_gen_in {
	const char *path; /* absolute, lexical as the program named it */
	unsigned access;  /* VXE_FS_* | VXE_TR_CREATE */
	uint64_t count;
	uint64_t progs;	 /* bit i: program i of the names table */
	bool proc_other; /* a per-process /proc entry not of the first process */
	const char *why; /* NULL, or why it is needed (ELF interpreter of ...) */
};
struct vxe_gen_opts {
	int level;		       /* enum vxe_generalize */
	unsigned max_files;	       /* threshold */
	const char *const *prog_names; /* base names, indexed by progs bits */
	unsigned nprogs;
	/* Merge: a grant the old VXED already gives is not emitted. */
	const struct vxe_policy *old;
	/* The traced program's process (its /proc/PID is its own), 0: unknown. */
	pid_t root;
	/* Accesses no rule can grant safely, one line each for the VXED's
	 * "Not granted: decide by hand." comment; may be NULL. */
	struct vxe_buf *tail;
};
/* Adds path rules (with comments) for the recorded paths to d; warnings for
 * the administrator go to warn (may be NULL). false on allocation failure. */
bool vxe_generalize(const struct vxe_gen_in *in, size_t n, const struct vxe_gen_opts *o,
		    struct vxe_doc *d, FILE *warn);

/* Path helpers (generalize.c), exposed for the unit tests. */
bool vxe_gen_too_wide(const char *dir, unsigned bit);
bool vxe_gen_is_versioned_lib(const char *base);
bool vxe_gen_is_temp(const char *path, char *tempdir, size_t size);
/* '/' sorts before every other byte, so a directory's entries follow it. */
int vxe_gen_path_cmp(const char *a, const char *b);

/* The recorder (record.c); the writer (emit.c) reads it. */
#define VXE_TR_MAX_PROGS 64 /* program names kept; the last slot stands for the rest */

struct vxe_tr_path {
	char *path; /* owned */
	uint64_t hash;
	unsigned access;
	uint64_t count, progs;
	bool proc_other;
};
struct vxe_tr_pid {
	pid_t pid; /* 0: empty slot */
	pid_t tgid;
	int prog; /* index in progs, -1: unknown */
	bool stale;
};
struct vxe_tr_net {
	enum vxe_net_op op;
	int proto;
	unsigned port;
	uint64_t count, progs;
	char example[64];
};
struct vxe_tr_sock {
	int domain, type;
	uint64_t count;
};

struct vxe_trace {
	struct vxe_trace_opts o;
	char *name, *program, *command; /* owned copies of o's strings */
	uint64_t calls;
	uint64_t foreign;    /* i386 / x32 calls: no VXED can permit them */
	uint64_t unresolved; /* paths that could not be made absolute */
	uint64_t folded;     /* paths recorded as their directory: the cap was reached */
	uint64_t dropped;    /* paths lost even so */
	uint64_t net_dropped;
	uint64_t counted;      /* of calls, those the kernel counted (no notification) */
	uint64_t counted_lost; /* samples the kernel counter dropped: calls unseen */
	uint64_t sys_count[512], sys_progs[512];
	const void *fc[512];	       /* struct vxe_file_call *, per syscall number */
	char *progs[VXE_TR_MAX_PROGS]; /* owned: real paths of the programs seen */
	unsigned nprogs;
	struct vxe_tr_path *paths; /* owned, npaths */
	size_t npaths, pcap;
	uint32_t *ptab; /* open addressing: index+1 into paths, 0 empty */
	size_t ptab_size;
	struct vxe_tr_pid *pids;
	size_t pids_size, npids;
	struct vxe_tr_net net[256];
	unsigned nnet;
	struct vxe_tr_sock socks[32];
	unsigned nsocks;
	/* clone with namespace flags (the escape set: never granted). */
	uint64_t ns_clones, ns_progs;
	uint64_t ns_flags;
	pid_t root; /* the traced program's process */
	long last_progress;
	bool progress_shown;
};

int vxe_trace_prog_index(struct vxe_trace *t, const char *exe);

#endif
