/* The recorder: called by the supervisor for every system call of the
 * traced program, before the call proceeds, so it is on the program's
 * critical path. Everything is an array index or a hash lookup; only the
 * first call of a new process reads /proc (its program), only O_CREAT
 * opens look at the file system (did the file exist?), and only bind and
 * connect ask the kernel for the socket's protocol.
 *
 * Memory is bounded: at most max_paths distinct paths are kept; past that a
 * path is recorded as its directory (and the VXED says so), and past twice
 * that it is counted and dropped. Process and address tables are bounded
 * the same way.
 */
#include <errno.h>
#include <fcntl.h>
#include <linux/openat2.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include "compile/compile_internal.h"
#include "supervisor/supervisor_internal.h"
#include "trace/trace_internal.h"
#include "vxe/landlock.h"
#include "vxe/trace.h"

#define MAX_PIDS (1u << 16) /* the process table is cleared past this */

struct vxe_trace *vxe_trace_new(const struct vxe_trace_opts *opts)
{
	struct vxe_trace *t = calloc(1, sizeof *t);
	if (!t)
		return NULL;
	t->o = *opts;
	if (!t->o.max_paths)
		t->o.max_paths = 100000;
	if (!t->o.max_files)
		t->o.max_files = t->o.level == VXE_GEN_WIDE ? 3 : 8;
	t->name = opts->name ? strdup(opts->name) : NULL;
	t->program = opts->program ? strdup(opts->program) : NULL;
	t->command = opts->command ? strdup(opts->command) : NULL;
	t->ptab_size = 1024;
	t->ptab = calloc(t->ptab_size, sizeof *t->ptab);
	t->pids_size = 256;
	t->pids = calloc(t->pids_size, sizeof *t->pids);
	if ((opts->name && !t->name) || (opts->program && !t->program) ||
	    (opts->command && !t->command) || !t->ptab || !t->pids) {
		vxe_trace_free(t);
		errno = ENOMEM;
		return NULL;
	}
	for (int nr = 0; nr < 512; nr++) {
		const struct vxe_syscall_info *info = vxe_syscall_by_nr(nr);
		t->fc[nr] = info ? vxe_file_call(info->name) : NULL;
	}
	t->last_progress = (long)time(NULL);
	return t;
}

void vxe_trace_free(struct vxe_trace *t)
{
	if (!t)
		return;
	for (size_t i = 0; i < t->npaths; i++)
		free(t->paths[i].path);
	free(t->paths);
	free(t->ptab);
	free(t->pids);
	for (unsigned i = 0; i < t->nprogs; i++)
		free(t->progs[i]);
	free(t->name);
	free(t->program);
	free(t->command);
	free(t);
}

uint64_t vxe_trace_calls(const struct vxe_trace *t)
{
	return t->calls;
}

void vxe_trace_set_lost(struct vxe_trace *t, uint64_t n)
{
	t->counted_lost = n;
}

int vxe_trace_prog_index(struct vxe_trace *t, const char *exe)
{
	for (unsigned i = 0; i < t->nprogs; i++)
		if (strcmp(t->progs[i], exe) == 0)
			return (int)i;
	if (t->nprogs >= VXE_TR_MAX_PROGS - 1) {
		/* The last slot stands for every further program. */
		if (t->nprogs == VXE_TR_MAX_PROGS - 1) {
			t->progs[t->nprogs] = strdup("(others)");
			if (t->progs[t->nprogs])
				t->nprogs++;
		}
		return VXE_TR_MAX_PROGS - 1;
	}
	char *d = strdup(exe);
	if (!d)
		return -1;
	t->progs[t->nprogs] = d;
	return (int)t->nprogs++;
}

/* ---- processes ------------------------------------------------------------ */

static struct vxe_tr_pid *pid_slot(struct vxe_trace *t, pid_t pid)
{
	size_t mask = t->pids_size - 1;
	size_t i = ((size_t)pid * 2654435761u) & mask;
	while (t->pids[i].pid && t->pids[i].pid != pid)
		i = (i + 1) & mask;
	return &t->pids[i];
}

