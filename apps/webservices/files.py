"""Which storage keys a user may publish, and reaching their bytes through platform storage.

A user publishes files of their own workspace (`users/{username}/workspace/…`, job outputs
included) and TEP holdings (`holdings/…`), which everybody may read.
"""

from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from pathlib import Path, PurePosixPath

from apps.accounts.models import User
from apps.ogc.errors import ApplicationError, NotFoundError, PermissionDeniedError
from apps.workspaces.storage import (
    Entry,
    KeyNotFoundError,
    UnsafeKeyError,
    folder_key,
    key_name,
    platform_storage,
)

HOLDINGS_PREFIX = "holdings/"
MAX_KEY_LENGTH = 1024


def workspace_prefix(username: str) -> str:
    return f"users/{username}/workspace/"


def key_normalise(key: str) -> str:
    """The key without leading slashes; refused when it could name anything outside storage."""
    if not isinstance(key, str) or not key.strip("/"):
        raise ApplicationError("A file is named by its storage key, such as users/…/data.tif.")
    if len(key) > MAX_KEY_LENGTH or "\\" in key or "\x00" in key:
        raise ApplicationError(f"The file name {key[:80]!r} is not allowed.")
    path = PurePosixPath(key.lstrip("/"))
    if any(part in ("..", ".") for part in path.parts):
        raise ApplicationError(f"The file name {key[:80]!r} is not allowed.")
    return str(path)


def key_check_readable(key: str, user: User) -> str:
    """The normalised key, if `user` may publish it; PermissionDeniedError otherwise."""
    normalised = key_normalise(key)
    if normalised.startswith((HOLDINGS_PREFIX, workspace_prefix(user.username))):
        return normalised
    raise PermissionDeniedError(f"You may not publish {normalised!r}: it is not in your workspace.")


def stat(key: str) -> Entry | None:
    """The file or folder at `key`, or None."""
    try:
        return platform_storage().stat(key)
    except UnsafeKeyError as error:
        raise ApplicationError(f"The file name {key[:80]!r} is not allowed.") from error


@contextmanager
def local_file(key: str) -> Iterator[Path]:
    """A local path of the file for GDAL (a temporary download on remote storage)."""
    with ExitStack() as stack:
        try:
            path = stack.enter_context(platform_storage().local_file(key))
        except KeyNotFoundError as error:
            raise NotFoundError(f"The file {key_name(key)!r} is no longer there.") from error
        yield path


def read(key: str) -> Iterator[bytes]:
    return platform_storage().read(key)


def size(key: str) -> int:
    entry = platform_storage().stat(key)
    if entry is None:
        raise NotFoundError(f"The file {key_name(key)!r} is no longer there.")
    return entry.size


def walk(folder: str) -> Iterator[str]:
    """The keys of every file under `folder` (none when the folder is missing)."""
    try:
        for entry in platform_storage().walk(folder_key(folder)):
            yield entry.key
    except KeyNotFoundError:
        return
