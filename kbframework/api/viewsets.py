"""The base of every API resource: strict parameters, conditional GET,
release headers, visible records only, slug lookup, retired slugs kept."""

import hashlib

from django.http import Http404
from django.urls import reverse as django_reverse
from django.utils.cache import get_conditional_response, patch_vary_headers
from django.utils.http import http_date
from rest_framework import exceptions, status, viewsets
from rest_framework.response import Response

from kbframework.api import selection
from kbframework.api.downloads import TableDownloadMixin
from kbframework.api.exceptions import Gone, NotModified, PreconditionFailed
from kbframework.api.filters import StrictQueryParameters
from kbframework.api.renderers import (
    RELEASE_HEADER,
    VERSION_HEADER,
    CSVRenderer,
    SafeJSONRenderer,
)
from kbframework.api.throttling import rate_limit_fields
from kbframework.models import DataVersion
from kbframework.views import retired_record


def redirect(request, path: str, status_code: int) -> Response:
    """A redirect to `path` on this host, keeping the query string (fields=,
    format=...), so that a client following it gets what it asked for."""
    query = request._request.META.get("QUERY_STRING", "")
    response = Response(status=status_code)
    response["Location"] = request.build_absolute_uri(
        path + (f"?{query}" if query else "")
    )
    return response


def moved_permanently(request, path: str) -> Response:
    """301 to `path` (a record merged into another, a former address)."""
    return redirect(request, path, status.HTTP_301_MOVED_PERMANENTLY)


def moved_temporarily(request, path: str) -> Response:
    """307 to `path` (an alias whose target changes: the latest release)."""
    return redirect(request, path, status.HTTP_307_TEMPORARY_REDIRECT)


class KBViewSetMixin:
    """Strict parameters, conditional GET and release headers for API views."""

    # Pagination, filter backends and renderers are settings.REST_FRAMEWORK's
    # (kbframework.api.*): every resource uses the same ones.
    extra_query_params = {"format"}
    # Lists of records are also served as CSV; everything else is JSON only.
    csv_lists = False
    # The actions that answer serialised rows or records, and so take
    # `fields` (kbframework.api.selection).
    fields_actions = ("list", "retrieve")
    selected_fields = None

    def get_renderers(self):
        renderers = super().get_renderers()
        if self.csv_lists and getattr(self, "action", None) == "list":
            return renderers
        return [r for r in renderers if not isinstance(r, CSVRenderer)]

    def initial(self, request, *args, **kwargs):
        self.data_version = self.read_data_version(request)
        self.release = self.data_version.release_label
        # A write is refused as a write (405, with Allow), before anyone is
        # asked to log in; a bad parameter or format is a 400, before the
        # negotiation would answer an unknown format with a 404.
        if request.method.lower() not in [m.lower() for m in self.allowed_methods]:
            raise exceptions.MethodNotAllowed(request.method)
        if self.takes_fields():
            # Checked first: its own check names the fields it takes (given
            # twice too, which StrictQueryParameters would refuse plainly).
            self.extra_query_params = {*self.extra_query_params, selection.FIELDS}
            self.selected_fields = selection.parse(request, self.selectable_fields())
        if self.checks_query_parameters():
            StrictQueryParameters.check(request, self)
            StrictQueryParameters.check_format(request, self)
        super().initial(request, *args, **kwargs)
        if request.method in ("GET", "HEAD"):
            # (None: an answer without one, a redirect.)
            self.etag = self.compute_etag(request)
            if self.etag is None:
                return
            conditional = get_conditional_response(
                request._request,
                etag=self.etag,
                last_modified=int(self.data_version.changed.timestamp()),
            )
            if conditional is not None and conditional.status_code == 304:
                raise NotModified()
            if conditional is not None:
                raise PreconditionFailed()

    def read_data_version(self, request):
        """The data version the answer reflects (its number, when it changed
        and the release label): the live one, read once per request (the
        public response cache's key has it)."""
        return request._request.META.get("imidkb.data_version") or DataVersion.current()

    def checks_query_parameters(self) -> bool:
        """Whether this action checks its query string (a redirect passes it
        on to where it points, which checks it)."""
        return True

    def cache_control(self) -> str:
        """Any cache may keep the answer, and must ask again each time (the
        ETag makes that a 304): a published change is seen at once. What
        staff see (drafts) is theirs alone."""
        return "private, no-cache" if self.request.user.is_staff else "public, no-cache"

    def takes_fields(self) -> bool:
        """Whether this action takes `fields`: it answers serialised rows."""
        return getattr(self, "action", None) in self.fields_actions

    def selectable_fields(self) -> list[str]:
        """The names `fields` takes here: the serializer's top-level fields,
        in their order."""
        return list(selection.field_names(self.get_serializer_class()))

    def extra_columns(self) -> dict[str, tuple[str, ...]]:
        """Columns that are no serializer field, and what each reads (none
        here: a table adds its own, kbframework.api.downloads)."""
        return {}

    def get_serializer(self, *args, **kwargs):
        return self.select_fields(super().get_serializer(*args, **kwargs))

    def select_fields(self, serializer):
        """The serializer with only the selected fields (all without `fields`)."""
        if self.selected_fields:
            selection.select(serializer, self.selected_fields)
        return serializer

    def selected_reads(self, model):
        """The relations the selected fields read (selection.ANYTHING when
        every field is wanted)."""
        if not self.selected_fields:
            return selection.ANYTHING
        return selection.reads_of(
            self.get_serializer_class()(context=self.get_serializer_context()),
            model,
            self.selected_fields,
            self.extra_columns(),
        )

    def reads_beyond_queryset(self) -> bool:
        """Whether the selected fields read a relation the detail's queryset
        does not prefetch: a detail that reads its links (and its groups' or
        classes') beside its queryset skips that read when they do not."""
        reads = self.selected_reads(self.queryset.model)
        if reads is selection.ANYTHING:
            return True
        prefetched = [
            selection.lookup_path(lookup)
            for lookup in self.get_queryset()._prefetch_related_lookups
        ]
        return any(
            not any(selection.needed(path, {read}) for path in prefetched)
            for read in reads
        )

    def filter_queryset(self, queryset):
        """The filtered rows, without the prefetches that only the fields
        left out would read."""
        queryset = super().filter_queryset(queryset)
        if not self.selected_fields:
            return queryset
        reads = self.selected_reads(queryset.model)
        return selection.needed_prefetches(queryset, reads)

    def compute_etag(self, request) -> str:
        audience = "staff" if request.user.is_staff else "public"
        media = getattr(request, "accepted_media_type", "")
        basis = "|".join(
            [
                str(self.data_version.number),
                self.release,
                audience,
                media,
                request.get_full_path(),
            ]
        )
        return '"' + hashlib.sha256(basis.encode()).hexdigest()[:32] + '"'

    def handle_exception(self, exc):
        if isinstance(exc, NotModified):
            response = Response(status=status.HTTP_304_NOT_MODIFIED)
            self.add_headers(response)
            return response
        # Errors are JSON whatever format was asked for.
        self.request.accepted_renderer = SafeJSONRenderer()
        self.request.accepted_media_type = SafeJSONRenderer.media_type
        return super().handle_exception(exc)

    def finalize_response(self, request, response, *args, **kwargs):
        response = super().finalize_response(request, response, *args, **kwargs)
        self.add_headers(response)
        return response

    def add_headers(self, response) -> None:
        version = getattr(self, "data_version", None)
        if version is None:
            return
        response[RELEASE_HEADER] = self.release
        response[VERSION_HEADER] = str(version.number)
        if getattr(self, "etag", None) and response.status_code in (200, 304):
            response["ETag"] = self.etag
            response["Last-Modified"] = http_date(version.changed.timestamp())
            response["Cache-Control"] = self.cache_control()
        for name, value in rate_limit_fields(getattr(self, "_throttles", [])):
            response[name] = value
        patch_vary_headers(response, ["Accept"])

    def get_throttles(self):
        # Kept: their counts are the RateLimit fields of the answer.
        self._throttles = super().get_throttles()
        return self._throttles


