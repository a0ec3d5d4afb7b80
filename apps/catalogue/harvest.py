"""Harvest (§10.6): read a resource's own description from its URL and keep a record of it.

Understood: an OGC API - Processes process description, an OGC API collection, and a STAC
item or collection. Harvesting the same URL again updates its record.
"""

import json
from collections.abc import Callable
from datetime import datetime
from typing import Any

import requests
from django.conf import settings
from django.contrib.gis.geos import GEOSGeometry, Polygon
from django.utils.dateparse import parse_datetime

from apps.accounts.models import User
from apps.catalogue.indexing import search_vector_refresh
from apps.catalogue.models import Record, RecordType, Visibility
from apps.catalogue.services import LINK_KEYS, href_problem
from apps.ogc.errors import ApplicationError
from apps.processes.staging import remote_url_check

HARVEST_MAX_BYTES = 2 * 1024 * 1024
NOT_HARVESTABLE = "http://www.opengis.net/def/exceptions/ogcapi-records-1/1.0/not-harvestable"


def harvest_source(url: str) -> str:
    return f"harvest:{url}"


def _fetch(url: str) -> dict[str, Any]:
    remote_url_check(url)
    try:
        response = requests.get(
            url,
            headers={"Accept": "application/json"},
            timeout=settings.HARVEST_TIMEOUT_SECONDS,
            allow_redirects=False,
            stream=True,
        )
        body = response.raw.read(HARVEST_MAX_BYTES + 1, decode_content=True)
    except requests.RequestException as error:
        raise _not_harvestable(f"{url} could not be read: {error}") from error
    if response.status_code != 200:
        raise _not_harvestable(f"{url} answered HTTP {response.status_code}.")
    if len(body) > HARVEST_MAX_BYTES:
        raise _not_harvestable(f"{url} is larger than {HARVEST_MAX_BYTES} bytes.")
    try:
        document = json.loads(body)
    except ValueError as error:
        raise _not_harvestable(f"{url} is not JSON.") from error
    if not isinstance(document, dict):
        raise _not_harvestable(f"{url} is not a JSON object.")
    return document


def _not_harvestable(message: str) -> ApplicationError:
    return ApplicationError(message, status=400, type=NOT_HARVESTABLE, title="Cannot harvest")


def _moment(value: Any) -> datetime | None:
    return parse_datetime(value) if isinstance(value, str) and value not in ("", "..") else None


def _box(bbox: Any) -> GEOSGeometry | None:
    if not isinstance(bbox, list) or len(bbox) not in (4, 6):
        return None
    values = [float(value) for value in bbox]
    if len(values) == 6:
        values = [values[0], values[1], values[3], values[4]]
    box = Polygon.from_bbox((values[0], values[1], values[2], values[3]))
    box.srid = 4326
    return box


SKIPPED_RELATIONS = ("self", "root", "parent", "collection")


def _safe_links(links: Any) -> list[dict[str, str]]:
    """The document's own links worth keeping, minus navigation and unsafe hrefs."""
    kept = [
        {key: str(value) for key, value in item.items() if key in LINK_KEYS}
        for item in (links if isinstance(links, list) else [])
        if isinstance(item, dict)
        and item.get("rel") not in SKIPPED_RELATIONS
        and href_problem(item.get("href")) is None
    ]
    return kept[:50]


def _process_values(url: str, document: dict[str, Any]) -> dict[str, Any]:
    return {
        "type": RecordType.PROCESS,
        "title": document.get("title") or document.get("id") or url,
        "description": document.get("description", ""),
        "keywords": [str(item) for item in document.get("keywords", [])],
        "properties": {"processId": document.get("id"), "version": document.get("version")},
        "links": [
            {
                "rel": "describedBy",
                "href": url,
                "type": "application/json",
                "title": "Process description",
            }
        ],
    }


