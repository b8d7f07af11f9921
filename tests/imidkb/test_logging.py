"""Server errors are logged to stderr with their traceback, and every
response names its request id."""

import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings

BASE_DIR = Path(settings.BASE_DIR)

# A production-settings process (debug off) whose about page raises, called
# as gunicorn calls the application: Django answers the 500 page and must
# write the traceback to stderr.
FORCED_500 = """
import os, django
os.environ["DJANGO_SETTINGS_MODULE"] = "imidkb.settings"
django.setup()
from django.test import RequestFactory
from imidkb import views
from imidkb.wsgi import application
def boom(self, **kwargs):
    raise RuntimeError("forced failure for the logging test")
views.AboutView.get_context_data = boom
environ = RequestFactory().get(
    "/about/", headers={"X-Request-ID": "req-logging-test-1"}
).environ
seen = []
body = b"".join(application(environ, lambda status, headers, *a: seen.append(status)))
print(seen[0].split()[0])
"""


def test_a_forced_500_writes_its_traceback_to_stderr(tmp_path):
    """With debug off, an unhandled exception gives the 500 page and its
    traceback, the path and the request id on stderr."""
    env = {
        "PATH": os.environ["PATH"],
        "DJANGO_DEBUG": "0",
        "DJANGO_SECRET_KEY": "logging-test-secret-key-0123456789-abcdefghijklmnop",
        "DJANGO_SECURE_SSL_REDIRECT": "0",
        "DJANGO_ALLOWED_HOSTS": "testserver",
        "DATABASE_URL": f"sqlite:///{tmp_path / 'kb.sqlite3'}",
        # No cache in front: the about page is rendered by Django at once.
        "DJANGO_PAGE_CACHE_SECONDS": "0",
        "DJANGO_API_CACHE_SECONDS": "0",
    }
    result = subprocess.run(
        [sys.executable, "-c", FORCED_500],
        cwd=BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.stdout.strip() == "500", result.stderr[-2000:]
    log = result.stderr
    assert "ERROR django.request" in log
    assert "Internal Server Error: /about/" in log
    assert "Traceback (most recent call last)" in log
    assert "RuntimeError: forced failure for the logging test" in log
    assert "[req-logging-test-1]" in log


@pytest.mark.django_db
def test_every_response_names_its_request_id(kb, wsgi):
    """A well-formed id from the proxy is kept; a malformed one is replaced
    by a fresh id; cached repeats carry their own id too."""
    kept = wsgi("/about/", **{"X-Request-ID": "abc-123"})
    assert kept["X-Request-ID"] == "abc-123"
    replaced = wsgi("/about/", **{"X-Request-ID": "bad id\r\nx"})
    assert replaced["X-Request-ID"] != "bad id\r\nx"
    assert len(replaced["X-Request-ID"]) == 32
    again = wsgi("/about/")
    assert again["X-Request-ID"] not in {kept["X-Request-ID"], replaced["X-Request-ID"]}
    assert [k.lower() for k, _ in again.header_list].count("x-request-id") == 1
