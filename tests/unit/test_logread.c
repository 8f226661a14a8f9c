/* Unit tests of the log reader (src/log/logread.c): records written by the
 * real writer (vxe_log_event) with hostile strings decode to the original
 * bytes; the parser is strict and survives random, truncated and mutated
 * lines; filters and time syntax; rotated files in order, gzip included;
 * malformed lines reported and skipped; following across rotation.
 *
 * `test_logread --write FILE` instead appends a fixed set of hostile records
 * to FILE with the real writer (used by tests/live/logview.t). */
#include "tap.h"
#include "vxe/log.h"
#include "vxe/logread.h"

#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static char tmpdir[] = "/tmp/vxe-test-logread.XXXXXX";

static uint64_t rng = 0x9e3779b97f4a7c15ull;
static uint32_t rnd(void)
{
	/* xorshift64*: deterministic, so a failure reproduces */
	rng ^= rng >> 12;
	rng ^= rng << 25;
	rng ^= rng >> 27;
	return (uint32_t)((rng * 0x2545f4914f6cdd1dull) >> 32);
}

static char *path_in(const char *name)
{
	static char buf[4][512];
	static int i;
	char *p = buf[i++ & 3];
	snprintf(p, sizeof buf[0], "%s/%s", tmpdir, name);
	return p;
}

static int parse(const char *line, struct vxe_logrec *rec, char *err, size_t errsize)
{
	return vxe_logrec_parse(line, strlen(line), rec, err, errsize);
}

static bool bytes_eq(const struct vxe_logstr *s, const char *want, size_t len)
{
	return s->s && s->len == len && memcmp(s->s, want, len) == 0 && s->s[len] == '\0';
}

/* ---- Records from the real writer ---------------------------------------------- */

struct nasty {
	const char *s;
	size_t len;
};

static const char all_bytes_str[] = "all";
static char all_bytes[256];

#define N(lit)                                                                                     \
	{                                                                                          \
		lit, sizeof(lit) - 1                                                               \
	}
static const struct nasty nasties[] = {
    N("/etc/shadow"),
    N(""),
    N("a\nb\rc\td\x1b[31mred\x7f"),
    N("nul\0in\0middle"),
    N("\xff\xfe invalid \x80\xbf"),
    N("overlong \xc0\xaf and surrogate \xed\xa0\x80"),
    N("C1 \xc2\x85\xc2\x9b and NBSP \xc2\xa0"),
    N("bidi \342\200\256cba"),
    N("emoji \xf0\x9f\x98\x80 caf\xc3\xa9"),
    N("quote \" backslash \\ slash /"),
    N("{\"v\":1,\"action\":\"allowed\"}\n"),
    N("cut utf8 \xe2\x82"),
    {all_bytes_str, 256}, /* replaced by bytes 0..255 */
};
#define NNASTY (sizeof nasties / sizeof nasties[0])

static const char *nasty_bytes(size_t i)
{
	return nasties[i].s == all_bytes_str ? all_bytes : nasties[i].s;
}

/* Writes the nasty records to path: each nasty string as the path argument
 * and (when it has no NUL) as the exe. Returns the number written. */
static int write_nasty(const char *path)
{
	struct vxe_log_opts o = {.path = path, .burst = 100000, .per_second = 100000};
	struct vxe_log *log = vxe_log_open(&o);
	int n = 0;

	if (!log)
		return -1;
	for (size_t i = 0; i < NNASTY; i++) {
		const char *s = nasty_bytes(i);
		struct vxe_log_arg args[] = {
		    {.name = "dirfd", .kind = VXE_LOGARG_NAME, .s = "AT_FDCWD", .len = 8},
		    {.name = "path", .kind = VXE_LOGARG_STR, .s = s, .len = nasties[i].len},
		    {.name = "flags",
		     .kind = VXE_LOGARG_NAME,
		     .s = "O_RDONLY|O_CLOEXEC",
		     .len = 18},
		    {.name = "mode", .kind = VXE_LOGARG_INT, .i = -1},
		};
		bool has_nul = memchr(s, 0, nasties[i].len) != NULL;
		struct vxe_event ev = {
		    .vxed = "nasty",
		    .mode = "production",
		    .action = i % 2 ? "logged" : "blocked",
		    .pid = 1000 + (pid_t)i,
		    .exe = has_nul ? "/usr/bin/nasty" : s,
		    .syscall = "openat",
		    .arch = "x86_64",
		    .rule = "files",
		    .err = i % 2 ? 0 : EACCES,
		    .nargs = 4,
		    .args = args,
		};
		if (vxe_log_event(log, &ev) == 0)
			n++;
	}
	vxe_log_close(log);
	return n;
}

static void test_roundtrip(void)
{
	const char *path = path_in("nasty.log");
	struct vxe_logreader_opts ro = {.path = path, .diag = stderr};
	struct vxe_logreader *r;
	struct vxe_logrec rec = {0};
	const char *line;
	size_t len, i = 0;
	bool ok = true;

	tap_ok(write_nasty(path) == (int)NNASTY, "the writer wrote %zu hostile records", NNASTY);
	r = vxe_logreader_open(&ro);
	if (!tap_ok(r != NULL, "reader opens the log"))
		return;
	while (vxe_logreader_next(r, &rec, &line, &len) > 0) {
		const char *s = nasty_bytes(i);
		const struct vxe_logarg *p = vxe_logrec_arg(&rec, "path");
		bool has_nul = memchr(s, 0, nasties[i].len) != NULL;

		if (!p || p->val.kind != VXE_LOGVAL_STR ||
		    !bytes_eq(&p->val.str, s, nasties[i].len)) {
			tap_diag("record %zu: path does not decode to the original bytes", i);
			ok = false;
		}
		if (!has_nul && !bytes_eq(&rec.exe, s, nasties[i].len)) {
			tap_diag("record %zu: exe differs", i);
			ok = false;
		}
		if (memchr(line, '\n', len) || rec.pid != 1000 + (int64_t)i ||
		    !bytes_eq(&rec.syscall, "openat", 6) || rec.nargs != 4 ||
		    rec.args[3].val.kind != VXE_LOGVAL_INT || rec.args[3].val.i != -1 ||
		    (i % 2 == 0 && !bytes_eq(&rec.errno_name, "EACCES", 6)) ||
		    (i % 2 == 1 && rec.errno_name.s) || rec.truncated) {
			tap_diag("record %zu: fields differ", i);
			ok = false;
		}
		i++;
	}
	tap_ok(ok && i == NNASTY,
	       "all %zu records decode to the original bytes (NUL, control, "
	       "invalid UTF-8, C1, bidi, quotes)",
	       i);
	tap_ok(vxe_logreader_skipped(r) == 0, "nothing skipped");
	vxe_logrec_free(&rec);
	vxe_logreader_close(r);
}

