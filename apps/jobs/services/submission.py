"""Accepting a job: its row, then a worker's queue or (for quick processes) its run now."""

from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.contrib.gis.geos import GEOSGeometry
from django.db import transaction

from apps.accounts.models import User
from apps.jobs import tasks
from apps.jobs.models import Job, JobLogLine
from apps.jobs.services.quick import job_may_run_inline, job_run_quick
from apps.processes.models import Process
from apps.processes.validation import ExecuteRequest


@dataclass(frozen=True)
class Submission:
    user: User
    process: Process
    request: ExecuteRequest
    body: dict[str, Any]
    client_address: str | None
    response_handlers: list[str]
    footprint: GEOSGeometry | None = None


def _job_of(submission: Submission) -> Job:
    process = submission.process
    timeout = process.description.get("jobTimeout") or settings.JOB_DEFAULT_TIMEOUT_SECONDS
    return Job(
        owner=submission.user,
        process=process,
        revision_id=process.live_revision_id,
        process_identifier=process.identifier,
        process_version=process.version,
        client_address=submission.client_address,
        execute_request=submission.body,
        inputs=submission.request.inputs,
        response=submission.request.response,
        subscriber=submission.request.subscriber,
        response_handlers=submission.response_handlers,
        job_timeout_seconds=int(timeout),
        footprint=submission.footprint,
    )


def job_submit(*, submission: Submission) -> Job:
    """Create the job (accepted) and queue it for a worker once the transaction commits; a
    job of a quick process is run at once instead (apps/jobs/services/quick.py)."""
    job = _job_of(submission)
    if job_may_run_inline(submission.process, submission.request):
        return job_run_quick(job)
    with transaction.atomic():
        job.save(force_insert=True)
        JobLogLine.objects.create(
            job=job, line=f"accepted: {job.process_identifier} {job.process_version}"
        )
        transaction.on_commit(lambda: job_enqueue(job))
    return job


def job_enqueue(job: Job) -> None:
    timeout = job.job_timeout_seconds or settings.JOB_DEFAULT_TIMEOUT_SECONDS
    tasks.job_run_task.apply_async(
        args=(str(job.pk),),
        task_id=str(job.pk),
        queue=settings.JOBS_QUEUE,
        soft_time_limit=timeout,
        time_limit=timeout + 30,
    )
