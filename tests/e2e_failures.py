#!/usr/bin/python3
"""End to end: every way an export can fail ends with one clear message
(what, where, how to fix), the documented exit code, and nothing in the
output directory: no archive, no temporary file.

Covers broken maps, live failures against the real PostgreSQL the test
command starts (a missing table or column, permission denied, a wrong
password, an unreachable server, a statement timeout, the connection
killed in the middle of an export), hostile names and values, and the
output directory missing, not writable, full, or the process killed with
SIGKILL while writing.

Needs: DPEX_BIN and the libpq variables of the cluster scripts/test starts
(it must be a superuser there: the test creates roles and edits
pg_hba.conf for one database of its own).
"""
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import unittest
import zipfile

import psycopg2

from archive_schemas import check_archive

DPEX = os.environ["DPEX_BIN"]
DB = "dpex_fail"
PW_DB = "dpex_fail_pw"
ANNA = "anna@example.nl"
HOSTILE_TABLE = "orders; DROP TABLE victim; --"
HOSTILE_SCHEMA = 'we"ird schema'
HOSTILE_LINK = "link'); DROP TABLE victim; --"
HOSTILE_COLUMNS = ['na"me', "ünï cödé ✓", "x'); DROP TABLE victim; --"]
# Rows in the big table: enough that an export takes a few seconds when
# read through the slow view, and more than a small tmpfs holds.
BIG_ROWS = 60000
ROOT = os.geteuid() == 0
# As root, dpex runs as this unprivileged user when permissions matter
# (root ignores them); scripts/lib.sh creates it.
PG_OS_USER = "dpexpg"


def dpex(*args, env=None, user=None, binary=DPEX):
    cmd = [binary, *args]
    if user:
        cmd = ["runuser", "-u", user, "--", *cmd]
    return subprocess.run(cmd, capture_output=True, text=True, env=env)


def connect(dbname):
    conn = psycopg2.connect(dbname=dbname)
    conn.autocommit = True
    return conn


def sql(dbname, text, params=()):
    with connect(dbname) as conn, conn.cursor() as cur:
        cur.execute(text, params)
        return cur.fetchall() if cur.description else None


def entity(name, table, columns, schema="public", source="fail",
           column="email"):
    return {"name": name, "source": source, "schema": schema, "table": table,
            "columns": columns,
            "match": {"identifier": "email", "column": column}}


def make_map(directory, entities, conninfo="dbname=" + DB, name="map.json"):
    path = os.path.join(directory, name)
    with open(path, "w", encoding="utf-8") as f:
        json.dump({"sources": {"fail": {"conninfo": conninfo}},
                   "identifiers": {"email": {}},
                   "entities": entities}, f, indent=2, ensure_ascii=False)
    return path


PEOPLE = entity("people", "people", ["id", "email", "note"])