/* Random byte strings, and one longer than the writer keeps (truncated). */
static void test_roundtrip_random(void)
{
	const char *path = path_in("random.log");
	struct vxe_log_opts o = {.path = path, .burst = 100000, .per_second = 100000};
	struct vxe_log *log = vxe_log_open(&o);
	static char strs[300][300];
	size_t lens[300];
	struct vxe_logreader *r;
	struct vxe_logrec rec = {0};
	static char big[10000];
	int n = 0, bad = 0;

	if (!tap_ok(log != NULL, "open a log for random strings"))
		return;
	for (int i = 0; i < 300; i++) {
		lens[i] = rnd() % 300;
		for (size_t k = 0; k < lens[i]; k++)
			strs[i][k] = (char)(i % 3 == 0 ? rnd()
						       : (rnd() % 4 ? 0x20 + rnd() % 0x60
								    : 0x80 + rnd() % 0x80));
		struct vxe_log_arg a = {
		    .name = "path", .kind = VXE_LOGARG_STR, .s = strs[i], .len = lens[i]};
		struct vxe_event ev = {.vxed = "r",
				       .mode = "soft",
				       .action = "logged",
				       .pid = i,
				       .syscall = "open",
				       .arch = "x86_64",
				       .rule = "files",
				       .nargs = 1,
				       .args = &a};
		vxe_log_event(log, &ev);
	}
	memset(big, 'x', sizeof big);
	big[5000] = '\xff';
	struct vxe_log_arg a = {
	    .name = "path", .kind = VXE_LOGARG_STR, .s = big, .len = sizeof big};
	struct vxe_event ev = {
	    .vxed = "r", .action = "logged", .pid = 1, .syscall = "open", .nargs = 1, .args = &a};
	vxe_log_event(log, &ev);
	vxe_log_close(log);

	r = vxe_logreader_open(&(struct vxe_logreader_opts){.path = path, .diag = stderr});
	while (r && vxe_logreader_next(r, &rec, NULL, NULL) > 0) {
		const struct vxe_logarg *p = vxe_logrec_arg(&rec, "path");
		if (n < 300) {
			if (!p || !bytes_eq(&p->val.str, strs[n], lens[n]))
				bad++;
		} else {
			/* The writer keeps the first 4096 bytes and says so. */
			if (!p || !rec.truncated || !bytes_eq(&p->val.str, big, 4096))
				bad++;
		}
		n++;
	}
	tap_ok(n == 301 && bad == 0,
	       "300 random byte strings and a truncated one round-trip "
	       "(%d read, %d differ)",
	       n, bad);
	vxe_logrec_free(&rec);
	vxe_logreader_close(r);
}

static void test_suppressed_record(void)
{
	const char *path = path_in("supp.log");
	struct vxe_log_opts o = {.path = path, .burst = 1, .per_second = 1};
	struct vxe_log *log = vxe_log_open(&o);
	struct vxe_event ev = {
	    .vxed = "flood", .action = "blocked", .pid = 7, .syscall = "getppid"};
	struct vxe_logreader *r;
	struct vxe_logrec rec = {0};
	int n = 0;
	bool ok = false;

	for (int i = 0; i < 5 && log; i++)
		vxe_log_event(log, &ev);
	vxe_log_close(log);
	r = vxe_logreader_open(&(struct vxe_logreader_opts){.path = path, .diag = stderr});
	while (r && vxe_logreader_next(r, &rec, NULL, NULL) > 0) {
		if (++n == 2)
			ok =
			    vxe_logrec_is_suppressed(&rec) && rec.count == 4 &&
			    bytes_eq(&rec.vxed, "flood", 5) && !rec.syscall.s &&
			    (rec.nsyscalls == 0 /* a writer without per-syscall counts */ ||
			     (rec.nsyscalls == 1 && bytes_eq(&rec.syscalls[0].name, "getppid", 7) &&
			      rec.syscalls[0].val.i == 4));
	}
	tap_ok(n == 2 && ok, "a \"suppressed\" record parses with its exact count");
	vxe_logrec_free(&rec);
	vxe_logreader_close(r);
}

/* ---- The parser ------------------------------------------------------------------- */

#define REC                                                                                        \
	"{\"v\":1,\"time\":\"2026-12-03T16:54:42.937Z\",\"vxed\":\"lighttpd\",\"mode\":"           \
	"\"production\",\"action\":\"blocked\",\"pid\":4242,\"exe\":\"/srv/cgi/hostile.cgi\","     \
	"\"syscall\":\"openat\",\"arch\":\"x86_64\",\"args\":{\"dirfd\":\"AT_FDCWD\",\"path\":"    \
	"\"/etc/shadow\",\"flags\":\"O_RDONLY\"},\"rule\":\"files\",\"errno\":\"EACCES\"}"

static void test_parse_fields(void)
{
	struct vxe_logrec rec = {0};
	char err[160];
	int rc = parse(REC, &rec, err, sizeof err);

	if (!tap_ok(rc == 0, "the README's record parses"))
		tap_diag("%s", err);
	tap_ok(rec.v == 1 && rec.time_ms == 1796316882937LL && rec.pid == 4242 &&
		   bytes_eq(&rec.vxed, "lighttpd", 8) && bytes_eq(&rec.mode, "production", 10) &&
		   bytes_eq(&rec.action, "blocked", 7) &&
		   bytes_eq(&rec.exe, "/srv/cgi/hostile.cgi", 20) &&
		   bytes_eq(&rec.syscall, "openat", 6) && bytes_eq(&rec.arch, "x86_64", 6) &&
		   bytes_eq(&rec.rule, "files", 5) && bytes_eq(&rec.errno_name, "EACCES", 6) &&
		   !rec.truncated && !vxe_logrec_is_suppressed(&rec),
	       "every field decoded");
	tap_ok(rec.nargs == 3 && bytes_eq(&rec.args[0].name, "dirfd", 5) &&
		   bytes_eq(&rec.args[1].val.str, "/etc/shadow", 11) &&
		   vxe_logrec_arg(&rec, "flags") == &rec.args[2] && !vxe_logrec_arg(&rec, "mode"),
	       "args in order, looked up by name");
	vxe_logrec_free(&rec);
	tap_ok(rec.nargs == 0 && !rec.args && !rec.time.s, "free zeroes the record");
}

