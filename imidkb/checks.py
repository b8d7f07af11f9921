"""System checks for serving in production (`manage.py check --deploy`;
gunicorn runs them before it starts, see gunicorn.conf.py).

Each problem here makes every page, or the site's security, wrong from the
first request, so they are errors, not the warnings Django gives.
"""

import json

from django.conf import settings
from django.contrib.staticfiles import finders
from django.contrib.staticfiles.storage import ManifestFilesMixin
from django.core.checks import Error, Tags, register
from django.core.files.storage import storages

# collectstatic's default ignore patterns: what it would copy.
IGNORE_PATTERNS = ["CVS", ".*", "*~"]
MIN_SECRET_KEY_LENGTH = 50
MIN_SECRET_KEY_DISTINCT = 5


def static_problem() -> str | None:
    """Why static files cannot be served by their hashed names, or None.

    With debug off, templates name static files by the names in
    collectstatic's manifest; without it (or with one that lacks a file)
    every page that names a static file is a 500. Also used by /healthz.
    """
    if settings.DEBUG:
        return None
    storage = storages["staticfiles"]
    if not isinstance(storage, ManifestFilesMixin):
        return None
    where = f"{settings.STATIC_ROOT}/{storage.manifest_name}"
    content = storage.read_manifest()
    if content is None:
        return (
            f"no static files manifest at {where}: run `manage.py collectstatic` "
            "before starting (make serve does)"
        )
    try:
        paths = json.loads(content).get("paths", {})
    except (ValueError, AttributeError):
        return f"the static files manifest at {where} is not valid JSON: collect again"
    expected = {
        path
        for finder in finders.get_finders()
        for path, _storage in finder.list(IGNORE_PATTERNS)
    }
    missing = sorted(expected - paths.keys())
    if missing:
        return (
            f"the static files manifest at {where} lacks {len(missing)} of "
            f"{len(expected)} files (e.g. {missing[0]}): run `manage.py "
            "collectstatic` again"
        )
    absent = sorted(name for name in paths.values() if not storage.exists(name))
    if absent:
        return (
            f"{len(absent)} files named in the static files manifest at {where} "
            f"are missing (e.g. {absent[0]}): run `manage.py collectstatic` again"
        )
    return None


@register(Tags.staticfiles, deploy=True)
def check_static_manifest(app_configs, **kwargs):
    problem = static_problem()
    if problem is None:
        return []
    return [
        Error(
            f"Static files are not collected: {problem}.",
            hint="Every page would be a server error (500) without them.",
            id="imidkb.E001",
        )
    ]


def secret_key_problem(key: str) -> str | None:
    """Why a secret key is too weak to sign sessions and CSRF tokens, or None
    (Django's own rule, security.W009, made an error)."""
    if len(key) < MIN_SECRET_KEY_LENGTH:
        return f"it has {len(key)} characters, fewer than {MIN_SECRET_KEY_LENGTH}"
    if len(set(key)) < MIN_SECRET_KEY_DISTINCT:
        return f"it has only {len(set(key))} distinct characters"
    if key.startswith("django-insecure-"):
        return "it is one of Django's generated development keys"
    return None


@register(Tags.security, deploy=True)
def check_secret_key(app_configs, **kwargs):
    if settings.DEBUG:
        return []
    problem = secret_key_problem(settings.SECRET_KEY)
    if problem is None:
        return []
    return [
        Error(
            f"DJANGO_SECRET_KEY is too weak for production: {problem}.",
            hint=(
                "Generate one with: python -c "
                '"import secrets; print(secrets.token_urlsafe(50))"'
            ),
            id="imidkb.E002",
        )
    ]
