"""Dismissing a job (§11.6): an unfinished one stops, a finished one goes with its files."""

import logging
import shutil

from django.db import transaction
from django.utils import timezone

from apps.jobs import tasks
from apps.jobs.models import Job, JobLogLine, JobStatus
from apps.jobs.services.finishing import job_finished_announce, job_finished_in_memory
from apps.jobs.services.running import job_workdir
from apps.ogc.errors import ConflictError
from apps.processes import parallel
from apps.processes.runners.container import RunnerStopError
from apps.processes.runners.registry import runner_stop
from apps.workspaces.models import Workspace
from apps.workspaces.services import workspace_usage_add
from apps.workspaces.storage import platform_storage

logger = logging.getLogger(__name__)


def job_dismiss(*, job: Job) -> Job | None:
    """Stop an unfinished job (§11.6), or remove a finished one with its files.

    Returns the dismissed job, or None when a finished job was removed.
    """
    if job.is_finished:
        job_delete(job=job)
        return None
    now = timezone.now()
    dismissed = Job.objects.filter(
        pk=job.pk, status__in=[JobStatus.ACCEPTED, JobStatus.RUNNING]
    ).update(status=JobStatus.DISMISSED, finished=now, updated=now, message="Dismissed")
    if not dismissed:
        raise ConflictError("The job finished while it was being dismissed; try again.")
    tasks.job_revoke(str(job.pk))
    parallel.batches_stop(job_id=str(job.pk), process=job.process)
    if job.process is not None:
        try:
            runner_stop(job.process, str(job.pk))
        except RunnerStopError as error:  # the job is dismissed all the same
            logger.error("Job %s: %s", job.pk, error)
            JobLogLine.objects.create(job=job, line=f"its container was not stopped: {error}")
    JobLogLine.objects.create(job=job, line="dismissed")
    job_finished_in_memory(job, JobStatus.DISMISSED, now, "Dismissed")
    job_finished_announce(job)
    return job


def job_delete(*, job: Job) -> None:
    """Remove a job with its files; the space they took is given back to the owner."""
    workdir = job_workdir(job)
    prefix, owner_id = job.storage_prefix, job.owner_id
    job.delete()

    def remove_files() -> None:
        freed = platform_storage().delete(prefix)
        shutil.rmtree(workdir, ignore_errors=True)
        workspace = Workspace.objects.filter(owner_id=owner_id).first()
        if freed and workspace is not None:
            workspace_usage_add(workspace, -freed)

    transaction.on_commit(remove_files)
