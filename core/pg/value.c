#include "core/pg/value.h"

#include <stddef.h>

/* Built-in type OIDs from PostgreSQL's pg_type.dat; stable across
 * releases. */
enum {
	BOOLOID = 16,
	BYTEAOID = 17,
	INT8OID = 20,
	INT2OID = 21,
	INT4OID = 23,
	TEXTOID = 25,
	OIDOID = 26,
	JSONOID = 114,
	FLOAT4OID = 700,
	FLOAT8OID = 701,
	BPCHAROID = 1042,
	VARCHAROID = 1043,
	DATEOID = 1082,
	TIMEOID = 1083,
	TIMESTAMPOID = 1114,
	TIMESTAMPTZOID = 1184,
	INTERVALOID = 1186,
	TIMETZOID = 1266,
	NUMERICOID = 1700,
	UUIDOID = 2950,
	INETOID = 869,
	CIDROID = 650,
	JSONBOID = 3802,
};

/* Array types of the built-in element types above (typarray in
 * pg_type.dat). Arrays of enums, domains and composites have OIDs given at
 * CREATE TYPE time and stay text. */
static const struct {
	unsigned int array, element;
} arrays[] = {
	{1000, BOOLOID},      {1001, BYTEAOID},	      {1005, INT2OID},
	{1007, INT4OID},      {1016, INT8OID},	      {1028, OIDOID},
	{1009, TEXTOID},      {1014, BPCHAROID},      {1015, VARCHAROID},
	{1021, FLOAT4OID},    {1022, FLOAT8OID},      {1231, NUMERICOID},
	{1182, DATEOID},      {1183, TIMEOID},	      {1270, TIMETZOID},
	{1115, TIMESTAMPOID}, {1185, TIMESTAMPTZOID}, {1187, INTERVALOID},
	{2951, UUIDOID},      {1041, INETOID},	      {651, CIDROID},
	{199, JSONOID},	      {3807, JSONBOID},
};

static dpex_kind scalar_kind(unsigned int oid)
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
	case TIMETZOID:
		return DPEX_KIND_TIMETZ;
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

dpex_kind dpex_kind_of_oid(unsigned int oid)
{
	for (size_t i = 0; i < sizeof(arrays) / sizeof(arrays[0]); i++)
		if (arrays[i].array == oid)
			return DPEX_KIND_ARRAY;
	return scalar_kind(oid);
}

dpex_kind dpex_kind_of_array_elements(unsigned int oid)
{
	for (size_t i = 0; i < sizeof(arrays) / sizeof(arrays[0]); i++)
		if (arrays[i].array == oid)
			return scalar_kind(arrays[i].element);
	return DPEX_KIND_TEXT;
}
