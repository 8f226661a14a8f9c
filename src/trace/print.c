/* The canonical printer: one layout for every VXED, whether it comes from a
 * trace or from a file. Sorted names, paths and ports; one form per group;
 * fixed wrapping. Loading what it prints and printing again gives the same
 * text, so generated VXEDs diff cleanly between runs and after merges.
 */
#include <errno.h>
#include <netinet/in.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "trace/trace_internal.h"
#include "util/termsafe.h"
#include "util/utf8.h"
#include "vxe/landlock.h"

#define WRAP	    80 /* names are wrapped before this column */
#define COMMENT_COL 48 /* trailing comments start here (or after the text) */

void vxe_buf_add(struct vxe_buf *b, const char *s, size_t n)
{
	if (b->oom)
		return;
	if (b->len + n + 1 > b->cap) {
		size_t cap = b->cap ? b->cap : 4096;
		while (cap < b->len + n + 1)
			cap *= 2;
		char *p = realloc(b->s, cap);
		if (!p) {
			b->oom = true;
			return;
		}
		b->s = p;
		b->cap = cap;
	}
	memcpy(b->s + b->len, s, n);
	b->len += n;
	b->s[b->len] = 0;
}

void vxe_buf_puts(struct vxe_buf *b, const char *s)
{
	vxe_buf_add(b, s, strlen(s));
}

__attribute__((format(printf, 2, 0))) static void buf_vprintf(struct vxe_buf *b, const char *fmt,
							      va_list ap)
{
	char small[512];
	va_list again;
	va_copy(again, ap);
	int n = vsnprintf(small, sizeof small, fmt, ap);
	if (n < 0) {
		va_end(again);
		return;
	}
	if ((size_t)n < sizeof small) {
		vxe_buf_add(b, small, (size_t)n);
		va_end(again);
		return;
	}
	char *big = malloc((size_t)n + 1);
	if (!big) {
		b->oom = true;
		va_end(again);
		return;
	}
	vsnprintf(big, (size_t)n + 1, fmt, again);
	va_end(again);
	vxe_buf_add(b, big, (size_t)n);
	free(big);
}

void vxe_buf_printf(struct vxe_buf *b, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	buf_vprintf(b, fmt, ap);
	va_end(ap);
}

void vxe_buf_lisp_string(struct vxe_buf *b, const char *s)
{
	vxe_buf_add(b, "\"", 1);
	for (const unsigned char *c = (const unsigned char *)s; *c; c++) {
		if (*c == '"' || *c == '\\') {
			char e[2] = {'\\', (char)*c};
			vxe_buf_add(b, e, 2);
		} else if (*c < 0x20 || *c >= 0x7f) {
			/* Any byte a program put in a path survives the round
			 * trip, and the file stays printable ASCII. */
			char e[5];
			snprintf(e, sizeof e, "\\x%02x", *c);
			vxe_buf_add(b, e, 4);
		} else {
			vxe_buf_add(b, (const char *)c, 1);
		}
	}
	vxe_buf_add(b, "\"", 1);
}

/* The n bytes at s, each character that could act on a terminal or on the
 * layout of a VXED as a visible escape. */
static void safe_text(struct vxe_buf *b, const unsigned char *s, size_t n)
{
	for (size_t i = 0; i < n;) {
		size_t k = vxe_utf8_len(s + i, n - i);
		char e[16];
		if (k == 0 || (k == 1 && (s[i] < 0x20 || s[i] == 0x7f))) {
			/* C0 (newline, CR, ESC...), DEL, a byte that is not UTF-8. */
			snprintf(e, sizeof e, "\\x%02x", s[i]);
			vxe_buf_puts(b, e);
			i++;
			continue;
		}
		uint32_t c = vxe_termsafe_cp(s + i, k);
		if ((c >= 0x80 && c < 0xa0) || vxe_termsafe_invisible(c)) {
			/* C1 (CSI, NEL...) and the invisible ones. */
			snprintf(e, sizeof e, c > 0xffff ? "\\U%08x" : "\\u%04x", (unsigned)c);
			vxe_buf_puts(b, e);
		} else {
			vxe_buf_add(b, (const char *)s + i, k);
		}
		i += k;
	}
}

void vxe_buf_comment_text(struct vxe_buf *b, const char *s, size_t max)
{
	size_t len = strlen(s), n = len < max ? len : max;
	/* Not in the middle of a character. */
	for (unsigned back = 0; n < len && n > 0 && back < 3 && (s[n] & 0xc0) == 0x80; back++)
		n--;
	safe_text(b, (const unsigned char *)s, n);
	if (n < len)
		vxe_buf_puts(b, "...");
}

