"""The read model: every record's public answers (its API detail, its page),
stored as an anonymous reader is served them, and served from one indexed
read (imidkb.response_cache) however cold the response cache is.

A record list's pages (an API resource's list, a list page), asked for with
nothing in the query string but the page, the page size and the ordering,
are documents too: for each kind of row it read (its model's, and any other
it shows: a filter's choices, a disease's body systems), a page reads LIST
of that kind instead of each row; any write of a row of a kind, or of a row
at whose end a row of that kind is, deletes every page that reads its LIST
(a page's rows, their number and their order, and what the page offers
beside them, can all move with it).

A document is stored the first time its address is asked for by a reader
with nothing of their own in the request (or by `manage.py buildpublic`),
with the rows it was built from: every model instance Django made while the
response was rendered (`post_init`), recorded in PublicDocumentRead. Any
write of a row deletes, in the transaction of the write, the documents that
read it (`invalidate`); so a document, when there is one, is what rendering
would give now, and a published change is visible to the very next request
of every process. What a write changes that no document read (a new link, a
record made visible) is found from the row's ends:

- a row created or deleted, or one whose foreign keys (or, for a record,
  status, name, kind or any other field rows are ordered or filtered by)
  changed, is *structural*: the documents that read its ends are deleted too
  when the ends are records with a workflow (a disease, a symptom: they may
  now list it, or rank another disease beside them), and the ends' own
  documents when they are reference rows (a source, a body system: read by
  nearly every document, listing only what points at them);
- for a record, its ends are the other ends of every row hanging off it
  (registry.hanging_off) and its citations' sources.

A store is refused when the data version moved while the response was
rendered (the write's transaction may have deleted the document before it
was stored): the check and the store hold the data version's row lock (on
SQLite, the database's write lock), which every curated write takes first.
"""

import functools
import hashlib
import json
from contextlib import contextmanager
from contextvars import ContextVar
from pathlib import Path
from urllib.parse import parse_qsl

from django.conf import settings
from django.db import DatabaseError, connection, models, transaction
from django.db.models.signals import post_init
from django.utils import timezone
from django.utils.dateparse import parse_datetime

# The host every stored body and header is written with: the host asked on
# is put back when it is served.
HOST = "read-model.invalid"
# Headers each answer computes afresh (or its client's own): never stored.
PER_ANSWER = {
    "content-length",
    "etag",
    "last-modified",
    "x-kb-release",
    "x-kb-data-version",
    "ratelimit",
    "ratelimit-policy",
    "x-request-id",
}
# What a record list's page may be asked with and still be a document: on
# the API, and on a list page (which has no other size or order).
LIST_PARAMETERS = {"page", "page_size", "ordering"}
PAGE_PARAMETERS = {"page"}
# Fields whose change alone never moves a record in other records' answers:
# what is shown, not what rows are filtered or ordered by.
BOOKKEEPING = {"id", "created", "updated", "version", "reviewed_on"}
CHUNK = 500

_reads: ContextVar[set | None] = ContextVar("kb_readmodel_reads", default=None)


def enabled() -> bool:
    return getattr(settings, "READ_MODEL", False)


@functools.cache
def code_version() -> str:
    """A digest of the code, templates and static files answers are made
    with: part of every document's key, so a deploy never serves what the
    code before it rendered."""
    from django.apps import apps

    root = Path(settings.BASE_DIR)
    folders = [root / "templates", root / "static"] + [
        Path(config.path)
        for config in apps.get_app_configs()
        if Path(config.path).is_relative_to(root)
    ]
    digest = hashlib.sha256()
    for folder in sorted(set(folders)):
        for path in sorted(folder.rglob("*")):
            if path.is_file() and "__pycache__" not in path.parts:
                digest.update(str(path.relative_to(root)).encode())
                digest.update(path.read_bytes())
    return digest.hexdigest()[:16]


def key_for(scheme: str, path: str) -> str:
    return f"{code_version()} {scheme} {path}"


def record_read(sender, instance, **kwargs):
    reads = _reads.get()
    if reads is not None and instance.pk is not None:
        reads.add((instance._meta.label_lower, instance.pk))


post_init.connect(record_read, dispatch_uid="kb-readmodel-reads")


