/* pgtext: PostgreSQL's text output as the open formats want it, checked
 * byte for byte. */
#include "core/base/buf.h"
#include "core/base/error.h"
#include "exporters/pgtext.h"

#include <criterion/criterion.h>
#include <string.h>

static char *timestamp(const char *in)
{
	dpex_buf b = DPEX_BUF_INIT;
	cr_assert_eq(dpex_pgtext_timestamp(&b, in, strlen(in)), 0);
	return dpex_buf_steal(&b);
}

#define expect_timestamp(in, want)                                             \
	do {                                                                   \
		char *got_ = timestamp(in);                                    \
		cr_expect_str_eq(got_, want, "from \"%s\"", in);               \
		free(got_);                                                    \
	} while (0)

Test(pgtext, timestamp_gets_the_iso_8601_T)
{
	expect_timestamp("2024-03-01 13:45:00", "2024-03-01T13:45:00");
	expect_timestamp("2024-03-01 13:45:00.5", "2024-03-01T13:45:00.5");
	expect_timestamp("2024-03-01 13:45:00.123456",
			 "2024-03-01T13:45:00.123456");
}

Test(pgtext, timestamptz_offset_gets_its_minutes)
{
	expect_timestamp("2024-03-01 12:45:00+00", "2024-03-01T12:45:00+00:00");
	expect_timestamp("2024-03-01 12:45:00.000001+00",
			 "2024-03-01T12:45:00.000001+00:00");
	expect_timestamp("2024-03-01 18:15:00+05:30",
			 "2024-03-01T18:15:00+05:30");
	expect_timestamp("2024-03-01 09:15:00-03:30",
			 "2024-03-01T09:15:00-03:30");
	expect_timestamp("2024-03-01 09:45:00-03", "2024-03-01T09:45:00-03:00");
	/* Local mean time before 1900 has offsets with seconds. */
	expect_timestamp("1850-01-01 00:00:00+00:19:32",
			 "1850-01-01T00:00:00+00:19:32");
}

Test(pgtext, timestamp_without_an_iso_form_is_kept)
{
	expect_timestamp("infinity", "infinity");
	expect_timestamp("-infinity", "-infinity");
	expect_timestamp("0044-03-15 12:00:00 BC", "0044-03-15 12:00:00 BC");
	expect_timestamp("0044-03-15 12:00:00+00 BC",
			 "0044-03-15 12:00:00+00 BC");
	expect_timestamp("", "");
	expect_timestamp("2024-03-01 13:45", "2024-03-01 13:45");
	expect_timestamp("2024-03-01 13:45:00.", "2024-03-01 13:45:00.");
	expect_timestamp("2024-03-01 13:45:00+0", "2024-03-01 13:45:00+0");
}

Test(pgtext, timestamp_after_year_9999_keeps_its_digits)
{
	expect_timestamp("10000-01-01 00:00:00+00",
			 "10000-01-01T00:00:00+00:00");
	expect_timestamp("294276-12-31 23:59:59.999999",
			 "294276-12-31T23:59:59.999999");
}

static char *base64(const char *in)
{
	dpex_buf b = DPEX_BUF_INIT;
	cr_assert_eq(dpex_pgtext_base64(&b, in, strlen(in)), 0, "%s",
		     dpex_error_message());
	return dpex_buf_steal(&b);
}

#define expect_base64(in, want)                                                \
	do {                                                                   \
		char *got_ = base64(in);                                       \
		cr_expect_str_eq(got_, want, "from \"%s\"", in);               \
		free(got_);                                                    \
	} while (0)

Test(pgtext, bytea_is_base64_with_padding)
{
	/* RFC 4648 §10 test vectors, as PostgreSQL prints them. */
	expect_base64("\\x", "");
	expect_base64("\\x66", "Zg==");
	expect_base64("\\x666f", "Zm8=");
	expect_base64("\\x666f6f", "Zm9v");
	expect_base64("\\x666f6f62", "Zm9vYg==");
	expect_base64("\\x666f6f6261", "Zm9vYmE=");
	expect_base64("\\x666f6f626172", "Zm9vYmFy");
	expect_base64("\\x0a0b", "Cgs=");
	expect_base64("\\x00fffe", "AP/+");
	expect_base64("\\xFBFF", "+/8=");
}

Test(pgtext, bytea_not_in_hex_output_is_an_error)
{
	const char *bad[] = {"", "abc", "\\x0", "\\x0g", "\\001\\002"};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		dpex_buf b = DPEX_BUF_INIT;
		cr_expect_eq(dpex_pgtext_base64(&b, bad[i], strlen(bad[i])),
			     DPEX_EINTERNAL, "\"%s\"", bad[i]);
		cr_expect(strstr(dpex_error_message(), "bytea") != NULL);
		dpex_buf_free(&b);
	}
}

Test(pgtext, bool_is_true_or_false)
{
	cr_expect_str_eq(dpex_pgtext_bool("t", 1), "true");
	cr_expect_str_eq(dpex_pgtext_bool("f", 1), "false");
	cr_expect_null(dpex_pgtext_bool("true", 4));
	cr_expect_null(dpex_pgtext_bool("", 0));
}

Test(pgtext, plain_copies_nothing_for_text)
{
	dpex_buf scratch = DPEX_BUF_INIT;
	const char *in = "2024-03-01";
	const char *text;
	size_t n;
	cr_assert_eq(
		dpex_pgtext_plain(&scratch, DPEX_KIND_DATE, in, 10, &text, &n),
		0);
	cr_expect_eq(text, in);
	cr_expect_eq(n, 10);
	cr_expect_null(scratch.data);
	dpex_buf_free(&scratch);
}

Test(pgtext, plain_converts_by_kind)
{
	dpex_buf scratch = DPEX_BUF_INIT;
	const char *text;
	size_t n;
	cr_assert_eq(dpex_pgtext_plain(&scratch, DPEX_KIND_TIMESTAMPTZ,
				       "2024-03-01 12:45:00+00", 22, &text, &n),
		     0);
	cr_expect_eq(n, strlen("2024-03-01T12:45:00+00:00"));
	cr_expect_str_eq(text, "2024-03-01T12:45:00+00:00");
	cr_assert_eq(dpex_pgtext_plain(&scratch, DPEX_KIND_BYTEA, "\\x0a0b", 6,
				       &text, &n),
		     0);
	cr_expect_str_eq(text, "Cgs=");
	cr_assert_eq(
		dpex_pgtext_plain(&scratch, DPEX_KIND_BOOL, "f", 1, &text, &n),
		0);
	cr_expect_str_eq(text, "false");
	cr_expect_eq(n, 5);
	cr_assert_eq(dpex_pgtext_plain(&scratch, DPEX_KIND_BYTEA, "\\x", 2,
				       &text, &n),
		     0);
	cr_expect_str_eq(text, "");
	cr_expect_eq(n, 0);
	dpex_buf_free(&scratch);
}
