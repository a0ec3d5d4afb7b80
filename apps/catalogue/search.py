"""Running a catalogue search at scale: its count, its order and its page (§10.5).

`selectors.records_search` turns the parameters into a filtered queryset; here that
queryset is compiled to SQL once, as the matches' id, record_updated and (for a text query)
rank, and each step below is that SQL inside a few lines of its own: PostgreSQL flattens
the wrapping, so each step is planned as if written out. Compiling the filter again for
every step (an estimate, a count, one or two steps to find the page) took about as long as
running them. The page's records are then read by id.

- numberMatched is exact up to COUNT_CAP matches and left out above (it is optional in OGC
  API - Records). The planner's estimate decides whether counting is tried at all: counting
  visits every matching row, far more work than the page for a broad search. A box, type
  and text are counted through record_place_gist, which checks all three inside the index.
- A counted search (at most COUNT_CAP matches) is ordered among its matches: by relevance
  (ts_rank, then id) for a text query, else newest record_updated first (then id). The
  matches are found first and then sorted, so the planner, misled by a wrong estimate, can
  never walk the whole table in the page's order looking for them.
- A broader search keeps the default order, newest record_updated first (then id). With a
  box or text the record_recent_gist index finds the newest matches (see `_newest_page`);
  without, record_updated_idx is walked newest first until the page is full (the matches are
  then no sparser than the filter, and the walk needs no sorting).
- `sortby` orders a search by the given queryables instead, among the counted matches or by
  the ORM's plain ORDER BY.
"""

import json
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from django.contrib.gis.db.models.functions import AsGeoJSON
from django.contrib.postgres.search import SearchQuery, SearchRank
from django.db import connections
from django.db.models import F, QuerySet
from django.db.models.expressions import RawSQL

from apps.catalogue.models import Record

# Counting every match of a broad query costs more than the page itself (each match is a
# row to visit): numberMatched is given exactly up to this many and left out above it. Up
# to this many, `q` results are ranked by relevance: ranking scores every match, and those
# are at hand once they have been counted.
COUNT_CAP = 1_000
# Above this many estimated matches the exact count is not even tried.
ESTIMATE_CAP = 5_000
# Newest first is nearest first to a moment after every record's: the GiST index that
# starts with record_updated then yields the newest matches in order (a KNN search), the
# box, type and text checked inside the index, instead of reading rows until enough match.
FAR_FUTURE = datetime(9999, 1, 1, tzinfo=UTC)


@dataclass
class SearchResult:
    records: list[Record]
    number_matched: int | None
    limit: int
    offset: int

    @property
    def has_next(self) -> bool:
        if self.number_matched is None:
            return len(self.records) == self.limit
        return self.offset + self.limit < self.number_matched


class _Matches:
    """The SQL of a search's matches (pk, record_updated and maybe rank), and the steps over
    it; each step's SQL refers to the matches as `{MATCHES}`."""

    def __init__(self, records: QuerySet[Record], query: SearchQuery | None = None) -> None:
        keys = records.order_by()
        fields = ["pk", "record_updated"]
        if query is not None:
            keys = keys.annotate(rank=SearchRank(F("search_vector"), query))
            fields.append("rank")
        sql, params = keys.values(*fields).query.sql_with_params()
        self.sql = f"({sql}) AS matches"
        self.params = tuple(params)
        self.database = records.db

    def _sql(self, template: str, *params: Any) -> tuple[str, tuple[Any, ...]]:
        """`template` with every `{MATCHES}` replaced, and the parameters in their order."""
        parts = template.split("{MATCHES}")
        sql = self.sql.join(parts)
        values: tuple[Any, ...] = ()
        arguments = iter(params)
        for part in parts[:-1]:
            values += tuple(next(arguments) for _ in range(part.count("%s"))) + self.params
        values += tuple(arguments)
        return sql, values

    def rows(self, template: str, *params: Any) -> list[tuple[Any, ...]]:
        sql, values = self._sql(template, *params)
        with connections[self.database].cursor() as cursor:
            cursor.execute(sql, values)
            return cursor.fetchall()

    def raw(self, template: str, *params: Any) -> RawSQL:
        return RawSQL(*self._sql(template, *params))  # noqa: S611 - our SQL, values as params

    def estimate(self) -> float:
        """PostgreSQL's estimate of the matches (planning only, well under a millisecond)."""
        plan = self.rows("EXPLAIN (FORMAT JSON) SELECT pk FROM {MATCHES}")[0][0]
        if isinstance(plan, str):
            plan = json.loads(plan)
        return float(plan[0]["Plan"]["Plan Rows"])

    def count(self, cap: int) -> int:
        """How many match, counting no further than cap + 1."""
        sql = "SELECT count(*) FROM (SELECT 1 FROM {MATCHES} LIMIT %s) AS capped"
        return int(self.rows(sql, cap + 1)[0][0])


def estimated_count(records: QuerySet[Record]) -> int:
    return round(_Matches(records).estimate())


def with_geojson(records: QuerySet[Record]) -> QuerySet[Record]:
    """The records to show, with their footprint as GeoJSON text (PostGIS writes it faster
    than the footprint is read into GEOS and written out through GDAL) and without the
    full-text vector."""
    geojson = AsGeoJSON("geometry", precision=15)
    return records.annotate(geometry_geojson=geojson).defer("search_vector", "geometry")


