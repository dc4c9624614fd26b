/* The archive: a committed ZIP that unzip and Python read back, a manifest
 * whose sizes and SHA-256 digests Python's hashlib confirms, and nothing
 * left behind in the output directory after any failure. */
#include "core/archive/archive.h"
#include "core/base/error.h"

#include <criterion/criterion.h>
#include <dirent.h>
#include <errno.h>
#include <sched.h>
#include <signal.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

/* Prints, for the ZIP in argv[1]: the manifest's keys in order, every
 * entry (name, compression, size, digest by hashlib), whether each
 * manifest line matches the bytes in the ZIP, how many distinct
 * timestamps the entries carry, and whether "big.txt" holds the lines the
 * test wrote. */
static const char reader_py[] =
	"import sys, zipfile, hashlib, json\n"
	"z = zipfile.ZipFile(sys.argv[1])\n"
	"m = json.loads(z.read('manifest.json'))\n"
	"print('keys', ' '.join(m.keys()))\n"
	"for i in z.infolist():\n"
	"    d = z.read(i.filename)\n"
	"    n, h = len(d), hashlib.sha256(d).hexdigest()\n"
	"    if i.filename == 'manifest.json': n = h = '-'\n"
	"    print(i.filename, i.compress_type, n, h, sep='|')\n"
	"for f in m['files']:\n"
	"    d = z.read(f['name'])\n"
	"    ok = f['size'] == len(d) and "
	"f['sha256'] == hashlib.sha256(d).hexdigest()\n"
	"    print('file', f['name'], f.get('rows', '-'), "
	"'ok' if ok else 'MISMATCH', sep='|')\n"
	"print('times', len({i.date_time for i in z.infolist()}))\n"
	"e = {k: v for k, v in m.items() if k != 'files'}\n"
	"print('head', json.dumps(e, sort_keys=True))\n"
	"if 'big.txt' in z.namelist():\n"
	"    want = b''.join(b'line %06d\\n' % i for i in range(30000))\n"
	"    print('big', z.read('big.txt') == want)\n";

#define TMPDIR_PREFIX "dpex-archive"
#include "tmpdir.h"
#include "pyrun.h"

TestSuite(archive, .init = make_dir, .fini = remove_dir);

/* Entries of path, except . and .., as "a b c" in sorted order. */
static char *listing(const char *path)
{
	struct dirent **names;
	int n = scandir(path, &names, NULL, alphasort);
	cr_assert_geq(n, 0, "scandir %s: %s", path, strerror(errno));
	char *out = calloc(1, 4096);
	for (int i = 0; i < n; i++) {
		if (strcmp(names[i]->d_name, ".") != 0 &&
		    strcmp(names[i]->d_name, "..") != 0) {
			if (out[0])
				strcat(out, " ");
			strncat(out, names[i]->d_name, 4000 - strlen(out));
		}
		free(names[i]);
	}
	free(names);
	return out;
}

static char *read_zip(const char *zip_path)
{
	return run_python(reader_py, zip_path);
}

static void put(dpex_sink *s, const char *text)
{
	cr_assert_eq(dpex_sink_puts(s, text), 0, "%s", dpex_error_message());
}

static dpex_archive *open_archive(bool compress)
{
	dpex_archive *a = NULL;
	dpex_archive_options opt = {
		.out_dir = dir, .name = "dpex-r1.zip", .compress = compress};
	int rc = dpex_archive_open(&a, &opt);
	cr_assert_eq(rc, 0, "%s", dpex_error_message());
	return a;
}

/* Three small members (one named with '/' and a non-ASCII letter) and a
 * large one written in uneven pieces around the 64 KiB buffer. */
