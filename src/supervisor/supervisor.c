/* The supervisor: starts the confined program and answers the seccomp
 * notifications of it and all its descendants.
 *
 * Like OpenSSH's monitor, it decides by a table: each reason the plan gives
 * for asking (VXE_WHY_*) has one checker, and a call passes only when every
 * checker that applies passes. Anything it cannot read or does not
 * recognise is refused. It never trusts memory after deciding: a path it
 * read is only used where the kernel decides again (Landlock) or where the
 * supervisor performs the call itself and hands back the result.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <linux/audit.h>
#include <linux/kcmp.h>
#include <linux/openat2.h>
#include <linux/seccomp.h>
#include <netinet/in.h>
#include <poll.h>
#include <sched.h>
#include <seccomp.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "compile/compile_internal.h"
#include "policy/policy_internal.h"
#include "supervisor/supervisor_internal.h"
#include "vxe/landlock.h"
#include "vxe/supervisor.h"

#ifndef SECCOMP_IOCTL_NOTIF_SET_FLAGS
#define SECCOMP_IOCTL_NOTIF_SET_FLAGS SECCOMP_IOW(4, __u64)
#endif
#ifndef SECCOMP_USER_NOTIF_FD_SYNC_WAKE_UP
#define SECCOMP_USER_NOTIF_FD_SYNC_WAKE_UP (1UL << 0)
#endif
#ifndef __X32_SYSCALL_BIT
#define __X32_SYSCALL_BIT 0x40000000
#endif

/* Shared with the child between fork and exec. */
struct handover {
	atomic_int ready; /* 1: listener_fd is set; -1: setup failed (err) */
	int listener_fd;
	int err;
	int exec_err;
};

struct vxe_sup {
	const struct vxe_plan *plan;
	const struct vxe_policy *p;
	struct vxe_log *log;
	int fd; /* notification listener */
	pid_t child;
	bool handed_over; /* the child's own execve has been let through */
	bool production;
	char log_real[PATH_MAX]; /* the log file's real path, "" if none */
	char log_dir[PATH_MAX];	 /* its directory's real path, "" if none */
	const char *log_base;	 /* its name in log_dir */
	vxe_trace_fn on_trace;
	void *trace_userdata;
	struct seccomp_notif *req;
	struct seccomp_notif_resp *resp;
	struct vxe_decoded dec;
	/* Trace: the tasks seen (by pid, with their start time), to report
	 * the clone or vfork that made each one: the trace filter lets those
	 * through unseen (see trace_created). */
	struct seen_task *seen;
	size_t seen_size, nseen;
	unsigned long long seen_cleared; /* start times before it may have been seen */
	bool seen_root;
	struct {
		pid_t tgid;
		unsigned n;
	} forks[32]; /* notified forks whose child has not been seen yet */
	/* Trace with a counted plan: the kernel's samples of the calls let
	 * through unseen, and the 32-bit calls continued whose samples (in
	 * the i386 numbering) are not to be read as native calls. */
	struct vxe_kcount *kc;
	struct foreign {
		pid_t tid;
		int nr;
		unsigned n;
	} * foreign; /* owned, nforeign: the continued ones not yet sampled */
	size_t nforeign, foreign_cap;
};

/* A decision: continue the call, fail it, or return a value the supervisor
 * produced by performing it. */
struct verdict {
	enum { V_CONTINUE, V_DENY, V_RETURN } kind;
	int err;
	int64_t val;
	char rule[48];
	unsigned addfd_flags; /* V_RETURN from an injected fd */
	bool hard;	      /* V_DENY in every mode: an attack on VXE itself */
	int fd;		      /* fd to inject (owned), or -1 */
};

static const char *arch_name(uint32_t arch, int nr)
{
	if (arch == AUDIT_ARCH_I386)
		return "i386";
	if (arch == AUDIT_ARCH_X86_64)
		return (nr & __X32_SYSCALL_BIT) ? "x32" : "x86_64";
	return "unknown";
}

static void deny(struct verdict *v, int err, const char *rule)
{
	v->kind = V_DENY;
	v->err = err;
	snprintf(v->rule, sizeof v->rule, "%s", rule);
}

/* Access a call needs on its path argument. */
static unsigned needed_access(const struct vxe_file_call *fc, int nr, const uint64_t *args,
			      pid_t pid, bool *creates)
{
	static const char *const creating[] = {"creat",	    "mkdir",  "mkdirat",  "mknod",
					       "mknodat",   "link",   "linkat",	  "symlink",
					       "symlinkat", "rename", "renameat", "renameat2"};
	*creates = false;
	for (size_t i = 0; i < sizeof creating / sizeof creating[0]; i++)
		*creates |= strcmp(fc->name, creating[i]) == 0;
	if (fc->access)
		return fc->access;
	int64_t flags;
	if (nr == __NR_open)
		flags = (int32_t)args[1];
	else if (nr == __NR_openat)
		flags = (int32_t)args[2];
	else {
		/* openat2: flags live in struct open_how; unreadable means
		 * the most demanding reading. */
		uint64_t how[1];
		if (vxe_mem_read(pid, args[2], how, sizeof how) < 0) {
			*creates = true;
			return VXE_FS_READ | VXE_FS_WRITE;
		}
		flags = (int64_t)how[0];
	}
	*creates = (flags & O_CREAT) != 0;
	return vxe_open_access(flags);
}

/* The files rule for a path argument, decided on the path the kernel will
 * reach: symlinks resolved (as Landlock sees them), /proc/self meaning the
 * target, not the supervisor. A path that does not exist yet is decided on
 * its directory's real path; one whose directory is missing too fails in
 * the kernel anyway and is decided as written. */
static pid_t target_tgid(pid_t tid);
struct vxe_sup;
static long perform_meta(struct vxe_sup *s, int nr, const char *real);

#ifndef __NR_fchmodat2
#define __NR_fchmodat2 452
#endif

/* The supervisor resolves paths for the target, so /proc/self and
 * /proc/thread-self must name the target, never the supervisor. Returns
 * path, or lex holding the rewritten one; NULL if it does not fit. */
static const char *proc_self_as(pid_t pid, const char *path, char *lex, size_t size)
{
	const char *rest = NULL;
	if (strncmp(path, "/proc/self", 10) == 0 && (path[10] == 0 || path[10] == '/'))
		rest = path + 10;
	else if (strncmp(path, "/proc/thread-self", 17) == 0 && (path[17] == 0 || path[17] == '/'))
		rest = path + 17;
	if (!rest)
		return path;
	/* /proc/self is the process, /proc/thread-self the calling thread. */
	pid_t tgid = target_tgid(pid);
	if (tgid <= 0)
		return NULL;
	int n = path[6] == 's'
		    ? snprintf(lex, size, "/proc/%d%s", (int)tgid, rest)
		    : snprintf(lex, size, "/proc/%d/task/%d%s", (int)tgid, (int)pid, rest);
	if (n < 0 || (size_t)n >= size)
		return NULL;
	return lex;
}

/* The program's first process: Landlock anchored /proc/self rules in its
 * /proc directory when the VXED was applied. */
static pid_t first_tgid;

/* A rule on /proc/self (or /proc/thread-self) names the first process's own
 * entries (a child's /proc/PID lies outside what Landlock holds): when the
 * caller is that process, its /proc/TGID/... (a thread's
 * /proc/TGID/task/TID/...) is also decided as /proc/self/... . */
static bool allowed_for(const struct vxe_policy *p, pid_t pid, const char *norm, unsigned access)
{
	if (vxe_policy_path_allowed(p, norm, access))
		return true;
	if (strncmp(norm, "/proc/", 6) != 0 || norm[6] < '1' || norm[6] > '9')
		return false;
	pid_t tgid = target_tgid(pid);
	if (tgid != first_tgid)
		return false;
	char own[64], alias[PATH_MAX];
	int n = snprintf(own, sizeof own, "/proc/%d", (int)tgid);
	if (tgid <= 0 || strncmp(norm, own, (size_t)n) != 0 || (norm[n] && norm[n] != '/'))
		return false;
	const char *rest = norm + n;
	char task[64];
	int m = snprintf(task, sizeof task, "/task/%d", (int)pid);
	if (strncmp(rest, task, (size_t)m) == 0 && (rest[m] == 0 || rest[m] == '/')) {
		snprintf(alias, sizeof alias, "/proc/thread-self%s", rest + m);
		if (vxe_policy_path_allowed(p, alias, access))
			return true;
	}
	snprintf(alias, sizeof alias, "/proc/self%s", rest);
	return vxe_policy_path_allowed(p, alias, access);
}

static bool path_ok(const struct vxe_policy *p, pid_t pid, const char *path, unsigned access,
		    bool creates)
{
	char lex[PATH_MAX], real[PATH_MAX], norm[PATH_MAX];
	if (access == 0)
		return true;
	path = proc_self_as(pid, path, lex, sizeof lex);
	if (!path)
		return false;
	if (realpath(path, real))
		return vxe_path_normalize(real, norm, sizeof norm) &&
		       allowed_for(p, pid, norm, access);
	/* Nothing there, and the call would not make it: the kernel answers
	 * ENOENT, which is what a program probing for an optional file
	 * expects (Landlock would too). A file created meanwhile by someone
	 * else is still Landlock's to refuse in production. */
	if ((errno == ENOENT || errno == ENOTDIR) && !creates)
		return true;
	char dir[PATH_MAX];
	snprintf(dir, sizeof dir, "%s", path);
	char *slash = strrchr(dir, '/');
	if (!slash)
		return false;
	*slash = 0;
	if (!realpath(dir[0] ? dir : "/", real))
		return allowed_for(p, pid, path, access);
	char full[PATH_MAX * 2];
	snprintf(full, sizeof full, "%s/%s", strcmp(real, "/") ? real : "", slash + 1);
	return vxe_path_normalize(full, norm, sizeof norm) && allowed_for(p, pid, norm, access);
}

