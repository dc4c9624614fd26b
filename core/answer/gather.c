#include "core/answer/gather.h"

#include "core/base/buf.h"
#include "core/base/error.h"
#include "core/pg/pgtype.h"
#include "core/base/utf8.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct dpex_gather {
	const dpex_plan *plan;
	dpex_cursor **cursors;
	dpex_entity_shape *shapes;
	dpex_column *columns; /* all entities' columns, one allocation */
	long long *rows;
	long long total;
	long long *replaced; /* U+FFFD the writers put in, by entity */
	/* By child entity: the parent key its rows were last walked under,
	 * so a parent that repeats a key is caught, not mis-nested. */
	dpex_buf *last_key;
	bool *walked;
	const dpex_output *outputs;
	size_t noutputs;
	/* Bulk: each cursor holds several subjects' rows, the last column
	 * their ordinal; the walk sees only the selected subject's. */
	bool batch;
	char subject[24];
	size_t subject_len;
};

/* Entity e's current row, if it belongs to the subject walked. */
static const dpex_value *current(const dpex_gather *g, size_t e)
{
	const dpex_value *row = dpex_cursor_row(g->cursors[e]);
	if (row && g->batch) {
		const dpex_value *ord =
			&row[dpex_cursor_ncolumns(g->cursors[e]) - 1];
		if (ord->is_null || ord->len != g->subject_len ||
		    memcmp(ord->data, g->subject, ord->len) != 0)
			return NULL;
	}
	return row;
}

/* Key columns stay text in spreadsheets even when the map forgot to say. */
static bool is_key_column(const dpex_datamap *m, size_t e, const char *name)
{
	const dpex_map_entity *me = &m->entities[e];
	if ((me->match_column && strcmp(me->match_column, name) == 0) ||
	    (me->parent_column && strcmp(me->parent_column, name) == 0))
		return true;
	for (size_t c = e + 1; c < m->nentities; c++)
		if (m->entities[c].parent == (int)e &&
		    strcmp(m->entities[c].parent_references, name) == 0)
			return true;
	return false;
}

static int build_shapes(dpex_gather *g, dpex_source *const *sources)
{
	const dpex_datamap *m = g->plan->map;
	size_t total = 0;
	for (size_t e = 0; e < m->nentities; e++)
		total += m->entities[e].ncolumns;
	g->columns = dpex_calloc(total, sizeof(*g->columns));
	g->shapes = dpex_calloc(m->nentities, sizeof(*g->shapes));
	if (!g->columns || !g->shapes)
		return DPEX_ENOMEM;
	dpex_column *col = g->columns;
	for (size_t e = 0; e < m->nentities; e++) {
		const dpex_map_entity *me = &m->entities[e];
		g->shapes[e] = (dpex_entity_shape){
			.name = me->name,
			.index = (int)e,
			.parent = me->parent,
			.ncolumns = me->ncolumns,
			.columns = col,
		};
		for (size_t c = 0; c < me->ncolumns; c++, col++) {
			unsigned oid = dpex_cursor_type(g->cursors[e], c);
			*col = (dpex_column){
				.name = me->columns[c].name,
				.type_oid = oid,
				.kind = dpex_kind_of_oid(oid),
				.elem_kind = dpex_kind_of_array_elements(oid),
				.identifier =
					me->columns[c].identifier ||
					is_key_column(m, e,
						      me->columns[c].name),
			};
			/* Arrays of enums and domains, row types: ask the
			 * catalog. */
			if (oid >= DPEX_PGTYPE_FIRST_USER_OID) {
				int rc = dpex_pgtype_describe(
					sources[me->source], oid, col);
				if (rc)
					return rc;
			}
		}
	}
	return 0;
}

