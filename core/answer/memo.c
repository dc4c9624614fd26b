#include "core/answer/memo.h"

#include "core/base/error.h"

#include <assert.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#define NBUCKETS 1024
/* Entries, whatever their size: a run with many shapes of answer stops
 * adding instead of growing a long chain. */
#define MAX_ENTRIES 4096

typedef struct entry {
	struct entry *next;
	unsigned tag;
	size_t nkeys;
	json_t *keys[DPEX_MEMO_KEYS];
	size_t len;
	char bytes[];
} entry;

struct dpex_memo {
	entry *buckets[NBUCKETS];
	size_t nentries;
	size_t bytes, max_bytes;
};

int dpex_memo_new(dpex_memo **out, size_t max_bytes)
{
	*out = NULL;
	dpex_memo *m = dpex_calloc(1, sizeof(*m));
	if (!m)
		return DPEX_ENOMEM;
	m->max_bytes = max_bytes;
	*out = m;
	return 0;
}

void dpex_memo_free(dpex_memo *m)
{
	if (!m)
		return;
	for (size_t b = 0; b < NBUCKETS; b++) {
		entry *e = m->buckets[b];
		while (e) {
			entry *next = e->next;
			for (size_t k = 0; k < e->nkeys; k++)
				json_decref(e->keys[k]);
			free(e);
			e = next;
		}
	}
	free(m);
}

/* splitmix64's finalizer: addresses differ in their middle bits only. */
static uint64_t mix(uint64_t x)
{
	x = (x ^ (x >> 30)) * 0xBF58476D1CE4E5B9u;
	x = (x ^ (x >> 27)) * 0x94D049BB133111EBu;
	return x ^ (x >> 31);
}

static size_t bucket(unsigned tag, const json_t *const *keys, size_t nkeys)
{
	uint64_t h = mix(tag);
	for (size_t k = 0; k < nkeys; k++)
		h = mix(h ^ (uint64_t)(uintptr_t)keys[k]);
	return (size_t)(h % NBUCKETS);
}

static bool same(const entry *e, unsigned tag, const json_t *const *keys,
		 size_t nkeys)
{
	if (e->tag != tag || e->nkeys != nkeys)
		return false;
	for (size_t k = 0; k < nkeys; k++)
		if (e->keys[k] != keys[k])
			return false;
	return true;
}

const char *dpex_memo_get(const dpex_memo *m, unsigned tag,
			  const json_t *const *keys, size_t nkeys, size_t *len)
{
	*len = 0;
	if (!m)
		return NULL;
	for (const entry *e = m->buckets[bucket(tag, keys, nkeys)]; e;
	     e = e->next)
		if (same(e, tag, keys, nkeys)) {
			*len = e->len;
			return e->bytes;
		}
	return NULL;
}

int dpex_memo_put(dpex_memo *m, unsigned tag, const json_t *const *keys,
		  size_t nkeys, const char *bytes, size_t len)
{
	assert(nkeys <= DPEX_MEMO_KEYS);
	if (!m || m->nentries >= MAX_ENTRIES || len > m->max_bytes ||
	    m->bytes > m->max_bytes - len)
		return 0;
	entry *e = dpex_malloc(sizeof(*e) + len);
	if (!e)
		return DPEX_ENOMEM;
	e->tag = tag;
	e->nkeys = nkeys;
	for (size_t k = 0; k < nkeys; k++)
		e->keys[k] = json_incref((json_t *)keys[k]);
	e->len = len;
	memcpy(e->bytes, bytes, len);
	size_t b = bucket(tag, keys, nkeys);
	e->next = m->buckets[b];
	m->buckets[b] = e;
	m->nentries++;
	m->bytes += len;
	return 0;
}
