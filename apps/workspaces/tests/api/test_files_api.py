"""The files API: listing, upload (whole and in chunks), download with ranges, changes."""

from typing import Any

import pytest
from django.conf import settings
from rest_framework.test import APIClient

from apps.accounts.models import User
from apps.workspaces.storage import Storage
from apps.workspaces.tests.conftest import upload, workspace_of

pytestmark = pytest.mark.django_db
FILES = "/api/workspace/files/"
MIB = 1024 * 1024


def listing(client: APIClient, path: str = "", **query: Any) -> dict[str, Any]:
    response = client.get(FILES + path, query)
    assert response.status_code == 200, response.content
    return response.json()


def names(document: dict[str, Any]) -> list[str]:
    return [entry["name"] for entry in document["entries"]]


def content(response: Any) -> bytes:
    return b"".join(response.streaming_content)


def test_workspace_summary(alice_client: APIClient) -> None:
    response = alice_client.get("/api/workspace")

    assert response.status_code == 200
    document = response.json()
    assert document["usedBytes"] == 0
    assert document["quotaBytes"] == settings.WORKSPACE_DEFAULT_QUOTA_BYTES
    assert document["usedPercent"] == 0.0
    assert {link["rel"] for link in document["links"]} == {"self", "files", "shares"}


def test_root_lists_jobs_and_the_virtual_shared_folder(alice_client: APIClient) -> None:
    document = listing(alice_client)

    assert document["path"] == ""
    assert [(entry["name"], entry["type"]) for entry in document["entries"]] == [
        ("jobs", "folder"),
        ("shared", "folder"),
    ]
    shared = document["entries"][1]
    assert shared["readOnly"] is True
    assert shared["path"] == "shared"


def test_upload_small_file_then_replace(alice_client: APIClient, alice: User) -> None:
    # when alice uploads a file into a folder that does not exist yet
    created = upload(alice_client, "data/notes.txt", b"hello")

    # then it is there, its folder was made, and it counts against her quota
    assert created.status_code == 201
    assert created["Location"].endswith("/api/workspace/files/data/notes.txt")
    entry = created.json()
    assert (entry["name"], entry["path"], entry["type"], entry["size"]) == (
        "notes.txt",
        "data/notes.txt",
        "file",
        5,
    )
    assert entry["mediaType"] == "text/plain"
    assert workspace_of(alice).used_bytes == 5

    # and replacing it answers 200 and counts the difference only
    replaced = upload(alice_client, "data/notes.txt", b"hi")
    assert replaced.status_code == 200
    assert workspace_of(alice).used_bytes == 2
    assert content(alice_client.get(FILES + "data/notes.txt")) == b"hi"


def test_upload_larger_than_django_body_limit_in_one_put(
    alice_client: APIClient, alice: User
) -> None:
    # given a body well over DATA_UPLOAD_MAX_MEMORY_SIZE (2.5 MB)
    data = bytes(range(256)) * (12 * 1024)  # 3 MiB

    response = upload(alice_client, "big.bin", data)

    assert response.status_code == 201, response.content
    assert response.json()["size"] == len(data)
    assert content(alice_client.get(FILES + "big.bin")) == data
    assert workspace_of(alice).used_bytes == len(data)


def test_chunked_upload_of_20_mib_in_8_mib_chunks(
    alice_client: APIClient, alice: User, storage: Storage
) -> None:
    data = b"".join(bytes([index]) * MIB for index in range(20))
    chunk = 8 * MIB
    answers = []
    for start in range(0, len(data), chunk):
        end = min(start + chunk, len(data)) - 1
        answers.append(
            upload(
                alice_client,
                "scenes/big.tif",
                data[start : end + 1],
                content_range=f"bytes {start}-{end}/{len(data)}",
            )
        )

    # the first chunks are accepted with the offset to go on from, the last stores the file
    assert [answer.status_code for answer in answers] == [202, 202, 201]
    assert answers[0].json() == {"path": "scenes/big.tif", "offset": chunk, "total": len(data)}
    assert answers[1]["Range"] == f"bytes=0-{2 * chunk - 1}"
    assert answers[2].json()["size"] == len(data)
    assert content(alice_client.get(FILES + "scenes/big.tif")) == data
    # and nothing of the upload remains beside the file; the quota counts the file once
    assert list(storage.walk("users/alice/uploads/")) == []
    assert workspace_of(alice).used_bytes == len(data)


