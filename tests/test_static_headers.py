"""Static files, served by whitenoise from collectstatic's output, carry the
security headers the pages carry."""

import pytest
from django.conf import settings
from django.test import Client, override_settings

SECURITY_HEADERS = (
    "Content-Security-Policy",
    "X-Content-Type-Options",
    "Referrer-Policy",
    "Cross-Origin-Opener-Policy",
    "X-Frame-Options",
    "Strict-Transport-Security",
)
STATIC_FILES = (
    "css/site.css",
    "favicon.svg",
    "drf_spectacular_sidecar/swagger-ui-dist/swagger-ui-bundle.js",
)


@pytest.fixture
def production_static(collected_static):
    """Hashed files from the session's collectstatic, served by whitenoise."""
    storages = {
        **settings.STORAGES,
        "staticfiles": {
            "BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"
        },
    }
    with override_settings(STATIC_ROOT=collected_static, STORAGES=storages):
        yield Client()  # whitenoise reads STATIC_ROOT when first used


@pytest.mark.django_db
@pytest.mark.parametrize("name", STATIC_FILES)
def test_static_files_carry_the_pages_security_headers(kb, production_static, name):
    from django.templatetags.static import static

    page = production_static.get("/about/", secure=True)
    url = static(name)
    assert url != f"/static/{name}"  # the hashed name, as pages link it
    file = production_static.get(url, secure=True)
    assert file.status_code == 200
    assert "immutable" in file["Cache-Control"]  # served by whitenoise
    for header in SECURITY_HEADERS:
        assert header in page.headers, header
        assert file.headers.get(header) == page.headers[header], header
