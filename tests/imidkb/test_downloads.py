"""Tables of every list resource: CSV pages with citations, identifiers and
the release; the byte-order mark on request; file names; whole-table
downloads (CSV and JSON Lines, streamed); the data's licence and how to cite."""

import csv
import io
import json
import zipfile
from io import StringIO

import pytest
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext

from diseases.models import Disease
from kbframework.api.downloads import BOM
from kbframework.models import Release, Status
from kbframework.registry import registry
from tests.factories import DiseaseFactory

pytestmark = pytest.mark.django_db

BOM_BYTES = b"\xef\xbb\xbf"
LICENCE_URL = "https://creativecommons.org/licenses/by-sa/4.0/"
# Every list resource, from the registry (the router registers the same).
RESOURCES = {r.api_prefix: r for r in registry.api_resources()}


def csv_rows(content: bytes) -> tuple[list[str], list[dict]]:
    reader = csv.DictReader(io.StringIO(content.decode("utf-8")))
    rows = list(reader)
    return reader.fieldnames, rows


def streamed(response) -> bytes:
    assert response.status_code == 200, response.content
    assert response.streaming
    return b"".join(response.streaming_content)


def all_pages(client, url: str) -> tuple[list[str], list[dict]]:
    """Every page of a CSV list, following the Link header's next."""
    columns, rows = None, []
    while url:
        response = client.get(url)
        assert response.status_code == 200
        page_columns, page_rows = csv_rows(response.content)
        assert columns in (None, page_columns)
        columns, rows = page_columns, rows + page_rows
        links = response.get("Link", "")
        url = next(
            (
                part.split(">")[0].strip(" <")
                for part in links.split(",")
                if 'rel="next"' in part
            ),
            None,
        )
    return columns, rows


def cut() -> Release:
    call_command("cutrelease", note="", stdout=StringIO())
    return Release.objects.order_by("-number").first()


@pytest.mark.parametrize("resource", RESOURCES)
def test_every_csv_list_has_citations_and_the_release(kb, client, resource):
    """Each list's CSV has a citations column (source: section) and the
    release as last column; records that carry citations show them."""
    columns, rows = csv_rows(client.get(f"/api/v1/{resource}/?format=csv").content)
    assert "citations" in columns
    assert columns[-1] == "release"
    assert rows and {row["release"] for row in rows} == {"none"}
    model = RESOURCES[resource].model
    if "citations" in {f.name for f in model._meta.get_fields()}:
        assert any(row["citations"] for row in rows)
    for row in rows:
        for cell in filter(None, row["citations"].split("; ")):
            source, _, section = cell.partition(": ")
            assert source and section


def test_a_disease_rows_citations_are_its_own(kb, client):
    """The citations cell lists exactly the record's citations."""
    _, rows = csv_rows(client.get("/api/v1/diseases/?format=csv&page_size=500").content)
    for disease in Disease.objects.published().prefetch_related("citations__source"):
        row = next(r for r in rows if r["slug"] == disease.slug)
        expected = sorted(
            f"{c.source.slug}: {c.section}" for c in disease.citations.all()
        )
        assert sorted(filter(None, row["citations"].split("; "))) == expected


def test_diseases_csv_carries_identifiers(kb, client):
    """diseases.csv has an identifiers column with every identifier (CURIEs)."""
    content = client.get("/api/v1/diseases/?format=csv&page_size=500").content
    columns, rows = csv_rows(content)
    assert "identifiers" in columns
    row = next(r for r in rows if r["slug"] == "ankylosing-spondylitis")
    identifiers = set(row["identifiers"].split("; "))
    disease = Disease.objects.get(slug="ankylosing-spondylitis")
    assert identifiers == {x.identifier for x in disease.xrefs.all()}
    assert {"DOID:7147", "ICD10:M45"} <= identifiers


