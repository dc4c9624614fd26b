#include "core/base/utf8.h"

#include <stdbool.h>

/* Scans the character that starts at s: returns how many bytes it takes
 * and sets *ok when they form a valid sequence (RFC 3629: no overlongs, no
 * surrogates, nothing above U+10FFFF). When they do not, the bytes taken
 * are the maximal subpart (Unicode 3.9, "U+FFFD substitution of maximal
 * subparts", as Python, ICU and WHATWG decode): a lead byte and the
 * continuation bytes that could still have completed it, or one byte that
 * can start nothing. C0 AF is two subparts, ED A0 80 three. */
static size_t scan(const unsigned char *s, size_t avail, bool *ok)
{
	unsigned char c = s[0];
	*ok = c < 0x80;
	if (*ok)
		return 1;
	size_t n;
	unsigned char lo = 0x80, hi = 0xBF;
	if (c >= 0xC2 && c <= 0xDF) {
		n = 2;
	} else if (c >= 0xE0 && c <= 0xEF) {
		n = 3;
		if (c == 0xE0)
			lo = 0xA0; /* overlong */
		else if (c == 0xED)
			hi = 0x9F; /* surrogates */
	} else if (c >= 0xF0 && c <= 0xF4) {
		n = 4;
		if (c == 0xF0)
			lo = 0x90; /* overlong */
		else if (c == 0xF4)
			hi = 0x8F; /* above U+10FFFF */
	} else {
		return 1; /* 80..C1, F5..FF start nothing */
	}
	size_t i = 1;
	while (i < n && i < avail && s[i] >= lo && s[i] <= hi) {
		i++;
		lo = 0x80; /* only the second byte has a narrower range */
		hi = 0xBF;
	}
	*ok = i == n;
	return i;
}

size_t dpex_utf8_valid_prefix(const char *s, size_t len)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t i = 0;
	while (i < len) {
		/* ASCII runs dominate real data: skip them cheaply. */
		if (p[i] < 0x80) {
			i++;
			continue;
		}
		bool ok;
		size_t n = scan(p + i, len - i, &ok);
		if (!ok)
			return i;
		i += n;
	}
	return len;
}

size_t dpex_utf8_count_invalid(const char *s, size_t len)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t i = 0, n = 0;
	while (i < len) {
		i += dpex_utf8_valid_prefix(s + i, len - i);
		if (i == len)
			break;
		bool ok;
		i += scan(p + i, len - i, &ok);
		n++;
	}
	return n;
}

int dpex_utf8_repair(dpex_buf *out, const char *s, size_t len, size_t *replaced)
{
	static const char fffd[] = "\xEF\xBF\xBD";
	const unsigned char *p = (const unsigned char *)s;
	size_t i = 0;
	while (i < len) {
		size_t ok = dpex_utf8_valid_prefix(s + i, len - i);
		int rc = dpex_buf_append(out, s + i, ok);
		if (rc)
			return rc;
		i += ok;
		if (i == len)
			break;
		/* One U+FFFD for the maximal subpart. */
		bool valid;
		i += scan(p + i, len - i, &valid);
		rc = dpex_buf_append(out, fffd, 3);
		if (rc)
			return rc;
		if (replaced)
			(*replaced)++;
	}
	return 0;
}

size_t dpex_utf8_prefix_chars(const char *s, size_t len, size_t max_chars)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t i = 0, chars = 0;
	while (i < len && chars < max_chars) {
		i++;
		while (i < len && (p[i] & 0xC0) == 0x80)
			i++;
		chars++;
	}
	return i;
}
