"""Loading the curated knowledge base from fixtures/ and writing it back.

The fixtures are the knowledge base's reviewable form: indented JSON with natural
keys and no primary keys, one file per app, in a fixed order (each app names
its file and the models it holds in its resources.py: see kbframework.registry).
`load_kb` reads them in one transaction and writes only what differs, so
loading twice changes nothing;
`dump_kb` writes the database back in a stable order (natural-key order, computed
in Python so that SQLite and PostgreSQL collations give the same bytes).
"""

import hashlib
import json
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path

from django.apps import apps
from django.conf import settings
from django.core import serializers
from django.core.exceptions import FieldDoesNotExist, ValidationError
from django.core.serializers.base import DeserializedObject
from django.core.serializers.json import DjangoJSONEncoder
from django.db import connections, models, transaction

from kbframework import signals
from kbframework.registry import registry


class KBLoadError(Exception):
    """A fixture could not be loaded; the message names the file and record."""


@dataclass
class LoadReport:
    created: dict[str, int] = field(default_factory=dict)
    updated: dict[str, int] = field(default_factory=dict)
    unchanged: dict[str, int] = field(default_factory=dict)
    # (model, pk) of every record written, for its history entry.
    written: dict[str, list] = field(default_factory=dict)
    # Records changed in the database since the last load, kept as they are.
    kept: list[str] = field(default_factory=list)
    skipped_because_not_empty: bool = False

    def count(self, outcome: str, label: str) -> None:
        counts = getattr(self, outcome)
        counts[label] = counts.get(label, 0) + 1

    @property
    def changed(self) -> int:
        return sum(self.created.values()) + sum(self.updated.values())


def fixture_dir() -> Path:
    return Path(settings.FIXTURE_DIRS[0])


def load_kb(
    directory: Path | None = None,
    *,
    using: str = "default",
    force: bool = False,
    if_empty: bool = False,
) -> LoadReport:
    """Load every fixture file in order, in one transaction; write only changes.

    The load is three-way: each record is compared with the database and with
    what the fixtures said when it was last loaded or dumped (LoadedRecord).
    A record changed only in the fixtures is written; one changed only in the
    database (an editor's work in the admin) is kept; one changed on both
    sides makes the load refuse, naming every such record, unless `force`
    (then the fixtures win). `if_empty` loads only into an empty knowledge
    base (a first start), never over curated content.
    """
    directory = Path(directory or fixture_dir())
    report = LoadReport()
    with transaction.atomic(using=using), signals.bulk_write():
        if if_empty and _kb_has_records(using):
            report.skipped_because_not_empty = True
            return report
        files = [
            (file, _read_file(directory / file.name))
            for file in registry.fixture_files()
        ]
        kept = _three_way(files, using=using, force=force, report=report)
        loaded = []

        def to_load():
            for file, raw in files:
                for where, record, obj in _read_records(
                    directory / file.name, raw, list(file.labels), using
                ):
                    if record_key(record) not in kept:
                        loaded.append(record)
                        yield where, obj

        for obj, outcome in _write_all(to_load(), using):
            report.count(outcome, obj.object._meta.label_lower)
            if outcome != "unchanged":
                report.written.setdefault(outcome, []).append(
                    (type(obj.object), obj.object.pk)
                )
        record_history(report.written, using)
        remember_base(loaded, replace=False, using=using)
    return report


def _kb_has_records(using: str) -> bool:
    return any(
        model._base_manager.using(using).exists() for model in registry.curated_models()
    )


