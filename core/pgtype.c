#include "pgtype.h"

#include "error.h"

#include <stdio.h>
#include <stdlib.h>

/* Whether oid is an array type, and the type its elements print as: the
 * element type, followed through domains down to their base type. */
static const char type_sql[] =
	"WITH RECURSIVE t AS ("
	" SELECT CASE WHEN typcategory = 'A' THEN typelem ELSE oid END AS o,"
	" typcategory = 'A' AS is_array FROM pg_catalog.pg_type"
	" WHERE oid = $1::pg_catalog.oid),"
	" base(o) AS (SELECT o FROM t UNION ALL"
	" SELECT p.typbasetype FROM pg_catalog.pg_type p JOIN base"
	" ON p.oid = base.o WHERE p.typtype = 'd')"
	" SELECT t.is_array, b.o FROM t, base b JOIN pg_catalog.pg_type p"
	" ON p.oid = b.o WHERE p.typtype <> 'd'";

typedef struct answer {
	bool found;
	bool is_array;
	unsigned int base;
} answer;

static int take(void *ctx, const dpex_value *v, size_t n)
{
	answer *a = ctx;
	if (n != 2 || v[0].is_null || v[1].is_null)
		return 0;
	a->found = true;
	a->is_array = v[0].data[0] == 't';
	a->base = (unsigned int)strtoul(v[1].data, NULL, 10);
	return 0;
}

int dpex_pgtype_kinds(dpex_source *s, unsigned int oid, dpex_kind *kind,
		      dpex_kind *elem_kind)
{
	*kind = DPEX_KIND_TEXT;
	*elem_kind = DPEX_KIND_TEXT;
	char param[16];
	snprintf(param, sizeof(param), "%u", oid);
	answer a = {0};
	int rc = dpex_source_query(s, type_sql, param, take, &a);
	if (rc)
		return rc;
	if (a.found && a.is_array) {
		dpex_kind k = dpex_kind_of_oid(a.base);
		*kind = DPEX_KIND_ARRAY;
		/* An array of arrays of a domain type does not exist; an
		 * element that is itself an array type prints as text. */
		*elem_kind = k == DPEX_KIND_ARRAY ? DPEX_KIND_TEXT : k;
	}
	return 0;
}
