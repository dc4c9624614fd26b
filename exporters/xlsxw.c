#include "exporters/xlsxw.h"

#include "core/base/buf.h"
#include "core/base/error.h"
#include "core/archive/zipw.h"

#include <assert.h>
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <unistd.h>

/* A sheet's rows stay in memory up to SHEET_MEMORY bytes of XML, and all
 * sheets' up to WORKBOOK_MEMORY, as the archive keeps its members: past
 * either, the sheet's rows go to the spill file in one write. A sheet
 * kept whole is deflated at once, faster than streaming it through zlib
 * (zipw.h). */
#define SHEET_MEMORY (256 * 1024)
#define WORKBOOK_MEMORY (1024 * 1024)

#define XML_DECL                                                               \
	"<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>\n"
#define NS_MAIN "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
#define NS_REL                                                                 \
	"http://schemas.openxmlformats.org/officeDocument/2006/relationships"
#define NS_PKG_REL                                                             \
	"http://schemas.openxmlformats.org/package/2006/relationships"
#define CT_SML "application/vnd.openxmlformats-officedocument.spreadsheetml."

static const char content_types_head[] = XML_DECL
	"<Types xmlns=\"http://schemas.openxmlformats.org/package/2006/"
	"content-types\">"
	"<Default Extension=\"rels\" ContentType=\"application/"
	"vnd.openxmlformats-package.relationships+xml\"/>"
	"<Default Extension=\"xml\" ContentType=\"application/xml\"/>"
	"<Override PartName=\"/xl/workbook.xml\" ContentType=\"" CT_SML
	"sheet.main+xml\"/>"
	"<Override PartName=\"/xl/styles.xml\" ContentType=\"" CT_SML
	"styles+xml\"/>";

static const char root_rels[] =
	XML_DECL "<Relationships xmlns=\"" NS_PKG_REL "\">"
		 "<Relationship Id=\"rId1\" Type=\"" NS_REL "/officeDocument\" "
		 "Target=\"xl/workbook.xml\"/></Relationships>";

/* The formats of dpex_xlsxw_style, in its order (cellXfs). 164 on are
 * custom number formats; 49 is the built-in "@". */
static const char styles[] = XML_DECL
	"<styleSheet xmlns=\"" NS_MAIN "\">"
	"<numFmts count=\"5\">"
	"<numFmt numFmtId=\"164\" formatCode=\"yyyy-mm-dd\"/>"
	"<numFmt numFmtId=\"165\" formatCode=\"yyyy-mm-dd hh:mm:ss\"/>"
	"<numFmt numFmtId=\"166\" formatCode=\"yyyy-mm-dd hh:mm:ss.000\"/>"
	"<numFmt numFmtId=\"167\" formatCode=\"hh:mm:ss\"/>"
	"<numFmt numFmtId=\"168\" formatCode=\"hh:mm:ss.000\"/>"
	"</numFmts>"
	"<fonts count=\"2\">"
	"<font><sz val=\"11\"/><name val=\"Calibri\"/><family "
	"val=\"2\"/></font>"
	"<font><b/><sz val=\"11\"/><name val=\"Calibri\"/><family val=\"2\"/>"
	"</font></fonts>"
	"<fills count=\"2\"><fill><patternFill patternType=\"none\"/></fill>"
	"<fill><patternFill patternType=\"gray125\"/></fill></fills>"
	"<borders count=\"1\"><border><left/><right/><top/><bottom/><diagonal/>"
	"</border></borders>"
	"<cellStyleXfs count=\"1\"><xf numFmtId=\"0\" fontId=\"0\" "
	"fillId=\"0\" "
	"borderId=\"0\"/></cellStyleXfs>"
	"<cellXfs count=\"8\">"
	"<xf numFmtId=\"0\" fontId=\"0\" fillId=\"0\" borderId=\"0\" "
	"xfId=\"0\"/>"
	"<xf numFmtId=\"0\" fontId=\"1\" fillId=\"0\" borderId=\"0\" "
	"xfId=\"0\" "
	"applyFont=\"1\"/>"
