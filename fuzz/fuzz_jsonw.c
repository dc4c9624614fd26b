/* libFuzzer target: the JSON value writer. The first byte picks the
 * PostgreSQL kind, the rest is the value's text. Checked against jansson,
 * an independent parser: a string reads back as the input with invalid
 * UTF-8 replaced, every value of every kind is one valid JSON value on one
 * line, and embedded JSON reads back equal to the document. */
#include "core/base/buf.h"
#include "core/base/utf8.h"
#include "core/pg/value.h"
#include "exporters/jsonw.h"

#include <jansson.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static json_t *parse(const char *s, size_t len)
{
	json_error_t err;
	return json_loadb(s, len, JSON_DECODE_ANY | JSON_ALLOW_NUL, &err);
}

/* RFC 8259 §6 by hand: -?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?.
 * jansson refuses numbers beyond a double's range, which JSON allows (and
 * PostgreSQL's numeric reaches), so those are checked by the grammar. */
static int digits(const char *s, size_t n, size_t *i)
{
	size_t start = *i;
	while (*i < n && s[*i] >= '0' && s[*i] <= '9')
		(*i)++;
	return *i > start;
}

static int json_number(const char *s, size_t n)
{
	size_t i = 0;
	if (i < n && s[i] == '-')
		i++;
	if (i < n && s[i] == '0')
		i++;
	else if (!(i < n && s[i] >= '1' && s[i] <= '9') || !digits(s, n, &i))
		return 0;
	if (i < n && s[i] == '.') {
		i++;
		if (!digits(s, n, &i))
			return 0;
	}
	if (i < n && (s[i] == 'e' || s[i] == 'E')) {
		i++;
		if (i < n && (s[i] == '+' || s[i] == '-'))
			i++;
		if (!digits(s, n, &i))
			return 0;
	}
	return i == n;
}

static void one_line(const dpex_buf *b)
{
	if (memchr(b->data, '\n', b->len) || memchr(b->data, '\r', b->len))
		abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size == 0)
		return 0;
	dpex_kind kind = (dpex_kind)(data[0] % (DPEX_KIND_BYTEA + 1));
	size_t len = size - 1;
	/* Values arrive NUL-terminated from libpq. */
	char *s = malloc(len + 1);
	memcpy(s, data + 1, len);
	s[len] = '\0';

	dpex_buf out = DPEX_BUF_INIT, fixed = DPEX_BUF_INIT,
		 scratch = DPEX_BUF_INIT;
	size_t repaired = 0;
	if (dpex_jsonw_string(&out, s, len, &repaired) != 0)
		abort();
	one_line(&out);
	json_t *j = parse(out.data, out.len);
	if (!j || !json_is_string(j))
		abort();
	dpex_utf8_repair(&fixed, s, len, NULL);
	if (json_string_length(j) != fixed.len ||
	    memcmp(json_string_value(j), fixed.data ? fixed.data : "",
		   fixed.len) != 0)
		abort();
	if ((repaired != 0) != (dpex_utf8_valid_prefix(s, len) != len))
		abort();
	json_decref(j);

	/* PostgreSQL never sends a NUL inside a value, and checks json. */
	json_t *doc = kind == DPEX_KIND_JSON ? parse(s, len) : NULL;
	if (!memchr(s, '\0', len) && (kind != DPEX_KIND_JSON || doc)) {
		dpex_buf_clear(&out);
		dpex_value v = {s, len, false};
		if (dpex_jsonw_value(&out, &scratch, kind, &v, NULL) == 0) {
			one_line(&out);
			j = parse(out.data, out.len);
			if (!j && !(kind != DPEX_KIND_JSON &&
				    json_number(out.data, out.len)))
				abort();
			if (doc && !json_equal(j, doc) &&
			    dpex_utf8_valid_prefix(s, len) == len)
				abort();
			json_decref(j);
		}
	}
	json_decref(doc);
	dpex_buf_free(&out);
	dpex_buf_free(&fixed);
	dpex_buf_free(&scratch);
	free(s);
	return 0;
}
