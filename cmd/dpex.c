/*
 * dpex: the command line. Says what the commands are, hands each its
 * arguments, and stops the work on SIGINT and SIGTERM.
 */
#include "core/base/error.h"
#include "cli.h"

#include <stdio.h>
#include <string.h>

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
	"  worker   take requests from the queue and export them\n"
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

static void on_signal(int sig)
{
	(void)sig;
	dpex_cancel();
}

/* SIGINT and SIGTERM stop the work at the next row, so the archive's
 * temporary files are removed instead of left behind. */
static void handle_signals(void)
{
	on_stop_signals(on_signal);
}

/* Every command, with its help text. */
static const struct command {
	const char *name;
	const char *usage;
	int (*run)(int argc, char **argv);
} commands[] = {
	{"export", export_usage, cmd_export},
	{"bulk", bulk_usage, cmd_bulk},
	{"check", check_usage, cmd_check},
	{"plan", plan_usage, cmd_plan},
	{"queue", queue_usage, cmd_queue},
	{"worker", worker_usage, cmd_worker},
};

static const struct command *find_command(const char *name)
{
	for (size_t i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
		if (strcmp(commands[i].name, name) == 0)
			return &commands[i];
	return NULL;
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
		const struct command *c =
			argc > 2 ? find_command(argv[2]) : NULL;
		fputs(c ? c->usage : usage_text, stdout);
		return 0;
	}
	const struct command *c = find_command(cmd);
	if (!c) {
		fprintf(stderr,
			"dpex: unknown command \"%s\"; run 'dpex --help' for "
			"the list\n",
			cmd);
		return EXIT_USAGE;
	}
	/* Each command parses its own options from argv[1] on. */
	return c->run(argc - 1, argv + 1);
}