static void check_files(struct vxe_sup *s, int nr, const struct vxe_syscall_info *info,
			struct verdict *v)
{
	const struct vxe_file_call *fc = vxe_file_call(info->name);
	const uint64_t *args = (const uint64_t *)s->req->data.args;
	if (!fc)
		return;
	bool creates;
	unsigned access = needed_access(fc, nr, args, s->req->pid, &creates);
	/* The ENOENT allowance is for calls Landlock re-checks in the kernel;
	 * for the rest (chmod, chown, xattrs, utimes) a path missing at the
	 * check could be a symlink at the use, so they need a rule. */
	if (!fc->landlock)
		creates = true;
	if (nr == __NR_mknod || nr == __NR_mknodat) {
		/* Device nodes are the whole host (a block node of the root
		 * disk); no write rule grants them, in Landlock either. */
		mode_t type = (mode_t)args[nr == __NR_mknod ? 1 : 2] & S_IFMT;
		if (type == S_IFCHR || type == S_IFBLK) {
			deny(v, EPERM, "files");
			return;
		}
	}
	if (s->dec.path_err == -EBADF || s->dec.path_err == -ENOTDIR) {
		/* The dirfd is not an open directory now. The kernel would
		 * answer the same; letting the call go on would let a thread
		 * open one in between and have a path resolved unchecked. */
		v->kind = V_RETURN;
		v->val = s->dec.path_err;
		return;
	}
	if (s->dec.path_err && s->dec.path_err != -ENOENT) {
		/* Unreadable or too long: the kernel would fail it too; refuse
		 * rather than guess. */
		deny(v, s->dec.path_err == -ENAMETOOLONG ? ENAMETOOLONG : EFAULT, "files");
		return;
	}
	for (unsigned i = 0; i < s->dec.n; i++) {
		if (info->args[i].type != VXE_ARG_PATH)
			continue;
		/* Symlink targets are text, not accessed: only linkpath counts. */
		if ((strcmp(info->name, "symlink") == 0 || strcmp(info->name, "symlinkat") == 0) &&
		    i == 0)
			continue;
		unsigned need = access;
		/* rename/link: the source is removed or linked, the target created. */
		if (!path_ok(s->p, (pid_t)s->req->pid, s->dec.arg[i].s, need, creates)) {
			deny(v, EACCES, "files");
			return;
		}
		if (fc->landlock || !s->production)
			continue;
		/* Metadata calls Landlock does not back: decided on an inode
		 * that exists now, and the chmod and chown families performed
		 * on it (the rest, utimes and xattrs, stay advisory). */
		char lex[PATH_MAX], real[PATH_MAX];
		const char *asked =
		    proc_self_as((pid_t)s->req->pid, s->dec.arg[i].s, lex, sizeof lex);
		bool nofollow = nr == __NR_lchown ||
				((nr == __NR_fchownat || nr == __NR_fchmodat2) &&
				 (args[nr == __NR_fchownat ? 4 : 3] & AT_SYMLINK_NOFOLLOW));
		if (!asked || !realpath(asked, real)) {
			v->kind = V_RETURN;
			v->val = -ENOENT;
			return;
		}
		if (nofollow) {
			deny(v, EPERM, "files"); /* on a symlink itself: not performed */
			return;
		}
		/* Decided again on the inode that will be changed: the name may
		 * have become a symlink since the check above (R2-6). */
		if (!path_ok(s->p, (pid_t)s->req->pid, real, need, false)) {
			deny(v, EACCES, "files");
			return;
		}
		if (nr == __NR_chmod || nr == __NR_fchmodat || nr == __NR_fchmodat2 ||
		    nr == __NR_chown || nr == __NR_fchownat) {
			v->kind = V_RETURN;
			v->val = perform_meta(s, nr, real);
			return;
		}
	}
}

/* A duplicate of the target's descriptor fd (the same open file), or -1. */
/* The thread group of a notified task: the notification names the thread
 * that made the call, which is not the process when it is not the main
 * thread. -1 if it is gone. */
static pid_t target_tgid(pid_t tid)
{
	char path[64], line[128];
	long tgid = -1;
	snprintf(path, sizeof path, "/proc/%d/status", (int)tid);
	FILE *f = fopen(path, "re");
	while (f && fgets(line, sizeof line, f))
		if (sscanf(line, "Tgid: %ld", &tgid) == 1)
			break;
	if (f)
		fclose(f);
	return (pid_t)tgid;
}

#ifndef PIDFD_THREAD
#define PIDFD_THREAD O_EXCL
#endif

static int target_fd(struct vxe_sup *s, int fd)
{
	/* A thread's id needs PIDFD_THREAD (Linux 6.9), or its process. */
	int pidfd = (int)syscall(SYS_pidfd_open, s->req->pid, PIDFD_THREAD);
	if (pidfd < 0) {
		pid_t tgid = target_tgid((pid_t)s->req->pid);
		pidfd = tgid > 0 ? (int)syscall(SYS_pidfd_open, tgid, 0) : -1;
	}
	if (pidfd < 0)
		return -1;
	int dup = (int)syscall(SYS_pidfd_getfd, pidfd, fd, 0);
	close(pidfd);
	return dup;
}

/* sendto performed by the supervisor on a duplicate of the socket, with the
 * payload copied from the target and the address it checked. MSG_DONTWAIT:
 * a full socket buffer answers EAGAIN rather than stalling every confined
 * process behind the supervisor. */
static void perform_sendto(struct vxe_sup *s, const struct sockaddr_storage *ss, socklen_t len,
			   struct verdict *v)
{
	const uint64_t *args = (const uint64_t *)s->req->data.args;
	size_t n = (size_t)args[2];
	v->kind = V_RETURN;
	if (n > (1u << 20)) {
		v->val = -EMSGSIZE;
		return;
	}
	char *buf = malloc(n ? n : 1);
	int sfd = buf ? target_fd(s, (int)args[0]) : -1;
	if (!buf || sfd < 0 || (n && vxe_mem_read(s->req->pid, args[1], buf, n) < 0)) {
		v->val = !buf ? -ENOMEM : sfd < 0 ? -EBADF : -EFAULT;
	} else {
		ssize_t r = sendto(sfd, buf, n, (int)args[3] | MSG_DONTWAIT | MSG_NOSIGNAL,
				   (const struct sockaddr *)ss, len);
		v->val = r < 0 ? -errno : r;
	}
	if (sfd >= 0)
		close(sfd);
	free(buf);
}

/* A socket address the call names. INET: the network rules, by the
 * socket's own protocol (MPTCP counts as TCP; protocols no rule can name,
 * such as SCTP or raw IP, are refused when the VXED has network rules).
 * A unix socket path: connecting needs write access to it in the files
 * rules, as with the file system's own permission, so a confined root
 * cannot reach init, D-Bus or a container runtime's socket. In production
 * that connect is performed by the supervisor on a duplicate of the
 * socket, with the address it checked. */
static void check_address(struct vxe_sup *s, int nr, uint64_t addr, uint64_t alen,
			  struct verdict *v);

/* Where the call keeps its address: bind/connect and sendto name it in
 * their arguments, sendmsg/sendmmsg inside struct msghdr. A send without an
 * address (a connected socket) has nothing to check. sendmsg's address is
 * checked on the supervisor's copy and the call continues: against a
 * racing thread that is advisory, as `vxe check` says. */
static void check_network(struct vxe_sup *s, int nr, struct verdict *v)
{
	const uint64_t *args = (const uint64_t *)s->req->data.args;
	if (nr == __NR_socket) {
		/* Under network rules an IP socket is TCP, or UDP where a rule
		 * names UDP. Any other kind (raw, SCTP, MPTCP, datagrams with
		 * no UDP rule) is refused at birth: a TCP connect is checked
		 * and then left to Landlock, so a socket of another kind
		 * dup2()ed over it after the check must not exist at all. */
		int domain = (int32_t)args[0], type = (int32_t)args[1] & 0xf;
		int proto = (int32_t)args[2];
		if (domain != AF_INET && domain != AF_INET6)
			return;
		bool udp_rule = false;
		for (size_t i = 0; i < s->p->nnet; i++)
			udp_rule |= s->p->net[i].proto == IPPROTO_UDP && !s->p->net[i].none;
		bool ok = (type == SOCK_STREAM && (proto == 0 || proto == IPPROTO_TCP)) ||
			  (type == SOCK_DGRAM && udp_rule && (proto == 0 || proto == IPPROTO_UDP));
		if (!ok)
			deny(v, EPROTONOSUPPORT, "network");
		return;
	}
	if (nr == __NR_bind || nr == __NR_connect)
		return check_address(s, nr, args[1], args[2], v);
	if (nr == __NR_sendto)
		return args[4] ? check_address(s, nr, args[4], args[5], v) : (void)0;
	unsigned count = nr == __NR_sendmmsg ? (unsigned)args[2] : 1;
	if (count > 1024)
		count = 1024; /* the kernel's UIO_MAXIOV cap on vlen */
	for (unsigned i = 0; i < count && v->kind == V_CONTINUE; i++) {
		/* struct mmsghdr starts with its struct msghdr (56 bytes) and
		 * is 64 bytes long; msg_name and msg_namelen lead both. */
		uint64_t at = args[1] + (nr == __NR_sendmmsg ? (uint64_t)i * 64 : 0);
		struct {
			uint64_t name;
			uint32_t namelen;
		} hdr;
		if (vxe_mem_read(s->req->pid, at, &hdr, sizeof hdr) < 0)
			return deny(v, EFAULT, "network");
		if (hdr.name)
			check_address(s, __NR_sendmsg, hdr.name, hdr.namelen, v);
	}
}

/* Does the target hold CAP_NET_BIND_SERVICE (bit 10 of CapEff)? */
static bool target_can_bind_low(pid_t pid)
{
	char path[64], line[256];
	unsigned long long cap = 0;
	snprintf(path, sizeof path, "/proc/%d/status", (int)pid);
	FILE *f = fopen(path, "re");
	if (!f)
		return false;
	while (fgets(line, sizeof line, f))
		if (sscanf(line, "CapEff: %llx", &cap) == 1)
			break;
	fclose(f);
	return (cap >> 10) & 1;
}

/* bind/connect/sendto performed on a duplicate of the socket with the
 * address the supervisor checked: a thread rewriting the address after the
 * check changes nothing. A unix path is reached through an O_PATH
 * descriptor of the checked real path, opened without following symlinks,
 * so neither a relative name nor a symlink swapped in can redirect it. */
/* The target's identity, from /proc/PID/status. */
struct creds {
	unsigned uid[4], gid[4];
	gid_t groups[64];
	int ngroups;
};

