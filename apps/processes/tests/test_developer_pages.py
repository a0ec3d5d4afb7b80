"""Developer mode pages (§21.1.1) and the administrators' review queue (§6.8 note)."""

import json
from collections.abc import Callable
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.db.models import QuerySet
from django.test.utils import CaptureQueriesContext

from apps.accounts.models import Role, User
from apps.jobs.models import Job, JobStatus
from apps.processes.cwl import cwl_load
from apps.processes.models import (
    ExecutionUnitType,
    Process,
    ProcessRevision,
    ProcessState,
    RevisionState,
)
from apps.processes.packages import package_read
from apps.processes.services import (
    process_publish,
    process_replace,
    process_submit,
)
from apps.processes.tests.package_examples import ndvi_package, python_package
from apps.processes.tests.test_cwl import SHOUT
from tests.clients import session_client_of
from tests.ogc import deployed

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("default_access_rules")]

DEVELOPER_PAGES = (
    "/developer/apps/",
    "/developer/deploy/",
    "/developer/statistics/",
    "/developer/apps/scale-values/",
    "/developer/apps/scale-values/replace",
    "/developer/apps/scale-values/undeploy",
)
REVIEW_PAGES = ("/manage/apps/", "/manage/apps/scale-values/")


def table_row(page: str, row_id: str) -> str:
    start = page.index(f'<tr id="{row_id}"')
    return page[start : page.index("</tr>", start)]


def deployed_apps() -> QuerySet[Process]:
    return Process.objects.exclude(execution_unit_type=ExecutionUnitType.BUILTIN)


def docker_package(identifier: str, image: str) -> dict[str, Any]:
    package = ndvi_package()
    package["processDescription"]["id"] = identifier
    package["executionUnit"] = [{"type": "docker", "unit": image, "config": {"cpuMin": 2}}]
    return package


def published(developer: User, administrator: User, package: dict[str, Any]) -> Process:
    process = deployed(developer, package)
    process_submit(user=developer, process=process)
    return process_publish(user=administrator, process=process)


def job_of(process: Process, owner: User, status: str, seconds: float) -> Job:
    return Job.objects.create(
        owner=owner,
        process=process,
        process_identifier=process.identifier,
        process_version=process.version,
        status=status,
        duration_seconds=seconds,
    )


def formset_fields(prefix: str, rows: list[dict[str, str]]) -> dict[str, str]:
    fields = {
        f"{prefix}-TOTAL_FORMS": str(len(rows)),
        f"{prefix}-INITIAL_FORMS": "0",
        f"{prefix}-MIN_NUM_FORMS": "0",
        f"{prefix}-MAX_NUM_FORMS": "1000",
    }
    for index, row in enumerate(rows):
        fields.update({f"{prefix}-{index}-{name}": value for name, value in row.items()})
    return fields


def input_row(identifier: str, kind: str, **fields: str) -> dict[str, str]:
    return {
        "identifier": identifier,
        "title": fields.pop("title", identifier.capitalize()),
        "type": kind,
        "separator": fields.pop("separator", "space"),
        "required": fields.pop("required", "on"),
        **fields,
    }


def guided_fields(**details: str) -> dict[str, str]:
    """The guided form of an NDVI container: a file input, a band and a boolean flag."""
    inputs = [
        input_row(
            "source",
            "file",
            title="Sentinel-2 product",
            media_type="application/zip",
            argument_prefix="--source",
            separator="equals",
            position="1",
        ),
        input_row("band", "integer", default="4", argument_prefix="-b", required=""),
        input_row("verbose", "boolean", required=""),
        {"type": "string", "separator": "space", "required": "on"},
    ]
    outputs = [
        {"identifier": "raster", "title": "NDVI raster", "type": "file"},
        {"type": "string"},
    ]
    return {
        "source": "guided",
        "identifier": "ndvi-guided",
        "version": "2.1.0",
        "title": "NDVI, guided",
        "description": "NDVI of a Sentinel-2 product.",
        "keywords": "NDVI, Sentinel-2, ",
        "unit_type": "docker",
        "image": "eoc/ndvi:2.1.0",
        "command": "python /app/ndvi.py --quiet",
        "callable": "",
        "cpu_min": "1",
        "cpu_max": "2.5",
        "memory_max": "4",
        "job_timeout": "600",
        **formset_fields("inputs", inputs),
        **formset_fields("outputs", outputs),
        **details,
    }


