/* vxe trace without the kernel: the generaliser's decisions and the
 * canonical printer's fixed point (load -> print -> load -> print). */
#include <sched.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "tap.h"
#include "trace/trace_internal.h"
#include "vxe/landlock.h"
#include "vxe/policy.h"
#include "vxe/supervisor.h"
#include "vxe/syscalls.h"
#include "vxe/trace.h"

static char *print_text(const char *src, char *err, size_t errsz)
{
	struct vxe_policy *p;
	if (vxe_policy_load_string("t.vxed", src, strlen(src), &p, err, errsz) < 0)
		return NULL;
	char *out = vxe_policy_print(p);
	vxe_policy_free(p);
	return out;
}

static void fixed_point(const char *name, const char *src)
{
	char err[512] = "";
	char *a = print_text(src, err, sizeof err);
	if (!tap_ok(a != NULL, "%s: loads and prints", name)) {
		tap_diag("%s", err);
		return;
	}
	char *b = print_text(a, err, sizeof err);
	if (!tap_ok(b != NULL, "%s: the printed text loads", name))
		tap_diag("%s\n%s", err, a);
	else if (!tap_ok(strcmp(a, b) == 0, "%s: printing is a fixed point", name))
		tap_diag("first:\n%s\nsecond:\n%s", a, b);
	free(a);
	free(b);
}

static char *read_all(const char *path)
{
	FILE *f = fopen(path, "r");
	if (!f)
		return NULL;
	static char buf[1 << 16];
	size_t n = fread(buf, 1, sizeof buf - 1, f);
	fclose(f);
	buf[n] = 0;
	return strdup(buf);
}

/* What the generaliser wrote besides the rules. */
struct gen_out {
	char *tail;    /* the "Not granted" lines */
	char *warn;    /* stderr */
	char *comment; /* the first rule's comment */
};

static void gen_out_free(struct gen_out *g)
{
	free(g->tail);
	free(g->warn);
	free(g->comment);
	memset(g, 0, sizeof *g);
}

/* Runs the generaliser on paths (all with the same access, proc_other,
 * program name; the traced process is root) and returns the rules as
 * "bit:path" lines; the rest in *out if not NULL. */
static char *gen_ex(const char *const *paths, unsigned access, int level, unsigned max_files,
		    bool proc_other, pid_t root, const char *prog, struct gen_out *out)
{
	struct vxe_gen_in in[64];
	size_t n = 0;
	for (; paths[n]; n++)
		in[n] = (struct vxe_gen_in){.path = paths[n],
					    .access = access,
					    .count = 1,
					    .progs = 1,
					    .proc_other = proc_other};
	const char *names[] = {prog};
	struct vxe_buf tail = {0};
	struct vxe_gen_opts o = {.level = level,
				 .max_files = max_files,
				 .prog_names = names,
				 .nprogs = 1,
				 .root = root,
				 .tail = &tail};
	char *wtext = NULL;
	size_t wlen = 0;
	FILE *warn = open_memstream(&wtext, &wlen);
	struct vxe_doc d = {0};
	vxe_generalize(in, n, &o, &d, warn);
	fclose(warn);
	struct vxe_buf b = {0};
	vxe_buf_puts(&b, "");
	for (size_t i = 0; i < d.npaths; i++)
		vxe_buf_printf(&b, "%u:%s\n", d.paths[i].bit, d.paths[i].path);
	if (out) {
		out->tail = tail.s ? tail.s : strdup("");
		out->warn = wtext;
		out->comment = strdup(d.npaths && d.paths[0].comment ? d.paths[0].comment : "");
	} else {
		free(tail.s);
		free(wtext);
	}
	vxe_doc_free(&d);
	return b.s;
}

static char *gen(const char *const *paths, unsigned access, int level, unsigned max_files)
{
	return gen_ex(paths, access, level, max_files, false, 0, "prog", NULL);
}

static void check_gen(const char *name, const char *const *paths, unsigned access, int level,
		      unsigned max, const char *want)
{
	char *got = gen(paths, access, level, max);
	TAP_STREQ(got, want, name);
	free(got);
}

/* No byte of s is a control character (C0, DEL, C1 as UTF-8) or an ESC. */
static bool no_controls(const char *s)
{
	for (const unsigned char *c = (const unsigned char *)s; *c; c++)
		if ((*c < 0x20 && *c != '\n') || *c == 0x7f ||
		    (c[0] == 0xc2 && c[1] >= 0x80 && c[1] < 0xa0))
			return false;
	return true;
}

static char *escaped(const char *s, size_t max)
{
	struct vxe_buf b = {0};
	vxe_buf_puts(&b, "");
	vxe_buf_comment_text(&b, s, max);
	return b.s;
}

/* Directories a red team found trace granting write on (a file created
 * and removed there): each must stay precise, with a warning. */
