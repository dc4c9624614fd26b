/* deadline (with date and calendar): due dates per regime, to the day. */
#include "core/base/error.h"
#include "core/queue/calendar.h"
#include "core/queue/date.h"
#include "core/queue/deadline.h"

#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static dpex_date date(const char *text)
{
	dpex_date d;
	cr_assert_eq(dpex_date_parse(&d, text, "test"), 0, "%s",
		     dpex_error_message());
	return d;
}

static const char *text(dpex_date d)
{
	static char buf[4][11];
	static int next;
	char *b = buf[next++ % 4];
	dpex_date_format(b, d);
	return b;
}

typedef struct due_case {
	const char *why;
	const char *regime, *country, *received, *identity, *promise;
	const char *due, *legal_due, *extended;
} due_case;

static const due_case due_cases[] = {
	/* A calendar month, as 1182/71 Art. 3 counts it. */
	{"mid-month", "gdpr", "NL", "2026-03-15", NULL, NULL, "2026-04-15",
	 "2026-04-15", "2026-06-15"},
	{"31 Jan in a leap year: 29 Feb", "gdpr", "NL", "2024-01-31", NULL,
	 NULL, "2024-02-29", "2024-02-29", "2024-04-30"},
	{"31 Jan: the last day of February", "gdpr", "NL", "2025-01-31", NULL,
	 NULL, "2025-02-28", "2025-02-28", "2025-04-30"},
	{"29 Jan, not a leap year: 28 Feb, a Sunday, then Monday", "gdpr", "NL",
	 "2027-01-29", NULL, NULL, "2027-03-01", "2027-03-01", "2027-04-29"},
	{"28 Feb 2026 is a Saturday: Monday 2 March", "gdpr", "NL",
	 "2026-01-31", NULL, NULL, "2026-03-02", "2026-03-02", "2026-04-30"},
	{"leap day itself", "gdpr", "NL", "2028-01-29", NULL, NULL,
	 "2028-02-29", "2028-02-29", "2028-05-01"},
	{"31 Dec: 31 Jan is a Sunday", "gdpr", "NL", "2026-12-31", NULL, NULL,
	 "2027-02-01", "2027-02-01", "2027-03-31"},
	/* Public holidays per country. */
	{"Koningsdag", "gdpr", "NL", "2027-03-27", NULL, NULL, "2027-04-28",
	 "2027-04-28", "2027-06-28"},
	{"Christmas on a Friday: Monday 28th", "gdpr", "NL", "2026-11-25", NULL,
	 NULL, "2026-12-28", "2026-12-28", "2027-02-25"},
	{"New Year's Day", "gdpr", "NL", "2026-12-01", NULL, NULL, "2027-01-04",
	 "2027-01-04", "2027-03-01"},
	{"Easter Sunday, then Easter Monday", "gdpr", "NL", "2027-02-28", NULL,
	 NULL, "2027-03-30", "2027-03-30", "2027-05-28"},
	{"Good Friday is no holiday in NL", "gdpr", "NL", "2027-02-26", NULL,
	 NULL, "2027-03-26", "2027-03-26", "2027-05-26"},
	{"Långfredagen, the weekend and Annandag påsk", "gdpr", "SE",
	 "2027-02-26", NULL, NULL, "2027-03-30", "2027-03-30", "2027-05-26"},
	{"Kristi himmelsfärdsdag", "gdpr", "SE", "2027-04-06", NULL, NULL,
	 "2027-05-07", "2027-05-07", "2027-07-06"},
	{"Itsenäisyyspäivä", "gdpr", "FI", "2027-11-06", NULL, NULL,
	 "2027-12-07", "2027-12-07", "2028-02-07"},
	{"weekends only", "gdpr", "none", "2027-03-27", NULL, NULL,
	 "2027-04-27", "2027-04-27", "2027-06-28"},
	/* UK GDPR: substitute days; the clock waits for identity. */
	{"Christmas on a Saturday: substitutes on 27 and 28 Dec", "uk_gdpr",
	 "GB", "2027-11-25", NULL, NULL, "2027-12-29", "2027-12-29",
	 "2028-02-25"},
	{"UK: runs from the identity information", "uk_gdpr", "GB",
	 "2027-01-10", "2027-01-20", NULL, "2027-02-22", "2027-02-22",
	 "2027-04-20"},
	{"EU: does not wait for identity", "gdpr", "NL", "2027-01-10",
	 "2027-01-20", NULL, "2027-02-10", "2027-02-10", "2027-04-12"},
	/* CCPA: 45 calendar days from the day of receipt, never moved. */
	{"CCPA: day of receipt is day 1", "ccpa", "US", "2027-01-04", NULL,
	 NULL, "2027-02-17", "2027-02-17", "2027-04-03"},
	{"CCPA: not moved off a Saturday", "ccpa", "US", "2027-01-06", NULL,
	 NULL, "2027-02-19", "2027-02-19", "2027-04-05"},
	/* LGPD: 15 days, day of the request excluded, moved off holidays. */
	{"LGPD: Tiradentes", "lgpd", "BR", "2027-04-06", NULL, NULL,
	 "2027-04-22", "2027-04-22", NULL},
	/* The company's promise wins when earlier, as stated. */
	{"promise later than the law", "gdpr", "NL", "2027-01-31", NULL,
	 "30 days", "2027-03-01", "2027-03-01", "2027-04-30"},
	{"4 weeks: earlier, kept on its Sunday", "gdpr", "NL", "2027-01-31",
	 NULL, "4 weeks", "2027-02-28", "2027-03-01", "2027-04-30"},
	{"30 days before the month's end", "gdpr", "NL", "2027-03-15", NULL,
	 "30d", "2027-04-14", "2027-04-15", "2027-06-15"},
	{"20 working days over Easter", "gdpr", "NL", "2027-03-15", NULL,
	 "20 working days", "2027-04-13", "2027-04-15", "2027-06-15"},
};

