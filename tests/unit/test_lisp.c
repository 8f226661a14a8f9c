/* Unit tests for vxelisp: a table of programs and what each must print or
 * which located error it must raise, then the limits, the allocation
 * failure loop, the host API. Run it also with VXE_GC_STRESS=1. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "lisp/vl_internal.h"
#include "tap.h"

struct lcase {
	const char *src;
	const char *want; /* printed value, or "!" + a substring of the error */
};

static const struct lcase cases[] = {
    /* reader and self-evaluating data */
    {"42", "42"},
    {"-17", "-17"},
    {"+5", "5"},
    {"#xff", "255"},
    {"#XFF", "255"},
    {"#x-10", "-16"},
    {"#o17", "15"},
    {"#b1011", "11"},
    {"9223372036854775807", "9223372036854775807"},
    {"-9223372036854775808", "-9223372036854775808"},
    {"9223372036854775808", "!t:1:1: integer literal out of range"},
    {"\n  -9223372036854775809", "!t:2:3: integer literal out of range"},
    {"#x10000000000000000", "!t:1:1: integer literal out of range"},
    {"12abc", "!t:1:1: invalid number syntax '12abc'"},
    {"#q1", "!t:1:1: invalid number syntax"},
    {"#b102", "!t:1:1: invalid number syntax"},
    {"\"a\\nb\\t\\r\\\\\\\"\\0\\x41\\xfF\"", "\"a\\nb\\t\\r\\\\\\\"\\x00A\\xff\""},
    {"\"multi\nline\"", "\"multi\\nline\""},
    {"\"h\xc3\xa9\"", "\"h\\xc3\\xa9\""},
    {"(quote sym)", "sym"},
    {"'Sym", "Sym"},
    {"'(a . b)", "(a . b)"},
    {"'(a b . c)", "(a b . c)"},
    {"'(1 (2 3) \"x\" :k)", "(1 (2 3) \"x\" :k)"},
    {"'()", "nil"},
    {"nil", "nil"},
    {"t", "t"},
    {":type", ":type"},
    {"'(quote x)", "(quote x)"},
    {"''x", "(quote x)"},
    {"; comment\n7 ; trailing", "7"},
    {"(+ 1 ; inner comment\n 2)", "3"},
    {"", "nil"},
    {"'|odd|", "|odd|"},
    /* reader errors, located */
    {"(+ 1 2", "!t:1:1: unclosed '('"},
    {"(a\n  (b c)", "!t:1:1: unclosed '('"},
    {"'(a)\n  (b (c)", "!t:2:3: unclosed '('"},
    {"1 2)", "!t:1:4: unexpected ')'"},
    {"\n\n   )", "!t:3:4: unexpected ')'"},
    {"\"abc", "!t:1:1: unterminated string"},
    {"(x \"abc)", "!t:1:4: unterminated string"},
    {"\"a\\qb\"", "!t:1:3: invalid escape"},
    {"\"a\\x4\"", "!t:1:3: invalid \\x escape"},
    {"(a . )", "!t:1:6: missing form after '.'"},
    {"(. a)", "!t:1:2: unexpected '.'"},
    {"(a . b c)", "!t:1:8: expected ')' after dotted pair"},
    {"'", "!t:1:1: missing form after quote"},
    {"`a", "!t:1:1: unsupported syntax '`'"},
    {"(a ,b)", "!t:1:4: unsupported syntax ','"},
    {"ab\x01", "!t:1:3: invalid character 0x01"},
    {"(a \xff)", "!t:1:4: invalid UTF-8 (byte 0xff)"},
    {"\"ok\"\n  x\xc3", "!t:2:4: invalid UTF-8 (byte 0xc3)"},
    {"\xc0\x80", "!t:1:1: invalid UTF-8 (byte 0xc0)"},	       /* overlong */
    {"\"\xed\xa0\x80\"", "!t:1:2: invalid UTF-8 (byte 0xed)"}, /* surrogate */
    {"\xf4\x90\x80\x80", "!t:1:1: invalid UTF-8"},	       /* > U+10FFFF */
    {"'\xf0\x9f\x98\x80", "\\xf0\\x9f\\x98\\x80"},
    /* special forms */
    {"(if t 1 2)", "1"},
    {"(if nil 1 2 3)", "3"},
    {"(if nil 1)", "nil"},
    {"(if)", "!t:1:1: malformed 'if' (wrong number of arguments)"},
    {"(cond (nil 1) ((= 1 1) 2 3) (t 4))", "3"},
    {"(cond (nil 1))", "nil"},
    {"(cond (5))", "5"},
    {"(cond 5)", "!t:1:7: malformed 'cond' (clause is not a list)"},
    {"(and)", "t"},
    {"(and 1 2)", "2"},
    {"(and 1 nil (error \"no\"))", "nil"},
    {"(or)", "nil"},
    {"(or nil 3 (error \"no\"))", "3"},
    {"(not nil)", "t"},
    {"(not 0)", "nil"},
    {"(let ((x 1) (y 2)) (+ x y))", "3"},
    {"(let (x (y)) (list x y))", "(nil nil)"},
    {"(let ((x 1)) (let ((x 2) (y x)) y))", "1"},
    {"(let* ((x 1) (y (+ x 1))) y)", "2"},
    {"(let ((1 2)) 3)", "!t:1:6: malformed 'let' (variable name expected)"},
    {"(let ((x 1 2)) x)", "!t:1:6: malformed 'let' (binding has more than one value)"},
    {"(let x 1)", "!t:1:1: malformed 'let' (binding list expected)"},
    {"((lambda (x y) (* x y)) 6 7)", "42"},
    {"((lambda (a &optional b) (list a b)) 1)", "(1 nil)"},
    {"((lambda (a &rest r) r) 1 2 3)", "(2 3)"},
    {"((lambda (x) x))", "!t:1:1: wrong number of arguments to 'lambda' (got 0)"},
    {"((lambda (x) x) 1 2)", "!wrong number of arguments to 'lambda' (got 2)"},
    {"(lambda (1) 2)", "!t:1:9: malformed 'lambda' (variable name expected)"},
    {"(lambda (&rest) 2)", "!malformed 'lambda' (one name must follow &rest)"},
    {"(lambda (x", "!t:1:9: unclosed '('"},
    {"(lambda (x y x) 2)", "!t:1:14: malformed 'lambda' (duplicate parameter 'x')"},
    {"(defun f (a &rest a) 2)", "!t:1:19: malformed 'defun' (duplicate parameter 'a')"},
    {"(defun sq (x) (* x x)) (sq 9)", "81"},
    {"(defun f (x) x)", "f"},
    {"(defun fact (n) (if (<= n 1) 1 (* n (fact (- n 1))))) (fact 20)", "2432902008176640000"},
    {"(defun fact (n) (if (<= n 1) 1 (* n (fact (- n 1))))) (fact 21)",
     "!t:1:32: integer overflow in '*'"},
    {"(setq a 1 b 2) (list a b)", "(1 2)"},
    {"(setq a)", "!t:1:1: malformed 'setq' (odd number of arguments)"},
    {"(setq :k 1)", "!malformed 'setq' (variable name expected)"},
    {"(progn)", "nil"},
    {"(progn 1 2 3)", "3"},
    {"(when t 1 2)", "2"},
    {"(when nil 1)", "nil"},
    {"(unless nil 1 2)", "2"},
    {"(unless t 1)", "nil"},
    {"(quote)", "!t:1:1: malformed 'quote' (wrong number of arguments)"},
    {"(quote . x)", "!malformed 'quote' (dotted list)"},
    {"(+ 1 . 2)", "!t:1:1: malformed '+' (dotted list)"},
    {"undefined-thing", "!t:1:1: unbound variable 'undefined-thing'"},
    {"(+ 1 undefined-thing)", "!t:1:6: unbound variable 'undefined-thing'"},
    {"(1 2)", "!t:1:1: attempt to call a non-function (integer)"},
    {"(\"f\")", "!attempt to call a non-function (string)"},
    /* lexical scope and closures */
    {"(setq x 10) (defun getx () x) (let ((x 20)) (getx))", "10"},
    {"(defun adder (n) (lambda (x) (+ x n))) ((adder 3) 4)", "7"},
    {"(defun counter () (let ((n 0)) (lambda () (setq n (+ n 1)))))"
     "(setq c (counter)) (c) (c) (c)",
     "3"},
    {"(let ((n 1)) (setq f (lambda () n)) (setq n 5)) (f)", "5"},
    {"(let ((x 1)) (setq x 2) x)", "2"},
    {"(progn (let ((y 1)) y) y)", "!t:1:24: unbound variable 'y'"},
    {"(setq g 1) (let ((g 2)) (setq g 3)) g", "1"},
    {"(defun f (x) x) (mapcar f '(1 2))", "(1 2)"},
    /* lists */
    {"(cons 1 2)", "(1 . 2)"},
    {"(car '(1 2))", "1"},
    {"(car nil)", "nil"},
    {"(cdr '(1 2))", "(2)"},
    {"(car 5)", "!t:1:1: bad argument #1 to 'car' (list expected)"},
    {"(list)", "nil"},
    {"(list 1 (+ 1 1) \"3\")", "(1 2 \"3\")"},
    {"(length '(1 2 3))", "3"},
    {"(length nil)", "0"},
    {"(length '(1 . 2))", "!bad argument #1 to 'length' (proper list expected)"},
    {"(length 5)", "!bad argument #1 to 'length' (string or list expected)"},
    {"(nth 1 '(a b c))", "b"},
    {"(nth 5 '(a b c))", "nil"},
    {"(nth -1 '(a))", "!bad argument #1 to 'nth' (index out of range)"},
    {"(nthcdr 2 '(a b c))", "(c)"},
    {"(nthcdr 0 '(a))", "(a)"},
    {"(append '(1 2) '(3) nil '(4 5))", "(1 2 3 4 5)"},
    {"(append)", "nil"},
    {"(append '(1) 2)", "(1 . 2)"},
    {"(append 1 '(2))", "!bad argument #1 to 'append' (list expected)"},
    {"(reverse '(1 2 3))", "(3 2 1)"},
    {"(member 2 '(1 2 3))", "(2 3)"},
    {"(member \"b\" '(\"a\" \"b\"))", "(\"b\")"},
    {"(member 9 '(1 2))", "nil"},
    {"(assoc 'b '((a . 1) (b . 2)))", "(b . 2)"},
    {"(assoc \"x\" '((\"x\" 1)))", "(\"x\" 1)"},
    {"(assoc 'z '((a . 1)))", "nil"},
    {"(null nil)", "t"},
    {"(null '(1))", "nil"},
    {"(consp '(1))", "t"},
    {"(consp nil)", "nil"},
    {"(listp nil)", "t"},
    {"(listp 1)", "nil"},
    {"(atom 1)", "t"},
    {"(atom '(1))", "nil"},
    {"(eq 'a 'a)", "t"},
    {"(eq 1000 1000)", "t"},
    {"(eq \"a\" \"a\")", "nil"},
    {"(eq :k :k)", "t"},
    {"(equal '(1 (2 \"x\")) (list 1 (list 2 \"x\")))", "t"},
    {"(equal '(1 2) '(1 3))", "nil"},
    {"(last '(1 2 3))", "(3)"},
    {"(last nil)", "nil"},
    {"(mapcar (lambda (x) (* x x)) '(1 2 3))", "(1 4 9)"},
    {"(mapcar car '((1) (2)))", "(1 2)"},
    {"(mapcar 1 '(1))", "!bad argument #1 to 'mapcar' (function expected)"},
    {"(apply + 1 2 '(3 4))", "10"},
    {"(apply list '(1 2))", "(1 2)"},
    {"(apply + 1)", "!bad argument #2 to 'apply' (list expected)"},
    {"(functionp car)", "t"},
    {"(functionp 'car)", "nil"},
    {"(cons 1)", "!t:1:1: wrong number of arguments to 'cons' (expected 2, got 1)"},
    {"(substring \"a\")", "!wrong number of arguments to 'substring' (expected 2 to 3, got 1)"},
    {"(-)", "!wrong number of arguments to '-' (expected at least 1, got 0)"},
    /* integers */
    {"(+)", "0"},
    {"(+ 1 2 3)", "6"},
    {"(- 5)", "-5"},
    {"(- 10 3 2)", "5"},
    {"(*)", "1"},
    {"(* 2 3 4)", "24"},
    {"(/ 7 2)", "3"},
    {"(/ -7 2)", "-3"},
    {"(/ 100 5 2)", "10"},
    {"(/ 1 0)", "!t:1:1: division by zero"},
    {"(mod 7 3)", "1"},
    {"(mod -7 3)", "2"},
    {"(mod 7 -3)", "-2"},
    {"(mod -9223372036854775808 -1)", "0"},
    {"(mod 1 0)", "!division by zero"},
    {"(+ 9223372036854775807 1)", "!t:1:1: integer overflow in '+'"},
    {"(- -9223372036854775808 1)", "!integer overflow in '-'"},
    {"(- -9223372036854775808)", "!integer overflow in '-'"},
    {"(* 4611686018427387904 2)", "!integer overflow in '*'"},
    {"(/ -9223372036854775808 -1)", "!integer overflow in '/'"},
    {"(abs -9223372036854775808)", "!integer overflow in 'abs'"},
    {"(+ 1 \"2\")", "!t:1:1: bad argument #2 to '+' (integer expected)"},
    {"(= 1 1 1)", "t"},
    {"(= 1 2)", "nil"},
    {"(/= 1 2)", "t"},
    {"(< 1 2 3)", "t"},
    {"(< 1 3 2)", "nil"},
    {"(> 3 2 1)", "t"},
    {"(<= 1 1 2)", "t"},
    {"(>= 2 2 3)", "nil"},
    {"(< 1 'a)", "!bad argument #2 to '<' (integer expected)"},
    {"(min 3 1 2)", "1"},
    {"(max 3 1 2)", "3"},
    {"(abs -5)", "5"},
    {"(abs 5)", "5"},
    {"(zerop 0)", "t"},
    {"(zerop 1)", "nil"},
    {"(integerp 1)", "t"},
    {"(integerp \"1\")", "nil"},
    /* bits */
    {"(logand #xff #x0f)", "15"},
    {"(logand)", "-1"},
    {"(logior 1 2 4)", "7"},
    {"(logxor 5 1)", "4"},
    {"(lognot 0)", "-1"},
    {"(ash 1 10)", "1024"},
    {"(ash 1024 -3)", "128"},
    {"(ash -8 -1)", "-4"},
    {"(ash -1 -100)", "-1"},
    {"(ash 5 -64)", "0"},
    {"(ash 1 64)", "0"},
    {"(ash 1 63)", "-9223372036854775808"},
    {"(logtest 6 4)", "t"},
    {"(logtest 6 1)", "nil"},
    {"(flags-set? #o644 #o600)", "t"},
    {"(flags-set? #o444 #o600)", "nil"},
    {"(bit-count 255)", "8"},
    {"(bit-count -1)", "64"},
    {"(logand 1 'x)", "!bad argument #2 to 'logand' (integer expected)"},
    /* strings */
    {"(length \"hello\")", "5"},
    {"(length \"a\\0b\")", "3"},
    {"(substring \"hello\" 1 3)", "\"el\""},
    {"(substring \"hello\" 2)", "\"llo\""},
    {"(substring \"hello\" 5)", "\"\""},
    {"(substring \"hello\" 6)", "!bad argument #2 to 'substring' (index out of range)"},
    {"(substring \"hello\" 3 2)", "!bad argument #3 to 'substring' (index out of range)"},
    {"(substring \"hello\" 'a)", "!t:1:1: bad argument #2 to 'substring' (integer expected)"},
    {"(substring 1 2)", "!bad argument #1 to 'substring' (string expected)"},
    {"(concat \"a\" \"\" \"bc\")", "\"abc\""},
    {"(concat)", "\"\""},
    {"(concat \"a\" 1)", "!bad argument #2 to 'concat' (string expected)"},
    {"(string= \"a\" \"a\")", "t"},
    {"(string= \"a\\0b\" \"a\\0c\")", "nil"},
    {"(string< \"ab\" \"b\")", "t"},
    {"(string< \"a\" \"a\")", "nil"},
    {"(string< \"a\" \"ab\")", "t"},
    {"(string> \"b\" \"ab\")", "t"},
    {"(string-prefix? \"/etc\" \"/etc/passwd\")", "t"},
    {"(string-prefix? \"/etcx\" \"/etc\")", "nil"},
    {"(string-suffix? \".conf\" \"a.conf\")", "t"},
    {"(string-suffix? \"x\" \"\")", "nil"},
    {"(string-search \"lo\" \"hello\")", "3"},
    {"(string-search \"z\" \"hello\")", "nil"},
    {"(string-search \"l\" \"hello\" 3)", "3"},
    {"(string-search \"\" \"ab\")", "0"},
    {"(string-search \"a\" \"ab\" 9)", "!bad argument #3 to 'string-search' (index out of range)"},
    {"(split \"a,b,,c\" \",\")", "(\"a\" \"b\" \"\" \"c\")"},
    {"(split \"a::b\" \"::\")", "(\"a\" \"b\")"},
    {"(split \"\" \",\")", "(\"\")"},
    {"(split \"a\" \"\")", "!bad argument #2 to 'split' (empty separator)"},
    {"(upcase \"aBc1\")", "\"ABC1\""},
    {"(downcase \"aBc1\")", "\"abc1\""},
    {"(number->string 42)", "\"42\""},
    {"(number->string -255 16)", "\"-ff\""},
    {"(number->string -9223372036854775808)", "\"-9223372036854775808\""},
    {"(number->string 5 2)", "\"101\""},
    {"(number->string 5 1)",
     "!bad argument #2 to 'number->string' (base must be between 2 and 36)"},
    {"(string->number \"123\")", "123"},
    {"(string->number \"-12\")", "-12"},
    {"(string->number \"#x1f\")", "31"},
    {"(string->number \"ff\" 16)", "255"},
    {"(string->number \"12a\")", "nil"},
    {"(string->number \"\")", "nil"},
    {"(string->number \"99999999999999999999\")", "nil"},
    {"(stringp \"\")", "t"},
    {"(stringp 'a)", "nil"},
    {"(symbolp 'a)", "t"},
    {"(symbolp \"a\")", "nil"},
    {"(keywordp :a)", "t"},
    {"(string-byte \"A\\xff\" 1)", "255"},
    {"(string-byte \"A\" 1)", "!bad argument #2 to 'string-byte' (index out of range)"},
    {"(symbol-name 'foo)", "\"foo\""},
    {"(symbol-name \"foo\")", "!bad argument #1 to 'symbol-name' (symbol expected)"},
    {"(error \"bad value: \" 42)", "!t:1:1: bad value: 42"},
    {"(progn\n  (error \"x\"))", "!t:2:3: x"},
    /* glob */
    {"(glob-match? \"/usr/*/bin\" \"/usr/local/bin\")", "t"},
    {"(glob-match? \"/usr/*\" \"/usr/local/bin\")", "nil"},
    {"(glob-match? \"/usr/**\" \"/usr/local/bin\")", "t"},
    {"(glob-match? \"/usr/**/bin\" \"/usr/bin\")", "t"},
    {"(glob-match? \"/usr/**/bin\" \"/usr/a/b/bin\")", "t"},
    {"(glob-match? \"*.c\" \"main.c\")", "t"},
    {"(glob-match? \"*.c\" \"dir/main.c\")", "nil"},
    {"(glob-match? \"?.c\" \"a.c\")", "t"},
    {"(glob-match? \"?\" \"/\")", "nil"},
    {"(glob-match? \"[abc]x\" \"bx\")", "t"},
    {"(glob-match? \"[a-z]x\" \"Qx\")", "nil"},
    {"(glob-match? \"[!a-z]x\" \"Qx\")", "t"},
    {"(glob-match? \"[!x]\" \"x\")", "nil"},
    {"(glob-match? \"[]]\" \"]\")", "t"},
    {"(glob-match? \"a[\" \"a[\")", "t"},
    {"(glob-match? \"\\\\*\" \"*\")", "t"},
    {"(glob-match? \"\\\\*\" \"x\")", "nil"},
    {"(glob-match? \"\" \"\")", "t"},
    {"(glob-match? \"*\" \"\")", "t"},
    {"(glob-match? \"*a*a*a*a*a*a*a*b\" \"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\")",
     "nil"},
    /* paths */
    {"(path-normalize \"/a//b/./c/..\")", "\"/a/b\""},
    {"(path-normalize \"/../../etc\")", "\"/etc\""},
    {"(path-normalize \"/\")", "\"/\""},
    {"(path-normalize \"//\")", "\"/\""},
    {"(path-normalize \"/a/b/\")", "\"/a/b\""},
    {"(path-normalize \"a/../../b\")", "\"../b\""},
    {"(path-normalize \"./\")", "\".\""},
    {"(path-normalize \"\")", "\".\""},
    {"(path-normalize \"/a/../..\")", "\"/\""},
    {"(path-normalize \"../..\")", "\"../..\""},
    {"(path-under? \"/var/mail/x\" \"/var/mail\")", "t"},
    {"(path-under? \"/var/mail\" \"/var/mail/\")", "t"},
    {"(path-under? \"/var/mailx\" \"/var/mail\")", "nil"},
    {"(path-under? \"/var/mail/../../etc/passwd\" \"/var/mail\")", "nil"},
    {"(path-under? \"/etc\" \"/\")", "t"},
    {"(path-under? \"var/mail\" \"/var\")", "nil"},
    {"(path-under? \"/var\" \"/var/mail\")", "nil"},
    /* the policy shape from the spec, with stand-ins for the host forms */
    {"(defun read-only? (flags) (= (logand flags 3) 0))\n"
     "(defun ok (path flags)\n"
     "  (or (path-under? path \"/var/mail\")\n"
     "      (and (path-under? path \"/etc/popd\") (read-only? flags))))\n"
     "(list (ok \"/var/mail/u\" 2) (ok \"/etc/popd/c\" 0) (ok \"/etc/popd/c\" 1))",
     "(t t nil)"},
    /* errors point at the innermost form being evaluated */
    {"(defun f (x)\n  (+ x\n     (car x)))\n(f 1)", "!t:3:6: bad argument #1 to 'car'"},
    {"(list 1\n (list 2\n  (substring \"ab\" 5)))", "!t:3:3: bad argument #2 to 'substring'"},
    {NULL, NULL},
};

