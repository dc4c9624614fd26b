/* xlsxw: Excel's serial numbers, the XML a sheet gets for what XML
 * cannot hold, and a workbook openpyxl reads back. */
#include "core/archive/archive.h"
#include "core/base/error.h"
#include "exporters/xlsxw.h"

#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#define TMPDIR_PREFIX "dpex-xlsxw"
#include "tmpdir.h"
#include "pyrun.h"
#include "sample_bytes.h"

TestSuite(xlsxw, .init = make_dir, .fini = remove_dir);

/* Commits archive a and runs the Python check py on it. */
static void commit_and_check(dpex_archive *a, const char *py)
{
	char *path = NULL;
	cr_assert_eq(dpex_archive_commit(a, NULL, &path), 0, "%s",
		     dpex_error_message());
	dpex_archive_free(a);
	check_with_python(py, path);
	free(path);
}

static double serial(int y, int m, int d, int hh, int mm, double ss)
{
	dpex_xlsxw_datetime dt = {y, m, d, hh, mm, ss};
	return dpex_xlsxw_serial(&dt);
}

/* The numbers Excel shows for these dates (its 1900 date system, with
 * the 29 February 1900 that Lotus 1-2-3 had and Excel kept). */
Test(xlsxw, serial_numbers_are_excels)
{
	cr_assert_eq(serial(1900, 1, 1, 0, 0, 0), 1);
	cr_assert_eq(serial(1900, 2, 28, 0, 0, 0), 59);
	cr_assert_eq(serial(1900, 3, 1, 0, 0, 0), 61);
	cr_assert_eq(serial(2024, 3, 1, 0, 0, 0), 45352);
	cr_assert_eq(serial(9999, 12, 31, 0, 0, 0), 2958465);
	cr_assert_eq(serial(2024, 3, 1, 12, 0, 0), 45352.5);
	cr_assert_eq(serial(0, 0, 0, 6, 0, 0), 0.25);
	cr_assert_float_eq(serial(0, 0, 0, 23, 59, 59.5), 86399.5 / 86400,
			   1e-12);
}

static const char check_py[] =
	"import io, re, sys, zipfile\n"
	"import openpyxl\n"
	"outer = zipfile.ZipFile(sys.argv[1])\n"
	"raw = outer.read('book.xlsx')\n"
	"x = zipfile.ZipFile(io.BytesIO(raw))\n"
	"s = x.read('xl/worksheets/sheet1.xml').decode()\n"
	"w = x.read('xl/workbook.xml').decode()\n"
	"assert '<sheet name=\"a&amp;b &lt;&quot;c&quot;&gt;\"' in w, w\n"
	"assert '<dimension ref=\"A1:D7\"/>' in s, s[:600]\n"
	"assert 'state=\"frozen\"' in s and 'tabSelected=\"1\"' in s\n"
	"assert '<col min=\"2\" max=\"2\" width=\"11.7109375\" "
	"customWidth=\"1\"/>' in s, s\n"
	"assert '<t>x &amp; y &lt;z&gt; \"q\"</t>' in s, s\n"
	"assert '<t>a_x0001_b_x000D_c\\td\\ne</t>' in s, s\n"
	"assert '<t>not_xFFFE_char_xFFFF_s \\u00e9\\uffee</t>' in s, s\n"
	"assert '<t xml:space=\"preserve\"> padded </t>' in s, s\n"
	"# Text that reads as an escape has its '_' escaped: Excel shows it.\n"
	"assert '<t>_x005F_x0041_ and _x005F_xaaaa_x0001_</t>' in s, s\n"
	"assert '<c r=\"A2\" t=\"inlineStr\"><is><t>x &amp; y' in s, s\n"
	"assert '</c><c s=\"2\"><v>45352</v></c>' in s, s  # no r: after A2\n"
	"assert '<c t=\"b\"><v>1</v></c>' in s, s\n"
	"assert '<c><v>-25.5</v></c>' in s, s\n"
	"assert '<c r=\"A7\" s=\"7\"/>' in s, s\n"
	"wb = openpyxl.load_workbook(io.BytesIO(raw))\n"
	"ws = wb['a&b <\"c\">']\n"
	"rows = [[c.value for c in r] for r in ws.iter_rows()]\n"
	"import datetime as dt\n"
	"assert rows[0] == ['head', None, None, None], rows[0]\n"
	"assert rows[1] == ['x & y <z> \"q\"', dt.datetime(2024, 3, 1), True,\n"
	"                   -25.5], rows\n"
	"assert '</t></is></c><c r=\"D3\"><v>7</v></c>' in s, s\n"
	"assert rows[2] == ['a_x0001_b_x000D_c\\td\\ne', None, None, 7], rows\n"
	"assert rows[4][0] == ' padded ', rows[4]\n"
	"assert rows[6] == [None] * 4 and ws['A7'].number_format == '@'\n"
	"assert ws['B2'].number_format == 'yyyy-mm-dd'\n"
	"assert ws['A1'].font.b\n"
	"assert wb['empty'].max_row == 1\n"
	"print('ok')\n";

