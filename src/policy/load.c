/* Loading a VXED: evaluate the file in a fresh interpreter in which the
 * declarative forms are special forms that fill a struct vxe_policy.
 *
 * Everything a VXED can get wrong is reported here, at its location, before
 * any enforcement is built: unknown syscalls, wrong argument names, bad
 * types, duplicate rules, relative paths, ports out of range.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <netinet/in.h>
#include <seccomp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "policy/policy_internal.h"
#include "vxe/landlock.h"
#include "vxe/policy.h"

const char *vxe_mode_name(enum vxe_mode m)
{
	switch (m) {
	case VXE_MODE_TRACE:
		return "trace";
	case VXE_MODE_SOFT:
		return "soft";
	case VXE_MODE_PRODUCTION:
		return "production";
	}
	return "?";
}

const char *vxe_type_name(enum vxe_type t)
{
	return t == VXE_TYPE_STRICT ? "strict" : "filesystem";
}

static void *xrealloc_array(vl_state *st, const vl_value *at, void *ptr, size_t n, size_t size)
{
	void *p = reallocarray(ptr, n, size);
	if (!p)
		vl_raisef(st, at, "out of memory");
	return p;
}

static char *xstrdup(vl_state *st, const vl_value *at, const char *s)
{
	char *d = strdup(s);
	if (!d)
		vl_raisef(st, at, "out of memory");
	return d;
}

/* `at` is the list cell holding v: atoms carry no location, cells do. */
static const char *sym_or_raise(vl_state *st, const vl_value *at, const vl_value *v,
				const char *what)
{
	const char *s = vl_symbol_name(v);
	if (!s)
		vl_raisef(st, at, "%s: symbol expected", what);
	return s;
}

/* Resolves a syscall name to its x86_64 number; VXE's own table first (it
 * also gives argument names), libseccomp for the rest. */
static int resolve_syscall(vl_state *st, const vl_value *at, const char *name,
			   const struct vxe_syscall_info **info)
{
	*info = vxe_syscall_by_name(name);
	int nr = *info ? vxe_syscall_nr(name) : -1;
	if (nr < 0)
		nr = seccomp_syscall_resolve_name_arch(SCMP_ARCH_X86_64, name);
	if (nr == __NR_SCMP_ERROR || nr < 0)
		vl_raisef(st, at, "unknown syscall '%s'", name);
	if (nr >= VXE_NR_MAX_POLICY)
		vl_raisef(st, at, "syscall '%s' (%d) is beyond VXE's table", name, nr);
	return nr;
}

static struct vxe_rule *add_rule(struct vxe_load *ld, const vl_value *at, const char *name,
				 enum vxe_rule_kind kind)
{
	struct vxe_policy *p = ld->p;
	const struct vxe_syscall_info *info;
	int nr = resolve_syscall(ld->st, at, name, &info);
	struct vl_loc loc;
	if (p->rule_of[nr] >= 0) {
		const struct vxe_rule *old = &p->rules[p->rule_of[nr]];
		vl_raisef(ld->st, at, "syscall '%s' already has a rule at line %d", name,
			  old->line);
	}
	p->rules = xrealloc_array(ld->st, at, p->rules, p->nrules + 1, sizeof *p->rules);
	struct vxe_rule *r = &p->rules[p->nrules];
	memset(r, 0, sizeof *r);
	r->pred = r->pred_body = r->pred_params = -1;
	r->kind = kind;
	r->nr = nr;
	r->info = info;
	if (vl_loc(ld->st, at, &loc)) {
		r->line = loc.line;
		r->col = loc.col;
	}
	r->syscall = xstrdup(ld->st, at, name);
	p->rule_of[nr] = (short)p->nrules++;
	return r;
}

/* (vxed NAME :type strict|filesystem :mode trace|soft|production
 *        :activate ("pattern"...) :errno ENAME) */