static bool read_creds(pid_t pid, struct creds *c)
{
	char path[64], line[1024];
	bool got = false;
	memset(c, 0, sizeof *c);
	snprintf(path, sizeof path, "/proc/%d/status", (int)pid);
	FILE *f = fopen(path, "re");
	while (f && fgets(line, sizeof line, f)) {
		if (sscanf(line, "Uid: %u %u %u %u", &c->uid[0], &c->uid[1], &c->uid[2],
			   &c->uid[3]) == 4)
			got = true;
		sscanf(line, "Gid: %u %u %u %u", &c->gid[0], &c->gid[1], &c->gid[2], &c->gid[3]);
		if (strncmp(line, "Groups:", 7) == 0) {
			char *q = line + 7, *end;
			for (long g; c->ngroups < 64 && (g = strtol(q, &end, 10), end != q);
			     q = end)
				c->groups[c->ngroups++] = (gid_t)g;
		}
	}
	if (f)
		fclose(f);
	return got;
}

/* In a forked child: take the target's identity for good (capabilities
 * the target lacks go with a non-zero uid) and no_new_privs. */
static bool become(const struct creds *c)
{
	return setgroups((size_t)c->ngroups, c->groups) == 0 &&
	       setresgid(c->gid[0], c->gid[1], c->gid[2]) == 0 &&
	       setresuid(c->uid[0], c->uid[1], c->uid[2]) == 0 &&
	       prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) == 0;
}

/* chmod and chown families, performed for the target (production): Landlock
 * has no right for them, so letting the call continue after a check would
 * let a symlink swapped in between redirect it outside the rules. A child
 * with the target's identity opens the checked real path as O_PATH without
 * following any symlink, then changes that very inode. */
static long perform_meta(struct vxe_sup *s, int nr, const char *real)
{
	const uint64_t *args = (const uint64_t *)s->req->data.args;
	struct creds c;
	int p[2];
	if (!read_creds((pid_t)s->req->pid, &c) || pipe2(p, O_CLOEXEC) < 0)
		return -ESRCH;
	pid_t child = fork();
	if (child == 0) {
		long r = -EPERM;
		struct open_how how = {.flags = O_PATH | O_CLOEXEC,
				       .resolve = RESOLVE_NO_SYMLINKS | RESOLVE_NO_MAGICLINKS};
		int fd =
		    become(&c) ? (int)syscall(SYS_openat2, AT_FDCWD, real, &how, sizeof how) : -1;
		char self[64];
		snprintf(self, sizeof self, "/proc/self/fd/%d", fd);
		if (fd >= 0) {
			switch (nr) {
			case __NR_chmod:
				r = chmod(self, (mode_t)args[1]);
				break;
			case __NR_fchmodat:
			case __NR_fchmodat2:
				r = chmod(self, (mode_t)args[2]);
				break;
			case __NR_chown:
				r = fchownat(fd, "", (uid_t)args[1], (gid_t)args[2], AT_EMPTY_PATH);
				break;
			default: /* fchownat */
				r = fchownat(fd, "", (uid_t)args[2], (gid_t)args[3], AT_EMPTY_PATH);
			}
			r = r < 0 ? -errno : 0;
		} else {
			r = errno == ELOOP ? -EACCES : -errno;
		}
		(void)!write(p[1], &r, sizeof r);
		_exit(0);
	}
	close(p[1]);
	long r = -EAGAIN;
	if (child > 0 && read(p[0], &r, sizeof r) != sizeof r)
		r = -EIO;
	close(p[0]);
	if (child > 0)
		while (waitpid(child, NULL, 0) < 0 && errno == EINTR)
			;
	return r;
}

/* A unix socket's peer learns who connected (SO_PEERCRED, SCM_CREDENTIALS)
 * and the socket file's permissions are checked against the caller: the
 * supervisor (root) must not be that caller. The call is made by a
 * short-lived child that has taken the target's uids, gids and groups,
 * lost every capability the target lacks by that, and entered a Landlock
 * domain that refuses abstract sockets outside it. A connect that would
 * block (a full backlog) is abandoned after two seconds with ETIMEDOUT, so
 * the supervisor is never held. The peer sees the child's pid. */
static long as_target(struct vxe_sup *s, int nr, int sfd, const struct sockaddr_storage *ss,
		      socklen_t len)
{
	const uint64_t *args = (const uint64_t *)s->req->data.args;
	pid_t pid = (pid_t)s->req->pid;
	char *buf = NULL;
	size_t n = 0;
	if (nr != __NR_connect) {
		n = (size_t)args[2];
		if (n > (1u << 20))
			return -EMSGSIZE;
		buf = malloc(n ? n : 1);
		if (!buf)
			return -ENOMEM;
		if (n && vxe_mem_read(pid, args[1], buf, n) < 0) {
			free(buf);
			return -EFAULT;
		}
	}
	struct creds c;
	bool got = read_creds(pid, &c);
	int p[2];
	if (!got || pipe2(p, O_CLOEXEC) < 0) {
		free(buf);
		return -ESRCH;
	}
	pid_t child = fork();
	if (child == 0) {
		long r = -EPERM;
		static const struct vxe_ll_spec scope = {.scope_abstract_unix = 1};
		if (become(&c) && vxe_landlock_apply(&scope, NULL, 0) >= 0) {
			if (nr == __NR_connect) {
				r = connect(sfd, (const struct sockaddr *)ss, len) < 0 ? -errno : 0;
			} else {
				ssize_t w = sendto(sfd, buf, n, (int)args[3] | MSG_NOSIGNAL,
						   (const struct sockaddr *)ss, len);
				r = w < 0 ? -errno : w;
			}
		}
		(void)!write(p[1], &r, sizeof r);
		_exit(0);
	}
	free(buf);
	close(p[1]);
	long r = child < 0 ? -EAGAIN : -ETIMEDOUT;
	struct pollfd pf = {.fd = p[0], .events = POLLIN};
	if (child > 0 && (poll(&pf, 1, 2000) != 1 || read(p[0], &r, sizeof r) != sizeof r)) {
		kill(child, SIGKILL);
		r = -ETIMEDOUT;
	}
	close(p[0]);
	if (child > 0)
		while (waitpid(child, NULL, 0) < 0 && errno == EINTR)
			;
	return r;
}

static void perform_net(struct vxe_sup *s, int nr, int sfd, struct sockaddr_storage *ss,
			socklen_t len, const char *unix_real, struct verdict *v)
{
	int pfd = -1;
	if (unix_real) {
		struct open_how how = {.flags = O_PATH | O_CLOEXEC,
				       .resolve = RESOLVE_NO_SYMLINKS | RESOLVE_NO_MAGICLINKS};
		pfd = (int)syscall(SYS_openat2, AT_FDCWD, unix_real, &how, sizeof how);
		if (pfd < 0) {
			v->kind = V_RETURN;
			v->val = errno == ELOOP ? -EACCES : -errno;
			return;
		}
		struct sockaddr_un *un = (struct sockaddr_un *)ss;
		memset(un->sun_path, 0, sizeof un->sun_path);
		snprintf(un->sun_path, sizeof un->sun_path, "/proc/self/fd/%d", pfd);
		len =
		    (socklen_t)(offsetof(struct sockaddr_un, sun_path) + strlen(un->sun_path) + 1);
		v->kind = V_RETURN;
		v->val = as_target(s, nr, sfd, ss, len);
		close(pfd);
		return;
	}
	v->kind = V_RETURN;
	if (nr == __NR_connect)
		v->val = connect(sfd, (const struct sockaddr *)ss, len) < 0 ? -errno : 0;
	else if (nr == __NR_bind)
		v->val = bind(sfd, (const struct sockaddr *)ss, len) < 0 ? -errno : 0;
	else
		perform_sendto(s, ss, len, v);
	if (pfd >= 0)
		close(pfd);
}

/* Decided by the socket itself (its domain and protocol, which the program
 * cannot change under us), with the address read once into our copy. */
static void check_address(struct vxe_sup *s, int nr, uint64_t addr, uint64_t alen,
			  struct verdict *v)
{
	const uint64_t *args = (const uint64_t *)s->req->data.args;
	char text[128];
	int family, domain = -1, proto = -1;
	unsigned port;
	struct sockaddr_storage ss;
	memset(&ss, 0, sizeof ss);
	uint64_t len = alen > sizeof ss ? sizeof ss : alen;
	if (len < sizeof(sa_family_t) || vxe_mem_read(s->req->pid, addr, &ss, (size_t)len) < 0) {
		deny(v, EFAULT, "network");
		return;
	}
	vxe_sockaddr_text(&ss, (size_t)len, text, sizeof text, &family, &port);
	int sfd = target_fd(s, (int)args[0]);
	if (sfd < 0) {
		/* Not an open descriptor (the kernel would say EBADF), or one
		 * we cannot reach: either way, nothing proceeds unchecked. */
		deny(v, EBADF, "network");
		return;
	}
	socklen_t olen = sizeof domain;
	getsockopt(sfd, SOL_SOCKET, SO_DOMAIN, &domain, &olen);
	olen = sizeof proto;
	getsockopt(sfd, SOL_SOCKET, SO_PROTOCOL, &proto, &olen);