struct esc_case {
	const char *json; /* the inside of a string */
	const char *want;
	size_t len;
};

static void test_escapes(void)
{
	static const struct esc_case ok[] = {
	    {"\\u00e9", "\xc3\xa9", 2},
	    {"\\u00E9", "\xc3\xa9", 2},
	    {"\\ud83d\\ude00", "\xf0\x9f\x98\x80", 4},
	    {"\\udcff\\udc80", "\xff\x80", 2},
	    {"a\\u0000b", "a\0b", 3},
	    {"\\\"\\\\\\/\\b\\f\\n\\r\\t", "\"\\/\b\f\n\r\t", 8},
	    {"\\u0085\\u009b", "\xc2\x85\xc2\x9b", 4},
	    {"\\u20ac", "\xe2\x82\xac", 3},
	    {"\xe2\x82\xac\xf0\x9f\x98\x80", "\xe2\x82\xac\xf0\x9f\x98\x80", 7},
	};
	static const char *const bad[] = {
	    "\\udc41",	      /* lone low surrogate that is not surrogateescape */
	    "\\ud800",	      /* lone high */
	    "\\ud800x",	      /* high followed by text */
	    "\\ud800\\u0041", /* high then not low */
	    "\\x41",	      /* not JSON */
	    "\\u12",	      /* short */
	    "\\u12g4",	      /* not hex */
	    "\x01",	      /* raw control */
	    "\xff",	      /* raw invalid UTF-8 */
	    "\xc0\xaf",	      /* overlong */
	    "\xed\xa0\x80",   /* UTF-8 surrogate */
	    "\xe2\x82",	      /* cut sequence */
	};
	char line[512], err[160];
	struct vxe_logrec rec = {0};
	int good = 0, refused = 0;

	for (size_t i = 0; i < sizeof ok / sizeof ok[0]; i++) {
		snprintf(line, sizeof line,
			 "{\"v\":1,\"time\":\"2026-01-01T00:00:00Z\",\"action\":\"logged\","
			 "\"syscall\":\"open\",\"args\":{\"path\":\"%s\"}}",
			 ok[i].json);
		if (parse(line, &rec, err, sizeof err) == 0 && rec.nargs == 1 &&
		    bytes_eq(&rec.args[0].val.str, ok[i].want, ok[i].len))
			good++;
		else
			tap_diag("escape case %zu (%s): %s", i, ok[i].json, err);
	}
	tap_ok(good == (int)(sizeof ok / sizeof ok[0]),
	       "escapes decode: \\uXXXX, pairs, \\uDCXX to the byte, \\u0000, short escapes");
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		snprintf(line, sizeof line,
			 "{\"v\":1,\"time\":\"2026-01-01T00:00:00Z\",\"action\":\"logged\","
			 "\"syscall\":\"open\",\"exe\":\"%s\"}",
			 bad[i]);
		if (parse(line, &rec, err, sizeof err) == -EINVAL && !rec.exe.s)
			refused++;
		else
			tap_diag("bad string case %zu accepted", i);
	}
	tap_ok(refused == (int)(sizeof bad / sizeof bad[0]),
	       "lone surrogates, bad escapes, raw controls and invalid UTF-8 refused");
	vxe_logrec_free(&rec);
}

struct bad_case {
	const char *line;
	int rc;
	const char *reason; /* a part of the message */
};

#define HEAD "\"v\":1,\"time\":\"2026-01-01T00:00:00Z\",\"action\":\"logged\",\"syscall\":\"open\""