static dpex_gather *gather_new(const dpex_plan *p)
{
	dpex_gather *g = dpex_calloc(1, sizeof(*g));
	if (!g)
		return NULL;
	g->plan = p;
	g->cursors = dpex_calloc(p->map->nentities, sizeof(*g->cursors));
	g->rows = dpex_calloc(p->map->nentities, sizeof(*g->rows));
	g->replaced = dpex_calloc(p->map->nentities, sizeof(*g->replaced));
	g->last_key = dpex_calloc(p->map->nentities, sizeof(*g->last_key));
	g->walked = dpex_calloc(p->map->nentities, sizeof(*g->walked));
	if (!g->cursors || !g->rows || !g->replaced || !g->last_key ||
	    !g->walked) {
		dpex_gather_free(g);
		return NULL;
	}
	return g;
}

/* Ends an open: on success the shapes are taken from the cursors and g is
 * handed out; on failure (rc, or the shapes) g is freed. */
static int finish_open(dpex_gather **out, dpex_gather *g,
		       dpex_source *const *sources, int rc)
{
	if (!rc)
		rc = build_shapes(g, sources);
	if (rc) {
		dpex_gather_free(g);
		return rc;
	}
	*out = g;
	return 0;
}

int dpex_gather_open_batch(dpex_gather **out, const dpex_plan *p,
			   dpex_source *const *sources, const char *const *sqls,
			   const char *const *params)
{
	*out = NULL;
	const dpex_datamap *m = p->map;
	dpex_gather *g = gather_new(p);
	if (!g)
		return DPEX_ENOMEM;
	g->batch = true;
	/* Per source, its entities' cursors in one pipeline. */
	size_t n = m->nentities;
	size_t *ents = dpex_calloc(n, sizeof(*ents));
	const char **q = dpex_calloc(n, sizeof(*q));
	const char **qp = dpex_calloc(2 * n, sizeof(*qp));
	dpex_cursor **c = dpex_calloc(n, sizeof(*c));
	int rc = ents && q && qp && c ? 0 : DPEX_ENOMEM;
	for (size_t s = 0; !rc && s < m->nsources; s++) {
		size_t k = 0, failed = 0;
		for (size_t e = 0; e < n; e++) {
			if (m->entities[e].source != (int)s)
				continue;
			ents[k] = e;
			q[k] = sqls[e];
			qp[2 * k] = params[2 * e];
			qp[2 * k + 1] = params[2 * e + 1];
			k++;
		}
		if (k == 0)
			continue;
		rc = dpex_cursor_open_many(c, sources[s], k, q, 2, qp, &failed);
		if (rc) {
			dpex_error_wrap(rc, "entity \"%s\": ",
					m->entities[ents[failed]].name);
			break;
		}
		for (size_t i = 0; i < k; i++)
			g->cursors[ents[i]] = c[i];
	}
	free(ents);
	free(q);
	free(qp);
	free(c);
	return finish_open(out, g, sources, rc);
}

void dpex_gather_select(dpex_gather *g, int subject)
{
	snprintf(g->subject, sizeof(g->subject), "%d", subject);
	g->subject_len = strlen(g->subject);
	g->total = 0;
	for (size_t e = 0; e < g->plan->map->nentities; e++) {
		g->rows[e] = g->replaced[e] = 0;
		g->walked[e] = false;
	}
}

int dpex_gather_skip(dpex_gather *g)
{
	for (size_t e = 0; e < g->plan->map->nentities; e++)
		while (current(g, e)) {
			int rc = dpex_cursor_next(g->cursors[e]);
			if (rc)
				return rc;
		}
	return 0;
}

