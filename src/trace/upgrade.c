/* vxe upgrade's model: log records against a loaded VXED, proposals, and
 * the text of the next version (see vxe/upgrade.h, doc/upgrade.md). The
 * access a call needed is derived as the supervisor derives it, from the
 * log alone (src/supervisor/supervisor.c needed_access, src/compile/plan.c
 * file_calls); the new forms are printed by the trace printer.
 *
 * The log may be forged by the program it describes (red-team report,
 * /tmp/redteam-dev-report.md): escape-set argument values are never put in
 * a proposal (vxe_escape_value, the plan's own closures); a path that is
 * not absolute is never resolved here; the risk table below decides what
 * --accept-all leaves to a person; and proposals are found by hash, so that
 * a flood of distinct records costs linear time. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include <linux/kd.h>
#include <linux/vt.h>

#include "compile/compile_internal.h"
#include "policy/policy_internal.h"
#include "trace/trace_internal.h"
#include "vxe/landlock.h"
#include "vxe/upgrade.h"

/* ---- the index ------------------------------------------------------------
 * Open addressing on 64-bit FNV-1a hashes; entries name a proposal by its
 * index (props moves when it grows) and, in the table of writes, a step of
 * its ladder. Every lookup verifies the key on the proposal itself. */

struct up_ent {
	uint64_t h;
	size_t idx; /* proposal index + 1; 0: empty */
	unsigned k; /* writes: the ladder step */
};

struct up_tab {
	struct up_ent *e;
	size_t cap, n;
};

struct vxe_up_index {
	struct up_tab props;  /* one entry per proposal, by its key */
	struct up_tab writes; /* every ladder step of every write proposal */
};

#define FNV_INIT 0xcbf29ce484222325ull

static uint64_t fnv(uint64_t h, const void *data, size_t n)
{
	const unsigned char *c = data;
	for (size_t i = 0; i < n; i++) {
		h ^= c[i];
		h *= 0x100000001b3ull;
	}
	return h;
}

static uint64_t fnv_str(uint64_t h, const char *s)
{
	return fnv(h, s ? s : "", s ? strlen(s) + 1 : 1);
}

static bool tab_put(struct up_tab *t, uint64_t h, size_t idx, unsigned k)
{
	if ((t->n + 1) * 2 > t->cap) {
		size_t cap = t->cap ? t->cap * 2 : 64;
		struct up_ent *e = calloc(cap, sizeof *e);
		if (!e)
			return false;
		for (size_t i = 0; i < t->cap; i++) {
			if (!t->e[i].idx)
				continue;
			size_t j = t->e[i].h & (cap - 1);
			while (e[j].idx)
				j = (j + 1) & (cap - 1);
			e[j] = t->e[i];
		}
		free(t->e);
		t->e = e;
		t->cap = cap;
	}
	size_t j = h & (t->cap - 1);
	while (t->e[j].idx)
		j = (j + 1) & (t->cap - 1);
	t->e[j] = (struct up_ent){h, idx + 1, k};
	t->n++;
	return true;
}

/* Entries with hash h: *pos starts at SIZE_MAX; NULL at the end. */
static const struct up_ent *tab_next(const struct up_tab *t, uint64_t h, size_t *pos)
{
	if (!t->cap)
		return NULL;
	size_t j = *pos == SIZE_MAX ? h & (t->cap - 1) : (*pos + 1) & (t->cap - 1);
	for (; t->e[j].idx; j = (j + 1) & (t->cap - 1))
		if (t->e[j].h == h) {
			*pos = j;
			return &t->e[j];
		}
	return NULL;
}

/* The key of a proposal: what makes two records the same proposal. */
static uint64_t prop_key(enum vxe_up_kind kind, const char *syscall, const char *rule,
			 unsigned access, const char *path, unsigned op, int proto, unsigned port)
{
	unsigned char k = (unsigned char)kind;
	uint64_t h = fnv(FNV_INIT, &k, 1);
	switch (kind) {
	case VXE_UP_PATH:
		h = fnv(h, &access, sizeof access);
		return fnv_str(h, path);
	case VXE_UP_NET:
		h = fnv(h, &op, sizeof op);
		h = fnv(h, &proto, sizeof proto);
		return fnv(h, &port, sizeof port);
	case VXE_UP_MANUAL:
		h = fnv_str(h, rule);
		/* fall through */
	default:
		return fnv_str(h, syscall);
	}
}

static uint64_t key_of(const struct vxe_up_prop *p)
{
	return prop_key(p->kind, p->syscall, p->rule, p->access, p->ladder[0], (unsigned)p->op,
			p->proto, p->port);
}

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
	free(p->escvals);
	free(p->escarg);
	free(p->console);
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
	if (u->index) {
		free(u->index->props.e);
		free(u->index->writes.e);
		free(u->index);
	}
	u->index = NULL;
	u->props = NULL;
	u->nprops = u->cap = 0;
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

/* ---- risks ------------------------------------------------------------------
 * One table for vxe upgrade's review and vxe check's listing. Each row: the
 * access it is about, how the grant's path is matched, the pattern and why
 * it is risky. The first row that matches is the reason given. */

enum risk_match {
	R_UNDER,     /* the grant is the path or below it */
	R_ITSELF,    /* the grant is exactly the path */
	R_COVERS,    /* the grant is the path or one of its directories */
	R_REACH,     /* R_UNDER or R_COVERS */
	R_TOPGLOB,   /* the first component matches the pattern (NAME*) */
	R_CHILD,     /* the grant is one level below the path (/home/NAME) */
	R_PID,	     /* the grant is a numbered entry of the path or below it (/proc/PID) */
	R_COMPONENT, /* a component of the grant is the pattern */
	R_KEYS,	     /* under the path and named *_key, or covers the path */
	R_DEV,	     /* under /dev, except the harmless devices */
	R_NAME,	     /* the base name matches the pattern (NAME or NAME*) */
	R_TOP,	     /* a top-level directory */
	R_TOPPRIV,   /* a top-level directory but those of public system files */
	R_JOURNAL,   /* exactly a logging or notify socket of systemd's: no risk (why NULL) */
};

#define RR     VXE_FS_READ
#define RW     VXE_FS_WRITE
#define RX     VXE_FS_EXECUTE
#define SHELL  "execute of a shell: it runs any command it is given"
#define INTERP "execute of an interpreter: it runs any program it is given"
#define ASUSER "execute of a program that runs commands as another user"
#define OUTSIDE                                                                                    \
	"execute of a program that hands commands to something outside VXE (systemd, atd, cron, "  \
	"a remote host)"
#define NSTOOL	"execute of a program that changes root, namespaces, mounts or capabilities"
#define DEBUG	"execute of a debugger or tracer: it reads and changes other processes"
#define KERNEL	"execute of a kernel tool: modules, kexec, BPF"
#define NETTOOL "execute of a network tool: it reaches any host (and may run what it fetched)"
#define CTLSOCK                                                                                    \
	"connect to a control socket: it runs code as root outside VXE (D-Bus, systemd, "          \
	"containers)"

