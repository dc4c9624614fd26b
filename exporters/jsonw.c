#include "exporters/jsonw.h"

#include "core/base/error.h"
#include "core/base/utf8.h"
#include "exporters/pgtext.h"

#include <stdlib.h>
#include <string.h>

/* U+2028 and U+2029 in UTF-8: E2 80 A8 and E2 80 A9. */
static bool is_line_separator(const unsigned char *p, size_t avail)
{
	return avail >= 3 && p[0] == 0xE2 && p[1] == 0x80 &&
	       (p[2] == 0xA8 || p[2] == 0xA9);
}

/* Escapes valid UTF-8 s into out, without quotes. Bytes that need nothing
 * are copied in runs: most text is plain. */
static int escape(dpex_buf *out, const char *s, size_t len)
{
	static const char hex[] = "0123456789abcdef";
	const unsigned char *p = (const unsigned char *)s;
	size_t run = 0;
	for (size_t i = 0; i < len; i++) {
		char esc[7];
		size_t n = 0, skip = 1;
		unsigned char c = p[i];
		if (c == '"' || c == '\\') {
			esc[n++] = '\\';
			esc[n++] = (char)c;
		} else if (c < 0x20) {
			esc[n++] = '\\';
			switch (c) {
			case '\b':
				esc[n++] = 'b';
				break;
			case '\f':
				esc[n++] = 'f';
				break;
			case '\n':
				esc[n++] = 'n';
				break;
			case '\r':
				esc[n++] = 'r';
				break;
			case '\t':
				esc[n++] = 't';
				break;
			default:
				memcpy(esc + n, "u00", 3);
				n += 3;
				esc[n++] = hex[c >> 4];
				esc[n++] = hex[c & 15];
			}
		} else if (is_line_separator(p + i, len - i)) {
			memcpy(esc, p[i + 2] == 0xA8 ? "\\u2028" : "\\u2029",
			       6);
			n = 6;
			skip = 3;
		} else {
			continue;
		}
		int rc = dpex_buf_append(out, s + run, i - run);
		if (!rc)
			rc = dpex_buf_append(out, esc, n);
		if (rc)
			return rc;
		i += skip - 1;
		run = i + 1;
	}
	return dpex_buf_append(out, s + run, len - run);
}

/*
 * Calls write(out, text) with s made valid UTF-8. Valid input (nearly all)
 * is passed as it is; only a value that needs repair pays for a copy, so
 * the allocation stays out of the common path.
 */
static int with_valid_utf8(dpex_buf *out, const char *s, size_t len,
			   size_t *repaired,
			   int (*write)(dpex_buf *, const char *, size_t))
{
	if (dpex_utf8_valid_prefix(s, len) == len)
		return write(out, s, len);
	dpex_buf fixed = DPEX_BUF_INIT;
	size_t n = 0;
	int rc = dpex_utf8_repair(&fixed, s, len, &n);
	if (!rc)
		rc = write(out, fixed.data, fixed.len);
	dpex_buf_free(&fixed);
	if (!rc && repaired && n)
		(*repaired)++;
	return rc;
}

int dpex_jsonw_string(dpex_buf *out, const char *s, size_t len,
		      size_t *repaired)
{
	int rc = dpex_buf_putc(out, '"');
	if (!rc)
		rc = with_valid_utf8(out, s, len, repaired, escape);
	if (!rc)
		rc = dpex_buf_putc(out, '"');
	return rc;
}

static bool is_digit(char c)
{
	return c >= '0' && c <= '9';
}

/* Before each item of an object or array: a comma after the first, then
 * a new line indented to depth. */
static int item_start(dpex_buf *out, size_t i, int depth)
{
	int rc = i ? dpex_buf_putc(out, ',') : 0;
	if (!rc)
		rc = dpex_buf_putc(out, '\n');
	for (int k = 0; !rc && k < depth; k++)
		rc = dpex_buf_append(out, "  ", 2);
	return rc;
}

static int dump(dpex_buf *out, const json_t *v, int depth, dpex_memo *memo);

