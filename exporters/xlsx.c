/*
 * xlsx: data.xlsx, one worksheet per entity, for people who open the
 * answer in a spreadsheet program.
 *
 * libxlsxwriter runs in constant_memory mode: each worksheet keeps only its
 * current row in memory and writes finished rows to a temporary file in the
 * archive's spool. A row may only follow the rows above it on the same
 * sheet, but each sheet has its own current row (worksheet.c: _get_row and
 * optimize_row), so rows arriving in tree order (an order, its lines, the
 * next order) can go to their sheets interleaved.
 *
 * Cells are typed from the column's kind so that sums and date filters
 * work, except where Excel would change the value: identifiers and numbers
 * of more than 15 significant digits stay text (Excel keeps 15), dates
 * before 1900, BC and infinite ones stay text (Excel has no such dates),
 * and every text goes through worksheet_write_string, which never makes a
 * formula of "=...", "+31 ..." or "-25.00" (OWASP's CSV/formula injection).
 *
 * NULL is an empty cell; the empty string, which libxlsxwriter cannot
 * write as a string, is an empty cell formatted as text ("@"), so that the
 * two stay apart for a reader that looks.
 *
 * A sheet holds 1,048,576 rows, the header included: an entity with more
 * rows continues on "orders (2)", "orders (3)"..., each with the header.
 */
#include "exporter.h"

#include "../core/buf.h"
#include "../core/error.h"
#include "../core/utf8.h"
#include "pgtext.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <xlsxwriter.h>

#define MEMBER_NAME "data.xlsx"

/* Excel caps a cell at 32,767 characters, counted in UTF-16 (an emoji
 * counts 2; libxlsxwriter's own check counts code points); a longer value
 * keeps its start and says where the rest is. */
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
	lxw_worksheet *ws;
	lxw_row_t next_row; /* the header is row 0 */
	unsigned int part;  /* 1, then 2 for "orders (2)"... */
} sheet;

typedef struct xlsx_exporter {
	const dpex_exporter_ctx *ctx;
	lxw_workbook *wb; /* NULL once workbook_close has run (and freed it) */
	char *path;	  /* the workbook in the spool */
	bool handed_over; /* path belongs to the archive */
	sheet *sheets;	  /* by entity index */
	char **names;	  /* every sheet's name, in workbook order */
	size_t nnames;
	lxw_format *bold;
	lxw_format *date;
	lxw_format *datetime;
	lxw_format *datetime_ms;
	lxw_format *time;
	lxw_format *time_ms;
	lxw_format *text_format; /* "@": the empty string */
	dpex_buf text;		 /* a repaired or truncated value */
	dpex_buf escaped;	 /* a value with "_xHHHH_" escaped */
	dpex_buf scratch;	 /* for dpex_pgtext_plain */
	long long rows;
} xlsx_exporter;

static int lxw_failure(const char *what, lxw_error err)
{
	return dpex_error_set(DPEX_EOUTPUT, "%s: %s: %s", MEMBER_NAME, what,
			      lxw_strerror(err));
}

/* workbook_close closes each sheet's temporary file; lxw_workbook_free
 * alone does not (1.1.4), so on failure they are closed here. */
static void discard_workbook(xlsx_exporter *x)
{
	if (!x->wb)
		return;
	lxw_worksheet *ws;
	LXW_FOREACH_WORKSHEET(ws, x->wb)
	{
		if (ws->optimize_tmpfile) {
			fclose(ws->optimize_tmpfile);
			ws->optimize_tmpfile = NULL;
			ws->file = NULL;
		}
	}
	lxw_workbook_free(x->wb);
	x->wb = NULL;
}

static void xlsx_free(void *self)
{
	xlsx_exporter *x = self;
	if (!x)
		return;
	discard_workbook(x);
	if (x->path && !x->handed_over)
		remove(x->path);
	for (size_t i = 0; i < x->nnames; i++)
		free(x->names[i]);
	free(x->names);
	free(x->sheets);
	free(x->path);
	dpex_buf_free(&x->text);
	dpex_buf_free(&x->escaped);
	dpex_buf_free(&x->scratch);
	free(x);
}

