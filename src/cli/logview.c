/* vxe log: the violation log for a person (an aligned table) or a machine
 * (--json: the matching lines exactly as in the file), filtered, over the
 * rotated logs oldest first, and --follow like tail -F.
 *
 * Every string in a record may come from a confined program: the table
 * shows it escaped again (control characters, invalid UTF-8, bidirectional
 * overrides), so a file name cannot drive the terminal or disguise a line. */
#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <locale.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/inotify.h>
#include <sys/ioctl.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>
#include <wchar.h>

#include "cli/cli.h"
#include "util/termsafe.h"
#include "util/utf8.h"
#include "vxe/log.h"
#include "vxe/logread.h"
#include "vxe/syscalls.h"

#define EXIT_VXE    125
#define FOLLOW_TAIL 10 /* --follow without -n: the last 10 matches first, like tail */
#define BATCH	    256

static const char log_usage[] =
    "usage: vxe log [--file LOG] [--vxed NAME] [--since TIME] [--until TIME]\n"
    "               [--syscall NAME] [--action ACTION] [--program PATH|NAME]\n"
    "               [--json] [--follow] [-n N] [--utc] [--no-rotated]\n"
    "\n"
    "Shows the violation log as a table: time, VXED, pid, program, syscall,\n"
    "arguments (path first, flags by name), action. Rotated logs (LOG.N, and\n"
    "LOG.N.gz through gzip -dc) are read first, oldest first. Malformed lines\n"
    "are reported on standard error and skipped.\n"
    "\n"
    "  --file LOG        the log (default $VXE_LOG or " VXE_LOG_DEFAULT "); '-': stdin\n"
    "  --vxed NAME       only this VXED's records\n"
    "  --since TIME      records at or after TIME\n"
    "  --until TIME      records before TIME\n"
    "  --syscall NAME    only this system call\n"
    "  --action ACTION   blocked, logged, allowed, traced or suppressed\n"
    "  --program P       the program: a path (exactly) or a basename\n"
    "                    (each filter takes a comma-separated list: any may match)\n"
    "  --json            the matching records as JSON Lines, exactly as in the file\n"
    "  -f, --follow      then wait for new records, across rotation (Ctrl-C stops)\n"
    "  -n N              only the last N matches (--follow: 10 unless given)\n"
    "  --utc             times in UTC (default: local time)\n"
    "  --no-rotated      read LOG only, not LOG.1, LOG.2.gz, ...\n"
    "\n"
    "TIME: RFC 3339 (2026-12-03T16:00:00Z), a local date or time (2026-12-03,\n"
    "\"2026-12-03 16:00\"), or a span ago: 30s, 10m, 2h, 1d, 1w.\n"
    "See doc/log.md for the format of the log.\n";

/* ---- Strings for the terminal ----------------------------------------------- */

struct sbuf {
	char *s;
	size_t len, cap;
};

static void sb_put(struct sbuf *b, const char *s, size_t n)
{
	if (b->len + n + 1 > b->cap) {
		size_t ncap = b->cap ? b->cap : 64;
		while (ncap < b->len + n + 1)
			ncap *= 2;
		char *ns = realloc(b->s, ncap);
		if (!ns)
			vxe_die(NULL, "log: out of memory");
		b->s = ns;
		b->cap = ncap;
	}
	memcpy(b->s + b->len, s, n);
	b->len += n;
	b->s[b->len] = '\0';
}

static void sb_str(struct sbuf *b, const char *s)
{
	sb_put(b, s, strlen(s));
}

__attribute__((format(printf, 2, 3))) static void sb_printf(struct sbuf *b, const char *fmt, ...)
{
	char tmp[128];
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(tmp, sizeof tmp, fmt, ap);
	va_end(ap);
	if (n > 0)
		sb_put(b, tmp, (size_t)n < sizeof tmp ? (size_t)n : sizeof tmp - 1);
}

