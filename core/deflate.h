/*
 * deflate: raw DEFLATE (RFC 1951) and CRC-32 of a whole buffer in memory,
 * for the ZIP members dpex compresses itself.
 *
 * libdeflate at its fastest level: on the members of an answer (a few
 * hundred bytes to a few hundred KiB) it takes a third to a half of the
 * time of zlib's level 1, whose every stream also pays for setting up
 * 256 KiB of state, and its output is a few percent smaller
 * (BENCHMARKS.md).
 *
 * Every call costs a few microseconds however small the input (Huffman
 * tables, the match finder's reset), and in bulk the same small inputs
 * come again and again: an XLSX package's fixed parts, the CSV file and
 * the sheet of an entity without rows. So each thread keeps the output
 * for the last small inputs it compressed, found by size and CRC-32 and
 * compared byte for byte, and copies it when an input comes again. Each
 * thread's compressor and cache are made at its first call and freed
 * when it ends.
 */
#ifndef DPEX_DEFLATE_H
#define DPEX_DEFLATE_H

#include "buf.h"

#include <stddef.h>
#include <stdint.h>

/* Replaces out's content with the raw DEFLATE stream of in[0..n), and
 * sets *crc to its CRC-32. */
int dpex_deflate(dpex_buf *out, uint32_t *crc, const void *in, size_t n);

/* Continues a CRC-32 (ZIP's, start from 0). */
uint32_t dpex_crc32(uint32_t crc, const void *p, size_t n);

#endif
