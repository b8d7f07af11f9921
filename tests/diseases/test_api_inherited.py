"""What a researcher reads in the API that the sources state for a disease's
groups (at every level) and for a drug's classes: the same as the pages show,
each group or class with the path up to it, never copied into the record's
own fields, never through a draft for the public; read in a constant number
of queries."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from diseases.models import Disease, DiseaseMembership, DiseaseSymptom
from kbframework.inheritance import MAX_DEPTH
from kbframework.registry import registry
from tests.factories import (
    DiseaseFactory,
    DiseaseMembershipFactory,
    DrugClassFactory,
    DrugFactory,
    FigureFactory,
    IndicationFactory,
    SymptomFactory,
)
from treatments.models import DrugClass, Indication

pytestmark = pytest.mark.django_db

# Each group's facts, by key: the disease's own fields of the same name, then
# every section another app registers for a disease with `inherited`.
DISEASE_FACTS = ["symptoms", "mechanisms", "relations"]
CLASS_FACTS = ["indications", "adverse_effects", "response_notes"]


def inherited_sections() -> list[str]:
    return [
        section.name
        for section in registry.sections(Disease)
        if section.inherited and section.serializer_field is not None
    ]


def detail(client, resource: str, slug: str) -> dict:
    response = client.get(f"/api/v1/{resource}/{slug}/")
    assert response.status_code == 200, (resource, slug)
    return response.json()


def by_group(body: dict) -> dict:
    return {entry["group"]["slug"]: entry for entry in body["stated_for_groups"]}


def test_crohns_detail_gives_its_groups_treatments_and_figures(kb, client):
    """The sources name no treatment and give no figure for Crohn's disease
    itself; the API gives what they state for IBD and the IMID group, each
    under its group, IBD (the narrower group) first, as the page does."""
    body = detail(client, "diseases", "crohns-disease")
    assert body["treatments"] == [] and body["figures"] == []
    groups = [entry["group"]["slug"] for entry in body["stated_for_groups"]]
    assert groups.index("inflammatory-bowel-disease") < groups.index("imid")
    entries = by_group(body)
    ibd, imid = entries["inflammatory-bowel-disease"], entries["imid"]
    assert "immunosuppressants" in {t["drug_class"]["slug"] for t in ibd["treatments"]}
    assert "biologics" in {t["drug_class"]["slug"] for t in imid["treatments"]}
    assert "0.7%" in {figure["display"] for figure in ibd["figures"]}
    assert {figure["disease"]["slug"] for figure in ibd["figures"]} == {
        "inflammatory-bowel-disease"
    }


def test_a_group_two_levels_up_names_the_way_there(kb, client):
    """Autoimmune diseases is above Crohn's disease through IBD: its entry's
    path says so, each step a link."""
    body = detail(client, "diseases", "crohns-disease")
    entry = by_group(body)["autoimmune-diseases"]
    assert [step["name"] for step in entry["path"]] == [
        "Crohn's disease",
        "Inflammatory bowel disease",
        "Autoimmune diseases",
    ]
    assert entry["path"][-1] == entry["group"]
    assert entry["path"][0]["url"] == body["url"]
    assert entry["path"][1]["url"].endswith(
        "/api/v1/diseases/inflammatory-bowel-disease/"
    )


def test_every_group_above_gives_what_is_stated_for_it_and_nothing_else(kb, client):
    """For every disease, every group above it (the same groups as its page)
    comes with exactly what the group's own detail states, every inherited
    section registered for a disease included; the disease's own fields keep
    only its own rows."""
    facts = [*DISEASE_FACTS, *inherited_sections()]
    assert {"treatments", "response_notes", "figures"} <= set(facts)
    groups: dict[str, dict] = {}
    checked = 0
    for disease in Disease.objects.published().order_by("slug"):
        body = detail(client, "diseases", disease.slug)
        Disease.objects.with_groups_above([disease], None)
        expected = [above.record.slug for above in disease.above]
        assert [e["group"]["slug"] for e in body["stated_for_groups"]] == expected
        for entry in body["stated_for_groups"]:
            slug = entry["group"]["slug"]
            if slug not in groups:
                groups[slug] = detail(client, "diseases", slug)
            assert entry["path"][0]["slug"] == disease.slug
            for key in facts:
                assert entry[key] == groups[slug][key], (disease.slug, slug, key)
                checked += len(entry[key])
        for figure in body["figures"]:
            assert figure["disease"]["slug"] == disease.slug
    assert checked > 50


def test_rheumatoid_arthritis_keeps_its_own_and_its_groups_apart(kb, client):
    body = detail(client, "diseases", "rheumatoid-arthritis")
    own = {t["drug_class"]["slug"] for t in body["treatments"] if t["drug_class"]}
    inherited = {
        t["drug_class"]["slug"]
        for entry in body["stated_for_groups"]
        for t in entry["treatments"]
        if t["drug_class"]
    }
    assert "immunosuppressants" in own  # stated for RA itself
    assert "biologics" in inherited and "biologics" not in own


def test_inherited_facts_are_shown_not_copied(kb, client):
    """Nothing is written for a member: the API reads the group's rows."""
    before = Indication.objects.count(), DiseaseSymptom.objects.count()
    body = detail(client, "diseases", "crohns-disease")
    assert any(entry["treatments"] for entry in body["stated_for_groups"])
    assert (Indication.objects.count(), DiseaseSymptom.objects.count()) == before
    assert not Disease.objects.get(slug="crohns-disease").indications.exists()


