/* redact: other people's e-mail addresses and phone numbers masked in free
 * text, the subject's own kept, and nothing else touched. */
#include "core/base/buf.h"
#include "core/map/processing.h"
#include "core/answer/redact.h"

#include <criterion/criterion.h>
#include <string.h>

static const char *const own[] = {"42", "saskia@example.nl", "+31 6 12345678"};
static const dpex_redact_ctx ctx = {.own = own,
				    .nown = 3,
				    .email_mark = "[e-mail]",
				    .phone_mark = "[phone]"};

static void expect_masked(const char *in, unsigned mask, const char *want,
			  long long want_count)
{
	dpex_buf out = DPEX_BUF_INIT;
	long long n = 0;
	cr_assert_eq(dpex_redact_mask(&out, in, strlen(in), mask, &ctx, &n), 0);
	cr_expect_str_eq(out.data, want, "input: %s", in);
	cr_expect_eq(n, want_count, "input: %s", in);
	dpex_buf_free(&out);
}

Test(redact, others_are_masked_the_subject_is_kept)
{
	expect_masked("Els (els.dewit@example.org, +31 6 55501234) called; "
		      "confirmed via +31 6 12345678 and Saskia@Example.NL.",
		      DPEX_MASK_EMAIL | DPEX_MASK_PHONE,
		      "Els ([e-mail], [phone]) called; confirmed via +31 6 "
		      "12345678 and Saskia@Example.NL.",
		      2);
}

Test(redact, national_and_international_forms_of_the_own_number)
{
	expect_masked("Call 06-12345678 or 0031 6 12345678, not 020 555 0199",
		      DPEX_MASK_PHONE,
		      "Call 06-12345678 or 0031 6 12345678, not [phone]", 1);
}

Test(redact, swedish_numbers_and_only_the_masks_asked_for)
{
	expect_masked("Anna +46 70 123 45 67, anna@example.se", DPEX_MASK_PHONE,
		      "Anna [phone], anna@example.se", 1);
	expect_masked("Anna +46 70 123 45 67, anna@example.se", DPEX_MASK_EMAIL,
		      "Anna +46 70 123 45 67, [e-mail]", 1);
}

Test(redact, numbers_that_are_not_phone_numbers_stay)
{
	const char *text =
		"Order NET-2024-0012345 of 2021-05-01, EAN 871687120009876543,"
		" readings 12.345 and 9.876, -25.00 credit, DSR-48213, "
		"+31 6 nummer, 1234567890";
	expect_masked(text, DPEX_MASK_EMAIL | DPEX_MASK_PHONE, text, 0);
}

Test(redact, addresses_at_the_edges_and_not_addresses)
{
	expect_masked("a.b@c.io", DPEX_MASK_EMAIL, "[e-mail]", 1);
	expect_masked("mail x@y.nl.", DPEX_MASK_EMAIL, "mail [e-mail].", 1);
	expect_masked("@support you promised; user@host; a@b.c",
		      DPEX_MASK_EMAIL,
		      "@support you promised; user@host; a@b.c", 0);
	expect_masked("0612345678@sms.example.nl",
		      DPEX_MASK_EMAIL | DPEX_MASK_PHONE, "[e-mail]", 1);
	expect_masked("", DPEX_MASK_EMAIL, "", 0);
}
