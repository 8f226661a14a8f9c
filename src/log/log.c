/* The violation log (SPEC §6, §5.8): JSON Lines, one write(2) per record.
 *
 * Security notes:
 *  - Only the supervisor writes here, and every descriptor we open carries
 *    O_CLOEXEC so the log never leaks into a confined program (SPEC §5.9): a
 *    confined process holding the fd could forge records.
 *  - Everything that reaches a line comes from the confined program (paths,
 *    exe names, flags). It is escaped so each line stays one valid JSON
 *    object that a terminal can show safely: no raw control characters (an
 *    ESC in a path must not drive the admin's terminal), no raw invalid
 *    UTF-8, and the original bytes remain recoverable (\uDCXX).
 *  - Each line has a hard upper bound (VXE_LOG_LINE_MAX), so a hostile 1 MB
 *    path cannot make us allocate or write without limit.
 *  - A flood of violations is rate-limited, but never silently: the number
 *    of records not written is counted exactly and reported.
 */
#include "vxe/log.h"
#include "util/utf8.h"
#include "vxe/syscalls.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <syslog.h>
#include <time.h>
#include <unistd.h>

/* Limits that bound a line. Input bytes, before escaping:
 *  - VXE_LOG_STR_MAX for argument values and exe (paths can be PATH_MAX and
 *    a hostile program can hand us far more; 4096 keeps every real path),
 *  - VXE_LOG_NAME_MAX for the short fields we or the policy chose (vxed,
 *    mode, action, syscall, arch, rule, argument names),
 *  - VXE_LOG_ARGS_MAX arguments (a syscall has at most six).
 * Anything cut by these limits adds "truncated":true at the end of the record,
 * so a reader knows the value is a prefix: the escaped value then decodes to
 * exactly the first VXE_LOG_STR_MAX bytes of the original. */
#define VXE_LOG_STR_MAX	 4096
#define VXE_LOG_NAME_MAX 256
#define VXE_LOG_ARGS_MAX VXE_MAX_ARGS

/* Each input byte escapes to at most 6 output bytes ("\u00XX", "\uDCXX"),
 * plus the quotes. */
#define ESCAPED_MAX(n) (6 * (size_t)(n) + 2)
/* Keys, numbers, punctuation and the time stamp: generous fixed overhead. */
#define LINE_FIXED 512
#define VXE_LOG_LINE_MAX                                                                           \
	(LINE_FIXED + 7 * ESCAPED_MAX(VXE_LOG_NAME_MAX) + ESCAPED_MAX(VXE_LOG_STR_MAX) +           \
	 VXE_LOG_ARGS_MAX * (ESCAPED_MAX(VXE_LOG_NAME_MAX) + ESCAPED_MAX(VXE_LOG_STR_MAX) + 4))

#define DEFAULT_BURST	   200
#define DEFAULT_PER_SECOND 50
#define NSEC_PER_SEC	   1000000000ull

#define SUPP_NAMES 16

struct vxe_log {
	pthread_mutex_t lock; /* serialises callers; the fields below are the state */
	int fd;		      /* owned, O_APPEND|O_CLOEXEC */
	bool syslog;
	/* Token bucket, in units of 1e-9 token so refill needs no division:
	 * each second adds per_second * 1e9, each record costs 1e9, and the
	 * bucket holds at most burst * 1e9 (burst <= UINT_MAX fits in 64 bits). */
	uint64_t tokens;
	uint64_t capacity;
	uint64_t per_second;
	uint64_t last_ns; /* CLOCK_MONOTONIC of the last refill */
	/* Events not written since the last record that was: reported as a
	 * "suppressed" record before the next one, or at close. */
	uint64_t suppressed;
	char supp_vxed[VXE_LOG_NAME_MAX + 1]; /* vxed of those events, if all the same */
	bool supp_mixed;		      /* they came from several VXEDs */
	/* Which syscalls were suppressed, so that a reviewer knows what to
	 * look for; past SUPP_NAMES distinct names the rest count as "other". */
	struct {
		char name[32];
		uint64_t count;
	} supp_sys[SUPP_NAMES + 1];
	unsigned supp_nsys;
	char *line; /* owned, VXE_LOG_LINE_MAX bytes */
};

