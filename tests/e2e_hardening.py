#!/usr/bin/python3
"""End to end: a hostile database setting cannot change what dpex reads.

A role or database whose search_path puts a schema before pg_catalog may
define an "=" that is always true; dpex pins the search path empty on every
connection and qualifies the operators, functions and casts it writes, so
a request for nobody still finds nobody and a request for one person gets
that person's rows only.

Needs: DPEX_BIN and the libpq variables of the cluster scripts/test starts
(a superuser there: the test makes a database and a role of its own).
"""
import csv
import io
import json
import os
import shutil
import subprocess
import sys
import tempfile
import unittest
import zipfile

import psycopg2

DPEX = os.environ["DPEX_BIN"]
DB = "dpex_searchpath"
ROLE = "dpex_evil_path"
ANNA = "anna@example.nl"

# An "=" on text that is true for any two values, in a schema that comes
# before pg_catalog; the same for the types dpex casts to.
EVIL = """
    CREATE SCHEMA evil;
    CREATE FUNCTION evil.always(text, text) RETURNS boolean
        LANGUAGE sql IMMUTABLE AS 'SELECT true';
    CREATE OPERATOR evil.= (LEFTARG = text, RIGHTARG = text,
                            FUNCTION = evil.always);
    CREATE FUNCTION evil.always_int(int, int) RETURNS boolean
        LANGUAGE sql IMMUTABLE AS 'SELECT true';
    CREATE OPERATOR evil.= (LEFTARG = int, RIGHTARG = int,
                            FUNCTION = evil.always_int);
"""


def sql(text, params=(), dbname=DB):
    conn = psycopg2.connect(dbname=dbname)
    conn.autocommit = True
    try:
        with conn.cursor() as cur:
            cur.execute(text, params)
    finally:
        conn.close()


class SearchPath(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        subprocess.run(["dropdb", "--if-exists", DB], check=True)
        sql("DROP ROLE IF EXISTS %s" % ROLE, dbname="postgres")
        subprocess.run(["createdb", DB], check=True)
        sql(EVIL)
        sql("""
            CREATE TABLE people (id int PRIMARY KEY, email text, note text);
            CREATE TABLE orders (id int, person_id int, item text);
            INSERT INTO people VALUES (1, %s, 'hers'), (2, 'bob@example.nl',
                                       'his');
            INSERT INTO orders VALUES (10, 1, 'tea'), (11, 2, 'coffee');
            """, (ANNA,))
        sql("CREATE ROLE %s LOGIN SUPERUSER" % ROLE, dbname="postgres")
        cls.tmp = tempfile.mkdtemp()
        cls.map = os.path.join(cls.tmp, "map.json")
        people = {"name": "people", "source": "db", "schema": "public",
                  "table": "people", "columns": ["id", "email", "note"],
                  "match": {"identifier": "email", "column": "email"}}
        orders = {"name": "orders", "source": "db", "schema": "public",
                  "table": "orders", "columns": ["id", "item"],
                  "parent": {"entity": "people", "column": "person_id",
                             "references": "id"}}
        with open(cls.map, "w", encoding="utf-8") as f:
            json.dump({"sources": {"db": {"conninfo": "dbname=" + DB}},
                       "identifiers": {"email": {}},
                       "entities": [people, orders]}, f)

    @classmethod
    def tearDownClass(cls):
        shutil.rmtree(cls.tmp, ignore_errors=True)
        sql("ALTER DATABASE %s RESET search_path" % DB)

    def setUp(self):
        self.out = tempfile.mkdtemp(dir=self.tmp)

    def export(self, subject, env=None, command="export"):
        return subprocess.run(
            [DPEX, command, "--map", self.map, "--out", self.out,
             "--subject", "email=" + subject],
            capture_output=True, text=True, env=env)

    def rows(self, archive, member):
        with zipfile.ZipFile(archive) as z:
            name = next(n for n in z.namelist()
                        if n.endswith(member + ".csv"))
            text = z.read(name).decode("utf-8-sig")
        return list(csv.DictReader(io.StringIO(text)))

    def check_pinned(self, env=None):
        r = self.export("nobody@example.nl", env=env)
        self.assertEqual(r.returncode, 5, r.stderr + r.stdout)
        self.assertEqual(os.listdir(self.out), [])
        r = self.export(ANNA, env=env)
        self.assertEqual(r.returncode, 0, r.stderr)
        archive = r.stdout.strip()
        self.assertEqual([p["note"] for p in self.rows(archive, "people")],
                         ["hers"])
        self.assertEqual([o["item"] for o in self.rows(archive, "orders")],
                         ["tea"])

    def test_database_search_path(self):
        sql("ALTER DATABASE %s SET search_path = evil, pg_catalog, public"
            % DB)
        try:
            self.check_pinned()
        finally:
            sql("ALTER DATABASE %s RESET search_path" % DB)

    def test_role_search_path(self):
        sql("ALTER ROLE %s SET search_path = evil, pg_catalog, public"
            % ROLE, dbname="postgres")
        self.check_pinned(dict(os.environ, PGUSER=ROLE))

    def bulk(self, *subjects, env=None):
        return subprocess.run(
            [DPEX, "bulk", "--map", self.map, "--out", self.out,
             "--format", "csv", *subjects],
            capture_output=True, text=True, env=env)

    def summary(self):
        with open(os.path.join(self.out, "summary.csv"),
                  encoding="utf-8") as f:
            return list(csv.DictReader(f))

    def test_bulk_subjects_query_uses_the_roles_own_search_path(self):
        # The operator's SQL names its table as the operator's sessions do
        # (unqualified); every export still runs pinned.
        sql("ALTER DATABASE %s SET search_path = evil, pg_catalog, public"
            % DB)
        try:
            r = self.bulk("--subjects-query",
                          "SELECT email FROM people WHERE email LIKE 'anna%'",
                          "--source", "db")
            self.assertEqual(r.returncode, 0, r.stderr)
            rows = self.summary()
            self.assertEqual([x["subject"] for x in rows], ["email=" + ANNA])
            archive = os.path.join(self.out, rows[0]["archive"])
            self.assertEqual(
                [p["note"] for p in self.rows(archive, "people")], ["hers"])
            self.assertEqual(
                [o["item"] for o in self.rows(archive, "orders")], ["tea"])
        finally:
            sql("ALTER DATABASE %s RESET search_path" % DB)

    def test_bulk_all_is_pinned(self):
        env = dict(os.environ,
                   PGOPTIONS="-c search_path=evil,pg_catalog,public")
        r = self.bulk("--all", env=env)
        self.assertEqual(r.returncode, 0, r.stderr)
        rows = self.summary()
        self.assertEqual(sorted(x["subject"] for x in rows),
                         ["email=" + ANNA, "email=bob@example.nl"])
        for x in rows:
            archive = os.path.join(self.out, x["archive"])
            notes = [p["note"] for p in self.rows(archive, "people")]
            self.assertEqual(notes, ["hers" if ANNA in x["subject"]
                                     else "his"])

    def test_pgoptions_search_path(self):
        env = dict(os.environ,
                   PGOPTIONS="-c search_path=evil,pg_catalog,public")
        self.check_pinned(env)


if __name__ == "__main__":
    result = unittest.main(verbosity=2, exit=False).result
    failed = len(result.failures) + len(result.errors)
    print("%d passed, %d failed" % (result.testsRun - failed, failed))
    sys.exit(1 if failed else 0)
