"""OWSLib's OGC API - Records client searches the catalogue over real HTTP."""

import pytest
from owslib.ogcapi.records import Records

from apps.catalogue.demo import demo_catalogue_seed

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def records(live_server) -> Records:
    demo_catalogue_seed()
    return Records(f"{live_server.url}/catalogue/")


def test_finds_the_catalogue_and_its_queryables(records: Records) -> None:
    assert records.records() == ["tep-catalogue"]
    assert records.collection("tep-catalogue")["itemType"] == "record"
    assert "cloudCover" in records.collection_queryables("tep-catalogue")["properties"]
    conformance = records.conformance()["conformsTo"]
    assert "http://www.opengis.net/spec/ogcapi-records-1/1.0/conf/searchable-catalog" in conformance


def test_searches_by_bbox_text_filter_and_sort(records: Records) -> None:
    in_box = records.collection_items("tep-catalogue", bbox=[4.8, 52.3, 4.9, 52.4], type="dataset")
    by_text = records.collection_items("tep-catalogue", q="radar", limit=5)
    filtered = records.collection_items(
        "tep-catalogue",
        filter="platform = 'Sentinel-2A' AND type = 'dataset'",
        sortby=("title", "desc"),
    )

    in_box_titles = {feature["properties"]["title"] for feature in in_box["features"]}
    assert "Sentinel-2 Level-2A surface reflectance" in in_box_titles
    assert "RADARSAT Constellation Mission ScanSAR 50 m, Canada" not in in_box_titles
    assert {feature["properties"]["platform"] for feature in by_text["features"]} >= {"RCM-1"}
    titles = [feature["properties"]["title"] for feature in filtered["features"]]
    assert titles == sorted(titles, reverse=True)
    assert len(titles) == 2


def test_reads_one_record(records: Records) -> None:
    first = records.collection_items("tep-catalogue", q="DEM")["features"][0]

    record = records.collection_item("tep-catalogue", first["id"])

    assert record["properties"]["title"] == "Copernicus DEM GLO-30"
