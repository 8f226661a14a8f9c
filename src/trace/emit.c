/* The writer: from what the recorder saw to a VXED in canonical form, or to
 * the part of one that an existing VXED lacks (--merge).
 *
 * Strict VXEDs list every call used: the harmless ones (VXE_SC_HARMLESS:
 * nothing outside the process) as unchecked, the others as permitted, socket
 * with a predicate on the domains seen. A call of the escape set is never
 * granted silently: it is written commented out, and the administrator is
 * told on stderr, because a VXED that names it opens that way out.
 */
#include <elf.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <netinet/in.h>
#include <seccomp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include "policy/policy_internal.h"
#include "trace/trace_internal.h"
#include "vxe/landlock.h"
#include "vxe/trace.h"

/* The interpreter the kernel runs for path (ELF PT_INTERP or a #! line),
 * into out; false if none. Bounded reads of a file we only look at. */
static bool interpreter_of(const char *path, char *out, size_t size)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
	if (fd < 0)
		return false;
	char head[256];
	ssize_t n = pread(fd, head, sizeof head - 1, 0);
	bool found = false;
	if (n >= 2 && head[0] == '#' && head[1] == '!') {
		head[n] = 0;
		char *s = head + 2;
		s += strspn(s, " \t");
		size_t len = strcspn(s, " \t\n");
		if (len && s[0] == '/' && len < size && s[len] != 0) {
			memcpy(out, s, len);
			out[len] = 0;
			found = true;
		}
	} else if (n >= (ssize_t)sizeof(Elf64_Ehdr) && memcmp(head, ELFMAG, SELFMAG) == 0 &&
		   head[EI_CLASS] == ELFCLASS64) {
		Elf64_Ehdr eh;
		memcpy(&eh, head, sizeof eh);
		for (unsigned i = 0; i < eh.e_phnum && i < 64 && !found; i++) {
			Elf64_Phdr ph;
			if (pread(fd, &ph, sizeof ph,
				  (off_t)(eh.e_phoff + (uint64_t)i * eh.e_phentsize)) !=
			    (ssize_t)sizeof ph)
				break;
			if (ph.p_type != PT_INTERP || ph.p_filesz == 0 || ph.p_filesz >= size)
				continue;
			if (pread(fd, out, ph.p_filesz, (off_t)ph.p_offset) != (ssize_t)ph.p_filesz)
				break;
			out[ph.p_filesz] = 0;
			found = out[0] == '/' && strlen(out) + 1 == ph.p_filesz;
		}
	}
	close(fd);
	return found;
}

static const char *base_name(const char *p)
{
	const char *s = strrchr(p, '/');
	return s && s[1] ? s + 1 : p;
}

static void prog_list(struct vxe_buf *b, const struct vxe_trace *t, uint64_t progs)
{
	unsigned shown = 0, total = 0;
	for (unsigned i = 0; i < t->nprogs; i++) {
		if (!(progs & (1ull << i)))
			continue;
		total++;
		if (shown < 3) {
			/* Names are the program's to choose: escaped, so that
			 * none starts a line or acts on a terminal. */
			vxe_buf_puts(b, shown ? ", " : "");
			vxe_buf_comment_text(b, base_name(t->progs[i]), 80);
			shown++;
		}
	}
	if (total > shown)
		vxe_buf_printf(b, " +%u", total - shown);
}

static const char *af_name(int domain)
{
	static const char *const names[] = {"AF_UNIX",	  "AF_INET",   "AF_INET6",
					    "AF_NETLINK", "AF_PACKET", NULL};
	for (unsigned i = 0; names[i]; i++) {
		const struct vxe_const *c = vxe_const_by_name(names[i]);
		if (c && c->value == domain)
			return names[i];
	}
	for (unsigned i = 0; vxe_const_at(i); i++)
		if (strncmp(vxe_const_at(i)->name, "AF_", 3) == 0 &&
		    vxe_const_at(i)->value == domain)
			return vxe_const_at(i)->name;
	return NULL;
}

