"""Event types and `record_event`, the one way anything on the platform records an event.

Each type (§13.1) names the properties an event must carry, those it may carry, the
filters a subscription can set on it, and the title and body templates used in the
feed, e-mail subjects, SMS and e-mail bodies. Services call `record_event` as low in the
code as they can (§13.4).
"""

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from string import Formatter
from typing import Any

from django.db import transaction
from django.utils.html import escape

from apps.notifications.models import Event, EventProperty, EventType

# EventType is defined beside the model whose choices it is, and is imported from here.
__all__ = [
    "EVENT_SPECS",
    "EventSpec",
    "EventType",
    "InvalidEventPropertyError",
    "MissingEventPropertiesError",
    "UnexpectedEventPropertiesError",
    "UnknownEventTypeError",
    "event_body",
    "event_title",
    "record_event",
]

QUOTA = ("username", "currentNumOfMBytes", "quotaNumOfMBytes")
JOB = ("username", "jobId", "startedOn", "jobUrl")
DATA_SET = ("fsetName", "fsetTitle", "bbox")
SHARED = ("owner", "ownerName")
AREA_FILTERS = ("areaOfInterest", "dataTypes")
SHARED_FILTERS = ("username", "owner", "areaOfInterest", "dataTypes")


@dataclass(frozen=True)
class EventSpec:
    """What an event type carries and how it reads; templates use {property} placeholders."""

    required: tuple[str, ...]
    title: str
    body: str
    optional: tuple[str, ...] = ()
    filters: tuple[str, ...] = ()

    @property
    def properties(self) -> tuple[str, ...]:
        return self.required + self.optional


QUOTA_BODY = (
    "The size of your TEP workspace has {reached} your quota of {quotaNumOfMBytes} MB "
    "({currentNumOfMBytes} MB used). Remove files or ask an administrator for more space."
)

