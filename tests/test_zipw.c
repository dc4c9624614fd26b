/* zipw: a ZIP written into an archive member, read back by
 * Python's zipfile and unzip (whole and streamed entries, UTF-8 names,
 * empty, incompressible and large entries). */
#include "core/archive/archive.h"
#include "core/base/buf.h"
#include "core/base/error.h"
#include "core/archive/zipw.h"

#include <criterion/criterion.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define TMPDIR_PREFIX "dpex-zipw"
#include "tmpdir.h"
#include "sample_bytes.h"
#include "pyrun.h"

TestSuite(zipw, .init = make_dir, .fini = remove_dir);

static int to_sink(void *sink, const void *p, size_t n)
{
	return dpex_sink_write(sink, p, n);
}

static int to_buf(void *buf, const void *p, size_t n)
{
	return dpex_buf_append(buf, p, n);
}

static void save(const char *name, const void *p, size_t n)
{
	char path[128];
	snprintf(path, sizeof(path), "%s/%s", dir, name);
	FILE *f = fopen(path, "wb");
	cr_assert_not_null(f);
	cr_assert_eq(fwrite(p, 1, n, f), n);
	fclose(f);
}

static const char check_py[] =
	"import io, os, sys, zipfile\n"
	"zpath = sys.argv[1]\n"
	"d = os.path.dirname(zpath)  # the archive's directory: dir\n"
	"outer = zipfile.ZipFile(zpath)\n"
	"z = zipfile.ZipFile(io.BytesIO(outer.read('inner.zip')))\n"
	"assert z.testzip() is None\n"
	"names = [i.filename for i in z.infolist()]\n"
	"assert names == ['a.txt', 'empty', 'naïve/日本.txt', 'noise.bin',\n"
	"                 'streamed.xml', 'last.txt'], names\n"
	"want = {'a.txt': b'hello ' * 1000, 'empty': b'',\n"
	"        'naïve/日本.txt': 'Zoë'.encode(), 'last.txt': b'end'}\n"
	"for n in ('noise.bin', 'streamed.xml'):\n"
	"    want[n] = open(os.path.join(d, n), 'rb').read()\n"
	"for i in z.infolist():\n"
	"    assert z.read(i) == want[i.filename], i.filename\n"
	"    assert i.compress_type == zipfile.ZIP_DEFLATED, i.filename\n"
	"    assert i.flag_bits & 0x800, i.filename  # UTF-8 name\n"
	"    streamed = i.filename == 'streamed.xml'\n"
	"    assert bool(i.flag_bits & 0x8) == streamed, i.filename\n"
	"s = z.getinfo('streamed.xml')\n"
	"assert s.file_size == len(want['streamed.xml']) > 256 * 1024\n"
	"assert s.compress_size < s.file_size / 3, s.compress_size\n"
	"print('ok')\n";

/* Whole entries between streamed ones, a streamed entry fed in pieces of
 * odd sizes past zipw's 64 KiB chunks, and the result checked by two
 * independent readers. */
Test(zipw, entries_read_back_by_zipfile_and_unzip)
{
	dpex_archive *a = open_archive("z.zip");
	dpex_sink *sink;
	cr_assert_eq(dpex_archive_member_open(a, "inner.zip", &sink), 0);
	dpex_zipw *z = NULL;
	cr_assert_eq(dpex_zipw_new(&z, to_sink, sink), 0);

	char hello[6000];
	for (int i = 0; i < 1000; i++)
		memcpy(hello + 6 * i, "hello ", 6);
	cr_assert_eq(dpex_zipw_entry(z, "a.txt", hello, sizeof(hello)), 0);
	cr_assert_eq(dpex_zipw_entry(z, "empty", "", 0), 0);
	cr_assert_eq(dpex_zipw_entry(z, "naïve/日本.txt", "Zoë", 4), 0);
	static unsigned char rnd[100000];
	noise(rnd, sizeof(rnd), 7);
	save("noise.bin", rnd, sizeof(rnd));
	cr_assert_eq(dpex_zipw_entry(z, "noise.bin", rnd, sizeof(rnd)), 0);

	size_t n = 300 * 1024;
	char *text = lines(n);
	save("streamed.xml", text, n);
	cr_assert_eq(dpex_zipw_entry_start(z, "streamed.xml"), 0);
	for (size_t off = 0, piece = 1; off < n; piece = piece * 3 + 1) {
		size_t take = piece % 70000 + 1;
		if (take > n - off)
			take = n - off;
		cr_assert_eq(dpex_zipw_write(z, text + off, take), 0);
		off += take;
	}
	cr_assert_eq(dpex_zipw_entry_end(z), 0);
	free(text);
	cr_assert_eq(dpex_zipw_entry(z, "last.txt", "end", 3), 0);
	cr_assert_eq(dpex_zipw_finish(z), 0, "%s", dpex_error_message());
	dpex_zipw_free(z);
	cr_assert_eq(dpex_sink_close(sink, -1), 0);
	char *path = NULL;
	cr_assert_eq(dpex_archive_commit(a, NULL, &path), 0, "%s",
		     dpex_error_message());
	dpex_archive_free(a);

	check_with_python(check_py, path);
	char cmd[512];
	snprintf(cmd, sizeof(cmd),
		 "cd '%s' && unzip -qo '%s' inner.zip && unzip -tq inner.zip "
		 ">/dev/null",
		 dir, path);
	cr_assert_eq(system(cmd), 0, "unzip -t failed");
	free(path);
}

