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
        summary="One drug class: mechanism, drugs, indications, adverse effects",
        description=(
            "Its own indications, adverse effects and treatment-response notes; "
            "in stated_for_classes, what the sources state for each class above "
            "it, labelled by class and the path up to it."
        ),
    ),
)
class DrugClassViewSet(KBReadOnlyViewSet):
    queryset = DrugClass.objects.all()
    serializer_class = DrugClassSerializer
    detail_serializer_class = DrugClassDetailSerializer
    filterset_class = DrugClassFilterSet
    ordering_fields = ["name", "slug", "updated"]

    def get_object(self):
        """The class, with what is stated for every class above it."""
        drug_class = super().get_object()
        if self.reads_beyond_queryset():
            DrugClass.objects.with_classes_above([drug_class], self.request.user)
        return drug_class


@extend_schema_view(
    list=extend_schema(summary="List drugs"),
    retrieve=extend_schema(
        summary="One drug with its identifiers and indications",
        description=(
            "Its own indications; in stated_for_classes, what the sources state "
            "for its class and each class above it (uses, adverse effects, "
            "treatment-response notes), labelled by class and the path up to it."
        ),
    ),
)
class DrugViewSet(KBReadOnlyViewSet):
    queryset = Drug.objects.all()
    serializer_class = DrugSerializer
    detail_serializer_class = DrugDetailSerializer
    filterset_class = DrugFilterSet
    ordering_fields = ["name", "slug", "updated"]

    def get_object(self):
        """The drug, with what is stated for its class and every class
        above it."""
        drug = super().get_object()
        if self.reads_beyond_queryset():
            DrugClass.objects.with_classes_above(
                [drug.drug_class], self.request.user, stated=True
            )
        return drug
