/* The cover pages: index.html and README.txt written into a real archive
 * from a hand-written about.json, read back from the committed ZIP with
 * Python's zipfile; every language complete; hostile text escaped. */
#include "core/archive/archive.h"
#include "core/answer/cover.h"
#include "core/answer/cover_text.h"
#include "core/base/error.h"

#include <criterion/criterion.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define TMPDIR_PREFIX "dpex-cover"
#include "tmpdir.h"
#include "pyrun.h"

TestSuite(cover, .init = make_dir, .fini = remove_dir);

#define HOSTILE "<script>alert('x')</script> & \"Co\""
#define HOSTILE_JSON "<script>alert('x')</script> & \\\"Co\\\""

/* The shape brief-about.md fixes, with a hostile category name. */
static const char about_json[] =
	"{\"$schema\": \"about.schema.json\", \"request_id\": \"r1\","
	" \"kind\": \"access\", \"language\": \"en\","
	" \"controller\": {\"name\": \"Noorderlicht Energie & Telecom B.V.\","
	"  \"contact\": \"privacy@noorderlicht.example\","
	"  \"dpo\": \"dpo@noorderlicht.example\","
	"  \"address\": \"Stationsplein 1, Utrecht\"},"
	" \"categories\": ["
	"  {\"category\": \"Contact details\","
	"   \"entities\": [{\"name\": \"customers\", \"rows\": 1,"
	"                  \"description\": \"Your account\","
	"                  \"files\": [\"csv/customers.csv\"]}],"
	"   \"purposes\": [\"Performing the supply contract\","
	"                  {\"en\": \"Sending invoices\", \"nl\": \"Facturen "
	"sturen\"}],"
	"   \"legal_basis\": [{\"article\": \"6(1)(b)\", \"basis\": "
	"\"contract\"}],"
	"   \"origin\": {\"kind\": \"provided\", \"source\": null},"
	"   \"retention\": \"7 years after the end of the contract\","
	"   \"recipients\": [{\"name\": \"PostNL\", \"category\": \"Logistics "
	"partner\", \"country\": \"NL\", \"safeguards\": null}],"
	"   \"automated_decision\": null},"
	"  {\"category\": \"" HOSTILE_JSON "\","
	"   \"entities\": [{\"name\": \"credit_scores\", \"rows\": 2,"
	"                  \"files\": [\"csv/credit_scores.csv\", "
	"\"data.xlsx\"]}],"
	"   \"purposes\": [\"Credit checks\"],"
	"   \"legal_basis\": [{\"article\": \"6(1)(f)\", \"basis\": "
	"\"legitimate_interest\", \"detail\": \"preventing bad "
	"debt\"}],"
	"   \"origin\": {\"kind\": \"third_party\", \"source\": \"Credit "
	"bureau\"},"
	"   \"retention\": \"1 month\","
	"   \"recipients\": [],"
	"   \"automated_decision\": {\"description\": \"Sets your credit "
	"limit.\", \"logic\": \"A score from payment history.\", "
	"\"significance\": \"A lower limit.\", \"profiling\": true}}"
	" ],"
	" \"third_country_transfers\": [{\"recipient\": \"CloudCo\", "
	"\"country\": \"US\", \"safeguards\": \"Standard contractual "
	"clauses\"}],"
	" \"rights\": [{\"right\": \"rectification\", \"article\": \"16\", "
	"\"text\": \"You can have wrong data corrected.\"},"
	"  {\"right\": \"erasure\", \"article\": \"17\"},"
	"  {\"right\": \"human_review\", \"article\": \"22\", "
	"\"text\": null}],"
	" \"supervisory_authority\": {\"name\": \"Autoriteit "
	"Persoonsgegevens\", \"url\": "
	"\"https://autoriteitpersoonsgegevens.nl\", \"country\": \"NL\"},"
	" \"excluded\": [{\"entity\": \"marketing_segments\", \"reason\": "
	"\"derived data is not in the scope of Art. 20\"}],"
	" \"redactions\": {\"contact_notes.agent_name\": 12}}";

static json_t *about_fixture(void)
{
	json_error_t e;
	json_t *a = json_loads(about_json, 0, &e);
	cr_assert_not_null(a, "fixture: %s at %d", e.text, e.position);
	return a;
}

