#include "core/base/buf.h"

#include "core/base/error.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int dpex_buf_reserve(dpex_buf *b, size_t n)
{
	size_t max = b->max ? b->max : DPEX_BUF_DEFAULT_MAX;
	if (n > max || b->len > max - n)
		return dpex_error_set(DPEX_EINTERNAL,
				      "value too large: more than %zu bytes",
				      max);
	size_t need = b->len + n + 1;
	if (need <= b->cap)
		return 0;
	size_t cap = b->cap ? b->cap : 64;
	while (cap < need)
		cap *= 2;
	char *p = dpex_realloc(b->data, cap);
	if (!p)
		return DPEX_ENOMEM;
	b->data = p;
	b->cap = cap;
	return 0;
}

int dpex_buf_append_grow(dpex_buf *b, const void *p, size_t n)
{
	int rc = dpex_buf_reserve(b, n);
	if (rc)
		return rc;
	if (n)
		memcpy(b->data + b->len, p, n);
	b->len += n;
	b->data[b->len] = '\0';
	return 0;
}

int dpex_buf_puts(dpex_buf *b, const char *s)
{
	return dpex_buf_append(b, s, strlen(s));
}

int dpex_buf_printf(dpex_buf *b, const char *fmt, ...)
{
	/* Formatted once where it fits (most calls), else measured, made
	 * room for and formatted again. */
	size_t max = b->max ? b->max : DPEX_BUF_DEFAULT_MAX;
	size_t room = b->cap - b->len;
	va_list ap;
	va_start(ap, fmt);
	int n = vsnprintf(room ? b->data + b->len : NULL, room, fmt, ap);
	va_end(ap);
	if (n < 0)
		return dpex_error_set(DPEX_EINTERNAL, "bad format string");
	if ((size_t)n < room && b->len + (size_t)n <= max) {
		b->len += (size_t)n;
		return 0;
	}
	if (room) /* vsnprintf cut the text short: end the buffer as it was */
		b->data[b->len] = '\0';
	int rc = dpex_buf_reserve(b, (size_t)n);
	if (rc)
		return rc;
	va_start(ap, fmt);
	vsnprintf(b->data + b->len, (size_t)n + 1, fmt, ap);
	va_end(ap);
	b->len += (size_t)n;
	return 0;
}

void dpex_buf_clear(dpex_buf *b)
{
	b->len = 0;
	if (b->data)
		b->data[0] = '\0';
}

void dpex_buf_free(dpex_buf *b)
{
	free(b->data);
	b->data = NULL;
	b->len = b->cap = 0;
}

char *dpex_buf_steal(dpex_buf *b)
{
	if (!b->data && dpex_buf_reserve(b, 0))
		return NULL;
	char *p = b->data;
	b->data = NULL;
	b->len = b->cap = 0;
	return p;
}
