/* vxe upgrade's model: log records against a loaded VXED, proposals, and
 * the text of the next version (see vxe/upgrade.h, doc/upgrade.md). The
 * access a call needed is derived as the supervisor derives it
 * (src/supervisor/supervisor.c needed_access, src/compile/plan.c
 * file_calls); the new forms are printed by the trace printer. */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "compile/compile_internal.h"
#include "policy/policy_internal.h"
#include "trace/trace_internal.h"
#include "vxe/landlock.h"
#include "vxe/upgrade.h"

void vxe_upgrade_init(struct vxe_upgrade *u, const struct vxe_policy *p)
{
	memset(u, 0, sizeof *u);
	u->p = p;
}

static void prop_free(struct vxe_up_prop *p)
{
	free(p->syscall);
	free(p->rule);
	free(p->param);
	free(p->values);
	for (unsigned i = 0; i < VXE_UP_LADDER_MAX; i++)
		free(p->ladder[i]);
	free(p->programs);
	free(p->example);
}

void vxe_upgrade_free(struct vxe_upgrade *u)
{
	for (size_t i = 0; i < u->nprops; i++)
		prop_free(&u->props[i]);
	free(u->props);
	u->props = NULL;
	u->nprops = 0;
}

/* ---- paths --------------------------------------------------------------- */

unsigned vxe_upgrade_ladder(const char *path, char *out[VXE_UP_LADDER_MAX])
{
	char cur[PATH_MAX];
	unsigned n = 0;
	if (!vxe_path_normalize(path, cur, sizeof cur) || strcmp(cur, "/") == 0)
		return 0;
	while (n < VXE_UP_LADDER_MAX && strcmp(cur, "/") != 0) {
		out[n] = strdup(cur);
		if (!out[n])
			break;
		n++;
		char *slash = strrchr(cur, '/');
		if (slash == cur) /* one level below "/": the broadest step */
			break;
		*slash = 0;
	}
	return n;
}

static bool under(const char *path, const char *dir)
{
	return vxe_path_under(path, dir);
}

static bool is_shell(const char *path)
{
	static const char *const shells[] = {"sh",  "bash", "dash", "zsh", "ksh",     "mksh",
					     "csh", "tcsh", "fish", "ash", "busybox", NULL};
	const char *b = strrchr(path, '/');
	b = b ? b + 1 : path;
	for (unsigned i = 0; shells[i]; i++)
		if (strcmp(b, shells[i]) == 0)
			return true;
	return false;
}

const char *vxe_upgrade_risk(const struct vxe_up_prop *p)
{
	if (p->kind == VXE_UP_HARD)
		return "no VXED can grant this: an attempt on VXE itself or a foreign ABI";
	if (p->escape)
		return "ESCAPE SET: this call opens a way out of the environment";
	if (p->kind != VXE_UP_PATH || !p->nsteps)
		return NULL;
	const char *path = p->ladder[p->step];
	if (p->access & VXE_FS_WRITE) {
		static const char *const sensitive[] = {"/etc",		"/usr", "/boot", "/root",
							"/var/log/vxe", "/bin", "/sbin", "/lib",
							"/lib64",	NULL};
		for (unsigned i = 0; sensitive[i]; i++)
			if (under(path, sensitive[i]))
				return "write under a system directory";
	}
	if (p->access & VXE_FS_EXECUTE) {
		if (is_shell(path))
			return "execute of a shell: any command can run";
		/* A directory holding a shell grants it too. */
		static const char *const shells[] = {
		    "/bin/sh", "/bin/bash", "/usr/bin/sh", "/usr/bin/bash", "/usr/bin/dash", NULL};
		for (unsigned i = 0; shells[i]; i++)
			if (under(shells[i], path))
				return "execute of a directory that holds a shell";
	}
	if (strchr(path + 1, '/') == NULL)
		return "a whole top-level directory";
	return NULL;
}

/* ---- records -------------------------------------------------------------- */

static bool str_is(const struct vxe_logstr *s, const char *v)
{
	return s->s && strcmp(s->s, v) == 0;
}

