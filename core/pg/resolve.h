/*
 * resolve: from the identifiers a request names to all of the subject's
 * identifiers, by running the plan's links in order inside the sources'
 * snapshots.
 */
#ifndef DPEX_RESOLVE_H
#define DPEX_RESOLVE_H

#include "core/pg/plan.h"
#include "core/pg/source.h"

#include <stddef.h>

/* The values of one identifier: distinct, in the order found. */
typedef struct dpex_idvalues {
	char **values;
	size_t count;
} dpex_idvalues;

/* More values than this for one identifier means the map links people
 * together (a shared column), not one person's keys: refuse, don't
 * disclose. */
#define DPEX_RESOLVE_MAX_VALUES 1000

/* Adds value to v unless present. */
int dpex_idvalues_add(dpex_idvalues *v, const char *value, size_t len);

/* Runs p's links; ids[] (one per map identifier) holds the given values on
 * entry and every value found on return. sources[] is indexed like the map's
 * sources (NULL for sources the plan does not use). */
int dpex_resolve(const dpex_plan *p, dpex_source *const *sources,
		 dpex_idvalues *ids);

void dpex_idvalues_free(dpex_idvalues *ids, size_t n);

#endif
