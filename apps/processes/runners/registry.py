"""The runner for each execution-unit type."""

from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

from apps.processes.models import ExecutionUnitType, Process
from apps.processes.runners.base import ExecutionFailedError, RunContext, Runner
from apps.processes.runners.builtin import BuiltinRunner
from apps.processes.runners.cwl import CwlRunner
from apps.processes.runners.engine import ContainerEngineRunner, engine_container_stop
from apps.processes.runners.kubernetes import KubernetesRunner, kubernetes_job_delete
from apps.processes.runners.moaw import MoawRunner
from apps.processes.runners.python import PythonRunner

CONTAINER_RUNNERS: dict[str, Runner] = {
    "kubernetes": KubernetesRunner(),
    "engine": ContainerEngineRunner(),
}
CONTAINER_STOPPERS: dict[str, Callable[[str], None]] = {
    "kubernetes": kubernetes_job_delete,
    "engine": engine_container_stop,
}


def _container_runner_name() -> str:
    name = str(settings.CONTAINER_RUNNER)
    if name not in CONTAINER_RUNNERS:
        raise ImproperlyConfigured(
            f"CONTAINER_RUNNER must be one of {', '.join(CONTAINER_RUNNERS)}, not {name!r}."
        )
    return name


class ContainerRunner:
    """Runs `docker` units where settings.CONTAINER_RUNNER says, read at each run."""

    def run(self, process: Process, inputs: dict[str, Any], context: RunContext) -> dict[str, Any]:
        return CONTAINER_RUNNERS[_container_runner_name()].run(process, inputs, context)


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
        CONTAINER_STOPPERS[_container_runner_name()](job_id)
