"""OGC API - Features for a user's services, checked against the official schemas."""

from collections.abc import Callable
from typing import Any

import pytest
from rest_framework.test import APIClient

from apps.accounts.models import User
from apps.webservices import services
from apps.webservices.models import Service
from apps.webservices.tests.conftest import FIELDS

pytestmark = pytest.mark.django_db

BASE = "/services/alice"
GRID = f"{BASE}/collections/grid"
ACCEPT_JSON = "application/json"


@pytest.fixture
def grid(alice: User, grid_key: str) -> Service:
    return services.service_create(owner=alice, title="Grid", files=[grid_key], public=True)


def test_the_landing_page_links_conformance_and_collections(
    api_client: APIClient, grid: Service, ogc_validate: Callable[[str, Any], None]
) -> None:
    document = api_client.get(f"{BASE}/", HTTP_ACCEPT=ACCEPT_JSON).json()

    ogc_validate("features:landingPage", document)
    relations = {link["rel"]: link["href"] for link in document["links"]}
    assert relations["conformance"] == "http://testserver/services/alice/conformance"
    assert relations["data"] == "http://testserver/services/alice/collections"
    assert relations["service-desc"] == "http://testserver/api/schema"


def test_conformance_declares_the_features_classes(
    api_client: APIClient, grid: Service, ogc_validate: Callable[[str, Any], None]
) -> None:
    document = api_client.get(f"{BASE}/conformance", HTTP_ACCEPT=ACCEPT_JSON).json()

    ogc_validate("features:conformance", document)
    prefix = "http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/"
    assert document["conformsTo"] == [
        prefix + name for name in ("core", "oas30", "html", "geojson")
    ]


def test_collections_list_the_services_with_extents(
    api_client: APIClient, grid: Service, ogc_validate: Callable[[str, Any], None]
) -> None:
    document = api_client.get(f"{BASE}/collections", HTTP_ACCEPT=ACCEPT_JSON).json()

    ogc_validate("features:collections", document)
    assert [collection["id"] for collection in document["collections"]] == ["grid"]
    collection = api_client.get(GRID, HTTP_ACCEPT=ACCEPT_JSON).json()
    ogc_validate("features:collection", collection)
    assert collection["extent"]["spatial"]["bbox"] == [pytest.approx([4.0, 52.0, 4.09, 52.02])]
    assert collection["itemType"] == "feature"
    items = [link for link in collection["links"] if link["rel"] == "items"]
    assert [link["type"] for link in items] == ["application/geo+json", "text/html"]


def test_items_page_with_limit_offset_and_links(
    api_client: APIClient, grid: Service, ogc_validate: Callable[[str, Any], None]
) -> None:
    response = api_client.get(f"{GRID}/items?limit=10&offset=10", HTTP_ACCEPT=ACCEPT_JSON)

    assert response["Content-Type"] == "application/geo+json"
    document = response.json()
    ogc_validate("features:featureCollection", document)
    assert (document["numberMatched"], document["numberReturned"]) == (25, 10)
    assert [feature["properties"]["n"] for feature in document["features"]] == list(range(10, 20))
    assert [feature["id"] for feature in document["features"]] == list(range(11, 21))
    links = {link["rel"]: link["href"] for link in document["links"]}
    assert (
        links["next"]
        == "http://testserver/services/alice/collections/grid/items?limit=10&offset=20"
    )
    assert (
        links["prev"] == "http://testserver/services/alice/collections/grid/items?limit=10&offset=0"
    )

    last = api_client.get(f"{GRID}/items?limit=10&offset=20", HTTP_ACCEPT=ACCEPT_JSON).json()
    assert last["numberReturned"] == 5
    assert "next" not in {link["rel"] for link in last["links"]}


def test_items_default_to_ten_and_clamp_the_limit_at_a_thousand(
    api_client: APIClient, grid: Service
) -> None:
    assert api_client.get(f"{GRID}/items", HTTP_ACCEPT=ACCEPT_JSON).json()["numberReturned"] == 10
    assert (
        api_client.get(f"{GRID}/items?limit=5000", HTTP_ACCEPT=ACCEPT_JSON).json()["numberReturned"]
        == 25
    )


