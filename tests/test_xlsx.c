/* The XLSX exporter: data.xlsx written through a real archive, then read
 * back from the ZIP with openpyxl, which checks the sheets, the cell types
 * and the exact values a person would see. */
#include "core/archive/archive.h"
#include "core/base/error.h"
#include "exporters/exporter.h"

#include <criterion/criterion.h>
#include <dirent.h>
#include <errno.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <unistd.h>

#define TMPDIR_PREFIX "dpex-xlsx"
#include "tmpdir.h"
#include "pyrun.h"

TestSuite(xlsx, .init = make_dir, .fini = remove_dir);

/* PostgreSQL type OIDs, for the record; the exporter reads the kind. */
enum {
	BOOL = 16,
	BYTEA = 17,
	INT8 = 20,
	INT4 = 23,
	TEXT = 25,
	FLOAT8 = 701,
	DATE = 1082,
	TIME = 1083,
	TIMESTAMP = 1114,
	TIMESTAMPTZ = 1184,
	NUMERIC = 1700,
	UUID = 2950,
	JSONB = 3802,
};

static const dpex_column order_columns[] = {
	{"id", INT4, DPEX_KIND_INTEGER, true, DPEX_KIND_TEXT, NULL, 0},
	{"customer_no", INT8, DPEX_KIND_INTEGER, false, DPEX_KIND_TEXT, NULL,
	 0},
	{"total", NUMERIC, DPEX_KIND_NUMERIC, false, DPEX_KIND_TEXT, NULL, 0},
	{"ratio", FLOAT8, DPEX_KIND_FLOAT, false, DPEX_KIND_TEXT, NULL, 0},
	{"paid", BOOL, DPEX_KIND_BOOL, false, DPEX_KIND_TEXT, NULL, 0},
	{"placed", DATE, DPEX_KIND_DATE, false, DPEX_KIND_TEXT, NULL, 0},
	{"created", TIMESTAMPTZ, DPEX_KIND_TIMESTAMPTZ, false, DPEX_KIND_TEXT,
	 NULL, 0},
	{"updated", TIMESTAMP, DPEX_KIND_TIMESTAMP, false, DPEX_KIND_TEXT, NULL,
	 0},
	{"at", TIME, DPEX_KIND_TIME, false, DPEX_KIND_TEXT, NULL, 0},
	{"note", TEXT, DPEX_KIND_TEXT, false, DPEX_KIND_TEXT, NULL, 0},
	{"phone", TEXT, DPEX_KIND_TEXT, false, DPEX_KIND_TEXT, NULL, 0},
	{"amount_text", TEXT, DPEX_KIND_TEXT, false, DPEX_KIND_TEXT, NULL, 0},
	{"name", TEXT, DPEX_KIND_TEXT, false, DPEX_KIND_TEXT, NULL, 0},
	{"doc", JSONB, DPEX_KIND_JSON, false, DPEX_KIND_TEXT, NULL, 0},
	{"blob", BYTEA, DPEX_KIND_BYTEA, false, DPEX_KIND_TEXT, NULL, 0},
	{"ref", UUID, DPEX_KIND_TEXT, false, DPEX_KIND_TEXT, NULL, 0},
};
#define NORDER (sizeof(order_columns) / sizeof(*order_columns))

static const dpex_column line_columns[] = {
	{"order_id", INT4, DPEX_KIND_INTEGER, true, DPEX_KIND_TEXT, NULL, 0},
	{"no", INT4, DPEX_KIND_INTEGER, false, DPEX_KIND_TEXT, NULL, 0},
	{"ean", INT8, DPEX_KIND_INTEGER, true, DPEX_KIND_TEXT, NULL, 0},
	{"qty", NUMERIC, DPEX_KIND_NUMERIC, false, DPEX_KIND_TEXT, NULL, 0},
	{"price", NUMERIC, DPEX_KIND_NUMERIC, false, DPEX_KIND_TEXT, NULL, 0},
};
#define NLINE (sizeof(line_columns) / sizeof(*line_columns))

static const dpex_entity_shape shapes[] = {
	{"orders", 0, -1, NORDER, order_columns},
	{"order_lines", 1, 0, NLINE, line_columns},
};

static dpex_value V(const char *s)
{
	return (dpex_value){s, strlen(s), false};
}

static const dpex_value NUL = {NULL, 0, true};

