/*
 * dpex: the command line. Parses arguments, calls the core, prints, and
 * turns error codes into the documented exit codes.
 */
#include "core/map/check.h"
#include "core/answer/cover.h"
#include "core/map/datamap.h"
#include "core/base/error.h"
#include "core/run/export.h"
#include "core/pg/plan.h"
#include "core/map/processing.h"
#include "cli.h"

#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum {
	EXIT_INTERNAL = 1,
	EXIT_USAGE = 2,
	EXIT_MAP = 3,
	EXIT_SOURCE = 4,
	EXIT_NOTFOUND = 5,
	EXIT_OUTPUT = 6,
	EXIT_NOSUBJECTS = 9, /* bulk: the subjects input named nobody */
	EXIT_CONTROL_NEWER = 11,
	EXIT_CANCELED = 130, /* the shell's code for death by SIGINT */
};

static const char usage_text[] =
	"Usage: dpex COMMAND [OPTIONS]\n"
	"\n"
	"Answers data-subject requests (GDPR Art. 15 access, Art. 20\n"
	"portability): finds one person's rows in every database a data map\n"
	"describes and writes them to one ZIP archive of JSON, CSV and XLSX\n"
	"with a manifest.\n"
	"\n"
	"Commands:\n"
	"  export   export one subject's data to an archive\n"
	"  bulk     export many subjects, one archive each, resumably\n"
	"  check    validate a data map, and check it against the databases\n"
	"  plan     show the order of lookups and every query an export runs\n"
	"  queue    the control database of the request tracker: queue init\n"
	"  help     show this text, or a command's: dpex help export\n"
	"\n"
	"Exit codes:\n"
	"  0  success\n"
	"  1  internal error (a bug: please report it)\n"
	"  2  usage error: bad command line\n"
	"  3  the data map is invalid (or, for check, does not fit the "
	"databases)\n"
	"  4  a source database could not be reached or queried\n"
	"  5  the subject was not found in any source (nothing written)\n"
	"  6  the archive could not be written (nothing left behind)\n"
	"  7  bulk: finished, but some subjects failed or were not found\n"
	"  11  the control database's schema is newer than this dpex\n"
	"  130  interrupted by SIGINT or SIGTERM (nothing left behind)\n"
	"\n"
	"Run 'dpex COMMAND --help' for a command's options.\n";

static const char export_usage[] =
	"Usage: dpex export --map FILE --subject IDENTIFIER=VALUE [OPTIONS]\n"
	"\n"
	"Finds the subject in every source of the map (resolving other\n"
	"identifiers through the map's links), reads each source in one\n"
	"READ ONLY REPEATABLE READ transaction and writes one ZIP archive:\n"
	"index.html and README.txt (what the archive holds, for the person),\n"
	"data.json, csv/ENTITY.csv, data.xlsx, about.json and manifest.json.\n"
	"Columns the map redacts are redacted in every file. The archive\n"
	"is written under a temporary name and renamed when complete; its\n"
	"path is printed on standard output.\n"
	"\n"
	"Options:\n"
	"  -m, --map FILE            the data map (JSON)\n"
	"  -s, --subject ID=VALUE    an identifier declared in the map and "
	"the\n"
	"                            subject's value, e.g. "
	"email=anna@example.nl;\n"
	"                            repeat for several\n"
	"  -f, --format LIST         comma-separated, of json, csv, xlsx and "
	"csv-safe\n"
	"                            (CSV with formulas defused for Excel);\n"
	"                            default: json,csv,xlsx\n"
	"  -o, --out DIR             existing directory for the archive "
	"(default: .)\n"
	"      --request-id ID       names the archive dpex-ID.zip (default: "
	"time\n"
	"                            and a random suffix)\n"
	"      --lang LANG           language of index.html and README.txt: "
	"en,\n"
	"                            nl or sv (default: en)\n"
	"      --store               store members uncompressed\n"
	"      --kind KIND           access (default, Art. 15: everything, "
	"with\n"
	"                            about.json) or portability (Art. 20: "
	"only\n"
	"                            data provided or observed, under "
	"consent\n"
	"                            or contract)\n"
	"  -q, --quiet               print only the archive path\n"
	"  -h, --help                show this text\n"
	"\n"
	"Exit codes: 0 written, 2 usage, 3 map invalid, 4 source error,\n"
	"5 subject not found (no archive), 6 output error (no archive),\n"
	"130 interrupted (no archive).\n";

