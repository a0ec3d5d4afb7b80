"""cql2-json: read the JSON encoding of CQL2 1.0 into the AST, checking its structure.

Operators are objects `{"op": name, "args": [...]}`; any other op name is a function call
(the 1.0 encoding), as is the older `{"function": {"name": …, "args": […]}}` form. Known op
names are matched case-insensitively. Errors name the place in the document as a path
such as `$.args[1].interval[0]`.
"""

import json
import math
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

from .ast import (
    ARRAY_NAMES,
    SPATIAL_NAMES,
    TEMPORAL_NAMES,
    AccentInsensitive,
    And,
    Arithmetic,
    ArrayLiteral,
    ArrayPredicate,
    BboxLiteral,
    Between,
    BooleanLiteral,
    CaseInsensitive,
    Comparison,
    Cql2Error,
    DateLiteral,
    FunctionCall,
    GeometryLiteral,
    In,
    IntervalLiteral,
    IsNull,
    Like,
    Node,
    Not,
    NumberLiteral,
    Or,
    PropertyRef,
    SpatialPredicate,
    StringLiteral,
    TemporalPredicate,
    TimestampLiteral,
    date_value,
    instant_literal,
    is_boolean,
    is_condition,
    is_pattern,
    timestamp_value,
)

# Deep enough for any real filter, shallow enough to stay clear of Python's recursion limit.
MAX_DEPTH = 50

_COMPARISONS = ("=", "<>", "<", ">", "<=", ">=")
_ARITHMETIC = ("+", "-", "*", "/", "%", "^", "div")
# How deep the positions sit in each GeoJSON geometry's coordinates.
_POSITION_DEPTH = {
    "Point": 0,
    "LineString": 1,
    "MultiPoint": 1,
    "Polygon": 2,
    "MultiLineString": 2,
    "MultiPolygon": 3,
}
_GEOMETRY_TYPES = (*_POSITION_DEPTH, "GeometryCollection")


def _invalid(path: str, problem: str) -> Cql2Error:
    return Cql2Error(f"Invalid cql2-json at {path}: {problem}.")


def _is_number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