#define NUMFMT_XF(id)                                                          \
	"<xf numFmtId=\"" id "\" fontId=\"0\" fillId=\"0\" borderId=\"0\" "    \
	"xfId=\"0\" applyNumberFormat=\"1\"/>"
	NUMFMT_XF("164") NUMFMT_XF("165") NUMFMT_XF("166") NUMFMT_XF("167")
		NUMFMT_XF("168") NUMFMT_XF(
			"49") "</cellXfs>"
			      "<cellStyles count=\"1\"><cellStyle "
			      "name=\"Normal\" xfId=\"0\" "
			      "builtinId=\"0\"/></cellStyles></styleSheet>";
#undef NUMFMT_XF

static const char sheet_tail[] = "</sheetData></worksheet>";

typedef struct chunk {
	uint64_t offset; /* in the spill file */
	size_t len;
} chunk;

typedef struct width {
	unsigned col;
	double chars;
} width;

typedef struct sheet {
	char *name;
	size_t follows; /* 1 + the sheet it is shown after, or 0 */
	dpex_buf xml;	/* rows not yet spilled */
	size_t counted; /* bytes of xml in the workbook's in_memory */
	chunk *chunks;	/* rows spilled, in order */
	size_t nchunks;
	width *widths;
	size_t nwidths;
	unsigned rows;	   /* the current row's number; 0 before the first */
	unsigned max_row;  /* the last row with a cell, for <dimension> */
	unsigned max_col;  /* one past the last column with a cell */
	unsigned next_col; /* one past the current row's last cell */
	char row_ref[21];  /* rows, as text */
	size_t row_ref_len;
} sheet;

struct dpex_xlsxw {
	const char *dir;
	const char *label; /* for messages */
	int spill;	   /* -1 until a sheet outgrows its memory */
	uint64_t spilled;  /* bytes in the spill file */
	size_t in_memory;  /* bytes of all sheets' xml */
	sheet *sheets;
	size_t nsheets;
};

/* v in decimal, NUL-terminated; returns the length. printf costs some
 * 600 instructions a number, and a sheet writes one for every row and
 * every column. */
static size_t decimal(char out[21], unsigned long long v)
{
	char rev[20];
	size_t n = 0;
	do {
		rev[n++] = (char)('0' + v % 10);
		v /= 10;
	} while (v > 0);
	for (size_t i = 0; i < n; i++)
		out[i] = rev[n - 1 - i];
	out[n] = '\0';
	return n;
}

