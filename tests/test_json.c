/* jsonw: the exact JSON bytes of strings and of each kind of column value.
 */
#include "core/base/buf.h"
#include "core/base/error.h"
#include "exporters/jsonw.h"

#include "exporter_run.h"

#include <criterion/criterion.h>
#include <string.h>

/* The JSON of text s (len given: s may hold invalid bytes), and the number
 * of values repaired. */
static char *string_of(const char *s, size_t len, size_t *repaired)
{
	dpex_buf b = DPEX_BUF_INIT;
	*repaired = 0;
	cr_assert_eq(dpex_jsonw_string(&b, s, len, repaired), 0);
	return dpex_buf_steal(&b);
}

#define expect_string(in, want)                                                \
	do {                                                                   \
		size_t n_;                                                     \
		char *got_ = string_of(in, sizeof(in) - 1, &n_);               \
		cr_expect_str_eq(got_, want);                                  \
		cr_expect_eq(n_, 0);                                           \
		free(got_);                                                    \
	} while (0)

static char *value_of(dpex_kind k, const char *s, size_t *repaired)
{
	dpex_buf b = DPEX_BUF_INIT, scratch = DPEX_BUF_INIT;
	dpex_value v = {s, s ? strlen(s) : 0, s == NULL};
	*repaired = 0;
	cr_assert_eq(dpex_jsonw_value(&b, &scratch, k, &v, repaired), 0, "%s",
		     dpex_error_message());
	dpex_buf_free(&scratch);
	return dpex_buf_steal(&b);
}

#define expect_value(k, in, want)                                              \
	do {                                                                   \
		size_t n_;                                                     \
		char *got_ = value_of(k, in, &n_);                             \
		cr_expect_str_eq(got_, want, "kind %d", (int)(k));             \
		cr_expect_eq(n_, 0);                                           \
		free(got_);                                                    \
	} while (0)

Test(jsonw, string_escapes_quote_backslash_and_controls)
{
	expect_string("", "\"\"");
	expect_string("say \"hi\"", "\"say \\\"hi\\\"\"");
	expect_string("C:\\temp", "\"C:\\\\temp\"");
	expect_string("a\nb\rc\td\be\ff", "\"a\\nb\\rc\\td\\be\\ff\"");
	expect_string("\x01\x1f", "\"\\u0001\\u001f\"");
	/* Neither '/' nor DEL need escaping in JSON: kept as they are. */
	expect_string("a/b\x7f", "\"a/b\x7f\"");
}

Test(jsonw, nul_inside_a_value_is_escaped)
{
	size_t n;
	char *got = string_of("a\0b", 3, &n);
	cr_expect_str_eq(got, "\"a\\u0000b\"");
	free(got);
}

Test(jsonw, non_ascii_is_raw_utf8)
{
	/* Never "\u00c3\u00ab" byte by byte: that garbles the name. */
	expect_string("Zoë van Dijk", "\"Zoë van Dijk\"");
	expect_string("Ĳsselmeer", "\"Ĳsselmeer\"");
	expect_string("Åsa Öberg", "\"Åsa Öberg\"");
	expect_string("😀 ok", "\"😀 ok\"");
	expect_string("€ 12,50", "\"€ 12,50\"");
}

Test(jsonw, line_and_paragraph_separators_are_escaped)
{
	expect_string("a\xe2\x80\xa8"
		      "b\xe2\x80\xa9"
		      "c",
		      "\"a\\u2028b\\u2029c\"");
	/* Their neighbours U+2027 and U+202A stay raw. */
	expect_string("\xe2\x80\xa7\xe2\x80\xaa",
		      "\"\xe2\x80\xa7\xe2\x80\xaa\"");
}

