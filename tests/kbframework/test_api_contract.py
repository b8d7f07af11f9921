"""The API's contract with a script: a parameter given twice is a list only
where the schema says so, every refusal has one shape and names what is
allowed, writes are 405, every cacheable answer says how to cache it, and a
client sees its rate limit before it is hit. Resources are enumerated from the
router, never listed by hand."""

import pytest
from django.test import override_settings
from rest_framework.throttling import AnonRateThrottle

from imidkb.router import record_routes
from kbframework.api.filters import StrictQueryParameters

pytestmark = pytest.mark.django_db

LISTS = [(prefix, viewset) for prefix, viewset, _basename in record_routes()]


def list_view(viewset):
    view = viewset()
    view.action = "list"
    return view


def error_keys(response) -> set:
    body = response.json()
    assert body["status"] == response.status_code
    return set(body)


def test_batch_lookup_by_many_identifiers_and_slugs(kb, client):
    url = "/api/v1/diseases/?identifier=MONDO:0007915&identifier=MONDO:0008383"
    slugs = {row["slug"] for row in client.get(url).json()["results"]}
    assert slugs == {"systemic-lupus-erythematosus", "rheumatoid-arthritis"}
    url = "/api/v1/diseases/?slug=psoriasis&slug=asthma&slug=no-such-thing"
    slugs = {row["slug"] for row in client.get(url).json()["results"]}
    assert slugs == {"psoriasis", "asthma"}


@pytest.mark.parametrize(("prefix", "viewset"), LISTS, ids=[p for p, _v in LISTS])
def test_a_single_valued_parameter_given_twice_is_a_400(kb, client, prefix, viewset):
    """Every list: `page` (and each filter that takes one value) repeated is
    refused naming it; each filter that takes several accepts repeats."""
    response = client.get(f"/api/v1/{prefix}/?page=1&page=2")
    assert response.status_code == 400
    assert "Given 2 times" in response.json()["errors"]["page"][0]
    view = list_view(viewset)
    repeatable = StrictQueryParameters.repeatable(view)
    filterset = getattr(viewset, "filterset_class", None)
    for name in filterset.base_filters if filterset else []:
        if name in repeatable:
            continue
        response = client.get(f"/api/v1/{prefix}/?{name}=1&{name}=2")
        assert response.status_code == 400, (prefix, name)
        assert name in response.json()["errors"]


@pytest.mark.parametrize(
    "query",
    [
        "search=lupus&search=psoriasis",
        "format=json&format=csv",
        "format=xml",
        "format=",
        "year=2019.5",
    ],
)
def test_what_used_to_be_taken_silently_is_refused(kb, client, query):
    path = "figures" if query.startswith("year") else "diseases"
    response = client.get(f"/api/v1/{path}/?{query}")
    assert response.status_code == 400
    errors = response.json()["errors"]
    assert set(errors) == {query.split("=")[0]}
    if query.startswith("format=x") or query == "format=":
        assert "allowed: json, csv" in errors["format"][0]


def test_an_unknown_format_on_a_detail_names_json(kb, client):
    response = client.get("/api/v1/diseases/psoriasis/?format=csv")
    assert response.status_code == 400
    assert "allowed: json" in response.json()["errors"]["format"][0]


def test_every_refusal_has_one_shape_and_the_release_header(kb, client):
    unknown = client.get("/api/v1/diseases/?bogus=1")
    nul = client.get("/api/v1/diseases/?search=a%00b")
    assert unknown.status_code == nul.status_code == 400
    assert (
        error_keys(unknown)
        == error_keys(nul)
        == {"status", "error", "detail", "errors"}
    )
    assert unknown.json()["detail"] == nul.json()["detail"]
    assert unknown["X-KB-Release"]
    missing = client.get("/api/v1/no-such-endpoint/")
    assert missing.status_code == 404
    assert error_keys(missing) == {"status", "error", "detail"}


@override_settings(DEBUG=True)
def test_api_paths_answer_json_404_in_debug_mode_too(kb, client):
    response = client.get("/api/v1/no-such-endpoint/")
    assert response.status_code == 404
    assert response["Content-Type"] == "application/json"


@pytest.mark.parametrize("method", ["post", "put", "patch", "delete"])
def test_writes_are_405_on_every_resource(kb, client, method):
    for prefix, _viewset in LISTS:
        response = getattr(client, method)(
            f"/api/v1/{prefix}/", data={}, content_type="application/json"
        )
        assert response.status_code == 405, prefix
        assert "GET" in response["Allow"]


