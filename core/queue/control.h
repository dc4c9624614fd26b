/*
 * control: the control database, the one thing the request tracker's
 * workers and servers share (schema "dpex").
 */
#ifndef DPEX_QUEUE_CONTROL_H
#define DPEX_QUEUE_CONTROL_H

#include <libpq-fe.h>

/* Connects to the control database (a libpq conninfo or URI; service=
 * works) with an empty search_path, as every dpex connection has.
 * DPEX_ESOURCE when it cannot be reached; the message never holds the
 * conninfo. */
int dpex_control_connect(PGconn **out, const char *dsn);

typedef struct dpex_control_migrated {
	int from; /* the version found (0: none) */
	int to;	  /* the version now */
} dpex_control_migrated;

/* Creates the schema or migrates it to the newest version this binary
 * has, in one transaction holding an advisory lock, so two at once are
 * safe (the second finds the work done). DPEX_ECONTROL_NEWER when the
 * database's version is newer than the binary's: nothing is changed. */
int dpex_control_migrate(PGconn *conn, dpex_control_migrated *out);

/* The newest schema version this binary knows. */
int dpex_control_latest(void);

#endif
