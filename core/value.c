#include "value.h"

/* Built-in type OIDs from PostgreSQL's pg_type.dat; stable across
 * releases. */
enum {
	BOOLOID = 16,
	BYTEAOID = 17,
	INT8OID = 20,
	INT2OID = 21,
	INT4OID = 23,
	OIDOID = 26,
	JSONOID = 114,
	FLOAT4OID = 700,
	FLOAT8OID = 701,
	DATEOID = 1082,
	TIMEOID = 1083,
	TIMESTAMPOID = 1114,
	TIMESTAMPTZOID = 1184,
	NUMERICOID = 1700,
	JSONBOID = 3802,
};

dpex_kind dpex_kind_of_oid(unsigned int oid)
{
	switch (oid) {
	case INT2OID:
	case INT4OID:
	case INT8OID:
	case OIDOID:
		return DPEX_KIND_INTEGER;
	case NUMERICOID:
		return DPEX_KIND_NUMERIC;
	case FLOAT4OID:
	case FLOAT8OID:
		return DPEX_KIND_FLOAT;
	case BOOLOID:
		return DPEX_KIND_BOOL;
	case DATEOID:
		return DPEX_KIND_DATE;
	case TIMEOID:
		return DPEX_KIND_TIME;
	case TIMESTAMPOID:
		return DPEX_KIND_TIMESTAMP;
	case TIMESTAMPTZOID:
		return DPEX_KIND_TIMESTAMPTZ;
	case JSONOID:
	case JSONBOID:
		return DPEX_KIND_JSON;
	case BYTEAOID:
		return DPEX_KIND_BYTEA;
	default:
		return DPEX_KIND_TEXT;
	}
}