static inline void close_fdp(int *fdp)
{
	if (*fdp >= 0) {
		int saved = errno;
		close(*fdp);
		errno = saved;
	}
}
#define cleanup_fd __attribute__((cleanup(close_fdp)))

static inline void freep(void *p)
{
	free(*(void **)p);
}
#define cleanup_free __attribute__((cleanup(freep)))

/* ---- JSON string escaping ------------------------------------------------ */

/* Escapes one unit at s into unit (at most 6 bytes); returns how many input
 * bytes it consumed and sets *ulen. */
static size_t escape_unit(const unsigned char *s, size_t len, char unit[6], size_t *ulen)
{
	static const char hex[] = "0123456789abcdef";
	unsigned char c = s[0];
	size_t n;

	switch (c) {
	case '"':
	case '\\':
		unit[0] = '\\', unit[1] = (char)c, *ulen = 2;
		return 1;
	case '\n':
		unit[0] = '\\', unit[1] = 'n', *ulen = 2;
		return 1;
	case '\t':
		unit[0] = '\\', unit[1] = 't', *ulen = 2;
		return 1;
	}
	if (c < 0x20 || c == 0x7f) {
		memcpy(unit, "\\u00", 4);
		unit[4] = hex[c >> 4], unit[5] = hex[c & 15], *ulen = 6;
		return 1;
	}
	n = vxe_utf8_len(s, len);
	if (n == 0) {
		/* surrogateescape: byte 0xXY becomes U+DCXY, a lone low surrogate
		 * no valid UTF-8 can produce, so decoding is unambiguous. */
		memcpy(unit, "\\udc", 4);
		unit[4] = hex[c >> 4], unit[5] = hex[c & 15], *ulen = 6;
		return 1;
	}
	if (n == 2 && c == 0xc2 && s[1] < 0xa0) {
		/* C1 controls (U+0080..U+009F): valid UTF-8, but 0x9b is CSI on
		 * some terminals. \u0080..\u009f decodes back to the same bytes. */
		memcpy(unit, "\\u00", 4);
		unit[4] = hex[s[1] >> 4], unit[5] = hex[s[1] & 15], *ulen = 6;
		return 2;
	}
	memcpy(unit, s, n);
	*ulen = n;
	return n;
}

size_t vxe_json_escape(char *out, size_t size, const char *s, size_t len)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t need = 0, written = 0, i = 0;
	bool full = false;

	while (i < len) {
		char unit[6];
		size_t ulen;

		i += escape_unit(p + i, len - i, unit, &ulen);
		/* Only whole units are written, so a too-small buffer never ends
		 * in half an escape such as "\u0". */
		if (!full && written + ulen < size) {
			memcpy(out + written, unit, ulen);
			written += ulen;
		} else {
			full = true;
		}
		need += ulen;
	}
	if (size > 0)
		out[written] = '\0';
	return need;
}

/* ---- Line building ------------------------------------------------------- */

/* A line under construction. Overflow cannot happen with the limits above;
 * if it ever did (a bug), the record is refused rather than cut mid-JSON. */
struct line {
	char *buf;
	size_t len, cap;
	bool overflow;
	bool truncated; /* some value was shortened */
};

static void put(struct line *l, const char *s, size_t n)
{
	if (l->overflow || n >= l->cap - l->len) {
		l->overflow = true;
		return;
	}
	memcpy(l->buf + l->len, s, n);
	l->len += n;
	l->buf[l->len] = '\0';
}

__attribute__((format(printf, 2, 3))) static void putf(struct line *l, const char *fmt, ...)
{
	va_list ap;
	int n;

	if (l->overflow)
		return;
	va_start(ap, fmt);
	n = vsnprintf(l->buf + l->len, l->cap - l->len, fmt, ap);
	va_end(ap);
	if (n < 0 || (size_t)n >= l->cap - l->len)
		l->overflow = true;
	else
		l->len += (size_t)n;
}

/* Appends a quoted JSON string of at most max input bytes, or null. */
static void put_str(struct line *l, const char *s, size_t len, size_t max)
{
	size_t need;

	if (!s) {
		put(l, "null", 4);
		return;
	}
	if (len > max) {
		len = max;
		l->truncated = true;
	}
	put(l, "\"", 1);
	if (l->overflow)
		return;
	need = vxe_json_escape(l->buf + l->len, l->cap - l->len, s, len);
	if (need >= l->cap - l->len) {
		l->overflow = true;
		return;
	}
	l->len += need;
	put(l, "\"", 1);
}

