"""One shape for each kind of thing, on every resource: every identifier is
{curie, system, code, label, match, preferred, lookup_url, note}; every
reference to another record is a link {slug, name, url} (or the record
itself, in its list shape); no database id is shown; every moment is ISO 8601
in UTC ending in Z; a value the source does not state is null, never "".

The resources are the router's and the records every record their lists
show: the whole JSON of every list and every detail is walked (and the CSV,
the whole-table downloads and a release's files), so that a new resource,
field or nesting is checked without being named here."""

import csv
import io
import json
import re
import zipfile
from urllib.parse import urlparse

import pytest
from django.apps import apps
from django.db import models
from django.urls import Resolver404, resolve
from django.utils import timezone

from diseases.models import Disease
from imidkb.releases import cut_release
from imidkb.router import record_routes
from kbframework.api.serializers import IdentifierSerializer
from kbframework.registry import registry

pytestmark = pytest.mark.django_db

IDENTIFIER_KEYS = set(IdentifierSerializer().fields)
LINK_KEYS = {"slug", "name", "url"}
# A moment as ISO 8601 (a date and a time); a date alone is no moment.
MOMENT = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}")
# What identifiers and links were called before they had one shape.
OLD_NAMES = {"hpo_id", "hpo_label", "atc_code", "identifier", "exact"}
VIEWSETS = {basename: viewset for _prefix, viewset, basename in record_routes()}


def resource_models() -> set:
    """The models that have an API resource (records and link kinds)."""
    return {viewset.queryset.model for viewset in VIEWSETS.values()}


def reference_keys() -> set[str]:
    """The names under which a record can be referred to: every foreign key
    (of any model) to a model with an API resource, and each resource's
    name (a list of them)."""
    targets = resource_models()
    names = {
        field.name
        for model in apps.get_models()
        for field in model._meta.concrete_fields
        if isinstance(field, models.ForeignKey) and field.related_model in targets
    }
    names |= {prefix.replace("-", "_") for prefix, _v, _b in record_routes()}
    return names - {"releases"}


REFERENCE_KEYS = reference_keys()


# Objects keyed by resource name, not references: a release's counts and
# its changelog (each resource's added, changed and retired keys).
MAPS = {"counts", "changelog"}


def walk(value, path="$"):
    """(path, key, value, parent) of every key in a JSON tree, the maps of
    MAPS left out."""
    if isinstance(value, dict):
        for key, item in value.items():
            if key in MAPS:
                continue
            yield f"{path}.{key}", key, item, value
            yield from walk(item, f"{path}.{key}")
    elif isinstance(value, list):
        for index, item in enumerate(value):
            yield from walk(item, f"{path}[{index}]")


def record_of(url: str):
    """(viewset, slug) of the API record an address names, or None."""
    try:
        match = resolve(urlparse(url).path)
    except Resolver404:
        return None
    name = match.url_name or ""
    if not name.endswith("-detail") or "slug" not in match.kwargs:
        return None
    viewset = VIEWSETS.get(name.removesuffix("-detail"))
    return (viewset, match.kwargs["slug"]) if viewset else None


def list_keys(viewset) -> set[str]:
    return set(viewset.serializer_class(context={"request": None}).fields)


def check_tree(body, where: str, *, is_list: bool = False) -> None:
    """Every rule of the module, on one JSON document: a record (or a list
    of them, `is_list`, whose rows are records) and what is nested in it."""
    roots = body["results"] if is_list else [body]
    for path, key, value, _parent in [("$", None, body, None), *walk(body)]:
        at = f"{where} {path}"
        if key is not None:
            check_key(key, value, at)
        if isinstance(value, dict):
            check_object(value, at, is_root=any(value is root for root in roots))


def check_key(key: str, value, at: str) -> None:
    assert key not in OLD_NAMES, f"{at}: an old name"
    if key in ("id", "pk") or key.endswith("_id"):
        assert not isinstance(value, int), f"{at}: a database id"
    if isinstance(value, str) and MOMENT.match(value):
        assert value.endswith("Z"), f"{at}: {value} is not UTC with Z"
    # A release's `resources`: the URL of each resource it froze, by name.
    frozen = ".resources." in at and isinstance(value, str) and "/releases/" in value
    if key in REFERENCE_KEYS and not frozen:
        items = value if isinstance(value, list) else [value]
        assert all(item is None or isinstance(item, dict) for item in items), (
            f"{at}: a reference to a record must be a link, not {value!r}"
        )
    if key == "identifiers":
        assert isinstance(value, list), at
        assert all(set(item) == IDENTIFIER_KEYS for item in value), at


