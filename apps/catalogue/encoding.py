"""Records as OGC API - Records GeoJSON (Part 1, recordGeoJSON), with their associations."""

import json
from collections.abc import Iterable
from datetime import UTC, datetime
from typing import Any

from django.http import HttpRequest

from apps.catalogue.models import Association, Record
from apps.ogc.links import HTML, JSON, link

CATALOGUE_ID = "tep-catalogue"
GEOJSON = "application/geo+json"
ITEMS_PATH = f"/catalogue/collections/{CATALOGUE_ID}/items"

# How a target record links back to the source of an association (§5.2: both directions).
INVERSE_RELATIONS = {
    "renders": "renderedBy",
    "tiles": "tiledBy",
    "parentOf": "childOf",
    "styles": "styledBy",
    "operatesOn": "operatedOnBy",
    "offers": "offeredBy",
    "describes": "describedBy",
    "asset": "hasAsset",
}


def _utc(value: datetime) -> str:
    return value.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def record_time(record: Record) -> dict[str, Any] | None:
    if record.time_start is None and record.time_end is None:
        return None
    if record.time_start is not None and record.time_start == record.time_end:
        return {"timestamp": _utc(record.time_start)}
    return {
        "interval": [
            _utc(record.time_start) if record.time_start else "..",
            _utc(record.time_end) if record.time_end else "..",
        ]
    }


def record_path(record_id: str) -> str:
    return f"{ITEMS_PATH}/{record_id}"


def _formats(record: Record) -> list[dict[str, str]]:
    return [{"mediaType": value} if "/" in value else {"name": value} for value in record.formats]


def record_properties(record: Record) -> dict[str, Any]:
    """Table 1's core queryables under their Records names, then the extra properties."""
    properties: dict[str, Any] = dict(record.properties)
    properties.update(
        {
            "type": record.type,
            "title": record.title,
            "description": record.description,
            "keywords": list(record.keywords),
            "language": {"code": record.language},
            "externalIds": [{"value": value} for value in record.external_ids],
            "created": _utc(record.created or record.record_created),
            "updated": _utc(record.updated or record.record_updated),
            "recordCreated": _utc(record.record_created),
            "recordUpdated": _utc(record.record_updated),
            "formats": _formats(record),
        }
    )
    optional = {
        "keywordsCodespace": record.keywords_codespace,
        "publisher": record.publisher,
        "license": record.license,
        "rights": record.rights,
        "contactPoint": record.contact_point,
        "platform": record.platform,
        "instrument": record.instrument,
    }
    properties.update({key: value for key, value in optional.items() if value})
    if record.contact_point:
        properties["contacts"] = [{"name": record.contact_point}]
    if record.themes:
        properties["themes"] = record.themes
    if record.cloud_cover is not None:
        properties["cloudCover"] = record.cloud_cover
    return properties


def _association_link(
    request: HttpRequest, association: Association, *, outgoing: bool
) -> dict[str, str]:
    other = association.target if outgoing else association.source
    rel = association.relation if outgoing else INVERSE_RELATIONS[association.relation]
    if other is None:
        result = {"href": association.target_href, "rel": rel}
        if association.media_type:
            result["type"] = association.media_type
    else:
        result = link(request, record_path(other.pk), rel=rel, type=GEOJSON)
        result["recordType"] = other.type
    title = association.title or (other.title if other is not None else "")
    if title:
        result["title"] = title
    return result


def record_links(
    request: HttpRequest,
    record: Record,
    *,
    outgoing: Iterable[Association] = (),
    incoming: Iterable[Association] = (),
) -> list[dict[str, str]]:
    path = record_path(record.pk)
    links = [
        link(request, path, rel="self", type=GEOJSON, title="This record"),
        link(
            request,
            path,
            rel="alternate",
            type=HTML,
            title="This record as HTML",
            query={"f": "html"},
        ),
        link(
            request,
            f"/catalogue/collections/{CATALOGUE_ID}",
            rel="collection",
            type=JSON,
            title="The TEP catalogue",
        ),
    ]
    links += [dict(item) for item in record.links]
    links += [_association_link(request, item, outgoing=True) for item in outgoing]
    links += [_association_link(request, item, outgoing=False) for item in incoming]
    return links


def _geometry(record: Record) -> dict[str, Any] | None:
    """The footprint as GeoJSON: as PostGIS wrote it when the search asked for it (see
    `search.with_geojson`), else from the geometry."""
    if hasattr(record, "geometry_geojson"):
        written = record.geometry_geojson
        return dict(json.loads(written)) if written is not None else None
    return json.loads(record.geometry.geojson) if record.geometry is not None else None


def record_feature(
    request: HttpRequest,
    record: Record,
    *,
    outgoing: Iterable[Association] = (),
    incoming: Iterable[Association] = (),
) -> dict[str, Any]:
    return {
        "id": record.pk,
        "type": "Feature",
        "conformsTo": ["http://www.opengis.net/spec/ogcapi-records-1/1.0/req/record-core"],
        "time": record_time(record),
        "geometry": _geometry(record),
        "properties": record_properties(record),
        "links": record_links(request, record, outgoing=outgoing, incoming=incoming),
    }
