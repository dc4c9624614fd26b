/* Types on their way to the formats: kinds of type OIDs, arrays as JSON
 * arrays, times with zone in ISO 8601, the spreadsheet-safe CSV record.
 * Byte for byte. */
#include "core/base/buf.h"
#include "core/base/error.h"
#include "core/pg/value.h"
#include "exporters/csvw.h"
#include "exporters/jsonw.h"
#include "exporters/pgtext.h"

#include <criterion/criterion.h>
#include <string.h>

Test(value, arrays_of_built_in_types_have_their_element_kind)
{
	cr_expect_eq(dpex_kind_of_oid(1007), DPEX_KIND_ARRAY); /* int4[] */
	cr_expect_eq(dpex_kind_of_array_elements(1007), DPEX_KIND_INTEGER);
	cr_expect_eq(dpex_kind_of_array_elements(1009), DPEX_KIND_TEXT);
	cr_expect_eq(dpex_kind_of_array_elements(1185), DPEX_KIND_TIMESTAMPTZ);
	cr_expect_eq(dpex_kind_of_array_elements(3807), DPEX_KIND_JSON);
	cr_expect_eq(dpex_kind_of_array_elements(1001), DPEX_KIND_BYTEA);
	cr_expect_eq(dpex_kind_of_oid(1266), DPEX_KIND_TIMETZ);
	/* Not an array, and an array type made by CREATE TYPE: text. */
	cr_expect_eq(dpex_kind_of_array_elements(23), DPEX_KIND_TEXT);
	cr_expect_eq(dpex_kind_of_oid(16390), DPEX_KIND_TEXT);
}

static char *array_of(dpex_kind elem, const char *s)
{
	dpex_buf out = DPEX_BUF_INIT, scratch = DPEX_BUF_INIT,
		 e = DPEX_BUF_INIT;
	dpex_value v = {s, s ? strlen(s) : 0, s == NULL};
	size_t repaired = 0;
	cr_assert_eq(dpex_jsonw_array(&out, &scratch, &e, elem, &v, &repaired),
		     0, "%s", dpex_error_message());
	dpex_buf_free(&scratch);
	dpex_buf_free(&e);
	return dpex_buf_steal(&out);
}

#define expect_array(elem, in, want)                                           \
	do {                                                                   \
		char *got_ = array_of(elem, in);                               \
		cr_expect_str_eq(got_, want, "from %s", in ? in : "NULL");     \
		free(got_);                                                    \
	} while (0)

Test(jsonw, arrays_become_json_arrays)
{
	expect_array(DPEX_KIND_INTEGER, NULL, "null");
	expect_array(DPEX_KIND_INTEGER, "{}", "[]");
	expect_array(DPEX_KIND_INTEGER, "{1,-2,NULL}", "[1, -2, null]");
	expect_array(DPEX_KIND_INTEGER, "{{1,2},{3,4}}", "[[1, 2], [3, 4]]");
	expect_array(DPEX_KIND_NUMERIC, "{1.50,NaN}", "[1.50, \"NaN\"]");
	expect_array(DPEX_KIND_BOOL, "{t,f}", "[true, false]");
	expect_array(DPEX_KIND_TEXT, "{\"a b\",\"c\\\"d\",NULL,\"NULL\",\"\"}",
		     "[\"a b\", \"c\\\"d\", null, \"NULL\", \"\"]");
	expect_array(DPEX_KIND_TEXT, "{\"x\\\\y\",plain,\"{}\"}",
		     "[\"x\\\\y\", \"plain\", \"{}\"]");
	expect_array(DPEX_KIND_TIMESTAMPTZ, "{\"2024-03-01 12:00:00+00\"}",
		     "[\"2024-03-01T12:00:00+00:00\"]");
	expect_array(DPEX_KIND_BYTEA, "{\"\\\\x0a0b\"}", "[\"Cgs=\"]");
	expect_array(DPEX_KIND_JSON, "{\"{\\\"a\\\": 1}\",\"[]\"}",
		     "[{\"a\": 1}, []]");
}

Test(jsonw, arrays_of_another_shape_are_strings)
{
	/* A lower bound other than 1, and anything unexpected. */
	expect_array(DPEX_KIND_INTEGER, "[0:1]={1,2}", "\"[0:1]={1,2}\"");
	expect_array(DPEX_KIND_INTEGER, "{1,2", "\"{1,2\"");
	expect_array(DPEX_KIND_INTEGER, "{1,,2}", "\"{1,,2}\"");
	expect_array(DPEX_KIND_TEXT, "{\"open}", "\"{\\\"open}\"");
	expect_array(DPEX_KIND_INTEGER, "{1}x", "\"{1}x\"");
	expect_array(DPEX_KIND_INTEGER, "{{{{{{{1}}}}}}}",
		     "\"{{{{{{{1}}}}}}}\"");
}

static char *timetz(const char *in)
{
	dpex_buf b = DPEX_BUF_INIT;
	cr_assert_eq(dpex_pgtext_timetz(&b, in, strlen(in)), 0);
	return dpex_buf_steal(&b);
}

