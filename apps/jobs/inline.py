"""Quick jobs run in the process that accepted them.

A built-in process marked `quick` (Add, Mul, echo: milliseconds of work, no files) gains
nothing from the queue but the trip through it: the broker, a worker picking the message
up, and the client polling meanwhile. Such a job keeps its `Job` row, its run log, events
and notifications, but runs on a small thread pool of the accepting process once its row is
committed. Should that process stop before the job ends, the janitor hands the job to the
workers (`jobs_recover_lost`): it is marked `runs_inline` for exactly that.
"""

from concurrent.futures import ThreadPoolExecutor
from threading import Lock
from typing import Any

from django.conf import settings
from django.db import connection

from apps.processes.models import ExecutionUnitType, Process
from apps.processes.registry import registered_process
from apps.processes.validation import is_nested_process

_pool: ThreadPoolExecutor | None = None
_pool_lock = Lock()


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


def _pool_of_this_process() -> ThreadPoolExecutor:
    global _pool
    with _pool_lock:
        if _pool is None:
            _pool = ThreadPoolExecutor(
                max_workers=settings.INLINE_JOB_THREADS, thread_name_prefix="inline-job"
            )
        return _pool


def _run(job_id: str) -> None:
    from apps.jobs.services import job_run

    try:
        job_run(job_id=job_id)
    finally:
        connection.close()


def inline_start(job_id: str) -> None:
    """Run the job on this process's pool (after its row is committed)."""
    _pool_of_this_process().submit(_run, job_id)
