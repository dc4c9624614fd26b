/*
 * check: dpex check, the map against itself and the live databases.
 */
#include "core/base/error.h"
#include "core/map/check.h"
#include "core/map/processing.h"
#include "cli.h"

#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

const char check_usage[] =
	"Usage: dpex check --map FILE [--offline]\n"
	"\n"
	"Validates the data map and reports every problem with file, line and\n"
	"column. Then connects to each source and checks that every table,\n"
	"view and column the map names exists and is readable.\n"
	"\n"
	"Options:\n"
	"  -m, --map FILE   the data map (JSON)\n"
	"      --offline    check the map only, not the databases\n"
	"  -h, --help       show this text\n"
	"\n"
	"Exit codes: 0 no problems, 3 problems found, 4 a source could not\n"
	"be reached (every problem is listed all the same), 2 usage.\n";

int cmd_check(int argc, char **argv)
{
	static const struct option opts[] = {
		{"map", required_argument, NULL, 'm'},
		{"offline", no_argument, NULL, 'O'},
		{"help", no_argument, NULL, 'h'},
		{NULL, 0, NULL, 0},
	};
	const char *map_path = NULL;
	bool offline = false;
	int c;
	while ((c = getopt_long(argc, argv, "m:h", opts, NULL)) != -1) {
		switch (c) {
		case 'm':
			map_path = optarg;
			break;
		case 'O':
			offline = true;
			break;
		case 'h':
			fputs(check_usage, stdout);
			return 0;
		default:
			return usage_error("check", "invalid option%s", "");
		}
	}
	if (optind < argc)
		return usage_error("check", "unexpected argument \"%s\"",
				   argv[optind]);
	if (!map_path)
		return usage_error("check", "--map FILE is required%s", "");
	dpex_datamap *m = NULL;
	int rc = load_map(&m, map_path);
	if (rc)
		return rc;
	dpex_diags d = DPEX_DIAGS_INIT;
	/* Warnings: what an access answer would lack; not a failure. They
	 * come after the problems, which matter more. */
	dpex_diags w = DPEX_DIAGS_INIT;
	rc = offline ? 0 : dpex_check_live(m, &d);
	if (rc != DPEX_ENOMEM && dpex_processing_warn(m, &w))
		rc = DPEX_ENOMEM;
	print_diags(&d);
	print_diags(&w);
	dpex_diags_free(&w);
	if (rc) {
		rc = fail(rc);
	} else if (d.errors) {
		fprintf(stderr, "dpex: the map has %zu problem%s\n", d.errors,
			d.errors == 1 ? "" : "s");
		rc = EXIT_MAP;
	} else {
		printf("%s: ok: %zu sources, %zu identifiers, %zu links, %zu "
		       "entities%s\n",
		       map_path, m->nsources, m->nidentifiers, m->nlinks,
		       m->nentities,
		       offline ? " (databases not checked)"
			       : "; every table and column exists");
	}
	dpex_diags_free(&d);
	dpex_datamap_free(m);
	return rc;
}
