#!/usr/bin/python3
"""Self-check of the sample estate against a loaded cluster.

Checks that schemas/datamap.schema.json is a strict, valid JSON Schema, that
schemas/sample-estate.map.json follows it and names only tables, columns and
indexes that exist, that the data has the promised shape (the showcase
subject, the support-only prospect, keys that join across databases), and
that scripts/gen-sample is deterministic.

Connects like psql (PGHOST, PGPORT, PGUSER, ...) to an estate loaded with
scripts/gen-sample. The determinism check creates and drops two more
estates, prefixed "dpexchk_", at scale 50. Prints one line per check and,
last, "N passed, N failed"; exits 1 if any check failed.
"""

import argparse
import copy
import hashlib
import json
import os
import re
import subprocess
import sys

import jsonschema
import psycopg2

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
SCHEMA = os.path.join(ROOT, "schemas", "datamap.schema.json")
MAP = os.path.join(ROOT, "schemas", "sample-estate.map.json")
GEN = os.path.join(ROOT, "scripts", "gen-sample")
SHOWCASE_EMAIL = "saskia.vandenberg@example.nl"
PROSPECT_EMAIL = "prospect.only@example.com"
CHECK_PREFIXES = ("dpexchk_a_", "dpexchk_b_")

passed = 0
failed = 0


def check(ok, what, detail=""):
    global passed, failed
    if ok:
        passed += 1
        print("ok     %s" % what)
    else:
        failed += 1
        print("FAIL   %s%s" % (what, ": " + detail if detail else ""))
    return ok


def load_json(path):
    with open(path, encoding="utf-8") as f:
        return json.load(f)


# --- The schema and the map -------------------------------------------------

def check_schema_and_map(schema, datamap):
    try:
        jsonschema.Draft202012Validator.check_schema(schema)
        check(True, "schema is a valid draft 2020-12 schema")
    except jsonschema.SchemaError as e:
        check(False, "schema is a valid draft 2020-12 schema", e.message)
        return False
    validator = jsonschema.Draft202012Validator(schema)
    errors = sorted(validator.iter_errors(datamap), key=lambda e: e.path)
    check(not errors, "sample map validates against the schema",
          "; ".join("%s: %s" % ("/".join(map(str, e.path)), e.message)
                    for e in errors[:5]))

    # Strictness: each of these breaks one rule of the format.
    def broken(why, mutate):
        m = copy.deepcopy(datamap)
        mutate(m)
        check(not validator.is_valid(m), "schema rejects a map with " + why)

    def both(m):
        m["entities"][0]["parent"] = {"entity": "x", "column": "y",
                                      "references": "z"}

    broken("an unknown top-level key", lambda m: m.update(extra=1))
    broken("an unknown entity key",
           lambda m: m["entities"][0].update(where="1=1"))
    broken("an upper-case entity name",
           lambda m: m["entities"][0].update(name="Customers"))
    broken("a source name with a dash",
           lambda m: m["sources"].update({"crm-2": {"conninfo": "x"}}))
    broken("both match and parent", both)
    broken("neither match nor parent",
           lambda m: m["entities"][0].pop("match"))
    broken("a password in conninfo", lambda m: m["sources"]["crm"].update(
        conninfo="host=${PGHOST} dbname=crm password=secret"))
    broken("a password in a conninfo URI", lambda m: m["sources"]["crm"]
           .update(conninfo="postgresql://dpex:secret@db/crm"))
    broken("a link of one identifier", lambda m: m["links"][0].update(
        identifiers={"email": "email"}))
    broken("a column object with an unknown key",
           lambda m: m["entities"][0]["columns"].append(
               {"name": "x", "text": True}))
    broken("an empty column name",
           lambda m: m["entities"][0]["columns"].append(""))
    broken("no entities", lambda m: m.update(entities=[]))
    broken("a legal basis outside Art. 6(1)",
           lambda m: m["entities"][0].update(legal_basis="goodwill"))
    broken("a third-party origin without its source",
           lambda m: m["entities"][0].update(
               origin={"kind": "third_party"}))
    broken("an unknown redaction",
           lambda m: m["entities"][0]["columns"].append(
               {"name": "x", "redact": "blur"}))
    broken("a recipient with neither name nor category",
           lambda m: m["recipients"].update(x={"country": "NL"}))
    broken("a translation under a non-language key",
           lambda m: m["entities"][0].update(retention={"english": "x"}))
    broken("an automated decision without its logic",
           lambda m: m["entities"][0].update(
               automated_decision={"description": "x"}))
    broken("no sources", lambda m: m.update(sources={}))

    # What the schema cannot say: references between names.
    names = [e["name"] for e in datamap["entities"]]
    check(len(names) == len(set(names)), "entity names are unique")
    problems = []
    for i, e in enumerate(datamap["entities"]):
        if e["source"] not in datamap["sources"]:
            problems.append("%s: unknown source" % e["name"])
        if "match" in e and e["match"]["identifier"] not in \
                datamap["identifiers"]:
            problems.append("%s: unknown identifier" % e["name"])
        if "parent" in e:
            earlier = {x["name"]: x for x in datamap["entities"][:i]}
            p = earlier.get(e["parent"]["entity"])
            if not p or p["source"] != e["source"]:
                problems.append("%s: parent not earlier in the same source"
                                % e["name"])
    for link in datamap["links"]:
        for ident in link["identifiers"]:
            if ident not in datamap["identifiers"]:
                problems.append("link %s: unknown identifier %s"
                                % (link["table"], ident))
    check(not problems, "map references resolve", "; ".join(problems))
    return True


