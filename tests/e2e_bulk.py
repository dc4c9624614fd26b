#!/usr/bin/python3
"""End to end: dpex bulk against the sample estate.

Bulk archives are compared with single `dpex export` runs of the same
subjects (data.json rows, CSV bytes, XLSX cells, manifest rows and the
SHA-256 of CSV members); runs are killed (SIGKILL, SIGINT) and resumed; the
database is changed while a run is paused and the archives must not see
it; a source going down stops the run with exit 4 and a resumable journal.

Needs: DPEX_BIN, DPEX_MAP, and the libpq variables of a cluster loaded by
scripts/gen-sample (300 customers).
"""
import concurrent.futures
import csv
import ctypes
import glob
import json
import mmap
import os
import re
import signal
import subprocess
import sys
import tempfile
import time
import unittest
import zipfile

import openpyxl
import psycopg2

DPEX = os.environ["DPEX_BIN"]
MAP = os.environ["DPEX_MAP"]
SASKIA = "saskia.vandenberg@example.nl"


def dpex(*args, **kw):
    return subprocess.run([DPEX, *args], capture_output=True, text=True, **kw)


def db(name):
    conn = psycopg2.connect(dbname=name)
    conn.autocommit = True
    return conn


def sql(dbname, statement, params=()):
    with db(dbname) as conn, conn.cursor() as cur:
        cur.execute(statement, params)
        return cur.fetchall() if cur.description else None


def customer_ids():
    return [r[0] for r in sql("crm", "SELECT id FROM customers ORDER BY id")]


def summary(out):
    with open(os.path.join(out, "summary.csv"), newline="",
              encoding="utf-8") as f:
        return list(csv.DictReader(f))


def final_archives(out):
    return sorted(glob.glob(os.path.join(out, "??", "dpex-*.zip")))


def leftovers(out):
    """Temporary files a run may leave only while it runs."""
    return sorted(glob.glob(os.path.join(out, "??", ".dpex-*")))


# What the cover pages say that depends on when and how an archive was made:
# the time (English), the files' sizes (the xlsx holds a time too), and
# the spaces that align a README.txt column of sizes.
MADE_AT = re.compile(r"\d{1,2}\s[A-Z][a-z]+ \d{4} at \d\d:\d\d UTC")
SIZE = re.compile(r"\d+(\.\d)?\s(B|kB|MB|GB)\b")


def page(text, request_id):
    text = MADE_AT.sub("(time)", text.replace(request_id, "(request id)"))
    return re.sub(r" +", " ", SIZE.sub("(size)", text))


def content(path):
    """What must not depend on how an archive was made: everything but the
    request id and the times."""
    with zipfile.ZipFile(path) as z:
        assert z.testzip() is None, path
        names = z.namelist()
        manifest = json.loads(z.read("manifest.json"))
        about = json.loads(z.read("about.json"))
        about.pop("request_id")
        rid = manifest["request_id"]
        pages = {n: page(z.read(n).decode(), rid)
                 for n in ("index.html", "README.txt")}
        data = json.loads(z.read("data.json")) if "data.json" in names else None
        if data:
            data.pop("request_id")
            data.pop("exported_at")
        members = {}
        for f in manifest["files"]:
            entry = {"rows": f.get("rows")}
            if f["name"].startswith("csv/"):
                entry["sha256"] = f["sha256"]
                entry["size"] = f["size"]
            members[f["name"]] = entry
        csvs = {n: z.read(n) for n in names if n.startswith("csv/")}
        return {
            "names": names,
            "data": data,
            "csv": csvs,
            "members": members,
            "about": about,
            "pages": pages,
            "manifest": {k: v for k, v in manifest.items()
                         if k not in ("request_id", "created_at", "files")},
        }


def xlsx_cells(path):
    with zipfile.ZipFile(path) as z, tempfile.NamedTemporaryFile(
            suffix=".xlsx") as t:
        t.write(z.read("data.xlsx"))
        t.flush()
        wb = openpyxl.load_workbook(t.name, read_only=True)
        cells = {ws.title: [list(r) for r in ws.iter_rows(values_only=True)]
                 for ws in wb.worksheets}
        wb.close()
        return cells


def single_export(subject, out):
    r = dpex("export", "--map", MAP, "--subject", subject, "--out", out,
             "--quiet")
    if r.returncode != 0:
        raise AssertionError("dpex export %s: %s" % (subject, r.stderr))
    return r.stdout.strip()