static int int_cmp(const void *a, const void *b)
{
	int x = *(const int *)a, y = *(const int *)b;
	return x < y ? -1 : x > y;
}

/* Whether OLD_TEXT has the line ";; (permit NAME)" (then nothing, or
 * blanks and a ';' comment): an escape-set call an earlier trace wrote
 * commented out for the administrator, exactly as comment_lines() prints a
 * "Not granted" line. A merge does not repeat it. Only that shape counts:
 * "(permit NAME)" inside another comment (a program's name) does not. */
static bool commented_permit(const char *old_text, const char *name)
{
	char want[96];
	int n = snprintf(want, sizeof want, ";; (permit %s)", name);
	if (n < 0 || (size_t)n >= sizeof want || !old_text)
		return false;
	for (const char *line = old_text; *line;) {
		const char *end = strchr(line, '\n');
		if (!end)
			end = line + strlen(line);
		if ((size_t)(end - line) >= (size_t)n && memcmp(line, want, (size_t)n) == 0) {
			const char *p = line + n;
			while (p < end && (*p == ' ' || *p == '\t' || *p == '\r'))
				p++;
			if (p == end || *p == ';')
				return true;
		}
		line = *end ? end + 1 : end;
	}
	return false;
}

/* Whether OLD_TEXT has the comment line ";; LINE" (LINE without its
 * newline, n bytes): a "Not granted" line an earlier run wrote. */
static bool old_has_line(const char *old_text, const char *line, size_t n)
{
	for (const char *p = old_text; p && (p = strstr(p, ";; ")); p += 3)
		if ((p == old_text || p[-1] == '\n') && strncmp(p + 3, line, n) == 0 &&
		    (p[3 + n] == '\n' || p[3 + n] == 0))
			return true;
	return false;
}

/* clone with namespace flags: like an escape-set call, a line of the "Not
 * granted" comment and a warning. (permit clone) keeps the flags closed. */
static void ns_clone(const struct vxe_trace *t, struct vxe_buf *tail, FILE *warn)
{
	struct vxe_buf f = {0}, c = {0};
	uint64_t left = t->ns_flags;
	for (unsigned i = 0; vxe_const_at(i); i++) {
		const struct vxe_const *k = vxe_const_at(i);
		if (strncmp(k->name, "CLONE_NEW", 9) != 0 || !k->value ||
		    ((uint64_t)k->value & t->ns_flags) != (uint64_t)k->value)
			continue;
		vxe_buf_printf(&f, "%s%s", f.len ? "|" : "", k->name);
		left &= ~(uint64_t)k->value;
	}
	if (left || !f.len)
		vxe_buf_printf(&f, "%s%#llx", f.len ? "|" : "", (unsigned long long)left);
	vxe_buf_printf(&c, "%llu %s", (unsigned long long)t->ns_clones,
		       t->ns_clones == 1 ? "call" : "calls");
	if (t->ns_progs) {
		vxe_buf_puts(&c, ": ");
		prog_list(&c, t, t->ns_progs);
	}
	if (!f.oom && !c.oom) {
		vxe_buf_printf(
		    tail,
		    "clone with %s (%s): namespaces, escape set; (permit clone) keeps them "
		    "closed\n",
		    f.s, c.s);
		vxe_trace_warnf(warn,
				"vxe: trace: clone was used with %s (%s): namespaces are in the "
				"escape set; not granted (permit clone keeps them closed)",
				f.s, c.s);
	}
	free(f.s);
	free(c.s);
}