/* Appends the bytes s[0..len) so that they are safe and unambiguous on a
 * terminal: printable UTF-8 as is; backslash doubled; \n \t; other control
 * characters, C1 controls, bidirectional and invisible format characters
 * (vxe_termsafe_invisible) and bytes that are not UTF-8 as \xNN or \uNNNN. */
static void sb_escaped_q(struct sbuf *b, const char *s, size_t len, bool quoted)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t i = 0;

	while (i < len) {
		unsigned char c = p[i];
		size_t k;

		if (c == '\\' || (quoted && c == '"')) {
			sb_put(b, "\\", 1);
			sb_put(b, (const char *)p + i, 1);
			i++;
			continue;
		}
		if (c == '\n' || c == '\t') {
			sb_put(b, c == '\n' ? "\\n" : "\\t", 2);
			i++;
			continue;
		}
		if (c < 0x20 || c == 0x7f) {
			sb_printf(b, "\\x%02x", c);
			i++;
			continue;
		}
		if (c < 0x80) {
			sb_put(b, (const char *)p + i, 1);
			i++;
			continue;
		}
		k = vxe_utf8_len(p + i, len - i);
		if (k == 0) {
			sb_printf(b, "\\x%02x", c);
			i++;
			continue;
		}
		if (k == 2 && c == 0xc2 && p[i + 1] < 0xa0) {
			sb_printf(b, "\\u%04x", p[i + 1]); /* C1 control */
			i += 2;
			continue;
		}
		if (vxe_termsafe_invisible(vxe_termsafe_cp(p + i, k))) {
			/* Reorders or hides what follows: bidi marks, embeddings,
			 * overrides and isolates, zero-width characters, line and
			 * paragraph separators, BOM (util/termsafe.h). */
			sb_printf(b, "\\u%04x", vxe_termsafe_cp(p + i, k));
			i += k;
			continue;
		}
		sb_put(b, (const char *)p + i, k);
		i += k;
	}
}

static void sb_escaped(struct sbuf *b, const char *s, size_t len)
{
	sb_escaped_q(b, s, len, false);
}

/* The code point at p (escaped cells are valid UTF-8) and the columns it
 * takes: wcwidth under a UTF-8 locale (wide CJK and emoji take 2,
 * combining marks 0), else 1. Sets *adv to its length in bytes. */
static size_t cp_width(const char *p, size_t *adv)
{
	const unsigned char *u = (const unsigned char *)p;
	size_t n = vxe_utf8_len(u, strnlen(p, 4));
	wchar_t wc;
	int w;

	if (n == 0)
		n = 1;
	*adv = n;
	if (n == 1)
		return 1;
	wc = n == 2   ? (wchar_t)((u[0] & 0x1f) << 6 | (u[1] & 0x3f))
	     : n == 3 ? (wchar_t)((u[0] & 0x0f) << 12 | (u[1] & 0x3f) << 6 | (u[2] & 0x3f))
		      : (wchar_t)((u[0] & 0x07) << 18 | (u[1] & 0x3f) << 12 | (u[2] & 0x3f) << 6 |
				  (u[3] & 0x3f));
	w = wcwidth(wc);
	return w < 0 ? 1 : (size_t)w;
}

/* Columns a cell takes. */
static size_t dispw(const char *s)
{
	size_t w = 0, adv;

	while (*s) {
		w += cp_width(s, &adv);
		s += adv;
	}
	return w;
}

/* ---- Rows ----------------------------------------------------------------------- */

enum { C_TIME, C_VXED, C_PID, C_PROG, C_SYSCALL, C_ARGS, C_ACTION, NCOLS };
static const char *const col_head[NCOLS] = {"TIME",    "VXED",	    "PID",   "PROGRAM",
					    "SYSCALL", "ARGUMENTS", "ACTION"};

struct row {
	char *cell[NCOLS];
};