Test(jsonw, invalid_utf8_becomes_fffd_and_is_counted)
{
	size_t n;
	char *got = string_of("a\xff"
			      "b",
			      3, &n);
	cr_expect_str_eq(got, "\"a\xef\xbf\xbd"
			      "b\"");
	cr_expect_eq(n, 1);
	free(got);

	/* Latin-1 from a SQL_ASCII database: two bad bytes, one value. */
	got = string_of("Zo\xeb \"M\xfcller\"", 12, &n);
	cr_expect_str_eq(got, "\"Zo\xef\xbf\xbd \\\"M\xef\xbf\xbdller\\\"\"");
	cr_expect_eq(n, 1);
	free(got);

	/* A 4-byte sequence cut short is one subpart; an overlong '/' and a
	 * surrogate are one per byte, as Python decodes them. */
	got = string_of("\xf0\x9f\x98", 3, &n);
	cr_expect_str_eq(got, "\"\xef\xbf\xbd\"");
	free(got);
	got = string_of("\xc0\xaf", 2, &n);
	cr_expect_str_eq(got, "\"\xef\xbf\xbd\xef\xbf\xbd\"");
	free(got);
	got = string_of("\xed\xa0\x80", 3, &n);
	cr_expect_str_eq(got, "\"\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd\"");
	cr_expect_eq(n, 1);
	free(got);
}

Test(jsonw, is_number_follows_rfc_8259)
{
	const char *yes[] = {"0",	 "-0",	   "1",	    "-12",   "1.5",
			     "0.000001", "1e+300", "1E-07", "2.5e3", "-1.0e-5"};
	const char *no[] = {"",	   "NaN", "Infinity", "-Infinity", "+1",
			    "01",  ".5",  "1.",	      "1e",	   "1e+",
			    "- 1", "0x1", "1,5",      "12 ",	   "--1"};
	for (size_t i = 0; i < sizeof(yes) / sizeof(yes[0]); i++)
		cr_expect(dpex_jsonw_is_number(yes[i], strlen(yes[i])), "%s",
			  yes[i]);
	for (size_t i = 0; i < sizeof(no) / sizeof(no[0]); i++)
		cr_expect_not(dpex_jsonw_is_number(no[i], strlen(no[i])), "%s",
			      no[i]);
}

Test(jsonw, null_is_null_whatever_the_kind)
{
	for (int k = DPEX_KIND_TEXT; k <= DPEX_KIND_BYTEA; k++)
		expect_value((dpex_kind)k, NULL, "null");
}

Test(jsonw, integers_are_bare_numbers)
{
	expect_value(DPEX_KIND_INTEGER, "42", "42");
	expect_value(DPEX_KIND_INTEGER, "9223372036854775807",
		     "9223372036854775807");
	expect_value(DPEX_KIND_INTEGER, "-9223372036854775808",
		     "-9223372036854775808");
}

Test(jsonw, numeric_keeps_every_digit)
{
	expect_value(DPEX_KIND_NUMERIC, "123456789012345678901234567890",
		     "123456789012345678901234567890");
	expect_value(DPEX_KIND_NUMERIC, "0.100000000000000000000000000001",
		     "0.100000000000000000000000000001");
	expect_value(DPEX_KIND_NUMERIC, "-12.50", "-12.50");
	expect_value(DPEX_KIND_NUMERIC, "NaN", "\"NaN\"");
	/* PostgreSQL 14 and later: numeric infinities. */
	expect_value(DPEX_KIND_NUMERIC, "Infinity", "\"Infinity\"");
	expect_value(DPEX_KIND_NUMERIC, "-Infinity", "\"-Infinity\"");
}

Test(jsonw, floats_are_numbers_except_nan_and_infinity)
{
	expect_value(DPEX_KIND_FLOAT, "0.1", "0.1");
	expect_value(DPEX_KIND_FLOAT, "1e+300", "1e+300");
	expect_value(DPEX_KIND_FLOAT, "1.5e-07", "1.5e-07");
	expect_value(DPEX_KIND_FLOAT, "-0", "-0");
	expect_value(DPEX_KIND_FLOAT, "NaN", "\"NaN\"");
	expect_value(DPEX_KIND_FLOAT, "Infinity", "\"Infinity\"");
	expect_value(DPEX_KIND_FLOAT, "-Infinity", "\"-Infinity\"");
}

