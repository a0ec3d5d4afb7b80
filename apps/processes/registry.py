"""Built-in processes: plain Python functions whose OGC description comes from their signature.

    @builtin_process(outputs={"result": Output(schema={"type": "number"})})
    def add(value1: float, value2: float) -> dict[str, float]:
        '''Add two numbers.

        Args:
            value1: First operand.
            value2: Second operand.
        '''

Parameter annotations become JSON Schemas (`Annotated[..., Input(...)]` adds a title,
description or schema keywords), defaults make an input optional, and the docstring's
first paragraph and `Args:` section give titles and descriptions. A parameter typed
`ProgressReporter` is not an input: the runner passes its reporter there.
"""

import inspect
import re
import types
import typing
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal, NewType, Protocol

JSON_SCHEMA_OF_TYPE: dict[type, dict[str, Any]] = {
    str: {"type": "string"},
    int: {"type": "integer"},
    float: {"type": "number"},
    bool: {"type": "boolean"},
    dict: {"type": "object"},
}


Workdir = NewType("Workdir", Path)
"""A parameter typed `Workdir` receives the job's own folder, where output files go."""

FILE_SCHEMA = {"type": "string", "contentEncoding": "binary"}


class ProgressReporter(Protocol):
    """What a running process may tell about itself."""

    def __call__(self, percent: int, message: str = "") -> None: ...


@dataclass(frozen=True)
class Input:
    """Extra description of an input, given with `Annotated[type, Input(...)]`."""

    title: str | None = None
    description: str | None = None
    schema: dict[str, Any] = field(default_factory=dict)
    min_occurs: int | None = None
    max_occurs: int | Literal["unbounded"] | None = None
    keywords: tuple[str, ...] = ()
    client_hints: dict[str, str] = field(default_factory=dict)
    """Rendering hints for forms (§17.2.4 clientHints), e.g. {"htmlInputType": "textarea"}."""
    processing_directives: dict[str, Any] = field(default_factory=dict)
    """Hints for the platform (§17.2.4 processingDirectives), e.g. {"correlatedInputs": False}."""


@dataclass(frozen=True)
class Output:
    schema: dict[str, Any]
    title: str | None = None
    description: str | None = None


@dataclass(frozen=True)
class BuiltinProcess:
    id: str
    version: str
    title: str
    description: str
    keywords: tuple[str, ...]
    inputs: dict[str, dict[str, Any]]
    outputs: dict[str, dict[str, Any]]
    job_control_options: tuple[str, ...]
    function: Callable[..., dict[str, Any]]
    progress_parameter: str | None
    workdir_parameter: str | None = None
    quick: bool = False

    def description_document(self) -> dict[str, Any]:
        """The OGC process description, without links (the API adds those)."""
        return {
            "id": self.id,
            "title": self.title,
            "description": self.description,
            "version": self.version,
            "keywords": list(self.keywords),
            "jobControlOptions": list(self.job_control_options),
            "outputTransmission": ["value", "reference"],
            "inputs": self.inputs,
            "outputs": self.outputs,
        }


_registry: dict[str, BuiltinProcess] = {}


def registered_processes() -> dict[str, BuiltinProcess]:
    return dict(_registry)


def registered_process(process_id: str) -> BuiltinProcess | None:
    return _registry.get(process_id)


class ProcessDefinitionError(TypeError):
    """A built-in process whose signature cannot be described."""


def schema_for(annotation: Any) -> dict[str, Any]:
    """The JSON Schema of a parameter annotation."""
    origin = typing.get_origin(annotation)
    arguments = typing.get_args(annotation)
    if annotation is Path:
        return dict(FILE_SCHEMA)
    if isinstance(annotation, type) and annotation in JSON_SCHEMA_OF_TYPE:
        return dict(JSON_SCHEMA_OF_TYPE[annotation])
    if origin is typing.Annotated:
        base, *extras = arguments
        schema = schema_for(base)
        for extra in extras:
            if isinstance(extra, Input):
                schema.update(extra.schema)
        return schema
    if origin is Literal:
        kinds = {type(value) for value in arguments}
        schema = schema_for(kinds.pop()) if len(kinds) == 1 else {}
        return {**schema, "enum": list(arguments)}
    if origin in (list, tuple):
        item = arguments[0] if arguments else Any
        return {"type": "array", "items": schema_for(item) if item is not Any else {}}
    if origin is dict:
        return {"type": "object"}
    if origin in (typing.Union, types.UnionType):
        members = [member for member in arguments if member is not type(None)]
        if len(members) == 1:
            return schema_for(members[0])
        return {"oneOf": [schema_for(member) for member in members]}
    if annotation is Any:
        return {}
    raise ProcessDefinitionError(f"No JSON Schema for the annotation {annotation!r}.")


def _is_optional(annotation: Any) -> bool:
    if typing.get_origin(annotation) is typing.Annotated:
        return _is_optional(typing.get_args(annotation)[0])
    return typing.get_origin(annotation) in (typing.Union, types.UnionType) and type(
        None
    ) in typing.get_args(annotation)


def role_parameters(role: str, parameters: dict[str, Any]) -> dict[str, Any]:
    """One role's parameters as an OGC API - Processes 1.0 `additionalParameters` entry."""
    return {
        "role": role,
        "parameters": [{"name": name, "value": [value]} for name, value in parameters.items()],
    }