static const char stored_py[] =
	"import sys, zipfile\n"
	"z = zipfile.ZipFile(sys.argv[1])\n"
	"assert z.testzip() is None\n"
	"i = {x.filename: x for x in z.infolist()}\n"
	"assert list(i) == ['inner.zip', 'notes.txt'], list(i)\n"
	"s, d = i['inner.zip'], i['notes.txt']\n"
	"assert s.compress_type == zipfile.ZIP_STORED\n"
	"assert s.compress_size == s.file_size == 5000\n"
	"assert z.read(s) == bytes(range(250)) * 20\n"
	"assert d.compress_type == zipfile.ZIP_DEFLATED\n"
	"assert z.read(d) == b'note ' * 2000\n"
	"for x in (s, d):\n"
	"    assert x.date_time == (2026, 12, 3, 14, 15, 16), x.date_time\n"
	"print('ok')\n";

/* Stored entries keep their bytes as they are, and every entry carries
 * the time set (local, as ZIP readers show it); a ZIP built in memory. */
Test(zipw, stored_entries_and_the_time_set)
{
	dpex_buf out = DPEX_BUF_INIT;
	dpex_zipw *z = NULL;
	cr_assert_eq(dpex_zipw_new(&z, to_buf, &out), 0);
	struct tm tm = {.tm_year = 126,
			.tm_mon = 11,
			.tm_mday = 3,
			.tm_hour = 14,
			.tm_min = 15,
			.tm_sec = 16,
			.tm_isdst = -1};
	dpex_zipw_set_time(z, mktime(&tm));
	unsigned char bin[5000];
	for (size_t i = 0; i < sizeof(bin); i++)
		bin[i] = (unsigned char)(i % 250);
	cr_assert_eq(dpex_zipw_stored(z, "inner.zip", bin, sizeof(bin)), 0);
	char text[10000];
	for (int i = 0; i < 2000; i++)
		memcpy(text + 5 * i, "note ", 5);
	cr_assert_eq(dpex_zipw_entry(z, "notes.txt", text, sizeof(text)), 0);
	cr_assert_eq(dpex_zipw_finish(z), 0, "%s", dpex_error_message());
	dpex_zipw_free(z);
	save("stored.zip", out.data, out.len);
	dpex_buf_free(&out);

	char path[128];
	snprintf(path, sizeof(path), "%s/stored.zip", dir);
	check_with_python(stored_py, path);
	char cmd[256];
	snprintf(cmd, sizeof(cmd), "unzip -tq '%s' >/dev/null", path);
	cr_assert_eq(system(cmd), 0, "unzip -t failed");
}

/* Without a time, or with one before ZIP's first date: 1980-01-01. */
Test(zipw, times_zip_cannot_hold_give_its_first_date)
{
	for (int set = 0; set < 2; set++) {
		dpex_buf out = DPEX_BUF_INIT;
		dpex_zipw *z = NULL;
		cr_assert_eq(dpex_zipw_new(&z, to_buf, &out), 0);
		if (set)
			dpex_zipw_set_time(z, 86400 * 365);
		cr_assert_eq(dpex_zipw_entry(z, "a", "a", 1), 0);
		cr_assert_eq(dpex_zipw_finish(z), 0);
		dpex_zipw_free(z);
		/* The local header's time and date, little-endian. */
		const unsigned char *h = (const unsigned char *)out.data;
		cr_assert_eq(h[10] | h[11] << 8, 0);
		cr_assert_eq(h[12] | h[13] << 8, (1 << 5) | 1);
		dpex_buf_free(&out);
	}
}
