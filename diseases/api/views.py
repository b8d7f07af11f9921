"""Read-only API of diseases, symptoms, mechanisms and body systems."""

from drf_spectacular.utils import OpenApiExample, extend_schema, extend_schema_view

from diseases.api.serializers import (
    BodySystemDetailSerializer,
    BodySystemSerializer,
    DiseaseDetailSerializer,
    DiseaseSerializer,
    MechanismDetailSerializer,
    MechanismSerializer,
    SymptomDetailSerializer,
    SymptomSerializer,
)
from diseases.filtersets import DiseaseFilterSet, MechanismFilterSet, SymptomFilterSet
from diseases.models import BodySystem, Disease, Mechanism, Symptom
from kbframework.api.viewsets import KBReadOnlyViewSet


@extend_schema_view(
    list=extend_schema(
        summary="List diseases, groups and conditions",
        description=(
            "Filters combine with AND; repeating a filter matches any of its values. "
            "Facts stated for a group (e.g. the IMID group's fatigue) stay on the "
            "group: filtering by symptom matches only diseases it is stated for."
        ),
        examples=[
            OpenApiExample(
                "Lupus, by a typo-tolerant search",
                description="GET /api/v1/diseases/?search=lupsu",
                value={
                    "count": 1,
                    "next": None,
                    "previous": None,
                    "results": [
                        {
                            "slug": "systemic-lupus-erythematosus",
                            "name": "Systemic lupus erythematosus",
                            "kind": "disease",
                            "abbreviations": ["SLE"],
                        }
                    ],
                },
                response_only=True,
            )
        ],
    ),
    retrieve=extend_schema(
        summary="One disease with everything linked to it",
        description=(
            "Names, groups and members, body systems, identifiers, symptoms, "
            "mechanisms, relations, related diseases ranked by what they share, "
            "treatments, figures, citations; and, in stated_for_groups, what the "
            "sources state for each group above it at every level, labelled by "
            "group and the path up to it (never mixed into its own fields)."
        ),
    ),
)
class DiseaseViewSet(KBReadOnlyViewSet):
    queryset = Disease.objects.all()
    serializer_class = DiseaseSerializer
    detail_serializer_class = DiseaseDetailSerializer
    filterset_class = DiseaseFilterSet
    ordering_fields = ["name", "slug", "kind", "updated"]

    def get_queryset(self):
        if self.action == "retrieve":
            # Its stated links are read with its groups' (get_object).
            return Disease.objects.for_detail(self.request.user, stated=False)
        return super().get_queryset()

    def get_object(self):
        """The disease, with what the sources state for it and for every
        group above it, read together: one query per kind of link."""
        disease = super().get_object()
        if self.reads_beyond_queryset():
            user = self.request.user
            Disease.objects.with_groups_above([disease], user, stated=True)
        return disease


@extend_schema_view(
    list=extend_schema(summary="List symptoms and manifestations"),
    retrieve=extend_schema(summary="One symptom and every disease it is stated for"),
)
class SymptomViewSet(KBReadOnlyViewSet):
    queryset = Symptom.objects.all()
    serializer_class = SymptomSerializer
    detail_serializer_class = SymptomDetailSerializer
    filterset_class = SymptomFilterSet
    ordering_fields = ["name", "slug", "hpo_id", "updated"]


@extend_schema_view(
    list=extend_schema(summary="List mechanisms, causes and risk factors"),
    retrieve=extend_schema(summary="One mechanism and the diseases it bears on"),
)
class MechanismViewSet(KBReadOnlyViewSet):
    queryset = Mechanism.objects.all()
    serializer_class = MechanismSerializer
    detail_serializer_class = MechanismDetailSerializer
    filterset_class = MechanismFilterSet
    ordering_fields = ["name", "slug", "kind", "updated"]


@extend_schema_view(
    list=extend_schema(summary="List body systems"),
    retrieve=extend_schema(summary="One body system and the diseases affecting it"),
)
class BodySystemViewSet(KBReadOnlyViewSet):
    queryset = BodySystem.objects.all()
    serializer_class = BodySystemSerializer
    detail_serializer_class = BodySystemDetailSerializer
    ordering_fields = ["name", "slug"]
