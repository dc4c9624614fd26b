#include "core/pg/plan.h"

#include "core/base/buf.h"
#include "core/base/error.h"

#include <stdlib.h>
#include <string.h>

/* PostgreSQL's rule for delimited identifiers: any character but NUL (the
 * map parser refuses NUL), with '"' doubled. */
int dpex_plan_quote_ident(dpex_buf *b, const char *name)
{
	int rc = dpex_buf_putc(b, '"');
	for (const char *c = name; !rc && *c; c++)
		rc = *c == '"' ? dpex_buf_puts(b, "\"\"")
			       : dpex_buf_putc(b, *c);
	return rc ? rc : dpex_buf_putc(b, '"');
}

static int put_column(dpex_buf *b, int alias, const char *column)
{
	int rc = dpex_buf_printf(b, "t%d.", alias);
	return rc ? rc : dpex_plan_quote_ident(b, column);
}

static int put_table(dpex_buf *b, const char *schema, const char *table,
		     int alias)
{
	int rc = dpex_plan_quote_ident(b, schema);
	if (!rc)
		rc = dpex_buf_putc(b, '.');
	if (!rc)
		rc = dpex_plan_quote_ident(b, table);
	return rc ? rc : dpex_buf_printf(b, " AS t%d", alias);
}

/* A batch of subjects: $1 their values as text, $2 the ordinal of the
 * subject each value belongs to; duplicates within a subject dropped as
 * = ANY() would. ROWS FROM spelled out: the two-array unnest() is
 * grammar for the unqualified name only, not a function pg_catalog has. */
static int put_batch_join(dpex_buf *b, const char *column, const char *type)
{
	int rc = dpex_buf_printf(
		b,
		" JOIN (SELECT DISTINCT u.v::%s AS v, u.ord FROM ROWS FROM "
		"(pg_catalog.unnest($1::pg_catalog.text[]), "
		"pg_catalog.unnest($2::pg_catalog.int4[])) AS u(v, ord)) AS k "
		"ON ",
		type);
	if (!rc)
		rc = put_column(b, 0, column);
	return rc ? rc : dpex_buf_puts(b, " OPERATOR(pg_catalog.=) k.v");
}

static int build_link_sql(dpex_plan_link *pl, const dpex_map_link *l,
			  const dpex_map_link_key *from, const char *batch_type,
			  char **out)
{
	dpex_buf b = DPEX_BUF_INIT;
	int rc = dpex_buf_puts(&b, batch_type ? "SELECT DISTINCT k.ord, "
					      : "SELECT DISTINCT ");
	size_t k = 0;
	for (size_t i = 0; !rc && i < l->nkeys; i++) {
		bool wanted = false;
		for (size_t y = 0; y < pl->nyields; y++)
			wanted |= pl->yields[y] == l->keys[i].identifier;
		if (!wanted)
			continue;
		if (k++)
			rc = dpex_buf_puts(&b, ", ");
		if (!rc)
			rc = put_column(&b, 0, l->keys[i].column);
		if (!rc)
			rc = dpex_buf_puts(&b, "::pg_catalog.text");
	}
	if (!rc)
		rc = dpex_buf_puts(&b, " FROM ");
	if (!rc)
		rc = put_table(&b, l->schema, l->table, 0);
	if (batch_type) {
		if (!rc)
			rc = put_batch_join(&b, from->column, batch_type);
		for (size_t i = 0; !rc && i <= k; i++)
			rc = dpex_buf_printf(&b, "%s%zu",
					     i ? ", " : " ORDER BY ", i + 1);
	} else {
		if (!rc)
			rc = dpex_buf_puts(&b, " WHERE ");
		if (!rc)
			rc = put_column(&b, 0, from->column);
		if (!rc)
			rc = dpex_buf_puts(&b,
					   " OPERATOR(pg_catalog.=) ANY($1)");
	}
	if (rc) {
		dpex_buf_free(&b);
		return rc;
	}
	*out = dpex_buf_steal(&b);
	return *out ? 0 : DPEX_ENOMEM;
}

/* Orders the links: repeatedly take the first link that knows one of its
 * identifiers and can provide one not yet known. */