static void put_cstr(struct line *l, const char *s, size_t max)
{
	put_str(l, s, s ? strnlen(s, max + 1) : 0, max);
}

static void put_key(struct line *l, const char *key)
{
	putf(l, ",\"%s\":", key);
}

static void put_field(struct line *l, const char *key, const char *s, size_t max)
{
	put_key(l, key);
	put_cstr(l, s, max);
}

/* "v" and "time" open every record. RFC 3339 in UTC with milliseconds. */
static void put_head(struct line *l)
{
	struct timespec ts;
	struct tm tm;

	clock_gettime(CLOCK_REALTIME, &ts);
	gmtime_r(&ts.tv_sec, &tm);
	putf(l, "{\"v\":%d,\"time\":\"%04d-%02d-%02dT%02d:%02d:%02d.%03ldZ\"", VXE_LOG_VERSION,
	     tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec,
	     ts.tv_nsec / 1000000);
}

static void line_init(struct line *l, char *buf)
{
	l->buf = buf;
	l->len = 0;
	l->cap = VXE_LOG_LINE_MAX;
	l->overflow = false;
	l->truncated = false;
	buf[0] = '\0';
}

static void build_event(struct line *l, const struct vxe_event *ev)
{
	unsigned nargs = ev->nargs;
	int err = ev->err < 0 ? -ev->err : ev->err;

	put_head(l);
	put_field(l, "vxed", ev->vxed, VXE_LOG_NAME_MAX);
	put_field(l, "mode", ev->mode, VXE_LOG_NAME_MAX);
	put_field(l, "action", ev->action, VXE_LOG_NAME_MAX);
	putf(l, ",\"pid\":%d", (int)ev->pid);
	/* exe is null rather than absent, so every record has the same keys. */
	put_field(l, "exe", ev->exe, VXE_LOG_STR_MAX);
	put_field(l, "syscall", ev->syscall, VXE_LOG_NAME_MAX);
	put_field(l, "arch", ev->arch, VXE_LOG_NAME_MAX);
	put_key(l, "args");
	put(l, "{", 1);
	if (nargs > VXE_LOG_ARGS_MAX || (nargs && !ev->args)) {
		nargs = ev->args ? VXE_LOG_ARGS_MAX : 0;
		l->truncated = true;
	}
	for (unsigned i = 0; i < nargs; i++) {
		const struct vxe_log_arg *a = &ev->args[i];

		if (i)
			put(l, ",", 1);
		put_cstr(l, a->name ? a->name : "?", VXE_LOG_NAME_MAX);
		put(l, ":", 1);
		if (a->kind == VXE_LOGARG_INT)
			putf(l, "%" PRId64, a->i);
		else
			put_str(l, a->s, a->s ? a->len : 0, VXE_LOG_STR_MAX);
	}
	put(l, "}", 1);
	put_field(l, "rule", ev->rule, VXE_LOG_NAME_MAX);
	if (err) {
		const char *name = vxe_errno_name(err);

		/* An errno VXE has no name for is still recorded, as a number. */
		put_key(l, "errno");
		if (name)
			put_cstr(l, name, VXE_LOG_NAME_MAX);
		else
			putf(l, "%d", err);
	}
	if (l->truncated)
		put(l, ",\"truncated\":true", 17);
	put(l, "}\n", 2);
}

static void build_suppressed(struct line *l, const struct vxe_log *log)
{
	put_head(l);
	/* The VXED the suppressed events came from, or null if several. */
	put_key(l, "vxed");
	put_cstr(l, log->supp_mixed ? NULL : log->supp_vxed, VXE_LOG_NAME_MAX);
	putf(l, ",\"action\":\"suppressed\",\"count\":%" PRIu64, log->suppressed);
	if (log->supp_nsys) {
		put(l, ",\"syscalls\":{", 13);
		for (unsigned i = 0; i < log->supp_nsys; i++) {
			if (i)
				put(l, ",", 1);
			put_cstr(l, log->supp_sys[i].name, sizeof log->supp_sys[i].name);
			putf(l, ":%" PRIu64, log->supp_sys[i].count);
		}
		put(l, "}", 1);
	}
	put(l, "}\n", 2);
}

