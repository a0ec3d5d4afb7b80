"""The runner for each execution-unit type."""

import importlib
from types import ModuleType
from typing import Any

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

from apps.processes.models import ExecutionUnitType, Process
from apps.processes.runners.base import ExecutionFailedError, RunContext, Runner
from apps.processes.runners.builtin import BuiltinRunner
from apps.processes.runners.cwl import CwlRunner
from apps.processes.runners.moaw import MoawRunner
from apps.processes.runners.python import PythonRunner

# The module of each container runner (its RUNNER and container_stop), imported when a
# `docker` unit first runs or stops: the Kubernetes client alone takes a quarter of a
# second to import, which every web process and worker would otherwise pay at start-up.
CONTAINER_RUNNER_MODULES = {
    "kubernetes": "apps.processes.runners.kubernetes",
    "engine": "apps.processes.runners.engine",
}


def _container_runner_module() -> ModuleType:
    name = str(settings.CONTAINER_RUNNER)
    if name not in CONTAINER_RUNNER_MODULES:
        raise ImproperlyConfigured(
            f"CONTAINER_RUNNER must be one of {', '.join(CONTAINER_RUNNER_MODULES)}, not {name!r}."
        )
    return importlib.import_module(CONTAINER_RUNNER_MODULES[name])


class ContainerRunner:
    """Runs `docker` units where settings.CONTAINER_RUNNER says, read at each run."""

    def run(self, process: Process, inputs: dict[str, Any], context: RunContext) -> dict[str, Any]:
        runner: Runner = _container_runner_module().RUNNER
        return runner.run(process, inputs, context)


RUNNERS: dict[str, Runner] = {
    ExecutionUnitType.BUILTIN: BuiltinRunner(),
    ExecutionUnitType.PYTHON: PythonRunner(),
    ExecutionUnitType.DOCKER: ContainerRunner(),
    ExecutionUnitType.CWL: CwlRunner(),
    ExecutionUnitType.MOAW: MoawRunner(),
}


def runner_for(process: Process) -> Runner:
    runner = RUNNERS.get(process.execution_unit_type)
    if runner is None:
        raise ExecutionFailedError(
            f"This platform cannot run {process.execution_unit_type!r} execution units."
        )
    return runner


def runner_stop(process: Process, job_id: str) -> None:
    """Stop what runs a job outside the worker: the Kubernetes Job or the container of a
    `docker` unit (nothing for other units, which stop with their worker).

    Raises RunnerStopError when it cannot be stopped.
    """
    if process.execution_unit_type == ExecutionUnitType.DOCKER:
        _container_runner_module().container_stop(job_id)
