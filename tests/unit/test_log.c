/* Unit tests of the violation log (src/log/log.c): what is written must parse
 * back as JSON, line by line, with the original bytes recoverable, an exact
 * suppression count, safe file modes and no interleaving between writers.
 * JSON is checked by Python's json module (a second, independent parser);
 * those checks skip when python3 is missing. */
#include "tap.h"
#include "vxe/log.h"
#include "vxe/syscalls.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#ifdef VXE_TEST_ERRNO_STUB
/* Temporary stand-in while src/policy/consts.c is being written: build with
 * EXTRA_CFLAGS=-DVXE_TEST_ERRNO_STUB. Remove once consts.c exists. */
const char *vxe_errno_name(int err)
{
	switch (err) {
	case EPERM:
		return "EPERM";
	case EACCES:
		return "EACCES";
	case ENOSYS:
		return "ENOSYS";
	}
	return NULL;
}
#endif

static char tmpdir[] = "/tmp/vxe-test-log.XXXXXX";
static int have_python;

/* Python side: argv[1] is the mode, then files. Prints "# ..." diagnostics
 * and exits non-zero on the first failure. */
static const char checker_py[] =
    "import json, sys, re, collections\n"
    "mode = sys.argv[1]\n"
    "def lines(p):\n"
    "    data = open(p, 'rb').read()\n"
    "    assert data.endswith(b'\\n') or not data, 'no final newline'\n"
    "    out = []\n"
    "    for n, raw in enumerate(data.split(b'\\n')[:-1]):\n"
    "        assert all(b >= 0x20 and b != 0x7f for b in raw), 'raw control byte, line %d' % n\n"
    "        text = raw.decode('utf-8')  # strict: the line itself is valid UTF-8\n"
    "        out.append((json.loads(text), len(raw)))\n"
    "    return out\n"
    "ORDER = ['v','time','vxed','mode','action','pid','exe','syscall','arch','args','rule']\n"
    "TIME = re.compile(r'^\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d\\.\\d{3}Z$')\n"
    "if mode == 'roundtrip':\n"
    "    recs = lines(sys.argv[2])\n"
    "    want = [l.split() for l in open(sys.argv[3])]\n"
    "    assert len(recs) == len(want), 'lines %d, want %d' % (len(recs), len(want))\n"
    "    for i, ((o, n), (hx, ex, trunc)) in enumerate(zip(recs, want)):\n"
    "        keys = list(o.keys())\n"
    "        assert keys[:len(ORDER)] == ORDER, 'key order %r' % keys\n"
    "        assert o['v'] == 1 and TIME.match(o['time']), o['time']\n"
    "        b = bytes.fromhex(hx if hx != '-' else '')\n"
    "        got = o['args']['path'].encode('utf-8', 'surrogateescape')\n"
    "        assert got == b, 'record %d: path %r != %r' % (i, got[:60], b[:60])\n"
    "        e = bytes.fromhex(ex if ex != '-' else '')\n"
    "        got = o['exe'].encode('utf-8', 'surrogateescape')\n"
    "        assert got == e, 'record %d: exe %r != %r' % (i, got[:60], e[:60])\n"
    "        assert o.get('truncated', False) == (trunc == '1'), 'record %d: truncated' % i\n"
    "        assert n < 200000, 'record %d: line of %d bytes' % (i, n)\n"
    "    print('# %d records round-trip' % len(recs))\n"
    "elif mode == 'valid':\n"
    "    recs = lines(sys.argv[2])\n"
    "    print('# %d valid lines' % len(recs))\n"
    "elif mode == 'perpid':\n"
    "    recs = lines(sys.argv[2])\n"
    "    c = collections.Counter(o['pid'] for o, n in recs)\n"
    "    for o, n in recs:\n"
    "        assert o['args']['fill'] == 'x' * 3000, 'damaged record'\n"
    "    assert len(recs) == 4000 and len(c) == 4 and set(c.values()) == {1000}, c\n"
    "    print('# 4000 whole records from 4 writers')\n";