static void fill(dpex_archive *a)
{
	dpex_sink *s;
	cr_assert_eq(dpex_archive_member_open(a, "data.json", &s), 0);
	put(s, "[{\"id\": 1}]\n");
	cr_assert_eq(dpex_sink_close(s, 1), 0);

	/* Two members open at once, as the CSV exporter keeps them. */
	dpex_sink *orders, *lines;
	cr_assert_eq(dpex_archive_member_open(a, "csv/orders.csv", &orders), 0);
	cr_assert_eq(
		dpex_archive_member_open(a, "csv/bestellingen-ö.csv", &lines),
		0);
	put(orders, "id,total\n");
	put(lines, "no;name\n");
	put(orders, "1,9.50\n2,-25.00\n");
	put(lines, "1;Björk\n");
	cr_assert_eq(dpex_sink_close(lines, 1), 0);
	cr_assert_eq(dpex_sink_close(orders, 2), 0);

	cr_assert_eq(dpex_archive_member_open(a, "big.txt", &s), 0);
	char line[32];
	for (int i = 0; i < 30000; i++) {
		snprintf(line, sizeof(line), "line %06d\n", i);
		/* Every 1000th line in one piece of 70,000 bytes or more,
		 * the others byte by byte or whole. */
		if (i % 1000 == 0 && i + 6000 <= 30000) {
			static char chunk[80000];
			size_t n = 0;
			for (int k = 0; k < 6000; k++, i++)
				n += (size_t)snprintf(chunk + n,
						      sizeof(chunk) - n,
						      "line %06d\n", i);
			i--;
			cr_assert_eq(dpex_sink_write(s, chunk, n), 0);
		} else if (i % 2) {
			for (size_t k = 0; k < strlen(line); k++)
				cr_assert_eq(dpex_sink_write(s, line + k, 1),
					     0);
		} else {
			put(s, line);
		}
	}
	cr_assert_eq(dpex_sink_close(s, -1), 0);
}

static json_t *extra(void)
{
	return json_pack("{s:s, s:s, s:{s:[s]}}", "request_id", "r1",
			 "created_at", "2026-11-22T03:05:53Z", "subject",
			 "email", "anna@example.org");
}

static char *commit(dpex_archive *a)
{
	json_t *e = extra();
	char *final = NULL;
	int rc = dpex_archive_commit(a, e, &final);
	json_decref(e);
	cr_assert_eq(rc, 0, "%s", dpex_error_message());
	return final;
}

Test(archive, commit_writes_zip_and_manifest)
{
	dpex_archive *a = open_archive(true);
	fill(a);
	char *final = commit(a);
	dpex_archive_free(a);

	char want[128];
	snprintf(want, sizeof(want), "%s/dpex-r1.zip", dir);
	cr_assert_str_eq(final, want);
	/* Nothing but the archive: no spool, no temporary ZIP. */
	char *ls = listing(dir);
	cr_assert_str_eq(ls, "dpex-r1.zip");
	free(ls);
	struct stat st;
	cr_assert_eq(stat(final, &st), 0);
	cr_assert_eq(st.st_mode & 0777, 0600, "mode %o", st.st_mode & 0777);

	int status;
	char *t = capture(&status, "unzip -tq '%s' 2>&1", final);
	cr_assert_eq(status, 0, "unzip -t: %s", t);
	free(t);

	char *out = read_zip(final);
	cr_assert_str_eq(
		out,
		"keys format format_version engine request_id created_at "
		"subject files\n"
		"data.json|8|12|8eafc3cd0e0cf85c9cf797a1c47c9ff16f850809cea9b9"
		"ffcb4dd0a39270edc4\n"
		"csv/orders.csv|8|25|97fd235ecf7b361002ca793adb444c2dba040150d"
		"f008b803f458e06fc544145\n"
		"csv/bestellingen-ö.csv|8|17|1d90b38b1770be80584ec846c8eb53b0a"
		"1bad8a04194bc76355190fcade26982\n"
		"big.txt|8|360000|20101ab76aeed06826f6ea33932367746a24bae1ada80"
		"28d0d47db5a2f7f556e\n"
		"manifest.json|8|-|-\n"
		"file|data.json|1|ok\n"
		"file|csv/orders.csv|2|ok\n"
		"file|csv/bestellingen-ö.csv|1|ok\n"
		"file|big.txt|-|ok\n"
		"times 1\n"
		"head {\"created_at\": \"2026-11-22T03:05:53Z\", \"engine\": "
		"{\"name\": \"dpex\", \"version\": \"" DPEX_VERSION "\"}, "
		"\"format\": \"dpex-manifest\", \"format_version\": 1, "
		"\"request_id\": \"r1\", \"subject\": {\"email\": "
		"[\"anna@example.org\"]}}\n"
		"big True\n");
	free(out);
	free(final);
}