def test_json_lists_keep_their_shape(kb, client):
    """Only the tables gain columns: a JSON list row is as documented (its
    identifiers included, as every list of records that have them)."""
    row = client.get("/api/v1/diseases/").json()["results"][0]
    assert "citations" not in row and "identifiers" in row


@pytest.mark.parametrize(
    "url", ["/api/v1/diseases/?format=csv", "/api/v1/diseases/download.csv/"]
)
def test_byte_order_mark_only_when_asked(kb, client, url):
    """bom=true puts one UTF-8 byte-order mark first; without it (or with
    bom=false) the file starts with its header; anything else is a 400."""

    def body(query: str) -> bytes:
        response = client.get(url + ("&" if "?" in url else "?") + query)
        return streamed(response) if response.streaming else response.content

    plain, marked, off = body(""), body("bom=true"), body("bom=false")
    assert not plain.startswith(BOM_BYTES)
    assert off == plain
    assert marked.startswith(BOM_BYTES)
    assert marked[3:] == plain and not marked[3:].startswith(BOM_BYTES)
    assert "Beh\u00e7et's disease" in marked.decode("utf-8-sig")
    bad = client.get(url + ("&" if "?" in url else "?") + "bom=1")
    assert bad.status_code == 400
    assert "bom" in bad.json()["errors"]


def test_json_lines_take_no_byte_order_mark(kb, client):
    response = client.get("/api/v1/diseases/download.jsonl/?bom=true")
    assert response.status_code == 400


def test_file_names_carry_resource_and_release(kb, client):
    """Content-Disposition names the resource and the release, and the page
    past the first; the release header says the same release."""
    response = client.get("/api/v1/figures/?format=csv")
    assert response["Content-Disposition"] == (
        'attachment; filename="imidkb-figures-none.csv"'
    )
    cut()
    response = client.get("/api/v1/figures/?format=csv")
    assert response["X-KB-Release"] == "1"
    assert 'filename="imidkb-figures-1.csv"' in response["Content-Disposition"]
    page = client.get("/api/v1/figures/?format=csv&page_size=2&page=2")
    assert 'filename="imidkb-figures-1-page-2.csv"' in page["Content-Disposition"]
    for extension in ("csv", "jsonl"):
        response = client.get(f"/api/v1/diseases/download.{extension}/")
        assert response["X-KB-Release"] == "1"
        assert response["Content-Disposition"] == (
            f'attachment; filename="imidkb-diseases-1.{extension}"'
        )
    assert "Content-Disposition" not in client.get("/api/v1/figures/")


@pytest.mark.parametrize("resource", RESOURCES)
def test_the_csv_download_is_every_page_in_one(kb, client, resource):
    """The streamed CSV has the list's header and the rows of all its pages,
    in order, once."""
    page_columns, page_rows = all_pages(
        client, f"/api/v1/{resource}/?format=csv&page_size=7"
    )
    response = client.get(f"/api/v1/{resource}/download.csv/")
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    columns, rows = csv_rows(streamed(response))
    assert columns == page_columns
    assert rows == page_rows
    assert "X-Total-Count" not in response and "next" not in response.get("Link", "")


def test_downloads_take_the_lists_filters_and_ordering(kb, client):
    query = "disease=systemic-lupus-erythematosus&region=GB&ordering=-slug"
    _, page_rows = all_pages(client, f"/api/v1/figures/?format=csv&{query}")
    _, rows = csv_rows(streamed(client.get(f"/api/v1/figures/download.csv/?{query}")))
    assert rows == page_rows and len(rows) == 2
    lines = streamed(client.get(f"/api/v1/figures/download.jsonl/?{query}"))
    assert [json.loads(line)["id"] for line in lines.splitlines()] == [
        row["id"] for row in rows
    ]
    for query in ("page=2", "page_size=10", "format=csv", "region=GB&regoin=FR"):
        response = client.get(f"/api/v1/figures/download.csv/?{query}")
        assert response.status_code == 400, query
    assert client.get("/api/v1/figures/download.jsonl/?year=x").status_code == 400


