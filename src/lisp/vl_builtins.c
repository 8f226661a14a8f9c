/* vxelisp builtins. Each checks its arguments and reports a bad one the way
 * Lua does: "bad argument #2 to 'substring' (integer expected)". Arithmetic
 * overflow is an error rather than a wrap, because a policy computing a
 * flag mask must never get a silently different one. */
#include <string.h>

#include "lisp/vl_internal.h"

#define BUILTIN(name) static vl_value *name(vl_state *st, int argc, vl_value **a, vl_value *args)
#define EACH(l, v)                                                                                 \
	for (vl_value *l = args, *v; l->type == VL_CONS && ((v = l->u.cons.car), 1);               \
	     l = l->u.cons.cdr)

static vl_value *mkbool(bool b)
{
	return b ? T : NIL;
}

static int64_t int_arg(vl_state *st, vl_value *v, int n)
{
	if (v->type != VL_INT)
		vl_argerror(st, n, "integer expected");
	return v->u.i;
}

static vl_value *str_arg(vl_state *st, vl_value *v, int n)
{
	if (v->type != VL_STRING)
		vl_argerror(st, n, "string expected");
	return v;
}

static vl_value *list_arg(vl_state *st, vl_value *v, int n)
{
	if (v->type != VL_NIL && v->type != VL_CONS)
		vl_argerror(st, n, "list expected");
	return v;
}

/* Walking a long list is one step per 16 cells, so that a loop over a big
 * list cannot run for far longer than max_steps suggests. */
static void walked(vl_state *st, size_t cells)
{
	if (cells >= 16)
		vl_charge(st, cells / 16);
}

/* Walks a list argument to its end, refusing a dotted one. */
static size_t proper_list_arg(vl_state *st, vl_value *v, int n)
{
	size_t len = 0;
	list_arg(st, v, n);
	for (; v->type == VL_CONS; v = v->u.cons.cdr)
		len++;
	if (v->type != VL_NIL)
		vl_argerror(st, n, "proper list expected");
	walked(st, len);
	return len;
}

static size_t index_arg(vl_state *st, vl_value *v, int n, size_t max)
{
	int64_t i = int_arg(st, v, n);
	if (i < 0 || (uint64_t)i > max)
		vl_argerror(st, n, "index out of range");
	return (size_t)i;
}

static void overflow(vl_state *st)
{
	vl_raisef(st, NULL, "integer overflow in '%s'", st->cur_name);
}

/* ---- lists -------------------------------------------------------------- */

BUILTIN(bi_cons)
{
	return vl_cons(st, a[0], a[1]);
}

BUILTIN(bi_car)
{
	return list_arg(st, a[0], 1) == NIL ? NIL : a[0]->u.cons.car;
}

BUILTIN(bi_cdr)
{
	return list_arg(st, a[0], 1) == NIL ? NIL : a[0]->u.cons.cdr;
}

BUILTIN(bi_list)
{
	return args; /* a fresh list made by the evaluator for this call */
}

BUILTIN(bi_length)
{
	if (a[0]->type == VL_STRING)
		return vl_make_int(st, (int64_t)a[0]->u.str.len);
	if (a[0]->type != VL_NIL && a[0]->type != VL_CONS)
		vl_argerror(st, 1, "string or list expected");
	return vl_make_int(st, (int64_t)proper_list_arg(st, a[0], 1));
}

static vl_value *nthcdr(vl_state *st, vl_value **a)
{
	int64_t n = int_arg(st, a[0], 1);
	vl_value *l = list_arg(st, a[1], 2);
	if (n < 0)
		vl_argerror(st, 1, "index out of range");
	int64_t i = 0;
	for (; i < n && l->type == VL_CONS; i++)
		l = l->u.cons.cdr;
	walked(st, (size_t)i);
	return i < n ? NIL : l;
}

BUILTIN(bi_nthcdr)
{
	return nthcdr(st, a);
}

BUILTIN(bi_nth)
{
	vl_value *l = nthcdr(st, a);
	return l->type == VL_CONS ? l->u.cons.car : NIL;
}