Test(deadline, due_dates_per_regime)
{
	for (size_t i = 0; i < sizeof(due_cases) / sizeof(due_cases[0]); i++) {
		const due_case *c = &due_cases[i];
		dpex_deadline_input in = {0};
		dpex_calendar *cal;
		cr_assert_eq(dpex_regime_find(&in.regime, c->regime), 0);
		cr_assert_eq(dpex_calendar_new(&cal, c->country), 0);
		in.calendar = cal;
		in.received = date(c->received);
		dpex_date identity;
		if (c->identity) {
			identity = date(c->identity);
			in.identity_received = &identity;
		}
		if (c->promise)
			cr_assert_eq(dpex_period_parse(&in.promise, c->promise),
				     0, "%s", dpex_error_message());
		dpex_deadline d;
		cr_assert_eq(dpex_deadline_compute(&d, &in), 0);
		cr_expect_str_eq(text(d.due), c->due, "%s: due %s, not %s",
				 c->why, text(d.due), c->due);
		cr_expect_str_eq(text(d.legal_due), c->legal_due,
				 "%s: legal due %s, not %s", c->why,
				 text(d.legal_due), c->legal_due);
		cr_expect_eq(d.promise_is_due,
			     strcmp(c->due, c->legal_due) != 0, "%s", c->why);
		cr_expect_eq(d.can_extend, c->extended != NULL, "%s", c->why);
		if (c->extended)
			cr_expect_str_eq(text(d.extended), c->extended,
					 "%s: extended to %s, not %s", c->why,
					 text(d.extended), c->extended);
		dpex_calendar_free(cal);
	}
}

static dpex_deadline_input gdpr_nl(dpex_calendar **cal, const char *received)
{
	dpex_deadline_input in = {0};
	cr_assert_eq(dpex_regime_find(&in.regime, "gdpr"), 0);
	cr_assert_eq(dpex_calendar_new(cal, "nl"), 0);
	in.calendar = *cal;
	in.received = date(received);
	return in;
}

Test(deadline, extension_only_once_and_in_time)
{
	dpex_calendar *cal;
	dpex_deadline_input in = gdpr_nl(&cal, "2027-01-31");
	dpex_date out;
	/* The first period ends on Monday 1 March (28 Feb is a Sunday). */
	cr_assert_eq(dpex_deadline_extend(&out, &in, date("2027-03-01"), false),
		     0);
	cr_expect_str_eq(text(out), "2027-04-30");
	cr_expect_eq(dpex_deadline_extend(&out, &in, date("2027-03-02"), false),
		     DPEX_EUSAGE);
	cr_expect_str_eq(dpex_error_message(),
			 "too late to extend: the first period ended on "
			 "2027-03-01, and GDPR (EU) 2016/679, Art. 12(3) lets "
			 "the controller extend only while it runs (the person "
			 "must be told within it)");
	cr_expect_eq(dpex_deadline_extend(&out, &in, date("2027-02-10"), true),
		     DPEX_EUSAGE);
	cr_expect_str_eq(dpex_error_message(),
			 "the request was extended already: GDPR (EU) "
			 "2016/679, Art. 12(3) allows one extension");
	dpex_calendar_free(cal);
}

