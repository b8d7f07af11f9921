"""Data releases: cut, listed, downloaded, verified, diffed."""

import hashlib
import io
import json
import zipfile
from io import StringIO

import pytest
from django.core.management import call_command

from diseases.models import Disease
from kbframework.models import Release

pytestmark = pytest.mark.django_db


def cut(note: str = "") -> Release:
    call_command("cutrelease", note=note, stdout=StringIO())
    return Release.objects.order_by("-number").first()


def test_a_release_is_listed_downloaded_and_verified(kb, client):
    release = cut("First public release")
    listing = client.get("/api/v1/releases/").json()
    (entry,) = listing["results"]
    assert entry["number"] == 1
    assert entry["note"] == "First public release"
    assert entry["counts"]["diseases"] == Disease.objects.count()

    response = client.get(entry["downloads"]["json"])
    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    assert "attachment" in response["Content-Disposition"]
    body = response.content
    assert hashlib.sha256(body).hexdigest() == entry["json_sha256"]
    assert response["X-Checksum-SHA256"] == entry["json_sha256"]
    data = json.loads(body)
    assert data["release"]["number"] == release.number
    lupus = next(
        d
        for d in data["resources"]["diseases"]
        if d["slug"] == "systemic-lupus-erythematosus"
    )
    assert {f["display"] for f in lupus["figures"]} == {
        "up to 50,000 people",
        "approximately 16,000 people",
    }

    archive = client.get(entry["downloads"]["csv_zip"]).content
    assert hashlib.sha256(archive).hexdigest() == entry["csv_zip_sha256"]
    with zipfile.ZipFile(io.BytesIO(archive)) as files:
        assert "figures.csv" in files.namelist()
        figures = files.read("figures.csv").decode()
    assert figures.splitlines()[0].endswith(",release")
    assert figures.splitlines()[1].endswith(",1")


def test_the_changelog_lists_an_edit_made_between_two_releases(kb, client):
    cut()
    psoriasis = Disease.objects.get(slug="psoriasis")
    psoriasis.summary = "A rewritten summary."
    psoriasis.save()
    Disease.objects.filter(slug="lymphoma").update(status="draft")
    from tests.factories import DiseaseFactory

    DiseaseFactory(slug="new-disease", name="New disease")
    second = cut()
    # Sjögren's syndrome changed too: its link to lymphoma is no longer public.
    changed = ["psoriasis", "sjogrens-syndrome"]
    assert second.changelog["changed"]["diseases"] == changed
    assert second.changelog["retired"]["diseases"] == ["lymphoma"]
    assert second.changelog["added"]["diseases"] == ["new-disease"]
    detail = client.get("/api/v1/releases/2/").json()
    assert detail["changelog"]["changed"]["diseases"] == changed
    assert detail["changes"]["changed"] >= 2


def test_the_release_header_names_the_release_the_data_reflects(kb, client):
    assert client.get("/api/v1/diseases/")["X-KB-Release"] == "none"
    cut()
    assert client.get("/api/v1/diseases/")["X-KB-Release"] == "1"
    assert client.get("/api/v1/releases/")["X-KB-Release"] == "1"
    disease = Disease.objects.get(slug="asthma")
    disease.summary = "Edited after the release."
    disease.save()
    assert client.get("/api/v1/diseases/")["X-KB-Release"] == "1+"
    rows = client.get("/api/v1/diseases/?format=csv").content.decode().splitlines()
    assert rows[1].endswith(",1+")


def test_an_unchanged_release_has_an_empty_changelog(kb):
    cut()
    second = cut()
    assert second.changelog == {"added": {}, "changed": {}, "retired": {}}


def test_unknown_release_is_404(client, db):
    assert client.get("/api/v1/releases/7/").status_code == 404
    assert client.get("/api/v1/releases/7/download.json/").status_code == 404


def test_latest_is_a_json_404_before_the_first_release(kb, client):
    for path in ("/api/v1/releases/latest/", "/api/v1/releases/latest/diseases/"):
        response = client.get(path)
        assert response.status_code == 404, path
        assert response.json()["detail"] == "No release has been cut yet."
