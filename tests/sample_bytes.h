/*
 * sample_bytes: inputs for the compression and ZIP suites, and, where
 * tmpdir.h is included before it, an archive opened in the test's
 * directory.
 */
#ifndef DPEX_TESTS_SAMPLE_BYTES_H
#define DPEX_TESTS_SAMPLE_BYTES_H

#include "core/archive/archive.h"
#include "core/base/error.h"

#include <criterion/criterion.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

/* A linear congruential sequence: the same bytes for the same seed. */
static inline uint32_t lcg(uint32_t *state)
{
	*state = *state * 1103515245u + 12345u;
	return *state >> 16;
}

/* Bytes that do not compress. */
static inline void noise(void *p, size_t n, uint32_t seed)
{
	unsigned char *b = p;
	for (size_t i = 0; i < n; i++)
		b[i] = (unsigned char)lcg(&seed);
}

/* Text that compresses, different on every line (free it). */
static inline char *lines(size_t n)
{
	char *p = malloc(n + 1);
	cr_assert_not_null(p);
	size_t len = 0;
	for (unsigned i = 0; len < n; i++)
		len += (size_t)snprintf(
			p + len, n + 1 - len,
			"<row r=\"%u\"><c><v>%u</v></c></row>\n", i, i * 7919u);
	return p;
}

#ifdef DPEX_TESTS_TMPDIR_H
/* A compressed archive named name, to be made in dir. */
static inline dpex_archive *open_archive(const char *name)
{
	dpex_archive *a = NULL;
	dpex_archive_options opt = {
		.out_dir = dir, .name = name, .compress = true};
	cr_assert_eq(dpex_archive_open(&a, &opt), 0, "%s",
		     dpex_error_message());
	return a;
}
#endif

#endif
