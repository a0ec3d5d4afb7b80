"""CQL2 (OGC 21-065, CQL2 1.0) for the catalogue's OGC API - Records search.

`parse_cql2_text` and `parse_cql2_json` read the two encodings into one AST (`ast`);
`filter_q` turns that AST into a Django Q over the records, resolving property names
through a mapping of `Queryable`s. Every problem raises `Cql2Error`, whose message is
meant for API users (syntax errors give the 1-based character position).
"""

from .ast import Cql2Error, Node
from .django import CRS84, EPSG4326, filter_q
from .json import parse_cql2_json
from .queryables import Queryable, QueryableKind
from .text import parse_cql2_text

__all__ = [
    "CRS84",
    "EPSG4326",
    "Cql2Error",
    "Node",
    "Queryable",
    "QueryableKind",
    "filter_q",
    "parse_cql2_json",
    "parse_cql2_text",
]
