/*
 * about_cache: about.json documents for the many subjects of a bulk run.
 *
 * A subject's document depends on the subject only through which entities
 * hold rows about them (the shape of the answer), the row counts, the
 * request id and the scope's redactions and exclusions. The first
 * document of each shape is built in full; later ones of that shape are
 * new objects along the path to what differs and share every other value
 * with it. The shared values keep their addresses, which lets the cover
 * page and the JSON layout find what they wrote for them (memo.h). A
 * cache serves one map, kind, language and set of formats, and one
 * thread.
 */
#ifndef DPEX_ABOUT_CACHE_H
#define DPEX_ABOUT_CACHE_H

#include "core/answer/about.h"

typedef struct dpex_about_cache dpex_about_cache;

int dpex_about_cache_new(dpex_about_cache **out);
void dpex_about_cache_free(dpex_about_cache *c);

/* The same document as dpex_about_build(in), value for value; NULL when
 * out of memory. c may be NULL (then it is dpex_about_build). New
 * reference. */
json_t *dpex_about_cache_build(dpex_about_cache *c, const dpex_about_input *in);

#endif
