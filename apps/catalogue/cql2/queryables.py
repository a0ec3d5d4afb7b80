"""What a filter may name: each queryable's API name, the column behind it and its type."""

from dataclasses import dataclass
from typing import Literal

QueryableKind = Literal[
    "string", "number", "integer", "timestamp", "date", "array", "geometry", "interval"
]


@dataclass(frozen=True)
class Queryable:
    """A property that filters may use.

    `interval` is the record's time extent, kept in two nullable columns (time_start and
    time_end, a null being an open end), so its `field` is None.
    """

    name: str
    field: str | None
    kind: QueryableKind
    title: str = ""
    description: str = ""
    enum: tuple[str, ...] = ()
