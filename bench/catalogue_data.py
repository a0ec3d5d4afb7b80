"""Deterministic, realistic Earth-observation catalogue records and query sets for benchmarks.

    from bench.catalogue_data import generate_records, query_set
    records = generate_records(100_000, seed=1)     # an iterator of plain dicts
    queries = query_set()                           # 50 parameter sets per query kind

Every catalogue under comparison must be loaded with the same records and asked the same
questions, so both are pure functions of their seed: the same seed gives the same records on
any machine and Python version (`random.Random` is seeded explicitly, `id` is a BLAKE2 hash of
the seed and the record's index), and the first N records of a larger run are the records of a
run of N.

The records look like what an Earth-observation platform holds: mostly satellite products
(Sentinel-1/2/3, Landsat, RADARSAT Constellation, ...) with footprints of 0.1 to 10 degrees
spread over named regions of every continent and ocean, acquisition periods between 2015 and
2026, cloud cover for optical sensors only, plus collections, processes, services and
workspace files. Titles, descriptions and keywords draw on one vocabulary, so that a word of
`QUERY_WORDS` finds some records and not all of them.

Only the standard library is used, and the inner loop avoids costly calls (no `uuid`, no
`datetime`, no `strftime`): a million records take about 25 s on a slow 2-core machine.
"""

import calendar
import hashlib
import random
import time
from bisect import bisect
from collections.abc import Iterator
from itertools import accumulate
from typing import Any, NamedTuple

KINDS = ("bbox", "q", "bbox+q+type", "filter")
"""The query kinds of `query_set`, in the order benchmarks run them."""

RECORD_TYPES = ("dataset", "collection", "process", "service", "workspaceFile")
_TYPE_CUMULATIVE = list(accumulate((80, 7, 5, 4, 4)))


class Region(NamedTuple):
    name: str
    west: float
    south: float
    east: float
    north: float
    tags: frozenset[str]


def _region(name: str, box: tuple[float, float, float, float], tags: str) -> Region:
    return Region(name, *box, frozenset(tags.split()))


