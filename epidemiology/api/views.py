"""Read-only API of epidemiology figures and studies."""

from django.http import Http404
from django.urls import reverse
from drf_spectacular.utils import (
    OpenApiExample,
    OpenApiResponse,
    extend_schema,
    extend_schema_view,
)

from epidemiology.api.serializers import (
    FigureSerializer,
    StudyDetailSerializer,
    StudySerializer,
)
from epidemiology.filtersets import FigureFilterSet, StudyFilterSet
from epidemiology.models import Figure, Study
from kbframework.api.viewsets import KBReadOnlyViewSet, moved_permanently
from kbframework.choices import Status
from kbframework.numbers import whole_number
from kbframework.views import retired_record

FIGURE_EXAMPLE = {
    "id": "sle-gb-count-introduction",
    "url": "https://imidkb.example/api/v1/figures/sle-gb-count-introduction/",
    "slug": "sle-gb-count-introduction",
    "disease": {
        "slug": "systemic-lupus-erythematosus",
        "name": "Systemic lupus erythematosus",
        "url": "https://imidkb.example/api/v1/diseases/systemic-lupus-erythematosus/",
    },
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
    "study": None,
    "preferred": False,
    "preferred_reason": None,
    "citations": [
        {
            "source": {
                "slug": "imid-bio-uk",
                "name": "What are immune-mediated inflammatory diseases?",
                "url": "https://imidkb.example/api/v1/sources/imid-bio-uk/",
            },
            "section": "Introduction",
        }
    ],
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
    retrieve=extend_schema(
        summary="One figure, by its slug",
        description=(
            "A figure is addressed by its permanent slug (its `id`). An old "
            "URL naming a figure by its database id answers 301 to the slug URL."
        ),
        responses={
            200: FigureSerializer,
            301: OpenApiResponse(
                description="A database id: moved permanently to the slug URL "
                "(Location).",
                response=None,
            ),
        },
    ),
)
class FigureViewSet(KBReadOnlyViewSet):
    queryset = Figure.objects.all()
    serializer_class = FigureSerializer
    filterset_class = FigureFilterSet
    ordering_fields = ["slug", "value", "year", "measure", "region", "updated"]
    # Numbers of one unit together: percentages apart from counts of people.
    ordering_prefixes = {"value": ["unit"]}

    def retrieve(self, request, *args, **kwargs):
        """By slug; a database id (the old URLs) answers 301 to the slug URL
        of a figure the reader may see, and 404 otherwise (as for an id that
        never existed: a draft is never revealed)."""
        try:
            return super().retrieve(request, *args, **kwargs)
        except Http404:
            figure = self.figure_by_id(kwargs.get(self.lookup_field, ""))
            if figure is None:
                raise
        url = reverse("figure-detail", kwargs={"slug": figure.slug})
        return moved_permanently(request, url)

    def figure_by_id(self, key: str):
        """The figure this reader may see (or know was retired) under an id."""
        pk = whole_number(key)
        if pk is None:
            return None
        figure = Figure.objects.restrict(self.request.user).filter(pk=pk).first()
        if figure is not None:
            return figure
        retired = Figure.objects.filter(pk=pk, status=Status.RETIRED).first()
        if retired is not None and retired_record(
            Figure, retired.slug, self.request.user
        ):
            return retired  # its slug URL says where it went (301 or 410)
        return None


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
