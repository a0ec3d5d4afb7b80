"""The catalogue's queryables (Table 1): their API names, columns and types.

One table serves `prop=value`, CQL2 filters, `sortby` and the `/queryables` JSON Schema.
"""

from typing import Any

from django.http import HttpRequest

from apps.catalogue.cql2 import Queryable
from apps.catalogue.models import RecordType

QUERYABLES: dict[str, Queryable] = {
    queryable.name: queryable
    for queryable in (
        Queryable("id", "id", "string", "Record id", "A unique record identifier."),
        Queryable(
            "type",
            "type",
            "string",
            "Resource type",
            "The nature or genre of the resource.",
            enum=tuple(RecordType.values),
        ),
        Queryable("title", "title", "string", "Title"),
        Queryable("description", "description", "string", "Description"),
        Queryable("keywords", "keywords", "array", "Keywords"),
        Queryable("keywordsCodespace", "keywords_codespace", "string", "Keywords codespace"),
        Queryable("language", "language", "string", "Language"),
        Queryable("externalId", "external_ids", "array", "External identifiers"),
        Queryable("created", "created", "timestamp", "Resource created"),
        Queryable("updated", "updated", "timestamp", "Resource updated"),
        Queryable("recordCreated", "record_created", "timestamp", "Record created"),
        Queryable("recordUpdated", "record_updated", "timestamp", "Record updated"),
        Queryable("publisher", "publisher", "string", "Publisher"),
        Queryable("formats", "formats", "array", "Formats"),
        Queryable("contactPoint", "contact_point", "string", "Contact point"),
        Queryable("license", "license", "string", "License"),
        Queryable("rights", "rights", "string", "Rights"),
        Queryable("platform", "platform", "string", "Platform", "The satellite or platform."),
        Queryable("instrument", "instrument", "string", "Instrument"),
        Queryable("cloudCover", "cloud_cover", "number", "Cloud cover", "Percent, 0-100."),
        Queryable("geometry", "geometry", "geometry", "Footprint"),
        Queryable("datetime", None, "interval", "Time extent"),
    )
}

SORTABLE = (
    "id",
    "type",
    "title",
    "created",
    "updated",
    "recordCreated",
    "recordUpdated",
    "platform",
    "cloudCover",
    "license",
    "language",
)

_JSON_TYPES: dict[str, dict[str, Any]] = {
    "string": {"type": "string"},
    "number": {"type": "number"},
    "integer": {"type": "integer"},
    "timestamp": {"type": "string", "format": "date-time"},
    "date": {"type": "string", "format": "date"},
    "array": {"type": "array", "items": {"type": "string"}},
    "geometry": {"format": "geometry-any"},
    "interval": {"type": "string", "format": "date-time"},
}


def queryables_schema(request: HttpRequest, collection_id: str) -> dict[str, Any]:
    """The queryables as a JSON Schema (OGC API - Features - Part 3)."""
    properties: dict[str, Any] = {}
    for name, queryable in QUERYABLES.items():
        schema = {"title": queryable.title or name, **_JSON_TYPES[queryable.kind]}
        if queryable.description:
            schema["description"] = queryable.description
        if queryable.enum:
            schema["enum"] = list(queryable.enum)
        properties[name] = schema
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": request.build_absolute_uri(f"/catalogue/collections/{collection_id}/queryables"),
        "type": "object",
        "title": "Queryables of the TEP catalogue",
        "properties": properties,
        "additionalProperties": False,
    }