Test(pgtext, timetz_offset_gets_its_minutes)
{
	const char *cases[][2] = {
		{"13:45:00+02", "13:45:00+02:00"},
		{"13:45:00.5-05:30", "13:45:00.5-05:30"},
		{"00:00:00+00", "00:00:00+00:00"},
		{"24:00:00-15:59", "24:00:00-15:59"},
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		char *got = timetz(cases[i][0]);
		cr_expect_str_eq(got, cases[i][1]);
		free(got);
	}
}

static const dpex_column safe_columns[] = {
	{"v", 25, DPEX_KIND_TEXT, false, DPEX_KIND_TEXT, NULL, 0},
	{"amount", 1700, DPEX_KIND_NUMERIC, false, DPEX_KIND_TEXT, NULL, 0},
};
static const dpex_entity_shape safe_shape = {"f", 0, -1, 2, safe_columns};

static char *record(const char *text, const char *amount, bool safe)
{
	dpex_buf b = DPEX_BUF_INIT, scratch = DPEX_BUF_INIT;
	dpex_value v[2] = {{text, strlen(text), false},
			   {amount, amount ? strlen(amount) : 0, !amount}};
	cr_assert_eq(dpex_csvw_record(&b, &scratch, &safe_shape, v, NULL, safe),
		     0);
	dpex_buf_free(&scratch);
	return dpex_buf_steal(&b);
}

#define expect_record(text, amount, safe, want)                                \
	do {                                                                   \
		char *got_ = record(text, amount, safe);                       \
		cr_expect_str_eq(got_, want);                                  \
		free(got_);                                                    \
	} while (0)

Test(csvw, safe_records_defuse_formulas_and_only_them)
{
	expect_record("=1+1", "-25.00", false, "=1+1,-25.00\r\n");
	expect_record("=1+1", "-25.00", true, "'=1+1,-25.00\r\n");
	expect_record("+31 6", NULL, true, "'+31 6,\r\n");
	expect_record("-x", NULL, true, "'-x,\r\n");
	expect_record("@SUM(A1)", NULL, true, "'@SUM(A1),\r\n");
	expect_record("\tx", NULL, true, "'\tx,\r\n");
	expect_record("\rx", NULL, true, "\"'\rx\",\r\n");
	expect_record("=\"a\",b", NULL, true, "\"'=\"\"a\"\",b\",\r\n");
	expect_record("plain", "3", true, "plain,3\r\n");
	expect_record("", NULL, true, "\"\",\r\n");
	expect_record("a=b", NULL, true, "a=b,\r\n");
}

Test(csvw, is_formula_spares_number_columns)
{
	cr_expect(dpex_csvw_is_formula(DPEX_KIND_TEXT, "-1", 2));
	cr_expect_not(dpex_csvw_is_formula(DPEX_KIND_NUMERIC, "-1", 2));
	cr_expect_not(dpex_csvw_is_formula(DPEX_KIND_FLOAT, "-Infinity", 9));
	cr_expect(dpex_csvw_is_formula(DPEX_KIND_BYTEA, "+/8=", 4));
	cr_expect_not(dpex_csvw_is_formula(DPEX_KIND_TEXT, "", 0));
}

static const dpex_field row_fields[] = {
	{"id", DPEX_KIND_INTEGER},
	{"name", DPEX_KIND_TEXT},
	{"at", DPEX_KIND_TIMESTAMPTZ},
};

static char *row_of(const char *s)
{
	dpex_buf out = DPEX_BUF_INIT, scratch = DPEX_BUF_INIT,
		 f = DPEX_BUF_INIT;
	dpex_value v = {s, s ? strlen(s) : 0, s == NULL};
	cr_assert_eq(dpex_jsonw_composite(&out, &scratch, &f, row_fields, 3, &v,
					  NULL),
		     0, "%s", dpex_error_message());
	dpex_buf_free(&scratch);
	dpex_buf_free(&f);
	return dpex_buf_steal(&out);
}

#define expect_row(in, want)                                                   \
	do {                                                                   \
		char *got_ = row_of(in);                                       \
		cr_expect_str_eq(got_, want, "from %s", in ? in : "NULL");     \
		free(got_);                                                    \
	} while (0)

Test(jsonw, rows_become_objects_of_typed_fields)
{
	expect_row(NULL, "null");
	expect_row("(1,abc,\"2024-03-01 12:00:00+00\")",
		   "{\"id\": 1, \"name\": \"abc\", "
		   "\"at\": \"2024-03-01T12:00:00+00:00\"}");
	expect_row("(,,)", "{\"id\": null, \"name\": null, \"at\": null}");
	expect_row("(2,\"\",)", "{\"id\": 2, \"name\": \"\", \"at\": null}");
	expect_row("(3,\"a \"\"b\"\", c\\\\d)\",)",
		   "{\"id\": 3, \"name\": \"a \\\"b\\\", c\\\\d)\", "
		   "\"at\": null}");
}

Test(jsonw, rows_of_another_shape_are_strings)
{
	expect_row("(1,abc)", "\"(1,abc)\"");
	expect_row("(1,abc,,x)", "\"(1,abc,,x)\"");
	expect_row("(1,\"open,)", "\"(1,\\\"open,)\"");
	expect_row("1,a,b", "\"1,a,b\"");
	expect_row("(1,a,b)x", "\"(1,a,b)x\"");
}
