/* Reading the violation log: a strict, bounded JSON parser for one v1
 * record, a reader over a log and its rotations, filters and times
 * (vxe/logread.h).
 *
 * Security notes:
 *  - Every byte of a record may come from a confined program (paths, exe
 *    names), and a log file may be damaged or forged. The parser is strict
 *    (RFC 8259 grammar, valid UTF-8, no raw control characters), bounded
 *    (line length, nesting depth, number of arguments) and refuses duplicate
 *    known keys, so a line cannot mean one thing to us and another to a
 *    different JSON parser that keeps the first or the last duplicate.
 *  - Strings decode to the original bytes: \uDC80..\uDCFF (surrogateescape)
 *    becomes the byte 0x80..0xFF, \u0000 a NUL (kept, with a length). Callers
 *    that print must escape again; nothing here prints a decoded string.
 *  - A malformed line is reported and skipped, never fatal: one bad line
 *    must not hide the records after it.
 *  - gzip'ed rotations are decompressed by `gzip -dc` in a child process
 *    (no zlib dependency); the child gets only the file on its stdin and a
 *    pipe on its stdout, all our descriptors being close-on-exec.
 */
#include "vxe/logread.h"
#include "util/utf8.h"
#include "vxe/log.h"

#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <spawn.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

extern char **environ;

/* ---- JSON ------------------------------------------------------------------- */

struct jp {
	const unsigned char *start, *p, *end;
	const char *err; /* first syntax error (static text) */
	size_t errpos;
	int depth;
	bool nomem;
};

static int jfail(struct jp *j, const char *why)
{
	if (!j->err) {
		j->err = why;
		j->errpos = (size_t)(j->p - j->start);
	}
	return -1;
}

static void jws(struct jp *j)
{
	while (j->p < j->end && (*j->p == ' ' || *j->p == '\t' || *j->p == '\n' || *j->p == '\r'))
		j->p++;
}