static const char *argstr(const struct vxe_logrec *rec, const char *name)
{
	const struct vxe_logarg *a = vxe_logrec_arg(rec, name);
	return a && a->val.kind == VXE_LOGVAL_STR ? a->val.str.s : NULL;
}

/* open(2) flags from the log: "O_WRONLY|O_CREAT" or a number. */
static bool open_flags(const struct vxe_logrec *rec, int64_t *flags)
{
	const struct vxe_logarg *a = vxe_logrec_arg(rec, "flags");
	if (!a)
		return false;
	if (a->val.kind == VXE_LOGVAL_INT) {
		*flags = a->val.i;
		return true;
	}
	if (a->val.kind != VXE_LOGVAL_STR || !a->val.str.s)
		return false;
	int64_t f = 0;
	char buf[512];
	snprintf(buf, sizeof buf, "%s", a->val.str.s);
	char *save = NULL;
	for (char *t = strtok_r(buf, "|", &save); t; t = strtok_r(NULL, "|", &save)) {
		const struct vxe_const *c = vxe_const_by_name(t);
		if (c)
			f |= c->value;
		else if (strncmp(t, "0x", 2) == 0)
			f |= (int64_t)strtoll(t, NULL, 16);
	}
	*flags = f;
	return true;
}

/* The access the call needed on its paths, and whether it makes or removes
 * a name (then Landlock checks its directory). As the supervisor does. */
static unsigned needed_access(const struct vxe_logrec *rec, const struct vxe_file_call *fc,
			      const char *path, bool *creates)
{
	static const char *const naming[] = {"creat",	  "mkdir",    "mkdirat",  "mknod",
					     "mknodat",	  "link",     "linkat",	  "symlink",
					     "symlinkat", "rename",   "renameat", "renameat2",
					     "unlink",	  "unlinkat", "rmdir"};
	*creates = false;
	for (size_t i = 0; i < sizeof naming / sizeof naming[0]; i++)
		*creates |= strcmp(fc->name, naming[i]) == 0;
	if (fc->access)
		return fc->access;
	int64_t flags;
	if (!open_flags(rec, &flags))
		return VXE_FS_READ; /* openat2: the flags are not logged */
	unsigned acc = vxe_open_access(flags);
	struct stat st;
	if ((flags & O_CREAT) && lstat(path, &st) < 0 && errno == ENOENT)
		*creates = true;
	return acc;
}

/* The path as the supervisor decides it: symlinks resolved, or for a name
 * not there, its directory resolved. */
static void real_path(const char *path, char *out, size_t size)
{
	char real[PATH_MAX], dir[PATH_MAX];
	if (realpath(path, real) && vxe_path_normalize(real, out, size))
		return;
	snprintf(dir, sizeof dir, "%s", path);
	char *slash = strrchr(dir, '/');
	if (slash && slash != dir) {
		*slash = 0;
		if (realpath(dir, real)) {
			char full[PATH_MAX * 2];
			snprintf(full, sizeof full, "%s/%s", strcmp(real, "/") ? real : "",
				 slash + 1);
			if (vxe_path_normalize(full, out, size))
				return;
		}
	}
	if (!vxe_path_normalize(path, out, size))
		snprintf(out, size, "%s", path);
}

static bool path_covered(const struct vxe_policy *p, const char *path, const char *real,
			 unsigned access)
{
	char norm[PATH_MAX];
	if (!p->has_files || access == 0)
		return true;
	if (vxe_policy_path_allowed(p, real, access))
		return true;
	return vxe_path_normalize(path, norm, sizeof norm) &&
	       vxe_policy_path_allowed(p, norm, access);
}

static const char *base_name(const char *p)
{
	const char *s = strrchr(p, '/');
	return s && s[1] ? s + 1 : p;
}

/* Text safe in a comment and on a terminal: printable ASCII, others '?'. */
static char *safe_dup(const char *s, size_t max)
{
	size_t n = strlen(s);
	if (n > max)
		n = max;
	char *d = malloc(n + 1);
	if (!d)
		return NULL;
	for (size_t i = 0; i < n; i++)
		d[i] = (s[i] >= 0x20 && s[i] < 0x7f) ? s[i] : '?';
	d[n] = 0;
	return d;
}

