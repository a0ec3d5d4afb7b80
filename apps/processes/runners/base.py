"""What every runner of an execution unit gets and gives back."""

import logging
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol, runtime_checkable

from apps.accounts.models import User
from apps.processes.models import Process
from apps.processes.registry import ProgressReporter

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class OutputFile:
    """A result written to a file in the job's folder."""

    path: Path
    media_type: str


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
