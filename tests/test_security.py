"""Production settings, security headers, error pages, hostile input, client
addresses, and what survives an interrupted write."""

import os
import subprocess
import sys
from pathlib import Path
from urllib.parse import quote

import pytest
from django.conf import settings
from django.test import Client, override_settings
from hypothesis import HealthCheck, given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st

from imidkb.middleware import client_ip

BASE_DIR = Path(settings.BASE_DIR)
PRODUCTION_ENV = {
    "PATH": os.environ["PATH"],
    "DJANGO_DEBUG": "0",
    "DJANGO_SECRET_KEY": "k" * 20
    + "-production-like-secret-key-with-entropy-0123456789",
    "DJANGO_ALLOWED_HOSTS": "kb.example.org",
}


def manage(*args, env=None) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=BASE_DIR,
        env=env or PRODUCTION_ENV,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_deploy_check_passes_with_production_settings(collected_static):
    env = {**PRODUCTION_ENV, "DJANGO_STATIC_ROOT": str(collected_static)}
    result = manage("check", "--deploy", "--fail-level", "WARNING", env=env)
    assert result.returncode == 0, result.stdout + result.stderr


def test_production_refuses_to_start_without_a_secret_key():
    env = {
        key: value
        for key, value in PRODUCTION_ENV.items()
        if key != "DJANGO_SECRET_KEY"
    }
    result = manage("check", env=env)
    assert result.returncode != 0
    assert "DJANGO_SECRET_KEY must be set" in result.stderr


