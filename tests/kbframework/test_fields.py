"""`fields` selects the top-level fields a researcher wants, on every list,
detail, CSV list and whole-table download of every resource of the router
(never a hand list): exactly the named fields, with the values the full
answer has; anything wrong is a 400 naming what the resource has; the schema
documents exactly that; a selection never costs a query more (and skips the
prefetches of the fields it leaves out); and the ETag and the response cache
tell selections apart."""

import csv
import io
import json
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from imidkb.releases import cut_release
from imidkb.router import record_routes
from tests.imidkb.test_visibility_crawl import build_world

pytestmark = pytest.mark.django_db

# ---------------------------------------------------------------- helpers


def get(client, url: str):
    """The response, its body read (streamed or not) as `body`."""
    response = client.get(url)
    response.body = (
        b"".join(response.streaming_content) if response.streaming else response.content
    )
    return response


def ok(client, url: str) -> bytes:
    response = get(client, url)
    assert response.status_code == 200, (url, response.body[:500])
    return response.body


def json_of(client, url: str):
    return json.loads(ok(client, url))


def csv_of(client, url: str) -> tuple[list[str], list[dict]]:
    reader = csv.DictReader(io.StringIO(ok(client, url).decode("utf-8")))
    rows = list(reader)
    return reader.fieldnames, rows


def jsonl_of(client, url: str) -> list[dict]:
    return [json.loads(line) for line in ok(client, url).decode("utf-8").splitlines()]


def with_query(url: str, query: str) -> str:
    return url + ("&" if "?" in url else "?") + query


def allowed_named(response) -> list[str]:
    """The field names a 400 about `fields` lists as allowed."""
    assert response.status_code == 400, response.body[:500]
    body = json.loads(response.body)
    assert set(body) == {"status", "error", "detail", "errors"}
    assert set(body["errors"]) == {"fields"}
    message = body["errors"]["fields"][0]
    return message.rsplit("; allowed: ", 1)[1].rstrip(".").split(", ")


class Resource:
    """A resource's addresses and, read from its full answers (never from
    the code that selects), the names its list, CSV, detail and downloads
    have."""

    def __init__(self, client, prefix: str, viewset):
        self.prefix = prefix
        self.list_url = f"/api/v1/{prefix}/?page_size=500"
        self.csv = bool(getattr(viewset, "csv_lists", False))
        self.downloads = hasattr(viewset, "download_csv")
        self.rows = json_of(client, self.list_url)["results"]
        assert self.rows, f"{prefix}: no rows to select from"
        self.list_names = list(self.rows[0])
        if self.csv:
            columns, self.csv_rows = csv_of(client, self.csv_url)
            assert columns[-1] == "release"
            self.table_names = columns[:-1]
        else:
            self.table_names = self.list_names
        self.detail_url = None
        if hasattr(viewset, "retrieve"):
            self.detail_url = self.rows[0]["url"]
            self.detail = json_of(client, self.detail_url)

    @property
    def csv_url(self) -> str:
        return self.list_url + "&format=csv"

    def download_url(self, extension: str) -> str:
        return f"/api/v1/{self.prefix}/download.{extension}/"

    def targets(self) -> list[tuple[str, list[str]]]:
        """(url, the names it takes) of every answer that takes `fields`."""
        found = [(self.list_url, self.table_names)]
        if self.csv:
            found.append((self.csv_url, self.table_names))
        if self.downloads:
            found += [
                (self.download_url(e), self.table_names) for e in ("csv", "jsonl")
            ]
        if self.detail_url:
            found.append((self.detail_url, list(self.detail)))
        return found


# The full answers each resource's tests compare with, read once per test
# process: the curated knowledge base every test starts from does not change.
# Releases are not kept: each test cuts the one it lists.
READ = {}


@pytest.fixture
def resource(kb, client, request):
    prefix, viewset = request.param
    if prefix == "releases":
        cut_release(note="one to list")
        return Resource(client, prefix, viewset)
    if prefix not in READ:
        READ[prefix] = Resource(client, prefix, viewset)
    return READ[prefix]


def resources(test):
    return pytest.mark.parametrize(
        "resource",
        [pytest.param((p, v), id=p) for p, v, _b in record_routes()],
        indirect=True,
    )(test)


def scalar_field(resource: Resource) -> str:
    """A field of plain values (no list, no object): it reads no relation."""
    return next(
        name
        for name in resource.list_names
        if all(not isinstance(row[name], list | dict) for row in resource.rows)
    )


# -------------------------------------------------------------- selection


