/* csvw: RFC 4180 fields and records, byte for byte, and the NULL versus
 * empty string rule (unquoted empty is NULL, "" is the empty string). */
#include "core/base/buf.h"
#include "core/base/error.h"
#include "exporters/csvw.h"

#include "exporter_run.h"

#include <criterion/criterion.h>
#include <string.h>

static char *csv_field(const char *s, size_t len, size_t *repaired)
{
	dpex_buf b = DPEX_BUF_INIT;
	*repaired = 0;
	cr_assert_eq(dpex_csvw_field(&b, s, len, repaired), 0);
	/* An empty unquoted field leaves b unallocated. */
	return b.data ? dpex_buf_steal(&b) : strdup("");
}

#define expect_field(in, want)                                                 \
	do {                                                                   \
		size_t n_;                                                     \
		char *got_ = csv_field(in, sizeof(in) - 1, &n_);               \
		cr_expect_str_eq(got_, want);                                  \
		cr_expect_eq(n_, 0);                                           \
		free(got_);                                                    \
	} while (0)

static char *csv_value(dpex_kind k, const char *s, size_t *repaired)
{
	dpex_buf b = DPEX_BUF_INIT, scratch = DPEX_BUF_INIT;
	dpex_value v = {s, s ? strlen(s) : 0, s == NULL};
	*repaired = 0;
	cr_assert_eq(dpex_csvw_value(&b, &scratch, k, &v, repaired), 0, "%s",
		     dpex_error_message());
	dpex_buf_free(&scratch);
	return b.data ? dpex_buf_steal(&b) : strdup("");
}

#define expect_value(k, in, want)                                              \
	do {                                                                   \
		size_t n_;                                                     \
		char *got_ = csv_value(k, in, &n_);                            \
		cr_expect_str_eq(got_, want, "kind %d", (int)(k));             \
		cr_expect_eq(n_, 0);                                           \
		free(got_);                                                    \
	} while (0)

Test(csvw, plain_fields_are_not_quoted)
{
	expect_field("Saskia", "Saskia");
	expect_field(" padded ", " padded ");
	expect_field("a;b\tc", "a;b\tc");
	expect_field("Zoë Ĳsselmeer Åsa Öberg 😀", "Zoë Ĳsselmeer Åsa Öberg 😀");
}

Test(csvw, separators_quotes_and_line_breaks_are_quoted)
{
	expect_field("a,b", "\"a,b\"");
	expect_field("say \"hi\"", "\"say \"\"hi\"\"\"");
	expect_field("\"", "\"\"\"\"");
	expect_field("line 1\r\nline 2", "\"line 1\r\nline 2\"");
	expect_field("cr\r", "\"cr\r\"");
	expect_field("lf\n", "\"lf\n\"");
}

Test(csvw, empty_string_is_quoted_so_it_differs_from_null)
{
	expect_field("", "\"\"");
	expect_value(DPEX_KIND_TEXT, "", "\"\"");
	for (int k = DPEX_KIND_TEXT; k <= DPEX_KIND_BYTEA; k++)
		expect_value((dpex_kind)k, NULL, "");
}

Test(csvw, invalid_utf8_becomes_fffd_and_is_counted)
{
	size_t n;
	char *got = csv_field("M\xfcller, \xff", 9, &n);
	cr_expect_str_eq(got, "\"M\xef\xbf\xbdller, \xef\xbf\xbd\"");
	cr_expect_eq(n, 1);
	free(got);
}

Test(csvw, formula_like_text_is_kept_as_it_is)
{
	expect_value(DPEX_KIND_TEXT, "=SUM(A1:A9)", "=SUM(A1:A9)");
	expect_value(DPEX_KIND_TEXT, "+31 6 12345678", "+31 6 12345678");
	expect_value(DPEX_KIND_TEXT, "@home", "@home");
}

Test(csvw, values_take_the_text_of_their_kind)
{
	expect_value(DPEX_KIND_INTEGER, "9223372036854775807",
		     "9223372036854775807");
	expect_value(DPEX_KIND_NUMERIC, "123456789012345678901234567890.5",
		     "123456789012345678901234567890.5");
	expect_value(DPEX_KIND_NUMERIC, "NaN", "NaN");
	expect_value(DPEX_KIND_FLOAT, "-Infinity", "-Infinity");
	expect_value(DPEX_KIND_FLOAT, "1e+300", "1e+300");
	expect_value(DPEX_KIND_BOOL, "t", "true");
	expect_value(DPEX_KIND_BOOL, "f", "false");
	expect_value(DPEX_KIND_DATE, "2024-03-01", "2024-03-01");
	expect_value(DPEX_KIND_TIME, "13:45:00", "13:45:00");
	expect_value(DPEX_KIND_TIMESTAMP, "2024-03-01 13:45:00.5",
		     "2024-03-01T13:45:00.5");
	expect_value(DPEX_KIND_TIMESTAMPTZ, "2024-03-01 12:45:00+00",
		     "2024-03-01T12:45:00+00:00");
	expect_value(DPEX_KIND_TIMESTAMPTZ, "2024-03-01 12:45:00+05:30",
		     "2024-03-01T12:45:00+05:30");
	expect_value(DPEX_KIND_TIMESTAMPTZ, "infinity", "infinity");
	expect_value(DPEX_KIND_BYTEA, "\\x666f6f62", "Zm9vYg==");
	expect_value(DPEX_KIND_TEXT, "P1D", "P1D");
}