# --- The databases ----------------------------------------------------------

def conninfo(datamap, source, prefix):
    """The source's conninfo with ${VAR} expanded and the database name
    prefixed."""
    text = re.sub(r"\$\{(\w+)\}", lambda m: os.environ.get(m.group(1), ""),
                  datamap["sources"][source]["conninfo"])
    return re.sub(r"dbname=(\S+)", lambda m: "dbname=" + prefix + m.group(1),
                  text)


def query(conn, sql, args=None):
    with conn.cursor() as cur:
        cur.execute(sql, args)
        return cur.fetchall()


def columns_of(conn, schema, table):
    return {r[0] for r in query(
        conn, "SELECT column_name FROM information_schema.columns "
        "WHERE table_schema = %s AND table_name = %s", (schema, table))}


def indexed_first_columns(conn, schema, table):
    """Columns that lead some index of the table: lookups by them are
    index scans."""
    return {r[0] for r in query(
        conn, "SELECT a.attname FROM pg_index i "
        "JOIN pg_class c ON c.oid = i.indrelid "
        "JOIN pg_namespace n ON n.oid = c.relnamespace "
        "JOIN pg_attribute a ON a.attrelid = c.oid "
        " AND a.attnum = i.indkey[0] "
        "WHERE n.nspname = %s AND c.relname = %s", (schema, table))}


def check_map_against_databases(datamap, conns):
    for link in datamap["links"]:
        conn = conns[link["source"]]
        schema = link.get("schema", "public")
        have = columns_of(conn, schema, link["table"])
        want = set(link["identifiers"].values())
        check(want <= have, "link %s.%s: columns exist"
              % (link["source"], link["table"]),
              "missing " + ", ".join(sorted(want - have)))
        indexed = indexed_first_columns(conn, schema, link["table"])
        check(want <= indexed, "link %s.%s: every column is indexed"
              % (link["source"], link["table"]),
              "not indexed: " + ", ".join(sorted(want - indexed)))
    for e in datamap["entities"]:
        conn = conns[e["source"]]
        schema = e.get("schema", "public")
        where = "entity %s (%s.%s)" % (e["name"], e["source"], e["table"])
        have = columns_of(conn, schema, e["table"])
        if not check(bool(have), where + ": table exists"):
            continue
        want = {c if isinstance(c, str) else c["name"] for c in e["columns"]}
        want |= {o if isinstance(o, str) else o["column"]
                 for o in e.get("order_by", [])}
        key = e["match"]["column"] if "match" in e else e["parent"]["column"]
        want.add(key)
        check(want <= have, where + ": columns exist",
              "missing " + ", ".join(sorted(want - have)))
        check(have <= want, where + ": every column is exported",
              "not in the map: " + ", ".join(sorted(have - want)))
        check(key in indexed_first_columns(conn, schema, e["table"]),
              where + ": lookup column %s is indexed" % key)
        if "parent" in e:
            p = next(x for x in datamap["entities"]
                     if x["name"] == e["parent"]["entity"])
            check(e["parent"]["references"] in
                  columns_of(conn, p.get("schema", "public"), p["table"]),
                  where + ": parent column %s.%s exists"
                  % (p["table"], e["parent"]["references"]))


def ean_ok(code):
    digits = [int(c) for c in code]
    total = sum(d * (3 if i % 2 == 0 else 1)
                for i, d in enumerate(reversed(digits[:-1])))
    return len(code) == 18 and (-total % 10) == digits[-1]


