"""Data releases: numbered, dated, checksummed snapshots of the published
knowledge base (every released resource and every link kind), with a
changelog against the previous release."""

import gc
import hashlib
import io
import json
import zipfile
from collections.abc import Callable
from contextlib import contextmanager
from functools import partial

from django.db import transaction
from django.db.models import Max

from imidkb.exports import Snapshot, build, package_zip
from kbframework.api.downloads import data_licence, table_serializer
from kbframework.api.fields import utc_timestamp
from kbframework.api.links import link_key, link_resources, link_rows
from kbframework.api.renderers import rows_to_csv
from kbframework.api.serializers import SourceBriefSerializer
from kbframework.models import DataVersion, Release, Source
from kbframework.registry import registry

PROJECT = "IMID-KB, a curated knowledge base of immune-mediated inflammatory diseases"
LICENCE_NOTE = (
    "Three of the texts the knowledge base is curated from are published under "
    "CC BY-SA; share-alike carries their terms over to data derived from them, "
    "so the data are released under CC BY-SA too. A source whose licence is "
    "not stated in the knowledge base is listed as such."
)


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def record_key(record: dict) -> str:
    return str(record.get("slug") or record.get("id"))


def snapshot(prefixes=None) -> tuple[dict[str, list], dict[str, list]]:
    """Published records of every released resource (registry.released()),
    then the published rows of every link kind (kbframework.api.links):
    full (detail) records for the JSON file and flat (list) records for the
    CSV files. `None` reads as the public does. `prefixes`: only those
    resources (a test of one writer on a large knowledge base)."""
    with collection_paused():
        return read_snapshot(prefixes)


@contextmanager
def collection_paused():
    """Python's cyclic garbage collector paused while a snapshot is read:
    the hundreds of thousands of records and rows it builds and keeps make
    each collection scan them all again (a third of the time on a large
    knowledge base), and nearly nothing they hold is garbage before the end."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def read_snapshot(prefixes=None) -> tuple[dict[str, list], dict[str, list]]:
    context = {"request": None, "for_release": True}
    full, flat = {}, {}
    for resource in registry.released():
        prefix, viewset = resource.api_prefix, resource.viewset
        if prefixes is not None and prefix not in prefixes:
            continue
        records = resource.model.objects
        detail = viewset.detail_serializer_class or viewset.serializer_class
        full[prefix] = detail(records.for_detail(None), many=True, context=context).data
        # Table rows, as the API's CSV has them: with citations (identifiers).
        flat[prefix] = table_serializer(
            viewset.serializer_class,
            records.for_list(None),
            model=resource.model,
            context=context,
        ).data
    for prefix, model, viewset in link_resources():
        if prefixes is not None and prefix not in prefixes:
            continue
        rows = viewset.serializer_class(
            link_rows(model, None), many=True, context=context
        ).data
        full[prefix] = flat[prefix] = rows
    return full, flat


def how_to_cite(number: int | None, cut_at=None) -> str:
    """The citation of one release, in words: the one text, in every
    release's files and API entry, on the API root and the about page.
    Before the first release (`number` None), of the live data."""
    licence = data_licence().get("name", "")
    what = (
        f"data release {number} (cut on {cut_at:%Y-%m-%d})"
        if number is not None
        else "live data, not yet a numbered release (give the date you read it)"
    )
    return (
        f"{PROJECT}, {what}"
        + (f", {licence}" if licence else "")
        + ". Cite the sources a record names in its citations as well."
    )


def latest_release() -> Release | None:
    """The newest release (its number and date only), None before the first."""
    return Release.objects.only("number", "cut_at").order_by("-number").first()


def current_citation() -> dict:
    """What the API root and the about page say about citing the data: the
    licence, the newest release and how to cite it (one query)."""
    release = latest_release()
    return {
        "licence": data_licence(),
        "release": release,
        "how_to_cite": (
            how_to_cite(release.number, release.cut_at)
            if release is not None
            else how_to_cite(None)
        ),
    }


def attribution(context: dict) -> list[dict]:
    """Every source, as a link like any other ({slug, name, url}), with its
    publisher, its licence as the knowledge base states it and where it is
    published (each None: not stated), for the release's attribution."""
    return [
        {
            "source": SourceBriefSerializer(source, context=context).data,
            "publisher": source.publisher or None,
            "licence": source.licence or None,
            "web_url": source.url or None,
        }
        for source in Source.objects.order_by("slug")
    ]


def licence_text(metadata: dict) -> str:
    """LICENCE.txt of a release zip: the licence, the sources and how to cite."""
    licence = metadata["licence"]
    lines = [
        f"{PROJECT}: data release {metadata['number']}",
        "",
        f"Licence: {licence['name']} <{licence['url']}>",
        "",
        licence["note"],
        "",
        "Sources (with the licence each states):",
    ]
    for entry in metadata["attribution"]:
        source = entry["source"]
        stated = entry["licence"] or "licence not stated"
        where = f" <{entry['web_url']}>" if entry["web_url"] else ""
        publisher = f", {entry['publisher']}" if entry["publisher"] else ""
        lines.append(
            f"- {source['name']}{publisher}{where}: {stated} [{source['slug']}]"
        )
    lines += ["", "How to cite:", metadata["how_to_cite"], ""]
    return "\r\n".join(lines)