static bool is_hex(char c)
{
	return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') ||
	       (c >= 'A' && c <= 'F');
}

/* True when s[i..] reads "_xHHHH_": Excel's escape for a character XML
 * cannot hold (ECMA-376 ST_Xstring), which libxlsxwriter writes for control
 * characters. Text that reads so by itself would show as that character. */
static bool escape_at(const char *s, size_t len, size_t i)
{
	return i + 7 <= len && s[i] == '_' && s[i + 1] == 'x' &&
	       is_hex(s[i + 2]) && is_hex(s[i + 3]) && is_hex(s[i + 4]) &&
	       is_hex(s[i + 5]) && s[i + 6] == '_';
}

static bool needs_escapes(const char *s, size_t len)
{
	const char *p = s;
	while ((p = memchr(p, '_', len - (size_t)(p - s))) != NULL) {
		if (escape_at(s, len, (size_t)(p - s)))
			return true;
		p++;
	}
	return false;
}

/* Appends s with each "_xHHHH_" as "_x005F_xHHHH_" (an escaped '_'), so
 * Excel shows it as written. */
static int escape_escapes(dpex_buf *out, const char *s, size_t len)
{
	size_t run = 0;
	for (size_t i = 0; i < len; i++) {
		if (!escape_at(s, len, i))
			continue;
		int rc = dpex_buf_append(out, s + run, i - run);
		if (!rc)
			rc = dpex_buf_puts(out, "_x005F_");
		if (rc)
			return rc;
		run = i + 1;
	}
	return dpex_buf_append(out, s + run, len - run);
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
 * The text of a cell, NUL-terminated: valid UTF-8 (libxlsxwriter writes
 * invalid bytes through and the file does not open), "_xHHHH_" escaped,
 * and at most CELL_MAX_CHARS characters. Borrows s when it is fine as it
 * is, else builds it in x->text (and x->escaped).
 */
static int cell_text(xlsx_exporter *x, const char *s, size_t len,
		     const char **out)
{
	*out = s;
	bool valid = dpex_utf8_valid_prefix(s, len) == len;
	bool escapes = needs_escapes(s, len);
	/* Fewer bytes than the limit cannot be too many characters. */
	bool fits = len <= CELL_MAX_CHARS ||
		    utf16_prefix(s, len, CELL_MAX_CHARS) == len;
	if (valid && !escapes && fits)
		return 0;
	dpex_buf *own = &x->text; /* the buffer s is in, once it is in one */
	dpex_buf_clear(&x->text);
	int rc = 0;
	if (!valid) {
		rc = dpex_utf8_repair(&x->text, s, len, NULL);
		s = x->text.data;
		len = x->text.len;
	}
	if (!rc && escapes) {
		dpex_buf_clear(&x->escaped);
		rc = escape_escapes(&x->escaped, s, len);
		own = &x->escaped;
		s = x->escaped.data;
		len = x->escaped.len;
	}
	if (!rc && len > CELL_MAX_CHARS &&
	    utf16_prefix(s, len, CELL_MAX_CHARS) < len) {
		size_t mark_chars = 0; /* all below U+FFFF: one unit each */
		for (const char *m = TRUNCATED_MARK; *m; m++)
			mark_chars += ((unsigned char)*m & 0xC0) != 0x80;
		size_t keep = utf16_prefix(s, len, CELL_MAX_CHARS - mark_chars);
		if (s == own->data) {
			own->len = keep;
			own->data[keep] = '\0';
		} else {
			rc = dpex_buf_append(own, s, keep);
		}
		if (!rc)
			rc = dpex_buf_puts(own, TRUNCATED_MARK);
	}
	if (rc)
		return rc;
	*out = own->data;
	return 0;
}

static int write_text(xlsx_exporter *x, lxw_worksheet *ws, lxw_row_t row,
		      lxw_col_t col, const char *s, size_t len,
		      lxw_format *format)
{
	/* libxlsxwriter has no empty string cell (see above). */
	if (len == 0) {
		lxw_error err = worksheet_write_blank(
			ws, row, col, format ? format : x->text_format);
		return err ? lxw_failure("writing an empty text cell", err) : 0;
	}
	const char *text;
	int rc = cell_text(x, s, len, &text);
	if (rc)
		return rc;
	lxw_error err = worksheet_write_string(ws, row, col, text, format);
	return err ? lxw_failure("writing a text cell", err) : 0;
}

/* A plain decimal ("-25.00", "0.5") as a double, when that loses nothing
 * a reader would see; false for NaN, Infinity and long values. */
static bool exact_decimal(const char *s, size_t len, double *out)
{
	size_t i = (len > 0 && (s[0] == '-' || s[0] == '+')) ? 1 : 0;
	int digits = 0, significant = 0, pending_zeros = 0;
	bool point = false, nonzero = false;
	for (; i < len; i++) {
		char c = s[i];
		if (c == '.' && !point) {
			point = true;
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
	*out = d == 0 ? 0.0 : d; /* no "-0" in a spreadsheet */
	return true;
}

static bool small_integer(const char *s, size_t len, double *out)
{
	errno = 0;
	char *end;
	long long v = strtoll(s, &end, 10);
	if (len == 0 || end != s + len || errno == ERANGE ||
	    v < -EXACT_INT_MAX || v > EXACT_INT_MAX)
		return false;
	*out = (double)v;
	return true;
}

static bool finite_float(const char *s, size_t len, double *out)
{
	errno = 0;
	char *end;
	double d = strtod(s, &end);
	if (len == 0 || end != s + len || !isfinite(d))
		return false;
	*out = d == 0 ? 0.0 : d;
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
static bool parse_date(const char *s, size_t len, lxw_datetime *dt)
{
	*dt = (lxw_datetime){0};
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
			   lxw_datetime *dt, bool *fraction)
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
			    lxw_datetime *dt, bool *fraction)
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
static bool parse_time(const char *s, size_t len, lxw_datetime *dt,
		       bool *fraction)
{
	*dt = (lxw_datetime){0};
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

static int write_value(xlsx_exporter *x, lxw_worksheet *ws, lxw_row_t row,
		       lxw_col_t col, const dpex_column *c, const dpex_value *v)
{
	if (v->is_null)
		return 0;
	const char *s = v->data;
	size_t len = v->len;
	double d;
	lxw_datetime dt;
	bool ms;
	lxw_error err = LXW_NO_ERROR;
	switch (c->identifier ? DPEX_KIND_TEXT : c->kind) {
	case DPEX_KIND_INTEGER:
		if (!small_integer(s, len, &d))
			break;
		err = worksheet_write_number(ws, row, col, d, NULL);
		return err ? lxw_failure("writing a number", err) : 0;
	case DPEX_KIND_NUMERIC:
		if (!exact_decimal(s, len, &d))
			break;
		err = worksheet_write_number(ws, row, col, d, NULL);
		return err ? lxw_failure("writing a number", err) : 0;
	case DPEX_KIND_FLOAT:
		if (!finite_float(s, len, &d))
			break;
		err = worksheet_write_number(ws, row, col, d, NULL);
		return err ? lxw_failure("writing a number", err) : 0;
	case DPEX_KIND_BOOL:
		if (len != 1 || (s[0] != 't' && s[0] != 'f'))
			break;
		err = worksheet_write_boolean(ws, row, col, s[0] == 't', NULL);
		return err ? lxw_failure("writing a boolean", err) : 0;
	case DPEX_KIND_DATE:
		if (len != 10 || !parse_date(s, len, &dt))
			break;
		err = worksheet_write_datetime(ws, row, col, &dt, x->date);
		return err ? lxw_failure("writing a date", err) : 0;
	case DPEX_KIND_TIMESTAMP:
	case DPEX_KIND_TIMESTAMPTZ:
		if (!parse_timestamp(s, len, c->kind == DPEX_KIND_TIMESTAMPTZ,
				     &dt, &ms))
			break;
		err = worksheet_write_datetime(
			ws, row, col, &dt, ms ? x->datetime_ms : x->datetime);
		return err ? lxw_failure("writing a date and time", err) : 0;
	case DPEX_KIND_TIME:
		if (!parse_time(s, len, &dt, &ms))
			break;
		err = worksheet_write_datetime(ws, row, col, &dt,
					       ms ? x->time_ms : x->time);
		return err ? lxw_failure("writing a time", err) : 0;
	default:
		/* text, uuid, json, arrays, interval, time with zone...: the
		 * text the JSON and CSV files show. */
		break;
	}
	/* What did not fit a typed cell, and identifiers: the same text as
	 * in the CSV file (ISO 8601 timestamps, base64 bytea, true/false). */
	const char *text;
	size_t n;
	int rc = dpex_pgtext_plain(&x->scratch, c->kind, s, len, &text, &n);
	return rc ? rc : write_text(x, ws, row, col, text, n, NULL);
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
	for (size_t i = 0; i < base.len; i++)
		if (strchr(":\\/?*[]", base.data[i]))
			base.data[i] = '_';
	char *name = NULL;
	for (unsigned int n = first; !rc; n++) {
		char suffix[16] = "";
		if (n > 1)
			snprintf(suffix, sizeof(suffix), " (%u)", n);
		size_t keep = dpex_utf8_prefix_chars(base.data, base.len,
						     LXW_SHEETNAME_MAX -
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
	if (e->ncolumns > LXW_COL_MAX)
		return dpex_error_set(DPEX_EOUTPUT,
				      "%s: entity \"%s\" has %zu columns; an "
				      "Excel sheet holds at most %d",
				      MEMBER_NAME, e->name, e->ncolumns,
				      LXW_COL_MAX);
	char **names = realloc(x->names, (x->nnames + 1) * sizeof(*names));
	if (!names)
		return dpex_error_oom();
	x->names = names;
	char *name = NULL;
	int rc = sheet_name(x, e->name, ++sh->part, &name);
	if (rc)
		return rc;
	x->names[x->nnames++] = name;
	sh->ws = workbook_add_worksheet(x->wb, name);
	if (!sh->ws)
		return dpex_error_set(DPEX_EOUTPUT,
				      "%s: cannot add the sheet \"%s\" for "
				      "entity \"%s\"",
				      MEMBER_NAME, name, e->name);
	dpex_buf head = DPEX_BUF_INIT;
	for (size_t c = 0; !rc && c < e->ncolumns; c++) {
		const dpex_column *col = &e->columns[c];
		lxw_col_t cc = (lxw_col_t)c;
		dpex_buf_clear(&head);
		rc = dpex_buf_puts(&head, col->name);
		/* The session's time zone is UTC and Excel has no zoned
		 * type: the header says so. */
		if (!rc && col->kind == DPEX_KIND_TIMESTAMPTZ &&
		    !col->identifier)
			rc = dpex_buf_puts(&head, " (UTC)");
		if (!rc)
			rc = write_text(x, sh->ws, 0, cc, head.data, head.len,
					x->bold);
		/* Wide enough that dates do not show as "########". */
		lxw_error err = LXW_NO_ERROR;
		if (!rc && !col->identifier && col->kind == DPEX_KIND_DATE)
			err = worksheet_set_column(sh->ws, cc, cc, 11, NULL);
		else if (!rc && !col->identifier &&
			 (col->kind == DPEX_KIND_TIMESTAMP ||
			  col->kind == DPEX_KIND_TIMESTAMPTZ))
			err = worksheet_set_column(sh->ws, cc, cc, 20, NULL);
		if (err)
			rc = lxw_failure("setting a column width", err);
	}
	dpex_buf_free(&head);
	if (rc)
		return rc;
	worksheet_freeze_panes(sh->ws, 1, 0);
	sh->next_row = 1;
	return 0;
}

static int xlsx_open(void **self, const dpex_exporter_ctx *ctx)
{
	*self = NULL;
	xlsx_exporter *x = dpex_calloc(1, sizeof(*x));
	if (!x)
		return DPEX_ENOMEM;
	x->ctx = ctx;
	int rc = 0;
	x->sheets = dpex_calloc(ctx->nentities, sizeof(*x->sheets));
	x->path = dpex_archive_spool_path(ctx->archive, ".xlsx");
	if (!x->sheets || !x->path)
		rc = DPEX_ENOMEM;
	if (!rc) {
		/* Temporary files go to the spool, on the archive's file
		 * system and removed with it, not to a RAM-backed /tmp. */
		lxw_workbook_options opt = {
			.constant_memory = LXW_TRUE,
			.tmpdir = (char *)dpex_archive_spool_dir(ctx->archive),
		};
		x->wb = workbook_new_opt(x->path, &opt);
		if (!x->wb)
			rc = dpex_error_set(
				DPEX_EOUTPUT,
				"%s: cannot start the workbook "
				"(out of memory or temporary files)",
				MEMBER_NAME);
	}
	if (!rc) {
		x->bold = workbook_add_format(x->wb);
		x->date = workbook_add_format(x->wb);
		x->datetime = workbook_add_format(x->wb);
		x->datetime_ms = workbook_add_format(x->wb);
		x->time = workbook_add_format(x->wb);
		x->time_ms = workbook_add_format(x->wb);
		x->text_format = workbook_add_format(x->wb);
		if (!x->bold || !x->date || !x->datetime || !x->datetime_ms ||
		    !x->time || !x->time_ms || !x->text_format)
			rc = dpex_error_oom();
	}
	if (!rc) {
		format_set_bold(x->bold);
		format_set_num_format(x->date, "yyyy-mm-dd");
		format_set_num_format(x->datetime, "yyyy-mm-dd hh:mm:ss");
		format_set_num_format(x->datetime_ms,
				      "yyyy-mm-dd hh:mm:ss.000");
		format_set_num_format(x->time, "hh:mm:ss");
		format_set_num_format(x->time_ms, "hh:mm:ss.000");
		format_set_num_format(x->text_format, "@");
	}
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
	/* Excel's last row (LXW_ROW_MAX is the count): go on on a new sheet.
	 * The full sheet's rows are already in its temporary file. */
	if (sh->next_row >= LXW_ROW_MAX) {
		int rc = add_sheet(x, (size_t)e->index);
		if (rc)
			return rc;
	}
	for (size_t c = 0; c < e->ncolumns; c++) {
		int rc = write_value(x, sh->ws, sh->next_row, (lxw_col_t)c,
				     &e->columns[c], &values[c]);
		if (rc)
			return rc;
	}
	sh->next_row++;
	x->rows++;
	return 0;
}

static int xlsx_finish(void *self)
{
	xlsx_exporter *x = self;
	/* libxlsxwriter ignores failed writes to a sheet's temporary file
	 * (a full disk) and would assemble a truncated sheet: look first. */
	lxw_worksheet *ws;
	LXW_FOREACH_WORKSHEET(ws, x->wb)
	{
		FILE *f = ws->optimize_tmpfile;
		if (!f)
			continue;
		errno = 0;
		if (fflush(f) != 0 && errno)
			return dpex_error_set(
				DPEX_EOUTPUT,
				"%s: writing the sheet \"%s\": %s", MEMBER_NAME,
				ws->name, strerror(errno));
		if (ferror(f))
			return dpex_error_set(DPEX_EOUTPUT,
					      "%s: writing the sheet \"%s\": a "
					      "write to its temporary file "
					      "failed (is the disk full?)",
					      MEMBER_NAME, ws->name);
	}
	errno = 0;
	lxw_error err = workbook_close(x->wb);
	int sys = errno;
	x->wb = NULL; /* workbook_close frees it, even on failure */
	if (err)
		return dpex_error_set(DPEX_EOUTPUT, "writing %s: %s%s%s",
				      MEMBER_NAME, lxw_strerror(err),
				      sys ? ": " : "",
				      sys ? strerror(sys) : "");
	int rc = dpex_archive_member_add_file(x->ctx->archive, MEMBER_NAME,
					      x->path, x->rows);
	if (!rc)
		x->handed_over = true;
	return rc;
}

const dpex_exporter_ops dpex_exporter_xlsx = {
	.name = "xlsx",
	.open = xlsx_open,
	.row = xlsx_row,
	.finish = xlsx_finish,
	.free = xlsx_free,
};