def client_hints_parameters(hints: dict[str, str]) -> dict[str, Any]:
    """Client hints as OGC API - Processes 1.0 `additionalParameters` (role + parameters)."""
    return role_parameters("clientHints", hints)


def _additional_parameters(extra: Input) -> dict[str, Any] | list[dict[str, Any]] | None:
    """One role's entry as one object (the OGC 1.0 shape); several as a list (§17.2.4)."""
    entries = []
    if extra.client_hints:
        entries.append(client_hints_parameters(extra.client_hints))
    if extra.processing_directives:
        entries.append(role_parameters("processingDirectives", extra.processing_directives))
    if not entries:
        return None
    return entries[0] if len(entries) == 1 else entries


def _input_extra(annotation: Any) -> Input:
    if typing.get_origin(annotation) is typing.Annotated:
        for extra in typing.get_args(annotation)[1:]:
            if isinstance(extra, Input):
                return extra
    return Input()


def parse_docstring(docstring: str | None) -> tuple[str, str, dict[str, str]]:
    """(title, description, per-argument descriptions) from a Google-style docstring."""
    text = inspect.cleandoc(docstring or "")
    body, _, arguments_text = text.partition("\nArgs:\n")
    paragraphs = [part.strip() for part in body.split("\n\n") if part.strip()]
    title = paragraphs[0].rstrip(".") if paragraphs else ""
    description = " ".join(" ".join(paragraphs).split())
    argument_descriptions: dict[str, str] = {}
    current = None
    for line in arguments_text.splitlines():
        match = re.match(r"^\s{0,8}(\w+)(?:\s*\([^)]*\))?:\s*(.*)$", line)
        if match and not line.startswith(" " * 9):
            current = match.group(1)
            argument_descriptions[current] = match.group(2).strip()
        elif current and line.strip():
            argument_descriptions[current] += " " + line.strip()
        elif not line.strip() and current:
            current = None
    return title, description, argument_descriptions


def _describe_inputs(
    function: Callable[..., Any], argument_descriptions: dict[str, str]
) -> tuple[dict[str, dict[str, Any]], dict[str, str]]:
    """The OGC input descriptions, and which parameters take injected values."""
    hints = typing.get_type_hints(function, include_extras=True)
    inputs: dict[str, dict[str, Any]] = {}
    injected: dict[str, str] = {}
    for name, parameter in inspect.signature(function).parameters.items():
        annotation = hints.get(name, Any)
        if annotation is ProgressReporter or annotation is Workdir:
            injected[annotation.__name__] = name
            continue
        extra = _input_extra(annotation)
        schema = schema_for(annotation)
        if extra.max_occurs not in (None, 1) and schema.get("type") == "array":
            # A list of occurrences: the description's schema is that of one of them.
            schema = {**schema["items"], **extra.schema}
        has_default = parameter.default is not inspect.Parameter.empty
        if has_default and parameter.default is not None:
            schema["default"] = parameter.default
        description: dict[str, Any] = {
            "title": extra.title or name.replace("_", " ").capitalize(),
            "description": extra.description or argument_descriptions.get(name, ""),
            "schema": schema,
            "minOccurs": extra.min_occurs
            if extra.min_occurs is not None
            else (0 if has_default or _is_optional(annotation) else 1),
            "maxOccurs": extra.max_occurs if extra.max_occurs is not None else 1,
        }
        if extra.keywords:
            description["keywords"] = list(extra.keywords)
        additional_parameters = _additional_parameters(extra)
        if additional_parameters is not None:
            description["additionalParameters"] = additional_parameters
        inputs[name] = description
    return inputs, injected


def builtin_process(
    *,
    outputs: dict[str, Output],
    id: str | None = None,
    version: str = "1.0.0",
    title: str | None = None,
    keywords: tuple[str, ...] = (),
    job_control_options: tuple[str, ...] = ("sync-execute", "async-execute"),
    quick: bool = False,
) -> Callable[[Callable[..., dict[str, Any]]], Callable[..., dict[str, Any]]]:
    """Register a function as a built-in process, described from its signature.

    `quick` marks a function that takes milliseconds and touches no files: its jobs may
    run in the process that accepted them instead of waiting for a worker.
    """

    def register(function: Callable[..., dict[str, Any]]) -> Callable[..., dict[str, Any]]:
        doc_title, doc_description, argument_descriptions = parse_docstring(function.__doc__)
        inputs, injected = _describe_inputs(function, argument_descriptions)
        process = BuiltinProcess(
            id=id or function.__name__.replace("_", "-"),
            version=version,
            title=title or doc_title or function.__name__,
            description=doc_description,
            keywords=keywords,
            inputs=inputs,
            outputs={
                name: {
                    "title": output.title or name.replace("_", " ").capitalize(),
                    "description": output.description or "",
                    "schema": output.schema,
                }
                for name, output in outputs.items()
            },
            job_control_options=job_control_options,
            function=function,
            progress_parameter=injected.get("ProgressReporter"),
            workdir_parameter=injected.get("Workdir"),
            quick=quick,
        )
        if process.id in _registry and _registry[process.id].function is not function:
            raise ProcessDefinitionError(f"Two built-in processes are called {process.id!r}.")
        _registry[process.id] = process
        return function

    return register
