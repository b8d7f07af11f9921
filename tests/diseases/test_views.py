"""Clinicians' pages for diseases, symptoms, mechanisms and body systems."""

import json
import re

import pytest

from diseases.models import DiseaseSymptom
from tests.conftest import first_visit_queries
from tests.factories import DiseaseFactory, SymptomFactory

pytestmark = pytest.mark.django_db


def page(client, url, status=200, template=None):
    response = client.get(url)
    assert response.status_code == status, url
    if template:
        assert template in [t.name for t in response.templates]
    return response.content.decode()


def test_disease_page_shows_the_whole_record(kb, client):
    html = page(
        client,
        "/diseases/systemic-lupus-erythematosus/",
        template="diseases/disease_detail.html",
    )
    assert html.count("<h1") == 1
    assert "Systemic lupus erythematosus" in html
    assert "(SLE)" in html
    for text in (
        "lupus",  # synonym
        "Autoimmune diseases",  # parent group
        "Kidneys",  # body system
        "MONDO:0007915",  # identifier, linked out
        "https://monarchinitiative.org/MONDO:0007915",
        "Red, and most often on the face.",  # symptom note
        "Stated for the group",  # group facts kept apart
        "Autoimmunity",  # mechanism
        "Immunosuppressants",  # treatment by drug class
        "Related diseases",
        "Last reviewed",
        "Sources cited on this page",
    ):
        assert text in html, text


def test_lupus_page_shows_both_uk_figures_side_by_side_with_sources(kb, client):
    html = page(client, "/diseases/systemic-lupus-erythematosus/")
    disagreement = html[html.index('class="disagreement"') :]
    disagreement = disagreement[: disagreement.index("</div>")]
    assert "The sources disagree" in disagreement
    assert "up to 50,000 people" in disagreement
    assert "approximately 16,000 people" in disagreement
    assert "“Introduction”" in disagreement
    assert "Disease Summary: Systemic Lupus Erythematosus" in disagreement


def test_every_statement_has_a_citation_marker_that_leads_to_its_source(kb, client):
    html = page(client, "/diseases/sjogrens-syndrome/")
    markers = set(re.findall(r'href="#ref-(\d+)"', html))
    targets = set(re.findall(r'id="ref-(\d+)"', html))
    assert markers and markers == targets
    assert 'href="/sources/imid-bio-uk/"' in html


def test_disease_page_has_json_ld_and_a_meta_description(kb, client):
    html = page(client, "/diseases/rheumatoid-arthritis/")
    block = re.search(
        r'<script type="application/ld\+json"[^>]*>(.*?)</script>', html, re.S
    )
    data = json.loads(block.group(1))
    assert data["@type"] == "MedicalCondition"
    assert data["name"] == "Rheumatoid arthritis"
    assert "RA" in data["alternateName"]
    assert {"codeValue": "0008383", "codingSystem": "MONDO"}.items() <= next(
        c for c in data["code"] if c["codingSystem"] == "MONDO"
    ).items()
    assert re.search(r'<meta name="description" content="A long-term disease', html)


def test_upper_bounds_are_drawn_as_bounds(kb, client):
    """Lupus's "up to 50,000" is a bound in its chart, beside a bar for the
    stated 16,000; a disease with one figure has no chart (the table has it)."""
    html = page(client, "/diseases/systemic-lupus-erythematosus/")
    chart = html[html.index("<svg") : html.index("</svg>")]
    assert chart.count('class="mark bound"') == 1
    assert chart.count('class="mark bar"') == 1
    assert 'class="mark point"' not in chart
    assert "up to 50,000 people" in chart
    html = page(client, "/diseases/primary-biliary-cholangitis/")
    assert "<svg" not in html and "up to 20,000 people" in html


def test_compare_is_reachable_from_every_disease_page(kb, client):
    html = page(client, "/diseases/psoriasis/")
    assert 'action="/compare/"' in html
    assert 'name="d" value="psoriasis"' in html


def test_unknown_disease_is_a_404_page(kb, client):
    html = page(client, "/diseases/no-such-disease/", status=404)
    assert "Page not found" in html


def test_drafts_are_hidden_from_the_public_but_shown_to_editors(
    kb, client, admin_client
):
    DiseaseFactory(slug="draft-only", name="Draft only", status="draft")
    page(client, "/diseases/draft-only/", status=404)
    assert "Draft only" not in page(client, "/diseases/?kind=disease")
    html = page(admin_client, "/diseases/draft-only/")
    assert "not public" in html


