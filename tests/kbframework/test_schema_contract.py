"""The schema says what the server does, parameter by parameter and answer by
answer (schemathesis, in tests/test_schema.py, checks the same by generating
requests; these name each mismatch the first version had). Operations are
walked from the schema document itself, never listed by hand."""

import pytest
from django.conf import settings

from kbframework.choices import Status
from kbframework.filters import MAX_VALUES
from tests.factories import DiseaseFactory

pytestmark = pytest.mark.django_db


def document(client) -> dict:
    response = client.get(
        "/api/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json"
    )
    assert response.status_code == 200
    return response.json()


def operations(doc):
    for path, item in doc["paths"].items():
        for method, operation in item.items():
            yield path, method, operation


def resolve(doc, schema: dict) -> dict:
    if "$ref" in schema:
        return doc["components"]["schemas"][schema["$ref"].rsplit("/", 1)[1]]
    return schema


def test_every_parameter_is_bounded_as_the_server_reads_it(kb, client):
    doc = document(client)
    checked = 0
    for path, _method, operation in operations(doc):
        fields = 0
        for parameter in operation.get("parameters", []):
            schema = parameter["schema"]
            label = (path, parameter["name"])
            if parameter["in"] == "path":
                continue
            checked += 1
            # A boolean is a boolean: no string enum no value satisfies.
            assert not (schema.get("type") == "boolean" and "enum" in schema), label
            if schema.get("type") == "integer":
                assert "minimum" in schema and "maximum" in schema, label
            if schema.get("type") == "array" and parameter.get("explode") is False:
                fields += 1  # (One value, comma-separated: `ordering`.)
                items = schema["items"]
            elif schema.get("type") == "array":
                assert schema["minItems"] == 1, label
                assert schema["maxItems"] == MAX_VALUES, label
                fields += schema["maxItems"]
                items = resolve(doc, schema["items"])
            else:
                fields += 1
                items = schema
            free_text = items.get("type") == "string" and "enum" not in items
            if free_text and items.get("format") != "date-time":
                assert items.get("minLength") == 1, label
        # The most values a schema-valid request carries are taken.
        assert fields <= settings.DATA_UPLOAD_MAX_NUMBER_FIELDS, path
    assert checked > 100


def test_pages_and_ordering_are_documented_with_their_values(kb, client):
    doc = document(client)
    params = {
        p["name"]: p for p in doc["paths"]["/api/v1/figures/"]["get"]["parameters"]
    }
    assert params["page"]["schema"]["minimum"] == 1
    assert params["page_size"]["schema"]["maximum"] == 500
    ordering = params["ordering"]
    assert ordering["explode"] is False
    assert {"value", "-value", "year", "-year"} <= set(
        ordering["schema"]["items"]["enum"]
    )
    for value in ordering["schema"]["items"]["enum"]:
        assert client.get(f"/api/v1/figures/?ordering={value}").status_code == 200
    assert client.get("/api/v1/figures/?page_size=501").status_code == 400
    assert client.get("/api/v1/figures/?page=0").status_code == 400


def test_releases_take_the_ordering_they_document_and_no_csv(kb, client):
    doc = document(client)
    params = {
        p["name"]: p for p in doc["paths"]["/api/v1/releases/"]["get"]["parameters"]
    }
    for value in params["ordering"]["schema"]["items"]["enum"]:
        assert client.get(f"/api/v1/releases/?ordering={value}").status_code == 200
    assert params["format"]["schema"]["enum"] == ["json"]
    response = client.get("/api/v1/releases/?format=csv")
    assert response.status_code == 400
    assert "allowed: json" in response.json()["errors"]["format"][0]


def test_errors_are_documented_as_json_and_304_412_301_are_documented(kb, client):
    doc = document(client)
    for path, _method, operation in operations(doc):
        responses = operation["responses"]
        # An alias (releases/latest...) only redirects: no 200, 304 or 412.
        alias = "200" not in responses
        for code in ("400", "404", "429") if alias else ("400", "404", "412", "429"):
            assert list(responses[code]["content"]) == ["application/json"], (
                path,
                code,
            )
        if alias:
            assert set(responses) == {"307", "400", "404", "429"}, path
            assert responses["307"]["headers"]["Location"]["required"], path
            continue
        assert "304" in responses, path
        if path.endswith("{slug}/"):
            assert "Location" in responses["301"]["headers"], path
        assert "X-KB-Release" in responses["200"]["headers"], path


