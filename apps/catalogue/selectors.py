"""Reading the catalogue: who sees which record, and the search of §10.5 (Tables 2 and 3)."""

import json
import re
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Any
from urllib.parse import urlencode

from django.contrib.gis.geos import Polygon
from django.contrib.postgres.search import SearchQuery
from django.db import DataError
from django.db.models import Count, Exists, F, OuterRef, Q, QuerySet
from django.http import QueryDict
from django.utils.dateparse import parse_datetime

from apps.accounts.models import Role, User
from apps.accounts.services import user_has_role
from apps.catalogue.cql2 import Cql2Error, parse_cql2_json, parse_cql2_text
from apps.catalogue.cql2 import filter_q as cql2_filter_q
from apps.catalogue.indexing import SEARCH_CONFIG
from apps.catalogue.models import Association, Record, Visibility
from apps.catalogue.queryables import QUERYABLES, SORTABLE
from apps.catalogue.search import SearchResult, estimated_count, search_page
from apps.ogc.errors import ApplicationError

MAX_LIMIT = 1000
DEFAULT_LIMIT = 10
CRS84 = "http://www.opengis.net/def/crs/OGC/1.3/CRS84"
EPSG4326 = "http://www.opengis.net/def/crs/EPSG/0/4326"
RESERVED = {
    "f",
    "bbox",
    "bbox-crs",
    "datetime",
    "limit",
    "offset",
    "q",
    "type",
    "externalid",
    "externalId",
    "filter",
    "filter-lang",
    "filter-crs",
    "sortby",
}
INVALID_PARAMETER = (
    "http://www.opengis.net/def/exceptions/ogcapi-features-1/1.0/invalid-parameter-value"
)


def _bad(message: str) -> ApplicationError:
    return ApplicationError(message, status=400, type=INVALID_PARAMETER, title="Invalid parameter")


def _is_administrator(user: User | None) -> bool:
    return user is not None and user_has_role(user, Role.ADMINISTRATOR)


def records_visible_to(user: User | None) -> QuerySet[Record]:
    """Public records; also the caller's own and those shared with them; admins see all."""
    records = Record.objects.all()
    if user is None:
        return records.filter(visibility=Visibility.PUBLIC)
    if _is_administrator(user):
        return records
    shared = Record.readers.through.objects.filter(record_id=OuterRef("pk"), user_id=user.pk)
    return records.filter(Q(visibility=Visibility.PUBLIC) | Q(owner=user) | Exists(shared))


def record_get_visible_to(*, record_id: str, user: User | None) -> Record | None:
    return records_visible_to(user).filter(pk=record_id).first()


def record_associations(
    record: Record, user: User | None
) -> tuple[list[Association], list[Association]]:
    """The record's outgoing and incoming associations whose other end the caller may see."""
    visible = records_visible_to(user).values("pk")
    outgoing = list(
        Association.objects.filter(source=record)
        .filter(Q(target__isnull=True) | Q(target__in=visible))
        .select_related("target")
        .order_by("relation", "id")
    )
    incoming = list(
        Association.objects.filter(target=record, source__in=visible)
        .select_related("source")
        .order_by("relation", "id")
    )
    return outgoing, incoming


@dataclass(frozen=True)
class Application:
    """An application that operates on a record, and how to start it on that record's data."""

    record: Record
    process_id: str
    run_url: str


def _data_reference(record: Record) -> str | None:
    """What an execute request can reference: a TEP-holdings file, else a download link."""
    holdings = record.properties.get("holdingsFiles") or []
    if holdings:
        return str(holdings[0])
    for item in record.links:
        if item.get("rel") in ("enclosure", "data") and item.get("href"):
            return str(item["href"])
    return None


def _file_input(description: dict[str, Any]) -> str | None:
    for name, described in (description.get("inputs") or {}).items():
        schema = described.get("schema") or {}
        if schema.get("contentMediaType") or schema.get("contentEncoding") == "binary":
            return str(name)
    return None


def applications_for(record: Record, incoming: list[Association]) -> list[Application]:
    """The visible applications with an `operatesOn` association to this record; the Run
    link opens the application's form with its first file input set to the record's data."""
    from apps.processes.models import Process

    sources = [
        association.source
        for association in incoming
        if association.relation == "operatesOn" and association.source.type == "process"
    ]
    process_ids = [str(source.properties.get("processId", "")) for source in sources]
    processes = {
        process.identifier: process
        for process in Process.objects.filter(identifier__in=process_ids)
    }
    data = _data_reference(record)
    applications = []
    for source, process_id in zip(sources, process_ids, strict=True):
        process = processes.get(process_id)
        if process is None:
            continue
        query = {"f": "html"}
        input_name = _file_input(process.description)
        if data and input_name:
            query[f"input.{input_name}"] = data
        run_url = f"/ogcapi/processes/{process_id}?{urlencode(query)}"
        applications.append(Application(source, process_id, run_url))
    return applications


