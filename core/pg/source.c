#include "core/pg/source.h"

#include "core/base/error.h"
#include "core/pg/sqlhint.h"

#include <libpq-fe.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* A FETCH aims at this many bytes, so memory stays flat for narrow and
 * wide rows alike (a batch of 1 MB notes is a few rows, of ids thousands). */
#define BATCH_TARGET_BYTES (4u << 20)
#define BATCH_MIN_ROWS 16
#define BATCH_MAX_ROWS 8192
#define BATCH_FIRST_ROWS 256

struct dpex_source {
	PGconn *conn;
	char *name;
	unsigned next_cursor;
	bool in_transaction;
	char *snapshot;	 /* imported at every BEGIN, or NULL */
	char *user_path; /* the role's own search_path, before pinning */
};

struct dpex_cursor {
	dpex_source *source;
	char name[32];
	PGresult *batch;
	int row;   /* index in batch of the current row */
	int nrows; /* rows in batch */
	bool done; /* the server has no more rows */
	int fetch; /* rows to ask for next */
	dpex_value *values;
	size_t ncolumns;
};

/* libpq's messages span lines: "\n\t" continues a message, and starts a
 * new sentence when a capital follows ("...or directory\n\tIs the server
 * running...?"); a bare "\n" separates messages ("FATAL: terminating
 * connection...\nserver closed the connection unexpectedly"). Messages
 * here are one line, with the fix. */
static int source_error(const dpex_source *s, const char *what, const char *fix)
{
	char msg[1024];
	size_t n = 0;
	const char *c = PQerrorMessage(s->conn);
	while (*c && n + 3 < sizeof(msg)) {
		if (*c == '\n' && c[1] == '\t') {
			c += 2;
			bool sentence = *c >= 'A' && *c <= 'Z';
			if (sentence && n && msg[n - 1] != '.' &&
			    msg[n - 1] != '?')
				msg[n++] = '.';
			msg[n++] = ' ';
		} else if (*c == '\n') {
			c++;
			if (*c) {
				msg[n++] = ';';
				msg[n++] = ' ';
			}
		} else if (*c == ' ' && n && msg[n - 1] == ' ') {
			c++; /* "FATAL:  password..." */
		} else {
			msg[n++] = *c++;
		}
	}
	if (!fix && PQstatus(s->conn) == CONNECTION_BAD)
		fix = dpex_sqlhint_lost();
	while (n && (msg[n - 1] == ' ' || (fix && msg[n - 1] == '.')))
		n--;
	msg[n] = '\0';
	return dpex_error_set(DPEX_ESOURCE, "source \"%s\": %s: %s%s%s",
			      s->name, what, msg, fix ? "; " : "",
			      fix ? fix : "");
}

/* The server's primary message (and hint), without the statement excerpt
 * libpq's full text adds. */
static int result_error(const dpex_source *s, const PGresult *r,
			const char *what)
{
	const char *primary =
		r ? PQresultErrorField(r, PG_DIAG_MESSAGE_PRIMARY) : NULL;
	if (!primary)
		return source_error(s, what, NULL);
	const char *hint = PQresultErrorField(r, PG_DIAG_MESSAGE_HINT);
	const char *fix = dpex_sqlhint(PQresultErrorField(r, PG_DIAG_SQLSTATE));
	return dpex_error_set(DPEX_ESOURCE, "source \"%s\": %s: %s%s%s%s%s%s",
			      s->name, what, primary, hint ? " (hint: " : "",
			      hint ? hint : "", hint ? ")" : "",
			      fix ? "; " : "", fix ? fix : "");
}

static int exec_command(dpex_source *s, const char *sql)
{
	PGresult *r = PQexec(s->conn, sql);
	int rc = 0;
	if (PQresultStatus(r) != PGRES_COMMAND_OK)
		rc = result_error(s, r, sql);
	PQclear(r);
	return rc;
}

/* The exporters read PostgreSQL's text output; these settings make that
 * output one fixed, unambiguous format whatever the server's defaults.
 * The search path is pinned empty as pg_dump pins it: a schema before
 * pg_catalog (ALTER ROLE, ALTER DATABASE, PGOPTIONS) could otherwise define
 * an "=" that is always true and turn a request for one person into every
 * row of the table. */
