"""Writing the catalogue: records from posted GeoJSON, associations, and the search index."""

import json
import re
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any
from urllib.parse import urlsplit

from django.contrib.gis.gdal import GDALException
from django.contrib.gis.geos import GEOSException, GEOSGeometry
from django.db import transaction
from django.utils.dateparse import parse_datetime

from apps.accounts.models import Role, User
from apps.accounts.services import user_has_role
from apps.catalogue.encoding import ITEMS_PATH
from apps.catalogue.indexing import search_vector_refresh
from apps.catalogue.models import Association, Record, RecordType, Relation, Visibility
from apps.catalogue.selectors import datetime_interval
from apps.ogc.errors import ApplicationError, PermissionDeniedError

RECORD_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9:._~-]{0,199}$")
ASSOCIATION_RELATIONS = set(Relation.values)
INVALID_RECORD = "http://www.opengis.net/def/exceptions/ogcapi-records-1/1.0/invalid-record"


@dataclass
class RecordDraft:
    """A record's columns and associations, read and checked from a GeoJSON document."""

    values: dict[str, Any]
    associations: list[dict[str, Any]] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)


# --- hrefs (§iv: no javascript:, data: or credential-bearing links) ------------------------


def href_problem(href: Any) -> str | None:
    """Why a link target may not be stored, or None when it is an http(s) or relative URL."""
    if not isinstance(href, str) or not href.strip():
        return "a link needs an href"
    if any(ord(character) < 32 for character in href) or "\\" in href:
        return f"the href {href[:80]!r} holds control characters or backslashes"
    parts = urlsplit(href.strip())
    if parts.scheme and parts.scheme.lower() not in ("http", "https"):
        return f"the href {href[:80]!r} must be http(s) or relative"
    if href.strip().startswith("//") and not parts.scheme:
        return f"the href {href[:80]!r} must name its scheme"
    if parts.username or parts.password:
        return f"the href {href[:80]!r} must not carry credentials"
    return None


def _record_id_in(href: str) -> str | None:
    path = urlsplit(href).path
    prefix = ITEMS_PATH + "/"
    return path[len(prefix) :] if path.startswith(prefix) and len(path) > len(prefix) else None


# --- reading a posted record ---------------------------------------------------------------


def _text(value: Any, name: str, problems: list[str], *, limit: int = 500) -> str:
    if value is None:
        return ""
    if not isinstance(value, str):
        problems.append(f"{name} must be a string")
        return ""
    if len(value) > limit:
        problems.append(f"{name} is longer than {limit} characters")
    return value


def _strings(value: Any, name: str, problems: list[str]) -> list[str]:
    if value is None:
        return []
    if not isinstance(value, list) or not all(isinstance(item, str) for item in value):
        problems.append(f"{name} must be a list of strings")
        return []
    return value


def _moment(value: Any, name: str, problems: list[str]) -> datetime | None:
    if value in (None, ""):
        return None
    parsed = parse_datetime(value) if isinstance(value, str) else None
    if parsed is None and isinstance(value, str) and re.match(r"^\d{4}-\d{2}-\d{2}$", value):
        parsed = parse_datetime(value + "T00:00:00Z")
    if parsed is None:
        problems.append(f"{name} must be an RFC 3339 date-time")
    return parsed


def _time_extent(time: Any, problems: list[str]) -> tuple[datetime | None, datetime | None]:
    if time is None:
        return None, None
    if not isinstance(time, dict):
        problems.append("time must be an object with date, timestamp or interval")
        return None, None
    try:
        if "interval" in time:
            interval = time["interval"]
            if not isinstance(interval, list) or len(interval) != 2:
                raise ApplicationError("time.interval must hold two values")
            start = None if interval[0] in (None, "..") else interval[0]
            end = None if interval[1] in (None, "..") else interval[1]
            return datetime_interval(f"{start or '..'}/{end or '..'}")
        instant = time.get("timestamp") or time.get("date")
        if instant:
            return datetime_interval(str(instant))
    except ApplicationError as error:
        problems.append(f"time: {error.detail}")
    return None, None


