/*
 * diag: a list of problems found in one pass, so a user fixes a broken map
 * in one round instead of one error at a time.
 */
#ifndef DPEX_DIAG_H
#define DPEX_DIAG_H

#include <stddef.h>

typedef enum dpex_severity {
	DPEX_DIAG_ERROR,
	DPEX_DIAG_WARNING,
} dpex_severity;

typedef struct dpex_diag {
	dpex_severity severity;
	char *text; /* complete: "map.json:14:9: entity \"orders\": ..." */
} dpex_diag;

typedef struct dpex_diags {
	dpex_diag *items;
	size_t count;
	size_t cap;
	size_t errors;
} dpex_diags;

#define DPEX_DIAGS_INIT                                                        \
	{                                                                      \
		NULL, 0, 0, 0                                                  \
	}

/* Adds a problem; returns 0 or DPEX_ENOMEM. */
int dpex_diags_add(dpex_diags *d, dpex_severity severity, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* Sets the thread's error (core/base/error.h) from the first error in d, with
 * how many more follow, and returns code. */
int dpex_diags_to_error(const dpex_diags *d, int code);

void dpex_diags_free(dpex_diags *d);

#endif
