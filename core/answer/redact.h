/*
 * redact: other people's data out of a subject's free text (GDPR Art.
 * 15(4)). A note about the subject may name a neighbour with their e-mail
 * address and phone number; the note is handed over with those masked,
 * rather than withheld. The subject's own addresses and numbers stay.
 *
 * Runs on every value of a masked column in the streaming path: it writes
 * into a caller's reused buffer and allocates nothing per value.
 */
#ifndef DPEX_REDACT_H
#define DPEX_REDACT_H

#include "core/base/buf.h"

#include <stdbool.h>
#include <stddef.h>

/* The subject's own values, which are never masked, and the texts that
 * replace others' (e.g. "[e-mail address removed]"). Borrowed. */
typedef struct dpex_redact_ctx {
	const char *const *own; /* every identifier value of the subject */
	size_t nown;
	const char *email_mark;
	const char *phone_mark;
} dpex_redact_ctx;

/* Writes s (len bytes) to out with other people's e-mail addresses
 * (mask & DPEX_MASK_EMAIL) and phone numbers (mask & DPEX_MASK_PHONE)
 * replaced by the marks; adds the number replaced to *count. out is
 * cleared first. Returns 0 or a DPEX_E* code from the buffer. */
int dpex_redact_mask(dpex_buf *out, const char *s, size_t len, unsigned mask,
		     const dpex_redact_ctx *ctx, long long *count);

#endif
