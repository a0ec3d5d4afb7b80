"""Files to publish: the demo holdings, and files written into users' workspaces."""

import json
import shutil
import subprocess
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import numpy as np
import pytest
import rasterio
from django.conf import settings
from rasterio.transform import from_origin
from rest_framework.test import APIClient

from apps.accounts.models import User
from apps.processes.demo import demo_holdings_create

FIELDS = "holdings/demo/fields.geojson"
SCENE = "holdings/demo/sentinel2-l2a-demo.tif"
# The demo scene covers 4.80-4.96 E, 52.29-52.45 N: tile z=12, x=2103, y=1346 lies inside it.
INSIDE_TILE = (12, 2103, 1346)


def storage_path(key: str) -> Path:
    return Path(settings.STORAGE_ROOT) / key


@pytest.fixture(autouse=True)
def storage_root(settings: Any, tmp_path: Path) -> Path:
    """Each test has storage of its own, with the demo holdings in it."""
    settings.STORAGE_ROOT = tmp_path / "storage"
    settings.STORAGE_BACKEND = "filesystem"
    demo_holdings_create()
    return Path(settings.STORAGE_ROOT)


@pytest.fixture(scope="session")
def _one_client() -> APIClient:
    return APIClient()


@pytest.fixture
def api_client(_one_client: APIClient) -> Iterator[APIClient]:
    """One client for the whole session, signed out between tests.

    A new client loads the middleware again on its first request, and the static files
    middleware takes seconds to index the front-end packages.
    """
    _one_client.force_authenticate(None)
    _one_client.cookies.clear()
    _one_client.handler.enforce_csrf_checks = False
    yield _one_client
    _one_client.force_authenticate(None)
    _one_client.cookies.clear()
    _one_client.handler.enforce_csrf_checks = False


@pytest.fixture
def bob(make_user: Callable[..., User]) -> User:
    return make_user("bob", first_name="Bob", last_name="Builder")


@pytest.fixture
def carol(make_user: Callable[..., User]) -> User:
    return make_user("carol")


@pytest.fixture
def workspace_files(storage_root: Path) -> Callable[[str, bytes], str]:
    """Write bytes as a storage key (the filesystem backend's layout)."""

    def write(key: str, content: bytes) -> str:
        path = storage_path(key)
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(content)
        return key

    return write


def grid_geojson(count: int, *, west: float = 4.0, south: float = 52.0) -> dict[str, Any]:
    """`count` numbered points on a 0.01-degree grid, ten to a row."""
    return {
        "type": "FeatureCollection",
        "features": [
            {
                "type": "Feature",
                "properties": {"n": index, "even": index % 2 == 0, "tags": ["a", str(index)]},
                "geometry": {
                    "type": "Point",
                    "coordinates": [west + (index % 10) * 0.01, south + (index // 10) * 0.01],
                },
            }
            for index in range(count)
        ],
    }


@pytest.fixture
def grid_key(workspace_files: Callable[[str, bytes], str], alice: User) -> str:
    """25 points of alice's, 4.00-4.09 E by 52.00-52.02 N."""
    document = json.dumps(grid_geojson(25)).encode()
    return workspace_files("users/alice/workspace/data/grid.geojson", document)


@pytest.fixture
def geopackage_key(workspace_files: Callable[[str, bytes], str], alice: User) -> str:
    """The demo fields as a GeoPackage in Web Mercator, written by ogr2ogr."""
    ogr2ogr = shutil.which("ogr2ogr")
    if ogr2ogr is None:
        pytest.skip("ogr2ogr (gdal-bin) is not installed")
    source = workspace_files(
        "users/alice/workspace/data/fields-source.geojson", storage_path(FIELDS).read_bytes()
    )
    key = "users/alice/workspace/data/fields.gpkg"
    storage_path(key).unlink(missing_ok=True)
    subprocess.run(  # noqa: S603 - fixed arguments
        [
            ogr2ogr,
            "-f",
            "GPKG",
            "-t_srs",
            "EPSG:3857",
            "-nln",
            "fields",
            str(storage_path(key)),
            str(storage_path(source)),
        ],
        check=True,
        capture_output=True,
    )
    return key


def ndvi_tiff(west: float = 4.80, north: float = 52.45, size: int = 64) -> bytes:
    """A one-band float raster of -1..1 values, like an NDVI result."""
    y, x = np.mgrid[0:size, 0:size]
    values = (np.sin(x / 6.0) * np.cos(y / 8.0)).astype("float32")
    profile = {
        "driver": "GTiff",
        "width": size,
        "height": size,
        "count": 1,
        "dtype": "float32",
        "crs": "EPSG:4326",
        "transform": from_origin(west, north, 0.0025, 0.0025),
    }
    with rasterio.MemoryFile() as memory:
        with memory.open(**profile) as dataset:
            dataset.write(values, 1)
        return bytes(memory.read())


@pytest.fixture
def ndvi_key(workspace_files: Callable[[str, bytes], str], alice: User) -> str:
    return workspace_files("users/alice/workspace/data/ndvi.tif", ndvi_tiff())
