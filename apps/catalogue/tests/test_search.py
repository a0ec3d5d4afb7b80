"""Searching the catalogue (§10.5, Table 3): each parameter alone and combined."""

from collections.abc import Callable

import pytest
from django.test import Client

from apps.accounts.models import User
from apps.catalogue.models import Record
from apps.catalogue.queryables import QUERYABLES
from apps.catalogue.tests.conftest import ITEMS, ids

pytestmark = pytest.mark.django_db

PUBLIC = {"s2-amsterdam", "s1-flood", "fiji-coast", "ndvi-app", "dem-world", "ongoing-rcm"}


def search(client: Client, **parameters: str) -> set[str]:
    return ids(client.get(ITEMS, parameters))


def test_without_parameters_lists_the_public_records(client: Client, catalogue: dict) -> None:
    response = client.get(ITEMS)

    assert ids(response) == PUBLIC
    assert response.json()["numberMatched"] == len(PUBLIC)
    assert response["Content-Type"].startswith("application/geo+json")


@pytest.mark.parametrize(
    ("bbox", "expected"),
    [
        ("4.8,52.3,4.9,52.4", {"s2-amsterdam", "dem-world"}),
        ("10.5,47.0,11.5,49.0", {"s1-flood", "dem-world"}),
        ("-100,50,-90,60", {"ongoing-rcm", "dem-world"}),
        ("178,-18,-179.5,-17", {"fiji-coast", "dem-world"}),  # crosses the antimeridian
        ("-179.8,-18,-179.5,-17", {"fiji-coast", "dem-world"}),
        ("4.8,52.3,0,4.9,52.4,100", {"s2-amsterdam", "dem-world"}),  # with heights
    ],
)
def test_bbox(client: Client, catalogue: dict, bbox: str, expected: set[str]) -> None:
    assert search(client, bbox=bbox) == expected


def test_bbox_in_epsg_4326_is_latitude_first(client: Client, catalogue: dict) -> None:
    found = search(
        client,
        bbox="52.3,4.8,52.4,4.9",
        **{"bbox-crs": "http://www.opengis.net/def/crs/EPSG/0/4326"},
    )
    assert found == {"s2-amsterdam", "dem-world"}


@pytest.mark.parametrize(
    ("datetime", "expected"),
    [
        ("2025-03-15", {"s2-amsterdam", "ongoing-rcm", "fiji-coast"}),
        ("2025-03-15T10:00:00Z", {"s2-amsterdam", "ongoing-rcm", "fiji-coast"}),
        ("2024-06-02T00:00:00Z/2024-06-04T00:00:00Z", {"s1-flood", "ongoing-rcm", "fiji-coast"}),
        ("../2012-01-01", {"dem-world"}),
        ("2025-03-31/..", {"s2-amsterdam", "ongoing-rcm", "fiji-coast"}),
        ("/2012-01-01", {"dem-world"}),
        ("2025-04-01/", {"ongoing-rcm", "fiji-coast"}),
    ],
)
def test_datetime(client: Client, catalogue: dict, datetime: str, expected: set[str]) -> None:
    assert search(client, datetime=datetime) == expected


def test_records_without_time_never_match_a_datetime(client: Client, catalogue: dict) -> None:
    found = search(client, datetime="../2030-01-01")

    assert "ndvi-app" not in found
    assert found == PUBLIC - {"ndvi-app"}


def test_q_matches_any_term_in_title_description_or_keywords(
    client: Client, catalogue: dict
) -> None:
    assert search(client, q="flood") == {"s1-flood"}
    assert search(client, q="elevation,coastline") == {"dem-world", "fiji-coast"}
    assert search(client, q="vegetation") == {"s2-amsterdam", "ndvi-app"}


def test_q_ranks_title_matches_first(client: Client, make_record: Callable[..., Record]) -> None:
    make_record("mentions", description="A long survey text that once mentions glaciers.")
    make_record("about", title="Glaciers of the Alps", keywords=["glaciers", "ice"])

    features = client.get(ITEMS, {"q": "glacier"}).json()["features"]

    assert [feature["id"] for feature in features] == ["about", "mentions"]


def test_type_takes_a_list(client: Client, catalogue: dict) -> None:
    assert search(client, type="process") == {"ndvi-app"}
    assert search(client, type="process,collection") == {"ndvi-app", "fiji-coast"}


def test_externalid(client: Client, catalogue: dict) -> None:
    assert search(client, externalid="S1A_IW_GRDH_20240601,unknown") == {"s1-flood"}


PROPERTY_VALUES = {
    "id": "s2-amsterdam",
    "title": "Sentinel-2 L2A over Amsterdam",
    "description": "Optical multispectral surface reflectance for vegetation.",
    "keywords": "optical",
    "keywordsCodespace": "https://gcmd.earthdata.nasa.gov",
    "language": "nl",
    "externalId": "S2A_MSIL2A_20250301",
    "created": "2025-04-01",
    "updated": "2025-04-02",
    "publisher": "ESA",
    "formats": "image/tiff; application=geotiff",
    "contactPoint": "Copernicus help desk",
    "license": "CC-BY-4.0",
    "rights": "Copernicus terms",
    "platform": "Sentinel-2A",
    "instrument": "MSI",
    "cloudCover": "12.5",
}


@pytest.mark.parametrize("name", sorted(PROPERTY_VALUES))
def test_prop_equals_value_on_every_queryable(client: Client, catalogue: dict, name: str) -> None:
    assert name in QUERYABLES
    found = search(client, **{name: PROPERTY_VALUES[name]})

    assert "s2-amsterdam" in found
    assert "s1-flood" not in found


