"""One storage layer for TEP-holdings, user workspaces and job outputs (§9.1, §22).

    storage = platform_storage()
    storage.write("users/alice/workspace/data/scene.tif", chunks)

Keys are POSIX paths relative to the storage root (see `base`). The backend is chosen by
settings.STORAGE_BACKEND: "filesystem" (under settings.STORAGE_ROOT) or "s3".
"""

from functools import cache
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

from apps.workspaces.storage.base import (
    CHUNK_SIZE,
    Entry,
    KeyExistsError,
    KeyNotFoundError,
    Storage,
    StorageError,
    UnsafeKeyError,
    folder_key,
    key_name,
    parent_key,
)
from apps.workspaces.storage.filesystem import FilesystemStorage
from apps.workspaces.storage.s3 import S3Storage

__all__ = [
    "CHUNK_SIZE",
    "Entry",
    "FilesystemStorage",
    "KeyExistsError",
    "KeyNotFoundError",
    "S3Storage",
    "Storage",
    "StorageError",
    "UnsafeKeyError",
    "folder_key",
    "key_name",
    "parent_key",
    "platform_storage",
    "platform_storage_reset",
    "storage_file_fetch",
]


@cache
def platform_storage() -> Storage:
    """The configured backend, made once per process."""
    backend = settings.STORAGE_BACKEND
    if backend == "filesystem":
        return FilesystemStorage(Path(settings.STORAGE_ROOT))
    if backend == "s3":
        return S3Storage(
            bucket=settings.STORAGE_S3_BUCKET,
            endpoint_url=settings.STORAGE_S3_ENDPOINT_URL,
            region=settings.STORAGE_S3_REGION,
            access_key_id=settings.STORAGE_S3_ACCESS_KEY_ID,
            secret_access_key=settings.STORAGE_S3_SECRET_ACCESS_KEY,
            addressing_style=settings.STORAGE_S3_ADDRESSING_STYLE,
        )
    raise ImproperlyConfigured(f"STORAGE_BACKEND must be 'filesystem' or 's3', not {backend!r}.")


def platform_storage_reset(*, setting: str, **kwargs: Any) -> None:
    """Forget the backend when a storage setting changes (override_settings in tests)."""
    if setting.startswith("STORAGE_"):
        platform_storage.cache_clear()


def storage_file_fetch(key: str, target: Path) -> int:
    """Copy a file of the platform's storage to `target` on this machine (its folder made);
    returns its size."""
    target.parent.mkdir(parents=True, exist_ok=True)
    size = 0
    with target.open("wb") as file:
        for chunk in platform_storage().read(key):
            size += file.write(chunk)
    return size