static long days_from_civil(int y, int m, int d)
{
	/* Howard Hinnant's proleptic Gregorian day count. */
	y -= m <= 2;
	long era = (y >= 0 ? y : y - 399) / 400;
	long yoe = y - era * 400;
	long doy = (153L * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
	long doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097 + doe;
}

double dpex_xlsxw_serial(const dpex_xlsxw_datetime *dt)
{
	double day = (dt->hour * 3600 + dt->min * 60 + dt->sec) / 86400.0;
	if (dt->year == 0)
		return day;
	long days = days_from_civil(dt->year, dt->month, dt->day) -
		    days_from_civil(1899, 12, 30);
	if (days < 61)
		days--;
	return (double)days + day;
}

int dpex_xlsxw_new(dpex_xlsxw **out, const char *dir, const char *label)
{
	*out = NULL;
	dpex_xlsxw *w = dpex_calloc(1, sizeof(*w));
	if (!w)
		return DPEX_ENOMEM;
	w->dir = dir;
	w->label = label;
	w->spill = -1;
	*out = w;
	return 0;
}

void dpex_xlsxw_free(dpex_xlsxw *w)
{
	if (!w)
		return;
	for (size_t i = 0; i < w->nsheets; i++) {
		sheet *s = &w->sheets[i];
		free(s->name);
		dpex_buf_free(&s->xml);
		free(s->chunks);
		free(s->widths);
	}
	free(w->sheets);
	if (w->spill >= 0) {
		/* Emptied, not removed: the next workbook in the directory
		 * takes it again (open_spill); closing drops the lock. Rows
		 * a failed truncate leaves go with the spool. */
		if (w->spilled > 0 && ftruncate(w->spill, 0) != 0) {
		}
		close(w->spill);
	}
	free(w);
}

int dpex_xlsxw_add_sheet(dpex_xlsxw *w, const char *name, size_t *index)
{
	sheet *s = dpex_realloc(w->sheets, (w->nsheets + 1) * sizeof(*s));
	if (!s)
		return DPEX_ENOMEM;
	w->sheets = s;
	s = &w->sheets[w->nsheets];
	*s = (sheet){.name = dpex_strdup(name)};
	if (!s->name)
		return DPEX_ENOMEM;
	*index = w->nsheets++;
	return 0;
}

void dpex_xlsxw_place_after(dpex_xlsxw *w, size_t sheet, size_t after)
{
	assert(after < sheet && sheet < w->nsheets);
	w->sheets[sheet].follows = after + 1;
}

int dpex_xlsxw_set_width(dpex_xlsxw *w, size_t sheet_index, unsigned col,
			 double chars)
{
	sheet *s = &w->sheets[sheet_index];
	assert(s->rows == 0);
	assert(s->nwidths == 0 || s->widths[s->nwidths - 1].col < col);
	width *wd = dpex_realloc(s->widths, (s->nwidths + 1) * sizeof(*wd));
	if (!wd)
		return DPEX_ENOMEM;
	s->widths = wd;
	s->widths[s->nwidths++] = (width){col, chars};
	return 0;
}

unsigned dpex_xlsxw_rows(const dpex_xlsxw *w, size_t sheet_index)
{
	return w->sheets[sheet_index].rows;
}

static int spill_error(const dpex_xlsxw *w, int err)
{
	return dpex_error_set(DPEX_EOUTPUT, "writing %s: %s", w->label,
			      strerror(err));
}

/* The spill file: one named file in the directory, taken again by every
 * workbook after the first and emptied when each is done, instead of a
 * new file a workbook. A file removed on ext4 leaves an inode that every
 * file created in the next minutes searches past (recently_deleted), and
 * a bulk run creates one archive a subject: with a spill file removed
 * for every large workbook, creating an archive grew to hundreds of
 * microseconds. A spill file held (flock) by another writer in the same
 * directory is left alone: then a private one is made and removed. */
static int open_spill(dpex_xlsxw *w)
{
	char *path = dpex_asprintf("%s/.dpex-xlsx-spill", w->dir);
	if (!path)
		return DPEX_ENOMEM;
	int fd = open(path, O_RDWR | O_CREAT | O_NOFOLLOW | O_CLOEXEC, 0600);
	if (fd >= 0 &&
	    (flock(fd, LOCK_EX | LOCK_NB) != 0 || ftruncate(fd, 0) != 0)) {
		close(fd);
		free(path);
		path = dpex_asprintf("%s/.dpex-xlsx-XXXXXX", w->dir);
		if (!path)
			return DPEX_ENOMEM;
		fd = mkostemp(path, O_CLOEXEC);
		if (fd >= 0)
			unlink(path);
	}
	int err = errno;
	free(path);
	if (fd < 0)
		return spill_error(w, err);
	w->spill = fd;
	return 0;
}

/* Moves the sheet's XML to the end of the spill file. */
static int spill(dpex_xlsxw *w, sheet *s)
{
	if (w->spill < 0) {
		int rc = open_spill(w);
		if (rc)
			return rc;
	}
	chunk *c = dpex_realloc(s->chunks, (s->nchunks + 1) * sizeof(*c));
	if (!c)
		return DPEX_ENOMEM;
	s->chunks = c;
	for (size_t done = 0; done < s->xml.len;) {
		ssize_t n =
			pwrite(w->spill, s->xml.data + done, s->xml.len - done,
			       (off_t)(w->spilled + done));
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return spill_error(w, n < 0 ? errno : ENOSPC);
		done += (size_t)n;
	}
	s->chunks[s->nchunks++] = (chunk){w->spilled, s->xml.len};
	w->spilled += s->xml.len;
	w->in_memory -= s->counted;
	s->counted = 0;
	dpex_buf_clear(&s->xml);
	return 0;
}

static int end_row(dpex_xlsxw *w, sheet *s)
{
	int rc = dpex_buf_append(&s->xml, "</row>", 6);
	if (rc)
		return rc;
	w->in_memory += s->xml.len - s->counted;
	s->counted = s->xml.len;
	if (s->xml.len >= SHEET_MEMORY || w->in_memory >= WORKBOOK_MEMORY)
		rc = spill(w, s);
	return rc;
}

int dpex_xlsxw_row(dpex_xlsxw *w, size_t sheet_index)
{
	sheet *s = &w->sheets[sheet_index];
	if (s->rows == DPEX_XLSXW_MAX_ROWS)
		return dpex_error_set(DPEX_EOUTPUT,
				      "sheet \"%s\" is full: Excel holds "
				      "1,048,576 rows a sheet",
				      s->name);
	int rc = s->rows > 0 ? end_row(w, s) : 0;
	if (rc)
		return rc;
	s->rows++;
	s->next_col = 0;
	s->row_ref_len = decimal(s->row_ref, s->rows);
	rc = dpex_buf_append(&s->xml, "<row r=\"", 8);
	if (!rc)
		rc = dpex_buf_append(&s->xml, s->row_ref, s->row_ref_len);
	return rc ? rc : dpex_buf_append(&s->xml, "\">", 2);
}

/* "A", "Z", "AA", ... "XFD" for col from 0; returns the length. */
static size_t col_name(unsigned col, char out[4])
{
	char rev[3];
	size_t n = 0;
	for (unsigned c = col + 1; c > 0; c = (c - 1) / 26)
		rev[n++] = (char)('A' + (c - 1) % 26);
	for (size_t i = 0; i < n; i++)
		out[i] = rev[n - 1 - i];
	return n;
}

/* Appends <c[ r="B7"][ s=".."][ t=".."] and notes the cell for the
 * dimension; the caller ends the tag. The reference, optional in
 * ECMA-376 (a cell without one follows the cell before it), is written
 * for a row's first cell and after a gap (NULLs are no cells): a fifth
 * of a sheet's bytes less to write and deflate. */
static int cell_start(sheet *s, unsigned col, dpex_xlsxw_style style,
		      const char *type)
{
	assert(s->rows > 0 && col < DPEX_XLSXW_MAX_COLS);
	assert(col >= s->next_col);
	int rc = dpex_buf_reserve(&s->xml, 64);
	if (rc)
		return rc;
	dpex_buf_append(&s->xml, "<c", 2);
	if (col == 0 || col != s->next_col) {
		char ref[4];
		size_t n = col_name(col, ref);
		dpex_buf_append(&s->xml, " r=\"", 4);
		dpex_buf_append(&s->xml, ref, n);
		dpex_buf_append(&s->xml, s->row_ref, s->row_ref_len);
		dpex_buf_putc(&s->xml, '"');
	}
	s->next_col = col + 1;
	if (style != DPEX_XLSXW_GENERAL) {
		dpex_buf_append(&s->xml, " s=\"", 4);
		dpex_buf_putc(&s->xml, (char)('0' + style));
		dpex_buf_putc(&s->xml, '"');
	}
	if (type)
		dpex_buf_puts(&s->xml, type);
	s->max_row = s->rows;
	if (col + 1 > s->max_col)
		s->max_col = col + 1;
	return 0;
}

static int value_cell(sheet *s, unsigned col, dpex_xlsxw_style style,
		      const char *type, const char *v, size_t len)
{
	int rc = cell_start(s, col, style, type);
	if (!rc)
		rc = dpex_buf_reserve(&s->xml, len + 16);
	if (rc)
		return rc;
	dpex_buf_append(&s->xml, "><v>", 4);
	dpex_buf_append(&s->xml, v, len);
	return dpex_buf_append(&s->xml, "</v></c>", 8);
}

int dpex_xlsxw_number_text(dpex_xlsxw *w, size_t sheet_index, unsigned col,
			   const char *text, size_t len)
{
	return value_cell(&w->sheets[sheet_index], col, DPEX_XLSXW_GENERAL,
			  NULL, text, len);
}

int dpex_xlsxw_number(dpex_xlsxw *w, size_t sheet_index, unsigned col, double v,
		      dpex_xlsxw_style style)
{
	/* A whole number (a date) as one; else 16 significant digits, as
	 * Excel writes them. */
	char text[32];
	size_t n;
	if (v >= 0 && v < 1e15 && v == (double)(long long)v)
		n = decimal(text, (unsigned long long)v);
	else
		n = (size_t)snprintf(text, sizeof(text), "%.16G", v);
	return value_cell(&w->sheets[sheet_index], col, style, NULL, text, n);
}

int dpex_xlsxw_bool(dpex_xlsxw *w, size_t sheet_index, unsigned col, bool v)
{
	return value_cell(&w->sheets[sheet_index], col, DPEX_XLSXW_GENERAL,
			  " t=\"b\"", v ? "1" : "0", 1);
}

int dpex_xlsxw_blank(dpex_xlsxw *w, size_t sheet_index, unsigned col,
		     dpex_xlsxw_style style)
{
	sheet *s = &w->sheets[sheet_index];
	int rc = cell_start(s, col, style, NULL);
	return rc ? rc : dpex_buf_append(&s->xml, "/>", 2);
}

/* What a byte of text needs: 0 nothing, 1 an XML entity, 2 an "_xHHHH_"
 * escape (C0 controls, NUL too, but tab and LF: XML 1.0 has no place for
 * them, and a CR would be read back as LF), 3 a look at the next two
 * (U+FFFE and U+FFFF start with 0xEF), 4 a look ahead ('_'). */
static const unsigned char special[256] = {
	[0x00] = 2, [0x01] = 2, [0x02] = 2, [0x03] = 2, [0x04] = 2, [0x05] = 2,
	[0x06] = 2, [0x07] = 2, [0x08] = 2, [0x0B] = 2, [0x0C] = 2, [0x0D] = 2,
	[0x0E] = 2, [0x0F] = 2, [0x10] = 2, [0x11] = 2, [0x12] = 2, [0x13] = 2,
	[0x14] = 2, [0x15] = 2, [0x16] = 2, [0x17] = 2, [0x18] = 2, [0x19] = 2,
	[0x1A] = 2, [0x1B] = 2, [0x1C] = 2, [0x1D] = 2, [0x1E] = 2, [0x1F] = 2,
	['&'] = 1,  ['<'] = 1,	['>'] = 1,  [0xEF] = 3, ['_'] = 4,
};

static bool is_hex(unsigned char c)
{
	return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') ||
	       (c >= 'A' && c <= 'F');
}

/* Whether p[i] is U+FFFE or U+FFFF (XML cannot hold them either). */
static bool nonchar_at(const unsigned char *p, size_t len, size_t i)
{
	return i + 2 < len && p[i] == 0xEF && p[i + 1] == 0xBF &&
	       (p[i + 2] == 0xBE || p[i + 2] == 0xBF);
}

/* Whether p[i] is written as an "_xHHHH_" escape (see special). */
static bool escaped_at(const unsigned char *p, size_t len, size_t i)
{
	return i < len && (special[p[i]] == 2 || nonchar_at(p, len, i));
}

/* Whether the '_' at p[i] would read, in the XML, as the start of an
 * "_xHHHH_" escape (ECMA-376 ST_Xstring): followed by "xHHHH" and then
 * '_', or a character whose own escape starts with '_'. Such a '_' is
 * itself escaped ("_x005F_"), so Excel shows the text as it was. */
static bool ambiguous_at(const unsigned char *p, size_t len, size_t i)
{
	if (i + 6 > len || p[i + 1] != 'x')
		return false;
	for (size_t k = i + 2; k < i + 6; k++)
		if (!is_hex(p[k]))
			return false;
	return (i + 6 < len && p[i + 6] == '_') || escaped_at(p, len, i + 6);
}

int dpex_xlsxw_escape_text(dpex_buf *b, const char *s, size_t len)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t run = 0;
	int rc = 0;
	for (size_t i = 0; i < len && !rc; i++) {
		unsigned char kind = special[p[i]];
		if (!kind || (kind == 3 && !nonchar_at(p, len, i)) ||
		    (kind == 4 && !ambiguous_at(p, len, i)))
			continue;
		rc = dpex_buf_append(b, s + run, i - run);
		if (rc)
			break;
		if (kind == 1)
			rc = dpex_buf_puts(b, p[i] == '&'   ? "&amp;"
					      : p[i] == '<' ? "&lt;"
							    : "&gt;");
		else if (kind == 2 || kind == 4)
			rc = dpex_buf_printf(b, "_x%04X_", p[i]);
		else
			rc = dpex_buf_puts(b, p[i + 2] == 0xBE ? "_xFFFE_"
							       : "_xFFFF_");
		if (kind == 3)
			i += 2;
		run = i + 1;
	}
	return rc ? rc : dpex_buf_append(b, s + run, len - run);
}

