"""Inputs given by reference: checked when the job is submitted, fetched when it runs.

An `href` is one of
- an http(s) URL on a host the platform may reach (never its own network: loopback,
  private, link-local and reserved addresses are refused unless the host is explicitly
  allowed);
- the path of a file in the platform's holdings (`holdings/…`), confined to them, or a
  TEP-holdings dataset by its name (`holdings:sentinel-2-l2a`: its first file);
- a file of the caller's workspace (`workspace/data/x.tif`) or one shared with them
  (`workspace/shared/{owner}/x.tif`), read with the caller's permissions: anything else
  is refused (403) before the job exists.
"""

import ipaddress
import socket
import time
from contextlib import ExitStack
from pathlib import Path, PurePosixPath
from typing import Any
from urllib.parse import urlsplit

import requests
from django.conf import settings

from apps.accounts.models import User
from apps.catalogue.registration import dataset_files
from apps.ogc.errors import ApplicationError, PermissionDeniedError
from apps.processes.models import ExecutionUnitType, Process
from apps.processes.runners.base import ExecutionFailedError
from apps.workspaces.selectors import workspace_readable_key
from apps.workspaces.storage import platform_storage

HOLDINGS_PREFIX = "holdings/"
WORKSPACE_PREFIX = "workspace/"
HOLDINGS_DATASET_PREFIX = "holdings:"
CHUNK_BYTES = 1024 * 1024


def holdings_root() -> Path:
    return Path(settings.STORAGE_ROOT) / "holdings"


def _holdings_key(href: str) -> str:
    relative = PurePosixPath(href.removeprefix(HOLDINGS_PREFIX))
    if (
        not relative.parts
        or relative.is_absolute()
        or ".." in relative.parts
        or "\\" in href
        or "\x00" in href
    ):
        raise ApplicationError(f"The path {href!r} is not allowed.")
    key = HOLDINGS_PREFIX + relative.as_posix()
    entry = platform_storage().stat(key)
    if entry is None or entry.is_folder:
        raise ApplicationError(f"There is no file {href!r} in the platform's holdings.")
    return key


def _workspace_key(href: str, user: User | None) -> str:
    key = workspace_readable_key(user, href.removeprefix(WORKSPACE_PREFIX)) if user else None
    if key is None:
        raise PermissionDeniedError(
            f"You may not read {href!r}: it is neither in your workspace nor shared with you."
        )
    if key.endswith("/"):
        raise ApplicationError(f"{href!r} is a folder; give one of its files.")
    return key


def _holdings_dataset_key(href: str) -> str:
    """`holdings:{name}`: the first file of the TEP-holdings dataset registered as `name`."""
    name = href.removeprefix(HOLDINGS_DATASET_PREFIX)
    files = dataset_files(name)
    if not files:
        raise ApplicationError(f"There is no TEP-holdings dataset {name!r} with files.")
    return _holdings_key(files[0])


def storage_key_of(href: str, user: User | None) -> str | None:
    """The platform storage key a holdings or workspace reference names, checked; None for
    any other reference (a URL)."""
    if href.startswith(HOLDINGS_PREFIX):
        return _holdings_key(href)
    if href.startswith(HOLDINGS_DATASET_PREFIX):
        return _holdings_dataset_key(href)
    if href.startswith(WORKSPACE_PREFIX):
        return _workspace_key(href, user)
    return None


def _address_is_public(address: str) -> bool:
    ip = ipaddress.ip_address(address)
    return not (
        ip.is_private
        or ip.is_loopback
        or ip.is_link_local
        or ip.is_reserved
        or ip.is_multicast
        or ip.is_unspecified
    )


def _resolves_publicly(host: str, port: int) -> bool:
    try:
        addresses = {str(info[4][0]) for info in socket.getaddrinfo(host, port)}
    except socket.gaierror:
        return False
    return all(_address_is_public(address) for address in addresses)


def url_is_reachable(url: str) -> bool:
    """An http(s) URL without credentials whose host resolves only to public addresses."""
    parts = urlsplit(url)
    return (
        parts.scheme in ("http", "https")
        and bool(parts.hostname)
        and not (parts.username or parts.password)
        and _resolves_publicly(str(parts.hostname), parts.port or 443)
    )


def remote_url_check(href: str) -> None:
    """Refuse a URL the platform must not fetch: not http(s), credentials, private hosts."""
    parts = urlsplit(href)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise ApplicationError(f"Inputs by reference must be http(s) URLs, not {href!r}.")
    if parts.username or parts.password:
        raise ApplicationError("Input URLs must not carry credentials.")
    host = parts.hostname.lower()
    if host in settings.INPUT_ALLOWED_HOSTS:
        return
    try:
        addresses = {str(info[4][0]) for info in socket.getaddrinfo(host, parts.port or 443)}
    except socket.gaierror as error:
        raise ApplicationError(f"The host {host!r} of an input URL is unknown.") from error
    if not all(_address_is_public(address) for address in addresses):
        raise PermissionDeniedError(f"Inputs may not be fetched from {host!r}.")


