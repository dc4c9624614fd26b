#!/usr/bin/python3
"""End to end: dpex export against the sample estate, every file read back
with independent readers (unzip -t, zipfile, json, csv, openpyxl) and
compared with what the databases hold (psycopg2).

Needs: DPEX_BIN (the dpex binary), DPEX_MAP (the sample map), and the libpq
variables of a cluster loaded by scripts/gen-sample.
"""
import csv
import datetime
import decimal
import hashlib
import io
import json
import os
import re
import resource
import subprocess
import sys
import tempfile
import unittest
import zipfile

import openpyxl
import psycopg2

from archive_schemas import check_archive

DPEX = os.environ["DPEX_BIN"]
MAP = os.environ["DPEX_MAP"]
SASKIA = "saskia.vandenberg@example.nl"
PROSPECT = "prospect.only@example.com"


def dpex(*args, env=None):
    return subprocess.run([DPEX, *args], capture_output=True, text=True,
                          env=env)


def db(name):
    conn = psycopg2.connect(dbname=name)
    conn.autocommit = True
    with conn.cursor() as cur:
        cur.execute("SET TIME ZONE 'UTC'")
    return conn


def query(dbname, sql, params=()):
    with db(dbname) as conn, conn.cursor() as cur:
        cur.execute(sql, params)
        cols = [d[0] for d in cur.description]
        return [dict(zip(cols, row)) for row in cur.fetchall()]


def load_map():
    with open(MAP, encoding="utf-8") as f:
        return json.load(f)


def columns_of(entity):
    return [c if isinstance(c, str) else c["name"] for c in entity["columns"]]


MASKED = object()


def redacted(entity, col, value):
    """What an access archive holds for a database value: the map's
    redactions applied (masks are checked by e2e_answer.py; here the
    masked columns are not compared)."""
    for c in entity["columns"]:
        if isinstance(c, dict) and c["name"] == col and "redact" in c:
            if value is None:
                return None
            if "role" in c["redact"]:
                return c["redact"]["role"]["en"]
            return MASKED
    return value


def normal(value):
    """A comparable form of a database value or a value read back."""
    if value is None or isinstance(value, bool):
        return value
    if isinstance(value, (int, float, decimal.Decimal)):
        return decimal.Decimal(str(value))
    if isinstance(value, datetime.datetime):
        return value if value.tzinfo else value.replace(
            tzinfo=datetime.timezone.utc)
    if isinstance(value, datetime.date):
        return value
    if isinstance(value, str):
        # ISO 8601 timestamps and dates from JSON and CSV.
        if re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?([+-]\d\d:\d\d)?", value):
            v = datetime.datetime.fromisoformat(value)
            return v if v.tzinfo else v.replace(tzinfo=datetime.timezone.utc)
        if re.fullmatch(r"\d{4}-\d\d-\d\d", value):
            return datetime.date.fromisoformat(value)
    return value


class Export:
    """One archive exported into a temporary directory, read back."""

    def __init__(self, *subject, formats="json,csv,xlsx", extra=(),
                 map_path=None):
        self.dir = tempfile.TemporaryDirectory()
        args = ["export", "--map", map_path or MAP, "--out", self.dir.name,
                "--format", formats, *extra]
        for s in subject:
            args += ["--subject", s]
        self.run = dpex(*args)
        if self.run.returncode != 0:
            raise AssertionError(
                f"dpex export failed ({self.run.returncode}): {self.run.stderr}")
        self.path = self.run.stdout.strip()
        self.zip = zipfile.ZipFile(self.path)
        self.manifest = json.loads(self.zip.read("manifest.json"))
        # Every archive a test makes follows the published schemas.
        bad = check_archive(self.zip)
        if bad:
            raise AssertionError("schema: " + "; ".join(bad[:5]))

    def read(self, name):
        return self.zip.read(name)

    def close(self):
        self.zip.close()
        self.dir.cleanup()