@pytest.fixture
def erin(make_user: Callable[..., User]) -> User:
    return make_user("erin", roles=(Role.USER, Role.DEVELOPER))


@pytest.fixture
def scale_values(dana: User) -> Process:
    return deployed(dana, python_package())


# --- Who may see what --------------------------------------------------------------------


@pytest.mark.usefixtures("scale_values")
@pytest.mark.parametrize("path", DEVELOPER_PAGES + REVIEW_PAGES)
def test_a_user_without_the_role_is_refused(alice: User, path: str) -> None:
    response = session_client_of(alice).get(path)

    assert response.status_code == 403
    assert b"Error 403" in response.content


@pytest.mark.usefixtures("scale_values")
@pytest.mark.parametrize("path", REVIEW_PAGES)
def test_a_developer_is_refused_the_review_queue(dana: User, path: str) -> None:
    assert session_client_of(dana).get(path).status_code == 403


@pytest.mark.parametrize("path", ["/developer/apps/", "/developer/deploy/", "/manage/apps/"])
def test_anonymous_visitors_are_asked_to_sign_in(path: str) -> None:
    response = session_client_of(None).get(path)

    assert response.status_code == 302
    assert response["Location"] == f"/accounts/login/?next={path}"


def test_a_refused_action_changes_nothing(alice: User, scale_values: Process) -> None:
    response = session_client_of(alice).post("/developer/apps/scale-values/submit")

    assert response.status_code == 403
    scale_values.refresh_from_db()
    assert scale_values.state == ProcessState.PRIVATE


def test_a_developer_lists_only_her_applications(dana: User, erin: User) -> None:
    # given an application of dana's and one of erin's
    deployed(dana, python_package("dana-scale"))
    deployed(erin, python_package("erin-scale"))

    # when dana opens her applications
    client = session_client_of(dana)
    page = client.get("/developer/apps/").content.decode()

    # then she sees hers, not erin's, which she cannot open either
    assert 'id="app-dana-scale"' in page
    assert "erin-scale" not in page
    assert client.get("/developer/apps/erin-scale/").status_code == 404
    assert client.post("/developer/apps/erin-scale/submit").status_code == 404
    assert Process.objects.get(identifier="erin-scale").state == ProcessState.PRIVATE


def test_the_application_list_shows_state_versions_and_pending_revisions(
    dana: User, administrator: User
) -> None:
    # given a published app with a rejected new revision, and a private app
    process = published(dana, administrator, docker_package("ndvi-snap", "eoc/ndvi:1.0"))
    process_replace(
        user=dana,
        process=process,
        package=package_read(docker_package("ndvi-snap", "eoc/ndvi:1.1")),
    )
    process_submit(user=dana, process=process)
    session_client_of(administrator).post(
        "/manage/apps/ndvi-snap/reject", {"reason": "Pin the GDAL version."}
    )
    deployed(dana, python_package())

    # when dana lists her applications
    page = session_client_of(dana).get("/developer/apps/").content.decode()

    # then each row says where the app stands
    ndvi_row = table_row(page, "app-ndvi-snap")
    assert 'data-state="published"' in ndvi_row
    assert 'data-pending-state="rejected"' in ndvi_row
    assert "new revision rejected" in ndvi_row
    assert "Revision 2: Pin the GDAL version." in ndvi_row
    assert 'data-action="submit"' in ndvi_row
    scale_row = table_row(page, "app-scale-values")
    assert 'data-state="private"' in scale_row
    assert "data-pending-state" not in scale_row


