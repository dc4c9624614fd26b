#include "core/archive/deflate.h"

#include "core/archive/deflate_fixed.h"
#include "core/archive/deflate_table.h"
#include "core/base/error.h"

#include <assert.h>
#include <isa-l/crc.h>
#include <isa-l/igzip_lib.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

/* Inputs up to FIXED_INPUT bytes take the fixed Huffman codes
 * (deflate_fixed.h): as fast as ISA-L on them, and smaller, since the
 * codes need no header. */
#define FIXED_INPUT 1024

/* Inputs up to CACHE_INPUT bytes are cached, CACHE_SLOTS of them per
 * thread: at most 32 x (4 KiB + its output) a thread. An answer has a
 * dozen such recurring inputs for a map of ten entities. A copy is what
 * compressing anew would give: an archive's bytes do not depend on what
 * the thread compressed before (its cover page lists its members'
 * sizes, the same in bulk as in a single export). */
#define CACHE_INPUT 4096
#define CACHE_SLOTS 32

typedef struct slot {
	size_t len; /* 0: empty */
	uint32_t crc;
	size_t kind; /* the codes it was compressed with */
	bool used;   /* found since the clock hand last passed */
	char *in;
	dpex_buf out;
} slot;

typedef struct state {
	/* ISA-L's stream, zeroed once: isal_deflate_stateless_init sets only
	 * some of its fields, and ISA-L reads others (valgrind: a conditional
	 * jump on uninitialised values when it lived on the stack). Zeroing
	 * its 80 kB for every member would cost more than compressing most. */
	struct isal_zstream *z;
	slot slots[CACHE_SLOTS];
	size_t hand;
} state;

/* The Huffman codes made once from core/archive/deflate_table.c, one set a kind
 * of file. */
#define MAX_KINDS 8
static struct isal_hufftables sample_codes[MAX_KINDS];
static int sample_codes_error;
static pthread_once_t codes_once = PTHREAD_ONCE_INIT;

static pthread_key_t key;
static pthread_once_t once = PTHREAD_ONCE_INIT;
static int key_error;

static void free_state(void *p)
{
	state *st = p;
	free(st->z);
	for (size_t i = 0; i < CACHE_SLOTS; i++) {
		free(st->slots[i].in);
		dpex_buf_free(&st->slots[i].out);
	}
	free(st);
}

static void make_codes(void)
{
	assert(dpex_deflate_table_size <= MAX_KINDS);
	for (size_t k = 0; !sample_codes_error && k < dpex_deflate_table_size;
	     k++) {
		const dpex_deflate_counts *c = &dpex_deflate_table[k];
		struct isal_huff_histogram h;
		memset(&h, 0, sizeof(h));
		for (size_t i = 0; i < ISAL_DEF_LIT_LEN_SYMBOLS; i++)
			h.lit_len_histogram[i] = c->literal[i];
		for (size_t i = 0; i < ISAL_DEF_DIST_SYMBOLS; i++)
			h.dist_histogram[i] = c->distance[i];
		sample_codes_error =
			isal_create_hufftables(&sample_codes[k], &h);
	}
}

/* The codes for a member's kind, by its name's extension. */
static size_t kind_of(const char *name)
{
	const char *dot = strrchr(name, '.');
	size_t last = dpex_deflate_table_size - 1;
	for (size_t k = 0; dot && k < last; k++)
		if (strcmp(dot, dpex_deflate_table[k].extension) == 0)
			return k;
	return last;
}

static void make_key(void)
{
	key_error = pthread_key_create(&key, free_state);
}

static int thread_state(state **out)
{
	pthread_once(&once, make_key);
	pthread_once(&codes_once, make_codes);
	if (key_error)
		return dpex_error_set(DPEX_EINTERNAL,
				      "no thread key for the compressor");
	if (sample_codes_error)
		return dpex_error_set(DPEX_EINTERNAL,
				      "ISA-L: no Huffman codes from the "
				      "sample counts (%d)",
				      sample_codes_error);
	state *st = pthread_getspecific(key);
	if (!st) {
		st = dpex_calloc(1, sizeof(*st));
		if (!st)
			return DPEX_ENOMEM;
		st->z = dpex_calloc(1, sizeof(*st->z));
		if (!st->z || pthread_setspecific(key, st) != 0) {
			free_state(st);
			return dpex_error_oom();
		}
	}
	*out = st;
	return 0;
}

static slot *find(state *st, const void *in, size_t n, uint32_t crc,
		  size_t kind)
{
	for (size_t i = 0; i < CACHE_SLOTS; i++) {
		slot *s = &st->slots[i];
		if (s->len == n && s->crc == crc && s->kind == kind &&
		    memcmp(s->in, in, n) == 0) {
			s->used = true;
			return s;
		}
	}
	return NULL;
}

/* Keeps the output for in, in place of an input not found lately (the
 * CLOCK policy). Out of memory only loses the entry. */
static void keep(state *st, const void *in, size_t n, uint32_t crc, size_t kind,
		 const dpex_buf *out)
{
	slot *s;
	for (;;) {
		s = &st->slots[st->hand];
		st->hand = (st->hand + 1) % CACHE_SLOTS;
		if (!s->used)
			break;
		s->used = false;
	}
	char *copy = malloc(n);
	if (!copy)
		return;
	dpex_buf_clear(&s->out);
	if (dpex_buf_append(&s->out, out->data, out->len)) {
		free(copy);
		s->len = 0;
		return;
	}
	memcpy(copy, in, n);
	free(s->in);
	s->in = copy;
	s->len = n;
	s->crc = crc;
	s->kind = kind;
}

