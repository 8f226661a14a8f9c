/* vxe upgrade: from the violations a VXED logged (soft or production) to
 * proposals for the rules it lacks, and from the proposals accepted to the
 * VXED's next version (doc/upgrade.md).
 *
 * vxe_upgrade_add() classifies one log record against the loaded VXED:
 * records of other VXEDs and other actions are ignored, suppressed ones
 * counted, those the VXED now permits counted as covered, and the rest
 * folded into proposals: one per syscall, one per path and access (with a
 * ladder of broader directories), one per network port. Records nothing
 * can grant (attacks on VXE itself, foreign ABIs) and predicate refusals
 * (the rule exists; only a hand edit can change it) are kept as notes.
 * Records with a path that is not absolute (or may be cut short) are
 * skipped and counted; escape-set argument values are reported, never
 * proposed.
 */
#ifndef VXE_UPGRADE_H
#define VXE_UPGRADE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "vxe/logread.h"
#include "vxe/policy.h"

enum vxe_up_kind {
	VXE_UP_SYSCALL, /* (permit NAME), perhaps with the observed parameter check */
	VXE_UP_PATH,	/* a files rule: ladder of paths */
	VXE_UP_NET,	/* a network rule */
	VXE_UP_MANUAL,	/* shown, never written: a hand edit (predicate refusal, ...) */
	VXE_UP_HARD,	/* no VXED can grant it ("vxe", "arch"): a strong warning */
};

enum vxe_up_decision { VXE_UP_UNDECIDED, VXE_UP_ACCEPT, VXE_UP_REJECT };

#define VXE_UP_LADDER_MAX 3

struct vxe_up_prop {
	enum vxe_up_kind kind;
	char *syscall; /* SYSCALL, MANUAL, HARD: the call's name */
	char *rule;    /* the log's rule ("unlisted", "files", "permit:12", ...) */
	/* SYSCALL: the parameter check seen (NULL if the call has none): step
	 * 0 is (permit NAME (param) (member param (list values))), the last
	 * step (permit NAME). nocheck: a value no check can name was seen, so
	 * only the plain permit is proposed. */
	char *param, *values;
	bool nocheck;
	/* SYSCALL: escape-set argument values seen (TIOCSTI, CLONE_NEWNS...,
	 * see vxe_escape_value) and the argument: never in a proposal (a
	 * predicate naming one opens it), only reported, to decide by hand.
	 * If nothing else was seen, the proposal is only that report. */
	char *escvals, *escarg;
	bool raw_socket; /* socket: a raw or packet socket type was seen */
	char *console;	 /* ioctl: console-takeover requests seen (KDSKBSENT, VT_ACTIVATE...) */
	/* PATH: one VXE_FS_* bit and the ladder, narrowest first. */
	unsigned access;
	char *ladder[VXE_UP_LADDER_MAX];
	const char *note; /* PATH: how the log was read, when it had to be guessed (static) */
	/* NET */
	enum vxe_net_op op;
	int proto;
	unsigned port;
	unsigned nsteps, step; /* ladder length (SYSCALL: 1 or 2) and the chosen step */
	uint64_t count;	       /* events it covers */
	char *programs;	       /* base names of the programs seen, comma-separated */
	char *example;	       /* observed values (MANUAL: the arguments) */
	bool escape;	       /* escape set: never taken by --accept-all */
	enum vxe_up_decision decision;
};

struct vxe_up_index; /* lookups by key, so that many records stay linear */

struct vxe_upgrade {
	const struct vxe_policy *p; /* not owned */
	struct vxe_up_prop *props;
	size_t nprops, cap;
	struct vxe_up_index *index;
	uint64_t records;	 /* this VXED's logged/blocked records */
	uint64_t covered;	 /* of which the VXED now permits */
	uint64_t nothing;	 /* of which nothing can be written for (emulated, unknown) */
	uint64_t relative;	 /* of which a path is not absolute: never a rule */
	uint64_t truncated;	 /* of which a path may be cut short ("truncated"): never a rule */
	uint64_t suppressed;	 /* events not logged (rate limit) for this VXED */
	uint64_t suppressed_any; /* events not logged for several VXEDs (may be this one's) */
	uint64_t ignored;	 /* other VXEDs, other actions */
};

