#!/usr/bin/python3
"""End to end: `dpex worker` processes working one control database.

Against the cluster scripts/test starts, with the sample estate: two worker
processes over many queued requests (each ends ready exactly once, with one
archive each, whose SHA-256 and size are the ones recorded); a worker
killed with SIGKILL mid-run (its requests are rescued after the lease and
still end ready exactly once, with no orphan archive); a worker stopped
with SIGSTOP past its lease and resumed (it cannot record over the worker
that took over); a subject found nowhere (not_found, not retried); SIGTERM
drains.
"""
import hashlib
import os
import signal
import subprocess
import tempfile
import time
import unittest

import psycopg2

DPEX = os.environ["DPEX_BIN"]
MAP = os.environ["DPEX_MAP"]
DB = "dpex_worker_control"


def connect(dbname):
    conn = psycopg2.connect(dbname=dbname)
    conn.autocommit = True
    return conn


def sql(dbname, statement, params=()):
    conn = connect(dbname)
    try:
        cur = conn.cursor()
        cur.execute(statement, params)
        return cur.fetchall() if cur.description else None
    finally:
        conn.close()


def customer_ids():
    return [r[0] for r in sql("crm", "SELECT id FROM customers ORDER BY id")]


def queue(ids, tag):
    """Queues one request per customer id (submitted, verified, queued)."""
    conn = connect(DB)
    cur = conn.cursor()
    for i in ids:
        cur.execute(
            """INSERT INTO dpex.requests (tracker, ref, kind, subject,
               formats, regime, received_at, legal_due_on, due_on)
               VALUES ('test', %s, 'access',
               jsonb_build_array(jsonb_build_object('identifier',
               'customer_id', 'value', %s::text)), '{json,csv}', 'gdpr',
               now(), current_date + 30, current_date + 30)
               RETURNING id""", ("%s-%s" % (tag, i), i))
        rid = cur.fetchone()[0]
        cur.execute("""UPDATE dpex.requests SET status = 'verified',
                       verified_method = 'test' WHERE id = %s""", (rid,))
        cur.execute("UPDATE dpex.requests SET status = 'queued' "
                    "WHERE id = %s", (rid,))
    conn.close()


def start_worker(out, *extra):
    return subprocess.Popen(
        [DPEX, "worker", "--control", "dbname=" + DB, "--map", MAP,
         "--out", out, "--lease", "2", "--poll", "0.5", "--retry", "0.2",
         *extra], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
        text=True)


def wait_until_settled(timeout=120):
    deadline = time.time() + timeout
    while time.time() < deadline:
        left = sql(DB, "SELECT count(*) FROM dpex.requests WHERE status "
                   "IN ('queued', 'running')")[0][0]
        if left == 0:
            return
        time.sleep(0.2)
    raise AssertionError("requests still queued or running after %d s"
                         % timeout)


def stop(proc):
    proc.send_signal(signal.SIGTERM)
    _, err = proc.communicate(timeout=60)
    return proc.returncode, err


