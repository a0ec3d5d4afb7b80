import re
from datetime import UTC, date, datetime
from typing import Any

import pytest
from django.contrib import admin
from django.test import RequestFactory
from pytest_django import DjangoAssertNumQueries

from apps.accounts.models import User
from apps.notifications.events import (
    EVENT_SPECS,
    EventType,
    InvalidEventPropertyError,
    MissingEventPropertiesError,
    UnexpectedEventPropertiesError,
    UnknownEventTypeError,
    event_body,
    event_title,
    record_event,
)
from apps.notifications.models import Event, EventProperty

pytestmark = pytest.mark.django_db

SAMPLE_VALUES: dict[str, Any] = {
    "username": "alice",
    "currentNumOfMBytes": "375.2",
    "quotaNumOfMBytes": "500",
    "jobId": "7f1c",
    "startedOn": "2026-11-24T10:00:00Z",
    "jobUrl": "https://tep.example/ogcapi/jobs/7f1c",
    "appUrl": "https://tep.example/ogcapi/processes/ndvi",
    "appTitle": "NDVI",
    "appDescription": "Vegetation index",
    "fsetName": "s2",
    "fsetTitle": "Sentinel-2",
    "fsetDescription": "Optical imagery",
    "bbox": [-10, 40, 5, 52],
    "dataSetUrl": "https://tep.example/catalogue/s2",
    "webServiceUrl": "https://tep.example/services/alice/collections/s2",
    "owner": "bob",
    "ownerName": "Bob Builder",
    "sharedWith": "alice",
    "dataTypes": ["raster", "optical"],
}
SAMPLE_TEXT = {
    **SAMPLE_VALUES,
    "bbox": "-10,40,5,52",
    "dataTypes": "raster,optical",
}
# The §13.1 identifiers, in the order of the specification.
SPECIFIED_TYPES = [
    "quotaWarning1",
    "quotaWarning2",
    "quotaExceeded",
    "jobCompleted",
    "jobFailed",
    "appAdded",
    "appUpdated",
    "appRemoved",
    "dataSetAdded",
    "dataSetUpdated",
    "dataSetRemoved",
    "webServiceAdded",
    "webServiceUpdated",
    "webServiceRemoved",
    "sharedWebServiceAdded",
    "sharedWebServiceUpdated",
    "sharedWebServiceRemoved",
]
PLACEHOLDER = re.compile(r"\{(\w+)\}")


def _nothing_written() -> bool:
    return not Event.objects.exists() and not EventProperty.objects.exists()


def test_the_types_are_the_seventeen_of_the_specification() -> None:
    assert EventType.values == SPECIFIED_TYPES
    assert list(EVENT_SPECS) == SPECIFIED_TYPES


@pytest.mark.parametrize("event_type", SPECIFIED_TYPES)
def test_templates_use_only_the_properties_of_their_type(event_type: str) -> None:
    # given a type's specification
    spec = EVENT_SPECS[event_type]

    # when the placeholders of its templates are read
    used = set(PLACEHOLDER.findall(spec.title)) | set(PLACEHOLDER.findall(spec.body))

    # then each names a property of the type, and every link in the body is closed
    assert used <= set(spec.properties)
    assert spec.body.count("<a ") == spec.body.count("</a>")


@pytest.mark.parametrize("event_type", SPECIFIED_TYPES)
def test_every_type_records_with_its_required_properties(event_type: str) -> None:
    # given the required properties of the type
    spec = EVENT_SPECS[event_type]
    properties = {name: SAMPLE_VALUES[name] for name in spec.required}

    # when the event is recorded
    event = record_event(event_type, **properties)

    # then one event holds exactly those properties, as text, and its texts are complete
    stored = Event.objects.prefetch_related("properties").get()
    assert (stored.pk, stored.event_type) == (event.pk, event_type)
    assert stored.property_dict() == {name: SAMPLE_TEXT[name] for name in spec.required}
    assert PLACEHOLDER.search(event_title(stored)) is None
    assert PLACEHOLDER.search(event_body(stored)) is None


@pytest.mark.parametrize(
    "event_type", [name for name in SPECIFIED_TYPES if EVENT_SPECS[name].optional]
)
def test_every_type_records_its_optional_properties(event_type: str) -> None:
    # given all properties of a type with optional ones
    spec = EVENT_SPECS[event_type]

    # when the event is recorded with all of them
    event = record_event(event_type, **{name: SAMPLE_VALUES[name] for name in spec.properties})

    # then all are stored
    assert event.property_dict() == {name: SAMPLE_TEXT[name] for name in spec.properties}