def test_group_symptoms_stays_the_symptoms_of_its_direct_groups(kb, client):
    """The older field, kept for compatibility: the symptoms stated for the
    groups one level up, the same rows as those groups' entries."""
    body = detail(client, "diseases", "systemic-lupus-erythematosus")
    direct = [
        (symptom["symptom"]["slug"], entry["group"]["slug"])
        for membership in body["parents"]
        for entry in body["stated_for_groups"]
        if entry["group"]["slug"] == membership["slug"]
        for symptom in entry["symptoms"]
    ]
    old = [
        (symptom["symptom"]["slug"], symptom["stated_for"]["slug"])
        for symptom in body["group_symptoms"]
    ]
    assert sorted(old) == sorted(direct)
    assert ("fatigue", "imid") in old


def test_a_group_reached_only_through_a_draft_group_is_hidden(kb, client, admin_client):
    """The public never learns of a draft group, nor of what lies above it
    through it; staff see both, with the way up."""
    draft = DiseaseFactory(
        kind=Disease.Kind.GROUP, name="Draft umbrella", status="draft"
    )
    top = DiseaseFactory(kind=Disease.Kind.GROUP, name="Topmost published group")
    member = DiseaseFactory(name="Lone member")
    DiseaseMembership.objects.create(parent=draft, member=member)
    DiseaseMembership.objects.create(parent=top, member=draft)
    symptom = SymptomFactory(name="Topmost symptom")
    DiseaseSymptom.objects.create(disease=top, symptom=symptom)
    IndicationFactory(disease=top, drug_class=DrugClass.objects.first())
    FigureFactory(disease=top)
    url = f"/api/v1/diseases/{member.slug}/"
    public = client.get(url)
    assert public.status_code == 200
    assert public.json()["stated_for_groups"] == []
    text = public.content.decode()
    assert "Draft umbrella" not in text and "Topmost" not in text
    assert draft.slug not in text and top.slug not in text
    staff = admin_client.get(url).json()
    entries = by_group(staff)
    assert set(entries) == {draft.slug, top.slug}
    assert [step["slug"] for step in entries[top.slug]["path"]] == [
        member.slug,
        draft.slug,
        top.slug,
    ]
    assert [s["symptom"]["slug"] for s in entries[top.slug]["symptoms"]] == [
        symptom.slug
    ]
    assert entries[top.slug]["figures"] and entries[top.slug]["treatments"]


def test_a_draft_fact_of_a_published_group_is_hidden(kb, client, admin_client):
    group = DiseaseFactory(kind=Disease.Kind.GROUP)
    member = DiseaseFactory()
    DiseaseMembership.objects.create(parent=group, member=member)
    FigureFactory(disease=group, status="draft", slug="draft-group-figure")
    url = f"/api/v1/diseases/{member.slug}/"
    (entry,) = client.get(url).json()["stated_for_groups"]
    assert entry["figures"] == []
    (entry,) = admin_client.get(url).json()["stated_for_groups"]
    assert [figure["slug"] for figure in entry["figures"]] == ["draft-group-figure"]


def chain(depth: int, facts: bool = True) -> Disease:
    """A disease with `depth` groups above it, one above the other, each with
    a symptom, an indication and a figure stated for it."""
    member = DiseaseFactory()
    below = member
    for _ in range(depth):
        group = DiseaseFactory(kind=Disease.Kind.GROUP)
        DiseaseMembershipFactory(parent=group, member=below)
        if facts:
            DiseaseSymptom.objects.create(disease=group, symptom=SymptomFactory())
            IndicationFactory(disease=group)
            FigureFactory(disease=group)
        below = group
    return member


