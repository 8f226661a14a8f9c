/* vxe upgrade without the kernel: the covered check (syscalls, paths with
 * the access derived from the call and its flags, ports), the path ladder,
 * risk flags, grouping of proposals, and the text written (old text kept,
 * loads again, no syscall named twice). Then the red-team findings: escape-
 * set argument values never proposed (F2), relative paths never a rule and
 * O_CREAT decided from the log (F5), the risk table (F6), many distinct
 * proposals in linear time (F9), and the terminal escaper (F7). */
#include <fcntl.h>
#include <linux/kd.h>
#include <linux/sched.h>
#include <linux/vt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <unistd.h>

#include "compile/compile_internal.h"
#include "tap.h"
#include "util/termsafe.h"
#include "vxe/landlock.h"
#include "vxe/logread.h"
#include "vxe/policy.h"
#include "vxe/syscalls.h"
#include "vxe/upgrade.h"

static const char policy_src[] =
    "(vxed \"app\" :type strict :mode soft)\n"
    "(unchecked read write close)\n"
    "(permit openat mkdir execve)\n"
    "(permit kill (pid sig) (> pid 0))\n"
    "(files (read \"/nonexistent-up/ro\") (write \"/nonexistent-up/rw\")\n"
    "       (execute \"/nonexistent-up/bin/tool\"))\n"
    "(network (bind tcp 8080) (connect none))\n";

static struct vxe_logrec parse(const char *line)
{
	struct vxe_logrec r = {0};
	char err[256];
	if (vxe_logrec_parse(line, strlen(line), &r, err, sizeof err) < 0)
		tap_diag("bad test record: %s: %s", err, line);
	return r;
}

static char *recline(const char *vxed, const char *action, const char *sc, const char *args,
		     const char *rule)
{
	static char buf[1024];
	snprintf(buf, sizeof buf,
		 "{\"v\":1,\"time\":\"2026-12-03T16:54:42.937Z\",\"vxed\":\"%s\",\"mode\":\"soft\","
		 "\"action\":\"%s\",\"pid\":1,\"exe\":\"/usr/bin/app\",\"syscall\":\"%s\","
		 "\"arch\":\"x86_64\",\"args\":{%s},\"rule\":\"%s\"}",
		 vxed, action, sc, args, rule);
	return buf;
}

static void covered(const struct vxe_policy *p, bool want, const char *sc, const char *args,
		    const char *rule, const char *name)
{
	struct vxe_logrec r = parse(recline("app", "logged", sc, args, rule));
	tap_ok(vxe_upgrade_covered(p, &r) == want, "covered: %s -> %s", name, want ? "yes" : "no");
	vxe_logrec_free(&r);
}

static void ladder(const char *path, unsigned want_n, const char *want0, const char *wantlast)
{
	char *out[VXE_UP_LADDER_MAX] = {0};
	unsigned n = vxe_upgrade_ladder(path, out);
	bool ok = n == want_n &&
		  (!n || (strcmp(out[0], want0) == 0 && strcmp(out[n - 1], wantlast) == 0));
	if (!tap_ok(ok, "ladder %s: %u steps, %s .. %s", path, want_n, want0 ? want0 : "-",
		    wantlast ? wantlast : "-"))
		tap_diag("got %u: %s .. %s", n, n ? out[0] : "-", n ? out[n - 1] : "-");
	for (unsigned i = 0; i < n; i++) {
		tap_ok(strcmp(out[i], "/") != 0, "ladder %s: step %u is not /", path, i);
		free(out[i]);
	}
}

/* Adds one record line to u; returns what vxe_upgrade_add said. */
static enum vxe_up_result add(struct vxe_upgrade *u, const char *line)
{
	struct vxe_logrec r = parse(line);
	enum vxe_up_result res = vxe_upgrade_add(u, &r);
	vxe_logrec_free(&r);
	return res;
}

static const struct vxe_up_prop *find_syscall(const struct vxe_upgrade *u, const char *sc)
{
	for (size_t i = 0; i < u->nprops; i++)
		if (u->props[i].kind == VXE_UP_SYSCALL && strcmp(u->props[i].syscall, sc) == 0)
			return &u->props[i];
	return NULL;
}

static const struct vxe_up_prop *find_path(const struct vxe_upgrade *u, unsigned access)
{
	for (size_t i = 0; i < u->nprops; i++)
		if (u->props[i].kind == VXE_UP_PATH && u->props[i].access == access)
			return &u->props[i];
	return NULL;
}

/* risk ACCESS PATH WANT: is a grant risky (no VXED around it)? */
static void risk(unsigned access, const char *path, bool want)
{
	struct vxe_grant g = {.kind = VXE_GRANT_PATH, .access = access, .path = path};
	const char *why = vxe_grant_risk(NULL, &g);
	const char *a = access == VXE_FS_READ	 ? "read"
			: access == VXE_FS_WRITE ? "write"
						 : "execute";
	if (!tap_ok((why != NULL) == want, "risk table: %s %s: %s", a, path,
		    want ? "risky" : "not risky"))
		tap_diag("got: %s", why ? why : "(none)");
}

static void sock_risk(const char *domains, bool raw, bool want)
{
	struct vxe_grant g = {.kind = VXE_GRANT_SOCKET, .domains = domains, .raw = raw};
	const char *why = vxe_grant_risk(NULL, &g);
	if (!tap_ok((why != NULL) == want, "risk table: socket %s%s: %s",
		    domains ? domains : "(any family)", raw ? " raw" : "",
		    want ? "risky" : "not risky"))
		tap_diag("got: %s", why ? why : "(none)");
}

/* The upgraded text of a strict VXED with everything accepted (as
 * --accept-all would, risky and escape-set excepted). */
static char *accept_all(struct vxe_upgrade *u, const char *old, size_t *n)
{
	for (size_t i = 0; i < u->nprops; i++) {
		struct vxe_up_prop *q = &u->props[i];
		q->decision = vxe_upgrade_writable(q) && !q->escape && !vxe_upgrade_risk(u, q)
				  ? VXE_UP_ACCEPT
				  : VXE_UP_REJECT;
	}
	return vxe_upgrade_text(u, old, "2026-12-03 12:00:00", "test.log", n);
}