static vl_value *form_vxed(vl_state *st, vl_value *form, void *ud)
{
	struct vxe_load *ld = ud;
	struct vxe_policy *p = ld->p;
	struct vl_loc loc;
	if (ld->seen_header)
		vl_raisef(st, form, "second (vxed ...) form; the first is at line %d",
			  p->header_line);
	ld->seen_header = true;
	if (vl_loc(st, form, &loc))
		p->header_line = loc.line;
	vl_value *args = vl_cdr(form);
	vl_value *name = vl_car(args);
	const char *s = vl_string(name, NULL);
	if (!s)
		s = vl_symbol_name(name);
	if (!s || !*s)
		vl_raisef(st, vl_is_nil(name) ? form : args, "vxed: name (a string) expected");
	for (const char *c = s; *c; c++)
		if (!(*c == '-' || *c == '_' || *c == '.' || (*c >= '0' && *c <= '9') ||
		      (*c >= 'a' && *c <= 'z') || (*c >= 'A' && *c <= 'Z')))
			vl_raisef(st, args,
				  "vxed: name may hold only letters, digits, '-', '_', '.'");
	p->name = xstrdup(st, args, s);
	for (args = vl_cdr(args); !vl_is_nil(args); args = vl_cdr(vl_cdr(args))) {
		vl_value *key = vl_car(args);
		const char *k = vl_symbol_name(key);
		if (!k || k[0] != ':')
			vl_raisef(
			    st, args,
			    "vxed: keyword (:type, :mode, :activate, :errno, :setuid) expected");
		if (vl_is_nil(vl_cdr(args)))
			vl_raisef(st, args, "vxed: %s needs a value", k);
		vl_value *val = vl_car(vl_cdr(args));
		if (strcmp(k, ":type") == 0) {
			const char *v = sym_or_raise(st, vl_cdr(args), val, ":type");
			if (strcmp(v, "strict") == 0)
				p->type = VXE_TYPE_STRICT;
			else if (strcmp(v, "filesystem") == 0)
				p->type = VXE_TYPE_FILESYSTEM;
			else
				vl_raisef(st, vl_cdr(args),
					  ":type must be strict or filesystem, not '%s'", v);
		} else if (strcmp(k, ":mode") == 0) {
			const char *v = sym_or_raise(st, vl_cdr(args), val, ":mode");
			if (strcmp(v, "trace") == 0)
				p->mode = VXE_MODE_TRACE;
			else if (strcmp(v, "soft") == 0)
				p->mode = VXE_MODE_SOFT;
			else if (strcmp(v, "production") == 0)
				p->mode = VXE_MODE_PRODUCTION;
			else
				vl_raisef(st, vl_cdr(args),
					  ":mode must be trace, soft or production, not '%s'", v);
		} else if (strcmp(k, ":activate") == 0) {
			vl_value *l = val;
			if (vl_typeof(l) == VL_STRING)
				vl_raisef(st, vl_cdr(args),
					  ":activate takes a list of patterns: (\"%s\")",
					  vl_string(l, NULL));
			if (vl_typeof(l) != VL_CONS)
				vl_raisef(st, vl_cdr(args),
					  ":activate: list of path patterns expected");
			for (; !vl_is_nil(l); l = vl_cdr(l)) {
				vl_value *pat = vl_car(l);
				size_t len;
				const char *ps = vl_string(pat, &len);
				if (!ps || len == 0 || ps[0] != '/' || strlen(ps) != len)
					vl_raisef(st, l,
						  ":activate: absolute path pattern expected");
				p->activate = xrealloc_array(st, l, p->activate, p->nactivate + 1,
							     sizeof(char *));
				p->activate[p->nactivate++] = xstrdup(st, l, ps);
			}
		} else if (strcmp(k, ":setuid") == 0) {
			const char *v = sym_or_raise(st, vl_cdr(args), val, ":setuid");
			if (strcmp(v, "allow") == 0)
				p->setuid_allowed = true;
			else if (strcmp(v, "deny") != 0)
				vl_raisef(st, vl_cdr(args),
					  ":setuid must be allow or deny, not '%s'", v);
		} else if (strcmp(k, ":errno") == 0) {
			const char *v = sym_or_raise(st, vl_cdr(args), val, ":errno");
			int e = vxe_errno_by_name(v);
			if (e <= 0)
				vl_raisef(st, vl_cdr(args), ":errno: unknown errno name '%s'", v);
			p->err = e;
		} else {
			vl_raisef(st, args, "vxed: unknown keyword %s", k);
		}
	}
	return NULL;
}

