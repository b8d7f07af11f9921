"""OpenAPI schema generation: the schema says exactly what the server takes.

Each query parameter's schema is derived from the code that validates it
(the filter's form field and validators, the pagination's bounds, the
view's ordering fields and formats), not from drf-spectacular's guess from
the model field, so that schemathesis finds no schema-valid request the
server refuses and no schema-violating one it takes (tests/test_schema.py):

- a relation filter takes the slugs of the records the reader may see: the
  schema names them (a component per kind of record, `DiseaseSlug`...),
  because the server refuses any other slug with a 400;
- `slug` and `identifier` take any value up to their length (an unknown one
  matches nothing), an identifier in its PREFIX:CODE pattern;
- every value has at least one character (an empty value is a 400:
  StrictQueryParameters);
- numbers are whole and bounded as kbframework.numbers reads them.
"""

import django_filters
from drf_spectacular.openapi import AutoSchema
from drf_spectacular.plumbing import ResolvedComponent

from kbframework.api import selection
from kbframework.api.filters import StrictOrderingFilter
from kbframework.api.pagination import MAX_PAGE_SIZE
from kbframework.api.serializers import ErrorSerializer
from kbframework.filters import (
    MAX_VALUES,
    DateTimeFilter,
    MultipleValuesFilter,
    PatternValidator,
    TrueFalseFilter,
    WholeNumberFilter,
)
from kbframework.numbers import WHOLE_NUMBER_MAX

WHOLE_NUMBER = {"type": "integer", "minimum": 0, "maximum": WHOLE_NUMBER_MAX}
# A repeatable parameter: one value or more, at most MAX_VALUES.
MANY = {"minItems": 1, "maxItems": MAX_VALUES}


def text_schema(field_kwargs: dict, validators=()) -> dict:
    """A string as a form field takes it: a length, maybe a pattern."""
    schema = {"type": "string", "minLength": 1}
    if field_kwargs.get("max_length"):
        schema["maxLength"] = field_kwargs["max_length"]
    patterns = [v.pattern for v in validators if isinstance(v, PatternValidator)]
    if patterns:
        schema["pattern"] = "^" + "".join(f"(?=(?:{p})$)" for p in patterns[1:])
        schema["pattern"] += f"(?:{patterns[0]})$"
    return schema


