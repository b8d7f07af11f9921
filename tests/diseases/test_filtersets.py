"""Each filter of the disease, symptom and mechanism FilterSets, once,
directly on its FilterSet (the HTML lists and the API share them)."""

import pytest
from django.test import RequestFactory

from diseases.filtersets import DiseaseFilterSet, MechanismFilterSet, SymptomFilterSet
from diseases.models import (
    BodySystem,
    Disease,
    DiseaseBodySystem,
    DiseaseMechanism,
    DiseaseSymptom,
    DiseaseXref,
    Mechanism,
)
from tests.factories import (
    DiseaseFactory,
    DiseaseMembershipFactory,
    DrugClassFactory,
    DrugFactory,
    IndicationFactory,
    MechanismFactory,
    SymptomFactory,
)

pytestmark = pytest.mark.django_db


def filtered(filterset_class, queryset, **params) -> set[str]:
    request = RequestFactory().get("/", params)
    filterset = filterset_class(request.GET, queryset=queryset, request=request)
    assert filterset.is_valid(), filterset.errors
    return {record.slug for record in filterset.qs}


def errors(filterset_class, queryset, **params) -> dict:
    request = RequestFactory().get("/", params)
    filterset = filterset_class(request.GET, queryset=queryset, request=request)
    assert not filterset.is_valid()
    return filterset.errors


@pytest.fixture
def two(empty_kb):
    """Two diseases: `a` has a symptom, a mechanism, the liver, a group and
    an identifier; `b` has none of them."""
    a, b = DiseaseFactory(slug="a", name="Alpha itis"), DiseaseFactory(slug="b")
    DiseaseSymptom.objects.create(disease=a, symptom=SymptomFactory(slug="ache"))
    DiseaseMechanism.objects.create(
        disease=a,
        mechanism=MechanismFactory(slug="cause", kind=Mechanism.Kind.CAUSE),
        role="cause",
    )
    liver = BodySystem.objects.create(slug="liver", name="Liver")
    DiseaseBodySystem.objects.create(disease=a, body_system=liver)
    DiseaseMembershipFactory(parent__slug="group", member=a)
    DiseaseXref.objects.create(disease=a, system="MONDO", identifier="MONDO:0000001")
    return a, b


def test_disease_filters(two):
    diseases = Disease.objects.exclude(kind=Disease.Kind.GROUP)
    assert filtered(DiseaseFilterSet, diseases, symptom="ache") == {"a"}
    assert filtered(DiseaseFilterSet, diseases, mechanism="cause") == {"a"}
    assert filtered(DiseaseFilterSet, diseases, body_system="liver") == {"a"}
    assert filtered(DiseaseFilterSet, diseases, parent="group") == {"a"}
    assert filtered(DiseaseFilterSet, diseases, identifier="mondo:0000001") == {"a"}
    assert filtered(DiseaseFilterSet, Disease.objects.all(), kind="group") == {"group"}
    assert filtered(DiseaseFilterSet, diseases, search="alpha itis") == {"a"}


def test_disease_drug_class_filter_reaches_subclasses_and_drugs(two):
    """A class matches diseases its subclasses or their drugs are indicated
    for."""
    a, b = two
    parent = DrugClassFactory(slug="parent")
    child = DrugClassFactory(slug="child", parent=parent)
    IndicationFactory(drug_class=child, disease=a)
    IndicationFactory(drug_class=None, drug=DrugFactory(drug_class=child), disease=b)
    diseases = Disease.objects.all()
    assert filtered(DiseaseFilterSet, diseases, drug_class="parent") == {"a", "b"}
    assert filtered(DiseaseFilterSet, diseases, drug_class="child") == {"a", "b"}


def test_disease_filters_refuse_what_they_do_not_know(two):
    diseases = Disease.objects.all()
    assert "symptom" in errors(DiseaseFilterSet, diseases, symptom="nope")
    assert "identifier" in errors(DiseaseFilterSet, diseases, identifier="M06.9")
    assert "kind" in errors(DiseaseFilterSet, diseases, kind="planet")
    # Only groups are offered as parents.
    assert "parent" in errors(DiseaseFilterSet, diseases, parent="a")


def test_symptom_filters(two):
    a, _b = two
    SymptomFactory(slug="other", hpo_id="HP:0000002")
    symptoms = a.symptoms.model.objects.all()
    assert filtered(SymptomFilterSet, symptoms, disease="a") == {"ache"}
    assert filtered(SymptomFilterSet, symptoms, hpo_id="HP:0000002") == {"other"}
    assert "hpo_id" in errors(SymptomFilterSet, symptoms, hpo_id="0000002")


def test_mechanism_filters(two):
    MechanismFactory(slug="process")
    mechanisms = Mechanism.objects.all()
    assert filtered(MechanismFilterSet, mechanisms, disease="a") == {"cause"}
    assert filtered(MechanismFilterSet, mechanisms, kind="cause") == {"cause"}
