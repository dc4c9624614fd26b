/* libFuzzer target: DEFLATE with the fixed codes, dpex_deflate (which
 * picks the fixed codes or ISA-L, and caches) and dpex_deflate_stream
 * (the input in two pieces, split where its first byte says). Every
 * stream zlib's inflate reads back to the input and ends at its last
 * byte; the fixed codes' is never longer than a stored block;
 * dpex_deflate gives the same bytes and CRC-32 (zlib's) on a second
 * call, from its cache. */
#include "core/archive/deflate.h"
#include "core/archive/deflate_fixed.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check(const unsigned char *z, size_t zlen, const uint8_t *want,
		  size_t n)
{
	unsigned char *back = malloc(n + 1);
	z_stream s = {0};
	if (!back || inflateInit2(&s, -15) != Z_OK)
		abort();
	s.next_in = (unsigned char *)z;
	s.avail_in = (uInt)zlen;
	s.next_out = back;
	s.avail_out = (uInt)n + 1;
	if (inflate(&s, Z_FINISH) != Z_STREAM_END || s.total_out != n ||
	    s.avail_in != 0 || (n > 0 && memcmp(back, want, n) != 0))
		abort();
	inflateEnd(&s);
	free(back);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size > DPEX_DEFLATE_FIXED_MAX)
		return 0;
	unsigned char *z = malloc(DPEX_DEFLATE_FIXED_BOUND(size));
	if (!z)
		abort();
	size_t len = dpex_deflate_fixed(z, data, size);
	if (len > size + 5)
		abort();
	check(z, len, data, size);
	free(z);
	dpex_buf first = DPEX_BUF_INIT, again = DPEX_BUF_INIT;
	uint32_t crc1, crc2;
	const char *name = size % 2 ? "data.json" : "sheet.xml";
	if (dpex_deflate(&first, &crc1, name, data, size) != 0 ||
	    dpex_deflate(&again, &crc2, name, data, size) != 0 ||
	    crc1 != (uint32_t)crc32(0, data, (uInt)size) || crc2 != crc1 ||
	    again.len != first.len ||
	    memcmp(again.data, first.data, first.len) != 0)
		abort();
	check((unsigned char *)first.data, first.len, data, size);

	dpex_deflate_stream *s = NULL;
	size_t cut = size ? data[0] * size / 256 : 0;
	dpex_buf all = DPEX_BUF_INIT;
	if (dpex_deflate_stream_new(&s) != 0 ||
	    dpex_deflate_stream_write(s, &first, data, cut, false) != 0 ||
	    dpex_buf_append(&all, first.data ? first.data : "", first.len) ||
	    dpex_deflate_stream_write(s, &first, data + cut, size - cut,
				      true) != 0 ||
	    dpex_buf_append(&all, first.data ? first.data : "", first.len))
		abort();
	check((unsigned char *)all.data, all.len, data, size);
	dpex_deflate_stream_free(s);
	dpex_buf_free(&all);
	dpex_buf_free(&first);
	dpex_buf_free(&again);
	return 0;
}
