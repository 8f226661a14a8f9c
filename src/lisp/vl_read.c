/* vxelisp reader. The source is validated as UTF-8 first, so that every
 * later error can point at a character, not at half of one. Nesting is
 * bounded by max_depth, so hostile input cannot exhaust the C stack. */
#include <string.h>

#include "lisp/vl_internal.h"
#include "util/utf8.h"

struct rd {
	vl_state *st;
	const char *s;
	size_t n, pos;
	uint32_t file, line, col;
	unsigned depth;
};

#define rd_error(r, line, col, ...) vl_raise_loc((r)->st, (r)->file, (line), (col), __VA_ARGS__)

static void advance(struct rd *r)
{
	if (r->s[r->pos++] == '\n') {
		r->line++;
		r->col = 1;
	} else {
		r->col++;
	}
}

static void check_utf8(struct rd *r)
{
	const unsigned char *s = (const unsigned char *)r->s;
	uint32_t line = 1, col = 1;
	for (size_t i = 0; i < r->n;) {
		size_t len = vxe_utf8_len(s + i, r->n - i);
		if (!len)
			rd_error(r, line, col, "invalid UTF-8 (byte 0x%02x)", s[i]);
		if (s[i] == '\n') {
			line++;
			col = 1;
		} else {
			col += (uint32_t)len;
		}
		i += len;
	}
}

static int digit_value(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	c |= 0x20;
	if (c >= 'a' && c <= 'z')
		return c - 'a' + 10;
	return 99;
}

/* 0 and *out set; -1 not an integer; -2 out of range. base 0 means
 * decimal or a #x/#o/#b prefix. */
int vl_parse_int(const char *s, size_t n, int base, int64_t *out)
{
	size_t i = 0;
	bool neg = false, overflow = false;
	uint64_t m = 0;
	if (base == 0) {
		base = 10;
		if (n >= 2 && s[0] == '#') {
			switch (s[1] | 0x20) {
			case 'x':
				base = 16;
				break;
			case 'o':
				base = 8;
				break;
			case 'b':
				base = 2;
				break;
			default:
				return -1;
			}
			i = 2;
		}
	}
	if (i < n && (s[i] == '-' || s[i] == '+'))
		neg = s[i++] == '-';
	if (i == n)
		return -1;
	for (; i < n; i++) {
		int d = digit_value(s[i]);
		if (d >= base)
			return -1;
		if (m > (UINT64_MAX - (uint64_t)d) / (uint64_t)base)
			overflow = true;
		else
			m = m * (uint64_t)base + (uint64_t)d;
	}
	if (overflow || m > (uint64_t)INT64_MAX + neg)
		return -2;
	*out = neg ? (int64_t)(0 - m) : (int64_t)m;
	return 0;
}

static bool is_space(char c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v';
}

static bool is_delim(char c)
{
	return is_space(c) || c == '(' || c == ')' || c == '"' || c == ';' || c == '\'';
}

static void skip_space(struct rd *r)
{
	while (r->pos < r->n) {
		char c = r->s[r->pos];
		if (c == ';') {
			while (r->pos < r->n && r->s[r->pos] != '\n')
				advance(r);
		} else if (is_space(c)) {
			advance(r);
		} else {
			break;
		}
	}
}

static void set_loc(vl_value *cell, uint32_t file, uint32_t line, uint32_t col)
{
	cell->u.cons.file = file;
	cell->u.cons.line = line;
	cell->u.cons.col = col;
}

static vl_value *read_form(struct rd *r);

/* Two passes: the first checks and measures, so the string can be
 * allocated once at its final size; the second decodes into it. */
static vl_value *read_string(struct rd *r)
{
	uint32_t line = r->line, col = r->col;
	size_t start, len = 0;
	advance(r);
	start = r->pos;
	for (;;) {
		if (r->pos >= r->n)
			rd_error(r, line, col, "unterminated string");
		char c = r->s[r->pos];
		if (c == '"')
			break;
		if (c == '\\') {
			uint32_t el = r->line, ec = r->col;
			advance(r);
			c = r->pos < r->n ? r->s[r->pos] : 0;
			if (c == 'x') {
				if (r->pos + 2 >= r->n || digit_value(r->s[r->pos + 1]) >= 16 ||
				    digit_value(r->s[r->pos + 2]) >= 16)
					rd_error(r, el, ec,
						 "invalid \\x escape (two hex digits expected)");
				advance(r);
				advance(r);
			} else if (!strchr("nrt\\\"0", c) || !c) {
				rd_error(r, el, ec, "invalid escape in string");
			}
		}
		advance(r);
		len++;
	}
	vl_value *v = vl_make_string(r->st, NULL, len);
	char *out = v->u.str.bytes;
	for (size_t i = start; i < r->pos; i++) {
		char c = r->s[i];
		if (c == '\\') {
			c = r->s[++i];
			switch (c) {
			case 'n':
				c = '\n';
				break;
			case 't':
				c = '\t';
				break;
			case 'r':
				c = '\r';
				break;
			case '0':
				c = 0;
				break;
			case 'x':
				c = (char)(digit_value(r->s[i + 1]) * 16 +
					   digit_value(r->s[i + 2]));
				i += 2;
				break;
			}
		}
		*out++ = c;
	}
	advance(r); /* closing quote */
	return v;
}

