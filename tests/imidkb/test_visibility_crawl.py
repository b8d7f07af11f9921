"""Unpublished things never show: a crawl generated from the registry, the URL
conf and the API router.

One world is built from the registry: a draft and a retired (never
published) record of every curated model with a status, a published record
of every such model that depends on one of those (a drug in a draft class, a
figure of a draft disease...), and a row of every status-less curated kind
hanging off each of them. Every text field of every such row carries a unique
marker (`zqxmark<n>`), slugs too. Then every public URL is fetched, as the
public and as staff: the public sees no marker, gets no 5xx, and a URL naming
an unpublished record answers exactly as for a slug that never existed;
staff, who preview drafts, see every kind of row (the crawl has teeth).
"""

import io
import re
import zipfile
from decimal import Decimal
from types import SimpleNamespace
from urllib.parse import quote, quote_plus, urlencode

import django_filters
import pytest
from django.core.exceptions import ValidationError
from django.db import models
from django.test import Client
from django.urls import URLResolver, get_resolver
from django.utils.html import escape

from imidkb.releases import cut_release
from imidkb.router import record_routes
from kbframework.api.pagination import MAX_PAGE_SIZE
from kbframework.api.renderers import RELEASE_HEADER
from kbframework.choices import Status
from kbframework.models import Citation, Source
from kbframework.registry import registry

pytestmark = pytest.mark.django_db

MARK = "zqxmark"
# One typo away from the marker: the search finds marked names, and what the
# search pages repeat of the query is not the marker.
TYPO = "zqxmarq"
NONE = "zqxnone"
MARKED = re.compile(MARK + r"(\d+)")
PRINT_META = re.compile(r'<p class="print-meta"[^>]*>.*?</p>', re.S)
# Values that a database constraint dictates (kept short: the rest is generic).
FIELD_VALUES = {"hpo_id": "", "identifier": "MONDO:{mark}"}


class World:
    """The marked rows, what they point at, and the URLs that show them."""

    def __init__(self):
        self.counter = 0
        self.rows: dict[int, models.Model] = {}  # marker number -> row
        self.hidden: dict[type, list] = {}  # model -> rows the public never sees
        self.touched: dict[type, set] = {}  # model -> published rows linked to

    def mark(self) -> tuple[int, str]:
        self.counter += 1
        return self.counter, f"{MARK}{self.counter}"


def dependencies(model) -> list:
    """The foreign keys of a model (the test's own reading, not the kernel's):
    all but those the model says are no content (`visibility_ignores`)."""
    ignored = set(getattr(model, "visibility_ignores", ()))
    return [
        field
        for field in model._meta.concrete_fields
        if field.many_to_one and field.name not in ignored
    ]


def published(model):
    """A row of `model` the public sees (the fixtures' first)."""
    return model.objects.restrict(None).order_by("pk").first()


def fill(instance, mark: str) -> None:
    """Every plain field of a new row: markers in text, valid choices."""
    for field in instance._meta.concrete_fields:
        if field.primary_key or field.is_relation or field.name == "status":
            continue
        if field.name in FIELD_VALUES:
            setattr(instance, field.attname, FIELD_VALUES[field.name].format(mark=mark))
        elif field.choices:
            values = [value for value, _label in field.flatchoices if value != ""]
            setattr(instance, field.attname, values[0])
        elif isinstance(field, models.SlugField):
            name = instance._meta.model_name
            setattr(instance, field.attname, f"{mark}-{name}"[: field.max_length])
        elif isinstance(field, models.URLField):
            setattr(instance, field.attname, f"https://example.org/{mark}")
        elif isinstance(field, models.CharField | models.TextField):
            text = f"{mark} {instance._meta.verbose_name}"
            setattr(instance, field.attname, text[: field.max_length])
        elif isinstance(field, models.JSONField):
            setattr(instance, field.attname, [f"{mark}x"])
        elif not field.editable or field.has_default():
            continue
        elif isinstance(field, models.DecimalField):
            setattr(instance, field.attname, Decimal(1))
        elif isinstance(field, models.IntegerField):
            setattr(instance, field.attname, 2000)


