"""Translate a CQL2 AST into a Django `Q` over the catalogue's records.

Every literal reaches SQL as a query parameter. Predicates are built from lookup
expressions rather than keyword filters, so SQL's three-valued logic holds throughout: a
predicate on a missing value is unknown (NULL in CQL2's terms), and so is its negation: a
record without cloud cover matches neither `cloudCover < 10` nor `NOT cloudCover < 10`.

Choices where CQL2 leaves room:

* CASEI / ACCENTI on either side of a comparison, LIKE or IN apply to both sides (lower(),
  PostgreSQL unaccent()).
* LIKE is case-sensitive; `%` and `_` are the wildcards and a backslash escapes them.
* A DATE compared with a timestamp stands for its whole UTC day: `updated = DATE('2024-01-02')`
  matches that day, `updated < DATE(…)` is before it starts, `updated > DATE(…)` after it
  ends. The same holds for dates inside temporal functions and intervals. A `date` queryable
  is taken at its day's first moment when compared with timestamps.
* `datetime` (kind `interval`) is the record's time extent: time_start and time_end, a null
  being an open end; a record with neither has no time and no temporal predicate holds for it
  (nor for its negation). Intervals are closed, as in CQL2; '..' is unbounded.
* T_AFTER, T_BEFORE, T_DISJOINT, T_EQUALS and T_INTERSECTS take instants or intervals; the
  other temporal functions take intervals only, and an instant there is a client error.
* An array queryable compared with `=` to a string means "contains that element" (as
  `keywords=value` does elsewhere in the API), and `IN` means it contains any of them;
  A_* functions compare arrays as sets. For arrays, IS NULL also matches an empty array, and
  for strings the empty string (Django keeps missing strings as '').
* Geometry literals are in CRS84 (lon/lat) unless `crs` is EPSG:4326 (lat/lon: swapped);
  heights are ignored for BBOX. A BBOX with minx > maxx crosses the antimeridian.
* Arithmetic is done in PostgreSQL numeric: `/` divides exactly, `div` truncates and `%` is
  the remainder. A division by zero, or a power without a real value, is unknown (null).
* No functions are offered: any function call is refused.
"""

import operator
from collections.abc import Callable, Mapping
from dataclasses import dataclass, replace
from datetime import UTC, datetime, time, timedelta
from functools import reduce
from typing import Any, cast

from django.apps import apps
from django.contrib.gis.geos import (
    GeometryCollection,
    GEOSException,
    GEOSGeometry,
    LinearRing,
    LineString,
    MultiLineString,
    MultiPoint,
    MultiPolygon,
    Point,
    Polygon,
)
from django.db.models import (
    BooleanField,
    Case,
    DateTimeField,
    DecimalField,
    ExpressionWrapper,
    F,
    Field,
    FloatField,
    Func,
    IntegerField,
    Lookup,
    Model,
    Q,
    TextField,
    Value,
    When,
)
from django.db.models.expressions import CombinedExpression, Expression
from django.db.models.functions import Cast, Coalesce, Lower, Mod, NullIf, Power
from django.db.models.lookups import (
    Exact,
    GreaterThan,
    GreaterThanOrEqual,
    IsNull,
    LessThan,
    LessThanOrEqual,
)

from . import ast
from .ast import Cql2Error, Node
from .queryables import Queryable

CRS84 = "http://www.opengis.net/def/crs/OGC/1.3/CRS84"
EPSG4326 = "http://www.opengis.net/def/crs/EPSG/0/4326"
INTERVAL_START = "time_start"
INTERVAL_END = "time_end"
QUERYABLES_URL = "/catalogue/collections/tep-catalogue/queryables"


# --- SQL building blocks --------------------------------------------------------------------


class Cql2Like(Lookup):
    """`lhs LIKE rhs`: PostgreSQL's wildcards and backslash escape are CQL2's."""

    lookup_name = "cql2_like"
    prepare_rhs = False

    def as_sql(self, compiler: Any, connection: Any) -> tuple[str, list[Any]]:
        lhs_sql, lhs_params = self.process_lhs(compiler, connection)
        rhs_sql, rhs_params = self.process_rhs(compiler, connection)
        return f"{lhs_sql} LIKE {rhs_sql}", [*lhs_params, *rhs_params]


