"""What the treatments app registers (see kbframework.registry), including
the sections it adds to a disease: its treatments and treatment-response
notes."""

from collections import defaultdict

from django.db.models import Prefetch, Q

from diseases.models import Disease, Symptom
from kbframework.querysets import citations_prefetch
from kbframework.registry import SearchMembers, Section, SharedEnd, registry
from kbframework.search import one_line
from treatments.admin import DiseaseIndicationInline
from treatments.api.serializers import (
    DiseaseTreatmentSerializer,
    ResponseNoteSerializer,
)
from treatments.api.views import DrugClassViewSet, DrugViewSet
from treatments.models import (
    AdverseEffect,
    Drug,
    DrugClass,
    DrugClassXref,
    DrugXref,
    Indication,
    ResponseNote,
)

registry.fixture_file(
    "treatments.json",
    order=30,
    models=[
        DrugClass,
        DrugClassXref,
        Drug,
        DrugXref,
        Indication,
        AdverseEffect,
        ResponseNote,
    ],
)


def class_members(drug_ids, visibility):
    """(drug, its class, drug's name): a class is found by its drugs."""
    drugs = visibility.records(Drug.objects.filter(pk__in=drug_ids))
    return drugs.values_list("pk", "drug_class_id", "name")


def drug_class_identifiers(identifiers, visibility):
    rows = DrugClassXref.objects.filter(identifier__in=identifiers)
    return visibility.records(rows).values_list("drug_class_id", "identifier", "exact")


def drug_identifiers(identifiers, visibility):
    rows = DrugXref.objects.filter(identifier__in=identifiers)
    return visibility.records(rows).values_list("drug_id", "identifier", "exact")


def drug_line(drug) -> str:
    """Its summary or, lacking one, its class (read with the drug)."""
    return one_line(drug.summary) or f"A drug of the class {drug.drug_class.name}."


registry.resource(
    DrugClass,
    position=50,
    api_prefix="drug-classes",
    viewset=DrugClassViewSet,
    search_title="Drug classes",
    sitemap=True,
    released=True,
    missing_identifier=Q(xrefs__isnull=True),
    search_members=SearchMembers("treatments.drug", class_members),
    search_identifiers=drug_class_identifiers,
)
registry.resource(
    Drug,
    position=60,
    api_prefix="drugs",
    viewset=DrugViewSet,
    search_title="Drugs",
    sitemap=True,
    released=True,
    missing_identifier=Q(xrefs__isnull=True),
    search_rows=lambda user: Drug.objects.restrict(user).select_related("drug_class"),
    search_line=drug_line,
    search_identifiers=drug_identifiers,
)


def disease_treatments(visibility) -> list[Prefetch]:
    """A disease's indications, without those of unpublished classes or drugs
    (or of drugs in an unpublished class) for the public."""
    indications = visibility.records(
        Indication.objects.select_related("drug_class", "drug__drug_class")
    )
    return [
        Prefetch(
            "indications", queryset=indications.prefetch_related(citations_prefetch())
        )
    ]


def treatments_by_class(disease, request) -> dict:
    """Indications grouped by drug class (a drug counts under its class)."""
    groups = defaultdict(list)
    for indication in disease.indications.all():
        klass = indication.drug_class or indication.drug.drug_class
        groups[klass].append(indication)
    return {"treatments": sorted(groups.items(), key=lambda item: item[0].name)}


registry.section(
    Disease,
    Section(
        name="treatments",
        position=10,
        title="Treatments",
        anchor="treatments",
        has_content=lambda disease, context: bool(
            context["treatments"] or disease.response_notes.all()
        ),
        prefetch=disease_treatments,
        serializer_field=lambda: DiseaseTreatmentSerializer(
            source="indications", many=True, read_only=True
        ),
        admin_inline=DiseaseIndicationInline,
        template="treatments/includes/disease_treatments.html",
        page_context=treatments_by_class,
    ),
)
registry.section(
    Disease,
    Section(
        name="response_notes",
        position=20,
        # Shown on the page inside the treatments partial.
        prefetch=lambda visibility: [
            Prefetch(
                "response_notes",
                queryset=visibility.records(ResponseNote.objects.all())
                .select_related("drug_class")
                .prefetch_related(citations_prefetch()),
            )
        ],
        serializer_field=lambda: ResponseNoteSerializer(many=True, read_only=True),
    ),
)


def adverse_effects_of(visibility, effects) -> list[Prefetch]:
    """The adverse-effect rows naming a condition or a symptom, with their
    drug class and citations."""
    queryset = visibility.records(effects).select_related("drug_class")
    return [
        Prefetch(
            "adverse_effect_links",
            queryset=queryset.prefetch_related(citations_prefetch()),
        )
    ]


registry.section(
    Disease,
    Section(
        name="adverse_effect_of",
        position=25,
        # A condition or outcome (infections) as a class's adverse effect:
        # shown on its own page only, not on its members'.
        prefetch=lambda visibility: adverse_effects_of(
            visibility, AdverseEffect.objects.filter(condition__isnull=False)
        ),
        template="treatments/includes/disease_adverse_effects.html",
        title="As an adverse effect of treatment",
        anchor="adverse-effect-of",
        has_content=lambda disease, context: bool(disease.adverse_effect_links.all()),
        always=False,
        inherited=False,
    ),
)

registry.section(
    Symptom,
    Section(
        name="adverse_effect_of",
        position=10,
        prefetch=lambda visibility: adverse_effects_of(
            visibility, AdverseEffect.objects.all()
        ),
        template="treatments/includes/symptom_adverse_effects.html",
        inherited=False,
    ),
)

# Two diseases are related when a drug class is indicated for both.
registry.shared_end(
    Disease,
    SharedEnd(
        key="drug_classes",
        position=30,
        links=lambda: Indication.objects.filter(drug_class__isnull=False),
        end="drug_class",
        title="Drug classes",
    ),
)