def check_object(value: dict, at: str, *, is_root: bool) -> None:
    if "curie" in value:
        check_identifier(value, at)
    if "slug" in value and not is_root:
        check_reference(value, at)
    for key, item in value.items():
        assert item != "" or key not in CHOICE_KEYS, f"{at}.{key}: a blank choice"


def check_identifier(value: dict, at: str) -> None:
    """An identifier object, or a row of identifiers: the identifier's keys
    plus the row's end (a link) and its citations."""
    extra = set(value) - IDENTIFIER_KEYS
    assert set(value) >= IDENTIFIER_KEYS, f"{at}: {sorted(value)}"
    assert all(k == "citations" or isinstance(value[k], dict) for k in extra), at
    system, _sep, code = value["curie"].partition(":")
    assert code == value["code"], at
    assert value["system"] == system.upper() or system == "icd11.foundation", at
    assert value["match"] in ("exact", "loose"), at
    assert value["preferred"] in (True, False, None), at
    assert value["label"] is None or value["label"], at
    lookup = value["lookup_url"]
    assert lookup is None or lookup.startswith("https://"), at
    assert lookup is None or record_of(lookup) is None, f"{at}: not an API URL"


def check_reference(value: dict, at: str) -> None:
    """A nested object naming a record: the link {slug, name, url}, or the
    record in its list shape (without, perhaps, the end that is the record
    it is nested in), at its own address."""
    assert "url" in value, f"{at}: names a record without its address"
    found = record_of(value["url"])
    assert found is not None, f"{at}: {value['url']} is no record's address"
    viewset, slug = found
    assert slug == value["slug"], at
    if set(value) != LINK_KEYS:
        assert set(value) <= list_keys(viewset), (
            f"{at}: neither a link nor the record: {sorted(value)}"
        )


def choice_keys() -> set[str]:
    """The names of choice fields, in every model: a blank one has a value
    of its own in the API (null, or an explicit word), never ""."""
    return {
        field.name
        for model in apps.get_models()
        for field in model._meta.concrete_fields
        if field.choices and "" in dict(field.flatchoices)
    }


CHOICE_KEYS = choice_keys()


def every_document(client):
    """(where, JSON, is a list) of every list and every record's detail."""
    for prefix, viewset, _basename in record_routes():
        response = client.get(f"/api/v1/{prefix}/?page_size=500")
        assert response.status_code == 200, prefix
        body = response.json()
        yield f"/api/v1/{prefix}/", body, True
        for row in body["results"]:
            found = record_of(row.get("url") or "/")
            if found is not None and found[0] is viewset:
                detail = client.get(row["url"])
                assert detail.status_code == 200, row["url"]
                yield row["url"], detail.json(), False


@pytest.fixture
def with_release(kb):
    """The knowledge base with a record changed just now (a moment that is
    not a fixture's round one) and a release cut."""
    disease = Disease.objects.get(slug="psoriasis")
    Disease.objects.filter(pk=disease.pk).update(updated=timezone.now())
    return cut_release(note="shapes")


def test_the_rules_see_what_they_check(kb):
    """The generic rules have something to hold on to (no vacuous pass)."""
    assert {"disease", "study", "source", "drug_class", "symptom"} <= REFERENCE_KEYS
    assert {"frequency", "qualifier", "effect", "modality"} <= CHOICE_KEYS
    assert {
        "curie",
        "system",
        "code",
        "label",
        "match",
        "preferred",
        "lookup_url",
        "note",
    } == IDENTIFIER_KEYS