/* One sheet with every kind of cell; the XML is checked as written, and
 * the workbook as openpyxl reads it. */
Test(xlsxw, cells_and_escapes_as_excel_reads_them)
{
	dpex_archive *a = open_archive("w.zip");
	dpex_xlsxw *w = NULL;
	cr_assert_eq(dpex_xlsxw_new(&w, dir, "book.xlsx"), 0);
	size_t s, e;
	cr_assert_eq(dpex_xlsxw_add_sheet(w, "a&b <\"c\">", &s), 0);
	cr_assert_eq(dpex_xlsxw_add_sheet(w, "empty", &e), 0);
	cr_assert_eq(dpex_xlsxw_set_width(w, s, 1, 11), 0);
	cr_assert_eq(dpex_xlsxw_row(w, s), 0);
	cr_assert_eq(dpex_xlsxw_string(w, s, 0, "head", 4, DPEX_XLSXW_BOLD), 0);
	const char *texts[] = {"x & y <z> \"q\"",
			       "a\x01"
			       "b\rc\td\ne",
			       "not\xef\xbf\xbe"
			       "char\xef\xbf\xbfs \xc3\xa9"
			       "\xef\xbf\xae",
			       " padded ", "_x0041_ and _xaaaa\x01"};
	for (size_t i = 0; i < 5; i++) {
		cr_assert_eq(dpex_xlsxw_row(w, s), 0);
		cr_assert_eq(dpex_xlsxw_string(w, s, 0, texts[i],
					       strlen(texts[i]),
					       DPEX_XLSXW_GENERAL),
			     0);
		if (i == 1) /* after a gap: a reference again */
			cr_assert_eq(dpex_xlsxw_number_text(w, s, 3, "7", 1),
				     0);
		if (i > 0)
			continue;
		dpex_xlsxw_datetime day = {2024, 3, 1, 0, 0, 0};
		cr_assert_eq(dpex_xlsxw_number(w, s, 1, dpex_xlsxw_serial(&day),
					       DPEX_XLSXW_DATE),
			     0);
		cr_assert_eq(dpex_xlsxw_bool(w, s, 2, true), 0);
		cr_assert_eq(dpex_xlsxw_number_text(w, s, 3, "-25.5", 5), 0);
	}
	cr_assert_eq(dpex_xlsxw_row(w, s), 0);
	cr_assert_eq(dpex_xlsxw_rows(w, s), 7);
	cr_assert_eq(dpex_xlsxw_blank(w, s, 0, DPEX_XLSXW_TEXT), 0);
	cr_assert_eq(dpex_xlsxw_row(w, e), 0);

	dpex_sink *sink;
	cr_assert_eq(dpex_archive_member_open(a, "book.xlsx", &sink), 0);
	cr_assert_eq(dpex_xlsxw_close(w, sink), 0, "%s", dpex_error_message());
	dpex_xlsxw_free(w);
	cr_assert_eq(dpex_sink_close(sink, -1), 0);
	commit_and_check(a, check_py);
}

/* Rows of about 100 bytes, each "<prefix>-<number>": n of them spill. */
static void fill(dpex_xlsxw *w, const char *prefix, int n)
{
	size_t s;
	cr_assert_eq(dpex_xlsxw_add_sheet(w, prefix, &s), 0);
	for (int i = 0; i < n; i++) {
		char text[128];
		int len = snprintf(text, sizeof(text), "%s-%d %090d", prefix, i,
				   0);
		cr_assert_eq(dpex_xlsxw_row(w, s), 0);
		cr_assert_eq(dpex_xlsxw_string(w, s, 0, text, (size_t)len,
					       DPEX_XLSXW_GENERAL),
			     0, "%s", dpex_error_message());
	}
}

static void add_workbook(dpex_archive *a, dpex_xlsxw *w, const char *name)
{
	dpex_sink *sink;
	cr_assert_eq(dpex_archive_member_open(a, name, &sink), 0);
	cr_assert_eq(dpex_xlsxw_close(w, sink), 0, "%s", dpex_error_message());
	cr_assert_eq(dpex_sink_close(sink, -1), 0);
}

static const char spill_py[] =
	"import io, sys, zipfile\n"
	"import openpyxl\n"
	"outer = zipfile.ZipFile(sys.argv[1])\n"
	"for book in ('a', 'b', 'c'):\n"
	"    wb = openpyxl.load_workbook(io.BytesIO(outer.read(book + "
	"'.xlsx')), read_only=True)\n"
	"    rows = [r[0] for r in wb[book].iter_rows(values_only=True)]\n"
	"    assert len(rows) == 6000, (book, len(rows))\n"
	"    for i, v in enumerate(rows):\n"
	"        assert v.startswith('%s-%d ' % (book, i)), (book, i, "
	"v[:20])\n"
	"print('ok')\n";

