"""The links between records as data: one read-only resource per link kind,
enumerated from the registry (never a hand list), each with its ends, its
own fields and citations, filters by both ends, CSV, the visibility rule,
constant query counts, and a place in every release."""

import csv
import io
import json
import zipfile

import pytest

from imidkb.releases import cut_release
from kbframework.api.links import link_key, link_resources
from kbframework.choices import Status
from kbframework.models import CitedLink, DataVersion
from kbframework.registry import registry
from kbframework.visibility import dependencies, has_status

pytestmark = pytest.mark.django_db

LINKS = link_resources()
KINDS = [pytest.param(prefix, model, id=prefix) for prefix, model, _v in LINKS]


def rows(client, prefix: str, query: str = "") -> list[dict]:
    response = client.get(f"/api/v1/{prefix}/?page_size=500&{query}")
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["count"] == len(body["results"])
    return body["results"]


def end_names(model) -> list[str]:
    return [field.name for field in dependencies(model)]


def test_every_link_model_of_the_registry_is_a_resource():
    """Every status-less curated link (a CitedLink, identifiers included) and
    every cited record without a resource of its own has a link resource;
    sources and citations are no link kinds."""
    served = {model for _prefix, model, _viewset in LINKS}
    links = {m for m in registry.link_models() if issubclass(m, CitedLink)}
    assert links and links <= served
    own = {resource.model for resource in registry.api_resources()}
    assert served == {m for m in registry.cited_models() if m not in own}
    assert len({prefix for prefix, _m, _v in LINKS}) == len(LINKS)


@pytest.mark.parametrize(("prefix", "model"), KINDS)
def test_a_link_resource_lists_every_published_row_with_ends_and_citations(
    kb, client, prefix, model
):
    """One row per visible link: each end as {slug, name, url} (null when an
    optional end is empty), its own fields, its citations (source, section)."""
    listed = rows(client, prefix)
    assert len(listed) == model.objects.restrict(None).count() > 0
    urls = set()
    for row in listed:
        for name in end_names(model):
            end = row[name]
            if end is not None:
                assert set(end) == {"slug", "name", "url"}
                assert end["url"].endswith(f"/{end['slug']}/")
                urls.add(end["url"])
        for citation in row["citations"]:
            assert set(citation) == {"source", "section"}
            assert set(citation["source"]) == {"slug", "name", "url"}
    # Each end's address answers (each once: a disease has many identifiers).
    for url in sorted(urls):
        assert client.get(url).status_code == 200, url
    assert any(row["citations"] for row in listed)
    first = model.objects.restrict(None).first()
    # (An identifier's `exact` flag is its `match`: exact or loose.)
    shown = {"exact": "match"}
    for field in ("note", "frequency", "role", "kind", "exact", "purpose"):
        if hasattr(first, field):
            assert shown.get(field, field) in listed[0]


@pytest.mark.parametrize(("prefix", "model"), KINDS)
def test_a_link_resource_filters_by_each_end_and_repeated_values(
    kb, client, prefix, model
):
    """?<end>=<slug> keeps the rows with that end; repeating it matches any of
    the values; filters by both ends combine (AND)."""
    listed = rows(client, prefix)
    for name in end_names(model):
        slugs = sorted({row[name]["slug"] for row in listed if row[name]})
        if not slugs:
            continue
        one = rows(client, prefix, f"{name}={slugs[0]}")
        assert one and {row[name]["slug"] for row in one} == {slugs[0]}
        if len(slugs) > 1:
            both = rows(client, prefix, f"{name}={slugs[0]}&{name}={slugs[-1]}")
            assert {row[name]["slug"] for row in both} == {slugs[0], slugs[-1]}
            last = rows(client, prefix, f"{name}={slugs[-1]}")
            assert len(both) == len(one) + len(last)
    row = listed[0]
    query = "&".join(f"{n}={row[n]['slug']}" for n in end_names(model) if row[n])
    assert row in rows(client, prefix, query)