def test_every_list_and_detail_has_the_one_shapes(with_release, client):
    """Walk every resource's list and every record's detail."""
    seen = {"identifiers": 0, "links": 0, "moments": 0, "references": set()}
    for where, body, is_list in every_document(client):
        check_tree(body, where, is_list=is_list)
        for _path, key, value, _parent in walk(body):
            if key == "identifiers" and value:
                seen["identifiers"] += 1
            if isinstance(value, dict) and set(value) == LINK_KEYS:
                seen["links"] += 1
            if isinstance(value, str) and MOMENT.match(value):
                seen["moments"] += 1
            if key in REFERENCE_KEYS and isinstance(value, dict):
                seen["references"].add(key)
    assert seen["identifiers"] and seen["links"] and seen["moments"]
    # A figure's disease and study, a citation's source: links like the rest.
    assert {"disease", "study", "source", "symptom", "drug_class"} <= seen["references"]


def test_downloads_have_the_one_shapes(kb, client):
    """Whole-table JSON Lines of every resource, walked the same way."""
    for prefix, viewset, _basename in record_routes():
        if not hasattr(viewset, "download_jsonl"):
            continue
        response = client.get(f"/api/v1/{prefix}/download.jsonl/")
        body = b"".join(response.streaming_content).decode()
        for number, line in enumerate(body.splitlines()):
            check_tree(json.loads(line), f"{prefix}.jsonl:{number + 1}")


def test_a_release_has_the_one_shapes(with_release, client):
    """release.json, the release in the API, its JSON download (every
    resource in it) and the zip's release.json."""
    release = with_release
    entry = client.get(f"/api/v1/releases/{release.number}/").json()
    check_tree(entry, "release")
    check_tree(client.get("/api/v1/releases/").json(), "releases", is_list=True)
    data = json.loads(bytes(release.json_data))
    metadata = data["release"]
    assert metadata["cut_at"] == entry["cut_at"]
    assert metadata["cut_at"].endswith("Z")
    check_tree(metadata, "release.json")
    for prefix, records in data["resources"].items():
        for record in records:
            check_tree(record, f"release {prefix}")
    with zipfile.ZipFile(io.BytesIO(bytes(release.csv_zip))) as files:
        assert json.loads(files.read("release.json")) == metadata


def csv_of(content: bytes) -> list[dict]:
    return list(csv.DictReader(io.StringIO(content.decode("utf-8"))))


def cell_of(value) -> str:
    """What one JSON value is in CSV, by the one rule: a link is its slug, an
    identifier its CURIE, a citation "source: section", lists joined by "; "."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, list):
        return "; ".join(cell_of(item) for item in value)
    if isinstance(value, dict):
        if set(value) == {"source", "section"}:
            return f"{value['source']['slug']}: {value['section']}"
        if "slug" in value:
            return value["slug"]
        if "curie" in value:
            return value["curie"]
        return None  # an object of its own (a figure's disagreement)
    return str(value)


def test_every_csv_flattens_links_and_identifiers_by_one_rule(with_release, client):
    """Every list's CSV: a link column holds the slug, an identifier list
    the CURIEs, moments end in Z; the release zip's tables are the same."""
    tables = {}
    for prefix, viewset, _basename in record_routes():
        if not getattr(viewset, "csv_lists", False):
            continue
        url = f"/api/v1/{prefix}/?page_size=500"
        listed = client.get(url).json()["results"]
        table = csv_of(client.get(url + "&format=csv").content)
        tables[prefix] = table
        assert len(table) == len(listed), prefix
        for line, row in zip(table, listed, strict=True):
            for key, value in row.items():
                expected = cell_of(value)
                if expected is not None:
                    assert line[key].lstrip("'") == expected, (prefix, key)
                if MOMENT.match(line[key]):
                    assert line[key].endswith("Z"), (prefix, key)
    with zipfile.ZipFile(io.BytesIO(bytes(with_release.csv_zip))) as files:
        for prefix, table in tables.items():
            released = csv_of(files.read(f"{prefix}.csv"))
            assert [set(r) for r in released[:1]] == [set(r) for r in table[:1]]
            for line in released:
                for cell in line.values():
                    assert not MOMENT.match(cell) or cell.endswith("Z"), prefix


