"""The CWL runner: the platform processes a document's steps name, and its container engine."""

import shutil
from contextvars import ContextVar
from typing import Any

from apps.accounts.models import User
from apps.processes.cwl import (
    cwl_load,
    cwl_process_stand_in,
    cwl_step_process_identifiers,
    cwl_with_stand_ins,
)
from apps.processes.models import Process
from apps.processes.runners.base import ExecutionFailedError, RunContext
from apps.processes.runners.cwl.run import CwlRun
from apps.processes.selectors import process_get_visible_to

CONTAINER_ENGINES = ("docker", "podman")

_processes_running: ContextVar[tuple[str, ...]] = ContextVar("cwl_processes_running", default=())
"""The CWL processes the current thread is inside of, outermost first."""


class CwlRunner:
    def run(self, process: Process, inputs: dict[str, Any], context: RunContext) -> dict[str, Any]:
        running = _processes_running.get()
        if process.identifier in running:
            raise ExecutionFailedError(
                f"The process {process.identifier!r} runs itself through its workflow steps."
            )
        document = cwl_load(process.execution_unit.get("unit") or {})
        step_processes = _step_processes(document, context.owner)
        prepared = cwl_with_stand_ins(
            document,
            lambda identifier, _step: cwl_process_stand_in(
                identifier, step_processes[identifier].description
            ),
        )
        token = _processes_running.set((*running, process.identifier))
        try:
            return CwlRun(context, step_processes).execute(
                prepared, inputs, _container_engine(document)
            )
        finally:
            _processes_running.reset(token)


def _step_processes(document: dict[str, Any], owner: User) -> dict[str, Process]:
    """The platform processes the steps name, each one the job's owner may run."""
    identifiers = cwl_step_process_identifiers(document)
    if not identifiers:
        return {}
    processes = {}
    for identifier in identifiers:
        step_process = process_get_visible_to(identifier=identifier, user=owner)
        if step_process is None:
            raise ExecutionFailedError(
                f"A workflow step runs the process {identifier!r}, which does not exist"
                " or is not one you may run."
            )
        processes[identifier] = step_process
    return processes


def _container_engine(document: dict[str, Any]) -> str | None:
    """The engine to run the containers a package requires; None when it requires none.

    Tools that only hint at a container run on the worker itself (`--no-container`).
    """
    if "DockerRequirement" not in _required_classes(document):
        return None
    engine = next((name for name in CONTAINER_ENGINES if shutil.which(name)), None)
    if engine is None:
        raise ExecutionFailedError(
            "This package requires a container (DockerRequirement), and this platform"
            " runs CWL without a container engine."
        )
    return engine


def _required_classes(node: Any) -> set[str]:
    """The classes of every `requirements` entry anywhere in a document."""
    found: set[str] = set()
    if isinstance(node, dict):
        requirements = node.get("requirements")
        if isinstance(requirements, dict):
            found.update(requirements)
        elif isinstance(requirements, list):
            found.update(str(each.get("class")) for each in requirements if isinstance(each, dict))
        for value in node.values():
            found |= _required_classes(value)
    elif isinstance(node, list):
        for value in node:
            found |= _required_classes(value)
    return found
