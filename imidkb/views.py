"""Site-wide pages: home, search, compare, sources, about, errors."""

import sys
from collections import defaultdict
from dataclasses import dataclass
from urllib.parse import urlencode

from django.conf import settings
from django.core.exceptions import TooManyFieldsSent
from django.db.models import Count, Max, Min, Prefetch
from django.http import (
    HttpResponsePermanentRedirect,
    HttpResponseRedirect,
    JsonResponse,
)
from django.shortcuts import get_object_or_404
from django.templatetags.static import static
from django.urls import reverse
from django.views import defaults
from django.views.generic import TemplateView
from django_filters.views import FilterView

from diseases.models import Disease, DiseaseBodySystem
from epidemiology.disagreements import disagreements
from imidkb.outage import is_outage, unavailable
from imidkb.releases import current_citation
from kbframework import search
from kbframework.api.exceptions import error_response
from kbframework.citations import CitationIndex
from kbframework.filtersets import SourceFilterSet
from kbframework.models import Citation, Source
from kbframework.registry import registry
from kbframework.visibility import Visibility

MAX_COMPARED = 6
HOME_LIST_LIMIT = 12
MAX_QUERY_LENGTH = 200
IDENTIFIER_FIELDS = ("identifier", "loose-identifier")


def capped_by_system(links, limit: int) -> list[tuple]:
    """(body system, its first `limit` diseases, how many more), from
    (system slug, system name, disease slug, disease name) rows."""
    groups: dict = {}
    for system_slug, system_name, disease_slug, disease_name in links:
        system = (system_slug, system_name)
        shown, more = groups.setdefault(system, ([], [0]))
        if len(shown) < limit:
            shown.append(
                Link(
                    disease_name,
                    reverse("diseases:disease-detail", args=[disease_slug]),
                )
            )
        else:
            more[0] += 1
    return [
        (
            Link(name, reverse("diseases:bodysystem-detail", args=[slug]), slug),
            shown,
            more[0],
        )
        for (slug, name), (shown, more) in groups.items()
    ]


@dataclass(frozen=True)
class Link:
    """A named page, for lists built without model instances."""

    name: str
    url: str
    slug: str = ""


class HomeView(TemplateView):
    """What the knowledge base is, a search box, the diseases at a glance and
    what changed last.

    Each body system lists its first HOME_LIST_LIMIT diseases and then links
    to the rest ("and 4 more", the disease list filtered by that system); the
    diseases with no body system stated are listed in full (the list cannot
    filter by "none"). "Recently changed" goes by each record's `updated`
    time, the time it was last saved; when every disease carries the same one
    (all loaded at once from the fixtures, none edited since) the page says
    so instead of listing an order that is not there.
    """

    template_name = "imidkb/home.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        visible = Disease.objects.restrict(self.request.user)
        links = (
            DiseaseBodySystem.objects.filter(disease__in=visible)
            .order_by("body_system__name", "disease__name")
            .values_list(
                "body_system__slug",
                "body_system__name",
                "disease__slug",
                "disease__name",
            )
        )
        context["by_system"] = capped_by_system(links, HOME_LIST_LIMIT)
        context["unplaced"] = (
            visible.filter(body_system_links__isnull=True)
            .exclude(kind__in=[Disease.Kind.GROUP, Disease.Kind.CONDITION])
            .only("slug", "name", "kind")
        )
        context["groups"] = visible.filter(kind=Disease.Kind.GROUP).only(
            "slug", "name", "abbreviations", "kind"
        )
        context.update(recent_changes(visible))
        sources = list(Source.objects.exclude(kind=Source.Kind.SYNTHETIC))
        context["texts"] = [s for s in sources if s.kind != Source.Kind.REFERENCE_SET]
        context["reference_sets"] = [
            s for s in sources if s.kind == Source.Kind.REFERENCE_SET
        ]
        return context


RECENT_LIMIT = 6


def recent_changes(visible) -> dict:
    """The diseases changed last, newest first, and the time the others
    share: `recent` holds only those changed after the oldest `updated` time
    (none when every disease has the same), `unchanged` how many carry that
    oldest time and `unchanged_since` the time itself."""
    stamps = visible.aggregate(
        oldest=Min("updated"), newest=Max("updated"), count=Count("pk")
    )
    oldest = stamps["oldest"]
    if oldest is None or oldest == stamps["newest"]:
        return {
            "recent": [],
            "unchanged": stamps["count"],
            "unchanged_since": oldest,
        }
    recent = list(
        visible.filter(updated__gt=oldest)
        .order_by("-updated", "name")
        .only("slug", "name", "updated", "kind")[:RECENT_LIMIT]
    )
    return {
        "recent": recent,
        "unchanged": visible.filter(updated=oldest).count(),
        "unchanged_since": oldest,
    }


