"""Quota: refused before writing, exact under concurrency, events on upward crossings."""

import threading
from collections.abc import Callable
from typing import Any

import pytest
import requests
from django.db import connection
from rest_framework.test import APIClient

from apps.accounts.models import User
from apps.notifications.models import Event, EventType
from apps.workspaces.models import Upload, Workspace
from apps.workspaces.services import (
    QuotaExceededError,
    workspace_file_write,
    workspace_quota_set,
    workspace_usage_add,
    workspace_usage_reserve,
)
from apps.workspaces.storage import Storage
from apps.workspaces.tasks import workspaces_reconcile_usage_task
from apps.workspaces.tests.conftest import upload, workspace_of
from tests.fixtures import PASSWORD

FILES = "/api/workspace/files/"


def set_quota(user: User, quota: int) -> Workspace:
    Workspace.objects.filter(owner=user).update(quota_bytes=quota)
    return workspace_of(user)


def stored(storage: Storage, username: str = "alice") -> list[tuple[str, int]]:
    return [
        (entry.key.removeprefix(f"users/{username}/"), entry.size)
        for entry in storage.walk(f"users/{username}/")
    ]


def quota_events() -> list[tuple[str, dict[str, str]]]:
    return [(event.event_type, event.property_dict()) for event in Event.objects.order_by("pk")]


@pytest.mark.django_db
def test_upload_over_quota_is_refused_before_anything_is_written(
    alice_client: APIClient, alice: User, storage: Storage
) -> None:
    set_quota(alice, 1000)
    upload(alice_client, "keep.bin", b"k" * 600)

    refused = upload(alice_client, "data/too-big.bin", b"x" * 401)

    assert refused.status_code == 413
    problem = refused.json()
    assert (problem["status"], problem["usedBytes"], problem["quotaBytes"]) == (413, 600, 1000)
    assert stored(storage) == [("workspace/keep.bin", 600)]
    assert workspace_of(alice).used_bytes == 600


@pytest.mark.django_db
def test_chunked_upload_over_quota_is_refused_up_front_or_given_up(
    alice_client: APIClient, alice: User, storage: Storage
) -> None:
    set_quota(alice, 1000)

    # a whole file that cannot fit is refused at its first chunk, with nothing stored
    refused = upload(alice_client, "big.bin", b"x" * 100, content_range="bytes 0-99/2000")
    assert refused.status_code == 413
    assert stored(storage) == []

    # an upload that fits when it begins but not once other files arrive is given up
    assert (
        upload(alice_client, "f.bin", b"x" * 500, content_range="bytes 0-499/900").status_code
        == 202
    )
    assert upload(alice_client, "other.bin", b"o" * 400).status_code == 201
    over = upload(alice_client, "f.bin", b"x" * 400, content_range="bytes 500-899/900")
    assert over.status_code == 413
    assert stored(storage) == [("workspace/other.bin", 400)]
    assert not Upload.objects.exists()
    assert workspace_of(alice).used_bytes == 400


@pytest.mark.django_db
def test_a_short_body_stores_nothing_and_releases_its_reservation(
    alice: User, storage: Storage
) -> None:
    workspace = workspace_of(alice)
    with pytest.raises(Exception, match="ended after 3 of 10 bytes"):
        workspace_file_write(workspace=workspace, path="short.bin", chunks=[b"abc"], size=10)

    assert stored(storage) == []
    assert workspace_of(alice).used_bytes == 0


@pytest.mark.django_db
def test_streamed_write_without_a_size_is_metered_and_discarded_over_quota(
    alice: User, storage: Storage
) -> None:
    workspace = set_quota(alice, 2500)
    with pytest.raises(QuotaExceededError):
        workspace_file_write(
            workspace=workspace, path="stream.bin", chunks=iter([b"x" * 1000] * 3), size=None
        )
    entry, created = workspace_file_write(
        workspace=workspace, path="stream.bin", chunks=iter([b"x" * 1000] * 2), size=None
    )

    assert (entry.size, created) == (2000, True)
    assert stored(storage) == [("workspace/stream.bin", 2000)]
    assert workspace_of(alice).used_bytes == 2000


@pytest.mark.django_db
def test_thresholds_fire_once_per_upward_crossing(alice_client: APIClient, alice: User) -> None:
    set_quota(alice, 1000)

    def put(name: str, size: int) -> None:
        assert upload(alice_client, name, b"x" * size).status_code == 201

    put("a", 700)  # 70 %
    put("b", 100)  # 80 %: warning 1
    put("c", 50)  # 85 %
    assert alice_client.delete(FILES + "b").status_code == 204  # 75 %, going down
    assert alice_client.delete(FILES + "c").status_code == 204  # 70 %
    put("d", 60)  # 76 %: warning 1 again, a new crossing
    put("e", 150)  # 91 %: warning 2
    put("f", 90)  # 100 %: exceeded
    assert upload(alice_client, "g", b"x").status_code == 413  # no event for a refusal

    assert [event_type for event_type, _ in quota_events()] == [
        EventType.QUOTA_WARNING_1,
        EventType.QUOTA_WARNING_1,
        EventType.QUOTA_WARNING_2,
        EventType.QUOTA_EXCEEDED,
    ]
    assert {properties["username"] for _, properties in quota_events()} == {"alice"}


