/* deflate and deflate_fixed: every stream read back by zlib's inflate. */
#include "core/archive/deflate.h"
#include "core/archive/deflate_fixed.h"
#include "core/base/error.h"

#include <criterion/criterion.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

#include "sample_bytes.h"

/* Inflates a raw DEFLATE stream and checks it gives back want[0..n), and
 * that the stream ends exactly at its last byte. */
static void expect_inflates_to(const unsigned char *z, size_t zlen,
			       const void *want, size_t n)
{
	unsigned char *back = malloc(n + 1);
	cr_assert_not_null(back);
	z_stream s = {0};
	cr_assert_eq(inflateInit2(&s, -15), Z_OK);
	s.next_in = (unsigned char *)z;
	s.avail_in = (uInt)zlen;
	s.next_out = back;
	s.avail_out = (uInt)n + 1;
	int zrc = inflate(&s, Z_FINISH);
	cr_expect_eq(zrc, Z_STREAM_END, "inflate: %d (%s)", zrc,
		     s.msg ? s.msg : "");
	cr_expect_eq(s.total_out, n);
	cr_expect_eq(s.avail_in, 0, "%u bytes after the end", s.avail_in);
	cr_expect(n == 0 || memcmp(back, want, n) == 0);
	inflateEnd(&s);
	free(back);
}

static size_t fixed(unsigned char **out, const void *in, size_t n)
{
	*out = malloc(DPEX_DEFLATE_FIXED_BOUND(n));
	cr_assert_not_null(*out);
	return dpex_deflate_fixed(*out, in, n);
}

Test(deflate_fixed, text_round_trips_smaller)
{
	const char *csv = "order_id,placed_at,status,total\n"
			  "ORD-1,2024-01-02 10:00:00+01,delivered,19.95\n"
			  "ORD-2,2024-02-03 11:00:00+01,delivered,19.95\n"
			  "ORD-3,2024-03-04 12:00:00+01,cancelled,0.00\n";
	size_t n = strlen(csv);
	unsigned char *z;
	size_t len = fixed(&z, csv, n);
	expect_inflates_to(z, len, csv, n);
	cr_expect_lt(len, n * 3 / 4, "%zu of %zu bytes", len, n);
	free(z);
}

Test(deflate_fixed, empty_and_tiny_inputs)
{
	const char *in = "aaaaaaaaaaaaaaaa";
	for (size_t n = 0; n <= 16; n++) {
		unsigned char *z;
		size_t len = fixed(&z, in, n);
		expect_inflates_to(z, len, in, n);
		cr_expect_leq(len, n + 5);
		free(z);
	}
}

/* Random bytes do not compress: a stored block, 5 bytes over. */
Test(deflate_fixed, incompressible_input_is_stored)
{
	size_t n = 3000;
	unsigned char *in = malloc(n);
	noise(in, n, 7);
	unsigned char *z;
	size_t len = fixed(&z, in, n);
	cr_expect_eq(len, n + 5);
	cr_expect_eq(z[0], 1, "final, stored");
	expect_inflates_to(z, len, in, n);
	free(z);
	free(in);
}

/* Every match length from 3 to 258 plus a literal, and runs longer than
 * a match: the length codes and their extra bits at every boundary. */
Test(deflate_fixed, every_match_length)
{
	size_t cap = 70000, n = 0;
	unsigned char *in = malloc(cap);
	for (size_t len = 3; len <= 600 && n + 2 * len + 2 < 65000; len++) {
		in[n++] = (unsigned char)('A' + len % 26);
		for (size_t i = 0; i < len; i++)
			in[n++] = (unsigned char)('a' + i % 7);
		in[n++] = '|';
	}
	unsigned char *z;
	size_t len = fixed(&z, in, n);
	expect_inflates_to(z, len, in, n);
	cr_expect_lt(len, n / 4, "%zu of %zu bytes", len, n);
	free(z);
	free(in);
}

/* A literal, then one match of 258 bytes at distance 1: header 3 bits,
 * literal 8, length 258's own code 8 (not 284's 8 plus 5 extra bits),
 * distance 5, end of block 7: 31 bits. */
Test(deflate_fixed, a_run_takes_the_code_for_258)
{
	unsigned char in[259];
	memset(in, 'a', sizeof(in));
	unsigned char *z;
	size_t len = fixed(&z, in, sizeof(in));
	cr_expect_eq(len, 4);
	expect_inflates_to(z, len, in, sizeof(in));
	free(z);
}

/* Repeats at the far end of the window, and just past it: distances up
 * to 32,768 and the codes with 13 extra bits. */