_LOOKUPS: dict[str, type[Lookup]] = {
    "=": Exact,
    "<": LessThan,
    "<=": LessThanOrEqual,
    ">": GreaterThan,
    ">=": GreaterThanOrEqual,
}
_CONVERSE = {"=": "=", "<>": "<>", "<": ">", ">": "<", "<=": ">=", ">=": "<="}


def _compare(op: str, left: Any, right: Any) -> Q:
    if op == "<>":
        return ~Q(Exact(left, right))
    return Q(_LOOKUPS[op](left, right))


def _constant(value: bool) -> Q:
    return Q(Value(value, output_field=BooleanField()))


def _unaccent(expression: Expression) -> Expression:
    # A plain function call: contrib.postgres' Unaccent is a bilateral transform and would
    # wrap the other side of a lookup a second time.
    return Func(expression, function="UNACCENT", output_field=TextField())


def _numeric(expression: Expression) -> Expression:
    """As PostgreSQL numeric: exact, far from overflowing, and with mod() and div()."""
    return Func(expression, template="(%(expressions)s)::numeric", output_field=DecimalField())


def _power(base: Expression, exponent: Expression) -> Expression:
    """base ^ exponent, unknown (null) where it has no real value rather than an SQL error."""
    whole = Func(exponent, function="TRUNC", output_field=DecimalField())
    undefined = (Q(LessThan(base, Value(0))) & ~Q(Exact(exponent, whole))) | (
        Q(Exact(base, Value(0))) & Q(LessThan(exponent, Value(0)))
    )
    return Case(
        When(undefined, then=Value(None)),
        default=Power(base, exponent),
        output_field=DecimalField(),
    )


def _arithmetic(op: str, left: Expression, right: Expression) -> Expression:
    """One operation in numeric; a divisor of zero gives null (unknown), not an SQL error."""
    left, right = _numeric(left), _numeric(right)
    if op in ("+", "-", "*"):
        return CombinedExpression(left, op, right, output_field=DecimalField())
    if op == "^":
        return _power(left, right)
    divisor = NullIf(right, Value(0), output_field=DecimalField())
    if op == "/":
        return CombinedExpression(left, "/", divisor, output_field=DecimalField())
    if op == "%":
        return Mod(left, divisor, output_field=DecimalField())
    return Func(left, divisor, function="DIV", output_field=DecimalField())


def _infinity(sign: str) -> Expression:
    return Cast(Value(f"{sign}infinity"), DateTimeField())


def _moment(value: datetime) -> Expression:
    return Value(value, output_field=DateTimeField())


# --- instants and intervals -----------------------------------------------------------------


@dataclass(frozen=True)
class _Instant:
    """A point in time, or a whole day: from `start` up to (not including) `day_end`."""

    start: Expression
    day_end: Expression | None = None


@dataclass(frozen=True)
class _Span:
    """A temporal operand as a closed interval (an instant starts and ends at once)."""

    start: _Instant
    end: _Instant
    interval: bool


def _compare_instants(op: str, left: _Instant, right: _Instant) -> Q:
    if op == "<>":
        return ~_compare_instants("=", left, right)
    if (left.day_end is None) == (right.day_end is None):
        return _compare(op, left.start, right.start)
    if left.day_end is not None:
        return _compare_instants(_CONVERSE[op], right, left)
    moment, day_start, day_end = left.start, right.start, right.day_end
    match op:
        case "<":
            return _compare("<", moment, day_start)
        case "<=":
            return _compare("<", moment, day_end)
        case ">":
            return _compare(">=", moment, day_end)
        case ">=":
            return _compare(">=", moment, day_start)
    return _compare(">=", moment, day_start) & _compare("<", moment, day_end)


def _at(left: _Instant, op: str, right: _Instant) -> Q:
    return _compare_instants(op, left, right)