struct view {
	bool json, utc;
	struct row *rows;
	size_t nrows;
	size_t seen[NCOLS]; /* widest cell so far, per column */
	bool short_time;    /* a narrow terminal: times without the year */
	bool header_done;
};

static char *sb_take(struct sbuf *b)
{
	char *s = b->s ? b->s : strdup("");

	if (!s)
		vxe_die(NULL, "log: out of memory");
	b->s = NULL;
	b->len = b->cap = 0;
	return s;
}

static void fmt_time(struct sbuf *b, int64_t ms, bool utc)
{
	time_t t = (time_t)(ms >= 0 ? ms / 1000 : (ms - 999) / 1000);
	struct tm tm;
	char out[64];

	if (!(utc ? gmtime_r(&t, &tm) : localtime_r(&t, &tm)) ||
	    !strftime(out, sizeof out, "%Y-%m-%d %H:%M:%S", &tm)) {
		sb_str(b, "?");
		return;
	}
	sb_str(b, out);
	if (utc)
		sb_str(b, "Z");
}

static void fmt_value(struct sbuf *b, const struct vxe_logval *v)
{
	switch (v->kind) {
	case VXE_LOGVAL_INT:
		sb_printf(b, "%lld", (long long)v->i);
		break;
	case VXE_LOGVAL_STR:
		/* Quoted only where a bare value would be ambiguous. */
		if (v->str.len == 0 || memchr(v->str.s, ' ', v->str.len)) {
			sb_str(b, "\"");
			sb_escaped_q(b, v->str.s, v->str.len, true);
			sb_str(b, "\"");
		} else {
			sb_escaped(b, v->str.s, v->str.len);
		}
		break;
	case VXE_LOGVAL_BOOL:
		sb_str(b, v->b ? "true" : "false");
		break;
	case VXE_LOGVAL_NULL:
		sb_str(b, "null");
		break;
	case VXE_LOGVAL_NUM:
		sb_str(b, "(number)");
		break;
	case VXE_LOGVAL_OTHER:
		sb_str(b, "{...}");
		break;
	}
}

static bool name_ends(const struct vxe_logstr *n, const char *suffix)
{
	size_t l = strlen(suffix);
	return n->len >= l && memcmp(n->s + n->len - l, suffix, l) == 0;
}

/* What an argument is, from the syscall table, or guessed from its name for
 * a syscall this vxe does not know. */
static enum vxe_argtype arg_type(const struct vxe_syscall_info *info, const struct vxe_logarg *a)
{
	if (info) {
		int i = vxe_syscall_arg_index(info, a->name.s);
		if (i >= 0)
			return info->args[i].type;
	}
	if (name_ends(&a->name, "path") || name_ends(&a->name, "target") ||
	    name_ends(&a->name, "filename"))
		return VXE_ARG_PATH;
	if (name_ends(&a->name, "addr"))
		return VXE_ARG_SOCKADDR;
	if (strcmp(a->name.s, "flags") == 0 && a->val.kind == VXE_LOGVAL_STR)
		return VXE_ARG_OPENFLAGS;
	return VXE_ARG_NONE;
}

/* "path first, flags by name": paths and addresses bare, then open flags
 * bare, then name=value; AT_FDCWD, a zero mode and raw pointers left out. */
