"""Submission and review (§6.8 note): private until published, events, kept revisions."""

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from django.core.management import CommandError, call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext

from apps.accounts.models import User
from apps.jobs.models import JobStatus
from apps.jobs.services import job_run
from apps.notifications.events import EventType
from apps.notifications.models import Event
from apps.processes.models import Process, ProcessState, RevisionState
from apps.processes.tests.package_examples import dsi_package, python_package
from tests import ogc
from tests.clients import client_of
from tests.fixtures import submit_job

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("default_access_rules")]


def deploy(user: User, package: dict[str, Any]) -> None:
    response = ogc.deploy(client_of(user), package)
    assert response.status_code == 201, response.json()


def replace(user: User, package: dict[str, Any]) -> None:
    identifier = package["processDescription"]["id"]
    response = client_of(user).put(
        f"/ogcapi/processes/{identifier}", data=json.dumps(package), content_type=ogc.PACKAGE
    )
    assert response.status_code == 204, response.content


def act(user: User, identifier: str, action: str, **data: str) -> Any:
    return client_of(user).post(f"/api/apps/{identifier}/{action}", data=data, format="json")


def submit_and_publish(developer: User, administrator: User, identifier: str) -> None:
    act(developer, identifier, "submit")
    act(administrator, identifier, "publish")


def events(event_type: str) -> list[dict[str, str]]:
    return [event.property_dict() for event in Event.objects.filter(event_type=event_type)]


def test_submit_then_publish_makes_the_app_public_and_announces_it(
    dana: User, alice: User, administrator: User
) -> None:
    deploy(dana, dsi_package())

    submitted = act(dana, "dsi", "submit")
    queue = client_of(administrator).get("/api/apps/review").json()["applications"]
    published = act(administrator, "dsi", "publish")

    assert submitted.json()["state"] == ProcessState.SUBMITTED
    assert [application["id"] for application in queue] == ["dsi"]
    assert published.json()["state"] == ProcessState.PUBLISHED
    assert client_of(alice).get("/ogcapi/processes/dsi").status_code == 200
    (added,) = events(EventType.APP_ADDED)
    assert added["appTitle"] == "Ship Detection Process"
    assert added["appUrl"].endswith("/ogcapi/processes/dsi?f=html")


def test_a_developer_cannot_publish_their_own_app(dana: User) -> None:
    deploy(dana, dsi_package())
    act(dana, "dsi", "submit")

    response = act(dana, "dsi", "publish")

    assert response.status_code == 403
    assert Process.objects.get(identifier="dsi").state == ProcessState.SUBMITTED


def test_rejection_needs_a_reason_and_tells_the_developer(dana: User, administrator: User) -> None:
    deploy(dana, dsi_package())
    act(dana, "dsi", "submit")

    without_reason = act(administrator, "dsi", "reject")
    rejected = act(administrator, "dsi", "reject", reason="Pin the image to a version.")

    assert without_reason.status_code == 400
    assert (rejected.json()["state"], rejected.json()["rejectionReason"]) == (
        ProcessState.REJECTED,
        "Pin the image to a version.",
    )
    mine = client_of(dana).get("/api/apps/").json()["applications"]
    assert mine[0]["rejectionReason"] == "Pin the image to a version."


def test_withdraw_takes_a_submission_back(dana: User, administrator: User) -> None:
    deploy(dana, dsi_package())
    act(dana, "dsi", "submit")

    withdrawn = act(dana, "dsi", "withdraw")

    assert withdrawn.json()["state"] == ProcessState.PRIVATE
    assert client_of(administrator).get("/api/apps/review").json()["applications"] == []
    assert act(dana, "dsi", "withdraw").status_code == 409


def test_the_review_lists_the_package_checks(dana: User, administrator: User) -> None:
    deploy(dana, dsi_package())
    act(dana, "dsi", "submit")

    review = client_of(administrator).get("/api/apps/dsi").json()["review"]

    checks = {check["name"]: check for check in review}
    assert checks["Image reference"]["passed"] is False
    assert "moving tag" in checks["Image reference"]["detail"]
    assert checks["Resource limits"]["passed"] is True
    assert checks["Description complete"]["passed"] is True


def review_queue_read(administrator: User) -> Any:
    """The review queue, read as a request of its own: the administrator's roles not yet read."""
    return client_of(User.objects.get(pk=administrator.pk)).get("/api/apps/review")


def test_the_review_queue_reads_no_more_for_more_applications(
    dana: User, administrator: User, django_assert_num_queries: Callable[..., Any]
) -> None:
    # given one submitted application
    deploy(dana, python_package("scale-a"))
    act(dana, "scale-a", "submit")
    with CaptureQueriesContext(connection) as one_waiting:
        review_queue_read(administrator)
    queries_for_one = len(one_waiting.captured_queries)

    # when another is submitted, and a published one's new revision too
    deploy(dana, python_package("scale-b"))
    act(dana, "scale-b", "submit")
    deploy(dana, python_package("scale-c"))
    submit_and_publish(dana, administrator, "scale-c")
    replace(dana, python_package("scale-c"))
    act(dana, "scale-c", "submit")
    with django_assert_num_queries(queries_for_one):
        queue = review_queue_read(administrator).json()["applications"]

    # then all three are listed, the published one with its submitted revision pending
    assert [application["id"] for application in queue] == ["scale-a", "scale-b", "scale-c"]
    assert queue[2]["pendingRevision"]["number"] == 2
    assert queue[2]["pendingRevision"]["state"] == RevisionState.SUBMITTED
    assert [revision["number"] for revision in queue[2]["revisions"]] == [2, 1]


