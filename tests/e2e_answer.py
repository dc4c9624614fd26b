#!/usr/bin/python3
"""End to end: the complete answer. The same subject exported as an access
request and as a portability request, with the exact differences; the
map's redactions in every format; about.json tailored to the categories in
the archive. Every archive is validated against the published schemas (see
e2e_export.Export).

Needs what e2e_export.py needs: DPEX_BIN, DPEX_MAP and a cluster loaded by
scripts/gen-sample.
"""
import copy
import csv
import io
import json
import os
import sys
import tempfile
import unittest
import zipfile

import openpyxl

from archive_schemas import check_archive, problems
from e2e_export import Export, PROSPECT, SASKIA, MAP, dpex, load_map, query

DATA_MEMBERS = {"data.json", "data.xlsx", "about.json", "manifest.json"}
LEFT_OUT = ["credit_checks", "contact_notes", "segments"]
EXCLUDED = [
    {"entity": "addresses", "column": "ean_code",
     "reason": "data obtained from a third party was not provided by the "
               "person (Art. 20(1))"},
    {"entity": "credit_checks",
     "reason": "data obtained from a third party was not provided by the "
               "person (Art. 20(1))"},
    {"entity": "contact_notes",
     "reason": "internal notes are not data the person provided "
               "(Art. 20(1))"},
    {"entity": "segments",
     "reason": "derived data is not in the scope of Art. 20"},
]
LATE_NOTE = ("Buurvrouw Els de Wit ([e-mail address removed], [phone number "
             "removed]) belde namens klant over de installatie van de "
             "laadpaal.\nKlant zelf bevestigd via +31 6 12345678 en "
             "saskia.vandenberg@example.nl.")


def data_members_of(zf):
    """The archive's data files (what the cover page adds is not ours)."""
    return [n for n in zf.namelist()
            if n in DATA_MEMBERS or n.startswith("csv/")]


def data_members(ex):
    return data_members_of(ex.zip)


def csv_rows(ex, entity):
    text = ex.read("csv/%s.csv" % entity).decode("utf-8")
    return list(csv.reader(io.StringIO(text, newline="")))


def sheet(ex, entity):
    wb = openpyxl.load_workbook(io.BytesIO(ex.read("data.xlsx")))
    return [[c.value for c in row] for row in wb[entity].iter_rows()]


class BothKinds(unittest.TestCase):
    """One subject, access and portability: exactly these differences."""

    @classmethod
    def setUpClass(cls):
        cls.access = Export("email=" + SASKIA)
        cls.port = Export("email=" + SASKIA, extra=["--kind", "portability"])
        cls.map = load_map()

    @classmethod
    def tearDownClass(cls):
        cls.access.close()
        cls.port.close()

    def test_members_differ_by_the_left_out_entities(self):
        a, p = data_members(self.access), data_members(self.port)
        self.assertEqual([n for n in a if n not in p],
                         ["csv/%s.csv" % e for e in LEFT_OUT])
        self.assertEqual([n for n in p if n not in a], [])

    def test_manifest_records_kind_and_what_was_left_out(self):
        ma, mp = self.access.manifest, self.port.manifest
        self.assertEqual(ma["kind"], "access")
        self.assertEqual(mp["kind"], "portability")
        self.assertNotIn("excluded", ma)
        self.assertEqual(mp["excluded"], EXCLUDED)
        names = [e["name"] for e in self.map["entities"]]
        self.assertEqual([e["name"] for e in ma["entities"]], names)
        self.assertEqual([e["name"] for e in mp["entities"]],
                         [n for n in names if n not in LEFT_OUT])
        about = json.loads(self.port.read("about.json"))
        self.assertEqual(about["kind"], "portability")
        self.assertEqual(about["excluded"], EXCLUDED)

    def test_json_is_the_access_document_less_what_is_left_out(self):
        a = json.loads(self.access.read("data.json"))
        p = json.loads(self.port.read("data.json"))
        want = copy.deepcopy(a["entities"])
        for e in LEFT_OUT:
            del want[e]
        for row in want["addresses"]:
            del row["ean_code"]
        self.assertEqual(p["entities"], want)
        self.assertEqual(p["subject"], a["subject"])
        self.assertTrue(all(r["ean_code"] for r in a["entities"]["addresses"]
                            if r["kind"] == "connection"))

    def test_csv_and_xlsx_lose_only_the_ean_code_column(self):
        for e in ["customers", "orders", "order_lines", "subscriptions",
                  "consents", "meter_readings"]:
            with self.subTest(entity=e):
                self.assertEqual(self.port.read("csv/%s.csv" % e),
                                 self.access.read("csv/%s.csv" % e))
                self.assertEqual(sheet(self.port, e), sheet(self.access, e))
        a, p = csv_rows(self.access, "addresses"), csv_rows(self.port,
                                                           "addresses")
        k = a[0].index("ean_code")
        self.assertEqual(p, [r[:k] + r[k + 1:] for r in a])
        a, p = sheet(self.access, "addresses"), sheet(self.port, "addresses")
        k = a[0].index("ean_code")
        self.assertEqual(p, [r[:k] + r[k + 1:] for r in a])
        wb = openpyxl.load_workbook(io.BytesIO(self.port.read("data.xlsx")))
        self.assertEqual(wb.sheetnames,
                         [e["name"] for e in self.map["entities"]
                          if e["name"] not in LEFT_OUT])

    def test_about_lists_only_the_portable_categories(self):
        a = json.loads(self.access.read("about.json"))
        p = json.loads(self.port.read("about.json"))
        self.assertEqual([c["key"] for c in a["categories"]],
                         ["contact", "addresses", "orders", "contracts",
                          "credit", "service", "consents", "profile",
                          "usage"])
        self.assertEqual([c["key"] for c in p["categories"]],
                         ["contact", "addresses", "orders", "contracts",
                          "consents", "usage"])


