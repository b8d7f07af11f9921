"""FilterSets for drug classes and drugs (HTML lists and API)."""

from django_filters.rest_framework import FilterSet

from diseases.filtersets import descendant_classes
from imidkb.filters import choice_filter, search_filter, slug_filter
from treatments.models import Drug, DrugClass


class DrugClassFilterSet(FilterSet):
    """Different filters combine with AND; repeating one filter means OR."""

    parent = slug_filter(
        "treatments.drugclass",
        "parent",
        "drug-classes",
        "Classes directly below this class.",
    )
    disease = slug_filter(
        "diseases.disease",
        "indications__disease",
        "diseases",
        "Classes indicated for this disease or condition.",
    )
    effect = choice_filter(DrugClass.Effect.choices, "effect", "Effect on immunity.")
    modality = choice_filter(DrugClass.Modality.choices, "modality", "Modality.")
    development = choice_filter(
        DrugClass.Development.choices, "development", "Development status."
    )
    search = search_filter("Name, abbreviation or synonym; one typo tolerated.")

    class Meta:
        model = DrugClass
        fields = []

    def filter_search(self, queryset, name, value):
        return queryset.search(value)


class DrugFilterSet(FilterSet):
    drug_class = slug_filter(
        "treatments.drugclass",
        "drug_class",
        "drug-classes",
        "Drugs in this class or any class below it.",
        method="filter_drug_class",
    )
    search = search_filter("Name or synonym (ciclosporin/cyclosporine); one typo.")

    class Meta:
        model = Drug
        fields = []

    def filter_drug_class(self, queryset, name, value):
        if not value:
            return queryset
        return queryset.filter(drug_class__in=descendant_classes(value))

    def filter_search(self, queryset, name, value):
        return queryset.search(value)