def make(world: World, model, status=None, ends=None):
    """A new marked row of `model`: `ends` name some foreign keys; the others
    lead to published rows, optional ones are left empty unless a constraint
    wants them filled."""
    number, mark = world.mark()
    instance = model()
    fill(instance, mark)
    if status is not None:
        instance.status = status
    ends = ends or {}
    optional = []
    for field in model._meta.concrete_fields:
        if not field.many_to_one:
            continue
        if field.name in ends:
            setattr(instance, field.name, ends[field.name])
        elif not field.null:
            target = published(field.related_model)
            world.touched.setdefault(field.related_model, set()).add(target.pk)
            setattr(instance, field.name, target)
        elif field.related_model is not model:
            optional.append(field)
    for field in [None, *optional]:  # fill optional ends until constraints hold
        if field is not None:
            target = published(field.related_model)
            world.touched.setdefault(field.related_model, set()).add(target.pk)
            setattr(instance, field.name, target)
        try:
            instance.validate_constraints()
            break
        except ValidationError:  # a constraint wants another end filled
            if field is not None:
                setattr(instance, field.name, None)
    instance.save()
    if any(m2m.name == "citations" for m2m in model._meta.many_to_many):
        citation = Citation.objects.order_by("pk").first()
        instance.citations.set([citation])
        world.touched.setdefault(Source, set()).add(citation.source_id)
    world.rows[number] = instance
    return instance


def build_world() -> World:
    world = World()
    records = registry.workflow_models()
    # Drafts and retired records that were never published.
    for model in records:
        for status in (Status.DRAFT, Status.IN_REVIEW, Status.RETIRED):
            world.hidden.setdefault(model, []).append(make(world, model, status))
    # Published records that depend on an unpublished one.
    for model in records:
        for field in dependencies(model):
            if field.related_model in records:
                draft = world.hidden[field.related_model][0]
                row = make(world, model, Status.PUBLISHED, {field.name: draft})
                world.hidden[model].append(row)
    # Rows of every status-less kind hanging off any of those.
    for model in registry.link_models():
        for field in dependencies(model):
            for end in list(world.hidden.get(field.related_model, [])):
                row = make(world, model, ends={field.name: end})
                world.hidden.setdefault(model, []).append(row)
    return world


# ------------------------------------------------------------------ URLs


def site_patterns(patterns=None, prefix=""):
    """(route, view class or function) of every public HTML pattern."""
    for pattern in get_resolver().url_patterns if patterns is None else patterns:
        route = prefix + str(pattern.pattern)
        if isinstance(pattern, URLResolver):
            if not route.startswith(("admin/", "api/v1/")):
                yield from site_patterns(pattern.url_patterns, route)
        else:
            view = getattr(pattern.callback, "view_class", pattern.callback)
            yield route, view


def filter_values(world: World, name: str, flt) -> list[tuple[str, bool]]:
    """(value, names an unpublished record) to try for one filter."""
    if isinstance(flt, django_filters.ModelMultipleChoiceFilter):
        queryset = flt.queryset
        if callable(queryset):
            queryset = queryset(SimpleNamespace(user=None))
        model = queryset.model
        shown = model.objects.filter(pk__in=world.touched.get(model, ()))
        values = [(row.slug, False) for row in shown.order_by("pk")[:2]]
        return values + [(row.slug, True) for row in world.hidden.get(model, [])]
    choices = django_filters.ChoiceFilter, django_filters.MultipleChoiceFilter
    if isinstance(flt, choices):
        return [(str(value), False) for value, _label in flt.extra["choices"]]
    if isinstance(flt, django_filters.NumberFilter):
        return [("2000", False)]
    if name == "search":
        return [(TYPO, False)]
    values = {
        getattr(row, name)
        for rows in world.hidden.values()
        for row in rows
        if isinstance(getattr(row, name, None), str) and getattr(row, name)
    }
    return [(value, True) for value in sorted(values)[:2]] or [(TYPO, False)]


