"""Running a batch, wherever: claiming its row, reporting, recording its end, stopping it."""

import logging
import os
import socket
from collections.abc import Callable
from typing import Any

from celery.exceptions import SoftTimeLimitExceeded
from django.db.models import Q, QuerySet
from django.utils import timezone

from apps.jobs import services as job_services
from apps.jobs.models import Job, JobBatch, JobBatchStatus, JobLogLine, JobStatus
from apps.jobs.reporting import JobDismissedError, heartbeat_while_running
from apps.processes.models import Process
from apps.processes.parallel.encoding import decoded, encoded
from apps.processes.runners.base import ExecutionFailedError, RunContext
from apps.processes.runners.container import RunnerStopError
from apps.processes.runners.registry import runner_for, runner_stop

logger = logging.getLogger(__name__)

BATCHES_FOLDER = "batches"


class BatchStoppedError(Exception):
    """The batch was stopped or taken over while its job still runs; its runner stops."""


class BatchFailedError(ExecutionFailedError):
    """A batch of the job failed; the message names its values."""


def _worker_name() -> str:
    return f"{socket.gethostname()}:{os.getpid()}"


def batch_run_id(job_id: str, number: int) -> str:
    """The id a batch's runner gets for the job: distinct, so containers do not collide."""
    return f"{job_id}-batch-{number}"


def _batch_claim(batch_id: int, *, take_over_lost: bool = False) -> bool:
    """pending → running in this process, while the job runs; with `take_over_lost`, also a
    running batch whose worker stopped beating. Only one claim of a batch succeeds.
    """
    claimable = Q(status=JobBatchStatus.PENDING)
    if take_over_lost:
        claimable |= Q(status=JobBatchStatus.RUNNING, heartbeat__lt=job_services.job_silent_since())
    now = timezone.now()
    # The job's status is asked in a subquery, not a join: Django would then update by
    # `id IN (SELECT … JOIN …)`, which PostgreSQL does not recheck against a row another
    # claim just changed, and two claims could both succeed.
    running_jobs = Job.objects.filter(status=JobStatus.RUNNING).values("pk")
    return bool(
        JobBatch.objects.filter(claimable, pk=batch_id, job_id__in=running_jobs).update(
            status=JobBatchStatus.RUNNING,
            worker=_worker_name(),
            started=now,
            heartbeat=now,
            progress=0,
            error="",
        )
    )


class BatchReporter:
    """The progress reporter of one batch: records its percent, writes its messages and
    run-log lines in the job's run log prefixed with the batch number, and raises once the
    batch or its job no longer runs here (JobDismissedError when the job stopped).
    """

    def __init__(self, batch: JobBatch, on_report: Callable[[], object] | None = None) -> None:
        self.batch = batch
        self.worker = _worker_name()
        self.on_report = on_report

    def __call__(self, percent: int, message: str = "") -> None:
        percent = max(0, min(100, int(percent)))
        if not self.running().update(progress=percent, heartbeat=timezone.now()):
            raise self._stopped()
        if message:
            self.log(f"{percent:3d}% {message}")
        if self.on_report is not None:
            self.on_report()

    def log(self, line: str) -> None:
        JobLogLine.objects.create(
            job_id=self.batch.job_id, line=f"batch {self.batch.number}: {line}"
        )

    def heartbeat(self) -> bool:
        return bool(self.running().update(heartbeat=timezone.now()))

    def raise_if_stopped(self) -> None:
        """Raise as a report would once the batch no longer runs here (or another batch
        failed); writes nothing."""
        if not self.running().exists():
            raise self._stopped()
        if self.on_report is not None:
            self.on_report()

    def running(self) -> QuerySet[JobBatch]:
        """The batch's row while this process runs it and its job is running; else nothing."""
        return JobBatch.objects.filter(
            pk=self.batch.pk,
            status=JobBatchStatus.RUNNING,
            worker=self.worker,
            job_id__in=Job.objects.filter(status=JobStatus.RUNNING).values("pk"),
        )

    def _stopped(self) -> Exception:
        if Job.objects.filter(pk=self.batch.job_id, status=JobStatus.RUNNING).exists():
            return BatchStoppedError(f"batch {self.batch.number} of {self.batch.job_id}")
        return JobDismissedError(str(self.batch.job_id))