# The primary key that stands for "how many of them the public may see" in
# reads and ends: a document that weighs by it (related diseases) reads it;
# a record made visible or hidden changes it.
COUNT = 0


# The primary key that stands for "every row of the model, their number and
# order": read by the documents of lists (instead of each row they show),
# written by every write of a row of the model or ending at one.
LIST = -1


def note_count_read(model) -> None:
    """The answer being rendered depends on how many records of `model`
    the public may see."""
    reads = _reads.get()
    if reads is not None:
        reads.add((model._meta.label_lower, COUNT))


def count_changes(instance, before, created: bool, deleted: bool) -> list:
    """[(model, COUNT)] when the write may change how many records of its
    kind the public sees (a record created, deleted, published or hidden)."""
    if not any(f.name == "status" for f in type(instance)._meta.concrete_fields):
        return []
    if created or deleted or before is None or before.get("status") != instance.status:
        return [(type(instance), COUNT)]
    return []


@contextmanager
def capturing():
    """Collect ("app.model", pk) of every instance made inside the block."""
    reads: set = set()
    token = _reads.set(reads)
    try:
        yield reads
    finally:
        _reads.reset(token)


def is_list_query(query_string: str, names=LIST_PARAMETERS) -> bool:
    """Whether a query string asks a list for nothing but a page of it in
    an order (each of `names` at most once): such a page may be a
    document."""
    try:
        pairs = parse_qsl(query_string, keep_blank_values=True, strict_parsing=True)
    except ValueError:
        return False
    asked = [name for name, _value in pairs]
    return set(asked) <= names and len(set(asked)) == len(asked)


def document_route(resolver_match, query_string: str = "") -> tuple[str, str] | None:
    """("app.model", slug) when the view at this match answers one record
    (an API resource's detail, a record's page) and nothing is asked of it
    in the query string; ("app.model", "") when it answers a page of a list
    of records (an API resource's list, a list page) asked for with no
    more than is_list_query() lets through; else None. From the URL conf:
    every address, whatever app registers it."""
    if resolver_match is None:
        return None
    model, kind = route_model(resolver_match.func)
    if model is None:
        return None
    if kind == "detail" and "slug" in resolver_match.kwargs and not query_string:
        return model._meta.label_lower, resolver_match.kwargs["slug"]
    names = LIST_PARAMETERS if hasattr(resolver_match.func, "cls") else PAGE_PARAMETERS
    if (
        kind == "list"
        and not resolver_match.kwargs
        and is_list_query(query_string, names)
    ):
        return model._meta.label_lower, ""
    return None


def route_model(func) -> tuple[type[models.Model] | None, str]:
    """(model, "detail" or "list") of a view function whose answers may be
    documents, else (None, "")."""
    from django.views.generic.list import MultipleObjectMixin

    from kbframework.api.viewsets import KBReadOnlyViewSet
    from kbframework.views import KBDetailView, RestrictedMixin

    viewset = getattr(func, "cls", None)
    if viewset is not None and issubclass(viewset, KBReadOnlyViewSet):
        action = getattr(func, "actions", {}).get("get")
        if action == "retrieve":
            return viewset.queryset.model, "detail"
        if action == "list":
            return viewset.queryset.model, "list"
    view_class = getattr(func, "view_class", None)
    if view_class is not None and issubclass(view_class, KBDetailView):
        return view_class.model, "detail"
    if (
        view_class is not None
        and issubclass(view_class, RestrictedMixin)
        and issubclass(view_class, MultipleObjectMixin)
        and view_class.model is not None
    ):
        return view_class.model, "list"
    return None, ""


def _aware(value):
    if isinstance(value, str):
        value = parse_datetime(value)
    if settings.USE_TZ and timezone.is_naive(value):
        value = timezone.make_aware(value, connection.timezone)
    return value


