/*
 * dpex bulk: the command line of core/bulk.
 */
#include "cli.h"
#include "core/run/bulk.h"
#include "core/answer/cover.h"
#include "core/base/error.h"
#include "core/answer/scope.h"

#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

const char bulk_usage[] =
	"Usage: dpex bulk --map FILE (--subjects FILE | --subjects-query SQL "
	"--source NAME\n"
	"                 | --all) --out DIR [OPTIONS]\n"
	"\n"
	"Exports many subjects, one archive each: the same archive dpex "
	"export\n"
	"writes, named after the subject (dpex-s<32 hex>.zip, from SHA-256 "
	"of\n"
	"IDENTIFIER=VALUE), so a rerun names the same file. Every source is "
	"read\n"
	"in one snapshot for the whole run, shared by all workers. Subjects "
	"are\n"
	"fetched in batches: one query per entity per batch.\n"
	"\n"
	"Subjects (exactly one of):\n"
	"  -s, --subjects FILE       one IDENTIFIER=VALUE per line (# "
	"comments),\n"
	"                            or CSV whose header names an "
	"identifier\n"
	"                            (its first such column is used); - "
	"reads stdin\n"
	"      --subjects-query SQL  a query on --source whose first column "
	"is\n"
	"                            named after an identifier, e.g.\n"
	"                            'SELECT id AS customer_id FROM "
	"customers'\n"
	"      --source NAME         the map's source the query runs on\n"
	"      --all                 every subject of the map's first "
	"entity\n"
	"\n"
	"Options:\n"
	"  -m, --map FILE            the data map (JSON)\n"
	"  -o, --out DIR             output directory (made if missing, with\n"
	"                            its parents): the archives in DIR/<2 "
	"hex>/,\n"
	"                            journal.tsv, summary.csv\n"
	"  -f, --format LIST         comma-separated, of json, csv, xlsx and "
	"csv-safe\n"
	"                            (default: json,csv,xlsx), as for export\n"
	"      --store               store members uncompressed\n"
	"      --kind KIND           access (default) or portability, as for "
	"export\n"
	"      --lang LANG           language of index.html and README.txt: "
	"en,\n"
	"                            nl or sv (default: en)\n"
	"  -j, --jobs N              parallel workers, each with its own\n"
	"                            connections (default: number of "
	"cores)\n"
	"      --batch N             subjects per batch (default: 500, fewer "
	"for small\n"
	"                            runs so every worker gets several)\n"
	"      --progress=MODE       auto: a status line when stderr is a "
	"terminal\n"
	"                            (default); json: a JSON object per "
	"second on\n"
	"                            stderr; none\n"
	"  -h, --help                show this text\n"
	"\n"
	"Resuming: DIR/journal.tsv lists every finished subject. Rerun the "
	"same\n"
	"command after a crash, kill or Ctrl-C: finished subjects are "
	"skipped,\n"
	"the others done (subjects that failed are tried again). An archive "
	"only\n"
	"ever appears complete under its final name. A subject that fails is\n"
	"recorded and the run goes on; a source that goes down stops the "
	"run.\n"
	"\n"
	"DIR/summary.csv, rewritten at the end of every run: subject, status\n"
	"(ok, not_found, error, pending), archive, rows, bytes, sha256, "
	"error.\n"
	"\n"
	"Exit codes: 0 every subject has its archive, 7 the run finished but\n"
	"some subjects failed or were not found (see summary.csv), 2 usage,\n"
	"3 map invalid, 4 a source could not be reached or went down "
	"(rerun to\n"
	"resume), 6 output error, 9 the subjects input named no subject,\n"
	"130 interrupted (rerun to resume).\n";

