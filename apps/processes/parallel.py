"""The parallel execution analyzer (§6.12, §19.9): one job, its independent values in batches.

An input that takes several values (`maxOccurs` > 1 or "unbounded") and whose description
carries the processing directive `correlatedInputs: false` (§17.2.4; the process description
may say it for all its inputs, the nearer scope wins) has values that do not depend on each
other. A request giving it M > 1 values runs as N = min(M, PARALLEL_MAX_BATCHES) executions
of the process, each on a contiguous batch of those values, the other inputs unchanged. When
several inputs qualify, the one with the most values is split (on a tie, the first by id).

The user still sees one job. Its own task (the parent) writes a `JobBatch` row per batch,
queues a `jobs.run_batch` task for each batch after the first, then works through the batches
itself. A batch is claimed with a conditional UPDATE, so it runs once, in whichever process
claims it first; a task whose batch is taken ends at once. With a single worker slot the
parent simply runs every batch in turn: it never waits on a task that cannot start. Then the
parent waits for the batches others claimed, publishing the mean of their progress as the
job's, and takes over a batch whose worker stopped beating. When a batch fails, the others are
stopped and the job fails naming the failed batch's values; dismissing the job stops them too
(their reporters raise at the next report, as a job's do).

Each batch keeps its outputs in its row and the parent gathers them in batch order: an
output every batch returned as a list is their concatenation, any other output is the list
of the batches' values. Several files for one output are stored as the outputs `<id>.1`,
`<id>.2`, … (apps/jobs/services.py `_output_rows`).

Batches on other workers open the input files at the paths the parent staged them to, and
write their outputs in the job's folder: the workers share the platform's storage folder,
as they already do for job outputs.
"""

import logging
import os
import socket
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path, PurePosixPath
from typing import Any
from urllib.parse import urlsplit

from celery.exceptions import SoftTimeLimitExceeded
from django.conf import settings
from django.db import close_old_connections, transaction
from django.db.models import Avg, Q, QuerySet
from django.utils import timezone

from apps.jobs import services as job_services
from apps.jobs import tasks
from apps.jobs.models import Job, JobBatch, JobBatchStatus, JobLogLine, JobStatus
from apps.jobs.reporting import JobDismissedError
from apps.processes.binding import as_boolean, parameter_value
from apps.processes.models import Process
from apps.processes.runners.base import ExecutionFailedError, OutputFile, RunContext
from apps.processes.runners.container import RunnerStopError
from apps.processes.runners.registry import runner_for, runner_stop

logger = logging.getLogger(__name__)

PROCESSING_DIRECTIVES_ROLES = ("processingDirectives", "processingDirective")
CORRELATED_INPUTS = "correlatedInputs"
POLL_SECONDS = 0.25
SHOWN_VALUES = 5
BATCHES_FOLDER = "batches"


class BatchStoppedError(Exception):
    """The batch was stopped or taken over while its job still runs; its runner stops."""


class BatchFailedError(ExecutionFailedError):
    """A batch of the job failed; the message names its values."""


# --- The plan ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Batch:
    number: int
    first: int
    """Where the batch's values start among the input's values (0 for the first)."""
    values: list[Any]


@dataclass(frozen=True)
class Plan:
    input_id: str
    batches: tuple[Batch, ...]

    def batch_inputs(self, inputs: dict[str, Any], batch: Batch) -> dict[str, Any]:
        return {**inputs, self.input_id: batch.values}


def parallel_plan(description: dict[str, Any], inputs: dict[str, Any]) -> Plan | None:
    """The batches an execute request splits into; None when it runs as one execution.

    None when no input with uncorrelated values got more than one value, or when
    PARALLEL_MAX_BATCHES allows a single batch.
    """
    counts = {
        input_id: len(inputs[input_id])
        for input_id in _uncorrelated_inputs(description)
        if isinstance(inputs.get(input_id), list) and len(inputs[input_id]) > 1
    }
    if not counts:
        return None
    input_id = max(sorted(counts), key=lambda candidate: counts[candidate])
    count = min(counts[input_id], settings.PARALLEL_MAX_BATCHES)
    if count <= 1:
        return None
    return Plan(input_id=input_id, batches=_batches(inputs[input_id], count))


