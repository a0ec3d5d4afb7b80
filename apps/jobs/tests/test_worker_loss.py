"""A worker killed with SIGKILL mid-job: the job is run again once, then failed."""

import os
import signal
import subprocess
import time

import pytest

from apps.accounts.models import User
from apps.jobs.models import Job, JobStatus
from apps.jobs.services import jobs_recover_lost
from tests.fixtures import start_worker, stop_worker, wait_for
from tests.ogc import submit_countdown

pytestmark = pytest.mark.django_db(transaction=True)

QUEUE = "jobs-worker-loss"


def _kill_then_recover(worker: subprocess.Popen[bytes]) -> tuple[list[str], list[str]]:
    """Kill the worker with SIGKILL, outwait the silence that counts as lost, run the janitor."""
    os.killpg(worker.pid, signal.SIGKILL)
    worker.wait()
    time.sleep(2.5)
    return jobs_recover_lost()


def _running(job: Job) -> bool:
    job.refresh_from_db()
    return job.status == JobStatus.RUNNING and job.progress > 0


def test_killed_worker_loses_no_job_and_leaves_none_running(alice: User, settings) -> None:
    # given jobs go to a queue only our doomed worker reads, and silence counts after 2 s
    settings.JOBS_QUEUE = QUEUE
    settings.JOB_LOST_AFTER_SECONDS = 2
    first_worker = start_worker(name="doomed", queues=QUEUE)
    job = submit_countdown(alice, seconds=4)
    wait_for(lambda: _running(job))

    # when the worker is killed mid-job and the janitor runs after the silence
    requeued, failed = _kill_then_recover(first_worker)

    # then the job is queued again and a new worker runs it to the end
    assert (requeued, failed) == ([str(job.pk)], [])
    job.refresh_from_db()
    assert (job.status, job.attempts) == (JobStatus.ACCEPTED, 1)
    second_worker = start_worker(name="rescuer", queues=QUEUE)
    wait_for(lambda: _running(job))

    # and when that worker is killed too, the janitor fails the job instead of retrying forever
    assert _kill_then_recover(second_worker) == ([], [str(job.pk)])
    job.refresh_from_db()
    assert job.status == JobStatus.FAILED
    assert job.exception is not None
    assert job.exception["detail"] == "The worker running this job was lost."


def test_requeued_job_completes_on_a_healthy_worker(alice: User, settings) -> None:
    settings.JOBS_QUEUE = QUEUE
    settings.JOB_LOST_AFTER_SECONDS = 2
    doomed = start_worker(name="doomed2", queues=QUEUE)
    job = submit_countdown(alice, seconds=3)
    wait_for(lambda: _running(job))
    _kill_then_recover(doomed)

    healthy = start_worker(name="healthy", queues=QUEUE)
    try:
        wait_for(lambda: Job.objects.get(pk=job.pk).status == JobStatus.SUCCESSFUL, timeout=30)
    finally:
        stop_worker(healthy)
    assert Job.objects.get(pk=job.pk).outputs.get().value == 3
