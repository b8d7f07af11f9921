"""The identifier resolver (/id/<CURIE>) and the HL7 Infobutton lookup
(/infobutton/): every identifier of the reference file the knowledge base
uses, in every form people paste it."""

import csv
import xml.etree.ElementTree as ET
from collections import defaultdict
from pathlib import Path

import pytest

from diseases.models import Disease, DiseaseXref, Symptom
from imidkb.resolver import INFOBUTTON_SYSTEMS
from kbframework.choices import Status
from kbframework.registry import registry

pytestmark = pytest.mark.django_db

XREFS = Path(__file__).resolve().parents[3] / "shared" / "reference" / "xrefs.tsv"
# Systems with OBO PURLs (http://purl.obolibrary.org/obo/<PREFIX>_<local>).
OBO = {"MONDO", "DOID", "HP", "CHEBI"}
ICD10CM = "2.16.840.1.113883.6.90"


def reference_rows() -> list[dict]:
    with XREFS.open(encoding="utf-8") as handle:
        return list(csv.DictReader(handle, delimiter="\t"))


def held() -> dict[str, list[tuple[object, bool]]]:
    """Every identifier the knowledge base holds: CURIE -> (record, exact)."""
    found = defaultdict(list)
    for resource in registry.searchable():
        model = resource.model
        xrefs = getattr(model, "xrefs", None)
        if xrefs is not None:
            for record in model.objects.prefetch_related("xrefs"):
                for xref in record.xrefs.all():
                    found[xref.identifier].append((record, xref.exact))
    for symptom in Symptom.objects.exclude(hpo_id=""):
        found[symptom.hpo_id].append((symptom, True))
    return found


def forms(curie: str) -> list[str]:
    """The forms of one CURIE the resolver takes."""
    prefix, local = curie.split(":", 1)
    written = [curie, f"{prefix}_{local}", curie.lower()]
    if prefix in OBO:
        written.append(f"http://purl.obolibrary.org/obo/{prefix}_{local}")
        # A proxy that collapses // in the path.
        written.append(f"http:/purl.obolibrary.org/obo/{prefix}_{local}")
    if prefix == "ORPHA":
        written.append(f"http://www.orpha.net/ORDO/Orphanet_{local}")
    return written


def test_every_reference_identifier_the_kb_uses_resolves_in_every_form(kb, client):
    holding = held()
    used = [row for row in reference_rows() if row["identifier"] in holding]
    # The reference file is the knowledge base's: nearly all of it is used.
    assert len(used) >= 150
    assert {row["system"] for row in used} >= {
        "MONDO", "DOID", "ICD10", "ICD10CM", "MESH", "ICD11", "ORPHA", "UMLS",
        "HP", "ATC", "CHEBI",
    }  # fmt: skip
    failures = []
    for row in used:
        curie = row["identifier"]
        exact = [record for record, is_exact in holding[curie] if is_exact]
        for written in forms(curie):
            page = client.get(f"/id/{written}")
            api = client.get(f"/id/{written}", HTTP_ACCEPT="application/json")
            if len(exact) == 1:
                record = exact[0]
                expected = [
                    f"http://testserver{record.get_absolute_url()}",
                    f"/{record.slug}/",
                ]
                if not (
                    page.status_code == 303
                    and page["Location"] == expected[0]
                    and api.status_code == 303
                    and api["Location"].startswith("http://testserver/api/v1/")
                    and api["Location"].endswith(expected[1])
                    and "Accept" in page["Vary"]
                ):
                    failures.append((written, page.status_code, api.status_code))
            elif exact:
                if page.status_code != 300 or api.status_code != 300:
                    failures.append((written, page.status_code, api.status_code))
            else:
                # Loose only: a 404 that lists the loose matches.
                body = api.json()
                slugs = {m["record"]["slug"] for m in body["matches"]}
                loose = {record.slug for record, _exact in holding[curie]}
                if api.status_code != 404 or slugs != loose or page.status_code != 404:
                    failures.append((written, page.status_code, api.status_code))
    assert failures == []


def test_a_loose_only_code_is_a_404_that_names_the_loose_match(kb, client):
    xref = DiseaseXref.objects.filter(exact=False).select_related("disease").first()
    response = client.get(f"/id/{xref.identifier}", HTTP_ACCEPT="application/json")
    assert response.status_code == 404
    (match,) = [
        m
        for m in response.json()["matches"]
        if m["record"]["slug"] == xref.disease.slug
    ]
    assert match["match"] == "loose"
    page = client.get(f"/id/{xref.identifier}")
    assert page.status_code == 404
    assert xref.disease.name in page.content.decode()
    assert "loose match" in page.content.decode()


@pytest.mark.parametrize(
    "value", ["MONDO:9999999", "HP:9999999", "ATC:Z99ZZ99", "ORPHA:999999999"]
)
def test_an_identifier_not_held_is_a_404(kb, client, value):
    response = client.get(f"/id/{value}", HTTP_ACCEPT="application/json")
    assert response.status_code == 404
    assert response.json()["matches"] == []
    assert "holds no record" in response.json()["detail"]


@pytest.mark.parametrize(
    "value", ["garbage", "M06.9", "XYZ:123", "MONDO:abc", "MONDO:", "%00", "a" * 300]
)
def test_what_is_no_prefixed_identifier_is_a_400(kb, client, value):
    """A bare code names no system (M06.9 is in two): the resolver wants the
    prefix; anything else is no identifier."""
    response = client.get(f"/id/{value}", HTTP_ACCEPT="application/json")
    assert response.status_code == 400
    assert "prefix" in response.json()["detail"]
    assert client.get(f"/id/{value}").status_code == 400


