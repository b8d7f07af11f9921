"""Filter backends: strict ordering, and the strict-parameter check that
refuses any query parameter a resource does not document."""

import django_filters
from django.core.exceptions import FieldDoesNotExist
from django.db import models
from django.db.models import F
from django.db.models.functions import Lower
from rest_framework import exceptions, filters

from kbframework.filters import MAX_VALUES


class StrictOrderingFilter(filters.OrderingFilter):
    """Ordering only on the fields a view names; anything else is a 400.

    Text sorts without regard to case (SQLite's default is case-sensitive,
    PostgreSQL's depends on its collation: one order on both), empty values
    come last either way, a view may name fields that go first
    (`ordering_prefixes`: figures by value are grouped by unit, so that 55 %
    never sits between 10,000 and 700,000 people), and the primary key breaks
    ties, so that pages never overlap.
    """

    def filter_queryset(self, request, queryset, view):
        ordering = self.get_ordering(request, queryset, view)
        if not ordering:
            return queryset
        prefixes = getattr(view, "ordering_prefixes", {})
        terms = []
        for name in ordering:
            field = name.lstrip("-")
            terms += [f for f in prefixes.get(field, []) if f not in terms]
            terms.append(name)
        return queryset.order_by(
            *(self.expression(queryset.model, term) for term in terms), "pk"
        )

    @staticmethod
    def expression(model, term: str):
        descending = term.startswith("-")
        name = term.lstrip("-")
        try:
            field = model._meta.get_field(name)
        except FieldDoesNotExist:
            return term
        value = (
            Lower(name)
            if isinstance(field, models.CharField | models.TextField)
            else F(name)
        )
        if descending:
            return value.desc(nulls_last=True)
        return value.asc(nulls_last=True)

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


class StrictQueryParameters:
    """Refuses unknown query parameters with a 400 naming what is allowed.

    Runs for every action (lists, details, downloads, the API root) from the
    viewset base's `initial()`: a misspelt filter is never silently ignored.
    """

    @staticmethod
    def allowed(view) -> set[str]:
        allowed = set(view.extra_query_params)
        if getattr(view, "action", None) == "list" or not hasattr(view, "action"):
            filterset_class = getattr(view, "filterset_class", None)
            if filterset_class is not None:
                allowed |= set(filterset_class.base_filters)
            if getattr(view, "ordering_fields", None):
                allowed.add("ordering")
            if view.pagination_class is not None:
                allowed |= {"page", "page_size"}
        return allowed

    @staticmethod
    def repeatable(view) -> set[str]:
        """The parameters that take a list: filters that match any of
        several values (a relation's slugs, `slug`, `identifier`...)."""
        filterset_class = getattr(view, "filterset_class", None)
        # The actions that take a list's filters (a list, a whole-table
        # download: TableDownloadMixin.list_actions).
        list_actions = getattr(view, "list_actions", ("list",))
        if filterset_class is None or getattr(view, "action", None) not in list_actions:
            return set()
        return {
            name
            for name, flt in filterset_class.base_filters.items()
            if isinstance(flt, django_filters.MultipleChoiceFilter)
            or getattr(flt, "multi_valued", False)
        }

    @classmethod
    def check(cls, request, view) -> None:
        allowed = cls.allowed(view)
        params = request.query_params
        unknown = sorted(set(params) - allowed)
        if unknown:
            raise exceptions.ValidationError(
                {
                    name: [f"Unknown parameter; allowed: {', '.join(sorted(allowed))}."]
                    for name in unknown
                }
            )
        # (An empty `format` is check_format's, which names the formats.)
        empty = sorted(
            name for name in params if "" in params.getlist(name) and name != "format"
        )
        if empty:
            # An empty value is not "any": it is refused rather than read as
            # the parameter left out (the schema gives every value a length).
            raise exceptions.ValidationError(
                {
                    name: ["Empty; give a value or leave the parameter out."]
                    for name in empty
                }
            )
        repeatable = cls.repeatable(view)
        too_many = sorted(
            name for name in repeatable if len(params.getlist(name)) > MAX_VALUES
        )
        if too_many:
            raise exceptions.ValidationError(
                {
                    name: [f"At most {MAX_VALUES} values in one request."]
                    for name in too_many
                }
            )
        repeated = sorted(
            name
            for name in params
            if len(params.getlist(name)) > 1 and name not in repeatable
        )
        if repeated:
            takes_lists = ", ".join(sorted(repeatable)) or "none here"
            raise exceptions.ValidationError(
                {
                    name: [
                        f"Given {len(params.getlist(name))} times; it takes one "
                        f"value (parameters that take several: {takes_lists})."
                    ]
                    for name in repeated
                }
            )

    @staticmethod
    def check_format(request, view) -> None:
        """`format` names one of the view's formats: anything else (empty,
        unknown) is a 400 naming them, not a 404."""
        value = request.query_params.get("format")
        if value is None:
            return
        formats = [renderer.format for renderer in view.get_renderers()]
        if value not in formats:
            allowed = ", ".join(formats)
            raise exceptions.ValidationError(
                {"format": [f"Unknown format {value!r}; allowed: {allowed}."]}
            )
