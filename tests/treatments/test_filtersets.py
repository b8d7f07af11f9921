"""Each filter of the drug-class and drug FilterSets, once."""

import pytest

from tests.diseases.test_filtersets import errors, filtered
from tests.factories import (
    DiseaseFactory,
    DrugClassFactory,
    DrugFactory,
    IndicationFactory,
)
from treatments.filtersets import DrugClassFilterSet, DrugFilterSet
from treatments.models import Drug, DrugClass

pytestmark = pytest.mark.django_db


@pytest.fixture
def tree(empty_kb):
    """top > middle > leaf, each with a drug; `middle` indicated for `d`."""
    top = DrugClassFactory(slug="top", effect="modulates", name="Topmost class")
    middle = DrugClassFactory(
        slug="middle", parent=top, effect="suppresses", modality="biologic"
    )
    leaf = DrugClassFactory(slug="leaf", parent=middle, development="investigational")
    for klass in (top, middle, leaf):
        DrugFactory(slug=f"drug-of-{klass.slug}", drug_class=klass)
    IndicationFactory(drug_class=middle, disease=DiseaseFactory(slug="d"))
    return top, middle, leaf


def test_drug_class_filters(tree):
    classes = DrugClass.objects.all()
    assert filtered(DrugClassFilterSet, classes, parent="top") == {"middle"}
    assert filtered(DrugClassFilterSet, classes, disease="d") == {"middle"}
    assert filtered(DrugClassFilterSet, classes, effect="suppresses") == {"middle"}
    assert filtered(DrugClassFilterSet, classes, modality="biologic") == {"middle"}
    assert filtered(DrugClassFilterSet, classes, development="investigational") == {
        "leaf"
    }
    assert filtered(DrugClassFilterSet, classes, search="topmost") == {"top"}
    assert "effect" in errors(DrugClassFilterSet, classes, effect="boosts")


def test_drug_filter_by_class_includes_every_class_below(tree):
    drugs = Drug.objects.all()
    assert filtered(DrugFilterSet, drugs, drug_class="middle") == {
        "drug-of-middle",
        "drug-of-leaf",
    }
    assert len(filtered(DrugFilterSet, drugs, drug_class="top")) == 3


def test_with_descendants_walks_the_class_tree(tree):
    _top, middle, leaf = tree
    assert DrugClass.objects.with_descendants([middle], None) == {middle.pk, leaf.pk}
    assert DrugClass.objects.with_descendants([leaf], None) == {leaf.pk}
