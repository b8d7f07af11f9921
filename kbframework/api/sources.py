"""The API of sources: the texts and reference sets records cite."""

from drf_spectacular.utils import extend_schema, extend_schema_field, extend_schema_view
from rest_framework import serializers

from kbframework.api.fields import SlugLinkField, StatedTextField
from kbframework.api.viewsets import KBReadOnlyViewSet
from kbframework.filtersets import SourceFilterSet
from kbframework.models import Source


class SourceSerializer(serializers.ModelSerializer):
    url = SlugLinkField("source-detail")
    licence = StatedTextField(
        help_text="The licence the source states (CC BY-SA); null when the "
        "knowledge base records none (not stated)."
    )

    class Meta:
        model = Source
        fields = [
            "url",
            "slug",
            "title",
            "publisher",
            "kind",
            "licence",
            "description",
            "sections",
        ]


class SourceSectionSerializer(serializers.Serializer):
    """A section of this source that records cite, and the citation's note."""

    section = serializers.CharField()
    note = serializers.CharField()


class SourceDetailSerializer(SourceSerializer):
    citations = serializers.SerializerMethodField()
    # What the computed field reads (kbframework.api.selection).
    field_reads = {"citations": ("citations",)}

    class Meta(SourceSerializer.Meta):
        fields = [*SourceSerializer.Meta.fields, "citations"]

    @extend_schema_field(SourceSectionSerializer(many=True))
    def get_citations(self, obj) -> list[dict]:
        """The sections of this source that records cite. A citation's key is
        its source and section (as in every record's `citations`), never a
        database id."""
        return SourceSectionSerializer(obj.citations.all(), many=True).data


@extend_schema_view(
    list=extend_schema(summary="List the sources and reference sets"),
    retrieve=extend_schema(summary="One source with the sections records cite"),
)
class SourceViewSet(KBReadOnlyViewSet):
    queryset = Source.objects.all()
    serializer_class = SourceSerializer
    detail_serializer_class = SourceDetailSerializer
    filterset_class = SourceFilterSet
    ordering_fields = ["title", "slug", "kind"]
