"""Tables: the flat rows of a resource (its list rows with their citations
and identifiers), as the CSV of a list page, as a whole-table download and
in release files; the licence and file names every download carries.

Whole-table downloads are two actions of every resource,
`/api/v1/<resource>/download.csv` and `/api/v1/<resource>/download.jsonl`,
rather than `?format=csv&page_size=all` on the list:

- a download is another representation, not a bigger page: it has no
  `{count, next, previous, results}` envelope and no pages, so the schema can
  state its own media type (text/csv, application/x-ndjson) and its own
  parameters, where `page_size=all` would turn a bounded integer into a
  string-or-keyword and every list would answer in two shapes;
- the name says what the file is, as the release downloads do
  (`/api/v1/releases/<n>/download.zip`), and a browser or `curl -OJ` keeps
  the name given in Content-Disposition;
- it takes exactly the list's filters and ordering and reads through the same
  entry point (`get_queryset()`: the rows the reader may see), so a filtered
  download is the concatenation of the list's pages.

The rows are read with `QuerySet.iterator(chunk_size=...)`, which runs the
list's prefetches once per chunk, and serialised chunk by chunk into a
StreamingHttpResponse: memory stays constant and the number of queries grows
with the number of chunks, never with the number of rows.
"""

import itertools
import json
from collections.abc import Iterable, Iterator

from django.db.models import Prefetch, prefetch_related_objects
from django.http import StreamingHttpResponse
from drf_spectacular.settings import spectacular_settings
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import exceptions, serializers
from rest_framework.decorators import action
from rest_framework.renderers import BaseRenderer
from rest_framework.utils.encoders import JSONEncoder

from kbframework.api import selection
from kbframework.api.renderers import csv_lines
from kbframework.api.serializers import (
    CitationSerializer,
    ErrorSerializer,
    IdentifierSerializer,
)
from kbframework.registry import registry

BOM = "\ufeff"
BOM_PARAMETER = "bom"
JSON_LINES = "application/x-ndjson"
DOWNLOAD_ACTIONS = ("download_csv", "download_jsonl")
CHUNK_SIZE = 500


# ------------------------------------------------------------------ columns


# The columns a table adds, as the schema documents them where `fields` asks
# a JSON list for them (kbframework.api.schema.describe_field_selection).
TABLE_COLUMN_SCHEMAS = {
    "citations": {
        "type": "array",
        "readOnly": True,
        "description": "Only when `fields` names it (always in CSV and "
        "downloads): the row's citations, source and section.",
        "items": {"$ref": "#/components/schemas/Citation"},
    },
    "identifiers": {
        "type": "array",
        "readOnly": True,
        "description": "Only when `fields` names it (always in CSV and "
        "downloads): the record's identifiers in other systems.",
        "items": {"$ref": "#/components/schemas/Identifier"},
    },
}


def table_extras(model) -> list[tuple[str, str | None, object, object]]:
    """The columns a table adds to its list rows, for this model: (column,
    relation, prefetch, serializer class of a cell: the API's one shape of
    a citation or an identifier). `citations` are the record's citations (for a
    source: the sections of it that records cite; for a kind of record that
    carries none, such as body systems, the column is there and empty);
    `identifiers` the record's identifiers in external systems, for the
    kinds of record that have them."""
    from kbframework.models import Citation

    names = {f.name for f in model._meta.get_fields()}
    extras = []
    if "citations" not in names:
        extras.append(("citations", None, None, CitationSerializer))
    else:
        prefetch = Prefetch(
            "citations",
            queryset=Citation.objects.select_related("source").order_by(
                "source__slug", "section"
            ),
        )
        extras.append(("citations", "citations", prefetch, CitationSerializer))
    if "xrefs" in names:
        related = model._meta.get_field("xrefs").related_model
        prefetch = Prefetch(
            "xrefs", queryset=related.objects.order_by("system", "identifier")
        )
        extras.append(("identifiers", "xrefs", prefetch, IdentifierSerializer))
    return extras


