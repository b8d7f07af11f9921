"""The search page: what it finds, what it says of each result, identifiers
that land on their record, long queries, drafts, query counts."""

import re

import pytest

from diseases.models import Disease, DiseaseMembership, DiseaseXref
from kbframework.models import Status
from tests.factories import DiseaseFactory, DrugClassFactory, DrugFactory

pytestmark = pytest.mark.django_db


def results(client, query: str) -> dict[str, list[tuple[str, str, str]]]:
    """Group title -> (name, why, one line) of each result, in order."""
    response = client.get("/search/", {"q": query})
    assert response.status_code == 200
    html = response.content.decode()
    groups = {}
    for section in re.findall(r"<section.*?</section>", html, re.S):
        title = re.search(r"<h2[^>]*>(.*?)</h2>", section).group(1)
        groups[title] = [
            (name, why, line)
            for name, why, line in re.findall(
                r'<li><a href="[^"]+">(.*?)</a>'
                r'(?: <span class="why">(.*?)</span>)?'
                r'(?:<span class="result-line">(.*?)</span>)?</li>',
                section,
            )
        ]
    return groups


def test_a_result_carries_its_summary_and_the_synonym_that_matched(kb, client):
    name, why, line = results(client, "lupus")["Diseases and conditions"][0]
    assert name == "Systemic lupus erythematosus"
    assert why == "also called “lupus”"
    summary = Disease.objects.get(slug="systemic-lupus-erythematosus").summary
    assert line and summary.startswith(line.rstrip("…"))


def test_an_abbreviation_is_named_as_one(kb, client):
    name, why, _line = results(client, "RA")["Diseases and conditions"][0]
    assert (name, why) == ("Rheumatoid arthritis", "abbreviation RA")


def test_a_drug_class_is_found_by_its_drugs_after_name_hits(kb, client):
    DrugClassFactory(name="Methotrexate combinations", summary="A test class.")
    groups = results(client, "methotrexate")
    assert groups["Drugs"][0][:2] == ("Methotrexate", "")
    classes = groups["Drug classes"]
    assert [row[:2] for row in classes] == [
        ("Methotrexate combinations", ""),
        ("Antimetabolites", "contains Methotrexate"),
    ]
    assert classes[1][2].startswith("Named as one kind of immune system medicine")


def test_a_group_is_found_by_its_members(kb, client):
    rows = results(client, "ulcerative colitis")["Diseases and conditions"]
    assert rows[0][0] == "Ulcerative colitis"
    assert ("Inflammatory bowel disease", "contains Ulcerative colitis") in [
        row[:2] for row in rows
    ]


def test_body_systems_are_their_own_group_with_their_disease_count(kb, client):
    groups = results(client, "liver")
    assert groups["Body systems"] == [
        ("Liver", "", "2 diseases and conditions are listed under it.")
    ]
    diseases = groups["Diseases and conditions"]
    assert diseases[0][:2] == ("Liver failure", "")
    assert ("Autoimmune hepatitis", "summary mentions “liver”") in [
        row[:2] for row in diseases
    ]
    assert list(groups) == ["Diseases and conditions", "Body systems"]


def test_a_body_system_counts_only_the_diseases_a_reader_may_see(kb, client):
    from diseases.models import BodySystem, DiseaseBodySystem

    liver = BodySystem.objects.get(slug="liver")
    DiseaseBodySystem.objects.create(
        disease=DiseaseFactory(status=Status.DRAFT), body_system=liver
    )
    assert results(client, "liver")["Body systems"][0][2] == (
        "2 diseases and conditions are listed under it."
    )


def test_summary_hits_show_the_words_around_the_match(kb, client):
    """When the one-line summary leaves the matched word out, the line shows
    the sentence around it instead."""
    DiseaseFactory(
        name="Long summary disease",
        summary="A first sentence that says nothing at all about the matter. "
        + "Filler words " * 30
        + "and finally the quetzalcoatlus appears.",
    )
    [(_name, why, line)] = results(client, "quetzalcoatlus")["Diseases and conditions"]
    assert why == "summary mentions “quetzalcoatlus”"
    assert "quetzalcoatlus appears." in line and line.startswith("…")


def test_a_long_query_is_cut_and_says_so(kb, client):
    html = client.get("/search/", {"q": "x" * 300}).content.decode()
    html = html.split("<main", 1)[1]  # not the page's address, printed above
    assert "Your search was cut to its first 200 characters." in html
    assert "“" + "x" * 200 + "”" in html
    assert "x" * 201 not in html
    html = client.get("/search/", {"q": "x" * 200}).content.decode()
    assert "was cut" not in html