static bool is_space(char c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\v' ||
	       c == '\f';
}

int dpex_xlsxw_string(dpex_xlsxw *w, size_t sheet_index, unsigned col,
		      const char *s, size_t len, dpex_xlsxw_style style)
{
	sheet *sh = &w->sheets[sheet_index];
	int rc = cell_start(sh, col, style, " t=\"inlineStr\"");
	/* Excel trims text at its edges unless told otherwise. */
	bool preserve = len > 0 && (is_space(s[0]) || is_space(s[len - 1]));
	if (!rc)
		rc = dpex_buf_puts(&sh->xml,
				   preserve ? "><is><t xml:space=\"preserve\">"
					    : "><is><t>");
	if (!rc)
		rc = dpex_xlsxw_escape_text(&sh->xml, s, len);
	return rc ? rc : dpex_buf_append(&sh->xml, "</t></is></c>", 13);
}

/* Appends s escaped for a double-quoted XML attribute. */
static int escape_attr(dpex_buf *b, const char *s)
{
	int rc = 0;
	for (; *s && !rc; s++) {
		switch (*s) {
		case '&':
			rc = dpex_buf_puts(b, "&amp;");
			break;
		case '<':
			rc = dpex_buf_puts(b, "&lt;");
			break;
		case '>':
			rc = dpex_buf_puts(b, "&gt;");
			break;
		case '"':
			rc = dpex_buf_puts(b, "&quot;");
			break;
		default:
			rc = dpex_buf_putc(b, *s);
		}
	}
	return rc;
}