static void need_header(struct vxe_load *ld, vl_value *form)
{
	if (!ld->seen_header)
		vl_raisef(ld->st, form, "the (vxed NAME ...) form must come first");
}

/* (unchecked NAME...) */
static vl_value *form_unchecked(vl_state *st, vl_value *form, void *ud)
{
	struct vxe_load *ld = ud;
	need_header(ld, form);
	if (vl_is_nil(vl_cdr(form)))
		vl_raisef(st, form, "unchecked: at least one syscall name expected");
	for (vl_value *l = vl_cdr(form); !vl_is_nil(l); l = vl_cdr(l))
		add_rule(ld, l, sym_or_raise(st, l, vl_car(l), "unchecked"), VXE_RULE_UNCHECKED);
	return NULL;
}

/* (permit NAME...) or (permit NAME (ARG...) BODY...) */
static vl_value *form_permit(vl_state *st, vl_value *form, void *ud)
{
	struct vxe_load *ld = ud;
	need_header(ld, form);
	vl_value *args = vl_cdr(form);
	if (vl_is_nil(args))
		vl_raisef(st, form, "permit: at least one syscall name expected");
	vl_value *second = vl_car(vl_cdr(args));
	if (vl_is_nil(vl_cdr(args)) || vl_typeof(second) == VL_SYMBOL) {
		for (vl_value *l = args; !vl_is_nil(l); l = vl_cdr(l))
			add_rule(ld, l, sym_or_raise(st, l, vl_car(l), "permit"), VXE_RULE_PERMIT);
		return NULL;
	}
	/* A predicate. () as the parameter list reads as nil. */
	if (vl_typeof(second) != VL_CONS && !vl_is_nil(second))
		vl_raisef(st, vl_cdr(args), "permit: (ARGUMENT...) list or syscall names expected");
	vl_value *body = vl_cdr(vl_cdr(args));
	if (vl_is_nil(body))
		vl_raisef(st, form, "permit: predicate body missing after the argument list");
	const char *name = sym_or_raise(st, args, vl_car(args), "permit");
	struct vxe_rule *r = add_rule(ld, args, name, VXE_RULE_PERMIT);
	unsigned i = 0;
	for (vl_value *l = second; !vl_is_nil(l); l = vl_cdr(l), i++) {
		const char *an = sym_or_raise(st, l, vl_car(l), "permit argument");
		if (i >= VXE_MAX_ARGS)
			vl_raisef(st, l, "permit %s: more than %d arguments", name, VXE_MAX_ARGS);
		int idx = r->info ? vxe_syscall_arg_index(r->info, an) : -1;
		if (!r->info && an[0] == 'a' && an[1] >= '0' && an[1] <= '5' && !an[2])
			idx = an[1] - '0';
		if (idx < 0) {
			char names[128] = "";
			size_t off = 0;
			for (unsigned k = 0; r->info && k < r->info->nargs; k++)
				off += (size_t)snprintf(names + off, sizeof names - off, "%s%s",
							k ? " " : "", r->info->args[k].name);
			if (!r->info)
				snprintf(names, sizeof names, "a0 a1 a2 a3 a4 a5");
			vl_raisef(st, l, "permit %s: no argument '%s' (it has: %s)", name, an,
				  names);
		}
		for (unsigned k = 0; k < i; k++)
			if (r->param_arg[k] == idx)
				vl_raisef(st, l, "permit %s: argument '%s' named twice", name, an);
		if (r->info && r->info->args[idx].type == VXE_ARG_PTR)
			vl_raisef(st, l, "permit %s: argument '%s' is a pointer VXE cannot decode",
				  name, an);
		r->param_arg[i] = idx;
	}
	r->nparams = i;
	vl_value *fn = vl_make_lambda(st, second, body);
	r->pred = vl_pin(st, fn);
	r->pred_body = vl_pin(st, body);
	r->pred_params = vl_pin(st, second);
	if (r->pred < 0 || r->pred_body < 0 || r->pred_params < 0)
		vl_raisef(st, form, "out of memory");
	return NULL;
}