def test_production_settings_turn_on_hsts_and_secure_cookies():
    code = (
        "import django, os; os.environ['DJANGO_SETTINGS_MODULE']='imidkb.settings';"
        "django.setup(); from django.conf import settings as s;"
        "print(s.SECURE_HSTS_SECONDS, s.SESSION_COOKIE_SECURE, s.CSRF_COOKIE_SECURE,"
        " s.SESSION_COOKIE_HTTPONLY, s.SECURE_SSL_REDIRECT)"
    )
    result = subprocess.run(
        [sys.executable, "-c", code],
        cwd=BASE_DIR,
        env=PRODUCTION_ENV,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.stdout.split() == ["31536000", "True", "True", "True", "True"]


RESPONSE_KINDS = [
    "/",
    "/diseases/systemic-lupus-erythematosus/",
    "/no-such-page/",
    "/api/v1/diseases/",
    "/api/v1/no-such-endpoint/",
    "/api/v1/diseases/?colour=red",
    "/admin/login/",
    "/api/docs/",
]


@pytest.mark.django_db
@pytest.mark.parametrize("url", RESPONSE_KINDS)
def test_security_headers_on_every_kind_of_response(kb, client, url):
    response = client.get(url)
    csp = response["Content-Security-Policy"]
    assert "default-src 'self'" in csp
    assert "script-src 'self'" in csp  # plus a nonce where a page needs one
    script_src = csp.split("script-src")[1].split(";")[0]
    assert "'unsafe-inline'" not in script_src
    if url != "/api/docs/":  # Swagger UI sets inline styles from its script
        assert "'unsafe-inline'" not in csp
    assert "frame-ancestors 'none'" in csp
    assert response["X-Frame-Options"] == "DENY"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Referrer-Policy"] == "same-origin"
    assert response["Cross-Origin-Opener-Policy"] == "same-origin"


@pytest.mark.django_db
def test_pages_carry_no_executable_inline_script(kb, client):
    """The one inline <script> is schema.org JSON-LD, a data block that
    browsers never execute (so the page can be cached whole)."""
    html = client.get("/diseases/rheumatoid-arthritis/").content.decode()
    assert html.count("<script") == 1
    assert '<script type="application/ld+json">' in html


@pytest.mark.django_db
def test_the_500_pages_reveal_nothing(kb, monkeypatch):
    from diseases.api.views import DiseaseViewSet
    from imidkb.views import AboutView

    def explode(*args, **kwargs):
        raise RuntimeError("secret internals")

    monkeypatch.setattr(AboutView, "get", explode)
    monkeypatch.setattr(DiseaseViewSet, "list", explode)
    client = Client(raise_request_exception=False)
    page = client.get("/about/")
    assert page.status_code == 500
    assert "secret internals" not in page.content.decode()
    assert "Something went wrong" in page.content.decode()
    api = client.get("/api/v1/diseases/")
    assert api.status_code == 500
    assert api.json() == {
        "status": 500,
        "error": "server_error",
        "detail": "Server error.",
    }


@pytest.mark.django_db
def test_healthz_checks_the_database_and_skips_the_https_redirect(client):
    assert client.get("/healthz").json() == {
        "status": "ok",
        "database": "ok",
        "static": "ok",
    }
    with override_settings(SECURE_SSL_REDIRECT=True):
        fresh = Client()  # middleware reads its settings when first used
        assert fresh.get("/healthz").status_code == 200
        assert fresh.get("/").status_code == 301


@pytest.mark.parametrize(
    ("proxies", "forwarded", "expected"),
    [
        (0, "", "10.0.0.9"),
        (0, "6.6.6.6", "10.0.0.9"),  # no proxy trusted: the header is ignored
        (1, "203.0.113.7", "203.0.113.7"),
        (1, "6.6.6.6, 203.0.113.7", "203.0.113.7"),  # a spoofed first hop
        (2, "6.6.6.6, 203.0.113.7, 10.1.1.1", "203.0.113.7"),
    ],
)
def test_client_address_trusts_only_the_configured_proxies(
    rf, proxies, forwarded, expected
):
    request = rf.get("/", REMOTE_ADDR="10.0.0.9", HTTP_X_FORWARDED_FOR=forwarded)
    with override_settings(TRUSTED_PROXY_COUNT=proxies):
        assert client_ip(request) == expected


def test_throttling_and_lockout_use_the_same_proxy_count():
    assert settings.REST_FRAMEWORK["NUM_PROXIES"] == settings.TRUSTED_PROXY_COUNT
    assert settings.AXES_CLIENT_IP_CALLABLE == "imidkb.middleware.client_ip"


# Hostile query parameters on every list page and endpoint.
HOSTILE = [
    "\x00",
    "a\x00b",
    "\ud800",
    "\udfff\ud800",
    "x" * 10_000,
    "9" * 400,
    "-1",
    "-99999999999999999999",
    "1e309",
    "NaN",
    "' OR 1=1 --",
    '"; DROP TABLE diseases_disease; --',
    "{{ 7*7 }}",
    "{% debug %}",
    "<script>alert(1)</script>",
    '"><img src=x onerror=alert(1)>',
    "../../etc/passwd",
    "%00",
    "__class__",
    "name__icontains",
]
PAGES = {
    "/diseases/": ["symptom", "mechanism", "drug_class", "body_system", "kind", "page"],
    "/symptoms/": ["disease", "hpo_id", "search", "page"],
    "/mechanisms/": ["disease", "kind", "search"],
    "/drug-classes/": ["parent", "effect", "modality", "development", "search"],
    "/drugs/": ["drug_class", "search", "page"],
    "/epidemiology/": ["disease", "measure", "region", "year", "preferred", "search"],
    "/search/": ["q"],
    "/compare/": ["d"],
    "/api/v1/diseases/": ["symptom", "identifier", "ordering", "page", "page_size"],
    "/api/v1/figures/": ["disease", "region", "year", "preferred", "study", "format"],
    "/api/v1/drugs/": ["drug_class", "search", "ordering"],
    "/api/v1/sources/": ["kind", "search", "page_size"],
    "/api/v1/releases/": ["page", "page_size"],
    "/api/v1/exports/": ["format"],
    "/infobutton/": [
        "mainSearchCriteria.v.cs",
        "mainSearchCriteria.v.c",
        "knowledgeResponseType",
    ],
}
TARGETS = [(url, param) for url, params in PAGES.items() for param in [*params, "x"]]


def encode(value: str) -> str:
    """Percent-encode, keeping lone surrogates as the bytes a client could send."""
    return quote(value.encode("utf-8", "surrogatepass"), safe="")


@pytest.mark.django_db
@hypothesis_settings(
    # Bounded for the suite's time: about 2.5 examples per (page, parameter).
    max_examples=100,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    target=st.sampled_from(TARGETS),
    value=st.one_of(
        st.sampled_from(HOSTILE),
        st.text(max_size=60),
        st.integers(min_value=-(10**30), max_value=10**30).map(str),
    ),
)
def test_hostile_parameters_never_cause_a_5xx_or_unescaped_markup(kb, target, value):
    url, param = target
    response = Client(raise_request_exception=False).get(
        f"{url}?{param}={encode(value)}"
    )
    assert response.status_code < 500, (url, param, value)
    body = response.content.decode("utf-8", "replace")
    assert "<script>alert" not in body
    assert "<img src=x" not in body


def test_redis_url_switches_to_a_shared_cache():
    code = (
        "import django, os; os.environ['DJANGO_SETTINGS_MODULE']='imidkb.settings';"
        "django.setup(); from django.conf import settings as s;"
        "print(s.CACHES['default']['BACKEND'], s.CACHES['throttle']['BACKEND'])"
    )
    env = {**PRODUCTION_ENV, "REDIS_URL": "redis://127.0.0.1:6379/0"}
    result = subprocess.run(
        [sys.executable, "-c", code],
        cwd=BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    # Django's Redis cache, degrading to a miss when Redis is down.
    assert result.stdout.split() == ["imidkb.cache.DegradingRedisCache"] * 2


# Release-pinned reads (one release cut): every path segment and parameter.
RELEASE_PATHS = [
    "/api/v1/releases/{}/diseases/",
    "/api/v1/releases/1/{}/",
    "/api/v1/releases/1/diseases/{}/",
    "/api/v1/releases/1/disease-symptoms/{}/",
    "/api/v1/releases/1/diff/{}/",
    "/api/v1/releases/latest/{}/",
    "/api/v1/releases/latest/diseases/{}/",
    "/api/v1/releases/1/diseases/?page={}",
    "/api/v1/releases/1/diseases/?page_size={}",
    "/api/v1/releases/1/diseases/psoriasis/?x={}",
    "/api/v1/releases/1/diff/1/?page={}",
    "/api/v1/releases/latest/diseases/?page={}",
    "/api/v1/releases/1/exports/{}/",
    "/api/v1/releases/1/exports/?x={}",
    "/api/v1/exports/{}/",
]


@pytest.fixture
def one_release(kb):
    from imidkb.releases import cut_release

    return cut_release(note="hostile input")


@pytest.mark.django_db
@hypothesis_settings(
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    template=st.sampled_from(RELEASE_PATHS),
    value=st.one_of(st.sampled_from(HOSTILE), st.text(max_size=60)),
)
def test_hostile_release_paths_are_a_4xx_or_a_redirect_in_json(
    one_release, template, value
):
    response = Client(raise_request_exception=False).get(template.format(encode(value)))
    assert response.status_code < 500, (template, value)
    if response.status_code >= 400:
        assert response["Content-Type"] == "application/json", (template, value)
    assert response.status_code in (200, 307, 400, 404), (template, value)
    body = response.content.decode("utf-8", "replace")
    assert "<script>alert" not in body


@pytest.mark.django_db
@hypothesis_settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(value=st.one_of(st.sampled_from(HOSTILE), st.text(max_size=60)))
def test_hostile_identifiers_never_cause_a_5xx_or_unescaped_markup(kb, value):
    """The resolver (/id/<anything>): a 303, 300, 400 or 404, escaped."""
    for accept in ("text/html", "application/json"):
        response = Client(raise_request_exception=False).get(
            f"/id/{encode(value)}", HTTP_ACCEPT=accept
        )
        assert response.status_code in (303, 300, 400, 404), (value, accept)
        body = response.content.decode("utf-8", "replace")
        assert "<script>alert" not in body
        assert "<img src=x" not in body
