/* Loading bad VXEDs: one line "NAME:LINE:COL: message" at the right place,
 * never a crash or a hang; and `vxe check` says the same with exit status 2
 * and exactly one line on standard error. No root needed. */
#include "tap.h"
#include "vxe/policy.h"

#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <limits.h>
#include <stdint.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define H "(vxed \"x\" :type strict :mode production)\n"

struct bad {
	const char *what;
	const char *src;
	size_t len;	  /* 0: strlen */
	int line, col;	  /* col 0: not checked */
	const char *says; /* a substring of the message */
};

static const struct bad bads[] = {
    {"missing ')'", H "(unchecked read", 0, 2, 1, "unclosed"},
    {"missing ')' deeper", H "(files (read \"/etc\")\n", 0, 2, 1, "unclosed"},
    {"extra ')'", H "(unchecked read))", 0, 2, 17, "unexpected ')'"},
    {"unknown form", H "(frobnicate)", 0, 2, 1, "frobnicate"},
    {"unknown syscall in unchecked", H "(unchecked read nosuchcall)", 0, 2, 17, "nosuchcall"},
    {"unknown syscall in permit", H "(permit read\n        frob_call)", 0, 3, 9, "frob_call"},
    {"wrong argument name in permit", H "(permit socket (domain typ) (= domain 2))", 0, 2, 24,
     "typ"},
    {"argument named twice", H "(permit socket (domain domain) (= domain 2))", 0, 2, 24, "twice"},
    {"misspelt constant in a predicate",
     H "(permit ioctl (fd request arg)\n  (member request (list TCGETS TIOCGWINSIZE)))", 0, 3, 32,
     "TIOCGWINSIZE"},
    {"unknown name in a predicate", H "(permit fcntl (fd cmd arg) (= command F_GETFL))", 0, 2, 31,
     "command"},
    {"bad :type", "(vxed \"x\" :type bogus)", 0, 1, 17, "bogus"},
    {"bad :mode", "(vxed \"x\" :mode bogus)", 0, 1, 17, "bogus"},
    {"bad :errno", "(vxed \"x\" :errno ENOTANERRNO)", 0, 1, 18, "ENOTANERRNO"},
    {"unknown keyword", "(vxed \"x\" :colour red)", 0, 1, 11, ":colour"},
    {"number instead of a path", H "(files (read 42))", 0, 2, 14, "path"},
    {"relative path", H "(files (read \"/etc\" \"etc\"))", 0, 2, 21, "absolute"},
    {"unknown access", H "(files (append \"/etc\"))", 0, 2, 8, "append"},
    {"port 70000", H "(network (bind tcp 80 70000))", 0, 2, 23, "70000"},
    {"port -1", H "(network (connect tcp -1))", 0, 2, 23, "-1"},
    {"bad protocol", H "(network (bind sctp 80))", 0, 2, 16, "sctp"},
    {"duplicate rule", H "(unchecked read)\n(permit read)", 0, 3, 9, "line 2"},
    {"duplicate in one form", H "(unchecked read write read)", 0, 2, 23, "already"},
    {"missing vxed header", "(unchecked read)", 0, 1, 1, "vxed"},
    {"empty file", "", 0, 1, 1, "vxed"},
    {"second header", H "(vxed \"y\")", 0, 2, 1, "second"},
    {"number as syscall", H "(unchecked 42)", 0, 2, 12, "symbol"},
    {"invalid UTF-8 in a string", H "(files (read \"/a\xff\"))", 0, 2, 17, "UTF-8"},
    {"invalid UTF-8 in a comment", H "; ok \xc3\x28 here\n", 0, 2, 6, "UTF-8"},
    {"truncated UTF-8 at the end", H "(unchecked read) \xe2\x82", 0, 2, 18, "UTF-8"},
    {"NUL byte in the source", H "(unchecked read)\0(x)", sizeof(H "(unchecked read)\0(x)") - 1, 2,
     0, ""},
    {"infinite recursion", H "(defun f () (f))\n(f)", 0, 0, 0, "deep"},
    {"endless work", H "(defun f (n) (if (= n 0) 0 (progn (f (- n 1)) (f (- n 1)))))\n(f 60)", 0, 0,
     0, "step limit"},
    {"predicate with no body", H "(permit socket (domain))", 0, 2, 1, "body"},
    {"more than 6 arguments", H "(permit mmap (addr length prot flags fd offset addr) t)", 0, 2, 0,
     ""},
};

/* "NAME:LINE:COL: text" -> line, col; false if the shape is wrong. */
static bool parse_msg(const char *msg, const char *name, int *line, int *col)
{
	size_t n = strlen(name);
	if (strncmp(msg, name, n) != 0 || msg[n] != ':')
		return false;
	char tail[8];
	if (sscanf(msg + n, ":%d:%d%7[^ ]", line, col, tail) != 3 || strcmp(tail, ":") != 0)
		return false;
	return strchr(msg, '\n') == NULL;
}

