/* vxe upgrade without the kernel: the covered check (syscalls, paths with
 * the access derived from the call and its flags, ports), the path ladder,
 * risk flags, grouping of proposals, and the text written (old text kept,
 * loads again, no syscall named twice). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tap.h"
#include "vxe/landlock.h"
#include "vxe/logread.h"
#include "vxe/policy.h"
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
	tap_ok(vxe_upgrade_risk(&rp) != NULL, "risk: write under /etc");
	rp.ladder[0] = "/var/lib/app/state";
	tap_ok(vxe_upgrade_risk(&rp) == NULL, "no risk: write under /var/lib/app");
	rp.ladder[0] = "/var/log/vxe/vxe.log";
	tap_ok(vxe_upgrade_risk(&rp) != NULL, "risk: write under /var/log/vxe");
	rp.access = VXE_FS_EXECUTE;
	rp.ladder[0] = "/usr/bin/dash";
	tap_ok(vxe_upgrade_risk(&rp) != NULL, "risk: execute of a shell");
	rp.ladder[0] = "/usr/bin";
	tap_ok(vxe_upgrade_risk(&rp) != NULL, "risk: execute of a directory holding a shell");
	rp.ladder[0] = "/opt/app/bin/tool";
	tap_ok(vxe_upgrade_risk(&rp) == NULL, "no risk: execute of a tool");

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
	return tap_done();
}