BUILTIN(bi_append)
{
	vl_value *head = NIL, *tail = NIL;
	size_t top = st->nroots;
	int n = 1;
	vl_root(st, &head);
	vl_root(st, &tail);
	EACH(l, v)
	{
		if (l->u.cons.cdr->type == VL_NIL) { /* the last one is shared, not copied */
			if (head == NIL)
				head = v;
			else
				tail->u.cons.cdr = v;
			break;
		}
		proper_list_arg(st, v, n++);
		for (; v->type == VL_CONS; v = v->u.cons.cdr) {
			vl_value *cell = vl_cons(st, v->u.cons.car, NIL);
			if (head == NIL)
				head = cell;
			else
				tail->u.cons.cdr = cell;
			tail = cell;
		}
	}
	st->nroots = top;
	return head;
}

BUILTIN(bi_reverse)
{
	vl_value *r = NIL;
	size_t top = st->nroots;
	proper_list_arg(st, a[0], 1);
	vl_root(st, &r);
	for (vl_value *l = a[0]; l->type == VL_CONS; l = l->u.cons.cdr)
		r = vl_cons(st, l->u.cons.car, r);
	st->nroots = top;
	return r;
}

bool vl_equal(vl_state *st, vl_value *x, vl_value *y, unsigned depth)
{
	if (depth > st->max_depth)
		vl_raisef(st, NULL, "nesting too deep (limit %u)", st->max_depth);
	for (size_t cells = 1;; cells++) {
		if (cells % 16 == 0)
			vl_charge(st, 1);
		if (x == y)
			return true;
		if (x->type != y->type)
			return false;
		switch (x->type) {
		case VL_INT:
			return x->u.i == y->u.i;
		case VL_STRING:
			if (x->u.str.len >= 64)
				vl_charge(st, x->u.str.len / 64);
			return x->u.str.len == y->u.str.len &&
			       memcmp(x->u.str.bytes, y->u.str.bytes, x->u.str.len) == 0;
		case VL_CONS:
			if (!vl_equal(st, x->u.cons.car, y->u.cons.car, depth + 1))
				return false;
			x = x->u.cons.cdr;
			y = y->u.cons.cdr;
			continue;
		default:
			return false;
		}
	}
}

static bool eq(vl_value *x, vl_value *y)
{
	return x == y || (x->type == VL_INT && y->type == VL_INT && x->u.i == y->u.i);
}

BUILTIN(bi_member)
{
	size_t i = 0;
	for (vl_value *l = list_arg(st, a[1], 2); l->type == VL_CONS; l = l->u.cons.cdr, i++)
		if (vl_equal(st, a[0], l->u.cons.car, 0)) {
			walked(st, i);
			return l;
		}
	walked(st, i);
	return NIL;
}

BUILTIN(bi_assoc)
{
	size_t i = 0;
	for (vl_value *l = list_arg(st, a[1], 2); l->type == VL_CONS; l = l->u.cons.cdr, i++) {
		vl_value *pair = l->u.cons.car;
		if (pair->type == VL_CONS && vl_equal(st, a[0], pair->u.cons.car, 0)) {
			walked(st, i);
			return pair;
		}
	}
	walked(st, i);
	return NIL;
}

BUILTIN(bi_null)
{
	return mkbool(a[0]->type == VL_NIL);
}

BUILTIN(bi_consp)
{
	return mkbool(a[0]->type == VL_CONS);
}

BUILTIN(bi_listp)
{
	return mkbool(a[0]->type == VL_CONS || a[0]->type == VL_NIL);
}

BUILTIN(bi_atom)
{
	return mkbool(a[0]->type != VL_CONS);
}

BUILTIN(bi_eq)
{
	return mkbool(eq(a[0], a[1]));
}

BUILTIN(bi_equal)
{
	return mkbool(vl_equal(st, a[0], a[1], 0));
}

BUILTIN(bi_last)
{
	vl_value *l = list_arg(st, a[0], 1);
	size_t i = 0;
	for (; l->type == VL_CONS && l->u.cons.cdr->type == VL_CONS; i++)
		l = l->u.cons.cdr;
	walked(st, i);
	return l;
}

static void check_function(vl_state *st, vl_value *f, int n)
{
	if (f->type != VL_CLOSURE && !(f->type == VL_BUILTIN && f->u.bi.def))
		vl_argerror(st, n, "function expected");
}

/* Builtins that call back into Lisp count as nesting: otherwise data built
 * at run time could drive (apply apply ...) past the C stack. */
static vl_value *call(vl_state *st, vl_value *fn, vl_value *args)
{
	if (++st->depth > st->max_depth)
		vl_raisef(st, NULL, "nesting too deep (limit %u)", st->max_depth);
	const char *name = st->cur_name;
	vl_value *r = vl_apply(st, fn, args);
	st->cur_name = name;
	st->depth--;
	return r;
}