@pytest.mark.parametrize(("prefix", "model"), KINDS)
def test_a_link_resource_is_strict(kb, client, prefix, model):
    """An unknown parameter, an unknown end slug and an ordering are 400s."""
    name = end_names(model)[0]
    for query, parameter in (
        ("colour=red", "colour"),
        (f"{name}=no-such-record", name),
        ("ordering=note", "ordering"),
    ):
        response = client.get(f"/api/v1/{prefix}/?{query}")
        assert response.status_code == 400
        assert parameter in response.json()["errors"]


@pytest.mark.parametrize(("prefix", "model"), KINDS)
def test_a_link_resource_is_served_as_csv(kb, client, prefix, model):
    """The same rows as CSV: ends by slug, a citations column, the release."""
    response = client.get(f"/api/v1/{prefix}/?page_size=500&format=csv")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    table = list(csv.DictReader(io.StringIO(response.content.decode())))
    listed = rows(client, prefix)
    assert len(table) == len(listed)
    assert {*end_names(model), "citations", "release"} <= set(table[0])
    for line, row in zip(table, listed, strict=True):
        for name in end_names(model):
            assert line[name] == (row[name]["slug"] if row[name] else "")
        assert line["citations"] == "; ".join(
            f"{c['source']['slug']}: {c['section']}" for c in row["citations"]
        )


@pytest.mark.parametrize(("prefix", "model"), KINDS)
def test_no_link_to_an_unpublished_record_is_public(
    kb, client, admin_client, prefix, model
):
    """A link to a draft record is gone from the public list (and its slug
    is an unknown filter value), while staff, who preview drafts, see it."""
    row = model.objects.restrict(None).first()
    field = next(
        f
        for f in dependencies(model)
        if has_status(f.related_model) and getattr(row, f.name) is not None
    )
    end = getattr(row, field.name)
    type(end).objects.filter(pk=end.pk).update(status=Status.DRAFT)
    DataVersion.bump()
    key = link_key(model, rows(admin_client, prefix, f"{field.name}={end.slug}")[0])
    assert key in {link_key(model, r) for r in rows(admin_client, prefix)}
    assert key not in {link_key(model, r) for r in rows(client, prefix)}
    same_kind = [f.name for f in dependencies(model) if f.related_model is type(end)]
    for public in rows(client, prefix):
        assert all((public[n] or {}).get("slug") != end.slug for n in same_kind)
    response = client.get(f"/api/v1/{prefix}/?{field.name}={end.slug}")
    assert response.status_code == 400


def test_a_link_through_a_draft_class_is_not_public(kb, client):
    """Visibility follows foreign keys transitively: an indication of a drug
    whose class is a draft is not public."""
    from diseases.models import Disease
    from treatments.models import Drug, DrugClass, Indication

    drug = Drug.objects.restrict(None).first()
    indication = Indication.objects.create(
        drug=drug, disease=Disease.objects.restrict(None).first(), purpose="treat"
    )
    DataVersion.bump()
    assert drug.slug in {
        (r["drug"] or {}).get("slug") for r in rows(client, "indications")
    }
    klass = drug.drug_class
    DrugClass.objects.filter(pk=klass.pk).update(status=Status.DRAFT)
    DataVersion.bump()
    listed = rows(client, "indications")
    assert indication.drug.slug not in {(r["drug"] or {}).get("slug") for r in listed}
    # The drug itself is no longer public: naming it is an unknown slug.
    assert client.get(f"/api/v1/indications/?drug={drug.slug}").status_code == 400
    assert client.get(f"/api/v1/drugs/{indication.drug.slug}/").status_code == 404


