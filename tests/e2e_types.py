#!/usr/bin/python3
"""End to end: every PostgreSQL type and hostile text, through dpex export,
read back byte for byte (data.json, csv/) and with openpyxl (data.xlsx).

Builds its own databases in the cluster scripts/test starts: dpex_types
(UTF8) and dpex_sqlascii (SQL_ASCII, which hands out invalid UTF-8), and a
data map for them. Needs DPEX_BIN and the libpq variables of that cluster.
"""
import base64
import csv
import datetime as dt
import decimal
import io
import json
import os
import re
import subprocess
import sys
import tempfile
import unittest
import zipfile

csv.field_size_limit(1 << 24)  # the 1 MB value
import openpyxl

from archive_schemas import check_archive
import psycopg2

DPEX = os.environ["DPEX_BIN"]
BIG_ROWS = 1048600  # Excel's sheet holds 1,048,575 rows under its header

TYPES_DDL = r"""
CREATE TYPE mood AS ENUM ('sad', 'ok', 'happy');
CREATE DOMAIN posint AS integer CHECK (VALUE > 0);
CREATE DOMAIN email AS text;
CREATE TYPE pair AS (a integer, b text);
CREATE TABLE vals (
  id integer PRIMARY KEY, tag text NOT NULL,
  i2 smallint, i4 integer, i8 bigint, i8b bigint, num numeric,
  f4 real, f8 double precision, b boolean,
  t text, vc varchar(10), ch char(5),
  d date, tm time, tmtz timetz, ts timestamp, tstz timestamptz,
  iv interval, u uuid, ip inet, net cidr, j json, jb jsonb,
  ai integer[], at text[], ats timestamptz[], an numeric[], i2d integer[],
  mood mood, by bytea, dom posint, dmail email, comp pair, ean text
);
INSERT INTO vals VALUES
 (1, 'types', 32767, 2147483647, 9223372036854775807, 123456789012345,
  '1234567890.12345678901234567890', 'NaN', 'Infinity', true,
  'plain', '', 'ab', '0001-01-01', '00:00:00', '13:45:00+02',
  '0001-01-01 00:00:00', 'infinity',
  '1 year 2 months 3 days 04:05:06.5', 'a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11',
  '192.168.0.1/24', '10.0.0.0/8', E'{"a": [1, 2.50, "x"],\n "b": "\\u00e9"}',
  '{"b": null, "a": 1}', '{}', ARRAY['a b', 'c"d', NULL, 'NULL', '', 'x\y'],
  ARRAY['2024-03-01 12:00:00+00'::timestamptz, NULL], ARRAY[1.50, NULL],
  '{{1,2},{3,4}}', 'happy', '\x00ff10', 5, 'x@example.nl', ROW(1, 'a,b'),
  '8712345678906'),
 (2, 'types', -32768, -2147483648, -9223372036854775808, 1234567890123456,
  '-0.000000000000000000000000000001', '-Infinity', 0.1, false,
  '', NULL, NULL, '9999-12-31', '23:59:59.999999', '00:00:00-05:30',
  '9999-12-31 23:59:59', '2024-07-01 14:00:00+02',
  '-1 day', NULL, '::1', NULL, '[]', '"s"', NULL, '{}', NULL, NULL, NULL,
  'sad', '\x', NULL, '', NULL, ''),
 (3, 'types', 0, 0, 0, -999999999999999, '0', 1.5, -0.25, NULL,
  E'a\x01b\tc\r\nd"e,f', '=1+1', '+31', '0044-03-15 BC', NULL, NULL,
  'infinity', '-infinity', NULL, NULL, NULL, NULL, 'null', 'null',
  NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL),
 (4, 'types', NULL, NULL, NULL, NULL, 'NaN', NULL, NULL, NULL,
  E'\U0001F600 Zo\u00eb \u65e5\u672c \u2028end', '@SUM(A1)', NULL,
  'infinity', '24:00:00', NULL, '0044-03-15 12:00:00 BC',
  '0044-03-15 12:00:00+00 BC', NULL, NULL, NULL, NULL, NULL, NULL,
  NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL),
 (5, 'types', NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL,
  NULL, NULL, NULL, '-infinity', NULL, NULL, '-infinity', 'infinity', NULL,
  NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL,
  NULL, NULL, NULL, NULL);
-- Arrays of types made by CREATE TYPE and CREATE DOMAIN have OIDs of
-- their own: dpex asks the catalog what their elements are.
ALTER TABLE vals ADD COLUMN moods mood[], ADD COLUMN doms posint[];
UPDATE vals SET moods = ARRAY['sad', 'happy']::mood[],
                doms = ARRAY[1, NULL, 3]::posint[] WHERE id = 1;
UPDATE vals SET moods = '{}' WHERE id = 2;
-- Row types become objects, their fields typed (the catalog says how).
CREATE TYPE contact AS (kind text, at timestamptz, ok boolean, tags text[],
                        note text, n posint);
ALTER TABLE vals ADD COLUMN ct contact;
UPDATE vals SET ct = ROW('phone', '2024-03-01 12:00:00+00', true,
                         ARRAY['x', 'y z'], 'say "hi" \ back', 7)
  WHERE id = 1;
UPDATE vals SET ct = ROW(NULL, NULL, NULL, NULL, '', NULL) WHERE id = 2;

CREATE TABLE formulas (id integer PRIMARY KEY, tag text, v text,
                       amount numeric);
INSERT INTO formulas VALUES
 (1, 'types', '=1+1', -25.00), (2, 'types', '+31 6 1234 5678', 3),
 (3, 'types', '-25.00', NULL), (4, 'types', '@SUM(A1:A9)', NULL),
 (5, 'types', E'\tx', NULL), (6, 'types', E'\rx', NULL),
 (7, 'types', '=HYPERLINK("http://example.com","x")', NULL),
 (8, 'types', 'plain', NULL), (9, 'types', '_x0041_ as typed', NULL);

CREATE TABLE long_values (id integer PRIMARY KEY, tag text, v text);
INSERT INTO long_values VALUES
 (1, 'types', repeat('abc' || chr(233), 262144)),
 (2, 'types', repeat('x', 32767)),
 (3, 'types', repeat('y', 32768)),
 (4, 'types', repeat(chr(128512), 20000)),
 (5, 'types', repeat(chr(128512), 16383) || 'a');

CREATE TABLE customer_contact_preferences_history (tag text, v integer);
INSERT INTO customer_contact_preferences_history VALUES ('types', 1);

CREATE TABLE events (tag text, n integer);
INSERT INTO events SELECT 'big', n FROM generate_series(1, %d) n;
INSERT INTO events VALUES ('types', 7);
CREATE INDEX ON events (tag, n);
""" % BIG_ROWS