/* Syscall rules; returns the number added, -1 on allocation failure. */
static int emit_syscalls(struct vxe_trace *t, const struct vxe_policy *old, const char *old_text,
			 struct vxe_doc *d, struct vxe_buf *tail, FILE *warn)
{
	int added = 0;
	enum vxe_type type = old ? old->type : t->o.type;
	for (int nr = 0; nr < 512; nr++) {
		if (!t->sys_count[nr])
			continue;
		const struct vxe_syscall_info *info = vxe_syscall_by_nr(nr);
		char *lsname = info ? NULL : seccomp_syscall_resolve_num_arch(SCMP_ARCH_X86_64, nr);
		const char *name = info ? info->name : lsname;
		struct vxe_buf c = {0};
		vxe_buf_printf(&c, "%llu %s", (unsigned long long)t->sys_count[nr],
			       t->sys_count[nr] == 1 ? "call" : "calls");
		if (t->sys_progs[nr]) {
			vxe_buf_puts(&c, ": ");
			prog_list(&c, t, t->sys_progs[nr]);
		}
		bool ok = !c.oom;
		unsigned cl = info ? info->classes : 0;
		if (name && strcmp(name, "clone") == 0 && t->ns_clones)
			ns_clone(t, tail, warn);
		if (!name) {
			vxe_buf_printf(tail,
				       "syscall %d (%s) is unknown to libseccomp: no VXED can "
				       "name it\n",
				       nr, c.s);
		} else if (old && old->rule_of[nr] >= 0) {
			/* Already has a rule (the loader refuses a second). */
		} else if ((cl & VXE_SC_ESCAPE) && old && commented_permit(old_text, name)) {
			/* Left for the administrator by an earlier run. */
		} else if (cl & VXE_SC_ESCAPE) {
			vxe_buf_printf(tail, "(permit %s)  ; %s -- %s\n", name, c.s,
				       info->why ? info->why : "escape set");
			vxe_trace_warnf(warn,
					"vxe: trace: %s was used (%s); it is in the escape set and "
					"written commented out: %s",
					name, c.s ? c.s : "", info->why ? info->why : "");
		} else if (type == VXE_TYPE_FILESYSTEM) {
			/* Permitted anyway in a filesystem VXED. */
		} else if (strcmp(name, "socket") == 0 && t->nsocks) {
			int doms[32];
			unsigned nd = 0;
			bool named = true;
			for (unsigned i = 0; i < t->nsocks; i++) {
				bool dup = false;
				for (unsigned k = 0; k < nd; k++)
					dup |= doms[k] == t->socks[i].domain;
				if (!dup)
					doms[nd++] = t->socks[i].domain;
				named &= af_name(t->socks[i].domain) != NULL;
			}
			if (nd)
				qsort(doms, nd, sizeof doms[0], int_cmp);
			struct vxe_buf body = {0}, pc = {0};
			vxe_buf_puts(&body, "(member domain (list");
			for (unsigned k = 0; k < nd; k++) {
				const char *an = af_name(doms[k]);
				if (named && an)
					vxe_buf_printf(&body, " %s", an);
				else
					vxe_buf_printf(&body, " %d", doms[k]);
			}
			vxe_buf_puts(&body, "))");
			vxe_buf_printf(&pc, "Sockets of the families seen (%s).", c.s);
			ok = ok && !body.oom && !pc.oom &&
			     vxe_doc_add_pred(d, "socket", "(domain type protocol)", body.s, pc.s);
			free(body.s);
			free(pc.s);
			added++;
		} else {
			ok = ok && vxe_doc_add_name(d, (cl & VXE_SC_HARMLESS) != 0, name,
						    (cl & VXE_SC_HARMLESS) ? NULL : c.s);
			added++;
		}
		free(c.s);
		free(lsname);
		if (!ok)
			return -1;
	}
	/* Calls the C library makes on its own, at times a trace may miss:
	 * malloc_trim's madvise every so often, sysinfo behind sysconf,
	 * realloc's mremap, a lock's futex, a timed wait, the signal mask
	 * and sigsuspend of a shell's `wait` for a job still running (a fast
	 * traced run may find every job done). Harmless, and
	 * granted whether seen or not, so that production does not stop a
	 * daemon the first time a timer fires. */
	static const char *const libc_own[] = {
	    "brk",	    "mmap",	      "munmap",		 "mremap",
	    "mprotect",	    "madvise",	      "futex",		 "sysinfo",
	    "sched_yield",  "nanosleep",      "clock_nanosleep", "clock_gettime",
	    "gettimeofday", "getpid",	      "gettid",		 "restart_syscall",
	    "rt_sigreturn", "rt_sigprocmask", "rt_sigsuspend",	 NULL};
	for (unsigned i = 0; type == VXE_TYPE_STRICT && libc_own[i]; i++) {
		const struct vxe_syscall_info *info = vxe_syscall_by_name(libc_own[i]);
		int nr = vxe_syscall_nr(libc_own[i]);
		if (!info || !(info->classes & VXE_SC_HARMLESS) || nr < 0 || nr >= 512 ||
		    t->sys_count[nr] || (old && old->rule_of[nr] >= 0))
			continue;
		if (!vxe_doc_add_name(d, true, info->name, NULL))
			return -1;
		added++;
	}
	return added;
}

