"""The area an execute request works on: the union of its bounding-box and GeoJSON inputs."""

import json
from collections.abc import Iterator
from typing import Any

from django.contrib.gis.geos import GEOSException, GEOSGeometry, Polygon

CRS84 = "http://www.opengis.net/def/crs/OGC/1.3/CRS84"
GEOMETRY_TYPES = {
    "Point",
    "MultiPoint",
    "LineString",
    "MultiLineString",
    "Polygon",
    "MultiPolygon",
    "GeometryCollection",
}


def _bbox_polygon(value: dict[str, Any]) -> GEOSGeometry | None:
    box = value.get("bbox")
    if not isinstance(box, list) or len(box) not in (4, 6):
        return None
    if value.get("crs", CRS84) not in (CRS84, "EPSG:4326"):
        return None
    west, south, east, north = (
        (box[0], box[1], box[2], box[3]) if len(box) == 4 else (box[0], box[1], box[3], box[4])
    )
    polygon = Polygon.from_bbox((west, south, east, north))
    polygon.srid = 4326
    return polygon


def _geometries(value: Any) -> Iterator[GEOSGeometry]:
    if isinstance(value, list):
        for item in value:
            yield from _geometries(item)
        return
    if not isinstance(value, dict):
        return
    kind = value.get("type")
    if kind in GEOMETRY_TYPES:
        try:
            yield GEOSGeometry(json.dumps(value), srid=4326)
        except (GEOSException, ValueError):
            return
    elif kind == "Feature":
        yield from _geometries(value.get("geometry"))
    elif kind == "FeatureCollection":
        yield from _geometries(value.get("features"))
    elif "bbox" in value and "href" not in value:
        polygon = _bbox_polygon(value)
        if polygon is not None:
            yield polygon
    elif "value" in value:
        yield from _geometries(value["value"])


def footprint_of_inputs(inputs: dict[str, Any]) -> GEOSGeometry | None:
    """The union of every area in the inputs (WGS 84), or None when there is none."""
    footprint: GEOSGeometry | None = None
    for geometry in _geometries(list(inputs.values())):
        footprint = geometry if footprint is None else footprint.union(geometry)
    return footprint
