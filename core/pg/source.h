/*
 * source: one database of the estate, read inside one snapshot.
 *
 * A source is a libpq connection in a READ ONLY REPEATABLE READ
 * transaction, so every query of an export sees the same moment. Rows are
 * read through cursors (DECLARE ... FETCH n): several cursors can be open in
 * one transaction at once, which lets the gatherer interleave parent and
 * child rows, and each FETCH is sized so a batch stays near a few
 * megabytes whatever the width of the rows.
 */
#ifndef DPEX_SOURCE_H
#define DPEX_SOURCE_H

#include "core/base/buf.h"
#include "core/map/datamap.h"
#include "core/pg/value.h"

#include <stdbool.h>
#include <stddef.h>

typedef struct dpex_source dpex_source;
typedef struct dpex_cursor dpex_cursor;

/* Connects to the map's source (conninfo with ${VAR} expanded), applies the
 * session settings the exporters rely on and begins the snapshot.
 * DPEX_ESOURCE with libpq's message (never the conninfo) on failure. */
int dpex_source_open(dpex_source **out, const dpex_datamap *m, int source);

/* The same, importing snapshot (pg_export_snapshot()'s id) into the
 * transaction, and again at every dpex_source_restart(): a bulk run's
 * workers all read the moment a coordinator holds open. Cursors of such a
 * source are closed server-side when closed. */
int dpex_source_open_at(dpex_source **out, const dpex_datamap *m, int source,
			const char *snapshot);

/* Exports the transaction's snapshot for others to import; *id (caller
 * frees) stays valid while this transaction is open. */
int dpex_source_export_snapshot(dpex_source *s, char **id);

/* Sets the search path, for the rest of the transaction, to the one the
 * role had before dpex pinned it empty (user), or back to empty. Only for
 * SQL the operator wrote (bulk's --subjects-query), whose table names are
 * resolved as in the operator's own sessions. */
int dpex_source_user_search_path(dpex_source *s, bool user);

/* Rolls back (after a failed statement) and begins again in the same
 * snapshot. */
int dpex_source_restart(dpex_source *s);

/* False once the connection is lost. */
bool dpex_source_alive(const dpex_source *s);

/* Ends the transaction and closes the connection. NULL is a no-op. */
void dpex_source_close(dpex_source *s);

/* The source's name in the map. Borrowed. */
const char *dpex_source_name(const dpex_source *s);

/* Appends values as a PostgreSQL array literal ({"a","b\"c"}), the form of
 * the $1 parameter of every plan query. */
int dpex_source_array_literal(dpex_buf *b, const char *const *values, size_t n);

/* Runs sql with $1 = array_param and calls row(ctx, values, ncolumns) for
 * each result row. For small results only (identifier links). */
int dpex_source_query(dpex_source *s, const char *sql, const char *array_param,
		      int (*row)(void *ctx, const dpex_value *values,
				 size_t ncolumns),
		      void *ctx);

/* The same with nparams text parameters. */
int dpex_source_query_params(dpex_source *s, const char *sql, int nparams,
			     const char *const *params,
			     int (*row)(void *ctx, const dpex_value *values,
					size_t ncolumns),
			     void *ctx);

/* Declares a cursor for sql with $1 = array_param and fetches the first
 * batch, so the column types are known before any row is consumed. */
int dpex_cursor_open(dpex_cursor **out, dpex_source *s, const char *sql,
		     const char *array_param);

/* The same with nparams text parameters. */
int dpex_cursor_open_params(dpex_cursor **out, dpex_source *s, const char *sql,
			    int nparams, const char *const *params);

/* Opens n cursors on one source in one round trip (libpq's pipeline
 * mode): every DECLARE, with its nparams parameters from
 * params[i * nparams], and its first FETCH go out before any answer is
 * read. On failure no cursor is left open and *failed is the index of the
 * one whose statement failed. */
int dpex_cursor_open_many(dpex_cursor **out, dpex_source *s, size_t n,
			  const char *const *sqls, int nparams,
			  const char *const *params, size_t *failed);

size_t dpex_cursor_ncolumns(const dpex_cursor *c);
/* The result column's name, or NULL. Borrowed. */
const char *dpex_cursor_column_name(const dpex_cursor *c, size_t column);
unsigned int dpex_cursor_type(const dpex_cursor *c, size_t column);

/* The current row, or NULL when the cursor is exhausted. The values stay
 * valid until the next dpex_cursor_next() on this cursor. */
const dpex_value *dpex_cursor_row(const dpex_cursor *c);

/* Moves to the next row, fetching the next batch when needed. */
int dpex_cursor_next(dpex_cursor *c);

void dpex_cursor_close(dpex_cursor *c);

#endif