static void pid_grow(struct vxe_trace *t)
{
	size_t nsize = t->pids_size * 2;
	if (nsize > MAX_PIDS) {
		/* A long run with many short-lived processes: forget them;
		 * a process seen again is looked up again. */
		memset(t->pids, 0, t->pids_size * sizeof *t->pids);
		t->npids = 0;
		return;
	}
	struct vxe_tr_pid *old = t->pids, *n = calloc(nsize, sizeof *n);
	if (!n) {
		memset(t->pids, 0, t->pids_size * sizeof *t->pids);
		t->npids = 0;
		return;
	}
	size_t osize = t->pids_size;
	t->pids = n;
	t->pids_size = nsize;
	for (size_t i = 0; i < osize; i++)
		if (old[i].pid)
			*pid_slot(t, old[i].pid) = old[i];
	free(old);
}

/* exec: the call is an exec, which names the program itself; the one
 * running now (VXE's own child, for the first) is not asked for. */
static void read_proc(pid_t pid, struct vxe_tr_pid *p, struct vxe_trace *t, bool exec)
{
	char link[64], exe[PATH_MAX];
	p->prog = -1;
	p->stale = exec;
	if (!exec) {
		snprintf(link, sizeof link, "/proc/%d/exe", (int)pid);
		ssize_t n = readlink(link, exe, sizeof exe - 1);
		exe[n > 0 ? n : 0] = 0;
		p->prog = n > 0 ? vxe_trace_prog_index(t, exe) : -1;
	}
	if (!p->tgid) {
		p->tgid = pid;
		char st[64], buf[512];
		snprintf(st, sizeof st, "/proc/%d/status", (int)pid);
		int fd = open(st, O_RDONLY | O_CLOEXEC);
		if (fd >= 0) {
			ssize_t m = read(fd, buf, sizeof buf - 1);
			close(fd);
			buf[m > 0 ? m : 0] = 0;
			const char *tg = strstr(buf, "\nTgid:");
			if (tg)
				p->tgid = (pid_t)atoi(tg + 6);
		}
	}
}

static struct vxe_tr_pid *process(struct vxe_trace *t, pid_t pid, bool exec)
{
	struct vxe_tr_pid *p = pid_slot(t, pid);
	if (!p->pid) {
		if ((t->npids + 1) * 2 > t->pids_size) {
			pid_grow(t);
			p = pid_slot(t, pid);
		}
		p->pid = pid;
		p->tgid = 0;
		t->npids++;
		read_proc(pid, p, t, exec);
	} else if (p->stale) {
		read_proc(pid, p, t, exec);
	}
	return p;
}

/* ---- paths --------------------------------------------------------------- */

static uint64_t hash_str(const char *s)
{
	uint64_t h = 1469598103934665603ull; /* FNV-1a */
	for (; *s; s++)
		h = (h ^ (unsigned char)*s) * 1099511628211ull;
	return h;
}

static bool ptab_grow(struct vxe_trace *t)
{
	size_t nsize = t->ptab_size * 2;
	uint32_t *n = calloc(nsize, sizeof *n);
	if (!n)
		return false;
	for (size_t i = 0; i < t->npaths; i++) {
		size_t k = t->paths[i].hash & (nsize - 1);
		while (n[k])
			k = (k + 1) & (nsize - 1);
		n[k] = (uint32_t)i + 1;
	}
	free(t->ptab);
	t->ptab = n;
	t->ptab_size = nsize;
	return true;
}

