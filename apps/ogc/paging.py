"""Offset paging with `limit` and OGC next/prev links."""

from dataclasses import dataclass, field
from typing import Any, Generic, TypeVar

from django.db.models import QuerySet
from django.http import HttpRequest

from apps.ogc.errors import ApplicationError
from apps.ogc.links import absolute_url

T = TypeVar("T")


@dataclass
class Page(Generic[T]):
    items: list[T]
    number_matched: int
    links: list[dict[str, str]] = field(default_factory=list)

    @property
    def number_returned(self) -> int:
        return len(self.items)


def _int_parameter(request: HttpRequest, name: str, default: int, minimum: int) -> int:
    raw = request.GET.get(name)
    if raw is None or raw == "":
        return default
    try:
        value = int(raw)
    except ValueError as error:
        raise ApplicationError(f"Parameter {name!r} must be an integer, not {raw!r}.") from error
    if value < minimum:
        raise ApplicationError(f"Parameter {name!r} must be at least {minimum}.")
    return value


def paginate(
    request: HttpRequest,
    queryset: "QuerySet[Any] | list[Any]",
    *,
    default_limit: int = 10,
    max_limit: int = 1000,
    media_type: str = "application/json",
) -> Page[Any]:
    """Slice by `limit`/`offset`; a limit above the maximum is clamped, as OGC APIs do."""
    limit = min(_int_parameter(request, "limit", default_limit, 1), max_limit)
    offset = _int_parameter(request, "offset", 0, 0)
    total = queryset.count() if isinstance(queryset, QuerySet) else len(queryset)
    items = list(queryset[offset : offset + limit])
    base_query = {
        key: request.GET.getlist(key) for key in request.GET if key not in ("offset", "f")
    }
    base_query["limit"] = [str(limit)]
    links = []
    if offset + limit < total:
        links.append(
            {
                "href": absolute_url(
                    request, request.path, {**base_query, "offset": offset + limit}
                ),
                "rel": "next",
                "type": media_type,
                "title": "next page",
            }
        )
    if offset > 0:
        links.append(
            {
                "href": absolute_url(
                    request, request.path, {**base_query, "offset": max(offset - limit, 0)}
                ),
                "rel": "prev",
                "type": media_type,
                "title": "previous page",
            }
        )
    return Page(items=items, number_matched=total, links=links)