static void run_case(const struct lcase *c, bool stress)
{
	char got[4096];
	vl_state *st = vl_new(NULL);
	if (!st) {
		tap_ok(0, "vl_new");
		return;
	}
	if (stress)
		vl_set_gc_stress(st, true);
	int rc = vl_load_string(st, "t", c->src, strlen(c->src));
	if (rc == 0)
		vl_print(vl_last_result(st), got, sizeof(got));
	else
		snprintf(got, sizeof(got), "!%s", vl_error(st));
	bool ok;
	if (c->want[0] == '!')
		ok = rc < 0 && strstr(got, c->want + 1) != NULL;
	else
		ok = rc == 0 && strcmp(got, c->want) == 0;
	char name[64];
	size_t i;
	for (i = 0; c->src[i] && i < sizeof(name) - 1; i++)
		name[i] = (unsigned char)c->src[i] < 0x20 || c->src[i] == 0x7f ? ' ' : c->src[i];
	name[i] = 0;
	if (!tap_ok(ok, "%s%s", stress ? "[gc stress] " : "", name))
		tap_diag("got '%s', want '%s'", got, c->want);
	vl_free(st);
}

static vl_state *new_state(const struct vl_limits *lim)
{
	vl_state *st = vl_new(lim);
	if (!st) {
		fprintf(stderr, "vl_new failed\n");
		exit(1);
	}
	return st;
}