static void test_bad(const struct bad *b)
{
	char err[512] = "";
	struct vxe_policy *p = NULL;
	size_t len = b->len ? b->len : strlen(b->src);
	time_t t0 = time(NULL);
	int rc = vxe_policy_load_string("bad.vxed", b->src, len, &p, err, sizeof err);
	if (!tap_ok(rc == -1 && p == NULL, "%s: refused", b->what)) {
		vxe_policy_free(p);
		tap_skip("no message");
		return;
	}
	int line = 0, col = 0;
	bool shape = parse_msg(err, "bad.vxed", &line, &col);
	bool at = shape && (b->line == 0 || line == b->line) && (b->col == 0 || col == b->col) &&
		  strstr(err, b->says) != NULL && line > 0 && col > 0;
	if (!tap_ok(at, "%s: message at %d:%d naming '%s'", b->what, b->line, b->col, b->says))
		tap_diag("got: %s", err);
	if (time(NULL) - t0 > 10)
		tap_diag("%s took %ld s", b->what, (long)(time(NULL) - t0));
}

/* A source nested n deep. */
static char *nested(size_t n, size_t *len)
{
	static const char hdr[] = H;
	size_t hl = sizeof hdr - 1;
	char *s = malloc(hl + 2 * n + 1);
	memcpy(s, hdr, hl);
	memset(s + hl, '(', n);
	memset(s + hl + n, ')', n);
	s[hl + 2 * n] = 0;
	*len = hl + 2 * n;
	return s;
}

static void test_deep(void)
{
	size_t len;
	char *src = nested(100000, &len);
	char err[512] = "";
	struct vxe_policy *p = NULL;
	int rc = vxe_policy_load_string("deep.vxed", src, len, &p, err, sizeof err);
	int line = 0, col = 0;
	tap_ok(rc == -1 && parse_msg(err, "deep.vxed", &line, &col) && line == 2 && col > 1 &&
		   strstr(err, "deep"),
	       "100 000-deep nesting: refused on line 2 (%s)", err);
	vxe_policy_free(p);
	free(src);
	/* Unclosed, 100 000 deep: the error is the depth, or the first '('. */
	len = 0;
	src = nested(100000, &len);
	src[len - 100000] = 0;
	rc = vxe_policy_load_string("deep.vxed", src, strlen(src), &p, err, sizeof err);
	tap_ok(rc == -1 && parse_msg(err, "deep.vxed", &line, &col) && line == 2,
	       "100 000 unclosed '(': refused on line 2 (%s)", err);
	vxe_policy_free(p);
	free(src);
}

/* --- vxe check --------------------------------------------------------- */

static char vxe_path[PATH_MAX];

static bool find_vxe(const char *argv0)
{
	const char *env = getenv("VXE");
	if (env) {
		snprintf(vxe_path, sizeof vxe_path, "%s", env);
	} else {
		/* build/tests/test_policy -> build/vxe */
		char tmp[PATH_MAX];
		snprintf(tmp, sizeof tmp, "%s", argv0);
		snprintf(vxe_path, sizeof vxe_path, "%s/../vxe", dirname(tmp));
	}
	return access(vxe_path, X_OK) == 0;
}

