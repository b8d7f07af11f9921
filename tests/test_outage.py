"""A database outage: cached pages are served stale (with Age), everything
else is answered 503 with Retry-After, never a 500; full service on the very
next request after the database is back.

The outage is simulated without touching the shared database server: every
query on the connection fails as it does when PostgreSQL is stopped
(OperationalError, connection refused), through Django's execute_wrapper
hook. It runs on whichever database the suite runs on (SQLite and
PostgreSQL in CI).
"""

from contextlib import contextmanager
from unittest import mock

import pytest
from django.db import OperationalError, connection
from django.test import Client

pytestmark = pytest.mark.django_db

CACHED = ["/", "/diseases/psoriasis/", "/api/v1/diseases/psoriasis/"]
NOT_CACHED_PAGE = "/diseases/crohns-disease/"
NOT_CACHED_API = "/api/v1/drug-classes/biologics/"
LOGIN = {"username": "admin", "password": "correct-horse-battery"}


def post(path: str, data: dict):
    """POST with the test client, then keep the test's connection open: the
    client reconnects Django's connection-closing signal handlers after each
    request (keep_test_connection had disconnected them)."""
    from django.core.signals import request_finished, request_started
    from django.db import close_old_connections

    response = Client(raise_request_exception=False).post(path, data)
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    return response


@contextmanager
def database_down():
    """Every query fails, as against a stopped database server."""

    def refuse(execute, sql, params, many, context):
        raise OperationalError(
            'connection to server at "127.0.0.1", port 5432 failed: '
            "Connection refused (simulated outage)"
        )

    with connection.execute_wrapper(refuse):
        yield


def test_an_outage_serves_the_cache_stale_and_503s_the_rest(
    kb, wsgi, superuser, keep_test_connection
):
    editor = Client()
    editor.force_login(superuser)
    session = f"sessionid={editor.cookies['sessionid'].value}"
    before = {url: wsgi(url) for url in CACHED}
    assert {r.status_code for r in before.values()} == {200}
    assert wsgi(NOT_CACHED_PAGE, Cookie=session).status_code == 200  # exists

    seen = []
    rendered = __import__("time").time()
    with (
        database_down(),
        mock.patch("imidkb.response_cache.time") as clock,
    ):
        clock.time.return_value = rendered + 120  # two minutes into the outage
        for url in CACHED:
            stale = wsgi(url)
            seen.append(stale.status_code)
            assert stale.status_code == 200, url
            assert stale.content == before[url].content
            assert 119 <= int(stale["Age"]) <= 125
            assert stale["X-KB-Stale"] == "database-down"
            assert stale["ETag" if url.startswith("/api/") else "Content-Type"]
        page = wsgi(NOT_CACHED_PAGE)
        api = wsgi(NOT_CACHED_API)
        admin = wsgi("/admin/", Cookie=session)
        signed_in_page = wsgi(CACHED[1], Cookie=session)  # not from the cache
        health = wsgi("/healthz")
        login = post("/admin/login/", LOGIN)
        seen += [r.status_code for r in (page, api, admin, signed_in_page, health)]
        seen.append(login.status_code)

    assert 500 not in seen
    for response in (page, api, admin, signed_in_page):
        assert response.status_code == 503
        assert response["Retry-After"] == "5"
        assert "content-security-policy" in response.headers  # Django's headers
    assert "Temporarily unavailable" in page.content.decode()
    assert api.json() == {
        "status": 503,
        "error": "unavailable",
        "detail": "The database is unavailable; please try again in a few seconds.",
    }
    assert login.status_code == 503
    assert login["Retry-After"] == "5"
    assert health.status_code == 503
    assert health.json()["database"] == "down"

    # Back: the very next requests are fully served, fresh, nothing lost.
    for url in CACHED:
        fresh = wsgi(url)
        assert fresh.status_code == 200
        assert "age" not in fresh.headers
        assert "x-kb-stale" not in fresh.headers
    assert wsgi(NOT_CACHED_PAGE).status_code == 200
    assert wsgi(NOT_CACHED_API).status_code == 200
    assert wsgi("/admin/", Cookie=session).status_code == 200
    assert wsgi("/healthz").status_code == 200
    assert post("/admin/login/", LOGIN).status_code == 302


def test_other_database_errors_stay_500s(kb, client):
    """Only an unreachable database is a 503: a failing query for another
    reason (a bug) is still a 500, logged with its traceback."""
    from django.db import ProgrammingError

    def broken(execute, sql, params, many, context):
        raise ProgrammingError("syntax error (simulated bug)")

    plain = Client(raise_request_exception=False)
    with connection.execute_wrapper(broken):
        response = plain.get(NOT_CACHED_PAGE)
    assert response.status_code == 500
    assert "Retry-After" not in response.headers