@pytest.mark.parametrize(
    ("query", "present", "absent"),
    [
        ("symptom=dry-eyes", "Primary Sjögren&#x27;s syndrome", "Rheumatoid arthritis"),
        ("body_system=liver", "Autoimmune hepatitis", "Psoriasis"),
        ("kind=group", "Inflammatory bowel disease", "Asthma"),
        ("drug_class=biologics", "Immune-mediated inflammatory diseases", "Asthma"),
        ("mechanism=autoimmunity", "Type 1 diabetes", "Psoriasis"),
    ],
)
def test_disease_index_filters(kb, client, query, present, absent):
    html = page(client, f"/diseases/?{query}", template="diseases/disease_list.html")
    table = html[html.index("<tbody>") :]
    assert present in table
    assert absent not in table


def test_a_bad_filter_value_returns_the_page_with_a_message(kb, client):
    html = page(client, "/diseases/?symptom=no-such-symptom", status=400)
    assert "Some filters were not understood" in html
    assert "not a known symptom slug" in html
    assert "No disease matches these filters." in html


@pytest.mark.parametrize(
    ("url", "text"),
    [
        ("/symptoms/", "Dry mouth"),
        ("/symptoms/fatigue/", "very common"),
        ("/symptoms/dry-eyes/", "Keratoconjunctivitis sicca"),
        ("/mechanisms/", "Genetic predisposition"),
        ("/mechanisms/inflammation/", "Behçet&#x27;s disease"),
        ("/body-systems/", "Liver"),
        ("/body-systems/liver/", "Autoimmune hepatitis"),
    ],
)
def test_symptom_mechanism_and_body_system_pages(kb, client, url, text):
    html = page(client, url)
    assert html.count("<h1") == 1
    assert text in html


# Queries per page, pinned, through the production WSGI application (the
# first is the data version, the public response cache's key; a repeat costs
# that one only); the same whatever the number of linked records.
PAGE_QUERIES = {
    # count, page, three prefetches (the list's identifiers among them: the
    # API's and the release's rows read through the same for_list), five
    # filter-form choice lists
    "/diseases/": 11,
    # its groups, read with it: the membership rows on the way up, the
    # groups (their stated links come with its own, one query per kind);
    # related diseases weigh family and specificity (two more).
    "/diseases/systemic-lupus-erythematosus/": 33,
    "/symptoms/": 4,
    "/symptoms/fatigue/": 7,  # + adverse effect of (and its citations)
    "/mechanisms/inflammation/": 5,
    "/body-systems/liver/": 4,
}


@pytest.mark.parametrize(("url", "queries"), PAGE_QUERIES.items())
def test_page_query_counts_are_pinned(
    kb, wsgi, django_assert_num_queries, url, queries
):
    with django_assert_num_queries(first_visit_queries(url, queries)):
        assert wsgi(url).status_code == 200
    with django_assert_num_queries(1):
        assert wsgi(url).status_code == 200


def test_disease_page_query_count_does_not_grow_with_links(
    kb, wsgi, django_assert_num_queries
):
    from diseases.models import Disease

    lupus = Disease.objects.get(slug="systemic-lupus-erythematosus")
    for _ in range(6):
        DiseaseSymptom.objects.create(disease=lupus, symptom=SymptomFactory())
    url = lupus.get_absolute_url()
    with django_assert_num_queries(first_visit_queries(url, PAGE_QUERIES[url])):
        assert wsgi(lupus.get_absolute_url()).status_code == 200


def body_system_counts(client) -> dict[str, int]:
    html = page(client, "/body-systems/")
    return {
        name: int(count)
        for name, count in re.findall(
            r'">([^<]+)</a> <span class="muted">\((\d+)\)', html
        )
    }


def test_body_system_list_counts_only_diseases_the_reader_may_see(
    kb, client, editor_client
):
    """A draft disease linked to the liver is counted for editors, never for
    the public (it was: Liver went from 2 to 3)."""
    from diseases.models import BodySystem, DiseaseBodySystem

    before = body_system_counts(client)
    draft = DiseaseFactory(status="draft", name="Hidden hepatitis")
    DiseaseBodySystem.objects.create(
        disease=draft, body_system=BodySystem.objects.get(slug="liver")
    )
    assert body_system_counts(client) == before
    assert body_system_counts(editor_client)["Liver"] == before["Liver"] + 1
