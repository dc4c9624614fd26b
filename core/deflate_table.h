/*
 * deflate_table: how often each DEFLATE symbol (literal or length, and
 * distance) occurs in the members of archives of the sample estate, from
 * which core/deflate.c makes the Huffman codes it compresses with. Only
 * the synthetic sample is counted, never a subject's data: codes made
 * from one subject's text would show its letters' frequencies in every
 * other archive. Regenerate with scripts/deflate-table.
 */
#ifndef DPEX_DEFLATE_TABLE_H
#define DPEX_DEFLATE_TABLE_H

#include <stdint.h>

/* 257 literals (the last, end of block) and 29 length symbols. */
extern const uint32_t dpex_deflate_literal_counts[286];
extern const uint32_t dpex_deflate_distance_counts[30];

#endif
