"""Records the platform keeps by itself: applications, TEP-holdings datasets, job results."""

from collections.abc import Callable
from typing import Any

import pytest
from django.test import Client

from apps.accounts.models import User
from apps.catalogue.demo import demo_catalogue_seed
from apps.catalogue.models import Record
from apps.catalogue.registration import dataset_register, dataset_remove, job_results_register
from apps.catalogue.tests.conftest import ITEMS
from apps.jobs.models import Job, JobOutput, JobStatus
from apps.notifications.models import Event
from apps.processes.models import Process, ProcessState
from apps.processes.services import processes_sync_builtins

pytestmark = pytest.mark.django_db


def _event_properties(event: Event) -> dict[str, str]:
    return {item.key: item.value for item in event.properties.all()}


def test_published_processes_have_public_records_linking_their_description(client: Client) -> None:
    processes_sync_builtins()

    record = Record.objects.get(source="process:ndvi")
    document = client.get(f"{ITEMS}/{record.pk}").json()

    assert document["properties"]["type"] == "process"
    described_by = [link for link in document["links"] if link["rel"] == "describedBy"]
    assert described_by[0]["href"].endswith("/ogcapi/processes/ndvi?f=json")
    assert Record.objects.filter(type="process").count() == Process.objects.count()


def test_an_unpublished_process_record_is_private_to_its_developer(
    client: Client, dana: User
) -> None:
    from apps.catalogue.registration import process_record_sync

    process = Process.objects.create(
        identifier="dana-app",
        title="Dana's app",
        description={"id": "dana-app", "inputs": {}, "outputs": {}},
        execution_unit_type="builtin",
        owner=dana,
        state=ProcessState.PRIVATE,
    )
    record = process_record_sync(process)

    assert client.get(f"{ITEMS}/{record.pk}").status_code == 404
    client.force_login(dana)
    assert client.get(f"{ITEMS}/{record.pk}").status_code == 200


def test_dataset_registration_records_added_updated_removed_events() -> None:
    arguments: dict[str, Any] = {
        "name": "s2-po",
        "title": "Sentinel-2 over the Po",
        "description": "Optical scenes.",
        "bbox": (9.0, 44.0, 12.5, 46.0),
    }
    record = dataset_register(**arguments)
    dataset_register(**arguments)  # unchanged: no event
    dataset_register(**{**arguments, "title": "Sentinel-2 over the Po valley"})
    dataset_remove("s2-po")

    kinds = list(Event.objects.order_by("id").values_list("event_type", flat=True))
    assert kinds == ["dataSetAdded", "dataSetUpdated", "dataSetRemoved"]
    added = _event_properties(Event.objects.get(event_type="dataSetAdded"))
    assert added["bbox"] == "9,44,12.5,46"
    assert added["fsetName"] == "s2-po"
    assert added["dataSetUrl"].endswith(f"{ITEMS}/{record.pk}?f=html")
    assert not Record.objects.filter(pk=record.pk).exists()


def test_job_results_are_private_to_the_job_owner(
    client: Client, alice: User, make_user: Callable[..., User]
) -> None:
    processes_sync_builtins()
    job = Job.objects.create(
        owner=alice,
        process=Process.objects.get(identifier="ndvi"),
        process_identifier="ndvi",
        status=JobStatus.SUCCESSFUL,
        execute_request={},
        inputs={},
    )
    JobOutput.objects.create(
        job=job,
        output_id="ndvi",
        storage_path=f"{job.storage_prefix}/ndvi.tif",
        media_type="image/tiff",
    )

    [record] = job_results_register(job)

    assert (record.type, record.owner, record.visibility) == ("jobResult", alice, "private")
    assert client.get(f"{ITEMS}/{record.pk}").status_code == 404
    client.force_login(make_user("bob"))
    assert client.get(f"{ITEMS}/{record.pk}").status_code == 404
    client.force_login(alice)
    assert client.get(f"{ITEMS}/{record.pk}").status_code == 200
    assert client.get(ITEMS, {"type": "jobResult"}).json()["numberMatched"] == 1


def test_demo_collections_lead_to_the_applications_and_back(client: Client) -> None:
    records = demo_catalogue_seed()
    titles = {record.title for record in records}
    assert {"Sentinel-2 Level-2A surface reflectance", "Copernicus DEM GLO-30"} <= titles
    sentinel2 = Record.objects.get(source="holdings:sentinel-2-l2a")

    document = client.get(f"{ITEMS}/{sentinel2.pk}").json()
    operated_by = [link for link in document["links"] if link["rel"] == "operatedOnBy"]
    assert {link["title"] for link in operated_by} >= {"NDVI"}

    page = client.get(f"{ITEMS}/{sentinel2.pk}", {"f": "html"}).content.decode()
    assert "Applications that operate on this data" in page
    assert (
        "/ogcapi/processes/ndvi?f=html&amp;input.image=holdings%2Fdemo%2Fsentinel2-l2a-demo.tif"
        in page
    )

    ndvi = Record.objects.get(source="process:ndvi")
    app_links = client.get(f"{ITEMS}/{ndvi.pk}").json()["links"]
    assert any(
        link["rel"] == "operatesOn" and link["href"].endswith(sentinel2.pk) for link in app_links
    )
    again = demo_catalogue_seed()
    assert [record.pk for record in again] == [record.pk for record in records]
    assert Record.objects.filter(type="dataset").count() == len(records)
