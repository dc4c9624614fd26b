/*
 * pgtext: PostgreSQL's text output turned into the text the open formats
 * expect, shared by the JSON and CSV writers so both say the same thing.
 *
 * Inputs are produced under the session settings of core/pg/source.c
 * (DateStyle ISO, TimeZone UTC, bytea_output hex). Anything that does not
 * have the expected shape (infinity, BC dates) is passed on unchanged: a
 * faithful copy beats a guess.
 */
#ifndef DPEX_PGTEXT_H
#define DPEX_PGTEXT_H

#include "core/base/buf.h"
#include "core/pg/value.h"

#include <stddef.h>

/* Appends a timestamp or timestamptz as ISO 8601: "2024-03-01 12:45:00+00"
 * becomes "2024-03-01T12:45:00+00:00". Fractional seconds and offsets such
 * as "+05:30" are kept; "infinity", "-infinity" and BC values are appended
 * as they are, since ISO 8601 has no form for them that readers agree on. */
int dpex_pgtext_timestamp(dpex_buf *out, const char *s, size_t len);

/* Appends a time with time zone as ISO 8601: "13:45:00+02" becomes
 * "13:45:00+02:00". */
int dpex_pgtext_timetz(dpex_buf *out, const char *s, size_t len);

/* Appends the RFC 4648 base64 (with padding) of a bytea in hex output
 * ("\x0a0b" gives "Cgs="). DPEX_EINTERNAL when s is not hex output. */
int dpex_pgtext_base64(dpex_buf *out, const char *s, size_t len);

/* "true" or "false" for PostgreSQL's "t" or "f"; NULL for anything else. */
const char *dpex_pgtext_bool(const char *s, size_t len);

/* The text both formats show for a non-NULL value of kind k: ISO 8601 for
 * timestamps and times with zone, true/false for booleans, base64 for bytea,
 * PostgreSQL's text for every other kind. *text points into s when no
 * conversion is needed, otherwise into scratch (emptied first), so the common
 * case copies nothing. */
int dpex_pgtext_plain(dpex_buf *scratch, dpex_kind k, const char *s, size_t len,
		      const char **text, size_t *text_len);

#endif
