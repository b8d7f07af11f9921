"""Read-only API of epidemiology figures and studies."""

from drf_spectacular.utils import OpenApiExample, extend_schema, extend_schema_view

from epidemiology.api.serializers import (
    FigureSerializer,
    StudyDetailSerializer,
    StudySerializer,
)
from epidemiology.filtersets import FigureFilterSet, StudyFilterSet
from epidemiology.models import Figure, Study
from kbframework.api.viewsets import KBReadOnlyViewSet

FIGURE_EXAMPLE = {
    "id": 12,
    "slug": "sle-gb-count-introduction",
    "disease": "systemic-lupus-erythematosus",
    "measure": "prevalence-count",
    "value": None,
    "lower": None,
    "upper": "50000",
    "qualifier": "up-to",
    "unit": "people",
    "display": "up to 50,000 people",
    "population": "general",
    "region": "GB",
    "year": None,
    "preferred": False,
    "citations": [{"source": "imid-bio-uk", "section": "Introduction"}],
}


@extend_schema_view(
    list=extend_schema(
        summary="List epidemiology figures",
        description=(
            "Every figure as its source states it. Figures that disagree (the "
            "same disease, measure, population and region from different "
            "statements) are all listed; `preferred` marks an editor's choice."
        ),
        examples=[
            OpenApiExample(
                "An upper bound, not a point value",
                value={
                    "count": 1,
                    "next": None,
                    "previous": None,
                    "results": [FIGURE_EXAMPLE],
                },
                response_only=True,
            )
        ],
    ),
    retrieve=extend_schema(summary="One figure, by id"),
)
class FigureViewSet(KBReadOnlyViewSet):
    queryset = Figure.objects.all()
    serializer_class = FigureSerializer
    filterset_class = FigureFilterSet
    ordering_fields = ["id", "value", "year", "measure", "region", "updated"]
    lookup_field = "pk"
    lookup_value_regex = "[0-9]+"


@extend_schema_view(
    list=extend_schema(summary="List studies that report several figures"),
    retrieve=extend_schema(summary="One study with its figures"),
)
class StudyViewSet(KBReadOnlyViewSet):
    queryset = Study.objects.all()
    serializer_class = StudySerializer
    detail_serializer_class = StudyDetailSerializer
    filterset_class = StudyFilterSet
    ordering_fields = ["name", "year", "slug"]
