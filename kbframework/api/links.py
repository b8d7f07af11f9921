"""The links between records as rows: one read-only list resource per link
kind, built from the registry (`registry.link_kinds()`), never from a list.

A link kind is a cited model without a resource of its own: a disease's
symptoms (with their frequency), its mechanisms (with their role), relations,
group memberships, body systems, indications, adverse effects, identifiers,
treatment-response notes. Each row shows its ends as {slug, name, url} (null
for an empty optional end), its own fields and its citations (a row of
identifiers: its end and the identifier's one shape, IdentifierSerializer;
a choice the source does not state is null, never ""); the list
filters by the slug of each end (repeat the parameter to match any of
several) and by its choice and true/false fields, is paginated like every
list and served as CSV. The rows are read through the one visibility rule
(`restrict(user)`), which follows foreign keys transitively: a link to a
draft record (or to a drug of a draft class) is never public.

Prefixes are the model's name, dashed and plural ("DiseaseSymptom" is
/api/v1/disease-symptoms/, "DrugXref" /api/v1/drug-identifiers/), beside the
records they link, as DESIGN's interface names them.
"""

import re
from functools import cache

import django_filters
from django.db import models
from django_filters.rest_framework import DjangoFilterBackend, FilterSet
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import mixins, serializers, viewsets

from kbframework.api.downloads import TableDownloadMixin
from kbframework.api.fields import ChoiceValueField, SlugLinkField
from kbframework.api.serializers import (
    MATCHES,
    BriefSerializer,
    CitationSerializer,
    IdentifierSerializer,
)
from kbframework.api.viewsets import KBReadOnlyViewSet, KBViewSetMixin
from kbframework.filters import boolean_filter, choice_filter, slug_filter
from kbframework.models import Xref
from kbframework.querysets import citations_prefetch
from kbframework.registry import registry
from kbframework.visibility import dependencies

# Bookkeeping of a record, not what the source states.
NOT_SHOWN = {"version", "created", "retired_note", "reviewed_on"}


def link_prefix(model) -> str:
    """The API prefix of a link kind: its model's name, dashed and plural;
    an identifier (Xref) is called what the API calls it everywhere."""
    name = re.sub(r"Xref$", "Identifier", model.__name__)
    return re.sub(r"(?<!^)(?=[A-Z])", "-", name).lower() + "s"


def ends(model) -> list[models.ForeignKey]:
    """The records a row of this kind links: its foreign keys (the ones the
    visibility rule follows too)."""
    return dependencies(model)


def own_fields(model) -> list[str]:
    """A row's own fields: what the source states of the link."""
    return [
        field.name
        for field in model._meta.concrete_fields
        if not field.primary_key
        and not field.is_relation
        and field.serialize
        and field.name not in NOT_SHOWN
    ]


def resource_prefix(model) -> str:
    """The API prefix of a record's own resource ("" if it has none)."""
    resource = registry.resources.get(model._meta.label_lower)
    return resource.api_prefix if resource is not None else ""


@cache
def end_serializer(model) -> type[serializers.Serializer]:
    """{slug, name, url} of a linked record of this model."""
    attrs = {
        "__doc__": f"A linked {model._meta.verbose_name}: slug, name and API URL.",
        "__module__": __name__,
    }
    if resource_prefix(model):
        attrs["url"] = SlugLinkField(f"{model._meta.model_name}-detail")
    return type(f"Linked{model.__name__}Serializer", (BriefSerializer,), attrs)


def is_identifier(model) -> bool:
    """Rows of identifiers of a record (DiseaseXref, DrugXref...)."""
    return issubclass(model, Xref)


# The row fields an identifier row shows in the identifier's shape instead.
IDENTIFIER_OWN_FIELDS = {"system", "identifier", "label", "exact", "preferred", "note"}


def own_field_serializer(field) -> serializers.Field | None:
    """A row's own field as the API shows it, where the default would not
    do: a choice with a blank value ("frequency not stated") is null when
    blank, never "" (None: the ModelSerializer's default field)."""
    if field.choices and "" in dict(field.flatchoices):
        blank = dict(field.flatchoices)[""]
        return ChoiceValueField(
            field.flatchoices,
            help_text=f"{str(field.verbose_name).capitalize()}; null: {blank}.",
        )
    return None