int dpex_gather_open(dpex_gather **out, const dpex_plan *p,
		     dpex_source *const *sources, const dpex_idvalues *ids)
{
	*out = NULL;
	const dpex_datamap *m = p->map;
	dpex_gather *g = gather_new(p);
	if (!g)
		return DPEX_ENOMEM;
	int rc = 0;
	for (size_t e = 0; !rc && e < m->nentities; e++) {
		const dpex_plan_entity *pe = &p->entities[e];
		const dpex_idvalues *v = &ids[pe->identifier];
		/* An identifier with no values still gets its cursor ('{}'
		 * matches nothing): the column types are wanted all the
		 * same. */
		dpex_buf param = DPEX_BUF_INIT;
		rc = dpex_source_array_literal(
			&param, (const char *const *)v->values, v->count);
		if (!rc)
			rc = dpex_cursor_open(&g->cursors[e],
					      sources[m->entities[e].source],
					      pe->sql, param.data);
		dpex_buf_free(&param);
		if (rc)
			dpex_error_wrap(rc,
					"entity \"%s\": ", m->entities[e].name);
	}
	return finish_open(out, g, sources, rc);
}

const dpex_entity_shape *dpex_gather_shapes(const dpex_gather *g)
{
	return g->shapes;
}

#define EACH_OUTPUT(g, call)                                                   \
	do {                                                                   \
		for (size_t o_ = 0; o_ < (g)->noutputs; o_++) {                \
			const dpex_output *out_ = &(g)->outputs[o_];           \
			int rc_ = call;                                        \
			if (rc_)                                               \
				return rc_;                                    \
		}                                                              \
	} while (0)

static bool same_value(const dpex_value *a, const dpex_value *b)
{
	return !a->is_null && !b->is_null && a->len == b->len &&
	       memcmp(a->data, b->data, a->len) == 0;
}

static int walk_row(dpex_gather *g, int e);

/* Moves entity e's cursor on; a failure there (the connection lost, a
 * statement timeout) names the entity being read. */
static int next_row(dpex_gather *g, int e)
{
	int rc = dpex_cursor_next(g->cursors[e]);
	if (rc == DPEX_ESOURCE)
		dpex_error_wrap(
			rc, "entity \"%s\": ", g->plan->map->entities[e].name);
	return rc;
}

/* Parent rows come in key order after their own order_by: two in a row
 * with one key would both claim the same child rows, the first all of
 * them. Stop rather than nest them under the wrong one. */
static int remember_key(dpex_gather *g, int c, const dpex_value *key)
{
	dpex_buf *last = &g->last_key[c];
	const dpex_map_entity *mc = &g->plan->map->entities[c];
	if (key->is_null) {
		g->walked[c] = false;
		return 0;
	}
	if (g->walked[c] && last->len == key->len &&
	    (key->len == 0 || memcmp(last->data, key->data, key->len) == 0))
		return dpex_error_set(
			DPEX_EMAP,
			"entity \"%s\": two rows of \"%s\" share the value "
			"of \"%s\" the rows of \"%s\" are matched on, so "
			"they cannot be placed under the right one; "
			"reference a column that is unique in %s (dpex check "
			"--map FILE finds these)",
			mc->name, g->plan->map->entities[mc->parent].name,
			mc->parent_references, mc->name,
			g->plan->map->entities[mc->parent].name);
	last->len = 0;
	int rc = dpex_buf_append(last, key->data, key->len);
	g->walked[c] = rc == 0;
	return rc;
}

/* The rows of child entity c under the parent row whose key is key. */
static int walk_children(dpex_gather *g, int c, const dpex_value *key)
{
	const dpex_entity_shape *s = &g->shapes[c];
	const dpex_plan_entity *pc = &g->plan->entities[c];
	int rc = remember_key(g, c, key);
	if (rc)
		return rc;
	EACH_OUTPUT(g, out_->ops->entity_start
			       ? out_->ops->entity_start(out_->self, s)
			       : 0);
	const dpex_value *row;
	while ((row = current(g, (size_t)c)) &&
	       same_value(&row[pc->parent_key], key)) {
		rc = walk_row(g, c);
		if (!rc)
			rc = next_row(g, c);
		if (rc)
			return rc;
	}
	EACH_OUTPUT(g, out_->ops->entity_end
			       ? out_->ops->entity_end(out_->self, s)
			       : 0);
	return 0;
}