static int content_types(const dpex_xlsxw *w, dpex_buf *b)
{
	int rc = dpex_buf_puts(b, content_types_head);
	for (size_t i = 0; !rc && i < w->nsheets; i++)
		rc = dpex_buf_printf(b,
				     "<Override PartName=\"/xl/worksheets/"
				     "sheet%zu.xml\" ContentType=\"" CT_SML
				     "worksheet+xml\"/>",
				     i + 1);
	return rc ? rc : dpex_buf_puts(b, "</Types>");
}

/* The sheets in tab order (workbook.xml's): in the order they were
 * added, each placed one right after the sheet it follows. */
static size_t *tab_order(const dpex_xlsxw *w)
{
	size_t *order = dpex_calloc(w->nsheets + 1, sizeof(*order));
	for (size_t i = 0, n = 0; order && i < w->nsheets; i++, n++) {
		size_t at = n;
		for (size_t k = 0; w->sheets[i].follows && k < n; k++)
			if (order[k] + 1 == w->sheets[i].follows)
				at = k + 1;
		memmove(&order[at + 1], &order[at], (n - at) * sizeof(*order));
		order[at] = i;
	}
	return order;
}

/* The sheets' file names, sheetId and r:id stay in the order they were
 * added; only the <sheet> elements, the tabs, follow tab_order. */
