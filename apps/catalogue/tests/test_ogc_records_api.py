"""The catalogue's OGC API - Records documents validate against the official schemas."""

from collections.abc import Callable
from typing import Any

import pytest
from django.test import Client

from apps.catalogue.tests.conftest import ITEMS

pytestmark = pytest.mark.django_db
RECORDS = "http://www.opengis.net/spec/ogcapi-records-1/1.0/conf/"


def test_landing_page(client: Client, ogc_validate: Callable[[str, Any], None]) -> None:
    response = client.get("/catalogue/", HTTP_ACCEPT="application/json")

    ogc_validate("records:landingPage", response.json())
    rels = {link["rel"] for link in response.json()["links"]}
    conformance = "http://www.opengis.net/def/rel/ogc/1.0/conformance"
    assert {"self", "service-desc", conformance, "data"} <= rels


def test_conformance_declares_both_spellings_and_features_core(
    client: Client, ogc_validate: Callable[[str, Any], None]
) -> None:
    document = client.get("/catalogue/conformance").json()

    ogc_validate("records:conformance", document)
    declared = set(document["conformsTo"])
    for name in ("records-api", "record-api", "cql-filter", "filtering", "searchable-catalog"):
        assert RECORDS + name in declared
    assert "http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/core" in declared
    assert "http://www.opengis.net/spec/cql2/1.0/conf/cql2-text" in declared


def test_collections_and_catalogue(
    client: Client, catalogue: dict, ogc_validate: Callable[[str, Any], None]
) -> None:
    collections = client.get("/catalogue/collections").json()
    single = client.get("/catalogue/collections/tep-catalogue").json()

    for document in (*collections["collections"], single):
        ogc_validate("records:catalog", document)
        assert (document["type"], document["itemType"]) == ("Collection", "record")
    assert client.get("/catalogue/collections/other").status_code == 404


def test_items_and_record(
    client: Client, catalogue: dict, ogc_validate: Callable[[str, Any], None]
) -> None:
    items = client.get(ITEMS).json()
    ogc_validate("records:recordCollection", items)
    for feature in items["features"]:
        ogc_validate("records:record", client.get(f"{ITEMS}/{feature['id']}").json())


def test_queryables_is_a_json_schema(client: Client) -> None:
    response = client.get("/catalogue/collections/tep-catalogue/queryables")

    document = response.json()
    assert response["Content-Type"].startswith("application/schema+json")
    assert document["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    assert document["properties"]["cloudCover"]["type"] == "number"
    assert "process" in document["properties"]["type"]["enum"]


def test_unknown_record_is_an_exception(client: Client) -> None:
    response = client.get(f"{ITEMS}/no-such-record")

    assert response.status_code == 404
    assert response.json()["status"] == 404


@pytest.mark.parametrize(
    "path",
    [
        "/catalogue/?f=html",
        "/catalogue/collections?f=html",
        "/catalogue/collections/tep-catalogue/queryables?f=html",
        f"{ITEMS}?f=html",
        f"{ITEMS}/s2-amsterdam?f=html",
    ],
)
def test_html_pages(client: Client, catalogue: dict, path: str) -> None:
    response = client.get(path)

    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/html")