def test_groups_above_cost_the_same_queries_at_any_depth(
    kb, wsgi, django_assert_num_queries
):
    """Through the production WSGI application: a disease with one group
    above it and one with MAX_DEPTH, each group stating symptoms, treatments
    and figures, cost the same (not a query per group)."""
    shallow, deep = chain(1), chain(MAX_DEPTH)

    def queries(disease) -> int:
        with CaptureQueriesContext(connection) as captured:
            response = wsgi(f"/api/v1/diseases/{disease.slug}/")
        assert response.status_code == 200
        return len(captured)

    assert queries(shallow) == queries(deep)
    body = wsgi(f"/api/v1/diseases/{deep.slug}/").json()
    assert len(body["stated_for_groups"]) == MAX_DEPTH
    assert [len(entry["path"]) for entry in body["stated_for_groups"]] == list(
        range(2, MAX_DEPTH + 2)
    )
    assert all(entry["figures"] for entry in body["stated_for_groups"])


def test_a_member_detail_costs_the_same_with_more_groups_above(
    kb, wsgi, django_assert_num_queries
):
    crohns = Disease.objects.get(slug="crohns-disease")
    url = "/api/v1/diseases/crohns-disease/"
    with CaptureQueriesContext(connection) as before:
        wsgi(url)
    group = DiseaseFactory(kind=Disease.Kind.GROUP)
    DiseaseMembershipFactory(parent=group, member=crohns)
    higher = DiseaseFactory(kind=Disease.Kind.GROUP)
    DiseaseMembershipFactory(parent=higher, member=group)
    IndicationFactory(disease=higher)
    FigureFactory(disease=higher)
    with django_assert_num_queries(len(before)):
        assert wsgi(url).status_code == 200


# ------------------------------------------------------------------ drugs


def by_class(body: dict) -> dict:
    return {entry["drug_class"]["slug"]: entry for entry in body["stated_for_classes"]}


def test_drug_detail_gives_its_class_and_the_classes_above(kb, client):
    """Ciclosporin: its class states nothing; immunosuppressants, above it,
    state the infection risk and the uses, each under its class with the
    way up; the drug's own indications stay its own."""
    body = detail(client, "drugs", "ciclosporin")
    classes = [entry["drug_class"]["slug"] for entry in body["stated_for_classes"]]
    assert classes[:2] == ["calcineurin-inhibitors", "immunosuppressants"]
    assert classes[-1] == "immunomodulators"
    entries = by_class(body)
    assert [s["slug"] for s in entries["calcineurin-inhibitors"]["path"]] == [
        "ciclosporin",
        "calcineurin-inhibitors",
    ]
    assert [s["name"] for s in entries["immunomodulators"]["path"]] == [
        "Ciclosporin",
        "Calcineurin inhibitors",
        "Immunosuppressants",
        "Immunomodulatory drugs",
    ]
    assert entries["immunomodulators"]["path"][0]["url"] == body["url"]
    immuno = entries["immunosuppressants"]
    assert "infections" in {a["effect"]["slug"] for a in immuno["adverse_effects"]}
    assert "transplant-rejection" in {
        i["disease"]["slug"] for i in immuno["indications"]
    }
    own = {i["disease"]["slug"] for i in body["indications"]}
    assert "transplant-rejection" not in own


def test_every_class_above_gives_what_is_stated_for_it(kb, client):
    """For every drug and class, each class above it comes with exactly what
    that class's own detail states."""
    from treatments.models import Drug

    classes: dict[str, dict] = {}

    def own(slug):
        if slug not in classes:
            classes[slug] = detail(client, "drug-classes", slug)
        return classes[slug]

    checked = 0
    records = [("drugs", d.slug) for d in Drug.objects.published()]
    records += [("drug-classes", c.slug) for c in DrugClass.objects.published()]
    for resource, slug in records:
        body = detail(client, resource, slug)
        if resource == "drugs":
            assert body["stated_for_classes"][0]["drug_class"] == body["drug_class"]
        for entry in body["stated_for_classes"]:
            assert entry["path"][0]["slug"] == slug
            assert entry["path"][-1] == entry["drug_class"]
            for key in CLASS_FACTS:
                expected = own(entry["drug_class"]["slug"])[key]
                assert entry[key] == expected, (slug, entry["drug_class"], key)
                checked += len(expected)
    assert checked > 50


def test_class_detail_gives_the_classes_above_it(kb, client):
    body = detail(client, "drug-classes", "immunosuppressants")
    (entry,) = body["stated_for_classes"]
    assert entry["drug_class"]["slug"] == "immunomodulators"
    assert [s["slug"] for s in entry["path"]] == [
        "immunosuppressants",
        "immunomodulators",
    ]
    assert (
        detail(client, "drug-classes", "immunomodulators")["stated_for_classes"] == []
    )