def _three_way(files, *, using: str, force: bool, report: "LoadReport") -> set[str]:
    """The keys of records to keep as the database has them; raise KBLoadError
    for records changed on both sides (unless force)."""
    from kbframework.models import LoadedRecord

    base = dict(LoadedRecord.objects.using(using).values_list("key", "sha256"))
    current = {
        record_key(record): record_hash(record)
        for file, _raw in files
        for record in records_of(file.labels, using=using)
    }
    kept, both = set(), []
    for file, raw in files:
        for record in raw:
            if not (
                isinstance(record, dict)
                and record.get("model") in file.labels
                and isinstance(record.get("fields"), dict)
            ):
                continue  # refused with its location when read
            key, theirs = record_key(record), record_hash(record)
            ours, last = current.get(key), base.get(key)
            if ours == theirs or last == ours or force:
                continue  # the same, or changed in the fixtures only
            if last == theirs:
                kept.add(key)  # changed (or deleted) in the database only
            elif ours is not None or last is not None:
                both.append(key)
    report.kept = sorted(kept)
    if both:
        never = not base
        raise KBLoadError(
            f"{len(both)} record(s) differ between the database and the fixtures, "
            + (
                "and this database was loaded before loadkb kept track of what it "
                "loaded"
                if never
                else "changed on both sides since the last load or dump"
            )
            + ": "
            + "; ".join(both[:20])
            + ("; ..." if len(both) > 20 else "")
            + ". Nothing was loaded. Keep the database's version with `manage.py "
            "dumpkb` (then review the fixtures' diff), or take the fixtures' "
            "with `manage.py loadkb --force`."
        )
    return kept


def refresh_planner_statistics(using: str = "default") -> None:
    """Let the database's query planner see the data after a bulk write.

    SQLite keeps no statistics until ANALYZE runs; without them it started
    the related-diseases reads from every disease instead of the few shared
    symptoms (measured at 10,000 diseases). PostgreSQL's autovacuum gets there
    on its own, later; ANALYZE makes it now.
    """
    with connections[using].cursor() as cursor:
        cursor.execute("ANALYZE")


def record_history(
    written: dict,
    using: str,
    *,
    reason: str = "loadkb: {outcome} from fixtures",
    user=None,
) -> None:
    """Give every record a load created or changed a history entry (fixture
    loads save raw, which django-simple-history does not record by itself).
    `reason` may name the {outcome}; `user` is who made the change."""
    from simple_history.utils import get_history_manager_for_model

    for outcome, rows in written.items():
        by_model: dict[type, list] = {}
        for model, pk in rows:
            by_model.setdefault(model, []).append(pk)
        for model, pks in by_model.items():
            if not hasattr(model, "history"):
                continue
            objects = list(model._base_manager.using(using).filter(pk__in=pks))
            get_history_manager_for_model(model).bulk_history_create(
                objects,
                update=outcome == "updated",
                default_change_reason=reason.format(outcome=outcome)[:100],
                default_user=user,
            )


def _read_file(path: Path) -> list:
    try:
        records = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError as exc:
        raise KBLoadError(f"{path.name}: file not found in {path.parent}") from exc
    except ValueError as exc:
        raise KBLoadError(f"{path.name}: not valid JSON ({exc})") from exc
    if not isinstance(records, list):
        raise KBLoadError(f"{path.name}: expected a list of records")
    return records


def _read_records(path: Path, records: list, labels: list[str], using: str):
    """Yield (description, record, DeserializedObject) for each record."""
    for number, record in enumerate(records, 1):
        where = f"{path.name}, record {number} ({_describe(record)})"
        if not isinstance(record, dict) or record.get("model") not in labels:
            raise KBLoadError(
                f"{where}: model must be one of {', '.join(labels)} in this file"
            )
        if "pk" in record:
            raise KBLoadError(
                f"{where}: fixture records carry no primary key; "
                "they are matched by natural key"
            )
        try:
            (obj,) = serializers.deserialize(
                "python", [record], using=using, handle_forward_references=True
            )
        except Exception as exc:
            raise KBLoadError(f"{where}: {_explain(exc)}") from exc
        yield where, record, obj


def _describe(record) -> str:
    """Name a raw fixture record by its model and natural-key fields."""
    if not isinstance(record, dict):
        return "not an object"
    label = record.get("model", "no model")
    fields = record.get("fields") if isinstance(record.get("fields"), dict) else {}
    try:
        model = apps.get_model(label)
    except (LookupError, ValueError):
        return str(label)
    names = [
        lookup.split("__")[0]
        for lookup in getattr(model, "natural_key_lookups", ("name",))
    ]
    key = [fields.get(name) for name in names]
    key = [k[0] if isinstance(k, list) and len(k) == 1 else k for k in key]
    return f"{label} {json.dumps(key, ensure_ascii=False)}"


def _explain(exc: Exception) -> str:
    if isinstance(exc, ValidationError) and hasattr(exc, "error_dict"):
        return "; ".join(
            f"{name}: {' '.join(messages)}"
            for name, messages in exc.message_dict.items()
        )
    if isinstance(exc, ValidationError):
        return " ".join(exc.messages)
    return f"{type(exc).__name__}: {exc}"


