"""The knowledge base in the field's formats, as one data package.

Each format is a module of this package that registers its files with
:func:`register` (an :class:`ExportFile`: a name, a media type, a Frictionless
table schema where the file is a table, and a writer). Every writer reads one
:class:`Snapshot`: the published records exactly as a release freezes them
(``resources``: the API's detail records per resource prefix, and its link
rows, as imidkb.releases.snapshot() gives them) and the release's metadata
(number, date, licence, how to cite). So the live exports (the data now) and
a release's exports (frozen when it is cut) are written by the same code from
the same kind of input, and a release's files never change afterwards.

:func:`build` writes every file and the Frictionless ``datapackage.json``
that describes them (name, path, media type, size, SHA-256 hash, schema),
with the licence and the release.
"""

import hashlib
import importlib
import io
import json
import zipfile
from collections.abc import Callable
from dataclasses import dataclass, field

from django.conf import settings

from kbframework.api.fields import utc_timestamp

# The modules that register export files, in the order the package lists them.
FORMAT_MODULES = ("sssom", "hpoa", "kgx", "sqlite")


@dataclass(frozen=True)
class Snapshot:
    """What every writer reads: the published records and the release."""

    # prefix -> records, as a release's JSON holds them ("resources").
    resources: dict[str, list[dict]]
    # number (None: the live data), cut_at, licence, attribution, how_to_cite.
    release: dict

    def records(self, prefix: str) -> list[dict]:
        return self.resources.get(prefix, [])

    @property
    def label(self) -> str:
        """The release's number, or "live"."""
        number = self.release.get("number")
        return "live" if number is None else str(number)


@dataclass(frozen=True)
class ExportFile:
    """One file of the data package."""

    name: str  # the file name, in the package and in the URL
    title: str
    description: str
    media_type: str
    format: str  # Frictionless "format": tsv, jsonl, json, sqlite...
    write: Callable[[Snapshot], bytes]
    # A Frictionless Table Schema ({"fields": [...]}), for tabular files.
    schema: dict | None = None
    # A Frictionless CSV dialect, for delimited files (TSV: tab).
    dialect: dict | None = None
    # Comment lines before the header (SSSOM's YAML metadata, HPOA's #).
    comment_char: str | None = None
    extra: dict = field(default_factory=dict)  # more Data Resource properties

    @property
    def resource_name(self) -> str:
        """The Frictionless resource name: lower case, -, _ and . only."""
        return self.name.lower()


_FILES: dict[str, ExportFile] = {}


def register(export: ExportFile) -> ExportFile:
    if export.name in _FILES or export.name == PACKAGE:
        raise ValueError(f"export file {export.name} is registered twice")
    _FILES[export.name] = export
    return export


def files() -> list[ExportFile]:
    """Every export file, every format module imported."""
    for module in FORMAT_MODULES:
        importlib.import_module(f"{__name__}.{module}")
    return list(_FILES.values())


def get(name: str) -> ExportFile | None:
    return {export.name: export for export in files()}.get(name)


PACKAGE = "datapackage.json"


def kb_prefix() -> str:
    """The CURIE prefix of the knowledge base's own records."""
    return settings.IMIDKB_CURIE_PREFIX


def kb_curie(prefix: str, slug: str) -> str:
    """A record's own identifier: IMIDKB:diseases/psoriasis (its API prefix
    and slug, so that every kind of record has its own namespace)."""
    return f"{kb_prefix()}:{prefix}/{slug}"


def kb_iri_base() -> str:
    """What the knowledge base's CURIE prefix expands to: the identifier
    resolver of the site, so that IMIDKB:diseases/psoriasis is
    <IMIDKB_PUBLIC_URL>/id/IMIDKB:diseases/psoriasis, which answers with the
    record (its page, or its API resource for JSON)."""
    return settings.IMIDKB_PUBLIC_URL.rstrip("/") + f"/id/{kb_prefix()}:"


def live_snapshot() -> Snapshot:
    """The published knowledge base now, as a release would freeze it."""
    from imidkb.releases import release_metadata, snapshot

    full, _flat = snapshot()
    return Snapshot(full, release_metadata(None, full))


def release_snapshot(release) -> Snapshot:
    """A release's frozen content (its JSON download)."""
    data = json.loads(bytes(release.json_data))
    return Snapshot(data["resources"], data["release"])


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def datapackage(snapshot: Snapshot, written: dict[str, bytes]) -> dict:
    """The Frictionless Data Package descriptor of the written files."""
    meta = snapshot.release
    licence = meta["licence"]
    resources = []
    for export in files():
        data = written[export.name]
        resource = {
            "name": export.resource_name,
            "path": export.name,
            "title": export.title,
            "description": export.description,
            "format": export.format,
            "mediatype": export.media_type,
            "encoding": "utf-8",
            "bytes": len(data),
            "hash": f"sha256:{sha256(data)}",
            **export.extra,
        }
        if export.format in ("sqlite", "zip"):
            del resource["encoding"]
        if export.schema is not None:
            resource["profile"] = "tabular-data-resource"
            resource["schema"] = export.schema
        if export.dialect is not None:
            resource["dialect"] = export.dialect
        resources.append(resource)
    number = meta.get("number")
    return {
        "profile": "data-package",
        "name": "imid-kb" if number is None else f"imid-kb-release-{number}",
        "title": "IMID-KB: immune-mediated inflammatory diseases"
        + ("" if number is None else f", data release {number}"),
        "description": "The knowledge base in the field's formats: mappings "
        "(SSSOM), a knowledge graph (Biolink KGX), disease-phenotype "
        "annotations (HPO annotation format) and a SQLite database. "
        + meta["how_to_cite"],
        "version": snapshot.label,
        "created": meta["cut_at"],
        "licenses": [
            {"name": licence["name"], "path": licence["url"], "title": licence["name"]}
        ],
        "sources": [
            {
                "title": entry["source"]["name"],
                **({"path": entry["web_url"]} if entry.get("web_url") else {}),
            }
            for entry in meta.get("attribution", [])
        ],
        "resources": resources,
    }


def build(snapshot: Snapshot) -> dict[str, bytes]:
    """Every export file and, last, the data package describing them."""
    written = {export.name: export.write(snapshot) for export in files()}
    package = datapackage(snapshot, written)
    written[PACKAGE] = json.dumps(package, indent=2, ensure_ascii=False).encode()
    return written


def package_zip(written: dict[str, bytes], when) -> bytes:
    """The files in one zip whose bytes depend only on the content and date."""
    buffer = io.BytesIO()
    stamp = when.timetuple()[:6]
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name in [PACKAGE, *sorted(set(written) - {PACKAGE})]:
            info = zipfile.ZipInfo(name, date_time=stamp)
            info.compress_type = zipfile.ZIP_DEFLATED
            archive.writestr(info, written[name])
    return buffer.getvalue()


def read_zip(data: bytes) -> dict[str, bytes]:
    with zipfile.ZipFile(io.BytesIO(bytes(data))) as archive:
        return {name: archive.read(name) for name in archive.namelist()}


__all__ = [
    "PACKAGE",
    "ExportFile",
    "Snapshot",
    "build",
    "files",
    "get",
    "kb_curie",
    "live_snapshot",
    "package_zip",
    "register",
    "release_snapshot",
    "utc_timestamp",
]