def list_urls(world: World, path: str, filterset_class, extra=()) -> list:
    """(url, hidden value named) of a list with each value of each filter."""
    urls = [(f"{path}?{urlencode(list(extra))}" if extra else path, None)]
    for name, flt in (filterset_class.base_filters if filterset_class else {}).items():
        for value, hidden in filter_values(world, name, flt):
            query = urlencode([*extra, (name, value)])
            urls.append((f"{path}?{query}", value if hidden else None))
    return urls


def detail_urls(world: World, reverse_url) -> list:
    urls = []
    for rows in world.hidden.values():
        for row in rows:
            url = reverse_url(row)
            if url:
                urls.append((url, str(getattr(row, "slug", row.pk))))
    for model, pks in world.touched.items():
        for row in model.objects.filter(pk__in=pks):
            if reverse_url(row):
                urls.append((reverse_url(row), None))
    return urls


def page_url(row):
    return row.get_absolute_url() if hasattr(row, "get_absolute_url") else None


def crawl_urls(world: World, client) -> list[tuple[str, str | None]]:
    """Every public URL worth fetching, with the unpublished slug it names."""
    urls = []
    for route, view in site_patterns():
        if "<" in route or route.startswith(("healthz", "favicon", "api/docs")):
            continue
        urls += list_urls(world, "/" + route, getattr(view, "filterset_class", None))
    urls += [("/search/?q=" + TYPO, None), (f"/compare/?add={TYPO}", None)]
    urls.append(("/api/v1/", None))  # the router's root
    urls += detail_urls(world, page_url)
    diseases = sorted(
        row.slug
        for model, pks in world.touched.items()
        for row in model.objects.filter(pk__in=pks)
        if model._meta.model_name == "disease"
    )
    urls.append(("/compare/?" + urlencode([("d", s) for s in diseases[:6]]), None))
    for model in registry.workflow_models():
        for row in world.hidden.get(model, []):
            if model._meta.model_name == "disease":
                pair = [("d", diseases[0]), ("d", row.slug)]
                urls.append(("/compare/?" + urlencode(pair), row.slug))
    sitemap = client.get("/sitemap.xml").content.decode()
    urls += [
        (re.sub("^https?://[^/]+", "", u), None)
        for u in re.findall(r"<loc>([^<]+)</loc>", sitemap)
    ]
    for prefix, viewset, _basename in record_routes():
        path = f"/api/v1/{prefix}/"
        filterset_class = getattr(viewset, "filterset_class", None)
        size = [("page_size", MAX_PAGE_SIZE)]
        urls += list_urls(world, path, filterset_class, size)
        if getattr(viewset, "csv_lists", False):
            # The CSV of a list holds the JSON list's rows (the same query):
            # each list once unfiltered here; its filters are crawled in JSON.
            query = urlencode([*size, ("format", "csv")])
            urls.append((f"{path}?{query}", None))
        if hasattr(viewset, "download_csv"):
            # Whole-table downloads: the list's rows in one streamed file.
            urls += [(f"{path}download.{ext}/", None) for ext in ("csv", "jsonl")]
        model = viewset.queryset.model
        lookup = viewset.lookup_field

        def api_url(row, model=model, lookup=lookup, path=path):
            if not isinstance(row, model):
                return None
            return f"{path}{getattr(row, lookup)}/"

        urls += detail_urls(world, api_url)
        if prefix == "releases":
            for release in model.objects.all():
                for tail in ("", "download.json", "download.zip"):
                    urls.append((f"{path}{release.number}/{tail}", None))
    return list(dict.fromkeys(urls))


def body_of(response) -> str:
    """The response body as text; the files of a zip, unpacked."""
    content = (
        b"".join(response.streaming_content)
        if response.streaming
        else (response.content)
    )
    if content[:2] == b"PK":
        with zipfile.ZipFile(io.BytesIO(content)) as archive:
            content = b"\n".join(archive.read(n) for n in archive.namelist())
    return content.decode("utf-8", "replace")