ASCII_DDL = r"""
CREATE TABLE notes (id integer PRIMARY KEY, tag text, body text);
INSERT INTO notes VALUES
 (1, 'types', E'caf\xe9 ok \xff\xfe end'),
 (2, 'types', 'clean'),
 (3, 'types', E'\xc3\xa9 valid, then cut: \xe2\x82'),
 (4, 'types', E'\xc0\xaf \xed\xa0\x80 \xf4\x90\x80\x80 \xf0\x9f\x98!');
CREATE TABLE people (tag text, ref text);
INSERT INTO people VALUES ('types', E'ref-\xe9');
CREATE TABLE visits (ref text, day date);
INSERT INTO visits VALUES (E'ref-\xe9', '2024-01-01');
"""

COLS = ["id", "i2", "i4", "i8", "i8b", "num", "f4", "f8", "b", "t", "vc",
        "ch", "d", "tm", "tmtz", "ts", "tstz", "iv", "u", "ip", "net", "j",
        "jb", "ai", "at", "ats", "an", "i2d", "mood", "by", "dom", "dmail",
        "comp", "ean", "moods", "doms", "ct"]


def entity(name, table, columns, source="types", order="id"):
    return {"name": name, "source": source, "table": table,
            "columns": columns,
            "match": {"identifier": "tag", "column": "tag"},
            "order_by": [order]}


