"""The public response cache in front of Django (imidkb.response_cache),
exercised through the production WSGI application."""

from functools import partial
from io import StringIO
from unittest import mock

import pytest
from django.core.management import call_command
from django.db import OperationalError
from django.http import HttpResponse
from django.test import override_settings
from rest_framework.throttling import AnonRateThrottle

from diseases.models import Disease
from imidkb.response_cache import PublicResponseCache
from tests.conftest import first_visit_queries
from tests.factories import DiseaseFactory

pytestmark = pytest.mark.django_db

PAGE = "/diseases/psoriasis/"
API = "/api/v1/diseases/psoriasis/"


def without_request_id(response) -> list:
    """The headers but those that are each request's own: its id and the
    client's RateLimit fields (counted afresh on every answer)."""
    own = ("x-request-id", "ratelimit", "ratelimit-policy")
    return sorted((k, v) for k, v in response.header_list if k.lower() not in own)


@pytest.mark.parametrize("url", [PAGE, API, "/search/?q=lupus"])
def test_a_repeat_is_the_same_response_for_one_query(
    kb, wsgi, django_assert_num_queries, url
):
    first = wsgi(url)
    with django_assert_num_queries(1):
        second = wsgi(url)
    assert second.status_code == first.status_code == 200
    # Security headers included; only the request id is each request's own.
    assert without_request_id(second) == without_request_id(first)
    assert second.content == first.content
    assert "content-security-policy" in second.headers
    if url.startswith("/api/"):
        assert first["RateLimit"] != second["RateLimit"]  # one more counted


@pytest.mark.parametrize(
    ("url", "read"),
    [
        (PAGE, lambda r: r.content.decode()),
        (API, lambda r: r.json()["summary"]),
    ],
)
def test_an_edit_is_served_on_the_very_next_request(kb, wsgi, url, read):
    """Stored responses are keyed on the data version, which every curated
    write bumps in the database that all processes share."""
    wsgi(url)
    psoriasis = Disease.objects.get(slug="psoriasis")
    psoriasis.summary = "An edit readers must see at once."
    psoriasis.save()
    assert "An edit readers must see at once." in read(wsgi(url))


def queries(request) -> int:
    """SQL statements run by one request."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as captured:
        request()
    return len(captured)


def session_cookie(client) -> str:
    return f"sessionid={client.cookies['sessionid'].value}"


def test_signed_in_editors_always_reach_django(kb, wsgi, editor_client):
    draft = DiseaseFactory(name="Quietly drafted disease", status="draft")
    url = draft.get_absolute_url()
    assert wsgi(url).status_code == 404
    preview = wsgi(url, cookie=session_cookie(editor_client))
    assert preview.status_code == 200
    assert "not public" in preview.content.decode()
    # The editor's preview was not kept for anyone else.
    assert wsgi(url).status_code == 404
    wsgi(PAGE)
    assert queries(lambda: wsgi(PAGE, cookie=session_cookie(editor_client))) > 1


def test_requests_with_credentials_reach_django(kb, wsgi):
    wsgi(API)
    credentials = "Basic bm9ib2R5Om5vdGhpbmc="  # nobody:nothing
    assert queries(lambda: wsgi(API, authorization=credentials)) > 1


def test_if_none_match_is_answered_with_304(kb, wsgi, django_assert_num_queries):
    etag = wsgi(API)["ETag"]
    with django_assert_num_queries(1):
        response = wsgi(API, if_none_match=etag)
    assert response.status_code == 304
    assert response.content == b""
    assert response["ETag"] == etag
    assert "content-type" not in response.headers
    other = wsgi(API, if_none_match='"something-else"')
    assert other.status_code == 200
    assert other.json()["slug"] == "psoriasis"
    # Other conditional headers are left to Django, which answers them.
    since = wsgi(API, if_modified_since=wsgi(API)["Last-Modified"])
    assert since.status_code == 304


def test_the_key_holds_what_a_response_varies_on(kb, wsgi):
    listing = "/api/v1/diseases/?page_size=5"
    json_body = wsgi(listing)
    csv_body = wsgi(listing, accept="text/csv")
    assert json_body["Content-Type"] == "application/json"
    assert csv_body["Content-Type"].startswith("text/csv")
    cross_origin = wsgi(API, origin="https://notebook.example.org")
    assert cross_origin["Access-Control-Allow-Origin"] == "*"
    assert "access-control-allow-origin" not in wsgi(API).headers
    assert wsgi(API, host="evil.example.org").status_code == 400


@pytest.mark.parametrize(
    ("url", "status"),
    [("/diseases/no-such-disease/", 404), ("/api/v1/diseases/?nonsense=1", 400)],
)
def test_only_successful_public_gets_are_kept(kb, wsgi, url, status):
    from django.core.cache import cache

    with mock.patch.object(cache, "set", wraps=cache.set) as stored:
        assert wsgi(url).status_code == status
    keys = [call.args[0] for call in stored.call_args_list]
    assert not [key for key in keys if key.startswith("imidkb:response:")]


def test_cached_api_hits_are_throttled(kb, wsgi, monkeypatch):
    monkeypatch.setattr(AnonRateThrottle, "THROTTLE_RATES", {"anon": "3/minute"})
    statuses = [wsgi(API).status_code for _ in range(4)]
    assert statuses == [200, 200, 200, 429]
    refused = wsgi(API)
    assert refused.json()["error"] == "throttled"
    assert int(refused["Retry-After"]) > 0


def test_a_database_failure_is_left_to_django(kb, wsgi):
    with mock.patch(
        "imidkb.response_cache.DataVersion.current",
        side_effect=OperationalError("database is locked"),
    ):
        response = wsgi(PAGE)
    assert response.status_code == 200  # Django answered (its own read worked)


class Inner:
    """A stand-in for Django's application: counts its calls."""

    def __init__(self, **headers):
        self.calls = 0
        self.headers = headers

    def __call__(self, environ, start_response):
        self.calls += 1
        response = HttpResponse(b"<p>page</p>", content_type="text/html")
        for name, value in self.headers.items():
            response[name] = value
        response.kb_cache_seconds = 60
        start_response("200 OK", list(response.items()))
        return response


