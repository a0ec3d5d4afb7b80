"""The plan: which input's values split, into which batches, and how a batch is named."""

import logging
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import Any
from urllib.parse import urlsplit

from django.conf import settings

from apps.processes.binding import as_boolean, parameter_value

logger = logging.getLogger(__name__)

PROCESSING_DIRECTIVES_ROLES = ("processingDirectives", "processingDirective")
CORRELATED_INPUTS = "correlatedInputs"
SHOWN_VALUES = 5


@dataclass(frozen=True)
class Batch:
    number: int
    first: int
    """Where the batch's values start among the input's values (0 for the first)."""
    values: list[Any]


@dataclass(frozen=True)
class Plan:
    input_id: str
    batches: tuple[Batch, ...]

    def batch_inputs(self, inputs: dict[str, Any], batch: Batch) -> dict[str, Any]:
        return {**inputs, self.input_id: batch.values}


def parallel_plan(description: dict[str, Any], inputs: dict[str, Any]) -> Plan | None:
    """The batches an execute request splits into; None when it runs as one execution.

    None when no input with uncorrelated values got more than one value, or when
    PARALLEL_MAX_BATCHES allows a single batch.
    """
    counts = {
        input_id: len(inputs[input_id])
        for input_id in _uncorrelated_inputs(description)
        if isinstance(inputs.get(input_id), list) and len(inputs[input_id]) > 1
    }
    if not counts:
        return None
    input_id = max(sorted(counts), key=lambda candidate: counts[candidate])
    count = min(counts[input_id], settings.PARALLEL_MAX_BATCHES)
    if count <= 1:
        return None
    return Plan(input_id=input_id, batches=_batches(inputs[input_id], count))


def _batches(values: list[Any], count: int) -> tuple[Batch, ...]:
    """`count` contiguous batches whose sizes differ by one at most, the larger ones first."""
    size, larger = divmod(len(values), count)
    batches = []
    first = 0
    for number in range(1, count + 1):
        length = size + (1 if number <= larger else 0)
        batches.append(Batch(number=number, first=first, values=values[first : first + length]))
        first += length
    return tuple(batches)


def _uncorrelated_inputs(description: dict[str, Any]) -> list[str]:
    """The inputs taking several values that are declared uncorrelated."""
    process_says = _correlated_inputs_directive(description)
    uncorrelated = []
    for input_id, input_description in (description.get("inputs") or {}).items():
        if not (isinstance(input_description, dict) and _takes_several_values(input_description)):
            continue
        input_says = _correlated_inputs_directive(input_description)
        if (input_says if input_says is not None else process_says) is False:
            uncorrelated.append(input_id)
    return uncorrelated


def _takes_several_values(input_description: dict[str, Any]) -> bool:
    max_occurs = input_description.get("maxOccurs", 1)
    if max_occurs == "unbounded":
        return True
    return isinstance(max_occurs, int) and not isinstance(max_occurs, bool) and max_occurs > 1


def _role_groups(additional_parameters: Any) -> list[dict[str, Any]]:
    """`additionalParameters` as a list of role groups, from any of the shapes stored or
    published: a list of groups, one group, or one object whose parameters are named by role.
    """
    if isinstance(additional_parameters, list):
        return [group for group in additional_parameters if isinstance(group, dict)]
    if not isinstance(additional_parameters, dict):
        return []
    if "role" in additional_parameters:
        return [additional_parameters]
    return [
        {"role": by_role.get("name"), "parameters": by_role.get("value")}
        for by_role in additional_parameters.get("parameters") or []
        if isinstance(by_role, dict)
    ]


def _correlated_inputs_directive(described: dict[str, Any]) -> bool | None:
    """The `correlatedInputs` processing directive of an input or process; None if not given.

    A value that is not a boolean counts as not given: the values are then not split.
    """
    for group in _role_groups(described.get("additionalParameters")):
        if group.get("role") not in PROCESSING_DIRECTIVES_ROLES:
            continue
        parameters = group.get("parameters")
        for parameter in parameters if isinstance(parameters, list) else []:
            if isinstance(parameter, dict) and parameter.get("name") == CORRELATED_INPUTS:
                try:
                    return as_boolean(parameter_value(parameter))
                except ValueError:
                    logger.warning("Ignoring correlatedInputs %r: not a boolean", parameter)
                    return None
    return None


def _value_label(value: Any) -> str:
    if isinstance(value, Path):
        return value.name
    if isinstance(value, dict) and isinstance(value.get("href"), str):
        return PurePosixPath(urlsplit(value["href"]).path).name or value["href"]
    return str(value)


def batch_label(batch: Batch) -> str:
    """The batch and the values it holds, counted from 1 and named (file names for files)."""
    labels = [_value_label(value) for value in batch.values[:SHOWN_VALUES]]
    if len(batch.values) > SHOWN_VALUES:
        labels.append("…")
    if len(batch.values) == 1:
        span = f"value {batch.first + 1}"
    else:
        span = f"values {batch.first + 1}\N{EN DASH}{batch.first + len(batch.values)}"
    return f"batch {batch.number} ({span}: {', '.join(labels)})"
