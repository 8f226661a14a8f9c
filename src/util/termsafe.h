/* Text from outside VXE (log records, paths a program used, program names,
 * file names) made safe to show on a terminal: nothing in it can move the
 * cursor, erase or recolour what was printed before, or reorder or hide
 * what follows.
 *
 * Shown as visible escapes: C0 controls (ESC, CR, newline... as \xNN, or \n
 * \r \t), DEL (\x7f), C1 controls (\u0080..\u009f), bytes that are not
 * well-formed UTF-8 (\xNN), and the format characters that reorder or hide
 * text (vxe_termsafe_invisible: bidi marks, embeddings, overrides and
 * isolates, zero-width characters, line and paragraph separators, BOM, tags)
 * as \uNNNN. Everything else, printable ASCII and UTF-8, is kept. With
 * VXE_TS_BACKSLASH a backslash is doubled, so that an escape and the same
 * characters typed literally stay apart.
 *
 * Header only (static inline): the library (src/compile/landlock.c) and the
 * command (src/cli) both use it, and src/util has no object of its own.
 * (`vxe log`'s table, src/cli/logview.c, has its own quoting for cells but
 * takes the list of invisible characters from here.) */
#ifndef VXE_TERMSAFE_H
#define VXE_TERMSAFE_H

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/utf8.h"

#define VXE_TS_BACKSLASH 1u /* double backslashes */

/* Is cp a format character that reorders or hides text on a terminal? */
static inline bool vxe_termsafe_invisible(unsigned cp)
{
	static const unsigned ranges[][2] = {
	    {0x00ad, 0x00ad},	/* soft hyphen */
	    {0x061c, 0x061c},	/* arabic letter mark */
	    {0x180e, 0x180e},	/* mongolian vowel separator */
	    {0x200b, 0x200f},	/* zero width space, ZWNJ, ZWJ, LRM, RLM */
	    {0x2028, 0x202e},	/* line and paragraph separators, LRE RLE PDF LRO RLO */
	    {0x2060, 0x2064},	/* word joiner, invisible operators */
	    {0x2066, 0x2069},	/* LRI RLI FSI PDI */
	    {0xfeff, 0xfeff},	/* BOM, zero width no-break space */
	    {0xfff9, 0xfffb},	/* interlinear annotation */
	    {0xe0000, 0xe007f}, /* tags */
	};
	for (size_t i = 0; i < sizeof ranges / sizeof ranges[0]; i++)
		if (cp >= ranges[i][0] && cp <= ranges[i][1])
			return true;
	return false;
}

/* The code point of the well-formed sequence of n bytes at p. */
static inline unsigned vxe_termsafe_cp(const unsigned char *p, size_t n)
{
	if (n == 2)
		return (p[0] & 0x1fu) << 6 | (p[1] & 0x3fu);
	if (n == 3)
		return (p[0] & 0x0fu) << 12 | (p[1] & 0x3fu) << 6 | (p[2] & 0x3fu);
	if (n == 4)
		return (p[0] & 0x07u) << 18 | (p[1] & 0x3fu) << 12 | (p[2] & 0x3fu) << 6 |
		       (p[3] & 0x3fu);
	return p[0];
}

/* The escaped form of s[0..len) into out: pieces (one escape or one
 * character) are written while they fit in limit bytes. Returns the length
 * of the whole escaped form; *fit gets how many bytes were written. */
static inline size_t vxe_termsafe_put(char *out, size_t limit, size_t *fit, const char *s,
				      size_t len, unsigned flags)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t need = 0, i = 0;
	bool full = false;
	*fit = 0;
	while (i < len) {
		char piece[16];
		size_t pl, adv = 1;
		unsigned char c = p[i];
		if (c == '\\' && (flags & VXE_TS_BACKSLASH)) {
			memcpy(piece, "\\\\", pl = 2);
		} else if (c == '\n' || c == '\r' || c == '\t') {
			piece[0] = '\\';
			piece[1] = c == '\n' ? 'n' : c == '\r' ? 'r' : 't';
			pl = 2;
		} else if (c < 0x20 || c == 0x7f) {
			pl = (size_t)snprintf(piece, sizeof piece, "\\x%02x", c);
		} else if (c < 0x80) {
			piece[0] = (char)c;
			pl = 1;
		} else {
			size_t k = vxe_utf8_len(p + i, len - i);
			unsigned cp = k ? vxe_termsafe_cp(p + i, k) : 0;
			if (k == 0) {
				pl = (size_t)snprintf(piece, sizeof piece, "\\x%02x", c);
			} else if (cp < 0xa0 || vxe_termsafe_invisible(cp)) {
				pl = (size_t)snprintf(piece, sizeof piece, "\\u%04x", cp);
				adv = k;
			} else {
				memcpy(piece, p + i, k);
				pl = adv = k;
			}
		}
		if (!full && out && need + pl <= limit) {
			memcpy(out + need, piece, pl);
			*fit = need + pl;
		} else {
			full = true;
		}
		need += pl;
		i += adv;
	}
	return need;
}

/* s escaped into out (size bytes, NUL-terminated); cut short with "..."
 * if it does not fit. Returns out, so it can be an argument of printf. */
static inline char *vxe_termsafe(char *out, size_t size, const char *s, unsigned flags)
{
	size_t fit, len = s ? strlen(s) : 0;
	if (!size)
		return out;
	if (!s)
		s = "";
	if (vxe_termsafe_put(out, size - 1, &fit, s, len, flags) < size) {
		out[fit] = 0;
		return out;
	}
	if (size < 4) {
		out[0] = 0;
		return out;
	}
	vxe_termsafe_put(out, size - 4, &fit, s, len, flags);
	memcpy(out + fit, "...", 4);
	return out;
}

/* s escaped, malloc'd (the caller frees); NULL if out of memory. */
static inline char *vxe_termsafe_dup(const char *s, unsigned flags)
{
	size_t fit, len = s ? strlen(s) : 0;
	size_t need = vxe_termsafe_put(NULL, 0, &fit, s ? s : "", len, flags);
	char *d = malloc(need + 1);
	if (!d)
		return NULL;
	vxe_termsafe_put(d, need, &fit, s ? s : "", len, flags);
	d[fit] = 0;
	return d;
}

/* s escaped, written to f. */
static inline void vxe_termsafe_fputs(const char *s, unsigned flags, FILE *f)
{
	char small[512];
	size_t fit, len = s ? strlen(s) : 0;
	if (vxe_termsafe_put(small, sizeof small - 1, &fit, s ? s : "", len, flags) <
	    sizeof small) {
		small[fit] = 0;
		fputs(small, f);
		return;
	}
	char *d = vxe_termsafe_dup(s, flags);
	fputs(d ? d : "(out of memory)", f);
	free(d);
}

#endif