def _apply(obj: DeserializedObject, using: str) -> str:
    """Validate one record and save it if it is new or differs from the database."""
    instance = obj.object
    model = type(instance)
    deferred = {f.name for f in obj.deferred_fields}
    instance.clean_fields(exclude=deferred)
    if not deferred:
        instance.clean()
    if instance.pk is None:
        obj.save(using=using)
        return "created"
    existing = model._base_manager.using(using).get(pk=instance.pk)
    changed = any(
        getattr(existing, f.attname) != getattr(instance, f.attname)
        for f in model._meta.concrete_fields
        if f.name not in deferred
    )
    for name, pks in (obj.m2m_data or {}).items():
        current = set(getattr(existing, name).values_list("pk", flat=True).order_by())
        changed = changed or current != {
            model._meta.get_field(name).remote_field.model._meta.pk.to_python(pk)
            for pk in pks
        }
    if not changed:
        return "unchanged"
    keep_unserialized(instance, existing)
    obj.save(using=using)
    return "updated"


def keep_unserialized(instance, existing) -> None:
    """Fields the fixtures do not hold (serialize=False: a link's version)
    stay as the database has them; a version moves on, so that a form opened
    before this write is refused as stale."""
    for f in type(instance)._meta.concrete_fields:
        if not f.serialize and not f.primary_key:
            value = getattr(existing, f.attname)
            if f.name == "version":
                value += 1
            setattr(instance, f.attname, value)


def _apply_deferred(obj: DeserializedObject, using: str) -> None:
    """Resolve forward references (a parent listed after its child)."""
    instance = obj.object
    for fk, natural_key in obj.deferred_fields.items():
        related = fk.remote_field.model._default_manager.db_manager(using)
        target = related.get_by_natural_key(*natural_key)
        current = (
            type(instance)
            ._base_manager.using(using)
            .filter(pk=instance.pk)
            .values_list(fk.attname, flat=True)
            .get()
        )
        if current != target.pk:
            type(instance)._base_manager.using(using).filter(pk=instance.pk).update(
                **{fk.attname: target.pk}
            )
            target_model = fk.remote_field.model
            signals.mark_written(
                instance, [(target_model, current), (target_model, target.pk)]
            )
    instance.refresh_from_db(using=using)
    instance.clean()


class FixtureEncoder(DjangoJSONEncoder):
    """Decimals as written by a curator: 700000 and 0.7, not 700000.0000."""

    def default(self, o):
        if isinstance(o, Decimal):
            return format(o.normalize(), "f")
        return super().default(o)


def _sort_key(key) -> tuple:
    return tuple("" if part is None else str(part) for part in key)


def records_of(labels, *, using: str = "default") -> list[dict]:
    """The database's records of these models, as a fixture file holds them
    (natural keys, natural-key order, m2m sorted, decimals as written)."""
    records = []
    for label in labels:
        model = apps.get_model(label)
        queryset = model._default_manager.using(using).all()
        joins = {
            lookup.rsplit("__", 1)[0]
            for lookup in getattr(model, "natural_key_lookups", ())
            if "__" in lookup
        }
        if joins:
            queryset = queryset.select_related(*joins)
        instances = sorted(queryset, key=lambda obj: _sort_key(obj.natural_key()))
        records += as_records(instances)
    return records


def as_records(instances, *, with_pk: bool = False) -> list[dict]:
    """These rows in the fixtures' form; `with_pk` keeps each row's primary
    key beside it (a revision's rows: kbframework.revisions)."""
    records = serializers.serialize(
        "python",
        instances,
        use_natural_foreign_keys=True,
        use_natural_primary_keys=not with_pk,
    )
    for record in records:
        model = apps.get_model(record["model"])
        for name, value in record["fields"].items():
            if _is_m2m(model, name):
                record["fields"][name] = sorted(value, key=_sort_key)
    return json.loads(json.dumps(records, cls=FixtureEncoder))


