#!/usr/bin/python3
"""End to end: the cover pages of real exports of the sample estate, in
English, Dutch and Swedish, read back with Python's html.parser and
zipfile: the page parses, links only to members of the ZIP, loads nothing
from outside, runs no script, counts the rows the manifest counts, escapes
hostile values, speaks the language asked for; README.txt lists the same
files.

Needs: DPEX_BIN (the dpex binary), DPEX_MAP (the sample map), and the libpq
variables of a cluster loaded by scripts/gen-sample.
"""
import html.parser
import json
import os
import re
import subprocess
import sys
import tempfile
import unittest
import urllib.parse
import zipfile

import psycopg2

DPEX = os.environ["DPEX_BIN"]
MAP = os.environ["DPEX_MAP"]
SASKIA = "saskia.vandenberg@example.nl"
HOSTILE_EMAIL = "x<script>alert(1)</script>@example.org"
HOSTILE_REF = "<b>&\"ref'"
HOSTILE_ID = 987654321

# What each language must call its headings (h1, then some h2s).
HEADINGS = {
    "en": ("Your personal data", ["Who this is about",
                                  "Your data at a glance",
                                  "The files in this archive",
                                  "Your rights", "Making a complaint"]),
    "nl": ("Uw persoonsgegevens", ["Over wie dit gaat",
                                   "Uw gegevens in het kort",
                                   "De bestanden in dit archief",
                                   "Uw rechten", "Een klacht indienen"]),
    "sv": ("Dina personuppgifter", ["Vem det gäller",
                                    "Dina uppgifter i korthet",
                                    "Filerna i detta arkiv",
                                    "Dina rättigheter", "Klagomål"]),
}


def dpex(*args):
    return subprocess.run([DPEX, *args], capture_output=True, text=True)


class Page(html.parser.HTMLParser):
    """Everything the checks need from one HTML page."""

    def __init__(self, text):
        super().__init__(convert_charrefs=True)
        self.tags = []          # (tag, attrs) in document order
        self.headings = []      # (level, text)
        self.tables = []        # each a list of rows, each a list of cells
        self.data = []          # every text node, unescaped
        self._heading = None
        self._cell = None
        self.open = []
        self.feed(text)
        self.close()
        if self.open:
            raise AssertionError("unclosed: %s" % self.open)

    VOID = {"meta", "br", "hr", "img", "input", "link", "wbr"}

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        self.tags.append((tag, attrs))
        if tag not in self.VOID:
            self.open.append(tag)
        if re.fullmatch(r"h[1-6]", tag):
            self._heading = (int(tag[1]), [])
        elif tag == "table":
            self.tables.append([])
        elif tag == "tr":
            self.tables[-1].append([])
        elif tag in ("td", "th") and self.tables:
            self._cell = []

    def handle_endtag(self, tag):
        # Every element is closed, in order: no markup from data broke out.
        if not self.open or self.open[-1] != tag:
            raise AssertionError("</%s> closes <%s>" % (
                tag, self.open[-1] if self.open else "nothing"))
        self.open.pop()
        if re.fullmatch(r"h[1-6]", tag) and self._heading:
            self.headings.append((self._heading[0],
                                  "".join(self._heading[1]).strip()))
            self._heading = None
        elif tag in ("td", "th") and self._cell is not None:
            self.tables[-1][-1].append("".join(self._cell).strip())
            self._cell = None

    def handle_data(self, data):
        self.data.append(data)
        if self._heading:
            self._heading[1].append(data)
        if self._cell is not None:
            self._cell.append(data)

    def table_with_header(self, first):
        for t in self.tables:
            if t and t[0] and t[0][0] == first:
                return t
        raise AssertionError("no table headed %r" % first)


def number(text):
    """A count as the page writes it in any language: 1,234 1.234 1 234."""
    return int(re.sub(r"[,.\s\u00a0]", "", text))


class Archive:
    def __init__(self, subject, lang, formats="json,csv,xlsx"):
        self.dir = tempfile.TemporaryDirectory()
        args = ["export", "--map", MAP, "--out", self.dir.name, "--subject",
                subject, "--quiet", "--format", formats]
        if lang:
            args += ["--lang", lang]
        r = dpex(*args)
        if r.returncode != 0:
            raise AssertionError("dpex export: %d %s" % (r.returncode, r.stderr))
        self.zip = zipfile.ZipFile(r.stdout.strip())
        self.names = self.zip.namelist()
        self.manifest = json.loads(self.zip.read("manifest.json"))
        self.html = self.zip.read("index.html").decode("utf-8")
        self.readme = self.zip.read("README.txt").decode("utf-8")
        self.page = Page(self.html)

    def close(self):
        self.zip.close()
        self.dir.cleanup()


