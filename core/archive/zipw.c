#include "core/archive/zipw.h"

#include "core/base/buf.h"
#include "core/archive/deflate.h"
#include "core/base/error.h"

#include <assert.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

/* Signatures and fields of PKWARE's APPNOTE.TXT, section 4.3. */
#define LOCAL_HEADER 0x04034b50u
#define DATA_DESCRIPTOR 0x08074b50u
#define CENTRAL_HEADER 0x02014b50u
#define END_OF_CENTRAL 0x06054b50u
#define VERSION 20 /* 2.0: deflate and data descriptors */
#define UTF8_NAME (1u << 11)
#define STREAMED ((1u << 3) | UTF8_NAME) /* sizes in a data descriptor */
#define METHOD_STORE 0
#define METHOD_DEFLATE 8
#define DOS_DATE ((0u << 9) | (1u << 5) | 1u) /* 1980-01-01, ZIP's first */
#define LIMIT 0xFFFFFFFFu		      /* without ZIP64 */

/* A streamed entry is deflated CHUNK bytes at a time. */
#define CHUNK (64 * 1024)

typedef struct entry {
	char *name;
	unsigned flags;
	unsigned method;
	uint32_t crc;
	uint64_t csize;
	uint64_t usize;
	uint64_t offset;
} entry;

struct dpex_zipw {
	dpex_zipw_out out;
	void *ctx;
	unsigned time, date;	     /* DOS */
	dpex_deflate_stream *stream; /* of the streamed entry */
	bool open;		     /* a streamed entry is being written */
	dpex_buf deflated;	     /* a whole entry, or a piece, compressed */
	uint64_t offset;
	entry *entries;
	size_t nentries;
};

static void put16(dpex_buf *b, unsigned v)
{
	char c[2] = {(char)(v & 0xFF), (char)((v >> 8) & 0xFF)};
	dpex_buf_append(b, c, 2);
}

static void put32(dpex_buf *b, uint32_t v)
{
	put16(b, v & 0xFFFF);
	put16(b, v >> 16);
}

static int emit(dpex_zipw *z, const void *p, size_t n)
{
	int rc = z->out(z->ctx, p, n);
	if (!rc)
		z->offset += n;
	return rc;
}

/* A header built in b (a few dozen bytes: only out of memory can fail
 * the appends, and that is seen in the length). */
static int emit_buf(dpex_zipw *z, dpex_buf *b, size_t want)
{
	int rc = b->len == want ? emit(z, b->data, b->len) : dpex_error_oom();
	dpex_buf_free(b);
	return rc;
}

static int too_large(const char *what)
{
	return dpex_error_set(DPEX_EOUTPUT,
			      "%s would pass 4 GiB, more than a ZIP without "
			      "ZIP64 holds",
			      what);
}

int dpex_zipw_new(dpex_zipw **out, dpex_zipw_out write, void *ctx)
{
	*out = NULL;
	dpex_zipw *z = dpex_calloc(1, sizeof(*z));
	if (!z)
		return DPEX_ENOMEM;
	z->out = write;
	z->ctx = ctx;
	z->date = DOS_DATE;
	*out = z;
	return 0;
}

void dpex_zipw_set_time(dpex_zipw *z, time_t t)
{
	assert(z->nentries == 0);
	struct tm tm;
	if (!localtime_r(&t, &tm) || tm.tm_year < 80 || tm.tm_year > 207)
		return;
	z->time = (unsigned)(tm.tm_hour << 11 | tm.tm_min << 5 | tm.tm_sec / 2);
	z->date = (unsigned)((tm.tm_year - 80) << 9 | (tm.tm_mon + 1) << 5 |
			     tm.tm_mday);
}

/* Adds an entry at the current offset and writes its local header. */
static int add_entry(dpex_zipw *z, const char *name, unsigned flags,
		     unsigned method, uint32_t crc, uint64_t csize,
		     uint64_t usize)
{
	size_t len = strlen(name);
	if (z->offset > LIMIT)
		return too_large(name);
	if (z->nentries == 0xFFFF)
		return dpex_error_set(DPEX_EOUTPUT,
				      "%s: a ZIP without ZIP64 holds at most "
				      "65,535 entries",
				      name);
	entry *e = dpex_realloc(z->entries, (z->nentries + 1) * sizeof(*e));
	if (!e)
		return DPEX_ENOMEM;
	z->entries = e;
	e = &z->entries[z->nentries];
	*e = (entry){.name = dpex_strdup(name),
		     .flags = flags,
		     .method = method,
		     .crc = crc,
		     .csize = csize,
		     .usize = usize,
		     .offset = z->offset};
	if (!e->name)
		return DPEX_ENOMEM;
	z->nentries++;

	dpex_buf h = DPEX_BUF_INIT;
	put32(&h, LOCAL_HEADER);
	put16(&h, VERSION);
	put16(&h, flags);
	put16(&h, method);
	put16(&h, z->time);
	put16(&h, z->date);
	put32(&h, crc); /* all 0 when streamed */
	put32(&h, (uint32_t)csize);
	put32(&h, (uint32_t)usize);
	put16(&h, (unsigned)len);
	put16(&h, 0); /* extra field */
	dpex_buf_append(&h, name, len);
	return emit_buf(z, &h, 30 + len);
}

