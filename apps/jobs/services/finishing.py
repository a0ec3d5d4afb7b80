"""The end of a job: its outputs, final status, statistics, event and announcements."""

import json
import resource
import time
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from apps.catalogue.registration import job_results_register
from apps.jobs import notify
from apps.jobs.models import Job, JobLogLine, JobOutput, JobStatus
from apps.jobs.reporting import job_status_broadcast
from apps.jobs.services.notifying import job_notifications_enqueue
from apps.notifications.events import EventType, record_event
from apps.ogc.errors import ApplicationError
from apps.ogc.links import public_request
from apps.processes.runners.base import ExecutionFailedError, OutputFile
from apps.webservices.services import service_publish_job
from apps.workspaces.models import Workspace
from apps.workspaces.services import workspace_usage_add
from apps.workspaces.storage import platform_storage

EXCEPTION_TYPE = "http://www.opengis.net/def/exceptions/ogcapi-processes-1/1.0/"


def job_statistics(started: float, usage_before: resource.struct_rusage) -> dict[str, Any]:
    """Duration, the CPU of the thread that ran the job (a worker or a request's thread
    beside others), and the peak memory of its process."""
    usage = resource.getrusage(resource.RUSAGE_THREAD)
    cpu = (usage.ru_utime - usage_before.ru_utime) + (usage.ru_stime - usage_before.ru_stime)
    return {
        "duration_seconds": time.monotonic() - started,
        "cpu_seconds": cpu,
        "max_memory_bytes": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024,
    }


def job_exception(kind: str, detail: str) -> dict[str, Any]:
    """The exception document of a failed job (§11.5.1)."""
    return {
        "type": EXCEPTION_TYPE + kind,
        "title": "The job failed",
        "status": 500,
        "detail": detail,
    }


def job_finished_event_record(job: Job) -> None:
    if job.status not in (JobStatus.SUCCESSFUL, JobStatus.FAILED):
        return
    record_event(
        EventType.JOB_COMPLETED if job.status == JobStatus.SUCCESSFUL else EventType.JOB_FAILED,
        username=job.owner.username,
        jobId=str(job.pk),
        startedOn=job.started or job.created,
        jobUrl=public_request().build_absolute_uri(f"/ogcapi/jobs/{job.pk}?f=html"),
    )


def job_finished_in_memory(job: Job, status: str, now: datetime, message: str = "") -> None:
    """Mirror a final-status UPDATE on the loaded job, saving a read back."""
    job.status, job.finished, job.updated, job.message = status, now, now, message
    if status == JobStatus.SUCCESSFUL:
        job.progress = 100


def job_finished_announce(job: Job) -> None:
    """What follows the end of a job once it is committed: notifications and the live push."""

    def announce() -> None:
        job_notifications_enqueue(job, notify.FINISHED)
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


def job_results_check(results: dict[str, Any]) -> dict[str, Any]:
    """The results, if each value JSON can hold; else ExecutionFailedError naming the output
    (a number that overflowed to infinity, say, could not be stored or answered)."""
    for output_id, value in _each_output(results):
        if isinstance(value, OutputFile):
            continue
        try:
            json.dumps(value, allow_nan=False)
        except (TypeError, ValueError) as error:
            raise ExecutionFailedError(
                f"Output {output_id!r} is not a JSON value ({error})."
            ) from error
    return results


def _storage_key(file: OutputFile) -> str:
    return file.path.relative_to(Path(settings.STORAGE_ROOT)).as_posix()


def _is_on_the_workers_disk(file: OutputFile) -> bool:
    return file.stored_size is None and file.path.is_file()


def _output_file_size(file: OutputFile) -> int:
    """Its size as the runner found it in the store; else on the worker's disk; else as the
    store has it: a batch's output that its pod left there (a batch's row keeps no size)."""
    if file.stored_size is not None:
        return file.stored_size
    if settings.STORAGE_BACKEND != "filesystem" and not file.path.is_file():
        entry = platform_storage().stat(_storage_key(file))
        if entry is not None and not entry.is_folder:
            return entry.size
    return file.path.stat().st_size


def job_output_rows(job: Job, results: dict[str, Any]) -> list[JobOutput]:
    rows = []
    for position, (output_id, value) in enumerate(_each_output(results)):
        if isinstance(value, OutputFile):
            rows.append(
                JobOutput(
                    job=job,
                    output_id=output_id,
                    storage_path=_storage_key(value),
                    media_type=value.media_type,
                    size_bytes=_output_file_size(value),
                    position=position,
                )
            )
        else:
            rows.append(JobOutput(job=job, output_id=output_id, value=value, position=position))
    return rows


def _outputs_to_storage(results: dict[str, Any]) -> None:
    """Move output files from the worker's disk into an object store, when there is one.

    Files a runner left in the store (a Kubernetes pod's) are already at their keys.
    """
    if settings.STORAGE_BACKEND == "filesystem":
        return  # the job's folder already is its place in storage
    storage = platform_storage()
    for _, value in _each_output(results):
        if isinstance(value, OutputFile) and _is_on_the_workers_disk(value):
            storage.put_file(_storage_key(value), value.path)
            value.path.unlink()


def _outputs_count(job: Job, rows: list[JobOutput]) -> None:
    """Output files count against the owner's quota (§9.1)."""
    size = sum(row.size_bytes or 0 for row in rows if row.storage_path)
    workspace = Workspace.objects.filter(owner=job.owner).first()
    if size and workspace is not None:
        workspace_usage_add(workspace, size)


def job_succeed(job: Job, results: dict[str, Any], statistics: dict[str, Any]) -> None:
    """Outputs, status, log line and event in one transaction: one commit per finished job."""
    rows = job_output_rows(job, results)
    _outputs_to_storage(results)
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
        job_finished_in_memory(job, JobStatus.SUCCESSFUL, now)
        job_finished_event_record(job)
        job_finished_announce(job)


def job_publish(job: Job) -> None:
    """`response=publish` (§19.11): the outputs go to the web service named `endpoint`."""
    endpoint = str(job.execute_request.get("endpoint", ""))
    try:
        service = service_publish_job(job=job, endpoint=endpoint)
    except ApplicationError as error:
        JobLogLine.objects.create(job=job, line=f"not published to {endpoint}: {error.detail}")
        return
    path = f"/services/{job.owner.username}/collections/{service.identifier}"
    JobLogLine.objects.create(job=job, line=f"published to {path}")


def job_fail(job: Job, kind: str, detail: str, *, statistics: dict[str, Any] | None = None) -> None:
    now = timezone.now()
    exception = job_exception(kind, detail)
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
        job_finished_in_memory(job, JobStatus.FAILED, now, detail)
        job.exception = exception
        job_finished_event_record(job)
        job_finished_announce(job)
