"""Input binding of the OGC Application Package (§17.2.4, Table 5).

An input's `additionalParameters` entry with the role `inputBinding` says how its value
becomes arguments of a command-line execution unit: where it goes (`position`), what comes
before it (`prefix`, `argumentSeparator`), how a list is spread (`separate`, `itemSeparator`),
whether a shell command line quotes it (`shellQuote`), whether it is a staged file or folder
(`loadContents`, `loadListing`) and whether it is passed in a parameter file
(`valueForm: parameterFile`). Inputs without an `inputBinding` stay off the command line.

Packages in the wild write `values` as well as `value`, scalars as well as one-element arrays,
and numbers and booleans as strings (`"position": ["1"]`); all of these are accepted. Booleans
follow CWL: `true` puts the bare prefix (a flag), `false` puts nothing.
"""

import hashlib
import json
import re
import shlex
from collections.abc import Callable
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

INPUT_BINDING_ROLE = "inputBinding"
INLINE_VALUE = "value"
PARAMETER_FILE = "parameterFile"
PARAMETERS_FOLDER = "parameters"
UNSAFE_FILE_NAME_CHARACTERS = re.compile(r"[^A-Za-z0-9._-]")


class BindingError(ValueError):
    """A package's input binding, or a value given to it, cannot make arguments."""


@dataclass(frozen=True)
class InputBinding:
    """The Table 5 parameters of one input, with their defaults."""

    position: int = 0
    prefix: str = ""
    argument_separator: str | None = None
    separate: bool = True
    item_separator: str = ","
    shell_quote: bool = True
    load_contents: bool = False
    load_listing: bool = False
    value_form: str = INLINE_VALUE

    @property
    def is_staged(self) -> bool:
        """The value must be a file or folder the platform staged: a local path."""
        return self.load_contents or self.load_listing


@dataclass(frozen=True)
class Argument:
    """The words one input puts on the command line, and where they go.

    Arguments sort by `position`, then by `order`, the place of the input's id in
    alphabetical order, as CWL sorts them: stored descriptions do not keep their inputs'
    order, so only the ids can break a tie the same way every time.
    """

    position: int
    order: int
    words: tuple[str, ...]
    shell_quote: bool = True

    @property
    def sort_key(self) -> tuple[int, int]:
        return (self.position, self.order)

    def shell_words(self) -> list[str]:
        if self.shell_quote:
            return [shlex.quote(word) for word in self.words]
        return list(self.words)


def as_boolean(raw: Any) -> bool:
    """A boolean parameter value, also when a package writes it as "true" or "false"."""
    if isinstance(raw, bool):
        return raw
    if isinstance(raw, str) and raw.strip().lower() in ("true", "false"):
        return raw.strip().lower() == "true"
    raise ValueError(raw)


def _as_integer(raw: Any) -> int:
    if isinstance(raw, bool):
        raise ValueError(raw)
    if isinstance(raw, int):
        return raw
    if isinstance(raw, float) and raw.is_integer():
        return int(raw)
    if isinstance(raw, str) and re.fullmatch(r"\s*[+-]?\d+\s*", raw):
        return int(raw)
    raise ValueError(raw)


def _as_string(raw: Any) -> str:
    if isinstance(raw, str):
        return raw
    raise ValueError(raw)


def _as_value_form(raw: Any) -> str:
    if raw in (INLINE_VALUE, PARAMETER_FILE):
        return str(raw)
    raise ValueError(raw)


@dataclass(frozen=True)
class _ParameterKind:
    field: str
    expected: str
    convert: Callable[[Any], Any]


PARAMETER_KINDS = {
    "loadContents": _ParameterKind("load_contents", "a boolean", as_boolean),
    "loadListing": _ParameterKind("load_listing", "a boolean", as_boolean),
    "position": _ParameterKind("position", "an integer", _as_integer),
    "prefix": _ParameterKind("prefix", "a string", _as_string),
    "argumentSeparator": _ParameterKind("argument_separator", "a string", _as_string),
    "separate": _ParameterKind("separate", "a boolean", as_boolean),
    "itemSeparator": _ParameterKind("item_separator", "a string", _as_string),
    "shellQuote": _ParameterKind("shell_quote", "a boolean", as_boolean),
    "valueForm": _ParameterKind(
        "value_form", f"'{INLINE_VALUE}' or '{PARAMETER_FILE}'", _as_value_form
    ),
}