def fetch(key: str):
    """(DataVersion, document or None) in one statement: the data version
    and the document stored at `key`, as plain values."""
    from kbframework.models import DataVersion, PublicDocument

    quote = connection.ops.quote_name
    version_table = quote(DataVersion._meta.db_table)
    document_table = quote(PublicDocument._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT v.number, v.changed, v.release, v.release_version, "
            "d.body, d.headers, d.digest, d.changed, d.versioned "
            f"FROM {version_table} v LEFT JOIN {document_table} d ON d.key = %s "
            "WHERE v.id = 1",
            [key],
        )
        row = cursor.fetchone()
    if row is None:
        return DataVersion.current(), None
    number, changed, release, release_version = row[:4]
    version = DataVersion(
        pk=1,
        number=number,
        changed=_aware(changed),
        release=release,
        release_version=release_version,
    )
    if row[4] is None:
        return version, None
    body, headers, digest, doc_changed, versioned = row[4:]
    if isinstance(headers, str):
        headers = json.loads(headers)
    document = {
        "body": bytes(body),
        "headers": headers,
        "digest": digest,
        "changed": _aware(doc_changed),
        "versioned": bool(versioned),
    }
    return version, document


def store(key, route, body, headers, reads, host, seen_version) -> bool:
    """Keep the answer at `key` with the rows it read, unless the data
    version moved since `seen_version` (see the module's doc)."""
    from kbframework.models import DataVersion, PublicDocument, PublicDocumentRead

    marker = f"://{host}".encode()
    body = body.replace(marker, f"://{HOST}".encode())
    kept = [
        [name, value.replace(f"://{host}", f"://{HOST}")]
        for name, value in headers
        if name.lower() not in PER_ANSWER
    ]
    versioned = any(name.lower() == "x-kb-data-version" for name, _ in headers)
    digest = hashlib.sha256(body).hexdigest()
    try:
        with transaction.atomic():
            number = (
                DataVersion.objects.select_for_update()
                .filter(pk=1)
                .values_list("number", flat=True)
                .first()
            )
            if number != seen_version:
                return False
            old = PublicDocument.objects.filter(key=key).values(
                "pk", "digest", "changed"
            )
            old = old.first()
            if old is not None:
                _delete_ids([old["pk"]])
            label, slug = route
            if not slug:  # a list's page: LIST stands for each kind's rows
                reads = {(read_label, LIST) for read_label, _pk in reads | {route}}
            document = PublicDocument.objects.create(
                key=key,
                body=body,
                headers=kept,
                digest=digest,
                changed=old["changed"]
                if old is not None and old["digest"] == digest
                else timezone.now(),
                versioned=versioned,
                label=label,
                slug=slug,
            )
            PublicDocumentRead.objects.bulk_create(
                PublicDocumentRead(document=document, label=label, object_id=pk)
                for label, pk in reads
            )
    except DatabaseError:
        # Locked by a writer, or a concurrent store of the same key: the
        # next request stores it.
        return False
    return True


def body_for(document, host: str) -> bytes:
    return document["body"].replace(f"://{HOST}".encode(), f"://{host}".encode())


def headers_for(document, host: str) -> list[tuple[str, str]]:
    return [
        (name, value.replace(f"://{HOST}", f"://{host}"))
        for name, value in document["headers"]
    ]


def etag(document, host: str) -> str:
    basis = f"{document['digest']}|{host}"
    return '"' + hashlib.sha256(basis.encode()).hexdigest()[:32] + '"'


# Invalidation -------------------------------------------------------------


def _delete_ids(ids) -> None:
    from kbframework.models import PublicDocument, PublicDocumentRead

    ids = list(ids)
    for start in range(0, len(ids), CHUNK):
        chunk = ids[start : start + CHUNK]
        PublicDocumentRead.objects.filter(document_id__in=chunk)._raw_delete(
            connection.alias
        )
        PublicDocument.objects.filter(pk__in=chunk)._raw_delete(connection.alias)


def clear() -> None:
    """Delete every document (a bulk write, a release, a write the module
    cannot trace to its rows)."""
    from kbframework.models import PublicDocument, PublicDocumentRead

    PublicDocumentRead.objects.all()._raw_delete(connection.alias)
    PublicDocument.objects.all()._raw_delete(connection.alias)


def structural_fields(model) -> list[str]:
    """The attnames of the fields rows are filtered or ordered by: all
    concrete fields but texts, JSON lists and bookkeeping."""
    return [
        field.attname
        for field in model._meta.concrete_fields
        if field.name not in BOOKKEEPING
        and not isinstance(field, (models.TextField, models.JSONField))
        and not field.primary_key
    ]


