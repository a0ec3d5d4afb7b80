"""Every workspace test runs twice: on the filesystem backend and on a local S3 server.

The S3 server is moto's (`moto[server]`), started once per session on a free port; each
test gets a bucket of its own, and a storage root of its own on the filesystem.
"""

import socket
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from itertools import count
from pathlib import Path
from typing import Any

import boto3
import pytest
import requests
from django.conf import settings
from pytest_django.fixtures import Settings
from rest_framework.test import APIClient

from apps.accounts.models import User
from apps.workspaces.models import Workspace
from apps.workspaces.storage import Storage, platform_storage

S3_CREDENTIALS = {"aws_access_key_id": "tep-test", "aws_secret_access_key": "tep-test-secret"}
BUCKETS = count(1)


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@pytest.fixture(scope="session")
def moto_endpoint() -> Iterator[str]:
    """A local S3-compatible server (moto_server) for the session."""
    port = _free_port()
    log = open(Path(settings.VAR_DIR) / "test-moto.log", "wb")  # noqa: SIM115
    server = subprocess.Popen(  # noqa: S603 - our own interpreter and fixed arguments
        [sys.executable, "-m", "moto.server", "-H", "127.0.0.1", "-p", str(port)],
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    log.close()
    endpoint = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 30
    while True:
        try:
            requests.get(f"{endpoint}/moto-api/", timeout=1)
            break
        except requests.ConnectionError:
            if server.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError("moto_server did not start; see var/test-moto.log") from None
            time.sleep(0.1)
    yield endpoint
    server.terminate()
    server.wait(timeout=10)


@pytest.fixture(scope="session")
def moto_client(moto_endpoint: str) -> Any:
    return boto3.client("s3", endpoint_url=moto_endpoint, region_name="us-east-1", **S3_CREDENTIALS)


def _use_s3(settings: Settings, endpoint: str, client: Any) -> None:
    bucket = f"tep-test-{next(BUCKETS)}"
    client.create_bucket(Bucket=bucket)
    settings.STORAGE_BACKEND = "s3"
    settings.STORAGE_S3_BUCKET = bucket
    settings.STORAGE_S3_ENDPOINT_URL = endpoint
    settings.STORAGE_S3_REGION = "us-east-1"
    settings.STORAGE_S3_ACCESS_KEY_ID = S3_CREDENTIALS["aws_access_key_id"]
    settings.STORAGE_S3_SECRET_ACCESS_KEY = S3_CREDENTIALS["aws_secret_access_key"]
    settings.STORAGE_S3_ADDRESSING_STYLE = "path"


@pytest.fixture(params=["filesystem", "s3"], autouse=True)
def backend(request: pytest.FixtureRequest, settings: Settings, tmp_path: Path) -> Iterator[str]:
    """The storage backend of this run of the test; settings changes reset the cached one."""
    # WhiteNoise indexes every static file (node_modules included) for each new test
    # client, seconds each time; these tests serve no static files.
    settings.MIDDLEWARE = [
        name for name in settings.MIDDLEWARE if not name.startswith("whitenoise")
    ]
    settings.STORAGE_ROOT = tmp_path / "storage"
    settings.STORAGE_BACKEND = "filesystem"
    if request.param == "s3":
        _use_s3(
            settings,
            request.getfixturevalue("moto_endpoint"),
            request.getfixturevalue("moto_client"),
        )
    yield request.param
    platform_storage.cache_clear()


@pytest.fixture
def storage(backend: str) -> Storage:
    return platform_storage()


@pytest.fixture
def bob(make_user: Callable[..., User]) -> User:
    return make_user("bob")


@pytest.fixture
def carol(make_user: Callable[..., User]) -> User:
    return make_user("carol")


@pytest.fixture
def alice_client(alice: User) -> APIClient:
    client = APIClient()
    client.force_authenticate(alice)
    return client


@pytest.fixture
def bob_client(bob: User) -> APIClient:
    client = APIClient()
    client.force_authenticate(bob)
    return client


def workspace_of(user: User) -> Workspace:
    return Workspace.objects.get(owner=user)


def upload(client: APIClient, path: str, data: bytes, **headers: str) -> Any:
    """PUT `data` as the file at `path` of the client's workspace."""
    return client.put(
        f"/api/workspace/files/{path}",
        data=data,
        content_type="application/octet-stream",
        headers=headers,
    )