def test_the_application_list_is_paginated(dana: User) -> None:
    for number in range(23):
        deployed(dana, python_package(f"scale-{number:02d}"))

    first = session_client_of(dana).get("/developer/apps/").content.decode()
    second = session_client_of(dana).get("/developer/apps/?page=2").content.decode()

    assert first.count('<tr id="app-') == 20
    assert second.count('<tr id="app-') == 3
    assert "Page 1 of 2" in first


def test_the_application_list_reads_no_more_for_more_applications(
    dana: User, django_assert_num_queries: Callable[..., Any]
) -> None:
    deployed(dana, python_package("scale-00"))
    client = session_client_of(dana)
    client.get("/developer/apps/")  # what only a session's first page reads
    with CaptureQueriesContext(connection) as one_app:
        client.get("/developer/apps/")
    for number in range(1, 6):
        deployed(dana, python_package(f"scale-{number:02d}"))

    with django_assert_num_queries(len(one_app.captured_queries)):
        page = client.get("/developer/apps/").content.decode()

    assert page.count('<tr id="app-') == 6


# --- Deploying ---------------------------------------------------------------------------


def test_an_invalid_pasted_package_shows_every_problem_and_deploys_nothing(dana: User) -> None:
    # given a package without outputs whose image is not an image reference
    package = docker_package("broken", "Not An Image!")
    package["processDescription"]["outputs"] = []
    text = json.dumps(package, indent=2)

    # when dana pastes it
    response = session_client_of(dana).post(
        "/developer/deploy/", {"source": "paste", "package": text}
    )

    # then the page lists both problems beside her text, and nothing is deployed
    assert response.status_code == 200
    page = response.content.decode()
    assert 'id="package-problems"' in page
    assert "2 problems stop" in page
    assert "The process declares no outputs." in page
    assert "is not an image reference" in page
    assert response.context["text_form"]["package"].value() == text
    assert response.context["source"] == "paste"
    assert not deployed_apps().exists()


def test_a_pasted_package_deploys_and_leads_to_its_page(dana: User) -> None:
    response = session_client_of(dana).post(
        "/developer/deploy/",
        {"source": "paste", "package": json.dumps(python_package())},
        follow=True,
    )

    assert response.redirect_chain == [("/developer/apps/scale-values/", 302)]
    assert "Scale values is deployed." in response.content.decode()
    process = Process.objects.get(identifier="scale-values")
    assert (process.owner, process.state) == (dana, ProcessState.PRIVATE)


def test_an_uploaded_package_deploys(dana: User) -> None:
    upload = SimpleUploadedFile("ndvi.json", json.dumps(ndvi_package()).encode())

    response = session_client_of(dana).post(
        "/developer/deploy/", {"source": "upload", "package_file": upload}
    )

    assert response.status_code == 302
    assert response["Location"] == "/developer/apps/NdviCalculation/"
    assert (
        Process.objects.get(identifier="NdviCalculation").execution_unit["image"]
        == "eoc/ndvi:latest"
    )


def test_a_failed_upload_moves_the_file_text_to_the_paste_tab(dana: User) -> None:
    text = "processDescription:\n  id: no-unit\n"
    upload = SimpleUploadedFile("no-unit.yaml", text.encode())

    response = session_client_of(dana).post(
        "/developer/deploy/", {"source": "upload", "package_file": upload}
    )

    assert response.context["source"] == "paste"
    assert response.context["text_form"]["package"].value() == text
    assert "The content of <strong>no-unit.yaml</strong> is below" in response.content.decode()
    assert "`executionUnit` is missing or not an object." in response.context["problems"]
    assert not deployed_apps().exists()