REGIONS = (
    _region("the Alps", (5.0, 43.5, 16.5, 48.5), "land mountain forest urban"),
    _region("the Iberian Peninsula", (-9.5, 36.0, 3.3, 43.8), "land crop dry coast urban"),
    _region("Scandinavia", (5.0, 55.0, 31.0, 71.0), "land forest cold coast mountain"),
    _region("the Po Valley", (7.0, 44.3, 12.8, 46.0), "land crop river urban"),
    _region("the Danube basin", (8.0, 42.0, 30.0, 50.0), "land crop river forest urban"),
    _region("the British Isles", (-10.5, 49.8, 1.8, 58.7), "land coast crop urban river"),
    _region("the Baltic Sea", (9.0, 53.0, 30.0, 66.0), "sea coast cold"),
    _region("the Mediterranean Sea", (-5.0, 30.0, 36.0, 46.0), "sea coast"),
    _region("the North Sea", (-4.0, 51.0, 9.0, 61.0), "sea coast"),
    _region("the Black Sea", (27.0, 40.5, 42.0, 47.0), "sea coast"),
    _region("the Sahel", (-17.0, 12.0, 38.0, 20.0), "land dry crop"),
    _region("the Congo Basin", (12.0, -8.0, 30.0, 5.0), "land forest river"),
    _region("the Nile Delta", (29.0, 29.5, 33.0, 31.8), "land crop river coast urban dry"),
    _region("the East African Rift", (28.0, -10.0, 42.0, 12.0), "land mountain dry crop"),
    _region("the Kalahari", (18.0, -28.0, 28.0, -18.0), "land dry"),
    _region("Madagascar", (43.0, -26.0, 51.0, -12.0), "land forest coast"),
    _region("the Arabian Peninsula", (35.0, 12.0, 60.0, 32.0), "land dry urban coast"),
    _region("the Ganges Delta", (86.0, 21.0, 92.0, 26.5), "land river crop coast urban"),
    _region("the Himalaya", (72.0, 26.0, 97.0, 36.0), "land mountain cold"),
    _region("Siberia", (60.0, 50.0, 140.0, 72.0), "land forest cold river"),
    _region("Borneo", (108.0, -4.5, 119.5, 7.5), "land forest coast"),
    _region("the Yangtze basin", (90.0, 24.0, 122.0, 35.0), "land river crop urban mountain"),
    _region("Japan", (129.0, 30.0, 146.0, 46.0), "land mountain coast urban"),
    _region("the Mekong Delta", (104.0, 8.5, 107.0, 11.5), "land river crop coast"),
    _region("the Amazon basin", (-75.0, -15.0, -45.0, 5.0), "land forest river"),
    _region("the Andes", (-78.0, -40.0, -64.0, 5.0), "land mountain cold dry"),
    _region("Patagonia", (-75.0, -55.0, -63.0, -38.0), "land mountain cold dry coast"),
    _region("the Canadian Arctic", (-125.0, 60.0, -60.0, 80.0), "land polar cold sea"),
    _region("Hudson Bay", (-95.0, 51.0, -76.0, 65.0), "sea polar cold coast"),
    _region("the Great Plains", (-105.0, 30.0, -90.0, 49.0), "land crop dry"),
    _region("California", (-124.5, 32.5, -114.0, 42.0), "land dry crop urban coast mountain"),
    _region("the Gulf of Mexico", (-98.0, 18.0, -80.0, 30.0), "sea coast"),
    _region("the Caribbean", (-85.0, 10.0, -60.0, 25.0), "sea coast"),
    _region("Alaska", (-168.0, 54.0, -130.0, 71.0), "land polar cold mountain forest"),
    _region("Greenland", (-73.0, 59.0, -12.0, 83.0), "land polar cold"),
    _region("Svalbard", (10.0, 76.0, 34.0, 81.0), "land polar cold sea"),
    _region("the Great Barrier Reef", (142.0, -25.0, 154.0, -10.0), "sea coast"),
    _region("the Murray-Darling basin", (138.0, -38.0, 152.0, -24.0), "land crop dry river"),
    _region("New Zealand", (166.0, -47.5, 179.0, -34.0), "land mountain coast cold"),
    _region("the Antarctic Peninsula", (-75.0, -75.0, -55.0, -60.0), "land polar cold sea"),
    _region("the North Atlantic", (-60.0, 20.0, -10.0, 60.0), "sea"),
    _region("the South Pacific", (-150.0, -50.0, -80.0, -10.0), "sea"),
    _region("the Indian Ocean", (50.0, -40.0, 100.0, 10.0), "sea"),
)


class Platform(NamedTuple):
    name: str
    instrument: str
    radar: bool
    formats: tuple[str, ...]
    id_prefix: str
    processors: tuple[str, ...]