def reference_check(href: str, user: User | None) -> None:
    """Refuse, before a job exists, a reference the caller or the platform must not read."""
    if storage_key_of(href, user) is None:
        remote_url_check(href)


def references_check(inputs: dict[str, Any], user: User | None) -> None:
    for value in inputs.values():
        for item in value if isinstance(value, list) else [value]:
            if isinstance(item, dict) and isinstance(item.get("href"), str):
                reference_check(item["href"], user)


def response_saved(response: requests.Response, target: Path, limit: int) -> int | None:
    """Write a response's body (requested with `stream=True`) to `target` as it arrives; its
    size, or None as soon as it passes `limit` bytes (what was written is then partial)."""
    size = 0
    with target.open("wb") as file:
        for chunk in response.iter_content(CHUNK_BYTES):
            size += len(chunk)
            if size > limit:
                return None
            file.write(chunk)
    return size


def _download(href: str, target: Path) -> int:
    remote_url_check(href)
    limit = settings.INPUT_MAX_BYTES
    with requests.get(href, stream=True, timeout=30, allow_redirects=False) as response:
        if response.status_code != 200:
            raise ExecutionFailedError(f"Fetching {href} answered HTTP {response.status_code}.")
        size = response_saved(response, target, limit)
    if size is None:
        raise ExecutionFailedError(f"The input {href} is larger than {limit} bytes.")
    return size


def stored_inputs_copied_by_the_pod(process: Process) -> bool:
    """Whether the process runs in a Kubernetes pod that stages through the object store: its
    `stage-in` copies files of the platform's storage from their keys itself
    (apps/processes/runners/kubernetes.py), so the worker need not fetch them."""
    return (
        process.execution_unit_type == ExecutionUnitType.DOCKER
        and settings.CONTAINER_RUNNER == "kubernetes"
        and settings.KUBERNETES_STAGING == "s3"
    )


def _stored_file(key: str, files: ExitStack, *, in_place: bool) -> tuple[Path, int]:
    """A file of the platform's storage as an input: its path, and its bytes when they are
    staged from an object store (by the worker, or in place by the pod)."""
    is_in_an_object_store = settings.STORAGE_BACKEND != "filesystem"
    if in_place:
        if not is_in_an_object_store:
            return Path(settings.STORAGE_ROOT) / key, 0
        entry = platform_storage().stat(key)
        if entry is None or entry.is_folder:
            raise ExecutionFailedError(f"There is no file {key!r} in the platform's storage.")
        return Path(settings.STORAGE_ROOT) / key, entry.size
    path = files.enter_context(platform_storage().local_file(key))
    return path, path.stat().st_size if is_in_an_object_store else 0


def stage_inputs(
    inputs: dict[str, Any],
    workdir: Path,
    user: User | None,
    files: ExitStack,
    *,
    stored_in_place: bool = False,
) -> tuple[dict[str, Any], int, float]:
    """Replace every reference by a file path; return the inputs, bytes and seconds.

    Files of the platform's storage stay open in `files` (on S3 they are temporary local
    copies) until the caller closes it, after the run. With `stored_in_place` they are not
    fetched: each is given as its path below STORAGE_ROOT (on S3 nothing is there on the
    worker's disk), for a runner whose pod copies them from their keys to those paths.
    """
    started = time.monotonic()
    staged_bytes = 0
    folder = workdir / "inputs"
    staged: dict[str, Any] = {}
    for name, value in inputs.items():
        items = value if isinstance(value, list) else [value]
        paths: list[Any] = []
        for index, item in enumerate(items):
            if not (isinstance(item, dict) and isinstance(item.get("href"), str)):
                paths.append(item)
                continue
            href = item["href"]
            key = storage_key_of(href, user)
            if key is not None:
                path, size = _stored_file(key, files, in_place=stored_in_place)
                staged_bytes += size
                paths.append(path)
                continue
            folder.mkdir(parents=True, exist_ok=True)
            suffix = PurePosixPath(urlsplit(href).path).suffix[:10]
            target = folder / f"{name}-{index}{suffix}"
            staged_bytes += _download(href, target)
            paths.append(target)
        staged[name] = paths if isinstance(value, list) else paths[0]
    return staged, staged_bytes, time.monotonic() - started


def holdings_files(limit: int = 500) -> list[str]:
    """References (`holdings/…`) of the files in the platform's holdings, for pickers."""
    files = []
    for entry in platform_storage().walk(HOLDINGS_PREFIX):
        files.append(entry.key)
        if len(files) >= limit:
            break
    return files


def workspace_files(user: User | None, limit: int = 300) -> list[str]:
    """References (`workspace/…`) of the caller's own files, for pickers."""
    if user is None:
        return []
    root = f"users/{user.username}/workspace/"
    files = []
    for entry in platform_storage().walk(root):
        files.append(WORKSPACE_PREFIX + entry.key.removeprefix(root))
        if len(files) >= limit:
            break
    return files