static void fmt_args(struct sbuf *b, const struct vxe_logrec *rec)
{
	const struct vxe_syscall_info *info =
	    rec->syscall.s && strlen(rec->syscall.s) == rec->syscall.len
		? vxe_syscall_by_name(rec->syscall.s)
		: NULL;
	bool first = true;

	for (int pass = 0; pass < 3; pass++) {
		for (unsigned i = 0; i < rec->nargs; i++) {
			const struct vxe_logarg *a = &rec->args[i];
			enum vxe_argtype t = arg_type(info, a);
			bool bare = t == VXE_ARG_PATH || t == VXE_ARG_SOCKADDR;
			const struct vxe_logstr *s = &a->val.str;

			if (pass == 0 && !bare)
				continue;
			if (pass == 1 && t != VXE_ARG_OPENFLAGS)
				continue;
			if (pass == 2) {
				if (bare || t == VXE_ARG_OPENFLAGS || t == VXE_ARG_PTR)
					continue;
				if (a->val.kind == VXE_LOGVAL_STR &&
				    ((t == VXE_ARG_DIRFD && s->len == 8 &&
				      memcmp(s->s, "AT_FDCWD", 8) == 0) ||
				     (t == VXE_ARG_MODE && s->len == 1 && s->s[0] == '0')))
					continue;
			}
			if (!first)
				sb_str(b, " ");
			first = false;
			if (pass == 2) {
				sb_escaped(b, a->name.s, a->name.len);
				sb_str(b, "=");
			}
			fmt_value(b, &a->val);
		}
	}
	if (rec->truncated)
		sb_str(b, first ? "(truncated)" : " (truncated)");
}

static void add_row(struct view *v, const struct vxe_logrec *rec)
{
	struct sbuf b = {0};
	struct row *r;

	if (v->nrows % BATCH == 0) {
		struct row *nr = realloc(v->rows, (v->nrows + BATCH) * sizeof(*nr));
		if (!nr)
			vxe_die(NULL, "log: out of memory");
		v->rows = nr;
	}
	r = &v->rows[v->nrows++];
	fmt_time(&b, rec->time_ms, v->utc);
	r->cell[C_TIME] = sb_take(&b);
	if (rec->vxed.s)
		sb_escaped(&b, rec->vxed.s, rec->vxed.len);
	else
		sb_str(&b, vxe_logrec_is_suppressed(rec) ? "(several)" : "-");
	r->cell[C_VXED] = sb_take(&b);
	if (vxe_logrec_is_suppressed(rec)) {
		r->cell[C_PID] = sb_take(&b);
		r->cell[C_PROG] = sb_take(&b);
		r->cell[C_SYSCALL] = sb_take(&b);
		sb_printf(&b, "%llu event%s not logged (rate limit)",
			  (unsigned long long)rec->count, rec->count == 1 ? "" : "s");
		for (unsigned i = 0; i < rec->nsyscalls; i++) {
			const struct vxe_logarg *a = &rec->syscalls[i];
			sb_str(&b, i ? ", " : ": ");
			sb_escaped(&b, a->name.s, a->name.len);
			sb_printf(&b, " %lld", (long long)a->val.i);
		}
		r->cell[C_ARGS] = sb_take(&b);
		sb_str(&b, "suppressed");
		r->cell[C_ACTION] = sb_take(&b);
		return;
	}
	if (rec->pid >= 0)
		sb_printf(&b, "%lld", (long long)rec->pid);
	else
		sb_str(&b, "-");
	r->cell[C_PID] = sb_take(&b);
	if (rec->exe.s) {
		const char *slash = memrchr(rec->exe.s, '/', rec->exe.len);
		const char *base = slash ? slash + 1 : rec->exe.s;
		sb_escaped(&b, base, rec->exe.len - (size_t)(base - rec->exe.s));
	} else {
		sb_str(&b, "-");
	}
	r->cell[C_PROG] = sb_take(&b);
	sb_escaped(&b, rec->syscall.s, rec->syscall.len);
	r->cell[C_SYSCALL] = sb_take(&b);
	fmt_args(&b, rec);
	r->cell[C_ARGS] = sb_take(&b);
	sb_escaped(&b, rec->action.s, rec->action.len);
	if (rec->errno_name.s) {
		sb_str(&b, " ");
		sb_escaped(&b, rec->errno_name.s, rec->errno_name.len);
	} else if (rec->errno_num) {
		sb_printf(&b, " errno %d", rec->errno_num);
	}
	r->cell[C_ACTION] = sb_take(&b);
}

