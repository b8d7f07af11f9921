"""The release as one SQLite database, ready to open in Datasette.

A table per resource (diseases, symptoms, ..., disease_symptoms, ...), named
as its API prefix is (with _ for -), and the same records as the release's
JSON, made relational:

- a scalar field is a column; a list of words (synonyms) or a structured
  value (a figure's disagreement) is a JSON column;
- a reference to another record ({slug, name, url}) is the column of its
  slug, a foreign key to the other table's `slug`;
- a record's own citations and identifiers are rows of a table of their own
  (`diseases__citations`, `symptoms__identifiers`), keyed to the record's
  `_id`; a list that repeats what a link table holds (a disease's symptoms:
  disease_symptoms) is left out of the record, so that each fact is stored
  once, and the data dictionary says where it is.

Two tables describe the others: `_tables` (each table, what it holds and how
many rows) and `_data_dictionary` (each column: its type, what it is, the
table a foreign key points to). A Datasette metadata file with the same
descriptions, the licence and the source is a file of its own.
"""

import functools
import json
import sqlite3

from imidkb.exports import ExportFile, Snapshot, register

DICTIONARY = "_data_dictionary"
TABLES = "_tables"
# The lists of a record that are rows of their own (the others repeat a link
# table or another record's reference).
OWN_ROWS = ("citations", "identifiers")


def table_name(prefix: str) -> str:
    return prefix.replace("-", "_")


def is_reference(value) -> bool:
    return isinstance(value, dict) and set(value) == {"slug", "name", "url"}


def referenced_table(value: dict) -> str | None:
    """The table a reference points to, from its API path
    (/api/v1/diseases/psoriasis/ -> diseases)."""
    parts = [part for part in (value.get("url") or "").split("/") if part]
    return table_name(parts[-2]) if len(parts) >= 2 else None


def sql_type(values) -> str:
    kinds = {type(v) for v in values if v is not None}
    if kinds and kinds <= {bool}:
        return "INTEGER"
    if kinds and kinds <= {int, bool}:
        return "INTEGER"
    if kinds and kinds <= {int, float}:
        return "REAL"
    return "TEXT"


def column_value(value):
    if is_reference(value):
        return value["slug"]
    if isinstance(value, bool):
        return int(value)
    if isinstance(value, list | dict):
        return json.dumps(value, ensure_ascii=False)
    return value


class Table:
    """The columns and rows of one table, as they are found in the records."""

    def __init__(self, name: str, description: str, parent: str | None = None):
        self.name, self.description, self.parent = name, description, parent
        self.columns: dict[str, dict] = {}
        self.rows: list[dict] = []

    def add(self, row: dict) -> int:
        self.rows.append(row)
        return len(self.rows)

    def column(self, name: str, **about) -> None:
        self.columns.setdefault(name, about)


class Builder:
    """Turns the release's records into tables."""

    def __init__(self, snapshot: Snapshot, descriptions: dict):
        self.snapshot = snapshot
        self.descriptions = descriptions
        self.tables: dict[str, Table] = {}
        # Tables whose records have an identifier table of their own already
        # (a link kind of identifiers: disease_identifiers).
        self.identifier_links = {
            referenced_table(value)
            for rows in snapshot.resources.values()
            for row in rows[:1]
            if "curie" in row
            for value in row.values()
            if is_reference(value)
        }

    def build(self) -> dict[str, Table]:
        for prefix, records in self.snapshot.resources.items():
            name = table_name(prefix)
            about = self.descriptions.get(prefix, {})
            table = self.tables[name] = Table(
                name, about.get("", f"The release's {prefix.replace('-', ' ')}.")
            )
            for record in records:
                self.add_record(table, prefix, record)
        return self.tables

    def describe(self, prefix: str, field: str) -> str:
        return self.descriptions.get(prefix, {}).get(field, "")

    def add_record(self, table: Table, prefix: str, record: dict) -> None:
        row = {}
        for field, value in record.items():
            if isinstance(value, list) and self.holds_rows(prefix, field):
                continue
            row[field] = column_value(value)
            if is_reference(value):
                table.column(field, references=referenced_table(value))
            else:
                table.column(field)
        row_id = table.add(row)
        for field in OWN_ROWS:
            if field == "identifiers" and table.name in self.identifier_links:
                continue
            for item in record.get(field) or []:
                self.add_child(table, prefix, field, row_id, item)
        for field, value in record.items():
            if (
                isinstance(value, list)
                and field not in OWN_ROWS
                and self.holds_rows(prefix, field)
            ):
                table.column(field, left_out=True)

    @functools.cache  # noqa: B019 (one builder per export)
    def holds_rows(self, prefix: str, field: str) -> bool:
        """Whether a list field holds rows (references, citations...) rather
        than words, in any record of the resource (empty in this one, maybe)."""
        return field in OWN_ROWS or any(
            isinstance(record.get(field), list)
            and any(isinstance(item, dict) for item in record[field])
            for record in self.snapshot.records(prefix)
        )

    def add_child(self, parent: Table, prefix: str, field: str, row_id, item):
        name = f"{parent.name}__{field}"
        child = self.tables.get(name)
        if child is None:
            child = self.tables[name] = Table(
                name,
                f"The {field} of each row of {parent.name} "
                f"({parent.name}__{field}.{parent.name}_id is its _id).",
                parent=parent.name,
            )
            child.column(f"{parent.name}_id", references=parent.name, key="_id")
        row = {f"{parent.name}_id": row_id}
        for key, value in item.items():
            row[key] = column_value(value)
            child.column(
                key,
                **(
                    {"references": referenced_table(value)}
                    if is_reference(value)
                    else {}
                ),
            )
        child.add(row)


