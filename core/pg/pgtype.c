#include "core/pg/pgtype.h"

#include "core/base/error.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Whether oid is an array type, whether it is a composite, and the type
 * its elements print as: the element type, followed through domains down
 * to their base type. */
static const char type_sql[] =
	"WITH RECURSIVE t AS ("
	" SELECT CASE WHEN typcategory = 'A' THEN typelem ELSE oid END AS o,"
	" typcategory = 'A' AS is_array, typtype = 'c' AS is_composite"
	" FROM pg_catalog.pg_type WHERE oid = $1::pg_catalog.oid),"
	" base(o) AS (SELECT o FROM t UNION ALL"
	" SELECT p.typbasetype FROM pg_catalog.pg_type p JOIN base"
	" ON p.oid = base.o WHERE p.typtype = 'd')"
	" SELECT t.is_array, t.is_composite, b.o FROM t, base b"
	" JOIN pg_catalog.pg_type p ON p.oid = b.o WHERE p.typtype <> 'd'";

/* A composite's fields in order, a domain field as its base type (one
 * level, which covers domains declared over a base type). */
static const char fields_sql[] =
	"SELECT a.attname, CASE WHEN f.typtype = 'd' THEN f.typbasetype"
	" ELSE a.atttypid END FROM pg_catalog.pg_type t"
	" JOIN pg_catalog.pg_attribute a ON a.attrelid = t.typrelid"
	" JOIN pg_catalog.pg_type f ON f.oid = a.atttypid"
	" WHERE t.oid = $1::pg_catalog.oid AND a.attnum > 0"
	" AND NOT a.attisdropped ORDER BY a.attnum";

typedef struct type_answer {
	bool found;
	bool is_array;
	bool is_composite;
	unsigned int base;
} type_answer;

static int take_type(void *ctx, const dpex_value *v, size_t n)
{
	type_answer *a = ctx;
	if (n != 3 || v[0].is_null || v[1].is_null || v[2].is_null)
		return 0;
	a->found = true;
	a->is_array = v[0].data[0] == 't';
	a->is_composite = v[1].data[0] == 't';
	a->base = (unsigned int)strtoul(v[2].data, NULL, 10);
	return 0;
}

typedef struct fields_answer {
	dpex_field *fields;
	size_t n;
} fields_answer;

static int take_field(void *ctx, const dpex_value *v, size_t n)
{
	fields_answer *a = ctx;
	if (n != 2 || v[0].is_null || v[1].is_null)
		return 0;
	dpex_field *f = realloc(a->fields, (a->n + 1) * sizeof(*f));
	if (!f)
		return dpex_error_oom();
	a->fields = f;
	char *name = dpex_strdup(v[0].data);
	if (!name)
		return DPEX_ENOMEM;
	dpex_kind k =
		dpex_kind_of_oid((unsigned int)strtoul(v[1].data, NULL, 10));
	/* Fields print as text inside the row; arrays and nested rows stay
	 * that text. */
	if (k == DPEX_KIND_ARRAY)
		k = DPEX_KIND_TEXT;
	a->fields[a->n++] = (dpex_field){.name = name, .kind = k};
	return 0;
}

int dpex_pgtype_describe(dpex_source *s, unsigned int oid, dpex_column *col)
{
	col->kind = DPEX_KIND_TEXT;
	col->elem_kind = DPEX_KIND_TEXT;
	col->fields = NULL;
	col->nfields = 0;
	char param[16];
	snprintf(param, sizeof(param), "%u", oid);
	type_answer t = {0};
	int rc = dpex_source_query(s, type_sql, param, take_type, &t);
	if (rc || !t.found)
		return rc;
	if (t.is_array) {
		dpex_kind k = dpex_kind_of_oid(t.base);
		col->kind = DPEX_KIND_ARRAY;
		/* Elements that are arrays or rows print as text. */
		col->elem_kind = k == DPEX_KIND_ARRAY ? DPEX_KIND_TEXT : k;
		return 0;
	}
	if (!t.is_composite)
		return 0;
	fields_answer f = {0};
	rc = dpex_source_query(s, fields_sql, param, take_field, &f);
	if (rc || f.n == 0) {
		dpex_pgtype_fields_free(f.fields, f.n);
		return rc;
	}
	col->kind = DPEX_KIND_COMPOSITE;
	col->fields = f.fields;
	col->nfields = f.n;
	return 0;
}

void dpex_pgtype_fields_free(const dpex_field *fields, size_t n)
{
	if (!fields)
		return;
	for (size_t i = 0; i < n; i++)
		free((char *)fields[i].name);
	free((dpex_field *)fields);
}