def test_a_deployed_identifier_cannot_be_deployed_twice(dana: User, scale_values: Process) -> None:
    response = session_client_of(dana).post(
        "/developer/deploy/", {"source": "paste", "package": json.dumps(python_package())}
    )

    assert response.status_code == 200
    assert response.context["problems"] == [
        "An application 'scale-values' exists already: choose another identifier, "
        "or replace its package from its page if it is yours."
    ]
    assert deployed_apps().count() == 1


def test_the_guided_form_deploys_the_package_it_describes(dana: User) -> None:
    # when dana fills in the guided form (one input and one output row left empty)
    response = session_client_of(dana).post("/developer/deploy/", guided_fields())

    # then the process has the description and execution unit the fields describe
    assert response.status_code == 302
    assert response["Location"] == "/developer/apps/ndvi-guided/"
    process = Process.objects.get(identifier="ndvi-guided")
    assert (process.owner, process.version, process.title) == (dana, "2.1.0", "NDVI, guided")
    assert process.execution_unit == {
        "type": "docker",
        "image": "eoc/ndvi:2.1.0",
        "command": ["python", "/app/ndvi.py", "--quiet"],
        "config": {"cpuMin": 1, "cpuMax": 2.5, "memoryMax": 4, "jobTimeout": 600},
    }
    description = process.description
    assert description["description"] == "NDVI of a Sentinel-2 product."
    assert description["keywords"] == ["NDVI", "Sentinel-2"]
    assert description["jobTimeout"] == 600
    assert description["inputs"] == {
        "source": {
            "title": "Sentinel-2 product",
            "schema": {
                "type": "string",
                "contentEncoding": "binary",
                "contentMediaType": "application/zip",
            },
            "minOccurs": 1,
            "maxOccurs": 1,
            "additionalParameters": [
                {
                    "role": "inputBinding",
                    "parameters": [
                        {"name": "position", "value": [1]},
                        {"name": "prefix", "value": ["--source"]},
                        {"name": "argumentSeparator", "value": ["="]},
                    ],
                }
            ],
        },
        "band": {
            "title": "Band",
            "schema": {"type": "integer", "default": 4},
            "minOccurs": 0,
            "maxOccurs": 1,
            "additionalParameters": [
                {"role": "inputBinding", "parameters": [{"name": "prefix", "value": ["-b"]}]}
            ],
        },
        "verbose": {
            "title": "Verbose",
            "schema": {"type": "boolean"},
            "minOccurs": 0,
            "maxOccurs": 1,
        },
    }
    assert description["outputs"] == {
        "raster": {
            "title": "NDVI raster",
            "schema": {"type": "string", "contentEncoding": "binary"},
        }
    }


def test_the_guided_form_deploys_a_python_unit(dana: User) -> None:
    fields = guided_fields(identifier="scale", unit_type="python")
    fields["callable"] = "apps.processes.examples:scale"
    fields.update(
        formset_fields(
            "inputs",
            [
                input_row("values", "number", multiple="on"),
                input_row("factor", "number", required="", argument_prefix="ignored"),
            ],
        )
    )
    fields.update(formset_fields("outputs", [{"identifier": "total", "type": "number"}]))

    response = session_client_of(dana).post("/developer/deploy/", fields)

    assert response.status_code == 302
    process = Process.objects.get(identifier="scale")
    assert process.execution_unit == {"type": "python", "callable": "apps.processes.examples:scale"}
    assert process.description["inputs"]["values"] == {
        "title": "Values",
        "schema": {"type": "number"},
        "minOccurs": 1,
        "maxOccurs": "unbounded",
    }
    assert "additionalParameters" not in process.description["inputs"]["factor"]


