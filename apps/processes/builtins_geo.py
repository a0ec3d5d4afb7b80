"""Built-in geospatial processes: NDVI, raster clipping, buffering and zonal time series."""

import warnings
from pathlib import Path
from typing import Annotated, Any

import numpy as np
import rasterio
from rasterio.errors import NotGeoreferencedWarning, WindowError
from rasterio.mask import mask as mask_raster
from rasterio.warp import transform_geom
from rasterio.windows import Window, from_bounds
from shapely.geometry import mapping, shape

from apps.processes.registry import Input, Output, ProgressReporter, Workdir, builtin_process
from apps.processes.runners.base import ExecutionFailedError, OutputFile

GEOTIFF = "image/tiff; application=geotiff"
GEOJSON = "application/geo+json"
PNG = "image/png"
RASTER_INPUT = Input(schema={"contentMediaType": GEOTIFF}, client_hints={"htmlInputType": "file"})
BBOX_SCHEMA = {
    "type": "object",
    "required": ["bbox"],
    "properties": {
        "bbox": {"type": "array", "minItems": 4, "maxItems": 4, "items": {"type": "number"}},
        "crs": {"type": "string", "default": "http://www.opengis.net/def/crs/OGC/1.3/CRS84"},
    },
    "format": "ogc-bbox",
}
GEOMETRY_SCHEMA = {
    "type": "object",
    "required": ["type", "coordinates"],
    "properties": {"type": {"enum": ["Polygon", "MultiPolygon"]}},
    "contentMediaType": "application/geo+json",
}
FEATURES_SCHEMA = {
    "type": "object",
    "required": ["type", "features"],
    "properties": {"type": {"const": "FeatureCollection"}, "features": {"type": "array"}},
}


def _band(dataset: Any, index: int, name: str) -> np.ndarray:
    if not 1 <= index <= dataset.count:
        raise ExecutionFailedError(
            f"The {name} band {index} does not exist; the image has {dataset.count} band(s)."
        )
    return dataset.read(index).astype("float32")


@builtin_process(
    id="ndvi",
    title="NDVI",
    keywords=("vegetation", "NDVI", "raster"),
    outputs={
        "ndvi": Output(schema={"type": "string", "contentMediaType": GEOTIFF}),
        "preview": Output(
            title="Quicklook",
            description="The NDVI coloured from bare (brown) to dense vegetation (green).",
            schema={"type": "string", "contentMediaType": PNG},
        ),
    },
)
def ndvi(
    image: Annotated[Path, RASTER_INPUT],
    workdir: Workdir,
    progress: ProgressReporter,
    red_band: Annotated[int, Input(schema={"minimum": 1})] = 3,
    nir_band: Annotated[int, Input(schema={"minimum": 1})] = 4,
) -> dict[str, Any]:
    """Normalised difference vegetation index.

    Computes (NIR - red) / (NIR + red) for every pixel of a multi-band GeoTIFF and writes
    it as a single-band float GeoTIFF, with a coloured PNG quicklook.

    Args:
        image: A GeoTIFF with red and near-infrared bands.
        red_band: The band number of the red band.
        nir_band: The band number of the near-infrared band.
    """
    with rasterio.open(image) as source:
        progress(10, "reading bands")
        red = _band(source, red_band, "red")
        nir = _band(source, nir_band, "near-infrared")
        profile = source.profile
    total = nir + red
    index = np.where(total == 0, 0, (nir - red) / np.where(total == 0, 1, total))
    progress(70, "writing NDVI")
    target = workdir / "ndvi.tif"
    profile.update(count=1, dtype="float32", nodata=None, compress="deflate")
    with rasterio.open(target, "w", **profile) as destination:
        destination.write(index.astype("float32"), 1)
    progress(90, "drawing the quicklook")
    preview = workdir / "ndvi.png"
    _write_ndvi_quicklook(index, preview)
    return {"ndvi": OutputFile(target, GEOTIFF), "preview": OutputFile(preview, PNG)}


# NDVI -1 → 1 mapped through brown, yellow and green.
NDVI_RAMP = np.array([[140, 81, 10], [246, 232, 195], [199, 234, 229], [90, 174, 97], [0, 104, 55]])