/* The terminal's width if stdout is one, else 0 (no truncation). */
static size_t term_cols(void)
{
	struct winsize ws;

	if (!isatty(STDOUT_FILENO) || ioctl(STDOUT_FILENO, TIOCGWINSZ, &ws) < 0 || !ws.ws_col)
		return 0;
	return ws.ws_col;
}

/* A cell, cut to w columns with an ellipsis if truncate, then padded to
 * w + 2 (at least two spaces after a wider cell) unless it is the last. */
static void print_cell(const char *s, size_t w, bool truncate, bool last)
{
	size_t n = dispw(s);

	if (truncate && n > w) {
		const char *p = s;
		size_t used = 0, adv;
		if (w == 0)
			return;
		while (*p) {
			size_t cw = cp_width(p, &adv);
			if (used + cw > w - 1)
				break;
			used += cw;
			p += adv;
		}
		fwrite(s, 1, (size_t)(p - s), stdout);
		fputs("\u2026", stdout);
		n = used + 1;
	} else {
		fputs(s, stdout);
	}
	if (last)
		return;
	for (size_t pad = (n > w ? n : w) + 2; n < pad; n++)
		putchar(' ');
}

/* Prints the rows held so far, columns as wide as the widest cell seen (so
 * far: a stream cannot know the future), within the terminal if any. */
static void flush_rows(struct view *v)
{
	static const size_t cap_tty[NCOLS] = {32, 16, 8, 20, 20, 0, 24};
	size_t cols = term_cols(), w[NCOLS], used = 0;

	if (v->nrows == 0)
		return;
	for (int c = 0; c < NCOLS; c++) {
		if (v->seen[c] < strlen(col_head[c]))
			v->seen[c] = strlen(col_head[c]);
		for (size_t i = 0; i < v->nrows; i++) {
			size_t n = dispw(v->rows[i].cell[c]);
			if (n > v->seen[c])
				v->seen[c] = n;
		}
	}
	for (int c = 0; c < NCOLS; c++) {
		w[c] = v->seen[c];
		if (cols && cap_tty[c] && w[c] > cap_tty[c])
			w[c] = cap_tty[c];
		if (!cols && w[c] > (c == C_ARGS ? 60 : 40))
			w[c] = c == C_ARGS ? 60 : 40; /* padding only: nothing is cut */
		if (c != C_ARGS)
			used += w[c] + 2;
	}
	if (cols) {
		/* Too wide for the terminal: narrow the columns in this order
		 * (each to a floor), the arguments last of all; the year goes
		 * from the time before the arguments drop below 12. */
		static const struct {
			int col;
			size_t floor;
		} steps[] = {{C_ARGS, 24}, {C_PROG, 10}, {C_VXED, 8}, {C_SYSCALL, 8},
			     {C_TIME, 14}, {C_ARGS, 12}, {C_PROG, 6}, {C_VXED, 5}};
		size_t total = used + w[C_ARGS], limit = cols - 1; /* the last column unused */

		for (size_t k = 0; k < sizeof steps / sizeof steps[0] && total > limit; k++) {
			int c = steps[k].col;
			size_t cut;

			if (w[c] <= steps[k].floor)
				continue;
			cut = w[c] - steps[k].floor;
			if (c == C_TIME)
				cut = w[c] - 14; /* all or nothing: "12-03 16:54:42" */
			else if (cut > total - limit)
				cut = total - limit;
			w[c] -= cut;
			total -= cut;
		}
	}
	v->short_time = cols && w[C_TIME] == 14 && v->seen[C_TIME] >= 19;
	if (!v->header_done) {
		for (int c = 0; c < NCOLS; c++)
			print_cell(col_head[c], w[c], cols != 0, c == NCOLS - 1);
		putchar('\n');
		v->header_done = true;
	}
	for (size_t i = 0; i < v->nrows; i++) {
		for (int c = 0; c < NCOLS; c++) {
			const char *cell = v->rows[i].cell[c];
			if (c == C_TIME && v->short_time && strlen(cell) > 5)
				cell += 5; /* "2026-" */
			print_cell(cell, w[c], cols != 0, c == NCOLS - 1);
			free(v->rows[i].cell[c]);
		}
		putchar('\n');
	}
	v->nrows = 0;
}

