"""Creating, replacing, deleting and harvesting records (§10.6, §iv)."""

import json
from collections.abc import Callable, Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest
from django.test import override_settings
from rest_framework.test import APIClient

from apps.accounts.models import User
from apps.catalogue.models import Association, Record
from apps.catalogue.tests.conftest import ITEMS
from tests.fixtures import serving_in_thread

pytestmark = pytest.mark.django_db


def feature(title: str = "Flood extent, Po valley", **properties: Any) -> dict[str, Any]:
    return {
        "type": "Feature",
        "geometry": {
            "type": "Polygon",
            "coordinates": [[[11, 44], [12, 44], [12, 45], [11, 45], [11, 44]]],
        },
        "time": {"interval": ["2024-05-01T00:00:00Z", ".."]},
        "properties": {
            "type": "dataset",
            "title": title,
            "description": "Water detected from Sentinel-1.",
            "keywords": ["flood", "SAR"],
            "license": "CC-BY-4.0",
            "cloudCover": 0,
            "campaign": "EMSR 2024",
            **properties,
        },
        "links": [{"rel": "license", "href": "https://creativecommons.org/licenses/by/4.0/"}],
    }


@pytest.fixture
def alice_client(alice: User) -> APIClient:
    client = APIClient()
    client.force_authenticate(alice)
    return client


def test_post_creates_a_private_record_owned_by_the_caller(
    alice_client: APIClient, alice: User, ogc_validate: Callable[[str, Any], None]
) -> None:
    response = alice_client.post(ITEMS, feature(), format="json")

    assert response.status_code == 201, response.content
    body = response.json()
    ogc_validate("records:record", body)
    assert response["Location"].endswith(f"{ITEMS}/{body['id']}")
    assert body["id"].startswith("urn:uuid:")
    assert body["properties"]["campaign"] == "EMSR 2024"
    assert body["time"] == {"interval": ["2024-05-01T00:00:00Z", ".."]}
    record = Record.objects.get(pk=body["id"])
    assert (record.owner, record.visibility) == (alice, "private")
    assert APIClient().get(f"{ITEMS}/{record.pk}").status_code == 404


def test_owner_replaces_with_put_and_search_sees_the_change(alice_client: APIClient) -> None:
    created = alice_client.post(ITEMS, feature(), format="json").json()

    replaced = alice_client.put(
        f"{ITEMS}/{created['id']}",
        feature("Flood extent, Adige", visibility="public"),
        format="json",
    )

    assert replaced.status_code == 200
    assert replaced.json()["properties"]["title"] == "Flood extent, Adige"
    found = APIClient().get(ITEMS, {"q": "adige"}).json()["features"]
    assert [item["id"] for item in found] == [created["id"]]


def test_put_with_a_new_id_creates(alice_client: APIClient) -> None:
    response = alice_client.put(f"{ITEMS}/my-flood-2024", feature(), format="json")

    assert response.status_code == 201
    assert Record.objects.filter(pk="my-flood-2024").exists()


def test_others_cannot_change_or_delete(
    alice_client: APIClient, make_user: Callable[..., User], administrator: User
) -> None:
    created = alice_client.post(ITEMS, feature(visibility="public"), format="json").json()
    bob = APIClient()
    bob.force_authenticate(make_user("bob"))

    assert (
        bob.put(f"{ITEMS}/{created['id']}", feature("mine now"), format="json").status_code == 403
    )
    assert bob.delete(f"{ITEMS}/{created['id']}").status_code == 403
    assert APIClient().delete(f"{ITEMS}/{created['id']}").status_code in (401, 403)

    admin = APIClient()
    admin.force_authenticate(administrator)
    assert admin.delete(f"{ITEMS}/{created['id']}").status_code == 204
    assert not Record.objects.filter(pk=created["id"]).exists()


def test_owner_deletes(alice_client: APIClient) -> None:
    created = alice_client.post(ITEMS, feature(), format="json").json()

    assert alice_client.delete(f"{ITEMS}/{created['id']}").status_code == 204
    assert alice_client.get(f"{ITEMS}/{created['id']}").status_code == 404


@pytest.mark.parametrize(
    "href",
    [
        "javascript:alert(1)",
        "JaVaScRiPt:alert(1)",
        " javascript:alert(1)",
        "data:text/html,<script>alert(1)</script>",
        "https://user:secret@example.org/data",
        "//evil.example/x",
        "file:///etc/passwd",
        "java\tscript:alert(1)",
    ],
)
def test_malicious_hrefs_are_refused(alice_client: APIClient, href: str) -> None:
    before = Record.objects.count()
    document = feature()
    document["links"] = [{"rel": "related", "href": href}]

    response = alice_client.post(ITEMS, document, format="json")

    assert response.status_code == 400
    assert "href" in response.json()["detail"]
    assert Record.objects.count() == before


def test_every_problem_is_listed(alice_client: APIClient) -> None:
    response = alice_client.post(
        ITEMS,
        {
            "type": "Feature",
            "geometry": {"type": "Blob"},
            "properties": {"type": "spaceship", "cloudCover": 300},
        },
        format="json",
    )

    detail = response.json()["detail"]
    assert response.status_code == 400
    for problem in ("properties.type", "title", "cloudCover", "geometry"):
        assert problem in detail


def test_html_is_escaped_on_output(alice_client: APIClient) -> None:
    created = alice_client.post(
        ITEMS,
        feature("<script>alert('x')</script>", description="<img src=x onerror=alert(1)>"),
        format="json",
    ).json()

    page = alice_client.get(f"{ITEMS}/{created['id']}", {"f": "html"}).content.decode()

    assert "<script>alert(" not in page
    assert "&lt;script&gt;alert(" in page
    assert "<img src=x" not in page


