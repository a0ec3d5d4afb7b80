"""Changing the caller's own workspace: writing files, making folders, moving, deleting.

Paths are workspace paths (apps/workspaces/paths.py); what others share with the caller
(`shared/…`) is read-only, and the `jobs/` folder itself belongs to the platform.
"""

from collections.abc import Iterable, Iterator

from apps.catalogue.registration import (
    workspace_file_record_sync,
    workspace_file_records_remove,
)
from apps.ogc.errors import ConflictError, NotFoundError
from apps.workspaces.errors import IncompleteBodyError, storage_errors
from apps.workspaces.models import Workspace
from apps.workspaces.paths import (
    JOBS_FOLDER,
    path_ancestors,
    path_clean_own,
    path_is_within,
    workspace_key,
)
from apps.workspaces.services.quota import workspace_usage_release, workspace_usage_reserve
from apps.workspaces.services.shares import share_grants_move, share_grants_remove
from apps.workspaces.storage import Entry, Storage, folder_key, platform_storage


def body_exactly(chunks: Iterable[bytes], size: int) -> Iterator[bytes]:
    """The chunks, failing (before the file is stored) unless they add up to `size` bytes."""
    received = 0
    for chunk in chunks:
        received += len(chunk)
        if received > size:
            raise IncompleteBodyError(f"The body is longer than the {size} bytes announced.")
        yield chunk
    if received != size:
        raise IncompleteBodyError(f"The body ended after {received} of {size} bytes.")


def ancestors_check(storage: Storage, username: str, path: str) -> None:
    """ConflictError when a file stands where a folder on the way to `path` should be."""
    for ancestor in path_ancestors(path):
        found = storage.stat(workspace_key(username, ancestor))
        if found is None:
            continue
        if found.is_folder:
            return
        raise ConflictError(f"{ancestor!r} is a file, so nothing can be put inside it.")


def existing_file(storage: Storage, username: str, path: str) -> Entry | None:
    """The file now at `path`, if any; ConflictError if a folder or a file is in the way."""
    entry = storage.stat(workspace_key(username, path))
    if entry is not None and entry.is_folder:
        raise ConflictError(f"A folder is at {path!r}.")
    ancestors_check(storage, username, path)
    return entry


def _write_sized(
    storage: Storage, workspace: Workspace, key: str, chunks: Iterable[bytes], size: int, old: int
) -> None:
    growth = size - old
    workspace_usage_reserve(workspace, growth)
    try:
        storage.write(key, body_exactly(chunks, size))
    except BaseException:
        workspace_usage_release(workspace, growth)
        raise
    workspace_usage_release(workspace, -growth)


def _write_metered(
    storage: Storage, workspace: Workspace, key: str, chunks: Iterable[bytes], old: int
) -> None:
    reserved = 0

    def metered() -> Iterator[bytes]:
        nonlocal reserved
        for chunk in chunks:
            workspace_usage_reserve(workspace, len(chunk))
            reserved += len(chunk)
            yield chunk

    try:
        storage.write(key, metered())
    except BaseException:
        workspace_usage_release(workspace, reserved)
        raise
    workspace_usage_release(workspace, old)


def workspace_file_write(
    *, workspace: Workspace, path: str, chunks: Iterable[bytes], size: int | None
) -> tuple[Entry, bool]:
    """Store the streamed `chunks` as the file at `path`; returns it and whether it is new.

    Missing folders on the way are made. With a known `size` the bytes the file adds are
    reserved first, so a file over the quota is refused (QuotaExceededError) before
    anything is written, and a body of another length is refused (IncompleteBodyError)
    before the file is replaced. Without one, bytes are reserved as they arrive and the
    partial file is discarded when they would exceed the quota. ConflictError when a
    folder is at `path` or a file is in the way.
    """
    clean = path_clean_own(path)
    username = workspace.owner.username
    storage = platform_storage()
    key = workspace_key(username, clean)
    with storage_errors(clean):
        existing = existing_file(storage, username, clean)
        old = existing.size if existing else 0
        if size is None:
            _write_metered(storage, workspace, key, chunks, old)
        else:
            _write_sized(storage, workspace, key, chunks, size, old)
        written = storage.stat(key)
    if written is None:
        raise NotFoundError(f"{clean!r} was removed while it was written.")
    workspace_file_record_sync(owner=workspace.owner, path=clean, size=written.size)
    return written, existing is None


def workspace_folder_create(*, workspace: Workspace, path: str) -> Entry:
    """Make a folder (and the folders on the way); ConflictError if anything is at `path`."""
    clean = path_clean_own(path)
    username = workspace.owner.username
    storage = platform_storage()
    key = workspace_key(username, clean, folder=True)
    with storage_errors(clean):
        if storage.stat(workspace_key(username, clean)) is not None:
            raise ConflictError(f"Something is already at {clean!r}.")
        ancestors_check(storage, username, clean)
        storage.make_folder(key)
        made = storage.stat(key)
    if made is None:
        raise NotFoundError(f"{clean!r} was removed as it was made.")
    return made


def _changeable(path: str) -> str:
    clean = path_clean_own(path)
    if clean == JOBS_FOLDER:
        raise ConflictError("The jobs folder is kept by the platform; change the jobs inside it.")
    return clean


def workspace_item_move(*, workspace: Workspace, path: str, to: str) -> Entry:
    """Move or rename a file or folder; its share grants follow it.

    NotFoundError if nothing is at `path`; ConflictError if something is at `to`, a file
    is in the way, or a folder would go inside itself.
    """
    source, target = _changeable(path), path_clean_own(to)
    if path_is_within(target, source):
        raise ConflictError("A file or folder cannot be moved onto or into itself.")
    username = workspace.owner.username
    storage = platform_storage()
    with storage_errors(source):
        entry = storage.stat(workspace_key(username, source))
        if entry is None:
            raise NotFoundError(f"There is nothing at {source!r}.")
        target_key = workspace_key(username, target)
        if storage.stat(target_key) is not None:
            raise ConflictError(f"Something is already at {target!r}.")
        ancestors_check(storage, username, target)
        storage.move(entry.key, folder_key(target_key) if entry.is_folder else target_key)
        moved = storage.stat(target_key)
    share_grants_move(owner=workspace.owner, source=source, target=target)
    if moved is None:
        raise NotFoundError(f"{target!r} was removed as it was moved.")
    _records_move(storage, workspace, source, target, moved)
    return moved


def _records_move(
    storage: Storage, workspace: Workspace, source: str, target: str, moved: Entry
) -> None:
    """The catalogue records of what moved: gone at the old paths, made at the new ones."""
    owner = workspace.owner
    workspace_file_records_remove(owner=owner, path=source)
    files = storage.walk(moved.key) if moved.is_folder else [moved]
    root = workspace_key(owner.username, "")
    for entry in files:
        path = entry.key.removeprefix(root).lstrip("/")
        workspace_file_record_sync(owner=owner, path=path, size=entry.size)


def workspace_item_delete(*, workspace: Workspace, path: str) -> int:
    """Delete a file, or a folder with everything in it; returns the bytes freed.

    The grants on it go too. NotFoundError if nothing is at `path`.
    """
    clean = _changeable(path)
    storage = platform_storage()
    key = workspace_key(workspace.owner.username, clean)
    with storage_errors(clean):
        if storage.stat(key) is None:
            raise NotFoundError(f"There is nothing at {clean!r}.")
        freed = storage.delete(key)
    workspace_usage_release(workspace, freed)
    share_grants_remove(owner=workspace.owner, path=clean)
    workspace_file_records_remove(owner=workspace.owner, path=clean)
    return freed
