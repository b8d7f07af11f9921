"""The FilterSet base every resource's FilterSet builds on (HTML lists and
API alike), and the FilterSet of sources."""

import copy

from django_filters.filterset import FilterSetMetaclass
from django_filters.rest_framework import FilterSet

from kbframework.filters import (
    choice_filter,
    search_filter,
    slug_lookup_filter,
    updated_since_filter,
)
from kbframework.models import Source


class KBFilterSetMetaclass(FilterSetMetaclass):
    """Gives each FilterSet its own `search` filter, described by its
    `search_help`, and keeps `search` last (as forms and the schema show it)."""

    def __new__(mcs, name, bases, attrs):
        new_class = super().__new__(mcs, name, bases, attrs)
        filters = new_class.base_filters
        model = getattr(getattr(new_class, "_meta", None), "model", None)
        has_slug = model is not None and any(
            field.name == "slug" for field in model._meta.fields
        )
        if has_slug and "slug" not in filters:
            filters["slug"] = slug_lookup_filter()
        has_updated = model is not None and any(
            field.name == "updated" for field in model._meta.fields
        )
        if has_updated and "updated_since" not in filters:
            filters["updated_since"] = updated_since_filter()
        if "search" in filters:
            search = copy.deepcopy(filters.pop("search"))
            if getattr(new_class, "search_help", ""):
                search.extra["help_text"] = new_class.search_help
            filters["search"] = search
        return new_class


class KBFilterSet(FilterSet, metaclass=KBFilterSetMetaclass):
    """Different filters combine with AND; repeating one filter means OR.

    `search` is declared here once and calls the queryset's `search()`; a
    resource describes it with `search_help`.
    """

    search = search_filter("Words of the name.")
    search_help = ""

    def filter_search(self, queryset, name, value):
        return queryset.search(value)


class SourceFilterSet(KBFilterSet):
    kind = choice_filter(Source.Kind.choices, "kind", "Kind of source.")
    search_help = "Words of the title, publisher or description."

    class Meta:
        model = Source
        fields = []