Test(jsonw, bool_is_true_or_false)
{
	expect_value(DPEX_KIND_BOOL, "t", "true");
	expect_value(DPEX_KIND_BOOL, "f", "false");
}

Test(jsonw, dates_and_times_are_strings)
{
	expect_value(DPEX_KIND_DATE, "2024-03-01", "\"2024-03-01\"");
	expect_value(DPEX_KIND_DATE, "infinity", "\"infinity\"");
	expect_value(DPEX_KIND_DATE, "0044-03-15 BC", "\"0044-03-15 BC\"");
	expect_value(DPEX_KIND_TIME, "13:45:00.25", "\"13:45:00.25\"");
}

Test(jsonw, timestamps_are_iso_8601_strings)
{
	expect_value(DPEX_KIND_TIMESTAMP, "2024-03-01 13:45:00",
		     "\"2024-03-01T13:45:00\"");
	expect_value(DPEX_KIND_TIMESTAMPTZ, "2024-03-01 12:45:00+00",
		     "\"2024-03-01T12:45:00+00:00\"");
	expect_value(DPEX_KIND_TIMESTAMPTZ, "2024-03-01 12:45:00.123+05:30",
		     "\"2024-03-01T12:45:00.123+05:30\"");
	expect_value(DPEX_KIND_TIMESTAMPTZ, "infinity", "\"infinity\"");
	expect_value(DPEX_KIND_TIMESTAMPTZ, "-infinity", "\"-infinity\"");
	expect_value(DPEX_KIND_TIMESTAMPTZ, "0044-03-15 12:00:00+00 BC",
		     "\"0044-03-15 12:00:00+00 BC\"");
}

Test(jsonw, bytea_is_a_base64_string)
{
	expect_value(DPEX_KIND_BYTEA, "\\x0a0b", "\"Cgs=\"");
	expect_value(DPEX_KIND_BYTEA, "\\x", "\"\"");
}

Test(jsonw, bytea_in_another_output_is_an_error)
{
	dpex_buf b = DPEX_BUF_INIT, scratch = DPEX_BUF_INIT;
	dpex_value v = {"\\001", 4, false};
	cr_expect_eq(dpex_jsonw_value(&b, &scratch, DPEX_KIND_BYTEA, &v, NULL),
		     DPEX_EINTERNAL);
	dpex_buf_free(&b);
	dpex_buf_free(&scratch);
}

Test(jsonw, text_and_other_kinds_are_strings)
{
	expect_value(DPEX_KIND_TEXT, "Saskia", "\"Saskia\"");
	expect_value(DPEX_KIND_TEXT, "", "\"\"");
	expect_value(DPEX_KIND_TEXT, "P1Y2M3DT4H5M6S", "\"P1Y2M3DT4H5M6S\"");
	expect_value(DPEX_KIND_TEXT, "=1+2", "\"=1+2\"");
	expect_value(DPEX_KIND_TEXT, "line 1\r\nline 2",
		     "\"line 1\\r\\nline 2\"");
}

Test(jsonw, json_is_embedded)
{
	expect_value(DPEX_KIND_JSON,
		     "{\"tags\": [\"vip\", \"ë\"], \"n\": 1.50, \"x\": null}",
		     "{\"tags\": [\"vip\", \"ë\"], \"n\": 1.50, \"x\": null}");
	expect_value(DPEX_KIND_JSON, "\"just a string\"", "\"just a string\"");
	expect_value(DPEX_KIND_JSON, "12", "12");
	/* An escaped newline inside a string is left alone. */
	expect_value(DPEX_KIND_JSON, "[\"a\\nb\"]", "[\"a\\nb\"]");
}

