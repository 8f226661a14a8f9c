/* vxe check: validate a VXED and say, rule by rule, which layer enforces it. */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli/cli.h"
#include "compile/compile_internal.h"
#include "policy/policy_internal.h"
#include "util/termsafe.h"
#include "vxe/landlock.h"
#include "vxe/upgrade.h"

#define EXIT_INVALID 2

static const char *access_name(unsigned a)
{
	static const char *const names[] = {
	    "none",    "read",	       "write",		"read+write",
	    "execute", "read+execute", "write+execute", "read+write+execute",
	};
	return names[a & 7];
}

/* A path or name from the VXED, shown on the terminal: escaped. Two
 * buffers in turn, for two in one line. */
static const char *esc(const char *s)
{
	static char buf[4][PATH_MAX * 2]; /* a printf may take up to four */
	static unsigned next;
	char *b = buf[next++ % 4];
	return vxe_termsafe(b, sizeof buf[0], s ? s : "", VXE_TS_BACKSLASH);
}

/* The symbols a predicate names (and its integers, if ints), space-separated
 * (for vxe_grant_risk). */
static void symbols(const vl_value *v, char *out, size_t size, int depth, bool ints)
{
	if (depth > 64)
		return;
	const char *sym = vl_symbol_name(v);
	if (sym || (ints && vl_typeof(v) == VL_INT)) {
		size_t n = strlen(out);
		if (sym)
			snprintf(out + n, size - n, "%s%s", n ? " " : "", sym);
		else
			snprintf(out + n, size - n, "%s%lld", n ? " " : "", (long long)vl_int(v));
		return;
	}
	for (; vl_typeof(v) == VL_CONS; v = vl_cdr(v))
		symbols(vl_car(v), out, size, depth + 1, ints);
}

/* Grants that open a way to the host (vxe_grant_risk: the table vxe upgrade
 * uses too): a warning each. */
static int warn_risky(const struct vxe_policy *p)
{
	int n = 0;
	for (size_t i = 0; i < p->npaths; i++) {
		const struct vxe_path_rule *r = &p->paths[i];
		struct vxe_grant g = {.kind = VXE_GRANT_PATH, .access = r->access, .path = r->path};
		const char *why = vxe_grant_risk(p, &g);
		if (!why)
			continue;
		printf("%s:%d: warning: risky: (%s \"%s\"): %s\n", esc(p->file), r->line,
		       access_name(r->access), esc(r->path), why);
		n++;
	}
	for (size_t i = 0; i < p->nrules; i++) {
		const struct vxe_rule *r = &p->rules[i];
		bool ioctl = strcmp(r->syscall, "ioctl") == 0;
		if (strcmp(r->syscall, "socket") != 0 && !ioctl) /* socketpair: AF_UNIX only */
			continue;
		char syms[1024] = "";
		struct vxe_grant g = {.kind = ioctl ? VXE_GRANT_IOCTL : VXE_GRANT_SOCKET};
		if (r->kind != VXE_RULE_UNCHECKED && r->pred >= 0) {
			/* ioctl: the requests the check names (a plain permit
			 * is not listed: the log says what was used). */
			symbols(vl_pinned(p->lisp, r->pred_body), syms, sizeof syms, 0, ioctl);
			if (ioctl)
				g.requests = syms;
			else
				g.domains = syms;
		} else if (ioctl) {
			continue;
		}
		const char *why = vxe_grant_risk(p, &g);
		if (!why)
			continue;
		printf("%s:%d: warning: risky: %s: %s\n", esc(p->file), r->line, r->syscall, why);
		n++;
	}
	return n;
}

/* Warnings for rules that can never take effect. */
static size_t str_hash(const char *s, size_t len)
{
	size_t h = 1469598103934665603u;
	for (size_t i = 0; i < len; i++)
		h = (h ^ (unsigned char)s[i]) * 1099511628211u;
	return h;
}

