"""The demo TEP-holdings collections and their links to the demo applications (`seed_demo`)."""

from dataclasses import dataclass, field
from datetime import UTC, datetime

from apps.catalogue.models import Record, Relation
from apps.catalogue.registration import association_add, dataset_register, process_source
from apps.processes.services import processes_sync_builtins

GEOTIFF = "image/tiff; application=geotiff"
COPERNICUS = "Copernicus Sentinel data terms (free, full and open)"


def _day(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=UTC)


@dataclass(frozen=True)
class DemoDataset:
    name: str
    title: str
    description: str
    bbox: tuple[float, float, float, float]
    start: str
    end: str | None
    platform: str
    instrument: str
    keywords: list[str]
    formats: list[str]
    license: str
    files: list[str] = field(default_factory=list)
    used_by: tuple[str, ...] = ()


DEMO_DATASETS = (
    DemoDataset(
        name="sentinel-2-l2a",
        title="Sentinel-2 Level-2A surface reflectance",
        description="Bottom-of-atmosphere reflectance in 13 bands at 10-60 m from the "
        "Sentinel-2 MultiSpectral Instrument, atmospherically corrected. The demo holding is a "
        "4-band (blue, green, red, near-infrared) scene over Noord-Holland.",
        bbox=(4.80, 52.29, 4.96, 52.45),
        start="2025-01-01",
        end="2025-12-31",
        platform="Sentinel-2A",
        instrument="MSI",
        keywords=["Sentinel-2", "optical", "multispectral", "surface reflectance", "vegetation"],
        formats=[GEOTIFF],
        license=COPERNICUS,
        files=["holdings/demo/sentinel2-l2a-demo.tif"],
        used_by=("ndvi", "clip-raster"),
    ),
    DemoDataset(
        name="ndvi-monthly-2025",
        title="Monthly NDVI composites 2025",
        description="Twelve monthly NDVI composites for 2025, one band per month, from "
        "Sentinel-2 Level-2A; for vegetation time series over the demo fields.",
        bbox=(4.80, 52.29, 4.96, 52.45),
        start="2025-01-01",
        end="2025-12-31",
        platform="Sentinel-2A",
        instrument="MSI",
        keywords=["NDVI", "time series", "vegetation", "Sentinel-2"],
        formats=[GEOTIFF],
        license=COPERNICUS,
        files=["holdings/demo/ndvi-timeseries-2025.tif"],
        used_by=("zonal-timeseries", "clip-raster"),
    ),
    DemoDataset(
        name="demo-fields",
        title="Agricultural fields, Noord-Holland",
        description="Parcel boundaries of two demo fields as GeoJSON polygons.",
        bbox=(4.85, 52.32, 4.91, 52.40),
        start="2025-01-01",
        end=None,
        platform="",
        instrument="",
        keywords=["fields", "parcels", "agriculture", "vector"],
        formats=["application/geo+json"],
        license="CC-BY-4.0",
        files=["holdings/demo/fields.geojson"],
        used_by=("buffer",),
    ),
    DemoDataset(
        name="sentinel-1-grd",
        title="Sentinel-1 IW GRD backscatter, Europe",
        description="C-band synthetic aperture radar, Interferometric Wide swath, "
        "Ground Range Detected at 10 m, VV and VH polarisations; flood and ice mapping.",
        bbox=(-10.0, 35.0, 30.0, 60.0),
        start="2014-10-03",
        end=None,
        platform="Sentinel-1A",
        instrument="C-SAR",
        keywords=["Sentinel-1", "SAR", "radar", "backscatter", "flood"],
        formats=[GEOTIFF, "SAFE"],
        license=COPERNICUS,
        used_by=("clip-raster",),
    ),
    DemoDataset(
        name="rcm-sc50",
        title="RADARSAT Constellation Mission ScanSAR 50 m, Canada",
        description="C-band SAR from the three RCM satellites over Canada's land and "
        "waters; sea ice, ship detection and disaster response.",
        bbox=(-141.0, 41.7, -52.6, 83.1),
        start="2019-06-12",
        end=None,
        platform="RCM-1",
        instrument="SAR",
        keywords=["RCM", "RADARSAT", "SAR", "radar", "sea ice"],
        formats=[GEOTIFF],
        license="Open Government Licence - Canada",
        used_by=("clip-raster",),
    ),
    DemoDataset(
        name="copernicus-dem-glo30",
        title="Copernicus DEM GLO-30",
        description="Global digital surface model at 30 m from TanDEM-X, edited for "
        "water bodies; terrain correction and elevation analysis.",
        bbox=(-180.0, -90.0, 180.0, 90.0),
        start="2011-01-01",
        end="2015-01-01",
        platform="TanDEM-X",
        instrument="SAR",
        keywords=["DEM", "elevation", "terrain", "Copernicus"],
        formats=[GEOTIFF],
        license="Copernicus DEM licence",
        used_by=("clip-raster",),
    ),
)


def demo_catalogue_seed() -> list[Record]:
    """Register the demo collections (idempotent) and link the demo applications to them."""
    processes_sync_builtins()
    records = []
    for dataset in DEMO_DATASETS:
        record = dataset_register(
            name=dataset.name,
            title=dataset.title,
            description=dataset.description,
            bbox=dataset.bbox,
            time_start=_day(dataset.start),
            time_end=_day(dataset.end) if dataset.end else None,
            keywords=dataset.keywords,
            formats=dataset.formats,
            license=dataset.license,
            platform=dataset.platform,
            instrument=dataset.instrument,
            publisher="TEP Marketplace demo holdings",
            files=dataset.files,
        )
        for process_id in dataset.used_by:
            application = Record.objects.filter(source=process_source(process_id)).first()
            if application is not None:
                association_add(application, Relation.OPERATES_ON, record)
        records.append(record)
    return records
