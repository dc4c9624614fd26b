/*
 * jsonpos: where a value sits in a JSON text.
 *
 * jansson parses the data map but keeps no positions, and a user fixing a
 * map needs "line 14, column 9". This walks the original text along a path
 * of keys and indexes to the value's first character. It only runs when a
 * problem is reported, on a text jansson has already accepted.
 */
#ifndef DPEX_JSONPOS_H
#define DPEX_JSONPOS_H

#include <stddef.h>

/* One step of a path: an object key, or (key == NULL) an array index. */
typedef struct dpex_jsonpos_step {
	const char *key;
	size_t index;
} dpex_jsonpos_step;

/* Finds the value at path in text. Sets *line and *column (1-based; the
 * column counts characters, as editors do) of the deepest value found on the
 * path, so a missing key points at the object that lacks it. */
void dpex_jsonpos_find(const char *text, size_t len,
		       const dpex_jsonpos_step *path, size_t depth, int *line,
		       int *column);

#endif