static void test_escape_values(void)
{
	/* The plan's own closures, exposed for upgrade. */
	tap_ok(vxe_escape_value("ioctl", "request", TIOCSTI), "escape value: ioctl TIOCSTI");
	tap_ok(vxe_escape_value("ioctl", "request", TIOCLINUX), "escape value: ioctl TIOCLINUX");
	tap_ok(vxe_escape_value("ioctl", "request", 0x100000000ll | TIOCSTI),
	       "escape value: ioctl TIOCSTI with a garbage upper half (the kernel reads 32 bits)");
	tap_ok(!vxe_escape_value("ioctl", "request", TCGETS), "not an escape value: ioctl TCGETS");
	tap_ok(!vxe_escape_value("ioctl", "fd", TIOCSTI), "not an escape value: another argument");
	tap_ok(vxe_escape_value("clone", "flags", CLONE_NEWUSER | CLONE_VM),
	       "escape value: clone CLONE_NEWUSER");
	tap_ok(vxe_escape_value("unshare", "flags", CLONE_NEWNET),
	       "escape value: unshare CLONE_NEWNET");
	tap_ok(!vxe_escape_value("clone", "flags", CLONE_VM | CLONE_FS),
	       "not an escape value: clone without namespace flags");
	tap_ok(vxe_escape_value("mknod", "mode", S_IFCHR | 0600), "escape value: mknod S_IFCHR");
	tap_ok(vxe_escape_value("mknodat", "mode", S_IFBLK | 0600),
	       "escape value: mknodat S_IFBLK");
	tap_ok(!vxe_escape_value("mknod", "mode", S_IFIFO | 0600),
	       "not an escape value: mknod FIFO");

	static const char src[] = "(vxed \"tio\" :type strict :mode soft)\n"
				  "(unchecked read write close)\n";
	char err[256];
	struct vxe_policy *p;
	if (!tap_ok(vxe_policy_load_string("tio.vxed", src, sizeof src - 1, &p, err, sizeof err) ==
			0,
		    "F2: test policy loads"))
		return;
	struct vxe_upgrade u;
	/* TIOCSTI and TCGETS: the check names TCGETS only. */
	vxe_upgrade_init(&u, p);
	add(&u, recline("tio", "logged", "ioctl", "\"fd\":3,\"request\":\"TIOCSTI\",\"arg\":1",
			"unlisted"));
	add(&u, recline("tio", "logged", "ioctl", "\"fd\":3,\"request\":\"TCGETS\",\"arg\":1",
			"unlisted"));
	add(&u, recline("tio", "logged", "ioctl", "\"fd\":3,\"request\":21522,\"arg\":1",
			"unlisted")); /* TIOCSTI as a number */
	add(&u, recline("tio", "logged", "ioctl", "\"fd\":3,\"request\":4294988818,\"arg\":1",
			"unlisted")); /* 0x1_00005412 */
	const struct vxe_up_prop *io = find_syscall(&u, "ioctl");
	tap_ok(io && io->values && strcmp(io->values, "TCGETS") == 0,
	       "F2: the observed TIOCSTI (by name or number) is not in the check");
	tap_ok(io && io->escvals && strstr(io->escvals, "TIOCSTI"),
	       "F2: it is reported as an escape-set value");
	tap_ok(io && vxe_upgrade_writable(io), "F2: the check without it is still a proposal");
	char *form = io ? vxe_upgrade_form(io) : NULL;
	tap_ok(form && !strstr(form, "TIOCSTI") && strstr(form, "TCGETS"),
	       "F2: the proposed form names TCGETS, not TIOCSTI (%s)", form ? form : "-");
	free(form);
	size_t n = 0;
	char *text = accept_all(&u, src, &n);
	tap_ok(text && n == 1 && !strstr(text, "TIOCSTI") && !strstr(text, "21522"),
	       "F2: the written VXED never names TIOCSTI");
	free(text);
	vxe_upgrade_free(&u);

	/* TIOCSTI alone: only the report, nothing to write. */
	vxe_upgrade_init(&u, p);
	add(&u, recline("tio", "logged", "ioctl", "\"fd\":3,\"request\":\"TIOCSTI\",\"arg\":1",
			"unlisted"));
	add(&u, recline("tio", "logged", "ioctl", "\"fd\":3,\"request\":\"TIOCLINUX\",\"arg\":1",
			"unlisted"));
	io = find_syscall(&u, "ioctl");
	tap_ok(io && !vxe_upgrade_writable(io) && !vxe_upgrade_form(io),
	       "F2: TIOCSTI and TIOCLINUX alone: only a report, nothing to accept");
	tap_ok(io && io->escvals && strstr(io->escvals, "TIOCLINUX"), "F2: TIOCLINUX reported too");
	if (io)
		u.props[io - u.props].decision = VXE_UP_ACCEPT; /* even if a caller tried */
	text = vxe_upgrade_text(&u, src, "d", "l", &n);
	tap_ok(text && n == 0 && strcmp(text, src) == 0, "F2: accepting the report writes nothing");
	free(text);
	vxe_upgrade_free(&u);

	/* F6 on a syscall proposal: the families of a socket check. */
	vxe_upgrade_init(&u, p);
	add(&u, recline("tio", "logged", "socket",
			"\"domain\":\"AF_INET\",\"type\":1,\"protocol\":0", "unlisted"));
	const struct vxe_up_prop *so = find_syscall(&u, "socket");
	tap_ok(so && !vxe_upgrade_risk(&u, so), "F6: socket AF_INET (stream) proposal: not risky");
	if (so) {
		u.props[so - u.props].step = 1; /* broadened: any family */
		tap_ok(vxe_upgrade_risk(&u, so) != NULL,
		       "F6: socket broadened to any family: risky");
		u.props[so - u.props].step = 0;
	}
	add(&u, recline("tio", "logged", "socket",
			"\"domain\":\"AF_NETLINK\",\"type\":3,\"protocol\":0", "unlisted"));
	tap_ok(so && vxe_upgrade_risk(&u, so) != NULL, "F6: socket AF_INET + AF_NETLINK: risky");
	vxe_upgrade_free(&u);
	vxe_upgrade_init(&u, p);
	add(&u, recline("tio", "logged", "socket",
			"\"domain\":\"AF_INET\",\"type\":3,\"protocol\":1", "unlisted"));
	so = find_syscall(&u, "socket");
	tap_ok(so && so->raw_socket && vxe_upgrade_risk(&u, so) != NULL,
	       "F6: socket AF_INET SOCK_RAW: risky");
	vxe_upgrade_free(&u);
	vxe_policy_free(p);
}