static int emit_paths(struct vxe_trace *t, const struct vxe_policy *old, struct vxe_doc *d,
		      struct vxe_buf *tail, FILE *warn)
{
	size_t n = t->npaths;
	struct vxe_gen_in *in = calloc(n * 2 + 1, sizeof *in);
	char(*interp)[PATH_MAX] = calloc(n + 1, PATH_MAX);
	char(*why)[PATH_MAX + 32] = calloc(n + 1, PATH_MAX + 32);
	const char *names[VXE_TR_MAX_PROGS];
	if (!in || !interp || !why) {
		free(in);
		free(interp);
		free(why);
		return -1;
	}
	for (unsigned i = 0; i < t->nprogs; i++)
		names[i] = base_name(t->progs[i]);
	size_t m = 0, ni = 0;
	for (size_t i = 0; i < n; i++) {
		const struct vxe_tr_path *p = &t->paths[i];
		in[m++] = (struct vxe_gen_in){.path = p->path,
					      .access = p->access,
					      .count = p->count,
					      .progs = p->progs,
					      .proc_other = p->proc_other};
		/* The kernel executes the ELF interpreter (or the #! one)
		 * too, and Landlock checks that: add it, and its own. */
		if (!(p->access & VXE_FS_EXECUTE))
			continue;
		char cur[PATH_MAX];
		snprintf(cur, sizeof cur, "%s", p->path);
		for (int depth = 0; depth < 4 && ni < n; depth++) {
			if (!interpreter_of(cur, interp[ni], PATH_MAX))
				break;
			snprintf(why[ni], sizeof why[ni], "interpreter of %s", cur);
			in[m++] = (struct vxe_gen_in){.path = interp[ni],
						      .access = VXE_FS_EXECUTE,
						      .count = 0,
						      .progs = p->progs,
						      .why = why[ni]};
			snprintf(cur, sizeof cur, "%s", interp[ni]);
			ni++;
		}
	}
	struct vxe_gen_opts go = {
	    .level = (int)t->o.level,
	    .max_files = t->o.max_files,
	    .prog_names = names,
	    .nprogs = t->nprogs,
	    .old = old,
	    .root = t->root,
	    .tail = tail,
	};
	size_t before = d->npaths;
	bool ok = vxe_generalize(in, m, &go, d, warn);
	free(in);
	free(interp);
	free(why);
	return ok ? (int)(d->npaths - before) : -1;
}

static int emit_network(struct vxe_trace *t, const struct vxe_policy *old, struct vxe_doc *d)
{
	int added = 0;
	bool seen[3] = {false, false, false};
	for (unsigned i = 0; i < t->nnet; i++) {
		const struct vxe_tr_net *n = &t->net[i];
		seen[n->op] = true;
		if (old &&
		    (!old->has_network || vxe_policy_net_allowed(old, n->op, n->proto, n->port)))
			continue;
		struct vxe_buf c = {0};
		prog_list(&c, t, n->progs);
		vxe_buf_printf(&c, "%s%llu, e.g. %s", n->progs ? ": " : "",
			       (unsigned long long)n->count, n->example);
		bool ok = !c.oom && vxe_doc_add_net(d, n->op, n->proto, (int)n->port, c.s);
		free(c.s);
		if (!ok)
			return -1;
		added++;
	}
	if (!old) {
		if (!seen[VXE_NET_BIND] && !vxe_doc_add_net(d, VXE_NET_BIND, 0, -1, NULL))
			return -1;
		if (!seen[VXE_NET_CONNECT] && !vxe_doc_add_net(d, VXE_NET_CONNECT, 0, -1, NULL))
			return -1;
	}
	return added;
}