/* Lexically normalises an absolute path into out (PATH_MAX): collapses //,
 * /./ and /../ and drops a trailing slash. Returns false if not absolute or
 * too long. */
bool vxe_path_normalize(const char *in, char *out, size_t size)
{
	if (!in || in[0] != '/' || size < 2)
		return false;
	size_t o = 0;
	out[o++] = '/';
	const char *s = in;
	while (*s) {
		while (*s == '/')
			s++;
		const char *e = s;
		while (*e && *e != '/')
			e++;
		size_t n = (size_t)(e - s);
		if (n == 0)
			break;
		if (n == 1 && s[0] == '.') {
			/* nothing */
		} else if (n == 2 && s[0] == '.' && s[1] == '.') {
			if (o > 1) {
				o--;
				while (o > 1 && out[o - 1] != '/')
					o--;
				if (o > 1)
					o--;
			}
		} else {
			if (o > 1) {
				if (o + 1 >= size)
					return false;
				out[o++] = '/';
			}
			if (o + n >= size)
				return false;
			memcpy(out + o, s, n);
			o += n;
		}
		s = e;
	}
	out[o] = 0;
	return true;
}

static size_t path_hash(const char *s)
{
	size_t h = 1469598103934665603u;
	for (; *s; s++)
		h = (h ^ (unsigned char)*s) * 1099511628211u;
	return h;
}

static void add_path(struct vxe_load *ld, vl_value *at, const char *path, unsigned access)
{
	struct vxe_policy *p = ld->p;
	char norm[PATH_MAX];
	if (!vxe_path_normalize(path, norm, sizeof norm))
		vl_raisef(ld->st, at, "files: absolute path expected, not \"%s\"", path);
	struct vl_loc loc = {0};
	vl_loc(ld->st, at, &loc);
	/* A hash table keeps a VXED of many paths linear to load. */
	if (p->npaths * 2 >= ld->ptab_size) {
		size_t size = ld->ptab_size ? ld->ptab_size * 2 : 64;
		size_t *tab = calloc(size, sizeof *tab);
		if (!tab)
			vl_raisef(ld->st, at, "out of memory");
		free(ld->ptab);
		ld->ptab = tab;
		ld->ptab_size = size;
		for (size_t i = 0; i < p->npaths; i++) {
			size_t h = path_hash(p->paths[i].path) & (size - 1);
			while (tab[h])
				h = (h + 1) & (size - 1);
			tab[h] = i + 1;
		}
	}
	size_t h = path_hash(norm) & (ld->ptab_size - 1);
	for (; ld->ptab[h]; h = (h + 1) & (ld->ptab_size - 1))
		if (strcmp(p->paths[ld->ptab[h] - 1].path, norm) == 0) {
			p->paths[ld->ptab[h] - 1].access |= access;
			return;
		}
	if (p->npaths == ld->paths_cap) {
		size_t cap = ld->paths_cap ? ld->paths_cap * 2 : 16;
		p->paths = xrealloc_array(ld->st, at, p->paths, cap, sizeof *p->paths);
		ld->paths_cap = cap;
	}
	ld->ptab[h] = p->npaths + 1;
	p->paths[p->npaths].access = access;
	p->paths[p->npaths].line = loc.line;
	p->paths[p->npaths].path = xstrdup(ld->st, at, norm);
	p->npaths++;
}