_SAR_CHAINS = ("SNAP", "GAMMA", "ISCE")
_S2_CHAINS = ("Sen2Cor", "FORCE", "openEO")
_S3_CHAINS = ("SNAP", "openEO")
_LANDSAT_CHAINS = ("LaSRC", "FORCE")
PLATFORMS = (
    Platform("Sentinel-1A", "C-SAR", True, ("SAFE", "COG"), "S1A_IW_GRDH_1SDV", _SAR_CHAINS),
    Platform("Sentinel-1B", "C-SAR", True, ("SAFE", "GeoTIFF"), "S1B_IW_GRDH_1SDV", _SAR_CHAINS),
    Platform("Sentinel-1C", "C-SAR", True, ("SAFE", "COG"), "S1C_IW_SLC__1SDV", _SAR_CHAINS),
    Platform("RCM-1", "SAR", True, ("GeoTIFF", "NetCDF"), "RCM1_OK_SC30MCPB", _SAR_CHAINS),
    Platform("RCM-2", "SAR", True, ("GeoTIFF", "NetCDF"), "RCM2_OK_SC50MCPB", _SAR_CHAINS),
    Platform("RCM-3", "SAR", True, ("GeoTIFF",), "RCM3_OK_SC100MCPB", _SAR_CHAINS),
    Platform("RADARSAT-2", "SAR", True, ("GeoTIFF",), "RS2_OK_SGF_HH_HV", _SAR_CHAINS),
    Platform("TerraSAR-X", "SAR", True, ("GeoTIFF",), "TSX1_SAR__EEC_SE___SM_S", _SAR_CHAINS),
    Platform("Sentinel-2A", "MSI", False, ("SAFE", "COG", "JPEG2000"), "S2A_MSIL2A", _S2_CHAINS),
    Platform("Sentinel-2B", "MSI", False, ("SAFE", "COG", "JPEG2000"), "S2B_MSIL2A", _S2_CHAINS),
    Platform("Sentinel-3A", "OLCI", False, ("NetCDF", "SAFE"), "S3A_OL_2_WFR____", _S3_CHAINS),
    Platform("Sentinel-3B", "SLSTR", False, ("NetCDF", "SAFE"), "S3B_SL_2_LST____", _S3_CHAINS),
    Platform("Landsat-8", "OLI", False, ("GeoTIFF", "COG"), "LC08_L2SP", _LANDSAT_CHAINS),
    Platform("Landsat-9", "OLI-2", False, ("GeoTIFF", "COG"), "LC09_L2SP", _LANDSAT_CHAINS),
    Platform("Terra", "MODIS", False, ("HDF", "NetCDF"), "MOD09GA.A", ("MODAPS", "openEO")),
)
OPTICAL_PLATFORMS = tuple(p.name for p in PLATFORMS if not p.radar)
RADAR_PLATFORMS = tuple(p.name for p in PLATFORMS if p.radar)


class Theme(NamedTuple):
    word: str
    where: str
    radar_product: str
    optical_product: str
    related: tuple[str, ...]
    sentences: tuple[str, ...]