static const char check_usage[] =
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

static const char plan_usage[] =
	"Usage: dpex plan --map FILE [--identifier NAME | --subject "
	"NAME=VALUE]...\n"
	"\n"
	"Prints what an export naming these identifiers will run: the\n"
	"identifier links in the order they are followed, then the entities\n"
	"in the order they are visited, each with its parameterised query\n"
	"($1 is the array of the subject's values). Nothing is connected to.\n"
	"Without --identifier, plans for the first identifier the map "
	"declares.\n"
	"\n"
	"Options:\n"
	"  -m, --map FILE          the data map (JSON)\n"
	"  -i, --identifier NAME   an identifier the request names (repeat)\n"
	"  -s, --subject ID=VALUE  the same, as export takes it (value "
	"ignored)\n"
	"  -h, --help              show this text\n";

int exit_code(int rc)
{
	switch (rc) {
	case 0:
		return 0;
	case DPEX_EUSAGE:
		return EXIT_USAGE;
	case DPEX_EMAP:
		return EXIT_MAP;
	case DPEX_ESOURCE:
		return EXIT_SOURCE;
	case DPEX_ENOTFOUND:
		return EXIT_NOTFOUND;
	case DPEX_EOUTPUT:
		return EXIT_OUTPUT;
	case DPEX_ECANCELED:
		return EXIT_CANCELED;
	case DPEX_ENOSUBJECTS:
		return EXIT_NOSUBJECTS;
	case DPEX_ECONTROL_NEWER:
		return EXIT_CONTROL_NEWER;
	default:
		return EXIT_INTERNAL;
	}
}

int fail(int rc)
{
	fprintf(stderr, "dpex: error: %s\n", dpex_error_message());
	return exit_code(rc);
}

int usage_error(const char *command, const char *fmt, const char *arg)
{
	fprintf(stderr, "dpex %s: ", command);
	fprintf(stderr, fmt, arg);
	fprintf(stderr, "\nRun 'dpex %s --help' for usage.\n", command);
	return EXIT_USAGE;
}

static void print_diags(const dpex_diags *d)
{
	for (size_t i = 0; i < d->count; i++)
		fprintf(stderr, "%s\n", d->items[i].text);
}

/* Loads the map, printing every problem found. */
int load_map(dpex_datamap **m, const char *path)
{
	dpex_diags d = DPEX_DIAGS_INIT;
	int rc = dpex_datamap_load(m, path, &d);
	if (rc && d.count) {
		print_diags(&d);
		fprintf(stderr, "dpex: the map has %zu problem%s\n", d.errors,
			d.errors == 1 ? "" : "s");
		rc = exit_code(rc);
	} else if (rc) {
		rc = fail(rc);
	}
	dpex_diags_free(&d);
	return rc;
}

/* Splits "email=a@b" into its parts (in place). */
static int split_subject(const char *command, char *arg, dpex_subject_key *key)
{
	char *eq = strchr(arg, '=');
	if (!eq || eq == arg)
		return usage_error(command,
				   "--subject \"%s\" is not IDENTIFIER=VALUE "
				   "(e.g. email=anna@example.nl)",
				   arg);
	*eq = '\0';
	key->identifier = arg;
	key->value = eq + 1;
	return 0;
}

/* Splits a comma-separated list in place. */
size_t split_list(char *s, const char **items, size_t max)
{
	size_t n = 0;
	for (char *tok = strtok(s, ","); tok && n < max;
	     tok = strtok(NULL, ","))
		items[n++] = tok;
	return n;
}

#define MAX_KEYS 64