static const struct risk {
	unsigned access;
	enum risk_match m;
	const char *pat;
	const char *why;
} risks[] = {
    /* write */
    {RW, R_REACH, "/etc", "write under /etc: system configuration (services, cron, PAM, sudo)"},
    {RW, R_REACH, "/usr", "write under /usr: system programs and libraries"},
    {RW, R_REACH, "/boot", "write under /boot: the kernel and its boot loader"},
    {RW, R_REACH, "/root", "write under /root: root's home (shell start-up files, ~/.ssh)"},
    {RW, R_REACH, "/bin", "write under /bin: system programs"},
    {RW, R_REACH, "/sbin", "write under /sbin: system programs"},
    {RW, R_TOPGLOB, "lib", "write under /lib*: system libraries and modules"},
    {RW, R_REACH, "/var/spool/cron", "write under /var/spool/cron: crontabs run as their owner"},
    {RW, R_REACH, "/var/lib/dpkg", "write under /var/lib/dpkg: package scripts run as root"},
    {RW, R_ITSELF, "/var/lib", "write on /var/lib itself: every package's state"},
    {RW, R_ITSELF, "/var", "write on /var itself"},
    {RW, R_REACH, "/var/log/vxe", "write under /var/log/vxe: VXE's own log"},
    {RW, R_REACH, "/var/lib/sudo",
     "write under /var/lib/sudo: sudo's timestamps (sudo "
     "without a password)"},
    {RW, R_REACH, "/var/lib/polkit-1", "write under /var/lib/polkit-1: polkit's authorisations"},
    {RW, R_REACH, "/var/lib/systemd",
     "write under /var/lib/systemd: systemd's state (lingering "
     "users, timers)"},
    {RW, R_REACH, "/var/www",
     "write under /var/www: the web root (defacement, code the web "
     "server runs)"},
    {RW, R_REACH, "/var/spool/at", "write under /var/spool/at: at jobs run as their owner"},
    /* Control sockets: connecting is a write on the socket. */
    {RW, R_REACH, "/run/dbus", CTLSOCK},
    {RW, R_REACH, "/var/run/dbus", CTLSOCK},
    {RW, R_REACH, "/run/containerd", CTLSOCK},
    {RW, R_REACH, "/var/run/containerd", CTLSOCK},
    {RW, R_REACH, "/run/docker", CTLSOCK},
    {RW, R_REACH, "/var/run/docker", CTLSOCK},
    {RW, R_REACH, "/run/podman", CTLSOCK},
    {RW, R_REACH, "/run/libvirt", CTLSOCK},
    {RW, R_REACH, "/run/crio", CTLSOCK},
    {RW, R_REACH, "/run/snapd", CTLSOCK},
    {RW, R_NAME, "docker.sock", CTLSOCK},
    {RW, R_NAME, "containerd.sock", CTLSOCK},
    {RW, R_NAME, "podman.sock", CTLSOCK},
    {RW, R_NAME, "crio.sock", CTLSOCK},
    {RW, R_NAME, "snapd.socket", CTLSOCK},
    {RW, R_NAME, "snapd-snap.socket", CTLSOCK},
    {RW, R_NAME, "system_bus_socket", CTLSOCK},
    {RW, R_NAME, "libvirt-sock", CTLSOCK},
    {RW, R_ITSELF, "/run", "write on /run itself: every service's runtime state"},
    {RW, R_JOURNAL, "/run/systemd", NULL}, /* journald's sockets, sd_notify: not a risk */
    {RW, R_REACH, "/run/systemd",
     "write under /run/systemd: transient units run as root, "
     "systemd's private socket"},
    {RW, R_REACH, "/run/user",
     "write under /run/user: users' session buses and systemd "
     "managers (code run as the user)"},
    {RW, R_REACH, "/run/udev", "write under /run/udev: device rules run as root"},
    {RW, R_REACH, "/proc", "write under /proc: kernel settings (core_pattern runs a program)"},
    {RW, R_REACH, "/sys", "write under /sys: kernel and device settings"},
    {RW, R_DEV, "/dev", "write under /dev: devices (disks, memory, terminals)"},
    {RW, R_COMPONENT, ".ssh", "write under a .ssh directory: logins (authorized_keys)"},
    {RW, R_COMPONENT, ".bashrc", "write of a shell start-up file: runs at the next login"},
    {RW, R_COMPONENT, ".bash_profile", "write of a shell start-up file: runs at the next login"},
    {RW, R_COMPONENT, ".bash_login", "write of a shell start-up file: runs at the next login"},
    {RW, R_COMPONENT, ".profile", "write of a shell start-up file: runs at the next login"},
    {RW, R_COMPONENT, ".zshrc", "write of a shell start-up file: runs at the next login"},
    {RW, R_COMPONENT, ".zshenv", "write of a shell start-up file: runs at the next login"},
    {RW, R_COMPONENT, ".zprofile", "write of a shell start-up file: runs at the next login"},
    {RW, R_COMPONENT, ".forward", "write of a .forward file: mail delivery can run a program"},
    {RW, R_ITSELF, "/home", "write on /home itself: users' home directories"},
    {RW, R_CHILD, "/home", "write on a home directory itself (start-up files, ~/.ssh)"},
    /* read */
    {RR, R_COVERS, "/etc/shadow", "read of /etc/shadow: password hashes"},
    {RR, R_COVERS, "/etc/shadow-", "read of /etc/shadow-: password hashes"},
    {RR, R_COVERS, "/etc/gshadow", "read of /etc/gshadow: group password hashes"},
    {RR, R_COVERS, "/etc/gshadow-", "read of /etc/gshadow-: group password hashes"},
    {RR, R_KEYS, "/etc/ssh", "read of the SSH host keys (/etc/ssh/*_key)"},
    {RR, R_REACH, "/etc/ssl/private", "read of TLS private keys (/etc/ssl/private)"},
    {RR, R_REACH, "/root", "read of /root: root's home (~/.ssh, history)"},
    {RR, R_COMPONENT, ".ssh", "read under a .ssh directory: private keys"},
    {RR, R_ITSELF, "/home", "read of /home: covers users' ~/.ssh"},
    {RR, R_CHILD, "/home", "read of a home directory: covers ~/.ssh"},
    {RR, R_REACH, "/etc/sudoers", "read of /etc/sudoers: who may become root"},
    {RR, R_REACH, "/etc/sudoers.d", "read of /etc/sudoers.d: who may become root"},
    {RR, R_REACH, "/etc/security/opasswd", "read of /etc/security/opasswd: old password hashes"},
    {RR, R_REACH, "/var/backups", "read of /var/backups: copies of shadow and gshadow"},
    {RR, R_DEV, "/dev", "read of a device: disks, memory, the kernel's log, keyboards"},
    {RR, R_ITSELF, "/proc",
     "read of the whole of /proc: every process's memory maps, "
     "command lines, kernel settings"},
    {RR, R_REACH, "/proc/kcore", "read of /proc/kcore: the kernel's memory"},
    {RR, R_PID, "/proc",
     "read of a numbered process's /proc entries (environ, mem, fds): which process "
     "that is changes from run to run"},
    {RR, R_REACH, "/proc/kallsyms", "read of /proc/kallsyms: kernel addresses (KASLR)"},
    {RR, R_REACH, "/sys/kernel/debug", "read of /sys/kernel/debug: kernel internals"},
    {RR, R_REACH, "/sys/firmware", "read of /sys/firmware: ACPI tables, EFI variables"},
    /* execute: shells and interpreters run any command they are given */
    {RX, R_NAME, "sh", SHELL},
    {RX, R_NAME, "bash", SHELL},
    {RX, R_NAME, "dash", SHELL},
    {RX, R_NAME, "zsh", SHELL},
    {RX, R_NAME, "ksh*", SHELL},
    {RX, R_NAME, "mksh", SHELL},
    {RX, R_NAME, "csh", SHELL},
    {RX, R_NAME, "tcsh", SHELL},
    {RX, R_NAME, "fish", SHELL},
    {RX, R_NAME, "ash", SHELL},
    {RX, R_NAME, "rbash", SHELL},
    {RX, R_NAME, "busybox", SHELL},
    {RX, R_NAME, "python*", INTERP},
    {RX, R_NAME, "perl*", INTERP},
    {RX, R_NAME, "ruby*", INTERP},
    {RX, R_NAME, "php*", INTERP},
    {RX, R_NAME, "lua*", INTERP},
    {RX, R_NAME, "node", INTERP},
    {RX, R_NAME, "nodejs", INTERP},
    {RX, R_NAME, "tclsh*", INTERP},
    {RX, R_NAME, "wish*", INTERP},
    {RX, R_NAME, "awk", INTERP},
    {RX, R_NAME, "gawk", INTERP},
    {RX, R_NAME, "mawk", INTERP},
    {RX, R_NAME, "nawk", INTERP},
    {RX, R_NAME, "env", "execute of env: it runs any program it is given"},
    {RX, R_NAME, "sudo", ASUSER},
    {RX, R_NAME, "sudoedit", ASUSER},
    {RX, R_NAME, "su", ASUSER},
    {RX, R_NAME, "doas", ASUSER},
    {RX, R_NAME, "pkexec", ASUSER},
    {RX, R_NAME, "runuser", ASUSER},
    {RX, R_NAME, "setpriv", ASUSER},
    {RX, R_NAME, "systemd-run", OUTSIDE},
    {RX, R_NAME, "at", OUTSIDE},
    {RX, R_NAME, "batch", OUTSIDE},
    {RX, R_NAME, "crontab", OUTSIDE},
    {RX, R_NAME, "ssh", OUTSIDE},
    {RX, R_NAME, "scp", OUTSIDE},
    {RX, R_NAME, "sftp", OUTSIDE},
    {RX, R_NAME, "nsenter", NSTOOL},
    {RX, R_NAME, "unshare", NSTOOL},
    {RX, R_NAME, "chroot", NSTOOL},
    {RX, R_NAME, "capsh", NSTOOL},
    {RX, R_NAME, "mount", NSTOOL},
    {RX, R_NAME, "umount", NSTOOL},
    {RX, R_NAME, "pivot_root", NSTOOL},
    {RX, R_NAME, "gdb", DEBUG},
    {RX, R_NAME, "strace", DEBUG},
    {RX, R_NAME, "ltrace", DEBUG},
    {RX, R_NAME, "insmod", KERNEL},
    {RX, R_NAME, "rmmod", KERNEL},
    {RX, R_NAME, "modprobe", KERNEL},
    {RX, R_NAME, "kexec", KERNEL},
    {RX, R_NAME, "bpftool", KERNEL},
    {RX, R_NAME, "nc", NETTOOL},
    {RX, R_NAME, "nc.openbsd", NETTOOL},
    {RX, R_NAME, "nc.traditional", NETTOOL},
    {RX, R_NAME, "ncat", NETTOOL},
    {RX, R_NAME, "netcat", NETTOOL},
    {RX, R_NAME, "socat", NETTOOL},
    {RX, R_NAME, "curl", NETTOOL},
    {RX, R_NAME, "wget", NETTOOL},
    {RX, R_COVERS, "/bin", "execute of a directory that holds shells and interpreters"},
    {RX, R_COVERS, "/sbin", "execute of a directory that holds shells and interpreters"},
    {RX, R_COVERS, "/usr/bin", "execute of a directory that holds shells and interpreters"},
    {RX, R_COVERS, "/usr/sbin", "execute of a directory that holds system programs"},
    {RX, R_COVERS, "/usr/local/bin", "execute of a directory that may hold interpreters"},
    /* any access (reading all of /usr, /lib*, /bin, /sbin is what any user may) */
    {RW | RX, R_TOP, NULL, "a whole top-level directory"},
    {RR, R_TOPPRIV, NULL, "a whole top-level directory"},
};