BUILTIN(bi_mapcar)
{
	vl_value *head = NIL, *tail = NIL;
	size_t top = st->nroots;
	check_function(st, a[0], 1);
	proper_list_arg(st, a[1], 2);
	vl_root(st, &head);
	vl_root(st, &tail);
	for (vl_value *l = a[1]; l->type == VL_CONS; l = l->u.cons.cdr) {
		vl_value *cell = vl_cons(st, call(st, a[0], vl_cons(st, l->u.cons.car, NIL)), NIL);
		if (head == NIL)
			head = cell;
		else
			tail->u.cons.cdr = cell;
		tail = cell;
	}
	st->nroots = top;
	return head;
}

BUILTIN(bi_apply)
{
	vl_value *head = NIL, *tail = NIL;
	size_t top = st->nroots;
	int n = 0;
	check_function(st, a[0], 1);
	vl_root(st, &head);
	vl_root(st, &tail);
	for (vl_value *l = args->u.cons.cdr; l->type == VL_CONS; l = l->u.cons.cdr) {
		n++;
		if (l->u.cons.cdr->type == VL_NIL) {
			proper_list_arg(st, l->u.cons.car, n + 1);
			if (head == NIL)
				head = l->u.cons.car;
			else
				tail->u.cons.cdr = l->u.cons.car;
			break;
		}
		vl_value *cell = vl_cons(st, l->u.cons.car, NIL);
		if (head == NIL)
			head = cell;
		else
			tail->u.cons.cdr = cell;
		tail = cell;
	}
	vl_value *r = call(st, a[0], head);
	st->nroots = top;
	return r;
}

/* ---- integers ----------------------------------------------------------- */

BUILTIN(bi_add)
{
	int64_t r = 0;
	int n = 1;
	EACH(l, v)
	if (__builtin_add_overflow(r, int_arg(st, v, n++), &r))
		overflow(st);
	return vl_make_int(st, r);
}

BUILTIN(bi_mul)
{
	int64_t r = 1;
	int n = 1;
	EACH(l, v)
	if (__builtin_mul_overflow(r, int_arg(st, v, n++), &r))
		overflow(st);
	return vl_make_int(st, r);
}

BUILTIN(bi_sub)
{
	int64_t r = int_arg(st, a[0], 1);
	int n = 2;
	if (argc == 1) {
		if (__builtin_sub_overflow((int64_t)0, r, &r))
			overflow(st);
		return vl_make_int(st, r);
	}
	for (vl_value *l = args->u.cons.cdr; l->type == VL_CONS; l = l->u.cons.cdr)
		if (__builtin_sub_overflow(r, int_arg(st, l->u.cons.car, n++), &r))
			overflow(st);
	return vl_make_int(st, r);
}

BUILTIN(bi_div)
{
	int64_t r = int_arg(st, a[0], 1);
	int n = 2;
	for (vl_value *l = args->u.cons.cdr; l->type == VL_CONS; l = l->u.cons.cdr) {
		int64_t d = int_arg(st, l->u.cons.car, n++);
		if (d == 0)
			vl_raisef(st, NULL, "division by zero");
		if (r == INT64_MIN && d == -1)
			overflow(st);
		r /= d;
	}
	return vl_make_int(st, r);
}

BUILTIN(bi_mod)
{
	int64_t x = int_arg(st, a[0], 1), y = int_arg(st, a[1], 2);
	if (y == 0)
		vl_raisef(st, NULL, "division by zero");
	if (y == -1)
		return vl_make_int(st, 0); /* INT64_MIN % -1 traps */
	int64_t r = x % y;
	if (r != 0 && (r < 0) != (y < 0))
		r += y; /* the result takes the divisor's sign, as in Lisp */
	return vl_make_int(st, r);
}

/* Chained comparison: (< a b c) holds when each adjacent pair does. */
static vl_value *compare(vl_state *st, vl_value *args, int op)
{
	int n = 1;
	bool ok = true;
	int64_t prev = int_arg(st, args->u.cons.car, n++);
	for (vl_value *l = args->u.cons.cdr; l->type == VL_CONS; l = l->u.cons.cdr) {
		int64_t x = int_arg(st, l->u.cons.car, n++);
		switch (op) {
		case 0:
			ok = ok && prev == x;
			break;
		case 1:
			ok = ok && prev < x;
			break;
		case 2:
			ok = ok && prev > x;
			break;
		case 3:
			ok = ok && prev <= x;
			break;
		case 4:
			ok = ok && prev >= x;
			break;
		}
		prev = x;
	}
	return mkbool(ok);
}

