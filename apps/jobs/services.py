"""Job lifecycle: submit, run (in the worker), dismiss, delete, and recover lost jobs."""

import logging
import resource
import shutil
import threading
import time
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from celery.exceptions import SoftTimeLimitExceeded
from django.conf import settings
from django.contrib.gis.geos import GEOSGeometry
from django.db import close_old_connections, transaction
from django.db.models import F, Q
from django.utils import timezone

from apps.accounts.models import User
from apps.catalogue.registration import job_results_register
from apps.jobs import notify, tasks
from apps.jobs.inline import job_may_run_inline
from apps.jobs.models import Job, JobLogLine, JobOutput, JobStatus
from apps.jobs.reporting import JobDismissedError, JobReporter, job_status_broadcast
from apps.notifications.events import EventType, record_event
from apps.ogc.errors import ApplicationError, ConflictError
from apps.ogc.links import public_request
from apps.processes import parallel
from apps.processes.models import Process
from apps.processes.nesting import nested_inputs_resolve
from apps.processes.runners.base import ExecutionFailedError, OutputFile, RunContext
from apps.processes.runners.container import RunnerStopError
from apps.processes.runners.registry import runner_stop
from apps.processes.staging import stage_inputs
from apps.processes.validation import ExecuteRequest
from apps.webservices.services import service_publish_job
from apps.workspaces.models import Workspace
from apps.workspaces.services import workspace_usage_add
from apps.workspaces.storage import platform_storage

logger = logging.getLogger(__name__)

EXCEPTION_TYPE = "http://www.opengis.net/def/exceptions/ogcapi-processes-1/1.0/"


@dataclass(frozen=True)
class Submission:
    user: User
    process: Process
    request: ExecuteRequest
    body: dict[str, Any]
    client_address: str | None
    response_handlers: list[str]
    footprint: GEOSGeometry | None = None


def job_workdir(job: Job) -> Path:
    return Path(settings.STORAGE_ROOT) / job.storage_prefix


def job_submit(*, submission: Submission) -> Job:
    """Create the job (accepted) and queue it for a worker once the transaction commits."""
    process = submission.process
    timeout = process.description.get("jobTimeout") or settings.JOB_DEFAULT_TIMEOUT_SECONDS
    with transaction.atomic():
        job = Job.objects.create(
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
            runs_inline=job_may_run_inline(
                process, submission.request.inputs, submission.request.response
            ),
        )
        JobLogLine.objects.create(job=job, line=f"accepted: {process.identifier} {process.version}")
        if job.runs_inline:
            transaction.on_commit(lambda: _run_inline(job))
        else:
            transaction.on_commit(lambda: _enqueue(job))
    return job


def _run_inline(job: Job) -> None:
    """Run a quick job now (apps/jobs/inline.py); `job` then shows its outcome."""
    job.status, job.started = JobStatus.RUNNING, timezone.now()
    job_run(job_id=str(job.pk), accepted=job)


def _enqueue(job: Job) -> None:
    timeout = job.job_timeout_seconds or settings.JOB_DEFAULT_TIMEOUT_SECONDS
    tasks.job_run_task.apply_async(
        args=(str(job.pk),),
        task_id=str(job.pk),
        queue=settings.JOBS_QUEUE,
        soft_time_limit=timeout,
        time_limit=timeout + 30,
    )


def _silent_since() -> datetime:
    return timezone.now() - timedelta(seconds=settings.JOB_LOST_AFTER_SECONDS)


def _claim(job_id: str, *, redelivered: bool) -> bool:
    """Move accepted → running. A redelivered message (its worker died) may also restart
    a running job, but only one whose heartbeat stopped, so a job never runs twice at once.
    """
    now = timezone.now()
    claimable = Q(status=JobStatus.ACCEPTED)
    if redelivered:
        claimable |= Q(status=JobStatus.RUNNING, heartbeat__lt=_silent_since())
    return bool(
        Job.objects.filter(claimable, pk=job_id).update(
            status=JobStatus.RUNNING, started=now, heartbeat=now, progress=0, updated=now
        )
    )


