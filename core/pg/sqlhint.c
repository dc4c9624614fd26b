#include "core/pg/sqlhint.h"

#include <stddef.h>
#include <string.h>

typedef struct hint {
	const char *sqlstate; /* a full code, or a two-character class */
	const char *text;
} hint;

static const hint hints[] = {
	{"42P01", "the map names a table or view this database does not "
		  "have: fix the map (dpex check --map FILE lists every such "
		  "problem)"},
	{"42703", "the map names a column this table does not have: fix the "
		  "map (dpex check --map FILE lists every such problem)"},
	{"3F000", "the map names a schema this database does not have: fix "
		  "the map (dpex check --map FILE lists every such problem)"},
	{"42501", "the role dpex connects as may not read it: GRANT SELECT "
		  "on it (and USAGE on its schema) to that role"},
	{"57014", "the query was canceled, most likely by statement_timeout: "
		  "raise it for the role dpex connects as (ALTER ROLE ... SET "
		  "statement_timeout), or index the column the map matches on"},
	{"57P01", "the server ended the connection (shut down, or the "
		  "session was terminated): run the export again when the "
		  "database is back"},
	{"57P02", "the server crashed: run the export again when the "
		  "database is back"},
	{"57P03", "the server is starting up or shutting down: try again "
		  "shortly"},
	{"3D000", "check dbname in the source's conninfo in the map"},
	{"28P01", "check the user in the source's conninfo and the password "
		  "in ~/.pgpass, PGPASSFILE or PGPASSWORD"},
	{"28", "check the user in the source's conninfo and the server's "
	       "pg_hba.conf"},
	{"08", "the connection to the server failed: run the export again "
	       "when the database is reachable"},
	{"53", "the server ran out of a resource (memory, disk, "
	       "connections): try again later or ask its administrator"},
};

const char *dpex_sqlhint(const char *sqlstate)
{
	if (!sqlstate)
		return NULL;
	for (size_t i = 0; i < sizeof(hints) / sizeof(*hints); i++) {
		size_t n = strlen(hints[i].sqlstate);
		if (strncmp(sqlstate, hints[i].sqlstate, n) == 0)
			return hints[i].text;
	}
	return NULL;
}

const char *dpex_sqlhint_connect(void)
{
	return "check the source's conninfo in the map, that the server is "
	       "running and reachable from here, and the credentials "
	       "(~/.pgpass, PGPASSFILE or PGPASSWORD)";
}

const char *dpex_sqlhint_lost(void)
{
	return "the connection to the server was lost: run the export again "
	       "when the database is back";
}