class SampleSubject(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.map = load_map()
        cls.entities = {e["name"]: e for e in cls.map["entities"]}
        cls.export = Export("email=" + SASKIA)
        cls.customer = query("crm", "SELECT id, email, order_ref FROM customers"
                             " WHERE email = %s", (SASKIA,))[0]

    @classmethod
    def tearDownClass(cls):
        cls.export.close()

    def expected_rows(self, name):
        """The rows of a root entity for the subject, straight from SQL."""
        e = self.entities[name]
        ident = e["match"]["identifier"]
        value = {"customer_id": self.customer["id"], "email": SASKIA,
                 "order_ref": self.customer["order_ref"]}[ident]
        cols = ", ".join('"%s"' % c for c in columns_of(e))
        order = ", ".join(
            ('"%s"' % o) if isinstance(o, str) else
            ('"%s" DESC' % o["column"] if o.get("descending") else '"%s"' % o["column"])
            for o in e.get("order_by", []))
        sql = 'SELECT %s FROM "%s" WHERE "%s" = %%s' % (
            cols, e["table"], e["match"]["column"])
        if order:
            sql += " ORDER BY " + order
        return query(e["source"], sql, (value,))

    def test_zip_passes_unzip_t(self):
        r = subprocess.run(["unzip", "-t", self.export.path],
                           capture_output=True, text=True)
        self.assertEqual(r.returncode, 0, r.stdout + r.stderr)
        self.assertIn("No errors detected", r.stdout)

    def test_members_and_manifest(self):
        names = self.export.zip.namelist()
        expected = (["index.html", "README.txt", "data.json"]
                    + ["csv/%s.csv" % e["name"] for e in self.map["entities"]]
                    + ["data.xlsx", "about.json", "manifest.json"])
        self.assertEqual(names, expected)
        m = self.export.manifest
        self.assertEqual(m["engine"]["name"], "dpex")
        self.assertRegex(m["engine"]["version"], r"^\d+\.\d+\.\d+$")
        self.assertRegex(m["request_id"], r"^\d{8}T\d{6}Z-[0-9a-f]{8}$")
        self.assertRegex(m["created_at"], r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$")
        self.assertEqual([f["name"] for f in m["files"]], names[:-1])
        for f in m["files"]:
            data = self.export.read(f["name"])
            self.assertEqual(f["size"], len(data), f["name"])
            self.assertEqual(f["sha256"], hashlib.sha256(data).hexdigest(),
                             f["name"])
        self.assertEqual(m["subject"]["email"], [SASKIA])
        self.assertEqual(m["subject"]["customer_id"], [str(self.customer["id"])])

    def test_subject_known_by_email_is_found_in_all_five_databases(self):
        rows = {e["name"]: e["rows"] for e in self.export.manifest["entities"]}
        sources = {e["name"]: e["source"] for e in self.export.manifest["entities"]}
        found = {sources[n] for n, r in rows.items() if r > 0}
        self.assertEqual(found, {"crm", "orders", "support", "marketing",
                                 "metering"})

    def test_json_matches_the_databases(self):
        doc = json.loads(self.export.read("data.json"))
        self.assertEqual(doc["request_id"], self.export.manifest["request_id"])
        self.assertEqual(doc["subject"]["email"], [SASKIA])
        for e in self.map["entities"]:
            if "parent" in e:
                continue
            with self.subTest(entity=e["name"]):
                want = self.expected_rows(e["name"])
                got = doc["entities"][e["name"]]
                self.assertEqual(len(got), len(want))
                for g, w in zip(got, want):
                    for col in columns_of(e):
                        expect = redacted(e, col, w[col])
                        if expect is MASKED:
                            continue
                        self.assertEqual(normal(g[col]), normal(expect),
                                         (e["name"], col))

    def test_children_are_nested_under_their_parents(self):
        doc = json.loads(self.export.read("data.json"))
        children = [e for e in self.map["entities"] if "parent" in e]
        self.assertTrue(children)
        total = 0
        for child in children:
            parent = child["parent"]
            for row in doc["entities"][parent["entity"]]:
                key = row[parent["references"]]
                order = ", ".join('"%s"' % (o if isinstance(o, str) else o["column"])
                                  for o in child.get("order_by", []))
                sql = 'SELECT %s FROM "%s" WHERE "%s" = %%s%s' % (
                    ", ".join('"%s"' % c for c in columns_of(child)),
                    child["table"], parent["column"],
                    " ORDER BY " + order if order else "")
                want = query(child["source"], sql, (key,))
                got = row[child["name"]]
                self.assertEqual(len(got), len(want))
                total += len(got)
                for g, w in zip(got, want):
                    for col in columns_of(child):
                        self.assertEqual(normal(g[col]), normal(w[col]))
        self.assertGreater(total, 0)

    def test_csv_matches_the_databases(self):
        for e in self.map["entities"]:
            with self.subTest(entity=e["name"]):
                raw = self.export.read("csv/%s.csv" % e["name"])
                text = raw.decode("utf-8")
                self.assertFalse(text.startswith("\ufeff"))
                rows = list(csv.reader(io.StringIO(text, newline="")))
                self.assertEqual(rows[0], columns_of(e))
                if "parent" not in e:
                    want = self.expected_rows(e["name"])
                    self.assertEqual(len(rows) - 1, len(want))
                    for g, w in zip(rows[1:], want):
                        for col, value in zip(rows[0], g):
                            expect = redacted(e, col, w[col])
                            if expect is MASKED:
                                continue
                            if expect is None:
                                self.assertEqual(value, "")
                            elif isinstance(expect, bool):
                                self.assertEqual(value, "true" if expect else "false")
                            else:
                                self.assertEqual(normal(value) if not isinstance(expect, (int, decimal.Decimal)) else decimal.Decimal(value),
                                                 normal(expect), (e["name"], col))
                rows_in_manifest = [f["rows"] for f in self.export.manifest["files"]
                                    if f["name"] == "csv/%s.csv" % e["name"]][0]
                self.assertEqual(rows_in_manifest, len(rows) - 1)
                self.assertTrue(text.endswith("\r\n") or len(rows) == 0)

    def test_xlsx_has_typed_cells(self):
        wb = openpyxl.load_workbook(io.BytesIO(self.export.read("data.xlsx")))
        self.assertEqual(wb.sheetnames, [e["name"] for e in self.map["entities"]])
        for e in self.map["entities"]:
            ws = wb[e["name"]]
            header = [c.value for c in ws[1]]
            self.assertEqual([h.replace(" (UTC)", "") for h in header], columns_of(e))
            if "parent" in e:
                continue
            want = self.expected_rows(e["name"])
            self.assertEqual(ws.max_row - 1, len(want), e["name"])
            ident = {c["name"] for c in e["columns"]
                     if isinstance(c, dict) and c.get("identifier")}
            for r, w in enumerate(want, start=2):
                for i, col in enumerate(columns_of(e), start=1):
                    cell = ws.cell(row=r, column=i)
                    expect = redacted(e, col, w[col])
                    if expect is MASKED:
                        continue
                    with self.subTest(entity=e["name"], column=col):
                        if expect is None:
                            self.assertIsNone(cell.value)
                        elif col in ident:
                            self.assertEqual(cell.data_type, "s")
                            self.assertEqual(cell.value, str(expect))
                        elif isinstance(expect, bool):
                            self.assertEqual(cell.value, expect)
                        elif isinstance(expect, (int, decimal.Decimal)):
                            self.assertEqual(cell.data_type, "n")
                            self.assertEqual(decimal.Decimal(str(cell.value)), expect)
                        elif isinstance(expect, datetime.datetime):
                            self.assertIsInstance(cell.value, datetime.datetime)
                            self.assertEqual(cell.value, expect.astimezone(
                                datetime.timezone.utc).replace(tzinfo=None))
                        elif isinstance(expect, datetime.date):
                            self.assertEqual(cell.value.date(), expect)
                        else:
                            self.assertEqual(cell.data_type, "s")
                            self.assertEqual(cell.value, str(expect))

    def test_phone_numbers_are_text_not_formulas(self):
        wb = openpyxl.load_workbook(io.BytesIO(self.export.read("data.xlsx")))
        for ws in wb.worksheets:
            for row in ws.iter_rows(min_row=2):
                for cell in row:
                    self.assertNotEqual(cell.data_type, "f", (ws.title, cell.value))


class Subjects(unittest.TestCase):
    def test_prospect_known_only_to_support(self):
        ex = Export("email=" + PROSPECT)
        try:
            rows = {e["name"]: e["rows"] for e in ex.manifest["entities"]}
            self.assertGreater(rows["contact_notes"], 0)
            want = query("support", "SELECT count(*) AS n FROM contact_notes"
                         " WHERE customer_email = %s", (PROSPECT,))[0]["n"]
            self.assertEqual(rows["contact_notes"], want)
            self.assertEqual(sum(r for n, r in rows.items() if n != "contact_notes"), 0)
        finally:
            ex.close()

    def test_same_subject_by_customer_id_gives_the_same_rows(self):
        cid = query("crm", "SELECT id FROM customers WHERE email = %s", (SASKIA,))[0]["id"]
        a = Export("email=" + SASKIA, formats="json")
        b = Export("customer_id=%d" % cid, formats="json")
        try:
            ja = json.loads(a.read("data.json"))
            jb = json.loads(b.read("data.json"))
            self.assertEqual(ja["entities"], jb["entities"])
        finally:
            a.close()
            b.close()

    def test_unknown_subject_is_exit_5_and_leaves_nothing(self):
        with tempfile.TemporaryDirectory() as out:
            r = dpex("export", "--map", MAP, "--out", out,
                     "--subject", "email=nobody@example.invalid")
            self.assertEqual(r.returncode, 5, r.stderr)
            self.assertEqual(r.stdout, "")
            self.assertIn("no data about email=nobody@example.invalid in any source",
                          r.stderr)
            self.assertEqual(os.listdir(out), [])

    def test_hostile_subject_value_is_a_parameter(self):
        with tempfile.TemporaryDirectory() as out:
            r = dpex("export", "--map", MAP, "--out", out,
                     "--subject", "email=' OR 1=1 --")
            self.assertEqual(r.returncode, 5, r.stderr)
            self.assertEqual(os.listdir(out), [])

    def test_missing_output_directory(self):
        r = dpex("export", "--map", MAP, "--out", "/nonexistent/dir",
                 "--subject", "email=" + SASKIA)
        self.assertEqual(r.returncode, 6, r.stderr)
        self.assertIn('"/nonexistent/dir" does not exist', r.stderr)

    def test_unknown_identifier_is_a_usage_error(self):
        r = dpex("export", "--map", MAP, "--subject", "iban=NL00")
        self.assertEqual(r.returncode, 2, r.stderr)
        self.assertIn('unknown identifier "iban"', r.stderr)


class Commands(unittest.TestCase):
    def test_check_passes_on_the_sample(self):
        r = dpex("check", "--map", MAP)
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertIn("every table and column exists", r.stdout)

    def test_check_reports_a_missing_column_with_its_place(self):
        m = load_map()
        m["entities"][0]["columns"].append("emial")
        with tempfile.NamedTemporaryFile("w", suffix=".json", delete=False) as f:
            json.dump(m, f, indent=2)
        try:
            r = dpex("check", "--map", f.name)
            self.assertEqual(r.returncode, 3, r.stderr)
            line = [i for i, l in enumerate(open(f.name), 1) if '"emial"' in l][0]
            self.assertRegex(
                r.stderr,
                re.escape(f.name) + r":%d:\d+: \$\.entities\[0\]\.columns\[\d+\]: "
                r'column "emial" does not exist in public\.customers' % line)
        finally:
            os.unlink(f.name)

    def test_plan_prints_each_parameterised_query(self):
        r = dpex("plan", "--map", MAP, "--identifier", "email")
        self.assertEqual(r.returncode, 0, r.stderr)
        m = load_map()
        for e in m["entities"]:
            self.assertIn(e["name"], r.stdout)
        self.assertIn("OPERATOR(pg_catalog.=) ANY($1)", r.stdout)
        self.assertNotIn("@", r.stdout)

    def test_help_documents_exit_codes(self):
        r = dpex("--help")
        self.assertEqual(r.returncode, 0)
        for code in range(7):
            self.assertRegex(r.stdout, r"\n  %d  " % code)


class Streaming(unittest.TestCase):
    """Peak memory does not grow with the number of rows a subject has."""

    @classmethod
    def setUpClass(cls):
        cls.tmp = tempfile.TemporaryDirectory()
        subprocess.run(["dropdb", "--if-exists", "dpex_stream"], check=True)
        subprocess.run(["createdb", "dpex_stream"], check=True)
        with db("dpex_stream") as conn, conn.cursor() as cur:
            cur.execute("""
                CREATE TABLE readings (id bigserial PRIMARY KEY, meter text,
                    taken_at timestamptz, kwh numeric(10,3), note text);
                INSERT INTO readings (meter, taken_at, kwh, note)
                SELECT CASE WHEN i <= 1000 THEN 'small' ELSE 'large' END,
                       timestamptz '2024-01-01' + i * interval '15 min',
                       (i % 1000) / 7.0, repeat('x', 50)
                FROM generate_series(1, 201000) AS i;
                ANALYZE readings;""")
        cls.map = os.path.join(cls.tmp.name, "map.json")
        with open(cls.map, "w") as f:
            json.dump({
                "sources": {"meter": {"conninfo": "dbname=dpex_stream"}},
                "identifiers": {"meter": {}},
                "entities": [{"name": "readings", "source": "meter",
                              "table": "readings",
                              "columns": ["id", "taken_at", "kwh", "note"],
                              "match": {"identifier": "meter", "column": "meter"},
                              "order_by": ["id"]}]}, f)

    @classmethod
    def tearDownClass(cls):
        cls.tmp.cleanup()
        subprocess.run(["dropdb", "--if-exists", "dpex_stream"], check=True)

    def peak_rss_kb(self, meter):
        out = tempfile.mkdtemp(dir=self.tmp.name)
        env = dict(os.environ, ASAN_OPTIONS="quarantine_size_mb=4")
        # A child per run, so ru_maxrss is this export's alone.
        code = ("import resource,subprocess,sys;"
                "r=subprocess.run(sys.argv[1:],capture_output=True);"
                "sys.stderr.write(r.stderr.decode());"
                "print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)"
                ";sys.exit(r.returncode)")
        r = subprocess.run([sys.executable, "-c", code, DPEX, "export",
                            "--map", self.map, "--out", out, "--subject",
                            "meter=" + meter], capture_output=True, text=True,
                           env=env)
        self.assertEqual(r.returncode, 0, r.stderr)
        return int(r.stdout.strip())

    def test_memory_is_flat_from_1000_to_200000_rows(self):
        small = self.peak_rss_kb("small")
        large = self.peak_rss_kb("large")
        # 200x the rows: the peak may not grow by more than a few batches.
        self.assertLess(large, small * 1.5 + 16 * 1024,
                        "peak RSS %d kB for 200k rows vs %d kB for 1k" % (large, small))


if __name__ == "__main__":
    result = unittest.main(verbosity=2, exit=False).result
    failed = len(result.failures) + len(result.errors)
    print("%d passed, %d failed" % (result.testsRun - failed, failed))
    sys.exit(1 if failed else 0)
