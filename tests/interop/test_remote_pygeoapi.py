"""A nested process run on a remote TEP: pygeoapi 0.24's hello-world, over real HTTP, feeding
a process of ours run by a real worker."""

import subprocess
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from apps.accounts.models import User
from apps.jobs.models import Job
from apps.processes.models import RemoteProvider
from apps.processes.services import processes_sync_builtins
from tests.clients import client_of
from tests.ogc import execute
from tests.peers import (
    free_port,
    peer_missing,
    pygeoapi_installed,
    pygeoapi_start,
    pygeoapi_stop,
)

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.usefixtures("celery_worker_process", "default_access_rules"),
]

PROCESSES = {
    "hello-world": "HelloWorld",
    "hello-async": "pygeoapi_async_hello.AsyncHelloWorldProcessor",
}


@pytest.fixture(scope="module")
def pygeoapi_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    if not pygeoapi_installed():
        peer_missing("pygeoapi is not installed in .venv-peers: run scripts/bootstrap.sh --test")
    port = free_port()
    server: subprocess.Popen[bytes] = pygeoapi_start(
        port=port,
        workdir=tmp_path_factory.mktemp("pygeoapi"),
        processes=PROCESSES,
        python_path=Path(__file__).resolve().parent,
    )
    yield f"http://127.0.0.1:{port}"
    pygeoapi_stop(server)


@pytest.fixture
def provider(pygeoapi_url: str) -> RemoteProvider:
    processes_sync_builtins()
    return RemoteProvider.objects.create(name="pygeoapi", url=pygeoapi_url, token="peer-token")


def execute_echo(user: User, nested: dict[str, Any]) -> Any:
    return execute(client_of(user), "echo", {"inputs": {"value": nested}})


@pytest.mark.parametrize("process_id", ["hello-world", "hello-async"])
def test_a_remote_process_feeds_a_local_one(
    alice: User, provider: RemoteProvider, process_id: str
) -> None:
    # given a nested call of pygeoapi's hello-world (run synchronously, or as a remote job)
    nested = {"process": f"{provider.url}/processes/{process_id}", "inputs": {"name": "TEP"}}

    # when echo is executed with it
    response = execute_echo(alice, nested)

    # then pygeoapi's greeting is echo's output
    assert response.status_code == 200
    assert response.json() == {"echo": "Hello TEP!"}


def test_a_remote_failure_fails_the_job_naming_the_remote_process(
    alice: User, provider: RemoteProvider
) -> None:
    url = f"{provider.url}/processes/hello-world"

    response = execute_echo(alice, {"process": url, "inputs": {}})

    assert response.status_code == 500
    detail = response.json()["detail"]
    assert detail.startswith(f"Nested process '{url}' (input 'value'): The remote process {url}")
    assert "Cannot process without a name" in detail


def test_a_url_of_an_unregistered_server_is_refused(alice: User, pygeoapi_url: str) -> None:
    url = f"{pygeoapi_url}/processes/hello-world"

    response = execute_echo(alice, {"process": url, "inputs": {"name": "TEP"}})

    assert response.status_code == 400
    assert url in response.json()["detail"]
    assert not Job.objects.exists()