BUILTIN(bi_numeq)
{
	return compare(st, args, 0);
}

BUILTIN(bi_lt)
{
	return compare(st, args, 1);
}

BUILTIN(bi_gt)
{
	return compare(st, args, 2);
}

BUILTIN(bi_le)
{
	return compare(st, args, 3);
}

BUILTIN(bi_ge)
{
	return compare(st, args, 4);
}

BUILTIN(bi_numne)
{
	return mkbool(int_arg(st, a[0], 1) != int_arg(st, a[1], 2));
}

static vl_value *minmax(vl_state *st, vl_value *args, bool max)
{
	int n = 1;
	vl_value *best = NULL;
	EACH(l, v)
	{
		int64_t x = int_arg(st, v, n++);
		if (!best || (max ? x > best->u.i : x < best->u.i))
			best = v;
	}
	return best;
}

BUILTIN(bi_min)
{
	return minmax(st, args, false);
}

BUILTIN(bi_max)
{
	return minmax(st, args, true);
}

BUILTIN(bi_abs)
{
	int64_t x = int_arg(st, a[0], 1);
	if (x == INT64_MIN)
		overflow(st);
	return x < 0 ? vl_make_int(st, -x) : a[0];
}

BUILTIN(bi_zerop)
{
	return mkbool(int_arg(st, a[0], 1) == 0);
}

BUILTIN(bi_integerp)
{
	return mkbool(a[0]->type == VL_INT);
}

BUILTIN(bi_not)
{
	return mkbool(a[0]->type == VL_NIL);
}

/* ---- bits --------------------------------------------------------------- */

static vl_value *bitop(vl_state *st, vl_value *args, int op)
{
	uint64_t r = op == 0 ? UINT64_MAX : 0;
	int n = 1;
	EACH(l, v)
	{
		uint64_t x = (uint64_t)int_arg(st, v, n++);
		r = op == 0 ? r & x : op == 1 ? r | x : r ^ x;
	}
	return vl_make_int(st, (int64_t)r);
}

BUILTIN(bi_logand)
{
	return bitop(st, args, 0);
}

BUILTIN(bi_logior)
{
	return bitop(st, args, 1);
}

BUILTIN(bi_logxor)
{
	return bitop(st, args, 2);
}

BUILTIN(bi_lognot)
{
	return vl_make_int(st, ~int_arg(st, a[0], 1));
}

BUILTIN(bi_ash)
{
	int64_t x = int_arg(st, a[0], 1), c = int_arg(st, a[1], 2);
	if (c >= 64)
		return vl_make_int(st, 0);
	if (c >= 0)
		return vl_make_int(st, (int64_t)((uint64_t)x << c));
	if (c <= -64)
		return vl_make_int(st, x < 0 ? -1 : 0);
	/* Arithmetic shift spelled out: >> of a negative value is
	 * implementation-defined in C. */
	return vl_make_int(st, x < 0 ? ~(~x >> -c) : x >> -c);
}

BUILTIN(bi_logtest)
{
	return mkbool((int_arg(st, a[0], 1) & int_arg(st, a[1], 2)) != 0);
}

BUILTIN(bi_flags_set)
{
	int64_t v = int_arg(st, a[0], 1), mask = int_arg(st, a[1], 2);
	return mkbool((v & mask) == mask);
}

BUILTIN(bi_bit_count)
{
	return vl_make_int(st, __builtin_popcountll((uint64_t)int_arg(st, a[0], 1)));
}

/* ---- strings ------------------------------------------------------------ */

BUILTIN(bi_substring)
{
	size_t len = str_arg(st, a[0], 1)->u.str.len;
	size_t start = index_arg(st, a[1], 2, len);
	size_t end = argc > 2 ? index_arg(st, a[2], 3, len) : len;
	if (end < start)
		vl_argerror(st, 3, "index out of range");
	return vl_make_string(st, a[0]->u.str.bytes + start, end - start);
}

BUILTIN(bi_concat)
{
	size_t len = 0;
	int n = 1;
	EACH(l, v)
	{
		len += str_arg(st, v, n++)->u.str.len;
		if (len > SIZE_MAX / 4)
			vl_oom(st);
	}
	vl_value *r = vl_make_string(st, NULL, len);
	char *p = r->u.str.bytes;
	EACH(l, v)
	{
		memcpy(p, v->u.str.bytes, v->u.str.len);
		p += v->u.str.len;
	}
	return r;
}

