#include "core/map/jsonpos.h"

#include <stdbool.h>
#include <string.h>

typedef struct scanner {
	const char *s;
	size_t len;
	size_t i;
} scanner;

static void skip_ws(scanner *sc)
{
	while (sc->i < sc->len && strchr(" \t\r\n", sc->s[sc->i]) &&
	       sc->s[sc->i] != '\0')
		sc->i++;
}

static int hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

static unsigned read_hex4(scanner *sc)
{
	unsigned v = 0;
	for (int k = 0; k < 4 && sc->i < sc->len; k++)
		v = v * 16 + (unsigned)hexval(sc->s[sc->i++]);
	return v;
}

/* Appends code point cp as UTF-8 to out (bounded by cap) at *n. */
static void put_utf8(char *out, size_t cap, size_t *n, unsigned cp)
{
	char tmp[4];
	size_t k;
	if (cp < 0x80) {
		tmp[0] = (char)cp;
		k = 1;
	} else if (cp < 0x800) {
		tmp[0] = (char)(0xC0 | (cp >> 6));
		tmp[1] = (char)(0x80 | (cp & 0x3F));
		k = 2;
	} else if (cp < 0x10000) {
		tmp[0] = (char)(0xE0 | (cp >> 12));
		tmp[1] = (char)(0x80 | ((cp >> 6) & 0x3F));
		tmp[2] = (char)(0x80 | (cp & 0x3F));
		k = 3;
	} else {
		tmp[0] = (char)(0xF0 | (cp >> 18));
		tmp[1] = (char)(0x80 | ((cp >> 12) & 0x3F));
		tmp[2] = (char)(0x80 | ((cp >> 6) & 0x3F));
		tmp[3] = (char)(0x80 | (cp & 0x3F));
		k = 4;
	}
	for (size_t j = 0; j < k; j++) {
		if (*n + 1 < cap)
			out[*n] = tmp[j];
		(*n)++;
	}
}

/* Reads a string token at sc->i (on the opening quote) and tells whether
 * its decoded value equals want. */
static bool string_equals(scanner *sc, const char *want)
{
	char buf[512];
	size_t n = 0;
	sc->i++; /* opening quote */
	while (sc->i < sc->len && sc->s[sc->i] != '"') {
		char c = sc->s[sc->i++];
		if (c != '\\') {
			if (n + 1 < sizeof(buf))
				buf[n] = c;
			n++;
			continue;
		}
		char e = sc->i < sc->len ? sc->s[sc->i++] : '\0';
		unsigned cp;
		switch (e) {
		case 'b':
			cp = '\b';
			break;
		case 'f':
			cp = '\f';
			break;
		case 'n':
			cp = '\n';
			break;
		case 'r':
			cp = '\r';
			break;
		case 't':
			cp = '\t';
			break;
		case 'u':
			cp = read_hex4(sc);
			if (cp >= 0xD800 && cp < 0xDC00 &&
			    sc->i + 1 < sc->len && sc->s[sc->i] == '\\' &&
			    sc->s[sc->i + 1] == 'u') {
				sc->i += 2;
				unsigned lo = read_hex4(sc);
				cp = 0x10000 + ((cp - 0xD800) << 10) +
				     (lo - 0xDC00);
			}
			break;
		default:
			cp = (unsigned char)e;
		}
		put_utf8(buf, sizeof(buf), &n, cp);
	}
	sc->i++; /* closing quote */
	return n < sizeof(buf) && strlen(want) == n &&
	       memcmp(buf, want, n) == 0;
}

static void skip_value(scanner *sc)
{
	skip_ws(sc);
	if (sc->i >= sc->len)
		return;
	char c = sc->s[sc->i];
	if (c == '"') {
		string_equals(sc, "");
		return;
	}
	if (c == '{' || c == '[') {
		int depth = 0;
		bool in_string = false;
		for (; sc->i < sc->len; sc->i++) {
			char d = sc->s[sc->i];
			if (in_string) {
				if (d == '\\')
					sc->i++;
				else if (d == '"')
					in_string = false;
			} else if (d == '"') {
				in_string = true;
			} else if (d == '{' || d == '[') {
				depth++;
			} else if (d == '}' || d == ']') {
				if (--depth == 0) {
					sc->i++;
					return;
				}
			}
		}
		return;
	}
	while (sc->i < sc->len && !strchr(",}] \t\r\n", sc->s[sc->i]))
		sc->i++;
}

/* Moves sc to the value of key in the object at sc->i; false if absent. */
static bool enter_key(scanner *sc, const char *key)
{
	skip_ws(sc);
	if (sc->i >= sc->len || sc->s[sc->i] != '{')
		return false;
	sc->i++;
	for (;;) {
		skip_ws(sc);
		if (sc->i >= sc->len || sc->s[sc->i] != '"')
			return false;
		bool match = string_equals(sc, key);
		skip_ws(sc);
		sc->i++; /* colon */
		skip_ws(sc);
		if (match)
			return true;
		skip_value(sc);
		skip_ws(sc);
		if (sc->i >= sc->len || sc->s[sc->i] != ',')
			return false;
		sc->i++;
	}
}

static bool enter_index(scanner *sc, size_t index)
{
	skip_ws(sc);
	if (sc->i >= sc->len || sc->s[sc->i] != '[')
		return false;
	sc->i++;
	for (size_t k = 0;; k++) {
		skip_ws(sc);
		if (sc->i >= sc->len || sc->s[sc->i] == ']')
			return false;
		if (k == index)
			return true;
		skip_value(sc);
		skip_ws(sc);
		if (sc->i >= sc->len || sc->s[sc->i] != ',')
			return false;
		sc->i++;
	}
}

void dpex_jsonpos_find(const char *text, size_t len,
		       const dpex_jsonpos_step *path, size_t depth, int *line,
		       int *column)
{
	scanner sc = {text, len, 0};
	skip_ws(&sc);
	size_t found = sc.i;
	for (size_t d = 0; d < depth; d++) {
		bool ok = path[d].key ? enter_key(&sc, path[d].key)
				      : enter_index(&sc, path[d].index);
		if (!ok)
			break;
		skip_ws(&sc);
		found = sc.i;
	}
	int l = 1, c = 1;
	for (size_t k = 0; k < found && k < len; k++) {
		unsigned char b = (unsigned char)text[k];
		if (b == '\n') {
			l++;
			c = 1;
		} else if ((b & 0xC0) != 0x80) {
			c++;
		}
	}
	*line = l;
	*column = c;
}
