#include "core/pg/resolve.h"

#include "core/base/error.h"

#include <stdlib.h>
#include <string.h>

int dpex_idvalues_add(dpex_idvalues *v, const char *value, size_t len)
{
	for (size_t i = 0; i < v->count; i++)
		if (strlen(v->values[i]) == len &&
		    memcmp(v->values[i], value, len) == 0)
			return 0;
	if (v->count >= DPEX_RESOLVE_MAX_VALUES)
		return DPEX_EINTERNAL;
	char **p = dpex_realloc(v->values, (v->count + 1) * sizeof(char *));
	if (!p)
		return DPEX_ENOMEM;
	v->values = p;
	char *copy = dpex_malloc(len + 1);
	if (!copy)
		return DPEX_ENOMEM;
	memcpy(copy, value, len);
	copy[len] = '\0';
	v->values[v->count++] = copy;
	return 0;
}

typedef struct link_run {
	const dpex_plan *plan;
	const dpex_plan_link *link;
	dpex_idvalues *ids;
} link_run;

static int add_row(void *ctx, const dpex_value *values, size_t n)
{
	link_run *run = ctx;
	for (size_t y = 0; y < n && y < run->link->nyields; y++) {
		if (values[y].is_null)
			continue;
		int id = run->link->yields[y];
		int rc = dpex_idvalues_add(&run->ids[id], values[y].data,
					   values[y].len);
		if (rc == DPEX_EINTERNAL) {
			const dpex_map_link *l =
				&run->plan->map->links[run->link->link];
			return dpex_error_set(
				DPEX_EMAP,
				"link on %s.%s yields more than %d values of "
				"identifier \"%s\" for one subject: are its "
				"columns really unique to one person?",
				l->schema, l->table, DPEX_RESOLVE_MAX_VALUES,
				run->plan->map->identifiers[id].name);
		}
		if (rc)
			return rc;
	}
	return 0;
}

int dpex_resolve(const dpex_plan *p, dpex_source *const *sources,
		 dpex_idvalues *ids)
{
	for (size_t i = 0; i < p->nlinks; i++) {
		const dpex_plan_link *pl = &p->links[i];
		const dpex_idvalues *from = &ids[pl->from];
		if (from->count == 0)
			continue;
		dpex_buf param = DPEX_BUF_INIT;
		int rc = dpex_source_array_literal(
			&param, (const char *const *)from->values, from->count);
		link_run run = {p, pl, ids};
		if (!rc)
			rc = dpex_source_query(sources[pl->source], pl->sql,
					       param.data, add_row, &run);
		dpex_buf_free(&param);
		if (rc)
			return rc;
	}
	return 0;
}

void dpex_idvalues_free(dpex_idvalues *ids, size_t n)
{
	if (!ids)
		return;
	for (size_t i = 0; i < n; i++) {
		for (size_t k = 0; k < ids[i].count; k++)
			free(ids[i].values[k]);
		free(ids[i].values);
	}
	free(ids);
}