static void test_paths_from_log(void)
{
	static const char src[] = "(vxed \"fs\" :type filesystem :mode soft)\n"
				  "(files (read \"/nonexistent-up/ro\"))\n";
	char err[256];
	struct vxe_policy *p;
	if (!tap_ok(vxe_policy_load_string("fs.vxed", src, sizeof src - 1, &p, err, sizeof err) ==
			0,
		    "F5: test policy loads"))
		return;
	struct vxe_upgrade u;
	vxe_upgrade_init(&u, p);
	/* Relative: run from / it would be /var/spool/cron/crontabs. */
	enum vxe_up_result r = add(
	    &u, recline("fs", "logged", "openat",
			"\"dirfd\":\"AT_FDCWD\",\"path\":\"../../../../var/spool/cron/crontabs/x\","
			"\"flags\":\"O_WRONLY|O_CREAT\"",
			"files"));
	tap_ok(r == VXE_UP_RELATIVE && u.relative == 1 && u.nprops == 0,
	       "F5: a relative path is skipped and counted, never a proposal");
	r = add(&u, recline("fs", "logged", "rename",
			    "\"oldpath\":\"/nonexistent-up/w/a\",\"newpath\":\"x/y\"", "files"));
	tap_ok(r == VXE_UP_RELATIVE && u.relative == 2 && u.nprops == 0,
	       "F5: one relative path argument skips the whole record");
	r = add(&u, recline("fs", "logged", "connect", "\"fd\":3,\"addr\":\"unix:run/x.sock\"",
			    "files"));
	tap_ok(r == VXE_UP_RELATIVE && u.nprops == 0, "F5: a relative unix socket path is skipped");
	/* O_CREAT: the directory, whether or not the file is there now. */
	char tmpl[] = "/tmp/vxe-test-upgrade.XXXXXX";
	int fd = mkstemp(tmpl);
	char line[1024];
	snprintf(line, sizeof line,
		 "\"dirfd\":\"AT_FDCWD\",\"path\":\"%s\",\"flags\":"
		 "\"O_WRONLY|O_CREAT|O_APPEND\"",
		 tmpl);
	add(&u, recline("fs", "logged", "openat", line, "files"));
	const struct vxe_up_prop *w = find_path(&u, VXE_FS_WRITE);
	tap_ok(w && strcmp(w->ladder[0], "/tmp") == 0 && w->note,
	       "F6 note: O_CREAT of a file that exists now still starts at its directory (%s)",
	       w ? w->ladder[0] : "-");
	if (fd >= 0) {
		close(fd);
		unlink(tmpl);
	}
	/* No flags in the log (openat2): read of the file itself, said so. */
	add(&u, recline("fs", "logged", "openat2",
			"\"dirfd\":\"AT_FDCWD\",\"path\":\"/nonexistent-up/cfg/a.conf\",\"how\":1,"
			"\"size\":24",
			"files"));
	const struct vxe_up_prop *rd = find_path(&u, VXE_FS_READ);
	tap_ok(rd && strcmp(rd->ladder[0], "/nonexistent-up/cfg/a.conf") == 0 && rd->note,
	       "F6 note: flags not in the log: the file itself, read, with a note");
	vxe_upgrade_free(&u);
	vxe_policy_free(p);
}

