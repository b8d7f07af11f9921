"""Diseases, symptoms and mechanisms through the API."""

import pytest
from django.test import override_settings

from diseases.models import Disease, DiseaseSymptom
from tests.factories import DiseaseFactory, SymptomFactory

pytestmark = pytest.mark.django_db


def slugs(client, query: str, resource: str = "diseases") -> set[str]:
    response = client.get(f"/api/v1/{resource}/?{query}&page_size=500")
    assert response.status_code == 200, response.content
    return {row["slug"] for row in response.json()["results"]}


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("symptom=dry-eyes", {"sjogrens-syndrome"}),
        (
            "symptom=dry-eyes&symptom=chest-pain",
            {"sjogrens-syndrome", "systemic-lupus-erythematosus"},
        ),
        ("mechanism=graft-recognition", {"transplant-rejection"}),
        ("body_system=liver", {"autoimmune-hepatitis", "primary-biliary-cholangitis"}),
        ("parent=inflammatory-bowel-disease", {"crohns-disease", "ulcerative-colitis"}),
        # Multiple myeloma is an indication of immunomodulatory drugs as a whole,
        # as the text says, not of immunostimulants (issue 14).
        ("drug_class=immunostimulants", set()),
        ("drug_class=biologics", {"imid"}),
        ("drug_class=tnf-inhibitors", set()),
        ("identifier=MONDO:0008383", {"rheumatoid-arthritis"}),
        ("identifier=icd10:m32", {"systemic-lupus-erythematosus"}),
        ("search=lupsu", {"systemic-lupus-erythematosus"}),
        ("search=Sjogren", {"sjogrens-syndrome"}),
        ("search=primary biliary cirrhosis", {"primary-biliary-cholangitis"}),
        ("kind=subtype", set()),
    ],
)
def test_disease_filters_narrow_the_list(kb, client, query, expected):
    assert slugs(client, query) == expected


def test_drug_class_filter_includes_subclasses(kb, client):
    """Immunomodulators include immunosuppressants, indicated for transplant
    rejection, besides their own indications (multiple myeloma)."""
    found = slugs(client, "drug_class=immunomodulators")
    assert "multiple-myeloma" in found
    assert "transplant-rejection" in found


def test_filters_combine_with_and(kb, client):
    both = slugs(client, "kind=group&body_system=nervous-system")
    assert both == {"imid"}
    assert slugs(client, "kind=disease&body_system=nervous-system") == set()


def test_search_ranks_exact_abbreviation_first(kb, client):
    results = client.get("/api/v1/diseases/?search=MS").json()["results"]
    assert results[0]["slug"] == "multiple-sclerosis"


def test_disease_detail_answers_in_one_call(kb, client):
    body = client.get("/api/v1/diseases/systemic-lupus-erythematosus/").json()
    assert {"SLE"} <= set(body["abbreviations"])
    assert {p["slug"] for p in body["parents"]} >= {"imid", "autoimmune-diseases"}
    assert {s["slug"] for s in body["body_systems"]} >= {"kidneys", "brain"}
    assert "MONDO:0007915" in {x["curie"] for x in body["identifiers"]}
    rash = next(s for s in body["symptoms"] if s["symptom"]["slug"] == "rash")
    assert rash["frequency"] == "common"
    assert "face" in rash["note"]
    assert [(c["source"]["slug"], c["section"]) for c in rash["citations"]] == [
        ("imid-bio-uk", "Disease Summary: Systemic Lupus Erythematosus")
    ]
    group = {
        (s["symptom"]["slug"], s["stated_for"]["slug"]) for s in body["group_symptoms"]
    }
    assert ("fatigue", "imid") in group
    assert {m["mechanism"]["slug"] for m in body["mechanisms"]} == {"autoimmunity"}
    treatments = {t["drug_class"]["slug"] for t in body["treatments"]}
    assert "immunosuppressants" in treatments
    figures = {f["display"] for f in body["figures"]}
    assert figures == {"up to 50,000 people", "approximately 16,000 people"}
    assert body["related"][0]["score"] >= body["related"][-1]["score"]
    assert body["citations"]
    assert body["course_notes"]