# --- parameters -------------------------------------------------------------------------


def _numbers(raw: str, name: str) -> list[float]:
    try:
        return [float(part) for part in raw.split(",")]
    except ValueError as error:
        raise _bad(f"{name} must be comma-separated numbers, not {raw!r}.") from error


def bbox_boxes(raw: str, crs: str = CRS84) -> list[Polygon]:
    """One box, or two when minx > maxx (a box crossing the antimeridian)."""
    values = _numbers(raw, "bbox")
    if len(values) == 6:
        values = [values[0], values[1], values[3], values[4]]
    if len(values) != 4:
        raise _bad("bbox takes 4 numbers (minx,miny,maxx,maxy) or 6 with heights.")
    if crs == EPSG4326:
        values = [values[1], values[0], values[3], values[2]]
    elif crs != CRS84:
        raise _bad(f"bbox-crs {crs!r} is not supported; use {CRS84} or {EPSG4326}.")
    min_x, min_y, max_x, max_y = values
    if not (-180 <= min_x <= 180 and -180 <= max_x <= 180 and -90 <= min_y <= max_y <= 90):
        raise _bad("bbox must lie within -180..180, -90..90 with miny <= maxy.")
    if min_x <= max_x:
        return [Polygon.from_bbox((min_x, min_y, max_x, max_y))]
    return [
        Polygon.from_bbox((min_x, min_y, 180, max_y)),
        Polygon.from_bbox((-180, min_y, max_x, max_y)),
    ]


def _bbox_q(boxes: list[Polygon]) -> Q:
    condition = Q()
    for box in boxes:
        box.srid = 4326
        condition |= Q(geometry__intersects=box)
    return condition


DATE_ONLY = re.compile(r"^\d{4}-\d{2}-\d{2}$")


def _instant(raw: str, *, end: bool) -> datetime:
    """A datetime bound; a bare date covers its whole (UTC) day."""
    if DATE_ONLY.match(raw):
        day = date.fromisoformat(raw)
        moment = datetime.combine(day, time.min, tzinfo=UTC)
        return moment + timedelta(days=1) - timedelta(microseconds=1) if end else moment
    parsed = parse_datetime(raw.replace("z", "Z"))
    if parsed is None:
        raise _bad(f"datetime {raw!r} is not an RFC 3339 date-time or date.")
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)


def datetime_interval(raw: str) -> tuple[datetime | None, datetime | None]:
    """An instant or interval (`a/b`, `../b`, `a/..`, open ends empty or '..')."""
    if "/" not in raw:
        return _instant(raw, end=False), _instant(raw, end=True)
    start_text, _, end_text = raw.partition("/")
    start = None if start_text in ("", "..") else _instant(start_text, end=False)
    end = None if end_text in ("", "..") else _instant(end_text, end=True)
    if start is None and end is None:
        raise _bad("datetime needs at least one closed end.")
    if start is not None and end is not None and start > end:
        raise _bad("datetime interval ends before it starts.")
    return start, end


def _datetime_q(start: datetime | None, end: datetime | None) -> Q:
    """The record's time extent (open where null) intersects [start, end]."""
    condition = Q(time_start__isnull=False) | Q(time_end__isnull=False)
    if end is not None:
        condition &= Q(time_start__lte=end) | Q(time_start__isnull=True)
    if start is not None:
        condition &= Q(time_end__gte=start) | Q(time_end__isnull=True)
    return condition


def _terms(raw: str) -> list[str]:
    return [term.strip() for term in raw.split(",") if term.strip()]


def text_query(raw: str) -> SearchQuery | None:
    """Any of the comma-separated terms (each may be several words, all required)."""
    query: SearchQuery | None = None
    for term in _terms(raw):
        part = SearchQuery(term, search_type="plain", config=SEARCH_CONFIG)
        query = part if query is None else query | part
    return query


def _property_value(name: str, raw: str) -> Q:
    queryable = QUERYABLES[name]
    field = queryable.field
    if queryable.kind in ("geometry", "interval") or field is None:
        raise _bad(f"Filter {name} with bbox, datetime or a CQL2 filter, not {name}=value.")
    if queryable.kind == "array":
        return Q(**{f"{field}__contains": [raw]})
    if queryable.kind in ("number", "integer"):
        try:
            number: float = float(raw) if queryable.kind == "number" else int(raw)
        except ValueError as error:
            raise _bad(f"{name} must be a number, not {raw!r}.") from error
        return Q(**{field: number})
    if queryable.kind in ("timestamp", "date"):
        start, end = datetime_interval(raw)
        return Q(**{f"{field}__range": (start, end)})
    return Q(**{field: raw})