def start_bulk(out, subjects_args, *extra):
    return subprocess.Popen(
        [DPEX, "bulk", "--map", MAP, *subjects_args, "--out", out,
         "--progress=json", *extra],
        stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)


def journal_entries(out):
    """Lines of OUT/journal.tsv after its header: finished subjects."""
    try:
        with open(os.path.join(out, "journal.tsv")) as f:
            return max(0, sum(1 for _ in f) - 1)
    except FileNotFoundError:
        return 0


def wait_done(proc, at_least):
    """Reads progress lines until at_least subjects are done; the line."""
    for line in proc.stderr:
        if line.startswith("{"):
            p = json.loads(line)
            if p["done"] >= at_least or p["event"] == "end":
                return p
    raise AssertionError("the run ended before %d subjects" % at_least)


def filesystem_type(path):
    return subprocess.run(["stat", "-f", "-c", "%T", path], check=True,
                          capture_output=True, text=True).stdout.strip()


def resident_pages(path):
    """(pages of path in the page cache, pages in all), by mincore(2)."""
    libc = ctypes.CDLL(None, use_errno=True)
    libc.mmap.restype = ctypes.c_void_p
    libc.mmap.argtypes = [ctypes.c_void_p, ctypes.c_size_t, ctypes.c_int,
                          ctypes.c_int, ctypes.c_int, ctypes.c_long]
    libc.munmap.argtypes = [ctypes.c_void_p, ctypes.c_size_t]
    libc.mincore.argtypes = [ctypes.c_void_p, ctypes.c_size_t,
                             ctypes.c_char_p]
    size = os.path.getsize(path)
    total = (size + mmap.PAGESIZE - 1) // mmap.PAGESIZE
    fd = os.open(path, os.O_RDONLY)
    try:
        addr = libc.mmap(None, size, mmap.PROT_READ, mmap.MAP_SHARED, fd, 0)
        if addr in (None, ctypes.c_void_p(-1).value):
            raise OSError(ctypes.get_errno(), "mmap " + path)
        vec = ctypes.create_string_buffer(total)
        rc = libc.mincore(addr, size, vec)
        libc.munmap(addr, size)
        if rc != 0:
            raise OSError(ctypes.get_errno(), "mincore " + path)
    finally:
        os.close(fd)
    return sum(b & 1 for b in vec.raw), total