Test(archive, stored_members_keep_order)
{
	dpex_archive *a = open_archive(false);
	dpex_sink *s;
	const char *names[] = {"z.json", "a/b/c.csv", "m.csv"};
	for (int i = 0; i < 3; i++) {
		cr_assert_eq(dpex_archive_member_open(a, names[i], &s), 0);
		put(s, "x\n");
		cr_assert_eq(dpex_sink_close(s, 0), 0);
	}
	char *final = commit(a);
	dpex_archive_free(a);
	int status;
	char *out = capture(&status,
			    "/usr/bin/python3 -c 'import sys, zipfile\n"
			    "for i in zipfile.ZipFile(sys.argv[1]).infolist():"
			    " print(i.filename, i.compress_type)' '%s'",
			    final);
	cr_assert_eq(status, 0);
	/* compress_type 0 is ZIP_STORED; rows 0 is kept, unlike -1. */
	cr_assert_str_eq(out, "z.json 0\na/b/c.csv 0\nm.csv 0\n"
			      "manifest.json 0\n");
	free(out);
	out = capture(&status, "unzip -p '%s' manifest.json", final);
	cr_assert(strstr(out, "\"name\": \"m.csv\",\n      \"size\": 2,\n"
			      "      \"rows\": 0,\n"),
		  "%s", out);
	free(out);
	free(final);
}

Test(archive, missing_out_dir_is_refused)
{
	char missing[128];
	snprintf(missing, sizeof(missing), "%s/nope", dir);
	dpex_archive *a = (dpex_archive *)1;
	dpex_archive_options opt = {.out_dir = missing, .name = "x.zip"};
	cr_assert_eq(dpex_archive_open(&a, &opt), DPEX_EOUTPUT);
	cr_assert_null(a);
	char want[256];
	snprintf(want, sizeof(want),
		 "output directory \"%s\" does not exist: create it or "
		 "choose another with --out",
		 missing);
	cr_assert_str_eq(dpex_error_message(), want);
}

Test(archive, out_dir_that_is_a_file_is_refused)
{
	char file[128];
	snprintf(file, sizeof(file), "%s/plain", dir);
	FILE *f = fopen(file, "w");
	fclose(f);
	dpex_archive *a = NULL;
	dpex_archive_options opt = {.out_dir = file, .name = "x.zip"};
	cr_assert_eq(dpex_archive_open(&a, &opt), DPEX_EOUTPUT);
	char want[256];
	snprintf(want, sizeof(want),
		 "output directory \"%s\" is not a directory: choose another "
		 "with --out",
		 file);
	cr_assert_str_eq(dpex_error_message(), want);
}

/* access(2) lets root write anywhere, so as root the check runs with the
 * real and effective user switched to nobody (the saved one stays root, to
 * switch back and let the suite remove the directory). */
Test(archive, read_only_out_dir_is_refused)
{
	char ro[128];
	snprintf(ro, sizeof(ro), "%s/ro", dir);
	cr_assert_eq(mkdir(ro, 0555), 0);
	bool root = geteuid() == 0;
	cr_assert_eq(chmod(dir, 0755), 0);
	if (root)
		cr_assert_eq(setresuid(65534, 65534, 0), 0, "%s",
			     strerror(errno));
	dpex_archive *a = NULL;
	dpex_archive_options opt = {.out_dir = ro, .name = "x.zip"};
	int rc = dpex_archive_open(&a, &opt);
	if (root)
		cr_assert_eq(setresuid(0, 0, 0), 0);
	cr_assert_eq(rc, DPEX_EOUTPUT);
	char want[256];
	snprintf(want, sizeof(want),
		 "output directory \"%s\" is not writable: grant write "
		 "permission or choose another with --out",
		 ro);
	cr_assert_str_eq(dpex_error_message(), want);
}

Test(archive, existing_archive_is_never_overwritten)
{
	char path[128];
	snprintf(path, sizeof(path), "%s/dpex-r1.zip", dir);
	FILE *f = fopen(path, "w");
	fputs("earlier answer", f);
	fclose(f);
	dpex_archive *a = NULL;
	dpex_archive_options opt = {.out_dir = dir, .name = "dpex-r1.zip"};
	cr_assert_eq(dpex_archive_open(&a, &opt), DPEX_EOUTPUT);
	char want[256];
	snprintf(want, sizeof(want),
		 "archive \"%s\" already exists: dpex never overwrites an "
		 "archive; move it away or choose another with --out",
		 path);
	cr_assert_str_eq(dpex_error_message(), want);
	char *ls = listing(dir);
	cr_assert_str_eq(ls, "dpex-r1.zip");
	free(ls);
}