def _ogc_collection_values(url: str, document: dict[str, Any]) -> dict[str, Any]:
    extent = document.get("extent") or {}
    bbox = ((extent.get("spatial") or {}).get("bbox") or [None])[0]
    interval = ((extent.get("temporal") or {}).get("interval") or [[None, None]])[0]
    return {
        "type": RecordType.COLLECTION,
        "title": document.get("title") or document.get("id") or url,
        "description": document.get("description", ""),
        "keywords": [str(item) for item in document.get("keywords", [])],
        "geometry": _box(bbox),
        "time_start": _moment(interval[0]) if interval else None,
        "time_end": _moment(interval[1]) if interval and len(interval) > 1 else None,
        "links": [
            {"rel": "describedBy", "href": url, "type": "application/json", "title": "Collection"},
            *_safe_links(document.get("links")),
        ],
    }


def _stac_collection_values(url: str, document: dict[str, Any]) -> dict[str, Any]:
    values = _ogc_collection_values(url, document)
    summaries = document.get("summaries") or {}
    platforms = summaries.get("platform") or []
    values.update(
        {
            "type": RecordType.DATASET,
            "license": str(document.get("license", "")),
            "platform": str(platforms[0]) if platforms else "",
        }
    )
    return values


def _stac_item_values(url: str, document: dict[str, Any]) -> dict[str, Any]:
    properties = document.get("properties") or {}
    instant = _moment(properties.get("datetime"))
    geometry = document.get("geometry")
    instruments = properties.get("instruments") or []
    cloud_cover = properties.get("eo:cloud_cover")
    return {
        "type": RecordType.SOURCE,
        "title": properties.get("title") or document.get("id") or url,
        "description": properties.get("description", ""),
        "keywords": [str(item) for item in properties.get("keywords", [])],
        "geometry": GEOSGeometry(json.dumps(geometry), srid=4326) if geometry else None,
        "time_start": _moment(properties.get("start_datetime")) or instant,
        "time_end": _moment(properties.get("end_datetime")) or instant,
        "platform": str(properties.get("platform", "")),
        "instrument": str(instruments[0]) if instruments else "",
        "cloud_cover": float(cloud_cover) if isinstance(cloud_cover, int | float) else None,
        "external_ids": [str(document.get("id"))] if document.get("id") else [],
        "links": [
            {
                "rel": "describedBy",
                "href": url,
                "type": "application/geo+json",
                "title": "STAC item",
            },
            *[
                {
                    "rel": "enclosure",
                    "href": str(asset["href"]),
                    "type": str(asset.get("type", "")),
                    "title": name,
                }
                for name, asset in (document.get("assets") or {}).items()
                if isinstance(asset, dict) and href_problem(asset.get("href")) is None
            ][:20],
        ],
    }


def _reader_for(document: dict[str, Any]) -> Callable[[str, dict[str, Any]], dict[str, Any]]:
    if "stac_version" in document and document.get("type") == "Feature":
        return _stac_item_values
    if "stac_version" in document and document.get("type") == "Collection":
        return _stac_collection_values
    if "inputs" in document and "outputs" in document:
        return _process_values
    if "extent" in document or document.get("itemType"):
        return _ogc_collection_values
    raise _not_harvestable(
        "The document is not a process description, an OGC API collection or a STAC "
        "item or collection."
    )


def record_harvest(*, url: str, user: User) -> tuple[Record, bool]:
    """Create or update the record of what `url` describes; returns (record, created)."""
    problem = href_problem(url)
    if problem or not url.lower().startswith(("http://", "https://")):
        raise _not_harvestable(f"Harvest needs an absolute http(s) URL: {problem or url}.")
    document = _fetch(url)
    values = _reader_for(document)(url, document)
    values.setdefault("external_ids", [url])
    values["title"] = str(values["title"])[:500]
    source = harvest_source(url)
    existing = Record.objects.filter(source=source).first()
    if existing is None:
        values.update({"owner": user, "visibility": Visibility.PUBLIC})
    record, created = Record.objects.update_or_create(source=source, defaults=values)
    search_vector_refresh(Record.objects.filter(pk=record.pk))
    return record, created