MAP = {
    "sources": {"types": {"conninfo": "dbname=dpex_types"},
                "legacy": {"conninfo": "dbname=dpex_sqlascii"}},
    "identifiers": {"tag": {"description": "which rows"},
                    "legacy_ref": {"description": "not UTF-8"}},
    "links": [{"source": "legacy", "table": "people",
               "identifiers": {"tag": "tag", "legacy_ref": "ref"}}],
    "entities": [
        entity("vals", "vals", COLS),
        entity("formulas", "formulas", ["id", "v", "amount"]),
        entity("long_values", "long_values", ["id", "v"]),
        entity("customer_contact_preferences_history",
               "customer_contact_preferences_history", ["v"], order="v"),
        entity("legacy_notes", "notes", ["id", "body"], source="legacy"),
        dict(entity("visits", "visits", ["ref", "day"], source="legacy",
                    order="day"),
             match={"identifier": "legacy_ref", "column": "ref"}),
        entity("events", "events", ["n"], order="n"),
    ],
}

# What data.json holds for each row of vals (parsed with Decimal floats).
D = decimal.Decimal
JSON_ROWS = [
    {"id": 1, "i2": 32767, "i4": 2147483647, "i8": 9223372036854775807,
     "i8b": 123456789012345, "num": D("1234567890.12345678901234567890"),
     "f4": "NaN", "f8": "Infinity", "b": True, "t": "plain", "vc": "",
     "ch": "ab   ", "d": "0001-01-01", "tm": "00:00:00",
     "tmtz": "13:45:00+02:00", "ts": "0001-01-01T00:00:00",
     "tstz": "infinity", "iv": "P1Y2M3DT4H5M6.5S",
     "u": "a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11", "ip": "192.168.0.1/24",
     "net": "10.0.0.0/8", "j": {"a": [1, D("2.50"), "x"], "b": "é"},
     "jb": {"a": 1, "b": None}, "ai": [],
     "at": ["a b", 'c"d', None, "NULL", "", "x\\y"],
     "ats": ["2024-03-01T12:00:00+00:00", None], "an": [D("1.50"), None],
     "i2d": [[1, 2], [3, 4]], "mood": "happy", "by": "AP8Q", "dom": 5,
     "dmail": "x@example.nl", "comp": {"a": 1, "b": "a,b"},
     "ean": "8712345678906", "moods": ["sad", "happy"], "doms": [1, None, 3],
     "ct": {"kind": "phone", "at": "2024-03-01T12:00:00+00:00", "ok": True,
            "tags": '{x,"y z"}', "note": 'say "hi" \\ back', "n": 7}},
    {"id": 2, "i2": -32768, "i4": -2147483648, "i8": -9223372036854775808,
     "i8b": 1234567890123456, "num": D("-0.000000000000000000000000000001"),
     "f4": "-Infinity", "f8": D("0.1"), "b": False, "t": "", "vc": None,
     "ch": None, "d": "9999-12-31", "tm": "23:59:59.999999",
     "tmtz": "00:00:00-05:30", "ts": "9999-12-31T23:59:59",
     "tstz": "2024-07-01T12:00:00+00:00", "iv": "P-1D", "u": None,
     "ip": "::1", "net": None, "j": [], "jb": "s", "ai": None, "at": [],
     "ats": None, "an": None, "i2d": None, "mood": "sad", "by": "",
     "dom": None, "dmail": "", "comp": None, "ean": "", "moods": [],
     "ct": {"kind": None, "at": None, "ok": None, "tags": None, "note": "",
            "n": None}},
    {"id": 3, "i2": 0, "i4": 0, "i8": 0, "i8b": -999999999999999,
     "num": 0, "f4": D("1.5"), "f8": D("-0.25"), "b": None,
     "t": 'a\x01b\tc\r\nd"e,f', "vc": "=1+1", "ch": "+31  ",
     "d": "0044-03-15 BC", "tm": None, "tmtz": None, "ts": "infinity",
     "tstz": "-infinity", "iv": None, "u": None, "ip": None, "net": None,
     "j": None, "jb": None, "ai": None, "at": None, "ats": None, "an": None,
     "i2d": None, "mood": None, "by": None, "dom": None, "dmail": None,
     "comp": None, "ean": None},
    {"id": 4, "num": "NaN", "t": "\U0001F600 Zoë 日本 \u2028end",
     "vc": "@SUM(A1)", "d": "infinity", "tm": "24:00:00",
     "ts": "0044-03-15 12:00:00 BC", "tstz": "0044-03-15 12:00:00+00 BC"},
    {"id": 5, "d": "-infinity", "ts": "-infinity", "tstz": "infinity"},
]
for _r in JSON_ROWS:
    for _c in COLS:
        _r.setdefault(_c, None)
