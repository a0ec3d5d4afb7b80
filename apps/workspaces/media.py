"""The media type of a workspace file, from its name."""

import mimetypes

GEOTIFF = "image/tiff; application=geotiff"
MEDIA_TYPES = {
    ".tif": GEOTIFF,
    ".tiff": GEOTIFF,
    ".geojson": "application/geo+json",
    ".gpkg": "application/geopackage+sqlite3",
    ".json": "application/json",
    ".cwl": "application/cwl",
    ".yaml": "application/yaml",
    ".yml": "application/yaml",
    ".nc": "application/x-netcdf",
    ".jp2": "image/jp2",
    ".kml": "application/vnd.google-earth.kml+xml",
    ".shp": "application/x-esri-shape",
}
DEFAULT = "application/octet-stream"


def media_type_of(name: str) -> str:
    suffix = name.rpartition(".")[2].lower() if "." in name else ""
    known = MEDIA_TYPES.get(f".{suffix}")
    if known:
        return known
    guessed, _encoding = mimetypes.guess_type(name, strict=False)
    return guessed or DEFAULT