@cache
def link_serializer(model) -> type[serializers.Serializer]:
    """A row of a link kind: its ends, its own fields, its citations. A row
    of identifiers is its end and the identifier (IdentifierSerializer)."""
    attrs = {
        "__doc__": f"One {model._meta.verbose_name}. {model.__doc__}",
        "__module__": __name__,
        "citations": CitationSerializer(many=True, read_only=True),
    }
    if "slug" in own_fields(model):  # a record: addressed by its slug
        attrs["url"] = SlugLinkField(f"{model._meta.model_name}-detail")
    own = own_fields(model)
    if is_identifier(model):
        own = [name for name in own if name not in IDENTIFIER_OWN_FIELDS]
        own += list(IdentifierSerializer().fields)
        bases = (LinkRowMixin, IdentifierSerializer)
        # The row's natural key names its identifier; the row calls it curie.
        attrs["key_columns"] = {"identifier": "curie"}
    else:
        bases = (LinkRowMixin, serializers.ModelSerializer)
        for name in own:
            declared = own_field_serializer(model._meta.get_field(name))
            if declared is not None:
                attrs[name] = declared
    fields = [
        *(["url", "slug"] if "url" in attrs else []),
        *(field.name for field in ends(model)),
        *(name for name in own if name != "slug"),
        "citations",
    ]
    meta = type(
        "Meta", (), {"model": model, "fields": fields, "read_only_fields": fields}
    )
    attrs["Meta"] = meta
    # Named apart from the records' own nested serializers (schema components).
    name = f"{model.__name__}LinkSerializer"
    return type(name, bases, attrs)


class LinkRowMixin:
    """The fields of a link row in its Meta's order, each end a link
    {slug, name, url}. The ends are made when the serializer is (not when its
    class is): whether an end has a URL depends on the resources registered,
    and a record's serializers are defined before they all are."""

    def get_fields(self):
        declared = super().get_fields()
        by_name = {field.name: field for field in ends(self.Meta.model)}
        fields = {}
        for name in self.Meta.fields:
            field = by_name.get(name)
            if field is not None:
                fields[name] = end_serializer(field.related_model)(
                    read_only=True, allow_null=field.null
                )
            else:
                fields[name] = declared[name]
        return fields


@cache
def link_row_serializer(model, without: str) -> type[serializers.Serializer]:
    """The rows of a link kind as a record shows its own links: the link
    resource's row without the end that is the record itself (a disease's
    symptoms: {symptom, note, frequency, citations})."""
    base = link_serializer(model)
    fields = [name for name in base.Meta.fields if name != without]
    meta = type("Meta", (base.Meta,), {"fields": fields, "read_only_fields": fields})
    owner = model._meta.get_field(without).related_model.__name__
    return type(
        f"{model.__name__}Of{owner}Serializer",
        (base,),
        {
            "__doc__": base.__doc__,
            "__module__": __name__,
            without: None,
            "Meta": meta,
        },
    )


@cache
def link_filterset(model) -> type[FilterSet]:
    """Filters by each end's slug (repeatable) and by the row's choice and
    true/false fields."""
    attrs = {"__module__": __name__}
    for field in ends(model):
        end = field.related_model
        prefix = resource_prefix(end)
        if not prefix or "slug" not in {f.name for f in end._meta.fields}:
            continue
        attrs[field.name] = slug_filter(
            end._meta.label_lower,
            field.name,
            prefix,
            f"Rows whose {field.verbose_name} is this {end._meta.verbose_name}.",
            label=str(field.verbose_name).capitalize(),
        )
    for field in model._meta.concrete_fields:
        if field.name not in own_fields(model) or field.name in attrs:
            continue
        if field.choices and field.name != "status":
            attrs[field.name] = choice_filter(
                field.choices,
                field.name,
                f"Rows of this {field.verbose_name}.",
                label=str(field.verbose_name).capitalize(),
            )
        elif isinstance(field, models.BooleanField):
            attrs[field.name] = boolean_filter(
                field.name, f"Rows by {field.verbose_name}:"
            )
    if is_identifier(model):
        attrs["match"] = match_filter()
        # `exact` is what `match` was called before (rows carried `exact`):
        # kept answering, for the scripts written then.
        attrs["exact"] = boolean_filter(
            "exact", "The same as match=exact (true) or match=loose (false):"
        )
    attrs["Meta"] = type("Meta", (), {"model": model, "fields": []})
    return type(f"{model.__name__}FilterSet", (FilterSet,), attrs)


