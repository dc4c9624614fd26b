#!/usr/bin/python3
"""End to end: `dpex queue init` and the control database it makes.

Against the cluster scripts/test starts: two inits at once, idempotence, a
newer schema refused, an unreachable or malformed --control (no secret in
the message); then the schema itself through psycopg2: the status flow
refuses a skipped step, the audit trail refuses UPDATE, DELETE and
TRUNCATE, its hash chain recomputed here from the documented text matches,
an entry altered with the triggers off breaks it, and the outbox and the
notifications exist only for changes that committed.
"""
import hashlib
import os
import select
import subprocess
import unittest

import psycopg2

DPEX = os.environ["DPEX_BIN"]
DB = "dpex_control"
# The newest schema version: one migration file each, numbered from 1.
LATEST = len([f for f in os.listdir(os.path.join(
    os.path.dirname(os.path.abspath(__file__)), "..", "schemas", "control"))
    if f.endswith(".sql")])


def dpex(*args, env=None):
    return subprocess.run([DPEX, *args], capture_output=True, text=True,
                          env=env)


def connect(dbname=DB):
    conn = psycopg2.connect(dbname=dbname)
    conn.autocommit = True
    return conn


def run_sql(dbname, *statements, fetch=False):
    conn = connect(dbname)
    try:
        cur = conn.cursor()
        for s in statements:
            cur.execute(s)
        return cur.fetchall() if fetch else None
    finally:
        conn.close()


def field(value):
    if value is None:
        return b"-\n"
    data = value.encode("utf-8")
    return str(len(data)).encode() + b":" + data + b"\n"


def entry_hash(row):
    return hashlib.sha256(b"".join(field(v) for v in row)).hexdigest()


AUDIT_ROWS = """SELECT request_id::text, n::text,
    to_char(at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"'),
    actor, action, old_status, new_status, detail::text, prev_hash, hash
    FROM dpex.audit WHERE request_id = %s ORDER BY n"""


def verify(cur, request_id):
    """The chain, recomputed from the documented text: None if intact."""
    cur.execute(AUDIT_ROWS, (request_id,))
    prev = "0" * 64
    for row in cur.fetchall():
        if row[8] != prev or entry_hash(row[:9]) != row[9]:
            return int(row[1])
        prev = row[9]
    return None