# The relations of the W3C/OGC Time Ontology as CQL2 defines them, over closed intervals.
_RELATIONS: dict[str, Callable[[_Span, _Span], Q]] = {
    "t_after": lambda a, b: _at(a.start, ">", b.end),
    "t_before": lambda a, b: _at(a.end, "<", b.start),
    "t_disjoint": lambda a, b: _at(a.end, "<", b.start) | _at(a.start, ">", b.end),
    "t_equals": lambda a, b: _at(a.start, "=", b.start) & _at(a.end, "=", b.end),
    "t_intersects": lambda a, b: _at(a.start, "<=", b.end) & _at(a.end, ">=", b.start),
    "t_contains": lambda a, b: _at(a.start, "<", b.start) & _at(a.end, ">", b.end),
    "t_during": lambda a, b: _at(a.start, ">", b.start) & _at(a.end, "<", b.end),
    "t_finishedBy": lambda a, b: _at(a.start, "<", b.start) & _at(a.end, "=", b.end),
    "t_finishes": lambda a, b: _at(a.start, ">", b.start) & _at(a.end, "=", b.end),
    "t_meets": lambda a, b: _at(a.end, "=", b.start),
    "t_metBy": lambda a, b: _at(a.start, "=", b.end),
    "t_overlappedBy": lambda a, b: (
        _at(b.start, "<", a.start) & _at(a.start, "<", b.end) & _at(b.end, "<", a.end)
    ),
    "t_overlaps": lambda a, b: (
        _at(a.start, "<", b.start) & _at(b.start, "<", a.end) & _at(a.end, "<", b.end)
    ),
    "t_startedBy": lambda a, b: _at(a.start, "=", b.start) & _at(a.end, ">", b.end),
    "t_starts": lambda a, b: _at(a.start, "=", b.start) & _at(a.end, "<", b.end),
}
_INSTANT_RELATIONS = ("t_after", "t_before", "t_disjoint", "t_equals", "t_intersects")


# --- geometries -----------------------------------------------------------------------------

_SPATIAL_LOOKUPS = {name: name.removeprefix("s_") for name in ast.SPATIAL_FUNCTIONS}
_SPATIAL_CONVERSE = {"within": "contains", "contains": "within"}


def _positions(coordinates: list[Any], swap: bool) -> list[tuple[float, ...]]:
    return [(p[1], p[0], *p[2:]) if swap else tuple(p) for p in coordinates]


def _ring(coordinates: list[Any], swap: bool) -> LinearRing:
    positions = _positions(coordinates, swap)
    if len(positions) < 4 or positions[0] != positions[-1]:
        raise Cql2Error("A polygon ring needs at least 4 positions, the last equal to the first.")
    return LinearRing(positions)


def _line(coordinates: list[Any], swap: bool) -> LineString:
    if len(coordinates) < 2:
        raise Cql2Error("A line string needs at least 2 positions.")
    return LineString(_positions(coordinates, swap))


def _polygon(rings: list[Any], swap: bool) -> Polygon:
    return Polygon(*(_ring(ring, swap) for ring in rings))


def _geos(geometry: Mapping[str, Any], swap: bool) -> GEOSGeometry:
    """A GEOS geometry from the AST's GeoJSON, built directly (no GDAL round trip)."""
    kind = geometry["type"]
    if kind == "GeometryCollection":
        return GeometryCollection(*(_geos(member, swap) for member in geometry["geometries"]))
    coordinates = geometry["coordinates"]
    if not coordinates:
        return GEOSGeometry(f"{kind.upper()} EMPTY")
    builders: dict[str, Callable[[], GEOSGeometry]] = {
        "Point": lambda: Point(_positions([coordinates], swap)[0]),
        "LineString": lambda: _line(coordinates, swap),
        "Polygon": lambda: _polygon(coordinates, swap),
        "MultiPoint": lambda: MultiPoint(*(Point(p) for p in _positions(coordinates, swap))),
        "MultiLineString": lambda: MultiLineString(*(_line(c, swap) for c in coordinates)),
        "MultiPolygon": lambda: MultiPolygon(*(_polygon(c, swap) for c in coordinates)),
    }
    return builders[kind]()