def check_data(conns):
    crm, orders = conns["crm"], conns["orders"]
    support, marketing = conns["support"], conns["marketing"]

    # The showcase subject, in all four databases.
    rows = query(crm, "SELECT id, first_name, last_name, order_ref, phone "
                 "FROM customers WHERE email = %s", (SHOWCASE_EMAIL,))
    if not check(len(rows) == 1 and rows[0][0] == 1,
                 "showcase %s is customer 1" % SHOWCASE_EMAIL, repr(rows)):
        return
    _, first, last, ref, phone = rows[0]
    check(not (first + last).isascii(), "showcase name has non-ASCII letters",
          first + " " + last)
    addr = query(crm, "SELECT kind::text, ean_code FROM addresses "
                 "WHERE customer_id = 1")
    check(len(addr) >= 2 and any(k == "connection" and ean and ean_ok(ean)
                                 for k, ean in addr),
          "showcase has >= 2 addresses incl. a connection with a valid EAN")
    n_orders = query(orders, "SELECT count(*) FROM orders "
                     "WHERE customer_ref = %s", (ref,))[0][0]
    n_credit = query(orders, "SELECT count(*) FROM order_lines l JOIN orders o"
                     " ON o.id = l.order_id WHERE o.customer_ref = %s "
                     "AND l.unit_price < 0", (ref,))[0][0]
    check(n_orders >= 3 and n_credit >= 1,
          "showcase has >= 3 orders and a negative credit line",
          "%d orders, %d credits" % (n_orders, n_credit))
    check(query(orders, "SELECT count(*) FROM subscriptions "
                "WHERE customer_ref = %s", (ref,))[0][0] >= 1,
          "showcase has a subscription")
    notes = [r[0] for r in query(support, "SELECT body FROM contact_notes "
                                 "WHERE customer_email = %s",
                                 (SHOWCASE_EMAIL,))]
    check(len(notes) >= 3, "showcase has >= 3 contact notes")
    check(any("\n" in b and "," in b and '"' in b for b in notes),
          "showcase has a multi-line note with commas and quotes")
    check(any(re.search(r"\+\d{2} \d", b) and phone not in b for b in notes),
          "showcase has a note with a third person's phone number")
    check(any(b.startswith("=") for b in notes),
          "showcase has a note starting with '='")
    statuses = [r[0] for r in query(marketing, "SELECT status FROM consents "
                                    "WHERE customer_id = 1")]
    check("granted" in statuses and "withdrawn" in statuses,
          "showcase has a consent history with a withdrawal")

    check(any("@" in b and SHOWCASE_EMAIL not in b.replace(SHOWCASE_EMAIL, "")
              and re.search(r"[a-z.]+@example\.org", b) for b in notes),
          "showcase has a note with a third person's e-mail address")
    rows = query(orders, "SELECT bureau, outcome FROM credit_checks "
                 "WHERE customer_ref = %s", (ref,))
    check(len(rows) == 1 and rows[0][1] == "accepted",
          "showcase has a credit check from a bureau, accepted", repr(rows))
    check(query(marketing, "SELECT count(*) FROM segments "
                "WHERE customer_id = 1")[0][0] == 1,
          "showcase has a marketing segment (derived data)")
    n = query(conns["metering"], "SELECT count(*) FROM meter_readings "
              "WHERE customer_id = 1")[0][0]
    check(n == 36, "showcase has 36 smart-meter readings (observed data)",
          "%d" % n)

    # The prospect known only to support.
    check(query(support, "SELECT count(*) FROM contact_notes "
                "WHERE customer_email = %s", (PROSPECT_EMAIL,))[0][0] == 2,
          "prospect %s has 2 notes" % PROSPECT_EMAIL)
    check(not query(crm, "SELECT 1 FROM customers WHERE email = %s",
                    (PROSPECT_EMAIL,)),
          "prospect is not a customer")

    # Keys join across databases.
    refs = {r[0] for r in query(crm, "SELECT order_ref FROM customers")}
    ids = {r[0] for r in query(crm, "SELECT id FROM customers")}
    emails = {r[0] for r in query(crm, "SELECT email FROM customers "
                                  "WHERE email IS NOT NULL")}
    bad = [r[0] for r in query(orders, "SELECT DISTINCT customer_ref FROM "
                               "orders UNION SELECT customer_ref FROM "
                               "subscriptions") if r[0] not in refs]
    check(not bad, "every orders customer_ref is a CRM order_ref",
          "%d unknown, e.g. %s" % (len(bad), bad[:3]))
    bad = [r[0] for r in query(marketing, "SELECT DISTINCT customer_id "
                               "FROM consents") if r[0] not in ids]
    check(not bad, "every consent belongs to a CRM customer",
          "%d unknown" % len(bad))
    support_emails = {r[0] for r in query(support, "SELECT DISTINCT "
                                          "customer_email FROM contact_notes")}
    check(bool(support_emails - emails and emails & support_emails),
          "support holds customers and support-only prospects")
    bad = [e for e in emails | support_emails
           if e != e.lower() or not re.fullmatch(
               r"[a-z0-9._-]+@example\.(nl|se|com|org)", e)]
    check(not bad, "e-mail addresses are lowercase, at example domains",
          repr(bad[:3]))
    bad = query(crm, "SELECT count(*) FROM customers "
                "WHERE phone NOT LIKE '+%'")[0][0]
    check(bad == 0, "phone numbers start with '+'")
    bad = [r[0] for r in query(crm, "SELECT ean_code FROM addresses "
                               "WHERE ean_code IS NOT NULL LIMIT 10000")
           if not ean_ok(r[0])]
    check(not bad, "EAN codes have valid check digits", repr(bad[:3]))

    # Size: about 60 rows a subject, with a heavy tail.
    total = 0
    for db, tables in (("crm", ["customers", "addresses"]),
                       ("orders", ["orders", "order_lines", "subscriptions"]),
                       ("support", ["contact_notes"]),
                       ("marketing", ["consents"])):
        for t in tables:
            total += query(conns[db], "SELECT count(*) FROM %s" % t)[0][0]
    avg = total / len(ids)
    check(len(ids) < 100 or 40 <= avg <= 90,
          "about 60 rows a subject (%.1f for %d customers)" % (avg, len(ids)))
    top = query(orders, "SELECT max(n) FROM (SELECT count(*) n FROM orders "
                "GROUP BY customer_ref) s")[0][0]
    check(len(ids) < 100 or top >= 100,
          "a heavy tail (at most %d orders for one subject)" % top)