class TableListSerializer(serializers.ListSerializer):
    """List rows with the table's extra columns (citations, identifiers),
    each read for the whole batch in one query (or none, when the list's
    queryset prefetched it already); a column the row already has is kept
    as the row has it (a figure's citations). A row serializer that reads
    something for a whole batch at once (`prepare_rows(instances)`, as its
    own list serializer would) is asked to, once per batch."""

    def __init__(self, *args, model, **kwargs):
        self.model = model
        self.selected = None
        super().__init__(*args, **kwargs)

    def select_columns(self, names) -> None:
        """Only these extra columns (`fields`: kbframework.api.selection)."""
        self.selected = set(names)

    def extras(self) -> list:
        own = set(self.child.fields)
        return [
            extra
            for extra in table_extras(self.model)
            if extra[0] not in own
            and (self.selected is None or extra[0] in self.selected)
        ]

    @property
    def table_columns(self) -> list[str]:
        return [*self.child.fields, *(extra[0] for extra in self.extras())]

    def to_representation(self, data):
        instances = list(data.all() if hasattr(data, "all") else data)
        extras = self.extras()
        for _column, relation, prefetch, _cell in extras:
            if relation is None:
                continue
            fetched = all(
                relation in getattr(obj, "_prefetched_objects_cache", {})
                for obj in instances
            )
            if not fetched:
                prefetch_related_objects(instances, prefetch)
        prepare = getattr(self.child, "prepare_rows", None)
        if prepare is not None:
            prepare(instances)
        rows = super().to_representation(instances)
        cells = [cell(context=self.context) for _c, _r, _p, cell in extras]
        for row, obj in zip(rows, instances, strict=True):
            for (column, relation, _prefetch, _cell), cell in zip(
                extras, cells, strict=True
            ):
                items = getattr(obj, relation).all() if relation else []
                row[column] = [cell.to_representation(item) for item in items]
        return rows


def table_serializer(serializer_class, instances, *, model, context: dict):
    """The table serializer of a resource's list serializer class."""
    return TableListSerializer(
        instances,
        child=serializer_class(context=context),
        model=model,
        context=context,
    )


# ---------------------------------------------------------------- licence


def data_licence() -> dict:
    """The data's licence, as the OpenAPI schema's info states it
    (SPECTACULAR_SETTINGS["LICENSE"]: name and url): the one place it is set."""
    return dict(spectacular_settings.LICENSE or {})


def licence_link() -> str:
    """A Link header value pointing at the data's licence (RFC 8288)."""
    url = data_licence().get("url")
    return f'<{url}>; rel="license"' if url else ""


def add_link(response, value: str) -> None:
    """Add one value to the response's Link header, keeping the others."""
    if not value:
        return
    existing = response.get("Link")
    response["Link"] = f"{existing}, {value}" if existing else value


# ------------------------------------------------------------- file names


def resource_name(view) -> str:
    """The resource's API prefix (`diseases`), from the registry."""
    for resource in registry.api_resources():
        if type(view) is resource.viewset:
            return resource.api_prefix
    return getattr(view, "basename", "") or "table"


def download_filename(resource: str, release: str, extension: str) -> str:
    return f"imidkb-{resource}-{release or 'none'}.{extension}"


def attachment(filename: str) -> str:
    return f'attachment; filename="{filename}"'


def describe_csv_response(response, view, release: str) -> None:
    """A CSV list page's file name (the resource, the release and, past the
    first, the page) and licence link."""
    page = getattr(getattr(view, "paginator", None), "page", None)
    number = getattr(page, "number", 1)
    name = resource_name(view)
    if number != 1:
        name = f"{name}-{release or 'none'}-page-{number}"
        filename = f"imidkb-{name}.csv"
    else:
        filename = download_filename(name, release, "csv")
    response["Content-Disposition"] = attachment(filename)
    add_link(response, licence_link())


# --------------------------------------------------------------- renderers


class TableCSVRenderer(BaseRenderer):
    """text/csv, for the whole-table download (which streams its own body)."""

    media_type = "text/csv"
    format = "csv"
    charset = "utf-8"

    def render(self, data, accepted_media_type=None, renderer_context=None):
        return b"" if data is None else json.dumps(data).encode()


