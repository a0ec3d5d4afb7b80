"""The process description of a package, in OGC API - Processes 1.0 form."""

import re
from typing import Any

from jsonschema import Draft202012Validator
from jsonschema.exceptions import SchemaError

from apps.processes.models import ExecutionUnitType

IDENTIFIER = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,199}$")
JOB_CONTROL_OPTIONS = ("sync-execute", "async-execute", "dismiss")
TRANSMISSION_MODES = ("value", "reference")
ROLE_ALIASES = {"clientHint": "clientHints", "processingDirective": "processingDirectives"}
SCHEMA_ALIASES = {
    "minimumValue": "minimum",
    "maximumValue": "maximum",
    "contentType": "contentMediaType",
}


def process_description(
    raw: dict[str, Any], document: dict[str, Any], unit: dict[str, Any], problems: list[str]
) -> dict[str, Any]:
    identifier = raw.get("id") or raw.get("identifier")
    if not isinstance(identifier, str) or not IDENTIFIER.match(identifier):
        problems.append(
            "The process needs an `id` of letters, digits, '.', '_' or '-' "
            f"(at most 200, starting with a letter or digit), not {identifier!r}."
        )
        identifier = str(identifier or "")
    description: dict[str, Any] = {
        "id": identifier,
        "title": str(raw.get("title") or identifier),
        "description": str(raw.get("description") or raw.get("abstract") or ""),
        "version": str(raw.get("version") or raw.get("processVersion") or "1.0.0"),
    }
    if raw.get("keywords"):
        description["keywords"] = _keywords(raw["keywords"], problems)
    for key in ("metadata", "links"):
        if isinstance(raw.get(key), list):
            description[key] = raw[key]
    description["jobControlOptions"] = _job_control_options(raw, document, unit, problems)
    description["outputTransmission"] = _transmission(raw, document, problems)
    description["inputs"] = _parameters(raw.get("inputs"), "input", problems)
    description["outputs"] = _parameters(raw.get("outputs"), "output", problems)
    if not description["outputs"]:
        problems.append("The process declares no outputs.")
    timeout = (unit.get("config") or {}).get("jobTimeout") or raw.get("jobTimeout")
    if isinstance(timeout, int | float) and timeout > 0:
        description["jobTimeout"] = int(timeout)
    return description


def _keywords(value: Any, problems: list[str]) -> list[str]:
    if isinstance(value, list) and all(isinstance(keyword, str) for keyword in value):
        return list(value)
    problems.append("`keywords` must be a list of strings.")
    return []


def _job_control_options(
    raw: dict[str, Any], document: dict[str, Any], unit: dict[str, Any], problems: list[str]
) -> list[str]:
    options = raw.get("jobControlOptions", document.get("jobControlOptions"))
    if options is None:
        quick = unit.get("type") in (ExecutionUnitType.MOAW, ExecutionUnitType.PYTHON)
        options = ["sync-execute", "async-execute"] if quick else ["async-execute"]
    if not isinstance(options, list) or not options:
        problems.append("`jobControlOptions` must be a non-empty list.")
        return ["async-execute"]
    unknown = [option for option in options if option not in JOB_CONTROL_OPTIONS]
    if unknown:
        problems.append(
            f"Unknown job control options {unknown}; use {', '.join(JOB_CONTROL_OPTIONS)}."
        )
    if not {"sync-execute", "async-execute"} & set(options):
        problems.append("`jobControlOptions` must allow sync-execute or async-execute.")
    return [option for option in options if option in JOB_CONTROL_OPTIONS] or ["async-execute"]


def _transmission(raw: dict[str, Any], document: dict[str, Any], problems: list[str]) -> list[str]:
    modes = raw.get("outputTransmission", document.get("outputTransmission", ["value"]))
    if not isinstance(modes, list) or any(mode not in TRANSMISSION_MODES for mode in modes):
        problems.append("`outputTransmission` must list 'value' and/or 'reference'.")
        return ["value"]
    return list(modes)


def _parameters(value: Any, kind: str, problems: list[str]) -> dict[str, dict[str, Any]]:
    """Inputs or outputs as a map by id, whether the package lists them or maps them."""
    if value is None:
        return {}
    if isinstance(value, list):
        entries: list[tuple[Any, Any]] = []
        for position, item in enumerate(value, start=1):
            if not isinstance(item, dict) or not isinstance(item.get("id"), str):
                problems.append(f"{kind.capitalize()} {position} needs an `id`.")
                continue
            entries.append((item["id"], {k: v for k, v in item.items() if k != "id"}))
    elif isinstance(value, dict):
        entries = list(value.items())
    else:
        problems.append(f"`{kind}s` must be a list or a map of {kind}s.")
        return {}
    normalised: dict[str, dict[str, Any]] = {}
    for identifier, item in entries:
        if identifier in normalised:
            problems.append(f"{kind.capitalize()} '{identifier}' is declared twice.")
        elif not isinstance(item, dict):
            problems.append(f"{kind.capitalize()} '{identifier}' must be an object.")
        else:
            normalised[identifier] = _parameter(identifier, item, kind, problems)
    return normalised