/* The same file appearing while the export runs. */
Test(archive, archive_appearing_before_commit_is_kept)
{
	dpex_archive *a = open_archive(true);
	fill(a);
	char path[128];
	snprintf(path, sizeof(path), "%s/dpex-r1.zip", dir);
	FILE *f = fopen(path, "w");
	fputs("earlier answer", f);
	fclose(f);
	char *final = (char *)1;
	cr_assert_eq(dpex_archive_commit(a, NULL, &final), DPEX_EOUTPUT);
	cr_assert_null(final);
	cr_assert(strstr(dpex_error_message(), "already exists"), "%s",
		  dpex_error_message());
	dpex_archive_free(a);
	char *ls = listing(dir);
	cr_assert_str_eq(ls, "dpex-r1.zip");
	free(ls);
	int status;
	char *body = capture(&status, "cat '%s'", path);
	cr_assert_str_eq(body, "earlier answer");
	free(body);
}

Test(archive, uncommitted_archive_leaves_nothing)
{
	dpex_archive *a = open_archive(true);
	char *ls = listing(dir);
	cr_assert(strncmp(ls, ".dpex-spool-", 12) == 0, "%s", ls);
	free(ls);
	fill(a);
	/* A sink left open, a file an exporter made in the spool and never
	 * removed: an export that failed half-way. */
	dpex_sink *s;
	cr_assert_eq(dpex_archive_member_open(a, "csv/half.csv", &s), 0);
	put(s, "id\n1\n");
	char path[256];
	snprintf(path, sizeof(path), "%s/stray.xlsx",
		 dpex_archive_spool_dir(a));
	FILE *f = fopen(path, "w");
	fputs("PK", f);
	fclose(f);
	dpex_archive_free(a);
	ls = listing(dir);
	cr_assert_str_eq(ls, "");
	free(ls);
	dpex_archive_free(NULL);
}

Test(archive, xlsx_member_is_stored)
{
	dpex_archive *a = open_archive(true);
	dpex_sink *s;
	cr_assert_eq(dpex_archive_member_open(a, "data.xlsx", &s), 0);
	put(s, "spooled by hand\n");
	cr_assert_eq(dpex_sink_close(s, 7), 0, "%s", dpex_error_message());
	char *final = commit(a);
	dpex_archive_free(a);
	char *out = read_zip(final);
	/* An .xlsx member is a ZIP already: stored even in a deflated
	 * archive. */
	cr_assert(strstr(out, "data.xlsx|0|16|58c32e629f05e0937240642a4dbc89d7"
			      "9b2d977bc1f6f81a27468333508e57e1\n"),
		  "%s", out);
	cr_assert(strstr(out, "file|data.xlsx|7|ok\n"), "%s", out);
	free(out);
	free(final);
	char *ls = listing(dir);
	cr_assert_str_eq(ls, "dpex-r1.zip");
	free(ls);
}

Test(archive, unsafe_member_names_are_refused)
{
	dpex_archive *a = open_archive(true);
	dpex_sink *s;
	cr_assert_eq(dpex_archive_member_open(a, "csv/a.csv", &s), 0);
	cr_assert_eq(dpex_sink_close(s, 0), 0);
	const char *bad[] = {"",	   "/etc/passwd",   "../up.csv",
			     "csv/../x",   "csv//x",	    "csv/",
			     "a\\b",	   "manifest.json", "csv/a.csv",
			     "bad\xff.csv"};
	for (size_t i = 0; i < sizeof(bad) / sizeof(*bad); i++) {
		s = (dpex_sink *)1;
		cr_assert_eq(dpex_archive_member_open(a, bad[i], &s),
			     DPEX_EUSAGE, "%s", bad[i]);
		cr_assert_null(s);
	}
	cr_assert_str_eq(dpex_error_message(),
			 "archive member \"bad\xff.csv\" is refused: it is not "
			 "valid UTF-8");
	dpex_archive_free(a);
}

Test(archive, unfinished_member_fails_commit)
{
	dpex_archive *a = open_archive(true);
	dpex_sink *s;
	cr_assert_eq(dpex_archive_member_open(a, "csv/a.csv", &s), 0);
	char *final = NULL;
	cr_assert_eq(dpex_archive_commit(a, NULL, &final), DPEX_EINTERNAL);
	cr_assert_str_eq(dpex_error_message(),
			 "archive member \"csv/a.csv\" was not finished");
	dpex_archive_free(a);
	char *ls = listing(dir);
	cr_assert_str_eq(ls, "");
	free(ls);
}