EVENT_SPECS: dict[str, EventSpec] = {
    EventType.QUOTA_WARNING_1: EventSpec(
        QUOTA,
        "You have reached 75% of your quota of {quotaNumOfMBytes} MB.",
        QUOTA_BODY.replace("{reached}", "reached 75% of"),
        filters=("username",),
    ),
    EventType.QUOTA_WARNING_2: EventSpec(
        QUOTA,
        "You have reached 90% of your quota of {quotaNumOfMBytes} MB.",
        QUOTA_BODY.replace("{reached}", "reached 90% of"),
        filters=("username",),
    ),
    EventType.QUOTA_EXCEEDED: EventSpec(
        QUOTA,
        "You have exceeded your quota of {quotaNumOfMBytes} MB.",
        QUOTA_BODY.replace("{reached}", "exceeded"),
        filters=("username",),
    ),
    EventType.JOB_COMPLETED: EventSpec(
        JOB,
        "Job {jobId} has completed and its results are ready.",
        "Job {jobId} (started on {startedOn}) has completed, and its results are "
        '<a href="{jobUrl}">ready</a>.',
        filters=("username", "jobId"),
    ),
    EventType.JOB_FAILED: EventSpec(
        JOB,
        "Job {jobId} has failed.",
        "Job {jobId} (started on {startedOn}) has failed. Details are available "
        '<a href="{jobUrl}">here</a>.',
        filters=("username", "jobId"),
    ),
    EventType.APP_ADDED: EventSpec(
        ("appUrl", "appTitle", "appDescription"),
        'A new application called "{appTitle}" is available.',
        'A new application called "{appTitle}" is <a href="{appUrl}">available</a>. '
        "Its description is as follows: {appDescription}",
        optional=("dataTypes",),
        filters=("dataTypes",),
    ),
    EventType.APP_UPDATED: EventSpec(
        ("appUrl", "appTitle"),
        'The application called "{appTitle}" has been updated.',
        'The application called "{appTitle}" has been updated to '
        '<a href="{appUrl}">a new version</a>.',
        optional=("dataTypes",),
        filters=("dataTypes",),
    ),
    EventType.APP_REMOVED: EventSpec(
        ("appTitle",),
        'The application called "{appTitle}" has been removed.',
        'The application called "{appTitle}" has been removed from the TEP Marketplace.',
        optional=("dataTypes",),
        filters=("dataTypes",),
    ),
    EventType.DATA_SET_ADDED: EventSpec(
        (*DATA_SET, "fsetDescription", "dataSetUrl"),
        'A new data set called "{fsetTitle}" is now available.',
        'A new data set called "{fsetTitle}" (feature-set name "{fsetName}") is now '
        '<a href="{dataSetUrl}">available</a>. It covers {bbox} and its description is as '
        "follows: {fsetDescription}",
        optional=("dataTypes",),
        filters=AREA_FILTERS,
    ),
    EventType.DATA_SET_UPDATED: EventSpec(
        (*DATA_SET, "dataSetUrl"),
        'The "{fsetTitle}" data set has been updated.',
        'The data set called "{fsetTitle}" (feature-set name "{fsetName}") has been updated '
        'to <a href="{dataSetUrl}">a new version</a>. The area affected is {bbox}.',
        optional=("dataTypes",),
        filters=AREA_FILTERS,
    ),
    EventType.DATA_SET_REMOVED: EventSpec(
        DATA_SET,
        'The "{fsetTitle}" data set has been removed.',
        'The data set called "{fsetTitle}" (feature-set name "{fsetName}") has been removed. '
        "Its area was {bbox}.",
        optional=("dataTypes",),
        filters=AREA_FILTERS,
    ),
    EventType.WEB_SERVICE_ADDED: EventSpec(
        (*DATA_SET, "fsetDescription", "dataSetUrl", "webServiceUrl"),
        'A web service serving the data set called "{fsetTitle}" is now available.',
        'A web service serving the data set called "{fsetTitle}" (feature-set name '
        '"{fsetName}") is now available. It covers {bbox} and its description is as follows: '
        '{fsetDescription} Its OGC API collection is <a href="{webServiceUrl}">here</a>.',
        optional=("dataTypes",),
        filters=AREA_FILTERS,
    ),
    EventType.WEB_SERVICE_UPDATED: EventSpec(
        (*DATA_SET, "dataSetUrl", "webServiceUrl"),
        'The web service serving the data set called "{fsetTitle}" has been updated.',
        'The web service serving the data set called "{fsetTitle}" (feature-set name '
        '"{fsetName}") has been updated to <a href="{webServiceUrl}">a new version</a>. '
        "The area affected is {bbox}.",
        optional=("dataTypes",),
        filters=AREA_FILTERS,
    ),
    EventType.WEB_SERVICE_REMOVED: EventSpec(
        DATA_SET,
        'The web service serving the data set called "{fsetTitle}" is no longer available.',
        'The web service serving the data set called "{fsetTitle}" (feature-set name '
        '"{fsetName}") is no longer available. Its area was {bbox}.',
        optional=("dataTypes",),
        filters=AREA_FILTERS,
    ),
    EventType.SHARED_WEB_SERVICE_ADDED: EventSpec(
        (*SHARED, *DATA_SET, "fsetDescription", "dataSetUrl", "webServiceUrl"),
        'User {owner} has shared a web service that serves a data set called "{fsetTitle}".',
        "User {owner} ({ownerName}) has shared a web service that serves a data set called "
        '"{fsetTitle}" (feature-set name "{fsetName}"). It covers {bbox} and its description '
        "is as follows: {fsetDescription} Its OGC API collection is "
        '<a href="{webServiceUrl}">here</a>.',
        optional=("sharedWith", "dataTypes"),
        filters=SHARED_FILTERS,
    ),
    EventType.SHARED_WEB_SERVICE_UPDATED: EventSpec(
        (*SHARED, *DATA_SET, "dataSetUrl", "webServiceUrl"),
        'The web service shared by user {owner} that serves a data set called "{fsetTitle}" '
        "has been updated.",
        "The web service shared by user {owner} ({ownerName}) that serves a data set called "
        '"{fsetTitle}" has been updated to <a href="{webServiceUrl}">a new version</a>. '
        "The area affected is {bbox}.",
        optional=("sharedWith", "dataTypes"),
        filters=SHARED_FILTERS,
    ),
    EventType.SHARED_WEB_SERVICE_REMOVED: EventSpec(
        (*SHARED, *DATA_SET),
        "User {owner} has stopped sharing the web service that serves a data set called "
        '"{fsetTitle}".',
        "User {owner} ({ownerName}) has stopped sharing the web service that serves a data "
        'set called "{fsetTitle}" (feature-set name "{fsetName}"). Its area was {bbox}.',
        optional=("sharedWith", "dataTypes"),
        filters=SHARED_FILTERS,
    ),
}