static int load(vl_state *st, const char *src)
{
	return vl_load_string(st, "t", src, strlen(src));
}

static void test_unbound_location(void)
{
	vl_state *st = new_state(NULL);
	tap_ok(load(st, "\n  undefined-thing") < 0 &&
		   strcmp(vl_error(st), "t:2:3: unbound variable 'undefined-thing'") == 0,
	       "a bare unbound symbol is an error: %s", vl_error(st));
	vl_free(st);
}

static void test_bigstrings(void)
{
	vl_state *st = new_state(NULL);
	size_t n = 1 << 20, len;
	char *src = malloc(n + 64);
	int pos = sprintf(src, "(setq s \"");
	memset(src + pos, 'x', n);
	pos += (int)n;
	pos += sprintf(src + pos, "\") (concat s \"\\0end\")");
	tap_ok(vl_load_string(st, "big", src, (size_t)pos) == 0, "1 MiB string literal loads");
	const char *s = vl_string(vl_last_result(st), &len);
	tap_ok(s && len == n + 4 && s[n] == 0 && memcmp(s + n + 1, "end", 3) == 0 && s[len] == 0,
	       "bigstring keeps an embedded NUL and its length");
	tap_ok(load(st, "(length (concat s s))") == 0 &&
		   vl_int(vl_last_result(st)) == 2 * (int64_t)n,
	       "concat of two 1 MiB strings");
	tap_ok(load(st, "(string-search \"\\0end\" (concat s \"\\0end\"))") == 0 &&
		   vl_int(vl_last_result(st)) == (int64_t)n,
	       "search finds past an embedded NUL");
	free(src);
	vl_free(st);
}