def _box(min_x: float, min_y: float, max_x: float, max_y: float) -> GEOSGeometry:
    """The box as a polygon, or as a line or point where it has no area."""
    if min_x == max_x and min_y == max_y:
        return Point(min_x, min_y)
    if min_x == max_x or min_y == max_y:
        return LineString((min_x, min_y), (max_x, max_y))
    return Polygon.from_bbox((min_x, min_y, max_x, max_y))


def _bbox(values: tuple[float, ...], swap: bool) -> GEOSGeometry:
    corners = (values[0], values[1], values[2], values[3])
    if len(values) == 6:
        corners = (values[0], values[1], values[3], values[4])
    if swap:
        corners = (corners[1], corners[0], corners[3], corners[2])
    min_x, min_y, max_x, max_y = corners
    if not (-180 <= min_x <= 180 and -180 <= max_x <= 180 and -90 <= min_y <= max_y <= 90):
        raise Cql2Error("A BBOX must lie within -180..180, -90..90 with miny <= maxy.")
    if min_x <= max_x:
        return _box(min_x, min_y, max_x, max_y)
    if min_x == 180:
        return _box(-180, min_y, max_x, max_y)
    if max_x == -180:
        return _box(min_x, min_y, 180, max_y)
    # minx > maxx: the box crosses the antimeridian.
    return MultiPolygon(
        Polygon.from_bbox((min_x, min_y, 180, max_y)),
        Polygon.from_bbox((-180, min_y, max_x, max_y)),
    )


# --- the translator -------------------------------------------------------------------------


@dataclass(frozen=True)
class _Text:
    expression: Expression
    casei: bool = False
    accenti: bool = False

    def folded(self, casei: bool, accenti: bool) -> Expression:
        expression = _unaccent(self.expression) if accenti else self.expression
        return Lower(expression) if casei else expression


_LITERAL_NAMES: dict[type[Node], str] = {
    ast.StringLiteral: "a string",
    ast.NumberLiteral: "a number",
    ast.BooleanLiteral: "a boolean",
    ast.TimestampLiteral: "a timestamp",
    ast.DateLiteral: "a date",
    ast.IntervalLiteral: "an interval",
    ast.GeometryLiteral: "a geometry",
    ast.BboxLiteral: "a BBOX",
    ast.ArrayLiteral: "an array",
    ast.Arithmetic: "an arithmetic expression",
    ast.CaseInsensitive: "CASEI(…)",
    ast.AccentInsensitive: "ACCENTI(…)",
}


