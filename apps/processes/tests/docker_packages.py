"""Two deployed `docker` packages of the design document (package_examples.py), normalised
as deployment stores them, and helpers to make their Process rows and accepted jobs.

- NDVI (§17.2.3): inputs bound as `prefix=value` (prefix + argumentSeparator "=").
- dsi (§19.3): its product references go in a parameter file at position 1, all in one
  container.
"""

import copy
import threading
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings
from django.db import connection

from apps.accounts.models import User
from apps.jobs.models import Job, JobLogLine
from apps.jobs.reporting import JobReporter
from apps.jobs.services import job_run
from apps.processes.models import Process
from apps.processes.packages import package_read
from apps.processes.tests.package_examples import dsi_package, ndvi_package
from apps.processes.validation import execute_request_check

NDVI = package_read(ndvi_package())
NDVI_DESCRIPTION: dict[str, Any] = NDVI.description
NDVI_UNIT: dict[str, Any] = NDVI.execution_unit


def _dsi_in_one_container() -> dict[str, Any]:
    """dsi without its `correlatedInputs: false`, which would run each product as a batch of
    its own (apps/processes/parallel/): here one container reads them all from its
    parameter file."""
    package = dsi_package()
    (product,) = package["processDescription"]["inputs"]
    product["additionalParameters"] = [
        group
        for group in product["additionalParameters"]
        if group["role"] != "processingDirectives"
    ]
    return package


DSI = package_read(_dsi_in_one_container())
DSI_DESCRIPTION: dict[str, Any] = DSI.description
DSI_UNIT: dict[str, Any] = DSI.execution_unit


def docker_process_create(
    owner: User,
    description: dict[str, Any],
    unit: dict[str, Any],
    *,
    identifier: str | None = None,
) -> Process:
    """A published process with this (normalised) description and docker unit."""
    return Process.objects.create(
        identifier=identifier or description["id"],
        title=description["title"],
        description=copy.deepcopy(description),
        execution_unit=copy.deepcopy(unit),
        execution_unit_type="docker",
        job_control_options=["async-execute"],
        state="published",
        owner=owner,
    )


def job_accept(user: User, process: Process, body: dict[str, Any]) -> Job:
    """An accepted job, as job_submit makes it, but queued nowhere: the test runs it."""
    request = execute_request_check(process.description, body)
    timeout = process.description.get("jobTimeout") or settings.JOB_DEFAULT_TIMEOUT_SECONDS
    job = Job.objects.create(
        owner=user,
        process=process,
        process_identifier=process.identifier,
        process_version=process.version,
        execute_request=body,
        inputs=request.inputs,
        response=request.response,
        job_timeout_seconds=int(timeout),
    )
    JobLogLine.objects.create(job=job, line=f"accepted: {process.identifier} {process.version}")
    return job


def job_run_now(job: Job) -> Job:
    """Run the accepted job here, as a worker would; the job as it ended."""
    job_run(job_id=str(job.pk))
    job.refresh_from_db()
    return job


def job_run_on_thread(job: Job) -> threading.Thread:
    """Start running the accepted job on a thread, as a worker would; join it to wait."""

    def work() -> None:
        try:
            job_run(job_id=str(job.pk))
        finally:
            connection.close()

    worker = threading.Thread(target=work)
    worker.start()
    return worker


def holdings_file(relative: str, content: bytes) -> Path:
    """A file in the platform's holdings (`holdings/<relative>`), on the filesystem backend."""
    path = Path(settings.STORAGE_ROOT) / "holdings" / relative
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(content)
    return path


def log_lines(job: Job) -> list[str]:
    return list(job.log_lines.values_list("line", flat=True))


def stop_checks_counted(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The jobs' reporters' checks for a dismissal from now on (job ids), as they happen."""
    checks: list[str] = []
    check = JobReporter.raise_if_stopped

    def counted(reporter: JobReporter) -> None:
        checks.append(str(reporter.job.pk))
        check(reporter)

    monkeypatch.setattr(JobReporter, "raise_if_stopped", counted)
    return checks