static void test_limits(void)
{
	/* In GC stress mode every allocation collects: keep the heaps small. */
	bool stress = getenv("VXE_GC_STRESS") != NULL;
	char want[128];
	struct vl_limits small = {.max_steps = stress ? 10000 : 100000};
	vl_state *st = new_state(&small);
	snprintf(want, sizeof(want), "step limit exceeded (%d steps)", stress ? 10000 : 100000);
	tap_ok(load(st, "(defun loop (n) (if (= n 0) 0 (progn (loop (- n 1)) (loop (- n 1)))))\n"
			"(loop 100)") < 0 &&
		   strstr(vl_error(st), want) && strncmp(vl_error(st), "t:1:", 4) == 0,
	       "runaway recursion hits the step limit at a location: %s", vl_error(st));
	tap_ok(load(st, "(+ 1 2)") == 0 && vl_int(vl_last_result(st)) == 3,
	       "the budget is fresh for the next call");
	vl_free(st);

	struct vl_limits steps = {.max_steps = 100000};
	st = new_state(&steps);
	tap_ok(
	    load(st,
		 "(setq s \"0123456789abcdef\")\n"
		 "(defun dbl (s n) (if (= n 0) s (dbl (concat s s) (- n 1))))\n"
		 "(setq s (dbl s 14))\n"
		 "(defun scan (n) (if (= n 0) 0 (progn (string-search \"z\" s) (scan (- n 1)))))\n"
		 "(scan 200)") < 0 &&
		strstr(vl_error(st), "t:4:") && strstr(vl_error(st), "step limit exceeded"),
	    "work on big strings is charged to the step limit: %s", vl_error(st));
	vl_free(st);

	st = new_state(NULL);
	tap_ok(load(st, "(defun down (n) (+ 1 (down n)))\n(down 1)") < 0 &&
		   strstr(vl_error(st), "nesting too deep (limit 1000)") &&
		   strncmp(vl_error(st), "t:1:", 4) == 0,
	       "deep recursion hits the depth limit: %s", vl_error(st));
	tap_ok(load(st, "(defun d (n) (if (= n 0) 0 (+ 1 (d (- n 1))))) (d 300)") == 0 &&
		   vl_int(vl_last_result(st)) == 300,
	       "moderate recursion is fine");

	size_t n = 100000;
	char *src = malloc(2 * n + 8);
	memset(src, '(', n);
	tap_ok(vl_load_string(st, "deep", src, n) < 0 &&
		   strcmp(vl_error(st), "deep:1:1001: nesting too deep (limit 1000)") == 0,
	       "100 000 nested '(' is a located error: %s", vl_error(st));
	memset(src, '\'', n);
	src[n] = 'x';
	tap_ok(vl_load_string(st, "deep", src, n + 1) < 0 &&
		   strstr(vl_error(st), "nesting too deep"),
	       "100 000 nested quotes is an error");
	free(src);

	/* Build a list nested far deeper than the reader allows, at run
	 * time, then print it, compare it, and collect it. */
	const char *form = "(setq x (list x) y (list y))\n";
	size_t reps = stress ? 2000 : 50000;
	src = malloc(strlen(form) * reps + 64);
	size_t len = 0;
	len += (size_t)sprintf(src, "(setq x 1 y 1)");
	for (size_t i = 0; i < reps; i++)
		len += (size_t)sprintf(src + len, "%s", form);
	tap_ok(vl_load_string(st, "nest", src, len) == 0, "deep data built at run time");
	char buf[64];
	size_t plen = vl_print(vl_last_result(st), buf, sizeof(buf));
	tap_ok(plen > 0 && strncmp(buf, "((((", 4) == 0, "printing deep data is bounded (%zu)",
	       plen);
	tap_ok(load(st, "(equal x x)") == 0, "equal on the same deep list is quick");
	tap_ok(load(st, "(equal x y)") < 0 && strstr(vl_error(st), "nesting too deep"),
	       "equal on deep data is bounded: %s", vl_error(st));
	free(src);
	vl_free(st);

	struct vl_limits mem = {.max_memory = stress ? 256 << 10 : 4 << 20};
	st = new_state(&mem);
	snprintf(want, sizeof(want), "out of memory (limit %zu bytes)", mem.max_memory);
	tap_ok(load(st, "(setq s \"xxxxxxxxxxxxxxxx\")\n"
			"(defun grow (s) (grow (concat s s)))\n(grow s)") < 0 &&
		   strstr(vl_error(st), want),
	       "allocation bomb hits the memory cap: %s", vl_error(st));
	tap_ok(load(st, "(defun mk (n) (if (= n 0) nil (cons n (mk (- n 1)))))\n"
			"(defun bomb (l) (bomb (append l l)))\n(bomb (mk 100))") < 0 &&
		   strstr(vl_error(st), "out of memory"),
	       "cons bomb hits the memory cap: %s", vl_error(st));
	tap_ok(load(st, "(length (concat \"ab\" \"cd\"))") == 0 && vl_int(vl_last_result(st)) == 4,
	       "the state still works after running out of memory");
	vl_free(st);
}