def _batch_finish(reporter: BatchReporter, status: str, **fields: Any) -> bool:
    """Record how the batch ended, unless it was stopped or taken over meanwhile."""
    return bool(reporter.running().update(status=status, finished=timezone.now(), **fields))


def _batch_execute(
    batch: JobBatch, process: Process, on_report: Callable[[], object] | None = None
) -> None:
    """Run a batch this process claimed and record its outputs or its failure in its row.

    Raises JobDismissedError or BatchStoppedError when it was stopped, BatchFailedError when
    `on_report` says another batch failed, SoftTimeLimitExceeded when time ran out.
    """
    reporter = BatchReporter(batch, on_report)
    job = batch.job
    context = RunContext(
        job_id=batch_run_id(str(job.pk), batch.number),
        workdir=job_services.job_workdir(job) / BATCHES_FOLDER / str(batch.number),
        progress=reporter,
        owner=job.owner,
    )
    context.workdir.mkdir(parents=True, exist_ok=True)
    reporter.log(f"running on {reporter.worker}")
    inputs = {input_id: decoded(value) for input_id, value in batch.inputs.items()}
    try:
        with heartbeat_while_running(reporter.heartbeat, name=f"heartbeat-batch-{batch.pk}"):
            results = runner_for(process).run(process, inputs, context)
        job_services.job_results_check(results)
        stored = {output_id: encoded(value) for output_id, value in results.items()}
        if _batch_finish(reporter, JobBatchStatus.SUCCESSFUL, progress=100, results=stored):
            reporter.log("successful")
    except (JobDismissedError, BatchStoppedError, BatchFailedError):
        raise
    except SoftTimeLimitExceeded:
        _batch_finish(reporter, JobBatchStatus.FAILED, error="It ran out of time.")
        raise
    except ExecutionFailedError as error:
        _batch_finish(reporter, JobBatchStatus.FAILED, error=str(error))
    except Exception as error:  # a failing process fails its batch and so its job, not the worker
        logger.exception("Batch %s of job %s failed", batch.number, job.pk)
        _batch_finish(reporter, JobBatchStatus.FAILED, error=f"{type(error).__name__}: {error}")


def batch_run(*, batch_id: int, redelivered: bool = False) -> None:
    """Run one batch in this worker (the `jobs.run_batch` task), unless it is already claimed.

    A redelivered task (its worker died) may take over its batch once the batch's heartbeat
    stopped; the parent would otherwise do so.
    """
    if not _batch_claim(batch_id, take_over_lost=redelivered):
        return
    batch = JobBatch.objects.select_related(
        "job__owner", "job__process", "job__revision__process"
    ).get(pk=batch_id)
    try:
        process = job_services.job_process(batch.job)
    except ExecutionFailedError as error:
        _batch_finish(BatchReporter(batch), JobBatchStatus.FAILED, error=str(error))
        return
    try:
        _batch_execute(batch, process)
    except (JobDismissedError, BatchStoppedError):
        JobLogLine.objects.create(job_id=batch.job_id, line=f"batch {batch.number}: stopped")


def batches_stop(*, job_id: str, process: Process | None) -> int:
    """Stop the job's unfinished batches: a pending one is never claimed, a running one stops
    at its next report, and what runs it outside its worker (a container) is stopped now.
    Returns how many were stopped.
    """
    unfinished = JobBatch.objects.filter(
        job_id=job_id, status__in=[JobBatchStatus.PENDING, JobBatchStatus.RUNNING]
    )
    running = list(
        unfinished.filter(status=JobBatchStatus.RUNNING).values_list("number", flat=True)
    )
    stopped = unfinished.update(status=JobBatchStatus.STOPPED, finished=timezone.now())
    if process is not None:
        for number in running:
            _batch_runner_stop(process, job_id, number)
    return stopped


def _batch_runner_stop(process: Process, job_id: str, number: int) -> None:
    try:
        runner_stop(process, batch_run_id(job_id, number))
    except RunnerStopError as error:  # the batch is stopped all the same, at its next report
        logger.error("Job %s batch %s: %s", job_id, number, error)
        JobLogLine.objects.create(
            job_id=job_id, line=f"batch {number}: its container was not stopped: {error}"
        )