/* (files (read PATH...) (write PATH...) (execute PATH...)) */
static vl_value *form_files(vl_state *st, vl_value *form, void *ud)
{
	struct vxe_load *ld = ud;
	need_header(ld, form);
	ld->p->has_files = true;
	for (vl_value *l = vl_cdr(form); !vl_is_nil(l); l = vl_cdr(l)) {
		vl_value *clause = vl_car(l);
		const char *k = vl_symbol_name(vl_car(clause));
		unsigned access = 0;
		if (vl_typeof(clause) != VL_CONS || !k)
			vl_raisef(st, clause, "files: (read|write|execute PATH...) expected");
		if (strcmp(k, "read") == 0)
			access = VXE_FS_READ;
		else if (strcmp(k, "write") == 0)
			access = VXE_FS_WRITE;
		else if (strcmp(k, "execute") == 0)
			access = VXE_FS_EXECUTE;
		else
			vl_raisef(st, clause, "files: unknown access '%s' (read, write, execute)",
				  k);
		for (vl_value *q = vl_cdr(clause); !vl_is_nil(q); q = vl_cdr(q)) {
			size_t len;
			const char *s = vl_string(vl_car(q), &len);
			if (!s || strlen(s) != len)
				vl_raisef(st, q, "files %s: path string expected", k);
			add_path(ld, q, s, access);
		}
	}
	return NULL;
}

/* (network (bind tcp PORT...) (connect none) (connect udp any) (accept tcp PORT...)) */
static vl_value *form_network(vl_state *st, vl_value *form, void *ud)
{
	struct vxe_load *ld = ud;
	struct vxe_policy *p = ld->p;
	need_header(ld, form);
	p->has_network = true;
	for (vl_value *l = vl_cdr(form); !vl_is_nil(l); l = vl_cdr(l)) {
		vl_value *clause = vl_car(l);
		const char *k = vl_symbol_name(vl_car(clause));
		enum vxe_net_op op;
		if (vl_typeof(clause) != VL_CONS || !k)
			vl_raisef(st, clause,
				  "network: (bind|connect|accept PROTO PORT...) expected");
		if (strcmp(k, "bind") == 0)
			op = VXE_NET_BIND;
		else if (strcmp(k, "connect") == 0)
			op = VXE_NET_CONNECT;
		else if (strcmp(k, "accept") == 0)
			op = VXE_NET_ACCEPT;
		else
			vl_raisef(st, clause,
				  "network: unknown operation '%s' (bind, connect, accept)", k);
		struct vl_loc loc = {0};
		vl_loc(st, clause, &loc);
		vl_value *rest = vl_cdr(clause);
		const char *proto = vl_symbol_name(vl_car(rest));
		struct vxe_net_rule nr = {.op = op, .line = loc.line};
		if (!proto)
			vl_raisef(st, vl_is_nil(rest) ? clause : rest,
				  "network %s: tcp, udp or none expected", k);
		if (strcmp(proto, "none") == 0) {
			if (!vl_is_nil(vl_cdr(rest)))
				vl_raisef(st, vl_cdr(rest), "network %s none: nothing may follow",
					  k);
			nr.none = true;
			nr.proto = IPPROTO_TCP;
			p->net = xrealloc_array(st, clause, p->net, p->nnet + 1, sizeof *p->net);
			p->net[p->nnet++] = nr;
			nr.proto = IPPROTO_UDP;
			p->net = xrealloc_array(st, clause, p->net, p->nnet + 1, sizeof *p->net);
			p->net[p->nnet++] = nr;
			continue;
		}
		if (strcmp(proto, "tcp") == 0)
			nr.proto = IPPROTO_TCP;
		else if (strcmp(proto, "udp") == 0)
			nr.proto = IPPROTO_UDP;
		else
			vl_raisef(st, rest, "network %s: tcp, udp or none expected, not '%s'", k,
				  proto);
		if (vl_is_nil(vl_cdr(rest)))
			vl_raisef(st, clause, "network %s %s: at least one port (or any) expected",
				  k, proto);
		for (vl_value *q = vl_cdr(rest); !vl_is_nil(q); q = vl_cdr(q)) {
			vl_value *v = vl_car(q);
			const char *sym = vl_symbol_name(v);
			struct vxe_net_rule one = nr;
			if (sym && strcmp(sym, "any") == 0) {
				one.any_port = true;
			} else if (vl_typeof(v) == VL_INT) {
				int64_t port = vl_int(v);
				if (port < 0 || port > 65535)
					vl_raisef(st, q,
						  "network %s: port %lld out of range 0..65535", k,
						  (long long)port);
				one.port = (uint16_t)port;
			} else {
				vl_raisef(st, q, "network %s: port number or any expected", k);
			}
			p->net = xrealloc_array(st, q, p->net, p->nnet + 1, sizeof *p->net);
			p->net[p->nnet++] = one;
		}
	}
	return NULL;
}