/* ---- Output ---------------------------------------------------------------- */

/* One write(2) of the whole line: with O_APPEND the kernel places it at the
 * end of the file atomically, so concurrent writers (several supervisors, or
 * forked children) never interleave. Returns 0 or -errno. */
static int write_line(struct vxe_log *log, const struct line *l, bool blocked)
{
	ssize_t n;

	if (l->overflow)
		return -EOVERFLOW;
	do
		n = write(log->fd, l->buf, l->len);
	while (n < 0 && errno == EINTR);
	if (n < 0)
		return -errno;
	if ((size_t)n != l->len) {
		/* Disk full mid-line: end the fragment so the next record
		 * starts on a line of its own and stays parseable. */
		(void)!write(log->fd, "\n", 1);
		return -EIO;
	}
	if (log->syslog) {
		/* syslog adds its own framing; the record goes without "\n". */
		syslog(LOG_AUTHPRIV | (blocked ? LOG_WARNING : LOG_NOTICE), "%.*s",
		       (int)(l->len - 1), l->buf);
	}
	return 0;
}

static int flush_suppressed(struct vxe_log *log)
{
	struct line l;
	int r;

	if (!log->suppressed)
		return 0;
	line_init(&l, log->line);
	build_suppressed(&l, log);
	r = write_line(log, &l, false);
	if (r == 0) {
		log->suppressed = 0;
		log->supp_mixed = false;
		log->supp_vxed[0] = '\0';
		log->supp_nsys = 0;
	}
	return r;
}

/* Counts an event that is not written, remembering where it came from. */
static void count_suppressed(struct vxe_log *log, const char *vxed, const char *sys)
{
	char name[32];
	snprintf(name, sizeof name, "%s", sys ? sys : "?");
	unsigned i = 0;
	while (i < log->supp_nsys && strcmp(log->supp_sys[i].name, name) != 0)
		i++;
	if (i == log->supp_nsys) {
		if (i == SUPP_NAMES) {
			i = SUPP_NAMES; /* the "other" slot */
			snprintf(name, sizeof name, "other");
		}
		if (i == log->supp_nsys || strcmp(log->supp_sys[i].name, "other") != 0) {
			snprintf(log->supp_sys[i].name, sizeof log->supp_sys[i].name, "%s", name);
			log->supp_sys[i].count = 0;
			if (log->supp_nsys <= i)
				log->supp_nsys = i + 1;
		}
	}
	log->supp_sys[i].count++;
	if (log->suppressed == 0) {
		snprintf(log->supp_vxed, sizeof(log->supp_vxed), "%s", vxed ? vxed : "");
		log->supp_mixed = vxed == NULL;
	} else if (!log->supp_mixed &&
		   (!vxed || strncmp(log->supp_vxed, vxed, sizeof(log->supp_vxed) - 1) != 0)) {
		log->supp_mixed = true;
	}
	log->suppressed++;
}

static uint64_t monotonic_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * NSEC_PER_SEC + (uint64_t)ts.tv_nsec;
}

/* Token bucket: true if one more record may be written now. */
static bool bucket_take(struct vxe_log *log)
{
	uint64_t now = monotonic_ns();
	uint64_t elapsed = now - log->last_ns;

	log->last_ns = now;
	/* Past the time to refill completely, the bucket is just full; below
	 * it, elapsed * per_second <= capacity + per_second cannot overflow. */
	if (elapsed >= log->capacity / log->per_second + 1)
		log->tokens = log->capacity;
	else
		log->tokens += elapsed * log->per_second;
	if (log->tokens > log->capacity)
		log->tokens = log->capacity;
	if (log->tokens < NSEC_PER_SEC)
		return false;
	log->tokens -= NSEC_PER_SEC;
	return true;
}

