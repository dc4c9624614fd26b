/*
 * xlsx: data.xlsx, one worksheet per entity, for people who open the
 * answer in a spreadsheet program.
 *
 * Written with our own streaming writer (xlsxw.h): each sheet appends its
 * rows as they come, so rows arriving in tree order (an order, its lines,
 * the next order) go to their sheets interleaved, and memory stays flat
 * (a large sheet moves to a spill file in the archive's spool). It costs
 * microseconds a workbook where libxlsxwriter 1.1.4 took about 4 ms and
 * 27 temporary files (BENCHMARKS.md), which bulk pays once per subject.
 *
 * Cells are typed from the column's kind so that sums and date filters
 * work, except where Excel would change the value: identifiers and numbers
 * of more than 15 significant digits stay text (Excel keeps 15), dates
 * before 1900, BC and infinite ones stay text (Excel has no such dates),
 * and every text is an inline string, never a formula, whether it reads
 * "=...", "+31 ..." or "-25.00" (OWASP's CSV/formula injection).
 *
 * NULL is an empty cell; the empty string is an empty cell formatted as
 * text ("@"), so that the two stay apart for a reader that looks.
 *
 * A sheet holds 1,048,576 rows, the header included: an entity with more
 * rows continues on "orders (2)", "orders (3)"..., each with the header.
 */
#include "exporters/exporter.h"

#include "core/base/buf.h"
#include "core/base/error.h"
#include "core/base/utf8.h"
#include "exporters/pgtext.h"
#include "exporters/xlsxw.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#define MEMBER_NAME "data.xlsx"

/* Excel caps a cell at 32,767 characters, counted in UTF-16 (an emoji
 * counts 2); a longer value keeps its start and says where the rest is. */
#define CELL_MAX_CHARS 32767
#define TRUNCATED_MARK                                                         \
	" \u2026 [truncated: Excel holds 32,767 characters a cell; the full "  \
	"value is in data.json and the CSV file]"

/* Excel shows and keeps 15 significant digits: a longer integer (an EAN, a
 * 16-digit account number) would come back changed. */
#define EXACT_INT_MAX 999999999999999LL

/* Up to 15 significant decimal digits survive a trip through a double
 * (DBL_DIG), which is also what Excel shows. */
#define EXACT_DECIMAL_DIGITS 15

/* The sheet an entity's rows go to now. */
typedef struct sheet {
	size_t index;	   /* in the workbook */
	unsigned int part; /* 1, then 2 for "orders (2)"... */
} sheet;

typedef struct xlsx_exporter {
	const dpex_exporter_ctx *ctx;
	dpex_xlsxw *wb;
	char *label;   /* "data.xlsx in <out dir>", for messages */
	sheet *sheets; /* by entity index */
	char **names;  /* every sheet's name, in workbook order */
	size_t nnames;
	dpex_buf text;	  /* a repaired or truncated value */
	dpex_buf scratch; /* for dpex_pgtext_plain */
	long long rows;
} xlsx_exporter;

static void xlsx_free(void *self)
{
	xlsx_exporter *x = self;
	if (!x)
		return;
	dpex_xlsxw_free(x->wb);
	free(x->label);
	for (size_t i = 0; i < x->nnames; i++)
		free(x->names[i]);
	free(x->names);
	free(x->sheets);
	dpex_buf_free(&x->text);
	dpex_buf_free(&x->scratch);
	free(x);
}

/* Bytes of valid UTF-8 s that make at most max UTF-16 code units, not
 * splitting a character. */
static size_t utf16_prefix(const char *s, size_t len, size_t max)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t i = 0, units = 0;
	while (i < len) {
		size_t n = p[i] < 0x80	 ? 1
			   : p[i] < 0xE0 ? 2
			   : p[i] < 0xF0 ? 3
					 : 4;
		size_t u = n == 4 ? 2 : 1; /* a surrogate pair above U+FFFF */
		if (units + u > max || i + n > len)
			break;
		units += u;
		i += n;
	}
	return i;
}

