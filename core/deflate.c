#include "deflate.h"

#include "error.h"

#include <libdeflate.h>
#include <pthread.h>
#include <stdbool.h>

/* libdeflate's levels run from 1 (fastest) to 12. */
#define LEVEL 1

static pthread_key_t key;
static pthread_once_t once = PTHREAD_ONCE_INIT;

static void free_compressor(void *c)
{
	libdeflate_free_compressor(c);
}

static int key_error;

static void make_key(void)
{
	key_error = pthread_key_create(&key, free_compressor);
}

int dpex_deflate(dpex_buf *out, const void *in, size_t n)
{
	pthread_once(&once, make_key);
	if (key_error)
		return dpex_error_set(DPEX_EINTERNAL,
				      "no thread key for the compressor");
	struct libdeflate_compressor *c = pthread_getspecific(key);
	if (!c) {
		c = libdeflate_alloc_compressor(LEVEL);
		if (!c)
			return dpex_error_oom();
		if (pthread_setspecific(key, c) != 0) {
			libdeflate_free_compressor(c);
			return dpex_error_oom();
		}
	}
	/* The bound holds whatever the input: stored blocks at worst. */
	size_t bound = libdeflate_deflate_compress_bound(c, n);
	dpex_buf_clear(out);
	int rc = dpex_buf_reserve(out, bound);
	if (!rc) {
		out->len =
			libdeflate_deflate_compress(c, in, n, out->data, bound);
		out->data[out->len] = '\0';
		if (out->len == 0)
			rc = dpex_error_set(DPEX_EINTERNAL,
					    "libdeflate: no room for %zu "
					    "bytes in its own bound",
					    n);
	}
	return rc;
}

uint32_t dpex_crc32(uint32_t crc, const void *p, size_t n)
{
	return libdeflate_crc32(crc, p, n);
}
