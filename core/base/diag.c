#include "core/base/diag.h"

#include "core/base/error.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>

int dpex_diags_add(dpex_diags *d, dpex_severity severity, const char *fmt, ...)
{
	if (d->count == d->cap) {
		size_t cap = d->cap ? d->cap * 2 : 8;
		dpex_diag *p = dpex_realloc(d->items, cap * sizeof(*p));
		if (!p)
			return DPEX_ENOMEM;
		d->items = p;
		d->cap = cap;
	}
	va_list ap;
	va_start(ap, fmt);
	char *text = NULL;
	int n = vasprintf(&text, fmt, ap);
	va_end(ap);
	if (n < 0)
		return dpex_error_oom();
	d->items[d->count].severity = severity;
	d->items[d->count].text = text;
	d->count++;
	if (severity == DPEX_DIAG_ERROR)
		d->errors++;
	return 0;
}

int dpex_diags_to_error(const dpex_diags *d, int code)
{
	for (size_t i = 0; i < d->count; i++) {
		if (d->items[i].severity != DPEX_DIAG_ERROR)
			continue;
		if (d->errors > 1)
			return dpex_error_set(code,
					      "%s (and %zu more problems)",
					      d->items[i].text, d->errors - 1);
		return dpex_error_set(code, "%s", d->items[i].text);
	}
	return dpex_error_set(code, "unknown problem");
}

void dpex_diags_free(dpex_diags *d)
{
	for (size_t i = 0; i < d->count; i++)
		free(d->items[i].text);
	free(d->items);
	d->items = NULL;
	d->count = d->cap = d->errors = 0;
}
