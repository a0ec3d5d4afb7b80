"""The web-service events of §13.1.12-17: who a change concerns decides which event it is.

A TEP-holdings service (published by an administrator, public) gives `webService*` events.
Any other service gives `sharedWebService*` events: one with no `sharedWith` (everybody)
while it is public, else one per user it is shared with.
"""

from enum import Enum
from typing import Any

from apps.accounts.models import User
from apps.catalogue.encoding import record_path
from apps.catalogue.models import Record
from apps.notifications.events import EVENT_SPECS, EventType, record_event
from apps.ogc.links import public_request
from apps.webservices.models import Service


class Change(Enum):
    ADDED = "added"
    UPDATED = "updated"
    REMOVED = "removed"


HOLDINGS_EVENTS = {
    Change.ADDED: EventType.WEB_SERVICE_ADDED,
    Change.UPDATED: EventType.WEB_SERVICE_UPDATED,
    Change.REMOVED: EventType.WEB_SERVICE_REMOVED,
}
SHARED_EVENTS = {
    Change.ADDED: EventType.SHARED_WEB_SERVICE_ADDED,
    Change.UPDATED: EventType.SHARED_WEB_SERVICE_UPDATED,
    Change.REMOVED: EventType.SHARED_WEB_SERVICE_REMOVED,
}
EVERYBODY = None
WORLD = (-180.0, -90.0, 180.0, 90.0)


def _absolute(path: str) -> str:
    return public_request().build_absolute_uri(path)


def _properties(
    service: Service,
    record: Record | None,
    *,
    shared_with: User | None,
    bbox: tuple[float, float, float, float] | None,
) -> dict[str, Any]:
    owner = service.owner
    return {
        "owner": owner.username,
        "ownerName": owner.get_full_name() or owner.username,
        "sharedWith": shared_with.username if shared_with is not None else None,
        "fsetName": service.identifier,
        "fsetTitle": service.title,
        "fsetDescription": service.description,
        "bbox": list(bbox or service.bbox or WORLD),
        "dataSetUrl": _absolute(record_path(record.pk) + "?f=html") if record else None,
        "webServiceUrl": _absolute(service.path),
        "dataTypes": sorted(set(service.sources.values_list("media_type", flat=True))),
    }


def _record(event_type: str, properties: dict[str, Any]) -> None:
    spec = EVENT_SPECS[event_type]
    record_event(event_type, **{name: properties.get(name) for name in spec.properties})


def audience(service: Service) -> list[User | None]:
    """Who is told about changes to a user's service: everybody while public, else grantees."""
    if service.is_public:
        return [EVERYBODY]
    return list(service.readers.order_by("username"))


def announce(
    service: Service,
    change: Change,
    *,
    record: Record | None = None,
    to: list[User | None] | None = None,
    bbox: tuple[float, float, float, float] | None = None,
) -> None:
    """Record the events for `change`; `to` overrides who a user's service change concerns.

    Call it while the service is in the state the audience saw: after adding, before
    removing. `bbox` is the area affected (the added files' for an update), else the
    service's extent.
    """
    if service.holdings:
        if service.is_public:
            properties = _properties(service, record, shared_with=None, bbox=bbox)
            _record(HOLDINGS_EVENTS[change], properties)
        return
    for user in audience(service) if to is None else to:
        properties = _properties(service, record, shared_with=user, bbox=bbox)
        _record(SHARED_EVENTS[change], properties)
