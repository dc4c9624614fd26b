/*
 * utf8: validation and repair of text on its way to the writers.
 *
 * A SQL_ASCII database hands out whatever bytes were stored. JSON, XLSX and
 * CSV must stay valid UTF-8, so each invalid sequence becomes U+FFFD (and
 * is counted: the manifest reports how many values were repaired).
 */
#ifndef DPEX_UTF8_H
#define DPEX_UTF8_H

#include "core/base/buf.h"

#include <stddef.h>

/* Length of the longest valid UTF-8 prefix of s[0..len) (RFC 3629: no
 * overlongs, no surrogates, nothing above U+10FFFF). len when all valid. */
size_t dpex_utf8_valid_prefix(const char *s, size_t len);

/* Appends s to out with every invalid sequence replaced by U+FFFD; adds the
 * number of replacements to *replaced (may be NULL). */
int dpex_utf8_repair(dpex_buf *out, const char *s, size_t len,
		     size_t *replaced);

/* The number of U+FFFD dpex_utf8_repair() puts into s: 0 when s is valid.
 */
size_t dpex_utf8_count_invalid(const char *s, size_t len);

/* Bytes of s that hold at most max_chars characters, not splitting one. */
size_t dpex_utf8_prefix_chars(const char *s, size_t len, size_t max_chars);

#endif