# json "null" and jsonb "null" are JSON nulls, not SQL NULLs: data.json
# cannot tell them apart; csv/ and data.xlsx can ("null" against empty).
JSON_ROWS[2]["j"] = JSON_ROWS[2]["jb"] = None


def csv_text(v):
    """The CSV field text of a JSON_ROWS value (NULL is None)."""
    if v is None or isinstance(v, str):
        return v
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, D):
        return format(v, "f")  # as written, never "1E-30"
    return str(v)


# The CSV fields where they differ from csv_text(JSON value).
CSV_FIELDS = {
    (1, "j"): '{"a": [1, 2.50, "x"],\n "b": "\\u00e9"}',
    (1, "jb"): '{"a": 1, "b": null}', (1, "ai"): "{}",
    (1, "at"): '{"a b","c\\"d",NULL,"NULL","","x\\\\y"}',
    (1, "ats"): '{"2024-03-01 12:00:00+00",NULL}', (1, "an"): "{1.50,NULL}",
    (1, "i2d"): "{{1,2},{3,4}}",
    (1, "moods"): "{sad,happy}", (1, "doms"): "{1,NULL,3}",
    (1, "comp"): '(1,"a,b")',
    (1, "ct"): '(phone,"2024-03-01 12:00:00+00",t,"{x,""y z""}",'
               '"say ""hi"" \\\\ back",7)',
    (2, "ct"): '(,,,,"",)',
    (2, "j"): "[]", (2, "jb"): '"s"', (2, "at"): "{}", (2, "moods"): "{}",
    (3, "j"): "null", (3, "jb"): "null",
}


def csv_rows():
    rows = []
    for r in JSON_ROWS:
        rows.append([CSV_FIELDS.get((r["id"], c), csv_text(r[c]))
                     for c in COLS])
    return rows


def rfc4180(rows):
    """Records as dpex documents them: CRLF, quotes when needed, NULL an
    unquoted empty field and "" the empty string."""
    out = []
    for row in rows:
        fields = []
        for f in row:
            if f is None:
                fields.append("")
            elif f == "" or any(ch in f for ch in '",\r\n'):
                fields.append('"' + f.replace('"', '""') + '"')
            else:
                fields.append(f)
        out.append(",".join(fields) + "\r\n")
    return "".join(out).encode("utf-8")


def make_databases():
    conn = psycopg2.connect(dbname="postgres")
    conn.autocommit = True
    with conn.cursor() as cur:
        for db in ("dpex_types", "dpex_sqlascii"):
            cur.execute("DROP DATABASE IF EXISTS %s" % db)
        cur.execute("CREATE DATABASE dpex_types ENCODING 'UTF8' "
                    "TEMPLATE template0")
        cur.execute("CREATE DATABASE dpex_sqlascii ENCODING 'SQL_ASCII' "
                    "LC_COLLATE 'C' LC_CTYPE 'C' TEMPLATE template0")
    conn.close()
    for db, ddl in (("dpex_types", TYPES_DDL), ("dpex_sqlascii", ASCII_DDL)):
        conn = psycopg2.connect(dbname=db)
        conn.autocommit = True
        with conn.cursor() as cur:
            cur.execute(ddl)
        conn.close()


def excel_text(s):
    """A string as Excel shows it: XML cannot hold most control characters,
    so XLSX writes them as ST_Xstring escapes ("_x0001_"), which openpyxl
    leaves as they are."""
    if not isinstance(s, str):
        return s
    return re.sub(r"_x([0-9A-F]{4})_", lambda m: chr(int(m.group(1), 16)), s)


# Runs a command and prints its peak RSS in kB on stderr's last line: a
# child of its own, so the figure is that command's alone.
MEASURE = ("import resource, subprocess, sys\n"
           "r = subprocess.run(sys.argv[1:])\n"
           "print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss,"
           " file=sys.stderr)\n"
           "sys.exit(r.returncode)\n")


