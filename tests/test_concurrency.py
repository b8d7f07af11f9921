"""Concurrent saves on an SQLite file: writers wait their turn, then save or
get the stale-save message; never a 5xx ("database is locked" was a 500).

Runs in a separate process on an SQLite file (the suite's in-memory database
shares one connection between threads, which is not what a server does):
six reviewers save the same disease at the same moment from six threads, one
of them while a fixture load is running in a seventh.
"""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings

BASE_DIR = Path(settings.BASE_DIR)

SCRIPT = r"""
import json, os, sys, threading
import django
django.setup()
from django.contrib.auth.models import User
from django.core.management import call_command
from django.test import Client
from io import StringIO

from diseases.models import Disease
from kbframework.fixtures import load_kb
from tests.test_write_guard import FormFields, with_marker

call_command("migrate", verbosity=0)
call_command("loadkb", stdout=StringIO())
users = [
    User.objects.create_superuser(f"reviewer{n}", f"r{n}@example.org", "x" * 16)
    for n in range(6)
]
pk = Disease.objects.get(slug="psoriasis").pk
url = f"/admin/diseases/disease/{pk}/change/"
forms = []
for user in users:
    client = Client(raise_request_exception=False)
    client.force_login(user)
    parser = FormFields()
    parser.feed(client.get(url).content.decode())
    forms.append((client, with_marker(parser.fields, parser.text_names)))
start = threading.Barrier(len(forms) + 1)
results = []

def save(client, data):
    start.wait()
    response = client.post(url, data)
    stale = b"saved this record after you opened it" in response.content
    results.append([response.status_code, stale])

def load():
    start.wait()
    try:
        load_kb()
        results.append(["loadkb", "ok"])
    except Exception as exc:
        results.append(["loadkb", repr(exc)])

threads = [threading.Thread(target=save, args=form) for form in forms]
threads.append(threading.Thread(target=load))
for thread in threads:
    thread.start()
for thread in threads:
    thread.join()
print(json.dumps(results))
"""


@pytest.mark.sqlite_run_only
def test_concurrent_saves_on_sqlite_never_answer_a_5xx(tmp_path):
    env = {
        "PATH": os.environ["PATH"],
        "DJANGO_SETTINGS_MODULE": "imidkb.settings",
        # Debug on: pages then name static files by their plain names, so no
        # collectstatic is needed (a clean clone has none).
        "DJANGO_DEBUG": "1",
        "DJANGO_SECRET_KEY": "concurrency-test-secret-key-0123456789-abcdefghij",
        "DJANGO_ALLOWED_HOSTS": "testserver",
        "DJANGO_SECURE_SSL_REDIRECT": "0",
        "DATABASE_URL": f"sqlite:///{tmp_path / 'kb.sqlite3'}",
    }
    result = subprocess.run(
        [sys.executable, "-c", SCRIPT],
        cwd=BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    results = json.loads(result.stdout.strip().splitlines()[-1])
    saves = [r for r in results if r[0] != "loadkb"]
    assert len(saves) == 6
    assert all(status < 500 for status, _stale in saves), results
    # One save wins; every other one is refused with the stale-save message.
    assert sum(status == 302 for status, _stale in saves) == 1, results
    assert all(stale for status, stale in saves if status != 302), results
    assert ["loadkb", "ok"] in results or any(
        "refuse" in str(r) or "differ" in str(r) for r in results
    ), results