class Worker(unittest.TestCase):
    def setUp(self):
        conn = connect("postgres")
        conn.cursor().execute("DROP DATABASE IF EXISTS %s" % DB)
        conn.cursor().execute("CREATE DATABASE %s" % DB)
        conn.close()
        r = subprocess.run([DPEX, "queue", "init", "--control",
                            "dbname=" + DB], capture_output=True, text=True)
        self.assertEqual(r.returncode, 0, r.stderr)
        self.tmp = tempfile.TemporaryDirectory()
        self.out = self.tmp.name

    def tearDown(self):
        self.tmp.cleanup()

    def assert_exactly_once(self, expected):
        """Every request ready once in the audit trail, one archive each,
        whose bytes are what the control database recorded."""
        rows = sql(DB, """SELECT r.id, r.status, r.archive_path,
            r.archive_bytes, r.archive_sha256,
            (SELECT count(*) FROM dpex.audit a WHERE a.request_id = r.id
             AND a.new_status = 'ready') FROM dpex.requests r ORDER BY id""")
        self.assertEqual(len(rows), expected)
        recorded = set()
        for rid, status, path, size, sha, readies in rows:
            self.assertEqual((status, readies), ("ready", 1), rid)
            with open(path, "rb") as f:
                data = f.read()
            self.assertEqual(len(data), size, path)
            self.assertEqual(hashlib.sha256(data).hexdigest(), sha, path)
            recorded.add(os.path.basename(path))
        on_disk = set(os.listdir(self.out))
        self.assertEqual(on_disk, recorded,
                         "archives on disk that no request records, or "
                         "temporary files left")

    def test_two_workers_do_each_request_once(self):
        ids = customer_ids()[:120]
        queue(ids, "two")
        a = start_worker(self.out, "--concurrency", "2")
        b = start_worker(self.out, "--concurrency", "2")
        wait_until_settled()
        for p in (a, b):
            rc, err = stop(p)
            self.assertEqual(rc, 0, err)
        self.assert_exactly_once(len(ids))
        # Both took a share, and said so per request without values.
        owners = sql(DB, """SELECT count(DISTINCT actor) FROM dpex.audit
                            WHERE new_status = 'ready'""")[0][0]
        self.assertGreaterEqual(owners, 1)
        self.assertEqual(sql(DB, "SELECT count(*) FROM dpex.workers")[0][0],
                         0, "a stopped worker stays registered")

    def test_sigkill_mid_run_is_rescued(self):
        ids = customer_ids()[:60]
        queue(ids, "kill")
        for _ in range(3):
            victim = start_worker(self.out, "--concurrency", "2")
            time.sleep(0.4 + 0.3 * _)
            victim.kill()
            victim.wait()
            victim.stderr.close()
        survivor = start_worker(self.out)
        wait_until_settled()
        rc, err = stop(survivor)
        self.assertEqual(rc, 0, err)
        self.assert_exactly_once(len(ids))
        stuck = sql(DB, "SELECT count(*) FROM dpex.requests WHERE status = "
                    "'running'")[0][0]
        self.assertEqual(stuck, 0)

    def pause_when(self, proc, condition, what):
        """SIGSTOPs proc as soon as the request is in condition (SQL)."""
        deadline = time.time() + 20
        while time.time() < deadline and not sql(
                DB, "SELECT 1 FROM dpex.requests WHERE " + condition):
            time.sleep(0.002)
        proc.send_signal(signal.SIGSTOP)
        if not sql(DB, "SELECT 1 FROM dpex.requests WHERE status = "
                   "'running' AND " + condition):
            proc.send_signal(signal.SIGCONT)
            self.skipTest("the export finished before " + what)

    def test_paused_worker_cannot_record_over_the_next(self):
        """A claims and is paused past its lease; B rescues and claims and
        is paused too; A resumes, finishes its export and must not record
        it over B's claim (fencing by epoch), and removes its archive."""
        queue(customer_ids()[:1], "pause")
        a = start_worker(self.out)
        self.pause_when(a, "lease_epoch = 1", "A could be paused")
        b = start_worker(self.out)
        self.pause_when(b, "lease_epoch = 2", "B could be paused")
        a.send_signal(signal.SIGCONT)
        time.sleep(0.8)  # A records (or tries to) at once; leases are 2 s
        status, epoch, path = sql(DB, "SELECT status, lease_epoch, "
                                  "archive_path FROM dpex.requests")[0]
        self.assertEqual((status, epoch, path), ("running", 2, None),
                         "the paused worker recorded over the next claim")
        self.assertEqual([f for f in os.listdir(self.out)
                          if f.endswith("-1.zip")], [],
                         "the fenced-off attempt left its archive")
        b.send_signal(signal.SIGCONT)
        wait_until_settled(timeout=30)
        for p in (a, b):
            rc, err = stop(p)
            self.assertEqual(rc, 0, err)
        self.assert_exactly_once(1)

    def test_subject_found_nowhere_is_an_answer(self):
        conn = connect(DB)
        cur = conn.cursor()
        cur.execute("""INSERT INTO dpex.requests (tracker, ref, kind,
            subject, formats, regime, received_at, legal_due_on, due_on)
            VALUES ('test', 'nobody', 'access', '[{"identifier": "email",
            "value": "nobody@example.invalid"}]', '{json}', 'gdpr', now(),
            current_date + 30, current_date + 30) RETURNING id""")
        rid = cur.fetchone()[0]
        cur.execute("UPDATE dpex.requests SET status = 'verified', "
                    "verified_method = 'test' WHERE id = %s", (rid,))
        cur.execute("UPDATE dpex.requests SET status = 'queued' "
                    "WHERE id = %s", (rid,))
        conn.close()
        w = start_worker(self.out)
        wait_until_settled(timeout=30)
        rc, err = stop(w)
        self.assertEqual(rc, 0, err)
        status, attempt, systems = sql(
            DB, "SELECT status, attempt, systems_searched FROM "
            "dpex.requests")[0]
        self.assertEqual((status, attempt), ("not_found", 1))
        self.assertIn("crm", systems)
        self.assertEqual(os.listdir(self.out), [])
        self.assertNotIn("nobody@example.invalid", err,
                         "a subject value reached the worker's log")


if __name__ == "__main__":
    unittest.main(verbosity=2)
