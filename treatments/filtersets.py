"""FilterSets for drug classes and drugs (HTML lists and API)."""

from kbframework.filters import choice_filter, slug_filter
from kbframework.filtersets import KBFilterSet
from treatments.models import Drug, DrugClass


class DrugClassFilterSet(KBFilterSet):
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
    search_help = "Name, abbreviation or synonym; one typo tolerated."

    class Meta:
        model = DrugClass
        fields = []


class DrugFilterSet(KBFilterSet):
    drug_class = slug_filter(
        "treatments.drugclass",
        "drug_class",
        "drug-classes",
        "Drugs in this class or any class below it.",
        method="filter_drug_class",
    )
    search_help = "Name or synonym (ciclosporin/cyclosporine); one typo."

    class Meta:
        model = Drug
        fields = []

    def filter_drug_class(self, queryset, name, value):
        if not value:
            return queryset
        user = getattr(self.request, "user", None)
        classes = DrugClass.objects.with_descendants(value, user)
        return queryset.filter(drug_class__in=classes)