def test_a_use_stated_for_a_class_reaches_every_drug_below(kb, client):
    top = DrugClass.objects.get(slug="immunomodulators")
    target = DiseaseFactory(name="Freshly indicated disease")
    IndicationFactory(drug_class=top, disease=target)
    for drug in ("ciclosporin", "prednisone", "sirolimus"):
        body = detail(client, "drugs", drug)
        assert target.slug in {
            i["disease"]["slug"] for i in by_class(body)[top.slug]["indications"]
        }
        assert target.slug not in {i["disease"]["slug"] for i in body["indications"]}


def test_a_class_below_a_draft_class_is_hidden_with_its_drugs(kb, client, admin_client):
    """A draft class in the way hides what is below it from the public (a
    drug of a class below a draft is not public); staff see the way up."""
    top = DrugClassFactory(name="Topmost published class")
    IndicationFactory(drug_class=top, disease=DiseaseFactory(name="Top use"))
    middle = DrugClassFactory(name="Draft middle class", parent=top, status="draft")
    leaf = DrugClassFactory(parent=middle)
    drug = DrugFactory(drug_class=leaf)
    assert client.get(f"/api/v1/drugs/{drug.slug}/").status_code == 404
    assert client.get(f"/api/v1/drug-classes/{leaf.slug}/").status_code == 404
    body = admin_client.get(f"/api/v1/drugs/{drug.slug}/").json()
    assert [e["drug_class"]["slug"] for e in body["stated_for_classes"]] == [
        leaf.slug,
        middle.slug,
        top.slug,
    ]
    assert by_class(body)[top.slug]["indications"][0]["disease"]["name"] == "Top use"


def test_a_draft_use_of_a_published_class_is_hidden(kb, client, admin_client):
    klass = DrugClass.objects.get(slug="immunosuppressants")
    secret = DiseaseFactory(name="Secret draft disease", status="draft")
    IndicationFactory(drug_class=klass, disease=secret)
    public = client.get("/api/v1/drugs/ciclosporin/")
    assert "Secret draft disease" not in public.content.decode()
    staff = admin_client.get("/api/v1/drugs/ciclosporin/").json()
    uses = by_class(staff)["immunosuppressants"]["indications"]
    assert secret.slug in {use["disease"]["slug"] for use in uses}


def test_drug_detail_costs_the_same_at_any_class_depth(kb, wsgi):
    def drug_under(depth: int):
        klass = None
        for _ in range(depth):
            klass = DrugClassFactory(parent=klass)
            IndicationFactory(drug_class=klass)
        return DrugFactory(drug_class=klass)

    def queries(drug) -> int:
        with CaptureQueriesContext(connection) as captured:
            response = wsgi(f"/api/v1/drugs/{drug.slug}/")
        assert response.status_code == 200
        return len(captured)

    shallow, deep = drug_under(2), drug_under(MAX_DEPTH)
    assert queries(shallow) == queries(deep)
    body = wsgi(f"/api/v1/drugs/{deep.slug}/").json()
    assert len(body["stated_for_classes"]) == MAX_DEPTH


# ------------------------------------------------------- schema, releases


def test_the_schema_documents_what_is_stated_above(client):
    document = client.get(
        "/api/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json"
    ).json()
    schemas = document["components"]["schemas"]
    disease = schemas["DiseaseDetail"]["properties"]
    assert disease["stated_for_groups"]["items"]["$ref"].endswith("/StatedForGroup")
    assert "every level" in disease["stated_for_groups"]["description"]
    assert disease["group_symptoms"]["description"].startswith("Deprecated")
    group = schemas["StatedForGroup"]["properties"]
    assert {"group", "path", *DISEASE_FACTS, *inherited_sections()} == set(group)
    for name in ("DrugDetail", "DrugClassDetail"):
        field = schemas[name]["properties"]["stated_for_classes"]
        assert field["items"]["$ref"].endswith("/StatedForClass")
    klass = schemas["StatedForClass"]["properties"]
    assert {"drug_class", "path", *CLASS_FACTS} == set(klass)
    assert set(schemas["PathLink"]["properties"]) == {"slug", "name", "url"}


def test_releases_keep_facts_on_the_records_they_are_stated_for(kb):
    """A release is the records as stated: what is stated above is derived
    from the groups' and classes' own records, so it is not repeated."""
    import json
    from io import StringIO

    from django.core.management import call_command

    from kbframework.models import Release

    call_command("cutrelease", stdout=StringIO())
    data = json.loads(bytes(Release.objects.get().json_data))["resources"]
    lupus = next(
        d for d in data["diseases"] if d["slug"] == "systemic-lupus-erythematosus"
    )
    assert "stated_for_groups" not in lupus
    assert ("fatigue", "imid") in {
        (s["symptom"]["slug"], s["stated_for"]["slug"]) for s in lupus["group_symptoms"]
    }
    assert all("stated_for_classes" not in d for d in data["drugs"])
    assert all("stated_for_classes" not in c for c in data["drug-classes"])
