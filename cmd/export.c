/*
 * export: dpex export, one subject's archive.
 */
#include "core/answer/cover.h"
#include "core/base/error.h"
#include "core/run/export.h"
#include "cli.h"

#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

const char export_usage[] =
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

int cmd_export(int argc, char **argv)
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
