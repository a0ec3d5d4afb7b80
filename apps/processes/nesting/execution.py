"""Execution in the worker: each nested call runs, its own nested calls first, siblings at once."""

import time
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor, wait
from contextlib import ExitStack
from dataclasses import replace
from functools import partial
from pathlib import Path
from typing import Any

from django.db import connections

from apps.accounts.models import User
from apps.processes.nesting.calls import REMOTE_PREFIXES, NestedCall, NestedSlot, nested_slots
from apps.processes.registry import ProgressReporter
from apps.processes.remote import remote_process_execute, remote_process_of
from apps.processes.runners import registry
from apps.processes.runners.base import (
    ExecutionFailedError,
    OutputFile,
    RunContext,
    RunLog,
    output_file_local,
    step_run_id,
    stop_check,
)
from apps.processes.selectors import process_get_visible_to
from apps.processes.staging import stage_inputs

MAX_PARALLEL_STEPS = 8
QUALIFIED_MEMBERS = {"value", "mediaType", "encoding", "schema"}
HELD_PERCENT = 0
"""The job's percent while nested steps run: they run before the process that uses their
outputs has reported anything, and a step's own 0-100 % would move the job back and forth."""


class NestedProgress:
    """A nested step's reports, forwarded to its parent's reporter with the step as prefix.

    The job's percent is held at `HELD_PERCENT`; the step's own percent goes in the line.
    Its `log` makes it a `RunLog`, so what a step's runner logs (a container's output, a CWL
    tool's) reaches the job's run log; and it asks its parent whether the job was stopped
    (a `StopCheck`), so a step's container is stopped as promptly as the job's.
    """

    def __init__(self, parent: ProgressReporter, label: str) -> None:
        self.parent = parent
        self.label = label

    def __call__(self, percent: int, message: str = "") -> None:
        self.report_line(f"{int(percent)}% {message}".strip())

    def report_line(self, line: str) -> None:
        """A line of the step's own, reported as progress of the job (its percent held)."""
        prefixed = f"[{self.label}] {line}"
        if isinstance(self.parent, NestedProgress):
            self.parent.report_line(prefixed)
        else:
            self.parent(HELD_PERCENT, prefixed)

    def log(self, line: str) -> None:
        """A run-log line (a container's output): not a report, where the parent keeps a log."""
        prefixed = f"[{self.label}] {line}"
        if isinstance(self.parent, RunLog):
            self.parent.log(prefixed)
        else:
            self.parent(HELD_PERCENT, prefixed)

    def raise_if_stopped(self) -> None:
        stop_check(self.parent)


def nested_inputs_resolve(
    inputs: dict[str, Any], context: RunContext, owner: User
) -> dict[str, Any]:
    """The inputs of a local process with every nested call replaced by its output.

    Each call runs as `owner`, in `nested/<n>/` of the context's folder. A reference an
    output gives (a remote process's `{"href": URL}`) is downloaded like a staged input.
    Raises ExecutionFailedError naming the failing step.
    """
    slots = nested_slots(inputs)
    if not slots:
        return inputs
    resolved = _resolved(inputs, slots, context, owner)
    return _urls_downloaded(resolved, {slot.input_id for slot in slots}, context.workdir, owner)


def nested_call_execute(call: NestedCall, context: RunContext, owner: User) -> dict[str, Any]:
    """Run one call (its nested inputs first) and return every output it gave, by id."""
    if call.is_remote:
        return _remote_execute(call, context, owner)
    return _local_execute(call, context, owner)


def _resolved(
    inputs: dict[str, Any], slots: list[NestedSlot], context: RunContext, owner: User
) -> dict[str, Any]:
    steps = [
        partial(_slot_value, slot, number, context, owner)
        for number, slot in enumerate(slots, start=1)
    ]
    resolved = {
        key: list(value) if isinstance(value, list) else value for key, value in inputs.items()
    }
    for slot, value in zip(slots, _in_parallel(steps), strict=True):
        if slot.index is None:
            resolved[slot.input_id] = value
        else:
            resolved[slot.input_id][slot.index] = value
    return resolved


def _nested_resolved(inputs: dict[str, Any], context: RunContext, owner: User) -> dict[str, Any]:
    slots = nested_slots(inputs)
    return _resolved(inputs, slots, context, owner) if slots else inputs


def _in_parallel(steps: Sequence[Callable[[], Any]]) -> list[Any]:
    """Run sibling steps at once and return their values in order.

    Every step is waited for before the first failure is raised, so none still writes to
    the job's folder or run log once the job has failed. If this thread is interrupted
    (the job's time limit), steps not yet started are cancelled.
    """
    if len(steps) == 1:
        return [steps[0]()]
    executor = ThreadPoolExecutor(
        max_workers=min(len(steps), MAX_PARALLEL_STEPS), thread_name_prefix="nested-step"
    )
    try:
        futures = [executor.submit(_closing_connections, step) for step in steps]
        wait(futures)
        return [future.result() for future in futures]
    finally:
        executor.shutdown(wait=False, cancel_futures=True)