@pytest.mark.django_db
def test_event_properties_in_megabytes_and_one_event_per_jump(alice: User) -> None:
    workspace = set_quota(alice, 500 * 1024 * 1024)

    workspace_usage_add(workspace, int(475.5 * 1024 * 1024))  # 0 → 95 %: only the highest

    assert quota_events() == [
        (
            EventType.QUOTA_WARNING_2,
            {"username": "alice", "currentNumOfMBytes": "475.5", "quotaNumOfMBytes": "500"},
        )
    ]


@pytest.mark.django_db
def test_job_outputs_may_take_a_workspace_over_its_quota(alice: User) -> None:
    workspace = set_quota(alice, 100)

    assert workspace_usage_add(workspace, 150) == 150
    assert workspace_usage_add(workspace, -500) == 0
    assert [event_type for event_type, _ in quota_events()] == [EventType.QUOTA_EXCEEDED]


@pytest.mark.django_db
def test_lowering_the_quota_can_cross_a_threshold(alice: User) -> None:
    workspace = set_quota(alice, 1000)
    workspace_usage_add(workspace, 700)

    workspace_quota_set(workspace=workspace, quota_bytes=900)  # 77.8 %

    assert workspace_of(alice).quota_bytes == 900
    assert [event_type for event_type, _ in quota_events()] == [EventType.QUOTA_WARNING_1]


@pytest.mark.django_db
def test_reconciliation_recounts_from_storage_and_ends_stale_uploads(
    alice_client: APIClient, alice: User, storage: Storage
) -> None:
    upload(alice_client, "counted.bin", b"x" * 100)
    storage.write("users/alice/workspace/uncounted.bin", [b"y" * 50])  # e.g. a job output
    assert (
        upload(alice_client, "slow.bin", b"z" * 30, content_range="bytes 0-29/90").status_code
        == 202
    )
    Workspace.objects.filter(owner=alice).update(used_bytes=7)

    result = workspaces_reconcile_usage_task()

    # the upload still going on counts with the files
    assert result == {"expiredUploads": 0, "corrected": 1}
    assert workspace_of(alice).used_bytes == 180

    # an upload left alone for a day is given up
    Upload.objects.update(updated_at="2000-01-01T00:00:00Z")
    assert workspaces_reconcile_usage_task() == {"expiredUploads": 1, "corrected": 0}
    assert workspace_of(alice).used_bytes == 150
    assert list(storage.walk("users/alice/uploads/")) == []


@pytest.mark.django_db(transaction=True)
def test_concurrent_reservations_never_exceed_the_quota(alice: User) -> None:
    workspace = set_quota(alice, 10_000)
    granted: list[int] = []
    barrier = threading.Barrier(8)

    def reserve() -> None:
        barrier.wait()
        for _ in range(10):
            try:
                workspace_usage_reserve(Workspace.objects.get(pk=workspace.pk), 300)
                granted.append(300)
            except QuotaExceededError:
                pass
        connection.close()

    threads = [threading.Thread(target=reserve) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert sum(granted) == 9_900
    assert workspace_of(alice).used_bytes == 9_900


def _put_over_http(url: str, body: bytes, results: list[int], barrier: threading.Barrier) -> None:
    barrier.wait()
    response = requests.put(url, data=body, auth=("alice", PASSWORD), timeout=60)
    results.append(response.status_code)


def test_two_concurrent_uploads_over_the_quota_cannot_both_land(
    live_server: Any, make_user: Callable[..., User], storage: Storage
) -> None:
    # given alice has room for one of two 6 MB files
    alice = make_user("alice")
    set_quota(alice, 10_000_000)
    body = b"x" * 6_000_000
    results: list[int] = []
    barrier = threading.Barrier(2)

    # when both are uploaded at once over real HTTP
    threads = [
        threading.Thread(
            target=_put_over_http,
            args=(f"{live_server.url}{FILES}{name}", body, results, barrier),
        )
        for name in ("one.bin", "two.bin")
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    # then exactly one lands, and the count is exact
    assert sorted(results) == [201, 413]
    files = stored(storage)
    assert len(files) == 1
    assert files[0][1] == 6_000_000
    assert workspace_of(alice).used_bytes == 6_000_000