static const char session_setup[] =
	"SELECT pg_catalog.set_config('search_path', '', false); "
	"SET client_encoding = 'UTF8'; "
	"SET DateStyle = 'ISO, YMD'; "
	"SET TimeZone = 'UTC'; "
	"SET IntervalStyle = 'iso_8601'; "
	"SET extra_float_digits = 3; "
	"SET bytea_output = 'hex'";

/* Kept for the one statement that is the operator's own SQL
 * (dpex_source_user_search_path()). */
static int save_user_path(dpex_source *s)
{
	PGresult *r = PQexec(s->conn, "SHOW search_path");
	int rc = 0;
	if (PQresultStatus(r) != PGRES_TUPLES_OK || PQntuples(r) != 1)
		rc = result_error(s, r, "cannot set up the session");
	else if (!(s->user_path = dpex_strdup(PQgetvalue(r, 0, 0))))
		rc = DPEX_ENOMEM;
	PQclear(r);
	return rc;
}

int dpex_source_user_search_path(dpex_source *s, bool user)
{
	const char *params[1] = {user ? s->user_path : ""};
	PGresult *r = PQexecParams(
		s->conn,
		"SELECT pg_catalog.set_config('search_path', $1, true)", 1,
		NULL, params, NULL, NULL, 0);
	int rc = 0;
	if (PQresultStatus(r) != PGRES_TUPLES_OK)
		rc = result_error(s, r, "cannot set the search path");
	PQclear(r);
	return rc;
}

/* BEGIN, and the shared snapshot when there is one: SET TRANSACTION SNAPSHOT
 * must be the transaction's first statement. */
static int begin(dpex_source *s)
{
	int rc = exec_command(s, "BEGIN ISOLATION LEVEL REPEATABLE READ "
				 "READ ONLY");
	if (rc || !s->snapshot)
		return rc;
	dpex_buf sql = DPEX_BUF_INIT;
	/* The id comes from pg_export_snapshot(): hex digits and dashes. */
	for (const char *c = s->snapshot; *c; c++)
		if (!((*c >= '0' && *c <= '9') || (*c >= 'A' && *c <= 'F') ||
		      *c == '-'))
			return dpex_error_set(DPEX_EINTERNAL,
					      "unexpected snapshot id");
	rc = dpex_buf_printf(&sql, "SET TRANSACTION SNAPSHOT '%s'",
			     s->snapshot);
	if (!rc)
		rc = exec_command(s, sql.data);
	dpex_buf_free(&sql);
	return rc;
}

int dpex_source_open(dpex_source **out, const dpex_datamap *m, int source)
{
	return dpex_source_open_at(out, m, source, NULL);
}

int dpex_source_open_at(dpex_source **out, const dpex_datamap *m, int source,
			const char *snapshot)
{
	*out = NULL;
	dpex_source *s = dpex_calloc(1, sizeof(*s));
	if (!s)
		return DPEX_ENOMEM;
	s->name = dpex_strdup(m->sources[source].name);
	if (snapshot)
		s->snapshot = dpex_strdup(snapshot);
	char *conninfo = NULL;
	int rc = s->name && (s->snapshot || !snapshot)
			 ? dpex_datamap_conninfo(m, source, &conninfo)
			 : DPEX_ENOMEM;
	if (rc) {
		dpex_source_close(s);
		return rc;
	}
	const char *keys[] = {"fallback_application_name", "dbname", NULL};
	const char *vals[] = {"dpex", conninfo, NULL};
	s->conn = PQconnectdbParams(keys, vals, 1);
	/* The expanded conninfo may hold a secret from the environment. */
	explicit_bzero(conninfo, strlen(conninfo));
	free(conninfo);
	if (!s->conn) {
		dpex_source_close(s);
		return dpex_error_oom();
	}
	if (PQstatus(s->conn) != CONNECTION_OK) {
		rc = source_error(s, "cannot connect", dpex_sqlhint_connect());
	} else {
		rc = save_user_path(s);
	}
	if (!rc) {
		PGresult *r = PQexec(s->conn, session_setup);
		if (PQresultStatus(r) != PGRES_COMMAND_OK &&
		    PQresultStatus(r) != PGRES_TUPLES_OK)
			rc = result_error(s, r, "cannot set up the session");
		PQclear(r);
	}
	/* A SQL_ASCII database holds any bytes and refuses to send ones that
	 * are not UTF-8 to a UTF8 client: take them as they are, the writers
	 * replace what is invalid (core/base/utf8.h). */
	const char *enc = PQparameterStatus(s->conn, "server_encoding");
	if (!rc && enc && strcmp(enc, "SQL_ASCII") == 0)
		rc = exec_command(s, "SET client_encoding = 'SQL_ASCII'");
	if (!rc)
		rc = begin(s);
	if (rc) {
		dpex_source_close(s);
		return rc;
	}
	s->in_transaction = true;
	*out = s;
	return 0;
}