static int hexval(unsigned char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/* Reads the 4 hex digits after "\u" at j->p (which points at 'u'). */
static int read_u4(struct jp *j, unsigned *cp)
{
	unsigned v = 0;

	if (j->end - j->p < 5)
		return jfail(j, "truncated \\u escape");
	for (int i = 1; i <= 4; i++) {
		int h = hexval(j->p[i]);
		if (h < 0)
			return jfail(j, "bad \\u escape");
		v = v << 4 | (unsigned)h;
	}
	j->p += 5;
	*cp = v;
	return 0;
}

static size_t put_utf8(unsigned char *o, unsigned cp)
{
	if (cp < 0x80) {
		o[0] = (unsigned char)cp;
		return 1;
	}
	if (cp < 0x800) {
		o[0] = (unsigned char)(0xc0 | cp >> 6);
		o[1] = (unsigned char)(0x80 | (cp & 0x3f));
		return 2;
	}
	if (cp < 0x10000) {
		o[0] = (unsigned char)(0xe0 | cp >> 12);
		o[1] = (unsigned char)(0x80 | (cp >> 6 & 0x3f));
		o[2] = (unsigned char)(0x80 | (cp & 0x3f));
		return 3;
	}
	o[0] = (unsigned char)(0xf0 | cp >> 18);
	o[1] = (unsigned char)(0x80 | (cp >> 12 & 0x3f));
	o[2] = (unsigned char)(0x80 | (cp >> 6 & 0x3f));
	o[3] = (unsigned char)(0x80 | (cp & 0x3f));
	return 4;
}

/* Parses a string at j->p ('"'). With out, decodes into a new allocation
 * (never longer than the escaped text); without, only validates. */
static int jstring(struct jp *j, struct vxe_logstr *out)
{
	const unsigned char *q;
	unsigned char *buf = NULL;
	size_t n = 0;

	if (j->p >= j->end || *j->p != '"')
		return jfail(j, "expected a string");
	j->p++;
	/* The closing quote bounds the allocation. */
	for (q = j->p; q < j->end && *q != '"'; q++)
		if (*q == '\\')
			q++;
	if (q >= j->end) {
		j->p--; /* point at the opening quote */
		return jfail(j, "unterminated string");
	}
	if (out) {
		buf = malloc((size_t)(q - j->p) + 1);
		if (!buf) {
			j->nomem = true;
			return jfail(j, "out of memory");
		}
	}
	for (;;) {
		unsigned char c;
		unsigned char tmp[4];
		size_t k;

		if (j->p >= j->end) {
			jfail(j, "unterminated string");
			goto bad;
		}
		c = *j->p;
		if (c == '"') {
			j->p++;
			break;
		}
		if (c < 0x20) {
			jfail(j, "raw control character in a string");
			goto bad;
		}
		if (c >= 0x80) {
			k = vxe_utf8_len(j->p, (size_t)(j->end - j->p));
			if (k == 0) {
				jfail(j, "invalid UTF-8");
				goto bad;
			}
			if (buf)
				memcpy(buf + n, j->p, k);
			n += k;
			j->p += k;
			continue;
		}
		if (c != '\\') {
			if (buf)
				buf[n] = c;
			n++;
			j->p++;
			continue;
		}
		j->p++;
		if (j->p >= j->end) {
			jfail(j, "unterminated string");
			goto bad;
		}
		c = *j->p;
		k = 1;
		switch (c) {
		case '"':
		case '\\':
		case '/':
			tmp[0] = c;
			break;
		case 'b':
			tmp[0] = '\b';
			break;
		case 'f':
			tmp[0] = '\f';
			break;
		case 'n':
			tmp[0] = '\n';
			break;
		case 'r':
			tmp[0] = '\r';
			break;
		case 't':
			tmp[0] = '\t';
			break;
		case 'u': {
			unsigned cp, lo;

			if (read_u4(j, &cp) < 0)
				goto bad;
			if (cp >= 0xd800 && cp <= 0xdbff) {
				/* A pair, as JSON encodes characters above U+FFFF. */
				if (j->end - j->p < 2 || j->p[0] != '\\' || j->p[1] != 'u') {
					jfail(j, "lone high surrogate");
					goto bad;
				}
				j->p++;
				if (read_u4(j, &lo) < 0)
					goto bad;
				if (lo < 0xdc00 || lo > 0xdfff) {
					jfail(j, "lone high surrogate");
					goto bad;
				}
				cp = 0x10000 + ((cp - 0xd800) << 10) + (lo - 0xdc00);
				k = put_utf8(tmp, cp);
			} else if (cp >= 0xdc00 && cp <= 0xdfff) {
				/* surrogateescape: U+DC80..U+DCFF stands for the
				 * byte that was not valid UTF-8. */
				if (cp < 0xdc80 || cp > 0xdcff) {
					jfail(j, "lone low surrogate");
					goto bad;
				}
				tmp[0] = (unsigned char)(cp & 0xff);
			} else {
				k = put_utf8(tmp, cp);
			}
			if (buf)
				memcpy(buf + n, tmp, k);
			n += k;
			continue; /* read_u4 advanced past the digits */
		}
		default:
			jfail(j, "bad escape");
			goto bad;
		}
		if (buf)
			buf[n] = tmp[0];
		n++;
		j->p++;
	}
	if (out) {
		buf[n] = '\0';
		out->s = (char *)buf;
		out->len = n;
	}
	return 0;
bad:
	free(buf);
	return -1;
}

static int jlit(struct jp *j, const char *word)
{
	size_t n = strlen(word);

	if ((size_t)(j->end - j->p) < n || memcmp(j->p, word, n) != 0)
		return jfail(j, "unexpected character");
	j->p += n;
	return 0;
}

static int jnumber(struct jp *j, struct vxe_logval *out)
{
	bool neg = false, integral = true, overflow = false;
	uint64_t mag = 0;

	if (j->p < j->end && *j->p == '-') {
		neg = true;
		j->p++;
	}
	if (j->p >= j->end || !isdigit(*j->p))
		return jfail(j, "bad number");
	if (*j->p == '0') {
		j->p++;
		if (j->p < j->end && isdigit(*j->p))
			return jfail(j, "leading zero in a number");
	} else {
		while (j->p < j->end && isdigit(*j->p)) {
			unsigned d = (unsigned)(*j->p - '0');
			if (mag > (UINT64_MAX - d) / 10)
				overflow = true;
			else
				mag = mag * 10 + d;
			j->p++;
		}
	}
	if (j->p < j->end && *j->p == '.') {
		integral = false;
		j->p++;
		if (j->p >= j->end || !isdigit(*j->p))
			return jfail(j, "bad number");
		while (j->p < j->end && isdigit(*j->p))
			j->p++;
	}
	if (j->p < j->end && (*j->p == 'e' || *j->p == 'E')) {
		integral = false;
		j->p++;
		if (j->p < j->end && (*j->p == '+' || *j->p == '-'))
			j->p++;
		if (j->p >= j->end || !isdigit(*j->p))
			return jfail(j, "bad number");
		while (j->p < j->end && isdigit(*j->p))
			j->p++;
	}
	if (!out)
		return 0;
	if (!integral || overflow || mag > (uint64_t)INT64_MAX + (neg ? 1 : 0)) {
		out->kind = VXE_LOGVAL_NUM;
		return 0;
	}
	out->kind = VXE_LOGVAL_INT;
	if (neg)
		out->i = mag == (uint64_t)INT64_MAX + 1 ? INT64_MIN : -(int64_t)mag;
	else
		out->i = (int64_t)mag;
	return 0;
}

static int jvalue(struct jp *j, struct vxe_logval *out);

/* An object or array whose content nobody reads: validated, not kept. */
static int jcontainer(struct jp *j)
{
	unsigned char close = *j->p == '{' ? '}' : ']';
	bool obj = close == '}';

	if (++j->depth > VXE_LOGREAD_DEPTH_MAX)
		return jfail(j, "nested too deep");
	j->p++;
	jws(j);
	if (j->p < j->end && *j->p == close) {
		j->p++;
		j->depth--;
		return 0;
	}
	for (;;) {
		jws(j);
		if (obj) {
			if (jstring(j, NULL) < 0)
				return -1;
			jws(j);
			if (j->p >= j->end || *j->p != ':')
				return jfail(j, "expected ':'");
			j->p++;
			jws(j);
		}
		if (jvalue(j, NULL) < 0)
			return -1;
		jws(j);
		if (j->p < j->end && *j->p == ',') {
			j->p++;
			continue;
		}
		if (j->p < j->end && *j->p == close) {
			j->p++;
			j->depth--;
			return 0;
		}
		return jfail(j, j->p >= j->end ? "truncated" : "expected ',' or a closing bracket");
	}
}

/* Any value; out (optional) gets scalars, OTHER for containers. */
static int jvalue(struct jp *j, struct vxe_logval *out)
{
	struct vxe_logval dummy;

	if (!out)
		out = &dummy;
	memset(out, 0, sizeof(*out));
	if (j->p >= j->end)
		return jfail(j, "truncated");
	switch (*j->p) {
	case '{':
	case '[':
		out->kind = VXE_LOGVAL_OTHER;
		return jcontainer(j);
	case '"':
		out->kind = VXE_LOGVAL_STR;
		return jstring(j, out == &dummy ? NULL : &out->str);
	case 't':
		out->kind = VXE_LOGVAL_BOOL;
		out->b = true;
		return jlit(j, "true");
	case 'f':
		out->kind = VXE_LOGVAL_BOOL;
		return jlit(j, "false");
	case 'n':
		out->kind = VXE_LOGVAL_NULL;
		return jlit(j, "null");
	default:
		if (*j->p == '-' || isdigit(*j->p))
			return jnumber(j, out);
		return jfail(j, "unexpected character");
	}
}

static void str_free(struct vxe_logstr *s)
{
	free(s->s);
	s->s = NULL;
	s->len = 0;
}

void vxe_logrec_free(struct vxe_logrec *rec)
{
	if (!rec)
		return;
	str_free(&rec->time);
	str_free(&rec->vxed);
	str_free(&rec->mode);
	str_free(&rec->action);
	str_free(&rec->exe);
	str_free(&rec->syscall);
	str_free(&rec->arch);
	str_free(&rec->rule);
	str_free(&rec->errno_name);
	for (unsigned i = 0; i < rec->nargs; i++) {
		str_free(&rec->args[i].name);
		str_free(&rec->args[i].val.str);
	}
	free(rec->args);
	for (unsigned i = 0; i < rec->nsyscalls; i++) {
		str_free(&rec->syscalls[i].name);
		str_free(&rec->syscalls[i].val.str);
	}
	free(rec->syscalls);
	memset(rec, 0, sizeof(*rec));
}

static bool streq(const struct vxe_logstr *s, const char *c)
{
	return s->s && s->len == strlen(c) && memcmp(s->s, c, s->len) == 0;
}

/* An object of named values into (*arr, *n): "args", "syscalls". Returns
 * 0, 1 if the value is not an object (nothing consumed), -1 on error. */
static int jmembers(struct jp *j, struct vxe_logarg **arr, unsigned *nmemb)
{
	size_t cap = 0;

	if (j->p >= j->end || *j->p != '{')
		return 1; /* not an object: the caller reports the type */
	j->p++;
	jws(j);
	if (j->p < j->end && *j->p == '}') {
		j->p++;
		return 0;
	}
	for (;;) {
		struct vxe_logarg a;

		memset(&a, 0, sizeof(a));
		jws(j);
		if (*nmemb >= VXE_LOGREAD_ARGS_MAX)
			return jfail(j, "too many members in an object");
		if (jstring(j, &a.name) < 0)
			return -1;
		for (unsigned i = 0; i < *nmemb; i++) {
			if ((*arr)[i].name.len == a.name.len &&
			    memcmp((*arr)[i].name.s, a.name.s, a.name.len) == 0) {
				str_free(&a.name);
				return jfail(j, "duplicate name in an object");
			}
		}
		jws(j);
		if (j->p >= j->end || *j->p != ':') {
			str_free(&a.name);
			return jfail(j, "expected ':'");
		}
		j->p++;
		jws(j);
		j->depth++;
		if (jvalue(j, &a.val) < 0) {
			str_free(&a.name);
			str_free(&a.val.str);
			return -1;
		}
		j->depth--;
		if (*nmemb == cap) {
			size_t ncap = cap ? cap * 2 : 8;
			struct vxe_logarg *na = realloc(*arr, ncap * sizeof(*na));
			if (!na) {
				str_free(&a.name);
				str_free(&a.val.str);
				j->nomem = true;
				return jfail(j, "out of memory");
			}
			*arr = na;
			cap = ncap;
		}
		(*arr)[(*nmemb)++] = a;
		jws(j);
		if (j->p < j->end && *j->p == ',') {
			j->p++;
			continue;
		}
		if (j->p < j->end && *j->p == '}') {
			j->p++;
			return 0;
		}
		return jfail(j, j->p >= j->end ? "truncated" : "expected ',' or '}'");
	}
}

enum {
	K_V,
	K_TIME,
	K_VXED,
	K_MODE,
	K_ACTION,
	K_PID,
	K_EXE,
	K_SYSCALL,
	K_ARCH,
	K_ARGS,
	K_RULE,
	K_ERRNO,
	K_COUNT,
	K_TRUNCATED,
	K_SYSCALLS,
	K_NKEYS
};

static const char *const key_names[K_NKEYS] = {
    [K_V] = "v",	 [K_TIME] = "time",	      [K_VXED] = "vxed",
    [K_MODE] = "mode",	 [K_ACTION] = "action",	      [K_PID] = "pid",
    [K_EXE] = "exe",	 [K_SYSCALL] = "syscall",     [K_ARCH] = "arch",
    [K_ARGS] = "args",	 [K_RULE] = "rule",	      [K_ERRNO] = "errno",
    [K_COUNT] = "count", [K_TRUNCATED] = "truncated", [K_SYSCALLS] = "syscalls",
};

/* Stores a parsed value in the field for key k. Returns false if the v1
 * format does not allow that type there (reported after the version check). */
static bool store(struct vxe_logrec *rec, int k, struct vxe_logval *val)
{
	struct vxe_logstr *dst = NULL;
	bool nullable = false;

	switch (k) {
	case K_V:
	case K_PID:
	case K_COUNT:
		if (val->kind != VXE_LOGVAL_INT || (k != K_V && val->i < 0))
			return false;
		if (k == K_V)
			rec->v = val->i;
		else if (k == K_PID)
			rec->pid = val->i;
		else
			rec->count = (uint64_t)val->i;
		return true;
	case K_TRUNCATED:
		if (val->kind != VXE_LOGVAL_BOOL)
			return false;
		rec->truncated = val->b;
		return true;
	case K_ERRNO:
		if (val->kind == VXE_LOGVAL_INT && val->i > 0 && val->i <= INT_MAX) {
			rec->errno_num = (int)val->i;
			return true;
		}
		dst = &rec->errno_name;
		break;
	case K_TIME:
		dst = &rec->time;
		break;
	case K_ACTION:
		dst = &rec->action;
		break;
	case K_SYSCALL:
		dst = &rec->syscall;
		break;
	case K_VXED:
		dst = &rec->vxed, nullable = true;
		break;
	case K_MODE:
		dst = &rec->mode, nullable = true;
		break;
	case K_EXE:
		dst = &rec->exe, nullable = true;
		break;
	case K_ARCH:
		dst = &rec->arch, nullable = true;
		break;
	case K_RULE:
		dst = &rec->rule, nullable = true;
		break;
	default:
		return true;
	}
	if (val->kind == VXE_LOGVAL_STR) {
		*dst = val->str;
		val->str.s = NULL;
		val->str.len = 0;
		return true;
	}
	return nullable && val->kind == VXE_LOGVAL_NULL;
}

static int key_index(const struct vxe_logstr *k)
{
	for (int i = 0; i < K_NKEYS; i++)
		if (key_names[i] && streq(k, key_names[i]))
			return i;
	return -1;
}

int vxe_logrec_parse(const char *line, size_t len, struct vxe_logrec *rec, char *err,
		     size_t errsize)
{
	struct jp j = {.start = (const unsigned char *)line,
		       .p = (const unsigned char *)line,
		       .end = (const unsigned char *)line + len};
	int why = -1; /* the first key of the wrong type, reported after the version */
	unsigned seen = 0;
	int r = -EINVAL;

	vxe_logrec_free(rec);
	rec->pid = -1;
	if (errsize)
		err[0] = '\0';
	if (len > VXE_LOGREAD_LINE_MAX) {
		snprintf(err, errsize, "line longer than %u bytes", VXE_LOGREAD_LINE_MAX);
		goto out;
	}
	jws(&j);
	if (j.p >= j.end) {
		snprintf(err, errsize, "empty line");
		goto out;
	}
	if (*j.p != '{') {
		jfail(&j, "not a JSON object");
		goto syntax;
	}
	j.p++;
	j.depth = 1;
	jws(&j);
	if (j.p < j.end && *j.p == '}') {
		j.p++;
	} else {
		for (;;) {
			struct vxe_logstr key = {0};
			struct vxe_logval val;
			int k;

			jws(&j);
			if (jstring(&j, &key) < 0)
				goto syntax;
			k = key_index(&key);
			str_free(&key);
			if (k >= 0 && (seen & 1u << k)) {
				jfail(&j, "duplicate key");
				goto syntax;
			}
			jws(&j);
			if (j.p >= j.end || *j.p != ':') {
				jfail(&j, j.p >= j.end ? "truncated" : "expected ':'");
				goto syntax;
			}
			j.p++;
			jws(&j);
			if (k == K_ARGS || k == K_SYSCALLS) {
				int a = k == K_ARGS ? jmembers(&j, &rec->args, &rec->nargs)
						    : jmembers(&j, &rec->syscalls, &rec->nsyscalls);
				if (a < 0)
					goto syntax;
				if (a > 0) {
					if (jvalue(&j, NULL) < 0)
						goto syntax;
					if (why < 0)
						why = k;
				}
				/* "syscalls" counts: non-negative integers. */
				for (unsigned i = 0; k == K_SYSCALLS && i < rec->nsyscalls; i++)
					if ((rec->syscalls[i].val.kind != VXE_LOGVAL_INT ||
					     rec->syscalls[i].val.i < 0) &&
					    why < 0)
						why = k;
			} else {
				memset(&val, 0, sizeof(val));
				if (jvalue(&j, k >= 0 ? &val : NULL) < 0) {
					str_free(&val.str);
					goto syntax;
				}
				if (k >= 0 && !store(rec, k, &val) && why < 0)
					why = k;
				str_free(&val.str);
			}
			if (k >= 0)
				seen |= 1u << k;
			jws(&j);
			if (j.p < j.end && *j.p == ',') {
				j.p++;
				continue;
			}
			if (j.p < j.end && *j.p == '}') {
				j.p++;
				break;
			}
			jfail(&j, j.p >= j.end ? "truncated" : "expected ',' or '}'");
			goto syntax;
		}
	}
	jws(&j);
	if (j.p != j.end) {
		jfail(&j, "text after the record");
		goto syntax;
	}
	/* Syntax is fine: the version decides whether the rest means anything. */
	if (!(seen & 1u << K_V)) {
		snprintf(err, errsize, "no \"v\" (not a vxe log record)");
		goto out;
	}
	if (why == K_V) {
		snprintf(err, errsize, "\"v\" is not an integer");
		goto out;
	}
	if (rec->v != VXE_LOG_VERSION) {
		snprintf(err, errsize, "format version %lld (this vxe reads %d)", (long long)rec->v,
			 VXE_LOG_VERSION);
		r = -EPROTONOSUPPORT;
		goto out;
	}
	if (why >= 0) {
		snprintf(err, errsize, "\"%s\" has the wrong type", key_names[why]);
		goto out;
	}
	if (!rec->time.s || vxe_log_parse_rfc3339(rec->time.s, rec->time.len, &rec->time_ms) < 0) {
		snprintf(err, errsize, rec->time.s ? "bad \"time\"" : "no \"time\"");
		goto out;
	}
	if (!rec->action.s) {
		snprintf(err, errsize, "no \"action\"");
		goto out;
	}
	if (vxe_logrec_is_suppressed(rec)) {
		if (!(seen & 1u << K_COUNT)) {
			snprintf(err, errsize, "\"suppressed\" without \"count\"");
			goto out;
		}
	} else if (!rec->syscall.s) {
		snprintf(err, errsize, "no \"syscall\"");
		goto out;
	}
	return 0;
syntax:
	if (j.nomem) {
		r = -ENOMEM;
		snprintf(err, errsize, "out of memory");
	} else {
		snprintf(err, errsize, "%s at column %zu", j.err ? j.err : "bad JSON",
			 j.errpos + 1);
	}
out:
	vxe_logrec_free(rec);
	return r;
}

bool vxe_logrec_is_suppressed(const struct vxe_logrec *rec)
{
	return streq(&rec->action, "suppressed");
}

const struct vxe_logarg *vxe_logrec_arg(const struct vxe_logrec *rec, const char *name)
{
	for (unsigned i = 0; i < rec->nargs; i++)
		if (streq(&rec->args[i].name, name))
			return &rec->args[i];
	return NULL;
}

/* ---- Times ------------------------------------------------------------------ */

/* Days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant). */
static int64_t days_from_civil(int64_t y, unsigned m, unsigned d)
{
	y -= m <= 2;
	int64_t era = (y >= 0 ? y : y - 399) / 400;
	unsigned yoe = (unsigned)(y - era * 400);
	unsigned doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1;
	unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097 + (int64_t)doe - 719468;
}

static bool leap(int y)
{
	return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

static int mdays(int y, int m)
{
	static const int d[12] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
	return m == 2 && leap(y) ? 29 : d[m - 1];
}

/* n digits at *p into *v; advances. */
static bool digits(const char **p, const char *end, int n, int *v)
{
	int x = 0;

	if (end - *p < n)
		return false;
	for (int i = 0; i < n; i++) {
		if (!isdigit((unsigned char)(*p)[i]))
			return false;
		x = x * 10 + ((*p)[i] - '0');
	}
	*p += n;
	*v = x;
	return true;
}

static bool lit(const char **p, const char *end, char c)
{
	if (*p < end && **p == c) {
		(*p)++;
		return true;
	}
	return false;
}

struct civil {
	int y, mo, d, h, mi, s, ms;
};

/* "YYYY-MM-DD" then optionally [T t space]"HH:MM"[":SS"[".fff"]]. Returns
 * how many parts were read: 1 (date), 2 (date and time), 0 on error. */
static int parse_civil(const char **p, const char *end, struct civil *c, bool need_seconds)
{
	memset(c, 0, sizeof(*c));
	if (!digits(p, end, 4, &c->y) || !lit(p, end, '-') || !digits(p, end, 2, &c->mo) ||
	    !lit(p, end, '-') || !digits(p, end, 2, &c->d))
		return 0;
	if (c->mo < 1 || c->mo > 12 || c->d < 1 || c->d > mdays(c->y, c->mo))
		return 0;
	if (*p == end)
		return 1;
	if (!lit(p, end, 'T') && !lit(p, end, 't') && !lit(p, end, ' '))
		return 0;
	if (!digits(p, end, 2, &c->h) || !lit(p, end, ':') || !digits(p, end, 2, &c->mi))
		return 0;
	if (lit(p, end, ':')) {
		if (!digits(p, end, 2, &c->s))
			return 0;
		if (lit(p, end, '.')) {
			int n = 0;
			if (*p >= end || !isdigit((unsigned char)**p))
				return 0;
			while (*p < end && isdigit((unsigned char)**p)) {
				if (n < 3)
					c->ms = c->ms * 10 + (**p - '0');
				n++, (*p)++;
			}
			for (; n < 3; n++)
				c->ms *= 10;
		}
	} else if (need_seconds) {
		return 0;
	}
	/* 60: a leap second, counted as the next one (as timegm would). */
	if (c->h > 23 || c->mi > 59 || c->s > 60)
		return 0;
	return 2;
}

static int64_t civil_ms(const struct civil *c)
{
	int64_t days = days_from_civil(c->y, (unsigned)c->mo, (unsigned)c->d);
	return ((days * 24 + c->h) * 60 + c->mi) * 60000 + (int64_t)c->s * 1000 + c->ms;
}

int vxe_log_parse_rfc3339(const char *s, size_t len, int64_t *ms)
{
	const char *p = s, *end = s + len;
	struct civil c;
	int off = 0;

	if (parse_civil(&p, end, &c, true) != 2)
		return -EINVAL;
	if (lit(&p, end, 'Z') || lit(&p, end, 'z')) {
		off = 0;
	} else if (p < end && (*p == '+' || *p == '-')) {
		int sign = *p == '-' ? -1 : 1, oh, om;
		p++;
		if (!digits(&p, end, 2, &oh) || !lit(&p, end, ':') || !digits(&p, end, 2, &om) ||
		    oh > 23 || om > 59)
			return -EINVAL;
		off = sign * (oh * 60 + om);
	} else {
		return -EINVAL;
	}
	if (p != end)
		return -EINVAL;
	*ms = civil_ms(&c) - (int64_t)off * 60000;
	return 0;
}

int vxe_log_parse_when(const char *s, int64_t now_ms, int64_t *ms)
{
	size_t len = strlen(s);
	const char *p = s, *end = s + len;
	struct civil c;
	struct tm tm;
	time_t t;
	int parts;

	if (len == 0)
		return -EINVAL;
	if (strcmp(s, "now") == 0) {
		*ms = now_ms;
		return 0;
	}
	/* A span ago: digits and one unit letter. */
	if (isdigit((unsigned char)s[0]) && strchr("smhdw", s[len - 1]) && len >= 2) {
		static const int64_t unit_ms[] = {1000, 60000, 3600000, 86400000, 604800000};
		int64_t n = 0, u = unit_ms[strchr("smhdw", s[len - 1]) - "smhdw"];
		size_t i;

		for (i = 0; i < len - 1 && isdigit((unsigned char)s[i]); i++) {
			if (n > (INT64_MAX / 10 - 9) / u)
				return -EINVAL;
			n = n * 10 + (s[i] - '0');
		}
		if (i == len - 1) {
			*ms = now_ms - n * u;
			return 0;
		}
	}
	if (vxe_log_parse_rfc3339(s, len, ms) == 0)
		return 0;
	/* Local time, without a zone. */
	parts = parse_civil(&p, end, &c, false);
	if (parts == 0 || p != end)
		return -EINVAL;
	memset(&tm, 0, sizeof(tm));
	tm.tm_year = c.y - 1900;
	tm.tm_mon = c.mo - 1;
	tm.tm_mday = c.d;
	tm.tm_hour = c.h;
	tm.tm_min = c.mi;
	tm.tm_sec = c.s;
	tm.tm_isdst = -1;
	t = mktime(&tm);
	if (t == (time_t)-1 && !(tm.tm_year == 69 && tm.tm_mon == 11 && tm.tm_mday == 31))
		return -EINVAL;
	*ms = (int64_t)t * 1000 + c.ms;
	return 0;
}

/* ---- Filters ------------------------------------------------------------------ */

void vxe_logfilter_init(struct vxe_logfilter *f)
{
	memset(f, 0, sizeof(*f));
	f->since_ms = INT64_MIN;
	f->until_ms = INT64_MAX;
}

/* True if the comma-separated list has an item equal to (s, len). */
static bool list_has(const char *list, const char *s, size_t len)
{
	const char *p = list;

	for (;;) {
		const char *comma = strchr(p, ',');
		size_t n = comma ? (size_t)(comma - p) : strlen(p);

		if (s && n == len && memcmp(p, s, n) == 0)
			return true;
		if (!comma)
			return false;
		p = comma + 1;
	}
}

static bool program_match(const char *list, const struct vxe_logstr *exe)
{
	const char *p = list;

	if (!exe->s)
		return false;
	for (;;) {
		const char *comma = strchr(p, ',');
		size_t n = comma ? (size_t)(comma - p) : strlen(p);
		const char *cand = exe->s;
		size_t clen = exe->len;

		if (!memchr(p, '/', n)) {
			const char *slash = memrchr(exe->s, '/', exe->len);
			if (slash) {
				cand = slash + 1;
				clen = exe->len - (size_t)(cand - exe->s);
			}
		}
		if (n == clen && memcmp(p, cand, n) == 0)
			return true;
		if (!comma)
			return false;
		p = comma + 1;
	}
}

bool vxe_logfilter_match(const struct vxe_logfilter *f, const struct vxe_logrec *rec)
{
	if (rec->time_ms < f->since_ms || rec->time_ms >= f->until_ms)
		return false;
	if (vxe_logrec_is_suppressed(rec)) {
		if (f->vxed && rec->vxed.s && !list_has(f->vxed, rec->vxed.s, rec->vxed.len))
			return false;
		/* Per-syscall counts, when the record has them, narrow it down:
		 * one of the names asked for, or "other" (which may be one). */
		if (f->syscall && rec->nsyscalls) {
			for (unsigned i = 0; i < rec->nsyscalls; i++) {
				const struct vxe_logstr *n = &rec->syscalls[i].name;
				if (list_has(f->syscall, n->s, n->len) || streq(n, "other"))
					return true;
			}
			return false;
		}
		return true;
	}
	if (f->vxed && !list_has(f->vxed, rec->vxed.s, rec->vxed.len))
		return false;
	if (f->syscall && !list_has(f->syscall, rec->syscall.s, rec->syscall.len))
		return false;
	if (f->action && !list_has(f->action, rec->action.s, rec->action.len))
		return false;
	if (f->program && !program_match(f->program, &rec->exe))
		return false;
	return true;
}

/* ---- The reader ----------------------------------------------------------------- */

struct lr_file {
	char *path;
	bool gz;
	bool live;
};

#define LR_CHUNK 65536

struct vxe_logreader {
	struct vxe_logreader_opts o;
	struct lr_file *files;
	size_t nfiles, cur; /* files[cur] is open (or being waited for) */
	int fd;		    /* -1: none open */
	pid_t gz_pid;	    /* gzip feeding fd, or 0 */
	bool own_fd;	    /* false for standard input */
	dev_t dev;	    /* identity of the live file we read */
	ino_t ino;
	off_t off; /* bytes read from it */
	/* The first and the last bytes read, to notice a file truncated and
	 * written again past our offset before we looked (its size alone
	 * cannot tell): the time stamp near the start of a line differs. */
	char head[128];
	size_t head_len;
	char tail[256];
	size_t tail_len;
	bool rotated_away;
	char *buf;
	size_t cap, start, end, scan;
	bool discarding; /* inside a line over the limit */
	bool unterminated;
	unsigned long lineno;
	unsigned long skipped, reported;
};

static const char *shown_name(const char *path)
{
	return strcmp(path, "-") == 0 ? "<stdin>" : path;
}

static void lr_diag(struct vxe_logreader *r, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
static void lr_diag(struct vxe_logreader *r, const char *fmt, ...)
{
	va_list ap;

	if (!r->o.diag)
		return;
	va_start(ap, fmt);
	vfprintf(r->o.diag, fmt, ap);
	va_end(ap);
}

static void lr_skip(struct vxe_logreader *r, const char *why)
{
	r->skipped++;
	if (r->reported >= r->o.max_reports)
		return;
	r->reported++;
	lr_diag(r, "%s:%lu: skipped: %s%s\n", shown_name(r->files[r->cur].path), r->lineno, why,
		r->unterminated ? " (unterminated last line)" : "");
}

static void lr_close_cur(struct vxe_logreader *r)
{
	int status = 0;

	if (r->fd >= 0 && r->own_fd)
		close(r->fd);
	r->fd = -1;
	if (r->gz_pid > 0) {
		/* Closed early: gzip must not wait on a full pipe. */
		kill(r->gz_pid, SIGTERM);
		while (waitpid(r->gz_pid, &status, 0) < 0 && errno == EINTR)
			;
		if (!(WIFEXITED(status) && WEXITSTATUS(status) == 0) &&
		    !(WIFSIGNALED(status) && WTERMSIG(status) == SIGTERM))
			lr_diag(r, "%s: gzip -dc failed (%s %d); what it produced was read\n",
				r->files[r->cur].path, WIFEXITED(status) ? "exit" : "signal",
				WIFEXITED(status) ? WEXITSTATUS(status) : WTERMSIG(status));
	}
	r->gz_pid = 0;
	r->start = r->end = r->scan = 0;
	r->discarding = false;
	r->unterminated = false;
	r->rotated_away = false;
}

/* Reaps gzip after its output ended (no SIGTERM: it is done). */
static void lr_finish_gz(struct vxe_logreader *r)
{
	int status = 0;

	if (r->gz_pid <= 0)
		return;
	while (waitpid(r->gz_pid, &status, 0) < 0 && errno == EINTR)
		;
	r->gz_pid = 0;
	if (!(WIFEXITED(status) && WEXITSTATUS(status) == 0))
		lr_diag(r, "%s: gzip -dc failed (%s %d); what it produced was read\n",
			r->files[r->cur].path, WIFEXITED(status) ? "exit" : "signal",
			WIFEXITED(status) ? WEXITSTATUS(status) : WTERMSIG(status));
}

/* Opens files[cur]. Returns 0 or -errno (not reported). */
static int lr_open_cur(struct vxe_logreader *r)
{
	struct lr_file *f = &r->files[r->cur];
	struct stat st;
	int fd;

	r->lineno = 0;
	r->off = 0;
	r->head_len = r->tail_len = 0;
	r->own_fd = true;
	if (strcmp(f->path, "-") == 0) {
		r->fd = STDIN_FILENO;
		r->own_fd = false;
		return 0;
	}
	fd = open(f->path, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
	if (fd < 0)
		return -errno;
	if (fstat(fd, &st) < 0 || S_ISDIR(st.st_mode)) {
		int e = S_ISDIR(st.st_mode) ? EISDIR : errno;
		close(fd);
		return -e;
	}
	/* O_NONBLOCK only so a FIFO at the path cannot hang the open. */
	fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) & ~O_NONBLOCK);
	r->dev = st.st_dev;
	r->ino = st.st_ino;
	if (f->gz) {
		posix_spawn_file_actions_t fa;
		char *argv[] = {"gzip", "-dc", NULL};
		int pfd[2], e;
		pid_t pid;

		if (pipe2(pfd, O_CLOEXEC) < 0) {
			e = errno;
			close(fd);
			return -e;
		}
		posix_spawn_file_actions_init(&fa);
		posix_spawn_file_actions_adddup2(&fa, fd, STDIN_FILENO);
		posix_spawn_file_actions_adddup2(&fa, pfd[1], STDOUT_FILENO);
		e = posix_spawnp(&pid, "gzip", &fa, NULL, argv, environ);
		posix_spawn_file_actions_destroy(&fa);
		close(fd);
		close(pfd[1]);
		if (e) {
			close(pfd[0]);
			return -e;
		}
		fd = pfd[0];
		r->gz_pid = pid;
	}
	r->fd = fd;
	return 0;
}

static void remember_tail(struct vxe_logreader *r, const char *data, size_t n)
{
	size_t keep;

	if (r->head_len < sizeof r->head) {
		size_t h = sizeof r->head - r->head_len < n ? sizeof r->head - r->head_len : n;
		memcpy(r->head + r->head_len, data, h);
		r->head_len += h;
	}

	if (n >= sizeof r->tail) {
		memcpy(r->tail, data + n - sizeof r->tail, sizeof r->tail);
		r->tail_len = sizeof r->tail;
		return;
	}
	keep = r->tail_len + n > sizeof r->tail ? sizeof r->tail - n : r->tail_len;
	memmove(r->tail, r->tail + r->tail_len - keep, keep);
	memcpy(r->tail + keep, data, n);
	r->tail_len = keep + n;
}

/* Reads the next line. Returns 1 (line), 2 (a line over the limit was
 * dropped), 0 (nothing now), -errno. */
static int lr_line(struct vxe_logreader *r, const char **line, size_t *len)
{
	const struct lr_file *f = &r->files[r->cur];

	r->unterminated = false;
	for (;;) {
		char *nl =
		    r->scan < r->end ? memchr(r->buf + r->scan, '\n', r->end - r->scan) : NULL;
		ssize_t n;

		if (nl) {
			size_t at = (size_t)(nl - r->buf);
			*line = r->buf + r->start;
			*len = at - r->start;
			r->start = r->scan = at + 1;
			if (r->discarding) {
				r->discarding = false;
				return 2;
			}
			return 1;
		}
		r->scan = r->end;
		if (!r->discarding && r->end - r->start > VXE_LOGREAD_LINE_MAX)
			r->discarding = true;
		if (r->discarding)
			r->start = r->end = r->scan = 0;
		/* Room for a chunk at the end. */
		if (r->start > 0) {
			memmove(r->buf, r->buf + r->start, r->end - r->start);
			r->end -= r->start;
			r->scan -= r->start;
			r->start = 0;
		}
		if (r->cap - r->end < LR_CHUNK / 2) {
			size_t ncap = r->cap * 2;
			char *nb;
			if (ncap > VXE_LOGREAD_LINE_MAX + LR_CHUNK)
				ncap = VXE_LOGREAD_LINE_MAX + LR_CHUNK;
			if (ncap > r->cap) {
				nb = realloc(r->buf, ncap);
				if (!nb)
					return -ENOMEM;
				r->buf = nb;
				r->cap = ncap;
			}
		}
		do
			n = read(r->fd, r->buf + r->end, r->cap - r->end);
		while (n < 0 && errno == EINTR);
		if (n < 0)
			return -errno;
		if (n > 0) {
			remember_tail(r, r->buf + r->end, (size_t)n);
			r->end += (size_t)n;
			r->off += n;
			continue;
		}
		/* End of what there is. */
		if (r->end == r->start && !r->discarding)
			return 0;
		if (r->o.follow && f->live && !r->rotated_away)
			return 0; /* the writer may still finish the line */
		if (r->discarding) {
			r->discarding = false;
			r->start = r->end = r->scan = 0;
			return 2;
		}
		*line = r->buf + r->start;
		*len = r->end - r->start;
		r->start = r->end = r->scan = 0;
		r->unterminated = true;
		return 1;
	}
}

/* Moves to the next file that opens, reporting those that do not. Returns
 * 0, or 1 if it reached the live file and that one is missing. */
static int lr_advance(struct vxe_logreader *r)
{
	for (;;) {
		int e;

		lr_close_cur(r);
		if (r->cur + 1 >= r->nfiles)
			return 1;
		r->cur++;
		e = lr_open_cur(r);
		if (e == 0)
			return 0;
		if (r->files[r->cur].live) {
			if (e == -ENOENT)
				return 1;
			lr_diag(r, "%s: %s\n", r->files[r->cur].path, strerror(-e));
			return 1;
		}
		lr_diag(r, "%s: skipped: %s%s\n", r->files[r->cur].path,
			r->files[r->cur].gz ? "cannot run gzip -dc: " : "", strerror(-e));
	}
}

int vxe_logreader_next(struct vxe_logreader *r, struct vxe_logrec *rec, const char **line,
		       size_t *len)
{
	for (;;) {
		const struct lr_file *f = &r->files[r->cur];
		const char *l = NULL;
		size_t n = 0;
		char err[160];
		int got;

		if (r->fd < 0) {
			if (f->live)
				return 0;
			lr_advance(r);
			continue;
		}
		got = lr_line(r, &l, &n);
		if (got == 1 || got == 2)
			r->lineno++;
		if (got == 2) {
			snprintf(err, sizeof err, "line longer than %u bytes",
				 VXE_LOGREAD_LINE_MAX);
			lr_skip(r, err);
			continue;
		}
		if (got == 1) {
			int pr = vxe_logrec_parse(l, n, rec, err, sizeof err);
			if (pr == -ENOMEM)
				return pr;
			if (pr < 0) {
				lr_skip(r, err);
				continue;
			}
			if (line)
				*line = l;
			if (len)
				*len = n;
			return 1;
		}
		if (got < 0) {
			if (f->live && !r->rotated_away)
				return got;
			lr_diag(r, "%s: %s; the rest skipped\n", shown_name(f->path),
				strerror(-got));
		}
		/* The end of this file. */
		if (f->live && !r->rotated_away)
			return 0;
		if (f->live) {
			/* Rotated away and drained: the new file, from its start. */
			int e;
			lr_close_cur(r);
			e = lr_open_cur(r);
			if (e < 0 && e != -ENOENT)
				return e;
			continue;
		}
		lr_finish_gz(r);
		lr_advance(r);
	}
}

int vxe_logreader_check_rotation(struct vxe_logreader *r)
{
	const struct lr_file *f = &r->files[r->cur];
	struct stat now, cur;

	if (!f->live || strcmp(f->path, "-") == 0)
		return 0;
	if (r->fd < 0) {
		int e = lr_open_cur(r);
		if (e == 0)
			return 1;
		return e == -ENOENT ? 0 : e;
	}
	if (fstat(r->fd, &cur) < 0)
		return -errno;
	if (cur.st_size >= r->off && r->tail_len) {
		char bytes[sizeof r->tail];
		ssize_t n = pread(r->fd, bytes, r->head_len, 0);
		bool same = n == (ssize_t)r->head_len && memcmp(bytes, r->head, r->head_len) == 0;
		if (same) {
			n = pread(r->fd, bytes, r->tail_len, r->off - (off_t)r->tail_len);
			same =
			    n == (ssize_t)r->tail_len && memcmp(bytes, r->tail, r->tail_len) == 0;
		}
		if (!same)
			cur.st_size = 0; /* rewritten under us: as if truncated */
	}
	if (cur.st_size > r->off)
		return 1; /* more to read from what we have open */
	if (stat(f->path, &now) < 0)
		return errno == ENOENT ? 0 : -errno; /* renamed, not re-created yet */
	if (now.st_dev != r->dev || now.st_ino != r->ino) {
		r->rotated_away = true;
		return 1;
	}
	if (cur.st_size < r->off) {
		/* Truncated in place (copytruncate): start over. */
		if (lseek(r->fd, 0, SEEK_SET) < 0)
			return -errno;
		r->off = 0;
		r->head_len = r->tail_len = 0;
		r->start = r->end = r->scan = 0;
		r->discarding = false;
		r->lineno = 0;
		return 1;
	}
	return 0;
}

const char *vxe_logreader_file(const struct vxe_logreader *r)
{
	return shown_name(r->files[r->cur].path);
}

unsigned long vxe_logreader_lineno(const struct vxe_logreader *r)
{
	return r->lineno;
}

unsigned long vxe_logreader_skipped(const struct vxe_logreader *r)
{
	return r->skipped;
}

void vxe_logreader_summary(const struct vxe_logreader *r)
{
	if (r->o.diag && r->skipped > r->reported)
		fprintf(r->o.diag,
			"vxe: log: %lu malformed lines skipped in all (the first %lu shown)\n",
			r->skipped, r->reported);
}

/* PATH.N or PATH.N.gz, N >= 1. */
struct rot {
	unsigned long n;
	bool gz;
	char *path;
};

static int rot_cmp(const void *a, const void *b)
{
	const struct rot *x = a, *y = b;

	if (x->n != y->n)
		return x->n > y->n ? -1 : 1; /* oldest (highest N) first */
	return (int)y->gz - (int)x->gz;
}

static int add_file(struct vxe_logreader *r, char *path, bool gz, bool live)
{
	struct lr_file *nf = realloc(r->files, (r->nfiles + 1) * sizeof(*nf));

	if (!nf) {
		free(path);
		return -ENOMEM;
	}
	r->files = nf;
	nf[r->nfiles].path = path;
	nf[r->nfiles].gz = gz;
	nf[r->nfiles].live = live;
	r->nfiles++;
	return 0;
}

/* Adds the rotations of path, oldest first. */
static int find_rotations(struct vxe_logreader *r, const char *path)
{
	const char *slash = strrchr(path, '/');
	char *dir = slash ? strndup(path, slash == path ? 1 : (size_t)(slash - path)) : strdup(".");
	const char *base = slash ? slash + 1 : path;
	size_t blen = strlen(base), nrot = 0, cap = 0;
	struct rot *rots = NULL;
	struct dirent *de;
	DIR *d;
	int ret = 0;

	if (!dir)
		return -ENOMEM;
	d = opendir(dir);
	if (!d) {
		free(dir);
		return 0; /* the live file's own open will say why */
	}
	while ((de = readdir(d))) {
		const char *p = de->d_name;
		unsigned long n = 0;
		int nd = 0;
		bool gz = false;

		if (strncmp(p, base, blen) != 0 || p[blen] != '.')
			continue;
		p += blen + 1;
		while (isdigit((unsigned char)*p) && nd < 9)
			n = n * 10 + (unsigned long)(*p++ - '0'), nd++;
		if (nd == 0 || n == 0)
			continue;
		if (strcmp(p, ".gz") == 0)
			gz = true;
		else if (*p)
			continue;
		if (nrot == cap) {
			size_t ncap = cap ? cap * 2 : 8;
			struct rot *nr = realloc(rots, ncap * sizeof(*nr));
			if (!nr) {
				ret = -ENOMEM;
				break;
			}
			rots = nr;
			cap = ncap;
		}
		if (asprintf(&rots[nrot].path, "%s/%s", dir, de->d_name) < 0) {
			ret = -ENOMEM;
			break;
		}
		rots[nrot].n = n;
		rots[nrot].gz = gz;
		nrot++;
	}
	closedir(d);
	free(dir);
	if (ret == 0 && nrot > 1)
		qsort(rots, nrot, sizeof(*rots), rot_cmp);
	for (size_t i = 0; i < nrot; i++) {
		if (ret == 0)
			ret = add_file(r, rots[i].path, rots[i].gz, false);
		else
			free(rots[i].path);
	}
	free(rots);
	return ret;
}

struct vxe_logreader *vxe_logreader_open(const struct vxe_logreader_opts *opts)
{
	struct vxe_logreader *r = calloc(1, sizeof(*r));
	const char *path = opts->path ? opts->path : VXE_LOG_DEFAULT;
	char *live;
	int e = 0;

	if (!r)
		return NULL;
	r->o = *opts;
	r->o.path = NULL;
	if (!r->o.max_reports)
		r->o.max_reports = 5;
	r->fd = -1;
	r->cap = LR_CHUNK;
	r->buf = malloc(r->cap);
	live = strdup(path);
	if (!r->buf || !live) {
		free(live);
		e = -ENOMEM;
		goto fail;
	}
	if (strcmp(path, "-") != 0 && r->o.rotated)
		e = find_rotations(r, path);
	if (e == 0)
		e = add_file(r, live, false, true);
	else
		free(live);
	if (e < 0)
		goto fail;
	/* The first file that opens; a missing live file is an error only if
	 * there is nothing at all to read and nothing to wait for. */
	for (r->cur = 0; r->cur < r->nfiles; r->cur++) {
		const struct lr_file *f = &r->files[r->cur];
		e = lr_open_cur(r);
		if (e == 0)
			break;
		if (f->live) {
			if (e == -ENOENT && (r->o.follow || r->nfiles > 1))
				e = 0;
			break;
		}
		lr_diag(r, "%s: skipped: %s%s\n", f->path, f->gz ? "cannot run gzip -dc: " : "",
			strerror(-e));
		e = 0;
	}
	if (e < 0)
		goto fail;
	return r;
fail:
	vxe_logreader_close(r);
	errno = -e;
	return NULL;
}

void vxe_logreader_close(struct vxe_logreader *r)
{
	if (!r)
		return;
	if (r->files && r->cur < r->nfiles)
		lr_close_cur(r);
	for (size_t i = 0; i < r->nfiles; i++)
		free(r->files[i].path);
	free(r->files);
	free(r->buf);
	free(r);
}
