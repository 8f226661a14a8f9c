/* vxe trace without the kernel: the generaliser's decisions and the
 * canonical printer's fixed point (load -> print -> load -> print). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tap.h"
#include "trace/trace_internal.h"
#include "vxe/landlock.h"
#include "vxe/policy.h"
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

/* Runs the generaliser on paths (all with the same access) and returns the
 * rules as "bit:path" lines. */
static char *gen(const char *const *paths, unsigned access, int level, unsigned max_files)
{
	struct vxe_gen_in in[64];
	size_t n = 0;
	for (; paths[n]; n++)
		in[n] =
		    (struct vxe_gen_in){.path = paths[n], .access = access, .count = 1, .progs = 1};
	const char *names[] = {"prog"};
	struct vxe_gen_opts o = {
	    .level = level, .max_files = max_files, .prog_names = names, .nprogs = 1};
	struct vxe_doc d = {0};
	vxe_generalize(in, n, &o, &d, NULL);
	struct vxe_buf b = {0};
	vxe_buf_puts(&b, "");
	for (size_t i = 0; i < d.npaths; i++)
		vxe_buf_printf(&b, "%u:%s\n", d.paths[i].bit, d.paths[i].path);
	vxe_doc_free(&d);
	return b.s;
}

static void check_gen(const char *name, const char *const *paths, unsigned access, int level,
		      unsigned max, const char *want)
{
	char *got = gen(paths, access, level, max);
	TAP_STREQ(got, want, name);
	free(got);
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
