/*
 * pgtype: the kind of a column whose type was made by CREATE TYPE or
 * CREATE DOMAIN, asked of the source's catalog.
 *
 * Built-in types are known by their OID (value.h) and a domain column
 * arrives as its base type, but an array of an enum or of a domain has an
 * OID of its own: without a look at pg_type it would be one string in
 * data.json instead of an array.
 */
#ifndef DPEX_PGTYPE_H
#define DPEX_PGTYPE_H

#include "source.h"
#include "value.h"

/* PostgreSQL's first OID for objects made after initdb
 * (FirstNormalObjectId); types below it are built in. */
#define DPEX_PGTYPE_FIRST_USER_OID 16384u

/* Sets *kind and *elem_kind for type oid (DPEX_PGTYPE_FIRST_USER_OID or
 * above) from the catalog of s: an array becomes DPEX_KIND_ARRAY with its
 * elements' kind (a domain's elements as their base type), anything else
 * DPEX_KIND_TEXT. DPEX_ESOURCE when the catalog cannot be read. */
int dpex_pgtype_kinds(dpex_source *s, unsigned int oid, dpex_kind *kind,
		      dpex_kind *elem_kind);

#endif