/*
 * The text of a cell: valid UTF-8 (invalid bytes would make a file that
 * does not open) and at most CELL_MAX_CHARS characters; xlsxw escapes
 * the rest. Borrows s when it is fine as it is, else builds it in
 * x->text.
 */
static int cell_text(xlsx_exporter *x, const char *s, size_t len,
		     const char **out, size_t *out_len)
{
	*out = s;
	*out_len = len;
	bool valid = dpex_utf8_valid_prefix(s, len) == len;
	/* Fewer bytes than the limit cannot be too many characters. */
	bool fits = len <= CELL_MAX_CHARS ||
		    utf16_prefix(s, len, CELL_MAX_CHARS) == len;
	if (valid && fits)
		return 0;
	dpex_buf_clear(&x->text);
	int rc = 0;
	if (!valid) {
		rc = dpex_utf8_repair(&x->text, s, len, NULL);
		s = x->text.data;
		len = x->text.len;
	}
	if (!rc && len > CELL_MAX_CHARS &&
	    utf16_prefix(s, len, CELL_MAX_CHARS) < len) {
		size_t mark_chars = 0; /* all below U+FFFF: one unit each */
		for (const char *m = TRUNCATED_MARK; *m; m++)
			mark_chars += ((unsigned char)*m & 0xC0) != 0x80;
		size_t keep = utf16_prefix(s, len, CELL_MAX_CHARS - mark_chars);
		if (s == x->text.data) {
			x->text.len = keep;
			x->text.data[keep] = '\0';
		} else {
			rc = dpex_buf_append(&x->text, s, keep);
		}
		if (!rc)
			rc = dpex_buf_puts(&x->text, TRUNCATED_MARK);
	}
	if (rc)
		return rc;
	*out = x->text.data;
	*out_len = x->text.len;
	return 0;
}

static int write_text(xlsx_exporter *x, size_t ws, unsigned col, const char *s,
		      size_t len, dpex_xlsxw_style style)
{
	/* The empty string: an empty cell formatted as text (see above). */
	if (len == 0)
		return dpex_xlsxw_blank(x->wb, ws, col,
					style ? style : DPEX_XLSXW_TEXT);
	const char *text;
	size_t n;
	int rc = cell_text(x, s, len, &text, &n);
	return rc ? rc : dpex_xlsxw_string(x->wb, ws, col, text, n, style);
}

/* A plain decimal ("-25.00", "0.5") as the text of a number cell ("-25",
 * "0.5"), when a double holds it without a loss a reader would see: at
 * most 15 significant digits, finite. Excel reads the text to the double
 * nearest to it; the text is the database's, not a double's rounding. */
static bool exact_decimal(dpex_buf *out, const char *s, size_t len)
{
	bool minus = len > 0 && s[0] == '-';
	size_t i = (len > 0 && (s[0] == '-' || s[0] == '+')) ? 1 : 0;
	size_t start = i, point = len;
	int digits = 0, significant = 0, pending_zeros = 0;
	bool nonzero = false;
	for (; i < len; i++) {
		char c = s[i];
		if (c == '.' && point == len) {
			point = i;
		} else if (c >= '0' && c <= '9') {
			digits++;
			if (c == '0') {
				pending_zeros += nonzero;
			} else {
				significant += pending_zeros + 1;
				pending_zeros = 0;
				nonzero = true;
			}
		} else {
			return false;
		}
	}
	if (digits == 0 || significant > EXACT_DECIMAL_DIGITS)
		return false;
	errno = 0;
	char *end;
	double d = strtod(s, &end);
	if (end != s + len || errno == ERANGE || !isfinite(d))
		return false;
	dpex_buf_clear(out);
	if (dpex_buf_reserve(out, len + 2))
		return false;
	if (!nonzero) /* no "-0" in a spreadsheet */
		return dpex_buf_putc(out, '0') == 0;
	size_t int_end = point, frac_end = len;
	while (start < int_end && s[start] == '0')
		start++;
	if (point < len)
		while (frac_end > point + 1 && s[frac_end - 1] == '0')
			frac_end--;
	if (minus)
		dpex_buf_putc(out, '-');
	if (start == int_end)
		dpex_buf_putc(out, '0');
	dpex_buf_append(out, s + start, int_end - start);
	if (point < len && frac_end > point + 1)
		dpex_buf_append(out, s + point, frac_end - point);
	return true;
}