void dpex_source_close(dpex_source *s)
{
	if (!s)
		return;
	if (s->conn && s->in_transaction &&
	    PQstatus(s->conn) == CONNECTION_OK) {
		/* Read only: ending it either way is the same. */
		PQclear(PQexec(s->conn, "ROLLBACK"));
	}
	PQfinish(s->conn);
	free(s->name);
	free(s->snapshot);
	free(s->user_path);
	free(s);
}

int dpex_source_export_snapshot(dpex_source *s, char **id)
{
	*id = NULL;
	PGresult *r = PQexec(s->conn, "SELECT pg_catalog.pg_export_snapshot()");
	int rc = 0;
	if (PQresultStatus(r) != PGRES_TUPLES_OK || PQntuples(r) != 1)
		rc = result_error(s, r, "cannot export the snapshot");
	else if (!(*id = dpex_strdup(PQgetvalue(r, 0, 0))))
		rc = DPEX_ENOMEM;
	PQclear(r);
	return rc;
}

int dpex_source_restart(dpex_source *s)
{
	if (PQstatus(s->conn) != CONNECTION_OK)
		return source_error(s, "connection lost", NULL);
	s->in_transaction = false;
	int rc = exec_command(s, "ROLLBACK");
	if (!rc)
		rc = begin(s);
	if (!rc)
		s->in_transaction = true;
	return rc;
}

bool dpex_source_alive(const dpex_source *s)
{
	return PQstatus(s->conn) == CONNECTION_OK;
}

const char *dpex_source_name(const dpex_source *s)
{
	return s->name;
}

int dpex_source_array_literal(dpex_buf *b, const char *const *values, size_t n)
{
	int rc = dpex_buf_putc(b, '{');
	for (size_t i = 0; !rc && i < n; i++) {
		if (i)
			rc = dpex_buf_putc(b, ',');
		if (!rc)
			rc = dpex_buf_putc(b, '"');
		for (const char *c = values[i]; !rc && *c; c++) {
			if (*c == '"' || *c == '\\')
				rc = dpex_buf_putc(b, '\\');
			if (!rc)
				rc = dpex_buf_putc(b, *c);
		}
		if (!rc)
			rc = dpex_buf_putc(b, '"');
	}
	return rc ? rc : dpex_buf_putc(b, '}');
}

static void fill_values(dpex_value *v, const PGresult *r, int row, size_t n)
{
	for (size_t c = 0; c < n; c++) {
		if (PQgetisnull(r, row, (int)c)) {
			v[c] = (dpex_value){NULL, 0, true};
		} else {
			v[c] = (dpex_value){PQgetvalue(r, row, (int)c),
					    (size_t)PQgetlength(r, row, (int)c),
					    false};
		}
	}
}

int dpex_source_query(dpex_source *s, const char *sql, const char *array_param,
		      int (*row)(void *ctx, const dpex_value *values,
				 size_t ncolumns),
		      void *ctx)
{
	const char *params[1] = {array_param};
	return dpex_source_query_params(s, sql, 1, params, row, ctx);
}

int dpex_source_query_params(dpex_source *s, const char *sql, int nparams,
			     const char *const *params,
			     int (*row)(void *ctx, const dpex_value *values,
					size_t ncolumns),
			     void *ctx)
{
	PGresult *r = PQexecParams(s->conn, sql, nparams, NULL, params, NULL,
				   NULL, 0);
	if (PQresultStatus(r) != PGRES_TUPLES_OK) {
		int rc = result_error(s, r, "query failed");
		PQclear(r);
		return rc;
	}
	size_t n = (size_t)PQnfields(r);
	dpex_value *v = dpex_calloc(n, sizeof(*v));
	int rc = v ? 0 : DPEX_ENOMEM;
	for (int i = 0; !rc && i < PQntuples(r); i++) {
		fill_values(v, r, i, n);
		rc = row(ctx, v, n);
	}
	free(v);
	PQclear(r);
	return rc;
}

