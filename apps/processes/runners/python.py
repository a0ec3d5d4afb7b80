"""Runs a `python` execution unit: a callable from a module the administrator allowed."""

import inspect
from typing import Any

from apps.processes.models import Process
from apps.processes.packages import python_callable
from apps.processes.runners.base import ExecutionFailedError, RunContext


class PythonRunner:
    """Calls the unit's function with the inputs as keyword arguments.

    A function may take `progress` and `workdir` parameters to report progress and write
    files. It returns a dict of output values, or one value for a single-output process.
    """

    def run(self, process: Process, inputs: dict[str, Any], context: RunContext) -> dict[str, Any]:
        target = str(process.execution_unit.get("callable", ""))
        function = python_callable(target)
        if function is None:
            raise ExecutionFailedError(f"{target!r} may not be run on this platform.")
        parameters = inspect.signature(function).parameters
        arguments = dict(inputs)
        if "progress" in parameters:
            arguments["progress"] = context.progress
        if "workdir" in parameters:
            arguments["workdir"] = context.workdir
        result = function(**arguments)
        outputs = list(process.description.get("outputs") or {})
        if isinstance(result, dict) and set(result) <= set(outputs):
            return result
        if len(outputs) == 1:
            return {outputs[0]: result}
        raise ExecutionFailedError(
            f"{target} returned {type(result).__name__}, not a value for each output."
        )