/* The record for path, created if there is room; NULL if not. */
static struct vxe_tr_path *path_rec(struct vxe_trace *t, const char *path, bool create)
{
	uint64_t h = hash_str(path);
	size_t mask = t->ptab_size - 1, k = h & mask;
	for (; t->ptab[k]; k = (k + 1) & mask) {
		struct vxe_tr_path *p = &t->paths[t->ptab[k] - 1];
		if (p->hash == h && strcmp(p->path, path) == 0)
			return p;
	}
	if (!create)
		return NULL;
	if ((t->npaths + 1) * 2 > t->ptab_size) {
		if (!ptab_grow(t))
			return NULL;
		return path_rec(t, path, create);
	}
	if (t->npaths == t->pcap) {
		size_t cap = t->pcap ? t->pcap * 2 : 256;
		struct vxe_tr_path *n = realloc(t->paths, cap * sizeof *n);
		if (!n)
			return NULL;
		t->paths = n;
		t->pcap = cap;
	}
	char *d = strdup(path);
	if (!d)
		return NULL;
	struct vxe_tr_path *p = &t->paths[t->npaths];
	memset(p, 0, sizeof *p);
	p->path = d;
	p->hash = h;
	t->ptab[k] = (uint32_t)++t->npaths;
	return p;
}

static void record_path(struct vxe_trace *t, const char *path, unsigned access, uint64_t progbit,
			bool proc_other)
{
	if (!access)
		return;
	if (path[0] != '/') {
		t->unresolved++;
		return;
	}
	struct vxe_tr_path *p = path_rec(t, path, t->npaths < t->o.max_paths);
	if (!p && t->npaths >= t->o.max_paths) {
		/* Over the cap: the directory stands for the file, which
		 * is what the generaliser would make of so many anyway. */
		char dir[PATH_MAX];
		snprintf(dir, sizeof dir, "%s", path);
		char *slash = strrchr(dir, '/');
		if (slash && slash != dir)
			*slash = 0;
		/* A name made or removed there: write on that directory
		 * (the generaliser refuses it in a sensitive tree). */
		if (access & VXE_TR_CREATE)
			access = (access & ~VXE_TR_CREATE) | VXE_FS_WRITE;
		p = path_rec(t, dir, t->npaths < t->o.max_paths * 2);
		t->folded++;
	}
	if (!p) {
		t->dropped++;
		return;
	}
	p->access |= access;
	p->count++;
	p->progs |= progbit;
	p->proc_other |= proc_other;
}

/* Access an open-family call needs, from its flags, as the supervisor
 * computes it when enforcing. */
static unsigned open_access(const struct vxe_trace_event *ev, const char *path)
{
	int64_t flags;
	const char *name = ev->info->name;
	if (strcmp(name, "open") == 0)
		flags = (int32_t)ev->args[1];
	else if (strcmp(name, "openat") == 0)
		flags = (int32_t)ev->args[2];
	else {
		uint64_t how[1];
		if (vxe_mem_read(ev->pid, ev->args[2], how, sizeof how) < 0)
			return VXE_FS_READ | VXE_FS_WRITE;
		flags = (int64_t)how[0];
	}
	unsigned acc = vxe_open_access(flags);
	/* The call has not happened yet: if the file is not there, this
	 * open creates it, which Landlock checks on the directory. */
	struct stat st;
	if ((flags & O_CREAT) && !(flags & __O_TMPFILE) && lstat(path, &st) < 0 && errno == ENOENT)
		acc |= VXE_TR_CREATE;
	return acc;
}

/* Access for each path argument of a files-governed call. */
static unsigned path_access(const struct vxe_trace_event *ev, const struct vxe_file_call *fc,
			    unsigned argi, const char *path, unsigned npath_before)
{
	const char *name = ev->info->name;
	if (fc->access == 0)
		return open_access(ev, path);
	if (strcmp(name, "creat") == 0) {
		struct stat st;
		return VXE_FS_WRITE | (lstat(path, &st) < 0 ? VXE_TR_CREATE : 0);
	}
	if (fc->access == VXE_FS_EXECUTE)
		return VXE_FS_EXECUTE;
	/* Symlink targets are text, not accessed. */
	if ((strcmp(name, "symlink") == 0 || strcmp(name, "symlinkat") == 0) && npath_before == 0)
		return 0;
	/* The source of link is linked, not created. */
	if ((strcmp(name, "link") == 0 || strcmp(name, "linkat") == 0) && npath_before == 0)
		return VXE_FS_WRITE;
	if (strncmp(name, "mk", 2) == 0 || strncmp(name, "unlink", 6) == 0 ||
	    strcmp(name, "rmdir") == 0 || strncmp(name, "rename", 6) == 0 ||
	    strncmp(name, "link", 4) == 0 || strncmp(name, "symlink", 7) == 0)
		return VXE_TR_CREATE | VXE_FS_WRITE;
	return fc->access;
}

