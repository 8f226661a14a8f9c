/* The generaliser: from the paths a traced program touched to the files
 * rules an administrator would write.
 *
 * Two kinds of step. Some are needed for the rules to work at all and are
 * taken at every level: a per-process /proc entry read becomes /proc/self
 * (or /proc: see gen_proc), a name that was created or removed becomes
 * write on its directory (Landlock checks creation on the directory), an
 * executed program's ELF interpreter is added by the caller. The others
 * trade precision for rules that survive the next run and stay readable,
 * and depend on the level: temporary files become their temporary
 * directory, versioned shared libraries their directory, and more than
 * max_files entries of one directory with the same access the directory.
 *
 * Whatever the level, nothing is widened into a directory that would grant
 * far more than was seen (vxe_gen_too_wide: /, /etc, /home, /root, /dev,
 * /proc, /sys ... for read; the sensitive trees, every top-level directory
 * and the shared state under /var for write and execute): those paths stay
 * precise, and the comment and a warning say why. What no rule can grant
 * safely (a write to another process's /proc entry, a sensitive directory
 * the program named itself) is not granted: it goes to the VXED's "Not
 * granted" lines and to stderr. Every text the program chose is escaped
 * (vxe_buf_comment_text, vxe_trace_warnf).
 */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "policy/policy_internal.h"
#include "trace/trace_internal.h"
#include "vxe/landlock.h"
#include "vxe/trace.h"
#include "vxe/upgrade.h"

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

/* Trees where a directory rule for write or execute would let a program
 * plant code that root runs (units, cron jobs, profile scripts, binaries,
 * libraries, package scripts, authorized keys) or reach the kernel and
 * other processes. A directory rule grants everything under it, so none of
 * these directories is ever granted for write or execute, whatever the
 * program did: the files stay precise rules. */
static const struct {
	const char *dir; /* '*' at the end of a name: any name starting so */
	bool below;	 /* and every directory under it */
} sensitive[] = {
    {"/etc", true},
    {"/usr", true},
    {"/boot", true},
    {"/root", true},
    {"/bin", true},
    {"/sbin", true},
    {"/lib*", true},
    {"/var/spool/cron", true},
    {"/var/lib/dpkg", true},
    {"/var/lib/apt", true},
    {"/home/*", false},
    {"/proc", true},
    {"/sys", true},
    {"/dev", true},
    /* Transient units and systemd's private socket; users' managers and
     * session buses; lingering users and timers; sudo's timestamps;
     * polkit's authorisations; at jobs; the web root (code the web server
     * runs, defacement). */
    {"/run/systemd", true},
    {"/run/user", true},
    {"/var/lib/systemd", true},
    {"/var/lib/sudo", true},
    {"/var/lib/polkit-1", true},
    {"/var/spool/at", true},
    {"/var/www", true},
};

/* Whether dir is pat (or under it, if below), component by component. */
static bool tree_match(const char *dir, const char *pat, bool below)
{
	const char *d = dir, *p = pat;
	while (*p == '/') {
		if (*d != '/')
			return false;
		d++, p++;
		size_t pn = strcspn(p, "/"), dn = strcspn(d, "/");
		if (dn == 0 || pn == 0)
			return false;
		bool star = p[pn - 1] == '*';
		if (star ? dn < pn - 1 || strncmp(d, p, pn - 1) != 0
			 : dn != pn || strncmp(d, p, pn) != 0)
			return false;
		d += dn, p += pn;
	}
	return *d == 0 || (below && *d == '/');
}

/* Any .ssh directory, anywhere: keys and authorized_keys. */
static bool in_ssh(const char *dir)
{
	for (const char *c = strstr(dir, "/.ssh"); c; c = strstr(c + 1, "/.ssh"))
		if (c[5] == 0 || c[5] == '/')
			return true;
	return false;
}

/* Whether a rule on directory dir for access bit would open a sensitive
 * tree: never the result of a widening (a created name's directory, many
 * files folded into one) nor of a directory the program named itself. */
