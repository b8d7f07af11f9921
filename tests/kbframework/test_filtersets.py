"""The FilterSet base: `search` declared once, described per resource, last."""

import pytest

from diseases.filtersets import DiseaseFilterSet, SymptomFilterSet
from epidemiology.filtersets import FigureFilterSet
from kbframework.filtersets import KBFilterSet, SourceFilterSet
from kbframework.models import Source
from tests.diseases.test_filtersets import filtered
from tests.factories import SourceFactory

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    "filterset_class",
    [DiseaseFilterSet, SymptomFilterSet, FigureFilterSet, SourceFilterSet],
)
def test_every_filterset_has_search_last_with_its_own_help(filterset_class):
    filters = filterset_class.base_filters
    assert list(filters)[-1] == "search"
    assert filters["search"].extra["help_text"] == filterset_class.search_help
    assert filters["search"] is not KBFilterSet.base_filters["search"]


def test_source_filters(empty_kb):
    SourceFactory(slug="wiki", title="An encyclopedia", kind="encyclopedia")
    SourceFactory(slug="ref", title="A reference set", kind="reference-set")
    sources = Source.objects.all()
    assert filtered(SourceFilterSet, sources, kind="reference-set") == {"ref"}
    assert filtered(SourceFilterSet, sources, search="encyclopedia") == {"wiki"}
