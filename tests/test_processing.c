/* The data map's processing keys: what the data is and why. Valid maps
 * resolve categories, overrides and redactions; broken ones give the exact
 * messages a user sees; check's warnings name what an answer would lack. */
#include "core/map/datamap.h"
#include "core/base/error.h"
#include "core/map/processing.h"

#include <criterion/criterion.h>
#include <stdlib.h>
#include <string.h>

static const char head[] =
	"{\"sources\": {\"crm\": {\"conninfo\": \"dbname=crm\"}},\n"
	" \"identifiers\": {\"email\": {}},\n";

static const char complete[] =
	"{\"sources\": {\"crm\": {\"conninfo\": \"dbname=crm\"}},\n"
	" \"identifiers\": {\"email\": {}},\n"
	" \"controller\": {\"name\": \"Acme B.V.\", \"dpo\": \"dpo@acme\"},\n"
	" \"supervisory_authority\": {\"name\": {\"en\": \"Dutch DPA\", "
	"\"nl\": \"Autoriteit Persoonsgegevens\"}, \"country\": \"NL\"},\n"
	" \"purposes\": {\"contract\": {\"en\": \"The contract\", \"sv\": "
	"\"Avtalet\"}},\n"
	" \"recipients\": {\"post\": {\"name\": \"PostNL\", \"country\": "
	"\"NL\"}},\n"
	" \"categories\": {\"contact\": {\"name\": {\"en\": \"Contact\", "
	"\"nl\": \"Contact\"},\n"
	"   \"purposes\": [\"contract\", \"Service\"], \"legal_basis\": "
	"\"contract\",\n"
	"   \"origin\": \"provided\", \"retention\": \"2 years\",\n"
	"   \"recipients\": [\"post\"], \"automated_decision\": false}},\n"
	" \"entities\": [\n"
	"  {\"name\": \"people\", \"source\": \"crm\", \"table\": \"people\", "
	"\"category\": \"contact\",\n"
	"   \"legal_basis\": [\"contract\", {\"basis\": "
	"\"legal_obligation\", \"detail\": \"Tax law\"}],\n"
	"   \"columns\": [\"id\", {\"name\": \"score\", \"origin\": "
	"\"derived\"},\n"
	"     {\"name\": \"agent\", \"redact\": {\"role\": {\"en\": \"agent\", "
	"\"nl\": \"medewerker\"}}},\n"
	"     {\"name\": \"body\", \"internal\": true, \"redact\": {\"mask\": "
	"[\"email\", \"phone\"]}},\n"
	"     {\"name\": \"secret\", \"redact\": \"drop\"}],\n"
	"   \"match\": {\"identifier\": \"email\", \"column\": \"email\"}},\n"
	"  {\"name\": \"scores\", \"source\": \"crm\", \"table\": \"s\", "
	"\"category\": {\"en\": \"Scores\"},\n"
	"   \"origin\": {\"kind\": \"third_party\", \"source\": \"Bureau\"},\n"
	"   \"internal\": true, \"columns\": [\"id\"],\n"
	"   \"match\": {\"identifier\": \"email\", \"column\": \"email\"}}\n"
	" ]}\n";

static char *joined(const dpex_diags *d)
{
	size_t len = 1;
	for (size_t i = 0; i < d->count; i++)
		len += strlen(d->items[i].text) + 1;
	char *out = calloc(1, len);
	for (size_t i = 0; i < d->count; i++) {
		strcat(out, d->items[i].text);
		strcat(out, "\n");
	}
	return out;
}

static char *problems(const char *text, int *rc)
{
	dpex_datamap *m = NULL;
	dpex_diags d = DPEX_DIAGS_INIT;
	*rc = dpex_datamap_parse(&m, "map.json", text, strlen(text), &d);
	char *out = joined(&d);
	dpex_diags_free(&d);
	dpex_datamap_free(m);
	return out;
}