static vl_value *read_atom(struct rd *r)
{
	uint32_t line = r->line, col = r->col;
	size_t start = r->pos;
	while (r->pos < r->n && !is_delim(r->s[r->pos])) {
		unsigned char c = (unsigned char)r->s[r->pos];
		if (c < 0x20 || c == 0x7f)
			rd_error(r, r->line, r->col, "invalid character 0x%02x", c);
		if (c == '`' || c == ',')
			rd_error(r, r->line, r->col, "unsupported syntax '%c'", c);
		advance(r);
	}
	const char *t = r->s + start;
	size_t n = r->pos - start;
	int len = n > 40 ? 40 : (int)n;
	int64_t i;
	if ((n == 3 && memcmp(t, "nil", 3) == 0))
		return NIL;
	if (n == 1 && t[0] == 't')
		return T;
	bool numeric = t[0] == '#' || (t[0] >= '0' && t[0] <= '9') ||
		       (n > 1 && (t[0] == '-' || t[0] == '+') && t[1] >= '0' && t[1] <= '9');
	if (!numeric)
		return vl_intern(r->st, t, n);
	switch (vl_parse_int(t, n, 0, &i)) {
	case 0:
		return vl_make_int(r->st, i);
	case -2:
		rd_error(r, line, col, "integer literal out of range '%.*s'", len, t);
	default:
		rd_error(r, line, col, "invalid number syntax '%.*s'", len, t);
	}
}

static vl_value *read_list(struct rd *r)
{
	vl_state *st = r->st;
	uint32_t line = r->line, col = r->col;
	vl_value *head = NIL, *tail = NIL;
	size_t top = st->nroots;
	vl_root(st, &head);
	vl_root(st, &tail);
	advance(r);
	for (;;) {
		skip_space(r);
		if (r->pos >= r->n)
			rd_error(r, line, col, "unclosed '('");
		char c = r->s[r->pos];
		if (c == ')') {
			advance(r);
			break;
		}
		if (c == '.' && (r->pos + 1 == r->n || is_delim(r->s[r->pos + 1]))) {
			if (head == NIL)
				rd_error(r, r->line, r->col, "unexpected '.'");
			advance(r);
			skip_space(r);
			if (r->pos >= r->n || r->s[r->pos] == ')')
				rd_error(r, r->line, r->col, "missing form after '.'");
			tail->u.cons.cdr = read_form(r);
			skip_space(r);
			if (r->pos >= r->n || r->s[r->pos] != ')')
				rd_error(r, r->line, r->col, "expected ')' after dotted pair");
			advance(r);
			break;
		}
		uint32_t el = r->line, ec = r->col;
		vl_value *cell = vl_cons(st, read_form(r), NIL);
		if (head == NIL) {
			set_loc(cell, r->file, line, col);
			head = cell;
		} else {
			set_loc(cell, r->file, el, ec);
			tail->u.cons.cdr = cell;
		}
		tail = cell;
	}
	st->nroots = top;
	return head;
}

static vl_value *read_form(struct rd *r)
{
	vl_state *st = r->st;
	uint32_t line = r->line, col = r->col;
	vl_value *v;
	char c = r->s[r->pos];
	if (c == ')')
		rd_error(r, line, col, "unexpected ')'");
	if (c == '"')
		return read_string(r);
	if (c != '(' && c != '\'')
		return read_atom(r);
	if (++r->depth > st->max_depth)
		rd_error(r, line, col, "nesting too deep (limit %u)", st->max_depth);
	if (c == '(') {
		v = read_list(r);
	} else {
		advance(r);
		skip_space(r);
		if (r->pos >= r->n || r->s[r->pos] == ')')
			rd_error(r, line, col, "missing form after quote");
		v = vl_cons(st, read_form(r), NIL);
		set_loc(v, r->file, line, col);
		v = vl_cons(st, st->sym_quote, v);
		set_loc(v, r->file, line, col);
	}
	r->depth--;
	return v;
}

size_t vl_read_all(vl_state *st, uint32_t file, const char *src, size_t len, vl_form_fn fn,
		   void *ud)
{
	struct rd r = {.st = st, .s = src, .n = src ? len : 0, .file = file, .line = 1, .col = 1};
	size_t count = 0;
	vl_value *form = NIL;
	check_utf8(&r);
	vl_root(st, &form);
	for (;;) {
		skip_space(&r);
		if (r.pos >= r.n)
			break;
		uint32_t line = r.line, col = r.col;
		form = read_form(&r);
		count++;
		st->top_file = file;
		st->top_line = line;
		st->top_col = col;
		if (fn)
			fn(st, &form, ud);
		form = NIL;
	}
	st->nroots--;
	return count;
}
