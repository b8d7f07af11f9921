"""The API of data releases: numbered, dated, checksummed snapshots, each
readable by its number (its frozen records, imidkb.pinned), the newest as
`latest`, and the differences between any two."""

import hashlib
from dataclasses import dataclass
from datetime import datetime
from functools import lru_cache

from django.http import HttpResponse
from django.utils.encoding import escape_uri_path
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import (
    OpenApiParameter,
    OpenApiResponse,
    extend_schema,
    extend_schema_view,
)
from rest_framework import exceptions, serializers, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response
from rest_framework.reverse import reverse

from imidkb.export_views import ReleaseExportsMixin
from imidkb.pinned import (
    URL_SEPARATOR,
    frozen_release,
    release_diff,
)
from imidkb.releases import how_to_cite, latest_release
from kbframework.api.downloads import add_link, licence_link
from kbframework.api.fields import utc_timestamp
from kbframework.api.schema import HEADERS, KBAutoSchema
from kbframework.api.viewsets import KBViewSetMixin, moved_temporarily
from kbframework.models import Release
from kbframework.numbers import whole_number


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
    resources = serializers.SerializerMethodField()

    class Meta(ReleaseSerializer.Meta):
        fields = [*ReleaseSerializer.Meta.fields, "changelog", "resources"]

    def get_resources(self, obj) -> dict[str, str]:
        """Each resource the release holds, and the URL of its frozen records
        (paginated; a record at <url><key>/)."""
        request = self.context.get("request")
        return {
            prefix: reverse(
                "release-pinned-list",
                kwargs={"number": obj.number, "resource": prefix},
                request=request,
            )
            for prefix in obj.counts
        }


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
RESOURCE = OpenApiParameter(
    "resource",
    str,
    OpenApiParameter.PATH,
    description="A resource the release holds (its `resources` lists them): "
    "diseases, disease-symptoms...",
)
KEY = OpenApiParameter(
    "key",
    str,
    OpenApiParameter.PATH,
    description="A record's key: its slug; a link row's natural key with its "
    f"parts joined by {URL_SEPARATOR} (psoriasis{URL_SEPARATOR}fatigue, "
    f"biologics{URL_SEPARATOR}{URL_SEPARATOR}imid for an empty optional end), "
    "where the changelog and the diff join them by /.",
)
OTHER = OpenApiParameter(
    "other",
    int,
    OpenApiParameter.PATH,
    description="The release to compare with: the diff goes from `number` to "
    "this one (added: in this one only).",
)
REST = OpenApiParameter(
    "rest",
    str,
    OpenApiParameter.PATH,
    description="The rest of the path after latest (/diseases/psoriasis, "
    "/download.json, /diff/1), kept in the redirect.",
)
LOCATION = OpenApiParameter(
    "Location",
    str,
    OpenApiParameter.HEADER,
    description="The numbered address, with the query string sent.",
    response=[307],
    required=True,
)

# The actions that answer what one release froze (or two, a diff): their
# answers never change, and say which release they reflect.
PINNED_ACTIONS = (
    "pinned_list",
    "pinned_detail",
    "diff",
    "download_json",
    "download_zip",
)
# A year, and never revalidated: a release is immutable.
LONG_LIVED = "public, max-age=31536000, immutable"
# Part of each pinned answer's ETag: raised when their shape changes, so
# that a cache holding an answer in the old shape does not get a 304.
PINNED_SHAPE = "1"
# What a pinned answer needs of its release (json_data is read once per
# process, imidkb.pinned).
RELEASE_ROW = ("number", "cut_at", "data_version", "json_sha256", "csv_zip_sha256")


@dataclass(frozen=True)
class ReleaseVersion:
    """The data version a pinned answer reflects: its release's (in the
    terms of DataVersion, which the headers read)."""

    number: int
    changed: datetime
    release_label: str


class FrozenRecordSerializer(serializers.Serializer):
    """A record as the release froze it: the fields the resource's detail
    (a link kind's row) had when the release was cut."""


