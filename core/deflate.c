#include "deflate.h"

#include "error.h"

#include <libdeflate.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

/* libdeflate's levels run from 1 (fastest) to 12. */
#define LEVEL 1

/* Inputs up to CACHE_INPUT bytes are cached, CACHE_SLOTS of them per
 * thread: at most 32 x (4 KiB + its output) a thread. An answer has a
 * dozen such recurring inputs for a map of ten entities. */
#define CACHE_INPUT 4096
#define CACHE_SLOTS 32

typedef struct slot {
	size_t len; /* 0: empty */
	uint32_t crc;
	bool used; /* found since the clock hand last passed */
	char *in;
	dpex_buf out;
} slot;

typedef struct state {
	struct libdeflate_compressor *c;
	slot slots[CACHE_SLOTS];
	size_t hand;
} state;

static pthread_key_t key;
static pthread_once_t once = PTHREAD_ONCE_INIT;
static int key_error;

static void free_state(void *p)
{
	state *st = p;
	libdeflate_free_compressor(st->c);
	for (size_t i = 0; i < CACHE_SLOTS; i++) {
		free(st->slots[i].in);
		dpex_buf_free(&st->slots[i].out);
	}
	free(st);
}

static void make_key(void)
{
	key_error = pthread_key_create(&key, free_state);
}

static int thread_state(state **out)
{
	pthread_once(&once, make_key);
	if (key_error)
		return dpex_error_set(DPEX_EINTERNAL,
				      "no thread key for the compressor");
	state *st = pthread_getspecific(key);
	if (!st) {
		st = dpex_calloc(1, sizeof(*st));
		if (!st)
			return DPEX_ENOMEM;
		st->c = libdeflate_alloc_compressor(LEVEL);
		if (!st->c || pthread_setspecific(key, st) != 0) {
			free_state(st);
			return dpex_error_oom();
		}
	}
	*out = st;
	return 0;
}

static slot *find(state *st, const void *in, size_t n, uint32_t crc)
{
	for (size_t i = 0; i < CACHE_SLOTS; i++) {
		slot *s = &st->slots[i];
		if (s->len == n && s->crc == crc && memcmp(s->in, in, n) == 0) {
			s->used = true;
			return s;
		}
	}
	return NULL;
}

/* Keeps the output for in, in place of an input not found lately (the
 * CLOCK policy). Out of memory only loses the entry. */
static void keep(state *st, const void *in, size_t n, uint32_t crc,
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
}

int dpex_deflate(dpex_buf *out, uint32_t *crc, const void *in, size_t n)
{
	state *st = NULL;
	int rc = thread_state(&st);
	if (rc)
		return rc;
	*crc = libdeflate_crc32(0, in, n);
	bool small = n > 0 && n <= CACHE_INPUT;
	slot *hit = small ? find(st, in, n, *crc) : NULL;
	dpex_buf_clear(out);
	if (hit)
		return dpex_buf_append(out, hit->out.data, hit->out.len);
	/* The bound holds whatever the input: stored blocks at worst. */
	size_t bound = libdeflate_deflate_compress_bound(st->c, n);
	rc = dpex_buf_reserve(out, bound);
	if (rc)
		return rc;
	out->len = libdeflate_deflate_compress(st->c, in, n, out->data, bound);
	out->data[out->len] = '\0';
	if (out->len == 0)
		return dpex_error_set(DPEX_EINTERNAL,
				      "libdeflate: no room for %zu bytes in "
				      "its own bound",
				      n);
	if (small)
		keep(st, in, n, *crc, out);
	return 0;
}

uint32_t dpex_crc32(uint32_t crc, const void *p, size_t n)
{
	return libdeflate_crc32(crc, p, n);
}
