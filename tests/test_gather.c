/* The gather walk against a real PostgreSQL (scripts/test starts one and
 * exports PGHOST): rows arrive in tree order, grandchildren under their
 * own parents, and hostile names stay names. */
#include "core/base/buf.h"
#include "core/map/datamap.h"
#include "core/base/error.h"
#include "core/answer/gather.h"
#include "core/pg/plan.h"
#include "core/pg/resolve.h"
#include "core/pg/source.h"

#include <criterion/criterion.h>
#include <libpq-fe.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>
#include <string.h>

static void exec_ok(PGconn *c, const char *sql)
{
	PGresult *r = PQexec(c, sql);
	cr_assert(PQresultStatus(r) == PGRES_COMMAND_OK ||
			  PQresultStatus(r) == PGRES_TUPLES_OK,
		  "%s: %s", sql, PQerrorMessage(c));
	PQclear(r);
}

/* Criterion runs tests in parallel processes: a database each, named in
 * the environment the map's conninfo expands. */
static char dbname[64];

static void admin(const char *verb)
{
	PGconn *c = PQconnectdb("dbname=postgres");
	cr_assert_eq(PQstatus(c), CONNECTION_OK, "%s", PQerrorMessage(c));
	char sql[128];
	snprintf(sql, sizeof(sql), "%s DATABASE %s", verb, dbname);
	exec_ok(c, sql);
	PQfinish(c);
}

static void teardown(void)
{
	admin("DROP");
}

static void setup(void)
{
	snprintf(dbname, sizeof(dbname), "dpex_gather_%d", (int)getpid());
	setenv("DPEX_GATHER_DB", dbname, 1);
	admin("CREATE");
	char conninfo[96];
	snprintf(conninfo, sizeof(conninfo), "dbname=%s", dbname);
	PGconn *c = PQconnectdb(conninfo);
	cr_assert_eq(PQstatus(c), CONNECTION_OK, "%s", PQerrorMessage(c));
	exec_ok(c,
		"CREATE TABLE people (id int PRIMARY KEY, email text, "
		"ref text);"
		"CREATE TABLE \"orders; DROP TABLE people\" (id int PRIMARY "
		"KEY, ref text, placed date);"
		"CREATE TABLE lines (id int PRIMARY KEY, order_id int, no int, "
		"\"it\"\"em\" text);"
		"CREATE TABLE parts (id int PRIMARY KEY, line_id int, part "
		"text);"
		"INSERT INTO people VALUES (1, 'a@example.nl', 'R1'), "
		"(2, 'b@example.nl', 'R2');"
		/* Orders newest first; order 12 has no lines. */
		"INSERT INTO \"orders; DROP TABLE people\" VALUES "
		"(10, 'R1', '2024-01-01'), (11, 'R1', '2024-02-01'), "
		"(12, 'R1', '2024-03-01'), (20, 'R2', '2024-01-15');"
		"INSERT INTO lines VALUES (100, 10, 2, 'b'), (101, 10, 1, "
		"'a'), (110, 11, 1, 'c'), (200, 20, 1, 'other');"
		"INSERT INTO parts VALUES (1000, 101, 'p1'), (1001, 101, "
		"'p2'), (1100, 110, 'p3'), (2000, 200, 'other');");
	PQfinish(c);
}

TestSuite(gather, .init = setup, .fini = teardown);

static const char map_text[] =
	"{\"sources\": {\"db\": {\"conninfo\": "
	"\"dbname=${DPEX_GATHER_DB}\"}},\n"
	" \"identifiers\": {\"email\": {}, \"ref\": {}},\n"
	" \"links\": [{\"source\": \"db\", \"table\": \"people\", "
	"\"identifiers\": {\"email\": \"email\", \"ref\": \"ref\"}}],\n"
	" \"entities\": [\n"
	"  {\"name\": \"orders\", \"source\": \"db\", \"table\": \"orders; "
	"DROP TABLE people\", \"columns\": [\"id\"],\n"
	"   \"match\": {\"identifier\": \"ref\", \"column\": \"ref\"}, "
	"\"order_by\": [{\"column\": \"placed\", \"descending\": true}]},\n"
	"  {\"name\": \"lines\", \"source\": \"db\", \"table\": \"lines\", "
	"\"columns\": [\"id\", \"it\\\"em\"],\n"
	"   \"parent\": {\"entity\": \"orders\", \"column\": \"order_id\", "
	"\"references\": \"id\"}, \"order_by\": [\"no\"]},\n"
	"  {\"name\": \"parts\", \"source\": \"db\", \"table\": \"parts\", "
	"\"columns\": [\"part\"],\n"
	"   \"parent\": {\"entity\": \"lines\", \"column\": \"line_id\", "
	"\"references\": \"id\"}, \"order_by\": [\"part\"]},\n"
	"  {\"name\": \"people\", \"source\": \"db\", \"table\": \"people\", "
	"\"columns\": [\"id\", \"email\"],\n"
	"   \"match\": {\"identifier\": \"email\", \"column\": \"email\"}}\n"
	" ]}\n";

