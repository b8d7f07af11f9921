"""The exports (imidkb.exports): validated on the curated knowledge base,
live on the API and frozen in every release."""

import hashlib
import io
import json
import zipfile

import pytest

from diseases.models import Disease
from imidkb import exports
from imidkb.releases import cut_release
from kbframework.models import DataVersion, Release
from tests.exports.checks import check_all

pytestmark = pytest.mark.django_db


@pytest.fixture
def live(kb):
    snapshot = exports.live_snapshot()
    return snapshot, exports.build(snapshot)


def test_every_export_file_validates_on_the_curated_knowledge_base(live):
    snapshot, files = live
    checked = check_all(files, snapshot)
    assert {exports.PACKAGE, "imidkb.sqlite"} <= set(checked)
    assert set(checked) == {f.name for f in exports.files()} | {exports.PACKAGE}


def test_the_live_exports_are_on_the_api(kb, client):
    response = client.get("/api/v1/exports/")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    package = response.json()
    assert package["version"] == "live"
    for resource in package["resources"]:
        # Paths are relative to the package's URL.
        file = client.get(f"/api/v1/exports/{resource['path']}/")
        assert file.status_code == 200, resource["path"]
        assert file["Content-Type"] == resource["mediatype"]
        digest = hashlib.sha256(file.content).hexdigest()
        assert resource["hash"] == f"sha256:{digest}"
        assert file["X-Checksum-SHA256"] == digest
        assert "attachment" in file["Content-Disposition"]
    bundle = client.get("/api/v1/exports/imidkb-exports.zip/")
    with zipfile.ZipFile(io.BytesIO(bundle.content)) as archive:
        assert set(archive.namelist()) == {
            exports.PACKAGE,
            *(r["path"] for r in package["resources"]),
        }


def test_an_unknown_export_file_is_a_json_404_naming_the_files(kb, client):
    response = client.get("/api/v1/exports/nothing.tsv/")
    assert response.status_code == 404
    assert "imidkb.sqlite" in response.json()["detail"]


def test_the_live_exports_follow_a_curated_change(kb, client):
    """Written once per data version: a published change is in the next
    request's files."""
    first = client.get("/api/v1/exports/imidkb.sqlite/").content
    assert client.get("/api/v1/exports/imidkb.sqlite/").content == first
    Disease.objects.filter(slug="psoriasis").update(summary="Changed for the test.")
    DataVersion.bump()
    assert client.get("/api/v1/exports/imidkb.sqlite/").content != first


def test_a_release_freezes_its_exports(kb, client):
    release = cut_release()
    detail = client.get(f"/api/v1/releases/{release.number}/").json()
    url = detail["downloads"]["exports"]
    package = client.get(url).json()
    assert package["version"] == str(release.number)
    assert package["name"] == f"imid-kb-release-{release.number}"
    with zipfile.ZipFile(io.BytesIO(bytes(release.exports_zip))) as archive:
        frozen = {name: archive.read(name) for name in archive.namelist()}
    assert json.loads(frozen[exports.PACKAGE]) == package
    check_all(frozen, exports.release_snapshot(release))

    Disease.objects.filter(slug="psoriasis").update(summary="Changed for the test.")
    DataVersion.bump()
    cut_release()
    again = client.get(f"/api/v1/releases/{release.number}/exports/imidkb.sqlite/")
    assert again.content == frozen["imidkb.sqlite"]
    assert b"Changed for the test." not in again.content


def test_a_release_cut_before_the_exports_gets_them_from_its_frozen_json(kb, client):
    release = cut_release()
    Release.objects.filter(pk=release.pk).update(exports_zip=b"", exports_zip_sha256="")
    response = client.get(f"/api/v1/releases/{release.number}/exports/")
    assert response.status_code == 200
    kept = Release.objects.get(pk=release.pk)
    assert kept.exports_zip
    assert kept.exports_zip_sha256 == hashlib.sha256(kept.exports_zip).hexdigest()
    assert response.json()["version"] == str(release.number)


def test_the_package_check_fails_on_a_file_that_is_not_what_it_lists(live):
    """The validators can fail: a file changed after the package was written."""
    snapshot, files = live
    tampered = {**files, "imidkb.datasette.json": files["imidkb.datasette.json"] + b" "}
    with pytest.raises(AssertionError):
        check_all(tampered, snapshot)