class FieldChangeSerializer(serializers.Serializer):
    old = serializers.JSONField(
        required=False,
        help_text="The value in the release diffed from (left out if the "
        "field did not exist there).",
    )
    new = serializers.JSONField(
        required=False,
        help_text="The value in the release diffed to (left out if the field "
        "does not exist there).",
    )


class ChangedRecordSerializer(serializers.Serializer):
    key = serializers.CharField(help_text="The record's key, parts joined by /.")
    fields = serializers.DictField(
        child=FieldChangeSerializer(),
        allow_null=True,
        help_text="Each top-level field that differs, with its old and new "
        "value (a nested list or object is one field, given whole).",
    )


class ResourceDiffSerializer(serializers.Serializer):
    added = serializers.ListField(
        child=serializers.CharField(),
        help_text="Keys of records in the release diffed to only.",
    )
    retired = serializers.ListField(
        child=serializers.CharField(),
        help_text="Keys of records in the release diffed from only.",
    )
    changed = ChangedRecordSerializer(
        many=True, help_text="Records in both whose content differs."
    )


class DiffEndSerializer(serializers.Serializer):
    number = serializers.IntegerField()
    cut_at = serializers.DateTimeField()
    url = serializers.URLField()


ReleaseDiffSerializer = type(
    "ReleaseDiffSerializer",
    (serializers.Serializer,),
    {
        "__doc__": "What changed from one release to another, per resource "
        "(only the resources with a difference; none when the two are one).",
        "__module__": __name__,
        "from": DiffEndSerializer(help_text="The release diffed from."),
        "to": DiffEndSerializer(help_text="The release diffed to."),
        "changes": serializers.DictField(
            child=serializers.IntegerField(),
            help_text="How many records were added, changed and retired.",
        ),
        "resources": serializers.DictField(
            child=ResourceDiffSerializer(),
            help_text="Per resource: added, retired and changed records.",
        ),
    },
)


@lru_cache(maxsize=16)
def diff_of(old: tuple[int, str], new: tuple[int, str]) -> dict:
    """The differences from release `old` to `new` (each its number and
    checksum): read once per process."""
    manifests = dict(
        Release.objects.filter(number__in=[old[0], new[0]]).values_list(
            "number", "manifest"
        )
    )
    if old[0] not in manifests or new[0] not in manifests:
        raise exceptions.NotFound("No such release.")
    return release_diff(
        frozen_release(*old),
        frozen_release(*new),
        manifests[old[0]],
        manifests[new[0]],
    )


class ReleaseAutoSchema(KBAutoSchema):
    """The pinned list documents its pages, not the releases' filters; the
    latest alias its redirect."""

    def get_filter_backends(self):
        if getattr(self.view, "action", None) != "list":
            return []
        return super().get_filter_backends()

    def _get_format_parameters(self):
        if getattr(self.view, "action", None) == "latest":
            return []  # (Passed on, as the whole query string is.)
        return super()._get_format_parameters()

    def _get_response_bodies(self, direction="response"):
        responses = super()._get_response_bodies(direction)
        if getattr(self.view, "action", None) == "latest":
            for code in ("200", "304", "412"):
                responses.pop(code, None)
            responses["404"]["description"] = (
                "No release has been cut yet (or no such address)."
            )
        return responses

    def success_headers(self) -> dict:
        headers = super().success_headers()
        action_name = getattr(self.view, "action", None)
        if action_name == "pinned_list":
            headers |= {name: HEADERS[name] for name in ("X-Total-Count", "Link")}
        if action_name in PINNED_ACTIONS:
            headers["Cache-Control"] = {
                **HEADERS["Cache-Control"],
                "description": f"{LONG_LIVED}: a release never changes.",
            }
            headers["X-KB-Release"] = {
                **HEADERS["X-KB-Release"],
                "description": "The release the answer reads (a diff: the one "
                "diffed to).",
            }
            headers["X-KB-Data-Version"] = {
                **HEADERS["X-KB-Data-Version"],
                "description": "The data version that release was cut at.",
            }
        return headers