static int warn_unreachable(const struct vxe_policy *p)
{
	int n = 0;
	for (size_t i = 0; i < p->nrules; i++) {
		const struct vxe_rule *r = &p->rules[i];
		unsigned cl = r->info ? r->info->classes : 0;
		if (p->type == VXE_TYPE_FILESYSTEM && r->pred < 0 && !(cl & VXE_SC_ESCAPE) &&
		    !(cl & VXE_SC_PROBE)) {
			printf("%s:%d: warning: '%s' is permitted anyway in a filesystem VXED; the "
			       "rule has no effect\n",
			       esc(p->file), r->line, r->syscall);
			n++;
		}
	}
	/* Each path against its ancestors, found by hash: a VXED of many
	 * paths is checked in linear time. */
	size_t size = 64;
	while (size < p->npaths * 2)
		size *= 2;
	size_t *tab = calloc(size, sizeof *tab);
	for (size_t i = 0; tab && i < p->npaths; i++) {
		size_t h = str_hash(p->paths[i].path, strlen(p->paths[i].path)) & (size - 1);
		while (tab[h])
			h = (h + 1) & (size - 1);
		tab[h] = i + 1;
	}
	for (size_t i = 0; tab && i < p->npaths; i++) {
		const struct vxe_path_rule *a = &p->paths[i];
		for (size_t len = strlen(a->path); len > 1;) {
			while (len > 0 && a->path[len - 1] != '/')
				len--;
			len = len > 1 ? len - 1 : len; /* the parent, "/" kept */
			const struct vxe_path_rule *b = NULL;
			for (size_t h = str_hash(a->path, len) & (size - 1); tab[h] && !b;
			     h = (h + 1) & (size - 1)) {
				const char *q = p->paths[tab[h] - 1].path;
				if (strlen(q) == len && strncmp(q, a->path, len) == 0)
					b = &p->paths[tab[h] - 1];
			}
			if (b && (a->access & ~b->access) == 0) {
				printf(
				    "%s:%d: warning: \"%s\" (%s) is already covered by \"%s\" at "
				    "line %d\n",
				    esc(p->file), a->line, esc(a->path), access_name(a->access),
				    esc(b->path), b->line);
				n++;
				break;
			}
			if (len == 1)
				break;
		}
	}
	free(tab);
	/* A path predicate on one open-family call does not govern its
	 * siblings, which a filesystem VXED permits. */
	static const char *const opens[] = {"open", "openat", "openat2", "creat"};
	const struct vxe_rule *pred = NULL;
	for (size_t i = 0; i < p->nrules && !pred; i++)
		for (size_t k = 0; k < 4; k++)
			if (p->rules[i].pred >= 0 && strcmp(p->rules[i].syscall, opens[k]) == 0)
				pred = &p->rules[i];
	for (size_t k = 0; pred && p->type == VXE_TYPE_FILESYSTEM && k < 4; k++) {
		int nr = vxe_syscall_nr(opens[k]);
		const struct vxe_rule *r = vxe_policy_rule(p, nr);
		if (!r) {
			printf("%s:%d: warning: the predicate on %s does not govern %s, which this "
			       "filesystem VXED permits: give it the same predicate\n",
			       esc(p->file), pred->line, pred->syscall, opens[k]);
			n++;
		}
	}
	if (p->has_files && p->npaths == 0) {
		printf("%s: warning: (files) grants nothing: every path access is a violation\n",
		       esc(p->file));
		n++;
	}
	return n;
}

static void print_rule(const struct vxe_policy *p, const struct vxe_plan *plan,
		       const struct vxe_rule *r)
{
	const struct vxe_plan_sys *s = &plan->sys[r->nr];
	const char *kind = r->kind == VXE_RULE_UNCHECKED ? "unchecked"
			   : r->pred >= 0		 ? "permit if"
							 : "permit";
	printf("  %4d  %-10s %-18s %s", r->line, kind, r->syscall, vxe_layer_name(s->layer));
	if (s->act == VXE_F_ALLOW_IF)
		printf(" (%u comparison rule%s)", s->nconj, s->nconj == 1 ? "" : "s");
	if (s->layer == VXE_LAYER_ADVISORY)
		printf(" -- check-then-continue on a pointer: logs, cannot enforce");
	if (s->why & VXE_WHY_FILES)
		printf(" + files");
	if (s->why & VXE_WHY_NETWORK)
		printf(" + network");
	if ((s->why & VXE_WHY_ESCAPE) && r->pred < 0)
		printf(" + escape arguments refused");
	printf("\n");
}