def test_chunked_upload_resumes_from_the_offset(alice_client: APIClient) -> None:
    data = b"0123456789" * 100
    first = upload(alice_client, "r.bin", data[:400], content_range="bytes 0-399/1000")
    assert first.status_code == 202

    # a chunk out of order is refused with the offset to go on from
    skipped = upload(alice_client, "r.bin", data[500:], content_range="bytes 500-999/1000")
    assert skipped.status_code == 409
    assert skipped.json()["offset"] == 400

    # a client that lost track asks where to go on
    asked = upload(alice_client, "r.bin", b"", content_range="bytes */1000")
    assert (asked.status_code, asked.json()["offset"]) == (202, 400)

    # the file does not appear before its last chunk
    assert alice_client.get(FILES + "r.bin").status_code == 404
    done = upload(alice_client, "r.bin", data[400:], content_range="bytes 400-999/1000")
    assert done.status_code == 201
    assert content(alice_client.get(FILES + "r.bin")) == data


@pytest.mark.parametrize(
    ("header", "body"),
    [
        ("bytes 0-9/5", b"x" * 10),
        ("bytes 5-2/10", b"x"),
        ("chunks 0-1/2", b"xx"),
        ("bytes 0-4/10", b"xx"),
    ],
)
def test_bad_content_ranges_are_refused(alice_client: APIClient, header: str, body: bytes) -> None:
    response = upload(alice_client, "bad.bin", body, content_range=header)

    assert response.status_code == 400
    assert response["Content-Type"] == "application/problem+json"


def test_download_with_ranges_and_validators(alice_client: APIClient) -> None:
    data = bytes(range(100))
    upload(alice_client, "data/x.bin", data)

    whole = alice_client.get(FILES + "data/x.bin")
    assert whole.status_code == 200
    assert content(whole) == data
    assert whole["Content-Length"] == "100"
    assert whole["Accept-Ranges"] == "bytes"
    assert whole["Content-Type"] == "application/octet-stream"
    etag, modified = whole["ETag"], whole["Last-Modified"]

    part = alice_client.get(FILES + "data/x.bin", headers={"range": "bytes=10-19"})
    assert part.status_code == 206
    assert (part["Content-Range"], part["Content-Length"]) == ("bytes 10-19/100", "10")
    assert content(part) == data[10:20]

    suffix = alice_client.get(FILES + "data/x.bin", headers={"range": "bytes=-5"})
    assert (suffix.status_code, content(suffix)) == (206, data[95:])
    open_ended = alice_client.get(FILES + "data/x.bin", headers={"range": "bytes=98-"})
    assert content(open_ended) == data[98:]

    past = alice_client.get(FILES + "data/x.bin", headers={"range": "bytes=100-200"})
    assert past.status_code == 416
    assert past["Content-Range"] == "bytes */100"
    assert past.json()["status"] == 416

    stale = alice_client.get(
        FILES + "data/x.bin", headers={"range": "bytes=0-1", "if-range": '"other"'}
    )
    assert stale.status_code == 200

    assert (
        alice_client.get(FILES + "data/x.bin", headers={"if-none-match": etag}).status_code == 304
    )
    not_modified = alice_client.get(FILES + "data/x.bin", headers={"if-modified-since": modified})
    assert not_modified.status_code == 304


def test_download_headers_keep_files_from_running_as_pages(alice_client: APIClient) -> None:
    upload(alice_client, "page.html", b"<script>alert(1)</script>")

    response = alice_client.get(FILES + "page.html", {"download": "1"})

    assert response["Content-Type"].startswith("text/html")
    assert response["X-Content-Type-Options"] == "nosniff"
    assert "sandbox" in response["Content-Security-Policy"]
    assert response["Content-Disposition"].startswith("attachment")


def test_listing_pages_and_sorts_with_folders_first(alice_client: APIClient) -> None:
    for name, size in (("b.txt", 3), ("a.txt", 10), ("c.txt", 1)):
        upload(alice_client, f"f/{name}", b"x" * size)
    for folder in ("zeta", "alpha"):
        assert (
            alice_client.post(FILES + f"f/{folder}", {"action": "mkdir"}, format="json").status_code
            == 201
        )

    assert names(listing(alice_client, "f/")) == ["alpha", "zeta", "a.txt", "b.txt", "c.txt"]
    assert names(listing(alice_client, "f", sort="size", order="desc")) == [
        "zeta",
        "alpha",
        "a.txt",
        "b.txt",
        "c.txt",
    ]
    assert names(listing(alice_client, "f", sort="name", order="desc"))[:2] == ["zeta", "alpha"]

    first = listing(alice_client, "f/", limit=2)
    assert (names(first), first["numberMatched"], first["numberReturned"]) == (
        ["alpha", "zeta"],
        5,
        2,
    )
    next_link = next(link["href"] for link in first["links"] if link["rel"] == "next")
    second = alice_client.get(next_link).json()
    assert names(second) == ["a.txt", "b.txt"]
    assert any(link["rel"] == "prev" for link in second["links"])

    assert alice_client.get(FILES + "f/", {"sort": "colour"}).status_code == 400
    assert alice_client.get(FILES + "f/", {"order": "up"}).status_code == 400