static void test_risks(void)
{
	/* write */
	/* A directory above a risky tree grants it too (review round 3). */
	risk(VXE_FS_WRITE, "/var/spool", true);
	risk(VXE_FS_WRITE, "/var", true);
	risk(VXE_FS_WRITE, "/var/log", true); /* /var/log/vxe: VXE's own log */
	risk(VXE_FS_WRITE, "/var/mail", false);
	risk(VXE_FS_WRITE, "/var/spool/exim4", false);
	risk(VXE_FS_READ, "/proc/1/environ", true);
	risk(VXE_FS_READ, "/proc/self/status", false);
	risk(VXE_FS_WRITE, "/var/spool/cron/crontabs/root", true);
	risk(VXE_FS_WRITE, "/var/spool/cron/crontabs", true);
	risk(VXE_FS_WRITE, "/var/lib", true);
	risk(VXE_FS_WRITE, "/var/lib/app", false);
	risk(VXE_FS_WRITE, "/var/lib/dpkg/info/x.postinst", true);
	risk(VXE_FS_WRITE, "/run", true);
	risk(VXE_FS_WRITE, "/run/app", false);
	risk(VXE_FS_WRITE, "/run/systemd/system", true);
	risk(VXE_FS_WRITE, "/proc/sys/kernel/core_pattern", true);
	risk(VXE_FS_WRITE, "/proc/1234/oom_score_adj", true);
	risk(VXE_FS_WRITE, "/sys/kernel/uevent_helper", true);
	risk(VXE_FS_WRITE, "/dev/sda", true);
	risk(VXE_FS_WRITE, "/dev/null", false);
	risk(VXE_FS_WRITE, "/dev/shm/app", false);
	risk(VXE_FS_WRITE, "/home/alice/.ssh", true);
	risk(VXE_FS_WRITE, "/srv/git/.ssh/authorized_keys", true);
	risk(VXE_FS_WRITE, "/home/alice", true);
	risk(VXE_FS_WRITE, "/home/alice/Maildir/new", false);
	risk(VXE_FS_WRITE, "/etc/systemd/system", true);
	risk(VXE_FS_WRITE, "/usr/local/bin", true);
	risk(VXE_FS_WRITE, "/boot/grub", true);
	risk(VXE_FS_WRITE, "/root/.bashrc", true);
	risk(VXE_FS_WRITE, "/bin/x", true);
	risk(VXE_FS_WRITE, "/sbin/x", true);
	risk(VXE_FS_WRITE, "/lib/x", true);
	risk(VXE_FS_WRITE, "/lib64/x", true);
	risk(VXE_FS_WRITE, "/libx32/x", true);
	risk(VXE_FS_WRITE, "/var/mail/alice", false);
	risk(VXE_FS_WRITE, "/tmp", true); /* a whole top-level directory */
	/* read */
	risk(VXE_FS_READ, "/etc/shadow", true);
	risk(VXE_FS_READ, "/etc/gshadow", true);
	risk(VXE_FS_READ, "/etc", true); /* covers /etc/shadow */
	risk(VXE_FS_READ, "/etc/ssh/ssh_host_ed25519_key", true);
	risk(VXE_FS_READ, "/etc/ssh", true);
	risk(VXE_FS_READ, "/etc/ssh/sshd_config", false);
	risk(VXE_FS_READ, "/etc/ssh/ssh_host_ed25519_key.pub", false);
	risk(VXE_FS_READ, "/home/bob/.ssh/id_ed25519", true);
	risk(VXE_FS_READ, "/proc", true);
	risk(VXE_FS_READ, "/proc/cpuinfo", false);
	risk(VXE_FS_READ, "/root/notes", true);
	risk(VXE_FS_READ, "/etc/passwd", false);
	risk(VXE_FS_READ, "/usr", false); /* public system files */
	risk(VXE_FS_READ, "/lib", false);
	/* execute: shells, interpreters, and what runs commands */
	static const char *const x[] = {"/usr/bin/dash",
					"/bin/bash",
					"/usr/bin/python3.11",
					"/usr/bin/perl",
					"/usr/bin/perl5.36.0",
					"/usr/bin/ruby3.1",
					"/usr/bin/php8.2",
					"/usr/bin/lua5.4",
					"/usr/bin/node",
					"/usr/bin/nodejs",
					"/usr/bin/tclsh8.6",
					"/usr/bin/wish",
					"/usr/bin/awk",
					"/usr/bin/gawk",
					"/usr/bin/mawk",
					"/bin/busybox",
					"/usr/bin/env",
					"/usr/bin/sudo",
					"/bin/su",
					"/usr/bin",
					NULL};
	for (unsigned i = 0; x[i]; i++)
		risk(VXE_FS_EXECUTE, x[i], true);
	risk(VXE_FS_EXECUTE, "/usr/sbin/lighttpd", false);
	risk(VXE_FS_EXECUTE, "/opt/app/bin/tool", false);
	/* sockets */
	sock_risk("AF_INET AF_INET6 AF_UNIX", false, false);
	sock_risk("AF_UNIX AF_PACKET", false, true);
	sock_risk("AF_NETLINK", false, true);
	sock_risk("AF_KEY", false, true);
	sock_risk("17", false, true); /* AF_PACKET as a number */
	sock_risk("AF_INET", true, true);
	sock_risk(NULL, false, true);

	/* Execute of what the same VXED lets write. */
	static const char src[] =
	    "(vxed \"wx\" :type filesystem :mode soft)\n"
	    "(files (write \"/srv/app/data\") (execute \"/srv/app/bin/tool\"))\n";
	char err[256];
	struct vxe_policy *p;
	if (!tap_ok(vxe_policy_load_string("wx.vxed", src, sizeof src - 1, &p, err, sizeof err) ==
			0,
		    "F6: write+execute policy loads"))
		return;
	struct vxe_grant g = {
	    .kind = VXE_GRANT_PATH, .access = VXE_FS_EXECUTE, .path = "/srv/app/data/run.sh"};
	tap_ok(vxe_grant_risk(p, &g) != NULL,
	       "F6: execute under a write rule of the VXED is risky");
	g.path = "/srv/app/bin/tool2";
	tap_ok(vxe_grant_risk(p, &g) == NULL, "F6: execute beside it is not");
	g.access = VXE_FS_WRITE;
	g.path = "/srv/app/bin";
	tap_ok(vxe_grant_risk(p, &g) != NULL, "F6: write over what the VXED executes is risky");

	/* ... and of what another proposal lets write; --accept-all's choice. */
	struct vxe_upgrade u;
	vxe_upgrade_init(&u, p);
	add(&u, recline("wx", "logged", "openat",
			"\"dirfd\":\"AT_FDCWD\",\"path\":\"/srv/app/spool/x\",\"flags\":"
			"\"O_WRONLY|O_CREAT\"",
			"files"));
	add(&u, recline("wx", "logged", "execve", "\"path\":\"/srv/app/spool/x\"", "files"));
	add(&u, recline("wx", "logged", "socket",
			"\"domain\":\"AF_NETLINK\",\"type\":3,\"protocol\":0", "unlisted"));
	add(&u, recline("wx", "logged", "openat",
			"\"dirfd\":\"AT_FDCWD\",\"path\":\"/etc/shadow\",\"flags\":\"O_RDONLY\"",
			"files"));
	const struct vxe_up_prop *wp = find_path(&u, VXE_FS_WRITE),
				 *xp = find_path(&u, VXE_FS_EXECUTE);
	tap_ok(wp && !vxe_upgrade_risk(&u, wp), "F6: write on /srv/app/spool alone is not risky");
	tap_ok(xp && vxe_upgrade_risk(&u, xp),
	       "F6: execute of a file another proposal lets write is risky");
	size_t n = 0;
	char *text = accept_all(&u, src, &n);
	const char *added = text ? text + sizeof src - 1 : "";
	if (!tap_ok(text && n == 1 && strstr(added, "/srv/app/spool") &&
			!strstr(added, "execute") && !strstr(added, "shadow"),
		    "F6: --accept-all's choice takes the plain write only"))
		tap_diag("%zu accepted:\n%s", n, added);
	free(text);
	/* Rejecting the write makes the execute harmless. */
	u.props[wp - u.props].decision = VXE_UP_REJECT;
	tap_ok(!vxe_upgrade_risk(&u, xp), "F6: ... not once the write is rejected");
	vxe_upgrade_free(&u);
	vxe_policy_free(p);
}

static void test_many(void)
{
	static const char src[] = "(vxed \"many\" :type filesystem :mode soft)\n"
				  "(files (read \"/nonexistent-up/ro\"))\n";
	char err[256];
	struct vxe_policy *p;
	if (!tap_ok(vxe_policy_load_string("m.vxed", src, sizeof src - 1, &p, err, sizeof err) == 0,
		    "F9: test policy loads"))
		return;
	struct vxe_upgrade u;
	vxe_upgrade_init(&u, p);
	char args[256];
	bool ok = true;
	for (int pass = 0; pass < 2; pass++)
		for (int i = 0; i < 80000; i++) {
			snprintf(args, sizeof args,
				 "\"dirfd\":\"AT_FDCWD\",\"path\":\"/nonexistent-up/f/%d/x\","
				 "\"flags\":\"O_RDONLY\"",
				 i);
			ok &= add(&u, recline("many", "logged", "openat", args, "files")) ==
			      VXE_UP_PROPOSED;
		}
	bool twice = true;
	for (size_t i = 0; i < u.nprops; i++)
		twice &= u.props[i].count == 2;
	tap_ok(ok && u.nprops == 80000 && twice,
	       "F9: 160000 records, 80000 distinct paths: 80000 proposals of 2 events (got %zu)",
	       u.nprops);
	vxe_upgrade_free(&u);
	vxe_policy_free(p);
}