def test_associations_are_navigable_both_ways(alice_client: APIClient, administrator: User) -> None:
    admin = APIClient()
    admin.force_authenticate(administrator)
    data = admin.post(ITEMS, feature("Sentinel-2 L2A"), format="json").json()
    app_document = feature("NDVI", type="process")
    app_document["links"].append(
        {"rel": "operatesOn", "href": f"http://testserver{ITEMS}/{data['id']}"}
    )
    app_document["links"].append(
        {"rel": "describedBy", "href": "https://tep.example/ogcapi/processes/ndvi"}
    )
    application = admin.post(ITEMS, app_document, format="json").json()

    outgoing = {
        link["rel"]: link["href"]
        for link in admin.get(f"{ITEMS}/{application['id']}").json()["links"]
    }
    incoming = {
        link["rel"]: link["href"] for link in admin.get(f"{ITEMS}/{data['id']}").json()["links"]
    }

    assert outgoing["operatesOn"].endswith(f"{ITEMS}/{data['id']}")
    assert incoming["operatedOnBy"].endswith(f"{ITEMS}/{application['id']}")
    assert Association.objects.get(relation="operatesOn").target_id == data["id"]


class _Describing(BaseHTTPRequestHandler):
    documents: dict[str, dict[str, Any]] = {}

    def do_GET(self) -> None:
        document = self.documents.get(self.path)
        body = json.dumps(document).encode()
        self.send_response(200 if document else 404)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args: Any) -> None:
        return None


@pytest.fixture
def describing_server() -> Iterator[str]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Describing)
    with serving_in_thread(server):
        yield f"http://127.0.0.1:{server.server_address[1]}"


PROCESS_DESCRIPTION = {
    "id": "hello-world",
    "title": "Hello World",
    "description": "An example process that takes a name as input.",
    "version": "0.2.0",
    "keywords": ["hello world", "example"],
    "jobControlOptions": ["sync-execute", "async-execute"],
    "inputs": {"name": {"schema": {"type": "string"}}},
    "outputs": {"echo": {"schema": {"type": "object"}}},
}


@override_settings(INPUT_ALLOWED_HOSTS=["127.0.0.1"])
def test_harvest_a_process_description_then_again(
    alice_client: APIClient, describing_server: str
) -> None:
    url = f"{describing_server}/processes/hello-world"
    _Describing.documents = {"/processes/hello-world": PROCESS_DESCRIPTION}

    first = alice_client.post(f"{ITEMS.rsplit('/', 1)[0]}/harvest", {"url": url}, format="json")

    assert first.status_code == 201, first.content
    body = first.json()
    assert body["properties"]["type"] == "process"
    assert body["properties"]["title"] == "Hello World"
    assert {"rel": "describedBy", "href": url}.items() <= next(
        link for link in body["links"] if link["rel"] == "describedBy"
    ).items()

    _Describing.documents = {
        "/processes/hello-world": {**PROCESS_DESCRIPTION, "title": "Hello, World"}
    }
    again = alice_client.post(f"{ITEMS.rsplit('/', 1)[0]}/harvest", {"url": url}, format="json")

    assert again.status_code == 200
    assert again.json()["id"] == body["id"]
    assert Record.objects.filter(source=f"harvest:{url}").count() == 1
    assert Record.objects.get(pk=body["id"]).title == "Hello, World"


@override_settings(INPUT_ALLOWED_HOSTS=["127.0.0.1"])
def test_harvest_a_stac_item(alice_client: APIClient, describing_server: str) -> None:
    _Describing.documents = {
        "/items/S2B_1": {
            "type": "Feature",
            "stac_version": "1.0.0",
            "id": "S2B_1",
            "geometry": {
                "type": "Polygon",
                "coordinates": [[[5, 52], [6, 52], [6, 53], [5, 53], [5, 52]]],
            },
            "bbox": [5, 52, 6, 53],
            "properties": {
                "datetime": "2025-05-04T10:00:00Z",
                "platform": "sentinel-2b",
                "eo:cloud_cover": 7.5,
            },
            "assets": {
                "visual": {"href": "https://data.example/S2B_1/TCI.tif", "type": "image/tiff"}
            },
            "links": [],
        }
    }

    response = alice_client.post(
        f"{ITEMS.rsplit('/', 1)[0]}/harvest",
        {"url": f"{describing_server}/items/S2B_1"},
        format="json",
    )

    assert response.status_code == 201, response.content
    record = Record.objects.get(pk=response.json()["id"])
    assert (record.type, record.platform, record.cloud_cover) == ("source", "sentinel-2b", 7.5)
    assert APIClient().get(ITEMS, {"bbox": "5.5,52.5,5.6,52.6"}).json()["numberMatched"] == 1


def test_harvest_refuses_the_platforms_own_network(
    alice_client: APIClient, describing_server: str
) -> None:
    response = alice_client.post(
        f"{ITEMS.rsplit('/', 1)[0]}/harvest",
        {"url": f"{describing_server}/processes/x"},
        format="json",
    )

    assert response.status_code == 403
    assert not Record.objects.filter(source__startswith="harvest:").exists()


def test_harvest_refuses_what_it_does_not_understand(alice_client: APIClient) -> None:
    response = alice_client.post(
        f"{ITEMS.rsplit('/', 1)[0]}/harvest", {"url": "javascript:alert(1)"}, format="json"
    )

    assert response.status_code == 400