/* Takes r, the answer to a FETCH, as the cursor's batch; the last one is
 * already freed (two at once would double the memory). */
static int take_batch(dpex_cursor *c, PGresult *r)
{
	c->batch = r;
	if (PQresultStatus(c->batch) != PGRES_TUPLES_OK)
		return result_error(c->source, c->batch, "reading rows failed");
	if (!c->values) {
		/* The first batch tells the shape of every row. */
		c->ncolumns = (size_t)PQnfields(c->batch);
		c->values = dpex_calloc(c->ncolumns, sizeof(*c->values));
		if (!c->values)
			return DPEX_ENOMEM;
	}
	c->nrows = PQntuples(c->batch);
	c->row = 0;
	c->done = c->nrows < c->fetch;
	/* Size the next batch from this one's bytes per row. */
	size_t bytes = 0;
	for (int i = 0; i < c->nrows; i++)
		for (size_t k = 0; k < c->ncolumns; k++)
			bytes += (size_t)PQgetlength(c->batch, i, (int)k) + 8;
	if (c->nrows > 0) {
		size_t per_row = bytes / (size_t)c->nrows + 1;
		size_t want = BATCH_TARGET_BYTES / per_row;
		if (want < BATCH_MIN_ROWS)
			want = BATCH_MIN_ROWS;
		if (want > BATCH_MAX_ROWS)
			want = BATCH_MAX_ROWS;
		c->fetch = (int)want;
	}
	if (c->nrows > 0)
		fill_values(c->values, c->batch, 0, c->ncolumns);
	return 0;
}

static void fetch_sql(const dpex_cursor *c, char sql[64])
{
	snprintf(sql, 64, "FETCH %d FROM %s", c->fetch, c->name);
}

static int fetch(dpex_cursor *c)
{
	char sql[64];
	fetch_sql(c, sql);
	PQclear(c->batch);
	c->batch = NULL;
	return take_batch(c, PQexec(c->source->conn, sql));
}

int dpex_cursor_open(dpex_cursor **out, dpex_source *s, const char *sql,
		     const char *array_param)
{
	const char *params[1] = {array_param};
	return dpex_cursor_open_params(out, s, sql, 1, params);
}

static dpex_cursor *cursor_new(dpex_source *s)
{
	dpex_cursor *c = dpex_calloc(1, sizeof(*c));
	if (!c)
		return NULL;
	c->source = s;
	snprintf(c->name, sizeof(c->name), "dpex_c%u", s->next_cursor++);
	c->fetch = BATCH_FIRST_ROWS;
	return c;
}

static int declare_sql(const dpex_cursor *c, const char *sql, dpex_buf *b)
{
	return dpex_buf_printf(b, "DECLARE %s NO SCROLL CURSOR FOR %s", c->name,
			       sql);
}

int dpex_cursor_open_params(dpex_cursor **out, dpex_source *s, const char *sql,
			    int nparams, const char *const *params)
{
	*out = NULL;
	dpex_cursor *c = cursor_new(s);
	if (!c)
		return DPEX_ENOMEM;
	dpex_buf decl = DPEX_BUF_INIT;
	int rc = declare_sql(c, sql, &decl);
	if (!rc) {
		PGresult *r = PQexecParams(s->conn, decl.data, nparams, NULL,
					   params, NULL, NULL, 0);
		if (PQresultStatus(r) != PGRES_COMMAND_OK)
			rc = result_error(s, r, "query failed");
		PQclear(r);
	}
	dpex_buf_free(&decl);
	if (!rc)
		rc = fetch(c);
	if (rc) {
		dpex_cursor_close(c);
		return rc;
	}
	*out = c;
	return 0;
}

/* The results of one pipelined statement, up to its terminating NULL:
 * the first is kept (the caller clears it), the rest cleared. */
static PGresult *pipeline_result(dpex_source *s)
{
	PGresult *r = PQgetResult(s->conn), *more;
	while (r && (more = PQgetResult(s->conn)))
		PQclear(more);
	return r;
}

/* Sends every DECLARE and its first FETCH, then reads the answers in
 * order. The first failure is kept (*failed names its cursor); the server
 * skips what follows it (PGRES_PIPELINE_ABORTED) up to the sync. */