/* An object (keys) or an array (no keys); empty ones stay on one line. */
static int dump_items(dpex_buf *out, const json_t *v, int depth,
		      dpex_memo *memo)
{
	bool object = json_is_object(v);
	size_t n = object ? json_object_size(v) : json_array_size(v);
	int rc = dpex_buf_putc(out, object ? '{' : '[');
	if (n == 0)
		return rc ? rc : dpex_buf_putc(out, object ? '}' : ']');
	void *it = object ? json_object_iter((json_t *)v) : NULL;
	for (size_t i = 0; !rc && i < n; i++) {
		rc = item_start(out, i, depth + 1);
		if (!rc && object) {
			const char *key = json_object_iter_key(it);
			rc = dpex_jsonw_string(out, key, strlen(key), NULL);
			if (!rc)
				rc = dpex_buf_append(out, ": ", 2);
		}
		if (!rc)
			rc = dump(out,
				  object ? json_object_iter_value(it)
					 : json_array_get(v, i),
				  depth + 1, memo);
		if (object)
			it = json_object_iter_next((json_t *)v, it);
	}
	if (!rc)
		rc = item_start(out, 0, depth);
	return rc ? rc : dpex_buf_putc(out, object ? '}' : ']');
}

/* A shared object or array: from the memo, or laid out and kept. */
static int dump_shared(dpex_buf *out, const json_t *v, int depth,
		       dpex_memo *memo)
{
	const json_t *key[] = {v};
	size_t len;
	const char *kept = dpex_memo_get(memo, (unsigned)depth, key, 1, &len);
	if (kept)
		return dpex_buf_append(out, kept, len);
	size_t mark = out->len;
	int rc = dump_items(out, v, depth, memo);
	return rc ? rc
		  : dpex_memo_put(memo, (unsigned)depth, key, 1,
				  out->data + mark, out->len - mark);
}

static int dump(dpex_buf *out, const json_t *v, int depth, dpex_memo *memo)
{
	switch (json_typeof(v)) {
	case JSON_OBJECT:
	case JSON_ARRAY:
		if (memo && v->refcount > 1)
			return dump_shared(out, v, depth, memo);
		return dump_items(out, v, depth, memo);
	case JSON_STRING:
		return dpex_jsonw_string(out, json_string_value(v),
					 json_string_length(v), NULL);
	case JSON_INTEGER:
		return dpex_buf_printf(out, "%" JSON_INTEGER_FORMAT,
				       json_integer_value(v));
	case JSON_TRUE:
		return dpex_buf_append(out, "true", 4);
	case JSON_FALSE:
		return dpex_buf_append(out, "false", 5);
	case JSON_NULL:
		return dpex_buf_append(out, "null", 4);
	case JSON_REAL:
		break;
	}
	/* jansson's own number formatting. */
	char *text = json_dumps(v, JSON_ENCODE_ANY);
	int rc = text ? dpex_buf_puts(out, text) : DPEX_ENOMEM;
	free(text);
	return rc;
}

int dpex_jsonw_dump(dpex_buf *out, const json_t *v, dpex_memo *memo)
{
	return dump(out, v, 0, memo);
}

bool dpex_jsonw_is_number(const char *s, size_t len)
{
	size_t i = 0;
	if (i < len && s[i] == '-')
		i++;
	if (i < len && s[i] == '0') {
		i++;
	} else if (i < len && is_digit(s[i])) {
		while (i < len && is_digit(s[i]))
			i++;
	} else {
		return false;
	}
	if (i < len && s[i] == '.') {
		i++;
		if (i == len || !is_digit(s[i]))
			return false;
		while (i < len && is_digit(s[i]))
			i++;
	}
	if (i < len && (s[i] == 'e' || s[i] == 'E')) {
		i++;
		if (i < len && (s[i] == '+' || s[i] == '-'))
			i++;
		if (i == len || !is_digit(s[i]))
			return false;
		while (i < len && is_digit(s[i]))
			i++;
	}
	return i == len;
}

/*
 * PostgreSQL rejects raw control characters inside JSON strings, so a tab,
 * CR or LF in a json value can only be whitespace between tokens, and
 * U+2028/U+2029 can only be inside a string: both can be rewritten without
 * tracking where strings start and end.
 */
static int copy_json(dpex_buf *out, const char *s, size_t len)
{
	const unsigned char *p = (const unsigned char *)s;
	int rc = dpex_buf_reserve(out, len);
	size_t run = 0;
	for (size_t i = 0; !rc && i < len; i++) {
		const char *sub;
		size_t n, skip = 1;
		if (p[i] == '\n' || p[i] == '\r' || p[i] == '\t') {
			sub = " ";
			n = 1;
		} else if (is_line_separator(p + i, len - i)) {
			sub = p[i + 2] == 0xA8 ? "\\u2028" : "\\u2029";
			n = 6;
			skip = 3;
		} else {
			continue;
		}
		rc = dpex_buf_append(out, s + run, i - run);
		if (!rc)
			rc = dpex_buf_append(out, sub, n);
		i += skip - 1;
		run = i + 1;
	}
	return rc ? rc : dpex_buf_append(out, s + run, len - run);
}