Test(jsonw, json_line_breaks_between_tokens_become_spaces)
{
	expect_value(DPEX_KIND_JSON, "{\"a\":\r\n\t1,\n \"b\": 2}",
		     "{\"a\":   1,  \"b\": 2}");
	expect_value(DPEX_KIND_JSON,
		     "[\"a\xe2\x80\xa8"
		     "b\"]",
		     "[\"a\\u2028b\"]");
}

Test(jsonw, invalid_utf8_in_json_is_repaired)
{
	size_t n;
	char *got = value_of(DPEX_KIND_JSON, "{\"name\": \"Zo\xeb\"}", &n);
	cr_expect_str_eq(got, "{\"name\": \"Zo\xef\xbf\xbd\"}");
	cr_expect_eq(n, 1);
	free(got);
}

/* json: data.json from a real archive, read back by unzip and Python. */

static const char expected_document[] =
	"{\"$schema\": \"data.schema.json\", \"format\": \"dpex-data\", "
	"\"format_version\": 1,\n"
	"  \"request_id\": \"req-1\", \"exported_at\": "
	"\"2026-11-22T03:05:53Z\",\n"
	"  \"subject\": {\"email\": [\"saskia@example.nl\"], "
	"\"customer_id\": [\"1\"]},\n"
	"  \"entities\": {\n"
	"    \"customers\": [\n"
	"      {\"id\": 1, \"first_name\": \"Zoë\", \"vip\": true}\n"
	"    ],\n"
	"    \"orders\": [\n"
	"      {\"id\": 10, \"placed_at\": \"2024-03-01T12:45:00+00:00\", "
	"\"order_lines\": [\n"
	"          {\"line_no\": 1, \"description\": \"Fiets, "
	"\\\"rood\\\"\"},\n"
	"          {\"line_no\": 2, \"description\": null}\n"
	"        ]},\n"
	"      {\"id\": 11, \"placed_at\": null, \"order_lines\": []}\n"
	"    ],\n"
	"    \"consents\": []\n"
	"  }}\n";

Test(json, document_is_nested_one_row_a_line)
{
	exporter_run r;
	exporter_run_start(&r, &dpex_exporter_json, send_events);
	char *doc = member_bytes(&r, "data.json");
	cr_expect_str_eq(doc, expected_document);
	free(doc);
	char *rows = python(&r, manifest_rows_py);
	cr_expect_str_eq(rows, "data.json=5\n");
	free(rows);
	exporter_run_end(&r);
}

Test(json, document_reads_back_with_python)
{
	exporter_run r;
	exporter_run_start(&r, &dpex_exporter_json, send_events);
	char *out =
		python(&r, "import json, sys, zipfile\n"
			   "d = json.loads(zipfile.ZipFile(sys.argv[1])"
			   ".read('data.json').decode('utf-8'))\n"
			   "e = d['entities']\n"
			   "print(list(e), d['subject'])\n"
			   "print(e['customers'][0]['first_name'], "
			   "e['orders'][0]['order_lines'][0]['description'], "
			   "len(e['orders'][1]['order_lines']))\n");
	cr_expect_str_eq(out, "['customers', 'orders', 'consents'] {'email': "
			      "['saskia@example.nl'], 'customer_id': ['1']}\n"
			      "Zoë Fiets, \"rood\" 0\n");
	free(out);
	exporter_run_end(&r);
}

/* Enough customers that the document passes through the sink in many
 * pieces: the pieces must join up exactly. */
#define MANY 3000

