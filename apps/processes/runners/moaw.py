"""Runs a deployed OGC Modular Workflow (`moaw` execution unit, §16.2.2 Example 7).

The unit's `source` is an execute request for its top process whose input values may be
nested calls and `{"input": name}` placeholders for the deployed process's own inputs:

    {"process": "Mul", "inputs": {"value1": {"input": "value3"},
                                  "value2": {"process": "Add", "inputs": {…}}}}
"""

from typing import TYPE_CHECKING, Any

from apps.processes.models import Process
from apps.processes.runners.base import ExecutionFailedError, RunContext

if TYPE_CHECKING:
    from apps.processes.nesting import NestedCall


class MoawRunner:
    """Substitutes the inputs into the source, then runs it as a nested call would run.

    The steps run as the job's owner: a workflow may only use processes its caller may.
    """

    def run(self, process: Process, inputs: dict[str, Any], context: RunContext) -> dict[str, Any]:
        source = process.execution_unit.get("source")
        if not (isinstance(source, dict) and isinstance(source.get("process"), str)):
            raise ExecutionFailedError(f"The workflow {process.identifier!r} names no process.")
        from apps.processes import nesting  # it runs steps through the runner registry

        call = nesting.NestedCall.of(nesting.workflow_inputs_substitute(source, inputs))
        results = nesting.nested_call_execute(call, context, context.owner)
        return _deployed_outputs(process, call, results)


def _deployed_outputs(
    process: Process, call: "NestedCall", results: dict[str, Any]
) -> dict[str, Any]:
    """The deployed process's outputs: the top process's outputs of the same ids, or its
    only output when both have exactly one."""
    declared = list(process.description.get("outputs") or {})
    if all(output_id in results for output_id in declared):
        return {output_id: results[output_id] for output_id in declared}
    if len(declared) == 1 and len(results) == 1:
        return {declared[0]: next(iter(results.values()))}
    raise ExecutionFailedError(
        f"The workflow's process {call.process!r} gave the outputs {sorted(results)}, "
        f"which do not match the outputs {declared} of {process.identifier!r}."
    )