Test(csvw, empty_bytea_is_an_empty_string_not_null)
{
	expect_value(DPEX_KIND_BYTEA, "\\x", "\"\"");
}

Test(csvw, json_is_its_text_quoted)
{
	expect_value(DPEX_KIND_JSON, "{\"a\": 1, \"b\": [true]}",
		     "\"{\"\"a\"\": 1, \"\"b\"\": [true]}\"");
	expect_value(DPEX_KIND_JSON, "42", "42");
}

static const dpex_column columns[] = {
	{.name = "id", .kind = DPEX_KIND_INTEGER},
	{.name = "full name", .kind = DPEX_KIND_TEXT},
	{.name = "note, \"free\"", .kind = DPEX_KIND_TEXT},
	{.name = "vip", .kind = DPEX_KIND_BOOL},
};
static const dpex_entity_shape shape = {
	.name = "customers", .parent = -1, .ncolumns = 4, .columns = columns};

Test(csvw, header_names_are_quoted_like_values)
{
	dpex_buf b = DPEX_BUF_INIT;
	cr_assert_eq(dpex_csvw_header(&b, &shape), 0);
	cr_expect_str_eq(b.data, "id,full name,\"note, \"\"free\"\"\",vip\r\n");
	dpex_buf_free(&b);
}

Test(csvw, rows_end_in_crlf_and_keep_null_apart)
{
	dpex_buf b = DPEX_BUF_INIT, scratch = DPEX_BUF_INIT;
	const dpex_value r1[] = {
		{"1", 1, false},
		{"Zoë", 4, false},
		{"", 0, false},
		{NULL, 0, true},
	};
	const dpex_value r2[] = {
		{"2", 1, false},
		{NULL, 0, true},
		{"a\nb", 3, false},
		{"t", 1, false},
	};
	size_t repaired = 0;
	cr_assert_eq(dpex_csvw_row(&b, &scratch, &shape, r1, &repaired), 0);
	cr_assert_eq(dpex_csvw_row(&b, &scratch, &shape, r2, &repaired), 0);
	cr_expect_str_eq(b.data, "1,Zoë,\"\",\r\n"
				 "2,,\"a\nb\",true\r\n");
	cr_expect_eq(repaired, 0);
	dpex_buf_free(&b);
	dpex_buf_free(&scratch);
}

/* csv: one file per entity from a real archive, read back by unzip and
 * Python's csv module. */

Test(csv, every_entity_gets_a_file_with_a_header)
{
	exporter_run r;
	exporter_run_start(&r, &dpex_exporter_csv, send_events);
	char *got = member_bytes(&r, "csv/customers.csv");
	cr_expect_str_eq(got, "id,first_name,vip\r\n"
			      "1,Zoë,true\r\n");
	free(got);
	got = member_bytes(&r, "csv/orders.csv");
	cr_expect_str_eq(got, "id,placed_at\r\n"
			      "10,2024-03-01T12:45:00+00:00\r\n"
			      "11,\r\n");
	free(got);
	got = member_bytes(&r, "csv/order_lines.csv");
	cr_expect_str_eq(got, "line_no,description\r\n"
			      "1,\"Fiets, \"\"rood\"\"\"\r\n"
			      "2,\r\n");
	free(got);
	got = member_bytes(&r, "csv/consents.csv");
	cr_expect_str_eq(got, "purpose\r\n");
	free(got);
	got = python(&r, manifest_rows_py);
	cr_expect_str_eq(got, "csv/customers.csv=1 csv/orders.csv=2 "
			      "csv/order_lines.csv=2 csv/consents.csv=0\n");
	free(got);
	exporter_run_end(&r);
}

Test(csv, files_read_back_with_python)
{
	exporter_run r;
	exporter_run_start(&r, &dpex_exporter_csv, send_events);
	char *got = python(
		&r, "import csv, io, sys, zipfile\n"
		    "z = zipfile.ZipFile(sys.argv[1])\n"
		    "t = z.read('csv/order_lines.csv').decode('utf-8')\n"
		    "print(list(csv.reader(io.StringIO(t, newline=''))))\n");
	cr_expect_str_eq(got, "[['line_no', 'description'], ['1', 'Fiets, "
			      "\"rood\"'], ['2', '']]\n");
	free(got);
	exporter_run_end(&r);
}