static dpex_archive *open_archive(void)
{
	dpex_archive *a = NULL;
	dpex_archive_options opt = {
		.out_dir = dir, .name = "dpex-x.zip", .compress = true};
	cr_assert_eq(dpex_archive_open(&a, &opt), 0, "%s",
		     dpex_error_message());
	return a;
}

static const dpex_exporter_ops *ops = &dpex_exporter_xlsx;

/* The optional callbacks are called when present, as gather does. */
static void start(void *x, const dpex_entity_shape *e)
{
	if (ops->entity_start)
		cr_assert_eq(ops->entity_start(x, e), 0);
}

static void end(void *x, const dpex_entity_shape *e)
{
	if (ops->entity_end)
		cr_assert_eq(ops->entity_end(x, e), 0);
}

static void row(void *x, const dpex_entity_shape *e, const dpex_value *v)
{
	cr_assert_eq(ops->row(x, e, v), 0, "%s", dpex_error_message());
	if (ops->row_end)
		cr_assert_eq(ops->row_end(x, e), 0);
}

static char *listing(const char *path)
{
	char *out = calloc(1, 4096);
	DIR *d = opendir(path);
	cr_assert_not_null(d);
	struct dirent *e;
	while ((e = readdir(d)) != NULL) {
		if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
			continue;
		if (out[0])
			strcat(out, " ");
		strncat(out, e->d_name, 4000 - strlen(out));
	}
	closedir(d);
	return out;
}

static const char typed_py[] =
	"import io, sys, zipfile, json, datetime as dt\n"
	"import openpyxl\n"
	"z = zipfile.ZipFile(sys.argv[1])\n"
	"wb = openpyxl.load_workbook(io.BytesIO(z.read('data.xlsx')))\n"
	"assert wb.sheetnames == ['orders', 'order_lines'], wb.sheetnames\n"
	"def rows(ws):\n"
	"    return [[c.value for c in r] for r in ws.iter_rows()]\n"
	"def types(ws, r):\n"
	"    return ''.join(c.data_type for c in ws[r])\n"
	"o, l = wb['orders'], wb['order_lines']\n"
	"for ws in (o, l):\n"
	"    assert ws.freeze_panes == 'A2', ws.freeze_panes\n"
	"    assert all(c.font.b for c in ws[1]), ws.title\n"
	"mark = (' \\u2026 [truncated: Excel holds 32,767 characters a cell; "
	"'\n"
	"        'the full value is in data.json and the CSV file]')\n"
	"long = 'é' * (32767 - len(mark)) + mark\n"
	"want = [\n"
	"  ['id', 'customer_no', 'total', 'ratio', 'paid', 'placed',\n"
	"   'created (UTC)', 'updated', 'at', 'note', 'phone', 'amount_text',\n"
	"   'name', 'doc', 'blob', 'ref'],\n"
	"  ['1001', '9007199254740992', -25, 0.5, True, dt.datetime(2024, 3, "
	"1),\n"
	"   dt.datetime(2024, 3, 1, 12, 45, 0, 500000), dt.datetime(2024, 3, "
	"1, 13, 45, "
	"30),\n"
	"   dt.time(13, 45), '=1+1', '+31 6 1234', '-25.00', 'Zoë Ångström "
	"日本',\n"
	"   '{\"a\": [1, \"x\"]}', 'Cgs=', "
	"'a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11'],\n"
	"  ['1002', '9007199254740993', '12345678901234567.89', 'NaN', False,\n"
	"   '0044-03-15 BC', 'infinity', None, None, 'caf\\ufffd ok "
	"\\ufffd\\ufffd',\n"
	"   '@SUM(A1)', '-0.5', long, None, None, None],\n"
	"  ['1003', '-9007199254740992', 123456789.012345, 1e+100, None,\n"
	"   dt.datetime(1900, 1, 1), '10000-01-01T00:00:00+00:00',\n"
	"   dt.datetime(9999, 12, 31, 23, 59, 59), None, '\\tx', '-', "
	"'Infinity',\n"
	"   'x' * 32767, 'null', None, None],\n"
	"]\n"
	"got = rows(o)\n"
	"for i, (g, w) in enumerate(zip(got, want)):\n"
	"    assert g == w, (i, [(a, b) for a, b in zip(g, w) if a != b])\n"
	"assert len(got) == len(want), len(got)\n"
	"assert types(o, 2) == 'ssnnbddd"
	"dssssss"
	"s', types(o, 2)\n"
	"assert types(o, 3) == 'ssssbss"
	"n"
	"nssssnnn', types(o, 3)\n"
	"assert types(o, 4) == 'ssnnndsdnsssssnn', types(o, 4)\n"
	"# NULL and the empty string: both empty, the latter formatted as "
	"text\n"
	"assert o['I4'].number_format == 'General', o['I4'].number_format\n"
	"assert o['O4'].number_format == '@', o['O4'].number_format\n"
	"assert o['I2'].number_format == 'hh:mm:ss', o['I2'].number_format\n"
	"assert all(type(v) is str for v in (o['A2'].value, o['K2'].value))\n"
	"assert o['F2'].number_format == 'yyyy-mm-dd', o['F2'].number_format\n"
	"assert o['G2'].number_format == 'yyyy-mm-dd hh:mm:ss.000'\n"
	"assert o['H2'].number_format == 'yyyy-mm-dd hh:mm:ss'\n"
	"assert type(o['C2'].value) is int and type(o['D2'].value) is float\n"
	"assert rows(l) == [\n"
	"  ['order_id', 'no', 'ean', 'qty', 'price'],\n"
	"  ['1001', 1, '8712345678906', 2, 9.95],\n"
	"  ['1001', 2, '8712345678913', 1, 0.1],\n"
	"  ['1003', 1, '8712345678906', 3, -19.99],\n"
	"], rows(l)\n"
	"m = json.loads(z.read('manifest.json'))\n"
	"f = [f for f in m['files'] if f['name'] == 'data.xlsx']\n"
	"assert len(f) == 1 and f[0]['rows'] == 6, m['files']\n"
	"print('ok')\n";