class Failures(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        for d in (DB, PW_DB):
            subprocess.run(["dropdb", "--if-exists", d], check=True)
            subprocess.run(["createdb", d], check=True)
        sql(DB, """
            DROP ROLE IF EXISTS dpex_noread;
            CREATE ROLE dpex_noread LOGIN;
            CREATE TABLE people (id int, email text, note text);
            INSERT INTO people VALUES (1, %s, 'hello'), (2, 'bob@example.nl', 'b');
            -- pg_sleep in a view: a query that takes as long as we like.
            CREATE VIEW sleepy_people AS
                SELECT p.id, p.email, p.note FROM people p, pg_sleep(10) s;
            CREATE TABLE big (id int, email text, note text);
            INSERT INTO big SELECT i, %s, repeat(md5(i::text), 2)
                FROM generate_series(1, %s) AS i;
            -- Streams its rows slowly (a pause every 500 rows), so the
            -- export is still writing when the test interferes.
            CREATE VIEW slow_big AS
                SELECT b.id, b.email, b.note FROM big b,
                LATERAL (SELECT pg_sleep(CASE WHEN b.id %% 500 = 0
                                         THEN 0.05 ELSE 0 END)) z;
            CREATE TABLE victim (id int);
            """, (ANNA, ANNA, BIG_ROWS))
        # Names a naive engine would paste into SQL.
        cols = ", ".join('"%s" text' % c.replace('"', '""')
                         for c in HOSTILE_COLUMNS)
        sql(DB, 'CREATE SCHEMA "%s"' % HOSTILE_SCHEMA.replace('"', '""'))
        qualified = '"%s"."%s"' % (HOSTILE_SCHEMA.replace('"', '""'),
                                   HOSTILE_TABLE.replace('"', '""'))
        sql(DB, "CREATE TABLE %s (email text, %s)" % (qualified, cols))
        sql(DB, "INSERT INTO %s VALUES (%%s, 'a', 'b', 'c')" % qualified,
            (ANNA,))
        # A link table with hostile names: email -> "c""id".
        link = '"%s"."%s"' % (HOSTILE_SCHEMA.replace('"', '""'),
                              HOSTILE_LINK.replace('"', '""'))
        sql(DB, 'CREATE TABLE %s (email text, "c""id" int)' % link)
        sql(DB, "INSERT INTO %s VALUES (%%s, 1)" % link, (ANNA,))
        cls.tmp = tempfile.mkdtemp(prefix="dpex-fail-")
        # dpex runs as another user in one test: it must read the maps.
        os.chmod(cls.tmp, 0o755)

    @classmethod
    def tearDownClass(cls):
        shutil.rmtree(cls.tmp)
        for d in (DB, PW_DB):
            subprocess.run(["dropdb", "--if-exists", d], check=True)
        sql("postgres", "DROP ROLE IF EXISTS dpex_noread")

    def setUp(self):
        self.out = tempfile.mkdtemp(dir=self.tmp)

    def tearDown(self):
        shutil.rmtree(self.out, ignore_errors=True)

    def export(self, map_path, subject=ANNA, env=None, user=None, out=None):
        binary = DPEX
        if user:
            # The checkout may sit where that user cannot go (/root is
            # 0700): run a copy from the readable temporary directory.
            binary = os.path.join(self.tmp, "dpex")
            shutil.copy2(DPEX, binary)
        return dpex("export", "--map", map_path, "--out", out or self.out,
                    "--subject", "email=" + subject, env=env, user=user,
                    binary=binary)

    def assert_fails(self, r, code, message):
        """Exit code, the exact message, nothing on stdout, nothing left."""
        self.assertEqual(r.returncode, code, r.stderr)
        self.assertEqual(r.stdout, "")
        self.assertEqual(r.stderr, "dpex: error: " + message + "\n")
        self.assertEqual(os.listdir(self.out), [])

    # -- broken maps: exit 3 -------------------------------------------

    def test_malformed_json_names_file_line_and_column(self):
        path = os.path.join(self.tmp, "broken.json")
        with open(path, "w") as f:
            f.write('{\n  "sources": {\n    "fail": {"conninfo": "x"},\n  }\n}\n')
        r = self.export(path)
        self.assertEqual(r.returncode, 3, r.stderr)
        self.assertEqual(r.stderr, "%s:4:3: invalid JSON: string or '}' "
                         "expected near '}'\ndpex: the map has 1 problem\n"
                         % path)
        self.assertEqual(os.listdir(self.out), [])

    def test_schema_violation_and_unknown_reference(self):
        m = {"sources": {"fail": {"conninfo": "dbname=" + DB}},
             "identifiers": {"email": {}},
             "entities": [dict(PEOPLE, source="billing"),
                          dict(PEOPLE, name="people2", columns="id")]}
        path = os.path.join(self.tmp, "schema.json")
        with open(path, "w") as f:
            json.dump(m, f)
        r = self.export(path)
        self.assertEqual(r.returncode, 3, r.stderr)
        self.assertRegex(r.stderr, re.escape(path) + r":1:\d+: "
                         r"\$\.entities\[0\]\.source: unknown source "
                         r'"billing": declare it under "sources"\n')
        self.assertRegex(r.stderr, re.escape(path) + r":1:\d+: "
                         r"\$\.entities\[1\]\.columns: must be an array, "
                         r"not a string\n")
        self.assertTrue(r.stderr.endswith("dpex: the map has 2 problems\n"))
        self.assertEqual(os.listdir(self.out), [])

    def test_identifier_nothing_uses_is_refused(self):
        m = {"sources": {"fail": {"conninfo": "dbname=" + DB}},
             "identifiers": {"email": {}, "iban": {}},
             "entities": [PEOPLE]}
        path = os.path.join(self.tmp, "unused.json")
        with open(path, "w") as f:
            json.dump(m, f, indent=2)
        r = self.export(path)
        self.assertEqual(r.returncode, 3, r.stderr)
        self.assertIn(": $.identifiers.iban: identifier \"iban\" is used "
                      "by no link and no entity", r.stderr)
        self.assertEqual(os.listdir(self.out), [])

    # -- the databases: exit 4 -----------------------------------------

    def test_missing_table(self):
        path = make_map(self.tmp, [entity("people", "no_such_table",
                                          ["id"])], name="notable.json")
        self.assert_fails(
            self.export(path), 4,
            'entity "people": source "fail": query failed: relation '
            '"public.no_such_table" does not exist; the map names a table '
            "or view this database does not have: fix the map (dpex check "
            "--map FILE lists every such problem)")

    def test_missing_column(self):
        path = make_map(self.tmp, [entity("people", "people",
                                          ["id", "emial"])],
                        name="nocolumn.json")
        r = self.export(path)
        self.assert_fails(
            r, 4,
            'entity "people": source "fail": query failed: column '
            't0.emial does not exist (hint: Perhaps you meant to reference '
            'the column "t0.email".); the map names a column this table '
            "does not have: fix the map (dpex check --map FILE lists every "
            "such problem)")

    def test_permission_denied(self):
        path = make_map(self.tmp, [PEOPLE],
                        conninfo="dbname=%s user=dpex_noread" % DB,
                        name="noread.json")
        self.assert_fails(
            self.export(path), 4,
            'entity "people": source "fail": query failed: permission '
            "denied for table people; the role dpex connects as may not "
            "read it: GRANT SELECT on it (and USAGE on its schema) to that "
            "role")

    def test_wrong_password_is_refused_and_never_shown(self):
        hba = sql("postgres", "SHOW hba_file")[0][0]
        with open(hba) as f:
            saved = f.read()
        sql("postgres", "DROP ROLE IF EXISTS dpex_pw")
        sql("postgres", "CREATE ROLE dpex_pw LOGIN PASSWORD 'right-Secret-1'")
        sql(PW_DB, "CREATE TABLE people (id int, email text, note text);"
                   "GRANT SELECT ON people TO dpex_pw;"
                   "INSERT INTO people VALUES (1, %s, 'pw')", (ANNA,))
        try:
            # The first matching line wins: only this database asks for a
            # password; every other test keeps trust.
            with open(hba, "w") as f:
                f.write("local %s all scram-sha-256\n" % PW_DB + saved)
            sql("postgres", "SELECT pg_reload_conf()")
            time.sleep(0.5)
            path = make_map(self.tmp, [PEOPLE],
                            conninfo="dbname=%s user=dpex_pw" % PW_DB,
                            name="pw.json")
            secret = "wrong-Secret-9"
            env = dict(os.environ, PGPASSWORD=secret)
            r = self.export(path, env=env)
            self.assertNotIn(secret, r.stderr + r.stdout)
            sock = os.path.join(os.environ["PGHOST"], ".s.PGSQL.%s"
                                % os.environ.get("PGPORT", "5432"))
            self.assert_fails(
                r, 4,
                'source "fail": cannot connect: connection to server on '
                'socket "%s" failed: FATAL: password authentication failed '
                'for user "dpex_pw"; check the source\'s conninfo in the '
                "map, that the server is running and reachable from here, "
                "and the credentials (~/.pgpass, PGPASSFILE or PGPASSWORD)"
                % sock)
            # The right one works: the refusal above was the password.
            env = dict(os.environ, PGPASSWORD="right-Secret-1")
            r = self.export(path, env=env)
            self.assertEqual(r.returncode, 0, r.stderr)
        finally:
            with open(hba, "w") as f:
                f.write(saved)
            sql("postgres", "SELECT pg_reload_conf()")

    def test_unreachable_server(self):
        nowhere = tempfile.mkdtemp(dir=self.tmp)
        path = make_map(self.tmp, [PEOPLE],
                        conninfo="host=%s dbname=%s" % (nowhere, DB),
                        name="nowhere.json")
        self.assert_fails(
            self.export(path), 4,
            'source "fail": cannot connect: connection to server on socket '
            '"%s/.s.PGSQL.5432" failed: No such file or directory. Is the '
            "server running locally and accepting connections on that "
            "socket?; check the source's conninfo in the map, that the "
            "server is running and reachable from here, and the credentials "
            "(~/.pgpass, PGPASSFILE or PGPASSWORD)" % nowhere)

    def test_statement_timeout(self):
        path = make_map(self.tmp, [entity("people", "sleepy_people",
                                          ["id", "note"])],
                        conninfo="dbname=%s options='-c statement_timeout=300'"
                        % DB, name="timeout.json")
        r = self.export(path)
        self.assert_fails(
            r, 4,
            'entity "people": source "fail": reading rows failed: '
            "canceling statement due to statement timeout; the query was canceled, "
            "most likely by statement_timeout: raise it for the role dpex "
            "connects as (ALTER ROLE ... SET statement_timeout), or index "
            "the column the map matches on")

    def start_slow_export(self):
        """Starts an export reading the slow view; returns once its rows
        are being written (the spool directory exists)."""
        path = make_map(self.tmp, [entity("big", "slow_big",
                                          ["id", "note"])], name="slow.json")
        p = subprocess.Popen([DPEX, "export", "--map", path, "--out",
                              self.out, "--subject", "email=" + ANNA],
                             stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                             text=True)
        deadline = time.monotonic() + 30
        while not any(n.startswith(".dpex-spool-")
                      for n in os.listdir(self.out)):
            if p.poll() is not None:
                self.fail("export ended early: " + p.communicate()[1])
            self.assertLess(time.monotonic(), deadline)
            time.sleep(0.05)
        time.sleep(0.5)
        self.assertIsNone(p.poll(), "the export finished too fast to test")
        return p

    def test_database_goes_away_in_the_middle(self):
        p = self.start_slow_export()
        killed = sql("postgres",
                     "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                     "WHERE datname = %s AND application_name = 'dpex'",
                     (DB,))
        self.assertEqual(killed, [(True,)])
        out, err = p.communicate(timeout=60)
        self.assertEqual(p.returncode, 4, err)
        self.assertEqual(out, "")
        # libpq reports the server's FATAL message, or only the closed
        # socket, depending on when the termination arrives.
        self.assertRegex(
            err,
            r'^dpex: error: entity "big": source "fail": reading rows '
            r"failed: .*(terminating connection due to administrator "
            r"command|server closed the connection unexpectedly).*; (the "
            r"connection to the server was lost|the server ended the "
            r"connection \(shut down, or the session was terminated\)): "
            r"run the export again when the database is back\n$")
        self.assertEqual(err.count("\n"), 1)
        self.assertEqual(os.listdir(self.out), [])

    def test_sigterm_and_sigint_stop_cleanly(self):
        for sig in (signal.SIGTERM, signal.SIGINT):
            p = self.start_slow_export()
            p.send_signal(sig)
            out, err = p.communicate(timeout=60)
            self.assertEqual(p.returncode, 130, err)
            self.assertEqual(out, "")
            self.assertEqual(err, "dpex: error: interrupted by SIGINT or "
                             "SIGTERM: the export stopped and left nothing "
                             "behind\n")
            self.assertEqual(os.listdir(self.out), [])

    def test_check_reports_an_unreachable_source(self):
        nowhere = tempfile.mkdtemp(dir=self.tmp)
        path = make_map(self.tmp, [PEOPLE],
                        conninfo="host=%s dbname=%s" % (nowhere, DB),
                        name="check-nowhere.json")
        r = dpex("check", "--map", path)
        self.assertEqual(r.returncode, 4, r.stderr)
        self.assertRegex(r.stderr, "^" + re.escape(path) + r':\d+:\d+: '
                         r'\$\.sources\.fail: source "fail": cannot connect: ')
        self.assertTrue(r.stderr.endswith(
            "\ndpex: error: 1 of 1 source could not be reached (see above); "
            "the map could not be checked against it\n"), r.stderr)

    # -- hostile names and values --------------------------------------

    def hostile_map(self):
        path = os.path.join(self.tmp, "hostile.json")
        by_id = dict(entity("people_by_id", "people", ["id", "note"]),
                     match={"identifier": "cid", "column": "id"})
        with open(path, "w", encoding="utf-8") as f:
            json.dump({
                "sources": {"fail": {"conninfo": "dbname=" + DB}},
                "identifiers": {"email": {}, "cid": {}},
                "links": [{"source": "fail", "schema": HOSTILE_SCHEMA,
                           "table": HOSTILE_LINK,
                           "identifiers": {"email": "email", "cid": 'c"id'}}],
                "entities": [entity("hostile", HOSTILE_TABLE,
                                    HOSTILE_COLUMNS, schema=HOSTILE_SCHEMA),
                             PEOPLE, by_id]}, f, ensure_ascii=False)
        return path

    def test_hostile_names_are_quoted_never_executed(self):
        path = self.hostile_map()
        r = dpex("check", "--map", path)
        self.assertEqual(r.returncode, 0, r.stderr)
        r = self.export(path)
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertEqual(sql(DB, "SELECT count(*) FROM victim"), [(0,)])
        with zipfile.ZipFile(r.stdout.strip()) as z:
            self.assertEqual(check_archive(z), [])
            data = json.loads(z.read("data.json"))
            header = z.read("csv/hostile.csv").decode().split("\r\n")[0]
        self.assertEqual(data["entities"]["hostile"],
                         [dict(zip(HOSTILE_COLUMNS, ["a", "b", "c"]))])
        # Found through the hostile link: its query ran, quoted.
        self.assertEqual(data["entities"]["people_by_id"],
                         [{"id": 1, "note": "hello"}])
        self.assertEqual(data["subject"], {"email": [ANNA], "cid": ["1"]})
        self.assertEqual(header, '"na""me",ünï cödé ✓,'
                                 "x'); DROP TABLE victim; --")
        r = dpex("plan", "--map", path)
        self.assertIn('FROM "we""ird schema"."orders; DROP TABLE victim; --"'
                      ' AS t0 WHERE t0."email" OPERATOR(pg_catalog.=) ANY($1)', r.stdout)
        self.assertIn('SELECT DISTINCT t0."c""id"::pg_catalog.text FROM "we""ird '
                      'schema"."link\'); DROP TABLE victim; --" AS t0 WHERE '
                      't0."email" OPERATOR(pg_catalog.=) ANY($1)', r.stdout)

    def test_hostile_values_are_parameters_and_match_nothing(self):
        path = self.hostile_map()
        for value in ("' OR 1=1 --", "x'); DROP TABLE victim; --",
                      # An array literal's own syntax: still one value.
                      ANNA + '","bob@example.nl', "{%s}" % ANNA,
                      ANNA + "\\", '"' + ANNA + '"'):
            r = self.export(path, subject=value)
            self.assertEqual(r.returncode, 5, "%r: %s" % (value, r.stderr))
            self.assertIn("no data about email=%s in any source" % value,
                          r.stderr)
            self.assertEqual(os.listdir(self.out), [])
        self.assertEqual(sql(DB, "SELECT count(*) FROM victim"), [(0,)])

    # -- the output directory: exit 6 ----------------------------------

    def test_output_directory_missing(self):
        path = make_map(self.tmp, [PEOPLE], name="people.json")
        missing = os.path.join(self.out, "no", "such")
        r = self.export(path, out=missing)
        self.assert_fails(
            r, 6, 'output directory "%s" does not exist: create it or '
            "choose another with --out" % missing)

    def test_output_directory_not_writable(self):
        path = make_map(self.tmp, [PEOPLE], name="people.json")
        os.chmod(self.out, 0o555)
        # Root writes anywhere: run as an ordinary user.
        r = self.export(path, user=PG_OS_USER if ROOT else None)
        self.assert_fails(
            r, 6, 'output directory "%s" is not writable: grant write '
            "permission or choose another with --out" % self.out)

    def test_output_is_a_file(self):
        path = make_map(self.tmp, [PEOPLE], name="people.json")
        target = os.path.join(self.out, "afile")
        with open(target, "w") as f:
            f.write("mine")
        r = self.export(path, out=target)
        self.assertEqual(r.returncode, 6, r.stderr)
        self.assertEqual(r.stderr, 'dpex: error: output directory "%s" is '
                         "not a directory: choose another with --out\n"
                         % target)
        self.assertEqual(os.listdir(self.out), ["afile"])

    def test_an_archive_is_never_overwritten(self):
        path = make_map(self.tmp, [PEOPLE], name="people.json")
        args = ("export", "--map", path, "--out", self.out, "--subject",
                "email=" + ANNA, "--request-id", "req-1")
        r = dpex(*args)
        self.assertEqual(r.returncode, 0, r.stderr)
        first = r.stdout.strip()
        with open(first, "rb") as f:
            before = f.read()
        r = dpex(*args)
        self.assertEqual(r.returncode, 6, r.stderr)
        self.assertEqual(r.stderr, 'dpex: error: archive "%s" already '
                         "exists: dpex never overwrites an archive; move it "
                         "away or choose another with --out\n" % first)
        self.assertEqual(os.listdir(self.out), ["dpex-req-1.zip"])
        with open(first, "rb") as f:
            self.assertEqual(f.read(), before)

    def test_disk_full(self):
        """A 256 kB tmpfs as the output directory, in a private mount
        namespace; the subject's rows take some megabytes."""
        if not ROOT or not shutil.which("unshare"):
            self.skipTest("needs root to mount a tmpfs")
        # In a chroot, / is no mount point and a private namespace fails.
        probe = subprocess.run(["unshare", "-m", "--propagation", "private",
                                "true"], capture_output=True, text=True)
        if probe.returncode != 0:
            self.skipTest("no private mount namespace here: " + probe.stderr)
        path = make_map(self.tmp, [entity("big", "big", ["id", "note"])],
                        name="big.json")
        script = ('mount -t tmpfs -o size=256k tmpfs "$1" || exit 99; '
                  'shift; "$@"; rc=$?; ls -A "$OUT"; exit $rc')
        r = subprocess.run(
            ["unshare", "-m", "--propagation", "private", "sh", "-c", script,
             "sh", self.out, DPEX, "export", "--map", path, "--out",
             self.out, "--subject", "email=" + ANNA],
            capture_output=True, text=True, env=dict(os.environ, OUT=self.out))
        if r.returncode == 99:
            self.skipTest("cannot mount a tmpfs here: " + r.stderr)
        self.assertEqual(r.returncode, 6, r.stderr)
        # ls -A of the full tmpfs, after dpex ended: empty.
        self.assertEqual(r.stdout, "")
        self.assertRegex(r.stderr, r'^dpex: error: writing (data\.json|'
                         r'csv/big\.csv|data\.xlsx|dpex-[^ ]+\.zip) in %s: '
                         r"No space left on device\n$" % re.escape(self.out))

    def test_sigkill_leaves_no_archive_under_its_final_name(self):
        p = self.start_slow_export()
        p.send_signal(signal.SIGKILL)
        p.communicate(timeout=30)
        left = os.listdir(self.out)
        # Only the hidden spool, clearly named; no dpex-*.zip.
        self.assertTrue(left, "nothing was being written")
        self.assertTrue(all(n.startswith(".dpex-spool-") for n in left),
                        left)
        # The next export into the same directory removes what the killed
        # one left (its lock died with it) and writes its own archive.
        path = make_map(self.tmp, [PEOPLE], name="people.json")
        r = self.export(path)
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertEqual(os.listdir(self.out),
                         [os.path.basename(r.stdout.strip())])

    def test_sigkill_while_zipping(self):
        """Killed while the ZIP itself is written (inside the spool, the
        longest step for a big subject): no archive under its final name,
        and the next run sweeps the rest."""
        path = make_map(self.tmp, [entity("big", "big", ["id", "note"])],
                        name="big.json")
        for attempt in range(10):
            p = subprocess.Popen([DPEX, "export", "--map", path, "--out",
                                  self.out, "--subject", "email=" + ANNA],
                                 stdout=subprocess.DEVNULL,
                                 stderr=subprocess.DEVNULL)
            zipping = False
            while p.poll() is None and not zipping:
                for spool in os.listdir(self.out):
                    try:
                        inside = os.listdir(os.path.join(self.out, spool))
                    except OSError:
                        continue
                    zipping |= any(n.startswith("dpex-") for n in inside)
                time.sleep(0.001)
            p.kill()
            p.wait()
            if zipping and p.returncode == -signal.SIGKILL:
                break
            shutil.rmtree(self.out)
            os.mkdir(self.out)
        else:
            self.fail("never caught the export while zipping")
        left = os.listdir(self.out)
        self.assertEqual(len(left), 1, left)
        self.assertTrue(left[0].startswith(".dpex-spool-"), left)
        r = self.export(make_map(self.tmp, [PEOPLE], name="people.json"))
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertEqual(os.listdir(self.out),
                         [os.path.basename(r.stdout.strip())])

if __name__ == "__main__":
    result = unittest.main(verbosity=2, exit=False).result
    failed = len(result.failures) + len(result.errors)
    print("%d passed, %d failed" % (result.testsRun - failed, failed))
    sys.exit(1 if failed else 0)
