"""The execution unit of a package: one of the types this platform runs, checked."""

import importlib
import re
from collections.abc import Callable
from typing import Any

from django.conf import settings

from apps.processes.models import ExecutionUnitType

IMAGE_REFERENCE = re.compile(
    r"^(?:(?P<registry>[a-zA-Z0-9.-]+(?::[0-9]+)?)/)?"
    r"[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*(?:/[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*)*"
    r"(?::[A-Za-z0-9_][A-Za-z0-9_.-]{0,127})?(?:@sha256:[a-f0-9]{64})?$"
)
CONFIG_NUMBERS = (
    "cpuMin",
    "cpuMax",
    "memoryMin",
    "memoryMax",
    "storageTempMin",
    "storageOutputsMin",
    "jobTimeout",
)


def execution_unit(value: Any, problems: list[str]) -> dict[str, Any]:
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
            and numbers(low_value, high_value)
            and low_value > high_value
        ):
            problems.append(
                f"config.{low} ({low_value}) is more than config.{high} ({high_value})."
            )
    return dict(config)


def numbers(*values: Any) -> bool:
    return all(isinstance(value, int | float) and not isinstance(value, bool) for value in values)


def _cwl_unit(raw: dict[str, Any], problems: list[str]) -> dict[str, Any]:
    return cwl_unit(raw.get("unit"), problems)


def cwl_unit(source: Any, problems: list[str]) -> dict[str, Any]:
    """The unit of a CWL document given inline, read and checked with cwltool; each reason
    it cannot be deployed is added to `problems`."""
    from apps.processes import cwl

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
