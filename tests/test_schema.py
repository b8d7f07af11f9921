"""The OpenAPI schema, the interactive docs and schemathesis against both."""

import pytest
import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis.checks import (
    content_type_conformance,
    not_a_server_error,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from imidkb.wsgi import application

schema = schemathesis.openapi.from_wsgi("/api/schema/", application)


def test_schema_describes_every_resource_and_parameter(client):
    response = client.get(
        "/api/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json"
    )
    assert response.status_code == 200
    document = response.json()
    paths = document["paths"]
    for resource in ("diseases", "symptoms", "figures", "studies", "sources"):
        assert f"/api/v1/{resource}/" in paths
    params = {p["name"]: p for p in paths["/api/v1/diseases/"]["get"]["parameters"]}
    assert {
        "symptom",
        "drug_class",
        "identifier",
        "search",
        "ordering",
        "page_size",
    } <= set(params)
    assert all(p.get("description") for p in params.values())
    figure = document["components"]["schemas"]["Figure"]["properties"]
    assert figure["value"]["type"] == "string"


def test_docs_are_served_without_a_cdn(client):
    html = client.get("/api/docs/").content.decode()
    assert "swagger-ui" in html
    assert "cdn" not in html.lower()
    assert "/static/drf_spectacular_sidecar/" in html


CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
    response_headers_conformance,
]
# Whole-table downloads stream every row of a table and take the same filters
# as their list (checked with the lists): fewer examples each, so that the
# suite stays bounded as resources are added.
DOWNLOADS = r"/download\.(csv|jsonl)/$"


@schema.exclude(path_regex=DOWNLOADS).parametrize()
@settings(
    max_examples=6,
    deadline=None,
    derandomize=True,
    suppress_health_check=list(HealthCheck),
)
@pytest.mark.django_db
def test_api_conforms_to_its_schema(case, kb, keep_test_connection):
    """No 5xx anywhere, and every response matches what the schema says."""
    case.call_and_validate(checks=CHECKS)


@schema.include(path_regex=DOWNLOADS).parametrize()
@settings(
    max_examples=2,
    deadline=None,
    derandomize=True,
    suppress_health_check=list(HealthCheck),
)
@pytest.mark.django_db
def test_downloads_conform_to_the_schema(case, kb, keep_test_connection):
    case.call_and_validate(checks=CHECKS)
