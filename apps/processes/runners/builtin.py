"""Runs a registered built-in process in the worker's own process."""

from typing import Any

from apps.processes.models import Process
from apps.processes.registry import registered_process
from apps.processes.runners.base import ExecutionFailedError, RunContext


class BuiltinRunner:
    def run(self, process: Process, inputs: dict[str, Any], context: RunContext) -> dict[str, Any]:
        builtin = registered_process(process.execution_unit.get("function", process.identifier))
        if builtin is None:
            raise ExecutionFailedError(f"The built-in process {process.identifier!r} is gone.")
        arguments = dict(inputs)
        if builtin.progress_parameter:
            arguments[builtin.progress_parameter] = context.progress
        if builtin.workdir_parameter:
            arguments[builtin.workdir_parameter] = context.workdir
        return builtin.function(**arguments)