class SearchView(TemplateView):
    """Every kind of record by its names, abbreviations, synonyms and older
    names, by its members' names and by its summary, grouped by kind, best
    match first (kbframework.search.site_search). An identifier that one
    record carries (MONDO:0005109, M06.9, L04AX03) lands on that record."""

    template_name = "imidkb/search.html"

    def get(self, request, *args, **kwargs):
        query = request.GET.get("q", "").strip()
        cut = len(query) > MAX_QUERY_LENGTH
        query = query[:MAX_QUERY_LENGTH].rstrip()
        groups = search_groups(query, request.user) if query else []
        identified = {
            result.record.get_absolute_url()
            for _title, results in groups
            for result in results
            if result.hit.field in IDENTIFIER_FIELDS
        }
        if len(identified) == 1:
            return HttpResponseRedirect(identified.pop())
        context = self.get_context_data(**kwargs)
        context.update(
            query=query,
            cut=cut,
            max_length=MAX_QUERY_LENGTH,
            groups=groups,
            total=sum(len(results) for _title, results in groups),
            identified=len(identified),
            unknown_identifiers=sorted(search.identifier_forms(query))
            if query and not identified
            else [],
        )
        return self.render_to_response(context)


@dataclass(frozen=True)
class Result:
    """One record found: why it matched (in words, empty for its name) and
    the one line shown under it."""

    record: object
    hit: search.Hit
    why: str
    line: str


def why_found(hit: search.Hit, query: str) -> str:
    """What matched, in words, when it was not the record's name."""
    quoted = f"\u201c{hit.text}\u201d"
    if hit.field == "abbreviation":
        return f"abbreviation {hit.text}"
    if hit.field == "synonym":
        return f"also called {quoted}"
    if hit.field == "former-name":
        return f"formerly called {quoted}"
    if hit.field == "term":
        return f"also listed as {quoted}"
    if hit.field == "member":
        found_as = f" (found as \u201c{hit.via}\u201d)" if hit.via else ""
        return f"contains {hit.text}{found_as}"
    if hit.field in search.PROSE_FIELDS:
        return f"{hit.field} mentions \u201c{query}\u201d"
    if hit.field == "identifier":
        return f"identifier {hit.text}"
    if hit.field == "loose-identifier":
        return f"identifier {hit.text} (loose link)"
    return ""


def result_line(resource, record, hit: search.Hit, query: str) -> str:
    """The line under a result: what the resource says of it (its summary,
    shortened); for a hit in the summary, the words around the match when the
    shortened summary leaves them out."""
    if resource.search_line:
        return resource.search_line(record)
    line = search.one_line(search.prose_of(record))
    if hit.field in search.PROSE_FIELDS:
        shown = set(search.normalize(line).split())
        if not set(search.normalize(query).split()) <= shown:
            return search.excerpt(hit.text, query)
    return line


def search_groups(query: str, user) -> list[tuple[str, list[Result]]]:
    """Results grouped by kind of record, in the registry's order, each kind
    read as its resource says (`search_rows`) and restricted to this reader."""
    hits = search.site_search(query, Visibility.of(user))
    by_label = defaultdict(list)
    for hit in hits:
        by_label[hit.label].append(hit)
    groups = []
    for resource in registry.searchable():
        if not by_label[resource.label]:
            continue
        rows = (
            resource.search_rows(user)
            if resource.search_rows
            else resource.model.objects.restrict(user)
        )
        records = rows.in_bulk([hit.object_id for hit in by_label[resource.label]])
        found = sorted(
            (
                (hit, records[hit.object_id])
                for hit in by_label[resource.label]
                if hit.object_id in records
            ),
            key=lambda pair: (pair[0].rank, str(pair[1]).casefold()),
        )
        results = [
            Result(
                record,
                hit,
                why_found(hit, query),
                result_line(resource, record, hit, query),
            )
            for hit, record in found
        ]
        if results:
            groups.append((resource.search_title, results))
    return groups


