"""Map images of raster services with rio-tiler: XYZ tiles (WebMercatorQuad) and previews.

Every image of a service uses the service's style (bands, rescale ranges, colormap; see
`ingest.raster_style`), so tiles join without seams. Several rasters are mosaicked, the
first one added winning where they overlap.
"""

from collections.abc import Sequence
from pathlib import Path
from typing import Any

import morecantile
from rasterio.crs import CRS
from rio_tiler.colormap import cmap
from rio_tiler.errors import EmptyMosaicError, TileOutsideBounds
from rio_tiler.io import Reader
from rio_tiler.models import ImageData
from rio_tiler.mosaic import mosaic_reader

WEB_MERCATOR = morecantile.tms.get("WebMercatorQuad")
TILE_MATRIX_SET = "WebMercatorQuad"
MAX_ZOOM = 24
WGS84 = CRS.from_epsg(4326)
BBox = tuple[float, float, float, float]


class NoDataError(Exception):
    """The requested area holds no pixel of the service's rasters."""


def tile_exists(z: int, x: int, y: int) -> bool:
    """Whether z/x/y names a tile of WebMercatorQuad at all (data or not)."""
    return 0 <= z <= MAX_ZOOM and 0 <= x < 2**z and 0 <= y < 2**z


def tile_bounds(z: int, x: int, y: int) -> BBox:
    """The tile's bounds in WGS 84 longitude/latitude."""
    bounds = WEB_MERCATOR.bounds(morecantile.Tile(x=x, y=y, z=z))
    return (bounds.left, bounds.bottom, bounds.right, bounds.top)


def _read_tile(path: Path, x: int, y: int, z: int, *, bands: list[int]) -> ImageData:
    with Reader(str(path), tms=WEB_MERCATOR) as reader:
        return reader.tile(x, y, z, indexes=bands)


def _read_part(path: Path, bbox: BBox, *, bands: list[int], width: int, height: int) -> ImageData:
    with Reader(str(path)) as reader:
        return reader.part(
            bbox, dst_crs=WGS84, bounds_crs=WGS84, indexes=bands, width=width, height=height
        )


def _png(image: ImageData, style: dict[str, Any]) -> bytes:
    image.rescale(in_range=[tuple(band_range) for band_range in style["rescale"]])
    colormap = style.get("colormap")
    if colormap:
        return image.render(img_format="PNG", colormap=cmap.get(colormap))
    return image.render(img_format="PNG")


def _mosaic(paths: Sequence[Path], read: Any, *args: Any, **kwargs: Any) -> ImageData:
    try:
        image, _used = mosaic_reader(list(paths), read, *args, threads=1, **kwargs)
    except (EmptyMosaicError, TileOutsideBounds) as error:
        raise NoDataError(str(error)) from error
    return image


def tile_png(paths: Sequence[Path], style: dict[str, Any], *, z: int, x: int, y: int) -> bytes:
    """A 256 x 256 PNG tile, transparent where there is no data; NoDataError if it is all empty."""
    image = _mosaic(paths, _read_tile, x, y, z, bands=style["bands"])
    return _png(image, style)


def preview_png(
    paths: Sequence[Path], style: dict[str, Any], *, bbox: BBox, width: int, height: int
) -> bytes:
    """The rasters over `bbox` (WGS 84) as one PNG of width x height pixels."""
    image = _mosaic(paths, _read_part, bbox, bands=style["bands"], width=width, height=height)
    return _png(image, style)
