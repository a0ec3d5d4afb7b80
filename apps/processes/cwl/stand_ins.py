"""Stand-ins for the steps that name a platform process instead of a CWL file (§16.3)."""

import copy
from collections.abc import Callable, Mapping
from typing import Any

from apps.processes.cwl.loading import _all_steps, _as_list, _short_id, is_process_identifier

PROCESS_FIELD = "https://tep-marketplace.invalid/cwl#process"
"""Extension field of a stand-in tool: the identifier of the platform process it runs.

An absolute URI, so it needs no `$namespaces`; `.invalid` names nothing that can be fetched.
"""
CWL_TYPES_OF_JSON_TYPE: dict[str, Any] = {
    "number": ["int", "long", "float", "double"],
    "integer": ["int", "long"],
    "string": "string",
    "boolean": "boolean",
}


def cwl_with_stand_ins(
    document: Mapping[str, Any],
    stand_in: Callable[[str, dict[str, Any]], dict[str, Any]],
    replaces: Callable[[object], bool] = is_process_identifier,
) -> dict[str, Any]:
    """A copy of the document whose steps naming a process run `stand_in(identifier, step)`.

    `replaces` picks the `run` values to replace: by default those naming a process.
    """
    copied = copy.deepcopy(dict(document))
    for _name, step in _all_steps(copied):
        run = step.get("run")
        if isinstance(run, str) and replaces(run):
            step["run"] = stand_in(run, step)
    return copied


def _stand_in(inputs: dict[str, Any], outputs: dict[str, Any]) -> dict[str, Any]:
    """A tool with these inputs and outputs that does nothing by itself."""
    return {"class": "ExpressionTool", "inputs": inputs, "outputs": outputs, "expression": "$({})"}


def cwl_step_placeholder(step: Mapping[str, Any]) -> dict[str, Any]:
    """A stand-in accepting whatever the step gives and giving what it expects, for checks."""
    step_inputs = step.get("in", {})
    names = (
        list(step_inputs)
        if isinstance(step_inputs, dict)
        else [
            _short_id(str(entry.get("id", ""))) for entry in step_inputs if isinstance(entry, dict)
        ]
    )
    outputs = [
        _short_id(str(entry.get("id", "")) if isinstance(entry, dict) else str(entry))
        for entry in _as_list(step.get("out", []))
    ]
    return _stand_in({name: ["null", "Any"] for name in names}, dict.fromkeys(outputs, "Any"))


def cwl_process_stand_in(identifier: str, description: Mapping[str, Any]) -> dict[str, Any]:
    """A stand-in with the inputs and outputs of a platform process, marked to run it."""
    inputs = {
        input_id: _cwl_input_type(input_description)
        for input_id, input_description in description.get("inputs", {}).items()
    }
    outputs = {
        output_id: _cwl_output_type(output_description.get("schema", {}))
        for output_id, output_description in description.get("outputs", {}).items()
    }
    return {**_stand_in(inputs, outputs), PROCESS_FIELD: identifier}


def _is_file_schema(schema: Mapping[str, Any]) -> bool:
    return schema.get("type") == "string" and (
        schema.get("contentEncoding") == "binary"
        or "contentMediaType" in schema
        or schema.get("format") == "uri"
    )


def _cwl_input_type(description: Mapping[str, Any]) -> Any:
    schema = description.get("schema", {})
    cwl_type = _cwl_value_type(schema)
    if description.get("maxOccurs", 1) != 1:
        cwl_type = {"type": "array", "items": cwl_type}
    if description.get("minOccurs", 1) == 0 or "default" in schema:
        return ["null", *_as_list(cwl_type)]
    return cwl_type


def _cwl_value_type(schema: Mapping[str, Any]) -> Any:
    """The CWL types a value of this JSON Schema may arrive as."""
    if _is_file_schema(schema):
        return "File"
    if schema.get("type") == "array" and isinstance(schema.get("items"), dict):
        return {"type": "array", "items": _cwl_value_type(schema["items"])}
    json_type = schema.get("type")
    if isinstance(json_type, str) and json_type in CWL_TYPES_OF_JSON_TYPE:
        return copy.copy(CWL_TYPES_OF_JSON_TYPE[json_type])
    return "Any"


def _cwl_output_type(schema: Mapping[str, Any]) -> Any:
    """File outputs stay Files, so CWL stages them; any other value passes as `Any`."""
    if _is_file_schema(schema):
        return "File"
    if schema.get("type") == "array" and _is_file_schema(schema.get("items", {})):
        return {"type": "array", "items": "File"}
    return "Any"
