"""Figures and studies through the API: exact numbers, filters, disagreement."""

import pytest

from diseases.models import Disease
from epidemiology.models import Figure
from kbframework.choices import Status
from kbframework.models import DataVersion

pytestmark = pytest.mark.django_db


def figures(client, query: str) -> list[dict]:
    response = client.get(f"/api/v1/figures/?{query}&page_size=500")
    assert response.status_code == 200, response.content
    return response.json()["results"]


def test_figures_carry_the_contract_fields_with_exact_decimals(kb, client):
    (pbc,) = figures(client, "disease=primary-biliary-cholangitis")
    for field in (
        "id",
        "disease",
        "measure",
        "value",
        "lower",
        "upper",
        "qualifier",
        "unit",
        "population",
        "region",
        "year",
        "preferred",
        "citations",
    ):
        assert field in pbc
    assert (pbc["value"], pbc["lower"], pbc["upper"]) == (None, None, "20000")
    assert pbc["qualifier"] == "up-to"
    assert pbc["display"] == "up to 20,000 people"
    (ibd,) = figures(client, "disease=inflammatory-bowel-disease")
    assert ibd["value"] == "0.7"
    assert ibd["unit"] == "percent"


@pytest.mark.parametrize(
    ("query", "count"),
    [
        ("disease=rheumatoid-arthritis", 3),
        ("disease=rheumatoid-arthritis&region=GB", 1),
        ("disease=rheumatoid-arthritis&measure=prevalence-proportion", 1),
        ("population=adults", 1),
        ("region=GB", 6),
        ("region=GB&region=unspecified", 14),
        # 2019 is the study's date, not the data year of its figures (issue 14).
        ("year=2019", 0),
        ("study=imid-new-cases-split-2019", 6),
        ("source=encyclopedia-imid", 7),
        ("preferred=true", 0),
        ("preferred=false", 14),
        ("search=lupus", 2),
        ("measure=share-of-new-cases&disease=asthma", 1),
    ],
)
def test_figure_filters(kb, client, query, count):
    assert len(figures(client, query)) == count


def test_both_disagreeing_lupus_figures_are_listed(kb, client):
    rows = figures(client, "disease=systemic-lupus-erythematosus&region=GB")
    assert {(r["display"], r["citations"][0]["section"]) for r in rows} == {
        ("up to 50,000 people", "Introduction"),
        (
            "approximately 16,000 people",
            "Disease Summary: Systemic Lupus Erythematosus",
        ),
    }


def test_figure_detail_by_slug_its_api_id(kb, client):
    """A figure is addressed by its permanent slug, which is its `id`."""
    row = figures(client, "disease=psoriasis&measure=prevalence-count")[0]
    assert row["id"] == row["slug"]
    response = client.get(f"/api/v1/figures/{row['slug']}/")
    assert response.status_code == 200
    assert response.json() == row
    assert row["url"].endswith(f"/api/v1/figures/{row['slug']}/")


def test_an_old_figure_id_url_answers_301_to_the_slug_url(kb, client):
    """A database id (the old URLs) moves permanently to the slug URL."""
    figure = Figure.objects.restrict(None).first()
    response = client.get(f"/api/v1/figures/{figure.pk}/")
    assert response.status_code == 301
    assert response["Location"] == (f"http://testserver/api/v1/figures/{figure.slug}/")
    assert client.get(response["Location"]).json()["slug"] == figure.slug


def test_a_301_keeps_the_query_string(kb, client):
    """Following it gives what was asked for: the fields, the format."""
    figure = Figure.objects.restrict(None).first()
    response = client.get(f"/api/v1/figures/{figure.pk}/?fields=slug,display")
    assert response["Location"].endswith(f"/{figure.slug}/?fields=slug,display")
    assert set(client.get(response["Location"]).json()) == {"slug", "display"}


def test_a_draft_figure_id_url_is_a_404_not_a_301(kb, client, admin_client):
    """An id of a figure the public may not see (a draft, or a figure of a
    draft disease) answers as an id that never existed; staff get the 301."""
    draft, of_draft = Figure.objects.restrict(None).order_by("pk")[:2]
    Figure.objects.filter(pk=draft.pk).update(status=Status.DRAFT)
    Disease.objects.filter(pk=of_draft.disease_id).update(status=Status.DRAFT)
    DataVersion.bump()
    never = client.get("/api/v1/figures/999999999/")
    assert never.status_code == 404
    for figure in (draft, of_draft):
        response = client.get(f"/api/v1/figures/{figure.pk}/")
        assert response.status_code == 404
        assert response.json() == never.json()
        assert "Location" not in response
        assert admin_client.get(f"/api/v1/figures/{figure.pk}/").status_code == 301


def test_figures_order_by_slug_not_by_database_id(kb, client):
    slugs = [row["slug"] for row in figures(client, "ordering=slug")]
    assert slugs == sorted(slugs)
    assert client.get("/api/v1/figures/?ordering=id").status_code == 400


@pytest.mark.parametrize("query", ["year=twenty", "year=99999", "region=UK"])
def test_malformed_figure_filters_are_400(kb, client, query):
    assert client.get(f"/api/v1/figures/?{query}").status_code == 400


def test_study_detail_lists_its_figures(kb, client):
    body = client.get("/api/v1/studies/imid-new-cases-split-2019/").json()
    assert body["year"] == 2019
    shares = {f["disease"]["slug"]: f["value"] for f in body["figures"]}
    assert shares["multiple-sclerosis"] == "0.1"
    assert len(shares) == 6


def test_figure_list_query_count_is_constant(kb, client, django_assert_num_queries):
    for size in (1, 100):
        # version, count, page, citations, the answers to the page's questions
        with django_assert_num_queries(5):
            client.get(f"/api/v1/figures/?page_size={size}")
        # the CSV too: the answers are read for the page, not per disease
        with django_assert_num_queries(5):
            client.get(f"/api/v1/figures/?page_size={size}&format=csv")


def test_figure_download_reads_the_answers_once_per_chunk(
    kb, client, django_assert_num_queries
):
    """version, rows, citations, the answers: one chunk, however many
    diseases its figures are of."""
    for extension in ("csv", "jsonl"):
        with django_assert_num_queries(4):
            response = client.get(f"/api/v1/figures/download.{extension}/")
            b"".join(response.streaming_content)