	if (domain == AF_UNIX) {
		const struct sockaddr_un *un = (const struct sockaddr_un *)&ss;
		/* The kernel refuses an address longer than sockaddr_un. */
		if (len > sizeof(struct sockaddr_un)) {
			close(sfd);
			deny(v, EINVAL, "network");
			return;
		}
		size_t n = len > offsetof(struct sockaddr_un, sun_path)
			       ? (size_t)len - offsetof(struct sockaddr_un, sun_path)
			       : 0;
		char raw[sizeof un->sun_path + 1], path[PATH_MAX], real[PATH_MAX];
		bool named = family == AF_UNIX && len > offsetof(struct sockaddr_un, sun_path) &&
			     un->sun_path[0] != 0;
		/* bind makes the socket file (Landlock's MAKE_SOCK). In
		 * production every other address on a unix socket is used by
		 * the supervisor's child on its own copy, even one that is not
		 * a path (abstract, another family): letting such a call
		 * continue would let a thread turn it into a path after the
		 * check. */
		if (nr == __NR_bind || !s->p->has_files) {
			close(sfd);
			return;
		}
		if (!named) {
			if (s->production) {
				v->kind = V_RETURN;
				v->val = as_target(s, nr, sfd, &ss, (socklen_t)len);
			}
			close(sfd);
			return;
		}
		memcpy(raw, un->sun_path, n);
		raw[n] = 0;
		if (vxe_resolve_path((pid_t)s->req->pid, AT_FDCWD, raw, s->dec.check_root, path,
				     sizeof path) < 0 ||
		    !path_ok(s->p, (pid_t)s->req->pid, path, VXE_FS_WRITE, false)) {
			close(sfd);
			deny(v, EACCES, "files");
			return;
		}
		if (s->production) {
			if (!realpath(path, real))
				snprintf(real, sizeof real, "%s", path);
			perform_net(s, nr, sfd, &ss, (socklen_t)len, real, v);
		}
		close(sfd);
		return;
	}
	if ((domain != AF_INET && domain != AF_INET6) || !s->p->has_network) {
		close(sfd);
		return; /* netlink and the rest: governed by socket() */
	}
	bool mptcp = proto == IPPROTO_MPTCP;
	if (mptcp)
		proto = IPPROTO_TCP;
	if (proto == IPPROTO_UDPLITE)
		proto = IPPROTO_UDP;
	/* Sending to an address is connecting, for the rules; AF_UNSPEC on
	 * connect dissolves an association and names no port. */
	enum vxe_net_op op = nr == __NR_bind ? VXE_NET_BIND : VXE_NET_CONNECT;
	bool unspec = family == AF_UNSPEC && nr == __NR_connect;
	if ((proto != IPPROTO_TCP && proto != IPPROTO_UDP) ||
	    (!unspec && !vxe_policy_net_allowed(s->p, op, proto, port))) {
		close(sfd);
		deny(v, EACCES, "network");
		return;
	}
	if (s->production && proto == IPPROTO_UDP) {
		/* No Landlock rule holds UDP: the supervisor performs it. A low
		 * port needs the target's own CAP_NET_BIND_SERVICE, not ours. */
		if (nr == __NR_bind && port < 1024 && !target_can_bind_low((pid_t)s->req->pid)) {
			v->kind = V_RETURN;
			v->val = -EACCES;
		} else {
			perform_net(s, nr, sfd, &ss, (socklen_t)len, NULL, v);
		}
	} else if (s->production && mptcp) {
		/* Landlock holds TCP but not MPTCP, and a blocking connect
		 * cannot be performed here: refused under network rules. */
		deny(v, EPROTONOSUPPORT, "network");
	}
	close(sfd);
}

static void check_predicate(struct vxe_sup *s, const struct vxe_rule *r, struct verdict *v)
{
	struct vl_arg argv[VXE_MAX_ARGS];
	const uint64_t *args = (const uint64_t *)s->req->data.args;
	char rule[24];
	snprintf(rule, sizeof rule, "permit:%d", r->line);
	for (unsigned i = 0; i < r->nparams; i++) {
		int a = r->param_arg[i];
		enum vxe_argtype t = r->info ? r->info->args[a].type : VXE_ARG_INT64;
		if (t == VXE_ARG_PATH || t == VXE_ARG_STR || t == VXE_ARG_SOCKADDR) {
			if (s->dec.path_err && s->dec.path_err != -ENOENT) {
				deny(v, EFAULT, rule);
				return;
			}
			argv[i] = (struct vl_arg){
			    .kind = VL_ARG_STRING, .s = s->dec.arg[a].s, .len = s->dec.arg[a].len};
		} else if (t == VXE_ARG_INT64) {
			argv[i] = (struct vl_arg){.kind = VL_ARG_INT, .i = (int64_t)args[a]};
		} else {
			/* As the kernel reads an int: the low 32 bits, signed. */
			argv[i] = (struct vl_arg){.kind = VL_ARG_INT, .i = (int32_t)args[a]};
		}
	}
	int truth = 0;
	if (vl_call_c(s->p->lisp, vl_pinned(s->p->lisp, r->pred), (int)r->nparams, argv, &truth) <
	    0) {
		/* An error in a predicate is a refusal, never a pass. */
		if (s->log)
			fprintf(stderr, "vxe: predicate error: %s\n", vl_error(s->p->lisp));
		truth = 0;
	}
	if (!truth)
		deny(v, s->plan->sys[r->nr].err, rule);
}

/* Performs an open-family call the way the target asked, as the supervisor,
 * on the path it checked, and returns the fd to inject: the decision and the
 * action see the same bytes (SPEC 5.3). The target's credentials are not
 * the supervisor's, so the file system uid and gid are switched to the
 * target's for the open. */
static int perform_open(struct vxe_sup *s, int nr, const char *path)
{
	const uint64_t *args = (const uint64_t *)s->req->data.args;
	int flags, mode;
	if (nr == __NR_open) {
		flags = (int)args[1];
		mode = (int)args[2];
	} else if (nr == __NR_openat) {
		flags = (int)args[2];
		mode = (int)args[3];
	} else if (nr == __NR_creat) {
		flags = O_CREAT | O_WRONLY | O_TRUNC;
		mode = (int)args[1];
	} else {
		return -ENOSYS; /* openat2: left to Landlock */
	}
	char st[64], line[256];
	unsigned uid = 0, gid = 0, umask_v = 022;
	snprintf(st, sizeof st, "/proc/%d/status", (int)s->req->pid);
	FILE *f = fopen(st, "re");
	if (!f)
		return -ESRCH;
	while (fgets(line, sizeof line, f)) {
		unsigned a, b, c, d;
		if (sscanf(line, "Uid: %u %u %u %u", &a, &b, &c, &d) == 4)
			uid = d;
		else if (sscanf(line, "Gid: %u %u %u %u", &a, &b, &c, &d) == 4)
			gid = d;
		else if (sscanf(line, "Umask: %o", &a) == 1)
			umask_v = a;
	}
	fclose(f);
	int old_uid = (int)syscall(SYS_setfsuid, -1), old_gid = (int)syscall(SYS_setfsgid, -1);
	syscall(SYS_setfsgid, gid);
	syscall(SYS_setfsuid, uid);
	mode_t old_mask = umask((mode_t)umask_v);
	/* O_NONBLOCK so that a FIFO without a writer cannot hold the
	 * supervisor (and with it every confined process) in open(2);
	 * cleared again below unless the program asked for it. */
	struct open_how how = {
	    .flags = (uint64_t)(unsigned)(flags | O_NOCTTY | O_NONBLOCK),
	    .mode = (flags & (O_CREAT | O_TMPFILE)) ? (uint64_t)(mode & 07777) : 0,
	    .resolve = RESOLVE_NO_SYMLINKS | RESOLVE_NO_MAGICLINKS,
	};
	/* The supervisor opens in its own mount namespace, where the log is
	 * not read-only: the log (by inode) is never opened for the program,
	 * checked before the open (O_TRUNC acts at once) and after it. */
	struct stat got, logst;
	bool is_log = s->log_real[0] && stat(path, &got) == 0 && stat(s->log_real, &logst) == 0 &&
		      got.st_dev == logst.st_dev && got.st_ino == logst.st_ino;
	int fd = is_log ? -1 : (int)syscall(SYS_openat2, AT_FDCWD, path, &how, sizeof how);
	int err = is_log ? EACCES : errno;
	if (fd >= 0 && s->log_real[0] && fstat(fd, &got) == 0 && stat(s->log_real, &logst) == 0 &&
	    got.st_dev == logst.st_dev && got.st_ino == logst.st_ino) {
		close(fd);
		fd = -1;
		err = EACCES;
	}
	if (fd >= 0 && !(flags & O_NONBLOCK))
		fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) & ~O_NONBLOCK);
	umask(old_mask);
	syscall(SYS_setfsuid, old_uid);
	syscall(SYS_setfsgid, old_gid);
	return fd < 0 ? -err : fd;
}

static void exe_of(pid_t pid, char *out, size_t size)
{
	char p[64];
	snprintf(p, sizeof p, "/proc/%d/exe", (int)pid);
	ssize_t n = readlink(p, out, size - 1);
	out[n > 0 ? n : 0] = 0;
}

static void perform(struct vxe_sup *s, int nr, const struct vxe_plan_sys *ps, struct verdict *v);

/* realpath(3) of a path as the target names it: /proc/self is the target. */
static char *target_realpath(pid_t pid, const char *path, char *real)
{
	char lex[PATH_MAX];
	const char *q = proc_self_as(pid, path, lex, sizeof lex);
	return q ? realpath(q, real) : NULL;
}

/* Mount calls that would lift the read-only bind mount over the log, in any
 * mode: soft mode performs the program's violations, not attacks on VXE.
 * A mount call on a descriptor (empty path) cannot be placed and is refused
 * as well. Soft mode is still no boundary for a root program that mounts
 * the disk a second time; production refuses every mount call. */
static bool touches_log(struct vxe_sup *s, int nr)
{
	int arg;
	/* mount's source too: a non-recursive bind of the log's directory
	 * shows the log without its read-only mount. */
	if (nr == __NR_mount && s->dec.n > 0 && s->dec.arg[0].kind == VXE_LOGARG_STR &&
	    s->dec.arg[0].s && s->dec.arg[0].s[0]) {
		/* The source is a string to the table (a device or a path):
		 * resolve it as the program would. */
		char real0[PATH_MAX], abs0[PATH_MAX];
		const char *src = s->dec.arg[0].s;
		if (vxe_resolve_path((pid_t)s->req->pid, AT_FDCWD, src, s->dec.check_root, abs0,
				     sizeof abs0) == 0)
			src = abs0;
		if (target_realpath((pid_t)s->req->pid, src, real0))
			src = real0;
		if (s->log_real[0] && vxe_path_under(s->log_real, src))
			return true;
	}
	switch (nr) {
	case __NR_umount2:
		arg = 0;
		break;
	case __NR_open_tree:
	case __NR_move_mount:
	case __NR_mount_setattr:
	case __NR_mount:
		arg = 1;
		break;
	default:
		return false;
	}
	if (!s->log_real[0] || (unsigned)arg >= s->dec.n)
		return false;
	const char *path = s->dec.arg[arg].s;
	if (s->dec.arg[arg].kind != VXE_LOGARG_STR || !path || !path[0])
		return nr != __NR_umount2 && nr != __NR_mount;
	char real[PATH_MAX];
	if (target_realpath((pid_t)s->req->pid, path, real))
		path = real;
	return vxe_path_under(s->log_real, path);
}

/* Whether path names the log or one of its rotations (LOG.1, LOG.2.gz, ...
 * in the same directory), as the kernel would reach it for the target: a
 * name that does not exist yet by its directory, a dangling symlink (which
 * O_CREAT follows) by its target. vxe log and vxe upgrade read them all, so
 * they are VXE's alone like the log itself. */