static int plan_links(dpex_plan *p)
{
	const dpex_datamap *m = p->map;
	p->links = dpex_calloc(m->nlinks, sizeof(*p->links));
	if (!p->links)
		return DPEX_ENOMEM;
	bool *used = dpex_calloc(m->nlinks, sizeof(bool));
	if (!used)
		return DPEX_ENOMEM;
	int rc = 0;
	for (bool progress = true; progress && !rc;) {
		progress = false;
		for (size_t i = 0; i < m->nlinks && !progress; i++) {
			const dpex_map_link *l = &m->links[i];
			const dpex_map_link_key *from = NULL;
			size_t unknown = 0;
			for (size_t k = 0; k < l->nkeys; k++) {
				if (p->known[l->keys[k].identifier]) {
					if (!from)
						from = &l->keys[k];
				} else {
					unknown++;
				}
			}
			if (used[i] || !from || !unknown)
				continue;
			dpex_plan_link *pl = &p->links[p->nlinks++];
			pl->link = (int)i;
			pl->source = l->source;
			pl->from = from->identifier;
			pl->yields = dpex_calloc(unknown, sizeof(int));
			if (!pl->yields) {
				rc = DPEX_ENOMEM;
				break;
			}
			for (size_t k = 0; k < l->nkeys; k++)
				if (!p->known[l->keys[k].identifier])
					pl->yields[pl->nyields++] =
						l->keys[k].identifier;
			rc = build_link_sql(pl, l, from, NULL, &pl->sql);
			for (size_t y = 0; y < pl->nyields; y++)
				p->known[pl->yields[y]] = true;
			used[i] = true;
			progress = true;
		}
	}
	free(used);
	return rc;
}

/* The chain root..e as entity indexes; returns its length. */
static size_t ancestry(const dpex_datamap *m, int e, int *chain, size_t max)
{
	size_t n = 0;
	for (int i = e; i >= 0 && n < max; i = m->entities[i].parent)
		n++;
	size_t k = n;
	for (int i = e; i >= 0 && k > 0; i = m->entities[i].parent)
		chain[--k] = i;
	return n;
}

/* An entity's ORDER BY terms: its own order, then the keys its children
 * match on, so parent and child queries agree on one total order. */
static int put_order_terms(dpex_buf *b, const dpex_plan *p, int e, int alias,
			   size_t *nterms)
{
	const dpex_map_entity *me = &p->map->entities[e];
	const dpex_plan_entity *pe = &p->entities[e];
	int rc = 0;
	for (size_t i = 0; !rc && i < me->norder_by; i++) {
		if ((*nterms)++)
			rc = dpex_buf_puts(b, ", ");
		if (!rc)
			rc = put_column(b, alias, me->order_by[i].column);
		if (!rc && me->order_by[i].descending)
			rc = dpex_buf_puts(b, " DESC");
	}
	for (size_t c = 0; !rc && c < pe->nchildren; c++) {
		if ((*nterms)++)
			rc = dpex_buf_puts(b, ", ");
		if (!rc)
			rc = put_column(b, alias,
					p->map->entities[pe->children[c]]
						.parent_references);
	}
	return rc;
}

#define MAX_DEPTH 16

static int build_entity_sql(dpex_plan *p, int e, const char *batch_type,
			    char **out)
{
	const dpex_datamap *m = p->map;
	const dpex_map_entity *me = &m->entities[e];
	dpex_plan_entity *pe = &p->entities[e];
	int chain[MAX_DEPTH] = {0};
	size_t depth = ancestry(m, e, chain, MAX_DEPTH);
	if (depth == MAX_DEPTH && m->entities[chain[0]].parent >= 0)
		return dpex_error_set(DPEX_EMAP,
				      "entity \"%s\" is nested deeper than %d "
				      "levels",
				      me->name, MAX_DEPTH);
	int self = (int)depth - 1;
	dpex_buf b = DPEX_BUF_INIT;
	int rc = dpex_buf_puts(&b, "SELECT ");
	for (size_t i = 0; !rc && i < me->ncolumns; i++) {
		if (i)
			rc = dpex_buf_puts(&b, ", ");
		if (!rc)
			rc = put_column(&b, self, me->columns[i].name);
	}
	size_t col = me->ncolumns;
	pe->ncolumns = me->ncolumns;
	pe->parent_key = -1;
	if (!rc && me->parent >= 0) {
		rc = dpex_buf_puts(&b, ", ");
		if (!rc)
			rc = put_column(&b, self - 1, me->parent_references);
		pe->parent_key = (int)col++;
	}
	for (size_t c = 0; !rc && c < pe->nchildren; c++) {
		rc = dpex_buf_puts(&b, ", ");
		if (!rc)
			rc = put_column(
				&b, self,
				m->entities[pe->children[c]].parent_references);
		pe->child_keys[c] = (int)col++;
	}
	if (!rc && batch_type)
		rc = dpex_buf_puts(&b, ", k.ord");
	if (!rc)
		rc = dpex_buf_puts(&b, " FROM ");
	if (!rc)
		rc = put_table(&b, me->schema, me->table, self);
	for (int a = self - 1; !rc && a >= 0; a--) {
		const dpex_map_entity *anc = &m->entities[chain[a]];
		const dpex_map_entity *below = &m->entities[chain[a + 1]];
		rc = dpex_buf_puts(&b, " JOIN ");
		if (!rc)
			rc = put_table(&b, anc->schema, anc->table, a);
		if (!rc)
			rc = dpex_buf_puts(&b, " ON ");
		if (!rc)
			rc = put_column(&b, a + 1, below->parent_column);
		if (!rc)
			rc = dpex_buf_puts(&b, " OPERATOR(pg_catalog.=) ");
		if (!rc)
			rc = put_column(&b, a, below->parent_references);
	}
	const dpex_map_entity *root = &m->entities[chain[0]];
	if (!rc && batch_type)
		rc = put_batch_join(&b, root->match_column, batch_type);
	if (!rc && !batch_type)
		rc = dpex_buf_puts(&b, " WHERE ");
	if (!rc && !batch_type)
		rc = put_column(&b, 0, root->match_column);
	if (!rc && !batch_type)
		rc = dpex_buf_puts(&b, " OPERATOR(pg_catalog.=) ANY($1)");
	size_t nterms = 0;
	dpex_buf order = DPEX_BUF_INIT;
	if (!rc && batch_type)
		rc = dpex_buf_puts(&order, "k.ord");
	nterms += batch_type != NULL;
	for (int a = 0; !rc && a <= self; a++)
		rc = put_order_terms(&order, p, chain[a], a, &nterms);
	if (!rc && nterms)
		rc = dpex_buf_printf(&b, " ORDER BY %s", order.data);
	dpex_buf_free(&order);
	if (rc) {
		dpex_buf_free(&b);
		return rc;
	}
	*out = dpex_buf_steal(&b);
	return *out ? 0 : DPEX_ENOMEM;
}