def match_filter() -> django_filters.MultipleChoiceFilter:
    """`match` of identifier rows: exact or loose (their `exact` flag)."""
    values = ", ".join(value for value, _label in MATCHES)

    def method(queryset, name, value):
        if not value:
            return queryset
        return queryset.filter(exact__in=[v == "exact" for v in value])

    return django_filters.MultipleChoiceFilter(
        label="Match",
        choices=MATCHES,
        method=method,
        help_text="Identifiers that name the same thing as their record "
        f"(exact) or are looser cross-references (loose). One of: {values}; "
        "repeat to match any of several.",
        error_messages={
            "invalid_choice": f"\u201c%(value)s\u201d is not allowed; "
            f"use one of: {values}."
        },
    )


def link_rows(model, user) -> models.QuerySet:
    """The rows of a link kind this reader may see, with their ends and
    citations (a constant number of queries for any number of rows)."""
    related = [field.name for field in ends(model)]
    return (
        model.objects.restrict(user)
        .select_related(*related)
        .prefetch_related(citations_prefetch())
    )


class LinkListMixin:
    """What every link resource shares: visible rows, read in a constant
    number of queries, filtered by their ends, as JSON or CSV."""

    csv_lists = True
    # The rows come in one fixed order (the model's: by their ends' names);
    # no `ordering` parameter is offered, so none is documented.
    filter_backends = [DjangoFilterBackend]
    ordering_fields = None

    def get_queryset(self):
        return link_rows(self.queryset.model, self.request.user)


class LinkListViewSet(
    LinkListMixin,
    TableDownloadMixin,
    KBViewSetMixin,
    mixins.ListModelMixin,
    viewsets.GenericViewSet,
):
    """A link kind without a natural key of one field: a list (filter by
    both ends to find one row) and its whole-table downloads."""


class LinkRecordViewSet(LinkListMixin, KBReadOnlyViewSet):
    """A link kind that is a record with a slug (a response note): a list,
    and a detail by its slug."""


@cache
def link_viewset(model) -> type:
    """The read-only API resource of one link kind."""
    has_slug = "slug" in own_fields(model)
    base = LinkRecordViewSet if has_slug else LinkListViewSet
    plural = str(model._meta.verbose_name_plural)
    schema = {
        "list": extend_schema(
            summary=f"List {plural}",
            description=(
                f"Every {model._meta.verbose_name} the sources state, one row "
                "each, with its ends, its own fields and its citations."
            ),
        )
    }
    if has_slug:
        schema["retrieve"] = extend_schema(
            summary=f"One {model._meta.verbose_name}, by slug"
        )
    viewset = type(
        f"{model.__name__}ViewSet",
        (base,),
        {
            "__module__": __name__,
            "__doc__": f"{plural.capitalize()}: {model.__doc__}",
            "queryset": model.objects.all(),
            "serializer_class": link_serializer(model),
            "filterset_class": link_filterset(model),
        },
    )
    return extend_schema_view(**schema)(viewset)


def link_resources() -> list[tuple[str, type, type]]:
    """(prefix, model, viewset) of every link kind, in load order."""
    return [
        (link_prefix(model), model, link_viewset(model))
        for model in registry.link_kinds()
    ]


def link_key(model, row: dict) -> str:
    """A serialised row's natural key, as text ("psoriasis/fatigue"): its
    ends' slugs and own key fields, as `natural_key_lookups` name them (the
    key of a row in a release's manifest and changelog)."""
    parts = []
    columns = getattr(link_serializer(model), "key_columns", {})
    for lookup in model.natural_key_lookups:
        name, _sep, rest = lookup.partition("__")
        value = row.get(columns.get(name, name))
        if rest and isinstance(value, dict):
            value = value.get(rest)
        parts.append("" if value is None else str(value))
    return "/".join(parts)
