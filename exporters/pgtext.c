#include "exporters/pgtext.h"

#include "core/base/error.h"

#include <stdbool.h>
#include <string.h>

static bool is_digit(char c)
{
	return c >= '0' && c <= '9';
}

/* True when s[*i..] starts with n digits; advances *i past them. */
static bool digits(const char *s, size_t len, size_t *i, size_t n)
{
	for (size_t k = 0; k < n; k++, (*i)++)
		if (*i >= len || !is_digit(s[*i]))
			return false;
	return true;
}

static bool expect(const char *s, size_t len, size_t *i, char c)
{
	if (*i >= len || s[*i] != c)
		return false;
	(*i)++;
	return true;
}

/*
 * PostgreSQL's ISO style is "YYYY-MM-DD HH:MM:SS[.ffffff][+HH[:MM[:SS]]]"
 * (years past 9999 get more digits). Returns the position of the space to
 * turn into 'T' and of the offset (len when there is none), or false when
 * s has another shape.
 */
static bool parse_iso(const char *s, size_t len, size_t *space, size_t *zone)
{
	size_t i = 0;
	if (!digits(s, len, &i, 4))
		return false;
	while (i < len && is_digit(s[i]))
		i++;
	if (!expect(s, len, &i, '-') || !digits(s, len, &i, 2) ||
	    !expect(s, len, &i, '-') || !digits(s, len, &i, 2))
		return false;
	*space = i;
	if (!expect(s, len, &i, ' ') || !digits(s, len, &i, 2) ||
	    !expect(s, len, &i, ':') || !digits(s, len, &i, 2) ||
	    !expect(s, len, &i, ':') || !digits(s, len, &i, 2))
		return false;
	if (i < len && s[i] == '.') {
		i++;
		if (!digits(s, len, &i, 1))
			return false;
		while (i < len && is_digit(s[i]))
			i++;
	}
	*zone = i;
	if (i == len)
		return true;
	if (s[i] != '+' && s[i] != '-')
		return false;
	i++;
	if (!digits(s, len, &i, 2))
		return false;
	for (int part = 0; part < 2 && i < len; part++)
		if (!expect(s, len, &i, ':') || !digits(s, len, &i, 2))
			return false;
	return i == len;
}

int dpex_pgtext_timestamp(dpex_buf *out, const char *s, size_t len)
{
	size_t space, zone;
	if (!parse_iso(s, len, &space, &zone))
		return dpex_buf_append(out, s, len);
	int rc = dpex_buf_reserve(out, len + 3);
	if (rc)
		return rc;
	/* Room is reserved: the appends below cannot fail. */
	dpex_buf_append(out, s, space);
	dpex_buf_putc(out, 'T');
	dpex_buf_append(out, s + space + 1, len - space - 1);
	/* ISO 8601 extended format wants "+hh:mm"; PostgreSQL drops ":00". */
	if (len - zone == 3)
		dpex_buf_append(out, ":00", 3);
	return 0;
}

int dpex_pgtext_timetz(dpex_buf *out, const char *s, size_t len)
{
	/* "HH:MM:SS[.ffffff]" then the offset: the first sign after it. */
	size_t zone = 8;
	while (zone < len && s[zone] != '+' && s[zone] != '-')
		zone++;
	int rc = dpex_buf_append(out, s, len);
	/* ISO 8601 extended format wants "+hh:mm"; PostgreSQL drops ":00". */
	if (!rc && len >= 8 && len - zone == 3 && is_digit(s[zone + 1]) &&
	    is_digit(s[zone + 2]))
		rc = dpex_buf_append(out, ":00", 3);
	return rc;
}

static int hex_value(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

int dpex_pgtext_base64(dpex_buf *out, const char *s, size_t len)
{
	static const char alphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
				       "abcdefghijklmnopqrstuvwxyz0123456789+/";
	if (len < 2 || s[0] != '\\' || s[1] != 'x' || len % 2 != 0)
		return dpex_error_set(DPEX_EINTERNAL,
				      "bytea value is not in hex output "
				      "(is bytea_output set to hex?)");
	size_t nbytes = (len - 2) / 2;
	size_t need = (nbytes + 2) / 3 * 4;
	int rc = dpex_buf_reserve(out, need);
	if (rc)
		return rc;
	char *o = out->data + out->len;
	const char *h = s + 2;
	for (size_t b = 0; b < nbytes; b += 3) {
		unsigned int group = 0;
		size_t n = nbytes - b < 3 ? nbytes - b : 3;
		for (size_t k = 0; k < 3; k++) {
			int v = 0;
			if (k < n) {
				int hi = hex_value(h[2 * (b + k)]);
				int lo = hex_value(h[2 * (b + k) + 1]);
				if (hi < 0 || lo < 0) {
					out->data[out->len] = '\0';
					return dpex_error_set(
						DPEX_EINTERNAL,
						"bytea value has a non-hex "
						"digit at byte %zu",
						2 + 2 * (b + k));
				}
				v = hi << 4 | lo;
			}
			group = group << 8 | (unsigned int)v;
		}
		/* RFC 4648 §4: a short final group is padded with '='. */
		*o++ = alphabet[group >> 18 & 63];
		*o++ = alphabet[group >> 12 & 63];
		*o++ = n > 1 ? alphabet[group >> 6 & 63] : '=';
		*o++ = n > 2 ? alphabet[group & 63] : '=';
	}
	out->len += need;
	out->data[out->len] = '\0';
	return 0;
}

const char *dpex_pgtext_bool(const char *s, size_t len)
{
	if (len == 1 && s[0] == 't')
		return "true";
	if (len == 1 && s[0] == 'f')
		return "false";
	return NULL;
}

int dpex_pgtext_plain(dpex_buf *scratch, dpex_kind k, const char *s, size_t len,
		      const char **text, size_t *text_len)
{
	*text = s;
	*text_len = len;
	int rc = 0;
	switch (k) {
	case DPEX_KIND_BOOL: {
		const char *b = dpex_pgtext_bool(s, len);
		if (b) {
			*text = b;
			*text_len = strlen(b);
		}
		return 0;
	}
	case DPEX_KIND_TIMESTAMP:
	case DPEX_KIND_TIMESTAMPTZ:
		dpex_buf_clear(scratch);
		rc = dpex_pgtext_timestamp(scratch, s, len);
		break;
	case DPEX_KIND_TIMETZ:
		dpex_buf_clear(scratch);
		rc = dpex_pgtext_timetz(scratch, s, len);
		break;
	case DPEX_KIND_BYTEA:
		dpex_buf_clear(scratch);
		rc = dpex_pgtext_base64(scratch, s, len);
		break;
	default:
		return 0;
	}
	if (rc)
		return rc;
	/* An empty bytea leaves scratch unallocated; "" is its text. */
	*text = scratch->data ? scratch->data : "";
	*text_len = scratch->len;
	return 0;
}