def _batches(values: list[Any], count: int) -> tuple[Batch, ...]:
    """`count` contiguous batches whose sizes differ by one at most, the larger ones first."""
    size, larger = divmod(len(values), count)
    batches = []
    first = 0
    for number in range(1, count + 1):
        length = size + (1 if number <= larger else 0)
        batches.append(Batch(number=number, first=first, values=values[first : first + length]))
        first += length
    return tuple(batches)


def _uncorrelated_inputs(description: dict[str, Any]) -> list[str]:
    """The inputs taking several values that are declared uncorrelated."""
    process_says = _correlated_inputs_directive(description)
    uncorrelated = []
    for input_id, input_description in (description.get("inputs") or {}).items():
        if not (isinstance(input_description, dict) and _takes_several_values(input_description)):
            continue
        input_says = _correlated_inputs_directive(input_description)
        if (input_says if input_says is not None else process_says) is False:
            uncorrelated.append(input_id)
    return uncorrelated


def _takes_several_values(input_description: dict[str, Any]) -> bool:
    max_occurs = input_description.get("maxOccurs", 1)
    if max_occurs == "unbounded":
        return True
    return isinstance(max_occurs, int) and not isinstance(max_occurs, bool) and max_occurs > 1


def _role_groups(additional_parameters: Any) -> list[dict[str, Any]]:
    """`additionalParameters` as a list of role groups, from any of the shapes stored or
    published: a list of groups, one group, or one object whose parameters are named by role.
    """
    if isinstance(additional_parameters, list):
        return [group for group in additional_parameters if isinstance(group, dict)]
    if not isinstance(additional_parameters, dict):
        return []
    if "role" in additional_parameters:
        return [additional_parameters]
    return [
        {"role": by_role.get("name"), "parameters": by_role.get("value")}
        for by_role in additional_parameters.get("parameters") or []
        if isinstance(by_role, dict)
    ]


def _correlated_inputs_directive(described: dict[str, Any]) -> bool | None:
    """The `correlatedInputs` processing directive of an input or process; None if not given.

    A value that is not a boolean counts as not given: the values are then not split.
    """
    for group in _role_groups(described.get("additionalParameters")):
        if group.get("role") not in PROCESSING_DIRECTIVES_ROLES:
            continue
        parameters = group.get("parameters")
        for parameter in parameters if isinstance(parameters, list) else []:
            if isinstance(parameter, dict) and parameter.get("name") == CORRELATED_INPUTS:
                try:
                    return as_boolean(parameter_value(parameter))
                except ValueError:
                    logger.warning("Ignoring correlatedInputs %r: not a boolean", parameter)
                    return None
    return None


# --- What a batch row holds -------------------------------------------------------------


def encoded(value: Any) -> dict[str, Any]:
    """A value as JSON that says what it is: a staged file, an output file, a list, or JSON.

    Only values the platform made become paths again when decoded; a user's JSON value
    is always kept under `value`, whatever its members.
    """
    if isinstance(value, OutputFile):
        return {"file": str(_storage_relative(value.path)), "mediaType": value.media_type}
    if isinstance(value, Path):
        return {"path": str(value)}
    if isinstance(value, list | tuple):
        return {"items": [encoded(item) for item in value]}
    return {"value": value}


def decoded(document: dict[str, Any]) -> Any:
    if "file" in document:
        return OutputFile(Path(settings.STORAGE_ROOT) / document["file"], document["mediaType"])
    if "path" in document:
        return Path(document["path"])
    if "items" in document:
        return [decoded(item) for item in document["items"]]
    return document["value"]


def _storage_relative(path: Path) -> Path:
    try:
        return path.relative_to(Path(settings.STORAGE_ROOT))
    except ValueError:
        raise ExecutionFailedError(f"The output file {path} is outside the job's folder.") from None


def gathered(batch_results: list[dict[str, Any]]) -> dict[str, Any]:
    """The job's outputs from its batches' outputs, in batch order.

    An output every batch gave as a list is their concatenation; any other output is the
    list of each batch's value (None from a batch that did not give it).
    """
    output_ids = dict.fromkeys(output_id for results in batch_results for output_id in results)
    outputs = {}
    for output_id in output_ids:
        values = [results.get(output_id) for results in batch_results]
        lists = [value for value in values if isinstance(value, list)]
        if len(lists) == len(values):
            outputs[output_id] = [item for value in lists for item in value]
        else:
            outputs[output_id] = values
    return outputs