static void sensitive_creation(const char *dir)
{
	char path[256], want[300];
	snprintf(path, sizeof path, "%s/.vxe-t-new", dir);
	snprintf(want, sizeof want, "2:%s\n", path);
	const char *const paths[] = {path, NULL};
	for (int level = VXE_GEN_NONE; level <= VXE_GEN_WIDE; level++) {
		struct gen_out g;
		char *got =
		    gen_ex(paths, VXE_FS_WRITE | VXE_TR_CREATE, level, 1, false, 0, "prog", &g);
		char name[400];
		snprintf(name, sizeof name, "created in %s (level %d): precise, never %s", dir,
			 level, dir);
		TAP_STREQ(got, want, name);
		tap_ok(strstr(g.warn, "is not granted") && strstr(g.warn, dir),
		       "...and a warning names %s", dir);
		free(got);
		gen_out_free(&g);
	}
}

/* R5 and R6 (red-team round 2). */
static void test_r5_r6(void)
{
	char *wtext = NULL;
	size_t wlen = 0;
	FILE *wf;
	/* R5 (red-team round 2): the new sensitive trees; every risky precise
	 * write warned about; the symlink swap at exit. */
	static const char *const r5[] = {"/run/systemd/system",
					 "/run/systemd",
					 "/run/user/0",
					 "/var/lib/systemd/linger",
					 "/var/lib/systemd",
					 "/var/lib/sudo/ts",
					 "/var/lib/polkit-1/localauthority",
					 "/etc/polkit-1/rules.d",
					 "/var/www/html",
					 "/var/www",
					 NULL};
	for (unsigned i = 0; r5[i]; i++)
		sensitive_creation(r5[i]);
	static const char *const riskyw[] = {"/root/.bashrc", "/proc/sys/kernel/core_pattern",
					     "/etc/ld.so.preload", "/var/www/html/index.html",
					     NULL};
	for (unsigned i = 0; riskyw[i]; i++) {
		const char *const one[] = {riskyw[i], NULL};
		struct gen_out g;
		char *got = gen_ex(one, VXE_FS_WRITE, VXE_GEN_NORMAL, 8, false, 0, "prog", &g);
		char want[300];
		snprintf(want, sizeof want, "2:%s\n", riskyw[i]);
		tap_ok(got && strcmp(got, want) == 0 && strstr(g.warn, "is granted precisely") &&
			   strstr(g.warn, riskyw[i]),
		       "R5: write of %s: precise, and a warning", riskyw[i]);
		free(got);
		gen_out_free(&g);
	}
	{
		const char *const one[] = {"/var/lib/vxe-t-app/state", NULL};
		struct gen_out g;
		char *got = gen_ex(one, VXE_FS_WRITE, VXE_GEN_NORMAL, 8, false, 0, "prog", &g);
		tap_ok(got && strcmp(got, "2:/var/lib/vxe-t-app/state\n") == 0 && !g.warn[0],
		       "R5: write of an application's state file: no warning (%s)", g.warn);
		free(got);
		gen_out_free(&g);
	}
	{
		/* The swap: the program's directory replaced by a symlink
		 * before it exits. Into a sensitive tree: not granted. */
		char base[] = "/tmp/vxe-t-swap.XXXXXX";
		char app[64], spool[80], job[96], other[64], ojob[96];
		if (!mkdtemp(base)) {
			tap_ok(false, "R5: swap: mkdtemp");
		} else {
			snprintf(app, sizeof app, "%s/app", base);
			snprintf(spool, sizeof spool, "%s/spool", app);
			snprintf(job, sizeof job, "%s/job", spool);
			snprintf(other, sizeof other, "%s/other", base);
			snprintf(ojob, sizeof ojob, "%s/job", other);
			mkdir(app, 0755);
			mkdir(other, 0755);
			tap_ok(symlink("/etc/cron.d", spool) == 0, "R5: swap: setup");
			const char *const paths[] = {job, NULL};
			struct gen_out g;
			char *got = gen_ex(paths, VXE_FS_WRITE | VXE_TR_CREATE, VXE_GEN_NORMAL, 8,
					   false, 0, "prog", &g);
			tap_ok(got && !strstr(got, "/etc") && strstr(g.tail, "/etc/cron.d/job") &&
				   strstr(g.tail, spool) && strstr(g.warn, "not granted") &&
				   strstr(g.warn, "symlink"),
			       "R5: swap into /etc/cron.d: not granted, in the tail and on stderr");
			if (got && strstr(got, "/etc"))
				tap_diag("got %s", got);
			free(got);
			gen_out_free(&g);
			/* Into an ordinary directory: granted, with a note. */
			unlink(spool);
			tap_ok(symlink(other, spool) == 0, "R5: swap: setup 2");
			got = gen_ex(paths, VXE_FS_WRITE, VXE_GEN_NORMAL, 8, false, 0, "prog", &g);
			char want[400];
			snprintf(want, sizeof want, "2:%s\n", ojob);
			tap_ok(
			    got && strcmp(got, want) == 0 && strstr(g.comment, "real path") &&
				strstr(g.comment, job) && strstr(g.warn, "real path") &&
				strstr(g.warn, job) && strstr(g.warn, ojob),
			    "R5: write through a symlink the program may have made: a note in the "
			    "comment and a warning naming both paths");
			free(got);
			gen_out_free(&g);
			unlink(spool);
			rmdir(app);
			rmdir(other);
			rmdir(base);
		}
		/* The system's own links (/lib64, /bin -> usr/bin): no note. */
		const char *const ld[] = {"/lib64/ld-linux-x86-64.so.2", NULL};
		struct gen_out g;
		char *got = gen_ex(ld, VXE_FS_EXECUTE, VXE_GEN_NORMAL, 8, false, 0, "prog", &g);
		tap_ok(got && strstr(got, "4:/") && !strstr(g.warn, "symlink") &&
			   !strstr(g.comment, "real path"),
		       "R5: the ELF interpreter through /lib64: granted, no symlink note");
		free(got);
		gen_out_free(&g);
	}

	/* R6: clone with namespace flags is reported like the escape set. */
	{
		struct vxe_trace_opts to = {.type = VXE_TYPE_STRICT};
		struct vxe_trace *t = vxe_trace_new(&to);
		int cnr = vxe_syscall_nr("clone");
		const struct vxe_syscall_info *ci = vxe_syscall_by_name("clone");
		uint64_t args[6] = {0x100000000ull | CLONE_NEWUTS | SIGCHLD, 0, 0, 0, 0, 0};
		struct vxe_trace_event ev = {
		    .pid = getpid(), .nr = cnr, .arch = "x86_64", .info = ci, .args = args};
		if (t && cnr >= 0 && ci) {
			vxe_trace_record(t, &ev);
			args[0] = SIGCHLD; /* a plain fork */
			vxe_trace_record(t, &ev);
			wtext = NULL;
			wf = open_memstream(&wtext, &wlen);
			char *text = vxe_trace_vxed(t, NULL, NULL, NULL, wf);
			fclose(wf);
			const char *tl = text ? strstr(text, "Not granted") : NULL;
			tap_ok(tl && strstr(tl, ";; clone with CLONE_NEWUTS (1 call") &&
				   strstr(tl, "escape set"),
			       "R6: clone with CLONE_NEWUTS: a line of the Not granted tail");
			tap_ok(wtext && strstr(wtext, "clone was used with CLONE_NEWUTS"),
			       "R6: ...and a warning");
			tap_ok(text && (strstr(text, "(permit clone") ||
					strstr(text, "\n        clone")),
			       "R6: clone itself is still permitted (its namespace flags stay "
			       "closed)");
			if (text && !strstr(text, "(permit clone") &&
			    !strstr(text, "\n        clone"))
				tap_diag("%s", text);
			free(text);
			free(wtext);
		} else {
			tap_ok(false, "R6: setup");
		}
		vxe_trace_free(t);
	}
}