class KBAutoSchema(AutoSchema):
    """Documents the error responses every operation can give, the list's
    filters on whole-table downloads, the CSV byte-order mark on lists and
    `fields` wherever rows or records are answered."""

    def slug_schema(self, flt) -> dict:
        """The slugs a relation filter takes: those of the records its
        queryset gives the reader (a shared component when that is every
        record of the kind the reader may see)."""
        request = getattr(self.view, "request", None)
        queryset = flt.get_queryset(request)
        model = queryset.model
        # (Never flt.field: on a base filter it would be built, and kept for
        # every request, with the queryset of this one.)
        key = flt.extra.get("to_field_name", "slug")
        slugs = sorted(queryset.values_list(key, flat=True))
        if not slugs:
            # No value is valid: whatever is sent is a 400.
            return {"type": "string", "not": {}}
        schema = {"type": "string", "enum": slugs}
        everything = model.objects.restrict(getattr(request, "user", None))
        if len(slugs) != everything.count():
            return schema
        noun = model._meta.verbose_name
        component = ResolvedComponent(
            name=f"{model.__name__}Slug",
            type=ResolvedComponent.SCHEMA,
            object=f"{model._meta.label}.slug",
            schema={**schema, "description": f"The slug of a {noun}."},
        )
        self.registry.register_on_missing(component)
        return component.ref

    def filter_schema(self, flt) -> dict | None:
        """The schema of a filter's values, from the form field that reads
        them; None to keep drf-spectacular's."""
        kwargs = flt.extra
        validators = kwargs.get("validators", ())
        if isinstance(flt, django_filters.ModelMultipleChoiceFilter):
            return {"type": "array", "items": self.slug_schema(flt), **MANY}
        if isinstance(flt, django_filters.MultipleChoiceFilter):
            values = [str(value) for value, _label in flt.extra["choices"]]
            return {
                "type": "array",
                "items": {"type": "string", "enum": values},
                **MANY,
            }
        if isinstance(flt, TrueFalseFilter):
            return {"type": "boolean"}
        if isinstance(flt, django_filters.ChoiceFilter):
            values = [str(value) for value, _label in flt.extra["choices"]]
            return {"type": "string", "enum": values}
        if isinstance(flt, MultipleValuesFilter):
            items = text_schema({"max_length": kwargs.get("max_length")}, validators)
            return {"type": "array", "items": items, **MANY}
        if isinstance(flt, WholeNumberFilter):
            return {
                **WHOLE_NUMBER,
                "minimum": kwargs.get("min_value", WHOLE_NUMBER["minimum"]),
                "maximum": kwargs.get("max_value", WHOLE_NUMBER["maximum"]),
            }
        if isinstance(flt, DateTimeFilter):
            return {"type": "string", "format": "date-time"}
        if isinstance(flt, django_filters.CharFilter):
            return text_schema(kwargs, validators)
        return None

    def _get_filter_parameters(self):
        parameters = super()._get_filter_parameters()
        filterset_class = getattr(self.view, "filterset_class", None)
        filters = filterset_class.base_filters if filterset_class else {}
        for parameter in parameters:
            name = parameter["name"]
            if name in filters:
                schema = self.filter_schema(filters[name])
                if schema is not None:
                    parameter["schema"] = schema
            elif name == StrictOrderingFilter.ordering_param:
                parameter.update(self.ordering_parameter())
        return parameters

    def ordering_parameter(self) -> dict:
        """Comma-separated names among the view's ordering fields, each
        maybe prefixed with - (as StrictOrderingFilter reads it)."""
        backend = StrictOrderingFilter()
        queryset = self.view.get_queryset()
        names = sorted(
            name
            for name, _label in backend.get_valid_fields(
                queryset, self.view, {"request": getattr(self.view, "request", None)}
            )
        )
        values = [value for name in names for value in (name, f"-{name}")]
        return {
            "schema": {
                "type": "array",
                "items": {"type": "string", "enum": values},
                "minItems": 1,
            },
            "style": "form",
            "explode": False,
        }

    def _get_pagination_parameters(self):
        parameters = super()._get_pagination_parameters()
        for parameter in parameters:
            if parameter["name"] == "page":
                parameter["schema"] = {**WHOLE_NUMBER, "minimum": 1}
            elif parameter["name"] == "page_size":
                parameter["schema"] = {
                    "type": "integer",
                    "minimum": 1,
                    "maximum": MAX_PAGE_SIZE,
                }
        return parameters

    def _get_format_parameters(self):
        """`format`: the formats this action answers in (JSON everywhere,
        CSV on lists of records), as the view negotiates them."""
        from kbframework.api.downloads import DOWNLOAD_ACTIONS

        if getattr(self.view, "action", None) in DOWNLOAD_ACTIONS:
            return []  # (The format is in a download's path.)
        formats = [renderer.format for renderer in self.view.get_renderers()]
        return [
            {
                "in": "query",
                "name": "format",
                "schema": {"type": "string", "enum": formats},
            }
        ]

    def get_filter_backends(self):
        from kbframework.api.downloads import DOWNLOAD_ACTIONS

        if getattr(self.view, "action", None) in DOWNLOAD_ACTIONS:
            return getattr(self.view, "filter_backends", [])
        return super().get_filter_backends()

    def get_override_parameters(self):
        from kbframework.api.downloads import BOM_OPENAPI

        parameters = super().get_override_parameters()
        view = self.view
        if getattr(view, "action", None) == "list" and getattr(view, "csv_lists", 0):
            parameters = [*parameters, BOM_OPENAPI]
        if getattr(view, "takes_fields", lambda: False)():
            parameters = [
                *parameters,
                selection.openapi_parameter(view.selectable_fields()),
            ]
        return parameters

    def _get_response_bodies(self, direction="response"):
        responses = super()._get_response_bodies(direction)
        if self.method != "GET":
            return responses
        action_name = getattr(self.view, "action", None)
        codes = ["400", "404", "412", "429"]
        if action_name == "retrieve":
            codes.append("410")
        error = self.resolve_serializer(ErrorSerializer, "response").ref
        for code in codes:
            # Errors are JSON whatever format was asked for
            # (KBViewSetMixin.handle_exception).
            responses[code] = {
                "content": {"application/json": {"schema": error}},
                "description": ERROR_DESCRIPTIONS[code],
            }
        ok = responses.get("200")
        if ok is not None:
            if "text/csv" in ok.get("content", {}):
                ok["content"]["text/csv"] = {"schema": {"type": "string"}}
            ok["headers"] = {**self.success_headers(), **ok.get("headers", {})}
        responses["304"] = {
            "description": "Not modified: the If-None-Match (or "
            "If-Modified-Since) sent matches; no body.",
            "headers": {"ETag": HEADERS["ETag"]},
        }
        if action_name == "retrieve" and self.view.lookup_field == "slug":
            responses["301"] = {
                "description": "The record was merged into another, or was "
                "asked for by its former address: Location gives where it is.",
                "headers": {"Location": {**HEADERS["Location"], "required": True}},
            }
        return responses

    def success_headers(self) -> dict:
        names = [
            "X-KB-Release",
            "X-KB-Data-Version",
            "ETag",
            "Last-Modified",
            "Cache-Control",
            "RateLimit",
            "RateLimit-Policy",
        ]
        action_name = getattr(self.view, "action", None)
        if action_name == "list" and self._get_paginator() is not None:
            names += ["X-Total-Count", "Link"]
        if action_name != "retrieve" or "download" in self.path:
            names.append("Content-Disposition")
        if "download" in self.path:
            names.append("Link")
        return {name: HEADERS[name] for name in dict.fromkeys(names)}