static bool in_log_family(const struct vxe_sup *s, pid_t pid, const char *path)
{
	char cur[PATH_MAX], real[PATH_MAX], dir[PATH_MAX];
	const char *base;
	snprintf(cur, sizeof cur, "%s", path);
	for (int hop = 0;; hop++) {
		if (hop == 40)
			return true; /* the kernel says ELOOP; refusing costs nothing */
		if (target_realpath(pid, cur, real)) {
			char *slash = strrchr(real, '/');
			*slash = 0;
			snprintf(dir, sizeof dir, "%s", real[0] ? real : "/");
			base = slash + 1;
			break;
		}
		char lex[PATH_MAX], link[PATH_MAX];
		const char *q = proc_self_as(pid, cur, lex, sizeof lex);
		struct stat st;
		ssize_t n;
		if (q && lstat(q, &st) == 0 && S_ISLNK(st.st_mode) &&
		    (n = readlink(q, link, sizeof link - 1)) > 0) {
			link[n] = 0;
			char next[PATH_MAX];
			const char *slash = strrchr(q, '/');
			if (link[0] == '/' || !slash)
				snprintf(next, sizeof next, "%s", link);
			else if (snprintf(next, sizeof next, "%.*s/%s", (int)(slash - q), q,
					  link) >= (int)sizeof next)
				return true;
			snprintf(cur, sizeof cur, "%s", next);
			continue;
		}
		/* Not there yet (a creation): its directory decides. */
		const char *slash = strrchr(cur, '/');
		if (!slash)
			return false;
		char parent[PATH_MAX];
		snprintf(parent, sizeof parent, "%.*s", (int)(slash - cur), cur);
		if (!target_realpath(pid, parent[0] ? parent : "/", dir))
			return false;
		base = slash + 1;
		break;
	}
	size_t n = strlen(s->log_base);
	return strcmp(dir, s->log_dir) == 0 && strncmp(base, s->log_base, n) == 0 &&
	       (base[n] == 0 || base[n] == '.');
}

/* A file call that would change, create or remove a member of the log's
 * family. Soft mode performs violations, some of them (opens under files
 * rules) from the supervisor's mount namespace where the read-only bind
 * mounts do not apply; production could perform one a VXED permits. */
static bool writes_log_family(struct vxe_sup *s, int nr, const struct vxe_syscall_info *info)
{
	const struct vxe_file_call *fc = s->log_dir[0] ? vxe_file_call(info->name) : NULL;
	if (!fc)
		return false;
	bool creates;
	unsigned access = needed_access(fc, nr, (const uint64_t *)s->req->data.args,
					(pid_t)s->req->pid, &creates);
	if (access == VXE_FS_READ && !creates)
		return false;
	/* Renaming or removing the log's directory or one above it would let
	 * the program put another "log" where vxe log and upgrade look. */
	bool moves =
	    nr == __NR_rename || nr == __NR_renameat || nr == __NR_renameat2 || nr == __NR_rmdir;
	pid_t pid = (pid_t)s->req->pid;
	for (int i = 0; i < s->dec.npath; i++) {
		char real[PATH_MAX];
		if (in_log_family(s, pid, s->dec.path[i]))
			return true;
		if (moves && target_realpath(pid, s->dec.path[i], real) &&
		    vxe_path_under(s->log_dir, real))
			return true;
	}
	return false;
}

static void decide_native(struct vxe_sup *s, int nr, struct verdict *v)
{
	const struct vxe_plan_sys *ps = &s->plan->sys[nr];
	const struct vxe_syscall_info *info = ps->info;
	const uint64_t *args = (const uint64_t *)s->req->data.args;
	if (!info) {
		deny(v, ENOSYS, "unknown");
		return;
	}
	vxe_decode_args(s->req->pid, info, args, &s->dec);
	if (ps->act == VXE_F_ERRNO) {
		deny(v, ps->err, "emulated");
		return;
	}
	/* Soft mode lets the escape set through, except against VXE itself;
	 * production refuses it anyway (and names the escape rule), so the
	 * log check only decides there when a VXED names a mount call. */
	if (touches_log(s, nr) && (!s->production || ps->rule)) {
		deny(v, EPERM, "vxe");
		v->hard = true;
		return;
	}
	if (writes_log_family(s, nr, info)) {
		deny(v, EACCES, "vxe");
		v->hard = true;
		return;
	}
	if (ps->why & VXE_WHY_UNLISTED) {
		deny(v, ps->err, "unlisted");
		return;
	}
	if ((ps->why & VXE_WHY_ESCAPE) && !ps->rule && (info->classes & VXE_SC_ESCAPE)) {
		deny(v, ps->err, "escape");
		return;
	}
	if (ps->why & VXE_WHY_ESCAPE) {
		/* Named, with its escape-set arguments closed: namespace flags
		 * of clone/unshare (clone's as the kernel reads them, the low
		 * half), TIOCSTI/TIOCLINUX of ioctl (the low half too). */
		uint32_t low = (uint32_t)args[nr == __NR_ioctl ? 1 : 0];
		mode_t type = (mode_t)args[nr == __NR_mknodat ? 2 : 1] & S_IFMT;
		bool dev = type == S_IFCHR || type == S_IFBLK;
		if (nr == __NR_ioctl	 ? (low == TIOCSTI || low == TIOCLINUX)
		    : nr == __NR_mknod	 ? dev
		    : nr == __NR_mknodat ? dev
		    : nr == __NR_clone	 ? (low & VXE_NS_FLAGS) != 0
					 : (args[0] & VXE_NS_FLAGS) != 0) {
			deny(v, EPERM, "escape");
			return;
		}
	}
	/* The filter's comparisons failed, or could not all be expressed:
	 * the predicate decides, exactly, on the notification's integers. */
	if ((ps->why & VXE_WHY_INTCHECK) && ps->rule && ps->rule->pred >= 0) {
		check_predicate(s, ps->rule, v);
		if (v->kind != V_CONTINUE)
			return;
	}
	if ((ps->why & VXE_WHY_PREDICATE) && ps->rule)
		check_predicate(s, ps->rule, v);
	if (v->kind == V_CONTINUE && (ps->why & VXE_WHY_FILES))
		check_files(s, nr, info, v);
	if (v->kind == V_CONTINUE && (ps->why & VXE_WHY_NETWORK))
		check_network(s, nr, v);
	if (v->kind == V_CONTINUE && s->production && (ps->why & VXE_WHY_PREDICATE) &&
	    ps->layer == VXE_LAYER_SUPERVISOR &&
	    (nr == __NR_open || nr == __NR_openat || nr == __NR_creat))
		perform(s, nr, ps, v);
}

/* The supervisor performs a checked open itself (SPEC 5.3). A symlink
 * would make the checked name and the opened file differ, so the decision
 * is taken again on the real path, and the open may not follow any symlink
 * (RESOLVE_NO_SYMLINKS): one swapped in after the check makes it fail. */
static void perform(struct vxe_sup *s, int nr, const struct vxe_plan_sys *ps, struct verdict *v)
{
	const uint64_t *args = (const uint64_t *)s->req->data.args;
	struct vxe_log_arg *pa = &s->dec.arg[nr == __NR_openat ? 1 : 0];
	char real[PATH_MAX], dir[PATH_MAX], lex[PATH_MAX], *slash;
	const char *asked = proc_self_as((pid_t)s->req->pid, pa->s, lex, sizeof lex);
	if (!asked)
		return deny(v, ENAMETOOLONG, "files");
	if (!realpath(asked, real)) {
		snprintf(dir, sizeof dir, "%s", asked);
		slash = strrchr(dir, '/');
		if (!slash || !slash[1])
			return deny(v, ENOENT, "files");
		*slash = 0;
		char rdir[PATH_MAX];
		if (!realpath(dir[0] ? dir : "/", rdir) ||
		    (size_t)snprintf(real, sizeof real, "%s/%s", strcmp(rdir, "/") ? rdir : "",
				     slash + 1) >= sizeof real)
			return deny(v, ENOENT, "files");
	}
	/* The supervisor opens as root and outside Landlock: another
	 * process's /proc entries (its own above all: /proc/PID/mem of the
	 * supervisor would be the whole host) are never handed over. */
	if (strncmp(real, "/proc/", 6) == 0 && real[6] >= '0' && real[6] <= '9') {
		long owner = strtol(real + 6, NULL, 10);
		char status[64], line[128];
		long tgid = -1;
		snprintf(status, sizeof status, "/proc/%d/status", (int)s->req->pid);
		FILE *f = fopen(status, "re");
		while (f && fgets(line, sizeof line, f))
			if (sscanf(line, "Tgid: %ld", &tgid) == 1)
				break;
		if (f)
			fclose(f);
		if (owner != (long)s->req->pid && owner != tgid)
			return deny(v, EACCES, "files");
	}
	if (strcmp(real, pa->s) != 0) {
		char *keep = s->dec.path[0];
		snprintf(keep, PATH_MAX, "%s", real);
		pa->s = keep;
		pa->len = strlen(keep);
		check_predicate(s, ps->rule, v);
		if (v->kind == V_CONTINUE && (ps->why & VXE_WHY_FILES))
			check_files(s, nr, ps->info, v);
		if (v->kind != V_CONTINUE)
			return;
	}
	int fd = perform_open(s, nr, pa->s);
	v->kind = V_RETURN;
	if (fd < 0) {
		v->val = fd;
		return;
	}
	int flags = nr == __NR_creat ? 0 : (int)(nr == __NR_openat ? args[2] : args[1]);
	v->fd = fd;
	v->addfd_flags = (flags & O_CLOEXEC) ? O_CLOEXEC : 0;
}

static void log_violation(struct vxe_sup *s, const char *sysname, const char *arch,
			  const struct verdict *v)
{
	if (!s->log)
		return;
	char exe[PATH_MAX];
	exe_of(s->req->pid, exe, sizeof exe);
	struct vxe_event ev = {
	    .vxed = s->p->name,
	    .mode = vxe_mode_name(s->plan->mode),
	    .action = s->production || v->hard ? "blocked" : "logged",
	    .pid = s->req->pid,
	    .exe = exe[0] ? exe : NULL,
	    .syscall = sysname,
	    .arch = arch,
	    .rule = v->rule,
	    .err = s->production || v->hard ? v->err : 0,
	    .nargs = s->dec.n,
	    .args = s->dec.arg,
	};
	vxe_log_event(s->log, &ev);
}

