/* A loaded VXED: what the file says, before any decision on how to enforce it.
 *
 * vxe_policy_load() evaluates the file in its own vxelisp interpreter, with
 * the declarative forms (vxed, unchecked, permit, files, network) registered
 * as special forms and the policy constants as globals. The interpreter stays
 * alive inside the policy: permit predicates are closures the supervisor
 * calls later.
 */
#ifndef VXE_POLICY_H
#define VXE_POLICY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "vxe/lisp.h"
#include "vxe/syscalls.h"

enum vxe_type { VXE_TYPE_STRICT, VXE_TYPE_FILESYSTEM };
enum vxe_mode { VXE_MODE_TRACE, VXE_MODE_SOFT, VXE_MODE_PRODUCTION };

enum vxe_rule_kind {
	VXE_RULE_UNCHECKED, /* (unchecked NAME...) */
	VXE_RULE_PERMIT,    /* (permit NAME...) or (permit NAME (ARGS) PRED) */
};

struct vxe_rule {
	enum vxe_rule_kind kind;
	char *syscall;			     /* owned */
	int nr;				     /* x86_64 number */
	const struct vxe_syscall_info *info; /* NULL: unknown to VXE, args a0..a5 */
	unsigned nparams;
	int param_arg[VXE_MAX_ARGS]; /* predicate parameter i is syscall argument param_arg[i] */
	int pred;		     /* vl_pin handle of the predicate closure, -1 if none */
	int pred_body;	 /* vl_pin handle of the predicate body (for the compiler), -1 */
	int pred_params; /* vl_pin handle of the parameter list, -1 */
	int line, col;	 /* where the rule is written */
};

struct vxe_path_rule {
	unsigned access; /* VXE_FS_* (include/vxe/landlock.h) */
	char *path;	 /* owned, normalised absolute path */
	int line;
};

enum vxe_net_op { VXE_NET_BIND, VXE_NET_CONNECT, VXE_NET_ACCEPT };
struct vxe_net_rule {
	enum vxe_net_op op;
	int proto;     /* IPPROTO_TCP or IPPROTO_UDP */
	bool none;     /* (connect none): nothing of this op */
	bool any_port; /* (connect tcp any) */
	uint16_t port; /* when !none && !any_port */
	int line;
};

struct vxe_policy {
	char *file; /* owned: path given to vxe_policy_load */
	char *name; /* owned */
	enum vxe_type type;
	enum vxe_mode mode;
	int err;	 /* errno for blocked calls (default EPERM) */
	char **activate; /* owned, nactivate patterns */
	size_t nactivate;
	struct vxe_rule *rules; /* owned */
	size_t nrules;
	bool has_files; /* a files form was given: paths are checked */
	struct vxe_path_rule *paths;
	size_t npaths;
	bool has_network; /* a network form was given */
	struct vxe_net_rule *net;
	size_t nnet;
	vl_state *lisp; /* owned: predicates live here */
	int header_line;
	bool setuid_allowed; /* :setuid allow: no no_new_privs (root launches only) */
	short rule_of[512];  /* syscall number -> index in rules, -1 if none */
};

/* Limits of a VXED file. */
#define VXE_POLICY_MAX_BYTES (1u << 20)

/* Loads and validates path. Returns 0 with *out set, or -1 with a one-line
 * message "FILE:LINE:COL: text" in err (never exits, never crashes on any
 * input). The caller frees with vxe_policy_free. */
int vxe_policy_load(const char *path, struct vxe_policy **out, char *err, size_t errsz);
/* The same from memory; name is used in messages. */
int vxe_policy_load_string(const char *name, const char *src, size_t len, struct vxe_policy **out,
			   char *err, size_t errsz);
void vxe_policy_free(struct vxe_policy *p);

/* The rule for syscall nr, or NULL. */
const struct vxe_rule *vxe_policy_rule(const struct vxe_policy *p, int nr);

/* Does the files section grant `access` (VXE_FS_*) on the absolute,
 * normalised path? A directory rule covers its whole hierarchy. */
bool vxe_policy_path_allowed(const struct vxe_policy *p, const char *path, unsigned access);
/* Does the network section allow op on proto/port? */
bool vxe_policy_net_allowed(const struct vxe_policy *p, enum vxe_net_op op, int proto,
			    unsigned port);

/* The files access (VXE_FS_*) an open(2) with these flags needs: read for
 * O_RDONLY, write for O_WRONLY, both for O_RDWR, write for O_CREAT or
 * O_TRUNC; 0 for O_PATH, which opens nothing. One definition for the
 * supervisor, trace and upgrade. */
unsigned vxe_open_access(int64_t flags);

const char *vxe_mode_name(enum vxe_mode m);
const char *vxe_type_name(enum vxe_type t);

#endif
