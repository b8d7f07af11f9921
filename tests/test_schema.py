"""The OpenAPI schema, the interactive docs and schemathesis against both."""

import re
import zlib

import pytest
import schemathesis
from django.core.management import call_command
from hypothesis import HealthCheck, settings
from hypothesis.stateful import run_state_machine_as_test
from schemathesis.core.result import Err
from schemathesis.pytest.lazy import get_all_tests

from imidkb.wsgi import application


def test_schema_describes_every_resource_and_parameter(client, kb):
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


def test_schema_generates_without_warnings_and_validates(kb, tmp_path):
    """drf-spectacular's own check: every view and field resolved, the
    document valid OpenAPI 3."""
    out = tmp_path / "schema.yaml"
    call_command("spectacular", "--validate", "--fail-on-warn", "--file", str(out))
    assert "openapi:" in out.read_text()


def test_docs_are_served_without_a_cdn(client):
    html = client.get("/api/docs/").content.decode()
    assert "swagger-ui" in html
    assert "cdn" not in html.lower()
    assert "/static/drf_spectacular_sidecar/" in html


# Schemathesis, every check it has, in positive and negative modes: no 5xx,
# every answer as documented (status, media type, headers, body), no
# schema-valid request refused and no schema-violating one accepted, a
# parameter repeated that takes one value refused, undeclared methods
# answered 405 with Allow. The schema is loaded per test from the loaded
# knowledge base (it names the slugs each relation filter takes).
#
# Bounded in time: fuzzing by max_examples; the coverage phase (boundary
# values, missing, repeated and unexpected parameters, other methods) is
# deterministic and runs on every list, detail and release operation. A
# whole-table download takes exactly its list's parameters (checked there)
# and streams the whole table for every case, so downloads are fuzzed, in
# both modes, without the coverage phase. The operations are split into
# parts that pytest-xdist runs in parallel.
PARTS = 3
DOWNLOADS = re.compile(r"/download\.(csv|jsonl)/$")
SETTINGS = settings(
    max_examples=6,
    deadline=None,
    derandomize=True,
    suppress_health_check=list(HealthCheck),
)


def load_schema():
    schema = schemathesis.openapi.from_wsgi("/api/schema/", application)
    # A NUL character anywhere is a 400 (the API's description says so; the
    # NUL guard has its own tests): not generated.
    schema.config.generation.update(allow_x00=False)
    return schema


def in_part(part):
    def matches(ctx) -> bool:
        path = ctx.operation.path
        if part == "downloads":
            return bool(DOWNLOADS.search(path))
        return not DOWNLOADS.search(path) and zlib.crc32(path.encode()) % PARTS == part

    return matches


def call_and_validate(case):
    case.call_and_validate()


@pytest.mark.parametrize("part", [*range(PARTS), "downloads"])
def test_api_conforms_to_its_schema(part, kb, keep_test_connection):
    schema = load_schema()
    schema.config.phases.coverage.generate_duplicate_query_parameters = True
    if part == "downloads":
        schema.config.phases.update(phases=["examples", "fuzzing"])
    tests = get_all_tests(
        schema=schema.include(in_part(part)),
        test_func=call_and_validate,
        settings=SETTINGS,
        given_kwargs={},
    )
    failures, operations = [], 0
    for result in tests:
        if isinstance(result, Err):
            failures.append(f"invalid schema: {result.err()}")
            continue
        operation, test = result.ok()
        operations += 1
        try:
            test()
        except (Exception, BaseExceptionGroup) as exc:  # every failure, together
            failures.append(f"{operation.label}:\n{exc}")
    assert operations, "no operation in this part"
    assert not failures, "\n\n".join(failures)


def test_api_workflows_conform_to_the_schema(kb, keep_test_connection):
    """The stateful phase: sequences of calls that follow the links
    schemathesis infers from the schema (a list's slugs to their details, a
    release's number to its downloads), every check on every step."""
    workflow = load_schema().as_state_machine()
    transitions = [name for name in dir(workflow) if name.startswith("GET_")]
    assert len(transitions) >= 10, transitions
    run_state_machine_as_test(
        workflow,
        settings=settings(
            max_examples=15,
            stateful_step_count=6,
            deadline=None,
            derandomize=True,
            suppress_health_check=list(HealthCheck),
        ),
    )