class _Reader:
    def __init__(self) -> None:
        self.depth = 0

    @contextmanager
    def nested(self, path: str) -> Iterator[None]:
        self.depth += 1
        if self.depth > MAX_DEPTH:
            raise _invalid(path, "the filter is nested too deeply")
        try:
            yield
        finally:
            self.depth -= 1

    # --- any expression -----------------------------------------------------------------

    def expression(self, value: Any, path: str) -> Node:
        with self.nested(path):
            if isinstance(value, bool):
                return BooleanLiteral(value)
            if _is_number(value):
                return NumberLiteral(self.number(value, path))
            if isinstance(value, str):
                return StringLiteral(value)
            if isinstance(value, list):
                items = (self.expression(item, f"{path}[{i}]") for i, item in enumerate(value))
                return ArrayLiteral(tuple(items))
            if isinstance(value, dict):
                return self.object(value, path)
        what = "null" if value is None else type(value).__name__
        raise _invalid(path, f"{what} is not a CQL2 expression")

    def number(self, value: int | float, path: str) -> int | float:
        if isinstance(value, float) and not math.isfinite(value):
            raise _invalid(path, "numbers must be finite")
        return value

    def value(self, raw: Any, path: str) -> Node:
        node = self.expression(raw, path)
        if is_condition(node):
            raise _invalid(path, "expected a value, not a condition")
        return node

    def condition(self, raw: Any, path: str) -> Node:
        node = self.expression(raw, path)
        if not is_boolean(node):
            raise _invalid(path, "expected a condition (a predicate or true/false)")
        return node

    def object(self, value: dict[str, Any], path: str) -> Node:
        readers: dict[str, Callable[[dict[str, Any], str], Node]] = {
            "op": self.operation,
            "property": self.property,
            "timestamp": self.timestamp,
            "date": self.date,
            "interval": self.interval,
            "bbox": self.bbox,
            "function": self.function,
        }
        if value.get("type") in _GEOMETRY_TYPES:
            return GeometryLiteral(self.geometry(value, path))
        for key, reader in readers.items():
            if key in value:
                return reader(value, path)
        raise _invalid(
            path,
            "expected an object with op, property, timestamp, date, interval, bbox or "
            "function, or a GeoJSON geometry",
        )

    def only(self, value: dict[str, Any], keys: tuple[str, ...], path: str) -> None:
        extra = sorted(set(value) - set(keys))
        if extra:
            raise _invalid(path, f"unexpected member {extra[0]!r}")

    def string_member(self, value: dict[str, Any], key: str, path: str) -> str:
        self.only(value, (key,), path)
        member = value[key]
        if not isinstance(member, str):
            raise _invalid(f"{path}.{key}", "expected a string")
        return member

    # --- literals and references ---------------------------------------------------------

    def property(self, value: dict[str, Any], path: str) -> Node:
        name = self.string_member(value, "property", path)
        if not name:
            raise _invalid(f"{path}.property", "the property name is empty")
        return PropertyRef(name)

    def timestamp(self, value: dict[str, Any], path: str) -> Node:
        text = self.string_member(value, "timestamp", path)
        return TimestampLiteral(self.converted(timestamp_value, text, f"{path}.timestamp"))

    def date(self, value: dict[str, Any], path: str) -> Node:
        text = self.string_member(value, "date", path)
        return DateLiteral(self.converted(date_value, text, f"{path}.date"))

    def converted(self, convert: Callable[[str], Any], text: str, path: str) -> Any:
        try:
            return convert(text)
        except Cql2Error as error:
            raise _invalid(path, str(error)) from error

    def interval(self, value: dict[str, Any], path: str) -> Node:
        self.only(value, ("interval",), path)
        bounds = value["interval"]
        if not isinstance(bounds, list) or len(bounds) != 2:
            raise _invalid(f"{path}.interval", "expected an array of a start and an end")
        start, end = (self.bound(bound, f"{path}.interval[{i}]") for i, bound in enumerate(bounds))
        return IntervalLiteral(start, end)

    def bound(self, raw: Any, path: str) -> Node | None:
        if raw == "..":
            return None
        if isinstance(raw, str):
            return self.converted(instant_literal, raw, path)
        node = self.expression(raw, path)
        if not isinstance(node, PropertyRef | FunctionCall | DateLiteral | TimestampLiteral):
            raise _invalid(
                path,
                "an interval end is a date or timestamp string, '..', a property or a function",
            )
        return node

    def bbox(self, value: dict[str, Any], path: str) -> Node:
        self.only(value, ("bbox",), path)
        numbers = value["bbox"]
        if (
            not isinstance(numbers, list)
            or len(numbers) not in (4, 6)
            or not all(_is_number(number) for number in numbers)
        ):
            raise _invalid(f"{path}.bbox", "expected an array of 4 or 6 numbers")
        return BboxLiteral(tuple(float(self.number(n, f"{path}.bbox")) for n in numbers))

    def geometry(self, value: Any, path: str) -> dict[str, Any]:
        """A GeoJSON geometry, keeping only its type and coordinates (as floats)."""
        kind = value.get("type") if isinstance(value, dict) else None
        if kind == "GeometryCollection":
            members = value.get("geometries")
            if not isinstance(members, list):
                raise _invalid(f"{path}.geometries", "expected an array of geometries")
            with self.nested(path):
                geometries = [
                    self.geometry(member, f"{path}.geometries[{i}]")
                    for i, member in enumerate(members)
                ]
            return {"type": kind, "geometries": geometries}
        if kind not in _POSITION_DEPTH:
            raise _invalid(path, "expected a GeoJSON geometry")
        coordinates = self.coordinates(
            value.get("coordinates"), _POSITION_DEPTH[kind], f"{path}.coordinates"
        )
        return {"type": kind, "coordinates": coordinates}

    def coordinates(self, value: Any, depth: int, path: str) -> list[Any]:
        if depth == 0:
            if (
                not isinstance(value, list)
                or len(value) not in (2, 3)
                or not all(_is_number(number) for number in value)
            ):
                raise _invalid(path, "expected a position of 2 or 3 numbers")
            return [float(self.number(number, path)) for number in value]
        if not isinstance(value, list):
            raise _invalid(path, "expected an array of coordinates")
        return [self.coordinates(item, depth - 1, f"{path}[{i}]") for i, item in enumerate(value)]

    # --- operators and functions ---------------------------------------------------------

    def function(self, value: dict[str, Any], path: str) -> Node:
        self.only(value, ("function",), path)
        function = value["function"]
        if not isinstance(function, dict):
            raise _invalid(f"{path}.function", "expected an object with name and args")
        self.only(function, ("name", "args"), f"{path}.function")
        name = function.get("name")
        if not isinstance(name, str) or not name:
            raise _invalid(f"{path}.function.name", "expected the function's name")
        args = self.arguments(function.get("args", []), f"{path}.function.args")
        return FunctionCall(name, tuple(self.expression(a, p) for a, p in args))

    def arguments(self, raw: Any, path: str, count: int | None = None) -> list[tuple[Any, str]]:
        if not isinstance(raw, list):
            raise _invalid(path, "expected an array of arguments")
        if count is not None and len(raw) != count:
            raise _invalid(path, f"expected {count} argument{'s' if count > 1 else ''}")
        return [(item, f"{path}[{i}]") for i, item in enumerate(raw)]

    def operation(self, value: dict[str, Any], path: str) -> Node:
        self.only(value, ("op", "args"), path)
        op = value["op"]
        if not isinstance(op, str) or not op:
            raise _invalid(f"{path}.op", "expected an operator name")
        lower = op.lower()
        raw_args = value.get("args")
        args_path = f"{path}.args"
        if lower in ("and", "or", "not"):
            return self.logical(lower, raw_args, args_path)
        if op in _COMPARISONS:
            left, right = (self.value(a, p) for a, p in self.arguments(raw_args, args_path, 2))
            return Comparison(op, left, right)
        if lower in ("like", "between", "in", "isnull"):
            return self.advanced_comparison(lower, raw_args, args_path)
        if lower in SPATIAL_NAMES or lower in TEMPORAL_NAMES or lower in ARRAY_NAMES:
            return self.binary_function(lower, raw_args, args_path)
        if lower in _ARITHMETIC:
            left, right = (self.value(a, p) for a, p in self.arguments(raw_args, args_path, 2))
            return Arithmetic(lower, left, right)
        if lower in ("casei", "accenti"):
            ((raw, arg_path),) = self.arguments(raw_args, args_path, 1)
            operand = self.value(raw, arg_path)
            return CaseInsensitive(operand) if lower == "casei" else AccentInsensitive(operand)
        args = self.arguments([] if raw_args is None else raw_args, args_path)
        return FunctionCall(op, tuple(self.expression(a, p) for a, p in args))

    def logical(self, lower: str, raw_args: Any, path: str) -> Node:
        args = self.arguments(raw_args, path, 1 if lower == "not" else None)
        operands = tuple(self.condition(a, p) for a, p in args)
        if lower == "not":
            return Not(operands[0])
        if len(operands) < 2:
            raise _invalid(path, f"'{lower}' combines at least 2 conditions")
        return And(operands) if lower == "and" else Or(operands)

    def advanced_comparison(self, lower: str, raw_args: Any, path: str) -> Node:
        if lower == "isnull":
            ((raw, arg_path),) = self.arguments(raw_args, path, 1)
            return IsNull(self.expression(raw, arg_path))
        if lower == "between":
            value, low, high = (self.value(a, p) for a, p in self.arguments(raw_args, path, 3))
            return Between(value, low, high)
        (raw_value, value_path), (raw_other, other_path) = self.arguments(raw_args, path, 2)
        value = self.value(raw_value, value_path)
        if lower == "like":
            pattern = self.value(raw_other, other_path)
            if not is_pattern(pattern):
                raise _invalid(other_path, "a LIKE pattern is a string, possibly in casei/accenti")
            return Like(value, pattern)
        if not isinstance(raw_other, list) or not raw_other:
            raise _invalid(other_path, "'in' takes a non-empty array of values")
        items = (self.value(item, f"{other_path}[{i}]") for i, item in enumerate(raw_other))
        return In(value, tuple(items))

    def binary_function(self, lower: str, raw_args: Any, path: str) -> Node:
        left, right = (self.value(a, p) for a, p in self.arguments(raw_args, path, 2))
        if lower in SPATIAL_NAMES:
            return SpatialPredicate(SPATIAL_NAMES[lower], left, right)
        if lower in TEMPORAL_NAMES:
            return TemporalPredicate(TEMPORAL_NAMES[lower], left, right)
        return ArrayPredicate(ARRAY_NAMES[lower], left, right)


def _reject_constant(name: str) -> Any:
    raise ValueError(f"{name} is not a JSON number")


def parse_cql2_json(document: Any) -> Node:
    """Read a cql2-json filter, given as parsed JSON or as JSON text (str or bytes)."""
    if isinstance(document, str | bytes):
        try:
            document = json.loads(document, parse_constant=_reject_constant)
        except ValueError as error:
            raise Cql2Error(f"The cql2-json filter is not valid JSON: {error}.") from error
        except RecursionError as error:
            raise Cql2Error("The cql2-json filter is nested too deeply.") from error
    return _Reader().condition(document, "$")