/* An exporter that writes down the events it sees. */
static dpex_buf events = DPEX_BUF_INIT;

static int rec_start(void *self, const dpex_entity_shape *e)
{
	(void)self;
	return dpex_buf_printf(&events, "%s[", e->name);
}

static int rec_row(void *self, const dpex_entity_shape *e, const dpex_value *v)
{
	(void)self;
	(void)e;
	return dpex_buf_printf(&events, "(%s", v[0].data);
}

static int rec_row_end(void *self, const dpex_entity_shape *e)
{
	(void)self;
	(void)e;
	return dpex_buf_puts(&events, ")");
}

static int rec_end(void *self, const dpex_entity_shape *e)
{
	(void)self;
	(void)e;
	return dpex_buf_puts(&events, "]");
}

static const dpex_exporter_ops recorder = {
	.name = "recorder",
	.entity_start = rec_start,
	.row = rec_row,
	.row_end = rec_row_end,
	.entity_end = rec_end,
};

Test(gather, rows_arrive_in_tree_order)
{
	dpex_datamap *m = NULL;
	dpex_diags d = DPEX_DIAGS_INIT;
	cr_assert_eq(dpex_datamap_parse(&m, "map.json", map_text,
					strlen(map_text), &d),
		     0, "%s", dpex_error_message());
	int given[] = {0};
	dpex_plan *p = NULL;
	cr_assert_eq(dpex_plan_build(&p, m, given, 1), 0);
	dpex_source *s = NULL;
	cr_assert_eq(dpex_source_open(&s, m, 0), 0, "%s", dpex_error_message());
	dpex_idvalues *ids = calloc(m->nidentifiers, sizeof(*ids));
	cr_assert_eq(dpex_idvalues_add(&ids[0], "a@example.nl", 12), 0);
	cr_assert_eq(dpex_resolve(p, &s, ids), 0, "%s", dpex_error_message());
	cr_assert_eq(ids[1].count, 1);
	cr_expect_str_eq(ids[1].values[0], "R1");

	dpex_gather *g = NULL;
	cr_assert_eq(dpex_gather_open(&g, p, &s, ids), 0, "%s",
		     dpex_error_message());
	const dpex_entity_shape *shapes = dpex_gather_shapes(g);
	cr_expect_str_eq(shapes[1].columns[1].name, "it\"em");
	cr_expect_eq(shapes[1].columns[0].kind, DPEX_KIND_INTEGER);
	cr_expect_eq(shapes[1].columns[1].kind, DPEX_KIND_TEXT);
	cr_expect(shapes[0].columns[0].identifier); /* parents' key */
	dpex_output out = {&recorder, NULL};
	dpex_buf_clear(&events);
	cr_assert_eq(dpex_gather_run(g, &out, 1), 0, "%s",
		     dpex_error_message());
	cr_expect_str_eq(events.data,
			 "orders[(12lines[])"
			 "(11lines[(110parts[(p3)])])"
			 "(10lines[(101parts[(p1)(p2)])(100parts[])])]"
			 "people[(1)]");
	cr_expect_eq(dpex_gather_rows(g, 2), 3);
	cr_expect_eq(dpex_gather_total_rows(g), 10);
	dpex_gather_free(g);
	dpex_buf_free(&events);
	dpex_idvalues_free(ids, m->nidentifiers);
	dpex_source_close(s);
	dpex_plan_free(p);
	dpex_datamap_free(m);
	dpex_diags_free(&d);
}

Test(gather, missing_table_is_a_source_error_naming_the_entity)
{
	char *text = strdup(map_text);
	char *t = strstr(text, "\"table\": \"parts\"");
	memcpy(t, "\"table\": \"partz\"", 16);
	dpex_datamap *m = NULL;
	dpex_diags d = DPEX_DIAGS_INIT;
	cr_assert_eq(dpex_datamap_parse(&m, "map.json", text, strlen(text), &d),
		     0);
	int given[] = {1};
	dpex_plan *p = NULL;
	cr_assert_eq(dpex_plan_build(&p, m, given, 1), 0);
	dpex_source *s = NULL;
	cr_assert_eq(dpex_source_open(&s, m, 0), 0);
	dpex_idvalues *ids = calloc(m->nidentifiers, sizeof(*ids));
	cr_assert_eq(dpex_idvalues_add(&ids[1], "R1", 2), 0);
	dpex_gather *g = NULL;
	cr_expect_eq(dpex_gather_open(&g, p, &s, ids), DPEX_ESOURCE);
	cr_expect_str_eq(dpex_error_message(),
			 "entity \"parts\": source \"db\": query failed: "
			 "relation \"public.partz\" does not exist; the map "
			 "names a table or view this database does not have: "
			 "fix the map (dpex check --map FILE lists every such "
			 "problem)");
	dpex_idvalues_free(ids, m->nidentifiers);
	dpex_source_close(s);
	dpex_plan_free(p);
	dpex_datamap_free(m);
	dpex_diags_free(&d);
	free(text);
}