static int strcmp_args(vl_state *st, vl_value **a)
{
	vl_value *x = str_arg(st, a[0], 1), *y = str_arg(st, a[1], 2);
	size_t n = x->u.str.len < y->u.str.len ? x->u.str.len : y->u.str.len;
	int c = memcmp(x->u.str.bytes, y->u.str.bytes, n);
	if (c)
		return c;
	return x->u.str.len < y->u.str.len ? -1 : x->u.str.len > y->u.str.len;
}

BUILTIN(bi_string_eq)
{
	return mkbool(strcmp_args(st, a) == 0);
}

BUILTIN(bi_string_lt)
{
	return mkbool(strcmp_args(st, a) < 0);
}

BUILTIN(bi_string_gt)
{
	return mkbool(strcmp_args(st, a) > 0);
}

BUILTIN(bi_prefixp)
{
	vl_value *p = str_arg(st, a[0], 1), *s = str_arg(st, a[1], 2);
	return mkbool(p->u.str.len <= s->u.str.len &&
		      memcmp(p->u.str.bytes, s->u.str.bytes, p->u.str.len) == 0);
}

BUILTIN(bi_suffixp)
{
	vl_value *p = str_arg(st, a[0], 1), *s = str_arg(st, a[1], 2);
	return mkbool(p->u.str.len <= s->u.str.len &&
		      memcmp(p->u.str.bytes, s->u.str.bytes + s->u.str.len - p->u.str.len,
			     p->u.str.len) == 0);
}

BUILTIN(bi_search)
{
	vl_value *needle = str_arg(st, a[0], 1), *hay = str_arg(st, a[1], 2);
	size_t start = argc > 2 ? index_arg(st, a[2], 3, hay->u.str.len) : 0;
	const char *p = memmem(hay->u.str.bytes + start, hay->u.str.len - start,
			       needle->u.str.bytes, needle->u.str.len);
	return p ? vl_make_int(st, p - hay->u.str.bytes) : NIL;
}

BUILTIN(bi_split)
{
	vl_value *s = str_arg(st, a[0], 1), *sep = str_arg(st, a[1], 2);
	vl_value *head = NIL, *tail = NIL;
	size_t top = st->nroots, pos = 0;
	if (sep->u.str.len == 0)
		vl_argerror(st, 2, "empty separator");
	vl_root(st, &head);
	vl_root(st, &tail);
	for (;;) {
		const char *p = memmem(s->u.str.bytes + pos, s->u.str.len - pos, sep->u.str.bytes,
				       sep->u.str.len);
		size_t end = p ? (size_t)(p - s->u.str.bytes) : s->u.str.len;
		vl_value *cell =
		    vl_cons(st, vl_make_string(st, s->u.str.bytes + pos, end - pos), NIL);
		if (head == NIL)
			head = cell;
		else
			tail->u.cons.cdr = cell;
		tail = cell;
		if (!p)
			break;
		pos = end + sep->u.str.len;
	}
	st->nroots = top;
	return head;
}

static vl_value *map_case(vl_state *st, vl_value **a, bool up)
{
	vl_value *s = str_arg(st, a[0], 1);
	vl_value *r = vl_make_string(st, s->u.str.bytes, s->u.str.len);
	for (size_t i = 0; i < r->u.str.len; i++) {
		char c = r->u.str.bytes[i];
		if (up && c >= 'a' && c <= 'z')
			r->u.str.bytes[i] = (char)(c - 32);
		else if (!up && c >= 'A' && c <= 'Z')
			r->u.str.bytes[i] = (char)(c + 32);
	}
	return r;
}

BUILTIN(bi_upcase)
{
	return map_case(st, a, true);
}

BUILTIN(bi_downcase)
{
	return map_case(st, a, false);
}

static int base_arg(vl_state *st, int argc, vl_value **a, int n)
{
	if (argc < n)
		return 10;
	int64_t b = int_arg(st, a[n - 1], n);
	if (b < 2 || b > 36)
		vl_argerror(st, n, "base must be between 2 and 36");
	return (int)b;
}