static int cmd_export(int argc, char **argv)
{
	static const struct option opts[] = {
		{"map", required_argument, NULL, 'm'},
		{"subject", required_argument, NULL, 's'},
		{"format", required_argument, NULL, 'f'},
		{"out", required_argument, NULL, 'o'},
		{"request-id", required_argument, NULL, 'r'},
		{"store", no_argument, NULL, 'S'},
		{"lang", required_argument, NULL, 'L'},
		{"kind", required_argument, NULL, 'k'},
		{"quiet", no_argument, NULL, 'q'},
		{"help", no_argument, NULL, 'h'},
		{NULL, 0, NULL, 0},
	};
	const char *map_path = NULL;
	dpex_subject_key keys[MAX_KEYS];
	const char *formats[8] = {"json", "csv", "xlsx"};
	dpex_export_request req = {.keys = keys,
				   .formats = formats,
				   .nformats = 3,
				   .out_dir = "."};
	bool quiet = false;
	int c;
	while ((c = getopt_long(argc, argv, "m:s:f:o:qh", opts, NULL)) != -1) {
		switch (c) {
		case 'm':
			map_path = optarg;
			break;
		case 's':
			if (req.nkeys == MAX_KEYS)
				return usage_error(
					"export",
					"too many --subject options%s", "");
			if (split_subject("export", optarg, &keys[req.nkeys]))
				return EXIT_USAGE;
			req.nkeys++;
			break;
		case 'f':
			req.nformats = split_list(optarg, formats, 8);
			break;
		case 'o':
			req.out_dir = optarg;
			break;
		case 'r':
			req.request_id = optarg;
			break;
		case 'S':
			req.store = true;
			break;
		case 'L':
			if (dpex_cover_check_lang(optarg))
				return usage_error("export",
						   "--lang \"%s\" is "
						   "not available: choose en, "
						   "nl or sv",
						   optarg);
			req.lang = optarg;
			break;
		case 'k':
			req.kind = optarg;
			break;
		case 'q':
			quiet = true;
			break;
		case 'h':
			fputs(export_usage, stdout);
			return 0;
		default:
			return usage_error("export", "invalid option%s", "");
		}
	}
	if (optind < argc)
		return usage_error("export", "unexpected argument \"%s\"",
				   argv[optind]);
	if (!map_path)
		return usage_error("export", "--map FILE is required%s", "");
	if (req.nkeys == 0)
		return usage_error("export",
				   "--subject IDENTIFIER=VALUE is required%s",
				   "");
	dpex_datamap *m = NULL;
	int rc = load_map(&m, map_path);
	if (rc)
		return rc;
	req.map = m;
	dpex_export_result res;
	rc = dpex_export_run(&req, &res);
	dpex_datamap_free(m);
	if (rc)
		return fail(rc);
	if (!quiet)
		fprintf(stderr, "dpex: exported %lld rows (request %s)\n",
			res.rows, res.request_id);
	printf("%s\n", res.archive_path);
	dpex_export_result_free(&res);
	return 0;
}

static int cmd_check(int argc, char **argv)
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

static void print_entity(const dpex_plan *p, int e, int depth)
{
	const dpex_datamap *m = p->map;
	const dpex_map_entity *me = &m->entities[e];
	const dpex_plan_entity *pe = &p->entities[e];
	printf("%*s%s (source %s, %s.%s)", depth * 2 + 2, "", me->name,
	       m->sources[me->source].name, me->schema, me->table);
	if (me->parent >= 0)
		printf(", under each %s row where %s = %s.%s\n",
		       m->entities[me->parent].name, me->parent_column,
		       m->entities[me->parent].name, me->parent_references);
	else
		printf(", matched by %s\n",
		       m->identifiers[pe->identifier].name);
	if (!pe->reachable)
		printf("%*s  (skipped: no link yields %s from the identifiers "
		       "given)\n",
		       depth * 2 + 2, "", m->identifiers[pe->identifier].name);
	printf("%*s  %s\n", depth * 2 + 2, "", pe->sql);
	for (size_t k = 0; k < pe->nchildren; k++)
		print_entity(p, pe->children[k], depth + 1);
}