class _Translator:
    def __init__(
        self, queryables: Mapping[str, Queryable], model: type[Model], swap_axes: bool
    ) -> None:
        self.queryables = queryables
        self.model = model
        self.swap_axes = swap_axes

    # --- names, kinds and messages --------------------------------------------------------

    def queryable(self, node: ast.PropertyRef) -> Queryable:
        queryable = self.queryables.get(node.name)
        if queryable is None:
            raise Cql2Error(f"Unknown queryable '{node.name}'; see {QUERYABLES_URL}.")
        return queryable

    def column(self, queryable: Queryable) -> Expression:
        if queryable.field is None:
            raise Cql2Error(f"'{queryable.name}' cannot be used here.")
        field = cast("Field[Any, Any]", self.model._meta.get_field(queryable.field))
        return ExpressionWrapper(F(queryable.field), output_field=field)

    def kind(self, node: Node) -> str:
        """The CQL2 data type of a value: string, number, boolean, timestamp, date, …."""
        match node:
            case ast.StringLiteral() | ast.CaseInsensitive() | ast.AccentInsensitive():
                return "string"
            case ast.NumberLiteral() | ast.Arithmetic():
                return "number"
            case ast.BooleanLiteral():
                return "boolean"
            case ast.TimestampLiteral():
                return "timestamp"
            case ast.DateLiteral():
                return "date"
            case ast.IntervalLiteral():
                return "interval"
            case ast.GeometryLiteral() | ast.BboxLiteral():
                return "geometry"
            case ast.ArrayLiteral():
                return "array"
            case ast.PropertyRef():
                kind = self.queryable(node).kind
                return "number" if kind == "integer" else kind
            case ast.FunctionCall():
                raise self.unknown_function(node)
        raise Cql2Error(f"{self.describe(node)} cannot be used as a value.")

    def describe(self, node: Node) -> str:
        if isinstance(node, ast.PropertyRef):
            return f"'{node.name}' (a {self.queryable(node).kind} queryable)"
        if isinstance(node, ast.FunctionCall):
            return f"function {node.name}()"
        return _LITERAL_NAMES.get(type(node), "a condition")

    def unknown_function(self, node: ast.FunctionCall) -> Cql2Error:
        return Cql2Error(
            f"Unknown function '{node.name}'; this catalogue offers no functions "
            "besides CASEI and ACCENTI."
        )

    def wrong(self, node: Node, expected: str) -> Cql2Error:
        if isinstance(node, ast.FunctionCall):
            return self.unknown_function(node)
        return Cql2Error(f"Expected {expected}, not {self.describe(node)}.")

    def property_of(self, node: ast.PropertyRef, *kinds: str) -> Queryable:
        queryable = self.queryable(node)
        if queryable.kind not in kinds:
            nouns = [_article(kind) for kind in kinds if kind != "integer"]
            raise self.wrong(node, " or ".join(nouns))
        return queryable

    # --- conditions -----------------------------------------------------------------------

    def condition(self, node: Node) -> Q:
        match node:
            case ast.And(operands):
                return reduce(operator.and_, (self.condition(item) for item in operands))
            case ast.Or(operands):
                return reduce(operator.or_, (self.condition(item) for item in operands))
            case ast.Not(operand):
                return ~self.condition(operand)
            case ast.BooleanLiteral(value):
                return _constant(value)
            case ast.Comparison(op, left, right):
                return self.comparison(op, left, right)
            case ast.Like():
                return self.like(node)
            case ast.Between():
                return self.between(node)
            case ast.In(value, items):
                return reduce(operator.or_, (self.comparison("=", value, item) for item in items))
            case ast.IsNull(value):
                return self.is_null(value)
            case ast.SpatialPredicate():
                return self.spatial(node)
            case ast.TemporalPredicate():
                return self.temporal(node)
            case ast.ArrayPredicate():
                return self.array(node)
        raise self.wrong(node, "a condition")

    def comparison(self, op: str, left: Node, right: Node) -> Q:
        kinds = {self.kind(left), self.kind(right)}
        if kinds == {"string"}:
            return _compare(op, *self.texts(left, right))
        if kinds == {"number"}:
            return _compare(op, self.number(left), self.number(right))
        if kinds == {"boolean"}:
            return _compare(op, self.boolean(left), self.boolean(right))
        if kinds <= {"timestamp", "date"}:
            return _compare_instants(op, self.instant(left), self.instant(right))
        if "array" in kinds and kinds <= {"array", "string"} and op in ("=", "<>"):
            equal = self.array_equality(left, right)
            return equal if op == "=" else ~equal
        raise self.mismatch(op, left, right, kinds)

    def mismatch(self, op: str, left: Node, right: Node, kinds: set[str]) -> Cql2Error:
        hint = ""
        if "geometry" in kinds:
            hint = " Use S_EQUALS or another spatial function for geometries."
        elif "interval" in kinds:
            hint = " Use T_INTERSECTS or another temporal function for intervals."
        elif "array" in kinds:
            hint = " Arrays take = and <> (with a string: contains it) or the A_* functions."
        return Cql2Error(
            f"Cannot compare {self.describe(left)} with {self.describe(right)} using '{op}'." + hint
        )

    def like(self, node: ast.Like) -> Q:
        if self.kind(node.value) != "string":
            raise Cql2Error(f"LIKE matches strings, not {self.describe(node.value)}.")
        pattern = node.pattern
        while isinstance(pattern, ast.CaseInsensitive | ast.AccentInsensitive):
            pattern = pattern.value
        if isinstance(pattern, ast.StringLiteral) and _ends_with_escape(pattern.value):
            raise Cql2Error("A LIKE pattern cannot end with an escaping backslash.")
        value, pattern_expression = self.texts(node.value, node.pattern)
        return Q(Cql2Like(value, pattern_expression))

    def between(self, node: ast.Between) -> Q:
        parts = (node.value, node.low, node.high)
        kinds = {self.kind(part) for part in parts}
        if kinds == {"number"}:
            value, low, high = (self.number(part) for part in parts)
            return _compare(">=", value, low) & _compare("<=", value, high)
        if kinds <= {"timestamp", "date"}:
            moment, first, last = (self.instant(part) for part in parts)
            return _compare_instants(">=", moment, first) & _compare_instants("<=", moment, last)
        if kinds == {"string"}:
            value, low, high = self.texts(*parts)
            return _compare(">=", value, low) & _compare("<=", value, high)
        raise Cql2Error(
            "BETWEEN takes numbers, instants or strings, not "
            + ", ".join(self.describe(part) for part in parts)
            + "."
        )

    def is_null(self, node: Node) -> Q:
        if ast.is_condition(node):
            truth = ExpressionWrapper(self.condition(node), output_field=BooleanField())
            return Q(IsNull(truth, True))
        if isinstance(node, ast.PropertyRef):
            return self.property_is_null(self.queryable(node))
        kind = self.kind(node)
        if kind == "string":
            (text,) = self.texts(node)
            return Q(IsNull(text, True)) | Q(Exact(text, Value("")))
        if kind == "number":
            return Q(IsNull(self.number(node), True))
        return _constant(False)

    def property_is_null(self, queryable: Queryable) -> Q:
        if queryable.kind == "interval":
            return Q(IsNull(F(INTERVAL_START), True)) & Q(IsNull(F(INTERVAL_END), True))
        column = self.column(queryable)
        missing = Q(IsNull(column, True))
        if queryable.kind == "string":
            return missing | Q(Exact(column, Value("")))
        if queryable.kind == "array":
            size = Func(column, function="CARDINALITY", output_field=IntegerField())
            return missing | Q(Exact(size, Value(0)))
        return missing

    # --- scalar values --------------------------------------------------------------------

    def texts(self, *nodes: Node) -> list[Expression]:
        """The strings to compare, CASEI/ACCENTI on any of them applying to all."""
        texts = [self.text(node) for node in nodes]
        casei = any(text.casei for text in texts)
        accenti = any(text.accenti for text in texts)
        return [text.folded(casei, accenti) for text in texts]

    def text(self, node: Node) -> _Text:
        match node:
            case ast.StringLiteral(value):
                return _Text(Value(value, output_field=TextField()))
            case ast.CaseInsensitive(inner):
                return replace(self.text(inner), casei=True)
            case ast.AccentInsensitive(inner):
                return replace(self.text(inner), accenti=True)
            case ast.PropertyRef():
                return _Text(self.column(self.property_of(node, "string")))
        raise self.wrong(node, "a string")

    def number(self, node: Node) -> Expression:
        match node:
            case ast.NumberLiteral(value):
                if isinstance(value, float):
                    return Value(value, output_field=FloatField())
                return Value(value, output_field=IntegerField())
            case ast.PropertyRef():
                return self.column(self.property_of(node, "number", "integer"))
            case ast.Arithmetic(op, left, right):
                return _arithmetic(op, self.number(left), self.number(right))
        raise self.wrong(node, "a number")

    def boolean(self, node: Node) -> Expression:
        if isinstance(node, ast.BooleanLiteral):
            return Value(node.value, output_field=BooleanField())
        raise self.wrong(node, "a boolean")

    # --- time -----------------------------------------------------------------------------

    def instant(self, node: Node) -> _Instant:
        match node:
            case ast.TimestampLiteral(value):
                return _Instant(_moment(value))
            case ast.DateLiteral(value):
                midnight = datetime.combine(value, time.min, tzinfo=UTC)
                return _Instant(_moment(midnight), _moment(midnight + timedelta(days=1)))
            case ast.PropertyRef():
                return _Instant(self.column(self.property_of(node, "timestamp", "date")))
        raise self.wrong(node, "a timestamp or a date")

    def span(self, node: Node) -> _Span:
        if isinstance(node, ast.IntervalLiteral):
            _check_order(node)
            start = _Instant(_infinity("-")) if node.start is None else self.instant(node.start)
            end = _Instant(_infinity("")) if node.end is None else self.instant(node.end)
            return _Span(start, end, interval=True)
        if isinstance(node, ast.PropertyRef) and self.queryable(node).kind == "interval":
            return _extent()
        moment = self.instant(node)
        return _Span(moment, moment, interval=False)

    def temporal(self, node: ast.TemporalPredicate) -> Q:
        left, right = self.span(node.left), self.span(node.right)
        if node.op not in _INSTANT_RELATIONS:
            for operand, span in ((node.left, left), (node.right, right)):
                if not span.interval:
                    raise Cql2Error(
                        f"{node.op.upper()} relates intervals, but {self.describe(operand)} "
                        "is an instant; use INTERVAL(…) or T_AFTER, T_BEFORE, T_DISJOINT, "
                        "T_EQUALS or T_INTERSECTS."
                    )
        return _RELATIONS[node.op](left, right)

    # --- space ----------------------------------------------------------------------------

    def geometry(self, node: Node) -> GEOSGeometry | Expression:
        match node:
            case ast.GeometryLiteral(geometry):
                return self.literal_geometry(geometry)
            case ast.BboxLiteral(values):
                return _bbox(values, self.swap_axes)
            case ast.PropertyRef():
                return self.column(self.property_of(node, "geometry"))
        raise self.wrong(node, "a geometry")

    def literal_geometry(self, geometry: Mapping[str, Any]) -> GEOSGeometry:
        try:
            shape = _geos(geometry, self.swap_axes)
        except Cql2Error:
            raise
        except (GEOSException, TypeError, ValueError) as error:
            raise Cql2Error(f"Invalid geometry: {error}") from error
        shape.srid = 4326
        if not shape.valid:
            raise Cql2Error(f"Invalid geometry: {shape.valid_reason}.")
        return shape

    def spatial(self, node: ast.SpatialPredicate) -> Q:
        left, right = self.geometry(node.left), self.geometry(node.right)
        name = _SPATIAL_LOOKUPS[node.op]
        if isinstance(left, GEOSGeometry) and isinstance(right, GEOSGeometry):
            return _constant(bool(getattr(left, name)(right)))
        if isinstance(left, GEOSGeometry):
            left, right, name = right, left, _SPATIAL_CONVERSE.get(name, name)
        lookup = _lookup_class(cast(Expression, left).output_field, name)
        return Q(lookup(left, right))

    # --- arrays ---------------------------------------------------------------------------

    def array(self, node: ast.ArrayPredicate) -> Q:
        op, left, right = node.op, node.left, node.right
        if isinstance(left, ast.ArrayLiteral) and isinstance(right, ast.ArrayLiteral):
            return _constant(_set_relation(op, _elements(left), _elements(right)))
        if isinstance(left, ast.ArrayLiteral):
            op = {"a_contains": "a_containedBy", "a_containedBy": "a_contains"}.get(op, op)
            left, right = right, left
        column = self.array_column(left)
        if isinstance(right, ast.ArrayLiteral):
            return _array_relation(op, column, [self.array_string(item) for item in right.items])
        return _array_relation(op, column, self.array_column(right))

    def array_column(self, node: Node) -> Expression:
        if isinstance(node, ast.PropertyRef):
            return self.column(self.property_of(node, "array"))
        raise self.wrong(node, "an array")

    def array_string(self, node: Node) -> str:
        if isinstance(node, ast.StringLiteral):
            return node.value
        raise Cql2Error(f"The array queryables hold strings, not {self.describe(node)}.")

    def array_equality(self, left: Node, right: Node) -> Q:
        """`array = string` (it contains that element) or `array = array` (as sets)."""
        if self.kind(left) != "array":
            left, right = right, left
        if isinstance(right, ast.StringLiteral):
            return self.array(ast.ArrayPredicate("a_contains", left, ast.ArrayLiteral((right,))))
        if self.kind(right) == "array":
            return self.array(ast.ArrayPredicate("a_equals", left, right))
        raise Cql2Error(
            f"An array is compared with a string literal or an array, not {self.describe(right)}."
        )