BUILTIN(bi_number_to_string)
{
	int64_t x = int_arg(st, a[0], 1);
	int base = base_arg(st, argc, a, 2);
	char buf[72], *p = buf + sizeof(buf);
	uint64_t m = x < 0 ? 0 - (uint64_t)x : (uint64_t)x;
	do {
		*--p = "0123456789abcdefghijklmnopqrstuvwxyz"[m % (uint64_t)base];
		m /= (uint64_t)base;
	} while (m);
	if (x < 0)
		*--p = '-';
	return vl_make_string(st, p, (size_t)(buf + sizeof(buf) - p));
}

BUILTIN(bi_string_to_number)
{
	vl_value *s = str_arg(st, a[0], 1);
	int base = argc > 1 ? base_arg(st, argc, a, 2) : 0;
	int64_t x;
	if (vl_parse_int(s->u.str.bytes, s->u.str.len, base, &x) != 0)
		return NIL;
	return vl_make_int(st, x);
}

BUILTIN(bi_stringp)
{
	return mkbool(a[0]->type == VL_STRING);
}

BUILTIN(bi_symbolp)
{
	return mkbool(a[0]->type == VL_SYMBOL);
}

BUILTIN(bi_keywordp)
{
	return mkbool(a[0]->type == VL_SYMBOL && (a[0]->flags & VLF_KEYWORD));
}

BUILTIN(bi_functionp)
{
	return mkbool(a[0]->type == VL_CLOSURE || (a[0]->type == VL_BUILTIN && a[0]->u.bi.def));
}

BUILTIN(bi_string_byte)
{
	vl_value *s = str_arg(st, a[0], 1);
	int64_t i = int_arg(st, a[1], 2);
	if (i < 0 || (uint64_t)i >= s->u.str.len)
		vl_argerror(st, 2, "index out of range");
	return vl_make_int(st, (unsigned char)s->u.str.bytes[i]);
}

BUILTIN(bi_symbol_name)
{
	if (a[0]->type != VL_SYMBOL)
		vl_argerror(st, 1, "symbol expected");
	return vl_make_string(st, a[0]->u.sym.name, a[0]->u.sym.len);
}

BUILTIN(bi_error)
{
	char msg[512];
	size_t len = 0;
	EACH(l, v)
	{
		if (v->type == VL_STRING) {
			for (size_t i = 0; i < v->u.str.len && len < sizeof(msg) - 1; i++) {
				unsigned char c = (unsigned char)v->u.str.bytes[i];
				msg[len++] = c >= 0x20 && c != 0x7f ? (char)c : '?';
			}
		} else if (len < sizeof(msg) - 1) {
			size_t n = vl_print(v, msg + len, sizeof(msg) - len);
			len = len + n < sizeof(msg) - 1 ? len + n : sizeof(msg) - 1;
		}
	}
	msg[len] = 0;
	vl_raisef(st, NULL, "%s", msg);
}

/* ---- glob --------------------------------------------------------------- */

enum { G_LIT, G_ANY, G_CLASS, G_STAR, G_DSTAR };

/* Kind and length of the pattern token at p[i]. */
static size_t glob_token(const char *p, size_t n, size_t i, int *kind)
{
	*kind = G_LIT;
	if (p[i] == '*') {
		size_t j = i + 1;
		while (j < n && p[j] == '*')
			j++;
		*kind = j - i > 1 ? G_DSTAR : G_STAR;
		return j - i;
	}
	if (p[i] == '?') {
		*kind = G_ANY;
		return 1;
	}
	if (p[i] == '\\' && i + 1 < n)
		return 2;
	if (p[i] == '[') {
		size_t j = i + 1;
		if (j < n && p[j] == '!')
			j++;
		if (j < n && p[j] == ']')
			j++; /* a leading ']' is a member, not the end */
		while (j < n && p[j] != ']')
			j++;
		if (j < n) {
			*kind = G_CLASS;
			return j - i + 1;
		}
	}
	return 1; /* an unclosed '[' is literal */
}

static bool glob_one(const char *p, size_t i, size_t len, int kind, unsigned char c)
{
	if (kind == G_LIT)
		return (unsigned char)p[i + len - 1] == c;
	if (c == '/')
		return false; /* only ** and a literal '/' cross components */
	if (kind == G_ANY)
		return true;
	bool neg = p[i + 1] == '!', in = false;
	size_t j = i + 1 + neg, end = i + len - 1;
	for (; j < end; j++) {
		unsigned char lo = (unsigned char)p[j], hi = lo;
		if (j + 2 < end && p[j + 1] == '-') {
			hi = (unsigned char)p[j + 2];
			j += 2;
		}
		if (c >= lo && c <= hi)
			in = true;
	}
	return in != neg;
}

