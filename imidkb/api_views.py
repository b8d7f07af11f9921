"""API views of sources, body systems and data releases."""

from django.http import HttpResponse
from django_filters.rest_framework import FilterSet
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import (
    OpenApiParameter,
    OpenApiResponse,
    extend_schema,
    extend_schema_view,
)
from rest_framework import viewsets
from rest_framework.decorators import action

from diseases.models import BodySystem
from imidkb.apikit import KBReadOnlyViewSet, KBViewSetMixin
from imidkb.filters import choice_filter, search_filter
from imidkb.models import Release, Source
from imidkb.serializers import (
    BodySystemDetailSerializer,
    BodySystemSerializer,
    ReleaseDetailSerializer,
    ReleaseSerializer,
    SourceDetailSerializer,
    SourceSerializer,
)


class SourceFilterSet(FilterSet):
    kind = choice_filter(Source.Kind.choices, "kind", "Kind of source.")
    search = search_filter("Words of the title, publisher or description.")

    class Meta:
        model = Source
        fields = []

    def filter_search(self, queryset, name, value):
        return queryset.search(value)


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


@extend_schema_view(
    list=extend_schema(summary="List body systems"),
    retrieve=extend_schema(summary="One body system and the diseases affecting it"),
)
class BodySystemViewSet(KBReadOnlyViewSet):
    queryset = BodySystem.objects.all()
    serializer_class = BodySystemSerializer
    detail_serializer_class = BodySystemDetailSerializer
    ordering_fields = ["name", "slug"]


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
    return response


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
class ReleaseViewSet(KBViewSetMixin, viewsets.ReadOnlyModelViewSet):
    """Numbered, dated snapshots of the published knowledge base. Pin one in a
    script by downloading it and checking its SHA-256."""

    queryset = Release.objects.defer("json_data", "csv_zip", "manifest")
    serializer_class = ReleaseSerializer
    lookup_field = "number"
    lookup_value_regex = "[0-9]+"

    def get_serializer_class(self):
        if self.action == "retrieve":
            return ReleaseDetailSerializer
        return ReleaseSerializer

    @extend_schema(
        summary="Download a release as one JSON file",
        responses={200: OpenApiResponse(OpenApiTypes.BINARY, "The release JSON.")},
    )
    @action(detail=True, url_path="download.json", url_name="download-json")
    def download_json(self, request, number=None):
        release = Release.objects.only("number", "json_data", "json_sha256").get(
            pk=self.get_object().pk
        )
        return download(release, release.json_data, release.json_sha256, "json")

    @extend_schema(
        summary="Download a release as CSV files in a zip",
        responses={200: OpenApiResponse(OpenApiTypes.BINARY, "The release zip.")},
    )
    @action(detail=True, url_path="download.zip", url_name="download-zip")
    def download_zip(self, request, number=None):
        release = Release.objects.only("number", "csv_zip", "csv_zip_sha256").get(
            pk=self.get_object().pk
        )
        return download(release, release.csv_zip, release.csv_zip_sha256, "zip")