def _geometry(value: Any, problems: list[str]) -> GEOSGeometry | None:
    if value is None:
        return None
    try:
        geometry = GEOSGeometry(json.dumps(value), srid=4326)
    except (GEOSException, GDALException, ValueError, TypeError):
        problems.append("geometry must be a GeoJSON geometry")
        return None
    if not geometry.valid:
        problems.append(f"geometry is not valid: {geometry.valid_reason}")
    return geometry


def _formats(value: Any, problems: list[str]) -> list[str]:
    result = []
    for item in value or []:
        if isinstance(item, str):
            result.append(item)
        elif isinstance(item, dict) and (item.get("mediaType") or item.get("name")):
            result.append(str(item.get("mediaType") or item.get("name")))
        else:
            problems.append("formats must be strings or objects with name or mediaType")
    return result


def _language(value: Any) -> str:
    if isinstance(value, dict):
        return str(value.get("code") or "en")
    return str(value) if value else "en"


def _links(document: dict[str, Any], draft: RecordDraft) -> list[dict[str, Any]]:
    kept = []
    for index, item in enumerate(document.get("links") or []):
        if not isinstance(item, dict):
            draft.problems.append(f"links[{index}] must be an object")
            continue
        problem = href_problem(item.get("href"))
        if problem:
            draft.problems.append(f"links[{index}]: {problem}")
            continue
        rel = str(item.get("rel", ""))
        if rel in ("self", "alternate", "collection"):
            continue
        if rel in ASSOCIATION_RELATIONS:
            draft.associations.append(item)
        else:
            kept.append({key: str(value) for key, value in item.items() if key in LINK_KEYS})
    return kept


# The members of a link kept from documents posted or harvested from elsewhere.
LINK_KEYS = ("href", "rel", "type", "title", "hreflang", "length")
_KNOWN_PROPERTIES = {
    "type",
    "title",
    "description",
    "keywords",
    "keywordsCodespace",
    "language",
    "externalIds",
    "externalId",
    "created",
    "updated",
    "recordCreated",
    "recordUpdated",
    "publisher",
    "themes",
    "formats",
    "contactPoint",
    "contacts",
    "license",
    "rights",
    "platform",
    "instrument",
    "cloudCover",
    "visibility",
}


def _external_ids(properties: dict[str, Any], problems: list[str]) -> list[str]:
    values = properties.get("externalIds") or properties.get("externalId") or []
    result = []
    for item in values if isinstance(values, list) else [values]:
        if isinstance(item, dict) and isinstance(item.get("value"), str):
            result.append(item["value"])
        elif isinstance(item, str):
            result.append(item)
        else:
            problems.append("externalIds must be a list of {value} objects")
    return result


def record_draft(document: Any) -> RecordDraft:
    """Read a recordGeoJSON document; `problems` lists everything wrong with it."""
    draft = RecordDraft(values={})
    if not isinstance(document, dict):
        draft.problems.append("the record must be a JSON object")
        return draft
    problems = draft.problems
    if document.get("type") != "Feature":
        problems.append('type must be "Feature"')
    properties = document.get("properties")
    if not isinstance(properties, dict):
        problems.append("properties must be an object")
        properties = {}
    record_type = properties.get("type")
    if record_type not in RecordType.values:
        problems.append(f"properties.type must be one of {', '.join(RecordType.values)}")
    title = _text(properties.get("title"), "title", problems)
    if not title.strip():
        problems.append("properties.title is required")
    cloud_cover = properties.get("cloudCover")
    if cloud_cover is not None and (
        not isinstance(cloud_cover, int | float) or not 0 <= cloud_cover <= 100
    ):
        problems.append("cloudCover must be a number from 0 to 100")
        cloud_cover = None
    contact = properties.get("contactPoint")
    if contact is None and isinstance(properties.get("contacts"), list) and properties["contacts"]:
        first = properties["contacts"][0]
        contact = (
            first.get("name") or first.get("organization") if isinstance(first, dict) else None
        )
    time_start, time_end = _time_extent(document.get("time"), problems)
    draft.values = {
        "type": record_type,
        "title": title,
        "description": _text(properties.get("description"), "description", problems, limit=20000),
        "keywords": _strings(properties.get("keywords"), "keywords", problems),
        "keywords_codespace": _text(
            properties.get("keywordsCodespace"), "keywordsCodespace", problems
        ),
        "language": _language(properties.get("language")),
        "external_ids": _external_ids(properties, problems),
        "created": _moment(properties.get("created"), "created", problems),
        "updated": _moment(properties.get("updated"), "updated", problems),
        "publisher": _text(properties.get("publisher"), "publisher", problems),
        "themes": properties.get("themes") if isinstance(properties.get("themes"), list) else [],
        "formats": _formats(properties.get("formats"), problems),
        "contact_point": _text(contact, "contactPoint", problems),
        "license": _text(properties.get("license"), "license", problems),
        "rights": _text(properties.get("rights"), "rights", problems, limit=5000),
        "platform": _text(properties.get("platform"), "platform", problems, limit=100),
        "instrument": _text(properties.get("instrument"), "instrument", problems, limit=100),
        "cloud_cover": cloud_cover,
        "geometry": _geometry(document.get("geometry"), problems),
        "time_start": time_start,
        "time_end": time_end,
        "properties": {
            key: value for key, value in properties.items() if key not in _KNOWN_PROPERTIES
        },
    }
    visibility = properties.get("visibility")
    if visibility is not None:
        if visibility not in Visibility.values:
            problems.append("visibility must be public or private")
        else:
            draft.values["visibility"] = visibility
    draft.values["links"] = _links(document, draft)
    return draft