@resources
def test_each_field_of_a_list_alone_is_the_full_lists_column(resource, client):
    """JSON list: fields=<name> gives rows of exactly that field, with the
    values of the full list; a table column (citations, identifiers) has the
    values of the whole-table download (or the CSV's, flattened)."""
    table = (
        jsonl_of(client, resource.download_url("jsonl"))
        if resource.downloads
        else resource.rows
    )
    for name in resource.table_names:
        rows = json_of(client, with_query(resource.list_url, f"fields={name}"))
        selected = rows["results"]
        assert all(list(row) == [name] for row in selected), name
        source = resource.rows if name in resource.list_names else table
        assert [row[name] for row in selected] == [row[name] for row in source], name


@resources
def test_a_selection_keeps_the_resources_order_and_no_key_unasked(resource, client):
    """Several names, given in any order, come in the resource's order; the
    key (url, slug, id) is there only when named."""
    names = resource.table_names
    picked = [names[-1], names[0]] if len(names) > 1 else names
    rows = json_of(client, with_query(resource.list_url, "fields=" + ",".join(picked)))
    expected = [name for name in names if name in picked]
    assert all(list(row) == expected for row in rows["results"])
    key = "url" if "url" in names else names[0]
    others = [name for name in names if name != key][:2]
    rows = json_of(client, with_query(resource.list_url, "fields=" + ",".join(others)))
    assert all(key not in row for row in rows["results"])


@resources
def test_each_field_of_a_detail_alone_is_the_full_details(resource, client):
    if resource.detail_url is None:
        pytest.skip("a list only: no detail")
    for name in resource.detail:
        body = json_of(client, with_query(resource.detail_url, f"fields={name}"))
        assert body == {name: resource.detail[name]}, name


@resources
def test_csv_columns_are_the_selected_fields_and_the_release(resource, client):
    """?format=csv&fields=...: exactly those columns, in the resource's order,
    then release; each cell as in the full CSV."""
    if not resource.csv:
        pytest.skip("no CSV list")
    names = resource.table_names
    for picked in [[name] for name in names] + [[names[-1], names[0]]]:
        url = with_query(resource.csv_url, "fields=" + ",".join(picked))
        columns, rows = csv_of(client, url)
        expected = [name for name in names if name in picked]
        assert columns == [*expected, "release"], url
        assert [[row[c] for c in columns] for row in rows] == [
            [row[c] for c in columns] for row in resource.csv_rows
        ], url


@resources
def test_downloads_take_the_same_selection(resource, client):
    """download.csv and download.jsonl: the selected columns only, each as in
    the full download."""
    if not resource.downloads:
        pytest.skip("no whole-table downloads")
    full_columns, full_rows = csv_of(client, resource.download_url("csv"))
    full_lines = jsonl_of(client, resource.download_url("jsonl"))
    names = resource.table_names
    assert full_columns[:-1] == names
    for picked in [[name] for name in names] + [[names[-1], names[0]]]:
        query = "fields=" + ",".join(picked)
        expected = [name for name in names if name in picked]
        columns, rows = csv_of(client, with_query(resource.download_url("csv"), query))
        assert columns == [*expected, "release"], query
        assert [[r[c] for c in columns] for r in rows] == [
            [r[c] for c in columns] for r in full_rows
        ], query
        lines = jsonl_of(client, with_query(resource.download_url("jsonl"), query))
        assert [list(line) for line in lines] == [expected] * len(full_lines)
        assert lines == [{c: line[c] for c in expected} for line in full_lines]


# -------------------------------------------------------------- refusals

BAD = [
    pytest.param("fields=", id="empty"),
    pytest.param("fields=zzz-unknown", id="unknown"),
    pytest.param("fields={0},,{1}", id="empty-name"),
    pytest.param("fields={0},{0}", id="twice-in-the-list"),
    pytest.param("fields={0}&fields={1}", id="parameter-repeated"),
    pytest.param("fields=%20{0}", id="space"),
    pytest.param("fields={0}.slug", id="nested"),
    pytest.param("fields=*", id="star"),
]


@pytest.mark.parametrize("query", BAD)
@resources
def test_a_bad_selection_is_a_400_naming_every_allowed_field(resource, client, query):
    """Everywhere `fields` is taken, each of these is a 400 in the one error
    shape, whose message names exactly the fields that answer has."""
    for url, names in resource.targets():
        bad = query.format(names[0], names[-1])
        response = get(client, with_query(url, bad))
        assert allowed_named(response) == names, (url, bad)
        assert response["Content-Type"].startswith("application/json")


def test_fields_is_refused_where_nothing_is_selected(kb, client):
    """The API root and a release's files answer no fields: there `fields`
    is an unknown parameter, as the schema has it."""
    release = cut_release(note="files")
    for url in (
        "/api/v1/",
        f"/api/v1/releases/{release.number}/download.json/",
        f"/api/v1/releases/{release.number}/download.zip/",
    ):
        response = client.get(with_query(url, "fields=url"))
        assert response.status_code == 400, url
        assert "Unknown parameter" in response.json()["errors"]["fields"][0]