class Bulk(unittest.TestCase):
    def test_bulk_portability_archives_equal_single_ones(self):
        with tempfile.TemporaryDirectory() as out:
            subjects = os.path.join(out, "subjects.txt")
            with open(subjects, "w") as f:
                f.write("email=%s\n" % SASKIA)
            r = dpex("bulk", "--map", MAP, "--subjects", subjects, "--out",
                     os.path.join(out, "bulk"), "--kind", "portability",
                     "--format", "json,csv", "--jobs", "1",
                     "--progress=none")
            self.assertEqual(r.returncode, 0, r.stderr)
            paths = [os.path.join(d, f) for d, _, fs in
                     os.walk(os.path.join(out, "bulk")) for f in fs
                     if f.endswith(".zip")]
            self.assertEqual(len(paths), 1)
            single = Export("email=" + SASKIA, formats="json,csv",
                            extra=["--kind", "portability"])
            try:
                with zipfile.ZipFile(paths[0]) as z:
                    self.assertEqual(check_archive(z), [])
                    m = json.loads(z.read("manifest.json"))
                    self.assertEqual(m["kind"], "portability")
                    self.assertEqual(m["excluded"], EXCLUDED)
                    self.assertEqual(data_members_of(z),
                                     data_members(single))
                    for n in data_members(single):
                        if n.startswith("csv/"):
                            self.assertEqual(z.read(n), single.read(n), n)
            finally:
                single.close()