int main(void)
{
	/* Helpers. */
	tap_ok(vxe_gen_is_versioned_lib("libc.so.6"), "libc.so.6 is a versioned library");
	tap_ok(vxe_gen_is_versioned_lib("libssl.so.3.0.2"), "libssl.so.3.0.2 too");
	tap_ok(vxe_gen_is_versioned_lib("libfoo.so"), "libfoo.so too");
	tap_ok(!vxe_gen_is_versioned_lib("notes.sort"), "notes.sort is not");
	tap_ok(!vxe_gen_is_versioned_lib("libx.so.bak"), "libx.so.bak is not");
	tap_ok(vxe_gen_too_wide("/", VXE_FS_READ), "/ is too wide to read");
	tap_ok(vxe_gen_too_wide("/etc", VXE_FS_READ), "/etc is too wide to read");
	tap_ok(vxe_gen_too_wide("/home", VXE_FS_WRITE), "/home is too wide to write");
	tap_ok(vxe_gen_too_wide("/usr/lib", VXE_FS_WRITE), "/usr/lib is too wide to write");
	tap_ok(!vxe_gen_too_wide("/tmp", VXE_FS_WRITE), "/tmp may be written");
	tap_ok(!vxe_gen_too_wide("/usr/share/zoneinfo", VXE_FS_READ),
	       "/usr/share/zoneinfo may be read");
	tap_ok(vxe_gen_path_cmp("/a/b", "/a-b") < 0, "'/' sorts first: /a/b before /a-b");
	char tmp[64];
	tap_ok(vxe_gen_is_temp("/tmp/ccX1.s", tmp, sizeof tmp) && strcmp(tmp, "/tmp") == 0,
	       "/tmp/ccX1.s is a temporary file of /tmp");
	tap_ok(!vxe_gen_is_temp("/tmp", tmp, sizeof tmp), "/tmp itself is not");

	/* Generaliser. Paths under /nonexistent stay lexical (no symlinks). */
	static const char *const few[] = {"/nonexistent/d/a", "/nonexistent/d/b", NULL};
	check_gen("two files stay precise", few, VXE_FS_READ, VXE_GEN_NORMAL, 8,
		  "1:/nonexistent/d/a\n1:/nonexistent/d/b\n");
	static const char *const many[] = {"/nonexistent/d/1", "/nonexistent/d/2",
					   "/nonexistent/d/3", "/nonexistent/d/4",
					   "/nonexistent/e/x", NULL};
	check_gen("more than 3 files in a directory: the directory", many, VXE_FS_READ,
		  VXE_GEN_NORMAL, 3, "1:/nonexistent/d\n1:/nonexistent/e/x\n");
	check_gen("level none keeps them", many, VXE_FS_READ, VXE_GEN_NONE, 3,
		  "1:/nonexistent/d/1\n1:/nonexistent/d/2\n1:/nonexistent/d/3\n1:/nonexistent/d/4\n"
		  "1:/nonexistent/e/x\n");
	static const char *const etc[] = {"/etc/vxe-t-a", "/etc/vxe-t-b", "/etc/vxe-t-c",
					  "/etc/vxe-t-d", NULL};
	check_gen("never /etc as a whole", etc, VXE_FS_READ, VXE_GEN_NORMAL, 2,
		  "1:/etc/vxe-t-a\n1:/etc/vxe-t-b\n1:/etc/vxe-t-c\n1:/etc/vxe-t-d\n");
	static const char *const tmps[] = {"/tmp/vxe-t-nonexistent-1", "/tmp/vxe-t-nonexistent-2",
					   NULL};
	check_gen("temporary files: /tmp", tmps, VXE_FS_WRITE | VXE_TR_CREATE, VXE_GEN_NORMAL, 8,
		  "2:/tmp\n");
	static const char *const created[] = {"/etc/vxe-t-new", NULL};
	check_gen("a file created in /etc stays precise (write on /etc is too wide)", created,
		  VXE_FS_WRITE | VXE_TR_CREATE, VXE_GEN_NORMAL, 8, "2:/etc/vxe-t-new\n");
	static const char *const lock[] = {"/var/mail/vxe-t-u.lock.host.6b11bfc2.00003dfe",
					   "/var/mail/vxe-t-u.lock", NULL};
	check_gen("lock files created in a mail spool: write on the spool (no narrower rule "
		  "creates)",
		  lock, VXE_FS_WRITE | VXE_TR_CREATE, VXE_GEN_NONE, 8, "2:/var/mail\n");
	static const char *const mails[] = {"/var/mail/vxe-t-a", "/var/mail/vxe-t-b",
					    "/var/mail/vxe-t-c", "/var/mail/vxe-t-d", NULL};
	check_gen("...but files merely written there are not folded into it", mails, VXE_FS_WRITE,
		  VXE_GEN_NORMAL, 2,
		  "2:/var/mail/vxe-t-a\n2:/var/mail/vxe-t-b\n2:/var/mail/vxe-t-c\n"
		  "2:/var/mail/vxe-t-d\n");
	static const char *const pam[] = {"/etc/pam.d/vxe-t-new", NULL};
	check_gen("a file created in /etc/pam.d stays precise", pam, VXE_FS_WRITE | VXE_TR_CREATE,
		  VXE_GEN_NORMAL, 8, "2:/etc/pam.d/vxe-t-new\n");
	static const char *const made[] = {"/nonexistent/out/new.o", NULL};
	check_gen("a created file: write on its directory", made, VXE_FS_WRITE | VXE_TR_CREATE,
		  VXE_GEN_NONE, 8, "2:/nonexistent/out\n");
	static const char *const proc[] = {"/proc/self/status", "/proc/self/maps", "/proc/meminfo",
					   NULL};
	check_gen("/proc/self entries: /proc/self", proc, VXE_FS_READ, VXE_GEN_NONE, 8,
		  "1:/proc/meminfo\n1:/proc/self\n");
	static const char *const procpid[] = {"/proc/4242/stat", NULL};
	check_gen("/proc/PID entries: /proc", procpid, VXE_FS_READ, VXE_GEN_NONE, 8, "1:/proc\n");
	static const char *const covered[] = {"/nonexistent/x", "/nonexistent/x/y/z", NULL};
	check_gen("a path under another with the same access is dropped", covered, VXE_FS_READ,
		  VXE_GEN_NONE, 8, "1:/nonexistent/x\n");

	/* Sensitive trees (doc/trace.md): never a directory rule for write or
	 * execute, whatever the widening. */
	static const char *const wide_w[] = {"/etc/systemd/system",
					     "/etc/systemd",
					     "/etc/profile.d",
					     "/etc/cron.d",
					     "/etc/cron.hourly",
					     "/etc/ld.so.conf.d",
					     "/etc/apt/apt.conf.d",
					     "/etc/sudoers.d",
					     "/etc/foo/bar/baz",
					     "/usr/local/bin",
					     "/usr/local",
					     "/usr/lib/x86_64-linux-gnu",
					     "/usr/bin",
					     "/root",
					     "/root/.ssh",
					     "/root/.config/x",
					     "/boot/grub",
					     "/bin",
					     "/sbin/x",
					     "/lib",
					     "/lib64",
					     "/lib/systemd/system",
					     "/var/spool/cron",
					     "/var/spool/cron/crontabs",
					     "/var/lib/dpkg",
					     "/var/lib/dpkg/info",
					     "/var/lib/apt/lists",
					     "/home/alice",
					     "/home/alice/.ssh",
					     "/srv/git/.ssh",
					     "/srv/git/.ssh/x",
					     "/proc",
					     "/proc/sys",
					     "/proc/sys/kernel",
					     "/proc/self",
					     "/proc/1",
					     "/sys",
					     "/sys/kernel/debug",
					     "/dev",
					     "/dev/pts",
					     "/var/mail",
					     "/var/lib",
					     "/var/spool",
					     NULL};
	for (unsigned i = 0; wide_w[i]; i++) {
		tap_ok(vxe_gen_too_wide(wide_w[i], VXE_FS_WRITE), "%s is too wide to write",
		       wide_w[i]);
		tap_ok(vxe_gen_too_wide(wide_w[i], VXE_FS_EXECUTE), "...and to execute");
	}
	static const char *const ok_w[] = {"/tmp",
					   "/var/tmp",
					   "/dev/shm",
					   "/dev/shm/x",
					   "/var/lib/myapp",
					   "/var/spool/postfix",
					   "/var/spool/cronx",
					   "/var/lib/dpkgx",
					   "/home/alice/work",
					   "/srv/www",
					   "/srv/git/.sshx",
					   "/opt/app/var",
					   "/run/app",
					   "/var/log/app",
					   NULL};
	for (unsigned i = 0; ok_w[i]; i++)
		tap_ok(!vxe_gen_too_wide(ok_w[i], VXE_FS_WRITE), "%s may be written", ok_w[i]);
	tap_ok(vxe_gen_too_wide("/root/.ssh", VXE_FS_READ), ".ssh is too wide to read (keys)");
	tap_ok(!vxe_gen_too_wide("/etc/ssl/certs", VXE_FS_READ), "/etc/ssl/certs may be read");
	tap_ok(!vxe_gen_too_wide("/usr/lib/x86_64-linux-gnu", VXE_FS_READ),
	       "/usr/lib/x86_64-linux-gnu may be read");

	static const char *const f3[] = {"/etc/systemd/system",
					 "/etc/profile.d",
					 "/etc/ld.so.conf.d",
					 "/etc/apt/apt.conf.d",
					 "/etc/cron.hourly",
					 "/etc/cron.d",
					 "/root/.ssh",
					 "/usr/local/bin",
					 "/var/spool/cron/crontabs",
					 "/var/lib/dpkg",
					 "/var/lib/apt/lists",
					 "/home/alice",
					 "/home/alice/.ssh",
					 "/boot",
					 NULL};
	for (unsigned i = 0; f3[i]; i++)
		sensitive_creation(f3[i]);
	/* Write on /var/spool or /var/lib would reach the crontabs, at jobs and
	 * dpkg's scripts (root): a file made there stays precise. A mail or log
	 * directory gets write on itself. */
	static const char *const spool[] = {"/var/spool/vxe-t-queue-file", NULL};
	check_gen("created directly in /var/spool: precise, never the spool", spool,
		  VXE_FS_WRITE | VXE_TR_CREATE, VXE_GEN_NONE, 8, "2:/var/spool/vxe-t-queue-file\n");
	static const char *const varlib[] = {"/var/lib/vxe-t-state", NULL};
	check_gen("created directly in /var/lib: precise, never /var/lib", varlib,
		  VXE_FS_WRITE | VXE_TR_CREATE, VXE_GEN_NONE, 8, "2:/var/lib/vxe-t-state\n");
	static const char *const mail[] = {"/var/mail/vxe-t-user.lock", NULL};
	check_gen("created directly in /var/mail: the mail spool (shared state)", mail,
		  VXE_FS_WRITE | VXE_TR_CREATE, VXE_GEN_NONE, 8, "2:/var/mail\n");
	static const char *const shm[] = {"/dev/shm/vxe-t-seg", NULL};
	check_gen("created in /dev/shm at level none: /dev/shm (a temporary directory)", shm,
		  VXE_FS_WRITE | VXE_TR_CREATE, VXE_GEN_NONE, 8, "2:/dev/shm\n");
	static const char *const sysctl[] = {"/proc/sys/kernel/a", "/proc/sys/kernel/b",
					     "/proc/sys/kernel/c", "/proc/sys/kernel/d", NULL};
	check_gen("writes under /proc/sys stay precise (level wide)", sysctl, VXE_FS_WRITE,
		  VXE_GEN_WIDE, 3,
		  "2:/proc/sys/kernel/a\n2:/proc/sys/kernel/b\n2:/proc/sys/kernel/c\n"
		  "2:/proc/sys/kernel/d\n");
	static const char *const sysfs[] = {"/sys/vxe-t/a", "/sys/vxe-t/b", "/sys/vxe-t/c",
					    "/sys/vxe-t/d", NULL};
	check_gen("writes under /sys stay precise", sysfs, VXE_FS_WRITE, VXE_GEN_WIDE, 3,
		  "2:/sys/vxe-t/a\n2:/sys/vxe-t/b\n2:/sys/vxe-t/c\n2:/sys/vxe-t/d\n");
	static const char *const devs[] = {"/dev/vxe-t-a", "/dev/vxe-t-b", "/dev/vxe-t-c",
					   "/dev/vxe-t-d", NULL};
	check_gen("writes under /dev stay precise", devs, VXE_FS_WRITE, VXE_GEN_WIDE, 3,
		  "2:/dev/vxe-t-a\n2:/dev/vxe-t-b\n2:/dev/vxe-t-c\n2:/dev/vxe-t-d\n");
	static const char *const bins[] = {"/usr/local/bin/vxe-t-a", "/usr/local/bin/vxe-t-b",
					   "/usr/local/bin/vxe-t-c", "/usr/local/bin/vxe-t-d",
					   NULL};
	check_gen("executes in /usr/local/bin are not folded into it", bins, VXE_FS_EXECUTE,
		  VXE_GEN_WIDE, 3,
		  "4:/usr/local/bin/vxe-t-a\n4:/usr/local/bin/vxe-t-b\n4:/usr/local/bin/vxe-t-c\n"
		  "4:/usr/local/bin/vxe-t-d\n");
	check_gen("...nor writes", bins, VXE_FS_WRITE, VXE_GEN_WIDE, 3,
		  "2:/usr/local/bin/vxe-t-a\n2:/usr/local/bin/vxe-t-b\n2:/usr/local/bin/vxe-t-c\n"
		  "2:/usr/local/bin/vxe-t-d\n");
	static const char *const units[] = {"/etc/systemd/system/a", "/etc/systemd/system/b",
					    "/etc/systemd/system/c", "/etc/systemd/system/d", NULL};
	check_gen("created in /etc/systemd/system, many: still precise", units,
		  VXE_FS_WRITE | VXE_TR_CREATE, VXE_GEN_WIDE, 3,
		  "2:/etc/systemd/system/a\n2:/etc/systemd/system/b\n2:/etc/systemd/system/c\n"
		  "2:/etc/systemd/system/d\n");
	static const char *const etcdir[] = {"/etc", NULL};
	struct gen_out g;
	char *got = gen_ex(etcdir, VXE_FS_WRITE, VXE_GEN_NONE, 8, false, 0, "prog", &g);
	TAP_STREQ(got, "", "a directory opened for writing (/etc, which fails): no rule");
	tap_ok(strstr(g.tail, "write \"/etc\"") != NULL, "...listed as not granted");
	tap_ok(strstr(g.warn, "not granted") != NULL, "...with a warning");
	free(got);
	gen_out_free(&g);

	/* /proc (F1): never write on /proc or another process's entries. */
	static const char *const own_pid[] = {"/proc/4242/oom_score_adj", NULL};
	got = gen_ex(own_pid, VXE_FS_WRITE, VXE_GEN_NORMAL, 8, true, 4242, "prog", &g);
	TAP_STREQ(got, "2:/proc/self/oom_score_adj\n",
		  "write to /proc/PID of the traced process: that entry under /proc/self");
	TAP_STREQ(g.tail, "", "...nothing left out");
	free(got);
	gen_out_free(&g);
	got = gen_ex(own_pid, VXE_FS_WRITE, VXE_GEN_NORMAL, 8, true, 77, "prog", &g);
	TAP_STREQ(got, "", "write to /proc/PID of another process or a child: no rule");
	tap_ok(strstr(g.tail, "write \"/proc/4242/oom_score_adj\" by prog: ") == g.tail,
	       "...it is in the Not granted lines");
	tap_ok(strstr(g.warn, "not granted") && strstr(g.warn, "/proc/4242/oom_score_adj"),
	       "...and on stderr");
	free(got);
	gen_out_free(&g);
	static const char *const child_self[] = {"/proc/self/oom_score_adj", NULL};
	got = gen_ex(child_self, VXE_FS_WRITE, VXE_GEN_NORMAL, 8, true, 77, "prog", &g);
	TAP_STREQ(got, "", "write to a child's own /proc/self entry: no rule");
	tap_ok(strstr(g.tail, "/proc/self/oom_score_adj") != NULL, "...listed as not granted");
	free(got);
	gen_out_free(&g);
	got = gen_ex(child_self, VXE_FS_WRITE, VXE_GEN_NORMAL, 8, false, 77, "prog", &g);
	TAP_STREQ(got, "2:/proc/self/oom_score_adj\n",
		  "write to the traced process's /proc/self entry: that entry");
	free(got);
	gen_out_free(&g);
	static const char *const own_fd[] = {"/proc/self/fd/3", "/proc/self/cwd/x",
					     "/proc/4242/root/etc/cron.d/x", NULL};
	got = gen_ex(own_fd, VXE_FS_WRITE | VXE_TR_CREATE, VXE_GEN_NORMAL, 8, false, 4242, "prog",
		     &g);
	TAP_STREQ(got, "", "writes through /proc links (fd, cwd, root): no rule");
	free(got);
	gen_out_free(&g);
	static const char *const own_dirs[] = {"/proc/self", "/proc/4242", "/proc/self/attr", NULL};
	got = gen_ex(own_dirs, VXE_FS_WRITE, VXE_GEN_NORMAL, 8, false, 4242, "prog", &g);
	TAP_STREQ(got, "", "the process's own /proc directories named for writing: no rule");
	tap_ok(strstr(g.tail, "write \"/proc/self\"") != NULL, "...listed as not granted");
	free(got);
	gen_out_free(&g);
	static const char *const dotdot[] = {"/proc/self/../4243/oom_score_adj", NULL};
	got = gen_ex(dotdot, VXE_FS_WRITE, VXE_GEN_NORMAL, 8, false, 4242, "prog", &g);
	TAP_STREQ(got, "", "/proc/self/../PID is another process's entry: no rule");
	free(got);
	gen_out_free(&g);
	static const char *const many_pids[] = {"/proc/11/oom_score_adj", "/proc/12/oom_score_adj",
						"/proc/13/oom_score_adj", "/proc/14/oom_score_adj",
						"/proc/15/oom_score_adj", NULL};
	got = gen_ex(many_pids, VXE_FS_WRITE, VXE_GEN_WIDE, 2, true, 1, "prog", &g);
	TAP_STREQ(got, "", "many processes' entries written: never folded into /proc");
	free(got);
	gen_out_free(&g);
	got = gen_ex(procpid, VXE_FS_READ, VXE_GEN_NONE, 8, true, 1, "prog", &g);
	TAP_STREQ(got, "1:/proc\n", "read of another process's entries: /proc");
	tap_ok(strstr(g.warn, "every process's /proc entries") != NULL, "...with a warning");
	free(got);
	gen_out_free(&g);

	/* Attacker text (F7): escaped in every comment and warning. */
	char *e = escaped("a\x1b[2K\nb\r\x7f\xc2\x85\xe2\x80\xae\xe2\x81\xa6\xef\xbb\xbf"
			  "\xe2\x80\xa8\xd8\x9c\xe2\x80\x8f\xff\xc3\xa9t",
			  1000);
	TAP_STREQ(e,
		  "a\\x1b[2K\\x0ab\\x0d\\x7f\\u0085\\u202e\\u2066\\ufeff\\u2028\\u061c\\u200f"
		  "\\xff\xc3\xa9t",
		  "controls, C1, bidi and invisible characters, bad UTF-8: escaped; é kept");
	char *e2 = escaped(e, 1000);
	TAP_STREQ(e2, e, "escaping twice changes nothing");
	free(e);
	free(e2);
	e = escaped("ab\xc3\xa9"
		    "cd",
		    3);
	TAP_STREQ(e, "ab...", "cut before a character, not in it");
	free(e);
	char *wtext = NULL;
	size_t wlen = 0;
	FILE *wf = open_memstream(&wtext, &wlen);
	vxe_trace_warnf(wf, "vxe: trace: %s used", "x\r\x1b[2K\nfake\xe2\x80\xae");
	fclose(wf);
	TAP_STREQ(wtext, "vxe: trace: x\\x0d\\x1b[2K\\x0afake\\u202e used\n",
		  "a warning: escaped, one line");
	free(wtext);
	static const char *const one[] = {"/nonexistent/vxe-t-\x1b[8mhidden", NULL};
	got = gen_ex(one, VXE_FS_READ, VXE_GEN_NONE, 8, false, 0,
		     "x\n(permit ptrace)\r\x1b[2K\xe2\x80\xae", &g);
	tap_ok(strchr(g.comment, '\n') == NULL && no_controls(g.comment) &&
		   strstr(g.comment, "x\\x0a(permit ptrace)\\x0d\\x1b[2K\\u202e") == g.comment,
	       "a program name with a newline and ESC: escaped in the rule's comment");
	free(got);
	gen_out_free(&g);
	got = gen_ex(own_pid, VXE_FS_WRITE, VXE_GEN_NONE, 8, true, 1, "x\n;; (permit ptrace)\x1b",
		     &g);
	tap_ok(strchr(g.tail, '\n') == g.tail + strlen(g.tail) - 1 && no_controls(g.tail),
	       "...and in a Not granted line (one line)");
	tap_ok(no_controls(g.warn) && strchr(g.warn, '\n') == g.warn + strlen(g.warn) - 1,
	       "...and in the warning (one line)");
	free(got);
	gen_out_free(&g);
	struct vxe_doc doc = {0};
	doc.name = strdup("d");
	doc.header = strdup("from: a\x1b[2Kb\nline two \xe2\x80\xae");
	doc.tail = strdup("Not granted: decide by hand.\n\x1b]0;title\x07");
	struct vxe_buf pb = {0};
	vxe_doc_print(&doc, &pb);
	tap_ok(pb.s && no_controls(pb.s) &&
		   strstr(pb.s, ";; from: a\\x1b[2Kb\n;; line two \\u202e\n"),
	       "comment lines are escaped when printed, whatever the caller passed");
	free(pb.s);
	vxe_doc_free(&doc);

	/* --merge keeps escape-set calls an earlier run wrote commented out, and
	 * only those (F10). */
	for (int k = 0; k < 4; k++) {
		static const char *const olds[] = {
		    /* a program called "a (permit ptrace)" named in a comment */
		    "(vxed \"m\")\n(permit openat)                  ; 1 call: a (permit ptrace)\n",
		    ";; 3 calls by 1 program (a (permit ptrace)).\n(vxed \"m\")\n",
		    (";; Not granted: decide by hand.\n;; (permit ptrace)  ; 1 call: x -- why\n"
		     "(vxed \"m\")\n"),
		    ";; (permit ptrace)\n(vxed \"m\")\n",
		};
		bool kept = k >= 2;
		struct vxe_trace_opts to = {.type = VXE_TYPE_STRICT};
		struct vxe_trace *t = vxe_trace_new(&to);
		int pnr = vxe_syscall_nr("ptrace");
		struct vxe_policy *old = NULL;
		char err[256];
		if (!t || pnr < 0 ||
		    vxe_policy_load_string("old.vxed", olds[k], strlen(olds[k]), &old, err,
					   sizeof err) < 0) {
			tap_ok(false, "merge setup: %s", err);
			vxe_trace_free(t);
			continue;
		}
		t->progs[0] = strdup("/x/a (permit ptrace)");
		t->nprogs = 1;
		t->calls = 1;
		t->sys_count[pnr] = 1;
		t->sys_progs[pnr] = 1;
		wtext = NULL;
		wf = open_memstream(&wtext, &wlen);
		size_t added = 0;
		char *text = vxe_trace_vxed(t, old, olds[k], &added, wf);
		fclose(wf);
		bool warned = wtext && strstr(wtext, "ptrace was used");
		bool written = text && strstr(text + strlen(olds[k]), "\n;; (permit ptrace)  ; ");
		tap_ok(kept ? !warned && !written : warned && written,
		       "merge, old text %d: ptrace %s", k,
		       kept ? "already commented out: not repeated"
			    : "named only inside another comment: warned and written");
		free(text);
		free(wtext);
		vxe_policy_free(old);
		vxe_trace_free(t);
	}

	test_r5_r6();

	/* Printer. */
	fixed_point("minimal", "(vxed \"m\")");
	fixed_point("rules",
		    "(vxed \"r\" :type strict :mode production :errno EACCES "
		    ":activate (\"/usr/bin/b\" \"/usr/bin/a\"))\n"
		    "(permit openat) (unchecked write read close)\n"
		    "(permit kill (pid sig) (> pid 0))\n"
		    "(permit socket (domain type protocol)\n"
		    "  (member domain (list AF_INET AF_INET6)) t)\n"
		    "(files (write \"/tmp\") (read \"/b\" \"/a\" \"/a/x\" \"/\\xff\\n\\\"q\"))\n"
		    "(network (connect none) (bind udp 53) (bind tcp 80 any 22))\n");
	fixed_point("merged none",
		    "(vxed \"n\") (network (connect none)) (network (connect tcp 80))");
	fixed_point("filesystem", "(vxed \"f\" :type filesystem) (files) (network (bind none))");
	/* examples/predicates.vxed has a (defun ...): the loader keeps no
	 * top-level definitions in struct vxe_policy, so they cannot be
	 * printed back (doc/trace.md). */
	tap_skip("examples/predicates.vxed: defun forms are not kept by the loader");
	const char *examples[] = {"examples/lighttpd.vxed", "examples/true.vxed",
				  "examples/filesystem-popd.vxed", NULL};
	for (unsigned i = 0; examples[i]; i++) {
		char *src = read_all(examples[i]);
		if (!src) {
			tap_skip("%s not found (run from the repository)", examples[i]);
			continue;
		}
		fixed_point(examples[i], src);
		free(src);
	}
	char err[256];
	char *a =
	    print_text("(vxed \"s\") (unchecked read write) (permit openat)", err, sizeof err);
	TAP_STREQ(
	    a,
	    "(vxed \"s\" :type strict :mode soft)\n\n(unchecked read write)\n\n(permit openat)\n",
	    "the canonical layout");
	free(a);
	return tap_done();
}