/* An integer Excel keeps exactly (the text as it is: PostgreSQL writes
 * integers plainly). */
static bool small_integer(const char *s, size_t len)
{
	errno = 0;
	char *end;
	long long v = strtoll(s, &end, 10);
	return len > 0 && end == s + len && errno != ERANGE &&
	       v >= -EXACT_INT_MAX && v <= EXACT_INT_MAX;
}

/* A float8 or float4 Excel can hold: finite. Its text as it is (since
 * PostgreSQL 12 the shortest that reads back exactly), but zero for "-0". */
static bool finite_float(const char *s, size_t len, const char **text,
			 size_t *n)
{
	errno = 0;
	char *end;
	double d = strtod(s, &end);
	if (len == 0 || end != s + len || !isfinite(d))
		return false;
	*text = d == 0 ? "0" : s;
	*n = d == 0 ? 1 : len;
	return true;
}

static bool parse_digits(const char *s, size_t n, int *out)
{
	int v = 0;
	for (size_t i = 0; i < n; i++) {
		if (s[i] < '0' || s[i] > '9')
			return false;
		v = v * 10 + (s[i] - '0');
	}
	*out = v;
	return true;
}

/* "2024-03-01" with a year Excel can show (1900..9999); BC dates,
 * "infinity" and five-digit years are not. */
static bool parse_date(const char *s, size_t len, dpex_xlsxw_datetime *dt)
{
	*dt = (dpex_xlsxw_datetime){0};
	if (len < 10 || s[4] != '-' || s[7] != '-' ||
	    !parse_digits(s, 4, &dt->year) ||
	    !parse_digits(s + 5, 2, &dt->month) ||
	    !parse_digits(s + 8, 2, &dt->day))
		return false;
	return dt->year >= 1900 && dt->month >= 1 && dt->month <= 12 &&
	       dt->day >= 1 && dt->day <= 31;
}

/* Fractional seconds at s[*i] (".5", ".123"), added to dt->sec. Excel
 * shows at most milliseconds and rounds the rest away (23:59:59.999999
 * would show as 00:00:00): more digits than 3 are refused, so the value
 * stays text. *fraction says whether there were any. */
static bool parse_fraction(const char *s, size_t len, size_t *i,
			   dpex_xlsxw_datetime *dt, bool *fraction)
{
	*fraction = false;
	if (*i >= len || s[*i] != '.')
		return true;
	double frac = 0, scale = 0.1;
	int digits = 0;
	for ((*i)++; *i < len && s[*i] >= '0' && s[*i] <= '9'; (*i)++) {
		frac += (s[*i] - '0') * scale;
		scale /= 10;
		digits++;
	}
	dt->sec += frac;
	*fraction = digits > 0;
	return digits > 0 && digits <= 3;
}

/* "2024-03-01 13:45:00[.123]", then "+00" or "+00:00" when zoned (the
 * session runs in UTC, so no other offset is expected; one that is not UTC
 * stays text rather than becoming a wrong time). */