static void header(struct vxe_trace *t, struct vxe_buf *h, const char *what)
{
	vxe_buf_puts(h, what);
	if (t->command) {
		vxe_buf_puts(h, ": ");
		vxe_buf_comment_text(h, t->command, 200);
	}
	vxe_buf_printf(h, "\n%llu system calls by %u program%s", (unsigned long long)t->calls,
		       t->nprogs, t->nprogs == 1 ? "" : "s");
	if (t->nprogs) {
		vxe_buf_puts(h, " (");
		prog_list(h, t, ~0ull);
		vxe_buf_puts(h, ")");
	}
	vxe_buf_puts(h, ".\n");
	if (t->counted)
		vxe_buf_printf(h,
			       "%llu of them (the harmless ones) counted by the kernel, without "
			       "stopping the program.\n",
			       (unsigned long long)t->counted);
	if (t->counted_lost)
		vxe_buf_printf(h,
			       "The kernel counter dropped %llu calls (its buffer was full): a "
			       "harmless call may be missing; if soft mode logs one, add it.\n",
			       (unsigned long long)t->counted_lost);
	if (t->foreign)
		vxe_buf_printf(h, "%llu 32-bit (i386/x32) calls were seen: no VXED permits them.\n",
			       (unsigned long long)t->foreign);
	if (t->folded)
		vxe_buf_printf(h,
			       "More than %zu distinct paths: %llu accesses were recorded as their "
			       "directory.\n",
			       t->o.max_paths, (unsigned long long)t->folded);
	if (t->dropped)
		vxe_buf_printf(h, "%llu path accesses did not fit and are not covered.\n",
			       (unsigned long long)t->dropped);
	if (t->unresolved)
		vxe_buf_printf(h, "%llu paths could not be made absolute and are not covered.\n",
			       (unsigned long long)t->unresolved);
	if (t->net_dropped)
		vxe_buf_printf(h, "%llu addresses did not fit and are not covered.\n",
			       (unsigned long long)t->net_dropped);
}

