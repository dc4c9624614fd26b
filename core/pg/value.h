/*
 * value: what a column and a field look like on their way from libpq to the
 * exporters.
 *
 * Fields arrive as PostgreSQL's text output, produced under fixed session
 * settings (see source.c): DateStyle ISO, TimeZone UTC, IntervalStyle
 * iso_8601, extra_float_digits 3, client_encoding UTF8. Exporters choose
 * a representation from the column's kind.
 */
#ifndef DPEX_VALUE_H
#define DPEX_VALUE_H

#include <stdbool.h>
#include <stddef.h>

typedef enum dpex_kind {
	DPEX_KIND_TEXT,	       /* text, varchar, char, uuid, inet, interval,
				  enums and every type not listed below
				  (domains arrive as their base type) */
	DPEX_KIND_INTEGER,     /* int2, int4, int8, oid */
	DPEX_KIND_NUMERIC,     /* numeric: exact decimal text */
	DPEX_KIND_FLOAT,       /* float4, float8: may be NaN or Infinity */
	DPEX_KIND_BOOL,	       /* "t" or "f" */
	DPEX_KIND_DATE,	       /* "2024-03-01" */
	DPEX_KIND_TIME,	       /* "13:45:00" */
	DPEX_KIND_TIMETZ,      /* "13:45:00+02" */
	DPEX_KIND_TIMESTAMP,   /* "2024-03-01 13:45:00" (no zone) */
	DPEX_KIND_TIMESTAMPTZ, /* "2024-03-01 12:45:00+00" (UTC) */
	DPEX_KIND_JSON,	       /* json, jsonb: a JSON document */
	DPEX_KIND_BYTEA,       /* "\x0a0b": hex output */
	DPEX_KIND_ARRAY,       /* "{1,2,NULL}": an array whose elements'
				  kind is dpex_column.elem_kind */
	DPEX_KIND_COMPOSITE,   /* "(1,\"a,b\",)": a row type whose fields
				  are dpex_column.fields */
} dpex_kind;

/* A field of a composite type. */
typedef struct dpex_field {
	const char *name;
	dpex_kind kind; /* an array field is DPEX_KIND_TEXT */
} dpex_field;

typedef struct dpex_column {
	const char *name;      /* as in the map and the CSV header */
	unsigned int type_oid; /* PostgreSQL type OID */
	dpex_kind kind;
	bool identifier;     /* a key or code: kept as text in spreadsheets */
	dpex_kind elem_kind; /* of an array's elements; DPEX_KIND_TEXT else */
	const dpex_field *fields; /* of a composite, in order; else NULL */
	size_t nfields;
} dpex_column;

typedef struct dpex_value {
	const char *data; /* text output, NUL-terminated; NULL when is_null */
	size_t len;
	bool is_null;
} dpex_value;

/* An entity as the exporters see it: a name, its columns, its place. */
typedef struct dpex_entity_shape {
	const char *name; /* entity name from the map, e.g. "order_lines" */
	int index;	  /* position among all entities (map order) */
	int parent;	  /* index of the parent entity, or -1 for a root */
	size_t ncolumns;
	const dpex_column *columns;
} dpex_entity_shape;

/* Values of one identifier for the subject of an export. */
typedef struct dpex_identifier_values {
	const char *identifier; /* e.g. "email" */
	const char *const *values;
	size_t nvalues;
	bool given; /* named in the request; otherwise found through a link */
} dpex_identifier_values;

/* What every exporter may say about the export as a whole. */
typedef struct dpex_export_info {
	const char *request_id;
	const char *exported_at; /* ISO 8601 in UTC: "2026-11-22T03:05:53Z" */
	const dpex_identifier_values *identifiers;
	size_t nidentifiers;
} dpex_export_info;

/* The kind PostgreSQL type oid maps to. */
dpex_kind dpex_kind_of_oid(unsigned int oid);

/* The kind of the elements of array type oid (DPEX_KIND_ARRAY from
 * dpex_kind_of_oid); DPEX_KIND_TEXT for any other type. */
dpex_kind dpex_kind_of_array_elements(unsigned int oid);

#endif