Test(processing, categories_entities_and_columns_resolve)
{
	dpex_datamap *m = NULL;
	dpex_diags d = DPEX_DIAGS_INIT;
	int rc = dpex_datamap_parse(&m, "map.json", complete, strlen(complete),
				    &d);
	cr_assert_eq(rc, 0, "%s", dpex_error_message());
	cr_expect_eq(d.count, 0);
	const dpex_info *p = dpex_processing_entity(m, 0);
	cr_expect_str_eq(p->category_key, "contact");
	cr_expect_str_eq(dpex_processing_text(p->category, "nl"), "Contact");
	/* The entity's legal basis overrides its category's. */
	cr_expect_eq(p->bases,
		     DPEX_BASIS_CONTRACT | DPEX_BASIS_LEGAL_OBLIGATION);
	cr_expect_eq(p->origin, DPEX_ORIGIN_PROVIDED);
	cr_expect_str_eq(dpex_processing_text(p->retention, "sv"), "2 years");
	cr_expect(json_is_false(p->automated));
	cr_expect(!p->internal);
	cr_assert_eq(json_array_size(p->purposes), 2);
	cr_expect_str_eq(dpex_processing_purpose(
				 m, json_array_get(p->purposes, 0), "sv"),
			 "Avtalet");
	cr_expect_str_eq(dpex_processing_purpose(
				 m, json_array_get(p->purposes, 0), "nl"),
			 "The contract");
	cr_expect_str_eq(dpex_processing_purpose(
				 m, json_array_get(p->purposes, 1), "nl"),
			 "Service");
	const json_t *post =
		dpex_processing_recipient(m, json_array_get(p->recipients, 0));
	cr_expect_str_eq(json_string_value(json_object_get(post, "name")),
			 "PostNL");
	cr_expect_eq(dpex_processing_column(m, 0, 0)->redact, DPEX_REDACT_NONE);
	cr_expect_eq(dpex_processing_column(m, 0, 1)->origin,
		     DPEX_ORIGIN_DERIVED);
	const dpex_column_info *agent = dpex_processing_column(m, 0, 2);
	cr_expect_eq(agent->redact, DPEX_REDACT_ROLE);
	cr_expect_str_eq(dpex_processing_text(agent->role, "nl"), "medewerker");
	cr_expect_str_eq(dpex_processing_text(agent->role, "sv"), "agent");
	const dpex_column_info *body = dpex_processing_column(m, 0, 3);
	cr_expect_eq(body->redact, DPEX_REDACT_MASK);
	cr_expect_eq(body->mask, DPEX_MASK_EMAIL | DPEX_MASK_PHONE);
	cr_expect(body->internal);
	cr_expect_eq(dpex_processing_column(m, 0, 4)->redact, DPEX_REDACT_DROP);
	const dpex_info *s = dpex_processing_entity(m, 1);
	cr_expect_null(s->category_key);
	cr_expect_str_eq(dpex_processing_text(s->category, "sv"), "Scores");
	cr_expect_eq(s->origin, DPEX_ORIGIN_THIRD_PARTY);
	cr_expect_str_eq(dpex_processing_text(s->origin_source, "en"),
			 "Bureau");
	cr_expect(s->internal);
	dpex_diags_free(&d);
	dpex_datamap_free(m);
}

