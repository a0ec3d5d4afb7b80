"""A fuzzer over the files API: hostile paths read, write or delete nothing outside alice's
workspace (CWE-22), and never make the server fail.

Canaries are planted in bob's workspace, at the storage root and (filesystem) outside the
storage root, with symbolic links in alice's workspace pointing at them.
"""

from pathlib import Path
from typing import Any
from urllib.parse import quote

import pytest
from django.conf import settings
from hypothesis import HealthCheck, given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st
from hypothesis.configuration import set_hypothesis_home_dir
from rest_framework.test import APIClient

from apps.accounts.models import User
from apps.workspaces.storage import Storage

pytestmark = pytest.mark.django_db
# Hypothesis keeps caches; in var/ with the other test leftovers, not in the project root.
set_hypothesis_home_dir(settings.VAR_DIR / "hypothesis")
FILES = "/api/workspace/files/"
SECRET = b"canary-7f3a9c"
PLANTED = {
    "canary.txt": SECRET,
    "users/bob/workspace/secret.txt": SECRET,
    "users/bob/workspace/notes/deep.txt": SECRET,
    "holdings/demo/x.tif": SECRET,
}

NAMES = [
    "..",
    ".",
    "...",
    "",
    "%2e%2e",
    "%2E%2E",
    ".%2e",
    "..%2f",
    "%2f",
    "%5c",
    "%00",
    "\\",
    "\x00",
    "..\u2215..",
    "\u2215",
    "\u2044",
    "\uff0e\uff0e",
    "\u2024\u2024",
    "\u2025",
    "\uff0f",
    "\uff3c",
    "\u202e",
    "shared",
    "bob",
    "alice",
    "users",
    "workspace",
    "uploads",
    "secret.txt",
    "canary.txt",
    "link",
    "escape",
    "file-link",
    ".tep-tmp-x",
    "~",
    " ",
    "e\u0301",
    "x" * 300,
    "a?b",
    "a#b",
]
SEPARATORS = ["/", "//", "\\", "%2f", "%5c", "\u2215", "/../", "/./", "%2f..%2f"]
PREFIXES = [
    "",
    "/",
    "//",
    "../",
    "..%2f",
    "shared/",
    "shared/bob/",
    "shared/../",
    "link/",
    "escape/",
]

segment = st.one_of(
    st.sampled_from(NAMES),
    st.text(alphabet=st.characters(codec="utf-8"), max_size=8),
)


@st.composite
def hostile_paths(draw: st.DrawFn) -> str:
    names = draw(st.lists(segment, min_size=1, max_size=5))
    path = draw(st.sampled_from(PREFIXES)) + names[0]
    for name in names[1:]:
        path += draw(st.sampled_from(SEPARATORS)) + name
    return path


def url(path: str, *, encode: bool) -> str:
    """As a client would send it: escaped where a URL must be, "%xx" left for the server."""
    return FILES + quote(path, safe="/%" if not encode else "/")


def snapshot(storage: Storage, outside: Path) -> dict[str, Any]:
    """Everything that is not alice's, with its bytes."""
    stored = {
        entry.key: b"".join(storage.read(entry.key))
        for entry in storage.walk("")
        if not entry.key.startswith("users/alice/")
    }
    around = {str(path): path.read_bytes() for path in sorted(outside.rglob("*")) if path.is_file()}
    return {"stored": stored, "outside": around}


@pytest.fixture
def planted(
    backend: str, storage: Storage, tmp_path: Path, alice: User, bob: User
) -> dict[str, Any]:
    for key, data in PLANTED.items():
        storage.write(key, [data])
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "secret.txt").write_bytes(SECRET)
    if backend == "filesystem":
        workspace = Path(settings.STORAGE_ROOT) / "users" / "alice" / "workspace"
        (workspace / "link").symlink_to(Path("..") / ".." / "bob" / "workspace")
        (workspace / "escape").symlink_to(outside)
        (workspace / "file-link").symlink_to(outside / "secret.txt")
    return {"outside": outside, "before": snapshot(storage, outside)}


def _body(response: Any) -> bytes:
    if getattr(response, "streaming", False):
        return b"".join(response.streaming_content)
    return bytes(response.content)


def _requests(client: APIClient, path: str, target: str, encode: bool) -> list[Any]:
    address = url(path, encode=encode)
    return [
        client.get(address),
        client.get(address, headers={"range": "bytes=0-"}),
        client.put(address, data=b"fuzz", content_type="application/octet-stream"),
        client.put(
            address,
            data=b"fu",
            content_type="application/octet-stream",
            headers={"content-range": "bytes 0-1/4"},
        ),
        client.post(address, {"action": "mkdir"}, format="json"),
        client.post(address, {"action": "move", "to": target}, format="json"),
        client.post(
            url("moved-here", encode=True), {"action": "move", "to": target}, format="json"
        ),
        client.delete(address),
    ]


def _check(storage: Storage, planted: dict[str, Any], responses: list[Any]) -> None:
    for response in responses:
        assert response.status_code < 500, _body(response)
        assert SECRET not in _body(response)
    assert snapshot(storage, planted["outside"]) == planted["before"]


@hypothesis_settings(
    max_examples=40,
    deadline=None,
    database=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(path=hostile_paths(), target=hostile_paths(), encode=st.booleans())
def test_hostile_paths_never_leave_alice_workspace(
    alice_client: APIClient,
    storage: Storage,
    planted: dict[str, Any],
    path: str,
    target: str,
    encode: bool,
) -> None:
    upload = alice_client.put(url("moved-here", encode=True), data=b"m", content_type="text/plain")
    assert upload.status_code in (200, 201)

    _check(storage, planted, _requests(alice_client, path, target, encode))


@pytest.mark.parametrize(
    "path",
    [
        "../bob/workspace/secret.txt",
        "..%2fbob%2fworkspace%2fsecret.txt",
        "%2e%2e/%2e%2e/%2e%2e/canary.txt",
        "data/../../../canary.txt",
        "..\\..\\bob\\workspace\\secret.txt",
        "\u2025\u2215bob\u2215workspace\u2215secret.txt",
        "\uff0e\uff0e/\uff0e\uff0e/canary.txt",
        "link/secret.txt",
        "link/notes/deep.txt",
        "link",
        "escape/secret.txt",
        "file-link",
        "shared/bob/secret.txt",
        "shared/../../bob/workspace/secret.txt",
        "%00/../canary.txt",
        "//users/bob/workspace/secret.txt",
    ],
)
def test_known_escapes_are_refused(
    alice_client: APIClient, storage: Storage, planted: dict[str, Any], path: str
) -> None:
    responses = _requests(alice_client, path, "../../../bob/workspace/stolen.txt", encode=False)

    _check(storage, planted, responses)
    assert all(response.status_code in (400, 403, 404, 409) for response in responses[:2])