static bool proc_other(const struct vxe_trace *t, const char *path, pid_t tgid)
{
	if (strncmp(path, "/proc/", 6) != 0)
		return false;
	const char *c = path + 6;
	if (c[0] >= '0' && c[0] <= '9')
		return true;
	if (strncmp(c, "self", 4) == 0 || strncmp(c, "thread-self", 11) == 0)
		return tgid != t->root;
	return false;
}

/* ---- network ----------------------------------------------------------- */

static int socket_protocol(pid_t pid, int fd)
{
	int proto = -1;
	int pidfd = (int)syscall(SYS_pidfd_open, pid, 0);
	if (pidfd < 0)
		return -1;
	int sfd = (int)syscall(SYS_pidfd_getfd, pidfd, fd, 0);
	if (sfd >= 0) {
		socklen_t len = sizeof proto;
		if (getsockopt(sfd, SOL_SOCKET, SO_PROTOCOL, &proto, &len) < 0)
			proto = -1;
		close(sfd);
	}
	close(pidfd);
	return proto;
}

static void record_net(struct vxe_trace *t, const struct vxe_trace_event *ev, uint64_t progbit,
		       const char *addr)
{
	bool bind = strcmp(ev->info->name, "bind") == 0;
	if (strncmp(addr, "unix:/", 6) == 0) {
		/* Binding a named socket creates it in its directory;
		 * connecting (or sending) to one needs write on it, as the
		 * supervisor checks it. */
		record_path(t, addr + 5, bind ? VXE_TR_CREATE | VXE_FS_WRITE : VXE_FS_WRITE,
			    progbit, false);
		return;
	}
	if (strcmp(ev->info->name, "connect") != 0 && !bind)
		return; /* a send to an inet address: as before, not a rule */
	if (strncmp(addr, "inet:", 5) != 0 && strncmp(addr, "inet6:", 6) != 0)
		return;
	const char *colon = strrchr(addr, ':');
	unsigned port = (unsigned)atoi(colon + 1);
	int proto = socket_protocol(ev->pid, (int)ev->args[0]);
	if (proto != IPPROTO_TCP && proto != IPPROTO_UDP)
		proto = IPPROTO_TCP; /* as the supervisor reads an unknown socket */
	enum vxe_net_op op = bind ? VXE_NET_BIND : VXE_NET_CONNECT;
	for (unsigned i = 0; i < t->nnet; i++) {
		struct vxe_tr_net *n = &t->net[i];
		if (n->op == op && n->proto == proto && n->port == port) {
			n->count++;
			n->progs |= progbit;
			return;
		}
	}
	if (t->nnet == sizeof t->net / sizeof t->net[0]) {
		t->net_dropped++;
		return;
	}
	struct vxe_tr_net *n = &t->net[t->nnet++];
	n->op = op;
	n->proto = proto;
	n->port = port;
	n->count = 1;
	n->progs = progbit;
	snprintf(n->example, sizeof n->example, "%s", addr);
}

static void record_socket(struct vxe_trace *t, const struct vxe_trace_event *ev)
{
	int domain = (int)(int32_t)ev->args[0], type = (int)(ev->args[1] & 0xf);
	for (unsigned i = 0; i < t->nsocks; i++)
		if (t->socks[i].domain == domain && t->socks[i].type == type) {
			t->socks[i].count++;
			return;
		}
	if (t->nsocks < sizeof t->socks / sizeof t->socks[0])
		t->socks[t->nsocks++] = (struct vxe_tr_sock){domain, type, 1};
}

/* ---- the callback --------------------------------------------------------- */

