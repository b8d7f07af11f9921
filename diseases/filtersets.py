"""FilterSets for diseases, symptoms and mechanisms (HTML lists and API)."""

import django_filters
from django.apps import apps
from django.db.models import Q

from diseases.models import Disease, DiseaseXref, Mechanism, Symptom
from kbframework.filters import (
    MultipleValuesFilter,
    PatternValidator,
    choice_filter,
    slug_filter,
)
from kbframework.filtersets import KBFilterSet
from kbframework.search import prefixed_curie
from kbframework.visibility import Visibility

# The forms the identifier resolver (/id/) takes too: PREFIX:CODE,
# PREFIX_CODE, any case, or an address ending in one (an OBO PURL).
IDENTIFIER_FORMAT = PatternValidator(
    r"(?:https?://[A-Za-z0-9.-]+(?:/[A-Za-z0-9._-]*)*[/#=])?"
    r"[A-Za-z0-9.]+[:_][A-Za-z0-9.]+",
    "Write an identifier as PREFIX:CODE (MONDO:0008383, ICD10:M32), PREFIX_CODE "
    "(MONDO_0008383) or its OBO address "
    "(http://purl.obolibrary.org/obo/MONDO_0008383).",
)


def groups(request):
    """The groups a reader may filter by: the choices of the parent filter."""
    visible = Disease.objects.restrict(getattr(request, "user", None))
    return visible.filter(kind=Disease.Kind.GROUP)


class DiseaseFilterSet(KBFilterSet):
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
    # The one filter that reads another app's models (by name, not by
    # import): the disease resource's own parameter for its treatments.
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
    identifier = MultipleValuesFilter(
        method="filter_identifier",
        label="Identifier",
        max_length=60,
        validators=[IDENTIFIER_FORMAT],
        help_text="An external identifier, e.g. MONDO:0008383, DOID:7148, ICD10:M32, "
        "in the forms /id/ takes too (MONDO_0008383, lower case, an OBO PURL); "
        "repeat the parameter to look up several at once.",
    )
    search_help = (
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
        user = getattr(self.request, "user", None)
        drug_classes = apps.get_model("treatments", "DrugClass").objects
        classes = drug_classes.with_descendants(value, user)
        indications = apps.get_model("treatments", "Indication").objects.filter(
            Q(drug_class__in=classes) | Q(drug__drug_class__in=classes)
        )
        indicated = Visibility.of(user).records(indications).values("disease")
        return queryset.filter(pk__in=indicated)

    def filter_identifier(self, queryset, name, value):
        """Diseases carrying any of the identifiers (case ignored)."""
        if not value:
            return queryset
        matches = Q()
        for identifier in value:
            curie = prefixed_curie(identifier) or identifier
            matches |= Q(identifier__iexact=curie)
        xrefs = DiseaseXref.objects.filter(matches)
        return queryset.filter(pk__in=xrefs.values("disease"))


class SymptomFilterSet(KBFilterSet):
    disease = slug_filter(
        "diseases.disease", "diseases", "diseases", "Symptoms stated for this disease."
    )
    hpo_id = django_filters.CharFilter(
        field_name="hpo_id",
        max_length=12,
        strip=False,
        validators=[PatternValidator(r"HP:[0-9]{7}", "Write an HPO id as HP:0012378.")],
        help_text="Human Phenotype Ontology id, e.g. HP:0012378.",
    )
    search_help = "Name or synonym; ignores case and accents, one typo."

    class Meta:
        model = Symptom
        fields = []


class MechanismFilterSet(KBFilterSet):
    disease = slug_filter(
        "diseases.disease",
        "diseases",
        "diseases",
        "Mechanisms linked to this disease.",
    )
    kind = choice_filter(Mechanism.Kind.choices, "kind", "Kind of mechanism.")
    search_help = "Name or synonym; ignores case and accents, one typo."

    class Meta:
        model = Mechanism
        fields = []