def test_items_keep_property_types(api_client: APIClient, grid: Service) -> None:
    feature = api_client.get(f"{GRID}/items?limit=1", HTTP_ACCEPT=ACCEPT_JSON).json()["features"][0]

    assert feature["properties"] == {"n": 0, "even": True, "tags": ["a", "0"]}
    assert feature["geometry"] == {"type": "Point", "coordinates": [4.0, 52.0]}


@pytest.mark.parametrize(
    ("bbox", "numbers"),
    [
        ("4.025,52.005,4.055,52.015", [13, 14, 15]),
        ("4.025,52.005,0,4.055,52.015,100", [13, 14, 15]),
        ("10,10,11,11", []),
        ("179,51,4.005,52.005", [0]),  # across the antimeridian
    ],
)
def test_items_filtered_by_bbox(
    api_client: APIClient, grid: Service, bbox: str, numbers: list[int]
) -> None:
    document = api_client.get(f"{GRID}/items?bbox={bbox}", HTTP_ACCEPT=ACCEPT_JSON).json()

    assert [feature["properties"]["n"] for feature in document["features"]] == numbers
    assert document["numberMatched"] == len(numbers)


@pytest.mark.parametrize(
    "query", ["bbox=1,2,3", "bbox=a,b,c,d", "bbox=0,80,1,-80", "limit=0", "offset=-1", "f=xml"]
)
def test_invalid_parameters_are_400_problems(
    api_client: APIClient, grid: Service, query: str
) -> None:
    response = api_client.get(f"{GRID}/items?{query}", HTTP_ACCEPT=ACCEPT_JSON)

    assert response.status_code == 400
    assert response["Content-Type"] == "application/problem+json"
    assert response.json()["status"] == 400


def test_a_single_feature(
    api_client: APIClient, grid: Service, ogc_validate: Callable[[str, Any], None]
) -> None:
    response = api_client.get(f"{GRID}/items/3", HTTP_ACCEPT=ACCEPT_JSON)

    document = response.json()
    ogc_validate("features:feature", document)
    assert (document["id"], document["properties"]["n"]) == (3, 2)
    relations = {link["rel"] for link in document["links"]}
    assert {"self", "alternate", "collection"} <= relations
    assert api_client.get(f"{GRID}/items/99", HTTP_ACCEPT=ACCEPT_JSON).status_code == 404
    assert api_client.get(f"{GRID}/items/abc", HTTP_ACCEPT=ACCEPT_JSON).status_code == 404


def test_html_pages_show_the_map_and_features(
    api_client: APIClient, grid: Service, alice: User
) -> None:
    landing = api_client.get(f"{BASE}/?f=html")
    page = api_client.get(f"{GRID}?f=html")
    items = api_client.get(f"{GRID}/items?f=html&limit=5")
    feature = api_client.get(f"{GRID}/items/1?f=html")

    assert 'data-service-id="grid"' in landing.content.decode()
    assert 'id="service-create"' not in landing.content.decode()
    assert 'id="service-map"' in page.content.decode()
    assert "js/webservice-map.js" in page.content.decode()
    assert 'id="service-manage"' not in page.content.decode()
    assert items.content.decode().count("/services/alice/collections/grid/items/") >= 5
    assert "&amp;offset=5" in items.content.decode()
    assert 'id="feature-properties"' in feature.content.decode()

    api_client.force_authenticate(alice)
    owned = api_client.get(f"{GRID}?f=html").content.decode()
    assert 'id="service-manage"' in owned
    assert "users/alice/workspace/data/grid.geojson" in owned
    assert 'id="service-create"' in api_client.get(f"{BASE}/?f=html").content.decode()


def test_items_of_a_coverage_and_unknown_users_are_404(api_client: APIClient, alice: User) -> None:
    services.service_create(owner=alice, title="Fields", files=[FIELDS], public=True)

    assert api_client.get("/services/nobody/", HTTP_ACCEPT=ACCEPT_JSON).status_code == 404
    assert (
        api_client.get("/services/nobody/collections", HTTP_ACCEPT=ACCEPT_JSON).status_code == 404
    )
    assert (
        api_client.get(f"{BASE}/collections/fields/coverage", HTTP_ACCEPT=ACCEPT_JSON).status_code
        == 404
    )
    assert (
        api_client.get(f"{BASE}/collections/nothing/items", HTTP_ACCEPT=ACCEPT_JSON).status_code
        == 404
    )