class Export:
    def __init__(self, tmp, tag, formats, extra=(), measure=False):
        self.dir = tempfile.mkdtemp(dir=tmp)
        args = [DPEX, "export", "--map", os.path.join(tmp, "map.json"),
                "--subject", "tag=" + tag, "--out", self.dir, "--format",
                formats, *extra]
        env = None
        if measure:
            args = [sys.executable, "-c", MEASURE] + args
            # A small ASan quarantine, so the peak is dpex's own memory.
            env = dict(os.environ, ASAN_OPTIONS="quarantine_size_mb=4")
        self.run = subprocess.run(args, capture_output=True, text=True,
                                  env=env)
        if self.run.returncode != 0:
            raise AssertionError("dpex export failed (%d): %s" % (
                self.run.returncode, self.run.stderr))
        if measure:
            self.peak_kb = int(self.run.stderr.strip().splitlines()[-1])
        self.path = self.run.stdout.strip()
        self.zip = zipfile.ZipFile(self.path)
        self.manifest = json.loads(self.zip.read("manifest.json"))
        # The published schemas hold here too (data.json up to 50 MB).
        bad = check_archive(self.zip, max_bytes=50 << 20)
        if bad:
            raise AssertionError("schema: " + "; ".join(bad[:5]))

    def read(self, name):
        return self.zip.read(name)

    def workbook(self):
        return openpyxl.load_workbook(io.BytesIO(self.read("data.xlsx")))


def setUpModule():
    make_databases()