def _parameter(identifier: str, raw: dict[str, Any], kind: str, problems: list[str]) -> dict:
    label = f"{kind.capitalize()} '{identifier}'"
    parameter: dict[str, Any] = {"title": str(raw.get("title") or identifier)}
    if raw.get("description") or raw.get("abstract"):
        parameter["description"] = str(raw.get("description") or raw.get("abstract"))
    for key in ("keywords", "metadata"):
        if key in raw:
            parameter[key] = raw[key]
    parameter["schema"] = _schema(raw, label, problems)
    if kind == "input":
        parameter.update(_occurrences(raw, label, problems))
    if "additionalParameters" in raw:
        parameter["additionalParameters"] = _additional_parameters(
            raw["additionalParameters"], label, problems
        )
    return parameter


def _schema(raw: dict[str, Any], label: str, problems: list[str]) -> dict[str, Any]:
    schema = raw.get("schema")
    if schema is None:
        return _schema_from_formats(raw.get("formats"))
    if not isinstance(schema, dict):
        problems.append(f"{label}: `schema` must be an object.")
        return {}
    schema = _schema_aliases(schema)
    try:
        Draft202012Validator.check_schema(schema)
    except SchemaError as error:
        problems.append(f"{label}: its schema is not valid JSON Schema: {error.message}.")
    return schema


def _schema_aliases(schema: Any) -> Any:
    """`minimumValue`/`maximumValue`/`contentType` as §17.2.3 writes them, in JSON Schema."""
    if isinstance(schema, list):
        return [_schema_aliases(item) for item in schema]
    if not isinstance(schema, dict):
        return schema
    renamed: dict[str, Any] = {}
    for key, value in schema.items():
        if key == "rangeClosure":
            continue
        renamed[SCHEMA_ALIASES.get(str(key), str(key))] = _schema_aliases(value)
    closure = schema.get("rangeClosure")
    if closure in ("open", "open-closed") and "minimum" in renamed:
        renamed["exclusiveMinimum"] = renamed.pop("minimum")
    if closure in ("open", "closed-open") and "maximum" in renamed:
        renamed["exclusiveMaximum"] = renamed.pop("maximum")
    return renamed


def _schema_from_formats(formats: Any) -> dict[str, Any]:
    """WPS-style `formats` (§19.3) as a schema: a file of one of those media types."""
    media_types = [
        item.get("mimeType") or item.get("mediaType")
        for item in formats or []
        if isinstance(item, dict)
    ]
    media_types = [media_type for media_type in media_types if isinstance(media_type, str)]
    if not media_types:
        return {"type": "string"}
    schemas = [{"type": "string", "contentMediaType": media_type} for media_type in media_types]
    return schemas[0] if len(schemas) == 1 else {"oneOf": schemas}


def _occurrences(raw: dict[str, Any], label: str, problems: list[str]) -> dict[str, Any]:
    minimum = _count(raw.get("minOccurs", 1), label, "minOccurs", problems)
    maximum_raw = raw.get("maxOccurs", 1)
    maximum: int | str = (
        "unbounded"
        if maximum_raw == "unbounded"
        else _count(maximum_raw, label, "maxOccurs", problems)
    )
    if isinstance(maximum, int) and isinstance(minimum, int) and maximum < max(minimum, 1):
        problems.append(f"{label}: maxOccurs {maximum} is less than minOccurs {minimum}.")
    return {"minOccurs": minimum, "maxOccurs": maximum}


def _count(value: Any, label: str, name: str, problems: list[str]) -> int:
    try:
        count = int(value)
    except (TypeError, ValueError):
        count = -1
    if count < 0 or isinstance(value, bool | float):
        problems.append(f"{label}: {name} must be a whole number, not {value!r}.")
        return 1
    return count


def _additional_parameters(value: Any, label: str, problems: list[str]) -> list[dict]:
    """A list of groups (one object, as OGC API - Processes writes it and the CWL reader
    makes of an inputBinding, is a list of one), roles as the OGC schema names them, each
    parameter's values as a `value` array."""
    if isinstance(value, dict):
        value = [value]
    if not isinstance(value, list):
        problems.append(f"{label}: `additionalParameters` must be an object or a list.")
        return []
    groups = []
    for group in value:
        if not isinstance(group, dict):
            problems.append(f"{label}: each additionalParameters entry must be an object.")
            continue
        normalised = {k: v for k, v in group.items() if k != "parameters"}
        if "role" in group:
            normalised["role"] = ROLE_ALIASES.get(group["role"], group["role"])
        normalised["parameters"] = [
            _additional_parameter(parameter, label, problems)
            for parameter in group.get("parameters") or []
        ]
        groups.append(normalised)
    return groups


def _additional_parameter(parameter: Any, label: str, problems: list[str]) -> dict[str, Any]:
    if not isinstance(parameter, dict) or not isinstance(parameter.get("name"), str):
        problems.append(f"{label}: an additional parameter needs a `name`.")
        return {"name": "", "value": []}
    values = parameter.get("value", parameter.get("values", []))
    return {"name": parameter["name"], "value": values if isinstance(values, list) else [values]}
