"""An edit is visible on the very next request of every gunicorn worker.

Served as in production: gunicorn, two sync workers, each with the public
response cache in its own memory, on an SQLite file; the edit is made by
another process, as an editor's save in another worker would be.
"""

import json
import os
import subprocess
import sys
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from django.conf import settings

from tests.servers import gunicorn

BASE_DIR = Path(settings.BASE_DIR)
# It serves an SQLite file of its own, whatever database the suite runs on.
pytestmark = pytest.mark.sqlite_run_only

URL_PATHS = ["/api/v1/diseases/psoriasis/", "/diseases/psoriasis/"]
EDIT = """
from diseases.models import Disease
psoriasis = Disease.objects.get(slug="psoriasis")
psoriasis.summary = "Edited by another process."
psoriasis.save()
"""


@pytest.fixture
def served(tmp_path, collected_static):
    env = {
        "PATH": os.environ["PATH"],
        "DJANGO_DEBUG": "0",
        "DJANGO_SECRET_KEY": "workers-test-secret-key-0123456789-abcdefghijklmnop",
        "DJANGO_ALLOWED_HOSTS": "127.0.0.1",
        "DJANGO_SECURE_SSL_REDIRECT": "0",
        "DJANGO_API_ANON_RATE": "",
        "DATABASE_URL": f"sqlite:///{tmp_path / 'kb.sqlite3'}",
        "DJANGO_STATIC_ROOT": str(collected_static),  # pages name hashed files
    }

    def manage(*args):
        subprocess.run(
            [sys.executable, "manage.py", *args],
            cwd=BASE_DIR,
            env=env,
            capture_output=True,
            text=True,
            check=True,
            timeout=300,
        )

    manage("migrate", "--noinput")
    manage("loadkb")
    with gunicorn(env) as base:
        yield base, manage


def fetch(url: str) -> str:
    with urllib.request.urlopen(url, timeout=10) as response:
        return response.read().decode()


def test_every_worker_serves_an_edit_on_its_next_request(served):
    base, manage = served
    urls = [base + path for path in URL_PATHS] * 20
    with ThreadPoolExecutor(max_workers=8) as pool:
        before = list(pool.map(fetch, urls))  # both workers fill their caches
    assert not [body for body in before if "Edited by another process." in body]

    manage("shell", "-c", EDIT)

    with ThreadPoolExecutor(max_workers=8) as pool:
        after = list(pool.map(fetch, urls))
    api = [json.loads(body) for body in after[::2]]
    assert {body["summary"] for body in api} == {"Edited by another process."}
    assert all("Edited by another process." in body for body in after[1::2])