def test_mkdir_move_and_delete(alice_client: APIClient, alice: User, storage: Storage) -> None:
    upload(alice_client, "a/one.txt", b"111")
    upload(alice_client, "a/deep/two.txt", b"2222")

    made = alice_client.post(FILES + "b/c", {"action": "mkdir"}, format="json")
    assert (made.status_code, made.json()["type"]) == (201, "folder")
    assert alice_client.post(FILES + "b/c", {"action": "mkdir"}, format="json").status_code == 409

    moved = alice_client.post(FILES + "a", {"action": "move", "to": "b/c/a2"}, format="json")
    assert moved.status_code == 200
    assert moved.json()["path"] == "b/c/a2"
    assert names(listing(alice_client, "b/c/a2")) == ["deep", "one.txt"]
    assert alice_client.get(FILES + "a").status_code == 404

    renamed = alice_client.post(
        FILES + "b/c/a2/one.txt", {"action": "move", "to": "one-renamed.txt"}, format="json"
    )
    assert renamed.status_code == 200
    assert content(alice_client.get(FILES + "one-renamed.txt")) == b"111"

    deleted = alice_client.delete(FILES + "b")
    assert deleted.status_code == 204
    assert alice_client.get(FILES + "b").status_code == 404
    assert workspace_of(alice).used_bytes == 3
    assert [entry.name for entry in storage.walk("users/alice/workspace/")] == ["one-renamed.txt"]


@pytest.mark.parametrize(
    ("method", "path", "body", "status"),
    [
        ("post", "x/inside", {"action": "mkdir"}, 409),  # x is a file
        ("post", "folder", {"action": "move", "to": "folder/sub"}, 409),  # into itself
        ("post", "x", {"action": "move", "to": "folder"}, 409),  # target exists
        ("post", "missing", {"action": "move", "to": "elsewhere"}, 404),
        ("post", "x", {"action": "rename"}, 400),
        ("post", "x", {"action": "move"}, 400),
        ("post", "jobs", {"action": "move", "to": "old-jobs"}, 409),
        ("delete", "jobs", None, 409),
        ("delete", "missing", None, 404),
        ("delete", "", None, 400),
        ("put", "folder", b"x", 409),  # a folder is there
        ("put", "x/inside.txt", b"x", 409),  # x is a file
        ("put", "folder/", b"x", 400),
    ],
)
def test_changes_that_cannot_be_done(
    alice_client: APIClient, method: str, path: str, body: Any, status: int
) -> None:
    upload(alice_client, "x", b"file")
    alice_client.post(FILES + "folder", {"action": "mkdir"}, format="json")

    if method == "put":
        response = upload(alice_client, path, body)
    else:
        response = getattr(alice_client, method)(FILES + path, body, format="json")

    assert response.status_code == status, response.content
    assert response["Content-Type"] == "application/problem+json"
    assert content(alice_client.get(FILES + "x")) == b"file"


def test_empty_files_and_bodies_without_a_length(alice_client: APIClient) -> None:
    # a request without Content-Length has an empty body (RFC 9112 §6.3)
    empty = alice_client.put(FILES + "empty.txt")
    assert (empty.status_code, empty.json()["size"]) == (201, 0)
    assert content(alice_client.get(FILES + "empty.txt")) == b""
    # one in chunked transfer coding has no length to count against the quota
    chunked = alice_client.put(FILES + "chunked.txt", HTTP_TRANSFER_ENCODING="chunked")
    assert chunked.status_code == 411
    assert alice_client.get(FILES + "chunked.txt").status_code == 404


def test_anonymous_callers_get_401_and_others_see_nothing_of_alice(
    alice_client: APIClient, bob_client: APIClient, bob: User
) -> None:
    upload(alice_client, "private/secret.txt", b"alice's")

    anonymous = APIClient()
    for method in ("get", "put", "post", "delete"):
        assert getattr(anonymous, method)(FILES + "private/secret.txt").status_code == 401
    assert anonymous.get("/api/workspace").status_code == 401

    # bob's paths only ever name bob's workspace
    assert bob_client.get(FILES + "private/secret.txt").status_code == 404
    assert bob_client.get(FILES + "shared/alice/private/secret.txt").status_code == 404
    assert bob_client.get(FILES + "../alice/workspace/private/secret.txt").status_code == 400
    assert bob_client.delete(FILES + "private").status_code == 404
    assert content(alice_client.get(FILES + "private/secret.txt")) == b"alice's"


def test_unapproved_users_are_refused(make_user: Any) -> None:
    pending = make_user("pending", approved=False)
    client = APIClient()
    client.force_authenticate(pending)

    assert client.get("/api/workspace").status_code == 403
    assert client.get(FILES).status_code == 403