static bool parse_timestamp(const char *s, size_t len, bool zoned,
			    dpex_xlsxw_datetime *dt, bool *fraction)
{
	int sec;
	if (len < 19 || !parse_date(s, 10, dt) || s[10] != ' ' ||
	    s[13] != ':' || s[16] != ':' ||
	    !parse_digits(s + 11, 2, &dt->hour) ||
	    !parse_digits(s + 14, 2, &dt->min) ||
	    !parse_digits(s + 17, 2, &sec) || dt->hour > 23 || dt->min > 59 ||
	    sec > 59)
		return false;
	size_t i = 19;
	dt->sec = sec;
	if (!parse_fraction(s, len, &i, dt, fraction))
		return false;
	const char *rest = s + i;
	size_t n = len - i;
	if (!zoned)
		return n == 0;
	return (n == 3 && memcmp(rest, "+00", 3) == 0) ||
	       (n == 6 && memcmp(rest, "+00:00", 6) == 0);
}

/* "13:45:00[.123]" as a time of day; "24:00:00" is not one in Excel. */
static bool parse_time(const char *s, size_t len, dpex_xlsxw_datetime *dt,
		       bool *fraction)
{
	*dt = (dpex_xlsxw_datetime){0};
	int sec;
	if (len < 8 || s[2] != ':' || s[5] != ':' ||
	    !parse_digits(s, 2, &dt->hour) ||
	    !parse_digits(s + 3, 2, &dt->min) ||
	    !parse_digits(s + 6, 2, &sec) || dt->hour > 23 || dt->min > 59 ||
	    sec > 59)
		return false;
	size_t i = 8;
	dt->sec = sec;
	return parse_fraction(s, len, &i, dt, fraction) && i == len;
}

static int write_value(xlsx_exporter *x, size_t ws, unsigned col,
		       const dpex_column *c, const dpex_value *v)
{
	if (v->is_null)
		return 0;
	const char *s = v->data;
	size_t len = v->len;
	const char *num;
	size_t n;
	dpex_xlsxw_datetime dt;
	bool ms;
	switch (c->identifier ? DPEX_KIND_TEXT : c->kind) {
	case DPEX_KIND_INTEGER:
		if (!small_integer(s, len))
			break;
		return dpex_xlsxw_number_text(x->wb, ws, col, s, len);
	case DPEX_KIND_NUMERIC:
		if (!exact_decimal(&x->text, s, len))
			break;
		return dpex_xlsxw_number_text(x->wb, ws, col, x->text.data,
					      x->text.len);
	case DPEX_KIND_FLOAT:
		if (!finite_float(s, len, &num, &n))
			break;
		return dpex_xlsxw_number_text(x->wb, ws, col, num, n);
	case DPEX_KIND_BOOL:
		if (len != 1 || (s[0] != 't' && s[0] != 'f'))
			break;
		return dpex_xlsxw_bool(x->wb, ws, col, s[0] == 't');
	case DPEX_KIND_DATE:
		if (len != 10 || !parse_date(s, len, &dt))
			break;
		return dpex_xlsxw_number(x->wb, ws, col, dpex_xlsxw_serial(&dt),
					 DPEX_XLSXW_DATE);
	case DPEX_KIND_TIMESTAMP:
	case DPEX_KIND_TIMESTAMPTZ:
		if (!parse_timestamp(s, len, c->kind == DPEX_KIND_TIMESTAMPTZ,
				     &dt, &ms))
			break;
		return dpex_xlsxw_number(x->wb, ws, col, dpex_xlsxw_serial(&dt),
					 ms ? DPEX_XLSXW_DATETIME_MS
					    : DPEX_XLSXW_DATETIME);
	case DPEX_KIND_TIME:
		if (!parse_time(s, len, &dt, &ms))
			break;
		return dpex_xlsxw_number(x->wb, ws, col, dpex_xlsxw_serial(&dt),
					 ms ? DPEX_XLSXW_TIME_MS
					    : DPEX_XLSXW_TIME);
	default:
		/* text, uuid, json, arrays, interval, time with zone...: the
		 * text the JSON and CSV files show. */
		break;
	}
	/* What did not fit a typed cell, and identifiers: the same text as
	 * in the CSV file (ISO 8601 timestamps, base64 bytea, true/false). */
	int rc = dpex_pgtext_plain(&x->scratch, c->kind, s, len, &num, &n);
	return rc ? rc : write_text(x, ws, col, num, n, DPEX_XLSXW_GENERAL);
}