def test_a_draft_is_resolved_for_staff_only(kb, client, admin_client):
    xref = DiseaseXref.objects.filter(
        exact=True, identifier__startswith="MONDO:"
    ).first()
    Disease.objects.filter(pk=xref.disease_id).update(status=Status.DRAFT)
    assert client.get(f"/id/{xref.identifier}").status_code == 404
    staff = admin_client.get(f"/id/{xref.identifier}")
    assert staff.status_code == 303


def test_the_kb_own_identifiers_resolve(kb, client):
    """IMIDKB:<api prefix>/<slug>, the exports' identifier of a record."""
    response = client.get("/id/IMIDKB:diseases/psoriasis")
    assert response.status_code == 303
    assert response["Location"].endswith("/diseases/psoriasis/")
    api = client.get("/id/IMIDKB:diseases/psoriasis", HTTP_ACCEPT="application/json")
    assert api["Location"].endswith("/api/v1/diseases/psoriasis/")
    assert client.get("/id/IMIDKB:diseases/no-such-disease").status_code == 404


def held_icd10cm() -> DiseaseXref:
    return (
        DiseaseXref.objects.filter(exact=True, identifier__startswith="ICD10CM:")
        .select_related("disease")
        .order_by("identifier")
        .first()
    )


def infobutton(client, code, response_type=None, system=ICD10CM):
    params = {"mainSearchCriteria.v.cs": system, "mainSearchCriteria.v.c": code}
    if response_type:
        params["knowledgeResponseType"] = response_type
    return client.get("/infobutton/", params)


def test_infobutton_answers_a_held_icd10cm_code(kb, client):
    xref = held_icd10cm()
    code = xref.identifier.split(":", 1)[1]
    response = infobutton(client, code, "application/json")
    assert response.status_code == 200
    (entry,) = response.json()["feed"]["entries"]
    assert entry["title"] == xref.disease.name
    assert entry["summary"] == xref.disease.summary
    assert entry["link"].endswith(xref.disease.get_absolute_url())
    assert entry["sources"]
    assert "IMID-KB" in response.json()["feed"]["how_to_cite"]

    xml = infobutton(client, code, "text/xml")
    assert xml["Content-Type"].startswith("text/xml")
    root = ET.fromstring(xml.content)
    atom = "{http://www.w3.org/2005/Atom}"
    assert root.tag == f"{atom}feed"
    (node,) = root.findall(f"{atom}entry")
    assert node.find(f"{atom}title").text == xref.disease.name
    assert (
        node.find(f"{atom}link").get("href").endswith(xref.disease.get_absolute_url())
    )

    redirect = infobutton(client, code)
    assert redirect.status_code == 303
    assert redirect["Location"].endswith(xref.disease.get_absolute_url())


def test_infobutton_answers_404_for_a_code_it_does_not_hold(kb, client):
    assert not DiseaseXref.objects.filter(identifier="ICD10CM:Z99.89").exists()
    response = infobutton(client, "Z99.89", "application/json")
    assert response.status_code == 404
    assert "holds no disease" in response.json()["detail"]
    xml = infobutton(client, "Z99.89", "text/xml")
    assert xml.status_code == 404
    assert ET.fromstring(xml.content).tag == "error"
    assert infobutton(client, "Z99.89").status_code == 404


def test_infobutton_does_not_answer_a_loose_match(kb, client):
    loose = DiseaseXref.objects.filter(exact=False, identifier__startswith="ICD10CM:")
    for xref in loose:
        if not DiseaseXref.objects.filter(identifier=xref.identifier, exact=True):
            code = xref.identifier.split(":", 1)[1]
            assert infobutton(client, code, "application/json").status_code == 404


@pytest.mark.parametrize(
    "params",
    [
        {},
        {"mainSearchCriteria.v.c": "L40"},
        {
            "mainSearchCriteria.v.cs": "2.16.840.1.113883.6.96",
            "mainSearchCriteria.v.c": "L40",
        },
        {"mainSearchCriteria.v.cs": ICD10CM},
        {"mainSearchCriteria.v.cs": ICD10CM, "mainSearchCriteria.v.c": "not a code"},
        {
            "mainSearchCriteria.v.cs": ICD10CM,
            "mainSearchCriteria.v.c": "L40",
            "knowledgeResponseType": "text/html",
        },
    ],
)
def test_infobutton_refuses_what_it_cannot_answer_with_a_400(kb, client, params):
    response = client.get("/infobutton/", params)
    assert response.status_code == 400
    body = response.json()
    assert {s["oid"] for s in body["supported_code_systems"]} == set(INFOBUTTON_SYSTEMS)


def test_the_api_identifier_filter_takes_the_resolver_forms(kb, client):
    xref = DiseaseXref.objects.filter(
        exact=True, identifier__startswith="MONDO:"
    ).first()
    prefix, local = xref.identifier.split(":")
    for written in [*forms(xref.identifier), f"{prefix}:{int(local)}"]:
        if written.startswith("http:/p"):
            continue  # the collapsed // is the resolver's path, not a query
        response = client.get("/api/v1/diseases/", {"identifier": written})
        assert response.status_code == 200, written
        assert [d["slug"] for d in response.json()["results"]] == [xref.disease.slug]
    assert client.get("/api/v1/diseases/", {"identifier": "garbage"}).status_code == 400
