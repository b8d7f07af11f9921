"""The exports (imidkb.exports) on the API: the live data package and each
release's frozen one."""

import threading

from django.http import HttpResponse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import (
    OpenApiParameter,
    OpenApiResponse,
    extend_schema,
    extend_schema_view,
)
from rest_framework import exceptions, viewsets
from rest_framework.decorators import action

from imidkb import exports
from kbframework.api.downloads import add_link, licence_link
from kbframework.api.viewsets import KBViewSetMixin
from kbframework.models import Release

FILE_NAME = "[A-Za-z0-9][A-Za-z0-9._-]*"
ZIP_NAME = "imidkb-exports.zip"

# The live files of the newest data version this process has written
# (writing them reads the whole knowledge base).
_live_lock = threading.Lock()
_live: dict = {}


def live_files(data_version) -> dict[str, bytes]:
    with _live_lock:
        # The number and the moment: a rolled-back write (a test) may reuse
        # a number, never both.
        version = (data_version.number, data_version.changed)
        if _live.get("version") != version:
            _live.clear()
            _live.update(
                version=version,
                files=exports.build(exports.live_snapshot()),
            )
        return _live["files"]


def release_files(release: Release) -> dict[str, bytes]:
    """A release's frozen files; written from its frozen JSON and kept, for a
    release cut before the exports existed."""
    if not release.exports_zip:
        data = exports.package_zip(
            exports.build(exports.release_snapshot(release)), release.cut_at
        )
        release.exports_zip = data
        release.exports_zip_sha256 = exports.sha256(data)
        Release.objects.filter(pk=release.pk, exports_zip=b"").update(
            exports_zip=data, exports_zip_sha256=release.exports_zip_sha256
        )
    return exports.read_zip(release.exports_zip)


def file_response(name: str, data: bytes, label: str) -> HttpResponse:
    if name == exports.PACKAGE:
        media_type = "application/json"
    elif name == ZIP_NAME:
        media_type = "application/zip"
    else:
        media_type = exports.get(name).media_type
    response = HttpResponse(bytes(data), content_type=media_type)
    stem = "imidkb" if label == "live" else f"imidkb-release-{label}"
    disposition = "inline" if name == exports.PACKAGE else "attachment"
    response["Content-Disposition"] = f'{disposition}; filename="{stem}-{name}"'
    response["X-Checksum-SHA256"] = exports.sha256(bytes(data))
    add_link(response, licence_link())
    return response


def served(files: dict[str, bytes], name: str, label: str, when) -> HttpResponse:
    if name == ZIP_NAME:
        return file_response(name, exports.package_zip(files, when), label)
    if name not in files:
        raise exceptions.NotFound(
            f"No export file {name!r}. The files are listed in {exports.PACKAGE}: "
            + ", ".join(sorted(files))
            + f", and all of them in {ZIP_NAME}."
        )
    return file_response(name, files[name], label)


FILE = OpenApiParameter(
    "name",
    str,
    OpenApiParameter.PATH,
    pattern=f"^{FILE_NAME}$",
    description=f"A file the data package lists ({exports.PACKAGE} itself, or "
    f"{ZIP_NAME} for all of them in one zip).",
)
CHECKSUM = OpenApiParameter(
    "X-Checksum-SHA256",
    str,
    OpenApiParameter.HEADER,
    description="The file's SHA-256 (the data package lists each file's).",
    response=[200],
    required=True,
)
PACKAGE_RESPONSE = OpenApiResponse(
    OpenApiTypes.OBJECT,
    "The Frictionless data package (datapackage.json) describing every file: "
    "its path (relative to this URL), media type, size, SHA-256 hash and, for "
    "tables, its schema; with the licence and the release.",
)
FILE_RESPONSE = OpenApiResponse(OpenApiTypes.BINARY, "The file.")


@extend_schema_view(
    list=extend_schema(
        operation_id="v1_exports_package",
        summary="The live exports' data package",
        responses={(200, "application/json"): PACKAGE_RESPONSE},
    ),
    retrieve=extend_schema(
        operation_id="v1_exports_file",
        summary="One live export file (SSSOM, KGX, HPOA, SQLite...)",
        parameters=[FILE, CHECKSUM],
        responses={(200, "*/*"): FILE_RESPONSE},
    ),
)
class ExportViewSet(KBViewSetMixin, viewsets.ViewSet):
    """The published knowledge base in the field's formats, now: mappings as
    SSSOM, the knowledge graph as Biolink KGX, disease-phenotype annotations
    in the HPO annotation format and the whole as a SQLite database, described
    by one Frictionless data package. Each release freezes its own
    (/api/v1/releases/{number}/exports/)."""

    lookup_field = "name"
    lookup_value_regex = FILE_NAME
    pagination_class = None
    fields_actions = ()

    def list(self, request):
        files = live_files(self.data_version)
        return file_response(exports.PACKAGE, files[exports.PACKAGE], "live")

    def retrieve(self, request, name=None):
        files = live_files(self.data_version)
        return served(files, name, "live", self.data_version.changed)


class ReleaseExportsMixin:
    """The release's frozen exports, as actions of the release resource."""

    @extend_schema(
        operation_id="v1_releases_exports_package",
        summary="A release's exports: its data package",
        responses={(200, "application/json"): PACKAGE_RESPONSE},
    )
    @action(detail=True, url_path="exports", url_name="exports")
    def exports(self, request, number=None):
        release = self.get_exports_release()
        return served(release_files(release), exports.PACKAGE, str(number), None)

    @extend_schema(
        operation_id="v1_releases_exports_file",
        summary="One file of a release's exports",
        parameters=[FILE, CHECKSUM],
        responses={(200, "*/*"): FILE_RESPONSE},
    )
    @action(
        detail=True,
        url_path=f"exports/(?P<name>{FILE_NAME})",
        url_name="export-file",
    )
    def export_file(self, request, number=None, name=None):
        release = self.get_exports_release()
        return served(release_files(release), name, str(number), release.cut_at)

    def get_exports_release(self) -> Release:
        return Release.objects.only(
            "number", "cut_at", "json_data", "exports_zip", "exports_zip_sha256"
        ).get(pk=self.get_object().pk)
