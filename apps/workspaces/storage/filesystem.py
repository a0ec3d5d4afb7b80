"""Platform storage on the local filesystem, under one root folder."""

import builtins
import os
import shutil
import stat
import tempfile
from collections.abc import Iterable, Iterator
from contextlib import contextmanager, suppress
from datetime import UTC, datetime
from itertools import chain
from pathlib import Path

from apps.workspaces.storage.base import (
    CHUNK_SIZE,
    INTERNAL_PREFIX,
    Entry,
    KeyExistsError,
    KeyNotFoundError,
    UnsafeKeyError,
    folder_key,
    is_internal,
    key_check,
    key_name,
)

MISSING = (FileNotFoundError, NotADirectoryError)
IN_THE_WAY = (FileExistsError, NotADirectoryError, IsADirectoryError)


def _modified(status: os.stat_result) -> datetime:
    return datetime.fromtimestamp(status.st_mtime, tz=UTC)


class FilesystemStorage:
    """Keys are paths below `root`. Symbolic links are never followed: a key whose path
    passes through one is refused (UnsafeKeyError), and listings leave them out."""

    def __init__(self, root: Path) -> None:
        root.mkdir(parents=True, exist_ok=True)
        self.root = os.path.realpath(root)

    def _path(self, key: str) -> str:
        key_check(key)
        lexical = os.path.join(self.root, key.removesuffix("/")) if key else self.root
        # realpath resolves every link on the way; a difference means one was there.
        if os.path.realpath(lexical) != lexical:
            raise UnsafeKeyError(f"The storage key {key!r} passes through a symbolic link.")
        return lexical

    def _entry(self, key: str, status: os.stat_result) -> Entry | None:
        if stat.S_ISDIR(status.st_mode):
            return Entry(folder_key(key), key_name(key), True, 0, _modified(status))
        if stat.S_ISREG(status.st_mode) and not key.endswith("/"):
            return Entry(key, key_name(key), False, status.st_size, _modified(status))
        return None

    def stat(self, key: str) -> Entry | None:
        path = self._path(key)
        try:
            status = os.lstat(path)
        except MISSING:
            return None
        return self._entry(key, status)

    def list(self, folder: str) -> builtins.list[Entry]:
        prefix = folder_key(folder)
        path = self._path(prefix)
        if not os.path.isdir(path):
            raise KeyNotFoundError(f"There is no folder {prefix!r}.")
        entries = []
        with os.scandir(path) as children:
            for child in children:
                if is_internal(child.name) or child.is_symlink():
                    continue
                entry = self._entry(prefix + child.name, child.stat(follow_symlinks=False))
                if entry is not None:
                    entries.append(entry)
        return sorted(entries, key=lambda entry: entry.key)

    def walk(self, folder: str) -> Iterator[Entry]:
        prefix = folder_key(folder)
        path = self._path(prefix)
        if os.path.isdir(path):
            yield from self._walk(path, prefix)

    def _walk(self, directory: str, prefix: str) -> Iterator[Entry]:
        """Depth first in key order: a folder "a/" sorts as its key does, before "a0"."""
        with os.scandir(directory) as found:
            children = [
                (child.name + ("/" if child.is_dir(follow_symlinks=False) else ""), child)
                for child in found
                if not is_internal(child.name) and not child.is_symlink()
            ]
        for name, child in sorted(children, key=lambda pair: pair[0]):
            if name.endswith("/"):
                yield from self._walk(child.path, prefix + name)
            elif entry := self._entry(prefix + name, child.stat(follow_symlinks=False)):
                yield entry

    def read(self, key: str, start: int = 0, end: int | None = None) -> Iterator[bytes]:
        path = self._path(key)
        try:
            descriptor = os.open(path, os.O_RDONLY | os.O_NOFOLLOW)
        except MISSING as error:
            raise KeyNotFoundError(f"There is no file {key!r}.") from error
        with os.fdopen(descriptor, "rb") as source:
            source.seek(start)
            remaining = None if end is None else end - start + 1
            while remaining is None or remaining > 0:
                chunk = source.read(CHUNK_SIZE if remaining is None else min(CHUNK_SIZE, remaining))
                if not chunk:
                    return
                if remaining is not None:
                    remaining -= len(chunk)
                yield chunk

    def write(self, key: str, chunks: Iterable[bytes]) -> int:
        path = self._path(key)
        folder = os.path.dirname(path)
        try:
            os.makedirs(folder, exist_ok=True)
        except IN_THE_WAY as error:
            raise KeyExistsError(f"A file is in the way of {key!r}.") from error
        descriptor, temporary = tempfile.mkstemp(prefix=f"{INTERNAL_PREFIX}tmp-", dir=folder)
        written = 0
        try:
            os.fchmod(descriptor, 0o644)
            with os.fdopen(descriptor, "wb") as target:
                for chunk in chunks:
                    target.write(chunk)
                    written += len(chunk)
                target.flush()
                os.fsync(target.fileno())
            if os.path.isdir(path):
                raise KeyExistsError(f"A folder is at {key!r}.")
            os.replace(temporary, path)
        except BaseException:
            with suppress(FileNotFoundError):
                os.unlink(temporary)
            raise
        return written

    def put_file(self, key: str, path: Path) -> int:
        return self.write(key, _file_chunks(path))

    def make_folder(self, key: str) -> None:
        try:
            os.makedirs(self._path(key), exist_ok=True)
        except IN_THE_WAY as error:
            raise KeyExistsError(f"A file is in the way of {key!r}.") from error

    def move(self, source: str, target: str) -> None:
        source_path, target_path = self._path(source), self._path(target)
        if not os.path.lexists(source_path):
            raise KeyNotFoundError(f"There is nothing at {source!r}.")
        if os.path.lexists(target_path):
            raise KeyExistsError(f"Something is already at {target!r}.")
        try:
            os.makedirs(os.path.dirname(target_path), exist_ok=True)
            os.rename(source_path, target_path)
        except IN_THE_WAY as error:
            raise KeyExistsError(f"A file is in the way of {target!r}.") from error

    def delete(self, key: str) -> int:
        entry = self.stat(key)
        if entry is None:
            return 0
        path = self._path(key)
        if not entry.is_folder:
            os.unlink(path)
            return entry.size
        freed = sum(file.size for file in self.walk(entry.key))
        shutil.rmtree(path)
        return freed

    @contextmanager
    def local_file(self, key: str) -> Iterator[Path]:
        entry = self.stat(key)
        if entry is None or entry.is_folder:
            raise KeyNotFoundError(f"There is no file {key!r}.")
        yield Path(self._path(key))

    def concatenate(self, target: str, parts: builtins.list[str]) -> int:
        return self.write(target, chain.from_iterable(self.read(part) for part in parts))


def _file_chunks(path: Path) -> Iterator[bytes]:
    with path.open("rb") as source:
        while chunk := source.read(CHUNK_SIZE):
            yield chunk
