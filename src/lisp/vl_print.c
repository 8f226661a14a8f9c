/* vxelisp printer. It has no state to allocate from and may be handed
 * anything, so it is bounded in both depth and total work: deeper lists
 * print as "(...)" and after PRINT_BUDGET atoms the rest prints as "...". */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "lisp/vl_internal.h"

#define PRINT_DEPTH  200
#define PRINT_BUDGET 1000000

struct out {
	char *buf;
	size_t size, len;
	long budget;
};

static void put(struct out *o, const char *s, size_t n)
{
	if (o->len < o->size) {
		size_t room = o->size - o->len;
		memcpy(o->buf + o->len, s, n < room ? n : room);
	}
	o->len += n;
}

static void puts_(struct out *o, const char *s)
{
	put(o, s, strlen(s));
}

/* Printable ASCII only: everything else is escaped as the reader reads it. */
static void put_escaped(struct out *o, const char *s, size_t n, bool quoted)
{
	char tmp[8];
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];
		const char *e = NULL;
		switch (c) {
		case '\n':
			e = "\\n";
			break;
		case '\t':
			e = "\\t";
			break;
		case '\r':
			e = "\\r";
			break;
		case '\\':
			e = "\\\\";
			break;
		case '"':
			e = quoted ? "\\\"" : NULL;
			break;
		}
		if (e) {
			puts_(o, e);
		} else if (c < 0x20 || c >= 0x7f) {
			snprintf(tmp, sizeof(tmp), "\\x%02x", c);
			puts_(o, tmp);
		} else {
			put(o, (const char *)&c, 1);
		}
	}
}

static void print(struct out *o, const vl_value *v, int depth)
{
	char tmp[32];
	if (--o->budget < 0) {
		puts_(o, "...");
		return;
	}
	switch (vl_typeof(v)) {
	case VL_NIL:
		puts_(o, "nil");
		break;
	case VL_T:
		puts_(o, "t");
		break;
	case VL_INT:
		snprintf(tmp, sizeof(tmp), "%" PRId64, v->u.i);
		puts_(o, tmp);
		break;
	case VL_SYMBOL:
		put_escaped(o, v->u.sym.name, v->u.sym.len, false);
		break;
	case VL_STRING:
		puts_(o, "\"");
		put_escaped(o, v->u.str.bytes, v->u.str.len, true);
		puts_(o, "\"");
		break;
	case VL_CLOSURE:
		puts_(o, "#<lambda");
		if (v->u.clo.name->type == VL_SYMBOL) {
			puts_(o, " ");
			print(o, v->u.clo.name, depth);
		}
		puts_(o, ">");
		break;
	case VL_BUILTIN:
		puts_(o, v->u.bi.def && v->u.bi.def->fn ? "#<builtin " : "#<special ");
		print(o, v->u.bi.name, depth);
		puts_(o, ">");
		break;
	case VL_CONS:
		if (depth >= PRINT_DEPTH) {
			puts_(o, "(...)");
			break;
		}
		puts_(o, "(");
		for (;;) {
			print(o, v->u.cons.car, depth + 1);
			v = v->u.cons.cdr;
			if (v->type != VL_CONS)
				break;
			if (o->budget <= 0) {
				puts_(o, " ...");
				v = NIL;
				break;
			}
			puts_(o, " ");
		}
		if (v->type != VL_NIL) {
			puts_(o, " . ");
			print(o, v, depth + 1);
		}
		puts_(o, ")");
		break;
	}
}

size_t vl_print(const vl_value *v, char *buf, size_t size)
{
	struct out o = {.buf = buf, .size = size, .budget = PRINT_BUDGET};
	print(&o, v, 0);
	if (size > 0)
		buf[o.len < size ? o.len : size - 1] = 0;
	return o.len;
}