static void test_huge_sources(void)
{
	size_t n = 10u << 20;
	char *src = malloc(n + 16);
	vl_state *st = new_state(NULL);
	src[0] = '"';
	memset(src + 1, 'y', n);
	src[n + 1] = '"';
	tap_ok(vl_load_string(st, "huge", src, n + 2) == 0 &&
		   vl_typeof(vl_last_result(st)) == VL_STRING,
	       "10 MB string literal");
	vl_free(st);

	/* Many small forms: in GC stress mode a collection per allocation
	 * makes this quadratic, so use a tenth of it there. */
	size_t total = getenv("VXE_GC_STRESS") ? n / 10 : n, len = 0;
	st = new_state(NULL);
	while (len + 16 < total)
		len += (size_t)sprintf(src + len, "(+ 1 %d)\n", (int)(len % 1000));
	int rc = vl_load_string(st, "many", src, len);
	tap_ok(rc == 0 || strstr(vl_error(st), "step limit"), "%zu bytes of small forms: %s", len,
	       rc ? vl_error(st) : "ok");
	vl_free(st);
	free(src);
}

static const char *const program =
    "(defun f (x) (if (= x 0) nil (cons (concat \"n\" (number->string x)) (f (- x 1)))))\n"
    "(setq l (f 10))\n"
    "(setq m (mapcar (lambda (s) (list s (length s) (upcase s))) l))\n"
    "(let ((a 1) (b '(x y))) (append b (list a) (split \"p,q,r\" \",\")))\n"
    "(defun g (p) (and (path-under? p \"/var\") (glob-match? \"/var/**\" p)))\n"
    "(list (g \"/var/a/../b\") (assoc \"n3\" m) (reverse l) 'sym :kw \"s\\0t\")\n";