@contextmanager
def _heartbeat(reporter: JobReporter) -> Iterator[None]:
    """Beat every few seconds while the runner works, so the janitor knows we're alive."""
    stop = threading.Event()

    def beat() -> None:
        try:
            while not stop.wait(settings.JOB_HEARTBEAT_SECONDS) and reporter.heartbeat():
                pass
        finally:
            close_old_connections()

    thread = threading.Thread(target=beat, name=f"heartbeat-{reporter.job.pk}", daemon=True)
    thread.start()
    try:
        yield
    finally:
        stop.set()
        thread.join(timeout=5)


def job_run(*, job_id: str, redelivered: bool = False, accepted: Job | None = None) -> None:
    """Run a queued job to its end in this worker; safe to call twice for the same job.

    `accepted` is the job as just created, when the accepting request runs it: it saves
    reading the row back.
    """
    if not _claim(job_id, redelivered=redelivered):
        return
    job = accepted or Job.objects.select_related("process", "revision__process", "owner").get(
        pk=job_id
    )
    reporter = JobReporter(job)
    reporter.log("restarted after a worker was lost" if redelivered else "running")
    job_status_broadcast(job)
    _notify(job, notify.IN_PROGRESS)
    started = time.monotonic()
    usage_before = resource.getrusage(resource.RUSAGE_THREAD)
    failure: tuple[str, str] | None = None
    try:
        process = job_process(job)
        workdir = job_workdir(job)
        workdir.mkdir(parents=True, exist_ok=True)
        context = RunContext(
            job_id=str(job.pk),
            owner_username=job.owner.username,
            workdir=workdir,
            progress=reporter,
        )
        with _heartbeat(reporter), ExitStack() as staged_files:
            inputs, staged_bytes, staged_seconds = stage_inputs(
                job.inputs, workdir, job.owner, staged_files
            )
            if staged_bytes:
                reporter.add_staged(bytes_in=staged_bytes, seconds=staged_seconds)
                reporter.log(f"staged {staged_bytes} bytes of inputs in {staged_seconds:.1f} s")
            inputs = nested_inputs_resolve(inputs, context, job.owner)
            results = parallel.execute(process, inputs, context)
    except JobDismissedError:
        Job.objects.filter(pk=job.pk).update(**_statistics(started, usage_before))
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
    statistics = _statistics(started, usage_before)
    if failure is None:
        _job_succeed(job, results, statistics)
        if job.response == "publish" and job.status == JobStatus.SUCCESSFUL:
            _publish(job)
    else:
        _job_fail(job, *failure, statistics=statistics)


def job_process(job: Job) -> Process:
    """The process as the job was accepted for: its revision, if it has one."""
    if job.revision is not None:
        return job.revision.as_process()
    if job.process is None:
        raise ExecutionFailedError("The process of this job no longer exists.")
    return job.process


def _statistics(started: float, usage_before: resource.struct_rusage) -> dict[str, Any]:
    """Duration, the CPU of the thread that ran the job (a worker or an inline thread
    beside others), and the peak memory of its process."""
    usage = resource.getrusage(resource.RUSAGE_THREAD)
    cpu = (usage.ru_utime - usage_before.ru_utime) + (usage.ru_stime - usage_before.ru_stime)
    return {
        "duration_seconds": time.monotonic() - started,
        "cpu_seconds": cpu,
        "max_memory_bytes": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024,
    }


def job_notify(*, job_id: str, uri: str, document: dict[str, Any], attempt: int, task: Any) -> None:
    """Send one notification for a job; on failure retry later, then give up and log it."""
    job = Job.objects.filter(pk=job_id).first()
    if job is None:
        return
    try:
        notify.notification_deliver(uri=uri, document=document)
    except Exception as error:  # any delivery failure is retried, then logged on the job
        if attempt < settings.NOTIFICATION_MAX_RETRIES:
            JobLogLine.objects.create(
                job=job, line=f"notification to {uri} failed, retrying: {error}"
            )
            countdown = settings.NOTIFICATION_RETRY_SECONDS * 2**attempt
            raise task.retry(exc=error, countdown=countdown) from error
        JobLogLine.objects.create(job=job, line=f"notification to {uri} failed for good: {error}")
        return
    JobLogLine.objects.create(job=job, line=f"notified {uri}")