void vxe_trace_warnf(FILE *f, const char *fmt, ...)
{
	if (!f)
		return;
	struct vxe_buf raw = {0}, out = {0};
	va_list ap;
	va_start(ap, fmt);
	buf_vprintf(&raw, fmt, ap);
	va_end(ap);
	if (raw.s)
		safe_text(&out, (const unsigned char *)raw.s, raw.len);
	vxe_buf_puts(&out, "\n");
	if (!raw.oom && !out.oom)
		fputs(out.s, f);
	free(raw.s);
	free(out.s);
}

static char *dup_or_null(const char *s, bool *ok)
{
	if (!s)
		return NULL;
	char *d = strdup(s);
	if (!d)
		*ok = false;
	return d;
}

void vxe_doc_free(struct vxe_doc *d)
{
	if (!d)
		return;
	free(d->name);
	for (size_t i = 0; i < d->nactivate; i++)
		free(d->activate[i]);
	free(d->activate);
	free(d->header);
	free(d->unchecked_comment);
	free(d->permit_comment);
	free(d->files_comment);
	free(d->network_comment);
	free(d->tail);
	for (size_t i = 0; i < d->nunchecked; i++) {
		free(d->unchecked[i].name);
		free(d->unchecked[i].comment);
	}
	free(d->unchecked);
	for (size_t i = 0; i < d->npermit; i++) {
		free(d->permit[i].name);
		free(d->permit[i].comment);
	}
	free(d->permit);
	for (size_t i = 0; i < d->npreds; i++) {
		free(d->preds[i].name);
		free(d->preds[i].params);
		free(d->preds[i].body);
		free(d->preds[i].comment);
	}
	free(d->preds);
	for (size_t i = 0; i < d->npaths; i++) {
		free(d->paths[i].path);
		free(d->paths[i].comment);
	}
	free(d->paths);
	for (size_t i = 0; i < d->nnet; i++)
		free(d->net[i].comment);
	free(d->net);
	memset(d, 0, sizeof *d);
}

/* Grows *arr by one element of size sz; false on failure. */
static bool grow(void *arr, size_t *n, size_t sz)
{
	void **a = arr;
	void *p = realloc(*a, (*n + 1) * sz);
	if (!p)
		return false;
	*a = p;
	memset((char *)p + *n * sz, 0, sz);
	(*n)++;
	return true;
}

bool vxe_doc_add_name(struct vxe_doc *d, bool unchecked, const char *name, const char *comment)
{
	struct vxe_doc_name **arr = unchecked ? &d->unchecked : &d->permit;
	size_t *n = unchecked ? &d->nunchecked : &d->npermit;
	if (!grow(arr, n, sizeof **arr))
		return false;
	bool ok = true;
	(*arr)[*n - 1].name = dup_or_null(name, &ok);
	(*arr)[*n - 1].comment = dup_or_null(comment, &ok);
	return ok;
}

bool vxe_doc_add_pred(struct vxe_doc *d, const char *name, const char *params, const char *body,
		      const char *comment)
{
	if (!grow(&d->preds, &d->npreds, sizeof *d->preds))
		return false;
	bool ok = true;
	struct vxe_doc_pred *p = &d->preds[d->npreds - 1];
	p->name = dup_or_null(name, &ok);
	p->params = dup_or_null(params, &ok);
	p->body = dup_or_null(body, &ok);
	p->comment = dup_or_null(comment, &ok);
	return ok;
}

bool vxe_doc_add_path(struct vxe_doc *d, unsigned bit, const char *path, const char *comment)
{
	if (!grow(&d->paths, &d->npaths, sizeof *d->paths))
		return false;
	bool ok = true;
	d->paths[d->npaths - 1].bit = bit;
	d->paths[d->npaths - 1].path = dup_or_null(path, &ok);
	d->paths[d->npaths - 1].comment = dup_or_null(comment, &ok);
	return ok;
}

bool vxe_doc_add_net(struct vxe_doc *d, enum vxe_net_op op, int proto, int port,
		     const char *comment)
{
	if (!grow(&d->net, &d->nnet, sizeof *d->net))
		return false;
	bool ok = true;
	struct vxe_doc_net *n = &d->net[d->nnet - 1];
	n->op = op;
	n->proto = port == -1 ? 0 : proto;
	n->port = port;
	n->comment = dup_or_null(comment, &ok);
	return ok;
}

