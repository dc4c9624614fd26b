#include "core/answer/redact.h"

#include "core/map/processing.h"

#include <string.h>

/* Phone numbers in Europe have 9 to 15 digits with the country code
 * (ITU-T E.164); fewer digits are meter readings, amounts, order numbers. */
#define PHONE_MIN_DIGITS 9
#define PHONE_MAX_DIGITS 15
/* Compare the national significant part: "+31 6 12345678" is
 * "06-12345678". */
#define PHONE_COMPARE_DIGITS 9

static bool is_digit(char c)
{
	return c >= '0' && c <= '9';
}

static bool is_alnum(char c)
{
	return is_digit(c) || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

static bool local_char(char c)
{
	return is_alnum(c) || c == '.' || c == '_' || c == '%' || c == '+' ||
	       c == '-';
}

static bool domain_char(char c)
{
	return is_alnum(c) || c == '.' || c == '-';
}

static char lower(char c)
{
	return c >= 'A' && c <= 'Z' ? (char)(c - 'A' + 'a') : c;
}

/* An e-mail address around the '@' at s[at]: its span [*b, *e). */
static bool email_at(const char *s, size_t len, size_t at, size_t *b, size_t *e)
{
	size_t i = at, j = at + 1;
	while (i > 0 && local_char(s[i - 1]))
		i--;
	while (j < len && domain_char(s[j]))
		j++;
	while (j > at + 1 && (s[j - 1] == '.' || s[j - 1] == '-'))
		j--;
	while (i < at && s[i] == '.')
		i++;
	if (i == at || j == at + 1)
		return false;
	/* A domain with a dot and a top-level part of two letters or more. */
	const char *dot = NULL;
	for (size_t k = at + 1; k < j; k++)
		if (s[k] == '.')
			dot = s + k;
	if (!dot || dot == s + at + 1 || (size_t)(s + j - dot) < 3)
		return false;
	*b = i;
	*e = j;
	return true;
}

/* A phone number starting at s[i] ('+' or '0', not inside a word or
 * number): digits with single spaces or dashes between them. */
static bool phone_at(const char *s, size_t len, size_t i, size_t *e)
{
	if (!(s[i] == '+' || s[i] == '0'))
		return false;
	if (i > 0 && (is_alnum(s[i - 1]) || s[i - 1] == '-' ||
		      s[i - 1] == '.' || s[i - 1] == '/' || s[i - 1] == '+'))
		return false;
	size_t j = s[i] == '+' ? i + 1 : i, digits = 0, end = 0;
	if (!(j < len && is_digit(s[j])))
		return false;
	while (j < len) {
		if (is_digit(s[j])) {
			digits++;
			end = ++j;
		} else if ((s[j] == ' ' || s[j] == '-') && j + 1 < len &&
			   is_digit(s[j + 1])) {
			j++;
		} else {
			break;
		}
	}
	if (digits < PHONE_MIN_DIGITS || digits > PHONE_MAX_DIGITS ||
	    (end < len && (is_alnum(s[end]) || s[end] == '@')))
		return false;
	*e = end;
	return true;
}

static bool same_email(const char *s, size_t n, const char *own)
{
	if (strlen(own) != n)
		return false;
	for (size_t i = 0; i < n; i++)
		if (lower(s[i]) != lower(own[i]))
			return false;
	return true;
}

/* The last PHONE_COMPARE_DIGITS digits of s[0..n) into d; their count. */
static size_t tail_digits(const char *s, size_t n, char *d)
{
	size_t k = 0;
	for (size_t i = n; i > 0 && k < PHONE_COMPARE_DIGITS; i--)
		if (is_digit(s[i - 1]))
			d[PHONE_COMPARE_DIGITS - 1 - k++] = s[i - 1];
	memmove(d, d + PHONE_COMPARE_DIGITS - k, k);
	return k;
}

static bool own_phone(const char *s, size_t n, const dpex_redact_ctx *ctx)
{
	char a[PHONE_COMPARE_DIGITS], b[PHONE_COMPARE_DIGITS];
	size_t na = tail_digits(s, n, a);
	for (size_t i = 0; i < ctx->nown; i++) {
		const char *o = ctx->own[i];
		size_t digits = 0;
		for (const char *c = o; *c; c++)
			digits += is_digit(*c);
		if (digits < PHONE_MIN_DIGITS)
			continue;
		size_t nb = tail_digits(o, strlen(o), b);
		if (na == nb && memcmp(a, b, na) == 0)
			return true;
	}
	return false;
}

static bool own_email(const char *s, size_t n, const dpex_redact_ctx *ctx)
{
	for (size_t i = 0; i < ctx->nown; i++)
		if (same_email(s, n, ctx->own[i]))
			return true;
	return false;
}

int dpex_redact_mask(dpex_buf *out, const char *s, size_t len, unsigned mask,
		     const dpex_redact_ctx *ctx, long long *count)
{
	dpex_buf_clear(out);
	int rc = dpex_buf_reserve(out, len);
	size_t done = 0; /* s[0..done) is in out */
	for (size_t i = 0; !rc && i < len; i++) {
		size_t b = i, e = 0;
		const char *mark = NULL;
		if ((mask & DPEX_MASK_EMAIL) && s[i] == '@' &&
		    email_at(s, len, i, &b, &e)) {
			if (b >= done && !own_email(s + b, e - b, ctx))
				mark = ctx->email_mark;
		} else if ((mask & DPEX_MASK_PHONE) && i >= done &&
			   phone_at(s, len, i, &e)) {
			/* An address's digits are no phone number: skip
			 * what an '@' further on claims. */
			const char *at = memchr(s + i, '@', e - i);
			if (!at && !own_phone(s + i, e - i, ctx))
				mark = ctx->phone_mark;
			else
				i = e - 1;
		}
		if (!mark)
			continue;
		rc = dpex_buf_append(out, s + done, b - done);
		if (!rc)
			rc = dpex_buf_puts(out, mark);
		done = e;
		i = e - 1;
		(*count)++;
	}
	if (!rc)
		rc = dpex_buf_append(out, s + done, len - done);
	return rc;
}
