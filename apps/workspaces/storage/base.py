"""What every storage backend offers, and the rules for keys.

A key is a POSIX path relative to the storage root, such as
`users/alice/workspace/data/scene.tif` or `holdings/demo/x.tif`; a folder's key ends
with "/", and "" is the root. Keys reach a backend only after a caller has confined them
(see apps/workspaces/paths.py); `key_check` here is the backend's own last line of defence.
"""

import builtins
from collections.abc import Iterable, Iterator
from contextlib import AbstractContextManager
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Protocol

# Reads and writes move the bytes in pieces of this size.
CHUNK_SIZE = 1024 * 1024
# Names the backends use for their own temporary files; never shown, never accepted.
INTERNAL_PREFIX = ".tep-"


class StorageError(Exception):
    pass


class KeyNotFoundError(StorageError):
    pass


class KeyExistsError(StorageError):
    """Something is already where a file or folder should go (or a file is on its way)."""


class UnsafeKeyError(StorageError, ValueError):
    """A key that could name something outside the storage root (or pass a symbolic link)."""


@dataclass(frozen=True)
class Entry:
    key: str  # full key; folders end with "/"
    name: str
    is_folder: bool
    size: int  # bytes (0 for folders)
    modified: datetime | None


class Storage(Protocol):
    def stat(self, key: str) -> Entry | None: ...

    def list(self, folder: str) -> builtins.list[Entry]:
        """The direct children of a folder key ("…/"); KeyNotFoundError when it is missing."""
        ...

    def walk(self, folder: str) -> Iterator[Entry]:
        """Every file below a folder key, in key order."""
        ...

    def read(self, key: str, start: int = 0, end: int | None = None) -> Iterator[bytes]:
        """The bytes of [start, end] (inclusive, as in HTTP Range), in chunks."""
        ...

    def write(self, key: str, chunks: Iterable[bytes]) -> int:
        """Store a file from streamed chunks; readers see the old file or the whole new one."""
        ...

    def put_file(self, key: str, path: Path) -> int: ...

    def make_folder(self, key: str) -> None: ...

    def move(self, source: str, target: str) -> None:
        """Move a file or folder; KeyExistsError if the target exists."""
        ...

    def delete(self, key: str) -> int:
        """Delete a file or a folder and everything in it; returns the bytes freed."""
        ...

    def local_file(self, key: str) -> AbstractContextManager[Path]:
        """A local path to the file for libraries such as rasterio, while the block runs."""
        ...

    def concatenate(self, target: str, parts: builtins.list[str]) -> int:
        """Store the parts one after another as the file `target`; returns its size."""
        ...


def key_check(key: str) -> str:
    """The key itself, or UnsafeKeyError when it is absolute or has empty, "." or ".." parts."""
    if key == "":
        return key
    if key.startswith("/") or "\\" in key or "\x00" in key:
        raise UnsafeKeyError(f"The storage key {key!r} is not allowed.")
    body = key.removesuffix("/")
    if any(part in ("", ".", "..") for part in body.split("/")):
        raise UnsafeKeyError(f"The storage key {key!r} is not allowed.")
    return key


def folder_key(key: str) -> str:
    """The key of a folder: with its trailing slash ("" stays the root)."""
    return key if key == "" or key.endswith("/") else f"{key}/"


def key_name(key: str) -> str:
    return key.removesuffix("/").rpartition("/")[2]


def parent_key(key: str) -> str:
    """The folder holding `key` ("" for the root's children)."""
    head, _, _ = key.removesuffix("/").rpartition("/")
    return f"{head}/" if head else ""


def is_internal(name: str) -> bool:
    return name.startswith(INTERNAL_PREFIX)
