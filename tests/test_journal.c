/* journal: what a bulk run finished, found again by the next run. */
#include "core/base/buf.h"
#include "core/base/error.h"
#include "core/run/journal.h"

#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define FP "formats=json"
#define ID_A "s0123456789abcdef0123456789abcdef"
#define ID_B "sfedcba9876543210fedcba9876543210"

static char dir[64];

static void make_dir(void)
{
	snprintf(dir, sizeof(dir), "/tmp/dpex-journal-XXXXXX");
	cr_assert_not_null(mkdtemp(dir));
}

static void remove_dir(void)
{
	char path[128];
	snprintf(path, sizeof(path), "%s/journal.tsv", dir);
	unlink(path);
	rmdir(dir);
}

TestSuite(journal, .init = make_dir, .fini = remove_dir);

static dpex_journal *open_journal(void)
{
	dpex_journal *j;
	cr_assert_eq(dpex_journal_open(&j, dir, FP), 0, "%s",
		     dpex_error_message());
	return j;
}

static void append(dpex_journal *j, const char *status, const char *id,
		   long long rows, const char *error)
{
	dpex_journal_entry e = {.status = status,
				.request_id = id,
				.rows = rows,
				.bytes = rows * 10,
				.sha256 = strcmp(status, "ok") ? "" : "ab12",
				.archive =
					strcmp(status, "ok") ? "" : "01/x.zip",
				.error = error};
	cr_assert_eq(dpex_journal_append(j, &e), 0);
}

static char *journal_text(void)
{
	char path[128];
	snprintf(path, sizeof(path), "%s/journal.tsv", dir);
	FILE *f = fopen(path, "r");
	cr_assert_not_null(f);
	static char buf[4096];
	size_t n = fread(buf, 1, sizeof(buf) - 1, f);
	buf[n] = '\0';
	fclose(f);
	return buf;
}

Test(journal, finds_the_latest_entry_of_a_subject_after_reopening)
{
	dpex_journal *j = open_journal();
	append(j, "error", ID_A, 0, "crm: connection lost\tand a tab");
	append(j, "not_found", ID_B, 0, "");
	cr_expect_not(dpex_journal_finished(j, ID_A), "an error is redone");
	cr_expect(dpex_journal_finished(j, ID_B));
	append(j, "ok", ID_A, 42, "");
	dpex_journal_close(j);

	j = open_journal();
	dpex_buf text = DPEX_BUF_INIT;
	dpex_journal_entry e;
	cr_assert_eq(dpex_journal_find(j, ID_A, &e, &text), 1);
	cr_expect_str_eq(e.status, "ok");
	cr_expect_str_eq(e.request_id, ID_A);
	cr_expect_eq(e.rows, 42);
	cr_expect_eq(e.bytes, 420);
	cr_expect_str_eq(e.sha256, "ab12");
	cr_expect_str_eq(e.archive, "01/x.zip");
	cr_expect_str_eq(e.error, "");
	cr_expect(dpex_journal_finished(j, ID_A));
	cr_assert_eq(dpex_journal_find(j, ID_B, &e, &text), 1);
	cr_expect_str_eq(e.status, "not_found");
	cr_expect_eq(dpex_journal_find(j, "s00000000000000000000000000000000",
				       &e, &text),
		     0);
	cr_expect_not(dpex_journal_finished(j, "not-an-id"));
	dpex_buf_free(&text);
	dpex_journal_close(j);
}

Test(journal, keeps_an_error_on_its_line)
{
	dpex_journal *j = open_journal();
	append(j, "error", ID_A, 0, "line one\nline two\tthree");
	dpex_buf text = DPEX_BUF_INIT;
	dpex_journal_entry e;
	cr_assert_eq(dpex_journal_find(j, ID_A, &e, &text), 1);
	cr_expect_str_eq(e.error, "line one line two three");
	dpex_buf_free(&text);
	dpex_journal_close(j);
	cr_expect_str_eq(journal_text(),
			 "# dpex bulk journal 1\t" FP "\n"
			 "error\t" ID_A
			 "\t0\t0\t\t\tline one line two three\n");
}

Test(journal, cuts_off_a_line_torn_by_a_crash)
{
	dpex_journal *j = open_journal();
	append(j, "ok", ID_A, 1, "");
	dpex_journal_close(j);
	char path[128];
	snprintf(path, sizeof(path), "%s/journal.tsv", dir);
	FILE *f = fopen(path, "a");
	fputs("ok\t" ID_B "\t3\t30\tab", f); /* no newline: torn */
	fclose(f);

	j = open_journal();
	cr_expect_not(dpex_journal_finished(j, ID_B));
	append(j, "ok", ID_B, 3, "");
	dpex_buf text = DPEX_BUF_INIT;
	dpex_journal_entry e;
	cr_assert_eq(dpex_journal_find(j, ID_B, &e, &text), 1);
	cr_expect_eq(e.rows, 3);
	cr_assert_eq(dpex_journal_find(j, ID_A, &e, &text), 1);
	cr_expect_eq(e.rows, 1);
	dpex_buf_free(&text);
	dpex_journal_close(j);
	cr_expect_str_eq(journal_text(),
			 "# dpex bulk journal 1\t" FP "\n"
			 "ok\t" ID_A "\t1\t10\tab12\t01/x.zip\t\n"
			 "ok\t" ID_B "\t3\t30\tab12\t01/x.zip\t\n");
}

Test(journal, ignores_lines_that_are_not_entries)
{
	dpex_journal *j = open_journal();
	dpex_journal_close(j);
	char path[128];
	snprintf(path, sizeof(path), "%s/journal.tsv", dir);
	FILE *f = fopen(path, "a");
	fputs("a line of no journal\n"
	      "ok\tnot-a-request-id\t1\t1\t\t\t\n",
	      f);
	fclose(f);
	j = open_journal();
	cr_expect_not(dpex_journal_finished(j, "not-a-request-id"));
	append(j, "ok", ID_A, 5, "");
	cr_expect(dpex_journal_finished(j, ID_A));
	dpex_journal_close(j);
}

Test(journal, refuses_the_journal_of_a_run_with_other_options)
{
	dpex_journal *j = open_journal();
	dpex_journal_close(j);
	cr_assert_eq(dpex_journal_open(&j, dir, "formats=json,csv"),
		     DPEX_EUSAGE);
	cr_expect(strstr(dpex_error_message(),
			 "was written by a run with other options "
			 "(" FP ", now formats=json,csv)"),
		  "%s", dpex_error_message());
}

Test(journal, is_held_by_one_run_at_a_time)
{
	dpex_journal *j = open_journal(), *k;
	cr_assert_eq(dpex_journal_open(&k, dir, FP), DPEX_EUSAGE);
	cr_expect(strstr(dpex_error_message(), "another dpex bulk run"), "%s",
		  dpex_error_message());
	dpex_journal_close(j);
}