static void test_malformed(void)
{
	static const struct bad_case cases[] = {
	    {"", -EINVAL, "empty"},
	    {"   ", -EINVAL, "empty"},
	    {"[1,2]", -EINVAL, "not a JSON object"},
	    {"{" HEAD "", -EINVAL, "truncated"},
	    {"{" HEAD ",}", -EINVAL, "expected a string"},
	    {"{" HEAD "} x", -EINVAL, "text after"},
	    {"{" HEAD "}{}", -EINVAL, "text after"},
	    {"{" HEAD ",\"pid\":01}", -EINVAL, "leading zero"},
	    {"{" HEAD ",\"pid\":1,\"pid\":2}", -EINVAL, "duplicate key"},
	    {"{" HEAD ",\"action\":\"blocked\"}", -EINVAL, "duplicate key"},
	    {"{" HEAD ",\"args\":{\"a\":1,\"a\":2}}", -EINVAL, "duplicate name"},
	    {"{" HEAD ",\"pid\":\"12\"}", -EINVAL, "\"pid\" has the wrong type"},
	    {"{" HEAD ",\"pid\":-1}", -EINVAL, "\"pid\""},
	    {"{" HEAD ",\"args\":[1]}", -EINVAL, "\"args\""},
	    {"{" HEAD ",\"truncated\":1}", -EINVAL, "\"truncated\""},
	    {"{" HEAD ",\"x\":tru}", -EINVAL, "unexpected"},
	    {"{" HEAD ",\"x\":1.}", -EINVAL, "bad number"},
	    {"{" HEAD ",\"x\":-}", -EINVAL, "bad number"},
	    {"{" HEAD ",\"x\":1e}", -EINVAL, "bad number"},
	    {"{" HEAD ",\"x\":[[[[[[[[[[[[[[[[[[[[1]]]]]]]]]]]]]]]]]]]}", -EINVAL, "too deep"},
	    {"{" HEAD ",\"x\":'a'}", -EINVAL, "unexpected"},
	    {"{\"time\":\"2026-01-01T00:00:00Z\",\"action\":\"logged\"}", -EINVAL, "no \"v\""},
	    {"{\"v\":\"1\",\"time\":\"2026-01-01T00:00:00Z\",\"action\":\"x\"}", -EINVAL, "\"v\""},
	    {"{\"v\":2,\"time\":\"2026-01-01T00:00:00Z\",\"action\":\"logged\"}", -EPROTONOSUPPORT,
	     "version 2"},
	    {"{\"v\":2,\"pid\":\"x\"}", -EPROTONOSUPPORT, "version 2"},
	    {"{\"v\":1,\"time\":\"yesterday\",\"action\":\"logged\",\"syscall\":\"x\"}", -EINVAL,
	     "bad \"time\""},
	    {"{\"v\":1,\"time\":\"2026-02-30T00:00:00Z\",\"action\":\"logged\",\"syscall\":\"x\"}",
	     -EINVAL, "bad \"time\""},
	    {"{\"v\":1,\"action\":\"logged\",\"syscall\":\"x\"}", -EINVAL, "no \"time\""},
	    {"{\"v\":1,\"time\":\"2026-01-01T00:00:00Z\",\"syscall\":\"x\"}", -EINVAL,
	     "no \"action\""},
	    {"{\"v\":1,\"time\":\"2026-01-01T00:00:00Z\",\"action\":\"logged\"}", -EINVAL,
	     "no \"syscall\""},
	    {"{\"v\":1,\"time\":\"2026-01-01T00:00:00Z\",\"action\":\"suppressed\"}", -EINVAL,
	     "without \"count\""},
	    {"{\"v\":1,\"time\":\"2026-01-01T00:00:00Z\",\"action\":\"suppressed\",\"count\":-3}",
	     -EINVAL, "\"count\""},
	    {"{" HEAD ",\"exe\":\"a\tb\"}", -EINVAL, "raw control"},
	};
	static const char *const good[] = {
	    "{" HEAD "}",
	    " \t{" HEAD "} \r",
	    "{" HEAD ",\"future\":{\"a\":[1,2.5e-3,true,null,{\"b\":\"c\"}]},\"n\":-0}",
	    "{" HEAD ",\"exe\":null,\"vxed\":null,\"errno\":1234,\"count\":5}",
	    "{" HEAD
	    ",\"args\":{\"o\":{\"x\":1},\"b\":true,\"z\":null,\"big\":99999999999999999999}}",
	    ("{\"v\":1,\"time\":\"2026-01-01T00:00:00Z\",\"vxed\":null,\"action\":\"suppressed\","
	     "\"count\":0}"),
	};
	struct vxe_logrec rec = {0};
	char err[160];
	int right = 0, accepted = 0;

	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		int rc = parse(cases[i].line, &rec, err, sizeof err);
		if (rc == cases[i].rc && strstr(err, cases[i].reason) && !rec.time.s)
			right++;
		else
			tap_diag("case %zu: rc %d, '%s'; want %d, '%s'", i, rc, err, cases[i].rc,
				 cases[i].reason);
	}
	tap_ok(right == (int)(sizeof cases / sizeof cases[0]),
	       "malformed records refused with the right reason (%d cases)", right);
	for (size_t i = 0; i < sizeof good / sizeof good[0]; i++) {
		if (parse(good[i], &rec, err, sizeof err) == 0)
			accepted++;
		else
			tap_diag("good case %zu: %s", i, err);
	}
	tap_ok(
	    accepted == (int)(sizeof good / sizeof good[0]),
	    "whitespace, unknown nested fields, null exe, numeric errno, odd arg values accepted");
	parse("{" HEAD ",\"errno\":1234,\"args\":{\"o\":{\"x\":1},\"big\":99999999999999999999,"
	      "\"neg\":-9223372036854775808}}",
	      &rec, err, sizeof err);
	tap_ok(rec.errno_num == 1234 && !rec.errno_name.s && rec.nargs == 3 &&
		   rec.args[0].val.kind == VXE_LOGVAL_OTHER &&
		   rec.args[1].val.kind == VXE_LOGVAL_NUM &&
		   rec.args[2].val.kind == VXE_LOGVAL_INT && rec.args[2].val.i == INT64_MIN,
	       "numeric errno, nested and huge argument values typed");

	/* Bounds: a line over the cap, too many args. */
	size_t n = VXE_LOGREAD_LINE_MAX + 100;
	char *huge = malloc(n + 1);
	snprintf(huge, n + 1, "{" HEAD ",\"exe\":\"");
	size_t at = strlen(huge);
	memset(huge + at, 'a', n - at - 2);
	memcpy(huge + n - 2, "\"}", 2);
	huge[n] = 0;
	tap_ok(vxe_logrec_parse(huge, n, &rec, err, sizeof err) == -EINVAL && strstr(err, "longer"),
	       "a line over %u bytes refused", VXE_LOGREAD_LINE_MAX);
	free(huge);
	char many[4096];
	int len = snprintf(many, sizeof many, "{" HEAD ",\"args\":{");
	for (int i = 0; i < VXE_LOGREAD_ARGS_MAX + 1; i++)
		len += snprintf(many + len, sizeof many - (size_t)len, "%s\"a%d\":%d", i ? "," : "",
				i, i);
	snprintf(many + len, sizeof many - (size_t)len, "}}");
	tap_ok(parse(many, &rec, err, sizeof err) == -EINVAL && strstr(err, "too many"),
	       "more than %d arguments refused", VXE_LOGREAD_ARGS_MAX);
	vxe_logrec_free(&rec);
}

/* Random, truncated and mutated lines: never a crash (run under ASan too),
 * a proper prefix of a record never parses, and what parses is whole. */