THEMES = (
    Theme(
        "flood",
        "river crop coast",
        "flood extent map",
        "surface water mask",
        ("water", "river", "radar", "emergency"),
        (
            "Supports rapid flood mapping and water extent monitoring along river plains.",
            "Flooded areas are separated from permanent water using a dry reference image.",
        ),
    ),
    Theme(
        "forest",
        "forest",
        "forest backscatter mosaic",
        "forest cover map",
        ("deforestation", "biomass", "vegetation", "canopy"),
        (
            "Tracks forest loss and canopy disturbance for deforestation alerts.",
            "Forest and non-forest classes are derived with a random forest classifier.",
        ),
    ),
    Theme(
        "ice",
        "polar cold",
        "sea ice chart",
        "ice surface reflectance",
        ("sea", "polar", "glacier", "ocean"),
        (
            "Sea ice concentration and ice type are charted for navigation in polar waters.",
            "Ice edges are delineated from wide-swath acquisitions twice a day.",
        ),
    ),
    Theme(
        "ocean",
        "sea",
        "ocean wind field",
        "ocean colour product",
        ("chlorophyll", "sea", "temperature", "coast"),
        (
            "Ocean colour and sea surface temperature describe upwelling and algal blooms.",
            "Daily ocean products feed fisheries, shipping and marine heatwave bulletins.",
        ),
    ),
    Theme(
        "elevation",
        "land",
        "interferometric DEM",
        "stereo DEM",
        ("dem", "terrain", "slope", "interferometry"),
        (
            "A digital elevation model (DEM) gives terrain height, slope and aspect.",
            "Elevation is derived by stereo matching or radar interferometry.",
        ),
    ),
    Theme(
        "crop",
        "crop",
        "crop backscatter time series",
        "NDVI composite",
        ("ndvi", "agriculture", "vegetation", "phenology"),
        (
            "Crop type and growth stage are monitored through the season with NDVI.",
            "Field-level agriculture statistics are aggregated from parcel boundaries.",
        ),
    ),
    Theme(
        "urban",
        "urban",
        "urban subsidence map",
        "built-up area map",
        ("subsidence", "settlement", "landcover", "infrastructure"),
        (
            "Urban growth and ground subsidence are measured over the built-up area.",
            "Impervious surfaces and settlement extent are mapped at 10 m resolution.",
        ),
    ),
    Theme(
        "snow",
        "mountain cold polar",
        "wet snow map",
        "snow cover fraction",
        ("glacier", "hydrology", "mountain", "albedo"),
        (
            "Snow cover extent and wet snow feed hydrological forecasts in mountain basins.",
            "Fractional snow cover is computed from the normalised difference snow index.",
        ),
    ),
    Theme(
        "fire",
        "dry forest",
        "burn scar coherence map",
        "burned area map",
        ("burn", "wildfire", "emergency", "vegetation"),
        (
            "Active fire detections and burned area support wildfire emergency response.",
            "Burn severity is derived from the change in normalised burn ratio.",
        ),
    ),
    Theme(
        "coast",
        "coast",
        "shoreline change map",
        "coastal bathymetry",
        ("shoreline", "erosion", "sea", "water"),
        (
            "Shoreline position and coastal erosion are tracked over decades.",
            "Coastal zones are monitored for erosion, sediment transport and sea level rise.",
        ),
    ),
    Theme(
        "drought",
        "dry crop",
        "soil moisture index",
        "vegetation condition index",
        ("soil", "moisture", "ndvi", "temperature"),
        (
            "Drought indicators combine soil moisture and vegetation anomalies.",
            "Water stress is estimated from land surface temperature and NDVI anomalies.",
        ),
    ),
    Theme(
        "landslide",
        "mountain",
        "ground displacement map",
        "landslide inventory",
        ("interferometry", "terrain", "subsidence", "emergency"),
        (
            "Slow-moving landslides are detected with persistent scatterer interferometry.",
            "Landslide scars are mapped after heavy rainfall and earthquakes.",
        ),
    ),
)
THEME_WORDS = tuple(theme.word for theme in THEMES)
_THEME_REGIONS = {
    theme.word: tuple(r for r in REGIONS if r.tags & frozenset(theme.where.split()))
    for theme in THEMES
}

VOCABULARY = tuple(
    sorted(
        {
            "sentinel",
            "radar",
            "optical",
            "sar",
            "multispectral",
            "ndvi",
            "dem",
            *THEME_WORDS,
            *(word for theme in THEMES for word in theme.related),
        }
    )
)
"""Every word that keywords are drawn from."""

QUERY_WORDS = (
    "sentinel",
    "radar",
    "optical",
    "ndvi",
    "flood",
    "forest",
    "ice",
    "ocean",
    "dem",
    "elevation",
    "crop",
    "urban",
    "snow",
    "fire",
    "coast",
    "glacier",
    "drought",
    "landslide",
    "water",
    "vegetation",
)
"""The words `query_set` searches for: common enough to match, none matching everything."""

PROCESS_NAMES = (
    "change detection",
    "classification",
    "time series analysis",
    "mosaicking",
    "index computation",
)
SERVICE_NAMES = ("OGC API - Features", "OGC API - Maps", "WMS", "WMTS", "OGC API - Coverages")
WORKSPACE_FORMATS = ("GeoTIFF", "COG", "Zarr", "GeoPackage", "CSV")
LICENSES = ("CC-BY-4.0", "CC-BY-SA-4.0", "CC0-1.0", "CC-BY-NC-4.0", "ODbL-1.0", "proprietary")
_LICENSE_CUMULATIVE = list(accumulate((45, 15, 15, 8, 7, 10)))

_START = 1420070400  # 2015-01-01T00:00:00Z
_LATEST_START = 1767225600  # 2026-01-01T00:00:00Z
_NOW = 1782864000  # 2026-07-01T00:00:00Z, the latest `end` and `updated`
_DAY = 86400

