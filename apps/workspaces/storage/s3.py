"""Platform storage in one S3 bucket, through django-storages' configuration and boto3.

S3 has no folders: a folder exists while some key starts with its prefix, and an empty
folder is kept by a zero-byte marker object named like the folder ("…/"). Every file
appears whole or not at all: small files go up in one PUT, larger ones as a multipart
upload that S3 only shows once it is completed (and aborts on failure).
"""

import builtins
import tempfile
import threading
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from datetime import datetime
from itertools import chain
from pathlib import Path
from typing import Any

from botocore.exceptions import ClientError
from storages.backends.s3 import S3Storage as DjangoS3Storage

from apps.workspaces.storage.base import (
    CHUNK_SIZE,
    Entry,
    KeyExistsError,
    KeyNotFoundError,
    folder_key,
    is_internal,
    key_check,
    key_name,
    parent_key,
)

# Parts of a multipart upload: S3 wants at least 5 MiB for every part but the last.
PART_SIZE = 8 * 1024 * 1024
MIN_PART_SIZE = 5 * 1024 * 1024
MAX_PARTS = 10_000
DELETE_BATCH = 1000


# boto3 clients are thread-safe and slow to make (about 0.4 s): one per configuration.
_CLIENTS: dict[tuple[str | None, ...], Any] = {}
_CLIENTS_LOCK = threading.Lock()


def _is_missing(error: ClientError) -> bool:
    code = str(error.response.get("Error", {}).get("Code", ""))
    status = error.response.get("ResponseMetadata", {}).get("HTTPStatusCode")
    return status == 404 or code in ("404", "NoSuchKey", "NotFound")


def _folder(key: str, modified: datetime | None = None) -> Entry:
    return Entry(folder_key(key), key_name(key), True, 0, modified)


