"""API contract shared by every resource: shapes, pagination, strictness,
CSV, conditional GET, release header, CORS, throttling, errors."""

import csv
import io

import pytest
from rest_framework.throttling import AnonRateThrottle

from kbframework.api.links import link_resources
from kbframework.api.pagination import MAX_PAGE_SIZE
from tests.conftest import first_visit_queries

pytestmark = pytest.mark.django_db

LISTS = [
    "diseases",
    "symptoms",
    "mechanisms",
    "body-systems",
    "drug-classes",
    "drugs",
    "figures",
    "studies",
    "sources",
]
DETAILS = {
    "diseases": "rheumatoid-arthritis",
    "symptoms": "fatigue",
    "mechanisms": "inflammation",
    "body-systems": "liver",
    "drug-classes": "tnf-inhibitors",
    "drugs": "ciclosporin",
    "studies": "imid-new-cases-split-2019",
    "sources": "imid-bio-uk",
}


@pytest.mark.parametrize("resource", LISTS)
def test_every_list_is_paginated_json_with_release_header(kb, client, resource):
    response = client.get(f"/api/v1/{resource}/")
    assert response.status_code == 200
    body = response.json()
    assert set(body) == {"count", "next", "previous", "results"}
    assert body["count"] == len(body["results"]) > 0
    assert response["X-KB-Release"] == "none"
    assert response["ETag"] and response["Last-Modified"]


@pytest.mark.parametrize(("resource", "slug"), DETAILS.items())
def test_every_detail_answers_by_slug_and_links_by_url(kb, client, resource, slug):
    response = client.get(f"/api/v1/{resource}/{slug}/")
    assert response.status_code == 200
    body = response.json()
    assert body["slug"] == slug
    assert body["url"].endswith(f"/api/v1/{resource}/{slug}/")


@pytest.mark.parametrize("resource", [*DETAILS, "figures"])
def test_unknown_record_is_a_json_404(kb, client, resource):
    key = "999999" if resource == "figures" else "no-such-record"
    response = client.get(f"/api/v1/{resource}/{key}/")
    assert response.status_code == 404
    assert response.json()["status"] == 404
    assert response.json()["error"] == "not_found"


def test_source_detail_names_its_cited_sections_without_database_ids(kb, client):
    """A citation is a source and a section; no database id is exposed."""
    body = client.get("/api/v1/sources/imid-bio-uk/").json()
    assert body["citations"]
    for citation in body["citations"]:
        assert set(citation) == {"section", "note"}
        assert citation["section"] in body["sections"]


def test_unknown_endpoint_is_a_json_404(client):
    response = client.get("/api/v1/no-such-resource/")
    assert response.status_code == 404
    assert response["Content-Type"] == "application/json"


@pytest.mark.parametrize(
    ("query", "parameter"),
    [
        ("colour=red", "colour"),
        ("symptom=no-such-symptom", "symptom"),
        ("kind=syndrome", "kind"),
        ("identifier=not-an-identifier", "identifier"),
        ("page=0", "page"),
        ("page=two", "page"),
        ("page_size=0", "page_size"),
        (f"page_size={MAX_PAGE_SIZE + 1}", "page_size"),
        ("ordering=summary", "ordering"),
        ("ordering=", "ordering"),
    ],
)
def test_bad_parameters_are_400_naming_the_parameter(kb, client, query, parameter):
    """Never a 500 and never a silently unfiltered list."""
    response = client.get(f"/api/v1/diseases/?{query}")
    assert response.status_code == 400
    body = response.json()
    assert body["error"] == "invalid_request"
    assert parameter in body["errors"]
    assert body["errors"][parameter][0]


def test_unknown_parameter_error_lists_the_allowed_ones(kb, client):
    message = client.get("/api/v1/figures/?colour=red").json()["errors"]["colour"][0]
    for allowed in ("disease", "measure", "region", "preferred", "page_size"):
        assert allowed in message


def test_detail_refuses_list_parameters(kb, client):
    response = client.get("/api/v1/diseases/psoriasis/?page=2")
    assert response.status_code == 400


def test_page_size_is_honoured_up_to_the_ceiling(kb, client):
    body = client.get("/api/v1/diseases/?page_size=5").json()
    assert len(body["results"]) == 5
    assert "page=2" in body["next"]
    page_two = client.get(body["next"]).json()
    first = {d["slug"] for d in body["results"]}
    assert first.isdisjoint(d["slug"] for d in page_two["results"])
    full = client.get(f"/api/v1/diseases/?page_size={MAX_PAGE_SIZE}").json()
    assert len(full["results"]) == full["count"]