static void test_fuzz(void)
{
	static const char *const tokens[] = {
	    "{",       "}",	   "[",	       "]",	     ",",
	    ":",       "\"",	   "\\",       "\\u",	     "\\udc",
	    "\\ud83d", "\"v\"",	   "1",	       "-0",	     "1e9",
	    "true",    "null",	   "\"time\"", "\"args\"",   "\xff",
	    "\xc3",    "\xe2\x82", " ",	       "\"action\"", "\"2026-01-01T00:00:00Z\""};
	const char *path = path_in("nasty.log");
	char line[1 << 16], err[160];
	struct vxe_logrec rec = {0};
	FILE *f = fopen(path, "r");
	size_t valid = 0, prefix_ok = 0, mutated_ok = 0;
	bool prefix_bad = false, whole = true;

	while (f && fgets(line, sizeof line, f)) {
		size_t len = strlen(line);
		if (len && line[len - 1] == '\n')
			line[--len] = '\0';
		if (vxe_logrec_parse(line, len, &rec, err, sizeof err) != 0)
			continue;
		valid++;
		/* Every proper prefix is refused (the closing brace is last). */
		for (size_t k = 0; k < len; k++) {
			if (vxe_logrec_parse(line, k, &rec, err, sizeof err) == 0) {
				prefix_bad = true;
				tap_diag("prefix of %zu bytes parsed", k);
			} else {
				prefix_ok++;
			}
		}
		/* Each byte changed, a few ways. */
		for (size_t k = 0; k < len; k++) {
			static const unsigned char subst[] = {0,    '"',  '\\', '}',
							      0xff, 0x80, 'x',	','};
			unsigned char saved = (unsigned char)line[k];
			for (size_t s = 0; s < sizeof subst; s++) {
				line[k] = (char)subst[s];
				if (vxe_logrec_parse(line, len, &rec, err, sizeof err) == 0) {
					mutated_ok++;
					if (!rec.time.s || !rec.action.s || rec.v != 1)
						whole = false;
				}
			}
			line[k] = (char)saved;
		}
	}
	if (f)
		fclose(f);
	tap_ok(valid == NNASTY && !prefix_bad,
	       "%zu proper prefixes of %zu records all refused, no crash", prefix_ok, valid);
	tap_ok(whole, "%zu single-byte mutations, no crash; those that parse are whole records",
	       (size_t)(valid * 8));
	(void)mutated_ok;

	/* Token soup and raw random bytes. */
	for (int i = 0; i < 200000; i++) {
		size_t len = 0, want = rnd() % 200;
		if (i % 2) {
			for (; len < want; len++)
				line[len] = (char)rnd();
		} else {
			if (rnd() % 2) {
				memcpy(line, "{\"v\":1,", 7);
				len = 7;
			}
			while (len < want) {
				const char *t = tokens[rnd() % (sizeof tokens / sizeof tokens[0])];
				size_t tl = strlen(t);
				memcpy(line + len, t, tl);
				len += tl;
			}
		}
		if (vxe_logrec_parse(line, len, &rec, err, sizeof err) == 0 &&
		    (!rec.time.s || !rec.action.s))
			whole = false;
	}
	tap_ok(whole, "200000 random lines: no crash, nothing half-parsed");
	vxe_logrec_free(&rec);
}

/* ---- Times and filters -------------------------------------------------------------- */

static void test_times(void)
{
	static const struct {
		const char *s;
		int64_t ms;
	} rfc[] = {
	    {"1970-01-01T00:00:00Z", 0},
	    {"2026-12-03T16:54:42.937Z", 1796316882937LL},
	    {"2026-12-03T16:54:42.9Z", 1796316882900LL},
	    {"2026-12-03T16:54:42.93712345Z", 1796316882937LL},
	    {"2026-12-03t16:54:42z", 1796316882000LL},
	    {"2026-12-03 17:54:42+01:00", 1796316882000LL},
	    {"2026-12-03T11:24:42-05:30", 1796316882000LL},
	    {"2024-02-29T00:00:00Z", 1709164800000LL},
	    {"1969-12-31T23:59:59Z", -1000},
	};
	static const char *const bad[] = {
	    "2026-12-03",
	    "2026-12-03T16:54Z",
	    "2026-12-03T16:54:42",
	    "2026-13-01T00:00:00Z",
	    "2025-02-29T00:00:00Z",
	    "2026-12-03T24:00:00Z",
	    "2026-12-03T16:54:42.Z",
	    "2026-12-03T16:54:42+0100",
	    "2026-12-03T16:54:42Zx",
	    "26-12-03T16:54:42Z",
	    "",
	};
	int64_t ms, now = 1796316882937LL;
	int right = 0;

	for (size_t i = 0; i < sizeof rfc / sizeof rfc[0]; i++) {
		if (vxe_log_parse_rfc3339(rfc[i].s, strlen(rfc[i].s), &ms) == 0 && ms == rfc[i].ms)
			right++;
		else
			tap_diag("%s", rfc[i].s);
	}
	tap_ok(right == (int)(sizeof rfc / sizeof rfc[0]),
	       "RFC 3339: fractions, offsets, leap day, before 1970");
	right = 0;
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		if (vxe_log_parse_rfc3339(bad[i], strlen(bad[i]), &ms) == -EINVAL)
			right++;
		else
			tap_diag("accepted: %s", bad[i]);
	}
	tap_ok(right == (int)(sizeof bad / sizeof bad[0]),
	       "RFC 3339: no zone, bad dates and junk refused");

	setenv("TZ", "UTC", 1);
	tzset();
	tap_ok(vxe_log_parse_when("2026-12-03", now, &ms) == 0 && ms == 1796256000000LL,
	       "a date is its local midnight");
	tap_ok(vxe_log_parse_when("2026-12-03 16:54", now, &ms) == 0 && ms == 1796316840000LL &&
		   vxe_log_parse_when("2026-12-03T16:54:42", now, &ms) == 0 &&
		   ms == 1796316882000LL,
	       "a local time without a zone");
	tap_ok(vxe_log_parse_when("2026-12-03T16:54:42+01:00", now, &ms) == 0 &&
		   ms == 1796313282000LL,
	       "RFC 3339 with an offset");
	setenv("TZ", "Europe/Paris", 1);
	tzset();
	tap_ok(vxe_log_parse_when("2026-12-03", now, &ms) == 0 &&
		   (ms == 1796252400000LL || ms == 1796256000000LL /* no tzdata */),
	       "a date follows TZ");
	setenv("TZ", "UTC", 1);
	tzset();
	tap_ok(vxe_log_parse_when("10m", now, &ms) == 0 && ms == now - 600000 &&
		   vxe_log_parse_when("2h", now, &ms) == 0 && ms == now - 7200000 &&
		   vxe_log_parse_when("1d", now, &ms) == 0 && ms == now - 86400000 &&
		   vxe_log_parse_when("1w", now, &ms) == 0 && ms == now - 604800000 &&
		   vxe_log_parse_when("90s", now, &ms) == 0 && ms == now - 90000 &&
		   vxe_log_parse_when("now", now, &ms) == 0 && ms == now,
	       "spans ago: s m h d w, and now");
	tap_ok(vxe_log_parse_when("10x", now, &ms) < 0 && vxe_log_parse_when("", now, &ms) < 0 &&
		   vxe_log_parse_when("-5m", now, &ms) < 0 &&
		   vxe_log_parse_when("m", now, &ms) < 0 &&
		   vxe_log_parse_when("1.5h", now, &ms) < 0 &&
		   vxe_log_parse_when("99999999999999999999d", now, &ms) < 0 &&
		   vxe_log_parse_when("2026-12-03x", now, &ms) < 0,
	       "junk TIME refused");
}