class JSONLinesRenderer(TableCSVRenderer):
    """JSON Lines: one JSON object per line (https://jsonlines.org/)."""

    media_type = JSON_LINES
    format = "jsonl"


def json_line(row: dict) -> str:
    """One row as one line of JSON, with <, > and & escaped as the JSON
    renderer escapes them (they can only occur inside strings)."""
    text = json.dumps(row, cls=JSONEncoder, ensure_ascii=False, separators=(",", ":"))
    return (
        text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")
        + "\n"
    )


# ---------------------------------------------------------------- viewsets


def parse_bom(request) -> bool:
    """`bom=true` asks for a UTF-8 byte-order mark before a CSV body (so that
    spreadsheet programs read it as UTF-8); `false`, or no parameter, for none."""
    raw = request.query_params.get(BOM_PARAMETER)
    if raw is None or raw == "false":
        return False
    if raw == "true":
        return True
    raise exceptions.ValidationError({BOM_PARAMETER: ["Either true or false."]})


BOM_OPENAPI = OpenApiParameter(
    BOM_PARAMETER,
    OpenApiTypes.BOOL,
    OpenApiParameter.QUERY,
    description=(
        "CSV only: true starts the file with a UTF-8 byte-order mark, so that "
        "spreadsheet programs read accented letters and dashes correctly "
        "(Beh\u00e7et's, 3\u20137 %). Off by default, as RFC 4180 has it."
    ),
)
ERRORS = {
    (code, "application/json"): OpenApiResponse(ErrorSerializer, description)
    for code, description in (
        (400, "A malformed or unknown parameter."),
        (404, "No such resource."),
        (406, "The Accept header allows no media type this download has."),
        (429, "Too many requests (see Retry-After)."),
    )
}
DOWNLOAD_DESCRIPTION = (
    "Every row of the table the list answers, with the same filters, ordering "
    "and visibility, in one file and not paginated: the list's columns plus "
    "`citations` (source and section) and, where records have them, "
    "`identifiers`. Streamed. The X-KB-Release header and the file name "
    "(Content-Disposition) name the data release; a Link header with "
    'rel="license" names the licence of the data.'
)