def test_optional_properties_are_those_marked_in_the_specification() -> None:
    optional = {name: spec.optional for name, spec in EVENT_SPECS.items() if spec.optional}
    shared = ("sharedWith", "dataTypes")
    assert optional == {
        # the app, data set and web service events
        **dict.fromkeys(SPECIFIED_TYPES[5:14], ("dataTypes",)),
        "sharedWebServiceAdded": shared,
        "sharedWebServiceUpdated": shared,
        "sharedWebServiceRemoved": shared,
    }


def test_unknown_type_is_refused_and_nothing_written() -> None:
    # when an event of an unknown type is recorded
    with pytest.raises(UnknownEventTypeError) as refused:
        record_event("jobExploded", username="alice")

    # then it is a ValueError naming the type, and nothing is written
    assert isinstance(refused.value, ValueError)
    assert str(refused.value) == "Unknown event type 'jobExploded'."
    assert _nothing_written()


def test_missing_properties_are_all_named_and_nothing_written() -> None:
    # when a jobCompleted event lacks two properties, one of them given as None
    with pytest.raises(MissingEventPropertiesError) as missing:
        record_event(EventType.JOB_COMPLETED, username="alice", jobId="7f1c", startedOn=None)

    # then both are named and nothing is written
    assert str(missing.value) == "An event of type jobCompleted needs startedOn, jobUrl."
    assert _nothing_written()


def test_undefined_properties_are_refused_and_nothing_written() -> None:
    # when an appRemoved event carries properties it does not define
    with pytest.raises(UnexpectedEventPropertiesError) as unexpected:
        record_event(EventType.APP_REMOVED, appTitle="NDVI", colour="green", appUrl="x")

    # then they are named and nothing is written
    assert str(unexpected.value) == "An event of type appRemoved has no property appUrl, colour."
    assert _nothing_written()


@pytest.mark.parametrize(
    ("bbox", "stored"),
    [
        ((-10.5, 40, 5, 52.25), "-10.5,40,5,52.25"),
        ([170, -10, -170, 10], "170,-10,-170,10"),  # across the antimeridian
        ("-10, 40, 5, 52", "-10,40,5,52"),
    ],
)
def test_bbox_is_stored_as_text(bbox: Any, stored: str) -> None:
    # when a data set event is recorded with a bbox
    event = record_event(EventType.DATA_SET_REMOVED, fsetName="s2", fsetTitle="S2", bbox=bbox)

    # then it is stored as minx,miny,maxx,maxy
    assert EventProperty.objects.get(event=event, key="bbox").value == stored


@pytest.mark.parametrize("bbox", [(1, 2, 3), "1,2,3,x", (1, 2, 3, float("nan")), 7, {"a": 1}])
def test_malformed_bbox_is_refused_and_nothing_written(bbox: Any) -> None:
    # when a data set event is recorded with a malformed bbox
    with pytest.raises(InvalidEventPropertyError) as invalid:
        record_event(EventType.DATA_SET_REMOVED, fsetName="s2", fsetTitle="S2", bbox=bbox)

    # then it is refused and nothing is written
    assert str(invalid.value) == f"bbox must be four numbers minx,miny,maxx,maxy, not {bbox!r}."
    assert _nothing_written()


def test_optional_none_is_not_stored_and_lists_are_joined() -> None:
    # when a shared web service stops being shared with everybody (sharedWith=None)
    event = record_event(
        EventType.SHARED_WEB_SERVICE_REMOVED,
        owner="bob",
        ownerName="Bob Builder",
        sharedWith=None,
        fsetName="s2",
        fsetTitle="Sentinel-2",
        bbox=(-10.5, 40, 5, 52.25),
        dataTypes=["raster", "optical"],
    )

    # then sharedWith is absent and the lists are comma-separated
    assert event.property_dict() == {
        "owner": "bob",
        "ownerName": "Bob Builder",
        "fsetName": "s2",
        "fsetTitle": "Sentinel-2",
        "bbox": "-10.5,40,5,52.25",
        "dataTypes": "raster,optical",
    }


