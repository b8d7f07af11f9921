"""Drug classes and drugs through the API."""

import pytest

pytestmark = pytest.mark.django_db


def slugs(client, url: str) -> set[str]:
    response = client.get(url)
    assert response.status_code == 200, response.content
    return {row["slug"] for row in response.json()["results"]}


def test_drugs_by_class_include_subclasses(kb, client):
    assert slugs(client, "/api/v1/drugs/?drug_class=calcineurin-inhibitors") == {
        "ciclosporin",
        "tacrolimus",
    }
    # Corticosteroids, calcineurin and mTOR inhibitors; the text does not file
    # antimetabolites under immunosuppressants (issue 14).
    assert len(slugs(client, "/api/v1/drugs/?drug_class=immunosuppressants")) == 5


def test_drug_search_finds_the_other_spelling(kb, client):
    assert slugs(client, "/api/v1/drugs/?search=cyclosporine") == {"ciclosporin"}


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("development=investigational", {"stem-cell-therapy", "car-t-cell-therapy"}),
        (
            "modality=biologic",
            {"biologics", "tnf-inhibitors", "interleukin-inhibitors"},
        ),
        ("parent=biologics", {"tnf-inhibitors", "interleukin-inhibitors"}),
        ("effect=stimulates", {"immunostimulants"}),
        ("disease=transplant-rejection", {"immunosuppressants"}),
        ("search=IMiDs", {"immunomodulators"}),
    ],
)
def test_drug_class_filters(kb, client, query, expected):
    assert slugs(client, f"/api/v1/drug-classes/?{query}") == expected


def test_drug_class_detail(kb, client):
    body = client.get("/api/v1/drug-classes/immunomodulators/").json()
    assert body["effect"] == "modulates"
    assert {c["slug"] for c in body["children"]} == {
        "immunosuppressants",
        "immunostimulants",
    }
    effects = {
        (a["effect"]["slug"], a["increased_risk"]) for a in body["adverse_effects"]
    }
    assert ("infections", True) in effects
    assert ("nausea", False) in effects
    assert {i["disease"]["slug"] for i in body["indications"]} >= {"multiple-sclerosis"}


def test_drug_lists_show_the_preferred_atc_code(kb, client):
    """A drug's ATC codes are identifiers like any other; the preferred one
    (systemic use) is marked, the others are not."""
    rows = client.get("/api/v1/drugs/?search=sirolimus").json()["results"]
    atc = {x["curie"]: x["preferred"] for x in rows[0]["identifiers"]}
    assert [curie for curie, preferred in atc.items() if preferred] == ["ATC:L04AH01"]
    assert set(atc) == {"ATC:L04AH01", "ATC:L01EG04", "ATC:S01XA23"}


def test_query_counts_are_constant(kb, client, django_assert_num_queries):
    for size in (1, 50):
        with django_assert_num_queries(4):  # version, count, page, xrefs
            client.get(f"/api/v1/drugs/?page_size={size}")
    # version, class, then prefetches: citations, children, drugs, xrefs,
    # indications (+ citations), adverse effects (+ citations), response
    # notes (none for this class: no citations query); the class tree, for
    # the classes above it (none: nothing more to read)
    with django_assert_num_queries(12):
        client.get("/api/v1/drug-classes/immunomodulators/")
