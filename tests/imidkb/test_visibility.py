"""Drafts are never visible to anonymous readers, anywhere; retired slugs
answer 301 or 410 forever."""

import pytest
from django.urls import reverse

from diseases.models import Disease, DiseaseSymptom, Symptom
from kbframework.models import Status
from tests.factories import DiseaseFactory, SymptomFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def draft_symptom(kb):
    """A draft symptom linked to a published disease (lupus)."""
    symptom = SymptomFactory(
        slug="secret-symptom", name="Secretsymptom", status=Status.DRAFT
    )
    lupus = Disease.objects.get(slug="systemic-lupus-erythematosus")
    DiseaseSymptom.objects.create(disease=lupus, symptom=symptom, frequency="common")
    return symptom


@pytest.mark.parametrize(
    "url",
    [
        "/diseases/systemic-lupus-erythematosus/",
        "/symptoms/",
        "/search/?q=Secretsymptom",
        "/compare/?d=systemic-lupus-erythematosus&d=rheumatoid-arthritis",
        "/diseases/?page_size=500",
        "/api/v1/diseases/systemic-lupus-erythematosus/",
        "/api/v1/symptoms/?page_size=500",
        "/api/v1/symptoms/?search=Secretsymptom",
        "/api/v1/diseases/?format=csv&page_size=500",
        "/sources/source-0/",
        "/sitemap.xml",
    ],
)
def test_a_draft_linked_to_published_records_stays_hidden(draft_symptom, client, url):
    response = client.get(url)
    assert response.status_code in (200, 404)
    body = response.content.decode()
    assert "secret-symptom" not in body
    if "search" not in url:  # the search page repeats what was typed
        assert "Secretsymptom" not in body


def test_a_draft_slug_is_unknown_to_anonymous_filters(draft_symptom, client):
    response = client.get("/api/v1/diseases/?symptom=secret-symptom")
    assert response.status_code == 400
    html = client.get("/diseases/?symptom=secret-symptom").content.decode()
    assert "Some filters were not understood" in html


def test_editors_preview_drafts_marked_as_drafts(draft_symptom, admin_client):
    html = admin_client.get("/symptoms/secret-symptom/").content.decode()
    assert "Secretsymptom" in html
    assert "not public" in html
    lupus = admin_client.get("/diseases/systemic-lupus-erythematosus/")
    assert "Secretsymptom" in lupus.content.decode()


def test_a_cut_release_holds_no_draft(draft_symptom):
    from imidkb.releases import cut_release

    release = cut_release()
    assert b"Secretsymptom" not in bytes(release.json_data)


def test_a_merged_slug_redirects_permanently(kb, client):
    old = DiseaseFactory(slug="old-name", name="Old name")
    target = Disease.objects.get(slug="psoriasis")
    old.status, old.merged_into = Status.RETIRED, target
    old.save()
    response = client.get("/diseases/old-name/")
    assert response.status_code == 301
    assert response["Location"] == "/diseases/psoriasis/"
    api = client.get("/api/v1/diseases/old-name/")
    assert api.status_code == 301
    assert api["Location"].endswith("/api/v1/diseases/psoriasis/")


def test_a_retired_slug_is_gone_with_an_explanation(kb, client):
    symptom = Symptom.objects.get(slug="nausea")
    symptom.status = Status.RETIRED
    symptom.retired_note = "Folded into the side-effect notes."
    symptom.save()
    response = client.get("/symptoms/nausea/")
    assert response.status_code == 410
    assert "Folded into the side-effect notes." in response.content.decode()
    api = client.get("/api/v1/symptoms/nausea/")
    assert api.status_code == 410
    assert api.json()["error"] == "gone"
    assert "Folded into" in api.json()["detail"]
    assert "Nausea" not in client.get(reverse("diseases:symptom-list")).content.decode()


def test_the_sitemap_lists_published_pages(kb, client):
    xml = client.get("/sitemap.xml").content.decode()
    assert "/diseases/systemic-lupus-erythematosus/" in xml
    assert "/drugs/ciclosporin/" in xml


def test_a_record_retired_before_it_was_published_is_unknown(kb, client, admin_client):
    """A draft that is retired never existed for the public: 404 like any
    unknown slug, with nothing of it in the body; staff still see it."""
    symptom = SymptomFactory(slug="never-out", name="Neveroutsymptom", status="draft")
    symptom.status = Status.RETIRED
    symptom.save()
    for url, unknown in (
        ("/symptoms/never-out/", "/symptoms/no-such-slug/"),
        ("/api/v1/symptoms/never-out/", "/api/v1/symptoms/no-such-slug/"),
    ):
        response, missing = client.get(url), client.get(unknown)
        assert response.status_code == missing.status_code == 404
        assert "Neveroutsymptom" not in response.content.decode()
        # The same page but for its own address (a page prints it).
        assert response.content.replace(b"never-out", b"SLUG") == (
            missing.content.replace(b"no-such-slug", b"SLUG")
        )
    assert admin_client.get("/symptoms/never-out/").status_code == 200


def test_a_published_record_depends_on_what_it_points_at(kb):
    """A published drug of a draft class, a published class below a draft
    class and their indications are hidden from the public, not from staff."""
    from kbframework.visibility import PUBLIC, STAFF
    from tests.factories import DrugClassFactory, DrugFactory, IndicationFactory
    from treatments.models import Drug, DrugClass, Indication

    draft = DrugClassFactory(status=Status.DRAFT)
    below = DrugClassFactory(parent=draft)
    lowest = DrugClassFactory(parent=below)
    drug = DrugFactory(drug_class=lowest)
    indication = IndicationFactory(drug_class=None, drug=drug)
    for model, row in ((DrugClass, lowest), (Drug, drug), (Indication, indication)):
        assert not PUBLIC.records(model.objects.filter(pk=row.pk)).exists()
        assert STAFF.records(model.objects.filter(pk=row.pk)).exists()
    draft.status = Status.PUBLISHED
    draft.save()
    assert PUBLIC.records(Indication.objects.filter(pk=indication.pk)).exists()
