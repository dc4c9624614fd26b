/*
 * plan: what an export will run, decided before any row is read.
 *
 * Given the identifiers a request names, the plan orders the identifier
 * links (each identifier takes its values from the first link that can
 * provide it, so the person found never grows by chains of lookups) and
 * builds one parameterised query per entity. Every value travels as the
 * array parameter $1 (key = ANY($1)); every name from the map is quoted.
 *
 * A child entity's query joins up to its root and orders by the ancestors'
 * order first, so its rows arrive grouped under their parents in the same
 * order as the parents' own rows: the gatherer merges the streams like a
 * merge join, holding no more than one fetched batch per entity.
 */
#ifndef DPEX_PLAN_H
#define DPEX_PLAN_H

#include "core/base/buf.h"
#include "core/map/datamap.h"

#include <stdbool.h>
#include <stddef.h>

typedef struct dpex_plan_link {
	int link;    /* index into the map's links */
	int source;  /* where it runs */
	int from;    /* identifier whose values are the parameter */
	int *yields; /* identifiers it provides, in select-list order */
	size_t nyields;
	char *sql; /* SELECT DISTINCT ...::text ... WHERE key = ANY($1) */
} dpex_plan_link;

typedef struct dpex_plan_entity {
	int entity;	/* index into the map's entities (same as here) */
	int identifier; /* identifier selecting its root's rows */
	bool reachable; /* false when the request cannot reach identifier */
	char *sql;	/* the query; $1 = the identifier's values */
	/* Select-list layout: the exported columns, then hidden ones. */
	size_t ncolumns; /* exported columns */
	int parent_key;	 /* child: column holding the parent's key, else -1 */
	int *child_keys; /* per child: column holding the key it matches */
	int *children;	 /* child entity indexes, in map order */
	size_t nchildren;
} dpex_plan_entity;

typedef struct dpex_plan {
	const dpex_datamap *map; /* borrowed */
	bool *given;		 /* per identifier: named in the request */
	bool *known;		 /* per identifier: given or found by a link */
	dpex_plan_link *links;
	size_t nlinks;
	dpex_plan_entity *entities; /* one per map entity, map order */
	size_t nentities;
} dpex_plan;

/* Builds the plan for a request naming the identifiers given[0..n) (map
 * indexes). The map must outlive the plan. */
int dpex_plan_build(dpex_plan **out, const dpex_datamap *m, const int *given,
		    size_t ngiven);

/* Bulk: entity e's query for a batch of subjects. $1 is a text array of
 * values, $2 an int array of the same length: the ordinal of the subject
 * each value belongs to. value_type is the SQL type of the root entity's
 * match column (format_type()), to which the values are cast. The rows are
 * those of the plain query, each followed by one more column, the ordinal,
 * and ordered by it first. Caller frees *out. */
int dpex_plan_batch_entity_sql(dpex_plan *p, int e, const char *value_type,
			       char **out);

/* Bulk: link i's query for a batch, $1 and $2 as above: the ordinal, then
 * the identifiers it yields, ordered. */
int dpex_plan_batch_link_sql(dpex_plan *p, size_t i, const char *value_type,
			     char **out);

void dpex_plan_free(dpex_plan *p);

/* Appends name to b as a quoted SQL identifier ("a""b"). */
int dpex_plan_quote_ident(dpex_buf *b, const char *name);

#endif
