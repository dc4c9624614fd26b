/*
 * csvw: RFC 4180 records, appended to a buffer.
 *
 * Comma separated, CRLF after every record (RFC 4180 §2.1), UTF-8 without
 * a BOM (a BOM helps Excel but breaks strict parsers). A field is quoted,
 * with '"' doubled inside (§2.7), when it holds '"', ',', CR or LF (§2.6)
 * and also when it is the empty string: so an unquoted empty field is
 * NULL and "" is an empty string, a distinction RFC 4180 leaves open and
 * an access answer must keep. Values are written faithfully; no formula
 * escaping happens here. Invalid UTF-8 becomes U+FFFD (core/base/utf8.h).
 *
 * Where a function takes size_t *repaired, it adds 1 for each value that
 * needed a U+FFFD (however many it got); repaired may be NULL.
 */
#ifndef DPEX_CSVW_H
#define DPEX_CSVW_H

#include "core/base/buf.h"
#include "core/pg/value.h"

#include <stdbool.h>
#include <stddef.h>

/* Appends s as one field, quoted when needed (see above). */
int dpex_csvw_field(dpex_buf *out, const char *s, size_t len, size_t *repaired);

/* Appends one column value: nothing for NULL, otherwise the field of its
 * dpex_pgtext_plain() text (ISO 8601 timestamps, true/false, base64 bytea,
 * the JSON text of json, PostgreSQL's text for the rest). scratch is
 * working space the caller reuses. */
int dpex_csvw_value(dpex_buf *out, dpex_buf *scratch, dpex_kind k,
		    const dpex_value *v, size_t *repaired);

/* Appends the header record: the column names of e. */
int dpex_csvw_header(dpex_buf *out, const dpex_entity_shape *e);

/* Appends the record of one row of e (values has e->ncolumns entries). */
int dpex_csvw_row(dpex_buf *out, dpex_buf *scratch, const dpex_entity_shape *e,
		  const dpex_value *values, size_t *repaired);

/* True when a spreadsheet program would run text of kind k as a formula
 * (OWASP "CSV injection"): it starts with '=', '+', '-', '@', tab or CR
 * and is not a number column's value. */
bool dpex_csvw_is_formula(dpex_kind k, const char *s, size_t len);

/* dpex_csvw_row, and with excel_safe every field dpex_csvw_is_formula()
 * flags gets a leading apostrophe ("=1+1" becomes "'=1+1"): OWASP's advice,
 * spreadsheet programs then take the cell as text. */
int dpex_csvw_record(dpex_buf *out, dpex_buf *scratch,
		     const dpex_entity_shape *e, const dpex_value *values,
		     size_t *repaired, bool excel_safe);

#endif