/* Is name bound by a parameter list or by a let, let*, lambda or defun anywhere in
 * the body? Scoping is approximated generously: a name bound anywhere counts,
 * which can only miss an error, never invent one. */
static bool binds(const vl_value *form, const char *name, int depth)
{
	if (depth > 200 || vl_typeof(form) != VL_CONS)
		return false;
	const char *head = vl_symbol_name(vl_car(form));
	if (head && (strcmp(head, "let") == 0 || strcmp(head, "let*") == 0)) {
		for (const vl_value *b = vl_car(vl_cdr(form)); vl_typeof(b) == VL_CONS;
		     b = vl_cdr(b)) {
			const vl_value *v = vl_car(b);
			const char *n = vl_symbol_name(vl_typeof(v) == VL_CONS ? vl_car(v) : v);
			if (n && strcmp(n, name) == 0)
				return true;
		}
	}
	if (head && (strcmp(head, "lambda") == 0 || strcmp(head, "defun") == 0)) {
		const vl_value *params = vl_car(vl_cdr(form));
		if (strcmp(head, "defun") == 0)
			params = vl_car(vl_cdr(vl_cdr(form)));
		for (; vl_typeof(params) == VL_CONS; params = vl_cdr(params)) {
			const char *n = vl_symbol_name(vl_car(params));
			if (n && strcmp(n, name) == 0)
				return true;
		}
	}
	for (; vl_typeof(form) == VL_CONS; form = vl_cdr(form))
		if (binds(vl_car(form), name, depth + 1))
			return true;
	return false;
}

/* Finds a symbol in body (walking list cells, which carry locations) that is
 * neither a parameter, nor bound inside the body, nor defined globally: a
 * typo that would otherwise only show when the program runs, as a refusal. */
static const vl_value *free_symbol(const vl_value *cell, const vl_value *params,
				   const vl_value *body, int depth)
{
	if (depth > 200)
		return NULL;
	for (; vl_typeof(cell) == VL_CONS; cell = vl_cdr(cell)) {
		const vl_value *v = vl_car(cell);
		const char *head = vl_symbol_name(v);
		if (vl_typeof(v) == VL_CONS) {
			const char *h = vl_symbol_name(vl_car(v));
			if (h && strcmp(h, "quote") == 0)
				continue;
			const vl_value *f = free_symbol(v, params, body, depth + 1);
			if (f)
				return f;
			continue;
		}
		if (!head || vl_symbol_bound(v))
			continue;
		bool param = false;
		for (const vl_value *q = params; vl_typeof(q) == VL_CONS && !param; q = vl_cdr(q))
			param = vl_symbol_name(vl_car(q)) &&
				strcmp(vl_symbol_name(vl_car(q)), head) == 0;
		if (!param && !binds(body, head, 0))
			return cell;
	}
	return NULL;
}