/* The current row of entity e, then its children's rows under it. */
static int walk_row(dpex_gather *g, int e)
{
	const dpex_entity_shape *s = &g->shapes[e];
	const dpex_plan_entity *pe = &g->plan->entities[e];
	const dpex_value *row = current(g, (size_t)e);
	int canceled = dpex_check_canceled();
	if (canceled)
		return canceled;
	EACH_OUTPUT(g, out_->ops->row(out_->self, s, row));
	/* A SQL_ASCII database hands out any bytes; every writer replaces
	 * invalid UTF-8 the same way, and the manifest says how often. */
	for (size_t c = 0; c < s->ncolumns; c++)
		if (!row[c].is_null)
			g->replaced[e] += (long long)dpex_utf8_count_invalid(
				row[c].data, row[c].len);
	g->rows[e]++;
	g->total++;
	for (size_t k = 0; k < pe->nchildren; k++) {
		int rc = walk_children(g, pe->children[k],
				       &row[pe->child_keys[k]]);
		if (rc)
			return rc;
	}
	EACH_OUTPUT(g,
		    out_->ops->row_end ? out_->ops->row_end(out_->self, s) : 0);
	return 0;
}

int dpex_gather_run(dpex_gather *g, const dpex_output *outputs, size_t noutputs)
{
	const dpex_datamap *m = g->plan->map;
	g->outputs = outputs;
	g->noutputs = noutputs;
	for (size_t e = 0; e < m->nentities; e++) {
		if (m->entities[e].parent >= 0)
			continue;
		const dpex_entity_shape *s = &g->shapes[e];
		EACH_OUTPUT(g, out_->ops->entity_start
				       ? out_->ops->entity_start(out_->self, s)
				       : 0);
		while (current(g, e)) {
			int rc = walk_row(g, (int)e);
			if (!rc)
				rc = next_row(g, (int)e);
			if (rc)
				return rc;
		}
		EACH_OUTPUT(g, out_->ops->entity_end
				       ? out_->ops->entity_end(out_->self, s)
				       : 0);
	}
	/* Rows left over mean parent and child queries disagreed on order:
	 * fail loudly rather than drop data from an access answer. */
	for (size_t e = 0; e < m->nentities; e++)
		if (current(g, e))
			return dpex_error_set(
				DPEX_EINTERNAL,
				"entity \"%s\": rows could not be placed under "
				"their parent \"%s\" (is \"%s\" unique in "
				"it?)",
				m->entities[e].name,
				m->entities[m->entities[e].parent].name,
				m->entities[e].parent_references);
	return 0;
}

long long dpex_gather_rows(const dpex_gather *g, size_t entity)
{
	return g->rows[entity];
}

long long dpex_gather_replaced(const dpex_gather *g, size_t entity)
{
	return g->replaced[entity];
}

long long dpex_gather_total_rows(const dpex_gather *g)
{
	return g->total;
}

void dpex_gather_free(dpex_gather *g)
{
	if (!g)
		return;
	if (g->cursors)
		for (size_t e = 0; e < g->plan->map->nentities; e++)
			dpex_cursor_close(g->cursors[e]);
	free(g->cursors);
	if (g->columns && g->shapes)
		for (size_t e = 0; e < g->plan->map->nentities; e++)
			for (size_t c = 0; c < g->shapes[e].ncolumns; c++)
				dpex_pgtype_fields_free(
					g->shapes[e].columns[c].fields,
					g->shapes[e].columns[c].nfields);
	free(g->shapes);
	free(g->columns);
	free(g->rows);
	free(g->replaced);
	if (g->last_key)
		for (size_t e = 0; e < g->plan->map->nentities; e++)
			dpex_buf_free(&g->last_key[e]);
	free(g->last_key);
	free(g->walked);
	free(g);
}