/* R4 (red-team round 2): control sockets, devices and secrets read, new
 * write trees, programs that hand work outside VXE, console ioctls. */
static void ioctl_risk(const char *requests, const char *seen, bool want)
{
	struct vxe_grant g = {.kind = VXE_GRANT_IOCTL, .requests = requests, .seen = seen};
	const char *why = vxe_grant_risk(NULL, &g);
	if (!tap_ok((why != NULL) == want, "R4: risk table: ioctl %s (seen %s): %s",
		    requests ? requests : "(any)", seen ? seen : "-", want ? "risky" : "not risky"))
		tap_diag("got: %s", why ? why : "(none)");
}

static void test_r4(void)
{
	static const char *const wsock[] = {"/run/dbus/system_bus_socket",
					    "/var/run/dbus/system_bus_socket",
					    "/run/docker.sock",
					    "/var/run/docker.sock",
					    "/run/containerd/containerd.sock",
					    "/run/user/0/bus",
					    "/run/snapd.socket",
					    "/run/snapd-snap.socket",
					    "/run/podman/podman.sock",
					    "/run/systemd/private",
					    "/run/dbus",
					    NULL};
	for (unsigned i = 0; wsock[i]; i++)
		risk(VXE_FS_WRITE, wsock[i], true);
	/* journald's and sd_notify's sockets: what every daemon writes */
	risk(VXE_FS_WRITE, "/run/systemd/journal/stdout", false);
	risk(VXE_FS_WRITE, "/run/systemd/journal/dev-log", false);
	risk(VXE_FS_WRITE, "/run/systemd/notify", false);
	risk(VXE_FS_WRITE, "/run/systemd/journal", true);
	risk(VXE_FS_WRITE, "/run/php/php8.2-fpm.sock", false);
	risk(VXE_FS_WRITE, "/run/mysqld/mysqld.sock", false);
	static const char *const rd[] = {"/dev/sda",
					 "/dev/nvme0n1",
					 "/dev/vda1",
					 "/dev/mem",
					 "/dev/kmem",
					 "/dev/port",
					 "/dev/kmsg",
					 "/dev/input/event0",
					 "/proc/kcore",
					 "/proc/kallsyms",
					 "/sys/kernel/debug",
					 "/sys/kernel/debug/tracing/trace",
					 "/sys/firmware/efi/efivars",
					 "/etc/sudoers",
					 "/etc/sudoers.d",
					 "/etc/sudoers.d/admins",
					 "/var/backups/shadow.bak",
					 "/var/backups",
					 "/etc/security/opasswd",
					 NULL};
	for (unsigned i = 0; rd[i]; i++)
		risk(VXE_FS_READ, rd[i], true);
	risk(VXE_FS_READ, "/dev/urandom", false);
	risk(VXE_FS_READ, "/dev/null", false);
	risk(VXE_FS_READ, "/dev/pts/3", false);
	risk(VXE_FS_READ, "/dev/stdin", false);
	risk(VXE_FS_READ, "/proc/meminfo", false);
	risk(VXE_FS_READ, "/sys/kernel/mm/transparent_hugepage/enabled", false);
	static const char *const wr[] = {"/var/www/html/x.php",
					 "/var/www",
					 "/var/lib/sudo/ts/root",
					 "/var/lib/polkit-1/localauthority/50-local.d/x.pkla",
					 "/etc/polkit-1/rules.d/x.rules",
					 "/var/lib/systemd/linger/x",
					 "/run/user/0/systemd/x",
					 "/run/systemd/system/x.service",
					 NULL};
	for (unsigned i = 0; wr[i]; i++)
		risk(VXE_FS_WRITE, wr[i], true);
	risk(VXE_FS_WRITE, "/var/lib/app/state", false);
	static const char *const ex[] = {"/usr/bin/systemd-run",
					 "/usr/bin/at",
					 "/usr/bin/batch",
					 "/usr/bin/crontab",
					 "/usr/bin/ssh",
					 "/usr/bin/scp",
					 "/usr/bin/sftp",
					 "/usr/bin/nsenter",
					 "/usr/bin/unshare",
					 "/usr/sbin/chroot",
					 "/usr/bin/gdb",
					 "/usr/bin/strace",
					 "/usr/bin/ltrace",
					 "/usr/bin/setpriv",
					 "/usr/sbin/capsh",
					 "/usr/bin/mount",
					 "/usr/bin/umount",
					 "/usr/sbin/insmod",
					 "/usr/sbin/modprobe",
					 "/usr/sbin/kexec",
					 "/usr/sbin/bpftool",
					 "/usr/bin/busybox",
					 "/usr/bin/nc",
					 "/usr/bin/ncat",
					 "/usr/bin/netcat",
					 "/usr/bin/socat",
					 "/usr/bin/curl",
					 "/usr/bin/wget",
					 NULL};
	for (unsigned i = 0; ex[i]; i++)
		risk(VXE_FS_EXECUTE, ex[i], true);
	risk(VXE_FS_EXECUTE, "/usr/sbin/exim4", false);

	/* ioctl: the requests a check names, or those seen with a plain permit */
	ioctl_risk("KDSKBSENT", NULL, true);
	ioctl_risk("TCGETS KDSKBENT", NULL, true);
	ioctl_risk("TIOCCONS", NULL, true);
	ioctl_risk("TIOCSETD", NULL, true);
	ioctl_risk("VT_ACTIVATE", NULL, true);
	ioctl_risk("KDSETMODE", NULL, true);
	ioctl_risk("19273", NULL, true);       /* KDSKBSENT as a number */
	ioctl_risk("0x5606", NULL, true);      /* VT_ACTIVATE */
	ioctl_risk("0x10000541d", NULL, true); /* TIOCCONS, garbage upper half */
	ioctl_risk("TCGETS TIOCGWINSZ FIONREAD", NULL, false);
	ioctl_risk(NULL, NULL, false);
	ioctl_risk(NULL, "KDSKBSENT", true);
	tap_ok(KDSKBENT == 0x4B47 && KDSKBSENT == 0x4B49 && TIOCCONS == 0x541D &&
		   TIOCSETD == 0x5423 && VT_ACTIVATE == 0x5606 && VT_WAITACTIVE == 0x5607 &&
		   KDSETMODE == 0x4B3A,
	       "R4: the kernel's values of the console requests");
	const struct vxe_const *k = vxe_const_by_name("KDSKBSENT");
	tap_ok(k && k->value == 0x4B49, "R4: KDSKBSENT is a named constant");
	k = vxe_const_by_name("VT_ACTIVATE");
	tap_ok(k && k->value == 0x5606, "R4: VT_ACTIVATE is a named constant");

	/* A forged log: --accept-all takes none of them. */
	static const char src[] = "(vxed \"r4\" :type strict :mode soft)\n"
				  "(unchecked read write close)\n(permit openat execve)\n"
				  "(files (read \"/usr\"))\n";
	char err[256];
	struct vxe_policy *p;
	if (!tap_ok(vxe_policy_load_string("r4.vxed", src, sizeof src - 1, &p, err, sizeof err) ==
			0,
		    "R4: test policy loads"))
		return;
	struct vxe_upgrade u;
	vxe_upgrade_init(&u, p);
	add(&u, recline("r4", "logged", "connect",
			"\"sockfd\":3,\"addr\":\"unix:/run/dbus/system_bus_socket\",\"addrlen\":30",
			"files"));
	add(&u, recline("r4", "logged", "connect",
			"\"sockfd\":3,\"addr\":\"unix:/run/docker.sock\",\"addrlen\":20", "files"));
	add(&u, recline("r4", "logged", "openat",
			"\"dirfd\":\"AT_FDCWD\",\"path\":\"/dev/sda\",\"flags\":\"O_RDONLY\"",
			"files"));
	add(&u, recline("r4", "logged", "openat",
			"\"dirfd\":\"AT_FDCWD\",\"path\":\"/etc/sudoers\",\"flags\":\"O_RDONLY\"",
			"files"));
	add(&u, recline("r4", "logged", "openat",
			"\"dirfd\":\"AT_FDCWD\",\"path\":\"/var/www/html/x.php\",\"flags\":"
			"\"O_WRONLY\"",
			"files"));
	add(&u, recline("r4", "logged", "openat",
			"\"dirfd\":\"AT_FDCWD\",\"path\":\"/var/lib/sudo/ts/root\",\"flags\":"
			"\"O_WRONLY\"",
			"files"));
	add(&u, recline("r4", "logged", "execve", "\"path\":\"/usr/bin/systemd-run\"", "files"));
	add(&u, recline("r4", "logged", "execve", "\"path\":\"/usr/bin/nsenter\"", "files"));
	add(&u, recline("r4", "logged", "ioctl", "\"fd\":3,\"request\":\"TCGETS\",\"arg\":1",
			"unlisted"));
	add(&u, recline("r4", "logged", "ioctl", "\"fd\":3,\"request\":19273,\"arg\":1",
			"unlisted")); /* KDSKBSENT */
	const struct vxe_up_prop *io = find_syscall(&u, "ioctl");
	tap_ok(io && io->console && strstr(io->console, "KDSKBSENT"),
	       "R4: KDSKBSENT seen is kept on the proposal");
	tap_ok(io && vxe_upgrade_risk(&u, io), "R4: ioctl with a check naming KDSKBSENT: risky");
	if (io) {
		u.props[io - u.props].step = 1; /* the plain permit */
		const char *why = vxe_upgrade_risk(&u, io);
		tap_ok(why && strstr(why, "KDSKBSENT"),
		       "R4: plain (permit ioctl) after KDSKBSENT was seen: risky (%s)",
		       why ? why : "-");
		u.props[io - u.props].step = 0;
	}
	size_t n = 0;
	char *text = accept_all(&u, src, &n);
	const char *added = text ? text + sizeof src - 1 : "";
	if (!tap_ok(text && n == 0 && !strstr(added, "ioctl") && !strstr(added, "/run") &&
			!strstr(added, "/dev/sda") && !strstr(added, "sudo") &&
			!strstr(added, "/var/www") && !strstr(added, "systemd-run") &&
			!strstr(added, "nsenter"),
		    "R4: --accept-all takes none of the forged log's grants (%zu taken)", n))
		tap_diag("%s", added);
	free(text);
	vxe_upgrade_free(&u);

	/* vxe upgrade's ioctl without console requests: not risky. */
	vxe_upgrade_init(&u, p);
	add(&u, recline("r4", "logged", "ioctl", "\"fd\":3,\"request\":\"TCGETS\",\"arg\":1",
			"unlisted"));
	io = find_syscall(&u, "ioctl");
	tap_ok(io && !vxe_upgrade_risk(&u, io), "R4: ioctl TCGETS alone: not risky");
	vxe_upgrade_free(&u);
	vxe_policy_free(p);
}