static int workbook(const dpex_xlsxw *w, dpex_buf *b)
{
	size_t *order = tab_order(w);
	int rc = order ? dpex_buf_puts(b, XML_DECL "<workbook xmlns=\"" NS_MAIN
						   "\" xmlns:r=\"" NS_REL "\">"
						   "<bookViews><workbookView/>"
						   "</bookViews><sheets>")
		       : DPEX_ENOMEM;
	for (size_t t = 0; !rc && t < w->nsheets; t++) {
		size_t i = order[t];
		rc = dpex_buf_puts(b, "<sheet name=\"");
		if (!rc)
			rc = escape_attr(b, w->sheets[i].name);
		if (!rc)
			rc = dpex_buf_printf(b,
					     "\" sheetId=\"%zu\" "
					     "r:id=\"rId%zu\"/>",
					     i + 1, i + 1);
	}
	free(order);
	return rc ? rc : dpex_buf_puts(b, "</sheets></workbook>");
}

static int workbook_rels(const dpex_xlsxw *w, dpex_buf *b)
{
	int rc = dpex_buf_puts(b, XML_DECL "<Relationships xmlns=\"" NS_PKG_REL
					   "\">");
	for (size_t i = 0; !rc && i < w->nsheets; i++)
		rc = dpex_buf_printf(
			b,
			"<Relationship Id=\"rId%zu\" Type=\"" NS_REL
			"/worksheet\" Target=\"worksheets/"
			"sheet%zu.xml\"/>",
			i + 1, i + 1);
	if (!rc)
		rc = dpex_buf_printf(
			b,
			"<Relationship Id=\"rId%zu\" Type=\"" NS_REL
			"/styles\" Target=\"styles.xml\"/>",
			w->nsheets + 1);
	return rc ? rc : dpex_buf_puts(b, "</Relationships>");
}

