"""Machinery shared by every API resource: strict parameters, pagination,
ordering, CSV, conditional GET, release headers and uniform JSON errors."""

import csv
import hashlib
import io
from decimal import Decimal

from django.http import Http404
from django.urls import reverse as django_reverse
from django.utils.cache import get_conditional_response, patch_vary_headers
from django.utils.http import http_date
from django_filters.rest_framework import DjangoFilterBackend
from drf_spectacular.openapi import AutoSchema
from drf_spectacular.utils import extend_schema_field
from rest_framework import exceptions, filters, serializers, status, viewsets
from rest_framework.pagination import PageNumberPagination
from rest_framework.renderers import BaseRenderer, JSONRenderer
from rest_framework.response import Response
from rest_framework.views import exception_handler

from imidkb.models import DataVersion

MAX_PAGE_SIZE = 500
RELEASE_HEADER = "X-KB-Release"
VERSION_HEADER = "X-KB-Data-Version"


# ----------------------------------------------------------------- fields


@extend_schema_field(
    {
        "type": "string",
        "format": "decimal",
        "nullable": True,
        "example": "0.7",
        "description": "Exactly as curated, as a decimal string (never a float).",
    }
)
class ExactDecimalField(serializers.Field):
    """A decimal as the curator wrote it: "700000", "0.7" (no padding zeros)."""

    def __init__(self, **kwargs):
        kwargs.setdefault("read_only", True)
        super().__init__(**kwargs)

    def to_representation(self, value: Decimal | None):
        return None if value is None else format(value.normalize(), "f")


class SlugLinkField(serializers.HyperlinkedRelatedField):
    """The API URL of a record (by default the serialised object itself; pass
    source= for a linked one). Relative when serialised without a request, as
    in release files; absolute otherwise."""

    def __init__(self, view_name, lookup_field="slug", **kwargs):
        kwargs.setdefault("source", "*")
        kwargs["read_only"] = True
        super().__init__(view_name=view_name, lookup_field=lookup_field, **kwargs)

    def use_pk_only_optimization(self):
        return False

    def get_url(self, obj, view_name, request, format):
        # Plain reverse: DRF's would carry ?format=csv into every link.
        kwargs = {self.lookup_url_kwarg: getattr(obj, self.lookup_field)}
        url = django_reverse(view_name, kwargs=kwargs)
        return request.build_absolute_uri(url) if request is not None else url

    def to_representation(self, value):
        request = self.context.get("request")
        return self.get_url(value, self.view_name, request, None)


class CitationSerializer(serializers.Serializer):
    """Where a statement comes from: a source (by slug) and its section."""

    source = serializers.CharField(source="source.slug")
    section = serializers.CharField()


class ErrorSerializer(serializers.Serializer):
    status = serializers.IntegerField()
    error = serializers.CharField()
    detail = serializers.CharField()
    errors = serializers.DictField(
        child=serializers.ListField(child=serializers.CharField()),
        required=False,
        help_text="For 400: each offending parameter and what is wrong with it.",
    )


# ----------------------------------------------------------------- errors


def api_exception_handler(exc, context):
    """Every API error has the same JSON shape: status, error, detail, errors."""
    if isinstance(exc, Http404):
        exc = exceptions.NotFound(str(exc) or "Not found.")
    response = exception_handler(exc, context)
    if response is None:
        return None
    if isinstance(exc, exceptions.ValidationError):
        errors = exc.detail if isinstance(exc.detail, dict) else {"request": exc.detail}
        response.data = {
            "status": response.status_code,
            "error": "invalid_request",
            "detail": "The request has invalid parameters; see errors.",
            "errors": {key: _as_list(value) for key, value in errors.items()},
        }
    else:
        detail = (
            response.data.get("detail", "") if isinstance(response.data, dict) else ""
        )
        response.data = {
            "status": response.status_code,
            "error": getattr(exc, "default_code", "error"),
            "detail": str(detail),
        }
    return response


def _as_list(value) -> list[str]:
    if isinstance(value, list | tuple):
        return [str(item) for item in value]
    return [str(value)]


# ----------------------------------------------------------------- pagination