def where_left_out(table: str, field: str, tables: dict[str, Table]) -> str:
    """Where a list left out of a record's table is (the link tables that
    reference this table)."""
    links = sorted(
        other.name
        for other in tables.values()
        if other.name != table
        and other.parent is None
        and any(about.get("references") == table for about in other.columns.values())
    )
    where = ", ".join(links) if links else "the tables that reference this one"
    return (
        f"Not a column: the {field} the API gives with a record are rows of "
        f"another table, one of those whose foreign keys point here: {where}."
    )


def dictionary(tables: dict[str, Table], descriptions: dict) -> list[tuple]:
    """(table, column, type, description, referenced table) of every column,
    and of every list left out of a record's table (type None)."""
    prefixes = {table_name(prefix): prefix for prefix in descriptions}
    entries = []
    for table in tables.values():
        about = descriptions.get(prefixes.get(table.parent or table.name), {})
        entries.append((table.name, "_id", "INTEGER", "The row's number.", None))
        for column, meta in table.columns.items():
            reference = meta.get("references")
            kind = column_type(table, column)
            if meta.get("left_out"):
                text, kind = where_left_out(table.name, column, tables), None
            elif meta.get("key") == "_id":
                text, kind = (
                    f"The _id of the row of {reference} it belongs to.",
                    "INTEGER",
                )
            else:
                name = (
                    column
                    if table.parent is None
                    else f"{column_field(table)}.{column}"
                )
                text = about.get(name) or generic(column)
                if reference:
                    text += f" (The slug of a row of {reference}.)"
            entries.append((table.name, column, kind, text, reference))
    return entries


def column_field(table: Table) -> str:
    return table.name.rpartition("__")[2]


def column_type(table: Table, column: str) -> str:
    return sql_type(row.get(column) for row in table.rows)


def generic(column: str) -> str:
    return f"The record's {column.replace('_', ' ')}, as the API gives it."