class Redaction(unittest.TestCase):
    """Art. 15(4): others' data is redacted in every format, and counted."""

    @classmethod
    def setUpClass(cls):
        cls.ex = Export("email=" + SASKIA)
        cls.notes = query("support", "SELECT id, agent_name, body FROM "
                          "contact_notes WHERE customer_email = %s "
                          "ORDER BY created_at, id", (SASKIA,))

    @classmethod
    def tearDownClass(cls):
        cls.ex.close()

    def test_agent_names_become_a_role_everywhere(self):
        doc = json.loads(self.ex.read("data.json"))
        rows = doc["entities"]["contact_notes"]
        self.assertEqual(len(rows), len(self.notes))
        self.assertEqual({r["agent_name"] for r in rows},
                         {"customer service agent"})
        c = csv_rows(self.ex, "contact_notes")
        k = c[0].index("agent_name")
        self.assertEqual({r[k] for r in c[1:]}, {"customer service agent"})
        s = sheet(self.ex, "contact_notes")
        k = s[0].index("agent_name")
        self.assertEqual({r[k] for r in s[1:]}, {"customer service agent"})
        # No agent's name is anywhere in the archive.
        cells = json.dumps(s, ensure_ascii=False, default=str)
        for n in {r["agent_name"] for r in self.notes}:
            for member in self.ex.zip.namelist():
                if member.endswith((".json", ".csv")):
                    self.assertNotIn(n, self.ex.read(member).decode(),
                                     member)
            self.assertNotIn(n, cells)

    def test_others_contact_details_are_masked_in_every_format(self):
        late = [r for r in self.notes if "Els de Wit" in r["body"]]
        self.assertEqual(len(late), 1)
        self.assertIn("els.dewit@example.org", late[0]["body"])
        doc = json.loads(self.ex.read("data.json"))
        got = [r["body"] for r in doc["entities"]["contact_notes"]
               if r["id"] == late[0]["id"]]
        self.assertEqual(got, [LATE_NOTE])
        c = csv_rows(self.ex, "contact_notes")
        k = c[0].index("body")
        self.assertIn(LATE_NOTE, [r[k] for r in c[1:]])
        s = sheet(self.ex, "contact_notes")
        self.assertIn(LATE_NOTE, [r[k] for r in s[1:]])
        partner = [r["body"] for r in doc["entities"]["contact_notes"]
                   if "Mark de Wit" in r["body"]]
        self.assertEqual(partner, [
            "Klant vraagt dat haar partner, Mark de Wit ([phone number "
            "removed]), mag bellen over de glasvezelinstallatie. Machtiging "
            "vastgelegd."])
        # Notes without anyone else's details are unchanged.
        by_id = {r["id"]: r["body"] for r in self.notes}
        same = [r for r in doc["entities"]["contact_notes"]
                if "removed]" not in r["body"]]
        self.assertEqual(len(same), len(self.notes) - 2)
        for r in same:
            self.assertEqual(r["body"], by_id[r["id"]])

    def test_redactions_are_counted_in_manifest_and_about(self):
        want = {"orders.note": 0,
                "contact_notes.agent_name": len(self.notes),
                "contact_notes.body": 3}
        self.assertEqual(self.ex.manifest["redactions"], want)
        about = json.loads(self.ex.read("about.json"))
        self.assertEqual(about["redactions"], want)

    def test_a_dropped_column_is_in_no_format(self):
        m = load_map()
        notes = [e for e in m["entities"] if e["name"] == "contact_notes"][0]
        notes["columns"] = [{"name": "channel", "redact": "drop"}
                            if c == "channel" else c
                            for c in notes["columns"]]
        with tempfile.NamedTemporaryFile("w", suffix=".json",
                                         delete=False) as f:
            json.dump(m, f)
        try:
            ex = Export("email=" + SASKIA, map_path=f.name)
            try:
                doc = json.loads(ex.read("data.json"))
                rows = doc["entities"]["contact_notes"]
                self.assertTrue(rows)
                self.assertTrue(all("channel" not in r for r in rows))
                self.assertNotIn("channel", csv_rows(ex, "contact_notes")[0])
                self.assertNotIn("channel", sheet(ex, "contact_notes")[0])
                self.assertEqual(
                    ex.manifest["redactions"]["contact_notes.channel"],
                    len(self.notes))
            finally:
                ex.close()
        finally:
            os.unlink(f.name)


class About(unittest.TestCase):
    """about.json says what the law asks, for the data actually found."""

    def test_showcase_categories_with_their_information(self):
        ex = Export("email=" + SASKIA, formats="csv")
        try:
            about = json.loads(ex.read("about.json"))
        finally:
            ex.close()
        self.assertEqual(about["$schema"], "about.schema.json")
        self.assertEqual(about["language"], "en")
        self.assertEqual(about["controller"]["name"],
                         "Noorderlicht Energie & Telecom B.V.")
        self.assertEqual(about["supervisory_authority"],
                         {"name": "Autoriteit Persoonsgegevens",
                          "url": "https://autoriteitpersoonsgegevens.nl",
                          "country": "NL"})
        cats = {c["key"]: c for c in about["categories"]}
        orders = cats["orders"]
        self.assertEqual([(e["name"], e["files"]) for e in orders["entities"]],
                         [("orders", ["csv/orders.csv"]),
                          ("order_lines", ["csv/order_lines.csv"])])
        self.assertEqual(orders["retention"],
                         "7 years after the order, as tax law requires")
        self.assertEqual([b["article"] for b in orders["legal_basis"]],
                         ["6(1)(b)", "6(1)(c)"])
        self.assertIn({"name": "PostNL and DHL Parcel",
                       "category": "Logistics partners", "country": "NL",
                       "safeguards": None}, orders["recipients"])
        credit = cats["credit"]
        self.assertEqual(credit["origin"], {
            "kind": "third_party",
            "source": "Credit bureau Economic Data Resources B.V. (EDR)"})
        self.assertIn("600 or more is accepted",
                      credit["automated_decision"]["logic"])
        self.assertFalse(credit["automated_decision"]["profiling"])
        self.assertTrue(cats["profile"]["automated_decision"]["profiling"])
        self.assertEqual(cats["profile"]["origin"]["kind"], "derived")
        self.assertEqual(cats["usage"]["origin"]["kind"], "observed")
        self.assertEqual(cats["service"]["retention"],
                         "2 years after the contact; call recordings 1 month")
        self.assertEqual([t["country"] for t in
                          about["third_country_transfers"]], ["US", "US"])
        rights = [r["right"] for r in about["rights"]]
        self.assertEqual(rights, ["access", "rectification", "erasure",
                                  "restriction", "portability", "objection",
                                  "withdraw_consent", "human_review",
                                  "complaint"])

    def test_prospect_hears_only_about_customer_service(self):
        ex = Export("email=" + PROSPECT)
        try:
            about = json.loads(ex.read("about.json"))
        finally:
            ex.close()
        self.assertEqual([c["category"] for c in about["categories"]],
                         ["Customer service contacts"])
        self.assertEqual([e["name"] for e in
                          about["categories"][0]["entities"]],
                         ["contact_notes"])
        self.assertEqual(about["third_country_transfers"], [{
            "recipient": "Customer service software provider (processor)",
            "country": "US",
            "safeguards": "Standard contractual clauses (EU 2021/914)"}])
        rights = [r["right"] for r in about["rights"]]
        self.assertNotIn("withdraw_consent", rights)
        self.assertNotIn("human_review", rights)

    def test_the_schema_rejects_a_category_without_retention(self):
        ex = Export("email=" + PROSPECT, formats="json")
        try:
            about = json.loads(ex.read("about.json"))
        finally:
            ex.close()
        self.assertEqual(problems("about.json", about), [])
        del about["categories"][0]["retention"]
        self.assertEqual(problems("about.json", about),
                         ["categories/0: 'retention' is a required "
                          "property"])