class StrictPagination(PageNumberPagination):
    """page / page_size, validated: a malformed value is a 400, never ignored."""

    page_size = 50
    page_size_query_param = "page_size"
    max_page_size = MAX_PAGE_SIZE

    def get_page_size(self, request):
        raw = request.query_params.get(self.page_size_query_param)
        if raw is None:
            return self.page_size
        if not raw.isdigit() or not 1 <= int(raw) <= self.max_page_size:
            raise exceptions.ValidationError(
                {"page_size": [f"A whole number from 1 to {self.max_page_size}."]}
            )
        return int(raw)

    def paginate_queryset(self, queryset, request, view=None):
        raw = request.query_params.get(self.page_query_param)
        if raw is not None and (not raw.isdigit() or int(raw) < 1):
            raise exceptions.ValidationError(
                {"page": ["A whole number from 1 (use 'next' to follow pages)."]}
            )
        return super().paginate_queryset(queryset, request, view)

    def get_paginated_response(self, data):
        response = super().get_paginated_response(data)
        response["X-Total-Count"] = str(self.page.paginator.count)
        links = [
            f'<{url}>; rel="{rel}"'
            for rel, url in (
                ("next", self.get_next_link()),
                ("prev", self.get_previous_link()),
            )
            if url
        ]
        if links:
            response["Link"] = ", ".join(links)
        return response


# ----------------------------------------------------------------- ordering


class StrictOrderingFilter(filters.OrderingFilter):
    """Ordering only on the fields a view names; anything else is a 400."""

    ordering_description = (
        "Sort by one or more of the listed fields, comma-separated; "
        "prefix a field with - for descending order."
    )

    def get_ordering(self, request, queryset, view):
        params = request.query_params.get(self.ordering_param)
        if params is None:
            return self.get_default_ordering(view)
        fields = [p.strip() for p in params.split(",") if p.strip()]
        allowed = {
            name
            for name, _label in self.get_valid_fields(
                queryset, view, {"request": request}
            )
        }
        bad = [f for f in fields if f.lstrip("-") not in allowed]
        if not fields or bad:
            raise exceptions.ValidationError(
                {
                    self.ordering_param: [
                        f"Unknown ordering {', '.join(bad) or repr(params)}; "
                        f"allowed: {', '.join(sorted(allowed))} (prefix - to reverse)."
                    ]
                }
            )
        return fields


# ----------------------------------------------------------------- CSV


