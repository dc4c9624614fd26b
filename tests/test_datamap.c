/* The data map parser: valid maps load; each kind of broken map gives the
 * exact message a user sees, with file, line and column. */
#include "core/map/datamap.h"
#include "core/base/error.h"

#include <criterion/criterion.h>
#include <stdlib.h>
#include <string.h>

static const char valid_map[] =
	"{\n"
	"  \"name\": \"test\",\n"
	"  \"sources\": {\n"
	"    \"crm\": {\"conninfo\": \"host=${PGHOST} dbname=crm\"},\n"
	"    \"orders\": {\"conninfo\": \"service=orders\"}\n"
	"  },\n"
	"  \"identifiers\": {\"customer_id\": {}, \"email\": "
	"{\"description\": \"E-mail\"}},\n"
	"  \"links\": [\n"
	"    {\"source\": \"crm\", \"table\": \"customers\",\n"
	"     \"identifiers\": {\"customer_id\": \"id\", \"email\": "
	"\"email\"}}\n"
	"  ],\n"
	"  \"entities\": [\n"
	"    {\"name\": \"customers\", \"source\": \"crm\", \"table\": "
	"\"customers\",\n"
	"     \"columns\": [{\"name\": \"id\", \"identifier\": true}, "
	"\"name\"],\n"
	"     \"match\": {\"identifier\": \"customer_id\", \"column\": "
	"\"id\"},\n"
	"     \"order_by\": [\"id\", {\"column\": \"name\", \"descending\": "
	"true}]},\n"
	"    {\"name\": \"orders\", \"source\": \"orders\", \"schema\": "
	"\"sales\", \"table\": \"orders\",\n"
	"     \"columns\": [\"id\"], \"match\": {\"identifier\": \"email\", "
	"\"column\": \"email\"}},\n"
	"    {\"name\": \"lines\", \"source\": \"orders\", \"table\": "
	"\"lines\",\n"
	"     \"columns\": [\"id\"], \"parent\": {\"entity\": \"orders\", "
	"\"column\": \"order_id\", \"references\": \"id\"}}\n"
	"  ]\n"
	"}\n";

/* Parses text; returns the problems joined by newlines (caller frees). */
static char *problems(const char *text, int *rc)
{
	dpex_datamap *m = NULL;
	dpex_diags d = DPEX_DIAGS_INIT;
	*rc = dpex_datamap_parse(&m, "map.json", text, strlen(text), &d);
	size_t len = 1;
	for (size_t i = 0; i < d.count; i++)
		len += strlen(d.items[i].text) + 1;
	char *out = calloc(1, len);
	for (size_t i = 0; i < d.count; i++) {
		strcat(out, d.items[i].text);
		strcat(out, "\n");
	}
	dpex_diags_free(&d);
	dpex_datamap_free(m);
	return out;
}

#define EXPECT_PROBLEMS(text, expected)                                        \
	do {                                                                   \
		int rc_;                                                       \
		char *got_ = problems(text, &rc_);                             \
		cr_expect_eq(rc_, DPEX_EMAP);                                  \
		cr_expect_str_eq(got_, expected);                              \
		free(got_);                                                    \
	} while (0)

Test(datamap, valid_map_loads_every_part)
{
	dpex_datamap *m = NULL;
	dpex_diags d = DPEX_DIAGS_INIT;
	int rc = dpex_datamap_parse(&m, "map.json", valid_map,
				    strlen(valid_map), &d);
	cr_assert_eq(rc, 0, "%s", dpex_error_message());
	cr_expect_eq(d.count, 0);
	cr_expect_str_eq(m->name, "test");
	cr_assert_eq(m->nsources, 2);
	cr_expect_str_eq(m->sources[1].conninfo, "service=orders");
	cr_assert_eq(m->nidentifiers, 2);
	cr_expect_str_eq(m->identifiers[1].description, "E-mail");
	cr_assert_eq(m->nlinks, 1);
	cr_expect_eq(m->links[0].nkeys, 2);
	cr_expect_str_eq(m->links[0].schema, "public");
	cr_assert_eq(m->nentities, 3);
	const dpex_map_entity *c = &m->entities[0];
	cr_expect(c->columns[0].identifier);
	cr_expect(!c->columns[1].identifier);
	cr_expect_eq(c->match_identifier, 0);
	cr_expect_eq(c->parent, -1);
	cr_assert_eq(c->norder_by, 2);
	cr_expect(c->order_by[1].descending);
	cr_expect_str_eq(m->entities[1].schema, "sales");
	cr_expect_eq(m->entities[2].parent, 1);
	cr_expect_str_eq(m->entities[2].parent_references, "id");
	dpex_datamap_free(m);
	dpex_diags_free(&d);
}

