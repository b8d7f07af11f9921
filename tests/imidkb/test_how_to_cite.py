"""How to cite the data and under which licence: one text (the release's
how_to_cite), given by every release, the API root and the about page, with
the current release's number; the licence each source states, from its
record."""

import html
import json
import re
from io import StringIO

import pytest
from django.core.management import call_command

from imidkb.releases import how_to_cite
from imidkb.router import router
from kbframework.api.downloads import data_licence
from kbframework.models import Release, Source

pytestmark = pytest.mark.django_db


def cut() -> Release:
    call_command("cutrelease", stdout=StringIO())
    return Release.objects.order_by("-number").first()


def about_section(page: str, anchor: str) -> str:
    start = page.rindex("<section", 0, page.index(f'id="{anchor}"'))
    return page[start : page.index("</section>", start)]


def citation_on_the_about_page(page: str) -> str:
    section = about_section(page, "how-to-cite")
    quoted = re.search(r'<blockquote class="citation"><p>(.*?)</p>', section, re.S)
    return html.unescape(quoted.group(1))


def test_before_the_first_release_the_live_data_are_cited(kb, client):
    body = client.get("/api/v1/").json()
    assert body["release"] is None
    assert body["licence"] == data_licence() and body["licence"]["url"]
    assert body["how_to_cite"] == how_to_cite(None)
    assert "not yet a numbered release" in body["how_to_cite"]
    page = client.get("/about/").content.decode()
    assert citation_on_the_about_page(page) == how_to_cite(None)


def test_root_and_about_page_cite_the_current_release_and_follow_a_new_one(kb, wsgi):
    """Through the production WSGI application (its response cache
    included): the API root and the about page give the release's own text
    with its number; after the next release is cut, that one's."""
    for number in (1, 2):
        release = cut()
        assert release.number == number
        entry = wsgi(f"/api/v1/releases/{number}/").json()
        root = wsgi("/api/v1/").json()
        assert root["how_to_cite"] == entry["how_to_cite"]
        assert f"data release {number} (cut on " in root["how_to_cite"]
        assert root["release"]["number"] == number
        assert root["release"]["url"].endswith(f"/api/v1/releases/{number}/")
        assert root["release"]["cut_at"] == entry["cut_at"]
        assert root["licence"] == data_licence()
        page = wsgi("/about/").content.decode()
        assert citation_on_the_about_page(page) == entry["how_to_cite"]
        section = about_section(page, "how-to-cite")
        assert f'href="/api/v1/releases/{number}/">release {number}</a>' in section
        assert f"{release.cut_at:%Y-%m-%d}</time>" in section


def test_the_text_is_the_one_every_release_carries(kb, client):
    """release.json, the zip's LICENCE.txt, the API entry and the root: one
    text, from one function."""
    import io
    import zipfile

    release = cut()
    metadata = json.loads(bytes(release.json_data))["release"]
    text = how_to_cite(release.number, release.cut_at)
    assert metadata["how_to_cite"] == text
    with zipfile.ZipFile(io.BytesIO(bytes(release.csv_zip))) as archive:
        assert text in archive.read("LICENCE.txt").decode()
    assert client.get("/api/v1/releases/1/").json()["how_to_cite"] == text
    assert client.get("/api/v1/").json()["how_to_cite"] == text


def test_about_page_gives_each_sources_licence_from_its_record(kb, client):
    """Every source, with the licence its record states (or that it states
    none); the counts of the texts' licences are the records'."""
    page = client.get("/about/").content.decode()
    section = about_section(page, "licence")
    assert f'href="{data_licence()["url"]}" rel="license"' in section
    sources = list(Source.objects.all())
    assert len(sources) >= 5
    for source in sources:
        row = section.split(f'href="{source.get_absolute_url()}"', 1)[1]
        row = row.split("</tr>", 1)[0]
        cell = re.search(r'data-label="Licence">(.*?)</td>', row).group(1)
        stated = source.licence or "Not stated in the knowledge base"
        assert html.unescape(re.sub(r"<[^>]+>", "", cell)) == stated
    texts = [s for s in sources if s.kind != Source.Kind.REFERENCE_SET]
    shared = sum(1 for s in texts if s.licence == "CC BY-SA")
    assert shared == 3 and len(texts) == 5  # as the curated records state
    assert (
        f"Of the {len(texts)} source texts, {shared} are published under CC BY-SA "
        f"and {len(texts) - shared} state no licence" in section
    )


def test_about_page_follows_a_change_of_a_sources_licence(kb, client):
    source = Source.objects.get(slug="imid-bio-uk")
    source.licence = "CC BY 4.0"
    source.save()
    section = about_section(client.get("/about/").content.decode(), "licence")
    row = section.split(f'href="{source.get_absolute_url()}"', 1)[1]
    assert "CC BY 4.0" in row.split("</tr>", 1)[0]
    assert "1 is published under CC BY 4.0" in section


def test_the_schema_documents_the_root(client):
    document = client.get(
        "/api/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json"
    ).json()
    response = document["paths"]["/api/v1/"]["get"]["responses"]["200"]
    ref = response["content"]["application/json"]["schema"]["$ref"]
    root = document["components"]["schemas"][ref.rsplit("/", 1)[1]]
    prefixes = {prefix for prefix, _viewset, _basename in router.registry}
    assert set(root["properties"]) == {*prefixes, "licence", "release", "how_to_cite"}
    assert root["properties"]["release"]["nullable"] is True


def test_the_root_costs_one_query_more(kb, wsgi, django_assert_num_queries):
    """The data version and the newest release; a repeat, the data version."""
    with django_assert_num_queries(2):
        assert wsgi("/api/v1/").status_code == 200
    with django_assert_num_queries(1):
        assert wsgi("/api/v1/").status_code == 200
