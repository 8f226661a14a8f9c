/* The generaliser: from the paths a traced program touched to the files
 * rules an administrator would write.
 *
 * Two kinds of step. Some are needed for the rules to work at all and are
 * taken at every level: a per-process /proc entry becomes /proc/self (or
 * /proc: see below), a name that was created or removed becomes write on
 * its directory (Landlock checks creation on the directory), an executed
 * program's ELF interpreter is added by the caller. The others trade
 * precision for rules that survive the next run and stay readable, and
 * depend on the level: temporary files become their temporary directory,
 * versioned shared libraries their directory, and more than max_files
 * entries of one directory with the same access the directory.
 *
 * Whatever the level, nothing is widened into a directory that would grant
 * far more than was seen (/, /etc, /home, /var, ... for write; /, /etc,
 * /home, /root, /dev, /proc, /sys ... for read): those paths stay precise,
 * and the comment says why.
 */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "policy/policy_internal.h"
#include "trace/trace_internal.h"
#include "vxe/landlock.h"
#include "vxe/trace.h"

int vxe_gen_path_cmp(const char *a, const char *b)
{
	const unsigned char *x = (const unsigned char *)a, *y = (const unsigned char *)b;
	while (*x && *x == *y)
		x++, y++;
	unsigned cx = *x == '/' ? 1 : *x, cy = *y == '/' ? 1 : *y;
	return cx < cy ? -1 : cx > cy ? 1 : 0;
}

static unsigned depth(const char *p)
{
	unsigned n = 0;
	for (; *p; p++)
		n += *p == '/';
	return strcmp(p - 1, "/") == 0 ? 0 : n;
}

bool vxe_gen_too_wide(const char *dir, unsigned bit)
{
	static const char *const read_wide[] = {"/etc",	  "/home", "/root", "/dev", "/proc",
						"/sys",	  "/boot", "/var",  "/run", "/mnt",
						"/media", "/srv",  "/opt",  "/tmp", NULL};
	static const char *const write_wide[] = {
	    "/var/lib",	  "/var/log",	 "/var/cache",	   "/var/spool",   "/var/mail", "/etc/ssl",
	    "/etc/pam.d", "/etc/cron.d", "/etc/sudoers.d", "/etc/systemd", NULL};
	if (strcmp(dir, "/") == 0)
		return true;
	if (bit == VXE_FS_READ) {
		for (unsigned i = 0; read_wide[i]; i++)
			if (strcmp(dir, read_wide[i]) == 0)
				return true;
		return false;
	}
	/* Write and execute: no top-level directory except the temporary
	 * one, no system directory under /usr, no shared state under /var. */
	if (depth(dir) == 1)
		return !(bit == VXE_FS_WRITE && strcmp(dir, "/tmp") == 0);
	if (strncmp(dir, "/usr/", 5) == 0 && depth(dir) == 2)
		return bit == VXE_FS_WRITE || strcmp(dir, "/usr/share") == 0;
	if (strncmp(dir, "/home/", 6) == 0 && depth(dir) == 2 && bit == VXE_FS_EXECUTE)
		return true;
	for (unsigned i = 0; write_wide[i]; i++)
		if (strcmp(dir, write_wide[i]) == 0)
			return true;
	return false;
}

/* Shared state under /var: too wide to fold many files into, but a
 * program that creates files directly in one (a mail spool's lock files)
 * needs write on it, and gets it with a comment to review. /etc, /usr and
 * top-level directories never. */
static bool shared_state(const char *dir)
{
	static const char *const dirs[] = {"/var/mail", "/var/spool", "/var/lib",
					   "/var/log",	"/var/cache", NULL};
	for (unsigned i = 0; dirs[i]; i++)
		if (strcmp(dir, dirs[i]) == 0)
			return true;
	return false;
}

bool vxe_gen_is_versioned_lib(const char *base)
{
	/* libfoo.so, libfoo.so.1, libfoo.so.1.2.3, libfoo-2.36.so */
	const char *so = strstr(base, ".so");
	if (!so || so == base)
		return false;
	const char *after = so + 3;
	if (*after == 0)
		return true;
	if (*after != '.')
		return false;
	for (after++; *after; after++)
		if (!(*after == '.' || (*after >= '0' && *after <= '9')))
			return false;
	return true;
}

bool vxe_gen_is_temp(const char *path, char *tempdir, size_t size)
{
	static const char *const temps[] = {"/tmp", "/var/tmp", "/dev/shm", NULL};
	for (unsigned i = 0; temps[i]; i++) {
		size_t n = strlen(temps[i]);
		if (strncmp(path, temps[i], n) == 0 && path[n] == '/' && path[n + 1]) {
			snprintf(tempdir, size, "%s", temps[i]);
			return true;
		}
	}
	return false;
}

