/*
 * pgtype: the kind of a column whose type was made by CREATE TYPE or
 * CREATE DOMAIN, asked of the source's catalog.
 *
 * Built-in types are known by their OID (value.h) and a domain column
 * arrives as its base type, but an array of an enum or of a domain, and a
 * composite (row) type, have OIDs of their own: without a look at pg_type
 * an array would be one string in data.json instead of an array, and a
 * row one string instead of an object.
 */
#ifndef DPEX_PGTYPE_H
#define DPEX_PGTYPE_H

#include "core/pg/source.h"
#include "core/pg/value.h"

/* PostgreSQL's first OID for objects made after initdb
 * (FirstNormalObjectId); types below it are built in. */
#define DPEX_PGTYPE_FIRST_USER_OID 16384u

/* Sets col->kind and, as they apply, col->elem_kind (an array: its
 * elements' kind, a domain's elements as their base type) or col->fields
 * and col->nfields (a composite: its fields' names and kinds, allocated:
 * free them with dpex_pgtype_fields_free) for type oid
 * (DPEX_PGTYPE_FIRST_USER_OID or above) from the catalog of s. Any other
 * type is DPEX_KIND_TEXT. DPEX_ESOURCE when the catalog cannot be read. */
int dpex_pgtype_describe(dpex_source *s, unsigned int oid, dpex_column *col);

/* Frees what dpex_pgtype_describe allocated for a column; NULL is a
 * no-op. */
void dpex_pgtype_fields_free(const dpex_field *fields, size_t n);

#endif