class CompareView(TemplateView):
    """Two to six diseases side by side: their body systems, symptoms,
    mechanisms and drug classes (their own, and those stated for their
    groups, marked as such), and their figures with their notes."""

    template_name = "imidkb/compare.html"

    def get(self, request, *args, **kwargs):
        added = request.GET.get("add", "").strip()[:200]
        if added:
            return self.add_by_name(request, added)
        context = self.get_context_data(**kwargs)
        status = 400 if context["error"] else 200
        return self.render_to_response(context, status=status)

    def add_by_name(self, request, name: str):
        """Resolve a typed name (search) to a disease and add it to the list;
        one already compared is said so, the list kept as it is."""
        slugs = list(dict.fromkeys(request.GET.getlist("d")))
        visible = Disease.objects.restrict(request.user)
        match = visible.search(name).exclude(slug__in=slugs).first()
        if match is None:
            context = self.get_context_data()
            already = visible.search(name).filter(slug__in=slugs).first()
            if already is not None:
                context["notice"] = f"{already.name} is already compared."
                return self.render_to_response(context)
            context["error"] = f"No disease found for \u201c{name}\u201d."
            return self.render_to_response(context, status=400)
        query = urlencode([("d", slug) for slug in [*slugs, match.slug]])
        return HttpResponseRedirect(f"{request.path}?{query}")

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        slugs = list(dict.fromkeys(s.strip() for s in self.request.GET.getlist("d")))
        context.update(selected=slugs, error="")
        if not self.request.GET.getlist("d"):
            return context
        user = self.request.user
        found = {
            d.slug: d
            for d in Disease.objects.filter(slug__in=slugs).for_detail(
                user, stated=False
            )
        }
        context["picked"] = [(slug, found.get(slug)) for slug in slugs]
        unknown = [slug for slug in slugs if slug not in found]
        if unknown:
            context["error"] = "Unknown disease: " + ", ".join(unknown[:6]) + "."
        elif not 2 <= len(slugs) <= MAX_COMPARED:
            context["error"] = (
                f"Choose from 2 to {MAX_COMPARED} different diseases to compare."
            )
        if context["error"]:
            return context
        diseases = [found[slug] for slug in slugs]
        Disease.objects.with_groups_above(diseases, user, stated=True)
        context["diseases"] = diseases
        context["refs"] = CitationIndex()
        context["matrices"] = [
            (
                "Body systems",
                matrix(
                    diseases,
                    lambda d: [
                        (link.body_system, link) for link in d.body_system_links.all()
                    ],
                    inherited=False,
                ),
            ),
            (
                "Symptoms",
                matrix(
                    diseases,
                    lambda d: [(link.symptom, link) for link in d.symptom_links.all()],
                ),
            ),
            (
                "Mechanisms and risk factors",
                matrix(
                    diseases,
                    lambda d: [
                        (link.mechanism, link) for link in d.mechanism_links.all()
                    ],
                ),
            ),
            (
                "Drug classes",
                matrix(
                    diseases,
                    lambda d: [
                        (i.drug_class or i.drug.drug_class, i)
                        for i in d.indications.all()
                    ],
                ),
            ),
        ]
        context["figures"] = [compared_figures(d) for d in diseases]
        return context


@dataclass(frozen=True)
class Cell:
    """What a comparison cell shows: the link that states the item, and the
    group it is stated for when it is not stated for the disease itself."""

    link: object
    group: object = None


def matrix(diseases, items_of, inherited: bool = True) -> list[dict]:
    """Rows of a comparison: one per item, a cell per disease (its own link,
    else a group's link marked with the group, else None), most shared
    first."""
    rows: dict = {}
    for column, disease in enumerate(diseases):
        sources = [(None, disease)]
        if inherited:
            sources += [(above.record, above.record) for above in disease.above]
        for group, record in sources:
            for item, link in items_of(record):
                row = rows.setdefault(
                    (type(item), item.pk),
                    {"item": item, "cells": [None] * len(diseases)},
                )
                if row["cells"][column] is None:
                    row["cells"][column] = Cell(link, group)
    for row in rows.values():
        # A group's link fills the cell of every member compared: its note
        # is shown once, under the item.
        row["group_notes"] = list(
            dict.fromkeys(
                (cell.group, cell.link.note)
                for cell in row["cells"]
                if cell is not None and cell.group is not None and cell.link.note
            )
        )
        row["count"] = sum(cell is not None for cell in row["cells"])
        row["own"] = sum(
            cell is not None and cell.group is None for cell in row["cells"]
        )
        row["shared"] = row["count"] > 1
    return sorted(
        rows.values(), key=lambda row: (-row["count"], -row["own"], row["item"].name)
    )


def compared_figures(disease) -> dict:
    """A disease's figures for the comparison, the sets that disagree marked,
    then the figures stated for its groups."""
    own = list(disease.figures.all())
    disagreeing = {figure.pk for rows in disagreements(own) for figure in rows}
    return {
        "disease": disease,
        "figures": [(figure, figure.pk in disagreeing) for figure in own],
        "groups": [
            (above.record, list(above.record.figures.all()))
            for above in disease.above
            if above.record.figures.all()
        ],
    }


