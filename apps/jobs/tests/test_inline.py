"""Quick built-ins run in the process that accepted them; anything else waits for a worker."""

import json
from datetime import timedelta

import pytest
from django.utils import timezone
from rest_framework.test import APIClient

from apps.accounts.models import User
from apps.jobs.models import Job, JobStatus
from apps.jobs.services import jobs_recover_lost
from apps.processes.demo import demo_holdings_create
from apps.processes.models import Process
from apps.processes.services import processes_sync_builtins
from tests.fixtures import start_worker, stop_worker, wait_for

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.usefixtures("default_access_rules"),
]

QUEUE = "jobs-inline-tests"


def _submit(user: User, process_id: str, inputs: dict) -> Job:
    processes_sync_builtins()
    client = APIClient()
    client.force_authenticate(user)
    response = client.post(
        f"/ogcapi/processes/{process_id}/execution",
        data=json.dumps({"inputs": inputs}),
        content_type="application/json",
        HTTP_PREFER="respond-async",
    )
    assert response.status_code == 201, response.content
    return Job.objects.get(pk=response.json()["jobID"])


def _finished(job: Job) -> bool:
    job.refresh_from_db()
    return job.is_finished


def test_a_quick_job_finishes_without_any_worker(alice: User, settings) -> None:
    # given no worker reads the jobs queue
    settings.JOBS_QUEUE = QUEUE

    # when an async Add is submitted
    job = _submit(alice, "Add", {"value1": 2.5, "value2": 4})

    # then it runs in this process, with its outputs, log and statistics
    wait_for(lambda: _finished(job), timeout=10)
    assert (job.status, job.runs_inline) == (JobStatus.SUCCESSFUL, True)
    assert job.outputs.get(output_id="result").value == 6.5
    assert list(job.log_lines.values_list("line", flat=True))[-1] == "successful"
    assert job.duration_seconds is not None
    assert job.cpu_seconds is not None


def test_slow_or_file_jobs_wait_for_a_worker(alice: User, settings) -> None:
    settings.JOBS_QUEUE = QUEUE

    demo_holdings_create()

    countdown = _submit(alice, "countdown", {"seconds": 1})
    echo_of_a_file = _submit(alice, "echo", {"value": {"href": "holdings/demo/fields.geojson"}})

    for job in (countdown, echo_of_a_file):
        job.refresh_from_db()
        assert (job.status, job.runs_inline) == (JobStatus.ACCEPTED, False)


def test_inline_jobs_can_be_turned_off(alice: User, settings) -> None:
    settings.JOBS_QUEUE = QUEUE
    settings.INLINE_JOBS = False

    job = _submit(alice, "Mul", {"value1": 2, "value2": 3})

    job.refresh_from_db()
    assert (job.status, job.runs_inline) == (JobStatus.ACCEPTED, False)


def test_a_quick_job_its_process_never_started_goes_to_the_workers(alice: User, settings) -> None:
    # given a quick job accepted by a process that stopped before running it
    settings.JOBS_QUEUE = QUEUE
    settings.JOB_LOST_AFTER_SECONDS = 2
    processes_sync_builtins()
    job = Job.objects.create(
        owner=alice,
        process=Process.objects.get(identifier="Mul"),
        process_identifier="Mul",
        process_version="1.0.0",
        inputs={"value1": 3, "value2": 7},
        execute_request={"inputs": {"value1": 3, "value2": 7}},
        runs_inline=True,
    )
    Job.objects.filter(pk=job.pk).update(created=timezone.now() - timedelta(seconds=5))

    # when the janitor runs, and a worker reads the queue
    requeued, failed = jobs_recover_lost()
    worker = start_worker(name="inline-rescuer", queues=QUEUE)
    try:
        wait_for(lambda: _finished(job), timeout=30)
    finally:
        stop_worker(worker)

    # then a worker ran it
    assert (requeued, failed) == ([str(job.pk)], [])
    assert (job.status, job.runs_inline) == (JobStatus.SUCCESSFUL, False)
    assert job.outputs.get(output_id="result").value == 21
    assert "handed to the workers: it was not started" in job.log_lines.values_list(
        "line", flat=True
    )