static void add_program(struct vxe_up_prop *p, const struct vxe_logrec *rec)
{
	if (!rec->exe.s)
		return;
	char *b = safe_dup(base_name(rec->exe.s), 64);
	if (!b)
		return;
	if (p->programs) {
		/* Already named? Keep the list short. */
		size_t bl = strlen(b);
		for (const char *s = p->programs; s; s = strchr(s, ',')) {
			s += *s == ',' ? 2 : 0;
			if (strncmp(s, b, bl) == 0 && (s[bl] == 0 || s[bl] == ','))
				goto out;
		}
		if (strlen(p->programs) > 120)
			goto out;
		char *n = malloc(strlen(p->programs) + bl + 3);
		if (n) {
			sprintf(n, "%s, %s", p->programs, b);
			free(p->programs);
			p->programs = n;
		}
	} else {
		p->programs = b;
		return;
	}
out:
	free(b);
}

static struct vxe_up_prop *new_prop(struct vxe_upgrade *u, enum vxe_up_kind kind)
{
	struct vxe_up_prop *n = reallocarray(u->props, u->nprops + 1, sizeof *n);
	if (!n)
		return NULL;
	u->props = n;
	memset(&n[u->nprops], 0, sizeof *n);
	n[u->nprops].kind = kind;
	return &n[u->nprops++];
}

/* The argument whose observed values make a useful check, per call. */
static const char *check_param(const char *sc)
{
	static const char *const t[][2] = {{"socket", "domain"}, {"socketpair", "domain"},
					   {"fcntl", "cmd"},	 {"ioctl", "request"},
					   {"kill", "sig"},	 {"tgkill", "sig"},
					   {"prctl", "option"}};
	for (size_t i = 0; i < sizeof t / sizeof t[0]; i++)
		if (strcmp(t[i][0], sc) == 0)
			return t[i][1];
	return NULL;
}

/* The observed value as a Lisp constant: a name the policy knows or a
 * number. false if it cannot be written. */
static bool lisp_value(const struct vxe_logval *v, char *out, size_t size)
{
	if (v->kind == VXE_LOGVAL_INT) {
		snprintf(out, size, "%lld", (long long)v->i);
		return true;
	}
	if (v->kind == VXE_LOGVAL_STR && v->str.s && vxe_const_by_name(v->str.s)) {
		snprintf(out, size, "%s", v->str.s);
		return true;
	}
	return false;
}

static bool add_value(struct vxe_up_prop *p, const char *val)
{
	if (p->values) {
		size_t vl = strlen(val);
		for (const char *s = p->values; s; s = strchr(s, ' ')) {
			s += *s == ' ';
			if (strncmp(s, val, vl) == 0 && (s[vl] == 0 || s[vl] == ' '))
				return true;
		}
		if (strlen(p->values) > 200)
			return false; /* too many to be a check */
		char *n = malloc(strlen(p->values) + vl + 2);
		if (!n)
			return false;
		sprintf(n, "%s %s", p->values, val);
		free(p->values);
		p->values = n;
		return true;
	}
	p->values = strdup(val);
	return p->values != NULL;
}

/* A short text of the record's arguments, for a person. */
static char *args_text(const struct vxe_logrec *rec)
{
	struct vxe_buf b = {0};
	for (unsigned i = 0; i < rec->nargs && b.len < 200; i++) {
		const struct vxe_logarg *a = &rec->args[i];
		vxe_buf_printf(&b, "%s%s=", i ? " " : "", a->name.s ? a->name.s : "?");
		if (a->val.kind == VXE_LOGVAL_INT)
			vxe_buf_printf(&b, "%lld", (long long)a->val.i);
		else if (a->val.kind == VXE_LOGVAL_STR && a->val.str.s)
			vxe_buf_comment_text(&b, a->val.str.s, 80);
		else
			vxe_buf_puts(&b, "?");
	}
	if (b.oom) {
		free(b.s);
		return NULL;
	}
	return b.s ? b.s : strdup("");
}