static void emit(struct view *v, const char *line, size_t len, const struct vxe_logrec *rec)
{
	if (v->json) {
		/* Byte for byte: the line as the writer wrote it. */
		fwrite(line, 1, len, stdout);
		putchar('\n');
		return;
	}
	add_row(v, rec);
	if (v->nrows >= BATCH)
		flush_rows(v);
}

/* ---- The last N matches ------------------------------------------------------ */

struct ring {
	char **line;
	size_t *len;
	size_t cap, n, head; /* head: the oldest */
};

static void ring_push(struct ring *r, const char *line, size_t len)
{
	size_t at;
	char *copy;

	if (r->cap == 0)
		return;
	copy = malloc(len + 1);
	if (!copy)
		vxe_die(NULL, "log: out of memory");
	memcpy(copy, line, len);
	copy[len] = '\0';
	if (r->n < r->cap) {
		at = (r->head + r->n++) % r->cap;
	} else {
		at = r->head;
		free(r->line[at]);
		r->head = (r->head + 1) % r->cap;
	}
	r->line[at] = copy;
	r->len[at] = len;
}

static void ring_emit(struct ring *r, struct view *v)
{
	struct vxe_logrec rec = {0};
	char err[160];

	for (size_t i = 0; i < r->n; i++) {
		size_t at = (r->head + i) % r->cap;
		if (vxe_logrec_parse(r->line[at], r->len[at], &rec, err, sizeof err) == 0)
			emit(v, r->line[at], r->len[at], &rec);
		free(r->line[at]);
	}
	vxe_logrec_free(&rec);
	free(r->line);
	free(r->len);
	memset(r, 0, sizeof(*r));
}

/* ---- Following ------------------------------------------------------------------ */

static volatile sig_atomic_t stop_signal;

static void on_stop(int sig)
{
	stop_signal = sig;
}

/* A watch on the log's directory wakes us at once; without inotify (or on
 * a directory we cannot watch) the loop still polls once a second. */
static int watch_dir(const char *path)
{
	const char *slash = strrchr(path, '/');
	char *dir = slash ? strndup(path, slash == path ? 1 : (size_t)(slash - path)) : strdup(".");
	int fd = inotify_init1(IN_NONBLOCK | IN_CLOEXEC);

	if (fd >= 0 &&
	    (!dir || inotify_add_watch(fd, dir,
				       IN_MODIFY | IN_CREATE | IN_MOVED_TO | IN_MOVED_FROM |
					   IN_DELETE | IN_ATTRIB | IN_CLOSE_WRITE) < 0)) {
		close(fd);
		fd = -1;
	}
	free(dir);
	return fd;
}