@pytest.mark.parametrize(
    "headers",
    [
        {"Set-Cookie": "csrftoken=abc; Path=/"},
        {"Content-Security-Policy": "script-src 'self' 'nonce-r4nd0m'"},
    ],
)
def test_responses_that_are_per_request_are_not_kept(
    rf, db, keep_test_connection, headers
):
    inner = Inner(**headers)
    cached = PublicResponseCache(inner)
    for _ in range(2):
        cached(rf.get("/about/").environ, lambda *args: None)
    assert inner.calls == 2
    plain = Inner()
    cached = PublicResponseCache(plain)
    for _ in range(2):
        cached(rf.get("/about/").environ, lambda *args: None)
    assert plain.calls == 1


@override_settings(PAGE_CACHE_SECONDS=0, API_CACHE_SECONDS=0)
def test_caching_can_be_turned_off(kb, wsgi):
    wsgi(PAGE)
    assert queries(lambda: wsgi(PAGE)) > 1


# The benchmark's targets and the shapes of its crawls, with their SQL
# statements per request on a cold cache and on a repeat, pinned: a change
# that adds one fails here with the new counts to review. They do not grow
# with the number of diseases (the bench reports them at N = 10,000 too).
# The cold counts are rendering's: a record's address (its API detail, its
# page) and a list's page asked for in an order add the store of its public
# document (first_visit_queries); once stored, it costs 1 on every visit, a
# crawl's first ones included (tests/kbframework/test_readmodel.py).
SCALE_TARGETS = {
    "/api/v1/diseases/systemic-lupus-erythematosus/": (35, 1),
    "/api/v1/diseases/?page_size=50": (6, 1),
    "/api/v1/diseases/?page_size=50&page=1&ordering=-updated": (6, 1),
    "/api/v1/diseases/?ordering=-name": (6, 1),  # as the list crawl asks
    "/api/v1/figures/?disease=systemic-lupus-erythematosus": (6, 1),
    "/diseases/systemic-lupus-erythematosus/": (33, 1),
    "/diseases/psoriasis/": (33, 1),
    "/search/?q=lupus": (6, 1),
    "/compare/?d=systemic-lupus-erythematosus&d=sjogrens-syndrome": (26, 1),
}


def test_queries_per_request_do_not_grow_with_synthetic_diseases(kb, wsgi):
    from django.core.cache import cache

    def counts():
        cache.clear()
        return [
            (queries(partial(wsgi, url)), queries(partial(wsgi, url)))
            for url in SCALE_TARGETS
        ]

    curated = counts()
    assert dict(zip(SCALE_TARGETS, curated, strict=True)) == {
        url: (first_visit_queries(url, cold), repeat)
        for url, (cold, repeat) in SCALE_TARGETS.items()
    }
    call_command("synthkb", diseases=300, stdout=StringIO())
    assert counts() == curated