class S3Storage:
    def __init__(
        self,
        *,
        bucket: str,
        endpoint_url: str = "",
        region: str = "",
        access_key_id: str = "",
        secret_access_key: str = "",
        addressing_style: str = "auto",
    ) -> None:
        self.bucket = bucket
        # django-storages builds the boto3 session, client configuration and transfer
        # settings (one connection per thread); we use its client for what Django's
        # Storage API cannot say: ranges, prefixes, multipart uploads and server-side copies.
        self._django_storage = DjangoS3Storage(
            bucket_name=bucket,
            endpoint_url=endpoint_url or None,
            region_name=region or None,
            access_key=access_key_id or None,
            secret_key=secret_access_key or None,
            addressing_style=addressing_style or None,
            location="",
        )

    @property
    def _client(self) -> Any:
        storage = self._django_storage
        identity = (
            storage.endpoint_url,
            storage.region_name,
            storage.access_key,
            storage.addressing_style,
        )
        with _CLIENTS_LOCK:
            if identity not in _CLIENTS:
                _CLIENTS[identity] = storage.connection.meta.client
            return _CLIENTS[identity]

    @property
    def _transfer_config(self) -> Any:
        return self._django_storage.transfer_config

    def _head(self, key: str) -> dict[str, Any] | None:
        try:
            return dict(self._client.head_object(Bucket=self.bucket, Key=key))
        except ClientError as error:
            if _is_missing(error):
                return None
            raise

    def _prefix_exists(self, prefix: str) -> bool:
        page = self._client.list_objects_v2(Bucket=self.bucket, Prefix=prefix, MaxKeys=1)
        return bool(page.get("KeyCount"))

    def _pages(self, prefix: str, **options: Any) -> Iterator[dict[str, Any]]:
        paginator = self._client.get_paginator("list_objects_v2")
        yield from paginator.paginate(Bucket=self.bucket, Prefix=prefix, **options)

    def _objects(self, prefix: str) -> builtins.list[dict[str, Any]]:
        """Every object whose key starts with `prefix`, folder markers included."""
        return [item for page in self._pages(prefix) for item in page.get("Contents", [])]

    def stat(self, key: str) -> Entry | None:
        key_check(key)
        if key == "":
            return _folder("")
        if not key.endswith("/"):
            head = self._head(key)
            if head is not None:
                return Entry(key, key_name(key), False, head["ContentLength"], head["LastModified"])
        prefix = folder_key(key)
        return _folder(prefix) if self._prefix_exists(prefix) else None

    def list(self, folder: str) -> builtins.list[Entry]:
        prefix = key_check(folder_key(folder))
        entries: builtins.list[Entry] = []
        found = prefix == ""
        for page in self._pages(prefix, Delimiter="/"):
            for common in page.get("CommonPrefixes", []):
                found = True
                if not is_internal(key_name(common["Prefix"])):
                    entries.append(_folder(common["Prefix"]))
            for item in page.get("Contents", []):
                found = True
                name = key_name(item["Key"])
                if item["Key"].endswith("/") or is_internal(name):
                    continue
                entries.append(Entry(item["Key"], name, False, item["Size"], item["LastModified"]))
        if not found:
            raise KeyNotFoundError(f"There is no folder {prefix!r}.")
        return sorted(entries, key=lambda entry: entry.key)

    def walk(self, folder: str) -> Iterator[Entry]:
        prefix = key_check(folder_key(folder))
        for page in self._pages(prefix):
            for item in page.get("Contents", []):
                key = item["Key"]
                if not key.endswith("/"):
                    yield Entry(key, key_name(key), False, item["Size"], item["LastModified"])

    def read(self, key: str, start: int = 0, end: int | None = None) -> Iterator[bytes]:
        key_check(key)
        request: dict[str, Any] = {"Bucket": self.bucket, "Key": key}
        if start or end is not None:
            request["Range"] = f"bytes={start}-{'' if end is None else end}"
        try:
            body = self._client.get_object(**request)["Body"]
        except ClientError as error:
            if _is_missing(error):
                raise KeyNotFoundError(f"There is no file {key!r}.") from error
            raise
        try:
            yield from body.iter_chunks(CHUNK_SIZE)
        finally:
            body.close()

    def write(self, key: str, chunks: Iterable[bytes]) -> int:
        key_check(key)
        upload = _MultipartUpload(self._client, self.bucket, key)
        buffer = bytearray()
        written = 0
        try:
            for chunk in chunks:
                buffer += chunk
                written += len(chunk)
                while len(buffer) >= PART_SIZE:
                    upload.add(bytes(buffer[:PART_SIZE]))
                    del buffer[:PART_SIZE]
            upload.finish(bytes(buffer))
        except BaseException:
            upload.abort()
            raise
        return written

    def put_file(self, key: str, path: Path) -> int:
        key_check(key)
        self._client.upload_file(str(path), self.bucket, key, Config=self._transfer_config)
        return path.stat().st_size

    def make_folder(self, key: str) -> None:
        prefix = key_check(folder_key(key))
        if self._head(prefix.removesuffix("/")) is not None:
            raise KeyExistsError(f"A file is in the way of {prefix!r}.")
        self._client.put_object(Bucket=self.bucket, Key=prefix, Body=b"")

    def _copy(self, source: str, target: str) -> None:
        origin = {"Bucket": self.bucket, "Key": source}
        self._client.copy(origin, self.bucket, target, Config=self._transfer_config)

    def move(self, source: str, target: str) -> None:
        entry = self.stat(source)
        if entry is None:
            raise KeyNotFoundError(f"There is nothing at {source!r}.")
        if self.stat(target) is not None:
            raise KeyExistsError(f"Something is already at {target!r}.")
        if not entry.is_folder:
            self._copy(entry.key, key_check(target))
            self._client.delete_object(Bucket=self.bucket, Key=entry.key)
        else:
            destination = key_check(folder_key(target))
            keys = [item["Key"] for item in self._objects(entry.key)]
            for key in keys:
                self._copy(key, destination + key.removeprefix(entry.key))
            self._delete_keys(keys)
        self._keep_folder(parent_key(entry.key))

    def delete(self, key: str) -> int:
        entry = self.stat(key)
        if entry is None:
            return 0
        if not entry.is_folder:
            self._client.delete_object(Bucket=self.bucket, Key=entry.key)
            freed = entry.size
        else:
            items = self._objects(entry.key)
            self._delete_keys([item["Key"] for item in items])
            freed = sum(item["Size"] for item in items if not item["Key"].endswith("/"))
        self._keep_folder(parent_key(entry.key))
        return freed

    def _delete_keys(self, keys: builtins.list[str]) -> None:
        for start in range(0, len(keys), DELETE_BATCH):
            batch = [{"Key": key} for key in keys[start : start + DELETE_BATCH]]
            self._client.delete_objects(
                Bucket=self.bucket, Delete={"Objects": batch, "Quiet": True}
            )

    def _keep_folder(self, folder: str) -> None:
        """Put a marker where removing a folder's last object would make the folder vanish,
        so that folders behave as they do on a filesystem."""
        if folder and not self._prefix_exists(folder):
            self._client.put_object(Bucket=self.bucket, Key=folder, Body=b"")

    @contextmanager
    def local_file(self, key: str) -> Iterator[Path]:
        entry = self.stat(key)
        if entry is None or entry.is_folder:
            raise KeyNotFoundError(f"There is no file {key!r}.")
        with tempfile.TemporaryDirectory(prefix="tep-s3-") as folder:
            path = Path(folder) / entry.name
            self._client.download_file(self.bucket, key, str(path), Config=self._transfer_config)
            yield path

    def concatenate(self, target: str, parts: builtins.list[str]) -> int:
        """Server-side when S3 allows it (every part but the last at least 5 MiB)."""
        key_check(target)
        sizes = []
        for part in parts:
            head = self._head(key_check(part))
            if head is None:
                raise KeyNotFoundError(f"There is no file {part!r}.")
            sizes.append(int(head["ContentLength"]))
        copyable = 0 < len(parts) <= MAX_PARTS and all(size >= MIN_PART_SIZE for size in sizes[:-1])
        if not copyable:
            return self.write(target, chain.from_iterable(self.read(part) for part in parts))
        upload = _MultipartUpload(self._client, self.bucket, target)
        try:
            for part in parts:
                upload.add_copy(part)
            upload.finish(b"")
        except BaseException:
            upload.abort()
            raise
        return sum(sizes)


