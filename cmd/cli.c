/*
 * cli: what the command files share: exit codes, messages, the map.
 */
#include "core/base/error.h"
#include "cli.h"

#include <signal.h>
#include <stdio.h>
#include <string.h>

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

void print_diags(const dpex_diags *d)
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
int split_subject(const char *command, char *arg, dpex_subject_key *key)
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

void on_stop_signals(void (*handler)(int))
{
	struct sigaction sa;
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = handler;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
}