def key_functions() -> dict[str, Callable[[dict], str]]:
    """How a record of each resource is keyed in a release (its slug or id),
    where not by record_key: a link row by its natural key, its ends' slugs
    ("psoriasis/fatigue")."""
    return {prefix: partial(link_key, model) for prefix, model, _ in link_resources()}


def content_hash(record: dict) -> str:
    return sha256(json.dumps(record, sort_keys=True, ensure_ascii=False).encode())


def manifest_of(full: dict[str, list]) -> dict[str, dict[str, str]]:
    """Each record's key (key_functions) and a hash of its content."""
    keys = key_functions()
    return {
        prefix: {
            keys.get(prefix, record_key)(record): content_hash(record)
            for record in records
        }
        for prefix, records in full.items()
    }


def changelog_between(old: dict, new: dict) -> dict[str, dict[str, list[str]]]:
    changes = {"added": {}, "changed": {}, "retired": {}}
    for prefix in sorted(set(old) | set(new)):
        before, after = old.get(prefix, {}), new.get(prefix, {})
        for kind, keys in (
            ("added", after.keys() - before.keys()),
            ("retired", before.keys() - after.keys()),
            (
                "changed",
                {k for k in after.keys() & before.keys() if after[k] != before[k]},
            ),
        ):
            if keys:
                changes[kind][prefix] = sorted(keys)
    return changes


def table_columns(rows) -> list[str] | None:
    """The columns of table rows (so that an empty table keeps its header)."""
    return getattr(getattr(rows, "serializer", None), "table_columns", None)


def build_zip(metadata: dict, flat: dict[str, list], label: str, when) -> bytes:
    """CSV files in a zip whose bytes depend only on the content and the date."""
    buffer = io.BytesIO()
    stamp = when.timetuple()[:6]
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        files = {
            "release.json": json.dumps(metadata, indent=2, ensure_ascii=False),
            "LICENCE.txt": licence_text(metadata),
        }
        files |= {
            f"{prefix}.csv": rows_to_csv(rows, label, columns=table_columns(rows))
            for prefix, rows in flat.items()
        }
        for name, text in files.items():
            info = zipfile.ZipInfo(name, date_time=stamp)
            info.compress_type = zipfile.ZIP_DEFLATED
            archive.writestr(info, text.encode("utf-8"))
    return buffer.getvalue()


def release_metadata(
    number: int | None,
    full: dict[str, list],
    *,
    cut_at=None,
    note: str = "",
    data_version: int | None = None,
    previous: int | None = None,
) -> dict:
    """What a release says about itself (release.json). `number` None: the
    live data, as of its last curated change."""
    if cut_at is None:
        version = DataVersion.current()
        cut_at, data_version = version.changed, version.number
    return {
        "number": number,
        "cut_at": utc_timestamp(cut_at),
        "note": note,
        "data_version": data_version,
        "previous": previous,
        "counts": {prefix: len(records) for prefix, records in full.items()},
        "licence": {**data_licence(), "note": LICENCE_NOTE},
        "attribution": attribution({"request": None}),
        "how_to_cite": how_to_cite(number, cut_at),
    }


def cut_release(*, note: str = "") -> Release:
    """Cut the next release of the published knowledge base."""
    with transaction.atomic():
        # A release gets a data version of its own, so that ETags change and
        # the live API names this release until the next curated write.
        DataVersion.bump()
        version = DataVersion.current()
        previous = (
            Release.objects.defer("json_data", "csv_zip").order_by("-number").first()
        )
        number = (Release.objects.aggregate(n=Max("number"))["n"] or 0) + 1
        full, flat = snapshot()
        manifest = manifest_of(full)
        changelog = changelog_between(previous.manifest if previous else {}, manifest)
        metadata = release_metadata(
            number,
            full,
            cut_at=version.changed,
            note=note,
            data_version=version.number,
            previous=previous.number if previous else None,
        )
        json_data = json.dumps(
            {"release": metadata, "changelog": changelog, "resources": full},
            ensure_ascii=False,
            separators=(",", ":"),
        ).encode("utf-8")
        csv_zip = build_zip(metadata, flat, str(number), version.changed)
        exports_zip = package_zip(build(Snapshot(full, metadata)), version.changed)
        DataVersion.objects.filter(pk=1).update(
            release=number, release_version=version.number
        )
        return Release.objects.create(
            number=number,
            cut_at=version.changed,
            note=note,
            data_version=version.number,
            counts=metadata["counts"],
            manifest=manifest,
            changelog=changelog,
            json_data=json_data,
            json_sha256=sha256(json_data),
            csv_zip=csv_zip,
            csv_zip_sha256=sha256(csv_zip),
            exports_zip=exports_zip,
            exports_zip_sha256=sha256(exports_zip),
        )