static json_t *summary_fixture(void)
{
	json_t *s = json_pack(
		"{s:s, s:s, s:{s:[s], s:[s, s]}, s:[s, s], s:["
		"{s:s, s:s, s:i}, {s:s, s:s, s:i}, {s:s, s:s, s:i}]}",
		"request_id", "r1", "created_at", "2026-11-22T03:05:53Z",
		"subject", "email", "anna" HOSTILE "@example.org",
		"customer_id", "1", "2", "formats", "json", "csv", "entities",
		"name", "customers", "source", "crm", "rows", 1, "name",
		"credit_scores", "source", "risk", "rows", 2, "name", "orders",
		"source", "shop", "rows", 1234);
	cr_assert_not_null(s);
	return s;
}

static void member(dpex_archive *a, const char *name, const char *body,
		   long long rows)
{
	dpex_sink *s;
	cr_assert_eq(dpex_archive_member_open(a, name, &s), 0, "%s",
		     dpex_error_message());
	cr_assert_eq(dpex_sink_puts(s, body), 0);
	cr_assert_eq(dpex_sink_close(s, rows), 0);
}

/* Writes an archive with three data members and the cover pages. */
static char *make_archive(const json_t *about, const char *lang)
{
	dpex_archive *a = NULL;
	dpex_archive_options opt = {
		.out_dir = dir, .name = "dpex-r1.zip", .compress = true};
	cr_assert_eq(dpex_archive_open(&a, &opt), 0, "%s",
		     dpex_error_message());
	member(a, "data.json", "{}\n", 1237);
	member(a, "csv/customers.csv", "id\n1\n", 1);
	member(a, "csv/credit_scores.csv", "score\n1\n2\n", 2);
	char big[3000];
	memset(big, 'x', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	member(a, "csv/orders.csv", big, 1234);
	json_t *summary = summary_fixture();
	int rc = dpex_cover_add(a, about, summary, lang, NULL);
	cr_assert_eq(rc, 0, "%s", dpex_error_message());
	char *final = NULL;
	cr_assert_eq(dpex_archive_commit(a, summary, &final), 0, "%s",
		     dpex_error_message());
	json_decref(summary);
	dpex_archive_free(a);
	return final;
}

static char *read_member(const char *zip, const char *name)
{
	return capture_ok("/usr/bin/python3 -c 'import sys, zipfile; "
			  "sys.stdout.buffer.write(zipfile.ZipFile(sys.argv[1])"
			  ".read(sys.argv[2]))' '%s' '%s'",
			  zip, name);
}

#define has(text, s) cr_expect_not_null(strstr(text, s), "missing: %s", s)
#define hasnt(text, s) cr_expect_null(strstr(text, s), "present: %s", s)

Test(cover, every_language_gives_every_text_with_the_same_places)
{
	const dpex_cover_lang *en = dpex_cover_lang_find("en");
	cr_assert_not_null(en);
	cr_assert_eq(dpex_cover_nlangs, 3);
	for (size_t l = 0; l < dpex_cover_nlangs; l++) {
		const dpex_cover_lang *lang = dpex_cover_langs[l];
		cr_assert_eq(dpex_cover_lang_find(lang->code), lang);
		for (int i = 0; i < CT_COUNT; i++) {
			const char *t = lang->text[i];
			cr_assert(t && t[0], "%s: text %d missing", lang->code,
				  i);
			for (char k = '1'; k <= '9'; k++) {
				char place[] = {'{', k, '}', '\0'};
				cr_expect_eq(strstr(t, place) != NULL,
					     strstr(en->text[i], place) != NULL,
					     "%s: text %d: %s", lang->code, i,
					     place);
			}
		}
		for (int m = 0; m < 12; m++)
			cr_assert(lang->months[m] && lang->months[m][0]);
	}
	cr_expect_null(dpex_cover_lang_find("de"));
	cr_expect_null(dpex_cover_lang_find(NULL));
}

Test(cover, an_unknown_language_is_a_usage_error_naming_the_choices)
{
	cr_assert_eq(dpex_cover_check_lang("de"), DPEX_EUSAGE);
	cr_expect_str_eq(dpex_error_message(),
			 "language \"de\" is not available: choose en, nl "
			 "or sv");
	cr_expect_eq(dpex_cover_check_lang(NULL), 0);
	cr_expect_eq(dpex_cover_check_lang("sv"), 0);
}

Test(cover, pages_come_first_in_the_zip_and_the_manifest)
{
	char *zip = make_archive(NULL, "en");
	char *names =
		capture_ok("/usr/bin/python3 -c 'import sys, zipfile, json; "
			   "z = zipfile.ZipFile(sys.argv[1]); "
			   "print(*z.namelist()); "
			   "m = json.loads(z.read(\"manifest.json\")); "
			   "print(*[f[\"name\"] for f in m[\"files\"]])' "
			   "'%s'",
			   zip);
	cr_expect_str_eq(names,
			 "index.html README.txt data.json csv/customers.csv "
			 "csv/credit_scores.csv csv/orders.csv manifest.json\n"
			 "index.html README.txt data.json csv/customers.csv "
			 "csv/credit_scores.csv csv/orders.csv\n");
	free(names);
	free(zip);
}

Test(cover, categories_from_about_json_are_shown_in_full)
{
	json_t *about = about_fixture();
	char *zip = make_archive(about, "en");
	char *html = read_member(zip, "index.html");
	has(html, "<html lang=\"en\">");
	has(html, "<title>Your personal data</title>");
	has(html, "<h1>Your personal data</h1>");
	has(html,
	    "<p class=\"lead\">Noorderlicht Energie &amp; Telecom B.V. "
	    "sends you this copy of the personal data it holds about "
	    "you, as you asked under the right of access "
	    "(Article\u00a015 GDPR). The copy was made on 22\u00a0November "
	    "2026 at 03:05 UTC.</p>");
	has(html, "<h3>Contact details</h3>");
	has(html, "<tr><th scope=\"row\">Purposes</th><td><ul class=\"in\">"
		  "<li>Performing the supply contract</li>"
		  "<li>Sending invoices</li></ul></td></tr>");
	has(html, "<td>performing a contract with you (Art.\u00a06(1)(b) "
		  "GDPR)</td>");
	has(html, "<td>our legitimate interests (Art.\u00a06(1)(f) GDPR): "
		  "preventing bad debt</td>");
	has(html, "<td>You gave it to us.</td>");
	has(html, "<td>We received it from: Credit bureau.</td>");
	has(html, "<td>7 years after the end of the contract</td>");
	has(html, "<td>PostNL (Logistics partner, NL)</td>");
	has(html, "<tr><th scope=\"row\">Who receives it</th><td>None</td>");
	has(html, "<td>No automated decisions are made with this data.</td>");
	has(html, "<td>Sets your credit limit. How it works: A score from "
		  "payment history. What it means for you: A lower limit. This "
		  "is profiling.</td>");
	has(html, "<td>customers: 1 record (<a "
		  "href=\"csv/customers.csv\">csv/customers.csv</a>). Your "
		  "account</td>");
	has(html, "<td>credit_scores: 2 records (<a "
		  "href=\"csv/credit_scores.csv\">csv/credit_scores.csv</a>, "
		  "data.xlsx)</td>");
	has(html, "<th scope=\"row\">CloudCo</th><td>US</td><td>Standard "
		  "contractual clauses</td>");
	has(html, "<th scope=\"row\">marketing_segments</th><td>derived data "
		  "is not in the scope of Art. 20</td>");
	has(html, "<th scope=\"row\">contact_notes.agent_name</th>"
		  "<td class=\"num\">12</td>");
	/* A right with its own text keeps it; one without gets ours. */
	has(html, "<li>You can have wrong data corrected (Art.\u00a016 "
		  "GDPR).</li>");
	has(html, "<li>Right to erasure: to have your data deleted");
	hasnt(html, "Right of access: to see");
	has(html, "<li>Right not to be subject to a decision made only");
	has(html, "<th scope=\"row\">Address</th><td>Stationsplein 1, "
		  "Utrecht</td>");
	has(html, "contact Noorderlicht Energie &amp; Telecom B.V. "
		  "(privacy@noorderlicht.example).");
	has(html,
	    "complain to the supervisory authority: <a "
	    "href=\"https://autoriteitpersoonsgegevens.nl\" "
	    "rel=\"external noreferrer\">Autoriteit Persoonsgegevens</a>.");
	has(html, "<th scope=\"row\">Data protection officer</th><td>"
		  "dpo@noorderlicht.example</td>");
	hasnt(html, "not available in this archive");

	char *txt = read_member(zip, "README.txt");
	has(txt, "Your personal data\n==================\n");
	has(txt, "\nContact details\n");
	has(txt, "  Purposes: Performing the supply contract; Sending "
		 "invoices\n");
	has(txt, "  Where it comes from: We received it from: Credit "
		 "bureau.\n");
	has(txt, "supervisory authority: Autoriteit Persoonsgegevens\n"
		 "<https://autoriteitpersoonsgegevens.nl>.\n");
	free(txt);
	free(html);
	free(zip);
	json_decref(about);
}

Test(cover, text_from_data_is_escaped_and_cannot_add_a_script)
{
	json_t *about = about_fixture();
	/* A link the authority's URL must not become. */
	json_object_set_new(json_object_get(about, "supervisory_authority"),
			    "url", json_string("javascript:alert(1)"));
	json_object_set_new(about, "kind", json_string("portability"));
	char *zip = make_archive(about, "en");
	char *html = read_member(zip, "index.html");
	hasnt(html, "<script");
	hasnt(html, "javascript:");
	has(html, "<h3>&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt; &amp; "
		  "&quot;Co&quot;</h3>");
	has(html, "<td>anna&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt; "
		  "&amp; &quot;Co&quot;@example.org</td>");
	has(html, "supervisory authority: Autoriteit Persoonsgegevens.");
	/* A file about.json names but the archive lacks is not linked. */
	has(html, "csv/credit_scores.csv</a>, data.xlsx)</td>");
	hasnt(html, "href=\"data.xlsx\"");
	/* A portability answer says so. */
	has(html, "<p class=\"lead\">Noorderlicht Energie &amp; Telecom B.V. "
		  "sends you the personal data you provided, or that was "
		  "recorded while you used its services, as you asked under "
		  "the right to data portability (Article\u00a020 GDPR).");
	/* Plain text needs no escaping, only the value as it is. */
	char *txt = read_member(zip, "README.txt");
	has(txt, "email        anna" HOSTILE "@example.org");
	free(txt);
	free(html);
	free(zip);
	json_decref(about);
}

Test(cover, without_about_json_files_and_counts_are_shown)
{
	char *zip = make_archive(NULL, NULL);
	char *html = read_member(zip, "index.html");
	has(html,
	    "<p class=\"lead\">This archive holds a copy of the personal "
	    "data found about you, made on 22\u00a0November 2026 at 03:05 "
	    "UTC in answer to your request.</p>");
	has(html, "Information about the kinds of data (purposes, legal basis, "
		  "origin, retention and recipients) is not available in this "
		  "archive.");
	has(html, "<tr><th scope=\"row\"><a href=\"csv/orders.csv\">orders</a>"
		  "</th><td>shop</td><td class=\"num\">1,234</td></tr>");
	has(html, "<tr class=\"total\"><th scope=\"row\">Total</th><td></td>"
		  "<td class=\"num\">1,237</td></tr>");
	has(html, "<tr><th scope=\"row\"><a href=\"csv/orders.csv\">"
		  "csv/orders.csv</a></th><td>The table “orders” as CSV");
	has(html, "<td class=\"num\">1,234</td><td class=\"num\">3.0 kB</td>");
	has(html, "<a href=\"manifest.json\">manifest.json</a>");
	has(html, "<li>Right of access: to see");
	has(html, "in particular in the EU country where you live or work");
	has(html, "<li>1</li><li>2</li>");
	hasnt(html, "<h3>");
	hasnt(html, "http");

	char *txt = read_member(zip, "README.txt");
	has(txt, "  Table          System  Records\n"
		 "  customers      crm           1\n"
		 "  credit_scores  risk          2\n"
		 "  orders         shop      1,234\n"
		 "  Total                    1,237\n");
	has(txt, "  csv/orders.csv           1,234  3.0 kB\n"
		 "      The table “orders” as CSV (comma-separated values, "
		 "UTF\u20118): opens in\n      any spreadsheet program.\n");
	has(txt, "  customer_id  1; 2\n");
	/* Every line fits 76 columns (counted in code points). */
	char *lines = capture_ok("/usr/bin/python3 -c 'import sys, zipfile; "
				 "t = zipfile.ZipFile(sys.argv[1]).read("
				 "\"README.txt\").decode(); "
				 "print(max(len(l) for l in t.splitlines()), "
				 "sum(l != l.rstrip() for l in "
				 "t.splitlines()))' '%s'",
				 zip);
	cr_expect_str_eq(lines, "76 0\n");
	free(lines);
	free(txt);
	free(html);
	free(zip);
}

Test(cover, dutch_and_swedish_pages_are_in_their_language)
{
	json_t *about = about_fixture();
	char *zip = make_archive(about, "nl");
	char *html = read_member(zip, "index.html");
	has(html, "<html lang=\"nl\">");
	has(html, "<h1>Uw persoonsgegevens</h1>");
	has(html, "<h2>Uw rechten</h2>");
	has(html, "De kopie is gemaakt op 22\u00a0november 2026 om 03:05 uur "
		  "(UTC).");
	/* A text given in several languages is shown in the page's. */
	has(html, "<li>Facturen sturen</li>");
	hasnt(html, "Sending invoices");
	has(html, "<td>de uitvoering van een overeenkomst met u "
		  "(art.\u00a06(1)(b) AVG)</td>");
	has(html, "<td class=\"num\">1.234</td>");
	hasnt(html, "Your rights");
	free(html);
	free(zip);
	remove_dir();
	make_dir();

	zip = make_archive(about, "sv");
	html = read_member(zip, "index.html");
	has(html, "<html lang=\"sv\">");
	has(html, "<h1>Dina personuppgifter</h1>");
	has(html, "<h2>Dina rättigheter</h2>");
	has(html,
	    "Kopian togs fram den 22\u00a0november 2026 kl. 03:05 (UTC).");
	has(html, "<td class=\"num\">1\u00a0234</td>");
	has(html, "<td class=\"num\">1\u00a0234</td><td class=\"num\">3,0 "
		  "kB</td>");
	char *txt = read_member(zip, "README.txt");
	has(txt, "Dina personuppgifter\n====================\n");
	has(txt, "\nFilerna i detta arkiv\n---------------------\n");
	free(txt);
	free(html);
	free(zip);
	json_decref(about);
}

/* Every element closed in order, as Python's html.parser reads it, on the
 * page with every section (lists in cells, facts tables, links). */
static const char balance_py[] =
	"import sys, zipfile, html.parser\n"
	"class P(html.parser.HTMLParser):\n"
	"    def __init__(self):\n"
	"        super().__init__(); self.open = []; self.n = 0\n"
	"    def handle_starttag(self, tag, attrs):\n"
	"        self.n += 1\n"
	"        if tag != 'meta': self.open.append(tag)\n"
	"    def handle_endtag(self, tag):\n"
	"        assert self.open and self.open[-1] == tag, (tag, self.open)\n"
	"        self.open.pop()\n"
	"p = P()\n"
	"p.feed(zipfile.ZipFile(sys.argv[1]).read('index.html').decode())\n"
	"p.close()\n"
	"assert not p.open, p.open\n"
	"print('balanced', p.n > 100)\n";

Test(cover, the_page_with_every_section_is_well_formed)
{
	json_t *about = about_fixture();
	char *zip = make_archive(about, "sv");
	char *out = run_python(balance_py, zip);
	cr_expect_str_eq(out, "balanced True\n");
	free(out);
	free(zip);
	json_decref(about);
}

/* What the cover needs from the archive: its members so far, in order,
 * with size and rows; and a refusal to move a member that is not there. */
Test(cover, the_archive_lists_its_members_and_moves_only_known_ones)
{
	dpex_archive *a = NULL;
	dpex_archive_options opt = {.out_dir = dir, .name = "dpex-r2.zip"};
	cr_assert_eq(dpex_archive_open(&a, &opt), 0);
	cr_expect_eq(dpex_archive_member_count(a), 0);
	member(a, "data.json", "{}\n", 3);
	member(a, "notes.txt", "hello", -1);
	cr_assert_eq(dpex_archive_member_count(a), 2);
	dpex_archive_entry e = dpex_archive_member_at(a, 1);
	cr_expect_str_eq(e.name, "notes.txt");
	cr_expect_eq(e.size, 5);
	cr_expect_eq(e.rows, -1);
	e = dpex_archive_member_at(a, 0);
	cr_expect_eq(e.size, 3);
	cr_expect_eq(e.rows, 3);
	cr_expect_eq(dpex_archive_member_first(a, "index.html"), DPEX_EUSAGE);
	cr_expect_str_eq(dpex_error_message(),
			 "no archive member \"index.html\"");
	cr_expect_eq(dpex_archive_member_first(a, "notes.txt"), 0);
	cr_expect_eq(dpex_archive_member_first(a, "notes.txt"), 0);
	char *final = NULL;
	cr_assert_eq(dpex_archive_commit(a, NULL, &final), 0);
	char *names =
		capture_ok("/usr/bin/python3 -c 'import sys, zipfile; "
			   "print(*zipfile.ZipFile(sys.argv[1]).namelist())' "
			   "'%s'",
			   final);
	cr_expect_str_eq(names, "notes.txt data.json manifest.json\n");
	free(names);
	free(final);
	dpex_archive_free(a);
}