static const char *base_of(const char *path)
{
	const char *b = strrchr(path, '/');
	return b ? b + 1 : path;
}

/* NAME or NAME* (a prefix). */
static bool name_matches(const char *name, const char *pat)
{
	size_t n = strlen(pat);
	if (n && pat[n - 1] == '*')
		return strncmp(name, pat, n - 1) == 0;
	return strcmp(name, pat) == 0;
}

static bool has_component(const char *path, const char *name)
{
	size_t n = strlen(name);
	for (const char *c = path; (c = strchr(c, '/')); c++)
		if (strncmp(c + 1, name, n) == 0 && (c[1 + n] == 0 || c[1 + n] == '/'))
			return true;
	return false;
}

/* Devices a daemon may write without reaching the host. */
static bool harmless_dev(const char *path)
{
	static const char *const files[] = {
	    "/dev/null", "/dev/zero",  "/dev/full",   "/dev/random", "/dev/urandom", "/dev/tty",
	    "/dev/log",	 "/dev/stdin", "/dev/stdout", "/dev/stderr", "/dev/ptmx",    NULL};
	static const char *const dirs[] = {"/dev/shm/", "/dev/mqueue/", "/dev/pts/", "/dev/fd/",
					   NULL};
	for (unsigned i = 0; files[i]; i++)
		if (strcmp(path, files[i]) == 0)
			return true;
	for (unsigned i = 0; dirs[i]; i++)
		if (strncmp(path, dirs[i], strlen(dirs[i])) == 0 && path[strlen(dirs[i])])
			return true;
	return false;
}

