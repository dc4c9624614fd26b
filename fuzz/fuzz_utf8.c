/* libFuzzer target: UTF-8 validation and repair. Repaired text is valid
 * UTF-8; valid input comes out unchanged and uncounted; a character
 * prefix never splits a character. Validity is also checked against an
 * independent decoder written from RFC 3629's table. */
#include "core/buf.h"
#include "core/utf8.h"

#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* RFC 3629 §4, the UTF8-octets grammar, one character at s; its length or
 * 0 when invalid. */
static size_t rfc3629_char(const uint8_t *s, size_t n)
{
	uint8_t c = s[0];
	size_t len;
	uint8_t lo = 0x80, hi = 0xBF;
	if (c <= 0x7F)
		return 1;
	if (c >= 0xC2 && c <= 0xDF)
		len = 2;
	else if (c >= 0xE0 && c <= 0xEF)
		len = 3;
	else if (c >= 0xF0 && c <= 0xF4)
		len = 4;
	else
		return 0;
	if (c == 0xE0)
		lo = 0xA0;
	else if (c == 0xED)
		hi = 0x9F;
	else if (c == 0xF0)
		lo = 0x90;
	else if (c == 0xF4)
		hi = 0x8F;
	if (n < len || s[1] < lo || s[1] > hi)
		return 0;
	for (size_t i = 2; i < len; i++)
		if (s[i] < 0x80 || s[i] > 0xBF)
			return 0;
	return len;
}

static size_t rfc3629_prefix(const uint8_t *s, size_t n)
{
	size_t i = 0;
	while (i < n) {
		size_t k = rfc3629_char(s + i, n - i);
		if (!k)
			break;
		i += k;
	}
	return i;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *s = (const char *)data;
	size_t valid = dpex_utf8_valid_prefix(s, size);
	if (valid != rfc3629_prefix(data, size))
		abort();
	dpex_buf out = DPEX_BUF_INIT;
	size_t replaced = 0;
	if (dpex_utf8_repair(&out, s, size, &replaced) != 0)
		abort();
	if (rfc3629_prefix((const uint8_t *)out.data, out.len) != out.len)
		abort();
	if (valid == size && (replaced != 0 || out.len != size ||
			      (size && memcmp(out.data, s, size) != 0)))
		abort();
	if (valid != size && replaced == 0)
		abort();
	/* The valid prefix survives repair untouched. */
	if (out.len < valid || (valid && memcmp(out.data, s, valid) != 0))
		abort();
	for (size_t max = 0; max < 8; max++) {
		size_t p = dpex_utf8_prefix_chars(out.data, out.len, max);
		if (p > out.len ||
		    rfc3629_prefix((const uint8_t *)out.data, p) != p)
			abort();
	}
	dpex_buf_free(&out);
	return 0;
}