static bool sensitive_tree(const char *dir, unsigned bit)
{
	if (in_ssh(dir))
		return true; /* for reading too: private keys */
	if (bit == VXE_FS_READ)
		return false;
	if (vxe_path_under(dir, "/dev/shm"))
		return false; /* a temporary directory, like /tmp */
	for (size_t i = 0; i < sizeof sensitive / sizeof sensitive[0]; i++)
		if (tree_match(dir, sensitive[i].dir, sensitive[i].below))
			return true;
	return false;
}

/* Shared state under /var: too wide to fold many files into. A program
 * that creates files directly in a mail, log or cache directory (a mail
 * spool's lock files) needs write on it, and gets it with a comment to
 * review. Not /var/spool or /var/lib: they hold the crontabs, at jobs and
 * dpkg's maintainer scripts, which run as root, so write on them reaches
 * root (doc/upgrade.md's risk table says the same); a file made there
 * stays a precise rule, refused in production until decided. Exactly these
 * directories, never their subtrees, /etc, /usr or a top-level one. */
static const struct {
	const char *dir;
	bool grant_on_create;
} shared[] = {
    {"/var/mail", true},   {"/var/log", true},	{"/var/cache", true},
    {"/var/spool", false}, {"/var/lib", false},
};

static bool shared_state(const char *dir, bool creating)
{
	for (size_t i = 0; i < sizeof shared / sizeof shared[0]; i++)
		if (strcmp(dir, shared[i].dir) == 0)
			return !creating || shared[i].grant_on_create;
	return false;
}