/* ---- trace: tasks made unseen ---------------------------------------------
 *
 * The trace filter lets clone (without namespace flags) and vfork through
 * without a notification (plan_trace in src/compile/plan.c: a notified call
 * interrupted by a signal before the supervisor receives it fails with
 * EINTR, which these must never do). Each task they make is reported to the
 * recorder as one call of the one that made it, when the task first makes a
 * notified call; every task does before it executes anything (execve is
 * notified), and a glibc child or thread at once (set_robust_list). */

struct seen_task {
	pid_t pid;		  /* 0: empty slot */
	unsigned long long start; /* clock ticks after boot, /proc/PID/stat */
};

#define SEEN_MAX (1u << 16) /* the table is cleared past this */

/* A task as /proc/PID/stat shows it without ptrace access: its parent, when
 * it started, and its exit signal, which is -1 for a thread and only then. */
struct task_stat {
	pid_t ppid;
	int exit_signal;
	unsigned long long start;
};

static bool read_task_stat(pid_t pid, struct task_stat *ts)
{
	char path[64], buf[1024];
	snprintf(path, sizeof path, "/proc/%d/stat", (int)pid);
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return false;
	ssize_t n = read(fd, buf, sizeof buf - 1);
	close(fd);
	if (n <= 0)
		return false;
	buf[n] = 0;
	/* The name may hold anything, ')' too: the fields follow the last. */
	char *p = strrchr(buf, ')'), *save = NULL;
	if (!p)
		return false;
	int field = 3; /* the state */
	for (char *tok = strtok_r(p + 1, " ", &save); tok; tok = strtok_r(NULL, " ", &save)) {
		if (field == 4)
			ts->ppid = (pid_t)strtol(tok, NULL, 10);
		else if (field == 22)
			ts->start = strtoull(tok, NULL, 10);
		else if (field == 38) {
			ts->exit_signal = (int)strtol(tok, NULL, 10);
			return true;
		}
		field++;
	}
	return false;
}

/* The call that made process pid if it is a vfork child (vfork, or clone
 * with CLONE_VFORK as posix_spawn makes them): such a child shares its
 * parent's memory, and the parent stays inside the call until the child
 * executes or exits, so it is still there when the child is first seen.
 * 0 if pid is not one; -1 if it is but the parent's call cannot be read. */
static int vfork_call(pid_t pid, pid_t ppid)
{
	long same = ppid > 0 ? syscall(SYS_kcmp, pid, ppid, KCMP_VM, 0, 0) : 1;
	if (same > 0)
		return 0; /* memory of its own */
	char dir[64];
	snprintf(dir, sizeof dir, "/proc/%d/task", (int)ppid);
	DIR *d = opendir(dir);
	int nr = 0;
	bool read_any = false;
	for (struct dirent *e; d && !nr && (e = readdir(d));) {
		char path[128], buf[256], *end;
		if (e->d_name[0] < '0' || e->d_name[0] > '9')
			continue;
		snprintf(path, sizeof path, "%s/%.16s/syscall", dir, e->d_name);
		int fd = open(path, O_RDONLY | O_CLOEXEC);
		ssize_t n = fd >= 0 ? read(fd, buf, sizeof buf - 1) : -1;
		if (fd >= 0)
			close(fd);
		if (n <= 0)
			continue;
		buf[n] = 0;
		read_any = true;
		/* "NR 0xARG0 ...", or "running", or "-1 SP PC". */
		long call = strtol(buf, &end, 10);
		unsigned long long arg0 = end != buf ? strtoull(end, NULL, 16) : 0;
		if (end != buf &&
		    (call == __NR_vfork || (call == __NR_clone && (arg0 & CLONE_VFORK))))
			nr = (int)call;
	}
	if (d)
		closedir(d);
	/* Unreadable (a process that made itself undumpable, traced by a
	 * user): known to be a vfork child only if kcmp could say so. */
	return nr ? nr : same == 0 && !read_any ? -1 : 0;
}

static struct seen_task *seen_slot(struct vxe_sup *s, pid_t pid)
{
	size_t mask = s->seen_size - 1, i = ((size_t)pid * 2654435761u) & mask;
	while (s->seen[i].pid && s->seen[i].pid != pid)
		i = (i + 1) & mask;
	return &s->seen[i];
}

/* Makes room for one more task; false if there is no table. Past SEEN_MAX
 * the tasks are forgotten, and one started before that is not reported
 * again when seen again. */
static bool seen_room(struct vxe_sup *s)
{
	if (s->seen && (s->nseen + 1) * 2 <= s->seen_size)
		return true;
	size_t nsize = s->seen ? s->seen_size * 2 : 256;
	struct seen_task *n = nsize <= SEEN_MAX ? calloc(nsize, sizeof *n) : NULL;
	if (!n) {
		if (!s->seen)
			return false;
		memset(s->seen, 0, s->seen_size * sizeof *s->seen);
		s->nseen = 0;
		struct timespec now;
		clock_gettime(CLOCK_BOOTTIME, &now);
		unsigned long long hz = (unsigned long long)sysconf(_SC_CLK_TCK);
		s->seen_cleared = (unsigned long long)now.tv_sec * hz +
				  (unsigned long long)now.tv_nsec / (1000000000ull / hz);
		return true;
	}
	struct seen_task *old = s->seen;
	size_t osize = s->seen_size;
	s->seen = n;
	s->seen_size = nsize;
	for (size_t i = 0; i < osize; i++)
		if (old[i].pid)
			*seen_slot(s, old[i].pid) = old[i];
	free(old);
	return true;
}

/* A notified fork (or clone with namespace flags), recorded as itself, was
 * let through for process tgid: its child is not to be reported again. */
static void fork_note(struct vxe_sup *s, pid_t tgid)
{
	size_t n = sizeof s->forks / sizeof s->forks[0], free_slot = n;
	for (size_t i = 0; i < n; i++) {
		if (s->forks[i].n && s->forks[i].tgid == tgid) {
			s->forks[i].n++;
			return;
		}
		if (!s->forks[i].n && free_slot == n)
			free_slot = i;
	}
	if (free_slot < n) {
		s->forks[free_slot].tgid = tgid;
		s->forks[free_slot].n = 1;
	}
}

/* Records a call the filter let through unseen, as made by pid. */
static void trace_report(struct vxe_sup *s, pid_t pid, int nr)
{
	static const uint64_t none[6];
	struct vxe_trace_event ev = {
	    .pid = pid,
	    .nr = nr,
	    .arch = "x86_64",
	    .info = s->plan->sys[nr].info,
	    .args = none,
	};
	s->on_trace(s->trace_userdata, &ev);
}

static bool fork_take(struct vxe_sup *s, pid_t ppid)
{
	for (size_t i = 0; i < sizeof s->forks / sizeof s->forks[0]; i++)
		if (s->forks[i].n && s->forks[i].tgid == ppid) {
			s->forks[i].n--;
			return true;
		}
	return false;
}

/* Called for every native notification before it is recorded: if the task
 * is new, reports the call that made it. A pid seen before is a new task
 * only if its start time differs; that is looked at on exec, where it
 * matters (a vfork child always executes or exits) and costs little. */
static void trace_created(struct vxe_sup *s, bool exec)
{
	pid_t pid = (pid_t)s->req->pid;
	struct seen_task *e = s->seen ? seen_slot(s, pid) : NULL;
	if (e && e->pid == pid && !exec)
		return;
	struct task_stat ts = {0};
	if (!read_task_stat(pid, &ts))
		return;
	if (e && e->pid == pid && e->start == ts.start)
		return;
	if (!e || e->pid != pid) {
		if (!seen_room(s))
			return;
		e = seen_slot(s, pid);
		e->pid = pid;
		s->nseen++;
	}
	e->start = ts.start;
	if (!s->seen_root) {
		s->seen_root = true; /* the program itself, made by VXE */
		return;
	}
	if (ts.start < s->seen_cleared)
		return;
	int nr = __NR_clone, also = 0;
	if (ts.exit_signal >= 0) {
		int v = vfork_call(pid, ts.ppid);
		if (v < 0) /* one of the two, and unknown: both */
			also = __NR_vfork;
		else if (v)
			nr = v;
		else if (fork_take(s, ts.ppid))
			return;
	}
	trace_report(s, pid, nr);
	if (also)
		trace_report(s, pid, also);
}

/* The numbers the kernel counter samples: those the filter can let
 * through unseen (clone: without namespace flags). */
static bool counted_nr(const struct vxe_plan *plan, int64_t nr)
{
	return nr >= 0 && nr < VXE_NR_MAX &&
	       (plan->sys[nr].act == VXE_F_ALLOW || plan->sys[nr].act == VXE_F_ALLOW_IF);
}

/* A 32-bit call that is continued reaches the tracepoint too, numbered as
 * i386 numbers it: its sample is not a native call. Kept until that sample
 * comes (one per call, never evicted), or a 32-bit getpid would be
 * recorded as writev and a burst of them as clones. */
static void foreign_note(struct vxe_sup *s, pid_t tid, int nr)
{
	for (size_t i = 0; i < s->nforeign; i++)
		if (s->foreign[i].tid == tid && s->foreign[i].nr == nr) {
			s->foreign[i].n++;
			return;
		}
	if (s->nforeign == s->foreign_cap) {
		size_t cap = s->foreign_cap ? s->foreign_cap * 2 : 16;
		struct foreign *f = realloc(s->foreign, cap * sizeof *f);
		if (!f)
			return; /* its sample may be taken for a native call */
		s->foreign = f;
		s->foreign_cap = cap;
	}
	s->foreign[s->nforeign++] = (struct foreign){tid, nr, 1};
}

/* A sample of the kernel counter: recorded if the filter let that call
 * through unseen; a notified one was recorded when it was answered. */
static void trace_counted(void *userdata, pid_t tid, int64_t nr, const uint64_t args[6])
{
	struct vxe_sup *s = userdata;
	for (size_t i = 0; i < s->nforeign; i++)
		if (s->foreign[i].tid == tid && s->foreign[i].nr == nr) {
			if (--s->foreign[i].n == 0)
				s->foreign[i] = s->foreign[--s->nforeign];
			return;
		}
	/* Bounded before the cast: the record's id is 64 bits. */
	if (nr < 0 || nr >= VXE_NR_MAX || !vxe_plan_unseen(s->plan, (int)nr, args))
		return;
	struct vxe_trace_event ev = {
	    .pid = tid,
	    .nr = (int)nr,
	    .arch = "x86_64",
	    .info = s->plan->sys[nr].info,
	    .args = args,
	    .counted = true,
	};
	s->on_trace(s->trace_userdata, &ev);
}

