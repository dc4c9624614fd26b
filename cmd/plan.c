/*
 * plan: dpex plan, what an export will run.
 */
#include "core/base/error.h"
#include "core/pg/plan.h"
#include "cli.h"

#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

const char plan_usage[] =
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

int cmd_plan(int argc, char **argv)
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
