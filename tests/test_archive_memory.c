/* Small archives are built in memory (core/archive/archive.c: a member up to
 * 256 KiB, an archive's members up to 1 MiB): the ZIP holds the same bytes
 * as one built from spool files, a member that outgrows the caps moves to a
 * file without losing a byte (deflated on the way), and a full disk still fails
 * the commit with the usual message and leaves nothing behind. */
#include "core/archive/archive.h"
#include "core/base/error.h"

#include <criterion/criterion.h>
#include <dirent.h>
#include <errno.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <unistd.h>

#define TMPDIR_PREFIX "dpex-archmem"
#include "tmpdir.h"

TestSuite(archive_memory, .init = make_dir, .fini = remove_dir);

/* Entries of dir, except . and .., separated by spaces, sorted. */
static char *listing(void)
{
	struct dirent **names;
	int n = scandir(dir, &names, NULL, alphasort);
	cr_assert_geq(n, 0);
	char *out = calloc(1, 4096);
	for (int i = 0; i < n; i++) {
		if (strcmp(names[i]->d_name, ".") &&
		    strcmp(names[i]->d_name, "..")) {
			if (out[0])
				strcat(out, " ");
			strncat(out, names[i]->d_name, 4000 - strlen(out));
		}
		free(names[i]);
	}
	free(names);
	return out;
}

/* spool: a borrowed spool directory (bulk's), or NULL for the archive's
 * own. */
static dpex_archive *open_archive(bool compress, const char *spool)
{
	dpex_archive *a = NULL;
	dpex_archive_options opt = {.out_dir = dir,
				    .name = "dpex-m.zip",
				    .compress = compress,
				    .spool_dir = spool};
	cr_assert_eq(dpex_archive_open(&a, &opt), 0, "%s",
		     dpex_error_message());
	return a;
}

/* Member name: n bytes, byte k being 'a' + (k * 7 + seed) % 26. */
static void add(dpex_archive *a, const char *name, size_t n, int seed)
{
	dpex_sink *s;
	cr_assert_eq(dpex_archive_member_open(a, name, &s), 0);
	char piece[1000];
	for (size_t k = 0; k < n;) {
		size_t m = n - k < sizeof(piece) ? n - k : sizeof(piece);
		for (size_t j = 0; j < m; j++)
			piece[j] =
				(char)('a' + ((k + j) * 7 + (size_t)seed) % 26);
		cr_assert_eq(dpex_sink_write(s, piece, m), 0, "%s",
			     dpex_error_message());
		k += m;
	}
	cr_assert_eq(dpex_sink_close(s, -1), 0, "%s", dpex_error_message());
}

/* Python checks every member's bytes and the manifest's size and digest. */
static void check(const char *spec)
{
	char cmd[1024];
	snprintf(cmd, sizeof(cmd),
		 "/usr/bin/python3 -c '\n"
		 "import sys, zipfile, json, hashlib\n"
		 "z = zipfile.ZipFile(sys.argv[1])\n"
		 "m = {f[\"name\"]: f for f in "
		 "json.loads(z.read(\"manifest.json\"))[\"files\"]}\n"
		 "for spec in sys.argv[2].split():\n"
		 "    name, n, seed = spec.split(\":\")\n"
		 "    n, seed = int(n), int(seed)\n"
		 "    want = bytes(97 + (k * 7 + seed) %% 26 for k in "
		 "range(n))\n"
		 "    d = z.read(name)\n"
		 "    assert d == want, name\n"
		 "    assert m[name][\"size\"] == n and m[name][\"sha256\"] == "
		 "hashlib.sha256(d).hexdigest(), name\n"
		 "assert len(m) == len(sys.argv[2].split())\n"
		 "' '%s/dpex-m.zip' '%s' && unzip -tq '%s/dpex-m.zip' "
		 ">/dev/null",
		 dir, spec, dir);
	cr_assert_eq(system(cmd), 0, "%s", cmd);
}

static void commit(dpex_archive *a)
{
	char *final = NULL;
	cr_assert_eq(dpex_archive_commit(a, NULL, &final), 0, "%s",
		     dpex_error_message());
	free(final);
	dpex_archive_free(a);
	char *ls = listing();
	cr_assert_str_eq(ls, "dpex-m.zip");
	free(ls);
}

/* All in memory, empty member included. */
Test(archive_memory, small_members)
{
	dpex_archive *a = open_archive(true, NULL);
	add(a, "data.json", 5000, 1);
	add(a, "csv/empty.csv", 0, 0);
	add(a, "csv/at-cap.csv", 256 * 1024, 2);
	commit(a);
	check("data.json:5000:1 csv/empty.csv:0:0 csv/at-cap.csv:262144:2");
}

/* One member past its cap, then members past the archive's cap: they go
 * to spool files, the ones before stay in memory, every byte arrives. */
Test(archive_memory, members_past_the_caps)
{
	dpex_archive *a = open_archive(false, NULL);
	add(a, "one.txt", 256 * 1024 + 1, 3);
	for (int i = 0; i < 6; i++) {
		char name[16];
		snprintf(name, sizeof(name), "m%d.txt", i);
		add(a, name, 200 * 1024, i);
	}
	commit(a);
	check("one.txt:262145:3 m0.txt:204800:0 m1.txt:204800:1 "
	      "m2.txt:204800:2 m3.txt:204800:3 m4.txt:204800:4 "
	      "m5.txt:204800:5");
}

