"""The geospatial built-ins on the real demo rasters."""

from pathlib import Path

import numpy as np
import pytest
import rasterio

from apps.processes.builtins_geo import buffer, clip_raster, ndvi, zonal_timeseries
from apps.processes.demo import demo_holdings_create
from apps.processes.registry import Workdir
from apps.processes.runners.base import ExecutionFailedError, OutputFile


@pytest.fixture(scope="module")
def holdings() -> dict[str, Path]:
    return {path.name: path for path in demo_holdings_create()}


def _ignore_progress(percent: int, message: str = "") -> None:
    return None


def test_ndvi_is_high_where_vegetation_is(holdings: dict[str, Path], tmp_path: Path) -> None:
    result = ndvi(holdings["sentinel2-l2a-demo.tif"], Workdir(tmp_path), _ignore_progress)

    output = result["ndvi"]
    assert isinstance(output, OutputFile)
    with (
        rasterio.open(output.path) as dataset,
        rasterio.open(holdings["sentinel2-l2a-demo.tif"]) as scene,
    ):
        index = dataset.read(1)
        nir = scene.read(4)
        assert (dataset.count, dataset.crs.to_epsg()) == (1, 4326)
        assert index.min() >= -1
        assert index.max() <= 1
        greenest = np.unravel_index(np.argmax(nir), nir.shape)
        barest = np.unravel_index(np.argmin(nir), nir.shape)
        assert index[greenest] > 0.5 > index[barest]


@pytest.mark.filterwarnings("ignore::rasterio.errors.NotGeoreferencedWarning")
def test_ndvi_quicklook_is_green_where_vegetation_is(
    holdings: dict[str, Path], tmp_path: Path
) -> None:
    result = ndvi(holdings["sentinel2-l2a-demo.tif"], Workdir(tmp_path), _ignore_progress)

    preview = result["preview"]
    assert isinstance(preview, OutputFile)
    assert preview.media_type == "image/png"
    assert preview.path.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    with rasterio.open(preview.path) as png, rasterio.open(result["ndvi"].path) as index_file:
        red, green, _blue = png.read()
        index = index_file.read(1)
        assert png.shape == index.shape
        greenest = np.unravel_index(np.argmax(index), index.shape)
        barest = np.unravel_index(np.argmin(index), index.shape)
        greenness = green.astype(int) - red.astype(int)
        assert greenness[greenest] > 0
        assert greenness[greenest] > greenness[barest]


def test_ndvi_names_a_missing_band(holdings: dict[str, Path], tmp_path: Path) -> None:
    with pytest.raises(ExecutionFailedError, match="near-infrared band 9 does not exist"):
        ndvi(holdings["sentinel2-l2a-demo.tif"], Workdir(tmp_path), _ignore_progress, nir_band=9)


def test_clip_keeps_the_box(holdings: dict[str, Path], tmp_path: Path) -> None:
    result = clip_raster(
        holdings["sentinel2-l2a-demo.tif"], {"bbox": [4.85, 52.35, 4.90, 52.40]}, Workdir(tmp_path)
    )
    with rasterio.open(result["clipped"].path) as dataset:
        assert (dataset.width, dataset.height, dataset.count) == (20, 20, 4)
        assert dataset.bounds.left == pytest.approx(4.85)
        assert dataset.bounds.top == pytest.approx(52.40)


def test_clip_outside_fails(holdings: dict[str, Path], tmp_path: Path) -> None:
    with pytest.raises(ExecutionFailedError, match="does not overlap"):
        clip_raster(
            holdings["sentinel2-l2a-demo.tif"], {"bbox": [10, 10, 11, 11]}, Workdir(tmp_path)
        )


def test_buffer_grows_features_by_metres() -> None:
    point = {
        "type": "Feature",
        "properties": {"name": "well"},
        "geometry": {"type": "Point", "coordinates": [4.9, 52.37]},
    }
    result = buffer({"type": "FeatureCollection", "features": [point]}, 100.0)
    (feature,) = result["buffered"]["features"]
    ring = np.array(feature["geometry"]["coordinates"][0])
    assert feature["properties"] == {"name": "well"}
    assert feature["geometry"]["type"] == "Polygon"
    # 100 m in Web Mercator at 52.37°N is about 0.0009° of longitude across the radius
    assert ring[:, 0].max() - 4.9 == pytest.approx(100 / 111_320 * 1.0, rel=0.05)


def test_zonal_timeseries_follows_the_season(holdings: dict[str, Path]) -> None:
    field = {
        "type": "Polygon",
        "coordinates": [
            [[4.85, 52.38], [4.87, 52.38], [4.87, 52.40], [4.85, 52.40], [4.85, 52.38]]
        ],
    }
    result = zonal_timeseries(holdings["ndvi-timeseries-2025.tif"], field, _ignore_progress)

    series = result["series"]
    assert [entry["date"] for entry in series] == [f"2025-{m:02d}-15" for m in range(1, 13)]
    means = [entry["mean"] for entry in series]
    assert max(means) == means[6]  # July is the peak of the demo season
    assert all(entry["pixels"] == 64 for entry in series)