static void test_alloc_failures(void)
{
	int crashes = 0, failed = 0, passed = 0;
	for (uint64_t n = 1; n < 5000; n++) {
		vl_state *st = new_state(NULL);
		vl_fail_alloc_after(st, n);
		int rc = vl_load_string(st, "t", program, strlen(program));
		if (rc < 0 && !strstr(vl_error(st), "out of memory"))
			crashes++;
		if (rc < 0)
			failed++;
		else
			passed++;
		vl_free(st);
		if (rc == 0 && passed > 3)
			break;
	}
	tap_ok(crashes == 0 && failed > 50 && passed > 0,
	       "failing each allocation in turn: %d failed cleanly, then it passed", failed);
}

struct capture {
	char text[256];
	int calls;
};

static vl_value *sf_capture(vl_state *st, vl_value *form, void *ud)
{
	struct capture *c = ud;
	vl_value *v;
	if (vl_list_length(form) != 2)
		vl_raisef(st, form, "capture takes one form");
	if (vl_eval(st, vl_car(vl_cdr(form)), &v) < 0)
		vl_raisef(st, NULL, "%s", vl_error(st)); /* re-raised unchanged */
	vl_print(v, c->text, sizeof(c->text));
	c->calls++;
	return v;
}

static vl_value *sf_fails(vl_state *st, vl_value *form, void *ud)
{
	vl_raisef(st, vl_car(vl_cdr(form)), "host says no");
}

