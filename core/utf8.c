#include "utf8.h"

/* Length of the valid sequence starting at s (1..4), or 0 if invalid. */
static size_t sequence_length(const unsigned char *s, size_t avail)
{
	unsigned char c = s[0];
	if (c < 0x80)
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
		return 0;
	}
	if (avail < n)
		return 0;
	if (s[1] < lo || s[1] > hi)
		return 0;
	for (size_t i = 2; i < n; i++)
		if (s[i] < 0x80 || s[i] > 0xBF)
			return 0;
	return n;
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
		size_t n = sequence_length(p + i, len - i);
		if (!n)
			return i;
		i += n;
	}
	return len;
}

/* Bytes of the maximal invalid subpart at s[0..len) (Unicode 3.9 "best
 * practice"): the lead byte and the continuation bytes that follow it. */
static size_t invalid_length(const unsigned char *p, size_t len)
{
	size_t i = 1;
	while (i < len && (p[i] & 0xC0) == 0x80)
		i++;
	return i;
}

size_t dpex_utf8_count_invalid(const char *s, size_t len)
{
	size_t i = 0, n = 0;
	while (i < len) {
		i += dpex_utf8_valid_prefix(s + i, len - i);
		if (i == len)
			break;
		i += invalid_length((const unsigned char *)s + i, len - i);
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
		/* One U+FFFD for the maximal invalid subpart. */
		i += invalid_length(p + i, len - i);
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