Test(deflate_fixed, distances_up_to_the_window)
{
	size_t n = DPEX_DEFLATE_FIXED_MAX;
	unsigned char *in = malloc(n);
	uint32_t st = 11;
	for (size_t i = 0; i < n; i++)
		in[i] = i >= 32768 && i % 3 == 0 ? in[i - 32768]
			: i >= 32769		 ? in[i - 32769]
						 : (unsigned char)lcg(&st);
	unsigned char *z;
	size_t len = fixed(&z, in, n);
	expect_inflates_to(z, len, in, n);
	free(z);
	for (size_t d = 1; d <= 32768; d = d * 2 + 1) {
		size_t m = d + 300;
		for (size_t i = 0; i < m; i++)
			in[i] = i < d ? (unsigned char)lcg(&st) : in[i - d];
		len = fixed(&z, in, m);
		expect_inflates_to(z, len, in, m);
		free(z);
	}
	free(in);
}

Test(deflate_fixed, every_byte_value)
{
	unsigned char in[512];
	for (size_t i = 0; i < sizeof(in); i++)
		in[i] = (unsigned char)(i * 7 % 256);
	unsigned char *z;
	size_t len = fixed(&z, in, sizeof(in));
	expect_inflates_to(z, len, in, sizeof(in));
	free(z);
}

/* dpex_deflate's stream inflates back to the input, and both CRC-32s are
 * zlib's. */
static void round_trip(const void *in, size_t n)
{
	dpex_buf out = DPEX_BUF_INIT;
	uint32_t crc;
	cr_assert_eq(dpex_deflate(&out, &crc, "data.json", in, n), 0, "%s",
		     dpex_error_message());
	cr_assert_eq(crc, (uint32_t)crc32(0, in, (uInt)n));
	cr_assert_eq(dpex_crc32(0, in, n), crc);
	expect_inflates_to((unsigned char *)out.data, out.len, in, n);
	dpex_buf_free(&out);
}

/* Nothing, a byte, text of every size class (fixed codes, the sample's
 * codes, several 64 KiB blocks) and bytes that do not compress. */
Test(deflate, round_trips_through_zlib)
{
	round_trip("", 0);
	round_trip("x", 1);
	size_t sizes[] = {700, 1025, 4000, 30000, 200000};
	for (size_t i = 0; i < sizeof(sizes) / sizeof(*sizes); i++) {
		char *text = lines(sizes[i]);
		round_trip(text, sizes[i]);
		free(text);
	}
	size_t n = 70000;
	unsigned char *rnd = malloc(n);
	noise(rnd, n, 42);
	round_trip(rnd, n);
	free(rnd);
}

/* Bytes that do not compress come out stored: 5 bytes a block of at
 * most 64 KiB over the input, never more. */
Test(deflate, incompressible_input_is_stored)
{
	size_t n = 150000;
	unsigned char *rnd = malloc(n);
	noise(rnd, n, 5);
	dpex_buf out = DPEX_BUF_INIT;
	uint32_t crc;
	cr_assert_eq(dpex_deflate(&out, &crc, "data.bin", rnd, n), 0);
	cr_expect_leq(out.len, n + 5 * (n / 65535 + 1));
	expect_inflates_to((unsigned char *)out.data, out.len, rnd, n);
	dpex_buf_free(&out);
	free(rnd);
}

/* JSON, HTML and CSV compress not much worse than with zlib's fastest
 * level: the codes made from the sample fit them. (On members of real
 * archives the difference is 4 to 10%; on these repetitive lines ISA-L's
 * single pass finds fewer matches than zlib.) */
Test(deflate, text_compresses_nearly_as_well_as_zlib_level_1)
{
	const char *names[] = {"data.json", "index.html", "csv/orders.csv"};
	const char *kinds[] = {
		"{\"order_id\": \"ORD-%u\", \"total\": %u.95, \"status\": "
		"\"delivered\", \"city\": \"Utrecht\"},\n",
		"<p>We keep the %u orders you placed for %u months after your "
		"contract ends, as the tax law requires.</p>\n",
		"ORD-%u,2024-03-04 12:00:00+01,Stationsplein %u,Utrecht\r\n"};
	for (size_t k = 0; k < 3; k++) {
		char text[20000];
		size_t n = 0;
		for (unsigned i = 0; n + 200 < sizeof(text); i++)
			n += (size_t)snprintf(text + n, sizeof(text) - n,
					      kinds[k], i * 7919u % 100000,
					      i % 97);
		dpex_buf out = DPEX_BUF_INIT;
		uint32_t crc;
		cr_assert_eq(dpex_deflate(&out, &crc, names[k], text, n), 0);
		unsigned char z[sizeof(text) + 64];
		uLongf zlen = sizeof(z);
		z_stream s = {0};
		cr_assert_eq(deflateInit2(&s, 1, Z_DEFLATED, -15, 8,
					  Z_DEFAULT_STRATEGY),
			     Z_OK);
		s.next_in = (unsigned char *)text;
		s.avail_in = (uInt)n;
		s.next_out = z;
		s.avail_out = (uInt)zlen;
		cr_assert_eq(deflate(&s, Z_FINISH), Z_STREAM_END);
		cr_expect_leq(out.len, s.total_out * 7 / 5,
			      "kind %zu: %zu bytes, zlib's level 1 %lu", k,
			      out.len, s.total_out);
		deflateEnd(&s);
		dpex_buf_free(&out);
	}
}