class TableDownloadMixin:
    """Whole-table downloads of a resource (see the module's doc), and the
    table columns and byte-order mark of its CSV list pages."""

    download_chunk_size = CHUNK_SIZE
    # They take the list's filters, repeatable ones repeated (StrictQuery-
    # Parameters.repeatable).
    list_actions = ("list", *DOWNLOAD_ACTIONS)
    # Downloads take `fields` too: the table's columns.
    fields_actions = ("list", "retrieve", *DOWNLOAD_ACTIONS)

    def initial(self, request, *args, **kwargs):
        # StrictQueryParameters accepts a viewset's extra_query_params for
        # every action, and the filters only on lists: a download takes the
        # list's filters and ordering (and `format` is in its path).
        action_name = getattr(self, "action", None)
        base = set(self.extra_query_params)
        if action_name in DOWNLOAD_ACTIONS:
            allowed = base - {"format"}
            filterset_class = getattr(self, "filterset_class", None)
            if filterset_class is not None:
                allowed |= set(filterset_class.base_filters)
            if getattr(self, "ordering_fields", None):
                allowed.add("ordering")
            if action_name == "download_csv":
                allowed.add(BOM_PARAMETER)
            self.extra_query_params = allowed
        elif action_name == "list" and self.csv_lists:
            self.extra_query_params = base | {BOM_PARAMETER}
        super().initial(request, *args, **kwargs)
        # Elsewhere `bom` is an unknown parameter (StrictQueryParameters).
        takes_bom = BOM_PARAMETER in getattr(self, "extra_query_params", ())
        self.bom = parse_bom(request) if takes_bom else False

    def wants_table(self) -> bool:
        """Rows are table rows (with citations and identifiers) for CSV and
        for downloads; JSON lists keep their documented shape, unless
        `fields` names a table column (citations, identifiers)."""
        if getattr(self, "action", None) in DOWNLOAD_ACTIONS:
            return True
        if self.action != "list":
            return False
        renderer = getattr(self.request, "accepted_renderer", None)
        if getattr(renderer, "format", "") == "csv":
            return True
        return bool(set(self.selected_fields or ()) & set(self.extra_columns()))

    def table_extra_columns(self) -> dict[str, tuple[str, ...]]:
        """The columns a table adds to the list serializer's fields, and the
        relation each reads."""
        own = set(selection.field_names(self.get_serializer_class()))
        return {
            column: (relation,) if relation else ()
            for column, relation, _prefetch, _cell in table_extras(self.queryset.model)
            if column not in own
        }

    def selectable_fields(self) -> list[str]:
        """On lists and downloads, the table's columns (the list's fields,
        then citations and identifiers); on a detail, its fields."""
        names = super().selectable_fields()
        if getattr(self, "action", None) in self.list_actions:
            names += [c for c in self.table_extra_columns() if c not in names]
        return names

    def extra_columns(self) -> dict[str, tuple[str, ...]]:
        if getattr(self, "action", None) in self.list_actions:
            return self.table_extra_columns()
        return super().extra_columns()

    def get_serializer(self, *args, **kwargs):
        if kwargs.get("many") and self.wants_table():
            kwargs.pop("many")
            context = kwargs.pop("context", None) or self.get_serializer_context()
            table = table_serializer(
                self.get_serializer_class(),
                *args,
                model=self.queryset.model,
                context=context,
                **kwargs,
            )
            return self.select_fields(table)
        return super().get_serializer(*args, **kwargs)

    def table_chunks(self) -> tuple[list[str], Iterator[list[dict]]]:
        """The columns, and the filtered rows chunk by chunk (see the module)."""
        queryset = self.filter_queryset(self.get_queryset())
        serializer = self.get_serializer([], many=True)
        columns = serializer.table_columns

        def chunks():
            rows = queryset.iterator(chunk_size=self.download_chunk_size)
            for batch in itertools.batched(rows, self.download_chunk_size):
                yield self.get_serializer(list(batch), many=True).data

        return columns, chunks()

    def table_response(self, body: Iterable, content_type: str, extension: str):
        response = StreamingHttpResponse(body, content_type=content_type)
        name = download_filename(resource_name(self), self.release, extension)
        response["Content-Disposition"] = attachment(name)
        add_link(response, licence_link())
        return response

    @extend_schema(
        summary="Download the whole table as CSV",
        description=DOWNLOAD_DESCRIPTION,
        parameters=[BOM_OPENAPI],
        responses={
            (200, "text/csv"): OpenApiResponse(
                OpenApiTypes.STR, "The table as CSV (RFC 4180), streamed."
            ),
            **ERRORS,
        },
    )
    @action(
        detail=False,
        methods=["get"],
        url_path="download.csv",
        url_name="download-csv",
        renderer_classes=[TableCSVRenderer],
        pagination_class=None,
    )
    def download_csv(self, request):
        columns, chunks = self.table_chunks()
        release, bom = self.release, self.bom

        def body():
            first = True
            for rows in itertools.chain([[]], chunks):
                lines = csv_lines(rows, release, columns=columns, header=first)
                text = "".join(lines)
                if first and bom:
                    text = BOM + text
                first = False
                yield text.encode("utf-8")

        return self.table_response(body(), "text/csv; charset=utf-8", "csv")

    @extend_schema(
        summary="Download the whole table as JSON Lines",
        description=DOWNLOAD_DESCRIPTION
        + " One JSON object per line, each a list row with its citations.",
        responses={
            (200, JSON_LINES): OpenApiResponse(
                OpenApiTypes.STR, "The table as JSON Lines, streamed."
            ),
            **ERRORS,
        },
    )
    @action(
        detail=False,
        methods=["get"],
        url_path="download.jsonl",
        url_name="download-jsonl",
        renderer_classes=[JSONLinesRenderer],
        pagination_class=None,
    )
    def download_jsonl(self, request):
        _columns, chunks = self.table_chunks()

        def body():
            for rows in chunks:
                yield "".join(json_line(row) for row in rows).encode("utf-8")

        return self.table_response(body(), JSON_LINES, "jsonl")
