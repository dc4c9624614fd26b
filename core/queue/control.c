#include "core/queue/control.h"

#include "core/base/error.h"
#include "core/queue/migrations.h"

#include <stdlib.h>
#include <string.h>

/* pg_advisory_xact_lock key of schema changes: "dpex" in ASCII. */
#define MIGRATION_LOCK "1685090424"

int dpex_control_latest(void)
{
	return dpex_migrations_count;
}

static int run(PGconn *c, const char *sql, const char *what)
{
	PGresult *r = PQexec(c, sql);
	ExecStatusType st = PQresultStatus(r);
	int rc = 0;
	if (st != PGRES_COMMAND_OK && st != PGRES_TUPLES_OK) {
		const char *msg =
			PQresultErrorField(r, PG_DIAG_MESSAGE_PRIMARY);
		rc = dpex_error_set(DPEX_ESOURCE, "control database: %s: %s",
				    what, msg ? msg : PQerrorMessage(c));
	}
	PQclear(r);
	return rc;
}

int dpex_control_connect(PGconn **out, const char *dsn)
{
	*out = NULL;
	char *parse_error = NULL;
	PQconninfoOption *parsed = PQconninfoParse(dsn, &parse_error);
	if (!parsed) {
		PQfreemem(parse_error);
		/* Its text is not repeated: it may hold a password. */
		return dpex_error_set(
			DPEX_EUSAGE, "--control: not a valid connection string "
				     "or URI (e.g. \"host=db1 dbname=dpex\" or "
				     "postgresql://db1/dpex)");
	}
	PQconninfoFree(parsed);
	const char *keys[] = {"fallback_application_name", "dbname", NULL};
	const char *vals[] = {"dpex", dsn, NULL};
	PGconn *c = PQconnectdbParams(keys, vals, 1);
	if (!c)
		return dpex_error_oom();
	if (PQstatus(c) != CONNECTION_OK) {
		/* libpq's message names the server, never the password. */
		int rc = dpex_error_set(
			DPEX_ESOURCE,
			"control database: cannot connect: %s; check --control "
			"(or DPEX_CONTROL), that the server is running and "
			"reachable from here, and the credentials",
			strtok(PQerrorMessage(c), "\n"));
		PQfinish(c);
		return rc;
	}
	int rc = run(c,
		     "SELECT pg_catalog.set_config('search_path', '', false), "
		     "pg_catalog.set_config('client_min_messages', 'warning', "
		     "false)",
		     "cannot set up the session");
	if (rc) {
		PQfinish(c);
		return rc;
	}
	*out = c;
	return 0;
}

static int found_version(PGconn *c, int *out)
{
	PGresult *r = PQexec(c, "SELECT pg_catalog.max(version) FROM "
				"dpex.schema_version");
	if (PQresultStatus(r) != PGRES_TUPLES_OK) {
		int rc = dpex_error_set(DPEX_ESOURCE,
					"control database: cannot read the "
					"schema version: %s",
					PQresultErrorMessage(r));
		PQclear(r);
		return rc;
	}
	*out = PQgetisnull(r, 0, 0) ? 0 : atoi(PQgetvalue(r, 0, 0));
	PQclear(r);
	return 0;
}

static int apply(PGconn *c, int from)
{
	for (int i = from; i < dpex_migrations_count; i++) {
		const dpex_migration *m = &dpex_migrations[i];
		char what[96];
		snprintf(what, sizeof(what), "migration %04d_%s", m->version,
			 m->name);
		int rc = run(c, m->sql, what);
		if (rc)
			return rc;
		char version[16];
		snprintf(version, sizeof(version), "%d", m->version);
		const char *params[] = {version, DPEX_VERSION};
		PGresult *r = PQexecParams(c,
					   "INSERT INTO dpex.schema_version "
					   "(version, dpex_version) "
					   "VALUES ($1::pg_catalog.int4, $2)",
					   2, NULL, params, NULL, NULL, 0);
		int ok = PQresultStatus(r) == PGRES_COMMAND_OK;
		PQclear(r);
		if (!ok)
			return dpex_error_set(DPEX_ESOURCE,
					      "control database: %s: cannot "
					      "record it: %s",
					      what, PQerrorMessage(c));
	}
	return 0;
}

int dpex_control_migrate(PGconn *c, dpex_control_migrated *out)
{
	int rc = run(c, "BEGIN", "cannot begin");
	if (!rc)
		rc = run(c,
			 "SELECT "
			 "pg_catalog.pg_advisory_xact_lock(" MIGRATION_LOCK ")",
			 "cannot take the migration lock");
	if (!rc)
		rc = run(c,
			 "CREATE SCHEMA IF NOT EXISTS dpex; "
			 "CREATE TABLE IF NOT EXISTS dpex.schema_version ("
			 "version integer PRIMARY KEY, "
			 "applied_at timestamptz NOT NULL DEFAULT "
			 "pg_catalog.now(), "
			 "dpex_version text NOT NULL)",
			 "cannot create the schema");
	int from = 0;
	if (!rc)
		rc = found_version(c, &from);
	if (!rc && from > dpex_migrations_count)
		rc = dpex_error_set(
			DPEX_ECONTROL_NEWER,
			"control database: its schema is version "
			"%d, newer than this dpex knows (%d): run a "
			"dpex of that version or newer; nothing was "
			"changed",
			from, dpex_migrations_count);
	if (!rc)
		rc = apply(c, from);
	if (!rc)
		rc = run(c, "COMMIT", "cannot commit");
	if (rc) {
		PGresult *r = PQexec(c, "ROLLBACK");
		PQclear(r);
		return rc;
	}
	out->from = from;
	out->to = from > dpex_migrations_count ? from : dpex_migrations_count;
	return 0;
}
