"""cql2-text: a tokenizer and a recursive-descent parser for the CQL2 1.0 text BNF.

Precedence, loosest first: OR, AND, NOT, the predicates (comparison, LIKE, BETWEEN, IN,
IS NULL), + and -, *, /, % and div, ^, unary minus. Keywords are case-insensitive; a word
such as DATE or POINT is a keyword only where its syntax follows (an opening parenthesis),
so a property may still be called `date`. Error messages give 1-based character positions.
"""

import re
import unicodedata
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
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
MAX_DEPTH = 40

_NUMBER = re.compile(r"(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?")
_SYMBOLS = ("<>", "<=", ">=", "=", "<", ">", "+", "-", "*", "/", "%", "^", "(", ")", ",")
_COMPARISONS = ("=", "<>", "<", ">", "<=", ">=")
_RESERVED = {"AND", "OR", "NOT", "LIKE", "BETWEEN", "IN", "IS", "NULL", "DIV", "TRUE", "FALSE"}
_GEOMETRY_TYPES = {
    "POINT": "Point",
    "LINESTRING": "LineString",
    "POLYGON": "Polygon",
    "MULTIPOINT": "MultiPoint",
    "MULTILINESTRING": "MultiLineString",
    "MULTIPOLYGON": "MultiPolygon",
    "GEOMETRYCOLLECTION": "GeometryCollection",
}


@dataclass(frozen=True)
class Token:
    kind: str  # "ident", "quoted", "string", "number", "symbol" or "end"
    text: str  # the source text; the decoded value for strings and quoted identifiers
    position: int  # 0-based offset in the filter

    def describe(self) -> str:
        if self.kind == "end":
            return "end of filter"
        if self.kind == "string":
            return f"string '{self.text}'"
        return repr(self.text)


def _is_identifier_start(char: str) -> bool:
    return char in ":_" or char.isalpha()


def _is_identifier_part(char: str) -> bool:
    return (
        _is_identifier_start(char)
        or char == "."
        or "0" <= char <= "9"
        or unicodedata.category(char).startswith("M")
        or char in "\u203f\u2040"
    )


def _syntax_error(message: str, position: int) -> Cql2Error:
    return Cql2Error(f"{message} at position {position + 1}.")


def _read_string(text: str, start: int) -> tuple[str, int]:
    """A quoted literal from `start` (its opening quote): '' and \\' are escaped quotes."""
    quote = text[start]
    parts: list[str] = []
    index = start + 1
    while index < len(text):
        char = text[index]
        following = text[index + 1 : index + 2]
        if char == quote and following == quote:
            parts.append(quote)
            index += 2
        elif quote == "'" and char == "\\" and following == "'":
            parts.append("'")
            index += 2
        elif char == quote:
            return "".join(parts), index + 1
        else:
            parts.append(char)
            index += 1
    what = "string" if quote == "'" else "quoted property name"
    raise _syntax_error(f"Unterminated {what} starting", start)


def tokenize(text: str) -> list[Token]:
    tokens: list[Token] = []
    index = 0
    while index < len(text):
        char = text[index]
        if char.isspace():
            index += 1
            continue
        if char in "'\"":
            value, end = _read_string(text, index)
            if char == '"' and not value:
                raise _syntax_error("Empty quoted property name", index)
            tokens.append(Token("string" if char == "'" else "quoted", value, index))
        elif number := _NUMBER.match(text, index):
            end = number.end()
            tokens.append(Token("number", number.group(), index))
        elif _is_identifier_start(char):
            end = index + 1
            while end < len(text) and _is_identifier_part(text[end]):
                end += 1
            tokens.append(Token("ident", text[index:end], index))
        elif symbol := next((s for s in _SYMBOLS if text.startswith(s, index)), None):
            end = index + len(symbol)
            tokens.append(Token("symbol", symbol, index))
        else:
            raise _syntax_error(f"Unexpected character {char!r}", index)
        index = end
    tokens.append(Token("end", "", len(text)))
    return tokens


