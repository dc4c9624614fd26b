#include "core/map/check.h"

#include "core/base/error.h"
#include "core/pg/plan.h"
#include "core/pg/source.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

/* The columns of one relation, as the catalog has them. */
typedef struct relation {
	bool exists;
	bool readable;
	char **columns;
	size_t ncolumns;
} relation;

static int add_column(void *ctx, const dpex_value *v, size_t n)
{
	relation *r = ctx;
	if (n < 3)
		return 0;
	r->exists = true;
	r->readable = v[0].data && v[0].data[0] == 't';
	if (v[1].is_null || v[2].is_null)
		return 0;
	char **p = dpex_realloc(r->columns, (r->ncolumns + 1) * sizeof(char *));
	if (!p)
		return DPEX_ENOMEM;
	r->columns = p;
	r->columns[r->ncolumns] = dpex_strdup(v[1].data);
	return r->columns[r->ncolumns++] ? 0 : DPEX_ENOMEM;
}

static void relation_free(relation *r)
{
	for (size_t i = 0; i < r->ncolumns; i++)
		free(r->columns[i]);
	free(r->columns);
	memset(r, 0, sizeof(*r));
}

/* One row per column; a table without columns still yields one row. */
static const char catalog_sql[] =
	"SELECT pg_catalog.has_table_privilege(c.oid, 'SELECT'), a.attname, "
	"a.attnum FROM pg_catalog.pg_class c LEFT JOIN pg_catalog.pg_attribute "
	"a ON a.attrelid OPERATOR(pg_catalog.=) c.oid "
	"AND a.attnum > 0 AND NOT a.attisdropped "
	"WHERE c.oid OPERATOR(pg_catalog.=) pg_catalog.to_regclass($1) "
	"ORDER BY a.attnum";

static int load_relation(dpex_source *s, const char *schema, const char *table,
			 relation *r)
{
	dpex_buf name = DPEX_BUF_INIT;
	int rc = dpex_plan_quote_ident(&name, schema);
	if (!rc)
		rc = dpex_buf_putc(&name, '.');
	if (!rc)
		rc = dpex_plan_quote_ident(&name, table);
	if (!rc)
		rc = dpex_source_query(s, catalog_sql, name.data, add_column,
				       r);
	dpex_buf_free(&name);
	return rc;
}

typedef struct checker {
	const dpex_datamap *m;
	dpex_diags *diags;
	dpex_jsonpos_step path[6];
	size_t depth;
} checker;