def _notify(job: Job, moment: str) -> None:
    targets = notify.notifications_due(job, moment)
    document = notify.notification_document(job) if targets else {}
    for uri in targets:
        tasks.job_notify_task.apply_async(
            args=(str(job.pk), uri, document), queue=settings.NOTIFICATIONS_QUEUE
        )


def _record_finished_event(job: Job) -> None:
    if job.status not in (JobStatus.SUCCESSFUL, JobStatus.FAILED):
        return
    record_event(
        EventType.JOB_COMPLETED if job.status == JobStatus.SUCCESSFUL else EventType.JOB_FAILED,
        username=job.owner.username,
        jobId=str(job.pk),
        startedOn=job.started or job.created,
        jobUrl=public_request().build_absolute_uri(f"/ogcapi/jobs/{job.pk}?f=html"),
    )


def _finished_in_memory(job: Job, status: str, now: datetime, message: str = "") -> None:
    """Mirror a final-status UPDATE on the loaded job, saving a read back."""
    job.status, job.finished, job.updated, job.message = status, now, now, message
    if status == JobStatus.SUCCESSFUL:
        job.progress = 100


def _announce_finished(job: Job) -> None:
    """What follows the end of a job once it is committed: notifications and the live push."""

    def announce() -> None:
        _notify(job, notify.FINISHED)
        job_status_broadcast(job)

    transaction.on_commit(announce)


def _each_output(results: dict[str, Any]) -> Iterator[tuple[str, Any]]:
    """The outputs one row each: a list of files (a job run in parallel batches gathers one
    per batch) becomes the outputs `<id>.1`, `<id>.2`, … in the list's order."""
    for output_id, value in results.items():
        if isinstance(value, list) and value and all(isinstance(v, OutputFile) for v in value):
            yield from ((f"{output_id}.{number}", file) for number, file in enumerate(value, 1))
        else:
            yield output_id, value


def _output_rows(job: Job, results: dict[str, Any]) -> list[JobOutput]:
    rows = []
    for position, (output_id, value) in enumerate(_each_output(results)):
        if isinstance(value, OutputFile):
            relative = value.path.relative_to(Path(settings.STORAGE_ROOT))
            rows.append(
                JobOutput(
                    job=job,
                    output_id=output_id,
                    storage_path=str(relative),
                    media_type=value.media_type,
                    size_bytes=value.path.stat().st_size,
                    position=position,
                )
            )
        else:
            rows.append(JobOutput(job=job, output_id=output_id, value=value, position=position))
    return rows


def _outputs_to_storage(rows: list[JobOutput]) -> None:
    """Move output files from the worker's disk into an object store, when there is one."""
    if settings.STORAGE_BACKEND == "filesystem":
        return  # the job's folder already is its place in storage
    storage = platform_storage()
    for row in rows:
        if row.storage_path:
            local = Path(settings.STORAGE_ROOT) / row.storage_path
            storage.put_file(row.storage_path, local)
            local.unlink()


def _outputs_count(job: Job, rows: list[JobOutput]) -> None:
    """Output files count against the owner's quota (§9.1)."""
    size = sum(row.size_bytes or 0 for row in rows if row.storage_path)
    workspace = Workspace.objects.filter(owner=job.owner).first()
    if size and workspace is not None:
        workspace_usage_add(workspace, size)


