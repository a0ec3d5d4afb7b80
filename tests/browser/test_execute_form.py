"""The execute form follows each input's client hints and schema (§17.2.4 clientHints)."""

import re
from typing import Any

import pytest
from playwright.sync_api import Page, expect

from apps.accounts.models import User
from apps.jobs.models import Job
from apps.processes.models import ExecutionUnitType, Process, ProcessState
from apps.processes.registry import client_hints_parameters
from tests.browser.test_modes import sign_in

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True),
    pytest.mark.usefixtures("default_access_rules"),
]


def _input(schema: dict[str, Any], hint: str | None = None, **extra: Any) -> dict[str, Any]:
    described: dict[str, Any] = {"title": extra.pop("title", ""), "schema": schema, **extra}
    described.setdefault("minOccurs", 1)
    described.setdefault("maxOccurs", 1)
    if hint:
        described["additionalParameters"] = client_hints_parameters({"htmlInputType": hint})
    return described


@pytest.fixture
def survey_process() -> Process:
    inputs = {
        "notes": _input({"type": "string"}, "textarea"),
        "sensor": _input({"type": "string", "enum": ["S1", "S2", "RCM"]}, "radio"),
        "level": _input({"type": "integer", "minimum": 1, "maximum": 5, "default": 3}, "range"),
        "acquired": _input({"type": "string", "format": "date"}),
        "contact": _input({"type": "string", "format": "email"}),
        "scenes": _input({"type": "string"}, maxOccurs="unbounded"),
        "area": _input(
            {"type": "object", "format": "ogc-bbox", "properties": {"bbox": {"type": "array"}}}
        ),
    }
    description = {
        "id": "survey",
        "title": "Survey",
        "version": "1.0.0",
        "jobControlOptions": ["async-execute"],
        "inputs": inputs,
        "outputs": {"result": {"schema": {"type": "object"}}},
    }
    return Process.objects.create(
        identifier="survey",
        title="Survey",
        description=description,
        execution_unit={"function": "echo"},
        execution_unit_type=ExecutionUnitType.BUILTIN,
        job_control_options=["async-execute"],
        state=ProcessState.PUBLISHED,
    )


def test_widgets_follow_client_hints_and_formats(
    live_server, alice: User, survey_process: Process, page: Page
) -> None:
    # given alice on the page of a process whose inputs carry client hints
    sign_in(page, live_server.url, "alice")
    page.goto(f"{live_server.url}/ogcapi/processes/survey?f=html")

    # then each input has the widget its hint or schema asks for
    expect(page.locator("textarea#input-notes")).to_be_visible()
    expect(page.locator("#input-sensor input[type=radio]")).to_have_count(3)
    expect(page.locator("input#input-level")).to_have_attribute("type", "range")
    expect(page.locator("input#input-acquired")).to_have_attribute("type", "date")
    expect(page.locator("input#input-contact")).to_have_attribute("type", "email")
    expect(page.locator("#input-area-map.leaflet-container")).to_be_visible()

    # when she fills them in, adds a second scene and runs it
    page.fill("#input-notes", "Flooded fields\nnear the river")
    page.check("#input-sensor input[value='\"RCM\"']")
    page.locator("#input-level").evaluate("element => { element.value = 5; }")
    page.fill("#input-acquired", "2026-03-01")
    page.fill("#input-contact", "alice@example.org")
    page.fill("#input-scenes-0", "S1A_IW_GRDH_0001")
    page.click("#input-scenes-add")
    page.fill("#input-scenes-1", "S1A_IW_GRDH_0002")
    page.fill("#input-area", "4.8, 52.3, 5.0, 52.4")
    page.click("#execute-submit")

    # then the job carries each value with the schema's type
    expect(page).to_have_url(re.compile(r"/ogcapi/jobs/[0-9a-f-]+\?f=html$"))
    job = Job.objects.get()
    assert job.inputs == {
        "notes": "Flooded fields\nnear the river",
        "sensor": "RCM",
        "level": 5,
        "acquired": "2026-03-01",
        "contact": "alice@example.org",
        "scenes": ["S1A_IW_GRDH_0001", "S1A_IW_GRDH_0002"],
        "area": {"bbox": [4.8, 52.3, 5.0, 52.4]},
    }


def test_inputs_can_be_prefilled_from_the_address(
    live_server, alice: User, survey_process: Process, page: Page
) -> None:
    sign_in(page, live_server.url, "alice")

    page.goto(f"{live_server.url}/ogcapi/processes/survey?f=html&input.contact=bob%40example.org")

    expect(page.locator("#input-contact")).to_have_value("bob@example.org")