static int send_many(const dpex_exporter_ops *ops, void *self)
{
	const dpex_entity_shape *e = &run_shapes[CUSTOMERS];
	int rc = ops->entity_start(self, e);
	for (int i = 1; !rc && i <= MANY; i++) {
		char id[16];
		snprintf(id, sizeof(id), "%d", i);
		const char *name = "Zoë van den Berg-Ĳsselmeer, 2e etage, "
				   "achterom via de steeg naast de bakker";
		const dpex_value row[] = {{id, strlen(id), false},
					  {name, strlen(name), false},
					  {"f", 1, false}};
		rc = ops->row(self, e, row);
		rc = rc ? rc : ops->row_end(self, e);
	}
	rc = rc ? rc : ops->entity_end(self, e);
	for (int k = ORDERS; !rc && k < NENTITIES; k++)
		if (run_shapes[k].parent < 0) {
			rc = ops->entity_start(self, &run_shapes[k]);
			rc = rc ? rc : ops->entity_end(self, &run_shapes[k]);
		}
	return rc;
}

Test(json, long_document_streams_in_pieces_that_join_up)
{
	exporter_run r;
	exporter_run_start(&r, &dpex_exporter_json, send_many);
	char *out = python(
		&r, "import json, sys, zipfile\n"
		    "z = zipfile.ZipFile(sys.argv[1])\n"
		    "t = z.read('data.json').decode('utf-8')\n"
		    "c = json.loads(t)['entities']['customers']\n"
		    "m = json.loads(z.read('manifest.json'))['files'][0]\n"
		    "print(len(c), c[-1]['id'], len(t.splitlines()), "
		    "m['rows'], m['size'] > 300000)\n");
	/* 3000 rows, 4 head lines, the customers' brackets, the two empty
	 * roots and the closing line. */
	cr_expect_str_eq(out, "3000 3000 3009 3000 True\n");
	free(out);
	exporter_run_end(&r);
}

/* about.json and manifest.json: laid out byte for byte as jansson does. */
Test(jsonw, dump_lays_out_as_jansson_does)
{
	json_error_t err;
	json_t *v = json_loads(
		"{\"$schema\": \"x.json\", \"n\": -42, \"big\": "
		"9007199254740993,"
		" \"t\": true, \"f\": false, \"z\": null, \"r\": 1.5,"
		" \"s\": \"quote \\\" back \\\\ tab \\t nl \\n \\u0001 \\u00e9 "
		"/\","
		" \"empty\": {}, \"none\": [],"
		" \"list\": [1, [2, {\"k\": [\"v\"]}], {}, []],"
		" \"deep\": {\"a\": {\"b\": {\"c\": \"d\"}}}}",
		0, &err);
	cr_assert_not_null(v, "%s", err.text);
	char *want = json_dumps(v, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
	dpex_buf got = DPEX_BUF_INIT;
	cr_assert_eq(dpex_jsonw_dump(&got, v, NULL), 0);
	cr_expect_str_eq(got.data, want);
	free(want);
	dpex_buf_free(&got);
	json_decref(v);
}

/* A bulk worker's documents share values; with a memo each shared one is
 * laid out once per depth, and every document still reads as jansson
 * lays it out. */
Test(jsonw, dump_with_a_memo_lays_out_shared_values_as_jansson_does)
{
	json_t *purposes = json_pack("[s, s]", "billing", "support");
	json_t *origin = json_pack("{s:s, s:n}", "kind", "provided", "source");
	dpex_memo *memo;
	cr_assert_eq(dpex_memo_new(&memo, 1 << 20), 0);
	for (int rows = 1; rows <= 3; rows++) {
		json_t *doc = json_pack("{s:i, s:[{s:O, s:O, s:{s:O}}], s:O}",
					"rows", rows, "categories", "purposes",
					purposes, "origin", origin, "nested",
					"origin", origin, "again", purposes);
		cr_assert_not_null(doc);
		char *want =
			json_dumps(doc, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
		dpex_buf got = DPEX_BUF_INIT;
		cr_assert_eq(dpex_jsonw_dump(&got, doc, memo), 0);
		cr_expect_str_eq(got.data, want, "document %d", rows);
		free(want);
		dpex_buf_free(&got);
		json_decref(doc);
	}
	dpex_memo_free(memo);
	json_decref(origin);
	json_decref(purposes);
}
