#!/usr/bin/python3
"""End to end: shapes of real schemas that would put rows under the wrong
parent. A child keyed on a column that is not unique among its parent's
rows is refused by `dpex check` (naming the entity and the column) and
by `dpex export` (nothing written), never nested under the first parent.

Needs: DPEX_BIN and the libpq variables of the cluster scripts/test starts.
"""
import json
import os
import shutil
import subprocess
import tempfile
import unittest

import psycopg2

DPEX = os.environ["DPEX_BIN"]
DB = "dpex_wrong_data"
ANNA = "anna@example.nl"


def sql(text, params=()):
    conn = psycopg2.connect(dbname=DB)
    conn.autocommit = True
    with conn, conn.cursor() as cur:
        cur.execute(text, params)
    conn.close()


def make_map(directory, references, name):
    """orders of a person; each order's tariff rows keyed on references."""
    m = {"sources": {"shop": {"conninfo": "dbname=" + DB}},
         "identifiers": {"email": {}},
         "entities": [
             {"name": "orders", "source": "shop", "table": "orders",
              "columns": ["id", "tariff_code"],
              "match": {"identifier": "email", "column": "email"},
              "order_by": ["id"]},
             {"name": "tariffs", "source": "shop", "table": "tariffs",
              "columns": ["code", "label"],
              "parent": {"entity": "orders", "column": "code",
                         "references": references}}]}
    path = os.path.join(directory, name)
    with open(path, "w") as f:
        json.dump(m, f, indent=2)
    return path


class WrongParent(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        subprocess.run(["dropdb", "--if-exists", DB], check=True)
        subprocess.run(["createdb", DB], check=True)
        # Two consecutive orders share the lookup value the child is keyed
        # on; the child table is a lookup, not a child of one order.
        sql("""
            CREATE TABLE orders (id int PRIMARY KEY, email text,
                                 tariff_code text);
            INSERT INTO orders VALUES (1, %s, 'T1'), (2, %s, 'T1'),
                                      (3, %s, 'T2');
            CREATE TABLE tariffs (code text, label text);
            INSERT INTO tariffs VALUES ('T1', 'standard'), ('1', 'by id'),
                                       ('2', 'by id'), ('3', 'by id');
            """, (ANNA, ANNA, ANNA))
        cls.tmp = tempfile.mkdtemp(prefix="dpex-wrong-")

    @classmethod
    def tearDownClass(cls):
        shutil.rmtree(cls.tmp)
        subprocess.run(["dropdb", "--if-exists", DB], check=True)

    def setUp(self):
        self.out = tempfile.mkdtemp(dir=self.tmp)

    def run_dpex(self, *args):
        return subprocess.run([DPEX] + list(args), capture_output=True,
                              text=True)

    def test_check_refuses_a_reference_that_is_not_unique(self):
        path = make_map(self.tmp, "tariff_code", "lookup.json")
        r = self.run_dpex("check", "--map", path)
        self.assertEqual(r.returncode, 3, r.stderr)
        self.assertIn(
            '$.entities[1].parent.references: entity "tariffs" is nested '
            'under "orders" by column "tariff_code", which is not unique in '
            "public.orders: several orders rows may share a value and their "
            "tariffs rows would go under the wrong one; reference a column "
            "with a primary key or unique constraint (or a unique index) "
            "on it alone\n", r.stderr)

    def test_check_accepts_the_primary_key(self):
        path = make_map(self.tmp, "id", "byid.json")
        r = self.run_dpex("check", "--map", path)
        self.assertEqual(r.returncode, 0, r.stderr)

    def test_export_stops_at_a_repeated_parent_key(self):
        path = make_map(self.tmp, "tariff_code", "lookup-export.json")
        r = self.run_dpex("export", "--map", path, "--subject",
                          "email=" + ANNA, "--out", self.out)
        self.assertEqual(r.returncode, 3, r.stderr)
        self.assertIn(
            'entity "tariffs": two rows of "orders" share the value of '
            '"tariff_code" the rows of "tariffs" are matched on, so they '
            "cannot be placed under the right one; reference a column that "
            "is unique in orders (dpex check --map FILE finds these)\n",
            r.stderr)
        self.assertEqual(os.listdir(self.out), [])


if __name__ == "__main__":
    unittest.main(verbosity=2)
