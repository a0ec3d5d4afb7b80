"""The count and the order of a search on each of the ways apps.catalogue.search runs it.

The same records are searched counted (few matches), past the count (more matches than
COUNT_CAP: found through record_recent_gist with a box or text, along record_updated_idx
otherwise) and without even an attempt to count (estimated above ESTIMATE_CAP); each page
must be the slice of the full order that the documentation gives. Many records share a
record_updated, and two are a microsecond apart, so that ties fall across pages.
"""

from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from django.contrib.postgres.search import SearchRank
from django.db.models import F
from django.test import Client

from apps.accounts.models import User
from apps.catalogue import search
from apps.catalogue.models import Record, Visibility
from apps.catalogue.selectors import text_query
from apps.catalogue.tests.conftest import ITEMS, box

pytestmark = pytest.mark.django_db

START = datetime(2025, 1, 1, tzinfo=UTC)
BOX = "9,39,21,51"
PAGES = [(1, 0), (3, 0), (3, 3), (4, 5), (5, 10), (2, 13), (7, 9), (30, 0), (4, 22)]


@pytest.fixture
def records(make_record: Callable[..., Record], alice: User) -> list[Record]:
    """24 public records and one of alice's (r22): inside or outside BOX, about glaciers or
    not, datasets or collections; record_updated takes six values (ties), and one record is
    a microsecond newer than five others."""
    Record.objects.all().delete()
    made = []
    for number in range(25):
        record = make_record(
            f"r{number:02d}",
            title=f"Glacier survey {number}" if number % 2 == 0 else f"Survey {number}",
            type="collection" if number % 4 == 1 else "dataset",
            geometry=box(10, 40, 20, 50) if number % 3 else box(100, 0, 101, 1),
            owner=alice if number == 22 else None,
            visibility=Visibility.PRIVATE if number == 22 else Visibility.PUBLIC,
        )
        moment = START + timedelta(hours=(number * 7) % 6, microseconds=number == 11)
        Record.objects.filter(pk=record.pk).update(record_updated=moment)
        record.refresh_from_db()
        made.append(record)
    return made


@pytest.fixture(params=["counted", "past the count", "not counted"])
def path(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> str:
    if request.param == "past the count":
        monkeypatch.setattr(search, "COUNT_CAP", 2)
    elif request.param == "not counted":
        monkeypatch.setattr(search, "ESTIMATE_CAP", -1)
    return str(request.param)


def newest_first(records: list[Record]) -> list[str]:
    ordered = sorted(records, key=lambda record: (-record.record_updated.timestamp(), record.pk))
    return [record.pk for record in ordered]


def is_inside(record: Record) -> bool:
    return int(record.pk[1:]) % 3 != 0


def is_about_glaciers(record: Record) -> bool:
    return int(record.pk[1:]) % 2 == 0


SEARCHES: list[tuple[dict[str, str], Callable[[Record], bool]]] = [
    ({}, lambda record: True),
    ({"bbox": BOX}, is_inside),
    ({"q": "glacier"}, is_about_glaciers),
    (
        {"bbox": BOX, "q": "glacier", "type": "dataset"},
        lambda record: is_inside(record) and is_about_glaciers(record) and record.type == "dataset",
    ),
    ({"type": "dataset"}, lambda record: record.type == "dataset"),
    (
        {"filter": "type = 'dataset' AND NOT id = 'r04'"},
        lambda record: record.type == "dataset" and record.pk != "r04",
    ),
]


def page(client: Client, parameters: dict[str, str], limit: int, offset: int) -> dict[str, Any]:
    response = client.get(ITEMS, {**parameters, "limit": str(limit), "offset": str(offset)})
    assert response.status_code == 200, response.content
    return dict(response.json())


def ranked(parameters: dict[str, str], ids: list[str]) -> list[str]:
    """The ids by relevance to the search's text, then id (as the database ranks them)."""
    query = text_query(parameters["q"])
    assert query is not None
    rank = SearchRank(F("search_vector"), query)
    ordered = Record.objects.filter(pk__in=ids).annotate(rank=rank).order_by("-rank", "id")
    return list(ordered.values_list("pk", flat=True))


@pytest.mark.parametrize(("parameters", "matches"), SEARCHES)
def test_every_page_is_a_slice_of_the_documented_order(
    client: Client,
    records: list[Record],
    path: str,
    parameters: dict[str, str],
    matches: Callable[[Record], bool],
) -> None:
    # given
    expected = newest_first([r for r in records if r.visibility == "public" and matches(r)])
    counted = path == "counted"
    if counted and "q" in parameters:
        expected = ranked(parameters, expected)

    for limit, offset in PAGES:
        # when
        body = page(client, parameters, limit, offset)

        # then
        found = [feature["id"] for feature in body["features"]]
        assert found == expected[offset : offset + limit], (limit, offset)
        if counted:
            assert body["numberMatched"] == len(expected)
        else:
            assert "numberMatched" not in body
        has_next = "next" in {link["rel"] for link in body["links"]}
        assert has_next == (offset + limit < len(expected) if counted else len(found) == limit)


def test_owners_see_their_private_records_in_place(
    client: Client, records: list[Record], alice: User, path: str
) -> None:
    # given
    client.force_login(alice)
    expected = newest_first([record for record in records if is_inside(record)])

    # when
    body = page(client, {"bbox": BOX}, 30, 0)

    # then
    assert [feature["id"] for feature in body["features"]] == expected
    assert "r22" in expected


def test_sortby_past_the_count_orders_every_page(
    client: Client, records: list[Record], monkeypatch: pytest.MonkeyPatch
) -> None:
    # given
    monkeypatch.setattr(search, "COUNT_CAP", 2)
    public = [record for record in records if record.visibility == "public"]
    expected = [record.pk for record in sorted(public, key=lambda r: (r.title, r.pk))]

    # when
    found = [
        feature["id"]
        for offset in range(0, 24, 5)
        for feature in page(client, {"sortby": "title"}, 5, offset)["features"]
    ]

    # then
    assert found == expected


def test_a_page_past_the_last_match_still_has_the_count(
    client: Client, records: list[Record]
) -> None:
    matching = [r for r in records if is_inside(r) and is_about_glaciers(r) and r.pk != "r22"]

    body = page(client, {"bbox": BOX, "q": "glacier"}, 10, 40)

    assert body["features"] == []
    assert body["numberMatched"] == len(matching) == 7


def test_no_match_counts_zero(client: Client, records: list[Record]) -> None:
    body = page(client, {"bbox": "-50,-50,-40,-40", "q": "glacier"}, 10, 0)

    assert body["features"] == []
    assert body["numberMatched"] == 0