/* One candidate rule while generalising. */
struct cand {
	char *path; /* owned */
	unsigned bit;
	uint64_t count;
	uint64_t progs;
	size_t members;	 /* recorded paths it stands for */
	char *example;	 /* owned: one of them, as the program named it */
	const char *why; /* static: how it was generalised, or NULL */
	bool kept;	 /* kept precise on purpose (too wide) */
};

struct cands {
	struct cand *v;
	size_t n, cap;
	bool oom;
};

static void cand_add(struct cands *c, const char *path, unsigned bit, const struct vxe_gen_in *in,
		     const char *example, const char *why)
{
	if (c->oom)
		return;
	if (c->n == c->cap) {
		size_t cap = c->cap ? c->cap * 2 : 256;
		struct cand *v = realloc(c->v, cap * sizeof *v);
		if (!v) {
			c->oom = true;
			return;
		}
		c->v = v;
		c->cap = cap;
	}
	struct cand *x = &c->v[c->n];
	x->path = strdup(path);
	x->example = strdup(example);
	if (!x->path || !x->example) {
		free(x->path);
		free(x->example);
		c->oom = true;
		return;
	}
	x->bit = bit;
	x->count = in->count;
	x->progs = in->progs;
	x->members = 1;
	x->why = why;
	x->kept = false;
	c->n++;
}

static int cand_cmp(const void *a, const void *b)
{
	const struct cand *x = a, *y = b;
	if (x->bit != y->bit)
		return x->bit < y->bit ? -1 : 1;
	return vxe_gen_path_cmp(x->path, y->path);
}

static bool is_ancestor(const char *dir, const char *path)
{
	return vxe_path_under(path, dir) && strcmp(dir, path) != 0;
}

static void absorb(struct cand *into, struct cand *from)
{
	into->count += from->count;
	into->progs |= from->progs;
	into->members += from->members;
	into->kept |= from->kept && strcmp(into->path, from->path) == 0;
	if (!into->why && from->why && strcmp(into->path, from->path) == 0)
		into->why = from->why;
	free(from->path);
	free(from->example);
	from->path = from->example = NULL;
}

/* Sorts, merges duplicates and drops what an ancestor with the same access
 * already grants. Because '/' sorts first, a path's descendants follow it
 * contiguously: comparing with the last kept entry is enough. */
static void compact(struct cands *c)
{
	if (c->n)
		qsort(c->v, c->n, sizeof *c->v, cand_cmp);
	size_t o = 0;
	for (size_t i = 0; i < c->n; i++) {
		struct cand *last = o ? &c->v[o - 1] : NULL;
		if (last && last->bit == c->v[i].bit &&
		    (strcmp(last->path, c->v[i].path) == 0 ||
		     is_ancestor(last->path, c->v[i].path))) {
			absorb(last, &c->v[i]);
			continue;
		}
		c->v[o++] = c->v[i];
	}
	c->n = o;
}

static void parent_of(const char *path, char *out, size_t size)
{
	snprintf(out, size, "%s", path);
	char *slash = strrchr(out, '/');
	if (slash == out)
		out[1] = 0;
	else if (slash)
		*slash = 0;
}

/* More than max entries of one directory with one access: the directory.
 * Deepest first, repeated, so that a tree of many small directories folds
 * up as far as it should and no further. */
static bool fold_directories(struct cands *c, unsigned max)
{
	bool any = false;
	for (int round = 0; round < 64 && !c->oom; round++) {
		bool changed = false;
		compact(c);
		/* Entries of one directory are adjacent after sorting by
		 * (bit, parent): sort a permutation by that key. */
		size_t *ix = malloc((c->n ? c->n : 1) * sizeof *ix);
		char(*par)[PATH_MAX] = malloc((c->n ? c->n : 1) * sizeof *par);
		if (!ix || !par) {
			free(ix);
			free(par);
			c->oom = true;
			return any;
		}
		for (size_t i = 0; i < c->n; i++) {
			ix[i] = i;
			parent_of(c->v[i].path, par[i], PATH_MAX);
		}
		for (size_t i = 1; i < c->n; i++) { /* insertion by (bit, parent) is stable */
			size_t k = i;
			while (k > 0) {
				size_t a = ix[k - 1], b = ix[k];
				int r = c->v[a].bit != c->v[b].bit
					    ? (c->v[a].bit < c->v[b].bit ? -1 : 1)
					    : strcmp(par[a], par[b]);
				if (r <= 0)
					break;
				ix[k - 1] = b;
				ix[k] = a;
				k--;
			}
		}
		size_t nold = c->n;
		for (size_t i = 0; i < nold;) {
			size_t j = i;
			while (j < nold && c->v[ix[j]].bit == c->v[ix[i]].bit &&
			       strcmp(par[ix[j]], par[ix[i]]) == 0)
				j++;
			const char *dir = par[ix[i]];
			struct cand *first = &c->v[ix[i]];
			if (j - i > max && !vxe_gen_too_wide(dir, first->bit) && !c->oom) {
				struct vxe_gen_in in = {.count = 0, .progs = 0};
				cand_add(c, dir, first->bit, &in, first->example,
					 "many files in one directory");
				if (!c->oom) {
					struct cand *d = &c->v[c->n - 1];
					d->members = 0;
					for (size_t k = i; k < j; k++) {
						struct cand *m = &c->v[ix[k]];
						d->count += m->count;
						d->progs |= m->progs;
						d->members += m->members;
						free(m->path);
						free(m->example);
						m->path = m->example = NULL;
					}
				}
				changed = any = true;
			}
			i = j;
		}
		free(ix);
		free(par);
		size_t o = 0;
		for (size_t i = 0; i < c->n; i++)
			if (c->v[i].path)
				c->v[o++] = c->v[i];
		c->n = o;
		if (!changed)
			break;
	}
	return any;
}