static struct vxe_logrec mk(const char *vxed, const char *syscall, const char *action,
			    const char *exe, const char *time)
{
	struct vxe_logrec rec = {0};
	char line[1024], err[160];

	if (strcmp(action, "suppressed") == 0)
		snprintf(line, sizeof line,
			 "{\"v\":1,\"time\":\"%s\",\"vxed\":%s%s%s,\"action\":\"suppressed\","
			 "\"count\":3}",
			 time, vxed ? "\"" : "", vxed ? vxed : "null", vxed ? "\"" : "");
	else
		snprintf(line, sizeof line,
			 "{\"v\":1,\"time\":\"%s\",\"vxed\":\"%s\",\"action\":\"%s\",\"pid\":1,"
			 "\"exe\":\"%s\",\"syscall\":\"%s\"}",
			 time, vxed, action, exe, syscall);
	if (parse(line, &rec, err, sizeof err) < 0)
		tap_diag("mk: %s: %s", line, err);
	return rec;
}

static void test_filters(void)
{
	struct vxe_logrec a =
	    mk("web", "openat", "blocked", "/usr/sbin/lighttpd", "2026-12-03T10:00:00Z");
	struct vxe_logrec b =
	    mk("mail", "connect", "logged", "/usr/sbin/exim4", "2026-12-03T12:00:00Z");
	struct vxe_logrec s = mk("web", NULL, "suppressed", NULL, "2026-12-03T11:00:00Z");
	struct vxe_logrec sn = mk(NULL, NULL, "suppressed", NULL, "2026-12-03T11:00:00Z");
	struct vxe_logfilter f;
	int64_t ten, twelve;

	vxe_log_parse_rfc3339("2026-12-03T10:00:00Z", 20, &ten);
	vxe_log_parse_rfc3339("2026-12-03T12:00:00Z", 20, &twelve);
	vxe_logfilter_init(&f);
	tap_ok(vxe_logfilter_match(&f, &a) && vxe_logfilter_match(&f, &b) &&
		   vxe_logfilter_match(&f, &s),
	       "an empty filter passes everything");
	f.vxed = "web";
	tap_ok(vxe_logfilter_match(&f, &a) && !vxe_logfilter_match(&f, &b) &&
		   vxe_logfilter_match(&f, &s) && vxe_logfilter_match(&f, &sn),
	       "--vxed: its records, its suppressed counts, and those of several VXEDs");
	f.vxed = "mail,web";
	tap_ok(vxe_logfilter_match(&f, &a) && vxe_logfilter_match(&f, &b), "--vxed list");
	f.vxed = "we";
	tap_ok(!vxe_logfilter_match(&f, &a), "--vxed is exact, not a prefix");
	vxe_logfilter_init(&f);
	f.syscall = "connect";
	tap_ok(!vxe_logfilter_match(&f, &a) && vxe_logfilter_match(&f, &b) &&
		   vxe_logfilter_match(&f, &s),
	       "--syscall (suppressed counts kept: they may hide such calls)");
	{
		struct vxe_logrec m = {0};
		char err[160];
		const char *line = "{\"v\":1,\"time\":\"2026-12-03T11:00:00Z\",\"vxed\":\"web\","
				   "\"action\":\"suppressed\",\"count\":5,\"syscalls\":{\"openat\":"
				   "3,\"getppid\":2}}";
		int rc = parse(line, &m, err, sizeof err);
		tap_ok(rc == 0 && m.nsyscalls == 2 && m.syscalls[1].val.i == 2,
		       "per-syscall suppressed counts parsed");
		f.syscall = "connect";
		tap_ok(!vxe_logfilter_match(&f, &m),
		       "--syscall: counts of other syscalls left out");
		f.syscall = "connect,getppid";
		tap_ok(vxe_logfilter_match(&f, &m), "--syscall: counts naming it kept");
		vxe_logrec_free(&m);
		rc = parse("{\"v\":1,\"time\":\"2026-12-03T11:00:00Z\",\"action\":\"suppressed\","
			   "\"count\":5,\"syscalls\":{\"openat\":\"3\"}}",
			   &m, err, sizeof err);
		tap_ok(rc == -EINVAL && strstr(err, "\"syscalls\""),
		       "a count that is not a number");
	}
	vxe_logfilter_init(&f);
	f.action = "blocked";
	tap_ok(vxe_logfilter_match(&f, &a) && !vxe_logfilter_match(&f, &b), "--action");
	f.action = "suppressed";
	tap_ok(!vxe_logfilter_match(&f, &a) && vxe_logfilter_match(&f, &s),
	       "--action suppressed: only the counts");
	vxe_logfilter_init(&f);
	f.program = "lighttpd";
	tap_ok(vxe_logfilter_match(&f, &a) && !vxe_logfilter_match(&f, &b), "--program basename");
	f.program = "/usr/sbin/exim4";
	tap_ok(!vxe_logfilter_match(&f, &a) && vxe_logfilter_match(&f, &b), "--program path");
	f.program = "/sbin/exim4";
	tap_ok(!vxe_logfilter_match(&f, &b), "--program path is exact");
	vxe_logfilter_init(&f);
	f.since_ms = ten + 1;
	tap_ok(!vxe_logfilter_match(&f, &a) && vxe_logfilter_match(&f, &b), "--since");
	f.since_ms = ten;
	f.until_ms = twelve;
	tap_ok(vxe_logfilter_match(&f, &a) && !vxe_logfilter_match(&f, &b) &&
		   vxe_logfilter_match(&f, &s),
	       "since <= time < until");
	vxe_logrec_free(&a);
	vxe_logrec_free(&b);
	vxe_logrec_free(&s);
	vxe_logrec_free(&sn);
}

