/* Broken maps a user may write: each is refused with the exact message
 * they see (file, line, column, JSON path, what is wrong and how to fix
 * it), and loops in the map's graphs cannot hang the planner. */
#include "core/map/datamap.h"
#include "core/base/error.h"
#include "core/pg/plan.h"

#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

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

#define SOURCES "\"sources\": {\"crm\": {\"conninfo\": \"dbname=crm\"}},\n"

Test(map_errors, truncated_json_points_at_the_end)
{
	EXPECT_PROBLEMS("{\n  \"sources\": {\n    \"crm\": {\"conninfo\": "
			"\"dbname=crm\"",
			"map.json:3:36: invalid JSON: '}' expected near end "
			"of file\n");
}

Test(map_errors, trailing_comma_points_at_its_place)
{
	EXPECT_PROBLEMS("{\n  \"identifiers\": {\"email\": {},}\n}\n",
			"map.json:2:31: invalid JSON: string or '}' expected "
			"near '}'\n");
}

Test(map_errors, empty_file_is_invalid_json)
{
	EXPECT_PROBLEMS("", "map.json:1:0: invalid JSON: '[' or '{' expected "
			    "near end of file\n");
}

Test(map_errors, schema_violations_name_the_json_path)
{
	EXPECT_PROBLEMS(
		"{" SOURCES " \"identifiers\": [\"email\"],\n"
		" \"links\": {},\n"
		" \"entities\": [\n"
		"  {\"name\": \"n\", \"source\": \"crm\", \"table\": \"t\",\n"
		"   \"columns\": [7, {\"name\": \"a\", \"identifier\": "
		"\"yes\"}],\n"
		"   \"order_by\": [false],\n"
		"   \"match\": {\"identifier\": \"email\", \"column\": \"\"}}\n"
		" ]}\n",
		"map.json:2:17: $.identifiers: must be an object, not an "
		"array\n"
		"map.json:3:11: $.links: must be an array, not an object\n"
		"map.json:6:16: $.entities[0].columns[0]: must be an object, "
		"not a number\n"
		"map.json:6:47: $.entities[0].columns[1].identifier: must be "
		"a boolean, not a string\n"
		"map.json:7:17: $.entities[0].order_by[0]: must be a column "
		"name or {\"column\": ..., \"descending\": true}\n"
		"map.json:8:28: $.entities[0].match.identifier: unknown "
		"identifier \"email\": declare it under \"identifiers\"\n"
		"map.json:8:47: $.entities[0].match.column: must not be "
		"empty\n");
}

Test(map_errors, root_must_be_an_object)
{
	EXPECT_PROBLEMS("[]", "map.json:1:1: $: must be an object, not an "
			      "array\n");
}

Test(map_errors, unknown_source_and_entity_references)
{
	EXPECT_PROBLEMS(
		"{" SOURCES " \"identifiers\": {\"email\": {}, \"id\": {}},\n"
		" \"links\": [{\"source\": \"billing\", \"table\": \"c\",\n"
		"   \"identifiers\": {\"email\": \"email\", \"id\": "
		"\"id\"}}],\n"
		" \"entities\": [\n"
		"  {\"name\": \"a\", \"source\": \"crm\", \"table\": \"a\", "
		"\"columns\": [\"x\"],\n"
		"   \"match\": {\"identifier\": \"email\", \"column\": "
		"\"e\"}},\n"
		"  {\"name\": \"b\", \"source\": \"crm\", \"table\": \"b\", "
		"\"columns\": [\"x\"],\n"
		"   \"parent\": {\"entity\": \"orders\", \"column\": \"a\", "
		"\"references\": \"x\"}}\n"
		" ]}\n",
		"map.json:3:23: $.links[0].source: unknown source \"billing\": "
		"declare it under \"sources\"\n"
		"map.json:9:25: $.entities[1].parent.entity: unknown parent "
		"entity \"orders\": a parent must be declared before its "
		"children\n");
}

Test(map_errors, an_entity_cannot_be_its_own_parent)
{
	EXPECT_PROBLEMS(
		"{" SOURCES " \"identifiers\": {\"email\": {}},\n"
		" \"entities\": [\n"
		"  {\"name\": \"a\", \"source\": \"crm\", \"table\": \"a\", "
		"\"columns\": [\"x\"],\n"
		"   \"match\": {\"identifier\": \"email\", \"column\": "
		"\"e\"}},\n"
		"  {\"name\": \"b\", \"source\": \"crm\", \"table\": \"b\", "
		"\"columns\": [\"x\"],\n"
		"   \"parent\": {\"entity\": \"b\", \"column\": \"x\", "
		"\"references\": \"x\"}}\n"
		" ]}\n",
		"map.json:7:25: $.entities[1].parent.entity: entity \"b\" "
		"names itself as its parent: a parent is another entity, "
		"declared before its children\n");
}

