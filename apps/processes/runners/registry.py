"""The runner for each execution-unit type."""

from apps.processes.models import ExecutionUnitType, Process
from apps.processes.runners.base import ExecutionFailedError, Runner
from apps.processes.runners.builtin import BuiltinRunner
from apps.processes.runners.python import PythonRunner

RUNNERS: dict[str, Runner] = {
    ExecutionUnitType.BUILTIN: BuiltinRunner(),
    ExecutionUnitType.PYTHON: PythonRunner(),
}


def runner_for(process: Process) -> Runner:
    runner = RUNNERS.get(process.execution_unit_type)
    if runner is None:
        raise ExecutionFailedError(
            f"This platform cannot run {process.execution_unit_type!r} execution units."
        )
    return runner
