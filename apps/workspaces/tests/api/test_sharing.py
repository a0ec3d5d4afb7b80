"""Sharing (§9.7): grants, the virtual shared/ folder, read-only access, revocation."""

from typing import Any

import pytest
from rest_framework.test import APIClient

from apps.accounts.models import User
from apps.workspaces.models import ShareGrant
from apps.workspaces.selectors import workspace_readable_key
from apps.workspaces.tests.conftest import upload

pytestmark = pytest.mark.django_db
FILES = "/api/workspace/files/"
SHARES = "/api/workspace/shares"


def share(client: APIClient, path: str, grantee: str) -> Any:
    return client.post(SHARES, {"path": path, "grantee": grantee}, format="json")


def entries(client: APIClient, path: str) -> list[tuple[str, str, str]]:
    response = client.get(FILES + path)
    assert response.status_code == 200, response.content
    return [(entry["name"], entry["path"], entry["type"]) for entry in response.json()["entries"]]


def content(response: Any) -> bytes:
    return b"".join(response.streaming_content)


@pytest.fixture
def alice_files(alice_client: APIClient) -> None:
    upload(alice_client, "data/scenes/a.tif", b"scene a")
    upload(alice_client, "data/scenes/b.tif", b"scene b")
    upload(alice_client, "data/private.txt", b"private")
    upload(alice_client, "report.pdf", b"%PDF")


@pytest.mark.usefixtures("alice_files")
def test_grant_list_and_revoke(alice_client: APIClient, bob: User) -> None:
    granted = share(alice_client, "data/scenes/", "bob")
    assert granted.status_code == 201
    grant = granted.json()
    assert (grant["path"], grant["grantee"], grant["permission"]) == ("data/scenes", "bob", "r")
    assert share(alice_client, "data/scenes", "bob").status_code == 200  # already granted
    assert share(alice_client, "report.pdf", "*").status_code == 201

    listed = alice_client.get(SHARES).json()
    assert [(item["path"], item["grantee"]) for item in listed["shares"]] == [
        ("data/scenes", "bob"),
        ("report.pdf", "*"),
    ]
    assert alice_client.get(SHARES, {"path": "report.pdf"}).json()["numberMatched"] == 1

    # the owner sees who has access in her listing
    listing = alice_client.get(FILES + "data/").json()["entries"]
    assert {entry["name"]: entry["sharedWith"] for entry in listing} == {
        "scenes": ["bob"],
        "private.txt": [],
    }

    revoked = alice_client.delete(f"{SHARES}/{grant['id']}")
    assert revoked.status_code == 204
    assert alice_client.delete(f"{SHARES}/{grant['id']}").status_code == 404


@pytest.mark.parametrize(
    ("path", "grantee", "status"),
    [
        ("nothing.txt", "bob", 404),
        ("", "bob", 400),
        ("../bob", "bob", 400),
        ("report.pdf", "nobody", 400),
        ("report.pdf", "alice", 400),
        ("shared/carol/x", "bob", 403),
    ],
)
@pytest.mark.usefixtures("alice_files", "bob")
def test_grants_that_cannot_be_made(
    alice_client: APIClient, path: str, grantee: str, status: int
) -> None:
    response = share(alice_client, path, grantee)

    assert response.status_code == status
    assert not ShareGrant.objects.exists()