@pytest.mark.parametrize("resource", RESOURCES)
def test_json_lines_parse_line_by_line(kb, client, resource):
    """One JSON object per line: the list's rows (same fields, same values)
    with their citations, in the list's order."""
    response = client.get(f"/api/v1/{resource}/download.jsonl/")
    assert response["Content-Type"] == "application/x-ndjson"
    body = streamed(response)
    assert body.endswith(b"\n")
    lines = body.decode("utf-8").split("\n")[:-1]
    records = [json.loads(line) for line in lines]
    listed = client.get(f"/api/v1/{resource}/?page_size=500").json()["results"]
    assert len(records) == len(listed)
    for record, row in zip(records, listed, strict=True):
        assert {k: record[k] for k in row} == row
        assert isinstance(record["citations"], list)
    if resource == "diseases":
        spondylitis = next(r for r in records if r["slug"] == "ankylosing-spondylitis")
        assert {"system": "DOID", "curie": "DOID:7147", "match": "exact"}.items() <= (
            next(
                x for x in spondylitis["identifiers"] if x["curie"] == "DOID:7147"
            ).items()
        )


def queries_of(client, url: str) -> int:
    with CaptureQueriesContext(connection) as queries:
        streamed(client.get(url))
    return len(queries)


@pytest.mark.parametrize("extension", ["csv", "jsonl"])
def test_download_queries_do_not_grow_with_rows(kb, client, extension):
    """The same number of queries for the table as it is and with 40 more
    rows (each with a citation): the prefetches run once per chunk."""
    url = f"/api/v1/diseases/download.{extension}/"
    before = queries_of(client, url)
    DiseaseFactory.create_batch(40)
    after = queries_of(client, url)
    assert after == before
    assert Disease.objects.published().count() > 70