static enum vxe_up_result syscall_prop(struct vxe_upgrade *u, const struct vxe_logrec *rec,
				       enum vxe_up_kind kind, bool escape)
{
	const char *sc = rec->syscall.s;
	struct vxe_up_prop *p = NULL;
	for (size_t i = 0; i < u->nprops; i++)
		if (u->props[i].kind == kind && strcmp(u->props[i].syscall, sc) == 0 &&
		    (kind != VXE_UP_MANUAL || str_is(&rec->rule, u->props[i].rule))) {
			p = &u->props[i];
			break;
		}
	if (!p) {
		if (!(p = new_prop(u, kind)))
			return VXE_UP_OOM;
		p->syscall = safe_dup(sc, 64);
		p->rule = safe_dup(rec->rule.s ? rec->rule.s : "?", 64);
		p->escape = escape;
		p->nsteps = 1;
		if (kind == VXE_UP_MANUAL || kind == VXE_UP_HARD)
			p->example = args_text(rec);
		const char *param = kind == VXE_UP_SYSCALL && !escape ? check_param(sc) : NULL;
		if (param) {
			p->param = strdup(param);
			p->nsteps = 2;
		}
		if (!p->syscall || !p->rule)
			return VXE_UP_OOM;
	}
	p->count++;
	add_program(p, rec);
	if (p->param) {
		const struct vxe_logarg *a = vxe_logrec_arg(rec, p->param);
		char v[128];
		if (!a || !lisp_value(&a->val, v, sizeof v) || !add_value(p, v)) {
			/* Not a value a check can name: only the plain permit. */
			free(p->param);
			free(p->values);
			p->param = p->values = NULL;
			p->nsteps = 1;
			p->step = 0;
		}
	}
	return kind == VXE_UP_HARD ? VXE_UP_NOTHING : VXE_UP_PROPOSED;
}

static enum vxe_up_result path_prop(struct vxe_upgrade *u, const struct vxe_logrec *rec,
				    const char *start, unsigned bit)
{
	for (size_t i = 0; i < u->nprops; i++) {
		struct vxe_up_prop *p = &u->props[i];
		if (p->kind == VXE_UP_PATH && p->access == bit &&
		    strcmp(p->ladder[0], start) == 0) {
			p->count++;
			add_program(p, rec);
			return VXE_UP_PROPOSED;
		}
	}
	struct vxe_up_prop *p = new_prop(u, VXE_UP_PATH);
	if (!p)
		return VXE_UP_OOM;
	p->access = bit;
	p->nsteps = vxe_upgrade_ladder(start, p->ladder);
	if (!p->nsteps) {
		u->nprops--;
		return VXE_UP_NOTHING;
	}
	p->syscall = safe_dup(rec->syscall.s, 64);
	p->count = 1;
	add_program(p, rec);
	return VXE_UP_PROPOSED;
}

static enum vxe_up_result net_prop(struct vxe_upgrade *u, const struct vxe_logrec *rec,
				   enum vxe_net_op op, int proto, unsigned port, const char *addr)
{
	for (size_t i = 0; i < u->nprops; i++) {
		struct vxe_up_prop *p = &u->props[i];
		if (p->kind == VXE_UP_NET && p->op == op && p->proto == proto && p->port == port) {
			p->count++;
			add_program(p, rec);
			return VXE_UP_PROPOSED;
		}
	}
	struct vxe_up_prop *p = new_prop(u, VXE_UP_NET);
	if (!p)
		return VXE_UP_OOM;
	p->op = op;
	p->proto = proto;
	p->port = port;
	p->nsteps = 1;
	p->count = 1;
	p->syscall = safe_dup(rec->syscall.s, 64);
	p->example = safe_dup(addr, 80);
	add_program(p, rec);
	return VXE_UP_PROPOSED;
}

