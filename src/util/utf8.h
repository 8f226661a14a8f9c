/* UTF-8 well-formedness, shared by the Lisp reader (which rejects bad
 * source) and the log (which escapes bad bytes). */
#ifndef VXE_UTF8_H
#define VXE_UTF8_H

#include <stddef.h>

/* Length of the well-formed UTF-8 sequence at s (of at most len bytes, len
 * >= 1), or 0 if the byte at s does not start one. Follows Unicode Table
 * 3-7 exactly, so overlong forms (C0, C1, E0 80..9F, F0 80..8F), UTF-16
 * surrogates encoded in UTF-8 (ED A0..BF) and values above U+10FFFF
 * (F4 90.., F5..FF) are all rejected, as are sequences cut short by len. */
static inline size_t vxe_utf8_len(const unsigned char *s, size_t len)
{
	unsigned char c = s[0];
	unsigned char lo = 0x80, hi = 0xbf;
	size_t n;

	if (c < 0x80)
		return 1;
	if (c >= 0xc2 && c <= 0xdf)
		n = 2;
	else if (c >= 0xe0 && c <= 0xef)
		n = 3;
	else if (c >= 0xf0 && c <= 0xf4)
		n = 4;
	else
		return 0;
	if (c == 0xe0)
		lo = 0xa0;
	else if (c == 0xed)
		hi = 0x9f;
	else if (c == 0xf0)
		lo = 0x90;
	else if (c == 0xf4)
		hi = 0x8f;
	if (len < n || s[1] < lo || s[1] > hi)
		return 0;
	for (size_t i = 2; i < n; i++)
		if (s[i] < 0x80 || s[i] > 0xbf)
			return 0;
	return n;
}

#endif