@pytest.mark.parametrize(
    ("query", "url"),
    [
        ("MONDO:0007915", "/diseases/systemic-lupus-erythematosus/"),
        ("mondo_0007915", "/diseases/systemic-lupus-erythematosus/"),
        ("  MONDO:0007915  ", "/diseases/systemic-lupus-erythematosus/"),
        (
            "http://purl.obolibrary.org/obo/MONDO_0007915",
            "/diseases/systemic-lupus-erythematosus/",
        ),
        ("ORPHA:536", "/diseases/systemic-lupus-erythematosus/"),
        ("DOID:9074", "/diseases/systemic-lupus-erythematosus/"),
        ("MESH:D008180", "/diseases/systemic-lupus-erythematosus/"),
        ("icd11.foundation:749596428", "/diseases/systemic-lupus-erythematosus/"),
        ("M32", "/diseases/systemic-lupus-erythematosus/"),
        # M06.9 is a loose link of rheumatoid arthritis (its page says so):
        # the one record carrying it is where a reader pasting it means to go.
        ("M06.9", "/diseases/rheumatoid-arthritis/"),
        ("icd10cm:m06.9", "/diseases/rheumatoid-arthritis/"),
        ("HP:0012378", "/symptoms/fatigue/"),
        ("hp_0012378", "/symptoms/fatigue/"),
        ("L04AX03", "/drugs/methotrexate/"),
        ("atc:l04ax03", "/drugs/methotrexate/"),
        ("L04AD", "/drug-classes/calcineurin-inhibitors/"),
    ],
)
def test_an_identifier_lands_on_its_record(kb, client, query, url):
    response = client.get("/search/", {"q": query})
    assert response.status_code == 302
    assert response["Location"] == url


def test_an_identifier_of_several_records_lists_them(kb, client):
    other = DiseaseFactory(name="Lupus look-alike")
    DiseaseXref.objects.create(
        disease=other, system="MONDO", identifier="MONDO:0007915", exact=False
    )
    response = client.get("/search/", {"q": "MONDO:0007915"})
    assert response.status_code == 200
    assert "2 records carry this identifier." in response.content.decode()
    assert results(client, "MONDO:0007915")["Diseases and conditions"] == [
        (
            "Systemic lupus erythematosus",
            "identifier MONDO:0007915",
            "A chronic autoimmune disease in which the immune system attacks "
            "healthy tissue.",
        ),
        (
            "Lupus look-alike",
            "identifier MONDO:0007915 (loose link)",
            "A test disease.",
        ),
    ]


def test_an_identifier_no_record_carries_says_so(kb, client):
    response = client.get("/search/", {"q": "MONDO:0005109"})
    assert response.status_code == 200
    assert "No record found with the identifier MONDO:0005109." in (
        response.content.decode()
    )


def test_drafts_are_found_by_nothing_for_the_public(kb, client, admin_client):
    draft = DiseaseFactory(
        name="Hiddenitis", summary="Mentions the spleen.", status=Status.DRAFT
    )
    DiseaseXref.objects.create(
        disease=draft, system="MONDO", identifier="MONDO:0000001"
    )
    group = Disease.objects.get(slug="imid")
    DiseaseMembership.objects.create(parent=group, member=draft)
    klass = DrugClassFactory(name="Published class")
    DrugFactory(name="Hiddenmab", drug_class=klass, status=Status.DRAFT)
    for query in ("Hiddenitis", "spleen", "Hiddenmab"):
        html = client.get("/search/", {"q": query}).content.decode()
        assert "Nothing matches" in html, query
        assert "hiddenitis" not in html.replace("Hiddenitis", "")  # no slug
    response = client.get("/search/", {"q": "MONDO:0000001"})
    assert response.status_code == 200
    assert "No record found" in response.content.decode()
    # Editors find drafts.
    assert admin_client.get("/search/", {"q": "MONDO:0000001"})["Location"] == (
        draft.get_absolute_url()
    )
    staff = results(admin_client, "Hiddenmab")
    assert ("Published class", "contains Hiddenmab") in [
        row[:2] for row in staff["Drug classes"]
    ]


@pytest.mark.parametrize(
    "query", ["MONDO:", "::", "_", "http://", "M06.", "a:b:c", "\u200b", "é" * 300]
)
def test_odd_queries_get_an_answer_not_an_error(kb, client, query):
    assert client.get("/search/", {"q": query}).status_code == 200


@pytest.mark.parametrize(
    ("url", "queries"),
    [
        # data version, keys, terms, group members, diseases, symptoms
        ("/search/?q=lupus", 6),
        # data version, keys, terms, class members, drug classes, drugs
        ("/search/?q=methotrexate", 6),
        # data version, keys, terms, group members, diseases, body systems
        ("/search/?q=liver", 6),
        # data version, keys of the first word ("m06": none, so no more),
        # the identifiers of diseases, symptoms, drug classes and drugs, the
        # disease to redirect to
        ("/search/?q=M06.9", 7),
    ],
)
def test_search_query_counts_are_pinned(
    kb, wsgi, django_assert_num_queries, url, queries
):
    with django_assert_num_queries(queries):
        assert wsgi(url).status_code in (200, 302)
