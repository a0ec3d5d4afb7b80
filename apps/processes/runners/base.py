"""What every runner of an execution unit gets and gives back."""

from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol

from apps.processes.models import Process
from apps.processes.registry import ProgressReporter


@dataclass(frozen=True)
class OutputFile:
    """A result written to a file in the job's folder."""

    path: Path
    media_type: str


@dataclass(frozen=True)
class RunContext:
    job_id: str
    owner_username: str
    workdir: Path
    progress: ProgressReporter


class Runner(Protocol):
    def run(
        self, process: Process, inputs: dict[str, Any], context: RunContext
    ) -> dict[str, Any]: ...


class ExecutionFailedError(Exception):
    """The process ran and failed; the message is shown to the user."""