class Commands(unittest.TestCase):
    def test_portability_with_a_map_that_says_nothing_is_refused(self):
        m = load_map()
        for e in m["entities"]:
            for k in ("category", "internal"):
                e.pop(k, None)
            e["columns"] = [c if isinstance(c, str) else c["name"]
                            for c in e["columns"]]
        for k in ("categories", "purposes", "recipients"):
            del m[k]
        with tempfile.NamedTemporaryFile("w", suffix=".json",
                                         delete=False) as f, \
                tempfile.TemporaryDirectory() as out:
            json.dump(m, f)
            f.close()
            try:
                r = dpex("export", "--map", f.name, "--out", out, "--kind",
                         "portability", "--subject", "email=" + SASKIA)
                self.assertEqual(r.returncode, 3, r.stderr)
                self.assertEqual(
                    r.stderr, "dpex: error: no entity of the map is in the "
                    "scope of a portability request: give entities an "
                    "origin (provided or observed) and a legal_basis "
                    "(consent or contract) in the map\n")
                self.assertEqual(os.listdir(out), [])
                # An access request needs none of it.
                r = dpex("export", "--map", f.name, "--out", out,
                         "--subject", "email=" + SASKIA)
                self.assertEqual(r.returncode, 0, r.stderr)
            finally:
                os.unlink(f.name)

    def test_unknown_kind_is_a_usage_error(self):
        with tempfile.TemporaryDirectory() as out:
            r = dpex("export", "--map", MAP, "--out", out, "--kind", "bulk",
                     "--subject", "email=" + SASKIA)
            self.assertEqual(r.returncode, 2, r.stderr)
            self.assertEqual(r.stderr, 'dpex: error: unknown kind "bulk": '
                             "choose access (Art. 15) or portability "
                             "(Art. 20)\n")
            self.assertEqual(os.listdir(out), [])

    def test_check_is_quiet_on_the_sample_and_warns_on_gaps(self):
        r = dpex("check", "--map", MAP)
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertEqual(r.stderr, "")
        m = load_map()
        del m["controller"]
        seg = [e for e in m["entities"] if e["name"] == "segments"][0]
        seg["category"] = "Segments"
        with tempfile.NamedTemporaryFile("w", suffix=".json",
                                         delete=False) as f:
            json.dump(m, f, indent=2)
        try:
            r = dpex("check", "--map", f.name)
            self.assertEqual(r.returncode, 0, r.stderr)
            line = [i for i, l in enumerate(open(f.name), 1)
                    if '"name": "segments"' in l][0]
            self.assertEqual(r.stderr.splitlines(), [
                f.name + ":1:1: $: warning: the map does not name the "
                "controller, which every access answer must (Art. 15(1)(f),"
                " 13(1)(a))",
                f.name + ":%d:5: $.entities[8]: warning: entity \"segments\" "
                "does not say its purposes, legal_basis, origin, retention, "
                "recipients, automated_decision; an access answer must tell "
                "the person (Art. 15(1))" % (line - 1)])
        finally:
            os.unlink(f.name)


if __name__ == "__main__":
    result = unittest.main(verbosity=2, exit=False).result
    failed = len(result.failures) + len(result.errors)
    print("%d passed, %d failed" % (result.testsRun - failed, failed))
    sys.exit(1 if failed else 0)