Test(archive, reserved_manifest_key_fails_commit)
{
	dpex_archive *a = open_archive(true);
	json_t *e = json_pack("{s:s, s:[]}", "request_id", "r1", "files");
	char *final = NULL;
	cr_assert_eq(dpex_archive_commit(a, e, &final), DPEX_EUSAGE);
	json_decref(e);
	cr_assert_str_eq(dpex_error_message(),
			 "manifest key \"files\" is written by the archive");
	dpex_archive_free(a);
	char *ls = listing(dir);
	cr_assert_str_eq(ls, "");
	free(ls);
}

/* A write that fails in the middle of a member (here: the file size limit,
 * which every user may lower) is reported with the member and the reason,
 * and freeing the archive removes everything. */
Test(archive, failed_write_is_reported_and_cleaned)
{
	dpex_archive *a = open_archive(true);
	signal(SIGXFSZ, SIG_IGN);
	struct rlimit rl = {.rlim_cur = 100000, .rlim_max = RLIM_INFINITY};
	cr_assert_eq(setrlimit(RLIMIT_FSIZE, &rl), 0);
	dpex_sink *s;
	cr_assert_eq(dpex_archive_member_open(a, "csv/big.csv", &s), 0);
	/* Noise: a spilled member is deflated on its way to the spool file,
	 * and these bytes do not shrink. */
	char line[64];
	uint32_t x = 1;
	int rc = 0;
	for (int i = 0; i < 10000 && !rc; i++) {
		for (size_t k = 0; k < sizeof(line); k++)
			line[k] = (char)((x = x * 1103515245u + 12345u) >> 24);
		rc = dpex_sink_write(s, line, sizeof(line));
	}
	cr_assert_eq(rc, DPEX_EOUTPUT);
	char want[256];
	snprintf(want, sizeof(want),
		 "writing csv/big.csv in %s: File too large", dir);
	cr_assert_str_eq(dpex_error_message(), want);
	/* The sink stays failed: later writes and the close say so too. */
	dpex_error_clear();
	cr_assert_eq(dpex_sink_write(s, "y", 1), DPEX_EOUTPUT);
	cr_assert_str_eq(dpex_error_message(), want);
	cr_assert_eq(dpex_sink_close(s, 1), DPEX_EOUTPUT);
	char *final = NULL;
	cr_assert_eq(dpex_archive_commit(a, NULL, &final), DPEX_EINTERNAL);
	dpex_archive_free(a);
	char *ls = listing(dir);
	cr_assert_str_eq(ls, "");
	free(ls);
}

/* A full disk, for real: a 1 MiB tmpfs in a private mount namespace (needs
 * CAP_SYS_ADMIN; skipped without it). The members fit, the ZIP does not:
 * zip_close fails, and the temporary ZIP and the spool are removed. */
Test(archive, full_disk_fails_commit_and_cleans)
{
	if (unshare(CLONE_NEWNS) != 0 ||
	    mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) != 0 ||
	    mount("tmpfs", dir, "tmpfs", 0, "size=1m,mode=0700") != 0) {
		int err = errno;
		remove_dir(); /* a skipped test gets no .fini */
		cr_skip_test("cannot mount a tmpfs here: %s", strerror(err));
	}
	dpex_archive *a = open_archive(false);
	static char block[400 * 1024];
	memset(block, 'z', sizeof(block));
	dpex_sink *s;
	cr_assert_eq(dpex_archive_member_open(a, "one.bin", &s), 0);
	cr_assert_eq(dpex_sink_write(s, block, sizeof(block)), 0);
	cr_assert_eq(dpex_sink_close(s, -1), 0);
	cr_assert_eq(dpex_archive_member_open(a, "two.bin", &s), 0);
	cr_assert_eq(dpex_sink_write(s, block, sizeof(block)), 0);
	cr_assert_eq(dpex_sink_close(s, -1), 0);
	char *final = NULL;
	cr_assert_eq(dpex_archive_commit(a, NULL, &final), DPEX_EOUTPUT);
	char want[256];
	snprintf(want, sizeof(want), "writing dpex-r1.zip in %s: ", dir);
	cr_assert(
		strncmp(dpex_error_message(), want, strlen(want)) == 0 &&
			strstr(dpex_error_message(), "No space left on device"),
		"%s", dpex_error_message());
	char *ls = listing(dir);
	cr_assert(strncmp(ls, ".dpex-spool-", 12) == 0 && !strchr(ls, ' '),
		  "%s", ls);
	free(ls);
	dpex_archive_free(a);
	ls = listing(dir);
	cr_assert_str_eq(ls, "");
	free(ls);

	/* A member that does not fit: the exact message a user sees. */
	a = open_archive(false);
	cr_assert_eq(dpex_archive_member_open(a, "csv/big.csv", &s), 0);
	int rc = 0;
	for (int i = 0; i < 4 && !rc; i++)
		rc = dpex_sink_write(s, block, sizeof(block));
	cr_assert_eq(rc, DPEX_EOUTPUT);
	snprintf(want, sizeof(want),
		 "writing csv/big.csv in %s: No space left on device", dir);
	cr_assert_str_eq(dpex_error_message(), want);
	dpex_archive_free(a);
	ls = listing(dir);
	cr_assert_str_eq(ls, "");
	free(ls);
	umount(dir);
}