/* A set-of-states simulation rather than backtracking: O(len(s) *
 * len(pattern)) whatever the pattern, so "*a*a*a*b" cannot blow up. */
BUILTIN(bi_glob_match)
{
	vl_value *pat = str_arg(st, a[0], 1), *s = str_arg(st, a[1], 2);
	const char *p = pat->u.str.bytes;
	size_t m = pat->u.str.len, k = 0;
	vl_charge(st, (uint64_t)(s->u.str.len + 1) * (m + 1) / 64);
	vl_value *scratch = vl_make_string(st, NULL, m * sizeof(size_t) + 2 * (m + 1));
	size_t *off = (size_t *)(void *)scratch->u.str.bytes;
	unsigned char *cur = (unsigned char *)(off + m), *nxt = cur + m + 1;
	int kind;
	for (size_t i = 0; i < m; i += glob_token(p, m, i, &kind))
		off[k++] = i;
	memset(cur, 0, k + 1);
	cur[0] = 1;
	for (size_t pos = 0;; pos++) {
		bool any = false;
		for (size_t i = 0; i < k; i++) { /* stars also match nothing */
			glob_token(p, m, off[i], &kind);
			if (!cur[i] || (kind != G_STAR && kind != G_DSTAR))
				continue;
			cur[i + 1] = 1;
			/* A double star followed by a slash may also stand for
			 * no component at all, so that a/STARSTAR/b matches a/b. */
			if (kind == G_DSTAR && i + 1 < k && p[off[i + 1]] == '/')
				cur[i + 2] = 1;
		}
		if (pos == s->u.str.len)
			return mkbool(cur[k]);
		unsigned char c = (unsigned char)s->u.str.bytes[pos];
		memset(nxt, 0, k + 1);
		for (size_t i = 0; i < k; i++) {
			if (!cur[i])
				continue;
			size_t len = glob_token(p, m, off[i], &kind);
			if (kind == G_DSTAR || (kind == G_STAR && c != '/'))
				any = (nxt[i] = 1);
			else if (kind != G_STAR && glob_one(p, off[i], len, kind, c))
				any = (nxt[i + 1] = 1);
		}
		if (!any)
			return NIL;
		memcpy(cur, nxt, k + 1);
	}
}

/* ---- paths -------------------------------------------------------------- */

/* Lexical normalisation into out (room for n + 1 bytes): no symlinks are
 * followed, so the result says where a name points only when the caller's
 * view of the tree is the kernel's. ".." never climbs above "/". */
static size_t normalize(const char *in, size_t n, char *out)
{
	bool abs = n > 0 && in[0] == '/';
	size_t len = 0, base = abs ? 1 : 0;
	if (abs)
		out[len++] = '/';
	for (size_t i = 0; i < n;) {
		while (i < n && in[i] == '/')
			i++;
		size_t j = i;
		while (j < n && in[j] != '/')
			j++;
		size_t clen = j - i;
		const char *c = in + i;
		i = j;
		if (clen == 0 || (clen == 1 && c[0] == '.'))
			continue;
		if (clen == 2 && c[0] == '.' && c[1] == '.') {
			size_t start = len;
			while (start > base && out[start - 1] != '/')
				start--;
			bool top_is_dotdot =
			    len - start == 2 && out[start] == '.' && out[start + 1] == '.';
			if (len > base && !top_is_dotdot) {
				len = start > base ? start - 1 : base;
				continue;
			}
			if (abs)
				continue;
		}
		if (len > base)
			out[len++] = '/';
		memcpy(out + len, c, clen);
		len += clen;
	}
	if (len == 0)
		out[len++] = '.';
	return len;
}

static vl_value *normalized(vl_state *st, vl_value *s)
{
	vl_value *r = vl_make_string(st, NULL, s->u.str.len + 1);
	r->u.str.len = normalize(s->u.str.bytes, s->u.str.len, r->u.str.bytes);
	r->u.str.bytes[r->u.str.len] = 0;
	return r;
}

BUILTIN(bi_path_normalize)
{
	return normalized(st, str_arg(st, a[0], 1));
}