Test(deadline, lgpd_has_no_extension_ccpa_acknowledges)
{
	dpex_calendar *cal;
	dpex_deadline_input in = {0};
	cr_assert_eq(dpex_regime_find(&in.regime, "lgpd"), 0);
	cr_assert_eq(dpex_calendar_new(&cal, "BR"), 0);
	in.calendar = cal;
	in.received = date("2027-04-06");
	dpex_date out;
	cr_expect_eq(dpex_deadline_extend(&out, &in, date("2027-04-07"), false),
		     DPEX_EUSAGE);
	cr_expect_str_eq(dpex_error_message(),
			 "LGPD (Lei 13.709/2018), Art. 19 II allows no "
			 "extension: the answer is due on its first deadline");
	dpex_calendar_free(cal);

	cr_assert_eq(dpex_regime_find(&in.regime, "ccpa"), 0);
	cr_assert_eq(dpex_calendar_new(&cal, "US"), 0);
	in.calendar = cal;
	in.received = date("2027-01-04");
	dpex_deadline d;
	cr_assert_eq(dpex_deadline_compute(&d, &in), 0);
	/* Ten business days, Martin Luther King Day (18 Jan) not one. */
	cr_expect(d.acknowledge);
	cr_expect_str_eq(text(d.acknowledge_by), "2027-01-19");
	cr_expect_eq(dpex_deadline_extend(&out, &in, date("2027-02-17"), false),
		     0);
	cr_expect_str_eq(text(out), "2027-04-03");
	dpex_calendar_free(cal);
}

Test(date, easter_and_weekdays)
{
	const char *easter[][2] = {
		{"2024", "2024-03-31"}, {"2025", "2025-04-20"},
		{"2026", "2026-04-05"}, {"2027", "2027-03-28"},
		{"2038", "2038-04-25"}, {"2285", "2285-03-22"},
		{"1818", "1818-03-22"}, {"1943", "1943-04-25"}};
	for (size_t i = 0; i < sizeof(easter) / sizeof(easter[0]); i++)
		cr_expect_str_eq(text(dpex_date_easter(atoi(easter[i][0]))),
				 easter[i][1]);
	cr_expect_eq(dpex_date_weekday(date("1970-01-01")), 4);
	cr_expect_eq(dpex_date_weekday(date("2027-02-28")), 7);
	cr_expect_eq(dpex_date_weekday(date("0001-01-01")), 1);
	cr_expect_str_eq(text(dpex_date_nth_weekday(2027, 11, 4, 4)),
			 "2027-11-25");
	cr_expect_str_eq(text(dpex_date_nth_weekday(2027, 5, 1, -1)),
			 "2027-05-31");
	/* Every day from year 1 to 9999 goes to a day number and back. */
	long first = dpex_date_to_days(date("0001-01-01"));
	long last = dpex_date_to_days(date("9999-12-31"));
	cr_expect_eq(last - first + 1, 3652059);
	for (long n = first; n <= last; n++) {
		dpex_date d = dpex_date_from_days(n);
		if (!dpex_date_valid(d) || dpex_date_to_days(d) != n)
			cr_assert_fail("day %ld gives %s", n, text(d));
	}
}

Test(date, holidays_by_name)
{
	dpex_calendar *cal;
	cr_assert_eq(dpex_calendar_new(&cal, "SE"), 0);
	cr_expect_str_eq(dpex_calendar_holiday(cal, date("2027-06-26")),
			 "Midsommardagen");
	cr_expect_str_eq(dpex_calendar_holiday(cal, date("2027-11-06")),
			 "Alla helgons dag");
	cr_expect_null(dpex_calendar_holiday(cal, date("2027-12-24")));
	dpex_calendar_free(cal);
	cr_assert_eq(dpex_calendar_new(&cal, "GB"), 0);
	cr_expect_str_eq(dpex_calendar_holiday(cal, date("2022-06-03")),
			 "Platinum Jubilee bank holiday");
	cr_expect_str_eq(dpex_calendar_holiday(cal, date("2022-06-02")),
			 "Spring bank holiday");
	cr_expect_null(dpex_calendar_holiday(cal, date("2022-05-30")));
	cr_expect_str_eq(dpex_calendar_holiday(cal, date("2022-01-03")),
			 "New Year's Day");
	dpex_calendar_free(cal);
	cr_assert_eq(dpex_calendar_new(&cal, "US"), 0);
	cr_expect_str_eq(dpex_calendar_holiday(cal, date("2021-12-31")),
			 "New Year's Day (observed)");
	cr_expect_str_eq(dpex_calendar_holiday(cal, date("2027-07-05")),
			 "Independence Day");
	dpex_calendar_free(cal);
}