int vxe_log_event(struct vxe_log *log, const struct vxe_event *ev)
{
	struct line l;
	int r;

	if (!log || !ev)
		return -EINVAL;
	pthread_mutex_lock(&log->lock);
	if (!bucket_take(log)) {
		count_suppressed(log, ev->vxed, ev->syscall);
		pthread_mutex_unlock(&log->lock);
		return 1;
	}
	/* The count goes first so a reader sees the gap before the record that
	 * ends it. The "suppressed" record itself costs no token: it is what
	 * makes the rate limit honest. */
	r = flush_suppressed(log);
	if (r == 0) {
		line_init(&l, log->line);
		build_event(&l, ev);
		r = write_line(log, &l, ev->action && strcmp(ev->action, "blocked") == 0);
	}
	/* An event we failed to write is counted too, so the next
	 * "suppressed" record still accounts for every event not in the file. */
	if (r < 0)
		count_suppressed(log, ev->vxed, ev->syscall);
	pthread_mutex_unlock(&log->lock);
	return r;
}

/* ---- Open and close ----------------------------------------------------- */

/* Creates the missing directories of path's parent, each 0700: the log
 * records what confined programs tried, which is for root's eyes only.
 * Existing directories are left as they are. Returns 0 or -errno. */
static int make_parents(const char *path)
{
	cleanup_free char *dir = strdup(path);
	char *slash;

	if (!dir)
		return -ENOMEM;
	slash = strrchr(dir, '/');
	if (!slash || slash == dir)
		return 0;
	*slash = '\0';
	for (char *p = dir + 1;; p++) {
		if (*p != '/' && *p != '\0')
			continue;
		char saved = *p;
		*p = '\0';
		if (mkdir(dir, 0700) < 0 && errno != EEXIST)
			return -errno;
		*p = saved;
		if (saved == '\0')
			break;
	}
	return 0;
}

/* Returns an fd open for appending, or -errno. */
static int open_target(const char *path)
{
	cleanup_fd int fd = -1;
	int r;

	if (strcmp(path, "-") == 0) {
		/* Our own duplicate, close-on-exec, so closing the log never
		 * closes the caller's stderr and exec never leaks it. */
		fd = fcntl(STDERR_FILENO, F_DUPFD_CLOEXEC, 3);
	} else {
		r = make_parents(path);
		if (r < 0)
			return r;
		/* O_NOFOLLOW: we usually run as root; a symlink planted at the
		 * log's path would make us append to any file on the system.
		 * O_NOCTTY: a terminal given as the path must not become ours. */
		fd = open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC | O_NOFOLLOW | O_NOCTTY,
			  0600);
	}
	if (fd < 0)
		return -errno;
	r = fd;
	fd = -1;
	return r;
}

struct vxe_log *vxe_log_open(const struct vxe_log_opts *opts)
{
	const char *path = opts && opts->path ? opts->path : VXE_LOG_DEFAULT;
	unsigned burst = opts && opts->burst ? opts->burst : DEFAULT_BURST;
	unsigned rate = opts && opts->per_second ? opts->per_second : DEFAULT_PER_SECOND;
	struct vxe_log *log;
	int fd;

	if (!*path) {
		errno = EINVAL;
		return NULL;
	}
	log = calloc(1, sizeof(*log));
	if (!log)
		return NULL;
	log->line = malloc(VXE_LOG_LINE_MAX);
	if (!log->line) {
		free(log);
		errno = ENOMEM;
		return NULL;
	}
	fd = open_target(path);
	if (fd < 0) {
		free(log->line);
		free(log);
		errno = -fd;
		return NULL;
	}
	pthread_mutex_init(&log->lock, NULL);
	log->fd = fd;
	log->capacity = (uint64_t)burst * NSEC_PER_SEC;
	log->tokens = log->capacity;
	log->per_second = rate;
	log->last_ns = monotonic_ns();
	log->syslog = opts && opts->syslog;
	if (log->syslog) {
		/* LOG_NDELAY connects now, before any confinement of our own;
		 * glibc opens /dev/log with SOCK_CLOEXEC. openlog's state is
		 * process-wide (libc's), shared by every log that asks for it. */
		openlog("vxe", LOG_PID | LOG_NDELAY, LOG_AUTHPRIV);
	}
	return log;
}

void vxe_log_close(struct vxe_log *log)
{
	if (!log)
		return;
	pthread_mutex_lock(&log->lock);
	/* Best effort: nowhere left to report a failure to write the count. */
	(void)flush_suppressed(log);
	pthread_mutex_unlock(&log->lock);
	if (log->syslog)
		closelog();
	close(log->fd);
	pthread_mutex_destroy(&log->lock);
	free(log->line);
	free(log);
}