def _job_succeed(job: Job, results: dict[str, Any], statistics: dict[str, Any]) -> None:
    """Outputs, status, log line and event in one transaction: one commit per finished job."""
    rows = _output_rows(job, results)
    _outputs_to_storage(rows)
    now = timezone.now()
    with transaction.atomic():
        finished = Job.objects.filter(pk=job.pk, status=JobStatus.RUNNING).update(
            status=JobStatus.SUCCESSFUL,
            progress=100,
            finished=now,
            updated=now,
            message="",
            **statistics,
        )
        if not finished:  # dismissed meanwhile: keep its statistics, nothing else
            Job.objects.filter(pk=job.pk).update(**statistics)
            return
        JobOutput.objects.bulk_create(rows)
        if any(row.storage_path for row in rows):
            job_results_register(job)
            _outputs_count(job, rows)
        JobLogLine.objects.create(job=job, line="successful")
        _finished_in_memory(job, JobStatus.SUCCESSFUL, now)
        _record_finished_event(job)
        _announce_finished(job)


def _publish(job: Job) -> None:
    """`response=publish` (§19.11): the outputs go to the web service named `endpoint`."""
    endpoint = str(job.execute_request.get("endpoint", ""))
    try:
        service = service_publish_job(job=job, endpoint=endpoint)
    except ApplicationError as error:
        JobLogLine.objects.create(job=job, line=f"not published to {endpoint}: {error.detail}")
        return
    path = f"/services/{job.owner.username}/collections/{service.identifier}"
    JobLogLine.objects.create(job=job, line=f"published to {path}")


def _job_fail(
    job: Job, kind: str, detail: str, *, statistics: dict[str, Any] | None = None
) -> None:
    now = timezone.now()
    exception = {
        "type": EXCEPTION_TYPE + kind,
        "title": "The job failed",
        "status": 500,
        "detail": detail,
    }
    with transaction.atomic():
        failed = Job.objects.filter(pk=job.pk, status=JobStatus.RUNNING).update(
            status=JobStatus.FAILED,
            finished=now,
            updated=now,
            message=detail,
            exception=exception,
            **(statistics or {}),
        )
        if not failed:
            if statistics:
                Job.objects.filter(pk=job.pk).update(**statistics)
            return
        JobLogLine.objects.create(job=job, line=f"failed: {detail}")
        _finished_in_memory(job, JobStatus.FAILED, now, detail)
        job.exception = exception
        _record_finished_event(job)
        _announce_finished(job)


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
    _finished_in_memory(job, JobStatus.DISMISSED, now, "Dismissed")
    _announce_finished(job)
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


def _inline_jobs_hand_over() -> list[str]:
    """Quick jobs whose accepting process stopped before running them go to the workers."""
    handed_over = []
    stranded = Job.objects.filter(
        status=JobStatus.ACCEPTED, runs_inline=True, created__lt=_silent_since()
    )
    for job in stranded:
        if Job.objects.filter(pk=job.pk, status=JobStatus.ACCEPTED, runs_inline=True).update(
            runs_inline=False, updated=timezone.now()
        ):
            JobLogLine.objects.create(job=job, line="handed to the workers: it was not started")
            _enqueue(job)
            handed_over.append(str(job.pk))
    return handed_over


def jobs_recover_lost() -> tuple[list[str], list[str]]:
    """Requeue running jobs whose worker stopped beating, once; fail them the second time.

    Returns the ids of the requeued and of the failed jobs.
    """
    requeued, failed = [], []
    requeued += _inline_jobs_hand_over()
    lost = Job.objects.filter(status=JobStatus.RUNNING, heartbeat__lt=_silent_since())
    for job in lost.select_related("owner"):
        if job.attempts < settings.JOB_MAX_RESTARTS:
            restarted = Job.objects.filter(pk=job.pk, status=JobStatus.RUNNING).update(
                status=JobStatus.ACCEPTED,
                attempts=F("attempts") + 1,
                runs_inline=False,
                updated=timezone.now(),
            )
            if restarted:
                JobLogLine.objects.create(job=job, line="requeued: its worker stopped responding")
                _enqueue(job)
                requeued.append(str(job.pk))
            continue
        _job_fail(job, "worker-lost", "The worker running this job was lost.")
        failed.append(str(job.pk))
    return requeued, failed