/* What vxe_upgrade_add did with a record. */
enum vxe_up_result {
	VXE_UP_IGNORED,
	VXE_UP_SUPPRESSED,
	VXE_UP_COVERED,
	VXE_UP_NOTHING,
	VXE_UP_PROPOSED,
	VXE_UP_OOM,
	VXE_UP_RELATIVE,  /* a path is not absolute: skipped, counted */
	VXE_UP_TRUNCATED, /* a path may be cut short: skipped, counted */
};

void vxe_upgrade_init(struct vxe_upgrade *u, const struct vxe_policy *p);
void vxe_upgrade_free(struct vxe_upgrade *u); /* the contents, not u */
enum vxe_up_result vxe_upgrade_add(struct vxe_upgrade *u, const struct vxe_logrec *rec);
/* True if p already permits what rec was refused (or logged) for. */
bool vxe_upgrade_covered(const struct vxe_policy *p, const struct vxe_logrec *rec);

/* The ladder for a path: the path, its directory, that one's directory,
 * never "/" and never broader than one level below it. Fills out (each
 * malloc'd) and returns how many, 0 for a path that is not absolute. */
unsigned vxe_upgrade_ladder(const char *path, char *out[VXE_UP_LADDER_MAX]);
/* Can p be written into the VXED (SYSCALL with something to permit, PATH,
 * NET)? MANUAL, HARD and a SYSCALL that is only an escape-set report
 * cannot. */
bool vxe_upgrade_writable(const struct vxe_up_prop *p);
/* Why granting p at its current step is risky, or NULL: the escape set,
 * what no VXED can grant, vxe_grant_risk, and an execute of what another
 * proposal of u (if not NULL) lets write. --accept-all takes no risky
 * proposal (unless --accept-risky) and never an escape-set one. */
const char *vxe_upgrade_risk(const struct vxe_upgrade *u, const struct vxe_up_prop *p);
/* The form p adds at its current step, for a person ("(files (write \"/x\"))"),
 * malloc'd; NULL for what cannot be written or on allocation failure. */
char *vxe_upgrade_form(const struct vxe_up_prop *p);

/* A grant, for vxe_grant_risk. */
enum vxe_grant_kind { VXE_GRANT_PATH, VXE_GRANT_SOCKET, VXE_GRANT_IOCTL };
struct vxe_grant {
	enum vxe_grant_kind kind;
	unsigned access;      /* PATH: VXE_FS_* bits */
	const char *path;     /* PATH: normalised, absolute */
	const char *domains;  /* SOCKET: names or numbers the rule names (space-separated, any
				 other words ignored); NULL: any family */
	bool raw;	      /* SOCKET: raw or packet sockets were seen */
	const char *requests; /* IOCTL: names or numbers the rule's check names (space-separated,
				 other words ignored); NULL: a plain permit */
	const char *seen;     /* IOCTL: requests seen (a proposal's), NULL: none known */
};
/* Why a grant is risky, or NULL: the one table of risks, used by vxe
 * upgrade's review and by vxe check's listing (doc/upgrade.md). Writes
 * under system directories, reads of secrets, execute of shells and
 * interpreters (or of a directory holding them), a whole top-level
 * directory, control sockets (D-Bus, docker...), devices, sockets of
 * AF_PACKET/AF_NETLINK/AF_KEY and raw sockets, ioctl requests that take the
 * console over (named by the check, or seen with a plain permit). p, if
 * not NULL, is the VXED the grant is (or would be) part of: an execute that
 * its write rules overlap, or a write over what it executes, is risky. */
const char *vxe_grant_risk(const struct vxe_policy *p, const struct vxe_grant *g);

/* old_text followed by a section ";; vxe upgrade DATE: N proposals accepted
 * from LOG" with the accepted proposals (at their steps); *naccepted is N.
 * Returns malloc'd text (old_text alone when nothing is accepted), NULL with
 * errno ENOMEM. */
char *vxe_upgrade_text(const struct vxe_upgrade *u, const char *old_text, const char *date,
		       const char *logs, size_t *naccepted);

#endif
