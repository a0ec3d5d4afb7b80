"""CWL application packages: loading, checking, and the OGC process description they give.

A workflow step may name a process of this platform instead of a CWL file (`run: "Add"`,
§16.3). Such names are resolved when a job runs, by the CWL runner, which puts a stand-in
tool (`cwl_process_stand_in`) in the step; checking a package puts a placeholder there.
Packages must be self-contained: nothing is fetched, from the network or from disk.
"""

import copy
import re
from collections.abc import Callable, Iterator, Mapping
from typing import Any

import yaml
from cwltool.context import LoadingContext
from cwltool.errors import WorkflowException
from cwltool.load_tool import load_tool
from cwltool.process import Process as CwlTool
from cwltool.update import ALLUPDATES
from cwltool.workflow import default_make_tool
from schema_salad.exceptions import ValidationException
from schema_salad.fetcher import DefaultFetcher

SUPPORTED_CLASSES = ("CommandLineTool", "Workflow", "ExpressionTool")
SUPPORTED_VERSIONS = tuple(version for version in ALLUPDATES if "dev" not in version)
PROCESS_FIELD = "https://tep-marketplace.invalid/cwl#process"
"""Extension field of a stand-in tool: the identifier of the platform process it runs.

An absolute URI, so it needs no `$namespaces`; `.invalid` names nothing that can be fetched.
"""
PROCESS_IDENTIFIER = re.compile(r"[A-Za-z0-9_-]+")

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
CWL_TYPES_OF_JSON_TYPE: dict[str, Any] = {
    "number": ["int", "long", "float", "double"],
    "integer": ["int", "long"],
    "string": "string",
    "boolean": "boolean",
}


class CwlDocumentError(ValueError):
    """Text that is not a CWL document this platform can read."""


def cwl_load(source: str | Mapping[str, Any]) -> dict[str, Any]:
    """The CWL process of a document given as YAML or JSON text, or already parsed.

    A `$graph` document gives its `#main` entry, else its only Workflow, else its only
    process; the graph entries its steps name (`run: "#tool"`) are copied into them.

    Raises:
        CwlDocumentError: the text is not YAML, not a mapping, or the graph has no main entry.
    """
    if isinstance(source, str):
        try:
            document = yaml.safe_load(source)
        except yaml.YAMLError as error:
            raise CwlDocumentError(f"The CWL document is neither YAML nor JSON: {error}") from error
    else:
        document = copy.deepcopy(dict(source))
    if not isinstance(document, dict):
        raise CwlDocumentError("A CWL document must be a mapping (a YAML or JSON object).")
    if "$graph" in document:
        return _graph_main(document)
    return document


def _graph_main(document: dict[str, Any]) -> dict[str, Any]:
    graph = document["$graph"]
    entries = [graph] if isinstance(graph, dict) else graph
    if not isinstance(entries, list):
        raise CwlDocumentError("'$graph' must list the processes of the document.")
    processes = [entry for entry in entries if isinstance(entry, dict)]
    by_id = {
        _short_id(entry["id"]): entry for entry in processes if isinstance(entry.get("id"), str)
    }
    workflows = [entry for entry in processes if entry.get("class") == "Workflow"]
    if "main" in by_id:
        main = by_id["main"]
    elif len(workflows) == 1:
        main = workflows[0]
    elif len(processes) == 1:
        main = processes[0]
    else:
        raise CwlDocumentError(
            "The '$graph' holds several processes: give the one to run the id 'main'."
        )
    main = _with_graph_runs_inlined(main, by_id, visiting=())
    for key in ("cwlVersion", "$namespaces", "$schemas"):
        if key in document and key not in main:
            main[key] = document[key]
    return main


def _with_graph_runs_inlined(
    process: dict[str, Any], by_id: dict[str, dict[str, Any]], visiting: tuple[str, ...]
) -> dict[str, Any]:
    """A copy of `process` whose steps carry the graph entries they name (`#id`)."""
    process = copy.deepcopy(process)
    for name, step in _own_steps(process):
        run = step.get("run")
        if isinstance(run, str) and run.startswith("#") and run[1:] in by_id:
            if run[1:] in visiting:
                raise CwlDocumentError(f"Step '{name}' runs '{run}', which contains itself.")
            inlined = _with_graph_runs_inlined(by_id[run[1:]], by_id, (*visiting, run[1:]))
            inlined.pop("id", None)
            step["run"] = inlined
        elif isinstance(run, dict):
            step["run"] = _with_graph_runs_inlined(run, by_id, visiting)
    return process


def _own_steps(process: Mapping[str, Any]) -> Iterator[tuple[str, dict[str, Any]]]:
    """(name, step) of the steps of a workflow, in either the map or the list form."""
    steps = process.get("steps")
    if isinstance(steps, dict):
        pairs = list(steps.items())
    elif isinstance(steps, list):
        pairs = [(step.get("id", "") if isinstance(step, dict) else "", step) for step in steps]
    else:
        pairs = []
    for name, step in pairs:
        if isinstance(step, dict):
            yield _short_id(str(name)), step


def _all_steps(process: Mapping[str, Any]) -> Iterator[tuple[str, dict[str, Any]]]:
    """Every step of a workflow, and of the workflows written inline in its steps."""
    for name, step in _own_steps(process):
        yield name, step
        if isinstance(step.get("run"), dict):
            yield from _all_steps(step["run"])