@extend_schema_view(
    list=extend_schema(summary="List data releases, newest first"),
    retrieve=extend_schema(
        summary="One data release with its changelog and resources",
        parameters=[RELEASE_NUMBER],
    ),
    download_json=extend_schema(parameters=[RELEASE_NUMBER]),
    download_zip=extend_schema(parameters=[RELEASE_NUMBER]),
)
class ReleaseViewSet(
    ReleaseExportsMixin, KBViewSetMixin, viewsets.ReadOnlyModelViewSet
):
    """Numbered, dated snapshots of the published knowledge base. Pin one in a
    script by its number: read its frozen records at
    /api/v1/releases/<n>/<resource>/, or download it and check its SHA-256;
    /api/v1/releases/latest/... redirects to the newest."""

    queryset = Release.objects.defer("json_data", "csv_zip", "manifest", "exports_zip")
    serializer_class = ReleaseSerializer
    lookup_field = "number"
    lookup_value_regex = "[0-9]+"
    ordering_fields = ["number", "cut_at"]
    ordering = ["-number"]
    schema = ReleaseAutoSchema()
    # The release(s) a pinned action reads (None: not found).
    pinned = None

    def get_serializer_class(self):
        if self.action == "retrieve":
            return ReleaseDetailSerializer
        return ReleaseSerializer

    def initial(self, request, *args, **kwargs):
        if self.action == "pinned_list":
            self.extra_query_params = {*self.extra_query_params, "page", "page_size"}
        super().initial(request, *args, **kwargs)

    def read_data_version(self, request):
        """A pinned answer reflects its release (the newer of a diff's two),
        whatever the live data are now: nothing live is read."""
        if self.action in PINNED_ACTIONS:
            self.pinned = self.pinned_releases()
            if self.pinned is not None:
                release = self.pinned[-1]
                return ReleaseVersion(
                    release.data_version, release.cut_at, str(release.number)
                )
        return super().read_data_version(request)

    def pinned_releases(self) -> list[Release] | None:
        """The release of the path (a diff's two, in its order), in one
        query; None if there is no such release."""
        names = ["number", "other"] if self.action == "diff" else ["number"]
        numbers = [whole_number(self.kwargs.get(name)) for name in names]
        if None in numbers:
            return None
        rows = {
            release.number: release
            for release in Release.objects.only(*RELEASE_ROW).filter(number__in=numbers)
        }
        if any(number not in rows for number in numbers):
            return None
        return [rows[number] for number in numbers]

    def pinned_or_404(self) -> list[Release]:
        if self.pinned is None:
            raise exceptions.NotFound("No such release (/api/v1/releases/ lists them).")
        return self.pinned

    def checks_query_parameters(self) -> bool:
        return self.action != "latest"

    def compute_etag(self, request) -> str | None:
        if self.action == "latest":
            return None  # a redirect
        if self.action not in PINNED_ACTIONS or self.pinned is None:
            return super().compute_etag(request)
        media = getattr(request, "accepted_media_type", "")
        basis = "|".join(
            [
                "pinned",
                PINNED_SHAPE,
                *(
                    f"{r.number}:{r.json_sha256}:{r.csv_zip_sha256}"
                    for r in self.pinned
                ),
                media,
                request.get_full_path(),
            ]
        )
        return '"' + hashlib.sha256(basis.encode()).hexdigest()[:32] + '"'

    def cache_control(self) -> str:
        if self.action in PINNED_ACTIONS and self.pinned is not None:
            return LONG_LIVED
        return super().cache_control()

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

    # The diff is declared before the pinned reads: its path (diff/<other>)
    # would also read as a resource and a key, and routes are tried in the
    # order of their actions' names.
    @extend_schema(
        summary="What changed between two releases",
        description="From release `number` to release `other` (either order; "
        "a release diffed with itself has no differences): per resource, the "
        "keys of the records added and retired, and the records changed, each "
        "with the fields that differ and their old and new values. Keys are "
        "the changelog's (a link row's parts joined by /).",
        parameters=[RELEASE_NUMBER, OTHER],
        responses=ReleaseDiffSerializer,
    )
    @action(detail=True, url_path=r"diff/(?P<other>[0-9]+)", url_name="diff")
    def diff(self, request, number=None, other=None):
        old, new = self.pinned_or_404()
        resources = diff_of(
            (old.number, old.json_sha256), (new.number, new.json_sha256)
        )
        changes = {
            kind: sum(len(resource[kind]) for resource in resources.values())
            for kind in ("added", "changed", "retired")
        }
        return Response(
            {
                "from": self.diff_end(old),
                "to": self.diff_end(new),
                "changes": changes,
                "resources": resources,
            }
        )

    def diff_end(self, release: Release) -> dict:
        url = reverse(
            "release-detail", kwargs={"number": release.number}, request=self.request
        )
        return {
            "number": release.number,
            "cut_at": utc_timestamp(release.cut_at),
            "url": url,
        }

    @extend_schema(
        summary="The newest release: a redirect to its number",
        description="Any release address with `latest` for the number "
        "(/api/v1/releases/latest/, .../latest/diseases/psoriasis/, "
        ".../latest/download.json/, .../latest/diff/1/) answers 307 to the "
        "same address with the newest release's number, the query string "
        "kept; 404 before the first release.",
        parameters=[REST, LOCATION],
        responses={307: OpenApiResponse(description="To the numbered address.")},
    )
    @action(
        detail=False,
        url_path=r"latest(?P<rest>(?:/.+?)?)",
        url_name="latest",
    )
    def latest(self, request, rest=""):
        release = latest_release()
        if release is None:
            raise exceptions.NotFound("No release has been cut yet.")
        path = reverse("release-detail", kwargs={"number": release.number})
        if rest:
            path += escape_uri_path(rest.lstrip("/")) + "/"
        response = moved_temporarily(request, path)
        response["Cache-Control"] = "no-cache"
        return response

    def frozen(self):
        (release,) = self.pinned_or_404()
        return frozen_release(release.number, release.json_sha256)

    def frozen_records(self, resource: str) -> list[dict]:
        frozen = self.frozen()
        records = frozen.resources.get(resource)
        if records is None:
            held = ", ".join(frozen.resources)
            raise exceptions.NotFound(
                f"Release {frozen.number} has no resource {resource!r}; it has: {held}."
            )
        return records

    @extend_schema(
        operation_id="v1_releases_records_list",
        summary="A resource's records as a release froze them",
        description="The records of one resource (a link kind's rows) exactly "
        "as release `number` holds them, in its order, paginated like every "
        "list; the same whatever has been edited since. 404 for a resource the "
        "release does not hold (one added after it was cut).",
        parameters=[RELEASE_NUMBER, RESOURCE],
        responses=FrozenRecordSerializer(many=True),
    )
    @action(
        detail=True,
        url_path=r"(?P<resource>[a-z][a-z0-9-]*)",
        url_name="pinned-list",
    )
    def pinned_list(self, request, number=None, resource=None):
        records = self.frozen_records(resource)
        page = self.paginate_queryset(records)
        return self.get_paginated_response(page)

    @extend_schema(
        operation_id="v1_releases_records_retrieve",
        summary="One record as a release froze it",
        description="A record of one resource by its key, exactly as release "
        "`number` holds it.",
        parameters=[RELEASE_NUMBER, RESOURCE, KEY],
        responses=FrozenRecordSerializer,
    )
    @action(
        detail=True,
        url_path=r"(?P<resource>[a-z][a-z0-9-]*)/(?P<key>[^/]+)",
        url_name="pinned-detail",
    )
    def pinned_detail(self, request, number=None, resource=None, key=None):
        self.frozen_records(resource)  # (404 for a resource it does not hold)
        frozen = self.frozen()
        found = frozen.key_of_url(resource, key)
        if found is None:
            raise exceptions.NotFound(
                f"Release {frozen.number} has no {resource} record {key!r}."
            )
        return Response(frozen.record(resource, found))