/* ---- The reader ---------------------------------------------------------------------- */

static void write_file(const char *path, const char *text, const char *mode)
{
	FILE *f = fopen(path, mode);
	if (f) {
		fputs(text, f);
		fclose(f);
	}
}

static char *rec_line(int pid, const char *extra)
{
	static char buf[8][256];
	static int i;
	char *p = buf[i++ & 7];
	snprintf(
	    p, sizeof buf[0],
	    "{\"v\":1,\"time\":\"2026-12-03T10:00:%02dZ\",\"vxed\":\"t\",\"action\":\"logged\","
	    "\"pid\":%d,\"syscall\":\"open\"}%s",
	    pid % 60, pid, extra);
	return p;
}

/* Reads everything; the pids in order into out ("1 2 3"). */
static void read_pids(struct vxe_logreader *r, char *out, size_t size)
{
	struct vxe_logrec rec = {0};
	size_t n = 0;

	out[0] = '\0';
	/* (pids of one call are separated by spaces) */
	while (vxe_logreader_next(r, &rec, NULL, NULL) > 0)
		n +=
		    (size_t)snprintf(out + n, size - n, "%s%lld", n ? " " : "", (long long)rec.pid);
	vxe_logrec_free(&rec);
}

static void test_rotated(void)
{
	char live[512], got[256], cmd[1024];
	char *diag = NULL;
	size_t diaglen = 0;
	FILE *d = open_memstream(&diag, &diaglen);
	struct vxe_logreader *r;
	bool have_gzip = system("gzip --version >/dev/null 2>&1") == 0;

	snprintf(live, sizeof live, "%s", path_in("rot/vxe.log"));
	mkdir(path_in("rot"), 0700);
	write_file(live, rec_line(7, "\n"), "w");
	write_file(live, rec_line(8, "\n"), "a");
	write_file(path_in("rot/vxe.log.1"), rec_line(5, "\n"), "w");
	write_file(path_in("rot/vxe.log.1"), "garbage\n", "a");
	write_file(path_in("rot/vxe.log.1"), rec_line(6, "\n"), "a");
	write_file(path_in("rot/vxe.log.2"), rec_line(3, "\n"), "w");
	write_file(path_in("rot/vxe.log.2"), rec_line(4, ""), "a"); /* no final newline */
	write_file(path_in("rot/vxe.log.10"), rec_line(1, "\n"), "w");
	write_file(path_in("rot/vxe.log.bak"), rec_line(99, "\n"), "w");
	write_file(path_in("rot/vxe.log.x1"), rec_line(99, "\n"), "w");
	write_file(path_in("rot/vxe.log.3"), rec_line(2, "\n"), "w");
	if (have_gzip) {
		snprintf(cmd, sizeof cmd, "gzip -f %s", path_in("rot/vxe.log.3"));
		have_gzip = system(cmd) == 0;
	}
	r = vxe_logreader_open(
	    &(struct vxe_logreader_opts){.path = live, .rotated = true, .diag = d});
	read_pids(r, got, sizeof got);
	TAP_STREQ(got, "1 2 3 4 5 6 7 8", "rotations read oldest first (.10 .3.gz .2 .1 live)");
	if (!have_gzip)
		tap_diag("gzip missing: vxe.log.3 stayed uncompressed");
	tap_ok(vxe_logreader_skipped(r) == 1, "the garbage line counted");
	fflush(d);
	if (!tap_ok(diag && strstr(diag, "/rot/vxe.log.1:2: skipped: not a JSON object"),
		    "reported as LOG:LINE: skipped: reason"))
		tap_diag("diag: %s", diag ? diag : "");
	vxe_logreader_close(r);

	r = vxe_logreader_open(&(struct vxe_logreader_opts){.path = live, .rotated = false});
	read_pids(r, got, sizeof got);
	TAP_STREQ(got, "7 8", "without rotations: the live file only");
	vxe_logreader_close(r);

	/* A broken .gz is reported, the rest still read. */
	if (have_gzip) {
		write_file(path_in("rot/vxe.log.4.gz"), "not gzip at all\n", "w");
		fclose(d);
		free(diag);
		diag = NULL;
		d = open_memstream(&diag, &diaglen);
		r = vxe_logreader_open(
		    &(struct vxe_logreader_opts){.path = live, .rotated = true, .diag = d});
		read_pids(r, got, sizeof got);
		vxe_logreader_close(r);
		fflush(d);
		tap_ok(strcmp(got, "1 2 3 4 5 6 7 8") == 0 &&
			   strstr(diag, "vxe.log.4.gz: gzip -dc failed"),
		       "a corrupt .gz is reported and the rest read");
		unlink(path_in("rot/vxe.log.4.gz"));
	} else {
		tap_skip("gzip not installed");
	}
	fclose(d);
	free(diag);

	errno = 0;
	r = vxe_logreader_open(&(struct vxe_logreader_opts){.path = path_in("none/vxe.log")});
	tap_ok(!r && errno == ENOENT, "a missing log is ENOENT");
	r = vxe_logreader_open(
	    &(struct vxe_logreader_opts){.path = path_in("none/vxe.log"), .follow = true});
	tap_ok(r != NULL, "... but can be followed until it appears");
	vxe_logreader_close(r);
}