static void test_termsafe(void)
{
	char out[256];
	TAP_STREQ(vxe_termsafe(out, sizeof out, "a\x1b[2Jb\rc\nd\x7f", 0),
		  "a\\x1b[2Jb\\rc\\nd\\x7f", "termsafe: ESC, CR, newline, DEL");
	TAP_STREQ(vxe_termsafe(out, sizeof out,
			       "\xc2\x9b"
			       "1m",
			       0),
		  "\\u009b1m", "termsafe: C1 CSI");
	TAP_STREQ(vxe_termsafe(out, sizeof out, "x\xff\xc3", 0), "x\\xff\\xc3",
		  "termsafe: invalid UTF-8");
	TAP_STREQ(
	    vxe_termsafe(out, sizeof out,
			 "\xe2\x80\x8e\xe2\x80\x8f\xe2\x80\xae\xe2\x81\xa6\xd8\x9c\xe2\x80\xa8"
			 "\xe2\x80\xa9\xef\xbb\xbf",
			 0),
	    "\\u200e\\u200f\\u202e\\u2066\\u061c\\u2028\\u2029\\ufeff",
	    "termsafe: bidi and invisible format characters");
	TAP_STREQ(vxe_termsafe(out, sizeof out, "caf\xc3\xa9 \xe2\x88\x95 a\\b", VXE_TS_BACKSLASH),
		  "caf\xc3\xa9 \xe2\x88\x95 a\\\\b",
		  "termsafe: printable UTF-8 kept, backslash doubled");
	vxe_termsafe(out, 8, "\x1b\x1b\x1b\x1b", 0);
	tap_ok(strcmp(out, "\\x1b...") == 0, "termsafe: cut short between escapes (%s)", out);
}

/* Two accepted path rules, one under the other: only the broader is written
 * (the fresh user's redis upgrade drew a `vxe check` warning at once). */