/* Trace mode: record and let the call proceed. Nothing is decided. */
static void trace_one(struct vxe_sup *s)
{
	int nr = s->req->data.nr;
	uint32_t arch = s->req->data.arch;
	bool native = arch == AUDIT_ARCH_X86_64 && !(nr & __X32_SYSCALL_BIT);
	const struct vxe_syscall_info *info =
	    native && nr >= 0 && nr < VXE_NR_MAX ? s->plan->sys[nr].info : NULL;
	const uint64_t *args = (const uint64_t *)s->req->data.args;
	s->handed_over = true;
	/* The recorder reads paths and addresses only; the other arguments
	 * it takes raw. A call without either is recorded straight away. */
	bool reads = false;
	for (unsigned i = 0; info && i < info->nargs && i < VXE_MAX_ARGS; i++)
		reads |=
		    info->args[i].type == VXE_ARG_PATH || info->args[i].type == VXE_ARG_SOCKADDR;
	s->dec.bare = true;
	if (reads)
		vxe_decode_args(s->req->pid, info, args, &s->dec);
	else
		s->dec.n = 0, s->dec.npath = 0, s->dec.path_err = 0;
	if (!reads || ioctl(s->fd, SECCOMP_IOCTL_NOTIF_ID_VALID, &s->req->id) == 0) {
		/* The kernel counter sees clone, vfork and rt_sigreturn
		 * itself; without it they are inferred. */
		bool infer = native && !s->kc;
		if (infer)
			trace_created(s, info && (info->classes & VXE_SC_EXEC));
		if (infer && (nr == __NR_fork || nr == __NR_clone))
			fork_note(s, target_tgid((pid_t)s->req->pid));
		if (!native && s->kc && counted_nr(s->plan, nr))
			foreign_note(s, (pid_t)s->req->pid, nr);
		struct vxe_trace_event ev = {
		    .pid = (pid_t)s->req->pid,
		    .nr = nr,
		    .arch = arch_name(arch, nr),
		    .info = info,
		    .args = args,
		    .ndecoded = s->dec.n,
		    .decoded = s->dec.arg,
		    .path_err = s->dec.path_err,
		};
		s->on_trace(s->trace_userdata, &ev);
		/* rt_sigreturn goes through unseen: a handler installed is one
		 * that may return. */
		uint64_t handler;
		if (infer && nr == __NR_rt_sigaction && args[1] &&
		    vxe_mem_read(s->req->pid, args[1], &handler, sizeof handler) == 0 &&
		    handler != (uint64_t)(uintptr_t)SIG_DFL &&
		    handler != (uint64_t)(uintptr_t)SIG_IGN)
			trace_report(s, (pid_t)s->req->pid, __NR_rt_sigreturn);
	}
	memset(s->resp, 0, sizeof *s->resp);
	s->resp->id = s->req->id;
	s->resp->flags = SECCOMP_USER_NOTIF_FLAG_CONTINUE;
	ioctl(s->fd, SECCOMP_IOCTL_NOTIF_SEND, s->resp);
}

static void handle_one(struct vxe_sup *s)
{
	memset(s->req, 0, sizeof *s->req);
	if (ioctl(s->fd, SECCOMP_IOCTL_NOTIF_RECV, s->req) < 0)
		return; /* interrupted, or the caller died meanwhile */
	if (s->on_trace)
		return trace_one(s);
	struct seccomp_notif_resp *resp = s->resp;
	memset(resp, 0, sizeof *resp);
	resp->id = s->req->id;
	int nr = s->req->data.nr;
	uint32_t arch = s->req->data.arch;
	struct verdict v = {.kind = V_CONTINUE, .fd = -1};
	s->dec.n = 0;

	bool native = arch == AUDIT_ARCH_X86_64 && !(nr & __X32_SYSCALL_BIT);
	char sysname[48];
	if (native && !s->handed_over && s->req->pid == (uint32_t)s->child && nr == __NR_execve) {
		/* VXE's own start-up: the exec of the program itself. No code
		 * of the program has run yet. */
		s->handed_over = true;
	} else if (!native) {
		/* Non-native ABIs are refused unless the VXED permits them; no
		 * VXED can yet, so this is the i386 int 0x80 and x32 path. */
		char *n = seccomp_syscall_resolve_num_arch(
		    arch == AUDIT_ARCH_I386 ? SCMP_ARCH_X86 : SCMP_ARCH_X32, nr);
		snprintf(sysname, sizeof sysname, "%s", n ? n : "?");
		free(n);
		deny(&v, ENOSYS, "arch");
	} else if (nr < 0 || nr >= VXE_NR_MAX) {
		deny(&v, ENOSYS, "unknown");
	} else {
		decide_native(s, nr, &v);
	}
	if (native) {
		const struct vxe_syscall_info *info =
		    nr >= 0 && nr < VXE_NR_MAX ? s->plan->sys[nr].info : NULL;
		if (info)
			snprintf(sysname, sizeof sysname, "%s", info->name);
		else
			snprintf(sysname, sizeof sysname, "syscall_%d", nr);
	}
	/* What was read from the target's memory is only meaningful if the
	 * target is still the one that asked (not dead, pid not reused). */
	if (ioctl(s->fd, SECCOMP_IOCTL_NOTIF_ID_VALID, &s->req->id) < 0) {
		if (v.fd >= 0)
			close(v.fd);
		return;
	}
	if (v.kind == V_DENY)
		log_violation(s, sysname, arch_name(arch, nr), &v);
	if (v.kind == V_CONTINUE || (v.kind == V_DENY && !s->production && !v.hard)) {
		resp->flags = SECCOMP_USER_NOTIF_FLAG_CONTINUE;
	} else if (v.kind == V_DENY) {
		resp->error = -v.err;
	} else if (v.fd >= 0) {
		struct seccomp_notif_addfd add = {
		    .id = s->req->id,
		    .flags = SECCOMP_ADDFD_FLAG_SEND,
		    .srcfd = (uint32_t)v.fd,
		    .newfd_flags = v.addfd_flags,
		};
		/* SEND answers the notification atomically with the new fd. */
		int rc = ioctl(s->fd, SECCOMP_IOCTL_NOTIF_ADDFD, &add);
		close(v.fd);
		if (rc >= 0)
			return;
		resp->error = -errno;
	} else {
		resp->error = (int32_t)v.val;
	}
	ioctl(s->fd, SECCOMP_IOCTL_NOTIF_SEND, resp);
}

/* The log is the supervisor's alone (SPEC 5.8). When run as root, the
 * program gets its own mount namespace in which the log is read-only: a
 * directory that holds nothing but the log and its rotations (the default,
 * /var/log/vxe) is bound read-only as a whole, so rotations made later are
 * covered too; in a directory shared with other files, the log and each
 * rotation present at the start are. Undoing that needs mount or umount,
 * which are in the escape set. As a non-root user the log is the
 * supervisor's own file with mode 0600, out of reach anyway. Worked out
 * before the fork: the child only mounts. */
#define LOG_GUARD_MAX 64
static struct {
	bool dir; /* bind dirpath as a whole */
	char dirpath[PATH_MAX];
	unsigned n; /* else these files */
	char path[LOG_GUARD_MAX][PATH_MAX];
} log_guard;

static void plan_log_guard(const struct vxe_sup *s)
{
	log_guard.dir = false;
	log_guard.n = 0;
	if (!s->log_dir[0] || geteuid() != 0)
		return;
	DIR *d = opendir(s->log_dir);
	if (!d)
		return;
	bool only_logs = true;
	size_t n = strlen(s->log_base);
	for (struct dirent *e; (e = readdir(d));) {
		if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
			continue;
		bool family = strncmp(e->d_name, s->log_base, n) == 0 &&
			      (e->d_name[n] == 0 || e->d_name[n] == '.');
		only_logs &= family;
		if (family && log_guard.n < LOG_GUARD_MAX) {
			int len = snprintf(log_guard.path[log_guard.n], PATH_MAX, "%s/%s",
					   strcmp(s->log_dir, "/") ? s->log_dir : "", e->d_name);
			struct stat st;
			if (len > 0 && len < PATH_MAX &&
			    lstat(log_guard.path[log_guard.n], &st) == 0 && S_ISREG(st.st_mode))
				log_guard.n++;
		}
	}
	closedir(d);
	log_guard.dir = only_logs && strcmp(s->log_dir, "/") != 0;
	snprintf(log_guard.dirpath, sizeof log_guard.dirpath, "%s", s->log_dir);
}

static void ro_bind(const char *path)
{
	if (mount(path, path, NULL, MS_BIND, NULL) == 0)
		mount(NULL, path, NULL, MS_REMOUNT | MS_BIND | MS_RDONLY, NULL);
}

static void protect_log(void)
{
	if (!log_guard.dir && !log_guard.n)
		return;
	if (unshare(CLONE_NEWNS) < 0)
		return;
	/* Keep receiving the host's mounts, never send ours back. */
	mount(NULL, "/", NULL, MS_REC | MS_SLAVE, NULL);
	if (log_guard.dir) {
		ro_bind(log_guard.dirpath);
		return;
	}
	for (unsigned i = 0; i < log_guard.n; i++)
		ro_bind(log_guard.path[i]);
}

/* In the child, between fork and exec. Only async-signal-safe work that
 * cannot block on the supervisor: Landlock, then the filter, then exec. */