def test_guided_form_problems_are_listed_and_the_fields_kept(dana: User) -> None:
    fields = guided_fields(identifier="ndvi guided", image="", cpu_min="-1")
    fields["inputs-1-default"] = "four"

    response = session_client_of(dana).post("/developer/deploy/", fields)

    assert response.status_code == 200
    assert response.context["problems"] == [
        "Identifier: Use letters, digits, '.', '_' or '-', starting with a letter or digit.",
        "CPU cores, minimum: Ensure this value is greater than or equal to 0.",
        "Container image: A docker unit needs a container image.",
        "Input 2, Default: 'four' is not a value of type Whole number.",
    ]
    page = response.content.decode()
    assert 'value="ndvi guided"' in page
    assert 'class="form-control is-invalid"' in page
    assert 'value="--source"' in page
    assert not deployed_apps().exists()


def test_the_guided_preview_shows_the_package_and_what_is_wrong(dana: User) -> None:
    fields = guided_fields(image="eoc/NDVI")

    answer = session_client_of(dana).post("/developer/deploy/preview", fields).json()

    assert answer["package"]["processDescription"]["id"] == "ndvi-guided"
    assert answer["package"]["executionUnit"]["image"] == "eoc/NDVI"
    assert answer["problems"] == [
        "The container image 'eoc/NDVI' is not an image reference "
        "([registry/]name[:tag][@sha256:digest])."
    ]
    assert not deployed_apps().exists()


# --- Submitting, replacing and undeploying ---------------------------------------------


def test_submit_then_withdraw(dana: User, scale_values: Process) -> None:
    client = session_client_of(dana)

    submitted = client.post(
        "/developer/apps/scale-values/submit", {"next": "/developer/apps/"}, follow=True
    )
    scale_values.refresh_from_db()
    assert scale_values.state == ProcessState.SUBMITTED
    assert submitted.redirect_chain == [("/developer/apps/", 302)]
    assert "Scale values is submitted for review" in submitted.content.decode()

    again = client.post("/developer/apps/scale-values/submit", follow=True)
    assert "The application is already waiting for review." in again.content.decode()

    withdrawn = client.post("/developer/apps/scale-values/withdraw", follow=True)
    scale_values.refresh_from_db()
    assert scale_values.state == ProcessState.PRIVATE
    assert withdrawn.redirect_chain == [("/developer/apps/scale-values/", 302)]
    assert "Scale values is no longer waiting for review." in withdrawn.content.decode()


def test_next_must_stay_on_the_site(dana: User, scale_values: Process) -> None:
    response = session_client_of(dana).post(
        "/developer/apps/scale-values/submit", {"next": "https://elsewhere.example/"}
    )

    assert response["Location"] == "/developer/apps/scale-values/"


def test_replacing_a_published_app_keeps_a_draft(dana: User, administrator: User) -> None:
    published(dana, administrator, docker_package("ndvi-snap", "eoc/ndvi:1.0"))
    client = session_client_of(dana)
    form = client.get("/developer/apps/ndvi-snap/replace")
    assert '"image": "eoc/ndvi:1.0"' in form.context["text_form"]["package"].value()

    response = client.post(
        "/developer/apps/ndvi-snap/replace",
        {"source": "paste", "package": json.dumps(docker_package("ndvi-snap", "eoc/ndvi:1.1"))},
        follow=True,
    )

    assert "Revision 2 is saved as a draft." in response.content.decode()
    process = Process.objects.get(identifier="ndvi-snap")
    assert process.execution_unit["image"] == "eoc/ndvi:1.0"
    assert process.revisions.get(number=2).state == RevisionState.DRAFT


def test_replacing_with_another_identifier_is_refused(dana: User, scale_values: Process) -> None:
    response = session_client_of(dana).post(
        "/developer/apps/scale-values/replace",
        {"source": "paste", "package": json.dumps(python_package("other"))},
    )

    assert response.context["problems"] == ["The package describes 'other', not 'scale-values'."]
    assert scale_values.revisions.count() == 1


def test_undeploy_asks_then_removes(dana: User, scale_values: Process) -> None:
    client = session_client_of(dana)

    question = client.get("/developer/apps/scale-values/undeploy")
    assert 'id="confirm-undeploy"' in question.content.decode()
    assert Process.objects.filter(identifier="scale-values").exists()

    response = client.post("/developer/apps/scale-values/undeploy", follow=True)
    assert response.redirect_chain == [("/developer/apps/", 302)]
    assert "Scale values is undeployed." in response.content.decode()
    assert not Process.objects.filter(identifier="scale-values").exists()