static void test_subsumed(const struct vxe_policy *p)
{
	struct vxe_upgrade u;
	vxe_upgrade_init(&u, p);
	add(&u, recline("app", "logged", "openat",
			"\"dirfd\":\"AT_FDCWD\",\"path\":\"/nonexistent-sub/data/dump.rdb\","
			"\"flags\":\"O_RDONLY\"",
			"files"));
	add(&u, recline("app", "logged", "openat",
			"\"dirfd\":\"AT_FDCWD\",\"path\":\"/nonexistent-sub/data/x/other\","
			"\"flags\":\"O_RDONLY\"",
			"files"));
	size_t got = 0;
	for (size_t i = 0; i < u.nprops; i++) {
		struct vxe_up_prop *q = &u.props[i];
		if (q->kind != VXE_UP_PATH)
			continue;
		/* the first broadened to its directory, the second as it is */
		q->step = 0;
		if (strcmp(q->ladder[0], "/nonexistent-sub/data/dump.rdb") == 0 && q->nsteps > 1)
			q->step = 1;
		q->decision = VXE_UP_ACCEPT;
		got++;
	}
	size_t n = 0;
	char *text = vxe_upgrade_text(&u, policy_src, "d", "l", &n);
	tap_ok(got == 2 && text && strstr(text, "\"/nonexistent-sub/data\"") &&
		   !strstr(text, "/nonexistent-sub/data/x/other") && n == 1,
	       "an accepted path under another accepted one is not written (%zu written)", n);
	free(text);
	vxe_upgrade_free(&u);
}