static __attribute__((noreturn)) void child_main(const struct vxe_launch *l, struct handover *h,
						 const sigset_t *oldmask)
{
	char warn[1024] = "";
	sigprocmask(SIG_SETMASK, oldmask, NULL);
	protect_log();
	/* no_new_privs keeps a setuid program from gaining privileges inside
	 * the VXE. A daemon that re-executes itself setuid to deliver (exim)
	 * needs it off: a VXED may say :setuid allow, and tracing (which
	 * confines nothing) leaves it off, both only when vxe runs as root,
	 * whose CAP_SYS_ADMIN lets the filter and Landlock go in without it.
	 * The filter and the Landlock domain survive a setuid exec either
	 * way: nothing inside can lift them. */
	bool keep_privs =
	    geteuid() == 0 && (l->plan->mode == VXE_MODE_TRACE || l->plan->policy->setuid_allowed);
	if (!keep_privs && prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0) {
		h->err = errno;
		atomic_store(&h->ready, -1);
		_exit(125);
	}
	if (l->plan->mode == VXE_MODE_SOFT) {
		/* Soft mode performs every call, but VXE itself stays out of
		 * reach: any Landlock domain keeps ptrace and /proc/PID/mem,
		 * /proc/PID/fd of processes outside it (the supervisor, its
		 * log descriptor) closed, and the signal scope keeps the
		 * supervisor from being stopped or killed. Files, network and
		 * abstract sockets are left as they are. */
		static const struct vxe_ll_spec scope_only = {.scope_signal = 1};
		vxe_landlock_apply(&scope_only, warn, sizeof warn);
		warn[0] = 0;
	}
	if (l->plan->mode == VXE_MODE_PRODUCTION) {
		int rc = vxe_landlock_apply(&l->plan->ll, warn, sizeof warn);
		if (rc == -EOPNOTSUPP || rc == -ENOSYS) {
			snprintf(warn, sizeof warn,
				 "landlock unavailable: files and network rules are checked by the "
				 "supervisor only\n");
		} else if (rc < 0) {
			h->err = -rc;
			atomic_store(&h->ready, -2);
			_exit(125);
		}
		/* One warning per line, each saying whose it is. */
		for (char *line = warn, *end; !l->quiet && line && *line; line = end) {
			end = strchr(line, '\n');
			if (end)
				*end++ = 0;
			fprintf(stderr, "vxe: warning: %s\n", line);
		}
	}
	int fd = vxe_bpf_load(l->plan);
	if (fd < 0) {
		h->err = -fd;
		atomic_store(&h->ready, -3);
		_exit(125);
	}
	h->listener_fd = fd;
	atomic_store(&h->ready, 1);
	/* From here on every syscall is filtered; execve waits for the
	 * supervisor, which by then holds a copy of the listener. */
	execve(l->path, l->argv, l->envp);
	h->exec_err = errno;
	syscall(SYS_exit_group, 127);
	_exit(127);
}

static void exec_failed(const struct vxe_launch *l, int err)
{
	fprintf(stderr, "vxe: cannot execute %s: %s\n", l->path, strerror(err));
	if (err == EACCES && l->plan->ll.handle_fs)
		fprintf(stderr,
			"hint: the VXED's (files (execute ...)) must cover the program and, "
			"for a dynamically linked one, its loader "
			"(/lib64/ld-linux-x86-64.so.2)\n");
}

static void forward_or_reap(struct vxe_sup *s, int sigfd, bool *exited, int *status)
{
	struct signalfd_siginfo si;
	while (read(sigfd, &si, sizeof si) == (ssize_t)sizeof si) {
		if (si.ssi_signo == SIGCHLD)
			continue;
		/* Terminal signals reach the whole process group already. */
		if (si.ssi_code == SI_KERNEL)
			continue;
		if (!*exited)
			kill(s->child, (int)si.ssi_signo);
	}
	if (!*exited && waitpid(s->child, status, WNOHANG) == s->child)
		*exited = true;
}

int vxe_sup_run(const struct vxe_launch *l, int *status)
{
	struct vxe_sup s = {.plan = l->plan, .p = l->plan->policy, .log = l->log, .fd = -1};
	s.production = l->plan->mode == VXE_MODE_PRODUCTION;
	s.on_trace = l->on_trace;
	if (!l->log_path || !realpath(l->log_path, s.log_real))
		s.log_real[0] = 0;
	s.log_dir[0] = 0;
	if (s.log_real[0]) {
		char *slash = strrchr(s.log_real, '/');
		snprintf(s.log_dir, sizeof s.log_dir, "%.*s", (int)(slash - s.log_real),
			 s.log_real);
		if (!s.log_dir[0])
			strcpy(s.log_dir, "/");
		s.log_base = slash + 1;
	}
	plan_log_guard(&s);
	s.trace_userdata = l->trace_userdata;
	s.dec.check_root = l->plan->sys[__NR_chroot].rule || l->plan->sys[__NR_pivot_root].rule;
	if (seccomp_notify_alloc(&s.req, &s.resp) < 0) {
		fprintf(stderr, "vxe: out of memory\n");
		return -ENOMEM;
	}
	struct handover *h =
	    mmap(NULL, sizeof *h, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (h == MAP_FAILED)
		return -errno;
	sigset_t mask, oldmask;
	sigemptyset(&mask);
	int fwd[] = {SIGCHLD, SIGTERM, SIGINT, SIGHUP, SIGQUIT, SIGUSR1, SIGUSR2};
	for (size_t i = 0; i < sizeof fwd / sizeof fwd[0]; i++)
		sigaddset(&mask, fwd[i]);
	sigprocmask(SIG_BLOCK, &mask, &oldmask);
	int sigfd = signalfd(-1, &mask, SFD_CLOEXEC | SFD_NONBLOCK);
	fflush(NULL);
	pid_t pid = fork();
	if (pid < 0) {
		int e = errno;
		fprintf(stderr, "vxe: fork: %s\n", strerror(e));
		return -e;
	}
	if (pid == 0)
		child_main(l, h, &oldmask);
	s.child = pid;
	first_tgid = pid;
	int pidfd = (int)syscall(SYS_pidfd_open, pid, 0);

	/* Wait for the listener without asking the child for a syscall. */
	for (;;) {
		int r = atomic_load(&h->ready);
		if (r != 0)
			break;
		int st;
		if (waitpid(pid, &st, WNOHANG) == pid) {
			fprintf(stderr, "vxe: the confined process died during set-up\n");
			return -ECHILD;
		}
		struct timespec ts = {0, 20000};
		nanosleep(&ts, NULL);
	}
	if (atomic_load(&h->ready) < 0) {
		int st;
		waitpid(pid, &st, 0);
		const char *what = h->ready == -1   ? "no_new_privs"
				   : h->ready == -2 ? "landlock"
						    : "seccomp filter";
		fprintf(stderr, "vxe: cannot install the %s: %s\n", what, strerror(h->err));
		return -h->err;
	}
	s.fd = (int)syscall(SYS_pidfd_getfd, pidfd, h->listener_fd, 0);
	if (s.fd < 0) {
		int e = errno;
		kill(pid, SIGKILL);
		fprintf(stderr, "vxe: cannot take the notification listener: %s\n", strerror(e));
		return -e;
	}
	/* Kernel 6.6+: the target and the supervisor hand the CPU to each other
	 * directly, which brings the round trip from tens of microseconds to
	 * about two. Older kernels: EINVAL, and the slower path still works. */
	unsigned long long fl = SECCOMP_USER_NOTIF_FD_SYNC_WAKE_UP;
	ioctl(s.fd, SECCOMP_IOCTL_NOTIF_SET_FLAGS, fl);

	/* The counted plan lets calls through unseen: the counter must be on
	 * before the program's first instruction (it waits in its execve
	 * for us), or they would be missed. */
	char why[256];
	bool want[VXE_NR_MAX];
	for (int nr = 0; s.plan->counted && nr < VXE_NR_MAX; nr++)
		want[nr] = counted_nr(s.plan, nr);
	if (s.plan->counted && s.on_trace &&
	    !(s.kc = vxe_kcount_open(pid, want, VXE_NR_MAX, why, sizeof why))) {
		kill(pid, SIGKILL);
		waitpid(pid, NULL, 0);
		fprintf(stderr, "vxe: cannot count system calls in the kernel: %s\n", why);
		fprintf(stderr,
			"hint: vxe trace --no-kernel-count asks the supervisor about every call\n");
		return -EPERM;
	}
	bool exited = false, detached = false;
	struct pollfd pfd[3] = {{.fd = s.fd, .events = POLLIN},
				{.fd = sigfd, .events = POLLIN},
				{.fd = vxe_kcount_fd(s.kc), .events = POLLIN}};
	for (;;) {
		if (poll(pfd, s.kc ? 3 : 2, -1) < 0 && errno != EINTR)
			break;
		if (pfd[2].revents)
			vxe_kcount_drain(s.kc, trace_counted, &s);
		if (pfd[0].revents & POLLIN)
			handle_one(&s);
		if (pfd[1].revents & POLLIN) {
			bool was = exited;
			forward_or_reap(&s, sigfd, &exited, status);
			if (exited && !was && h->exec_err) {
				exec_failed(l, h->exec_err);
				*status = 127 << 8;
			}
		}
		if (pfd[0].revents & (POLLHUP | POLLERR))
			break; /* no confined process is left */
		if (exited && !detached) {
			struct pollfd q = {.fd = s.fd, .events = POLLIN};
			if (poll(&q, 1, 0) == 1 && (q.revents & (POLLHUP | POLLERR)))
				break;
			/* The program left descendants (a daemon that went to the
			 * background): keep serving them from a detached copy, and
			 * give the caller the program's status now. */
			fflush(NULL);
			pid_t bg = fork();
			if (bg != 0)
				break;
			setsid();
			vxe_kcount_forget(s.kc);
			pfd[2].fd = -1;
			detached = true;
			pfd[1].fd = -1;
		}
	}
	if (detached) {
		vxe_kcount_free(s.kc); /* its cgroup, now empty */
		_exit(0);
	}
	if (!exited) {
		/* The listener hung up first: the program is gone or going. */
		while (waitpid(s.child, status, 0) < 0 && errno == EINTR)
			;
		exited = true;
		if (h->exec_err) {
			exec_failed(l, h->exec_err);
			*status = 127 << 8;
		}
	}
	if (s.kc) {
		/* Every sample of the calls made so far is in the buffers. */
		vxe_kcount_drain(s.kc, trace_counted, &s);
		if (l->counted_lost)
			*l->counted_lost = vxe_kcount_lost(s.kc);
		vxe_kcount_free(s.kc); /* after the reaping: its cgroup is empty */
	}
	free(s.foreign);
	close(s.fd);
	close(sigfd);
	close(pidfd);
	free(s.seen);
	munmap(h, sizeof *h);
	seccomp_notify_free(s.req, s.resp);
	if (l->hold_signals)
		*l->hold_signals = oldmask;
	else
		sigprocmask(SIG_SETMASK, &oldmask, NULL);
	return 0;
}