def test_related_diseases_show_what_they_share(kb, client):
    body = client.get("/api/v1/diseases/systemic-lupus-erythematosus/").json()
    sjogren = next(
        r for r in body["related"] if r["disease"]["slug"] == "sjogrens-syndrome"
    )
    assert "fatigue" in {symptom["slug"] for symptom in sjogren["symptoms"]}
    assert sjogren["score"] == sum(
        len(sjogren[key]) for key in ("symptoms", "mechanisms", "drug_classes")
    )


def test_related_diseases_leave_out_what_the_public_cannot_see(
    kb, client, admin_client
):
    url = "/api/v1/diseases/systemic-lupus-erythematosus/"
    lupus = Disease.objects.get(slug="systemic-lupus-erythematosus")
    twin = DiseaseFactory(name="Unpublished twin", status="draft")
    for link in lupus.symptom_links.all():
        DiseaseSymptom.objects.create(disease=twin, symptom=link.symptom)
    secret = SymptomFactory(status="draft")
    sjogren = Disease.objects.get(slug="sjogrens-syndrome")
    for disease in (lupus, sjogren):
        DiseaseSymptom.objects.create(disease=disease, symptom=secret)

    public = client.get(url).json()["related"]
    assert twin.slug not in {r["disease"]["slug"] for r in public}
    assert not [r for r in public if secret.slug in {s["slug"] for s in r["symptoms"]}]
    staff = admin_client.get(url).json()["related"]
    # The twin shares every symptom: it outranks every disease outside the
    # family (and the fellow members of the big groups).
    outside = [r["disease"]["slug"] for r in staff if not r["family"]]
    assert outside[0] == twin.slug
    shared = next(r for r in staff if r["disease"]["slug"] == "sjogrens-syndrome")
    assert secret.slug in {s["slug"] for s in shared["symptoms"]}


def test_relations_name_their_direction(kb, client):
    body = client.get("/api/v1/diseases/lymphoma/").json()
    (relation,) = body["relations"]
    assert relation["direction"] == "incoming"
    assert relation["disease"]["slug"] == "sjogrens-syndrome"
    assert relation["kind"] == "increases-risk-of"


def test_drafts_are_not_listed_for_anonymous_readers(kb, client):
    DiseaseFactory(slug="draft-disease", status="draft")
    assert "draft-disease" not in slugs(client, "kind=disease")
    assert client.get("/api/v1/diseases/draft-disease/").status_code == 404


def test_symptom_and_mechanism_filters(kb, client):
    assert "dry-mouth" in slugs(client, "disease=sjogrens-syndrome", "symptoms")
    assert slugs(client, "hpo_id=HP:0000217", "symptoms") == {"dry-mouth"}
    assert slugs(client, "search=xerostomia", "symptoms") == {"dry-mouth"}
    risk = slugs(client, "kind=risk-factor", "mechanisms")
    assert "genetic-predisposition" in risk
    assert slugs(client, "disease=type-1-diabetes", "mechanisms") == {"autoimmunity"}


def test_list_query_count_is_constant_in_page_size(
    kb, client, django_assert_num_queries
):
    # data version, count, page, three prefetches (parents, body systems,
    # identifiers)
    for size in (2, 50):
        with django_assert_num_queries(6):
            client.get(f"/api/v1/diseases/?page_size={size}")


@override_settings(API_CACHE_SECONDS=0)
def test_detail_query_count_does_not_grow_with_links(
    kb, client, django_assert_num_queries
):
    url = "/api/v1/diseases/systemic-lupus-erythematosus/"
    client.get(url)
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as before:
        client.get(url)
    disease = Disease.objects.get(slug="systemic-lupus-erythematosus")
    for _ in range(5):
        DiseaseSymptom.objects.create(disease=disease, symptom=SymptomFactory())
    with django_assert_num_queries(len(before)):
        client.get(url)