bool vxe_gen_too_wide(const char *dir, unsigned bit)
{
	static const char *const read_wide[] = {"/etc",	  "/home", "/root", "/dev", "/proc",
						"/sys",	  "/boot", "/var",  "/run", "/mnt",
						"/media", "/srv",  "/opt",  "/tmp", NULL};
	if (strcmp(dir, "/") == 0 || sensitive_tree(dir, bit))
		return true;
	if (bit == VXE_FS_READ) {
		for (unsigned i = 0; read_wide[i]; i++)
			if (strcmp(dir, read_wide[i]) == 0)
				return true;
		return false;
	}
	/* Write and execute: no top-level directory except the temporary
	 * one, no shared state under /var. */
	if (depth(dir) == 1)
		return !(bit == VXE_FS_WRITE && strcmp(dir, "/tmp") == 0);
	return shared_state(dir, false);
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
	char *note;	 /* owned, or NULL: reached through a symlink (see via_link) */
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
	x->note = NULL;
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
	if (!into->note) {
		into->note = from->note;
		from->note = NULL;
	}
	free(from->path);
	free(from->example);
	free(from->note);
	from->path = from->example = from->note = NULL;
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
						if (!d->note) {
							d->note = m->note;
							m->note = NULL;
						}
						free(m->path);
						free(m->example);
						free(m->note);
						m->path = m->example = m->note = NULL;
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
 * are kept as written (resolving them here would resolve VXE's own), only
 * made lexically normal: /proc/self/../1 is /proc/1. */
static void real_path(const char *path, char *out, size_t size)
{
	char real[PATH_MAX], dir[PATH_MAX];
	if (strncmp(path, "/proc/", 6) == 0 || strcmp(path, "/proc") == 0) {
		if (!vxe_path_normalize(path, out, size))
			snprintf(out, size, "%s", path);
		return;
	}
	if (strncmp(path, "/dev/fd", 7) == 0 || strncmp(path, "/dev/std", 8) == 0) {
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

/* Whether a symlink in directory dir is the system's (/lib64, /var/run,
 * /bin/sh, /etc/alternatives/...): a directory trace never grants write on
 * as a whole, so a name made there is a precise rule, refused or warned
 * about. A symlink anywhere else may be the program's own. */
static bool system_link_dir(const char *dir)
{
	return vxe_gen_too_wide(dir, VXE_FS_WRITE) && !shared_state(dir, false);
}

/* Follows path as the kernel does, symlink by symlink; true if one of
 * them lies outside the system's directories (the program may have made
 * it, or swapped a directory for it before it exited): that symlink's own
 * path in link. */
static bool via_link(const char *path, char *link, size_t size)
{
	char rest[PATH_MAX * 2], cur[PATH_MAX * 2] = "", next[PATH_MAX * 2], target[PATH_MAX];
	if (path[0] != '/' || (size_t)snprintf(rest, sizeof rest, "%s", path) >= sizeof rest)
		return false;
	for (unsigned links = 0;;) {
		char *c = rest;
		while (*c == '/')
			c++;
		if (!*c)
			return false;
		size_t n = strcspn(c, "/");
		char comp[NAME_MAX + 1];
		if (n > NAME_MAX)
			return false;
		memcpy(comp, c, n);
		comp[n] = 0;
		memmove(rest, c + n, strlen(c + n) + 1);
		if (strcmp(comp, ".") == 0)
			continue;
		if (strcmp(comp, "..") == 0) {
			char *slash = strrchr(cur, '/');
			if (slash)
				*slash = 0;
			continue;
		}
		if (strlen(cur) + n + 2 > PATH_MAX)
			return false;
		size_t cl = strlen(cur);
		next[0] = 0;
		memcpy(next, cur, cl);
		next[cl] = '/';
		memcpy(next + cl + 1, comp, n + 1);
		struct stat st;
		if (lstat(next, &st) < 0)
			return false; /* not there: nothing further is followed */
		if (!S_ISLNK(st.st_mode)) {
			snprintf(cur, sizeof cur, "%s", next);
			continue;
		}
		if (!system_link_dir(cur[0] ? cur : "/")) {
			snprintf(link, size, "%.*s", PATH_MAX - 1, next);
			return true;
		}
		ssize_t tl = readlink(next, target, sizeof target - 1);
		if (tl <= 0 || ++links > 40)
			return false;
		target[tl] = 0;
		char joined[PATH_MAX * 2];
		if ((size_t)snprintf(joined, sizeof joined, "%s/%s", target, rest) >= sizeof rest)
			return false;
		snprintf(rest, sizeof rest, "%s", joined);
		if (target[0] == '/')
			cur[0] = 0;
	}
}

/* Why a grant of bit on path is risky (vxe_grant_risk's table, the
 * sensitive trees), or NULL. Devices and the process's own /proc entries
 * are left to the table (/dev/null is not a risk). */
static const char *grant_risk(const char *path, unsigned bit)
{
	struct vxe_grant g = {.kind = VXE_GRANT_PATH, .access = bit, .path = path};
	const char *why = vxe_grant_risk(NULL, &g);
	if (why || bit == VXE_FS_READ)
		return why;
	if (sensitive_tree(path, bit) && !vxe_path_under(path, "/dev") &&
	    !vxe_path_under(path, "/proc"))
		return "in a sensitive tree (doc/trace.md)";
	return NULL;
}

/* A per-process /proc entry: /proc/PID/..., /proc/self/...,
 * /proc/thread-self/... Landlock anchors /proc/self when the rule is made,
 * in the first process, so a rule can name that process's own entries and
 * nothing narrower than /proc for any other's (a forked child's own
 * /proc/self included). */
struct proc_entry {
	enum { PROC_NONE, PROC_OWN, PROC_OTHER } kind;
	bool thread;	  /* /proc/thread-self */
	bool link;	  /* through a link to another file: fd/N, cwd, root, exe... */
	const char *rest; /* what follows the process's directory: "" or "/..." */
};

static struct proc_entry proc_entry(const char *path, bool other, pid_t root)
{
	struct proc_entry e = {.kind = PROC_NONE};
	if (strncmp(path, "/proc/", 6) != 0)
		return e;
	const char *c = path + 6;
	size_t n = strcspn(c, "/");
	bool digits = n > 0 && n < 11 && strspn(c, "0123456789") == n;
	bool self = n == 4 && strncmp(c, "self", 4) == 0;
	bool tself = n == 11 && strncmp(c, "thread-self", 11) == 0;
	if (!digits && !self && !tself)
		return e;
	e.thread = tself;
	e.rest = c + n;
	/* /proc/PID of the first process is its own whoever named it (the
	 * recorder marks every numeric entry as another's); /proc/self is
	 * its own only when it named it. */
	bool own = digits ? root > 0 && strtol(c, NULL, 10) == (long)root : !other;
	e.kind = own ? PROC_OWN : PROC_OTHER;
	const char *r = e.rest;
	if (strncmp(r, "/task/", 6) == 0) { /* /proc/self/task/TID/... */
		r += 6;
		r += strcspn(r, "/");
	}
	static const char *const links[] = {"/fd",	  "/cwd", "/root", "/exe",
					    "/map_files", "/ns",  NULL};
	for (unsigned i = 0; links[i]; i++) {
		size_t k = strlen(links[i]);
		if (strncmp(r, links[i], k) == 0 && (r[k] == 0 || r[k] == '/'))
			e.link = true;
	}
	return e;
}

static void prog_names(struct vxe_buf *b, uint64_t progs, const struct vxe_gen_opts *o)
{
	unsigned shown = 0, total = 0;
	for (unsigned i = 0; i < 64; i++) {
		if (!(progs & (1ull << i)))
			continue;
		total++;
		if (shown < 3 && i < o->nprogs) {
			vxe_buf_puts(b, shown ? ", " : "");
			vxe_buf_comment_text(b, o->prog_names[i], 80);
			shown++;
		}
	}
	if (total > shown)
		vxe_buf_printf(b, " +%u", total - shown);
}

static void comment_for(struct vxe_buf *b, const struct cand *x, const struct vxe_gen_opts *o)
{
	size_t before = b->len;
	prog_names(b, x->progs, o);
	bool shown = b->len > before;
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
	if (x->note) {
		vxe_buf_puts(b, "; ");
		vxe_buf_comment_text(b, x->note, 400);
	}
}

/* Accesses that no rule grants safely: listed in the VXED's "Not granted"
 * comment and on stderr, the first few one by one, then a count. */
#define REFUSED_SHOWN 20

struct refusals {
	const struct vxe_gen_opts *o;
	FILE *warn;
	unsigned n;
};

static void refuse(struct refusals *rf, const struct vxe_gen_in *r, unsigned bit, const char *path,
		   const char *why)
{
	if (rf->n++ >= REFUSED_SHOWN)
		return;
	struct vxe_buf b = {0};
	vxe_buf_puts(&b, bit == VXE_FS_READ	? "read "
			 : bit == VXE_FS_WRITE	? "write "
			 : bit == VXE_TR_CREATE ? "create or remove "
						: "execute ");
	vxe_buf_lisp_string(&b, path);
	if (strcmp(path, r->path) != 0) {
		vxe_buf_puts(&b, " (as ");
		vxe_buf_lisp_string(&b, r->path);
		vxe_buf_puts(&b, ")");
	}
	if (r->progs) {
		vxe_buf_puts(&b, " by ");
		prog_names(&b, r->progs, rf->o);
	}
	vxe_buf_printf(&b, ": %s", why);
	if (b.oom || !b.s) {
		free(b.s);
		return;
	}
	if (rf->o->tail)
		vxe_buf_printf(rf->o->tail, "%s\n", b.s);
	vxe_trace_warnf(rf->warn, "vxe: trace: not granted, decide by hand: %s", b.s);
	free(b.s);
}

static void refusals_end(struct refusals *rf)
{
	if (rf->n <= REFUSED_SHOWN)
		return;
	unsigned more = rf->n - REFUSED_SHOWN;
	if (rf->o->tail)
		vxe_buf_printf(rf->o->tail, "...and %u more accesses like these, not listed\n",
			       more);
	vxe_trace_warnf(rf->warn, "vxe: trace: ...and %u more accesses not granted, not listed",
			more);
}

static bool is_dir(const char *path)
{
	struct stat st;
	return stat(path, &st) == 0 && S_ISDIR(st.st_mode);
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

/* A per-process /proc entry: reading becomes /proc/self (the first
 * process's own) or /proc (another's: every process's entries, with a
 * warning); writing one of the first process's own entries becomes that
 * entry under /proc/self; anything else cannot be expressed safely (write
 * on /proc reaches /proc/sys/kernel/core_pattern) and is not granted. */
static void gen_proc(struct cands *c, struct refusals *rf, const struct vxe_gen_in *r,
		     const struct proc_entry *e, unsigned bit)
{
	const char *self = e->thread ? "/proc/thread-self" : "/proc/self";
	bool own = e->kind == PROC_OWN;
	if (bit == VXE_FS_READ || (bit == VXE_FS_EXECUTE && own)) {
		cand_add(c, own ? self : "/proc", bit, r, r->path,
			 own ? "the process's own entries"
			     : "per-process entries of another process or of a child: this grants "
			       "reading every process's /proc entries, review it");
	} else if (bit == VXE_FS_WRITE && own && !e->link) {
		char rule[PATH_MAX];
		if ((size_t)snprintf(rule, sizeof rule, "%s%s", self, e->rest) >= sizeof rule)
			return;
		if (!e->rest[0] || is_dir(rule))
			refuse(rf, r, bit, r->path,
			       "a directory in /proc: only the entries written may be granted");
		else
			cand_add(c, rule, bit, r, r->path, "the process's own entry");
	} else if (own && e->link) {
		refuse(rf, r, bit, r->path,
		       "through a /proc link to another file (fd, cwd, root, exe): no rule on "
		       "the link grants that file");
	} else if (own) {
		refuse(rf, r, bit, r->path, "names are not made in a process's /proc directory");
	} else {
		refuse(rf, r, bit, r->path,
		       "a per-process /proc entry of another process or of a child: no rule "
		       "grants only that, and write on /proc would reach the kernel's settings");
	}
}

/* A name made or removed: a right on the directory that holds it, which
 * Landlock checks, unless that directory is too wide to grant. */
static void gen_create(struct cands *c, struct refusals *rf, const struct vxe_gen_in *r,
		       const char *real, bool folding, FILE *warn)
{
	char dir[PATH_MAX], ldir[PATH_MAX], tmp[PATH_MAX];
	parent_of(real, dir, sizeof dir);
	parent_of(r->path, ldir, sizeof ldir);
	if (old_grants(rf->o->old, ldir, dir, VXE_FS_WRITE))
		return;
	if (folding && vxe_gen_is_temp(real, tmp, sizeof tmp)) {
		cand_add(c, tmp, VXE_FS_WRITE, r, r->path, "temporary files");
	} else if (shared_state(dir, true)) {
		/* A mail, log or cache directory the program makes files in
		 * (lock files, queue entries): its normal work, and no
		 * narrower rule lets it create. */
		cand_add(c, dir, VXE_FS_WRITE, r, r->path,
			 "files created or removed here; this grants write on everything in it: "
			 "review");
		vxe_trace_warnf(warn,
				"vxe: trace: %s was created or removed; write on all of %s is "
				"granted: review it",
				real, dir);
	} else if (vxe_gen_too_wide(dir, VXE_FS_WRITE) && is_dir(real) &&
		   vxe_gen_too_wide(real, VXE_FS_WRITE)) {
		/* A directory made or removed there: a precise rule on it
		 * would grant write on everything in it. */
		refuse(rf, r, VXE_TR_CREATE, real,
		       "a directory in a tree too wide to grant write on (doc/trace.md)");
	} else if (vxe_gen_too_wide(dir, VXE_FS_WRITE)) {
		cand_add(c, real, VXE_FS_WRITE, r, r->path,
			 "created here; creating it needs write on its directory, too wide to "
			 "grant: review");
		if (!c->oom)
			c->v[c->n - 1].kept = true;
		vxe_trace_warnf(warn,
				"vxe: trace: %s was created or removed; write on %s would be "
				"needed and is not granted",
				real, dir);
	} else {
		cand_add(c, dir, VXE_FS_WRITE, r, r->path, "files created or removed here");
	}
}

bool vxe_generalize(const struct vxe_gen_in *in, size_t n, const struct vxe_gen_opts *o,
		    struct vxe_doc *d, FILE *warn)
{
	struct cands c = {0};
	struct refusals rf = {.o = o, .warn = warn};
	bool folding = o->level != VXE_GEN_NONE;
	for (size_t i = 0; i < n && !c.oom; i++) {
		const struct vxe_gen_in *r = &in[i];
		char real[PATH_MAX], dir[PATH_MAX], tmp[PATH_MAX], link[PATH_MAX];
		real_path(r->path, real, sizeof real);
		struct proc_entry pe = proc_entry(real, r->proc_other, o->root);
		/* The rule names the real path: if the program reached it
		 * through a symlink it may have made (a directory swapped for
		 * one before it exited), the rule is aimed by the program. */
		bool linked = pe.kind == PROC_NONE && strcmp(real, r->path) != 0 &&
			      via_link(r->path, link, sizeof link);
		size_t before = c.n;
		for (unsigned bit = VXE_FS_READ; bit <= VXE_TR_CREATE; bit <<= 1) {
			if (!(r->access & bit))
				continue;
			if (linked) {
				unsigned b = bit == VXE_TR_CREATE ? VXE_FS_WRITE : bit;
				char rdir[PATH_MAX];
				parent_of(real, rdir, sizeof rdir);
				const char *risk = grant_risk(real, b);
				if (!risk && bit == VXE_TR_CREATE)
					risk = grant_risk(rdir, b);
				if (!risk && b == VXE_FS_READ && in_ssh(real))
					risk = "under a .ssh directory";
				if (risk) {
					char why[PATH_MAX + 256];
					snprintf(
					    why, sizeof why,
					    "its real path is reached through the symlink %s, "
					    "which the program may have made, and is risky (%s)",
					    link, risk);
					refuse(&rf, r, bit, real, why);
					continue;
				}
			}
			if (pe.kind != PROC_NONE) {
				if (!old_grants(o->old, r->path, real,
						bit == VXE_TR_CREATE ? VXE_FS_WRITE : bit))
					gen_proc(&c, &rf, r, &pe, bit);
			} else if (bit == VXE_TR_CREATE) {
				gen_create(&c, &rf, r, real, folding, warn);
			} else if (old_grants(o->old, r->path, real, bit)) {
				continue;
			} else if (bit != VXE_FS_READ && is_dir(real) &&
				   vxe_gen_too_wide(real, bit)) {
				/* A directory the program named for writing or
				 * executing (a failed open of /etc/cron.d for
				 * writing, rmdir of /etc/systemd/system): a rule
				 * on it grants everything in it. */
				refuse(&rf, r, bit, real,
				       "a directory too wide to grant (doc/trace.md)");
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
		for (size_t k = before; linked && k < c.n && !c.oom; k++) {
			struct cand *x = &c.v[k];
			if (x->note)
				continue;
			char named[PATH_MAX];
			/* A directory for a name made in it: the one the program named. */
			if (strcmp(x->path, real) != 0 && vxe_path_under(real, x->path)) {
				parent_of(r->path, named, sizeof named);
				if (strcmp(x->path, named) == 0)
					continue;
			} else {
				snprintf(named, sizeof named, "%s", r->path);
			}
			struct vxe_buf nb = {0};
			vxe_buf_printf(
			    &nb,
			    "written as its real path %s; the program named %s: a symlink "
			    "(%s); review",
			    x->path, named, link);
			if (nb.oom)
				c.oom = true;
			x->note = nb.s;
		}
	}
	refusals_end(&rf);
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
			const char *risk = c.v[i].bit == VXE_FS_WRITE && !is_dir(c.v[i].path) &&
						   !vxe_path_under(c.v[i].path, "/proc/self") &&
						   !vxe_path_under(c.v[i].path, "/proc/thread-self")
					       ? grant_risk(c.v[i].path, VXE_FS_WRITE)
					       : NULL;
			if (ok && risk)
				vxe_trace_warnf(
				    warn,
				    "vxe: trace: (write \"%s\") is granted precisely: %s; "
				    "review it",
				    c.v[i].path, risk);
			if (ok && c.v[i].note)
				vxe_trace_warnf(warn, "vxe: trace: (%s \"%s\") is %s",
						c.v[i].bit == VXE_FS_READ    ? "read"
						: c.v[i].bit == VXE_FS_WRITE ? "write"
									     : "execute",
						c.v[i].path, c.v[i].note);
			if (ok && c.v[i].bit == VXE_FS_READ && strcmp(c.v[i].path, "/") == 0)
				vxe_trace_warnf(warn,
						"vxe: trace: the root directory was read: the "
						"rule grants reading every file; review it");
			if (ok && c.v[i].bit == VXE_FS_READ && strcmp(c.v[i].path, "/proc") == 0)
				vxe_trace_warnf(
				    warn,
				    "vxe: trace: (read \"/proc\") is granted (%s): it grants "
				    "reading every process's /proc entries; review it",
				    c.v[i].example ? c.v[i].example : "/proc");
		}
		free(c.v[i].path);
		free(c.v[i].example);
		free(c.v[i].note);
	}
	free(c.v);
	return ok;
}