/* ---- printing ----------------------------------------------------------- */

static void comment_lines(struct vxe_buf *b, const char *text, const char *indent)
{
	if (!text)
		return;
	const char *s = text;
	while (*s) {
		const char *e = strchr(s, '\n');
		size_t n = e ? (size_t)(e - s) : strlen(s);
		vxe_buf_puts(b, indent);
		vxe_buf_puts(b, n ? ";; " : ";;");
		safe_text(b, (const unsigned char *)s, n);
		vxe_buf_puts(b, "\n");
		s += n + (e ? 1 : 0);
	}
}

static size_t line_len(const struct vxe_buf *b)
{
	size_t i = b->len;
	while (i > 0 && b->s[i - 1] != '\n')
		i--;
	return b->len - i;
}

static void trailing_comment(struct vxe_buf *b, const char *comment)
{
	if (!comment || !*comment)
		return;
	size_t col = line_len(b);
	if (col < COMMENT_COL)
		vxe_buf_printf(b, "%*s", (int)(COMMENT_COL - col), "");
	else
		vxe_buf_puts(b, " ");
	vxe_buf_puts(b, "; ");
	vxe_buf_comment_text(b, comment, 400);
}

static int name_cmp(const void *a, const void *b)
{
	return strcmp(((const struct vxe_doc_name *)a)->name,
		      ((const struct vxe_doc_name *)b)->name);
}

static int pred_cmp(const void *a, const void *b)
{
	return strcmp(((const struct vxe_doc_pred *)a)->name,
		      ((const struct vxe_doc_pred *)b)->name);
}

static int path_cmp(const void *a, const void *b)
{
	const struct vxe_doc_path *x = a, *y = b;
	if (x->bit != y->bit)
		return x->bit < y->bit ? -1 : 1;
	return vxe_gen_path_cmp(x->path, y->path);
}

static int net_cmp(const void *a, const void *b)
{
	const struct vxe_doc_net *x = a, *y = b;
	if (x->op != y->op)
		return x->op < y->op ? -1 : 1;
	if (x->proto != y->proto)
		return x->proto < y->proto ? -1 : 1;
	if (x->port != y->port)
		return x->port < y->port ? -1 : 1;
	return 0;
}

/* (KEYWORD a b c ...) wrapped under the first name; names with comments
 * each get a line of their own. */
static void print_names(struct vxe_buf *b, const char *form, const struct vxe_doc_name *v, size_t n)
{
	size_t indent = strlen(form) + 2;
	vxe_buf_printf(b, "(%s", form);
	size_t col = indent - 1;
	for (size_t i = 0; i < n; i++) {
		size_t w = strlen(v[i].name);
		bool prev_comment = i > 0 && v[i - 1].comment && *v[i - 1].comment;
		bool own_line = (v[i].comment && *v[i].comment) || prev_comment;
		if (i > 0 && (own_line || col + 1 + w + (i + 1 == n ? 1 : 0) > WRAP)) {
			vxe_buf_printf(b, "\n%*s", (int)indent, "");
			col = indent;
		} else {
			vxe_buf_puts(b, " ");
			col++;
		}
		vxe_buf_puts(b, v[i].name);
		col += w;
		if (i + 1 == n)
			vxe_buf_puts(b, ")");
		if (v[i].comment && *v[i].comment)
			trailing_comment(b, v[i].comment);
	}
	vxe_buf_puts(b, "\n");
}

static const char *access_word(unsigned bit)
{
	return bit == VXE_FS_READ ? "read" : bit == VXE_FS_WRITE ? "write" : "execute";
}

static void print_files(struct vxe_buf *b, struct vxe_doc *d)
{
	vxe_buf_puts(b, "(files");
	if (d->npaths == 0) {
		vxe_buf_puts(b, ")\n");
		return;
	}
	for (size_t i = 0; i < d->npaths;) {
		size_t j = i;
		while (j < d->npaths && d->paths[j].bit == d->paths[i].bit)
			j++;
		const char *w = access_word(d->paths[i].bit);
		vxe_buf_printf(b, "\n  (%s", w);
		for (size_t k = i; k < j; k++) {
			if (k == i)
				vxe_buf_puts(b, " ");
			else
				vxe_buf_printf(b, "\n%*s", (int)strlen(w) + 4, "");
			vxe_buf_lisp_string(b, d->paths[k].path);
			if (k + 1 == j)
				vxe_buf_puts(b, j == d->npaths ? "))" : ")");
			trailing_comment(b, d->paths[k].comment);
		}
		i = j;
	}
	vxe_buf_puts(b, "\n");
}

