"""The CQL2 abstract syntax tree that both encodings parse into, and the error they raise.

Nodes are frozen dataclasses, so a cql2-text filter and its cql2-json twin compare equal.
Names of operators are the cql2-json ones (`s_intersects`, `t_finishedBy`, `isNull`, …).
"""

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from typing import Any


class Cql2Error(ValueError):
    """A filter that cannot be parsed or evaluated; the message is meant for API users."""


SPATIAL_FUNCTIONS = (
    "s_intersects",
    "s_equals",
    "s_disjoint",
    "s_touches",
    "s_within",
    "s_overlaps",
    "s_crosses",
    "s_contains",
)
TEMPORAL_FUNCTIONS = (
    "t_after",
    "t_before",
    "t_contains",
    "t_disjoint",
    "t_during",
    "t_equals",
    "t_finishedBy",
    "t_finishes",
    "t_intersects",
    "t_meets",
    "t_metBy",
    "t_overlappedBy",
    "t_overlaps",
    "t_startedBy",
    "t_starts",
)
ARRAY_FUNCTIONS = ("a_equals", "a_contains", "a_containedBy", "a_overlaps")
COMPARISON_OPERATORS = ("=", "<>", "<", ">", "<=", ">=")
ARITHMETIC_OPERATORS = ("+", "-", "*", "/", "%", "div", "^")

# Case-insensitive spelling -> the standard's spelling, for both encodings.
SPATIAL_NAMES = {name.lower(): name for name in SPATIAL_FUNCTIONS}
TEMPORAL_NAMES = {name.lower(): name for name in TEMPORAL_FUNCTIONS}
ARRAY_NAMES = {name.lower(): name for name in ARRAY_FUNCTIONS}


@dataclass(frozen=True)
class Node:
    """Any part of a filter."""


# --- literals ---------------------------------------------------------------------------


@dataclass(frozen=True)
class StringLiteral(Node):
    value: str


@dataclass(frozen=True)
class NumberLiteral(Node):
    value: int | float


@dataclass(frozen=True)
class BooleanLiteral(Node):
    value: bool


@dataclass(frozen=True)
class TimestampLiteral(Node):
    value: datetime  # always timezone-aware, in UTC


@dataclass(frozen=True)
class DateLiteral(Node):
    value: date


@dataclass(frozen=True)
class IntervalLiteral(Node):
    """Start and end: a date, timestamp, property or function; None for an open end ('..')."""

    start: Node | None
    end: Node | None


@dataclass(frozen=True)
class GeometryLiteral(Node):
    """A GeoJSON geometry object, coordinates as lists of floats in the filter's axis order."""

    geometry: Mapping[str, Any] = field(hash=False)


@dataclass(frozen=True)
class BboxLiteral(Node):
    """Four numbers (minx, miny, maxx, maxy) or six with heights (minx, miny, minz, …)."""

    values: tuple[float, ...]


@dataclass(frozen=True)
class ArrayLiteral(Node):
    items: tuple[Node, ...]


# --- references and expressions -----------------------------------------------------------


@dataclass(frozen=True)
class PropertyRef(Node):
    name: str


@dataclass(frozen=True)
class FunctionCall(Node):
    name: str
    args: tuple[Node, ...]


@dataclass(frozen=True)
class Arithmetic(Node):
    op: str  # one of ARITHMETIC_OPERATORS
    left: Node
    right: Node


@dataclass(frozen=True)
class CaseInsensitive(Node):
    """CASEI(value)."""

    value: Node


@dataclass(frozen=True)
class AccentInsensitive(Node):
    """ACCENTI(value)."""

    value: Node


# --- predicates -----------------------------------------------------------------------------


@dataclass(frozen=True)
class Comparison(Node):
    op: str  # one of COMPARISON_OPERATORS
    left: Node
    right: Node


@dataclass(frozen=True)
class Like(Node):
    value: Node
    pattern: Node