Test(datamap, malformed_json_gives_line_and_column)
{
	EXPECT_PROBLEMS("{\n  \"sources\": {\n    \"crm\": \n  }\n}\n",
			"map.json:4:3: invalid JSON: unexpected token near "
			"'}'\n");
}

Test(datamap, duplicate_key_is_refused)
{
	EXPECT_PROBLEMS("{\"sources\": {}, \"sources\": {}}",
			"map.json:1:25: invalid JSON: duplicate object key "
			"near '\"sources\"'\n");
}

Test(datamap, every_problem_is_reported_with_its_place)
{
	const char *text =
		"{\n"
		"  \"sources\": {\"crm\": {\"conninfo\": \"dbname=crm "
		"password=hunter2\"}},\n"
		"  \"identifiers\": {\"email\": {}},\n"
		"  \"entitis\": [],\n"
		"  \"entities\": [\n"
		"    {\"name\": \"notes\", \"source\": \"crmm\", \"table\": "
		"\"notes\",\n"
		"     \"columns\": [\"id\", \"id\"],\n"
		"     \"match\": {\"identifier\": \"mail\", \"column\": "
		"\"email\"}},\n"
		"    {\"name\": \"notes\", \"source\": \"crm\", \"table\": "
		"\"t\", \"columns\": []}\n"
		"  ]\n"
		"}\n";
	EXPECT_PROBLEMS(
		text,
		"map.json:4:14: $.entitis: unknown key \"entitis\" (expected "
		"one of \"$schema\", \"name\", \"sources\", \"identifiers\", "
		"\"links\", \"entities\", \"controller\", "
		"\"supervisory_authority\", \"categories\", \"purposes\", "
		"\"recipients\")\n"
		"map.json:2:35: $.sources.crm.conninfo: contains a password: "
		"passwords do not belong in the map; use ~/.pgpass, "
		"PGPASSFILE or PGPASSWORD instead\n"
		"map.json:6:33: $.entities[0].source: unknown source "
		"\"crmm\": declare it under \"sources\"\n"
		"map.json:7:24: $.entities[0].columns[1]: column \"id\" is "
		"listed twice\n"
		"map.json:8:30: $.entities[0].match.identifier: unknown "
		"identifier \"mail\": declare it under \"identifiers\"\n"
		"map.json:9:14: $.entities[1].name: entity name \"notes\" is "
		"used twice (also at entities[0])\n"
		"map.json:9:65: $.entities[1].columns: list at least one "
		"column\n"
		"map.json:9:5: $.entities[1]: missing \"match\" or \"parent\": "
		"say how rows are found for a subject\n");
}