# ----------------------------------------------------------------- schema


def schema_document(client) -> dict:
    """The OpenAPI document (made from the curated knowledge base, the same
    for every test: generated once per test process)."""
    if "schema" not in READ:
        response = client.get(
            "/api/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json"
        )
        assert response.status_code == 200
        READ["schema"] = response.content
    return json.loads(READ["schema"])


@resources
def test_the_schema_documents_fields_exactly_as_the_server_takes_it(resource, client):
    """Every operation that takes `fields` documents it as an array of the
    names the server allows there, one or more, distinct, comma-separated
    (form, not exploded); its JSON rows require no field; a list's rows
    document the table columns that `fields` adds."""
    document = schema_document(client)
    paths, components = document["paths"], document["components"]["schemas"]
    operations = {f"/api/v1/{resource.prefix}/": resource.table_names}
    if resource.downloads:
        for extension in ("csv", "jsonl"):
            path = f"/api/v1/{resource.prefix}/download.{extension}/"
            operations[path] = resource.table_names
    if resource.detail_url:
        pattern = re.compile(rf"/api/v1/{resource.prefix}/{{[a-z_]+}}/")
        detail = next(p for p in paths if pattern.fullmatch(p))
        operations[detail] = list(resource.detail)
    for path, names in operations.items():
        operation = paths[path]["get"]
        parameter = next(p for p in operation["parameters"] if p["name"] == "fields")
        assert parameter["in"] == "query"
        assert parameter["style"] == "form" and parameter["explode"] is False
        assert parameter["schema"] == {
            "type": "array",
            "items": {"type": "string", "enum": names},
            "minItems": 1,
            "uniqueItems": True,
        }, path
        assert "key" in parameter["description"]
        body = operation["responses"]["200"]["content"].get("application/json")
        if body is None:
            continue
        record = components[body["schema"]["$ref"].rsplit("/", 1)[1]]
        if "results" in record["properties"]:
            items = record["properties"]["results"]["items"]["$ref"]
            record = components[items.rsplit("/", 1)[1]]
        assert "required" not in record, path
        assert set(names) <= set(record["properties"]), path


def test_operations_that_select_nothing_document_no_fields(client, db):
    document = schema_document(client)
    for path, item in document["paths"].items():
        has = any(p["name"] == "fields" for p in item["get"].get("parameters", []))
        selects = (
            path.startswith("/api/v1/")
            and path != "/api/v1/"  # the API root: links, licence, citation
            and not path.startswith("/api/v1/releases/{number}/download")
            # Files: the exports' data package and its files.
            and not path.startswith("/api/v1/exports/")
            and not path.startswith("/api/v1/releases/{number}/exports/")
            # A release's frozen records, as it froze them (no selection yet),
            # and the diff between two.
            and not path.startswith("/api/v1/releases/{number}/{resource}/")
            and not path.startswith("/api/v1/releases/{number}/diff/")
            and not path.startswith("/api/v1/releases/latest")
        )
        assert has == selects, path


# ------------------------------------------------------------ visibility


def test_a_selection_shows_the_public_nothing_the_full_answer_hides(kb, client):
    """With a draft, a retired record and rows depending on them of every
    kind (the visibility crawl's world), each field selected alone answers
    the public exactly what the full answer does, on every list and on the
    detail of every record linked to an unpublished one: leaving out the
    other fields' prefetches never reads a relation unrestricted."""
    world = build_world()
    cut_release(note="one to list")
    for prefix, viewset, _basename in record_routes():
        resource = Resource(client, prefix, viewset)
        for name in resource.table_names:
            rows = json_of(client, with_query(resource.list_url, f"fields={name}"))
            if name in resource.list_names:
                assert [row[name] for row in rows["results"]] == [
                    row[name] for row in resource.rows
                ], (prefix, name)
        if resource.detail_url is None:
            continue
        model = viewset.queryset.model
        for row in model.objects.filter(pk__in=world.touched.get(model, ())):
            url = f"/api/v1/{prefix}/{getattr(row, viewset.lookup_field)}/"
            full = json_of(client, url)
            for name in full:
                selected = json_of(client, with_query(url, f"fields={name}"))
                assert selected == {name: full[name]}, (url, name)


# ------------------------------------------------------------ query counts

# A selection of plain columns costs only what any answer costs: the data
# version, then the count and the page of a list (the rows of a download,
# one chunk; the record of a detail).
PLAIN = {"list": 3, "csv": 3, "download": 2, "detail": 2}