/* A files record: every path argument the policy does not grant. */
static enum vxe_up_result files_record(struct vxe_upgrade *u, const struct vxe_logrec *rec,
				       bool propose)
{
	const struct vxe_policy *p = u->p;
	const struct vxe_syscall_info *info = vxe_syscall_by_name(rec->syscall.s);
	const struct vxe_file_call *fc = info ? vxe_file_call(info->name) : NULL;
	if (!fc)
		return VXE_UP_NOTHING;
	bool covered = true;
	unsigned npath = 0;
	for (unsigned i = 0; i < info->nargs; i++) {
		if (info->args[i].type != VXE_ARG_PATH)
			continue;
		const char *path = argstr(rec, info->args[i].name);
		if (!path)
			continue;
		if ((strcmp(info->name, "symlink") == 0 || strcmp(info->name, "symlinkat") == 0) &&
		    npath++ == 0)
			continue; /* a symlink's target is text */
		bool creates;
		unsigned access = needed_access(rec, fc, path, &creates);
		char real[PATH_MAX];
		real_path(path, real, sizeof real);
		if (path_covered(p, path, real, access))
			continue;
		covered = false;
		if (!propose)
			continue;
		/* A name made or removed: Landlock checks its directory. */
		char start[PATH_MAX];
		snprintf(start, sizeof start, "%s", real);
		if (creates) {
			char *slash = strrchr(start, '/');
			if (slash && slash != start)
				*slash = 0;
		}
		for (unsigned bit = 1; bit <= VXE_FS_EXECUTE; bit <<= 1)
			if ((access & bit) && !path_covered(p, path, real, bit) &&
			    path_prop(u, rec, start, bit) == VXE_UP_OOM)
				return VXE_UP_OOM;
	}
	return covered ? VXE_UP_COVERED : VXE_UP_PROPOSED;
}

/* A socket address: "inet:1.2.3.4:25", "inet6:[::1]:25", "unix:/run/x". */
static const char *addr_arg(const struct vxe_logrec *rec)
{
	for (unsigned i = 0; i < rec->nargs; i++) {
		const struct vxe_logval *v = &rec->args[i].val;
		if (v->kind == VXE_LOGVAL_STR && v->str.s &&
		    (strncmp(v->str.s, "inet:", 5) == 0 || strncmp(v->str.s, "inet6:", 6) == 0 ||
		     strncmp(v->str.s, "unix:/", 6) == 0))
			return v->str.s;
	}
	return NULL;
}

static enum vxe_up_result net_record(struct vxe_upgrade *u, const struct vxe_logrec *rec,
				     bool propose)
{
	const struct vxe_policy *p = u->p;
	const char *addr = addr_arg(rec);
	if (!addr)
		return VXE_UP_NOTHING;
	if (strncmp(addr, "unix:/", 6) == 0) {
		char real[PATH_MAX];
		real_path(addr + 5, real, sizeof real);
		if (path_covered(p, addr + 5, real, VXE_FS_WRITE))
			return VXE_UP_COVERED;
		return propose ? path_prop(u, rec, real, VXE_FS_WRITE) : VXE_UP_PROPOSED;
	}
	const char *colon = strrchr(addr, ':');
	char *end;
	unsigned long port = strtoul(colon + 1, &end, 10);
	if (*end || port > 65535)
		return VXE_UP_NOTHING;
	/* The log does not say the protocol: a send to an address is UDP's. */
	bool bind = str_is(&rec->syscall, "bind");
	int proto = strncmp(rec->syscall.s, "send", 4) == 0 ? IPPROTO_UDP : IPPROTO_TCP;
	enum vxe_net_op op = bind ? VXE_NET_BIND : VXE_NET_CONNECT;
	if (vxe_policy_net_allowed(p, op, proto, (unsigned)port))
		return VXE_UP_COVERED;
	return propose ? net_prop(u, rec, op, proto, (unsigned)port, addr) : VXE_UP_PROPOSED;
}

static int syscall_nr(const char *name)
{
	return name ? vxe_syscall_nr(name) : -1;
}