static int follow(struct vxe_logreader *r, const struct vxe_logfilter *f, struct view *v,
		  const char *path)
{
	struct sigaction sa;
	sigset_t block, orig;
	struct vxe_logrec rec = {0};
	int ifd = watch_dir(path), status = 0;

	memset(&sa, 0, sizeof sa);
	sa.sa_handler = on_stop; /* no SA_RESTART: ppoll returns */
	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	sigemptyset(&block);
	sigaddset(&block, SIGINT);
	sigaddset(&block, SIGTERM);
	/* Blocked except inside ppoll, so a signal cannot slip in between the
	 * check and the wait. */
	sigprocmask(SIG_BLOCK, &block, &orig);
	while (!stop_signal) {
		const char *line;
		size_t len;
		struct pollfd pfd = {.fd = ifd, .events = POLLIN};
		struct timespec second = {1, 0};
		int rc, changed;

		/* Rotation and truncation first: reading on from our offset in
		 * a file that was truncated and written again would start in
		 * the middle of it. */
		changed = vxe_logreader_check_rotation(r);
		if (changed < 0)
			fprintf(stderr, "vxe: log: %s: %s\n", path, strerror(-changed));
		while ((rc = vxe_logreader_next(r, &rec, &line, &len)) > 0)
			if (vxe_logfilter_match(f, &rec))
				emit(v, line, len, &rec);
		flush_rows(v);
		fflush(stdout);
		if (rc < 0) {
			fprintf(stderr, "vxe: log: %s: %s\n", vxe_logreader_file(r), strerror(-rc));
			status = EXIT_VXE;
			break;
		}
		if (changed > 0)
			continue; /* look again before waiting */
		if (ppoll(ifd >= 0 ? &pfd : NULL, ifd >= 0 ? 1 : 0, &second, &orig) > 0) {
			char evbuf[4096];
			while (read(ifd, evbuf, sizeof evbuf) > 0)
				;
		}
	}
	vxe_logrec_free(&rec);
	if (ifd >= 0)
		close(ifd);
	sigprocmask(SIG_SETMASK, &orig, NULL);
	return status;
}

/* ---- The command ------------------------------------------------------------------ */

static int64_t now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static int64_t parse_time_opt(const char *opt, const char *arg, int64_t now)
{
	int64_t ms;

	if (vxe_log_parse_when(arg, now, &ms) < 0)
		vxe_die("TIME is RFC 3339 (2026-12-03T16:00:00Z), a date (2026-12-03), or a span "
			"ago (10m, 2h, 1d)",
			"log: %s: cannot read the time '%s'", opt, arg);
	return ms;
}

/* --action takes the words the log writes, comma-separated: a typo would
 * otherwise match nothing and look like an empty log. */
static void check_actions(const char *list)
{
	static const char *const known[] = {"traced", "allowed", "logged", "blocked", "suppressed"};
	for (const char *p = list; *p;) {
		size_t n = strcspn(p, ",");
		bool ok = false;
		for (size_t i = 0; i < sizeof known / sizeof known[0]; i++)
			ok |= strlen(known[i]) == n && strncmp(p, known[i], n) == 0;
		if (!ok)
			vxe_die("actions are traced, allowed, logged, blocked and suppressed",
				"log: --action: unknown action '%.*s'", (int)n, p);
		p += n + (p[n] == ',');
	}
}