int cmd_bulk(int argc, char **argv)
{
	enum {
		OPT_QUERY = 256,
		OPT_SOURCE,
		OPT_ALL,
		OPT_STORE,
		OPT_KIND,
		OPT_LANG,
		OPT_BATCH,
		OPT_PROGRESS
	};
	static const struct option opts[] = {
		{"map", required_argument, NULL, 'm'},
		{"subjects", required_argument, NULL, 's'},
		{"subjects-query", required_argument, NULL, OPT_QUERY},
		{"source", required_argument, NULL, OPT_SOURCE},
		{"all", no_argument, NULL, OPT_ALL},
		{"out", required_argument, NULL, 'o'},
		{"format", required_argument, NULL, 'f'},
		{"store", no_argument, NULL, OPT_STORE},
		{"kind", required_argument, NULL, OPT_KIND},
		{"lang", required_argument, NULL, OPT_LANG},
		{"jobs", required_argument, NULL, 'j'},
		{"batch", required_argument, NULL, OPT_BATCH},
		{"progress", required_argument, NULL, OPT_PROGRESS},
		{"help", no_argument, NULL, 'h'},
		{NULL, 0, NULL, 0},
	};
	const char *map_path = NULL;
	const char *formats[8] = {"json", "csv", "xlsx"};
	dpex_bulk_options o = {.formats = formats, .nformats = 3};
	const char *progress = "auto";
	int c;
	char *end;
	while ((c = getopt_long(argc, argv, "m:s:o:f:j:h", opts, NULL)) != -1) {
		switch (c) {
		case 'm':
			map_path = optarg;
			break;
		case 's':
			o.subjects_file = optarg;
			break;
		case OPT_QUERY:
			o.subjects_query = optarg;
			break;
		case OPT_SOURCE:
			o.query_source = optarg;
			break;
		case OPT_ALL:
			o.all = true;
			break;
		case 'o':
			o.out_dir = optarg;
			break;
		case 'f':
			o.nformats = split_list(optarg, formats, 8);
			break;
		case OPT_STORE:
			o.store = true;
			break;
		case OPT_KIND: {
			dpex_request_kind k;
			if (dpex_request_kind_parse(optarg, &k))
				return usage_error("bulk", "%s",
						   dpex_error_message());
			o.kind = optarg;
			break;
		}
		case OPT_LANG:
			if (dpex_cover_check_lang(optarg))
				return usage_error("bulk",
						   "--lang \"%s\" is "
						   "not available: choose en, "
						   "nl or sv",
						   optarg);
			o.lang = optarg;
			break;
		case 'j':
			o.jobs = (int)strtol(optarg, &end, 10);
			if (*end || o.jobs < 1 || o.jobs > 256)
				return usage_error(
					"bulk", "--jobs \"%s\": give 1 to 256",
					optarg);
			break;
		case OPT_BATCH:
			o.batch = (int)strtol(optarg, &end, 10);
			if (*end || o.batch < 1 || o.batch > 100000)
				return usage_error(
					"bulk",
					"--batch \"%s\": give 1 to 100000",
					optarg);
			break;
		case OPT_PROGRESS:
			progress = optarg;
			if (strcmp(progress, "auto") &&
			    strcmp(progress, "json") &&
			    strcmp(progress, "none"))
				return usage_error(
					"bulk",
					"--progress=%s: choose auto, "
					"json or none",
					optarg);
			break;
		case 'h':
			fputs(bulk_usage, stdout);
			return 0;
		default:
			return usage_error("bulk", "invalid option%s", "");
		}
	}
	if (optind < argc)
		return usage_error("bulk", "unexpected argument \"%s\"",
				   argv[optind]);
	if (!map_path)
		return usage_error("bulk", "--map FILE is required%s", "");
	if (!o.out_dir)
		return usage_error("bulk", "--out DIR is required%s", "");
	if ((o.subjects_file != NULL) + (o.subjects_query != NULL) + o.all != 1)
		return usage_error("bulk",
				   "name the subjects with exactly one of "
				   "--subjects FILE, --subjects-query SQL or "
				   "--all%s",
				   "");
	if (o.subjects_query && !o.query_source)
		return usage_error(
			"bulk", "--subjects-query needs --source NAME%s", "");
	o.progress = strcmp(progress, "json") == 0 ? DPEX_BULK_PROGRESS_JSON
		     : strcmp(progress, "auto") == 0 && isatty(2)
			     ? DPEX_BULK_PROGRESS_TTY
			     : DPEX_BULK_PROGRESS_NONE;
	dpex_datamap *m = NULL;
	int rc = load_map(&m, map_path);
	if (rc)
		return rc;
	o.map = m;
	dpex_bulk_stats st = {0};
	rc = dpex_bulk_run(&o, &st);
	dpex_datamap_free(m);
	if (st.summary_written)
		fprintf(stderr,
			"dpex: bulk: %lld subjects: %lld written, %lld done "
			"before, %lld not found, %lld failed; %lld rows, %lld "
			"bytes in %.1f s; summary: %s/summary.csv\n",
			st.subjects, st.written, st.skipped, st.not_found,
			st.failed, st.rows, st.bytes, st.seconds, o.out_dir);
	if (rc)
		return fail(rc);
	return st.incomplete ? EXIT_INCOMPLETE : 0;
}