def flatten(value) -> str:
    """One CSV cell: lists joined by "; ", linked records by slug."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, dict):
        if "source" in value and "section" in value:
            return f"{value['source']}: {value['section']}"
        for key in ("slug", "identifier", "id", "name"):
            if key in value:
                return str(value[key])
        return "; ".join(f"{k}={flatten(v)}" for k, v in value.items())
    if isinstance(value, list | tuple):
        return "; ".join(flatten(item) for item in value)
    return str(value)


def rows_to_csv(rows: list[dict], release: str) -> str:
    """Flat CSV of serialised records, with the data release as last column."""
    buffer = io.StringIO()
    columns = list(rows[0]) if rows else []
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow([*columns, "release"])
    for row in rows:
        writer.writerow([*(flatten(row.get(c)) for c in columns), release])
    return buffer.getvalue()


class SafeJSONRenderer(JSONRenderer):
    """JSON with <, > and & escaped inside strings (\\u003c...), so that a
    value echoed back (an unknown slug in an error) can never read as markup,
    whatever a client makes of the response."""

    def render(self, data, accepted_media_type=None, renderer_context=None):
        body = super().render(data, accepted_media_type, renderer_context)
        return (
            body.replace(b"<", b"\\u003c")
            .replace(b">", b"\\u003e")
            .replace(b"&", b"\\u0026")
        )


class CSVRenderer(BaseRenderer):
    """text/csv for list endpoints (?format=csv or Accept: text/csv)."""

    media_type = "text/csv"
    format = "csv"
    charset = "utf-8"

    def render(self, data, accepted_media_type=None, renderer_context=None):
        if data is None:
            return b""
        rows = data.get("results", []) if isinstance(data, dict) else data
        response = (renderer_context or {}).get("response")
        release = response.get(RELEASE_HEADER, "") if response is not None else ""
        return rows_to_csv(list(rows), release).encode("utf-8")


# ----------------------------------------------------------------- views


class NotModified(exceptions.APIException):
    status_code = status.HTTP_304_NOT_MODIFIED


class Gone(exceptions.APIException):
    status_code = status.HTTP_410_GONE
    default_detail = "This record was retired."
    default_code = "gone"


class PreconditionFailed(exceptions.APIException):
    status_code = status.HTTP_412_PRECONDITION_FAILED
    default_detail = "The knowledge base has changed since the given version."
    default_code = "precondition_failed"


class KBViewSetMixin:
    """Strict parameters, conditional GET and release headers for API views."""

    pagination_class = StrictPagination
    filter_backends = [DjangoFilterBackend, StrictOrderingFilter]
    renderer_classes = [SafeJSONRenderer]
    extra_query_params = {"format"}

    def allowed_query_params(self) -> set[str]:
        allowed = set(self.extra_query_params)
        if getattr(self, "action", None) == "list" or not hasattr(self, "action"):
            filterset_class = getattr(self, "filterset_class", None)
            if filterset_class is not None:
                allowed |= set(filterset_class.base_filters)
            if getattr(self, "ordering_fields", None):
                allowed.add("ordering")
            if self.pagination_class is not None:
                allowed |= {"page", "page_size"}
        return allowed

    def check_query_params(self, request) -> None:
        allowed = self.allowed_query_params()
        unknown = sorted(set(request.query_params) - allowed)
        if unknown:
            raise exceptions.ValidationError(
                {
                    name: [f"Unknown parameter; allowed: {', '.join(sorted(allowed))}."]
                    for name in unknown
                }
            )

    def initial(self, request, *args, **kwargs):
        super().initial(request, *args, **kwargs)
        self.check_query_params(request)
        self.data_version = (
            # Read once per request: the public response cache's key has it.
            request._request.META.get("imidkb.data_version") or DataVersion.current()
        )
        self.release = self.data_version.release_label
        if request.method in ("GET", "HEAD"):
            self.etag = self.compute_etag(request)
            conditional = get_conditional_response(
                request._request,
                etag=self.etag,
                last_modified=int(self.data_version.changed.timestamp()),
            )
            if conditional is not None and conditional.status_code == 304:
                raise NotModified()
            if conditional is not None:
                raise PreconditionFailed()

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
        patch_vary_headers(response, ["Accept"])


class KBReadOnlyViewSet(KBViewSetMixin, viewsets.ReadOnlyModelViewSet):
    """Base of every resource: visible records only, slug lookup, lean lists
    and a richer detail serializer."""

    lookup_field = "slug"
    lookup_value_regex = "[-a-zA-Z0-9_]+"
    detail_serializer_class = None
    renderer_classes = [SafeJSONRenderer, CSVRenderer]

    def get_queryset(self):
        model = self.queryset.model
        visible = model.objects.visible_to(self.request.user)
        if self.action == "retrieve":
            return visible.for_detail()
        return visible.for_list()

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
            from diseases.views import retired_record

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
                response = Response(status=status.HTTP_301_MOVED_PERMANENTLY)
                response["Location"] = request.build_absolute_uri(url)
                return response
            raise Gone(
                f"{record} was retired"
                + (f": {record.retired_note}" if record.retired_note else ".")
            ) from None

    def get_renderers(self):
        if getattr(self, "action", None) == "retrieve":
            return [SafeJSONRenderer()]
        return super().get_renderers()


class KBAutoSchema(AutoSchema):
    """Documents the error responses every operation can give."""

    def _get_response_bodies(self, direction="response"):
        responses = super()._get_response_bodies(direction)
        if self.method == "GET":
            codes = ("400", "404", "429")
            if getattr(self.view, "action", None) == "retrieve":
                codes += ("410",)
            for code in codes:
                if code not in responses:
                    responses[code] = self._get_response_for_code(ErrorSerializer, code)
        return responses


def describe_format_parameter(result, generator, request, public):
    """Schema post-processing: document the ?format= switch everywhere."""
    for path in result.get("paths", {}).values():
        for operation in path.values():
            for parameter in operation.get("parameters", []):
                if parameter["name"] == "format" and parameter["in"] == "query":
                    parameter["description"] = (
                        "json (the default) or, on lists, csv: the same rows as "
                        "flat columns, with a citation column and a release column."
                    )
    return result
