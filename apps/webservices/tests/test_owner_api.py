"""The owner's JSON API: publish, add files, retitle, open, share, unshare, remove."""

from collections.abc import Callable

import pytest
from rest_framework.test import APIClient

from apps.accounts.models import User
from apps.jobs.models import Job, JobStatus
from apps.notifications.models import Event
from apps.webservices.models import Service
from apps.webservices.tests.conftest import FIELDS, ndvi_tiff

pytestmark = pytest.mark.django_db

COLLECTIONS = "/services/alice/collections"


@pytest.fixture
def client_of(api_client: APIClient) -> Callable[[User], APIClient]:
    def sign_in(user: User) -> APIClient:
        api_client.force_authenticate(user)
        return api_client

    return sign_in


def test_publish_files_then_manage_the_service(
    client_of: Callable[[User], APIClient], alice: User, bob: User, grid_key: str
) -> None:
    client = client_of(alice)

    created = client.post(
        COLLECTIONS,
        {"title": "My grid", "files": [grid_key], "description": "Points"},
        format="json",
    )
    assert created.status_code == 201, created.content
    assert created["Location"] == "http://testserver/services/alice/collections/my-grid"
    url = f"{COLLECTIONS}/my-grid"

    added = client.post(f"{url}/files", {"files": [FIELDS]}, format="json")
    assert added.status_code == 200, added.content
    assert added.json()["extent"]["spatial"]["bbox"] == [pytest.approx([4.0, 52.0, 4.91, 52.4])]

    changed = client.patch(url, {"title": "Grid and fields", "public": True}, format="json")
    assert (changed.json()["title"], changed.json()["public"]) == ("Grid and fields", True)

    shared = client.post(f"{url}/readers", {"username": "bob"}, format="json")
    assert shared.json() == {"public": True, "readers": ["bob"]}
    unshared = client.delete(f"{url}/readers/bob")
    assert unshared.json() == {"public": True, "readers": []}

    assert client.delete(url).status_code == 204
    assert not Service.objects.exists()


def test_publish_a_jobs_outputs(
    client_of: Callable[[User], APIClient],
    alice: User,
    workspace_files: Callable[[str, bytes], str],
) -> None:
    job = Job.objects.create(
        owner=alice, process_identifier="ndvi", process_version="1", status=JobStatus.SUCCESSFUL
    )
    workspace_files(f"{job.storage_prefix}ndvi.tif", ndvi_tiff())

    response = client_of(alice).post(
        COLLECTIONS, {"title": "NDVI", "job": str(job.pk)}, format="json"
    )

    assert response.status_code == 201, response.content
    assert response.json()["kind"] == "coverage"


def test_others_cannot_publish_under_a_name_or_change_a_service(
    client_of: Callable[[User], APIClient], alice: User, bob: User, grid_key: str
) -> None:
    client = client_of(alice)
    client.post(COLLECTIONS, {"title": "Grid", "files": [grid_key]}, format="json")
    client.post(f"{COLLECTIONS}/grid/readers", {"username": "bob"}, format="json")
    client = client_of(bob)

    assert (
        client.post(COLLECTIONS, {"title": "x", "files": [grid_key]}, format="json").status_code
        == 403
    )
    assert client.patch(f"{COLLECTIONS}/grid", {"title": "Bob's"}, format="json").status_code == 403
    assert client.get(f"{COLLECTIONS}/grid/readers").status_code == 403
    assert client.delete(f"{COLLECTIONS}/grid").status_code == 403
    assert Service.objects.get().title == "Grid"


def test_anonymous_writes_are_refused(api_client: APIClient, alice: User, grid_key: str) -> None:
    response = api_client.post(COLLECTIONS, {"title": "x", "files": [grid_key]}, format="json")

    assert response.status_code in (401, 403)
    assert not Service.objects.exists()


@pytest.mark.parametrize(
    ("body", "status"),
    [
        ({"title": "x"}, 400),
        ({"title": "x", "files": ["users/bob/workspace/a.geojson"]}, 403),
        ({"title": "x", "files": ["users/alice/workspace/data/notes.txt"]}, 400),
        ({"title": "", "files": [FIELDS]}, 400),
        ({"title": "x", "job": "5b2c3a4e-0000-4000-8000-000000000000"}, 404),
    ],
)
def test_bad_publish_requests_are_problems(
    client_of: Callable[[User], APIClient], alice: User, body: dict[str, object], status: int
) -> None:
    response = client_of(alice).post(COLLECTIONS, body, format="json")

    assert response.status_code == status, response.content
    assert response["Content-Type"] == "application/problem+json"
    assert not Service.objects.exists()
    assert not Event.objects.exists()


def test_the_html_form_posts_with_the_csrf_token(
    api_client: APIClient, alice: User, grid_key: str
) -> None:
    client = api_client
    client.handler.enforce_csrf_checks = True
    client.force_login(alice)
    client.get("/services/alice/?f=html")
    token = client.cookies["csrftoken"].value
    body = {"title": "Grid", "files": [grid_key]}

    refused = client.post(COLLECTIONS, body, format="json")
    accepted = client.post(COLLECTIONS, body, format="json", HTTP_X_CSRFTOKEN=token)

    assert refused.status_code == 403
    assert accepted.status_code == 201