class UnknownEventTypeError(ValueError):
    pass


class MissingEventPropertiesError(ValueError):
    pass


class UnexpectedEventPropertiesError(ValueError):
    pass


class InvalidEventPropertyError(ValueError):
    pass


def _as_text(value: Any) -> str:
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, Sequence) and not isinstance(value, str):
        return ",".join(_as_text(item) for item in value)
    return str(value)


def _bbox_text(value: Any) -> str:
    """A bbox as "minx,miny,maxx,maxy", the form subscription area filters read."""
    parts = value.split(",") if isinstance(value, str) else value
    try:
        numbers = [float(part) for part in parts]
    except (TypeError, ValueError):
        numbers = []
    # minx > maxx is allowed: such a box crosses the antimeridian.
    if len(numbers) != 4 or not all(math.isfinite(number) for number in numbers):
        raise InvalidEventPropertyError(
            f"bbox must be four numbers minx,miny,maxx,maxy, not {value!r}."
        )
    return value.replace(" ", "") if isinstance(value, str) else _as_text(value)


def _checked(event_type: str, properties: Mapping[str, Any]) -> dict[str, str]:
    spec = EVENT_SPECS.get(event_type)
    if spec is None:
        raise UnknownEventTypeError(f"Unknown event type {event_type!r}.")
    given = {key: value for key, value in properties.items() if value is not None}
    missing = [name for name in spec.required if name not in given]
    if missing:
        raise MissingEventPropertiesError(
            f"An event of type {event_type} needs {', '.join(missing)}."
        )
    unexpected = sorted(set(given) - set(spec.properties))
    if unexpected:
        raise UnexpectedEventPropertiesError(
            f"An event of type {event_type} has no property {', '.join(unexpected)}."
        )
    return {
        key: _bbox_text(value) if key == "bbox" else _as_text(value) for key, value in given.items()
    }


def record_event(event_type: str, **properties: Any) -> Event:
    """Record that something happened (§13.4's eventOccurred).

    Refuses (ValueError subclasses) an unknown type, missing required properties,
    properties the type does not define and a bbox that is not four numbers; nothing is
    written then. Values are stored as text: sequences such as a bbox or dataTypes as
    comma-separated values, dates and datetimes in ISO 8601. An optional property given
    as None is not stored (sharedWith=None means shared with everybody).

    It only writes the event and its properties, in one transaction or as part of the
    caller's (no savepoint: a failed write fails the caller's transaction anyway);
    delivering notifications reads the events afterwards (§13.5).
    """
    values = _checked(event_type, properties)
    with transaction.atomic(savepoint=False):
        event = Event.objects.create(event_type=event_type)
        EventProperty.objects.bulk_create(
            EventProperty(event=event, key=key, value=value) for key, value in values.items()
        )
    return event


class _Defaulting(dict[str, str]):
    def __missing__(self, key: str) -> str:
        return ""


def _render(template: str, values: Mapping[str, str]) -> str:
    return Formatter().vformat(template, (), _Defaulting(values))


def event_title(event: Event) -> str:
    """The one line of plain text (feed line, SMS, e-mail subject); escape it where HTML."""
    return _render(EVENT_SPECS[event.event_type].title, event.property_dict())


def event_body(event: Event) -> str:
    """The body as HTML: the template's markup kept, every property value escaped."""
    escaped = {key: str(escape(value)) for key, value in event.property_dict().items()}
    return _render(EVENT_SPECS[event.event_type].body, escaped)