def _in_order(ids: list[str]) -> list[Record]:
    """The records of `ids`, in that order; one deleted since the ids were found is left out."""
    by_id = {record.pk: record for record in with_geojson(Record.objects.filter(pk__in=ids))}
    return [by_id[record_id] for record_id in ids if record_id in by_id]


# The page of a counted search: its matches found first (COUNT_CAP + 1 at most), sorted
# after; with their number when asked (on every row, so lost past the last match).
_COUNTED_PAGE = (
    "SELECT pk, count(*) OVER () FROM"
    " (SELECT pk, {KEY} AS sort_key FROM {MATCHES} LIMIT %s) AS counted"
    " ORDER BY sort_key DESC, pk LIMIT %s OFFSET %s"
)


def _counted_page(
    matches: _Matches, *, ranked: bool, limit: int, offset: int
) -> tuple[list[str], int | None]:
    """The page's ids among the first COUNT_CAP + 1 matches, and how many those are (None
    when the page is past the last of them)."""
    sql = _COUNTED_PAGE.replace("{KEY}", "rank" if ranked else "record_updated")
    rows = matches.rows(sql, COUNT_CAP + 1, limit, offset)
    return [row[0] for row in rows], (int(rows[0][1]) if rows else None)


# The matches newer than a moment, and the first by id (as many as asked) of those just as
# old: record_updated_idx holds those in id order. "Newer than" is asked as "from the next
# microsecond on": btree_gist's inner pages take ">" for ">=", and would lead the search
# through every record exactly as old.
_NEWER_AND_TIED = (
    "(SELECT pk FROM {MATCHES} WHERE record_updated >= %s) UNION ALL"
    " (SELECT pk FROM {MATCHES} WHERE record_updated = %s ORDER BY pk LIMIT %s)"
)


def _newest_page(matches: _Matches, *, limit: int, offset: int) -> list[Record]:
    """The page in the default order (record_updated descending, then id).

    record_recent_gist gives the matches nearest first to FAR_FUTURE: newest first to within
    its float distances, and ties in no particular order. The oldest record_updated among
    the first `offset + limit` of them bounds the page: it lies among the matches newer than
    that and the first `offset + limit` by id of those just as old.
    """
    wanted = offset + limit
    moments = matches.rows(
        "SELECT record_updated FROM {MATCHES} WHERE record_updated IS NOT NULL"
        " ORDER BY record_updated <-> %s LIMIT %s",
        FAR_FUTURE,
        wanted,
    )
    if len(moments) < wanted:  # that is every match
        candidates = matches.raw("SELECT pk FROM {MATCHES} LIMIT %s", wanted)
    else:
        oldest = min(row[0] for row in moments)
        after = oldest + timedelta(microseconds=1)
        candidates = matches.raw(_NEWER_AND_TIED, after, oldest, wanted)
    return _page_of(candidates, limit, offset)


def _page_of(candidates: RawSQL, limit: int, offset: int) -> list[Record]:
    """The page, in the default order, of `candidates` (ids holding it)."""
    records = with_geojson(Record.objects.filter(pk__in=candidates))
    return list(records.order_by("-record_updated", "id")[offset : offset + limit])


def search_page(
    records: QuerySet[Record],
    *,
    query: SearchQuery | None,
    order: list[Any] | None,
    narrowed: bool,
    limit: int,
    offset: int,
) -> SearchResult:
    """One page of `records` (the visible matches), counted and ordered as the module says.

    `narrowed`: the search has a box or text. Those are answered from GiST and GIN indexes,
    so counting reads every match's row anyway: the count and the page's order come from
    one reading. Other searches are counted first, which an index can often do alone
    (record_platform_cloud holds what a platform, cloud cover and time filter needs).
    """
    matches = _Matches(records, query)
    number_matched: int | None = None
    ids: list[str] | None = None
    if matches.estimate() <= ESTIMATE_CAP:
        if narrowed and order is None:
            ids, number_matched = _counted_page(
                matches, ranked=query is not None, limit=limit, offset=offset
            )
            if number_matched is None:  # past the last match, or none at all
                number_matched = matches.count(COUNT_CAP) if offset else 0
        else:
            number_matched = matches.count(COUNT_CAP)
        if number_matched > COUNT_CAP:
            number_matched = ids = None
    if order is not None:
        if number_matched is not None:  # sorted among the counted matches (see above)
            counted = matches.raw("SELECT pk FROM {MATCHES} LIMIT %s", COUNT_CAP + 1)
            records = Record.objects.filter(pk__in=counted)
        page = list(with_geojson(records).order_by(*order)[offset : offset + limit])
    elif number_matched is not None:
        if ids is None:
            ids, _ = _counted_page(matches, ranked=query is not None, limit=limit, offset=offset)
        page = _in_order(ids)
    elif narrowed:
        page = _newest_page(matches, limit=limit, offset=offset)
    else:
        sql = "SELECT pk FROM {MATCHES} ORDER BY record_updated DESC, pk LIMIT %s OFFSET %s"
        page = _in_order([row[0] for row in matches.rows(sql, limit, offset)])
    return SearchResult(page, number_matched, limit, offset)