static enum vxe_up_result classify(struct vxe_upgrade *u, const struct vxe_logrec *rec,
				   bool propose)
{
	const struct vxe_policy *p = u->p;
	const char *rule = rec->rule.s ? rec->rule.s : "";
	const struct vxe_syscall_info *info = vxe_syscall_by_name(rec->syscall.s);
	int nr = syscall_nr(rec->syscall.s);
	const struct vxe_rule *r = nr >= 0 ? vxe_policy_rule(p, nr) : NULL;
	bool escape = info && (info->classes & VXE_SC_ESCAPE);
	if (strcmp(rule, "vxe") == 0 || strcmp(rule, "arch") == 0)
		return propose ? syscall_prop(u, rec, VXE_UP_HARD, false) : VXE_UP_NOTHING;
	if (strcmp(rule, "emulated") == 0 || strcmp(rule, "unknown") == 0 || nr < 0)
		return VXE_UP_NOTHING;
	if (strcmp(rule, "unlisted") == 0 || strcmp(rule, "escape") == 0 ||
	    strncmp(rule, "permit:", 7) == 0) {
		if (!r && (p->type == VXE_TYPE_STRICT || escape))
			return propose ? syscall_prop(u, rec, VXE_UP_SYSCALL, escape)
				       : VXE_UP_PROPOSED;
		if (strcmp(rule, "unlisted") == 0 || (strcmp(rule, "escape") == 0 && !r) ||
		    (r && r->pred < 0 && strncmp(rule, "permit:", 7) == 0))
			return VXE_UP_COVERED;
		/* A predicate said no, or escape-set arguments of a named call:
		 * only a hand edit of the rule can change that. */
		if (!r && p->type == VXE_TYPE_FILESYSTEM)
			return VXE_UP_COVERED;
		return propose ? syscall_prop(u, rec, VXE_UP_MANUAL, false) : VXE_UP_PROPOSED;
	}
	if (strcmp(rule, "files") == 0)
		return addr_arg(rec) ? net_record(u, rec, propose) : files_record(u, rec, propose);
	if (strcmp(rule, "network") == 0)
		return net_record(u, rec, propose);
	return propose ? syscall_prop(u, rec, VXE_UP_MANUAL, false) : VXE_UP_PROPOSED;
}

enum vxe_up_result vxe_upgrade_add(struct vxe_upgrade *u, const struct vxe_logrec *rec)
{
	if (vxe_logrec_is_suppressed(rec)) {
		if (!rec->vxed.s)
			u->suppressed_any += rec->count;
		else if (strcmp(rec->vxed.s, u->p->name) == 0)
			u->suppressed += rec->count;
		else {
			u->ignored++;
			return VXE_UP_IGNORED;
		}
		return VXE_UP_SUPPRESSED;
	}
	if (!str_is(&rec->vxed, u->p->name) ||
	    !(str_is(&rec->action, "logged") || str_is(&rec->action, "blocked")) ||
	    !rec->syscall.s) {
		u->ignored++;
		return VXE_UP_IGNORED;
	}
	u->records++;
	enum vxe_up_result r = classify(u, rec, false);
	if (r == VXE_UP_COVERED) {
		u->covered++;
		return r;
	}
	if (r == VXE_UP_NOTHING && strcmp(rec->rule.s ? rec->rule.s : "", "vxe") != 0 &&
	    strcmp(rec->rule.s ? rec->rule.s : "", "arch") != 0) {
		u->nothing++;
		return r;
	}
	r = classify(u, rec, true);
	if (r == VXE_UP_NOTHING && (str_is(&rec->rule, "vxe") || str_is(&rec->rule, "arch")))
		return r;
	if (r == VXE_UP_NOTHING)
		u->nothing++;
	return r;
}

bool vxe_upgrade_covered(const struct vxe_policy *p, const struct vxe_logrec *rec)
{
	struct vxe_upgrade u;
	vxe_upgrade_init(&u, p);
	bool c = classify(&u, rec, false) == VXE_UP_COVERED;
	vxe_upgrade_free(&u);
	return c;
}

/* ---- writing ------------------------------------------------------------- */

