"""A small catalogue of varied records for the search tests."""

from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

import pytest
from django.contrib.gis.geos import GEOSGeometry, Polygon

from apps.accounts.models import User
from apps.catalogue.indexing import search_vector_refresh
from apps.catalogue.models import Record, Visibility

ITEMS = "/catalogue/collections/tep-catalogue/items"


def box(west: float, south: float, east: float, north: float) -> GEOSGeometry:
    polygon = Polygon.from_bbox((west, south, east, north))
    polygon.srid = 4326
    return polygon


def moment(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=UTC)


@pytest.fixture
def make_record(db: None) -> Callable[..., Record]:
    def make(record_id: str, **values: Any) -> Record:
        values.setdefault("type", "dataset")
        values.setdefault("title", record_id)
        record = Record.objects.create(id=record_id, **values)
        search_vector_refresh(Record.objects.filter(pk=record.pk))
        record.refresh_from_db()
        return record

    return make


@pytest.fixture
def catalogue(make_record: Callable[..., Record], alice: User) -> dict[str, Record]:
    """Six public records and one of alice's private ones, spread in space and time.

    Only these: the records the platform made of its built-in applications are removed.
    """
    Record.objects.all().delete()
    return {
        record.pk: record
        for record in (
            make_record(
                "s2-amsterdam",
                title="Sentinel-2 L2A over Amsterdam",
                description="Optical multispectral surface reflectance for vegetation.",
                keywords=["Sentinel-2", "optical", "vegetation"],
                geometry=box(4.7, 52.2, 5.1, 52.5),
                time_start=moment("2025-03-01"),
                time_end=moment("2025-03-31"),
                platform="Sentinel-2A",
                instrument="MSI",
                cloud_cover=12.5,
                formats=["image/tiff; application=geotiff"],
                license="CC-BY-4.0",
                external_ids=["S2A_MSIL2A_20250301"],
                language="nl",
                publisher="ESA",
                contact_point="Copernicus help desk",
                rights="Copernicus terms",
                keywords_codespace="https://gcmd.earthdata.nasa.gov",
                created=moment("2025-04-01"),
                updated=moment("2025-04-02"),
            ),
            make_record(
                "s1-flood",
                title="Sentinel-1 radar backscatter, flood in Bavaria",
                description="SAR imagery showing a flood.",
                keywords=["Sentinel-1", "radar", "flood"],
                geometry=box(10.0, 47.5, 13.0, 50.0),
                time_start=moment("2024-06-01"),
                time_end=moment("2024-06-05"),
                platform="Sentinel-1A",
                instrument="C-SAR",
                external_ids=["S1A_IW_GRDH_20240601"],
            ),
            make_record(
                "fiji-coast",
                title="Coastline of Fiji across the antimeridian",
                description="Vector coastline.",
                keywords=["coast", "vector"],
                geometry=GEOSGeometry(
                    "MULTIPOLYGON(((177 -19, 180 -19, 180 -16, 177 -16, 177 -19)),"
                    "((-180 -19, -179 -19, -179 -16, -180 -16, -180 -19)))",
                    srid=4326,
                ),
                time_start=moment("2020-01-01"),
                type="collection",
            ),
            make_record(
                "ndvi-app",
                type="process",
                title="NDVI calculation",
                description="Computes the vegetation index from red and near infrared.",
                keywords=["NDVI", "vegetation", "process"],
            ),
            make_record(
                "dem-world",
                title="Copernicus DEM",
                description="Global elevation model.",
                keywords=["DEM", "elevation"],
                geometry=box(-180, -90, 180, 90),
                time_start=moment("2011-01-01"),
                time_end=moment("2015-01-01"),
                platform="TanDEM-X",
            ),
            make_record(
                "ongoing-rcm",
                title="RCM ScanSAR Canada",
                description="Radar over Canada, ongoing.",
                keywords=["RCM", "radar", "sea ice"],
                geometry=box(-141, 41.7, -52.6, 83.1),
                time_start=moment("2019-06-12"),
                platform="RCM-1",
            ),
            make_record(
                "alice-private",
                title="Alice's private flood map",
                description="A flood extent only alice should see.",
                keywords=["flood"],
                geometry=box(10.5, 48.0, 11.0, 48.5),
                time_start=moment("2024-06-03"),
                time_end=moment("2024-06-03"),
                owner=alice,
                visibility=Visibility.PRIVATE,
            ),
        )
    }


def ids(response: Any) -> set[str]:
    assert response.status_code == 200, response.content
    return {feature["id"] for feature in response.json()["features"]}