@pytest.mark.usefixtures("alice_files")
def test_grantee_sees_and_reads_shared_items_read_only(
    alice_client: APIClient, bob_client: APIClient, carol: User
) -> None:
    share(alice_client, "data/scenes", "bob")
    share(alice_client, "report.pdf", "*")

    # bob's root has the shared folder, which lists alice, whose shares mirror her paths
    assert ("shared", "shared", "folder") in entries(bob_client, "")
    assert entries(bob_client, "shared/") == [("alice", "shared/alice", "folder")]
    assert entries(bob_client, "shared/alice") == [
        ("data", "shared/alice/data", "folder"),
        ("report.pdf", "shared/alice/report.pdf", "file"),
    ]
    assert entries(bob_client, "shared/alice/data") == [
        ("scenes", "shared/alice/data/scenes", "folder")
    ]
    assert entries(bob_client, "shared/alice/data/scenes/") == [
        ("a.tif", "shared/alice/data/scenes/a.tif", "file"),
        ("b.tif", "shared/alice/data/scenes/b.tif", "file"),
    ]
    listing = bob_client.get(FILES + "shared/alice/data/scenes").json()
    assert listing["readOnly"] is True
    assert all(entry["readOnly"] and "sharedWith" not in entry for entry in listing["entries"])
    part = bob_client.get(FILES + "shared/alice/data/scenes/a.tif", headers={"range": "bytes=0-4"})
    assert (part.status_code, content(part)) == (206, b"scene")

    # what is not shared stays hidden
    assert bob_client.get(FILES + "shared/alice/data/private.txt").status_code == 404
    assert bob_client.get(FILES + "shared/alice/nothing").status_code == 404
    assert bob_client.get(FILES + "shared/carol/").status_code == 404

    # and nothing shared can be changed by the grantee
    for response in (
        upload(bob_client, "shared/alice/data/scenes/a.tif", b"overwritten"),
        upload(bob_client, "shared/alice/new.txt", b"new"),
        bob_client.post(FILES + "shared/alice/data/scenes/c", {"action": "mkdir"}, format="json"),
        bob_client.post(
            FILES + "shared/alice/report.pdf", {"action": "move", "to": "mine.pdf"}, format="json"
        ),
        bob_client.delete(FILES + "shared/alice/data/scenes"),
        bob_client.delete(FILES + "shared"),
        bob_client.post(FILES + "shared", {"action": "mkdir"}, format="json"),
    ):
        assert response.status_code == 403, response.content
    assert content(alice_client.get(FILES + "data/scenes/a.tif")) == b"scene a"

    # carol sees only what is shared with everybody
    carol_client = APIClient()
    carol_client.force_authenticate(carol)
    assert entries(carol_client, "shared/alice") == [
        ("report.pdf", "shared/alice/report.pdf", "file")
    ]
    assert carol_client.get(FILES + "shared/alice/data/scenes/a.tif").status_code == 404


@pytest.mark.usefixtures("alice_files")
def test_revocation_is_effective_at_once(alice_client: APIClient, bob_client: APIClient) -> None:
    grant = share(alice_client, "data/scenes", "bob").json()
    assert bob_client.get(FILES + "shared/alice/data/scenes/a.tif").status_code == 200

    alice_client.delete(f"{SHARES}/{grant['id']}")

    assert bob_client.get(FILES + "shared/alice/data/scenes/a.tif").status_code == 404
    assert bob_client.get(FILES + "shared/").json()["entries"] == []


@pytest.mark.usefixtures("alice_files")
def test_grants_follow_moves_and_go_with_deletions(
    alice_client: APIClient, bob_client: APIClient
) -> None:
    share(alice_client, "data/scenes", "bob")

    alice_client.post(FILES + "data", {"action": "move", "to": "archive/2026"}, format="json")
    assert [item["path"] for item in alice_client.get(SHARES).json()["shares"]] == [
        "archive/2026/scenes"
    ]
    assert bob_client.get(FILES + "shared/alice/archive/2026/scenes/b.tif").status_code == 200

    alice_client.delete(FILES + "archive")
    assert not ShareGrant.objects.exists()
    assert bob_client.get(FILES + "shared/alice/archive/2026/scenes/b.tif").status_code == 404


@pytest.mark.usefixtures("alice_files")
def test_only_the_owner_sees_and_revokes_her_grants(
    alice_client: APIClient, bob_client: APIClient
) -> None:
    grant = share(alice_client, "report.pdf", "bob").json()

    assert bob_client.get(SHARES).json()["shares"] == []
    assert bob_client.get(f"{SHARES}/{grant['id']}").status_code == 404
    assert bob_client.delete(f"{SHARES}/{grant['id']}").status_code == 404
    assert alice_client.get(f"{SHARES}/{grant['id']}").status_code == 200
    assert APIClient().get(SHARES).status_code == 401


@pytest.mark.usefixtures("alice_files")
def test_readable_key_for_staging_job_inputs(
    alice_client: APIClient, alice: User, bob: User, carol: User
) -> None:
    share(alice_client, "data/scenes", "bob")

    assert workspace_readable_key(alice, "data/private.txt") == (
        "users/alice/workspace/data/private.txt"
    )
    assert workspace_readable_key(alice, "data/scenes/") == "users/alice/workspace/data/scenes/"
    assert workspace_readable_key(bob, "shared/alice/data/scenes/a.tif") == (
        "users/alice/workspace/data/scenes/a.tif"
    )
    for user, path in (
        (bob, "shared/alice/data/private.txt"),
        (bob, "shared/alice/data"),  # only the way to what is shared
        (carol, "shared/alice/data/scenes/a.tif"),
        (bob, "data/private.txt"),  # bob's own: there is none
        (bob, "../alice/workspace/data/private.txt"),
        (alice, "data/missing.tif"),
    ):
        assert workspace_readable_key(user, path) is None, path