char *vxe_trace_vxed(struct vxe_trace *t, const struct vxe_policy *old, const char *old_text,
		     size_t *added, FILE *warn)
{
	struct vxe_doc d = {0};
	struct vxe_buf h = {0}, tail = {0}, out = {0};
	int ns = 0, np = 0, nn = 0;
	bool ok = true;
	if (t->progress_shown) {
		fputc('\n', stderr);
		t->progress_shown = false;
	}
	d.type = old ? old->type : t->o.type;
	d.mode = VXE_MODE_SOFT;
	d.no_header = old != NULL;
	if (!old) {
		const char *nm = t->name ? t->name : t->program ? base_name(t->program) : "traced";
		struct vxe_buf name = {0};
		/* A VXED name holds letters, digits, '-', '_', '.'. */
		for (const char *c = nm; *c; c++) {
			char ch = *c;
			if (!((ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') ||
			      (ch >= '0' && ch <= '9') || ch == '-' || ch == '_' || ch == '.'))
				ch = '_';
			vxe_buf_add(&name, &ch, 1);
		}
		d.name = name.s ? name.s : strdup("traced");
		if (t->program) {
			char real[PATH_MAX];
			d.activate = calloc(1, sizeof *d.activate);
			if (d.activate && (d.activate[0] = strdup(
					       realpath(t->program, real) ? real : t->program)))
				d.nactivate = 1;
		}
		/* A program that re-executes itself setuid (exim) needs
		 * no_new_privs off to work at all; say so in the VXED. */
		for (unsigned i = 0; i < t->nprogs; i++) {
			struct stat st;
			if (t->progs[i] && stat(t->progs[i], &st) == 0 &&
			    (st.st_mode & (S_ISUID | S_ISGID)))
				d.setuid = true;
		}
		header(t, &h, "Written by `vxe trace` from");
		vxe_buf_puts(&h,
			     "Start in soft mode: run it, read the log (vxe log), accept what is "
			     "right\n(vxe upgrade), then set :mode production.");
		d.header = h.s;
		h.s = NULL;
		if (d.type == VXE_TYPE_STRICT) {
			d.unchecked_comment = strdup(
			    "Harmless: memory, time, signals, the process's own identity, and I/O "
			    "on\ndescriptors it already holds; with the memory and time calls the "
			    "C "
			    "library\nmakes on its own, seen in this run or not.");
			d.permit_comment = strdup("Permitted without a check of their arguments; "
						  "paths and ports are held\nby the files and "
						  "network rules below.");
		}
		d.files_comment =
		    strdup("Paths as the program used them, generalised (doc/trace.md); "
			   "each comment\nsays what the rule was seen for.");
		d.has_files = d.has_network = true;
	} else {
		d.has_files = old->has_files;
		d.has_network = old->has_network;
	}
	if ((ns = emit_syscalls(t, old, old_text, &d, &tail, warn)) < 0)
		ok = false;
	if (ok && d.has_files && (np = emit_paths(t, old, &d, &tail, warn)) < 0)
		ok = false;
	if (ok && d.has_network && (nn = emit_network(t, old, &d)) < 0)
		ok = false;
	if (ok && tail.len) {
		/* One line each; a merge leaves out the lines an earlier run
		 * already wrote (the escape-set ones are left out above). */
		struct vxe_buf tl = {0};
		for (const char *s = tail.s; *s;) {
			const char *e = strchr(s, '\n');
			size_t len = e ? (size_t)(e - s) : strlen(s);
			if (!old || !old_has_line(old_text, s, len)) {
				vxe_buf_puts(&tl, tl.len ? "\n" : "Not granted: decide by hand.\n");
				vxe_buf_add(&tl, s, len);
			}
			s += len + (e ? 1 : 0);
		}
		ok = !tl.oom;
		d.tail = tl.s;
	}
	if (old) {
		d.has_files = d.has_files && np > 0;
		d.has_network = d.has_network && nn > 0;
	}
	size_t n = (size_t)ns + (size_t)np + (size_t)nn;
	if (added)
		*added = n;
	if (ok && old) {
		vxe_buf_puts(&out, old_text);
		if (n || d.tail) {
			if (out.len && out.s[out.len - 1] != '\n')
				vxe_buf_puts(&out, "\n");
			vxe_buf_puts(&out, "\n");
			header(t, &h, ";;; ---- added by `vxe trace --merge`, from");
			/* header() writes plain lines: make them comments. */
			for (char *s = h.s, *e; s && *s; s = e + 1) {
				e = strchr(s, '\n');
				if (!e)
					e = s + strlen(s) - 1;
				if (strncmp(s, ";;;", 3) != 0)
					vxe_buf_puts(&out, ";;; ");
				vxe_buf_add(&out, s, (size_t)(e - s) + (*e == '\n' ? 0 : 1));
				vxe_buf_puts(&out, "\n");
				if (!*e)
					break;
			}
			vxe_buf_puts(
			    &out, ";;; what this run needed that the rules above do not grant\n");
			vxe_doc_print(&d, &out);
		}
	} else if (ok) {
		vxe_doc_print(&d, &out);
	}
	vxe_doc_free(&d);
	free(h.s);
	free(tail.s);
	if (!ok || out.oom || !out.s) {
		free(out.s);
		errno = ENOMEM;
		return NULL;
	}
	return out.s;
}