/* What Landlock and the supervisor will see: the real path (symlinks such
 * as /lib -> usr/lib resolved), or, for a name that does not exist (any
 * more), its directory's real path and the name. /proc and /dev/fd names
 * are kept as written: resolving them here would resolve VXE's own. */
static void real_path(const char *path, char *out, size_t size)
{
	char real[PATH_MAX], dir[PATH_MAX];
	if (strncmp(path, "/proc/", 6) == 0 || strcmp(path, "/proc") == 0 ||
	    strncmp(path, "/dev/fd", 7) == 0 || strncmp(path, "/dev/std", 8) == 0) {
		snprintf(out, size, "%s", path);
		return;
	}
	if (realpath(path, real)) {
		snprintf(out, size, "%s", real);
		return;
	}
	parent_of(path, dir, sizeof dir);
	const char *base = strrchr(path, '/') + 1;
	if (strcmp(dir, path) != 0 && realpath(dir, real) &&
	    (size_t)snprintf(out, size, "%s/%s", strcmp(real, "/") ? real : "", base) < size)
		return;
	snprintf(out, size, "%s", path);
}

/* /proc/self/..., /proc/thread-self/... of the first process: that entry.
 * Landlock anchors /proc/self when the rule is made, in the first process,
 * so it cannot follow forked children to their own /proc/PID: their
 * per-process entries need /proc itself. Returns the rule path or NULL if
 * not a per-process entry. */
static const char *proc_rule(const char *path, bool other)
{
	if (strncmp(path, "/proc/", 6) != 0)
		return NULL;
	const char *c = path + 6;
	size_t n = strcspn(c, "/");
	bool digits = n > 0 && strspn(c, "0123456789") == n;
	bool self = n == 4 && strncmp(c, "self", 4) == 0;
	bool tself = n == 11 && strncmp(c, "thread-self", 11) == 0;
	if (!digits && !self && !tself)
		return NULL;
	if (other || digits)
		return "/proc";
	return self ? "/proc/self" : "/proc/thread-self";
}

static void comment_for(struct vxe_buf *b, const struct cand *x, const struct vxe_gen_opts *o)
{
	unsigned shown = 0, total = 0;
	for (unsigned i = 0; i < 64; i++) {
		if (!(x->progs & (1ull << i)))
			continue;
		total++;
		if (shown < 3 && i < o->nprogs) {
			vxe_buf_printf(b, "%s%s", shown ? ", " : "", o->prog_names[i]);
			shown++;
		}
	}
	if (total > shown)
		vxe_buf_printf(b, " +%u", total - shown);
	if (x->count)
		vxe_buf_printf(b, "%s%llu %s", shown ? ": " : "", (unsigned long long)x->count,
			       x->count == 1 ? "access" : "accesses");
	if (x->members > 1)
		vxe_buf_printf(b, " to %zu paths", x->members);
	if (x->example && strcmp(x->example, x->path) != 0) {
		vxe_buf_puts(b, x->members > 1 ? ", e.g. " : " as ");
		vxe_buf_comment_text(b, x->example, 120);
	}
	if (x->why)
		vxe_buf_printf(b, " (%s)", x->why);
}

/* Does the old VXED already grant this access (as the supervisor checks:
 * the name, then its real path)? */
static bool old_grants(const struct vxe_policy *old, const char *lexical, const char *real,
		       unsigned bit)
{
	if (!old)
		return false;
	if (!old->has_files)
		return true;
	return vxe_policy_path_allowed(old, lexical, bit) ||
	       vxe_policy_path_allowed(old, real, bit);
}

