import pytest
from django.test import Client
from openapi_spec_validator import validate

pytestmark = pytest.mark.django_db


def test_schema_is_valid_openapi_3(client: Client) -> None:
    response = client.get("/api/schema", HTTP_ACCEPT="application/vnd.oai.openapi+json")

    assert response.status_code == 200
    document = response.json()
    validate(document)
    assert document["openapi"].startswith("3.")
    assert "/api/accounts/me" in document["paths"]
    assert set(document["components"]["securitySchemes"]) == {
        "apiToken",
        "basicAuth",
        "credentialsCookie",
        "cookieAuth",
    }


def test_api_docs_page(client: Client) -> None:
    response = client.get("/api/docs")
    assert response.status_code == 200
    assert b"swagger" in response.content.lower()