Test(gather, unreachable_host_is_a_source_error)
{
	const char *text =
		"{\"sources\": {\"db\": {\"conninfo\": \"host=/nonexistent "
		"dbname=x\"}}, \"identifiers\": {\"id\": {}},\n"
		" \"entities\": [{\"name\": \"t\", \"source\": \"db\", "
		"\"table\": \"t\", \"columns\": [\"a\"], \"match\": "
		"{\"identifier\": \"id\", \"column\": \"a\"}}]}";
	dpex_datamap *m = NULL;
	dpex_diags d = DPEX_DIAGS_INIT;
	cr_assert_eq(dpex_datamap_parse(&m, "map.json", text, strlen(text), &d),
		     0);
	dpex_source *s = NULL;
	cr_expect_eq(dpex_source_open(&s, m, 0), DPEX_ESOURCE);
	cr_expect_null(s);
	cr_expect(strncmp(dpex_error_message(),
			  "source \"db\": cannot connect: ", 29) == 0,
		  "%s", dpex_error_message());
	dpex_datamap_free(m);
	dpex_diags_free(&d);
}

/* The test database as the map's source "db", in its transaction. */
static dpex_source *open_db(dpex_datamap **m, dpex_diags *d)
{
	cr_assert_eq(dpex_datamap_parse(m, "map.json", map_text,
					strlen(map_text), d),
		     0);
	dpex_source *s = NULL;
	cr_assert_eq(dpex_source_open(&s, *m, 0), 0, "%s",
		     dpex_error_message());
	return s;
}

static void close_db(dpex_source *s, dpex_datamap *m, dpex_diags *d)
{
	dpex_source_close(s);
	dpex_datamap_free(m);
	dpex_diags_free(d);
}

/* The values a cursor holds in its first column, as "a,b,c". */
static void drain(dpex_cursor *c, dpex_buf *out)
{
	const dpex_value *v;
	while ((v = dpex_cursor_row(c))) {
		dpex_buf_printf(out, "%s%s", out->len ? "," : "", v[0].data);
		cr_assert_eq(dpex_cursor_next(c), 0);
	}
}

Test(gather, pipelined_cursors_each_read_their_own_rows)
{
	dpex_diags d = DPEX_DIAGS_INIT;
	dpex_datamap *m = NULL;
	dpex_source *s = open_db(&m, &d);
	const char *sqls[] = {
		"SELECT email FROM public.people WHERE id = ANY($1::int[]) "
		"ORDER BY "
		"id",
		"SELECT id FROM public.lines WHERE order_id = ANY($1::int[]) "
		"ORDER "
		"BY id",
		"SELECT part FROM public.parts WHERE part <> ALL($1::text[]) "
		"ORDER "
		"BY part",
	};
	const char *params[] = {"{2,1}", "{10,20}", "{p2}"};
	dpex_cursor *c[3];
	size_t failed = 99;
	cr_assert_eq(dpex_cursor_open_many(c, s, 3, sqls, 1, params, &failed),
		     0, "%s", dpex_error_message());
	/* Read interleaved, as the tree walk does. */
	cr_expect_str_eq(dpex_cursor_row(c[2])[0].data, "other");
	cr_expect_str_eq(dpex_cursor_row(c[0])[0].data, "a@example.nl");
	const char *want[] = {"a@example.nl,b@example.nl", "100,101,200",
			      "other,p1,p3"};
	for (int i = 0; i < 3; i++) {
		dpex_buf got = DPEX_BUF_INIT;
		drain(c[i], &got);
		cr_expect_str_eq(got.data, want[i], "cursor %d", i);
		dpex_buf_free(&got);
		dpex_cursor_close(c[i]);
	}
	close_db(s, m, &d);
}

Test(gather, pipelined_cursor_failure_names_its_statement_and_leaves_none)
{
	dpex_diags d = DPEX_DIAGS_INIT;
	dpex_datamap *m = NULL;
	dpex_source *s = open_db(&m, &d);
	const char *sqls[] = {
		"SELECT id FROM public.people WHERE id = ANY($1::int[])",
		"SELECT id FROM public.nowhere WHERE id = ANY($1::int[])",
		"SELECT id FROM public.lines WHERE id = ANY($1::int[])",
	};
	const char *params[] = {"{1}", "{1}", "{1}"};
	dpex_cursor *c[3];
	size_t failed = 99;
	cr_expect_eq(dpex_cursor_open_many(c, s, 3, sqls, 1, params, &failed),
		     DPEX_ESOURCE);
	cr_expect_eq(failed, 1);
	cr_expect(strstr(dpex_error_message(),
			 "relation \"public.nowhere\" does not exist") != NULL,
		  "%s", dpex_error_message());
	for (int i = 0; i < 3; i++)
		cr_expect_null(c[i]);
	/* The connection is out of pipeline mode and usable again. */
	cr_assert_eq(dpex_source_restart(s), 0, "%s", dpex_error_message());
	dpex_cursor *one = NULL;
	cr_assert_eq(dpex_cursor_open(&one, s, sqls[0], "{1}"), 0, "%s",
		     dpex_error_message());
	cr_expect_str_eq(dpex_cursor_row(one)[0].data, "1");
	dpex_cursor_close(one);
	close_db(s, m, &d);
}
