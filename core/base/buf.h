/*
 * buf: a growable byte buffer with an explicit cap.
 *
 * Every buffer that grows with input goes through here, so a hostile value
 * hits a clear limit instead of exhausting memory. The content is always
 * NUL-terminated (the terminator is not counted in len).
 */
#ifndef DPEX_BUF_H
#define DPEX_BUF_H

#include <stddef.h>
#include <string.h>

typedef struct dpex_buf {
	char *data;
	size_t len;
	size_t cap; /* allocated bytes, terminator included */
	size_t max; /* growth limit in bytes; 0 means DPEX_BUF_DEFAULT_MAX */
} dpex_buf;

/* A value a whole row of PostgreSQL output may reach (1 GB per field). */
#define DPEX_BUF_DEFAULT_MAX ((size_t)1 << 31)

#define DPEX_BUF_INIT                                                          \
	{                                                                      \
		NULL, 0, 0, 0                                                  \
	}

/* Makes room for n more bytes; DPEX_ENOMEM, or DPEX_EINTERNAL past max. */
int dpex_buf_reserve(dpex_buf *b, size_t n);
/* dpex_buf_append when the buffer must grow first. */
int dpex_buf_append_grow(dpex_buf *b, const void *p, size_t n);

/* Inline: the writers append small pieces by the million; the common
 * case, room enough, is a copy. */
static inline int dpex_buf_append(dpex_buf *b, const void *p, size_t n)
{
	size_t max = b->max ? b->max : DPEX_BUF_DEFAULT_MAX;
	if (n < b->cap - b->len && b->len + n <= max) {
		memcpy(b->data + b->len, p, n);
		b->len += n;
		b->data[b->len] = '\0';
		return 0;
	}
	return dpex_buf_append_grow(b, p, n);
}

int dpex_buf_puts(dpex_buf *b, const char *s);

/* Inline: the writers put most bytes one at a time. */
static inline int dpex_buf_putc(dpex_buf *b, char c)
{
	size_t max = b->max ? b->max : DPEX_BUF_DEFAULT_MAX;
	if (b->len + 1 < b->cap && b->len < max) {
		b->data[b->len++] = c;
		b->data[b->len] = '\0';
		return 0;
	}
	return dpex_buf_append(b, &c, 1);
}

int dpex_buf_printf(dpex_buf *b, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
/* Empties the buffer and keeps its memory. */
void dpex_buf_clear(dpex_buf *b);
/* Releases the memory; the buffer may be used again. */
void dpex_buf_free(dpex_buf *b);
/* Hands the content to the caller (free() it); the buffer becomes empty. */
char *dpex_buf_steal(dpex_buf *b);

#endif
