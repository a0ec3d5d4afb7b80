"""Checking an execute request against a process description, naming every problem."""

from dataclasses import dataclass, field
from typing import Any

from jsonschema import Draft202012Validator
from jsonschema.exceptions import SchemaError

from apps.ogc.errors import ApplicationError

INVALID_INPUT = "http://www.opengis.net/def/exceptions/ogcapi-processes-1/1.0/invalid-input"
EXECUTE_MEMBERS = {"inputs", "outputs", "response", "subscriber", "mode", "endpoint"}
REFERENCE_KEYS = {"href"}
NESTED_PROCESS_MEMBERS = {"process", "inputs", "outputs"}


@dataclass
class ExecuteRequest:
    """A checked execute request: plain input values (lists where maxOccurs > 1)."""

    inputs: dict[str, Any]
    outputs: dict[str, dict[str, Any]]
    response: str
    subscriber: dict[str, str] = field(default_factory=dict)


def is_reference(value: Any) -> bool:
    """An input value given by reference: `{"href": …}`."""
    return isinstance(value, dict) and "href" in value


def is_nested_process(value: Any) -> bool:
    """An input value that calls another process, whose output becomes the value
    (OGC API - Processes - Part 3): `{"process": id or URL, "inputs": {…}, "outputs": {…}}`.

    Its own checks are in `apps.processes.nesting`.
    """
    return (
        isinstance(value, dict)
        and isinstance(value.get("process"), str)
        and set(value) <= NESTED_PROCESS_MEMBERS
    )


def _unwrap(value: Any) -> Any:
    """A qualified value `{"value": …, "mediaType": …}` stands for its value."""
    if (
        isinstance(value, dict)
        and "value" in value
        and set(value)
        <= {
            "value",
            "mediaType",
            "encoding",
            "schema",
        }
    ):
        return value["value"]
    return value


def _is_file_schema(schema: dict[str, Any]) -> bool:
    """A string of bytes in some media type: a file, which requests give by reference."""
    return schema.get("type") == "string" and (
        schema.get("contentEncoding") == "binary" or "contentMediaType" in schema
    )


def _schema_problems(input_id: str, schema: dict[str, Any], value: Any) -> list[str]:
    if is_nested_process(value):
        return []
    if is_reference(value):
        href = value["href"]
        return [] if isinstance(href, str) and href else [f"Input '{input_id}': empty href."]
    if _is_file_schema(schema):
        return [f"Input '{input_id}' is a file: give it by reference ({{\"href\": …}})."]
    try:
        validator = Draft202012Validator(schema)
    except SchemaError:
        return []
    return [
        f"Input '{input_id}'{_path(error.absolute_path)}: {error.message}."
        for error in sorted(validator.iter_errors(_unwrap(value)), key=lambda e: list(e.path))
    ]


def _path(path: Any) -> str:
    parts = "".join(f"[{part!r}]" for part in path)
    return f" at {parts}" if parts else ""


def _occurrences(
    input_id: str, description: dict[str, Any], value: Any
) -> tuple[list[Any], list[str]]:
    max_occurs = description.get("maxOccurs", 1)
    min_occurs = description.get("minOccurs", 1)
    schema_is_array = description.get("schema", {}).get("type") == "array"
    values = (
        value if isinstance(value, list) and (max_occurs != 1 and not schema_is_array) else [value]
    )
    problems = []
    if max_occurs != "unbounded" and len(values) > max_occurs:
        problems.append(
            f"Input '{input_id}' takes at most {max_occurs} value(s), not {len(values)}."
        )
    if len(values) < min_occurs:
        problems.append(f"Input '{input_id}' needs at least {min_occurs} value(s).")
    return values, problems


def _check_inputs(
    described: dict[str, dict[str, Any]], given: Any
) -> tuple[dict[str, Any], list[str]]:
    if not isinstance(given, dict):
        return {}, ["'inputs' must be an object mapping input ids to values."]
    problems = [f"Unknown input '{input_id}'." for input_id in given if input_id not in described]
    checked: dict[str, Any] = {}
    for input_id, description in described.items():
        if input_id not in given:
            default = description.get("schema", {}).get("default")
            if description.get("minOccurs", 1) > 0 and default is None:
                problems.append(f"Missing input '{input_id}'.")
            elif default is not None:
                checked[input_id] = default
            continue
        values, occurrence_problems = _occurrences(input_id, description, given[input_id])
        problems += occurrence_problems
        for value in values:
            problems += _schema_problems(input_id, description.get("schema", {}), value)
        unwrapped = [value if is_reference(value) else _unwrap(value) for value in values]
        is_single = description.get("maxOccurs", 1) == 1
        checked[input_id] = unwrapped[0] if is_single else unwrapped
    return checked, problems


def _check_outputs(
    described: dict[str, Any], requested: Any
) -> tuple[dict[str, dict[str, Any]], list[str]]:
    if requested is None:
        return {}, []
    if not isinstance(requested, dict):
        return {}, ["'outputs' must be an object mapping output ids to output definitions."]
    problems = [
        f"Unknown output '{output_id}'." for output_id in requested if output_id not in described
    ]
    for output_id, definition in requested.items():
        if not isinstance(definition, dict):
            problems.append(f"Output '{output_id}' must be an object.")
        elif definition.get("transmissionMode", "value") not in ("value", "reference"):
            problems.append(
                f"Output '{output_id}': transmissionMode must be 'value' or 'reference'."
            )
    return {key: value for key, value in requested.items() if isinstance(value, dict)}, problems


def _check_subscriber(subscriber: Any) -> tuple[dict[str, str], list[str]]:
    if subscriber is None:
        return {}, []
    allowed = {"successUri", "inProgressUri", "failedUri"}
    if not isinstance(subscriber, dict) or not all(
        key in allowed and isinstance(value, str) for key, value in subscriber.items()
    ):
        return {}, ["'subscriber' must map successUri, inProgressUri or failedUri to URIs."]
    return subscriber, []


def execute_request_check(description: dict[str, Any], body: Any) -> ExecuteRequest:
    """Check `body` against the process description; raise one 400 naming every problem."""
    if not isinstance(body, dict):
        raise ApplicationError("The execute request must be a JSON object.", type=INVALID_INPUT)
    problems = [
        f"Unknown member '{key}' in the execute request."
        for key in body
        if key not in EXECUTE_MEMBERS
    ]
    inputs, input_problems = _check_inputs(description.get("inputs", {}), body.get("inputs", {}))
    outputs, output_problems = _check_outputs(description.get("outputs", {}), body.get("outputs"))
    subscriber, subscriber_problems = _check_subscriber(body.get("subscriber"))
    response = body.get("response", "document")
    if response not in ("document", "raw", "publish"):
        problems.append("'response' must be 'document', 'raw' or 'publish'.")
    endpoint = body.get("endpoint")
    if response == "publish" and not (isinstance(endpoint, str) and endpoint.strip()):
        problems.append("'response': 'publish' needs an 'endpoint': the web service to publish to.")
    elif endpoint is not None and response != "publish":
        problems.append("'endpoint' is only used with 'response': 'publish'.")
    problems += input_problems + output_problems + subscriber_problems
    if problems:
        raise ApplicationError(" ".join(problems), type=INVALID_INPUT, extra={"problems": problems})
    return ExecuteRequest(inputs=inputs, outputs=outputs, response=response, subscriber=subscriber)
