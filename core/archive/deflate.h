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

#include "core/base/buf.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Replaces out's content with the raw DEFLATE stream of in[0..n), and
 * sets *crc to its CRC-32. name is the member's, whose extension picks
 * the codes. */
int dpex_deflate(dpex_buf *out, uint32_t *crc, const char *name, const void *in,
		 size_t n);

/* A DEFLATE stream written piece by piece, for a member too large to
 * hold whole (a spilled sheet): ISA-L's level 1, which makes its codes
 * from the data of each block. On a sheet of a million rows (430 MB of
 * XML) it took 0.13 s against zlib's level 1 0.67 s, for 19% more bytes;
 * level 0 with the sample's codes, fine for a few kB, gave 64% more. */
typedef struct dpex_deflate_stream dpex_deflate_stream;

/* DPEX_ENOMEM. */
int dpex_deflate_stream_new(dpex_deflate_stream **out);
/* Compresses in[0..n), the stream's end if last: out's content is
 * replaced by what came out of it (perhaps nothing before the end). */
int dpex_deflate_stream_write(dpex_deflate_stream *s, dpex_buf *out,
			      const void *in, size_t n, bool last);
void dpex_deflate_stream_free(dpex_deflate_stream *s);

/* Continues a CRC-32 (ZIP's, start from 0). */
uint32_t dpex_crc32(uint32_t crc, const void *p, size_t n);

#endif