static char *write_file(const char *body)
{
	static char path[64];
	snprintf(path, sizeof(path), "/tmp/dpex-calendar-XXXXXX");
	int fd = mkstemp(path);
	cr_assert_geq(fd, 0);
	cr_assert_eq(write(fd, body, strlen(body)), (ssize_t)strlen(body));
	close(fd);
	return path;
}

Test(calendar, file_adds_and_removes_days)
{
	char *path = write_file(
		"{\"country\": \"NL\",\n"
		" \"holidays\": {\"2027-04-15\": \"Company closed\"},\n"
		" \"working_days\": [\"2027-04-27\"]}\n");
	dpex_calendar *cal;
	cr_assert_eq(dpex_calendar_load(&cal, path), 0, "%s",
		     dpex_error_message());
	unlink(path);
	cr_expect_str_eq(dpex_calendar_country(cal), "NL");
	cr_expect_str_eq(dpex_calendar_holiday(cal, date("2027-04-15")),
			 "Company closed");
	cr_expect(dpex_calendar_working_day(cal, date("2027-04-27")));
	cr_expect_not(dpex_calendar_working_day(cal, date("2027-12-25")));
	dpex_calendar_free(cal);
}

static void expect_file_error(const char *body, const char *message)
{
	char *path = write_file(body);
	dpex_calendar *cal = NULL;
	cr_expect_eq(dpex_calendar_load(&cal, path), DPEX_EUSAGE);
	char expected[256];
	snprintf(expected, sizeof(expected), message, path);
	cr_expect_str_eq(dpex_error_message(), expected);
	cr_expect_null(cal);
	unlink(path);
}

Test(calendar, bad_files)
{
	expect_file_error(
		"{\"country\": \"XX\"}",
		"no holiday calendar for country \"XX\": choose NL, "
		"SE, FI, GB, US, BR or none, or give a calendar file");
	expect_file_error("[]", "%s: a calendar file is an object with "
				"\"country\" (e.g. \"NL\", or \"none\")");
	expect_file_error(
		"{\"country\": \"NL\",\n \"holidays\": {\"2027-02-30\": "
		"\"x\"}}",
		"%s: \"2027-02-30\" is not a date: write it as "
		"YYYY-MM-DD (e.g. 2027-01-31)");
	expect_file_error("{\"country\": \"NL\",\n \"holidays\": []}",
			  "%s: \"holidays\" must be an object of "
			  "\"YYYY-MM-DD\": \"name\"");
	expect_file_error("{\"country\": \"NL\",\n \"country\": \"SE\"}",
			  "%s:2: duplicate object key near '\"country\"'");
}

Test(deadline, bad_input)
{
	dpex_date d;
	const char *bad_dates[] = {
		"2027-02-30", "2027-2-03",  "27-02-03", "2027-02-03T00",
		"+027-02-03", "0000-01-01", ""};
	for (size_t i = 0; i < sizeof(bad_dates) / sizeof(bad_dates[0]); i++)
		cr_expect_eq(dpex_date_parse(&d, bad_dates[i], "received-at"),
			     DPEX_EUSAGE, "%s", bad_dates[i]);
	dpex_date_parse(&d, "2027-13-01", "--received-at");
	cr_expect_str_eq(dpex_error_message(),
			 "--received-at: \"2027-13-01\" is not a date: write "
			 "it as YYYY-MM-DD (e.g. 2027-01-31)");
	const dpex_regime *r;
	cr_expect_eq(dpex_regime_find(&r, "hipaa"), DPEX_EUSAGE);
	cr_expect_str_eq(dpex_error_message(),
			 "unknown regime \"hipaa\": choose gdpr, uk_gdpr, ccpa "
			 "or lgpd");
	dpex_period p;
	const char *bad_promises[] = {"soon",	     "0 days",	 "30",
				      "30 days ",    "-4 weeks", "400 days",
				      "4 fortnights"};
	for (size_t i = 0; i < sizeof(bad_promises) / sizeof(bad_promises[0]);
	     i++)
		cr_expect_eq(dpex_period_parse(&p, bad_promises[i]),
			     DPEX_EUSAGE, "%s", bad_promises[i]);
	dpex_calendar *cal;
	cr_expect_eq(dpex_calendar_new(&cal, "DE"), DPEX_EUSAGE);
}
