/*
 * cli: what the command files share (cmd/dpex.c defines it).
 */
#ifndef DPEX_CLI_H
#define DPEX_CLI_H

#include "core/map/datamap.h"

#include <stddef.h>

/* The documented exit code of a DPEX_E* code. */
int exit_code(int rc);

/* Prints the error message and returns its exit code. */
int fail(int rc);

/* Prints "dpex COMMAND: " fmt (with arg) and a hint; returns 2. */
int usage_error(const char *command, const char *fmt, const char *arg);

/* Loads the map, printing every problem found; returns an exit code. */
int load_map(dpex_datamap **m, const char *path);

/* Splits a comma-separated list in place. */
size_t split_list(char *s, const char **items, size_t max);

extern const char bulk_usage[];
int cmd_bulk(int argc, char **argv);

extern const char queue_usage[];
int cmd_queue(int argc, char **argv);

#endif