class KBReadOnlyViewSet(
    # TableDownloadMixin first: it says which parameters an action takes
    # before KBViewSetMixin checks them.
    TableDownloadMixin,
    KBViewSetMixin,
    viewsets.ReadOnlyModelViewSet,
):
    """Base of every resource: visible records only, slug lookup, lean lists
    and a richer detail serializer; CSV tables and whole-table downloads
    (kbframework.api.downloads)."""

    lookup_field = "slug"
    lookup_value_regex = "[-a-zA-Z0-9_]+"
    detail_serializer_class = None
    csv_lists = True

    def get_queryset(self):
        """The records the requesting user may see (the one entry point)."""
        records = self.queryset.model.objects
        if self.action == "retrieve":
            return records.for_detail(self.request.user)
        return records.for_list(self.request.user)

    def get_serializer_class(self):
        if self.action == "retrieve" and self.detail_serializer_class is not None:
            return self.detail_serializer_class
        return super().get_serializer_class()

    def retrieve(self, request, *args, **kwargs):
        """A retired record's slug answers 301 to the record it was merged
        into, or 410 Gone with the reason."""
        try:
            return super().retrieve(request, *args, **kwargs)
        except Http404:
            slug = kwargs.get(self.lookup_url_kwarg or self.lookup_field)
            model = self.queryset.model
            retired = retired_record(model, slug, request.user)
            if retired is None or self.lookup_field != "slug":
                raise
            record, target = retired
            if target is not None:
                url = django_reverse(
                    f"{self.basename}-detail", kwargs={"slug": target.slug}
                )
                return moved_permanently(request, url)
            raise Gone(
                f"{record} was retired"
                + (f": {record.retired_note}" if record.retired_note else ".")
            ) from None