# --- Review ------------------------------------------------------------------------------


def test_the_queue_lists_what_waits_for_review(
    dana: User, administrator: User, scale_values: Process
) -> None:
    # given a submitted app, a published app with a submitted revision, and a private app
    process_submit(user=dana, process=scale_values)
    ndvi = published(dana, administrator, docker_package("ndvi-snap", "eoc/ndvi:1.0"))
    process_replace(
        user=dana, process=ndvi, package=package_read(docker_package("ndvi-snap", "eoc/ndvi:1.1"))
    )
    process_submit(user=dana, process=ndvi)
    deployed(dana, python_package("still-private"))

    page = session_client_of(administrator).get("/manage/apps/").content.decode()

    assert 'id="review-scale-values"' in page
    assert 'id="review-ndvi-snap"' in page
    assert "still-private" not in page
    assert "2 waiting" in page
    assert "revision 2" in page


def cwl_tool(identifier: str, label: str = "Shout") -> dict[str, Any]:
    document = cwl_load(SHOUT)
    document["id"], document["label"] = identifier, label
    return document


def test_the_queue_reads_no_more_and_validates_nothing_for_more_applications(
    dana: User,
    administrator: User,
    cwl_validations: list[object],
    django_assert_num_queries: Callable[..., Any],
) -> None:
    # given one submitted CWL application in the queue
    process_submit(user=dana, process=deployed(dana, cwl_tool("shout-a")))
    client = session_client_of(administrator)
    with CaptureQueriesContext(connection) as one_waiting:
        client.get("/manage/apps/")
    queries_for_one = len(one_waiting.captured_queries)

    # when another is submitted, and a published one's new revision too
    process_submit(user=dana, process=deployed(dana, cwl_tool("shout-b")))
    shout_c = published(dana, administrator, cwl_tool("shout-c"))
    process_replace(user=dana, process=shout_c, package=package_read(cwl_tool("shout-c", "Loud")))
    process_submit(user=dana, process=shout_c)
    cwl_validations.clear()
    with django_assert_num_queries(queries_for_one):
        page = client.get("/manage/apps/").content.decode()

    # then the queue lists the three with the checks found at submission, validating nothing
    assert page.count('<tr id="review-') == 3
    assert "revision 2" in table_row(page, "review-shout-c")
    for identifier in ("shout-a", "shout-b", "shout-c"):
        assert "1 of 2 failed" in table_row(page, f"review-{identifier}")
    assert cwl_validations == []


def test_an_app_replaced_while_waiting_for_review_is_queued_with_its_new_checks(
    dana: User, administrator: User
) -> None:
    # given a submitted CWL application
    process = deployed(dana, cwl_tool("shout-a"))
    process_submit(user=dana, process=process)

    # when its developer replaces it while it waits
    process_replace(user=dana, process=process, package=package_read(cwl_tool("shout-a", "Loud")))

    # then the queue shows the checks of the new revision
    page = session_client_of(administrator).get("/manage/apps/").content.decode()
    row = table_row(page, "review-shout-a")
    assert "Loud" in row
    assert "1 of 2 failed" in row


def test_a_revision_submitted_without_kept_checks_is_checked_on_its_page(
    dana: User, administrator: User, scale_values: Process
) -> None:
    # given an application submitted before the checks were kept at submission
    process_submit(user=dana, process=scale_values)
    ProcessRevision.objects.filter(process=scale_values).update(review_checks=[])

    page = session_client_of(administrator).get("/manage/apps/").content.decode()
    review = session_client_of(administrator).get("/manage/apps/scale-values/").content.decode()

    assert "checked on its page" in table_row(page, "review-scale-values")
    assert 'data-passed="true"' in review


