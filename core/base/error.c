#include "core/base/error.h"

#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Long enough for a map path, a libpq message and a hint. */
#define MESSAGE_MAX 2048

static _Thread_local char message[MESSAGE_MAX];
static volatile sig_atomic_t canceled;

void dpex_cancel(void)
{
	canceled = 1;
}

int dpex_check_canceled(void)
{
	if (!canceled)
		return 0;
	return dpex_error_set(DPEX_ECANCELED,
			      "interrupted by SIGINT or SIGTERM: the export "
			      "stopped and left nothing behind");
}

int dpex_error_set(int code, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(message, sizeof(message), fmt, ap);
	va_end(ap);
	return code;
}

int dpex_error_wrap(int code, const char *fmt, ...)
{
	char prefix[512];
	char old[MESSAGE_MAX];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(prefix, sizeof(prefix), fmt, ap);
	va_end(ap);
	memcpy(old, message, sizeof(old));
	/* Truncating a very long message is fine: its start carries the
	 * context. */
	size_t n = strlen(prefix);
	if (n >= sizeof(message))
		n = sizeof(message) - 1;
	memcpy(message, prefix, n);
	size_t rest = sizeof(message) - 1 - n;
	size_t m = strnlen(old, rest);
	memcpy(message + n, old, m);
	message[n + m] = '\0';
	return code;
}

int dpex_error_oom(void)
{
	return dpex_error_set(DPEX_ENOMEM, "out of memory");
}

const char *dpex_error_message(void)
{
	return message;
}

void dpex_error_clear(void)
{
	message[0] = '\0';
}

const char *dpex_error_name(int code)
{
	switch (code) {
	case DPEX_OK:
		return "ok";
	case DPEX_EUSAGE:
		return "usage";
	case DPEX_EMAP:
		return "map";
	case DPEX_ESOURCE:
		return "source";
	case DPEX_ENOTFOUND:
		return "not found";
	case DPEX_EOUTPUT:
		return "output";
	case DPEX_ENOMEM:
		return "memory";
	case DPEX_ECANCELED:
		return "canceled";
	case DPEX_ENOSUBJECTS:
		return "no subjects";
	case DPEX_ECONTROL_NEWER:
		return "control schema newer";
	default:
		return "internal";
	}
}

void *dpex_malloc(size_t n)
{
	void *p = malloc(n ? n : 1);
	if (!p)
		dpex_error_oom();
	return p;
}

void *dpex_calloc(size_t n, size_t size)
{
	void *p = calloc(n ? n : 1, size ? size : 1);
	if (!p)
		dpex_error_oom();
	return p;
}

void *dpex_realloc(void *p, size_t n)
{
	void *q = realloc(p, n ? n : 1);
	if (!q)
		dpex_error_oom();
	return q;
}

char *dpex_strdup(const char *s)
{
	char *p = strdup(s);
	if (!p)
		dpex_error_oom();
	return p;
}

char *dpex_asprintf(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	int n = vsnprintf(NULL, 0, fmt, ap);
	va_end(ap);
	if (n < 0) {
		dpex_error_set(DPEX_EINTERNAL, "bad format string");
		return NULL;
	}
	char *p = dpex_malloc((size_t)n + 1);
	if (!p)
		return NULL;
	va_start(ap, fmt);
	vsnprintf(p, (size_t)n + 1, fmt, ap);
	va_end(ap);
	return p;
}
