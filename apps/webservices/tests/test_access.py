"""One rule on every route: private services are their owner's and grantees', else 404."""

import pytest
from rest_framework.test import APIClient

from apps.accounts.models import User
from apps.webservices import services
from apps.webservices.models import Service
from apps.webservices.tests.conftest import FIELDS, INSIDE_TILE, SCENE

pytestmark = pytest.mark.django_db

Z, X, Y = INSIDE_TILE
FEATURE_ROUTES = ["", "?f=html", "/items", "/items?f=html", "/items/1", "/items/1?f=html"]
COVERAGE_ROUTES = [
    "",
    "?f=html",
    "/coverage",
    "/coverage?f=json",
    "/map?width=64",
    f"/map/tiles/WebMercatorQuad/{Z}/{Y}/{X}.png",
]


@pytest.fixture
def private_services(alice: User, bob: User) -> dict[str, Service]:
    """alice's private features and coverage services, both shared with bob."""
    fields = services.service_create(owner=alice, title="Fields", files=[FIELDS])
    scene = services.service_create(owner=alice, title="Scene", files=[SCENE])
    for service in (fields, scene):
        services.service_share(service=service, user=alice, grantee=bob)
    return {"fields": fields, "scene": scene}


def routes() -> list[str]:
    return [f"fields{route}" for route in FEATURE_ROUTES] + [
        f"scene{route}" for route in COVERAGE_ROUTES
    ]


def get(client: APIClient, route: str) -> int:
    return client.get(f"/services/alice/collections/{route}").status_code


@pytest.mark.parametrize("route", routes())
def test_a_private_service_answers_its_owner_and_grantees_only(
    api_client: APIClient, private_services: dict[str, Service], carol: User, route: str
) -> None:
    statuses = {}
    for who in ("alice", "bob", "carol", None):
        api_client.force_authenticate(User.objects.get(username=who) if who else None)
        statuses[who] = get(api_client, route)

    assert statuses == {"alice": 200, "bob": 200, "carol": 404, None: 404}


@pytest.mark.parametrize("route", routes())
def test_a_public_service_answers_anybody(
    api_client: APIClient, private_services: dict[str, Service], alice: User, route: str
) -> None:
    for service in private_services.values():
        services.service_set_public(service=service, user=alice, public=True)

    assert get(api_client, route) == 200


def test_unsharing_takes_effect_at_once(
    api_client: APIClient, private_services: dict[str, Service], alice: User, bob: User
) -> None:
    api_client.force_authenticate(bob)
    services.service_unshare(service=private_services["scene"], user=alice, grantee=bob)

    assert get(api_client, "scene/coverage") == 404
    assert get(api_client, "fields/items") == 200


def test_private_responses_are_not_kept_by_shared_caches(
    api_client: APIClient, private_services: dict[str, Service], alice: User
) -> None:
    api_client.force_authenticate(alice)

    response = api_client.get(
        f"/services/alice/collections/scene/map/tiles/WebMercatorQuad/{Z}/{Y}/{X}.png"
    )

    assert response["Cache-Control"] == "private, no-cache"
    assert "Cookie" in response["Vary"]


def test_listings_show_only_what_the_caller_may_use(
    api_client: APIClient, private_services: dict[str, Service], alice: User, carol: User
) -> None:
    services.service_set_public(service=private_services["fields"], user=alice, public=True)

    anonymous = api_client.get("/services/alice/collections", HTTP_ACCEPT="application/json")
    api_client.force_authenticate(alice)
    owner = api_client.get("/services/alice/collections", HTTP_ACCEPT="application/json")

    assert [item["id"] for item in anonymous.json()["collections"]] == ["fields"]
    assert [item["id"] for item in owner.json()["collections"]] == ["fields", "scene"]
