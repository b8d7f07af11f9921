"""FilterSets for epidemiology figures and studies (HTML lists and API)."""

from epidemiology.models import Figure, Study
from kbframework.filters import (
    WholeNumberFilter,
    boolean_filter,
    choice_filter,
    slug_filter,
)
from kbframework.filtersets import KBFilterSet


class FigureFilterSet(KBFilterSet):
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
    year = WholeNumberFilter(
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
    search_help = "Name, abbreviation or synonym of the figure's disease."

    class Meta:
        model = Figure
        fields = []


class StudyFilterSet(KBFilterSet):
    year = WholeNumberFilter(
        field_name="year", min_value=1800, max_value=2200, help_text="Study year."
    )
    search_help = "Words of the study's name."

    class Meta:
        model = Study
        fields = []