/* ISA-L 2.30's CRC-32 for AVX-512 returns with the upper halves of the
 * vector registers in use, and SSE code after it runs slowly until the
 * next vzeroupper: zlib's deflate took 0.22 s instead of 0.07 s for 50 MB,
 * which made exporting a subject of a million rows 70% slower. So every
 * call into ISA-L is followed by one, where the CPU has AVX. */
static void clear_upper_state(void)
{
#if defined(__x86_64__) || defined(__i386__)
	if (__builtin_cpu_supports("avx"))
		__asm__ volatile("vzeroupper");
#endif
}

static uint32_t zip_crc32(uint32_t crc, const void *p, size_t n)
{
	crc = crc32_gzip_refl(crc, p, n);
	clear_upper_state();
	return crc;
}

/* Replaces out's content with in's DEFLATE stream: the fixed codes for a
 * small input, else ISA-L's level 0 with the sample's codes for kind. */
static int compress(state *st, dpex_buf *out, const void *in, size_t n,
		    size_t kind)
{
	bool fixed = n <= FIXED_INPUT;
	/* Both fall back to stored blocks, 5 bytes each 64 KiB. */
	size_t bound = fixed ? DPEX_DEFLATE_FIXED_BOUND(n)
			     : n + 5 * (n / 65535 + 1) + 64;
	dpex_buf_clear(out);
	int rc = dpex_buf_reserve(out, bound);
	if (rc)
		return rc;
	if (fixed) {
		out->len =
			dpex_deflate_fixed((unsigned char *)out->data, in, n);
		out->data[out->len] = '\0';
		return 0;
	}
	struct isal_zstream *z = st->z;
	isal_deflate_stateless_init(z);
	z->level = 0;
	z->hufftables = &sample_codes[kind];
	z->next_in = (uint8_t *)in;
	z->avail_in = (uint32_t)n;
	z->next_out = (uint8_t *)out->data;
	z->avail_out = (uint32_t)bound;
	z->end_of_stream = 1;
	int zrc = isal_deflate_stateless(z);
	clear_upper_state();
	if (zrc != COMP_OK)
		return dpex_error_set(DPEX_EINTERNAL,
				      "ISA-L: deflating %zu bytes failed (%d)",
				      n, zrc);
	out->len = z->total_out;
	out->data[out->len] = '\0';
	return 0;
}

int dpex_deflate(dpex_buf *out, uint32_t *crc, const char *name, const void *in,
		 size_t n)
{
	/* ISA-L counts in 32 bits; members in memory are far smaller. */
	assert(n <= UINT32_MAX / 2);
	state *st = NULL;
	int rc = thread_state(&st);
	if (rc)
		return rc;
	*crc = zip_crc32(0, in, n);
	bool small = n > 0 && n <= CACHE_INPUT;
	size_t kind = kind_of(name);
	slot *hit = small ? find(st, in, n, *crc, kind) : NULL;
	if (hit) {
		dpex_buf_clear(out);
		return dpex_buf_append(out, hit->out.data, hit->out.len);
	}
	rc = compress(st, out, in, n, kind);
	if (!rc && small)
		keep(st, in, n, *crc, kind, out);
	return rc;
}

struct dpex_deflate_stream {
	struct isal_zstream z; /* zeroed: see state.z */
	uint8_t level_buf[ISAL_DEF_LVL1_DEFAULT];
};

int dpex_deflate_stream_new(dpex_deflate_stream **out)
{
	*out = NULL;
	dpex_deflate_stream *s = dpex_calloc(1, sizeof(*s));
	if (!s)
		return DPEX_ENOMEM;
	isal_deflate_init(&s->z);
	s->z.level = 1;
	s->z.level_buf = s->level_buf;
	s->z.level_buf_size = sizeof(s->level_buf);
	*out = s;
	return 0;
}

int dpex_deflate_stream_write(dpex_deflate_stream *s, dpex_buf *out,
			      const void *in, size_t n, bool last)
{
	assert(n <= UINT32_MAX / 2);
	struct isal_zstream *z = &s->z;
	z->next_in = (uint8_t *)in;
	z->avail_in = (uint32_t)n;
	z->end_of_stream = last;
	dpex_buf_clear(out);
	/* Until the input is taken (and, at the end, the stream closed),
	 * with room for all ISA-L may hold back. */
	do {
		int rc = dpex_buf_reserve(out, 64 * 1024);
		if (rc)
			return rc;
		size_t room = out->cap - out->len - 1;
		z->next_out = (uint8_t *)out->data + out->len;
		z->avail_out = (uint32_t)room;
		int zrc = isal_deflate(z);
		clear_upper_state();
		if (zrc != COMP_OK)
			return dpex_error_set(DPEX_EINTERNAL,
					      "ISA-L: deflating failed (%d)",
					      zrc);
		out->len += room - z->avail_out;
	} while (z->avail_in > 0 || z->avail_out == 0 ||
		 (last && z->internal_state.state != ZSTATE_END));
	out->data[out->len] = '\0';
	return 0;
}

void dpex_deflate_stream_free(dpex_deflate_stream *s)
{
	free(s);
}

uint32_t dpex_crc32(uint32_t crc, const void *p, size_t n)
{
	return zip_crc32(crc, p, n);
}