Test(processing, every_broken_key_is_reported_with_its_place)
{
	char text[4096];
	snprintf(
		text, sizeof(text), "%s%s", head,
		" \"controller\": {\"name\": \"Acme\", \"contact\": 5},\n"
		" \"recipients\": {\"post\": {\"country\": \"nl\"}},\n"
		" \"categories\": {\"contact\": {\"name\": \"Contact\", "
		"\"origin\": \"third_party\"}},\n"
		" \"entities\": [\n"
		"  {\"name\": \"people\", \"source\": \"crm\", \"table\": "
		"\"people\", \"category\": \"contact\",\n"
		"   \"legal_basis\": [\"contract\", \"goodwill\"],\n"
		"   \"recipients\": [\"post\", \"nobody\"],\n"
		"   \"automated_decision\": {\"description\": \"x\"},\n"
		"   \"retention\": {\"english\": \"forever\"},\n"
		"   \"columns\": [\"id\", {\"name\": \"note\", \"redact\": "
		"\"blur\"},\n"
		"     {\"name\": \"agent\", \"redact\": {\"mask\": [\"email\", "
		"\"iban\"]}}],\n"
		"   \"match\": {\"identifier\": \"email\", \"column\": "
		"\"email\"}}\n"
		" ]}\n");
	int rc;
	char *got = problems(text, &rc);
	cr_expect_eq(rc, DPEX_EMAP);
	cr_expect_str_eq(
		got,
		"map.json:3:44: $.controller.contact: must be a non-empty "
		"text: a string, or translations such as {\"en\": \"...\", "
		"\"nl\": \"...\"}\n"
		"map.json:4:25: $.recipients.post: a recipient needs a "
		"\"name\" or a \"category\"\n"
		"map.json:4:37: $.recipients.post.country: must be an ISO "
		"3166 two-letter country code such as \"NL\" or \"US\"\n"
		"map.json:5:58: $.categories.contact.origin: data from a third "
		"party must name its source (Art. 15(1)(g)): {\"kind\": "
		"\"third_party\", \"source\": \"...\"}\n"
		"map.json:8:32: $.entities[0].legal_basis[1]: must be an Art. "
		"6(1) legal basis: \"consent\", \"contract\", "
		"\"legal_obligation\", \"vital_interests\", \"public_task\" or "
		"\"legitimate_interests\"\n"
		"map.json:11:29: $.entities[0].retention.english: \"english\" "
		"is not a two-letter language code such as \"en\", \"nl\" or "
		"\"sv\"\n"
		"map.json:9:27: $.entities[0].recipients[1]: unknown "
		"recipient \"nobody\": declare it under \"recipients\"\n"
		"map.json:10:26: $.entities[0].automated_decision: say what is "
		"decided (\"description\") and how (\"logic\"), in plain words "
		"(Art. 15(1)(h))\n"
		"map.json:12:49: $.entities[0].columns[1].redact: must be "
		"\"drop\", {\"role\": \"...\"} or {\"mask\": [\"email\", "
		"\"phone\"]}\n"
		"map.json:13:53: $.entities[0].columns[2].redact.mask[1]: a "
		"mask is \"email\" or \"phone\"\n");
	free(got);
}

Test(processing, unknown_keys_in_processing_objects_are_refused)
{
	char text[2048];
	snprintf(text, sizeof(text), "%s%s", head,
		 " \"supervisory_authority\": {\"name\": \"AP\", \"phone\": "
		 "\"x\"},\n"
		 " \"entities\": [{\"name\": \"p\", \"source\": \"crm\", "
		 "\"table\": \"p\", \"columns\": [\"id\"],\n"
		 "   \"origin\": {\"kind\": \"derived\", \"from\": \"x\"},\n"
		 "   \"match\": {\"identifier\": \"email\", \"column\": "
		 "\"e\"}}]}\n");
	int rc;
	char *got = problems(text, &rc);
	cr_expect_eq(rc, DPEX_EMAP);
	cr_expect_str_eq(
		got, "map.json:3:51: $.supervisory_authority.phone: "
		     "unknown key \"phone\" (expected one of \"name\", "
		     "\"url\", \"country\")\n"
		     "map.json:5:42: $.entities[0].origin.from: unknown "
		     "key \"from\" (expected one of \"kind\", \"source\")\n");
	free(got);
}

Test(processing, check_warns_about_what_an_answer_would_lack)
{
	char text[2048];
	snprintf(text, sizeof(text), "%s%s", head,
		 " \"entities\": [\n"
		 "  {\"name\": \"p\", \"source\": \"crm\", \"table\": \"p\", "
		 "\"columns\": [\"id\"],\n"
		 "   \"category\": \"People\", \"origin\": \"provided\", "
		 "\"legal_basis\": \"consent\",\n"
		 "   \"match\": {\"identifier\": \"email\", \"column\": "
		 "\"e\"}}]}\n");
	dpex_datamap *m = NULL;
	dpex_diags d = DPEX_DIAGS_INIT;
	cr_assert_eq(dpex_datamap_parse(&m, "map.json", text, strlen(text), &d),
		     0, "%s", dpex_error_message());
	cr_assert_eq(dpex_processing_warn(m, &d), 0);
	char *got = joined(&d);
	cr_expect_eq(d.errors, 0);
	cr_expect_str_eq(
		got,
		"map.json:1:1: $: warning: the map does not name the "
		"controller, which every access answer must (Art. 15(1)(f), "
		"13(1)(a))\n"
		"map.json:1:1: $: warning: the map does not name the "
		"supervisory authority, which every access answer must (Art. "
		"15(1)(f), 13(1)(a))\n"
		"map.json:4:3: $.entities[0]: warning: entity \"p\" does not "
		"say its purposes, retention, recipients, automated_decision; "
		"an access answer must tell the person (Art. 15(1))\n");
	free(got);
	dpex_diags_free(&d);
	dpex_datamap_free(m);
}