def _all_processes(process: Mapping[str, Any]) -> Iterator[Mapping[str, Any]]:
    yield process
    for _name, step in _own_steps(process):
        if isinstance(step.get("run"), dict):
            yield from _all_processes(step["run"])


def _short_id(identifier: str) -> str:
    return identifier.rpartition("#")[2].rpartition("/")[2]


def is_process_identifier(run: object) -> bool:
    """True when a step's `run` names a platform process rather than a file or URL."""
    return isinstance(run, str) and PROCESS_IDENTIFIER.fullmatch(run) is not None


def cwl_step_process_identifiers(document: Mapping[str, Any]) -> list[str]:
    """The platform processes the steps of a workflow run, each once, sorted."""
    return sorted(
        {
            step["run"]
            for _name, step in _all_steps(document)
            if is_process_identifier(step.get("run"))
        }
    )


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


def _as_list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else [value]


class OfflineFetcher(DefaultFetcher):
    """Fetches nothing: a package may not pull in files or URLs (`$import`, `$include`)."""

    def fetch_text(self, url: str, content_types: list[str] | None = None) -> str:
        cached = self.cache.get(url)
        if isinstance(cached, str):
            return cached
        raise ValidationException(
            f"'{url}' is outside the document; packages must be self-contained"
        )

    def check_exists(self, url: str) -> bool:
        return url in self.cache


def cwl_tool_load(
    document: Mapping[str, Any],
    construct_tool_object: Callable[[Any, LoadingContext], CwlTool] = default_make_tool,
) -> CwlTool:
    """Validate a single-process document with cwltool and build its tool object.

    Raises:
        ValidationException, WorkflowException: the document is not valid CWL.
    """
    loading_context = LoadingContext(
        {
            "construct_tool_object": construct_tool_object,
            "fetcher_constructor": OfflineFetcher,
            "skip_schemas": True,
        }
    )
    anchored = dict(document)
    # A relative id would be resolved against the working directory and fetched from there;
    # a blank-node document holding the process keeps every id inside the document.
    anchored["id"] = "_:package#" + (_short_id(str(document.get("id") or "")) or "main")
    return load_tool(anchored, loading_context)


def cwl_problems(document: Mapping[str, Any]) -> list[str]:
    """Every reason this document cannot be deployed as a process; none when it can."""
    try:
        process = cwl_load(document)
    except CwlDocumentError as error:
        return [str(error)]
    problems = _version_problems(process) + _class_problems(process)
    if problems:
        return problems
    problems = _run_problems(process)
    with_placeholders = cwl_with_stand_ins(
        process, lambda _run, step: cwl_step_placeholder(step), replaces=_is_text
    )
    try:
        cwl_tool_load(with_placeholders)
    except (ValidationException, WorkflowException) as error:
        problems.append(readable_cwl_error(error))
    return problems


def _version_problems(process: Mapping[str, Any]) -> list[str]:
    version = process.get("cwlVersion")
    if version is None:
        return ["The document has no cwlVersion; add one, such as 'cwlVersion: v1.2'."]
    if version not in SUPPORTED_VERSIONS:
        return [
            f"cwlVersion {version!r} is not supported; use one of {', '.join(SUPPORTED_VERSIONS)}."
        ]
    return []


def _class_problems(process: Mapping[str, Any]) -> list[str]:
    supported = ", ".join(SUPPORTED_CLASSES)
    return [
        f"The class {each.get('class')!r} of {_describe(each)} is not one of {supported}."
        for each in _all_processes(process)
        if each.get("class") not in SUPPORTED_CLASSES
    ]


def _describe(process: Mapping[str, Any]) -> str:
    identifier = process.get("id") or process.get("label")
    return f"process '{_short_id(str(identifier))}'" if identifier else "a process"


def _is_text(run: object) -> bool:
    return isinstance(run, str)


def _run_problems(process: Mapping[str, Any]) -> list[str]:
    return [
        f"Step '{name}' runs '{step['run']}', which is neither written in the document nor the"
        " identifier of a process."
        for name, step in _all_steps(process)
        if isinstance(step.get("run"), str) and not is_process_identifier(step["run"])
    ]


SOURCE_POSITION = re.compile(r"^\s*\S+:\d+:\d+:\s*", re.MULTILINE)
LOADER_PREFIX = re.compile(r"\(\d+\) \([^)]*\) ")
IDENTIFIERS_TRIED = re.compile(r",\s+tried(?:\s+_:\S+)+")
BLANK_NODE_BASE = re.compile(r"_:[^#\s'\"]*#(?:[^/\s'\"]*/)?")
BLANK_NODE = re.compile(r"_:([^\s'\"]*)")
CHECKING_OBJECT = re.compile(r"checking field '([^']*)'\s+checking object '([^']*)'\s+")
CHECKING_ITEM = re.compile(r"checking (?:item|field '[^']*')\s+")


def readable_cwl_error(error: Exception) -> str:
    """One sentence from a cwltool message, without source positions and internal ids."""
    text = IDENTIFIERS_TRIED.sub("", str(error))
    for pattern in (SOURCE_POSITION, LOADER_PREFIX):
        text = pattern.sub("", text)
    text = BLANK_NODE.sub(r"\1", BLANK_NODE_BASE.sub("", text))
    text = CHECKING_ITEM.sub("", CHECKING_OBJECT.sub(r"\1 '\2': ", text))
    sentence = " ".join(text.split())
    sentence = sentence[:1].upper() + sentence[1:]
    return sentence if sentence.endswith(".") else f"{sentence}."


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
