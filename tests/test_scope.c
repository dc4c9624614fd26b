/* scope: what each exporter sees of the gathered rows, for access and for
 * portability, with the map's redactions applied once for every format. */
#include "core/base/buf.h"
#include "core/map/datamap.h"
#include "core/base/error.h"
#include "core/answer/scope.h"

#include <criterion/criterion.h>
#include <string.h>

static const char map_text[] =
	"{\"sources\": {\"crm\": {\"conninfo\": \"dbname=crm\"}},\n"
	" \"identifiers\": {\"email\": {}},\n"
	" \"entities\": [\n"
	"  {\"name\": \"people\", \"source\": \"crm\", \"table\": \"p\",\n"
	"   \"origin\": \"provided\", \"legal_basis\": \"contract\",\n"
	"   \"columns\": [\"id\", {\"name\": \"score\", \"origin\": "
	"\"derived\"},\n"
	"     {\"name\": \"secret\", \"redact\": \"drop\"},\n"
	"     {\"name\": \"number\", \"origin\": \"assigned\"}],\n"
	"   \"match\": {\"identifier\": \"email\", \"column\": \"email\"}},\n"
	"  {\"name\": \"notes\", \"source\": \"crm\", \"table\": \"n\",\n"
	"   \"origin\": \"provided\", \"legal_basis\": \"contract\", "
	"\"internal\": true,\n"
	"   \"columns\": [\"id\", {\"name\": \"agent\", \"redact\": {\"role\": "
	"{\"en\": \"agent\", \"nl\": \"medewerker\"}}},\n"
	"     {\"name\": \"body\", \"redact\": {\"mask\": [\"email\"]}}],\n"
	"   \"parent\": {\"entity\": \"people\", \"column\": \"pid\", "
	"\"references\": \"id\"}},\n"
	"  {\"name\": \"readings\", \"source\": \"crm\", \"table\": \"r\",\n"
	"   \"origin\": \"observed\", \"legal_basis\": \"legal_obligation\",\n"
	"   \"columns\": [\"id\"],\n"
	"   \"match\": {\"identifier\": \"email\", \"column\": \"email\"}}\n"
	" ]}\n";

static dpex_column people_cols[] = {{.name = "id"},
				    {.name = "score"},
				    {.name = "secret"},
				    {.name = "number"}};
static dpex_column notes_cols[] = {
	{.name = "id"}, {.name = "agent"}, {.name = "body"}};
static dpex_column readings_cols[] = {{.name = "id"}};
static const dpex_entity_shape shapes[] = {
	{"people", 0, -1, 4, people_cols},
	{"notes", 1, 0, 3, notes_cols},
	{"readings", 2, -1, 1, readings_cols},
};

/* An exporter that writes down what it is told. */
static int rec_start(void *self, const dpex_entity_shape *e)
{
	return dpex_buf_printf(self, "<%s#%d^%d:", e->name, e->index,
			       e->parent);
}

static int rec_row(void *self, const dpex_entity_shape *e, const dpex_value *v)
{
	dpex_buf *b = self;
	int rc = dpex_buf_putc(b, '(');
	for (size_t c = 0; !rc && c < e->ncolumns; c++)
		rc = dpex_buf_printf(b, "%s%s=%s", c ? "," : "",
				     e->columns[c].name,
				     v[c].is_null ? "NULL" : v[c].data);
	return rc;
}

static int rec_row_end(void *self, const dpex_entity_shape *e)
{
	(void)e;
	return dpex_buf_putc(self, ')');
}

static int rec_end(void *self, const dpex_entity_shape *e)
{
	(void)e;
	return dpex_buf_putc(self, '>');
}

static const dpex_exporter_ops recorder = {
	.name = "recorder",
	.entity_start = rec_start,
	.row = rec_row,
	.row_end = rec_row_end,
	.entity_end = rec_end,
};

#define V(s)                                                                   \
	{                                                                      \
		(s), sizeof(s) - 1, false                                      \
	}

/* Sends one person's rows through a scope of kind, returns what the
 * exporter saw, the redaction counts and the exclusions. */
static void run(dpex_request_kind kind, const char *lang, char **seen,
		char **redactions, char **excluded)
{
	dpex_datamap *m = NULL;
	dpex_diags d = DPEX_DIAGS_INIT;
	cr_assert_eq(dpex_datamap_parse(&m, "map.json", map_text,
					strlen(map_text), &d),
		     0, "%s", dpex_error_message());
	const char *values[] = {"me@example.nl"};
	dpex_identifier_values ids = {"email", values, 1, true};
	dpex_export_info info = {"r", "now", &ids, 1};
	dpex_scope *s = NULL;
	cr_assert_eq(dpex_scope_open(&s, m, kind, shapes, &info, lang), 0);
	dpex_buf b = DPEX_BUF_INIT;
	dpex_output rec = {&recorder, &b};
	dpex_output o = dpex_scope_output(s, &rec, 1);
	const dpex_value person[] = {V("1"), V("0.7"), V("hunter2"), V("C-17")};
	const dpex_value note1[] = {V("10"), V("Femke Bos"),
				    V("mail a@b.org or me@example.nl")};
	const dpex_value note2[] = {V("11"), {NULL, 0, true}, V("none")};
	const dpex_value reading[] = {V("5")};
	const dpex_exporter_ops *ops = o.ops;
	cr_assert_eq(ops->entity_start(o.self, &shapes[0]), 0);
	cr_assert_eq(ops->row(o.self, &shapes[0], person), 0);
	cr_assert_eq(ops->entity_start(o.self, &shapes[1]), 0);
	cr_assert_eq(ops->row(o.self, &shapes[1], note1), 0);
	cr_assert_eq(ops->row_end(o.self, &shapes[1]), 0);
	cr_assert_eq(ops->row(o.self, &shapes[1], note2), 0);
	cr_assert_eq(ops->row_end(o.self, &shapes[1]), 0);
	cr_assert_eq(ops->entity_end(o.self, &shapes[1]), 0);
	cr_assert_eq(ops->row_end(o.self, &shapes[0]), 0);
	cr_assert_eq(ops->entity_end(o.self, &shapes[0]), 0);
	cr_assert_eq(ops->entity_start(o.self, &shapes[2]), 0);
	cr_assert_eq(ops->row(o.self, &shapes[2], reading), 0);
	cr_assert_eq(ops->row_end(o.self, &shapes[2]), 0);
	cr_assert_eq(ops->entity_end(o.self, &shapes[2]), 0);
	*seen = dpex_buf_steal(&b);
	json_t *r = dpex_scope_redactions(s);
	json_t *x = dpex_scope_excluded(s);
	*redactions = json_dumps(r, JSON_COMPACT | JSON_PRESERVE_ORDER);
	*excluded = json_dumps(x, JSON_COMPACT | JSON_PRESERVE_ORDER);
	json_decref(r);
	json_decref(x);
	dpex_scope_free(s);
	dpex_datamap_free(m);
	dpex_diags_free(&d);
}