int vxe_cmd_log(int argc, char **argv)
{
	enum {
		O_FILE = 256,
		O_VXED,
		O_SINCE,
		O_UNTIL,
		O_SYSCALL,
		O_ACTION,
		O_PROGRAM,
		O_JSON,
		O_UTC,
		O_NOROT
	};
	static const struct option opts[] = {
	    {"file", required_argument, NULL, O_FILE},
	    {"vxed", required_argument, NULL, O_VXED},
	    {"since", required_argument, NULL, O_SINCE},
	    {"until", required_argument, NULL, O_UNTIL},
	    {"syscall", required_argument, NULL, O_SYSCALL},
	    {"action", required_argument, NULL, O_ACTION},
	    {"program", required_argument, NULL, O_PROGRAM},
	    {"json", no_argument, NULL, O_JSON},
	    {"utc", no_argument, NULL, O_UTC},
	    {"no-rotated", no_argument, NULL, O_NOROT},
	    {"follow", no_argument, NULL, 'f'},
	    {"help", no_argument, NULL, 'h'},
	    {NULL, 0, NULL, 0},
	};
	struct vxe_logfilter filter;
	struct vxe_logreader_opts ro = {.rotated = true, .diag = stderr};
	struct view view = {0};
	struct ring ring = {0};
	struct vxe_logrec rec = {0};
	struct vxe_logreader *r;
	const char *path = getenv("VXE_LOG"), *line;
	int64_t now = now_ms();
	long last = -1;
	bool follow_opt = false;
	size_t len;
	int c, rc, status = 0;

	/* Only for wcwidth: column widths of what the table shows. */
	if (!setlocale(LC_CTYPE, "C.UTF-8"))
		setlocale(LC_CTYPE, "");
	vxe_logfilter_init(&filter);
	while ((c = getopt_long(argc, argv, "fn:h", opts, NULL)) != -1) {
		switch (c) {
		case O_FILE:
			path = optarg;
			break;
		case O_VXED:
			filter.vxed = optarg;
			break;
		case O_SINCE:
			filter.since_ms = parse_time_opt("--since", optarg, now);
			break;
		case O_UNTIL:
			filter.until_ms = parse_time_opt("--until", optarg, now);
			break;
		case O_SYSCALL:
			filter.syscall = optarg;
			break;
		case O_ACTION:
			check_actions(optarg);
			filter.action = optarg;
			break;
		case O_PROGRAM:
			filter.program = optarg;
			break;
		case O_JSON:
			view.json = true;
			break;
		case O_UTC:
			view.utc = true;
			break;
		case O_NOROT:
			ro.rotated = false;
			break;
		case 'f':
			follow_opt = true;
			break;
		case 'n': {
			char *end;
			errno = 0;
			last = strtol(optarg, &end, 10);
			if (errno || *end || end == optarg || last < 0 || last > INT_MAX / 2)
				vxe_die(NULL, "log: -n: a count of records, not '%s'", optarg);
			break;
		}
		case 'h':
			fputs(log_usage, stdout);
			return 0;
		default:
			fputs(log_usage, stderr);
			return EXIT_VXE;
		}
	}
	if (optind < argc)
		vxe_die("vxe log --file LOG", "log: unexpected argument '%s'", argv[optind]);
	if (!path || !*path)
		path = VXE_LOG_DEFAULT;
	if (follow_opt && strcmp(path, "-") == 0)
		vxe_die(NULL, "log: --follow needs a file, not standard input");
	if (follow_opt && last < 0)
		last = FOLLOW_TAIL;
	ro.path = path;
	ro.follow = follow_opt;
	r = vxe_logreader_open(&ro);
	if (!r)
		vxe_die(errno == ENOENT || errno == EACCES ? "give --file LOG, or set $VXE_LOG"
							   : NULL,
			"log: cannot read %s: %s", path, strerror(errno));
	if (last >= 0) {
		ring.cap = (size_t)last;
		ring.line = calloc(ring.cap ? ring.cap : 1, sizeof(char *));
		ring.len = calloc(ring.cap ? ring.cap : 1, sizeof(size_t));
		if (!ring.line || !ring.len)
			vxe_die(NULL, "log: out of memory");
	}
	while ((rc = vxe_logreader_next(r, &rec, &line, &len)) > 0) {
		if (!vxe_logfilter_match(&filter, &rec))
			continue;
		if (last >= 0)
			ring_push(&ring, line, len);
		else
			emit(&view, line, len, &rec);
	}
	vxe_logrec_free(&rec);
	if (last >= 0)
		ring_emit(&ring, &view);
	flush_rows(&view);
	fflush(stdout);
	if (rc < 0) {
		fprintf(stderr, "vxe: log: %s: %s\n", vxe_logreader_file(r), strerror(-rc));
		status = EXIT_VXE;
	} else if (follow_opt) {
		status = follow(r, &filter, &view, path);
	}
	vxe_logreader_summary(r);
	vxe_logreader_close(r);
	free(view.rows);
	if (fflush(stdout) == EOF || ferror(stdout)) {
		if (errno != EPIPE)
			fprintf(stderr, "vxe: log: standard output: %s\n", strerror(errno));
		return EXIT_VXE;
	}
	return status;
}