def test_cacheable_answers_say_how_to_cache_them(kb, client, admin_client):
    response = client.get("/api/v1/diseases/psoriasis/")
    assert response["Cache-Control"] == "public, no-cache"
    again = client.get(
        "/api/v1/diseases/psoriasis/", HTTP_IF_NONE_MATCH=response["ETag"]
    )
    assert again.status_code == 304
    assert again["Cache-Control"] == "public, no-cache"
    assert client.get("/api/v1/diseases/")["Cache-Control"] == "public, no-cache"
    staff = admin_client.get("/api/v1/diseases/psoriasis/")
    assert staff["Cache-Control"] == "private, no-cache"


def test_rate_limit_fields_count_down_on_every_answer(kb, wsgi, monkeypatch):
    """RateLimit-Policy and RateLimit (IETF draft) on each answer, the
    remaining count going down, also when the response cache answers."""
    monkeypatch.setattr(AnonRateThrottle, "THROTTLE_RATES", {"anon": "50/hour"})
    first = wsgi("/api/v1/sources/")
    second = wsgi("/api/v1/sources/")  # from the response cache
    assert first["RateLimit-Policy"] == '"anon";q=50;w=3600'
    remaining = [
        int(r["RateLimit"].split(";r=")[1].split(";")[0]) for r in (first, second)
    ]
    assert remaining == [49, 48]


def test_a_browser_client_may_revalidate_across_origins(kb, client):
    response = client.options(
        "/api/v1/diseases/",
        HTTP_ORIGIN="https://notebook.example",
        HTTP_ACCESS_CONTROL_REQUEST_METHOD="GET",
        HTTP_ACCESS_CONTROL_REQUEST_HEADERS="if-none-match",
    )
    assert "if-none-match" in response["Access-Control-Allow-Headers"]
    exposed = client.get("/api/v1/diseases/", HTTP_ORIGIN="https://x.example")
    assert "RateLimit" in exposed["Access-Control-Expose-Headers"]


def test_ordering_is_by_unit_then_value_with_nulls_last_and_ignores_case(kb, client):
    rows = client.get("/api/v1/figures/?ordering=value&page_size=100").json()
    pairs = [(row["unit"], row["value"]) for row in rows["results"]]
    units = [unit for unit, _value in pairs]
    assert units == sorted(units)  # one unit's figures together
    for unit in set(units):
        values = [value for u, value in pairs if u == unit]
        numbers = [float(v) for v in values if v is not None]
        assert numbers == sorted(numbers)
        assert values[len(numbers) :] == [None] * (len(values) - len(numbers))
    from tests.factories import DiseaseFactory

    DiseaseFactory(name="aardvark fever")  # lower case sorts among the A's
    names = [
        row["name"]
        for row in client.get("/api/v1/diseases/?ordering=name&page_size=3").json()[
            "results"
        ]
    ]
    assert names[0] == "aardvark fever"


def test_updated_since_lists_what_changed_for_an_incremental_sync(kb, client):
    from diseases.models import Disease

    psoriasis = Disease.objects.get(slug="psoriasis")
    psoriasis.summary += " (edited)"
    psoriasis.save()
    since = psoriasis.updated.isoformat().replace("+00:00", "Z")
    rows = client.get(f"/api/v1/diseases/?updated_since={since}").json()["results"]
    assert [row["slug"] for row in rows] == ["psoriasis"]
    bad = client.get("/api/v1/diseases/?updated_since=yesterday")
    assert bad.status_code == 400 and "updated_since" in bad.json()["errors"]


def test_disagreeing_figures_say_so_in_the_data(kb, client):
    """Figures that answer one question share it, and each names the others
    (and the preferred one, when curators chose one)."""
    rows = client.get(
        "/api/v1/figures/?disease=systemic-lupus-erythematosus&region=GB"
    ).json()["results"]
    assert len(rows) == 2
    (question,) = {row["question"] for row in rows}
    assert question == "systemic-lupus-erythematosus/prevalence-count/general/GB"
    for row in rows:
        named = [figure["slug"] for figure in row["disagreement"]["figures"]]
        assert sorted(named) == sorted(r["slug"] for r in rows)
        assert {f["name"] for f in row["disagreement"]["figures"]} == {
            r["display"] for r in rows
        }
        # No curator chose one: no preferred figure, and so no reason.
        assert row["disagreement"]["preferred"] is None
        assert row["disagreement"]["preferred_reason"] is None
    alone = client.get("/api/v1/figures/?disease=psoriasis").json()["results"]
    assert all(row["disagreement"] is None for row in alone)
    detail = client.get(rows[0]["url"]).json()
    assert detail["disagreement"] == rows[0]["disagreement"]