class Types(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.tmp = tempfile.TemporaryDirectory()
        with open(os.path.join(cls.tmp.name, "map.json"), "w") as f:
            json.dump(MAP, f)
        cls.ex = Export(cls.tmp.name, "types", "json,csv,xlsx,csv-safe")
        cls.doc = json.loads(cls.ex.read("data.json").decode("utf-8"),
                             parse_float=D)
        cls.wb = cls.ex.workbook()

    @classmethod
    def tearDownClass(cls):
        cls.tmp.cleanup()

    # --- data.json ---------------------------------------------------------

    def test_json_values_of_every_type(self):
        got = self.doc["entities"]["vals"]
        self.assertEqual(len(got), len(JSON_ROWS))
        for g, w in zip(got, JSON_ROWS):
            self.assertEqual(list(g), COLS)
            for c in COLS:
                self.assertEqual(g[c], w[c], (w["id"], c))
                if isinstance(w[c], D) or type(w[c]) is int:
                    self.assertIs(type(g[c]), type(w[c]), (w["id"], c))

    def test_json_numbers_are_exact_digits(self):
        raw = self.ex.read("data.json")
        for digits in (b'"i8": 9223372036854775807',
                       b'"i8": -9223372036854775808',
                       b'"num": 1234567890.12345678901234567890',
                       b'"num": -0.000000000000000000000000000001',
                       b'"f8": 0.1,', b'"an": [1.50, null]',
                       b'"f4": "NaN"', b'"f8": "Infinity"'):
            self.assertIn(digits, raw)

    def test_json_is_valid_utf8_with_escapes_and_raw_characters(self):
        raw = self.ex.read("data.json")
        raw.decode("utf-8")  # strict
        self.assertIn(b'"t": "a\\u0001b\\tc\\r\\nd\\"e,f"', raw)
        # 4-byte characters raw, U+2028 escaped (it ends a JavaScript line).
        self.assertIn('"t": "\U0001F600 Zoë 日本 \\u2028end"'.encode(), raw)
        # Each row on one line even with a json value that had a newline.
        self.assertIn(b'"j": {"a": [1, 2.50, "x"],  "b": "\\u00e9"}', raw)

    # --- csv/ ----------------------------------------------------------------

    def test_csv_is_byte_exact(self):
        want = (",".join(COLS) + "\r\n").encode() + rfc4180(csv_rows())
        self.assertEqual(self.ex.read("csv/vals.csv"), want)

    def test_csv_reads_back_with_python(self):
        text = self.ex.read("csv/vals.csv").decode("utf-8")
        rows = list(csv.reader(io.StringIO(text, newline="")))
        self.assertEqual(rows[0], COLS)
        self.assertEqual(rows[1:], [[f if f is not None else "" for f in r]
                                    for r in csv_rows()])

    # --- data.xlsx -----------------------------------------------------------

    def cells(self, sheet, col):
        ws = self.wb[sheet]
        header = [c.value.removesuffix(" (UTC)") for c in ws[1]]
        j = header.index(col)
        return [r[j] for r in ws.iter_rows(min_row=2)]

    def values(self, col):
        return [c.value for c in self.cells("vals", col)]

    def types(self, col):
        return "".join(c.data_type for c in self.cells("vals", col))

    def test_xlsx_numbers_only_where_excel_keeps_them(self):
        self.assertEqual(self.values("i2"), [32767, -32768, 0, None, None])
        self.assertEqual(self.values("i8"), ["9223372036854775807",
                                             "-9223372036854775808", 0,
                                             None, None])
        # 15 digits a number, 16 text (Excel keeps 15).
        self.assertEqual(self.values("i8b"), [123456789012345,
                                              "1234567890123456",
                                              -999999999999999, None, None])
        self.assertEqual(self.values("num"), [
            "1234567890.12345678901234567890", -1e-30, 0, "NaN", None])
        self.assertEqual(self.values("f4"), ["NaN", "-Infinity", 1.5, None,
                                             None])
        self.assertEqual(self.types("f8"), "snnnn")
        self.assertEqual(self.values("b"), [True, False, None, None, None])
        self.assertEqual(self.values("dom"), [5, None, None, None, None])
        self.assertEqual(self.values("ean")[0], "8712345678906")

    def test_xlsx_dates_real_where_excel_has_them_text_elsewhere(self):
        self.assertEqual(self.values("d"), [
            "0001-01-01", dt.datetime(9999, 12, 31), "0044-03-15 BC",
            "infinity", "-infinity"])
        self.assertEqual(self.values("ts"), [
            "0001-01-01T00:00:00", dt.datetime(9999, 12, 31, 23, 59, 59),
            "infinity", "0044-03-15 12:00:00 BC", "-infinity"])
        self.assertEqual(self.values("tstz"), [
            "infinity", dt.datetime(2024, 7, 1, 12, 0), "-infinity",
            "0044-03-15 12:00:00+00 BC", "infinity"])
        tm = self.values("tm")
        self.assertEqual(tm[0], dt.time(0, 0))
        # Excel shows milliseconds at most, and would round this one up
        # to 00:00:00: text.
        self.assertEqual(tm[1], "23:59:59.999999")
        self.assertEqual(tm[3], "24:00:00")
        self.assertEqual(self.values("tmtz")[:2],
                         ["13:45:00+02:00", "00:00:00-05:30"])
        header = [c.value for c in self.wb["vals"][1]]
        self.assertIn("tstz (UTC)", header)

    def test_xlsx_text_of_other_types(self):
        self.assertEqual(self.values("by")[:2], ["AP8Q", None])
        self.assertEqual(self.values("at")[0],
                         '{"a b","c\\"d",NULL,"NULL","","x\\\\y"}')
        self.assertEqual(self.values("jb")[:3], ['{"a": 1, "b": null}', '"s"',
                                                 "null"])
        self.assertEqual(self.values("iv")[:2], ["P1Y2M3DT4H5M6.5S", "P-1D"])
        self.assertEqual(self.values("comp")[0], '(1,"a,b")')
        self.assertEqual([excel_text(v) for v in self.values("t")[2:4]], [
            'a\x01b\tc\r\nd"e,f', "\U0001F600 Zoë 日本 \u2028end"])

    def test_xlsx_null_and_empty_string_differ(self):
        # vc: '' in row 1, NULL in row 2. Both cells are empty; the empty
        # string's is formatted as text.
        vc = self.cells("vals", "vc")
        self.assertEqual((vc[0].value, vc[0].number_format), (None, "@"))
        self.assertEqual((vc[1].value, vc[1].number_format),
                         (None, "General"))

    # --- spreadsheet safety --------------------------------------------------

    def test_no_cell_is_a_formula(self):
        for ws in self.wb:
            for row in ws.iter_rows():
                for c in row:
                    self.assertNotEqual(c.data_type, "f", (ws.title, c))
        got = [excel_text(c.value) for c in self.cells("formulas", "v")]
        self.assertEqual(got, ["=1+1", "+31 6 1234 5678", "-25.00",
                               "@SUM(A1:A9)", "\tx", "\rx",
                               '=HYPERLINK("http://example.com","x")',
                               "plain", "_x0041_ as typed"])
        self.assertEqual([c.value for c in self.cells("formulas", "amount")],
                         [-25, 3] + [None] * 7)

    def test_csv_stays_faithful_and_csv_safe_defuses_formulas(self):
        faithful = self.ex.read("csv/formulas.csv")
        self.assertEqual(faithful, (
            'id,v,amount\r\n1,=1+1,-25.00\r\n2,+31 6 1234 5678,3\r\n'
            '3,-25.00,\r\n4,@SUM(A1:A9),\r\n5,\tx,\r\n6,"\rx",\r\n'
            '7,"=HYPERLINK(""http://example.com"",""x"")",\r\n'
            '8,plain,\r\n9,_x0041_ as typed,\r\n').encode())
        safe = self.ex.read("csv-safe/formulas.csv")
        self.assertEqual(safe, (
            "id,v,amount\r\n1,'=1+1,-25.00\r\n2,'+31 6 1234 5678,3\r\n"
            "3,'-25.00,\r\n4,'@SUM(A1:A9),\r\n5,'\tx,\r\n6,\"'\rx\",\r\n"
            "7,\"'=HYPERLINK(\"\"http://example.com\"\",\"\"x\"\")\",\r\n"
            "8,plain,\r\n9,_x0041_ as typed,\r\n").encode())
        # Every other file is the same in both, bar the apostrophes.
        for name in self.ex.zip.namelist():
            if name.startswith("csv/"):
                safe_name = "csv-safe/" + name[4:]
                self.assertIn(safe_name, self.ex.zip.namelist())

    # --- Excel limits --------------------------------------------------------

    def test_long_values_whole_in_json_and_csv_truncated_in_xlsx(self):
        full = "abcé" * 262144
        rows = self.doc["entities"]["long_values"]
        self.assertEqual(rows[0]["v"], full)
        text = self.ex.read("csv/long_values.csv").decode("utf-8")
        self.assertEqual(list(csv.reader(io.StringIO(text, newline="")))[1],
                         ["1", full])
        v = [c.value for c in self.cells("long_values", "v")]
        mark = (" \u2026 [truncated: Excel holds 32,767 characters a cell; "
                "the full value is in data.json and the CSV file]")
        self.assertEqual(len(v[0]), 32767)
        self.assertTrue(v[0].endswith(mark))
        self.assertEqual(v[0][:-len(mark)], full[:32767 - len(mark)])
        self.assertEqual(v[1], "x" * 32767)  # exactly the limit: whole
        self.assertEqual(len(v[2]), 32767)
        self.assertTrue(v[2].endswith(mark))
        # Excel counts characters in UTF-16: an emoji is 2 of the 32,767.
        units = lambda t: sum(2 if ord(ch) > 0xFFFF else 1 for ch in t)
        self.assertEqual(v[3], "\U0001F600" * ((32767 - len(mark)) // 2)
                         + mark)
        self.assertLessEqual(units(v[3]), 32767)
        self.assertEqual(v[4], "\U0001F600" * 16383 + "a")
        self.assertEqual(units(v[4]), 32767)
        self.assertEqual(rows[3]["v"], "\U0001F600" * 20000)

    def test_sheet_names_are_valid(self):
        self.assertEqual(self.wb.sheetnames, [
            "vals", "formulas", "long_values",
            "customer_contact_preferences_hi", "legacy_notes", "visits",
            "events"])

    # --- invalid UTF-8 from SQL_ASCII ----------------------------------------

    def test_invalid_utf8_replaced_everywhere_and_counted(self):
        # What Python's decoder makes of the bytes stored: the text and the
        # number of U+FFFD (one per maximal subpart) it puts in.
        stored = [b"caf\xe9 ok \xff\xfe end", b"clean",
                  b"\xc3\xa9 valid, then cut: \xe2\x82",
                  b"\xc0\xaf \xed\xa0\x80 \xf4\x90\x80\x80 \xf0\x9f\x98!"]
        want = [b.decode("utf-8", "replace") for b in stored]
        self.assertEqual(want[3], "\ufffd" * 2 + " " + "\ufffd" * 3 + " " +
                         "\ufffd" * 4 + " \ufffd!")
        replaced = sum(w.count("\ufffd") for w in want)
        self.assertEqual([r["body"] for r in
                          self.doc["entities"]["legacy_notes"]], want)
        for name in ("csv/legacy_notes.csv", "csv-safe/legacy_notes.csv"):
            text = self.ex.read(name).decode("utf-8")  # strict
            rows = list(csv.reader(io.StringIO(text, newline="")))
            self.assertEqual([r[1] for r in rows[1:]], want)
        self.assertEqual([c.value for c in self.cells("legacy_notes", "body")],
                         want)
        counts = {e["name"]: e["invalid_utf8_replaced"]
                  for e in self.ex.manifest["entities"]}
        self.assertEqual(counts["legacy_notes"], replaced)
        self.assertEqual(counts["visits"], 1)
        self.assertEqual(counts["vals"], 0)
        self.assertEqual(self.ex.manifest["invalid_utf8_replaced"],
                         replaced + 1)

    def test_identifier_values_that_are_not_utf8_are_repaired(self):
        # Found through the link in the SQL_ASCII database, matched there
        # with the bytes as they are, shown with U+FFFD.
        self.assertEqual(self.ex.manifest["subject"]["legacy_ref"],
                         ["ref-\ufffd"])
        self.assertEqual(self.doc["subject"]["legacy_ref"], ["ref-\ufffd"])
        self.assertEqual(self.doc["entities"]["visits"],
                         [{"ref": "ref-\ufffd", "day": "2024-01-01"}])

    def test_archive_passes_unzip_t(self):
        r = subprocess.run(["unzip", "-t", self.ex.path],
                           capture_output=True, text=True)
        self.assertEqual(r.returncode, 0, r.stdout + r.stderr)


class MoreRowsThanASheet(unittest.TestCase):
    """1,048,600 rows of one entity: the sheet is full at 1,048,576 rows
    (header included) and the rest continue on "events (2)"."""

    def test_rows_continue_on_a_second_sheet(self):
        tmp = tempfile.TemporaryDirectory()
        with open(os.path.join(tmp.name, "map.json"), "w") as f:
            json.dump(MAP, f)
        ex = Export(tmp.name, "big", "xlsx", measure=True)
        # Rows stream to the sheets' temporary files (constant_memory):
        # the peak (about 40 MB under ASan) stays far below what a million
        # rows would take.
        self.assertLess(ex.peak_kb, 100 * 1024, "peak RSS %d kB" % ex.peak_kb)
        self.assertEqual({e["name"]: e["rows"]
                          for e in ex.manifest["entities"]}["events"],
                         BIG_ROWS)
        x = zipfile.ZipFile(io.BytesIO(ex.read("data.xlsx")))
        names = re.findall(r'<sheet name="([^"]*)"',
                           x.read("xl/workbook.xml").decode())
        self.assertEqual(names, ["vals", "formulas", "long_values",
                                 "customer_contact_preferences_hi",
                                 "legacy_notes", "visits", "events",
                                 "events (2)"])
        sheet = {n: "xl/worksheets/sheet%d.xml" % (i + 1)
                 for i, n in enumerate(names)}
        # The full sheet ends with n = 1,048,575 on Excel's last row.
        with x.open(sheet["events"]) as f:
            head = f.read(2000).decode()
            tail = b""
            while True:
                chunk = f.read(1 << 20)
                if not chunk:
                    break
                tail = (tail + chunk)[-4000:]
        self.assertIn('<dimension ref="A1:A1048576"/>', head)
        self.assertRegex(tail.decode(),
                         r'<row r="1048576"[^>]*><c r="A1048576"><v>1048575'
                         r'</v></c></row></sheetData>')
        wb = openpyxl.load_workbook(io.BytesIO(ex.read("data.xlsx")),
                                    read_only=True)
        rows = [[c.value for c in r] for r in wb["events (2)"].iter_rows()]
        self.assertEqual(rows, [["n"]] + [[n] for n in
                                          range(1048576, BIG_ROWS + 1)])
        wb.close()
        tmp.cleanup()


if __name__ == "__main__":
    result = unittest.main(verbosity=2, exit=False).result
    failed = len(result.failures) + len(result.errors)
    print("%d passed, %d failed" % (result.testsRun - failed, failed))
    sys.exit(1 if failed else 0)