/* Excel's stored width for chars characters of Calibri 11: 7 pixels a
 * digit and 5 of padding, rounded down to 1/256 (as Excel saves it), in
 * decimal: exact, since 1/256 = 0.00390625, without trailing zeros. */
static size_t stored_width(double chars, char out[32])
{
	double pixels = chars < 1 ? (int)(chars * 12 + 0.5)
				  : (int)(chars * 7 + 0.5) + 5;
	unsigned k = (unsigned)(pixels / 7 * 256);
	size_t n = decimal(out, k / 256);
	unsigned frac = k % 256 * 390625u; /* eighths of a digit: 10^8 */
	if (frac == 0)
		return n;
	out[n++] = '.';
	for (unsigned div = 10000000; frac > 0; div /= 10) {
		out[n++] = (char)('0' + frac / div);
		frac %= div;
	}
	out[n] = '\0';
	return n;
}

/* Everything before the rows: the used range, the frozen header row and
 * the column widths. What ECMA-376 makes optional and Excel has defaults
 * for (row heights, page margins) is left out: a sheet is written for
 * every entity of every answer. */
static int sheet_head(const sheet *s, bool first, dpex_buf *b)
{
	char ref[4] = "";
	size_t n = s->max_col ? col_name(s->max_col - 1, ref) : 0;
	int rc = dpex_buf_puts(b, XML_DECL "<worksheet xmlns=\"" NS_MAIN "\">");
	if (!rc && s->max_col && (s->max_col > 1 || s->max_row > 1))
		rc = dpex_buf_printf(b, "<dimension ref=\"A1:%.*s%u\"/>",
				     (int)n, ref, s->max_row);
	else if (!rc)
		rc = dpex_buf_puts(b, "<dimension ref=\"A1\"/>");
	if (!rc)
		rc = dpex_buf_printf(
			b,
			"<sheetViews><sheetView %sworkbookViewId=\"0\">"
			"<pane ySplit=\"1\" topLeftCell=\"A2\" "
			"activePane=\"bottomLeft\" state=\"frozen\"/>"
			"<selection pane=\"bottomLeft\"/></sheetView>"
			"</sheetViews>",
			first ? "tabSelected=\"1\" " : "");
	if (!rc && s->nwidths)
		rc = dpex_buf_puts(b, "<cols>");
	for (size_t i = 0; !rc && i < s->nwidths; i++) {
		char col[21], width[32];
		size_t ncol = decimal(col, s->widths[i].col + 1u);
		size_t nwidth = stored_width(s->widths[i].chars, width);
		rc = dpex_buf_append(b, "<col min=\"", 10);
		if (!rc)
			rc = dpex_buf_append(b, col, ncol);
		if (!rc)
			rc = dpex_buf_append(b, "\" max=\"", 7);
		if (!rc)
			rc = dpex_buf_append(b, col, ncol);
		if (!rc)
			rc = dpex_buf_append(b, "\" width=\"", 9);
		if (!rc)
			rc = dpex_buf_append(b, width, nwidth);
		if (!rc)
			rc = dpex_buf_puts(b, "\" customWidth=\"1\"/>");
	}
	if (!rc && s->nwidths)
		rc = dpex_buf_puts(b, "</cols>");
	return rc ? rc : dpex_buf_puts(b, "<sheetData>");
}

