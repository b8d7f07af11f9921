"""The validators of every export file, by file name: the field's own tools
where there is one (frictionless for the data package, sssom-py, kgx), and
checks of our own for what they cannot see. `check_all` runs every one and
fails for a file nothing checks, so a new format cannot go unvalidated."""

import hashlib
import json
import sqlite3
import tempfile
from collections.abc import Callable
from pathlib import Path

from imidkb import exports

CHECKS: dict[str, list[Callable]] = {}
# Files whose format's own validator runs in a module of its own, on the
# curated knowledge base and on the synthetic one (the same shared snapshot):
# sssom-py, the phenotype.hpoa column spec, kgx and bmt. Here they are still
# checked as resources of the data package (frictionless: bytes, hash, table
# schema).
VALIDATED_ELSEWHERE = {
    "imidkb.sssom.tsv": "tests/imidkb/test_export_sssom_hpoa.py",
    "imidkb.phenotype.hpoa": "tests/imidkb/test_export_sssom_hpoa.py",
    "imidkb_kgx_nodes.tsv": "tests/imidkb/test_export_kgx.py",
    "imidkb_kgx_edges.tsv": "tests/imidkb/test_export_kgx.py",
    "imidkb_kgx_nodes.jsonl": "tests/imidkb/test_export_kgx.py",
    "imidkb_kgx_edges.jsonl": "tests/imidkb/test_export_kgx.py",
}


def checks(*names: str):
    def register(function):
        for name in names:
            CHECKS.setdefault(name, []).append(function)
        return function

    return register


def check_all(files: dict[str, bytes], snapshot: exports.Snapshot) -> list[str]:
    """Run every check; the names of the files checked."""
    unchecked = set(files) - set(CHECKS) - set(VALIDATED_ELSEWHERE)
    assert not unchecked, f"no validator for {sorted(unchecked)}"
    for name in files:
        for function in CHECKS.get(name, []):
            function(files, snapshot)
    return sorted(files)


@checks(exports.PACKAGE)
def frictionless_package(files, snapshot):
    """The data package validates with the frictionless library (every
    resource: its bytes, hash, and for tables its schema), and lists every
    file with the release's licence."""
    from frictionless import Package

    package = json.loads(files[exports.PACKAGE])
    listed = {resource["path"] for resource in package["resources"]}
    assert listed == set(files) - {exports.PACKAGE}
    assert package["licenses"][0]["name"] == snapshot.release["licence"]["name"]
    assert package["version"] == snapshot.label
    for resource in package["resources"]:
        data = files[resource["path"]]
        assert resource["bytes"] == len(data)
        assert resource["hash"] == "sha256:" + hashlib.sha256(data).hexdigest()
    with tempfile.TemporaryDirectory() as directory:
        for name, data in files.items():
            Path(directory, name).write_bytes(data)
        report = Package(str(Path(directory, exports.PACKAGE))).validate()
    assert report.valid, report.flatten(["rowNumber", "fieldName", "type", "note"])


def sqlite_tables(data: bytes):
    connection = sqlite3.connect(":memory:")
    connection.deserialize(data)
    return connection


@checks("imidkb.sqlite")
def sqlite_database(files, snapshot):
    """The database is sound (integrity check, every foreign key found), holds
    every record of the snapshot, and its data dictionary describes every
    column of every table, and nothing that is not one."""
    db = sqlite_tables(files["imidkb.sqlite"])
    assert db.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    assert db.execute("PRAGMA foreign_key_check").fetchall() == []
    names = {
        row[0]
        for row in db.execute("SELECT name FROM sqlite_master WHERE type = 'table'")
    }
    for prefix, records in snapshot.resources.items():
        table = prefix.replace("-", "_")
        assert db.execute(f'SELECT count(*) FROM "{table}"').fetchone()[0] == len(
            records
        )
        described = dict(
            db.execute(
                "SELECT table_name, rows FROM _tables WHERE table_name = ?", [table]
            ).fetchall()
        )
        assert described == {table: len(records)}
    dictionary = {
        (table, column): (kind, text)
        for table, column, kind, text in db.execute(
            "SELECT table_name, column_name, type, description FROM _data_dictionary"
        )
    }
    for table in names - {"_tables", "_data_dictionary"}:
        for _cid, column, kind, *_rest in db.execute(f'PRAGMA table_info("{table}")'):
            assert (table, column) in dictionary, (table, column)
            assert dictionary[table, column][0] == kind
            assert dictionary[table, column][1].strip()
    # What the dictionary lists but is no column: a list left out, said so.
    for (table, column), (kind, text) in dictionary.items():
        if kind is None:
            assert text.startswith("Not a column"), (table, column)


@checks("imidkb.datasette.json")
def datasette_metadata(files, snapshot):
    """Datasette's metadata names every table of the database, with the
    licence, and a description for each column."""
    metadata = json.loads(files["imidkb.datasette.json"])
    db = sqlite_tables(files["imidkb.sqlite"])
    tables = {
        row[0]
        for row in db.execute("SELECT name FROM sqlite_master WHERE type = 'table'")
    }
    described = metadata["databases"]["imidkb"]["tables"]
    assert set(described) == tables - {"_tables", "_data_dictionary"}
    assert metadata["license"] == snapshot.release["licence"]["name"]
    for table, about in described.items():
        columns = {row[1] for row in db.execute(f'PRAGMA table_info("{table}")')}
        assert columns <= set(about["columns"]), table