def test_datetimes_and_dates_are_iso_8601() -> None:
    # when a job event is recorded with a datetime
    event = record_event(
        EventType.JOB_FAILED,
        username="alice",
        jobId="7f1c",
        startedOn=datetime(2026, 11, 24, 10, 0, tzinfo=UTC),
        jobUrl="https://tep.example/ogcapi/jobs/7f1c",
    )
    on_a_day = record_event(
        EventType.JOB_FAILED,
        username="alice",
        jobId="7f1d",
        startedOn=date(2026, 11, 24),
        jobUrl="https://tep.example/ogcapi/jobs/7f1d",
    )

    # then it is stored and shown in ISO 8601
    assert event.property_dict()["startedOn"] == "2026-11-24T10:00:00+00:00"
    assert on_a_day.property_dict()["startedOn"] == "2026-11-24"
    assert event_title(event) == "Job 7f1c has failed."
    assert event_body(event) == (
        "Job 7f1c (started on 2026-11-24T10:00:00+00:00) has failed. Details are available "
        '<a href="https://tep.example/ogcapi/jobs/7f1c">here</a>.'
    )


def test_body_keeps_markup_and_escapes_values() -> None:
    # given an application whose title and description hold markup, and a quoting URL
    event = record_event(
        EventType.APP_ADDED,
        appUrl='https://tep.example/ogcapi/processes/x?a=1&b="2"',
        appTitle="<script>alert(1)</script>",
        appDescription="Fast & good",
    )

    # when the title and body are rendered
    title, body = event_title(event), event_body(event)

    # then the body escapes every value (the title is plain text, escaped where it is shown)
    assert body == (
        'A new application called "&lt;script&gt;alert(1)&lt;/script&gt;" is '
        '<a href="https://tep.example/ogcapi/processes/x?a=1&amp;b=&quot;2&quot;">available</a>. '
        "Its description is as follows: Fast &amp; good"
    )
    assert title == 'A new application called "<script>alert(1)</script>" is available.'


@pytest.mark.parametrize(
    ("event_type", "title"),
    [
        (EventType.QUOTA_WARNING_1, "You have reached 75% of your quota of 500 MB."),
        (EventType.QUOTA_WARNING_2, "You have reached 90% of your quota of 500 MB."),
        (EventType.QUOTA_EXCEEDED, "You have exceeded your quota of 500 MB."),
    ],
)
def test_quota_titles_from_the_specification(event_type: str, title: str) -> None:
    # when a quota event is recorded as §13.4's example
    event = record_event(
        event_type, username="bob", currentNumOfMBytes="375.2", quotaNumOfMBytes="500"
    )

    # then its title reads as §13.1 says
    assert event_title(event) == title


def test_titles_of_the_typo_fixed_templates() -> None:
    # when data set and web service updates are recorded
    data_set = record_event(
        EventType.DATA_SET_UPDATED,
        fsetName="s2",
        fsetTitle="Sentinel-2",
        bbox=[0, 0, 1, 1],
        dataSetUrl="https://tep.example/catalogue/s2",
    )
    stopped = record_event(
        EventType.SHARED_WEB_SERVICE_REMOVED,
        owner="bob",
        ownerName="Bob Builder",
        fsetName="s2",
        fsetTitle="Sentinel-2",
        bbox=[0, 0, 1, 1],
    )

    # then they read in proper English
    assert event_title(data_set) == 'The "Sentinel-2" data set has been updated.'
    assert event_title(stopped) == (
        'User bob has stopped sharing the web service that serves a data set called "Sentinel-2".'
    )


def test_property_dict_reads_prefetched_properties(
    django_assert_num_queries: DjangoAssertNumQueries,
) -> None:
    # given three recorded events
    for job in ("a", "b", "c"):
        record_event(
            EventType.JOB_COMPLETED, username="alice", jobId=job, startedOn="t", jobUrl="u"
        )

    # when they are read with their properties prefetched
    with django_assert_num_queries(2):
        events = list(Event.objects.prefetch_related("properties"))

        # then their properties need no further query, newest first
        assert [event.property_dict()["jobId"] for event in events] == ["c", "b", "a"]


def test_admin_shows_events_but_never_adds_changes_or_deletes(
    rf: RequestFactory, administrator: User
) -> None:
    # given the admin of events and a superuser's request
    administrator.is_superuser = True
    request = rf.get("/admin/notifications/event/")
    request.user = administrator
    event = record_event(EventType.APP_REMOVED, appTitle="NDVI")
    event_admin = admin.site.get_model_admin(Event)

    # when / then it may only be viewed
    assert event_admin.has_view_permission(request, event)
    assert not event_admin.has_add_permission(request)
    assert not event_admin.has_change_permission(request, event)
    assert not event_admin.has_delete_permission(request, event)
