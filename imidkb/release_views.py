"""The API of data releases: numbered, dated, checksummed snapshots."""

from django.http import HttpResponse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import (
    OpenApiParameter,
    OpenApiResponse,
    extend_schema,
    extend_schema_view,
)
from rest_framework import serializers, viewsets
from rest_framework.decorators import action
from rest_framework.reverse import reverse

from imidkb.export_views import ReleaseExportsMixin
from imidkb.releases import how_to_cite
from kbframework.api.downloads import add_link, licence_link
from kbframework.api.viewsets import KBViewSetMixin
from kbframework.models import Release


class ReleaseSerializer(serializers.ModelSerializer):
    url = serializers.SerializerMethodField()
    downloads = serializers.SerializerMethodField()
    changes = serializers.SerializerMethodField()
    how_to_cite = serializers.SerializerMethodField()

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
            "how_to_cite",
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
            "exports": self._reverse("release-exports", obj),
        }

    def get_how_to_cite(self, obj) -> str:
        """How to cite this release (its number and date, the licence)."""
        return how_to_cite(obj.number, obj.cut_at)

    def get_changes(self, obj) -> dict[str, int]:
        """How many records were added, changed and retired since the previous."""
        return {
            kind: sum(len(keys) for keys in obj.changelog.get(kind, {}).values())
            for kind in ("added", "changed", "retired")
        }


class CurrentReleaseSerializer(ReleaseSerializer):
    """The newest release, as the API root names it."""

    class Meta(ReleaseSerializer.Meta):
        fields = ["number", "cut_at", "url"]


class ReleaseDetailSerializer(ReleaseSerializer):
    changelog = serializers.JSONField(
        help_text="Per resource, the keys of records added, changed and retired "
        "since the previous release: a record's slug; a link row's natural key, "
        "its ends' slugs joined by / (psoriasis/fatigue)."
    )

    class Meta(ReleaseSerializer.Meta):
        fields = [*ReleaseSerializer.Meta.fields, "changelog"]


def download(release: Release, data: bytes, checksum: str, kind: str) -> HttpResponse:
    content_type, extension = {
        "json": ("application/json", "json"),
        "zip": ("application/zip", "zip"),
    }[kind]
    response = HttpResponse(bytes(data), content_type=content_type)
    response["Content-Disposition"] = (
        f'attachment; filename="imidkb-release-{release.number}.{extension}"'
    )
    response["X-Checksum-SHA256"] = checksum
    add_link(response, licence_link())
    return response


CHECKSUM = [
    OpenApiParameter(
        "X-Checksum-SHA256",
        str,
        OpenApiParameter.HEADER,
        description="The file's SHA-256, as the release lists it.",
        response=[200],
        required=True,
    )
]
RELEASE_NUMBER = OpenApiParameter(
    "number", int, OpenApiParameter.PATH, description="The release number."
)


@extend_schema_view(
    list=extend_schema(summary="List data releases, newest first"),
    retrieve=extend_schema(
        summary="One data release with its changelog", parameters=[RELEASE_NUMBER]
    ),
    download_json=extend_schema(parameters=[RELEASE_NUMBER]),
    download_zip=extend_schema(parameters=[RELEASE_NUMBER]),
)
class ReleaseViewSet(
    ReleaseExportsMixin, KBViewSetMixin, viewsets.ReadOnlyModelViewSet
):
    """Numbered, dated snapshots of the published knowledge base. Pin one in a
    script by downloading it and checking its SHA-256."""

    queryset = Release.objects.defer("json_data", "csv_zip", "manifest", "exports_zip")
    serializer_class = ReleaseSerializer
    lookup_field = "number"
    lookup_value_regex = "[0-9]+"
    ordering_fields = ["number", "cut_at"]
    ordering = ["-number"]

    def get_serializer_class(self):
        if self.action == "retrieve":
            return ReleaseDetailSerializer
        return ReleaseSerializer

    @extend_schema(
        summary="Download a release as one JSON file",
        responses={
            (200, "application/json"): OpenApiResponse(
                OpenApiTypes.BINARY, "The release JSON."
            )
        },
        parameters=CHECKSUM,
    )
    @action(detail=True, url_path="download.json", url_name="download-json")
    def download_json(self, request, number=None):
        release = Release.objects.only("number", "json_data", "json_sha256").get(
            pk=self.get_object().pk
        )
        return download(release, release.json_data, release.json_sha256, "json")

    @extend_schema(
        summary="Download a release as CSV files in a zip",
        responses={
            (200, "application/zip"): OpenApiResponse(
                OpenApiTypes.BINARY, "The release zip."
            )
        },
        parameters=CHECKSUM,
    )
    @action(detail=True, url_path="download.zip", url_name="download-zip")
    def download_zip(self, request, number=None):
        release = Release.objects.only("number", "csv_zip", "csv_zip_sha256").get(
            pk=self.get_object().pk
        )
        return download(release, release.csv_zip, release.csv_zip_sha256, "zip")