/* Excel's rules for a sheet name: at most 31 characters, none of
 * : \ / ? * [ ], not starting or ending with an apostrophe, unique without
 * regard to case, and not "History" (reserved by Excel). */
static bool name_taken(const xlsx_exporter *x, const char *name)
{
	if (strcasecmp(name, "History") == 0)
		return true;
	for (size_t i = 0; i < x->nnames; i++)
		if (strcasecmp(x->names[i], name) == 0)
			return true;
	return false;
}

/* A valid sheet name not yet taken for raw, numbered from first (1: none,
 * 2: " (2)"...). */
static int sheet_name(xlsx_exporter *x, const char *raw, unsigned int first,
		      char **out)
{
	dpex_buf base = DPEX_BUF_INIT;
	int rc = dpex_utf8_repair(&base, raw, strlen(raw), NULL);
	if (!rc && base.len == 0)
		rc = dpex_buf_puts(&base, "sheet");
	if (rc) {
		dpex_buf_free(&base);
		return rc;
	}
	/* Control characters have no place in XML attributes either. */
	for (size_t i = 0; i < base.len; i++)
		if (strchr(":\\/?*[]", base.data[i]) ||
		    (unsigned char)base.data[i] < 0x20)
			base.data[i] = '_';
	char *name = NULL;
	for (unsigned int n = first; !rc; n++) {
		char suffix[16] = "";
		if (n > 1)
			snprintf(suffix, sizeof(suffix), " (%u)", n);
		size_t keep = dpex_utf8_prefix_chars(base.data, base.len,
						     DPEX_XLSXW_MAX_NAME -
							     strlen(suffix));
		name = dpex_asprintf("%.*s%s", (int)keep, base.data, suffix);
		if (!name) {
			rc = DPEX_ENOMEM;
			break;
		}
		size_t len = strlen(name);
		if (name[0] == '\'')
			name[0] = '_';
		if (name[len - 1] == '\'')
			name[len - 1] = '_';
		if (!name_taken(x, name))
			break;
		free(name);
		name = NULL;
	}
	dpex_buf_free(&base);
	*out = name;
	return rc;
}

/* Starts the entity's next sheet (its first, or a continuation after
 * Excel's last row) with the header. */
