/* The plan: link order and the exact SQL an export runs, with every name
 * quoted and every value a parameter. */
#include "core/map/datamap.h"
#include "core/base/error.h"
#include "core/pg/plan.h"

#include <criterion/criterion.h>
#include <string.h>

static const char map_text[] =
	"{\"sources\": {\"crm\": {\"conninfo\": \"dbname=crm\"}, \"shop\": "
	"{\"conninfo\": \"dbname=shop\"}},\n"
	" \"identifiers\": {\"customer_id\": {}, \"email\": {}, \"ref\": "
	"{}},\n"
	" \"links\": [{\"source\": \"crm\", \"table\": \"customers\", "
	"\"identifiers\": {\"customer_id\": \"id\", \"email\": \"email\", "
	"\"ref\": \"order ref\"}}],\n"
	" \"entities\": [\n"
	"  {\"name\": \"customers\", \"source\": \"crm\", \"table\": "
	"\"customers\", \"columns\": [\"id\", \"na\\\"me\"],\n"
	"   \"match\": {\"identifier\": \"customer_id\", \"column\": \"id\"}, "
	"\"order_by\": [\"id\"]},\n"
	"  {\"name\": \"orders\", \"source\": \"shop\", \"schema\": \"sales\", "
	"\"table\": \"orders; DROP TABLE x\", \"columns\": [\"id\", "
	"\"placed\"],\n"
	"   \"match\": {\"identifier\": \"ref\", \"column\": \"cust\"}, "
	"\"order_by\": [{\"column\": \"placed\", \"descending\": true}]},\n"
	"  {\"name\": \"lines\", \"source\": \"shop\", \"table\": \"lines\", "
	"\"columns\": [\"no\"],\n"
	"   \"parent\": {\"entity\": \"orders\", \"column\": \"order_id\", "
	"\"references\": \"id\"}, \"order_by\": [\"no\"]}\n"
	" ]}\n";

static dpex_datamap *load(void)
{
	dpex_datamap *m = NULL;
	dpex_diags d = DPEX_DIAGS_INIT;
	int rc = dpex_datamap_parse(&m, "map.json", map_text, strlen(map_text),
				    &d);
	cr_assert_eq(rc, 0, "%s", dpex_error_message());
	dpex_diags_free(&d);
	return m;
}

Test(plan, links_follow_from_the_given_identifier)
{
	dpex_datamap *m = load();
	int given[] = {1}; /* email */
	dpex_plan *p = NULL;
	cr_assert_eq(dpex_plan_build(&p, m, given, 1), 0);
	cr_assert_eq(p->nlinks, 1);
	cr_expect_eq(p->links[0].from, 1);
	cr_assert_eq(p->links[0].nyields, 2);
	cr_expect_str_eq(
		p->links[0].sql,
		"SELECT DISTINCT t0.\"id\"::pg_catalog.text, t0.\"order "
		"ref\"::pg_catalog.text FROM \"public\".\"customers\" AS t0 "
		"WHERE t0.\"email\" OPERATOR(pg_catalog.=) ANY($1)");
	cr_expect(p->entities[0].reachable);
	cr_expect(p->entities[1].reachable);
	dpex_plan_free(p);
	dpex_datamap_free(m);
}

Test(plan, names_are_quoted_never_executed)
{
	dpex_datamap *m = load();
	int given[] = {0};
	dpex_plan *p = NULL;
	cr_assert_eq(dpex_plan_build(&p, m, given, 1), 0);
	cr_expect_str_eq(p->entities[0].sql,
			 "SELECT t0.\"id\", t0.\"na\"\"me\" FROM "
			 "\"public\".\"customers\" AS t0 WHERE t0.\"id\" "
			 "OPERATOR(pg_catalog.=) "
			 "ANY($1) ORDER BY t0.\"id\"");
	cr_expect_str_eq(p->entities[1].sql,
			 "SELECT t0.\"id\", t0.\"placed\", t0.\"id\" FROM "
			 "\"sales\".\"orders; DROP TABLE x\" AS t0 WHERE "
			 "t0.\"cust\" OPERATOR(pg_catalog.=) ANY($1) ORDER BY "
			 "t0.\"placed\" DESC, "
			 "t0.\"id\"");
	dpex_plan_free(p);
	dpex_datamap_free(m);
}

Test(plan, children_are_ordered_by_their_parents_first)
{
	dpex_datamap *m = load();
	int given[] = {0};
	dpex_plan *p = NULL;
	cr_assert_eq(dpex_plan_build(&p, m, given, 1), 0);
	const dpex_plan_entity *lines = &p->entities[2];
	cr_expect_str_eq(
		lines->sql,
		"SELECT t1.\"no\", t0.\"id\" FROM \"public\".\"lines\" "
		"AS t1 JOIN \"sales\".\"orders; DROP TABLE x\" AS t0 "
		"ON t1.\"order_id\" OPERATOR(pg_catalog.=) t0.\"id\" WHERE "
		"t0.\"cust\" OPERATOR(pg_catalog.=) "
		"ANY($1) ORDER BY t0.\"placed\" DESC, t0.\"id\", "
		"t1.\"no\"");
	cr_expect_eq(lines->ncolumns, 1);
	cr_expect_eq(lines->parent_key, 1);
	cr_assert_eq(p->entities[1].nchildren, 1);
	cr_expect_eq(p->entities[1].children[0], 2);
	cr_expect_eq(p->entities[1].child_keys[0], 2);
	dpex_plan_free(p);
	dpex_datamap_free(m);
}

Test(plan, unreachable_identifier_is_marked)
{
	dpex_datamap *m = load();
	int given[] = {2}; /* ref: the link finds customer_id and email */
	dpex_plan *p = NULL;
	cr_assert_eq(dpex_plan_build(&p, m, given, 1), 0);
	cr_expect(p->entities[0].reachable);
	dpex_plan_free(p);
	dpex_datamap_free(m);
	/* Without links nothing else is reachable. */
	char *text = strdup(map_text);
	char *links = strstr(text, "\"links\"");
	memcpy(links, "\"linkz\"", 7);
	dpex_diags d = DPEX_DIAGS_INIT;
	cr_assert_eq(dpex_datamap_parse(&m, "map.json", text, strlen(text), &d),
		     DPEX_EMAP);
	dpex_diags_free(&d);
	free(text);
}