Test(scope, access_keeps_everything_and_redacts)
{
	char *seen, *red, *exc;
	run(DPEX_REQUEST_ACCESS, "en", &seen, &red, &exc);
	cr_expect_str_eq(
		seen, "<people#0^-1:(id=1,score=0.7,number=C-17"
		      "<notes#1^0:(id=10,agent=agent,body=mail [e-mail address "
		      "removed] or me@example.nl)(id=11,agent=NULL,body=none)>"
		      ")><readings#2^-1:(id=5)>");
	cr_expect_str_eq(red, "{\"people.secret\":1,\"notes.agent\":1,"
			      "\"notes.body\":1}");
	cr_expect_str_eq(exc, "[]");
	free(seen);
	free(red);
	free(exc);
}

Test(scope, portability_leaves_out_and_renumbers)
{
	char *seen, *red, *exc;
	run(DPEX_REQUEST_PORTABILITY, "nl", &seen, &red, &exc);
	cr_expect_str_eq(seen, "<people#0^-1:(id=1)>");
	cr_expect_str_eq(red, "{\"people.secret\":1}");
	cr_expect_str_eq(
		exc,
		"[{\"entity\":\"people\",\"column\":\"score\",\"reason\":"
		"\"derived data is not in the scope of Art. 20\"},"
		"{\"entity\":\"people\",\"column\":\"number\",\"reason\":"
		"\"data we assigned (a number, a manager, a group) was not "
		"provided by the person (Art. 20(1))\"},"
		"{\"entity\":\"notes\",\"reason\":\"internal notes are not "
		"data the person provided (Art. 20(1))\"},"
		"{\"entity\":\"readings\",\"reason\":\"its processing rests "
		"neither on consent nor on a contract (Art. 20(1)(a))\"}]");
	free(seen);
	free(red);
	free(exc);
}

Test(scope, roles_and_marks_follow_the_language)
{
	char *seen, *red, *exc;
	run(DPEX_REQUEST_ACCESS, "nl", &seen, &red, &exc);
	cr_expect(strstr(seen, "agent=medewerker,body=mail [e-mailadres "
			       "verwijderd] or me@example.nl"),
		  "%s", seen);
	free(seen);
	free(red);
	free(exc);
}

Test(scope, kinds_by_name)
{
	dpex_request_kind k;
	cr_expect_eq(dpex_request_kind_parse("portability", &k), 0);
	cr_expect_eq(k, DPEX_REQUEST_PORTABILITY);
	cr_expect_str_eq(dpex_request_kind_name(k), "portability");
	cr_expect_eq(dpex_request_kind_parse("erasure", &k), DPEX_EUSAGE);
	cr_expect_str_eq(dpex_error_message(),
			 "unknown kind \"erasure\": choose access (Art. 15) "
			 "or portability (Art. 20)");
}

Test(scope, a_redacted_column_becomes_text)
{
	dpex_datamap *m = NULL;
	dpex_diags d = DPEX_DIAGS_INIT;
	cr_assert_eq(dpex_datamap_parse(&m, "map.json", map_text,
					strlen(map_text), &d),
		     0);
	dpex_column cols[] = {{.name = "id", .kind = DPEX_KIND_INTEGER},
			      {.name = "agent", .kind = DPEX_KIND_INTEGER},
			      {.name = "body", .kind = DPEX_KIND_JSON}};
	dpex_entity_shape typed[] = {shapes[0], shapes[1], shapes[2]};
	typed[1].columns = cols;
	dpex_export_info info = {"r", "now", NULL, 0};
	dpex_scope *s = NULL;
	cr_assert_eq(
		dpex_scope_open(&s, m, DPEX_REQUEST_ACCESS, typed, &info, "en"),
		0);
	size_t n;
	const dpex_entity_shape *out = dpex_scope_shapes(s, &n);
	cr_assert_eq(n, 3);
	cr_expect_eq(out[1].columns[0].kind, DPEX_KIND_INTEGER);
	cr_expect_eq(out[1].columns[1].kind, DPEX_KIND_TEXT); /* a role */
	cr_expect_eq(out[1].columns[2].kind, DPEX_KIND_JSON); /* masked */
	dpex_scope_free(s);
	dpex_datamap_free(m);
	dpex_diags_free(&d);
}
