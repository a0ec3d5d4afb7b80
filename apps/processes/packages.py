"""OGC Application Packages (§17, §19.3): read, normalise and check one.

Packages come in several encodings: the description directly under `processDescription`
or under `processDescription.process`; inputs and outputs as a list of objects with an
`id` (§17.2.3, §19.3) or as a map by id (§16.2.2, OGC API - Processes 1.0); `abstract`
for `description`; `formats` instead of a schema; one execution unit or a list of them;
or a bare CWL document. Every package is normalised to one form: an OGC 1.0 process
description plus one execution unit of a known type. Every problem found is reported at
once, so a developer fixes a package in one round.
"""

import importlib
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import yaml
from django.conf import settings
from jsonschema import Draft202012Validator
from jsonschema.exceptions import SchemaError

from apps.processes.models import ExecutionUnitType

PACKAGE_MEDIA_TYPE = "application/ogcapppkg+json"
CWL_MEDIA_TYPES = ("application/cwl+yaml", "application/cwl+json", "application/cwl")

IDENTIFIER = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,199}$")
IMAGE_REFERENCE = re.compile(
    r"^(?:(?P<registry>[a-zA-Z0-9.-]+(?::[0-9]+)?)/)?"
    r"[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*(?:/[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*)*"
    r"(?::[A-Za-z0-9_][A-Za-z0-9_.-]{0,127})?(?:@sha256:[a-f0-9]{64})?$"
)
JOB_CONTROL_OPTIONS = ("sync-execute", "async-execute", "dismiss")
TRANSMISSION_MODES = ("value", "reference")
ROLE_ALIASES = {"clientHint": "clientHints", "processingDirective": "processingDirectives"}
SCHEMA_ALIASES = {
    "minimumValue": "minimum",
    "maximumValue": "maximum",
    "contentType": "contentMediaType",
}
CONFIG_NUMBERS = (
    "cpuMin",
    "cpuMax",
    "memoryMin",
    "memoryMax",
    "storageTempMin",
    "storageOutputsMin",
    "jobTimeout",
)
DIRECTORY_MEDIA_TYPE = "application/directory"


class PackageError(ValueError):
    """The package cannot be deployed; `problems` says why, each in one sentence."""

    def __init__(self, problems: list[str]) -> None:
        super().__init__("; ".join(problems))
        self.problems = problems


@dataclass
class Package:
    """A package in the one form the platform keeps and runs."""

    identifier: str
    version: str
    title: str
    description: dict[str, Any]
    execution_unit: dict[str, Any]
    job_control_options: list[str]
    document: dict[str, Any] = field(default_factory=dict)

    @property
    def execution_unit_type(self) -> str:
        return str(self.execution_unit["type"])


def package_read(body: bytes | str | dict[str, Any], media_type: str = "") -> Package:
    """The package a request body carries, normalised; PackageError lists every problem."""
    media_type = media_type.split(";")[0].strip().lower()
    if media_type in CWL_MEDIA_TYPES:
        return _package_from_cwl(body)
    document = body if isinstance(body, dict) else _json_or_yaml(body)
    if not isinstance(document, dict):
        raise PackageError(["The package must be a JSON object."])
    if "cwlVersion" in document:
        return _package_from_cwl(document)
    return _package_from_document(document)


def _json_or_yaml(body: bytes | str) -> Any:
    try:
        return yaml.safe_load(body)
    except yaml.YAMLError as error:
        raise PackageError([f"The package is not valid JSON or YAML: {error}"]) from error


def _package_from_cwl(body: bytes | str | dict[str, Any]) -> Package:
    from apps.processes import cwl

    try:
        document = cwl.cwl_load(body.decode() if isinstance(body, bytes) else body)
    except ValueError as error:
        raise PackageError([f"The CWL document cannot be read: {error}"]) from error
    problems = cwl.cwl_problems(document)
    if problems:
        raise PackageError(problems)
    description = cwl.cwl_description(document)
    return _package_from_document(
        {
            "processDescription": description,
            "jobControlOptions": description.get(
                "jobControlOptions", ["async-execute", "sync-execute"]
            ),
            "executionUnit": {"type": ExecutionUnitType.CWL, "unit": document},
        }
    )


def _package_from_document(document: dict[str, Any]) -> Package:
    problems: list[str] = []
    raw_description = document.get("processDescription")
    if isinstance(raw_description, dict) and isinstance(raw_description.get("process"), dict):
        raw_description = {**raw_description["process"], **_outside(raw_description)}
    if not isinstance(raw_description, dict):
        raise PackageError(["`processDescription` is missing or not an object."])
    unit = _execution_unit(document.get("executionUnit"), problems)
    description = _description(raw_description, document, unit, problems)
    if unit:
        problems += unit_problems(unit, description)
    if problems:
        raise PackageError(problems)
    return Package(
        identifier=description["id"],
        version=description["version"],
        title=description.get("title") or description["id"],
        description=description,
        execution_unit=unit,
        job_control_options=description["jobControlOptions"],
        document={"processDescription": {"process": description}, "executionUnit": unit},
    )