_IN_ORBIT = {
    "Sentinel-1A": (2014, 2026),
    "Sentinel-1B": (2016, 2021),
    "Sentinel-1C": (2025, 2026),
    "RCM-1": (2019, 2026),
    "RCM-2": (2019, 2026),
    "RCM-3": (2019, 2026),
    "Sentinel-2A": (2015, 2026),
    "Sentinel-2B": (2017, 2026),
    "Sentinel-3A": (2016, 2026),
    "Sentinel-3B": (2018, 2026),
    "Landsat-9": (2022, 2026),
}
"""First and last year of acquisitions, where the platform flew for less than 2015-2026."""


def _acquisition_window(platform: str) -> tuple[int, int]:
    """The earliest and latest start, in seconds, of an acquisition by `platform`."""
    first, last = _IN_ORBIT.get(platform, (2015, 2026))
    earliest = calendar.timegm((first, 1, 1, 0, 0, 0))
    latest = calendar.timegm((last + 1, 1, 1, 0, 0, 0)) - _DAY
    return max(_START, earliest), min(_LATEST_START, latest)


_WINDOWS = {platform.name: _acquisition_window(platform.name) for platform in PLATFORMS}


_VARIANTS = {digit: "89ab"[int(digit, 16) & 3] for digit in "0123456789abcdef"}


def record_id(seed: int, index: int) -> str:
    """A version-4-shaped UUID URN that depends on the seed and the index only."""
    text = hashlib.blake2b(b"%d:%d" % (seed, index), digest_size=16).hexdigest()
    return (
        f"urn:uuid:{text[:8]}-{text[8:12]}-4{text[13:16]}-"
        f"{_VARIANTS[text[16]]}{text[17:20]}-{text[20:]}"
    )