/* Workbooks one after the other in one directory share its spill file:
 * each holds its own rows and none of the one before, and the file is
 * empty between them. Two at once do not share it. */
Test(xlsxw, spill_file_is_taken_again_and_emptied)
{
	dpex_archive *a = open_archive("s.zip");
	const char *spool = dpex_archive_spool_dir(a);
	char spill[512];
	snprintf(spill, sizeof(spill), "%s/.dpex-xlsx-spill", spool);

	dpex_xlsxw *w = NULL, *w2 = NULL;
	cr_assert_eq(dpex_xlsxw_new(&w, spool, "a.xlsx"), 0);
	fill(w, "a", 6000);
	struct stat st;
	cr_assert_eq(stat(spill, &st), 0, "the spill file is used");
	cr_assert_gt(st.st_size, 256 * 1024);
	add_workbook(a, w, "a.xlsx");
	dpex_xlsxw_free(w);
	cr_assert_eq(stat(spill, &st), 0, "kept for the next workbook");
	cr_assert_eq(st.st_size, 0, "and emptied");

	cr_assert_eq(dpex_xlsxw_new(&w, spool, "b.xlsx"), 0);
	cr_assert_eq(dpex_xlsxw_new(&w2, spool, "c.xlsx"), 0);
	fill(w, "b", 6000);
	fill(w2, "c", 6000);
	add_workbook(a, w, "b.xlsx");
	add_workbook(a, w2, "c.xlsx");
	dpex_xlsxw_free(w);
	dpex_xlsxw_free(w2);
	commit_and_check(a, spill_py);
}

static const char tabs_py[] =
	"import io, sys, zipfile\n"
	"import openpyxl\n"
	"outer = zipfile.ZipFile(sys.argv[1])\n"
	"wb = openpyxl.load_workbook(io.BytesIO(outer.read('t.xlsx')))\n"
	"want = ['A', 'A (2)', 'A (3)', 'B', 'B (2)', 'C']\n"
	"assert wb.sheetnames == want, wb.sheetnames\n"
	"for name in want:\n"
	"    assert wb[name]['A1'].value == 'on ' + name, name\n"
	"assert wb.worksheets[0].sheet_view.tabSelected\n"
	"print('ok')\n";

/* A sheet placed after another shows right after it, its own continuation
 * right after it in turn; the rest keep the order they were added in, and
 * each tab still opens its own rows. */
Test(xlsxw, continuations_show_next_to_the_sheet_they_continue)
{
	dpex_archive *a = open_archive("t.zip");
	dpex_xlsxw *w = NULL;
	cr_assert_eq(dpex_xlsxw_new(&w, dir, "t.xlsx"), 0);
	const char *names[] = {"A", "B", "A (2)", "C", "A (3)", "B (2)"};
	const int after[] = {-1, -1, 0, -1, 2, 1};
	for (size_t i = 0; i < 6; i++) {
		size_t s;
		cr_assert_eq(dpex_xlsxw_add_sheet(w, names[i], &s), 0);
		cr_assert_eq(s, i);
		if (after[i] >= 0)
			dpex_xlsxw_place_after(w, s, (size_t)after[i]);
		char text[32];
		int len = snprintf(text, sizeof(text), "on %s", names[i]);
		cr_assert_eq(dpex_xlsxw_row(w, s), 0);
		cr_assert_eq(dpex_xlsxw_string(w, s, 0, text, (size_t)len,
					       DPEX_XLSXW_GENERAL),
			     0);
	}
	add_workbook(a, w, "t.xlsx");
	dpex_xlsxw_free(w);
	commit_and_check(a, tabs_py);
}

static void escapes_to(const char *in, size_t len, const char *want)
{
	dpex_buf out = DPEX_BUF_INIT;
	cr_assert_eq(dpex_xlsxw_escape_text(&out, in, len), 0);
	cr_assert_str_eq(out.data ? out.data : "", want);
	dpex_buf_free(&out);
}

/* What XML cannot hold is escaped as Excel reads it back; text that would
 * read as an escape keeps its meaning by an escaped '_'. */
Test(xlsxw, text_escapes)
{
	escapes_to("a\0b", 3, "a_x0000_b");
	escapes_to("tab\tlf\ncr\r", 10, "tab\tlf\ncr_x000D_");
	escapes_to("<&>", 3, "&lt;&amp;&gt;");
	escapes_to("\xef\xbf\xbf \xef\xbf\xbd", 7, "_xFFFF_ \xef\xbf\xbd");
	escapes_to("_x0041_", 7, "_x005F_x0041_");
	escapes_to("_xaaaa\x01", 7, "_x005F_xaaaa_x0001_");
	escapes_to("_xaaaa!", 7, "_xaaaa!");
	escapes_to("_x00", 4, "_x00");
}
