"""A nested call (`{"process": …, "inputs": …}`) and where it sits among the inputs."""

from dataclasses import dataclass
from typing import Any

from apps.processes.validation import is_nested_process

REMOTE_PREFIXES = ("http://", "https://")


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
