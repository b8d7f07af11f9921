"""FilterSets for epidemiology figures and studies (HTML lists and API)."""

import django_filters
from django_filters.rest_framework import FilterSet

from epidemiology.models import Figure, Study
from imidkb.filters import boolean_filter, choice_filter, search_filter, slug_filter


class FigureFilterSet(FilterSet):
    """Different filters combine with AND; repeating one filter means OR."""

    disease = slug_filter(
        "diseases.disease", "disease", "diseases", "Figures stated for this disease."
    )
    measure = choice_filter(Figure.Measure.choices, "measure", "What is measured.")
    region = choice_filter(
        Figure.Region.choices,
        "region",
        "ISO 3166-1 alpha-2 code, world, or unspecified (not stated).",
    )
    population = choice_filter(
        Figure.Population.choices, "population", "Population the figure is about."
    )
    year = django_filters.NumberFilter(
        field_name="year",
        min_value=1800,
        max_value=2200,
        help_text="Year the figure refers to, e.g. 2019.",
    )
    study = slug_filter(
        "epidemiology.study", "study", "studies", "Figures reported by this study."
    )
    source = slug_filter(
        "imidkb.source",
        "citations__source",
        "sources",
        "Figures citing this source.",
        label="Source",
    )
    preferred = boolean_filter(
        "preferred", "Only figures an editor marked preferred (true) or the others."
    )
    search = search_filter("Name, abbreviation or synonym of the figure's disease.")

    class Meta:
        model = Figure
        fields = []

    def filter_search(self, queryset, name, value):
        return queryset.search(value)


class StudyFilterSet(FilterSet):
    year = django_filters.NumberFilter(
        field_name="year", min_value=1800, max_value=2200, help_text="Study year."
    )
    search = search_filter("Words of the study's name.")

    class Meta:
        model = Study
        fields = []

    def filter_search(self, queryset, name, value):
        return queryset.search(value)