def as_if_never(url: str, named: str) -> str:
    """The same URL naming a record that never existed."""
    return url.replace(named, NONE if not named.isdigit() else "999999999")


def normalised(body: str, named: str) -> str:
    """The body with the value the URL names, as typed or URL-encoded (the
    page prints its own address), made one placeholder."""
    replacement = NONE if not named.isdigit() else "999999999"
    for text in (named, quote(named, safe=""), quote_plus(named)):
        body = body.replace(text, "NAMED")
    return body.replace(replacement, "NAMED")


def crawl(client, urls) -> dict[str, tuple[int, str]]:
    return {url: _fetch(client, url) for url, _named in urls}


def _fetch(client, url):
    response = client.get(url)
    body = body_of(response)
    if response.get("Content-Type", "").startswith("text/csv"):
        # The last column names the release; it reads "1+" once data changed.
        release = response.get(RELEASE_HEADER, "")
        body = body.replace(f",{release}\r\n", ",RELEASE\r\n")
    # The line a printout carries (the page's address, the day it was
    # made) depends on the request and the clock, not on the data.
    body = PRINT_META.sub("", body)
    return response.status_code, body


@pytest.fixture
def world(kb):
    built = build_world()
    cut_release(note=f"{MARK}0 release")  # a release cut with the drafts there
    return built


def test_the_public_sees_nothing_unpublished(world, client):
    """No public URL shows a marker of an unpublished record or of a row
    depending on one, none answers 5xx, and a URL naming an unpublished record
    answers as for a record that never existed."""
    urls = crawl_urls(world, client)
    assert len(urls) > 300
    problems, answers = [], {}
    for url, named in urls:
        status, body = answers[url] = _fetch(client, url)
        if status >= 500:
            problems.append(f"{status} {url}")
        checked = body if named is None else normalised(body, named)
        if named is not None:
            expected = _fetch(client, as_if_never(url, named))
            if (status, checked) != (expected[0], normalised(expected[1], named)):
                problems.append(f"answers unlike a missing record: {url} ({status})")
        if "release" in url and f"{MARK}0 release" in checked:
            checked = checked.replace(f"{MARK}0 release", "")
        found = sorted(set(MARKED.findall(checked.lower())))
        if found:
            kinds = {type(world.rows[int(n)]).__name__ for n in found}
            problems.append(f"{url} shows {', '.join(sorted(kinds))}")
    # Nothing depends on them either (a count, a page's length): without
    # them, every page answers the same.
    for number in sorted(world.rows, reverse=True):
        world.rows[number].delete()
    for url, named in urls:
        if named is None and _fetch(client, url) != answers[url]:
            problems.append(f"changes when the unpublished rows go: {url}")
    assert len(world.rows) > 50
    assert not problems, "\n".join(problems[:60])


def test_staff_preview_shows_every_kind_of_marked_row(world, admin_client):
    """The crawl has teeth: the same URLs, fetched by staff, show a marked row
    of every kind the world holds (drafts preview, marked "not public")."""
    urls = crawl_urls(world, Client())
    seen = set()
    # A link row whose own text no page shows (a membership's note) shows
    # as itself: "<group> includes <member>" on its source's page.
    names = {number: escape(str(row)) for number, row in world.rows.items()}
    # The CSV of a filtered list repeats its JSON: staff fetch the JSON only.
    urls = [(u, n) for u, n in urls if "format=csv&" not in u]
    for url, _named in urls:
        _status, body = _fetch(admin_client, url)
        seen |= {int(n) for n in MARKED.findall(body.lower()) if int(n) in world.rows}
        seen |= {number for number, name in names.items() if name in body}
    kinds = {type(row) for row in world.rows.values()}
    shown = {type(world.rows[n]) for n in seen}
    assert kinds - shown == set()
    assert len(seen) >= len(world.rows) * 0.8
