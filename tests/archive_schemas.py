"""Validates an archive's JSON members against the published schemas in
schemas/ (data.schema.json, manifest.schema.json, about.schema.json) with
python3-jsonschema, an independent validator."""
import json
import os

import jsonschema

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
MEMBERS = {"data.json": "data", "manifest.json": "manifest",
           "about.json": "about"}


def _load():
    schemas = {}
    for name in MEMBERS.values():
        with open(os.path.join(ROOT, "schemas", name + ".schema.json"),
                  encoding="utf-8") as f:
            schemas[name] = json.load(f)
        jsonschema.Draft202012Validator.check_schema(schemas[name])
    store = {s["$id"]: s for s in schemas.values()}
    return {name: jsonschema.Draft202012Validator(
        s, resolver=jsonschema.RefResolver.from_schema(s, store=store))
        for name, s in schemas.items()}


VALIDATORS = _load()


def problems(member, doc):
    """The schema's complaints about doc as member ("about.json"), as
    strings; empty when valid."""
    v = VALIDATORS[MEMBERS[member]]
    return ["%s: %s" % ("/".join(map(str, e.path)), e.message)
            for e in v.iter_errors(doc)]


def check_archive(zf, max_bytes=None):
    """Every JSON member of the open ZipFile zf that has a schema: its
    "$schema" names it and it validates. Members larger than max_bytes
    (when given) are skipped. Returns the problems."""
    out = []
    for member in MEMBERS:
        if member not in zf.namelist():
            continue
        if max_bytes is not None and zf.getinfo(member).file_size > max_bytes:
            continue
        doc = json.loads(zf.read(member))
        want = MEMBERS[member] + ".schema.json"
        if doc.get("$schema") != want:
            out.append("%s: $schema is %r, not %r"
                       % (member, doc.get("$schema"), want))
        out += ["%s: %s" % (member, p) for p in problems(member, doc)]
    return out
