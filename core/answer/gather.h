/*
 * gather: one pass over a subject's rows, from the sources' cursors to the
 * exporters, in tree order.
 *
 * Every entity's cursor is opened up front (the first batch gives the
 * column types the exporters need for headers and cell types). Then each
 * root entity's rows are walked; under each row the child cursors are
 * advanced while their parent key equals the row's key. Plan queries order
 * children by their ancestors, so this is a merge: no row is held beyond
 * the current batch of each cursor.
 */
#ifndef DPEX_GATHER_H
#define DPEX_GATHER_H

#include "exporters/exporter.h"
#include "core/pg/plan.h"
#include "core/pg/resolve.h"
#include "core/pg/source.h"

typedef struct dpex_gather dpex_gather;

/* An exporter and its state, as called by the walk. */
typedef struct dpex_output {
	const dpex_exporter_ops *ops;
	void *self;
} dpex_output;

/* Opens a cursor per entity with the subject's identifier values. */
int dpex_gather_open(dpex_gather **out, const dpex_plan *p,
		     dpex_source *const *sources, const dpex_idvalues *ids);

/* Bulk: opens a cursor per entity on sqls[e] (dpex_plan_batch_entity_sql)
 * with params[2e] ($1 values) and params[2e+1] ($2 ordinals): rows of many
 * subjects, grouped by subject ordinal. Walk them with dpex_gather_select()
 * then dpex_gather_run(), one subject after another in ordinal order. */
int dpex_gather_open_batch(dpex_gather **out, const dpex_plan *p,
			   dpex_source *const *sources, const char *const *sqls,
			   const char *const *params);

/* Bulk: the next dpex_gather_run() walks only subject's rows; row counts
 * start again from zero. */
void dpex_gather_select(dpex_gather *g, int subject);

/* Bulk: passes over the selected subject's rows not yet walked (after a
 * failure), so the next subject's rows are at the cursors' heads. */
int dpex_gather_skip(dpex_gather *g);

/* The entities as exporters see them (map order). Borrowed. */
const dpex_entity_shape *dpex_gather_shapes(const dpex_gather *g);

/* Walks every row, calling each output's callbacks. */
int dpex_gather_run(dpex_gather *g, const dpex_output *outputs,
		    size_t noutputs);

/* Rows walked so far for one entity, and in all. */
long long dpex_gather_rows(const dpex_gather *g, size_t entity);
long long dpex_gather_total_rows(const dpex_gather *g);

/* Invalid UTF-8 sequences in one entity's values so far, each of which
 * the writers replace by U+FFFD. */
long long dpex_gather_replaced(const dpex_gather *g, size_t entity);

void dpex_gather_free(dpex_gather *g);

#endif