static bool risk_match(const struct risk *r, const char *path)
{
	switch (r->m) {
	case R_UNDER:
		return under(path, r->pat);
	case R_ITSELF:
		return strcmp(path, r->pat) == 0;
	case R_COVERS:
		return under(r->pat, path);
	case R_REACH:
		return under(path, r->pat) || under(r->pat, path);
	case R_TOPGLOB:
		return strncmp(path + 1, r->pat, strlen(r->pat)) == 0;
	case R_CHILD: {
		size_t n = strlen(r->pat);
		return strncmp(path, r->pat, n) == 0 && path[n] == '/' && path[n + 1] &&
		       !strchr(path + n + 1, '/');
	}
	case R_PID: {
		size_t n = strlen(r->pat);
		return strncmp(path, r->pat, n) == 0 && path[n] == '/' && path[n + 1] >= '0' &&
		       path[n + 1] <= '9';
	}
	case R_COMPONENT:
		return has_component(path, r->pat);
	case R_KEYS: {
		size_t bl = strlen(base_of(path));
		return under(r->pat, path) || (under(path, r->pat) && bl >= 4 &&
					       strcmp(path + strlen(path) - 4, "_key") == 0);
	}
	case R_DEV:
		return under(path, r->pat) && !harmless_dev(path);
	case R_NAME:
		return name_matches(base_of(path), r->pat);
	case R_TOP:
		return path[0] == '/' && path[1] && !strchr(path + 1, '/');
	case R_TOPPRIV:
		return path[0] == '/' && path[1] && !strchr(path + 1, '/') &&
		       strcmp(path, "/usr") != 0 && strcmp(path, "/bin") != 0 &&
		       strcmp(path, "/sbin") != 0 && strncmp(path, "/lib", 4) != 0;
	case R_JOURNAL: {
		/* Sockets every daemon may write (connect, send): syslog and
		 * journald's, and sd_notify's, which speaks of its own unit. */
		static const char *const socks[] = {
		    "/run/systemd/journal/dev-log", "/run/systemd/journal/socket",
		    "/run/systemd/journal/stdout",  "/run/systemd/journal/syslog",
		    "/run/systemd/notify",	    NULL};
		for (unsigned i = 0; socks[i]; i++)
			if (strcmp(path, socks[i]) == 0)
				return true;
		return false;
	}
	}
	return false;
}

/* A directory, there now, holding a shell or an interpreter (an
 * executable file by that name, not a directory of modules): its row. */
static const struct risk *dir_holds_interpreter(const char *path)
{
	struct stat st;
	if (stat(path, &st) < 0 || !S_ISDIR(st.st_mode))
		return NULL;
	DIR *d = opendir(path);
	if (!d)
		return NULL;
	const struct risk *found = NULL;
	struct dirent *e;
	for (unsigned n = 0; !found && n < 10000 && (e = readdir(d)); n++)
		for (size_t i = 0; i < sizeof risks / sizeof risks[0]; i++) {
			if (risks[i].m != R_NAME || !(risks[i].access & RX) ||
			    !name_matches(e->d_name, risks[i].pat))
				continue;
			if (fstatat(dirfd(d), e->d_name, &st, 0) == 0 && S_ISREG(st.st_mode) &&
			    (st.st_mode & 0111))
				found = &risks[i];
			break;
		}
	closedir(d);
	return found;
}

static const char *socket_risk(const struct vxe_grant *g)
{
	if (!g->domains)
		return "socket of any family: AF_PACKET (raw frames), AF_NETLINK (kernel "
		       "configuration), AF_KEY, raw sockets";
	static const struct {
		int family;
		const char *why;
	} bad[] = {
	    {AF_PACKET, "socket AF_PACKET: raw frames of every interface (sniffing, spoofing)"},
	    {AF_NETLINK, "socket AF_NETLINK: kernel configuration (routes, addresses, firewall)"},
	    {AF_KEY, "socket AF_KEY: IPsec keys"},
	};
	char buf[512];
	snprintf(buf, sizeof buf, "%s", g->domains);
	char *save = NULL;
	for (char *t = strtok_r(buf, " ()", &save); t; t = strtok_r(NULL, " ()", &save)) {
		int64_t v;
		char *end;
		const struct vxe_const *c = vxe_const_by_name(t);
		if (c)
			v = c->value;
		else if ((v = strtoll(t, &end, 0)), *end)
			continue;
		for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
			if (v == bad[i].family && (!c || strncmp(t, "SOCK_", 5) != 0))
				return bad[i].why;
		if (c && (strcmp(t, "SOCK_RAW") == 0 || strcmp(t, "SOCK_PACKET") == 0))
			return "raw sockets: any packet, forged or read";
	}
	return g->raw ? "raw sockets: any packet, forged or read" : NULL;
}

/* ioctl requests that take a console or a terminal over: keystrokes bound
 * to keys or key strings (typed into the next login), the console's
 * output redirected, a line discipline loaded, virtual terminals switched
 * or locked, the screen's font and maps replaced. The kernel reads an
 * unsigned int. */
static const struct {
	uint32_t v;
	const char *name;
} console_ioctls[] = {
    {KDSKBENT, "KDSKBENT"},
    {KDSKBSENT, "KDSKBSENT"},
    {KDSETKEYCODE, "KDSETKEYCODE"},
    {KDSKBMODE, "KDSKBMODE"},
    {KDSETMODE, "KDSETMODE"},
    {KDSIGACCEPT, "KDSIGACCEPT"},
    {KDFONTOP, "KDFONTOP"},
    {PIO_FONT, "PIO_FONT"},
    {PIO_FONTX, "PIO_FONTX"},
    {PIO_FONTRESET, "PIO_FONTRESET"},
    {PIO_SCRNMAP, "PIO_SCRNMAP"},
    {PIO_UNISCRNMAP, "PIO_UNISCRNMAP"},
    {PIO_UNIMAP, "PIO_UNIMAP"},
    {PIO_UNIMAPCLR, "PIO_UNIMAPCLR"},
    {TIOCCONS, "TIOCCONS"},
    {TIOCSETD, "TIOCSETD"},
    {VT_ACTIVATE, "VT_ACTIVATE"},
    {VT_WAITACTIVE, "VT_WAITACTIVE"},
    {VT_SETMODE, "VT_SETMODE"},
    {VT_RELDISP, "VT_RELDISP"},
    {VT_DISALLOCATE, "VT_DISALLOCATE"},
    {VT_RESIZE, "VT_RESIZE"},
    {VT_RESIZEX, "VT_RESIZEX"},
    {VT_LOCKSWITCH, "VT_LOCKSWITCH"},
    {VT_UNLOCKSWITCH, "VT_UNLOCKSWITCH"},
    {VT_SETACTIVATE, "VT_SETACTIVATE"},
};

