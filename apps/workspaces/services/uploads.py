"""Chunked uploads that a client can resume (PUT with Content-Range; see the files API).

Each accepted chunk is stored as its own object under `users/{username}/uploads/{id}/`,
outside the workspace, and counted against the quota as it arrives. A chunk is accepted
by a conditional UPDATE that only moves the upload's offset from where the chunk starts,
so of two requests sending the same bytes one wins and the other removes its copy. The
last chunk joins the parts into the file (server-side on S3) and removes them.
"""

import secrets
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import timedelta

from django.contrib.postgres.fields import ArrayField
from django.db import IntegrityError, models, transaction
from django.db.models import F, Func, Value
from django.utils import timezone

from apps.catalogue.registration import workspace_file_record_sync
from apps.ogc.errors import ApplicationError, ConflictError, NotFoundError
from apps.workspaces.errors import storage_errors
from apps.workspaces.models import Upload, Workspace
from apps.workspaces.paths import path_clean_own, uploads_prefix, workspace_key
from apps.workspaces.services.files import body_exactly, existing_file
from apps.workspaces.services.quota import (
    QuotaExceededError,
    workspace_quota_check,
    workspace_usage_release,
    workspace_usage_reserve,
)
from apps.workspaces.storage import Entry, Storage, platform_storage


@dataclass(frozen=True)
class ChunkReceived:
    offset: int  # bytes of the file received so far
    total: int
    entry: Entry | None = None  # the finished file, once the last chunk is in
    created: bool = False


def _parts_prefix(workspace: Workspace, upload_id: int) -> str:
    return f"{uploads_prefix(workspace.owner.username)}{upload_id}/"


def workspace_upload_abort(*, upload: Upload) -> None:
    """Give up an unfinished upload: its parts are deleted and their bytes released."""
    deleted, _ = Upload.objects.filter(pk=upload.pk).delete()
    if deleted:
        freed = platform_storage().delete(_parts_prefix(upload.workspace, upload.pk))
        workspace_usage_release(upload.workspace, freed)


def workspace_uploads_expire(*, older_than: timedelta) -> int:
    """Abort the uploads that received nothing for `older_than`; returns how many."""
    stale = Upload.objects.filter(updated_at__lt=timezone.now() - older_than)
    uploads = list(stale.select_related("workspace__owner"))
    for upload in uploads:
        workspace_upload_abort(upload=upload)
    return len(uploads)


def workspace_upload_offset(*, workspace: Workspace, path: str, total: int) -> int:
    """Where the upload of `path` (of `total` bytes) goes on: the bytes received, or 0."""
    upload = Upload.objects.filter(
        workspace=workspace, path=path_clean_own(path), total_bytes=total
    ).first()
    return upload.received_bytes if upload else 0


def _begin(workspace: Workspace, path: str, total: int, existing: Entry | None) -> Upload:
    """A new upload of `path`, after refusing a file that cannot fit (nothing is written)."""
    workspace_quota_check(workspace, total - (existing.size if existing else 0))
    for earlier in Upload.objects.filter(workspace=workspace, path=path):
        workspace_upload_abort(upload=earlier)
    try:
        with transaction.atomic():
            return Upload.objects.create(workspace=workspace, path=path, total_bytes=total)
    except IntegrityError as error:
        raise ConflictError("Another upload of this file has just begun.") from error


def _resume(workspace: Workspace, path: str, start: int, total: int) -> Upload:
    upload = Upload.objects.filter(workspace=workspace, path=path).first()
    if upload is None or upload.total_bytes != total:
        raise ConflictError(
            f"No upload of {total} bytes to {path!r} is in progress; send its first chunk.",
            extra={"offset": 0},
        )
    if upload.received_bytes != start:
        raise ConflictError(
            f"The upload goes on at byte {upload.received_bytes}, not {start}.",
            extra={"offset": upload.received_bytes},
        )
    upload.workspace = workspace
    return upload


def _accept(
    storage: Storage, upload: Upload, start: int, chunks: Iterable[bytes], size: int
) -> None:
    """Store one chunk as a part and move the upload's offset past it."""
    workspace = upload.workspace
    try:
        workspace_usage_reserve(workspace, size)
    except QuotaExceededError:
        workspace_upload_abort(upload=upload)
        raise
    name = f"{start:015d}-{secrets.token_hex(4)}"
    key = _parts_prefix(workspace, upload.pk) + name
    try:
        storage.write(key, body_exactly(chunks, size))
    except BaseException:
        workspace_usage_release(workspace, size)
        raise
    appended = Func(
        F("parts"),
        Value(name),
        function="array_append",
        output_field=ArrayField(models.TextField()),
    )
    accepted = Upload.objects.filter(pk=upload.pk, received_bytes=start).update(
        received_bytes=start + size, parts=appended, updated_at=timezone.now()
    )
    if not accepted:
        workspace_usage_release(workspace, storage.delete(key))
        raise ConflictError("These bytes of the upload were received from another request.")


def _finish(storage: Storage, workspace: Workspace, upload_id: int, path: str) -> ChunkReceived:
    upload = Upload.objects.filter(pk=upload_id).first()
    claimed, _ = Upload.objects.filter(pk=upload_id, received_bytes=F("total_bytes")).delete()
    if upload is None or not claimed:
        raise ConflictError("This upload was finished or given up by another request.")
    prefix = _parts_prefix(workspace, upload_id)
    key = workspace_key(workspace.owner.username, path)
    try:
        existing = existing_file(storage, workspace.owner.username, path)
        storage.concatenate(key, [prefix + name for name in sorted(upload.parts)])
    except BaseException:
        workspace_usage_release(workspace, storage.delete(prefix))
        raise
    # The parts' bytes now count as the file's; the file it replaced frees its own.
    storage.delete(prefix)
    workspace_usage_release(workspace, existing.size if existing else 0)
    entry = storage.stat(key)
    if entry is None:
        raise NotFoundError(f"{path!r} was removed as it was stored.")
    workspace_file_record_sync(owner=workspace.owner, path=path, size=entry.size)
    return ChunkReceived(upload.total_bytes, upload.total_bytes, entry, existing is None)


def workspace_upload_chunk(
    *,
    workspace: Workspace,
    path: str,
    start: int,
    total: int,
    chunks: Iterable[bytes],
    size: int,
) -> ChunkReceived:
    """Receive bytes [start, start + size) of a `total`-byte file for `path`.

    A chunk at byte 0 begins (or begins again) the upload, refused with QuotaExceededError
    before anything is written when the whole file cannot fit. Any other chunk must start
    where the upload stands (ConflictError with that `offset` otherwise). A chunk over the
    quota gives up the whole upload. The last chunk stores the file.
    """
    clean = path_clean_own(path)
    if size <= 0 or start < 0 or start + size > total:
        raise ApplicationError(f"Bytes {start}-{start + size - 1} do not fit a {total}-byte file.")
    storage = platform_storage()
    with storage_errors(clean):
        existing = existing_file(storage, workspace.owner.username, clean)
        if start == 0:
            upload = _begin(workspace, clean, total, existing)
        else:
            upload = _resume(workspace, clean, start, total)
        _accept(storage, upload, start, chunks, size)
        if start + size < total:
            return ChunkReceived(start + size, total)
        return _finish(storage, workspace, upload.pk, clean)