int main(void)
{
	char err[512];
	struct vxe_policy *p;
	if (!tap_ok(vxe_policy_load_string("app.vxed", policy_src, sizeof policy_src - 1, &p, err,
					   sizeof err) == 0,
		    "test policy loads")) {
		tap_diag("%s", err);
		return tap_done();
	}

	test_subsumed(p);
	/* syscalls */
	covered(p, true, "read", "\"fd\":3", "unlisted", "unchecked read");
	covered(p, false, "getpid", "", "unlisted", "unlisted getpid");
	covered(p, false, "ptrace", "\"request\":16", "escape", "escape-set ptrace");
	covered(p, false, "kill", "\"pid\":-1,\"sig\":\"SIGTERM\"", "permit:4",
		"predicate refusal (rule still has a predicate)");
	/* paths: access from the call and its flags */
	covered(p, true, "openat",
		"\"dirfd\":\"AT_FDCWD\",\"path\":\"/nonexistent-up/ro/a\",\"flags\":\"O_RDONLY\"",
		"files", "O_RDONLY under a read rule");
	covered(p, false, "openat",
		"\"dirfd\":\"AT_FDCWD\",\"path\":\"/nonexistent-up/ro/a\",\"flags\":\"O_WRONLY\"",
		"files", "O_WRONLY under a read rule");
	covered(p, false, "openat",
		"\"dirfd\":\"AT_FDCWD\",\"path\":\"/nonexistent-up/ro/a\","
		"\"flags\":\"O_RDONLY|O_TRUNC\"",
		"files", "O_TRUNC needs write");
	covered(p, false, "openat",
		"\"dirfd\":\"AT_FDCWD\",\"path\":\"/nonexistent-up/rw/a\","
		"\"flags\":\"O_RDWR|O_CREAT|O_CLOEXEC\"",
		"files", "O_RDWR under a write-only rule (read missing)");
	covered(p, true, "openat",
		"\"dirfd\":\"AT_FDCWD\",\"path\":\"/nonexistent-up/rw/a\","
		"\"flags\":\"O_WRONLY|O_CREAT|O_TRUNC\"",
		"files", "O_WRONLY|O_CREAT|O_TRUNC under a write rule");
	covered(p, true, "mkdir", "\"path\":\"/nonexistent-up/rw/d\",\"mode\":\"0755\"", "files",
		"mkdir under a write rule");
	covered(p, false, "mkdir", "\"path\":\"/nonexistent-up/ro/d\",\"mode\":\"0755\"", "files",
		"mkdir under a read rule");
	covered(p, true, "execve", "\"path\":\"/nonexistent-up/bin/tool\"", "files",
		"execve of the executable");
	covered(p, false, "execve", "\"path\":\"/nonexistent-up/bin/other\"", "files",
		"execve of another");
	covered(p, true, "openat",
		"\"dirfd\":\"AT_FDCWD\",\"path\":\"/nonexistent-up/bin/tool\","
		"\"flags\":\"O_RDONLY\"",
		"files", "execute implies read");
	/* network */
	covered(p, true, "bind", "\"fd\":3,\"addr\":\"inet:0.0.0.0:8080\",\"addrlen\":16",
		"network", "bind of the permitted port");
	covered(p, false, "bind", "\"fd\":3,\"addr\":\"inet:0.0.0.0:8081\",\"addrlen\":16",
		"network", "bind of another port");
	covered(p, false, "connect", "\"fd\":3,\"addr\":\"inet6:[::1]:25\",\"addrlen\":28",
		"network", "connect under (connect none)");

	/* ladder */
	ladder("/etc/app/conf/x.conf", 3, "/etc/app/conf/x.conf", "/etc/app");
	ladder("/etc/app/conf", 3, "/etc/app/conf", "/etc");
	ladder("/etc/passwd", 2, "/etc/passwd", "/etc");
	ladder("/etc", 1, "/etc", "/etc");
	ladder("/", 0, NULL, NULL);
	ladder("relative/path", 0, NULL, NULL);
	ladder("/a//b/../c/", 2, "/a/c", "/a");

	/* risk */
	struct vxe_up_prop rp = {.kind = VXE_UP_PATH, .access = VXE_FS_WRITE, .nsteps = 1};
	rp.ladder[0] = "/etc/app.conf";
	tap_ok(vxe_upgrade_risk(NULL, &rp) != NULL, "risk: write under /etc");
	rp.ladder[0] = "/var/lib/app/state";
	tap_ok(vxe_upgrade_risk(NULL, &rp) == NULL, "no risk: write under /var/lib/app");
	rp.ladder[0] = "/var/log/vxe/vxe.log";
	tap_ok(vxe_upgrade_risk(NULL, &rp) != NULL, "risk: write under /var/log/vxe");
	rp.access = VXE_FS_EXECUTE;
	rp.ladder[0] = "/usr/bin/dash";
	tap_ok(vxe_upgrade_risk(NULL, &rp) != NULL, "risk: execute of a shell");
	rp.ladder[0] = "/usr/bin";
	tap_ok(vxe_upgrade_risk(NULL, &rp) != NULL, "risk: execute of a directory holding a shell");
	rp.ladder[0] = "/opt/app/bin/tool";
	tap_ok(vxe_upgrade_risk(NULL, &rp) == NULL, "no risk: execute of a tool");

	/* grouping and the text */
	struct vxe_upgrade u;
	vxe_upgrade_init(&u, p);
	/* recline's buffer is reused: each line is copied. */
	char *lines[] = {
	    strdup(recline("app", "logged", "getpid", "", "unlisted")),
	    strdup(recline("app", "blocked", "getpid", "", "unlisted")),
	    strdup(recline("app", "logged", "socket",
			   "\"domain\":\"AF_INET\",\"type\":1,\"protocol\":0", "unlisted")),
	    strdup(recline("app", "logged", "socket",
			   "\"domain\":\"AF_INET6\",\"type\":1,\"protocol\":0", "unlisted")),
	    strdup(recline("app", "logged", "openat",
			   "\"dirfd\":\"AT_FDCWD\",\"path\":\"/nonexistent-up/etc/a\",\"flags\":"
			   "\"O_RDONLY\"",
			   "files")),
	    strdup(recline("app", "logged", "openat",
			   "\"dirfd\":\"AT_FDCWD\",\"path\":\"/nonexistent-up/etc/a\",\"flags\":"
			   "\"O_RDONLY|O_CLOEXEC\"",
			   "files")),
	    strdup(recline("app", "logged", "ptrace", "\"request\":16", "escape")),
	    strdup(recline("app", "traced", "uname", "", "unlisted")),
	    strdup(recline("other", "logged", "uname", "", "unlisted")),
	    strdup(recline("app", "logged", "read", "\"fd\":1", "unlisted")),
	    (char *)"{\"v\":1,\"time\":\"2026-12-03T17:20:00.000Z\",\"vxed\":\"app\",\"action\":"
		    "\"suppressed\",\"count\":7}",
	};
	for (size_t i = 0; i < sizeof lines / sizeof lines[0]; i++) {
		struct vxe_logrec r = parse(lines[i]);
		vxe_upgrade_add(&u, &r);
		vxe_logrec_free(&r);
		if (i + 1 < sizeof lines / sizeof lines[0])
			free(lines[i]);
	}
	tap_ok(u.records == 8, "8 records of app, logged or blocked (got %llu)",
	       (unsigned long long)u.records);
	tap_ok(u.covered == 1, "1 covered (got %llu)", (unsigned long long)u.covered);
	tap_ok(u.ignored == 2, "2 ignored: traced, other VXED (got %llu)",
	       (unsigned long long)u.ignored);
	tap_ok(u.suppressed == 7, "suppressed events counted (got %llu)",
	       (unsigned long long)u.suppressed);
	tap_ok(u.nprops == 4, "4 proposals: getpid, socket, a path, ptrace (got %zu)", u.nprops);
	const struct vxe_up_prop *gp = NULL, *sp = NULL, *pp = NULL, *ep = NULL;
	for (size_t i = 0; i < u.nprops; i++) {
		const struct vxe_up_prop *q = &u.props[i];
		if (q->kind == VXE_UP_SYSCALL && strcmp(q->syscall, "getpid") == 0)
			gp = q;
		if (q->kind == VXE_UP_SYSCALL && strcmp(q->syscall, "socket") == 0)
			sp = q;
		if (q->kind == VXE_UP_SYSCALL && strcmp(q->syscall, "ptrace") == 0)
			ep = q;
		if (q->kind == VXE_UP_PATH)
			pp = q;
	}
	tap_ok(gp && gp->count == 2, "getpid: one proposal for 2 events");
	tap_ok(sp && sp->nsteps == 2 && sp->values && strcmp(sp->values, "AF_INET AF_INET6") == 0,
	       "socket: with the observed domains, or without a check");
	tap_ok(pp && pp->count == 2 && pp->access == VXE_FS_READ &&
		   strcmp(pp->ladder[0], "/nonexistent-up/etc/a") == 0,
	       "path: one read proposal for 2 events, literal first");
	tap_ok(ep && ep->escape, "ptrace: marked escape set");

	for (size_t i = 0; i < u.nprops; i++)
		u.props[i].decision = VXE_UP_ACCEPT;
	if (pp)
		u.props[pp - u.props].step = 1; /* broaden once */
	size_t n = 0;
	char *text = vxe_upgrade_text(&u, policy_src, "2026-12-03 12:00:00", "test.log", &n);
	tap_ok(text && strncmp(text, policy_src, sizeof policy_src - 1) == 0,
	       "the old text is kept verbatim");
	tap_ok(n == 4, "4 accepted");
	tap_ok(text && strstr(text, ";; vxe upgrade 2026-12-03 12:00:00: 4 proposals accepted "
				    "from test.log"),
	       "marked section");
	tap_ok(text && strstr(text, "\"/nonexistent-up/etc\""), "broadened path written");
	tap_ok(text && strstr(text, "(member domain (list AF_INET AF_INET6))"),
	       "socket check written");
	struct vxe_policy *np = NULL;
	bool loads = text && vxe_policy_load_string("new.vxed", text, strlen(text), &np, err,
						    sizeof err) == 0;
	if (!tap_ok(loads, "the new text loads"))
		tap_diag("%s\n%s", err, text ? text : "");
	if (np) {
		struct vxe_logrec r = parse(recline("app", "logged", "getpid", "", "unlisted"));
		tap_ok(vxe_upgrade_covered(np, &r), "getpid covered by the new version");
		vxe_logrec_free(&r);
		r = parse(recline("app", "logged", "openat",
				  "\"dirfd\":\"AT_FDCWD\",\"path\":\"/nonexistent-up/etc/b\","
				  "\"flags\":\"O_RDONLY\"",
				  "files"));
		tap_ok(vxe_upgrade_covered(np, &r), "a sibling covered by the broadened rule");
		vxe_logrec_free(&r);
		vxe_policy_free(np);
	}
	free(text);

	/* Nothing accepted: the old text alone. */
	for (size_t i = 0; i < u.nprops; i++)
		u.props[i].decision = VXE_UP_REJECT;
	text = vxe_upgrade_text(&u, policy_src, "d", "l", &n);
	tap_ok(text && n == 0 && strcmp(text, policy_src) == 0, "nothing accepted: unchanged");
	free(text);
	vxe_upgrade_free(&u);
	vxe_policy_free(p);

	test_escape_values();
	test_paths_from_log();
	test_risks();
	test_r4();
	test_many();
	test_termsafe();
	return tap_done();
}