def test_every_queryable_but_geometry_and_time_has_a_value_test() -> None:
    covered_elsewhere = {"type", "geometry", "datetime", "recordCreated", "recordUpdated"}
    assert set(QUERYABLES) - set(PROPERTY_VALUES) == covered_elsewhere


def test_record_dates_as_properties(client: Client, catalogue: dict) -> None:
    today = catalogue["s2-amsterdam"].record_created.date().isoformat()
    assert "s2-amsterdam" in search(client, recordCreated=today, recordUpdated=today)


def test_filter_in_cql2_text_and_json(client: Client, catalogue: dict) -> None:
    text = "platform LIKE 'Sentinel%' AND cloudCover < 20"
    as_json = (
        '{"op": "and", "args": ['
        '{"op": "like", "args": [{"property": "platform"}, "Sentinel%"]},'
        '{"op": "<", "args": [{"property": "cloudCover"}, 20]}]}'
    )

    assert search(client, filter=text) == {"s2-amsterdam"}
    assert search(client, filter=as_json, **{"filter-lang": "cql2-json"}) == {"s2-amsterdam"}


def test_spatial_filter_with_filter_crs(client: Client, catalogue: dict) -> None:
    found = search(
        client,
        filter="S_INTERSECTS(geometry, POINT(52.35 4.85))",
        **{"filter-crs": "http://www.opengis.net/def/crs/EPSG/0/4326"},
    )
    assert found == {"s2-amsterdam", "dem-world"}


def test_all_parameters_combined(client: Client, catalogue: dict) -> None:
    found = search(
        client,
        bbox="4,52,6,53",
        datetime="2025-01-01/2025-12-31",
        q="optical,elevation",
        type="dataset",
        platform="Sentinel-2A",
        filter="cloudCover < 50",
        sortby="-title",
    )
    assert found == {"s2-amsterdam"}


def test_sortby(client: Client, catalogue: dict) -> None:
    response = client.get(ITEMS, {"sortby": "-title", "type": "dataset"})
    titles = [feature["properties"]["title"] for feature in response.json()["features"]]
    assert titles == sorted(titles, reverse=True)

    response = client.get(ITEMS, {"sortby": "+cloudCover", "platform": "Sentinel-2A"})
    assert response.status_code == 200


def test_limit_and_paging_links(client: Client, catalogue: dict) -> None:
    first = client.get(ITEMS, {"limit": "2", "sortby": "id"}).json()
    assert first["numberReturned"] == 2
    assert first["numberMatched"] == len(PUBLIC)
    rels = {link["rel"]: link["href"] for link in first["links"]}
    assert "prev" not in rels

    seen = [feature["id"] for feature in first["features"]]
    page = first
    while "next" in {link["rel"] for link in page["links"]}:
        next_href = next(link["href"] for link in page["links"] if link["rel"] == "next")
        page = client.get(next_href).json()
        assert "prev" in {link["rel"] for link in page["links"]}
        seen += [feature["id"] for feature in page["features"]]
    assert seen == sorted(PUBLIC)


@pytest.mark.parametrize(
    "parameters",
    [
        {"bbox": "1,2,3"},
        {"bbox": "0,80,10,70"},
        {"bbox": "a,b,c,d"},
        {"datetime": "yesterday"},
        {"datetime": "2025-02-01/2025-01-01"},
        {"limit": "0"},
        {"limit": "many"},
        {"sortby": "password"},
        {"filter": "cloudCover <"},
        {"filter": "nonsense = 1"},
        {"filter": "1=1", "filter-lang": "ecql"},
        {"filter": "{", "filter-lang": "cql2-json"},
        {"colour": "blue"},
        {"cloudCover": "cloudy"},
        {"geometry": "POINT(1 2)"},
    ],
)
def test_bad_parameters_get_400_with_an_exception(
    client: Client, catalogue: dict, parameters: dict[str, str]
) -> None:
    response = client.get(ITEMS, parameters)

    assert response.status_code == 400
    problem = response.json()
    assert problem["status"] == 400
    assert problem["detail"]


def test_private_records_only_for_their_owner(
    client: Client, catalogue: dict, alice: User, make_user: Callable[..., User]
) -> None:
    assert "alice-private" not in search(client, q="flood")
    assert client.get(ITEMS, {"q": "flood"}).json()["numberMatched"] == 1
    html = client.get(ITEMS, {"q": "flood", "f": "html"}).content.decode()
    assert "Alice&#x27;s private flood map" not in html
    assert "private flood" not in html
    assert client.get(f"{ITEMS}/alice-private").status_code == 404
    assert client.get(f"{ITEMS}/alice-private", {"f": "html"}).status_code == 404

    client.force_login(make_user("mallory"))
    assert "alice-private" not in search(client, q="flood")
    assert client.get(f"{ITEMS}/alice-private").status_code == 404

    client.force_login(alice)
    assert search(client, q="flood") == {"s1-flood", "alice-private"}
    assert client.get(ITEMS, {"q": "flood"}).json()["numberMatched"] == 2
    assert client.get(f"{ITEMS}/alice-private").status_code == 200


def test_shared_private_records_are_visible_to_the_reader(
    client: Client, catalogue: dict[str, Record], make_user: Callable[..., User]
) -> None:
    bob = make_user("bob")
    catalogue["alice-private"].readers.add(bob)
    client.force_login(bob)

    assert "alice-private" in search(client, q="flood")


def test_html_search_page_counts_types_without_private_records(
    client: Client, catalogue: dict
) -> None:
    response = client.get(ITEMS, {"f": "html"})

    assert response.status_code == 200
    page = response.content.decode()
    assert 'data-type="dataset">4<' in page
    assert 'data-type="process">1<' in page
    assert "Sentinel-2 L2A over Amsterdam" in page
