"""Drug classes, indications and adverse effects."""

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from tests.factories import (
    DiseaseFactory,
    DrugClassFactory,
    DrugFactory,
    IndicationFactory,
    SymptomFactory,
)
from treatments.models import AdverseEffect, DrugClass, Indication

pytestmark = pytest.mark.django_db


def test_an_indication_names_a_class_or_a_drug_not_both():
    drug = DrugFactory()
    with pytest.raises(IntegrityError), transaction.atomic():
        Indication.objects.create(
            drug_class=drug.drug_class,
            drug=drug,
            disease=DiseaseFactory(),
            purpose="treat",
        )
    with pytest.raises(IntegrityError), transaction.atomic():
        Indication.objects.create(disease=DiseaseFactory(), purpose="treat")


def test_an_indication_is_unique_per_class_and_disease():
    indication = IndicationFactory()
    with pytest.raises(IntegrityError), transaction.atomic():
        IndicationFactory(drug_class=indication.drug_class, disease=indication.disease)


def test_drug_indication_natural_key_uses_none_for_the_missing_end():
    drug = DrugFactory()
    indication = Indication.objects.create(
        drug=drug, disease=DiseaseFactory(), purpose="treat"
    )
    key = indication.natural_key()
    assert key == (None, drug.slug, indication.disease.slug)
    assert Indication.objects.get_by_natural_key(*key) == indication


def test_an_adverse_effect_is_a_symptom_or_a_condition():
    klass = DrugClassFactory()
    with pytest.raises(IntegrityError), transaction.atomic():
        AdverseEffect.objects.create(
            drug_class=klass, symptom=SymptomFactory(), condition=DiseaseFactory()
        )
    with pytest.raises(ValidationError):
        AdverseEffect(drug_class=klass).clean()


def test_a_class_cannot_sit_below_itself():
    top = DrugClassFactory()
    child = DrugClassFactory(parent=top)
    top.parent = child
    with pytest.raises(ValidationError, match="below itself"):
        top.clean()


def test_drug_class_detail_query_count_is_constant(kb, django_assert_num_queries):
    with django_assert_num_queries(10):  # response notes: one more
        klass = DrugClass.objects.for_detail(None).get(slug="immunomodulators")
        assert [c.slug for c in klass.children.all()]
        assert [i.disease.slug for i in klass.indications.all()]
        assert [(a.symptom or a.condition).slug for a in klass.adverse_effects.all()]
        list(klass.drugs.all())
        list(klass.xrefs.all())
        list(klass.citations.all())