/* The name of a console ioctl request, or NULL. */
static const char *console_ioctl(int64_t v)
{
	for (size_t i = 0; i < sizeof console_ioctls / sizeof console_ioctls[0]; i++)
		if ((uint32_t)v == console_ioctls[i].v)
			return console_ioctls[i].name;
	return NULL;
}

/* The first console request a space-separated list of names and numbers
 * names, or NULL. */
static const char *console_in(const char *list)
{
	char buf[1024];
	snprintf(buf, sizeof buf, "%s", list ? list : "");
	char *save = NULL;
	for (char *t = strtok_r(buf, " ()|", &save); t; t = strtok_r(NULL, " ()|", &save)) {
		int64_t v;
		char *end;
		const struct vxe_const *c = vxe_const_by_name(t);
		if (c)
			v = c->value;
		else if ((v = (int64_t)strtoull(t, &end, 0)), *end || end == t)
			continue;
		const char *n = console_ioctl(v);
		if (n)
			return n;
	}
	return NULL;
}

static const char *ioctl_risk(const struct vxe_grant *g, char *why, size_t size)
{
	const char *n = g->requests ? console_in(g->requests) : NULL;
	if (!n && g->seen)
		n = console_in(g->seen);
	if (!n)
		return NULL;
	snprintf(why, size,
		 "ioctl %s%s: it takes over the console or a terminal (keystrokes, key strings, "
		 "virtual terminals, the console's output)",
		 n, g->requests && console_in(g->requests) ? "" : " was seen");
	return why;
}

const char *vxe_grant_risk(const struct vxe_policy *p, const struct vxe_grant *g)
{
	static _Thread_local char why[256];
	if (g->kind == VXE_GRANT_SOCKET)
		return socket_risk(g);
	if (g->kind == VXE_GRANT_IOCTL)
		return ioctl_risk(g, why, sizeof why);
	const char *path = g->path;
	if (!path || path[0] != '/')
		return "not an absolute path";
	for (size_t i = 0; i < sizeof risks / sizeof risks[0]; i++) {
		const struct risk *r = &risks[i];
		if (!(g->access & r->access) || !risk_match(r, path))
			continue;
		if (!r->why) { /* a harmless exception: no further row for this access */
			if (g->access == r->access)
				break;
			continue;
		}
		return r->why;
	}
	if (g->access & VXE_FS_EXECUTE) {
		const struct risk *r = dir_holds_interpreter(path);
		if (r) {
			/* The pattern, not the name found: that is not ours to print. */
			snprintf(why, sizeof why, "execute of a directory that holds %s (%s)",
				 strcmp(r->why, SHELL) == 0    ? "a shell"
				 : strcmp(r->why, INTERP) == 0 ? "an interpreter"
							       : "a program risky to execute",
				 r->pat);
			return why;
		}
	}
	/* Execute and write on the same files: it can run what it wrote. */
	unsigned other = ((g->access & VXE_FS_EXECUTE) ? VXE_FS_WRITE : 0) |
			 ((g->access & VXE_FS_WRITE) ? VXE_FS_EXECUTE : 0);
	for (size_t i = 0; p && other && i < p->npaths; i++) {
		const struct vxe_path_rule *r = &p->paths[i];
		if (!(r->access & other) || !(under(path, r->path) || under(r->path, path)))
			continue;
		if ((g->access & VXE_FS_EXECUTE) && (r->access & VXE_FS_WRITE))
			return "execute of a path the VXED also lets write: it can run what it "
			       "wrote";
		if ((g->access & VXE_FS_WRITE) && (r->access & VXE_FS_EXECUTE))
			return "write on a path the VXED also lets execute: it can run what it "
			       "wrote";
	}
	return NULL;
}

bool vxe_upgrade_writable(const struct vxe_up_prop *p)
{
	if (p->kind == VXE_UP_PATH || p->kind == VXE_UP_NET)
		return true;
	if (p->kind != VXE_UP_SYSCALL)
		return false;
	/* A check was wanted and only escape-set values were seen. */
	return !(p->param && !p->nocheck && !p->values && p->escvals);
}

static bool has_check(const struct vxe_up_prop *p)
{
	return p->kind == VXE_UP_SYSCALL && p->param && !p->nocheck && p->values;
}

/* Another proposal, not rejected, lets write on path (or a directory of
 * it) at its current step: the ancestors of path looked up by hash. */
static bool proposal_writes(const struct vxe_upgrade *u, const struct vxe_up_prop *self,
			    const char *path)
{
	if (!u || !u->index)
		return false;
	uint64_t h = FNV_INIT;
	for (size_t i = 0;; i++) {
		if (i > 0 && (path[i] == '/' || path[i] == 0)) {
			uint64_t hk = fnv(h, "", 1); /* as fnv_str: the NUL too */
			size_t pos = SIZE_MAX;
			for (const struct up_ent *e; (e = tab_next(&u->index->writes, hk, &pos));) {
				const struct vxe_up_prop *w = &u->props[e->idx - 1];
				const char *wp = w->ladder[e->k];
				if (w != self && w->decision != VXE_UP_REJECT && w->step >= e->k &&
				    strlen(wp) == i && memcmp(wp, path, i) == 0)
					return true;
			}
		}
		if (!path[i])
			return false;
		h = fnv(h, path + i, 1);
	}
}

