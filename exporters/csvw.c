#include "csvw.h"

#include "../core/utf8.h"
#include "pgtext.h"

#include <stdbool.h>
#include <string.h>

static bool needs_quotes(const char *s, size_t len)
{
	if (len == 0)
		return true;
	for (size_t i = 0; i < len; i++)
		if (s[i] == '"' || s[i] == ',' || s[i] == '\r' || s[i] == '\n')
			return true;
	return false;
}

/* Writes valid UTF-8 s as one field. */
static int field(dpex_buf *out, const char *s, size_t len)
{
	if (!needs_quotes(s, len))
		return dpex_buf_append(out, s, len);
	int rc = dpex_buf_putc(out, '"');
	const char *q;
	while (!rc && (q = memchr(s, '"', len)) != NULL) {
		size_t n = (size_t)(q - s) + 1;
		rc = dpex_buf_append(out, s, n);
		if (!rc)
			rc = dpex_buf_putc(out, '"');
		s += n;
		len -= n;
	}
	if (!rc)
		rc = dpex_buf_append(out, s, len);
	if (!rc)
		rc = dpex_buf_putc(out, '"');
	return rc;
}

int dpex_csvw_field(dpex_buf *out, const char *s, size_t len, size_t *repaired)
{
	if (dpex_utf8_valid_prefix(s, len) == len)
		return field(out, s, len);
	/* Only a value that needs repair pays for a copy. */
	dpex_buf fixed = DPEX_BUF_INIT;
	size_t n = 0;
	int rc = dpex_utf8_repair(&fixed, s, len, &n);
	if (!rc)
		rc = field(out, fixed.data, fixed.len);
	dpex_buf_free(&fixed);
	if (!rc && repaired && n)
		(*repaired)++;
	return rc;
}

int dpex_csvw_value(dpex_buf *out, dpex_buf *scratch, dpex_kind k,
		    const dpex_value *v, size_t *repaired)
{
	if (v->is_null)
		return 0;
	const char *text;
	size_t n;
	int rc = dpex_pgtext_plain(scratch, k, v->data, v->len, &text, &n);
	return rc ? rc : dpex_csvw_field(out, text, n, repaired);
}

int dpex_csvw_header(dpex_buf *out, const dpex_entity_shape *e)
{
	int rc = 0;
	for (size_t c = 0; !rc && c < e->ncolumns; c++) {
		if (c)
			rc = dpex_buf_putc(out, ',');
		if (!rc)
			rc = dpex_csvw_field(out, e->columns[c].name,
					     strlen(e->columns[c].name), NULL);
	}
	return rc ? rc : dpex_buf_append(out, "\r\n", 2);
}

int dpex_csvw_row(dpex_buf *out, dpex_buf *scratch, const dpex_entity_shape *e,
		  const dpex_value *values, size_t *repaired)
{
	int rc = 0;
	for (size_t c = 0; !rc && c < e->ncolumns; c++) {
		if (c)
			rc = dpex_buf_putc(out, ',');
		if (!rc)
			rc = dpex_csvw_value(out, scratch, e->columns[c].kind,
					     &values[c], repaired);
	}
	return rc ? rc : dpex_buf_append(out, "\r\n", 2);
}