def test_a_new_application_is_reviewed_as_new_and_published(
    dana: User, administrator: User, scale_values: Process
) -> None:
    process_submit(user=dana, process=scale_values)
    client = session_client_of(administrator)

    review = client.get("/manage/apps/scale-values/").content.decode()
    assert 'id="review-new"' in review
    assert 'id="review-diff"' not in review
    assert 'data-passed="true"' in review
    assert "apps.processes.examples:scale" in review

    response = client.post("/manage/apps/scale-values/publish", follow=True)
    assert response.redirect_chain == [("/manage/apps/", 302)]
    assert "Scale values is published" in response.content.decode()
    scale_values.refresh_from_db()
    assert scale_values.state == ProcessState.PUBLISHED


def test_a_rejection_needs_a_reason(dana: User, administrator: User, scale_values: Process) -> None:
    process_submit(user=dana, process=scale_values)
    client = session_client_of(administrator)

    refused = client.post("/manage/apps/scale-values/reject", {"reason": "  "}, follow=True)
    assert refused.redirect_chain == [("/manage/apps/scale-values/", 302)]
    assert "Give the developer a reason for the rejection." in refused.content.decode()
    scale_values.refresh_from_db()
    assert scale_values.state == ProcessState.SUBMITTED

    client.post("/manage/apps/scale-values/reject", {"reason": "Describe the factor input."})
    scale_values.refresh_from_db()
    assert (scale_values.state, scale_values.rejection_reason) == (
        ProcessState.REJECTED,
        "Describe the factor input.",
    )
    developer_page = session_client_of(dana).get("/developer/apps/scale-values/").content.decode()
    assert "Describe the factor input." in developer_page


def test_the_review_of_a_new_revision_shows_the_changed_image(
    dana: User, administrator: User
) -> None:
    # given a published app whose developer submitted a package with another image
    ndvi = published(dana, administrator, docker_package("ndvi-snap", "eoc/ndvi:1.0"))
    process_replace(
        user=dana, process=ndvi, package=package_read(docker_package("ndvi-snap", "eoc/ndvi:1.1"))
    )
    process_submit(user=dana, process=ndvi)

    # when the administrator opens its review
    response = session_client_of(administrator).get("/manage/apps/ndvi-snap/")

    # then the diff removes the published image line and adds the submitted one
    kinds = {line.text: line.kind for line in response.context["diff"]}
    assert kinds['-    "image": "eoc/ndvi:1.0",'] == "removed"
    assert kinds['+    "image": "eoc/ndvi:1.1",'] == "added"
    assert sum(kind in ("added", "removed") for kind in kinds.values()) == 2
    page = response.content.decode()
    assert "new revision 2 of a published application" in page
    assert (
        '<span class="d-block px-2 diff-added bg-success-subtle text-success-emphasis">'
        "+    &quot;image&quot;: &quot;eoc/ndvi:1.1&quot;,</span>"
    ) in page

    # and publishing it makes the new image the one users run
    session_client_of(administrator).post("/manage/apps/ndvi-snap/publish")
    ndvi.refresh_from_db()
    assert ndvi.execution_unit["image"] == "eoc/ndvi:1.1"
    assert ndvi.revisions.get(number=1).state == RevisionState.SUPERSEDED


def test_an_application_with_nothing_to_review_goes_back_to_the_queue(
    administrator: User, scale_values: Process
) -> None:
    response = session_client_of(administrator).get("/manage/apps/scale-values/", follow=True)

    assert response.redirect_chain == [("/manage/apps/", 302)]
    assert "Scale values has nothing waiting for review." in response.content.decode()


# --- Statistics --------------------------------------------------------------------------


