"""Workspace files have private records: their owner and grantees find them, nobody else."""

from collections.abc import Callable
from pathlib import Path

import pytest
from pytest_django.fixtures import Settings
from rest_framework.test import APIClient

from apps.accounts.models import User
from apps.catalogue.models import Record
from apps.catalogue.registration import workspace_file_record_sync
from apps.catalogue.tests.conftest import ITEMS
from tests.clients import client_of

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def storage_root(settings: Settings, tmp_path: Path) -> None:
    settings.STORAGE_ROOT = tmp_path / "storage"


def _found(client: APIClient) -> set[str]:
    response = client.get(ITEMS, {"type": "file"})
    assert response.status_code == 200
    return {feature["properties"]["title"] for feature in response.json()["features"]}


def test_file_records_follow_uploads_grants_moves_and_deletes(
    alice: User, make_user: Callable[..., User]
) -> None:
    bob = make_user("bob")
    alice_client, bob_client = client_of(alice), client_of(bob)

    upload = alice_client.put(
        "/api/workspace/files/fields/parcels.geojson",
        data=b'{"type": "FeatureCollection", "features": []}',
        content_type="application/geo+json",
    )
    assert upload.status_code == 201, upload.content
    record = Record.objects.get(type="file")
    assert (record.owner, record.visibility) == (alice, "private")
    assert record.formats == ["application/geo+json"]
    assert _found(alice_client) == {"parcels.geojson"}
    assert _found(bob_client) == set()
    assert _found(APIClient()) == set()

    share = alice_client.post(
        "/api/workspace/shares", {"path": "fields", "grantee": "bob"}, format="json"
    )
    assert share.status_code in (200, 201), share.content
    assert _found(bob_client) == {"parcels.geojson"}

    alice_client.delete(f"/api/workspace/shares/{share.json()['id']}")
    assert _found(bob_client) == set()

    moved = alice_client.post(
        "/api/workspace/files/fields/parcels.geojson",
        {"action": "move", "to": "fields/parcels-2025.geojson"},
        format="json",
    )
    assert moved.status_code == 200, moved.content
    assert _found(alice_client) == {"parcels-2025.geojson"}

    assert alice_client.delete("/api/workspace/files/fields").status_code in (200, 204)
    assert not Record.objects.filter(type="file").exists()


def test_job_folders_have_no_file_records(alice: User) -> None:
    """Job outputs are described by their jobResult records, not again as files."""
    assert workspace_file_record_sync(owner=alice, path="jobs/123/ndvi.tif", size=10) is None
    assert workspace_file_record_sync(owner=alice, path="data/ndvi.tif", size=10) is not None
    assert Record.objects.filter(type="file").count() == 1