class QueueInit(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        run_sql("postgres", f"DROP DATABASE IF EXISTS {DB}",
                f"CREATE DATABASE {DB}")

    def test_1_two_at_once_then_idempotent(self):
        procs = [subprocess.Popen([DPEX, "queue", "init", "--control",
                                   "dbname=" + DB], stdout=subprocess.PIPE,
                                  stderr=subprocess.PIPE, text=True)
                 for _ in range(2)]
        outs = sorted(p.communicate()[0] for p in procs)
        self.assertEqual([p.returncode for p in procs], [0, 0])
        self.assertEqual(outs, [
            "control database: schema dpex is at version %d, the newest; "
            "nothing to do\n" % LATEST,
            "control database: schema dpex migrated from version 0 to %d\n"
            % LATEST])
        env = dict(os.environ, DPEX_CONTROL="dbname=" + DB)
        r = dpex("queue", "init", env=env)
        self.assertEqual((r.returncode, r.stderr), (0, ""))
        self.assertEqual(run_sql(DB, "SELECT version FROM dpex.schema_version "
                                 "ORDER BY version", fetch=True),
                         [(v,) for v in range(1, LATEST + 1)])

    def test_2_newer_schema_refused(self):
        run_sql("postgres", "DROP DATABASE IF EXISTS dpex_control_new",
                "CREATE DATABASE dpex_control_new")
        run_sql("dpex_control_new", "CREATE SCHEMA dpex; CREATE TABLE dpex.schema_version"
                        " (version int, applied_at timestamptz, "
                        "dpex_version text); INSERT INTO dpex.schema_version"
                " VALUES (9, now(), 'later')")
        r = dpex("queue", "init", "--control", "dbname=dpex_control_new")
        self.assertEqual(r.returncode, 11)
        self.assertEqual(r.stderr,
                         "dpex: error: control database: its schema is "
                         "version 9, newer than this dpex knows (%d): run "
                         "a dpex of that version or newer; nothing was "
                         "changed\n" % LATEST)
        self.assertEqual(run_sql("dpex_control_new",
                                 "SELECT count(*) FROM pg_tables "
                                 "WHERE schemaname = 'dpex'", fetch=True),
                         [(1,)])

    def test_3_bad_control(self):
        r = dpex("queue", "init", "--control",
                 "host=/nonexistent dbname=x password=hunter2")
        self.assertEqual(r.returncode, 4)
        self.assertIn("control database: cannot connect: connection to "
                      'server on socket "/nonexistent/.s.PGSQL.5432" failed',
                      r.stderr)
        r = dpex("queue", "init", "--control", "dbname=x password hunter2")
        self.assertEqual(r.returncode, 2)
        self.assertEqual(r.stderr,
                         "dpex: error: --control: not a valid connection "
                         'string or URI (e.g. "host=db1 dbname=dpex" or '
                         "postgresql://db1/dpex)\n")
        r = dpex("queue", "init", env={k: v for k, v in os.environ.items()
                                        if k != "DPEX_CONTROL"})
        self.assertEqual(r.returncode, 2)
        self.assertIn("--control DSN is required (or set DPEX_CONTROL)",
                      r.stderr)
        self.assertNotIn("hunter2", r.stdout + r.stderr)


class Schema(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        run_sql("postgres", "DROP DATABASE IF EXISTS dpex_control_flow",
                "CREATE DATABASE dpex_control_flow")
        r = dpex("queue", "init", "--control", "dbname=dpex_control_flow")
        assert r.returncode == 0, r.stderr
        cls.conn = connect("dpex_control_flow")

    def submit(self, cur, ref):
        cur.execute("""INSERT INTO dpex.requests (tracker, ref, kind,
            subject, formats, regime, received_at, legal_due_on, due_on)
            VALUES ('jira', %s, 'access',
            '[{"identifier": "email", "value": "anna@example.nl"}]',
            '{json,csv}', 'gdpr', '2027-01-31 10:00+01', '2027-03-01',
            '2027-03-01') RETURNING id""", (ref,))
        return cur.fetchone()[0]

    def test_status_flow(self):
        cur = self.conn.cursor()
        cur.execute("SELECT set_config('dpex.actor', 'user:privacy', false)")
        rid = self.submit(cur, "T-1")
        with self.assertRaises(psycopg2.Error) as e:
            cur.execute("UPDATE dpex.requests SET status = 'queued' "
                        "WHERE id = %s", (rid,))
        self.assertEqual(e.exception.pgcode, "DX001")
        self.assertEqual(e.exception.diag.message_primary,
                         f"request {rid} is received: it cannot become "
                         "queued; from received it can only become "
                         "verified, cancelled")
        cur.execute("UPDATE dpex.requests SET status = 'verified', "
                    "verified_method = 'login', verified_at = now() "
                    "WHERE id = %s", (rid,))
        cur.execute("UPDATE dpex.requests SET status = 'cancelled' "
                    "WHERE id = %s", (rid,))
        with self.assertRaises(psycopg2.Error) as e:
            cur.execute("UPDATE dpex.requests SET status = 'queued' "
                        "WHERE id = %s", (rid,))
        self.assertEqual(e.exception.diag.message_primary,
                         f"request {rid} is cancelled, which is final: it "
                         "cannot become queued")
        with self.assertRaises(psycopg2.Error):
            cur.execute("INSERT INTO dpex.requests (tracker, ref, kind, "
                        "subject, formats, regime, received_at, legal_due_on,"
                        " due_on, status) VALUES ('jira', 'T-x', 'access', "
                        "'[1]', '{json}', 'gdpr', now(), '2027-03-01', "
                        "'2027-03-01', 'ready')")
        with self.assertRaises(psycopg2.errors.UniqueViolation):
            self.submit(cur, "T-1")
        cur.execute("SELECT n, actor, action, old_status, new_status "
                    "FROM dpex.audit WHERE request_id = %s ORDER BY n", (rid,))
        self.assertEqual(cur.fetchall(), [
            (1, "user:privacy", "submitted", None, "received"),
            (2, "user:privacy", "status", "received", "verified"),
            (3, "user:privacy", "status", "verified", "cancelled")])
        self.assertIsNone(verify(cur, rid))

    def test_audit_append_only_and_chained(self):
        cur = self.conn.cursor()
        rid = self.submit(cur, "T-2")
        cur.execute("UPDATE dpex.requests SET status = 'verified', "
                    "verified_method = 'id document seen' WHERE id = %s",
                    (rid,))
        for statement in ("UPDATE dpex.audit SET actor = 'someone else'",
                          "DELETE FROM dpex.audit", "TRUNCATE dpex.audit"):
            with self.assertRaises(psycopg2.Error) as e:
                cur.execute(statement)
            self.assertEqual(e.exception.diag.message_primary,
                             "the audit trail is append-only: its entries "
                             "are never changed or removed")
        self.assertIsNone(verify(cur, rid))
        # A superuser with the triggers off can change a row; the chain
        # shows which.
        cur.execute("ALTER TABLE dpex.audit DISABLE TRIGGER audit_no_update")
        cur.execute("UPDATE dpex.audit SET actor = 'nobody' "
                    "WHERE request_id = %s AND n = 2", (rid,))
        cur.execute("ALTER TABLE dpex.audit ENABLE TRIGGER audit_no_update")
        self.assertEqual(verify(cur, rid), 2)

    def test_outbox_and_notify_only_for_commits(self):
        listener = connect("dpex_control_flow")
        lc = listener.cursor()
        lc.execute("LISTEN dpex_status")
        c = psycopg2.connect(dbname="dpex_control_flow")
        cur = c.cursor()
        rid = self.submit(cur, "T-3")
        c.rollback()
        cur.execute("SELECT count(*) FROM dpex.outbox o JOIN dpex.requests r"
                    " ON r.id = o.request_id WHERE r.ref = 'T-3'")
        self.assertEqual(cur.fetchone(), (0,))
        rid = self.submit(cur, "T-4")
        c.commit()
        select.select([listener], [], [], 5)
        listener.poll()
        self.assertEqual([n.payload for n in listener.notifies],
                         [f"{rid} received"])
        cur.execute("SELECT event_id, payload FROM dpex.outbox "
                    "WHERE request_id = %s", (rid,))
        (event_id, payload), = cur.fetchall()
        self.assertEqual(event_id, f"dpex-{rid}-1")
        self.assertEqual(payload["data"]["status"], "received")
        self.assertNotIn("anna@example.nl", str(payload))
        c.close()
        listener.close()


if __name__ == "__main__":
    unittest.main(verbosity=2)