static void test_skips(void)
{
	char path[512], got[256];
	char *diag = NULL;
	size_t diaglen = 0;
	FILE *d = open_memstream(&diag, &diaglen), *f;
	struct vxe_logreader *r;

	snprintf(path, sizeof path, "%s", path_in("skips.log"));
	f = fopen(path, "w");
	fputs(rec_line(1, "\n"), f);
	for (int i = 0; i < 2 * 1024 * 1024; i++)
		fputc('x', f); /* 2 MiB without a newline, then one */
	fputs("\n", f);
	fputs(rec_line(2, "\n"), f);
	for (int i = 0; i < 9; i++)
		fputs("{\"v\":1}\n", f);
	fputs("{\"v\":7,\"x\":1}\n", f);
	fputs(rec_line(3, "\n"), f);
	fputs("{\"v\":1,\"time\":\"2026-", f); /* cut short */
	fclose(f);
	r = vxe_logreader_open(&(struct vxe_logreader_opts){.path = path, .diag = d});
	read_pids(r, got, sizeof got);
	TAP_STREQ(got, "1 2 3", "good records around bad ones all read");
	tap_ok(vxe_logreader_skipped(r) == 12, "12 skipped (long, 9 incomplete, v7, cut)");
	vxe_logreader_summary(r);
	vxe_logreader_close(r);
	fflush(d);
	tap_ok(strstr(diag, ":2: skipped: line longer than 1048576 bytes") &&
		   strstr(diag, ":4: skipped: no \"time\"") &&
		   !strstr(diag, ":8: skipped") /* only 5 one by one */ &&
		   strstr(diag, "12 malformed lines skipped in all (the first 5 shown)"),
	       "the first 5 reported, then a count");
	if (!strstr(diag, "12 malformed"))
		tap_diag("%s", diag);
	fclose(d);
	free(diag);
	/* The cut line and the version, one by one. */
	diag = NULL;
	d = open_memstream(&diag, &diaglen);
	r = vxe_logreader_open(
	    &(struct vxe_logreader_opts){.path = path, .diag = d, .max_reports = 100});
	read_pids(r, got, sizeof got);
	vxe_logreader_close(r);
	fflush(d);
	tap_ok(strstr(diag, ":13: skipped: format version 7 (this vxe reads 1)") &&
		   strstr(diag, ":15: skipped: unterminated string at column 15 (unterminated last "
				"line)"),
	       "version and cut last line reported with their line numbers");
	if (!strstr(diag, ":15: skipped"))
		tap_diag("%s", diag);
	fclose(d);
	free(diag);
}

static void test_follow(void)
{
	char path[512], old[512], got[256];
	struct vxe_logreader *r;
	struct vxe_logrec rec = {0};
	int fd;

	snprintf(path, sizeof path, "%s", path_in("follow.log"));
	snprintf(old, sizeof old, "%s", path_in("follow.log.1"));
	write_file(path, rec_line(1, "\n"), "w");
	r = vxe_logreader_open(
	    &(struct vxe_logreader_opts){.path = path, .follow = true, .diag = stderr});
	read_pids(r, got, sizeof got);
	TAP_STREQ(got, "1", "follow: the existing record");
	/* Half a line: kept until the rest arrives. */
	fd = open(path, O_WRONLY | O_APPEND);
	const char *l2 = rec_line(2, "\n");
	(void)!write(fd, l2, 20);
	tap_ok(vxe_logreader_next(r, &rec, NULL, NULL) == 0 && vxe_logreader_check_rotation(r) == 0,
	       "follow: half a line waits");
	(void)!write(fd, l2 + 20, strlen(l2) - 20);
	tap_ok(vxe_logreader_check_rotation(r) == 1 &&
		   vxe_logreader_next(r, &rec, NULL, NULL) == 1 && rec.pid == 2 &&
		   vxe_logreader_skipped(r) == 0,
	       "follow: ... and is read whole once finished");
	/* Rotation: renamed, the old name re-created; a late write to the
	 * old file is still read before the new one. */
	rename(path, old);
	tap_ok(vxe_logreader_check_rotation(r) == 0, "renamed, not yet re-created: wait");
	write_file(path, rec_line(4, "\n"), "w");
	(void)!write(fd, rec_line(3, "\n"), strlen(rec_line(3, "\n")));
	close(fd);
	tap_ok(vxe_logreader_check_rotation(r) == 1, "the old file grew");
	read_pids(r, got, sizeof got);
	tap_ok(vxe_logreader_check_rotation(r) == 1, "the path names a new file");
	read_pids(r, got + strlen(got), sizeof got - strlen(got));
	TAP_STREQ(got, "34", "the rest of the old file, then the new one");
	/* Truncation in place. */
	write_file(path, rec_line(5, "\n"), "a");
	read_pids(r, got, sizeof got);
	(void)!truncate(path, 0);
	write_file(path, rec_line(6, "\n"), "a");
	tap_ok(vxe_logreader_check_rotation(r) == 1, "truncation noticed");
	read_pids(r, got + strlen(got), sizeof got - strlen(got));
	TAP_STREQ(got, "56", "after truncation, read from the start");
	/* Truncated and written past our offset before we looked. */
	(void)!truncate(path, 0);
	write_file(path, rec_line(7, "\n"), "a");
	write_file(path, rec_line(8, "\n"), "a");
	write_file(path, rec_line(9, "\n"), "a");
	tap_ok(vxe_logreader_check_rotation(r) == 1, "rewritten past our offset: noticed");
	read_pids(r, got, sizeof got);
	TAP_STREQ(got, "7 8 9", "... and read from the start");
	vxe_logrec_free(&rec);
	vxe_logreader_close(r);
}

static void rm_rf(const char *dir)
{
	char cmd[600];
	snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
	(void)!system(cmd);
}

int main(int argc, char **argv)
{
	for (int i = 0; i < 256; i++)
		all_bytes[i] = (char)i;
	if (argc == 3 && strcmp(argv[1], "--write") == 0)
		return write_nasty(argv[2]) == (int)NNASTY ? 0 : 1;
	if (!mkdtemp(tmpdir)) {
		perror("mkdtemp");
		return 1;
	}
	test_roundtrip();
	test_roundtrip_random();
	test_suppressed_record();
	test_parse_fields();
	test_escapes();
	test_malformed();
	test_fuzz();
	test_times();
	test_filters();
	test_rotated();
	test_skips();
	test_follow();
	rm_rf(tmpdir);
	return tap_done();
}