def sort_order(raw: str) -> list[Any]:
    order: list[Any] = []
    for item in _terms(raw):
        descending = item.startswith("-")
        name = item.lstrip("+-")
        if name not in SORTABLE:
            raise _bad(f"Cannot sort by {name!r}; sortable: {', '.join(SORTABLE)}.")
        expression = F(QUERYABLES[name].field or name)
        order.append(
            expression.desc(nulls_last=True) if descending else expression.asc(nulls_last=True)
        )
    return [*order, "id"]


def cql2_q(parameters: QueryDict) -> Q:
    text = parameters.get("filter", "")
    language = parameters.get("filter-lang", "cql2-text")
    crs = parameters.get("filter-crs", CRS84)
    try:
        if language == "cql2-text":
            node = parse_cql2_text(text)
        elif language == "cql2-json":
            node = parse_cql2_json(json.loads(text))
        else:
            raise _bad(f"filter-lang {language!r} is not supported; use cql2-text or cql2-json.")
        return cql2_filter_q(node, QUERYABLES, crs=crs)
    except json.JSONDecodeError as error:
        raise _bad(f"The cql2-json filter is not JSON: {error}.") from error
    except Cql2Error as error:
        raise _bad(f"The filter is not valid: {error}") from error


# --- search -----------------------------------------------------------------------------


def _text(parameters: QueryDict, name: str) -> str:
    return str(parameters.get(name) or "")


def _int(parameters: QueryDict, name: str, default: int, minimum: int) -> int:
    raw = parameters.get(name, "")
    if raw == "":
        return default
    try:
        value = int(raw)
    except ValueError as error:
        raise _bad(f"{name} must be an integer, not {raw!r}.") from error
    if value < minimum:
        raise _bad(f"{name} must be at least {minimum}.")
    return value


def search_filter(parameters: QueryDict, *, skip: tuple[str, ...] = ()) -> Q:
    """Every filtering parameter but those in `skip` (facets count without their own)."""
    unknown = [name for name in parameters if name not in RESERVED and name not in QUERYABLES]
    if unknown:
        raise _bad(
            f"Unknown parameter(s) {', '.join(sorted(unknown))}; the queryables are at "
            "/catalogue/collections/tep-catalogue/queryables."
        )
    condition = Q()
    if _text(parameters, "bbox") and "bbox" not in skip:
        crs = _text(parameters, "bbox-crs") or CRS84
        condition &= _bbox_q(bbox_boxes(_text(parameters, "bbox"), crs))
    if _text(parameters, "datetime") and "datetime" not in skip:
        condition &= _datetime_q(*datetime_interval(_text(parameters, "datetime")))
    if _text(parameters, "type") and "type" not in skip:
        condition &= Q(type__in=_terms(_text(parameters, "type")))
    external = parameters.get("externalid") or parameters.get("externalId")
    if external:
        condition &= Q(external_ids__overlap=_terms(external))
    query = text_query(parameters.get("q", ""))
    if query is not None:
        condition &= Q(search_vector=query)
    for name in parameters:
        if name in QUERYABLES and name not in RESERVED and name not in skip:
            for raw in parameters.getlist(name):
                condition &= _property_value(name, raw)
    if parameters.get("filter"):
        condition &= cql2_q(parameters)
    return condition


def public_records_estimate() -> int:
    """About how many public records there are (the planner's figure: counting a million
    rows on every catalogue request would cost more than the request)."""
    return estimated_count(Record.objects.filter(visibility=Visibility.PUBLIC))


def records_search(parameters: QueryDict, user: User | None) -> SearchResult:
    """One page of the visible records matching the parameters, counted and ordered as
    `apps.catalogue.search` describes (exact numberMatched up to COUNT_CAP; `sortby`, else
    relevance for a counted text search, else newest record_updated first; then id)."""
    limit = min(_int(parameters, "limit", DEFAULT_LIMIT, 1), MAX_LIMIT)
    offset = _int(parameters, "offset", 0, 0)
    records = records_visible_to(user).filter(search_filter(parameters))
    sortby = _text(parameters, "sortby")
    query = text_query(parameters.get("q", ""))
    try:
        return search_page(
            records,
            query=query,
            order=sort_order(sortby) if sortby else None,
            narrowed=bool(_text(parameters, "bbox")) or query is not None,
            limit=limit,
            offset=offset,
        )
    except DataError as error:  # e.g. an arithmetic overflow in a CQL2 filter
        raise _bad(f"The filter cannot be evaluated: {error}".strip()) from error


def type_facets(parameters: QueryDict, user: User | None) -> list[tuple[str, int]]:
    """How many visible records of each type match the other parameters."""
    records = records_visible_to(user).filter(search_filter(parameters, skip=("type",)))
    counted = records.order_by().values("type").annotate(count=Count("pk")).order_by("-count")
    return [(row["type"], row["count"]) for row in counted]