class _Clock:
    """ISO 8601 texts from table look-ups: `time.strftime` would be a third of the run time."""

    def __init__(self) -> None:
        days = range(_START // _DAY, _NOW // _DAY + 1)
        self.first_day = days[0]
        self.dates = [time.strftime("%Y-%m-%d", time.gmtime(day * _DAY)) for day in days]
        self.times = [
            f"{hour:02d}:{minute:02d}:{second:02d}"
            for hour in range(24)
            for minute in range(60)
            for second in range(60)
        ]

    def iso(self, seconds: float) -> str:
        whole = int(seconds)
        day, second = divmod(whole, _DAY)
        return f"{self.dates[day - self.first_day]}T{self.times[second]}Z"


def _footprint(rng: random.Random, region: Region, smallest: float, largest: float) -> list[float]:
    """A box inside the world, centred in `region`, log-uniformly sized between the bounds.

    Coordinates are rounded to 4 decimals (about 10 m) with `round(x * 1e4) / 1e4`: twice as
    fast as `round(x, 4)`, and as short once written as JSON or WKT.
    """
    random_ = rng.random
    west, south, east, north = region[1:5]
    half_width = smallest * (largest / smallest) ** random_() / 2
    half_height = min(largest / 2, half_width * (0.6 + 0.8 * random_()))
    centre_x = west + (east - west) * random_()
    centre_y = south + (north - south) * random_()
    return [
        round(max(-180.0, centre_x - half_width) * 1e4) / 1e4,
        round(max(-90.0, centre_y - half_height) * 1e4) / 1e4,
        round(min(180.0, centre_x + half_width) * 1e4) / 1e4,
        round(min(90.0, centre_y + half_height) * 1e4) / 1e4,
    ]


_FOOTPRINT_DEGREES = {
    "dataset": (0.3, 4.0),
    "collection": (2.0, 10.0),
    "process": (1.0, 10.0),
    "service": (1.0, 10.0),
    "workspaceFile": (0.1, 1.0),
}


def _period(rng: random.Random, kind: str, platform: Platform) -> tuple[float, float]:
    """Start and end seconds: minutes-long scenes, composites of weeks, collections of years.

    Starts fall while the platform was in orbit.
    """
    earliest, latest = _WINDOWS[platform.name]
    start = earliest + (latest - earliest) * rng.random()
    if kind == "dataset":
        duration = 5 + 600 * rng.random() if rng.random() < 0.7 else _DAY * (1 + 89 * rng.random())
    elif kind == "collection":
        duration = _DAY * (180 + 2700 * rng.random())
    else:
        duration = _DAY * 730 * rng.random()
    return start, min(start + duration, _NOW)


def _keywords(rng: random.Random, theme: Theme, platform: Platform) -> list[str]:
    """2 to 5 distinct words: the theme, a sensor word, then related or other vocabulary."""
    words = [theme.word, "radar" if platform.radar else "optical"]
    if platform.name.startswith("Sentinel") and rng.random() < 0.6:
        words.append("sentinel")
    wanted = 2 + int(rng.random() * 4)
    while len(words) < wanted:
        pool = theme.related if rng.random() < 0.7 else VOCABULARY
        word = pool[int(rng.random() * len(pool))]
        if word not in words:
            words.append(word)
    return words[:wanted]


def _external_id(rng: random.Random, platform: Platform, start_iso: str, index: int) -> str:
    """A provider's product name: prefix, sensing time, relative orbit, unique suffix."""
    sensing = start_iso[:19].replace("-", "").replace(":", "")
    return f"{platform.id_prefix}_{sensing}_R{1 + int(rng.random() * 175):03d}_{index:07X}"


def _texts(
    rng: random.Random, kind: str, theme: Theme, platform: Platform, region: Region, year: str
) -> tuple[str, str]:
    """Title and description in the words a data provider would use."""
    product = theme.radar_product if platform.radar else theme.optical_product
    sensor = "radar" if platform.radar else "optical"
    detail = theme.sentences[int(rng.random() * len(theme.sentences))]
    processor = platform.processors[int(rng.random() * len(platform.processors))]
    if kind == "process":
        name = PROCESS_NAMES[int(rng.random() * len(PROCESS_NAMES))]
        title = f"{theme.word.capitalize()} {name} for {platform.name} {sensor} data"
        lead = f"An application package that runs {name} on {sensor} imagery of {region.name}."
    elif kind == "service":
        name = SERVICE_NAMES[int(rng.random() * len(SERVICE_NAMES))]
        title = f"{name} service: {product} of {region.name}"
        lead = f"Serves the {product} of {region.name} derived from {platform.name} data."
    elif kind == "collection":
        title = f"{platform.name} {product} collection, {region.name}"
        lead = (
            f"All {product} scenes from {platform.name} {platform.instrument} over {region.name}."
        )
    elif kind == "workspaceFile":
        slug = region.name.removeprefix("the ").lower().replace(" ", "-")
        title = f"{theme.word}_{product.replace(' ', '_')}_{slug}_{year}"
        lead = f"A working copy of a {product} clipped to {region.name}, saved from a notebook."
    else:
        title = f"{platform.name} {product}, {region.name}, {year}"
        lead = (
            f"{product.capitalize()} from {platform.name} {platform.instrument} over {region.name}."
        )
    return title, f"{lead} {detail} Processed with {processor}."


def _record(rng: random.Random, clock: _Clock, seed: int, index: int) -> dict[str, Any]:
    """Record `index`: its draws from `rng` come in a fixed order, so the stream is stable."""
    kind = RECORD_TYPES[bisect(_TYPE_CUMULATIVE, rng.random() * _TYPE_CUMULATIVE[-1])]
    theme = THEMES[int(rng.random() * len(THEMES))]
    platform = PLATFORMS[int(rng.random() * len(PLATFORMS))]
    places = _THEME_REGIONS[theme.word]
    region = places[int(rng.random() * len(places))]
    start, end = _period(rng, kind, platform)
    start_iso = clock.iso(start)
    title, description = _texts(rng, kind, theme, platform, region, start_iso[:4])
    if kind == "workspaceFile":
        data_format = WORKSPACE_FORMATS[int(rng.random() * len(WORKSPACE_FORMATS))]
    elif kind == "process":
        data_format = "CWL"
    elif kind == "service":
        data_format = "JSON"
    else:
        data_format = platform.formats[int(rng.random() * len(platform.formats))]
    cloud_cover = None if platform.radar else round(100 * rng.random() ** 1.6, 2)
    return {
        "id": record_id(seed, index),
        "type": kind,
        "title": title,
        "description": description,
        "keywords": _keywords(rng, theme, platform),
        "bbox": _footprint(rng, region, *_FOOTPRINT_DEGREES[kind]),
        "start": start_iso,
        "end": clock.iso(end),
        "platform": platform.name,
        "cloudCover": cloud_cover,
        "format": data_format,
        "license": LICENSES[bisect(_LICENSE_CUMULATIVE, rng.random() * _LICENSE_CUMULATIVE[-1])],
        "language": "en",
        "externalId": _external_id(rng, platform, start_iso, index),
        "updated": clock.iso(end + (_NOW - end) * rng.random() ** 3),
    }


def generate_records(count: int, seed: int = 1) -> Iterator[dict[str, Any]]:
    """Yield `count` catalogue records; the same seed yields the same records, in order."""
    rng = random.Random(seed)
    clock = _Clock()
    for index in range(count):
        yield _record(rng, clock, seed, index)


def _query_bbox(rng: random.Random, smallest: float, largest: float) -> list[float]:
    """A query box inside a region's neighbourhood, so that it meets some records."""
    region = REGIONS[int(rng.random() * len(REGIONS))]
    width = smallest + (largest - smallest) * rng.random()
    height = min(largest, width * (0.5 + 0.5 * rng.random()))
    centre_x = region.west + (region.east - region.west) * rng.random()
    centre_y = region.south + (region.north - region.south) * rng.random()
    return [
        round(max(-180.0, centre_x - width / 2), 2),
        round(max(-90.0, centre_y - height / 2), 2),
        round(min(180.0, centre_x + width / 2), 2),
        round(min(90.0, centre_y + height / 2), 2),
    ]


def query_set(seed: int = 2) -> dict[str, list[Any]]:
    """Fixed parameter sets, 50 per kind of `KINDS`.

    - "bbox": [minx, miny, maxx, maxy] boxes of 5 to 20 degrees;
    - "q": one word of `QUERY_WORDS`;
    - "bbox+q+type": (box of 10 to 20 degrees, word, record type), mostly "dataset";
    - "filter": (optical platform, cloud-cover threshold, ISO start date): the caller asks for
      `platform = P AND cloudCover < T AND datetime after D` in its own filter language.
      Optical platforms only, since radar records have no cloud cover.
    """
    rng = random.Random(seed)
    size = 50
    bboxes = [_query_bbox(rng, 5.0, 20.0) for _ in range(size)]
    words = [QUERY_WORDS[int(rng.random() * len(QUERY_WORDS))] for _ in range(size)]
    combined = [
        (
            _query_bbox(rng, 10.0, 20.0),
            QUERY_WORDS[int(rng.random() * len(QUERY_WORDS))],
            RECORD_TYPES[bisect(_TYPE_CUMULATIVE, rng.random() * _TYPE_CUMULATIVE[-1])],
        )
        for _ in range(size)
    ]
    filters = [
        (
            OPTICAL_PLATFORMS[int(rng.random() * len(OPTICAL_PLATFORMS))],
            (10, 20, 30, 50)[int(rng.random() * 4)],
            f"{2015 + int(rng.random() * 10)}-{1 + int(rng.random() * 12):02d}-01T00:00:00Z",
        )
        for _ in range(size)
    ]
    return {"bbox": bboxes, "q": words, "bbox+q+type": combined, "filter": filters}