static void progress(struct vxe_trace *t)
{
	long now = (long)time(NULL);
	if (now - t->last_progress < 3)
		return;
	t->last_progress = now;
	t->progress_shown = true;
	fprintf(stderr, "\rvxe: trace: %llu calls recorded, %zu paths, %u programs\033[K",
		(unsigned long long)t->calls, t->npaths, t->nprogs);
}

/* A call the kernel counted (the harmless ones, clone, vfork): only its
 * number matters; the program is the one known for the task, if any, for
 * the task may be gone by now. */
static void record_counted(struct vxe_trace *t, const struct vxe_trace_event *ev)
{
	if (ev->nr < 0 || ev->nr >= 512)
		return;
	const struct vxe_tr_pid *p = pid_slot(t, ev->pid);
	if (p->pid == ev->pid && !p->stale && p->prog >= 0)
		t->sys_progs[ev->nr] |= 1ull << p->prog;
	t->sys_count[ev->nr]++;
	t->counted++;
}

void vxe_trace_record(void *userdata, const struct vxe_trace_event *ev)
{
	struct vxe_trace *t = userdata;
	t->calls++;
	if (t->o.progress && (t->calls & 4095) == 0)
		progress(t);
	if (ev->counted)
		return record_counted(t, ev);
	if (strcmp(ev->arch, "x86_64") != 0) {
		t->foreign++;
		return;
	}
	if (ev->nr < 0 || ev->nr >= 512)
		return;
	int nr = ev->nr;
	bool exec = ev->info && (ev->info->classes & VXE_SC_EXEC);
	struct vxe_tr_pid *proc = process(t, ev->pid, exec);
	if (!t->root)
		t->root = proc->tgid ? proc->tgid : ev->pid;
	int prog = proc->prog;
	if (exec) {
		/* Counted for the program being started (the first exec is
		 * the traced program's own, made by VXE's child). */
		for (unsigned i = 0; i < ev->ndecoded; i++)
			if (ev->info->args[i].type == VXE_ARG_PATH && ev->decoded[i].s[0] == '/') {
				char real[PATH_MAX];
				prog = vxe_trace_prog_index(
				    t, realpath(ev->decoded[i].s, real) ? real : ev->decoded[i].s);
				break;
			}
		proc->stale = true;
	}
	uint64_t progbit = prog >= 0 ? 1ull << prog : 0;
	t->sys_count[nr]++;
	t->sys_progs[nr] |= progbit;
	if (!ev->info)
		return;
	/* clone's namespace flags open a way out (the escape set): the
	 * writer reports them. The kernel reads the low 32 bits. */
	if (nr == __NR_clone && ((uint32_t)ev->args[0] & VXE_NS_FLAGS)) {
		t->ns_clones++;
		t->ns_progs |= progbit;
		t->ns_flags |= (uint32_t)ev->args[0] & VXE_NS_FLAGS;
	}
	const struct vxe_file_call *fc = t->fc[nr];
	if (fc) {
		unsigned npath = 0;
		for (unsigned i = 0; i < ev->ndecoded && npath < 2; i++) {
			if (ev->info->args[i].type != VXE_ARG_PATH)
				continue;
			const char *path = ev->decoded[i].s;
			unsigned acc = path[0] ? path_access(ev, fc, i, path, npath) : 0;
			npath++;
			/* An empty name with AT_EMPTY_PATH is the descriptor
			 * itself: nothing new is reached. */
			if (!path[0] || strncmp(path, "<", 1) == 0)
				continue;
			record_path(t, path, acc, progbit, proc_other(t, path, proc->tgid));
		}
	} else if (ev->info->classes & VXE_SC_NET) {
		const char *name = ev->info->name;
		if (strcmp(name, "socket") == 0)
			record_socket(t, ev);
		else if (strcmp(name, "bind") == 0 || strcmp(name, "connect") == 0 ||
			 strcmp(name, "sendto") == 0)
			for (unsigned i = 0; i < ev->ndecoded; i++)
				if (ev->info->args[i].type == VXE_ARG_SOCKADDR)
					record_net(t, ev, progbit, ev->decoded[i].s);
	}
}