static int run_checker(const char *mode, const char *a, const char *b)
{
	char script[256], cmd[1024];
	FILE *f;
	int st;

	snprintf(script, sizeof(script), "%s/check.py", tmpdir);
	f = fopen(script, "w");
	if (!f)
		return -1;
	fputs(checker_py, f);
	fclose(f);
	snprintf(cmd, sizeof(cmd), "python3 %s %s %s %s 2>&1", script, mode, a, b ? b : "");
	fflush(stdout);
	st = system(cmd);
	return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

static char *slurp(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	char *buf = NULL;
	size_t cap = 0, n = 0, r;

	if (!f)
		return NULL;
	do {
		if (n + 65536 > cap) {
			cap = cap * 2 + 65536;
			buf = realloc(buf, cap + 1);
		}
		r = fread(buf + n, 1, cap - n, f);
		n += r;
	} while (r > 0);
	fclose(f);
	buf[n] = '\0';
	if (len)
		*len = n;
	return buf;
}

static unsigned count_lines(const char *path)
{
	char *buf = slurp(path, NULL);
	unsigned n = 0;

	for (char *p = buf; p && *p; p++)
		n += *p == '\n';
	free(buf);
	return n;
}

/* Sums "count" over suppressed records; *records gets how many there were,
 * *events how many ordinary records. */
static uint64_t suppressed_sum(const char *path, unsigned *records, unsigned *events)
{
	char *buf = slurp(path, NULL), *line, *save = NULL;
	uint64_t sum = 0;

	*records = *events = 0;
	for (line = strtok_r(buf, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		char *c = strstr(line, "\"action\":\"suppressed\",\"count\":");
		if (c) {
			sum +=
			    strtoull(c + strlen("\"action\":\"suppressed\",\"count\":"), NULL, 10);
			(*records)++;
		} else {
			(*events)++;
		}
	}
	free(buf);
	return sum;
}

static struct vxe_event event(const struct vxe_log_arg *args, unsigned nargs)
{
	struct vxe_event ev = {
	    .vxed = "popd",
	    .mode = "production",
	    .action = "blocked",
	    .pid = getpid(),
	    .exe = "/usr/sbin/popd",
	    .syscall = "openat",
	    .arch = "x86_64",
	    .rule = "files",
	    .err = EACCES,
	    .nargs = nargs,
	    .args = args,
	};
	return ev;
}

static void test_escape(void)
{
	static const struct {
		const char *in;
		size_t len;
		const char *out;
		const char *name;
	} cases[] = {
	    {"plain", 5, "plain", "plain ASCII unchanged"},
	    {"a\"b\\c", 5, "a\\\"b\\\\c", "quote and backslash"},
	    {"\n\t\r\x01\x1f\x7f", 6, "\\n\\t\\u000d\\u0001\\u001f\\u007f", "control characters"},
	    {"a\0b", 3, "a\\u0000b", "embedded NUL"},
	    {"\x1b[31m", 5, "\\u001b[31m", "terminal escape"},
	    {"caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80", 14,
	     "caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80", "valid multibyte UTF-8 passes through"},
	    {"\xc2\x9b", 2, "\\u009b", "C1 control (CSI) escaped"},
	    {"\xff\xfe", 2, "\\udcff\\udcfe", "invalid bytes"},
	    {"\xc0\xaf", 2, "\\udcc0\\udcaf", "overlong slash"},
	    {"\xe0\x80\xaf", 3, "\\udce0\\udc80\\udcaf", "overlong 3-byte"},
	    {"\xed\xa0\x80", 3, "\\udced\\udca0\\udc80", "UTF-8-encoded surrogate"},
	    {"\xf4\x90\x80\x80", 4, "\\udcf4\\udc90\\udc80\\udc80", "above U+10FFFF"},
	    {"\xf4\x8f\xbf\xbf", 4, "\xf4\x8f\xbf\xbf", "U+10FFFF itself is valid"},
	    {"\xe2\x82", 2, "\\udce2\\udc82", "truncated sequence"},
	    {"\xe2\x82x", 3, "\\udce2\\udc82x", "sequence cut by ASCII"},
	    {"\x80", 1, "\\udc80", "lone continuation byte"},
	};
	char out[256];

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		size_t n = vxe_json_escape(out, sizeof(out), cases[i].in, cases[i].len);
		tap_ok(n == strlen(cases[i].out) && strcmp(out, cases[i].out) == 0, "escape: %s",
		       cases[i].name);
	}

	/* snprintf-like: the needed size is returned, output is cut at a whole
	 * escape and NUL-terminated. */
	memset(out, 'Z', sizeof(out));
	size_t n = vxe_json_escape(out, 8,
				   "ab\x01"
				   "cd",
				   5);
	tap_ok(n == 10 && strcmp(out, "ab") == 0,
	       "escape: short buffer returns need (%zu), cuts at unit (%s)", n, out);
	n = vxe_json_escape(NULL, 0, "\xff", 1);
	tap_ok(n == 6, "escape: size 0 only measures");
}

static void test_open_modes(void)
{
	char path[600], dir[512];
	struct stat st;
	struct vxe_log *log;
	mode_t old = umask(0);

	snprintf(dir, sizeof(dir), "%s/new/sub", tmpdir);
	snprintf(path, sizeof(path), "%s/vxe.log", dir);
	log = vxe_log_open(&(struct vxe_log_opts){.path = path});
	umask(old);
	tap_ok(log != NULL, "open creates missing directories (%s)", log ? "ok" : strerror(errno));
	memset(&st, 0, sizeof(st));
	stat(dir, &st);
	tap_ok((st.st_mode & 07777) == 0700, "directory is 0700 (%o)", st.st_mode & 07777);
	snprintf(dir, sizeof(dir), "%s/new", tmpdir);
	tap_ok(stat(dir, &st) == 0 && (st.st_mode & 07777) == 0700,
	       "intermediate directory is 0700");
	memset(&st, 0, sizeof(st));
	stat(path, &st);
	tap_ok((st.st_mode & 07777) == 0600, "file is 0600 (%o)", st.st_mode & 07777);

	/* The descriptor must be close-on-exec: find it in /proc/self/fd. */
	int found = 0, cloexec = 0;
	DIR *d = opendir("/proc/self/fd");
	struct dirent *de;
	while (d && (de = readdir(d))) {
		char link[300], target[600];
		ssize_t n;
		snprintf(link, sizeof(link), "/proc/self/fd/%s", de->d_name);
		n = readlink(link, target, sizeof(target) - 1);
		if (n <= 0)
			continue;
		target[n] = '\0';
		if (strcmp(target, path) == 0) {
			found = 1;
			cloexec = fcntl(atoi(de->d_name), F_GETFD) & FD_CLOEXEC;
		}
	}
	if (d)
		closedir(d);
	tap_ok(found && cloexec, "log descriptor has FD_CLOEXEC");
	vxe_log_close(log);
	vxe_log_close(NULL);
	tap_ok(1, "close accepts NULL");

	/* A symlink planted at the log's path is not followed. */
	char link[600];
	snprintf(link, sizeof(link), "%s/link.log", tmpdir);
	log = symlink(path, link) == 0 ? vxe_log_open(&(struct vxe_log_opts){.path = link}) : NULL;
	tap_ok(log == NULL && errno == ELOOP, "symlink at the log path refused (ELOOP)");
	vxe_log_close(log);
}

static void test_fields(void)
{
	char path[512], *buf;
	struct vxe_log *log;
	struct vxe_log_arg args[] = {
	    {.name = "dirfd", .kind = VXE_LOGARG_NAME, .s = "AT_FDCWD", .len = 8},
	    {.name = "path", .kind = VXE_LOGARG_STR, .s = "/etc/shadow", .len = 11},
	    {.name = "flags", .kind = VXE_LOGARG_NAME, .s = "O_RDONLY", .len = 8},
	    {.name = "mode", .kind = VXE_LOGARG_INT, .i = -1},
	};
	struct vxe_event ev = event(args, 4);

	snprintf(path, sizeof(path), "%s/fields.log", tmpdir);
	log = vxe_log_open(&(struct vxe_log_opts){.path = path, .syslog = true});
	tap_ok(log != NULL, "open with syslog");
	ev.pid = 1234;
	tap_ok(vxe_log_event(log, &ev) == 0, "event written");
	ev.exe = NULL;
	ev.err = 0;
	ev.nargs = 0;
	ev.args = NULL;
	ev.action = "logged";
	tap_ok(vxe_log_event(log, &ev) == 0, "event without exe, errno, args written");
	vxe_log_close(log);

	buf = slurp(path, NULL);
	char *second = buf ? strchr(buf, '\n') : NULL;
	tap_ok(second != NULL, "two lines");
	if (!second)
		return;
	*second++ = '\0';
	const char *want1 =
	    ",\"vxed\":\"popd\",\"mode\":\"production\",\"action\":\"blocked\","
	    "\"pid\":1234,\"exe\":\"/usr/sbin/popd\",\"syscall\":\"openat\","
	    "\"arch\":\"x86_64\",\"args\":{\"dirfd\":\"AT_FDCWD\",\"path\":"
	    "\"/etc/shadow\",\"flags\":\"O_RDONLY\",\"mode\":-1},\"rule\":\"files\","
	    "\"errno\":\"EACCES\"}";
	const char *t = strstr(buf, "\"time\":\"");
	tap_ok(strncmp(buf, "{\"v\":1,\"time\":\"", 15) == 0 && t && strlen(t) > 33 &&
		   strcmp(t + 33, want1) == 0,
	       "fields in the documented order");
	tap_diag("%s", buf);
	tap_ok(strstr(second, "\"exe\":null") != NULL, "NULL exe written as null");
	tap_ok(strstr(second, "errno") == NULL, "no errno key when err is 0");
	tap_ok(strstr(second, "\"args\":{}") != NULL, "no args: empty object");
	free(buf);
}

static void put_hex(FILE *f, const char *s, size_t len)
{
	if (len == 0)
		fputc('-', f);
	for (size_t i = 0; i < len; i++)
		fprintf(f, "%02x", (unsigned char)s[i]);
}

/* Hostile bytes in a STR argument (any bytes, NUL included) and in exe (a C
 * string): every line must be valid JSON and give back the original bytes,
 * or their first 4096 with "truncated":true. */
static void test_nasty(void)
{
	static const struct {
		const char *s;
		size_t len;
	} nasty[] = {
	    {"", 0},
	    {"\"quoted\" \\back\\slash\\", 22},
	    {"a\0b\0", 4},
	    {"\x01\x02\x1b[2J\x7f\n\r\t", 10},
	    {"\xff\xfe\xc0\xaf\xed\xa0\x80\xf4\x90\x80\x80\xe2\x82", 13},
	    {"caf\xc3\xa9/\xe2\x82\xac/\xf0\x9f\x98\x80/\xc2\x9b", 18},
	    {"\xdc\x80 looks like an escape \\udc80", 30},
	    {"\xe2\x82\xac\xe2\x82", 5},
	};
	const size_t nn = sizeof(nasty) / sizeof(nasty[0]);
	const size_t big_len = 1 << 20;
	char path[512], hexpath[512];
	struct vxe_log *log;
	char *big = malloc(big_len + 1);
	FILE *hex;
	int failed = 0;

	/* Every byte value but NUL, in a pattern full of invalid UTF-8. */
	for (size_t i = 0; i < big_len; i++)
		big[i] = (char)(i * 7 % 255 + 1);
	big[big_len] = '\0';
	snprintf(path, sizeof(path), "%s/nasty.log", tmpdir);
	snprintf(hexpath, sizeof(hexpath), "%s/nasty.hex", tmpdir);
	log = vxe_log_open(&(struct vxe_log_opts){.path = path});
	hex = fopen(hexpath, "w");
	for (size_t i = 0; i <= nn; i++) {
		const char *s = i < nn ? nasty[i].s : big;
		size_t len = i < nn ? nasty[i].len : big_len;
		size_t plen = len > 4096 ? 4096 : len;
		struct vxe_log_arg arg = {
		    .name = "path", .kind = VXE_LOGARG_STR, .s = s, .len = len};
		struct vxe_event ev = event(&arg, 1);
		char exe[64];

		if (i < nn) {
			/* exe is a C string: the same bytes up to the first NUL. */
			memcpy(exe, s, len);
			exe[len] = '\0';
			ev.exe = exe;
		} else {
			ev.exe = big;
		}
		failed |= vxe_log_event(log, &ev) != 0;
		put_hex(hex, s, plen);
		fputc(' ', hex);
		put_hex(hex, ev.exe, strnlen(ev.exe, 4096));
		fprintf(hex, " %d\n", len > 4096);
	}
	fclose(hex);
	vxe_log_close(log);
	free(big);
	tap_ok(!failed, "nasty events written");
	tap_ok(count_lines(path) == nn + 1, "one line per nasty event");
	if (have_python)
		tap_ok(
		    run_checker("roundtrip", path, hexpath) == 0,
		    "nasty: valid JSON, printable, bytes round-trip (surrogateescape), 1 MB cut");
	else
		tap_skip("python3 not available");
}

/* 10 000 events at once, burst 100, 1 per second: exactly 100 written; after
 * a pause the next event is preceded by a count of the 9 900 others. */
static void test_rate_limit(void)
{
	char path[512];
	struct vxe_log *log;
	struct vxe_event ev = event(NULL, 0);
	unsigned written = 0, suppressed = 0, errors = 0, records, events;
	struct timespec t0, t1;
	uint64_t sum;

	snprintf(path, sizeof(path), "%s/rate.log", tmpdir);
	log = vxe_log_open(&(struct vxe_log_opts){.path = path, .burst = 100, .per_second = 1});
	clock_gettime(CLOCK_MONOTONIC, &t0);
	for (int i = 0; i < 10000; i++) {
		int r = vxe_log_event(log, &ev);
		written += r == 0;
		suppressed += r == 1;
		errors += r < 0;
	}
	clock_gettime(CLOCK_MONOTONIC, &t1);
	double secs = (double)(t1.tv_sec - t0.tv_sec) + (t1.tv_nsec - t0.tv_nsec) / 1e9;
	if (secs < 1.0)
		tap_ok(written == 100 && suppressed == 9900 && errors == 0,
		       "burst 100: 100 written, 9900 suppressed (%u, %u, %.3fs)", written,
		       suppressed, secs);
	else
		tap_ok(written >= 100 && written + suppressed == 10000,
		       "burst 100 (slow run, %.3fs): %u written", secs, written);
	tap_ok(count_lines(path) == written, "file holds exactly the written events");

	struct timespec pause = {1, 200000000};
	nanosleep(&pause, NULL);
	tap_ok(vxe_log_event(log, &ev) == 0, "after a pause the next event is admitted");
	sum = suppressed_sum(path, &records, &events);
	tap_ok(records == 1 && sum == suppressed && events == written + 1,
	       "one suppressed record, count %llu, before the event", (unsigned long long)sum);
	tap_ok(events + sum == 10001, "exact: %u written + %llu counted = 10001", events,
	       (unsigned long long)sum);

	/* Suppress more, then close: close reports them. */
	unsigned more = 0;
	for (int i = 0; i < 500; i++)
		more += vxe_log_event(log, &ev) == 1;
	vxe_log_close(log);
	sum = suppressed_sum(path, &records, &events);
	tap_ok(more > 0 && records == 2 && events + sum == 10501,
	       "close writes the pending count (%u more, %u + %llu = 10501)", more, events,
	       (unsigned long long)sum);

	char *buf = slurp(path, NULL);
	char *last = NULL;
	for (char *p = buf; p && *p; p = strchr(p, '\n') ? strchr(p, '\n') + 1 : NULL)
		if (*p)
			last = p;
	tap_ok(last && strstr(last, "\"vxed\":\"popd\",\"action\":\"suppressed\"") != NULL,
	       "suppressed record names the VXED and ends the file");
	char want[160];
	snprintf(want, sizeof want, "\"count\":%u,\"syscalls\":{\"%s\":%u}}", more, ev.syscall,
		 more);
	tap_ok(last && strstr(last, want) != NULL, "suppressed record counts them by syscall: %s",
	       want);
	free(buf);
	if (have_python)
		tap_ok(run_checker("valid", path, NULL) == 0, "rate-limited log is valid JSON");
	else
		tap_skip("python3 not available");
}

/* Four processes, each with its own log on the same file, 1000 records of
 * about 3 KB each: O_APPEND and one write(2) per line keep them whole. */
static void test_concurrent(void)
{
	char path[512], fill[3001];
	pid_t pids[4];
	int ok = 1;

	memset(fill, 'x', 3000);
	fill[3000] = '\0';
	snprintf(path, sizeof(path), "%s/concurrent.log", tmpdir);
	fflush(stdout);
	for (int c = 0; c < 4; c++) {
		pids[c] = fork();
		if (pids[c] == 0) {
			struct vxe_log_arg arg = {
			    .name = "fill", .kind = VXE_LOGARG_STR, .s = fill, .len = 3000};
			struct vxe_event ev = event(&arg, 1);
			struct vxe_log *log = vxe_log_open(&(struct vxe_log_opts){
			    .path = path, .burst = 100000, .per_second = 100000});
			int bad = !log;

			for (int i = 0; log && i < 1000; i++)
				bad |= vxe_log_event(log, &ev) != 0;
			vxe_log_close(log);
			_exit(bad);
		}
	}
	for (int c = 0; c < 4; c++) {
		int st;
		ok &= waitpid(pids[c], &st, 0) == pids[c] && WIFEXITED(st) && WEXITSTATUS(st) == 0;
	}
	tap_ok(ok, "4 writers finished without error");
	tap_ok(count_lines(path) == 4000, "4000 lines");
	if (have_python)
		tap_ok(run_checker("perpid", path, NULL) == 0, "every line whole, 1000 per writer");
	else
		tap_skip("python3 not available");
}

/* "-" writes to standard error, through a descriptor of its own. */
static void test_stderr(void)
{
	char path[512];
	int saved = dup(STDERR_FILENO), fd;
	struct vxe_event ev = event(NULL, 0);
	struct vxe_log *log;

	snprintf(path, sizeof(path), "%s/stderr.log", tmpdir);
	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	dup2(fd, STDERR_FILENO);
	close(fd);
	log = vxe_log_open(&(struct vxe_log_opts){.path = "-"});
	tap_ok(log && vxe_log_event(log, &ev) == 0, "\"-\" logs to stderr");
	vxe_log_close(log);
	tap_ok(fcntl(STDERR_FILENO, F_GETFD) >= 0, "closing the log leaves stderr open");
	dup2(saved, STDERR_FILENO);
	close(saved);
	tap_ok(count_lines(path) == 1, "one line on stderr");
}

int main(void)
{
	if (!mkdtemp(tmpdir)) {
		perror("mkdtemp");
		return 1;
	}
	have_python = system("python3 -c 'import json' >/dev/null 2>&1") == 0;
	test_escape();
	test_open_modes();
	test_fields();
	test_nasty();
	test_rate_limit();
	test_concurrent();
	test_stderr();

	char cmd[128];
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", tmpdir);
	if (system(cmd) != 0)
		tap_diag("could not remove %s", tmpdir);
	return tap_done();
}
