/*
 * cli: what the command files share (cmd/cli.c defines it), and the
 * commands cmd/dpex.c dispatches to.
 */
#ifndef DPEX_CLI_H
#define DPEX_CLI_H

#include "core/map/datamap.h"
#include "core/run/export.h"

#include <stddef.h>

/* The documented exit codes (README, "Exit codes"). */
enum {
	EXIT_INTERNAL = 1,
	EXIT_USAGE = 2,
	EXIT_MAP = 3,
	EXIT_SOURCE = 4,
	EXIT_NOTFOUND = 5,
	EXIT_OUTPUT = 6,
	EXIT_INCOMPLETE = 7, /* bulk: some subjects failed or were not found */
	EXIT_NOSUBJECTS = 9, /* bulk: the subjects input named nobody */
	EXIT_CONTROL_NEWER = 11,
	EXIT_CANCELED = 130, /* the shell's code for death by SIGINT */
};

/* The most identifiers one command line may name. */
#define MAX_KEYS 64

/* The documented exit code of a DPEX_E* code. */
int exit_code(int rc);

/* Prints the error message and returns its exit code. */
int fail(int rc);

/* Prints "dpex COMMAND: " fmt (with arg) and a hint; returns 2. */
int usage_error(const char *command, const char *fmt, const char *arg);

/* Loads the map, printing every problem found; returns an exit code. */
int load_map(dpex_datamap **m, const char *path);

/* Prints each problem on its own line. */
void print_diags(const dpex_diags *d);

/* Splits "email=a@b" into its parts (in place); prints a usage error and
 * returns 2 when arg is not IDENTIFIER=VALUE. */
int split_subject(const char *command, char *arg, dpex_subject_key *key);

/* Calls handler on SIGINT and SIGTERM. */
void on_stop_signals(void (*handler)(int));

/* Splits a comma-separated list in place. */
size_t split_list(char *s, const char **items, size_t max);

extern const char export_usage[];
int cmd_export(int argc, char **argv);

extern const char check_usage[];
int cmd_check(int argc, char **argv);

extern const char plan_usage[];
int cmd_plan(int argc, char **argv);

extern const char bulk_usage[];
int cmd_bulk(int argc, char **argv);

extern const char queue_usage[];
int cmd_queue(int argc, char **argv);

extern const char worker_usage[];
int cmd_worker(int argc, char **argv);

#endif
