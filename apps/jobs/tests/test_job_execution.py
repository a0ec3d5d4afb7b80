"""Jobs run by a real Celery worker on Redis, against the real database."""

import pytest

from apps.accounts.models import User
from apps.jobs.models import Job, JobStatus
from apps.jobs.services import job_dismiss
from apps.processes.models import Process
from apps.processes.services import processes_sync_builtins
from tests.fixtures import submit_job, wait_for
from tests.ogc import submit_builtin_job, submit_countdown

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.usefixtures("celery_worker_process"),
]


def _status(job: Job) -> str:
    job.refresh_from_db()
    return job.status


def test_mul_job_runs_to_its_result(alice: User) -> None:
    job = submit_builtin_job(alice, "Mul", {"inputs": {"value1": 10.2, "value2": 13.5}})

    wait_for(lambda: _status(job) == JobStatus.SUCCESSFUL)

    (output,) = job.outputs.all()
    assert (output.output_id, output.value) == ("result", 137.7)
    assert job.progress == 100
    assert job.started is not None
    assert job.finished is not None
    assert job.duration_seconds is not None
    assert job.cpu_seconds is not None
    assert [line.line for line in job.log_lines.all()] == [
        "accepted: Mul 1.0.0",
        "running",
        "successful",
    ]


def test_dismissing_a_running_countdown_stops_it(alice: User) -> None:
    # given a countdown that is running
    job = submit_countdown(alice, seconds=30)
    wait_for(lambda: _status(job) == JobStatus.RUNNING and job.progress > 0)

    # when it is dismissed
    job_dismiss(job=job)

    # then it stays dismissed, its progress stops, and the worker is free for the next job
    job.refresh_from_db()
    progress_at_dismissal = job.progress
    assert job.status == JobStatus.DISMISSED
    second = submit_builtin_job(alice, "Mul", {"inputs": {"value1": 2, "value2": 3}})
    wait_for(lambda: _status(second) == JobStatus.SUCCESSFUL, timeout=10)
    job.refresh_from_db()
    assert (job.status, job.progress) == (JobStatus.DISMISSED, progress_at_dismissal)
    assert list(job.log_lines.values_list("line", flat=True))[-1] == "dismissed"


def test_failing_process_fails_its_job(alice: User) -> None:
    # given a process whose built-in function no longer exists
    processes_sync_builtins()
    Process.objects.filter(identifier="Add").update(
        execution_unit={"type": "builtin", "function": "no-such-function"}
    )

    # when it is run
    job = submit_job(alice, "Add", {"inputs": {"value1": 1, "value2": 2}})
    wait_for(lambda: _status(job) == JobStatus.FAILED)

    # then the job carries an exception document and no outputs
    assert job.exception == {
        "type": "http://www.opengis.net/def/exceptions/ogcapi-processes-1/1.0/execution-failed",
        "title": "The job failed",
        "status": 500,
        "detail": "The built-in process 'Add' is gone.",
    }
    assert not job.outputs.exists()
