"""What every runner of an execution unit gets and gives back."""

import hashlib
import logging
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol, runtime_checkable

from django.conf import settings

from apps.accounts.models import User
from apps.processes.models import Process
from apps.processes.registry import ProgressReporter
from apps.workspaces.storage import storage_file_fetch

logger = logging.getLogger(__name__)

JOB_ID_LENGTH = 36  # a UUID's text
STEP_DIGEST_LENGTH = 10


@dataclass(frozen=True)
class OutputFile:
    """A result written to a file in the job's folder.

    `stored_size` is set when the file is already in the platform's object store, at the key
    of its path below STORAGE_ROOT, with that many bytes (a Kubernetes pod's stage-out put it
    there): the worker's disk need not hold it, and it is not uploaded again.
    """

    path: Path
    media_type: str
    stored_size: int | None = None


def output_file_local(output: OutputFile) -> Path:
    """The output's path on this machine: a file a runner left only in the object store
    (a Kubernetes pod staging through it) is fetched there first, for whatever reads it next
    (another process, a workflow step)."""
    if output.stored_size is not None and not output.path.is_file():
        key = output.path.relative_to(Path(settings.STORAGE_ROOT)).as_posix()
        storage_file_fetch(key, output.path)
    return output.path


@dataclass(frozen=True)
class RunContext:
    """What a runner knows of the job it runs; `owner` was read with the job, so that
    runners need not read it again."""

    job_id: str
    owner: User
    workdir: Path
    progress: ProgressReporter


@runtime_checkable
class RunLog(Protocol):
    """A reporter that also keeps the job's run log (the jobs' and the batches' do)."""

    def log(self, line: str) -> None: ...


@runtime_checkable
class StopCheck(Protocol):
    """A reporter that can tell, writing nothing, whether its job was stopped (the jobs'
    reporter can)."""

    def raise_if_stopped(self) -> None:
        """Raise what a report would raise once the job no longer runs."""


def step_run_id(run_id: str, step: str) -> str:
    """The id a step of a run (a nested call, a workflow step) gets for its runner.

    Distinct for each step, so that steps' containers and Kubernetes Jobs, named after it,
    do not collide; the same for the same step, so that a redelivered job's step finds its
    own again. It keeps the job's id in front and has the same length at any depth (names
    and label values in Kubernetes hold at most 63 characters).
    """
    job_id = run_id[:JOB_ID_LENGTH]
    digest = hashlib.sha256(f"{run_id}/{step}".encode()).hexdigest()[:STEP_DIGEST_LENGTH]
    return f"{job_id}-s{digest}"


def stop_check(progress: ProgressReporter) -> None:
    """Raise, as a report would, once the job (or batch) no longer runs, writing nothing:
    where the reporter can tell (a StopCheck); a reporter that cannot tells nothing here."""
    if isinstance(progress, StopCheck):
        progress.raise_if_stopped()


def run_log_writer(context: RunContext) -> Callable[[str], None]:
    """Where lines of the job's run log go: its reporter's log, else this module's logger."""
    if isinstance(context.progress, RunLog):
        return context.progress.log
    return lambda line: logger.info("job %s: %s", context.job_id, line)


class Runner(Protocol):
    def run(
        self, process: Process, inputs: dict[str, Any], context: RunContext
    ) -> dict[str, Any]: ...


class ExecutionFailedError(Exception):
    """The process ran and failed; the message is shown to the user."""
