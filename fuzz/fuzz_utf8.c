/* libFuzzer target: UTF-8 validation and repair. The repair must give
 * exactly what Python's bytes.decode('utf-8', 'replace') gives, byte for
 * byte and replacement for replacement; the oracle here is the WHATWG
 * Encoding Standard's UTF-8 decoder (§4.3.1), written from its steps, which
 * Python's, ICU's and every browser's decoder match (tests/test_utf8.c
 * holds dpex against Python itself). A character prefix never splits a
 * character. */
#include "core/base/buf.h"
#include "core/base/utf8.h"

#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void put_code_point(dpex_buf *out, uint32_t cp)
{
	char b[4];
	size_t n;
	if (cp < 0x80) {
		b[0] = (char)cp, n = 1;
	} else if (cp < 0x800) {
		b[0] = (char)(0xC0 | cp >> 6),
		b[1] = (char)(0x80 | (cp & 0x3F));
		n = 2;
	} else if (cp < 0x10000) {
		b[0] = (char)(0xE0 | cp >> 12);
		b[1] = (char)(0x80 | ((cp >> 6) & 0x3F));
		b[2] = (char)(0x80 | (cp & 0x3F));
		n = 3;
	} else {
		b[0] = (char)(0xF0 | cp >> 18);
		b[1] = (char)(0x80 | ((cp >> 12) & 0x3F));
		b[2] = (char)(0x80 | ((cp >> 6) & 0x3F));
		b[3] = (char)(0x80 | (cp & 0x3F));
		n = 4;
	}
	if (dpex_buf_append(out, b, n) != 0)
		abort();
}

/* WHATWG's decoder with error mode "replacement": out gets the text,
 * *errors the number of U+FFFD it put in, *first the offset of the first
 * error (size when none). */
static void whatwg_decode(const uint8_t *s, size_t size, dpex_buf *out,
			  size_t *errors, size_t *first)
{
	uint32_t cp = 0;
	unsigned seen = 0, needed = 0;
	uint8_t lower = 0x80, upper = 0xBF;
	size_t start = 0;
	*errors = 0;
	*first = size;
	for (size_t i = 0; i <= size; i++) {
		if (i == size) { /* end of queue */
			if (needed) {
				put_code_point(out, 0xFFFD);
				if (!(*errors)++)
					*first = start;
			}
			break;
		}
		uint8_t b = s[i];
		if (!needed) {
			start = i;
			if (b <= 0x7F) {
				put_code_point(out, b);
			} else if (b >= 0xC2 && b <= 0xDF) {
				needed = 1, cp = b & 0x1F;
			} else if (b >= 0xE0 && b <= 0xEF) {
				if (b == 0xE0)
					lower = 0xA0;
				if (b == 0xED)
					upper = 0x9F;
				needed = 2, cp = b & 0xF;
			} else if (b >= 0xF0 && b <= 0xF4) {
				if (b == 0xF0)
					lower = 0x90;
				if (b == 0xF4)
					upper = 0x8F;
				needed = 3, cp = b & 0x7;
			} else {
				put_code_point(out, 0xFFFD);
				if (!(*errors)++)
					*first = i;
			}
			continue;
		}
		if (b < lower || b > upper) {
			/* Reset, emit an error, and prepend the byte. */
			cp = 0, needed = seen = 0, lower = 0x80, upper = 0xBF;
			put_code_point(out, 0xFFFD);
			if (!(*errors)++)
				*first = start;
			i--;
			continue;
		}
		lower = 0x80, upper = 0xBF;
		cp = cp << 6 | (b & 0x3F);
		if (++seen == needed) {
			put_code_point(out, cp);
			cp = 0, needed = seen = 0;
		}
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *s = (const char *)data;
	dpex_buf want = DPEX_BUF_INIT, out = DPEX_BUF_INIT;
	size_t errors, first;
	whatwg_decode(data, size, &want, &errors, &first);
	if (dpex_utf8_valid_prefix(s, size) != first)
		abort();
	if (dpex_utf8_count_invalid(s, size) != errors)
		abort();
	size_t replaced = 0;
	if (dpex_utf8_repair(&out, s, size, &replaced) != 0)
		abort();
	if (replaced != errors || out.len != want.len ||
	    (out.len && memcmp(out.data, want.data, out.len) != 0))
		abort();
	if (dpex_utf8_valid_prefix(out.data, out.len) != out.len)
		abort();
	for (size_t max = 0; max < 8; max++) {
		size_t p = dpex_utf8_prefix_chars(out.data, out.len, max);
		if (p > out.len || dpex_utf8_valid_prefix(out.data, p) != p)
			abort();
	}
	dpex_buf_free(&want);
	dpex_buf_free(&out);
	return 0;
}