class CoverPages(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.archives = {lang: Archive("email=" + SASKIA, lang)
                        for lang in ("en", "nl", "sv")}
        cls.default = Archive("email=" + SASKIA, None)

    @classmethod
    def tearDownClass(cls):
        for a in list(cls.archives.values()) + [cls.default]:
            a.close()

    def each(self):
        for lang, a in self.archives.items():
            with self.subTest(lang=lang):
                yield lang, a

    def test_pages_come_first_and_the_manifest_lists_them(self):
        for _, a in self.each():
            self.assertEqual(a.names[:2], ["index.html", "README.txt"])
            self.assertEqual([f["name"] for f in a.manifest["files"]][:2],
                             ["index.html", "README.txt"])
            r = subprocess.run(["unzip", "-t", a.zip.filename],
                               capture_output=True, text=True)
            self.assertEqual(r.returncode, 0, r.stdout)

    def test_every_link_is_a_member_of_the_zip(self):
        for _, a in self.each():
            # The supervisory authority's web site is checked below.
            hrefs = [attrs["href"] for tag, attrs in a.page.tags
                     if tag == "a" and "href" in attrs
                     and attrs.get("rel") != "external noreferrer"]
            self.assertTrue(hrefs)
            for href in hrefs:
                self.assertIn(urllib.parse.unquote(href), a.names, href)
            # Every member is linked from the page.
            linked = {urllib.parse.unquote(h) for h in hrefs}
            self.assertEqual(linked, set(a.names))

    def test_nothing_external_and_no_script(self):
        for _, a in self.each():
            about = (json.loads(a.zip.read("about.json"))
                     if "about.json" in a.names else {})
            authority = (about.get("supervisory_authority") or {}).get("url")
            for tag, attrs in a.page.tags:
                self.assertNotIn(tag, ("script", "iframe", "object", "embed",
                                       "link", "img", "base", "form"))
                for k, v in attrs.items():
                    self.assertFalse(k.startswith("on"), (tag, k))
                    if k in ("src", "srcset", "action", "data"):
                        self.fail("%s %s=%s" % (tag, k, v))
                    if k == "href" and (urllib.parse.urlsplit(v).scheme or
                                        v.startswith("//")):
                        self.assertEqual(v, authority, "external link")
            self.assertNotRegex(a.html, r"(?i)<script|javascript:|@import|url\(")

    def test_accessible_markup(self):
        for lang, a in self.each():
            html_tag = [attrs for tag, attrs in a.page.tags if tag == "html"]
            self.assertEqual(html_tag, [{"lang": lang}])
            self.assertTrue(a.html.startswith("<!DOCTYPE html>\n"))
            self.assertEqual([lvl for lvl, _ in a.page.headings][:2], [1, 2])
            for table in a.page.tables:
                self.assertTrue(table)
            ths = [attrs.get("scope") for tag, attrs in a.page.tags
                   if tag == "th"]
            self.assertTrue(ths)
            self.assertTrue(all(s in ("col", "row") for s in ths))

    def test_each_language_gives_its_own_headings(self):
        for lang, a in self.each():
            h1, h2s = HEADINGS[lang]
            self.assertEqual(a.page.headings[0], (1, h1))
            got = [t for lvl, t in a.page.headings if lvl == 2]
            for h in h2s:
                self.assertIn(h, got)
            for other, (oh1, oh2s) in HEADINGS.items():
                if other != lang:
                    self.assertNotIn(oh1, a.html)
                    self.assertFalse(set(oh2s) & set(got), other)
            self.assertTrue(a.readme.startswith(h1 + "\n" + "=" * len(h1)))
        # Without --lang: English.
        self.assertEqual(self.default.page.headings[0],
                         (1, HEADINGS["en"][0]))

    def test_row_counts_match_the_manifest(self):
        for lang, a in self.each():
            table = a.page.table_with_header(
                {"en": "Table", "nl": "Tabel", "sv": "Tabell"}[lang])
            shown = {row[0]: number(row[2]) for row in table[1:-1]}
            want = {e["name"]: e["rows"] for e in a.manifest["entities"]}
            self.assertEqual(shown, want)
            self.assertEqual(number(table[-1][2]), sum(want.values()))
            files = a.page.table_with_header(
                {"en": "File", "nl": "Bestand", "sv": "Fil"}[lang])
            rows = {row[0]: row[2] for row in files[1:]}
            for f in a.manifest["files"]:
                if "rows" in f:
                    self.assertEqual(number(rows[f["name"]]), f["rows"],
                                     f["name"])

    def test_readme_lists_the_same_files(self):
        for _, a in self.each():
            listed = [line.split()[0] for line in a.readme.splitlines()
                      if re.match(r"  \S+\.(html|txt|json|csv|xlsx)\b", line)]
            self.assertEqual(listed, a.names)
            for line in a.readme.splitlines():
                self.assertLessEqual(len(line), 76, line)
                self.assertNotIn("<a ", line)

    def test_only_the_formats_asked_for_are_listed_and_linked(self):
        a = Archive("email=" + SASKIA, "nl", formats="json")
        try:
            self.assertEqual(a.names, ["index.html", "README.txt",
                                       "data.json", "about.json",
                                       "manifest.json"])
            hrefs = {attrs["href"] for tag, attrs in a.page.tags
                     if tag == "a"}
            # Besides the files, the one link out: where to complain.
            about = json.loads(a.zip.read("about.json"))
            self.assertEqual(hrefs, set(a.names) | {
                about["supervisory_authority"]["url"]})
            self.assertNotIn("csv/", a.readme)
            # The counts are there without a CSV file to link.
            table = a.page.table_with_header("Tabel")
            self.assertEqual(number(table[-1][2]),
                             sum(e["rows"] for e in a.manifest["entities"]))
        finally:
            a.close()

    def test_every_file_says_what_it_is_for(self):
        a = Archive("email=" + SASKIA, "en", formats="json,csv,csv-safe")
        try:
            files = a.page.table_with_header("File")
            use = {row[0]: row[1] for row in files[1:]}
            self.assertEqual(list(use), a.names)
            for name, text in use.items():
                self.assertNotEqual(text, "Part of the answer to your "
                                    "request.", name)
                if name.startswith("csv-safe/"):
                    self.assertIn("made safe for spreadsheet programs", text)
        finally:
            a.close()

    def test_an_unknown_language_is_a_usage_error(self):
        with tempfile.TemporaryDirectory() as out:
            r = dpex("export", "--map", MAP, "--out", out, "--subject",
                     "email=" + SASKIA, "--lang", "de")
            self.assertEqual(r.returncode, 2)
            self.assertEqual(r.stderr,
                             'dpex export: --lang "de" is not available: '
                             "choose en, nl or sv\n"
                             "Run 'dpex export --help' for usage.\n")
            self.assertEqual(os.listdir(out), [])


class HostileSubject(unittest.TestCase):
    """A customer whose identifiers are markup: the page shows them as
    text."""

    @classmethod
    def setUpClass(cls):
        cls.conn = psycopg2.connect(dbname="crm")
        cls.conn.autocommit = True
        with cls.conn.cursor() as cur:
            cur.execute(
                "INSERT INTO customers (id, customer_number, first_name,"
                " last_name, email, customer_since, preferred_language,"
                " order_ref) VALUES (%s, 'NL-X', 'Eve', 'Evil', %s, now(),"
                " 'en', %s)", (HOSTILE_ID, HOSTILE_EMAIL, HOSTILE_REF))
        try:
            cls.archive = Archive("email=" + HOSTILE_EMAIL, "en")
        except Exception:
            cls.tearDownClass()
            raise

    @classmethod
    def tearDownClass(cls):
        if hasattr(cls, "archive"):
            cls.archive.close()
        with cls.conn.cursor() as cur:
            cur.execute("DELETE FROM customers WHERE id = %s", (HOSTILE_ID,))
        cls.conn.close()

    def test_identifier_values_are_text_not_markup(self):
        a = self.archive
        tags = [tag for tag, _ in a.page.tags]
        self.assertNotIn("script", tags)
        self.assertNotIn("b", tags)
        table = a.page.table_with_header("Identifier")
        values = {row[0]: row[1] for row in table[1:]}
        self.assertEqual(values["email"], HOSTILE_EMAIL)
        self.assertEqual(values["order_ref"], HOSTILE_REF)
        self.assertIn("x&lt;script&gt;alert(1)&lt;/script&gt;@example.org",
                      a.html)
        self.assertIn("&lt;b&gt;&amp;&quot;ref&#39;", a.html)
        self.assertIn("  email        " + HOSTILE_EMAIL + "\n", a.readme)


if __name__ == "__main__":
    result = unittest.main(verbosity=2, exit=False).result
    failed = len(result.failures) + len(result.errors)
    print("%d passed, %d failed" % (result.testsRun - failed, failed))
    sys.exit(1 if failed else 0)
