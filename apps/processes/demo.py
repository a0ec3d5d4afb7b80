"""Small, real demo holdings for the built-in processes, made by `seed_demo`."""

import json
from pathlib import Path

import numpy as np
import rasterio
from django.conf import settings
from rasterio.transform import from_origin

from apps.accounts.models import User
from apps.processes.loading import LoadOutcome, packages_load
from apps.processes.models import ExecutionUnitType, Process, ProcessState
from apps.processes.services import process_publish, process_submit
from apps.processes.staging import holdings_root
from apps.workspaces.storage import platform_storage

DEMO_FOLDER = "demo"
WEST, NORTH, PIXEL = 4.80, 52.45, 0.0025
SIZE = 64
MONTHS = [f"2025-{month:02d}-15" for month in range(1, 13)]


def _field_pattern(rng: np.random.Generator) -> np.ndarray:
    """Vegetation-like structure: smooth fields with noise, values 0..1."""
    y, x = np.mgrid[0:SIZE, 0:SIZE]
    fields = (np.sin(x / 7.0) * np.cos(y / 9.0) + 1) / 2
    return np.clip(fields + rng.normal(0, 0.05, (SIZE, SIZE)), 0, 1)


def _write(path: Path, bands: list[np.ndarray], descriptions: list[str]) -> None:
    profile = {
        "driver": "GTiff",
        "width": SIZE,
        "height": SIZE,
        "count": len(bands),
        "dtype": "float32",
        "crs": "EPSG:4326",
        "transform": from_origin(WEST, NORTH, PIXEL, PIXEL),
        "compress": "deflate",
    }
    with rasterio.open(path, "w", **profile) as dataset:
        for index, (band, description) in enumerate(zip(bands, descriptions, strict=True), 1):
            dataset.write(band.astype("float32"), index)
            dataset.set_band_description(index, description)


def demo_holdings_create() -> list[Path]:
    """Write the demo GeoTIFFs and GeoJSON under holdings/demo/ (overwriting them), and
    into the platform's object store when it is not the local filesystem."""
    folder = holdings_root() / DEMO_FOLDER
    folder.mkdir(parents=True, exist_ok=True)
    rng = np.random.default_rng(2026)
    vegetation = _field_pattern(rng)
    reflectance = [
        0.08 + 0.02 * vegetation,  # blue
        0.10 + 0.03 * vegetation,  # green
        0.15 - 0.10 * vegetation,  # red: absorbed by vegetation
        0.20 + 0.40 * vegetation,  # near infrared: reflected by vegetation
    ]
    scene = folder / "sentinel2-l2a-demo.tif"
    _write(scene, reflectance, ["B02 blue", "B03 green", "B04 red", "B08 nir"])
    season = [0.5 + 0.4 * np.sin(np.pi * (month - 2) / 10) for month in range(1, 13)]
    series = folder / "ndvi-timeseries-2025.tif"
    _write(series, [vegetation * level for level in season], MONTHS)
    fields = folder / "fields.geojson"
    fields.write_text(json.dumps(_fields_geojson()))
    written = [scene, series, fields]
    if settings.STORAGE_BACKEND != "filesystem":
        for path in written:
            platform_storage().put_file(f"holdings/{DEMO_FOLDER}/{path.name}", path)
    return written


def _fields_geojson() -> dict[str, object]:
    def square(west: float, south: float, size: float) -> list[list[list[float]]]:
        return [
            [
                [west, south],
                [west + size, south],
                [west + size, south + size],
                [west, south + size],
                [west, south],
            ]
        ]

    return {
        "type": "FeatureCollection",
        "features": [
            {
                "type": "Feature",
                "properties": {"name": "north field"},
                "geometry": {"type": "Polygon", "coordinates": square(4.85, 52.38, 0.02)},
            },
            {
                "type": "Feature",
                "properties": {"name": "south field"},
                "geometry": {"type": "Polygon", "coordinates": square(4.88, 52.32, 0.03)},
            },
        ],
    }


DEMO_PACKAGES = Path(__file__).parent / "demo_packages"


def demo_applications_deploy(*, developer: User, administrator: User) -> list[LoadOutcome]:
    """The demo developer's applications: published, except the container one, which waits
    in the review queue (it needs a cluster to run)."""
    outcomes = packages_load(DEMO_PACKAGES, owner=developer)
    for outcome in outcomes:
        process = Process.objects.filter(identifier=outcome.identifier).first()
        if process is None or process.state == ProcessState.PUBLISHED:
            continue
        if process.state != ProcessState.SUBMITTED:
            process_submit(user=developer, process=process)
        if process.execution_unit_type != ExecutionUnitType.DOCKER:
            process_publish(user=administrator, process=process)
    return outcomes