def test_download_queries_grow_with_chunks_only(kb, client, monkeypatch):
    """Smaller chunks cost a fixed number of queries per chunk, whatever the
    number of rows in it."""
    from diseases.api.views import DiseaseViewSet

    total = Disease.objects.published().count()
    monkeypatch.setattr(DiseaseViewSet, "download_chunk_size", total)
    one = queries_of(client, "/api/v1/diseases/download.csv/")
    monkeypatch.setattr(DiseaseViewSet, "download_chunk_size", (total + 1) // 2)
    two = queries_of(client, "/api/v1/diseases/download.csv/")
    monkeypatch.setattr(DiseaseViewSet, "download_chunk_size", (total + 2) // 3)
    three = queries_of(client, "/api/v1/diseases/download.csv/")
    assert three - two == two - one > 0
    _, rows = csv_rows(streamed(client.get("/api/v1/diseases/download.csv/")))
    assert len(rows) == total


def test_downloads_show_what_the_list_shows(kb, client, admin_client):
    """A draft is in an editor's download, not in the public's."""
    Disease.objects.filter(slug="asthma").update(status=Status.DRAFT)
    public = csv_rows(streamed(client.get("/api/v1/diseases/download.csv/")))[1]
    staff = csv_rows(streamed(admin_client.get("/api/v1/diseases/download.csv/")))[1]
    assert "asthma" not in {row["slug"] for row in public}
    assert "asthma" in {row["slug"] for row in staff}


def test_a_download_answers_304_to_its_etag(kb, client):
    response = client.get("/api/v1/diseases/download.csv/")
    again = client.get(
        "/api/v1/diseases/download.csv/", HTTP_IF_NONE_MATCH=response["ETag"]
    )
    assert again.status_code == 304


# ------------------------------------------------------------------ licence


def test_the_schema_states_licence_downloads_and_bom(client, db):
    schema = client.get(
        "/api/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json"
    ).json()
    info = schema["info"]
    assert info["license"] == {"name": "CC BY-SA 4.0", "url": LICENCE_URL}
    assert "CC BY-SA" in info["description"]
    assert "How to cite" in info["description"]
    for resource in RESOURCES:
        paths = schema["paths"]
        listing = {
            p["name"] for p in paths[f"/api/v1/{resource}/"]["get"]["parameters"]
        }
        assert "bom" in listing
        for extension, media in (
            ("csv", "text/csv"),
            ("jsonl", "application/x-ndjson"),
        ):
            operation = paths[f"/api/v1/{resource}/download.{extension}/"]["get"]
            assert list(operation["responses"]["200"]["content"]) == [media]
            names = {p["name"] for p in operation["parameters"]}
            assert names == (listing - {"page", "page_size", "format"}) - (
                {"bom"} if extension == "jsonl" else set()
            )
            assert list(operation["responses"]["400"]["content"]) == [
                "application/json"
            ]


def test_downloads_link_the_licence(kb, client):
    for url in (
        "/api/v1/diseases/?format=csv",
        "/api/v1/diseases/?format=csv&page_size=2",
        "/api/v1/diseases/download.csv/",
        "/api/v1/diseases/download.jsonl/",
    ):
        response = client.get(url)
        assert f'<{LICENCE_URL}>; rel="license"' in response["Link"], url
    paged = client.get("/api/v1/diseases/?format=csv&page_size=2")["Link"]
    assert 'rel="next"' in paged


def test_every_release_carries_licence_attribution_and_how_to_cite(kb, client):
    """release.json (in the JSON download and the zip) states the licence,
    each source's licence as stated (None when not stated) and how to cite
    the release; the zip has a LICENCE.txt; the downloads link the licence."""
    release = cut()
    entry = client.get("/api/v1/releases/1/").json()
    assert "data release 1" in entry["how_to_cite"]
    assert "CC BY-SA 4.0" in entry["how_to_cite"]
    response = client.get(entry["downloads"]["json"])
    assert f'<{LICENCE_URL}>; rel="license"' in response["Link"]
    metadata = json.loads(response.content)["release"]
    assert metadata["licence"]["url"] == LICENCE_URL
    assert metadata["how_to_cite"] == entry["how_to_cite"]
    assert f"cut on {release.cut_at:%Y-%m-%d}" in metadata["how_to_cite"]
    licences = {s["source"]["slug"]: s["licence"] for s in metadata["attribution"]}
    assert licences["encyclopedia-imid"] == "CC BY-SA"
    assert licences["wikimd-immunomodulatory"] == "CC BY-SA"
    assert licences["imid-bio-uk"] is None  # not stated: never invented
    zipped = client.get(entry["downloads"]["csv_zip"])
    assert f'<{LICENCE_URL}>; rel="license"' in zipped["Link"]
    with zipfile.ZipFile(io.BytesIO(zipped.content)) as files:
        assert json.loads(files.read("release.json")) == metadata
        text = files.read("LICENCE.txt").decode()
        diseases = files.read("diseases.csv").decode()
    assert LICENCE_URL in text and metadata["how_to_cite"] in text
    assert "licence not stated" in text
    header = diseases.splitlines()[0].split(",")
    assert "identifiers" in header
    assert header[-2:] == ["citations", "release"]


def test_csv_cells_keep_non_ascii_text(kb, client):
    """UTF-8 throughout: the byte-order mark is only a hint for spreadsheets."""
    content = streamed(client.get("/api/v1/diseases/download.csv/?search=behcet"))
    assert "Beh\u00e7et" in content.decode("utf-8")
    assert BOM not in content.decode("utf-8")


def test_bom_is_unknown_where_there_is_no_csv(kb, client):
    """bom is a parameter of CSV lists and the CSV download only."""
    for url in ("/api/v1/diseases/asthma/?bom=true", "/api/v1/releases/?bom=true"):
        response = client.get(url)
        assert response.status_code == 400
        assert "Unknown parameter" in response.json()["errors"]["bom"][0]