/* (mk PARAMS BODY...) makes a global closure the way the policy loader does. */
static vl_value *sf_mk(vl_state *st, vl_value *form, void *ud)
{
	return vl_make_lambda(st, vl_car(vl_cdr(form)), vl_cdr(vl_cdr(form)));
}

static void test_host_api(void)
{
	struct capture cap = {.calls = 0};
	vl_state *st = new_state(NULL);
	tap_ok(vl_def_special(st, "capture", sf_capture, &cap) == 0, "vl_def_special");
	tap_ok(vl_def_special(st, "fails", sf_fails, NULL) == 0, "vl_def_special 2");
	tap_ok(vl_def_int(st, "O_RDWR", 2) == 0 && vl_def_int(st, "AF_INET", 2) == 0, "vl_def_int");
	tap_ok(load(st, "(capture (+ O_RDWR 40))") == 0 && strcmp(cap.text, "42") == 0 &&
		   cap.calls == 1,
	       "host special form with vl_eval");
	tap_ok(load(st, "(capture\n  (car 1))") < 0 &&
		   strcmp(vl_error(st), "t:2:3: bad argument #1 to 'car' (list expected)") == 0,
	       "nested error re-raised unchanged: %s", vl_error(st));
	tap_ok(load(st, "(fails\n (a b))") < 0 && strcmp(vl_error(st), "t:2:2: host says no") == 0,
	       "vl_raisef at a form: %s", vl_error(st));
	tap_ok(load(st, "(fails x)") < 0 && strcmp(vl_error(st), "t:1:1: host says no") == 0,
	       "vl_raisef at an atom falls back to the form: %s", vl_error(st));
	tap_ok(load(st, "(capture)") < 0 && strstr(vl_error(st), "t:1:1: capture takes one form"),
	       "host form argument check");
	tap_ok(vl_def_special(st, "mk", sf_mk, NULL) == 0, "vl_def_special mk");
	tap_ok(load(st, "(setq y 5)") == 0, "a global for the next test");
	tap_ok(load(st, "(let ((y 100)) (setq f (mk (x) (+ x y)))) (f 1)") == 0 &&
		   vl_int(vl_last_result(st)) == 6,
	       "vl_make_lambda closes over the globals only");
	tap_ok(load(st, "(mk (x\n  x) 1)") < 0 &&
		   strcmp(vl_error(st), "t:2:3: malformed 'lambda' (duplicate parameter 'x')") == 0,
	       "vl_make_lambda checks its parameters: %s", vl_error(st));
	tap_ok(load(st, "(mk 5 1)") < 0 && strstr(vl_error(st), "t:1:1: parameter list expected"),
	       "vl_make_lambda wants a list: %s", vl_error(st));

	/* the value of a form, kept with vl_pin across collections */
	tap_ok(load(st, "(defun check (p flags) (and (path-under? p \"/var/mail\") "
			"(= (logand flags 3) 0)))") == 0,
	       "define a check");
	tap_ok(load(st, "check") == 0, "get the closure");
	int h = vl_pin(st, (vl_value *)vl_last_result(st));
	tap_ok(h >= 0, "vl_pin");
	load(st, "(setq check nil) (list 1 2 3)");
	vl_set_gc_stress(st, true);
	load(st, "(list 1 2 3)");
	struct vl_arg args[2] = {{.kind = VL_ARG_STRING, .s = "/var/mail/u", .len = 11},
				 {.kind = VL_ARG_INT, .i = 0}};
	int truth = -1;
	tap_ok(vl_call_c(st, vl_pinned(st, h), 2, args, &truth) == 0 && truth == 1,
	       "vl_call_c true");
	args[1].i = 1;
	tap_ok(vl_call_c(st, vl_pinned(st, h), 2, args, &truth) == 0 && truth == 0,
	       "vl_call_c false");
	args[0].kind = VL_ARG_NIL;
	tap_ok(vl_call_c(st, vl_pinned(st, h), 2, args, &truth) < 0 &&
		   strstr(vl_error(st), "bad argument #1 to 'path-under?' (string expected)"),
	       "vl_call_c type error: %s", vl_error(st));
	tap_ok(vl_call_c(st, vl_pinned(st, h), 1, args, &truth) < 0 &&
		   strstr(vl_error(st), "wrong number of arguments to 'check'"),
	       "vl_call_c arity error: %s", vl_error(st));
	vl_unpin(st, h);
	tap_ok(vl_is_nil(vl_pinned(st, h)), "vl_unpin");
	load(st, "(list 1 2 3)");

	load(st, "car");
	h = vl_pin(st, (vl_value *)vl_last_result(st));
	struct vl_arg l = {.kind = VL_ARG_NIL};
	tap_ok(vl_call_c(st, vl_pinned(st, h), 1, &l, &truth) == 0 && truth == 0,
	       "vl_call_c on a builtin");
	tap_ok(vl_call_c(st, NULL, 0, NULL, &truth) < 0, "vl_call_c on a non-function");
	vl_set_gc_stress(st, false);

	struct vl_limits lim = {.max_steps = 1000};
	vl_state *s2 = new_state(&lim);
	load(s2, "(defun spin (n) (if (= n 0) 0 (progn (spin (- n 1)) (spin (- n 1)))))"
		 "(lambda (x) (spin x))");
	h = vl_pin(s2, (vl_value *)vl_last_result(s2));
	struct vl_arg a5 = {.kind = VL_ARG_INT, .i = 5}, a50 = {.kind = VL_ARG_INT, .i = 50};
	tap_ok(vl_call_c(s2, vl_pinned(s2, h), 1, &a50, &truth) < 0 &&
		   strstr(vl_error(s2), "step limit"),
	       "vl_call_c honours the step limit");
	tap_ok(vl_call_c(s2, vl_pinned(s2, h), 1, &a5, &truth) == 0,
	       "and gives each call a fresh budget");
	vl_free(s2);

	/* reading only, and locations on the conses the reader made */
	size_t nforms = 99;
	const char *four = "(a b) c \"d\" (e\n (f))";
	tap_ok(vl_read_check(st, "r.vxed", four, strlen(four), &nforms) == 0 && nforms == 4,
	       "vl_read_check counts forms (%zu)", nforms);
	tap_ok(vl_read_check(st, "r.vxed", "(a b", 4, &nforms) < 0 && nforms == 0 &&
		   strcmp(vl_error(st), "r.vxed:1:1: unclosed '('") == 0,
	       "vl_read_check reports errors: %s", vl_error(st));
	tap_ok(vl_read_check(st, "r.vxed", "(undefined-fn)", 14, &nforms) == 0,
	       "vl_read_check does not evaluate");

	tap_ok(load(st, "(capture '(a\n  (b c)))") == 0, "quote a list");
	tap_ok(strcmp(cap.text, "(a (b c))") == 0, "captured list");
	tap_ok(load(st, "'(a\n    (b c))") == 0, "quote a list again");
	const vl_value *v = vl_last_result(st);
	struct vl_loc loc;
	tap_ok(vl_loc(st, v, &loc) && loc.line == 1 && loc.col == 2 && strcmp(loc.file, "t") == 0,
	       "vl_loc of a list: %d:%d", loc.line, loc.col);
	tap_ok(vl_loc(st, vl_car(vl_cdr(v)), &loc) && loc.line == 2 && loc.col == 5,
	       "vl_loc of a nested list: %d:%d", loc.line, loc.col);
	tap_ok(!vl_loc(st, vl_car(v), &loc), "no location on a symbol");
	tap_ok(vl_list_length(v) == 2 && vl_typeof(v) == VL_CONS &&
		   strcmp(vl_symbol_name(vl_car(v)), "a") == 0,
	       "inspection");
	tap_ok(vl_list_length(vl_car(v)) == 0 && vl_int(v) == 0 && !vl_string(v, NULL) &&
		   !vl_symbol_name(v) && vl_is_nil(vl_car(vl_car(v))),
	       "inspection accepts anything");
	tap_ok(load(st, "(cons 1 2)") == 0 && vl_list_length(vl_last_result(st)) == 0,
	       "a dotted list has no list length");
	vl_free(st);
	vl_free(NULL);
	tap_ok(1, "vl_free(NULL)");
}

