"""Every workspace test runs twice: on the filesystem backend and on a local S3 server.

The S3 server is moto's (`moto[server]`, the `moto_endpoint` fixture of tests/fixtures.py),
started once per session on a free port; each test gets a bucket of its own, and a storage
root of its own on the filesystem.
"""

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from pytest_django.fixtures import Settings
from rest_framework.test import APIClient

from apps.accounts.models import User
from apps.workspaces.models import Workspace
from apps.workspaces.storage import Storage, platform_storage
from tests.fixtures import use_s3


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
        use_s3(
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
