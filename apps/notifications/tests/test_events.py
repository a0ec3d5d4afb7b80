from datetime import UTC, datetime

import pytest

from apps.notifications.events import (
    EVENT_SPECS,
    MissingEventPropertiesError,
    UnexpectedEventPropertiesError,
    UnknownEventTypeError,
    event_body,
    event_title,
    record_event,
)
from apps.notifications.models import Event, EventProperty, EventType

pytestmark = pytest.mark.django_db

SAMPLE_VALUES = {
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
}


def test_there_are_the_seventeen_types_of_the_specification() -> None:
    assert len(EventType.values) == 17
    assert set(EVENT_SPECS) == set(EventType.values)


@pytest.mark.parametrize("event_type", EventType.values)
def test_every_type_records_with_its_required_properties(event_type: str) -> None:
    spec = EVENT_SPECS[event_type]
    properties = {name: SAMPLE_VALUES[name] for name in spec.required}

    event = record_event(event_type, **properties)

    stored = Event.objects.get(pk=event.pk).property_dict()
    assert set(stored) == set(spec.required)
    assert event.event_type == event_type
    assert "{" not in event_title(event)


def test_unknown_type_is_refused_and_nothing_written() -> None:
    with pytest.raises(UnknownEventTypeError, match="Unknown event type 'jobExploded'"):
        record_event("jobExploded", username="alice")
    assert not Event.objects.exists()


def test_missing_properties_are_all_named_and_nothing_written() -> None:
    with pytest.raises(MissingEventPropertiesError) as missing:
        record_event(EventType.JOB_COMPLETED, username="alice", jobId="7f1c")
    assert str(missing.value) == "An event of type jobCompleted needs startedOn, jobUrl."
    assert not Event.objects.exists()
    assert not EventProperty.objects.exists()


def test_undefined_property_is_refused() -> None:
    with pytest.raises(UnexpectedEventPropertiesError, match="no property colour"):
        record_event(EventType.APP_REMOVED, appTitle="NDVI", colour="green")
    assert not Event.objects.exists()


def test_optional_properties_and_text_values() -> None:
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
    properties = event.property_dict()
    assert properties["bbox"] == "-10.5,40,5,52.25"
    assert properties["dataTypes"] == "raster,optical"
    assert "sharedWith" not in properties


def test_datetimes_are_iso_8601() -> None:
    event = record_event(
        EventType.JOB_FAILED,
        username="alice",
        jobId="7f1c",
        startedOn=datetime(2026, 11, 24, 10, 0, tzinfo=UTC),
        jobUrl="https://tep.example/ogcapi/jobs/7f1c",
    )
    assert event.property_dict()["startedOn"] == "2026-11-24T10:00:00+00:00"
    assert event_title(event) == "Job 7f1c has failed."


def test_body_keeps_markup_and_escapes_values() -> None:
    event = record_event(
        EventType.APP_ADDED,
        appUrl="https://tep.example/ogcapi/processes/x",
        appTitle="<script>alert(1)</script>",
        appDescription="Fast & good",
    )
    body = event_body(event)
    assert '<a href="https://tep.example/ogcapi/processes/x">available</a>' in body
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in body
    assert "Fast &amp; good" in body
    assert (
        event_title(event) == 'A new application called "<script>alert(1)</script>" is available.'
    )


def test_quota_title_from_the_specification() -> None:
    event = record_event(
        EventType.QUOTA_WARNING_1,
        username="bob",
        currentNumOfMBytes="375.2",
        quotaNumOfMBytes="500",
    )
    assert event_title(event) == "You have reached 75% of your quota of 500 MB."