def apply_records(records: list[dict], *, using: str = "default") -> dict:
    """Write these fixture-form records (each may carry the primary key of
    the row it updates) with the loader's own validation and comparison;
    returns {outcome: [(model, pk), ...]} of what it wrote."""

    def to_write():
        for number, record in enumerate(records, 1):
            where = f"record {number} ({_describe(record)})"
            try:
                (obj,) = serializers.deserialize(
                    "python", [record], using=using, handle_forward_references=True
                )
            except Exception as exc:
                raise KBLoadError(f"{where}: {_explain(exc)}") from exc
            yield where, obj

    written: dict[str, list] = {}
    for obj, outcome in _write_all(to_write(), using):
        if outcome != "unchanged":
            written.setdefault(outcome, []).append((type(obj.object), obj.object.pk))
    return written


def _write_all(items, using: str):
    """Apply each (where, deserialized record) in turn, yielding (record,
    outcome); then resolve the forward references (a parent listed after
    its child). Items are read one at a time: a record's natural keys may
    name a record written just before it."""
    pending: list[tuple[str, DeserializedObject]] = []
    for where, obj in items:
        try:
            outcome = _apply(obj, using)
        except KBLoadError:
            raise
        except Exception as exc:
            raise KBLoadError(f"{where}: {_explain(exc)}") from exc
        yield obj, outcome
        if obj.deferred_fields:
            pending.append((where, obj))
    for where, obj in pending:
        try:
            _apply_deferred(obj, using)
        except Exception as exc:
            raise KBLoadError(f"{where}: {_explain(exc)}") from exc


def serialize_file(labels, *, using: str = "default") -> str:
    """The text of one fixture file for the current database state."""
    return format_json(records_of(labels, using=using)) + "\n"


def record_key(record: dict) -> str:
    """A fixture record's identity: its model and natural-key fields."""
    model = apps.get_model(record["model"])
    names = [
        lookup.split("__")[0]
        for lookup in getattr(model, "natural_key_lookups", ("name",))
    ]
    key = [record["fields"].get(name) for name in names]
    return f"{record['model']} {json.dumps(key, ensure_ascii=False)}"


def record_hash(record: dict) -> str:
    text = json.dumps(record, sort_keys=True, ensure_ascii=False)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def format_json(value, level: int = 0) -> str:
    """Indented JSON whose short lists of plain values stay on one line.

    A natural key such as ["imid-bio-uk", "Introduction"] then reads as one
    line in a diff instead of four.
    """
    pad, inner = "  " * level, "  " * (level + 1)
    if isinstance(value, dict):
        if not value:
            return "{}"
        items = [
            f"{inner}{json.dumps(key, ensure_ascii=False)}: "
            f"{format_json(item, level + 1)}"
            for key, item in value.items()
        ]
        return "{\n" + ",\n".join(items) + f"\n{pad}}}"
    if isinstance(value, list):
        if not value:
            return "[]"
        if not any(isinstance(item, dict | list) for item in value):
            flat = json.dumps(value, ensure_ascii=False, separators=(", ", ": "))
            if len(flat) + len(inner) <= 88:
                return flat
        items = [f"{inner}{format_json(item, level + 1)}" for item in value]
        return "[\n" + ",\n".join(items) + f"\n{pad}]"
    return json.dumps(value, ensure_ascii=False)


def _is_m2m(model: type[models.Model], name: str) -> bool:
    try:
        return model._meta.get_field(name).many_to_many
    except FieldDoesNotExist:
        return False


def dump_kb(directory: Path | None = None, *, using: str = "default") -> list[Path]:
    """Write every fixture file from the database; return the paths written."""
    directory = Path(directory or fixture_dir())
    directory.mkdir(parents=True, exist_ok=True)
    written = []
    dumped = []
    for file in registry.fixture_files():
        path = directory / file.name
        records = records_of(file.labels, using=using)
        path.write_text(format_json(records) + "\n", encoding="utf-8")
        written.append(path)
        dumped += records
    # The files now say what the database says: that is the next load's base.
    remember_base(dumped, replace=True, using=using)
    return written


def remember_base(records: list[dict], *, replace: bool, using: str) -> None:
    """Record what the fixtures said of these records (LoadedRecord)."""
    from kbframework.models import LoadedRecord

    rows = LoadedRecord.objects.using(using)
    if replace:
        rows.all().delete()
    else:
        rows.filter(key__in=[record_key(r) for r in records]).delete()
    rows.bulk_create(
        [LoadedRecord(key=record_key(r), sha256=record_hash(r)) for r in records],
        batch_size=1000,
    )