Test(datamap, parents_must_come_first_and_share_the_source)
{
	const char *text =
		"{\"sources\": {\"a\": {\"conninfo\": \"dbname=a\"}, \"b\": "
		"{\"conninfo\": \"dbname=b\"}},\n"
		" \"identifiers\": {\"id\": {}},\n"
		" \"entities\": [\n"
		"  {\"name\": \"child\", \"source\": \"a\", \"table\": \"c\", "
		"\"columns\": [\"x\"],\n"
		"   \"parent\": {\"entity\": \"root\", \"column\": \"r\", "
		"\"references\": \"id\"}},\n"
		"  {\"name\": \"root\", \"source\": \"a\", \"table\": \"r\", "
		"\"columns\": [\"id\", \"other\"],\n"
		"   \"match\": {\"identifier\": \"id\", \"column\": \"id\"}},\n"
		"  {\"name\": \"other\", \"source\": \"b\", \"table\": \"o\", "
		"\"columns\": [\"x\"],\n"
		"   \"parent\": {\"entity\": \"root\", \"column\": \"r\", "
		"\"references\": \"id\"}}\n"
		" ]}\n";
	EXPECT_PROBLEMS(
		text,
		"map.json:5:25: $.entities[0].parent.entity: unknown parent "
		"entity \"root\": a parent must be declared before its "
		"children\n"
		"map.json:9:25: $.entities[2].parent.entity: parent entity "
		"\"root\" is in source \"a\", but a child must be in the "
		"same source as its parent\n");
}

Test(datamap, names_types_and_both_match_and_parent)
{
	const char *text =
		"{\"sources\": {\"Bad-Name\": {\"conninfo\": 5}},\n"
		" \"identifiers\": {\"id\": {}},\n"
		" \"links\": [{\"source\": \"Bad-Name\", \"table\": \"t\", "
		"\"identifiers\": {\"id\": \"id\"}}],\n"
		" \"entities\": [\n"
		"  {\"name\": \"x\", \"source\": \"Bad-Name\", \"table\": "
		"\"t\", "
		"\"columns\": [\"a\"],\n"
		"   \"match\": {\"identifier\": \"id\", \"column\": \"id\"},\n"
		"   \"parent\": {\"entity\": \"x\", \"column\": \"a\", "
		"\"references\": \"b\"}}\n"
		" ]}\n";
	EXPECT_PROBLEMS(
		text,
		"map.json:1:26: $.sources[\"Bad-Name\"]: source name "
		"\"Bad-Name\" is not valid: use 1 to 63 lower-case letters, "
		"digits and '_', starting with a letter\n"
		"map.json:1:39: $.sources[\"Bad-Name\"].conninfo: must be a "
		"string, not a number\n"
		"map.json:3:64: $.links[0].identifiers: a link needs at least "
		"two identifiers: it says which columns of one row name the "
		"same person\n"
		"map.json:5:3: $.entities[0]: an entity has either \"match\" "
		"(rows found by a subject identifier) or \"parent\" (rows "
		"under another entity's rows), not both\n");
}

Test(datamap, missing_file_is_a_map_error)
{
	dpex_datamap *m = NULL;
	dpex_diags d = DPEX_DIAGS_INIT;
	int rc = dpex_datamap_load(&m, "/nonexistent/map.json", &d);
	cr_expect_eq(rc, DPEX_EMAP);
	cr_expect_null(m);
	cr_expect_str_eq(dpex_error_message(),
			 "cannot open map \"/nonexistent/map.json\": No such "
			 "file or directory");
	dpex_diags_free(&d);
}

Test(datamap, conninfo_expands_environment_without_leaking_it)
{
	dpex_datamap *m = NULL;
	dpex_diags d = DPEX_DIAGS_INIT;
	cr_assert_eq(dpex_datamap_parse(&m, "map.json", valid_map,
					strlen(valid_map), &d),
		     0);
	setenv("PGHOST", "/tmp/sock dir", 1);
	char *ci = NULL;
	cr_assert_eq(dpex_datamap_conninfo(m, 0, &ci), 0);
	cr_expect_str_eq(ci, "host=/tmp/sock dir dbname=crm");
	free(ci);
	unsetenv("PGHOST");
	cr_expect_eq(dpex_datamap_conninfo(m, 0, &ci), DPEX_EMAP);
	cr_expect_str_eq(dpex_error_message(),
			 "source \"crm\": environment variable PGHOST used in "
			 "its conninfo is not set");
	dpex_datamap_free(m);
	dpex_diags_free(&d);
}