int dpex_jsonw_embed(dpex_buf *out, const char *s, size_t len, size_t *repaired)
{
	return with_valid_utf8(out, s, len, repaired, copy_json);
}

int dpex_jsonw_value(dpex_buf *out, dpex_buf *scratch, dpex_kind k,
		     const dpex_value *v, size_t *repaired)
{
	if (v->is_null)
		return dpex_buf_append(out, "null", 4);
	switch (k) {
	case DPEX_KIND_INTEGER:
	case DPEX_KIND_NUMERIC:
	case DPEX_KIND_FLOAT:
		if (dpex_jsonw_is_number(v->data, v->len))
			return dpex_buf_append(out, v->data, v->len);
		return dpex_jsonw_string(out, v->data, v->len, repaired);
	case DPEX_KIND_BOOL: {
		const char *b = dpex_pgtext_bool(v->data, v->len);
		if (b)
			return dpex_buf_puts(out, b);
		return dpex_jsonw_string(out, v->data, v->len, repaired);
	}
	case DPEX_KIND_JSON:
		return dpex_jsonw_embed(out, v->data, v->len, repaired);
	default: {
		const char *text;
		size_t n;
		int rc = dpex_pgtext_plain(scratch, k, v->data, v->len, &text,
					   &n);
		return rc ? rc : dpex_jsonw_string(out, text, n, repaired);
	}
	}
}

/* PostgreSQL allows at most 6 dimensions (MAXDIM). */
#define ARRAY_MAX_DEPTH 6

/* Not an array literal of the expected shape: the caller writes a string
 * instead. Positive, so never mistaken for a DPEX_E* code. */
#define NOT_AN_ARRAY 1

static int array_element(dpex_buf *out, dpex_buf *scratch, const dpex_buf *elem,
			 dpex_kind k, size_t *repaired)
{
	dpex_value v = {.data = elem->data ? elem->data : "", .len = elem->len};
	return dpex_jsonw_value(out, scratch, k, &v, repaired);
}

/*
 * PostgreSQL's array output (array_out): '{', elements separated by ',',
 * '}', nested once per dimension. An element is NULL, a bare word, or
 * double-quoted with '\' before '"' and '\'. s[*i] is at a '{'.
 */
static int array_literal(dpex_buf *out, dpex_buf *scratch, dpex_buf *elem,
			 dpex_kind k, const char *s, size_t len, size_t *i,
			 int depth, size_t *repaired)
{
	if (depth > ARRAY_MAX_DEPTH || *i >= len || s[*i] != '{')
		return NOT_AN_ARRAY;
	(*i)++;
	int rc = dpex_buf_putc(out, '[');
	if (!rc && *i < len && s[*i] == '}') {
		(*i)++;
		return dpex_buf_putc(out, ']');
	}
	for (size_t n = 0; !rc; n++) {
		if (n)
			rc = dpex_buf_puts(out, ", ");
		if (rc || *i >= len)
			return rc ? rc : NOT_AN_ARRAY;
		if (s[*i] == '{') {
			rc = array_literal(out, scratch, elem, k, s, len, i,
					   depth + 1, repaired);
		} else if (s[*i] == '"') {
			dpex_buf_clear(elem);
			for ((*i)++; !rc && *i < len && s[*i] != '"'; (*i)++) {
				if (s[*i] == '\\' && *i + 1 < len)
					(*i)++;
				rc = dpex_buf_putc(elem, s[*i]);
			}
			if (rc || *i >= len)
				return rc ? rc : NOT_AN_ARRAY;
			(*i)++;
			rc = array_element(out, scratch, elem, k, repaired);
		} else {
			size_t start = *i;
			while (*i < len && s[*i] != ',' && s[*i] != '}')
				(*i)++;
			size_t n_ = *i - start;
			if (n_ == 0)
				return NOT_AN_ARRAY;
			if (n_ == 4 && memcmp(s + start, "NULL", 4) == 0) {
				rc = dpex_buf_append(out, "null", 4);
			} else {
				dpex_buf_clear(elem);
				rc = dpex_buf_append(elem, s + start, n_);
				if (!rc)
					rc = array_element(out, scratch, elem,
							   k, repaired);
			}
		}
		if (rc)
			return rc;
		if (*i < len && s[*i] == '}') {
			(*i)++;
			return dpex_buf_putc(out, ']');
		}
		if (*i >= len || s[*i] != ',')
			return NOT_AN_ARRAY;
		(*i)++;
	}
	return rc;
}