def _write_ndvi_quicklook(index: np.ndarray, target: Path) -> None:
    positions = np.clip((index + 1) / 2, 0, 1) * (len(NDVI_RAMP) - 1)
    lower = np.floor(positions).astype(int).clip(0, len(NDVI_RAMP) - 2)
    fraction = (positions - lower)[..., None]
    colours = NDVI_RAMP[lower] * (1 - fraction) + NDVI_RAMP[lower + 1] * fraction
    bands = np.moveaxis(colours.round().astype("uint8"), -1, 0)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", NotGeoreferencedWarning)
        with rasterio.open(
            target,
            "w",
            driver="PNG",
            width=bands.shape[2],
            height=bands.shape[1],
            count=3,
            dtype="uint8",
        ) as destination:
            destination.write(bands)


@builtin_process(
    id="clip-raster",
    title="Clip a raster",
    keywords=("raster", "clip"),
    outputs={"clipped": Output(schema={"type": "string", "contentMediaType": GEOTIFF})},
)
def clip_raster(
    image: Annotated[Path, RASTER_INPUT],
    bbox: Annotated[dict[str, Any], Input(schema=BBOX_SCHEMA)],
    workdir: Workdir,
) -> dict[str, Any]:
    """Clip a raster to a bounding box.

    Args:
        image: The GeoTIFF to clip.
        bbox: The box to keep, in the raster's coordinates (west, south, east, north).
    """
    west, south, east, north = bbox["bbox"]
    with rasterio.open(image) as source:
        requested = from_bounds(west, south, east, north, source.transform)
        try:
            window = (
                requested.round_offsets()
                .round_lengths()
                .intersection(Window(0, 0, source.width, source.height))
            )
        except WindowError as error:
            raise ExecutionFailedError("The bounding box does not overlap the raster.") from error
        data = source.read(window=window)
        profile = source.profile
        profile.update(
            width=int(window.width),
            height=int(window.height),
            transform=source.window_transform(window),
        )
    target = workdir / "clipped.tif"
    with rasterio.open(target, "w", **profile) as destination:
        destination.write(data)
    return {"clipped": OutputFile(target, GEOTIFF)}


@builtin_process(
    id="buffer",
    title="Buffer features",
    keywords=("vector", "buffer"),
    outputs={"buffered": Output(schema={**FEATURES_SCHEMA, "contentMediaType": GEOJSON})},
)
def buffer(
    features: Annotated[
        dict[str, Any], Input(schema=FEATURES_SCHEMA, client_hints={"htmlInputType": "textarea"})
    ],
    distance: Annotated[float, Input(description="In metres.", schema={"minimum": 0})],
) -> dict[str, Any]:
    """Buffer GeoJSON features by a distance in metres.

    Args:
        features: A GeoJSON FeatureCollection in WGS 84.
        distance: How far around each feature, in metres.
    """
    buffered = []
    for feature in features["features"]:
        projected = transform_geom("EPSG:4326", "EPSG:3857", feature["geometry"])
        grown = mapping(shape(projected).buffer(distance))
        geometry = transform_geom("EPSG:3857", "EPSG:4326", grown)
        buffered.append(
            {"type": "Feature", "properties": feature.get("properties") or {}, "geometry": geometry}
        )
    return {"buffered": {"type": "FeatureCollection", "features": buffered}}


@builtin_process(
    id="zonal-timeseries",
    title="Zonal time series",
    keywords=("raster", "time series", "statistics"),
    outputs={"series": Output(schema={"type": "array", "items": {"type": "object"}})},
)
def zonal_timeseries(
    image: Annotated[Path, RASTER_INPUT],
    polygon: Annotated[dict[str, Any], Input(schema=GEOMETRY_SCHEMA)],
    progress: ProgressReporter,
) -> dict[str, Any]:
    """Mean of each band of a multi-band raster inside a polygon.

    Each band is one date of a time series; the answer lists the band, its description
    (the date, when the raster names it) and the mean of the pixels inside the polygon.

    Args:
        image: A multi-band GeoTIFF, one band per date.
        polygon: The zone, a GeoJSON Polygon or MultiPolygon in WGS 84.
    """
    with rasterio.open(image) as source:
        zone = transform_geom("EPSG:4326", source.crs, polygon) if source.crs else polygon
        try:
            pixels, _ = mask_raster(source, [zone], crop=True, filled=False)
        except ValueError as error:
            raise ExecutionFailedError("The polygon does not overlap the raster.") from error
        series = []
        for band in range(source.count):
            values = pixels[band].compressed()
            mean = float(values.mean()) if values.size else None
            series.append(
                {
                    "band": band + 1,
                    "date": source.descriptions[band] or None,
                    "mean": mean,
                    "pixels": int(values.size),
                }
            )
            progress(round(100 * (band + 1) / source.count), f"band {band + 1} of {source.count}")
    return {"series": series}