static int add_sheet(xlsx_exporter *x, size_t entity)
{
	const dpex_entity_shape *e = &x->ctx->entities[entity];
	sheet *sh = &x->sheets[entity];
	if (e->ncolumns > DPEX_XLSXW_MAX_COLS)
		return dpex_error_set(DPEX_EOUTPUT,
				      "%s: entity \"%s\" has %zu columns; an "
				      "Excel sheet holds at most %u",
				      MEMBER_NAME, e->name, e->ncolumns,
				      DPEX_XLSXW_MAX_COLS);
	char **names = dpex_realloc(x->names, (x->nnames + 1) * sizeof(*names));
	if (!names)
		return DPEX_ENOMEM;
	x->names = names;
	char *name = NULL;
	size_t before = sh->index;
	int rc = sheet_name(x, e->name, ++sh->part, &name);
	if (rc)
		return rc;
	x->names[x->nnames++] = name;
	rc = dpex_xlsxw_add_sheet(x->wb, name, &sh->index);
	/* A continuation's tab next to the part before it, not last. */
	if (!rc && sh->part > 1)
		dpex_xlsxw_place_after(x->wb, sh->index, before);
	/* Wide enough that dates do not show as "########". */
	for (size_t c = 0; !rc && c < e->ncolumns; c++) {
		const dpex_column *col = &e->columns[c];
		if (col->identifier)
			continue;
		if (col->kind == DPEX_KIND_DATE)
			rc = dpex_xlsxw_set_width(x->wb, sh->index, (unsigned)c,
						  11);
		else if (col->kind == DPEX_KIND_TIMESTAMP ||
			 col->kind == DPEX_KIND_TIMESTAMPTZ)
			rc = dpex_xlsxw_set_width(x->wb, sh->index, (unsigned)c,
						  20);
	}
	if (!rc)
		rc = dpex_xlsxw_row(x->wb, sh->index);
	dpex_buf head = DPEX_BUF_INIT;
	for (size_t c = 0; !rc && c < e->ncolumns; c++) {
		const dpex_column *col = &e->columns[c];
		dpex_buf_clear(&head);
		rc = dpex_buf_puts(&head, col->name);
		/* The session's time zone is UTC and Excel has no zoned
		 * type: the header says so. */
		if (!rc && col->kind == DPEX_KIND_TIMESTAMPTZ &&
		    !col->identifier)
			rc = dpex_buf_puts(&head, " (UTC)");
		if (!rc)
			rc = write_text(x, sh->index, (unsigned)c, head.data,
					head.len, DPEX_XLSXW_BOLD);
	}
	dpex_buf_free(&head);
	return rc;
}

static int xlsx_open(void **self, const dpex_exporter_ctx *ctx)
{
	*self = NULL;
	xlsx_exporter *x = dpex_calloc(1, sizeof(*x));
	if (!x)
		return DPEX_ENOMEM;
	x->ctx = ctx;
	x->sheets = dpex_calloc(ctx->nentities, sizeof(*x->sheets));
	x->label = dpex_asprintf("%s in %s", MEMBER_NAME,
				 dpex_archive_out_dir(ctx->archive));
	int rc = x->sheets && x->label ? 0 : DPEX_ENOMEM;
	/* A large sheet spills to the spool: on the archive's file system
	 * and removed with it, not in a RAM-backed /tmp. */
	if (!rc)
		rc = dpex_xlsxw_new(
			&x->wb, dpex_archive_spool_dir(ctx->archive), x->label);
	for (size_t e = 0; !rc && e < ctx->nentities; e++)
		rc = add_sheet(x, e);
	if (rc) {
		xlsx_free(x);
		return rc;
	}
	*self = x;
	return 0;
}

static int xlsx_row(void *self, const dpex_entity_shape *e,
		    const dpex_value *values)
{
	xlsx_exporter *x = self;
	sheet *sh = &x->sheets[e->index];
	/* Excel's last row: go on on a new sheet. */
	if (dpex_xlsxw_rows(x->wb, sh->index) >= DPEX_XLSXW_MAX_ROWS) {
		int rc = add_sheet(x, (size_t)e->index);
		if (rc)
			return rc;
	}
	int rc = dpex_xlsxw_row(x->wb, sh->index);
	for (size_t c = 0; !rc && c < e->ncolumns; c++)
		rc = write_value(x, sh->index, (unsigned)c, &e->columns[c],
				 &values[c]);
	if (rc)
		return rc;
	x->rows++;
	return 0;
}

static int xlsx_finish(void *self)
{
	xlsx_exporter *x = self;
	dpex_sink *sink;
	int rc = dpex_archive_member_open(x->ctx->archive, MEMBER_NAME, &sink);
	if (rc)
		return rc;
	rc = dpex_xlsxw_close(x->wb, sink);
	/* Closed on failure too: the archive is then discarded whole. */
	int closed = dpex_sink_close(sink, x->rows);
	return rc ? rc : closed;
}

const dpex_exporter_ops dpex_exporter_xlsx = {
	.name = "xlsx",
	.open = xlsx_open,
	.row = xlsx_row,
	.finish = xlsx_finish,
	.free = xlsx_free,
};