@resources
def test_plain_columns_cost_the_base_queries_at_any_page_size(
    resource, client, django_assert_num_queries
):
    name = scalar_field(resource)
    for size in (1, 50):
        url = f"/api/v1/{resource.prefix}/?page_size={size}&fields={name}"
        with django_assert_num_queries(PLAIN["list"]):
            assert get(client, url).status_code == 200
        if resource.csv:
            with django_assert_num_queries(PLAIN["csv"]):
                assert get(client, url + "&format=csv").status_code == 200
    if resource.downloads:
        for extension in ("csv", "jsonl"):
            url = with_query(resource.download_url(extension), f"fields={name}")
            with django_assert_num_queries(PLAIN["download"]):
                assert get(client, url).status_code == 200
    if resource.detail_url:
        with django_assert_num_queries(PLAIN["detail"]):
            ok(client, with_query(resource.detail_url, f"fields={name}"))


def queries(client, url: str) -> int:
    with CaptureQueriesContext(connection) as captured:
        ok(client, url)
    return len(captured.captured_queries)


@resources
def test_no_selection_costs_more_than_the_full_answer(resource, client):
    """Each field alone: a list (JSON and CSV) costs the same at page size 1
    and 50 and no more than the full list (a table column no more than the
    full CSV); a detail no more than the full detail."""
    prefix = resource.prefix
    full_list = queries(client, f"/api/v1/{prefix}/?page_size=50")
    full_table = (
        queries(client, f"/api/v1/{prefix}/?page_size=50&format=csv")
        if resource.csv
        else full_list
    )
    for name in resource.table_names:
        counts = {
            queries(client, f"/api/v1/{prefix}/?page_size={size}&fields={name}")
            for size in (1, 50)
        }
        assert len(counts) == 1, (name, counts)
        ceiling = full_list if name in resource.list_names else full_table
        assert counts.pop() <= ceiling, name
        if resource.csv:
            counts = {
                queries(
                    client, f"/api/v1/{prefix}/?page_size={s}&format=csv&fields={name}"
                )
                for s in (1, 50)
            }
            assert len(counts) == 1, (name, "csv", counts)
            assert counts.pop() <= full_table, name
    if resource.detail_url:
        full_detail = queries(client, resource.detail_url)
        for name in resource.detail:
            url = with_query(resource.detail_url, f"fields={name}")
            assert queries(client, url) <= full_detail, name


# (url, queries of the full answer, fields, queries of the selection): the
# prefetches and computed fields left out are not run.
SAVINGS = [
    # the data version, the disease, its identifiers (not the other 32 reads)
    ("/api/v1/diseases/psoriasis/", 35, "slug,name,identifiers", 3),
    # the data version, the disease and related_to's 7
    ("/api/v1/diseases/psoriasis/", 35, "related", 9),
    ("/api/v1/drug-classes/tnf-inhibitors/", 16, "slug,name,drugs", 3),
    # no citations and no other answers to each figure's question
    ("/api/v1/figures/?page_size=50", 5, "slug,value,unit", 3),
    # the data version, count, page and identifiers (not parents, body
    # systems, citations)
    ("/api/v1/diseases/?format=csv&page_size=50", 7, "slug,identifiers", 4),
]


@pytest.mark.parametrize(("url", "full", "fields", "selected"), SAVINGS)
def test_a_selection_skips_what_it_leaves_out(
    kb, client, django_assert_num_queries, url, full, fields, selected
):
    with django_assert_num_queries(full):
        assert get(client, url).status_code == 200
    with django_assert_num_queries(selected):
        assert get(client, with_query(url, f"fields={fields}")).status_code == 200


# ------------------------------------------------------- ETag and caching


@pytest.mark.parametrize(
    "url",
    [
        "/api/v1/diseases/",
        "/api/v1/diseases/?format=csv",
        "/api/v1/diseases/psoriasis/",
        "/api/v1/diseases/download.csv/",
        "/api/v1/disease-symptoms/",
    ],
)
def test_each_selection_has_its_own_etag_and_cached_answer(
    kb, wsgi, django_assert_num_queries, url
):
    """Through the production WSGI application and its response cache: two
    selections have different ETags and bodies, each repeat has its own body
    and ETag (served from the cache, one query; a download is streamed and
    never cached whole, so it is answered afresh), and one selection's ETag
    does not make the other a 304."""
    first, second = ("slug", "name") if "symptoms" not in url else ("note", "symptom")
    a_url, b_url = (
        with_query(url, f"fields={first}"),
        with_query(url, f"fields={second}"),
    )
    a, b = wsgi(a_url), wsgi(b_url)
    assert a.status_code == b.status_code == 200
    assert a["ETag"] != b["ETag"]
    assert a.content != b.content
    for selected, answer in ((a_url, a), (b_url, b)):
        if "download" in url:
            again = wsgi(selected)
        else:
            with django_assert_num_queries(1):
                again = wsgi(selected)
        assert again.content == answer.content
        assert again["ETag"] == answer["ETag"]
    assert wsgi(b_url, if_none_match=a["ETag"]).status_code == 200
    assert wsgi(a_url, if_none_match=a["ETag"]).status_code == 304