/* After the whole file is evaluated (so functions defined below a permit
 * count), every name a predicate uses must exist. */
static int check_predicates(struct vxe_policy *p, char *err, size_t errsz)
{
	for (size_t i = 0; i < p->nrules; i++) {
		const struct vxe_rule *r = &p->rules[i];
		if (r->pred < 0)
			continue;
		const vl_value *body = vl_pinned(p->lisp, r->pred_body);
		const vl_value *params = vl_pinned(p->lisp, r->pred_params);
		const vl_value *bad = free_symbol(body, params, body, 0);
		if (bad) {
			struct vl_loc loc = {p->file, r->line, r->col};
			vl_loc(p->lisp, bad, &loc);
			snprintf(err, errsz,
				 "%s:%d:%d: permit %s: unknown name '%s' (not an argument, a "
				 "constant or a defined function)",
				 p->file, loc.line, loc.col, r->syscall,
				 vl_symbol_name(vl_car(bad)));
			return -1;
		}
	}
	return 0;
}

void vxe_policy_free(struct vxe_policy *p)
{
	if (!p)
		return;
	for (size_t i = 0; i < p->nrules; i++)
		free(p->rules[i].syscall);
	free(p->rules);
	for (size_t i = 0; i < p->npaths; i++)
		free(p->paths[i].path);
	free(p->paths);
	free(p->net);
	for (size_t i = 0; i < p->nactivate; i++)
		free(p->activate[i]);
	free(p->activate);
	vl_free(p->lisp);
	free(p->name);
	free(p->file);
	free(p);
}

/* Interpreter limits for a VXED: generous for loading, and the same state
 * runs predicates in the supervisor, where the step limit bounds each call. */
static const struct vl_limits policy_limits = {
    .max_memory = 32u << 20,
    .max_steps = 1000000,
    .max_depth = 200,
};

int vxe_policy_load_string(const char *name, const char *src, size_t len, struct vxe_policy **out,
			   char *err, size_t errsz)
{
	struct vxe_policy *p = calloc(1, sizeof *p);
	*out = NULL;
	if (!p || !(p->file = strdup(name))) {
		free(p);
		snprintf(err, errsz, "%s: out of memory", name);
		return -1;
	}
	p->err = EPERM;
	p->type = VXE_TYPE_STRICT;
	p->mode = VXE_MODE_SOFT;
	memset(p->rule_of, 0xff, sizeof p->rule_of);
	p->lisp = vl_new(&policy_limits);
	if (!p->lisp) {
		vxe_policy_free(p);
		snprintf(err, errsz, "%s: out of memory", name);
		return -1;
	}
	struct vxe_load ld = {.p = p, .st = p->lisp};
	for (unsigned i = 0; vxe_const_at(i); i++)
		if (vl_def_int(p->lisp, vxe_const_at(i)->name, vxe_const_at(i)->value) < 0)
			goto oom;
	if (vl_def_special(p->lisp, "vxed", form_vxed, &ld) < 0 ||
	    vl_def_special(p->lisp, "unchecked", form_unchecked, &ld) < 0 ||
	    vl_def_special(p->lisp, "permit", form_permit, &ld) < 0 ||
	    vl_def_special(p->lisp, "files", form_files, &ld) < 0 ||
	    vl_def_special(p->lisp, "network", form_network, &ld) < 0)
		goto oom;
	if (vl_load_string(p->lisp, name, src, len) < 0) {
		snprintf(err, errsz, "%s", vl_error(p->lisp));
		free(ld.ptab);
		vxe_policy_free(p);
		return -1;
	}
	if (check_predicates(p, err, errsz) < 0) {
		free(ld.ptab);
		vxe_policy_free(p);
		return -1;
	}
	if (!ld.seen_header) {
		snprintf(err, errsz, "%s:1:1: no (vxed NAME ...) form", name);
		free(ld.ptab);
		vxe_policy_free(p);
		return -1;
	}
	free(ld.ptab);
	*out = p;
	return 0;
oom:
	snprintf(err, errsz, "%s: out of memory", name);
	free(ld.ptab);
	vxe_policy_free(p);
	return -1;
}

