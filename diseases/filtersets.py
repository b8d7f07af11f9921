"""FilterSets for diseases, symptoms and mechanisms (HTML lists and API)."""

import django_filters
from django.apps import apps
from django.core.validators import RegexValidator
from django.db.models import Q
from django_filters.rest_framework import FilterSet

from diseases.models import Disease, Mechanism, Symptom
from imidkb.filters import choice_filter, search_filter, slug_filter

IDENTIFIER_FORMAT = RegexValidator(
    r"^[A-Za-z0-9.]+:[A-Za-z0-9.]+$",
    "Write an identifier as PREFIX:CODE, e.g. MONDO:0008383 or ICD10:M32.",
)


def descendant_classes(drug_classes) -> set[int]:
    """The given drug classes and every class below them."""
    DrugClass = apps.get_model("treatments", "DrugClass")
    children: dict[int | None, list[int]] = {}
    for pk, parent_id in DrugClass.objects.values_list("pk", "parent_id"):
        children.setdefault(parent_id, []).append(pk)
    found, frontier = set(), [c.pk for c in drug_classes]
    while frontier:
        pk = frontier.pop()
        if pk not in found:
            found.add(pk)
            frontier.extend(children.get(pk, []))
    return found


def groups(request):
    """The groups a reader may filter by: the choices of the parent filter."""
    visible = Disease.objects.visible_to(getattr(request, "user", None))
    return visible.filter(kind=Disease.Kind.GROUP)


class DiseaseFilterSet(FilterSet):
    """Different filters combine with AND; repeating one filter means OR."""

    symptom = slug_filter(
        "diseases.symptom",
        "symptoms",
        "symptoms",
        "Diseases stated to show this symptom (not inherited from a group).",
    )
    mechanism = slug_filter(
        "diseases.mechanism",
        "mechanisms",
        "mechanisms",
        "Diseases linked to this mechanism, cause or risk factor.",
    )
    drug_class = slug_filter(
        "treatments.drugclass",
        "indications__drug_class",
        "drug-classes",
        "Diseases that a drug class, or any class below it, is indicated for.",
        method="filter_drug_class",
    )
    body_system = slug_filter(
        "diseases.bodysystem",
        "body_systems",
        "body-systems",
        "Diseases affecting this body system.",
    )
    parent = slug_filter(
        "diseases.disease",
        "parents",
        "diseases",
        "Direct members of this group (a disease of kind 'group').",
        label="Part of group",
        queryset=groups,
    )
    kind = choice_filter(Disease.Kind.choices, "kind", "Kind of record.")
    identifier = django_filters.CharFilter(
        method="filter_identifier",
        max_length=60,
        validators=[IDENTIFIER_FORMAT],
        help_text="An external identifier, e.g. MONDO:0008383, DOID:7148, ICD10:M32.",
    )
    search = search_filter(
        "Name, abbreviation, synonym or older name; ignores case and accents, "
        "tolerates one typo. Results come best match first unless ordered."
    )

    class Meta:
        model = Disease
        fields = []

    def filter_drug_class(self, queryset, name, value):
        """Indications of the classes, their subclasses and their drugs."""
        if not value:
            return queryset
        classes = descendant_classes(value)
        indicated = (
            apps.get_model("treatments", "Indication")
            .objects.filter(Q(drug_class__in=classes) | Q(drug__drug_class__in=classes))
            .values("disease")
        )
        return queryset.filter(pk__in=indicated)

    def filter_identifier(self, queryset, name, value):
        xrefs = apps.get_model("diseases", "DiseaseXref").objects.filter(
            identifier__iexact=value
        )
        return queryset.filter(pk__in=xrefs.values("disease"))

    def filter_search(self, queryset, name, value):
        return queryset.search(value)


class SymptomFilterSet(FilterSet):
    disease = slug_filter(
        "diseases.disease", "diseases", "diseases", "Symptoms stated for this disease."
    )
    hpo_id = django_filters.CharFilter(
        field_name="hpo_id",
        max_length=12,
        validators=[RegexValidator(r"^HP:\d{7}$", "Write an HPO id as HP:0012378.")],
        help_text="Human Phenotype Ontology id, e.g. HP:0012378.",
    )
    search = search_filter("Name or synonym; ignores case and accents, one typo.")

    class Meta:
        model = Symptom
        fields = []

    def filter_search(self, queryset, name, value):
        return queryset.search(value)


class MechanismFilterSet(FilterSet):
    disease = slug_filter(
        "diseases.disease",
        "diseases",
        "diseases",
        "Mechanisms linked to this disease.",
    )
    kind = choice_filter(Mechanism.Kind.choices, "kind", "Kind of mechanism.")
    search = search_filter("Name or synonym; ignores case and accents, one typo.")

    class Meta:
        model = Mechanism
        fields = []

    def filter_search(self, queryset, name, value):
        return queryset.search(value)