class _Parser:
    def __init__(self, text: str) -> None:
        self.tokens = tokenize(text)
        self.index = 0
        self.depth = 0

    # --- token helpers ------------------------------------------------------------------

    def peek(self, offset: int = 0) -> Token:
        return self.tokens[min(self.index + offset, len(self.tokens) - 1)]

    def advance(self) -> Token:
        token = self.peek()
        self.index = min(self.index + 1, len(self.tokens) - 1)
        return token

    def at_keyword(self, *words: str, offset: int = 0) -> bool:
        token = self.peek(offset)
        return token.kind == "ident" and token.text.upper() in words

    def at_symbol(self, *symbols: str, offset: int = 0) -> bool:
        token = self.peek(offset)
        return token.kind == "symbol" and token.text in symbols

    def unexpected(self, expected: str, token: Token | None = None) -> Cql2Error:
        token = token or self.peek()
        return _syntax_error(f"Expected {expected} but found {token.describe()}", token.position)

    def expect_symbol(self, symbol: str) -> Token:
        if not self.at_symbol(symbol):
            raise self.unexpected(f"'{symbol}'")
        return self.advance()

    def expect_keyword(self, word: str) -> Token:
        if not self.at_keyword(word):
            raise self.unexpected(word)
        return self.advance()

    @contextmanager
    def nested(self) -> Iterator[None]:
        self.depth += 1
        if self.depth > MAX_DEPTH:
            raise _syntax_error("The filter is nested too deeply", self.peek().position)
        try:
            yield
        finally:
            self.depth -= 1

    def separated(self, item: Callable[[], Any]) -> list[Any]:
        """`item {, item}` up to (not including) the closing parenthesis."""
        items = [item()]
        while self.at_symbol(","):
            self.advance()
            items.append(item())
        return items

    # --- type checks with positions -----------------------------------------------------

    def condition(self, parse: Callable[[], Node]) -> Node:
        start = self.peek()
        return self.checked(parse(), start)

    def checked(self, node: Node, start: Token) -> Node:
        if not is_boolean(node):
            raise _syntax_error("Expected a condition (a predicate or TRUE/FALSE)", start.position)
        return node

    def value(self, parse: Callable[[], Node]) -> Node:
        start = self.peek()
        node = parse()
        if is_condition(node):
            raise _syntax_error("Expected a value, not a condition,", start.position)
        return node

    # --- boolean expressions ------------------------------------------------------------

    def parse(self) -> Node:
        if self.peek().kind == "end":
            raise Cql2Error("The filter is empty.")
        node = self.condition(self.disjunction)
        if self.peek().kind != "end":
            raise self.unexpected("AND, OR or the end of the filter")
        return node

    def disjunction(self) -> Node:
        start = self.peek()
        first = self.conjunction()
        if not self.at_keyword("OR"):
            return first
        operands = [self.checked(first, start)]
        while self.at_keyword("OR"):
            self.advance()
            operands.append(self.condition(self.conjunction))
        return Or(tuple(operands))

    def conjunction(self) -> Node:
        start = self.peek()
        first = self.negation()
        if not self.at_keyword("AND"):
            return first
        operands = [self.checked(first, start)]
        while self.at_keyword("AND"):
            self.advance()
            operands.append(self.condition(self.negation))
        return And(tuple(operands))

    def negation(self) -> Node:
        if not self.at_keyword("NOT"):
            return self.predicate()
        self.advance()
        with self.nested():
            return Not(self.condition(self.negation))

    def predicate(self) -> Node:
        start = self.peek()
        left = self.additive()
        negated = self.at_keyword("NOT") and self.at_keyword("LIKE", "BETWEEN", "IN", offset=1)
        if negated:
            self.advance()
        node = self.predicate_tail(left, start)
        return Not(node) if negated else node

    def predicate_tail(self, left: Node, start: Token) -> Node:
        if self.at_keyword("IS"):
            self.advance()
            negated = self.at_keyword("NOT")
            if negated:
                self.advance()
            self.expect_keyword("NULL")
            return Not(IsNull(left)) if negated else IsNull(left)
        if not (self.at_symbol(*_COMPARISONS) or self.at_keyword("LIKE", "BETWEEN", "IN")):
            return left
        if is_condition(left):
            raise _syntax_error("Expected a value, not a condition,", start.position)
        operator = self.advance()
        if operator.kind == "symbol":
            return Comparison(operator.text, left, self.value(self.additive))
        keyword = operator.text.upper()
        if keyword == "LIKE":
            return Like(left, self.pattern())
        if keyword == "BETWEEN":
            low = self.value(self.additive)
            self.expect_keyword("AND")
            return Between(left, low, self.value(self.additive))
        self.expect_symbol("(")
        items = self.separated(lambda: self.value(self.additive))
        self.expect_symbol(")")
        return In(left, tuple(items))

    def pattern(self) -> Node:
        start = self.peek()
        node = self.additive()
        if not is_pattern(node):
            raise _syntax_error(
                "LIKE takes a string literal pattern (possibly in CASEI or ACCENTI)",
                start.position,
            )
        return node

    # --- arithmetic -----------------------------------------------------------------------

    def additive(self) -> Node:
        start = self.peek()
        left = self.term()
        while self.at_symbol("+", "-"):
            left = self.arithmetic(left, start, self.term)
        return left

    def term(self) -> Node:
        start = self.peek()
        left = self.power()
        while self.at_symbol("*", "/", "%") or self.at_keyword("DIV"):
            left = self.arithmetic(left, start, self.power)
        return left

    def power(self) -> Node:
        start = self.peek()
        base = self.unary()
        if not self.at_symbol("^"):
            return base
        with self.nested():
            return self.arithmetic(base, start, self.power)

    def arithmetic(self, left: Node, start: Token, right: Callable[[], Node]) -> Node:
        """`left <operator> right`, the operator being the current token."""
        operator = self.advance().text.lower()
        if is_condition(left):
            raise _syntax_error(f"'{operator}' needs a value, not a condition,", start.position)
        return Arithmetic(operator, left, self.value(right))

    def unary(self) -> Node:
        if not self.at_symbol("-", "+"):
            return self.primary()
        sign = self.advance().text
        if self.peek().kind == "number":
            number = self.number(self.advance())
            return NumberLiteral(-number if sign == "-" else number)
        with self.nested():
            operand = self.value(self.unary)
        return Arithmetic("*", NumberLiteral(-1), operand) if sign == "-" else operand

    # --- primaries ------------------------------------------------------------------------

    def primary(self) -> Node:
        token = self.peek()
        if token.kind == "number":
            return NumberLiteral(self.number(self.advance()))
        if token.kind == "string":
            return StringLiteral(self.advance().text)
        if token.kind == "quoted":
            return PropertyRef(self.advance().text)
        if self.at_symbol("("):
            return self.parenthesised()
        if token.kind == "ident":
            return self.word()
        raise self.unexpected("a value")

    def number(self, token: Token) -> int | float:
        text = token.text
        if re.fullmatch(r"\d+", text):
            return int(text)
        value = float(text)
        if value in (float("inf"), float("-inf")):
            raise _syntax_error("Number out of range", token.position)
        return value

    def parenthesised(self) -> Node:
        """A sub-expression, or an array when it holds several comma-separated items."""
        self.advance()
        with self.nested():
            if self.at_symbol(")"):
                self.advance()
                return ArrayLiteral(())
            items = self.separated(self.disjunction)
            self.expect_symbol(")")
        return items[0] if len(items) == 1 else ArrayLiteral(tuple(items))

    def word(self) -> Node:
        token = self.peek()
        upper = token.text.upper()
        if upper in ("TRUE", "FALSE"):
            self.advance()
            return BooleanLiteral(upper == "TRUE")
        if upper in _GEOMETRY_TYPES and (
            self.at_symbol("(", offset=1) or self.at_keyword("Z", "EMPTY", offset=1)
        ):
            return GeometryLiteral(self.geometry())
        if not self.at_symbol("(", offset=1):
            if upper in _RESERVED:
                raise self.unexpected("a value")
            return PropertyRef(self.advance().text)
        return self.call()

    def call(self) -> Node:
        """A keyword construct or function written `NAME(...)`."""
        name = self.advance()
        upper = name.text.upper()
        with self.nested():
            self.expect_symbol("(")
            node = self.call_body(name, upper)
            self.expect_symbol(")")
        return node

    def call_body(self, name: Token, upper: str) -> Node:
        lower = upper.lower()
        if upper in ("TIMESTAMP", "DATE"):
            return self.instant(upper)
        if upper == "INTERVAL":
            start = self.interval_bound()
            self.expect_symbol(",")
            return IntervalLiteral(start, self.interval_bound())
        if upper == "BBOX":
            return self.bbox()
        if upper in ("CASEI", "ACCENTI"):
            value = self.value(self.disjunction)
            return CaseInsensitive(value) if upper == "CASEI" else AccentInsensitive(value)
        if lower in SPATIAL_NAMES:
            left, right = self.pair(self.additive)
            return SpatialPredicate(SPATIAL_NAMES[lower], left, right)
        if lower in TEMPORAL_NAMES:
            left, right = self.pair(self.additive)
            return TemporalPredicate(TEMPORAL_NAMES[lower], left, right)
        if lower in ARRAY_NAMES:
            left, right = self.pair(self.array_argument)
            return ArrayPredicate(ARRAY_NAMES[lower], left, right)
        if upper in _RESERVED:
            raise self.unexpected("a value", name)
        args = () if self.at_symbol(")") else tuple(self.separated(self.disjunction))
        return FunctionCall(name.text, args)

    def pair(self, parse: Callable[[], Node]) -> tuple[Node, Node]:
        first = self.value(parse)
        self.expect_symbol(",")
        return first, self.value(parse)

    def string(self) -> Token:
        if self.peek().kind != "string":
            raise self.unexpected("a quoted string")
        return self.advance()

    def instant(self, upper: str) -> Node:
        token = self.string()
        try:
            if upper == "DATE":
                return DateLiteral(date_value(token.text))
            return TimestampLiteral(timestamp_value(token.text))
        except Cql2Error as error:
            raise _syntax_error(str(error), token.position) from error

    def interval_bound(self) -> Node | None:
        token = self.peek()
        if token.kind == "string":
            self.advance()
            if token.text == "..":
                return None
            try:
                return instant_literal(token.text)
            except Cql2Error as error:
                raise _syntax_error(str(error), token.position) from error
        node = self.additive()
        if not isinstance(node, PropertyRef | FunctionCall | DateLiteral | TimestampLiteral):
            raise _syntax_error(
                "An INTERVAL end is a date or timestamp string, '..', a property or a function",
                token.position,
            )
        return node

    def bbox(self) -> Node:
        start = self.peek()
        values = self.separated(self.signed_number)
        if len(values) not in (4, 6):
            raise _syntax_error("BBOX takes 4 or 6 numbers", start.position)
        return BboxLiteral(tuple(values))

    def array_argument(self) -> Node:
        """An argument of an A_* function: a parenthesised list is always an array here."""
        return self.array() if self.at_symbol("(") else self.additive()

    def array(self) -> Node:
        self.advance()
        with self.nested():
            items = [] if self.at_symbol(")") else self.separated(self.array_element)
            self.expect_symbol(")")
        return ArrayLiteral(tuple(items))

    def array_element(self) -> Node:
        return self.array() if self.at_symbol("(") else self.disjunction()

    # --- WKT ------------------------------------------------------------------------------

    def signed_number(self) -> float:
        sign = 1.0
        if self.at_symbol("-", "+"):
            sign = -1.0 if self.advance().text == "-" else 1.0
        if self.peek().kind != "number":
            raise self.unexpected("a number")
        return sign * float(self.number(self.advance()))

    def geometry(self) -> dict[str, Any]:
        token = self.advance()
        kind = _GEOMETRY_TYPES.get(token.text.upper())
        if kind is None:
            raise self.unexpected("a geometry type", token)
        dimensions = 2
        if self.at_keyword("Z"):
            self.advance()
            dimensions = 3
        member = "geometries" if kind == "GeometryCollection" else "coordinates"
        if self.at_keyword("EMPTY"):
            self.advance()
            return {"type": kind, member: []}
        with self.nested():
            if kind == "GeometryCollection":
                self.expect_symbol("(")
                geometries = self.separated(self.geometry)
                self.expect_symbol(")")
                return {"type": kind, "geometries": geometries}
            return {"type": kind, "coordinates": self.coordinates(kind, dimensions)}

    def coordinates(self, kind: str, dimensions: int) -> list[Any]:
        def position() -> list[float]:
            values = [self.signed_number(), self.signed_number()]
            if dimensions == 3 or self.peek().kind == "number" or self.at_symbol("-", "+"):
                values.append(self.signed_number())
            return values

        def group(item: Callable[[], Any]) -> Callable[[], list[Any]]:
            def parse() -> list[Any]:
                self.expect_symbol("(")
                items = self.separated(item)
                self.expect_symbol(")")
                return items

            return parse

        def point_text() -> list[float]:
            self.expect_symbol("(")
            point = position()
            self.expect_symbol(")")
            return point

        def multipoint_member() -> list[float]:
            return point_text() if self.at_symbol("(") else position()

        points = group(position)
        parsers: dict[str, Callable[[], list[Any]]] = {
            "Point": point_text,
            "LineString": points,
            "Polygon": group(points),
            "MultiPoint": group(multipoint_member),
            "MultiLineString": group(points),
            "MultiPolygon": group(group(points)),
        }
        return parsers[kind]()


def parse_cql2_text(text: str) -> Node:
    """Parse a cql2-text filter into the AST; raise Cql2Error naming the problem and where."""
    return _Parser(text).parse()
