"""Nested processes (OGC API - Processes - Part 3, §16.2.2): an input whose value calls a process.

    {"inputs": {"value1": 10.2, "value2": {"process": "Add", "inputs": {"value1": 9.2, …}}}}

At submission `nested_request_check` names every problem of the nested calls, at any
depth. In the worker `nested_inputs_resolve` runs each nested call, its own nested calls
first and siblings in parallel threads, and puts the call's output in its place. A call's
`process` is a local process id or the URL of a process of a registered `RemoteProvider`.

A deployed `moaw` workflow is one such call whose `{"input": name}` values stand for the
deployed process's own inputs (`workflow_inputs_substitute`); see `runners/moaw.py`.
"""

import time
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor, wait
from contextlib import ExitStack
from dataclasses import dataclass, replace
from functools import partial
from pathlib import Path
from typing import Any

from django.db import connections

from apps.accounts.access import Identity, access_check
from apps.accounts.models import User
from apps.ogc.errors import ApplicationError
from apps.processes.footprint import footprint_of_inputs
from apps.processes.models import Process
from apps.processes.registry import ProgressReporter
from apps.processes.remote import remote_process_execute, remote_process_of
from apps.processes.runners import registry
from apps.processes.runners.base import ExecutionFailedError, OutputFile, RunContext
from apps.processes.selectors import process_get_visible_to
from apps.processes.staging import references_check, stage_inputs
from apps.processes.validation import INVALID_INPUT, execute_request_check, is_nested_process

REMOTE_PREFIXES = ("http://", "https://")
MAX_PARALLEL_STEPS = 8
QUALIFIED_MEMBERS = {"value", "mediaType", "encoding", "schema"}
HELD_PERCENT = 0
"""The job's percent while nested steps run: they run before the process that uses their
outputs has reported anything, and a step's own 0-100 % would move the job back and forth."""


@dataclass(frozen=True)
class NestedCall:
    process: str
    inputs: dict[str, Any]
    outputs: dict[str, Any]

    @classmethod
    def of(cls, value: dict[str, Any]) -> "NestedCall":
        inputs, outputs = value.get("inputs"), value.get("outputs")
        return cls(
            process=str(value["process"]),
            inputs=inputs if isinstance(inputs, dict) else {},
            outputs=outputs if isinstance(outputs, dict) else {},
        )

    @property
    def is_remote(self) -> bool:
        return self.process.lower().startswith(REMOTE_PREFIXES)


@dataclass(frozen=True)
class NestedSlot:
    """Where a nested call sits: an input, and its position when the input is a list."""

    input_id: str
    index: int | None
    value: dict[str, Any]

    @property
    def call(self) -> NestedCall:
        return NestedCall.of(self.value)


def nested_slots(inputs: dict[str, Any]) -> list[NestedSlot]:
    """The nested calls among the inputs (not inside them), in input order."""
    slots = []
    for input_id, value in inputs.items():
        if is_nested_process(value):
            slots.append(NestedSlot(input_id, None, value))
        elif isinstance(value, list):
            slots += [
                NestedSlot(input_id, index, item)
                for index, item in enumerate(value)
                if is_nested_process(item)
            ]
    return slots


# --- Checks at submission --------------------------------------------------------------


def nested_request_check(
    *, description: dict[str, Any], inputs: dict[str, Any], identity: Identity
) -> None:
    """Refuse nested calls with problems (400, listing them all), then references their
    local processes must not read (as `references_check`: 400 or 403)."""
    problems = nested_problems(description=description, inputs=inputs, identity=identity)
    if problems:
        raise ApplicationError(" ".join(problems), type=INVALID_INPUT, extra={"problems": problems})
    for call in _local_calls(inputs):
        references_check(call.inputs, identity.signed_in_user)


def nested_problems(
    *, description: dict[str, Any] | None, inputs: dict[str, Any], identity: Identity
) -> list[str]:
    """Every problem of the nested calls among `inputs`, at any depth.

    `description` is that of the process taking the inputs; None for a remote one, whose
    inputs are not known here.
    """
    described_inputs = (description or {}).get("inputs") or {}
    problems = []
    for slot in nested_slots(inputs):
        where = f"Input '{slot.input_id}' (nested process '{slot.value['process']}')"
        input_description = described_inputs.get(slot.input_id) or {}
        problems += [
            f"{where}: {problem}"
            for problem in _call_problems(slot.value, input_description, identity)
        ]
    return problems


def _call_problems(
    value: dict[str, Any], input_description: dict[str, Any], identity: Identity
) -> list[str]:
    call = NestedCall.of(value)
    if not isinstance(value.get("inputs", {}), dict):
        return ["'inputs' must be an object mapping input ids to values."]
    if call.is_remote:
        if remote_process_of(call.process) is None:
            return [f"{call.process} is not a process of a registered remote provider."]
        return nested_problems(description=None, inputs=call.inputs, identity=identity)
    process = _process_visible_to(call.process, identity)
    if process is None:
        return ["there is no such process."]
    return [
        *_access_problems(process, call, identity),
        *_request_problems(process, value),
        *_output_fit_problems(process.description.get("outputs") or {}, call, input_description),
        *nested_problems(description=process.description, inputs=call.inputs, identity=identity),
    ]