static void test_print(void)
{
	vl_state *st = new_state(NULL);
	char buf[8];
	load(st, "\"abcdefghij\"");
	size_t n = vl_print(vl_last_result(st), buf, sizeof(buf));
	tap_ok(n == 12 && strcmp(buf, "\"abcdef") == 0, "vl_print truncates and returns length");
	tap_ok(vl_print(vl_last_result(st), NULL, 0) == 12, "vl_print with size 0");
	char big[64];
	load(st, "(list car (lambda (x) x) (defun named () 1) \"\\x01\\x7f\")");
	vl_print(vl_last_result(st), big, sizeof(big));
	TAP_STREQ(big, "(#<builtin car> #<lambda> named \"\\x01\\x7f\")", "print functions");
	load(st, "named");
	vl_print(vl_last_result(st), big, sizeof(big));
	TAP_STREQ(big, "#<lambda named>", "print a named closure");
	vl_free(st);
}

static void test_errors_clear(void)
{
	vl_state *st = new_state(NULL);
	TAP_STREQ(vl_error(st), "", "no error initially");
	load(st, "(car 1)");
	tap_ok(vl_error(st)[0] != 0, "error set");
	load(st, "1");
	TAP_STREQ(vl_error(st), "", "error cleared by the next call");
	tap_ok(load(st, "(setq a 1) (car a) (setq a 2)") < 0, "error stops the load");
	load(st, "a");
	tap_ok(vl_int(vl_last_result(st)) == 1, "forms before the error keep their effect");
	vl_free(st);
}

#define TIMED(call)                                                                                \
	do {                                                                                       \
		struct timespec t0_, t1_;                                                          \
		clock_gettime(CLOCK_MONOTONIC, &t0_);                                              \
		call;                                                                              \
		clock_gettime(CLOCK_MONOTONIC, &t1_);                                              \
		tap_diag("%s: %.2f s", #call,                                                      \
			 (double)(t1_.tv_sec - t0_.tv_sec) + (t1_.tv_nsec - t0_.tv_nsec) / 1e9);   \
	} while (0)

int main(void)
{
	bool stress = getenv("VXE_GC_STRESS") != NULL;
	for (const struct lcase *c = cases; c->src; c++)
		run_case(c, false);
	/* every case once more with a collection on every allocation */
	if (!stress)
		for (const struct lcase *c = cases; c->src; c++)
			run_case(c, true);
	TIMED(test_unbound_location());
	TIMED(test_bigstrings());
	TIMED(test_limits());
	TIMED(test_huge_sources());
	TIMED(test_alloc_failures());
	TIMED(test_host_api());
	TIMED(test_print());
	TIMED(test_errors_clear());
	return tap_done();
}
