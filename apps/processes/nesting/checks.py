"""Checks at submission: every problem of the nested calls, at any depth, before a job exists."""

from collections.abc import Iterator
from typing import Any

from apps.accounts.access import Identity, access_check
from apps.ogc.errors import ApplicationError
from apps.processes.footprint import footprint_of_inputs
from apps.processes.models import Process
from apps.processes.nesting.calls import NestedCall, nested_slots
from apps.processes.remote import remote_process_of
from apps.processes.selectors import process_get_visible_to
from apps.processes.staging import references_check
from apps.processes.validation import INVALID_INPUT, execute_request_check


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