/* Runs `vxe check file`; returns the exit status (or -1), stderr in err. */
static int vxe_check(const char *file, char *err, size_t errsz)
{
	char cmd[PATH_MAX * 3];
	char errfile[] = "/tmp/vxe-test-policy-err.XXXXXX";
	int efd = mkstemp(errfile);
	if (efd < 0)
		return -1;
	close(efd);
	snprintf(cmd, sizeof cmd, "timeout 60 '%s' check '%s' >/dev/null 2>'%s' </dev/null",
		 vxe_path, file, errfile);
	int st = system(cmd);
	FILE *f = fopen(errfile, "r");
	size_t n = f ? fread(err, 1, errsz - 1, f) : 0;
	err[n] = 0;
	if (f)
		fclose(f);
	unlink(errfile);
	return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

static unsigned count_lines(const char *s)
{
	unsigned n = 0;
	for (; *s; s++)
		n += *s == '\n';
	return n;
}

static void write_file(const char *path, const char *src, size_t len)
{
	FILE *f = fopen(path, "w");
	if (f) {
		fwrite(src, 1, len, f);
		fclose(f);
	}
}

static void test_check_cli(const char *argv0)
{
	if (!find_vxe(argv0)) {
		tap_skip("vxe check: %s not built", vxe_path);
		return;
	}
	char dir[] = "/tmp/vxe-test-policy.XXXXXX";
	if (!mkdtemp(dir)) {
		tap_ok(0, "mkdtemp");
		return;
	}
	char file[PATH_MAX], err[4096];
	snprintf(file, sizeof file, "%s/bad.vxed", dir);
	for (size_t i = 0; i < sizeof bads / sizeof bads[0]; i++) {
		const struct bad *b = &bads[i];
		write_file(file, b->src, b->len ? b->len : strlen(b->src));
		int st = vxe_check(file, err, sizeof err);
		int line = 0, col = 0;
		bool one = count_lines(err) == 1 && err[strlen(err) - 1] == '\n';
		if (one)
			err[strlen(err) - 1] = 0;
		bool ok = st == 2 && one && parse_msg(err, file, &line, &col) &&
			  (b->line == 0 || line == b->line) && (b->col == 0 || col == b->col);
		if (!tap_ok(ok, "vxe check, %s: exit 2, one line at %d:%d", b->what, b->line,
			    b->col))
			tap_diag("exit %d, stderr: %s", st, err);
	}
	/* 10 MB: refused by size, at once. */
	size_t big = 10u << 20;
	char *src = malloc(big);
	memset(src, ';', big);
	memcpy(src, H, sizeof H - 1);
	src[big - 1] = '\n';
	write_file(file, src, big);
	free(src);
	int st = vxe_check(file, err, sizeof err);
	bool one = count_lines(err) == 1;
	if (one)
		err[strlen(err) - 1] = 0;
	int line = 0, col = 0;
	if (!tap_ok(st == 2 && one && parse_msg(err, file, &line, &col),
		    "vxe check, 10 MB file: exit 2, one line FILE:LINE:COL"))
		tap_diag("exit %d, stderr: %s", st, err);
	struct vxe_policy *p = NULL;
	char msg[512] = "";
	tap_ok(vxe_policy_load(file, &p, msg, sizeof msg) == -1 && p == NULL &&
		   parse_msg(msg, file, &line, &col),
	       "vxe_policy_load, 10 MB file: refused (%s)", msg);
	/* 100 000 deep, through the file. */
	size_t len;
	src = nested(100000, &len);
	write_file(file, src, len);
	free(src);
	st = vxe_check(file, err, sizeof err);
	one = count_lines(err) == 1;
	if (one)
		err[strlen(err) - 1] = 0;
	if (!tap_ok(st == 2 && one && parse_msg(err, file, &line, &col) && line == 2,
		    "vxe check, 100 000-deep nesting: exit 2, one line on line 2"))
		tap_diag("exit %d, stderr: %s", st, err);
	/* A valid one still passes (the harness itself is sound). */
	static const char good[] = H "(unchecked read write exit_group)\n";
	write_file(file, good, sizeof good - 1);
	st = vxe_check(file, err, sizeof err);
	tap_ok(st == 0, "vxe check, a valid VXED: exit 0 (got %d)", st);
	/* A missing file: one line, exit 2. */
	snprintf(file, sizeof file, "%s/missing.vxed", dir);
	st = vxe_check(file, err, sizeof err);
	tap_ok(st == 2 && count_lines(err) == 1, "vxe check, missing file: exit 2, one line (%d)",
	       st);
	snprintf(file, sizeof file, "%s/bad.vxed", dir);
	unlink(file);
	rmdir(dir);
}

static void test_good(void)
{
	static const char src[] = H "(unchecked read write)\n"
				    "(permit socket (domain type protocol) (= domain AF_INET))\n"
				    "(files (read \"/etc/./hosts/\" \"/usr//lib\"))\n"
				    "(network (bind tcp 0 65535) (connect none))\n";
	char err[512] = "";
	struct vxe_policy *p = NULL;
	int rc = vxe_policy_load_string("good.vxed", src, sizeof src - 1, &p, err, sizeof err);
	if (!tap_ok(rc == 0 && p, "a valid VXED loads (%s)", err))
		return;
	tap_ok(p->type == VXE_TYPE_STRICT && p->mode == VXE_MODE_PRODUCTION, "type and mode");
	tap_ok(p->npaths == 2 && strcmp(p->paths[0].path, "/etc/hosts") == 0 &&
		   strcmp(p->paths[1].path, "/usr/lib") == 0,
	       "paths normalised");
	tap_ok(vxe_policy_net_allowed(p, VXE_NET_BIND, 6, 65535) &&
		   !vxe_policy_net_allowed(p, VXE_NET_CONNECT, 6, 80),
	       "ports 0 and 65535 accepted; connect none");
	vxe_policy_free(p);
}

int main(int argc, char **argv)
{
	(void)argc;
	for (size_t i = 0; i < sizeof bads / sizeof bads[0]; i++)
		test_bad(&bads[i]);
	test_deep();
	test_good();
	test_check_cli(argv[0]);
	return tap_done();
}