const char *vxe_upgrade_risk(const struct vxe_upgrade *u, const struct vxe_up_prop *p)
{
	if (p->kind == VXE_UP_HARD)
		return "no VXED can grant this: an attempt on VXE itself or a foreign ABI";
	if (p->escape)
		return "ESCAPE SET: this call opens a way out of the environment";
	if (!vxe_upgrade_writable(p))
		return NULL;
	const struct vxe_policy *pol = u ? u->p : NULL;
	if (p->kind == VXE_UP_SYSCALL && strcmp(p->syscall, "ioctl") == 0) {
		/* The check names them, or the plain permit lets them: both
		 * grant what was seen. */
		struct vxe_grant g = {.kind = VXE_GRANT_IOCTL, .seen = p->console};
		g.requests = has_check(p) && p->step == 0 ? p->values : NULL;
		return vxe_grant_risk(pol, &g);
	}
	if (p->kind == VXE_UP_SYSCALL) {
		if (strcmp(p->syscall, "socket") != 0) /* socketpair: AF_UNIX only */
			return NULL;
		struct vxe_grant g = {.kind = VXE_GRANT_SOCKET, .raw = p->raw_socket};
		g.domains = has_check(p) && p->step == 0 ? p->values : NULL;
		return vxe_grant_risk(pol, &g);
	}
	if (p->kind != VXE_UP_PATH || !p->nsteps)
		return NULL;
	const char *path = p->ladder[p->step];
	struct vxe_grant g = {.kind = VXE_GRANT_PATH, .access = p->access, .path = path};
	const char *r = vxe_grant_risk(pol, &g);
	if (r || !u)
		return r;
	if ((p->access & VXE_FS_EXECUTE) && proposal_writes(u, p, path))
		return "execute of a path another proposal lets write: it can run what it wrote";
	/* Broadened by hand: the other direction too (few, a person's pace). */
	for (size_t i = 0; p->step > 0 && i < u->nprops; i++) {
		const struct vxe_up_prop *o = &u->props[i];
		if (o == p || o->kind != VXE_UP_PATH || o->decision == VXE_UP_REJECT ||
		    !under(o->ladder[o->step], path))
			continue;
		if ((p->access & VXE_FS_EXECUTE) && (o->access & VXE_FS_WRITE))
			return "execute of a directory another proposal lets write in";
		if ((p->access & VXE_FS_WRITE) && (o->access & VXE_FS_EXECUTE))
			return "write on a directory another proposal lets execute in";
	}
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

/* An integer argument as the log shows it: a number, or names of
 * constants (flags joined by '|', unnamed bits as 0x...). false if there is
 * nothing to read; names VXE does not know add nothing. */
static bool arg_int(const struct vxe_logval *v, int64_t *out)
{
	if (v->kind == VXE_LOGVAL_INT) {
		*out = v->i;
		return true;
	}
	if (v->kind != VXE_LOGVAL_STR || !v->str.s)
		return false;
	int64_t f = 0;
	char buf[512];
	snprintf(buf, sizeof buf, "%s", v->str.s);
	char *save = NULL;
	for (char *t = strtok_r(buf, "|", &save); t; t = strtok_r(NULL, "|", &save)) {
		const struct vxe_const *c = vxe_const_by_name(t);
		if (c)
			f |= c->value;
		else if (strncmp(t, "0x", 2) == 0)
			f |= (int64_t)strtoull(t, NULL, 16);
		else if (t[0] >= '0' && t[0] <= '9')
			f |= (int64_t)strtoll(t, NULL, 0);
	}
	*out = f;
	return true;
}

/* open(2) flags from the log: "O_WRONLY|O_CREAT" or a number. */
static bool open_flags(const struct vxe_logrec *rec, int64_t *flags)
{
	const struct vxe_logarg *a = vxe_logrec_arg(rec, "flags");
	return a && arg_int(&a->val, flags);
}

/* The access the call needed on its paths, and whether it makes or removes
 * a name (then Landlock checks its directory), decided from the log alone
 * as the supervisor decides it: the call, and O_CREAT in its flags (never
 * from what is on disk now, which the program may have changed since).
 * When the log does not say (openat2 keeps its flags in a struct the log
 * does not show), the narrowest reading, said in *note. */
static unsigned needed_access(const struct vxe_logrec *rec, const struct vxe_file_call *fc,
			      bool *creates, const char **note)
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
	if (!open_flags(rec, &flags)) {
		*note = "the log does not show this call's open flags: read of the file itself "
			"assumed (broaden if it wrote or created files)";
		return VXE_FS_READ;
	}
	if (flags & O_CREAT) {
		*creates = true;
		*note = "O_CREAT: granted on the directory, where Landlock checks a creation";
	}
	return vxe_open_access(flags);
}

/* The path as the supervisor decides it: symlinks resolved, or for a name
 * not there, its directory resolved. */
