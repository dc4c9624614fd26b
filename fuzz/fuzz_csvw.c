/* libFuzzer target: the CSV field writer. A field read back by RFC 4180's
 * rules (§2.5-2.7) is the input with invalid UTF-8 replaced; an empty
 * string is quoted, so only NULL is an empty unquoted field. The first
 * byte also picks a kind for the value writer, whose field must read back
 * as one well-formed field. */
#include "core/base/buf.h"
#include "core/base/utf8.h"
#include "core/pg/value.h"
#include "exporters/csvw.h"

#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Reads one field per RFC 4180 into out; false if b is not exactly one. */
static bool read_field(const dpex_buf *b, dpex_buf *out, bool *quoted)
{
	const char *p = b->data ? b->data : "";
	size_t n = b->len;
	*quoted = n > 0 && p[0] == '"';
	if (!*quoted) {
		for (size_t i = 0; i < n; i++)
			if (p[i] == '"' || p[i] == ',' || p[i] == '\r' ||
			    p[i] == '\n')
				return false;
		dpex_buf_append(out, p, n);
		return true;
	}
	if (n < 2 || p[n - 1] != '"')
		return false;
	for (size_t i = 1; i < n - 1; i++) {
		if (p[i] == '"') {
			if (i + 1 >= n - 1 || p[i + 1] != '"')
				return false;
			i++;
		}
		dpex_buf_putc(out, p[i]);
	}
	return true;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size == 0)
		return 0;
	dpex_kind kind = (dpex_kind)(data[0] % (DPEX_KIND_BYTEA + 1));
	size_t len = size - 1;
	char *s = malloc(len + 1);
	memcpy(s, data + 1, len);
	s[len] = '\0';

	dpex_buf out = DPEX_BUF_INIT, back = DPEX_BUF_INIT,
		 fixed = DPEX_BUF_INIT, scratch = DPEX_BUF_INIT;
	bool quoted;
	if (dpex_csvw_field(&out, s, len, NULL) != 0)
		abort();
	if (!read_field(&out, &back, &quoted))
		abort();
	dpex_utf8_repair(&fixed, s, len, NULL);
	if (back.len != fixed.len ||
	    (fixed.len && memcmp(back.data, fixed.data, fixed.len) != 0))
		abort();
	if (len == 0 && !quoted)
		abort(); /* "" must stay distinct from NULL */
	if (dpex_utf8_valid_prefix(out.data, out.len) != out.len)
		abort();

	if (!memchr(s, '\0', len)) {
		dpex_buf_clear(&out);
		dpex_buf_clear(&back);
		dpex_value v = {s, len, false};
		if (dpex_csvw_value(&out, &scratch, kind, &v, NULL) == 0 &&
		    !read_field(&out, &back, &quoted))
			abort();
		dpex_buf_clear(&out);
		dpex_value null = {NULL, 0, true};
		if (dpex_csvw_value(&out, &scratch, kind, &null, NULL) != 0 ||
		    out.len != 0)
			abort();
	}
	dpex_buf_free(&out);
	dpex_buf_free(&back);
	dpex_buf_free(&fixed);
	dpex_buf_free(&scratch);
	free(s);
	return 0;
}