ERROR_DESCRIPTIONS = {
    "400": "A malformed, empty, repeated or unknown parameter; `errors` "
    "names each and what is wrong.",
    "404": "No such record or address.",
    "410": "The record was retired; `detail` says why.",
    "412": "A precondition sent (If-Match, If-Unmodified-Since) does not hold.",
    "429": "Too many requests: Retry-After gives the seconds to wait.",
}

HEADERS = {
    "X-KB-Release": {
        "description": "The data release the answer reflects: '3' is exactly "
        "release 3, '3+' is release 3 with later published edits.",
        "schema": {"type": "string"},
        "required": True,
    },
    "X-KB-Data-Version": {
        "description": "A number that grows with every published change.",
        "schema": {"type": "string", "pattern": "^[0-9]+$"},
        "required": True,
    },
    "ETag": {
        "description": "Send it back in If-None-Match for a 304.",
        "schema": {"type": "string"},
    },
    "Last-Modified": {
        "description": "When the published data last changed.",
        "schema": {"type": "string"},
    },
    "Cache-Control": {
        "description": "public, no-cache (private for staff): any cache may "
        "keep the answer and must revalidate it.",
        "schema": {"type": "string"},
    },
    "RateLimit": {
        "description": "IETF RateLimit fields: the requests left in the window "
        "(when the API is rate-limited).",
        "schema": {"type": "string"},
    },
    "RateLimit-Policy": {
        "description": "The rate limit's quota and window.",
        "schema": {"type": "string"},
    },
    "X-Total-Count": {
        "description": "The number of rows the filters select, over all pages.",
        "schema": {"type": "string", "pattern": "^[0-9]+$"},
        "required": True,
    },
    "Link": {
        "description": "rel=next/prev pages of a list; rel=license on downloads.",
        "schema": {"type": "string"},
    },
    "Content-Disposition": {
        "description": "CSV and downloads: a file name naming the resource "
        "and the release.",
        "schema": {"type": "string"},
    },
    "Location": {"description": "Where the record is.", "schema": {"type": "string"}},
}


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


def resolve(schema: dict, components: dict) -> dict:
    ref = schema.get("$ref", "")
    return components[ref.rsplit("/", 1)[-1]] if ref else schema


def describe_field_selection(result, generator, request, public):
    """Schema post-processing for `fields` (kbframework.api.selection): the
    rows or record an operation that takes it answers in JSON mark no field
    required (a selection leaves out the fields it does not name), and a
    list's rows document the table columns that `fields` can add to them
    (citations, identifiers: the columns of its CSV)."""
    from kbframework.api.downloads import TABLE_COLUMN_SCHEMAS

    components = result.get("components", {}).get("schemas", {})
    for path in result.get("paths", {}).values():
        for operation in path.values():
            fields = [
                parameter
                for parameter in operation.get("parameters", [])
                if parameter["name"] == selection.FIELDS and parameter["in"] == "query"
            ]
            answer = operation.get("responses", {}).get("200", {})
            json_body = answer.get("content", {}).get("application/json")
            if not fields or json_body is None:
                continue
            record = resolve(json_body["schema"], components)
            paginated = (
                "results" in record.get("properties", {})
                and "count" in (record["properties"])
            )
            if paginated:
                record = resolve(record["properties"]["results"]["items"], components)
            record.pop("required", None)
            if not paginated:
                continue
            properties = record.setdefault("properties", {})
            for name in fields[0]["schema"]["items"]["enum"]:
                if name not in properties and name in TABLE_COLUMN_SCHEMAS:
                    properties[name] = TABLE_COLUMN_SCHEMAS[name]
    return result
