import pytest
from django.test import Client, override_settings

from apps.ogc import conformance

pytestmark = pytest.mark.django_db


def test_landing_page_json_has_absolute_links(client: Client) -> None:
    response = client.get("/ogcapi/", HTTP_ACCEPT="application/json")

    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    links = {link["rel"]: link for link in response.json()["links"]}
    assert links["self"]["href"] == "http://testserver/ogcapi/?f=json"
    assert links["alternate"] == {
        "href": "http://testserver/ogcapi/?f=html",
        "rel": "alternate",
        "type": "text/html",
        "title": "This document as HTML",
    }
    assert links["service-desc"]["href"] == "http://testserver/ogcapi/api"
    assert links["http://www.opengis.net/def/rel/ogc/1.0/conformance"]["href"] == (
        "http://testserver/ogcapi/conformance"
    )


@pytest.mark.parametrize(
    ("query", "accept", "expected"),
    [
        ("", "text/html,application/xhtml+xml;q=0.9", "text/html; charset=utf-8"),
        ("", "application/json", "application/json"),
        ("", "", "application/json"),
        ("?f=html", "application/json", "text/html; charset=utf-8"),
        ("?f=json", "text/html", "application/json"),
    ],
)
def test_format_negotiation(client: Client, query: str, accept: str, expected: str) -> None:
    response = client.get(f"/ogcapi/{query}", HTTP_ACCEPT=accept)
    assert response.status_code == 200
    assert response["Content-Type"] == expected


def test_html_representation_is_a_page(client: Client) -> None:
    response = client.get("/ogcapi/?f=html")
    assert b"<h1>TEP Marketplace - OGC API - Processes</h1>" in response.content
    assert b'href="http://testserver/ogcapi/conformance"' in response.content


def test_unsupported_format_is_a_400_problem(client: Client) -> None:
    response = client.get("/ogcapi/?f=xml")
    assert response.status_code == 400
    assert response["Content-Type"] == "application/problem+json"
    assert response.json()["detail"] == "Unsupported format 'xml'; use f=json or f=html."


def test_conformance_lists_registered_classes(client: Client) -> None:
    uri = "http://www.opengis.net/spec/ogcapi-processes-1/1.0/conf/core"
    conformance.register("processes", uri)
    response = client.get("/ogcapi/conformance", HTTP_ACCEPT="application/json")
    assert uri in response.json()["conformsTo"]


def test_unknown_api_path_is_a_404_problem(client: Client) -> None:
    response = client.get("/ogcapi/no-such-thing", HTTP_ACCEPT="application/json")
    assert response.status_code == 404
    assert response["Content-Type"] == "application/problem+json"
    assert response.json() == {
        "type": "about:blank",
        "title": "Not Found",
        "status": 404,
        "detail": "The requested resource does not exist.",
    }


def test_unknown_page_is_an_html_404(client: Client) -> None:
    response = client.get("/no-such-page/", HTTP_ACCEPT="text/html")
    assert response.status_code == 404
    assert b"404 Not Found" in response.content


@pytest.mark.urls("apps.ogc.tests.urls")
def test_server_error_is_a_500_problem_without_traceback() -> None:
    client = Client(raise_request_exception=False)
    response = client.get("/ogcapi/broken", HTTP_ACCEPT="application/json")
    assert response.status_code == 500
    assert response.json() == {
        "type": "about:blank",
        "title": "Internal Server Error",
        "status": 500,
        "detail": "The server failed to answer this request.",
    }


@pytest.mark.urls("apps.ogc.tests.urls")
@override_settings(DEBUG=True)
def test_server_error_in_debug_carries_the_traceback() -> None:
    client = Client(raise_request_exception=False)
    response = client.get("/ogcapi/broken", HTTP_ACCEPT="application/json")
    assert response.status_code == 500
    assert any("the disk caught fire" in line for line in response.json()["traceback"])


@pytest.mark.urls("apps.ogc.tests.urls")
def test_paging_links(client: Client) -> None:
    first = client.get("/ogcapi/numbers?limit=10").json()
    middle = client.get("/ogcapi/numbers?limit=10&offset=10").json()
    clamped = client.get("/ogcapi/numbers?limit=500").json()
    bad = client.get("/ogcapi/numbers?limit=zero")

    assert first["numbers"] == list(range(10))
    assert [link["rel"] for link in first["links"]] == ["next"]
    assert first["links"][0]["href"] == "http://testserver/ogcapi/numbers?limit=10&offset=10"
    assert [link["href"] for link in middle["links"]] == [
        "http://testserver/ogcapi/numbers?limit=10&offset=20",
        "http://testserver/ogcapi/numbers?limit=10&offset=0",
    ]
    assert (clamped["numberReturned"], clamped["numberMatched"]) == (20, 25)
    assert bad.status_code == 400
    assert bad.json()["detail"] == "Parameter 'limit' must be an integer, not 'zero'."


def test_api_definition_under_the_ogc_api(client: Client) -> None:
    response = client.get("/ogcapi/api", HTTP_ACCEPT="application/vnd.oai.openapi+json")
    assert response.status_code == 200
    assert "/ogcapi/processes/{process_id}/execution" in response.json()["paths"]