static const char *bit_name(unsigned bit)
{
	return bit == VXE_FS_READ ? "read" : bit == VXE_FS_WRITE ? "write" : "execute";
}

static bool add_to_doc(struct vxe_doc *d, const struct vxe_up_prop *p)
{
	struct vxe_buf c = {0};
	vxe_buf_printf(&c, "%llu event%s", (unsigned long long)p->count, p->count == 1 ? "" : "s");
	if (p->programs)
		vxe_buf_printf(&c, ": %s", p->programs);
	if (p->kind == VXE_UP_NET && p->example)
		vxe_buf_printf(&c, ", e.g. %s", p->example);
	bool ok = !c.oom;
	switch (p->kind) {
	case VXE_UP_SYSCALL:
		if (p->param && p->step == 0) {
			char params[64], body[512];
			snprintf(params, sizeof params, "(%s)", p->param);
			snprintf(body, sizeof body, "(member %s (list %s))", p->param, p->values);
			ok = ok && vxe_doc_add_pred(d, p->syscall, params, body, c.s);
		} else {
			ok = ok && vxe_doc_add_name(d, false, p->syscall, c.s);
		}
		break;
	case VXE_UP_PATH:
		ok = ok && vxe_doc_add_path(d, p->access, p->ladder[p->step], c.s);
		d->has_files = true;
		break;
	case VXE_UP_NET:
		ok = ok && vxe_doc_add_net(d, p->op, p->proto, (int)p->port, c.s);
		d->has_network = true;
		break;
	default:
		break;
	}
	free(c.s);
	return ok;
}

char *vxe_upgrade_form(const struct vxe_up_prop *p)
{
	struct vxe_buf b = {0};
	switch (p->kind) {
	case VXE_UP_SYSCALL:
		if (p->param && p->step == 0)
			vxe_buf_printf(&b, "(permit %s (%s) (member %s (list %s)))", p->syscall,
				       p->param, p->param, p->values);
		else
			vxe_buf_printf(&b, "(permit %s)", p->syscall);
		break;
	case VXE_UP_PATH:
		vxe_buf_printf(&b, "(files (%s ", bit_name(p->access));
		vxe_buf_lisp_string(&b, p->ladder[p->step]);
		vxe_buf_puts(&b, "))");
		break;
	case VXE_UP_NET:
		vxe_buf_printf(&b, "(network (%s %s %u))",
			       p->op == VXE_NET_BIND ? "bind" : "connect",
			       p->proto == IPPROTO_UDP ? "udp" : "tcp", p->port);
		break;
	default:
		return NULL;
	}
	if (b.oom) {
		free(b.s);
		return NULL;
	}
	return b.s;
}

char *vxe_upgrade_text(const struct vxe_upgrade *u, const char *old_text, const char *date,
		       const char *logs, size_t *naccepted)
{
	struct vxe_doc d = {0};
	struct vxe_buf out = {0};
	size_t n = 0;
	bool ok = true;
	d.type = u->p->type;
	d.mode = u->p->mode;
	d.no_header = true;
	for (size_t i = 0; i < u->nprops && ok; i++) {
		const struct vxe_up_prop *p = &u->props[i];
		if (p->decision != VXE_UP_ACCEPT || p->kind == VXE_UP_MANUAL ||
		    p->kind == VXE_UP_HARD)
			continue;
		ok = add_to_doc(&d, p);
		n++;
	}
	vxe_buf_puts(&out, old_text);
	if (ok && n) {
		if (out.len && out.s[out.len - 1] != '\n')
			vxe_buf_puts(&out, "\n");
		vxe_buf_printf(&out, "\n;; vxe upgrade %s: %zu proposal%s accepted from ", date, n,
			       n == 1 ? "" : "s");
		vxe_buf_comment_text(&out, logs, 200);
		vxe_buf_puts(&out, "\n");
		vxe_doc_print(&d, &out);
	}
	vxe_doc_free(&d);
	if (!ok || out.oom || !out.s) {
		free(out.s);
		errno = ENOMEM;
		return NULL;
	}
	if (naccepted)
		*naccepted = n;
	return out.s;
}