@dataclass(frozen=True)
class Between(Node):
    value: Node
    low: Node
    high: Node


@dataclass(frozen=True)
class In(Node):
    value: Node
    items: tuple[Node, ...]


@dataclass(frozen=True)
class IsNull(Node):
    value: Node


@dataclass(frozen=True)
class Not(Node):
    operand: Node


@dataclass(frozen=True)
class And(Node):
    operands: tuple[Node, ...]


@dataclass(frozen=True)
class Or(Node):
    operands: tuple[Node, ...]


@dataclass(frozen=True)
class SpatialPredicate(Node):
    op: str  # one of SPATIAL_FUNCTIONS
    left: Node
    right: Node


@dataclass(frozen=True)
class TemporalPredicate(Node):
    op: str  # one of TEMPORAL_FUNCTIONS
    left: Node
    right: Node


@dataclass(frozen=True)
class ArrayPredicate(Node):
    op: str  # one of ARRAY_FUNCTIONS
    left: Node
    right: Node


CONDITIONS = (
    And,
    Or,
    Not,
    Comparison,
    Like,
    Between,
    In,
    IsNull,
    SpatialPredicate,
    TemporalPredicate,
    ArrayPredicate,
)


def is_condition(node: Node) -> bool:
    """A predicate or logical combination: what may not stand where a value is expected."""
    return isinstance(node, CONDITIONS)


def is_boolean(node: Node) -> bool:
    """What may stand where a condition is expected (a function may return a boolean)."""
    return is_condition(node) or isinstance(node, BooleanLiteral | FunctionCall)


def is_pattern(node: Node) -> bool:
    """The right-hand side of LIKE: a string literal, possibly inside CASEI/ACCENTI."""
    while isinstance(node, CaseInsensitive | AccentInsensitive):
        node = node.value
    return isinstance(node, StringLiteral)


# --- instants, shared by both encodings --------------------------------------------------

_DATE = re.compile(r"(\d{4})-(\d{2})-(\d{2})")
_TIMESTAMP = re.compile(
    r"(\d{4})-(\d{2})-(\d{2})[Tt](\d{2}):(\d{2}):(\d{2})(?:\.(\d+))?([Zz]|[+-]\d{2}:\d{2})"
)


def date_value(text: str) -> date:
    """An RFC 3339 full-date (`1969-07-20`)."""
    match = _DATE.fullmatch(text)
    if match is None:
        raise Cql2Error(f"{text!r} is not a date (YYYY-MM-DD)")
    try:
        return date(*(int(part) for part in match.groups()))
    except ValueError as error:
        raise Cql2Error(f"{text!r} is not a valid date: {error}") from error


def timestamp_value(text: str) -> datetime:
    """An RFC 3339 date-time with a time zone (`1969-07-20T20:17:40Z`), as UTC."""
    match = _TIMESTAMP.fullmatch(text)
    if match is None:
        raise Cql2Error(f"{text!r} is not a timestamp (YYYY-MM-DDThh:mm:ss[.fff]Z)")
    *fields, fraction, zone = match.groups()
    microsecond = int((fraction or "0")[:6].ljust(6, "0"))
    offset = timedelta()
    if zone not in ("Z", "z"):
        sign = 1 if zone[0] == "+" else -1
        offset = sign * timedelta(hours=int(zone[1:3]), minutes=int(zone[4:6]))
    try:
        year, month, day, hour, minute, second = (int(part) for part in fields)
        moment = datetime(year, month, day, hour, minute, second, microsecond, tzinfo=UTC)
    except ValueError as error:
        raise Cql2Error(f"{text!r} is not a valid timestamp: {error}") from error
    return moment - offset


def instant_literal(text: str) -> TimestampLiteral | DateLiteral:
    """A date or a timestamp, told apart by their form."""
    if _DATE.fullmatch(text):
        return DateLiteral(date_value(text))
    return TimestampLiteral(timestamp_value(text))