bool vxe_generalize(const struct vxe_gen_in *in, size_t n, const struct vxe_gen_opts *o,
		    struct vxe_doc *d, FILE *warn)
{
	struct cands c = {0};
	bool folding = o->level != VXE_GEN_NONE;
	for (size_t i = 0; i < n && !c.oom; i++) {
		const struct vxe_gen_in *r = &in[i];
		char real[PATH_MAX], dir[PATH_MAX], tmp[PATH_MAX];
		real_path(r->path, real, sizeof real);
		const char *proc = proc_rule(real, r->proc_other);
		for (unsigned bit = VXE_FS_READ; bit <= VXE_TR_CREATE; bit <<= 1) {
			if (!(r->access & bit))
				continue;
			if (bit == VXE_TR_CREATE) {
				/* Making or removing a name is a right on the
				 * directory that holds it. */
				parent_of(real, dir, sizeof dir);
				char ldir[PATH_MAX];
				parent_of(r->path, ldir, sizeof ldir);
				if (old_grants(o->old, ldir, dir, VXE_FS_WRITE))
					continue;
				if (folding && vxe_gen_is_temp(real, tmp, sizeof tmp)) {
					cand_add(&c, tmp, VXE_FS_WRITE, r, r->path,
						 "temporary files");
				} else if (vxe_gen_too_wide(dir, VXE_FS_WRITE) &&
					   shared_state(dir)) {
					/* A spool, mail or state directory the
					 * program makes files in (lock files,
					 * queue entries): its normal work, and
					 * no narrower rule lets it create. */
					cand_add(&c, dir, VXE_FS_WRITE, r, r->path,
						 "files created or removed here; this grants "
						 "write on everything in it: review");
					if (warn)
						fprintf(
						    warn,
						    "vxe: trace: %s was created or removed; "
						    "write on all of %s is granted: review it\n",
						    real, dir);
				} else if (vxe_gen_too_wide(dir, VXE_FS_WRITE)) {
					cand_add(&c, real, VXE_FS_WRITE, r, r->path,
						 "created here; creating it needs write on its "
						 "directory, too wide to grant: review");
					if (!c.oom)
						c.v[c.n - 1].kept = true;
					if (warn)
						fprintf(warn,
							"vxe: trace: %s was created or removed; "
							"write on "
							"%s would be needed and is not granted\n",
							real, dir);
				} else {
					cand_add(&c, dir, VXE_FS_WRITE, r, r->path,
						 "files created or removed here");
				}
				continue;
			}
			if (old_grants(o->old, r->path, real, bit))
				continue;
			if (proc) {
				cand_add(&c, proc, bit, r, r->path,
					 strcmp(proc, "/proc") == 0
					     ? "per-process entries of several processes"
					     : "the process's own entries");
			} else if (folding && bit != VXE_FS_EXECUTE &&
				   (r->access & VXE_TR_CREATE) &&
				   vxe_gen_is_temp(real, tmp, sizeof tmp)) {
				/* Only files the program made itself: reading what
				 * others left in /tmp is not a temporary file of its
				 * own, and stays precise. */
				cand_add(&c, tmp, bit, r, r->path, "temporary files");
			} else if (folding && bit == VXE_FS_READ &&
				   vxe_gen_is_versioned_lib(strrchr(real, '/') + 1) &&
				   (parent_of(real, dir, sizeof dir),
				    !vxe_gen_too_wide(dir, bit))) {
				cand_add(&c, dir, bit, r, r->path, "shared libraries");
			} else {
				cand_add(&c, real, bit, r, r->path, r->why);
			}
		}
	}
	compact(&c);
	if (folding && o->max_files)
		fold_directories(&c, o->max_files);
	compact(&c);

	/* Executing a file lets it be read too (SPEC: the loader reads what
	 * it maps); a read rule on the same file says nothing more. */
	for (size_t i = 0; i < c.n; i++) {
		if (c.v[i].bit != VXE_FS_READ)
			continue;
		struct stat st;
		for (size_t k = 0; k < c.n; k++)
			if (c.v[k].bit == VXE_FS_EXECUTE && strcmp(c.v[k].path, c.v[i].path) == 0 &&
			    stat(c.v[i].path, &st) == 0 && !S_ISDIR(st.st_mode)) {
				c.v[i].members = 0; /* marker: drop */
				break;
			}
	}
	bool ok = !c.oom;
	for (size_t i = 0; i < c.n; i++) {
		if (ok && c.v[i].members > 0) {
			struct vxe_buf b = {0};
			comment_for(&b, &c.v[i], o);
			ok = !b.oom && vxe_doc_add_path(d, c.v[i].bit, c.v[i].path, b.s);
			free(b.s);
			if (ok && c.v[i].bit == VXE_FS_READ && warn &&
			    strcmp(c.v[i].path, "/") == 0)
				fprintf(warn, "vxe: trace: the root directory was read: the rule "
					      "grants reading every file; review it\n");
		}
		free(c.v[i].path);
		free(c.v[i].example);
	}
	free(c.v);
	return ok;
}