/* A small input that comes again gets the same output, whether from the
 * thread's cache or, once the cache has turned over, compressed anew;
 * an input that differs in a byte never gets the output of the other. */
Test(deflate, cache_serves_only_the_same_input)
{
	char *text = lines(3000);
	dpex_buf first = DPEX_BUF_INIT, again = DPEX_BUF_INIT;
	uint32_t crc1, crc2;
	cr_assert_eq(dpex_deflate(&first, &crc1, "s.xml", text, 3000), 0);
	for (int round = 0; round < 3; round++) {
		cr_assert_eq(dpex_deflate(&again, &crc2, "s.xml", text, 3000),
			     0);
		cr_assert_eq(crc2, crc1);
		cr_assert_eq(again.len, first.len);
		cr_assert(memcmp(again.data, first.data, first.len) == 0);
		text[1500] ^= 1;
		round_trip(text, 3000);
		text[1500] ^= 1;
		for (int i = 0; round == 1 && i < 40; i++) {
			/* more than the cache holds */
			char other[64];
			int n = snprintf(other, sizeof(other), "input %d", i);
			cr_assert_eq(dpex_deflate(&again, &crc2, "s.xml", other,
						  (size_t)n),
				     0);
		}
	}
	free(text);
	dpex_buf_free(&first);
	dpex_buf_free(&again);
}

/* The codes depend on the member's kind, and a cached output serves only
 * its own kind: the same text as JSON, then as XML, then as JSON again
 * gives the first JSON output back. */
Test(deflate, cache_keeps_kinds_apart)
{
	char *text = lines(3000);
	dpex_buf json1 = DPEX_BUF_INIT, xml = DPEX_BUF_INIT,
		 json2 = DPEX_BUF_INIT;
	uint32_t crc;
	cr_assert_eq(dpex_deflate(&json1, &crc, "a.json", text, 3000), 0);
	cr_assert_eq(dpex_deflate(&xml, &crc, "b.xml", text, 3000), 0);
	cr_assert_eq(dpex_deflate(&json2, &crc, "c.json", text, 3000), 0);
	cr_expect(xml.len != json1.len ||
		  memcmp(xml.data, json1.data, xml.len) != 0);
	cr_assert_eq(json2.len, json1.len);
	cr_expect(memcmp(json2.data, json1.data, json1.len) == 0);
	expect_inflates_to((unsigned char *)xml.data, xml.len, text, 3000);
	free(text);
	dpex_buf_free(&json1);
	dpex_buf_free(&xml);
	dpex_buf_free(&json2);
}

/* A stream fed in pieces of every size, text and bytes that do not
 * compress, reads back whole; an empty one is a valid stream too. */
Test(deflate, stream_round_trips_through_zlib)
{
	size_t n = 600000;
	char *in = lines(n);
	noise(in + 200000, 100000, 9); /* incompressible */
	for (int empty = 0; empty < 2; empty++) {
		dpex_deflate_stream *s = NULL;
		cr_assert_eq(dpex_deflate_stream_new(&s), 0);
		dpex_buf piece = DPEX_BUF_INIT, all = DPEX_BUF_INIT;
		size_t len = empty ? 0 : n;
		for (size_t at = 0, step = 1; at < len; step = step * 3 + 7) {
			size_t k = len - at < step ? len - at : step;
			cr_assert_eq(dpex_deflate_stream_write(
					     s, &piece, in + at, k, false),
				     0);
			cr_assert_eq(dpex_buf_append(
					     &all, piece.data ? piece.data : "",
					     piece.len),
				     0);
			at += k;
		}
		cr_assert_eq(
			dpex_deflate_stream_write(s, &piece, NULL, 0, true), 0);
		cr_assert_eq(dpex_buf_append(&all, piece.data ? piece.data : "",
					     piece.len),
			     0);
		expect_inflates_to((unsigned char *)all.data, all.len, in, len);
		if (!empty)
			cr_expect_lt(all.len, len / 2);
		dpex_deflate_stream_free(s);
		dpex_buf_free(&piece);
		dpex_buf_free(&all);
	}
	free(in);
}

Test(deflate, large_inputs_round_trip)
{
	size_t n = 300000;
	char *in = malloc(n);
	uint32_t st = 3;
	for (size_t i = 0; i < n; i++)
		in[i] = (char)('a' + lcg(&st) % 4);
	dpex_buf z = DPEX_BUF_INIT;
	uint32_t crc;
	cr_assert_eq(dpex_deflate(&z, &crc, "data.json", in, n), 0);
	expect_inflates_to((unsigned char *)z.data, z.len, in, n);
	cr_expect_eq(crc, (uint32_t)crc32(0, (const Bytef *)in, (uInt)n));
	dpex_buf_free(&z);
	free(in);
}
