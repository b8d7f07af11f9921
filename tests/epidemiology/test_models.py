"""Figures keep their numbers exactly; the database refuses impossible ones."""

from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from epidemiology.models import Figure
from tests.factories import DiseaseFactory, FigureFactory

pytestmark = pytest.mark.django_db


def insert(**fields):
    """Insert a figure straight into the database, bypassing model validation."""
    defaults = {
        "slug": "figure-under-test",
        "disease": DiseaseFactory(),
        "measure": Figure.Measure.PREVALENCE_COUNT,
        "unit": Figure.Unit.PEOPLE,
        "population": Figure.Population.GENERAL,
        "region": Figure.Region.GB,
    }
    defaults.update(fields)
    with transaction.atomic():
        return Figure.objects.create(**defaults)


@pytest.mark.parametrize(
    "fields",
    [
        {"value": 10, "lower": 20},
        {"value": 30, "upper": 20},
        {"lower": 20, "upper": 10},
    ],
    ids=["lower-above-value", "value-above-upper", "lower-above-upper"],
)
def test_database_rejects_an_inverted_range(fields):
    """lower <= value <= upper is a database constraint."""
    with pytest.raises(IntegrityError):
        insert(**fields)


@pytest.mark.parametrize("field", ["value", "lower", "upper"])
def test_database_rejects_a_share_over_100_percent(field):
    """A 140 % share is refused by the database, whichever number carries it."""
    with pytest.raises(IntegrityError):
        insert(
            measure=Figure.Measure.SHARE_OF_NEW_CASES,
            unit=Figure.Unit.PERCENT,
            **{field: Decimal("140")},
        )


def test_database_accepts_a_share_of_exactly_100_percent():
    figure = insert(unit=Figure.Unit.PERCENT, value=Decimal("100"))
    assert figure.pk


@pytest.mark.parametrize(
    "fields",
    [
        {},
        {"value": -1},
        {"qualifier": Figure.Qualifier.UP_TO, "value": 20000},
        {"qualifier": Figure.Qualifier.UP_TO, "upper": 20000, "value": 20000},
        {"qualifier": Figure.Qualifier.MORE_THAN, "value": 10},
        {"value": 1, "year": 2020, "year_end": 2019},
        {"value": 1, "year_end": 2019},
        {"value": 1, "preferred": True},
    ],
    ids=[
        "no-number",
        "negative",
        "up-to-as-point-value",
        "up-to-with-value",
        "more-than-as-point-value",
        "period-reversed",
        "period-without-start",
        "preferred-without-reason",
    ],
)
def test_database_rejects_figures_that_misstate_the_source(fields):
    """Constraints keep "up to" an upper bound and every figure well formed."""
    with pytest.raises(IntegrityError):
        insert(**fields)


def test_only_one_figure_per_question_may_be_preferred():
    """Two preferred figures for the same disease, measure, population and
    region are refused."""
    disease = DiseaseFactory()
    insert(disease=disease, value=1, preferred=True, preferred_reason="Larger study")
    with pytest.raises(IntegrityError):
        insert(
            slug="second",
            disease=disease,
            value=2,
            preferred=True,
            preferred_reason="Newer",
        )


@pytest.mark.parametrize(
    ("fields", "field", "text"),
    [
        ({"value": 10, "lower": 20}, "lower", "inverted"),
        (
            {"unit": "percent", "measure": "share-of-new-cases", "value": 140},
            "unit",
            "between 0 and 100",
        ),
        ({"qualifier": "up-to", "value": 5}, "qualifier", "upper bound"),
        ({"value": None}, "value", "Give a value"),
        ({"unit": "percent"}, "unit", "given in people"),
    ],
)
def test_clean_explains_what_to_fix(fields, field, text):
    """Validation messages name the field and say what is wrong."""
    figure = FigureFactory.build(disease=DiseaseFactory(), **fields)
    with pytest.raises(ValidationError) as excinfo:
        figure.clean()
    assert text in " ".join(excinfo.value.message_dict[field])


@pytest.mark.parametrize(
    ("fields", "shown"),
    [
        (
            {"qualifier": "up-to", "value": None, "upper": Decimal("50000")},
            "up to 50,000 people",
        ),
        (
            {"qualifier": "roughly", "value": Decimal("700000")},
            "roughly 700,000 people",
        ),
        (
            {"qualifier": "more-than", "value": None, "lower": Decimal("1000000")},
            "more than 1,000,000 people",
        ),
        (
            {
                "qualifier": "estimated",
                "value": None,
                "lower": Decimal("3"),
                "upper": Decimal("7"),
                "unit": "percent",
            },
            "estimated 3\u20137%",
        ),
        ({"value": Decimal("0.7000"), "unit": "percent"}, "0.7%"),
    ],
)
def test_display_value_keeps_qualifier_bounds_and_unit(fields, shown):
    """An "up to" figure reads as a bound, never as a bare point value."""
    assert FigureFactory.build(**fields).display_value() == shown


def test_decimal_values_come_back_exactly(kb):
    """0.7 % is stored and read back without floating-point drift."""
    figure = Figure.objects.get(
        slug="inflammatory-bowel-disease-share-of-new-imid-cases-2019"
    )
    assert figure.value == Decimal("0.7")
    assert figure.display_value() == "0.7%"
