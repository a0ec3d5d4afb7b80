"""Path → key: what is refused and what is normalised (CWE-22)."""

import pytest

from apps.workspaces.paths import (
    InvalidPathError,
    path_clean,
    path_clean_own,
    workspace_key,
    workspace_path_key,
)

HOSTILE = [
    "..",
    "../bob/workspace/secret.txt",
    "data/../../bob",
    "data/..",
    "./data",
    "data/./x",
    "/etc/passwd",
    "//server/share",
    "data//x",
    "data\\..\\x",
    "..\\x",
    "data/x\x00.tif",
    "data/\x01name",
    "data/name\x7f",
    "data/\u202etxt.exe",
    "data/zero\u200bwidth",
    "..\u2215secret",
    "a\u2044b",
    "\uff0e\uff0e/secret",
    "\u2024\u2024/secret",
    "\u2025/secret",
    "data\uff0fx",
    "data\uff3cx",
    "data\u2216x",
    "...",
    ". .",
    " data",
    "data/x ",
    "data/.tep-tmp-123",
    ".tep-upload",
    "a/" + "x" * 256,
    "/".join(["abcdefghij"] * 100),
    "line\nbreak",
]


@pytest.mark.parametrize("path", HOSTILE)
def test_hostile_paths_are_refused(path: str) -> None:
    with pytest.raises(InvalidPathError) as refused:
        path_clean(path)
    assert refused.value.status == 400


@pytest.mark.parametrize(
    ("path", "clean"),
    [
        ("", ""),
        ("data/", "data"),
        ("data/scene.tif", "data/scene.tif"),
        ("données/é.tif", "données/é.tif"),
        ("donne\u0301es", "donn\u00e9es"),  # NFC: one name however it was typed
        ("a.b.c/..hidden", "a.b.c/..hidden"),
        ("x" * 255, "x" * 255),
    ],
)
def test_good_paths_are_normalised(path: str, clean: str) -> None:
    assert path_clean(path) == clean


def test_keys_stay_in_the_workspace() -> None:
    assert workspace_path_key("alice", "data/x.tif") == "users/alice/workspace/data/x.tif"
    assert workspace_path_key("alice", "") == "users/alice/workspace/"
    assert workspace_key("alice", "data", folder=True) == "users/alice/workspace/data/"
    for username in ("..", ".", ""):
        with pytest.raises(InvalidPathError):
            workspace_key(username, "x")


def test_own_paths_exclude_the_root_and_what_is_shared() -> None:
    with pytest.raises(InvalidPathError):
        path_clean_own("")
    with pytest.raises(Exception, match="read-only") as refused:
        path_clean_own("shared/bob/x.tif")
    assert refused.value.status == 403  # type: ignore[attr-defined]
