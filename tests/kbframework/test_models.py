"""Shared base: natural keys, citations, identifiers."""

import pytest
from django.apps import apps
from django.core.exceptions import ValidationError

from kbframework.models import Citation, validate_identifier
from kbframework.registry import registry
from tests.factories import SourceFactory

pytestmark = pytest.mark.django_db

LABELS = [
    label
    for _f, labels in registry.fixture_file_pairs()
    for label in labels
    if "auth" not in label
]


@pytest.mark.parametrize("label", LABELS)
def test_every_row_is_found_again_by_its_natural_key(kb, label):
    model = apps.get_model(label)
    for obj in model._default_manager.all():
        assert model._default_manager.get_by_natural_key(*obj.natural_key()) == obj


def test_a_citation_must_name_a_section_of_its_source():
    source = SourceFactory(sections=["Introduction"])
    Citation(source=source, section="Introduction").clean()
    with pytest.raises(ValidationError, match="not a section"):
        Citation(source=source, section="Conclusion").clean()


@pytest.mark.parametrize(
    ("system", "identifier", "valid"),
    [
        ("MONDO", "MONDO:0008383", True),
        ("MONDO", "MONDO:83", False),
        ("ICD10", "ICD10:M06.9", True),
        ("ICD11", "icd11.foundation:576319925", True),
        ("ATC", "ATC:L04AD01", True),
        ("ATC", "ATC:L04", True),
        ("ATC", "L04AD01", False),
        ("HP", "HP:0012378", True),
        ("HP", "MONDO:0008383", False),
    ],
)
def test_identifiers_are_checked_against_their_system(system, identifier, valid):
    if valid:
        validate_identifier(system, identifier)
    else:
        with pytest.raises(ValidationError):
            validate_identifier(system, identifier)