static int cmd_plan(int argc, char **argv)
{
	static const struct option opts[] = {
		{"map", required_argument, NULL, 'm'},
		{"identifier", required_argument, NULL, 'i'},
		{"subject", required_argument, NULL, 's'},
		{"help", no_argument, NULL, 'h'},
		{NULL, 0, NULL, 0},
	};
	const char *map_path = NULL;
	const char *names[MAX_KEYS];
	size_t nnames = 0;
	int c;
	while ((c = getopt_long(argc, argv, "m:i:s:h", opts, NULL)) != -1) {
		switch (c) {
		case 'm':
			map_path = optarg;
			break;
		case 'i':
		case 's':
			if (nnames == MAX_KEYS)
				return usage_error(
					"plan", "too many identifiers%s", "");
			if (c == 's') {
				dpex_subject_key k;
				if (split_subject("plan", optarg, &k))
					return EXIT_USAGE;
				names[nnames++] = k.identifier;
			} else {
				names[nnames++] = optarg;
			}
			break;
		case 'h':
			fputs(plan_usage, stdout);
			return 0;
		default:
			return usage_error("plan", "invalid option%s", "");
		}
	}
	if (optind < argc)
		return usage_error("plan", "unexpected argument \"%s\"",
				   argv[optind]);
	if (!map_path)
		return usage_error("plan", "--map FILE is required%s", "");
	dpex_datamap *m = NULL;
	int rc = load_map(&m, map_path);
	if (rc)
		return rc;
	if (nnames == 0)
		names[nnames++] = m->identifiers[0].name;
	int given[MAX_KEYS];
	for (size_t i = 0; i < nnames; i++) {
		given[i] = dpex_datamap_identifier(m, names[i]);
		if (given[i] < 0) {
			rc = usage_error("plan",
					 "unknown identifier \"%s\": see the "
					 "map's \"identifiers\"",
					 names[i]);
			dpex_datamap_free(m);
			return rc;
		}
	}
	dpex_plan *p = NULL;
	rc = dpex_plan_build(&p, m, given, nnames);
	if (rc) {
		dpex_datamap_free(m);
		return fail(rc);
	}
	printf("Plan for a request naming:");
	for (size_t i = 0; i < nnames; i++)
		printf(" %s", names[i]);
	printf("\n$1 is always the array of the subject's values of the "
	       "identifier named.\n\nIdentifier links, in order:\n");
	if (p->nlinks == 0)
		printf("  (none needed)\n");
	for (size_t i = 0; i < p->nlinks; i++) {
		const dpex_plan_link *pl = &p->links[i];
		const dpex_map_link *ml = &m->links[pl->link];
		printf("  %zu. source %s, %s.%s: %s ->", i + 1,
		       m->sources[pl->source].name, ml->schema, ml->table,
		       m->identifiers[pl->from].name);
		for (size_t y = 0; y < pl->nyields; y++)
			printf("%s %s", y ? "," : "",
			       m->identifiers[pl->yields[y]].name);
		printf("\n     %s\n", pl->sql);
	}
	printf("\nEntities, in the order visited (children under their "
	       "parents):\n");
	for (size_t e = 0; e < m->nentities; e++)
		if (m->entities[e].parent < 0)
			print_entity(p, (int)e, 0);
	dpex_plan_free(p);
	dpex_datamap_free(m);
	return 0;
}

static void on_signal(int sig)
{
	(void)sig;
	dpex_cancel();
}

/* SIGINT and SIGTERM stop the work at the next row, so the archive's
 * temporary files are removed instead of left behind. */
static void handle_signals(void)
{
	struct sigaction sa;
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
}

int main(int argc, char **argv)
{
	handle_signals();
	if (argc < 2) {
		fputs(usage_text, stderr);
		return EXIT_USAGE;
	}
	const char *cmd = argv[1];
	if (strcmp(cmd, "--version") == 0 || strcmp(cmd, "version") == 0) {
		printf("dpex %s\n", DPEX_VERSION);
		return 0;
	}
	if (strcmp(cmd, "help") == 0 || strcmp(cmd, "--help") == 0 ||
	    strcmp(cmd, "-h") == 0) {
		const char *topic = argc > 2 ? argv[2] : "";
		if (strcmp(topic, "bulk") == 0) {
			fputs(bulk_usage, stdout);
			return 0;
		}
		if (strcmp(topic, "queue") == 0) {
			fputs(queue_usage, stdout);
			return 0;
		}
		fputs(strcmp(topic, "export") == 0  ? export_usage
		      : strcmp(topic, "check") == 0 ? check_usage
		      : strcmp(topic, "plan") == 0  ? plan_usage
						    : usage_text,
		      stdout);
		return 0;
	}
	/* Each command parses its own options from argv[1] on. */
	argc--;
	argv++;
	if (strcmp(cmd, "export") == 0)
		return cmd_export(argc, argv);
	if (strcmp(cmd, "check") == 0)
		return cmd_check(argc, argv);
	if (strcmp(cmd, "bulk") == 0)
		return cmd_bulk(argc, argv);
	if (strcmp(cmd, "plan") == 0)
		return cmd_plan(argc, argv);
	if (strcmp(cmd, "queue") == 0)
		return cmd_queue(argc, argv);
	fprintf(stderr,
		"dpex: unknown command \"%s\"; run 'dpex --help' for the "
		"list\n",
		cmd);
	return EXIT_USAGE;
}