Test(map_errors, duplicate_entity_name)
{
	EXPECT_PROBLEMS(
		"{" SOURCES " \"identifiers\": {\"email\": {}},\n"
		" \"entities\": [\n"
		"  {\"name\": \"notes\", \"source\": \"crm\", \"table\": "
		"\"a\", "
		"\"columns\": [\"x\"],\n"
		"   \"match\": {\"identifier\": \"email\", \"column\": "
		"\"e\"}},\n"
		"  {\"name\": \"notes\", \"source\": \"crm\", \"table\": "
		"\"b\", "
		"\"columns\": [\"x\"],\n"
		"   \"match\": {\"identifier\": \"email\", \"column\": "
		"\"e\"}}\n"
		" ]}\n",
		"map.json:6:12: $.entities[1].name: entity name \"notes\" is "
		"used twice (also at entities[0])\n");
}

Test(map_errors, identifier_nothing_uses)
{
	EXPECT_PROBLEMS(
		"{" SOURCES " \"identifiers\": {\"email\": {}, \"iban\": {}},\n"
		" \"entities\": [\n"
		"  {\"name\": \"a\", \"source\": \"crm\", \"table\": \"a\", "
		"\"columns\": [\"x\"],\n"
		"   \"match\": {\"identifier\": \"email\", \"column\": "
		"\"e\"}}\n"
		" ]}\n",
		"map.json:2:39: $.identifiers.iban: identifier \"iban\" is "
		"used by no link and no entity: a request naming it would "
		"find nothing; match an entity on it, add it to a link, or "
		"remove it\n");
}

Test(map_errors, identifier_no_link_ties_to_the_others)
{
	EXPECT_PROBLEMS(
		"{" SOURCES
		" \"identifiers\": {\"email\": {}, \"id\": {}, \"iban\": {}},\n"
		" \"links\": [{\"source\": \"crm\", \"table\": \"c\",\n"
		"   \"identifiers\": {\"email\": \"email\", \"id\": "
		"\"id\"}}],\n"
		" \"entities\": [\n"
		"  {\"name\": \"a\", \"source\": \"crm\", \"table\": \"a\", "
		"\"columns\": [\"x\"],\n"
		"   \"match\": {\"identifier\": \"id\", \"column\": \"e\"}},\n"
		"  {\"name\": \"b\", \"source\": \"crm\", \"table\": \"b\", "
		"\"columns\": [\"x\"],\n"
		"   \"match\": {\"identifier\": \"iban\", \"column\": \"e\"}}\n"
		" ]}\n",
		"map.json:9:28: $.entities[1].match.identifier: identifier "
		"\"iban\" is not tied to \"id\" (used by entity \"a\") by any "
		"link, so a request naming one would miss the other's rows: "
		"add a link (a table holding both), or match on an identifier "
		"that is tied\n");
}

/* Links that tie identifiers in a circle (a-b, b-c, c-a): each link is
 * followed at most once and only to learn something new, so planning ends
 * and asks each database no more than it must. */
Test(map_errors, links_in_a_cycle_are_followed_once)
{
	const char *text =
		"{" SOURCES
		" \"identifiers\": {\"a\": {}, \"b\": {}, \"c\": {}},\n"
		" \"links\": [\n"
		"  {\"source\": \"crm\", \"table\": \"ab\", \"identifiers\": "
		"{\"a\": \"a\", \"b\": \"b\"}},\n"
		"  {\"source\": \"crm\", \"table\": \"bc\", \"identifiers\": "
		"{\"b\": \"b\", \"c\": \"c\"}},\n"
		"  {\"source\": \"crm\", \"table\": \"ca\", \"identifiers\": "
		"{\"c\": \"c\", \"a\": \"a\"}}],\n"
		" \"entities\": [\n"
		"  {\"name\": \"x\", \"source\": \"crm\", \"table\": \"x\", "
		"\"columns\": [\"v\"],\n"
		"   \"match\": {\"identifier\": \"c\", \"column\": \"c\"}}\n"
		" ]}\n";
	dpex_datamap *m = NULL;
	dpex_diags d = DPEX_DIAGS_INIT;
	cr_assert_eq(dpex_datamap_parse(&m, "map.json", text, strlen(text), &d),
		     0, "%s", dpex_error_message());
	for (int given = 0; given < 3; given++) {
		dpex_plan *p = NULL;
		cr_assert_eq(dpex_plan_build(&p, m, &given, 1), 0);
		/* Two links learn the two other identifiers; the third would
		 * teach nothing and is not run. */
		cr_expect_eq(p->nlinks, 2, "from %d: %zu links", given,
			     p->nlinks);
		cr_expect(p->known[0] && p->known[1] && p->known[2]);
		cr_expect(p->entities[0].reachable);
		dpex_plan_free(p);
	}
	dpex_datamap_free(m);
	dpex_diags_free(&d);
}

