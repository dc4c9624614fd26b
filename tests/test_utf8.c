/* Text repair: one U+FFFD per maximal subpart of an ill-formed sequence,
 * as Unicode recommends, checked against Python's decoder
 * (bytes.decode('utf-8', 'replace')) over every string of one and two
 * bytes, strings of three and four built from the bytes where the ranges
 * change, and random strings of them; the manifest's count is the number
 * of replacements Python makes. */
#include "core/base/buf.h"
#include "core/base/utf8.h"

#define TMPDIR_PREFIX "dpex-utf8"
#include "tmpdir.h"
#include "pyrun.h"
#include "sample_bytes.h"

#include <criterion/criterion.h>
#include <string.h>

TestSuite(utf8, .init = make_dir, .fini = remove_dir);

static size_t repaired_count(const char *s, size_t len, dpex_buf *out)
{
	size_t replaced = 0;
	cr_assert_eq(dpex_utf8_repair(out, s, len, &replaced), 0);
	cr_assert_eq(dpex_utf8_count_invalid(s, len), replaced);
	return replaced;
}

Test(utf8, one_replacement_per_maximal_subpart)
{
	static const struct {
		const char *in, *out;
		size_t n;
	} cases[] = {
		{"clean", "clean", 0},
		{"caf\xe9 ok \xff\xfe end",
		 "caf\xef\xbf\xbd ok "
		 "\xef\xbf\xbd\xef\xbf\xbd end",
		 3},
		{"cut: \xe2\x82", "cut: \xef\xbf\xbd", 1},
		/* The examples Unicode gives: each byte that cannot continue
		 * what came before is a subpart of its own. */
		{"\xc0\xaf", "\xef\xbf\xbd\xef\xbf\xbd", 2},
		{"\xed\xa0\x80", "\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd", 3},
		{"\xf4\x90\x80\x80",
		 "\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd", 4},
		{"\xf0\x9f\x98\x80", "\xf0\x9f\x98\x80", 0},
		/* A truncated sequence is one subpart, however long. */
		{"\xf0\x9f\x98x", "\xef\xbf\xbdx", 1},
		{"\xe1\x80\xe1\x80", "\xef\xbf\xbd\xef\xbf\xbd", 2},
		{"\x80\x80\x80", "\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd", 3},
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		dpex_buf b = DPEX_BUF_INIT;
		size_t n = repaired_count(cases[i].in, strlen(cases[i].in), &b);
		cr_expect_eq(n, cases[i].n, "case %zu: %zu", i, n);
		cr_expect(b.len == strlen(cases[i].out) &&
				  memcmp(b.data, cases[i].out, b.len) == 0,
			  "case %zu", i);
		dpex_buf_free(&b);
	}
}

/* Python reads "input repaired count" lines in hex and checks each with
 * its own decoder; a counting error handler tells how many U+FFFD it put
 * in (a valid U+FFFD in the input is not a replacement). */
static const char oracle[] =
	"import codecs, sys\n"
	"n = 0\n"
	"def count(e):\n"
	"    global n\n"
	"    n += 1\n"
	"    return ('\\ufffd', e.end)\n"
	"codecs.register_error('count', count)\n"
	"bad = []\n"
	"lines = 0\n"
	"for line in open(sys.argv[1]):\n"
	"    lines += 1\n"
	"    i, o, c = line.split(' ')\n"
	"    b = bytes.fromhex(i)\n"
	"    n = 0\n"
	"    want = b.decode('utf-8', 'count')\n"
	"    if want != b.decode('utf-8', 'replace'):\n"
	"        bad.append('handler differs: ' + i)\n"
	"    if bytes.fromhex(o) != want.encode() or int(c) != n:\n"
	"        bad.append('%s: dpex %s (%s), python %s (%d)'\n"
	"                   % (i, o, c.strip(), want.encode().hex(), n))\n"
	"if lines < 80000:\n"
	"    bad.append('only %d cases' % lines)\n"
	"print('\\n'.join(bad[:20]) if bad else 'ok')\n";

static void put_hex(FILE *f, const unsigned char *p, size_t n)
{
	for (size_t i = 0; i < n; i++)
		fprintf(f, "%02x", p[i]);
}

static void put_case(FILE *f, const unsigned char *p, size_t n)
{
	dpex_buf b = DPEX_BUF_INIT;
	size_t c = repaired_count((const char *)p, n, &b);
	put_hex(f, p, n);
	fputc(' ', f);
	put_hex(f, (const unsigned char *)b.data, b.len);
	fprintf(f, " %zu\n", c);
	dpex_buf_free(&b);
}

/* Where the decoding tables change: ASCII, the continuation ranges'
 * ends, the leads that narrow the second byte, bytes that start nothing. */
static const unsigned char edges[] = {
	0x00, 0x41, 0x7f, 0x80, 0x8f, 0x90, 0x9f, 0xa0, 0xbf,
	0xc0, 0xc1, 0xc2, 0xdf, 0xe0, 0xe1, 0xec, 0xed, 0xee,
	0xef, 0xf0, 0xf1, 0xf3, 0xf4, 0xf5, 0xff,
};
#define NEDGES (sizeof(edges))

Test(utf8, repairs_as_python_decodes)
{
	char path[128];
	snprintf(path, sizeof(path), "%s/cases", dir);
	FILE *f = fopen(path, "w");
	cr_assert_not_null(f);
	unsigned char s[16];
	for (unsigned a = 0; a < 256; a++) {
		s[0] = (unsigned char)a;
		put_case(f, s, 1);
		for (unsigned b = 0; b < 256; b++) {
			s[1] = (unsigned char)b;
			put_case(f, s, 2);
		}
	}
	for (size_t a = 0; a < NEDGES; a++)
		for (size_t b = 0; b < NEDGES; b++)
			for (size_t c = 0; c < NEDGES; c++) {
				s[0] = edges[a], s[1] = edges[b],
				s[2] = edges[c];
				put_case(f, s, 3);
			}
	/* Four bytes: a lead, then edges from the continuation ranges. */
	static const unsigned char lead[] = {0xf0, 0xf1, 0xf4, 0xe0, 0xed};
	static const unsigned char cont[] = {0x41, 0x7f, 0x80, 0x8f, 0x90,
					     0x9f, 0xa0, 0xbf, 0xc0};
	for (size_t a = 0; a < sizeof(lead); a++)
		for (size_t b = 0; b < sizeof(cont); b++)
			for (size_t c = 0; c < sizeof(cont); c++)
				for (size_t d = 0; d < sizeof(cont); d++) {
					s[0] = lead[a], s[1] = cont[b],
					s[2] = cont[c], s[3] = cont[d];
					put_case(f, s, 4);
				}
	uint32_t seed = 14;
	for (int i = 0; i < 5000; i++) {
		size_t n = 1 + lcg(&seed) % sizeof(s);
		for (size_t k = 0; k < n; k++)
			s[k] = edges[lcg(&seed) % NEDGES];
		put_case(f, s, n);
	}
	cr_assert_eq(fclose(f), 0);
	check_with_python(oracle, path);
}