static const char *op_word(enum vxe_net_op op)
{
	return op == VXE_NET_BIND ? "bind" : op == VXE_NET_CONNECT ? "connect" : "accept";
}

static void print_network(struct vxe_buf *b, struct vxe_doc *d)
{
	vxe_buf_puts(b, "(network");
	for (size_t i = 0; i < d->nnet;) {
		size_t j = i;
		while (j < d->nnet && d->net[j].op == d->net[i].op &&
		       d->net[j].proto == d->net[i].proto)
			j++;
		vxe_buf_printf(b, "\n  (%s", op_word(d->net[i].op));
		if (d->net[i].port == -1) {
			vxe_buf_puts(b, " none");
		} else {
			vxe_buf_puts(b, d->net[i].proto == IPPROTO_UDP ? " udp" : " tcp");
			for (size_t k = i; k < j; k++) {
				if (k > i && d->net[k].port == d->net[k - 1].port)
					continue;
				if (d->net[k].port == -2)
					vxe_buf_puts(b, " any");
				else
					vxe_buf_printf(b, " %d", d->net[k].port);
			}
		}
		vxe_buf_puts(b, j == d->nnet ? "))" : ")");
		for (size_t k = i; k < j; k++)
			if (d->net[k].comment) {
				trailing_comment(b, d->net[k].comment);
				break;
			}
		i = j;
	}
	if (d->nnet == 0)
		vxe_buf_puts(b, ")");
	vxe_buf_puts(b, "\n");
}

/* A rule for (op, *) none is dropped when the same op has ports: the loader
 * would ignore it anyway, and the text says what is granted. */
static void normalise_net(struct vxe_doc *d)
{
	size_t o = 0;
	for (size_t i = 0; i < d->nnet; i++) {
		bool drop = false;
		if (d->net[i].port == -1) {
			for (size_t k = 0; k < d->nnet; k++)
				if (d->net[k].op == d->net[i].op && d->net[k].port != -1)
					drop = true;
			for (size_t k = 0; k < o; k++)
				if (d->net[k].op == d->net[i].op && d->net[k].port == -1)
					drop = true;
		}
		if (drop) {
			free(d->net[i].comment);
			continue;
		}
		d->net[o++] = d->net[i];
	}
	d->nnet = o;
}

void vxe_doc_print(struct vxe_doc *d, struct vxe_buf *b)
{
	if (d->nunchecked)
		qsort(d->unchecked, d->nunchecked, sizeof *d->unchecked, name_cmp);
	if (d->npermit)
		qsort(d->permit, d->npermit, sizeof *d->permit, name_cmp);
	if (d->npreds)
		qsort(d->preds, d->npreds, sizeof *d->preds, pred_cmp);
	if (d->npaths)
		qsort(d->paths, d->npaths, sizeof *d->paths, path_cmp);
	normalise_net(d);
	if (d->nnet)
		qsort(d->net, d->nnet, sizeof *d->net, net_cmp);

	if (!d->no_header) {
		comment_lines(b, d->header, "");
		vxe_buf_puts(b, "(vxed ");
		vxe_buf_lisp_string(b, d->name ? d->name : "unnamed");
		vxe_buf_printf(b, " :type %s :mode %s", vxe_type_name(d->type),
			       vxe_mode_name(d->mode));
		if (d->err && d->err != EPERM) {
			const char *e = vxe_errno_name(d->err);
			if (e)
				vxe_buf_printf(b, " :errno %s", e);
		}
		if (d->setuid)
			vxe_buf_puts(b, " :setuid allow");
		if (d->nactivate) {
			vxe_buf_puts(b, "\n  :activate (");
			for (size_t i = 0; i < d->nactivate; i++) {
				if (i)
					vxe_buf_puts(b, " ");
				vxe_buf_lisp_string(b, d->activate[i]);
			}
			vxe_buf_puts(b, ")");
		}
		vxe_buf_puts(b, ")\n");
	}
	if (d->nunchecked) {
		vxe_buf_puts(b, "\n");
		comment_lines(b, d->unchecked_comment, "");
		print_names(b, "unchecked", d->unchecked, d->nunchecked);
	}
	if (d->npermit) {
		vxe_buf_puts(b, "\n");
		comment_lines(b, d->permit_comment, "");
		print_names(b, "permit", d->permit, d->npermit);
	}
	for (size_t i = 0; i < d->npreds; i++) {
		struct vxe_doc_pred *p = &d->preds[i];
		vxe_buf_puts(b, "\n");
		comment_lines(b, p->comment, "");
		vxe_buf_printf(b, "(permit %s %s", p->name, p->params);
		const char *s = p->body;
		while (*s) {
			const char *e = strchr(s, '\n');
			size_t n = e ? (size_t)(e - s) : strlen(s);
			vxe_buf_puts(b, "\n  ");
			vxe_buf_add(b, s, n);
			s += n + (e ? 1 : 0);
		}
		vxe_buf_puts(b, ")\n");
	}
	if (d->has_files) {
		vxe_buf_puts(b, "\n");
		comment_lines(b, d->files_comment, "");
		print_files(b, d);
	}
	if (d->has_network) {
		vxe_buf_puts(b, "\n");
		comment_lines(b, d->network_comment, "");
		print_network(b, d);
	}
	if (d->tail) {
		vxe_buf_puts(b, "\n");
		comment_lines(b, d->tail, "");
	}
}

