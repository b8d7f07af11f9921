"""API representations of sources, body systems and data releases."""

from rest_framework import serializers
from rest_framework.reverse import reverse

from diseases.api.serializers import DiseaseLinkSerializer
from imidkb.apikit import SlugLinkField
from imidkb.models import Release, Source


class SourceSerializer(serializers.ModelSerializer):
    url = SlugLinkField("source-detail")

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


class SourceDetailSerializer(SourceSerializer):
    citations = serializers.SerializerMethodField()

    class Meta(SourceSerializer.Meta):
        fields = [*SourceSerializer.Meta.fields, "citations"]

    def get_citations(self, obj) -> list[dict]:
        """The sections of this source that records cite, with their ids."""
        return [
            {"id": citation.id, "section": citation.section}
            for citation in obj.citations.all()
        ]


class BodySystemSerializer(serializers.Serializer):
    url = SlugLinkField("bodysystem-detail")
    slug = serializers.CharField()
    name = serializers.CharField()


class BodySystemDetailSerializer(BodySystemSerializer):
    diseases = DiseaseLinkSerializer(source="disease_links", many=True, read_only=True)


class ReleaseSerializer(serializers.ModelSerializer):
    url = serializers.SerializerMethodField()
    downloads = serializers.SerializerMethodField()
    changes = serializers.SerializerMethodField()

    class Meta:
        model = Release
        fields = [
            "url",
            "number",
            "cut_at",
            "note",
            "data_version",
            "counts",
            "json_sha256",
            "csv_zip_sha256",
            "downloads",
            "changes",
        ]

    def _reverse(self, name: str, obj) -> str:
        request = self.context.get("request")
        return reverse(name, kwargs={"number": obj.number}, request=request)

    def get_url(self, obj) -> str:
        return self._reverse("release-detail", obj)

    def get_downloads(self, obj) -> dict[str, str]:
        return {
            "json": self._reverse("release-download-json", obj),
            "csv_zip": self._reverse("release-download-zip", obj),
        }

    def get_changes(self, obj) -> dict[str, int]:
        """How many records were added, changed and retired since the previous."""
        return {
            kind: sum(len(keys) for keys in obj.changelog.get(kind, {}).values())
            for kind in ("added", "changed", "retired")
        }


class ReleaseDetailSerializer(ReleaseSerializer):
    changelog = serializers.JSONField(
        help_text="Per resource, the keys (slug or id) of records added, changed "
        "and retired since the previous release."
    )

    class Meta(ReleaseSerializer.Meta):
        fields = [*ReleaseSerializer.Meta.fields, "changelog"]
