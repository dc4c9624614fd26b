/* libFuzzer target: the text of a spreadsheet cell. Whatever valid UTF-8
 * goes in, what XML gets holds no character XML 1.0 forbids or a parser
 * would change (C0 controls but tab and LF, CR, U+FFFE, U+FFFF), no
 * markup ('<', '>', '&' but in an entity), stays valid UTF-8, and reads
 * back, entities and "_xHHHH_" escapes undone from left to right as Excel
 * does, as the input: text that itself reads "_xHHHH_", or "_xHHHH"
 * before a character that gets escaped, included. */
#include "core/base/buf.h"
#include "core/base/utf8.h"
#include "exporters/xlsxw.h"

#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static bool hex4(const char *p, unsigned *v)
{
	*v = 0;
	for (int i = 0; i < 4; i++) {
		char c = p[i];
		int d = c >= '0' && c <= '9'   ? c - '0'
			: c >= 'A' && c <= 'F' ? c - 'A' + 10
			: c >= 'a' && c <= 'f' ? c - 'a' + 10
					       : -1;
		if (d < 0)
			return false;
		*v = *v * 16 + (unsigned)d;
	}
	return true;
}

/* An "_xHHHH_" escape at p[i..]; its code point in *v. */
static bool escape_at(const char *p, size_t n, size_t i, unsigned *v)
{
	return i + 7 <= n && p[i] == '_' && p[i + 1] == 'x' &&
	       hex4(p + i + 2, v) && p[i + 6] == '_';
}

/* Undoes the entities and escapes of out into back. */
static void decode(const dpex_buf *out, dpex_buf *back)
{
	const char *p = out->data ? out->data : "";
	size_t n = out->len;
	for (size_t i = 0; i < n;) {
		unsigned v;
		if (p[i] == '&') {
			const char *ent[] = {"&amp;", "&lt;", "&gt;"};
			const char ch[] = {'&', '<', '>'};
			bool found = false;
			for (int k = 0; k < 3 && !found; k++) {
				size_t l = strlen(ent[k]);
				if (i + l <= n &&
				    memcmp(p + i, ent[k], l) == 0) {
					dpex_buf_putc(back, ch[k]);
					i += l;
					found = true;
				}
			}
			if (!found)
				abort(); /* a bare '&' */
		} else if (escape_at(p, n, i, &v)) {
			if (v < 0x80) { /* a C0 control or '_' */
				dpex_buf_putc(back, (char)v);
			} else { /* U+FFFE, U+FFFF: three bytes */
				char u[3] = {(char)0xEF, (char)0xBF,
					     (char)(0x80 | (v & 0x3F))};
				dpex_buf_append(back, u, 3);
			}
			i += 7;
		} else {
			dpex_buf_putc(back, p[i++]);
		}
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	dpex_buf in = DPEX_BUF_INIT, out = DPEX_BUF_INIT, back = DPEX_BUF_INIT;
	if (dpex_utf8_repair(&in, (const char *)data, size, NULL) != 0 ||
	    dpex_xlsxw_escape_text(&out, in.data ? in.data : "", in.len) != 0)
		abort();
	const unsigned char *o =
		(const unsigned char *)(out.data ? out.data : "");
	if (dpex_utf8_valid_prefix(out.data ? out.data : "", out.len) !=
	    out.len)
		abort();
	for (size_t i = 0; i < out.len; i++) {
		if ((o[i] < 0x20 && o[i] != '\t' && o[i] != '\n') ||
		    o[i] == '<' || o[i] == '>')
			abort();
		if (o[i] == 0xEF && i + 2 < out.len && o[i + 1] == 0xBF &&
		    (o[i + 2] == 0xBE || o[i + 2] == 0xBF))
			abort();
	}
	decode(&out, &back);
	if (back.len != in.len ||
	    (in.len && memcmp(back.data, in.data, in.len) != 0))
		abort();
	dpex_buf_free(&in);
	dpex_buf_free(&out);
	dpex_buf_free(&back);
	return 0;
}