def test_a_draft_response_note_is_neither_listed_nor_found(kb, client, admin_client):
    """Response notes are records: a draft one is no row and no detail for
    the public; a published one is addressed by its slug."""
    from treatments.models import ResponseNote

    note = ResponseNote.objects.restrict(None).first()
    detail = client.get(f"/api/v1/response-notes/{note.slug}/")
    assert detail.status_code == 200
    assert detail.json()["url"].endswith(f"/api/v1/response-notes/{note.slug}/")
    ResponseNote.objects.filter(pk=note.pk).update(status=Status.DRAFT)
    DataVersion.bump()
    assert note.slug not in {row["slug"] for row in rows(client, "response-notes")}
    assert client.get(f"/api/v1/response-notes/{note.slug}/").status_code == 404
    assert admin_client.get(f"/api/v1/response-notes/{note.slug}/").status_code == 200


def test_link_frequency_and_role_are_data(kb, client):
    """What the issue found missing: a disease's symptoms with their
    frequency, its mechanisms with their role, as rows."""
    symptoms = rows(client, "disease-symptoms", "disease=rheumatoid-arthritis")
    assert symptoms and all("frequency" in row for row in symptoms)
    mechanisms = rows(client, "disease-mechanisms", "disease=rheumatoid-arthritis")
    assert mechanisms and all(row["role"] for row in mechanisms)


# Queries per list request at any page size: the data version, the count,
# the page (ends joined) and the citations with their sources.
LINK_LIST_QUERIES = 4


@pytest.mark.parametrize(("prefix", "model"), KINDS)
def test_link_list_query_count_is_pinned_and_constant(
    kb, client, django_assert_num_queries, prefix, model
):
    for size in (1, 50):
        with django_assert_num_queries(LINK_LIST_QUERIES):
            assert client.get(f"/api/v1/{prefix}/?page_size={size}").status_code == 200
    name = end_names(model)[0]
    slug = rows(client, prefix)[0][name]["slug"]
    for size in (1, 50):
        # + the filter's lookup of the end's slug
        with django_assert_num_queries(LINK_LIST_QUERIES + 1):
            response = client.get(f"/api/v1/{prefix}/?page_size={size}&{name}={slug}")
            assert response.status_code == 200


def test_a_release_holds_every_link_table(kb, client):
    """The release JSON and the CSV zip carry every link kind's published
    rows; the manifest keys link rows by their natural key."""
    release = cut_release()
    data = json.loads(bytes(release.json_data))
    with zipfile.ZipFile(io.BytesIO(bytes(release.csv_zip))) as archive:
        names = set(archive.namelist())
        tables = {n: archive.read(n).decode() for n in names}
    for prefix, model, _viewset in LINKS:
        published = model.objects.restrict(None)
        assert len(data["resources"][prefix]) == published.count()
        assert release.counts[prefix] == published.count()
        assert f"{prefix}.csv" in names
        lines = list(csv.DictReader(io.StringIO(tables[f"{prefix}.csv"])))
        assert len(lines) == published.count()
        assert {"citations", "release"} <= set(lines[0])
        for row in published[:3]:
            key = "/".join("" if p is None else str(p) for p in row.natural_key())
            assert key in release.manifest[prefix]


def test_the_changelog_names_a_changed_link_by_its_ends(kb):
    """An edit of a link between two releases is listed under its kind, by
    its ends' slugs."""
    from diseases.models import DiseaseSymptom

    cut_release()
    link = DiseaseSymptom.objects.restrict(None).first()
    DiseaseSymptom.objects.filter(pk=link.pk).update(note="Changed for the test.")
    DataVersion.bump()
    second = cut_release()
    key = f"{link.disease.slug}/{link.symptom.slug}"
    # (The disease's and the symptom's records embed the link: changed too.)
    assert second.changelog["changed"]["disease-symptoms"] == [key]
    assert "disease-symptoms" not in second.changelog["added"]


def test_the_schema_documents_every_link_resource_and_its_filters(client):
    document = client.get(
        "/api/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json"
    ).json()
    for prefix, model, _viewset in LINKS:
        operation = document["paths"][f"/api/v1/{prefix}/"]["get"]
        names = {p["name"] for p in operation["parameters"]}
        assert set(end_names(model)) <= names
        assert "ordering" not in names
        assert all(p.get("description") for p in operation["parameters"])