def snapshot(instance) -> dict | None:
    """The structural fields of the row as stored, before a save."""
    if instance.pk is None:
        return None
    fields = structural_fields(type(instance))
    return type(instance)._base_manager.filter(pk=instance.pk).values(*fields).first()


def is_structural(instance, before, created: bool) -> bool:
    if created or before is None:
        return True
    return any(getattr(instance, name) != before[name] for name in before)


def invalidate(rows, ends=()) -> None:
    """Delete the documents that read any of `rows` (instances), and those
    that must show a change at the ends of a structural one (`ends`)."""
    from kbframework.models import PublicDocument, PublicDocumentRead
    from kbframework.registry import registry

    workflow = set(registry.workflow_models())
    read = {}
    own = set()
    for row in rows:
        read.setdefault(row._meta.label_lower, set()).add(row.pk)
    for end_model, pks in _ends(ends):
        if COUNT in pks:
            read.setdefault(end_model._meta.label_lower, set()).add(COUNT)
            pks = pks - {COUNT}
        if end_model in workflow:
            read.setdefault(end_model._meta.label_lower, set()).update(pks)
        else:
            read.setdefault(end_model._meta.label_lower, set())
            own.update(_own_addresses(end_model, pks))
    # Whatever moves a row of a model, or at a row's end, may move its lists.
    for label in {*read, *(end_label for end_label, _slug in own)}:
        read.setdefault(label, set()).add(LIST)
    ids = set()
    for label, pks in read.items():
        pks = list(pks)
        for start in range(0, len(pks), CHUNK):
            ids.update(
                PublicDocumentRead.objects.filter(
                    label=label, object_id__in=pks[start : start + CHUNK]
                ).values_list("document_id", flat=True)
            )
    for label, slugs in _group(own).items():
        ids.update(
            PublicDocument.objects.filter(label=label, slug__in=slugs).values_list(
                "pk", flat=True
            )
        )
    if ids:
        _delete_ids(ids)


def _group(pairs) -> dict:
    grouped: dict = {}
    for label, slug in pairs:
        grouped.setdefault(label, []).append(slug)
    return grouped


def _ends(ends):
    """(model, primary keys) of each kind of end named in `ends`, a list of
    (model, pk) pairs."""
    grouped: dict = {}
    for model, pk in ends:
        if pk is not None:
            grouped.setdefault(model, set()).add(pk)
    return grouped.items()


def _own_addresses(model, pks):
    """("app.model", slug) of the rows' own documents; a row without any (a
    citation) stands for its foreign keys' (its source)."""
    from kbframework.registry import registry

    label = model._meta.label_lower
    if label in registry.resources:
        return {
            (label, slug)
            for slug in model._base_manager.filter(pk__in=pks).values_list(
                "slug", flat=True
            )
        }
    found = set()
    for field in model._meta.concrete_fields:
        if field.many_to_one:
            targets = model._base_manager.filter(pk__in=pks).values_list(
                field.attname, flat=True
            )
            found |= _own_addresses(field.related_model, set(targets) - {None})
    return found


def ends_of(instance, structural: bool) -> list:
    """(model, pk) of the rows at the ends of a structural change of
    `instance`: what its foreign keys point at, and for a record the other
    ends of every row hanging off it and its citations."""
    from kbframework.registry import registry

    if not structural:
        return []
    model = type(instance)
    ends = [
        (field.related_model, getattr(instance, field.attname))
        for field in model._meta.concrete_fields
        if field.many_to_one
    ]
    if instance.pk is None or model not in registry.workflow_models():
        return ends
    for other, fk_name in registry.hanging_off(model):
        targets = [
            field
            for field in other._meta.concrete_fields
            if field.many_to_one and field.name != fk_name
        ]
        if not targets:
            continue
        rows = other._base_manager.filter(**{fk_name: instance.pk}).values_list(
            *[field.attname for field in targets]
        )
        for values in rows:
            ends.extend(
                (field.related_model, value)
                for field, value in zip(targets, values, strict=True)
            )
    for field in model._meta.many_to_many:
        through = field.remote_field.through
        source = field.m2m_field_name()
        target = field.m2m_reverse_field_name()
        for pk in through._base_manager.filter(**{source: instance.pk}).values_list(
            f"{target}_id", flat=True
        ):
            ends.append((field.related_model, pk))
    return ends