def _input_binding_parameters(description: dict[str, Any]) -> tuple[list[Any] | None, list[str]]:
    """The parameters of the input's `inputBinding` entries; None when it has none.

    `additionalParameters` may also be a single entry rather than a list of them.
    """
    entries = description.get("additionalParameters", [])
    if isinstance(entries, dict):
        entries = [entries]
    if not isinstance(entries, list):
        return None, ["additionalParameters must be a list of role and parameters objects"]
    bindings = [
        entry
        for entry in entries
        if isinstance(entry, dict) and entry.get("role") == INPUT_BINDING_ROLE
    ]
    if not bindings:
        return None, []
    parameters: list[Any] = []
    problems: list[str] = []
    for binding in bindings:
        binding_parameters = binding.get("parameters", [])
        if isinstance(binding_parameters, list):
            parameters += binding_parameters
        else:
            problems.append("inputBinding 'parameters' must be a list")
    return parameters, problems


def parameter_value(parameter: dict[str, Any]) -> Any:
    """The one value of a parameter, written `value` or `values`, bare or in an array."""
    raw = parameter.get("value", parameter.get("values"))
    if not isinstance(raw, list):
        return raw
    if len(raw) != 1:
        raise ValueError(raw)
    return raw[0]


def _parameter_setting(parameter: Any) -> tuple[str, Any]:
    """The InputBinding field a parameter sets, and its value; a ValueError says what is wrong."""
    if not isinstance(parameter, dict) or not isinstance(parameter.get("name"), str):
        raise ValueError(f"inputBinding parameters must be objects with a name, not {parameter!r}")
    name = parameter["name"]
    kind = PARAMETER_KINDS.get(name)
    if kind is None:
        raise ValueError(f"unknown inputBinding parameter {name!r}")
    try:
        raw = parameter_value(parameter)
        return kind.field, kind.convert(raw)
    except ValueError as error:
        shown = error.args[0] if error.args else None
        raise ValueError(f"inputBinding {name!r} must be {kind.expected}, not {shown!r}") from None


def _parse_binding(description: dict[str, Any]) -> tuple[InputBinding | None, list[str]]:
    parameters, problems = _input_binding_parameters(description)
    if parameters is None:
        return None, problems
    settings: dict[str, Any] = {}
    for parameter in parameters:
        try:
            field, value = _parameter_setting(parameter)
        except ValueError as error:
            problems.append(str(error))
            continue
        if field in settings:
            problems.append(f"inputBinding {parameter['name']!r} is given more than once")
        settings[field] = value
    binding = replace(InputBinding(), **settings)
    if binding.load_contents and binding.load_listing:
        problems.append("inputBinding 'loadContents' and 'loadListing' exclude each other")
    return binding, problems


def _parsed_bindings(
    inputs_description: dict[str, dict[str, Any]],
) -> tuple[dict[str, InputBinding], list[str]]:
    """The binding of every input that has one, and the problems, each naming the input."""
    bindings = {}
    problems = []
    for input_id, description in inputs_description.items():
        binding, input_problems = _parse_binding(description)
        if binding is not None:
            bindings[input_id] = binding
        problems += [f"input {input_id!r}: {problem}" for problem in input_problems]
    return bindings, problems


def binding_problems(inputs_description: dict[str, dict[str, Any]]) -> list[str]:
    """Problems in the inputBinding parameters of a package, each naming the input.

    Empty when every binding can be used.
    """
    _, problems = _parsed_bindings(inputs_description)
    return problems


def _bindings(inputs_description: dict[str, dict[str, Any]]) -> dict[str, InputBinding]:
    """The binding of every input put on the command line; raises BindingError on problems."""
    bindings, problems = _parsed_bindings(inputs_description)
    if problems:
        raise BindingError(" ".join(f"{problem}." for problem in problems))
    return bindings


def _given_or_default(input_id: str, description: dict[str, Any], values: dict[str, Any]) -> Any:
    """The value given for an input, else its schema default, else None."""
    if input_id in values:
        return values[input_id]
    schema = description.get("schema")
    return schema.get("default") if isinstance(schema, dict) else None