/* ---- from a loaded policy ------------------------------------------------ */

static char *print_value(const vl_value *v)
{
	size_t n = vl_print(v, NULL, 0);
	char *s = malloc(n + 1);
	if (s)
		vl_print(v, s, n + 1);
	return s;
}

bool vxe_doc_from_policy(struct vxe_doc *d, const struct vxe_policy *p)
{
	bool ok = true;
	memset(d, 0, sizeof *d);
	d->name = dup_or_null(p->name, &ok);
	d->type = p->type;
	d->mode = p->mode;
	d->err = p->err;
	d->setuid = p->setuid_allowed;
	if (p->nactivate) {
		d->activate = calloc(p->nactivate, sizeof *d->activate);
		if (!d->activate)
			return false;
		for (size_t i = 0; i < p->nactivate; i++)
			d->activate[d->nactivate++] = dup_or_null(p->activate[i], &ok);
	}
	for (size_t i = 0; ok && i < p->nrules; i++) {
		const struct vxe_rule *r = &p->rules[i];
		if (r->pred < 0) {
			ok = vxe_doc_add_name(d, r->kind == VXE_RULE_UNCHECKED, r->syscall, NULL);
			continue;
		}
		char *params = print_value(vl_pinned(p->lisp, r->pred_params));
		struct vxe_buf body = {0};
		for (const vl_value *f = vl_pinned(p->lisp, r->pred_body); vl_typeof(f) == VL_CONS;
		     f = vl_cdr(f)) {
			char *one = print_value(vl_car(f));
			if (!one) {
				body.oom = true;
				break;
			}
			if (body.len)
				vxe_buf_puts(&body, "\n");
			vxe_buf_puts(&body, one);
			free(one);
		}
		/* () prints as nil: a parameter list is written (). */
		ok = params && !body.oom && body.s &&
		     vxe_doc_add_pred(d, r->syscall, strcmp(params, "nil") == 0 ? "()" : params,
				      body.s, NULL);
		free(params);
		free(body.s);
	}
	d->has_files = p->has_files;
	for (size_t i = 0; ok && i < p->npaths; i++)
		for (unsigned bit = VXE_FS_READ; ok && bit <= VXE_FS_EXECUTE; bit <<= 1)
			if (p->paths[i].access & bit)
				ok = vxe_doc_add_path(d, bit, p->paths[i].path, NULL);
	d->has_network = p->has_network;
	for (size_t i = 0; ok && i < p->nnet; i++) {
		const struct vxe_net_rule *r = &p->net[i];
		int port = r->none ? -1 : r->any_port ? -2 : r->port;
		ok = vxe_doc_add_net(d, r->op, r->proto, port, NULL);
	}
	if (!ok)
		vxe_doc_free(d);
	return ok;
}

char *vxe_policy_print(const struct vxe_policy *p)
{
	struct vxe_doc d;
	if (!vxe_doc_from_policy(&d, p)) {
		errno = ENOMEM;
		return NULL;
	}
	struct vxe_buf b = {0};
	vxe_doc_print(&d, &b);
	vxe_doc_free(&d);
	if (b.oom || !b.s) {
		free(b.s);
		errno = ENOMEM;
		return NULL;
	}
	return b.s;
}