def write_database(tables: dict[str, Table], entries: list[tuple]) -> bytes:
    connection = sqlite3.connect(":memory:")
    connection.execute("PRAGMA foreign_keys = ON")
    types = {(t, c): kind for t, c, kind, _text, _ref in entries}
    for table in tables.values():
        columns = ["_id INTEGER PRIMARY KEY"]
        keys = []
        for column, meta in table.columns.items():
            if meta.get("left_out"):
                continue
            columns.append(f'"{column}" {types[(table.name, column)]}')
            reference = meta.get("references")
            if reference in tables:
                target = meta.get("key") or "slug"
                keys.append(
                    f'FOREIGN KEY ("{column}") REFERENCES "{reference}"("{target}")'
                )
        connection.execute(f'CREATE TABLE "{table.name}" ({", ".join(columns + keys)})')
        if "slug" in table.columns:
            connection.execute(
                f'CREATE UNIQUE INDEX "{table.name}_slug" ON "{table.name}"("slug")'
            )
    # Rows after every table exists (a reference may point forward).
    connection.execute("PRAGMA foreign_keys = OFF")
    for table in tables.values():
        names = [c for c, meta in table.columns.items() if not meta.get("left_out")]
        quoted = ", ".join(f'"{c}"' for c in ["_id", *names])
        marks = ", ".join("?" for _ in range(len(names) + 1))
        connection.executemany(
            f'INSERT INTO "{table.name}" ({quoted}) VALUES ({marks})',
            [
                [number, *(row.get(c) for c in names)]
                for number, row in enumerate(table.rows, start=1)
            ],
        )
    connection.execute(
        f'CREATE TABLE "{TABLES}" (table_name TEXT PRIMARY KEY, description TEXT, '
        "rows INTEGER)"
    )
    connection.executemany(
        f'INSERT INTO "{TABLES}" VALUES (?, ?, ?)',
        [(t.name, t.description, len(t.rows)) for t in tables.values()],
    )
    connection.execute(
        f'CREATE TABLE "{DICTIONARY}" (table_name TEXT, column_name TEXT, '
        "type TEXT, description TEXT, references_table TEXT, "
        "PRIMARY KEY (table_name, column_name))"
    )
    connection.executemany(
        f'INSERT INTO "{DICTIONARY}" VALUES (?, ?, ?, ?, ?)', entries
    )
    connection.commit()
    data = connection.serialize()
    connection.close()
    return data


def serializer_descriptions() -> dict[str, dict[str, str]]:
    """What each resource's fields are, from the API's serializers: per
    prefix, field -> help text ("" -> the resource's docstring; "field.sub"
    for the fields of a list of rows)."""
    from kbframework.api.links import link_resources
    from kbframework.registry import registry

    described = {}
    serializers = [
        (r.api_prefix, r.viewset.detail_serializer_class or r.viewset.serializer_class)
        for r in registry.released()
    ]
    serializers += [
        (p, viewset.serializer_class) for p, _m, viewset in link_resources()
    ]
    for prefix, serializer_class in serializers:
        about = {}
        fields = serializer_class(context={"request": None}).fields
        for name, field in fields.items():
            if field.help_text:
                about[name] = str(field.help_text)
            child = getattr(field, "child", None)
            for sub, subfield in getattr(child, "fields", {}).items():
                if subfield.help_text:
                    about[f"{name}.{sub}"] = str(subfield.help_text)
        described[prefix] = about
    return described


def tables_and_dictionary(snapshot: Snapshot):
    descriptions = serializer_descriptions()
    tables = Builder(snapshot, descriptions).build()
    return tables, dictionary(tables, descriptions)


def write_sqlite(snapshot: Snapshot) -> bytes:
    return write_database(*tables_and_dictionary(snapshot))


def write_datasette_metadata(snapshot: Snapshot) -> bytes:
    """Datasette's metadata file: the licence, the source, every table's and
    column's description (`datasette imidkb.sqlite --metadata <this>`)."""
    tables, entries = tables_and_dictionary(snapshot)
    licence = snapshot.release["licence"]
    columns: dict[str, dict[str, str]] = {}
    for table, column, _type, text, _ref in entries:
        columns.setdefault(table, {})[column] = text
    metadata = {
        "title": "IMID-KB"
        + ("" if snapshot.label == "live" else f" release {snapshot.label}"),
        "description": snapshot.release["how_to_cite"],
        "license": licence["name"],
        "license_url": licence["url"],
        "databases": {
            "imidkb": {
                "tables": {
                    table.name: {
                        "description": table.description,
                        "columns": columns.get(table.name, {}),
                    }
                    for table in tables.values()
                }
            }
        },
    }
    return json.dumps(metadata, indent=2, ensure_ascii=False).encode()


register(
    ExportFile(
        name="imidkb.sqlite",
        title="The knowledge base as a SQLite database",
        description="Every resource of the release as a table, references as "
        "foreign keys, with a data dictionary (tables _tables and "
        "_data_dictionary). Open it in Datasette with its metadata file: "
        "datasette imidkb.sqlite --metadata imidkb.datasette.json",
        media_type="application/vnd.sqlite3",
        format="sqlite",
        write=write_sqlite,
    )
)
register(
    ExportFile(
        name="imidkb.datasette.json",
        title="Datasette metadata for the SQLite database",
        description="The licence, the source and every table's and column's "
        "description, for datasette --metadata.",
        media_type="application/json",
        format="json",
        write=write_datasette_metadata,
    )
)
