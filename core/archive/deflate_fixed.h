/*
 * deflate_fixed: raw DEFLATE (RFC 1951) of a small input in one block
 * with the fixed Huffman codes (§3.2.6), for the many small members of an
 * answer: a CSV file or a sheet of a few rows.
 *
 * A general encoder spends a few microseconds on every input however
 * small, building Huffman codes (libdeflate about 35,000 instructions, 4
 * to 5 us here) or sending them (ISA-L's header of 50 to 80 bytes): a
 * member of 200 bytes cost as much as 2 kB of text. With the fixed codes
 * there is nothing to build or send: matches of 4 to 258 bytes found
 * through a small hash table, everything else literal. Under 1 kB this
 * takes a tenth of libdeflate's time and gives 10 to 25% more bytes than
 * it, fewer than ISA-L (BENCHMARKS.md). Output that would be larger than
 * the input is written as a stored block instead.
 */
#ifndef DPEX_DEFLATE_FIXED_H
#define DPEX_DEFLATE_FIXED_H

#include <stddef.h>

/* The largest input dpex_deflate_fixed takes (one stored block's). */
#define DPEX_DEFLATE_FIXED_MAX 65535

/* Bytes out must have room for, for n bytes of input: the encoder gives
 * up for a stored block once its output passes n, and it writes up to 17
 * bytes past that point before it looks. */
#define DPEX_DEFLATE_FIXED_BOUND(n) ((n) + 24)

/* Writes the raw DEFLATE stream of in[0..n) to out, which has room for
 * DPEX_DEFLATE_FIXED_BOUND(n) bytes, and returns its length. n is at most
 * DPEX_DEFLATE_FIXED_MAX. Cannot fail. */
size_t dpex_deflate_fixed(unsigned char *out, const void *in, size_t n);

#endif