static int open_pipelined(dpex_cursor **c, dpex_source *s, size_t n,
			  const char *const *sqls, int nparams,
			  const char *const *params, size_t *failed)
{
	int rc = 0;
	size_t sent = 0;
	for (; !rc && sent < n; sent++) {
		dpex_buf decl = DPEX_BUF_INIT;
		char fsql[64];
		fetch_sql(c[sent], fsql);
		rc = declare_sql(c[sent], sqls[sent], &decl);
		if (!rc &&
		    (!PQsendQueryParams(s->conn, decl.data, nparams, NULL,
					params + sent * (size_t)nparams, NULL,
					NULL, 0) ||
		     !PQsendQueryParams(s->conn, fsql, 0, NULL, NULL, NULL,
					NULL, 0)))
			rc = source_error(s, "query failed", NULL);
		dpex_buf_free(&decl);
		if (rc)
			*failed = sent;
	}
	if (!PQpipelineSync(s->conn) && !rc) {
		*failed = 0;
		rc = source_error(s, "query failed", NULL);
	}
	for (size_t i = 0; i < sent && PQstatus(s->conn) == CONNECTION_OK;
	     i++) {
		PGresult *r = pipeline_result(s);
		if (!rc && PQresultStatus(r) != PGRES_COMMAND_OK) {
			rc = result_error(s, r, "query failed");
			*failed = i;
		}
		PQclear(r);
		r = pipeline_result(s);
		if (!rc) {
			rc = take_batch(c[i], r);
			if (rc)
				*failed = i;
		} else {
			PQclear(r);
		}
	}
	/* Up to and including the sync's own result. */
	PGresult *r;
	while (PQstatus(s->conn) == CONNECTION_OK &&
	       (r = PQgetResult(s->conn))) {
		bool sync = PQresultStatus(r) == PGRES_PIPELINE_SYNC;
		PQclear(r);
		if (sync)
			break;
	}
	if (!rc && PQstatus(s->conn) != CONNECTION_OK) {
		*failed = 0;
		rc = source_error(s, "query failed", NULL);
	}
	return rc;
}

int dpex_cursor_open_many(dpex_cursor **out, dpex_source *s, size_t n,
			  const char *const *sqls, int nparams,
			  const char *const *params, size_t *failed)
{
	*failed = 0;
	for (size_t i = 0; i < n; i++)
		out[i] = NULL;
	int rc = 0;
	for (size_t i = 0; !rc && i < n; i++)
		if (!(out[i] = cursor_new(s)))
			rc = DPEX_ENOMEM;
	if (!rc && !PQenterPipelineMode(s->conn))
		rc = source_error(s, "query failed", NULL);
	if (!rc) {
		rc = open_pipelined(out, s, n, sqls, nparams, params, failed);
		if (!PQexitPipelineMode(s->conn) && !rc)
			rc = source_error(s, "query failed", NULL);
	}
	if (rc)
		for (size_t i = 0; i < n; i++) {
			dpex_cursor_close(out[i]);
			out[i] = NULL;
		}
	return rc;
}

const char *dpex_cursor_column_name(const dpex_cursor *c, size_t column)
{
	return PQfname(c->batch, (int)column);
}

size_t dpex_cursor_ncolumns(const dpex_cursor *c)
{
	return c->ncolumns;
}

unsigned int dpex_cursor_type(const dpex_cursor *c, size_t column)
{
	return (unsigned int)PQftype(c->batch, (int)column);
}

const dpex_value *dpex_cursor_row(const dpex_cursor *c)
{
	return c->row < c->nrows ? c->values : NULL;
}

int dpex_cursor_next(dpex_cursor *c)
{
	if (c->row >= c->nrows)
		return 0;
	c->row++;
	if (c->row < c->nrows) {
		fill_values(c->values, c->batch, c->row, c->ncolumns);
		return 0;
	}
	return c->done ? 0 : fetch(c);
}

void dpex_cursor_close(dpex_cursor *c)
{
	if (!c)
		return;
	/* The transaction's end closes the cursor server-side; a long one
	 * (a bulk run's) closes it now so portals do not pile up. */
	if (c->batch && c->source->snapshot &&
	    PQtransactionStatus(c->source->conn) == PQTRANS_INTRANS) {
		char sql[64];
		snprintf(sql, sizeof(sql), "CLOSE %s", c->name);
		PQclear(PQexec(c->source->conn, sql));
	}
	PQclear(c->batch);
	free(c->values);
	free(c);
}
