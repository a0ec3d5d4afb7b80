"""The OGC process description a CWL process gives, and the media types of CWL formats."""

import re
from collections.abc import Iterator, Mapping
from typing import Any

from apps.processes.cwl.loading import _as_list, _short_id, cwl_load

IANA_MEDIA_TYPES = (
    "https://www.iana.org/assignments/media-types/",
    "http://www.iana.org/assignments/media-types/",
)
EDAM_FORMATS = "http://edamontology.org/"
EDAM_MEDIA_TYPES = {
    "format_2330": "text/plain",
    "format_2332": "application/xml",
    "format_3464": "application/json",
    "format_3508": "application/pdf",
    "format_3579": "image/jpeg",
    "format_3591": "image/tiff",
    "format_3603": "image/png",
    "format_3650": "application/x-netcdf",
    "format_3750": "application/yaml",
    "format_3752": "text/csv",
    "format_3987": "application/zip",
}
JSON_SCHEMA_OF_CWL_TYPE = {
    "double": {"type": "number"},
    "float": {"type": "number"},
    "int": {"type": "integer"},
    "long": {"type": "integer"},
    "string": {"type": "string"},
    "boolean": {"type": "boolean"},
    "null": {"type": "null"},
    "Any": {},
}
FILE_TYPES = {"File", "Directory", "stdout", "stderr", "stdin"}


def cwl_description(document: Mapping[str, Any]) -> dict[str, Any]:
    """The OGC API - Processes 1.0 description of a CWL process (without version and links)."""
    process = cwl_load(document)
    namespaces = process.get("$namespaces") or {}
    process_id = _process_id(process)
    is_command_line_tool = process.get("class") == "CommandLineTool"
    return {
        "id": process_id,
        "title": process.get("label") or process_id,
        "description": _text(process.get("doc")),
        "inputs": {
            name: _input_description(name, parameter, namespaces, is_command_line_tool)
            for name, parameter in _parameters(process.get("inputs"))
        },
        "outputs": {
            name: _output_description(name, parameter, namespaces)
            for name, parameter in _parameters(process.get("outputs"))
        },
    }


def _process_id(process: Mapping[str, Any]) -> str:
    identifier = _short_id(str(process.get("id") or ""))
    if identifier and identifier != "main":
        return identifier
    label = re.sub(r"[^A-Za-z0-9_-]+", "-", str(process.get("label") or "")).strip("-")
    return label or identifier or "main"


def _text(doc: Any) -> str:
    return "\n".join(doc) if isinstance(doc, list) else str(doc or "")


def _parameters(parameters: Any) -> Iterator[tuple[str, dict[str, Any]]]:
    """(id, parameter) in either form, a parameter given only by its type made a mapping."""
    if isinstance(parameters, dict):
        for name, parameter in parameters.items():
            yield str(name), parameter if isinstance(parameter, dict) else {"type": parameter}
    elif isinstance(parameters, list):
        for parameter in parameters:
            if isinstance(parameter, dict) and "id" in parameter:
                yield _short_id(str(parameter["id"])), parameter


def _split_optional(cwl_type: Any) -> tuple[Any, bool]:
    """The type without its null alternative, and whether it had one."""
    if isinstance(cwl_type, str) and cwl_type.endswith("?"):
        return cwl_type[:-1], True
    if isinstance(cwl_type, list) and "null" in cwl_type:
        others = [member for member in cwl_type if member != "null"]
        return (others[0] if len(others) == 1 else others), True
    return cwl_type, False


def _array_items(cwl_type: Any) -> Any | None:
    if isinstance(cwl_type, str) and cwl_type.endswith("[]"):
        return cwl_type[:-2]
    if isinstance(cwl_type, dict) and cwl_type.get("type") == "array":
        return cwl_type.get("items")
    return None


def _json_schema(cwl_type: Any, media_type: str | None) -> dict[str, Any]:
    """The JSON Schema of a CWL type; Files are URIs, of `media_type` when it is known."""
    items = _array_items(cwl_type)
    if items is not None:
        return {"type": "array", "items": _json_schema(items, media_type)}
    if isinstance(cwl_type, list):
        return {"oneOf": [_json_schema(member, media_type) for member in cwl_type]}
    if isinstance(cwl_type, dict) and cwl_type.get("type") == "enum":
        return {"type": "string", "enum": [_short_id(str(s)) for s in cwl_type.get("symbols", [])]}
    if isinstance(cwl_type, dict) and cwl_type.get("type") == "record":
        fields = dict(_parameters(cwl_type.get("fields")))
        return {
            "type": "object",
            "properties": {
                name: _json_schema(field.get("type"), None) for name, field in fields.items()
            },
        }
    if cwl_type in FILE_TYPES:
        schema = {"type": "string", "format": "uri", "contentEncoding": "binary"}
        return {**schema, "contentMediaType": media_type} if media_type else schema
    return dict(JSON_SCHEMA_OF_CWL_TYPE.get(cwl_type, {})) if isinstance(cwl_type, str) else {}


def _input_description(
    name: str, parameter: Mapping[str, Any], namespaces: Mapping[str, str], with_binding: bool
) -> dict[str, Any]:
    cwl_type, is_optional = _split_optional(parameter.get("type"))
    items = _array_items(cwl_type)
    media_type = _media_type_of_format(parameter.get("format"), namespaces)
    schema = _json_schema(items if items is not None else cwl_type, media_type)
    default = parameter.get("default")
    if default is not None and not _holds_file(default):
        schema["default"] = default
    description: dict[str, Any] = {
        "title": parameter.get("label") or name,
        "description": _text(parameter.get("doc")),
        "schema": schema,
        "minOccurs": 0 if is_optional or default is not None else 1,
        "maxOccurs": "unbounded" if items is not None else 1,
    }
    binding = parameter.get("inputBinding")
    if with_binding and isinstance(binding, dict) and binding:
        description["additionalParameters"] = {
            "role": "inputBinding",
            "parameters": [{"name": key, "value": [value]} for key, value in binding.items()],
        }
    return description


def _output_description(
    name: str, parameter: Mapping[str, Any], namespaces: Mapping[str, str]
) -> dict[str, Any]:
    cwl_type, _is_optional = _split_optional(parameter.get("type"))
    media_type = _media_type_of_format(parameter.get("format"), namespaces)
    return {
        "title": parameter.get("label") or name,
        "description": _text(parameter.get("doc")),
        "schema": _json_schema(cwl_type, media_type),
    }


def _holds_file(value: Any) -> bool:
    if isinstance(value, dict):
        return value.get("class") in ("File", "Directory") or any(
            _holds_file(member) for member in value.values()
        )
    return isinstance(value, list) and any(_holds_file(member) for member in value)


def _media_type_of_format(cwl_format: Any, namespaces: Mapping[str, str]) -> str | None:
    """The media type a parameter's `format` names, the first one known when it lists several."""
    for each in _as_list(cwl_format):
        if isinstance(each, str):
            prefix, separator, rest = each.partition(":")
            expanded = namespaces[prefix] + rest if separator and prefix in namespaces else each
            media_type = cwl_media_type(expanded)
            if media_type:
                return media_type
    return None


def cwl_media_type(format_uri: str) -> str | None:
    """The media type of a CWL format URI (IANA media types and common EDAM formats)."""
    for prefix in IANA_MEDIA_TYPES:
        if format_uri.startswith(prefix):
            return format_uri.removeprefix(prefix) or None
    if format_uri.startswith(EDAM_FORMATS):
        return EDAM_MEDIA_TYPES.get(format_uri.removeprefix(EDAM_FORMATS))
    return None
