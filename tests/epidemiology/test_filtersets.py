"""Each filter of the figure and study FilterSets, once."""

import pytest

from epidemiology.filtersets import FigureFilterSet, StudyFilterSet
from epidemiology.models import Figure, Study
from kbframework.models import Citation
from tests.diseases.test_filtersets import errors, filtered
from tests.factories import DiseaseFactory, FigureFactory, StudyFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def figures(empty_kb):
    lupus = DiseaseFactory(slug="lupus", name="Lupus")
    study = StudyFactory(slug="split", name="The split study", year=2019)
    FigureFactory(slug="count", disease=lupus)
    FigureFactory(
        slug="share",
        disease=DiseaseFactory(slug="other"),
        measure=Figure.Measure.SHARE_OF_NEW_CASES,
        value=2,
        unit=Figure.Unit.PERCENT,
        population=Figure.Population.NEW_CASES,
        region=Figure.Region.UNSPECIFIED,
        year=2019,
        study=study,
        preferred=True,
        preferred_reason="The only one.",
    )
    return Figure.objects.all()


def test_figure_filters(figures):
    source = Citation.objects.get(epidemiology_figure_set__slug="count").source.slug
    assert filtered(FigureFilterSet, figures, disease="lupus") == {"count"}
    assert filtered(FigureFilterSet, figures, measure="share-of-new-cases") == {"share"}
    assert filtered(FigureFilterSet, figures, region="GB") == {"count"}
    assert filtered(FigureFilterSet, figures, population="new-cases") == {"share"}
    assert filtered(FigureFilterSet, figures, year="2019") == {"share"}
    assert filtered(FigureFilterSet, figures, study="split") == {"share"}
    assert filtered(FigureFilterSet, figures, source=source) == {"count"}
    assert filtered(FigureFilterSet, figures, preferred="true") == {"share"}
    assert filtered(FigureFilterSet, figures, preferred="false") == {"count"}
    assert filtered(FigureFilterSet, figures, search="lupus") == {"count"}
    assert "year" in errors(FigureFilterSet, figures, year="1066")
    assert "preferred" in errors(FigureFilterSet, figures, preferred="yes")


def test_study_filters(figures):
    StudyFactory(slug="older", year=2001)
    studies = Study.objects.all()
    assert filtered(StudyFilterSet, studies, year="2019") == {"split"}
    assert filtered(StudyFilterSet, studies, search="split") == {"split"}