int dpex_plan_build(dpex_plan **out, const dpex_datamap *m, const int *given,
		    size_t ngiven)
{
	*out = NULL;
	dpex_plan *p = dpex_calloc(1, sizeof(*p));
	if (!p)
		return DPEX_ENOMEM;
	p->map = m;
	p->given = dpex_calloc(m->nidentifiers, sizeof(bool));
	p->known = dpex_calloc(m->nidentifiers, sizeof(bool));
	p->entities = dpex_calloc(m->nentities, sizeof(*p->entities));
	int rc = (!p->given || !p->known || !p->entities) ? DPEX_ENOMEM : 0;
	for (size_t i = 0; !rc && i < ngiven; i++)
		p->given[given[i]] = p->known[given[i]] = true;
	if (!rc)
		rc = plan_links(p);
	p->nentities = m->nentities;
	for (size_t e = 0; !rc && e < m->nentities; e++) {
		dpex_plan_entity *pe = &p->entities[e];
		pe->entity = (int)e;
		size_t n = 0;
		for (size_t c = e + 1; c < m->nentities; c++)
			n += m->entities[c].parent == (int)e;
		pe->children = dpex_calloc(n, sizeof(int));
		pe->child_keys = dpex_calloc(n, sizeof(int));
		if (!pe->children || !pe->child_keys) {
			rc = DPEX_ENOMEM;
			break;
		}
		for (size_t c = e + 1; c < m->nentities; c++)
			if (m->entities[c].parent == (int)e)
				pe->children[pe->nchildren++] = (int)c;
		int root = (int)e;
		while (m->entities[root].parent >= 0)
			root = m->entities[root].parent;
		pe->identifier = m->entities[root].match_identifier;
		pe->reachable = p->known[pe->identifier];
	}
	for (size_t e = 0; !rc && e < m->nentities; e++)
		rc = build_entity_sql(p, (int)e, NULL, &p->entities[e].sql);
	if (rc) {
		dpex_plan_free(p);
		return rc;
	}
	*out = p;
	return 0;
}

int dpex_plan_batch_entity_sql(dpex_plan *p, int e, const char *value_type,
			       char **out)
{
	*out = NULL;
	return build_entity_sql(p, e, value_type, out);
}

int dpex_plan_batch_link_sql(dpex_plan *p, size_t i, const char *value_type,
			     char **out)
{
	*out = NULL;
	dpex_plan_link *pl = &p->links[i];
	const dpex_map_link *l = &p->map->links[pl->link];
	const dpex_map_link_key *from = NULL;
	for (size_t k = 0; k < l->nkeys && !from; k++)
		if (l->keys[k].identifier == pl->from)
			from = &l->keys[k];
	return build_link_sql(pl, l, from, value_type, out);
}

void dpex_plan_free(dpex_plan *p)
{
	if (!p)
		return;
	for (size_t i = 0; i < p->nlinks; i++) {
		free(p->links[i].yields);
		free(p->links[i].sql);
	}
	for (size_t i = 0; i < p->nentities; i++) {
		free(p->entities[i].sql);
		free(p->entities[i].children);
		free(p->entities[i].child_keys);
	}
	free(p->links);
	free(p->entities);
	free(p->given);
	free(p->known);
	free(p);
}