# --- Determinism ------------------------------------------------------------

TABLES = {"crm": ["customers", "addresses"],
          "orders": ["orders", "order_lines", "subscriptions",
                     "credit_checks"],
          "support": ["contact_notes"], "marketing": ["consents", "segments"],
          "metering": ["meter_readings"]}


def estate_digest(prefix):
    """A digest per table of its rows in id order, as COPY text."""
    out = {}
    for db, tables in TABLES.items():
        for t in tables:
            data = subprocess.run(
                ["psql", "-X", "-q", "-v", "ON_ERROR_STOP=1", "-d",
                 prefix + db, "-c",
                 "COPY (SELECT * FROM %s ORDER BY id) TO STDOUT" % t],
                check=True, stdout=subprocess.PIPE).stdout
            out[t] = hashlib.sha256(data).hexdigest()
    return out


def check_determinism():
    try:
        digests = []
        for prefix, seed in zip(CHECK_PREFIXES, (7, 7)):
            subprocess.run([GEN, "--scale", "50", "--seed", str(seed),
                            "--prefix", prefix, "--quiet"], check=True)
            digests.append(estate_digest(prefix))
        same = [t for t in digests[0] if digests[0][t] == digests[1][t]]
        check(len(same) == len(digests[0]),
              "same seed gives identical data in every table",
              "differs: " + ", ".join(t for t in digests[0]
                                      if t not in same))
        subprocess.run([GEN, "--scale", "50", "--seed", "8", "--prefix",
                        CHECK_PREFIXES[1], "--quiet"], check=True)
        other = estate_digest(CHECK_PREFIXES[1])
        check(other["orders"] != digests[0]["orders"],
              "another seed gives other data")
    except subprocess.CalledProcessError as e:
        check(False, "determinism", str(e))
    finally:
        for prefix in CHECK_PREFIXES:
            for db in TABLES:
                subprocess.run(["dropdb", "--if-exists", prefix + db],
                               stderr=subprocess.DEVNULL)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--prefix", default="",
                    help="database name prefix of the estate to check")
    ap.add_argument("--no-determinism", action="store_true",
                    help="skip regenerating estates to compare them")
    args = ap.parse_args()

    schema, datamap = load_json(SCHEMA), load_json(MAP)
    check_schema_and_map(schema, datamap)
    conns = {}
    try:
        for source in datamap["sources"]:
            conns[source] = psycopg2.connect(
                conninfo(datamap, source, args.prefix))
            conns[source].set_session(readonly=True, autocommit=True)
        check(True, "connected to every source")
    except psycopg2.Error as e:
        check(False, "connected to every source", str(e).strip())
    if len(conns) == len(datamap["sources"]):
        check_map_against_databases(datamap, conns)
        check_data(conns)
    for conn in conns.values():
        conn.close()
    if not args.no_determinism:
        check_determinism()
    print("%d passed, %d failed" % (passed, failed))
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
