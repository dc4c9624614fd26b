/*
 * xlsxw: a streaming XLSX (SpreadsheetML, ECMA-376) writer.
 *
 * Written for one workbook per answer, many answers a second: no
 * temporary file for a small workbook and no fixed cost of milliseconds.
 * Each sheet's rows are appended to it as XML (cells as inline strings,
 * numbers, booleans, and dates as Excel serial numbers); a sheet past
 * 256 KiB, or any sheet once all hold 1 MiB, moves its rows, in chunks,
 * to the spill file in the given directory (a spool), so memory stays flat
 * whatever the rows. The spill file is emptied when the workbook is freed
 * and taken again by the next one there, not removed (see open_spill in
 * xlsxw.c); the spool's owner removes it. dpex_xlsxw_close assembles the
 * package (content types, relationships, workbook, a fixed style sheet, the
 * sheets) as a ZIP into an archive member.
 *
 * Every sheet's first row is frozen, as a header. Rows are numbered from
 * 1 in the order they are started; cells of a row must come in column
 * order, and a cell right after the one before it has no reference. Text must
 * be valid UTF-8: it is XML-escaped here, and control characters (and U+FFFE,
 * U+FFFF, which XML cannot hold) are written as Excel's "_xHHHH_" escapes, as
 * Excel and libxlsxwriter write them. Nothing ever becomes a formula.
 */
#ifndef DPEX_XLSXW_H
#define DPEX_XLSXW_H

#include "core/archive/archive.h"
#include "core/base/buf.h"

#include <stdbool.h>
#include <stddef.h>

/* Excel's limits (Excel specifications and limits). */
#define DPEX_XLSXW_MAX_ROWS 1048576u
#define DPEX_XLSXW_MAX_COLS 16384u
#define DPEX_XLSXW_MAX_NAME 31 /* a sheet's name, in characters */

typedef struct dpex_xlsxw dpex_xlsxw;

/* The cell formats of the fixed style sheet. */
typedef enum dpex_xlsxw_style {
	DPEX_XLSXW_GENERAL,
	DPEX_XLSXW_BOLD,
	DPEX_XLSXW_DATE,	/* yyyy-mm-dd */
	DPEX_XLSXW_DATETIME,	/* yyyy-mm-dd hh:mm:ss */
	DPEX_XLSXW_DATETIME_MS, /* yyyy-mm-dd hh:mm:ss.000 */
	DPEX_XLSXW_TIME,	/* hh:mm:ss */
	DPEX_XLSXW_TIME_MS,	/* hh:mm:ss.000 */
	DPEX_XLSXW_TEXT,	/* "@" */
} dpex_xlsxw_style;

/* A date and time; year 0 means a time of day alone. */
typedef struct dpex_xlsxw_datetime {
	int year, month, day;
	int hour, min;
	double sec;
} dpex_xlsxw_datetime;

/* Excel's serial number of dt (days since 1899-12-30, with Excel's
 * 1900-02-29 that never was: dates before 1900-03-01 count one less).
 * dt's year is 0 or 1900 to 9999. */
double dpex_xlsxw_serial(const dpex_xlsxw_datetime *dt);

/* A workbook whose spill file, if any, goes into dir. A failure to write
 * or read it is DPEX_EOUTPUT, "writing <label>: <strerror>". Both strings
 * are borrowed and must outlive the writer. */
int dpex_xlsxw_new(dpex_xlsxw **out, const char *dir, const char *label);

/* Adds a sheet called name (a valid, unique Excel sheet name: the
 * caller's job); *index names it in the calls below. */
int dpex_xlsxw_add_sheet(dpex_xlsxw *w, const char *name, size_t *index);

/* Shows sheet right after sheet after among the workbook's tabs (a
 * continuation after the part before it); otherwise sheets show in the
 * order they were added. after was added before sheet. */
void dpex_xlsxw_place_after(dpex_xlsxw *w, size_t sheet, size_t after);

/* Sets column col (from 0) of a sheet to a width of chars characters.
 * Columns are set in increasing order, before the sheet's first row. */
int dpex_xlsxw_set_width(dpex_xlsxw *w, size_t sheet, unsigned col,
			 double chars);

/* Rows started on the sheet so far. */
unsigned dpex_xlsxw_rows(const dpex_xlsxw *w, size_t sheet);

/* Starts the sheet's next row, ending the row before it. DPEX_EOUTPUT
 * past Excel's last row. */
int dpex_xlsxw_row(dpex_xlsxw *w, size_t sheet);

/* Cells of the sheet's current row; col from 0. text is a number as
 * XML Schema's xsd:double writes it ("-25", "0.5", "1e+100"). */
int dpex_xlsxw_number_text(dpex_xlsxw *w, size_t sheet, unsigned col,
			   const char *text, size_t len);
int dpex_xlsxw_number(dpex_xlsxw *w, size_t sheet, unsigned col, double v,
		      dpex_xlsxw_style style);
int dpex_xlsxw_bool(dpex_xlsxw *w, size_t sheet, unsigned col, bool v);
int dpex_xlsxw_string(dpex_xlsxw *w, size_t sheet, unsigned col, const char *s,
		      size_t len, dpex_xlsxw_style style);
/* An empty cell with a format (the empty string formatted as text). */
int dpex_xlsxw_blank(dpex_xlsxw *w, size_t sheet, unsigned col,
		     dpex_xlsxw_style style);

/* Appends valid UTF-8 text as a cell holds it in the sheet's XML (see
 * above): what dpex_xlsxw_string writes between <t> and </t>. */
int dpex_xlsxw_escape_text(dpex_buf *b, const char *s, size_t len);

/* Writes the workbook into sink (which stays the caller's to close).
 * DPEX_EOUTPUT when the spill file cannot be read back or the sink
 * fails. */
int dpex_xlsxw_close(dpex_xlsxw *w, dpex_sink *sink);

void dpex_xlsxw_free(dpex_xlsxw *w);

#endif