int vxe_policy_load(const char *path, struct vxe_policy **out, char *err, size_t errsz)
{
	*out = NULL;
	int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY);
	if (fd < 0) {
		snprintf(err, errsz, "%s: %s", path, strerror(errno));
		return -1;
	}
	struct stat stb;
	if (fstat(fd, &stb) < 0 || !S_ISREG(stb.st_mode)) {
		snprintf(err, errsz, "%s: not a regular file", path);
		close(fd);
		return -1;
	}
	if (stb.st_size > VXE_POLICY_MAX_BYTES) {
		snprintf(err, errsz, "%s:1:1: file is %lld bytes; a VXED may have at most %u", path,
			 (long long)stb.st_size, VXE_POLICY_MAX_BYTES);
		close(fd);
		return -1;
	}
	char *buf = malloc((size_t)stb.st_size + 1);
	size_t got = 0;
	while (buf && got < (size_t)stb.st_size) {
		ssize_t n = read(fd, buf + got, (size_t)stb.st_size - got);
		if (n <= 0)
			break;
		got += (size_t)n;
	}
	close(fd);
	if (!buf) {
		snprintf(err, errsz, "%s: out of memory", path);
		return -1;
	}
	int rc = vxe_policy_load_string(path, buf, got, out, err, errsz);
	free(buf);
	return rc;
}

const struct vxe_rule *vxe_policy_rule(const struct vxe_policy *p, int nr)
{
	if (nr < 0 || nr >= VXE_NR_MAX_POLICY || p->rule_of[nr] < 0)
		return NULL;
	return &p->rules[p->rule_of[nr]];
}

/* Component-wise: "/var/mailx" is not under "/var/mail". */
bool vxe_path_under(const char *path, const char *dir)
{
	size_t n = strlen(dir);
	if (n == 1 && dir[0] == '/')
		return path[0] == '/';
	return strncmp(path, dir, n) == 0 && (path[n] == 0 || path[n] == '/');
}

bool vxe_policy_path_allowed(const struct vxe_policy *p, const char *path, unsigned access)
{
	unsigned have = 0;
	for (size_t i = 0; i < p->npaths; i++)
		if (vxe_path_under(path, p->paths[i].path))
			have |= p->paths[i].access;
	/* Executing implies reading what is executed (scripts, the loader). */
	if (have & VXE_FS_EXECUTE)
		have |= VXE_FS_READ;
	return (have & access) == access;
}

bool vxe_policy_net_allowed(const struct vxe_policy *p, enum vxe_net_op op, int proto,
			    unsigned port)
{
	if (!p->has_network)
		return true;
	for (size_t i = 0; i < p->nnet; i++) {
		const struct vxe_net_rule *r = &p->net[i];
		if (r->op != op || r->proto != proto || r->none)
			continue;
		if (r->any_port || r->port == port)
			return true;
	}
	return false;
}

unsigned vxe_open_access(int64_t flags)
{
	if (flags & O_PATH)
		return 0;
	unsigned acc = (flags & O_ACCMODE) == O_RDONLY	 ? VXE_FS_READ
		       : (flags & O_ACCMODE) == O_WRONLY ? VXE_FS_WRITE
							 : VXE_FS_READ | VXE_FS_WRITE;
	if (flags & (O_CREAT | O_TRUNC))
		acc |= VXE_FS_WRITE;
	return acc;
}