def _text(value: Any) -> str:
    """One value as a single word: booleans as JSON, objects as compact JSON, paths absolute."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, Path):
        return str(value.absolute())
    if isinstance(value, dict | list):
        return json.dumps(value, separators=(",", ":"), ensure_ascii=False)
    return str(value)


def _items(value: Any) -> list[Any]:
    return value if isinstance(value, list) else [value]


def _check_staged(input_id: str, binding: InputBinding, value: Any) -> None:
    if not binding.is_staged:
        return
    for item in _items(value):
        if not isinstance(item, Path):
            what = "file" if binding.load_contents else "folder"
            raise BindingError(f"input {input_id!r} needs a staged {what} (a path), not {item!r}.")


def _parameter_file_path(input_id: str, workdir: Path) -> Path:
    """A file name from the input id; ids that need changing get a hash so none collide."""
    name = UNSAFE_FILE_NAME_CHARACTERS.sub("_", input_id)
    if name != input_id or not name.strip("."):
        name += "-" + hashlib.sha256(input_id.encode()).hexdigest()[:8]
    return workdir / PARAMETERS_FOLDER / f"{name}.txt"


def _write_parameter_file(input_id: str, value: Any, workdir: Path) -> Path:
    """Write the input's values, one per line, and return the file's absolute path."""
    lines = [_text(item) for item in _items(value)]
    if any("\n" in line or "\r" in line for line in lines):
        raise BindingError(
            f"input {input_id!r}: a value with a line break cannot go in a parameter file."
        )
    path = _parameter_file_path(input_id, workdir).absolute()
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("".join(f"{line}\n" for line in lines), encoding="utf-8")
    return path


def _prefixed(binding: InputBinding, text: str) -> tuple[str, ...]:
    if not binding.prefix:
        return (text,)
    if binding.argument_separator is not None:
        return (f"{binding.prefix}{binding.argument_separator}{text}",)
    return (binding.prefix, text)


def _words(binding: InputBinding, value: Any) -> tuple[str, ...]:
    if isinstance(value, bool):
        return (binding.prefix,) if value and binding.prefix else ()
    if not isinstance(value, list):
        return _prefixed(binding, _text(value))
    texts = [_text(item) for item in value]
    if not texts:
        return ()
    if binding.separate:
        return tuple(word for text in texts for word in _prefixed(binding, text))
    return _prefixed(binding, binding.item_separator.join(texts))


def _argument(
    input_id: str, order: int, binding: InputBinding, value: Any, workdir: Path
) -> Argument:
    _check_staged(input_id, binding, value)
    if binding.value_form == PARAMETER_FILE:
        words = _prefixed(binding, str(_write_parameter_file(input_id, value, workdir)))
    else:
        words = _words(binding, value)
    return Argument(binding.position, order, words, binding.shell_quote)


def input_arguments(
    inputs_description: dict[str, dict[str, Any]], values: dict[str, Any], *, workdir: Path
) -> list[Argument]:
    """The arguments of the bound inputs that have a value, in command-line order.

    Raises BindingError when the package's bindings have problems or a staged file or
    folder is not a path.
    """
    bindings = _bindings(inputs_description)
    arguments = []
    for order, (input_id, description) in enumerate(sorted(inputs_description.items())):
        value = _given_or_default(input_id, description, values)
        if input_id in bindings and value is not None:
            arguments.append(_argument(input_id, order, bindings[input_id], value, workdir))
    return sorted(arguments, key=lambda argument: argument.sort_key)


def argument_vector(
    inputs_description: dict[str, dict[str, Any]], values: dict[str, Any], *, workdir: Path
) -> list[str]:
    """The argv for exec/containers (no shell quoting)."""
    arguments = input_arguments(inputs_description, values, workdir=workdir)
    return [word for argument in arguments for word in argument.words]


def command_line(
    inputs_description: dict[str, dict[str, Any]], values: dict[str, Any], *, workdir: Path
) -> str:
    """One shell command-line string, values quoted where shellQuote is true."""
    arguments = input_arguments(inputs_description, values, workdir=workdir)
    return " ".join(word for argument in arguments for word in argument.shell_words())
