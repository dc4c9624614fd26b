#include "exporters/csvw.h"

#include "core/base/utf8.h"
#include "exporters/pgtext.h"

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

/* Writes valid UTF-8 s as one field, after an apostrophe when asked. */
static int field(dpex_buf *out, const char *s, size_t len, bool apostrophe)
{
	if (!needs_quotes(s, len)) {
		int rc = apostrophe ? dpex_buf_putc(out, '\'') : 0;
		return rc ? rc : dpex_buf_append(out, s, len);
	}
	int rc = dpex_buf_putc(out, '"');
	if (!rc && apostrophe)
		rc = dpex_buf_putc(out, '\'');
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

static int repaired_field(dpex_buf *out, const char *s, size_t len,
			  size_t *repaired, bool apostrophe)
{
	if (dpex_utf8_valid_prefix(s, len) == len)
		return field(out, s, len, apostrophe);
	/* Only a value that needs repair pays for a copy. */
	dpex_buf fixed = DPEX_BUF_INIT;
	size_t n = 0;
	int rc = dpex_utf8_repair(&fixed, s, len, &n);
	if (!rc)
		rc = field(out, fixed.data, fixed.len, apostrophe);
	dpex_buf_free(&fixed);
	if (!rc && repaired && n)
		(*repaired)++;
	return rc;
}

int dpex_csvw_field(dpex_buf *out, const char *s, size_t len, size_t *repaired)
{
	return repaired_field(out, s, len, repaired, false);
}

bool dpex_csvw_is_formula(dpex_kind k, const char *s, size_t len)
{
	/* PostgreSQL prints numbers as numbers (or NaN, Infinity): a leading
	 * '-' there is a sign, and "'-25.00" would no longer sum. */
	if (k == DPEX_KIND_INTEGER || k == DPEX_KIND_NUMERIC ||
	    k == DPEX_KIND_FLOAT)
		return false;
	return len > 0 && memchr("=+-@\t\r", s[0], 6) != NULL;
}

static int value(dpex_buf *out, dpex_buf *scratch, dpex_kind k,
		 const dpex_value *v, size_t *repaired, bool excel_safe)
{
	if (v->is_null)
		return 0;
	const char *text;
	size_t n;
	int rc = dpex_pgtext_plain(scratch, k, v->data, v->len, &text, &n);
	if (rc)
		return rc;
	return repaired_field(out, text, n, repaired,
			      excel_safe && dpex_csvw_is_formula(k, text, n));
}

int dpex_csvw_value(dpex_buf *out, dpex_buf *scratch, dpex_kind k,
		    const dpex_value *v, size_t *repaired)
{
	return value(out, scratch, k, v, repaired, false);
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

int dpex_csvw_record(dpex_buf *out, dpex_buf *scratch,
		     const dpex_entity_shape *e, const dpex_value *values,
		     size_t *repaired, bool excel_safe)
{
	int rc = 0;
	for (size_t c = 0; !rc && c < e->ncolumns; c++) {
		if (c)
			rc = dpex_buf_putc(out, ',');
		if (!rc)
			rc = value(out, scratch, e->columns[c].kind, &values[c],
				   repaired, excel_safe);
	}
	return rc ? rc : dpex_buf_append(out, "\r\n", 2);
}

int dpex_csvw_row(dpex_buf *out, dpex_buf *scratch, const dpex_entity_shape *e,
		  const dpex_value *values, size_t *repaired)
{
	return dpex_csvw_record(out, scratch, e, values, repaired, false);
}
