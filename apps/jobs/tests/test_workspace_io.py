"""Jobs read workspace files with the caller's permissions and write their outputs back into
the owner's workspace, on the filesystem and on an S3 store (§9.1, §9.5, §19.11)."""

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from pytest_django.fixtures import Settings
from rest_framework.test import APIClient

from apps.accounts.models import User
from apps.catalogue.demo import demo_catalogue_seed
from apps.jobs import services
from apps.jobs.models import Job, JobStatus
from apps.processes.demo import demo_holdings_create
from apps.processes.services import processes_sync_builtins
from apps.webservices.models import Service
from apps.workspaces.models import Workspace
from apps.workspaces.services import share_grant_create
from apps.workspaces.storage import platform_storage
from tests.fixtures import use_s3

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("default_access_rules")]

EXECUTE = "/ogcapi/processes/ndvi/execution"


@pytest.fixture(params=["filesystem", "s3"])
def backend(request: pytest.FixtureRequest, settings: Settings, tmp_path: Path) -> Iterator[str]:
    settings.STORAGE_ROOT = tmp_path / "storage"
    settings.STORAGE_BACKEND = "filesystem"
    if request.param == "s3":
        use_s3(
            settings,
            request.getfixturevalue("moto_endpoint"),
            request.getfixturevalue("moto_client"),
        )
    processes_sync_builtins()
    yield request.param
    platform_storage.cache_clear()


@pytest.fixture
def scene(backend: str, alice: User) -> bytes:
    """alice's copy of the demo Sentinel-2 scene, at data/scene.tif of her workspace."""
    [tif, *_rest] = demo_holdings_create()
    content = tif.read_bytes()
    client = APIClient()
    client.force_authenticate(alice)
    response = client.put(
        "/api/workspace/files/data/scene.tif", data=content, content_type="image/tiff"
    )
    assert response.status_code == 201, response.content
    return content


def _client(user: User) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


def _run(client: APIClient, body: dict[str, Any]) -> Job:
    """Submit as a job and run it here, in this process, as a worker would."""
    response = client.post(EXECUTE, body, format="json", headers={"Prefer": "respond-async"})
    assert response.status_code == 201, response.content
    services.job_run(job_id=response.json()["jobID"])
    return Job.objects.get(pk=response.json()["jobID"])


def _used(user: User) -> int:
    return Workspace.objects.get(owner=user).used_bytes


def test_a_workspace_file_is_an_input_and_outputs_land_in_the_workspace(
    backend: str, alice: User, scene: bytes, django_capture_on_commit_callbacks: Any
) -> None:
    client = _client(alice)
    before = _used(alice)

    job = _run(client, {"inputs": {"image": {"href": "workspace/data/scene.tif"}}})

    assert job.status == JobStatus.SUCCESSFUL, job.exception
    output = job.outputs.get(output_id="ndvi")
    assert output.storage_path.startswith(f"users/alice/workspace/jobs/{job.pk}/")
    assert platform_storage().stat(output.storage_path) is not None
    download = client.get(f"/ogcapi/jobs/{job.pk}/results/ndvi")
    assert download.status_code == 200
    body = b"".join(download.streaming_content)  # type: ignore[attr-defined]
    assert body[:4] == b"II*\x00"
    assert download["Content-Type"] == "image/tiff; application=geotiff"
    ranged = client.get(f"/ogcapi/jobs/{job.pk}/results/ndvi", headers={"Range": "bytes=0-3"})
    assert ranged.status_code == 206
    assert b"".join(ranged.streaming_content) == b"II*\x00"  # type: ignore[attr-defined]
    listing = client.get(f"/api/workspace/files/jobs/{job.pk}").json()
    assert {entry["name"] for entry in listing["entries"]} >= {"ndvi.tif", "ndvi.png"}
    outputs_size = sum(row.size_bytes or 0 for row in job.outputs.exclude(storage_path=""))
    assert _used(alice) == before + outputs_size

    with django_capture_on_commit_callbacks(execute=True):
        services.job_delete(job=job)

    assert platform_storage().stat(output.storage_path) is None
    assert _used(alice) == before


def test_files_of_others_are_refused_before_a_job_exists_until_shared(
    backend: str, alice: User, scene: bytes, make_user: Callable[..., User]
) -> None:
    bob = make_user("bob")
    shared_path = {"inputs": {"image": {"href": "workspace/shared/alice/data/scene.tif"}}}
    by_key = {"inputs": {"image": {"href": "workspace/../../alice/workspace/data/scene.tif"}}}

    for body in (shared_path, by_key):
        refused = _client(bob).post(
            EXECUTE, body, format="json", headers={"Prefer": "respond-async"}
        )
        assert refused.status_code == 403, refused.content
    assert not Job.objects.exists()

    share_grant_create(owner=alice, path="data/scene.tif", grantee="bob")
    job = _run(_client(bob), shared_path)

    assert job.status == JobStatus.SUCCESSFUL, job.exception
    assert job.outputs.get(output_id="ndvi").storage_path.startswith("users/bob/workspace/jobs/")


def test_response_publish_creates_the_service_then_adds_to_it(
    backend: str, alice: User, scene: bytes
) -> None:
    client = _client(alice)
    body = {
        "inputs": {"image": {"href": "workspace/data/scene.tif"}},
        "response": "publish",
        "endpoint": "ndvi-maps",
    }

    first = _run(client, body)
    second = _run(client, body)

    service = Service.objects.get(owner=alice, identifier="ndvi-maps")
    assert first.status == second.status == JobStatus.SUCCESSFUL
    assert {source.job_id for source in service.sources.all()} >= {first.pk, second.pk}
    log = client.get(f"/ogcapi/jobs/{second.pk}/runlog").content.decode()
    assert "published to /services/alice/collections/ndvi-maps" in log
    tile_page = client.get("/services/alice/collections/ndvi-maps", {"f": "json"})
    assert tile_page.status_code == 200


def test_publish_needs_an_endpoint(backend: str, alice: User) -> None:
    response = _client(alice).post(
        EXECUTE,
        {
            "inputs": {"image": {"href": "holdings/demo/sentinel2-l2a-demo.tif"}},
            "response": "publish",
        },
        format="json",
    )

    assert response.status_code == 400
    assert "endpoint" in response.json()["detail"]


def test_the_execute_form_offers_the_callers_own_files(
    backend: str, alice: User, scene: bytes, make_user: Callable[..., User]
) -> None:
    page = _client(alice).get("/ogcapi/processes/ndvi", {"f": "html"}).content.decode()
    others = _client(make_user("bob")).get("/ogcapi/processes/ndvi", {"f": "html"})

    assert '<option value="workspace/data/scene.tif"' in page
    assert '<option value="holdings/demo/sentinel2-l2a-demo.tif"' in page
    assert "workspace/data/scene.tif" not in others.content.decode()


def test_a_tep_holdings_dataset_by_its_name(backend: str, alice: User) -> None:
    demo_holdings_create()
    demo_catalogue_seed()

    job = _run(_client(alice), {"inputs": {"image": {"href": "holdings:sentinel-2-l2a"}}})
    unknown = _client(alice).post(
        EXECUTE, {"inputs": {"image": {"href": "holdings:no-such-dataset"}}}, format="json"
    )

    assert job.status == JobStatus.SUCCESSFUL, job.exception
    assert unknown.status_code == 400
    assert "no-such-dataset" in unknown.json()["detail"]
