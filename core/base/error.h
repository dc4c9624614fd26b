/*
 * error: the one place an error's code and message live.
 *
 * A failing function sets the message where the detail is known and returns
 * the negative code; callers may prefix context with dpex_error_wrap() but
 * never replace it. The message is per thread, so workers do not mix them.
 */
#ifndef DPEX_ERROR_H
#define DPEX_ERROR_H

#include <stddef.h>

enum {
	DPEX_OK = 0,
	DPEX_EINTERNAL = -1, /* a bug or an unexpected library failure */
	DPEX_EUSAGE = -2,    /* bad arguments from the caller */
	DPEX_EMAP = -3,	     /* the data map is invalid */
	DPEX_ESOURCE = -4,   /* a database could not be reached or queried */
	DPEX_ENOTFOUND = -5, /* the subject matched no row anywhere */
	DPEX_EOUTPUT = -6,   /* the archive could not be written */
	DPEX_ENOMEM = -7,
	DPEX_ECANCELED = -8,	   /* stopped on request (SIGINT, SIGTERM) */
	DPEX_ENOSUBJECTS = -9,	   /* bulk: the subjects input named nobody */
	DPEX_ECONTROL_NEWER = -11, /* control schema newer than the binary */
};

/* Asks running work to stop at its next row or batch; it then fails with
 * DPEX_ECANCELED and cleans up as for any failure. Async-signal-safe. */
void dpex_cancel(void);

/* DPEX_ECANCELED (with the message set) once dpex_cancel() was called. */
int dpex_check_canceled(void);

/* Sets the thread's error message and returns code (a negative DPEX_E*). */
int dpex_error_set(int code, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/* Prefixes the current message with context ("crm: " + message); returns
 * code. */
int dpex_error_wrap(int code, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/* Records an out-of-memory failure; returns DPEX_ENOMEM. */
int dpex_error_oom(void);

/* The thread's last message; never NULL. Borrowed until the next set. */
const char *dpex_error_message(void);

/* Forgets the thread's message. */
void dpex_error_clear(void);

/* The short name of a code ("map", "source", ...), for logs. */
const char *dpex_error_name(int code);

/* Allocation wrappers: on failure they record the error and return NULL. */
void *dpex_malloc(size_t n);
void *dpex_calloc(size_t n, size_t size);
void *dpex_realloc(void *p, size_t n);
char *dpex_strdup(const char *s);
/* printf into a new string; NULL (with the error set) on failure. */
char *dpex_asprintf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

#endif
