"""What the diseases app registers (see kbframework.registry)."""

from django.db.models import Q

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
from kbframework.registry import SharedEnd, registry

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

registry.resource(
    Disease,
    position=10,
    api_prefix="diseases",
    viewset=DiseaseViewSet,
    search_title="Diseases and conditions",
    sitemap=True,
    released=True,
    missing_identifier=Q(xrefs__isnull=True),
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
    released=True,
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