def test_statistics_count_runs_users_success_and_durations(
    dana: User, alice: User, make_user: Callable[..., User], scale_values: Process
) -> None:
    # given four jobs of two users: three successful, one failed
    bob = make_user("bob")
    for owner, status, seconds in (
        (alice, JobStatus.SUCCESSFUL, 10.0),
        (alice, JobStatus.SUCCESSFUL, 20.0),
        (bob, JobStatus.SUCCESSFUL, 30.0),
        (alice, JobStatus.FAILED, 5.0),
    ):
        job_of(scale_values, owner, status, seconds)

    # when dana opens the application and her statistics
    page = session_client_of(dana).get("/developer/apps/scale-values/").content.decode()
    overview = session_client_of(dana).get("/developer/statistics/")

    # then: 4 runs, 2 users, 3 of 4 finished jobs successful, mean of the successful 20 s,
    # and the 95th percentile of the four durations 20 + 0.85 * (30 - 20)
    assert 'id="stat-runs">4<' in page
    assert "3 successful · 1 failed" in page
    assert 'id="stat-users">2<' in page
    assert 'id="stat-success-rate">75 %<' in page
    assert 'id="stat-mean">20.0 s<' in page
    assert 'id="stat-p95">28.5 s<' in page
    assert 'id="statistics-weeks"' in page
    assert 'style="height: 100%; min-height: 2px"' in page
    assert 'id="statistics-scale-values"' in overview.content.decode()
    ((process, summary),) = overview.context["rows"]
    assert process == scale_values
    assert (summary.runs, summary.users, summary.successful, summary.failed) == (4, 2, 3, 1)
    assert (summary.success_rate, summary.mean_duration, summary.p95_duration) == (
        "75 %",
        "20.0 s",
        "28.5 s",
    )


def test_the_statistics_page_reads_no_more_for_more_applications(
    dana: User, alice: User, django_assert_num_queries: Callable[..., Any]
) -> None:
    # given one application run once
    job_of(deployed(dana, python_package("scale-00")), alice, JobStatus.SUCCESSFUL, 4.0)
    client = session_client_of(dana)
    with CaptureQueriesContext(connection) as one_app:
        client.get("/developer/statistics/")
    queries_for_one = len(one_app.captured_queries)

    # when two more are deployed, one run twice and one never
    scale_01 = deployed(dana, python_package("scale-01"))
    job_of(scale_01, alice, JobStatus.SUCCESSFUL, 10.0)
    job_of(scale_01, dana, JobStatus.FAILED, 2.0)
    deployed(dana, python_package("scale-02"))
    with django_assert_num_queries(queries_for_one):
        response = client.get("/developer/statistics/")

    # then each row counts and times its own application's jobs
    summaries = {process.identifier: summary for process, summary in response.context["rows"]}
    assert {
        identifier: (summary.runs, summary.users, summary.successful, summary.failed)
        for identifier, summary in summaries.items()
    } == {"scale-00": (1, 1, 1, 0), "scale-01": (2, 2, 1, 1), "scale-02": (0, 0, 0, 0)}
    assert {
        identifier: (summary.success_rate, summary.mean_duration, summary.p95_duration)
        for identifier, summary in summaries.items()
    } == {
        "scale-00": ("100 %", "4.0 s", "4.0 s"),
        "scale-01": ("50 %", "10.0 s", "9.6 s"),
        "scale-02": ("—", "—", "—"),
    }


def test_an_application_never_run_says_so(dana: User, scale_values: Process) -> None:
    page = session_client_of(dana).get("/developer/apps/scale-values/").content.decode()

    assert 'id="stat-runs">0<' in page
    assert 'id="stat-success-rate">—<' in page
    assert "Nobody has run this application yet." in page


def test_an_administrator_may_manage_any_application(
    administrator: User, scale_values: Process
) -> None:
    client = session_client_of(administrator)

    page = client.get("/developer/apps/scale-values/").content.decode()
    client.post("/developer/apps/scale-values/submit")

    assert "by dana" in page
    scale_values.refresh_from_db()
    assert scale_values.state == ProcessState.SUBMITTED
