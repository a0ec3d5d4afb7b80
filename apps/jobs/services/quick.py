"""Quick jobs: run by the request that accepted them, before anything is written.

A built-in process marked `quick` (Add, Mul, echo: milliseconds of work, no files, no
progress reports) gains nothing from the queue but the trip through it: the broker, a
worker picking the message up, and the client polling meanwhile. Such a job runs first, in
the thread that accepted it, and is then written once, finished: its row, outputs, run log
(accepted, running and its end, each at the moment it happened), statistics and event, in
one transaction. Until that commits there is no job, so a process stopping halfway leaves
nothing for the janitor: its client gets no answer, as if the request had not arrived.
"""

import logging
import resource
import time
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from apps.jobs import notify
from apps.jobs.models import Job, JobLogLine, JobOutput, JobStatus
from apps.jobs.services.finishing import (
    job_exception,
    job_finished_event_record,
    job_finished_in_memory,
    job_output_rows,
    job_results_check,
    job_statistics,
)
from apps.jobs.services.notifying import job_notifications_enqueue
from apps.jobs.services.running import job_process, job_workdir
from apps.processes.models import ExecutionUnitType, Process
from apps.processes.parallel import parallel_plan
from apps.processes.registry import registered_process
from apps.processes.runners.base import ExecutionFailedError, RunContext
from apps.processes.runners.builtin import BuiltinRunner
from apps.processes.validation import ExecuteRequest, is_nested_process, is_reference

logger = logging.getLogger(__name__)


def _has_reference(value: Any) -> bool:
    if isinstance(value, list):
        return any(_has_reference(item) for item in value)
    return is_reference(value) or is_nested_process(value)


def job_may_run_inline(process: Process, request: ExecuteRequest) -> bool:
    """A quick built-in whose inputs are plain values, run as one execution (not split in
    parallel batches), whose results stay in the job, and whose subscriber wants no word
    while it runs (there is no while)."""
    if not settings.INLINE_JOBS or process.execution_unit_type != ExecutionUnitType.BUILTIN:
        return False
    builtin = registered_process(process.execution_unit.get("function", process.identifier))
    return (
        builtin is not None
        and builtin.quick
        and builtin.progress_parameter is None
        and builtin.workdir_parameter is None
        and request.response != "publish"
        and not request.subscriber.get("inProgressUri")
        and not any(_has_reference(value) for value in request.inputs.values())
        and parallel_plan(process.description, request.inputs) is None
    )


def _no_progress(percent: int, message: str = "") -> None:
    """Quick processes take no progress reporter; nothing reports through this one."""


def _run(job: Job) -> tuple[dict[str, Any], str | None]:
    """The results, or the reason the run failed."""
    try:
        process = job_process(job)
        context = RunContext(
            job_id=str(job.pk),
            workdir=job_workdir(job),
            progress=_no_progress,
            owner=job.owner,
        )
        results = BuiltinRunner().run(process, dict(job.inputs), context)
        return job_results_check(results), None
    except ExecutionFailedError as error:
        return {}, str(error)
    except Exception as error:  # a failing process fails its job, never the request
        logger.exception("Job %s failed", job.pk)
        return {}, f"{type(error).__name__}: {error}"


def job_run_quick(job: Job) -> Job:
    """Run a job of a quick process, not yet saved, then write it finished (see above)."""
    accepted = JobLogLine(
        job=job,
        created=job.created,
        line=f"accepted: {job.process_identifier} {job.process_version}",
    )
    job.runs_inline, job.status, job.started = True, JobStatus.RUNNING, timezone.now()
    running = JobLogLine(job=job, created=job.started, line="running")
    started, usage_before = time.monotonic(), resource.getrusage(resource.RUSAGE_THREAD)
    results, failure = _run(job)
    for name, value in job_statistics(started, usage_before).items():
        setattr(job, name, value)
    if failure is None:
        job_finished_in_memory(job, JobStatus.SUCCESSFUL, timezone.now())
        outputs, end = job_output_rows(job, results), "successful"
    else:
        job_finished_in_memory(job, JobStatus.FAILED, timezone.now(), failure)
        job.exception = job_exception("execution-failed", failure)
        outputs, end = [], f"failed: {failure}"
    with transaction.atomic():
        job.save(force_insert=True)
        JobOutput.objects.bulk_create(outputs)
        JobLogLine.objects.bulk_create([accepted, running, JobLogLine(job=job, line=end)])
        job_finished_event_record(job)
        # No page can be showing the job yet (its id has not been answered): the
        # notifications are all there is to announce.
        transaction.on_commit(lambda: job_notifications_enqueue(job, notify.FINISHED))
    return job