/* Rows in tree order: each order, then its lines, so writes to the two
 * sheets interleave (constant_memory must keep each sheet's rows). */
Test(xlsx, typed_cells_read_back_exactly)
{
	dpex_archive *a = open_archive();
	dpex_exporter_ctx ctx = {
		.archive = a, .entities = shapes, .nentities = 2};
	void *x = NULL;
	cr_assert_eq(ops->open(&x, &ctx), 0, "%s", dpex_error_message());

	static char long_text[40000 * 2 + 1];
	for (int i = 0; i < 40000; i++)
		memcpy(long_text + 2 * i, "é", 2);
	static char exact_text[32767 + 1];
	memset(exact_text, 'x', 32767);

	const dpex_entity_shape *o = &shapes[0], *l = &shapes[1];
	start(x, o);
	dpex_value o1[NORDER] = {
		V("1001"),
		V("9007199254740992"),
		V("-25.00"),
		V("0.5"),
		V("t"),
		V("2024-03-01"),
		V("2024-03-01 12:45:00.5+00"),
		V("2024-03-01 13:45:30"),
		V("13:45:00"),
		V("=1+1"),
		V("+31 6 1234"),
		V("-25.00"),
		V("Zoë Ångström 日本"),
		V("{\"a\": [1, \"x\"]}"),
		V("\\x0a0b"),
		V("a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11"),
	};
	row(x, o, o1);
	start(x, l);
	dpex_value l1[NLINE] = {V("1001"), V("1"), V("8712345678906"), V("2"),
				V("9.95")};
	row(x, l, l1);
	dpex_value l2[NLINE] = {V("1001"), V("2"), V("8712345678913"),
				V("1.000"), V("0.10")};
	row(x, l, l2);
	end(x, l);

	dpex_value o2[NORDER] = {
		V("1002"),
		V("9007199254740993"),
		V("12345678901234567.89"),
		V("NaN"),
		V("f"),
		V("0044-03-15 BC"),
		V("infinity"),
		NUL,
		NUL,
		V("caf\xe9 ok \xff\xfe"),
		V("@SUM(A1)"),
		V("-0.5"),
		V(long_text),
		NUL,
		NUL,
		NUL,
	};
	row(x, o, o2);
	start(x, l); /* an order without lines */
	end(x, l);

	dpex_value o3[NORDER] = {
		V("1003"),
		V("-9007199254740992"),
		V("123456789.012345"),
		V("1e+100"),
		NUL,
		V("1900-01-01"),
		V("10000-01-01 00:00:00+00"),
		V("9999-12-31 23:59:59"),
		NUL,
		V("\tx"),
		V("-"),
		V("Infinity"),
		V(exact_text),
		V("null"),
		V("\\x"),
		NUL,
	};
	row(x, o, o3);
	start(x, l);
	dpex_value l3[NLINE] = {V("1003"), V("1"), V("8712345678906"), V("3"),
				V("-19.99")};
	row(x, l, l3);
	end(x, l);
	end(x, o);

	cr_assert_eq(ops->finish(x), 0, "%s", dpex_error_message());
	char *final = NULL;
	cr_assert_eq(dpex_archive_commit(a, NULL, &final), 0, "%s",
		     dpex_error_message());
	ops->free(x);
	dpex_archive_free(a);
	check_with_python(typed_py, final);
	free(final);
	char *ls = listing(dir);
	cr_assert_str_eq(ls, "dpex-x.zip");
	free(ls);
}