/* A borrowed spool (bulk's, one a worker) keeps the files of the members
 * that went to it, emptied, and the next archive writes into them again:
 * removing them would slow down creating files (core/archive/archive.c). Each
 * archive gets its own bytes, none of the one before. */
Test(archive_memory, borrowed_spool_keeps_its_files_emptied)
{
	char spool[512], part[600];
	snprintf(spool, sizeof(spool), "%s/spool", dir);
	snprintf(part, sizeof(part), "%s/0.part", spool);
	cr_assert_eq(mkdir(spool, 0700), 0);
	for (int round = 0; round < 2; round++) {
		dpex_archive *a = open_archive(round == 0, spool);
		add(a, "big.txt", 300 * 1024 + (size_t)round, 5 + round);
		add(a, "small.txt", 100, round);
		char *final = NULL;
		cr_assert_eq(dpex_archive_commit(a, NULL, &final), 0, "%s",
			     dpex_error_message());
		free(final);
		dpex_archive_free(a);
		struct stat st;
		cr_assert_eq(stat(part, &st), 0, "round %d: kept", round);
		cr_expect_eq(st.st_size, 0, "round %d: emptied", round);
		char spec[64];
		snprintf(spec, sizeof(spec), "big.txt:%d:%d small.txt:100:%d",
			 300 * 1024 + round, 5 + round, round);
		check(spec);
		char old[600];
		snprintf(old, sizeof(old), "%s/dpex-m.zip", dir);
		cr_assert_eq(unlink(old), 0);
	}
}

/* A member past the caps that is to be deflated is deflated as it goes to
 * its spool file, which then holds a fraction of its bytes, and reaches
 * the ZIP intact; an XLSX member (a ZIP already) is spooled and stored as
 * it is. */
Test(archive_memory, spilled_member_is_deflated_in_its_spool_file)
{
	char spool[512], part[600];
	snprintf(spool, sizeof(spool), "%s/spool", dir);
	cr_assert_eq(mkdir(spool, 0700), 0);
	dpex_archive *a = open_archive(true, spool);
	add(a, "big.txt", 600 * 1024 + 3, 4);
	add(a, "data.xlsx", 300 * 1024, 6);
	struct stat st;
	snprintf(part, sizeof(part), "%s/0.part", spool);
	cr_assert_eq(stat(part, &st), 0);
	cr_expect_lt(st.st_size, 600 * 1024 / 20, "deflated: %lld bytes",
		     (long long)st.st_size);
	snprintf(part, sizeof(part), "%s/1.part", spool);
	cr_assert_eq(stat(part, &st), 0);
	cr_expect_eq(st.st_size, 300 * 1024, "stored as it is");
	char *final = NULL;
	cr_assert_eq(dpex_archive_commit(a, NULL, &final), 0, "%s",
		     dpex_error_message());
	free(final);
	dpex_archive_free(a);
	check("big.txt:614403:4 data.xlsx:307200:6");
	char cmd[1024];
	snprintf(cmd, sizeof(cmd),
		 "/usr/bin/python3 -c '\n"
		 "import sys, zipfile\n"
		 "z = zipfile.ZipFile(sys.argv[1])\n"
		 "t, x = z.getinfo(\"big.txt\"), z.getinfo(\"data.xlsx\")\n"
		 "assert t.compress_type == zipfile.ZIP_DEFLATED\n"
		 "assert t.compress_size < t.file_size / 20\n"
		 "assert x.compress_type == zipfile.ZIP_STORED\n"
		 "' '%s/dpex-m.zip'",
		 dir);
	cr_assert_eq(system(cmd), 0, "%s", cmd);
}

/* A ZIP built in memory that does not fit on the disk: a 1 MiB tmpfs in a
 * private mount namespace (needs CAP_SYS_ADMIN; skipped without it). */
Test(archive_memory, full_disk_fails_commit_and_cleans)
{
	if (unshare(CLONE_NEWNS) != 0 ||
	    mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) != 0 ||
	    mount("tmpfs", dir, "tmpfs", 0, "size=1m,mode=0700") != 0) {
		int err = errno;
		remove_dir(); /* a skipped test gets no .fini */
		cr_skip_test("cannot mount a tmpfs here: %s", strerror(err));
	}
	dpex_archive *a = open_archive(false, NULL);
	for (int i = 0; i < 4; i++) {
		char name[16];
		snprintf(name, sizeof(name), "m%d.txt", i);
		add(a, name, 256 * 1024, i);
	}
	char *final = NULL;
	cr_assert_eq(dpex_archive_commit(a, NULL, &final), DPEX_EOUTPUT);
	char want[256];
	snprintf(want, sizeof(want),
		 "writing dpex-m.zip in %s: No space left on device", dir);
	cr_assert_str_eq(dpex_error_message(), want);
	dpex_archive_free(a);
	char *ls = listing();
	cr_assert_str_eq(ls, "");
	free(ls);
	umount(dir);
}
