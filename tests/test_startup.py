"""Production refuses to start in a state that would serve 500s or sign with
a weak key, and /healthz says what is wrong."""

import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings
from django.test import override_settings

from imidkb.checks import check_secret_key, check_static_manifest, secret_key_problem

BASE_DIR = Path(settings.BASE_DIR)
STRONG_KEY = "startup-test-secret-key-0123456789-abcdefghijklmnopqrstuvwxyz"
MANIFEST_STORAGES = {
    **settings.STORAGES,
    "staticfiles": {
        "BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"
    },
}


def production_env(**extra) -> dict:
    return {
        "PATH": os.environ["PATH"],
        "DJANGO_DEBUG": "0",
        "DJANGO_ALLOWED_HOSTS": "127.0.0.1",
        "DJANGO_SECURE_SSL_REDIRECT": "0",
        **extra,
    }


def test_gunicorn_refuses_to_start_without_static_files_or_with_a_weak_key(
    tmp_path,
):
    """No collectstatic and DJANGO_SECRET_KEY=abc: gunicorn exits before any
    worker starts, naming both problems and how to fix them."""
    env = production_env(DJANGO_SECRET_KEY="abc", DJANGO_STATIC_ROOT=str(tmp_path))
    gunicorn = Path(sys.executable).parent / "gunicorn"
    result = subprocess.run(
        [str(gunicorn), "-b", "127.0.0.1:0", "imidkb.wsgi:application"],
        cwd=BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode != 0
    assert "IMID-KB cannot start" in result.stderr
    assert "(imidkb.E001) Static files are not collected" in result.stderr
    assert "run `manage.py collectstatic`" in result.stderr
    assert "(imidkb.E002) DJANGO_SECRET_KEY is too weak" in result.stderr
    assert "Booting worker" not in result.stderr


def test_a_blank_secret_key_counts_as_none():
    """DJANGO_SECRET_KEY=" " is refused at settings time, like no key."""
    result = subprocess.run(
        [sys.executable, "manage.py", "check"],
        cwd=BASE_DIR,
        env=production_env(DJANGO_SECRET_KEY=" "),
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode != 0
    assert "DJANGO_SECRET_KEY must be set" in result.stderr


@pytest.mark.parametrize(
    ("key", "problem"),
    [
        ("abc", "it has 3 characters, fewer than 50"),
        ("ab" * 40, "it has only 2 distinct characters"),
        ("django-insecure-" + "x1y2z3w4" * 6, "one of Django's generated"),
        (STRONG_KEY, None),
    ],
)
def test_weak_secret_keys_are_named(key, problem):
    found = secret_key_problem(key)
    assert found == problem if problem is None else problem in found


def test_the_secret_key_check_is_an_error_only_in_production():
    with override_settings(DEBUG=False, SECRET_KEY="abc"):
        assert [e.id for e in check_secret_key(None)] == ["imidkb.E002"]
    with override_settings(DEBUG=True, SECRET_KEY="abc"):
        assert check_secret_key(None) == []
    with override_settings(DEBUG=False, SECRET_KEY=STRONG_KEY):
        assert check_secret_key(None) == []


def test_the_static_check_needs_a_complete_manifest(tmp_path, collected_static):
    """Missing manifest: an error; the session's collectstatic: none; a
    manifest that lacks a file found by the finders: an error naming it."""
    with override_settings(DEBUG=False, STORAGES=MANIFEST_STORAGES):
        with override_settings(STATIC_ROOT=tmp_path):
            (error,) = check_static_manifest(None)
            assert error.id == "imidkb.E001"
            assert "no static files manifest" in error.msg
        with override_settings(STATIC_ROOT=collected_static):
            assert check_static_manifest(None) == []
        stale = tmp_path / "stale"
        stale.mkdir()
        manifest = (collected_static / "staticfiles.json").read_text()
        (stale / "staticfiles.json").write_text(
            manifest.replace('"css/site.css"', '"css/renamed.css"')
        )
        with override_settings(STATIC_ROOT=stale):
            (error,) = check_static_manifest(None)
            assert "lacks 1 of" in error.msg
            assert "css/site.css" in error.msg


@pytest.mark.django_db
def test_healthz_says_static_files_are_missing(client, tmp_path):
    """Pages would all be 500s: the load balancer is told so, and why."""
    with override_settings(
        DEBUG=False, STORAGES=MANIFEST_STORAGES, STATIC_ROOT=tmp_path
    ):
        response = client.get("/healthz")
    assert response.status_code == 503
    body = response.json()
    assert body["status"] == "unavailable"
    assert body["database"] == "ok"
    assert body["static"].startswith("no static files manifest at ")