static const char names_py[] =
	"import io, sys, zipfile\n"
	"import openpyxl\n"
	"z = zipfile.ZipFile(sys.argv[1])\n"
	"wb = openpyxl.load_workbook(io.BytesIO(z.read('data.xlsx')))\n"
	"want = ['a_b_c_d_e_f_g_h', 'customer_contact_preferences_hi',\n"
	"        'customer_contact_preference (2)', 'Orders', 'orders (2)',\n"
	"        'History (2)', '_quoted_', 'caf\\ufffd', 'sheet']\n"
	"assert wb.sheetnames == want, wb.sheetnames\n"
	"for ws in wb:\n"
	"    assert [c.value for c in ws[1]] == ['id'], ws.title\n"
	"    assert ws.max_row == 1, ws.title\n"
	"print('ok')\n";

/* Entity names made into valid, unique sheet names; entities without rows
 * still get their sheet and header. */
Test(xlsx, sheet_names_follow_excel_rules)
{
	static const dpex_column id[] = {
		{"id", INT4, DPEX_KIND_INTEGER, true, DPEX_KIND_TEXT, NULL, 0}};
	static const char *const names[] = {
		"a:b/c?d*e[f]g\\h",
		"customer_contact_preferences_history",
		"customer_contact_preferences_historic",
		"Orders",
		"orders",
		"History",
		"'quoted'",
		"caf\xe9",
		"",
	};
	enum { N = sizeof(names) / sizeof(*names) };
	dpex_entity_shape e[N];
	for (int i = 0; i < N; i++)
		e[i] = (dpex_entity_shape){names[i], i, -1, 1, id};
	dpex_archive *a = open_archive();
	dpex_exporter_ctx ctx = {.archive = a, .entities = e, .nentities = N};
	void *x = NULL;
	cr_assert_eq(ops->open(&x, &ctx), 0, "%s", dpex_error_message());
	cr_assert_eq(ops->finish(x), 0, "%s", dpex_error_message());
	char *final = NULL;
	cr_assert_eq(dpex_archive_commit(a, NULL, &final), 0, "%s",
		     dpex_error_message());
	ops->free(x);
	dpex_archive_free(a);
	check_with_python(names_py, final);
	free(final);
}

static int open_fds(void)
{
	int n = 0;
	DIR *d = opendir("/proc/self/fd");
	while (readdir(d))
		n++;
	closedir(d);
	return n;
}

/* An export that fails half-way: the exporter and the archive are freed
 * without finish; no file and no descriptor is left. */
Test(xlsx, abandoned_workbook_leaves_nothing)
{
	int fds = open_fds();
	dpex_archive *a = open_archive();
	dpex_exporter_ctx ctx = {
		.archive = a, .entities = shapes, .nentities = 2};
	void *x = NULL;
	cr_assert_eq(ops->open(&x, &ctx), 0, "%s", dpex_error_message());
	dpex_value l1[NLINE] = {V("1"), V("1"), V("2"), V("3"), V("4")};
	for (int i = 0; i < 100; i++)
		row(x, &shapes[1], l1);
	ops->free(x);
	dpex_archive_free(a);
	char *ls = listing(dir);
	cr_assert_str_eq(ls, "");
	free(ls);
	cr_assert_eq(open_fds(), fds);
}

/* A full disk (here the file size limit) while a large sheet spills to
 * the spool must fail the export with the reason, never give a silently
 * truncated sheet, and leave nothing behind. */