int dpex_zipw_entry_start(dpex_zipw *z, const char *name)
{
	assert(!z->open);
	int rc = dpex_deflate_stream_new(&z->stream);
	if (!rc)
		rc = add_entry(z, name, STREAMED, METHOD_DEFLATE, 0, 0, 0);
	z->open = !rc;
	return rc;
}

/* Deflates n bytes (the entry's end if last) into the sink. */
static int deflate_into(dpex_zipw *z, const void *p, size_t n, bool last)
{
	entry *e = &z->entries[z->nentries - 1];
	int rc = dpex_deflate_stream_write(z->stream, &z->deflated, p, n, last);
	if (!rc)
		rc = emit(z, z->deflated.data, z->deflated.len);
	e->csize += z->deflated.len;
	return rc;
}

int dpex_zipw_write(dpex_zipw *z, const void *p, size_t n)
{
	assert(z->open);
	entry *e = &z->entries[z->nentries - 1];
	const unsigned char *b = p;
	while (n > 0) {
		size_t take = n < CHUNK ? n : CHUNK;
		e->crc = dpex_crc32(e->crc, b, take);
		e->usize += take;
		if (e->usize > LIMIT)
			return too_large(e->name);
		int rc = deflate_into(z, b, take, false);
		if (rc)
			return rc;
		b += take;
		n -= take;
	}
	return 0;
}

int dpex_zipw_entry_end(dpex_zipw *z)
{
	assert(z->open);
	int rc = deflate_into(z, NULL, 0, true);
	dpex_deflate_stream_free(z->stream);
	z->stream = NULL;
	if (rc)
		return rc;
	z->open = false;
	const entry *e = &z->entries[z->nentries - 1];
	if (e->csize > LIMIT)
		return too_large(e->name);
	dpex_buf h = DPEX_BUF_INIT;
	put32(&h, DATA_DESCRIPTOR);
	put32(&h, e->crc);
	put32(&h, (uint32_t)e->csize);
	put32(&h, (uint32_t)e->usize);
	return emit_buf(z, &h, 16);
}

int dpex_zipw_entry(dpex_zipw *z, const char *name, const void *p, size_t n)
{
	assert(!z->open);
	if (n > LIMIT)
		return too_large(name);
	uint32_t crc;
	int rc = dpex_deflate(&z->deflated, &crc, name, p, n);
	if (!rc && z->deflated.len > LIMIT)
		rc = too_large(name);
	if (!rc)
		rc = add_entry(z, name, UTF8_NAME, METHOD_DEFLATE, crc,
			       z->deflated.len, n);
	return rc ? rc : emit(z, z->deflated.data, z->deflated.len);
}

int dpex_zipw_stored(dpex_zipw *z, const char *name, const void *p, size_t n)
{
	assert(!z->open);
	if (n > LIMIT)
		return too_large(name);
	int rc = add_entry(z, name, UTF8_NAME, METHOD_STORE,
			   dpex_crc32(0, p, n), n, n);
	return rc ? rc : emit(z, p, n);
}

int dpex_zipw_finish(dpex_zipw *z)
{
	assert(!z->open);
	uint64_t start = z->offset;
	dpex_buf h = DPEX_BUF_INIT;
	size_t want = 22;
	for (size_t i = 0; i < z->nentries; i++) {
		const entry *e = &z->entries[i];
		size_t len = strlen(e->name);
		put32(&h, CENTRAL_HEADER);
		put16(&h, VERSION); /* made by: MS-DOS attributes */
		put16(&h, VERSION);
		put16(&h, e->flags);
		put16(&h, e->method);
		put16(&h, z->time);
		put16(&h, z->date);
		put32(&h, e->crc);
		put32(&h, (uint32_t)e->csize);
		put32(&h, (uint32_t)e->usize);
		put16(&h, (unsigned)len);
		put16(&h, 0); /* extra field */
		put16(&h, 0); /* comment */
		put16(&h, 0); /* disk */
		put16(&h, 0); /* internal attributes */
		put32(&h, 0); /* external attributes */
		put32(&h, (uint32_t)e->offset);
		dpex_buf_append(&h, e->name, len);
		want += 46 + len;
	}
	uint64_t size = want - 22;
	if (start + size > LIMIT) {
		dpex_buf_free(&h);
		return too_large("the ZIP");
	}
	put32(&h, END_OF_CENTRAL);
	put16(&h, 0); /* this disk */
	put16(&h, 0); /* the central directory's disk */
	put16(&h, (unsigned)z->nentries);
	put16(&h, (unsigned)z->nentries);
	put32(&h, (uint32_t)size);
	put32(&h, (uint32_t)start);
	put16(&h, 0); /* comment */
	return emit_buf(z, &h, want);
}

void dpex_zipw_free(dpex_zipw *z)
{
	if (!z)
		return;
	dpex_deflate_stream_free(z->stream);
	dpex_buf_free(&z->deflated);
	for (size_t i = 0; i < z->nentries; i++)
		free(z->entries[i].name);
	free(z->entries);
	free(z);
}