class SourceListView(FilterView):
    """The source texts and reference sets, filterable as in the API."""

    filterset_class = SourceFilterSet
    template_name = "imidkb/source_list.html"

    def get_queryset(self):
        return Source.objects.for_detail(self.request.user)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        sources = context["object_list"]
        context["filter_errors"] = self.filterset.is_bound and bool(
            self.filterset.errors
        )
        context["active_filters"] = bool(self.filterset.data)
        context["texts"] = [s for s in sources if s.kind != Source.Kind.REFERENCE_SET]
        context["reference_sets"] = [
            s for s in sources if s.kind == Source.Kind.REFERENCE_SET
        ]
        return context


class SourceDetailView(TemplateView):
    """A source and, section by section, every record that cites it."""

    template_name = "imidkb/source_detail.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        source = get_object_or_404(Source, slug=kwargs["slug"])
        context["source"] = source
        by_citation = defaultdict(list)
        for model in registry.cited_models():
            records = model.objects.for_list(self.request.user).filter(
                citations__source=source
            )
            joins = [
                lookup.rsplit("__", 1)[0]
                for lookup in getattr(model, "natural_key_lookups", ())
                if "__" in lookup
            ]
            if joins:
                records = records.select_related(*joins)
            records = records.prefetch_related(
                Prefetch(
                    "citations",
                    queryset=Citation.objects.filter(source=source),
                    to_attr="cited_sections",
                )
            )
            for record in records.distinct():
                for citation in record.cited_sections:
                    by_citation[citation.pk].append(record)
        context["sections"] = [
            (citation, sorted(by_citation[citation.pk], key=str))
            for citation in source.citations.all()
        ]
        return context


class AboutView(TemplateView):
    """What IMID-KB is and is not, how to cite it (the current release's
    text, as the API root and the release give it), the data's licence and
    the licence each source states in its record."""

    template_name = "imidkb/about.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context.update(current_citation())
        sources = list(
            Source.objects.restrict(self.request.user).order_by("kind", "title")
        )
        texts = [s for s in sources if s.kind != Source.Kind.REFERENCE_SET]
        context["texts"] = texts
        context["reference_sets"] = [
            s for s in sources if s.kind == Source.Kind.REFERENCE_SET
        ]
        # How many texts state each licence, as their records state it (""
        # for none), the most common first.
        counts = defaultdict(int)
        for source in texts:
            counts[source.licence] += 1
        context["text_licences"] = sorted(
            counts.items(), key=lambda item: (not item[0], -item[1], item[0])
        )
        return context


def favicon(request):
    """The site icon for browsers that ask for /favicon.ico (resolved per
    request: the hashed static name exists only after collectstatic)."""
    return HttpResponsePermanentRedirect(static("favicon.svg"))


def healthz(request):
    """For load balancers: 200 when the database answers and static files
    can be served, 503 (saying what is wrong) when not."""
    from django.db import connection

    from imidkb.checks import static_problem

    body = {"status": "ok", "database": "ok", "static": "ok"}
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except Exception:  # any database failure means "take me out of rotation"
        body["database"] = "down"
    problem = static_problem()
    if problem:
        body["static"] = problem
    if body["database"] != "ok" or problem:
        body["status"] = "unavailable"
        return JsonResponse(body, status=503)
    return JsonResponse(body)


def server_error(request):
    """500: JSON under /api/, a plain page elsewhere; never a traceback.

    Django calls it while handling the exception: one that says the database
    is unreachable (raised in middleware, such as a session read) is a 503
    with Retry-After, as DatabaseUnavailableMiddleware answers for views.
    """
    if is_outage(sys.exc_info()[1]):
        return unavailable(request.path)
    if request.path.startswith("/api/"):
        return error_response(500, "server_error", "Server error.")
    return defaults.server_error(request)


def api_not_found(request, *args, **kwargs):
    """An API path that names no endpoint, whatever the method."""
    return error_response(404, "not_found", "No such API endpoint.")


def bad_request(request, exception):
    """400 raised before any view (too many parameters, a malformed Host):
    JSON under /api/, Django's page elsewhere."""
    if request.path.startswith("/api/"):
        detail = "The request is malformed."
        if isinstance(exception, TooManyFieldsSent):
            limit = settings.DATA_UPLOAD_MAX_NUMBER_FIELDS
            detail = f"More than {limit} parameter values in one request."
        return error_response(400, "invalid_request", detail)
    return defaults.bad_request(request, exception)


def permission_denied(request, exception):
    """403 raised outside the API's views (CSRF): JSON under /api/."""
    if request.path.startswith("/api/"):
        return error_response(403, "forbidden", "Not allowed.")
    return defaults.permission_denied(request, exception)


def page_not_found(request, exception):
    """404: JSON under /api/ (the API's error shape), the HTML page elsewhere."""
    if request.path.startswith("/api/"):
        return error_response(404, "not_found", "No such API endpoint.")
    return defaults.page_not_found(request, exception)
