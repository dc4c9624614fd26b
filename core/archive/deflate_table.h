/*
 * deflate_table: how often each DEFLATE symbol (literal or length, and
 * distance) occurs in the members of archives of the sample estate, per
 * kind of file, from which core/archive/deflate.c makes the Huffman codes it
 * compresses with. Only the synthetic sample is counted, never a
 * subject's data: codes made from one subject's text would show its
 * letters' frequencies in every other archive. Regenerate with
 * scripts/deflate-table.
 */
#ifndef DPEX_DEFLATE_TABLE_H
#define DPEX_DEFLATE_TABLE_H

#include <stddef.h>
#include <stdint.h>

typedef struct dpex_deflate_counts {
	const char *extension; /* ".csv"; "" for files of any other kind */
	uint32_t literal[286]; /* 256 bytes, end of block, 29 lengths */
	uint32_t distance[30];
} dpex_deflate_counts;

/* The kinds, the one for "" last. */
extern const dpex_deflate_counts dpex_deflate_table[];
extern const size_t dpex_deflate_table_size;

#endif