/* A map may be written by a tool: deep parent chains end in a clear error
 * instead of a query too large to plan. */
Test(map_errors, nesting_too_deep_is_a_map_error)
{
	char text[16384];
	int n = snprintf(text, sizeof(text),
			 "{" SOURCES " \"identifiers\": {\"id\": {}},\n"
			 " \"entities\": [\n"
			 "  {\"name\": \"e0\", \"source\": \"crm\", \"table\": "
			 "\"t\", \"columns\": [\"k\"], \"match\": "
			 "{\"identifier\": \"id\", \"column\": \"k\"}}");
	for (int i = 1; i <= 20; i++)
		n += snprintf(text + n, sizeof(text) - (size_t)n,
			      ",\n  {\"name\": \"e%d\", \"source\": \"crm\", "
			      "\"table\": \"t\", \"columns\": [\"k\"], "
			      "\"parent\": {\"entity\": \"e%d\", \"column\": "
			      "\"k\", \"references\": \"k\"}}",
			      i, i - 1);
	snprintf(text + n, sizeof(text) - (size_t)n, "\n ]}\n");
	dpex_datamap *m = NULL;
	dpex_diags d = DPEX_DIAGS_INIT;
	cr_assert_eq(dpex_datamap_parse(&m, "map.json", text, strlen(text), &d),
		     0, "%s", dpex_error_message());
	int given = 0;
	dpex_plan *p = NULL;
	cr_expect_eq(dpex_plan_build(&p, m, &given, 1), DPEX_EMAP);
	cr_expect_null(p);
	cr_expect_str_eq(dpex_error_message(),
			 "entity \"e16\" is nested deeper than 16 levels");
	dpex_datamap_free(m);
	dpex_diags_free(&d);
}

Test(map_errors, identifiers_only_a_stray_link_ties)
{
	EXPECT_PROBLEMS(
		"{" SOURCES
		" \"identifiers\": {\"email\": {}, \"c\": {}, \"d\": {}},\n"
		" \"links\": [{\"source\": \"crm\", \"table\": \"cd\",\n"
		"   \"identifiers\": {\"c\": \"c\", \"d\": \"d\"}}],\n"
		" \"entities\": [\n"
		"  {\"name\": \"a\", \"source\": \"crm\", \"table\": \"a\", "
		"\"columns\": [\"x\"],\n"
		"   \"match\": {\"identifier\": \"email\", \"column\": "
		"\"e\"}}\n"
		" ]}\n",
		"map.json:2:36: $.identifiers.c: identifier \"c\" is not tied "
		"to \"email\" (used by entity \"a\") by any link, so a request "
		"naming it would find nothing: add a link that holds it and a "
		"tied identifier, or remove it\n"
		"map.json:2:45: $.identifiers.d: identifier \"d\" is not tied "
		"to \"email\" (used by entity \"a\") by any link, so a request "
		"naming it would find nothing: add a link that holds it and a "
		"tied identifier, or remove it\n");
}

/* Found by fuzz/fuzz_datamap: a parent or child whose source is unknown
 * made the same-source check read outside the sources. */
Test(map_errors, parent_or_child_with_unknown_source)
{
	EXPECT_PROBLEMS(
		"{" SOURCES " \"identifiers\": {\"email\": {}},\n"
		" \"entities\": [\n"
		"  {\"name\": \"a\", \"source\": \"nope\", \"table\": \"a\", "
		"\"columns\": [\"x\"],\n"
		"   \"match\": {\"identifier\": \"email\", \"column\": "
		"\"e\"}},\n"
		"  {\"name\": \"b\", \"source\": \"crm\", \"table\": \"b\", "
		"\"columns\": [\"x\"],\n"
		"   \"parent\": {\"entity\": \"a\", \"column\": \"x\", "
		"\"references\": \"x\"}},\n"
		"  {\"name\": \"c\", \"source\": \"gone\", \"table\": \"c\", "
		"\"columns\": [\"x\"],\n"
		"   \"parent\": {\"entity\": \"b\", \"column\": \"x\", "
		"\"references\": \"x\"}}\n"
		" ]}\n",
		"map.json:4:27: $.entities[0].source: unknown source \"nope\": "
		"declare it under \"sources\"\n"
		"map.json:8:27: $.entities[2].source: unknown source \"gone\": "
		"declare it under \"sources\"\n");
}