/* Bulk: committed under a hidden name beside the final one, published by a
 * rename that never replaces a file. Both ZIP paths: fill() spools its
 * large member, the second archive is built in memory. */
Test(archive, unpublished_archive_waits_hidden_until_published)
{
	dpex_archive *a = NULL;
	dpex_archive_options opt = {.out_dir = dir,
				    .name = "dpex-r1.zip",
				    .compress = true,
				    .unpublished = true};
	cr_assert_eq(dpex_archive_open(&a, &opt), 0, "%s",
		     dpex_error_message());
	fill(a);
	char *hidden = commit(a);
	dpex_archive_free(a);
	char want[256], final[128];
	snprintf(want, sizeof(want), "%s/.dpex-r1.zip.tmp", dir);
	snprintf(final, sizeof(final), "%s/dpex-r1.zip", dir);
	cr_assert_str_eq(hidden, want);
	char *ls = listing(dir);
	cr_expect_str_eq(ls, ".dpex-r1.zip.tmp");
	free(ls);
	int status;
	char *t = capture(&status, "unzip -tq '%s' 2>&1", hidden);
	cr_expect_eq(status, 0, "unzip -t: %s", t);
	free(t);
	cr_assert_eq(dpex_archive_publish(hidden, final), 0, "%s",
		     dpex_error_message());
	ls = listing(dir);
	cr_expect_str_eq(ls, "dpex-r1.zip");
	free(ls);
	free(hidden);

	/* A second one, small, may not take the first one's name. */
	opt.name = "dpex-r2.zip";
	cr_assert_eq(dpex_archive_open(&a, &opt), 0);
	dpex_sink *s;
	cr_assert_eq(dpex_archive_member_open(a, "data.json", &s), 0);
	put(s, "[]\n");
	cr_assert_eq(dpex_sink_close(s, 0), 0);
	hidden = commit(a);
	dpex_archive_free(a);
	cr_expect_eq(dpex_archive_publish(hidden, final), DPEX_EOUTPUT);
	snprintf(want, sizeof(want),
		 "archive \"%s\" already exists: dpex never overwrites an "
		 "archive",
		 final);
	cr_expect_str_eq(dpex_error_message(), want);
	ls = listing(dir);
	cr_expect_str_eq(ls, ".dpex-r2.zip.tmp dpex-r1.zip");
	free(ls);
	unlink(hidden);
	free(hidden);
}

/* bulk's summary gives each archive's SHA-256 and size from the archive
 * module, taken as the ZIP was written: they must be those of the file,
 * for a ZIP built in memory and for one libzip streams from the spool. */
Test(archive, digest_is_that_of_the_file_written)
{
	for (int large = 0; large <= 1; large++) {
		dpex_archive *a = open_archive(true);
		if (large) {
			fill(a); /* big.txt goes to the spool */
		} else {
			dpex_sink *s;
			cr_assert_eq(
				dpex_archive_member_open(a, "data.json", &s),
				0);
			put(s, "{\"small\": true}\n");
			cr_assert_eq(dpex_sink_close(s, 1), 0);
		}
		char *final = commit(a);
		char sha[65];
		long long size = -1;
		dpex_archive_digest(a, sha, &size);
		dpex_archive_free(a);
		int status;
		char *want =
			capture(&status, "sha256sum '%s' | cut -c1-64", final);
		cr_assert_eq(status, 0);
		want[strcspn(want, "\n")] = '\0';
		cr_expect_str_eq(sha, want, "large %d", large);
		struct stat st;
		cr_assert_eq(stat(final, &st), 0);
		cr_expect_eq(size, (long long)st.st_size, "large %d", large);
		free(want);
		unlink(final);
		free(final);
	}
}
