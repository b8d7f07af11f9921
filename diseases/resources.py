"""What the diseases app registers (see kbframework.registry)."""

from django.db.models import BooleanField, Q, Value

from diseases.api.views import (
    BodySystemViewSet,
    DiseaseViewSet,
    MechanismViewSet,
    SymptomViewSet,
)
from diseases.models import (
    BodySystem,
    Disease,
    DiseaseBodySystem,
    DiseaseMechanism,
    DiseaseMembership,
    DiseaseRelation,
    DiseaseSymptom,
    DiseaseXref,
    Mechanism,
    Symptom,
)
from kbframework.registry import SearchMembers, SharedEnd, registry

registry.fixture_file(
    "diseases.json",
    order=20,
    models=[
        BodySystem,
        Symptom,
        Mechanism,
        Disease,
        DiseaseMembership,
        DiseaseBodySystem,
        DiseaseSymptom,
        DiseaseMechanism,
        DiseaseRelation,
        DiseaseXref,
    ],
)


def group_members(member_ids, visibility):
    """(member, group, member's name): a group is found by its direct members."""
    links = DiseaseMembership.objects.filter(member_id__in=member_ids)
    return visibility.records(links).values_list(
        "member_id", "parent_id", "member__name"
    )


def disease_identifiers(identifiers, visibility):
    rows = DiseaseXref.objects.filter(identifier__in=identifiers)
    return visibility.records(rows).values_list("disease_id", "identifier", "exact")


def symptom_identifiers(identifiers, visibility):
    """A symptom's identifier is its HPO term."""
    rows = Symptom.objects.filter(hpo_id__in=identifiers)
    return visibility.records(rows).values_list(
        "pk", "hpo_id", Value(True, output_field=BooleanField())
    )


def body_system_line(body_system) -> str:
    """How many diseases the reader may see under it (BodySystem.for_list)."""
    count = body_system.disease_count
    if not count:
        return "No disease or condition is listed under it yet."
    if count == 1:
        return "1 disease or condition is listed under it."
    return f"{count} diseases and conditions are listed under it."


registry.resource(
    Disease,
    position=10,
    api_prefix="diseases",
    viewset=DiseaseViewSet,
    search_title="Diseases and conditions",
    sitemap=True,
    released=True,
    missing_identifier=Q(xrefs__isnull=True),
    search_members=SearchMembers("diseases.disease", group_members),
    search_identifiers=disease_identifiers,
)
registry.resource(
    Symptom,
    position=20,
    api_prefix="symptoms",
    viewset=SymptomViewSet,
    search_title="Symptoms",
    sitemap=True,
    released=True,
    missing_identifier=Q(hpo_id=""),
    search_identifiers=symptom_identifiers,
)
registry.resource(
    Mechanism,
    position=30,
    api_prefix="mechanisms",
    viewset=MechanismViewSet,
    search_title="Mechanisms and risk factors",
    sitemap=True,
    released=True,
)
registry.resource(
    BodySystem,
    position=40,
    api_prefix="body-systems",
    viewset=BodySystemViewSet,
    search_title="Body systems",
    released=True,
    search_rows=lambda user: BodySystem.objects.for_list(user),
    search_line=body_system_line,
)

# Two diseases are related when the sources state the same symptom or
# mechanism for both (treatments adds drug classes).
registry.shared_end(
    Disease,
    SharedEnd(
        key="symptoms",
        position=10,
        links=lambda: DiseaseSymptom.objects.all(),
        end="symptom",
        title="Symptoms",
    ),
)
registry.shared_end(
    Disease,
    SharedEnd(
        key="mechanisms",
        position=20,
        links=lambda: DiseaseMechanism.objects.all(),
        end="mechanism",
        title="Mechanisms",
    ),
)
