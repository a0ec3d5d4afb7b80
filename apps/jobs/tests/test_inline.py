"""Quick built-ins run in the request that accepted them; anything else waits for a worker."""

from collections.abc import Iterator
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from apps.accounts.models import User
from apps.jobs.models import Job, JobStatus
from apps.jobs.services import job_run
from apps.notifications.models import Event
from apps.processes import registry
from apps.processes.builtins import NUMBER
from apps.processes.demo import demo_holdings_create
from apps.processes.registry import Output, builtin_process
from apps.processes.services import processes_sync_builtins
from tests.clients import client_of
from tests.ogc import execute, submit_builtin_job

WRITES = ("INSERT", "UPDATE", "DELETE")

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.usefixtures("default_access_rules"),
]

QUEUE = "jobs-inline-tests"


@pytest.fixture(autouse=True)
def builtins() -> None:
    processes_sync_builtins()


def _post(user: User, process_id: str, inputs: dict, *, prefer: str = "respond-async"):
    return execute(client_of(user), process_id, {"inputs": inputs}, HTTP_PREFER=prefer)


def _submit(user: User, process_id: str, inputs: dict) -> Job:
    response = _post(user, process_id, inputs)
    assert response.status_code == 201, response.content
    return Job.objects.get(pk=response.json()["jobID"])


def test_a_quick_job_is_answered_finished_without_any_worker(alice: User, settings) -> None:
    # given no worker reads the jobs queue
    settings.JOBS_QUEUE = QUEUE

    # when an async Add is submitted
    response = _post(alice, "Add", {"value1": 2.5, "value2": 4})

    # then the answer already tells its outcome, and the job has all a worker would write
    assert response.status_code == 201
    assert response.json()["status"] == "successful"
    job = Job.objects.get(pk=response.json()["jobID"])
    assert (job.status, job.runs_inline, job.progress) == (JobStatus.SUCCESSFUL, True, 100)
    assert job.outputs.get(output_id="result").value == 6.5
    lines = list(job.log_lines.values_list("line", flat=True))
    assert lines == ["accepted: Add 1.0.0", "running", "successful"]
    assert job.started is not None
    assert job.finished is not None
    assert job.created <= job.started <= job.finished
    assert job.duration_seconds is not None
    assert job.cpu_seconds is not None
    event = Event.objects.get(event_type="jobCompleted")
    assert event.property_dict()["jobId"] == str(job.pk)


@pytest.fixture
def divide() -> Iterator[str]:
    """A quick built-in that fails when dividing by zero."""

    @builtin_process(id="divide-test", outputs={"result": Output(schema=NUMBER)}, quick=True)
    def divide_values(value1: float, value2: float) -> dict[str, float]:
        """Divide."""
        return {"result": value1 / value2}

    processes_sync_builtins()
    yield "divide-test"
    registry._registry.pop("divide-test", None)


def test_a_failing_quick_job_is_written_failed(alice: User, divide: str, settings) -> None:
    settings.JOBS_QUEUE = QUEUE

    response = _post(alice, divide, {"value1": 1, "value2": 0})

    body = response.json()
    assert (response.status_code, body["status"]) == (201, "failed")
    job = Job.objects.get(pk=body["jobID"])
    assert job.exception is not None
    assert job.exception["type"].endswith("execution-failed")
    assert job.exception["detail"] == "ZeroDivisionError: division by zero"
    lines = list(job.log_lines.values_list("line", flat=True))
    assert lines[-1] == "failed: ZeroDivisionError: division by zero"
    assert not job.outputs.exists()
    assert Event.objects.filter(event_type="jobFailed").count() == 1


def test_a_quick_result_json_cannot_hold_fails_the_job(alice: User) -> None:
    asynchronous = _post(alice, "Mul", {"value1": 1e308, "value2": 10})
    synchronous = _post(alice, "Mul", {"value1": 1e308, "value2": 10}, prefer="")

    assert (asynchronous.status_code, asynchronous.json()["status"]) == (201, "failed")
    job = Job.objects.get(pk=asynchronous.json()["jobID"])
    assert job.message.startswith("Output 'result' is not a JSON value")
    assert synchronous.status_code == 500
    assert synchronous.json()["type"].endswith("execution-failed")
    assert synchronous.json()["detail"].startswith("Output 'result' is not a JSON value")


def test_a_worker_fails_a_job_whose_result_json_cannot_hold(alice: User, settings) -> None:
    # given a process (not quick) whose result is not a number JSON knows
    @builtin_process(id="nan-test", outputs={"result": Output(schema=NUMBER)})
    def not_a_number() -> dict[str, float]:
        """Not a number."""
        return {"result": float("nan")}

    try:
        settings.JOBS_QUEUE = QUEUE
        job = submit_builtin_job(alice, "nan-test", {"inputs": {}})

        # when a worker runs it
        job_run(job_id=str(job.pk))
    finally:
        registry._registry.pop("nan-test", None)

    # then the job fails, naming the output, instead of failing to store it
    job.refresh_from_db()
    assert job.status == JobStatus.FAILED
    assert job.message.startswith("Output 'result' is not a JSON value")
    assert not job.outputs.exists()


def test_a_quick_job_takes_one_transaction(alice: User, settings) -> None:
    settings.JOBS_QUEUE = QUEUE
    _post(alice, "echo", {"value": "warm"})

    writes_outside_the_transaction: list[str] = []

    def record_writes_outside(execute: Any, sql: str, *arguments: Any) -> Any:
        if sql.split()[0].upper() in WRITES and not connection.in_atomic_block:
            writes_outside_the_transaction.append(sql)
        return execute(sql, *arguments)

    with (
        connection.execute_wrapper(record_writes_outside),
        CaptureQueriesContext(connection) as queries,
    ):
        response = _post(alice, "echo", {"value": "hello"})

    assert response.json()["status"] == "successful"
    assert Job.objects.get(pk=response.json()["jobID"]).runs_inline
    statements = [query["sql"].split()[0].upper() for query in queries.captured_queries]
    assert statements.count("COMMIT") == 1
    assert statements.count("UPDATE") == 0
    assert writes_outside_the_transaction == []


def test_synchronous_quick_jobs_answer_their_results(alice: User) -> None:
    response = _post(alice, "Mul", {"value1": 10.2, "value2": 13.5}, prefer="")

    assert response.status_code == 200
    assert response.json()["result"] == pytest.approx(137.7)


def test_slow_or_file_jobs_wait_for_a_worker(alice: User, settings) -> None:
    settings.JOBS_QUEUE = QUEUE

    demo_holdings_create()

    countdown = _submit(alice, "countdown", {"seconds": 1})
    echo_of_a_file = _submit(alice, "echo", {"value": {"href": "holdings/demo/fields.geojson"}})

    for job in (countdown, echo_of_a_file):
        job.refresh_from_db()
        assert (job.status, job.runs_inline) == (JobStatus.ACCEPTED, False)
        assert list(job.log_lines.values_list("line", flat=True)) == [
            f"accepted: {job.process_identifier} {job.process_version}"
        ]


def test_inline_jobs_can_be_turned_off(alice: User, settings) -> None:
    settings.JOBS_QUEUE = QUEUE
    settings.INLINE_JOBS = False

    job = _submit(alice, "Mul", {"value1": 2, "value2": 3})

    job.refresh_from_db()
    assert (job.status, job.runs_inline) == (JobStatus.ACCEPTED, False)
