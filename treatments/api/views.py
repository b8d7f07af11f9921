"""Read-only API of drug classes and drugs."""

from drf_spectacular.utils import extend_schema, extend_schema_view

from kbframework.api.viewsets import KBReadOnlyViewSet
from treatments.api.serializers import (
    DrugClassDetailSerializer,
    DrugClassSerializer,
    DrugDetailSerializer,
    DrugSerializer,
)
from treatments.filtersets import DrugClassFilterSet, DrugFilterSet
from treatments.models import Drug, DrugClass


@extend_schema_view(
    list=extend_schema(summary="List drug classes and therapies"),
    retrieve=extend_schema(
        summary="One drug class: mechanism, drugs, indications, adverse effects"
    ),
)
class DrugClassViewSet(KBReadOnlyViewSet):
    queryset = DrugClass.objects.all()
    serializer_class = DrugClassSerializer
    detail_serializer_class = DrugClassDetailSerializer
    filterset_class = DrugClassFilterSet
    ordering_fields = ["name", "slug", "updated"]


@extend_schema_view(
    list=extend_schema(summary="List drugs"),
    retrieve=extend_schema(summary="One drug with its identifiers and indications"),
)
class DrugViewSet(KBReadOnlyViewSet):
    queryset = Drug.objects.all()
    serializer_class = DrugSerializer
    detail_serializer_class = DrugDetailSerializer
    filterset_class = DrugFilterSet
    ordering_fields = ["name", "slug", "updated"]