class Bulk(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.tmp = tempfile.TemporaryDirectory()
        cls.ids = customer_ids()
        assert len(cls.ids) >= 200, "the sample estate has too few customers"
        cls.subjects = os.path.join(cls.tmp.name, "subjects.txt")
        with open(cls.subjects, "w") as f:
            f.write("# every customer\n")
            for i in cls.ids:
                f.write("customer_id=%d\n" % i)
        # The reference: one uninterrupted bulk run.
        cls.ref = os.path.join(cls.tmp.name, "ref")
        cls.ref_run = dpex("bulk", "--map", MAP, "--subjects", cls.subjects,
                           "--out", cls.ref, "--jobs", "2", "--batch", "37")
        cls.ref_content = {os.path.basename(p): content(p)
                           for p in final_archives(cls.ref)}

    @classmethod
    def tearDownClass(cls):
        cls.tmp.cleanup()

    def out(self, name):
        return os.path.join(self.tmp.name, name)

    def assert_same_as_reference(self, out):
        self.assertEqual(leftovers(out), [])
        got = {os.path.basename(p): p for p in final_archives(out)}
        self.assertEqual(sorted(got), sorted(self.ref_content))
        for name, path in got.items():
            self.assertEqual(content(path), self.ref_content[name], name)
        rows = summary(out)
        self.assertEqual(len(rows), len(self.ids))
        self.assertEqual({r["status"] for r in rows}, {"ok"})

    def test_reference_run(self):
        self.assertEqual(self.ref_run.returncode, 0, self.ref_run.stderr)
        self.assertIn("%d subjects: %d written" % (len(self.ids), len(self.ids)),
                      self.ref_run.stderr)
        rows = summary(self.ref)
        self.assertEqual([r["subject"] for r in rows],
                         ["customer_id=%d" % i for i in self.ids])
        # No directory holds more than a few thousand files; sharded.
        shards = [d for d in os.listdir(self.ref)
                  if os.path.isdir(os.path.join(self.ref, d))]
        self.assertGreater(len(shards), 100)
        for r in rows:
            path = os.path.join(self.ref, r["archive"])
            with open(path, "rb") as f:
                data = f.read()
            import hashlib
            self.assertEqual(hashlib.sha256(data).hexdigest(), r["sha256"])
            self.assertEqual(len(data), int(r["bytes"]))
            with zipfile.ZipFile(path) as z:
                m = json.loads(z.read("manifest.json"))
            self.assertEqual(sum(e["rows"] for e in m["entities"]),
                             int(r["rows"]))
            self.assertEqual(os.path.basename(path),
                             "dpex-%s.zip" % m["request_id"])

    def test_archives_equal_single_exports(self):
        single = self.out("single")
        os.mkdir(single)
        subjects = ["customer_id=%d" % i for i in self.ids]
        with concurrent.futures.ThreadPoolExecutor(4) as pool:
            paths = list(pool.map(lambda s: single_export(s, single),
                                  subjects))
        rows = {r["subject"]: r for r in summary(self.ref)}
        for n, (s, path) in enumerate(zip(subjects, paths)):
            bulk = os.path.join(self.ref, rows[s]["archive"])
            self.assertEqual(content(bulk), content(path), s)
            if n % 15 == 0:
                self.assertEqual(xlsx_cells(bulk), xlsx_cells(path), s)
        # Among them, subjects whose notes name other people: their
        # redaction counts are per subject, inside shared texts.
        self.assertTrue(any(sum(c["about"]["redactions"].values()) > 0
                            for c in self.ref_content.values()))

    def test_identifiers_of_every_kind_csv_and_failures(self):
        first = sql("crm", "SELECT order_ref FROM customers WHERE id = %s",
                    (self.ids[1],))[0][0]
        listing = self.out("mixed.txt")
        with open(listing, "w") as f:
            f.write("email=%s\n" % SASKIA)
            f.write("order_ref=%s\n" % first)
            f.write("customer_id=abc\n")
            f.write("email=nobody@example.invalid\n")
            f.write("email=%s\n" % SASKIA)  # twice: one archive
        out = self.out("mixed")
        r = dpex("bulk", "--map", MAP, "--subjects", listing, "--out", out,
                 "--jobs", "1")
        self.assertEqual(r.returncode, 7, r.stderr)
        rows = summary(out)
        self.assertEqual([(x["subject"], x["status"]) for x in rows], [
            ("email=" + SASKIA, "ok"),
            ("order_ref=" + first, "ok"),
            ("customer_id=abc", "error"),
            ("email=nobody@example.invalid", "not_found"),
        ])
        self.assertIn('invalid input syntax for type bigint: "abc"',
                      rows[2]["error"])
        self.assertIn("no data about email=nobody@example.invalid",
                      rows[3]["error"])
        single = self.out("mixed-single")
        os.mkdir(single)
        for x in rows[:2]:
            self.assertEqual(content(os.path.join(out, x["archive"])),
                             content(single_export(x["subject"], single)))
        # CSV with a header naming the identifier, quoted fields.
        table = self.out("subjects.csv")
        with open(table, "w", newline="") as f:
            w = csv.writer(f)
            w.writerow(["note", "email"])
            w.writerow(['a "quoted", note', SASKIA])
        out2 = self.out("fromcsv")
        r = dpex("bulk", "--map", MAP, "--subjects", table, "--out", out2,
                 "--format", "csv")
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertEqual([x["subject"] for x in summary(out2)],
                         ["email=" + SASKIA])
        # The same directory with other options is refused, not mixed.
        r = dpex("bulk", "--map", MAP, "--subjects", table, "--out", out2)
        self.assertEqual(r.returncode, 2)
        self.assertIn("written by a run with other options", r.stderr)

    def test_subjects_query_and_all(self):
        # --out with directories above it missing: made, as mkdir -p.
        out = os.path.join(self.out("query"), "dsr", "2026")
        r = dpex("bulk", "--map", MAP, "--subjects-query",
                 "SELECT id AS customer_id FROM customers WHERE id <= 5;",
                 "--source", "crm", "--out", out, "--format", "json")
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertEqual([x["subject"] for x in summary(out)],
                         ["customer_id=%d" % i for i in self.ids[:5]])
        out = self.out("all")
        r = dpex("bulk", "--map", MAP, "--all", "--out", out, "--jobs", "2")
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assert_same_as_reference(out)
        r = dpex("bulk", "--map", MAP, "--subjects-query", "SELECT 1 AS x",
                 "--source", "crm", "--out", self.out("badquery"))
        self.assertEqual(r.returncode, 2)
        self.assertIn("name its first column after an identifier", r.stderr)

    def test_archives_are_not_left_in_the_page_cache(self):
        # Gigabytes of archives nobody reads back must not push the
        # databases' pages out of memory.
        out = self.out("uncached")
        r = dpex("bulk", "--map", MAP, "--subjects-query",
                 "SELECT id AS customer_id FROM customers WHERE id <= 40",
                 "--source", "crm", "--out", out, "--jobs", "2")
        self.assertEqual(r.returncode, 0, r.stderr)
        if filesystem_type(out) == "tmpfs":
            self.skipTest("a tmpfs file is its page cache")
        paths = final_archives(out)
        self.assertEqual(len(paths), 40)
        pages = [resident_pages(p) for p in paths]
        self.assertEqual(sum(n for n, _ in pages), 0,
                         "resident pages, of %d" % sum(t for _, t in pages))

    def test_resume_after_sigkill_at_several_points(self):
        out = self.out("killed")
        args = ["--subjects", self.subjects]
        # Each run is killed as soon as its first subject is in the
        # journal (not at a time: a slow machine may have finished none by
        # then); a run goes on where the one before stopped, so each is
        # killed at a later point of the list, in another batch size.
        for batch in ("7", "3", "11"):
            before = journal_entries(out)
            p = start_bulk(out, args, "--jobs", "2", "--batch", batch)
            deadline = time.monotonic() + 120
            while (journal_entries(out) <= before and p.poll() is None
                   and time.monotonic() < deadline):
                time.sleep(0.002)
            p.kill()
            p.wait()
            p.stderr.close()
            # Whatever was killed, a final name holds a whole archive.
            for path in final_archives(out):
                with zipfile.ZipFile(path) as z:
                    self.assertIsNone(z.testzip())
                    self.assertIn("manifest.json", z.namelist())
        r = dpex("bulk", "--map", MAP, *args, "--out", out, "--jobs", "2")
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertRegex(r.stderr, r"[1-9][0-9]* written, [1-9][0-9]* done "
                         "before")
        self.assert_same_as_reference(out)
        # Once more: nothing left to do.
        r = dpex("bulk", "--map", MAP, *args, "--out", out)
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertIn("0 written, %d done before" % len(self.ids), r.stderr)

    def test_sigint_stops_cleanly_and_resumes(self):
        out = self.out("interrupted")
        args = ["--subjects", self.subjects]
        p = start_bulk(out, args, "--jobs", "2", "--batch", "5")
        wait_done(p, 0)  # the first report, 0.1 s in: far from the end
        p.send_signal(signal.SIGINT)
        err = p.stderr.read()
        self.assertEqual(p.wait(), 130, err)
        self.assertIn("interrupted", err)
        self.assertEqual(leftovers(out), [])
        statuses = {r["status"] for r in summary(out)}
        self.assertIn("pending", statuses)
        r = dpex("bulk", "--map", MAP, *args, "--out", out)
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assert_same_as_reference(out)

    def test_database_changing_during_the_run_is_not_seen(self):
        a, b, c = self.ids[-3:]
        before = self.out("before")
        os.mkdir(before)
        expected = {s: content(single_export(s, before))
                    for s in ("customer_id=%d" % i for i in (a, b, c))}
        listing = self.out("changing.txt")
        with open(listing, "w") as f:
            for i in self.ids[:-3]:
                f.write("customer_id=%d\n" % i)
            # A bad value in the last batch: it fails, the workers'
            # transactions start again, and must import the same snapshot.
            f.write("customer_id=abc\n")
            for i in (a, b, c):
                f.write("customer_id=%d\n" % i)
        email = sql("crm", "SELECT email FROM customers WHERE id = %s",
                    (b,))[0][0]
        out = self.out("changing")
        p = start_bulk(out, ["--subjects", listing], "--jobs", "1",
                       "--batch", "10")
        wait_done(p, 0)
        p.send_signal(signal.SIGSTOP)
        saved = sql("marketing", "SELECT * FROM consents WHERE customer_id"
                    " = %s", (a,))
        try:
            sql("marketing", "DELETE FROM consents WHERE customer_id = %s",
                (a,))
            sql("support", "INSERT INTO contact_notes SELECT 990000001, %s,"
                " created_at, channel, agent_name, 'changed', body FROM "
                "contact_notes ORDER BY id LIMIT 1", (email,))
            sql("crm", "UPDATE customers SET first_name = 'Changed' WHERE "
                "id = %s", (c,))
            p.send_signal(signal.SIGCONT)
            err = p.stderr.read()
            self.assertEqual(p.wait(), 7, err)
            rows = {r["subject"]: r for r in summary(out)}
            self.assertEqual(rows["customer_id=abc"]["status"], "error")
            now = self.out("now")
            os.mkdir(now)
            for s, want in expected.items():
                got = content(os.path.join(out, rows[s]["archive"]))
                self.assertEqual(got, want, s)
                # The change is real: an export now sees it.
                self.assertNotEqual(content(single_export(s, now)), want, s)
        finally:
            p.send_signal(signal.SIGCONT)
            p.wait()
            sql("crm", "UPDATE customers SET first_name = %s WHERE id = %s",
                (expected["customer_id=%d" % c]["data"]["entities"]
                 ["customers"][0]["first_name"], c))
            sql("support", "DELETE FROM contact_notes WHERE id = 990000001")
            for row in saved:
                sql("marketing", "INSERT INTO consents VALUES (%s)" %
                    ", ".join(["%s"] * len(row)), row)

    def test_source_going_down_stops_with_exit_4_and_resumes(self):
        out = self.out("down")
        args = ["--subjects", self.subjects]
        p = start_bulk(out, args, "--jobs", "2", "--batch", "5")
        wait_done(p, 10)
        p.send_signal(signal.SIGSTOP)
        sql("orders", "SELECT pg_terminate_backend(pid) FROM pg_stat_activity"
            " WHERE datname = 'orders' AND application_name = 'dpex'"
            " AND pid <> pg_backend_pid()")
        p.send_signal(signal.SIGCONT)
        err = p.stderr.read()
        self.assertEqual(p.wait(), 4, err)
        self.assertIn("a source went down, the run stopped", err)
        self.assertIn('source "orders"', err)
        self.assertEqual(leftovers(out), [])
        r = dpex("bulk", "--map", MAP, *args, "--out", out)
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assert_same_as_reference(out)

    def bulk_and_exports(self, name, subjects, options, bulk_options=()):
        """Runs bulk over subjects with options (and bulk_options), then a
        single export of each with the same options; the listing file and
        (subject, bulk archive, exported archive) for each."""
        out = self.out(name)
        listing = self.out(name + ".txt")
        with open(listing, "w") as f:
            f.write("\n".join(subjects) + "\n")
        r = dpex("bulk", "--map", MAP, "--subjects", listing, "--out", out,
                 *options, *bulk_options)
        self.assertEqual(r.returncode, 0, r.stderr)
        single = self.out(name + "-single")
        os.mkdir(single)
        rows = {r["subject"]: r for r in summary(out)}
        pairs = []
        for s in subjects:
            e = dpex("export", "--map", MAP, "--subject", s, "--out",
                     single, *options, "--quiet")
            self.assertEqual(e.returncode, 0, e.stderr)
            pairs.append((s, os.path.join(out, rows[s]["archive"]),
                          e.stdout.strip()))
        return out, listing, pairs

    def test_portability_archives_equal_single_exports(self):
        # Another scope: tables left out, other texts, redactions counted
        # per subject; the shared texts of about.json and the cover pages
        # must still be those of each subject's own export.
        _, _, pairs = self.bulk_and_exports(
            "portability", ["customer_id=%d" % i for i in self.ids[:40]],
            ["--kind", "portability", "--format", "json,csv"],
            ["--jobs", "2", "--batch", "7"])
        for s, bulk, single in pairs:
            got = content(bulk)
            self.assertEqual(got, content(single), s)
            self.assertEqual(got["about"]["kind"], "portability")
            self.assertTrue(got["about"]["excluded"], s)

    def test_lang_gives_the_cover_pages_of_export_in_that_language(self):
        out, listing, pairs = self.bulk_and_exports(
            "dutch", ["customer_id=%d" % i for i in self.ids[:3]],
            ["--lang", "nl"])
        for s, bulk, single in pairs:
            with zipfile.ZipFile(bulk) as b, zipfile.ZipFile(single) as x:
                readme = b.read("README.txt").decode()
                self.assertIn("Uw persoonsgegevens", readme)
                # The same page but for the request id and the time.
                strip = lambda t: re.sub(
                    r"s[0-9a-f]{32}|[0-9]{8}T[0-9]{6}Z-[0-9a-f]{8}|"
                    r"[0-9]{2}:[0-9]{2}", "", t)
                self.assertEqual(strip(readme),
                                 strip(x.read("README.txt").decode()), s)
                self.assertEqual(json.loads(b.read("about.json"))["language"],
                                 "nl")
        # The journal knows the language: another one is refused.
        r = dpex("bulk", "--map", MAP, "--subjects", listing, "--out", out)
        self.assertEqual(r.returncode, 2)
        self.assertIn("lang=nl, now formats=json,csv,xlsx store=no)",
                      r.stderr)
        r = dpex("bulk", "--map", MAP, "--subjects", listing, "--out", out,
                 "--lang", "de")
        self.assertEqual(r.returncode, 2)
        self.assertIn('--lang "de" is not available: choose en, nl or sv',
                      r.stderr)

    def test_summary_is_private_like_the_archives(self):
        self.assertEqual(self.ref_run.returncode, 0, self.ref_run.stderr)
        mode = os.stat(os.path.join(self.ref, "summary.csv")).st_mode
        self.assertEqual(mode & 0o777, 0o600)

    def test_usage_errors_leave_nothing_behind(self):
        cases = [
            ("--subjects", self.out("no-such-file.txt")),
            ("--subjects-query", "SELECT 1 AS x", "--source", "crm"),
            ("--subjects-query", "SELECT FROM nowhere", "--source", "crm"),
        ]
        for i, args in enumerate(cases):
            out = os.path.join(self.out("nothing%d" % i), "dsr")
            r = dpex("bulk", "--map", MAP, *args, "--out", out)
            self.assertIn(r.returncode, (2, 4), r.stderr)
            self.assertFalse(os.path.exists(self.out("nothing%d" % i)),
                             (args, r.stderr))
            self.assertNotIn("summary:", r.stderr)

    def test_no_subject_named_exits_9(self):
        empty = self.out("empty.txt")
        with open(empty, "w") as f:
            f.write("# nobody\n\n")
        cases = [
            (("--subjects", empty), "%s named no subject" % empty),
            (("--subjects-query",
              "SELECT id AS customer_id FROM customers WHERE false",
              "--source", "crm"), "--subjects-query named no subject"),
            (("--subjects-query",
              "SELECT NULL::int AS customer_id UNION ALL SELECT NULL",
              "--source", "crm"),
             "--subjects-query named no subject (2 rows, all NULL or "
             "empty)"),
        ]
        for i, (args, message) in enumerate(cases):
            out = self.out("none%d" % i)
            r = dpex("bulk", "--map", MAP, *args, "--out", out)
            self.assertEqual(r.returncode, 9, r.stderr)
            self.assertIn(message, r.stderr)
            self.assertFalse(os.path.exists(out))

    def test_usage(self):
        r = dpex("bulk", "--help")
        self.assertEqual(r.returncode, 0)
        for s in ("--subjects FILE", "--subjects-query SQL", "--all",
                  "--jobs N", "--batch N", "--progress=MODE", "--lang LANG",
                  "journal.tsv",
                  "summary.csv", "Exit codes"):
            self.assertIn(s, r.stdout)
        r = dpex("bulk", "--map", MAP, "--out", self.out("x"))
        self.assertEqual(r.returncode, 2)
        self.assertIn("exactly one of --subjects FILE", r.stderr)
        bad = self.out("bad.txt")
        with open(bad, "w") as f:
            f.write("customer_id=1\niban=123\n")
        r = dpex("bulk", "--map", MAP, "--subjects", bad, "--out",
                 self.out("bad"))
        self.assertEqual(r.returncode, 2)
        self.assertIn('bad.txt:2: "iban" is not IDENTIFIER=VALUE', r.stderr)
        # --out under a file: the message names the part that failed.
        r = dpex("bulk", "--map", MAP, "--all", "--out",
                 os.path.join(bad, "out", "x"))
        self.assertEqual(r.returncode, 6)
        self.assertEqual(r.stderr, "dpex: error: cannot create --out "
                         "%s/out/x: %s/out: Not a directory\n" % (bad, bad))


if __name__ == "__main__":
    result = unittest.main(verbosity=2, exit=False).result
    failed = len(result.failures) + len(result.errors)
    print("%d passed, %d failed" % (result.testsRun - failed, failed))
    sys.exit(1 if failed else 0)
