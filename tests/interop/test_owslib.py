"""OWSLib's OGC API - Processes client against the platform, over real HTTP."""

import time

import pytest
import requests
from owslib.ogcapi.processes import Processes
from owslib.util import Authentication

from apps.accounts.models import User
from apps.processes.services import processes_sync_builtins
from tests.fixtures import PASSWORD

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.usefixtures("celery_worker_process", "default_access_rules"),
]


@pytest.fixture
def client(live_server, alice: User) -> Processes:
    processes_sync_builtins()
    return Processes(f"{live_server.url}/ogcapi/", auth=Authentication("alice", PASSWORD))


def test_list_describe_and_execute_sync(client: Processes) -> None:
    identifiers = {process["id"] for process in client.processes()}
    description = client.process("Mul")
    result = client.execute("Mul", inputs={"value1": 10.2, "value2": 13.5})

    assert {"Add", "Mul", "countdown", "echo", "ndvi"} <= identifiers
    assert description["inputs"]["value1"]["schema"] == {"type": "number"}
    assert result == {"result": 137.7}


def test_execute_async_poll_results_and_dismiss(client: Processes, live_server) -> None:
    status = client.execute("Add", inputs={"value1": 40, "value2": 2}, async_=True)
    job_url = f"{live_server.url}/ogcapi/jobs/{status['jobID']}"
    auth = ("alice", PASSWORD)

    deadline = time.monotonic() + 30
    while requests.get(job_url, auth=auth, timeout=10).json()["status"] != "successful":
        assert time.monotonic() < deadline, "the job did not finish"
        time.sleep(0.2)
    results = requests.get(f"{job_url}/results", auth=auth, timeout=10).json()
    dismissed = requests.delete(job_url, auth=auth, timeout=10)

    assert status["status"] == "successful"  # Add is quick: its request ran it
    assert results == {"result": 42}
    assert dismissed.status_code == 200
    assert requests.get(job_url, auth=auth, timeout=10).status_code == 404