def test_replacing_a_published_app_waits_for_review_then_announces_the_update(
    dana: User, alice: User, administrator: User
) -> None:
    deploy(dana, dsi_package())
    submit_and_publish(dana, administrator, "dsi")
    newer = dsi_package()
    newer["processDescription"]["version"] = "2.0.0"
    newer["executionUnit"][0]["unit"] = "pvretano/dsi:2.0"

    replace(dana, newer)
    before_review = client_of(alice).get("/ogcapi/processes/dsi").json()
    submit_and_publish(dana, administrator, "dsi")
    after_review = client_of(alice).get("/ogcapi/processes/dsi").json()

    assert (before_review["version"], after_review["version"]) == ("1.0.0", "2.0.0")
    assert Process.objects.get(identifier="dsi").execution_unit["image"] == "pvretano/dsi:2.0"
    (updated,) = events(EventType.APP_UPDATED)
    assert updated["appTitle"] == "Ship Detection Process"
    states = list(Process.objects.get(identifier="dsi").revisions.values_list("number", "state"))
    assert states == [(2, RevisionState.LIVE), (1, RevisionState.SUPERSEDED)]


def test_undeploying_a_published_app_announces_its_removal(dana: User, administrator: User) -> None:
    deploy(dana, dsi_package())
    submit_and_publish(dana, administrator, "dsi")

    assert client_of(dana).delete("/ogcapi/processes/dsi").status_code == 204

    (removed,) = events(EventType.APP_REMOVED)
    assert removed["appTitle"] == "Ship Detection Process"


def test_a_job_runs_the_revision_it_was_accepted_with(
    dana: User, alice: User, administrator: User
) -> None:
    deploy(dana, python_package())
    submit_and_publish(dana, administrator, "scale-values")
    job = submit_job(alice, "scale-values", {"inputs": {"values": [1, 2, 3], "factor": 2}})
    replacement = python_package()
    replacement["executionUnit"]["callable"] = "apps.processes.examples:word_count"
    replace(dana, replacement)
    submit_and_publish(dana, administrator, "scale-values")

    job_run(job_id=str(job.pk))

    job.refresh_from_db()
    assert job.status == JobStatus.SUCCESSFUL, job.message
    assert job.revision is not None
    assert job.revision.number == 1
    results = {output.output_id: output.value for output in job.outputs.all()}
    assert results == {"scaled": [2, 4, 6], "total": 12}


def test_a_python_unit_outside_the_allowed_modules_is_refused(dana: User) -> None:
    package = python_package()
    package["executionUnit"]["callable"] = "os:system"

    response = ogc.deploy(client_of(dana), package)

    assert response.status_code == 400
    assert "allowed" in response.json()["problems"][0]


def test_statistics_count_runs_users_success_and_durations(
    dana: User, alice: User, make_user: Callable[..., User]
) -> None:
    deploy(dana, python_package())
    bob = make_user("bob")
    for user, status, seconds in [
        (alice, JobStatus.SUCCESSFUL, 2.0),
        (alice, JobStatus.SUCCESSFUL, 4.0),
        (bob, JobStatus.FAILED, 1.0),
    ]:
        job = submit_job(user, "scale-values", {"inputs": {"values": [1]}})
        job.status, job.duration_seconds = status, seconds
        job.save()

    statistics = client_of(dana).get("/api/apps/scale-values/statistics").json()

    assert (statistics["runs"], statistics["users"]) == (3, 2)
    assert statistics["successRate"] == pytest.approx(2 / 3)
    assert statistics["meanSeconds"] == pytest.approx(3.0)
    assert statistics["p95Seconds"] == pytest.approx(3.8)
    assert statistics["weeks"][0]["runs"] == 3


def write_packages(folder: Path, *packages: dict[str, Any]) -> None:
    for package in packages:
        identifier = package["processDescription"]["id"]
        (folder / f"{identifier}.json").write_text(json.dumps(package))


def test_load_processes_deploys_a_folder_idempotently(
    tmp_path: Path, administrator: User, capsys: pytest.CaptureFixture[str]
) -> None:
    write_packages(tmp_path, dsi_package(), python_package())

    call_command("load_processes", str(tmp_path), "--publish")
    first = capsys.readouterr().out
    call_command("load_processes", str(tmp_path), "--publish")
    second = capsys.readouterr().out
    changed = dsi_package()
    changed["executionUnit"][0]["unit"] = "pvretano/dsi:3.0"
    write_packages(tmp_path, changed)
    call_command("load_processes", str(tmp_path), "--publish")
    third = capsys.readouterr().out

    assert "2 deployed, 0 updated, 0 unchanged, 0 invalid" in first
    assert "0 deployed, 0 updated, 2 unchanged, 0 invalid" in second
    assert "0 deployed, 1 updated, 1 unchanged, 0 invalid" in third
    dsi = Process.objects.get(identifier="dsi")
    assert (dsi.state, dsi.execution_unit["image"]) == (ProcessState.PUBLISHED, "pvretano/dsi:3.0")
    assert len(events(EventType.APP_ADDED)) == 2
    assert len(events(EventType.APP_UPDATED)) == 1


def test_load_processes_reports_invalid_files_and_loads_the_rest(
    tmp_path: Path, administrator: User, capsys: pytest.CaptureFixture[str]
) -> None:
    write_packages(tmp_path, dsi_package())
    (tmp_path / "broken.yaml").write_text("processDescription: {id: 'a b'}\n")

    with pytest.raises(CommandError, match="1 file"):
        call_command("load_processes", str(tmp_path))

    assert Process.objects.filter(identifier="dsi").exists()
    assert "`id`" in capsys.readouterr().err
