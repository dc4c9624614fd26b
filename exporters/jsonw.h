/*
 * jsonw: the JSON text of strings and column values, appended to a buffer.
 *
 * Rows are written by us rather than through jansson (about 3.6 times
 * faster, see DESIGN.md), so the escaping rules live here, once:
 * RFC 8259 §7 escapes for '"', '\' and control characters, plus U+2028 and
 * U+2029 (valid JSON, but they end a line in JavaScript and in some
 * editors). Every other character is written as raw UTF-8, never escaped
 * byte by byte. Invalid UTF-8 becomes U+FFFD (core/base/utf8.h).
 *
 * Where a function takes size_t *repaired, it adds 1 for each value that
 * needed a U+FFFD (however many it got); repaired may be NULL.
 */
#ifndef DPEX_JSONW_H
#define DPEX_JSONW_H

#include "core/base/buf.h"
#include "core/answer/memo.h"
#include "core/pg/value.h"

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>

/* Appends s as a quoted JSON string. */
int dpex_jsonw_string(dpex_buf *out, const char *s, size_t len,
		      size_t *repaired);

/* Appends v as json_dumps(v, JSON_INDENT(2) | JSON_PRESERVE_ORDER) lays
 * it out (about.json, manifest.json), a few times faster: strings go
 * through the escaping writer above. With a memo (memo.h, NULL: none),
 * an object or array that more than one document holds (its reference
 * count says so) is laid out once per depth and copied after. */
int dpex_jsonw_dump(dpex_buf *out, const json_t *v, dpex_memo *memo);

/* True when s is a number by RFC 8259 §6 grammar, so it can be written
 * bare; PostgreSQL's "NaN", "Infinity" and "-Infinity" are not. */
bool dpex_jsonw_is_number(const char *s, size_t len);

/* Appends a json or jsonb value as embedded JSON. PostgreSQL has checked
 * the document; line breaks and tabs between tokens (kept by the json
 * type) become spaces so that a row stays on one line. */
int dpex_jsonw_embed(dpex_buf *out, const char *s, size_t len,
		     size_t *repaired);

/* Appends one column value as the JSON form of its kind: null; integers,
 * numerics and floats as bare numbers (exact text, never through a
 * double), a string when they are not JSON numbers (NaN, Infinity);
 * true/false; embedded JSON; every other kind as a string of
 * dpex_pgtext_plain(). scratch is working space the caller reuses. */
int dpex_jsonw_value(dpex_buf *out, dpex_buf *scratch, dpex_kind k,
		     const dpex_value *v, size_t *repaired);

/* Appends an array of a built-in type as a JSON array, each element in
 * the JSON form of elem_kind (nested arrays for more dimensions, null for
 * NULL elements); a literal with explicit bounds ("[0:1]={1,2}") as a
 * string of PostgreSQL's text. elem is working space like scratch. */
int dpex_jsonw_array(dpex_buf *out, dpex_buf *scratch, dpex_buf *elem,
		     dpex_kind elem_kind, const dpex_value *v,
		     size_t *repaired);

/* Appends a composite (row) value as a JSON object of its fields, each in
 * the JSON form of its kind (NULL fields as null); a value of another
 * shape as a string of PostgreSQL's text. field is working space. */
int dpex_jsonw_composite(dpex_buf *out, dpex_buf *scratch, dpex_buf *field,
			 const dpex_field *fields, size_t nfields,
			 const dpex_value *v, size_t *repaired);

/* Appends one value of column c: dpex_jsonw_array for arrays,
 * dpex_jsonw_composite for rows, else dpex_jsonw_value. */
int dpex_jsonw_column(dpex_buf *out, dpex_buf *scratch, dpex_buf *elem,
		      const dpex_column *c, const dpex_value *v,
		      size_t *repaired);

#endif
