/*
 * dpex queue: the control database of the request tracker.
 */
#include "cli.h"
#include "core/base/error.h"
#include "core/queue/control.h"

#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

const char queue_usage[] =
	"Usage: dpex queue init [--control DSN]\n"
	"\n"
	"Creates the control database's schema \"dpex\" (requests, their\n"
	"status flow, the append-only audit trail, the outbox of callbacks),\n"
	"or migrates it to the newest version this dpex knows. Safe to run\n"
	"again and from several machines at once: the migration takes an\n"
	"advisory lock and runs in one transaction.\n"
	"\n"
	"Options:\n"
	"  -c, --control DSN   the control database: a libpq connection\n"
	"                      string or URI (service=NAME uses\n"
	"                      pg_service.conf); default: $DPEX_CONTROL\n"
	"  -h, --help          show this text\n"
	"\n"
	"Exit codes: 0 the schema is at the newest version, 2 usage,\n"
	"4 the control database could not be reached or changed, 11 its\n"
	"schema is newer than this dpex (nothing changed).\n";

static int queue_init(int argc, char **argv)
{
	static const struct option opts[] = {
		{"control", required_argument, NULL, 'c'},
		{"help", no_argument, NULL, 'h'},
		{NULL, 0, NULL, 0},
	};
	const char *dsn = getenv("DPEX_CONTROL");
	int c;
	optind = 1;
	while ((c = getopt_long(argc, argv, "c:h", opts, NULL)) != -1) {
		switch (c) {
		case 'c':
			dsn = optarg;
			break;
		case 'h':
			fputs(queue_usage, stdout);
			return 0;
		default:
			return usage_error("queue init", "invalid option%s",
					   "");
		}
	}
	if (optind < argc)
		return usage_error("queue init", "unexpected argument \"%s\"",
				   argv[optind]);
	if (!dsn || !*dsn)
		return usage_error("queue init",
				   "--control DSN is required (or set "
				   "DPEX_CONTROL)%s",
				   "");
	PGconn *conn;
	int rc = dpex_control_connect(&conn, dsn);
	dpex_control_migrated m;
	if (!rc)
		rc = dpex_control_migrate(conn, &m);
	PQfinish(conn);
	if (rc)
		return fail(rc);
	if (m.from == m.to)
		printf("control database: schema dpex is at version %d, the "
		       "newest; nothing to do\n",
		       m.to);
	else
		printf("control database: schema dpex migrated from version "
		       "%d to %d\n",
		       m.from, m.to);
	return fflush(stdout) == 0 ? 0 : 6;
}

int cmd_queue(int argc, char **argv)
{
	if (argc < 2 || strcmp(argv[1], "--help") == 0 ||
	    strcmp(argv[1], "-h") == 0) {
		fputs(queue_usage, argc < 2 ? stderr : stdout);
		return argc < 2 ? 2 : 0;
	}
	if (strcmp(argv[1], "init") == 0)
		return queue_init(argc - 1, argv + 1);
	return usage_error("queue",
			   "unknown subcommand \"%s\": the queue has "
			   "init",
			   argv[1]);
}
