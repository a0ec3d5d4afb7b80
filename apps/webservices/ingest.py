"""Reading source files: vector features through GDAL/OGR, raster grids and styles through rasterio.

Everything here takes a local path (`files.local_file` provides one on any storage backend)
and knows nothing of services or the database.
"""

import json
from collections.abc import Iterator
from ctypes import c_int, c_void_p
from dataclasses import dataclass
from datetime import date, datetime, time
from pathlib import Path
from typing import Any

import numpy as np
import rasterio
from django.contrib.gis.gdal import DataSource, GDALException, OGRGeometry, SpatialReference
from django.contrib.gis.gdal.field import Field
from django.contrib.gis.gdal.libgdal import lgdal
from django.contrib.gis.geos import GEOSGeometry, Polygon
from rasterio.enums import ColorInterp
from rasterio.errors import RasterioError
from rasterio.warp import transform_bounds
from rio_tiler.io import Reader

from apps.ogc.errors import ApplicationError

GEOJSON = "application/geo+json"
GEOPACKAGE = "application/geopackage+sqlite3"
GEOTIFF = "image/tiff; application=geotiff"
MEDIA_TYPES = {
    ".geojson": GEOJSON,
    ".json": GEOJSON,
    ".gpkg": GEOPACKAGE,
    ".tif": GEOTIFF,
    ".tiff": GEOTIFF,
}
VECTOR_TYPES = {GEOJSON, GEOPACKAGE}
RASTER_TYPES = {GEOTIFF}
# OGR field subtypes (ogr_core.h) that Django's Field does not tell apart from int and str.
OFST_BOOLEAN = 1
OFST_JSON = 4
_field_subtype = lgdal.OGR_Fld_GetSubType
_field_subtype.argtypes = [c_void_p]
_field_subtype.restype = c_int
# Single-band data inside this range reads as an index such as NDVI: a diverging colormap.
INDEX_RANGE = (-1.0, 1.0)


class UnreadableFileError(ApplicationError):
    """A source file GDAL cannot read as the kind of data its name promises."""


def media_type_of(key: str) -> str | None:
    """The media type the service layer accepts for a storage key, or None."""
    return MEDIA_TYPES.get(Path(key).suffix.lower())


@dataclass(frozen=True)
class VectorFeature:
    geometry: GEOSGeometry | None
    properties: dict[str, Any]


# --- vector data ---------------------------------------------------------------------------


def _as_geos(geometry: OGRGeometry) -> GEOSGeometry:
    """Flat (2D), in WGS 84 longitude/latitude, and valid, as the features table holds it."""
    if geometry.srs is not None and geometry.srs.srid != 4326:
        geometry.transform(4326)
    geometry.set_3d(False)
    result = geometry.geos
    result.srid = 4326
    if not result.valid:
        result = result.make_valid()  # type: ignore[attr-defined]
    return result


def _json_value(value: Any) -> Any:
    if isinstance(value, datetime | date | time):
        return value.isoformat()
    return value


def _field_value(field: Field) -> Any:
    subtype = _field_subtype(field.ptr)
    value = field.value
    if value is None:
        return None
    if subtype == OFST_BOOLEAN:
        return bool(value)
    if subtype == OFST_JSON and isinstance(value, str):
        try:
            return json.loads(value)
        except ValueError:
            return value
    return _json_value(value)


def _ogr_features(path: Path) -> Iterator[VectorFeature]:
    try:
        source = DataSource(str(path))
    except GDALException as error:
        raise UnreadableFileError(f"{path.name} is not a vector file GDAL can read.") from error
    for layer in source:  # type: ignore[attr-defined]
        for feature in layer:
            try:
                ogr_geometry = feature.geom
            except GDALException:
                ogr_geometry = None
            geometry = _as_geos(ogr_geometry) if ogr_geometry is not None else None
            properties = {name: _field_value(feature[name]) for name in feature.fields}
            yield VectorFeature(geometry, properties)


