"""Figures and studies through the API: exact numbers, filters, disagreement."""

import pytest

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


def test_figure_detail_by_id(kb, client):
    row = figures(client, "disease=psoriasis&measure=prevalence-count")[0]
    detail = client.get(f"/api/v1/figures/{row['id']}/").json()
    assert detail == row


@pytest.mark.parametrize("query", ["year=twenty", "year=99999", "region=UK"])
def test_malformed_figure_filters_are_400(kb, client, query):
    assert client.get(f"/api/v1/figures/?{query}").status_code == 400


def test_study_detail_lists_its_figures(kb, client):
    body = client.get("/api/v1/studies/imid-new-cases-split-2019/").json()
    assert body["year"] == 2019
    shares = {f["disease"]: f["value"] for f in body["figures"]}
    assert shares["multiple-sclerosis"] == "0.1"
    assert len(shares) == 6


def test_figure_list_query_count_is_constant(kb, client, django_assert_num_queries):
    for size in (1, 100):
        with django_assert_num_queries(4):  # version, count, page, citations
            client.get(f"/api/v1/figures/?page_size={size}")