static void real_path(const char *path, char *out, size_t size)
{
	char real[PATH_MAX], dir[PATH_MAX];
	/* /proc names what the process that logged it saw: resolved here,
	 * /proc/self would be vxe upgrade itself, /proc/PID/cwd another
	 * process's directory. As written. */
	if (strncmp(path, "/proc/", 6) == 0 || strcmp(path, "/proc") == 0) {
		if (!vxe_path_normalize(path, out, size))
			snprintf(out, size, "%s", path);
		return;
	}
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

/* A new proposal at the end of props (grown by doubling). Not yet in the
 * index: index() it once its key is set. */
static struct vxe_up_prop *new_prop(struct vxe_upgrade *u, enum vxe_up_kind kind)
{
	if (u->nprops == u->cap) {
		size_t cap = u->cap ? u->cap * 2 : 16;
		struct vxe_up_prop *n = reallocarray(u->props, cap, sizeof *n);
		if (!n)
			return NULL;
		u->props = n;
		u->cap = cap;
	}
	struct vxe_up_prop *p = &u->props[u->nprops++];
	memset(p, 0, sizeof *p);
	p->kind = kind;
	return p;
}

static bool index_prop(struct vxe_upgrade *u, struct vxe_up_prop *p)
{
	if (!u->index && !(u->index = calloc(1, sizeof *u->index)))
		return false;
	size_t idx = (size_t)(p - u->props);
	if (!tab_put(&u->index->props, key_of(p), idx, 0))
		return false;
	if (p->kind == VXE_UP_PATH && (p->access & VXE_FS_WRITE))
		for (unsigned k = 0; k < p->nsteps; k++)
			if (!tab_put(&u->index->writes, fnv_str(FNV_INIT, p->ladder[k]), idx, k))
				return false;
	return true;
}

/* The proposal with this key, or NULL. */
static struct vxe_up_prop *find_prop(struct vxe_upgrade *u, enum vxe_up_kind kind,
				     const char *syscall, const char *rule, unsigned access,
				     const char *path, enum vxe_net_op op, int proto, unsigned port)
{
	if (!u->index)
		return NULL;
	uint64_t h = prop_key(kind, syscall, rule, access, path, (unsigned)op, proto, port);
	size_t pos = SIZE_MAX;
	for (const struct up_ent *e; (e = tab_next(&u->index->props, h, &pos));) {
		struct vxe_up_prop *p = &u->props[e->idx - 1];
		if (p->kind != kind)
			continue;
		bool same = kind == VXE_UP_PATH
				? p->access == access && strcmp(p->ladder[0], path) == 0
			    : kind == VXE_UP_NET
				? p->op == op && p->proto == proto && p->port == port
				: strcmp(p->syscall, syscall) == 0 &&
				      (kind != VXE_UP_MANUAL || strcmp(p->rule, rule) == 0);
		if (same)
			return p;
	}
	return NULL;
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

/* Adds val to a space-separated list of at most about 200 characters;
 * false if it is full (or on allocation failure). */
static bool add_word(char **list, const char *val)
{
	if (*list) {
		size_t vl = strlen(val);
		for (const char *s = *list; s; s = strchr(s, ' ')) {
			s += *s == ' ';
			if (strncmp(s, val, vl) == 0 && (s[vl] == 0 || s[vl] == ' '))
				return true;
		}
		if (strlen(*list) > 200)
			return false; /* too many to be a check */
		char *n = malloc(strlen(*list) + vl + 2);
		if (!n)
			return false;
		sprintf(n, "%s %s", *list, val);
		free(*list);
		*list = n;
		return true;
	}
	*list = strdup(val);
	return *list != NULL;
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

/* What the arguments of a SYSCALL proposal's record add to it: escape-set
 * values to the report (never to the check), the rest to the check. */
static void observe_args(struct vxe_up_prop *p, const struct vxe_logrec *rec)
{
	bool esc_in_param = false;
	for (unsigned i = 0; i < rec->nargs; i++) {
		const struct vxe_logarg *a = &rec->args[i];
		int64_t v;
		if (!a->name.s || !arg_int(&a->val, &v) ||
		    !vxe_escape_value(p->syscall, a->name.s, v))
			continue;
		char num[32], *text;
		snprintf(num, sizeof num, "%#llx", (unsigned long long)v);
		text = safe_dup(a->val.kind == VXE_LOGVAL_STR ? a->val.str.s : num, 64);
		if (!text)
			continue;
		for (char *c = text; *c; c++)
			if (*c == ' ')
				*c = '?';
		if (!p->escarg)
			p->escarg = safe_dup(a->name.s, 32);
		if (!add_word(&p->escvals, text) && !p->escvals)
			p->escvals = strdup("?");
		free(text);
		esc_in_param |= p->param && strcmp(a->name.s, p->param) == 0;
	}
	if (p->param && !p->nocheck && !esc_in_param) {
		const struct vxe_logarg *a = vxe_logrec_arg(rec, p->param);
		char v[128];
		if (!a || !lisp_value(&a->val, v, sizeof v) || !add_word(&p->values, v)) {
			/* Not a value a check can name: only the plain permit. */
			free(p->values);
			p->values = NULL;
			p->nocheck = true;
			p->nsteps = 1;
			p->step = 0;
		}
	}
	if (strcmp(p->syscall, "ioctl") == 0) {
		const struct vxe_logarg *a = vxe_logrec_arg(rec, "request");
		int64_t v;
		const char *n = a && arg_int(&a->val, &v) ? console_ioctl(v) : NULL;
		if (n && !add_word(&p->console, n) && !p->console)
			p->console = strdup(n);
	}
	if (strcmp(p->syscall, "socket") == 0 || strcmp(p->syscall, "socketpair") == 0) {
		const struct vxe_logarg *a = vxe_logrec_arg(rec, "type");
		int64_t t;
		if (a && arg_int(&a->val, &t) &&
		    ((t & 0xf) == SOCK_RAW || (t & 0xf) == SOCK_PACKET))
			p->raw_socket = true;
	}
}

static enum vxe_up_result syscall_prop(struct vxe_upgrade *u, const struct vxe_logrec *rec,
				       enum vxe_up_kind kind, bool escape)
{
	/* Named as they are kept: printable, bounded. */
	char *sc = safe_dup(rec->syscall.s, 64);
	char *rule = safe_dup(rec->rule.s ? rec->rule.s : "?", 64);
	if (!sc || !rule) {
		free(sc);
		free(rule);
		return VXE_UP_OOM;
	}
	struct vxe_up_prop *p = find_prop(u, kind, sc, rule, 0, NULL, 0, 0, 0);
	if (p) {
		free(sc);
		free(rule);
	} else {
		if (!(p = new_prop(u, kind))) {
			free(sc);
			free(rule);
			return VXE_UP_OOM;
		}
		p->syscall = sc;
		p->rule = rule;
		p->escape = escape;
		p->nsteps = 1;
		if (kind == VXE_UP_MANUAL || kind == VXE_UP_HARD)
			p->example = args_text(rec);
		const char *param = kind == VXE_UP_SYSCALL && !escape ? check_param(sc) : NULL;
		if (param) {
			if (!(p->param = strdup(param)))
				return VXE_UP_OOM;
			p->nsteps = 2;
		}
		if (!index_prop(u, p))
			return VXE_UP_OOM;
	}
	p->count++;
	add_program(p, rec);
	if (kind == VXE_UP_SYSCALL && !escape)
		observe_args(p, rec);
	return kind == VXE_UP_HARD ? VXE_UP_NOTHING : VXE_UP_PROPOSED;
}

static enum vxe_up_result path_prop(struct vxe_upgrade *u, const struct vxe_logrec *rec,
				    const char *start, unsigned bit, const char *note)
{
	char norm[PATH_MAX];
	if (!vxe_path_normalize(start, norm, sizeof norm))
		return VXE_UP_NOTHING;
	struct vxe_up_prop *p = find_prop(u, VXE_UP_PATH, NULL, NULL, bit, norm, 0, 0, 0);
	if (p) {
		p->count++;
		add_program(p, rec);
		if (!p->note)
			p->note = note;
		return VXE_UP_PROPOSED;
	}
	if (!(p = new_prop(u, VXE_UP_PATH)))
		return VXE_UP_OOM;
	p->access = bit;
	p->nsteps = vxe_upgrade_ladder(norm, p->ladder);
	if (!p->nsteps) {
		u->nprops--;
		return VXE_UP_NOTHING;
	}
	p->note = note;
	p->syscall = safe_dup(rec->syscall.s, 64);
	p->count = 1;
	add_program(p, rec);
	return index_prop(u, p) ? VXE_UP_PROPOSED : VXE_UP_OOM;
}

static enum vxe_up_result net_prop(struct vxe_upgrade *u, const struct vxe_logrec *rec,
				   enum vxe_net_op op, int proto, unsigned port, const char *addr)
{
	struct vxe_up_prop *p = find_prop(u, VXE_UP_NET, NULL, NULL, 0, NULL, op, proto, port);
	if (p) {
		p->count++;
		add_program(p, rec);
		return VXE_UP_PROPOSED;
	}
	if (!(p = new_prop(u, VXE_UP_NET)))
		return VXE_UP_OOM;
	p->op = op;
	p->proto = proto;
	p->port = port;
	p->nsteps = 1;
	p->count = 1;
	p->syscall = safe_dup(rec->syscall.s, 64);
	p->example = safe_dup(addr, 80);
	add_program(p, rec);
	return index_prop(u, p) ? VXE_UP_PROPOSED : VXE_UP_OOM;
}

static bool is_symlink_call(const char *name)
{
	return strcmp(name, "symlink") == 0 || strcmp(name, "symlinkat") == 0;
}

/* A files record: every path argument the policy does not grant. A record
 * with a path that is not absolute (the supervisor could not make it so:
 * longer than PATH_MAX) or may be cut short is never a rule: resolving it
 * here would name what the program never touched. */
static enum vxe_up_result files_record(struct vxe_upgrade *u, const struct vxe_logrec *rec,
				       bool propose)
{
	const struct vxe_policy *p = u->p;
	const struct vxe_syscall_info *info = vxe_syscall_by_name(rec->syscall.s);
	const struct vxe_file_call *fc = info ? vxe_file_call(info->name) : NULL;
	if (!fc)
		return VXE_UP_NOTHING;
	unsigned npath = 0;
	for (unsigned i = 0; i < info->nargs; i++) {
		const char *path =
		    info->args[i].type == VXE_ARG_PATH ? argstr(rec, info->args[i].name) : NULL;
		if (!path || (is_symlink_call(info->name) && npath++ == 0))
			continue; /* a symlink's target is text */
		if (path[0] != '/')
			return VXE_UP_RELATIVE;
		if (rec->truncated)
			return VXE_UP_TRUNCATED;
	}
	bool covered = true;
	npath = 0;
	for (unsigned i = 0; i < info->nargs; i++) {
		if (info->args[i].type != VXE_ARG_PATH)
			continue;
		const char *path = argstr(rec, info->args[i].name);
		if (!path)
			continue;
		if (is_symlink_call(info->name) && npath++ == 0)
			continue;
		bool creates;
		const char *note = NULL;
		unsigned access = needed_access(rec, fc, &creates, &note);
		char real[PATH_MAX];
		real_path(path, real, sizeof real);
		/* /proc/self logged although the VXED covers it: the caller was
		 * a forked child, whose own entries lie outside the first
		 * process's /proc/PID, where Landlock anchored the rule (and
		 * the supervisor holds it); only (read "/proc") covers them,
		 * as `vxe trace` writes it. */
		bool self = under(path, "/proc/self") || under(path, "/proc/thread-self");
		if (self && access == VXE_FS_READ && path_covered(p, path, path, access) &&
		    !vxe_policy_path_allowed(p, "/proc", VXE_FS_READ)) {
			if (!propose) {
				covered = false;
				continue;
			}
			if (path_prop(u, rec, "/proc", VXE_FS_READ,
				      "a forked child's own /proc entries: only /proc covers them, "
				      "which grants reading every process's /proc entries") ==
			    VXE_UP_OOM)
				return VXE_UP_OOM;
			covered = false;
			continue;
		}
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
			    path_prop(u, rec, start, bit, note) == VXE_UP_OOM)
				return VXE_UP_OOM;
	}
	return covered ? VXE_UP_COVERED : VXE_UP_PROPOSED;
}

/* A socket address: "inet:1.2.3.4:25", "inet6:[::1]:25", "unix:/run/x"
 * (or "unix:x", relative, or "unix:@x", abstract). */
static const char *addr_arg(const struct vxe_logrec *rec)
{
	for (unsigned i = 0; i < rec->nargs; i++) {
		const struct vxe_logval *v = &rec->args[i].val;
		if (v->kind == VXE_LOGVAL_STR && v->str.s &&
		    (strncmp(v->str.s, "inet:", 5) == 0 || strncmp(v->str.s, "inet6:", 6) == 0 ||
		     (strncmp(v->str.s, "unix:", 5) == 0 && v->str.s[5] && v->str.s[5] != '@')))
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
	if (strncmp(addr, "unix:", 5) == 0) {
		if (addr[5] != '/')
			return VXE_UP_RELATIVE;
		if (rec->truncated)
			return VXE_UP_TRUNCATED;
		char real[PATH_MAX];
		real_path(addr + 5, real, sizeof real);
		if (path_covered(p, addr + 5, real, VXE_FS_WRITE))
			return VXE_UP_COVERED;
		return propose ? path_prop(u, rec, real, VXE_FS_WRITE, NULL) : VXE_UP_PROPOSED;
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
	if (r == VXE_UP_RELATIVE || r == VXE_UP_TRUNCATED) {
		if (r == VXE_UP_RELATIVE)
			u->relative++;
		else
			u->truncated++;
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
		if (has_check(p) && p->step == 0) {
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
		if (!vxe_upgrade_writable(p))
			return NULL;
		if (has_check(p) && p->step == 0)
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

/* The accepted path rules, sorted by access and path (then proposal), to
 * find in O(log n) whether another accepted one grants a rule: a log of
 * 100 000 records makes as many proposals. */
struct acc_path {
	unsigned access;
	const char *path;
	size_t i;
};

static int acc_cmp(const void *a, const void *b)
{
	const struct acc_path *x = a, *y = b;
	if (x->access != y->access)
		return x->access < y->access ? -1 : 1;
	int c = strcmp(x->path, y->path);
	return c ? c : x->i < y->i ? -1 : x->i > y->i;
}

/* The lowest proposal index that accepts access on exactly path, or
 * SIZE_MAX. */
static size_t acc_find(const struct acc_path *a, size_t n, unsigned access, const char *path)
{
	size_t lo = 0, hi = n;
	while (lo < hi) { /* the first element not below (access, path, 0) */
		size_t mid = lo + (hi - lo) / 2;
		struct acc_path key = {access, path, 0};
		if (acc_cmp(&a[mid], &key) < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo < n && a[lo].access == access && strcmp(a[lo].path, path) == 0 ? a[lo].i
										 : SIZE_MAX;
}

/* An accepted path rule that another accepted one (the same access, on it
 * or a directory above it) already grants: not written, or `vxe check`
 * would warn about the new version at once. Of two equal ones the first
 * is kept. */
static bool subsumed(const struct acc_path *a, size_t n, const struct vxe_up_prop *p, size_t i)
{
	const char *mine = p->ladder[p->step];
	if (acc_find(a, n, p->access, mine) < i)
		return true;
	char dir[PATH_MAX];
	snprintf(dir, sizeof dir, "%s", mine);
	for (char *slash = strrchr(dir, '/'); slash; slash = strrchr(dir, '/')) {
		if (slash == dir) /* "/" */
			return acc_find(a, n, p->access, "/") != SIZE_MAX && strcmp(mine, "/") != 0;
		*slash = 0;
		if (acc_find(a, n, p->access, dir) != SIZE_MAX)
			return true;
	}
	return false;
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
	struct acc_path *acc = malloc((u->nprops ? u->nprops : 1) * sizeof *acc);
	size_t nacc = 0;
	for (size_t i = 0; acc && i < u->nprops; i++) {
		const struct vxe_up_prop *p = &u->props[i];
		if (p->kind == VXE_UP_PATH && p->decision == VXE_UP_ACCEPT &&
		    vxe_upgrade_writable(p))
			acc[nacc++] = (struct acc_path){p->access, p->ladder[p->step], i};
	}
	if (acc)
		qsort(acc, nacc, sizeof *acc, acc_cmp);
	ok = acc != NULL;
	for (size_t i = 0; i < u->nprops && ok; i++) {
		const struct vxe_up_prop *p = &u->props[i];
		if (p->decision != VXE_UP_ACCEPT || !vxe_upgrade_writable(p) ||
		    (p->kind == VXE_UP_PATH && subsumed(acc, nacc, p, i)))
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
	free(acc);
	if (!ok || out.oom || !out.s) {
		free(out.s);
		errno = ENOMEM;
		return NULL;
	}
	if (naccepted)
		*naccepted = n;
	return out.s;
}