def _value_label(value: Any) -> str:
    if isinstance(value, Path):
        return value.name
    if isinstance(value, dict) and isinstance(value.get("href"), str):
        return PurePosixPath(urlsplit(value["href"]).path).name or value["href"]
    return str(value)


def batch_label(batch: Batch) -> str:
    """The batch and the values it holds, counted from 1 and named (file names for files)."""
    labels = [_value_label(value) for value in batch.values[:SHOWN_VALUES]]
    if len(batch.values) > SHOWN_VALUES:
        labels.append("…")
    if len(batch.values) == 1:
        span = f"value {batch.first + 1}"
    else:
        span = f"values {batch.first + 1}\N{EN DASH}{batch.first + len(batch.values)}"
    return f"batch {batch.number} ({span}: {', '.join(labels)})"


# --- Running a batch, wherever -----------------------------------------------------------


def _worker_name() -> str:
    return f"{socket.gethostname()}:{os.getpid()}"


def batch_run_id(job_id: str, number: int) -> str:
    """The id a batch's runner gets for the job: distinct, so containers do not collide."""
    return f"{job_id}-batch-{number}"


def _lost_before() -> datetime:
    return timezone.now() - timedelta(seconds=settings.JOB_LOST_AFTER_SECONDS)


def _batch_claim(batch_id: int, *, take_over_lost: bool = False) -> bool:
    """pending → running in this process, while the job runs; with `take_over_lost`, also a
    running batch whose worker stopped beating. Only one claim of a batch succeeds.
    """
    claimable = Q(status=JobBatchStatus.PENDING)
    if take_over_lost:
        claimable |= Q(status=JobBatchStatus.RUNNING, heartbeat__lt=_lost_before())
    now = timezone.now()
    return bool(
        JobBatch.objects.filter(claimable, pk=batch_id, job__status=JobStatus.RUNNING).update(
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

    def running(self) -> QuerySet[JobBatch]:
        """The batch's row while this process runs it and its job is running; else nothing."""
        return JobBatch.objects.filter(
            pk=self.batch.pk,
            status=JobBatchStatus.RUNNING,
            worker=self.worker,
            job__status=JobStatus.RUNNING,
        )

    def _stopped(self) -> Exception:
        if Job.objects.filter(pk=self.batch.job_id, status=JobStatus.RUNNING).exists():
            return BatchStoppedError(f"batch {self.batch.number} of {self.batch.job_id}")
        return JobDismissedError(str(self.batch.job_id))


@contextmanager
def _heartbeat(reporter: BatchReporter) -> Iterator[None]:
    """Beat while the batch runs, so the parent knows its worker is alive."""
    stop = threading.Event()

    def beat() -> None:
        try:
            while not stop.wait(settings.JOB_HEARTBEAT_SECONDS) and reporter.heartbeat():
                pass
        finally:
            close_old_connections()

    thread = threading.Thread(target=beat, name=f"heartbeat-batch-{reporter.batch.pk}", daemon=True)
    thread.start()
    try:
        yield
    finally:
        stop.set()
        thread.join(timeout=5)


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
        owner_username=job.owner.username,
        workdir=job_services.job_workdir(job) / BATCHES_FOLDER / str(batch.number),
        progress=reporter,
    )
    context.workdir.mkdir(parents=True, exist_ok=True)
    reporter.log(f"running on {reporter.worker}")
    inputs = {input_id: decoded(value) for input_id, value in batch.inputs.items()}
    try:
        with _heartbeat(reporter):
            results = runner_for(process).run(process, inputs, context)
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


# --- The parent -------------------------------------------------------------------------


def execute(process: Process, inputs: dict[str, Any], context: RunContext) -> dict[str, Any]:
    """Run a job's process: as parallel batches when its request splits, else as one run.

    Raises what the runner raises; BatchFailedError when a batch failed.
    """
    plan = parallel_plan(process.description, inputs)
    if plan is None:
        return runner_for(process).run(process, inputs, context)
    return ParallelRun(process, plan, context).run(inputs)


class ParallelRun:
    """The parent's side of a split job: create, share out, run, supervise, gather."""

    def __init__(self, process: Process, plan: Plan, context: RunContext) -> None:
        self.process = process
        self.plan = plan
        self.context = context
        self.job_id = context.job_id
        self.published: tuple[int, int] | None = None

    def run(self, inputs: dict[str, Any]) -> dict[str, Any]:
        """The gathered outputs once every batch succeeded; no batch outlives a failed run."""
        try:
            return self._run(inputs)
        except BaseException:
            batches_stop(job_id=self.job_id, process=self.process)
            raise

    def _run(self, inputs: dict[str, Any]) -> dict[str, Any]:
        batch_ids = self._batches_create(inputs)
        self.context.progress(0, f"{self.plan.input_id} split into {len(batch_ids)} batches")
        for batch_id in batch_ids:
            if _batch_claim(batch_id):
                self._run_here(batch_id)
            self.supervise()
        while not self.supervise():
            self._take_over_lost()
            time.sleep(POLL_SECONDS)
        batches = JobBatch.objects.filter(job_id=self.job_id).order_by("number")
        return gathered(
            [
                {output_id: decoded(value) for output_id, value in (stored or {}).items()}
                for stored in batches.values_list("results", flat=True)
            ]
        )

    def _batches_create(self, inputs: dict[str, Any]) -> list[int]:
        """Write the batch rows (replacing an earlier attempt's) and queue a task for every
        batch after the first, which the parent starts on at once.
        """
        with transaction.atomic():
            JobBatch.objects.filter(job_id=self.job_id).delete()
            batches = JobBatch.objects.bulk_create(
                JobBatch(
                    job_id=self.job_id,
                    number=batch.number,
                    input_id=self.plan.input_id,
                    first_value=batch.first,
                    inputs={
                        input_id: encoded(value)
                        for input_id, value in self.plan.batch_inputs(inputs, batch).items()
                    },
                )
                for batch in self.plan.batches
            )
            batch_ids = [batch.pk for batch in batches]
            transaction.on_commit(lambda: self._dispatch(batch_ids[1:]))
        return batch_ids

    def _dispatch(self, batch_ids: list[int]) -> None:
        timeout = (
            Job.objects.filter(pk=self.job_id).values_list("job_timeout_seconds", flat=True).get()
            or settings.JOB_DEFAULT_TIMEOUT_SECONDS
        )
        for batch_id in batch_ids:
            tasks.job_batch_run_task.apply_async(
                args=(batch_id,),
                queue=settings.JOBS_QUEUE,
                soft_time_limit=timeout,
                time_limit=timeout + 30,
            )

    def _run_here(self, batch_id: int) -> None:
        batch = JobBatch.objects.select_related("job__owner").get(pk=batch_id)
        _batch_execute(batch, self.process, on_report=self.supervise)

    def _take_over_lost(self) -> None:
        lost = JobBatch.objects.filter(
            job_id=self.job_id, status=JobBatchStatus.RUNNING, heartbeat__lt=_lost_before()
        )
        for batch_id, number in lost.values_list("pk", "number"):
            if _batch_claim(batch_id, take_over_lost=True):
                JobLogLine.objects.create(
                    job_id=self.job_id,
                    line=f"batch {number}: taken over, its worker stopped responding",
                )
                self._run_here(batch_id)

    def supervise(self) -> bool:
        """Publish the batches' mean progress as the job's; True once every batch succeeded.

        Raises JobDismissedError when the job no longer runs, and BatchFailedError, after
        stopping the other batches, when a batch failed.
        """
        if not Job.objects.filter(pk=self.job_id, status=JobStatus.RUNNING).exists():
            raise JobDismissedError(self.job_id)
        batches = JobBatch.objects.filter(job_id=self.job_id)
        failed = batches.filter(status=JobBatchStatus.FAILED).order_by("number").first()
        if failed is not None:
            batches_stop(job_id=self.job_id, process=self.process)
            batch = self.plan.batches[failed.number - 1]
            raise BatchFailedError(f"{batch_label(batch)} failed: {failed.error}")
        summary = batches.aggregate(progress=Avg("progress"))
        done = batches.filter(status=JobBatchStatus.SUCCESSFUL).count()
        self._publish(round(summary["progress"] or 0), done)
        return done == len(self.plan.batches)

    def _publish(self, progress: int, done: int) -> None:
        if self.published == (progress, done):
            return
        self.published = (progress, done)
        self.context.progress(progress, f"{done} of {len(self.plan.batches)} batches done")
