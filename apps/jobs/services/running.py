"""Running a queued job in a worker: claim it, stage its inputs, run it, record its end."""

import logging
import resource
import time
from contextlib import ExitStack
from datetime import datetime, timedelta
from pathlib import Path

from celery.exceptions import SoftTimeLimitExceeded
from django.conf import settings
from django.db.models import Q
from django.utils import timezone

from apps.jobs import notify
from apps.jobs.models import Job, JobStatus
from apps.jobs.reporting import (
    JobDismissedError,
    JobReporter,
    heartbeat_while_running,
    job_status_broadcast,
)
from apps.jobs.services.finishing import (
    job_fail,
    job_publish,
    job_results_check,
    job_statistics,
    job_succeed,
)
from apps.jobs.services.notifying import job_notifications_enqueue
from apps.processes import parallel
from apps.processes.models import Process
from apps.processes.nesting import nested_inputs_resolve
from apps.processes.runners.base import ExecutionFailedError, RunContext
from apps.processes.staging import stage_inputs, stored_inputs_copied_by_the_pod

logger = logging.getLogger(__name__)


def job_workdir(job: Job) -> Path:
    return Path(settings.STORAGE_ROOT) / job.storage_prefix


def job_silent_since() -> datetime:
    """A running job whose heartbeat is older than this has lost its worker."""
    return timezone.now() - timedelta(seconds=settings.JOB_LOST_AFTER_SECONDS)


def _claim(job_id: str, *, redelivered: bool) -> bool:
    """Move accepted → running. A redelivered message (its worker died) may also restart
    a running job, but only one whose heartbeat stopped, so a job never runs twice at once.
    """
    now = timezone.now()
    claimable = Q(status=JobStatus.ACCEPTED)
    if redelivered:
        claimable |= Q(status=JobStatus.RUNNING, heartbeat__lt=job_silent_since())
    return bool(
        Job.objects.filter(claimable, pk=job_id).update(
            status=JobStatus.RUNNING, started=now, heartbeat=now, progress=0, updated=now
        )
    )


def job_process(job: Job) -> Process:
    """The process as the job was accepted for: its revision, if it has one."""
    if job.revision is not None:
        return job.revision.as_process()
    if job.process is None:
        raise ExecutionFailedError("The process of this job no longer exists.")
    return job.process


def job_run(*, job_id: str, redelivered: bool = False) -> None:
    """Run a queued job to its end in this worker; safe to call twice for the same job."""
    if not _claim(job_id, redelivered=redelivered):
        return
    job = Job.objects.select_related("process", "revision__process", "owner").get(pk=job_id)
    reporter = JobReporter(job)
    reporter.log("restarted after a worker was lost" if redelivered else "running")
    job_status_broadcast(job)
    job_notifications_enqueue(job, notify.IN_PROGRESS)
    started = time.monotonic()
    usage_before = resource.getrusage(resource.RUSAGE_THREAD)
    failure: tuple[str, str] | None = None
    try:
        process = job_process(job)
        workdir = job_workdir(job)
        workdir.mkdir(parents=True, exist_ok=True)
        context = RunContext(
            job_id=str(job.pk),
            workdir=workdir,
            progress=reporter,
            owner=job.owner,
        )
        heartbeat = heartbeat_while_running(reporter.heartbeat, name=f"heartbeat-{job.pk}")
        with heartbeat, ExitStack() as staged_files:
            inputs, staged_bytes, staged_seconds = stage_inputs(
                job.inputs,
                workdir,
                job.owner,
                staged_files,
                stored_in_place=stored_inputs_copied_by_the_pod(process),
            )
            if staged_bytes:
                reporter.add_staged(bytes_in=staged_bytes, seconds=staged_seconds)
                reporter.log(f"staged {staged_bytes} bytes of inputs in {staged_seconds:.1f} s")
            inputs = nested_inputs_resolve(inputs, context, job.owner)
            results = job_results_check(parallel.execute(process, inputs, context))
    except JobDismissedError:
        Job.objects.filter(pk=job.pk).update(**job_statistics(started, usage_before))
        reporter.log("stopped: the job was dismissed")
        return
    except SoftTimeLimitExceeded:
        failure = ("timeout", f"The job ran longer than {job.job_timeout_seconds} s.")
    except ExecutionFailedError as error:
        failure = ("execution-failed", str(error))
    except Exception as error:  # a failing process must fail its job, never the worker
        logger.exception("Job %s failed", job.pk)
        failure = ("execution-failed", f"{type(error).__name__}: {error}")
    # The statistics go in the same write as the final status: a finished job has them.
    statistics = job_statistics(started, usage_before)
    if failure is None:
        job_succeed(job, results, statistics)
        if job.response == "publish" and job.status == JobStatus.SUCCESSFUL:
            job_publish(job)
    else:
        job_fail(job, *failure, statistics=statistics)