Test(processing, a_complete_map_has_no_warnings)
{
	dpex_datamap *m = NULL;
	dpex_diags d = DPEX_DIAGS_INIT;
	cr_assert_eq(dpex_datamap_parse(&m, "map.json", complete,
					strlen(complete), &d),
		     0);
	cr_assert_eq(dpex_processing_warn(m, &d), 0);
	/* scores says neither purposes nor retention and so on. */
	cr_expect_eq(d.count, 1);
	cr_expect(strstr(d.items[0].text,
			 "entity \"scores\" does not say its purposes, "
			 "legal_basis, retention, recipients, "
			 "automated_decision"));
	dpex_diags_free(&d);
	dpex_datamap_free(m);
}

Test(processing, texts_fall_back_to_english_then_the_first)
{
	json_t *t = json_pack("{s:s, s:s}", "sv", "Hej", "en", "Hello");
	cr_expect_str_eq(dpex_processing_text(t, "sv"), "Hej");
	cr_expect_str_eq(dpex_processing_text(t, "nl"), "Hello");
	json_object_del(t, "en");
	cr_expect_str_eq(dpex_processing_text(t, "nl"), "Hej");
	json_decref(t);
	cr_expect_null(dpex_processing_text(NULL, "en"));
	cr_expect(dpex_country_in_eea("NO"));
	cr_expect(!dpex_country_in_eea("US"));
	cr_expect(!dpex_country_in_eea("GB"));
	cr_expect_str_eq(dpex_basis_article(DPEX_BASIS_LEGITIMATE_INTERESTS),
			 "6(1)(f)");
}

Test(processing, check_warns_about_transfers_without_safeguards)
{
	char text[2048];
	snprintf(text, sizeof(text), "%s%s", head,
		 " \"controller\": {\"name\": \"Acme\"}, "
		 "\"supervisory_authority\": {\"name\": \"AP\"},\n"
		 " \"recipients\": {\"cloud\": {\"name\": \"Cloud Inc.\", "
		 "\"country\": \"US\"}},\n"
		 " \"entities\": [{\"name\": \"p\", \"source\": \"crm\", "
		 "\"table\": \"p\", \"category\": \"People\",\n"
		 "   \"purposes\": [\"x\"], \"legal_basis\": \"contract\", "
		 "\"origin\": \"provided\", \"retention\": \"1 year\",\n"
		 "   \"recipients\": [{\"category\": \"Mailer\", \"country\": "
		 "\"NO\"}, \"cloud\",\n"
		 "     {\"category\": \"Hosting\", \"country\": \"US\", "
		 "\"safeguards\": \"SCC\"}],\n"
		 "   \"automated_decision\": false, \"columns\": [\"id\"],\n"
		 "   \"match\": {\"identifier\": \"email\", \"column\": "
		 "\"e\"}}]}\n");
	dpex_datamap *m = NULL;
	dpex_diags d = DPEX_DIAGS_INIT;
	cr_assert_eq(dpex_datamap_parse(&m, "map.json", text, strlen(text), &d),
		     0, "%s", dpex_error_message());
	cr_assert_eq(dpex_processing_warn(m, &d), 0);
	char *got = joined(&d);
	cr_expect_str_eq(got, "map.json:7:60: $.entities[0].recipients[1]: "
			      "warning: recipient \"Cloud Inc.\" is in US, "
			      "outside the EEA: say the safeguards for the "
			      "transfer (Art. 15(2))\n");
	free(got);
	dpex_diags_free(&d);
	dpex_datamap_free(m);
}