def _article(noun: str) -> str:
    return f"an {noun}" if noun[0] in "aeiou" else f"a {noun}"


def _lookup_class(field: Any, name: str) -> Any:
    lookup = field.get_lookup(name)
    if lookup is None:
        raise TypeError(f"{type(field).__name__} has no {name!r} lookup")
    return lookup


def _ends_with_escape(pattern: str) -> bool:
    trailing = len(pattern) - len(pattern.rstrip("\\"))
    return trailing % 2 == 1


def _check_order(node: ast.IntervalLiteral) -> None:
    bounds = []
    for bound in (node.start, node.end):
        if isinstance(bound, ast.TimestampLiteral):
            bounds.append(bound.value)
        elif isinstance(bound, ast.DateLiteral):
            bounds.append(datetime.combine(bound.value, time.min, tzinfo=UTC))
    if len(bounds) == 2 and bounds[0] > bounds[1]:
        raise Cql2Error("An INTERVAL ends before it starts.")


def _extent() -> _Span:
    """The record's time extent, a null end being open when the other end is set."""
    start = Coalesce(
        F(INTERVAL_START),
        Case(When(**{f"{INTERVAL_END}__isnull": False}, then=_infinity("-"))),
        output_field=DateTimeField(),
    )
    end = Coalesce(
        F(INTERVAL_END),
        Case(When(**{f"{INTERVAL_START}__isnull": False}, then=_infinity(""))),
        output_field=DateTimeField(),
    )
    return _Span(_Instant(start), _Instant(end), interval=True)