def _process_visible_to(identifier: str, identity: Identity) -> Process | None:
    """The process if the caller may see it, as `process_or_404` decides for a top one."""
    process = process_get_visible_to(identifier=identifier, user=identity.signed_in_user)
    if process is None:
        return None
    readable = access_check(
        identity=identity, operation="read", resource_type="process", resource_id=identifier
    )
    return process if readable.allowed else None


def _access_problems(process: Process, call: NestedCall, identity: Identity) -> list[str]:
    decision = access_check(
        identity=identity,
        operation="execute",
        resource_type="process",
        resource_id=process.identifier,
        footprint=footprint_of_inputs(call.inputs),
    )
    return [] if decision.allowed else [decision.reason]


def _request_problems(process: Process, value: dict[str, Any]) -> list[str]:
    body = {key: value[key] for key in ("inputs", "outputs") if key in value}
    try:
        execute_request_check(process.description, body)
    except ApplicationError as error:
        return [str(problem) for problem in error.extra.get("problems") or [error.detail]]
    return []


def _schema_types(schema: dict[str, Any]) -> set[str] | None:
    """The JSON types a schema names; None when it names none (anything may fit)."""
    kind = schema.get("type")
    if isinstance(kind, str):
        types = {kind}
    elif isinstance(kind, list):
        types = {str(item) for item in kind}
    else:
        return None
    # A JSON number may be integral: the two fit each other where this can be checked.
    return types | {"number", "integer"} if types & {"number", "integer"} else types


def _output_fit_problems(
    described_outputs: dict[str, Any], call: NestedCall, input_description: dict[str, Any]
) -> list[str]:
    """Whether what the call gives fits the input it feeds: one value of a fitting type,
    or several outputs (an object by output id) for an input that takes an object."""
    chosen = list(call.outputs) or list(described_outputs)
    input_types = _schema_types(input_description.get("schema") or {})
    if len(chosen) > 1:
        if input_types is None or "object" in input_types:
            return []
        return [
            f"it gives {len(chosen)} outputs ({', '.join(chosen)}) but the input takes one "
            "value: choose one with 'outputs'."
        ]
    if not chosen or chosen[0] not in described_outputs or input_types is None:
        return []
    output_types = _schema_types(described_outputs[chosen[0]].get("schema") or {})
    if output_types is None or output_types & input_types:
        return []
    return [
        f"its output '{chosen[0]}' is of type {'/'.join(sorted(output_types))}, but the input "
        f"takes {'/'.join(sorted(input_types))}."
    ]


def _local_calls(inputs: dict[str, Any]) -> Iterator[NestedCall]:
    """Every nested call to a local process, at any depth (also inside remote calls)."""
    for slot in nested_slots(inputs):
        call = slot.call
        if not call.is_remote:
            yield call
        yield from _local_calls(call.inputs)


# --- Execution in the worker -----------------------------------------------------------


class NestedProgress:
    """A nested step's reports, forwarded to its parent's reporter with the step as prefix.

    The job's percent is held at `HELD_PERCENT`; the step's own percent goes in the line.
    """

    def __init__(self, parent: ProgressReporter, label: str) -> None:
        self.parent = parent
        self.label = label

    def __call__(self, percent: int, message: str = "") -> None:
        self.note(f"{int(percent)}% {message}".strip())

    def note(self, line: str) -> None:
        prefixed = f"[{self.label}] {line}"
        if isinstance(self.parent, NestedProgress):
            self.parent.note(prefixed)
        else:
            self.parent(HELD_PERCENT, prefixed)


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
    step_context = replace(context, workdir=workdir, progress=progress)
    progress.note("started")
    started = time.monotonic()
    try:
        results = nested_call_execute(call, step_context, owner)
    except ExecutionFailedError as error:
        raise ExecutionFailedError(
            f"Nested process {call.process!r} (input {slot.input_id!r}): {error}"
        ) from error
    progress.note(f"finished in {time.monotonic() - started:.1f} s")
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
    return output.path if isinstance(output, OutputFile) else output


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


# --- Deployed workflows ----------------------------------------------------------------

_ABSENT = object()


def workflow_inputs_substitute(source: Any, values: dict[str, Any]) -> Any:
    """The workflow with every `{"input": name}` replaced by that input's value.

    An input not given drops the member (or list item) holding it, so the inner process's
    own default applies.
    """
    substituted = _substituted(source, values)
    return None if substituted is _ABSENT else substituted


def _is_input_reference(node: Any) -> bool:
    return isinstance(node, dict) and set(node) == {"input"} and isinstance(node["input"], str)


def _substituted(node: Any, values: dict[str, Any]) -> Any:
    if _is_input_reference(node):
        return values.get(node["input"], _ABSENT)
    if isinstance(node, dict):
        members = {key: _substituted(value, values) for key, value in node.items()}
        return {key: value for key, value in members.items() if value is not _ABSENT}
    if isinstance(node, list):
        items = [_substituted(item, values) for item in node]
        return [item for item in items if item is not _ABSENT]
    return node