BUILTIN(bi_path_under)
{
	str_arg(st, a[0], 1);
	str_arg(st, a[1], 2);
	vl_value *p = normalized(st, a[0]), *d;
	size_t top = st->nroots;
	vl_root(st, &p);
	d = normalized(st, a[1]);
	st->nroots = top;
	size_t pl = p->u.str.len, dl = d->u.str.len;
	const char *ps = p->u.str.bytes, *ds = d->u.str.bytes;
	if ((ps[0] == '/') != (ds[0] == '/'))
		return NIL;
	if (dl == 1 && ds[0] == '/')
		return T;
	/* Component-wise: "/var/mailx" is not under "/var/mail". */
	return mkbool(pl >= dl && memcmp(ps, ds, dl) == 0 && (pl == dl || ps[dl] == '/'));
}

#define F(name, fn, min, max)                                                                      \
	{                                                                                          \
		name, fn, NULL, min, max                                                           \
	}
const struct vl_builtin vl_builtins[] = {
    /* lists */
    F("cons", bi_cons, 2, 2),
    F("car", bi_car, 1, 1),
    F("cdr", bi_cdr, 1, 1),
    F("list", bi_list, 0, -1),
    F("length", bi_length, 1, 1),
    F("nth", bi_nth, 2, 2),
    F("nthcdr", bi_nthcdr, 2, 2),
    F("append", bi_append, 0, -1),
    F("reverse", bi_reverse, 1, 1),
    F("member", bi_member, 2, 2),
    F("assoc", bi_assoc, 2, 2),
    F("null", bi_null, 1, 1),
    F("not", bi_not, 1, 1),
    F("consp", bi_consp, 1, 1),
    F("listp", bi_listp, 1, 1),
    F("atom", bi_atom, 1, 1),
    F("eq", bi_eq, 2, 2),
    F("equal", bi_equal, 2, 2),
    F("last", bi_last, 1, 1),
    F("mapcar", bi_mapcar, 2, 2),
    F("apply", bi_apply, 2, -1),
    F("functionp", bi_functionp, 1, 1),
    /* integers */
    F("+", bi_add, 0, -1),
    F("-", bi_sub, 1, -1),
    F("*", bi_mul, 0, -1),
    F("/", bi_div, 2, -1),
    F("mod", bi_mod, 2, 2),
    F("=", bi_numeq, 1, -1),
    F("/=", bi_numne, 2, 2),
    F("<", bi_lt, 1, -1),
    F(">", bi_gt, 1, -1),
    F("<=", bi_le, 1, -1),
    F(">=", bi_ge, 1, -1),
    F("min", bi_min, 1, -1),
    F("max", bi_max, 1, -1),
    F("abs", bi_abs, 1, 1),
    F("zerop", bi_zerop, 1, 1),
    F("integerp", bi_integerp, 1, 1),
    /* bits */
    F("logand", bi_logand, 0, -1),
    F("logior", bi_logior, 0, -1),
    F("logxor", bi_logxor, 0, -1),
    F("lognot", bi_lognot, 1, 1),
    F("ash", bi_ash, 2, 2),
    F("logtest", bi_logtest, 2, 2),
    F("flags-set?", bi_flags_set, 2, 2),
    F("bit-count", bi_bit_count, 1, 1),
    /* strings and symbols */
    F("substring", bi_substring, 2, 3),
    F("concat", bi_concat, 0, -1),
    F("string=", bi_string_eq, 2, 2),
    F("string<", bi_string_lt, 2, 2),
    F("string>", bi_string_gt, 2, 2),
    F("string-prefix?", bi_prefixp, 2, 2),
    F("string-suffix?", bi_suffixp, 2, 2),
    F("string-search", bi_search, 2, 3),
    F("split", bi_split, 2, 2),
    F("glob-match?", bi_glob_match, 2, 2),
    F("upcase", bi_upcase, 1, 1),
    F("downcase", bi_downcase, 1, 1),
    F("number->string", bi_number_to_string, 1, 2),
    F("string->number", bi_string_to_number, 1, 2),
    F("stringp", bi_stringp, 1, 1),
    F("symbolp", bi_symbolp, 1, 1),
    F("keywordp", bi_keywordp, 1, 1),
    F("string-byte", bi_string_byte, 2, 2),
    F("symbol-name", bi_symbol_name, 1, 1),
    F("error", bi_error, 0, -1),
    /* paths */
    F("path-normalize", bi_path_normalize, 1, 1),
    F("path-under?", bi_path_under, 2, 2),
    {NULL, NULL, NULL, 0, 0},
};