def _elements(node: ast.ArrayLiteral) -> set[tuple[str, Any]]:
    """A literal array as a set; the node type keeps TRUE apart from 1."""
    elements = set()
    for item in node.items:
        if not isinstance(
            item,
            ast.StringLiteral
            | ast.NumberLiteral
            | ast.BooleanLiteral
            | ast.TimestampLiteral
            | ast.DateLiteral,
        ):
            raise Cql2Error("Literal arrays compared with each other hold only scalar literals.")
        kind = "number" if isinstance(item, ast.NumberLiteral) else type(item).__name__
        elements.add((kind, item.value))
    return elements


def _set_relation(op: str, left: set[Any], right: set[Any]) -> bool:
    relations: dict[str, Callable[[set[Any], set[Any]], bool]] = {
        "a_equals": operator.eq,
        "a_contains": operator.ge,
        "a_containedBy": operator.le,
        "a_overlaps": lambda a, b: bool(a & b),
    }
    return relations[op](left, right)


def _array_relation(op: str, column: Expression, other: Any) -> Q:
    """An array column against a list of strings or another array column, as sets."""
    field: Any = column.output_field

    def lookup(name: str) -> Q:
        return Q(_lookup_class(field, name)(column, other))

    if op == "a_equals":
        return lookup("contains") & lookup("contained_by")
    names = {"a_contains": "contains", "a_containedBy": "contained_by", "a_overlaps": "overlap"}
    return lookup(names[op])


def filter_q(
    node: Node,
    queryables: Mapping[str, Queryable],
    *,
    crs: str = CRS84,
    model: type[Model] | None = None,
) -> Q:
    """The filter as a Q over `model` (the catalogue's Record unless given).

    `crs` is the filter-crs of geometry literals: CRS84 (lon/lat) or EPSG:4326 (lat/lon).
    """
    if crs not in (CRS84, EPSG4326):
        raise Cql2Error(f"filter-crs {crs!r} is not supported; use {CRS84} or {EPSG4326}.")
    record = model or apps.get_model("catalogue", "Record")
    return _Translator(queryables, record, swap_axes=crs == EPSG4326).condition(node)
