/*
 * memo: bytes already written for a part of a document, found again by
 * the JSON values that part was written from.
 *
 * A bulk run writes a cover page and about.json per subject, and most of
 * each is the same text from the same map (purposes, recipients, rights):
 * about_cache shares those values between the subjects' documents, and
 * the writers keep what they wrote for them here. A key is a tag (which
 * part, in which language and form) and up to DPEX_MEMO_KEYS values,
 * compared by identity: the memo holds a reference to each, so no other
 * value can take its address while the entry lives. The bytes must
 * therefore depend on nothing but the tag and the values. The memo is
 * bounded: past its limits nothing more is kept, and writers write as if
 * it were not there. One memo is used by one thread.
 */
#ifndef DPEX_MEMO_H
#define DPEX_MEMO_H

#include <jansson.h>
#include <stddef.h>

#define DPEX_MEMO_KEYS 6

typedef struct dpex_memo dpex_memo;

/* A memo that keeps at most max_bytes of text in all. */
int dpex_memo_new(dpex_memo **out, size_t max_bytes);
void dpex_memo_free(dpex_memo *m);

/* The bytes kept for the key, or NULL (then *len is 0). Borrowed: they
 * live as long as the memo. m may be NULL. */
const char *dpex_memo_get(const dpex_memo *m, unsigned tag,
			  const json_t *const *keys, size_t nkeys, size_t *len);

/* Keeps a copy of the bytes for the key, unless the memo is full (then
 * nothing is kept: not an error). m may be NULL. DPEX_ENOMEM. */
int dpex_memo_put(dpex_memo *m, unsigned tag, const json_t *const *keys,
		  size_t nkeys, const char *bytes, size_t len);

#endif