def _raise_problems(draft: RecordDraft) -> None:
    if draft.problems:
        raise ApplicationError(
            "The record is not valid: " + "; ".join(draft.problems) + ".",
            status=400,
            type=INVALID_RECORD,
            title="Invalid record",
        )


# --- writes ------------------------------------------------------------------------------


def may_edit(user: User, record: Record) -> bool:
    return record.owner_id == user.pk or user_has_role(user, Role.ADMINISTRATOR)


def record_edit_check(*, user: User, record: Record) -> None:
    if not may_edit(user, record):
        raise PermissionDeniedError("Only the record's owner or an administrator may change it.")


def associations_replace(record: Record, links: list[dict[str, Any]]) -> None:
    """The record's outgoing associations become exactly these links."""
    record.outgoing.all().delete()
    rows = []
    for item in links:
        target_id = _record_id_in(str(item["href"]))
        target = Record.objects.filter(pk=target_id).first() if target_id else None
        rows.append(
            Association(
                source=record,
                relation=item["rel"],
                target=target,
                target_href="" if target is not None else str(item["href"]),
                title=str(item.get("title", ""))[:500],
                media_type=str(item.get("type", ""))[:200],
            )
        )
    Association.objects.bulk_create(rows, ignore_conflicts=True)


@transaction.atomic
def record_save(
    *, document: Any, user: User | None, record_id: str | None = None, source: str | None = None
) -> tuple[Record, bool]:
    """Create or replace a record from GeoJSON; returns (record, created).

    A new record is private unless it says otherwise, except an administrator's.
    """
    draft = record_draft(document)
    if record_id is not None and not RECORD_ID.match(record_id):
        draft.problems.append("the record id may hold only letters, digits and :._~-")
    _raise_problems(draft)
    existing = None
    if record_id is not None:
        existing = Record.objects.select_for_update().filter(pk=record_id).first()
    elif source is not None:
        existing = Record.objects.select_for_update().filter(source=source).first()
    if existing is not None and user is not None:
        record_edit_check(user=user, record=existing)
    created = existing is None
    record = existing or Record(owner=user, source=source)
    if record_id is not None:
        record.pk = record_id
    if created and "visibility" not in draft.values:
        is_admin = user is None or user_has_role(user, Role.ADMINISTRATOR)
        record.visibility = Visibility.PUBLIC if is_admin else Visibility.PRIVATE
    for name, value in draft.values.items():
        setattr(record, name, value)
    record.save()
    associations_replace(record, draft.associations)
    search_vector_refresh(Record.objects.filter(pk=record.pk))
    return record, created


def record_delete(*, record: Record, user: User) -> None:
    record_edit_check(user=user, record=record)
    record.delete()