Test(xlsx, failed_sheet_write_is_reported)
{
	dpex_archive *a = open_archive();
	dpex_exporter_ctx ctx = {
		.archive = a, .entities = shapes, .nentities = 2};
	void *x = NULL;
	cr_assert_eq(ops->open(&x, &ctx), 0, "%s", dpex_error_message());
	signal(SIGXFSZ, SIG_IGN);
	struct rlimit rl = {.rlim_cur = 256 * 1024, .rlim_max = RLIM_INFINITY};
	cr_assert_eq(setrlimit(RLIMIT_FSIZE, &rl), 0);
	static char text[1001];
	memset(text, 'n', 1000);
	dpex_value l1[NLINE] = {V("1"), V("1"), V("2"), V("3"), V(text)};
	int rc = 0;
	for (int i = 0; i < 1000 && !rc; i++)
		rc = ops->row(x, &shapes[1], l1);
	if (!rc)
		rc = ops->finish(x);
	cr_assert_eq(rc, DPEX_EOUTPUT);
	char want[256];
	snprintf(want, sizeof(want), "writing data.xlsx in %s: File too large",
		 dir);
	cr_assert_str_eq(dpex_error_message(), want);
	ops->free(x);
	dpex_archive_free(a);
	rl.rlim_cur = RLIM_INFINITY;
	cr_assert_eq(setrlimit(RLIMIT_FSIZE, &rl), 0);
	char *ls = listing(dir);
	cr_assert_str_eq(ls, "");
	free(ls);
}

static const char continued_py[] =
	"import io, re, sys, zipfile\n"
	"import openpyxl\n"
	"z = zipfile.ZipFile(sys.argv[1])\n"
	"x = zipfile.ZipFile(io.BytesIO(z.read('data.xlsx')))\n"
	"wbx = x.read('xl/workbook.xml').decode()\n"
	"names = re.findall(r'<sheet name=\"([^\"]*)\"', wbx)\n"
	"assert names == ['events', 'events (2)'], names\n"
	"s1 = x.read('xl/worksheets/sheet1.xml').decode()\n"
	"assert '<dimension ref=\"A1:A1048576\"/>' in s1, s1[:400]\n"
	"assert re.search(r'<c r=\"A2\"[^>]*><is><t>first</t>', s1)\n"
	"assert re.search(r'<c r=\"A1048576\"[^>]*><is><t>edge</t>', s1)\n"
	"wb = openpyxl.load_workbook(io.BytesIO(z.read('data.xlsx')),\n"
	"                            read_only=True)\n"
	"rows = [[c.value for c in r] for r in wb['events (2)'].iter_rows()]\n"
	"assert rows == [['v'], ['next'], ['last']], rows\n"
	"print('ok')\n";

/* Excel's last row is 1,048,576, the header included: the rows after it
 * continue on "events (2)", under the header again. (NULL cells make this
 * quick.) */
Test(xlsx, rows_beyond_excel_limit_continue_on_a_new_sheet)
{
	static const dpex_column c[] = {
		{"v", TEXT, DPEX_KIND_TEXT, false, DPEX_KIND_TEXT, NULL, 0}};
	const dpex_entity_shape e = {"events", 0, -1, 1, c};
	dpex_archive *a = open_archive();
	dpex_exporter_ctx ctx = {.archive = a, .entities = &e, .nentities = 1};
	void *x = NULL;
	cr_assert_eq(ops->open(&x, &ctx), 0, "%s", dpex_error_message());
	dpex_value v[1] = {NUL};
	dpex_value first[1] = {V("first")}, edge[1] = {V("edge")};
	dpex_value next[1] = {V("next")}, last[1] = {V("last")};
	cr_assert_eq(ops->row(x, &e, first), 0);
	for (int i = 1; i < 1048574; i++)
		cr_assert_eq(ops->row(x, &e, v), 0);
	cr_assert_eq(ops->row(x, &e, edge), 0);
	cr_assert_eq(ops->row(x, &e, next), 0, "%s", dpex_error_message());
	cr_assert_eq(ops->row(x, &e, last), 0);
	cr_assert_eq(ops->finish(x), 0, "%s", dpex_error_message());
	char *final = NULL;
	cr_assert_eq(dpex_archive_commit(a, NULL, &final), 0, "%s",
		     dpex_error_message());
	ops->free(x);
	dpex_archive_free(a);
	check_with_python(continued_py, final);
	free(final);
}
