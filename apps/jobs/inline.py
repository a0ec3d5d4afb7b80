"""Quick jobs run by the request that accepted them.

A built-in process marked `quick` (Add, Mul, echo: milliseconds of work, no files) gains
nothing from the queue but the trip through it: the broker, a worker picking the message
up, and the client polling meanwhile. Such a job keeps its `Job` row, its run log, events
and notifications, but runs right after its row is committed, in the thread that accepted
it; the answer then already tells its outcome. Should that process stop in between, the
janitor hands the job to the workers (`jobs_recover_lost`): it is marked `runs_inline` for
exactly that.
"""

from typing import Any

from django.conf import settings

from apps.processes.models import ExecutionUnitType, Process
from apps.processes.registry import registered_process
from apps.processes.validation import is_nested_process


def _has_reference(value: Any) -> bool:
    if isinstance(value, list):
        return any(_has_reference(item) for item in value)
    return isinstance(value, dict) and ("href" in value or is_nested_process(value))


def job_may_run_inline(process: Process, inputs: dict[str, Any], response: str) -> bool:
    """A quick built-in whose inputs are plain values and whose results stay in the job."""
    if not settings.INLINE_JOBS or process.execution_unit_type != ExecutionUnitType.BUILTIN:
        return False
    builtin = registered_process(process.execution_unit.get("function", process.identifier))
    return (
        builtin is not None
        and builtin.quick
        and response != "publish"
        and not any(_has_reference(value) for value in inputs.values())
    )