def test_a_page_past_the_end_is_404(kb, client):
    assert client.get("/api/v1/diseases/?page=999").status_code == 404


@pytest.mark.parametrize(
    ("ordering", "key"),
    [("name", "name"), ("-name", "name"), ("slug", "slug"), ("-updated", "updated")],
)
def test_ordering_on_named_fields(kb, client, ordering, key):
    rows = client.get(f"/api/v1/diseases/?ordering={ordering}&page_size=500").json()
    values = [row[key] for row in rows["results"]]
    # Text sorts without regard to case, on SQLite and PostgreSQL alike.
    assert values == sorted(values, key=str.casefold, reverse=ordering.startswith("-"))


def test_csv_by_format_parameter_and_by_accept_header(kb, client):
    by_param = client.get("/api/v1/figures/?format=csv&disease=psoriasis")
    by_header = client.get("/api/v1/figures/?disease=psoriasis", HTTP_ACCEPT="text/csv")
    for response in (by_param, by_header):
        assert response.status_code == 200
        assert response["Content-Type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(by_param.content.decode())))
    assert {row["disease"] for row in rows} == {"psoriasis"}
    assert all(row["release"] == "none" for row in rows)
    count_row = next(row for row in rows if row["measure"] == "prevalence-count")
    assert count_row["lower"] == "1000000"
    assert count_row["qualifier"] == "more-than"
    assert count_row["citations"] == "imid-bio-uk: Disease Summary: Psoriasis"
    assert "format=csv" not in count_row["url"]


def test_csv_applies_the_same_filters_and_errors_stay_json(kb, client):
    response = client.get("/api/v1/diseases/?format=csv&symptom=nope")
    assert response.status_code == 400
    assert response["Content-Type"] == "application/json"
    rows = client.get("/api/v1/diseases/?format=csv&kind=group").content.decode()
    kinds = {row["kind"] for row in csv.DictReader(io.StringIO(rows))}
    assert kinds == {"group"}


def test_if_none_match_answers_304_until_the_data_changes(kb, client):
    from diseases.models import Disease

    url = "/api/v1/diseases/psoriasis/"
    first = client.get(url)
    etag = first["ETag"]
    again = client.get(url, HTTP_IF_NONE_MATCH=etag)
    assert again.status_code == 304
    assert again.content == b""
    assert again["ETag"] == etag
    disease = Disease.objects.get(slug="psoriasis")
    disease.summary = "Edited."
    disease.save()
    changed = client.get(url, HTTP_IF_NONE_MATCH=etag)
    assert changed.status_code == 200
    assert changed.json()["summary"] == "Edited."
    assert changed["ETag"] != etag


def test_lists_have_etags_that_differ_by_query_and_format(kb, client):
    plain = client.get("/api/v1/figures/")["ETag"]
    filtered = client.get("/api/v1/figures/?region=GB")["ETag"]
    as_csv = client.get("/api/v1/figures/?format=csv")["ETag"]
    assert len({plain, filtered, as_csv}) == 3
    assert client.get("/api/v1/figures/", HTTP_IF_NONE_MATCH=plain).status_code == 304


def test_if_modified_since_answers_304(kb, client):
    response = client.get("/api/v1/sources/")
    later = client.get(
        "/api/v1/sources/", HTTP_IF_MODIFIED_SINCE=response["Last-Modified"]
    )
    assert later.status_code == 304


def test_cors_is_open_for_reading(kb, client):
    response = client.get("/api/v1/diseases/", HTTP_ORIGIN="https://notebook.example")
    assert response["Access-Control-Allow-Origin"] == "*"
    preflight = client.options(
        "/api/v1/diseases/",
        HTTP_ORIGIN="https://notebook.example",
        HTTP_ACCESS_CONTROL_REQUEST_METHOD="GET",
    )
    assert "GET" in preflight["Access-Control-Allow-Methods"]
    assert "POST" not in preflight["Access-Control-Allow-Methods"]


@pytest.mark.parametrize("method", ["post", "put", "patch", "delete"])
def test_anonymous_writes_are_refused_and_change_nothing(kb, client, method):
    from diseases.models import Disease

    before = Disease.objects.count()
    url = "/api/v1/diseases/" if method == "post" else "/api/v1/diseases/psoriasis/"
    response = getattr(client, method)(
        url, data={"name": "X"}, content_type="application/json"
    )
    # A write to a read-only API is refused as such (the README's 405, with
    # the methods allowed), not as a matter of logging in.
    assert response.status_code == 405
    assert response["Allow"] == "GET, HEAD, OPTIONS"
    assert response.json()["status"] == response.status_code
    assert Disease.objects.count() == before
    assert Disease.objects.get(slug="psoriasis").name == "Psoriasis"


def test_staff_writes_get_405(kb, admin_client):
    response = admin_client.post(
        "/api/v1/diseases/", data={}, content_type="application/json"
    )
    assert response.status_code == 405
    assert response.json()["error"] == "method_not_allowed"


def test_anonymous_reads_are_throttled_with_retry_after(kb, client, monkeypatch):
    monkeypatch.setattr(AnonRateThrottle, "THROTTLE_RATES", {"anon": "3/minute"})
    statuses = [client.get("/api/v1/sources/").status_code for _ in range(4)]
    assert statuses == [200, 200, 200, 429]
    response = client.get("/api/v1/sources/")
    assert response.status_code == 429
    assert int(response["Retry-After"]) > 0
    assert response.json()["error"] == "throttled"


def test_root_lists_every_resource(client, db):
    """The records' resources, one per link kind (from the registry),
    releases; then the licence, the newest release and how to cite it."""
    from imidkb.router import ABOUT_THE_DATA

    body = client.get("/api/v1/").json()
    links = {prefix for prefix, _model, _viewset in link_resources()}
    assert set(body) == {*LISTS, *links, "exports", "releases", *ABOUT_THE_DATA}


# Queries per request, pinned: (list at any page size, detail). Every list and
# detail costs the data-version read plus a fixed number of queries.
QUERY_COUNTS = {
    # detail: + its adverse-effect-of links; related diseases weigh family
    # (one query) and shared items by how many diseases state them (a count);
    # the groups above (the way up, the groups), whose stated links are read
    # with its own, one query per kind for all; lists of records with
    # identifiers: + their identifiers
    "diseases": (6, 35),  # + the answers to its figures' questions
    "symptoms": (3, 7),  # detail: + the classes it is an adverse effect of
    "mechanisms": (3, 5),
    "body-systems": (3, 4),
    # detail: + its response notes; the class tree, the classes above and
    # their uses, adverse effects and response notes (+ citations)
    "drug-classes": (4, 16),
    # detail: + its class's and the classes above's, read together
    "drugs": (4, 12),
    "studies": (3, 6),  # detail: + the answers to its figures' questions
    "sources": (3, 3),
    "figures": (5, 4),  # + the other answers to each figure's question
}


@pytest.mark.parametrize(("resource", "counts"), QUERY_COUNTS.items())
def test_query_counts_are_pinned_and_constant(
    kb, wsgi, django_assert_num_queries, resource, counts
):
    """Through the production WSGI application: the same number of queries
    for 1 row or 500, and for any detail; a repeat costs one statement (the
    data version with the document stored at its address)."""
    list_queries, detail_queries = counts
    if resource == "figures":
        key = wsgi("/api/v1/figures/").json()["results"][0]["id"]
    else:
        key = DETAILS[resource]
    for size in (1, 500):
        url = f"/api/v1/{resource}/?page_size={size}"
        with django_assert_num_queries(first_visit_queries(url, list_queries)):
            response = wsgi(url)
        assert response.status_code == 200
        with django_assert_num_queries(1):  # its document, read back
            assert wsgi(url).content == response.content
    url = f"/api/v1/{resource}/{key}/"
    with django_assert_num_queries(first_visit_queries(url, detail_queries)):
        assert wsgi(url).status_code == 200
    with django_assert_num_queries(1):
        assert wsgi(f"/api/v1/{resource}/{key}/").status_code == 200


@pytest.mark.parametrize(
    "value", ["²", "①", "\uff11", "\u0663", "1.0", " 1", "99999999999"]
)
@pytest.mark.parametrize("param", ["page", "page_size"])
def test_only_ascii_digits_are_page_numbers(kb, client, param, value):
    """A superscript or full-width digit is a 400 naming the parameter."""
    response = client.get("/api/v1/diseases/", {param: value})
    assert response.status_code == 400
    assert param in response.json()["errors"]