def _geojson_features(path: Path) -> Iterator[VectorFeature]:
    """GeoJSON read as JSON, so properties keep their types (booleans, lists, objects)."""
    try:
        document = json.loads(path.read_bytes())
    except ValueError as error:
        raise UnreadableFileError(f"{path.name} is not JSON.") from error
    if not isinstance(document, dict):
        raise UnreadableFileError(f"{path.name} is not a GeoJSON object.")
    if document.get("type") == "Feature":
        features = [document]
    elif document.get("type") == "FeatureCollection":
        features = document.get("features") or []
    else:
        raise UnreadableFileError(f"{path.name} holds no GeoJSON Feature or FeatureCollection.")
    for feature in features:
        if not isinstance(feature, dict):
            raise UnreadableFileError(f"{path.name} has a feature that is not an object.")
        yield VectorFeature(_geojson_geometry(path, feature.get("geometry")), _properties(feature))


def _geojson_geometry(path: Path, geometry: Any) -> GEOSGeometry | None:
    if geometry is None:
        return None
    try:
        return _as_geos(OGRGeometry(json.dumps(geometry), srs=SpatialReference(4326)))
    except (GDALException, ValueError, TypeError) as error:
        raise UnreadableFileError(f"{path.name} has an invalid GeoJSON geometry.") from error


def _properties(feature: dict[str, Any]) -> dict[str, Any]:
    properties = feature.get("properties")
    return properties if isinstance(properties, dict) else {}


def vector_features(path: Path, media_type: str) -> Iterator[VectorFeature]:
    """Every feature of every layer of the file, in file order."""
    if media_type == GEOJSON:
        return _geojson_features(path)
    return _ogr_features(path)


# --- raster data ---------------------------------------------------------------------------


def raster_grid(path: Path) -> tuple[dict[str, Any], Polygon]:
    """The raster's grid description and its footprint in WGS 84."""
    try:
        with rasterio.open(path) as dataset:
            if dataset.crs is None:
                raise UnreadableFileError(f"{path.name} has no coordinate reference system.")
            bounds = transform_bounds(dataset.crs, "EPSG:4326", *dataset.bounds, densify_pts=21)
            grid = {
                "crs": dataset.crs.to_string(),
                "bands": dataset.count,
                "width": dataset.width,
                "height": dataset.height,
                "dtype": dataset.dtypes[0],
                "descriptions": [
                    text or f"band {index}" for index, text in enumerate(dataset.descriptions, 1)
                ],
                "bounds": list(dataset.bounds),
            }
    except RasterioError as error:
        raise UnreadableFileError(f"{path.name} is not a raster GDAL can read.") from error
    footprint = Polygon.from_bbox(bounds)
    footprint.srid = 4326
    return grid, footprint


def _rgb_bands(dataset: Any) -> list[int]:
    """Red, green and blue by colour interpretation, else by band name, else the first three."""
    interpretation = list(dataset.colorinterp)
    wanted = [ColorInterp.red, ColorInterp.green, ColorInterp.blue]
    if all(colour in interpretation for colour in wanted):
        return [interpretation.index(colour) + 1 for colour in wanted]
    names = [(text or "").lower() for text in dataset.descriptions]
    by_name = []
    for colour in ("red", "green", "blue"):
        index = next((i for i, name in enumerate(names, 1) if colour in name.split()), None)
        by_name.append(index)
    if all(by_name):
        return [int(index) for index in by_name if index]
    return [1, 2, 3]


def raster_style(path: Path) -> dict[str, Any]:
    """How the raster renders: its bands, a rescale range per band, and a colormap for one band.

    The ranges come from the 2nd and 98th percentiles of the whole raster (read at most
    1024 pixels across), so every tile of a service shares one stretch and tiles join
    without seams.
    """
    with Reader(str(path)) as reader:
        dataset = reader.dataset
        bands = [1] if dataset.count < 3 else _rgb_bands(dataset)
        statistics = reader.statistics(indexes=bands, percentiles=[2, 98])
    ranges = []
    for band in statistics.values():
        low, high = float(band.percentile_2), float(band.percentile_98)
        if not np.isfinite(low) or not np.isfinite(high):
            low, high = float(band.min), float(band.max)
        ranges.append([low, high if high > low else low + 1])
    style: dict[str, Any] = {"bands": bands, "rescale": ranges}
    if len(bands) == 1:
        low, high = ranges[0]
        is_index = INDEX_RANGE[0] <= low and high <= INDEX_RANGE[1]
        style["colormap"] = "rdylgn" if is_index else "viridis"
    return style