int vxe_cmd_check(int argc, char **argv)
{
	static const struct option opts[] = {
	    {"bpf", required_argument, NULL, 'b'},
	    {"mode", required_argument, NULL, 'm'},
	    {"help", no_argument, NULL, 'h'},
	    {NULL, 0, NULL, 0},
	};
	const char *bpf_out = NULL, *mode_arg = NULL;
	int c;
	while ((c = getopt_long(argc, argv, "+b:m:h", opts, NULL)) != -1) {
		switch (c) {
		case 'b':
			bpf_out = optarg;
			break;
		case 'm':
			mode_arg = optarg;
			break;
		case 'h':
			printf(
			    "usage: vxe check [--mode soft|production] [--bpf FILE] POLICY.vxed\n"
			    "Validates the VXED and lists each rule with the layer that enforces\n"
			    "it: kernel filter, landlock, supervisor, emulated or advisory.\n"
			    "Exit status: 0 valid, 2 invalid.\n");
			return 0;
		default:
			return EXIT_INVALID;
		}
	}
	if (optind != argc - 1) {
		fprintf(stderr, "vxe: check: exactly one POLICY.vxed expected\n");
		return EXIT_INVALID;
	}
	char err[512];
	struct vxe_policy *p;
	if (vxe_policy_load(argv[optind], &p, err, sizeof err) < 0) {
		fprintf(stderr, "%s\n", esc(err));
		return EXIT_INVALID;
	}
	enum vxe_mode mode = p->mode == VXE_MODE_TRACE ? VXE_MODE_SOFT : p->mode;
	if (mode_arg)
		mode = strcmp(mode_arg, "production") == 0 ? VXE_MODE_PRODUCTION : VXE_MODE_SOFT;
	struct vxe_plan *plan = vxe_plan_new(p, mode, err, sizeof err);
	if (!plan) {
		fprintf(stderr, "%s\n", esc(err));
		vxe_policy_free(p);
		return EXIT_INVALID;
	}
	printf("%s: vxed \"%s\", type %s, mode %s (checked as %s)\n", esc(p->file), esc(p->name),
	       vxe_type_name(p->type), vxe_mode_name(p->mode), vxe_mode_name(mode));
	int warnings = warn_unreachable(p) + warn_risky(p);
	printf("rules:\n");
	for (size_t i = 0; i < p->nrules; i++)
		print_rule(p, plan, &p->rules[i]);
	if (p->has_files) {
		printf("files (%s):\n", mode == VXE_MODE_PRODUCTION
					    ? "landlock in the kernel; the supervisor logs"
					    : "supervisor: logged, performed");
		for (size_t i = 0; i < p->npaths; i++)
			printf("  %4d  %-18s %s\n", p->paths[i].line,
			       access_name(p->paths[i].access), esc(p->paths[i].path));
	}
	if (p->has_network) {
		printf("network (%s):\n",
		       mode == VXE_MODE_PRODUCTION
			   ? "TCP ports by landlock; UDP by the supervisor, advisory"
			   : "supervisor: logged, performed");
		for (size_t i = 0; i < p->nnet; i++) {
			const struct vxe_net_rule *n = &p->net[i];
			static const char *const ops[] = {"bind", "connect", "accept"};
			if (n->none)
				printf("  %4d  %-7s none (%s)\n", n->line, ops[n->op],
				       n->proto == 6 ? "tcp" : "udp");
			else if (n->any_port)
				printf("  %4d  %-7s %s any\n", n->line, ops[n->op],
				       n->proto == 6 ? "tcp" : "udp");
			else
				printf("  %4d  %-7s %s %u\n", n->line, ops[n->op],
				       n->proto == 6 ? "tcp" : "udp", n->port);
		}
	}
	printf("always:\n");
	printf("  non-native ABIs (i386 int 0x80, x32): refused, logged (supervisor)\n");
	printf("  escape set not named above: refused, logged (kernel filter + supervisor):\n   ");
	unsigned col = 3;
	for (unsigned i = 0; vxe_syscall_at(i); i++) {
		const struct vxe_syscall_info *info = vxe_syscall_at(i);
		int nr = 0;
		if (!(info->classes & VXE_SC_ESCAPE))
			continue;
		for (nr = 0; nr < VXE_NR_MAX; nr++)
			if (plan->sys[nr].info == info)
				break;
		if (nr < VXE_NR_MAX && plan->sys[nr].rule)
			continue;
		if (col + strlen(info->name) > 76) {
			printf("\n   ");
			col = 3;
		}
		col += (unsigned)printf(" %s", info->name);
	}
	printf("\n  clone/unshare namespace flags, ioctl TIOCSTI/TIOCLINUX: refused unless a "
	       "predicate names them\n");
	printf("  clone3 and unknown syscalls: ENOSYS (emulated, so libc falls back)\n");
	if (p->has_files)
		printf("  chmod, chown, utimes, xattr calls: files rules on the real path, by the "
		       "supervisor\n    (advisory: Landlock has no right for them; a symlink "
		       "swapped in "
		       "after the check is not seen)\n");
	if (p->has_network || p->has_files)
		printf("  sends to an address: sendto performed by the supervisor (UDP, unix); "
		       "sendmsg/sendmmsg\n    addresses checked by the supervisor (advisory)\n");
	if (p->type == VXE_TYPE_STRICT)
		printf("  every other syscall: a violation (strict)\n");
	else
		printf("  every other syscall: permitted (filesystem)\n");
	if (bpf_out) {
		int fd = open(bpf_out, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
		int rc = fd < 0 ? -errno : vxe_bpf_export(plan, fd);
		if (fd >= 0)
			close(fd);
		if (rc < 0)
			fprintf(stderr, "vxe: check: cannot write %s: %s\n", esc(bpf_out),
				strerror(-rc));
	}
	printf("%s: valid, %d warning%s\n", esc(p->file), warnings, warnings == 1 ? "" : "s");
	vxe_plan_free(plan);
	vxe_policy_free(p);
	return 0;
}