static int problem(checker *c, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
static int problem(checker *c, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	int rc = dpex_datamap_diag(c->m, c->diags, DPEX_DIAG_ERROR, c->path,
				   c->depth, fmt, ap);
	va_end(ap);
	return rc;
}

static bool has(const relation *r, const char *column)
{
	for (size_t i = 0; i < r->ncolumns; i++)
		if (strcmp(r->columns[i], column) == 0)
			return true;
	return false;
}

/* Checks column at path (relative to the current depth) in r. */
static int check_column(checker *c, const relation *r, const char *what,
			const char *column, const dpex_jsonpos_step *steps,
			size_t n, const char *schema, const char *table)
{
	if (has(r, column))
		return 0;
	size_t saved = c->depth;
	for (size_t i = 0; i < n; i++)
		c->path[c->depth++] = steps[i];
	/* Quoted names are case-sensitive: a name that differs only in case
	 * is almost certainly the one meant. */
	const char *near = NULL;
	for (size_t i = 0; !near && i < r->ncolumns; i++)
		if (strcasecmp(r->columns[i], column) == 0)
			near = r->columns[i];
	int rc = near ? problem(c,
				"%s \"%s\" does not exist in %s.%s; did you "
				"mean \"%s\"?",
				what, column, schema, table, near)
		      : problem(c,
				"%s \"%s\" does not exist in %s.%s; fix the "
				"name or remove it from the map",
				what, column, schema, table);
	c->depth = saved;
	return rc;
}

#define STEP_KEY(k) ((dpex_jsonpos_step){(k), 0})
#define STEP_INDEX(i) ((dpex_jsonpos_step){NULL, (i)})

static int check_relation(checker *c, dpex_source *s, const char *schema,
			  const char *table, relation *r)
{
	int rc = load_relation(s, schema, table, r);
	if (rc)
		return rc;
	c->path[c->depth++] = STEP_KEY("table");
	if (!r->exists)
		rc = problem(c,
			     "table or view %s.%s does not exist in source "
			     "\"%s\"",
			     schema, table, dpex_source_name(s));
	else if (!r->readable)
		rc = problem(c,
			     "permission denied: the role dpex connects as "
			     "cannot SELECT from %s.%s in source \"%s\"; "
			     "GRANT SELECT on it",
			     schema, table, dpex_source_name(s));
	c->depth--;
	return rc;
}

static int set_found(void *ctx, const dpex_value *v, size_t n)
{
	(void)v;
	(void)n;
	*(bool *)ctx = true;
	return 0;
}

/* A unique index (a primary key, a unique constraint) on exactly the
 * column, not partial: only then does a child row have one parent row. */
static const char unique_sql[] =
	"SELECT 1 FROM pg_catalog.pg_index i JOIN pg_catalog.pg_attribute a "
	"ON a.attrelid OPERATOR(pg_catalog.=) i.indrelid "
	"AND a.attnum OPERATOR(pg_catalog.=) i.indkey[0] "
	"WHERE i.indrelid OPERATOR(pg_catalog.=) pg_catalog.to_regclass($1) "
	"AND i.indisunique AND i.indnkeyatts OPERATOR(pg_catalog.=) 1 "
	"AND i.indpred IS NULL AND a.attname OPERATOR(pg_catalog.=) $2 "
	"LIMIT 1";

/* Children keyed on a column their parent repeats would go under the
 * wrong parent row: refuse the map before any answer is written. */
static int check_unique_reference(checker *c, dpex_source *s,
				  const dpex_map_entity *me,
				  const dpex_map_entity *pe)
{
	dpex_buf name = DPEX_BUF_INIT;
	int rc = dpex_plan_quote_ident(&name, pe->schema);
	if (!rc)
		rc = dpex_buf_putc(&name, '.');
	if (!rc)
		rc = dpex_plan_quote_ident(&name, pe->table);
	bool unique = false;
	const char *params[] = {name.data, me->parent_references};
	if (!rc)
		rc = dpex_source_query_params(s, unique_sql, 2, params,
					      set_found, &unique);
	dpex_buf_free(&name);
	if (rc || unique)
		return rc;
	c->path[c->depth++] = STEP_KEY("parent");
	c->path[c->depth++] = STEP_KEY("references");
	rc = problem(c,
		     "entity \"%s\" is nested under \"%s\" by column \"%s\", "
		     "which is not unique in %s.%s: several %s rows may share "
		     "a value and their %s rows would go under the wrong one; "
		     "reference a column with a primary key or unique "
		     "constraint (or a unique index) on it alone",
		     me->name, pe->name, me->parent_references, pe->schema,
		     pe->table, pe->name, me->name);
	c->depth -= 2;
	return rc;
}

static int check_entity(checker *c, dpex_source *s, size_t e)
{
	const dpex_map_entity *me = &c->m->entities[e];
	relation r = {0};
	c->depth = 0;
	c->path[c->depth++] = STEP_KEY("entities");
	c->path[c->depth++] = STEP_INDEX(e);
	int rc = check_relation(c, s, me->schema, me->table, &r);
	if (rc || !r.exists) {
		relation_free(&r);
		return rc;
	}
	for (size_t i = 0; !rc && i < me->ncolumns; i++) {
		dpex_jsonpos_step st[] = {STEP_KEY("columns"), STEP_INDEX(i)};
		rc = check_column(c, &r, "column", me->columns[i].name, st, 2,
				  me->schema, me->table);
	}
	for (size_t i = 0; !rc && i < me->norder_by; i++) {
		dpex_jsonpos_step st[] = {STEP_KEY("order_by"), STEP_INDEX(i)};
		rc = check_column(c, &r, "order_by column",
				  me->order_by[i].column, st, 2, me->schema,
				  me->table);
	}
	if (!rc && me->match_column) {
		dpex_jsonpos_step st[] = {STEP_KEY("match"),
					  STEP_KEY("column")};
		rc = check_column(c, &r, "match column", me->match_column, st,
				  2, me->schema, me->table);
	}
	if (!rc && me->parent_column) {
		dpex_jsonpos_step st[] = {STEP_KEY("parent"),
					  STEP_KEY("column")};
		rc = check_column(c, &r, "parent column", me->parent_column, st,
				  2, me->schema, me->table);
	}
	relation_free(&r);
	if (rc || !me->parent_references)
		return rc;
	/* The referenced column lives in the parent's table. */
	const dpex_map_entity *pe = &c->m->entities[me->parent];
	rc = load_relation(s, pe->schema, pe->table, &r);
	if (!rc && r.exists) {
		dpex_jsonpos_step st[] = {STEP_KEY("parent"),
					  STEP_KEY("references")};
		rc = check_column(c, &r, "referenced column",
				  me->parent_references, st, 2, pe->schema,
				  pe->table);
		if (!rc && has(&r, me->parent_references))
			rc = check_unique_reference(c, s, me, pe);
	}
	relation_free(&r);
	return rc;
}

static int check_link(checker *c, dpex_source *s, size_t l)
{
	const dpex_map_link *ml = &c->m->links[l];
	relation r = {0};
	c->depth = 0;
	c->path[c->depth++] = STEP_KEY("links");
	c->path[c->depth++] = STEP_INDEX(l);
	int rc = check_relation(c, s, ml->schema, ml->table, &r);
	for (size_t k = 0; !rc && r.exists && k < ml->nkeys; k++) {
		const char *id = c->m->identifiers[ml->keys[k].identifier].name;
		dpex_jsonpos_step st[] = {STEP_KEY("identifiers"),
					  STEP_KEY(id)};
		rc = check_column(c, &r, "column", ml->keys[k].column, st, 2,
				  ml->schema, ml->table);
	}
	relation_free(&r);
	return rc;
}

int dpex_check_live(const dpex_datamap *m, dpex_diags *diags)
{
	checker c = {.m = m, .diags = diags};
	size_t unreachable = 0;
	for (size_t src = 0; src < m->nsources; src++) {
		dpex_source *s = NULL;
		int rc = dpex_source_open(&s, m, (int)src);
		if (rc == DPEX_ENOMEM)
			return rc;
		if (rc) {
			unreachable++;
			c.depth = 0;
			c.path[c.depth++] = STEP_KEY("sources");
			c.path[c.depth++] = STEP_KEY(m->sources[src].name);
			rc = problem(&c, "%s", dpex_error_message());
			if (rc)
				return rc;
			continue;
		}
		for (size_t e = 0; !rc && e < m->nentities; e++)
			if (m->entities[e].source == (int)src)
				rc = check_entity(&c, s, e);
		for (size_t l = 0; !rc && l < m->nlinks; l++)
			if (m->links[l].source == (int)src)
				rc = check_link(&c, s, l);
		dpex_source_close(s);
		if (rc == DPEX_ENOMEM)
			return rc;
		if (rc) {
			/* A query failed mid-check: report it and go on. */
			c.depth = 0;
			c.path[c.depth++] = STEP_KEY("sources");
			c.path[c.depth++] = STEP_KEY(m->sources[src].name);
			rc = problem(&c, "%s", dpex_error_message());
			if (rc)
				return rc;
		}
	}
	/* The map may be fine: exit as for any source that cannot be
	 * reached, after every problem has been listed. */
	if (unreachable)
		return dpex_error_set(
			DPEX_ESOURCE,
			"%zu of %zu source%s could not be reached "
			"(see above); the map could not be "
			"checked against %s",
			unreachable, m->nsources, m->nsources == 1 ? "" : "s",
			unreachable == 1 ? "it" : "them");
	return 0;
}