def _outside(wrapper: dict[str, Any]) -> dict[str, Any]:
    """Members beside `process` in `processDescription` (jobControlOptions, …)."""
    return {key: value for key, value in wrapper.items() if key != "process"}


# --- The process description -----------------------------------------------------------


def _description(
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
    """Roles as the OGC schema names them, each parameter's values as a `value` array."""
    if not isinstance(value, list):
        problems.append(f"{label}: `additionalParameters` must be a list.")
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


# --- The execution unit ----------------------------------------------------------------


def _execution_unit(value: Any, problems: list[str]) -> dict[str, Any]:
    if isinstance(value, list):
        if len(value) != 1:
            problems.append("Give exactly one execution unit.")
            return {}
        value = value[0]
    if not isinstance(value, dict):
        problems.append("`executionUnit` is missing or not an object.")
        return {}
    unit_type = value.get("type") or _unit_type_guess(value)
    normalisers: dict[str, Callable[[dict[str, Any], list[str]], dict[str, Any]]] = {
        ExecutionUnitType.DOCKER: _docker_unit,
        ExecutionUnitType.CWL: _cwl_unit,
        ExecutionUnitType.MOAW: _moaw_unit,
        ExecutionUnitType.PYTHON: _python_unit,
    }
    if unit_type not in normalisers:
        problems.append(
            f"Unknown execution unit type {unit_type!r}; use one of "
            f"{', '.join(str(kind) for kind in normalisers)}."
        )
        return {}
    return normalisers[unit_type](value, problems)


def _unit_type_guess(unit: dict[str, Any]) -> str | None:
    inner = unit.get("unit")
    if isinstance(inner, dict) and "cwlVersion" in inner:
        return ExecutionUnitType.CWL
    if "image" in unit:
        return ExecutionUnitType.DOCKER
    return None


def _docker_unit(raw: dict[str, Any], problems: list[str]) -> dict[str, Any]:
    image = raw.get("image") or raw.get("unit")
    if not isinstance(image, str) or not IMAGE_REFERENCE.match(image):
        problems.append(
            f"The container image {image!r} is not an image reference "
            "([registry/]name[:tag][@sha256:digest])."
        )
    unit: dict[str, Any] = {
        "type": ExecutionUnitType.DOCKER,
        "image": image,
        "config": _config(raw.get("config") or {}, problems),
    }
    command = raw.get("command")
    if command is not None:
        if isinstance(command, str):
            command = [command]
        if not isinstance(command, list) or not all(isinstance(word, str) for word in command):
            problems.append("The unit's `command` must be a list of strings.")
        unit["command"] = command
    environment = raw.get("env")
    if environment is not None:
        if not isinstance(environment, dict):
            problems.append("The unit's `env` must be an object of names and values.")
        unit["env"] = {str(name): str(value) for name, value in dict(environment).items()}
    return unit


def _config(config: Any, problems: list[str]) -> dict[str, Any]:
    if not isinstance(config, dict):
        problems.append("The unit's `config` must be an object.")
        return {}
    for name in CONFIG_NUMBERS:
        value = config.get(name)
        if value is not None and (
            isinstance(value, bool) or not isinstance(value, int | float) or value < 0
        ):
            problems.append(f"config.{name} must be a non-negative number, not {value!r}.")
    for low, high in (("cpuMin", "cpuMax"), ("memoryMin", "memoryMax")):
        low_value, high_value = config.get(low, 0), config.get(high, 0)
        if (
            config.get(high) is not None
            and _numbers(low_value, high_value)
            and low_value > high_value
        ):
            problems.append(
                f"config.{low} ({low_value}) is more than config.{high} ({high_value})."
            )
    return dict(config)


def _numbers(*values: Any) -> bool:
    return all(isinstance(value, int | float) and not isinstance(value, bool) for value in values)


def _cwl_unit(raw: dict[str, Any], problems: list[str]) -> dict[str, Any]:
    from apps.processes import cwl

    source = raw.get("unit")
    if not isinstance(source, str | dict):
        problems.append("Give the CWL document inline in `unit`; references are not fetched.")
        return {}
    try:
        document = cwl.cwl_load(source)
    except (ValueError, TypeError) as error:
        problems.append(f"The CWL document cannot be read: {error}")
        return {}
    problems += cwl.cwl_problems(document)
    return {"type": ExecutionUnitType.CWL, "unit": document}


def _moaw_unit(raw: dict[str, Any], problems: list[str]) -> dict[str, Any]:
    source = raw.get("source", raw.get("unit"))
    if not isinstance(source, dict) or "process" not in source:
        problems.append("A moaw unit needs a `source`: an execute request naming a `process`.")
        return {}
    return {"type": ExecutionUnitType.MOAW, "source": source}


def _python_unit(raw: dict[str, Any], problems: list[str]) -> dict[str, Any]:
    target = raw.get("callable") or raw.get("unit")
    if not isinstance(target, str) or ":" not in target:
        problems.append("A python unit names its callable as 'module:function'.")
        return {}
    if python_callable(target) is None:
        allowed = ", ".join(settings.PROCESS_PYTHON_MODULES) or "none"
        problems.append(
            f"{target!r} is not a callable of a module this platform allows (allowed: {allowed})."
        )
    return {"type": ExecutionUnitType.PYTHON, "callable": target}


def python_callable(target: str) -> Any:
    """The function `module:function` names, if its module is one the settings allow."""
    module_name, _, function_name = target.partition(":")
    allowed = any(
        module_name == prefix or module_name.startswith(prefix + ".")
        for prefix in settings.PROCESS_PYTHON_MODULES
    )
    if not allowed or not function_name.isidentifier():
        return None
    try:
        module = importlib.import_module(module_name)
    except ImportError:
        return None
    function = getattr(module, function_name, None)
    return function if callable(function) else None


def unit_problems(unit: dict[str, Any], description: dict[str, Any]) -> list[str]:
    """What the unit asks that the description or the platform cannot give."""
    problems: list[str] = []
    if unit.get("type") == ExecutionUnitType.MOAW:
        problems += _moaw_mapping_problems(unit["source"], set(description["inputs"]))
    if unit.get("type") == ExecutionUnitType.DOCKER:
        from apps.processes.binding import binding_problems

        problems += binding_problems(description["inputs"])
    return problems


def _moaw_mapping_problems(source: Any, inputs: set[str]) -> list[str]:
    """Every `{"input": name}` of a workflow names an input the process declares."""
    problems = []
    if isinstance(source, dict):
        if set(source) == {"input"}:
            if source["input"] not in inputs:
                problems.append(f"The workflow maps {source['input']!r}, which is not an input.")
            return problems
        for value in source.values():
            problems += _moaw_mapping_problems(value, inputs)
    elif isinstance(source, list):
        for value in source:
            problems += _moaw_mapping_problems(value, inputs)
    return problems


# --- The review (§6.8 note) ------------------------------------------------------------


@dataclass(frozen=True)
class ReviewCheck:
    name: str
    passed: bool
    detail: str


def package_review(description: dict[str, Any], unit: dict[str, Any]) -> list[ReviewCheck]:
    """What an administrator checks before publishing: each check passed or why not."""
    checks = [_description_check(description)]
    if unit.get("type") == ExecutionUnitType.DOCKER:
        image = str(unit.get("image", ""))
        checks.append(
            ReviewCheck(
                "Image reference",
                bool(IMAGE_REFERENCE.match(image)) and not image.endswith(":latest"),
                f"{image}"
                + (
                    " (a moving tag: prefer a fixed tag or digest)"
                    if image.endswith(":latest")
                    else ""
                ),
            )
        )
        checks.append(_limits_check(unit.get("config") or {}, description))
    if unit.get("type") == ExecutionUnitType.CWL:
        from apps.processes import cwl

        problems = cwl.cwl_problems(unit.get("unit") or {})
        checks.append(ReviewCheck("CWL valid", not problems, "; ".join(problems) or "valid"))
    return checks


def _description_check(description: dict[str, Any]) -> ReviewCheck:
    missing = []
    if not description.get("description"):
        missing.append("the process's description")
    for kind in ("inputs", "outputs"):
        for identifier, parameter in (description.get(kind) or {}).items():
            if not parameter.get("title") or parameter.get("title") == identifier:
                missing.append(f"a title for {kind[:-1]} '{identifier}'")
            if not parameter.get("schema"):
                missing.append(f"a schema for {kind[:-1]} '{identifier}'")
    return ReviewCheck(
        "Description complete",
        not missing,
        "missing " + ", ".join(missing) if missing else "complete",
    )


def _limits_check(config: dict[str, Any], description: dict[str, Any]) -> ReviewCheck:
    limits = {
        "cpuMax": settings.PROCESS_MAX_CPU,
        "cpuMin": settings.PROCESS_MAX_CPU,
        "memoryMax": settings.PROCESS_MAX_MEMORY_GB,
        "memoryMin": settings.PROCESS_MAX_MEMORY_GB,
        "storageTempMin": settings.PROCESS_MAX_STORAGE_GB,
        "storageOutputsMin": settings.PROCESS_MAX_STORAGE_GB,
    }
    over = [
        f"{name} {config[name]} > {limit:g}"
        for name, limit in limits.items()
        if _numbers(config.get(name)) and config[name] > limit
    ]
    timeout = description.get("jobTimeout")
    if _numbers(timeout) and timeout > settings.PROCESS_MAX_TIMEOUT_SECONDS:
        over.append(f"jobTimeout {timeout} > {settings.PROCESS_MAX_TIMEOUT_SECONDS}")
    return ReviewCheck(
        "Resource limits", not over, "; ".join(over) if over else "within the platform's limits"
    )