int dpex_jsonw_array(dpex_buf *out, dpex_buf *scratch, dpex_buf *elem,
		     dpex_kind elem_kind, const dpex_value *v, size_t *repaired)
{
	if (v->is_null)
		return dpex_buf_append(out, "null", 4);
	size_t mark = out->len, i = 0;
	int rc = array_literal(out, scratch, elem, elem_kind, v->data, v->len,
			       &i, 1, repaired);
	if (rc == 0 && i != v->len)
		rc = NOT_AN_ARRAY;
	if (rc != NOT_AN_ARRAY)
		return rc;
	/* "[0:2]={1,2,3}" (a lower bound other than 1) or a shape not
	 * expected: PostgreSQL's text, as a string. */
	out->len = mark;
	if (out->data)
		out->data[mark] = '\0';
	return dpex_jsonw_string(out, v->data, v->len, repaired);
}

/*
 * PostgreSQL's row output (record_out): '(', fields separated by ',', ')';
 * an empty field is NULL, a quoted one has '"' and '\' doubled (and
 * record_in also takes '\' before any character).
 */
static int record_literal(dpex_buf *out, dpex_buf *scratch, dpex_buf *field,
			  const dpex_field *fields, size_t nfields,
			  const char *s, size_t len, size_t *repaired)
{
	if (len < 2 || s[0] != '(')
		return NOT_AN_ARRAY;
	size_t i = 1;
	int rc = dpex_buf_putc(out, '{');
	for (size_t f = 0; !rc; f++) {
		if (f >= nfields)
			return NOT_AN_ARRAY;
		if (f)
			rc = dpex_buf_puts(out, ", ");
		if (!rc)
			rc = dpex_jsonw_string(out, fields[f].name,
					       strlen(fields[f].name),
					       repaired);
		if (!rc)
			rc = dpex_buf_puts(out, ": ");
		if (rc)
			return rc;
		if (i < len && (s[i] == ',' || s[i] == ')')) {
			rc = dpex_buf_append(out, "null", 4);
		} else {
			dpex_buf_clear(field);
			while (!rc && i < len && s[i] != ',' && s[i] != ')') {
				if (s[i] != '"') {
					rc = dpex_buf_putc(field, s[i++]);
					continue;
				}
				for (i++;; i++) {
					if (i >= len)
						return NOT_AN_ARRAY;
					if (s[i] == '\\' && i + 1 < len) {
						i++;
					} else if (s[i] == '"') {
						if (i + 1 >= len ||
						    s[i + 1] != '"')
							break;
						i++;
					}
					rc = dpex_buf_putc(field, s[i]);
					if (rc)
						return rc;
				}
				i++; /* the closing quote */
			}
			if (!rc)
				rc = array_element(out, scratch, field,
						   fields[f].kind, repaired);
		}
		if (rc)
			return rc;
		if (i >= len)
			return NOT_AN_ARRAY;
		if (s[i++] != ')')
			continue;
		/* Fewer fields than the type has: not the row expected. */
		if (f + 1 != nfields)
			return NOT_AN_ARRAY;
		break;
	}
	if (rc)
		return rc;
	return i == len ? dpex_buf_putc(out, '}') : NOT_AN_ARRAY;
}

int dpex_jsonw_composite(dpex_buf *out, dpex_buf *scratch, dpex_buf *field,
			 const dpex_field *fields, size_t nfields,
			 const dpex_value *v, size_t *repaired)
{
	if (v->is_null)
		return dpex_buf_append(out, "null", 4);
	size_t mark = out->len;
	int rc = record_literal(out, scratch, field, fields, nfields, v->data,
				v->len, repaired);
	if (rc != NOT_AN_ARRAY)
		return rc;
	/* A row of another shape than the catalog said: PostgreSQL's text,
	 * as a string. */
	out->len = mark;
	if (out->data)
		out->data[mark] = '\0';
	return dpex_jsonw_string(out, v->data, v->len, repaired);
}

int dpex_jsonw_column(dpex_buf *out, dpex_buf *scratch, dpex_buf *elem,
		      const dpex_column *c, const dpex_value *v,
		      size_t *repaired)
{
	if (c->kind == DPEX_KIND_COMPOSITE && c->fields)
		return dpex_jsonw_composite(out, scratch, elem, c->fields,
					    c->nfields, v, repaired);
	if (c->kind == DPEX_KIND_ARRAY)
		return dpex_jsonw_array(out, scratch, elem, c->elem_kind, v,
					repaired);
	return dpex_jsonw_value(out, scratch, c->kind, v, repaired);
}