def _closing_connections(step: Callable[[], Any]) -> Any:
    """A step in its own thread, which must not leave its database connections open."""
    try:
        return step()
    finally:
        connections.close_all()


def _slot_value(slot: NestedSlot, number: int, context: RunContext, owner: User) -> Any:
    call = slot.call
    progress = NestedProgress(context.progress, f"{slot.input_id}: {call.process}")
    workdir = context.workdir / "nested" / str(number)
    workdir.mkdir(parents=True, exist_ok=True)
    step_context = replace(
        context,
        job_id=step_run_id(context.job_id, f"nested/{number}"),
        workdir=workdir,
        progress=progress,
    )
    progress.report_line("started")
    started = time.monotonic()
    try:
        results = nested_call_execute(call, step_context, owner)
    except ExecutionFailedError as error:
        raise ExecutionFailedError(
            f"Nested process {call.process!r} (input {slot.input_id!r}): {error}"
        ) from error
    progress.report_line(f"finished in {time.monotonic() - started:.1f} s")
    return _chosen_output(call, results)


def _chosen_output(call: NestedCall, results: dict[str, Any]) -> Any:
    """The value the call feeds: its one chosen output, or an object of several."""
    chosen = list(call.outputs) or list(results)
    missing = [output_id for output_id in chosen if output_id not in results]
    if not chosen or missing:
        raise ExecutionFailedError(
            f"The nested process {call.process!r} gave no output "
            f"{', '.join(repr(output_id) for output_id in missing) or 'at all'}."
        )
    values = {output_id: _as_input_value(results[output_id]) for output_id in chosen}
    return values[chosen[0]] if len(chosen) == 1 else values


def _as_input_value(output: Any) -> Any:
    """An output file feeds the next process as a local path, as a staged input would."""
    return output_file_local(output) if isinstance(output, OutputFile) else output


def _local_execute(call: NestedCall, context: RunContext, owner: User) -> dict[str, Any]:
    process = process_get_visible_to(identifier=call.process, user=owner)
    if process is None:
        raise ExecutionFailedError(f"There is no process {call.process!r} for {owner.username}.")
    inputs = _nested_resolved(_completed(process.description, call.inputs), context, owner)
    with ExitStack() as staged_files:
        staged, _, _ = stage_inputs(inputs, context.workdir, owner, staged_files)
        return registry.runner_for(process).run(process, staged, context)


def _completed(description: dict[str, Any], inputs: dict[str, Any]) -> dict[str, Any]:
    """Inputs as `execute_request_check` gives them: defaults added, qualified values
    unwrapped, a list where several values are allowed. (They were checked at submission;
    a workflow's values may already be staged paths, which that check would refuse.)"""
    completed: dict[str, Any] = {}
    for input_id, input_description in (description.get("inputs") or {}).items():
        default = (input_description.get("schema") or {}).get("default")
        if input_id not in inputs:
            if default is not None:
                completed[input_id] = default
            continue
        value = _unqualified(inputs[input_id])
        is_single = input_description.get("maxOccurs", 1) == 1
        completed[input_id] = value if is_single or isinstance(value, list) else [value]
    return completed


def _unqualified(value: Any) -> Any:
    if isinstance(value, list):
        return [_unqualified(item) for item in value]
    if isinstance(value, dict) and "value" in value and set(value) <= QUALIFIED_MEMBERS:
        return value["value"]
    return value


def _remote_execute(call: NestedCall, context: RunContext, owner: User) -> dict[str, Any]:
    remote = remote_process_of(call.process)
    if remote is None:
        raise ExecutionFailedError(
            f"{call.process} is not a process of an enabled remote provider."
        )
    inputs = _nested_resolved(call.inputs, context, owner)
    _require_sendable(inputs, call.process)
    return remote_process_execute(
        process=remote, inputs=inputs, outputs=call.outputs, workdir=context.workdir
    )


def _require_sendable(inputs: dict[str, Any], url: str) -> None:
    for input_id, value in inputs.items():
        for item in value if isinstance(value, list) else [value]:
            if isinstance(item, Path):
                raise ExecutionFailedError(
                    f"Input {input_id!r} of {url} is a file made here by a nested process; "
                    "files cannot be sent to a remote process."
                )


def _urls_downloaded(
    inputs: dict[str, Any], input_ids: set[str], workdir: Path, owner: User
) -> dict[str, Any]:
    """Download the http(s) references among the given inputs, as staging does.

    Only URLs: a download keeps no file of the platform's storage open, so the files need
    no longer scope than this call.
    """
    with_urls = {
        input_id: inputs[input_id] for input_id in input_ids if _holds_url(inputs[input_id])
    }
    if not with_urls:
        return inputs
    with ExitStack() as staged_files:
        staged, _, _ = stage_inputs(with_urls, workdir, owner, staged_files)
    return {**inputs, **staged}


def _holds_url(value: Any) -> bool:
    return any(
        isinstance(item, dict)
        and isinstance(item.get("href"), str)
        and item["href"].lower().startswith(REMOTE_PREFIXES)
        for item in (value if isinstance(value, list) else [value])
    )
