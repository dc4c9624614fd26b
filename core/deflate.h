/*
 * deflate: raw DEFLATE (RFC 1951) and CRC-32 of a whole buffer in memory,
 * for the ZIP members dpex compresses itself.
 *
 * Speed first: a bulk run deflates some 125 kB per subject, and at
 * libdeflate's fastest level that was a third of dpex's CPU time. Two
 * encoders, by size:
 *
 * - up to 1 KiB (a CSV file or a sheet of a few rows; an answer has a
 *   dozen): the fixed Huffman codes (deflate_fixed.h), which need no
 *   table built or sent;
 * - larger: ISA-L's level 0 (Intel's igzip, a single pass) with Huffman
 *   codes made once, per kind of file (.html, .json, .csv, ...), from the
 *   symbol counts of the sample estate's archives (deflate_table.h),
 *   never from a subject's data: two to three times libdeflate's speed
 *   on the cover pages, about.json and data.json, for 4 to 11% more
 *   bytes on them and 11 to 22% on CSV files of a few kB. A whole archive
 *   comes out 7 to 8% larger (BENCHMARKS.md).
 *
 * In bulk the same small inputs come again and again: an XLSX package's
 * fixed parts, the CSV file and the sheet of an entity without rows. So
 * each thread keeps the output for the last inputs of at most 4 KiB it
 * compressed, found by size, CRC-32 and kind and compared byte for byte,
 * and copies it when an input comes again. The output depends on the
 * input and its kind alone, never on what came before. Incompressible
 * input comes out as stored blocks. Each thread's cache is made at its
 * first call and freed when it ends.
 */
#ifndef DPEX_DEFLATE_H
#define DPEX_DEFLATE_H

#include "buf.h"

#include <stddef.h>
#include <stdint.h>

/* Replaces out's content with the raw DEFLATE stream of in[0..n), and
 * sets *crc to its CRC-32. name is the member's, whose extension picks
 * the codes. */
int dpex_deflate(dpex_buf *out, uint32_t *crc, const char *name, const void *in,
		 size_t n);

/* Continues a CRC-32 (ZIP's, start from 0). */
uint32_t dpex_crc32(uint32_t crc, const void *p, size_t n);

#endif