class _MultipartUpload:
    """An S3 multipart upload started lazily: a file smaller than one part is a single PUT."""

    def __init__(self, client: Any, bucket: str, key: str) -> None:
        self.client, self.bucket, self.key = client, bucket, key
        self.upload_id: str | None = None
        self.parts: list[dict[str, Any]] = []

    def _start(self) -> str:
        if self.upload_id is None:
            started = self.client.create_multipart_upload(Bucket=self.bucket, Key=self.key)
            self.upload_id = str(started["UploadId"])
        return self.upload_id

    def add(self, data: bytes) -> None:
        number = len(self.parts) + 1
        answer = self.client.upload_part(
            Bucket=self.bucket, Key=self.key, UploadId=self._start(), PartNumber=number, Body=data
        )
        self.parts.append({"PartNumber": number, "ETag": answer["ETag"]})

    def add_copy(self, source: str) -> None:
        number = len(self.parts) + 1
        answer = self.client.upload_part_copy(
            Bucket=self.bucket,
            Key=self.key,
            UploadId=self._start(),
            PartNumber=number,
            CopySource={"Bucket": self.bucket, "Key": source},
        )
        self.parts.append({"PartNumber": number, "ETag": answer["CopyPartResult"]["ETag"]})

    def finish(self, rest: bytes) -> None:
        if self.upload_id is None:
            self.client.put_object(Bucket=self.bucket, Key=self.key, Body=rest)
            return
        if rest:
            self.add(rest)
        self.client.complete_multipart_upload(
            Bucket=self.bucket,
            Key=self.key,
            UploadId=self.upload_id,
            MultipartUpload={"Parts": self.parts},
        )

    def abort(self) -> None:
        if self.upload_id is not None:
            self.client.abort_multipart_upload(
                Bucket=self.bucket, Key=self.key, UploadId=self.upload_id
            )