def test_the_schema_says_the_shapes(client):
    """In the OpenAPI schema: no enum offers "" (a blank choice is null or a
    value of its own), every `identifiers` is a list of the one Identifier,
    and no property naming a record is a bare string."""
    document = client.get(
        "/api/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json"
    ).json()
    components = document["components"]["schemas"]
    for path, key, value, _parent in walk(document):
        if key == "enum":
            assert "" not in value, path
    for name, component in components.items():
        if name == "APIRoot":
            continue  # (the API root: the addresses of the lists, as URIs)
        for prop, schema in component.get("properties", {}).items():
            at = f"{name}.{prop}"
            if prop == "identifiers":
                assert schema["items"] == {"$ref": "#/components/schemas/Identifier"}
            if prop in REFERENCE_KEYS:
                assert schema.get("type") != "string", at
                items = schema.get("items", {})
                assert items.get("type") != "string", at
    identifier = components["Identifier"]["properties"]
    assert set(identifier) == IDENTIFIER_KEYS
    (match,) = identifier["match"]["allOf"]
    assert components[match["$ref"].rsplit("/", 1)[-1]]["enum"] == ["exact", "loose"]
    assert identifier["preferred"].get("nullable") is True
    assert identifier["label"].get("nullable") is True


def test_a_new_resource_is_walked_without_being_named():
    """The walk reads the router, which reads the registry: every resource
    the registry has is among those walked."""
    walked = {viewset for _prefix, viewset, _basename in record_routes()}
    assert {resource.viewset for resource in registry.api_resources()} <= walked


# Worked examples of what the rules above hold generically.


def test_a_symptoms_hpo_term_is_an_identifier(kb, client):
    """The HPO term of a symptom is in its identifiers, as any identifier;
    a symptom without one has none, and the hpo_id filter still answers."""
    body = client.get("/api/v1/symptoms/dry-mouth/").json()
    assert body["identifiers"] == [
        {
            "curie": "HP:0000217",
            "system": "HP",
            "code": "0000217",
            "label": "Xerostomia",
            "match": "exact",
            "preferred": None,
            "lookup_url": "https://hpo.jax.org/browse/term/HP:0000217",
            "note": "",
        }
    ]
    assert client.get("/api/v1/symptoms/nausea/").json()["identifiers"] == []
    rows = client.get("/api/v1/symptoms/?hpo_id=HP:0000217").json()["results"]
    assert [row["slug"] for row in rows] == ["dry-mouth"]


def test_identifier_tables_filter_by_match_and_by_the_old_name(kb, client):
    """match=loose gives the loose cross-references; exact=false (the old
    name) the same rows; a value that is neither is a 400."""

    def curies(query: str) -> list[str]:
        response = client.get(f"/api/v1/disease-identifiers/?page_size=500&{query}")
        assert response.status_code == 200, response.content
        return [row["curie"] for row in response.json()["results"]]

    loose = curies("match=loose")
    assert "ICD10:M06.9" in loose and "MONDO:0008383" not in loose
    assert curies("exact=false") == loose
    assert sorted(curies("match=exact&match=loose")) == sorted(curies(""))
    bad = client.get("/api/v1/disease-identifiers/?match=close")
    assert bad.status_code == 400
    assert "exact, loose" in bad.json()["errors"]["match"][0]


def test_what_is_not_stated_is_null_and_unqualified_is_a_value(kb, client):
    """A blank frequency, effect, modality, licence or label is null; a
    plain number's qualifier is "unqualified"."""
    rows = client.get("/api/v1/disease-symptoms/?page_size=500").json()["results"]
    assert None in {row["frequency"] for row in rows}
    assert "" not in {row["frequency"] for row in rows}
    drug_class = client.get("/api/v1/drug-classes/antimetabolites/").json()
    assert (drug_class["effect"], drug_class["modality"]) == (None, None)
    source = client.get("/api/v1/sources/imid-bio-uk/").json()
    assert source["licence"] is None
    ra = client.get("/api/v1/diseases/ankylosing-spondylitis/").json()
    umls = next(x for x in ra["identifiers"] if x["system"] == "UMLS")
    assert umls["label"] is None and umls["lookup_url"] is None
    figures = client.get("/api/v1/figures/?page_size=500").json()["results"]
    qualifiers = {figure["qualifier"] for figure in figures}
    assert {"unqualified", "up-to"} <= qualifiers and "" not in qualifiers