def test_release_downloads_are_documented_with_the_media_type_they_have(
    kb, client, django_user_model
):
    from django.core.management import call_command

    call_command("cutrelease", "--note", "test", verbosity=0)
    doc = document(client)
    for kind, media in (("json", "application/json"), ("zip", "application/zip")):
        path = f"/api/v1/releases/{{number}}/download.{kind}/"
        assert list(doc["paths"][path]["get"]["responses"]["200"]["content"]) == [media]
        response = client.get(f"/api/v1/releases/1/download.{kind}/")
        assert response.status_code == 200
        assert response["Content-Type"] == media
        assert response["X-Checksum-SHA256"]


def test_a_relation_filter_documents_the_slugs_the_reader_may_see(kb, client):
    """The server refuses any other slug (a 400): the schema names them; a
    draft's slug is not in the public schema."""
    draft = DiseaseFactory(slug="draft-only-disease", status=Status.DRAFT)
    doc = document(client)
    slugs = doc["components"]["schemas"]["DiseaseSlug"]["enum"]
    assert "psoriasis" in slugs
    assert draft.slug not in slugs
    params = {
        p["name"]: p for p in doc["paths"]["/api/v1/figures/"]["get"]["parameters"]
    }
    assert params["disease"]["schema"]["items"] == {
        "$ref": "#/components/schemas/DiseaseSlug"
    }
    response = client.get(f"/api/v1/figures/?disease={draft.slug}")
    assert response.status_code == 400


def test_an_empty_value_is_refused_not_read_as_left_out(kb, client):
    for query in ("search=", "disease=", "preferred=", "ordering=", "slug="):
        response = client.get(f"/api/v1/figures/?{query}")
        assert response.status_code == 400, query
        assert query.rstrip("=") in response.json()["errors"], query


def test_too_many_values_are_one_json_400(kb, client):
    many = "&".join(f"slug=s{n}" for n in range(MAX_VALUES + 1))
    response = client.get(f"/api/v1/diseases/?{many}")
    assert response.status_code == 400
    assert "At most 500" in response.json()["errors"]["slug"][0]
    flood = "&".join(
        f"x{n}=1" for n in range(settings.DATA_UPLOAD_MAX_NUMBER_FIELDS + 1)
    )
    response = client.get(f"/api/v1/diseases/?{flood}")
    assert response.status_code == 400
    assert response.json()["error"] == "invalid_request"


@pytest.mark.parametrize(
    "value",
    [
        "2026-11-21",  # a date alone
        "2026-11-21T12:00:00",  # no offset
        "2026-13-01T00:00:00Z",  # no such month
        "0001-01-01T00:00:00+01:00",  # before year 1 in UTC
        "\uff12026-11-21T12:00:00Z",  # a full-width digit
    ],
)
def test_updated_since_takes_rfc_3339_only(kb, client, value):
    response = client.get("/api/v1/diseases/", {"updated_since": value})
    assert response.status_code == 400
    assert "RFC 3339" in response.json()["errors"]["updated_since"][0]


def test_updated_since_takes_offsets_fractions_and_lowercase(kb, client):
    for value in (
        "2000-01-01T00:00:00Z",
        "2000-01-01t00:00:00.1234567z",
        "2000-01-01T01:00:00+01:00",
    ):
        response = client.get("/api/v1/diseases/", {"updated_since": value})
        assert response.status_code == 200, value
        assert response.json()["count"] > 0


def test_generating_the_schema_leaves_each_readers_filters_their_own(
    kb, client, admin_client
):
    """The schema reads each relation filter's slugs for the reader asking;
    nothing of one reader's is kept for the next."""
    draft = DiseaseFactory(slug="draft-only-disease", status=Status.DRAFT)
    url = f"/api/v1/figures/?disease={draft.slug}"
    document(admin_client)
    assert client.get(url).status_code == 400
    document(client)
    assert admin_client.get(url).status_code == 200
    staff_slugs = document(admin_client)["components"]["schemas"]["DiseaseSlug"]
    assert draft.slug in staff_slugs["enum"]