static int read_back(dpex_xlsxw *w, const chunk *c, dpex_zipw *z)
{
	char buf[64 * 1024];
	for (size_t done = 0; done < c->len;) {
		size_t want = c->len - done;
		if (want > sizeof(buf))
			want = sizeof(buf);
		ssize_t n =
			pread(w->spill, buf, want, (off_t)(c->offset + done));
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return spill_error(w, n < 0 ? errno : EIO);
		int rc = dpex_zipw_write(z, buf, (size_t)n);
		if (rc)
			return rc;
		done += (size_t)n;
	}
	return 0;
}

static int write_sheet(dpex_xlsxw *w, size_t i, dpex_zipw *z, dpex_buf *b)
{
	sheet *s = &w->sheets[i];
	char name[48];
	snprintf(name, sizeof(name), "xl/worksheets/sheet%zu.xml", i + 1);
	dpex_buf_clear(b);
	int rc = sheet_head(s, i == 0, b);
	if (!rc && s->rows > 0)
		rc = dpex_buf_append(&s->xml, "</row>", 6);
	if (rc)
		return rc;
	/* Whole in memory: one piece, deflated at once. */
	if (s->nchunks == 0) {
		rc = dpex_buf_append(b, s->xml.data, s->xml.len);
		if (!rc)
			rc = dpex_buf_puts(b, sheet_tail);
		return rc ? rc : dpex_zipw_entry(z, name, b->data, b->len);
	}
	rc = dpex_zipw_entry_start(z, name);
	if (!rc)
		rc = dpex_zipw_write(z, b->data, b->len);
	for (size_t c = 0; !rc && c < s->nchunks; c++)
		rc = read_back(w, &s->chunks[c], z);
	if (!rc)
		rc = dpex_zipw_write(z, s->xml.data, s->xml.len);
	if (!rc)
		rc = dpex_zipw_write(z, sheet_tail, sizeof(sheet_tail) - 1);
	return rc ? rc : dpex_zipw_entry_end(z);
}

static int to_sink(void *sink, const void *p, size_t n)
{
	return dpex_sink_write(sink, p, n);
}

int dpex_xlsxw_close(dpex_xlsxw *w, dpex_sink *sink)
{
	dpex_zipw *z = NULL;
	dpex_buf b = DPEX_BUF_INIT;
	int rc = dpex_zipw_new(&z, to_sink, sink);
	if (!rc)
		rc = content_types(w, &b);
	if (!rc)
		rc = dpex_zipw_entry(z, "[Content_Types].xml", b.data, b.len);
	if (!rc)
		rc = dpex_zipw_entry(z, "_rels/.rels", root_rels,
				     sizeof(root_rels) - 1);
	dpex_buf_clear(&b);
	if (!rc)
		rc = workbook(w, &b);
	if (!rc)
		rc = dpex_zipw_entry(z, "xl/workbook.xml", b.data, b.len);
	dpex_buf_clear(&b);
	if (!rc)
		rc = workbook_rels(w, &b);
	if (!rc)
		rc = dpex_zipw_entry(z, "xl/_rels/workbook.xml.rels", b.data,
				     b.len);
	if (!rc)
		rc = dpex_zipw_entry(z, "xl/styles.xml", styles,
				     sizeof(styles) - 1);
	for (size_t i = 0; !rc && i < w->nsheets; i++)
		rc = write_sheet(w, i, z, &b);
	if (!rc)
		rc = dpex_zipw_finish(z);
	dpex_buf_free(&b);
	dpex_zipw_free(z);
	return rc;
}
